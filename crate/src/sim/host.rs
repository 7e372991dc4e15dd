//! A simulated host: its address, its TCP parameters, its listening sockets and its
//! connections, and the small applications that use them.

use super::queue::Key;
use crate::profile::Params;
use crate::rng::{mix, LookupMap, Rng};
use crate::seq::SeqNum;
use crate::tcp::{Endpoint, Listener, Queues, State, Tcb, Tuple};
use crate::time::Instant;
use crate::trace::ConnId;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

/// How many closed connections' queues a host keeps for reuse.
const SPARE_QUEUES: usize = 16;

/// Linux's default ephemeral port range (net.ipv4.ip_local_port_range).
const EPHEMERAL: (u32, u32) = (32768, 60999);

/// A listening socket and the server application behind it.
#[derive(Clone, Debug)]
pub struct ListenSocket {
    pub listener: Listener,
    /// The socket's trace label, `server:80`.
    pub conn: ConnId,
    /// The application answers each arrival of data with this many bytes.
    pub reply: Option<u32>,
    /// ... and then closes the connection (HTTP/1.0).
    pub close_after_reply: bool,
    /// SO_REUSEADDR, which the connections it accepts inherit.
    pub reuse: bool,
    /// The last occupancy traced, (SYN queue, accept queue), to trace only changes, and
    /// when; `dirty` when a change went untraced because a flood was being sampled.
    pub traced: (u32, u32),
    pub traced_at: Option<Instant>,
    pub dirty: bool,
}

#[derive(Clone, Debug)]
pub struct Conn {
    pub id: ConnId,
    pub remote: Ipv4Addr,
    pub tcb: Tcb,
    /// The wake-up scheduled for this connection's timers: its key in the event queue.
    pub(crate) wake: Option<Key>,
    /// The listening port that created it (a passive open).
    pub listener: Option<u16>,
    /// Its application has accept()ed it (passive) or opened it (active).
    pub accepted: bool,
    /// Half-open in its listener's SYN queue and no SYN,ACK timeout yet (Linux's `young`).
    pub young: bool,
    /// Its events go to the trace in detail; a flood's connections are counted instead once
    /// the flood's detail is spent.
    pub detailed: bool,
    /// SO_REUSEADDR: set before its bind(), or inherited from its listener.
    pub reuse: bool,
}

/// A connection's sequence numbers relative to the ISNs, as the ladder shows them, and its
/// retransmission timeout.
#[derive(Clone, Copy, Debug)]
pub struct Numbers {
    pub snd_una: u32,
    pub snd_nxt: u32,
    pub rcv_nxt: u32,
    pub rto_ms: u64,
    /// The congestion window, in segments.
    pub cwnd: u32,
}

impl Numbers {
    pub fn of(tcb: &Tcb) -> Numbers {
        Numbers {
            snd_una: tcb.snd_una().since(tcb.iss()),
            snd_nxt: tcb.snd_nxt().since(tcb.iss()),
            rcv_nxt: if tcb.state() == State::SynSent {
                0
            } else {
                tcb.rcv_nxt().since(tcb.irs())
            },
            rto_ms: tcb.rto().micros() / 1_000,
            cwnd: tcb.cwnd(),
        }
    }
}

/// What `state()` still shows of a closed connection the trace followed: its label and last
/// numbers, without the whole record (its slot goes to a later connection).
#[derive(Clone, Debug)]
pub struct Closed {
    pub id: ConnId,
    /// When it was added, counted in connections: its place in the list.
    added: u64,
    pub numbers: Numbers,
}

