//! One TCP connection: the transmission control block and its event processing.
//!
//! Implements RFC 9293 §3.10 (user calls, SEGMENT ARRIVES, timeouts) with retransmission per
//! RFC 6298, options per RFC 9293 §3.7.1, RFC 7323 and RFC 2018, delayed ACKs (RFC 9293
//! §3.8.6.3, RFC 5681 §4.2), keepalive (RFC 1122 §4.2.3.6), challenge ACKs (RFC 5961), and the
//! Linux retry schedules of the profile in use. Sans-IO: time is always an argument, and what the connection wants to
//! send, its timers and its events are polled (`poll_transmit`, `poll_timeout`, `poll_event`).
//!
//! A misbehaving peer is never an error here: its segment is dropped or answered (ACK, RST), and
//! the `Why` attached to what we do says which rule applied.

use super::congestion::Congestion;
use super::timer::{Timer, TimerName, Timers};
use super::State;
use crate::profile::Params;
use crate::segment::{Flags, Options, Segment};
use crate::seq::SeqNum;
use crate::time::{Duration, Instant};
use crate::why::{self, Why};
use std::collections::VecDeque;

/// The receive window we offer (44 × 1460, what Linux offers on a SYN).
pub const RCV_WND: u32 = 64_240;
/// RFC 9293 §3.7.1: the MSS to assume when the peer sent none.
pub(super) const DEFAULT_MSS: u16 = 536;
/// Linux's TCP_RTO_MIN: the base of the time a connection is given for its retransmissions of
/// data or FIN (`tcp_model_timeout()` in net/ipv4/tcp_timer.c), whatever `rto_min` is.
const TCP_RTO_MIN: Duration = Duration::from_millis(200);

/// A segment the connection wants sent, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmit {
    pub seg: Segment,
    pub why: Why,
    pub retrans: bool,
}

impl Transmit {
    /// A segment sent for the first time.
    pub fn new(seg: Segment, why: Why) -> Transmit {
        Transmit {
            seg,
            why,
            retrans: false,
        }
    }
}

/// What the application would see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppEvent {
    /// The handshake completed (connect returned, or accept can return it).
    Established,
    /// Bytes arrived in order and were read.
    Received(u32),
    /// The peer's FIN arrived: read returns 0.
    Eof,
    /// The connection failed; the error a socket call would return.
    Error(Errno),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Errno {
    ETIMEDOUT,
    ECONNREFUSED,
    ECONNRESET,
    /// A reset came after the peer's FIN (Linux's tcp_reset(), in CLOSE-WAIT).
    EPIPE,
    /// The host has crashed: its applications get nothing done.
    EHOSTDOWN,
    /// The application holds no connection to make the call on.
    ENOTCONN,
    /// bind() to a port another socket holds (see `why::BIND_IN_USE`).
    EADDRINUSE,
    /// connect() to a 4-tuple a connection still uses.
    EADDRNOTAVAIL,
    /// A call on a socket the application does not have (close-listener on no listener).
    EBADF,
    /// accept() with nothing in the accept queue.
    EAGAIN,
}

impl Errno {
    pub fn name(self) -> &'static str {
        match self {
            Errno::ETIMEDOUT => "ETIMEDOUT",
            Errno::ECONNREFUSED => "ECONNREFUSED",
            Errno::ECONNRESET => "ECONNRESET",
            Errno::EPIPE => "EPIPE",
            Errno::EHOSTDOWN => "EHOSTDOWN",
            Errno::ENOTCONN => "ENOTCONN",
            Errno::EADDRINUSE => "EADDRINUSE",
            Errno::EADDRNOTAVAIL => "EADDRNOTAVAIL",
            Errno::EBADF => "EBADF",
            Errno::EAGAIN => "EAGAIN",
        }
    }
}

/// A change worth tracing, with its reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TcbEvent {
    State {
        from: State,
        to: State,
        why: Why,
    },
    Timer {
        name: TimerName,
        action: TimerAction,
        at: Instant,
        why: Why,
    },
    App {
        event: AppEvent,
        why: Why,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimerAction {
    Set,
    Fired,
    Cancelled,
}

impl TimerAction {
    pub fn name(self) -> &'static str {
        match self {
            TimerAction::Set => "set",
            TimerAction::Fired => "fired",
            TimerAction::Cancelled => "cancelled",
        }
    }
}

display_as_name!(Errno, TimerAction);

/// What one end of a connection is, before it opens.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub params: Params,
    pub local_port: u16,
    pub remote_port: u16,
    /// The initial send sequence number (RFC 9293 §3.4.1).
    pub iss: SeqNum,
    /// Offset of this connection's timestamp clock (RFC 7323 §5.4), in ms.
    pub ts_offset: u32,
    /// The application reads data as soon as it arrives; otherwise only on `recv`.
    pub auto_read: bool,
    /// Storage for what the connection has to say and send, as smoltcp's sockets take their
    /// buffers from the caller: a closed connection's emptied queues (see
    /// [`Tcb::release_buffers`]), or new ones.
    pub queues: Queues,
    /// Whether timer changes are reported as events; when nobody records them (a flood's
    /// connections, say), they are only counted. The timers run the same either way.
    pub report_timers: bool,
}

/// What a connection has to say and to send until it is polled. A closed connection hands
/// its (empty) queues back, so a host that opens and closes many connections reuses them
/// instead of allocating anew.
#[derive(Clone, Debug, Default)]
pub struct Queues {
    outbox: VecDeque<Transmit>,
    events: VecDeque<TcbEvent>,
}

#[derive(Clone, Debug)]
pub struct Tcb {
    state: State,
    params: Params,
    local_port: u16,
    remote_port: u16,
    /// Opened by a listener (passive OPEN).
    passive: bool,
    /// CLOSE has been called: no application will read any more (Linux: orphaned).
    closed_by_app: bool,
    auto_read: bool,
    /// Bytes received in order that the application has not read yet.
    unread: u32,

    // Send sequence variables (RFC 9293 §3.3.1).
    iss: SeqNum,
    snd_una: SeqNum,
    snd_nxt: SeqNum,
    snd_wnd: u32,
    snd_wl1: SeqNum,
    snd_wl2: SeqNum,
    /// One past the last byte the application has written; our FIN goes here.
    snd_buf_end: SeqNum,
    fin_queued: bool,
    /// The call that queued our FIN (close or shutdown), for the trace.
    fin_why: Why,
    /// How many segments may be in flight (RFC 5681).
    cc: Congestion,
    /// Where each segment of new data (or our FIN) in flight ends, oldest first: Linux counts
    /// the congestion window in segments.
    in_flight: VecDeque<SeqNum>,
    /// When new data last left, to tell an idle connection.
    last_sent: Option<Instant>,
    /// The end of the last segment shorter than the MSS that we sent (Linux's `snd_sml`).
    snd_sml: SeqNum,
    /// The application closed with data still unsent: our FIN rides on its last segment.
    fin_with_data: bool,

    // Receive sequence variables (RFC 9293 §3.3.1).
    irs: SeqNum,
    rcv_nxt: SeqNum,
    rcv_wnd: u32,
    /// An ACK to send now, and why.
    ack_due: Option<Why>,
    /// Data segments received since we last sent an ACK (RFC 9293 §3.8.6.3).
    unacked_segments: u32,
    /// Segments still to be acknowledged at once before delayed ACKs begin.
    quickacks_left: u32,
    /// When data last arrived in order (Linux's `icsk_ack.lrcvtime`).
    last_data_at: Option<Instant>,
    /// Out-of-order text held until the gap before it fills: (start, length).
    out_of_order: Vec<(SeqNum, u32)>,
    /// When we last received a segment, for keepalive.
    last_received: Instant,
    /// Keepalive probes sent without an answer.
    probes_sent: u32,

