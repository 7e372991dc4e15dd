//! A simulated host: its address, its TCP parameters, its listening ports and its connections.

use super::rng::{mix, Rng};
use crate::profile::Params;
use crate::seq::SeqNum;
use crate::tcp::{Endpoint, State, Tcb};
use crate::time::Instant;
use crate::trace::ConnId;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// Linux's default ephemeral port range (net.ipv4.ip_local_port_range).
const EPHEMERAL: (u32, u32) = (32768, 60999);

#[derive(Clone, Debug)]
pub struct Listener {
    /// The socket's trace label, `server:80`.
    pub conn: ConnId,
    pub backlog: u32,
    /// Its application reads data as it arrives.
    pub auto_read: bool,
}

#[derive(Clone, Debug)]
pub struct Conn {
    pub id: ConnId,
    pub remote: Ipv4Addr,
    pub tcb: Tcb,
    /// The wake-up scheduled for this connection's timers: its key in the event queue.
    pub wake: Option<(Instant, u64)>,
}

#[derive(Clone, Debug)]
pub struct Host {
    pub name: String,
    pub addr: Ipv4Addr,
    pub params: Params,
    pub listeners: BTreeMap<u16, Listener>,
    pub conns: Vec<Conn>,
    /// Crashed and not yet rebooted: it neither sends nor answers.
    pub down: bool,
    /// The secret key of RFC 6528's ISN function, drawn from the scenario's seed.
    secret: u64,
}

impl Host {
    pub fn new(name: String, addr: Ipv4Addr, params: Params, rng: &mut Rng) -> Host {
        Host {
            name,
            addr,
            params,
            listeners: BTreeMap::new(),
            conns: Vec::new(),
            down: false,
            secret: rng.next_u64(),
        }
    }

    /// The live connection for this 4-tuple, if any.
    pub fn find(&self, local_port: u16, remote: Ipv4Addr, remote_port: u16) -> Option<usize> {
        self.conns.iter().rposition(|c| {
            c.tcb.state() != State::Closed
                && c.tcb.local_port() == local_port
                && c.remote == remote
                && c.tcb.remote_port() == remote_port
        })
    }

    /// The connection an application call without a target means: the newest live one.
    pub fn newest_live(&self) -> Option<usize> {
        self.conns
            .iter()
            .rposition(|c| c.tcb.state() != State::Closed)
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

    /// What a new connection on this 4-tuple starts from.
    pub fn endpoint(
        &self,
        now: Instant,
        local_port: u16,
        remote: Ipv4Addr,
        remote_port: u16,
        auto_read: bool,
    ) -> Endpoint {
        let tuple = (u64::from(u32::from(self.addr)) << 32 | u64::from(u32::from(remote)))
            ^ (u64::from(local_port) << 16 | u64::from(remote_port)).rotate_left(17);
        let keyed = mix(self.secret ^ tuple);
        // RFC 6528 §3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), where
        // M is a clock ticking every 4 microseconds.
        let m = (now.micros() / 4) as u32;
        let iss = self
            .params
            .isn
            .map(SeqNum)
            .unwrap_or(SeqNum(m.wrapping_add(keyed as u32)));
        Endpoint {
            params: self.params.clone(),
            local_port,
            remote_port,
            iss,
            // RFC 7323 §5.4: a per-connection random offset for the timestamp clock.
            ts_offset: (keyed >> 32) as u32,
            auto_read,
        }
    }
}
