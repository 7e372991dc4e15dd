//! The preset library (DESIGN.md, "Presets": the names are a contract): every name is there,
//! each preset has a title, a one-line summary and the statement that makes its point, and
//! that statement matters: without it the trace is different.

use tcp_playground::scenario::{Preset, Scenario, PRESETS};
use tcp_playground::sim::Sim;

const CONTRACT: [&str; 22] = [
    "handshake",
    "close",
    "data-transfer",
    "syn-lost",
    "synack-lost",
    "ack-lost",
    "ack-lost-server-gave-up",
    "old-duplicate-syn",
    "two-way-handshake",
    "simultaneous-open",
    "simultaneous-close",
    "half-close",
    "last-ack-lost",
    "no-time-wait",
    "rst-closed-port",
    "syn-flood",
    "syn-flood-cookies",
    "accept-queue-overflow",
    "keepalive-alive",
    "keepalive-dead",
    "keepalive-rebooted",
    "http10-vs-http11",
];

fn digest(text: &str) -> String {
    let mut sim = Sim::new(&Scenario::parse(text).unwrap());
    sim.run_to_end();
    sim.trace().digest()
}

#[test]
fn every_contract_name_is_a_preset() {
    let mut names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
    let mut contract = CONTRACT.to_vec();
    names.sort_unstable();
    contract.sort_unstable();
    assert_eq!(names, contract);
}

#[test]
fn every_preset_has_a_title_a_one_line_summary_and_a_point() {
    for p in PRESETS {
        assert!(!p.title.is_empty() && !p.title.ends_with('.'), "{}", p.name);
        assert!(
            p.summary.ends_with('.') && !p.summary.contains('\n') && p.summary.len() < 160,
            "{}: {}",
            p.name,
            p.summary
        );
        assert!(
            p.text.lines().any(|l| l.trim() == p.point),
            "{}: `{}` is not one of its lines",
            p.name,
            p.point
        );
        Scenario::parse(p.text).unwrap();
    }
}

#[test]
fn without_its_point_a_preset_shows_something_else() {
    for p in PRESETS {
        let without: String = p
            .text
            .lines()
            .filter(|l| l.trim() != p.point)
            .map(|l| format!("{l}\n"))
            .collect();
        assert_ne!(digest(p.text), digest(&without), "{}", p.name);
    }
}

#[test]
fn an_unknown_preset_name_gets_the_closest_one() {
    assert!(Preset::find("syn-flood").is_some());
    assert_eq!(
        Preset::unknown("synflood"),
        "unknown preset `synflood`; did you mean `syn-flood`?"
    );
}
