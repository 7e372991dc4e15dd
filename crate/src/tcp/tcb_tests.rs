//! Per-state tests of the TCB. Helpers are named from the endpoint's side: `deliver` hands it
//! a segment from the peer, `sent` and `transmitted` take what it sent, `events` what it
//! reported. Each test asserts the `why` of what it checks together with the behaviour (the
//! segment, the state change, the timer, the application event), so the reasons the trace
//! shows are tested where they happen; `crate::tcp::reasons_tested` keeps it so.

use super::*;
use crate::profile::Profile;

const LOCAL_PORT: u16 = 40000;
const REMOTE_PORT: u16 = 80;
const ISS: SeqNum = SeqNum(1000);
const PEER_ISS: SeqNum = SeqNum(5000);

fn at(ms: u64) -> Instant {
    Instant::ZERO + Duration::from_millis(ms)
}

/// Linux timers without options, so templates stay short; option tests turn them on.
fn plain_params() -> Params {
    Params {
        wscale: 0,
        sack: false,
        timestamps: false,
        ..Profile::Linux.params()
    }
}

fn endpoint(params: Params, iss: SeqNum) -> Endpoint {
    Endpoint {
        params,
        local_port: LOCAL_PORT,
        remote_port: REMOTE_PORT,
        iss,
        ts_offset: 0,
        auto_read: true,
        queues: Default::default(),
        report_timers: true,
    }
}

/// A segment from the peer; fill in what the test is about with `..from_peer()`.
fn from_peer() -> Segment {
    Segment {
        src_port: REMOTE_PORT,
        dst_port: LOCAL_PORT,
        seq: PEER_ISS + 1,
        ack: ISS + 1,
        flags: Flags::ACK,
        window: 64240,
        options: Options::default(),
        len: 0,
    }
}

fn deliver(tcb: &mut Tcb, now: Instant, seg: Segment) {
    tcb.handle_segment(now, &seg);
}

/// Everything the endpoint transmitted since the last call, each with why it was sent.
fn transmitted(tcb: &mut Tcb) -> Vec<Transmit> {
    std::iter::from_fn(|| tcb.poll_transmit()).collect()
}

/// Everything the endpoint transmitted since the last call: the segments alone.
fn sent(tcb: &mut Tcb) -> Vec<Segment> {
    transmitted(tcb).into_iter().map(|t| t.seg).collect()
}

/// Each transmission's control bits and why it was sent.
fn flags_and_whys(tx: &[Transmit]) -> Vec<(Flags, Why)> {
    tx.iter().map(|t| (t.seg.flags, t.why)).collect()
}

/// Everything the endpoint reported since the last call: state changes, timers, and what the
/// application is told, in order.
fn events(tcb: &mut Tcb) -> Vec<TcbEvent> {
    std::iter::from_fn(|| tcb.poll_event()).collect()
}

fn app_events(tcb: &mut Tcb) -> Vec<AppEvent> {
    events(tcb)
        .into_iter()
        .filter_map(|e| match e {
            TcbEvent::App { event, .. } => Some(event),
            _ => None,
        })
        .collect()
}

/// The report of a state change from `from` to `to`.
fn moved(from: State, to: State, why: Why) -> TcbEvent {
    TcbEvent::State { from, to, why }
}

/// The report of a timer event: `name`, due at `at`, was set, went off or was stopped.
fn timer(action: TimerAction, name: TimerName, at: Instant, why: Why) -> TcbEvent {
    TcbEvent::Timer {
        name,
        action,
        at,
        why,
    }
}

/// The report of a timer armed to go off at `at`.
fn set(name: TimerName, at: Instant, why: Why) -> TcbEvent {
    timer(TimerAction::Set, name, at, why)
}

/// The report of a timer that went off at its deadline `at`.
fn fired(name: TimerName, at: Instant, why: Why) -> TcbEvent {
    timer(TimerAction::Fired, name, at, why)
}

/// The report of a timer, due at `at`, stopped before it went off.
fn cancelled(name: TimerName, at: Instant, why: Why) -> TcbEvent {
    timer(TimerAction::Cancelled, name, at, why)
}

/// What the application is told.
fn told(event: AppEvent, why: Why) -> TcbEvent {
    TcbEvent::App { event, why }
}

/// Runs every timer until none is left or `limit` passes; returns what was sent, and when.
fn run_timers(tcb: &mut Tcb, limit: Instant) -> Vec<(Instant, Transmit)> {
    let mut out = Vec::new();
    while let Some(t) = tcb.poll_timeout().filter(|t| *t <= limit) {
        tcb.handle_timeout(t);
        out.extend(transmitted(tcb).into_iter().map(|s| (t, s)));
    }
    out
}

fn secs(times: &[(Instant, Transmit)]) -> Vec<f64> {
    times.iter().map(|(t, _)| t.micros() as f64 / 1e6).collect()
}

fn flags(segs: &[Segment]) -> Vec<String> {
    segs.iter().map(|s| s.flags.to_string()).collect()
}

// ------------------------------------------------------------------ builders per state

fn tcb_syn_sent_with(params: Params) -> Tcb {
    let mut tcb = Tcb::connect(at(0), endpoint(params, ISS));
    sent(&mut tcb);
    events(&mut tcb);
    tcb
}

fn tcb_syn_sent() -> Tcb {
    tcb_syn_sent_with(plain_params())
}

fn peer_syn() -> Segment {
    Segment {
        seq: PEER_ISS,
        ack: SeqNum(0),
        flags: Flags::SYN,
        ..from_peer()
    }
}

/// The peer's FIN, which also acknowledges ours (sent from ISS + 1).
fn peer_fin_acking_ours() -> Segment {
    Segment {
        ack: ISS + 2,
        flags: Flags::FIN | Flags::ACK,
        ..from_peer()
    }
}

/// The peer's SYN,ACK answering our SYN.
fn peer_synack() -> Segment {
    Segment {
        seq: PEER_ISS,
        flags: Flags::SYN | Flags::ACK,
        ..from_peer()
    }
}

fn tcb_syn_received_with(params: Params) -> Tcb {
    let mut tcb = Tcb::accept_syn(at(0), endpoint(params, ISS), &peer_syn());
    sent(&mut tcb);
    events(&mut tcb);
    tcb
}

fn tcb_syn_received() -> Tcb {
    tcb_syn_received_with(plain_params())
}

fn tcb_established() -> Tcb {
    tcb_established_with(plain_params())
}

fn tcb_fin_wait_1() -> Tcb {
    let mut tcb = tcb_established();
    tcb.close(at(1000));
    sent(&mut tcb);
    events(&mut tcb);
    tcb
}

fn tcb_fin_wait_2() -> Tcb {
    let mut tcb = tcb_fin_wait_1();
    deliver(
        &mut tcb,
        at(1100),
        Segment {
            ack: ISS + 2,
            ..from_peer()
        },
    );
    events(&mut tcb);
    tcb
}

fn tcb_close_wait() -> Tcb {
    let mut tcb = tcb_established();
    deliver(
        &mut tcb,
        at(1000),
        Segment {
            flags: Flags::FIN | Flags::ACK,
            ..from_peer()
        },
    );
    sent(&mut tcb);
    events(&mut tcb);
    tcb
}

fn tcb_time_wait() -> Tcb {
    let mut tcb = tcb_fin_wait_2();
    deliver(&mut tcb, at(1200), peer_fin_acking_ours());
    sent(&mut tcb);
    events(&mut tcb);
    tcb
}

// ------------------------------------------------------------------ CLOSED: OPEN

#[test]
fn connect_sends_a_syn_from_the_iss_and_waits_in_syn_sent() {
    let mut tcb = Tcb::connect(at(0), endpoint(plain_params(), ISS));
    let tx = transmitted(&mut tcb);
    assert_eq!(flags_and_whys(&tx), [(Flags::SYN, why::ACTIVE_OPEN)]);
    assert_eq!((tx[0].seg.seq, tx[0].retrans), (ISS, false));
    assert_eq!(tcb.state(), State::SynSent);
    // The SYN occupies one sequence number (RFC 9293 §3.4).
    assert_eq!(tcb.snd_nxt(), ISS + 1);
    assert_eq!(tcb.poll_timeout(), Some(at(1000)));
    assert_eq!(
        events(&mut tcb),
        [
            moved(State::Closed, State::SynSent, why::ACTIVE_OPEN),
            set(TimerName::SynRto, at(1000), why::ACTIVE_OPEN),
        ]
    );
}

