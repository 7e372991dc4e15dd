//! pcap import (`pcap::read`): a simulated run written with `pcap::write` and read back with
//! `parse` + `observe` gives the same segments, in the same order, with the same relative
//! numbers and retransmission marks; so does the same capture converted by Wireshark's editcap
//! (pcapng, raw IP) and re-framed as Linux cooked captures; damaged files are refused with
//! a reason and never make the reader panic. `import --one-way D` keeps the capture's clock. A
//! real capture made by the kernel oracle reads as the model runs the same scenario.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;
use tcp_playground::pcap;
use tcp_playground::pcap::read::{parse, Capture, MAX_CAPTURE_BYTES};
use tcp_playground::scenario::{Preset, Scenario, PRESETS};
use tcp_playground::sim::Sim;
use tcp_playground::trace::{EventKind, Sent, Trace};

const EDITCAP: &str = "/usr/bin/editcap";

fn simulate(name: &str) -> Trace {
    let preset = Preset::find(name).unwrap_or_else(|| panic!("no preset {name}"));
    let mut sim = Sim::new(&Scenario::parse(preset.text).expect("presets parse"));
    sim.run_to_end();
    sim.trace().clone()
}

fn sends(trace: &Trace) -> Vec<&Sent> {
    trace.sent_segments().map(|(_, s)| s).collect()
}

type Tuple = (Ipv4Addr, u16, Ipv4Addr, u16);

/// Both directions of a segment's connection, the lower end first.
fn conn_key(s: &Sent) -> Tuple {
    let a = (s.src, s.seg.src_port);
    let b = (s.dst, s.seg.dst_port);
    let (lo, hi) = (a.min(b), a.max(b));
    (lo.0, lo.1, hi.0, hi.1)
}

/// What must survive the round trip, as one comparable line per segment.
fn fields(s: &Sent) -> String {
    // Without ACK the acknowledgment field goes out as zero (wire.rs), whatever it held.
    let ack = if s.seg.flags.ack() { s.seg.ack.0 } else { 0 };
    format!(
        "{}:{} > {}:{} {} seq={} ack={} rseq={} rack={} len={} win={} opts={:?} retrans={}",
        s.src,
        s.seg.src_port,
        s.dst,
        s.seg.dst_port,
        s.seg.flags,
        s.seg.seq.0,
        ack,
        s.rseq,
        s.rack,
        s.seg.len,
        s.seg.window,
        s.seg.options.labels(),
        s.retrans
    )
}

/// Every connection of the capture observed, its sends in id (capture) order, compared with the
/// simulated sends of the same 4-tuple in trace order. Returns the differences.
fn differences(simulated: &Trace, capture: &Capture) -> Vec<String> {
    let mut out = Vec::new();
    let expected = sends(simulated);
    let connections = capture.connections();
    let mut imported_total = 0;
    for (i, conn) in connections.iter().enumerate() {
        let trace = capture.observe(i).expect("observe");
        let mut got = sends(&trace);
        got.sort_by_key(|s| s.id);
        let ids: Vec<u32> = got.iter().map(|s| s.id).collect();
        let want_ids: Vec<u32> = (1..=got.len() as u32).collect();
        if ids != want_ids {
            out.push(format!("{}: ids {ids:?}", conn.label));
        }
        imported_total += got.len();
        let Some(key) = got.first().map(|s| conn_key(s)) else {
            out.push(format!("{}: no segments", conn.label));
            continue;
        };
        let want: Vec<String> = expected
            .iter()
            .filter(|s| conn_key(s) == key)
            .map(|s| fields(s))
            .collect();
        let got: Vec<String> = got.iter().map(|s| fields(s)).collect();
        if want.len() != got.len() {
            out.push(format!(
                "{}: {} segments simulated, {} imported",
                conn.label,
                want.len(),
                got.len()
            ));
        }
        for (n, (w, g)) in want.iter().zip(&got).enumerate() {
            if w != g {
                out.push(format!(
                    "{} segment {}:\n  simulated {w}\n  imported  {g}",
                    conn.label,
                    n + 1
                ));
            }
        }
    }
    if imported_total != expected.len() {
        out.push(format!(
            "{} segments simulated, {imported_total} imported",
            expected.len()
        ));
    }
    out
}

