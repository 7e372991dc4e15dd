//! What one segment did, for the inspector: its header field by field, its fate, the rule
//! that sent it, and the state of the connection at each end around it. Everything is read
//! back from the trace, so the inspector explains what the ladder shows and nothing else.

use crate::trace::{ConnId, EventKind, Fate, HostId, SegId, Sent, Trace};
use crate::wire;
use crate::words::Words;
use serde::Serialize;

/// IPv4's default time to live, as Linux sends it; the IPv4 identification is the segment's id.
const TTL: u8 = 64;
/// The fate of a segment that has neither arrived nor been dropped yet.
const IN_FLIGHT: &str = "in flight";

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
    /// The same headers field by field (name, bit offset, width, value), for a diagram.
    pub header: wire::Layout,
    /// The sequence and acknowledgment numbers relative to each side's ISN, as the ladder
    /// labels them (the acknowledgment only with ACK).
    pub relative_seq: u32,
    pub relative_ack: Option<u32>,
    /// The rule that sent it: its stable id and RFC section (`9293 §3.10.7.2`).
    pub why: &'static str,
    pub rfc: Option<&'static str>,
    /// What that rule does, in the language asked for.
    pub explanation: &'static str,
    pub sender: End,
    pub receiver: End,
}

/// The inspector's view of a segment, its rule explained in `words`' language, or `None` if
/// the trace holds no such segment.
pub fn segment(trace: &Trace, seg_id: SegId, words: &Words) -> Option<SegmentInfo> {
    let (sent_at, sent) = find_send(trace, seg_id)?;
    let event = &trace.events[sent_at];
    let seg = &sent.seg;
    // What became of it: delivered (at which event), dropped (and why), or still in flight.
    let ending = trace
        .events
        .iter()
        .enumerate()
        .skip(sent_at + 1)
        .find_map(|(i, e)| {
            e.kind
                .fate()
                .filter(|&(id, _)| id == seg_id)
                .map(|(_, fate)| (i, fate))
        });
    let delivered_at = ending.and_then(|(i, f)| (f == Fate::Delivered).then_some(i));
    let drop_cause = ending.and_then(|(_, f)| match f {
        Fate::Dropped(cause) => Some(cause.name()),
        Fate::Delivered => None,
    });
    let headers = wire::headers(seg, sent.src, sent.dst, seg_id as u16, TTL);
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
    let receiver_end = match (to, delivered_at) {
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
        arrived_us: delivered_at.map(|i| trace.events[i].t.micros()),
        fate: ending.map_or(IN_FLIGHT, |(_, f)| f.name()),
        drop_cause,
        retransmission: sent.retrans,
        bytes: wire::hex(&headers),
        header: wire::layout(&headers, seg.len as usize)?,
        relative_seq: sent.rseq,
        relative_ack: flags.ack().then_some(sent.rack),
        fields,
        why: event.why.id(),
        rfc: event.why.rfc(),
        explanation: words.reason(event.why),
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
    for (seg_id, fate) in trace.events.iter().filter_map(|e| e.kind.fate()) {
        fates.entry(seg_id).or_insert(fate.name());
    }
    trace
        .sent_segments()
        .map(|(e, s)| Row {
            id: s.id,
            sent_us: e.t.micros(),
            from: trace.name_of(s.src),
            to: trace.name_of(s.dst),
            label: s.label(absolute),
            fate: fates.get(&s.id).copied().unwrap_or(IN_FLIGHT),
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

    fn english() -> &'static Words {
        crate::words::for_lang("en")
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
        let info = segment(sim.trace(), id, english()).unwrap();
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
        let info = segment(sim.trace(), first_syn, english()).unwrap();
        assert_eq!((info.fate, info.drop_cause), ("dropped", Some("rule")));
        assert_eq!(info.receiver.before, None);
        let again = segment(sim.trace(), seg_ids(&sim, "SYN")[1], english()).unwrap();
        assert!(again.retransmission);
        assert_eq!(again.why, "rto-expired");
    }

    /// The bits `width` wide at bit `bit` of `bytes`, big-endian, as a number.
    fn bits(bytes: &[u8], bit: u32, width: u32) -> u64 {
        (bit..bit + width).fold(0, |v, b| {
            let byte = bytes[(b / 8) as usize];
            (v << 1) | u64::from(byte >> (7 - b % 8) & 1)
        })
    }

    #[test]
    fn the_header_layout_tiles_the_bytes_and_every_value_is_what_its_bits_say() {
        let sim = run(Preset::find("handshake").unwrap().text);
        for (_, sent) in sim.trace().sent_segments() {
            let info = segment(sim.trace(), sent.id, english()).unwrap();
            let bytes: Vec<u8> = (info.bytes.split_whitespace())
                .map(|h| u8::from_str_radix(h, 16).unwrap())
                .collect();
            let ip_len = 20;
            let (ip, tcp) = bytes.split_at(ip_len);
            for (fields, header) in [(&info.header.ip, ip), (&info.header.tcp, tcp)] {
                let mut next = 0;
                for f in fields.iter().filter(|f| f.name != "data") {
                    assert_eq!(f.bit, next, "{} starts where the one before ends", f.name);
                    next += f.width;
                    let value = if f.name == "option" {
                        u64::from(header[(f.bit / 8) as usize])
                    } else {
                        bits(header, f.bit, f.width)
                    };
                    assert_eq!(f.value, value, "{} of {}", f.name, info.label);
                }
                assert_eq!(next as usize, header.len() * 8, "{}", info.label);
            }
            let field = |name: &str| info.header.tcp.iter().find(|f| f.name == name).unwrap();
            assert_eq!(field("sequence number").value, u64::from(sent.seg.seq.0));
            assert_eq!(field("SYN").value, u64::from(sent.seg.flags.syn()));
            assert_eq!(field("data").value, u64::from(sent.seg.len));
            assert_eq!(info.relative_seq, sent.rseq);
            let pseudo = |name: &str| info.header.pseudo.iter().find(|f| f.name == name).unwrap();
            assert_eq!(
                pseudo("TCP length").value,
                (tcp.len() as u64) + u64::from(sent.seg.len)
            );
            assert_eq!(
                pseudo("source address").text.as_deref(),
                Some(&*sent.src.to_string())
            );
        }
        // The client's SYN carries Linux's options, each its own field with its words.
        let syn = segment(sim.trace(), seg_ids(&sim, "SYN")[0], english()).unwrap();
        let options: Vec<(u64, &str, &str)> = (syn.header.tcp.iter())
            .filter(|f| f.name == "option")
            .map(|f| {
                (
                    f.value,
                    f.text.as_deref().unwrap(),
                    f.bytes.as_deref().unwrap(),
                )
            })
            .collect();
        assert_eq!(options[0], (2, "1460", "02 04 05 b4"));
        assert_eq!(options.last().unwrap().0, 3, "window scale comes last");
        assert_eq!(
            syn.relative_ack, None,
            "a SYN without ACK has no acknowledgment"
        );
    }

    #[test]
    fn the_rule_is_explained_in_the_language_asked_for() {
        let sim = run(Preset::find("handshake").unwrap().text);
        let id = seg_ids(&sim, "SYN,ACK")[0];
        let en = segment(sim.trace(), id, english()).unwrap();
        let zh = segment(sim.trace(), id, crate::words::for_lang("zh-CN")).unwrap();
        assert_eq!(en.why, zh.why);
        assert_eq!(en.explanation, english().reason(crate::why::LISTEN_SYN));
        assert_ne!(en.explanation, zh.explanation);
        assert!(zh
            .explanation
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
    }
}
