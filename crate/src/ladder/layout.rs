//! The ladder as geometry: every lifeline, arrow, label, fold, bracket, band and chart as
//! plain data, positioned on one shared time axis. Everything the diagram shows is decided
//! here (what is drawn, where, with which words); `svg.rs` only writes it out.
//!
//! Coordinates are the SVG's pixels: x across, y down, each panel from its own origin.

use super::axis::{self, Fold, TimeAxis, TOP};
use super::fixed::Fixed;
use super::{LadderOptions, Panel};
use crate::segment::Flags;
use crate::tcp::{TimerAction, TimerName};
use crate::time::{Duration, Instant};
use crate::trace::{Call, ConnId, DropCause, Event, EventKind, HostId, Sent, Trace};
use crate::why;
use crate::words::{fill, LadderWords as Words};
use std::collections::BTreeMap;

/// The width of one ladder's lifelines and margins.
pub const WIDTH: f64 = 720.0;
/// The outer lifelines' distance from the ladder's sides.
const SIDE: f64 = 150.0;
/// At most this many timer brackets stand side by side on one lifeline.
const MAX_BRACKETS: f64 = 3.0;
/// How far apart two arrows that leave together for the same place are drawn.
pub const NUDGE_PX: f64 = 16.0;
/// Room above a titled panel for its title.
const TITLE_PX: f64 = 30.0;
/// The width of one queue chart, beside a panel's lifelines.
const CHART_PX: f64 = 130.0;
/// The baselines of the header rows: host names, their addresses (and a chart's title and
/// legends), a counterfactual mode's warning.
const NAME_Y: f64 = 28.0;
const ADDR_Y: f64 = 46.0;
const LEGEND_Y: f64 = 62.0;
const WARNING_Y: f64 = 64.0;
/// Where the lifelines start, just below the header.
const LIFELINE_TOP: f64 = 58.0;
/// How far the lifelines and charts reach below the last moment.
const TAIL_PX: f64 = 30.0;

/// A point on the page.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// A text and the point of its baseline where it starts (or is centred or ends, as its
/// element's anchor says).
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub at: Point,
    pub text: String,
}

/// Which end of a label its point is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    Start,
    End,
}

/// The whole diagram: its size, what a screen reader hears, and its panels side by side.
#[derive(Debug)]
pub struct Ladder {
    pub width: f64,
    pub height: f64,
    pub shape: Shape,
    /// A description for screen readers.
    pub description: String,
    /// With its own stylesheet and background, for an SVG that stands alone.
    pub standalone: bool,
    /// The `elementtiming` name the first host's name carries, if any.
    pub element_timing: Option<String>,
    pub panels: Vec<PanelLayout>,
}

/// How the page should size the diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// One ladder, as wide as ever.
    Single,
    /// One ladder with queue charts beside it.
    Wide,
    /// Panels side by side.
    Compare,
}

/// One trace's ladder, drawn from its own origin on the shared axis.
#[derive(Debug)]
pub struct PanelLayout {
    /// Where the panel is placed; `None` for a lone ladder, which is not grouped.
    pub offset: Option<Point>,
    pub title: Option<Label>,
    /// A counterfactual run says that it is not real TCP.
    pub warning: Option<Label>,
    pub lifelines: Vec<Lifeline>,
    pub folds: Vec<FoldMark>,
    pub flood: Option<FloodBand>,
    /// The clock on the left edge, where segments leave.
    pub times: Vec<Label>,
    pub timers: Vec<TimerBracket>,
    pub states: Vec<StateMark>,
    pub errors: Vec<ErrorMark>,
    pub arrows: Vec<Arrow>,
    /// A trace that kept only its first events says so at the bottom.
    pub trace_cut: Option<Label>,
    pub now: Option<NowLine>,
    pub charts: Vec<ChartLayout>,
    /// What a replay has not reached yet (empty once the run is drawn to its end).
    pub later: Later,
}

/// What has not happened yet at the moment drawn, when the ladder shows a moment of a whole
/// run: drawn faded, so the reader sees where the story goes.
#[derive(Debug, Default)]
pub struct Later {
    pub folds: Vec<FoldMark>,
    pub times: Vec<Label>,
    pub timers: Vec<TimerBracket>,
    pub states: Vec<StateMark>,
    pub errors: Vec<ErrorMark>,
    pub arrows: Vec<Arrow>,
}

impl Later {
    pub fn is_empty(&self) -> bool {
        self.folds.is_empty()
            && self.times.is_empty()
            && self.timers.is_empty()
            && self.states.is_empty()
            && self.errors.is_empty()
            && self.arrows.is_empty()
    }
}

/// A host's lifeline: its name and address above, and the line down, in pieces broken by
/// the folds.
#[derive(Debug)]
pub struct Lifeline {
    pub x: f64,
    pub name: Label,
    pub addr: Label,
    /// The (top, bottom) of each piece of line, one more than there are folds.
    pub pieces: Vec<(f64, f64)>,
    /// The heights of the two marks of each fold (where the line stops and starts again).
    pub break_marks: Vec<(f64, f64)>,
}

/// A folded gap and what it says ("≈ 60 s idle").
#[derive(Debug)]
pub struct FoldMark {
    pub fold: Fold,
    pub label: Label,
}

/// A flood past the trace's detail: a band over the time it ran, with its counts.
#[derive(Debug)]
pub struct FloodBand {
    pub at: Point,
    pub width: f64,
    pub height: f64,
    pub label: Label,
}

/// A timer drawn as a bracket beside its host's lifeline, from when it was set to when it
/// fired, or, still armed, to now.
#[derive(Debug)]
pub struct TimerBracket {
    pub host: String,
    pub timer: &'static str,
    /// Still armed at now (its label says when it is due).
    pub armed: bool,
    /// The bracket's spine, and the x its ticks reach back to (towards the lifeline).
    pub x: f64,
    pub tick_x: f64,
    pub top: f64,
    pub bottom: f64,
    pub label: Label,
    pub anchor: Anchor,
}

/// An error an application saw, written beside its lifeline under any state change of that
/// moment: a call that failed (`bind(): EADDRINUSE`), or what a connection reported to it
/// (`ECONNREFUSED`).
#[derive(Debug)]
pub struct ErrorMark {
    pub host: String,
    pub call: &'static str,
    pub errno: &'static str,
    pub label: Label,
    pub anchor: Anchor,
}

/// A state change, written beside the lifeline where it happens.
#[derive(Debug)]
pub struct StateMark {
    pub host: String,
    pub state: &'static str,
    pub at: Point,
    pub label: Label,
    pub anchor: Anchor,
}

/// What became of a segment, as its arrow shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    Delivered,
    /// Not yet arrived at the moment drawn.
    InFlight,
    /// It ends in a cross where it died.
    Lost,
}

/// How an arrow ends: a head pointing along it (its tip and the two back corners), or the
/// cross of a lost segment, centred where it died.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tip {
    Head([Point; 3]),
    Cross(Point),
}

/// One segment: from where and when it left to where and when it arrived or died.
#[derive(Debug)]
pub struct Arrow {
    pub seg_id: u32,
    pub flags: Flags,
    /// What it is mainly about, its colour family: `syn`, `fin`, `rst`, `data` or `ack`.
    pub family: &'static str,
    pub retrans: bool,
    pub fate: Fate,
    /// The lifeline it leaves: its direction, drawn in that host's colour.
    pub sender: HostId,
    pub from: Point,
    pub to: Point,
    /// How far it was moved down so as not to cover an arrow that left with it.
    pub nudge: f64,
    pub tip: Tip,
    /// Its label, upright along it, turned by `angle` degrees about `pivot`.
    pub label: Label,
    pub angle: f64,
    pub pivot: Point,
    /// What a screen reader says of it.
    pub description: String,
}