    // Options agreed in the handshake.
    snd_mss: u16,
    /// Both sides sent window scale (RFC 7323 §2.2); the shifts apply only then.
    wscale_ok: bool,
    snd_wscale: u8,
    rcv_wscale: u8,
    sack_ok: bool,
    ts_ok: bool,
    ts_offset: u32,
    ts_recent: u32,

    // Retransmission (RFC 6298).
    rto: Duration,
    srtt: Option<Duration>,
    rttvar: Duration,
    /// Retransmissions of the oldest outstanding segment so far.
    retries: u32,
    /// When the retransmission timer last started for the oldest outstanding segment: when
    /// it was sent, or when the ACK of the one before it arrived.
    rto_started_at: Option<Instant>,
    /// Linux's `retrans_stamp`: when the oldest outstanding segment was first sent, noted at
    /// its first retransmission (every one after `retries` went back to 0); the time a
    /// connection is given runs from here.
    retrans_stamp: Option<Instant>,
    /// SYN,ACK retransmissions allowed, as the listener's queue says now (its pruning);
    /// `None`: `synack_retries`.
    synack_limit: Option<u32>,
    /// When our first SYN left, for Linux's time limit on SYN retransmissions.
    first_syn_at: Option<Instant>,
    /// The segment being timed: its end and when it was first sent (Karn: never a retransmission).
    rtt_probe: Option<(SeqNum, Instant)>,

    /// See [`Endpoint::report_timers`].
    report_timers: bool,
    unreported_timer_events: u64,
    timers: Timers,
    outbox: VecDeque<Transmit>,
    events: VecDeque<TcbEvent>,
}

impl Tcb {
    fn new(end: Endpoint) -> Tcb {
        let iss = end.iss;
        let quickacks_left = end.params.quickack;
        let cc = Congestion::new(end.params.initcwnd);
        Tcb {
            state: State::Closed,
            rto: end.params.rto_initial,
            snd_mss: end.params.mss,
            params: end.params,
            local_port: end.local_port,
            remote_port: end.remote_port,
            passive: false,
            closed_by_app: false,
            auto_read: end.auto_read,
            unread: 0,
            iss,
            snd_una: iss,
            snd_nxt: iss,
            snd_wnd: 0,
            snd_wl1: SeqNum(0),
            snd_wl2: SeqNum(0),
            snd_buf_end: iss + 1,
            fin_queued: false,
            fin_why: why::CLOSE_CALL,
            cc,
            in_flight: VecDeque::new(),
            last_sent: None,
            snd_sml: iss,
            fin_with_data: false,
            irs: SeqNum(0),
            rcv_nxt: SeqNum(0),
            rcv_wnd: RCV_WND,
            ack_due: None,
            unacked_segments: 0,
            quickacks_left,
            last_data_at: None,
            out_of_order: Vec::new(),
            last_received: Instant::ZERO,
            probes_sent: 0,
            wscale_ok: false,
            snd_wscale: 0,
            rcv_wscale: 0,
            sack_ok: false,
            ts_ok: false,
            ts_offset: end.ts_offset,
            ts_recent: 0,
            srtt: None,
            rttvar: Duration::ZERO,
            retries: 0,
            rto_started_at: None,
            retrans_stamp: None,
            synack_limit: None,
            first_syn_at: None,
            rtt_probe: None,
            report_timers: end.report_timers,
            unreported_timer_events: 0,
            timers: Timers::default(),
            outbox: end.queues.outbox,
            events: end.queues.events,
        }
    }

    // ---------------------------------------------------------------- getters

    pub fn state(&self) -> State {
        self.state
    }
    pub fn local_port(&self) -> u16 {
        self.local_port
    }
    pub fn remote_port(&self) -> u16 {
        self.remote_port
    }
    pub fn iss(&self) -> SeqNum {
        self.iss
    }
    pub fn irs(&self) -> SeqNum {
        self.irs
    }
    pub fn snd_una(&self) -> SeqNum {
        self.snd_una
    }
    pub fn snd_nxt(&self) -> SeqNum {
        self.snd_nxt
    }
    pub fn rcv_nxt(&self) -> SeqNum {
        self.rcv_nxt
    }
    pub fn rto(&self) -> Duration {
        self.rto
    }
    /// The congestion window, in segments (RFC 5681).
    pub fn cwnd(&self) -> u32 {
        self.cc.cwnd()
    }
    /// Both ends agreed on timestamps (RFC 7323): what lets Linux take over a TIME-WAIT.
    pub fn timestamps_agreed(&self) -> bool {
        self.ts_ok
    }
    /// Bytes received that the application has not read.
    pub fn unread(&self) -> u32 {
        self.unread
    }
    /// Armed timers by trace name, with their deadlines.
    pub fn armed_timers(&self) -> Vec<(&'static str, Instant)> {
        Timer::ALL
            .into_iter()
            .filter_map(|t| Some((t.name(self.state).name(), self.timers.get(t)?)))
            .collect()
    }
    // ---------------------------------------------------------------- user calls

    /// Active OPEN: send a SYN and wait in SYN-SENT (RFC 9293 §3.10.1).
    pub fn connect(now: Instant, end: Endpoint) -> Tcb {
        let mut tcb = Tcb::new(end);
        tcb.set_state(State::SynSent, why::ACTIVE_OPEN);
        tcb.send_syn(now, false, why::ACTIVE_OPEN);
        tcb
    }

    /// A SYN reached a listening port: a new connection answers it from LISTEN with a SYN,ACK
    /// and waits in SYN-RECEIVED (RFC 9293 §3.10.7.2).
    pub fn accept_syn(now: Instant, end: Endpoint, syn: &Segment) -> Tcb {
        let mut tcb = Tcb::new(end);
        tcb.passive = true;
        tcb.state = State::Listen;
        tcb.last_received = now;
        tcb.take_peer_syn(syn);
        tcb.set_state(State::SynReceived, why::LISTEN_SYN);
        tcb.send_syn(now, false, why::LISTEN_SYN);
        if tcb.params.two_way_handshake {
            // Counterfactual: the SYN,ACK alone would complete the handshake.
            tcb.establish(now, why::TWO_WAY_HANDSHAKE);
        }
        tcb
    }

    /// A returning ACK carried a valid SYN cookie: the connection starts ESTABLISHED without
    /// ever having been half-open here (Linux cookie_v4_check). `end.iss` is the cookie; of
    /// the options, only the MSS the cookie carried survives.
    pub fn accept_cookie(now: Instant, end: Endpoint, ack: &Segment, mss: u16) -> Tcb {
        let mut tcb = Tcb::new(end);
        tcb.passive = true;
        tcb.state = State::Listen;
        tcb.irs = ack.seq - 1;
        tcb.rcv_nxt = ack.seq;
        tcb.snd_una = ack.ack;
        tcb.snd_nxt = ack.ack;
        tcb.snd_mss = mss.min(tcb.params.mss);
        tcb.snd_wnd = u32::from(ack.window);
        tcb.snd_wl1 = ack.seq;
        tcb.snd_wl2 = ack.ack;
        tcb.establish(now, why::SYNCOOKIE_ACK);
        // The ACK may carry data already.
        tcb.handle_segment(now, ack);
        tcb
    }

    /// Whether this segment would take a half-open connection to ESTABLISHED: the listener
    /// checks its accept queue first (RFC 9293 §3.10.7.4, fifth step, SYN-RECEIVED).
    pub fn completes_handshake(&self, seg: &Segment) -> bool {
        self.state == State::SynReceived
            && seg.flags.ack()
            && !seg.flags.rst()
            && !seg.flags.syn()
            && seg.ack > self.snd_una
            && seg.ack <= self.snd_nxt
            && self.acceptable(seg)
    }

