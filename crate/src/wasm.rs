//! The WebAssembly facade: the only file that knows wasm-bindgen, js-sys and web-sys.
//!
//! Rust keeps the simulation behind an opaque `Playground` handle; JavaScript gets small
//! records (serde-wasm-bindgen) and strings (the ladder SVG, JSON lines), and draws.
//! Errors cross the border here, as `JsError` with the same `line:col: message` text the CLI
//! prints. A panic is a bug: the hook logs it to the console and the page shows a banner.

use crate::inspect;
use crate::ladder::{self, LadderOptions};
use crate::scenario::link::{self, Opened};
use crate::scenario::{Preset, Scenario, Timed, PRESETS};
use crate::sim::Sim;
use crate::time::Instant;
use crate::trace::Trace;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

#[derive(Serialize)]
struct PresetInfo {
    name: &'static str,
    title: &'static str,
    summary: &'static str,
    point: &'static str,
}

/// What a share link opens: a preset's name (for its title), and the scenario text.
#[derive(Serialize)]
struct LinkTarget<'a> {
    preset: Option<&'static str>,
    text: &'a str,
    /// The variant a comparison link sets beside it.
    compare: Option<&'a str>,
}

/// One scenario error, for the editor to point at.
#[derive(Serialize)]
struct ErrorInfo {
    line: usize,
    col: usize,
    len: usize,
    message: String,
    /// `line:col: message`, the line, and the offending text underlined.
    rendered: String,
}

/// `pg.flood("attacker", { target: "server:80", rate: 1000, count: 5000, spoof: "random" })`.
#[derive(Deserialize)]
struct FloodOptions {
    target: String,
    rate: u32,
    count: u32,
    #[serde(default)]
    spoof: Option<String>,
}

#[wasm_bindgen]
pub struct Playground {
    scenario: Scenario,
    /// The text as the reader gave it (comments and all), until an action is recorded.
    source: Option<String>,
    sim: Sim,
}

#[wasm_bindgen]
impl Playground {
    /// A playground running the scenario in `text`, or `preset:NAME`.
    #[wasm_bindgen(js_name = fromScenario)]
    pub fn from_scenario(text: &str) -> Result<Playground, JsError> {
        let scenario = crate::load(text).map_err(|e| JsError::new(&e))?;
        let sim = Sim::new(&scenario);
        let source = match text.strip_prefix("preset:") {
            Some(name) => Preset::find(name.trim()).map(|p| p.text.to_string()),
            None => Some(text.to_string()),
        };
        Ok(Playground {
            scenario,
            source,
            sim,
        })
    }

