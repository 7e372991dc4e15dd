//! A listening socket as Linux keeps it (RFC 9293 §3.10.7.2 plus net/ipv4/tcp_input.c,
//! tcp_minisocks.c and syncookies.c): the SYN queue of half-open connections, the accept queue
//! of established connections the application has not yet accepted, and SYN cookies, which
//! let a connection open without any queue entry when the SYN queue is full.
//!
//! Sans-IO like the TCB: the listener only decides; the host creates, admits and drops the
//! connections it names.

use super::tcb::RCV_WND;
use crate::profile::Params;
use crate::rng::mix;
use crate::segment::{Flags, Options, Segment};
use crate::seq::SeqNum;
use crate::time::{Duration, Instant};
use std::collections::VecDeque;
use std::net::Ipv4Addr;

/// The MSS values a cookie can carry, by 2-bit index (Linux's msstab in syncookies.c).
pub const COOKIE_MSS: [u16; 4] = [536, 1300, 1440, 1460];
/// Bits of the cookie below the counter (Linux COOKIEBITS).
const COOKIE_BITS: u32 = 24;
const COOKIE_MASK: u32 = (1 << COOKIE_BITS) - 1;
/// The cookie counter ticks once a minute; a cookie is good for two ticks (MAX_SYNCOOKIE_AGE).
const COOKIE_TICK: Duration = Duration::from_secs(60);
const COOKIE_MAX_AGE: u32 = 2;
/// After an overflow, returning ACKs are checked as cookies for this long (Linux
/// TCP_SYNCOOKIE_VALID).
const COOKIE_VALID: Duration = Duration::from_secs(120);

/// What to do with a SYN that reached this listener.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SynVerdict {
    /// Make a half-open connection and put it in the SYN queue.
    Queue,
    /// Answer with a SYN cookie and keep no state.
    Cookie,
    /// The SYN queue is full and cookies are off.
    DropSynQueueFull,
    /// The accept queue is full: Linux drops even the SYN (LINUX_MIB_LISTENOVERFLOWS).
    DropAcceptQueueFull,
}

/// The four connections of a cookie's 4-tuple, from the listener's side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tuple {
    pub local: Ipv4Addr,
    pub local_port: u16,
    pub remote: Ipv4Addr,
    pub remote_port: u16,
}

impl Tuple {
    fn key(&self) -> u64 {
        (u64::from(u32::from(self.local)) << 32 | u64::from(u32::from(self.remote)))
            ^ (u64::from(self.local_port) << 16 | u64::from(self.remote_port)).rotate_left(23)
    }
}

#[derive(Clone, Debug)]
pub struct Listener {
    pub port: u16,
    /// The backlog the application asked for, capped by somaxconn.
    pub backlog: u32,
    /// The application accepts connections as soon as they are established.
    pub auto_accept: bool,
    /// The application reads data as it arrives.
    pub auto_read: bool,
    /// Half-open connections (SYN-RECEIVED) in the SYN queue.
    syn_queue: u32,
    /// Established connections waiting for accept(): the host's handles for them.
    accept_queue: VecDeque<usize>,
    last_overflow: Option<Instant>,
    secrets: (u64, u64),
}

impl Listener {
    pub fn new(port: u16, backlog: u32, params: &Params, secret: u64) -> Listener {
        Listener {
            port,
            backlog: backlog.min(params.somaxconn).max(1),
            auto_accept: true,
            auto_read: true,
            syn_queue: 0,
            accept_queue: VecDeque::new(),
            last_overflow: None,
            secrets: (mix(secret ^ 0x5359_4e31), mix(secret ^ 0x5359_4e32)),
        }
    }

    pub fn syn_queue_len(&self) -> u32 {
        self.syn_queue
    }

    /// Linux: the SYN queue is full at the backlog (inet_csk_reqsk_queue_is_full).
    pub fn syn_queue_limit(&self) -> u32 {
        self.backlog
    }

    pub fn accept_queue_len(&self) -> u32 {
        self.accept_queue.len() as u32
    }

    /// Linux: full when more than the backlog wait (sk_acceptq_is_full), so backlog + 1 fit.
    pub fn accept_queue_limit(&self) -> u32 {
        self.backlog + 1
    }

    pub fn accept_queue_full(&self) -> bool {
        self.accept_queue_len() >= self.accept_queue_limit()
    }