// ------------------------------------------------------------------ SYN-SENT

#[test]
fn syn_sent_acceptable_synack_establishes_and_acks() {
    let mut tcb = tcb_syn_sent();
    deliver(&mut tcb, at(100), peer_synack());
    assert_eq!(tcb.state(), State::Established);
    let tx = transmitted(&mut tcb);
    assert_eq!(flags_and_whys(&tx), [(Flags::ACK, why::SYNACK_RECEIVED)]);
    assert_eq!((tx[0].seg.seq, tx[0].seg.ack), (ISS + 1, PEER_ISS + 1));
    assert_eq!(tcb.poll_timeout(), None, "nothing is outstanding");
    assert_eq!(
        events(&mut tcb),
        [
            cancelled(TimerName::SynRto, at(1000), why::SYNACK_RECEIVED),
            moved(State::SynSent, State::Established, why::SYNACK_RECEIVED),
            told(AppEvent::Established, why::SYNACK_RECEIVED),
        ]
    );
}

#[test]
fn syn_sent_synack_acking_the_wrong_number_is_reset() {
    let mut tcb = tcb_syn_sent();
    let bogus = ISS + 77;
    deliver(
        &mut tcb,
        at(100),
        Segment {
            seq: PEER_ISS,
            ack: bogus,
            flags: Flags::SYN | Flags::ACK,
            ..from_peer()
        },
    );
    let tx = transmitted(&mut tcb);
    assert_eq!(flags_and_whys(&tx), [(Flags::RST, why::SYN_SENT_BAD_ACK)]);
    assert_eq!(
        tx[0].seg.seq, bogus,
        "RFC 9293 §3.10.7.3: <SEQ=SEG.ACK><CTL=RST>"
    );
    assert_eq!(tcb.state(), State::SynSent);
    assert!(events(&mut tcb).is_empty(), "the SYN timer runs on");
}

#[test]
fn syn_sent_rst_with_acceptable_ack_means_refused() {
    let mut tcb = tcb_syn_sent();
    deliver(
        &mut tcb,
        at(100),
        Segment {
            seq: SeqNum(0),
            flags: Flags::RST | Flags::ACK,
            ..from_peer()
        },
    );
    assert_eq!(tcb.state(), State::Closed);
    assert_eq!(
        events(&mut tcb),
        [
            cancelled(TimerName::SynRto, at(1000), why::REFUSED),
            told(AppEvent::Error(Errno::ECONNREFUSED), why::REFUSED),
            moved(State::SynSent, State::Closed, why::REFUSED),
        ]
    );
    assert_eq!(tcb.poll_timeout(), None);
    assert!(sent(&mut tcb).is_empty(), "an RST is never answered");
}

#[test]
fn syn_sent_rst_without_ack_is_ignored() {
    let mut tcb = tcb_syn_sent();
    deliver(
        &mut tcb,
        at(100),
        Segment {
            flags: Flags::RST,
            ..from_peer()
        },
    );
    assert_eq!(tcb.state(), State::SynSent);
    assert!(sent(&mut tcb).is_empty());
}

#[test]
fn syn_sent_plain_syn_is_a_simultaneous_open() {
    let mut tcb = tcb_syn_sent();
    deliver(&mut tcb, at(50), peer_syn());
    assert_eq!(tcb.state(), State::SynReceived);
    let tx = transmitted(&mut tcb);
    assert_eq!(
        flags_and_whys(&tx),
        [(Flags::SYN | Flags::ACK, why::SIMULTANEOUS_OPEN)]
    );
    assert_eq!(
        (tx[0].seg.seq, tx[0].seg.ack),
        (ISS, PEER_ISS + 1),
        "same ISN, peer's SYN acknowledged"
    );
    assert!(
        tx[0].retrans,
        "on the wire it repeats our SYN's sequence number"
    );
    assert_eq!(
        events(&mut tcb),
        [
            moved(State::SynSent, State::SynReceived, why::SIMULTANEOUS_OPEN),
            set(TimerName::SynackRto, at(1050), why::SIMULTANEOUS_OPEN),
        ]
    );
}

#[test]
fn syn_sent_close_just_forgets_the_connection() {
    let mut tcb = tcb_syn_sent();
    tcb.close(at(10));
    assert_eq!(tcb.state(), State::Closed);
    assert!(sent(&mut tcb).is_empty());
    assert_eq!(tcb.poll_timeout(), None);
    assert_eq!(
        events(&mut tcb),
        [
            cancelled(TimerName::SynRto, at(1000), why::CLOSE_IN_SYN_SENT),
            moved(State::SynSent, State::Closed, why::CLOSE_IN_SYN_SENT),
        ]
    );
}

#[test]
fn syn_sent_abort_sends_nothing_and_stops_the_syn_timer() {
    // RFC 9293 §3.10.5: in SYN-SENT there is nobody to tell.
    let mut tcb = tcb_syn_sent();
    tcb.abort(at(10));
    assert!(sent(&mut tcb).is_empty());
    assert_eq!(tcb.state(), State::Closed);
    assert_eq!(
        events(&mut tcb),
        [
            cancelled(TimerName::SynRto, at(1000), why::ABORT_CALL),
            moved(State::SynSent, State::Closed, why::ABORT_CALL),
        ]
    );
}

#[test]
fn linux_syn_retransmissions_are_linear_then_double_and_give_up_at_131s() {
    let mut tcb = tcb_syn_sent();
    let retries = run_timers(&mut tcb, at(200_000));
    assert_eq!(
        secs(&retries),
        [1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 11.0, 19.0, 35.0, 67.0]
    );
    assert!(retries.iter().all(|(_, t)| t.seg.flags == Flags::SYN
        && t.seg.seq == ISS
        && t.retrans
        && t.why == why::RTO_EXPIRED));
    assert_eq!(tcb.state(), State::Closed);
    let events = events(&mut tcb);
    // Each expiry: the timer fires, the SYN goes again, the timer restarts from it.
    assert_eq!(
        events[..2],
        [
            fired(TimerName::SynRto, at(1000), why::RTO_EXPIRED),
            set(TimerName::SynRto, at(2000), why::RTO_EXPIRED),
        ]
    );
    // Retransmissions are silent; the application gets ETIMEDOUT only at the end (RFC 1122
    // §4.2.3.5), without an RST.
    assert!(
        events.ends_with(&[
            fired(TimerName::SynRto, at(131_000), why::RTO_EXPIRED),
            told(AppEvent::Error(Errno::ETIMEDOUT), why::RETRIES_EXHAUSTED),
            moved(State::SynSent, State::Closed, why::RETRIES_EXHAUSTED),
        ]),
        "{events:?}"
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, TcbEvent::App { .. }))
            .count(),
        1
    );
}

#[test]
fn linux_gives_up_on_the_syn_exactly_at_131s() {
    let mut tcb = tcb_syn_sent();
    run_timers(&mut tcb, at(130_999));
    assert_eq!(tcb.state(), State::SynSent);
    assert_eq!(tcb.poll_timeout(), Some(at(131_000)));
}

#[test]
fn pre_6_5_linux_syn_retransmissions_double_from_one_second() {
    let mut tcb = tcb_syn_sent_with(Params {
        wscale: 0,
        ..Profile::LinuxPre65.params()
    });
    let retries = run_timers(&mut tcb, at(126_999));
    assert_eq!(secs(&retries), [1.0, 3.0, 7.0, 15.0, 31.0, 63.0]);
    assert_eq!(tcb.poll_timeout(), Some(at(127_000)));
    run_timers(&mut tcb, at(127_000));
    assert_eq!(tcb.state(), State::Closed);
}

// ------------------------------------------------------------------ LISTEN (accept_syn)

