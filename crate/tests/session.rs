//! What a reader does to a run, natively: the session the page drives. Stepping two compared
//! runs on one clock, Back, seeking, budgets, the Act bar, faults on one segment, variants,
//! and what is recorded into the scenario (which must replay to the same trace).

use tcp_playground::scenario::link;
use tcp_playground::scenario::{FaultEffect, Preset, Scenario};
use tcp_playground::session::{
    effect_named, titles, Act, Refusal, Run, Session, Variant, COMPARED_WITH,
};
use tcp_playground::sim::{Stop, DEFAULT_TIME_BUDGET};
use tcp_playground::time::{Duration, Instant};
use tcp_playground::trace::{EventKind, SegId, Trace};

/// Two hosts, a server, one connection, and three hours to play in (as the browser tests).
const PLAYGROUND: &str = "host client 10.0.0.1\nhost server 10.0.0.2\nlink client server delay=50ms\nserver listen 80\nat 0s client connect server:80\nrun 3h\n";

fn open(text: &str) -> Session {
    Session::open(text, None).unwrap()
}

fn run(session: &Session) -> &Run {
    &session.runs()[0]
}

fn digest(session: &Session, panel: usize) -> String {
    session.runs()[panel].trace().digest()
}

/// The ids of the segments with exactly these flags, in the order sent.
fn sent(trace: &Trace, flags: &str) -> Vec<SegId> {
    (trace.sent_segments())
        .filter(|(_, s)| s.seg.flags.to_string() == flags)
        .map(|(_, s)| s.id)
        .collect()
}

fn dropped(trace: &Trace) -> Vec<SegId> {
    (trace.events.iter())
        .filter_map(|e| match e.kind {
            EventKind::Drop { seg_id, .. } => Some(seg_id),
            _ => None,
        })
        .collect()
}

/// The session's first run, replayed from its recorded scenario text to the end, is the same
/// trace as the session's run to the end.
fn replays_exactly(mut session: Session) {
    let text = run(&session).scenario_text();
    session.run_to_end();
    let mut replay = Run::open(&text).unwrap();
    replay.run_to_end();
    assert_eq!(replay.trace().digest(), digest(&session, 0), "{text}");
}

// ------------------------------------------------------------------ stepping on one clock

#[test]
fn two_compared_runs_step_on_one_clock() {
    let mut session = open("preset:syn-lost");
    let classic = Variant::Profile(tcp_playground::profile::Profile::Classic)
        .apply("preset:syn-lost")
        .unwrap();
    session.compare_with(&classic).unwrap();
    assert!(session.comparing());
    let mut steps = 0;
    while !session.done() {
        let next: Vec<Option<Instant>> = (0..2)
            .map(|p| session.run_mut(p).unwrap().next_time())
            .collect();
        let due = next.iter().flatten().min().copied();
        let before: Vec<usize> = session.runs().iter().map(Run::events).collect();
        session.step();
        for panel in 0..2 {
            let moved = session.runs()[panel].events() > before[panel];
            let is_due = next[panel].is_none() || next[panel] == due;
            // A run moves only when its next event is the earliest of the two (or it has
            // none left, and finds out that it is over).
            if moved {
                assert!(is_due, "step {steps}: panel {panel} moved out of turn");
            }
            if next[panel].is_some() && next[panel] == due {
                assert!(
                    session.runs()[panel].sim().now() == due.unwrap(),
                    "step {steps}: panel {panel} is not at the earliest time"
                );
            }
        }
        steps += 1;
        assert!(steps < 10_000, "the runs end");
    }
    // Stepping together changes neither run: each is its scenario run alone.
    for (panel, text) in ["preset:syn-lost", classic.as_str()]
        .into_iter()
        .enumerate()
    {
        let mut alone = Run::open(text).unwrap();
        alone.run_to_end();
        assert_eq!(alone.trace().digest(), digest(&session, panel));
    }
    // Linux retries the SYN after 1 s, classic after 3 s: the session's clock is the later.
    assert_eq!(session.now(), session.runs()[1].sim().now());
}

