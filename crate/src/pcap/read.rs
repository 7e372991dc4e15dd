//! Reading real captures: a classic pcap or a pcapng file becomes a list of TCP connections,
//! and any one of them an observed [`Trace`] that the ladder, the JSON output and the segment
//! inspector show like a simulated one. Nothing is simulated: every segment is one the capture
//! holds, with its fields as recorded.
//!
//! What is read:
//! - classic pcap (pcap-savefile(5), draft-ietf-opsawg-pcap §4 and §5): either byte order,
//!   microsecond (magic `a1b2c3d4`) and nanosecond (`a1b23c4d`) timestamps;
//! - pcapng (draft-ietf-opsawg-pcapng §3 and §4): any number of sections, each in its own byte
//!   order; Interface Description Blocks (link type, `if_tsresol`, `if_tsoffset`); Enhanced,
//!   Simple and the obsolete Packet Blocks. Every other block is skipped by its length. A Simple
//!   Packet Block has no timestamp: it takes the time of the packet before it;
//! - link types (<https://www.tcpdump.org/linktypes.html>): NULL (0) and LOOP (108), Ethernet
//!   (1, 802.1Q and 802.1ad tags skipped), raw IP (101), IPv4 (228), Linux cooked capture SLL
//!   (113) and SLL2 (276);
//! - IPv4 (RFC 791 §3.1) carrying TCP (RFC 9293 §3.1): ports, sequence and acknowledgment
//!   numbers, flags, window, and the options MSS, window scale, SACK-permitted and timestamps.
//!   The payload length comes from the IPv4 total length, not from the bytes captured, so a
//!   capture cut by a small snapshot length still gives every segment its length.
//!
//! Whatever is not IPv4 TCP (IPv6, ARP, UDP, IP fragments, headers cut by the snapshot length,
//! damaged headers, unknown link types) is counted and skipped, never an error; see
//! [`Capture::skipped`]. Errors are for files that cannot be read as a capture at all, and say
//! where and why in words for a reader.
//!
//! Timing model of [`Capture::observe`]: the capture was taken next to the client, the side
//! that sent the first SYN. The one-way delay `d` is half the time from the client's first SYN
//! to the server's first SYN,ACK in the capture, or 0 if either is missing. A client segment
//! captured at `t` is sent at `t` and delivered at `t + d`; a server segment captured at `t`
//! was sent at `t - d` and is delivered at `t`. Times count microseconds from the earliest of
//! these instants, so none is negative and the connection's first event is at 0.
//!
//! [`Capture::observe_with`] takes `d` from the caller instead (`Some(d)`, microseconds), and
//! then keeps the capture's clock: times count microseconds since the Unix epoch, as the
//! capture's timestamps have it, and are never shifted to start at 0. A client segment
//! captured at `t` is sent at `t`, a server segment captured at `t` was sent at `t - d`, and
//! each is delivered `d` after it is sent. With `Some(0)` every segment is sent and delivered
//! at its capture time, which is the right model for a capture that holds only what each host
//! sent, taken at each sender (two hosts' captures filtered and merged). Every connection of
//! a capture is on that one clock, and so are captures taken on one machine, so times can be
//! compared across connections, across captures and with other logs. Only a capture whose
//! clock starts less than `d` after the epoch (one made by hand, starting at 0) would put a
//! server's send before 0: then every time of every connection moves later by the same amount,
//! so that the earliest possible send is at 0.
//!
//! Relative sequence and acknowledgment numbers are Wireshark's (its TCP dissector,
//! `tcp.relative_sequence_numbers`): a direction whose first segment seen is a SYN counts from
//! the SYN's sequence number, so the SYN is 0; one whose first segment seen has no SYN counts
//! from that segment's sequence number minus 1, so its first byte is 1 (a RST,ACK from a closed
//! port has `rseq` 1). A segment with ACK also fixes the other direction's base, if that
//! direction has none yet, at its acknowledgment number minus 1. A SYN,ACK with a new sequence
//! number starts its direction afresh, and a SYN without ACK with a new one starts the whole
//! connection afresh (Wireshark's port reuse: a new `tcp.stream`), both directions.

use crate::segment::Segment;
use crate::seq::SeqNum;
use crate::time::Instant;
use crate::trace::{Event, EventKind, HostInfo, Sent, Trace};
use crate::why;
use crate::wire::{self, Ipv4Header, TcpHeader, WireError};
use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;

/// The largest capture this reader takes: 100 MiB.
pub const MAX_CAPTURE_BYTES: usize = 100 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// The public face: errors, the capture, its connections.

/// Why a file could not be read as a capture: a sentence for a reader that says where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptureError {
    message: String,
}

impl CaptureError {
    fn new(message: impl Into<String>) -> CaptureError {
        CaptureError {
            message: message.into(),
        }
    }

    /// The explanation, as [`fmt::Display`] prints it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CaptureError {}

/// A capture read into memory: its IPv4 TCP packets, and counts of what was skipped.
#[derive(Clone, Debug)]
pub struct Capture {
    /// Every IPv4 TCP packet, in capture order.
    packets: Vec<Packet>,
    connections: Vec<Connection>,
    /// Every packet record in the file, usable or not.
    records: usize,
    skips: BTreeMap<Skip, usize>,
}

/// One TCP connection (a 4-tuple, both directions) in the capture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    /// `10.0.0.1:40000-10.0.0.2:80`, the client first.
    pub label: String,
    /// The side that sent the first SYN without ACK; without one, the side that sent first.
    pub client: (Ipv4Addr, u16),
    pub server: (Ipv4Addr, u16),
    pub packets: usize,
    /// The earliest and the latest capture time of its packets, in microseconds since the
    /// Unix epoch (as the capture's clock had it).
    pub first_us: u64,
    pub last_us: u64,
}

/// One IPv4 TCP packet of the capture.
#[derive(Clone, Debug)]
struct Packet {
    /// Capture time, microseconds since the Unix epoch.
    t_us: u64,
    src: Ipv4Addr,
    dst: Ipv4Addr,
    seg: Segment,
    /// Index into [`Capture::connections`].
    conn: usize,
}

/// Checks a capture's size against [`MAX_CAPTURE_BYTES`] before anything is read, so a caller
/// that knows the size (a file's metadata, a browser `File`) can refuse it without loading it.
pub fn check_size(len: u64) -> Result<(), CaptureError> {
    if len > MAX_CAPTURE_BYTES as u64 {
        return Err(CaptureError::new(format!(
            "the capture is {}; the limit is {}: keep only the connection you want, e.g. \
             `tshark -r in.pcap -w out.pcap tcp.port==80`",
            megabytes(len),
            megabytes(MAX_CAPTURE_BYTES as u64)
        )));
    }
    Ok(())
}

/// Reads a pcap or pcapng capture. Never panics; a file that is not a capture, is damaged, or
/// holds no IPv4 TCP packet is an error that says so.
pub fn parse(bytes: &[u8]) -> Result<Capture, CaptureError> {
    check_size(bytes.len() as u64)?;
    let mut decoder = Decoder::default();
    match detect_format(bytes)? {
        Format::Pcap { order, nanos } => read_pcap(bytes, order, nanos, &mut decoder)?,
        Format::Pcapng => read_pcapng(bytes, &mut decoder)?,
    }
    decoder.finish()
}

impl Capture {
    /// The capture's TCP connections, in the order of their first packet.
    pub fn connections(&self) -> Vec<Connection> {
        self.connections.clone()
    }

    /// `""` if every packet was IPv4 TCP, or a sentence that counts what was skipped and why:
    /// `"2 of 40 packets were skipped: 1 IPv6, 1 ARP."`
    pub fn skipped(&self) -> String {
        let skipped: usize = self.skips.values().sum();
        if skipped == 0 {
            return String::new();
        }
        format!(
            "{} of {} were skipped: {}.",
            thousands(skipped as u64),
            plural(self.records, "packet", "packets"),
            describe_skips(&self.skips)
        )
    }

    /// The packets of connection `connection` (an index into [`Capture::connections`]) as an
    /// observed trace, timed as the module documentation describes: the one-way delay is
    /// estimated from the handshake, and the first event is at 0.
    pub fn observe(&self, connection: usize) -> Result<Trace, CaptureError> {
        self.observe_with(connection, None)
    }

    /// Like [`Capture::observe`], with the one-way delay in microseconds given: `None` is
    /// [`Capture::observe`]'s estimate; `Some(d)` keeps the capture's own clock (microseconds
    /// since the Unix epoch) and delivers every segment `d` after it is sent, so `Some(0)` has
    /// each segment sent and delivered at its capture time. See the module documentation.
    pub fn observe_with(
        &self,
        connection: usize,
        one_way: Option<u64>,
    ) -> Result<Trace, CaptureError> {
        let conn = self.connections.get(connection).ok_or_else(|| {
            CaptureError::new(format!(
                "there is no connection {connection}: this capture holds {} (numbered from 0)",
                plural(self.connections.len(), "connection", "connections")
            ))
        })?;
        if conn.client.0 == conn.server.0 {
            return Err(CaptureError::new(format!(
                "both ends of {} have the address {}: the ladder tells hosts apart by address, \
                 so a connection to the same host cannot be drawn",
                conn.label, conn.client.0
            )));
        }
        let packets: Vec<&Packet> = self
            .packets
            .iter()
            .filter(|p| p.conn == connection)
            .collect();
        let timing = match one_way {
            None => Timing::Estimated,
            Some(d) => Timing::Captured {
                d,
                capture_start: self
                    .packets
                    .iter()
                    .map(|p| p.t_us)
                    .min()
                    .unwrap_or_default(),
            },
        };
        Ok(observed_trace(conn, &packets, timing))
    }
}

// ---------------------------------------------------------------------------------------------
// Bytes: a byte order and a cursor that never reads past its slice.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    Little,
    Big,
}

impl Order {
    fn u16(self, b: [u8; 2]) -> u16 {
        match self {
            Order::Little => u16::from_le_bytes(b),
            Order::Big => u16::from_be_bytes(b),
        }
    }
    fn u32(self, b: [u8; 4]) -> u32 {
        match self {
            Order::Little => u32::from_le_bytes(b),
            Order::Big => u32::from_be_bytes(b),
        }
    }
}

/// Reads forward through a slice; every read returns `None` instead of running past the end,
/// and a failed read does not move.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(bytes: &'a [u8]) -> Cursor<'a> {
        Cursor { bytes, pos: 0 }
    }
    fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let out = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
    fn u16(&mut self, order: Order) -> Option<u16> {
        Some(order.u16(self.array()?))
    }
    fn u32(&mut self, order: Order) -> Option<u32> {
        Some(order.u32(self.array()?))
    }
}

/// A big-endian (network order) field at `at`, if the slice holds it.
fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}
fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

// ---------------------------------------------------------------------------------------------
// The file formats.

enum Format {
    Pcap { order: Order, nanos: bool },
    Pcapng,
}