    /// Every error in a scenario text (an empty array when it is good), without running it.
    #[wasm_bindgen(js_name = checkScenario)]
    pub fn check_scenario(text: &str) -> Result<JsValue, JsError> {
        let errors: Vec<ErrorInfo> = match Scenario::parse(text) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .0
                .iter()
                .map(|e| ErrorInfo {
                    line: e.line,
                    col: e.col,
                    len: e.len,
                    message: e.message.clone(),
                    rendered: e.render(None),
                })
                .collect(),
        };
        to_js(&errors)
    }

    /// Opens a share link (a whole URL, `#v1=...` or `#preset=NAME`): `{ preset, text }`,
    /// `preset` being the preset's name when the link names one. Throws what is wrong with
    /// a damaged, foreign or future link.
    #[wasm_bindgen(js_name = openLink)]
    pub fn open_link(url: &str) -> Result<JsValue, JsError> {
        let (opened, variant) = link::decode_pair(url).map_err(|e| JsError::new(&e))?;
        let preset = match &opened {
            Opened::Preset(p) => Some(p.name),
            Opened::Text(_) => None,
        };
        to_js(&LinkTarget {
            preset,
            text: opened.text(),
            compare: variant.as_ref().map(Opened::text),
        })
    }

    /// The share-link fragment (`#v1=...&vs=...`) of this run beside another, compared.
    #[wasm_bindgen(js_name = shareLinkWith)]
    pub fn share_link_with(&self, other: &Playground) -> String {
        link::encode_pair(&self.source_text(), &other.source_text())
    }

    /// This run and another side by side on one time axis, with a title over each.
    #[wasm_bindgen(js_name = compareSvg)]
    pub fn compare_svg(
        &self,
        other: &Playground,
        title: String,
        other_title: String,
        opts: JsValue,
    ) -> Result<String, JsError> {
        let opts = ladder_options(opts)?;
        // The runs step on one clock: both panels show it.
        let now = self.sim.now().max(other.sim.now());
        let panels = [(self, title), (other, other_title)].map(|(pg, title)| ladder::Panel {
            trace: pg.sim.trace(),
            now,
            title: Some(title),
        });
        Ok(ladder::render_compare_svg(&panels, &opts))
    }

    /// When the next event happens (microseconds), or `undefined` once nothing is left to
    /// happen: two runs compared step together by taking whichever is due first.
    #[wasm_bindgen(js_name = nextTime)]
    pub fn next_time(&mut self) -> Option<f64> {
        self.sim.next_time().map(|t| t.micros() as f64)
    }

    /// The share-link fragment (`#v1=...`) of what runs now: the scenario as it was given,
    /// or, once the reader has acted, in canonical form with the actions recorded.
    #[wasm_bindgen(js_name = shareLink)]
    pub fn share_link(&self) -> String {
        link::encode(&self.source_text())
    }

    /// Whether a host answers a full SYN queue with SYN cookies (`syncookies` 1 or 2, from
    /// its profile or a `set`), as the simulation runs it.
    #[wasm_bindgen(js_name = syncookiesOn)]
    pub fn syncookies_on(&self, host: &str) -> bool {
        self.sim
            .hosts()
            .iter()
            .any(|h| h.name == host && h.params.syncookies != 0)
    }

    /// A playground running one of the presets.
    pub fn preset(name: &str) -> Result<Playground, JsError> {
        let preset = Preset::find(name).ok_or_else(|| JsError::new(&Preset::unknown(name)))?;
        Playground::from_scenario(preset.text)
    }

    /// `[{ name, title, summary }]` for every preset.
    pub fn presets() -> Result<JsValue, JsError> {
        let list: Vec<PresetInfo> = PRESETS
            .iter()
            .map(|p| PresetInfo {
                name: p.name,
                title: p.title,
                summary: p.summary,
                point: p.point,
            })
            .collect();
        to_js(&list)
    }

    /// Processes one event; returns how many trace events it added, or `undefined` at the end.
    pub fn step(&mut self) -> Option<u32> {
        self.sim.step().map(|n| n as u32)
    }

    /// Processes every event up to virtual time `t_us` (microseconds).
    #[wasm_bindgen(js_name = runUntil)]
    pub fn run_until(&mut self, t_us: f64) -> u32 {
        let t = Instant::from_micros(t_us.max(0.0) as u64);
        self.sim.run_until(t) as u32
    }

    /// Limits the run: at most `events` events, and, without a `run` statement, at most
    /// `seconds` of virtual time. A run that hits a limit stops with a message saying so.
    #[wasm_bindgen(js_name = setBudget)]
    pub fn set_budget(&mut self, events: f64, seconds: f64) {
        let time = crate::time::Duration::from_micros((seconds.max(0.0) * 1e6) as u64);
        self.sim.set_budget(events.max(0.0) as u64, time);
    }

    /// Why the run is over, or `undefined` while it is not.
    #[wasm_bindgen(js_name = stopMessage)]
    pub fn stop_message(&self) -> Option<String> {
        self.sim.stopped().map(|s| s.message())
    }

    /// Runs to the end; returns why the run is over.
    #[wasm_bindgen(js_name = runToEnd)]
    pub fn run_to_end(&mut self) -> String {
        let stop = self.sim.run_to_end();
        if stop.is_budget() {
            web_sys::console::warn_1(&JsValue::from_str(&stop.message()));
        }
        stop.message()
    }

    /// How many events the run has processed (the benchmarks' unit).
    #[wasm_bindgen(js_name = eventsProcessed)]
    pub fn events_processed(&self) -> f64 {
        self.sim.events_processed() as f64
    }

    /// Virtual time now, in microseconds.
    pub fn now(&self) -> f64 {
        self.sim.now().micros() as f64
    }

    /// Whether the run is over.
    pub fn done(&self) -> bool {
        self.sim.stopped().is_some()
    }

    /// Hosts, listeners and connections (state, SND.UNA, SND.NXT, RCV.NXT, timers) now.
    pub fn state(&self) -> Result<JsValue, JsError> {
        to_js(&self.sim.snapshot())
    }

    /// Does an action now, written as a scenario's `at` line would write it after the host
    /// (`connect server:80`, `send 1000`, `close`, `crash`, `keepalive on`), and records it
    /// into the scenario at its virtual time, so that `scenarioText()` replays it exactly.
    /// Returns that time in microseconds.
    pub fn act(&mut self, host: &str, action: &str) -> Result<f64, JsError> {
        let parsed = self
            .scenario
            .parse_action(host, action)
            .map_err(|e| JsError::new(&e.message))?;
        self.scenario
            .can_record(&parsed)
            .map_err(|e| JsError::new(&e))?;
        let at = self
            .sim
            .act(host, parsed.clone())
            .map_err(|e| JsError::new(&e))?;
        self.source = None;
        self.scenario.record(Timed {
            at,
            host: host.to_string(),
            action: parsed,
        });
        Ok(at.micros() as f64)
    }

    /// `connect("client", "server:80")`.
    pub fn connect(&mut self, host: &str, target: &str) -> Result<f64, JsError> {
        self.act(host, &format!("connect {target}"))
    }

    /// `send("client", 1000)`: the application writes this many bytes.
    pub fn send(&mut self, host: &str, bytes: u32) -> Result<f64, JsError> {
        self.act(host, &format!("send {bytes}"))
    }

    pub fn close(&mut self, host: &str) -> Result<f64, JsError> {
        self.act(host, "close")
    }

    pub fn abort(&mut self, host: &str) -> Result<f64, JsError> {
        self.act(host, "abort")
    }

    pub fn crash(&mut self, host: &str) -> Result<f64, JsError> {
        self.act(host, "crash")
    }

    pub fn reboot(&mut self, host: &str) -> Result<f64, JsError> {
        self.act(host, "reboot")
    }

    /// `flood("attacker", { target: "server:80", rate: 1000, count: 5000, spoof: "random" })`.
    pub fn flood(&mut self, host: &str, opts: JsValue) -> Result<f64, JsError> {
        let o: FloodOptions =
            serde_wasm_bindgen::from_value(opts).map_err(|e| JsError::new(&e.to_string()))?;
        let spoof = o.spoof.as_deref().unwrap_or("random");
        let text = format!(
            "flood {} rate={}/s count={} spoof={spoof}",
            o.target, o.rate, o.count
        );
        self.act(host, &text)
    }

    /// `keepalive("client", true)`: SO_KEEPALIVE on the host's connections.
    pub fn keepalive(&mut self, host: &str, on: bool) -> Result<f64, JsError> {
        self.act(host, if on { "keepalive on" } else { "keepalive off" })
    }

    /// The ladder so far, as SVG. `opts`: `{ absolute, showNow }`, both optional.
    #[wasm_bindgen(js_name = ladderSvg)]
    pub fn ladder_svg(&self, opts: JsValue) -> Result<String, JsError> {
        let opts = ladder_options(opts)?;
        Ok(ladder::render_svg(self.sim.trace(), self.sim.now(), &opts))
    }

    /// How many segments the trace holds (a page draws a long ladder only where it is seen).
    #[wasm_bindgen(js_name = segmentCount)]
    pub fn segment_count(&self) -> usize {
        self.sim.trace().segment_count()
    }

    /// The trace so far as JSON lines (the CLI's `--format json`).
    #[wasm_bindgen(js_name = traceJson)]
    pub fn trace_json(&self) -> String {
        self.sim.trace().to_json_lines()
    }

    /// The run so far as a pcap file for Wireshark (the CLI's `--format pcap`).
    pub fn pcap(&self) -> Vec<u8> {
        crate::pcap::write(self.sim.trace())
    }

    /// The trace so far in its readable text form (the CLI's `--format text`).
    #[wasm_bindgen(js_name = traceText)]
    pub fn trace_text(&self) -> String {
        self.sim.trace().to_text()
    }

    /// A digest of the trace's JSON lines: equal digests, byte-identical traces.
    #[wasm_bindgen(js_name = traceDigest)]
    pub fn trace_digest(&self) -> String {
        self.sim.trace().digest()
    }

    /// The number of trace events so far.
    #[wasm_bindgen(js_name = eventCount)]
    pub fn event_count(&self) -> u32 {
        self.sim.trace().events.len() as u32
    }

    /// Everything the inspector shows about one segment (`undefined` for an unknown id):
    /// header fields, fate, the rule that sent it, and both ends' states around it.
    pub fn segment(&self, seg_id: u32) -> Result<JsValue, JsError> {
        segment_info(self.sim.trace(), seg_id)
    }

    /// The segment table: `[{ id, sent_us, from, to, label, fate }]` in the order sent.
    pub fn segments(&self, absolute: bool) -> Result<JsValue, JsError> {
        to_js(&inspect::rows(self.sim.trace(), absolute))
    }

    /// The same scenario with one more fault, hitting exactly this segment (`"drop"`,
    /// `"delay"`: a second late, or `"dup"`: a copy 100 ms later), ready to run from the start;
    /// `faultLine(segId, kind)` is the statement it adds.
    #[wasm_bindgen(js_name = withFault)]
    pub fn with_fault(&self, seg_id: u32, kind: &str) -> Result<Playground, JsError> {
        let fault = self.fault(seg_id, kind)?;
        let mut scenario = self.scenario.clone();
        scenario.faults.push(fault);
        let text = scenario.print();
        Playground::from_scenario(&text)
    }

    /// The same scenario with the next segment `host` sends to its peer lost, replayed to
    /// where this one is now (the past is the same; only what comes next differs).
    #[wasm_bindgen(js_name = withNextLost)]
    pub fn with_next_lost(&self, host: &str) -> Result<Playground, JsError> {
        if self.sim.trace().unrecorded > 0 {
            return Err(JsError::new(
                "the trace is full, so the next segment cannot be singled out; start again",
            ));
        }
        let fault = inspect::lose_next(self.sim.trace(), &self.scenario, host)
            .ok_or_else(|| JsError::new(&format!("{host} has no peer to lose a segment to")))?;
        let mut scenario = self.scenario.clone();
        scenario.faults.push(fault);
        self.replayed(scenario)
    }

    /// The same scenario with one parameter set on one host (`set HOST.NAME VALUE`, replacing
    /// an earlier one), replayed to where this one is now.
    #[wasm_bindgen(js_name = withSetting)]
    pub fn with_setting(&self, host: &str, name: &str, value: &str) -> Result<Playground, JsError> {
        let mut scenario = self.scenario.clone();
        scenario
            .sets
            .retain(|s| !(s.host == host && s.name == name));
        scenario.sets.push(crate::scenario::SetDecl {
            host: host.to_string(),
            name: name.to_string(),
            value: value.to_string(),
        });
        self.replayed(scenario)
    }

    /// Steps until the trace holds at least `events` events (or the run ends): how a rebuilt
    /// playground catches up with the one it replaces.
    #[wasm_bindgen(js_name = stepUntilEvents)]
    pub fn step_until_events(&mut self, events: u32) {
        while (self.sim.trace().events.len() as u32) < events {
            if self.sim.step().is_none() {
                break;
            }
        }
    }

    /// Steps until a segment is sent (or the run ends): skips quiet time, such as the two
    /// hours before a keepalive probe.
    #[wasm_bindgen(js_name = stepToNextSegment)]
    pub fn step_to_next_segment(&mut self) {
        loop {
            let seen = self.sim.trace().events.len();
            if self.sim.step().is_none() {
                break;
            }
            let new = &self.sim.trace().events[seen..];
            if new
                .iter()
                .any(|e| matches!(e.kind, crate::trace::EventKind::Send(_)))
            {
                break;
            }
        }
    }

    /// The scenario line `withFault` adds, e.g. `drop server->client nth=1 flags=SYN,ACK len=0`.
    #[wasm_bindgen(js_name = faultLine)]
    pub fn fault_line(&self, seg_id: u32, kind: &str) -> Result<String, JsError> {
        let fault = self.fault(seg_id, kind)?;
        let mut one = Scenario::new();
        one.faults.push(fault);
        Ok(one.print().lines().last().unwrap_or_default().to_string())
    }

    /// The scenario being run, in canonical form.
    #[wasm_bindgen(js_name = scenarioText)]
    pub fn scenario_text(&self) -> String {
        self.scenario.print()
    }

    /// The scenario as it was given, comments and all; once the reader has acted, the
    /// canonical form with the actions recorded (as `scenarioText()`).
    #[wasm_bindgen(js_name = sourceText)]
    pub fn source_text(&self) -> String {
        self.source.clone().unwrap_or_else(|| self.scenario.print())
    }
}

