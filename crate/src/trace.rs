//! The event log that everything downstream reads: the ladder, the JSON output, the text
//! output and the tests. Every event carries its `why` (DESIGN.md, "Trace events", a contract).

use crate::segment::Segment;
use crate::tcp::{Errno, State, TimerAction, TimerName};
use crate::time::Instant;
use crate::why::Why;
use std::fmt::Write as _;
use std::net::Ipv4Addr;

/// Index of a host in [`Trace::hosts`].
pub type HostId = usize;
/// Index of a connection label in [`Trace::conns`] (see [`Trace::label`]).
pub type ConnId = u32;
/// A segment's id, unique within one run.
pub type SegId = u32;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostInfo {
    pub name: String,
    pub addr: Ipv4Addr,
    /// It has sent segments from addresses not its own (a flood's spoofed sources): its
    /// lifeline stands for all of them.
    pub spoofing: bool,
}

/// One segment as it left a host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    pub id: SegId,
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    pub seg: Segment,
    /// Sequence and acknowledgment numbers relative to each side's ISN, as Wireshark shows them.
    pub rseq: u32,
    pub rack: u32,
    pub retrans: bool,
    /// When the link will deliver it, decided as it is sent; `None` if it will not arrive.
    pub eta: Option<Instant>,
}

impl Sent {
    /// `SYN,ACK seq=0 ack=1`, with `len=` when there is payload: the arrow's label.
    pub fn label(&self, absolute: bool) -> String {
        // Relative numbers more than 2^31 past the ISN are really before it (an old
        // incarnation's number, say): show them as negative, which is what they mean.
        let (seq, ack) = if absolute {
            (i64::from(self.seg.seq.0), i64::from(self.seg.ack.0))
        } else {
            (i64::from(self.rseq as i32), i64::from(self.rack as i32))
        };
        let mut label = format!("{} seq={seq}", self.seg.flags);
        if self.seg.flags.ack() {
            let _ = write!(label, " ack={ack}");
        }
        if self.seg.len > 0 {
            let _ = write!(label, " len={}", self.seg.len);
        }
        label
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropCause {
    Loss,
    Rule,
    QueueFull,
    NoRoute,
    HostDown,
}

impl DropCause {
    pub fn name(self) -> &'static str {
        match self {
            DropCause::Loss => "loss",
            DropCause::Rule => "rule",
            DropCause::QueueFull => "queue-full",
            DropCause::NoRoute => "no-route",
            DropCause::HostDown => "host-down",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A segment sent: its record's place in [`Trace::sends`] (read it with [`Trace::sent`]).
    Send(u32),
    Deliver {
        seg_id: SegId,
    },
    Drop {
        seg_id: SegId,
        cause: DropCause,
    },
    State {
        conn: ConnId,
        from: State,
        to: State,
    },
    Timer {
        conn: ConnId,
        timer: TimerName,
        action: TimerAction,
        at: Instant,
    },
    /// A listening socket's queues changed.
    Queue {
        conn: ConnId,
        syn_queue: u32,
        syn_limit: u32,
        accept_queue: u32,
        accept_limit: u32,
    },
    /// What an application call did or got: `connect`, `accept`, `send`, `recv`, `close`,
    /// `abort`, or `error` with an errno name.
    App {
        conn: Option<ConnId>,
        call: Call,
        bytes: Option<u32>,
        errno: Option<Errno>,
    },
}

impl EventKind {
    /// What became of a segment, if this event says: it was delivered, or dropped (and why).
    pub fn fate(&self) -> Option<(SegId, Fate)> {
        match *self {
            EventKind::Deliver { seg_id } => Some((seg_id, Fate::Delivered)),
            EventKind::Drop { seg_id, cause } => Some((seg_id, Fate::Dropped(cause))),
            EventKind::Send(_)
            | EventKind::State { .. }
            | EventKind::Timer { .. }
            | EventKind::Queue { .. }
            | EventKind::App { .. } => None,
        }
    }
}

/// The end of a segment's journey.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    Delivered,
    Dropped(DropCause),
}

impl Fate {
    /// `delivered`, `lost` (the network lost it) or `dropped` (a fault, a full queue, a host
    /// that is down), as the inspector and the segment table say it.
    pub fn name(self) -> &'static str {
        match self {
            Fate::Delivered => "delivered",
            Fate::Dropped(DropCause::Loss) => "lost",
            Fate::Dropped(_) => "dropped",
        }
    }
}

/// An application's socket call, or what it learned (`connected`, `error`), as the trace
/// names it. Small names keep a trace event small: a long run records a million of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    Connect,
    Connected,
    Bind,
    Listen,
    CloseListener,
    Accept,
    Send,
    Recv,
    Close,
    ShutdownWrite,
    Abort,
    Error,
    Crash,
    Reboot,
    Unplug,
    Replug,
    Flood,
    Keepalive,
    KeepaliveOn,
    KeepaliveOff,
    NodelayOn,
    NodelayOff,
}

