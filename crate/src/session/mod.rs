//! What a reader does to a run: step, Back, seek, run to the end, compare two runs in
//! lockstep, the Act bar's actions, drop/delay/duplicate one segment, and recording all of it
//! into the scenario's syntax tree, within a budget of events. The page only draws what a
//! session holds and passes the reader's input on; everything it does lives here, natively
//! tested.
//!
//! - `run.rs`: one run (scenario, source text, simulation) and the changed runs made from it
//! - `act.rs`: the Act bar's actions and why one may be refused
//! - `fault.rs`: the fault that singles out one segment, or the next one a host sends
//! - `variant.rs`: compare mode's variants and the titles that tell them apart

mod act;
mod fault;
mod run;
mod variant;

pub use act::{Act, Refusal, FLOOD_COUNT, FLOOD_RATE};
pub use fault::{effect_named, fault_for, lose_next};
pub use run::Run;
pub use variant::{titles, Variant};

use crate::scenario::link;
use crate::scenario::{Action, FaultEffect, Flood, Scenario};
use crate::time::{Duration, Instant};
use crate::trace::{SegId, Trace};

/// The line that separates the two variants in an exported scenario text.
pub const COMPARED_WITH: &str = "\n# ---- compared with ----\n";

/// One run, or two compared runs stepped on one clock.
pub struct Session {
    /// One run, or two when comparing: the scenario (panel 0) and its variant (panel 1).
    runs: Vec<Run>,
    /// Each run's trace length before each step, so that Back replays to the one before.
    history: Vec<[usize; 2]>,
    /// Each run played to its end, the whole story that a moment of it is drawn in: found
    /// once per scenario (a run that is over is its own).
    stories: Option<Vec<Run>>,
    /// Counts the times the runs were replaced by new ones (Back, seeking, a changed
    /// scenario), so that a page can tell a new run from the same run stepped on.
    generation: u32,
}

impl Session {
    /// A session of a scenario text (or `preset:NAME`), each run limited to `max_events`
    /// events when given (the time limit stays the simulator's). Errors are
    /// `line:col: message`.
    pub fn open(text: &str, max_events: Option<u64>) -> Result<Session, String> {
        let mut run = Run::open(text)?;
        if let Some(events) = max_events {
            run.limit_events(events);
        }
        Ok(Session::of(run))
    }

    /// A session of one run, as it is.
    pub fn of(run: Run) -> Session {
        Session {
            runs: vec![run],
            history: Vec::new(),
            stories: None,
            generation: 0,
        }
    }

    /// Compares the scenario with a variant (text or `preset:NAME`), run beside it on one
    /// clock within the same budget; both start again.
    pub fn compare_with(&mut self, text: &str) -> Result<(), String> {
        let mut variant = Run::open(text)?;
        if let Some((events, time)) = self.runs[0].budget() {
            variant.set_budget(events, time);
        }
        self.runs.truncate(1);
        self.runs[0] = self.runs[0].fresh();
        self.runs.push(variant);
        self.replaced();
        Ok(())
    }

    /// The runs: one, or two when comparing.
    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// The run in a panel (0, or 1 when comparing), to read or to drive on its own.
    pub fn run(&self, panel: usize) -> Option<&Run> {
        self.runs.get(panel)
    }

    pub fn run_mut(&mut self, panel: usize) -> Option<&mut Run> {
        self.runs.get_mut(panel)
    }

    /// A run was changed through [`Session::run_mut`] (an action recorded, a new budget):
    /// its whole story is played again when next needed.
    pub fn run_changed(&mut self) {
        self.stories = None;
    }

    pub fn comparing(&self) -> bool {
        self.runs.len() > 1
    }

    /// How many times the runs were replaced by new ones.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// Virtual time now: the runs step on one clock, so the later of the two.
    pub fn now(&self) -> Instant {
        (self.runs.iter().map(|r| r.sim().now()).max()).unwrap_or(Instant::ZERO)
    }

    /// Whether every run is over.
    pub fn done(&self) -> bool {
        self.runs.iter().all(Run::done)
    }

    // ------------------------------------------------------------ moving through the run