/// The four-byte magic numbers (pcap-savefile(5); draft-ietf-opsawg-pcapng §4.1, the Section
/// Header Block's type, which reads the same in either byte order).
const PCAP_MICROS: u32 = 0xa1b2_c3d4;
const PCAP_NANOS: u32 = 0xa1b2_3c4d;
const PCAPNG_SHB: u32 = 0x0a0d_0d0a;

fn detect_format(bytes: &[u8]) -> Result<Format, CaptureError> {
    let Some(magic) = bytes.get(..4) else {
        return Err(CaptureError::new(if bytes.is_empty() {
            "the file is empty: a pcap or pcapng capture starts with a file header".to_string()
        } else {
            format!(
                "the file holds only {}: too short to be a pcap or pcapng capture",
                plural(bytes.len(), "byte", "bytes")
            )
        }));
    };
    let magic: [u8; 4] = magic.try_into().unwrap_or_default();
    let (le, be) = (u32::from_le_bytes(magic), u32::from_be_bytes(magic));
    Ok(match (le, be) {
        (PCAP_MICROS, _) => Format::Pcap {
            order: Order::Little,
            nanos: false,
        },
        (_, PCAP_MICROS) => Format::Pcap {
            order: Order::Big,
            nanos: false,
        },
        (PCAP_NANOS, _) => Format::Pcap {
            order: Order::Little,
            nanos: true,
        },
        (_, PCAP_NANOS) => Format::Pcap {
            order: Order::Big,
            nanos: true,
        },
        (PCAPNG_SHB, _) => Format::Pcapng,
        _ => {
            let guess = guess_file_kind(bytes)
                .map(|g| format!(" ({g})"))
                .unwrap_or_default();
            return Err(CaptureError::new(format!(
                "not a pcap or pcapng file: it starts with {}{guess}",
                hex_bytes(&magic)
            )));
        }
    })
}

/// What a file that is not a capture might be, from its first bytes.
fn guess_file_kind(bytes: &[u8]) -> Option<&'static str> {
    const KINDS: [(&[u8], &str); 9] = [
        (b"PK\x03\x04", "a zip archive?"),
        (b"\x1f\x8b", "a gzip-compressed file? decompress it first"),
        (b"BZh", "a bzip2-compressed file? decompress it first"),
        (
            b"\xfd7zXZ\x00",
            "an xz-compressed file? decompress it first",
        ),
        (
            b"\x28\xb5\x2f\xfd",
            "a zstd-compressed file? decompress it first",
        ),
        (b"%PDF", "a PDF document?"),
        (
            b"\xa1\xb2\xcd\x34",
            "a modified (Kuznetsov) pcap? save it again as a standard pcap",
        ),
        (
            b"\x34\xcd\xb2\xa1",
            "a modified (Kuznetsov) pcap? save it again as a standard pcap",
        ),
        (
            b"snoop\x00",
            "a Solaris snoop capture? convert it to pcap with editcap first",
        ),
    ];
    if let Some((_, kind)) = KINDS.iter().find(|(magic, _)| bytes.starts_with(magic)) {
        return Some(kind);
    }
    let head = &bytes[..bytes.len().min(64)];
    let text = head
        .iter()
        .all(|&b| b.is_ascii_graphic() || b.is_ascii_whitespace());
    text.then_some("text? a capture is a binary file")
}

/// What the format readers hand over: one packet record as captured.
struct Record<'a> {
    link: u32,
    t_us: u64,
    data: &'a [u8],
    /// The packet's length on the wire, which may exceed the bytes captured.
    wire_len: u32,
}

/// The classic pcap file header and records (draft-ietf-opsawg-pcap §4 and §5).
fn read_pcap(
    bytes: &[u8],
    order: Order,
    nanos: bool,
    decoder: &mut Decoder,
) -> Result<(), CaptureError> {
    const FILE_HEADER: usize = 24;
    const RECORD_HEADER: usize = 16;
    let mut c = Cursor::new(bytes);
    let link = read_pcap_file_header(&mut c, order).ok_or_else(|| {
        CaptureError::new(format!(
            "the capture is cut short: its file header needs {FILE_HEADER} bytes, but the file \
             holds only {}",
            bytes.len()
        ))
    })?;
    let mut number = 0;
    while c.remaining() > 0 {
        number += 1;
        let at = c.pos;
        let place = || format!("packet {number} at byte {}", thousands(at as u64));
        let header_room = c.remaining();
        let (ts_sec, ts_frac, incl_len, orig_len) = read_pcap_record_header(&mut c, order)
            .ok_or_else(|| {
                CaptureError::new(format!(
                    "the capture is cut short: {} needs a {RECORD_HEADER}-byte record \
                     header, but only {} remain",
                    place(),
                    plural(header_room, "byte", "bytes")
                ))
            })?;
        let data_room = c.remaining();
        let data = c
            .take(usize::try_from(incl_len).unwrap_or(usize::MAX))
            .ok_or_else(|| {
                CaptureError::new(format!(
                    "the capture is cut short: {} says it holds {} bytes, but only {} remain",
                    place(),
                    thousands(u64::from(incl_len)),
                    thousands(data_room as u64)
                ))
            })?;
        // ts_usec holds nanoseconds in a file with the nanosecond magic.
        let frac_us = if nanos { ts_frac / 1_000 } else { ts_frac };
        let t_us = u64::from(ts_sec) * 1_000_000 + u64::from(frac_us);
        decoder.record(Record {
            link,
            t_us,
            data,
            wire_len: orig_len,
        });
    }
    Ok(())
}

/// The link type from the file header: magic, version, thiszone, sigfigs, snaplen, then
/// LinkType in the low 16 bits of the last field (the high bits may describe an FCS).
fn read_pcap_file_header(c: &mut Cursor, order: Order) -> Option<u32> {
    c.take(4)?; // magic, already read
    c.u16(order)?; // version major
    c.u16(order)?; // version minor
    c.u32(order)?; // thiszone, 0 in practice
    c.u32(order)?; // sigfigs, 0 in practice
    c.u32(order)?; // snaplen
    Some(c.u32(order)? & 0xffff)
}

/// ts_sec, ts_usec (or ts_nsec), incl_len, orig_len.
fn read_pcap_record_header(c: &mut Cursor, order: Order) -> Option<(u32, u32, u32, u32)> {
    if c.remaining() < 16 {
        return None;
    }
    Some((c.u32(order)?, c.u32(order)?, c.u32(order)?, c.u32(order)?))
}

// pcapng block types (draft-ietf-opsawg-pcapng §4 and Appendix).
const BLOCK_IDB: u32 = 1;
const BLOCK_PB: u32 = 2;
const BLOCK_SPB: u32 = 3;
const BLOCK_EPB: u32 = 6;
/// The byte-order magic in a Section Header Block (§4.1).
const BYTE_ORDER_MAGIC: u32 = 0x1a2b_3c4d;
/// Option codes of an Interface Description Block (§4.2).
const OPT_ENDOFOPT: u16 = 0;
const IF_TSRESOL: u16 = 9;
const IF_TSOFFSET: u16 = 14;

/// One interface of a pcapng section (§4.2).
struct Interface {
    link: u32,
    snaplen: u32,
    /// Timestamp units per second: 10^n or 2^n by `if_tsresol`, 10^6 by default.
    units_per_sec: u128,
    /// `if_tsoffset`: seconds to add to every timestamp.
    offset_secs: i64,
}

struct Section {
    order: Order,
    interfaces: Vec<Interface>,
}

/// Where a pcapng block sits, for messages: its number (from 1), offset and type.
#[derive(Clone, Copy)]
struct BlockAt {
    number: usize,
    at: usize,
    kind: u32,
}

impl BlockAt {
    fn describe(self) -> String {
        format!(
            "block {} at byte {} ({})",
            self.number,
            thousands(self.at as u64),
            block_name(self.kind)
        )
    }
}

fn block_name(kind: u32) -> String {
    match kind {
        PCAPNG_SHB => "a Section Header Block".into(),
        BLOCK_IDB => "an Interface Description Block".into(),
        BLOCK_PB => "a Packet Block".into(),
        BLOCK_SPB => "a Simple Packet Block".into(),
        BLOCK_EPB => "an Enhanced Packet Block".into(),
        other => format!("a block of type 0x{other:08x}"),
    }
}

/// The blocks of a pcapng file, one after another (§3.1: type, total length, body, the total
/// length again).
fn read_pcapng(bytes: &[u8], decoder: &mut Decoder) -> Result<(), CaptureError> {
    let mut c = Cursor::new(bytes);
    let mut section: Option<Section> = None;
    let mut packet_number = 0;
    let mut last_t_us = 0;
    let mut number = 0;
    while c.remaining() > 0 {
        number += 1;
        let at = c.pos;
        let remain = c.remaining();
        let head = bytes.get(at..at + 12).ok_or_else(|| {
            CaptureError::new(format!(
                "the capture is cut short: block {number} at byte {} needs at least 12 bytes, \
                 but only {remain} remain",
                thousands(at as u64)
            ))
        })?;
        let order = block_order(head, section.as_ref(), number, at)?;
        let mut h = Cursor::new(head);
        let kind = h.u32(order).unwrap_or_default();
        let total = h.u32(order).unwrap_or_default();
        let place = BlockAt { number, at, kind };
        if total < 12 || !total.is_multiple_of(4) {
            return Err(CaptureError::new(format!(
                "the capture is damaged: {} says it is {} long; a pcapng block is a multiple of \
                 4 bytes and at least 12",
                place.describe(),
                plural(total as usize, "byte", "bytes")
            )));
        }
        let block = c.take(total as usize).ok_or_else(|| {
            CaptureError::new(format!(
                "the capture is cut short: {} says it holds {} bytes, but only {} remain",
                place.describe(),
                thousands(u64::from(total)),
                thousands(remain as u64)
            ))
        })?;
        let trailer = block
            .get(block.len() - 4..)
            .and_then(|t| t.try_into().ok())
            .map(|t| order.u32(t))
            .unwrap_or_default();
        if trailer != total {
            return Err(CaptureError::new(format!(
                "the capture is damaged: {} gives its length as {} at the start but {} at the \
                 end",
                place.describe(),
                thousands(u64::from(total)),
                thousands(u64::from(trailer))
            )));
        }
        let body = block.get(8..block.len() - 4).unwrap_or_default();
        match kind {
            PCAPNG_SHB => section = Some(read_section_header(body, order, place)?),
            BLOCK_IDB => {
                let interface = read_interface(body, order, place)?;
                if let Some(s) = section.as_mut() {
                    s.interfaces.push(interface);
                }
            }
            BLOCK_EPB | BLOCK_SPB | BLOCK_PB => {
                packet_number += 1;
                let Some(s) = section.as_ref() else {
                    continue;
                };
                let (record, t_us) = read_packet_block(body, s, place, packet_number, last_t_us)?;
                last_t_us = t_us;
                decoder.record(record);
            }
            _ => {} // another block type: skipped by its length (§3.1)
        }
    }
    Ok(())
}

