//! The discrete-event simulator: hosts joined by links, driven by one event queue.
//!
//! Events are keyed by (time, insertion counter), so equal times run first in, first out;
//! `step()` pops exactly one event and time jumps to its deadline (no fixed ticks). Every
//! random choice comes from one RNG seeded by the scenario, and every collection iterates in a
//! fixed order, so the same scenario and seed give the same trace everywhere.

mod host;
mod rng;

pub use host::{Conn, Host, Listener};
pub use rng::Rng;

use crate::scenario::{Action, Counterfactual, Fault, FaultEffect, Scenario};
use crate::segment::Segment;
use crate::seq::SeqNum;
use crate::tcp::{self, AppEvent, State, Tcb, TcbEvent, Transmit};
use crate::time::{Duration, Instant};
use crate::trace::{ConnId, DropCause, Event, EventKind, HostId, HostInfo, Sent, Trace};
use crate::why::{self, Why};
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// The most events one run may process before it stops with a message.
pub const DEFAULT_EVENT_BUDGET: u64 = 2_000_000;

#[derive(Clone, Debug)]
enum Pending {
    Action {
        host: HostId,
        action: Action,
    },
    Arrive {
        seg_id: u32,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        seg: Segment,
    },
    /// A segment a fault dropped dies on the way, halfway along the link.
    Lost {
        seg_id: u32,
    },
    Wake {
        host: HostId,
        conn: usize,
    },
}

/// A scenario fault with its hosts resolved, and how many segments it has matched.
#[derive(Clone, Debug)]
struct ActiveFault {
    fault: Fault,
    from: HostId,
    to: HostId,
    matched: u32,
}

/// Why a run is over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Nothing is left to happen.
    Quiet,
    /// The scenario's `run` time was reached.
    RunTime(Instant),
    /// The event budget ran out: the message says so.
    Budget(u64),
}