/// The current virtual time, a line across the lifelines.
#[derive(Debug)]
pub struct NowLine {
    pub x1: f64,
    pub x2: f64,
    pub y: f64,
    pub label: Label,
}

/// A listener's queues over time, to the right of the lifelines.
#[derive(Debug)]
pub struct ChartLayout {
    pub host: String,
    pub listener: String,
    pub syn_limit: u32,
    pub syn_peak: u32,
    pub accept_limit: u32,
    pub accept_peak: u32,
    pub title: Label,
    pub syn_legend: Label,
    pub accept_legend: Label,
    /// The axis (at the chart's left) and the limit (at its right) run from `top` to `bottom`.
    pub x0: f64,
    pub x_limit: f64,
    pub top: f64,
    pub bottom: f64,
    pub syn: StepLine,
    pub accept: StepLine,
    /// The rest of both lines, from the moment drawn on, when that is not the end.
    pub later: Option<[StepLine; 2]>,
}

/// A step line: from `start` down to each point's height, then across to its value; then
/// down to `bottom`.
#[derive(Debug)]
pub struct StepLine {
    pub start: Point,
    pub steps: Vec<Point>,
    pub bottom: f64,
}

/// Lays out panels side by side on one time axis.
pub fn layout(panels: &[Panel], opts: &LadderOptions) -> Ladder {
    let axis = axis::shared_axis(panels, opts.show_now);
    let titled = panels.iter().any(|p| p.title.is_some());
    let dy = if titled { TITLE_PX } else { 0.0 };
    let panel_height = axis.bottom() + 48.0;
    let charts: Vec<Vec<QueueChart>> = panels.iter().map(|p| queue_charts(p.trace)).collect();
    let widths: Vec<f64> = charts
        .iter()
        .map(|c| WIDTH + CHART_PX * c.len() as f64)
        .collect();
    let width: f64 = widths.iter().sum();
    let words = opts.words();
    let description = panels
        .iter()
        .map(|p| match &p.title {
            Some(title) => format!("{title}: {}", describe(p.trace, words)),
            None => describe(p.trace, words),
        })
        .collect::<Vec<_>>()
        .join(&format!(" {} ", words.compared_with));
    let shape = if panels.len() > 1 {
        Shape::Compare
    } else if width > WIDTH {
        Shape::Wide
    } else {
        Shape::Single
    };
    let mut x = 0.0;
    let mut laid = Vec::with_capacity(panels.len());
    for (i, p) in panels.iter().enumerate() {
        let title = p.title.as_ref().map(|title| Label {
            at: Point {
                x: WIDTH / 2.0,
                y: 8.0 - dy / 2.0,
            },
            text: title.clone(),
        });
        let offset = (panels.len() > 1).then_some(Point { x, y: dy });
        laid.push(panel(
            p,
            offset,
            title,
            &charts[i],
            &axis,
            panel_height,
            opts,
        ));
        x += widths[i];
    }
    Ladder {
        width,
        height: panel_height + dy,
        shape,
        description,
        standalone: opts.standalone,
        element_timing: opts.element_timing.clone(),
        panels: laid,
    }
}

/// Where each host's lifeline stands.
struct Lanes {
    hosts: usize,
}

impl Lanes {
    fn x(&self, h: HostId) -> f64 {
        if self.hosts == 1 {
            WIDTH / 2.0
        } else {
            SIDE + h as f64 * (WIDTH - 2.0 * SIDE) / (self.hosts - 1) as f64
        }
    }

    /// Whether `h` is the leftmost of several lifelines: the inside of the ladder is on its
    /// right (where its timer brackets go) and the outside on its left (its state labels);
    /// every other lifeline has them the other way round.
    fn leftmost(&self, h: HostId) -> bool {
        h == 0 && self.hosts > 1
    }
}

/// One trace's ladder, from y = 0 on the shared axis.
fn panel(
    panel: &Panel,
    offset: Option<Point>,
    title: Option<Label>,
    charts: &[QueueChart],
    axis: &TimeAxis,
    height: f64,
    opts: &LadderOptions,
) -> PanelLayout {
    let (trace, now) = (panel.trace, panel.now);
    let happened = (panel.happened).map_or(trace.events.len(), |n| n.min(trace.events.len()));
    // Where the moment drawn is, when what follows it is drawn faded.
    let cut = (happened < trace.events.len()).then(|| axis.y(now));
    let words = opts.words();
    let lanes = Lanes {
        hosts: trace.hosts.len().max(1),
    };
    let warning = (!trace.counterfactuals.is_empty()).then(|| Label {
        at: Point {
            x: WIDTH / 2.0,
            y: WARNING_Y,
        },
        text: fill(
            words.counterfactual,
            &[("modes", &trace.counterfactuals.join(", "))],
        ),
    });
    let trace_cut = (trace.unrecorded > 0).then(|| Label {
        at: Point {
            x: WIDTH / 2.0,
            y: height - 12.0,
        },
        text: fill(
            words.trace_cut,
            &[
                ("kept", &trace.events.len().to_string()),
                ("counted", &trace.unrecorded.to_string()),
            ],
        ),
    });
    let (folds, later_folds) =
        (fold_marks(axis, words).into_iter()).partition(|f| cut.is_none_or(|y| f.fold.top < y));
    let (times, later_times) = split(time_labels(trace, axis, opts), happened);
    let (states, later_states) = split(state_marks(trace, &lanes, axis, opts), happened);
    let (errors, later_errors) = split(error_marks(trace, &lanes, axis, opts), happened);
    let (arrows, later_arrows) = arrows(trace, happened, &lanes, axis, opts, words);
    let past = &trace.events[..happened];
    let armed = opts.show_now.then_some(now);
    let later_timers = match cut {
        Some(_) => (timer_brackets(&trace.events, None).into_iter())
            .filter(|b| b.end >= happened)
            .collect(),
        None => Vec::new(),
    };
    PanelLayout {
        offset,
        title,
        warning,
        lifelines: lifelines(trace, &lanes, axis, words),
        folds,
        flood: flood_band(trace, axis, words),
        times,
        timers: timer_marks(
            trace,
            timer_brackets(past, armed),
            &lanes,
            axis,
            opts,
            words,
        ),
        states,
        errors,
        arrows,
        trace_cut,
        now: now_line(now, &lanes, axis, opts),
        charts: chart_layouts(trace, charts, axis, happened, cut, words),
        later: Later {
            folds: later_folds,
            times: later_times,
            timers: timer_marks(trace, later_timers, &lanes, axis, opts, words),
            states: later_states,
            errors: later_errors,
            arrows: later_arrows,
        },
    }
}

/// Items tagged with the index of the event they stand for, parted into those that have
/// happened (the first `happened` events) and those still to come.
fn split<T>(items: Vec<(usize, T)>, happened: usize) -> (Vec<T>, Vec<T>) {
    let (mut past, mut later) = (Vec::new(), Vec::new());
    for (i, item) in items {
        if i < happened {
            past.push(item);
        } else {
            later.push(item);
        }
    }
    (past, later)
}