/// A connection `state()` lists.
pub enum Listed<'a> {
    Live(&'a Conn),
    Closed(&'a Closed),
}

#[derive(Clone, Debug)]
pub struct Host {
    pub name: String,
    pub addr: Ipv4Addr,
    pub params: Params,
    pub listeners: BTreeMap<u16, ListenSocket>,
    /// Each port's listener label, kept when the listener closes, for one that reopens it.
    pub listener_labels: Vec<(u16, ConnId)>,
    pub conns: Vec<Conn>,
    /// Live connections by (local port, remote address, remote port); looked up, never
    /// iterated.
    index: LookupMap<(u16, Ipv4Addr, u16), usize>,
    /// Connections an application holds: opened or accepted, and not yet closed by it.
    /// (Ordered by when each connection was added: a reused slot's number says nothing.)
    held: BTreeSet<(u64, usize)>,
    /// When each slot's connection was added, counted in connections.
    added: Vec<u64>,
    connections_added: u64,
    /// Slots of closed connections, for new connections to reuse.
    free: Vec<usize>,
    /// The closed connections the trace followed, oldest first.
    closed: Vec<Closed>,
    /// What new connections start from: the ISN secret, and buffers to reuse.
    pub opener: Opener,
    /// Crashed and not yet rebooted: it neither sends nor answers.
    pub down: bool,
    /// Its cable is pulled: nothing leaves or arrives, but it keeps its state.
    pub unplugged: bool,
}

/// What a host's new connections start from: the secret of its ISN function, and the emptied
/// queues of its closed connections.
#[derive(Clone, Debug)]
pub struct Opener {
    /// The secret key of RFC 6528's ISN function, drawn from the scenario's seed.
    secret: u64,
    /// Closed connections' emptied queues, for new connections to reuse.
    spare_queues: Vec<Queues>,
}

impl Host {
    pub fn new(name: String, addr: Ipv4Addr, params: Params, rng: &mut Rng) -> Host {
        Host {
            name,
            addr,
            params,
            listeners: BTreeMap::new(),
            listener_labels: Vec::new(),
            conns: Vec::new(),
            index: LookupMap::default(),
            held: BTreeSet::new(),
            added: Vec::new(),
            connections_added: 0,
            free: Vec::new(),
            closed: Vec::new(),
            down: false,
            unplugged: false,
            opener: Opener {
                secret: rng.next_u64(),
                spare_queues: Vec::new(),
            },
        }
    }

    /// The secret a listener derives its cookie keys from.
    pub fn secret(&self) -> u64 {
        self.opener.secret
    }

    /// The live connection for this 4-tuple, if any.
    pub fn find(&self, local_port: u16, remote: Ipv4Addr, remote_port: u16) -> Option<usize> {
        self.index.get(&(local_port, remote, remote_port)).copied()
    }

    /// Adds a connection; returns its handle.
    pub fn add(&mut self, conn: Conn) -> usize {
        let key = (conn.tcb.local_port(), conn.remote, conn.tcb.remote_port());
        let accepted = conn.accepted;
        let c = match self.free.pop() {
            Some(c) => {
                self.conns[c] = conn;
                c
            }
            None => {
                self.conns.push(conn);
                self.added.push(0);
                self.conns.len() - 1
            }
        };
        self.added[c] = self.connections_added;
        self.connections_added += 1;
        self.index.insert(key, c);
        if accepted {
            self.held.insert((self.added[c], c));
        }
        c
    }

    /// The application now holds this connection (accept() returned it).
    pub fn hold(&mut self, c: usize) {
        self.conns[c].accepted = true;
        self.held.insert((self.added[c], c));
    }

    /// The application let go of it (close, abort), or it closed under the application.
    pub fn release(&mut self, c: usize) {
        self.held.remove(&(self.added[c], c));
    }

    /// Takes a closed connection out of the 4-tuple index and frees its slot for a later
    /// connection; if `listed`, `state()` goes on listing it, from a summary. (Only `add`
    /// reuses the slot, so the caller may still read the record until then.)
    pub fn retire(&mut self, c: usize, listed: bool) {
        self.held.remove(&(self.added[c], c));
        let conn = &self.conns[c];
        let key = (conn.tcb.local_port(), conn.remote, conn.tcb.remote_port());
        if self.index.get(&key) == Some(&c) {
            self.index.remove(&key);
        }
        if listed {
            self.closed.push(Closed {
                id: conn.id,
                added: self.added[c],
                numbers: Numbers::of(&conn.tcb),
            });
        }
        self.free.push(c);
    }

    /// The connections `state()` lists, in the order they were added: the live ones the
    /// trace follows, and the closed ones it followed.
    pub fn listed(&self) -> Vec<Listed<'_>> {
        let live = (self.conns.iter().enumerate())
            .filter(|(_, conn)| conn.detailed && conn.tcb.state() != State::Closed)
            .map(|(c, conn)| (self.added[c], Listed::Live(conn)));
        let closed = (self.closed.iter()).map(|closed| (closed.added, Listed::Closed(closed)));
        let mut listed: Vec<(u64, Listed)> = live.chain(closed).collect();
        listed.sort_unstable_by_key(|&(added, _)| added);
        listed.into_iter().map(|(_, conn)| conn).collect()
    }

    /// A closed connection gives up its buffers; a few are kept for the next connections.
    pub fn release_buffers(&mut self, c: usize) {
        let queues = self.conns[c].tcb.release_buffers();
        if self.opener.spare_queues.len() < SPARE_QUEUES {
            self.opener.spare_queues.push(queues);
        }
    }

    /// The connection an application call without a target means: the newest one an
    /// application holds (not one still waiting to be accepted, nor one it has closed).
    pub fn newest_held(&self) -> Option<usize> {
        self.held.last().map(|&(_, c)| c)
    }

    /// Handles of the live connections, in order.
    pub fn live_handles(&self) -> Vec<usize> {
        let mut live: Vec<usize> = self.index.values().copied().collect();
        live.sort_unstable();
        live
    }

    /// Whether bind() to `port` fails with EADDRINUSE (Linux's inet_csk_bind_conflict): a
    /// listener on the port always holds it; any other socket on it (established, closing,
    /// TIME-WAIT) does unless both it and the new socket set SO_REUSEADDR.
    pub fn bind_conflict(&self, port: u16, reuse: bool) -> bool {
        self.listeners.contains_key(&port)
            || self.index.values().any(|&c| {
                let conn = &self.conns[c];
                conn.tcb.local_port() == port
                    && conn.tcb.state() != State::Closed
                    && !(reuse && conn.reuse)
            })
    }

    /// A free ephemeral port, drawn at random as Linux does.
    pub fn ephemeral_port(&self, rng: &mut Rng, remote: Ipv4Addr, remote_port: u16) -> u16 {
        loop {
            let port = rng.range(EPHEMERAL.0, EPHEMERAL.1) as u16;
            if self.find(port, remote, remote_port).is_none() && !self.listeners.contains_key(&port)
            {
                return port;
            }
        }
    }

    /// A new connection's 4-tuple from this host's side.
    pub fn tuple(&self, local_port: u16, remote: Ipv4Addr, remote_port: u16) -> Tuple {
        Tuple {
            local: self.addr,
            local_port,
            remote,
            remote_port,
        }
    }
}

