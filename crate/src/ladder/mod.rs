//! The ladder diagram: a trace laid out as lifelines (one per host, time flowing down) and
//! arrows between them, rendered as SVG. The page, the CLI (`--format svg`) and exports all
//! draw with this one function.
//!
//! Time is faithful where it matters: an arrow's slope is its one-way latency, so segments in
//! flight at the same moment cross. Long quiet gaps (a 60 s TIME-WAIT) fold into a labelled
//! break instead of stretching the page.
//!
//! Each segment is a `<g class="seg" data-seg-id data-flags>` (a contract: tests and the page
//! find arrows by these attributes).

mod words;

use crate::tcp::{TimerAction, TimerName};
use crate::time::{Duration, Instant};
use crate::trace::{ConnId, DropCause, EventKind, HostId, Sent, Trace};
use crate::why;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use words::Words;

/// The ladder's own stylesheet: embedded in standalone SVG, linked by the page.
pub const STYLE: &str = include_str!("ladder.css");

const WIDTH: f64 = 720.0;
const SIDE: f64 = 150.0;
const TOP: f64 = 78.0;
/// Pixels for the typical one-way latency of the slowest link in the trace.
const LATENCY_PX: f64 = 110.0;
/// A quiet gap (no segment in flight) drawn taller than this folds into a break.
const FOLD_PX: f64 = 150.0;
/// A gap that segments are crossing stays to scale, so their slopes are true, up to this;
/// a segment held up for seconds crosses a break instead.
const FOLD_BUSY_PX: f64 = 4.0 * LATENCY_PX;
const BREAK_PX: f64 = 54.0;
/// Distinct moments are at least this far apart, so their labels stay readable.
const MIN_GAP_PX: f64 = 16.0;
/// At most this many timer brackets stand side by side on one lifeline.
const MAX_BRACKETS: f64 = 3.0;
/// How far apart two arrows that leave together for the same place are drawn.
const NUDGE_PX: f64 = 16.0;

#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LadderOptions {
    /// Label absolute sequence numbers instead of numbers relative to each ISN.
    pub absolute: bool,
    /// Embed the stylesheet, for an SVG that stands alone (CLI, export).
    pub standalone: bool,
    /// Draw a line at the current virtual time (the page, while a run is stepped).
    pub show_now: bool,
    /// Draw only what lies between these two heights (in the SVG's pixels): a page showing a
    /// very long ladder draws the part in view, and the SVG keeps its full size.
    pub visible: Option<[f64; 2]>,
    /// The language of the ladder's words: `zh` for Simplified Chinese, else English.
    pub lang: String,
}

impl LadderOptions {
    /// Whether something spanning heights `a` to `b` is in the part to draw.
    fn shows(&self, a: f64, b: f64) -> bool {
        self.visible
            .is_none_or(|[top, bottom]| a.max(b) >= top && a.min(b) <= bottom)
    }

    fn words(&self) -> &'static Words {
        words::for_lang(&self.lang)
    }

    pub fn standalone() -> LadderOptions {
        LadderOptions {
            standalone: true,
            ..LadderOptions::default()
        }
    }
}

/// Maps virtual time to a vertical position, folding long idle gaps.
struct TimeAxis {
    /// Key moments and their y, in time order.
    marks: Vec<(Instant, f64)>,
    /// Folded gaps: y of the top, y of the bottom, how long the gap was, and whether a
    /// segment was in flight across it.
    breaks: Vec<(f64, f64, Duration, bool)>,
}

impl TimeAxis {
    /// `flights` are the (sent, arrived) spans of segments: a gap one of them crosses is
    /// drawn to scale, so its slope stays true, unless it is very long.
    fn new(mut moments: Vec<Instant>, flights: &[(Instant, Instant)], px_per_us: f64) -> TimeAxis {
        moments.sort();
        moments.dedup();
        // busy[i] > 0 when some segment is in flight between moments i and i + 1.
        let mut busy = vec![0i64; moments.len() + 1];
        for (sent, arrived) in flights {
            busy[moments.partition_point(|m| m < sent)] += 1;
            busy[moments.partition_point(|m| m < arrived)] -= 1;
        }
        let mut in_flight = 0;
        let mut marks = Vec::with_capacity(moments.len());
        let mut breaks = Vec::new();
        let mut y = TOP;
        for (i, t) in moments.iter().enumerate() {
            if i > 0 {
                let dt = *t - moments[i - 1];
                let dy = dt.micros() as f64 * px_per_us;
                let fold_at = if in_flight == 0 {
                    FOLD_PX
                } else {
                    FOLD_BUSY_PX
                };
                if dy > fold_at {
                    breaks.push((y, y + BREAK_PX, dt, in_flight > 0));
                    y += BREAK_PX;
                } else {
                    y += dy.max(MIN_GAP_PX);
                }
            }
            in_flight += busy[i];
            marks.push((*t, y));
        }
        TimeAxis { marks, breaks }
    }