impl Playground {
    /// A new playground for a changed scenario, caught up with this one's trace.
    fn replayed(&self, scenario: Scenario) -> Result<Playground, JsError> {
        let mut next = Playground::from_scenario(&scenario.print())?;
        next.step_until_events(self.sim.trace().events.len() as u32);
        Ok(next)
    }

    fn fault(&self, seg_id: u32, kind: &str) -> Result<crate::scenario::Fault, JsError> {
        let effect = inspect::effect_named(kind)
            .ok_or_else(|| JsError::new(&format!("a fault is drop, delay or dup, not `{kind}`")))?;
        inspect::fault_for(self.sim.trace(), seg_id, effect).ok_or_else(|| {
            JsError::new("only a segment between two of the scenario's hosts can be singled out")
        })
    }
}

/// Plain objects and arrays, never `Map`s, so the page can read fields directly.
/// A real capture (pcap or pcapng) opened in the page: its TCP connections, one of them drawn
/// as an observed ladder. Nothing is simulated. (Only in the module built with the `capture`
/// feature, which the page loads when it opens a capture.)
#[cfg(feature = "capture")]
#[wasm_bindgen]
pub struct Capture {
    capture: crate::pcap::read::Capture,
    /// The connection on show, as a trace the ladder and the inspector read.
    trace: Trace,
}

