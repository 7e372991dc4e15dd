//! The articles' numbers come from the simulator. Every figure an article quotes about TCP's
//! timing sits in `<span data-fact="NAME">…</span>`; this test measures each named fact by
//! running a scenario, then checks that the numbers written inside every such span, in
//! either language, are exactly the measured ones, in order. The facts named `capture.*` are
//! measured from the real capture an article reads (`www/learn/captures/`), with the
//! playground's own capture reader.
//!
//! `cargo test --test articles -- --nocapture` prints the table of facts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tcp_playground::profile::Profile;
use tcp_playground::scenario::Scenario;
use tcp_playground::sim::Sim;
use tcp_playground::time::Instant;
use tcp_playground::trace::{EventKind, Sent, Trace};
use tcp_playground::why::Why;

const PROFILES: [&str; 3] = ["linux", "linux-pre-6.5", "classic"];

fn run(text: &str) -> Trace {
    let scenario = Scenario::parse(text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    let mut sim = Sim::new(&scenario);
    sim.run_to_end();
    sim.trace().clone()
}

fn scenario(profile: &str, body: &str) -> String {
    format!(
        "profile {profile}\nseed 1\nhost client 10.0.0.1\nhost server 10.0.0.2\n\
         link client server delay=50ms\nserver listen 80\n{body}"
    )
}

fn host(trace: &Trace, name: &str) -> usize {
    trace
        .hosts
        .iter()
        .position(|h| h.name == name)
        .expect("a host")
}

/// When `from` sent segments whose flags print as `flags`.
fn sends(trace: &Trace, from: &str, flags: &str) -> Vec<Instant> {
    let h = host(trace, from);
    (trace.sent_segments())
        .filter(|(e, s)| e.host() == Some(h) && s.seg.flags.to_string() == flags)
        .map(|(e, _)| e.t)
        .collect()
}

/// Seconds from the first instant to each later one.
fn after_first(times: &[Instant]) -> Vec<f64> {
    times[1..].iter().map(|t| secs(*t - times[0])).collect()
}

fn secs(d: tcp_playground::time::Duration) -> f64 {
    d.micros() as f64 / 1e6
}

/// When `name` first entered `state`, and when it next left it.
fn state_span(trace: &Trace, name: &str, state: &str) -> (Instant, Instant) {
    let h = host(trace, name);
    let mut entered = None;
    for e in &trace.events {
        if let (EventKind::State { from, to, .. }, Some(eh)) = (&e.kind, e.host()) {
            if eh != h {
                continue;
            }
            if to.name() == state && entered.is_none() {
                entered = Some(e.t);
            } else if from.name() == state {
                if let Some(t0) = entered {
                    return (t0, e.t);
                }
            }
        }
    }
    panic!("{name} never went through {state}")
}

/// When `name`'s application got the error `errno`.
fn error_at(trace: &Trace, name: &str, errno: &str) -> Instant {
    let h = host(trace, name);
    trace
        .events
        .iter()
        .find(|e| {
            e.host() == Some(h)
                && matches!(&e.kind, EventKind::App { errno: Some(x), .. } if x.name() == errno)
        })
        .map(|e| e.t)
        .unwrap_or_else(|| panic!("{name} never got {errno}"))
}

fn sent_because(trace: &Trace, why: Why) -> Vec<Instant> {
    trace
        .events
        .iter()
        .filter(|e| e.why == why && matches!(e.kind, EventKind::Send(_)))
        .map(|e| e.t)
        .collect()
}

/// The real capture that the article on reading a capture reads: the kernel harness's
/// capture at the client of its data-transfer scenario (tests/kernel), observed by the
/// playground's reader.
fn kernel_capture() -> Trace {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../www/learn/captures/data-transfer-client.pcap");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let capture = tcp_playground::pcap::read::parse(&bytes).expect("the capture reads");
    capture.observe(0).expect("its connection")
}

/// Each segment of an observed trace, in capture order, with the time the capture holds it
/// at. The capture was taken at the client (the side that sent the SYN): the client's
/// segments are captured as they are sent, the server's as they arrive.
fn captured(trace: &Trace) -> Vec<(Instant, &Sent)> {
    let client = (trace.sent_segments())
        .find(|(_, s)| s.seg.flags.to_string() == "SYN")
        .map(|(_, s)| s.src)
        .expect("a SYN");
    let mut out: Vec<(Instant, &Sent)> = (trace.sent_segments())
        .map(|(e, s)| match s.src == client {
            true => (e.t, s),
            false => (s.eta.expect("captured on arrival"), s),
        })
        .collect();
    out.sort_by_key(|(_, s)| s.id);
    out
}

fn millis(d: tcp_playground::time::Duration) -> f64 {
    d.micros() as f64 / 1e3
}

/// Seconds, to the millisecond a reader is shown.
fn to_the_ms(seconds: f64) -> f64 {
    (seconds * 1e3).round() / 1e3
}

/// Every fact, measured: name -> the numbers an article must quote, in that order.
fn facts() -> BTreeMap<String, Vec<f64>> {
    let mut facts = BTreeMap::new();
    let mut put = |name: String, values: Vec<f64>| {
        facts.insert(name, values);
    };
    for p in PROFILES {
        // Every SYN is lost: when the client sends it again, and when connect() gives up.
        let t = run(&scenario(
            p,
            "drop client->server flags=SYN\nat 0s client connect server:80\n",
        ));
        let syns = sends(&t, "client", "SYN");
        put(format!("{p}.syn-retries"), vec![(syns.len() - 1) as f64]);
        put(format!("{p}.syn-resend-times"), after_first(&syns));
        put(format!("{p}.initial-rto"), vec![secs(syns[1] - syns[0])]);
        let gaps = syns.windows(2).map(|w| secs(w[1] - w[0])).collect();
        put(format!("{p}.syn-resend-gaps"), gaps);
        let gave_up = secs(error_at(&t, "client", "ETIMEDOUT") - syns[0]);
        put(format!("{p}.syn-give-up"), vec![gave_up]);

        // Every final ACK is lost: when the server sends its SYN,ACK again.
        let t = run(&scenario(
            p,
            "drop client->server flags=ACK len=0\nat 0s client connect server:80\nrun 10min\n",
        ));
        let synacks = sends(&t, "server", "SYN,ACK");
        put(
            format!("{p}.synack-retries"),
            vec![(synacks.len() - 1) as f64],
        );
        put(format!("{p}.synack-resend-times"), after_first(&synacks));
        let (t0, t1) = state_span(&t, "server", "SYN-RECEIVED");
        put(format!("{p}.synack-give-up"), vec![secs(t1 - t0)]);

        // The same with two SYN,ACK retries (tcp_synack_retries=2).
        let t = run(&scenario(
            p,
            "set server.synack_retries 2\ndrop client->server flags=ACK len=0\nat 0s client connect server:80\nrun 10min\n",
        ));
        put(
            format!("{p}.synack-resend-times-retries-2"),
            after_first(&sends(&t, "server", "SYN,ACK")),
        );
        let (t0, t1) = state_span(&t, "server", "SYN-RECEIVED");
        put(format!("{p}.synack-give-up-retries-2"), vec![secs(t1 - t0)]);

        // A data segment and its first two copies lost: the RTO the handshake measured
        // (50 ms links), then doubling (ms between the copies).
        let t = run(&scenario(
            p,
            "drop client->server nth=1 len=1000\ndrop client->server nth=2 len=1000\ndrop client->server nth=3 len=1000\nat 0s client connect server:80\nat 1s client send 1000\nrun 10s\n",
        ));
        let data = sends(&t, "client", "ACK,PSH");
        let gaps: Vec<f64> = data
            .windows(2)
            .map(|w| (secs(w[1] - w[0]) * 1000.0).round())
            .collect();
        put(format!("{p}.data-rto-ms"), vec![gaps[0]]);
        put(format!("{p}.data-rto-backoff-ms"), gaps);

        // The RTO's floor and ceiling, as the profile sets them.
        let params = Profile::from_name(p).expect("a profile").params();
        put(
            format!("{p}.rto-min"),
            vec![params.rto_min.micros() as f64 / 1e3],
        );
        put(format!("{p}.rto-max"), vec![secs(params.rto_max)]);

        // The active closer's TIME-WAIT.
        let t = run(&scenario(
            p,
            "at 0s client connect server:80\nat 1s client close\nat 2s server close\nrun 20min\n",
        ));
        let (t0, t1) = state_span(&t, "client", "TIME-WAIT");
        put(format!("{p}.time-wait"), vec![secs(t1 - t0)]);

        // An orphaned FIN-WAIT-2: the client closed, the server never does.
        if p != "classic" {
            let t = run(&scenario(
                p,
                "at 0s client connect server:80\nat 1s client close\nrun 5min\n",
            ));
            let (t0, t1) = state_span(&t, "client", "FIN-WAIT-2");
            put(format!("{p}.fin-wait-2"), vec![secs(t1 - t0).round()]);
        }

        // Keepalive against a peer that vanished: idle time, interval, probes, give-up.
        let t = run(&scenario(
            p,
            "set client.keepalive on\nat 0s client connect server:80\nat 1s server crash\nrun 5h\n",
        ));
        let probes = sent_because(&t, tcp_playground::why::KEEPALIVE_PROBE);
        let last_heard = Instant::ZERO + tcp_playground::time::Duration::from_millis(150);
        put(
            format!("{p}.keepalive-idle"),
            vec![secs(probes[0] - last_heard).round()],
        );
        put(
            format!("{p}.keepalive-interval"),
            vec![secs(probes[1] - probes[0])],
        );
        put(format!("{p}.keepalive-probes"), vec![probes.len() as f64]);
        let reset = error_at(&t, "client", "ETIMEDOUT");
        put(
            format!("{p}.keepalive-give-up"),
            vec![secs(reset - last_heard).round()],
        );
    }

    // The real capture (Linux 6.18, 50 ms each way), segment by segment at the client.
    let t = kernel_capture();
    let segs = captured(&t);
    let flags = |i: usize| segs[i].1.seg.flags.to_string();
    let find = |f: &str| (0..segs.len()).find(|&i| flags(i) == f).expect("a segment");
    let (syn, synack) = (find("SYN"), find("SYN,ACK"));
    let client = segs[syn].1.src;
    let from_client = |i: usize| segs[i].1.src == client;
    let at = |i: usize| to_the_ms(secs(segs[i].0 - segs[syn].0));
    let gap_us = |a: usize, b: usize| (segs[b].0 - segs[a].0).micros() as f64;
    let rtt = segs[synack].0 - segs[syn].0;
    let seg = |i: usize| &segs[i].1.seg;
    let ts = |i: usize| seg(i).options.timestamps.expect("timestamps");
    put("capture.segments".into(), vec![segs.len() as f64]);
    put(
        "capture.client-port".into(),
        vec![f64::from(seg(syn).src_port)],
    );
    put("capture.duration".into(), vec![at(segs.len() - 1)]);
    put("capture.rtt-ms".into(), vec![millis(rtt).round()]);
    let both = |f: &dyn Fn(usize) -> f64| vec![f(syn), f(synack)];
    put("capture.isns".into(), both(&|i| f64::from(seg(i).seq.0)));
    put("capture.tsvals".into(), both(&|i| f64::from(ts(i).0)));
    put(
        "capture.mss".into(),
        both(&|i| f64::from(seg(i).options.mss.unwrap())),
    );
    put(
        "capture.wscale".into(),
        both(&|i| f64::from(seg(i).options.wscale.unwrap())),
    );
    put(
        "capture.syn-windows".into(),
        both(&|i| f64::from(seg(i).window)),
    );
    // The client's answer to the SYN,ACK, and the windows after the handshake, scaled.
    put(
        "capture.ack-turnaround-us".into(),
        vec![gap_us(synack, synack + 1)],
    );
    let shift = |i: usize| 1u32 << seg(i).options.wscale.expect("window scale");
    let (client_scale, server_scale) = (shift(syn), shift(synack));
    let w = u32::from(seg(synack + 1).window);
    put(
        "capture.client-window".into(),
        vec![
            f64::from(w),
            f64::from(client_scale),
            f64::from(w * client_scale),
        ],
    );
    let mut server_windows: Vec<u32> = Vec::new();
    for i in (synack + 1..segs.len()).filter(|&i| !from_client(i)) {
        let w = u32::from(seg(i).window);
        if server_windows.last() != Some(&w) {
            server_windows.push(w);
        }
    }
    let mut windows: Vec<f64> = server_windows.iter().map(|&w| f64::from(w)).collect();
    windows.extend(server_windows.iter().map(|&w| f64::from(w * server_scale)));
    put("capture.server-windows".into(), windows);
    // The request: its segments, how close together they left, and their ACKs.
    let data: Vec<usize> = (0..segs.len())
        .filter(|&i| from_client(i) && seg(i).len > 0)
        .collect();
    put(
        "capture.data-lengths".into(),
        data.iter().map(|&i| f64::from(seg(i).len)).collect(),
    );
    let largest = data.iter().map(|&i| seg(i).len).max().unwrap();
    put("capture.mss-payload".into(), vec![f64::from(largest)]);
    put("capture.data-at".into(), vec![at(data[0])]);
    put(
        "capture.data-burst-us".into(),
        vec![gap_us(data[0], data[data.len() - 1])],
    );
    let end = seg(data[data.len() - 1]).seq + seg(data[data.len() - 1]).len;
    let acked = (0..segs.len())
        .find(|&i| !from_client(i) && seg(i).ack == end)
        .expect("the request's ACK");
    put(
        "capture.data-ack-ms".into(),
        vec![millis(segs[acked].0 - segs[data[0]].0).round()],
    );
    // The answer, and how soon the client acknowledged it.
    let reply = (0..segs.len())
        .find(|&i| !from_client(i) && seg(i).len > 0)
        .expect("the answer");
    put("capture.reply-at".into(), vec![at(reply)]);
    put(
        "capture.reply-ack-us".into(),
        vec![gap_us(reply, reply + 1)],
    );
    // The close: the client's FIN, the server's ACK of it (held back), its FIN, the last ACK.
    let fin = (0..segs.len())
        .find(|&i| from_client(i) && seg(i).flags.fin())
        .expect("the client's FIN");
    let fin_end = seg(fin).seq + 1;
    let fin_ack = (fin + 1..segs.len())
        .find(|&i| !from_client(i) && seg(i).ack == fin_end)
        .expect("the ACK of the FIN");
    put("capture.fin-ack-times".into(), vec![at(fin), at(fin_ack)]);
    let held = millis(segs[fin_ack].0 - segs[fin].0) - millis(rtt);
    put("capture.fin-ack-delay-ms".into(), vec![held.round()]);
    let server_fin = (0..segs.len())
        .find(|&i| !from_client(i) && seg(i).flags.fin())
        .expect("the server's FIN");
    put("capture.server-fin-at".into(), vec![at(server_fin)]);
    put(
        "capture.last-ack-us".into(),
        vec![gap_us(server_fin, server_fin + 1)],
    );
    // Timestamps: how far the client's clock moved from its SYN to its FIN, and in what time.
    put(
        "capture.ts-clock".into(),
        vec![
            f64::from(ts(fin).0.wrapping_sub(ts(syn).0)),
            millis(segs[fin].0 - segs[syn].0).round(),
        ],
    );

    // The same scenario in the model: how long the server holds the ACK of the FIN.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let t = run(
        &std::fs::read_to_string(root.join("tests/kernel/scenarios/data-transfer.scn"))
            .expect("the oracle's scenario"),
    );
    let fin_in = (t.sent_segments())
        .find(|(_, s)| s.seg.flags.fin())
        .and_then(|(_, s)| s.eta)
        .expect("the client's FIN arrives");
    let ack_out = (sends(&t, "server", "ACK").into_iter())
        .find(|at| *at >= fin_in)
        .expect("the server's ACK of it");
    put(
        "linux.fin-ack-delay-ms".into(),
        vec![millis(ack_out - fin_in)],
    );
    facts
}

