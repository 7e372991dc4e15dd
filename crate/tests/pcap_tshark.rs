//! Every preset's pcap export, read by Wireshark's own dissector (tshark): no malformed
//! packet, good IPv4 and TCP checksums, the same flags, sequence and acknowledgment numbers
//! (absolute, and relative as Wireshark shows them) and lengths as the JSON trace, and where Wireshark's TCP analysis calls a segment a
//! retransmission or a keep-alive, the trace says so too (and the other way round).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use tcp_playground::scenario::{Scenario, PRESETS};
use tcp_playground::sim::Sim;

const TSHARK: &str = "tshark";

/// The fields read from each packet, in this order.
const FIELDS: [&str; 13] = [
    "ip.src",
    "tcp.srcport",
    "tcp.flags",
    "tcp.seq_raw",
    "tcp.ack_raw",
    "tcp.len",
    "tcp.checksum.status",
    "ip.checksum.status",
    "tcp.analysis.retransmission",
    "tcp.analysis.keep_alive",
    "_ws.malformed",
    "tcp.seq",
    "tcp.ack",
];

/// Removes the capture file however the test ends.
struct TempFile(PathBuf);
impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn tshark(file: &Path) -> Vec<Vec<String>> {
    let mut cmd = Command::new(TSHARK);
    cmd.arg("-r").arg(file).args(["-T", "fields"]);
    for field in FIELDS {
        cmd.args(["-e", field]);
    }
    cmd.args([
        "-o",
        "tcp.check_checksum:TRUE",
        "-o",
        "ip.check_checksum:TRUE",
        "-o",
        "tcp.relative_sequence_numbers:TRUE",
    ]);
    let output = cmd.output().unwrap_or_else(|e| {
        panic!("cannot run {TSHARK} ({e}); `tools/setup.sh --test` installs it")
    });
    assert!(
        output.status.success(),
        "tshark failed on {}: {}",
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("tshark prints UTF-8")
        .lines()
        .map(|line| line.split('\t').map(str::to_string).collect())
        .collect()
}

/// Our flag names as the TCP header's bits.
fn flag_bits(flags: &str) -> u16 {
    flags
        .split(',')
        .map(|f| match f {
            "FIN" => 0x01,
            "SYN" => 0x02,
            "RST" => 0x04,
            "PSH" => 0x08,
            "ACK" => 0x10,
            "URG" => 0x20,
            other => panic!("unknown flag {other}"),
        })
        .sum()
}

#[test]
fn wireshark_reads_every_preset_as_the_trace_says() {
    for preset in PRESETS {
        let scenario = Scenario::parse(preset.text).expect("presets parse");
        let mut sim = Sim::new(&scenario);
        sim.run_to_end();
        let trace = sim.trace();
        let sends: Vec<Value> = trace
            .to_json_lines()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|e| e["kind"] == "send")
            .collect();
        let file = TempFile(std::env::temp_dir().join(format!(
            "tcp-playground-{}-{}.pcap",
            std::process::id(),
            preset.name
        )));
        std::fs::write(&file.0, tcp_playground::pcap::write(trace)).expect("write the capture");
        let packets = tshark(&file.0);
        let name = preset.name;
        assert_eq!(
            packets.len(),
            sends.len(),
            "{name}: one packet per send event"
        );
        for (i, (p, e)) in packets.iter().zip(&sends).enumerate() {
            let seg = &e["seg"];
            let at = format!("{name}: packet {} (segment #{})", i + 1, seg["id"]);
            assert_eq!(p[10], "", "{at}: malformed");
            assert_eq!(p[6], "1", "{at}: the TCP checksum is not good");
            assert_eq!(p[7], "1", "{at}: the IPv4 checksum is not good");
            // A host's name, or a spoofed source's address.
            let src = seg["src"].as_str().unwrap();
            let addr = trace.hosts.iter().find(|h| h.name == src);
            let addr = addr.map_or(src.to_string(), |h| h.addr.to_string());
            assert_eq!(p[0], addr, "{at}: source address");
            assert_eq!(p[1], seg["sport"].to_string(), "{at}: source port");
            let bits = u16::from_str_radix(p[2].trim_start_matches("0x"), 16).unwrap();
            let flags = seg["flags"].as_str().unwrap();
            assert_eq!(bits, flag_bits(flags), "{at}: flags {flags}");
            assert_eq!(p[3], seg["seq"].to_string(), "{at}: seq");
            if flags.contains("ACK") {
                assert_eq!(p[4], seg["ack"].to_string(), "{at}: ack");
            }
            assert_eq!(p[5], seg["len"].to_string(), "{at}: len");
            // Relative numbers, as Wireshark shows them.
            assert_eq!(p[11], seg["rseq"].to_string(), "{at}: relative seq");
            if flags.contains("ACK") {
                assert_eq!(p[12], seg["rack"].to_string(), "{at}: relative ack");
            }
            let wireshark_retrans = p[8] == "1";
            assert_eq!(
                wireshark_retrans,
                seg["retrans"] == true,
                "{at}: Wireshark and the trace disagree on whether it is a retransmission"
            );
            let wireshark_keepalive = p[9] == "1";
            assert_eq!(
                wireshark_keepalive,
                e["why"] == "keepalive-probe",
                "{at}: Wireshark and the trace disagree on whether it is a keep-alive"
            );
        }
    }
}
