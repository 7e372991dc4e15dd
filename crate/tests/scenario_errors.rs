//! Every class of scenario error: where it points (line, column, width) and what it says.

use tcp_playground::scenario::{Scenario, MAX_STATEMENTS, MAX_TEXT};

const HOSTS: &str = "host client 10.0.0.1\nhost server 10.0.0.2\n";

/// The one error a text has: (line, column, message).
fn error(text: &str) -> (usize, usize, String) {
    let errors = Scenario::parse(text).expect_err("the text is wrong").0;
    assert_eq!(errors.len(), 1, "one error expected, got {errors:?}");
    let e = &errors[0];
    (e.line, e.col, e.message.clone())
}

fn after_hosts(line: &str) -> (usize, usize, String) {
    error(&format!("{HOSTS}{line}\n"))
}

#[test]
fn a_misspelled_statement_gets_the_closest_one() {
    assert_eq!(
        error("hots client 10.0.0.1"),
        (
            1,
            1,
            "unknown statement `hots`; did you mean `host`?".into()
        )
    );
    let (_, _, message) = error("frobnicate 3");
    assert!(message.starts_with("unknown statement `frobnicate`; use `profile`, `seed`"));
    assert_eq!(
        after_hosts("server lisen 80"),
        (
            3,
            8,
            "unknown statement `server lisen`; did you mean `server listen`?".into()
        )
    );
}

#[test]
fn an_unknown_host_gets_the_closest_known_host_or_how_to_declare_one() {
    assert_eq!(
        after_hosts("link client sever delay=5ms"),
        (3, 13, "unknown host `sever`; did you mean `server`?".into())
    );
    assert_eq!(
        after_hosts("at 1s mallory connect server:80"),
        (
            3,
            7,
            "unknown host `mallory`; known hosts: client, server".into()
        )
    );
    assert_eq!(
        error("link a b delay=5ms"),
        (
            1,
            6,
            "unknown host `a`; declare it first with `host a ADDRESS`".into()
        )
    );
}

#[test]
fn a_link_joins_two_different_known_hosts_once() {
    assert_eq!(
        after_hosts("link client client"),
        (3, 13, "a link joins two different hosts".into())
    );
    assert_eq!(
        error(&format!(
            "{HOSTS}link client server delay=1ms\nlink server client\n"
        )),
        (4, 6, "server and client are already linked".into())
    );
    assert_eq!(
        after_hosts("link client server delya=5ms"),
        (
            3,
            20,
            "unknown link setting `delya`; did you mean `delay`?".into()
        )
    );
}

#[test]
fn a_misspelled_parameter_gets_the_closest_name_and_a_bad_value_says_what_fits() {
    assert_eq!(
        after_hosts("set server.synack_retires 2"),
        (
            3,
            12,
            "unknown parameter `synack_retires`; did you mean `synack_retries`?".into()
        )
    );
    assert_eq!(
        after_hosts("set server.syncookies 3"),
        (3, 23, "`syncookies` is one of 0..=2, not `3`".into())
    );
    assert_eq!(
        after_hosts("set server.time_wait 30sec"),
        (
            3,
            22,
            "unknown time unit `sec` in `30sec`; did you mean `30s`?".into()
        )
    );
    assert_eq!(
        after_hosts("set server.time_wait 1m"),
        (
            3,
            22,
            "`1m`: write `min` for minutes or `ms` for milliseconds".into()
        )
    );
    assert_eq!(
        after_hosts("set server 2"),
        (
            3,
            5,
            "write the parameter as HOST.NAME, e.g. server.synack_retries".into()
        )
    );
}

#[test]
fn a_misspelled_action_setting_or_flag_gets_the_closest_name() {
    assert_eq!(
        after_hosts("at 1s client conect server:80"),
        (
            3,
            14,
            "unknown action `conect`; did you mean `connect`?".into()
        )
    );
    assert_eq!(
        after_hosts("drop client->server flags=SYN,AKC"),
        (
            3,
            27,
            "unknown flag `AKC`; did you mean `ACK`? (flags are written in capitals, joined by commas)"
                .into()
        )
    );
    assert_eq!(
        after_hosts("delay client->server nth=1"),
        (
            3,
            1,
            "delay needs by=, how much later the segment arrives".into()
        )
    );
    assert_eq!(
        after_hosts("server listen 80 backlgo=5"),
        (
            3,
            18,
            "unknown listen setting `backlgo`; did you mean `backlog`?".into()
        )
    );
    assert_eq!(
        after_hosts("profile linus"),
        (
            3,
            9,
            "unknown profile `linus`; did you mean `linux`?".into()
        )
    );
}