impl Call {
    pub fn name(self) -> &'static str {
        match self {
            Call::Connect => "connect",
            Call::Connected => "connected",
            Call::Bind => "bind",
            Call::Listen => "listen",
            Call::CloseListener => "close-listener",
            Call::Accept => "accept",
            Call::Send => "send",
            Call::Recv => "recv",
            Call::Close => "close",
            Call::ShutdownWrite => "shutdown-write",
            Call::Abort => "abort",
            Call::Error => "error",
            Call::Crash => "crash",
            Call::Reboot => "reboot",
            Call::Unplug => "unplug",
            Call::Replug => "replug",
            Call::Flood => "flood",
            Call::Keepalive => "keepalive",
            Call::KeepaliveOn => "keepalive-on",
            Call::KeepaliveOff => "keepalive-off",
            Call::NodelayOn => "nodelay-on",
            Call::NodelayOff => "nodelay-off",
        }
    }
}

display_as_name!(Call);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub t: Instant,
    /// See [`Event::host`]. (Four bytes, not eight: a long run records a million events.)
    host: Option<u32>,
    pub why: Why,
    pub kind: EventKind,
}

impl Event {
    pub fn new(t: Instant, host: Option<HostId>, why: Why, kind: EventKind) -> Event {
        // A scenario has a handful of hosts (at most 16, and an attacker's stand-in).
        debug_assert!(host.is_none_or(|h| u32::try_from(h).is_ok()));
        let host = host.map(|h| h as u32);
        Event { t, host, why, kind }
    }

    /// The host it happened at; `None` for a segment lost on the way, between hosts.
    pub fn host(&self) -> Option<HostId> {
        self.host.map(|h| h as HostId)
    }
}

/// A flood's segments beyond the first few, which the trace counts instead of keeping.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FloodSummary {
    pub segments: u64,
    pub syns: u64,
    pub synacks: u64,
    pub rsts: u64,
    /// Lost on the way.
    pub lost: u64,
    /// Dropped by the receiving host (a full queue, a crashed host).
    pub dropped: u64,
    pub first: Option<Instant>,
    pub last: Option<Instant>,
}

/// How many events a trace keeps in full by default: a long run keeps its beginning and
/// counts the rest, so it cannot exhaust the memory of a browser tab.
pub const DEFAULT_TRACE_LIMIT: usize = 1_000_000;

#[derive(Clone, Debug)]
pub struct Trace {
    pub hosts: Vec<HostInfo>,
    /// Stable connection labels, `client:40000-server:80`.
    pub conns: Vec<String>,
    /// Counterfactual modes in force: what this trace shows is not real TCP.
    pub counterfactuals: Vec<&'static str>,
    /// Flood traffic past the detail the trace keeps, counted instead of recorded.
    pub flood: FloodSummary,
    /// The most events kept in full; later ones are only counted in `unrecorded`.
    pub limit: usize,
    pub unrecorded: u64,
    pub events: Vec<Event>,
    /// The records of the segments the `send` events sent.
    pub sends: Sends,
}

/// A trace's segment records, in blocks that are allocated once and never move: a long run
/// sends hundreds of thousands of segments, and neither one allocation per record nor one
/// vector copied each time it doubles would be cheap.
#[derive(Clone, Debug, Default)]
pub struct Sends {
    blocks: Vec<Vec<Sent>>,
    len: usize,
}

/// Records per block (about 320 KB).
const SENDS_BLOCK: usize = 4096;

impl Sends {
    /// Keeps a record; returns its index.
    pub fn push(&mut self, sent: Sent) -> u32 {
        if self.len.is_multiple_of(SENDS_BLOCK) {
            // The first block grows as a vector does, so a short trace stays small.
            let capacity = if self.blocks.is_empty() {
                0
            } else {
                SENDS_BLOCK
            };
            self.blocks.push(Vec::with_capacity(capacity));
        }
        self.blocks
            .last_mut()
            .expect("a block with room")
            .push(sent);
        self.len += 1;
        u32::try_from(self.len - 1).expect("fewer than 2^32 segments")
    }

