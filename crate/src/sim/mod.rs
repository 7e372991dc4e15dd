//! The discrete-event simulator: hosts joined by links, driven by one event queue.
//!
//! Events are keyed by (time, insertion counter), so equal times run first in, first out;
//! `step()` pops exactly one event and time jumps to its deadline (no fixed ticks). Every
//! random choice comes from one RNG seeded by the scenario, and every collection iterates in a
//! fixed order, so the same scenario and seed give the same trace everywhere.
//!
//! - `host.rs`: hosts, their sockets and connections
//! - `network.rs`: links, impairments, faults; putting a segment on the wire
//! - `arrive.rs`: a segment reaches a host: connection, listener or reset
//! - `flood.rs`: attackers with spoofed sources, and the trace's detail budget for floods

mod arrive;
mod flood;
mod host;
mod network;
mod queue;

pub use flood::{is_spoofed, FLOOD_DETAIL};
pub use host::{Conn, Host, Listed, ListenSocket, Numbers};

use crate::rng::{LookupMap, Rng};
use crate::scenario::{Action, Counterfactual, ListenDecl, Scenario};
use crate::segment::Segment;
use crate::seq::SeqNum;
use crate::tcp::{AppEvent, Errno, Listener, State, Tcb, TcbEvent};
use crate::time::{Duration, Instant};
use crate::trace::{Call, ConnId, DropCause, Event, EventKind, HostId, HostInfo, Trace};
use crate::why::{self, Why};
use flood::FloodRun;
use network::{ActiveFault, Link};
use queue::{EventQueue, Key};
use serde::Serialize;
use std::fmt::Write as _;
use std::net::Ipv4Addr;
use std::sync::Arc;

/// The most events one run may process before it stops with a message.
pub const DEFAULT_EVENT_BUDGET: u64 = 20_000_000;
/// The latest virtual time a run without a `run` statement may reach.
pub const DEFAULT_TIME_BUDGET: Duration = crate::scenario::MAX_TIME;
/// While a flood runs past its detail, queue occupancy is traced at most this often.
const QUEUE_SAMPLE: Duration = Duration::from_millis(10);

#[derive(Clone, Debug)]
enum Pending {
    /// The scenario's action at this index.
    Script {
        index: usize,
    },
    /// An action taken interactively (see [`Sim::act`]).
    Action {
        host: HostId,
        action: Action,
    },
    Arrive {
        seg_id: u32,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        seg: Segment,
        /// Whether the segment's send was traced (a flood's later segments are only counted).
        detailed: bool,
    },
    /// A segment lost on a link dies on the way, halfway along it.
    Lost {
        seg_id: u32,
        cause: DropCause,
        why: Why,
    },
    Wake {
        host: HostId,
        conn: usize,
    },
    FloodTick {
        index: usize,
    },
}

/// Why [`Sim::act`] could not act.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActError {
    UnknownHost(String),
    /// The run is over for good (it reached its `run` time or a budget).
    Over(Stop),
}

/// Why a run is over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Nothing is left to happen.
    Quiet,
    /// The scenario's `run` time was reached.
    RunTime(Instant),
    /// The event budget ran out.
    EventBudget(u64),
    /// A run without a `run` statement reached the time budget.
    TimeBudget(Instant),
}

impl Stop {
    /// Its code, as `state()` names it: `quiet`, `run-time`, `event-budget`, `time-budget`
    /// (the word tables say it in words).
    pub fn code(&self) -> &'static str {
        match self {
            Stop::Quiet => "quiet",
            Stop::RunTime(_) => "run-time",
            Stop::EventBudget(_) => "event-budget",
            Stop::TimeBudget(_) => "time-budget",
        }
    }

    /// A budget, not the scenario, ended the run.
    pub fn is_budget(&self) -> bool {
        matches!(self, Stop::EventBudget(_) | Stop::TimeBudget(_))
    }
}

pub struct Sim {
    now: Instant,
    queue: EventQueue,
    hosts: Vec<Host>,
    links: Vec<Link>,
    faults: Vec<ActiveFault>,
    floods: Vec<FloodRun>,
    /// The attacker whose link carries answers from live spoofed addresses.
    ghost_host: Option<HostId>,
    flood_detail_left: u32,
    /// The one label of connections opened after the trace filled up.
    untraced_label: Option<ConnId>,
    rng: Rng,
    trace: Trace,
    next_seg: u32,
    /// First sequence number seen per direction of a 4-tuple, for relative numbers.
    seq_bases: LookupMap<(Ipv4Addr, u16, Ipv4Addr, u16), SeqNum>,
    end: Option<Instant>,
    steps: u64,
    event_budget: u64,
    time_budget: Duration,
    stopped: Option<Stop>,
}

