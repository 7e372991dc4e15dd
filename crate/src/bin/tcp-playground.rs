//! The command line: `run`, `check`, `presets`, `link`, `open`, `import` and `completions`,
//! parsed by clap (each command has its own `--help`; a misspelt flag gets a suggestion). The
//! only file that knows about argv. Bad usage exits 2 with clap's message; a bad scenario exits
//! 2 with `file:line:col: message` on stderr, followed by the line with the offending text
//! underlined. `import` reads a real pcap or pcapng capture and prints one of its TCP
//! connections as an observed trace (or lists them); a file it cannot read exits 2 with
//! `FILE: why`.

use clap::builder::{PossibleValue, StringValueParser, TypedValueParser};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Read, Write};
use std::process::ExitCode;
use tcp_playground::ladder::{self, LadderOptions};
use tcp_playground::pcap::read::{self as capture, Capture};
use tcp_playground::scenario::{link, Preset, Scenario, PRESETS};
use tcp_playground::sim::{Sim, Stop, DEFAULT_EVENT_BUDGET, DEFAULT_TIME_BUDGET, FLOOD_DETAIL};
use tcp_playground::time::Duration;
use tcp_playground::trace::{Trace, DEFAULT_TRACE_LIMIT};

/// A deterministic RFC 9293 TCP simulator that draws ladder diagrams
///
/// Run a scenario (a file or a preset) and print its trace, its ladder or a pcap; check
/// scenarios; carry them in share links; read a real capture. Bad input exits 2 with the error
/// on stderr (`file:line:col: message` for a scenario).
#[derive(Parser)]
#[command(name = "tcp-playground", version, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate a scenario and print its trace
    Run(RunArgs),
    /// Validate scenarios without running them
    Check {
        /// Scenario files; `-` is standard input
        #[arg(required = true, value_name = "FILE|-")]
        files: Vec<String>,
    },
    /// Print the share-link fragment of a scenario (append it to the page's address)
    Link {
        #[command(flatten)]
        source: Source,
    },
    /// Print the scenario a link (or a whole URL) carries
    Open {
        /// A whole URL, its `#...` part, or that part without its `#`
        link: String,
    },
    /// List the presets, one line each: the name, then a one-line description
    Presets,
    /// Print one TCP connection of a real capture as an observed trace, or list them
    ///
    /// Reads a real capture (pcap or pcapng; Ethernet, VLAN, raw IP, Linux cooked SLL and
    /// SLL2, loopback; IPv4 TCP) and prints connection N (from 1) as an observed trace; with
    /// several connections and no --conn, text and summary list them. It takes the capture to
    /// be next to the client, estimates the one-way delay from the handshake and starts the
    /// trace at 0.
    Import(ImportArgs),
    /// Print a shell's completion script (e.g. `tcp-playground completions bash`)
    Completions {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },
}

