//! A listening socket as Linux keeps it (RFC 9293 §3.10.7.2 plus net/ipv4/tcp_input.c,
//! tcp_minisocks.c and syncookies.c): the SYN queue of half-open connections, the accept queue
//! of established connections the application has not yet accepted, and SYN cookies, which
//! let a connection open without any queue entry when the SYN queue is full.
//!
//! Sans-IO like the TCB, with two inputs: [`Listener::handle_segment`] for a segment that no
//! connection owns (LISTEN processing), and [`Listener::handle_child_segment`] for one that
//! reaches a connection the listener opened; and one call, [`Listener::child_changed`], that
//! keeps the queues in step with its connections' states. What it decides comes back as a
//! [`Listened`]; the host keeps the connections it spawns.

use super::tcb::{reset_for_closed_port, Endpoint, Tcb, Transmit, DEFAULT_MSS, RCV_WND};
use super::State;
use crate::profile::Params;
use crate::rng::mix;
use crate::segment::{Flags, Options, Segment};
use crate::seq::SeqNum;
use crate::time::{Duration, Instant};
use crate::why::{self, Why};
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

/// What the listener did with a segment. (Returned by value and moved straight into the
/// host's table: boxing the new connection would cost an allocation per connection.)
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Listened {
    /// A new connection for the host to keep: half-open in the SYN queue (its SYN,ACK waits
    /// in its outbox), or established straight from a valid SYN cookie.
    Spawn(Tcb),
    /// No connection; this segment answers (a SYN cookie's SYN,ACK, or a reset).
    Reply(Transmit),
    /// The connection it was for took it.
    Delivered,
    /// Taken and ignored (a reset reaching LISTEN, or a segment with none of SYN, ACK, RST).
    Ignored,
    /// Dropped before TCP processed it, as if it had never arrived: a full queue.
    Dropped(Why),
}

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

/// A connection's addresses and ports, from the listener's side.
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

/// The host's handle for a connection a listener opened.
pub type Child = usize;

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
    /// Those of them whose SYN,ACK has not timed out yet (Linux's `young` requests).
    young: u32,
    /// Established connections waiting for accept(): the host's handles for them.
    accept_queue: VecDeque<Child>,
    last_overflow: Option<Instant>,
    secrets: (u64, u64),
}

impl Listener {
    pub fn new(port: u16, backlog: u32, params: &Params, secret: u64) -> Listener {
        Listener {
            port,
            // listen(fd, 0) is legal: the accept queue then holds one connection.
            backlog: backlog.min(params.somaxconn),
            auto_accept: true,
            auto_read: true,
            syn_queue: 0,
            young: 0,
            accept_queue: VecDeque::new(),
            last_overflow: None,
            secrets: (mix(secret ^ 0x5359_4e31), mix(secret ^ 0x5359_4e32)),
        }
    }

    /// A segment for this port that no connection owns (RFC 9293 §3.10.7.2, LISTEN).
    /// `open` makes the endpoint a new connection starts from (the host's ISN, buffers).
    pub fn handle_segment(
        &mut self,
        now: Instant,
        seg: &Segment,
        tuple: &Tuple,
        params: &Params,
        open: impl FnOnce() -> Endpoint,
    ) -> Listened {
        let f = seg.flags;
        // First, an incoming RST could not be valid: ignore it.
        if f.rst() {
            return Listened::Ignored;
        }
        // Second, any acknowledgment is bad in LISTEN: <SEQ=SEG.ACK><CTL=RST>. Unless it
        // returns a SYN cookie (Linux cookie_v4_check): then the connection opens now.
        if f.ack() {
            if !f.syn() && self.cookies_in_play(now, params) {
                if let Some(mss) = self.check_cookie(now, tuple, seg.seq, seg.ack) {
                    return self.open_from_cookie(now, seg, mss, open);
                }
            }
            return match reset_for_closed_port(seg) {
                Some(rst) => Listened::Reply(Transmit::new(rst, why::LISTEN_ACK)),
                None => Listened::Ignored,
            };
        }
        // Third, a SYN: a half-open connection in the SYN queue, a cookie, or a drop.
        if f.syn() {
            return self.on_syn_segment(now, seg, tuple, params, open);
        }
        // Fourth, other text or control: drop it (Linux tcp_rcv_state_process discards it too).
        Listened::Ignored
    }