    /// Where a widget opens: at the end of the whole run (`end`), at its start (`0`), or at
    /// a moment of it (`2.5s`, any duration the scenario language takes).
    pub fn start_at(&mut self, start: &str) -> Result<(), String> {
        match start.trim() {
            "end" => self.run_to_end(),
            "0" => {}
            t => {
                let t = Duration::parse(t).map_err(|why| {
                    format!("start `{t}`: {why}; write `end`, `0` or a moment such as `2.5s`")
                })?;
                self.seek(Instant::ZERO + t);
            }
        }
        Ok(())
    }

    /// One event; when comparing, the next event of whichever run is due first (both when
    /// they are due together), so that the two stay on one clock. Once every run is over,
    /// the next step replays the run from its start. Back undoes it.
    pub fn step(&mut self) {
        if self.done() && !self.at_start() {
            self.replay(|_, _| {});
        }
        self.history.push(self.counts());
        self.step_together();
    }

    /// One step of the runs on one clock; whether any of them moved.
    fn step_together(&mut self) -> bool {
        match &mut self.runs[..] {
            [a, b] => {
                let (ta, tb) = (a.next_time(), b.next_time());
                let b_due = match (ta, tb) {
                    (Some(ta), Some(tb)) => tb <= ta,
                    (ta, _) => ta.is_none(),
                };
                let a_due = match (ta, tb) {
                    (Some(ta), Some(tb)) => ta <= tb,
                    (_, tb) => tb.is_none(),
                };
                let b_moved = b_due && b.step().is_some();
                let a_moved = a_due && a.step().is_some();
                a_moved || b_moved
            }
            runs => {
                let mut moved = false;
                for run in runs {
                    moved |= run.step().is_some();
                }
                moved
            }
        }
    }

    fn counts(&self) -> [usize; 2] {
        let events = |panel| self.runs.get(panel).map_or(0, Run::events);
        [events(0), events(1)]
    }

    /// Whether there is a step to undo: one taken, or, after a seek or at the end of the
    /// whole run, the step that led here.
    pub fn can_go_back(&self) -> bool {
        !self.history.is_empty() || !self.at_start()
    }

    /// Whether no run has taken a step yet.
    fn at_start(&self) -> bool {
        self.runs.iter().all(Run::at_start)
    }

    /// Undoes the last step: the same scenarios replayed to where their traces were before
    /// it (found by replaying, when the run got here by a seek rather than by steps).
    /// Returns whether there was a step to undo.
    pub fn back(&mut self) -> bool {
        let Some(counts) = self.history.pop().or_else(|| self.step_before()) else {
            return false;
        };
        let history = std::mem::take(&mut self.history);
        self.replay(|run, panel| run.step_until_events(counts[panel]));
        self.history = history;
        true
    }

    /// The traces' lengths one step before where the runs are now, found on fresh copies
    /// stepped as [`Session::step`] steps them; `None` at the start.
    fn step_before(&self) -> Option<[usize; 2]> {
        if self.at_start() {
            return None;
        }
        let here = self.counts();
        let mut copy = Session {
            runs: self.runs.iter().map(Run::fresh).collect(),
            history: Vec::new(),
            stories: None,
            generation: 0,
        };
        let mut before = copy.counts();
        while (copy.counts().iter().zip(here)).any(|(now, here)| *now < here) {
            before = copy.counts();
            if !copy.step_together() {
                break;
            }
        }
        Some(before)
    }

    /// Moves every run to virtual time `t`, replaying each from the start.
    pub fn seek(&mut self, t: Instant) {
        self.replay(|run, _| {
            run.run_until(t);
        });
    }

    /// Moves to a fraction (0 to 1) of the way to the end of the run, found within the same
    /// budget (see [`Session::find_end`]).
    pub fn seek_fraction(&mut self, fraction: f64) {
        let end = self.find_end().micros() as f64;
        self.seek(Instant::from_micros(
            (fraction.clamp(0.0, 1.0) * end) as u64,
        ));
    }