#[test]
fn a_syn_on_a_listening_port_is_answered_with_synack() {
    let mut tcb = Tcb::accept_syn(at(0), endpoint(plain_params(), ISS), &peer_syn());
    let tx = transmitted(&mut tcb);
    assert_eq!(
        flags_and_whys(&tx),
        [(Flags::SYN | Flags::ACK, why::LISTEN_SYN)]
    );
    assert_eq!((tx[0].seg.seq, tx[0].seg.ack), (ISS, PEER_ISS + 1));
    assert_eq!(tcb.state(), State::SynReceived);
    assert_eq!(
        events(&mut tcb),
        [
            moved(State::Listen, State::SynReceived, why::LISTEN_SYN),
            set(TimerName::SynackRto, at(1000), why::LISTEN_SYN),
        ]
    );
}

#[test]
fn linux_synack_retransmissions_at_1_3_7_15_31s_then_the_request_is_dropped_silently() {
    let mut tcb = tcb_syn_received();
    let retries = run_timers(&mut tcb, at(200_000));
    assert_eq!(secs(&retries), [1.0, 3.0, 7.0, 15.0, 31.0]);
    assert!(retries
        .iter()
        .all(|(_, t)| t.seg.flags == Flags::SYN | Flags::ACK
            && t.retrans
            && t.why == why::RTO_EXPIRED));
    assert_eq!(tcb.state(), State::Closed);
    let events = events(&mut tcb);
    assert!(
        events.ends_with(&[
            fired(TimerName::SynackRto, at(63_000), why::RTO_EXPIRED),
            moved(
                State::SynReceived,
                State::Closed,
                why::SYNACK_RETRIES_EXHAUSTED
            ),
        ]),
        "{events:?}"
    );
    assert!(
        !events.iter().any(|e| matches!(e, TcbEvent::App { .. })),
        "no application knew of the half-open request"
    );
}

#[test]
fn classic_synack_retransmissions_start_from_three_seconds() {
    let mut tcb = tcb_syn_received_with(Profile::Classic.params());
    let retries = run_timers(&mut tcb, at(400_000));
    assert_eq!(secs(&retries), [3.0, 9.0, 21.0, 45.0, 93.0]);
}

// ------------------------------------------------------------------ SYN-RECEIVED

#[test]
fn syn_received_ack_of_our_syn_establishes() {
    let mut tcb = tcb_syn_received();
    deliver(&mut tcb, at(100), from_peer());
    assert_eq!(tcb.state(), State::Established);
    assert_eq!(
        events(&mut tcb),
        [
            cancelled(TimerName::SynackRto, at(1000), why::HANDSHAKE_ACKED),
            moved(State::SynReceived, State::Established, why::HANDSHAKE_ACKED),
            told(AppEvent::Established, why::HANDSHAKE_ACKED),
        ]
    );
    assert!(sent(&mut tcb).is_empty(), "an ACK is not acknowledged");
}

#[test]
fn syn_received_data_with_a_valid_ack_completes_the_handshake_when_the_ack_was_lost() {
    let mut tcb = tcb_syn_received();
    deliver(
        &mut tcb,
        at(300),
        Segment {
            len: 100,
            flags: Flags::ACK | Flags::PSH,
            ..from_peer()
        },
    );
    assert_eq!(tcb.state(), State::Established);
    assert_eq!(
        app_events(&mut tcb),
        [AppEvent::Established, AppEvent::Received(100)]
    );
    let segs = sent(&mut tcb);
    assert_eq!(flags(&segs), ["ACK"]);
    assert_eq!(segs[0].ack, PEER_ISS + 101);
}

#[test]
fn syn_received_unacceptable_ack_is_reset() {
    let mut tcb = tcb_syn_received();
    deliver(
        &mut tcb,
        at(100),
        Segment {
            ack: ISS + 500,
            ..from_peer()
        },
    );
    let tx = transmitted(&mut tcb);
    assert_eq!(
        flags_and_whys(&tx),
        [(Flags::RST, why::SYN_RECEIVED_BAD_ACK)]
    );
    assert_eq!(tx[0].seg.seq, ISS + 500, "<SEQ=SEG.ACK><CTL=RST>");
    assert_eq!(tcb.state(), State::SynReceived);
}

#[test]
fn syn_received_rst_forgets_a_passive_open_quietly() {
    let mut tcb = tcb_syn_received();
    deliver(
        &mut tcb,
        at(100),
        Segment {
            flags: Flags::RST,
            ..from_peer()
        },
    );
    assert_eq!(tcb.state(), State::Closed);
    assert_eq!(
        events(&mut tcb),
        [
            cancelled(TimerName::SynackRto, at(1000), why::RST_RECEIVED),
            moved(State::SynReceived, State::Closed, why::RST_RECEIVED),
        ],
        "no application event: nobody had accepted it"
    );
}

// ------------------------------------------------------------------ ESTABLISHED

#[test]
fn established_in_order_data_is_delivered_and_acknowledged() {
    let mut tcb = tcb_established();
    deliver(
        &mut tcb,
        at(200),
        Segment {
            len: 500,
            flags: Flags::ACK | Flags::PSH,
            ..from_peer()
        },
    );
    assert_eq!(tcb.rcv_nxt(), PEER_ISS + 501);
    assert_eq!(
        events(&mut tcb),
        [told(AppEvent::Received(500), why::DATA_RECEIVED)]
    );
    let tx = transmitted(&mut tcb);
    assert_eq!(flags_and_whys(&tx), [(Flags::ACK, why::DATA_RECEIVED)]);
    assert_eq!(tx[0].seg.ack, PEER_ISS + 501);
}

#[test]
fn established_old_duplicate_data_is_acked_not_delivered_again() {
    let mut tcb = tcb_established();
    let data = Segment {
        len: 500,
        flags: Flags::ACK | Flags::PSH,
        ..from_peer()
    };
    deliver(&mut tcb, at(200), data.clone());
    sent(&mut tcb);
    events(&mut tcb);
    deliver(&mut tcb, at(300), data);
    assert!(app_events(&mut tcb).is_empty());
    // Wholly below RCV.NXT, the repeat is outside the window (RFC 9293 §3.10.7.4, first
    // step): dropped, and RCV.NXT acknowledged.
    let tx = transmitted(&mut tcb);
    assert_eq!(flags_and_whys(&tx), [(Flags::ACK, why::OUT_OF_WINDOW)]);
    assert_eq!(tx[0].seg.ack, PEER_ISS + 501);
}

#[test]
fn established_a_keepalive_probe_from_the_peer_is_answered_with_an_ack_of_rcv_nxt() {
    let mut tcb = tcb_established();
    // The probe repeats the byte before RCV.NXT: out of the window, so it must be answered.
    deliver(
        &mut tcb,
        at(200),
        Segment {
            seq: PEER_ISS,
            ..from_peer()
        },
    );
    let tx = transmitted(&mut tcb);
    assert_eq!(flags_and_whys(&tx), [(Flags::ACK, why::OUT_OF_WINDOW)]);
    assert_eq!((tx[0].seg.seq, tx[0].seg.ack), (ISS + 1, PEER_ISS + 1));
    assert_eq!(tcb.state(), State::Established);
}

#[test]
fn established_send_splits_by_mss_and_stops_at_the_window() {
    let mut tcb = tcb_syn_sent();
    deliver(
        &mut tcb,
        at(100),
        Segment {
            seq: PEER_ISS,
            flags: Flags::SYN | Flags::ACK,
            window: 3000,
            options: Options {
                mss: Some(1000),
                ..Options::default()
            },
            ..from_peer()
        },
    );
    sent(&mut tcb);
    events(&mut tcb);
    tcb.send(at(200), 5000);
    let tx = transmitted(&mut tcb);
    assert_eq!(
        tx.iter().map(|t| t.seg.len).collect::<Vec<_>>(),
        [1000, 1000, 1000]
    );
    assert!(tx.iter().all(|t| t.why == why::SEND_CALL && !t.retrans));
    assert_eq!(tx[2].seg.seq, ISS + 2001);
    // RFC 6298 §5.1: the first segment with data starts the timer (RTO 300 ms after the
    // handshake's 100 ms sample).
    assert_eq!(
        events(&mut tcb),
        [set(TimerName::Rto, at(500), why::DATA_SENT)]
    );
    // The peer acknowledges the first two: two more fit in the window.
    deliver(
        &mut tcb,
        at(300),
        Segment {
            ack: ISS + 2001,
            window: 3000,
            ..from_peer()
        },
    );
    let tx = transmitted(&mut tcb);
    assert_eq!(
        tx.iter().map(|t| (t.seg.len, t.why)).collect::<Vec<_>>(),
        [(1000, why::SEND_CALL), (1000, why::SEND_CALL)]
    );
    // RFC 6298 §5.3: new data acknowledged, more outstanding: the timer restarts.
    assert_eq!(
        events(&mut tcb),
        [set(TimerName::Rto, at(600), why::NEW_DATA_ACKED)]
    );
}