#[cfg(feature = "capture")]
#[derive(Serialize)]
struct ConnectionInfo {
    label: String,
    packets: usize,
    first_us: u64,
    last_us: u64,
}

#[cfg(feature = "capture")]
#[wasm_bindgen]
impl Capture {
    /// Reads a capture; throws what is wrong with a corrupt, truncated, foreign or huge file.
    /// The first connection is on show.
    pub fn open(bytes: &[u8]) -> Result<Capture, JsError> {
        let capture = crate::pcap::read::parse(bytes).map_err(|e| JsError::new(&e.to_string()))?;
        let trace = capture
            .observe(0)
            .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(Capture { capture, trace })
    }

    /// `[{ label, packets, first_us, last_us }]`, in the order each began.
    pub fn connections(&self) -> Result<JsValue, JsError> {
        let list: Vec<ConnectionInfo> = self
            .capture
            .connections()
            .into_iter()
            .map(|c| ConnectionInfo {
                label: c.label,
                packets: c.packets,
                first_us: c.first_us,
                last_us: c.last_us,
            })
            .collect();
        to_js(&list)
    }

    /// What the capture held besides IPv4 TCP, in a sentence ("" when nothing was skipped).
    pub fn skipped(&self) -> String {
        self.capture.skipped()
    }

    /// Puts connection `index` (0-based) on show.
    pub fn select(&mut self, index: usize) -> Result<(), JsError> {
        self.trace = self
            .capture
            .observe(index)
            .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(())
    }

