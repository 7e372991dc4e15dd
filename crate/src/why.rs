//! Why things happen: every trace event names one of these reasons, and, where a rule applies,
//! the RFC section it comes from (written `9293 §3.10.7.4` in the trace). The ids are stable:
//! the page, the articles and the tests refer to them.

/// A stable reason id and the rule behind it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Why {
    pub id: &'static str,
    /// `"9293 §3.10.7.4"`, or `None` for behaviour no RFC prescribes (a Linux choice, a link).
    pub rfc: Option<&'static str>,
}

const fn rule(id: &'static str, rfc: &'static str) -> Why {
    Why { id, rfc: Some(rfc) }
}

const fn plain(id: &'static str) -> Why {
    Why { id, rfc: None }
}

// Application calls (RFC 9293 §3.10.1 to §3.10.6).
pub const ACTIVE_OPEN: Why = rule("active-open", "9293 §3.10.1");
pub const PASSIVE_OPEN: Why = rule("passive-open", "9293 §3.10.1");
pub const SEND_CALL: Why = rule("send-call", "9293 §3.10.2");
pub const CLOSE_CALL: Why = rule("close-call", "9293 §3.10.4");
pub const SHUTDOWN_CALL: Why = rule("shutdown-write", "9293 §3.10.4");
pub const RECV_CALL: Why = rule("recv-call", "9293 §3.10.3");
pub const UNREAD_DATA: Why = rule("close-with-unread-data", "1122 §4.2.2.13");
pub const CLOSE_IN_SYN_SENT: Why = rule("close-in-syn-sent", "9293 §3.10.4");
pub const ABORT_CALL: Why = rule("abort-call", "9293 §3.10.5");
pub const APP_CALL: Why = plain("app-call");
pub const NO_CONNECTION: Why = plain("no-connection");

// Segment arrives (RFC 9293 §3.10.7).
pub const CLOSED_PORT: Why = rule("closed-port", "9293 §3.10.7.1");
pub const LISTEN_SYN: Why = rule("syn-received", "9293 §3.10.7.2");
/// LISTEN answers any acknowledgment with `<SEQ=SEG.ACK><CTL=RST>`.
pub const LISTEN_ACK: Why = rule("ack-in-listen", "9293 §3.10.7.2");
pub const SYNACK_RECEIVED: Why = rule("synack-received", "9293 §3.10.7.3");
pub const SIMULTANEOUS_OPEN: Why = rule("simultaneous-open", "9293 §3.10.7.3");
pub const SYN_SENT_BAD_ACK: Why = rule("unacceptable-ack", "9293 §3.10.7.3");
pub const REFUSED: Why = rule("rst-in-syn-sent", "9293 §3.10.7.3");
pub const OUT_OF_WINDOW: Why = rule("out-of-window", "9293 §3.10.7.4");
pub const RST_RECEIVED: Why = rule("rst-received", "9293 §3.10.7.4");
pub const CHALLENGE_ACK: Why = rule("challenge-ack", "5961 §4.2");
pub const HANDSHAKE_ACKED: Why = rule("handshake-acked", "9293 §3.10.7.4");
/// Linux creates the connection from a valid SYN cookie in the returning ACK.
pub const SYNCOOKIE_ACK: Why = plain("syncookie-validated");
pub const SYN_RECEIVED_BAD_ACK: Why = rule("unacceptable-ack", "9293 §3.10.7.4");
pub const ACK_OF_UNSENT: Why = rule("ack-of-unsent", "9293 §3.10.7.4");
pub const FIN_ACKED: Why = rule("fin-acked", "9293 §3.10.7.4");
pub const DATA_RECEIVED: Why = rule("data-received", "9293 §3.10.7.4");
pub const FIN_RECEIVED: Why = rule("fin-received", "9293 §3.10.7.4");
pub const TIME_WAIT_FIN: Why = rule("time-wait-fin", "9293 §3.10.7.4");
pub const DATA_AFTER_CLOSE: Why = rule("data-after-close", "1122 §4.2.2.13");
pub const OUT_OF_ORDER: Why = rule("out-of-order", "5681 §4.2");
pub const GAP_FILLED: Why = rule("gap-filled", "5681 §4.2");
pub const DELAYED_ACK: Why = rule("delayed-ack", "9293 §3.8.6.3");
/// Linux answers a repeated SYN on a half-open connection with its SYN,ACK (tcp_check_req).
pub const DUPLICATE_SYN: Why = plain("duplicate-syn");
pub const ALL_ACKED: Why = rule("all-acked", "6298 §5.2");
pub const NEW_DATA_ACKED: Why = rule("new-data-acked", "6298 §5.3");

