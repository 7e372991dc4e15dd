//! One run: a scenario's syntax tree, the text it came from, and the simulation of it.

use super::fault;
use crate::scenario::{Action, FaultEffect, Preset, Scenario, Timed};
use crate::sim::{ActError, Sim, Stop, DEFAULT_TIME_BUDGET};
use crate::time::{Duration, Instant};
use crate::trace::{EventKind, SegId, Trace};
use crate::words;

pub struct Run {
    scenario: Scenario,
    /// The text as the reader gave it (comments and all), until an action is recorded or
    /// the scenario is edited; then the canonical print of `scenario`.
    source: Option<String>,
    sim: Sim,
    /// The limits set on this run (events, virtual time), which runs made from it keep.
    budget: Option<(u64, Duration)>,
    /// How many trace events the run held before its first step (hosts, listeners).
    opened: usize,
}

impl Run {
    /// A run of a scenario text, or of `preset:NAME`. Errors are `line:col: message`.
    pub fn open(text: &str) -> Result<Run, String> {
        let preset = text.trim_start();
        let text = if preset.starts_with("preset:") {
            preset
        } else {
            text
        };
        let scenario = crate::load(text)?;
        let source = match text.strip_prefix("preset:") {
            Some(name) => Preset::find(name.trim()).map(|p| p.text.to_string()),
            None => Some(text.to_string()),
        };
        Ok(Run {
            source,
            ..Run::new(scenario, None)
        })
    }

    /// A run of one of the presets.
    pub fn preset(name: &str) -> Result<Run, String> {
        let preset = Preset::find(name).ok_or_else(|| Preset::unknown(name))?;
        Run::open(preset.text)
    }

    /// A run of a scenario (its text is the canonical print), within `budget`.
    #[inline(never)]
    pub fn new(scenario: Scenario, budget: Option<(u64, Duration)>) -> Run {
        let mut sim = Sim::new(&scenario);
        if let Some((events, time)) = budget {
            sim.set_budget(events, time);
        }
        Run {
            scenario,
            source: None,
            opened: sim.trace().events.len(),
            sim,
            budget,
        }
    }

