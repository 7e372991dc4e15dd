//! A segment's bytes as they are on the wire, both ways: the IPv4 header (RFC 791 §3.1) and the
//! TCP header with its options and checksum (RFC 9293 §3.1) written for a simulated segment
//! (the inspector's bytes, pcap export) and read from a capture (pcap import), and the headers
//! laid out field by field (name, bit offset, width, value) for the inspector's diagram.
//!
//! The simulator carries no payload bytes, only their count ([`Segment::len`]), so the payload
//! is taken to be that many zero bytes. Nothing here allocates payload: zeros add nothing to a
//! ones'-complement sum, so only the payload's length enters the checksum (through the
//! pseudo-header), and a caller that wants the whole packet appends `seg.len` zeros itself.

pub mod ipv4;
pub mod option;
pub mod tcp;

use crate::segment::Segment;
use serde::Serialize;
use std::fmt::Write as _;
use std::net::Ipv4Addr;

pub use ipv4::Ipv4Header;
pub use tcp::TcpHeader;

/// Why a header could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WireError {
    /// The bytes end before the header does (a capture's snapshot length cut it).
    Truncated,
    /// A field says something no valid header says (a version, or a length that cannot be).
    Malformed,
}

/// One field of a header as the inspector's diagram draws it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Field {
    /// The field's name as RFC 791 and RFC 9293 §3.1 call it (`source port`, `SYN`,
    /// `option`, ...), which is also its key for the page.
    pub name: &'static str,
    /// Where it starts, in bits from the start of its header, and how many bits it takes.
    pub bit: u32,
    pub width: u32,
    /// Its value as a number: for an option, its kind; for the data, its length in bytes.
    pub value: u64,
    /// What the value says where a number does not: an address in dotted form, an option's
    /// value (`1460`, `TSval, TSecr`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The bytes in hex of an option (kind and length included) or an address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<String>,
}

impl Field {
    fn new(name: &'static str, bit: u32, width: u32, value: u64) -> Field {
        Field {
            name,
            bit,
            width,
            value,
            text: None,
            bytes: None,
        }
    }

    fn address(name: &'static str, bit: u32, addr: Ipv4Addr) -> Field {
        Field {
            text: Some(addr.to_string()),
            bytes: Some(hex(&addr.octets())),
            ..Field::new(name, bit, 32, u32::from(addr).into())
        }
    }

    fn option(opt: &option::RawOption, bit: u32) -> Field {
        Field {
            text: Some(option::value_text(opt)),
            bytes: Some(hex(opt.bytes)),
            ..Field::new("option", bit, opt.bytes.len() as u32 * 8, opt.kind.into())
        }
    }
}

/// A packet's headers field by field: the IPv4 header, the TCP header (options and data
/// included) and the pseudo-header the TCP checksum covers.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Layout {
    pub ip: Vec<Field>,
    pub tcp: Vec<Field>,
    pub pseudo: Vec<Field>,
}

/// The IPv4 and TCP headers of `seg` from `src` to `dst`, one after the other, without the
/// payload: what a packet of this segment starts with (IPv4 identification `id`, `ttl`).
pub fn headers(seg: &Segment, src: Ipv4Addr, dst: Ipv4Addr, id: u16, ttl: u8) -> Vec<u8> {
    let tcp = tcp::emit(seg, src, dst);
    let mut packet = ipv4::emit(src, dst, tcp.len() + seg.len as usize, id, ttl).to_vec();
    packet.extend_from_slice(&tcp);
    packet
}

/// The headers `headers` writes, read back field by field, or `None` for bytes that are not an
/// IPv4 header followed by a TCP header. `payload_len` is the payload's length, which the
/// bytes do not hold.
pub fn layout(packet: &[u8], payload_len: usize) -> Option<Layout> {
    let ip = Ipv4Header::parse(packet).ok()?;
    let tcp_bytes = packet.get(ip.header_len..)?;
    let tcp = TcpHeader::parse(tcp_bytes, tcp_bytes.len() + payload_len).ok()?;
    Some(Layout {
        ip: ip.fields(),
        tcp: tcp.fields(),
        pseudo: ipv4::pseudo_fields(ip.src, ip.dst, tcp.tcp_len),
    })
}

