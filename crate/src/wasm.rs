//! The WebAssembly facade: the only file that knows wasm-bindgen, js-sys and web-sys.
//!
//! Rust keeps the simulation behind an opaque `Playground` handle: a run, or two compared,
//! with what a reader does to them (the core's `session`). Each method is a thin wrapper;
//! JavaScript gets small records (serde-wasm-bindgen) and strings (the ladder SVG, JSON
//! lines), and draws.
//! Errors cross the border here, as `JsError` with the same `line:col: message` text the CLI
//! prints. A panic is a bug: the hook logs it to the console and the page shows a banner.

use crate::inspect;
use crate::ladder::{self, LadderOptions};
use crate::scenario::link::{self, Opened};
use crate::scenario::{Scenario, PRESETS};
use crate::session::{self, Run, Variant};
use crate::sim::Stop;
use crate::time::{Duration, Instant};
use crate::trace::Trace;
use crate::words;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

#[derive(Serialize)]
struct PresetInfo {
    name: &'static str,
    topic: &'static str,
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

/// A playground: one run, or (in a widget's compare mode) two runs stepped on one clock,
/// with what a reader does to them (the core's `session::Session`). The per-run methods
/// (`step`, `act`, `state`, `segment`...) read and drive the run (the first, when comparing);
/// a few reads take a `panel` (0, the default, or 1 when comparing).
#[wasm_bindgen]
pub struct Playground {
    session: session::Session,
}

impl Playground {
    fn of(run: Run) -> Playground {
        Playground {
            session: session::Session::of(run),
        }
    }

    /// The run (the first, when comparing).
    fn run(&self) -> &Run {
        &self.session.runs()[0]
    }

    fn run_mut(&mut self) -> &mut Run {
        self.session.run_mut(0).expect("a session has a run")
    }

    #[inline(never)]
    fn panel(&self, panel: Option<u32>) -> Result<&Run, JsError> {
        let panel = panel.unwrap_or(0) as usize;
        (self.session.run(panel)).ok_or_else(|| js(format!("there is no panel {panel}")))
    }