    /// When the connection's last segment arrived, in µs.
    pub fn end(&self) -> f64 {
        self.trace
            .events
            .last()
            .map_or(0.0, |e| e.t.micros() as f64)
    }

    #[wasm_bindgen(js_name = ladderSvg)]
    pub fn ladder_svg(&self, opts: JsValue) -> Result<String, JsError> {
        let opts = ladder_options(opts)?;
        Ok(ladder::render_svg(&self.trace, self.trace.end(), &opts))
    }

    #[wasm_bindgen(js_name = segmentCount)]
    pub fn segment_count(&self) -> usize {
        self.trace.segment_count()
    }

    pub fn segment(&self, seg_id: u32) -> Result<JsValue, JsError> {
        segment_info(&self.trace, seg_id)
    }

    pub fn segments(&self, absolute: bool) -> Result<JsValue, JsError> {
        to_js(&inspect::rows(&self.trace, absolute))
    }

    /// The connection on show as JSON lines, in the trace's contract shape.
    #[wasm_bindgen(js_name = traceJson)]
    pub fn trace_json(&self) -> String {
        self.trace.to_json_lines()
    }

    /// The connection on show, written back as a pcap file.
    pub fn pcap(&self) -> Vec<u8> {
        crate::pcap::write(&self.trace)
    }
}

/// The inspector's view of one segment, or `undefined` for an unknown id.
fn segment_info(trace: &Trace, seg_id: u32) -> Result<JsValue, JsError> {
    match inspect::segment(trace, seg_id) {
        Some(info) => to_js(&info),
        None => Ok(JsValue::UNDEFINED),
    }
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

/// The version of the crate, so a page can tell which core it loaded.
#[wasm_bindgen]
pub fn version() -> js_sys::JsString {
    js_sys::JsString::from(env!("CARGO_PKG_VERSION"))
}

/// The ladder's options from JavaScript (`{ absolute, standalone, showNow }`), all optional.
fn ladder_options(opts: JsValue) -> Result<LadderOptions, JsError> {
    if opts.is_undefined() || opts.is_null() {
        return Ok(LadderOptions::default());
    }
    serde_wasm_bindgen::from_value(opts).map_err(|e| JsError::new(&e.to_string()))
}
