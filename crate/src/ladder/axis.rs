//! The ladder's time axis: virtual time to a height, faithful where segments are in flight
//! (an arrow's slope is its latency) and folded where nothing happens for long.

use super::Panel;
use crate::time::{Duration, Instant};
use crate::trace::{EventKind, HostId};
use std::collections::BTreeMap;

/// The height of the first moment, below the host names.
pub const TOP: f64 = 78.0;
/// Pixels for the typical one-way latency of the slowest link in the trace.
pub const LATENCY_PX: f64 = 110.0;
/// A quiet gap (no segment in flight) drawn taller than this folds into a break.
const FOLD_PX: f64 = 150.0;
/// A gap that segments are crossing stays to scale, so their slopes are true, up to this;
/// a segment held up for seconds crosses a break instead.
const FOLD_BUSY_PX: f64 = 4.0 * LATENCY_PX;
/// The height of a folded gap.
pub const BREAK_PX: f64 = 54.0;
/// Distinct moments are at least this far apart, so their labels stay readable.
pub const MIN_GAP_PX: f64 = 16.0;

/// A gap folded into a break: where it starts and ends on the page, and what it stood for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fold {
    pub top: f64,
    pub bottom: f64,
    /// How long the folded gap was.
    pub span: Duration,
    /// A segment was in flight across it (so it was not idle).
    pub busy: bool,
}

/// Maps virtual time to a vertical position, folding long idle gaps.
pub struct TimeAxis {
    /// Key moments and their y, in time order.
    marks: Vec<(Instant, f64)>,
    pub folds: Vec<Fold>,
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
        let mut folds = Vec::new();
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
                    folds.push(Fold {
                        top: y,
                        bottom: y + BREAK_PX,
                        span: dt,
                        busy: in_flight > 0,
                    });
                    y += BREAK_PX;
                } else {
                    y += dy.max(MIN_GAP_PX);
                }
            }
            in_flight += busy[i];
            marks.push((*t, y));
        }
        TimeAxis { marks, folds }
    }

    /// The y of `t`: exact at key moments, interpolated between them.
    pub fn y(&self, t: Instant) -> f64 {
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

    /// The y of the last moment.
    pub fn bottom(&self) -> f64 {
        self.marks.last().map_or(TOP, |(_, y)| *y)
    }
}

/// Whether an event is drawn at its moment (so the moment takes room on the axis): segments,
/// drops, state changes and the errors applications see are; timers, queues and the other
/// application calls are not.
pub fn takes_room(kind: &EventKind) -> bool {
    match kind {
        EventKind::Send(_) | EventKind::Drop { .. } | EventKind::State { .. } => true,
        EventKind::App { errno, .. } => errno.is_some(),
        EventKind::Deliver { .. } | EventKind::Timer { .. } | EventKind::Queue { .. } => false,
    }
}

/// The time axis every panel shares: the moments drawn in any of them, scaled so the slowest
/// link's median latency gets LATENCY_PX.
pub fn shared_axis(panels: &[Panel], show_now: bool) -> TimeAxis {
    // Every moment something is drawn at, and the latencies of each pair of lifelines.
    let mut moments = vec![Instant::ZERO];
    let mut flights = Vec::new();
    let mut latencies: BTreeMap<(usize, HostId, HostId), Vec<Duration>> = BTreeMap::new();
    for (i, p) in panels.iter().enumerate() {
        let trace = p.trace;
        for e in &trace.events {
            if takes_room(&e.kind) {
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
        // A replay's moment lies on the whole run's axis: it takes no room of its own.
        if show_now && p.happened.is_none_or(|n| n >= trace.events.len()) {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Moments in µs, drawn 1 px per µs.
    fn at(us: u64) -> Instant {
        Instant::ZERO + Duration::from_micros(us)
    }

    fn axis(moments: &[u64], flights: &[(u64, u64)]) -> TimeAxis {
        let flights: Vec<_> = flights.iter().map(|(a, b)| (at(*a), at(*b))).collect();
        TimeAxis::new(moments.iter().map(|m| at(*m)).collect(), &flights, 1.0)
    }

    #[test]
    fn time_is_to_scale_between_moments_and_close_moments_keep_apart() {
        let a = axis(&[0, 100, 105, 120], &[]);
        assert_eq!(a.y(at(0)), TOP);
        assert_eq!(a.y(at(100)), TOP + 100.0);
        // 5 µs would be 5 px: the gap is widened so that labels stay readable.
        assert_eq!(a.y(at(105)), TOP + 100.0 + MIN_GAP_PX);
        assert_eq!(
            a.y(at(120)),
            TOP + 100.0 + MIN_GAP_PX + 15.0_f64.max(MIN_GAP_PX)
        );
        // Between moments, interpolated; past the last, a little lower.
        assert_eq!(a.y(at(50)), TOP + 50.0);
        assert_eq!(a.y(at(500)), a.bottom() + MIN_GAP_PX);
        assert!(a.folds.is_empty());
    }

    #[test]
    fn a_long_idle_gap_folds_into_a_break_of_fixed_height() {
        let a = axis(&[0, 100, 60_100, 60_200], &[]);
        assert_eq!(
            a.folds,
            [Fold {
                top: TOP + 100.0,
                bottom: TOP + 100.0 + BREAK_PX,
                span: Duration::from_micros(60_000),
                busy: false,
            }]
        );
        assert_eq!(a.y(at(60_100)), TOP + 100.0 + BREAK_PX);
        assert_eq!(a.bottom(), TOP + 200.0 + BREAK_PX);
    }

    #[test]
    fn a_gap_a_segment_crosses_stays_to_scale_unless_it_is_very_long() {
        // 300 px of gap: folded when idle, to scale with a segment in flight across it.
        assert_eq!(axis(&[0, 300], &[]).folds.len(), 1);
        let busy = axis(&[0, 300], &[(0, 300)]);
        assert!(busy.folds.is_empty());
        assert_eq!(busy.y(at(300)), TOP + 300.0);
        // Far longer in flight: folded all the same, and the fold says it was not idle.
        let held = axis(&[0, 5000], &[(0, 5000)]);
        assert_eq!(held.folds.len(), 1);
        assert!(held.folds[0].busy);
    }
}