    /// Replaces each run with a fresh copy moved on by `to`: the scenarios are unchanged,
    /// and so is the whole story (runs that were over become it).
    fn replay(&mut self, to: impl Fn(&mut Run, usize)) {
        let over = self.done();
        let mut old = Vec::with_capacity(self.runs.len());
        for (panel, run) in self.runs.iter_mut().enumerate() {
            let mut copy = run.fresh();
            to(&mut copy, panel);
            old.push(std::mem::replace(run, copy));
        }
        // Runs that were over are the story itself: kept rather than played again.
        let stories = match self.stories.take() {
            None if over => Some(old),
            stories => stories,
        };
        self.replaced();
        self.stories = stories;
    }

    /// The end of the run, if it is known without running: once every run is over, now (at
    /// least 1 µs); or as found by [`Session::find_end`] since the scenario last changed.
    pub fn known_end(&self) -> Option<Instant> {
        if self.done() {
            return Some(self.now().max(Instant::from_micros(1)));
        }
        let stories = self.stories.as_ref()?;
        Some(Self::end_of(stories))
    }

    fn end_of(runs: &[Run]) -> Instant {
        (runs.iter().map(|r| r.sim().now())).fold(Instant::from_micros(1), Instant::max)
    }

    /// The end of the run (the later of the two when comparing): found on copies run to
    /// their end within the same budget, once per scenario.
    pub fn find_end(&mut self) -> Instant {
        if let Some(end) = self.known_end() {
            return end;
        }
        Self::end_of(self.stories())
    }

    /// Each run played to its end within the same budget: the whole story, of which the
    /// runs are a moment. Played once per scenario.
    fn stories(&mut self) -> &[Run] {
        self.stories.get_or_insert_with(|| {
            (self.runs.iter())
                .map(|run| {
                    let mut copy = run.fresh();
                    copy.run_to_end();
                    copy
                })
                .collect()
        })
    }

    /// What to draw for each run: the trace of its whole story and how many of that
    /// trace's events have happened now, or, for a run that is over, its own trace (`None`:
    /// every event has happened).
    pub fn moments(&mut self) -> Vec<(&Trace, Option<usize>)> {
        if self.done() {
            return self.runs.iter().map(|run| (run.trace(), None)).collect();
        }
        self.stories();
        let stories = self.stories.as_deref().unwrap_or_default();
        (self.runs.iter().zip(stories))
            .map(|(run, story)| match run.done() {
                true => (run.trace(), None),
                false => (story.trace(), Some(run.events())),
            })
            .collect()
    }

    /// Runs every run to its end.
    pub fn run_to_end(&mut self) {
        for run in &mut self.runs {
            run.run_to_end();
        }
    }

    /// Puts new runs in place: nothing to undo, the end to be found again.
    fn replaced(&mut self) {
        self.history.clear();
        self.stories = None;
        self.generation = self.generation.wrapping_add(1);
    }

    // ------------------------------------------------------------ the Act bar

    /// The host that serves: the first one (in the order declared) with a listening port.
    /// The cookie switch acts on it.
    pub fn server(&self) -> Option<&str> {
        let scenario = self.runs[0].scenario();
        scenario.listening_host(None).map(|(host, _)| host)
    }

    /// The host the Act bar starts on: the first one that does not listen.
    pub fn default_actor(&self) -> Option<&str> {
        let scenario = self.runs[0].scenario();
        let listens = |name: &str| scenario.listens.iter().any(|l| l.host == name);
        let actor = scenario.hosts.iter().find(|h| !listens(&h.name));
        actor.map(|h| h.name.as_str())
    }

    /// Whether the server answers a full SYN queue with SYN cookies (in the first run);
    /// `None` when no host listens.
    pub fn cookies(&self) -> Option<bool> {
        Some(self.runs[0].syncookies_on(self.server()?))
    }