/// The byte order of a block: a Section Header Block declares its own with the byte-order magic
/// (§4.1); any other block uses its section's.
fn block_order(
    head: &[u8],
    section: Option<&Section>,
    number: usize,
    at: usize,
) -> Result<Order, CaptureError> {
    let is_shb = be32(head, 0) == Some(PCAPNG_SHB);
    if !is_shb {
        // The file starts with a Section Header Block (checked by its magic), so a section
        // always exists here.
        return Ok(section.map_or(Order::Little, |s| s.order));
    }
    let magic: [u8; 4] = head
        .get(8..12)
        .and_then(|m| m.try_into().ok())
        .unwrap_or_default();
    if u32::from_le_bytes(magic) == BYTE_ORDER_MAGIC {
        Ok(Order::Little)
    } else if u32::from_be_bytes(magic) == BYTE_ORDER_MAGIC {
        Ok(Order::Big)
    } else {
        Err(CaptureError::new(format!(
            "the capture is damaged: the Section Header Block {number} at byte {} has the \
             byte-order magic {}, which should be 1a 2b 3c 4d or 4d 3c 2b 1a",
            thousands(at as u64),
            hex_bytes(&magic)
        )))
    }
}

/// A Section Header Block (§4.1): byte-order magic, major and minor version, section length.
fn read_section_header(body: &[u8], order: Order, place: BlockAt) -> Result<Section, CaptureError> {
    let mut c = Cursor::new(body);
    let version = (|| {
        c.u32(order)?; // byte-order magic, already checked
        Some((c.u16(order)?, c.u16(order)?))
    })();
    let Some((major, minor)) = version else {
        return Err(CaptureError::new(format!(
            "the capture is damaged: {} is too short to hold its version",
            place.describe()
        )));
    };
    if major != 1 {
        return Err(CaptureError::new(format!(
            "{} is pcapng version {major}.{minor}; this reader knows version 1",
            place.describe()
        )));
    }
    Ok(Section {
        order,
        interfaces: Vec::new(),
    })
}

/// An Interface Description Block (§4.2): link type, reserved, snaplen, options.
fn read_interface(body: &[u8], order: Order, place: BlockAt) -> Result<Interface, CaptureError> {
    let mut c = Cursor::new(body);
    let fixed = (|| {
        let link = c.u16(order)?;
        c.u16(order)?; // reserved
        Some((link, c.u32(order)?))
    })();
    let Some((link, snaplen)) = fixed else {
        return Err(CaptureError::new(format!(
            "the capture is damaged: {} is too short to name a link type",
            place.describe()
        )));
    };
    let mut interface = Interface {
        link: u32::from(link),
        snaplen,
        units_per_sec: 1_000_000,
        offset_secs: 0,
    };
    // Options (§3.5): code, length, value padded to 32 bits; a damaged list ends the reading.
    while let (Some(code), Some(len)) = (c.u16(order), c.u16(order)) {
        if code == OPT_ENDOFOPT {
            break;
        }
        let Some(value) = c.take(usize::from(len)) else {
            break;
        };
        c.take((4 - usize::from(len) % 4) % 4);
        match code {
            IF_TSRESOL => {
                if let Some(&resol) = value.first() {
                    interface.units_per_sec = units_per_sec(resol).ok_or_else(|| {
                        CaptureError::new(format!(
                            "the capture is damaged: {} gives a timestamp resolution of 10^-{} \
                             second, finer than any clock",
                            place.describe(),
                            resol
                        ))
                    })?;
                }
            }
            IF_TSOFFSET => {
                if let Ok(raw) = <[u8; 8]>::try_from(value) {
                    interface.offset_secs = match order {
                        Order::Little => i64::from_le_bytes(raw),
                        Order::Big => i64::from_be_bytes(raw),
                    };
                }
            }
            _ => {}
        }
    }
    Ok(interface)
}

/// `if_tsresol` (§4.2): the high bit clear means 10^-n seconds per unit, set means 2^-n.
fn units_per_sec(resol: u8) -> Option<u128> {
    let n = u32::from(resol & 0x7f);
    if resol & 0x80 != 0 {
        2u128.checked_pow(n)
    } else {
        10u128.checked_pow(n)
    }
}

/// An Enhanced (§4.3), Simple (§4.4) or obsolete Packet Block (Appendix A): the record it
/// holds, and its time for the next Simple Packet Block.
fn read_packet_block<'a>(
    body: &'a [u8],
    section: &Section,
    place: BlockAt,
    number: usize,
    last_t_us: u64,
) -> Result<(Record<'a>, u64), CaptureError> {
    let order = section.order;
    let mut c = Cursor::new(body);
    let short = || {
        CaptureError::new(format!(
            "the capture is damaged: packet {number} in {} is too short for its own header",
            place.describe()
        ))
    };
    let (interface_id, ts, caplen, wire_len) = match place.kind {
        BLOCK_SPB => {
            // Original length, then the packet; it belongs to interface 0 and has no time.
            let wire_len = c.u32(order).ok_or_else(short)?;
            (0, None, None, wire_len)
        }
        _ => {
            let interface_id = if place.kind == BLOCK_PB {
                let id = c.u16(order).ok_or_else(short)?;
                c.u16(order).ok_or_else(short)?; // drops count
                u32::from(id)
            } else {
                c.u32(order).ok_or_else(short)?
            };
            let high = c.u32(order).ok_or_else(short)?;
            let low = c.u32(order).ok_or_else(short)?;
            let caplen = c.u32(order).ok_or_else(short)?;
            let wire_len = c.u32(order).ok_or_else(short)?;
            let ts = (u64::from(high) << 32) | u64::from(low);
            (interface_id, Some(ts), Some(caplen), wire_len)
        }
    };
    let interface = section
        .interfaces
        .get(interface_id as usize)
        .ok_or_else(|| {
            CaptureError::new(format!(
                "the capture is damaged: packet {number} in {} belongs to interface {}, but its \
                 section describes only {}",
                place.describe(),
                interface_id,
                plural(section.interfaces.len(), "interface", "interfaces")
            ))
        })?;
    let room = c.remaining();
    let caplen = match caplen {
        Some(caplen) => caplen as usize,
        // A Simple Packet Block holds min(original length, snaplen) bytes (§4.4).
        None => {
            let snap = if interface.snaplen == 0 {
                usize::MAX
            } else {
                interface.snaplen as usize
            };
            (wire_len as usize).min(snap).min(room)
        }
    };
    let data = c.take(caplen).ok_or_else(|| {
        CaptureError::new(format!(
            "the capture is damaged: packet {number} in {} says it holds {} bytes, but its \
             block has room for only {}",
            place.describe(),
            thousands(caplen as u64),
            thousands(room as u64)
        ))
    })?;
    let t_us = ts.map_or(last_t_us, |ts| timestamp_us(ts, interface));
    let record = Record {
        link: interface.link,
        t_us,
        data,
        wire_len,
    };
    Ok((record, t_us))
}

/// A pcapng timestamp in microseconds since the epoch, the interface's offset added.
fn timestamp_us(ticks: u64, interface: &Interface) -> u64 {
    let micros = u128::from(ticks) * 1_000_000 / interface.units_per_sec.max(1);
    let micros = i128::try_from(micros).unwrap_or(i128::MAX);
    let shifted = micros.saturating_add(i128::from(interface.offset_secs) * 1_000_000);
    u64::try_from(shifted.max(0)).unwrap_or(u64::MAX)
}

// ---------------------------------------------------------------------------------------------
// Packets: link layer, IPv4, TCP.

/// Why a packet was not used. The order is the order the summary lists them in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Skip {
    Ipv6,
    Arp,
    OtherLinkProtocol,
    Udp,
    Icmp,
    OtherIpProtocol,
    Fragment,
    CutBySnaplen,
    Damaged,
    UnknownLinkType(u32),
}

impl Skip {
    fn describe(self, n: usize) -> String {
        let count = thousands(n as u64);
        match self {
            Skip::Ipv6 => format!("{count} IPv6"),
            Skip::Arp => format!("{count} ARP"),
            Skip::OtherLinkProtocol => {
                plural(n, "other link-layer protocol", "other link-layer protocols")
            }
            Skip::Udp => format!("{count} UDP"),
            Skip::Icmp => format!("{count} ICMP"),
            Skip::OtherIpProtocol => plural(n, "other IPv4 protocol", "other IPv4 protocols"),
            Skip::Fragment => plural(n, "IPv4 fragment", "IPv4 fragments"),
            Skip::CutBySnaplen => format!("{count} cut short by the snapshot length"),
            Skip::Damaged => format!("{count} with damaged headers"),
            Skip::UnknownLinkType(t) => {
                format!("{count} on link type {t}, which this reader does not know")
            }
        }
    }
}

fn describe_skips(skips: &BTreeMap<Skip, usize>) -> String {
    skips
        .iter()
        .map(|(skip, &n)| skip.describe(n))
        .collect::<Vec<_>>()
        .join(", ")
}

// Link types (https://www.tcpdump.org/linktypes.html).
const LINKTYPE_NULL: u32 = 0;
const LINKTYPE_ETHERNET: u32 = super::LINKTYPE_ETHERNET;
const LINKTYPE_RAW: u32 = 101;
const LINKTYPE_LOOP: u32 = 108;
const LINKTYPE_LINUX_SLL: u32 = 113;
const LINKTYPE_IPV4: u32 = 228;
const LINKTYPE_IPV6: u32 = 229;
const LINKTYPE_LINUX_SLL2: u32 = 276;

// EtherTypes (IEEE 802; IANA ieee-802-numbers).
const ETHERTYPE_IPV4: u16 = super::ETHERTYPE_IPV4;
const ETHERTYPE_ARP: u16 = 0x0806;
const ETHERTYPE_IPV6: u16 = 0x86dd;
/// 802.1Q customer VLAN tag, 802.1ad service tag, and the older 0x9100 QinQ tag.
const ETHERTYPE_VLAN: [u16; 3] = [0x8100, 0x88a8, 0x9100];

/// The IPv4 packet inside a link-layer frame.
struct Ip<'a> {
    bytes: &'a [u8],
    /// Its length on the wire (the frame's, less the link header).
    wire_len: usize,
}