    /// SEND: queue `bytes` for transmission (RFC 9293 §3.10.2). Returns false, sending
    /// nothing, once the connection can no longer send.
    pub fn send(&mut self, now: Instant, bytes: u32) -> bool {
        let can_send = self.can_send();
        if can_send {
            self.snd_buf_end = self.snd_buf_end + bytes;
            self.output(now);
        }
        can_send
    }

    /// Whether SEND is allowed: not once our side is shut down (RFC 9293 §3.10.2 answers
    /// "connection closing"; Linux's write() fails with EPIPE), nor after the connection ended.
    pub fn can_send(&self) -> bool {
        matches!(
            self.state,
            State::SynSent | State::SynReceived | State::Established | State::CloseWait
        ) && !self.fin_queued
    }

    /// RECEIVE: the application reads what has arrived (RFC 9293 §3.10.3).
    pub fn recv(&mut self) -> u32 {
        let n = std::mem::take(&mut self.unread);
        if n > 0 {
            self.app(AppEvent::Received(n), why::RECV_CALL);
        }
        n
    }

    /// CLOSE: no more data from us, and none will be read; a FIN follows what is queued
    /// (RFC 9293 §3.10.4).
    pub fn close(&mut self, now: Instant) {
        self.closed_by_app = true;
        // RFC 1122 §4.2.2.13: closing with received data unread loses it; say so with RST.
        if self.unread > 0 && self.state.is_synchronized() {
            self.unread = 0;
            let rst = self.segment(now, self.snd_nxt, Flags::RST | Flags::ACK, 0);
            self.transmit(rst, why::UNREAD_DATA, false);
            return self.set_state(State::Closed, why::UNREAD_DATA);
        }
        self.shut_write(now, why::CLOSE_CALL);
    }

    /// SHUTDOWN(SHUT_WR): no more data from us, but keep reading (a half-close).
    pub fn shutdown_write(&mut self, now: Instant) {
        self.shut_write(now, why::SHUTDOWN_CALL);
    }

    fn shut_write(&mut self, now: Instant, why: Why) {
        self.fin_why = why;
        match self.state {
            State::SynSent => {
                self.cancel_all_timers(why::CLOSE_IN_SYN_SENT);
                self.set_state(State::Closed, why::CLOSE_IN_SYN_SENT);
            }
            State::SynReceived | State::Established => {
                self.queue_fin();
                self.set_state(State::FinWait1, why);
                self.output(now);
            }
            State::CloseWait => {
                self.queue_fin();
                self.set_state(State::LastAck, why);
                self.output(now);
            }
            // Already closing: the RFC answers "error: connection closing"; nothing changes.
            _ => {}
        }
    }

    /// Our FIN follows the queued data; if some of that has not left yet, Linux sets FIN on
    /// its last segment instead of sending one of its own (tcp_send_fin()).
    fn queue_fin(&mut self) {
        self.fin_queued = true;
        self.fin_with_data = self.snd_nxt < self.snd_buf_end;
    }

    /// ABORT: send RST if synchronized and forget the connection (RFC 9293 §3.10.5).
    pub fn abort(&mut self, now: Instant) {
        self.reset_because(now, why::ABORT_CALL);
    }

    /// Ends the connection at once, with an RST where the peer may hold state (RFC 9293
    /// §3.10.5): an abort, or a listener closed before it accepted this connection.
    pub fn reset_because(&mut self, now: Instant, why: Why) {
        if matches!(
            self.state,
            State::SynReceived
                | State::Established
                | State::FinWait1
                | State::FinWait2
                | State::CloseWait
        ) {
            // Linux sends RST,ACK here (tcp_send_active_reset); the RFC requires only RST.
            let rst = self.segment(now, self.snd_nxt, Flags::RST | Flags::ACK, 0);
            self.transmit(rst, why, false);
        }
        self.cancel_all_timers(why);
        self.set_state(State::Closed, why);
    }

    /// TCP_NODELAY: Nagle's algorithm off (or on again) from now; what it held leaves.
    pub fn set_nodelay(&mut self, now: Instant, on: bool) {
        self.params.nodelay = on;
        self.output(now);
    }

    /// SO_KEEPALIVE: turns keepalive on or off for this connection from now.
    pub fn set_keepalive(&mut self, now: Instant, on: bool) {
        self.params.keepalive = on;
        if !on {
            return self.cancel_timer(Timer::Keepalive, why::KEEPALIVE_IDLE);
        }
        if self.keepalive_applies() && self.timers.get(Timer::Keepalive).is_none() {
            let at = self.last_received.max(now) + self.params.keepalive_time;
            self.arm_at(Timer::Keepalive, at, why::KEEPALIVE_IDLE);
        }
    }

    /// How many timer changes went unreported (see [`Endpoint::report_timers`]) since the
    /// last call.
    pub fn take_unreported_timer_events(&mut self) -> u64 {
        std::mem::take(&mut self.unreported_timer_events)
    }

    /// Gives up its buffers once the connection is closed and drained: the queues for a new
    /// connection to reuse.
    pub fn release_buffers(&mut self) -> Queues {
        debug_assert!(self.outbox.is_empty() && self.events.is_empty());
        self.out_of_order = Vec::new();
        Queues {
            outbox: std::mem::take(&mut self.outbox),
            events: std::mem::take(&mut self.events),
        }
    }

    /// Forgets the connection without a word on the wire: its host crashed, or (Linux's
    /// `inet_csk_reqsk_queue_drop`) the listener threw the half-open request away.
    pub fn discard(&mut self, why: Why) {
        self.cancel_all_timers(why);
        self.outbox.clear();
        self.set_state(State::Closed, why);
    }