    pub fn get(&self, index: u32) -> &Sent {
        let i = index as usize;
        &self.blocks[i / SENDS_BLOCK][i % SENDS_BLOCK]
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Sent> {
        self.blocks.iter().flatten()
    }

    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut Sent> {
        self.blocks.iter_mut().flatten()
    }
}

impl<'a> IntoIterator for &'a Sends {
    type Item = &'a Sent;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'a, Vec<Sent>>>;
    fn into_iter(self) -> Self::IntoIter {
        self.blocks.iter().flatten()
    }
}

impl Default for Trace {
    fn default() -> Trace {
        Trace {
            hosts: Vec::new(),
            conns: Vec::new(),
            counterfactuals: Vec::new(),
            events: Vec::new(),
            sends: Sends::default(),
            flood: FloodSummary::default(),
            limit: DEFAULT_TRACE_LIMIT,
            unrecorded: 0,
        }
    }
}

impl Trace {
    /// Keeps the event, or only counts it once the trace is full.
    pub fn push(&mut self, event: Event) {
        if self.has_room() {
            self.events.push(event);
        } else {
            self.unrecorded += 1;
        }
    }

    /// Keeps a `send` event and its segment's record, or only counts it once the trace is full.
    pub fn push_send(&mut self, t: Instant, host: HostId, why: Why, sent: Sent) {
        if self.has_room() {
            let index = self.sends.push(sent);
            self.events
                .push(Event::new(t, Some(host), why, EventKind::Send(index)));
        } else {
            self.unrecorded += 1;
        }
    }

    /// The segment a `send` event sent; `None` for any other event.
    pub fn sent(&self, event: &Event) -> Option<&Sent> {
        let EventKind::Send(index) = event.kind else {
            return None;
        };
        Some(self.sends.get(index))
    }

    /// Each `send` event with its segment, in trace order.
    pub fn sent_segments(&self) -> impl DoubleEndedIterator<Item = (&Event, &Sent)> {
        (self.events.iter()).filter_map(|e| Some((e, self.sent(e)?)))
    }

    pub fn has_room(&self) -> bool {
        self.has_room_for(1)
    }

    /// Whether `n` more events would be kept in full.
    pub fn has_room_for(&self, n: usize) -> bool {
        self.events.len() + n <= self.limit
    }

