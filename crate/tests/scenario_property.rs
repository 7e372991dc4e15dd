//! Properties of the scenario language and of share links, over generated input:
//!
//! - round trip: for any scenario the simulator supports, `parse(print(s)) == s`, and printing
//!   is canonical (`print(parse(print(s))) == print(s)`); the same through a share link;
//! - fuzzing: the parser and the link decoder never panic, whatever they are given, and every
//!   error points inside the text it is about.
//!
//! The seeds are fixed, so CI runs the same cases in a bounded time; `FUZZ_CASES=100000 cargo
//! test --test scenario_property` explores further.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use std::net::Ipv4Addr;
use tcp_playground::profile::Profile;
use tcp_playground::scenario::link;
use tcp_playground::scenario::{
    Action, Counterfactual, Fault, FaultEffect, Flood, HostDecl, LinkDecl, ListenDecl, Ppm,
    Scenario, SetDecl, Timed, MAX_FLOOD_COUNT, MAX_TIME, PRESETS,
};
use tcp_playground::segment::Flags;
use tcp_playground::time::{Duration, Instant};

fn config(cases: u32, seed: u64) -> ProptestConfig {
    let cases = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

const NAMES: [&str; 6] = ["client", "server", "attacker", "a", "web-1", "DB_2"];

/// Any duration up to the limit, in whole microseconds (the language's resolution).
fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        (0u64..5_000_000).prop_map(Duration::from_micros),
        (0u64..=MAX_TIME.micros()).prop_map(Duration::from_micros),
        (0u64..100).prop_map(Duration::from_secs),
    ]
}

fn ppm() -> impl Strategy<Value = Ppm> {
    prop_oneof![Just(Ppm(0)), (0u32..=Ppm::ONE).prop_map(Ppm)]
}

fn flags() -> impl Strategy<Value = Flags> {
    let named = [
        Flags::SYN,
        Flags::ACK,
        Flags::FIN,
        Flags::RST,
        Flags::PSH,
        Flags::URG,
    ];
    proptest::sample::subsequence(named.to_vec(), 1..=3)
        .prop_map(|fs| fs.into_iter().fold(Flags::NONE, Flags::union))
}

/// A valid value for each parameter, written as a reader would.
fn set_value() -> impl Strategy<Value = (&'static str, String)> {
    prop_oneof![
        (0u32..10).prop_map(|n| ("synack_retries", n.to_string())),
        (0u32..10).prop_map(|n| ("syn_retries", n.to_string())),
        duration().prop_map(|d| ("time_wait", d.to_string())),
        duration().prop_map(|d| ("keepalive_time", d.to_string())),
        prop_oneof![Just("on"), Just("off"), Just("1")].prop_map(|v| ("keepalive", v.into())),
        (0u32..=2).prop_map(|n| ("syncookies", n.to_string())),
        (88u32..=65535).prop_map(|n| ("mss", n.to_string())),
        any::<u32>().prop_map(|n| ("isn", n.to_string())),
    ]
}

fn action(hosts: Vec<String>) -> impl Strategy<Value = Action> {
    let host = proptest::sample::select(hosts);
    prop_oneof![
        (
            host.clone(),
            1u16..,
            proptest::option::of(1u16..),
            any::<bool>()
        )
            .prop_map(|(host, port, sport, reuseaddr)| Action::Connect {
                host: host.into(),
                port,
                sport,
                reuseaddr,
            }),
        (1u16.., 0u32..1000, any::<bool>(), any::<bool>()).prop_map(
            |(port, backlog, auto_accept, reuseaddr)| Action::Listen(ListenDecl {
                host: String::new(),
                port,
                backlog,
                auto_read: true,
                auto_accept,
                reply: None,
                close_after_reply: false,
                reuseaddr,
            })
        ),
        (1u16..).prop_map(|port| Action::CloseListener { port }),
        (1u32..).prop_map(|bytes| Action::Send { bytes }),
        Just(Action::Recv),
        Just(Action::Close),
        Just(Action::ShutdownWrite),
        Just(Action::Abort),
        Just(Action::Accept),
        Just(Action::Crash),
        Just(Action::Reboot),
        Just(Action::Unplug),
        Just(Action::Replug),
        any::<bool>().prop_map(Action::Keepalive),
        any::<bool>().prop_map(Action::Nodelay),
        (
            host,
            1u16..,
            1u32..=1_000_000,
            1u32..=MAX_FLOOD_COUNT / 8,
            any::<bool>()
        )
            .prop_map(
                |(host, port, rate, count, spoof_live)| Action::Flood(Flood {
                    host,
                    port,
                    rate,
                    count,
                    spoof_live,
                })
            ),
    ]
}