    // ---------------------------------------------------------------- outputs

    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.outbox.pop_front()
    }

    pub fn poll_event(&mut self) -> Option<TcbEvent> {
        self.events.pop_front()
    }

    /// Timeouts of the oldest outstanding segment so far (for a passive open in
    /// SYN-RECEIVED, of its SYN,ACK).
    pub fn retries(&self) -> u32 {
        self.retries
    }

    /// How many SYN,ACK timeouts this half-open connection may have before it gives up: its
    /// listener's say at the moment (Listener::synack_retries).
    pub fn limit_synack_retries(&mut self, retries: u32) {
        self.synack_limit = Some(retries);
    }

    /// When `handle_timeout` should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next()
    }

    // ---------------------------------------------------------------- timeouts

    /// Runs every timer whose deadline has come (RFC 9293 §3.10.8).
    pub fn handle_timeout(&mut self, now: Instant) {
        for timer in self.timers.expired(now) {
            // An earlier timer in this round may have closed the connection.
            if self.timers.get(timer).is_none() {
                continue;
            }
            let at = self.timers.get(timer).unwrap_or(now);
            self.timers.set(timer, None);
            let why = match timer {
                Timer::Retransmit => why::RTO_EXPIRED,
                Timer::TimeWait => why::TIME_WAIT_EXPIRED,
                Timer::FinWait2 => why::FIN_WAIT_2_TIMEOUT,
                Timer::Keepalive => why::KEEPALIVE_IDLE,
                Timer::DelayedAck => why::DELAYED_ACK,
            };
            self.trace_timer(timer, TimerAction::Fired, at, why);
            match timer {
                Timer::Retransmit => self.on_retransmit_timeout(now),
                Timer::TimeWait => self.set_state(State::Closed, why::TIME_WAIT_EXPIRED),
                Timer::FinWait2 => {
                    // Linux lets an orphan that outstays `tcp_fin_timeout` go without a
                    // segment: it spends that time as a FIN-WAIT-2 entry of the TIME-WAIT
                    // table (tcp_time_wait(sk, TCP_FIN_WAIT2, tmo)), which expires silently.
                    // A FIN that comes later meets a closed port (RFC 9293 §3.10.7.1).
                    self.cancel_all_timers(why::FIN_WAIT_2_TIMEOUT);
                    self.set_state(State::Closed, why::FIN_WAIT_2_TIMEOUT);
                }
                Timer::Keepalive => self.on_keepalive_timeout(now),
                Timer::DelayedAck => self.ack_due = Some(why::DELAYED_ACK),
            }
        }
        self.output(now);
    }

    /// RFC 1122 §4.2.3.6, as Linux does it (tcp_keepalive_timer): after `keepalive_time`
    /// without receiving anything, probe every `keepalive_intvl`; after `keepalive_probes`
    /// unanswered probes, reset the connection and report ETIMEDOUT.
    fn on_keepalive_timeout(&mut self, now: Instant) {
        if !self.keepalive_applies() {
            return;
        }
        let idle = now - self.last_received;
        let p = &self.params;
        let (time, intvl, probes) = (p.keepalive_time, p.keepalive_intvl, p.keepalive_probes);
        if idle < time {
            // Something arrived since the timer was set: wait out the rest of the idle time.
            return self.arm_at(
                Timer::Keepalive,
                self.last_received + time,
                why::KEEPALIVE_IDLE,
            );
        }
        if self.snd_una != self.snd_nxt {
            // Data is outstanding: retransmission, not keepalive, watches the peer.
            return self.arm(now, Timer::Keepalive, intvl, why::KEEPALIVE_IDLE);
        }
        if self.probes_sent >= probes {
            let rst = self.segment(now, self.snd_nxt, Flags::RST | Flags::ACK, 0);
            self.transmit(rst, why::KEEPALIVE_EXHAUSTED, false);
            self.cancel_all_timers(why::KEEPALIVE_EXHAUSTED);
            self.app(AppEvent::Error(Errno::ETIMEDOUT), why::KEEPALIVE_EXHAUSTED);
            return self.set_state(State::Closed, why::KEEPALIVE_EXHAUSTED);
        }
        // The probe repeats the last byte the peer has acknowledged (SEG.SEQ = SND.UNA - 1):
        // out of its window, so a live peer must answer with an ACK.
        let probe = self.segment(now, self.snd_una - 1, Flags::ACK, 0);
        self.transmit(probe, why::KEEPALIVE_PROBE, false);
        self.probes_sent += 1;
        self.arm(now, Timer::Keepalive, intvl, why::KEEPALIVE_PROBE);
    }

    fn keepalive_applies(&self) -> bool {
        self.params.keepalive
            && matches!(
                self.state,
                State::Established | State::CloseWait | State::FinWait2
            )
    }

    /// RFC 6298 §5.4 to §5.6: retransmit the oldest unacknowledged segment, back off, restart.
    /// Linux keeps the first `syn_linear_timeouts` SYN retransmissions at the initial RTO.
    fn on_retransmit_timeout(&mut self, now: Instant) {
        self.retries += 1;
        if self.retries == 1 {
            self.retrans_stamp = self.rto_started_at;
        }
        let over = match self.state {
            State::SynSent => {
                let limit = self.params.syn_retries + self.params.syn_linear_timeouts;
                self.retries > limit || self.syn_time_is_up(now)
            }
            _ if self.syn_unacked() => {
                self.retries > self.synack_limit.unwrap_or(self.params.synack_retries)
            }
            _ => self.data_time_is_up(now),
        };
        if over {
            return self.give_up();
        }
        // Karn's algorithm (RFC 6298 §3): no RTT sample from a retransmitted segment.
        self.rtt_probe = None;
        let linear =
            self.state == State::SynSent && self.retries <= self.params.syn_linear_timeouts;
        if !linear {
            self.rto = self.rto.saturating_mul(2).min(self.params.rto_max);
        }
        if self.syn_unacked() {
            self.send_syn(now, true, why::RTO_EXPIRED);
        } else {
            self.cc.on_timeout(self.segments_in_flight());
            self.retransmit_oldest(now);
        }
    }

    /// Linux also gives up on a SYN once the time that `syn_retries` doubling retransmissions
    /// from the initial RTO would take has passed since the first SYN (`tcp_write_timeout()`
    /// and `tcp_model_timeout()` in net/ipv4/tcp_timer.c): with linear timeouts in front, the
    /// clock can run out before the count does.
    fn syn_time_is_up(&self, now: Instant) -> bool {
        let (State::SynSent, Some(first)) = (self.state, self.first_syn_at) else {
            return false;
        };
        let limit = self.model_timeout(self.params.syn_retries, self.params.rto_initial);
        now.saturating_since(first) >= limit
    }

    /// Linux gives up on data or a FIN once the time that `retries2` doubling retransmissions
    /// from TCP_RTO_MIN would take has passed since the oldest outstanding segment was first
    /// sent (`retransmits_timed_out()` with `tcp_retries2`: 15 makes 924.6 s, about 15 minutes
    /// whatever the RTO). A connection its application has closed (an orphan) counts with
    /// `orphan_retries` instead: 0 means 8 while its RTO is below `rto_max`
    /// (`tcp_orphan_retries()`), about 102 s.
    fn data_time_is_up(&self, now: Instant) -> bool {
        let Some(first) = self.retrans_stamp else {
            return false;
        };
        let boundary = if self.closed_by_app {
            match self.params.orphan_retries {
                0 if self.rto < self.params.rto_max => 8,
                n => n,
            }
        } else {
            self.params.retries2
        };
        now.saturating_since(first) >= self.model_timeout(boundary, TCP_RTO_MIN)
    }

    /// `tcp_model_timeout()`: how long `boundary` retransmissions take when the RTO starts at
    /// `base` and doubles up to `rto_max`, then stays there.
    fn model_timeout(&self, boundary: u32, base: Duration) -> Duration {
        let max = self.params.rto_max;
        let thresh = (max.micros() / base.micros().max(1)).max(1).ilog2();
        if boundary <= thresh {
            base.saturating_mul((2u64 << boundary) - 1)
        } else {
            base.saturating_mul((2u64 << thresh) - 1)
                + max.saturating_mul(u64::from(boundary - thresh))
        }
    }

    /// Our SYN is not yet acknowledged (SYN-SENT, SYN-RECEIVED, or the counterfactual
    /// two-way handshake's ESTABLISHED).
    fn syn_unacked(&self) -> bool {
        self.snd_una == self.iss && self.snd_nxt != self.iss
    }

    fn give_up(&mut self) {
        self.cancel_all_timers(why::RETRIES_EXHAUSTED);
        if self.passive && self.syn_unacked() && self.state == State::SynReceived {
            // Linux drops the half-open request silently; no application knew of it.
            self.set_state(State::Closed, why::SYNACK_RETRIES_EXHAUSTED);
        } else {
            // An orphan's error reaches no one: its application has closed it (Linux's
            // tcp_write_err() records it on a socket that is then freed).
            if !self.closed_by_app {
                self.app(AppEvent::Error(Errno::ETIMEDOUT), why::RETRIES_EXHAUSTED);
            }
            self.set_state(State::Closed, why::RETRIES_EXHAUSTED);
        }
    }

    // ---------------------------------------------------------------- segment arrives

    /// SEGMENT ARRIVES (RFC 9293 §3.10.7.3 and §3.10.7.4).
    pub fn handle_segment(&mut self, now: Instant, seg: &Segment) {
        match self.state {
            State::Closed | State::Listen => {}
            State::SynSent => self.on_segment_in_syn_sent(now, seg),
            _ => self.on_segment_synchronizing_or_later(now, seg),
        }
        self.output(now);
    }

    /// RFC 9293 §3.10.7.3.
    fn on_segment_in_syn_sent(&mut self, now: Instant, seg: &Segment) {
        // First, check the ACK bit: it must acknowledge our SYN and nothing more.
        let ack_ok = seg.ack > self.iss && seg.ack <= self.snd_nxt;
        if seg.flags.ack() && !ack_ok {
            if !seg.flags.rst() {
                let rst = self.reset_for(seg);
                self.transmit(rst, why::SYN_SENT_BAD_ACK, false);
            }
            return;
        }
        // Second, the RST bit: with an acceptable ACK the peer refused us.
        if seg.flags.rst() {
            if seg.flags.ack() {
                self.cancel_all_timers(why::REFUSED);
                self.app(AppEvent::Error(Errno::ECONNREFUSED), why::REFUSED);
                self.set_state(State::Closed, why::REFUSED);
            }
            return;
        }
        // Fourth, the SYN bit.
        if !seg.flags.syn() {
            return;
        }
        self.take_peer_syn(seg);
        if seg.flags.ack() {
            self.snd_una = seg.ack;
            self.sample_rtt(now, seg.ack);
            self.update_window(seg);
            self.retries = 0;
            self.cancel_timer(Timer::Retransmit, why::SYNACK_RECEIVED);
            if self.params.two_way_handshake {
                // Counterfactual: no third segment.
                self.establish(now, why::TWO_WAY_HANDSHAKE);
            } else {
                self.establish(now, why::SYNACK_RECEIVED);
                self.ack_due = Some(why::SYNACK_RECEIVED);
            }
        } else {
            // Simultaneous open: answer with SYN,ACK from the same ISN.
            self.set_state(State::SynReceived, why::SIMULTANEOUS_OPEN);
            self.send_syn(now, false, why::SIMULTANEOUS_OPEN);
        }
    }

    /// RFC 9293 §3.10.7.4: SYN-RECEIVED and every synchronized state.
    fn on_segment_synchronizing_or_later(&mut self, now: Instant, seg: &Segment) {
        // Linux answers the peer's repeated SYN on a half-open connection with the SYN,ACK
        // again, at once: the peer evidently did not get the first one (tcp_check_req).
        let repeated_syn = seg.flags == Flags::SYN && seg.seq == self.irs;
        if self.state == State::SynReceived && self.passive && repeated_syn {
            let synack = self.segment(now, self.iss, Flags::SYN | Flags::ACK, 0);
            self.transmit(synack, why::DUPLICATE_SYN, true);
            // ... and waits a full timeout again before its own next retransmission.
            return self.arm(now, Timer::Retransmit, self.rto, why::DUPLICATE_SYN);
        }

        // TIME-WAIT: a retransmitted FIN means our last ACK was lost; ACK it again and restart
        // the 2 MSL wait (eighth step, TIME-WAIT).
        let retransmitted_fin = seg.flags.fin() && seg.seq + seg.seq_len() == self.rcv_nxt;
        if self.state == State::TimeWait && retransmitted_fin && !seg.flags.rst() {
            self.ack_due = Some(why::TIME_WAIT_FIN);
            self.arm(
                now,
                Timer::TimeWait,
                self.params.time_wait,
                why::TIME_WAIT_FIN,
            );
            return;
        }

        // First, check the sequence number.
        if !self.acceptable(seg) {
            if !seg.flags.rst() {
                self.ack_due = Some(why::OUT_OF_WINDOW);
            }
            return;
        }
        if self.ts_ok {
            if let Some((val, _)) = seg.options.timestamps {
                self.ts_recent = val;
            }
        }

        // Second, the RST bit: RFC 5961 §3.2 wants it exactly at RCV.NXT; one elsewhere in the
        // window gets a challenge ACK.
        if seg.flags.rst() {
            if seg.seq != self.rcv_nxt {
                self.ack_due = Some(why::CHALLENGE_ACK_RST);
                return;
            }
            return self.on_reset();
        }

        // Fourth, a SYN in a synchronized state is answered by a challenge ACK (RFC 5961 §4.2).
        if seg.flags.syn() {
            self.ack_due = Some(why::CHALLENGE_ACK);
            return;
        }

        // Fifth, the ACK field.
        if !seg.flags.ack() {
            return;
        }
        // The peer is alive: keepalive's idle time starts again (Linux: tcp_ack).
        self.last_received = now;
        self.probes_sent = 0;
        if self.state == State::SynReceived {
            if seg.ack > self.snd_una && seg.ack <= self.snd_nxt {
                self.snd_una = seg.ack;
                self.sample_rtt(now, seg.ack);
                self.retries = 0;
                self.cancel_timer(Timer::Retransmit, why::HANDSHAKE_ACKED);
                self.update_window(seg);
                self.establish(now, why::HANDSHAKE_ACKED);
            } else {
                let rst = self.reset_for(seg);
                self.transmit(rst, why::SYN_RECEIVED_BAD_ACK, false);
                return;
            }
        } else if !self.on_ack(now, seg) {
            return;
        }
        if self.state == State::Closed {
            return;
        }

        // Seventh, the segment text.
        let can_receive = matches!(
            self.state,
            State::Established | State::FinWait1 | State::FinWait2
        );
        if seg.len > 0 && can_receive {
            let new_data = seg.seq + seg.len > self.rcv_nxt;
            if self.closed_by_app && new_data {
                // RFC 1122 §4.2.2.13: nobody will read it; the peer must learn it was lost.
                // Linux answers as for a segment nobody owns (tcp_v4_send_reset): a bare
                // <SEQ=SEG.ACK><CTL=RST> (RFC 9293 §3.10.7.1).
                let rst = self.reset_for(seg);
                self.transmit(rst, why::DATA_AFTER_CLOSE, false);
                self.cancel_all_timers(why::DATA_AFTER_CLOSE);
                return self.set_state(State::Closed, why::DATA_AFTER_CLOSE);
            }
            self.receive_text(now, seg);
        }

        // Eighth, the FIN bit (only once the text before it has all arrived).
        if seg.flags.fin() && seg.seq + seg.len == self.rcv_nxt {
            // Text before the FIN: the peer sent data, so there is an ACK clock to wait on.
            let had_text = self.rcv_nxt.since(self.irs) > 1;
            self.rcv_nxt = self.rcv_nxt + 1;
            let closing_wait = matches!(self.state, State::SynReceived | State::Established);
            if closing_wait && had_text {
                // Linux's tcp_fin() switches to delayed ACKs on entering CLOSE-WAIT, hoping the
                // application closes soon and its FIN carries the ACK (RFC 9293 §3.8.6.3 lets
                // an ACK wait); before any text arrived the delay is a clock tick, not modelled.
                self.ack_due = None;
                if self.timers.get(Timer::DelayedAck).is_none() {
                    self.arm(
                        now,
                        Timer::DelayedAck,
                        self.params.delack,
                        why::FIN_RECEIVED,
                    );
                }
            } else {
                self.ack_due = Some(why::FIN_RECEIVED);
            }
            self.app(AppEvent::Eof, why::FIN_RECEIVED);
            match self.state {
                State::SynReceived | State::Established => {
                    self.set_state(State::CloseWait, why::FIN_RECEIVED)
                }
                State::FinWait1 => self.set_state(State::Closing, why::FIN_RECEIVED),
                State::FinWait2 => {
                    self.cancel_timer(Timer::FinWait2, why::FIN_RECEIVED);
                    self.enter_time_wait(now, why::FIN_RECEIVED);
                }
                _ => {}
            }
        }
    }

    /// The fifth step for states past SYN-RECEIVED. Returns false if processing stops here.
    fn on_ack(&mut self, now: Instant, seg: &Segment) -> bool {
        if seg.ack > self.snd_nxt {
            // It acknowledges something not yet sent: ACK and drop.
            self.ack_due = Some(why::ACK_OF_UNSENT);
            return false;
        }
        if seg.ack > self.snd_una {
            self.snd_una = seg.ack;
            self.acked_in_flight();
            self.sample_rtt(now, seg.ack);
            self.retries = 0;
            if self.snd_una == self.snd_nxt {
                self.cancel_timer(Timer::Retransmit, why::ALL_ACKED);
            } else {
                // RFC 6298 §5.3: restart the timer for what is still outstanding.
                self.arm(now, Timer::Retransmit, self.rto, why::NEW_DATA_ACKED);
                self.rto_started_at = Some(now);
            }
        }
        self.update_window(seg);

        let fin_acked = self.fin_sent() && self.snd_una == self.snd_nxt;
        match self.state {
            State::FinWait1 if fin_acked => {
                self.set_state(State::FinWait2, why::FIN_ACKED);
                if self.closed_by_app && self.params.fin_timeout > Duration::ZERO {
                    // Linux's tcp_fin_time(): never less than 3.5 RTOs.
                    let floor = Duration::from_micros(self.rto.saturating_mul(7).micros() / 2);
                    let limit = self.params.fin_timeout.max(floor);
                    self.arm(now, Timer::FinWait2, limit, why::FIN_WAIT_2_ORPHANED);
                }
            }
            State::Closing if fin_acked => self.enter_time_wait(now, why::FIN_ACKED),
            State::LastAck if fin_acked => {
                self.set_state(State::Closed, why::FIN_ACKED);
                return false;
            }
            _ => {}
        }
        true
    }

    fn on_reset(&mut self) {
        self.cancel_all_timers(why::RST_RECEIVED);
        match self.state {
            // A passive open returns to LISTEN: for us, the half-open connection is forgotten.
            State::SynReceived if self.passive => {}
            State::SynReceived => self.app(AppEvent::Error(Errno::ECONNREFUSED), why::RST_RECEIVED),
            State::Established | State::FinWait1 | State::FinWait2 => {
                self.app(AppEvent::Error(Errno::ECONNRESET), why::RST_RECEIVED)
            }
            // Linux's tcp_reset() (net/ipv4/tcp_input.c): after the peer's FIN, the error is
            // EPIPE, as BSD gives it.
            State::CloseWait => self.app(AppEvent::Error(Errno::EPIPE), why::RST_RECEIVED),
            _ => {}
        }
        self.set_state(State::Closed, why::RST_RECEIVED);
    }

    /// RFC 9293 §3.10.7.4, first step: the four cases of segment acceptability.
    fn acceptable(&self, seg: &Segment) -> bool {
        let len = seg.seq_len();
        let wnd = self.rcv_wnd;
        match (len, wnd) {
            (0, 0) => seg.seq == self.rcv_nxt,
            (0, _) => seg.seq.in_window(self.rcv_nxt, wnd),
            (_, 0) => false,
            _ => {
                seg.seq.in_window(self.rcv_nxt, wnd)
                    || (seg.seq + (len - 1)).in_window(self.rcv_nxt, wnd)
            }
        }
    }

    /// Takes the text of an acceptable segment: in order, it advances RCV.NXT (with any held
    /// text it joins up with) and is acknowledged at once or after a delay; out of order, it
    /// is held and acknowledged at once, a duplicate ACK that tells the sender where the gap
    /// is (RFC 5681 §4.2).
    fn receive_text(&mut self, now: Instant, seg: &Segment) {
        if seg.seq > self.rcv_nxt {
            self.hold_out_of_order(seg.seq, seg.len);
            self.ack_due = Some(why::OUT_OF_ORDER);
            return;
        }
        let already = self.rcv_nxt.since(seg.seq);
        let mut fresh = seg.len.saturating_sub(already);
        if fresh == 0 {
            // An old duplicate: acknowledge at once so the sender stops repeating it.
            self.ack_due = Some(why::DATA_RECEIVED);
            return;
        }
        self.rcv_nxt = self.rcv_nxt + fresh;
        let gap_filled = !self.out_of_order.is_empty();
        while let Some(i) = self
            .out_of_order
            .iter()
            .position(|(start, _)| *start <= self.rcv_nxt)
        {
            let (start, len) = self.out_of_order.remove(i);
            let end = start + len;
            if end > self.rcv_nxt {
                fresh += end.since(self.rcv_nxt);
                self.rcv_nxt = end;
            }
        }
        self.deliver(fresh);
        if gap_filled {
            self.ack_due = Some(why::GAP_FILLED);
        } else {
            self.ack_received_text(now);
        }
    }

    fn hold_out_of_order(&mut self, start: SeqNum, len: u32) {
        if !self.out_of_order.contains(&(start, len)) {
            self.out_of_order.push((start, len));
        }
    }

    /// Hands new in-order bytes to the application, or keeps them until it reads.
    fn deliver(&mut self, bytes: u32) {
        if self.auto_read {
            self.app(AppEvent::Received(bytes), why::DATA_RECEIVED);
        } else {
            self.unread += bytes;
        }
    }

    /// RFC 9293 §3.8.6.3: acknowledge at least every second segment, and never later than
    /// the delayed-ACK timeout. Linux starts each connection in quick-ACK mode, answering the
    /// first segments at once.
    fn ack_received_text(&mut self, now: Instant) {
        // Linux's tcp_event_data_recv(): data after a silence longer than the RTO starts a
        // new quick-ACK spell, as at the start of the connection.
        if self
            .last_data_at
            .is_some_and(|t| now.saturating_since(t) > self.rto)
        {
            self.quickacks_left = self.quickacks_left.max(self.params.quickack);
        }
        self.last_data_at = Some(now);
        self.unacked_segments += 1;
        if self.quickacks_left > 0 {
            self.quickacks_left -= 1;
            self.ack_due = Some(why::DATA_RECEIVED);
        } else if self.unacked_segments >= 2 {
            self.ack_due = Some(why::DATA_RECEIVED);
        } else if self.timers.get(Timer::DelayedAck).is_none() {
            self.arm(now, Timer::DelayedAck, self.params.delack, why::DELAYED_ACK);
        }
    }

    // ---------------------------------------------------------------- sending

    /// Sends what the state, the window and the queue allow, then any ACK that is due.
    fn output(&mut self, now: Instant) {
        let mut sent_ack = false;
        if matches!(
            self.state,
            State::Established
                | State::CloseWait
                | State::FinWait1
                | State::LastAck
                | State::Closing
        ) {
            // RFC 5681 §4.1: after an idle spell of an RTO or more, start slow again.
            if let (true, Some(last)) = (self.in_flight.is_empty(), self.last_sent) {
                if self.snd_nxt < self.snd_buf_end {
                    self.cc.after_idle(now.saturating_since(last), self.rto);
                }
            }
            // New data, limited by the peer's window, the congestion window and our MSS.
            while self.snd_nxt < self.snd_buf_end && self.cc.allows(self.segments_in_flight()) {
                let window_end = self.snd_una + self.snd_wnd;
                let window_left = if window_end > self.snd_nxt {
                    window_end.since(self.snd_nxt)
                } else {
                    0
                };
                let len = self
                    .snd_buf_end
                    .since(self.snd_nxt)
                    .min(u32::from(self.effective_mss()))
                    .min(window_left);
                if len == 0 {
                    break;
                }
                let short = len < u32::from(self.effective_mss());
                if short && self.nagle_holds() {
                    break;
                }
                let end = self.snd_nxt + len;
                // The FIN rides along when this is the last of what was written at close.
                let with_fin = self.fin_with_data && self.fin_queued && end == self.snd_buf_end;
                let mut flags = self.data_flags(end);
                if with_fin {
                    flags = flags | Flags::FIN;
                }
                let seg = self.segment(now, self.snd_nxt, flags, len);
                let seq_end = if with_fin { end + 1 } else { end };
                self.start_rtt_probe(now, seq_end);
                self.snd_nxt = seq_end;
                if short {
                    self.snd_sml = end;
                }
                self.sent_new(now);
                self.transmit(seg, why::SEND_CALL, false);
                self.arm_retransmit_if_idle(now);
                sent_ack = true;
            }
            // Our FIN, once the queued data has gone (RFC 9293 §3.10.4).
            if self.fin_queued
                && !self.fin_sent()
                && self.snd_nxt == self.snd_buf_end
                && self.cc.allows(self.segments_in_flight())
            {
                let seg = self.segment(now, self.snd_nxt, Flags::FIN | Flags::ACK, 0);
                self.start_rtt_probe(now, self.snd_nxt + 1);
                self.snd_nxt = self.snd_nxt + 1;
                self.sent_new(now);
                self.transmit(seg, self.fin_why, false);
                self.arm_retransmit_if_idle(now);
                sent_ack = true;
            }
        }
        if let Some(why) = self.ack_due.take() {
            if !sent_ack && self.state != State::Closed {
                let seg = self.segment(now, self.snd_nxt, Flags::ACK, 0);
                self.transmit(seg, why, false);
            }
        }
    }

    /// The SYN (active open) or SYN,ACK (answering a SYN), first sent or again.
    fn send_syn(&mut self, now: Instant, retrans: bool, why: Why) {
        let flags = if self.passive || self.state == State::SynReceived {
            Flags::SYN | Flags::ACK
        } else {
            Flags::SYN
        };
        let seg = self.segment(now, self.iss, flags, 0);
        self.snd_nxt = self.iss + 1;
        if !retrans {
            self.start_rtt_probe(now, self.snd_nxt);
            self.first_syn_at.get_or_insert(now);
        }
        // In a simultaneous open the SYN,ACK carries the SYN's sequence number again: on the
        // wire it resends the SYN (RFC 9293 §3.5, figure 8), and Wireshark calls it a
        // retransmission too.
        let resent = retrans || (!self.passive && self.state == State::SynReceived);
        self.transmit(seg, why, resent);
        self.arm(now, Timer::Retransmit, self.rto, why);
    }

    /// RFC 6298 §5.4: retransmit the earliest segment not acknowledged.
    fn retransmit_oldest(&mut self, now: Instant) {
        let data_left = self.snd_buf_end.since(self.snd_una);
        let fin_pending = self.fin_sent();
        let len = if self.snd_una < self.snd_buf_end {
            data_left.min(u32::from(self.effective_mss()))
        } else {
            0
        };
        let with_fin = fin_pending && self.snd_una + len == self.snd_buf_end;
        let flags = match (len > 0, with_fin) {
            (_, true) => Flags::FIN | Flags::ACK,
            (true, false) => self.data_flags(self.snd_una + len),
            (false, false) => return,
        };
        let seg = self.segment(now, self.snd_una, flags, len);
        self.transmit(seg, why::RTO_EXPIRED, true);
        self.arm(now, Timer::Retransmit, self.rto, why::RTO_EXPIRED);
    }

    /// A data segment ending at `end` carries PSH only if it empties what the application
    /// has written, as Linux marks the last segment of a write (RFC 9293 §3.9.1.2 leaves when
    /// to push to the implementation).
    fn data_flags(&self, end: SeqNum) -> Flags {
        if end == self.snd_buf_end {
            Flags::ACK | Flags::PSH
        } else {
            Flags::ACK
        }
    }

    /// RFC 9293 §3.7.4, Nagle's algorithm as Linux has it (tcp_nagle_check(), Minshall's
    /// variant): a segment shorter than the MSS waits while an earlier short one is still
    /// unacknowledged, unless TCP_NODELAY is set or the application has closed (its FIN
    /// pushes everything out).
    fn nagle_holds(&self) -> bool {
        !self.params.nodelay
            && !self.fin_queued
            && !self.in_flight.is_empty()
            && self.snd_sml > self.snd_una
            && self.snd_sml <= self.snd_nxt
    }

    /// Segments of new data (or our FIN) sent and not yet acknowledged.
    fn segments_in_flight(&self) -> u32 {
        self.in_flight.len() as u32
    }

    /// A segment of new data (or our FIN) ending at `snd_nxt` has just left.
    fn sent_new(&mut self, now: Instant) {
        self.in_flight.push_back(self.snd_nxt);
        self.cc.on_sent(self.segments_in_flight());
        self.last_sent = Some(now);
    }

    /// The segments `snd_una` now acknowledges leave the flight; the window grows by them.
    fn acked_in_flight(&mut self) {
        let mut acked = 0;
        while self
            .in_flight
            .front()
            .is_some_and(|&end| end <= self.snd_una)
        {
            self.in_flight.pop_front();
            acked += 1;
        }
        self.cc.on_acked(acked);
    }

    fn arm_retransmit_if_idle(&mut self, now: Instant) {
        if self.timers.get(Timer::Retransmit).is_none() {
            // RFC 6298 §5.1: start the timer when a segment with data (or SYN/FIN) leaves.
            self.arm(now, Timer::Retransmit, self.rto, why::DATA_SENT);
            self.rto_started_at = Some(now);
        }
    }

    fn transmit(&mut self, seg: Segment, why: Why, retrans: bool) {
        if seg.flags.ack() && !seg.flags.rst() {
            // Every segment carries the acknowledgment: nothing is left to delay.
            self.unacked_segments = 0;
            self.ack_due = None;
            self.cancel_timer(Timer::DelayedAck, why);
        }
        self.outbox.push_back(Transmit { seg, why, retrans });
    }

    /// A segment from this connection, with the ACK field and the options it should carry.
    fn segment(&self, now: Instant, seq: SeqNum, flags: Flags, len: u32) -> Segment {
        let mut options = Options::default();
        if flags.syn() {
            // RFC 9293 §3.7.1, RFC 7323 §2.2 and §3.2, RFC 2018 §2: a SYN offers every option
            // we have; a SYN,ACK answers only those the peer offered.
            let answering = flags.ack();
            options.mss = Some(self.params.mss);
            if self.params.wscale > 0 && (!answering || self.wscale_ok) {
                options.wscale = Some(self.params.wscale);
            }
            options.sack_permitted = self.params.sack && (!answering || self.sack_ok);
            if self.params.timestamps && (!answering || self.ts_ok) {
                options.timestamps = Some((self.ts_val(now), self.ts_recent));
            }
        } else if self.ts_ok {
            options.timestamps = Some((self.ts_val(now), self.ts_recent));
        }
        let window = if flags.syn() {
            self.rcv_wnd.min(u32::from(u16::MAX))
        } else {
            (self.rcv_wnd >> self.rcv_wscale).min(u32::from(u16::MAX))
        };
        Segment {
            src_port: self.local_port,
            dst_port: self.remote_port,
            seq,
            ack: if flags.ack() { self.rcv_nxt } else { SeqNum(0) },
            flags,
            window: window as u16,
            options,
            len,
        }
    }

    /// RFC 9293 §3.10.7.3 and §3.10.7.4: the reset that answers an unacceptable ACK,
    /// `<SEQ=SEG.ACK><CTL=RST>`.
    fn reset_for(&self, seg: &Segment) -> Segment {
        Segment {
            src_port: self.local_port,
            dst_port: self.remote_port,
            seq: seg.ack,
            flags: Flags::RST,
            ..Segment::default()
        }
    }

    // ---------------------------------------------------------------- helpers

    /// Records the peer's ISN and options from its SYN (RFC 9293 §3.10.7.2, §3.10.7.3).
    fn take_peer_syn(&mut self, syn: &Segment) {
        self.irs = syn.seq;
        self.rcv_nxt = syn.seq + 1;
        let peer = syn.options;
        self.snd_mss = peer.mss.unwrap_or(DEFAULT_MSS).min(self.params.mss);
        // RFC 7323 §2.2: scaling applies only if both sides sent the option (a SYN,ACK
        // carries it only if the SYN did, so seeing it is enough on either side).
        if let (Some(shift), true) = (peer.wscale, self.params.wscale > 0) {
            self.wscale_ok = true;
            // RFC 7323 §2.3: a shift above 14 is treated as 14.
            self.snd_wscale = shift.min(14);
            self.rcv_wscale = self.params.wscale;
        }
        self.sack_ok = peer.sack_permitted && self.params.sack;
        self.ts_ok = peer.timestamps.is_some() && self.params.timestamps;
        if let (true, Some((val, _))) = (self.ts_ok, peer.timestamps) {
            self.ts_recent = val;
        }
        // The SYN's own window is never scaled (RFC 7323 §2.2).
        self.snd_wnd = u32::from(syn.window);
        self.snd_wl1 = syn.seq;
        self.snd_wl2 = syn.ack;
    }

    /// Our TSval: this connection's offset plus a millisecond clock (RFC 7323 §5.4).
    fn ts_val(&self, now: Instant) -> u32 {
        self.ts_offset.wrapping_add((now.micros() / 1_000) as u32)
    }

    /// RFC 9293 §3.10.7.4, fifth step: take the send window from a newer segment.
    fn update_window(&mut self, seg: &Segment) {
        if self.snd_wl1 < seg.seq || (self.snd_wl1 == seg.seq && self.snd_wl2 <= seg.ack) {
            let shift = if seg.flags.syn() { 0 } else { self.snd_wscale };
            self.snd_wnd = u32::from(seg.window) << shift;
            self.snd_wl1 = seg.seq;
            self.snd_wl2 = seg.ack;
        }
    }

    /// The MSS for our segments: the peer's limit less the timestamp option (12 bytes).
    fn effective_mss(&self) -> u16 {
        if self.ts_ok {
            self.snd_mss.saturating_sub(12).max(1)
        } else {
            self.snd_mss.max(1)
        }
    }

    fn fin_sent(&self) -> bool {
        self.fin_queued && self.snd_nxt > self.snd_buf_end
    }

    fn start_rtt_probe(&mut self, now: Instant, end: SeqNum) {
        if self.rtt_probe.is_none() {
            self.rtt_probe = Some((end, now));
        }
    }

    /// RFC 6298 §2: update SRTT and RTTVAR from an ACK that covers the timed segment.
    /// RTO = SRTT + max(4 × RTTVAR, rto_min), as Linux computes it, capped at rto_max.
    fn sample_rtt(&mut self, now: Instant, ack: SeqNum) {
        let Some((end, sent)) = self.rtt_probe else {
            return;
        };
        if ack < end {
            return;
        }
        self.rtt_probe = None;
        let r = now - sent;
        match self.srtt {
            None => {
                self.srtt = Some(r);
                self.rttvar = Duration::from_micros(r.micros() / 2);
            }
            Some(srtt) => {
                let delta = srtt.micros().abs_diff(r.micros());
                self.rttvar = Duration::from_micros((3 * self.rttvar.micros() + delta) / 4);
                self.srtt = Some(Duration::from_micros((7 * srtt.micros() + r.micros()) / 8));
            }
        }
        let srtt = self.srtt.unwrap_or(r);
        self.rto = (srtt + self.rttvar.saturating_mul(4).max(self.params.rto_min))
            .min(self.params.rto_max);
    }

    /// ESTABLISHED, with the application told and keepalive started.
    fn establish(&mut self, now: Instant, why: Why) {
        self.set_state(State::Established, why);
        self.app(AppEvent::Established, why);
        self.last_received = now;
        if self.params.keepalive {
            let idle = self.params.keepalive_time;
            self.arm(now, Timer::Keepalive, idle, why::KEEPALIVE_IDLE);
        }
    }

    fn enter_time_wait(&mut self, now: Instant, why: Why) {
        self.cancel_timer(Timer::Retransmit, why);
        if self.params.no_time_wait {
            // Counterfactual: acknowledge the FIN, then forget the connection at once.
            if let Some(why) = self.ack_due.take() {
                let ack = self.segment(now, self.snd_nxt, Flags::ACK, 0);
                self.transmit(ack, why, false);
            }
            return self.set_state(State::Closed, why::NO_TIME_WAIT);
        }
        self.cancel_timer(Timer::Keepalive, why);
        self.set_state(State::TimeWait, why);
        self.arm(
            now,
            Timer::TimeWait,
            self.params.time_wait,
            why::TIME_WAIT_ENTERED,
        );
    }

    /// The one place where the state changes.
    fn set_state(&mut self, to: State, why: Why) {
        let from = self.state;
        if from == to {
            return;
        }
        self.state = to;
        self.events.push_back(TcbEvent::State { from, to, why });
        if to == State::Closed {
            self.cancel_all_timers(why::CONNECTION_CLOSED);
        }
    }

    fn app(&mut self, event: AppEvent, why: Why) {
        self.events.push_back(TcbEvent::App { event, why });
    }

    fn arm(&mut self, now: Instant, timer: Timer, after: Duration, why: Why) {
        self.arm_at(timer, now + after, why);
    }

    fn arm_at(&mut self, timer: Timer, at: Instant, why: Why) {
        self.timers.set(timer, Some(at));
        self.trace_timer(timer, TimerAction::Set, at, why);
    }

    fn cancel_timer(&mut self, timer: Timer, why: Why) {
        if let Some(at) = self.timers.get(timer) {
            self.timers.set(timer, None);
            self.trace_timer(timer, TimerAction::Cancelled, at, why);
        }
    }

    fn cancel_all_timers(&mut self, why: Why) {
        for timer in Timer::ALL {
            self.cancel_timer(timer, why);
        }
    }

    fn trace_timer(&mut self, timer: Timer, action: TimerAction, at: Instant, why: Why) {
        if !self.report_timers {
            self.unreported_timer_events += 1;
            return;
        }
        let name = timer.name(self.state);
        self.events.push_back(TcbEvent::Timer {
            name,
            action,
            at,
            why,
        });
    }
}

/// RFC 9293 §3.10.7.1: what a host answers for a segment no connection or listener owns.
/// An RST is never answered; an ACK is reset from its acknowledgment number; anything else gets
/// an RST,ACK covering it, which a connecting caller sees as ECONNREFUSED.
pub fn reset_for_closed_port(seg: &Segment) -> Option<Segment> {
    if seg.flags.rst() {
        return None;
    }
    let base = Segment {
        src_port: seg.dst_port,
        dst_port: seg.src_port,
        ..Segment::default()
    };
    Some(if seg.flags.ack() {
        Segment {
            seq: seg.ack,
            flags: Flags::RST,
            ..base
        }
    } else {
        Segment {
            seq: SeqNum(0),
            ack: seg.seq + seg.seq_len(),
            flags: Flags::RST | Flags::ACK,
            ..base
        }
    })
}

#[cfg(test)]
#[path = "tcb_tests.rs"]
mod tests;