    /// How many segments it records.
    pub fn segment_count(&self) -> usize {
        self.events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Send(_)))
            .count()
    }

    /// When its last event happened (zero for an empty trace).
    pub fn end(&self) -> Instant {
        self.events.last().map_or(Instant::ZERO, |e| e.t)
    }

    /// A connection's label, `client:40000-server:80`.
    pub fn label(&self, conn: ConnId) -> &str {
        &self.conns[conn as usize]
    }

    /// The name of the host with this address, or the address itself.
    pub fn name_of(&self, addr: Ipv4Addr) -> String {
        self.hosts
            .iter()
            .find(|h| h.addr == addr)
            .map(|h| h.name.clone())
            .unwrap_or_else(|| addr.to_string())
    }

    pub fn host_of(&self, addr: Ipv4Addr) -> Option<HostId> {
        self.hosts.iter().position(|h| h.addr == addr)
    }

    /// One event as a JSON object in the contract's shape (DESIGN.md, "Trace events"), on one
    /// line: the fields in a fixed order, no spaces. Written by hand: a JSON library would be
    /// the largest part of the WebAssembly module for this one output.
    pub fn event_json(&self, event: &Event) -> String {
        let mut out = String::with_capacity(160);
        self.write_event_json(event, &mut out);
        out
    }

    fn write_event_json(&self, event: &Event, out: &mut String) {
        let mut o = JsonObject::open(out);
        o.num("t", event.t.micros());
        let kind = match &event.kind {
            EventKind::Send(_) => "send",
            EventKind::Deliver { .. } => "deliver",
            EventKind::Drop { .. } => "drop",
            EventKind::State { .. } => "state",
            EventKind::Timer { .. } => "timer",
            EventKind::Queue { .. } => "queue",
            EventKind::App { .. } => "app",
        };
        o.str("kind", kind);
        if let Some(host) = event.host() {
            o.str("host", &self.hosts[host].name);
        }
        match &event.kind {
            &EventKind::Send(index) => {
                let s = self.sends.get(index);
                let seg = &s.seg;
                o.key("seg");
                let mut r = JsonObject::open(o.out);
                r.num("id", s.id);
                r.str("src", &self.name_of(s.src));
                r.str("dst", &self.name_of(s.dst));
                r.num("sport", seg.src_port);
                r.num("dport", seg.dst_port);
                r.str("flags", &seg.flags.to_string());
                r.num("seq", seg.seq.0);
                r.num("ack", seg.ack.0);
                r.num("rseq", s.rseq);
                r.num("rack", s.rack);
                r.num("len", seg.len);
                r.num("win", seg.window);
                r.strs("opts", &seg.options.labels());
                r.bool("retrans", s.retrans);
                if let Some(eta) = s.eta {
                    r.num("eta", eta.micros());
                }
                r.close();
            }
            EventKind::Deliver { seg_id } => o.num("seg_id", seg_id),
            EventKind::Drop { seg_id, cause } => {
                o.num("seg_id", seg_id);
                o.str("cause", cause.name());
            }
            EventKind::State { conn, from, to } => {
                o.str("conn", self.label(*conn));
                o.str("from", from.name());
                o.str("to", to.name());
            }
            EventKind::Timer {
                conn,
                timer,
                action,
                at,
            } => {
                o.str("conn", self.label(*conn));
                o.str("timer", timer.name());
                o.str("action", action.name());
                o.num("at", at.micros());
            }
            EventKind::Queue {
                conn,
                syn_queue,
                syn_limit,
                accept_queue,
                accept_limit,
            } => {
                o.str("conn", self.label(*conn));
                o.num("syn_queue", syn_queue);
                o.num("syn_limit", syn_limit);
                o.num("accept_queue", accept_queue);
                o.num("accept_limit", accept_limit);
            }
            EventKind::App {
                conn,
                call,
                bytes,
                errno,
            } => {
                if let Some(conn) = conn {
                    o.str("conn", self.label(*conn));
                }
                o.str("call", call.name());
                if let Some(bytes) = bytes {
                    o.num("bytes", bytes);
                }
                if let Some(errno) = errno {
                    o.str("errno", errno.name());
                }
            }
        }
        o.str("why", event.why.id());
        if let Some(rfc) = event.why.rfc() {
            o.str("rfc", rfc);
        }
        o.close();
    }

    /// The whole trace as JSON lines, one event per line.
    pub fn to_json_lines(&self) -> String {
        let mut out = String::with_capacity(self.events.len() * 160);
        for event in &self.events {
            self.write_event_json(event, &mut out);
            out.push('\n');
        }
        out
    }

    /// One event as a line of the human-readable trace, the form golden files use:
    /// `0.050s server > client SYN,ACK seq=0 ack=1 win=64240 [mss=1460] (syn-received)`.
    pub fn event_text(&self, event: &Event) -> String {
        let mut line = format!("{} ", event.t);
        // An event with no host happened in the network between the hosts.
        let host = event
            .host()
            .map(|h| self.hosts[h].name.as_str())
            .unwrap_or("network");
        let _ = match &event.kind {
            &EventKind::Send(index) => {
                let s = self.sends.get(index);
                let seg = &s.seg;
                let _ = write!(
                    line,
                    "{} > {} {} seq={}",
                    self.name_of(s.src),
                    self.name_of(s.dst),
                    seg.flags,
                    s.rseq
                );
                if seg.flags.ack() {
                    let _ = write!(line, " ack={}", s.rack);
                }
                if seg.len > 0 {
                    let _ = write!(line, " len={}", seg.len);
                }
                let _ = write!(line, " win={}", seg.window);
                let opts = seg.options.labels();
                if !opts.is_empty() {
                    let _ = write!(line, " [{}]", opts.join(","));
                }
                if s.retrans {
                    line.push_str(" retransmission");
                }
                Ok(())
            }
            EventKind::Deliver { seg_id } => write!(line, "{host} receives #{seg_id}"),
            EventKind::Drop { seg_id, cause } => {
                write!(line, "{host} drops #{seg_id} ({})", cause.name())
            }
            EventKind::State { from, to, .. } => write!(line, "{host} {from} -> {to}"),
            EventKind::Queue {
                syn_queue,
                syn_limit,
                accept_queue,
                accept_limit,
                ..
            } => write!(
                line,
                "{host} queues syn {syn_queue}/{syn_limit} accept {accept_queue}/{accept_limit}"
            ),
            EventKind::Timer {
                timer, action, at, ..
            } => match *action {
                TimerAction::Set => write!(line, "{host} timer {timer} set, due {at}"),
                TimerAction::Fired | TimerAction::Cancelled => {
                    write!(line, "{host} timer {timer} {action}")
                }
            },
            EventKind::App {
                call, bytes, errno, ..
            } => {
                let _ = write!(line, "{host} app {call}");
                if let Some(bytes) = bytes {
                    let _ = write!(line, " {bytes} bytes");
                }
                if let Some(errno) = errno {
                    let _ = write!(line, " {errno}");
                }
                Ok(())
            }
        };
        let _ = write!(line, " ({}", event.why.id());
        if let Some(rfc) = event.why.rfc() {
            let _ = write!(line, ", RFC {rfc}");
        }
        line.push(')');
        line
    }

    /// A 64-bit FNV-1a digest of the JSON lines, in hex: equal digests mean byte-identical
    /// traces, which is how runs are compared natively and in the browser.
    pub fn digest(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in self.to_json_lines().bytes() {
            h = (h ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for event in &self.events {
            out.push_str(&self.event_text(event));
            out.push('\n');
        }
        out
    }
}

/// A JSON object being written into a string: `{"key":value,...}`, fields in the order
/// written. Strings are escaped as RFC 8259 §7 requires (quote, backslash and the control
/// characters; the short forms where JSON has them).
struct JsonObject<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> JsonObject<'a> {
    fn open(out: &'a mut String) -> JsonObject<'a> {
        out.push('{');
        JsonObject { out, first: true }
    }

    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        json_string(self.out, key);
        self.out.push(':');
    }

    fn num(&mut self, key: &str, value: impl std::fmt::Display) {
        self.key(key);
        let _ = write!(self.out, "{value}");
    }

    fn str(&mut self, key: &str, value: &str) {
        self.key(key);
        json_string(self.out, value);
    }

    fn bool(&mut self, key: &str, value: bool) {
        self.key(key);
        self.out.push_str(if value { "true" } else { "false" });
    }

    fn strs(&mut self, key: &str, values: &[String]) {
        self.key(key);
        self.out.push('[');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            json_string(self.out, v);
        }
        self.out.push(']');
    }

    fn close(self) {
        self.out.push('}');
    }
}

