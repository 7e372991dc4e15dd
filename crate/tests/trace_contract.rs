//! The JSON trace contract of DESIGN.md ("Trace events"), checked on real runs, and the
//! determinism every shared link relies on.

use serde_json::Value;
use tcp_playground::scenario::{Preset, Scenario, PRESETS};
use tcp_playground::sim::Sim;

fn json_trace(text: &str) -> Vec<Value> {
    let mut sim = Sim::new(&Scenario::parse(text).unwrap());
    sim.run_to_end();
    sim.trace()
        .to_json_lines()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect()
}

fn preset(name: &str) -> &'static str {
    Preset::find(name).unwrap().text
}

#[test]
fn every_event_has_time_kind_and_why_and_each_kind_its_fields() {
    for preset in PRESETS {
        for e in json_trace(preset.text) {
            assert!(e["t"].is_u64(), "{e}");
            assert!(e["why"].as_str().is_some_and(|w| !w.is_empty()), "{e}");
            if let Some(rfc) = e.get("rfc") {
                let rfc = rfc.as_str().unwrap();
                assert!(
                    rfc.split_once(" §")
                        .is_some_and(|(n, s)| n.parse::<u32>().is_ok() && !s.is_empty()),
                    "{e}"
                );
            }
            let fields: &[&str] = match e["kind"].as_str().unwrap() {
                "send" => &["host", "seg"],
                "deliver" => &["host", "seg_id"],
                "drop" => &["seg_id", "cause"],
                "state" => &["host", "conn", "from", "to"],
                "timer" => &["host", "conn", "timer", "action", "at"],
                "app" => &["host", "call"],
                "queue" => &[
                    "host",
                    "conn",
                    "syn_queue",
                    "syn_limit",
                    "accept_queue",
                    "accept_limit",
                ],
                other => panic!("unknown kind {other}"),
            };
            for f in fields {
                assert!(e.get(*f).is_some(), "{f} missing in {e}");
            }
            if e["kind"] == "send" {
                for f in [
                    "id", "src", "dst", "sport", "dport", "flags", "seq", "ack", "rseq", "rack",
                    "len", "win", "opts", "retrans",
                ] {
                    assert!(e["seg"].get(f).is_some(), "seg.{f} missing in {e}");
                }
            }
        }
    }
}

#[test]
fn the_handshake_is_syn_synack_ack_with_relative_numbers_as_wireshark_shows_them() {
    let sends: Vec<Value> = json_trace(preset("handshake"))
        .into_iter()
        .filter(|e| e["kind"] == "send")
        .map(|e| e["seg"].clone())
        .collect();
    let summary: Vec<(String, u64, u64, String, String)> = sends
        .iter()
        .map(|s| {
            (
                s["flags"].as_str().unwrap().to_string(),
                s["rseq"].as_u64().unwrap(),
                s["rack"].as_u64().unwrap(),
                s["src"].as_str().unwrap().to_string(),
                s["dst"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expect = |f: &str, seq, ack, src: &str, dst: &str| {
        (f.to_string(), seq, ack, src.to_string(), dst.to_string())
    };
    assert_eq!(
        summary,
        [
            expect("SYN", 0, 0, "client", "server"),
            expect("SYN,ACK", 0, 1, "server", "client"),
            expect("ACK", 1, 1, "client", "server"),
        ]
    );
    // Absolute numbers: the SYN,ACK acknowledges the client's ISN plus one.
    assert_eq!(
        sends[1]["ack"].as_u64().unwrap(),
        (sends[0]["seq"].as_u64().unwrap() + 1) % (1 << 32)
    );
    let ids: Vec<u64> = sends.iter().map(|s| s["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, [1, 2, 3]);
}

#[test]
fn the_close_walks_both_sides_through_the_rfc_states() {
    let states = |host: &str| -> Vec<String> {
        json_trace(preset("close"))
            .into_iter()
            .filter(|e| {
                e["kind"] == "state"
                    && e["host"] == host
                    && e["conn"].as_str().unwrap().contains('-')
            })
            .map(|e| e["to"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        states("client"),
        [
            "SYN-SENT",
            "ESTABLISHED",
            "FIN-WAIT-1",
            "FIN-WAIT-2",
            "TIME-WAIT",
            "CLOSED"
        ]
    );
    assert_eq!(
        states("server"),
        [
            "SYN-RECEIVED",
            "ESTABLISHED",
            "CLOSE-WAIT",
            "LAST-ACK",
            "CLOSED"
        ]
    );
}

#[test]
fn time_wait_lasts_sixty_seconds_on_linux() {
    let trace = json_trace(preset("close"));
    let at = |to: &str| {
        trace
            .iter()
            .find(|e| e["kind"] == "state" && e["to"] == to)
            .unwrap()["t"]
            .as_u64()
            .unwrap()
    };
    let closed = trace
        .iter()
        .rfind(|e| e["kind"] == "state" && e["host"] == "client" && e["to"] == "CLOSED")
        .unwrap()["t"]
        .as_u64()
        .unwrap();
    assert_eq!(closed - at("TIME-WAIT"), 60_000_000);
}

#[test]
fn the_same_scenario_and_seed_give_the_same_trace_and_another_seed_other_isns() {
    let a = json_trace(preset("close"));
    let b = json_trace(preset("close"));
    assert_eq!(a, b);
    let reseeded = preset("close").replace("seed 1", "seed 2");
    let c = json_trace(&reseeded);
    let first_seq =
        |t: &[Value]| t.iter().find(|e| e["kind"] == "send").unwrap()["seg"]["seq"].clone();
    assert_ne!(first_seq(&a), first_seq(&c));
    assert_eq!(
        a.len(),
        c.len(),
        "the story is the same, only the numbers differ"
    );
}