    fn act_now(&mut self, host: &str, action: &str) -> Result<f64, JsError> {
        let at = self.run_mut().act_text(host, action).map_err(js)?;
        self.session.run_changed();
        Ok(at.micros() as f64)
    }
}

#[wasm_bindgen]
impl Playground {
    /// A playground running the scenario in `text`, or `preset:NAME`; `maxEvents`, a whole
    /// number above zero, limits each run to that many events (the core's limit otherwise).
    #[wasm_bindgen(js_name = fromScenario)]
    pub fn from_scenario(text: &str, max_events: Option<f64>) -> Result<Playground, JsError> {
        let max = max_events.filter(|n| *n > 0.0 && n.fract() == 0.0);
        let session = session::Session::open(text, max.map(|n| n as u64)).map_err(js)?;
        Ok(Playground { session })
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
        let (opened, variant) = link::decode_pair(url).map_err(js)?;
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

    /// A scenario text changed into a variant to compare it with (`"profile classic"`, or
    /// `"syncookies"`: SYN cookies the other way round on the listening host), in canonical
    /// form. Throws the scenario's errors.
    pub fn variant(text: &str, kind: &str) -> Result<String, JsError> {
        let variant = Variant::named(kind).ok_or_else(|| js(format!("no variant `{kind}`")))?;
        variant.apply(text).map_err(js)
    }

    /// The share-link fragment (`#v1=...`, and `&vs=...` with the variant when comparing):
    /// the scenario as it was given, or, once the reader has acted, in canonical form with
    /// the actions recorded.
    #[wasm_bindgen(js_name = shareLink)]
    pub fn share_link(&self) -> String {
        self.session.share_link()
    }

    /// A playground running one of the presets.
    pub fn preset(name: &str) -> Result<Playground, JsError> {
        Run::preset(name).map(Playground::of).map_err(js)
    }

    /// `[{ name, topic, title, summary, point }]` for every preset, in the library's order.
    pub fn presets() -> Result<JsValue, JsError> {
        let list: Vec<PresetInfo> = PRESETS
            .iter()
            .map(|p| PresetInfo {
                name: p.name,
                topic: p.topic,
                title: p.title,
                summary: p.summary,
                point: p.point,
            })
            .collect();
        to_js(&list)
    }

    /// Processes one event; returns how many trace events it added, or `undefined` at the end.
    pub fn step(&mut self) -> Option<u32> {
        self.run_mut().step().map(|n| n as u32)
    }

    /// Processes every event up to virtual time `t_us` (microseconds).
    #[wasm_bindgen(js_name = runUntil)]
    pub fn run_until(&mut self, t_us: f64) -> u32 {
        let t = Instant::from_micros(t_us.max(0.0) as u64);
        self.run_mut().run_until(t) as u32
    }

    /// Limits the run: at most `events` events, and, without a `run` statement, at most
    /// `seconds` of virtual time. A run that hits a limit stops with a message saying so.
    #[wasm_bindgen(js_name = setBudget)]
    pub fn set_budget(&mut self, events: f64, seconds: f64) {
        let time = Duration::from_micros((seconds.max(0.0) * 1e6) as u64);
        self.run_mut().set_budget(events.max(0.0) as u64, time);
        self.session.run_changed();
    }

    /// Why the run is over, in `lang` (English by default), or `undefined` while it is not.
    #[wasm_bindgen(js_name = stopMessage)]
    pub fn stop_message(&self, lang: Option<String>) -> Option<String> {
        let words = words::for_lang(lang.as_deref().unwrap_or("en"));
        self.run().sim().stopped().map(|s| words.stop(s))
    }

    /// Runs to the end (each run, when comparing); returns why the run is over.
    #[wasm_bindgen(js_name = runToEnd)]
    pub fn run_to_end(&mut self) -> String {
        self.session.run_to_end();
        let stop = self.run().sim().stopped().cloned().unwrap_or(Stop::Quiet);
        let message = words::english().stop(&stop);
        if stop.is_budget() {
            web_sys::console::warn_1(&JsValue::from_str(&message));
        }
        message
    }

    /// How many events the run has processed (the benchmarks' unit).
    #[wasm_bindgen(js_name = eventsProcessed)]
    pub fn events_processed(&self) -> f64 {
        self.run().sim().events_processed() as f64
    }

    /// Virtual time now, in microseconds (the later run's, when comparing: they share a
    /// clock).
    pub fn now(&self) -> f64 {
        self.session.now().micros() as f64
    }

    /// Whether the run (every run, when comparing) is over.
    pub fn done(&self) -> bool {
        self.session.done()
    }

    /// Hosts, listeners and connections (state, SND.UNA, SND.NXT, RCV.NXT, timers) now, and
    /// why the run is over: `stop_reason` (a code) and `stop`, in `lang` (English by default).
    pub fn state(&self, panel: Option<u32>, lang: Option<String>) -> Result<JsValue, JsError> {
        let mut snapshot = self.panel(panel)?.sim().snapshot();
        let words = words::for_lang(lang.as_deref().unwrap_or("en"));
        snapshot.stop = snapshot.stopped.as_ref().map(|s| words.stop(s));
        to_js(&snapshot)
    }

    /// Does an action now, written as a scenario's `at` line would write it after the host
    /// (`connect server:80`, `send 1000`, `close`, `crash`, `keepalive on`), and records it
    /// into the scenario at its virtual time, so that `scenarioText()` replays it exactly.
    /// Returns that time in microseconds.
    pub fn act(&mut self, host: &str, action: &str) -> Result<f64, JsError> {
        self.act_now(host, action)
    }

    /// `connect("client", "server:80")`.
    pub fn connect(&mut self, host: &str, target: &str) -> Result<f64, JsError> {
        self.act_now(host, &format!("connect {target}"))
    }

    /// `send("client", 1000)`: the application writes this many bytes.
    pub fn send(&mut self, host: &str, bytes: u32) -> Result<f64, JsError> {
        self.act_now(host, &format!("send {bytes}"))
    }

    pub fn close(&mut self, host: &str) -> Result<f64, JsError> {
        self.act_now(host, "close")
    }

    pub fn abort(&mut self, host: &str) -> Result<f64, JsError> {
        self.act_now(host, "abort")
    }

    pub fn crash(&mut self, host: &str) -> Result<f64, JsError> {
        self.act_now(host, "crash")
    }

    pub fn reboot(&mut self, host: &str) -> Result<f64, JsError> {
        self.act_now(host, "reboot")
    }

    /// `flood("attacker", { target: "server:80", rate: 1000, count: 5000, spoof: "random" })`.
    pub fn flood(&mut self, host: &str, opts: JsValue) -> Result<f64, JsError> {
        let o = Fields::of(opts, "flood options")?;
        let target = o.string("target")?.ok_or_else(|| o.missing("target"))?;
        let rate = o.whole("rate")?.ok_or_else(|| o.missing("rate"))?;
        let count = o.whole("count")?.ok_or_else(|| o.missing("count"))?;
        let spoof = o.string("spoof")?;
        let spoof = spoof.as_deref().unwrap_or("random");
        let text = format!("flood {target} rate={rate}/s count={count} spoof={spoof}");
        self.act_now(host, &text)
    }

    /// `keepalive("client", true)`: SO_KEEPALIVE on the host's connections.
    pub fn keepalive(&mut self, host: &str, on: bool) -> Result<f64, JsError> {
        self.act_now(host, if on { "keepalive on" } else { "keepalive off" })
    }

    /// The ladder so far, as SVG (both runs side by side on one time axis, each with its
    /// title, when comparing); before the end, what is still to come is drawn faded. `opts`:
    /// `{ absolute, showNow, standalone, lang, elementTiming }`, all optional.
    #[wasm_bindgen(js_name = ladderSvg)]
    pub fn ladder_svg(&mut self, opts: JsValue) -> Result<String, JsError> {
        let opts = ladder_options(opts)?;
        let (titles, now) = (self.session.titles(), self.session.now());
        let titles = titles.map_or(vec![None], |t| t.map(Some).into());
        let moments = self.session.moments();
        let panels =
            (moments.into_iter().zip(titles)).map(|((trace, happened), title)| ladder::Panel {
                trace,
                now,
                title,
                happened,
            });
        Ok(ladder::render_compare_svg(
            &panels.collect::<Vec<_>>(),
            &opts,
        ))
    }

    /// How many segments the trace holds (a page draws a long ladder only where it is seen).
    #[wasm_bindgen(js_name = segmentCount)]
    pub fn segment_count(&self, panel: Option<u32>) -> Result<usize, JsError> {
        Ok(self.panel(panel)?.trace().segment_count())
    }

    /// The trace so far as JSON lines (the CLI's `--format json`).
    #[wasm_bindgen(js_name = traceJson)]
    pub fn trace_json(&self) -> String {
        self.run().trace().to_json_lines()
    }

    /// The run so far as a pcap file for Wireshark (the CLI's `--format pcap`).
    pub fn pcap(&self) -> Vec<u8> {
        crate::pcap::write(self.run().trace())
    }

    /// The trace so far in its readable text form (the CLI's `--format text`).
    #[wasm_bindgen(js_name = traceText)]
    pub fn trace_text(&self) -> String {
        self.run().trace().to_text()
    }

    /// A digest of the trace's JSON lines: equal digests, byte-identical traces.
    #[wasm_bindgen(js_name = traceDigest)]
    pub fn trace_digest(&self) -> String {
        self.run().trace().digest()
    }

    /// The number of trace events so far.
    #[wasm_bindgen(js_name = eventCount)]
    pub fn event_count(&self, panel: Option<u32>) -> Result<u32, JsError> {
        Ok(self.panel(panel)?.events() as u32)
    }

    /// Everything the inspector shows about one segment (`undefined` for an unknown id):
    /// header fields, the headers laid out bit by bit, fate, the rule that sent it explained
    /// in `lang` (a page's lang tag, English by default), and both ends' states around it.
    pub fn segment(
        &self,
        seg_id: u32,
        panel: Option<u32>,
        lang: Option<String>,
    ) -> Result<JsValue, JsError> {
        segment_info(self.panel(panel)?.trace(), seg_id, lang)
    }

    /// The segment table: `[{ id, sent_us, from, to, label, fate }]` in the order sent.
    pub fn segments(&self, absolute: bool, panel: Option<u32>) -> Result<JsValue, JsError> {
        to_js(&inspect::rows(self.panel(panel)?.trace(), absolute))
    }

    /// The same scenario with one more fault, hitting exactly this segment (`"drop"`,
    /// `"delay"`: a second late, or `"dup"`: a copy 100 ms later), ready to run from the start;
    /// `faultLine(segId, kind)` is the statement it adds.
    #[wasm_bindgen(js_name = withFault)]
    pub fn with_fault(&self, seg_id: u32, kind: &str) -> Result<Playground, JsError> {
        let effect = session::effect_named(kind).map_err(js)?;
        let run = self.run().with_fault(seg_id, effect).map_err(js)?;
        Ok(Playground::of(run))
    }

    /// The same scenario with the next segment `host` sends to its peer lost, replayed to
    /// where this one is now (the past is the same; only what comes next differs).
    #[wasm_bindgen(js_name = withNextLost)]
    pub fn with_next_lost(&self, host: &str) -> Result<Playground, JsError> {
        let run = self.run().with_next_lost(host).map_err(js)?;
        Ok(Playground::of(run))
    }

    /// The same scenario with one parameter set on one host (`set HOST.NAME VALUE`, replacing
    /// an earlier one), replayed to where this one is now.
    #[wasm_bindgen(js_name = withSetting)]
    pub fn with_setting(&self, host: &str, name: &str, value: &str) -> Playground {
        Playground::of(self.run().with_setting(host, name, value))
    }

    /// Steps until the trace holds at least `events` events (or the run ends).
    #[wasm_bindgen(js_name = stepUntilEvents)]
    pub fn step_until_events(&mut self, events: u32) {
        self.run_mut().step_until_events(events as usize);
    }

    /// Steps until a segment is sent (or the run ends): skips quiet time, such as the two
    /// hours before a keepalive probe.
    #[wasm_bindgen(js_name = stepToNextSegment)]
    pub fn step_to_next_segment(&mut self) {
        self.run_mut().step_to_next_segment();
    }

    /// The scenario line `withFault` adds, e.g. `drop server->client nth=1 flags=SYN,ACK len=0`.
    #[wasm_bindgen(js_name = faultLine)]
    pub fn fault_line(&self, seg_id: u32, kind: &str) -> Result<String, JsError> {
        let effect = session::effect_named(kind).map_err(js)?;
        let fault = self.run().fault(seg_id, effect).map_err(js)?;
        Ok(Scenario::fault_line(&fault))
    }

    /// The scenario being run, in canonical form.
    #[wasm_bindgen(js_name = scenarioText)]
    pub fn scenario_text(&self) -> String {
        self.run().scenario_text()
    }

    /// The scenario as it was given, comments and all; once the reader has acted, the
    /// canonical form with the actions recorded (as `scenarioText()`).
    #[wasm_bindgen(js_name = sourceText)]
    pub fn source_text(&self, panel: Option<u32>) -> Result<String, JsError> {
        Ok(self.panel(panel)?.source_text())
    }

    // ---------------------------------------------------------- what a widget does

    /// Compares the scenario with a variant (text or `preset:NAME`), run beside it on one
    /// clock within the same budget; both start again.
    #[wasm_bindgen(js_name = compareWith)]
    pub fn compare_with(&mut self, text: &str) -> Result<(), JsError> {
        self.session.compare_with(text).map_err(js)
    }

    /// What each compared run is called (`["profile linux", "profile classic"]`), or null
    /// when nothing is compared.
    pub fn titles(&self) -> Result<JsValue, JsError> {
        to_js(&self.session.titles())
    }

    /// Moves to where a widget opens: `end` (the whole run drawn), `0` (its start, the
    /// whole run drawn faded) or a moment (`2.5s`, any duration a scenario takes). Throws
    /// what is wrong with any other text.
    #[wasm_bindgen(js_name = startAt)]
    pub fn start_at(&mut self, start: &str) -> Result<(), JsError> {
        self.session.start_at(start).map_err(js)
    }

    /// One step that Back can undo: one event, or when comparing the next event of whichever
    /// run is due first (both when they are due together). At the end of the run, the step
    /// replays it from the start.
    pub fn advance(&mut self) {
        self.session.step();
    }

    /// Undoes the last `advance` (or act): the scenario replayed to where it was before.
    pub fn back(&mut self) {
        self.session.back();
    }

    #[wasm_bindgen(js_name = canGoBack)]
    pub fn can_go_back(&self) -> bool {
        self.session.can_go_back()
    }

    /// Moves to `permille` thousandths of the way to the end of the run, replaying from the
    /// start.
    pub fn seek(&mut self, permille: f64) {
        self.session.seek_fraction(permille / 1000.0);
    }

    /// The end of the run in µs if it is known without running, else `undefined`.
    #[wasm_bindgen(js_name = knownEnd)]
    pub fn known_end(&self) -> Option<f64> {
        self.session.known_end().map(|t| t.micros() as f64)
    }

    /// The end of the run in µs, found on a copy (within the same budget) if need be.
    #[wasm_bindgen(js_name = findEnd)]
    pub fn find_end(&mut self) -> f64 {
        self.session.find_end().micros() as f64
    }

    /// Changes whenever the runs are replaced by new ones (Back, seeking, a changed
    /// scenario), and only then.
    pub fn generation(&self) -> u32 {
        self.session.generation()
    }

    /// Does what an Act bar button names (`connect`, `send 1000`, `close`, `abort`, `crash`,
    /// `reboot`, `keepalive on`, `flood`, `lose-next`, `skip`, `cookies on`, `cookies off`),
    /// now, on `host`, in every run. Returns false when no other host listens (there is
    /// nowhere to connect or flood to); throws why the act cannot be done.
    #[wasm_bindgen(js_name = actBar)]
    pub fn act_bar(&mut self, host: &str, name: &str) -> Result<bool, JsError> {
        let act = session::Act::named(name).ok_or_else(|| js(format!("no act `{name}`")))?;
        match self.session.act(host, act) {
            Ok(()) => Ok(true),
            Err(session::Refusal::Nowhere) => Ok(false),
            Err(session::Refusal::Cannot(why)) => Err(js(why)),
        }
    }

    /// The host the Act bar starts on: the first one that does not listen.
    #[wasm_bindgen(js_name = defaultActor)]
    pub fn default_actor(&self) -> Option<String> {
        self.session.default_actor().map(str::to_string)
    }

    /// Whether the listening host has SYN cookies on; `undefined` when no host listens.
    pub fn cookies(&self) -> Option<bool> {
        self.session.cookies()
    }

    /// Drops (`"drop"`), delays (`"delay"`) or duplicates (`"dup"`) one segment of a panel's
    /// run, which runs again to the moment it was sent. Returns the statement added.
    #[wasm_bindgen(js_name = addFault)]
    pub fn add_fault(&mut self, panel: u32, seg_id: u32, kind: &str) -> Result<String, JsError> {
        let effect = session::effect_named(kind).map_err(js)?;
        (self.session.fault(panel as usize, seg_id, effect)).map_err(js)
    }

    /// The scenario text to save (both, when comparing, the variant after a comment line).
    #[wasm_bindgen(js_name = exportText)]
    pub fn export_text(&self) -> String {
        self.session.export_text()
    }
}

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
        let capture = crate::pcap::read::parse(bytes).map_err(js)?;
        let trace = capture.observe(0).map_err(js)?;
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
        self.trace = self.capture.observe(index).map_err(js)?;
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

