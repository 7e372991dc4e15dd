//! Why things happen: every trace event names one of these reasons, and, where a rule applies,
//! the RFC section it comes from (written `9293 §3.10.7.4` in the trace). The ids are stable:
//! the page, the articles and the tests refer to them. What each reason means, in words a
//! reader learning TCP can follow, is in the word tables (`words/`), one per language, under
//! the reason's [`Why::words_key`].

/// A stable reason id and the rule behind it.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Reason {
    pub id: &'static str,
    /// Where the word tables explain it: the id, except for the two rules that share one.
    pub words: &'static str,
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
    /// The key of its explanation in the word tables.
    pub fn words_key(self) -> &'static str {
        self.0.words
    }
}

/// `rule!(NAME, "id", "9293 §3.10.1")`, or `rule!(NAME, "id")` for a reason with no RFC; a
/// reason that shares its id with another names its own key in the word tables with
/// `words = "key"`.
macro_rules! rule {
    ($name:ident, $id:literal, words = $words:literal, $rfc:literal) => {
        pub const $name: Why = Why(&Reason {
            id: $id,
            words: $words,
            rfc: Some($rfc),
        });
    };
    ($name:ident, $id:literal, $rfc:literal) => {
        pub const $name: Why = Why(&Reason {
            id: $id,
            words: $id,
            rfc: Some($rfc),
        });
    };
    ($name:ident, $id:literal) => {
        pub const $name: Why = Why(&Reason {
            id: $id,
            words: $id,
            rfc: None,
        });
    };
}

// Application calls (RFC 9293 §3.10.1 to §3.10.6).
rule!(ACTIVE_OPEN, "active-open", "9293 §3.10.1");
rule!(PASSIVE_OPEN, "passive-open", "9293 §3.10.1");
rule!(SEND_CALL, "send-call", "9293 §3.10.2");
rule!(SEND_AFTER_SHUTDOWN, "send-after-shutdown", "9293 §3.10.2");
rule!(NODELAY_CALL, "nodelay-call", "9293 §3.7.4");
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
rule!(
    SYN_SENT_BAD_ACK,
    "unacceptable-ack",
    words = "unacceptable-ack-syn-sent",
    "9293 §3.10.7.3"
);
rule!(REFUSED, "rst-in-syn-sent", "9293 §3.10.7.3");
rule!(OUT_OF_WINDOW, "out-of-window", "9293 §3.10.7.4");
rule!(RST_RECEIVED, "rst-received", "9293 §3.10.7.4");
rule!(CHALLENGE_ACK_RST, "challenge-ack-rst", "5961 §3.2");
rule!(CHALLENGE_ACK, "challenge-ack", "5961 §4.2");
rule!(HANDSHAKE_ACKED, "handshake-acked", "9293 §3.10.7.4");
// Linux creates the connection from a valid SYN cookie in the returning ACK.
rule!(SYNCOOKIE_ACK, "syncookie-validated");
rule!(
    SYN_RECEIVED_BAD_ACK,
    "unacceptable-ack",
    words = "unacceptable-ack-syn-received",
    "9293 §3.10.7.4"
);
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
// Linux's bind() and connect() on a port in use (inet_csk_bind_conflict, __inet_check_established).
rule!(BIND_IN_USE, "bind-in-use");
rule!(TUPLE_IN_USE, "tuple-in-use");
rule!(TIME_WAIT_REUSED, "time-wait-reused");
// Closing a listening socket (inet_csk_listen_stop): unaccepted connections are reset.
rule!(LISTENER_CLOSED, "listener-closed");
rule!(NO_LISTENER, "no-listener");
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
rule!(SYNCOOKIE_SENT, "syncookie-sent", "4987 §3.6");
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

// Captures read back: what a real network did, not the simulator.
rule!(CAPTURED, "captured");

