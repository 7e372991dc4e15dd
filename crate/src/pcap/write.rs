//! A run as a classic pcap file: one Ethernet II frame per segment the trace records, at the
//! virtual time it was sent, with real IPv4 and TCP headers (checksums and options included)
//! and a zero-filled payload of the segment's length.

use super::{ETHERTYPE_IPV4, LINKTYPE_ETHERNET};
use crate::trace::Trace;
use crate::wire;
use std::net::Ipv4Addr;

/// The pcap magic number for microsecond timestamps, written little-endian.
const MAGIC_MICROS: u32 = 0xa1b2_c3d4;
/// The largest frame a record may hold; the longest segment fits in an IPv4 packet.
const SNAPLEN: u32 = 262_144;
/// IPv4's default time to live, as Linux sends it.
const TTL: u8 = 64;

/// The capture of `trace`: every segment it records in full, in the order they were sent.
/// A flood's segments past its detail are only counted by the trace, so they are not here.
pub fn write(trace: &Trace) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&MAGIC_MICROS.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes()); // version 2.4
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes()); // thiszone: UTC
    out.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
    out.extend_from_slice(&SNAPLEN.to_le_bytes());
    out.extend_from_slice(&LINKTYPE_ETHERNET.to_le_bytes());
    for (event, sent) in trace.sent_segments() {
        let frame = frame(sent.src, sent.dst, &sent.seg, sent.id as u16);
        let micros = event.t.micros();
        let len = frame.len() as u32;
        out.extend_from_slice(&((micros / 1_000_000) as u32).to_le_bytes());
        out.extend_from_slice(&((micros % 1_000_000) as u32).to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes()); // bytes saved
        out.extend_from_slice(&len.to_le_bytes()); // bytes on the wire
        out.extend_from_slice(&frame);
    }
    out
}

/// One Ethernet II frame carrying the segment: addresses made up from the IPv4 addresses
/// (locally administered, `02:00:` then the four octets), so each host keeps one.
fn frame(src: Ipv4Addr, dst: Ipv4Addr, seg: &crate::segment::Segment, ip_id: u16) -> Vec<u8> {
    let headers = wire::headers(seg, src, dst, ip_id, TTL);
    let mut frame = Vec::with_capacity(14 + headers.len() + seg.len as usize);
    frame.extend_from_slice(&mac(dst));
    frame.extend_from_slice(&mac(src));
    frame.extend_from_slice(&ETHERTYPE_IPV4.to_be_bytes());
    frame.extend_from_slice(&headers);
    frame.resize(frame.len() + seg.len as usize, 0);
    frame
}

fn mac(addr: Ipv4Addr) -> [u8; 6] {
    let [a, b, c, d] = addr.octets();
    [0x02, 0x00, a, b, c, d]
}
