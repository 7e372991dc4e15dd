//! A segment reaches a host: the connection its 4-tuple names takes it (through its listener,
//! if the listener opened it), or else the listening socket on its port, or else nobody, and
//! the host answers with a reset (RFC 9293 §3.10.7.1). What TCP does is decided in `tcp/`;
//! this file routes the segment and traces what happened.

use super::host::Conn;
use super::{flood, Sim};
use crate::segment::Segment;
use crate::tcp::{self, Listened, State, Transmit};
use crate::trace::{DropCause, EventKind, HostId};
use crate::why::{self, Why};
use std::net::Ipv4Addr;

/// A segment that has reached host `h`.
struct Arrival<'a> {
    h: HostId,
    src: Ipv4Addr,
    seg: &'a Segment,
    seg_id: u32,
    /// Its events go to the trace (it is not a flood segment past the trace's detail).
    detailed: bool,
}

impl Sim {
    pub(super) fn on_arrive(
        &mut self,
        seg_id: u32,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        seg: &Segment,
        detailed: bool,
    ) {
        let now = self.now;
        let Some(h) = self.trace.host_of(dst) else {
            if flood::is_live_spoofed(dst) {
                self.ghost_answer(src, dst, seg);
            }
            return;
        };
        let a = Arrival {
            h,
            src,
            seg,
            seg_id,
            detailed,
        };
        if self.hosts[h].down {
            return self.drop_at(&a, DropCause::HostDown, why::HOST_CRASH);
        }
        if self.hosts[h].unplugged {
            return self.drop_at(&a, DropCause::NoRoute, why::UNPLUGGED);
        }
        if let Some(c) = self.hosts[h].find(seg.dst_port, src, seg.src_port) {
            let host = &mut self.hosts[h];
            let conn = &mut host.conns[c];
            let listened = match conn.listener {
                Some(port) => {
                    let sock = host.listeners.get_mut(&port).expect("a child's listener");
                    (sock.listener).handle_child_segment(now, &mut conn.tcb, seg, &host.params)
                }
                None => {
                    conn.tcb.handle_segment(now, seg);
                    Listened::Delivered
                }
            };
            return self.after_listened(&a, listened, Some(c), None);
        }
        let port = seg.dst_port;
        let host = &mut self.hosts[h];
        let tuple = host.tuple(port, src, seg.src_port);
        let Some(sock) = host.listeners.get_mut(&port) else {
            self.delivered(&a);
            return self.reset(&a, why::CLOSED_PORT);
        };
        let (params, opener) = (&host.params, &mut host.opener);
        // Whether anybody will record its timers, once this segment's delivery is recorded.
        let report_timers = detailed && self.trace.has_room_for(2);
        let open = || opener.endpoint(params, now, &tuple, report_timers);
        let listened = (sock.listener).handle_segment(now, seg, &tuple, params, open);
        self.after_listened(&a, listened, None, Some(port));
    }

    /// Traces what the connection `c` or the listener on `port` did with the segment, and
    /// lets what it caused happen.
    fn after_listened(
        &mut self,
        a: &Arrival,
        listened: Listened,
        c: Option<usize>,
        port: Option<u16>,
    ) {
        match listened {
            Listened::Spawn(tcb) => {
                self.delivered(a);
                let port = port.expect("only a listener spawns");
                self.add_passive(a, port, tcb);
            }
            Listened::Reply(tx) => {
                self.delivered(a);
                if let Some(c) = c {
                    self.flush(a.h, c);
                }
                self.emit(a.h, a.src, tx);
            }
            Listened::Delivered | Listened::Ignored => {
                self.delivered(a);
                if let Some(c) = c {
                    self.flush(a.h, c);
                }
            }
            Listened::Dropped(why) => self.drop_at(a, DropCause::QueueFull, why),
        }
        if let Some(port) = port {
            self.trace_queue(a.h, port);
        }
    }

    fn add_passive(&mut self, a: &Arrival, port: u16, tcb: tcp::Tcb) {
        let id = self.conn_label(a.h, port, a.src, a.seg.src_port);
        let reuse = self.hosts[a.h].listeners[&port].reuse;
        let conn = Conn {
            id,
            remote: a.src,
            young: tcb.state() == State::SynReceived,
            tcb,
            wake: None,
            listener: Some(port),
            accepted: false,
            detailed: a.detailed,
            reuse,
        };
        let c = self.hosts[a.h].add(conn);
        self.flush(a.h, c);
    }

    /// Answers a segment nobody owns with a reset, as RFC 9293 §3.10.7.1 says.
    fn reset(&mut self, a: &Arrival, why: Why) {
        if let Some(rst) = tcp::reset_for_closed_port(a.seg) {
            self.emit(a.h, a.src, Transmit::new(rst, why));
        }
    }

    fn delivered(&mut self, a: &Arrival) {
        if a.detailed {
            let seg_id = a.seg_id;
            self.record(Some(a.h), why::LINK_DELIVERY, EventKind::Deliver { seg_id });
        }
    }

    fn drop_at(&mut self, a: &Arrival, cause: DropCause, why: Why) {
        if a.detailed {
            let seg_id = a.seg_id;
            self.record(Some(a.h), why, EventKind::Drop { seg_id, cause });
        } else {
            self.trace.flood.dropped += 1;
        }
    }
}