    /// A segment that reached a connection this listener opened. The ACK that would complete
    /// the handshake needs room in the accept queue: when it is full, Linux drops the ACK and
    /// lets the SYN,ACK be retransmitted (`tcp_abort_on_overflow` 0), or throws the request
    /// away and resets the peer (1). Anything else the connection processes itself.
    pub fn handle_child_segment(
        &mut self,
        now: Instant,
        child: &mut Tcb,
        seg: &Segment,
        params: &Params,
    ) -> Listened {
        if child.completes_handshake(seg) && self.accept_queue_full() {
            if !params.abort_on_overflow {
                return Listened::Dropped(why::ACCEPT_QUEUE_FULL);
            }
            child.discard(why::ACCEPT_QUEUE_OVERFLOW);
            return match reset_for_closed_port(seg) {
                Some(rst) => Listened::Reply(Transmit::new(rst, why::ACCEPT_QUEUE_OVERFLOW)),
                None => Listened::Ignored,
            };
        }
        child.handle_segment(now, seg);
        Listened::Delivered
    }

    /// A connection this listener opened went from `from` to `to`: the queues follow. It
    /// leaves the SYN queue when it leaves SYN-RECEIVED, joins the accept queue when it is
    /// established and no application holds it yet, and leaves it if it closes first. Returns
    /// true when the application (accepting as they come) has just accepted it.
    pub fn child_changed(&mut self, child: Child, from: State, to: State, accepted: bool) -> bool {
        if from == State::SynReceived {
            self.unqueue_syn();
        }
        match to {
            State::Established if !accepted => {
                self.accept_queue.push_back(child);
                if self.auto_accept {
                    self.accept();
                    return true;
                }
            }
            State::Closed if !accepted => self.accept_queue.retain(|c| *c != child),
            _ => {}
        }
        false
    }

    /// RFC 9293 §3.10.7.2, third step, with Linux's queues (tcp_conn_request).
    fn on_syn_segment(
        &mut self,
        now: Instant,
        syn: &Segment,
        tuple: &Tuple,
        params: &Params,
        open: impl FnOnce() -> Endpoint,
    ) -> Listened {
        match self.on_syn(now, params) {
            SynVerdict::Queue => {
                self.syn_queue += 1;
                self.young += 1;
                let mut end = open();
                end.auto_read = self.auto_read;
                Listened::Spawn(Tcb::accept_syn(now, end, syn))
            }
            SynVerdict::Cookie => {
                let client_mss = syn.options.mss.unwrap_or(DEFAULT_MSS);
                let cookie = self.cookie(now, tuple, syn.seq, client_mss);
                let synack = Listener::cookie_synack(syn, cookie, params.mss);
                Listened::Reply(Transmit::new(synack, why::SYNCOOKIE_SENT))
            }
            SynVerdict::DropSynQueueFull => Listened::Dropped(why::SYN_QUEUE_FULL),
            SynVerdict::DropAcceptQueueFull => Listened::Dropped(why::ACCEPT_QUEUE_FULL),
        }
    }

    /// An ACK carrying a valid cookie: the connection opens straight into the accept queue,
    /// if there is room.
    fn open_from_cookie(
        &mut self,
        now: Instant,
        ack: &Segment,
        mss: u16,
        open: impl FnOnce() -> Endpoint,
    ) -> Listened {
        if self.accept_queue_full() {
            return Listened::Dropped(why::ACCEPT_QUEUE_FULL);
        }
        let mut end = open();
        end.auto_read = self.auto_read;
        // Our ISN was the cookie.
        end.iss = ack.ack - 1;
        Listened::Spawn(Tcb::accept_cookie(now, end, ack, mss))
    }

    pub fn syn_queue_len(&self) -> u32 {
        self.syn_queue
    }

    /// Linux: full when more than the backlog are half-open (inet_csk_reqsk_queue_is_full,
    /// `qlen > backlog` since 6.13 and its stable kernels), so backlog + 1 fit, as in the
    /// accept queue.
    pub fn syn_queue_limit(&self) -> u32 {
        self.backlog + 1
    }