/// Unwraps the link layer down to an IPv4 packet.
fn link_payload(link: u32, data: &[u8], wire_len: u32) -> Result<Ip<'_>, Skip> {
    let (header, result) = match link {
        // Ethernet II: destination, source, EtherType at 12 (IEEE 802.3 §3.1.1).
        LINKTYPE_ETHERNET => by_ethertype(data, 12, 14),
        // SLL: packet type, ARPHRD type, address length, 8 address bytes, protocol at 14.
        LINKTYPE_LINUX_SLL => by_ethertype(data, 14, 16),
        // SLL2: protocol at 0, then reserved, interface index, ARPHRD, packet type, address
        // length and 8 address bytes: 20 bytes in all.
        LINKTYPE_LINUX_SLL2 => by_ethertype(data, 0, 20),
        LINKTYPE_RAW => match data.first().map(|b| b >> 4) {
            Some(4) => (0, Ok(())),
            Some(6) => (0, Err(Skip::Ipv6)),
            Some(_) => (0, Err(Skip::Damaged)),
            None => (0, Err(Skip::CutBySnaplen)),
        },
        LINKTYPE_IPV4 => (0, Ok(())),
        LINKTYPE_IPV6 => (0, Err(Skip::Ipv6)),
        // NULL: a 4-byte address family in the byte order of the capturing host; LOOP: the same
        // in network order. AF_INET is 2 everywhere; AF_INET6 is 10, 24, 28 or 30.
        LINKTYPE_NULL | LINKTYPE_LOOP => {
            let family = data.get(..4).map(|f| {
                let f: [u8; 4] = f.try_into().unwrap_or_default();
                if link == LINKTYPE_LOOP {
                    u32::from_be_bytes(f)
                } else {
                    // Whichever order gives the smaller number is the capturing host's.
                    u32::from_le_bytes(f).min(u32::from_be_bytes(f))
                }
            });
            match family {
                Some(2) => (4, Ok(())),
                Some(10 | 24 | 28 | 30) => (4, Err(Skip::Ipv6)),
                Some(_) => (4, Err(Skip::OtherLinkProtocol)),
                None => (4, Err(Skip::CutBySnaplen)),
            }
        }
        other => (0, Err(Skip::UnknownLinkType(other))),
    };
    result?;
    let bytes = data.get(header..).ok_or(Skip::CutBySnaplen)?;
    Ok(Ip {
        bytes,
        wire_len: (wire_len as usize).saturating_sub(header),
    })
}

/// A frame whose protocol is an EtherType at `type_at`, its payload from `payload_at`, VLAN
/// tags (a 2-byte TCI, then the inner EtherType) skipped. Returns the IPv4 packet's offset.
fn by_ethertype(data: &[u8], type_at: usize, payload_at: usize) -> (usize, Result<(), Skip>) {
    let Some(mut ethertype) = be16(data, type_at) else {
        return (0, Err(Skip::CutBySnaplen));
    };
    let mut payload_at = payload_at;
    while ETHERTYPE_VLAN.contains(&ethertype) {
        let Some(inner) = be16(data, payload_at + 2) else {
            return (0, Err(Skip::CutBySnaplen));
        };
        ethertype = inner;
        payload_at += 4;
    }
    let verdict = match ethertype {
        ETHERTYPE_IPV4 => Ok(()),
        ETHERTYPE_IPV6 => Err(Skip::Ipv6),
        ETHERTYPE_ARP => Err(Skip::Arp),
        _ => Err(Skip::OtherLinkProtocol),
    };
    (payload_at, verdict)
}

/// IPv4 protocol numbers (IANA).
const PROTO_ICMP: u8 = 1;
const PROTO_UDP: u8 = 17;

impl From<WireError> for Skip {
    fn from(e: WireError) -> Skip {
        match e {
            WireError::Truncated => Skip::CutBySnaplen,
            WireError::Malformed => Skip::Damaged,
        }
    }
}

/// An IPv4 packet (RFC 791 §3.1) carrying a TCP segment (RFC 9293 §3.1).
fn ipv4_tcp(ip: &Ip) -> Result<(Ipv4Addr, Ipv4Addr, Segment), Skip> {
    let header = Ipv4Header::parse(ip.bytes)?;
    // A total length of 0 comes from segmentation offload on the capturing host (TSO): the
    // frame's own length is the packet's.
    let total = match usize::from(header.total_len) {
        0 => ip.wire_len,
        total => total,
    };
    if total < header.header_len {
        return Err(Skip::Damaged);
    }
    if header.is_fragment() {
        return Err(Skip::Fragment);
    }
    match header.protocol {
        wire::ipv4::PROTO_TCP => {}
        PROTO_UDP => return Err(Skip::Udp),
        PROTO_ICMP => return Err(Skip::Icmp),
        _ => return Err(Skip::OtherIpProtocol),
    }
    let tcp = ip
        .bytes
        .get(header.header_len..)
        .ok_or(Skip::CutBySnaplen)?;
    let tcp = TcpHeader::parse(tcp, total - header.header_len)?;
    Ok((header.src, header.dst, tcp.segment()))
}

// ---------------------------------------------------------------------------------------------
// Collecting the packets into connections.

#[derive(Default)]
struct Decoder {
    records: usize,
    skips: BTreeMap<Skip, usize>,
    packets: Vec<Packet>,
}

type Endpoint = (Ipv4Addr, u16);

impl Decoder {
    fn record(&mut self, record: Record) {
        self.records += 1;
        let decoded =
            link_payload(record.link, record.data, record.wire_len).and_then(|ip| ipv4_tcp(&ip));
        match decoded {
            Ok((src, dst, seg)) => self.packets.push(Packet {
                t_us: record.t_us,
                src,
                dst,
                seg,
                conn: 0,
            }),
            Err(skip) => *self.skips.entry(skip).or_default() += 1,
        }
    }

    fn finish(mut self) -> Result<Capture, CaptureError> {
        if self.packets.is_empty() {
            let what = if self.records == 0 {
                "it holds no packets".to_string()
            } else {
                format!(
                    "{}, {}",
                    plural(self.records, "packet", "packets"),
                    describe_skips(&self.skips)
                )
            };
            return Err(CaptureError::new(format!(
                "no IPv4 TCP packets in this capture: {what}"
            )));
        }
        let connections = group_connections(&mut self.packets);
        Ok(Capture {
            packets: self.packets,
            connections,
            records: self.records,
            skips: self.skips,
        })
    }
}

