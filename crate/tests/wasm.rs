//! The WebAssembly facade, run by wasm-bindgen-test in headless Chromium:
//! `cargo test -p tcp-playground --target wasm32-unknown-unknown --test wasm`.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Reflect};
use tcp_playground::wasm::Playground;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

fn arrows(svg: &str) -> Vec<String> {
    svg.split("data-flags=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect()
}

fn no_options() -> JsValue {
    JsValue::UNDEFINED
}

#[wasm_bindgen_test]
fn stepping_the_handshake_draws_one_segment_per_step() {
    let mut pg = Playground::preset("handshake").unwrap();
    assert!(arrows(&pg.ladder_svg(no_options()).unwrap()).is_empty());
    let mut seen = Vec::new();
    for _ in 0..3 {
        assert!(pg.step().is_some());
        seen.push(arrows(&pg.ladder_svg(no_options()).unwrap()).len());
    }
    assert_eq!(seen, [1, 2, 3]);
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
    let state = pg.state().unwrap();
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
    let err = Playground::from_scenario("host a 10.0.0.1\nlink a b delay=1ms\n")
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