    /// The y of `t`: exact at key moments, interpolated between them.
    fn y(&self, t: Instant) -> f64 {
        let i = self.marks.partition_point(|(m, _)| *m < t);
        match (i.checked_sub(1).map(|j| self.marks[j]), self.marks.get(i)) {
            (_, Some((m, y))) if *m == t => *y,
            (Some((t0, y0)), Some((t1, y1))) => {
                let f = (t - t0).micros() as f64 / (*t1 - t0).micros().max(1) as f64;
                y0 + f * (y1 - y0)
            }
            (Some((_, y0)), None) => y0 + MIN_GAP_PX,
            (None, _) => TOP,
        }
    }

    fn bottom(&self) -> f64 {
        self.marks.last().map_or(TOP, |(_, y)| *y)
    }
}

/// Draws the trace as it stands at `now`.
pub fn render_svg(trace: &Trace, now: Instant, opts: &LadderOptions) -> String {
    render_compare_svg(
        &[Panel {
            trace,
            now,
            title: None,
        }],
        opts,
    )
}

/// One ladder of a comparison: a trace, where its run stands, and what to call it.
pub struct Panel<'a> {
    pub trace: &'a Trace,
    pub now: Instant,
    pub title: Option<String>,
}

/// Variants of one scenario side by side on one time axis, so the same moment is at the same
/// height in each (each panel is a `<g class="panel" data-panel="i">`).
pub fn render_compare_svg(panels: &[Panel], opts: &LadderOptions) -> String {
    let axis = shared_axis(panels, opts.show_now);
    let titled = panels.iter().any(|p| p.title.is_some());
    let dy = if titled { TITLE_PX } else { 0.0 };
    let panel_height = axis.bottom() + 48.0;
    let height = panel_height + dy;
    let charts: Vec<Vec<QueueChart>> = panels.iter().map(|p| queue_charts(p.trace)).collect();
    let widths: Vec<f64> = charts
        .iter()
        .map(|c| WIDTH + CHART_PX * c.len() as f64)
        .collect();
    let width: f64 = widths.iter().sum();
    let words = opts.words();
    let label = panels
        .iter()
        .map(|p| match &p.title {
            Some(title) => format!("{title}: {}", describe(p.trace, words)),
            None => describe(p.trace, words),
        })
        .collect::<Vec<_>>()
        .join(&format!(" {} ", words.compared_with));
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="ladder{}" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" role="img" aria-label="{}">"#,
        // A page sizes a wider ladder (charts beside it, panels side by side) by these.
        if panels.len() > 1 {
            " compare"
        } else if width > WIDTH {
            " wide"
        } else {
            ""
        },
        esc(&label)
    );
    if opts.standalone {
        let _ = write!(svg, "<style>{STYLE}</style>");
        let _ = write!(
            svg,
            r#"<rect class="paper" width="{width:.0}" height="{height:.0}"/>"#
        );
    }
    let mut x = 0.0;
    for (i, p) in panels.iter().enumerate() {
        if panels.len() > 1 {
            let _ = write!(
                svg,
                r#"<g class="panel" data-panel="{i}" transform="translate({x:.0} {dy:.0})">"#
            );
        }
        if let Some(title) = &p.title {
            let _ = write!(
                svg,
                r#"<text class="panel-title" x="{:.1}" y="{:.1}">{}</text>"#,
                WIDTH / 2.0,
                8.0 - dy / 2.0,
                esc(title)
            );
        }
        draw_panel(&mut svg, p, &charts[i], &axis, panel_height, opts);
        if panels.len() > 1 {
            svg.push_str("</g>");
        }
        x += widths[i];
    }
    svg.push_str("</svg>");
    svg
}

/// The time axis every panel shares: the moments drawn in any of them, scaled so the slowest
/// link's median latency gets LATENCY_PX.
fn shared_axis(panels: &[Panel], show_now: bool) -> TimeAxis {
    // Every moment something is drawn at, and the latencies of each pair of lifelines.
    let mut moments = vec![Instant::ZERO];
    let mut flights = Vec::new();
    let mut latencies: BTreeMap<(usize, HostId, HostId), Vec<Duration>> = BTreeMap::new();
    for (i, p) in panels.iter().enumerate() {
        let trace = p.trace;
        for e in &trace.events {
            // Only what is drawn takes room: segments, drops and state changes.
            if matches!(
                e.kind,
                EventKind::Send(_) | EventKind::Drop { .. } | EventKind::State { .. }
            ) {
                moments.push(e.t);
            }
            if let Some(s) = trace.sent(e) {
                if let Some(eta) = s.eta {
                    moments.push(eta);
                    flights.push((e.t, eta));
                    if let (Some(a), Some(b)) = (e.host(), trace.host_of(s.dst)) {
                        latencies
                            .entry((i, a.min(b), a.max(b)))
                            .or_default()
                            .push(eta - e.t);
                    }
                }
            }
        }
        if show_now {
            moments.push(p.now);
        }
        if let (Some(first), Some(last)) = (trace.flood.first, trace.flood.last) {
            // The flood keeps the network busy over its whole band: no "idle" in there.
            moments.extend([first, last]);
            flights.push((first, last));
        }
    }
    // Medians ignore a segment held up for seconds; the slowest link keeps every ordinary
    // arrow at most LATENCY_PX tall.
    let typical = latencies
        .values_mut()
        .map(|l| {
            l.sort();
            l[l.len() / 2]
        })
        .max()
        .filter(|d| *d > Duration::ZERO)
        .unwrap_or(Duration::from_millis(50));
    TimeAxis::new(moments, &flights, LATENCY_PX / typical.micros() as f64)
}

