//! What one segment did, for the inspector: its header field by field, its fate, the rule
//! that sent it, and the state of the connection at each end around it; and the fault line
//! that would drop, delay or duplicate exactly this segment. Everything is read back from the
//! trace, so the inspector explains what the ladder shows and nothing else.

use crate::trace::{ConnId, DropCause, EventKind, HostId, SegId, Sent, Trace};
use serde::Serialize;

/// One header field as the inspector lists it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub value: String,
}

/// The connection at one end, in the step that sent or received the segment.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct End {
    pub host: String,
    /// `client:40000-server:80`, if the host had a connection for the segment.
    pub conn: Option<String>,
    pub before: Option<&'static str>,
    pub after: Option<&'static str>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct SegmentInfo {
    pub id: SegId,
    /// The arrow's label, as the ladder writes it.
    pub label: String,
    pub sent_us: u64,
    pub arrived_us: Option<u64>,
    /// `delivered`, `lost`, `dropped` (by a fault, a full queue, a host that is down) or
    /// `in flight`.
    pub fate: &'static str,
    pub drop_cause: Option<&'static str>,
    pub retransmission: bool,
    pub fields: Vec<Field>,
    /// The IPv4 and TCP headers as they would be on the wire, in hex (zero-filled payload).
    pub bytes: String,
    /// The rule that sent it: its stable id and RFC section (`9293 §3.10.7.2`).
    pub why: &'static str,
    pub rfc: Option<&'static str>,
    /// What that rule does, in English and in Chinese.
    pub why_en: &'static str,
    pub why_zh: &'static str,
    pub sender: End,
    pub receiver: End,
}

/// The inspector's view of a segment, or `None` if the trace holds no such segment.
pub fn segment(trace: &Trace, seg_id: SegId) -> Option<SegmentInfo> {
    let (sent_at, sent) = find_send(trace, seg_id)?;
    let event = &trace.events[sent_at];
    let seg = &sent.seg;
    let mut fate = ("in flight", None, None);
    for (i, e) in trace.events.iter().enumerate().skip(sent_at + 1) {
        match e.kind {
            EventKind::Deliver { seg_id: id } if id == seg_id => {
                fate = ("delivered", None, Some(i));
                break;
            }
            EventKind::Drop { seg_id: id, cause } if id == seg_id => {
                let what = if cause == DropCause::Loss {
                    "lost"
                } else {
                    "dropped"
                };
                fate = (what, Some(cause.name()), None);
                break;
            }
            _ => {}
        }
    }
    let (from, to) = (trace.host_of(sent.src), trace.host_of(sent.dst));
    let flags = seg.flags;
    let mut fields = vec![
        field("source port", seg.src_port),
        field("destination port", seg.dst_port),
        field(
            "sequence number",
            format!("{} (relative {})", seg.seq.0, sent.rseq),
        ),
        field(
            "acknowledgment number",
            if flags.ack() {
                format!("{} (relative {})", seg.ack.0, sent.rack)
            } else {
                "0 (no ACK flag)".to_string()
            },
        ),
        field("flags", flags),
        field("window", seg.window),
        field("payload length", seg.len),
    ];
    let options = seg.options.labels();
    if !options.is_empty() {
        fields.push(field("options", options.join(", ")));
    }
    let sender_end = from.map(|h| end_at(trace, h, sent_at, sent, true));
    let receiver_end = match (to, fate.2) {
        (Some(h), Some(delivered_at)) => Some(end_at(trace, h, delivered_at, sent, false)),
        (Some(h), None) => Some(End {
            host: trace.hosts[h].name.clone(),
            ..End::default()
        }),
        _ => None,
    };
    Some(SegmentInfo {
        id: seg_id,
        label: sent.label(false),
        sent_us: event.t.micros(),
        arrived_us: fate.2.map(|i| trace.events[i].t.micros()),
        fate: fate.0,
        drop_cause: fate.1,
        retransmission: sent.retrans,
        bytes: {
            let tcp = crate::wire::tcp_header(seg, sent.src, sent.dst);
            let ip = crate::wire::ipv4_header(
                sent.src,
                sent.dst,
                tcp.len() + seg.len as usize,
                seg_id as u16,
                64,
            );
            crate::wire::hex(&[&ip[..], &tcp].concat())
        },
        fields,
        why: event.why.id(),
        rfc: event.why.rfc(),
        why_en: crate::words::for_lang("en").reason(event.why),
        why_zh: crate::words::for_lang("zh").reason(event.why),
        sender: sender_end.unwrap_or_else(|| unnamed(trace, sent.src)),
        receiver: receiver_end.unwrap_or_else(|| unnamed(trace, sent.dst)),
    })
}

/// One row of the segment table, the ladder's accessible twin.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Row {
    pub id: SegId,
    pub sent_us: u64,
    pub from: String,
    pub to: String,
    pub label: String,
    pub fate: &'static str,
}

/// Every segment the trace holds, in the order sent, with its fate.
pub fn rows(trace: &Trace, absolute: bool) -> Vec<Row> {
    let mut fates = crate::rng::LookupMap::default();
    for e in &trace.events {
        match e.kind {
            EventKind::Deliver { seg_id } => {
                fates.entry(seg_id).or_insert("delivered");
            }
            EventKind::Drop { seg_id, cause } => {
                fates.entry(seg_id).or_insert(if cause == DropCause::Loss {
                    "lost"
                } else {
                    "dropped"
                });
            }
            _ => {}
        }
    }
    trace
        .sent_segments()
        .map(|(e, s)| Row {
            id: s.id,
            sent_us: e.t.micros(),
            from: trace.name_of(s.src),
            to: trace.name_of(s.dst),
            label: s.label(absolute),
            fate: fates.get(&s.id).copied().unwrap_or("in flight"),
        })
        .collect()
}