    /// tcp_conn_request: cookies when configured always (2) or when the SYN queue is full
    /// (1); without cookies, a full SYN queue drops the SYN, and so does Linux's early drop
    /// when less than a quarter of max_syn_backlog is left. A full accept queue drops it too.
    pub fn on_syn(&mut self, now: Instant, params: &Params) -> SynVerdict {
        let full = self.syn_queue >= self.syn_queue_limit();
        let mut verdict = SynVerdict::Queue;
        if params.syncookies == 2 || full {
            if full {
                self.last_overflow = Some(now);
            }
            if params.syncookies == 0 {
                return SynVerdict::DropSynQueueFull;
            }
            verdict = SynVerdict::Cookie;
        }
        if self.accept_queue_full() {
            return SynVerdict::DropAcceptQueueFull;
        }
        let max = params.max_syn_backlog;
        if verdict == SynVerdict::Queue
            && params.syncookies == 0
            && max - self.syn_queue.min(max) < max >> 2
        {
            self.last_overflow = Some(now);
            return SynVerdict::DropSynQueueFull;
        }
        verdict
    }

    /// A half-open connection entered the SYN queue.
    pub fn queue_syn(&mut self) {
        self.syn_queue += 1;
    }

    /// A half-open connection left the SYN queue (established, reset or expired).
    pub fn unqueue_syn(&mut self) {
        self.syn_queue = self.syn_queue.saturating_sub(1);
    }

    /// An established connection joins the accept queue.
    pub fn queue_established(&mut self, handle: usize) {
        self.accept_queue.push_back(handle);
    }

    /// accept(): the oldest established connection, if any.
    pub fn accept(&mut self) -> Option<usize> {
        self.accept_queue.pop_front()
    }

    /// Forgets a queued connection that closed before the application accepted it.
    pub fn forget(&mut self, handle: usize) {
        self.accept_queue.retain(|h| *h != handle);
    }

    /// Whether a stray ACK might be a cookie: only while cookies are always on, or soon after
    /// the SYN queue overflowed (Linux tcp_synq_no_recent_overflow).
    pub fn cookies_in_play(&self, now: Instant, params: &Params) -> bool {
        params.syncookies == 2
            || (params.syncookies == 1
                && self
                    .last_overflow
                    .is_some_and(|t| now.saturating_since(t) < COOKIE_VALID))
    }

    /// The SYN,ACK's sequence number that encodes this connection (Linux
    /// secure_tcp_syn_cookie): a keyed hash of the 4-tuple, plus the client's ISN, plus the
    /// minute counter in the top 8 bits, plus a second hash with the MSS index in the low 24.
    pub fn cookie(&self, now: Instant, tuple: &Tuple, client_isn: SeqNum, mss: u16) -> SeqNum {
        let index = COOKIE_MSS.iter().rposition(|m| *m <= mss).unwrap_or(0) as u32;
        let count = Self::counter(now);
        let h1 = self.hash(self.secrets.0, tuple, 0);
        let h2 = self.hash(self.secrets.1, tuple, count);
        SeqNum(
            h1.wrapping_add(client_isn.0)
                .wrapping_add(count << COOKIE_BITS)
                .wrapping_add(h2.wrapping_add(index) & COOKIE_MASK),
        )
    }

    /// Checks the ACK that returns a cookie (Linux __cookie_v4_check): its acknowledgment
    /// less one must decode, for this 4-tuple and the client's ISN (its sequence number less
    /// one), to a counter at most two minutes old and a valid MSS index. Returns that MSS.
    pub fn check_cookie(
        &self,
        now: Instant,
        tuple: &Tuple,
        seq: SeqNum,
        ack: SeqNum,
    ) -> Option<u16> {
        let cookie = (ack - 1).0;
        let client_isn = (seq - 1).0;
        let h1 = self.hash(self.secrets.0, tuple, 0);
        let rest = cookie.wrapping_sub(h1).wrapping_sub(client_isn);
        let count = Self::counter(now);
        let age = count.wrapping_sub(rest >> COOKIE_BITS) & 0xff;
        if age >= COOKIE_MAX_AGE {
            return None;
        }
        let h2 = self.hash(self.secrets.1, tuple, count.wrapping_sub(age));
        let index = rest.wrapping_sub(h2) & COOKIE_MASK;
        COOKIE_MSS.get(index as usize).copied()
    }

    /// The SYN,ACK that carries a cookie: the cookie as its sequence number, and only the
    /// MSS option, since nothing else is remembered.
    pub fn cookie_synack(syn: &Segment, cookie: SeqNum, our_mss: u16) -> Segment {
        Segment {
            src_port: syn.dst_port,
            dst_port: syn.src_port,
            seq: cookie,
            ack: syn.seq + 1,
            flags: Flags::SYN | Flags::ACK,
            window: RCV_WND.min(u32::from(u16::MAX)) as u16,
            options: Options {
                mss: Some(our_mss),
                ..Options::default()
            },
            len: 0,
        }
    }

    fn counter(now: Instant) -> u32 {
        (now.micros() / COOKIE_TICK.micros()) as u32
    }