    /// How many SYN,ACK timeouts a half-open connection may have before it is dropped, now.
    /// Linux's reqsk_timer_handler (net/ipv4/inet_connection_sock.c): when the SYN queue is
    /// more than half full (`qlen * 2 > max(8, backlog)`), requests that have already timed
    /// out get fewer tries, down to 2, until there are at least half as many young ones
    /// (never timed out) as there are requests in all, doubling the count at each step: half
    /// the room stays for young requests, and old ones are dropped "without pity".
    pub fn synack_retries(&self, params: &Params) -> u32 {
        let mut retries = params.synack_retries;
        let qlen = self.syn_queue;
        if qlen * 2 > self.backlog.max(8) {
            let mut young = u64::from(self.young) * 2;
            while retries > 2 && u64::from(qlen) >= young {
                retries -= 1;
                young *= 2;
            }
        }
        retries
    }

    /// A half-open connection of this listener had its first SYN,ACK timeout, or left the
    /// SYN queue before it: it is no longer young.
    pub fn no_longer_young(&mut self) {
        self.young = self.young.saturating_sub(1);
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
    fn on_syn(&mut self, now: Instant, params: &Params) -> SynVerdict {
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

    /// A half-open connection left the SYN queue (established, reset or expired).
    fn unqueue_syn(&mut self) {
        self.syn_queue = self.syn_queue.saturating_sub(1);
    }

    /// accept(): the oldest established connection, if any.
    pub fn accept(&mut self) -> Option<Child> {
        self.accept_queue.pop_front()
    }

    /// Whether a stray ACK might be a cookie: only while cookies are always on, or soon after
    /// the SYN queue overflowed (Linux tcp_synq_no_recent_overflow).
    fn cookies_in_play(&self, now: Instant, params: &Params) -> bool {
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
    fn cookie_synack(syn: &Segment, cookie: SeqNum, our_mss: u16) -> Segment {
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
    //! The listener driven by segments alone, as the per-state TCB tests drive a TCB.
    use super::*;
    use crate::profile::Profile;
    use crate::tcp::TcbEvent;

    const CLIENT_PORT: u16 = 40000;
    const CLIENT_ISN: SeqNum = SeqNum(123_456);

    const TUPLE: Tuple = Tuple {
        local: Ipv4Addr::new(10, 0, 0, 2),
        local_port: 80,
        remote: Ipv4Addr::new(10, 0, 0, 1),
        remote_port: CLIENT_PORT,
    };

    fn at(s: u64) -> Instant {
        Instant::ZERO + Duration::from_secs(s)
    }

    fn endpoint(params: &Params, remote_port: u16) -> Endpoint {
        Endpoint {
            params: params.clone(),
            local_port: 80,
            remote_port,
            iss: SeqNum(9_000),
            ts_offset: 0,
            auto_read: true,
            queues: Default::default(),
            report_timers: true,
        }
    }

    /// The client's SYN, from `port`.
    fn syn(port: u16) -> Segment {
        Segment {
            src_port: port,
            dst_port: 80,
            seq: CLIENT_ISN,
            flags: Flags::SYN,
            window: 64_240,
            options: Options {
                mss: Some(1460),
                ..Options::default()
            },
            ..Segment::default()
        }
    }

    /// The ACK that answers a SYN,ACK whose sequence number was `their_isn`.
    fn ack_of(their_isn: SeqNum, port: u16) -> Segment {
        Segment {
            src_port: port,
            dst_port: 80,
            seq: CLIENT_ISN + 1,
            ack: their_isn + 1,
            flags: Flags::ACK,
            window: 64_240,
            ..Segment::default()
        }
    }

    fn tuple(port: u16) -> Tuple {
        Tuple {
            remote_port: port,
            ..TUPLE
        }
    }

    fn handle(l: &mut Listener, now: Instant, seg: &Segment, params: &Params) -> Listened {
        let port = seg.src_port;
        l.handle_segment(now, seg, &tuple(port), params, || endpoint(params, port))
    }

    /// Spawns a half-open connection from `port` and returns it with its SYN,ACK.
    fn half_open(l: &mut Listener, params: &Params, port: u16) -> (Tcb, Transmit) {
        match handle(l, at(0), &syn(port), params) {
            Listened::Spawn(mut tcb) => {
                let synack = tcb.poll_transmit().expect("a SYN,ACK");
                (tcb, synack)
            }
            other => panic!("expected a new connection, got {other:?}"),
        }
    }

    fn reply(listened: Listened) -> Transmit {
        match listened {
            Listened::Reply(tx) => tx,
            other => panic!("expected a reply, got {other:?}"),
        }
    }

    fn state_whys(tcb: &mut Tcb) -> Vec<(State, Why)> {
        std::iter::from_fn(|| tcb.poll_event())
            .filter_map(|e| match e {
                TcbEvent::State { to, why, .. } => Some((to, why)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_syn_opens_a_half_open_connection_in_the_syn_queue_that_answers_with_syn_ack() {
        let params = Profile::Linux.params();
        let mut l = Listener::new(80, 8, &params, 7);
        let (mut tcb, synack) = half_open(&mut l, &params, CLIENT_PORT);
        assert_eq!(tcb.state(), State::SynReceived);
        assert_eq!(synack.seg.flags, Flags::SYN | Flags::ACK);
        assert_eq!(synack.seg.ack, CLIENT_ISN + 1);
        assert_eq!(synack.why, why::LISTEN_SYN);
        assert_eq!(l.syn_queue_len(), 1);
        assert!(state_whys(&mut tcb).contains(&(State::SynReceived, why::LISTEN_SYN)));
    }

    #[test]
    fn an_acknowledgment_in_listen_is_answered_by_a_reset_from_its_ack_number() {
        let params = Profile::Linux.params();
        let mut l = Listener::new(80, 8, &params, 7);
        let stray = ack_of(SeqNum(77), CLIENT_PORT);
        let rst = reply(handle(&mut l, at(0), &stray, &params));
        assert_eq!(rst.seg.flags, Flags::RST);
        assert_eq!(rst.seg.seq, SeqNum(78));
        assert_eq!(rst.why, why::LISTEN_ACK);
        let synack = Segment {
            flags: Flags::SYN | Flags::ACK,
            ..stray
        };
        let rst = reply(handle(&mut l, at(0), &synack, &params));
        assert_eq!((rst.seg.flags, rst.why), (Flags::RST, why::LISTEN_ACK));
        assert_eq!(l.syn_queue_len(), 0, "no SYN was queued");
    }

    #[test]
    fn a_reset_in_listen_is_ignored_and_so_is_a_segment_without_syn_or_ack() {
        let params = Profile::Linux.params();
        let mut l = Listener::new(80, 8, &params, 7);
        for flags in [
            Flags::RST,
            Flags::RST | Flags::ACK,
            Flags::SYN | Flags::RST,
            Flags::FIN,
        ] {
            let seg = Segment {
                flags,
                ..syn(CLIENT_PORT)
            };
            assert!(
                matches!(handle(&mut l, at(0), &seg, &params), Listened::Ignored),
                "{flags}"
            );
        }
        assert_eq!(l.syn_queue_len(), 0);
    }

    #[test]
    fn a_full_syn_queue_answers_with_a_cookie_whose_ack_opens_the_connection() {
        let params = Profile::Linux.params();
        // Backlog 2: three half-open connections fit (qlen > backlog is full).
        let mut l = Listener::new(80, 2, &params, 7);
        for port in 1..=3 {
            half_open(&mut l, &params, port);
        }
        let answer = reply(handle(&mut l, at(10), &syn(CLIENT_PORT), &params));
        assert_eq!(answer.why, why::SYNCOOKIE_SENT);
        assert_eq!(answer.seg.flags, Flags::SYN | Flags::ACK);
        // Only the MSS survives in a cookie.
        let only_mss = Options {
            mss: Some(params.mss),
            ..Options::default()
        };
        assert_eq!(answer.seg.options, only_mss);
        assert_eq!(l.syn_queue_len(), 3, "a cookie keeps no state");
        let cookie = answer.seg.seq;
        match handle(&mut l, at(11), &ack_of(cookie, CLIENT_PORT), &params) {
            Listened::Spawn(mut tcb) => {
                assert_eq!(tcb.state(), State::Established);
                assert_eq!(tcb.iss(), cookie);
                assert!(state_whys(&mut tcb).contains(&(State::Established, why::SYNCOOKIE_ACK)));
            }
            other => panic!("expected the cookie to open a connection, got {other:?}"),
        }
    }

    #[test]
    fn a_cookie_is_only_checked_within_two_minutes_of_an_overflow() {
        let params = Profile::Linux.params();
        let mut l = Listener::new(80, 1, &params, 7);
        half_open(&mut l, &params, 1);
        half_open(&mut l, &params, 2);
        let cookie = reply(handle(&mut l, at(10), &syn(CLIENT_PORT), &params))
            .seg
            .seq;
        // Three minutes on the cookie is stale anyway; and no overflow is recent: a reset.
        let late = reply(handle(
            &mut l,
            at(200),
            &ack_of(cookie, CLIENT_PORT),
            &params,
        ));
        assert_eq!((late.seg.flags, late.why), (Flags::RST, why::LISTEN_ACK));
    }

    #[test]
    fn without_cookies_a_full_syn_queue_drops_the_syn() {
        let params = Params {
            syncookies: 0,
            ..Profile::Linux.params()
        };
        let mut l = Listener::new(80, 2, &params, 7);
        for port in 1..=3 {
            half_open(&mut l, &params, port);
        }
        assert!(matches!(
            handle(&mut l, at(0), &syn(4), &params),
            Listened::Dropped(w) if w == why::SYN_QUEUE_FULL
        ));
        assert_eq!(l.syn_queue_len(), 3);
    }

    #[test]
    fn with_syncookies_2_every_syn_gets_a_cookie() {
        let params = Params {
            syncookies: 2,
            ..Profile::Linux.params()
        };
        let mut l = Listener::new(80, 128, &params, 7);
        let answer = reply(handle(&mut l, at(0), &syn(CLIENT_PORT), &params));
        assert_eq!(answer.why, why::SYNCOOKIE_SENT);
        assert_eq!(l.syn_queue_len(), 0);
    }

    #[test]
    fn the_handshake_moves_a_connection_from_the_syn_queue_to_the_accept_queue() {
        let params = Profile::Linux.params();
        let mut l = Listener::new(80, 8, &params, 7);
        l.auto_accept = false;
        let (mut tcb, synack) = half_open(&mut l, &params, CLIENT_PORT);
        let ack = ack_of(synack.seg.seq, CLIENT_PORT);
        assert!(matches!(
            l.handle_child_segment(at(1), &mut tcb, &ack, &params),
            Listened::Delivered
        ));
        assert_eq!(tcb.state(), State::Established);
        assert!(!l.child_changed(5, State::SynReceived, State::Established, false));
        assert_eq!((l.syn_queue_len(), l.accept_queue_len()), (0, 1));
        assert_eq!(l.accept(), Some(5));
        // Closing before accept() leaves the accept queue too.
        assert!(!l.child_changed(6, State::Listen, State::Established, false));
        l.child_changed(6, State::Established, State::Closed, false);
        assert_eq!(l.accept_queue_len(), 0);
    }

    #[test]
    fn an_application_that_accepts_as_they_come_takes_each_connection_at_once() {
        let params = Profile::Linux.params();
        let mut l = Listener::new(80, 8, &params, 7);
        half_open(&mut l, &params, CLIENT_PORT);
        assert!(l.child_changed(0, State::SynReceived, State::Established, false));
        assert_eq!((l.syn_queue_len(), l.accept_queue_len()), (0, 0));
    }

    #[test]
    fn the_accept_queue_holds_backlog_plus_one_and_then_even_syns_are_dropped() {
        let params = Profile::Linux.params();
        let mut l = Listener::new(80, 2, &params, 1);
        l.auto_accept = false;
        assert_eq!(l.accept_queue_limit(), 3);
        for child in 0..3 {
            l.child_changed(child, State::Listen, State::Established, false);
        }
        assert!(l.accept_queue_full());
        assert!(matches!(
            handle(&mut l, at(0), &syn(CLIENT_PORT), &params),
            Listened::Dropped(w) if w == why::ACCEPT_QUEUE_FULL
        ));
        assert_eq!(l.accept(), Some(0));
        assert!(matches!(
            handle(&mut l, at(0), &syn(CLIENT_PORT), &params),
            Listened::Spawn(_)
        ));
    }

    #[test]
    fn a_completing_ack_that_finds_the_accept_queue_full_is_dropped_or_resets() {
        for abort_on_overflow in [false, true] {
            let params = Params {
                abort_on_overflow,
                ..Profile::Linux.params()
            };
            let mut l = Listener::new(80, 1, &params, 1);
            l.auto_accept = false;
            let (mut tcb, synack) = half_open(&mut l, &params, CLIENT_PORT);
            l.child_changed(8, State::Listen, State::Established, false);
            l.child_changed(9, State::Listen, State::Established, false);
            assert!(l.accept_queue_full());
            let ack = ack_of(synack.seg.seq, CLIENT_PORT);
            let listened = l.handle_child_segment(at(1), &mut tcb, &ack, &params);
            if abort_on_overflow {
                let rst = reply(listened);
                assert_eq!((rst.seg.flags, rst.seg.seq), (Flags::RST, ack.ack));
                assert_eq!(rst.why, why::ACCEPT_QUEUE_OVERFLOW);
                assert_eq!(tcb.state(), State::Closed);
                assert!(state_whys(&mut tcb).contains(&(State::Closed, why::ACCEPT_QUEUE_OVERFLOW)));
            } else {
                assert!(matches!(listened, Listened::Dropped(w) if w == why::ACCEPT_QUEUE_FULL));
                assert_eq!(
                    tcb.state(),
                    State::SynReceived,
                    "it waits for the SYN,ACK again"
                );
            }
        }
    }

    #[test]
    fn listen_with_a_backlog_of_zero_holds_one_connection() {
        let params = Profile::Linux.params();
        let mut l = Listener::new(80, 0, &params, 1);
        l.auto_accept = false;
        assert_eq!((l.backlog, l.accept_queue_limit()), (0, 1));
        // One half-open connection fits (qlen > backlog is full, since 6.13); the SYN queue
        // is then full, so the next connection opens through a cookie, into the accept queue.
        assert_eq!(l.syn_queue_limit(), 1);
        half_open(&mut l, &params, CLIENT_PORT - 1);
        let cookie = reply(handle(&mut l, at(0), &syn(CLIENT_PORT), &params))
            .seg
            .seq;
        let Listened::Spawn(tcb) = handle(&mut l, at(0), &ack_of(cookie, CLIENT_PORT), &params)
        else {
            panic!("the cookie opens the connection");
        };
        assert_eq!(tcb.state(), State::Established);
        l.child_changed(0, State::Listen, State::Established, false);
        assert_eq!(l.accept_queue_len(), 1);
        assert!(matches!(
            handle(&mut l, at(0), &syn(CLIENT_PORT + 1), &params),
            Listened::Dropped(w) if w == why::ACCEPT_QUEUE_FULL
        ));
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
    fn a_crowded_syn_queue_gives_old_requests_fewer_synack_retries_down_to_two() {
        let params = Profile::Linux.params();
        let mut l = Listener::new(80, 32, &params, 1);
        for port in 0..33 {
            half_open(&mut l, &params, port);
        }
        // Half full or less: every request keeps synack_retries.
        assert_eq!(l.synack_retries(&params), 5);
        // All 33 young (none timed out yet): no pruning either (33 < 2 * 33).
        let mut young = 33;
        let mut seen = Vec::new();
        while young > 0 {
            l.no_longer_young();
            young -= 1;
            seen.push((young, l.synack_retries(&params)));
        }
        // 16 young of 33: 33 >= 32, one step (4); 8 young: two steps (3); fewer: down to 2.
        assert_eq!(seen[32 - 16], (16, 4));
        assert_eq!(seen[32 - 17], (17, 5));
        assert_eq!(seen[32 - 8], (8, 3));
        assert_eq!(seen[32], (0, 2));
        // At most half full again (16 of a backlog of 32): no pruning.
        let mut small = Listener::new(80, 32, &params, 1);
        for port in 0..16 {
            half_open(&mut small, &params, port);
            small.no_longer_young();
        }
        assert_eq!(small.synack_retries(&params), 5);
    }

    #[test]
    fn the_backlog_is_capped_by_somaxconn() {
        let params = Params {
            somaxconn: 128,
            ..Profile::Linux.params()
        };
        assert_eq!(Listener::new(80, 4096, &params, 1).syn_queue_limit(), 129);
    }

    #[test]
    fn without_cookies_linux_drops_early_when_a_quarter_of_max_syn_backlog_is_left() {
        let params = Params {
            syncookies: 0,
            max_syn_backlog: 8,
            ..Profile::Linux.params()
        };
        let mut l = Listener::new(80, 100, &params, 1);
        for port in 0..7 {
            // 8 - 6 = 2 = 8 >> 2 still queues the seventh.
            half_open(&mut l, &params, port);
        }
        assert!(matches!(
            handle(&mut l, at(0), &syn(7), &params),
            Listened::Dropped(w) if w == why::SYN_QUEUE_FULL
        ));
    }
}