/// Each host's lifeline, broken where idle time is folded.
fn lifelines(trace: &Trace, lanes: &Lanes, axis: &TimeAxis, words: &Words) -> Vec<Lifeline> {
    let mut out = Vec::with_capacity(trace.hosts.len());
    for (h, host) in trace.hosts.iter().enumerate() {
        let x = lanes.x(h);
        // An attacker's lifeline stands for all the addresses it spoofs.
        let addr = if host.spoofing {
            format!("{} · {}", host.addr, words.spoofed_sources)
        } else if host.name == host.addr.to_string() {
            // A captured host is named by its address already.
            String::new()
        } else {
            host.addr.to_string()
        };
        let mut pieces = Vec::with_capacity(axis.folds.len() + 1);
        let mut break_marks = Vec::with_capacity(axis.folds.len());
        let mut top = LIFELINE_TOP;
        for fold in &axis.folds {
            pieces.push((top, fold.top + 8.0));
            break_marks.push((fold.top + 13.0, fold.bottom - 8.0));
            top = fold.bottom - 8.0;
        }
        pieces.push((top, axis.bottom() + TAIL_PX));
        out.push(Lifeline {
            x,
            name: Label {
                at: Point { x, y: NAME_Y },
                text: host.name.clone(),
            },
            addr: Label {
                at: Point { x, y: ADDR_Y },
                text: addr,
            },
            pieces,
            break_marks,
        });
    }
    out
}

/// Each folded gap's label, across the ladder's middle. A folded gap with a segment crossing
/// it is not idle: it says only how long it was.
fn fold_marks(axis: &TimeAxis, words: &Words) -> Vec<FoldMark> {
    (axis.folds.iter())
        .map(|fold| FoldMark {
            fold: *fold,
            label: Label {
                at: Point {
                    x: WIDTH / 2.0,
                    y: (fold.top + fold.bottom) / 2.0 + 4.0,
                },
                text: format!(
                    "≈ {} {}",
                    approx(fold.span),
                    if fold.busy { words.later } else { words.idle }
                ),
            },
        })
        .collect()
}

/// A flood past the trace's detail: a band over the time it ran, with its counts.
fn flood_band(trace: &Trace, axis: &TimeAxis, words: &Words) -> Option<FloodBand> {
    let flood = &trace.flood;
    let (first, last) = (flood.first?, flood.last?);
    let (y0, y1) = (axis.y(first), axis.y(last).max(axis.y(first) + 24.0));
    Some(FloodBand {
        at: Point {
            x: SIDE - 20.0,
            y: y0,
        },
        width: WIDTH - 2.0 * SIDE + 40.0,
        height: y1 - y0,
        label: Label {
            at: Point {
                x: WIDTH / 2.0,
                y: y0 + 16.0,
            },
            text: fill(
                words.flood_band,
                &[
                    ("segments", &flood.segments.to_string()),
                    ("syns", &flood.syns.to_string()),
                    ("synacks", &flood.synacks.to_string()),
                    ("rsts", &flood.rsts.to_string()),
                ],
            ),
        },
    })
}

/// Time labels on the left edge, wherever a segment leaves, without overlaps.
fn time_labels(trace: &Trace, axis: &TimeAxis, opts: &LadderOptions) -> Vec<(usize, Label)> {
    let mut out = Vec::new();
    let mut last_label_y = f64::NEG_INFINITY;
    for (i, e) in trace.events.iter().enumerate() {
        // Where segments leave, and where an application is told of an error.
        if !matches!(
            e.kind,
            EventKind::Send(_) | EventKind::App { errno: Some(_), .. }
        ) {
            continue;
        }
        let y = axis.y(e.t);
        if y - last_label_y >= 14.0 && opts.shows(y, y) {
            let label = Label {
                at: Point { x: 8.0, y: y + 4.0 },
                text: clock(e.t),
            };
            out.push((i, label));
            last_label_y = y;
        }
    }
    out
}

/// Timers that fired, and those still armed, as brackets on the inner side of the lifeline:
/// from when each was set to when it fired (or, still armed, to now, labelled with when it is
/// due). Timers set and then cancelled are left out: they changed nothing.
fn timer_marks(
    trace: &Trace,
    brackets: Vec<Bracket>,
    lanes: &Lanes,
    axis: &TimeAxis,
    opts: &LadderOptions,
    words: &Words,
) -> Vec<TimerBracket> {
    let mut out = Vec::new();
    let mut stack: Vec<(HostId, f64)> = Vec::new();
    for b in brackets {
        let (y0, y1) = (axis.y(b.from), axis.y(b.to));
        if y1 - y0 < 3.0 || !opts.shows(y0, y1) {
            continue;
        }
        // Brackets that overlap on one host step away from the lifeline, one by one.
        stack.retain(|(h, bottom)| *h != b.host || *bottom > y0);
        let depth = stack.iter().filter(|(h, _)| *h == b.host).count() as f64;
        if depth >= MAX_BRACKETS {
            // A flood's many half-open connections: three brackets say it, more only clutter.
            continue;
        }
        stack.push((b.host, y1));
        let side = if lanes.leftmost(b.host) { 1.0 } else { -1.0 };
        let x = lanes.x(b.host) + side * (7.0 + 6.0 * depth);
        let tick = side * 4.0;
        let text = match b.due {
            None => format!("{} {}", b.name, approx(b.to - b.from)),
            Some(due) => format!("{} {} {}", b.name, words.due, clock(due)),
        };
        out.push(TimerBracket {
            host: trace.hosts[b.host].name.clone(),
            timer: b.name,
            armed: b.due.is_some(),
            x,
            tick_x: x - tick,
            top: y0,
            bottom: y1,
            label: Label {
                at: Point {
                    x: x + side * 4.0,
                    y: y1 - 3.0,
                },
                text,
            },
            anchor: if side > 0.0 {
                Anchor::Start
            } else {
                Anchor::End
            },
        });
    }
    out
}

/// State changes, written beside the lifeline where they happen.
fn state_marks(
    trace: &Trace,
    lanes: &Lanes,
    axis: &TimeAxis,
    opts: &LadderOptions,
) -> Vec<(usize, StateMark)> {
    let mut out = Vec::new();
    for (i, e) in trace.events.iter().enumerate() {
        let (EventKind::State { to, .. }, Some(h)) = (&e.kind, e.host()) else {
            continue;
        };
        let x = lanes.x(h);
        let y = axis.y(e.t);
        if !opts.shows(y, y) {
            continue;
        }
        let (dx, anchor) = if lanes.leftmost(h) {
            (-10.0, Anchor::End)
        } else {
            (10.0, Anchor::Start)
        };
        let mark = StateMark {
            host: trace.hosts[h].name.clone(),
            state: to.name(),
            at: Point { x, y },
            label: Label {
                at: Point {
                    x: x + dx,
                    y: y + 4.0,
                },
                text: to.name().to_string(),
            },
            anchor,
        };
        out.push((i, mark));
    }
    out
}

/// Errors applications saw, beside the lifeline, one line below each state change of their
/// host at the same moment.
fn error_marks(
    trace: &Trace,
    lanes: &Lanes,
    axis: &TimeAxis,
    opts: &LadderOptions,
) -> Vec<(usize, ErrorMark)> {
    let mut out = Vec::new();
    let events = &trace.events;
    for (i, e) in events.iter().enumerate() {
        let Some(h) = e.host() else {
            continue;
        };
        let (call, errno) = match &e.kind {
            EventKind::App {
                call,
                errno: Some(errno),
                ..
            } => (*call, *errno),
            _ => continue,
        };
        let y = axis.y(e.t);
        if !opts.shows(y, y) {
            continue;
        }
        // Its line: under every state change of the host at this moment (the trace is in time
        // order, so they are its neighbours), and under the errors before it.
        let same = |x: &&Event| x.t == e.t && x.host() == Some(h);
        let moment_start = events[..i].iter().rev().take_while(|x| x.t == e.t).count();
        let moment = &events[i - moment_start..];
        let moment = &moment[..moment.iter().take_while(|x| x.t == e.t).count()];
        let states = (moment.iter().filter(same))
            .filter(|x| matches!(x.kind, EventKind::State { .. }))
            .count();
        let errors_before = (events[i - moment_start..i].iter().filter(same))
            .filter(|x| matches!(x.kind, EventKind::App { errno: Some(_), .. }))
            .count();
        let below = (states + errors_before) as f64 * 13.0;
        let (dx, anchor) = if lanes.leftmost(h) {
            (-10.0, Anchor::End)
        } else {
            (10.0, Anchor::Start)
        };
        let text = match call {
            Call::Error => errno.name().to_string(),
            call => format!("{}(): {}", call.name(), errno.name()),
        };
        let mark = ErrorMark {
            host: trace.hosts[h].name.clone(),
            call: call.name(),
            errno: errno.name(),
            label: Label {
                at: Point {
                    x: lanes.x(h) + dx,
                    y: y + 4.0 + below,
                },
                text,
            },
            anchor,
        };
        out.push((i, mark));
    }
    out
}