#[test]
fn established_an_ack_of_everything_sent_stops_the_retransmission_timer() {
    let mut tcb = tcb_established();
    tcb.send(at(1000), 100);
    assert_eq!(
        flags_and_whys(&transmitted(&mut tcb)),
        [(Flags::ACK | Flags::PSH, why::SEND_CALL)]
    );
    assert_eq!(
        events(&mut tcb),
        [set(TimerName::Rto, at(1300), why::DATA_SENT)]
    );
    deliver(
        &mut tcb,
        at(1100),
        Segment {
            ack: ISS + 101,
            ..from_peer()
        },
    );
    // RFC 6298 §5.2.
    assert_eq!(
        events(&mut tcb),
        [cancelled(TimerName::Rto, at(1300), why::ALL_ACKED)]
    );
    assert_eq!(tcb.poll_timeout(), None);
    assert!(sent(&mut tcb).is_empty(), "an ACK is not acknowledged");
}

#[test]
fn established_exact_rst_resets_the_connection() {
    let mut tcb = tcb_established();
    deliver(
        &mut tcb,
        at(200),
        Segment {
            flags: Flags::RST,
            ..from_peer()
        },
    );
    assert_eq!(tcb.state(), State::Closed);
    assert_eq!(
        events(&mut tcb),
        [
            told(AppEvent::Error(Errno::ECONNRESET), why::RST_RECEIVED),
            moved(State::Established, State::Closed, why::RST_RECEIVED),
        ]
    );
    assert!(sent(&mut tcb).is_empty(), "an RST is never answered");
}

#[test]
fn an_rst_in_close_wait_reports_epipe_as_linux_does() {
    let mut tcb = tcb_close_wait();
    let seq = tcb.rcv_nxt();
    deliver(
        &mut tcb,
        at(1200),
        Segment {
            seq,
            flags: Flags::RST,
            ..from_peer()
        },
    );
    assert_eq!(tcb.state(), State::Closed);
    assert_eq!(
        events(&mut tcb),
        [
            told(AppEvent::Error(Errno::EPIPE), why::RST_RECEIVED),
            moved(State::CloseWait, State::Closed, why::RST_RECEIVED),
        ]
    );
}

#[test]
fn established_in_window_but_inexact_rst_gets_a_challenge_ack() {
    let mut tcb = tcb_established();
    deliver(
        &mut tcb,
        at(200),
        Segment {
            seq: PEER_ISS + 10,
            flags: Flags::RST,
            ..from_peer()
        },
    );
    assert_eq!(tcb.state(), State::Established);
    // RFC 5961 §3.2, not §4.2 (the SYN rule).
    let tx = transmitted(&mut tcb);
    assert_eq!(flags_and_whys(&tx), [(Flags::ACK, why::CHALLENGE_ACK_RST)]);
    assert_eq!((tx[0].seg.seq, tx[0].seg.ack), (ISS + 1, PEER_ISS + 1));
    assert!(events(&mut tcb).is_empty(), "the connection is kept");
}

#[test]
fn established_syn_gets_a_challenge_ack() {
    let mut tcb = tcb_established();
    deliver(
        &mut tcb,
        at(200),
        Segment {
            seq: PEER_ISS + 1,
            flags: Flags::SYN,
            ..from_peer()
        },
    );
    assert_eq!(tcb.state(), State::Established);
    // RFC 5961 §4.2.
    let tx = transmitted(&mut tcb);
    assert_eq!(flags_and_whys(&tx), [(Flags::ACK, why::CHALLENGE_ACK)]);
    assert_eq!((tx[0].seg.seq, tx[0].seg.ack), (ISS + 1, PEER_ISS + 1));
    assert!(events(&mut tcb).is_empty(), "the connection is kept");
}

#[test]
fn established_ack_of_unsent_data_is_answered_and_ignored() {
    let mut tcb = tcb_established();
    deliver(
        &mut tcb,
        at(200),
        Segment {
            ack: ISS + 900,
            ..from_peer()
        },
    );
    assert_eq!(tcb.snd_una(), ISS + 1);
    let tx = transmitted(&mut tcb);
    assert_eq!(flags_and_whys(&tx), [(Flags::ACK, why::ACK_OF_UNSENT)]);
    assert_eq!((tx[0].seg.seq, tx[0].seg.ack), (ISS + 1, PEER_ISS + 1));
}

#[test]
fn established_fin_moves_to_close_wait_and_is_acknowledged() {
    let mut tcb = tcb_established();
    deliver(
        &mut tcb,
        at(1000),
        Segment {
            flags: Flags::FIN | Flags::ACK,
            ..from_peer()
        },
    );
    assert_eq!(tcb.state(), State::CloseWait);
    assert_eq!(
        events(&mut tcb),
        [
            told(AppEvent::Eof, why::FIN_RECEIVED),
            moved(State::Established, State::CloseWait, why::FIN_RECEIVED),
        ]
    );
    let tx = transmitted(&mut tcb);
    assert_eq!(flags_and_whys(&tx), [(Flags::ACK, why::FIN_RECEIVED)]);
    assert_eq!(
        tx[0].seg.ack,
        PEER_ISS + 2,
        "the FIN occupies one sequence number"
    );
}

#[test]
fn established_fin_after_data_is_acknowledged_by_the_delayed_ack_timer() {
    let mut tcb = tcb_established();
    deliver(&mut tcb, at(1000), data(0, 100));
    sent(&mut tcb);
    events(&mut tcb);
    deliver(
        &mut tcb,
        at(1100),
        Segment {
            flags: Flags::FIN | Flags::ACK,
            ..data(100, 0)
        },
    );
    // Linux's tcp_fin(): in CLOSE-WAIT the ACK waits, hoping our FIN can carry it.
    assert!(sent(&mut tcb).is_empty(), "the ACK waits");
    assert_eq!(
        events(&mut tcb),
        [
            set(TimerName::Delack, at(1140), why::FIN_RECEIVED),
            told(AppEvent::Eof, why::FIN_RECEIVED),
            moved(State::Established, State::CloseWait, why::FIN_RECEIVED),
        ]
    );
    tcb.handle_timeout(at(1140));
    let tx = transmitted(&mut tcb);
    assert_eq!(flags_and_whys(&tx), [(Flags::ACK, why::DELAYED_ACK)]);
    assert_eq!(tx[0].seg.ack, PEER_ISS + 102);
    assert_eq!(
        events(&mut tcb),
        [fired(TimerName::Delack, at(1140), why::DELAYED_ACK)]
    );
}

#[test]
fn established_lost_data_is_retransmitted_when_the_rto_expires() {
    let mut tcb = tcb_established();
    // The handshake measured 100 ms: RTO = SRTT + max(4 RTTVAR, 200 ms) = 300 ms.
    assert_eq!(tcb.rto(), Duration::from_millis(300));
    tcb.send(at(1000), 100);
    sent(&mut tcb);
    events(&mut tcb);
    assert_eq!(tcb.poll_timeout(), Some(at(1300)));
    tcb.handle_timeout(at(1300));
    let tx = transmitted(&mut tcb);
    assert_eq!(
        flags_and_whys(&tx),
        [(Flags::ACK | Flags::PSH, why::RTO_EXPIRED)]
    );
    assert_eq!(
        (tx[0].seg.seq, tx[0].seg.len, tx[0].retrans),
        (ISS + 1, 100, true)
    );
    assert_eq!(tcb.poll_timeout(), Some(at(1900)), "backed off to 600 ms");
    assert_eq!(
        events(&mut tcb),
        [
            fired(TimerName::Rto, at(1300), why::RTO_EXPIRED),
            set(TimerName::Rto, at(1900), why::RTO_EXPIRED),
        ]
    );
}