fn articles() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../www/learn");
    let mut pages = Vec::new();
    for lang in ["en", "zh"] {
        let Ok(dir) = std::fs::read_dir(root.join(lang)) else {
            continue;
        };
        for entry in dir.flatten() {
            if entry.path().extension().is_some_and(|x| x == "html") {
                pages.push(entry.path());
            }
        }
    }
    pages.sort();
    pages
}

/// The numbers written in a piece of text: `7,875 s` is 7875, `1.5` is 1.5.
fn numbers(text: &str) -> Vec<f64> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        let joins = (*c == ',' || *c == '.')
            && !current.is_empty()
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        if c.is_ascii_digit() || joins {
            if *c != ',' {
                current.push(*c);
            } else if chars[i + 1..]
                .iter()
                .take_while(|d| d.is_ascii_digit())
                .count()
                != 3
            {
                // A comma that does not group thousands separates two numbers.
                out.push(current.parse().expect("a number"));
                current.clear();
            }
        } else if !current.is_empty() {
            out.push(current.parse().expect("a number"));
            current.clear();
        }
    }
    if !current.is_empty() {
        out.push(current.parse().expect("a number"));
    }
    out
}

/// Each `data-fact` span of a page: its name and its text (tags inside it dropped).
fn fact_spans(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("data-fact=\"") {
        rest = &rest[at + 11..];
        let name = rest[..rest.find('"').expect("a closing quote")].to_string();
        let body_start = rest.find('>').expect("the tag ends") + 1;
        let body_end = rest.find("</span>").expect("the span ends");
        let mut text = String::new();
        let mut in_tag = false;
        for c in rest[body_start..body_end].chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        out.push((name, text));
    }
    out
}