prop_compose! {
    fn scenario()(
        n_hosts in 1usize..=NAMES.len(),
        profile in proptest::sample::select(Profile::ALL.to_vec()),
        seed in any::<u64>(),
        counterfactuals in proptest::sample::subsequence(Counterfactual::ALL.to_vec(), 0..=2),
    )(
        links in proptest::collection::vec((0..n_hosts, 0..n_hosts, duration(), duration(), ppm(), ppm(), ppm()), 0..4),
        sets in proptest::collection::vec((0..n_hosts, set_value()), 0..4),
        listens in proptest::collection::vec(
            (0..n_hosts, 1u16.., 1u32.., any::<bool>(), any::<bool>(), proptest::option::of(1u32..), any::<bool>(), any::<bool>()),
            0..3,
        ),
        faults in proptest::collection::vec(
            (0..n_hosts, 0..n_hosts, 0u8..3, duration(), proptest::option::of(1u32..),
             proptest::option::of(flags()), proptest::option::of(any::<u32>())),
            0..4,
        ),
        actions in proptest::collection::vec(
            (duration(), 0..n_hosts, action(NAMES[..n_hosts].iter().map(|s| s.to_string()).collect())),
            0..8,
        ),
        run in proptest::option::of(duration()),
        n_hosts in Just(n_hosts), profile in Just(profile), seed in Just(seed),
        counterfactuals in Just(counterfactuals),
    ) -> Scenario {
        let name = |i: usize| NAMES[i].to_string();
        let mut s = Scenario::new();
        s.profile = profile;
        s.seed = seed;
        s.counterfactuals = counterfactuals;
        s.hosts = (0..n_hosts)
            .map(|i| HostDecl { name: name(i), addr: Ipv4Addr::new(10, 0, 0, i as u8 + 1) })
            .collect();
        for (a, b, delay, jitter, loss, dup, reorder) in links {
            let joined = |l: &LinkDecl| (l.a == name(a) && l.b == name(b)) || (l.a == name(b) && l.b == name(a));
            if a != b && !s.links.iter().any(joined) {
                s.links.push(LinkDecl { a: name(a), b: name(b), delay, jitter, loss, dup, reorder });
            }
        }
        s.sets = sets
            .into_iter()
            .map(|(h, (param, value))| SetDecl { host: name(h), name: param.into(), value })
            .collect();
        for (h, port, backlog, auto_read, auto_accept, reply, close, reuseaddr) in listens {
            if !s.listens.iter().any(|l| l.host == name(h) && l.port == port) {
                s.listens.push(ListenDecl {
                    host: name(h),
                    port,
                    backlog,
                    auto_read,
                    auto_accept,
                    close_after_reply: close && reply.is_some(),
                    reply,
                    reuseaddr,
                });
            }
        }
        s.faults = faults
            .into_iter()
            .map(|(from, to, kind, by, nth, flags, len)| Fault {
                effect: match kind {
                    0 => FaultEffect::Drop,
                    1 => FaultEffect::Delay(by),
                    _ => FaultEffect::Duplicate(by),
                },
                from: name(from),
                to: name(to),
                nth,
                flags,
                len,
            })
            .collect();
        let mut actions: Vec<Timed> = actions
            .into_iter()
            .map(|(at, h, action)| Timed { at: Instant::ZERO + at, host: name(h), action })
            .collect();
        actions.sort_by_key(|a| a.at);
        s.actions = actions.into();
        let latest = s.actions.last().map(|a| a.at.saturating_since(Instant::ZERO));
        s.run = run.map(|r| r.max(latest.unwrap_or(Duration::ZERO)));
        s
    }
}

