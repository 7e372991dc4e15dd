//! The command line: `run`, `check`, `presets`, `link`, `open` and `import`. The only file that
//! knows about argv; bad input exits 2 with `file:line:col: message` on stderr, followed by the
//! line with the offending text underlined. `import` reads a real pcap or pcapng capture and
//! prints one of its TCP connections as an observed trace (or lists them); a file it cannot
//! read exits 2 with `FILE: why`.

use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Read, Write};
use std::process::ExitCode;
use tcp_playground::ladder::{self, LadderOptions};
use tcp_playground::pcap::read::{self as capture, Capture};
use tcp_playground::scenario::{link, Preset, Scenario, PRESETS};
use tcp_playground::sim::{Sim, Stop};
use tcp_playground::time::Duration;
use tcp_playground::trace::Trace;

const USAGE: &str = "\
usage:
  tcp-playground run FILE|- [--format text|json|svg|pcap|summary] [--max-events N] [--max-time D] [--max-trace N]
  tcp-playground run --preset NAME [--format ...] [--max-events N] [--max-time D] [--max-trace N]
  tcp-playground check FILE|- [FILE ...]
  tcp-playground link FILE|- | --preset NAME
  tcp-playground open LINK
  tcp-playground presets
  tcp-playground import FILE [--conn N] [--one-way D] [--format text|json|svg|summary]

check validates scenarios without running them; link prints the share-link fragment (append
it to the page's address); open prints the scenario a link (or a whole URL) carries.

import reads a real capture (pcap or pcapng, IPv4 TCP) and prints connection N (from 1) as an
observed trace; with several connections and no --conn, text and summary list them. It takes
the capture to be next to the client, estimates the one-way delay from the handshake and starts
the trace at 0. --one-way D gives the delay instead (such as 25ms; 0ms when every packet was
captured at its sender) and keeps the capture's clock: times count from the Unix epoch, so that
connections and captures taken on one machine can be compared.

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
        Some("check") => check(&args[1..]),
        Some("import") => import(&args[1..]),
        Some("link") => {
            let (name, text) = match &args[1..] {
                [flag, preset] if flag == "--preset" => preset_source(preset)?,
                [file] if !file.starts_with("--") => read_source(file)?,
                _ => {
                    return Err(format!(
                        "link needs one scenario file, `-` or --preset NAME\n{USAGE}"
                    ))
                }
            };
            parse(&name, &text)?;
            print(&format!("{}\n", link::encode(&text)))
        }
        Some("open") => {
            let [url] = &args[1..] else {
                return Err(format!("open needs one link\n{USAGE}"));
            };
            let opened = link::decode(url).map_err(|e| format!("<link>: {e}"))?;
            parse("<link>", opened.text())?;
            print(opened.text())
        }
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
                    .ok_or("--format needs a value: text, json, svg, pcap or summary")?
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
                source = Some(preset_source(
                    it.next().ok_or("--preset needs a preset name")?,
                )?)
            }
            path if path == "-" || !path.starts_with("--") => source = Some(read_source(path)?),
            other => return Err(format!("unknown option `{other}`\n{USAGE}")),
        }
    }
    let (name, text) = source
        .ok_or_else(|| format!("run needs a scenario file, `-` or --preset NAME\n{USAGE}"))?;
    let scenario = parse(&name, &text)?;
    let mut sim = Sim::new(&scenario);
    sim.set_budget(max_events, max_time);
    sim.set_trace_limit(max_trace);
    let stop = sim.run_to_end();
    if stop.is_budget() {
        eprintln!("{name}: {}", stop.message());
    }
    let trace = sim.trace();
    if format == "pcap" {
        if io::stdout().is_terminal() {
            return Err(
                "a pcap file is binary: send it to a file, e.g. `--format pcap > run.pcap`"
                    .to_string(),
            );
        }
        return write_out(&tcp_playground::pcap::write(trace));
    }
    let out = match format.as_str() {
        "text" => trace.to_text(),
        "json" => trace.to_json_lines(),
        "svg" => ladder::render_svg(trace, sim.now(), &LadderOptions::standalone()),
        "summary" => summary(&sim, &stop),
        other => {
            return Err(format!(
                "unknown format `{other}`; use text, json, svg, pcap or summary"
            ))
        }
    };
    print(&out)
}