fn json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_json_line_is_what_a_json_library_writes_for_the_same_object() {
        use crate::scenario::{Scenario, PRESETS};
        let mut lines = 0;
        for preset in PRESETS {
            let mut sim = crate::sim::Sim::new(&Scenario::parse(preset.text).unwrap());
            sim.run_to_end();
            for line in sim.trace().to_json_lines().lines() {
                let value: serde_json::Value = serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("{}: {e}: {line}", preset.name));
                assert_eq!(value.to_string(), line, "{}", preset.name);
                lines += 1;
            }
        }
        assert!(lines > 1000, "{lines} lines");
    }

    #[test]
    fn json_strings_escape_what_json_requires() {
        for text in [
            "plain",
            "quote \" and \\ back",
            "tab\tnew\nline\r",
            "\u{1}\u{1f}\u{7f}",
            "\u{8}\u{c}",
            "中文 · é",
        ] {
            let mut out = String::new();
            json_string(&mut out, text);
            assert_eq!(out, serde_json::to_string(text).unwrap());
        }
    }

    #[test]
    fn segment_records_keep_their_index_across_blocks() {
        let record = |id| Sent {
            id,
            src: Ipv4Addr::new(10, 0, 0, 1),
            dst: Ipv4Addr::new(10, 0, 0, 2),
            seg: Segment::default(),
            rseq: 0,
            rack: 0,
            retrans: false,
            eta: None,
        };
        let mut sends = Sends::default();
        let n = 2 * SENDS_BLOCK as u32 + 7;
        for id in 0..n {
            assert_eq!(sends.push(record(id)), id);
        }
        assert_eq!(sends.len(), n as usize);
        assert!((0..n).all(|i| sends.get(i).id == i));
        let ids: Vec<u32> = sends.iter().map(|s| s.id).collect();
        assert_eq!(ids, (0..n).collect::<Vec<_>>());
        sends.iter_mut().for_each(|s| s.retrans = true);
        assert!((&sends).into_iter().all(|s| s.retrans));
    }
}
