//! The WebAssembly facade, run by wasm-bindgen-test in headless Chromium:
//! `cargo test -p tcp-playground --target wasm32-unknown-unknown --test wasm`.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Reflect};
use tcp_playground::wasm::Playground;
use wasm_bindgen::{JsError, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

/// The flags of the arrows of segments sent so far (those still to come carry no id).
fn arrows(svg: &str) -> Vec<String> {
    svg.split("data-seg-id=\"")
        .skip(1)
        .map(|rest| rest.split("data-flags=\"").nth(1).unwrap())
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect()
}

/// How many arrows are drawn faded, still to come.
fn later(svg: &str) -> usize {
    svg.split_once(r#"<g class="later""#)
        .map_or(0, |(_, rest)| rest.matches(r#"<g class="seg"#).count())
}

fn no_options() -> JsValue {
    JsValue::UNDEFINED
}

#[wasm_bindgen_test]
fn stepping_the_handshake_draws_one_segment_per_step() {
    let mut pg = Playground::preset("handshake").unwrap();
    let svg = pg.ladder_svg(no_options()).unwrap();
    assert!(arrows(&svg).is_empty());
    assert_eq!(later(&svg), 3, "the whole handshake, still to come");
    let mut seen = Vec::new();
    for _ in 0..3 {
        assert!(pg.step().is_some());
        let svg = pg.ladder_svg(no_options()).unwrap();
        seen.push((arrows(&svg).len(), later(&svg)));
    }
    assert_eq!(seen, [(1, 2), (2, 1), (3, 0)]);
    assert_eq!(
        arrows(&pg.ladder_svg(no_options()).unwrap()),
        ["SYN", "SYN,ACK", "ACK"]
    );
    assert_eq!(pg.now(), 100_000.0);
}

#[wasm_bindgen_test]
fn step_returns_undefined_at_the_end() {
    let mut pg = Playground::preset("handshake").unwrap();
    let mut steps = 0;
    while pg.step().is_some() {
        steps += 1;
        assert!(steps < 100, "the handshake ends");
    }
    assert!(pg.done());
    assert_eq!(steps, 4, "connect, and three arrivals");
}

#[wasm_bindgen_test]
fn state_reports_hosts_connections_and_sequence_variables() {
    let mut pg = Playground::preset("handshake").unwrap();
    pg.run_until(200_000.0);
    let state = pg.state(None, None).unwrap();
    let hosts = Array::from(&get(&state, "hosts"));
    assert_eq!(hosts.length(), 2);
    let server = hosts.get(1);
    assert_eq!(get(&server, "name"), "server");
    let listener = Array::from(&get(&server, "listeners")).get(0);
    assert_eq!(get(&listener, "port"), 80);
    let conn = Array::from(&get(&server, "conns")).get(0);
    assert_eq!(get(&conn, "state"), "ESTABLISHED");
    assert_eq!(get(&conn, "snd_nxt"), 1);
    assert_eq!(get(&conn, "rcv_nxt"), 1);
}

#[wasm_bindgen_test]
fn the_browser_run_is_byte_for_byte_the_native_golden_trace() {
    let mut pg = Playground::preset("close").unwrap();
    let stop = pg.run_to_end();
    let golden = include_str!("../../tests/golden/close.txt");
    assert_eq!(format!("{}# {stop}\n", pg.trace_text()), golden);
}

#[wasm_bindgen_test]
fn every_preset_gives_the_same_json_in_the_browser_as_natively() {
    let digests = include_str!("../../tests/golden/trace-digests.txt");
    let mut checked = 0;
    for line in digests.lines() {
        let (name, native) = line.split_once(' ').unwrap();
        let mut pg = Playground::preset(name).unwrap();
        pg.run_to_end();
        assert_eq!(pg.trace_digest(), native, "{name}");
        checked += 1;
    }
    assert_eq!(
        checked,
        Array::from(&Playground::presets().unwrap()).length()
    );
}

#[wasm_bindgen_test]
fn a_bad_scenario_is_an_error_with_line_and_column_not_a_panic() {
    let err = Playground::from_scenario("host a 10.0.0.1\nlink a b delay=1ms\n", None)
        .err()
        .unwrap();
    let message = JsValue::from(err);
    let text = get(&message, "message").as_string().unwrap();
    assert_eq!(text, "2:8: unknown host `b`; known hosts: a");

    let err = Playground::preset("nope").err().unwrap();
    let text = get(&JsValue::from(err), "message").as_string().unwrap();
    assert!(text.starts_with("unknown preset `nope`"), "{text}");
}

#[wasm_bindgen_test]
fn ladder_options_are_read_from_a_plain_object() {
    let mut pg = Playground::preset("handshake").unwrap();
    pg.run_to_end();
    let opts = js_sys::Object::new();
    Reflect::set(&opts, &"absolute".into(), &JsValue::TRUE).unwrap();
    let absolute = pg.ladder_svg(opts.into()).unwrap();
    assert!(
        !absolute.contains(">SYN,ACK seq=0 ack=1<"),
        "absolute numbers are not relative ones"
    );
    let bad = js_sys::Object::new();
    Reflect::set(&bad, &"absolute".into(), &"yes please".into()).unwrap();
    assert!(pg.ladder_svg(bad.into()).is_err());
}

#[wasm_bindgen_test]
fn what_a_reader_does_is_recorded_and_replays_exactly() {
    let base = "host client 10.0.0.1\nhost server 10.0.0.2\nhost attacker 10.0.0.66\nlink client server delay=50ms\nlink attacker server delay=10ms\nserver listen 80 backlog=4\n";
    let mut pg = Playground::from_scenario(base, None).unwrap();
    assert!(pg.step().is_none(), "nothing happens on its own");
    pg.connect("client", "server:80").unwrap();
    pg.run_until(300_000.0);
    pg.send("client", 3000).unwrap();
    pg.run_until(600_000.0);
    let opts = js_sys::Object::new();
    Reflect::set(&opts, &"target".into(), &"server:80".into()).unwrap();
    Reflect::set(&opts, &"rate".into(), &JsValue::from(100)).unwrap();
    Reflect::set(&opts, &"count".into(), &JsValue::from(20)).unwrap();
    pg.flood("attacker", opts.into()).unwrap();
    pg.keepalive("client", true).unwrap();
    pg.run_until(900_000.0);
    pg.close("client").unwrap();
    pg.run_to_end();

    let text = pg.scenario_text();
    for line in [
        "client connect server:80",
        "client send 3000",
        "attacker flood server:80 rate=100/s count=20 spoof=random",
        "client keepalive on",
        "client close",
    ] {
        assert!(text.contains(line), "{line} missing from:\n{text}");
    }
    let mut replay = Playground::from_scenario(&text, None).unwrap();
    replay.run_to_end();
    assert_eq!(
        replay.trace_digest(),
        pg.trace_digest(),
        "the recorded scenario replays byte for byte"
    );
}

#[wasm_bindgen_test]
fn a_bad_interactive_action_is_refused_with_a_reason() {
    let mut pg = Playground::preset("handshake").unwrap();
    let message = |e: JsError| get(&JsValue::from(e), "message").as_string().unwrap();
    assert!(message(pg.act("nobody", "close").unwrap_err()).contains("unknown host `nobody`"));
    assert!(message(pg.connect("client", "elsewhere:80").unwrap_err())
        .contains("unknown host `elsewhere`"));
    assert!(message(pg.act("client", "dance").unwrap_err()).contains("unknown action `dance`"));
    assert!(
        pg.scenario_text().lines().all(|l| !l.contains("dance")),
        "nothing was recorded"
    );
}

#[wasm_bindgen_test]
fn a_run_over_budget_stops_with_a_message_in_the_browser_too() {
    let mut pg = Playground::preset("syn-flood").unwrap();
    pg.set_budget(1000.0, 3600.0);
    let message = pg.run_to_end();
    assert!(message.contains("stopped after 1000 events"), "{message}");
    assert_eq!(pg.stop_message(None), Some(message.clone()));
    let state = pg.state(None, None).unwrap();
    assert_eq!(get(&state, "stop_reason"), "event-budget");
    assert_eq!(get(&state, "stop"), message.as_str());
    // The same reason in the page's language, from the same word tables.
    let zh = pg.state(None, Some("zh-CN".into())).unwrap();
    assert!(get(&zh, "stop")
        .as_string()
        .unwrap()
        .contains("1000 个事件"));
}

#[wasm_bindgen_test]
fn presets_are_listed_with_titles() {
    let list = Array::from(&Playground::presets().unwrap());
    let names: Vec<String> = list
        .iter()
        .map(|p| get(&p, "name").as_string().unwrap())
        .collect();
    assert!(names.contains(&"handshake".to_string()));
    assert!(get(&list.get(0), "title")
        .as_string()
        .is_some_and(|t| !t.is_empty()));
}

#[wasm_bindgen_test]
fn a_widget_steps_two_variants_on_one_clock_and_steps_back() {
    let classic = Playground::variant("preset:syn-lost", "profile classic").unwrap();
    let mut pg = Playground::from_scenario("preset:syn-lost", Some(5000.0)).unwrap();
    pg.compare_with(&classic).unwrap();
    let titles = Array::from(&pg.titles().unwrap());
    assert_eq!(titles.get(0), "profile linux");
    assert_eq!(titles.get(1), "profile classic");
    for _ in 0..3 {
        pg.advance();
    }
    let before = (
        pg.event_count(None).unwrap(),
        pg.event_count(Some(1)).unwrap(),
    );
    let generation = pg.generation();
    pg.advance();
    assert!(pg.can_go_back());
    pg.back();
    assert_ne!(pg.generation(), generation, "Back replays new runs");
    assert_eq!(
        (
            pg.event_count(None).unwrap(),
            pg.event_count(Some(1)).unwrap()
        ),
        before
    );
    assert!(pg.state(Some(2), None).is_err(), "there is no third panel");
    // One link and one exported text carry both variants.
    assert!(pg.share_link().contains("&vs="));
    assert!(pg.export_text().contains("\n# ---- compared with ----\n"));
    assert_eq!(pg.source_text(Some(1)).unwrap(), classic);
    // The time slider's end is found on copies; seeking all the way goes there.
    let end = pg.find_end();
    pg.seek(1000.0);
    assert_eq!((pg.known_end(), pg.now()), (Some(end), end));
    pg.run_to_end();
    assert!(pg.done());
}

#[wasm_bindgen_test]
fn the_act_bar_acts_on_the_listening_host_and_says_when_it_cannot() {
    let mut pg = Playground::preset("handshake").unwrap();
    assert_eq!(pg.default_actor(), Some("client".to_string()));
    assert_eq!(pg.cookies(), Some(true));
    pg.run_to_end();
    assert!(pg.act_bar("client", "connect").unwrap());
    assert!(pg.scenario_text().contains(" client connect server:80\n"));
    assert!(!pg.act_bar("server", "flood").unwrap(), "nowhere to flood");
    let message = |e: JsError| get(&JsValue::from(e), "message").as_string().unwrap();
    assert!(message(pg.act_bar("client", "dance").unwrap_err()).contains("no act `dance`"));
    assert!(pg.act_bar("client", "cookies off").unwrap());
    assert_eq!(pg.cookies(), Some(false));
    assert!(pg.scenario_text().contains("set server.syncookies 0\n"));
    let mut over = Playground::preset("syn-flood").unwrap();
    over.run_to_end();
    let why = message(over.act_bar("client", "close").unwrap_err());
    assert!(why.contains("start it again to act"), "{why}");
}

#[wasm_bindgen_test]
fn dropping_an_inspected_segment_adds_its_fault_line() {
    let mut pg = Playground::preset("handshake").unwrap();
    pg.run_to_end();
    let line = pg.add_fault(0, 2, "drop").unwrap();
    assert_eq!(line, "drop server->client nth=1 flags=SYN,ACK len=0");
    assert_eq!(pg.now(), 50_000.0, "run again to when it was sent");
    assert!(pg.add_fault(0, 2, "burn").is_err());
    pg.run_to_end();
    let svg = pg.ladder_svg(no_options()).unwrap();
    assert_eq!(
        svg.matches("seg-cross").count(),
        1,
        "the SYN,ACK is lost on the way"
    );
}

/// The message of a facade call's error.
fn message(err: JsError) -> String {
    let value: JsValue = err.into();
    get(&value, "message").as_string().unwrap()
}

fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (name, value) in fields {
        Reflect::set(&o, &JsValue::from_str(name), value).unwrap();
    }
    o.into()
}

#[wasm_bindgen_test]
fn options_of_the_wrong_kind_are_refused_by_name() {
    let mut pg = Playground::preset("close").unwrap();
    let before = pg.ladder_svg(no_options()).unwrap();
    let cases = [
        (
            object(&[("showNow", "yes".into())]),
            "ladder options: `showNow` is true or false",
        ),
        (
            object(&[("lang", JsValue::from(7))]),
            "ladder options: `lang` is a string",
        ),
        (
            object(&[("visible", JsValue::from(3))]),
            "ladder options: `visible` is two numbers, [from, to]",
        ),
        (JsValue::from("zh"), "ladder options are an object"),
    ];
    for (opts, said) in cases {
        let err = message(pg.ladder_svg(opts).unwrap_err());
        assert!(err.starts_with(said), "{err}");
    }
    // Left out, undefined and null fields take their defaults; the drawing is unchanged.
    let defaults = object(&[("absolute", JsValue::NULL), ("lang", JsValue::UNDEFINED)]);
    assert_eq!(pg.ladder_svg(defaults).unwrap(), before);
    let zh = pg
        .ladder_svg(object(&[("lang", "zh".into()), ("showNow", true.into())]))
        .unwrap();
    assert_ne!(zh, before);

    let base = "host client 10.0.0.1\nhost server 10.0.0.2\nhost attacker 10.0.0.66\nlink client server delay=50ms\nlink attacker server delay=10ms\nserver listen 80\n";
    let mut pg = Playground::from_scenario(base, None).unwrap();
    let target = ("target", JsValue::from("server:80"));
    let err = message(
        pg.flood("attacker", object(&[target.clone(), ("count", 5.into())]))
            .unwrap_err(),
    );
    assert_eq!(err, "flood options: `rate` is missing");
    let err = message(
        pg.flood(
            "attacker",
            object(&[
                target.clone(),
                ("rate", JsValue::from(1.5)),
                ("count", 5.into()),
            ]),
        )
        .unwrap_err(),
    );
    assert_eq!(
        err,
        "flood options: `rate` is a whole number from 0 to 4294967295"
    );
    pg.flood(
        "attacker",
        object(&[target, ("rate", 100.into()), ("count", 5.into())]),
    )
    .unwrap();
    assert!(pg
        .scenario_text()
        .contains("attacker flood server:80 rate=100/s count=5 spoof=random"));
}
