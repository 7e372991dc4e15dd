//! The IPv4 header (RFC 791 §3.1): written for a segment, and read from a capture.

use super::{checksum, Field, WireError};
use std::net::Ipv4Addr;

/// The protocol number of TCP in the IPv4 header and the pseudo-header (RFC 9293 §3.1).
pub const PROTO_TCP: u8 = 6;
/// The header without options, in bytes (RFC 791 §3.1).
pub const HEADER_LEN: usize = 20;
/// Don't Fragment, in the flags and fragment offset word (RFC 791 §3.1).
const DONT_FRAGMENT: u16 = 0x4000;

/// An IPv4 header without options for a TCP segment of `tcp_len` bytes (header plus payload):
/// version 4, IHL 5, TOS 0, Don't Fragment set, fragment offset 0, protocol 6 and a correct
/// header checksum (RFC 791 §3.1). The total length is a 16-bit field and wraps past 65535,
/// which no IPv4 packet can exceed.
pub fn emit(src: Ipv4Addr, dst: Ipv4Addr, tcp_len: usize, id: u16, ttl: u8) -> [u8; 20] {
    let total_len = (HEADER_LEN + tcp_len) as u16;
    let mut header = [0u8; HEADER_LEN];
    header[0] = 0x45; // version 4, IHL 5 words
    header[2..4].copy_from_slice(&total_len.to_be_bytes());
    header[4..6].copy_from_slice(&id.to_be_bytes());
    header[6..8].copy_from_slice(&DONT_FRAGMENT.to_be_bytes());
    header[8] = ttl;
    header[9] = PROTO_TCP;
    header[12..16].copy_from_slice(&src.octets());
    header[16..20].copy_from_slice(&dst.octets());
    let sum = checksum(&[&header]);
    header[10..12].copy_from_slice(&sum.to_be_bytes());
    header
}

/// The fixed part of an IPv4 header as read (RFC 791 §3.1). Nothing is checked beyond what
/// reading needs: the version, a header length of at least 5 words, and 20 bytes to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4Header {
    /// The header's length in bytes (IHL × 4).
    pub header_len: usize,
    pub tos: u8,
    /// The total length field, header and payload; 0 where segmentation offload left it so.
    pub total_len: u16,
    pub id: u16,
    /// The flags (3 bits) and fragment offset (13 bits) word.
    pub flags_fragment: u16,
    pub ttl: u8,
    pub protocol: u8,
    pub checksum: u16,
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
}

impl Ipv4Header {
    /// Reads the header at the start of `bytes`.
    pub fn parse(bytes: &[u8]) -> Result<Ipv4Header, WireError> {
        let &first = bytes.first().ok_or(WireError::Truncated)?;
        if first >> 4 != 4 {
            return Err(WireError::Malformed);
        }
        // IHL counts 32-bit words; 5 is the least (RFC 791 §3.1).
        let header_len = usize::from(first & 0x0f) * 4;
        if header_len < HEADER_LEN {
            return Err(WireError::Malformed);
        }
        let b: &[u8; HEADER_LEN] = bytes
            .get(..HEADER_LEN)
            .and_then(|b| b.try_into().ok())
            .ok_or(WireError::Truncated)?;
        let word = |at: usize| u16::from_be_bytes([b[at], b[at + 1]]);
        let addr = |at: usize| Ipv4Addr::new(b[at], b[at + 1], b[at + 2], b[at + 3]);
        Ok(Ipv4Header {
            header_len,
            tos: b[1],
            total_len: word(2),
            id: word(4),
            flags_fragment: word(6),
            ttl: b[8],
            protocol: b[9],
            checksum: word(10),
            src: addr(12),
            dst: addr(16),
        })
    }

    /// More Fragments set or a fragment offset: a piece of a larger packet (RFC 791 §3.2).
    pub fn is_fragment(&self) -> bool {
        self.flags_fragment & 0x3fff != 0
    }

    /// The header's fields at their bit offsets (RFC 791 §3.1's figure).
    pub fn fields(&self) -> Vec<Field> {
        vec![
            Field::new("version", 0, 4, 4),
            Field::new("header length", 4, 4, self.header_len as u64 / 4),
            Field::new("type of service", 8, 8, self.tos.into()),
            Field::new("total length", 16, 16, self.total_len.into()),
            Field::new("identification", 32, 16, self.id.into()),
            Field::new("flags", 48, 3, (self.flags_fragment >> 13).into()),
            Field::new(
                "fragment offset",
                51,
                13,
                (self.flags_fragment & 0x1fff).into(),
            ),
            Field::new("time to live", 64, 8, self.ttl.into()),
            Field::new("protocol", 72, 8, self.protocol.into()),
            Field::new("header checksum", 80, 16, self.checksum.into()),
            Field::address("source address", 96, self.src),
            Field::address("destination address", 128, self.dst),
        ]
    }
}

/// The IPv4 pseudo-header the TCP checksum covers: source, destination, a zero byte, the
/// protocol and the TCP length, header plus payload (RFC 9293 §3.1).
pub fn pseudo_header(src: Ipv4Addr, dst: Ipv4Addr, tcp_len: usize) -> [u8; 12] {
    let mut pseudo = [0u8; 12];
    pseudo[0..4].copy_from_slice(&src.octets());
    pseudo[4..8].copy_from_slice(&dst.octets());
    pseudo[9] = PROTO_TCP;
    pseudo[10..12].copy_from_slice(&(tcp_len as u16).to_be_bytes());
    pseudo
}

/// The pseudo-header's fields at their bit offsets (RFC 9293 §3.1): never sent, but summed.
pub fn pseudo_fields(src: Ipv4Addr, dst: Ipv4Addr, tcp_len: usize) -> Vec<Field> {
    vec![
        Field::address("source address", 0, src),
        Field::address("destination address", 32, dst),
        Field::new("zero", 64, 8, 0),
        Field::new("protocol", 72, 8, PROTO_TCP.into()),
        Field::new("TCP length", 80, 16, tcp_len as u64),
    ]
}