/// A scenario to read: a file, standard input, or a preset.
#[derive(Args)]
#[group(required = true, multiple = false)]
struct Source {
    /// A scenario file; `-` is standard input
    #[arg(value_name = "FILE|-")]
    file: Option<String>,
    /// A preset instead of a file (`tcp-playground presets` lists them)
    #[arg(long, value_name = "NAME", value_parser = PresetName, hide_possible_values = true)]
    preset: Option<String>,
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    source: Source,
    /// What to print
    #[arg(long, value_enum, default_value_t = RunFormat::Text)]
    format: RunFormat,
    /// Stop the run after N events
    #[arg(long, value_name = "N", default_value_t = DEFAULT_EVENT_BUDGET)]
    max_events: u64,
    /// Stop a run that has no `run` statement at virtual time D, such as 10min [default: 7 days]
    #[arg(long, value_name = "D", value_parser = duration)]
    max_time: Option<Duration>,
    /// Keep the first N trace events in full and count the rest
    #[arg(long, value_name = "N", default_value_t = DEFAULT_TRACE_LIMIT)]
    max_trace: usize,
    /// Trace the first N segments of a SYN flood in full and count the rest in the flood
    /// summary
    #[arg(long, value_name = "N", default_value_t = FLOOD_DETAIL)]
    flood_detail: u32,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RunFormat {
    /// One readable line per event
    Text,
    /// The trace's events, one JSON object per line
    Json,
    /// The ladder diagram, a standalone SVG
    Svg,
    /// A capture for Wireshark or tcpdump (binary: send it to a file)
    Pcap,
    /// Counts: steps, trace events, segments by flags, final states
    Summary,
}

#[derive(Args)]
struct ImportArgs {
    /// A pcap or pcapng capture
    file: String,
    /// The connection to show, counted from 1 (the list numbers them), or `all`: every
    /// connection's trace, one after another
    #[arg(long, value_name = "N|all", value_parser = conn_choice)]
    conn: Option<ConnChoice>,
    /// The one-way delay, such as 25ms, instead of the estimate (0ms when every packet was
    /// captured at its sender)
    ///
    /// It also keeps the capture's clock: times count from the Unix epoch, so that connections
    /// and captures taken on one machine can be compared.
    #[arg(long, value_name = "D", value_parser = duration)]
    one_way: Option<Duration>,
    /// What to print
    #[arg(long, value_enum, default_value_t = ImportFormat::Text)]
    format: ImportFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ImportFormat {
    /// One readable line per event, or the list of connections
    Text,
    /// The trace's events, one JSON object per line
    Json,
    /// The ladder diagram, a standalone SVG
    Svg,
    /// Counts: segments by flags, retransmissions, or the list of connections
    Summary,
}

/// `--conn`: one connection (from 1) or all of them.
#[derive(Clone, Copy)]
enum ConnChoice {
    One(usize),
    All,
}

fn conn_choice(text: &str) -> Result<ConnChoice, String> {
    match text {
        "all" => Ok(ConnChoice::All),
        n => n
            .parse()
            .map(ConnChoice::One)
            .map_err(|_| format!("`{n}` is neither a connection number nor `all`")),
    }
}

/// A duration as scenarios write it: `25ms`, `1.5s`, `10min`.
fn duration(text: &str) -> Result<Duration, String> {
    Duration::parse(text)
}

/// A preset's name: any text (an unknown one gets the preset list's own "did you mean"), with
/// the names offered to shell completion.
#[derive(Clone)]
struct PresetName;

impl TypedValueParser for PresetName {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            PRESETS
                .iter()
                .map(|p| PossibleValue::new(p.name).help(p.summary)),
        ))
    }
}

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Presets => {
            let mut out = String::new();
            for p in PRESETS {
                out += &format!("{:<28}{}\n", p.name, p.summary);
            }
            print(&out)
        }
        Command::Run(args) => run_scenario(args),
        Command::Check { files } => check(&files),
        Command::Import(args) => import(args),
        Command::Link { source } => {
            let (name, text) = source.read()?;
            parse(&name, &text)?;
            print(&format!("{}\n", link::encode(&text)))
        }
        Command::Open { link: url } => {
            let opened = link::decode(&url).map_err(|e| format!("<link>: {e}"))?;
            parse("<link>", opened.text())?;
            print(opened.text())
        }
        Command::Completions { shell } => print(&completions(shell)),
    }
}

/// The completion script for `shell`.
fn completions(shell: clap_complete::Shell) -> String {
    const BIN: &str = "tcp-playground";
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN, &mut out);
    let script = String::from_utf8(out).expect("clap_complete writes UTF-8");
    // clap_complete's bash script names a subcommand's state `tcp__playground__subcmd__run`
    // in its loop but `tcp__subcmd__playground__subcmd__run` in its case arms when the binary's
    // name has a hyphen, so no subcommand's options would complete (clap issue #6421). Spell
    // the arms as the loop does; once clap_complete is fixed this replaces nothing.
    match shell {
        clap_complete::Shell::Bash => {
            script.replace(&BIN.replace('-', "__subcmd__"), &BIN.replace('-', "__"))
        }
        _ => script,
    }
}