#[test]
fn time_never_goes_backwards_and_nothing_happens_after_the_run_ends() {
    assert_eq!(
        after_hosts("at -1s client close"),
        (
            3,
            4,
            "time goes backwards: `-1s` is before the simulation starts at 0s".into()
        )
    );
    assert_eq!(
        error(&format!("{HOSTS}run 10s\nat 20s client close\n")),
        (
            4,
            4,
            "this happens after the simulation ends (`run 10s` on line 3), so it never would"
                .into()
        )
    );
    // `at` statements may come in any order; the run must outlast the latest.
    assert_eq!(
        error(&format!(
            "{HOSTS}at 20s client close\nat 1s client close\nrun 10s\n"
        )),
        (
            5,
            5,
            "the simulation would end before line 3 (at 20s) happens; run for at least 20s".into()
        )
    );
    assert_eq!(
        error("seed 1\nseed 2\n"),
        (
            2,
            1,
            "`seed` is already given on line 1; keep one of them".into()
        )
    );
}

#[test]
fn hosts_are_named_and_addressed_once() {
    assert_eq!(
        error("host client 10.0.0.1\nhost client 10.0.0.2\n"),
        (2, 6, "host `client` is declared twice".into())
    );
    assert_eq!(
        error("host client 10.0.0.1\nhost server 10.0.0.1\n"),
        (2, 13, "10.0.0.1 is already the address of `client`".into())
    );
    assert_eq!(
        error("host client 10.0.0.300"),
        (1, 13, "`10.0.0.300` is not an IPv4 address".into())
    );
}

#[test]
fn missing_and_extra_words_are_pointed_at() {
    assert_eq!(
        error("host client"),
        (
            1,
            12,
            "expected an IPv4 address such as 10.0.0.1 here".into()
        )
    );
    assert_eq!(error("seed 1 2"), (1, 8, "unexpected `2`".into()));
}

#[test]
fn limits_are_refused_with_the_limit_named() {
    let (line, col, message) = error(&"#\n".repeat(MAX_TEXT));
    assert_eq!((line, col), (1, 1));
    assert_eq!(
        message,
        format!(
            "the scenario is {} bytes; the limit is 65536 bytes",
            2 * MAX_TEXT
        )
    );

    let closes: String = (0..MAX_STATEMENTS)
        .map(|i| format!("at {i}ms client close\n"))
        .collect();
    let many = format!("{HOSTS}{closes}");
    let errors = Scenario::parse(&many).unwrap_err().0;
    let last = errors.last().unwrap();
    assert_eq!((last.line, last.col), (MAX_STATEMENTS + 1, 1));
    assert_eq!(
        last.message,
        "a scenario holds at most 2000 statements; this is one more"
    );

    let hosts: String = (1..=17)
        .map(|i| format!("host h{i} 10.0.0.{i}\n"))
        .collect();
    assert_eq!(
        error(&hosts),
        (
            17,
            6,
            "a scenario has at most 16 hosts; the ladder draws a line for each".into()
        )
    );

    assert_eq!(
        after_hosts("at 8d client close"),
        (
            3,
            4,
            "unknown time unit `d` in `8d`; use us, ms, s, min or h".into()
        )
    );
    assert_eq!(
        after_hosts("run 169h"),
        (
            3,
            5,
            "`169h` is past the simulation's limit of 168h of virtual time".into()
        )
    );
    assert_eq!(
        after_hosts("at 0s client flood server:80 rate=2000000/s count=10"),
        (
            3,
            30,
            "rate is SYNs per second from 1/s to 1000000/s, e.g. rate=1000/s, not `2000000/s`"
                .into()
        )
    );
    let two_floods = format!(
        "{HOSTS}at 0s client flood server:80 rate=1000/s count=1500000\nat 1s client flood server:80 rate=1000/s count=1500000\n"
    );
    assert_eq!(
        error(&two_floods),
        (
            4,
            14,
            "the floods of this scenario add up to 3000000 SYNs; the limit is 2000000 in all"
                .into()
        )
    );
}

#[test]
fn every_wrong_statement_is_reported_in_line_order() {
    let text = format!("{HOSTS}link client sever\nseed x\nat 1s client jump\nrun 1parsec\n");
    let errors = Scenario::parse(&text).unwrap_err().0;
    let places: Vec<(usize, usize)> = errors.iter().map(|e| (e.line, e.col)).collect();
    assert_eq!(places, vec![(3, 13), (4, 6), (5, 14), (6, 5)]);
}

#[test]
fn a_rendered_error_shows_the_line_and_underlines_the_offending_text() {
    let errors = Scenario::parse(&format!("{HOSTS}link client sever delay=5ms\n")).unwrap_err();
    assert_eq!(
        errors.render(Some("demo.scn")),
        "demo.scn:3:13: unknown host `sever`; did you mean `server`?\n\
         3 | link client sever delay=5ms\n  |             ^^^^^"
    );
}
