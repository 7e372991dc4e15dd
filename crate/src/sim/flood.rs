//! Attackers: SYN floods from spoofed source addresses.
//!
//! Spoofed addresses come from 198.18.0.0/15, the range RFC 2544 sets aside for benchmarks, so
//! they never belong to a scenario's host: 198.18.0.0/16 for "live" sources, which answer an
//! unexpected SYN,ACK with RST as a real host would, and 198.19.0.0/16 for sources where
//! nobody answers.
//!
//! A flood keeps full detail in the trace for its first segments only; after that its segments
//! are counted in the trace's flood summary, so a million-SYN flood does not hold a million
//! trace objects.

use super::{Pending, Sim};
use crate::scenario::Flood;
use crate::segment::{Flags, Options, Segment};
use crate::seq::SeqNum;
use crate::tcp::{reset_for_closed_port, Transmit};
use crate::time::{Duration, Instant};
use crate::trace::HostId;
use crate::why;
use std::net::Ipv4Addr;

/// Flood segments traced in full before the rest are only counted.
pub const FLOOD_DETAIL: u32 = 24;

const LIVE: u32 = 0xC612_0000; // 198.18.0.0/16
const DEAD: u32 = 0xC613_0000; // 198.19.0.0/16

pub fn is_spoofed(addr: Ipv4Addr) -> bool {
    u32::from(addr) & 0xFFFE_0000 == LIVE
}

pub fn is_live_spoofed(addr: Ipv4Addr) -> bool {
    u32::from(addr) & 0xFFFF_0000 == LIVE
}

/// A flood in progress.
#[derive(Clone, Debug)]
pub(super) struct FloodRun {
    pub attacker: HostId,
    pub target: Ipv4Addr,
    pub flood: Flood,
    pub start: Instant,
    pub sent: u32,
}

impl Sim {
    pub(super) fn start_flood(&mut self, attacker: HostId, flood: Flood) {
        let Some(target) = self.host_named(&flood.host).map(|t| self.hosts[t].addr) else {
            return;
        };
        self.floods.push(FloodRun {
            attacker,
            target,
            flood,
            start: self.now,
            sent: 0,
        });
        let index = self.floods.len() - 1;
        self.schedule(self.now, Pending::FloodTick { index });
        if self.floods[index].flood.spoof_live {
            self.ghost_host = Some(attacker);
        }
    }

    /// Sends the flood's next SYN and schedules the one after it.
    pub(super) fn on_flood_tick(&mut self, index: usize) {
        let run = &mut self.floods[index];
        let (attacker, target, port, live) = (
            run.attacker,
            run.target,
            run.flood.port,
            run.flood.spoof_live,
        );
        run.sent += 1;
        let next = (run.sent < run.flood.count).then(|| {
            // Exact spacing: the kth SYN leaves at start + k / rate, to the microsecond.
            let k = u64::from(run.sent);
            run.start + Duration::from_micros(k * 1_000_000 / u64::from(run.flood.rate))
        });
        let base = if live { LIVE } else { DEAD };
        let src = Ipv4Addr::from(base | (self.rng.next_u64() as u32 & 0xFFFF).max(1));
        let syn = Segment {
            src_port: self.rng.range(1024, 65535) as u16,
            dst_port: port,
            seq: SeqNum(self.rng.next_u64() as u32),
            ack: SeqNum(0),
            flags: Flags::SYN,
            window: 64240,
            options: Options {
                mss: Some(1460),
                ..Options::default()
            },
            len: 0,
        };
        if !self.hosts[attacker].down {
            let tx = Transmit {
                seg: syn,
                why: why::FLOOD_SYN,
                retrans: false,
            };
            self.emit_from(attacker, src, target, tx);
        }
        if let Some(at) = next {
            self.schedule(at, Pending::FloodTick { index });
        }
    }

    /// A segment reached a live spoofed address: that host knows no such connection and
    /// answers as a closed port does (RFC 9293 §3.10.7.1), which frees the server's slot.
    pub(super) fn ghost_answer(&mut self, src: Ipv4Addr, dst: Ipv4Addr, seg: &Segment) {
        let (Some(attacker), Some(rst)) = (self.ghost_host, reset_for_closed_port(seg)) else {
            return;
        };
        let tx = Transmit {
            seg: rst,
            why: why::CLOSED_PORT,
            retrans: false,
        };
        self.emit_from(attacker, dst, src, tx);
    }

    /// Whether a segment between these addresses goes to the trace in full: always, unless
    /// it is flood traffic and the flood's detail is spent.
    pub(super) fn detail_for(&mut self, src: Ipv4Addr, dst: Ipv4Addr) -> bool {
        if !is_spoofed(src) && !is_spoofed(dst) {
            return true;
        }
        if self.flood_detail_left > 0 {
            self.flood_detail_left -= 1;
            return true;
        }
        false
    }

    pub(super) fn count_flood_segment(&mut self, seg: &Segment, lost: bool) {
        let now = self.now;
        let summary = &mut self.trace.flood;
        summary.segments += 1;
        summary.first.get_or_insert(now);
        summary.last = Some(now);
        if seg.flags.rst() {
            summary.rsts += 1;
        } else if seg.flags.syn() && seg.flags.ack() {
            summary.synacks += 1;
        } else if seg.flags.syn() {
            summary.syns += 1;
        }
        if lost {
            summary.lost += 1;
        }
    }
}