#[test]
fn back_restores_exactly_the_trace_before_the_step() {
    let mut session = open("preset:close");
    let mut digests = vec![digest(&session, 0)];
    for _ in 0..6 {
        session.step();
        digests.push(digest(&session, 0));
    }
    assert!(
        digests.windows(2).all(|w| w[0] != w[1]),
        "each step adds events"
    );
    while let Some(expected) = digests.pop() {
        assert_eq!(digest(&session, 0), expected);
        if digests.is_empty() {
            break;
        }
        let generation = session.generation();
        assert!(session.can_go_back());
        assert!(session.back());
        assert_ne!(session.generation(), generation, "the run is a new one");
    }
    assert!(!session.can_go_back());
    assert!(!session.back(), "nothing is left to undo");
}

#[test]
fn back_in_compare_mode_restores_both_runs() {
    let mut session = open("preset:syn-lost");
    let unknown = session.compare_with("preset:syn-lost-classic").unwrap_err();
    assert!(
        unknown.starts_with("unknown preset `syn-lost-classic`"),
        "{unknown}"
    );
    assert!(!session.comparing());
    let classic = Variant::named("profile classic")
        .unwrap()
        .apply("preset:syn-lost")
        .unwrap();
    session.compare_with(&classic).unwrap();
    for _ in 0..3 {
        session.step();
    }
    let before = (digest(&session, 0), digest(&session, 1));
    session.step();
    assert!(session.back());
    assert_eq!((digest(&session, 0), digest(&session, 1)), before);
}

#[test]
fn seeking_replays_to_a_time_and_to_a_fraction_of_the_end() {
    let mut session = open("preset:handshake");
    assert_eq!(session.known_end(), None, "not known before running");
    // The handshake is over when the final ACK arrives, at 150 ms.
    assert_eq!(session.find_end(), Instant::from_micros(150_000));
    assert!(!session.done(), "the end was found on a copy");
    session.step();
    session.seek_fraction(0.5);
    assert_eq!(session.now(), Instant::from_micros(75_000));
    assert_eq!(run(&session).trace().segment_count(), 2, "SYN, SYN,ACK");
    assert!(
        session.can_go_back(),
        "Back steps back from where a seek left"
    );
    assert_eq!(session.known_end(), Some(Instant::from_micros(150_000)));
    session.seek(Instant::from_micros(15_000));
    assert_eq!(run(&session).trace().segment_count(), 1, "the SYN");
    // The same moment, stepped to: the same trace.
    let mut stepped = Run::open("preset:handshake").unwrap();
    stepped.run_until(Instant::from_micros(15_000));
    assert_eq!(stepped.trace().digest(), digest(&session, 0));
    session.run_to_end();
    assert_eq!(session.known_end(), Some(Instant::from_micros(150_000)));
}

// ------------------------------------------------------------------ budgets

#[test]
fn an_event_budget_stops_each_run_and_says_so() {
    let mut session = Session::open("preset:syn-flood", Some(1000)).unwrap();
    session.compare_with("preset:syn-flood-cookies").unwrap();
    session.run_to_end();
    for r in session.runs() {
        assert_eq!(r.sim().stopped(), Some(&Stop::EventBudget(1000)));
        assert!(r.sim().stopped().unwrap().is_budget());
    }
    let message = tcp_playground::words::english().stop(run(&session).sim().stopped().unwrap());
    assert!(message.contains("stopped after 1000 events"), "{message}");
    // Seeking finds the end within the same budget.
    let end = session.now();
    session.seek_fraction(0.0);
    assert_eq!(session.find_end(), end);
}

#[test]
fn the_time_limit_is_the_simulators_own() {
    // A connection kept alive by probes every two hours never falls quiet.
    let text = "host client 10.0.0.1\nhost server 10.0.0.2\nlink client server delay=1ms\nserver listen 80\nset client.keepalive on\nat 0s client connect server:80\n";
    let mut session = Session::open(text, Some(1_000_000)).unwrap();
    session.run_to_end();
    let limit = Instant::ZERO + DEFAULT_TIME_BUDGET;
    assert_eq!(
        run(&session).sim().stopped(),
        Some(&Stop::TimeBudget(limit))
    );
    // A run's own limits, when set, are kept by the runs made from it.
    let mut short = Run::open(text).unwrap();
    short.set_budget(1_000_000, Duration::from_secs(3 * 3600));
    let mut again = short.with_setting("client", "keepalive_intvl", "60s");
    again.run_to_end();
    let limit = Instant::ZERO + Duration::from_secs(3 * 3600);
    assert_eq!(again.sim().stopped(), Some(&Stop::TimeBudget(limit)));
}