/// Room above a titled panel for its title.
const TITLE_PX: f64 = 30.0;
/// The width of one queue chart, beside a panel's lifelines.
const CHART_PX: f64 = 130.0;

/// One trace's ladder, drawn from y = 0 on the shared axis.
fn draw_panel(
    svg: &mut String,
    panel: &Panel,
    charts: &[QueueChart],
    axis: &TimeAxis,
    height: f64,
    opts: &LadderOptions,
) {
    let (trace, now) = (panel.trace, panel.now);
    let words = opts.words();
    let hosts = trace.hosts.len().max(1);
    let lane = |h: HostId| -> f64 {
        if hosts == 1 {
            WIDTH / 2.0
        } else {
            SIDE + h as f64 * (WIDTH - 2.0 * SIDE) / (hosts - 1) as f64
        }
    };
    let flood = &trace.flood;
    if !trace.counterfactuals.is_empty() {
        let _ = write!(
            svg,
            r#"<text class="counterfactual" x="{:.1}" y="64">{}</text>"#,
            WIDTH / 2.0,
            esc(&(words.counterfactual)(&trace.counterfactuals.join(", ")))
        );
    }

    // Lifelines, broken where idle time is folded.
    for (h, host) in trace.hosts.iter().enumerate() {
        let x = lane(h);
        // An attacker's lifeline stands for all the addresses it spoofs.
        let addr = if host.spoofing {
            format!("{} · {}", host.addr, words.spoofed_sources)
        } else if host.name == host.addr.to_string() {
            // A captured host is named by its address already.
            String::new()
        } else {
            host.addr.to_string()
        };
        let _ = write!(
            svg,
            r#"<text class="host-name" x="{x:.1}" y="28">{}</text><text class="host-addr" x="{x:.1}" y="46">{}</text>"#,
            esc(&host.name),
            addr
        );
        let mut top = 58.0;
        for (b0, b1, _, _) in &axis.breaks {
            let _ = write!(
                svg,
                r#"<line class="lifeline" x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{:.1}"/>"#,
                b0 + 8.0
            );
            let _ = write!(
                svg,
                r#"<path class="break-mark" d="M{:.1} {:.1}l12 -5M{:.1} {:.1}l12 -5"/>"#,
                x - 6.0,
                b0 + 13.0,
                x - 6.0,
                b1 - 8.0
            );
            top = b1 - 8.0;
        }
        let _ = write!(
            svg,
            r#"<line class="lifeline" x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{:.1}"/>"#,
            axis.bottom() + 30.0
        );
    }
    for (b0, b1, dt, busy) in &axis.breaks {
        // A folded gap with a segment crossing it is not idle: say only how long it was.
        let _ = write!(
            svg,
            r#"<text class="break-label" x="{:.1}" y="{:.1}">≈ {} {}</text>"#,
            WIDTH / 2.0,
            (b0 + b1) / 2.0 + 4.0,
            approx(*dt),
            if *busy { words.later } else { words.idle }
        );
    }

    // A flood past the trace's detail: a band over the time it ran, with its counts.
    if let (Some(first), Some(last)) = (flood.first, flood.last) {
        let (y0, y1) = (axis.y(first), axis.y(last).max(axis.y(first) + 24.0));
        let _ = write!(
            svg,
            r#"<g class="flood-band"><rect x="{:.1}" y="{y0:.1}" width="{:.1}" height="{:.1}"/><text x="{:.1}" y="{:.1}">{}</text></g>"#,
            SIDE - 20.0,
            WIDTH - 2.0 * SIDE + 40.0,
            y1 - y0,
            WIDTH / 2.0,
            y0 + 16.0,
            (words.flood_band)(flood)
        );
    }

    // Time labels on the left edge, wherever a segment leaves, without overlaps.
    let mut last_label_y = f64::NEG_INFINITY;
    for e in &trace.events {
        if let EventKind::Send(_) = e.kind {
            let y = axis.y(e.t);
            if y - last_label_y >= 14.0 && opts.shows(y, y) {
                let _ = write!(
                    svg,
                    r#"<text class="time" x="8" y="{:.1}">{}</text>"#,
                    y + 4.0,
                    clock(e.t)
                );
                last_label_y = y;
            }
        }
    }

    // Timers that fired, and those still armed, as brackets on the inner side of the lifeline:
    // from when each was set to when it fired (or, still armed, to now, labelled with when it
    // is due). Timers set and then cancelled are left out: they changed nothing.
    let mut stack: Vec<(HostId, f64)> = Vec::new();
    for b in timer_brackets(trace, opts.show_now.then_some(now)) {
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
        let side = if b.host == 0 && hosts > 1 { 1.0 } else { -1.0 };
        let x = lane(b.host) + side * (7.0 + 6.0 * depth);
        let tick = side * 4.0;
        let label = match b.due {
            None => format!("{} {}", b.name, approx(b.to - b.from)),
            Some(due) => format!("{} {} {}", b.name, words.due, clock(due)),
        };
        let anchor = if side > 0.0 { "start" } else { "end" };
        let _ = write!(
            svg,
            r#"<g class="timer{}" data-host="{}" data-timer="{}"><path d="M{:.1} {y0:.1}H{x:.1}V{y1:.1}H{:.1}"/><text x="{:.1}" y="{:.1}" text-anchor="{anchor}">{}</text></g>"#,
            if b.due.is_some() { " armed" } else { "" },
            esc(&trace.hosts[b.host].name),
            b.name,
            x - tick,
            x - tick,
            x + side * 4.0,
            y1 - 3.0,
            esc(&label)
        );
    }

    // State changes, written beside the lifeline where they happen.
    for e in &trace.events {
        if let (EventKind::State { to, .. }, Some(h)) = (&e.kind, e.host()) {
            let x = lane(h);
            let y = axis.y(e.t);
            if !opts.shows(y, y) {
                continue;
            }
            let (dx, anchor) = if h == 0 && hosts > 1 {
                (-10.0, "end")
            } else {
                (10.0, "start")
            };
            let _ = write!(
                svg,
                r#"<g class="state" data-host="{}" data-state="{}"><circle cx="{x:.1}" cy="{y:.1}" r="3.5"/><text x="{:.1}" y="{:.1}" text-anchor="{anchor}">{}</text></g>"#,
                esc(&trace.hosts[h].name),
                to.name(),
                x + dx,
                y + 4.0,
                to.name()
            );
        }
    }

    // What became of each segment, gathered in one pass: delivered, and where it was dropped.
    let mut fates: BTreeMap<u32, (bool, Option<(Instant, DropCause)>)> = BTreeMap::new();
    for d in &trace.events {
        match d.kind {
            EventKind::Deliver { seg_id } => fates.entry(seg_id).or_default().0 = true,
            EventKind::Drop { seg_id, cause } => {
                fates
                    .entry(seg_id)
                    .or_default()
                    .1
                    .get_or_insert((d.t, cause));
            }
            _ => {}
        }
    }

    // Segments last, so they sit on top. Segments that leave one host for the same place at
    // the same moment (a retransmission and an answer to a repeated SYN, say) would cover each
    // other exactly: each one after the first is drawn a little lower.
    let mut same_moment: BTreeMap<(HostId, Option<HostId>, Instant), u32> = BTreeMap::new();
    for (e, s) in trace.sent_segments() {
        let (Some(from), to) = (e.host(), trace.host_of(s.dst)) else {
            continue;
        };
        let nudge = {
            let seen = same_moment.entry((from, to, e.t)).or_insert(0);
            *seen += 1;
            f64::from(*seen - 1) * NUDGE_PX
        };
        let x0 = lane(from);
        let y0 = axis.y(e.t) + nudge;
        let (delivered, dropped) = fates.get(&s.id).copied().unwrap_or_default();
        let (x1, y1, lost) = match (to, s.eta, dropped) {
            (Some(to), Some(eta), None) => (lane(to), axis.y(eta) + nudge, false),
            // It reached a host that could not take it (crashed, or its queue was full).
            (Some(to), _, Some((at, DropCause::HostDown | DropCause::QueueFull))) => {
                (lane(to), axis.y(at) + nudge, true)
            }
            (Some(to), _, Some((at, _))) => {
                // It dies on the way: draw it to where it was lost.
                let x = x0 + (lane(to) - x0) * 0.45;
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
        let mut class = format!("seg {}", seg_class(s));
        if s.retrans {
            class.push_str(" retrans");
        }
        if lost {
            class.push_str(" lost");
        } else if !delivered {
            class.push_str(" in-flight");
        }
        let mut label = s.label(opts.absolute);
        if e.why == why::KEEPALIVE_PROBE {
            label.push(' ');
            label.push_str(words.keepalive);
        }
        let _ = write!(
            svg,
            r#"<g class="{class}" data-seg-id="{}" data-flags="{}" tabindex="0" aria-label="{}">"#,
            s.id,
            s.seg.flags,
            esc(&(words.arrow)(
                &label,
                &trace.hosts[from].name,
                &trace.name_of(s.dst),
                lost
            ))
        );
        let _ = write!(
            svg,
            r#"<line class="seg-hit" x1="{x0:.1}" y1="{y0:.1}" x2="{x1:.1}" y2="{y1:.1}"/><line class="seg-line" x1="{x0:.1}" y1="{y0:.1}" x2="{x1:.1}" y2="{y1:.1}"/>"#
        );
        let (dx, dy) = (x1 - x0, y1 - y0);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ux, uy) = (dx / len, dy / len);
        if lost {
            let _ = write!(
                svg,
                r#"<path class="seg-cross" d="M{:.1} {:.1}l10 10M{:.1} {:.1}l-10 10"/>"#,
                x1 - 5.0,
                y1 - 5.0,
                x1 + 5.0,
                y1 - 5.0
            );
        } else {
            // The arrowhead: a small triangle pointing along the segment.
            let (bx, by) = (x1 - ux * 10.0, y1 - uy * 10.0);
            let _ = write!(
                svg,
                r#"<path class="seg-head" d="M{x1:.1} {y1:.1}L{:.1} {:.1}L{:.1} {:.1}Z"/>"#,
                bx - uy * 4.5,
                by + ux * 4.5,
                bx + uy * 4.5,
                by - ux * 4.5
            );
        }
        // The label runs along the arrow, upright, just above it: at its middle, or, for an
        // arrow that crosses a break, in the middle of the part before the break.
        let mut angle = dy.atan2(dx).to_degrees();
        if !(-90.0..=90.0).contains(&angle) {
            angle += 180.0;
        }
        let f = axis
            .breaks
            .iter()
            .find(|(b0, _, _, _)| *b0 > y0 && *b0 < y1)
            .map_or(0.5, |(b0, _, _, _)| {
                ((b0 - y0) / 2.0 / dy.max(1.0)).clamp(0.1, 0.5)
            });
        let (mx, my) = (x0 + dx * f, y0 + dy * f);
        let _ = write!(
            svg,
            r#"<text class="seg-label" x="{mx:.1}" y="{:.1}" transform="rotate({angle:.2} {mx:.1} {my:.1})">{}</text>"#,
            my - 6.0,
            esc(&label)
        );
        svg.push_str("</g>");
    }

    if trace.unrecorded > 0 {
        let _ = write!(
            svg,
            r#"<text class="break-label" x="{:.1}" y="{:.1}">{}</text>"#,
            WIDTH / 2.0,
            height - 12.0,
            (words.trace_cut)(trace.events.len(), trace.unrecorded)
        );
    }
    if opts.show_now && now > Instant::ZERO {
        let y = axis.y(now);
        let _ = write!(
            svg,
            r#"<g class="now"><line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}"/><text x="{:.1}" y="{:.1}">{}</text></g>"#,
            lane(0),
            lane(hosts - 1) + 30.0,
            WIDTH - 8.0,
            y - 4.0,
            clock(now)
        );
    }
    draw_queue_charts(svg, trace, charts, axis, words);
}

/// A listener's queue occupancy over a run, when it is worth a chart.
struct QueueChart {
    host: HostId,
    listener: String,
    syn_limit: u32,
    accept_limit: u32,
    /// (when, SYN queue, accept queue), in time order.
    points: Vec<(Instant, u32, u32)>,
}

/// The listeners whose queues ever held more than one entry: a flood, a slow accept. (A
/// queue that only ever held the one connection being set up is not worth a chart.)
fn queue_charts(trace: &Trace) -> Vec<QueueChart> {
    let mut charts: Vec<QueueChart> = Vec::new();
    for e in &trace.events {
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
        chart.points.push((e.t, *syn_queue, *accept_queue));
    }
    charts.retain(|c| c.points.iter().any(|p| p.1 > 1 || p.2 > 1));
    charts
}

/// Each chart to the right of the lifelines: the SYN queue and the accept queue as step lines
/// on the shared time axis, against their limits.
fn draw_queue_charts(
    svg: &mut String,
    trace: &Trace,
    charts: &[QueueChart],
    axis: &TimeAxis,
    words: &Words,
) {
    for (k, chart) in charts.iter().enumerate() {
        let x0 = WIDTH + k as f64 * CHART_PX + 6.0;
        let w = CHART_PX - 34.0;
        let y_end = axis.bottom() + 30.0;
        let peak_syn = chart.points.iter().map(|p| p.1).max().unwrap_or(0);
        let peak_accept = chart.points.iter().map(|p| p.2).max().unwrap_or(0);
        let step_line = |value: fn(&(Instant, u32, u32)) -> u32, limit: u32| {
            let x = |v: u32| x0 + w * f64::from(v.min(limit)) / f64::from(limit.max(1));
            let mut d = format!("M{x0:.1} {TOP:.1}");
            for p in &chart.points {
                let _ = write!(d, "V{:.1}H{:.1}", axis.y(p.0), x(value(p)));
            }
            let _ = write!(d, "V{y_end:.1}");
            d
        };
        let _ = write!(
            svg,
            r#"<g class="queue-chart" data-host="{}" data-listener="{}" data-syn-limit="{}" data-syn-peak="{peak_syn}" data-accept-limit="{}" data-accept-peak="{peak_accept}">"#,
            esc(&trace.hosts[chart.host].name),
            esc(&chart.listener),
            chart.syn_limit,
            chart.accept_limit
        );
        let _ = write!(
            svg,
            r#"<text class="queue-title" x="{x0:.1}" y="28">{}</text><text class="queue-legend q-syn" x="{x0:.1}" y="46">{} {peak_syn}/{}</text><text class="queue-legend q-accept" x="{x0:.1}" y="62">{} {peak_accept}/{}</text>"#,
            esc(&(words.queues)(&chart.listener)),
            words.syn_queue_peak,
            chart.syn_limit,
            words.accept_queue_peak,
            chart.accept_limit
        );
        let _ = write!(
            svg,
            r#"<line class="queue-axis" x1="{x0:.1}" y1="{:.1}" x2="{x0:.1}" y2="{y_end:.1}"/><line class="queue-limit" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{y_end:.1}"/>"#,
            TOP - 6.0,
            x0 + w,
            TOP - 6.0,
            x0 + w
        );
        let _ = write!(
            svg,
            r#"<path class="q-syn" d="{}"/><path class="q-accept" d="{}"/></g>"#,
            step_line(|p| p.1, chart.syn_limit),
            step_line(|p| p.2, chart.accept_limit)
        );
    }
}

/// The colour family of a segment: what it is mainly about.
fn seg_class(s: &Sent) -> &'static str {
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
    (words.diagram)(&names, trace.segment_count())
}

