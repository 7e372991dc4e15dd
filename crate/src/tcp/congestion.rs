//! The congestion window, counted in segments as Linux counts it (`snd_cwnd`): how many
//! segments may be in flight. It starts at the initial window (RFC 6928: 10 segments on
//! Linux; RFC 5681 §3.1 for the classic profile), grows by one segment for each segment
//! acknowledged while in slow start (RFC 5681 §3.1), by one per window after that
//! (congestion avoidance, Reno's rule), falls to one segment after a retransmission timeout
//! (RFC 5681 §3.1, the loss window), and restarts from the initial window after an idle
//! period longer than the RTO (RFC 5681 §4.1, Linux's `tcp_slow_start_after_idle`).
//!
//! Not yet: CUBIC's growth in congestion avoidance (RFC 9438) and HyStart, fast retransmit
//! and recovery (RFC 6675, PRR), cwnd validation for an application-limited sender beyond
//! Linux's slow-start rule below.

use crate::time::Duration;

/// Linux's `TCP_INFINITE_SSTHRESH`: slow start has no end until a loss sets one.
const INFINITE: u32 = 0x7fff_ffff;

#[derive(Clone, Debug)]
pub struct Congestion {
    initial: u32,
    cwnd: u32,
    ssthresh: u32,
    /// Segments acknowledged towards the next increase in congestion avoidance.
    acked: u32,
    /// The most segments in flight since the window last grew (Linux's `max_packets_out`).
    max_in_flight: u32,
}

impl Congestion {
    pub fn new(initial: u32) -> Congestion {
        let initial = initial.max(1);
        Congestion {
            initial,
            cwnd: initial,
            ssthresh: INFINITE,
            acked: 0,
            max_in_flight: 0,
        }
    }

    pub fn cwnd(&self) -> u32 {
        self.cwnd
    }

    /// Whether one more segment may leave with `in_flight` segments outstanding.
    pub fn allows(&self, in_flight: u32) -> bool {
        in_flight < self.cwnd
    }

    /// A segment of new data left; `in_flight` counts it.
    pub fn on_sent(&mut self, in_flight: u32) {
        self.max_in_flight = self.max_in_flight.max(in_flight);
    }

    /// `segments` segments were newly acknowledged.
    pub fn on_acked(&mut self, segments: u32) {
        if segments == 0 {
            return;
        }
        if self.cwnd < self.ssthresh {
            // Linux's tcp_is_cwnd_limited(): in slow start the window grows only while the
            // sender has used more than half of it, so an application that sends little
            // does not inflate it (RFC 7661 §4.1 in spirit).
            if self.cwnd >= 2 * self.max_in_flight {
                return;
            }
            // RFC 5681 §3.1: slow start, one segment per segment acknowledged (RFC 3465).
            let room = self.ssthresh - self.cwnd;
            let grow = segments.min(room);
            self.cwnd += grow;
            self.congestion_avoidance(segments - grow);
        } else {
            self.congestion_avoidance(segments);
        }
    }

    /// RFC 5681 §3.1: about one segment per window of acknowledgments.
    fn congestion_avoidance(&mut self, segments: u32) {
        self.acked += segments;
        while self.acked >= self.cwnd {
            self.acked -= self.cwnd;
            self.cwnd += 1;
        }
    }

    /// RFC 5681 §3.1, after a retransmission timeout: ssthresh is half of what was in flight
    /// (at least two segments), and the window is one segment, the loss window.
    pub fn on_timeout(&mut self, in_flight: u32) {
        self.ssthresh = (in_flight / 2).max(2);
        self.cwnd = 1;
        self.acked = 0;
        // What was in flight is still outstanding: the window grows as it is acknowledged.
        self.max_in_flight = in_flight;
    }

    /// RFC 5681 §4.1 as Linux does it (tcp_cwnd_restart()): after `idle` with nothing sent,
    /// the window is halved for every RTO that passed, down to the initial window.
    pub fn after_idle(&mut self, idle: Duration, rto: Duration) {
        if idle < rto || self.cwnd <= self.initial {
            return;
        }
        self.ssthresh = self.ssthresh.max(self.cwnd * 3 / 4);
        let mut left = idle.micros();
        while left > rto.micros() && self.cwnd > self.initial {
            left -= rto.micros();
            self.cwnd >>= 1;
        }
        self.cwnd = self.cwnd.max(self.initial);
        self.max_in_flight = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_start_doubles_a_full_window_each_round_trip() {
        let mut cc = Congestion::new(10);
        for n in 1..=10 {
            cc.on_sent(n);
        }
        assert!(!cc.allows(10));
        cc.on_acked(10);
        assert_eq!(cc.cwnd(), 20);
    }

    #[test]
    fn a_sender_that_uses_little_of_its_window_does_not_grow_it() {
        let mut cc = Congestion::new(10);
        cc.on_sent(3);
        cc.on_acked(3);
        assert_eq!(cc.cwnd(), 10);
    }

    #[test]
    fn a_timeout_leaves_one_segment_and_half_the_flight_as_ssthresh() {
        let mut cc = Congestion::new(10);
        cc.on_timeout(8);
        assert_eq!(cc.cwnd(), 1);
        assert!(cc.allows(0) && !cc.allows(1));
        // Slow start up to ssthresh (4), then one segment per window.
        cc.on_sent(1);
        cc.on_acked(1);
        assert_eq!(cc.cwnd(), 2);
        cc.on_sent(2);
        cc.on_acked(2);
        assert_eq!(cc.cwnd(), 4);
        cc.on_sent(4);
        cc.on_acked(4);
        assert_eq!(cc.cwnd(), 5);
    }

    #[test]
    fn an_idle_connection_starts_again_from_its_initial_window() {
        let mut cc = Congestion::new(10);
        for n in 1..=10 {
            cc.on_sent(n);
        }
        cc.on_acked(10);
        cc.on_sent(20);
        cc.on_acked(20);
        assert_eq!(cc.cwnd(), 40);
        let rto = Duration::from_millis(300);
        cc.after_idle(Duration::from_millis(200), rto);
        assert_eq!(cc.cwnd(), 40, "not idle for an RTO");
        cc.after_idle(Duration::from_secs(5), rto);
        assert_eq!(cc.cwnd(), 10);
    }
}