// ------------------------------------------------------------------ the Act bar

#[test]
fn the_act_bar_knows_the_server_and_starts_on_a_client() {
    let session = open(PLAYGROUND);
    assert_eq!(session.server(), Some("server"));
    assert_eq!(session.default_actor(), Some("client"));
    assert_eq!(
        session.cookies(),
        Some(true),
        "Linux answers a full queue with cookies"
    );
    let quiet = open("host a 10.0.0.1\nhost b 10.0.0.2\n");
    assert_eq!((quiet.server(), quiet.cookies()), (None, None));
    assert_eq!(quiet.default_actor(), Some("a"));
}

#[test]
fn connect_and_flood_go_to_the_first_other_listening_host() {
    let text = "host a 10.0.0.1\nhost b 10.0.0.2\nhost c 10.0.0.3\nlink a b delay=1ms\nlink b c delay=1ms\nb listen 80\nc listen 8080\nc listen 443\n";
    let mut session = open(text);
    session.act("a", Act::Connect).unwrap();
    session.act("b", Act::Connect).unwrap();
    session.act("a", Act::Flood).unwrap();
    let recorded = run(&session).scenario_text();
    assert!(recorded.contains(" a connect b:80\n"), "{recorded}");
    assert!(recorded.contains(" b connect c:443\n"), "{recorded}");
    assert!(
        recorded.contains(" a flood b:80 rate=200/s count=2000 spoof=random\n"),
        "{recorded}"
    );
    replays_exactly(session);
}

#[test]
fn each_act_is_recorded_and_the_recording_replays_exactly() {
    let mut session = open(PLAYGROUND);
    session.run_to_end();
    let acts = [
        ("client", Act::Send(1000), "client send 1000"),
        ("client", Act::KeepaliveOn, "client keepalive on"),
        ("client", Act::Close, "client close"),
        ("server", Act::Close, "server close"),
        ("client", Act::Connect, "client connect server:80"),
        ("client", Act::Abort, "client abort"),
        ("server", Act::Crash, "server crash"),
        ("server", Act::Reboot, "server reboot"),
    ];
    for (host, act, line) in acts {
        let generation = session.generation();
        session.act(host, act).unwrap();
        assert_eq!(session.generation(), generation, "{line}: the run goes on");
        assert!(session.can_go_back(), "{line}: Back undoes it");
        let recorded = run(&session).scenario_text();
        assert!(
            recorded.contains(&format!(" {line}\n")),
            "{line}:\n{recorded}"
        );
        assert_eq!(run(&session).source_text(), recorded);
        let now = session.now();
        session.seek(now + Duration::from_secs(2));
    }
    let trace = run(&session).trace();
    assert!(
        sent(trace, "RST").len() + sent(trace, "ACK,RST").len() >= 1,
        "the abort"
    );
    replays_exactly(session);
}

#[test]
fn a_refused_act_records_nothing_and_says_why() {
    let mut session = open(PLAYGROUND);
    // The server is the only host that listens: it has nowhere to connect to.
    assert_eq!(session.act("server", Act::Connect), Err(Refusal::Nowhere));
    assert_eq!(session.act("server", Act::Flood), Err(Refusal::Nowhere));
    let Err(Refusal::Cannot(why)) = session.act("nobody", Act::Close) else {
        panic!("an unknown host cannot act");
    };
    assert!(why.contains("unknown host `nobody`"), "{why}");
    assert!(!session.can_go_back(), "nothing to undo");
    assert_eq!(run(&session).source_text(), PLAYGROUND, "nothing recorded");

    // A run that reached its run time is over for good.
    let mut ended = open("host a 10.0.0.1\nhost b 10.0.0.2\nlink a b delay=1ms\nb listen 80\nat 0s a connect b:80\nat 0.5s a close\nrun 1s\n");
    ended.run_to_end();
    let Err(Refusal::Cannot(why)) = ended.act("a", Act::Send(1000)) else {
        panic!("a run past its run time cannot act");
    };
    assert!(why.contains("start it again to act"), "{why}");
    assert!(!run(&ended).scenario_text().contains("send"));

    // A host with no peer has no next segment to lose.
    let mut alone = open("host a 10.0.0.1\nhost b 10.0.0.2\n");
    let Err(Refusal::Cannot(why)) = alone.act("a", Act::LoseNext) else {
        panic!("a host alone has nothing to lose");
    };
    assert_eq!(why, "a has no peer to lose a segment to");
}