/// Every preset, written as a pcap file and read back.
#[test]
fn every_preset_reads_back_as_its_simulated_segments() {
    let mut failures = Vec::new();
    for preset in PRESETS {
        let simulated = simulate(preset.name);
        let capture =
            parse(&pcap::write(&simulated)).unwrap_or_else(|e| panic!("{}: {e}", preset.name));
        assert_eq!(capture.skipped(), "", "{}", preset.name);
        for d in differences(&simulated, &capture) {
            failures.push(format!("{}: {d}", preset.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The presets whose captures exercise the most: retransmitted SYN, SYN,ACK, data and FIN,
/// keepalive probes, resets, several connections.
const SAMPLE: [&str; 6] = [
    "syn-lost",
    "ack-lost",
    "last-ack-lost",
    "keepalive-dead",
    "rst-closed-port",
    "http10-vs-http11",
];

#[test]
fn the_comparison_notices_a_changed_segment() {
    let simulated = simulate("syn-lost");
    let capture = parse(&pcap::write(&simulated)).unwrap();
    assert!(differences(&simulated, &capture).is_empty());
    let retransmissions = sends(&simulated).iter().filter(|s| s.retrans).count();
    assert!(retransmissions > 0, "syn-lost retransmits its SYN");
    for change in 0..3 {
        let mut changed = simulated.clone();
        let sent = changed.sends.iter_mut().find(|s| s.retrans).unwrap();
        match change {
            0 => sent.retrans = false,
            1 => sent.rseq += 1,
            _ => sent.seg.window += 1,
        }
        assert!(
            !differences(&changed, &capture).is_empty(),
            "change {change} went unnoticed"
        );
    }
}

#[test]
fn observed_presets_are_whole_traces() {
    for name in SAMPLE {
        let simulated = simulate(name);
        let capture = parse(&pcap::write(&simulated)).unwrap();
        for (i, conn) in capture.connections().iter().enumerate() {
            let trace = capture.observe(i).unwrap();
            let names: Vec<&str> = trace.hosts.iter().map(|h| h.name.as_str()).collect();
            assert_eq!(
                names,
                [conn.client.0.to_string(), conn.server.0.to_string()],
                "{name}"
            );
            assert_eq!(trace.conns, vec![conn.label.clone()]);
            assert_eq!(trace.events.first().map(|e| e.t.micros()), Some(0));
            let mut delivered = std::collections::BTreeMap::new();
            for pair in trace.events.windows(2) {
                assert!(pair[0].t <= pair[1].t, "{name}: events out of order");
            }
            for e in &trace.events {
                assert_eq!(e.why.id(), "captured", "{name}");
                match &e.kind {
                    EventKind::Send(_) => {
                        let s = trace.sent(e).unwrap();
                        assert_eq!(trace.host_of(s.src), e.host(), "{name}: #{}", s.id);
                    }
                    EventKind::Deliver { seg_id } => {
                        delivered.insert(*seg_id, (e.t, e.host()));
                    }
                    other => panic!("{name}: unexpected {other:?}"),
                }
            }
            // Each segment arrives once, where it was going, at its eta.
            let sent = sends(&trace);
            assert_eq!(delivered.len(), sent.len(), "{name}");
            for s in sent {
                let (t, host) = delivered[&s.id];
                assert_eq!(Some(t), s.eta, "{name}: #{}", s.id);
                assert_eq!(host, trace.host_of(s.dst), "{name}: #{}", s.id);
            }
            // What downstream reads it with does not stumble.
            assert_eq!(trace.to_json_lines().lines().count(), trace.events.len());
            let end = trace.events.last().unwrap().t;
            let svg = tcp_playground::ladder::render_svg(
                &trace,
                end,
                &tcp_playground::ladder::LadderOptions::standalone(),
            );
            assert_eq!(svg.matches("data-seg-id=").count(), conn.packets, "{name}");
        }
    }
}

/// The handshake preset's timing: the capture's SYN,ACK comes 50 ms after the SYN (the export
/// stamps each segment when it is sent), so d = 25 ms.
#[test]
fn observed_times_follow_the_client_side_model() {
    let simulated = simulate("handshake");
    let capture = parse(&pcap::write(&simulated)).unwrap();
    let trace = capture.observe(0).unwrap();
    let lines: Vec<String> = trace.to_text().lines().map(String::from).collect();
    assert_eq!(
        lines[..4],
        [
            "0.000s 10.0.0.1 > 10.0.0.2 SYN seq=0 win=64240 [mss=1460,sackOK,ts=2585991652,0,wscale=7] (captured)",
            "0.025s 10.0.0.2 receives #1 (captured)",
            "0.025s 10.0.0.2 > 10.0.0.1 SYN,ACK seq=0 ack=1 win=64240 [mss=1460,sackOK,ts=1158042849,2585991652,wscale=7] (captured)",
            "0.050s 10.0.0.1 receives #2 (captured)",
        ]
    );
}

// ----- The same captures through Wireshark's editcap.

/// A scratch file for one test, removed when the test ends.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str) -> TempFile {
        TempFile(std::env::temp_dir().join(format!(
            "tcp-playground-{}-import-{name}",
            std::process::id()
        )))
    }
    fn path(&self) -> &Path {
        &self.0
    }
    fn read(&self) -> Vec<u8> {
        std::fs::read(&self.0).expect("read the converted capture")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// `editcap ARGS input output`, returning the output's bytes.
fn editcap(input: &[u8], args: &[&str], name: &str) -> Vec<u8> {
    let source = TempFile::new(&format!("{name}-in.pcap"));
    std::fs::write(source.path(), input).unwrap();
    let converted = TempFile::new(&format!("{name}-out"));
    let output = Command::new(EDITCAP)
        .args(args)
        .arg(source.path())
        .arg(converted.path())
        .output()
        .unwrap_or_else(|e| panic!("run {EDITCAP} (install Wireshark's editcap): {e}"));
    assert!(
        output.status.success(),
        "editcap {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    converted.read()
}

/// The first four bytes of a file.
fn magic(bytes: &[u8]) -> [u8; 4] {
    bytes[..4].try_into().unwrap()
}

#[test]
fn editcap_conversions_read_back_the_same() {
    const PCAPNG: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];
    // (name, editcap arguments, the magic the result must start with)
    let conversions: [(&str, &[&str], [u8; 4]); 5] = [
        ("pcapng", &["-F", "pcapng"], PCAPNG),
        ("nsecpcap", &["-F", "nsecpcap"], [0x4d, 0x3c, 0xb2, 0xa1]),
        // -C 14 chops the Ethernet header, -T relabels the link: raw IP (101) and IPv4 (228).
        (
            "rawip",
            &["-F", "pcap", "-C", "14", "-T", "rawip"],
            [0xd4, 0xc3, 0xb2, 0xa1],
        ),
        (
            "rawip4",
            &["-F", "pcapng", "-C", "14", "-T", "rawip4"],
            PCAPNG,
        ),
        // A snapshot length of 100 keeps every header (at most 14 + 20 + 40) but cuts data.
        (
            "snaplen",
            &["-F", "pcap", "-s", "100"],
            [0xd4, 0xc3, 0xb2, 0xa1],
        ),
    ];
    let mut failures = Vec::new();
    let mut cut = 0;
    for name in SAMPLE {
        let simulated = simulate(name);
        let original = pcap::write(&simulated);
        for (label, args, expected_magic) in conversions {
            let converted = editcap(&original, args, &format!("{name}-{label}"));
            assert_eq!(magic(&converted), expected_magic, "{name} {label}");
            if label == "rawip" {
                assert_eq!(converted[20..24], 101u32.to_le_bytes(), "LINKTYPE_RAW");
            }
            if label == "snaplen" && converted.len() < original.len() {
                cut += 1;
            }
            let capture = parse(&converted).unwrap_or_else(|e| panic!("{name} {label}: {e}"));
            assert_eq!(capture.skipped(), "", "{name} {label}");
            for d in differences(&simulated, &capture) {
                failures.push(format!("{name} {label}: {d}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(cut >= 2, "the snapshot length cut only {cut} captures");
}

/// editcap can relabel a capture as Linux cooked (`-T linux-sll`) but not re-frame it, so the
/// SLL and SLL2 captures are re-framed here; tshark checks that they are what they claim.
#[test]
fn linux_cooked_captures_read_back_the_same() {
    let simulated = simulate("http10-vs-http11");
    let original = pcap::write(&simulated);
    for (label, link, header) in [
        // SLL: outgoing (4), ARPHRD_ETHER (1), a 6-byte address padded to 8, IPv4.
        (
            "sll",
            113u32,
            &[0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00][..],
        ),
        // SLL2: IPv4, reserved, interface 2, ARPHRD_ETHER, outgoing, a 6-byte address.
        (
            "sll2",
            276,
            &[
                0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0,
            ][..],
        ),
    ] {
        let reframed = reframe(&original, link, header);
        let capture = parse(&reframed).unwrap_or_else(|e| panic!("{label}: {e}"));
        let d = differences(&simulated, &capture);
        assert!(d.is_empty(), "{label}: {}", d.join("\n"));
        // Wireshark reads the same TCP segments from it.
        let file = TempFile::new(&format!("{label}.pcap"));
        std::fs::write(file.path(), &reframed).unwrap();
        let output = Command::new("tshark")
            .arg("-r")
            .arg(file.path())
            .args(["-T", "fields", "-e", "tcp.seq_raw", "-e", "tcp.len"])
            .output()
            .expect("run tshark");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let expected: Vec<String> = sends(&simulated)
            .iter()
            .map(|s| format!("{}\t{}", s.seg.seq.0, s.seg.len))
            .collect();
        assert_eq!(stdout.lines().collect::<Vec<_>>(), expected, "{label}");
    }
}

/// A classic little-endian pcap of Ethernet frames (as `pcap::write` makes), with each frame's
/// 14-byte Ethernet header replaced by `header` and the link type set to `link`.
fn reframe(original: &[u8], link: u32, header: &[u8]) -> Vec<u8> {
    let mut out = original[..20].to_vec();
    out.extend_from_slice(&link.to_le_bytes());
    let mut at = 24;
    while at < original.len() {
        let record = &original[at..at + 16];
        let len = u32::from_le_bytes(record[8..12].try_into().unwrap()) as usize;
        let frame = &original[at + 16..at + 16 + len];
        let new_len = (len - 14 + header.len()) as u32;
        out.extend_from_slice(&record[..8]);
        out.extend_from_slice(&new_len.to_le_bytes());
        out.extend_from_slice(&new_len.to_le_bytes());
        out.extend_from_slice(header);
        out.extend_from_slice(&frame[14..]);
        at += 16 + len;
    }
    out
}

// ----- Damaged files.

fn error(bytes: &[u8]) -> String {
    match parse(bytes) {
        Ok(_) => panic!("a damaged capture was accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn damaged_files_are_refused_with_a_reason() {
    let good = pcap::write(&simulate("handshake"));
    assert!(parse(&good).is_ok());
    assert_eq!(
        error(&[]),
        "the file is empty: a pcap or pcapng capture starts with a file header"
    );
    assert_eq!(
        error(&good[..20]),
        "the capture is cut short: its file header needs 24 bytes, but the file holds only 20"
    );
    assert!(
        error(&good[..good.len() - 1]).starts_with("the capture is cut short: packet 3 at byte ")
    );
    let mut wrong_magic = good.clone();
    wrong_magic[..4].copy_from_slice(b"PK\x03\x04");
    assert_eq!(
        error(&wrong_magic),
        "not a pcap or pcapng file: it starts with 50 4b 03 04 (a zip archive?)"
    );
    // A record claiming 4 GB: refused, not allocated.
    let mut huge = good.clone();
    huge[32..36].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
    assert!(
        error(&huge).contains("says it holds 4,294,967,280 bytes"),
        "{}",
        error(&huge)
    );

    let ng = editcap(&good, &["-F", "pcapng"], "damaged");
    assert!(parse(&ng).is_ok());
    // The first block (the Section Header) claims more than the file holds.
    let mut overrun = ng.clone();
    overrun[4..8].copy_from_slice(&(ng.len() as u32 + 4).to_le_bytes());
    let message = error(&overrun);
    assert!(
        message.starts_with(
            "the capture is cut short: block 1 at byte 0 (a Section Header Block) says it holds"
        ),
        "{message}"
    );
    let mut huge = ng.clone();
    huge[4..8].copy_from_slice(&0xffff_fffcu32.to_le_bytes());
    assert!(error(&huge).contains("says it holds 4,294,967,292 bytes"));
    assert!(error(&ng[..ng.len() - 2]).starts_with("the capture is cut short: block "));
}

#[test]
fn a_capture_over_the_limit_is_refused_before_it_is_read() {
    let over = vec![0u8; MAX_CAPTURE_BYTES + 1];
    assert_eq!(
        error(&over),
        "the capture is 100.1 MB; the limit is 100 MB: keep only the connection you want, e.g. \
         `tshark -r in.pcap -w out.pcap tcp.port==80`"
    );
}

/// xorshift64*: a fixed sequence, so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Reads a capture and everything downstream of it; any panic fails the test.
fn read_everything(bytes: &[u8]) -> bool {
    let Ok(capture) = parse(bytes) else {
        return false;
    };
    let _ = capture.skipped();
    for i in 0..capture.connections().len() {
        if let Ok(trace) = capture.observe(i) {
            let _ = trace.to_json_lines();
            let _ = trace.to_text();
            let end = trace.events.last().map(|e| e.t).unwrap_or_default();
            let _ = tcp_playground::ladder::render_svg(&trace, end, &Default::default());
        }
    }
    true
}

#[test]
fn flipped_bytes_never_make_the_reader_panic() {
    let simulated = simulate("http10-vs-http11");
    let classic = pcap::write(&simulated);
    let ng = editcap(&classic, &["-F", "pcapng"], "fuzz");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut accepted = 0;
    for round in 0..2_000 {
        let mut bytes = if round % 2 == 0 {
            classic.clone()
        } else {
            ng.clone()
        };
        for _ in 0..1 + rng.below(8) {
            let at = rng.below(bytes.len());
            bytes[at] = rng.next() as u8;
        }
        if round % 10 == 0 {
            bytes.truncate(rng.below(bytes.len()));
        }
        accepted += usize::from(read_everything(&bytes));
    }
    // Most flips land in payload or header fields that are read, not refused.
    assert!(accepted > 1_000, "only {accepted} of 2,000 were read");
}

// ----- The command line.

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tcp-playground"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn cli_import_lists_connections_and_shows_the_one_chosen() {
    let simulated = simulate("http10-vs-http11");
    let file = TempFile::new("cli.pcap");
    std::fs::write(file.path(), pcap::write(&simulated)).unwrap();
    let path = file.path().to_str().unwrap();
    let capture = parse(&std::fs::read(path).unwrap()).unwrap();
    let connections = capture.connections();
    assert!(connections.len() > 1);

    // Several connections and no --conn: the numbered list, exit 0.
    for format in [&[][..], &["--format", "summary"][..]] {
        let out = cli(&[&["import", path][..], format].concat());
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(text.starts_with(&format!("{path}: {} TCP connections", connections.len())));
        for (i, c) in connections.iter().enumerate() {
            let line = text
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{} ", i + 1)))
                .unwrap_or_else(|| panic!("no line {}: {text}", i + 1));
            assert!(line.contains(&c.label), "{line}");
            assert!(line.contains(&format!("{} packets", c.packets)), "{line}");
        }
    }
    // ... but json and svg need one.
    let out = cli(&["import", path, "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("choose one with --conn N"),
        "{}",
        stderr(&out)
    );

    // --conn 2: the second connection's segments as JSON lines.
    let out = cli(&["import", path, "--conn", "2", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let expected = capture.observe(1).unwrap().to_json_lines();
    assert_eq!(stdout(&out), expected);
    let out = cli(&["import", path, "--conn", "2", "--format", "svg"]);
    assert!(stdout(&out).starts_with("<svg"));
    assert_eq!(
        stdout(&out).matches("data-seg-id=").count(),
        connections[1].packets
    );
    let out = cli(&["import", path, "--conn", "2"]);
    assert_eq!(stdout(&out), capture.observe(1).unwrap().to_text());

    // --conn all: every connection's trace in turn (what the kernel oracle reads), but one
    // ladder at a time.
    let out = cli(&["import", path, "--conn", "all", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let every: String = (0..connections.len())
        .map(|i| capture.observe(i).unwrap().to_json_lines())
        .collect();
    assert_eq!(stdout(&out), every);
    let out = cli(&["import", path, "--conn", "all", "--format", "svg"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("one connection"), "{}", stderr(&out));
    let out = cli(&["import", path, "--conn", "some"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("neither a connection number nor `all`"));

    let out = cli(&["import", path, "--conn", "9"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        format!(
            "{path}: there is no connection 9; the capture holds {}, numbered from 1",
            connections.len()
        )
    );
}

/// A classic little-endian pcap (as `pcap::write` makes) with every record `secs` later.
fn shift_clock(original: &[u8], secs: u32) -> Vec<u8> {
    let mut out = original.to_vec();
    let mut at = 24;
    while at < out.len() {
        let sec = u32::from_le_bytes(out[at..at + 4].try_into().unwrap());
        out[at..at + 4].copy_from_slice(&(sec + secs).to_le_bytes());
        at += 16 + u32::from_le_bytes(out[at + 8..at + 12].try_into().unwrap()) as usize;
    }
    out
}

/// (event kind, host, t, eta) of every JSON line.
fn json_times(json: &str) -> Vec<(String, String, u64, Option<u64>)> {
    json.lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            (
                v["kind"].as_str().unwrap().to_string(),
                v["host"].as_str().unwrap().to_string(),
                v["t"].as_u64().unwrap(),
                v["seg"]["eta"].as_u64(),
            )
        })
        .collect()
}

/// `--one-way D`: the delay given, times on the capture's clock (µs since the epoch).
#[test]
fn cli_import_one_way_keeps_capture_times() {
    const EPOCH_SECS: u32 = 1_700_000_000;
    let simulated = simulate("handshake");
    let file = TempFile::new("one-way.pcap");
    std::fs::write(
        file.path(),
        shift_clock(&pcap::write(&simulated), EPOCH_SECS),
    )
    .unwrap();
    let path = file.path().to_str().unwrap();
    let start = u64::from(EPOCH_SECS) * 1_000_000;
    // The capture stamps each segment when it is sent: SYN at 0, SYN,ACK at 50 ms, ACK at
    // 100 ms (the preset's link has a 50 ms delay).
    let sent_at: Vec<u64> = sends(&simulated)
        .iter()
        .map(|s| {
            let (e, _) = (simulated.sent_segments())
                .find(|(_, x)| x.id == s.id)
                .unwrap();
            let t = e.t;
            start + t.micros()
        })
        .collect();
    assert_eq!(sent_at, [start, start + 50_000, start + 100_000]);

    // 0ms: each segment sent and delivered at its capture time.
    let out = cli(&["import", path, "--one-way", "0ms", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (c, s) = ("10.0.0.1".to_string(), "10.0.0.2".to_string());
    let send = |host: &String, t, eta| ("send".to_string(), host.clone(), t, Some(eta));
    let deliver = |host: &String, t| ("deliver".to_string(), host.clone(), t, None);
    assert_eq!(
        json_times(&stdout(&out)),
        [
            send(&c, sent_at[0], sent_at[0]),
            deliver(&s, sent_at[0]),
            send(&s, sent_at[1], sent_at[1]),
            deliver(&c, sent_at[1]),
            send(&c, sent_at[2], sent_at[2]),
            deliver(&s, sent_at[2]),
        ]
    );
    // 25ms: the capture is next to the client; the server sent its SYN,ACK 25 ms before it
    // was captured. The clock is still the capture's.
    let out = cli(&["import", path, "--one-way", "25ms", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json = stdout(&out);
    assert_eq!(
        json_times(&json),
        [
            send(&c, start, start + 25_000),
            // At one instant, in capture order: the SYN arrives, then the SYN,ACK leaves.
            deliver(&s, start + 25_000),
            send(&s, start + 25_000, start + 50_000),
            deliver(&c, start + 50_000),
            send(&c, start + 100_000, start + 125_000),
            deliver(&s, start + 125_000),
        ]
    );
    let capture = parse(&std::fs::read(path).unwrap()).unwrap();
    assert_eq!(
        json,
        capture
            .observe_with(0, Some(25_000))
            .unwrap()
            .to_json_lines()
    );
    // Without --one-way: the estimate (d = 25 ms here too), shifted to start at 0.
    let out = cli(&["import", path, "--format", "json"]);
    let times: Vec<u64> = json_times(&stdout(&out)).iter().map(|e| e.2).collect();
    assert_eq!(times, [0, 25_000, 25_000, 50_000, 100_000, 125_000]);
    // Text shows the same times, in seconds since the epoch.
    let out = cli(&["import", path, "--one-way", "0ms"]);
    assert!(
        stdout(&out).starts_with("1700000000.000s 10.0.0.1 > 10.0.0.2 SYN seq=0 "),
        "{}",
        stdout(&out)
    );

    // The duration is written as in scenarios (clap's usage message names the flag).
    for (args, message) in [
        (
            &["--one-way", "25"][..],
            "invalid value '25' for '--one-way <D>': `25` has no unit; write it like `50ms` or `1.5s`",
        ),
        (
            &["--one-way"][..],
            "a value is required for '--one-way <D>'",
        ),
    ] {
        let out = cli(&[&["import", path][..], args].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(message), "{}", stderr(&out));
        assert!(stdout(&out).is_empty());
    }
}

#[test]
fn cli_import_of_a_bad_file_exits_2_with_the_reason() {
    let file = TempFile::new("not-a-capture.pcap");
    std::fs::write(file.path(), "host a 10.0.0.1\n").unwrap();
    let path = file.path().to_str().unwrap();
    let out = cli(&["import", path]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        format!(
            "{path}: not a pcap or pcapng file: it starts with 68 6f 73 74 (text? a capture is a \
             binary file)"
        )
    );
    assert!(stdout(&out).is_empty());

    let out = cli(&["import", "/no/such/capture.pcap"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("/no/such/capture.pcap: "));

    // One connection: no --conn needed.
    let one = TempFile::new("one.pcap");
    std::fs::write(one.path(), pcap::write(&simulate("handshake"))).unwrap();
    let out = cli(&[
        "import",
        one.path().to_str().unwrap(),
        "--format",
        "summary",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("segments 3"), "{}", stdout(&out));
}

/// A real capture, made by the kernel oracle (tests/kernel) at the client of its
/// data-transfer scenario (raw IP, as its TUN link gives it): it reads back as one connection
/// whose segments are the model's for the same scenario file, flag for flag and number for
/// number (PSH aside: Linux marks it by its own rules, tests/kernel/README.md says which).
#[test]
fn a_kernel_capture_reads_as_the_model_runs_the_same_scenario() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let bytes = std::fs::read(root.join("tests/captures/kernel-data-transfer-client.pcap"))
        .expect("the kernel capture");
    let capture = parse(&bytes).expect("a real capture parses");
    assert_eq!(capture.connections().len(), 1);
    assert_eq!(capture.skipped(), "");
    let observed = capture.observe(0).unwrap();
    let text = std::fs::read_to_string(root.join("tests/kernel/scenarios/data-transfer.scn"))
        .expect("the oracle's scenario");
    let mut sim = Sim::new(&Scenario::parse(&text).expect("it parses"));
    sim.run_to_end();
    let shape = |trace: &Trace| -> Vec<String> {
        sends(trace)
            .iter()
            .map(|s| {
                let flags = s.seg.flags.to_string().replace(",PSH", "");
                format!("{} {flags} {} {} {}", s.src, s.rseq, s.rack, s.seg.len)
            })
            .collect()
    };
    let kernel = shape(&observed);
    assert_eq!(kernel.len(), 15, "{kernel:#?}");
    assert_eq!(kernel, shape(sim.trace()));
}