impl Sim {
    pub fn new(scenario: &Scenario) -> Sim {
        let mut rng = Rng::new(scenario.seed);
        let mut sim = Sim {
            now: Instant::ZERO,
            queue: EventQueue::default(),
            hosts: Vec::new(),
            links: Vec::new(),
            faults: Vec::new(),
            floods: Vec::new(),
            ghost_host: None,
            flood_detail_left: FLOOD_DETAIL,
            untraced_label: None,
            rng: Rng::new(0),
            trace: Trace::default(),
            next_seg: 1,
            seq_bases: LookupMap::default(),
            end: scenario.run.map(|d| Instant::ZERO + d),
            steps: 0,
            event_budget: DEFAULT_EVENT_BUDGET,
            time_budget: DEFAULT_TIME_BUDGET,
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
                spoofing: false,
            });
        }
        sim.rng = rng;
        sim.trace.counterfactuals = scenario.counterfactuals.iter().map(|c| c.name()).collect();
        for decl in &scenario.links {
            if let (Some(a), Some(b)) = (sim.host_named(&decl.a), sim.host_named(&decl.b)) {
                sim.links.push(Link::new(a, b, decl));
            }
        }
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
        for listen in &scenario.listens {
            if let Some(h) = sim.host_named(&listen.host) {
                let conn = sim.listener_label(h, listen.port);
                sim.open_listener(h, conn, listen);
            }
        }
        sim.queue = EventQueue::with_script(Arc::clone(&scenario.actions));
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

    /// Keeps at most this many trace events in full (see [`Trace::limit`]).
    pub fn set_trace_limit(&mut self, events: usize) {
        self.trace.limit = events;
    }

    /// Traces the first `segments` flood segments in full and counts the rest (the default is
    /// [`FLOOD_DETAIL`]); the kernel oracle asks for every one, to compare each SYN,ACK.
    pub fn set_flood_detail(&mut self, segments: u32) {
        self.flood_detail_left = segments;
    }

    /// How many queue events this run has processed (the benchmarks' unit).
    pub fn events_processed(&self) -> u64 {
        self.steps
    }

    /// Why the run is over, once it is.
    pub fn stopped(&self) -> Option<&Stop> {
        self.stopped.as_ref()
    }

    /// Limits how many events this run may process, and how far a run without a `run`
    /// statement may go.
    pub fn set_budget(&mut self, events: u64, time: Duration) {
        self.event_budget = events;
        self.time_budget = time;
    }

    /// Processes exactly one event. Returns how many trace events it added, or `None` once
    /// the run is over (see [`Sim::stopped`]).
    pub fn step(&mut self) -> Option<usize> {
        if self.stopped.is_some() {
            return None;
        }
        let before = self.trace.events.len();
        let Some(t) = self.next_key().map(Key::at) else {
            return self.stop(Stop::Quiet, None);
        };
        if let Some(end) = self.end.filter(|end| t > *end) {
            return self.stop(Stop::RunTime(end), Some(end));
        }
        let limit = Instant::ZERO + self.time_budget;
        if self.end.is_none() && t > limit {
            return self.stop(Stop::TimeBudget(limit), Some(limit));
        }
        if self.steps >= self.event_budget {
            return self.stop(Stop::EventBudget(self.steps), None);
        }
        let (key, pending) = self.queue.pop()?;
        let t = key.at();
        self.steps += 1;
        self.now = t;
        match pending {
            Pending::Script { index } => {
                let timed = &self.queue.script()[index];
                // The parser admits only declared hosts.
                if let Some(h) = self.host_named(&timed.host) {
                    let action = timed.action.clone();
                    self.on_action(h, action);
                }
            }
            Pending::Action { host, action } => self.on_action(host, action),
            Pending::Arrive {
                seg_id,
                src,
                dst,
                seg,
                detailed,
            } => self.on_arrive(seg_id, src, dst, &seg, detailed),
            Pending::Lost { seg_id, cause, why } => {
                self.record(None, why, EventKind::Drop { seg_id, cause })
            }
            Pending::Wake { host, conn } => {
                self.hosts[host].conns[conn].wake = None;
                let young = self.before_synack_timeout(host, conn);
                let c = &mut self.hosts[host].conns[conn];
                let retries = c.tcb.retries();
                c.tcb.handle_timeout(t);
                if young && c.tcb.retries() > retries {
                    self.no_longer_young(host, conn);
                }
                self.flush(host, conn);
            }
            Pending::FloodTick { index } => self.on_flood_tick(index),
        }
        Some(self.trace.events.len() - before)
    }

    /// Ends the run: traces the queue occupancy a flood left unsampled, and says why.
    fn stop(&mut self, stop: Stop, at: Option<Instant>) -> Option<usize> {
        if let Some(at) = at {
            self.now = at;
        }
        for h in 0..self.hosts.len() {
            let ports: Vec<u16> = self.hosts[h].listeners.keys().copied().collect();
            for port in ports {
                if self.hosts[h].listeners[&port].dirty {
                    self.record_queue(h, port);
                }
            }
        }
        self.stopped = Some(stop);
        None
    }

    /// Does what a reader asked, now: the action runs after everything already due at this
    /// microsecond, at the next one, where a replay of the recorded scenario runs it too.
    /// Returns that time, for the recording. A run that had fallen quiet goes on; one that
    /// reached its `run` time does not.
    pub fn act(&mut self, host: &str, action: Action) -> Result<Instant, ActError> {
        let h = (self.host_named(host)).ok_or_else(|| ActError::UnknownHost(host.to_string()))?;
        match self.stopped {
            Some(Stop::Quiet) => self.stopped = None,
            Some(ref stop) => return Err(ActError::Over(stop.clone())),
            None => {}
        }
        self.run_until(self.now);
        let at = self.now + Duration::from_micros(1);
        self.schedule(at, Pending::Action { host: h, action });
        self.run_until(at);
        Ok(at)
    }

    /// Processes every event up to and including time `t`; returns how many were processed.
    pub fn run_until(&mut self, t: Instant) -> usize {
        let mut n = 0;
        while self.next_key().is_some_and(|next| next.at() <= t) {
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
            stop_reason: self.stopped.as_ref().map(Stop::code),
            stop: None,
            stopped: self.stopped.clone(),
            hosts: self
                .hosts
                .iter()
                .map(|h| HostSnapshot {
                    name: h.name.clone(),
                    addr: h.addr.to_string(),
                    down: h.down,
                    unplugged: h.unplugged,
                    listeners: h
                        .listeners
                        .iter()
                        .map(|(port, s)| ListenerSnapshot {
                            port: *port,
                            backlog: s.listener.backlog,
                            syn_queue: s.listener.syn_queue_len(),
                            syn_limit: s.listener.syn_queue_limit(),
                            accept_queue: s.listener.accept_queue_len(),
                            accept_limit: s.listener.accept_queue_limit(),
                        })
                        .collect(),
                    conns: h
                        .listed()
                        .into_iter()
                        .map(|listed| self.conn_snapshot(listed))
                        .collect(),
                })
                .collect(),
        }
    }

    fn conn_snapshot(&self, listed: Listed) -> ConnSnapshot {
        let (id, state, numbers, timers) = match listed {
            Listed::Live(c) => (
                c.id,
                c.tcb.state(),
                Numbers::of(&c.tcb),
                c.tcb.armed_timers(),
            ),
            Listed::Closed(c) => (c.id, State::Closed, c.numbers, Vec::new()),
        };
        let Numbers {
            snd_una,
            snd_nxt,
            rcv_nxt,
            rto_ms,
            cwnd,
        } = numbers;
        ConnSnapshot {
            label: self.trace.label(id).to_string(),
            state: state.name(),
            snd_una,
            snd_nxt,
            rcv_nxt,
            rto_ms,
            cwnd,
            timers: (timers.into_iter())
                .map(|(name, at)| TimerSnapshot {
                    name,
                    at: at.micros(),
                })
                .collect(),
        }
    }

    // ---------------------------------------------------------------- applications

    fn on_action(&mut self, h: HostId, action: Action) {
        let crash_or_reboot = matches!(action, Action::Crash | Action::Reboot);
        if self.hosts[h].down && !crash_or_reboot {
            // A crashed host runs no applications.
            let kind = app_error(None, call_of(&action), Errno::EHOSTDOWN);
            return self.record(Some(h), why::HOST_CRASH, kind);
        }
        match action {
            Action::Crash => self.crash(h, why::HOST_CRASH),
            Action::Reboot => self.reboot(h),
            Action::Unplug => self.plug(h, false),
            Action::Replug => self.plug(h, true),
            Action::Flood(flood) => {
                self.record(Some(h), why::FLOOD_SYN, app(None, Call::Flood));
                self.start_flood(h, flood);
            }
            Action::Connect {
                host,
                port,
                sport,
                reuseaddr,
            } => self.connect(h, &host, port, sport, reuseaddr),
            Action::Listen(listen) => self.listen(h, &listen),
            Action::CloseListener { port } => self.close_listener(h, port),
            Action::Accept => self.accept(h),
            Action::Keepalive(on) => self.keepalive(h, on),
            Action::Nodelay(on) => self.nodelay(h, on),
            Action::Send { bytes } => self.socket_call(h, SocketCall::Send(bytes)),
            Action::Recv => self.socket_call(h, SocketCall::Recv),
            Action::Close => self.socket_call(h, SocketCall::Close),
            Action::ShutdownWrite => self.socket_call(h, SocketCall::ShutdownWrite),
            Action::Abort => self.socket_call(h, SocketCall::Abort),
        }
    }

    /// The cable is pulled out (or put back): the host keeps its state.
    fn plug(&mut self, h: HostId, plugged: bool) {
        self.hosts[h].unplugged = !plugged;
        let (why, call) = if plugged {
            (why::REPLUGGED, Call::Replug)
        } else {
            (why::UNPLUGGED, Call::Unplug)
        };
        self.record(Some(h), why, app(None, call));
    }

    /// SO_KEEPALIVE on or off for the host's connections, those open and those to come.
    fn keepalive(&mut self, h: HostId, on: bool) {
        let now = self.now;
        self.hosts[h].params.keepalive = on;
        let call = if on {
            Call::KeepaliveOn
        } else {
            Call::KeepaliveOff
        };
        self.record(Some(h), why::KEEPALIVE_IDLE, app(None, call));
        for c in self.hosts[h].live_handles() {
            self.hosts[h].conns[c].tcb.set_keepalive(now, on);
            self.flush(h, c);
        }
    }

    /// TCP_NODELAY on (or off) for the host's connections, open and to come; turning it on
    /// sends what Nagle's algorithm held (Linux's setsockopt pushes pending frames).
    fn nodelay(&mut self, h: HostId, on: bool) {
        let now = self.now;
        self.hosts[h].params.nodelay = on;
        let call = if on {
            Call::NodelayOn
        } else {
            Call::NodelayOff
        };
        self.record(Some(h), why::NODELAY_CALL, app(None, call));
        for c in self.hosts[h].live_handles() {
            self.hosts[h].conns[c].tcb.set_nodelay(now, on);
            self.flush(h, c);
        }
    }

    /// A call on the connection the application holds (its newest).
    fn socket_call(&mut self, h: HostId, call: SocketCall) {
        let now = self.now;
        let (traced, why, bytes) = match call {
            SocketCall::Send(n) => (Call::Send, why::SEND_CALL, Some(n)),
            SocketCall::Recv => (Call::Recv, why::RECV_CALL, None),
            SocketCall::Close => (Call::Close, why::CLOSE_CALL, None),
            SocketCall::ShutdownWrite => (Call::ShutdownWrite, why::SHUTDOWN_CALL, None),
            SocketCall::Abort => (Call::Abort, why::ABORT_CALL, None),
        };
        let Some(c) = self.hosts[h].newest_held() else {
            let kind = app_error(None, traced, Errno::ENOTCONN);
            return self.record(Some(h), why::NO_CONNECTION, kind);
        };
        let id = self.hosts[h].conns[c].id;
        if matches!(call, SocketCall::Send(_)) && !self.hosts[h].conns[c].tcb.can_send() {
            let kind = app_error(Some(id), traced, Errno::EPIPE);
            return self.record(Some(h), why::SEND_AFTER_SHUTDOWN, kind);
        }
        // The call comes first in the trace, then what it caused.
        let kind = EventKind::App {
            conn: Some(id),
            call: traced,
            bytes,
            errno: None,
        };
        self.record(Some(h), why, kind);
        let tcb = &mut self.hosts[h].conns[c].tcb;
        let lets_go = match call {
            SocketCall::Send(bytes) => {
                tcb.send(now, bytes);
                false
            }
            SocketCall::Recv => {
                tcb.recv();
                false
            }
            SocketCall::Close => {
                tcb.close(now);
                true
            }
            SocketCall::ShutdownWrite => {
                tcb.shutdown_write(now);
                false
            }
            SocketCall::Abort => {
                tcb.abort(now);
                true
            }
        };
        if lets_go {
            self.hosts[h].release(c);
        }
        self.flush(h, c);
    }

    /// The listener label of `port` on host `h`: the one it had before, if it listened.
    fn listener_label(&mut self, h: HostId, port: u16) -> ConnId {
        let labels = &self.hosts[h].listener_labels;
        if let Some(&(_, conn)) = labels.iter().find(|(p, _)| *p == port) {
            return conn;
        }
        let conn = self.label(format!("{}:{port}", self.hosts[h].name));
        self.hosts[h].listener_labels.push((port, conn));
        conn
    }

    /// A listening socket on `listen.port`, labelled `conn`, enters LISTEN.
    fn open_listener(&mut self, h: HostId, conn: ConnId, listen: &ListenDecl) {
        let host = &self.hosts[h];
        let mut listener = Listener::new(listen.port, listen.backlog, &host.params, host.secret());
        listener.auto_accept = listen.auto_accept;
        listener.auto_read = listen.auto_read;
        self.hosts[h].listeners.insert(
            listen.port,
            ListenSocket {
                listener,
                conn,
                reply: listen.reply,
                close_after_reply: listen.close_after_reply,
                reuse: listen.reuseaddr,
                traced: (0, 0),
                traced_at: None,
                dirty: false,
            },
        );
        // RFC 9293 §3.10.1: a passive OPEN enters LISTEN.
        self.record_listener(h, conn, State::Closed, State::Listen, why::PASSIVE_OPEN);
    }

    /// bind() and listen() during the run: a restarted server, say. bind() fails while
    /// another socket holds the port (see [`Host::bind_conflict`]).
    fn listen(&mut self, h: HostId, listen: &ListenDecl) {
        if self.hosts[h].bind_conflict(listen.port, listen.reuseaddr) {
            let kind = app_error(None, Call::Bind, Errno::EADDRINUSE);
            return self.record(Some(h), why::BIND_IN_USE, kind);
        }
        let conn = self.listener_label(h, listen.port);
        self.record(Some(h), why::PASSIVE_OPEN, app(Some(conn), Call::Listen));
        self.open_listener(h, conn, listen);
    }

    /// The server application closes its listening socket (Linux's inet_csk_listen_stop):
    /// half-open connections are forgotten without a segment, established ones it has not
    /// accepted are reset, and those it accepted carry on.
    fn close_listener(&mut self, h: HostId, port: u16) {
        let now = self.now;
        let Some(sock) = self.hosts[h].listeners.remove(&port) else {
            let kind = app_error(None, Call::CloseListener, Errno::EBADF);
            return self.record(Some(h), why::NO_LISTENER, kind);
        };
        let conn = sock.conn;
        self.record(
            Some(h),
            why::LISTENER_CLOSED,
            app(Some(conn), Call::CloseListener),
        );
        self.record_listener(h, conn, State::Listen, State::Closed, why::LISTENER_CLOSED);
        for c in self.hosts[h].live_handles() {
            let child = &mut self.hosts[h].conns[c];
            if child.listener != Some(port) {
                continue;
            }
            child.listener = None;
            if child.accepted {
                continue;
            }
            if child.tcb.state() == State::SynReceived {
                child.tcb.discard(why::LISTENER_CLOSED);
            } else {
                child.tcb.reset_because(now, why::LISTENER_CLOSED);
            }
            self.flush(h, c);
        }
    }

    /// Active open from host `h`, from an ephemeral port unless `sport` names one: then
    /// bind() comes first, with SO_REUSEADDR if `reuse`.
    fn connect(&mut self, h: HostId, host: &str, port: u16, sport: Option<u16>, reuse: bool) {
        let now = self.now;
        let Some(remote_id) = self.host_named(host) else {
            return;
        };
        let remote = self.hosts[remote_id].addr;
        let mut iss = None;
        let local_port = match sport {
            Some(p) if self.hosts[h].bind_conflict(p, reuse) => {
                let kind = app_error(None, Call::Bind, Errno::EADDRINUSE);
                return self.record(Some(h), why::BIND_IN_USE, kind);
            }
            Some(p) => match self.hosts[h].find(p, remote, port) {
                Some(old) => {
                    // Linux's tcp_twsk_unique, for a port the application bound: a TIME-WAIT
                    // whose connection used timestamps may be taken over (PAWS tells its old
                    // segments apart), with sequence numbers beyond the old ones.
                    let tcb = &self.hosts[h].conns[old].tcb;
                    if tcb.state() != State::TimeWait || !tcb.timestamps_agreed() {
                        let kind = app_error(None, Call::Connect, Errno::EADDRNOTAVAIL);
                        return self.record(Some(h), why::TUPLE_IN_USE, kind);
                    }
                    iss = Some(tcb.snd_nxt() + 65535 + 2);
                    self.hosts[h].conns[old].tcb.discard(why::TIME_WAIT_REUSED);
                    self.flush(h, old);
                    p
                }
                None => p,
            },
            None => self.hosts[h].ephemeral_port(&mut self.rng, remote, port),
        };
        let id = self.conn_label(h, local_port, remote, port);
        self.record(Some(h), why::ACTIVE_OPEN, app(Some(id), Call::Connect));
        let host = &mut self.hosts[h];
        let tuple = host.tuple(local_port, remote, port);
        let mut end = (host.opener).endpoint(&host.params, now, &tuple, self.trace.has_room());
        if let Some(iss) = iss {
            end.iss = iss;
        }
        let tcb = Tcb::connect(now, end);
        let c = self.hosts[h].add(Conn {
            id,
            remote,
            tcb,
            wake: None,
            listener: None,
            accepted: true,
            young: false,
            detailed: true,
            reuse,
        });
        self.flush(h, c);
    }

    /// accept(): the oldest established connection waiting on any of the host's listeners.
    fn accept(&mut self, h: HostId) {
        let ports: Vec<u16> = self.hosts[h].listeners.keys().copied().collect();
        for port in ports {
            let sock = self.hosts[h]
                .listeners
                .get_mut(&port)
                .expect("listed above");
            if let Some(c) = sock.listener.accept() {
                self.take_accepted(h, c);
                return self.trace_queue(h, port);
            }
        }
        let kind = app_error(None, Call::Accept, Errno::EAGAIN);
        self.record(Some(h), why::ACCEPT_EMPTY, kind);
    }

    fn take_accepted(&mut self, h: HostId, c: usize) {
        self.hosts[h].hold(c);
        let conn = &self.hosts[h].conns[c];
        let (id, detailed) = (conn.id, conn.detailed);
        if detailed {
            self.record(Some(h), why::ACCEPT_CALL, app(Some(id), Call::Accept));
        }
    }

    /// The host vanishes: its connections are gone without a segment, its listeners close,
    /// and until it reboots nothing reaches it.
    fn crash(&mut self, h: HostId, why: Why) {
        for c in 0..self.hosts[h].conns.len() {
            if self.hosts[h].conns[c].tcb.state() != State::Closed {
                self.hosts[h].conns[c].tcb.discard(why);
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
        let host = &mut self.hosts[h];
        host.down = false;
        let (params, secret) = (host.params.clone(), host.secret());
        for sock in host.listeners.values_mut() {
            let old = &sock.listener;
            let mut fresh = Listener::new(old.port, old.backlog, &params, secret);
            fresh.auto_accept = old.auto_accept;
            fresh.auto_read = old.auto_read;
            sock.listener = fresh;
        }
        let listeners: Vec<(ConnId, u16)> =
            host.listeners.iter().map(|(p, l)| (l.conn, *p)).collect();
        for (conn, port) in listeners {
            self.record_listener(h, conn, State::Closed, State::Listen, why::HOST_REBOOT);
            self.trace_queue(h, port);
        }
    }

    // ---------------------------------------------------------------- connections

    /// Traces what a connection produced, lets the listener and the application react, sends
    /// its segments and re-arms its wake-up.
    fn flush(&mut self, h: HostId, c: usize) {
        loop {
            let conn = &mut self.hosts[h].conns[c];
            let (id, remote, port, detailed) = (conn.id, conn.remote, conn.listener, conn.detailed);
            if detailed {
                // Timer changes it did not report still count as not recorded.
                self.trace.unrecorded += conn.tcb.take_unreported_timer_events();
            }
            // Handling an event never calls into this connection, so it can be polled one event
            // at a time.
            let mut idle = true;
            let (mut reply, mut eof) = (false, false);
            while let Some(event) = self.hosts[h].conns[c].tcb.poll_event() {
                idle = false;
                let (why, kind) = match event {
                    TcbEvent::State { from, to, why } => {
                        if detailed {
                            self.record(Some(h), why, EventKind::State { conn: id, from, to });
                        }
                        if let Some(port) = port {
                            self.listener_sees(h, c, port, from, to);
                        }
                        if to == State::Closed {
                            // A closed connection the trace no longer follows (a flood's, or
                            // any once the trace is full) is not listed by `state()` either,
                            // so a long run does not keep one summary per connection.
                            let listed = detailed && self.trace.has_room();
                            self.hosts[h].retire(c, listed);
                        }
                        continue;
                    }
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
                            action,
                            at,
                        },
                    ),
                    // A passive connection's application learns of it from accept().
                    TcbEvent::App {
                        event: AppEvent::Established,
                        ..
                    } if port.is_some() => continue,
                    TcbEvent::App { event, why } => {
                        reply |= matches!(event, AppEvent::Received(_));
                        eof |= event == AppEvent::Eof;
                        (why, app_event(id, event))
                    }
                };
                if detailed {
                    self.record(Some(h), why, kind);
                }
            }
            while let Some(tx) = self.hosts[h].conns[c].tcb.poll_transmit() {
                idle = false;
                self.emit(h, remote, tx);
            }
            if idle {
                break;
            }
            if let Some(port) = port {
                self.serve(h, c, port, reply, eof);
            }
        }
        if self.hosts[h].conns[c].tcb.state() == State::Closed {
            self.hosts[h].release_buffers(c);
        }
        // Keep exactly one queued wake-up per connection, at its earliest timer.
        let conn = &self.hosts[h].conns[c];
        let (next_wake, old_wake) = (conn.tcb.poll_timeout(), conn.wake);
        // A superseded wake-up stays queued; `next_key` skips it.
        if old_wake.map(Key::at) != next_wake {
            let wake = next_wake.map(|t| self.schedule(t, Pending::Wake { host: h, conn: c }));
            self.hosts[h].conns[c].wake = wake;
        }
    }

    /// A half-open connection's SYN,ACK may be about to time out: it may retry as often as
    /// its listener's SYN queue allows now (Listener::synack_retries). Returns whether the
    /// connection is still young.
    fn before_synack_timeout(&mut self, h: HostId, c: usize) -> bool {
        let host = &mut self.hosts[h];
        let conn = &host.conns[c];
        let Some(port) = conn
            .listener
            .filter(|_| conn.tcb.state() == State::SynReceived)
        else {
            return false;
        };
        let retries = host.listeners[&port].listener.synack_retries(&host.params);
        host.conns[c].tcb.limit_synack_retries(retries);
        host.conns[c].young
    }

    /// A half-open connection timed out once, or left the SYN queue before it did.
    fn no_longer_young(&mut self, h: HostId, c: usize) {
        let host = &mut self.hosts[h];
        host.conns[c].young = false;
        if let Some(sock) = host.conns[c]
            .listener
            .and_then(|p| host.listeners.get_mut(&p))
        {
            sock.listener.no_longer_young();
        }
    }

    /// A passive connection changed state: its listener's queues follow.
    fn listener_sees(&mut self, h: HostId, c: usize, port: u16, from: State, to: State) {
        if from == State::SynReceived && self.hosts[h].conns[c].young {
            self.no_longer_young(h, c);
        }
        let host = &mut self.hosts[h];
        let accepted = host.conns[c].accepted;
        let sock = host.listeners.get_mut(&port).expect("a child's listener");
        if sock.listener.child_changed(c, from, to, accepted) {
            self.take_accepted(h, c);
        }
        self.trace_queue(h, port);
    }

    /// A serving application (`reply=N`) answers each request, closes after it if it is an
    /// HTTP/1.0 server, and closes its side when the client has closed its own.
    fn serve(&mut self, h: HostId, c: usize, port: u16, request: bool, eof: bool) {
        let now = self.now;
        let sock = &self.hosts[h].listeners[&port];
        let (Some(bytes), close) = (sock.reply, sock.close_after_reply) else {
            return;
        };
        let conn = &mut self.hosts[h].conns[c];
        let id = conn.id;
        if eof && conn.tcb.state() == State::CloseWait {
            conn.tcb.close(now);
            self.hosts[h].release(c);
            return self.record(Some(h), why::SERVER_REPLY, app(Some(id), Call::Close));
        }
        if request && conn.tcb.send(now, bytes) {
            let kind = EventKind::App {
                conn: Some(id),
                call: Call::Send,
                bytes: Some(bytes),
                errno: None,
            };
            self.record(Some(h), why::SERVER_REPLY, kind);
            if close {
                self.hosts[h].conns[c].tcb.close(now);
                self.hosts[h].release(c);
                self.record(Some(h), why::SERVER_REPLY, app(Some(id), Call::Close));
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    fn schedule(&mut self, at: Instant, pending: Pending) -> Key {
        self.queue.push(at, pending)
    }

    /// When the next event that still counts happens, if the run is not over.
    pub fn next_time(&mut self) -> Option<Instant> {
        if self.stopped.is_some() {
            return None;
        }
        self.next_key().map(Key::at)
    }

    /// The key of the next event that still counts, dropping superseded wake-ups on the way.
    fn next_key(&mut self) -> Option<Key> {
        loop {
            let (key, pending) = self.queue.peek()?;
            let superseded = matches!(pending, Some(Pending::Wake { host, conn })
                if self.hosts[*host].conns[*conn].wake != Some(key));
            if !superseded {
                return Some(key);
            }
            self.queue.pop();
        }
    }

    fn record(&mut self, host: Option<HostId>, why: Why, kind: EventKind) {
        self.trace.push(Event::new(self.now, host, why, kind));
    }

    fn record_listener(&mut self, h: HostId, conn: ConnId, from: State, to: State, why: Why) {
        self.record(Some(h), why, EventKind::State { conn, from, to });
    }

    /// Traces the listener's queue occupancy if it changed; while a flood runs past its
    /// detail, at most once per 10 ms (the last value is traced when the run ends).
    fn trace_queue(&mut self, h: HostId, port: u16) {
        let now = self.now;
        let throttled = self.flood_detail_left == 0;
        let sock = self.hosts[h].listeners.get_mut(&port).expect("a listener");
        let now_values = (
            sock.listener.syn_queue_len(),
            sock.listener.accept_queue_len(),
        );
        if now_values == sock.traced {
            sock.dirty = false;
            return;
        }
        if throttled
            && sock
                .traced_at
                .is_some_and(|t| now.saturating_since(t) < QUEUE_SAMPLE)
        {
            sock.dirty = true;
            return;
        }
        self.record_queue(h, port);
    }

    fn record_queue(&mut self, h: HostId, port: u16) {
        let now = self.now;
        let sock = self.hosts[h].listeners.get_mut(&port).expect("a listener");
        let l = &sock.listener;
        let kind = EventKind::Queue {
            conn: sock.conn,
            syn_queue: l.syn_queue_len(),
            syn_limit: l.syn_queue_limit(),
            accept_queue: l.accept_queue_len(),
            accept_limit: l.accept_queue_limit(),
        };
        sock.traced = (l.syn_queue_len(), l.accept_queue_len());
        sock.traced_at = Some(now);
        sock.dirty = false;
        self.record(Some(h), why::QUEUE_CHANGED, kind);
    }

    fn label(&mut self, label: String) -> ConnId {
        self.trace.conns.push(label);
        ConnId::try_from(self.trace.conns.len() - 1).expect("fewer than 2^32 connections")
    }

    /// A connection's trace label, `client:40000-server:80`. Once the trace is full nobody
    /// reads it, and connections from then on share one label instead of each making its own.
    fn conn_label(
        &mut self,
        h: HostId,
        local_port: u16,
        remote: Ipv4Addr,
        remote_port: u16,
    ) -> ConnId {
        if !self.trace.has_room() {
            if let Some(id) = self.untraced_label {
                return id;
            }
            let id = self.label("(past the trace's limit)".to_string());
            self.untraced_label = Some(id);
            return id;
        }
        // Written into a string of the right size, without `name_of`'s copy of the peer's name:
        // a long run makes a label per connection.
        let local = &self.hosts[h].name;
        let peer = self.trace.host_of(remote).map(|r| &self.hosts[r].name);
        let mut label = String::with_capacity(local.len() + peer.map_or(15, |p| p.len()) + 13);
        let _ = write!(label, "{local}:{local_port}-");
        match peer {
            Some(peer) => label.push_str(peer),
            None => {
                let _ = write!(label, "{remote}");
            }
        }
        let _ = write!(label, ":{remote_port}");
        self.label(label)
    }

    fn host_named(&self, name: &str) -> Option<HostId> {
        self.hosts.iter().position(|h| h.name == name)
    }
}

/// A socket call an application makes on the connection it holds.
#[derive(Clone, Copy, Debug)]
enum SocketCall {
    Send(u32),
    Recv,
    Close,
    ShutdownWrite,
    Abort,
}

/// The socket call an action makes, as the trace names it.
fn call_of(action: &Action) -> Call {
    match action {
        Action::Connect { .. } => Call::Connect,
        Action::Send { .. } => Call::Send,
        Action::Recv => Call::Recv,
        Action::Close => Call::Close,
        Action::ShutdownWrite => Call::ShutdownWrite,
        Action::Abort => Call::Abort,
        Action::Accept => Call::Accept,
        Action::Listen(_) => Call::Listen,
        Action::CloseListener { .. } => Call::CloseListener,
        Action::Crash => Call::Crash,
        Action::Reboot => Call::Reboot,
        Action::Unplug => Call::Unplug,
        Action::Replug => Call::Replug,
        Action::Flood(_) => Call::Flood,
        Action::Keepalive(_) => Call::Keepalive,
        Action::Nodelay(on) => match on {
            true => Call::NodelayOn,
            false => Call::NodelayOff,
        },
    }
}

fn app(conn: Option<ConnId>, call: Call) -> EventKind {
    EventKind::App {
        conn,
        call,
        bytes: None,
        errno: None,
    }
}

fn app_error(conn: Option<ConnId>, call: Call, errno: Errno) -> EventKind {
    EventKind::App {
        conn,
        call,
        bytes: None,
        errno: Some(errno),
    }
}

fn app_event(conn: ConnId, event: AppEvent) -> EventKind {
    let (call, bytes, errno) = match event {
        AppEvent::Established => (Call::Connected, None, None),
        AppEvent::Received(n) => (Call::Recv, Some(n), None),
        AppEvent::Eof => (Call::Recv, Some(0), None),
        AppEvent::Error(e) => (Call::Error, None, Some(e)),
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
    /// Why the run is over, as its [`Stop::code`], and in words (which the simulator leaves
    /// to whoever shows them: `None` here).
    pub stop_reason: Option<&'static str>,
    pub stop: Option<String>,
    #[serde(skip)]
    pub stopped: Option<Stop>,
    pub hosts: Vec<HostSnapshot>,
}

#[derive(Clone, Debug, Serialize)]
pub struct HostSnapshot {
    pub name: String,
    pub addr: String,
    pub down: bool,
    pub unplugged: bool,
    pub listeners: Vec<ListenerSnapshot>,
    pub conns: Vec<ConnSnapshot>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ListenerSnapshot {
    pub port: u16,
    pub backlog: u32,
    pub syn_queue: u32,
    pub syn_limit: u32,
    pub accept_queue: u32,
    pub accept_limit: u32,
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
    /// The congestion window, in segments (RFC 5681; Linux counts segments).
    pub cwnd: u32,
    pub timers: Vec<TimerSnapshot>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TimerSnapshot {
    pub name: &'static str,
    pub at: u64,
}