fn find_send(trace: &Trace, seg_id: SegId) -> Option<(usize, &Sent)> {
    trace
        .events
        .iter()
        .enumerate()
        .find_map(|(i, e)| Some((i, trace.sent(e)?)).filter(|(_, s)| s.id == seg_id))
}

fn field(name: &'static str, value: impl ToString) -> Field {
    Field {
        name,
        value: value.to_string(),
    }
}

/// An end that is not one of the scenario's hosts (a flood's spoofed source).
fn unnamed(trace: &Trace, addr: std::net::Ipv4Addr) -> End {
    End {
        host: trace.name_of(addr),
        ..End::default()
    }
}

/// The connection at host `h` in the step around event `at` (the events of that host at the
/// same moment): its state before the step and after it.
fn end_at(trace: &Trace, h: HostId, at: usize, sent: &Sent, sender: bool) -> End {
    let seg = &sent.seg;
    let (local, remote, remote_port, local_port) = if sender {
        (sent.src, sent.dst, seg.dst_port, seg.src_port)
    } else {
        (sent.dst, sent.src, seg.src_port, seg.dst_port)
    };
    debug_assert_eq!(trace.host_of(local), Some(h));
    let label = format!(
        "{}:{}-{}:{}",
        trace.hosts[h].name,
        local_port,
        trace.name_of(remote),
        remote_port
    );
    let t = trace.events[at].t;
    let same_step = |i: usize| trace.events[i].t == t && trace.events[i].host() == Some(h);
    let mut first = at;
    while first > 0 && same_step(first - 1) {
        first -= 1;
    }
    let mut last = at;
    while last + 1 < trace.events.len() && same_step(last + 1) {
        last += 1;
    }
    // The newest connection with this label that exists by the end of the step.
    let conns: Vec<ConnId> = (0..trace.conns.len() as ConnId)
        .filter(|c| trace.label(*c) == label)
        .collect();
    let state_of = |upto: usize| {
        let mut found: Option<(ConnId, &'static str)> = None;
        for e in &trace.events[..upto] {
            if let EventKind::State { conn, to, .. } = e.kind {
                if conns.contains(&conn) {
                    found = Some((conn, to.name()));
                }
            }
        }
        found
    };
    let after = state_of(last + 1);
    // Before the step, a different (older) connection may have had the label: only the
    // state of the connection the step ends with counts. A connection the step created
    // started from the state its first change names (CLOSED, or LISTEN for a passive open).
    let before = state_of(first)
        .filter(|(c, _)| Some(*c) == after.map(|(a, _)| a))
        .map(|(_, s)| s)
        .or_else(|| {
            let (conn, _) = after?;
            trace.events[first..=last]
                .iter()
                .find_map(|e| match e.kind {
                    EventKind::State { conn: c, from, .. } if c == conn => Some(from.name()),
                    _ => None,
                })
        });
    End {
        host: trace.hosts[h].name.clone(),
        conn: after.map(|_| label.clone()),
        before,
        after: after.map(|(_, s)| s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Preset, Scenario};
    use crate::sim::Sim;

    fn run(text: &str) -> Sim {
        let mut sim = Sim::new(&Scenario::parse(text).unwrap());
        sim.run_to_end();
        sim
    }

    fn seg_ids(sim: &Sim, flags: &str) -> Vec<SegId> {
        (sim.trace().sent_segments())
            .filter(|(_, s)| s.seg.flags.to_string() == flags)
            .map(|(_, s)| s.id)
            .collect()
    }

    #[test]
    fn the_synack_of_a_handshake_explains_both_ends() {
        let sim = run(Preset::find("handshake").unwrap().text);
        let id = seg_ids(&sim, "SYN,ACK")[0];
        let info = segment(sim.trace(), id).unwrap();
        assert_eq!(info.fate, "delivered");
        assert_eq!(info.why, "syn-received");
        assert_eq!(info.rfc, Some("9293 §3.10.7.2"));
        assert_eq!(info.label, "SYN,ACK seq=0 ack=1");
        assert_eq!(info.sender.host, "server");
        assert_eq!(
            (info.sender.before, info.sender.after),
            (Some("LISTEN"), Some("SYN-RECEIVED"))
        );
        assert_eq!(
            (info.receiver.before, info.receiver.after),
            (Some("SYN-SENT"), Some("ESTABLISHED"))
        );
        assert_eq!(info.arrived_us, Some(info.sent_us + 50_000));
        let flags = info.fields.iter().find(|f| f.name == "flags").unwrap();
        assert_eq!(flags.value, "SYN,ACK");
    }

    #[test]
    fn a_lost_segment_says_so_and_has_no_receiver_state() {
        let sim = run(Preset::find("syn-lost").unwrap().text);
        let first_syn = seg_ids(&sim, "SYN")[0];
        let info = segment(sim.trace(), first_syn).unwrap();
        assert_eq!((info.fate, info.drop_cause), ("dropped", Some("rule")));
        assert_eq!(info.receiver.before, None);
        let again = segment(sim.trace(), seg_ids(&sim, "SYN")[1]).unwrap();
        assert!(again.retransmission);
        assert_eq!(again.why, "rto-expired");
    }
}