/// `0 ms`, `150 ms`, `1.250 s`, `61.25 s`: the left-edge clock.
fn clock(t: Instant) -> String {
    let us = t.micros();
    if us < 1_000_000 {
        format!("{} ms", us as f64 / 1000.0)
    } else {
        format!("{:.3} s", us as f64 / 1e6)
    }
}

/// `100 ms`, `60 s`, `2 min`, `2 h`: a folded gap, rounded for reading.
/// A timer drawn on the ladder: set at `from`, fired at `to` or, still armed, due at `due`
/// (and drawn up to `to`, now).
struct Bracket {
    host: HostId,
    name: &'static str,
    from: Instant,
    to: Instant,
    due: Option<Instant>,
}

/// The timers that fired, in the order they were set, then those still armed at `now` (when
/// the ladder shows a run in progress).
fn timer_brackets(trace: &Trace, now: Option<Instant>) -> Vec<Bracket> {
    let mut armed: BTreeMap<(ConnId, TimerName), (HostId, Instant, Instant)> = BTreeMap::new();
    let mut out = Vec::new();
    for e in &trace.events {
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
                    });
                }
            }
            _ => {
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
        })
        .collect();
    pending.sort_by_key(|b| b.from);
    out.extend(pending);
    out
}

fn approx(d: Duration) -> String {
    let s = d.micros() as f64 / 1e6;
    if s < 1.0 {
        format!("{:.0} ms", s * 1000.0)
    } else if s >= 5400.0 {
        format!("{:.0} h", s / 3600.0)
    } else if s >= 120.0 {
        format!("{:.0} min", s / 60.0)
    } else if s >= 10.0 {
        format!("{s:.0} s")
    } else {
        format!("{s:.1} s")
    }
}