/// What became of a segment, and at which event: the first delivery, the first drop (when,
/// and why), so that what became of it by any moment is read off without another pass.
#[derive(Clone, Copy, Default)]
struct Outcome {
    delivered: Option<usize>,
    dropped: Option<(usize, Instant, DropCause)>,
}

impl Outcome {
    /// Whether it was delivered among the first `events` events, and where it was dropped.
    fn by(self, events: usize) -> (bool, Option<(Instant, DropCause)>) {
        let dropped = (self.dropped).filter(|(i, ..)| *i < events);
        let delivered = self.delivered.is_some_and(|i| i < events);
        (delivered, dropped.map(|(_, at, cause)| (at, cause)))
    }
}

/// What became of each segment, gathered in one pass.
fn fates(events: &[Event]) -> BTreeMap<u32, Outcome> {
    let mut fates: BTreeMap<u32, Outcome> = BTreeMap::new();
    for (i, d) in events.iter().enumerate() {
        match d.kind {
            EventKind::Deliver { seg_id } => {
                fates.entry(seg_id).or_default().delivered.get_or_insert(i);
            }
            EventKind::Drop { seg_id, cause } => {
                let fate = fates.entry(seg_id).or_default();
                fate.dropped.get_or_insert((i, d.t, cause));
            }
            EventKind::Send(_)
            | EventKind::State { .. }
            | EventKind::Timer { .. }
            | EventKind::Queue { .. }
            | EventKind::App { .. } => {}
        }
    }
    fates
}

/// The segments, each an arrow whose slope is its latency: those sent among the first
/// `happened` events (as they stand then: one that has not arrived yet is in flight), and
/// those sent later. Segments that leave one host for the same place at the same moment (a
/// retransmission and an answer to a repeated SYN, say) would cover each other exactly: each
/// one after the first is drawn a little lower.
fn arrows(
    trace: &Trace,
    happened: usize,
    lanes: &Lanes,
    axis: &TimeAxis,
    opts: &LadderOptions,
    words: &Words,
) -> (Vec<Arrow>, Vec<Arrow>) {
    let fates = fates(&trace.events);
    // Every segment is drawn unless only a band of the ladder is.
    let mut out = Vec::with_capacity(if opts.visible.is_none() {
        trace.sends.len()
    } else {
        0
    });
    let mut later = Vec::new();
    let mut same_moment: BTreeMap<(HostId, Option<HostId>, Instant), u32> = BTreeMap::new();
    for (i, e) in trace.events.iter().enumerate() {
        let Some(s) = trace.sent(e) else {
            continue;
        };
        let (Some(from), to) = (e.host(), trace.host_of(s.dst)) else {
            continue;
        };
        let sender = from;
        let nudge = {
            let seen = same_moment.entry((from, to, e.t)).or_insert(0);
            *seen += 1;
            f64::from(*seen - 1) * NUDGE_PX
        };
        let x0 = lanes.x(from);
        let y0 = axis.y(e.t) + nudge;
        // One sent by now is drawn as it stands now; one still to come, as it will end.
        let by = if i < happened {
            happened
        } else {
            trace.events.len()
        };
        let (delivered, dropped) = fates.get(&s.id).copied().unwrap_or_default().by(by);
        let (x1, y1, lost) = match (to, s.eta, dropped) {
            (Some(to), Some(eta), None) => (lanes.x(to), axis.y(eta) + nudge, false),
            // It reached a host that could not take it (crashed, or its queue was full).
            (Some(to), _, Some((at, DropCause::HostDown | DropCause::QueueFull))) => {
                (lanes.x(to), axis.y(at) + nudge, true)
            }
            (Some(to), _, Some((at, _))) => {
                // It dies on the way: draw it to where it was lost.
                let x = x0 + (lanes.x(to) - x0) * 0.45;
                (x, (axis.y(at) + nudge).max(y0 + 18.0), true)
            }
            _ => {
                let dir = if x0 > WIDTH / 2.0 { -1.0 } else { 1.0 };
                (x0 + dir * 90.0, y0 + 24.0, true)
            }
        };
        if !opts.shows(y0, y1) {
            continue;
        }
        let mut label = s.label(opts.absolute);
        if e.why == why::KEEPALIVE_PROBE {
            label.push(' ');
            label.push_str(words.keepalive);
        }
        let template = if lost { words.arrow_lost } else { words.arrow };
        let (from_name, to_name) = (&trace.hosts[from].name, &trace.name_of(s.dst));
        let description = fill(
            template,
            &[("label", &label), ("from", from_name), ("to", to_name)],
        );
        let fate = if lost {
            Fate::Lost
        } else if delivered {
            Fate::Delivered
        } else {
            Fate::InFlight
        };
        let (from, to) = (Point { x: x0, y: y0 }, Point { x: x1, y: y1 });
        let (angle, pivot, label_at) = along(from, to, &axis.folds);
        let list = if i < happened { &mut out } else { &mut later };
        list.push(Arrow {
            seg_id: s.id,
            flags: s.seg.flags,
            family: family(s),
            retrans: s.retrans,
            fate,
            sender,
            from,
            to,
            nudge,
            tip: tip(from, to, lost),
            label: Label {
                at: label_at,
                text: label,
            },
            angle,
            pivot,
            description,
        });
    }
    (out, later)
}

/// The end of an arrow from `from` to `to`: a cross for a lost segment, else a small
/// triangle pointing along it.
fn tip(from: Point, to: Point, lost: bool) -> Tip {
    if lost {
        return Tip::Cross(to);
    }
    let (x1, y1) = (to.x, to.y);
    let (dx, dy) = (x1 - from.x, y1 - from.y);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    let (bx, by) = (x1 - ux * 10.0, y1 - uy * 10.0);
    Tip::Head([
        to,
        Point {
            x: bx - uy * 4.5,
            y: by + ux * 4.5,
        },
        Point {
            x: bx + uy * 4.5,
            y: by - ux * 4.5,
        },
    ])
}

/// Where an arrow's label goes: along the arrow, upright, just above it, at its middle or,
/// for an arrow that crosses a fold, in the middle of the part before the fold. Returns the
/// angle to turn it by, the point to turn it about, and where its baseline starts.
fn along(from: Point, to: Point, folds: &[Fold]) -> (f64, Point, Point) {
    let (x0, y0) = (from.x, from.y);
    let (dx, dy) = (to.x - x0, to.y - y0);
    let mut angle = dy.atan2(dx).to_degrees();
    if !(-90.0..=90.0).contains(&angle) {
        angle += 180.0;
    }
    let f = folds
        .iter()
        .find(|fold| fold.top > y0 && fold.top < to.y)
        .map_or(0.5, |fold| {
            ((fold.top - y0) / 2.0 / dy.max(1.0)).clamp(0.1, 0.5)
        });
    let (mx, my) = (x0 + dx * f, y0 + dy * f);
    (angle, Point { x: mx, y: my }, Point { x: mx, y: my - 6.0 })
}

