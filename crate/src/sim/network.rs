//! The network between hosts: links with their delay and impairments, the scenario's targeted
//! faults, and putting a segment on the wire. Every random choice about a segment (loss,
//! jitter, reordering, duplication) is drawn when it is sent, from the scenario's RNG, and only
//! for impairments the scenario asked for, so adding none changes no other number.

use super::{flood, Pending, Sim};
use crate::scenario::{Fault, FaultEffect, LinkDecl, Ppm};
use crate::segment::Segment;
use crate::tcp::Transmit;
use crate::time::Duration;
use crate::trace::{DropCause, EventKind, HostId, Sent};
use crate::why;
use std::net::Ipv4Addr;

#[derive(Clone, Copy, Debug)]
pub(super) struct Link {
    pub a: HostId,
    pub b: HostId,
    pub delay: Duration,
    pub jitter: Duration,
    pub loss: Ppm,
    pub dup: Ppm,
    pub reorder: Ppm,
}

impl Link {
    pub fn new(a: HostId, b: HostId, decl: &LinkDecl) -> Link {
        Link {
            a,
            b,
            delay: decl.delay,
            jitter: decl.jitter,
            loss: decl.loss,
            dup: decl.dup,
            reorder: decl.reorder,
        }
    }
}

/// A scenario fault with its hosts resolved, and how many segments it has matched.
#[derive(Clone, Debug)]
pub(super) struct ActiveFault {
    pub fault: Fault,
    pub from: HostId,
    pub to: HostId,
    pub matched: u32,
}

/// What the network will do with one segment.
struct Fate {
    /// Dies on the way (and why), or arrives after this long.
    lost: Option<(DropCause, why::Why)>,
    delay: Duration,
    /// A second copy arrives this much after the first.
    duplicate: Option<Duration>,
}

impl Sim {
    /// Puts a segment from host `h` on the wire towards `dst`: traces it (or counts it, for a
    /// flood past its detail), and schedules its arrival or its loss.
    pub(super) fn emit(&mut self, h: HostId, dst: Ipv4Addr, tx: Transmit) {
        let src = self.hosts[h].addr;
        self.emit_from(h, src, dst, tx);
    }

    /// As [`Sim::emit`], from a source address that need not be `h`'s own (a spoofed one).
    pub(super) fn emit_from(&mut self, h: HostId, src: Ipv4Addr, dst: Ipv4Addr, tx: Transmit) {
        let seg = tx.seg;
        let id = self.next_seg;
        self.next_seg += 1;
        let to = self.trace.host_of(dst);
        let fate = self.fate(h, to, dst, &seg);
        let detailed = self.detail_for(src, dst);
        let eta = match fate.lost {
            None => Some(self.now + fate.delay),
            Some(_) => None,
        };
        if detailed && !self.trace.has_room() {
            // A full trace only counts it: spare building the record.
            self.trace.unrecorded += 1;
        } else if detailed {
            let (rseq, rack) = self.relative(src, dst, &seg);
            let sent = Sent {
                id,
                src,
                dst,
                seg: seg.clone(),
                rseq,
                rack,
                retrans: tx.retrans,
                eta,
            };
            if src != self.hosts[h].addr && flood::is_spoofed(src) {
                self.trace.hosts[h].spoofing = true;
            }
            self.trace.push_send(self.now, h, tx.why, sent);
        } else {
            self.count_flood_segment(&seg, fate.lost.is_some());
        }
        match fate.lost {
            None => {
                let arrive = |seg| Pending::Arrive {
                    seg_id: id,
                    src,
                    dst,
                    seg,
                    detailed,
                };
                if let Some(after) = fate.duplicate {
                    let copy = arrive(seg.clone());
                    self.schedule(self.now + fate.delay + after, copy);
                }
                self.schedule(self.now + fate.delay, arrive(seg));
            }
            Some((cause, why)) if detailed => {
                // A segment lost on a link dies halfway along it; one with no way out dies here.
                let halfway = Duration::from_micros(fate.delay.micros() / 2);
                if halfway > Duration::ZERO {
                    let lost = Pending::Lost {
                        seg_id: id,
                        cause,
                        why,
                    };
                    self.schedule(self.now + halfway, lost);
                } else {
                    self.record(Some(h), why, EventKind::Drop { seg_id: id, cause });
                }
            }
            Some(_) => {}
        }
    }