/// Scenario-shaped noise: real keywords and names among junk, so the fuzzer reaches deep
/// into each statement's parser, not only its first word.
fn soup() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        proptest::sample::select(vec![
            "profile",
            "seed",
            "host",
            "link",
            "set",
            "at",
            "run",
            "drop",
            "delay",
            "dup",
            "counterfactual",
            "listen",
            "connect",
            "send",
            "flood",
            "keepalive",
            "close",
            "client",
            "server",
            "client.mss",
            "server:80",
            "client->server",
            "10.0.0.1",
            "delay=50ms",
            "loss=0.5",
            "flags=SYN,ACK",
            "nth=1",
            "by=3s",
            "rate=1000/s",
            "count=5",
            "backlog=8",
            "reply=1",
            "close=after-reply",
            "0s",
            "1.5s",
            "7d",
            "99999999999999999999h",
            "-1s",
            "0.0000001s",
            "µs",
            "1µs",
            "#",
            "=",
            "->",
            ":",
            "\t",
            "\u{feff}",
            "é",
            "世界",
            "\u{202e}",
            "\0",
            "\r",
        ])
        .prop_map(String::from),
        "[ -~]{0,12}",
        any::<String>(),
    ];
    proptest::collection::vec(
        proptest::collection::vec(word, 0..7).prop_map(|ws| ws.join(" ")),
        0..12,
    )
    .prop_map(|lines| lines.join("\n"))
}

/// Errors point inside the text: a real line, a column on it (or just past its end).
fn errors_point_inside(text: &str) -> Result<(), TestCaseError> {
    if let Err(errors) = Scenario::parse(text) {
        prop_assert!(!errors.0.is_empty());
        let lines: Vec<&str> = text.lines().collect();
        for e in &errors.0 {
            let width = lines.get(e.line - 1).map_or(0, |l| l.chars().count());
            prop_assert!(e.line >= 1 && (e.line <= lines.len() || lines.is_empty()));
            prop_assert!(e.col >= 1 && e.col <= width + 1, "{e} in {text:?}");
            prop_assert!(!e.message.is_empty());
            let _ = e.render(Some("fuzz"));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(400, 0x5CE_7A210))]

    #[test]
    fn any_scenario_prints_and_parses_back_to_itself(s in scenario()) {
        let printed = s.print();
        let parsed = Scenario::parse(&printed);
        prop_assert!(parsed.is_ok(), "{printed}\n{}", parsed.unwrap_err());
        let parsed = parsed.unwrap();
        prop_assert_eq!(&parsed, &s);
        prop_assert_eq!(parsed.print(), printed.clone());
        // And through a share link.
        let opened = link::decode(&link::encode(&printed)).unwrap();
        prop_assert_eq!(opened.text(), printed);
    }
}

proptest! {
    #![proptest_config(config(3000, 0xF022_5C37))]

    #[test]
    fn the_parser_never_panics_and_its_errors_point_inside_the_text(text in soup()) {
        errors_point_inside(&text)?;
    }

    #[test]
    fn a_damaged_preset_is_parsed_or_refused_never_a_panic(
        which in 0..PRESETS.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<char>(), 0u8..3), 1..6),
    ) {
        let mut chars: Vec<char> = PRESETS[which].text.chars().collect();
        for (at, c, kind) in edits {
            let i = at.index(chars.len() + 1);
            match kind {
                0 if i < chars.len() => { chars.remove(i); }
                1 if i < chars.len() => chars[i] = c,
                _ => chars.insert(i.min(chars.len()), c),
            }
        }
        let text: String = chars.into_iter().collect();
        errors_point_inside(&text)?;
        if let Ok(s) = Scenario::parse(&text) {
            prop_assert_eq!(Scenario::parse(&s.print()).unwrap(), s);
        }
    }

    #[test]
    fn the_link_decoder_never_panics(text in prop_oneof![any::<String>(), "#v1=[A-Za-z0-9_-]{0,200}", "#preset=[a-z-]{0,20}"]) {
        if let Ok(opened) = link::decode(&text) {
            errors_point_inside(opened.text())?;
        }
    }

    #[test]
    fn a_changed_link_opens_the_original_scenario_or_none(
        which in 0..PRESETS.len(),
        at in any::<prop::sample::Index>(),
        c in proptest::char::range('-', 'z'),
    ) {
        let fragment = link::encode(PRESETS[which].text);
        let mut chars: Vec<char> = fragment.chars().collect();
        let i = 4 + at.index(chars.len() - 4);
        chars[i] = c;
        let changed: String = chars.into_iter().collect();
        match link::decode(&changed) {
            Ok(opened) => prop_assert_eq!(opened.text(), PRESETS[which].text),
            Err(e) => prop_assert!(e.starts_with("the link is damaged"), "{}", e),
        }
    }
}