/// Escapes text for SVG content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Preset, Scenario};
    use crate::sim::Sim;

    fn ladder(preset: &str) -> String {
        ladder_in(preset, "")
    }

    fn ladder_in(preset: &str, lang: &str) -> String {
        let scenario = Scenario::parse(Preset::find(preset).unwrap().text).unwrap();
        let mut sim = Sim::new(&scenario);
        sim.run_to_end();
        let opts = LadderOptions {
            lang: lang.to_string(),
            ..LadderOptions::standalone()
        };
        render_svg(sim.trace(), sim.now(), &opts)
    }

    #[test]
    fn a_chinese_ladder_speaks_chinese_and_keeps_tcp_names() {
        // Spoofed sources, a flood band, queue charts, timer brackets and folded time.
        let zh = ladder_in("syn-flood", "zh");
        for words in [
            "伪造的源地址",
            "洪泛报文段",
            "的队列",
            "SYN 队列，峰值",
            "accept 队列，峰值",
        ] {
            assert!(zh.contains(words), "{words}");
        }
        assert!(
            zh.contains("之间的时序图"),
            "the description for screen readers"
        );
        for english in [
            "spoofed",
            "flood segments",
            "queues",
            "queue, peak",
            "Ladder diagram",
            " from ",
        ] {
            assert!(!zh.contains(english), "{english}");
        }
        // Flags, numbers and timer names are TCP's own in both languages.
        assert!(zh.contains(">SYN seq=0<") && zh.contains("synack-rto"));
        let en = ladder("syn-flood");
        assert_eq!(
            zh.matches("data-seg-id").count(),
            en.matches("data-seg-id").count()
        );
        let close = ladder_in("close", "zh-CN");
        assert!(close.contains("≈ 60 s 空闲") && !close.contains("idle"));
        let probes = ladder_in("keepalive-dead", "zh");
        assert!(probes.contains(" 保活探测<") && !probes.contains(" keepalive<"));
    }

    /// The SVG's height attribute, in pixels.
    fn height_of(svg: &str) -> f64 {
        svg.split("height=\"")
            .nth(1)
            .and_then(|h| h.split('"').next())
            .and_then(|h| h.parse().ok())
            .unwrap()
    }

    #[test]
    fn every_segment_is_an_arrow_with_its_contract_attributes() {
        let svg = ladder("handshake");
        assert_eq!(svg.matches(r#"data-flags="SYN""#).count(), 1);
        assert_eq!(svg.matches(r#"data-flags="SYN,ACK""#).count(), 1);
        assert_eq!(svg.matches(r#"data-flags="ACK""#).count(), 1);
        assert!(svg.contains(r#"data-seg-id="1""#));
        assert!(svg.contains(">SYN,ACK seq=0 ack=1<"));
    }

    #[test]
    fn state_changes_are_written_on_the_lifelines() {
        let svg = ladder("close");
        for state in [
            "SYN-SENT",
            "FIN-WAIT-1",
            "FIN-WAIT-2",
            "TIME-WAIT",
            "CLOSE-WAIT",
            "LAST-ACK",
        ] {
            assert!(svg.contains(&format!(r#"data-state="{state}""#)), "{state}");
        }
    }

    #[test]
    fn the_time_wait_minute_folds_into_a_break() {
        let svg = ladder("close");
        assert!(svg.contains("≈ 60 s idle"), "{svg}");
        let height = height_of(&svg);
        // Drawn to scale, TIME-WAIT's minute alone would be 60 s / 50 ms × 110 px = 132,000 px.
        assert!(
            height < 1500.0,
            "a folded minute keeps the ladder short: {height}"
        );
    }

    #[test]
    fn a_gap_with_a_segment_in_flight_stays_to_scale() {
        // A 150 ms link beside a 50 ms one: the slow arrow must keep its true slope.
        let text = "host a 10.0.0.1\nhost b 10.0.0.2\nhost c 10.0.0.3\nlink a b delay=50ms\nlink a c delay=150ms\nb listen 80\nc listen 80\nat 0s a connect b:80\nat 0s a connect c:80\nrun 1s\n";
        let mut sim = Sim::new(&Scenario::parse(text).unwrap());
        sim.run_to_end();
        let svg = render_svg(sim.trace(), sim.now(), &LadderOptions::default());
        assert!(!svg.contains("idle"), "{svg}");
    }

    #[test]
    fn a_segment_held_up_for_seconds_crosses_a_break() {
        let svg = ladder("old-duplicate-syn");
        assert!(svg.contains("≈ 4.5 s later"), "the five seconds fold");
        let height = height_of(&svg);
        assert!(height < 2000.0, "{height}");
    }

    #[test]
    fn timers_that_fired_are_brackets_with_their_length() {
        let svg = ladder("syn-lost");
        assert!(
            svg.contains(r#"<g class="timer" data-host="client" data-timer="syn-rto">"#),
            "{svg}"
        );
        assert!(svg.contains(">syn-rto 1.0 s</text>"));
        let close = ladder("close");
        assert!(close.contains(">time-wait 60 s</text>"));
        // The timers cancelled on the way (the SYN,ACK's, once the ACK came) are not drawn.
        assert!(!close.contains(r#"data-timer="synack-rto""#));
    }

    #[test]
    fn a_timer_still_armed_shows_when_it_is_due() {
        let scenario = Scenario::parse(Preset::find("close").unwrap().text).unwrap();
        let mut sim = Sim::new(&scenario);
        sim.run_until(Instant::ZERO + Duration::from_secs(10));
        let svg = render_svg(
            sim.trace(),
            sim.now(),
            &LadderOptions {
                show_now: true,
                ..LadderOptions::default()
            },
        );
        assert!(
            svg.contains(r#"<g class="timer armed" data-host="client" data-timer="time-wait">"#)
        );
        assert!(svg.contains(">time-wait due 61.250 s</text>"), "{svg}");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            esc(r#"<img src=x onerror="a">&'"#),
            "&lt;img src=x onerror=&quot;a&quot;&gt;&amp;&#39;"
        );
    }

    fn trace_of(text: &str) -> Trace {
        let mut sim = Sim::new(&Scenario::parse(text).unwrap());
        sim.run_to_end();
        sim.trace().clone()
    }

    /// The value of `attr` in the first tag that contains `marker`.
    fn attr_after(svg: &str, marker: &str, attr: &str) -> String {
        let tag = &svg[svg.find(marker).unwrap_or_else(|| panic!("no {marker}"))..];
        let tag = &tag[..tag.find('>').unwrap()];
        let at = tag.find(&format!("{attr}=\"")).unwrap() + attr.len() + 2;
        tag[at..at + tag[at..].find('"').unwrap()].to_string()
    }

    #[test]
    fn a_queue_that_fills_gets_a_chart_beside_the_lifelines() {
        let flood = ladder("syn-flood");
        let limit = attr_after(&flood, "class=\"queue-chart\"", "data-syn-limit");
        let peak = attr_after(&flood, "class=\"queue-chart\"", "data-syn-peak");
        assert_eq!(peak, limit, "the flood fills the SYN queue");
        let overflow = ladder("accept-queue-overflow");
        let limit = attr_after(&overflow, "class=\"queue-chart\"", "data-accept-limit");
        let peak = attr_after(&overflow, "class=\"queue-chart\"", "data-accept-peak");
        assert_eq!(peak, limit, "the accept queue fills");
        assert!(height_of(&flood) > 0.0);
        // A queue that only ever held the connection being set up is not charted.
        assert!(!ladder("handshake").contains("queue-chart"));
        assert!(!ladder("handshake").contains("width=\"850\""));
    }

    #[test]
    fn segments_that_leave_together_for_the_same_place_do_not_cover_each_other() {
        // In synack-lost the server's timer and the client's repeated SYN make it send two
        // SYN,ACKs at the same microsecond.
        let svg = ladder("synack-lost");
        let mut starts: Vec<(String, String)> = Vec::new();
        for g in svg.split("<g class=\"seg ").skip(1) {
            let line = &g[g.find("class=\"seg-line\"").unwrap()..];
            let get = |a: &str| {
                let at = line.find(&format!(" {a}=\"")).unwrap() + a.len() + 3;
                line[at..at + line[at..].find('"').unwrap()].to_string()
            };
            let start = (get("x1"), get("y1"));
            assert!(!starts.contains(&start), "two arrows start at {start:?}");
            starts.push(start);
        }
        assert!(starts.len() >= 6);
    }

    #[test]
    fn compared_variants_share_one_time_axis() {
        let base = "seed 1\nhost client 10.0.0.1\nhost server 10.0.0.2\nlink client server delay=50ms\nserver listen 80\ndrop client->server nth=1 flags=SYN\nat 0s client connect server:80\nrun 10s\n";
        let linux = trace_of(&format!("profile linux\n{base}"));
        let classic = trace_of(&format!("profile classic\n{base}"));
        let panel = |trace, title: &str| Panel {
            trace,
            now: Instant::ZERO,
            title: Some(title.to_string()),
        };
        let svg = render_compare_svg(
            &[panel(&linux, "linux"), panel(&classic, "classic <b>")],
            &LadderOptions::default(),
        );
        assert!(svg.contains("data-panel=\"0\"") && svg.contains("data-panel=\"1\""));
        assert!(svg.contains("classic &lt;b&gt;"), "titles are escaped");
        // The first SYN leaves at t = 0 in both, so at the same height; the retransmission
        // leaves 1 s later on Linux and 3 s later in classic, so lower on the right.
        let panels: Vec<&str> = svg.split("class=\"panel\"").skip(1).collect();
        let syn_y = |panel: &str, nth: usize| -> f64 {
            let g = panel.split("data-flags=\"SYN\"").nth(nth).unwrap();
            let at = g.find(" y1=\"").unwrap() + 5;
            g[at..at + g[at..].find('"').unwrap()].parse().unwrap()
        };
        assert_eq!(syn_y(panels[0], 1), syn_y(panels[1], 1));
        assert!(syn_y(panels[1], 2) > syn_y(panels[0], 2) + 10.0);
        // One ladder is as wide as ever; two are twice as wide.
        let one = render_svg(&linux, Instant::ZERO, &LadderOptions::default());
        assert!(one.contains(&format!("width=\"{WIDTH}\"")));
        assert!(svg.contains(&format!("width=\"{}\"", 2.0 * WIDTH)));
    }

    #[test]
    fn a_long_ladder_can_draw_only_the_part_in_view() {
        let long = trace_of("host client 10.0.0.1\nhost server 10.0.0.2\nlink client server delay=20ms\nserver listen 80\nat 0s client connect server:80\nat 0.1s client send 500000\n");
        let full = render_svg(&long, Instant::ZERO, &LadderOptions::default());
        let part = render_svg(
            &long,
            Instant::ZERO,
            &LadderOptions {
                visible: Some([2000.0, 3000.0]),
                ..LadderOptions::default()
            },
        );
        let arrows = |svg: &str| svg.matches("data-seg-id=").count();
        assert!(arrows(&full) > 500, "{} arrows", arrows(&full));
        assert!(arrows(&part) > 10 && arrows(&part) < arrows(&full) / 3);
        assert_eq!(height_of(&part), height_of(&full));
        // What is drawn is exactly the full ladder's arrows in that band.
        for g in part.split("<g class=\"seg ").skip(1) {
            let g = &g[..g.find("</g>").unwrap()];
            assert!(full.contains(g));
        }
    }
}
