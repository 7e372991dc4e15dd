//! A segment reaches a host: its connection takes it, or its listening socket (RFC 9293
//! §3.10.7.2, with Linux's SYN queue, accept queue and SYN cookies), or nobody, and the host
//! answers with a reset (RFC 9293 §3.10.7.1).

use super::host::Conn;
use super::{flood, Sim};
use crate::segment::Segment;
use crate::tcp::{self, Listener, SynVerdict, Tcb, Transmit, Tuple};
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
            let conn = &self.hosts[h].conns[c];
            let completes = conn.tcb.completes_handshake(seg);
            if let (Some(port), true) = (conn.listener, completes) {
                if self.hosts[h].listeners[&port].listener.accept_queue_full() {
                    return self.accept_queue_overflow(&a, c);
                }
            }
            self.delivered(&a);
            self.hosts[h].conns[c].tcb.handle_segment(now, seg);
            return self.flush(h, c);
        }
        let port = seg.dst_port;
        if !self.hosts[h].listeners.contains_key(&port) {
            self.delivered(&a);
            return self.reset(&a, why::CLOSED_PORT);
        }
        let f = seg.flags;
        if f.syn() && !f.ack() && !f.rst() {
            return self.listen_syn(&a, port);
        }
        if f.ack() && !f.syn() && !f.rst() {
            let tuple = self.tuple(&a, port);
            let sock = &self.hosts[h].listeners[&port];
            let params = &self.hosts[h].params;
            if sock.listener.cookies_in_play(now, params) {
                if let Some(mss) = sock.listener.check_cookie(now, &tuple, seg.seq, seg.ack) {
                    return self.cookie_ack(&a, port, mss);
                }
            }
        }
        // LISTEN answers any acknowledgment with <SEQ=SEG.ACK><CTL=RST> and ignores a RST.
        self.delivered(&a);
        self.reset(&a, why::LISTEN_ACK);
    }

    /// A SYN for a listening port: a half-open connection in the SYN queue, a cookie, or a drop.
    fn listen_syn(&mut self, a: &Arrival, port: u16) {
        let (now, h, seg) = (self.now, a.h, a.seg);
        let host = &mut self.hosts[h];
        let sock = host
            .listeners
            .get_mut(&port)
            .expect("checked by the caller");
        match sock.listener.on_syn(now, &host.params) {
            SynVerdict::Queue => {
                self.delivered(a);
                let host = &mut self.hosts[h];
                let sock = host
                    .listeners
                    .get_mut(&port)
                    .expect("checked by the caller");
                sock.listener.queue_syn();
                let auto_read = sock.listener.auto_read;
                let end = host.endpoint(now, port, a.src, seg.src_port, auto_read);
                let tcb = Tcb::accept_syn(now, end, seg);
                self.add_passive(a, port, tcb);
            }
            SynVerdict::Cookie => {
                self.delivered(a);
                let tuple = self.tuple(a, port);
                let sock = &self.hosts[h].listeners[&port];
                let client_mss = seg.options.mss.unwrap_or(536);
                let cookie = sock.listener.cookie(now, &tuple, seg.seq, client_mss);
                let synack = Listener::cookie_synack(seg, cookie, self.hosts[h].params.mss);
                let tx = Transmit {
                    seg: synack,
                    why: why::SYNCOOKIE_SENT,
                    retrans: false,
                };
                self.emit(h, a.src, tx);
            }
            SynVerdict::DropSynQueueFull => {
                self.drop_at(a, DropCause::QueueFull, why::SYN_QUEUE_FULL);
            }
            SynVerdict::DropAcceptQueueFull => {
                self.drop_at(a, DropCause::QueueFull, why::ACCEPT_QUEUE_FULL);
            }
        }
        self.trace_queue(h, port);
    }

    /// An ACK carrying a valid cookie: the connection opens straight into the accept queue.
    fn cookie_ack(&mut self, a: &Arrival, port: u16, mss: u16) {
        let (now, seg) = (self.now, a.seg);
        if self.hosts[a.h].listeners[&port]
            .listener
            .accept_queue_full()
        {
            return self.drop_at(a, DropCause::QueueFull, why::ACCEPT_QUEUE_FULL);
        }
        self.delivered(a);
        let host = &mut self.hosts[a.h];
        let auto_read = host.listeners[&port].listener.auto_read;
        let mut end = host.endpoint(now, port, a.src, seg.src_port, auto_read);
        end.iss = seg.ack - 1;
        let tcb = Tcb::accept_cookie(now, end, seg, mss);
        self.add_passive(a, port, tcb);
    }

    /// The ACK would complete a handshake, but the accept queue is full. Linux drops it and
    /// lets the SYN,ACK be retransmitted (tcp_abort_on_overflow 0), or resets the connection
    /// (1).
    fn accept_queue_overflow(&mut self, a: &Arrival, c: usize) {
        if self.hosts[a.h].params.abort_on_overflow {
            self.delivered(a);
            let why = why::ACCEPT_QUEUE_OVERFLOW;
            self.hosts[a.h].conns[c].tcb.vanish(self.now, why);
            self.flush(a.h, c);
            return self.reset(a, why);
        }
        self.drop_at(a, DropCause::QueueFull, why::ACCEPT_QUEUE_FULL);
    }

    fn add_passive(&mut self, a: &Arrival, port: u16, tcb: Tcb) {
        let id = self.conn_label(a.h, port, a.src, a.seg.src_port);
        let conn = Conn {
            id,
            remote: a.src,
            tcb,
            wake: None,
            listener: Some(port),
            accepted: false,
            detailed: a.detailed,
        };
        let c = self.hosts[a.h].add(conn, self.trace.has_room());
        self.flush(a.h, c);
    }

    /// Answers a segment nobody owns with a reset, as RFC 9293 §3.10.7.1 and §3.10.7.2 say.
    fn reset(&mut self, a: &Arrival, why: Why) {
        if let Some(rst) = tcp::reset_for_closed_port(a.seg) {
            let tx = Transmit {
                seg: rst,
                why,
                retrans: false,
            };
            self.emit(a.h, a.src, tx);
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

    fn tuple(&self, a: &Arrival, port: u16) -> Tuple {
        Tuple {
            local: self.hosts[a.h].addr,
            local_port: port,
            remote: a.src,
            remote_port: a.seg.src_port,
        }
    }
}
