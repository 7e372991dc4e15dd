//! Golden traces: each preset's human-readable trace, compared line by line with the reviewed
//! file in `tests/golden/`. After an intended change, regenerate with
//! `UPDATE_GOLDEN=1 cargo test --test golden` and review the diff like code.

use std::path::PathBuf;
use tcp_playground::scenario::{Scenario, PRESETS};
use tcp_playground::sim::Sim;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/golden")
}

fn text_trace(scenario_text: &str) -> String {
    let scenario = Scenario::parse(scenario_text).expect("presets parse");
    let mut sim = Sim::new(&scenario);
    let stop = sim.run_to_end();
    format!(
        "{}# {}\n",
        sim.trace().to_text(),
        tcp_playground::words::english().stop(&stop)
    )
}

/// Each preset's JSON trace digest, one `name digest` per line: the wasm tests check that the
/// browser produces the same bytes.
#[test]
fn every_preset_matches_its_recorded_json_digest() {
    let path = golden_dir().join("trace-digests.txt");
    let actual: String = PRESETS
        .iter()
        .map(|p| {
            let mut sim = Sim::new(&Scenario::parse(p.text).unwrap());
            sim.run_to_end();
            format!("{} {}\n", p.name, sim.trace().digest())
        })
        .collect();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        expected, actual,
        "run with UPDATE_GOLDEN=1 after reviewing the text traces"
    );
}

#[test]
fn every_preset_matches_its_golden_trace() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut mismatches = Vec::new();
    for preset in PRESETS {
        let path = golden_dir().join(format!("{}.txt", preset.name));
        let actual = text_trace(preset.text);
        if update {
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("{} is missing; run with UPDATE_GOLDEN=1", path.display()));
        if let Some((n, (want, got))) = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
        {
            mismatches.push(format!(
                "{}: line {}\n  golden: {want}\n  now:    {got}",
                preset.name,
                n + 1
            ));
        } else if expected.lines().count() != actual.lines().count() {
            mismatches.push(format!(
                "{}: {} lines golden, {} now",
                preset.name,
                expected.lines().count(),
                actual.lines().count()
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