/// Assigns each packet its connection and lists the connections by first packet.
fn group_connections(packets: &mut [Packet]) -> Vec<Connection> {
    struct Seen {
        first_from: Endpoint,
        first_syn_from: Option<Endpoint>,
        ends: (Endpoint, Endpoint),
        packets: usize,
        first_us: u64,
        last_us: u64,
    }
    let mut index: BTreeMap<(Endpoint, Endpoint), usize> = BTreeMap::new();
    let mut seen: Vec<Seen> = Vec::new();
    for p in packets.iter_mut() {
        let from = (p.src, p.seg.src_port);
        let to = (p.dst, p.seg.dst_port);
        let key = (from.min(to), from.max(to));
        let i = *index.entry(key).or_insert_with(|| {
            seen.push(Seen {
                first_from: from,
                first_syn_from: None,
                ends: key,
                packets: 0,
                first_us: p.t_us,
                last_us: p.t_us,
            });
            seen.len() - 1
        });
        p.conn = i;
        let s = &mut seen[i];
        s.packets += 1;
        s.first_us = s.first_us.min(p.t_us);
        s.last_us = s.last_us.max(p.t_us);
        if s.first_syn_from.is_none() && p.seg.flags.syn() && !p.seg.flags.ack() {
            s.first_syn_from = Some(from);
        }
    }
    seen.into_iter()
        .map(|s| {
            let client = s.first_syn_from.unwrap_or(s.first_from);
            let server = if client == s.ends.0 {
                s.ends.1
            } else {
                s.ends.0
            };
            Connection {
                label: format!("{}:{}-{}:{}", client.0, client.1, server.0, server.1),
                client,
                server,
                packets: s.packets,
                first_us: s.first_us,
                last_us: s.last_us,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// One connection as an observed trace.

const CLIENT: usize = 0;
const SERVER: usize = 1;

/// One direction's sequence space, as Wireshark follows it.
#[derive(Default)]
struct Direction {
    /// What relative numbers count from: a SYN's sequence number, or the first segment's
    /// minus 1, or the other direction's first acknowledgment number minus 1.
    base: Option<SeqNum>,
    /// The highest SEG.SEQ + SEG.LEN sent so far.
    high: Option<SeqNum>,
}

impl Direction {
    /// Notes a segment sent in this direction; returns its relative sequence number and
    /// whether it repeats sequence space already sent (SYN and FIN count, RFC 9293 §3.4).
    fn send(&mut self, seg: &Segment) -> (u32, bool) {
        if seg.flags.syn() && self.base != Some(seg.seq) {
            *self = Direction::default();
        }
        let base = *self.base.get_or_insert(seg.first_seen_base());
        let end = seg.seq + seg.seq_len();
        let retrans = seg.seq_len() > 0 && self.high.is_some_and(|high| end <= high);
        if self.high.is_none_or(|high| end > high) {
            self.high = Some(end);
        }
        (seg.seq.since(base), retrans)
    }

    /// A segment of the other direction acknowledges this one: its acknowledgment number
    /// relative to this direction's base (0 without ACK). A direction with no base yet takes
    /// the acknowledgment number minus 1, as Wireshark does.
    fn acknowledged(&mut self, seg: &Segment) -> u32 {
        if !seg.flags.ack() {
            return 0;
        }
        let base = *self.base.get_or_insert(seg.ack - 1);
        seg.ack.since(base)
    }
}

/// How an observed trace is timed (the module documentation says why).
#[derive(Clone, Copy)]
enum Timing {
    /// The one-way delay estimated from the handshake; the first event at 0.
    Estimated,
    /// The one-way delay given; times on the capture's clock. `capture_start` is the earliest
    /// capture time of any packet in the capture.
    Captured { d: u64, capture_start: u64 },
}

fn observed_trace(conn: &Connection, packets: &[&Packet], timing: Timing) -> Trace {
    let ends = [conn.client, conn.server];
    let side_of = |p: &Packet| {
        if (p.src, p.seg.src_port) == conn.client {
            CLIENT
        } else {
            SERVER
        }
    };
    let d = match timing {
        Timing::Estimated => one_way_delay(packets, &side_of),
        Timing::Captured { d, .. } => d,
    };
    let mut trace = Trace {
        hosts: ends
            .iter()
            .map(|&(addr, _)| HostInfo {
                name: addr.to_string(),
                addr,
                spoofing: false,
            })
            .collect(),
        conns: vec![conn.label.clone()],
        ..Trace::default()
    };

    // Every segment is sent, then delivered: (time, send 0 or deliver 1, capture order, event). Times
    // here count from the connection's first capture time t0, plus d, so that a server
    // segment's send, d before its capture, is not negative; `at` below maps them to the trace.
    let t0 = packets.iter().map(|p| p.t_us).min().unwrap_or_default();
    let mut events: Vec<(u64, u8, usize, Event)> = Vec::with_capacity(packets.len() * 2);
    // The segments' records, by capture order (a send event names its record's place here
    // until it goes into the trace).
    let mut records: Vec<Option<Sent>> = Vec::with_capacity(packets.len());
    let mut directions = [Direction::default(), Direction::default()];
    for (k, p) in packets.iter().enumerate() {
        let from = side_of(p);
        let to = 1 - from;
        let new_isn = directions[from].base.is_some_and(|base| base != p.seg.seq);
        if p.seg.flags.syn() && !p.seg.flags.ack() && new_isn {
            // Wireshark's port reuse: a new incarnation, both directions numbered afresh.
            directions = [Direction::default(), Direction::default()];
        }
        let (rseq, retrans) = directions[from].send(&p.seg);
        let rack = directions[to].acknowledged(&p.seg);
        let captured = (p.t_us - t0).saturating_add(d);
        let (sent_at, arrives_at) = if from == CLIENT {
            (captured, captured.saturating_add(d))
        } else {
            (captured - d, captured)
        };
        let id = k as u32 + 1;
        let sent = Sent {
            id,
            src: p.src,
            dst: p.dst,
            seg: p.seg.clone(),
            rseq,
            rack,
            retrans,
            eta: Some(Instant::from_micros(arrives_at)),
        };
        let event = |kind, host| Event::new(Instant::ZERO, Some(host), why::CAPTURED, kind);
        records.push(Some(sent));
        events.push((sent_at, 0, k, event(EventKind::Send(k as u32), from)));
        events.push((
            arrives_at,
            1,
            k,
            event(EventKind::Deliver { seg_id: id }, to),
        ));
    }
    let earliest = events.iter().map(|e| e.0).min().unwrap_or_default();
    let at = |t: u64| {
        Instant::from_micros(match timing {
            // The earliest instant at 0.
            Timing::Estimated => t - earliest,
            // Back on the capture's clock: t - d + t0, unless the capture's clock starts less
            // than d after the epoch, when everything moves later by the difference.
            Timing::Captured { d, capture_start } => t.saturating_add(t0 - d.min(capture_start)),
        })
    };
    // At one instant, in capture order, each segment's send before its delivery: a SYN,ACK
    // sent the moment the SYN arrived comes after that arrival.
    events.sort_by_key(|&(t, rank, k, _)| (t, k, rank));
    for (t, _, k, mut event) in events {
        event.t = at(t);
        match (event.kind, event.host()) {
            (EventKind::Send(_), Some(host)) => {
                let mut sent = records[k].take().expect("each segment is sent once");
                sent.eta = sent.eta.map(|eta| at(eta.micros()));
                trace.push_send(event.t, host, event.why, sent);
            }
            _ => trace.push(event),
        }
    }
    trace
}

/// Half the time from the client's first SYN to the server's first SYN,ACK after it, or 0.
fn one_way_delay(packets: &[&Packet], side_of: &dyn Fn(&Packet) -> usize) -> u64 {
    let is_syn = |p: &Packet| p.seg.flags.syn() && !p.seg.flags.ack();
    let is_synack = |p: &Packet| p.seg.flags.syn() && p.seg.flags.ack();
    let Some(syn) = packets
        .iter()
        .position(|p| side_of(p) == CLIENT && is_syn(p))
    else {
        return 0;
    };
    let synack = packets
        .iter()
        .skip(syn + 1)
        .find(|p| side_of(p) == SERVER && is_synack(p));
    match (packets.get(syn), synack) {
        (Some(syn), Some(synack)) => synack.t_us.saturating_sub(syn.t_us) / 2,
        _ => 0,
    }
}

// ---------------------------------------------------------------------------------------------
// Words for readers.

/// `3,456`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `1 packet`, `1,514 bytes`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        thousands(n as u64),
        if n == 1 { one } else { many }
    )
}

/// `140 MB`, `100.1 MB`: mebibytes, rounded up to a tenth so a size just over a limit never
/// reads as the limit itself.
fn megabytes(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    let tenths = bytes.saturating_mul(10).div_ceil(MIB);
    if tenths.is_multiple_of(10) {
        format!("{} MB", tenths / 10)
    } else {
        format!("{}.{} MB", tenths / 10, tenths % 10)
    }
}

/// `50 4b 03 04`.
fn hex_bytes(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::{Flags, Options};

    const A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
    const B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

    // ----- Builders: packets, frames, files.

    fn seg(sport: u16, dport: u16, seq: u32, ack: u32, flags: Flags, len: u32) -> Segment {
        Segment {
            src_port: sport,
            dst_port: dport,
            seq: SeqNum(seq),
            ack: SeqNum(ack),
            flags,
            window: 1000,
            options: Options::default(),
            len,
        }
    }

    fn syn() -> Segment {
        Segment {
            options: Options {
                mss: Some(1460),
                wscale: Some(7),
                sack_permitted: true,
                timestamps: Some((11, 0)),
            },
            ..seg(40000, 80, 1000, 0, Flags::SYN, 0)
        }
    }

    fn synack() -> Segment {
        seg(80, 40000, 5000, 1001, Flags::SYN | Flags::ACK, 0)
    }

    fn ack() -> Segment {
        seg(40000, 80, 1001, 5001, Flags::ACK, 0)
    }

    /// An IPv4 packet: header, TCP header, and `seg.len` zero bytes of payload.
    fn ip(src: Ipv4Addr, dst: Ipv4Addr, seg: &Segment) -> Vec<u8> {
        let mut packet = crate::wire::headers(seg, src, dst, 1, 64);
        packet.resize(packet.len() + seg.len as usize, 0);
        packet
    }

    fn ethernet(ethertype: u16, payload: &[u8]) -> Vec<u8> {
        let mut frame = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];
        frame.extend_from_slice(&ethertype.to_be_bytes());
        frame.extend_from_slice(payload);
        frame
    }

    fn eth_ip(src: Ipv4Addr, dst: Ipv4Addr, seg: &Segment) -> Vec<u8> {
        ethernet(0x0800, &ip(src, dst, seg))
    }

    fn put16(out: &mut Vec<u8>, order: Order, v: u16) {
        out.extend_from_slice(&match order {
            Order::Little => v.to_le_bytes(),
            Order::Big => v.to_be_bytes(),
        });
    }

    fn put32(out: &mut Vec<u8>, order: Order, v: u32) {
        out.extend_from_slice(&match order {
            Order::Little => v.to_le_bytes(),
            Order::Big => v.to_be_bytes(),
        });
    }

    /// A classic pcap file: records of (seconds, fraction, frame), each whole.
    fn pcap(order: Order, nanos: bool, link: u32, records: &[(u32, u32, Vec<u8>)]) -> Vec<u8> {
        let with_len: Vec<_> = records
            .iter()
            .map(|(s, f, d)| (*s, *f, d.clone(), d.len() as u32))
            .collect();
        pcap_cut(order, nanos, link, &with_len)
    }

    /// A classic pcap file whose records give their wire length (the frame may be cut).
    fn pcap_cut(
        order: Order,
        nanos: bool,
        link: u32,
        records: &[(u32, u32, Vec<u8>, u32)],
    ) -> Vec<u8> {
        let mut out = Vec::new();
        put32(
            &mut out,
            order,
            if nanos { PCAP_NANOS } else { PCAP_MICROS },
        );
        put16(&mut out, order, 2);
        put16(&mut out, order, 4);
        put32(&mut out, order, 0);
        put32(&mut out, order, 0);
        put32(&mut out, order, 65535);
        put32(&mut out, order, link);
        for (sec, frac, data, wire_len) in records {
            put32(&mut out, order, *sec);
            put32(&mut out, order, *frac);
            put32(&mut out, order, data.len() as u32);
            put32(&mut out, order, *wire_len);
            out.extend_from_slice(data);
        }
        out
    }

    fn block(order: Order, kind: u32, body: &[u8]) -> Vec<u8> {
        let mut body = body.to_vec();
        body.resize(body.len().div_ceil(4) * 4, 0);
        let total = body.len() as u32 + 12;
        let mut out = Vec::new();
        put32(&mut out, order, kind);
        put32(&mut out, order, total);
        out.extend_from_slice(&body);
        put32(&mut out, order, total);
        out
    }

    fn shb(order: Order) -> Vec<u8> {
        let mut body = Vec::new();
        put32(&mut body, order, BYTE_ORDER_MAGIC);
        put16(&mut body, order, 1);
        put16(&mut body, order, 0);
        body.extend_from_slice(&[0xff; 8]); // section length: unknown
        block(order, PCAPNG_SHB, &body)
    }

    /// An Interface Description Block, with `if_tsresol` if given.
    fn idb(order: Order, link: u16, tsresol: Option<u8>) -> Vec<u8> {
        let mut body = Vec::new();
        put16(&mut body, order, link);
        put16(&mut body, order, 0);
        put32(&mut body, order, 0); // snaplen: none
        if let Some(resol) = tsresol {
            put16(&mut body, order, IF_TSRESOL);
            put16(&mut body, order, 1);
            body.extend_from_slice(&[resol, 0, 0, 0]);
            put16(&mut body, order, OPT_ENDOFOPT);
            put16(&mut body, order, 0);
        }
        block(order, BLOCK_IDB, &body)
    }

    fn epb(order: Order, interface: u32, ticks: u64, data: &[u8]) -> Vec<u8> {
        let mut body = Vec::new();
        put32(&mut body, order, interface);
        put32(&mut body, order, (ticks >> 32) as u32);
        put32(&mut body, order, ticks as u32);
        put32(&mut body, order, data.len() as u32);
        put32(&mut body, order, data.len() as u32);
        body.extend_from_slice(data);
        block(order, BLOCK_EPB, &body)
    }

    fn spb(order: Order, data: &[u8]) -> Vec<u8> {
        let mut body = Vec::new();
        put32(&mut body, order, data.len() as u32);
        body.extend_from_slice(data);
        block(order, BLOCK_SPB, &body)
    }

    /// A Name Resolution Block (type 4), which the reader passes over.
    fn nrb(order: Order) -> Vec<u8> {
        let mut body = Vec::new();
        put16(&mut body, order, 1); // nrb_record_ipv4
        put16(&mut body, order, 10);
        body.extend_from_slice(&[10, 0, 0, 1, b'h', b'o', b's', b't', b'a', 0, 0, 0]);
        put16(&mut body, order, 0); // nrb_record_end
        put16(&mut body, order, 0);
        block(order, 4, &body)
    }

    /// The handshake as Ethernet frames, 10 ms apart.
    fn handshake_frames() -> Vec<Vec<u8>> {
        vec![
            eth_ip(A, B, &syn()),
            eth_ip(B, A, &synack()),
            eth_ip(A, B, &ack()),
        ]
    }

    fn handshake_pcap(order: Order) -> Vec<u8> {
        let records: Vec<_> = handshake_frames()
            .into_iter()
            .enumerate()
            .map(|(i, f)| (7, i as u32 * 10_000, f))
            .collect();
        pcap(order, false, 1, &records)
    }

    fn error(bytes: &[u8]) -> String {
        match parse(bytes) {
            Ok(c) => panic!("parsed: {:?}", c.connections()),
            Err(e) => e.to_string(),
        }
    }

    /// (capture time, src, seg) of every packet.
    fn packets(c: &Capture) -> Vec<(u64, Ipv4Addr, Segment)> {
        c.packets
            .iter()
            .map(|p| (p.t_us, p.src, p.seg.clone()))
            .collect()
    }

    const T0: u64 = 7_000_000;

    fn expected_handshake() -> Vec<(u64, Ipv4Addr, Segment)> {
        vec![
            (T0, A, syn()),
            (T0 + 10_000, B, synack()),
            (T0 + 20_000, A, ack()),
        ]
    }

    // ----- Classic pcap.

    #[test]
    fn classic_pcap_in_either_byte_order() {
        for order in [Order::Little, Order::Big] {
            let c = parse(&handshake_pcap(order)).unwrap();
            assert_eq!(packets(&c), expected_handshake(), "{order:?}");
            assert_eq!(c.skipped(), "");
        }
        // The magic tells the order: a1 b2 c3 d4 is big-endian.
        assert_eq!(&handshake_pcap(Order::Big)[..4], &[0xa1, 0xb2, 0xc3, 0xd4]);
    }

    #[test]
    fn nanosecond_pcap_in_either_byte_order() {
        for order in [Order::Little, Order::Big] {
            let records: Vec<_> = handshake_frames()
                .into_iter()
                .enumerate()
                .map(|(i, f)| (7, i as u32 * 10_000_000 + 999, f))
                .collect();
            let c = parse(&pcap(order, true, 1, &records)).unwrap();
            assert_eq!(packets(&c), expected_handshake(), "{order:?}");
        }
    }

    #[test]
    fn errors_in_classic_pcap_say_where_and_why() {
        let good = handshake_pcap(Order::Little);
        assert_eq!(
            error(&good[..10]),
            "the capture is cut short: its file header needs 24 bytes, but the file holds only 10"
        );
        // The second record follows the file header and the first record (74 bytes of SYN).
        let second = 24 + 16 + handshake_frames()[0].len();
        assert_eq!(
            error(&good[..second + 5]),
            format!(
                "the capture is cut short: packet 2 at byte {second} needs a 16-byte record \
                 header, but only 5 bytes remain"
            )
        );
        assert_eq!(
            error(&good[..second + 16 + 20]),
            format!(
                "the capture is cut short: packet 2 at byte {second} says it holds 54 bytes, \
                 but only 20 remain"
            )
        );
        // A huge claimed length is refused without allocating it.
        let mut huge = good.clone();
        huge[24 + 8..24 + 12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(
            error(&huge),
            "the capture is cut short: packet 1 at byte 24 says it holds 4,294,967,295 bytes, \
             but only 214 remain"
        );
    }

    #[test]
    fn files_that_are_not_captures_are_named() {
        assert_eq!(
            error(b""),
            "the file is empty: a pcap or pcapng capture starts with a file header"
        );
        assert_eq!(
            error(&[0xd4, 0xc3]),
            "the file holds only 2 bytes: too short to be a pcap or pcapng capture"
        );
        assert_eq!(
            error(b"PK\x03\x04\x14\x00\x00\x00"),
            "not a pcap or pcapng file: it starts with 50 4b 03 04 (a zip archive?)"
        );
        assert_eq!(
            error(b"\x1f\x8b\x08\x00\x00\x00"),
            "not a pcap or pcapng file: it starts with 1f 8b 08 00 (a gzip-compressed file? \
             decompress it first)"
        );
        assert_eq!(
            error(b"host a 10.0.0.1\n"),
            "not a pcap or pcapng file: it starts with 68 6f 73 74 (text? a capture is a binary \
             file)"
        );
        assert_eq!(
            error(&[0, 1, 2, 3, 0xff]),
            "not a pcap or pcapng file: it starts with 00 01 02 03"
        );
    }

    #[test]
    fn the_size_limit_is_checked_first() {
        let over = vec![0u8; MAX_CAPTURE_BYTES + 1];
        assert_eq!(
            error(&over),
            "the capture is 100.1 MB; the limit is 100 MB: keep only the connection you want, \
             e.g. `tshark -r in.pcap -w out.pcap tcp.port==80`"
        );
        assert!(check_size(MAX_CAPTURE_BYTES as u64).is_ok());
        let message = check_size(140 * 1024 * 1024).unwrap_err().to_string();
        assert!(
            message.starts_with("the capture is 140 MB; the limit is 100 MB"),
            "{message}"
        );
    }

    // ----- pcapng.

    #[test]
    fn pcapng_in_either_byte_order_skips_other_blocks() {
        for order in [Order::Little, Order::Big] {
            let frames = handshake_frames();
            let mut file = shb(order);
            file.extend(idb(order, 1, None));
            file.extend(epb(order, 0, T0, &frames[0]));
            file.extend(nrb(order));
            file.extend(epb(order, 0, T0 + 10_000, &frames[1]));
            file.extend(block(order, 0x0000_0bad, b"custom block, skipped"));
            file.extend(epb(order, 0, T0 + 20_000, &frames[2]));
            let c = parse(&file).unwrap();
            assert_eq!(packets(&c), expected_handshake(), "{order:?}");
        }
    }

    #[test]
    fn pcapng_timestamp_resolutions() {
        let frames = handshake_frames();
        // 10^-9 s units, 2^-10 s units, and the default 10^-6: 1.5 s, 3 s, 1.5 s.
        let cases = [
            (Some(9), 1_500_000_000, 1_500_000),
            (Some(0x80 | 10), 3 * 1024, 3_000_000),
            (None, 1_500_000, 1_500_000),
        ];
        for (resol, ticks, micros) in cases {
            let mut file = shb(Order::Little);
            file.extend(idb(Order::Little, 1, resol));
            file.extend(epb(Order::Little, 0, ticks, &frames[0]));
            let c = parse(&file).unwrap();
            assert_eq!(c.packets[0].t_us, micros, "{resol:?}");
        }
        assert_eq!(units_per_sec(6), Some(1_000_000));
        assert_eq!(units_per_sec(0x80 | 20), Some(1 << 20));
        assert_eq!(units_per_sec(39), None);
        let mut file = shb(Order::Little);
        file.extend(idb(Order::Little, 1, Some(100)));
        assert_eq!(
            error(&file),
            "the capture is damaged: block 2 at byte 28 (an Interface Description Block) gives a \
             timestamp resolution of 10^-100 second, finer than any clock"
        );
    }

    #[test]
    fn pcapng_sections_interfaces_and_simple_packets() {
        let frames = handshake_frames();
        // Section 1, little-endian: an Ethernet interface and a raw IPv4 one.
        let mut file = shb(Order::Little);
        file.extend(idb(Order::Little, 1, None));
        file.extend(idb(Order::Little, LINKTYPE_IPV4 as u16, Some(9)));
        file.extend(epb(Order::Little, 0, T0, &frames[0]));
        file.extend(epb(
            Order::Little,
            1,
            (T0 + 10_000) * 1_000,
            &ip(B, A, &synack()),
        ));
        // Section 2, big-endian, starts its interfaces afresh: interface 0 is SLL there.
        file.extend(shb(Order::Big));
        file.extend(idb(Order::Big, LINKTYPE_LINUX_SLL as u16, None));
        // A Simple Packet Block has no time: it takes the previous packet's.
        file.extend(spb(Order::Big, &sll(&ip(A, B, &ack()))));
        let c = parse(&file).unwrap();
        let mut expected = expected_handshake();
        expected[2].0 = T0 + 10_000;
        assert_eq!(packets(&c), expected);
    }

    #[test]
    fn errors_in_pcapng_say_where_and_why() {
        let frames = handshake_frames();
        let mut good = shb(Order::Little);
        good.extend(idb(Order::Little, 1, None));
        let epb_at = good.len();
        good.extend(epb(Order::Little, 0, T0, &frames[0]));
        assert!(parse(&good).is_ok());

        assert_eq!(
            error(&good[..epb_at + 8]),
            format!(
                "the capture is cut short: block 3 at byte {epb_at} needs at least 12 bytes, but \
                 only 8 remain"
            )
        );
        // The block says it is longer than what is left: cut short, nothing allocated.
        for claimed in [200u32, 0xffff_fff0] {
            let mut overrun = good.clone();
            overrun[epb_at + 4..epb_at + 8].copy_from_slice(&claimed.to_le_bytes());
            assert_eq!(
                error(&overrun),
                format!(
                    "the capture is cut short: block 3 at byte {epb_at} (an Enhanced Packet \
                     Block) says it holds {} bytes, but only 108 remain",
                    thousands(u64::from(claimed))
                )
            );
        }
        let mut odd = good.clone();
        odd[epb_at + 4..epb_at + 8].copy_from_slice(&10u32.to_le_bytes());
        assert_eq!(
            error(&odd),
            format!(
                "the capture is damaged: block 3 at byte {epb_at} (an Enhanced Packet Block) says \
                 it is 10 bytes long; a pcapng block is a multiple of 4 bytes and at least 12"
            )
        );
        let mut trailer = good.clone();
        let end = trailer.len();
        trailer[end - 4..].copy_from_slice(&100u32.to_le_bytes());
        assert_eq!(
            error(&trailer),
            format!(
                "the capture is damaged: block 3 at byte {epb_at} (an Enhanced Packet Block) \
                 gives its length as 108 at the start but 100 at the end"
            )
        );
        let mut magic = good.clone();
        magic[8..12].copy_from_slice(&[1, 2, 3, 4]);
        assert_eq!(
            error(&magic),
            "the capture is damaged: the Section Header Block 1 at byte 0 has the byte-order \
             magic 01 02 03 04, which should be 1a 2b 3c 4d or 4d 3c 2b 1a"
        );
        let mut version = good.clone();
        version[12..14].copy_from_slice(&2u16.to_le_bytes());
        assert_eq!(
            error(&version),
            "block 1 at byte 0 (a Section Header Block) is pcapng version 2.0; this reader knows \
             version 1"
        );
        let mut interface = good.clone();
        interface[epb_at + 8..epb_at + 12].copy_from_slice(&3u32.to_le_bytes());
        assert_eq!(
            error(&interface),
            format!(
                "the capture is damaged: packet 1 in block 3 at byte {epb_at} (an Enhanced Packet \
                 Block) belongs to interface 3, but its section describes only 1 interface"
            )
        );
        let mut caplen = good.clone();
        caplen[epb_at + 20..epb_at + 24].copy_from_slice(&5000u32.to_le_bytes());
        assert_eq!(
            error(&caplen),
            format!(
                "the capture is damaged: packet 1 in block 3 at byte {epb_at} (an Enhanced Packet \
                 Block) says it holds 5,000 bytes, but its block has room for only 76"
            )
        );
    }

    // ----- Link types.

    /// A Linux cooked (SLL) header: outgoing, ARPHRD_ETHER, 6-byte address, IPv4.
    fn sll(payload: &[u8]) -> Vec<u8> {
        let mut out = vec![0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00];
        out.extend_from_slice(payload);
        out
    }

    /// An SLL2 header: protocol, reserved, interface index, ARPHRD_ETHER, outgoing, 6, address.
    fn sll2(payload: &[u8]) -> Vec<u8> {
        let mut out = vec![0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 4, 6];
        out.extend_from_slice(&[2, 0, 0, 0, 0, 1, 0, 0]);
        out.extend_from_slice(payload);
        out
    }

    fn one_packet(link: u32, frame: Vec<u8>) -> Result<Capture, CaptureError> {
        parse(&pcap(Order::Little, false, link, &[(7, 0, frame)]))
    }

    #[test]
    fn every_link_type_reaches_the_same_segment() {
        let packet = ip(A, B, &syn());
        let vlan = {
            let mut inner = vec![0x00, 0x05, 0x08, 0x00]; // TCI 5, then IPv4
            inner.extend_from_slice(&packet);
            ethernet(0x8100, &inner)
        };
        let qinq = {
            let mut inner = vec![0x00, 0x07, 0x81, 0x00, 0x00, 0x05, 0x08, 0x00];
            inner.extend_from_slice(&packet);
            ethernet(0x88a8, &inner)
        };
        let null = |family: [u8; 4]| {
            let mut frame = family.to_vec();
            frame.extend_from_slice(&packet);
            frame
        };
        let cases = [
            ("ethernet", LINKTYPE_ETHERNET, ethernet(0x0800, &packet)),
            ("802.1Q", LINKTYPE_ETHERNET, vlan),
            ("802.1ad", LINKTYPE_ETHERNET, qinq),
            ("raw", LINKTYPE_RAW, packet.clone()),
            ("ipv4", LINKTYPE_IPV4, packet.clone()),
            ("sll", LINKTYPE_LINUX_SLL, sll(&packet)),
            ("sll2", LINKTYPE_LINUX_SLL2, sll2(&packet)),
            ("null le", LINKTYPE_NULL, null([2, 0, 0, 0])),
            ("null be", LINKTYPE_NULL, null([0, 0, 0, 2])),
            ("loop", LINKTYPE_LOOP, null([0, 0, 0, 2])),
        ];
        for (name, link, frame) in cases {
            let c = one_packet(link, frame).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(packets(&c), vec![(T0, A, syn())], "{name}");
        }
    }

    #[test]
    fn what_is_not_ipv4_tcp_is_counted_and_skipped() {
        let v6 = {
            let mut p = vec![0x60, 0, 0, 0, 0, 0, 6, 64];
            p.resize(40, 0);
            p
        };
        let mut udp = ip(A, B, &syn());
        udp[9] = 17;
        let mut icmp = ip(A, B, &syn());
        icmp[9] = 1;
        let mut gre = ip(A, B, &syn());
        gre[9] = 47;
        let mut fragment = ip(A, B, &syn());
        fragment[6] = 0x20; // More Fragments
        let mut later_fragment = ip(A, B, &syn());
        later_fragment[7] = 0x10; // offset 16 words
        let mut damaged = ip(A, B, &syn());
        damaged[0] = 0x43; // IHL 3 words
        let mut offset = ip(A, B, &syn());
        offset[20 + 12] = 0x20; // data offset 2 words
        let frames = vec![
            (7, 0, eth_ip(A, B, &syn())),
            (7, 1, ethernet(0x86dd, &v6)),
            (7, 2, ethernet(0x0806, &[0; 28])),
            (7, 3, ethernet(0x0806, &[0; 28])),
            (7, 4, ethernet(0x88cc, &[0; 30])), // LLDP
            (7, 5, ethernet(0x0800, &udp)),
            (7, 6, ethernet(0x0800, &icmp)),
            (7, 7, ethernet(0x0800, &gre)),
            (7, 8, ethernet(0x0800, &fragment)),
            (7, 9, ethernet(0x0800, &later_fragment)),
            (7, 10, ethernet(0x0800, &damaged)),
            (7, 11, ethernet(0x0800, &offset)),
            (7, 12, eth_ip(A, B, &syn())[..40].to_vec()), // the TCP header is cut
        ];
        let c = parse(&pcap(Order::Little, false, 1, &frames)).unwrap();
        assert_eq!(c.packets.len(), 1);
        assert_eq!(
            c.skipped(),
            "12 of 13 packets were skipped: 1 IPv6, 2 ARP, 1 other link-layer protocol, 1 UDP, \
             1 ICMP, 1 other IPv4 protocol, 2 IPv4 fragments, 1 cut short by the snapshot \
             length, 2 with damaged headers."
        );
        let c = one_packet(105, vec![0; 40]);
        assert_eq!(
            c.unwrap_err().to_string(),
            "no IPv4 TCP packets in this capture: 1 packet, 1 on link type 105, which this \
             reader does not know"
        );
        let raw6 = one_packet(LINKTYPE_RAW, v6);
        assert_eq!(
            raw6.unwrap_err().to_string(),
            "no IPv4 TCP packets in this capture: 1 packet, 1 IPv6"
        );
    }

    #[test]
    fn a_capture_without_tcp_is_an_error_that_counts_what_it_holds() {
        let v6 = ethernet(0x86dd, &[0x60; 40]);
        let arp = ethernet(0x0806, &[0; 28]);
        let frames: Vec<_> = (0..40)
            .map(|i| (1, i, if i < 38 { v6.clone() } else { arp.clone() }))
            .collect();
        assert_eq!(
            error(&pcap(Order::Little, false, 1, &frames)),
            "no IPv4 TCP packets in this capture: 40 packets, 38 IPv6, 2 ARP"
        );
        assert_eq!(
            error(&pcap(Order::Big, false, 1, &[])),
            "no IPv4 TCP packets in this capture: it holds no packets"
        );
    }

    #[test]
    fn the_payload_length_comes_from_the_ip_header_not_the_bytes_captured() {
        let data = seg(40000, 80, 1001, 5001, Flags::ACK | Flags::PSH, 1448);
        let frame = eth_ip(A, B, &data);
        let wire_len = frame.len() as u32;
        // Cut after the headers (a snapshot length of 54), or in the middle of the options.
        let c = parse(&pcap_cut(
            Order::Little,
            false,
            1,
            &[
                (7, 0, frame[..54].to_vec(), wire_len),
                (7, 1, eth_ip(A, B, &syn())[..60].to_vec(), 74),
            ],
        ))
        .unwrap();
        assert_eq!(packets(&c), vec![(T0, A, data.clone())]);
        assert_eq!(
            c.skipped(),
            "1 of 2 packets were skipped: 1 cut short by the snapshot length."
        );
        // Segmentation offload: a total length of 0 means the frame's length.
        let mut tso = frame.clone();
        tso[14 + 2..14 + 4].copy_from_slice(&[0, 0]);
        let c = parse(&pcap_cut(Order::Little, false, 1, &[(7, 0, tso, wire_len)])).unwrap();
        assert_eq!(c.packets[0].seg.len, 1448);
        // Ethernet padding after a short packet is not payload.
        let mut padded = eth_ip(A, B, &ack());
        padded.extend_from_slice(&[0; 6]);
        let c = one_packet(1, padded).unwrap();
        assert_eq!(c.packets[0].seg.len, 0);
    }

    // ----- Connections.

    #[test]
    fn connections_in_order_of_first_packet_with_the_syn_sender_as_client() {
        let c_addr = Ipv4Addr::new(10, 0, 0, 3);
        let frames = vec![
            // A connection already open: the server speaks first, so it counts as the client.
            (
                1,
                0,
                eth_ip(B, c_addr, &seg(22, 50000, 1, 1, Flags::ACK, 10)),
            ),
            // The server's SYN,ACK was captured before the client's SYN (a clock skew):
            // the SYN's sender is still the client.
            (2, 0, eth_ip(B, A, &synack())),
            (2, 1, eth_ip(A, B, &syn())),
            (
                3,
                0,
                eth_ip(c_addr, B, &seg(50000, 22, 1, 11, Flags::ACK, 0)),
            ),
            (4, 0, eth_ip(A, B, &ack())),
        ];
        let c = parse(&pcap(Order::Little, false, 1, &frames)).unwrap();
        let conns = c.connections();
        assert_eq!(
            conns,
            vec![
                Connection {
                    label: "10.0.0.2:22-10.0.0.3:50000".into(),
                    client: (B, 22),
                    server: (c_addr, 50000),
                    packets: 2,
                    first_us: 1_000_000,
                    last_us: 3_000_000,
                },
                Connection {
                    label: "10.0.0.1:40000-10.0.0.2:80".into(),
                    client: (A, 40000),
                    server: (B, 80),
                    packets: 3,
                    first_us: 2_000_000,
                    last_us: 4_000_000,
                },
            ]
        );
        assert_eq!(
            c.observe(2).unwrap_err().to_string(),
            "there is no connection 2: this capture holds 2 connections (numbered from 0)"
        );
    }

    #[test]
    fn a_connection_to_the_same_address_is_refused_with_a_reason() {
        let lo = Ipv4Addr::LOCALHOST;
        let c = one_packet(1, eth_ip(lo, lo, &syn())).unwrap();
        assert_eq!(c.connections()[0].label, "127.0.0.1:40000-127.0.0.1:80");
        assert_eq!(
            c.observe(0).unwrap_err().to_string(),
            "both ends of 127.0.0.1:40000-127.0.0.1:80 have the address 127.0.0.1: the ladder \
             tells hosts apart by address, so a connection to the same host cannot be drawn"
        );
    }

    // ----- The observed trace.

    fn sent(trace: &Trace) -> Vec<&Sent> {
        trace.sent_segments().map(|(_, s)| s).collect()
    }

    /// `t kind host #id` for every event.
    fn timeline(trace: &Trace) -> Vec<String> {
        trace
            .events
            .iter()
            .map(|e| {
                let host = &trace.hosts[e.host().unwrap()].name;
                match &e.kind {
                    EventKind::Send(_) => {
                        let id = trace.sent(e).unwrap().id;
                        format!("{} {host} sends #{id}", e.t.micros())
                    }
                    EventKind::Deliver { seg_id } => {
                        format!("{} {host} receives #{seg_id}", e.t.micros())
                    }
                    other => panic!("unexpected {other:?}"),
                }
            })
            .collect()
    }

    #[test]
    fn observe_times_segments_from_the_client_side() {
        // SYN at 0, SYN,ACK 10 ms later: d = 5 ms. The client's ACK at 20 ms, a server data
        // segment at 21 ms (sent at 16 ms, before the ACK arrives at 25 ms).
        let data = seg(80, 40000, 5001, 1001, Flags::ACK | Flags::PSH, 100);
        let mut frames = handshake_frames();
        frames.push(eth_ip(B, A, &data));
        let times = [0, 10_000, 20_000, 21_000];
        let records: Vec<_> = frames
            .into_iter()
            .zip(times)
            .map(|(f, t)| (7, t, f))
            .collect();
        let c = parse(&pcap(Order::Little, false, 1, &records)).unwrap();
        let trace = c.observe(0).unwrap();
        assert_eq!(
            trace.hosts,
            vec![
                HostInfo {
                    name: "10.0.0.1".into(),
                    addr: A,
                    spoofing: false,
                },
                HostInfo {
                    name: "10.0.0.2".into(),
                    addr: B,
                    spoofing: false,
                }
            ]
        );
        assert_eq!(trace.conns, vec!["10.0.0.1:40000-10.0.0.2:80".to_string()]);
        assert_eq!(
            timeline(&trace),
            [
                "0 10.0.0.1 sends #1",
                "5000 10.0.0.2 receives #1",
                "5000 10.0.0.2 sends #2",
                "10000 10.0.0.1 receives #2",
                "16000 10.0.0.2 sends #4",
                "20000 10.0.0.1 sends #3",
                "21000 10.0.0.1 receives #4",
                "25000 10.0.0.2 receives #3",
            ]
        );
        for e in &trace.events {
            assert_eq!(e.why.id(), "captured");
            assert_eq!(e.why.rfc(), None);
        }
        let sends = sent(&trace);
        let eta: Vec<u64> = sends.iter().map(|s| s.eta.unwrap().micros()).collect();
        assert_eq!(eta, [5_000, 10_000, 21_000, 25_000]);
        let rel: Vec<(u32, u32, u32)> = sends.iter().map(|s| (s.id, s.rseq, s.rack)).collect();
        assert_eq!(rel, [(1, 0, 0), (2, 0, 1), (4, 1, 1), (3, 1, 1)]);
    }

    #[test]
    fn without_a_handshake_the_delay_is_zero_and_numbers_start_where_seen() {
        let frames = vec![
            (
                1,
                0,
                eth_ip(A, B, &seg(40000, 80, 7000, 9000, Flags::ACK, 100)),
            ),
            (
                1,
                0,
                eth_ip(B, A, &seg(80, 40000, 9000, 7100, Flags::ACK, 0)),
            ),
        ];
        let c = parse(&pcap(Order::Little, false, 1, &frames)).unwrap();
        let trace = c.observe(0).unwrap();
        assert_eq!(
            timeline(&trace),
            [
                "0 10.0.0.1 sends #1",
                "0 10.0.0.2 receives #1",
                "0 10.0.0.2 sends #2",
                "0 10.0.0.1 receives #2",
            ]
        );
        let rel: Vec<(u32, u32)> = sent(&trace).iter().map(|s| (s.rseq, s.rack)).collect();
        // As Wireshark (tshark 4.0) shows them: without a SYN the first byte seen is 1, and
        // the first acknowledgment of a direction not seen yet is 1 too.
        assert_eq!(rel, [(1, 1), (1, 101)]);
    }

    /// (flags, rseq, rack) of every segment sent in connection 0.
    fn relative(frames: &[Vec<u8>]) -> Vec<(String, u32, u32)> {
        let records: Vec<_> = frames
            .iter()
            .enumerate()
            .map(|(i, f)| (1, i as u32, f.clone()))
            .collect();
        let c = parse(&pcap(Order::Little, false, 1, &records)).unwrap();
        sent(&c.observe(0).unwrap())
            .iter()
            .map(|s| (s.seg.flags.to_string(), s.rseq, s.rack))
            .collect()
    }

    /// Each expected list is what tshark 4.0.17 shows (`tcp.seq`, `tcp.ack`) for the same
    /// packets written as a raw-IP pcap.
    #[test]
    fn relative_numbers_are_wiresharks() {
        let row = |flags: &str, rseq, rack| (flags.to_string(), rseq, rack);
        // A SYN to a closed port answered by RST,ACK with seq 0: Wireshark shows seq=1 ack=1.
        let rst = seg(81, 40000, 0, 1001, Flags::RST | Flags::ACK, 0);
        let syn81 = Segment {
            dst_port: 81,
            ..syn()
        };
        assert_eq!(
            relative(&[eth_ip(A, B, &syn81), eth_ip(B, A, &rst)]),
            [row("SYN", 0, 0), row("ACK,RST", 1, 1)]
        );
        // A RST without ACK alone: seq=1, and no acknowledgment.
        let bare = seg(81, 40000, 0, 0, Flags::RST, 0);
        assert_eq!(relative(&[eth_ip(B, A, &bare)]), [row("RST", 1, 0)]);
        // The capture starts with the server's SYN,ACK: the client's base comes from its ack.
        assert_eq!(
            relative(&[eth_ip(B, A, &synack()), eth_ip(A, B, &ack())]),
            [row("SYN,ACK", 0, 1), row("ACK", 1, 1)]
        );
        // A second SYN,ACK with another sequence number starts its direction afresh.
        let again = seg(80, 40000, 6000, 1001, Flags::SYN | Flags::ACK, 0);
        assert_eq!(
            relative(&[
                eth_ip(A, B, &syn()),
                eth_ip(B, A, &synack()),
                eth_ip(B, A, &again),
                eth_ip(A, B, &seg(40000, 80, 1001, 6001, Flags::ACK, 0)),
            ]),
            [
                row("SYN", 0, 0),
                row("SYN,ACK", 0, 1),
                row("SYN,ACK", 0, 1),
                row("ACK", 1, 1)
            ]
        );
        // Port reuse: a SYN with a new ISN in an open connection numbers both directions
        // afresh, so the server's next ACK counts from its own seq - 1 and acknowledges bytes
        // "before" the new ISN (a wrapped number), as in Wireshark's new tcp.stream.
        let new_syn = Segment {
            seq: SeqNum(90_000),
            ..syn()
        };
        assert_eq!(
            relative(&[
                eth_ip(A, B, &syn()),
                eth_ip(B, A, &synack()),
                eth_ip(A, B, &seg(40000, 80, 1001, 5001, Flags::ACK, 10)),
                eth_ip(A, B, &new_syn),
                eth_ip(B, A, &seg(80, 40000, 5001, 1011, Flags::ACK, 0)),
                eth_ip(A, B, &seg(40000, 80, 1011, 5001, Flags::ACK, 0)),
            ]),
            [
                row("SYN", 0, 0),
                row("SYN,ACK", 0, 1),
                row("ACK", 1, 1),
                row("SYN", 0, 0),
                row("ACK", 1, 4_294_878_307),
                row("ACK", 4_294_878_307, 1),
            ]
        );
    }

    #[test]
    fn observe_with_a_given_delay_keeps_the_capture_clock() {
        // SYN at 7 s, SYN,ACK at 7.010 s, ACK at 7.020 s, a server segment at 7.021 s.
        let data = seg(80, 40000, 5001, 1001, Flags::ACK | Flags::PSH, 100);
        let mut frames = handshake_frames();
        frames.push(eth_ip(B, A, &data));
        let records: Vec<_> = frames
            .into_iter()
            .zip([0, 10_000, 20_000, 21_000])
            .map(|(f, t)| (7, t, f))
            .collect();
        let c = parse(&pcap(Order::Little, false, 1, &records)).unwrap();
        // None is observe's estimate.
        assert_eq!(
            c.observe_with(0, None).unwrap().to_json_lines(),
            c.observe(0).unwrap().to_json_lines()
        );
        // Some(0): every segment sent and delivered at its capture time, in µs since the epoch.
        assert_eq!(
            timeline(&c.observe_with(0, Some(0)).unwrap()),
            [
                "7000000 10.0.0.1 sends #1",
                "7000000 10.0.0.2 receives #1",
                "7010000 10.0.0.2 sends #2",
                "7010000 10.0.0.1 receives #2",
                "7020000 10.0.0.1 sends #3",
                "7020000 10.0.0.2 receives #3",
                "7021000 10.0.0.2 sends #4",
                "7021000 10.0.0.1 receives #4",
            ]
        );
        // Some(3 ms): the capture is next to the client; the server sent 3 ms before capture.
        let trace = c.observe_with(0, Some(3_000)).unwrap();
        assert_eq!(
            timeline(&trace),
            [
                "7000000 10.0.0.1 sends #1",
                "7003000 10.0.0.2 receives #1",
                "7007000 10.0.0.2 sends #2",
                "7010000 10.0.0.1 receives #2",
                "7018000 10.0.0.2 sends #4",
                "7020000 10.0.0.1 sends #3",
                "7021000 10.0.0.1 receives #4",
                "7023000 10.0.0.2 receives #3",
            ]
        );
        let eta: Vec<u64> = sent(&trace)
            .iter()
            .map(|s| s.eta.unwrap().micros())
            .collect();
        assert_eq!(eta, [7_003_000, 7_010_000, 7_021_000, 7_023_000]);
        // A delay longer than the capture's clock has run since the epoch (8 s after a
        // capture that starts at 7 s): everything moves 1 s later, so that a server segment
        // captured at the capture's start would be sent at 0. The SYN,ACK captured at 7.010 s
        // was sent 8 s earlier, at 0.010 s, and the client's SYN at 8 s.
        let trace = c.observe_with(0, Some(8_000_000)).unwrap();
        let first: Vec<String> = timeline(&trace).into_iter().take(3).collect();
        assert_eq!(
            first,
            [
                "10000 10.0.0.2 sends #2",
                "21000 10.0.0.2 sends #4",
                "8000000 10.0.0.1 sends #1"
            ]
        );
    }

    #[test]
    fn connections_of_one_capture_share_the_clock_with_a_given_delay() {
        let other = |s: &Segment| Segment {
            src_port: 40001,
            ..s.clone()
        };
        let records = vec![
            (7, 0, eth_ip(A, B, &syn())),
            (8, 0, eth_ip(A, B, &other(&syn()))),
            (
                8,
                5,
                eth_ip(
                    B,
                    A,
                    &seg(80, 40001, 5000, 1001, Flags::SYN | Flags::ACK, 0),
                ),
            ),
        ];
        let c = parse(&pcap(Order::Little, false, 1, &records)).unwrap();
        let starts: Vec<u64> = (0..2)
            .map(|i| c.observe_with(i, Some(0)).unwrap().events[0].t.micros())
            .collect();
        assert_eq!(starts, [7_000_000, 8_000_000]);
        // observe starts each at 0.
        assert_eq!(c.observe(1).unwrap().events[0].t.micros(), 0);
    }

    #[test]
    fn retransmissions_repeat_sequence_space_already_sent() {
        let data = |seq, len| seg(40000, 80, seq, 5001, Flags::ACK, len);
        let fin = seg(40000, 80, 1301, 5001, Flags::ACK | Flags::FIN, 0);
        let frames: Vec<_> = [
            syn(),
            syn(), // the SYN again: a retransmission
            data(1001, 100),
            data(1101, 100),
            data(1001, 100), // again
            data(1051, 50),  // a part of what was sent
            data(1201, 100), // new
            data(1300, 0),   // a pure ACK (keepalive-like): no sequence space, never one
            fin.clone(),
            fin, // the FIN again
            Segment {
                seq: SeqNum(777_000),
                ..syn()
            }, // a new SYN, a new ISN: a new incarnation, numbered afresh
        ]
        .iter()
        .enumerate()
        .map(|(i, s)| (1, i as u32, eth_ip(A, B, s)))
        .collect();
        let c = parse(&pcap(Order::Little, false, 1, &frames)).unwrap();
        let trace = c.observe(0).unwrap();
        let marks: Vec<(u32, bool)> = sent(&trace).iter().map(|s| (s.rseq, s.retrans)).collect();
        assert_eq!(
            marks,
            [
                (0, false),
                (0, true),
                (1, false),
                (101, false),
                (1, true),
                (51, true),
                (201, false),
                (300, false),
                (301, false),
                (301, true),
                (0, false),
            ]
        );
    }
}