fn summary(sim: &Sim, stop: &Stop) -> String {
    let trace = sim.trace();
    let mut out = format!(
        "events {}\nsegments {}\nend {}\n{}\n",
        trace.events.len(),
        trace.segment_count(),
        sim.now(),
        stop.message()
    );
    out += &flag_counts(trace);
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
    for host in sim.snapshot().hosts {
        for l in host.listeners {
            out += &format!(
                "{}:{} LISTEN syn queue {}/{} accept queue {}/{}\n",
                host.name, l.port, l.syn_queue, l.syn_limit, l.accept_queue, l.accept_limit
            );
        }
        for conn in host.conns {
            out += &format!("{} {}\n", conn.label, conn.state);
        }
    }
    out
}

/// `import FILE [--conn N] [--one-way D] [--format ...]`: one connection of a real capture as a
/// trace, or the list of its connections.
fn import(args: &[String]) -> Result<(), String> {
    let mut format = "text".to_string();
    let mut path: Option<String> = None;
    let mut conn: Option<usize> = None;
    let mut one_way: Option<Duration> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--format" => {
                format = it
                    .next()
                    .ok_or("--format needs a value: text, json, svg or summary")?
                    .clone();
            }
            "--conn" => {
                let value = it.next().ok_or("--conn needs a connection number")?;
                conn = Some(value.parse().map_err(|_| {
                    format!("--conn takes a connection number from 1, not `{value}`")
                })?);
            }
            "--one-way" => {
                let value = it
                    .next()
                    .ok_or("--one-way needs a duration such as 25ms or 0ms")?;
                one_way = Some(Duration::parse(value).map_err(|e| format!("--one-way: {e}"))?);
            }
            file if !file.starts_with("--") && path.is_none() => path = Some(file.to_string()),
            extra if !extra.starts_with("--") => {
                return Err(format!(
                    "import takes one capture file; `{extra}` is one too many"
                ))
            }
            other => return Err(format!("unknown option `{other}`\n{USAGE}")),
        }
    }
    if !["text", "json", "svg", "summary"].contains(&format.as_str()) {
        return Err(format!(
            "unknown format `{format}`; use text, json, svg or summary"
        ));
    }
    let path = path.ok_or_else(|| format!("import needs a capture file\n{USAGE}"))?;
    let capture = read_capture(&path)?;
    let connections = capture.connections();
    let skipped = capture.skipped();
    let index = match conn {
        Some(n) if (1..=connections.len()).contains(&n) => n - 1,
        Some(n) => {
            return Err(format!(
                "{path}: there is no connection {n}; the capture holds {}, numbered from 1",
                connections.len()
            ))
        }
        None if connections.len() == 1 => 0,
        None if format == "text" || format == "summary" => {
            return print(&connection_list(&path, &capture, &skipped));
        }
        None => {
            return Err(format!(
                "{path} holds {} TCP connections; choose one with --conn N (`tcp-playground \
                 import {path}` lists them)",
                connections.len()
            ))
        }
    };
    let trace = capture
        .observe_with(index, one_way.map(Duration::micros))
        .map_err(|e| format!("{path}: {e}"))?;
    if !skipped.is_empty() && format != "summary" {
        eprintln!("{path}: {skipped}");
    }
    let end = trace.end();
    let out = match format.as_str() {
        "json" => trace.to_json_lines(),
        "svg" => ladder::render_svg(&trace, end, &LadderOptions::standalone()),
        "summary" => import_summary(&trace, &skipped),
        _ => trace.to_text(),
    };
    print(&out)
}