    pub fn segment(&self, seg_id: u32, lang: Option<String>) -> Result<JsValue, JsError> {
        segment_info(&self.trace, seg_id, lang)
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
fn segment_info(trace: &Trace, seg_id: u32, lang: Option<String>) -> Result<JsValue, JsError> {
    let words = words::for_lang(lang.as_deref().unwrap_or("en"));
    match inspect::segment(trace, seg_id, words) {
        Some(info) => to_js(&info),
        None => Ok(JsValue::UNDEFINED),
    }
}

/// Plain objects and arrays, never `Map`s, so the page can read fields directly.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(js)
}

/// The version of the crate, so a page can tell which core it loaded.
#[wasm_bindgen]
pub fn version() -> js_sys::JsString {
    js_sys::JsString::from(env!("CARGO_PKG_VERSION"))
}

/// The ladder's options from JavaScript (`{ absolute, standalone, showNow, visible, lang,
/// elementTiming }`), all optional.
fn ladder_options(opts: JsValue) -> Result<LadderOptions, JsError> {
    let o = Fields::of(opts, "ladder options")?;
    Ok(LadderOptions {
        absolute: o.flag("absolute")?,
        standalone: o.flag("standalone")?,
        show_now: o.flag("showNow")?,
        visible: o.span("visible")?,
        lang: o.string("lang")?.unwrap_or_default(),
        element_timing: o.string("elementTiming")?,
    })
}

/// The fields of an options object from JavaScript, read one by one: a field left out (or
/// `undefined`, `null`) takes its default, one of the wrong kind is an error that names it.
/// (Read by hand, not by serde: its deserializer was several KB of the module.)
struct Fields {
    object: JsValue,
    what: &'static str,
}

impl Fields {
    /// `what` names the object in errors ("flood options"); `undefined` and `null` are an
    /// empty object.
    fn of(object: JsValue, what: &'static str) -> Result<Fields, JsError> {
        if !(object.is_object() || object.is_undefined() || object.is_null()) {
            return Err(js(format_args!(
                "{what} are an object, such as {{ lang: \"zh\" }}"
            )));
        }
        Ok(Fields { object, what })
    }