impl Source {
    /// The scenario's name (for errors) and text.
    fn read(&self) -> Result<(String, String), String> {
        match (&self.preset, &self.file) {
            (Some(preset), _) => preset_source(preset),
            (None, Some(file)) => read_source(file),
            // clap requires one of the two.
            (None, None) => unreachable!("a scenario source is required"),
        }
    }
}

fn run_scenario(args: RunArgs) -> Result<(), String> {
    let (name, text) = args.source.read()?;
    let scenario = parse(&name, &text)?;
    let mut sim = Sim::new(&scenario);
    sim.set_budget(
        args.max_events,
        args.max_time.unwrap_or(DEFAULT_TIME_BUDGET),
    );
    sim.set_trace_limit(args.max_trace);
    sim.set_flood_detail(args.flood_detail);
    let stop = sim.run_to_end();
    if stop.is_budget() {
        eprintln!("{name}: {}", tcp_playground::words::english().stop(&stop));
    }
    let trace = sim.trace();
    let out = match args.format {
        RunFormat::Pcap => {
            if io::stdout().is_terminal() {
                return Err(
                    "a pcap file is binary: send it to a file, e.g. `--format pcap > run.pcap`"
                        .to_string(),
                );
            }
            return write_out(&tcp_playground::pcap::write(trace));
        }
        RunFormat::Text => trace.to_text(),
        RunFormat::Json => trace.to_json_lines(),
        RunFormat::Svg => ladder::render_svg(trace, sim.now(), &LadderOptions::standalone()),
        RunFormat::Summary => summary(&sim, &stop),
    };
    print(&out)
}

fn summary(sim: &Sim, stop: &Stop) -> String {
    let trace = sim.trace();
    // Steps are the work done (one event each); the trace may keep far fewer (a flood past
    // its first segments is counted, not kept).
    let mut out = format!(
        "steps {}\ntrace events {} kept\nsegments {}\nend {}\n{}\n",
        sim.events_processed(),
        trace.events.len(),
        trace.segment_count(),
        sim.now(),
        tcp_playground::words::english().stop(stop)
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
fn import(args: ImportArgs) -> Result<(), String> {
    let path = args.file;
    let listable = matches!(args.format, ImportFormat::Text | ImportFormat::Summary);
    let capture = read_capture(&path)?;
    let connections = capture.connections();
    let skipped = capture.skipped();
    let indices: Vec<usize> = match args.conn {
        Some(ConnChoice::All) if args.format == ImportFormat::Svg => {
            return Err("a ladder shows one connection: choose it with --conn N".into())
        }
        Some(ConnChoice::All) => (0..connections.len()).collect(),
        Some(ConnChoice::One(n)) if (1..=connections.len()).contains(&n) => vec![n - 1],
        Some(ConnChoice::One(n)) => {
            return Err(format!(
                "{path}: there is no connection {n}; the capture holds {}, numbered from 1",
                connections.len()
            ))
        }
        None if connections.len() == 1 => vec![0],
        None if listable => {
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
    if !skipped.is_empty() && args.format != ImportFormat::Summary {
        eprintln!("{path}: {skipped}");
    }
    let mut out = String::new();
    for index in indices {
        let trace = capture
            .observe_with(index, args.one_way.map(Duration::micros))
            .map_err(|e| format!("{path}: {e}"))?;
        let end = trace.end();
        out += &match args.format {
            ImportFormat::Text => trace.to_text(),
            ImportFormat::Json => trace.to_json_lines(),
            ImportFormat::Svg => ladder::render_svg(&trace, end, &LadderOptions::standalone()),
            ImportFormat::Summary => import_summary(&trace, &skipped),
        };
    }
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
