//! `cargo bench`: the simulator's speed on two workloads, in events per second (one event is
//! one `step()`), with peak memory. Numbers are printed, never asserted; the README reports them.
//!
//! - flood: 1,000,000 spoofed SYNs at 100,000/s against a backlog of 128, SYN cookies off, so
//!   the half-open connections retransmit their SYN,ACKs until they expire;
//! - lifecycles: 100,000 connections one after another, each a handshake, 1 KB each way, the
//!   close and the 60 s TIME-WAIT.

use std::time::Instant as Clock;
use tcp_playground::scenario::{Action, ListenDecl, Scenario, Timed};
use tcp_playground::sim::Sim;
use tcp_playground::time::{Duration, Instant};

/// The same file the browser bench page runs.
fn flood() -> Scenario {
    Scenario::parse(include_str!("../../www/bench/flood.scn")).expect("the flood scenario parses")
}

/// Built as a value: 300,000 statements are beyond what a scenario text may hold.
fn lifecycles(n: u64) -> Scenario {
    let mut s = Scenario::parse(
        "host client 10.0.0.1
host server 10.0.0.2
link client server delay=1ms
",
    )
    .expect("the base scenario parses");
    s.listens.push(ListenDecl {
        host: "server".into(),
        port: 80,
        backlog: 128,
        auto_read: true,
        auto_accept: true,
        reply: Some(1024),
        close_after_reply: false,
        reuseaddr: false,
    });
    let actions = std::sync::Arc::make_mut(&mut s.actions);
    for k in 0..n {
        let t = Instant::ZERO + Duration::from_millis(100 * k);
        let at = |ms: u64, action: Action| Timed {
            at: t + Duration::from_millis(ms),
            host: "client".into(),
            action,
        };
        actions.push(at(
            0,
            Action::Connect {
                host: "server".into(),
                port: 80,
                sport: None,
                reuseaddr: false,
            },
        ));
        actions.push(at(10, Action::Send { bytes: 1024 }));
        actions.push(at(50, Action::Close));
    }
    s
}

/// Peak resident memory of this process so far, in MB (Linux).
fn peak_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Runs the scenario `runs` times and reports the fastest (the machine is shared and noisy).
/// `full_trace` lifts the trace's limit, so every event is recorded in full.
fn measure(name: &str, scenario: &Scenario, runs: usize, full_trace: bool) {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..runs {
        drop(last.take());
        let start = Clock::now();
        let mut sim = Sim::new(scenario);
        if full_trace {
            sim.set_trace_limit(usize::MAX);
        }
        let stop = sim.run_to_end();
        best = best.min(start.elapsed().as_secs_f64());
        last = Some((sim, stop));
    }
    let (sim, stop) = last.expect("at least one run");
    let secs = best;
    let events = sim.events_processed();
    println!(
        "{name:<16} {events:>10} events in {secs:6.2} s (best of {runs}) = {:>5.2} M events/s; {} trace events kept, {} counted; peak memory {:.0} MB; {}",
        events as f64 / secs / 1e6,
        sim.trace().events.len(),
        sim.trace().unrecorded,
        peak_mb(),
        tcp_playground::words::english().stop(&stop)
    );
}

fn main() {
    // `cargo test` runs benches with --bench too; only measure under `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    // BENCH_ONLY=lifecycles BENCH_LIFECYCLES=10000 runs a smaller piece, for profiling.
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let n = std::env::var("BENCH_LIFECYCLES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    if only.is_empty() || only == "flood" {
        measure("flood", &flood(), 5, false);
    }
    if only.is_empty() || only == "lifecycles" {
        // The default trace keeps its first million events; the second run keeps them all.
        // (Peak memory is the process's, so it only grows from one line to the next.)
        let runs = std::env::var("BENCH_RUNS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(5);
        measure("lifecycles", &lifecycles(n), runs, false);
        if std::env::var_os("BENCH_RUNS").is_none() {
            measure("lifecycles/full", &lifecycles(n), 1, true);
        }
    }
}