#[test]
fn established_close_sends_fin_after_queued_data() {
    let mut tcb = tcb_established();
    tcb.send(at(1000), 100);
    tcb.close(at(1000));
    let tx = transmitted(&mut tcb);
    assert_eq!(
        flags_and_whys(&tx),
        [
            (Flags::ACK | Flags::PSH, why::SEND_CALL),
            (Flags::ACK | Flags::FIN, why::CLOSE_CALL),
        ]
    );
    assert_eq!(tx[1].seg.seq, ISS + 101);
    assert_eq!(tcb.state(), State::FinWait1);
    assert_eq!(
        events(&mut tcb),
        [
            set(TimerName::Rto, at(1300), why::DATA_SENT),
            moved(State::Established, State::FinWait1, why::CLOSE_CALL),
        ]
    );
}

#[test]
fn established_abort_resets_the_peer_and_forgets_the_connection() {
    let mut tcb = tcb_established();
    tcb.send(at(1000), 100);
    sent(&mut tcb);
    events(&mut tcb);
    tcb.abort(at(1100));
    // RFC 9293 §3.10.5; Linux sends RST,ACK from SND.NXT (tcp_send_active_reset).
    let tx = transmitted(&mut tcb);
    assert_eq!(
        flags_and_whys(&tx),
        [(Flags::RST | Flags::ACK, why::ABORT_CALL)]
    );
    assert_eq!(tx[0].seg.seq, ISS + 101);
    assert_eq!(tcb.state(), State::Closed);
    assert_eq!(
        events(&mut tcb),
        [
            cancelled(TimerName::Rto, at(1300), why::ABORT_CALL),
            moved(State::Established, State::Closed, why::ABORT_CALL),
        ]
    );
    assert_eq!(tcb.poll_timeout(), None);
}

// ------------------------------------------------------------------ FIN-WAIT-1 and FIN-WAIT-2

#[test]
fn fin_wait_1_ack_of_fin_moves_to_fin_wait_2_with_the_orphan_timer() {
    let mut tcb = tcb_fin_wait_1();
    deliver(
        &mut tcb,
        at(1100),
        Segment {
            ack: ISS + 2,
            ..from_peer()
        },
    );
    assert_eq!(tcb.state(), State::FinWait2);
    assert_eq!(tcb.poll_timeout(), Some(at(61_100)));
    assert_eq!(
        events(&mut tcb),
        [
            cancelled(TimerName::Rto, at(1300), why::ALL_ACKED),
            moved(State::FinWait1, State::FinWait2, why::FIN_ACKED),
            set(TimerName::FinWait2, at(61_100), why::FIN_WAIT_2_ORPHANED),
        ]
    );
}

#[test]
fn fin_wait_1_fin_before_the_ack_means_simultaneous_close_through_closing() {
    let mut tcb = tcb_fin_wait_1();
    deliver(
        &mut tcb,
        at(1050),
        Segment {
            flags: Flags::FIN | Flags::ACK,
            ..from_peer()
        },
    );
    assert_eq!(tcb.state(), State::Closing);
    assert_eq!(
        flags_and_whys(&transmitted(&mut tcb)),
        [(Flags::ACK, why::FIN_RECEIVED)]
    );
    assert_eq!(
        events(&mut tcb),
        [
            told(AppEvent::Eof, why::FIN_RECEIVED),
            moved(State::FinWait1, State::Closing, why::FIN_RECEIVED),
        ]
    );
    deliver(
        &mut tcb,
        at(1100),
        Segment {
            seq: PEER_ISS + 2,
            ack: ISS + 2,
            ..from_peer()
        },
    );
    assert_eq!(tcb.state(), State::TimeWait);
    assert_eq!(
        events(&mut tcb),
        [
            cancelled(TimerName::Rto, at(1300), why::ALL_ACKED),
            moved(State::Closing, State::TimeWait, why::FIN_ACKED),
            set(TimerName::TimeWait, at(61_100), why::TIME_WAIT_ENTERED),
        ]
    );
}

#[test]
fn fin_wait_1_fin_with_the_ack_of_ours_goes_straight_to_time_wait() {
    let mut tcb = tcb_fin_wait_1();
    deliver(&mut tcb, at(1100), peer_fin_acking_ours());
    assert_eq!(tcb.state(), State::TimeWait);
    assert_eq!(
        flags_and_whys(&transmitted(&mut tcb)),
        [(Flags::ACK, why::FIN_RECEIVED)]
    );
    let events = events(&mut tcb);
    assert!(
        events.ends_with(&[
            moved(State::FinWait2, State::TimeWait, why::FIN_RECEIVED),
            set(TimerName::TimeWait, at(61_100), why::TIME_WAIT_ENTERED),
        ]),
        "{events:?}"
    );
}

#[test]
fn fin_wait_2_fin_enters_time_wait_for_60s_on_linux() {
    let mut tcb = tcb_fin_wait_2();
    deliver(&mut tcb, at(1200), peer_fin_acking_ours());
    assert_eq!(tcb.state(), State::TimeWait);
    let tx = transmitted(&mut tcb);
    assert_eq!(flags_and_whys(&tx), [(Flags::ACK, why::FIN_RECEIVED)]);
    assert_eq!(tx[0].seg.ack, PEER_ISS + 2);
    assert_eq!(tcb.poll_timeout(), Some(at(61_200)));
    assert_eq!(
        events(&mut tcb),
        [
            told(AppEvent::Eof, why::FIN_RECEIVED),
            cancelled(TimerName::FinWait2, at(61_100), why::FIN_RECEIVED),
            moved(State::FinWait2, State::TimeWait, why::FIN_RECEIVED),
            set(TimerName::TimeWait, at(61_200), why::TIME_WAIT_ENTERED),
        ]
    );
    tcb.handle_timeout(at(61_200));
    assert_eq!(tcb.state(), State::Closed);
    assert_eq!(
        events(&mut tcb),
        [
            fired(TimerName::TimeWait, at(61_200), why::TIME_WAIT_EXPIRED),
            moved(State::TimeWait, State::Closed, why::TIME_WAIT_EXPIRED),
        ]
    );
    assert!(sent(&mut tcb).is_empty(), "the connection goes quietly");
}

#[test]
fn fin_wait_2_orphan_goes_quietly_when_fin_timeout_passes() {
    let mut tcb = tcb_fin_wait_2();
    tcb.handle_timeout(at(61_100));
    // Linux's FIN-WAIT-2 entry of the TIME-WAIT table expires without a segment.
    assert!(sent(&mut tcb).is_empty(), "no RST");
    assert_eq!(tcb.state(), State::Closed);
    assert_eq!(
        events(&mut tcb),
        [
            fired(TimerName::FinWait2, at(61_100), why::FIN_WAIT_2_TIMEOUT),
            moved(State::FinWait2, State::Closed, why::FIN_WAIT_2_TIMEOUT),
        ]
    );
}

// ------------------------------------------------------------------ CLOSE-WAIT and LAST-ACK

#[test]
fn close_wait_can_still_send_half_close() {
    let mut tcb = tcb_close_wait();
    tcb.send(at(1100), 200);
    let tx = transmitted(&mut tcb);
    assert_eq!(
        flags_and_whys(&tx),
        [(Flags::ACK | Flags::PSH, why::SEND_CALL)]
    );
    assert_eq!(tx[0].seg.len, 200);
}

#[test]
fn close_wait_close_sends_fin_and_last_ack_ends_on_its_ack() {
    let mut tcb = tcb_close_wait();
    tcb.close(at(1200));
    assert_eq!(tcb.state(), State::LastAck);
    assert_eq!(
        flags_and_whys(&transmitted(&mut tcb)),
        [(Flags::ACK | Flags::FIN, why::CLOSE_CALL)]
    );
    assert_eq!(
        events(&mut tcb),
        [
            moved(State::CloseWait, State::LastAck, why::CLOSE_CALL),
            set(TimerName::Rto, at(1500), why::DATA_SENT),
        ]
    );
    deliver(
        &mut tcb,
        at(1300),
        Segment {
            seq: PEER_ISS + 2,
            ack: ISS + 2,
            ..from_peer()
        },
    );
    assert_eq!(tcb.state(), State::Closed);
    assert_eq!(tcb.poll_timeout(), None);
    assert_eq!(
        events(&mut tcb),
        [
            cancelled(TimerName::Rto, at(1500), why::ALL_ACKED),
            moved(State::LastAck, State::Closed, why::FIN_ACKED),
        ]
    );
}