    fn get(&self, name: &str) -> Option<JsValue> {
        if !self.object.is_object() {
            return None;
        }
        js_sys::Reflect::get(&self.object, &JsValue::from_str(name))
            .ok()
            .filter(|v| !(v.is_undefined() || v.is_null()))
    }

    fn wrong(&self, name: &str, kind: &str) -> JsError {
        js(format_args!("{}: `{name}` is {kind}", self.what))
    }

    fn missing(&self, name: &str) -> JsError {
        js(format_args!("{}: `{name}` is missing", self.what))
    }

    fn flag(&self, name: &str) -> Result<bool, JsError> {
        self.get(name).map_or(Ok(false), |v| {
            v.as_bool().ok_or_else(|| self.wrong(name, "true or false"))
        })
    }

    fn string(&self, name: &str) -> Result<Option<String>, JsError> {
        self.get(name)
            .map(|v| v.as_string().ok_or_else(|| self.wrong(name, "a string")))
            .transpose()
    }

    fn whole(&self, name: &str) -> Result<Option<u32>, JsError> {
        self.get(name)
            .map(|v| {
                v.as_f64()
                    .filter(|n| n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(n))
                    .map(|n| n as u32)
                    .ok_or_else(|| self.wrong(name, "a whole number from 0 to 4294967295"))
            })
            .transpose()
    }

    /// Two numbers, `[from, to]`.
    fn span(&self, name: &str) -> Result<Option<[f64; 2]>, JsError> {
        self.get(name)
            .map(|v| {
                let pair = js_sys::Array::is_array(&v).then(|| js_sys::Array::from(&v));
                pair.filter(|a| a.length() == 2)
                    .and_then(|a| Some([a.get(0).as_f64()?, a.get(1).as_f64()?]))
                    .ok_or_else(|| self.wrong(name, "two numbers, [from, to]"))
            })
            .transpose()
    }
}

/// A core error (a `line:col: message`, a refusal's reason) as a JavaScript `Error`.
fn js(message: impl std::fmt::Display) -> JsError {
    JsError::new(&message.to_string())
}