/// The facts are measured from runs; each profile's parameters say what they must be. A
/// simulator that stopped following a parameter (or a parameter changed without the articles
/// being measured again) fails here. (With `--nocapture` this prints the table of facts, for
/// writing a new one.)
#[test]
fn the_measured_facts_follow_each_profiles_parameters() {
    let facts = facts();
    for (name, values) in &facts {
        println!("{name:<32} {values:?}");
    }
    let secs = |d: tcp_playground::time::Duration| d.micros() as f64 / 1e6;
    let mut checked = 0;
    for profile in PROFILES {
        let p = Profile::from_name(profile).expect("a profile").params();
        let fact = |name: &str| {
            facts
                .get(&format!("{profile}.{name}"))
                .unwrap_or_else(|| panic!("no fact {profile}.{name}"))
                .clone()
        };
        let expected = [
            ("initial-rto", vec![secs(p.rto_initial)]),
            ("rto-min", vec![secs(p.rto_min) * 1000.0]),
            ("rto-max", vec![secs(p.rto_max)]),
            ("time-wait", vec![secs(p.time_wait)]),
            ("keepalive-idle", vec![secs(p.keepalive_time)]),
            ("keepalive-interval", vec![secs(p.keepalive_intvl)]),
            ("keepalive-probes", vec![f64::from(p.keepalive_probes)]),
            (
                "keepalive-give-up",
                vec![
                    secs(p.keepalive_time)
                        + f64::from(p.keepalive_probes) * secs(p.keepalive_intvl),
                ],
            ),
            ("synack-retries", vec![f64::from(p.synack_retries)]),
            (
                "syn-retries",
                vec![f64::from(p.syn_retries + p.syn_linear_timeouts)],
            ),
        ];
        for (name, want) in expected {
            assert_eq!(fact(name), want, "{profile}.{name}");
            checked += 1;
        }
        assert_eq!(
            fact("synack-resend-times").len(),
            p.synack_retries as usize,
            "{profile}: one SYN,ACK retransmission per retry"
        );
    }
    assert_eq!(checked, 30);
    // The model holds the ACK of a FIN that follows data for its delayed-ACK time.
    let delack = Profile::from_name("linux").unwrap().params().delack;
    assert_eq!(
        facts["linux.fin-ack-delay-ms"],
        vec![delack.micros() as f64 / 1e3]
    );
}