#[test]
fn reaching_closed_cancels_the_timers_still_armed() {
    let mut tcb = tcb_established_with(keepalive_params(Profile::Linux));
    deliver(
        &mut tcb,
        at(1000),
        Segment {
            flags: Flags::FIN | Flags::ACK,
            ..from_peer()
        },
    );
    tcb.close(at(1200));
    sent(&mut tcb);
    events(&mut tcb);
    deliver(
        &mut tcb,
        at(1300),
        Segment {
            seq: PEER_ISS + 2,
            ack: ISS + 2,
            ..from_peer()
        },
    );
    assert_eq!(tcb.state(), State::Closed);
    // Keepalive still watched the connection: CLOSED leaves nothing to probe.
    assert_eq!(
        events(&mut tcb),
        [
            cancelled(TimerName::Rto, at(1500), why::ALL_ACKED),
            moved(State::LastAck, State::Closed, why::FIN_ACKED),
            cancelled(TimerName::Keepalive, at(7_200_100), why::CONNECTION_CLOSED),
        ]
    );
    assert_eq!(tcb.poll_timeout(), None);
}

#[test]
fn last_ack_fin_is_retransmitted_until_acknowledged() {
    let mut tcb = tcb_close_wait();
    tcb.close(at(1200));
    sent(&mut tcb);
    let retries = run_timers(&mut tcb, at(2000));
    assert!(!retries.is_empty());
    assert!(retries
        .iter()
        .all(|(_, t)| t.seg.flags == Flags::FIN | Flags::ACK
            && t.seg.seq == ISS + 1
            && t.retrans
            && t.why == why::RTO_EXPIRED));
}

// ------------------------------------------------------------------ TIME-WAIT

#[test]
fn time_wait_reacks_a_retransmitted_fin_and_restarts_the_wait() {
    let mut tcb = tcb_time_wait();
    deliver(&mut tcb, at(2000), peer_fin_acking_ours());
    let tx = transmitted(&mut tcb);
    assert_eq!(flags_and_whys(&tx), [(Flags::ACK, why::TIME_WAIT_FIN)]);
    assert_eq!(tx[0].seg.ack, PEER_ISS + 2);
    assert_eq!(tcb.poll_timeout(), Some(at(62_000)));
    assert_eq!(
        events(&mut tcb),
        [set(TimerName::TimeWait, at(62_000), why::TIME_WAIT_FIN)]
    );
}

#[test]
fn classic_time_wait_is_two_msl() {
    let params = Params {
        wscale: 0,
        sack: false,
        timestamps: false,
        ..Profile::Classic.params()
    };
    assert_eq!(params.time_wait, Duration::from_secs(240));
}

// ------------------------------------------------------------------ sequence space wrap

#[test]
fn a_connection_whose_isn_is_just_below_the_wrap_transfers_across_it() {
    let iss = SeqNum(u32::MAX - 10);
    let mut tcb = Tcb::connect(at(0), endpoint(plain_params(), iss));
    sent(&mut tcb);
    deliver(
        &mut tcb,
        at(100),
        Segment {
            seq: PEER_ISS,
            ack: iss + 1,
            flags: Flags::SYN | Flags::ACK,
            ..from_peer()
        },
    );
    sent(&mut tcb);
    tcb.send(at(200), 100);
    let segs = sent(&mut tcb);
    assert_eq!(segs[0].seq, iss + 1);
    deliver(
        &mut tcb,
        at(300),
        Segment {
            ack: iss + 101,
            ..from_peer()
        },
    );
    assert_eq!(tcb.snd_una(), SeqNum(90), "acknowledged past 2^32");
    assert_eq!(tcb.poll_timeout(), None, "everything is acknowledged");
}

// ------------------------------------------------------------------ options

#[test]
fn linux_syn_offers_every_option_and_both_sides_agree() {
    let params = Profile::Linux.params();
    let mut client = Tcb::connect(at(0), endpoint(params.clone(), ISS));
    let syn = sent(&mut client).remove(0);
    assert_eq!(
        syn.options.labels(),
        ["mss=1460", "sackOK", "ts=0,0", "wscale=7"]
    );

    let mut server = Tcb::accept_syn(
        at(50),
        endpoint(params, PEER_ISS),
        &Segment {
            src_port: LOCAL_PORT,
            dst_port: REMOTE_PORT,
            ..syn
        },
    );
    let synack = sent(&mut server).remove(0);
    assert_eq!(
        synack.options.labels(),
        ["mss=1460", "sackOK", "ts=50,0", "wscale=7"]
    );
    assert_eq!(synack.window, 64240, "a SYN's window is never scaled");

    deliver(
        &mut client,
        at(100),
        Segment {
            src_port: REMOTE_PORT,
            dst_port: LOCAL_PORT,
            ..synack
        },
    );
    let ack = sent(&mut client).remove(0);
    assert_eq!(
        ack.window,
        (64240 >> 7) as u16,
        "scaled once both sides agreed"
    );
    assert_eq!(ack.options.labels(), ["ts=100,50"]);
    // With timestamps, each segment carries 12 bytes of options: 1448 bytes of data fit.
    client.send(at(200), 3000);
    let data = sent(&mut client);
    assert_eq!(
        data.iter().map(|s| s.len).collect::<Vec<_>>(),
        [1448, 1448, 104]
    );
}

#[test]
fn a_synack_answers_only_the_options_the_syn_offered() {
    let mut server = Tcb::accept_syn(at(0), endpoint(Profile::Linux.params(), ISS), &peer_syn());
    let synack = sent(&mut server).remove(0);
    assert_eq!(synack.options.labels(), ["mss=1460"]);
    // The peer sent no MSS: RFC 9293 §3.7.1 says assume 536.
    deliver(&mut server, at(100), from_peer());
    server.send(at(200), 1000);
    assert_eq!(sent(&mut server)[0].len, 536);
}

// ------------------------------------------------------------------ closed port

#[test]
fn a_syn_to_a_closed_port_gets_rst_ack_covering_it() {
    let rst = reset_for_closed_port(&peer_syn()).unwrap();
    assert_eq!(rst.flags, Flags::RST | Flags::ACK);
    assert_eq!((rst.seq, rst.ack), (SeqNum(0), PEER_ISS + 1));
    assert_eq!((rst.src_port, rst.dst_port), (LOCAL_PORT, REMOTE_PORT));
}

#[test]
fn an_ack_to_a_closed_port_is_reset_from_its_ack_number_and_an_rst_is_never_answered() {
    let rst = reset_for_closed_port(&Segment {
        ack: SeqNum(777),
        ..from_peer()
    })
    .unwrap();
    assert_eq!((rst.flags, rst.seq), (Flags::RST, SeqNum(777)));
    assert_eq!(
        reset_for_closed_port(&Segment {
            flags: Flags::RST,
            ..from_peer()
        }),
        None
    );
}

// ------------------------------------------------------------------ delayed ACK

fn data(seq_offset: u32, len: u32) -> Segment {
    Segment {
        seq: PEER_ISS + 1 + seq_offset,
        len,
        flags: Flags::ACK | Flags::PSH,
        ..from_peer()
    }
}

fn tcb_established_with(params: Params) -> Tcb {
    let mut tcb = tcb_syn_sent_with(params);
    deliver(&mut tcb, at(100), peer_synack());
    sent(&mut tcb);
    events(&mut tcb);
    tcb
}

fn classic_params() -> Params {
    Params {
        wscale: 0,
        sack: false,
        timestamps: false,
        ..Profile::Classic.params()
    }
}

#[test]
fn classic_delays_the_ack_of_a_lone_segment_by_200ms() {
    let mut tcb = tcb_established_with(classic_params());
    deliver(&mut tcb, at(1000), data(0, 100));
    assert!(sent(&mut tcb).is_empty(), "the ACK waits");
    assert_eq!(tcb.poll_timeout(), Some(at(1200)));
    assert_eq!(
        events(&mut tcb),
        [
            told(AppEvent::Received(100), why::DATA_RECEIVED),
            set(TimerName::Delack, at(1200), why::DELAYED_ACK),
        ]
    );
    tcb.handle_timeout(at(1200));
    let tx = transmitted(&mut tcb);
    assert_eq!(flags_and_whys(&tx), [(Flags::ACK, why::DELAYED_ACK)]);
    assert_eq!(tx[0].seg.ack, PEER_ISS + 101);
    assert_eq!(
        events(&mut tcb),
        [fired(TimerName::Delack, at(1200), why::DELAYED_ACK)]
    );
}