#[test]
fn losing_the_next_segment_keeps_the_past_and_drops_what_comes_next() {
    let mut session = open(PLAYGROUND);
    session.step();
    let past = digest(&session, 0);
    let generation = session.generation();
    session.act("client", Act::LoseNext).unwrap();
    assert_ne!(session.generation(), generation, "the scenario changed");
    assert_eq!(digest(&session, 0), past, "the past is the same");
    let recorded = run(&session).scenario_text();
    assert!(
        recorded.contains("drop client->server nth=2\n"),
        "{recorded}"
    );
    session.run_to_end();
    // The handshake's final ACK is lost, and the server sends its SYN,ACK again.
    let trace = run(&session).trace();
    assert_eq!(dropped(trace), vec![sent(trace, "ACK")[0]]);
    assert!(sent(trace, "SYN,ACK").len() >= 2);
    replays_exactly(session);
}

#[test]
fn the_cookie_switch_changes_the_listening_host_and_replays_to_here() {
    let mut session = open("preset:syn-flood");
    assert_eq!(session.cookies(), Some(false));
    for _ in 0..50 {
        session.step();
    }
    let events = run(&session).events();
    session.act("client", Act::Cookies(true)).unwrap();
    assert_eq!(session.cookies(), Some(true));
    assert_eq!(run(&session).events(), events, "replayed to where it was");
    let recorded = run(&session).scenario_text();
    assert!(recorded.contains("set server.syncookies 1\n"), "{recorded}");
    assert!(!recorded.contains("syncookies 0"), "{recorded}");
    session.run_to_end();
    let established = (run(&session).trace().events.iter()).any(|e| {
        matches!(e.kind, EventKind::State { to, .. } if to.name() == "ESTABLISHED")
            && e.host() == Some(0)
    });
    assert!(established, "with cookies the client gets in");
    session.act("client", Act::Cookies(false)).unwrap();
    assert_eq!(session.cookies(), Some(false));
}

#[test]
fn skipping_runs_through_quiet_time_to_the_next_segment() {
    let mut session = open(PLAYGROUND);
    session.run_to_end();
    session.act("client", Act::KeepaliveOn).unwrap();
    let segments = run(&session).trace().segment_count();
    let before = digest(&session, 0);
    session.act("client", Act::Skip).unwrap();
    assert_eq!(
        run(&session).trace().segment_count(),
        segments + 1,
        "the first probe"
    );
    // Two hours of keepalive idle (and the handshake before it).
    let now = session.now().micros();
    assert!((7_200_000_000..7_300_000_000).contains(&now), "{now}");
    assert!(session.back());
    assert_eq!(digest(&session, 0), before);
}

// ------------------------------------------------------------------ one segment

#[test]
fn dropping_one_segment_runs_again_to_when_it_was_sent() {
    let mut session = open(PLAYGROUND);
    session.run_to_end();
    let synack = sent(run(&session).trace(), "SYN,ACK")[0];
    let sent_at = (run(&session).trace().sent_segments())
        .find(|(_, s)| s.id == synack)
        .map(|(e, _)| e.t)
        .unwrap();
    let line = session.fault(0, synack, FaultEffect::Drop).unwrap();
    assert_eq!(line, "drop server->client nth=1 flags=SYN,ACK len=0");
    assert_eq!(session.now(), sent_at);
    assert!(run(&session).scenario_text().contains(&format!("{line}\n")));
    session.run_to_end();
    let trace = run(&session).trace();
    assert_eq!(dropped(trace), vec![synack], "that segment and no other");
    assert!(sent(trace, "SYN,ACK").len() >= 2, "TCP sends it again");
    replays_exactly(session);
}