/// A line at the current virtual time, across the lifelines.
fn now_line(now: Instant, lanes: &Lanes, axis: &TimeAxis, opts: &LadderOptions) -> Option<NowLine> {
    if !opts.show_now || now <= Instant::ZERO {
        return None;
    }
    let y = axis.y(now);
    Some(NowLine {
        x1: lanes.x(0),
        x2: lanes.x(lanes.hosts - 1) + 30.0,
        y,
        label: Label {
            at: Point {
                x: WIDTH - 8.0,
                y: y - 4.0,
            },
            text: clock(now),
        },
    })
}

/// The colour family of a segment: what it is mainly about.
fn family(s: &Sent) -> &'static str {
    let f = s.seg.flags;
    if f.rst() {
        "rst"
    } else if f.syn() {
        "syn"
    } else if f.fin() {
        "fin"
    } else if s.seg.len > 0 {
        "data"
    } else {
        "ack"
    }
}

/// A one-line description for screen readers.
fn describe(trace: &Trace, words: &Words) -> String {
    let names: Vec<&str> = trace.hosts.iter().map(|h| h.name.as_str()).collect();
    let hosts = names.join(words.hosts_join);
    let segments = trace.segment_count().to_string();
    fill(words.diagram, &[("hosts", &hosts), ("segments", &segments)])
}

/// `0 ms`, `150 ms`, `1.250 s`, `61.25 s`: the left-edge clock.
fn clock(t: Instant) -> String {
    let us = t.micros();
    if us < 1_000_000 {
        let (ms, frac) = (us / 1000, us % 1000);
        if frac == 0 {
            format!("{ms} ms")
        } else {
            let frac = format!("{frac:03}");
            format!("{ms}.{} ms", frac.trim_end_matches('0'))
        }
    } else {
        format!("{} s", Fixed(us as f64 / 1e6, 3))
    }
}

/// `100 ms`, `60 s`, `2 min`, `2 h`: a folded gap or a timer's length, rounded for reading.
fn approx(d: Duration) -> String {
    let s = d.micros() as f64 / 1e6;
    if s < 1.0 {
        format!("{} ms", Fixed(s * 1000.0, 0))
    } else if s >= 5400.0 {
        format!("{} h", Fixed(s / 3600.0, 0))
    } else if s >= 120.0 {
        format!("{} min", Fixed(s / 60.0, 0))
    } else if s >= 10.0 {
        format!("{} s", Fixed(s, 0))
    } else {
        format!("{} s", Fixed(s, 1))
    }
}

/// A timer drawn on the ladder: set at `from`, fired at `to` or, still armed, due at `due`
/// (and drawn up to `to`, now).
struct Bracket {
    host: HostId,
    name: &'static str,
    from: Instant,
    to: Instant,
    due: Option<Instant>,
    /// The index of the event it fired at (of one still armed, the number of events).
    end: usize,
}

/// Among `events`, the timers that fired, in the order they were set, then those still
/// armed at `now` (when the ladder shows a run in progress).
fn timer_brackets(events: &[Event], now: Option<Instant>) -> Vec<Bracket> {
    let mut armed: BTreeMap<(ConnId, TimerName), (HostId, Instant, Instant)> = BTreeMap::new();
    let mut out = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let (
            EventKind::Timer {
                conn,
                timer,
                action,
                at,
            },
            Some(h),
        ) = (&e.kind, e.host())
        else {
            continue;
        };
        let key = (*conn, *timer);
        match *action {
            TimerAction::Set => {
                armed.insert(key, (h, e.t, *at));
            }
            TimerAction::Fired => {
                if let Some((host, from, _)) = armed.remove(&key) {
                    out.push(Bracket {
                        host,
                        name: timer.name(),
                        from,
                        to: e.t,
                        due: None,
                        end: i,
                    });
                }
            }
            TimerAction::Cancelled => {
                armed.remove(&key);
            }
        }
    }
    out.sort_by_key(|b| b.from);
    let Some(now) = now else {
        return out;
    };
    let mut pending: Vec<Bracket> = armed
        .into_iter()
        .filter(|(_, (_, from, due))| *from < now && *due > now)
        .map(|((_, name), (host, from, due))| Bracket {
            host,
            name: name.name(),
            from,
            to: now,
            due: Some(due),
            end: events.len(),
        })
        .collect();
    pending.sort_by_key(|b| b.from);
    out.extend(pending);
    out
}

/// A listener's queue occupancy over a run, when it is worth a chart.
struct QueueChart {
    host: HostId,
    listener: String,
    syn_limit: u32,
    accept_limit: u32,
    /// (when, SYN queue, accept queue), in time order, and the index of the event.
    points: Vec<(Instant, u32, u32, usize)>,
}

/// The listeners whose queues ever held more than one entry: a flood, a slow accept. (A
/// queue that only ever held the one connection being set up is not worth a chart.)
fn queue_charts(trace: &Trace) -> Vec<QueueChart> {
    let mut charts: Vec<QueueChart> = Vec::new();
    for (i, e) in trace.events.iter().enumerate() {
        let (
            EventKind::Queue {
                conn,
                syn_queue,
                syn_limit,
                accept_queue,
                accept_limit,
            },
            Some(host),
        ) = (&e.kind, e.host())
        else {
            continue;
        };
        let listener = trace.label(*conn);
        let chart = match charts.iter_mut().position(|c| c.listener == listener) {
            Some(i) => &mut charts[i],
            None => {
                charts.push(QueueChart {
                    host,
                    listener: listener.to_string(),
                    syn_limit: *syn_limit,
                    accept_limit: *accept_limit,
                    points: Vec::new(),
                });
                charts.last_mut().expect("just pushed")
            }
        };
        chart.points.push((e.t, *syn_queue, *accept_queue, i));
    }
    charts.retain(|c| c.points.iter().any(|p| p.1 > 1 || p.2 > 1));
    charts
}

