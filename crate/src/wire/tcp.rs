//! The TCP header (RFC 9293 §3.1): written for a simulated segment, read from a capture, and
//! laid out field by field for the inspector.

use super::{checksum, ipv4::pseudo_header, option, Field, WireError};
use crate::segment::{Flags, Segment};
use crate::seq::SeqNum;
use std::net::Ipv4Addr;

/// The header without options, in bytes (RFC 9293 §3.1).
pub const HEADER_LEN: usize = 20;

/// The TCP header of `seg` sent from `src` to `dst`: the fixed fields, the options and the
/// checksum (RFC 9293 §3.1).
///
/// The payload is taken to be `seg.len` zero bytes: the simulator does not carry payload bytes,
/// so the checksum is that of a zero-filled payload. Zeros do not change a ones'-complement sum,
/// so only the payload's length matters, through the pseudo-header's TCP length (header plus
/// payload; it is a 16-bit field, and a segment too long for it cannot travel in IPv4 anyway).
///
/// The acknowledgment field carries `seg.ack` only when ACK is set and is zero otherwise, as
/// real stacks send it (RFC 9293 §3.1: it is meaningful only with ACK). The data offset counts
/// the header's 32-bit words; the reserved bits, CWR, ECE and the urgent pointer are zero (the
/// simulator models none of them). Options follow Linux's layout, see [`option::emit`].
pub fn emit(seg: &Segment, src: Ipv4Addr, dst: Ipv4Addr) -> Vec<u8> {
    let options = option::emit(&seg.options);
    let header_len = HEADER_LEN + options.len();
    let ack = if seg.flags.ack() { seg.ack.0 } else { 0 };

    let mut header = Vec::with_capacity(header_len);
    header.extend_from_slice(&seg.src_port.to_be_bytes());
    header.extend_from_slice(&seg.dst_port.to_be_bytes());
    header.extend_from_slice(&seg.seq.0.to_be_bytes());
    header.extend_from_slice(&ack.to_be_bytes());
    // Data offset in the high nibble, the reserved bits below it zero (RFC 9293 §3.1).
    header.push(((header_len / 4) as u8) << 4);
    header.push(seg.flags.bits());
    header.extend_from_slice(&seg.window.to_be_bytes());
    header.extend_from_slice(&[0, 0]); // checksum, filled in below
    header.extend_from_slice(&[0, 0]); // urgent pointer
    header.extend_from_slice(&options);
    debug_assert_eq!(header.len(), header_len);

    let tcp_len = header_len + seg.len as usize;
    let pseudo = pseudo_header(src, dst, tcp_len);
    let sum = checksum(&[&pseudo, &header]);
    header[16..18].copy_from_slice(&sum.to_be_bytes());
    header
}

/// A TCP header as read (RFC 9293 §3.1), its options field still as bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpHeader<'a> {
    pub src_port: u16,
    pub dst_port: u16,
    pub seq: u32,
    /// The acknowledgment field as it is on the wire (meaningful only with ACK).
    pub ack: u32,
    /// The header's length in bytes (data offset × 4).
    pub header_len: usize,
    /// The four reserved bits.
    pub reserved: u8,
    /// The control bits: CWR, ECE, URG, ACK, PSH, RST, SYN, FIN from high to low.
    pub flags: u8,
    pub window: u16,
    pub checksum: u16,
    pub urgent: u16,
    pub options: &'a [u8],
    /// Header plus payload, as the IP layer gave it.
    pub tcp_len: usize,
}

impl<'a> TcpHeader<'a> {
    /// Reads the header at the start of `bytes`, for a segment of `tcp_len` bytes (header and
    /// payload, from the IP header: the payload need not be in `bytes`).
    pub fn parse(bytes: &'a [u8], tcp_len: usize) -> Result<TcpHeader<'a>, WireError> {
        if tcp_len < HEADER_LEN {
            return Err(WireError::Malformed);
        }
        let b: &[u8; HEADER_LEN] = bytes
            .get(..HEADER_LEN)
            .and_then(|b| b.try_into().ok())
            .ok_or(WireError::Truncated)?;
        // Data offset: the header's length in 32-bit words, in the high nibble of byte 12.
        let header_len = usize::from(b[12] >> 4) * 4;
        if header_len < HEADER_LEN || header_len > tcp_len {
            return Err(WireError::Malformed);
        }
        let options = bytes
            .get(HEADER_LEN..header_len)
            .ok_or(WireError::Truncated)?;
        let word = |at: usize| u16::from_be_bytes([b[at], b[at + 1]]);
        let long = |at: usize| u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
        Ok(TcpHeader {
            src_port: word(0),
            dst_port: word(2),
            seq: long(4),
            ack: long(8),
            header_len,
            reserved: b[12] & 0x0f,
            flags: b[13],
            window: word(14),
            checksum: word(16),
            urgent: word(18),
            options,
            tcp_len,
        })
    }

    /// The payload's length: what the IP packet holds after this header.
    pub fn payload_len(&self) -> usize {
        self.tcp_len - self.header_len
    }

    /// The segment as the simulator knows one: CWR, ECE, the urgent pointer and unknown options
    /// are not modelled, so they are left out.
    pub fn segment(&self) -> Segment {
        Segment {
            src_port: self.src_port,
            dst_port: self.dst_port,
            seq: SeqNum(self.seq),
            ack: SeqNum(self.ack),
            flags: Flags::from_wire(self.flags),
            window: self.window,
            options: option::parse(self.options),
            len: self.payload_len() as u32,
        }
    }

    /// The header's fields at their bit offsets (RFC 9293 §3.1's figure), each option one
    /// field, and the payload as the last.
    pub fn fields(&self) -> Vec<Field> {
        let mut fields = vec![
            Field::new("source port", 0, 16, self.src_port.into()),
            Field::new("destination port", 16, 16, self.dst_port.into()),
            Field::new("sequence number", 32, 32, self.seq.into()),
            Field::new("acknowledgment number", 64, 32, self.ack.into()),
            Field::new("data offset", 96, 4, self.header_len as u64 / 4),
            Field::new("reserved", 100, 4, self.reserved.into()),
        ];
        for (i, name) in FLAG_NAMES.iter().enumerate() {
            let bit = u64::from(self.flags >> (7 - i) & 1);
            fields.push(Field::new(name, 104 + i as u32, 1, bit));
        }
        fields.extend([
            Field::new("window", 112, 16, self.window.into()),
            Field::new("checksum", 128, 16, self.checksum.into()),
            Field::new("urgent pointer", 144, 16, self.urgent.into()),
        ]);
        for opt in option::walk(self.options) {
            fields.push(Field::option(&opt, (HEADER_LEN + opt.at) as u32 * 8));
        }
        let payload = self.payload_len() as u64;
        let width = u32::try_from(payload * 8).unwrap_or(u32::MAX);
        fields.push(Field::new(
            "data",
            self.header_len as u32 * 8,
            width,
            payload,
        ));
        fields
    }
}

/// The control bits from the high bit of byte 13 down (RFC 9293 §3.1; CWR and ECE from
/// RFC 3168 §6.1).
const FLAG_NAMES: [&str; 8] = ["CWR", "ECE", "URG", "ACK", "PSH", "RST", "SYN", "FIN"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_modelled_control_bits_reach_the_segment() {
        assert_eq!(
            Flags::from_wire(0xff),
            Flags::parse("SYN,ACK,FIN,RST,PSH,URG").unwrap()
        );
        assert_eq!(
            Flags::from_wire(0xc0),
            Flags::NONE,
            "CWR and ECE are not modelled"
        );
    }
}
