//! The connection's timers: a fixed table whose earliest deadline is the next wake-up.

use super::State;
use crate::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Timer {
    /// Retransmission of the SYN, the SYN,ACK, data or a FIN (RFC 6298).
    Retransmit,
    /// TIME-WAIT's wait before the connection is forgotten (RFC 9293 §3.10.8).
    TimeWait,
    /// Linux's limit on an orphaned connection in FIN-WAIT-2 (`tcp_fin_timeout`).
    FinWait2,
    /// Idle time before a keepalive probe, then the interval between probes (RFC 1122
    /// §4.2.3.6).
    Keepalive,
    /// An acknowledgment held back in the hope of riding on data (RFC 9293 §3.8.6.3).
    DelayedAck,
}

impl Timer {
    pub const ALL: [Timer; 5] = [
        Timer::Retransmit,
        Timer::TimeWait,
        Timer::FinWait2,
        Timer::Keepalive,
        Timer::DelayedAck,
    ];

    fn index(self) -> usize {
        self as usize
    }

    /// The trace name; the retransmission timer is named after what it guards.
    pub fn name(self, state: State) -> &'static str {
        match (self, state) {
            (Timer::Retransmit, State::SynSent) => "syn-rto",
            (Timer::Retransmit, State::SynReceived) => "synack-rto",
            (Timer::Retransmit, _) => "rto",
            (Timer::TimeWait, _) => "time-wait",
            (Timer::FinWait2, _) => "fin-wait-2",
            (Timer::Keepalive, _) => "keepalive",
            (Timer::DelayedAck, _) => "delack",
        }
    }
}

/// Deadlines of the armed timers.
#[derive(Clone, Debug, Default)]
pub struct Timers([Option<Instant>; 5]);

impl Timers {
    pub fn get(&self, timer: Timer) -> Option<Instant> {
        self.0[timer.index()]
    }
    pub fn set(&mut self, timer: Timer, at: Option<Instant>) {
        self.0[timer.index()] = at;
    }
    /// The earliest armed deadline.
    pub fn next(&self) -> Option<Instant> {
        self.0.iter().flatten().min().copied()
    }
    /// The armed timers whose deadline is at or before `now`, earliest first.
    pub fn expired(&self, now: Instant) -> Vec<Timer> {
        let mut due: Vec<Timer> = Timer::ALL
            .into_iter()
            .filter(|t| self.get(*t).is_some_and(|at| at <= now))
            .collect();
        due.sort_by_key(|t| self.get(*t));
        due
    }
}
