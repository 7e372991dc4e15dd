//! Why things happen: every trace event names one of these reasons, and, where a rule applies,
//! the RFC section it comes from (written `9293 §3.10.7.4` in the trace). The ids are stable:
//! the page, the articles and the tests refer to them.

/// A stable reason id and the rule behind it.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Reason {
    pub id: &'static str,
    /// `"9293 §3.10.7.4"`, or `None` for behaviour no RFC prescribes (a Linux choice, a link).
    pub rfc: Option<&'static str>,
}

/// A reason, as events carry it: one pointer to a static [`Reason`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Why(&'static Reason);

impl Why {
    pub fn id(self) -> &'static str {
        self.0.id
    }
    pub fn rfc(self) -> Option<&'static str> {
        self.0.rfc
    }
}

/// `rule!(NAME, "id", "9293 §3.10.1")` or `rule!(NAME, "id")` for a reason with no RFC.
macro_rules! rule {
    ($name:ident, $id:literal, $rfc:literal) => {
        pub const $name: Why = Why(&Reason {
            id: $id,
            rfc: Some($rfc),
        });
    };
    ($name:ident, $id:literal) => {
        pub const $name: Why = Why(&Reason { id: $id, rfc: None });
    };
}

// Application calls (RFC 9293 §3.10.1 to §3.10.6).
rule!(ACTIVE_OPEN, "active-open", "9293 §3.10.1");
rule!(PASSIVE_OPEN, "passive-open", "9293 §3.10.1");
rule!(SEND_CALL, "send-call", "9293 §3.10.2");
rule!(CLOSE_CALL, "close-call", "9293 §3.10.4");
rule!(SHUTDOWN_CALL, "shutdown-write", "9293 §3.10.4");
rule!(RECV_CALL, "recv-call", "9293 §3.10.3");
rule!(UNREAD_DATA, "close-with-unread-data", "1122 §4.2.2.13");
rule!(CLOSE_IN_SYN_SENT, "close-in-syn-sent", "9293 §3.10.4");
rule!(ABORT_CALL, "abort-call", "9293 §3.10.5");
rule!(APP_CALL, "app-call");
rule!(NO_CONNECTION, "no-connection");

// Segment arrives (RFC 9293 §3.10.7).
rule!(CLOSED_PORT, "closed-port", "9293 §3.10.7.1");
rule!(LISTEN_SYN, "syn-received", "9293 §3.10.7.2");
// LISTEN answers any acknowledgment with `<SEQ=SEG.ACK><CTL=RST>`.
rule!(LISTEN_ACK, "ack-in-listen", "9293 §3.10.7.2");
rule!(SYNACK_RECEIVED, "synack-received", "9293 §3.10.7.3");
rule!(SIMULTANEOUS_OPEN, "simultaneous-open", "9293 §3.10.7.3");
rule!(SYN_SENT_BAD_ACK, "unacceptable-ack", "9293 §3.10.7.3");
rule!(REFUSED, "rst-in-syn-sent", "9293 §3.10.7.3");
rule!(OUT_OF_WINDOW, "out-of-window", "9293 §3.10.7.4");
rule!(RST_RECEIVED, "rst-received", "9293 §3.10.7.4");
rule!(CHALLENGE_ACK, "challenge-ack", "5961 §4.2");
rule!(HANDSHAKE_ACKED, "handshake-acked", "9293 §3.10.7.4");
// Linux creates the connection from a valid SYN cookie in the returning ACK.
rule!(SYNCOOKIE_ACK, "syncookie-validated");
rule!(SYN_RECEIVED_BAD_ACK, "unacceptable-ack", "9293 §3.10.7.4");
rule!(ACK_OF_UNSENT, "ack-of-unsent", "9293 §3.10.7.4");
rule!(FIN_ACKED, "fin-acked", "9293 §3.10.7.4");
rule!(DATA_RECEIVED, "data-received", "9293 §3.10.7.4");
rule!(FIN_RECEIVED, "fin-received", "9293 §3.10.7.4");
rule!(TIME_WAIT_FIN, "time-wait-fin", "9293 §3.10.7.4");
rule!(DATA_AFTER_CLOSE, "data-after-close", "1122 §4.2.2.13");
rule!(OUT_OF_ORDER, "out-of-order", "5681 §4.2");
rule!(GAP_FILLED, "gap-filled", "5681 §4.2");
rule!(DELAYED_ACK, "delayed-ack", "9293 §3.8.6.3");
// Linux answers a repeated SYN on a half-open connection with its SYN,ACK (tcp_check_req).
rule!(DUPLICATE_SYN, "duplicate-syn");
rule!(ALL_ACKED, "all-acked", "6298 §5.2");
rule!(NEW_DATA_ACKED, "new-data-acked", "6298 §5.3");

// Timeouts (RFC 9293 §3.10.8, RFC 6298).
rule!(DATA_SENT, "data-sent", "6298 §5.1");
rule!(RTO_EXPIRED, "rto-expired", "6298 §5.4");
rule!(RETRIES_EXHAUSTED, "retries-exhausted", "1122 §4.2.3.5");
rule!(SYNACK_RETRIES_EXHAUSTED, "synack-retries-exhausted");
rule!(TIME_WAIT_ENTERED, "time-wait", "9293 §3.10.7.4");
rule!(TIME_WAIT_EXPIRED, "time-wait-expired", "9293 §3.10.8");
rule!(FIN_WAIT_2_ORPHANED, "fin-wait-2-orphaned");
rule!(FIN_WAIT_2_TIMEOUT, "fin-wait-2-timeout");
rule!(CONNECTION_CLOSED, "connection-closed");
rule!(KEEPALIVE_IDLE, "keepalive-idle", "1122 §4.2.3.6");
rule!(KEEPALIVE_PROBE, "keepalive-probe", "1122 §4.2.3.6");
// Linux gives up after `tcp_keepalive_probes` unanswered probes.
rule!(KEEPALIVE_EXHAUSTED, "keepalive-exhausted");

// Counterfactual modes, for teaching: not real TCP.
rule!(TWO_WAY_HANDSHAKE, "counterfactual-two-way-handshake");
rule!(NO_TIME_WAIT, "counterfactual-no-time-wait");

// Hosts.
rule!(HOST_CRASH, "host-crash");
rule!(HOST_REBOOT, "host-reboot");

// Listening sockets (Linux's SYN queue, accept queue and SYN cookies).
rule!(SYN_QUEUE_FULL, "syn-queue-full");
rule!(ACCEPT_QUEUE_FULL, "accept-queue-full");
// tcp_abort_on_overflow = 1: the connection is reset instead of waiting.
rule!(ACCEPT_QUEUE_OVERFLOW, "accept-queue-overflow");
rule!(SYNCOOKIE_SENT, "syncookie-sent", "4987 §3.1");
rule!(QUEUE_CHANGED, "queue-changed");
rule!(ACCEPT_CALL, "accept-call");
rule!(ACCEPT_EMPTY, "accept-nothing-waiting");
// The server application answers a request (`reply=N`).
rule!(SERVER_REPLY, "server-reply");

// Attackers.
rule!(FLOOD_SYN, "syn-flood", "4987 §2");

// The network between hosts.
rule!(LINK_DELIVERY, "link-delivery");
rule!(LINK_LOSS, "link-loss");
rule!(NO_ROUTE, "no-route");
rule!(UNPLUGGED, "unplugged");
rule!(REPLUGGED, "replugged");
// A `drop` statement of the scenario took this segment.
rule!(FAULT_DROP, "fault-drop");
