//! The preset library: named scenarios that each make one point (DESIGN.md, "Presets": the
//! names are a contract, used in links and tests).

/// A named scenario with a title and a one-line teaching summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    pub name: &'static str,
    /// What it is about, the heading it is listed under (the page groups presets by it).
    pub topic: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    /// The statement that makes the point: without it, the scenario shows something else.
    pub point: &'static str,
    pub text: &'static str,
}

pub const PRESETS: &[Preset] = &[
    Preset {
        name: "handshake",
        topic: "Opening a connection",
        title: "The three-way handshake",
        summary: "SYN, SYN,ACK, ACK: each side picks an initial sequence number and the other acknowledges it.",
        point: "at 0s client connect server:80",
        text: include_str!("presets/handshake.scn"),
    },
    Preset {
        name: "close",
        topic: "Closing a connection",
        title: "Closing a connection",
        summary: "FIN and ACK in each direction; the side that closed first waits in TIME-WAIT.",
        point: "at 1s client close",
        text: include_str!("presets/close.scn"),
    },
    Preset {
        name: "data-transfer",
        topic: "Sending data",
        title: "Sending data",
        summary: "Segments no larger than the MSS, each acknowledged by ack = seq + length.",
        point: "at 0.5s client send 3000",
        text: include_str!("presets/data-transfer.scn"),
    },
    Preset {
        name: "syn-lost",
        topic: "Opening a connection",
        title: "A lost SYN",
        summary: "The client hears nothing and sends its SYN again when the retransmission timer fires.",
        point: "drop client->server nth=1 flags=SYN",
        text: include_str!("presets/syn-lost.scn"),
    },
    Preset {
        name: "synack-lost",
        topic: "Opening a connection",
        title: "A lost SYN,ACK",
        summary: "Both ends time out and repeat themselves; the handshake completes a second later.",
        point: "drop server->client nth=1 flags=SYN,ACK",
        text: include_str!("presets/synack-lost.scn"),
    },
    Preset {
        name: "ack-lost",
        topic: "Opening a connection",
        title: "A lost final ACK",
        summary: "The client's first data segment carries the same ACK and completes the handshake.",
        point: "drop client->server nth=1 flags=ACK len=0",
        text: include_str!("presets/ack-lost.scn"),
    },
    Preset {
        name: "ack-lost-server-gave-up",
        topic: "Opening a connection",
        title: "A lost ACK, and a server that gave up",
        summary: "Only after the server dropped its half-open connection does the client's data meet an RST.",
        point: "drop client->server flags=ACK len=0",
        text: include_str!("presets/ack-lost-server-gave-up.scn"),
    },
    Preset {
        name: "old-duplicate-syn",
        topic: "Opening a connection",
        title: "An old duplicate SYN",
        summary: "A stale SYN reaches the server; the third segment of the handshake lets the client reject it.",
        point: "delay client->server nth=1 by=5s",
        text: include_str!("presets/old-duplicate-syn.scn"),
    },
    Preset {
        name: "two-way-handshake",
        topic: "Opening a connection",
        title: "A two-way handshake (counterfactual)",
        summary: "Not real TCP: without the third segment, a stale SYN opens a connection nobody asked for.",
        point: "counterfactual two-way-handshake",
        text: include_str!("presets/two-way-handshake.scn"),
    },
    Preset {
        name: "simultaneous-open",
        topic: "Opening a connection",
        title: "Simultaneous open",
        summary: "Both ends send SYN at once; the SYNs cross and both reach ESTABLISHED through SYN-RECEIVED.",
        point: "at 0s bob connect alice:5000 sport=6000",
        text: include_str!("presets/simultaneous-open.scn"),
    },
    Preset {
        name: "simultaneous-close",
        topic: "Closing a connection",
        title: "Simultaneous close",
        summary: "Both ends close at once; the FINs cross and both pass through CLOSING to TIME-WAIT.",
        point: "at 1s server close",
        text: include_str!("presets/simultaneous-close.scn"),
    },
    Preset {
        name: "half-close",
        topic: "Closing a connection",
        title: "Half-close",
        summary: "The client stops sending but keeps reading; the server answers from CLOSE-WAIT.",
        point: "at 1s client shutdown-write",
        text: include_str!("presets/half-close.scn"),
    },
    Preset {
        name: "last-ack-lost",
        topic: "Closing a connection",
        title: "A lost last ACK",
        summary: "The server repeats its FIN; the client, still in TIME-WAIT, acknowledges it again.",
        point: "drop client->server nth=2 flags=ACK len=0",
        text: include_str!("presets/last-ack-lost.scn"),
    },
    Preset {
        name: "no-time-wait",
        topic: "Closing a connection",
        title: "No TIME-WAIT (counterfactual)",
        summary: "Not real TCP: without TIME-WAIT, the server's repeated FIN is answered by RST.",
        point: "counterfactual no-time-wait",
        text: include_str!("presets/no-time-wait.scn"),
    },
    Preset {
        name: "rst-closed-port",
        topic: "Opening a connection",
        title: "Connecting to a closed port",
        summary: "Nothing listens on the port: the SYN is answered by RST,ACK and connect fails with ECONNREFUSED.",
        point: "at 0s client connect server:81",
        text: include_str!("presets/rst-closed-port.scn"),
    },
    Preset {
        name: "keepalive-alive",
        topic: "Keepalive",
        title: "Keepalive, peer alive",
        summary: "After 2 hours of silence the client probes; the peer's ACK shows it is still there.",
        point: "set client.keepalive on",
        text: include_str!("presets/keepalive-alive.scn"),
    },
    Preset {
        name: "keepalive-dead",
        topic: "Keepalive",
        title: "Keepalive, peer gone",
        summary: "Nine unanswered probes, 75 s apart, then RST and ETIMEDOUT at 7875 s.",
        point: "at 1h server crash",
        text: include_str!("presets/keepalive-dead.scn"),
    },
    Preset {
        name: "keepalive-rebooted",
        topic: "Keepalive",
        title: "Keepalive, peer rebooted",
        summary: "The rebooted peer answers the first probe with RST, and the client learns at once.",
        point: "at 1h server reboot",
        text: include_str!("presets/keepalive-rebooted.scn"),
    },
    Preset {
        name: "syn-flood",
        topic: "Listen queues and SYN floods",
        title: "A SYN flood, cookies off",
        summary: "Spoofed SYNs keep the SYN queue full; Linux prunes old half-open entries, and the real client gets in only when a retry finds the room.",
        point: "set server.syncookies 0",
        text: include_str!("presets/syn-flood.scn"),
    },
    Preset {
        name: "syn-flood-cookies",
        topic: "Listen queues and SYN floods",
        title: "A SYN flood, cookies on",
        summary: "With the SYN queue full, SYN cookies let the real client connect at once without a queue entry.",
        point: "at 0s attacker flood server:80 rate=100/s count=1000 spoof=random",
        text: include_str!("presets/syn-flood-cookies.scn"),
    },
    Preset {
        name: "accept-queue-overflow",
        topic: "Listen queues and SYN floods",
        title: "Accept queue overflow",
        summary: "A slow application leaves the accept queue full; a finished handshake's ACK is dropped and retried.",
        point: "server listen 80 backlog=2 accept=manual",
        text: include_str!("presets/accept-queue-overflow.scn"),
    },
    Preset {
        name: "http10-vs-http11",
        topic: "Sending data",
        title: "HTTP/1.0 versus HTTP/1.1",
        summary: "Three requests: three connections (and three TIME-WAITs on the server) against one persistent connection.",
        point: "server listen 80 reply=2000 close=after-reply",
        text: include_str!("presets/http10-vs-http11.scn"),
    },
];

impl Preset {
    pub fn find(name: &str) -> Option<&'static Preset> {
        PRESETS.iter().find(|p| p.name == name)
    }

    /// "unknown preset `handshak`; did you mean `handshake`?" (or the list of presets).
    pub fn unknown(name: &str) -> String {
        let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
        super::error::unknown("preset", name, &names)
    }
}