#[test]
fn delaying_or_duplicating_one_segment_changes_only_its_run() {
    let mut session = open(PLAYGROUND);
    let classic = Variant::named("profile classic")
        .unwrap()
        .apply(PLAYGROUND)
        .unwrap();
    session.compare_with(&classic).unwrap();
    session.run_to_end();
    let first = digest(&session, 0);
    let ack = sent(session.runs()[1].trace(), "ACK")[0];
    let delay = effect_named("delay").unwrap();
    let line = session.fault(1, ack, delay).unwrap();
    assert_eq!(line, "delay client->server nth=1 flags=ACK len=0 by=1s");
    assert_eq!(digest(&session, 0), first, "the other run is as it was");
    session.run_to_end();
    let trace = session.runs()[1].trace();
    let arrived = (trace.events.iter())
        .find(|e| matches!(e.kind, EventKind::Deliver { seg_id } if seg_id == ack))
        .map(|e| e.t.micros());
    assert_eq!(arrived, Some(1_150_000), "a second late");

    let mut session = open("preset:handshake");
    session.run_to_end();
    let syn = sent(run(&session).trace(), "SYN")[0];
    let line = session.fault(0, syn, effect_named("dup").unwrap()).unwrap();
    assert_eq!(line, "dup client->server nth=1 flags=SYN len=0 by=100ms");
    session.run_to_end();
    let delivered = (run(&session).trace().events.iter())
        .filter(|e| matches!(e.kind, EventKind::Deliver { seg_id } if seg_id == syn))
        .count();
    assert_eq!(delivered, 2, "the copy arrives too");
    assert!(session.fault(0, 99_999, FaultEffect::Drop).is_err());
    assert!(session.fault(2, syn, FaultEffect::Drop).is_err());
    assert_eq!(
        effect_named("burn").unwrap_err(),
        "a fault is drop, delay or dup, not `burn`"
    );
}

// ------------------------------------------------------------------ variants and sharing

#[test]
fn a_variant_changes_one_thing_and_its_title_says_which() {
    let original = Preset::find("syn-lost").unwrap().text;
    let classic = Variant::named("profile classic")
        .unwrap()
        .apply(original)
        .unwrap();
    let (a, b) = (
        Scenario::parse(original).unwrap(),
        Scenario::parse(&classic).unwrap(),
    );
    assert_eq!(titles(&a, &b), ["profile linux", "profile classic"]);
    let mut session = open("preset:syn-lost");
    assert_eq!(session.titles(), None);
    session.compare_with(&classic).unwrap();
    assert_eq!(
        session.titles(),
        Some(["profile linux".to_string(), "profile classic".to_string()])
    );

    // Cookies the other way round, on the host that listens; twice is back where it was.
    let on = Variant::FlipCookies.apply("preset:syn-flood").unwrap();
    assert!(on.contains("set server.syncookies 1\n"), "{on}");
    let off = Variant::FlipCookies.apply(&on).unwrap();
    assert!(off.contains("set server.syncookies 0\n"), "{off}");
    let (flood, on) = (
        Scenario::parse(Preset::find("syn-flood").unwrap().text).unwrap(),
        Scenario::parse(&on).unwrap(),
    );
    assert_eq!(
        titles(&flood, &on),
        ["set server.syncookies 0", "set server.syncookies 1"]
    );
    // Nothing listens: nothing to flip, and the text stays as it was written.
    let quiet = "# two hosts\nhost a 10.0.0.1\n";
    assert_eq!(Variant::FlipCookies.apply(quiet).unwrap(), quiet);
    // Identical variants are A and B.
    assert_eq!(titles(&flood, &flood), ["A", "B"]);
    let err = Variant::named("profile linux")
        .unwrap()
        .apply("host a 10.0.0.1\nlink a b delay=1ms\n")
        .unwrap_err();
    assert_eq!(err, "2:8: unknown host `b`; known hosts: a");
}

#[test]
fn the_link_and_the_export_carry_both_variants_as_given() {
    let mut session = open("preset:handshake");
    let handshake = Preset::find("handshake").unwrap().text;
    assert_eq!(run(&session).source_text(), handshake, "comments and all");
    assert_eq!(session.export_text(), handshake);
    assert_eq!(session.share_link(), link::encode(handshake));
    let variant = "# the variant\nprofile classic\nhost client 10.0.0.1\nhost server 10.0.0.2\nlink client server delay=50ms\nserver listen 80\nat 0s client connect server:80\n";
    session.compare_with(variant).unwrap();
    assert_eq!(
        session.export_text(),
        format!("{handshake}{COMPARED_WITH}{variant}")
    );
    let (opened, compared) = link::decode_pair(&session.share_link()).unwrap();
    assert_eq!(opened.text(), handshake);
    assert_eq!(compared.unwrap().text(), variant);
}