/// Each chart to the right of the lifelines: the SYN queue and the accept queue as step lines
/// on the shared time axis, against their limits.
fn chart_layouts(
    trace: &Trace,
    charts: &[QueueChart],
    axis: &TimeAxis,
    happened: usize,
    cut: Option<f64>,
    words: &Words,
) -> Vec<ChartLayout> {
    let mut out = Vec::with_capacity(charts.len());
    for (k, chart) in charts.iter().enumerate() {
        let x0 = WIDTH + k as f64 * CHART_PX + 6.0;
        let w = CHART_PX - 34.0;
        let y_end = axis.bottom() + TAIL_PX;
        let syn_peak = chart.points.iter().map(|p| p.1).max().unwrap_or(0);
        let accept_peak = chart.points.iter().map(|p| p.2).max().unwrap_or(0);
        // Each line in two parts when a replay is drawn: to the moment drawn, and the rest.
        let step_lines = |value: fn(&(Instant, u32, u32, usize)) -> u32, limit: u32| {
            let x = |v: u32| x0 + w * f64::from(v.min(limit)) / f64::from(limit.max(1));
            let point = |p: &(Instant, u32, u32, usize)| Point {
                x: x(value(p)),
                y: axis.y(p.0),
            };
            let (past, later): (Vec<_>, Vec<_>) = chart.points.iter().partition(|p| p.3 < happened);
            let past_line = StepLine {
                start: Point { x: x0, y: TOP },
                steps: past.iter().copied().map(point).collect(),
                bottom: cut.unwrap_or(y_end),
            };
            let later_line = cut.map(|y| StepLine {
                start: Point {
                    x: past.last().map_or(x0, |p| point(p).x),
                    y,
                },
                steps: later.iter().copied().map(point).collect(),
                bottom: y_end,
            });
            (past_line, later_line)
        };
        let (syn, syn_later) = step_lines(|p| p.1, chart.syn_limit);
        let (accept, accept_later) = step_lines(|p| p.2, chart.accept_limit);
        let at = |y| Point { x: x0, y };
        out.push(ChartLayout {
            host: trace.hosts[chart.host].name.clone(),
            listener: chart.listener.clone(),
            syn_limit: chart.syn_limit,
            syn_peak,
            accept_limit: chart.accept_limit,
            accept_peak,
            title: Label {
                at: at(NAME_Y),
                text: fill(words.queues, &[("listener", &chart.listener)]),
            },
            syn_legend: Label {
                at: at(ADDR_Y),
                text: format!("{} {syn_peak}/{}", words.syn_queue_peak, chart.syn_limit),
            },
            accept_legend: Label {
                at: at(LEGEND_Y),
                text: format!(
                    "{} {accept_peak}/{}",
                    words.accept_queue_peak, chart.accept_limit
                ),
            },
            x0,
            x_limit: x0 + w,
            top: TOP - 6.0,
            bottom: y_end,
            syn,
            accept,
            later: syn_later.zip(accept_later).map(|(a, b)| [a, b]),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::axis::{BREAK_PX, LATENCY_PX};
    use super::super::runs::{preset, preset_until, trace_of};
    use super::*;

    fn one(trace: &Trace, now: Instant, opts: &LadderOptions) -> Ladder {
        layout(
            &[Panel {
                trace,
                now,
                title: None,
                happened: None,
            }],
            opts,
        )
    }

    /// A preset's ladder when its run is over, as the CLI draws it.
    fn ladder(name: &str) -> Ladder {
        let (trace, now) = preset(name);
        one(&trace, now, &LadderOptions::default())
    }

    fn flags(a: &Arrow) -> String {
        a.flags.to_string()
    }

    /// Whether two arrows cross strictly (touching at an end is not crossing).
    fn cross(a: &Arrow, b: &Arrow) -> bool {
        let side =
            |p: Point, q: Point, r: Point| (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x);
        side(a.from, a.to, b.from) * side(a.from, a.to, b.to) < 0.0
            && side(b.from, b.to, a.from) * side(b.from, b.to, a.to) < 0.0
    }

    #[test]
    fn every_segment_is_an_arrow_from_its_sender_s_lifeline_to_its_receiver_s() {
        let l = ladder("handshake");
        let p = &l.panels[0];
        let (client, server) = (p.lifelines[0].x, p.lifelines[1].x);
        assert_eq!((client, server), (SIDE, WIDTH - SIDE));
        let arrows: Vec<(String, f64, f64)> = p
            .arrows
            .iter()
            .map(|a| (flags(a), a.from.x, a.to.x))
            .collect();
        assert_eq!(
            arrows,
            [
                ("SYN".into(), client, server),
                ("SYN,ACK".into(), server, client),
                ("ACK".into(), client, server)
            ]
        );
        for a in &p.arrows {
            // The only link's latency is the typical one: every arrow is that tall.
            assert_eq!(a.to.y - a.from.y, LATENCY_PX, "{}", a.label.text);
            assert_eq!(a.fate, Fate::Delivered);
            assert!(matches!(a.tip, Tip::Head([tip, ..]) if tip == a.to));
            assert_eq!((a.nudge, a.family, a.retrans), (0.0, a.family, false));
        }
        assert_eq!(p.arrows[1].label.text, "SYN,ACK seq=0 ack=1");
        // One after the other: each leaves where the one before it arrived.
        assert_eq!(p.arrows[0].to.y, p.arrows[1].from.y);
        assert!(!cross(&p.arrows[0], &p.arrows[1]) && !cross(&p.arrows[0], &p.arrows[2]));
        assert_eq!(l.shape, Shape::Single);
        assert_eq!((l.width, p.offset), (WIDTH, None));
    }

    #[test]
    fn segments_in_flight_at_the_same_time_cross() {
        let l = ladder("simultaneous-open");
        let p = &l.panels[0];
        let syns: Vec<&Arrow> = p.arrows.iter().filter(|a| flags(a) == "SYN").collect();
        assert_eq!(syns.len(), 2);
        assert_eq!(syns[0].from.y, syns[1].from.y, "both leave at 0 s");
        assert!(cross(syns[0], syns[1]));
        let synacks: Vec<&Arrow> = p.arrows.iter().filter(|a| flags(a) == "SYN,ACK").collect();
        assert!(cross(synacks[0], synacks[1]));
        assert!(!cross(syns[0], synacks[0]) && !cross(syns[1], synacks[1]));
    }

    #[test]
    fn a_lost_segment_ends_in_a_cross_where_it_died() {
        let p = &ladder("syn-lost").panels[0];
        let (client, server) = (p.lifelines[0].x, p.lifelines[1].x);
        let lost = &p.arrows[0];
        assert_eq!((flags(lost), lost.fate), ("SYN".into(), Fate::Lost));
        assert_eq!(lost.tip, Tip::Cross(lost.to));
        // Dropped on the way: part of the way across, and a little lower.
        assert_eq!(lost.to.x, client + (server - client) * 0.45);
        assert!(lost.to.y >= lost.from.y + 18.0);
        let again = &p.arrows[1];
        assert_eq!((flags(again), again.retrans), ("SYN".into(), true));
        assert_eq!((again.fate, again.to.x), (Fate::Delivered, server));
    }

    #[test]
    fn state_changes_sit_on_their_lifelines_labelled_on_the_outer_side() {
        let p = &ladder("close").panels[0];
        let names: Vec<&str> = p.states.iter().map(|s| s.state).collect();
        for state in [
            "SYN-SENT",
            "FIN-WAIT-1",
            "FIN-WAIT-2",
            "TIME-WAIT",
            "CLOSE-WAIT",
            "LAST-ACK",
        ] {
            assert!(names.contains(&state), "{state}: {names:?}");
        }
        for s in &p.states {
            let (h, line) = (p.lifelines.iter().enumerate())
                .find(|(_, l)| l.name.text == s.host)
                .unwrap();
            assert_eq!(s.at.x, line.x);
            assert_eq!(s.label.text, s.state);
            if h == 0 {
                assert_eq!(s.anchor, Anchor::End);
                assert!(s.label.at.x < s.at.x);
            } else {
                assert_eq!(s.anchor, Anchor::Start);
                assert!(s.label.at.x > s.at.x);
            }
        }
    }

    #[test]
    fn the_time_wait_minute_folds_into_a_break_the_lifelines_step_over() {
        let l = ladder("close");
        let p = &l.panels[0];
        // The quiet times before each close fold too (850 ms and 100 ms).
        let labels: Vec<&str> = p.folds.iter().map(|f| f.label.text.as_str()).collect();
        assert_eq!(labels, ["≈ 850 ms idle", "≈ 100 ms idle", "≈ 60 s idle"]);
        for f in &p.folds {
            assert_eq!(f.fold.bottom - f.fold.top, BREAK_PX);
            assert!(!f.fold.busy);
        }
        // Drawn to scale, TIME-WAIT's minute alone would be 60 s / 50 ms × 110 px = 132,000 px.
        assert!(l.height < 1500.0, "{}", l.height);
        for line in &p.lifelines {
            assert_eq!(line.pieces.len(), p.folds.len() + 1);
            for (i, f) in p.folds.iter().enumerate() {
                assert_eq!(line.pieces[i].1, f.fold.top + 8.0);
                assert_eq!(line.pieces[i + 1].0, f.fold.bottom - 8.0);
                assert_eq!(
                    line.break_marks[i],
                    (f.fold.top + 13.0, f.fold.bottom - 8.0)
                );
            }
        }
        // The last ACK arrives as TIME-WAIT begins: every arrow is above its fold.
        let time_wait = p.folds[2].fold;
        assert!(p.arrows.iter().all(|a| a.to.y <= time_wait.top));
    }

    #[test]
    fn a_gap_with_a_segment_in_flight_stays_to_scale() {
        // A 150 ms link beside a 50 ms one: the slow arrow keeps its true slope.
        let (trace, now) = trace_of("host a 10.0.0.1\nhost b 10.0.0.2\nhost c 10.0.0.3\nlink a b delay=50ms\nlink a c delay=150ms\nb listen 80\nc listen 80\nat 0s a connect b:80\nat 0s a connect c:80\nrun 1s\n");
        let p = &one(&trace, now, &LadderOptions::default()).panels[0];
        assert!(p.folds.is_empty());
        let (fast, slow) = (&p.arrows[0], &p.arrows[1]);
        assert_eq!((fast.to.x, slow.to.x), (p.lifelines[1].x, p.lifelines[2].x));
        // The slowest link sets the scale.
        assert!((slow.to.y - slow.from.y - LATENCY_PX).abs() < 1e-9);
        let ratio = (slow.to.y - slow.from.y) / (fast.to.y - fast.from.y);
        assert!((ratio - 3.0).abs() < 1e-9, "{ratio}");
    }

    #[test]
    fn a_segment_held_up_for_seconds_crosses_a_break_labelled_before_it() {
        let l = ladder("old-duplicate-syn");
        let p = &l.panels[0];
        // The client's first SYN is held up for 5 s: the gaps it crosses are not idle.
        let labels: Vec<&str> = p.folds.iter().map(|f| f.label.text.as_str()).collect();
        assert_eq!(labels, ["≈ 500 ms later", "≈ 4.5 s later"]);
        assert!(p.folds.iter().all(|f| f.fold.busy));
        let fold = p.folds[1].fold;
        let held = (p.arrows.iter())
            .find(|a| a.from.y < fold.top && a.to.y > fold.bottom)
            .expect("an arrow across the fold");
        assert!(held.pivot.y < fold.top, "its label is above the fold");
        assert!(l.height < 2000.0, "{}", l.height);
    }

    #[test]
    fn segments_that_leave_together_for_the_same_place_are_nudged_apart() {
        // In synack-lost the server's timer and the client's repeated SYN make it send two
        // SYN,ACKs at the same microsecond.
        let p = &ladder("synack-lost").panels[0];
        // The two SYN,ACKs, and the two ACKs that answer them.
        let nudged: Vec<&Arrow> = p.arrows.iter().filter(|a| a.nudge > 0.0).collect();
        let nudged_flags: Vec<String> = nudged.iter().map(|a| flags(a)).collect();
        assert_eq!(nudged_flags, ["SYN,ACK", "ACK"]);
        for second in nudged {
            assert_eq!(second.nudge, NUDGE_PX);
            let first = (p.arrows.iter())
                .find(|a| a.from.x == second.from.x && a.from.y == second.from.y - NUDGE_PX)
                .expect("the arrow it left with");
            assert_eq!((first.nudge, flags(first)), (0.0, flags(second)));
            assert_eq!(second.to.y - first.to.y, NUDGE_PX, "the same slope, lower");
        }
        // No two arrows start at the same point.
        for (i, a) in p.arrows.iter().enumerate() {
            assert!(p.arrows[..i].iter().all(|b| b.from != a.from));
        }
    }

    #[test]
    fn a_timer_that_fired_is_a_bracket_on_the_inner_side_of_its_lifeline() {
        let p = &ladder("syn-lost").panels[0];
        assert_eq!(p.timers.len(), 1);
        let t = &p.timers[0];
        assert_eq!(
            (t.host.as_str(), t.timer, t.armed),
            ("client", "syn-rto", false)
        );
        assert_eq!(t.label.text, "syn-rto 1.0 s");
        // From the first SYN to its retransmission, just right of the client's lifeline.
        assert_eq!((t.top, t.bottom), (p.arrows[0].from.y, p.arrows[1].from.y));
        assert_eq!(t.x, p.lifelines[0].x + 7.0);
        assert_eq!((t.tick_x, t.anchor), (t.x - 4.0, Anchor::Start));
        let close = &ladder("close").panels[0];
        let names: Vec<&str> = close.timers.iter().map(|t| t.timer).collect();
        assert!(close
            .timers
            .iter()
            .any(|t| t.label.text == "time-wait 60 s"));
        // The timers cancelled on the way (the SYN,ACK's, once the ACK came) are not drawn.
        assert!(!names.contains(&"synack-rto"), "{names:?}");
    }

    #[test]
    fn a_timer_still_armed_reaches_the_now_line_and_says_when_it_is_due() {
        let (trace, now) = preset_until("close", Duration::from_secs(10));
        let opts = LadderOptions {
            show_now: true,
            ..LadderOptions::default()
        };
        let p = &one(&trace, now, &opts).panels[0];
        let now_line = p.now.as_ref().expect("a now line");
        assert_eq!(now_line.label.text, "10.000 s");
        assert_eq!(
            (now_line.x1, now_line.x2),
            (p.lifelines[0].x, p.lifelines[1].x + 30.0)
        );
        let t = (p.timers.iter()).find(|t| t.armed).expect("an armed timer");
        assert_eq!((t.host.as_str(), t.timer), ("client", "time-wait"));
        assert_eq!(t.label.text, "time-wait due 61.250 s");
        assert_eq!(t.bottom, now_line.y);
        // Without show_now: no now line and no armed timers.
        let p = &one(&trace, now, &LadderOptions::default()).panels[0];
        assert!(p.now.is_none() && p.timers.iter().all(|t| !t.armed));
    }

    #[test]
    fn a_replay_draws_what_has_not_happened_yet_faded_where_the_whole_run_has_it() {
        let (whole, end) = preset("close");
        let full = one(&whole, end, &LadderOptions::default());
        let (part, now) = preset_until("close", Duration::from_millis(120));
        let opts = LadderOptions {
            show_now: true,
            ..LadderOptions::default()
        };
        let panel = Panel {
            trace: &whole,
            now,
            title: None,
            happened: Some(part.events.len()),
        };
        let replay = layout(&[panel], &opts);
        let (p, f) = (&replay.panels[0], &full.panels[0]);
        assert_eq!(p.arrows.len(), part.segment_count(), "sent by now");
        assert!(!p.later.arrows.is_empty() && !p.later.states.is_empty());
        let arrows = p.arrows.iter().chain(&p.later.arrows);
        let place = |a: &Arrow| (a.seg_id, a.from, a.to);
        assert_eq!(
            arrows.map(place).collect::<Vec<_>>(),
            f.arrows.iter().map(place).collect::<Vec<_>>()
        );
        let states = p.states.iter().chain(&p.later.states);
        let state = |s: &StateMark| (s.host.clone(), s.state, s.at);
        assert_eq!(
            states.map(state).collect::<Vec<_>>(),
            f.states.iter().map(state).collect::<Vec<_>>()
        );
        assert_eq!(
            replay.height, full.height,
            "nothing moves as the replay goes on"
        );
        let now_line = p.now.as_ref().expect("a now line");
        assert!(p.arrows.iter().all(|a| a.from.y <= now_line.y));
        assert!(p.later.arrows.iter().all(|a| a.from.y >= now_line.y));
        // At the end there is nothing still to come.
        let panel = Panel {
            trace: &whole,
            now: end,
            title: None,
            happened: Some(whole.events.len()),
        };
        assert!(layout(&[panel], &LadderOptions::default()).panels[0]
            .later
            .is_empty());
    }

    #[test]
    fn a_queue_that_fills_gets_a_chart_beside_the_lifelines() {
        let flood = ladder("syn-flood");
        let chart = &flood.panels[0].charts[0];
        assert_eq!(
            chart.syn_peak, chart.syn_limit,
            "the flood fills the SYN queue"
        );
        assert_eq!((chart.x0, flood.shape), (WIDTH + 6.0, Shape::Wide));
        assert_eq!(flood.width, WIDTH + CHART_PX);
        // At its peak the SYN queue's line reaches the limit's line.
        let right = chart.syn.steps.iter().map(|p| p.x).fold(0.0, f64::max);
        assert_eq!(right, chart.x_limit);
        let overflow = ladder("accept-queue-overflow");
        let chart = &overflow.panels[0].charts[0];
        assert_eq!(
            chart.accept_peak, chart.accept_limit,
            "the accept queue fills"
        );
        // A queue that only ever held the connection being set up is not charted.
        let handshake = ladder("handshake");
        assert!(handshake.panels[0].charts.is_empty());
    }

    #[test]
    fn a_flood_past_the_trace_s_detail_is_a_band_over_the_time_it_ran() {
        let (trace, now) = preset("syn-flood");
        let l = one(&trace, now, &LadderOptions::default());
        let band = l.panels[0].flood.as_ref().expect("a band");
        let (first, last) = (trace.flood.first.unwrap(), trace.flood.last.unwrap());
        let axis = axis::shared_axis(
            &[Panel {
                trace: &trace,
                now,
                title: None,
                happened: None,
            }],
            false,
        );
        assert_eq!(band.at.y, axis.y(first));
        assert_eq!(band.at.y + band.height, axis.y(last));
        assert!(band
            .label
            .text
            .starts_with(&format!("+{} more flood segments", trace.flood.segments)));
        // The attacker's lifeline stands for every address it spoofs.
        let attacker = &l.panels[0].lifelines[2];
        assert_eq!(attacker.name.text, "attacker");
        assert_eq!(attacker.addr.text, "10.0.0.66 · spoofed sources");
    }

    #[test]
    fn compared_variants_share_one_time_axis() {
        let base = "seed 1\nhost client 10.0.0.1\nhost server 10.0.0.2\nlink client server delay=50ms\nserver listen 80\ndrop client->server nth=1 flags=SYN\nat 0s client connect server:80\nrun 10s\n";
        let (linux, _) = trace_of(&format!("profile linux\n{base}"));
        let (classic, _) = trace_of(&format!("profile classic\n{base}"));
        let panel = |trace, title: &str| Panel {
            trace,
            now: Instant::ZERO,
            title: Some(title.to_string()),
            happened: None,
        };
        let l = layout(
            &[panel(&linux, "linux"), panel(&classic, "classic")],
            &LadderOptions::default(),
        );
        assert_eq!((l.shape, l.width), (Shape::Compare, 2.0 * WIDTH));
        let offsets: Vec<Option<Point>> = l.panels.iter().map(|p| p.offset).collect();
        let dy = TITLE_PX;
        assert_eq!(
            offsets,
            [
                Some(Point { x: 0.0, y: dy }),
                Some(Point { x: WIDTH, y: dy })
            ]
        );
        assert_eq!(l.panels[1].title.as_ref().unwrap().text, "classic");
        // The first SYN leaves at t = 0 in both, so at the same height; the retransmission
        // leaves 1 s later on Linux and 3 s later in classic, so lower on the right.
        let syn_y = |p: &PanelLayout, nth: usize| p.arrows[nth].from.y;
        assert_eq!(syn_y(&l.panels[0], 0), syn_y(&l.panels[1], 0));
        assert!(syn_y(&l.panels[1], 1) > syn_y(&l.panels[0], 1) + 10.0);
        assert!(
            l.description.contains("linux: ") && l.description.contains(" Compared with classic: ")
        );
    }

    #[test]
    fn a_long_ladder_can_lay_out_only_the_part_in_view() {
        let (long, _) = trace_of("host client 10.0.0.1\nhost server 10.0.0.2\nlink client server delay=20ms\nserver listen 80\nat 0s client connect server:80\nat 0.1s client send 500000\n");
        let full = one(&long, Instant::ZERO, &LadderOptions::default());
        let band = [1200.0, 1500.0];
        let part = one(
            &long,
            Instant::ZERO,
            &LadderOptions {
                visible: Some(band),
                ..LadderOptions::default()
            },
        );
        let ids = |l: &Ladder| {
            l.panels[0]
                .arrows
                .iter()
                .map(|a| a.seg_id)
                .collect::<Vec<_>>()
        };
        assert!(ids(&full).len() > 500, "{} arrows", ids(&full).len());
        let in_view =
            |a: &&Arrow| a.from.y.max(a.to.y) >= band[0] && a.from.y.min(a.to.y) <= band[1];
        let expected: Vec<u32> = full.panels[0]
            .arrows
            .iter()
            .filter(in_view)
            .map(|a| a.seg_id)
            .collect();
        assert!(
            expected.len() > 10 && expected.len() < ids(&full).len() / 3,
            "{} of {} in view, {} px",
            expected.len(),
            ids(&full).len(),
            full.height
        );
        assert_eq!(ids(&part), expected);
        assert_eq!(part.height, full.height);
        // What is laid out is where the full ladder has it.
        for (a, b) in part.panels[0]
            .arrows
            .iter()
            .zip(full.panels[0].arrows.iter().filter(in_view))
        {
            assert_eq!((a.from, a.to), (b.from, b.to));
        }
    }

    #[test]
    fn a_chinese_ladder_speaks_chinese_and_keeps_tcp_names() {
        let (trace, now) = preset("syn-flood");
        let zh = one(
            &trace,
            now,
            &LadderOptions {
                lang: "zh".into(),
                ..LadderOptions::default()
            },
        );
        let p = &zh.panels[0];
        assert!(p.lifelines[2].addr.text.ends_with(" · 伪造的源地址"));
        assert!(p.flood.as_ref().unwrap().label.text.contains("洪泛报文段"));
        let chart = &p.charts[0];
        assert!(chart.title.text.ends_with(" 的队列"));
        assert!(chart.syn_legend.text.starts_with("SYN 队列，峰值"));
        assert!(chart.accept_legend.text.starts_with("accept 队列，峰值"));
        assert!(
            zh.description.contains("之间的时序图"),
            "{}",
            zh.description
        );
        // Flags, numbers and timer names are TCP's own in both languages.
        assert_eq!(p.arrows[0].label.text, "SYN seq=0");
        assert!(p.timers.iter().any(|t| t.timer == "synack-rto"));
        let en = one(&trace, now, &LadderOptions::default());
        assert_eq!(p.arrows.len(), en.panels[0].arrows.len());
        let (close, now) = preset("close");
        let zh = one(
            &close,
            now,
            &LadderOptions {
                lang: "zh-CN".into(),
                ..LadderOptions::default()
            },
        );
        assert_eq!(zh.panels[0].folds[2].label.text, "≈ 60 s 空闲");
        let (probes, now) = preset("keepalive-dead");
        let zh = one(
            &probes,
            now,
            &LadderOptions {
                lang: "zh".into(),
                ..LadderOptions::default()
            },
        );
        assert!(zh.panels[0]
            .arrows
            .iter()
            .any(|a| a.label.text.ends_with(" 保活探测")));
    }
}