    /// Whether the run has not taken a step yet.
    pub fn at_start(&self) -> bool {
        self.events() == self.opened
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    pub fn trace(&self) -> &Trace {
        self.sim.trace()
    }

    /// How many trace events the run holds so far.
    pub fn events(&self) -> usize {
        self.sim.trace().events.len()
    }

    /// The scenario as it was given, comments and all; once something was recorded into it,
    /// the canonical form (as [`Run::scenario_text`]).
    pub fn source_text(&self) -> String {
        self.source.clone().unwrap_or_else(|| self.scenario.print())
    }

    /// The share-link fragment (`#v1=...`) of what runs now: the scenario as it was given,
    /// or, once the reader has acted, in canonical form with the actions recorded.
    pub fn share_link(&self) -> String {
        crate::scenario::link::encode(&self.source_text())
    }

    /// The scenario in canonical form, with what was done interactively recorded in it.
    pub fn scenario_text(&self) -> String {
        self.scenario.print()
    }

    /// Limits the run: at most `events` events, and, without a `run` statement, at most
    /// `time` of virtual time. A run that hits a limit stops and says which.
    pub fn set_budget(&mut self, events: u64, time: Duration) {
        self.budget = Some((events, time));
        self.sim.set_budget(events, time);
    }

    /// At most `events` events; the time limit stays the simulator's own.
    pub fn limit_events(&mut self, events: u64) {
        self.set_budget(events, DEFAULT_TIME_BUDGET);
    }

    /// One event; how many trace events it added, or `None` once the run is over.
    pub fn step(&mut self) -> Option<usize> {
        self.sim.step()
    }

    /// Every event up to and including `t`; how many there were.
    pub fn run_until(&mut self, t: Instant) -> usize {
        self.sim.run_until(t)
    }

    /// Runs to the end, and says why it is over.
    pub fn run_to_end(&mut self) -> Stop {
        self.sim.run_to_end()
    }

    /// When the next event happens, or `None` once nothing is left to happen.
    pub fn next_time(&mut self) -> Option<Instant> {
        self.sim.next_time()
    }

    pub fn done(&self) -> bool {
        self.sim.stopped().is_some()
    }

    /// Steps until the trace holds at least `events` events (or the run ends): how a rebuilt
    /// run catches up with the one it replaces.
    pub fn step_until_events(&mut self, events: usize) {
        while self.events() < events && self.sim.step().is_some() {}
    }

    /// Steps until a segment is sent (or the run ends): skips quiet time, such as the two
    /// hours before a keepalive probe.
    pub fn step_to_next_segment(&mut self) {
        loop {
            let seen = self.events();
            if self.sim.step().is_none() || self.sent_since(seen) {
                break;
            }
        }
    }

    /// Whether a segment was sent after the first `seen` trace events.
    pub(super) fn sent_since(&self, seen: usize) -> bool {
        self.sim.trace().events[seen..]
            .iter()
            .any(|e| matches!(e.kind, EventKind::Send(_)))
    }

    /// Does an action now on `host` and records it into the scenario at its virtual time,
    /// so that the scenario text replays it exactly. Returns that time.
    pub fn act(&mut self, host: &str, action: Action) -> Result<Instant, String> {
        self.scenario.can_record(&action)?;
        let at = self.sim.act(host, action.clone()).map_err(|e| match e {
            ActError::UnknownHost(host) => format!("unknown host `{host}`"),
            ActError::Over(stop) => {
                format!("{}; start it again to act", words::english().stop(&stop))
            }
        })?;
        self.source = None;
        self.scenario.record(Timed {
            at,
            host: host.to_string(),
            action,
        });
        Ok(at)
    }

    /// [`Run::act`] with the action written as a scenario's `at` line writes it after the
    /// host: `connect server:80`, `send 1000`, `close`, `keepalive on`.
    pub fn act_text(&mut self, host: &str, text: &str) -> Result<Instant, String> {
        let action = (self.scenario)
            .parse_action(host, text)
            .map_err(|e| e.message)?;
        self.act(host, action)
    }

    /// Whether a host answers a full SYN queue with SYN cookies (`syncookies` 1 or 2, from
    /// its profile or a `set`).
    pub fn syncookies_on(&self, host: &str) -> bool {
        self.sim
            .hosts()
            .iter()
            .any(|h| h.name == host && h.params.syncookies != 0)
    }

    /// The fault that hits exactly this segment, or why there is none.
    pub fn fault(
        &self,
        seg_id: SegId,
        effect: FaultEffect,
    ) -> Result<crate::scenario::Fault, String> {
        fault::fault_for(self.trace(), seg_id, effect).ok_or_else(|| {
            "only a segment between two of the scenario's hosts can be singled out".to_string()
        })
    }

    /// The same scenario with one more fault, hitting exactly this segment, ready to run
    /// from the start.
    pub fn with_fault(&self, seg_id: SegId, effect: FaultEffect) -> Result<Run, String> {
        let mut scenario = self.scenario.clone();
        scenario.add_fault(self.fault(seg_id, effect)?);
        Ok(Run::new(scenario, self.budget))
    }

    /// The same scenario with the next segment `host` sends to its peer lost, replayed to
    /// where this run is now (the past is the same; only what comes next differs).
    pub fn with_next_lost(&self, host: &str) -> Result<Run, String> {
        if self.trace().unrecorded > 0 {
            return Err(
                "the trace is full, so the next segment cannot be singled out; start again".into(),
            );
        }
        let lost = fault::lose_next(self.trace(), &self.scenario, host)
            .ok_or_else(|| format!("{host} has no peer to lose a segment to"))?;
        let mut scenario = self.scenario.clone();
        scenario.add_fault(lost);
        Ok(self.replayed(scenario))
    }

    /// The same scenario with one parameter set on one host (replacing an earlier setting),
    /// replayed to where this run is now.
    pub fn with_setting(&self, host: &str, name: &str, value: &str) -> Run {
        let mut scenario = self.scenario.clone();
        scenario.set_param(host, name, value);
        self.replayed(scenario)
    }

    /// The limits set on this run (events, virtual time), if any.
    pub fn budget(&self) -> Option<(u64, Duration)> {
        self.budget
    }

    /// The same run from the start: the same text, the same budget.
    #[inline(never)]
    pub(super) fn fresh(&self) -> Run {
        Run {
            source: self.source.clone(),
            ..Run::new(self.scenario.clone(), self.budget)
        }
    }

    /// A run of a changed scenario, caught up with this one's trace.
    fn replayed(&self, scenario: Scenario) -> Run {
        let mut next = Run::new(scenario, self.budget);
        next.step_until_events(self.events());
        next
    }
}
