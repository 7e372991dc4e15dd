//! The ladder diagram: a trace laid out as lifelines (one per host, time flowing down) and
//! arrows between them, rendered as SVG. The page, the CLI (`--format svg`) and exports all
//! draw with this one module.
//!
//! It works in two steps: [`layout`] computes the diagram as plain geometry (lifelines,
//! arrows, labels, folds, brackets, bands, charts) on the time axis of `axis.rs`, and `svg.rs`
//! writes that out, deciding nothing. Time is faithful where it matters: an arrow's slope is
//! its one-way latency, so segments in flight at the same moment cross. Long quiet gaps (a
//! 60 s TIME-WAIT) fold into a labelled break instead of stretching the page.
//!
//! Each segment is a `<g class="seg" data-seg-id data-flags>` (a contract: tests and the page
//! find arrows by these attributes).

mod axis;
mod fixed;
pub mod layout;
mod svg;

use crate::time::Instant;
use crate::trace::Trace;
use crate::words::LadderWords;

/// The ladder's own stylesheet: embedded in standalone SVG, linked by the page.
pub const STYLE: &str = include_str!("ladder.css");

#[derive(Clone, Debug, Default)]
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
    /// An `elementtiming` name for the first host's name, so that a page learns when the
    /// ladder was first painted (the Element Timing API reports painted text).
    pub element_timing: Option<String>,
}

impl LadderOptions {
    /// Whether something spanning heights `a` to `b` is in the part to draw.
    fn shows(&self, a: f64, b: f64) -> bool {
        self.visible
            .is_none_or(|[top, bottom]| a.max(b) >= top && a.min(b) <= bottom)
    }

    fn words(&self) -> &'static LadderWords {
        &crate::words::for_lang(&self.lang).ladder
    }

    pub fn standalone() -> LadderOptions {
        LadderOptions {
            standalone: true,
            ..LadderOptions::default()
        }
    }
}

/// Draws the trace as it stands at `now`.
pub fn render_svg(trace: &Trace, now: Instant, opts: &LadderOptions) -> String {
    render_compare_svg(
        &[Panel {
            trace,
            now,
            title: None,
            happened: None,
        }],
        opts,
    )
}

/// One ladder of a comparison: a trace, where its run stands, and what to call it.
pub struct Panel<'a> {
    pub trace: &'a Trace,
    pub now: Instant,
    pub title: Option<String>,
    /// When the trace is a whole run and the moment drawn is earlier (a replay): how many of
    /// its events have happened at `now`. What comes after them is drawn faded, on the axis
    /// of the whole run, so nothing moves as the replay goes on. `None`: all of them.
    pub happened: Option<usize>,
}

/// Variants of one scenario side by side on one time axis, so the same moment is at the same
/// height in each (each panel is a `<g class="panel" data-panel="i">`).
pub fn render_compare_svg(panels: &[Panel], opts: &LadderOptions) -> String {
    svg::write(&layout::layout(panels, opts))
}

/// Escapes text for SVG content and attribute values.
pub fn esc(text: &str) -> String {
    Esc(text).to_string()
}

/// Text escaped for SVG content and attribute values as it is written, without a copy.
pub struct Esc<'a>(pub &'a str);

impl std::fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..at])?;
            f.write_str(match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[at + 1..];
        }
        f.write_str(rest)
    }
}

/// Runs for the ladder's tests (the ladder itself reads only traces).
#[cfg(test)]
mod runs {
    use crate::scenario::{Preset, Scenario};
    use crate::sim::Sim;
    use crate::time::{Duration, Instant};
    use crate::trace::Trace;

    /// A scenario's trace when it ends, and the moment it ended.
    pub fn trace_of(text: &str) -> (Trace, Instant) {
        let mut sim = Sim::new(&Scenario::parse(text).unwrap());
        sim.run_to_end();
        (sim.trace().clone(), sim.now())
    }

    pub fn preset(name: &str) -> (Trace, Instant) {
        trace_of(Preset::find(name).unwrap().text)
    }

    /// A preset's trace as it stands at `t`, in the middle of its run.
    pub fn preset_until(name: &str, t: Duration) -> (Trace, Instant) {
        let scenario = Scenario::parse(Preset::find(name).unwrap().text).unwrap();
        let mut sim = Sim::new(&scenario);
        sim.run_until(Instant::ZERO + t);
        (sim.trace().clone(), sim.now())
    }
}
