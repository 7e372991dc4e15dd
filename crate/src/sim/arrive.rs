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
        if self.hosts[h].down {
            return self.drop_at(h, seg_id, DropCause::HostDown, why::HOST_CRASH, detailed);
        }
        if self.hosts[h].unplugged {
            return self.drop_at(h, seg_id, DropCause::NoRoute, why::UNPLUGGED, detailed);
        }
        if let Some(c) = self.hosts[h].find(seg.dst_port, src, seg.src_port) {
            let conn = &self.hosts[h].conns[c];
            let port = conn.listener;
            let completes = conn.tcb.completes_handshake(seg);
            if let (Some(port), true) = (port, completes) {
                if self.hosts[h].listeners[&port].listener.accept_queue_full() {
                    return self.accept_queue_overflow(h, c, src, seg, seg_id, detailed);
                }
            }
            self.delivered(h, seg_id, detailed);
            self.hosts[h].conns[c].tcb.handle_segment(now, seg);
            return self.flush(h, c);
        }
        let port = seg.dst_port;
        if !self.hosts[h].listeners.contains_key(&port) {
            self.delivered(h, seg_id, detailed);
            return self.reset(h, src, seg, why::CLOSED_PORT);
        }
        let f = seg.flags;
        if f.syn() && !f.ack() && !f.rst() {
            return self.listen_syn(h, port, src, seg, seg_id, detailed);
        }
        if f.ack() && !f.syn() && !f.rst() {
            let tuple = self.tuple(h, port, src, seg.src_port);
            let sock = &self.hosts[h].listeners[&port];
            let params = &self.hosts[h].params;
            if sock.listener.cookies_in_play(now, params) {
                if let Some(mss) = sock.listener.check_cookie(now, &tuple, seg.seq, seg.ack) {
                    return self.cookie_ack(h, port, src, seg, seg_id, mss, detailed);
                }
            }
        }
        // LISTEN answers any acknowledgment with <SEQ=SEG.ACK><CTL=RST> and ignores a RST.
        self.delivered(h, seg_id, detailed);
        self.reset(h, src, seg, why::LISTEN_ACK);
    }

    /// A SYN for a listening port: a half-open connection in the SYN queue, a cookie, or a drop.
    fn listen_syn(
        &mut self,
        h: HostId,
        port: u16,
        src: Ipv4Addr,
        seg: &Segment,
        seg_id: u32,
        detailed: bool,
    ) {
        let now = self.now;
        let host = &mut self.hosts[h];
        let params = host.params.clone();
        let sock = host
            .listeners
            .get_mut(&port)
            .expect("checked by the caller");
        match sock.listener.on_syn(now, &params) {
            SynVerdict::Queue => {
                self.delivered(h, seg_id, detailed);
                let host = &mut self.hosts[h];
                let sock = host
                    .listeners
                    .get_mut(&port)
                    .expect("checked by the caller");
                sock.listener.queue_syn();
                let auto_read = sock.listener.auto_read;
                let end = host.endpoint(now, port, src, seg.src_port, auto_read);
                let tcb = Tcb::accept_syn(now, end, seg);
                self.add_passive(h, port, src, seg.src_port, tcb, detailed);
            }
            SynVerdict::Cookie => {
                self.delivered(h, seg_id, detailed);
                let tuple = self.tuple(h, port, src, seg.src_port);
                let sock = &self.hosts[h].listeners[&port];
                let client_mss = seg.options.mss.unwrap_or(536);
                let cookie = sock.listener.cookie(now, &tuple, seg.seq, client_mss);
                let synack = Listener::cookie_synack(seg, cookie, params.mss);
                let tx = Transmit {
                    seg: synack,
                    why: why::SYNCOOKIE_SENT,
                    retrans: false,
                };
                self.emit(h, src, tx);
            }
            SynVerdict::DropSynQueueFull => {
                self.drop_at(
                    h,
                    seg_id,
                    DropCause::QueueFull,
                    why::SYN_QUEUE_FULL,
                    detailed,
                );
            }
            SynVerdict::DropAcceptQueueFull => {
                self.drop_at(
                    h,
                    seg_id,
                    DropCause::QueueFull,
                    why::ACCEPT_QUEUE_FULL,
                    detailed,
                );
            }
        }
        self.trace_queue(h, port);
    }

    /// An ACK carrying a valid cookie: the connection opens straight into the accept queue.
    #[allow(clippy::too_many_arguments)]
    fn cookie_ack(
        &mut self,
        h: HostId,
        port: u16,
        src: Ipv4Addr,
        seg: &Segment,
        seg_id: u32,
        mss: u16,
        detailed: bool,
    ) {
        let now = self.now;
        if self.hosts[h].listeners[&port].listener.accept_queue_full() {
            return self.drop_at(
                h,
                seg_id,
                DropCause::QueueFull,
                why::ACCEPT_QUEUE_FULL,
                detailed,
            );
        }
        self.delivered(h, seg_id, detailed);
        let host = &self.hosts[h];
        let auto_read = host.listeners[&port].listener.auto_read;
        let mut end = host.endpoint(now, port, src, seg.src_port, auto_read);
        end.iss = seg.ack - 1;
        let tcb = Tcb::accept_cookie(now, end, seg, mss);
        self.add_passive(h, port, src, seg.src_port, tcb, detailed);
    }

    /// The ACK would complete a handshake, but the accept queue is full. Linux drops it and
    /// lets the SYN,ACK be retransmitted (tcp_abort_on_overflow 0), or resets the connection
    /// (1).
    fn accept_queue_overflow(
        &mut self,
        h: HostId,
        c: usize,
        src: Ipv4Addr,
        seg: &Segment,
        seg_id: u32,
        detailed: bool,
    ) {
        if self.hosts[h].params.abort_on_overflow {
            self.delivered(h, seg_id, detailed);
            self.hosts[h].conns[c]
                .tcb
                .vanish(self.now, why::ACCEPT_QUEUE_OVERFLOW);
            self.flush(h, c);
            return self.reset(h, src, seg, why::ACCEPT_QUEUE_OVERFLOW);
        }
        self.drop_at(
            h,
            seg_id,
            DropCause::QueueFull,
            why::ACCEPT_QUEUE_FULL,
            detailed,
        );
    }

    fn add_passive(
        &mut self,
        h: HostId,
        port: u16,
        src: Ipv4Addr,
        sport: u16,
        tcb: Tcb,
        detailed: bool,
    ) {
        let id = self.conn_label(h, port, src, sport);
        let c = self.hosts[h].add(
            Conn {
                id,
                remote: src,
                tcb,
                wake: None,
                listener: Some(port),
                accepted: false,
                detailed,
            },
            self.trace.has_room(),
        );
        self.flush(h, c);
    }

    /// Answers a segment nobody owns with a reset, as RFC 9293 §3.10.7.1 and §3.10.7.2 say.
    fn reset(&mut self, h: HostId, to: Ipv4Addr, seg: &Segment, why: Why) {
        if let Some(rst) = tcp::reset_for_closed_port(seg) {
            let tx = Transmit {
                seg: rst,
                why,
                retrans: false,
            };
            self.emit(h, to, tx);
        }
    }

    fn delivered(&mut self, h: HostId, seg_id: u32, detailed: bool) {
        if detailed {
            self.record(Some(h), why::LINK_DELIVERY, EventKind::Deliver { seg_id });
        }
    }

    fn drop_at(&mut self, h: HostId, seg_id: u32, cause: DropCause, why: Why, detailed: bool) {
        if detailed {
            self.record(Some(h), why, EventKind::Drop { seg_id, cause });
        } else {
            self.trace.flood.dropped += 1;
        }
    }

    fn tuple(&self, h: HostId, port: u16, remote: Ipv4Addr, remote_port: u16) -> Tuple {
        Tuple {
            local: self.hosts[h].addr,
            local_port: port,
            remote,
            remote_port,
        }
    }
}