#[test]
fn a_session_opens_at_the_end_at_the_start_or_at_a_moment() {
    let mut end = Session::open("preset:close", None).unwrap();
    end.start_at("end").unwrap();
    assert!(end.done());
    let mut start = Session::open("preset:close", None).unwrap();
    start.start_at("0").unwrap();
    assert!(run(&start).at_start() && !start.can_go_back());
    assert_eq!(start.now(), Instant::ZERO);
    let mut moment = Session::open("preset:close", None).unwrap();
    moment.start_at("2.5s").unwrap();
    assert_eq!(moment.now(), Instant::from_micros(2_500_000));
    assert!(!moment.done());
    let why = Session::open("preset:close", None)
        .unwrap()
        .start_at("soon")
        .unwrap_err();
    assert!(
        why.starts_with("start `soon`: ") && why.contains("`end`, `0`"),
        "{why}"
    );
}

#[test]
fn every_moment_of_a_replay_is_a_prefix_of_its_whole_story() {
    for preset in [
        "handshake",
        "close",
        "syn-lost",
        "syn-flood",
        "keepalive-dead",
    ] {
        let mut s = Session::open(&format!("preset:{preset}"), None).unwrap();
        s.start_at("end").unwrap();
        let whole = run(&s).trace().clone();
        assert!(
            matches!(&s.moments()[..], [(_, None)]),
            "{preset}: over, the run is its story"
        );
        // Step from the end: the replay starts again, and every moment is a prefix of the
        // story, which is the run that was over.
        for _ in 0..40 {
            s.step();
            let now = run(&s).trace().events.clone();
            let [(story, Some(n))] = &s.moments()[..] else {
                break;
            };
            assert_eq!(
                (story.digest(), *n),
                (whole.digest(), now.len()),
                "{preset}"
            );
            assert_eq!(story.events[..*n], now[..], "{preset}");
        }
    }
}

#[test]
fn at_the_end_step_replays_from_the_start_and_back_steps_back_from_where_a_seek_left() {
    let mut s = Session::open("preset:handshake", None).unwrap();
    s.start_at("end").unwrap();
    let events = run(&s).events();
    assert!(s.can_go_back());
    // Back from the end: one step before it, found by replaying.
    s.back();
    assert!(!s.done());
    let before_last = run(&s).events();
    assert!(before_last < events);
    s.step();
    assert_eq!(run(&s).events(), events);
    s.step();
    assert!(s.done(), "the step after the last event finds the run over");
    assert_eq!(run(&s).events(), events);
    // At the end, Step starts the replay: the first event of the run, not nothing.
    s.step();
    assert!(!s.done() && run(&s).events() > 0 && run(&s).events() < events);
    // After a seek, Back goes one step back all the same.
    s.seek(Instant::from_micros(50_000));
    let here = run(&s).events();
    s.back();
    assert!(run(&s).events() < here);
    s.seek(Instant::ZERO);
    while s.can_go_back() {
        s.back();
    }
    assert!(run(&s).at_start());
}

#[test]
fn an_act_while_replaying_changes_the_story_from_then_on() {
    let mut s = open(PLAYGROUND);
    s.start_at("0.2s").unwrap();
    let [(story, Some(_))] = &s.moments()[..] else {
        panic!("the run is not over");
    };
    assert!(sent(story, "ACK,FIN").is_empty(), "nobody closes");
    s.act("client", Act::Close).unwrap();
    let [(story, Some(happened))] = &s.moments()[..] else {
        panic!("the run is not over");
    };
    let fin = sent(story, "ACK,FIN");
    assert_eq!(fin.len(), 1, "the story now holds the client's close");
    let (at, _) = (story.sent_segments())
        .find(|(_, s)| s.id == fin[0])
        .unwrap();
    assert!(at.t > Instant::from_micros(200_000));
    // The close is sent as the act is done; its answer is still to come.
    assert!(story.events[..*happened].iter().any(|e| e.t == at.t));
    assert!(*happened < story.events.len());
}