#[test]
fn a_second_segment_is_acknowledged_at_once() {
    let mut tcb = tcb_established_with(classic_params());
    deliver(&mut tcb, at(1000), data(0, 100));
    events(&mut tcb);
    deliver(&mut tcb, at(1010), data(100, 100));
    let tx = transmitted(&mut tcb);
    assert_eq!(
        flags_and_whys(&tx),
        [(Flags::ACK, why::DATA_RECEIVED)],
        "one ACK for both"
    );
    assert_eq!(tx[0].seg.ack, PEER_ISS + 201);
    assert_eq!(
        tcb.poll_timeout(),
        None,
        "the delayed-ACK timer is cancelled"
    );
    assert_eq!(
        events(&mut tcb),
        [
            told(AppEvent::Received(100), why::DATA_RECEIVED),
            cancelled(TimerName::Delack, at(1200), why::DATA_RECEIVED),
        ]
    );
}

#[test]
fn a_delayed_ack_rides_on_outgoing_data() {
    let mut tcb = tcb_established_with(classic_params());
    deliver(&mut tcb, at(1000), data(0, 100));
    events(&mut tcb);
    tcb.send(at(1050), 10);
    let tx = transmitted(&mut tcb);
    assert_eq!(
        flags_and_whys(&tx),
        [(Flags::ACK | Flags::PSH, why::SEND_CALL)]
    );
    assert_eq!((tx[0].seg.len, tx[0].seg.ack), (10, PEER_ISS + 101));
    assert!(tcb.armed_timers().iter().all(|(name, _)| *name != "delack"));
    assert!(events(&mut tcb).contains(&cancelled(TimerName::Delack, at(1200), why::SEND_CALL)));
}

#[test]
fn linux_acknowledges_the_first_sixteen_segments_at_once_then_delays() {
    let mut tcb = tcb_established();
    for i in 0..16 {
        deliver(&mut tcb, at(1000 + i), data(i as u32 * 10, 10));
        assert_eq!(
            flags_and_whys(&transmitted(&mut tcb)),
            [(Flags::ACK, why::DATA_RECEIVED)],
            "segment {i} is acknowledged at once"
        );
    }
    events(&mut tcb);
    deliver(&mut tcb, at(1100), data(160, 10));
    assert!(sent(&mut tcb).is_empty());
    assert_eq!(
        tcb.poll_timeout(),
        Some(at(1140)),
        "Linux's 40 ms delayed ACK"
    );
    assert!(events(&mut tcb).contains(&set(TimerName::Delack, at(1140), why::DELAYED_ACK)));
}

#[test]
fn data_after_a_silence_longer_than_the_rto_is_acknowledged_at_once_again() {
    let mut tcb = tcb_established();
    for i in 0..17 {
        deliver(&mut tcb, at(1000 + i), data(i as u32 * 10, 10));
    }
    transmitted(&mut tcb);
    // Linux's tcp_event_data_recv(): a new quick-ACK spell after more than an RTO of quiet.
    let later = 1016 + tcb.rto().micros() / 1000 + 1;
    deliver(&mut tcb, at(later), data(170, 10));
    assert_eq!(
        flags_and_whys(&transmitted(&mut tcb)),
        [(Flags::ACK, why::DATA_RECEIVED)]
    );
}

// ------------------------------------------------------------------ out-of-order text

#[test]
fn out_of_order_text_is_held_and_a_duplicate_ack_points_at_the_gap() {
    let mut tcb = tcb_established();
    deliver(&mut tcb, at(1000), data(100, 100));
    let tx = transmitted(&mut tcb);
    assert_eq!(flags_and_whys(&tx), [(Flags::ACK, why::OUT_OF_ORDER)]);
    assert_eq!(
        tx[0].seg.ack,
        PEER_ISS + 1,
        "still asking for the first byte"
    );
    assert!(app_events(&mut tcb).is_empty());

    deliver(&mut tcb, at(1010), data(0, 100));
    assert_eq!(
        events(&mut tcb),
        [told(AppEvent::Received(200), why::DATA_RECEIVED)],
        "both, in order, once"
    );
    let tx = transmitted(&mut tcb);
    assert_eq!(flags_and_whys(&tx), [(Flags::ACK, why::GAP_FILLED)]);
    assert_eq!(tx[0].seg.ack, PEER_ISS + 201);
    assert_eq!(tcb.rcv_nxt(), PEER_ISS + 201);
}

// ------------------------------------------------------------------ keepalive

fn keepalive_params(profile: Profile) -> Params {
    Params {
        keepalive: true,
        wscale: 0,
        sack: false,
        timestamps: false,
        ..profile.params()
    }
}

#[test]
fn linux_keepalive_probes_nine_times_then_resets_at_7875s() {
    let mut tcb = tcb_syn_sent_with(keepalive_params(Profile::Linux));
    deliver(&mut tcb, at(100), peer_synack());
    sent(&mut tcb);
    // Established, the connection starts watching for two idle hours.
    assert!(events(&mut tcb).contains(&set(
        TimerName::Keepalive,
        at(7_200_100),
        why::KEEPALIVE_IDLE
    )));
    let probes = run_timers(&mut tcb, at(10_000_000));
    let last_heard = 0.1;
    let expected: Vec<f64> = (0..9)
        .map(|k| last_heard + 7200.0 + 75.0 * k as f64)
        .collect();
    let (probe_times, rst): (Vec<_>, Vec<_>) =
        probes.into_iter().partition(|(_, t)| !t.seg.flags.rst());
    assert_eq!(secs(&probe_times), expected);
    assert!(
        probe_times.iter().all(|(_, t)| t.seg.flags == Flags::ACK
            && t.seg.seq == ISS
            && t.seg.len == 0
            && t.why == why::KEEPALIVE_PROBE),
        "SEG.SEQ = SND.UNA - 1"
    );
    assert_eq!(secs(&rst), [last_heard + 7875.0]);
    let (_, reset) = &rst[0];
    assert_eq!(
        (reset.seg.flags, reset.seg.seq, reset.why),
        (Flags::RST | Flags::ACK, ISS + 1, why::KEEPALIVE_EXHAUSTED)
    );
    assert_eq!(tcb.state(), State::Closed);
    let events = events(&mut tcb);
    // The first expiry sends a probe and waits tcp_keepalive_intvl for its answer.
    assert_eq!(
        events[..2],
        [
            fired(TimerName::Keepalive, at(7_200_100), why::KEEPALIVE_IDLE),
            set(TimerName::Keepalive, at(7_275_100), why::KEEPALIVE_PROBE),
        ]
    );
    assert!(
        events.ends_with(&[
            told(AppEvent::Error(Errno::ETIMEDOUT), why::KEEPALIVE_EXHAUSTED),
            moved(State::Established, State::Closed, why::KEEPALIVE_EXHAUSTED),
        ]),
        "{events:?}"
    );
}

#[test]
fn classic_keepalive_sends_ten_probes() {
    let mut tcb = tcb_established_with(keepalive_params(Profile::Classic));
    let probes = run_timers(&mut tcb, at(10_000_000));
    assert_eq!(
        probes.iter().filter(|(_, t)| !t.seg.flags.rst()).count(),
        10
    );
    assert_eq!(secs(&probes).last(), Some(&(0.1 + 7200.0 + 750.0)));
}

#[test]
fn an_answered_probe_starts_the_idle_time_over() {
    let mut tcb = tcb_established_with(keepalive_params(Profile::Linux));
    tcb.handle_timeout(at(7_200_100));
    assert_eq!(
        flags_and_whys(&transmitted(&mut tcb)),
        [(Flags::ACK, why::KEEPALIVE_PROBE)]
    );
    // The peer's answer: an ACK for what it already had.
    deliver(&mut tcb, at(7_200_200), from_peer());
    events(&mut tcb);
    let next = run_timers(&mut tcb, at(14_000_000));
    assert!(next.is_empty(), "no probe until two hours after the answer");
    assert_eq!(tcb.poll_timeout(), Some(at(7_200_200 + 7_200_000)));
    // The probe's interval ran out on a live connection: wait out the rest of the idle time.
    assert_eq!(
        events(&mut tcb),
        [
            fired(TimerName::Keepalive, at(7_275_100), why::KEEPALIVE_IDLE),
            set(TimerName::Keepalive, at(14_400_200), why::KEEPALIVE_IDLE),
        ]
    );
}