    fn hash(&self, secret: u64, tuple: &Tuple, count: u32) -> u32 {
        mix(secret ^ tuple.key() ^ (u64::from(count) << 40)) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    const TUPLE: Tuple = Tuple {
        local: Ipv4Addr::new(10, 0, 0, 2),
        local_port: 80,
        remote: Ipv4Addr::new(10, 0, 0, 1),
        remote_port: 40000,
    };

    fn at(s: u64) -> Instant {
        Instant::ZERO + Duration::from_secs(s)
    }

    #[test]
    fn a_cookie_validates_for_its_own_connection_and_carries_the_mss() {
        let l = Listener::new(80, 128, &Profile::Linux.params(), 7);
        let isn = SeqNum(123_456);
        let cookie = l.cookie(at(10), &TUPLE, isn, 1460);
        // The returning ACK: SEQ = ISN + 1, ACK = cookie + 1.
        assert_eq!(
            l.check_cookie(at(11), &TUPLE, isn + 1, cookie + 1),
            Some(1460)
        );
        let small = l.cookie(at(10), &TUPLE, isn, 1400);
        assert_eq!(
            l.check_cookie(at(11), &TUPLE, isn + 1, small + 1),
            Some(1300)
        );
    }

    #[test]
    fn a_cookie_fails_for_another_tuple_another_isn_or_when_stale() {
        let l = Listener::new(80, 128, &Profile::Linux.params(), 7);
        let isn = SeqNum(99);
        let cookie = l.cookie(at(10), &TUPLE, isn, 1460);
        let other = Tuple {
            remote_port: 40001,
            ..TUPLE
        };
        assert_eq!(l.check_cookie(at(11), &other, isn + 1, cookie + 1), None);
        // As in Linux, only the two MSS bits are redundant in the low 24: a sequence number a
        // few off can decode to another valid index; one far off cannot.
        assert_eq!(l.check_cookie(at(11), &TUPLE, isn + 1001, cookie + 1), None);
        assert_eq!(l.check_cookie(at(11), &TUPLE, isn + 1, cookie + 2), None);
        assert_eq!(
            l.check_cookie(at(10 + 180), &TUPLE, isn + 1, cookie + 1),
            None,
            "three minutes on"
        );
        let other_listener = Listener::new(80, 128, &Profile::Linux.params(), 8);
        assert_eq!(
            other_listener.check_cookie(at(11), &TUPLE, isn + 1, cookie + 1),
            None
        );
    }

    #[test]
    fn a_full_syn_queue_means_cookies_if_enabled_and_a_drop_if_not() {
        let mut params = Profile::Linux.params();
        let mut l = Listener::new(80, 2, &params, 1);
        assert_eq!(l.on_syn(at(0), &params), SynVerdict::Queue);
        l.queue_syn();
        l.queue_syn();
        assert_eq!(l.on_syn(at(0), &params), SynVerdict::Cookie);
        assert!(l.cookies_in_play(at(100), &params));
        assert!(
            !l.cookies_in_play(at(200), &params),
            "two minutes after the overflow"
        );
        params.syncookies = 0;
        assert_eq!(l.on_syn(at(0), &params), SynVerdict::DropSynQueueFull);
        params.syncookies = 2;
        l.unqueue_syn();
        l.unqueue_syn();
        assert_eq!(
            l.on_syn(at(0), &params),
            SynVerdict::Cookie,
            "always, with 2"
        );
    }

    #[test]
    fn the_accept_queue_holds_backlog_plus_one_and_then_even_syns_are_dropped() {
        let params = Profile::Linux.params();
        let mut l = Listener::new(80, 2, &params, 1);
        assert_eq!(l.accept_queue_limit(), 3);
        for h in 0..3 {
            l.queue_established(h);
        }
        assert!(l.accept_queue_full());
        assert_eq!(l.on_syn(at(0), &params), SynVerdict::DropAcceptQueueFull);
        assert_eq!(l.accept(), Some(0));
        assert_eq!(l.on_syn(at(0), &params), SynVerdict::Queue);
    }

    #[test]
    fn the_backlog_is_capped_by_somaxconn() {
        let params = Params {
            somaxconn: 128,
            ..Profile::Linux.params()
        };
        assert_eq!(Listener::new(80, 4096, &params, 1).syn_queue_limit(), 128);
    }

    #[test]
    fn without_cookies_linux_drops_early_when_a_quarter_of_max_syn_backlog_is_left() {
        let params = Params {
            syncookies: 0,
            max_syn_backlog: 8,
            ..Profile::Linux.params()
        };
        let mut l = Listener::new(80, 100, &params, 1);
        for _ in 0..6 {
            assert_eq!(l.on_syn(at(0), &params), SynVerdict::Queue);
            l.queue_syn();
        }
        assert_eq!(
            l.on_syn(at(0), &params),
            SynVerdict::Queue,
            "8 - 6 = 2 = 8 >> 2"
        );
        l.queue_syn();
        assert_eq!(l.on_syn(at(0), &params), SynVerdict::DropSynQueueFull);
    }
}