/// Every reason, in the order this file defines them (two share `unacceptable-ack`).
pub const ALL: &[Why] = &[
    ACTIVE_OPEN,
    PASSIVE_OPEN,
    SEND_CALL,
    SEND_AFTER_SHUTDOWN,
    NODELAY_CALL,
    CLOSE_CALL,
    SHUTDOWN_CALL,
    RECV_CALL,
    UNREAD_DATA,
    CLOSE_IN_SYN_SENT,
    ABORT_CALL,
    APP_CALL,
    NO_CONNECTION,
    CLOSED_PORT,
    LISTEN_SYN,
    LISTEN_ACK,
    SYNACK_RECEIVED,
    SIMULTANEOUS_OPEN,
    SYN_SENT_BAD_ACK,
    REFUSED,
    OUT_OF_WINDOW,
    RST_RECEIVED,
    CHALLENGE_ACK_RST,
    CHALLENGE_ACK,
    HANDSHAKE_ACKED,
    SYNCOOKIE_ACK,
    SYN_RECEIVED_BAD_ACK,
    ACK_OF_UNSENT,
    FIN_ACKED,
    DATA_RECEIVED,
    FIN_RECEIVED,
    TIME_WAIT_FIN,
    DATA_AFTER_CLOSE,
    OUT_OF_ORDER,
    GAP_FILLED,
    DELAYED_ACK,
    DUPLICATE_SYN,
    ALL_ACKED,
    NEW_DATA_ACKED,
    DATA_SENT,
    RTO_EXPIRED,
    RETRIES_EXHAUSTED,
    SYNACK_RETRIES_EXHAUSTED,
    TIME_WAIT_ENTERED,
    TIME_WAIT_EXPIRED,
    FIN_WAIT_2_ORPHANED,
    FIN_WAIT_2_TIMEOUT,
    CONNECTION_CLOSED,
    BIND_IN_USE,
    TUPLE_IN_USE,
    TIME_WAIT_REUSED,
    LISTENER_CLOSED,
    NO_LISTENER,
    KEEPALIVE_IDLE,
    KEEPALIVE_PROBE,
    KEEPALIVE_EXHAUSTED,
    TWO_WAY_HANDSHAKE,
    NO_TIME_WAIT,
    HOST_CRASH,
    HOST_REBOOT,
    SYN_QUEUE_FULL,
    ACCEPT_QUEUE_FULL,
    ACCEPT_QUEUE_OVERFLOW,
    SYNCOOKIE_SENT,
    QUEUE_CHANGED,
    ACCEPT_CALL,
    ACCEPT_EMPTY,
    SERVER_REPLY,
    FLOOD_SYN,
    LINK_DELIVERY,
    LINK_LOSS,
    NO_ROUTE,
    UNPLUGGED,
    REPLUGGED,
    FAULT_DROP,
    CAPTURED,
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const SOURCE: &str = include_str!("why.rs");

    /// The id (the first string literal) of every `rule!` invocation, in file order.
    fn ids_in_source() -> Vec<&'static str> {
        SOURCE
            .split("\nrule!(")
            .skip(1)
            .map(|rule| rule.split('"').nth(1).expect("a rule has an id"))
            .collect()
    }

    #[test]
    fn all_lists_every_rule_in_file_order() {
        assert_eq!(ALL.len(), SOURCE.matches("\nrule!(").count());
        let ids: Vec<&str> = ALL.iter().map(|w| w.id()).collect();
        assert_eq!(ids, ids_in_source());
        for (i, a) in ALL.iter().enumerate() {
            for b in &ALL[i + 1..] {
                assert_ne!(a, b, "{} is listed twice", a.id());
            }
        }
    }

    #[test]
    fn ids_are_unique_except_unacceptable_ack() {
        let mut count: HashMap<&str, usize> = HashMap::new();
        for why in ALL {
            *count.entry(why.id()).or_default() += 1;
        }
        for (id, n) in count {
            let expected = if id == "unacceptable-ack" { 2 } else { 1 };
            assert_eq!(n, expected, "id {id} is used by {n} rules");
        }
        assert_eq!(SYN_SENT_BAD_ACK.id(), SYN_RECEIVED_BAD_ACK.id());
    }

    #[test]
    fn words_keys_are_unique() {
        for (i, a) in ALL.iter().enumerate() {
            for b in &ALL[i + 1..] {
                assert_ne!(a.words_key(), b.words_key(), "{} and {}", a.id(), b.id());
            }
        }
    }
}
