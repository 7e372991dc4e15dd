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
    pub fn name(self, state: State) -> TimerName {
        match (self, state) {
            (Timer::Retransmit, State::SynSent) => TimerName::SynRto,
            (Timer::Retransmit, State::SynReceived) => TimerName::SynackRto,
            (Timer::Retransmit, _) => TimerName::Rto,
            (Timer::TimeWait, _) => TimerName::TimeWait,
            (Timer::FinWait2, _) => TimerName::FinWait2,
            (Timer::Keepalive, _) => TimerName::Keepalive,
            (Timer::DelayedAck, _) => TimerName::Delack,
        }
    }
}

/// A timer as the trace names it (one byte in each trace event).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TimerName {
    SynRto,
    SynackRto,
    Rto,
    TimeWait,
    FinWait2,
    Keepalive,
    Delack,
}

impl TimerName {
    pub fn name(self) -> &'static str {
        match self {
            TimerName::SynRto => "syn-rto",
            TimerName::SynackRto => "synack-rto",
            TimerName::Rto => "rto",
            TimerName::TimeWait => "time-wait",
            TimerName::FinWait2 => "fin-wait-2",
            TimerName::Keepalive => "keepalive",
            TimerName::Delack => "delack",
        }
    }
}

display_as_name!(TimerName);

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
    pub fn expired(&self, now: Instant) -> impl Iterator<Item = Timer> {
        let due = |t: &Timer| self.get(*t).filter(|at| *at <= now);
        let mut timers = Timer::ALL;
        // Due ones first, earliest first (ties in table order); no allocation on this hot path.
        timers.sort_by_key(|t| (due(t).is_none(), due(t)));
        let count = timers.iter().filter(|t| due(t).is_some()).count();
        timers.into_iter().take(count)
    }
}