/// A capture file, refused before reading if it is over the size limit.
fn read_capture(path: &str) -> Result<Capture, String> {
    let len = std::fs::metadata(path)
        .map_err(|e| format!("{path}: {e}"))?
        .len();
    capture::check_size(len).map_err(|e| format!("{path}: {e}"))?;
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    capture::parse(&bytes).map_err(|e| format!("{path}: {e}"))
}

/// `FILE: 3 TCP connections; ...` then one numbered line each: label, packets, duration.
fn connection_list(path: &str, capture: &Capture, skipped: &str) -> String {
    let connections = capture.connections();
    let mut out = format!(
        "{path}: {} TCP connections; show one with --conn N\n",
        connections.len()
    );
    let width = connections.iter().map(|c| c.label.len()).max().unwrap_or(0);
    for (i, c) in connections.iter().enumerate() {
        let duration = Duration::from_micros(c.last_us - c.first_us);
        out += &format!(
            "{:>3}  {:<width$}  {:>6} packets  {duration}\n",
            i + 1,
            c.label,
            c.packets
        );
    }
    if !skipped.is_empty() {
        out += &format!("{skipped}\n");
    }
    out
}

/// An imported connection in numbers: its segments by flags, retransmissions, what was skipped.
fn import_summary(trace: &Trace, skipped: &str) -> String {
    let retrans = trace.sends.iter().filter(|s| s.retrans).count();
    let mut out = format!(
        "connection {}\nevents {}\nsegments {}\nretransmissions {retrans}\nend {}\n",
        trace.conns.join(" "),
        trace.events.len(),
        trace.segment_count(),
        trace.end(),
    );
    out += &flag_counts(trace);
    if !skipped.is_empty() {
        out += &format!("{skipped}\n");
    }
    out
}

/// The trace's segments counted by flag set, a `  FLAGS       N` line each.
fn flag_counts(trace: &Trace) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for s in &trace.sends {
        *counts.entry(s.seg.flags.to_string()).or_default() += 1;
    }
    counts
        .iter()
        .map(|(flags, n)| format!("  {flags:<12}{n}\n"))
        .collect()
}

/// `check FILE...`: parses each file and says which are good; exit 2 if any is not.
fn check(files: &[String]) -> Result<(), String> {
    if files.is_empty() {
        return Err(format!(
            "check needs at least one scenario file or `-`\n{USAGE}"
        ));
    }
    let mut failed = Vec::new();
    for file in files {
        match read_source(file).and_then(|(name, text)| parse(&name, &text)) {
            Ok(s) => print(&format!(
                "{file}: ok ({} hosts, {} actions)\n",
                s.hosts.len(),
                s.actions.len()
            ))?,
            Err(e) => failed.push(e),
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed.join("\n\n"))
    }
}

/// A scenario, or every error in it rendered under the source's name.
fn parse(name: &str, text: &str) -> Result<Scenario, String> {
    Scenario::parse(text).map_err(|errors| errors.render(Some(name)))
}

/// A preset's name and text, as `run --preset` and `link --preset` take them.
fn preset_source(name: &str) -> Result<(String, String), String> {
    let preset = Preset::find(name).ok_or_else(|| Preset::unknown(name))?;
    Ok((format!("preset:{name}"), preset.text.to_string()))
}

/// A file's name and text; `-` is standard input.
fn read_source(path: &str) -> Result<(String, String), String> {
    if path == "-" {
        let mut text = String::new();
        io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("<stdin>: {e}"))?;
        return Ok(("<stdin>".into(), text));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    Ok((path.to_string(), text))
}

/// Prints, treating a closed pipe (`| head`) as success.
fn print(text: &str) -> Result<(), String> {
    write_out(text.as_bytes())
}

fn write_out(bytes: &[u8]) -> Result<(), String> {
    match io::stdout().write_all(bytes) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.to_string()),
        _ => Ok(()),
    }
}