// Timeouts (RFC 9293 §3.10.8, RFC 6298).
pub const DATA_SENT: Why = rule("data-sent", "6298 §5.1");
pub const RTO_EXPIRED: Why = rule("rto-expired", "6298 §5.4");
pub const RETRIES_EXHAUSTED: Why = rule("retries-exhausted", "1122 §4.2.3.5");
pub const SYNACK_RETRIES_EXHAUSTED: Why = plain("synack-retries-exhausted");
pub const TIME_WAIT_ENTERED: Why = rule("time-wait", "9293 §3.10.7.4");
pub const TIME_WAIT_EXPIRED: Why = rule("time-wait-expired", "9293 §3.10.8");
pub const FIN_WAIT_2_ORPHANED: Why = plain("fin-wait-2-orphaned");
pub const FIN_WAIT_2_TIMEOUT: Why = plain("fin-wait-2-timeout");
pub const CONNECTION_CLOSED: Why = plain("connection-closed");
pub const KEEPALIVE_IDLE: Why = rule("keepalive-idle", "1122 §4.2.3.6");
pub const KEEPALIVE_PROBE: Why = rule("keepalive-probe", "1122 §4.2.3.6");
/// Linux gives up after `tcp_keepalive_probes` unanswered probes.
pub const KEEPALIVE_EXHAUSTED: Why = plain("keepalive-exhausted");

// Counterfactual modes, for teaching: not real TCP.
pub const TWO_WAY_HANDSHAKE: Why = plain("counterfactual-two-way-handshake");
pub const NO_TIME_WAIT: Why = plain("counterfactual-no-time-wait");

// Hosts.
pub const HOST_CRASH: Why = plain("host-crash");
pub const HOST_REBOOT: Why = plain("host-reboot");

// Listening sockets (Linux's SYN queue, accept queue and SYN cookies).
pub const SYN_QUEUE_FULL: Why = plain("syn-queue-full");
pub const ACCEPT_QUEUE_FULL: Why = plain("accept-queue-full");
/// tcp_abort_on_overflow = 1: the connection is reset instead of waiting.
pub const ACCEPT_QUEUE_OVERFLOW: Why = plain("accept-queue-overflow");
pub const SYNCOOKIE_SENT: Why = rule("syncookie-sent", "4987 §3.1");
pub const QUEUE_CHANGED: Why = plain("queue-changed");
pub const ACCEPT_CALL: Why = plain("accept-call");
pub const ACCEPT_EMPTY: Why = plain("accept-nothing-waiting");
/// The server application answers a request (`reply=N`).
pub const SERVER_REPLY: Why = plain("server-reply");

// Attackers.
pub const FLOOD_SYN: Why = rule("syn-flood", "4987 §2");

// The network between hosts.
pub const LINK_DELIVERY: Why = plain("link-delivery");
pub const LINK_LOSS: Why = plain("link-loss");
pub const NO_ROUTE: Why = plain("no-route");
pub const UNPLUGGED: Why = plain("unplugged");
pub const REPLUGGED: Why = plain("replugged");
/// A `drop` statement of the scenario took this segment.
pub const FAULT_DROP: Why = plain("fault-drop");