    /// Does what an Act bar button says, now, on `host`, in every run. What it does is
    /// recorded into the scenarios, so their texts replay it; the cookie switch and a lost
    /// segment change the scenarios and replay them to here instead. A refusal leaves the
    /// runs as they were (except a second run when only the first could act).
    pub fn act(&mut self, host: &str, act: Act) -> Result<(), Refusal> {
        let action = match act {
            Act::Skip => {
                self.skip();
                return Ok(());
            }
            Act::LoseNext => return self.rebuild(&|run| run.with_next_lost(host)),
            Act::Cookies(on) => {
                let Some(server) = self.server().map(str::to_string) else {
                    return Ok(());
                };
                let value = if on { "1" } else { "0" };
                return self.rebuild(&|run| Ok(run.with_setting(&server, "syncookies", value)));
            }
            Act::Connect | Act::Flood => {
                let (target, port) = (self.runs[0].scenario())
                    .listening_host(Some(host))
                    .ok_or(Refusal::Nowhere)?;
                if act == Act::Connect {
                    Action::Connect {
                        host: target.into(),
                        port,
                        sport: None,
                        reuseaddr: false,
                    }
                } else {
                    Action::Flood(Flood {
                        host: target.to_string(),
                        port,
                        rate: FLOOD_RATE,
                        count: FLOOD_COUNT,
                        spoof_live: false,
                    })
                }
            }
            Act::Send(bytes) => Action::Send { bytes },
            Act::Close => Action::Close,
            Act::Abort => Action::Abort,
            Act::Crash => Action::Crash,
            Act::Reboot => Action::Reboot,
            Act::KeepaliveOn => Action::Keepalive(true),
        };
        self.history.push(self.counts());
        for run in &mut self.runs {
            if let Err(why) = run.act(host, action.clone()) {
                self.history.pop();
                return Err(Refusal::Cannot(why));
            }
        }
        self.stories = None;
        Ok(())
    }

    /// Steps (on one clock) until a run sends a segment, or every run is over. Back undoes
    /// it.
    fn skip(&mut self) {
        self.history.push(self.counts());
        loop {
            let seen = self.counts();
            let moved = self.step_together();
            let sent = (self.runs.iter().zip(seen)).any(|(run, seen)| run.sent_since(seen));
            if !moved || sent {
                return;
            }
        }
    }

    /// Puts a changed run in place of each run, or none if one cannot change.
    fn rebuild(&mut self, change: &dyn Fn(&Run) -> Result<Run, String>) -> Result<(), Refusal> {
        let runs: Result<Vec<Run>, String> = self.runs.iter().map(change).collect();
        self.runs = runs.map_err(Refusal::Cannot)?;
        self.replaced();
        Ok(())
    }

    // ------------------------------------------------------------ one segment

    /// Drops, delays or duplicates one segment of the run in `panel`: its scenario gains the
    /// fault and runs again up to the moment that segment was sent; the other run is left
    /// as it is. Returns the statement added.
    pub fn fault(
        &mut self,
        panel: usize,
        seg_id: SegId,
        effect: FaultEffect,
    ) -> Result<String, String> {
        let run = self.runs.get(panel).ok_or("there is no such panel")?;
        let sent_at = (run.trace().sent_segments())
            .find(|(_, s)| s.id == seg_id)
            .map(|(e, _)| e.t)
            .ok_or_else(|| format!("the run has no segment #{seg_id}"))?;
        let mut next = run.with_fault(seg_id, effect)?;
        next.run_until(sent_at);
        let line = next.scenario().faults.last().map(Scenario::fault_line);
        self.runs[panel] = next;
        self.replaced();
        Ok(line.unwrap_or_default())
    }

    // ------------------------------------------------------------ what it shows and shares

    /// What each of two compared runs is called: the statements each has that the other
    /// lacks. `None` unless comparing.
    pub fn titles(&self) -> Option<[String; 2]> {
        match &self.runs[..] {
            [a, b] => Some(titles(a.scenario(), b.scenario())),
            _ => None,
        }
    }

    /// The share-link fragment that replays what the session shows: `#v1=...`, and
    /// `&vs=...` with the variant when comparing.
    pub fn share_link(&self) -> String {
        match &self.runs[..] {
            [a, b] => link::encode_pair(&a.source_text(), &b.source_text()),
            _ => self.runs[0].share_link(),
        }
    }

    /// The scenario text to save: each run's, the variant after a comment line.
    pub fn export_text(&self) -> String {
        let texts: Vec<String> = self.runs.iter().map(Run::source_text).collect();
        texts.join(COMPARED_WITH)
    }
}