impl Opener {
    /// What a new connection on this 4-tuple starts from. `report_timers`: whether anybody
    /// records its timer changes.
    pub fn endpoint(
        &mut self,
        params: &Params,
        now: Instant,
        tuple: &Tuple,
        report_timers: bool,
    ) -> Endpoint {
        let keyed = self.keyed(tuple);
        // RFC 6528 §3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), where
        // M is a clock ticking every 4 microseconds.
        let m = (now.micros() / 4) as u32;
        let iss = params
            .isn
            .map(SeqNum)
            .unwrap_or(SeqNum(m.wrapping_add(keyed as u32)));
        Endpoint {
            params: params.clone(),
            local_port: tuple.local_port,
            remote_port: tuple.remote_port,
            iss,
            // RFC 7323 §5.4: a per-connection random offset for the timestamp clock.
            ts_offset: (keyed >> 32) as u32,
            auto_read: true,
            queues: self.spare_queues.pop().unwrap_or_default(),
            report_timers,
        }
    }

    fn keyed(&self, t: &Tuple) -> u64 {
        let tuple = (u64::from(u32::from(t.local)) << 32 | u64::from(u32::from(t.remote)))
            ^ (u64::from(t.local_port) << 16 | u64::from(t.remote_port)).rotate_left(17);
        mix(self.secret ^ tuple)
    }
}