#[test]
fn keepalive_is_off_unless_enabled() {
    let mut tcb = tcb_established();
    assert_eq!(tcb.poll_timeout(), None);
    assert!(run_timers(&mut tcb, at(100_000_000)).is_empty());
}

// ------------------------------------------------------------------ unread data, half-close

#[test]
fn closing_with_unread_data_resets_the_connection() {
    let mut tcb = tcb_syn_sent_with(plain_params());
    tcb.auto_read = false;
    deliver(&mut tcb, at(100), peer_synack());
    deliver(&mut tcb, at(200), data(0, 300));
    assert_eq!(tcb.unread(), 300);
    sent(&mut tcb);
    events(&mut tcb);
    tcb.close(at(300));
    let tx = transmitted(&mut tcb);
    assert_eq!(
        flags_and_whys(&tx),
        [(Flags::RST | Flags::ACK, why::UNREAD_DATA)]
    );
    assert_eq!(tx[0].seg.seq, ISS + 1);
    assert_eq!(tcb.state(), State::Closed);
    assert_eq!(
        events(&mut tcb),
        [moved(State::Established, State::Closed, why::UNREAD_DATA)]
    );
}

#[test]
fn reading_first_makes_the_close_graceful() {
    let mut tcb = tcb_syn_sent_with(plain_params());
    tcb.auto_read = false;
    deliver(&mut tcb, at(100), peer_synack());
    deliver(&mut tcb, at(200), data(0, 300));
    events(&mut tcb);
    assert_eq!(tcb.recv(), 300);
    assert_eq!(
        events(&mut tcb),
        [told(AppEvent::Received(300), why::RECV_CALL)]
    );
    sent(&mut tcb);
    tcb.close(at(300));
    assert_eq!(
        flags_and_whys(&transmitted(&mut tcb)),
        [(Flags::ACK | Flags::FIN, why::CLOSE_CALL)]
    );
}

#[test]
fn data_arriving_after_close_is_answered_with_rst() {
    let mut tcb = tcb_fin_wait_2();
    // The peer, in CLOSE-WAIT, has acknowledged our FIN.
    let late = Segment {
        ack: ISS + 2,
        ..data(0, 100)
    };
    deliver(&mut tcb, at(1200), late);
    let tx = transmitted(&mut tcb);
    assert_eq!(flags_and_whys(&tx), [(Flags::RST, why::DATA_AFTER_CLOSE)]);
    // A bare RST carrying the segment's acknowledgment, as Linux sends it.
    assert_eq!(tx[0].seg.seq, ISS + 2);
    assert_eq!(tcb.state(), State::Closed);
    assert_eq!(
        events(&mut tcb),
        [
            cancelled(TimerName::FinWait2, at(61_100), why::DATA_AFTER_CLOSE),
            moved(State::FinWait2, State::Closed, why::DATA_AFTER_CLOSE),
        ],
        "nobody reads the data: the application is not told"
    );
}

#[test]
fn after_shutdown_write_data_still_arrives_and_no_orphan_timer_runs() {
    let mut tcb = tcb_established();
    tcb.shutdown_write(at(1000));
    assert_eq!(
        flags_and_whys(&transmitted(&mut tcb)),
        [(Flags::ACK | Flags::FIN, why::SHUTDOWN_CALL)]
    );
    assert_eq!(
        events(&mut tcb),
        [
            moved(State::Established, State::FinWait1, why::SHUTDOWN_CALL),
            set(TimerName::Rto, at(1300), why::DATA_SENT),
        ]
    );
    deliver(
        &mut tcb,
        at(1100),
        Segment {
            ack: ISS + 2,
            ..from_peer()
        },
    );
    assert_eq!(tcb.state(), State::FinWait2);
    assert_eq!(
        tcb.poll_timeout(),
        None,
        "not orphaned: the application still reads"
    );
    events(&mut tcb);
    deliver(
        &mut tcb,
        at(1200),
        Segment {
            ack: ISS + 2,
            ..data(0, 500)
        },
    );
    assert_eq!(app_events(&mut tcb), [AppEvent::Received(500)]);
}

// ------------------------------------------------------------------ Linux details

#[test]
fn a_repeated_syn_in_syn_received_gets_the_synack_again_and_restarts_the_timer() {
    let mut tcb = tcb_syn_received();
    deliver(&mut tcb, at(600), peer_syn());
    let tx = transmitted(&mut tcb);
    assert_eq!(
        flags_and_whys(&tx),
        [(Flags::SYN | Flags::ACK, why::DUPLICATE_SYN)]
    );
    assert_eq!((tx[0].seg.seq, tx[0].retrans), (ISS, true));
    assert_eq!(tcb.poll_timeout(), Some(at(1600)));
    assert_eq!(
        events(&mut tcb),
        [set(TimerName::SynackRto, at(1600), why::DUPLICATE_SYN)]
    );
}

#[test]
fn classic_syn_retransmissions_start_at_three_seconds_and_the_rto_caps_at_64() {
    let mut tcb = tcb_syn_sent_with(classic_params());
    let retries = run_timers(&mut tcb, at(1_000_000));
    assert_eq!(secs(&retries), [3.0, 9.0, 21.0, 45.0, 93.0]);
    assert_eq!(tcb.state(), State::Closed);
    assert!(events(&mut tcb).iter().any(|e| matches!(
        e,
        TcbEvent::State {
            to: State::Closed,
            ..
        }
    )));
}

#[test]
fn classic_time_wait_lasts_four_minutes() {
    let mut tcb = tcb_syn_sent_with(classic_params());
    deliver(&mut tcb, at(100), peer_synack());
    tcb.close(at(1000));
    deliver(&mut tcb, at(1100), peer_fin_acking_ours());
    assert_eq!(tcb.state(), State::TimeWait);
    assert_eq!(tcb.poll_timeout(), Some(at(1100 + 240_000)));
}

// ------------------------------------------------------------------ counterfactuals

#[test]
fn counterfactual_two_way_handshake_establishes_on_the_syn_alone() {
    let params = Params {
        two_way_handshake: true,
        ..plain_params()
    };
    let mut server = Tcb::accept_syn(at(0), endpoint(params.clone(), ISS), &peer_syn());
    assert_eq!(server.state(), State::Established);
    let events_of_server = events(&mut server);
    assert!(
        events_of_server.ends_with(&[
            moved(
                State::SynReceived,
                State::Established,
                why::TWO_WAY_HANDSHAKE
            ),
            told(AppEvent::Established, why::TWO_WAY_HANDSHAKE),
        ]),
        "{events_of_server:?}"
    );

    let mut client = tcb_syn_sent_with(params);
    deliver(&mut client, at(100), peer_synack());
    assert_eq!(client.state(), State::Established);
    assert!(sent(&mut client).is_empty(), "no third segment");
    assert!(events(&mut client).ends_with(&[
        moved(State::SynSent, State::Established, why::TWO_WAY_HANDSHAKE),
        told(AppEvent::Established, why::TWO_WAY_HANDSHAKE),
    ]));
}

#[test]
fn counterfactual_no_time_wait_forgets_the_connection_at_once() {
    let params = Params {
        no_time_wait: true,
        ..plain_params()
    };
    let mut tcb = tcb_established_with(params);
    tcb.close(at(1000));
    deliver(&mut tcb, at(1100), peer_fin_acking_ours());
    assert_eq!(tcb.state(), State::Closed);
    assert_eq!(
        flags_and_whys(&transmitted(&mut tcb)),
        [
            (Flags::ACK | Flags::FIN, why::CLOSE_CALL),
            (Flags::ACK, why::FIN_RECEIVED),
        ]
    );
    let events = events(&mut tcb);
    assert!(
        events.contains(&moved(State::FinWait2, State::Closed, why::NO_TIME_WAIT)),
        "{events:?}"
    );
    assert!(!events.iter().any(|e| matches!(
        e,
        TcbEvent::State {
            to: State::TimeWait,
            ..
        }
    )));
}