    /// Decides the segment's fate: the link's delay and impairments, then the faults.
    fn fate(&mut self, from: HostId, to: Option<HostId>, dst: Ipv4Addr, seg: &Segment) -> Fate {
        let mut fate = Fate {
            lost: None,
            delay: Duration::ZERO,
            duplicate: None,
        };
        let link = match to {
            Some(to) => self.link(from, to).copied(),
            // A spoofed or unknown address: reachable over the sender's link to a live
            // spoofed host, and otherwise nowhere.
            None if super::flood::is_live_spoofed(dst) => self.any_link(from).copied(),
            None => None,
        };
        let Some(link) = link else {
            fate.lost = Some((DropCause::NoRoute, why::NO_ROUTE));
            return fate;
        };
        if self.hosts[from].unplugged || to.is_some_and(|t| self.hosts[t].unplugged) {
            fate.lost = Some((DropCause::NoRoute, why::UNPLUGGED));
            fate.delay = link.delay;
            return fate;
        }
        let d = &link;
        fate.delay = d.delay;
        if self.chance(d.loss) {
            fate.lost = Some((DropCause::Loss, why::LINK_LOSS));
        }
        if d.jitter > Duration::ZERO {
            let extra = self.rng.next_u64() % (d.jitter.micros() + 1);
            fate.delay = fate.delay + Duration::from_micros(extra);
        }
        if self.chance(d.reorder) {
            // Held back by a whole link delay: the segments behind it overtake it.
            fate.delay = fate.delay + d.delay.max(Duration::from_millis(1));
        }
        if self.chance(d.dup) {
            fate.duplicate = Some(Duration::from_millis(1));
        }
        if let Some(to) = to {
            self.apply_faults(from, to, seg, &mut fate);
        }
        fate
    }

    /// Counts the segment against every fault for its direction, and applies those it hits.
    fn apply_faults(&mut self, from: HostId, to: HostId, seg: &Segment, fate: &mut Fate) {
        for active in &mut self.faults {
            if (active.from, active.to) != (from, to) || !active.fault.matches(seg.flags, seg.len) {
                continue;
            }
            active.matched += 1;
            if active.fault.nth.is_some_and(|n| n != active.matched) {
                continue;
            }
            match active.fault.effect {
                FaultEffect::Drop => fate.lost = Some((DropCause::Rule, why::FAULT_DROP)),
                FaultEffect::Delay(by) => fate.delay = fate.delay + by,
                FaultEffect::Duplicate(by) => fate.duplicate = Some(by),
            }
        }
    }

    /// Draws against a probability, without touching the RNG when it is zero.
    fn chance(&mut self, p: Ppm) -> bool {
        p.0 > 0 && (self.rng.next_u64() % u64::from(Ppm::ONE)) < u64::from(p.0)
    }

    pub(super) fn link(&self, a: HostId, b: HostId) -> Option<&Link> {
        self.links
            .iter()
            .find(|l| (l.a, l.b) == (a, b) || (l.a, l.b) == (b, a))
    }

    /// The first link of a host (an attacker's way into the network).
    pub(super) fn any_link(&self, a: HostId) -> Option<&Link> {
        self.links.iter().find(|l| l.a == a || l.b == a)
    }

    /// Sequence numbers relative to the first one seen in each direction, as Wireshark shows
    /// them; a SYN starts its direction afresh (a new incarnation of the 4-tuple).
    fn relative(&mut self, src: Ipv4Addr, dst: Ipv4Addr, seg: &Segment) -> (u32, u32) {
        let fwd = (src, seg.src_port, dst, seg.dst_port);
        let rev = (dst, seg.dst_port, src, seg.src_port);
        if seg.flags.syn() {
            self.seq_bases.insert(fwd, seg.seq);
        }
        let base = *self.seq_bases.entry(fwd).or_insert(seg.first_seen_base());
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