/// The article on reading a capture says the model sends the same segments as the kernel did
/// for the same scenario file: the same flags (PSH aside), relative numbers and lengths, in
/// the same order.
#[test]
fn the_article_s_capture_is_the_model_s_run_of_its_scenario() {
    let shape = |trace: &Trace| -> Vec<String> {
        let client = trace.hosts[0].addr;
        (trace.sent_segments())
            .map(|(_, s)| {
                let flags = s.seg.flags.to_string().replace(",PSH", "");
                let from = if s.src == client { "client" } else { "server" };
                format!("{from} {flags} {} {} {}", s.rseq, s.rack, s.seg.len)
            })
            .collect()
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("tests/kernel/scenarios/data-transfer.scn"))
        .expect("the oracle's scenario");
    let kernel = shape(&kernel_capture());
    assert_eq!(kernel.len(), 15, "{kernel:#?}");
    assert_eq!(kernel, shape(&run(&text)));
}

#[test]
fn the_number_reader_reads_what_readers_read() {
    assert_eq!(numbers("7,875 s"), vec![7875.0]);
    assert_eq!(numbers("1, 2, 4 and 8 s"), vec![1.0, 2.0, 4.0, 8.0]);
    assert_eq!(numbers("1.5 秒，60 秒"), vec![1.5, 60.0]);
    assert_eq!(numbers("after 3 s."), vec![3.0]);
}

#[test]
fn every_number_an_article_quotes_is_the_simulators() {
    let facts = facts();
    let pages = articles();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for page in &pages {
        let html = std::fs::read_to_string(page).expect("the page reads");
        if html.contains("data-fact-todo") {
            wrong.push(format!(
                "{}: a number still waits for its fact",
                page.display()
            ));
        }
        for (name, text) in fact_spans(&html) {
            let Some(expected) = facts.get(&name) else {
                wrong.push(format!("{}: no fact named {name:?}", page.display()));
                continue;
            };
            let written = numbers(&text);
            if &written != expected {
                wrong.push(format!(
                    "{}: {name} says {text:?}, the simulator says {expected:?}",
                    page.display()
                ));
            }
            checked += 1;
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    println!("{checked} quoted facts on {} pages agree", pages.len());
}