/// The Internet checksum of the chunks taken as one byte string: the ones' complement of the
/// ones'-complement sum of its 16-bit big-endian words, an odd last byte padded with a zero
/// (RFC 1071 §1). A chunk of odd length does not break the word alignment of the next one.
///
/// Put the result in the checksum field; over data that includes a correct checksum field the
/// function returns 0.
pub fn checksum(chunks: &[&[u8]]) -> u16 {
    let mut sum: u64 = 0;
    let bytes = chunks.iter().flat_map(|chunk| chunk.iter());
    for (i, &byte) in bytes.enumerate() {
        sum += if i % 2 == 0 {
            u64::from(byte) << 8
        } else {
            u64::from(byte)
        };
    }
    // Fold the carries back in (RFC 1071 §4.1).
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// A hex dump: lowercase, a space between bytes, a newline after every 16 bytes and none at the
/// end, e.g. `45 00 00 3c ...`.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, byte) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(if i % 16 == 0 { '\n' } else { ' ' });
        }
        let _ = write!(out, "{byte:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::{Flags, Options};
    use crate::seq::SeqNum;

    const CLIENT: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
    const SERVER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

    /// A Linux client's SYN: every option it offers.
    fn syn() -> Segment {
        Segment {
            src_port: 49152,
            dst_port: 80,
            seq: SeqNum(0x1234_5678),
            ack: SeqNum(0xdead_beef), // must not reach the wire: ACK is not set
            flags: Flags::SYN,
            window: 64240,
            options: Options {
                mss: Some(1460),
                wscale: Some(7),
                sack_permitted: true,
                timestamps: Some((0x0102_0304, 0)),
            },
            len: 0,
        }
    }

    /// A data segment after the handshake, with timestamps.
    fn data() -> Segment {
        Segment {
            src_port: 49152,
            dst_port: 80,
            seq: SeqNum(0x1234_5679),
            ack: SeqNum(0x8765_4322),
            flags: Flags::ACK | Flags::PSH,
            window: 502,
            options: Options {
                timestamps: Some((1010, 2000)),
                ..Options::default()
            },
            len: 100,
        }
    }

    /// The checksum over the pseudo-header, the header and the zero payload.
    fn verify_tcp(seg: &Segment, header: &[u8], src: Ipv4Addr, dst: Ipv4Addr) -> u16 {
        let payload = vec![0u8; seg.len as usize];
        let pseudo = ipv4::pseudo_header(src, dst, header.len() + payload.len());
        checksum(&[&pseudo, header, &payload])
    }

    #[test]
    fn fields_sit_at_their_offsets() {
        let seg = data();
        let h = tcp::emit(&seg, CLIENT, SERVER);
        assert_eq!(h.len(), 32);
        assert_eq!(&h[0..2], &49152u16.to_be_bytes());
        assert_eq!(&h[2..4], &80u16.to_be_bytes());
        assert_eq!(&h[4..8], &0x1234_5679u32.to_be_bytes());
        assert_eq!(&h[8..12], &0x8765_4322u32.to_be_bytes());
        assert_eq!(h[12], 8 << 4, "data offset 8 words, reserved bits zero");
        assert_eq!(h[13], 0x18, "ACK|PSH");
        assert_eq!(&h[14..16], &502u16.to_be_bytes());
        assert_eq!(&h[18..20], &[0, 0], "urgent pointer");
    }

    #[test]
    fn ack_field_is_zero_without_the_ack_flag() {
        let h = tcp::emit(&syn(), CLIENT, SERVER);
        assert_eq!(&h[8..12], &[0, 0, 0, 0]);
        let mut syn_ack = syn();
        syn_ack.flags = Flags::SYN | Flags::ACK;
        let h = tcp::emit(&syn_ack, SERVER, CLIENT);
        assert_eq!(&h[8..12], &0xdead_beefu32.to_be_bytes());
        assert_eq!(h[13], 0x12);
    }

    #[test]
    fn tcp_checksum_verifies_over_pseudo_header_and_zero_payload() {
        for seg in [syn(), data()] {
            let h = tcp::emit(&seg, CLIENT, SERVER);
            assert_eq!(verify_tcp(&seg, &h, CLIENT, SERVER), 0, "{}", hex(&h));
            // The addresses and the payload length are covered (swapping source and destination
            // would not show: a ones'-complement sum does not see the order of its words).
            let elsewhere = Ipv4Addr::new(10, 0, 0, 3);
            assert_ne!(verify_tcp(&seg, &h, CLIENT, elsewhere), 0);
            let longer = Segment {
                len: seg.len + 1,
                ..seg.clone()
            };
            assert_ne!(verify_tcp(&longer, &h, CLIENT, SERVER), 0);
        }
    }

    #[test]
    fn linux_syn_layout() {
        let h = tcp::emit(&syn(), CLIENT, SERVER);
        assert_eq!(h.len(), 40);
        assert_eq!(h[12], 10 << 4);
        #[rustfmt::skip]
        let expected_without_checksum: [u8; 40] = [
            0xc0, 0x00, 0x00, 0x50,             // ports 49152 -> 80
            0x12, 0x34, 0x56, 0x78,             // seq
            0x00, 0x00, 0x00, 0x00,             // ack: zero without ACK
            0xa0, 0x02, 0xfa, 0xf0,             // data offset 10, SYN, window 64240
            0x00, 0x00, 0x00, 0x00,             // checksum (checked below), urgent pointer
            0x02, 0x04, 0x05, 0xb4,             // MSS 1460
            0x04, 0x02, 0x08, 0x0a,             // SACK-permitted, timestamps
            0x01, 0x02, 0x03, 0x04,             // TSval
            0x00, 0x00, 0x00, 0x00,             // TSecr
            0x01, 0x03, 0x03, 0x07,             // NOP, window scale 7
        ];
        let mut zeroed = h.clone();
        zeroed[16..18].copy_from_slice(&[0, 0]);
        assert_eq!(zeroed, expected_without_checksum);
        let expected_sum = checksum(&[
            &ipv4::pseudo_header(CLIENT, SERVER, 40),
            &expected_without_checksum,
        ]);
        assert_eq!(&h[16..18], &expected_sum.to_be_bytes());
    }

    #[test]
    fn other_option_combinations_follow_linux() {
        let opts = |mss, wscale, sack_permitted, timestamps| {
            option::emit(&Options {
                mss,
                wscale,
                sack_permitted,
                timestamps,
            })
        };
        assert_eq!(opts(None, None, false, None), Vec::<u8>::new());
        assert_eq!(
            opts(Some(536), Some(0), false, None),
            [2, 4, 2, 0x18, 1, 3, 3, 0]
        );
        assert_eq!(
            opts(Some(1460), None, true, None),
            [2, 4, 5, 0xb4, 1, 1, 4, 2]
        );
        assert_eq!(
            opts(Some(1460), Some(7), false, Some((5, 6))),
            [2, 4, 5, 0xb4, 1, 1, 8, 10, 0, 0, 0, 5, 0, 0, 0, 6, 1, 3, 3, 7]
        );
    }

    #[test]
    fn bare_ack_is_twenty_bytes() {
        let seg = Segment {
            flags: Flags::ACK,
            ..data()
        };
        let seg = Segment {
            options: Options::default(),
            len: 0,
            ..seg
        };
        let h = tcp::emit(&seg, CLIENT, SERVER);
        assert_eq!(h.len(), 20);
        assert_eq!(h[12], 5 << 4);
        assert_eq!(verify_tcp(&seg, &h, CLIENT, SERVER), 0);
    }

    #[test]
    fn non_syn_with_timestamps_is_thirty_two_bytes() {
        let h = tcp::emit(&data(), CLIENT, SERVER);
        assert_eq!(h.len(), 32);
        assert_eq!(&h[20..], &[1, 1, 8, 10, 0, 0, 0x03, 0xf2, 0, 0, 0x07, 0xd0]);
    }

    #[test]
    fn ipv4_header_checksum_verifies() {
        let ip = ipv4::emit(CLIENT, SERVER, 40, 0x1c46, 64);
        assert_eq!(checksum(&[&ip]), 0);
        #[rustfmt::skip]
        let expected_without_checksum: [u8; 20] = [
            0x45, 0x00, 0x00, 0x3c, // version 4, IHL 5, TOS 0, total length 60
            0x1c, 0x46, 0x40, 0x00, // id, DF
            0x40, 0x06, 0x00, 0x00, // TTL 64, TCP, checksum
            10, 0, 0, 1,
            10, 0, 0, 2,
        ];
        let mut zeroed = ip;
        zeroed[10..12].copy_from_slice(&[0, 0]);
        assert_eq!(zeroed, expected_without_checksum);
        assert_eq!(&ip[10..12], &[0x0a, 0x74]);
    }

    #[test]
    fn rfc_1071_example() {
        // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2, complemented 220d.
        let bytes = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(checksum(&[&bytes]), 0x220d);
        // Split at odd offsets, the bytes still pair up as one string.
        assert_eq!(checksum(&[&bytes[..3], &bytes[3..5], &bytes[5..]]), 0x220d);
        // An odd final byte is padded with a zero on the right.
        assert_eq!(checksum(&[&[0x12, 0x34, 0x56]]), !(0x1234u16 + 0x5600));
        assert_eq!(checksum(&[]), 0xffff);
    }

    #[test]
    fn hex_dump_lines() {
        assert_eq!(hex(&[]), "");
        assert_eq!(hex(&[0x45, 0x00, 0xab]), "45 00 ab");
        let bytes: Vec<u8> = (0..=16).collect();
        assert_eq!(
            hex(&bytes),
            "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f\n10"
        );
    }

    /// Wireshark's dissection of our packets agrees with the segments, checksums included.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn tshark_dissects_a_syn_and_a_data_segment() {
        use std::path::PathBuf;
        use std::process::Command;

        // `tools/setup.sh --test` installs it; a missing tshark fails the test below.
        const TSHARK: &str = "tshark";

        /// Removes the capture file however the test ends.
        struct TempFile(PathBuf);
        impl Drop for TempFile {
            fn drop(&mut self) {
                let _ = std::fs::remove_file(&self.0);
            }
        }

        // A classic pcap file (microsecond timestamps, little-endian), LINKTYPE_RAW = 101: each
        // record is an IPv4 packet, here IPv4 header + TCP header + zero payload. The last one
        // has its TCP checksum spoiled, to show that tshark really checks (it must say "bad").
        let packets = [(syn(), false), (data(), false), (data(), true)];
        let mut pcap = Vec::new();
        pcap.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        pcap.extend_from_slice(&2u16.to_le_bytes());
        pcap.extend_from_slice(&4u16.to_le_bytes());
        pcap.extend_from_slice(&0i32.to_le_bytes()); // thiszone
        pcap.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
        pcap.extend_from_slice(&65535u32.to_le_bytes()); // snaplen
        pcap.extend_from_slice(&101u32.to_le_bytes()); // LINKTYPE_RAW
        for (i, (seg, spoil)) in packets.iter().enumerate() {
            let mut tcp = tcp::emit(seg, CLIENT, SERVER);
            if *spoil {
                tcp[17] ^= 0x01;
            }
            let tcp_len = tcp.len() + seg.len as usize;
            let mut packet = ipv4::emit(CLIENT, SERVER, tcp_len, 1 + i as u16, 64).to_vec();
            packet.extend_from_slice(&tcp);
            packet.resize(ipv4::HEADER_LEN + tcp_len, 0);
            let len = packet.len() as u32;
            pcap.extend_from_slice(&(i as u32).to_le_bytes()); // ts_sec
            pcap.extend_from_slice(&0u32.to_le_bytes()); // ts_usec
            pcap.extend_from_slice(&len.to_le_bytes()); // incl_len
            pcap.extend_from_slice(&len.to_le_bytes()); // orig_len
            pcap.extend_from_slice(&packet);
        }
        let file = TempFile(std::env::temp_dir().join(format!(
            "tcp-playground-{}-tshark_dissects_a_syn_and_a_data_segment.pcap",
            std::process::id()
        )));
        std::fs::write(&file.0, &pcap).expect("write the capture");

        let fields = [
            "tcp.srcport",
            "tcp.dstport",
            "tcp.seq_raw",
            "tcp.ack_raw",
            "tcp.flags.str",
            "tcp.checksum.status",
            "tcp.options.mss_val",
            "tcp.options.wscale.shift",
            "ip.checksum.status",
        ];
        let mut cmd = Command::new(TSHARK);
        cmd.arg("-r").arg(&file.0).args(["-T", "fields"]);
        for field in fields {
            cmd.args(["-e", field]);
        }
        cmd.args([
            "-o",
            "tcp.check_checksum:TRUE",
            "-o",
            "ip.check_checksum:TRUE",
        ]);
        let output = cmd.output().expect("run tshark");
        let stdout = String::from_utf8_lossy(&output.stdout);
        println!("tshark printed:\n{stdout}");
        assert!(
            output.status.success(),
            "tshark failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );

        // Wireshark's checksum status values (checked with a spoiled checksum and without the
        // -o options): 0 bad, 1 good, 2 unverified.
        const BAD: &str = "0";
        const GOOD: &str = "1";
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), packets.len(), "{stdout}");
        for (line, (seg, spoil)) in lines.iter().zip(&packets) {
            let got: Vec<&str> = line.split('\t').collect();
            assert_eq!(got.len(), fields.len(), "{line}");
            // Without ACK the field goes out as zero, whatever the segment holds.
            let ack = if seg.flags.ack() { seg.ack.0 } else { 0 };
            let mss = seg.options.mss.map_or(String::new(), |m| m.to_string());
            let shift = seg.options.wscale.map_or(String::new(), |s| s.to_string());
            let expected = [
                seg.src_port.to_string(),
                seg.dst_port.to_string(),
                seg.seq.0.to_string(),
                ack.to_string(),
                flags_str(seg.flags),
                if *spoil { BAD } else { GOOD }.to_string(),
                mss,
                shift,
                GOOD.to_string(),
            ];
            assert_eq!(got, expected, "{line}");
        }
    }

    /// Wireshark's `tcp.flags.str`: twelve positions, reserved, AE, CWR, ECE, URG, ACK, PSH,
    /// RST, SYN, FIN, with a letter for each bit set and a middle dot for each clear.
    #[cfg(not(target_arch = "wasm32"))]
    fn flags_str(flags: Flags) -> String {
        let mut out = "······".to_string();
        for (flag, letter) in [
            (Flags::URG, 'U'),
            (Flags::ACK, 'A'),
            (Flags::PSH, 'P'),
            (Flags::RST, 'R'),
            (Flags::SYN, 'S'),
            (Flags::FIN, 'F'),
        ] {
            out.push(if flags.contains(flag) { letter } else { '·' });
        }
        out
    }
}
