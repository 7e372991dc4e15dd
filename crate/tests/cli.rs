//! The command line contract (DESIGN.md, "The CLI"): what it prints and how it exits.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn cli(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tcp-playground"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn presets_lists_one_line_per_preset_with_a_description() {
    let out = cli(&["presets"], None);
    assert!(out.status.success());
    let text = stdout(&out);
    let names: Vec<&str> = text
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert!(
        names.contains(&"handshake") && names.contains(&"close"),
        "{text}"
    );
    assert!(
        text.lines().all(|l| l.split_whitespace().count() > 3),
        "{text}"
    );
}

#[test]
fn run_prints_the_trace_as_json_lines_and_as_text() {
    let json = cli(&["run", "--preset", "handshake", "--format", "json"], None);
    assert!(json.status.success(), "{}", stderr(&json));
    let flags: Vec<String> = stdout(&json)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["kind"] == "send")
        .map(|e| e["seg"]["flags"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(flags, ["SYN", "SYN,ACK", "ACK"]);

    let text = cli(&["run", "--preset", "handshake", "--format", "text"], None);
    assert!(
        stdout(&text).contains("0.050s server > client SYN,ACK seq=0 ack=1"),
        "{}",
        stdout(&text)
    );
}

#[test]
fn run_reads_a_scenario_from_standard_input_and_draws_svg() {
    let scenario = "host a 10.0.0.1\nhost b 10.0.0.2\nlink a b delay=10ms\nb listen 22\nat 0s a connect b:22\n";
    let out = cli(&["run", "-", "--format", "svg"], Some(scenario));
    assert!(out.status.success(), "{}", stderr(&out));
    let svg = stdout(&out);
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    assert_eq!(svg.matches("data-seg-id=").count(), 3);
}

#[test]
fn bad_input_exits_2_with_file_line_and_column() {
    let out = cli(
        &["run", "-"],
        Some("host a 10.0.0.1\nat 1s b connect a:80\n"),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "<stdin>:2:7: unknown host `b`; known hosts: a\n\
         2 | at 1s b connect a:80\n  |       ^"
    );
    assert!(stdout(&out).is_empty());

    let out = cli(&["run", "--preset", "handshak"], None);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "unknown preset `handshak`; did you mean `handshake`?"
    );

    let out = cli(&["run", "/no/such/file.scn"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("/no/such/file.scn: "));

    // An unknown format: clap's message, naming the value and the formats there are.
    let out = cli(&["run", "--preset", "close", "--format", "pdf"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("invalid value 'pdf' for '--format"), "{err}");
    assert!(
        err.contains("[possible values: text, json, svg, pcap, summary]"),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn summary_counts_segments_and_final_states() {
    let out = cli(&["run", "--preset", "close", "--format", "summary"], None);
    let text = stdout(&out);
    assert!(text.contains("segments 7"), "{text}");
    assert!(text.contains("the run is over"), "{text}");
}

/// A flood's summary tells the work done (the simulator's steps) from what the trace kept: a
/// flood past its first segments is counted, not kept, so the two are far apart.
#[test]
fn summary_says_the_steps_taken_and_the_trace_events_kept() {
    use tcp_playground::scenario::{Preset, Scenario};
    let out = cli(
        &["run", "--preset", "syn-flood", "--format", "summary"],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let mut sim = tcp_playground::sim::Sim::new(
        &Scenario::parse(Preset::find("syn-flood").unwrap().text).unwrap(),
    );
    sim.run_to_end();
    let (steps, kept) = (sim.events_processed(), sim.trace().events.len());
    assert!(steps > 10 * kept as u64, "{steps} steps, {kept} kept");
    let lines: Vec<&str> = text.lines().take(2).collect();
    assert_eq!(
        lines,
        [
            format!("steps {steps}"),
            format!("trace events {kept} kept")
        ]
    );
}

/// `--flood-detail N` keeps N flood segments in full: with a large N, every SYN of the flood
/// and every SYN,ACK the server sent back is in the trace, and nothing is left to count.
#[test]
fn flood_detail_keeps_the_flood_in_full() {
    let sends = |extra: &[&str]| {
        let args = [
            &["run", "--preset", "syn-flood-cookies", "--format", "json"][..],
            extra,
        ];
        let out = cli(&args.concat(), None);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        text.lines()
            .filter(|l| l.contains(r#""kind":"send""#) && l.contains(r#""src":"198.19."#))
            .count()
    };
    let default = sends(&[]);
    let full = sends(&["--flood-detail", "1000000"]);
    assert!(default <= 24, "{default} spoofed SYNs traced by default");
    // The preset sends 1,000 SYNs (rate 100/s from 0 s, over by 10 s).
    assert_eq!(full, 1000);
}

#[test]
fn each_command_has_its_own_help() {
    let out = cli(&["run", "--help"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let help = stdout(&out);
    assert!(help.contains("Usage: tcp-playground run"), "{help}");
    for flag in [
        "--preset <NAME>",
        "--format <FORMAT>",
        "--max-events <N>",
        "--max-time <D>",
        "--max-trace <N>",
        "--flood-detail <N>",
    ] {
        assert!(help.contains(flag), "{flag}: {help}");
    }
    for format in ["text", "json", "svg", "pcap", "summary"] {
        assert!(help.contains(&format!("- {format}:")), "{format}: {help}");
    }
    // `help COMMAND` says the same as `COMMAND --help`; import's help is import's own.
    assert_eq!(stdout(&cli(&["help", "run"], None)), help);
    let import = stdout(&cli(&["import", "--help"], None));
    assert!(import.contains("--one-way <D>") && import.contains("--conn <N|all>"));
    assert!(!import.contains("--max-events") && !import.contains("pcap:"));
    // No command at all: the list of commands, on stderr, and exit 2.
    let out = cli(&[], None);
    assert_eq!(out.status.code(), Some(2));
    for command in [
        "run",
        "check",
        "link",
        "open",
        "presets",
        "import",
        "completions",
    ] {
        assert!(
            stderr(&out).contains(&format!("\n  {command} ")),
            "{command}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_misspelt_flag_or_command_gets_a_suggestion() {
    let out = cli(&["run", "--presett", "handshake"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("unexpected argument '--presett'"), "{err}");
    assert!(
        err.contains("a similar argument exists: '--preset'"),
        "{err}"
    );
    assert!(stdout(&out).is_empty());

    let out = cli(&["run", "--preset", "close", "--format", "jsno"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("a similar value exists: 'json'"));

    let out = cli(&["improt", "x.pcap"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("a similar subcommand exists: 'import'"));

    // A file and a preset at once: which one was meant is not guessed.
    let out = cli(&["run", "my.scn", "--preset", "close"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot be used with '--preset <NAME>'"));
}

/// What bash offers after `words` (the last one being completed), with the script the
/// `completions bash` command prints.
fn bash_completes(script: &str, words: &[&str]) -> Vec<String> {
    let file = TempFile::new("completion.bash", script);
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{}'\n\
         COMP_WORDS=({})\n\
         COMP_CWORD={}\n\
         f=$(complete -p tcp-playground | sed 's/.*-F \\([^ ]*\\).*/\\1/')\n\
         \"$f\" tcp-playground {} {}\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        file.path(),
        quoted.join(" "),
        words.len() - 1,
        quoted[words.len() - 1],
        quoted[words.len() - 2],
    );
    let out = Command::new("bash")
        .args(["--norc", "-c", &program])
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).lines().map(str::to_string).collect()
}

#[test]
fn completions_complete_commands_flags_formats_and_preset_names() {
    let out = cli(&["completions", "bash"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let bash = stdout(&out);
    let words = |w: &[&str]| bash_completes(&bash, w);
    assert_eq!(words(&["tcp-playground", "im"]), ["import"]);
    assert_eq!(
        words(&["tcp-playground", "run", "--max"]),
        ["--max-events", "--max-time", "--max-trace"]
    );
    assert_eq!(
        words(&["tcp-playground", "run", "--format", ""]),
        ["text", "json", "svg", "pcap", "summary"]
    );
    assert_eq!(
        words(&["tcp-playground", "link", "--preset", "syn-fl"]),
        ["syn-flood", "syn-flood-cookies"]
    );
    assert_eq!(
        words(&["tcp-playground", "import", "x.pcap", "--format", "s"]),
        ["svg", "summary"]
    );
    // zsh and fish (not installed here to run): their scripts name the same commands, flags
    // and values.
    for shell in ["zsh", "fish"] {
        let out = cli(&["completions", shell], None);
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        for word in [
            "import",
            "max-events",
            "one-way",
            "summary",
            "syn-flood-cookies",
        ] {
            assert!(script.contains(word), "{shell}: {word}");
        }
    }
    let out = cli(&["completions", "tcsh"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("[possible values: bash, elvish, fish, powershell, zsh]"));
}

/// The README's "Scenarios" section, up to the next section.
fn readme_scenarios_section() -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let section = readme
        .split("## Scenarios")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("a Scenarios section");
    section.to_string()
}

/// The example in the README's "Scenarios" section is what readers copy: it must run.
#[test]
fn the_readme_scenario_example_runs() {
    let section = readme_scenarios_section();
    let example = section.split("```").nth(1).expect("a code block in it");
    let out = cli(&["run", "-", "--format", "summary"], Some(example));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("segments"), "{}", stdout(&out));
}

/// A scratch file for one test, removed when the test ends.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str, text: &str) -> TempFile {
        let path =
            std::env::temp_dir().join(format!("tcp-playground-{}-{name}", std::process::id()));
        std::fs::write(&path, text).unwrap();
        TempFile(path)
    }
    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn check_validates_without_running_and_reports_every_bad_file() {
    let good = TempFile::new(
        "good.scn",
        "host a 10.0.0.1\nhost b 10.0.0.2\nat 1s a connect b:80\n",
    );
    let bad = TempFile::new(
        "bad.scn",
        "host a 10.0.0.1\nlink a c\nset a.synack_retires 2\n",
    );
    let out = cli(&["check", good.path()], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("{}: ok (2 hosts, 1 actions)\n", good.path())
    );

    let out = cli(&["check", good.path(), bad.path()], None);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!(
            "{}:2:8: unknown host `c`; known hosts: a\n",
            bad.path()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{}:3:7: unknown parameter `synack_retires`; did you mean `synack_retries`?",
            bad.path()
        )),
        "{err}"
    );
}

#[test]
fn link_and_open_carry_a_scenario_there_and_back() {
    let out = cli(&["link", "--preset", "syn-lost"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let fragment = stdout(&out).trim().to_string();
    assert!(fragment.starts_with("#v1="), "{fragment}");

    let url = format!("http://127.0.0.1:8000/{fragment}");
    let out = cli(&["open", &url], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let preset = tcp_playground::scenario::Preset::find("syn-lost").unwrap();
    assert_eq!(stdout(&out), preset.text);

    // What `open` prints runs like the preset itself.
    let replayed = cli(&["run", "-", "--format", "json"], Some(&stdout(&out)));
    let original = cli(&["run", "--preset", "syn-lost", "--format", "json"], None);
    assert_eq!(stdout(&replayed), stdout(&original));

    let out = cli(&["link", "-"], Some("host a 10.0.0.1\nseed x\n"));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("<stdin>:2:6: `x` is not a whole number"));

    let out = cli(&["open", "#v1=AAAA"], None);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "<link>: the link is damaged: part of it is missing or was changed"
    );
}

/// The README's "Scenarios" section is the language's reference: it names every statement,
/// action and parameter there is.
#[test]
fn the_readme_reference_names_every_statement_action_and_parameter() {
    use tcp_playground::profile::Params;
    use tcp_playground::scenario::{ACTIONS, STATEMENTS};
    let section = readme_scenarios_section();
    let words: std::collections::BTreeSet<&str> = section
        .split(|c: char| c.is_whitespace() || "`.,;:()|".contains(c))
        .collect();
    for name in STATEMENTS.iter().chain(&ACTIONS).chain(&Params::NAMES) {
        assert!(
            words.contains(name),
            "the README's reference does not name `{name}`"
        );
    }
    assert!(words.contains("listen"));
}

/// Every example in the README's parameter table is a statement that parses, and the table has
/// a row for every parameter.
#[test]
fn the_readme_parameter_examples_parse() {
    use tcp_playground::profile::Params;
    use tcp_playground::scenario::Scenario;
    let section = readme_scenarios_section();
    let rows: Vec<Vec<&str>> = section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| l.split(" | ").collect())
        .collect();
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r[0].trim_matches(['|', ' ', '`']))
        .collect();
    assert_eq!(names, Params::NAMES);
    for row in rows {
        let example = row[3].trim_matches(['|', ' ', '`']);
        let text = format!("host client 10.0.0.1\nhost server 10.0.0.2\n{example}\n");
        assert!(Scenario::parse(&text).is_ok(), "`{example}` does not parse");
    }
}