impl Stop {
    pub fn message(&self) -> String {
        match self {
            Stop::Quiet => "the run is over: nothing is left to happen".to_string(),
            Stop::RunTime(t) => format!("the run is over: it reached its run time, {t}"),
            Stop::Budget(n) => format!(
                "stopped after {n} events, the limit for one run; shorten the scenario's run time or its traffic"
            ),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Link {
    a: HostId,
    b: HostId,
    delay: Duration,
}

pub struct Sim {
    now: Instant,
    queue: BTreeMap<(Instant, u64), Pending>,
    inserted: u64,
    hosts: Vec<Host>,
    links: Vec<Link>,
    faults: Vec<ActiveFault>,
    rng: Rng,
    trace: Trace,
    next_seg: u32,
    /// First sequence number seen per direction of a 4-tuple, for relative numbers.
    seq_bases: BTreeMap<(Ipv4Addr, u16, Ipv4Addr, u16), SeqNum>,
    end: Option<Instant>,
    steps: u64,
    budget: u64,
    stopped: Option<Stop>,
}

impl Sim {
    pub fn new(scenario: &Scenario) -> Sim {
        let mut rng = Rng::new(scenario.seed);
        let mut sim = Sim {
            now: Instant::ZERO,
            queue: BTreeMap::new(),
            inserted: 0,
            hosts: Vec::new(),
            links: Vec::new(),
            faults: Vec::new(),
            rng: Rng::new(0),
            trace: Trace::default(),
            next_seg: 1,
            seq_bases: BTreeMap::new(),
            end: scenario.run.map(|d| Instant::ZERO + d),
            steps: 0,
            budget: DEFAULT_EVENT_BUDGET,
            stopped: None,
        };
        for decl in &scenario.hosts {
            let mut params = scenario.profile.params();
            for set in scenario.sets.iter().filter(|s| s.host == decl.name) {
                // Validated by the parser against the same names and values.
                let _ = params.set(&set.name, &set.value);
            }
            for mode in &scenario.counterfactuals {
                match mode {
                    Counterfactual::TwoWayHandshake => params.two_way_handshake = true,
                    Counterfactual::NoTimeWait => params.no_time_wait = true,
                }
            }
            sim.hosts
                .push(Host::new(decl.name.clone(), decl.addr, params, &mut rng));
            sim.trace.hosts.push(HostInfo {
                name: decl.name.clone(),
                addr: decl.addr,
            });
        }
        sim.rng = rng;
        sim.trace.counterfactuals = scenario.counterfactuals.iter().map(|c| c.name()).collect();
        for fault in &scenario.faults {
            if let (Some(from), Some(to)) = (sim.host_named(&fault.from), sim.host_named(&fault.to))
            {
                sim.faults.push(ActiveFault {
                    fault: fault.clone(),
                    from,
                    to,
                    matched: 0,
                });
            }
        }
        for link in &scenario.links {
            if let (Some(a), Some(b)) = (sim.host_named(&link.a), sim.host_named(&link.b)) {
                sim.links.push(Link {
                    a,
                    b,
                    delay: link.delay,
                });
            }
        }
        for listen in &scenario.listens {
            let Some(h) = sim.host_named(&listen.host) else {
                continue;
            };
            let conn = sim.label(format!("{}:{}", listen.host, listen.port));
            sim.hosts[h].listeners.insert(
                listen.port,
                Listener {
                    conn,
                    backlog: listen.backlog,
                    auto_read: listen.auto_read,
                },
            );
            // RFC 9293 §3.10.1: a passive OPEN enters LISTEN.
            sim.record_listener(h, conn, State::Closed, State::Listen, why::PASSIVE_OPEN);
        }
        for timed in &scenario.actions {
            if let Some(host) = sim.host_named(&timed.host) {
                let action = timed.action.clone();
                sim.schedule(timed.at, Pending::Action { host, action });
            }
        }
        sim
    }

    // ---------------------------------------------------------------- the step API

    pub fn now(&self) -> Instant {
        self.now
    }

    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    pub fn hosts(&self) -> &[Host] {
        &self.hosts
    }

    /// Why the run is over, once it is.
    pub fn stopped(&self) -> Option<&Stop> {
        self.stopped.as_ref()
    }

    /// Limits how many events this run may process.
    pub fn set_budget(&mut self, events: u64) {
        self.budget = events;
    }

    /// Processes exactly one event. Returns how many trace events it added, or `None` once
    /// the run is over (see [`Sim::stopped`]).
    pub fn step(&mut self) -> Option<usize> {
        if self.stopped.is_some() {
            return None;
        }
        let Some(&(t, _)) = self.queue.keys().next() else {
            self.stopped = Some(Stop::Quiet);
            return None;
        };
        if let Some(end) = self.end.filter(|end| t > *end) {
            self.now = end;
            self.stopped = Some(Stop::RunTime(end));
            return None;
        }
        if self.steps >= self.budget {
            self.stopped = Some(Stop::Budget(self.steps));
            return None;
        }
        let ((t, _), pending) = self.queue.pop_first()?;
        self.steps += 1;
        self.now = t;
        let before = self.trace.events.len();
        match pending {
            Pending::Action { host, action } => self.on_action(host, action),
            Pending::Arrive {
                seg_id,
                src,
                dst,
                seg,
            } => self.on_arrive(seg_id, src, dst, &seg),
            Pending::Lost { seg_id } => self.record(
                None,
                why::FAULT_DROP,
                EventKind::Drop {
                    seg_id,
                    cause: DropCause::Rule,
                },
            ),
            Pending::Wake { host, conn } => {
                self.hosts[host].conns[conn].wake = None;
                self.hosts[host].conns[conn].tcb.handle_timeout(t);
                self.flush(host, conn);
            }
        }
        Some(self.trace.events.len() - before)
    }

    /// Processes every event up to and including time `t`; returns how many were processed.
    pub fn run_until(&mut self, t: Instant) -> usize {
        let mut n = 0;
        while self.queue.keys().next().is_some_and(|&(next, _)| next <= t) {
            if self.step().is_none() {
                break;
            }
            n += 1;
        }
        if self.stopped.is_none() && self.now < t {
            self.now = match self.end {
                Some(end) => t.min(end),
                None => t,
            };
        }
        n
    }

    /// Runs until the run is over, and says why it is.
    pub fn run_to_end(&mut self) -> Stop {
        while self.step().is_some() {}
        self.stopped.clone().unwrap_or(Stop::Quiet)
    }

    /// Hosts, connections and listeners as they are now, for the page's state panel.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            now: self.now.micros(),
            done: self.stopped.is_some(),
            stop: self.stopped.as_ref().map(Stop::message),
            hosts: self
                .hosts
                .iter()
                .map(|h| HostSnapshot {
                    name: h.name.clone(),
                    addr: h.addr.to_string(),
                    listeners: h
                        .listeners
                        .iter()
                        .map(|(port, l)| ListenerSnapshot {
                            port: *port,
                            backlog: l.backlog,
                        })
                        .collect(),
                    conns: h
                        .conns
                        .iter()
                        .map(|c| ConnSnapshot {
                            label: self.trace.conns[c.id].clone(),
                            state: c.tcb.state().name(),
                            snd_una: c.tcb.snd_una().since(c.tcb.iss()),
                            snd_nxt: c.tcb.snd_nxt().since(c.tcb.iss()),
                            rcv_nxt: if c.tcb.state() == State::SynSent {
                                0
                            } else {
                                c.tcb.rcv_nxt().since(c.tcb.irs())
                            },
                            rto_ms: c.tcb.rto().micros() / 1_000,
                            timers: c
                                .tcb
                                .armed_timers()
                                .into_iter()
                                .map(|(name, at)| TimerSnapshot {
                                    name,
                                    at: at.micros(),
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    // ---------------------------------------------------------------- event handlers

    fn on_action(&mut self, h: HostId, action: Action) {
        let now = self.now;
        match action {
            Action::Crash => return self.crash(h, why::HOST_CRASH),
            Action::Reboot => return self.reboot(h),
            _ if self.hosts[h].down => {
                // A crashed host runs no applications.
                return self.record(
                    Some(h),
                    why::HOST_CRASH,
                    app_error(None, action.verb(), "EHOSTDOWN"),
                );
            }
            Action::Connect { host, port, sport } => return self.connect(h, &host, port, sport),
            _ => {}
        }
        let Some(c) = self.hosts[h].newest_live() else {
            return self.record(
                Some(h),
                why::NO_CONNECTION,
                app_error(None, action.verb(), "ENOTCONN"),
            );
        };
        let id = self.hosts[h].conns[c].id;
        let mut bytes = None;
        let why = match action {
            Action::Send { bytes: n } => {
                bytes = Some(n);
                why::SEND_CALL
            }
            Action::Recv => why::RECV_CALL,
            Action::Close => why::CLOSE_CALL,
            Action::ShutdownWrite => why::SHUTDOWN_CALL,
            _ => why::ABORT_CALL,
        };
        // The call comes first in the trace, then what it caused.
        let call = EventKind::App {
            conn: Some(id),
            call: action.verb(),
            bytes,
            errno: None,
        };
        self.record(Some(h), why, call);
        let tcb = &mut self.hosts[h].conns[c].tcb;
        match action {
            Action::Send { bytes } => {
                tcb.send(now, bytes);
            }
            Action::Recv => {
                tcb.recv(now);
            }
            Action::Close => tcb.close(now),
            Action::ShutdownWrite => tcb.shutdown_write(now),
            _ => tcb.abort(now),
        }
        self.flush(h, c);
    }

    /// Active open from host `h`, from an ephemeral port unless `sport` names one.
    fn connect(&mut self, h: HostId, host: &str, port: u16, sport: Option<u16>) {
        let now = self.now;
        let Some(remote_id) = self.host_named(host) else {
            return;
        };
        let remote = self.hosts[remote_id].addr;
        let local_port = match sport {
            Some(p) if self.hosts[h].find(p, remote, port).is_some() => {
                return self.record(
                    Some(h),
                    why::ACTIVE_OPEN,
                    app_error(None, "connect", "EADDRINUSE"),
                );
            }
            Some(p) => p,
            None => self.hosts[h].ephemeral_port(&mut self.rng, remote, port),
        };
        let end = self.hosts[h].endpoint(now, local_port, remote, port, true);
        let label = format!("{}:{}-{}:{}", self.hosts[h].name, local_port, host, port);
        let id = self.label(label);
        self.record(Some(h), why::ACTIVE_OPEN, app(Some(id), "connect"));
        let tcb = Tcb::connect(now, end);
        self.hosts[h].conns.push(Conn {
            id,
            remote,
            tcb,
            wake: None,
        });
        let c = self.hosts[h].conns.len() - 1;
        self.flush(h, c);
    }

    /// The host vanishes: its connections are gone without a segment, its listeners close,
    /// and until it reboots nothing reaches it.
    fn crash(&mut self, h: HostId, why: Why) {
        let now = self.now;
        for c in 0..self.hosts[h].conns.len() {
            if self.hosts[h].conns[c].tcb.state() != State::Closed {
                self.hosts[h].conns[c].tcb.vanish(now, why);
                self.flush(h, c);
            }
        }
        if !self.hosts[h].down {
            let listeners: Vec<ConnId> = self.hosts[h].listeners.values().map(|l| l.conn).collect();
            for conn in listeners {
                self.record_listener(h, conn, State::Listen, State::Closed, why);
            }
        }
        self.hosts[h].down = true;
    }

    /// The host restarts with no connection state; its servers listen again.
    fn reboot(&mut self, h: HostId) {
        self.crash(h, why::HOST_REBOOT);
        self.hosts[h].down = false;
        let listeners: Vec<ConnId> = self.hosts[h].listeners.values().map(|l| l.conn).collect();
        for conn in listeners {
            self.record_listener(h, conn, State::Closed, State::Listen, why::HOST_REBOOT);
        }
    }

    fn on_arrive(&mut self, seg_id: u32, src: Ipv4Addr, dst: Ipv4Addr, seg: &Segment) {
        let now = self.now;
        let Some(h) = self.trace.host_of(dst) else {
            return;
        };
        if self.hosts[h].down {
            let cause = DropCause::HostDown;
            return self.record(Some(h), why::HOST_CRASH, EventKind::Drop { seg_id, cause });
        }
        self.record(Some(h), why::LINK_DELIVERY, EventKind::Deliver { seg_id });
        let host = &mut self.hosts[h];
        if let Some(c) = host.find(seg.dst_port, src, seg.src_port) {
            host.conns[c].tcb.handle_segment(now, seg);
            return self.flush(h, c);
        }
        let is_plain_syn = seg.flags.syn() && !seg.flags.ack() && !seg.flags.rst();
        if let (true, Some(listener)) = (is_plain_syn, host.listeners.get(&seg.dst_port)) {
            let end = host.endpoint(now, seg.dst_port, src, seg.src_port, listener.auto_read);
            let label = format!(
                "{}:{}-{}:{}",
                host.name,
                seg.dst_port,
                self.trace.name_of(src),
                seg.src_port
            );
            let id = self.label(label);
            let tcb = Tcb::accept_syn(now, end, seg);
            let host = &mut self.hosts[h];
            host.conns.push(Conn {
                id,
                remote: src,
                tcb,
                wake: None,
            });
            let c = host.conns.len() - 1;
            return self.flush(h, c);
        }
        // Nobody owns this segment: a listener answers an ACK as RFC 9293 §3.10.7.2 says, a
        // closed port answers as §3.10.7.1 says; the replies are the same.
        let listening = self.hosts[h].listeners.contains_key(&seg.dst_port);
        if let Some(rst) = tcp::reset_for_closed_port(seg) {
            let why = if listening {
                why::LISTEN_ACK
            } else {
                why::CLOSED_PORT
            };
            let tx = Transmit {
                seg: rst,
                why,
                retrans: false,
            };
            self.emit(h, src, tx);
        }
    }

    /// Traces what a connection produced, sends its segments and re-arms its wake-up.
    fn flush(&mut self, h: HostId, c: usize) {
        let conn = &mut self.hosts[h].conns[c];
        let id = conn.id;
        let remote = conn.remote;
        let passive = conn.tcb.is_passive();
        let mut events = Vec::new();
        while let Some(event) = conn.tcb.poll_event() {
            events.push(event);
        }
        let mut transmits = Vec::new();
        while let Some(tx) = conn.tcb.poll_transmit() {
            transmits.push(tx);
        }
        let next_wake = conn.tcb.poll_timeout();
        let old_wake = conn.wake;
        for event in events {
            let (why, kind) = match event {
                TcbEvent::State { from, to, why } => (why, EventKind::State { conn: id, from, to }),
                TcbEvent::Timer {
                    name,
                    action,
                    at,
                    why,
                } => (
                    why,
                    EventKind::Timer {
                        conn: id,
                        timer: name,
                        action: action.name(),
                        at,
                    },
                ),
                TcbEvent::App { event, why } => (why, app_event(id, event, passive)),
            };
            self.record(Some(h), why, kind);
        }
        for tx in transmits {
            self.emit(h, remote, tx);
        }
        // Keep exactly one queued wake-up per connection, at its earliest timer.
        if old_wake.map(|(t, _)| t) != next_wake {
            if let Some(key) = old_wake {
                self.queue.remove(&key);
            }
            let wake = next_wake.map(|t| self.schedule(t, Pending::Wake { host: h, conn: c }));
            self.hosts[h].conns[c].wake = wake;
        }
    }

    /// Puts a segment on the wire: traces it, and schedules its arrival over the link.
    fn emit(&mut self, h: HostId, dst: Ipv4Addr, tx: Transmit) {
        let src = self.hosts[h].addr;
        let seg = tx.seg;
        let id = self.next_seg;
        self.next_seg += 1;
        let (rseq, rack) = self.relative(src, dst, &seg);
        let to = self.trace.host_of(dst);
        let delay = to.and_then(|d| self.link_delay(h, d));
        let (lost, extra) = match to {
            Some(to) => self.apply_faults(h, to, &seg),
            None => (false, Duration::ZERO),
        };
        let eta = delay.filter(|_| !lost).map(|d| self.now + d + extra);
        self.record(
            Some(h),
            tx.why,
            EventKind::Send(Box::new(Sent {
                id,
                src,
                dst,
                seg: seg.clone(),
                rseq,
                rack,
                retrans: tx.retrans,
                eta,
            })),
        );
        match (eta, delay) {
            (Some(eta), _) => {
                self.schedule(
                    eta,
                    Pending::Arrive {
                        seg_id: id,
                        src,
                        dst,
                        seg,
                    },
                );
            }
            (None, Some(delay)) => {
                let halfway = Duration::from_micros(delay.micros() / 2);
                self.schedule(self.now + halfway, Pending::Lost { seg_id: id });
            }
            (None, None) => self.record(
                Some(h),
                why::NO_ROUTE,
                EventKind::Drop {
                    seg_id: id,
                    cause: DropCause::NoRoute,
                },
            ),
        }
    }

    /// Counts the segment against every fault for its direction; returns whether one drops
    /// it and how much the others delay it.
    fn apply_faults(&mut self, from: HostId, to: HostId, seg: &Segment) -> (bool, Duration) {
        let mut lost = false;
        let mut extra = Duration::ZERO;
        for active in &mut self.faults {
            if (active.from, active.to) != (from, to) || !active.fault.matches(seg.flags, seg.len) {
                continue;
            }
            active.matched += 1;
            if active.fault.nth.is_some_and(|n| n != active.matched) {
                continue;
            }
            match active.fault.effect {
                FaultEffect::Drop => lost = true,
                FaultEffect::Delay(by) => extra = extra + by,
            }
        }
        (lost, extra)
    }

    // ---------------------------------------------------------------- helpers

    fn record_listener(&mut self, h: HostId, conn: ConnId, from: State, to: State, why: Why) {
        self.record(Some(h), why, EventKind::State { conn, from, to });
    }

    fn schedule(&mut self, at: Instant, pending: Pending) -> (Instant, u64) {
        let key = (at, self.inserted);
        self.inserted += 1;
        self.queue.insert(key, pending);
        key
    }

    fn record(&mut self, host: Option<HostId>, why: Why, kind: EventKind) {
        self.trace.push(Event {
            t: self.now,
            host,
            why,
            kind,
        });
    }

    fn label(&mut self, label: String) -> ConnId {
        self.trace.conns.push(label);
        self.trace.conns.len() - 1
    }

    fn host_named(&self, name: &str) -> Option<HostId> {
        self.hosts.iter().position(|h| h.name == name)
    }

    fn link_delay(&self, a: HostId, b: HostId) -> Option<Duration> {
        self.links
            .iter()
            .find(|l| (l.a, l.b) == (a, b) || (l.a, l.b) == (b, a))
            .map(|l| l.delay)
    }

    /// Sequence numbers relative to the first one seen in each direction, as Wireshark shows
    /// them; a SYN starts its direction afresh (a new incarnation of the 4-tuple).
    fn relative(&mut self, src: Ipv4Addr, dst: Ipv4Addr, seg: &Segment) -> (u32, u32) {
        let fwd = (src, seg.src_port, dst, seg.dst_port);
        let rev = (dst, seg.dst_port, src, seg.src_port);
        if seg.flags.syn() {
            self.seq_bases.insert(fwd, seg.seq);
        }
        let base = *self.seq_bases.entry(fwd).or_insert(seg.seq);
        let rack = if seg.flags.ack() {
            self.seq_bases
                .get(&rev)
                .map_or(seg.ack.0, |b| seg.ack.since(*b))
        } else {
            0
        };
        (seg.seq.since(base), rack)
    }
}

fn app(conn: Option<ConnId>, call: &'static str) -> EventKind {
    EventKind::App {
        conn,
        call,
        bytes: None,
        errno: None,
    }
}

fn app_error(conn: Option<ConnId>, call: &'static str, errno: &'static str) -> EventKind {
    EventKind::App {
        conn,
        call,
        bytes: None,
        errno: Some(errno),
    }
}

fn app_event(conn: ConnId, event: AppEvent, passive: bool) -> EventKind {
    let (call, bytes, errno) = match event {
        AppEvent::Established if passive => ("accept", None, None),
        AppEvent::Established => ("connected", None, None),
        AppEvent::Received(n) => ("recv", Some(n), None),
        AppEvent::Eof => ("recv", Some(0), None),
        AppEvent::Error(e) => ("error", None, Some(e.name())),
    };
    EventKind::App {
        conn: Some(conn),
        call,
        bytes,
        errno,
    }
}

/// What `state()` shows: small records, cheap to hand to JavaScript.
#[derive(Clone, Debug, Serialize)]
pub struct Snapshot {
    pub now: u64,
    pub done: bool,
    pub stop: Option<String>,
    pub hosts: Vec<HostSnapshot>,
}

#[derive(Clone, Debug, Serialize)]
pub struct HostSnapshot {
    pub name: String,
    pub addr: String,
    pub listeners: Vec<ListenerSnapshot>,
    pub conns: Vec<ConnSnapshot>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ListenerSnapshot {
    pub port: u16,
    pub backlog: u32,
}

/// Sequence variables are relative to the ISNs, as the ladder shows them.
#[derive(Clone, Debug, Serialize)]
pub struct ConnSnapshot {
    pub label: String,
    pub state: &'static str,
    pub snd_una: u32,
    pub snd_nxt: u32,
    pub rcv_nxt: u32,
    pub rto_ms: u64,
    pub timers: Vec<TimerSnapshot>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TimerSnapshot {
    pub name: &'static str,
    pub at: u64,
}
