//! The command line: `tcp-playground run`, `tcp-playground presets`. The only file that knows
//! about argv; bad input exits 2 with `file:line:col: message` on stderr.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::process::ExitCode;
use tcp_playground::ladder::{self, LadderOptions};
use tcp_playground::scenario::{Preset, Scenario, PRESETS};
use tcp_playground::sim::{Sim, Stop};
use tcp_playground::trace::EventKind;

const USAGE: &str = "\
usage:
  tcp-playground run FILE|- [--format text|json|svg|summary] [--max-events N] [--max-time D] [--max-trace N]
  tcp-playground run --preset NAME [--format ...] [--max-events N] [--max-time D] [--max-trace N]
  tcp-playground presets

--max-events stops a run after N events (default 20000000); --max-time stops a run that has
no `run` statement at virtual time D, such as 10min (default 7 days); --max-trace keeps the
first N trace events in full and counts the rest (default 1000000).";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("presets") => {
            let mut out = String::new();
            for p in PRESETS {
                out += &format!("{:<28}{}\n", p.name, p.summary);
            }
            print(&out)
        }
        Some("run") => run_scenario(&args[1..]),
        Some("-h" | "--help" | "help") => print(&format!("{USAGE}\n")),
        Some(other) => Err(format!("unknown command `{other}`\n{USAGE}")),
        None => Err(USAGE.to_string()),
    }
}

fn run_scenario(args: &[String]) -> Result<(), String> {
    let mut format = "text".to_string();
    let mut source: Option<(String, String)> = None;
    let mut max_events = tcp_playground::sim::DEFAULT_EVENT_BUDGET;
    let mut max_time = tcp_playground::sim::DEFAULT_TIME_BUDGET;
    let mut max_trace = tcp_playground::trace::DEFAULT_TRACE_LIMIT;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--format" => {
                format = it
                    .next()
                    .ok_or("--format needs a value: text, json, svg or summary")?
                    .clone();
            }
            "--max-events" => {
                let value = it.next().ok_or("--max-events needs a number of events")?;
                max_events = value
                    .parse()
                    .map_err(|_| format!("--max-events takes a whole number, not `{value}`"))?;
            }
            "--max-trace" => {
                let value = it.next().ok_or("--max-trace needs a number of events")?;
                max_trace = value
                    .parse()
                    .map_err(|_| format!("--max-trace takes a whole number, not `{value}`"))?;
            }
            "--max-time" => {
                let value = it
                    .next()
                    .ok_or("--max-time needs a duration such as 10min")?;
                max_time = tcp_playground::time::Duration::parse(value)
                    .map_err(|e| format!("--max-time: {e}"))?;
            }
            "--preset" => {
                let name = it.next().ok_or("--preset needs a preset name")?;
                let preset = Preset::find(name).ok_or_else(|| Preset::unknown(name))?;
                source = Some((format!("preset:{name}"), preset.text.to_string()));
            }
            "-" => source = Some(("<stdin>".into(), read_stdin()?)),
            path if !path.starts_with("--") => {
                let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
                source = Some((path.to_string(), text));
            }
            other => return Err(format!("unknown option `{other}`\n{USAGE}")),
        }
    }
    let (name, text) = source
        .ok_or_else(|| format!("run needs a scenario file, `-` or --preset NAME\n{USAGE}"))?;
    let scenario = Scenario::parse(&text).map_err(|errors| {
        errors
            .0
            .iter()
            .map(|e| format!("{name}:{e}"))
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    let mut sim = Sim::new(&scenario);
    sim.set_budget(max_events, max_time);
    sim.set_trace_limit(max_trace);
    let stop = sim.run_to_end();
    if stop.is_budget() {
        eprintln!("{name}: {}", stop.message());
    }
    let trace = sim.trace();
    let out = match format.as_str() {
        "text" => trace.to_text(),
        "json" => trace.to_json_lines(),
        "svg" => ladder::render_svg(trace, sim.now(), &LadderOptions::standalone()),
        "summary" => summary(&sim, &stop),
        other => {
            return Err(format!(
                "unknown format `{other}`; use text, json, svg or summary"
            ))
        }
    };
    print(&out)
}

fn summary(sim: &Sim, stop: &Stop) -> String {
    let trace = sim.trace();
    let mut segments: BTreeMap<String, usize> = BTreeMap::new();
    let mut sent = 0;
    for event in &trace.events {
        if let EventKind::Send(s) = &event.kind {
            sent += 1;
            *segments.entry(s.seg.flags.to_string()).or_default() += 1;
        }
    }
    let mut out = format!(
        "events {}\nsegments {sent}\nend {}\n{}\n",
        trace.events.len(),
        sim.now(),
        stop.message()
    );
    for (flags, n) in segments {
        out += &format!("  {flags:<12}{n}\n");
    }
    if trace.unrecorded > 0 {
        out += &format!(
            "the trace kept its first {} events in full; {} later ones were counted, not kept (--max-trace raises the limit)\n",
            trace.events.len(),
            trace.unrecorded
        );
    }
    let flood = &trace.flood;
    if flood.segments > 0 {
        out += &format!(
            "flood segments past the trace's detail {}: SYN {}, SYN,ACK {}, RST {}, lost {}, dropped at a host {}\n",
            flood.segments, flood.syns, flood.synacks, flood.rsts, flood.lost, flood.dropped
        );
    }
    for host in sim.hosts() {
        for (port, sock) in &host.listeners {
            let l = &sock.listener;
            out += &format!(
                "{}:{port} LISTEN syn queue {}/{} accept queue {}/{}\n",
                host.name,
                l.syn_queue_len(),
                l.syn_queue_limit(),
                l.accept_queue_len(),
                l.accept_queue_limit()
            );
        }
        for conn in host.conns.iter().filter(|c| c.detailed) {
            out += &format!("{} {}\n", trace.conns[conn.id], conn.tcb.state());
        }
    }
    out
}

fn read_stdin() -> Result<String, String> {
    let mut text = String::new();
    io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| format!("<stdin>: {e}"))?;
    Ok(text)
}

/// Prints, treating a closed pipe (`| head`) as success.
fn print(text: &str) -> Result<(), String> {
    match io::stdout().write_all(text.as_bytes()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.to_string()),
        _ => Ok(()),
    }
}
