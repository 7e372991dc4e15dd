//! The wire module both ways, over generated headers: any segment written as IPv4 + TCP headers
//! reads back as the same segment (the acknowledgment field zero without ACK, as it is sent),
//! both checksums verify, the layout tiles the bytes, and reading never panics on any bytes.
//!
//! The seed is fixed, so CI runs the same cases; `FUZZ_CASES=100000 cargo test --test
//! wire_property` explores further.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use std::net::Ipv4Addr;
use tcp_playground::segment::{Flags, Options, Segment};
use tcp_playground::seq::SeqNum;
use tcp_playground::wire::{self, ipv4, Ipv4Header, TcpHeader};

fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(0x7769_7265),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn options() -> impl Strategy<Value = Options> {
    (
        proptest::option::of(any::<u16>()),
        proptest::option::of(0u8..=14),
        any::<bool>(),
        proptest::option::of((any::<u32>(), any::<u32>())),
    )
        .prop_map(|(mss, wscale, sack_permitted, timestamps)| Options {
            mss,
            wscale,
            sack_permitted,
            timestamps,
        })
}

fn segment() -> impl Strategy<Value = Segment> {
    (
        (any::<u16>(), any::<u16>(), any::<u32>(), any::<u32>()),
        (0u8..64, any::<u16>(), options(), 0u32..=65_000),
    )
        .prop_map(
            |((src_port, dst_port, seq, ack), (flags, window, options, len))| {
                // Any of the six modelled bits; CWR and ECE are not modelled.
                let flags = Flags::from_wire(flags);
                Segment {
                    src_port,
                    dst_port,
                    seq: SeqNum(seq),
                    ack: SeqNum(ack),
                    flags,
                    window,
                    options,
                    len,
                }
            },
        )
}

fn addr() -> impl Strategy<Value = Ipv4Addr> {
    any::<u32>().prop_map(Ipv4Addr::from)
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn a_written_header_reads_back_as_its_segment(
        seg in segment(), src in addr(), dst in addr(), id in any::<u16>(), ttl in 1u8..,
    ) {
        let packet = wire::headers(&seg, src, dst, id, ttl);
        let ip = Ipv4Header::parse(&packet).unwrap();
        prop_assert_eq!((ip.src, ip.dst, ip.id, ip.ttl), (src, dst, id, ttl));
        prop_assert_eq!(ip.protocol, ipv4::PROTO_TCP);
        prop_assert!(!ip.is_fragment());
        prop_assert_eq!(usize::from(ip.total_len), packet.len() + seg.len as usize);
        prop_assert_eq!(wire::checksum(&[&packet[..ip.header_len]]), 0);

        let tcp_bytes = &packet[ip.header_len..];
        let tcp_len = tcp_bytes.len() + seg.len as usize;
        let tcp = TcpHeader::parse(tcp_bytes, tcp_len).unwrap();
        let mut expected = seg.clone();
        if !seg.flags.ack() {
            expected.ack = SeqNum(0);
        }
        prop_assert_eq!(tcp.segment(), expected);
        prop_assert_eq!(tcp.header_len, tcp_bytes.len());
        prop_assert!(tcp.header_len.is_multiple_of(4) && tcp.header_len <= 60);
        let pseudo = ipv4::pseudo_header(src, dst, tcp_len);
        let zeros = vec![0u8; seg.len as usize];
        prop_assert_eq!(wire::checksum(&[&pseudo, tcp_bytes, &zeros]), 0);

        let layout = wire::layout(&packet, seg.len as usize).unwrap();
        let widths = |fields: &[wire::Field]| -> u32 {
            fields.iter().filter(|f| f.name != "data").map(|f| f.width).sum()
        };
        prop_assert_eq!(widths(&layout.ip) as usize, ip.header_len * 8);
        prop_assert_eq!(widths(&layout.tcp) as usize, tcp.header_len * 8);
    }

    #[test]
    fn reading_any_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
        if let Ok(ip) = Ipv4Header::parse(&bytes) {
            let rest = bytes.get(ip.header_len..).unwrap_or_default();
            for tcp_len in [0, rest.len(), rest.len() + 1000] {
                if let Ok(tcp) = TcpHeader::parse(rest, tcp_len) {
                    let _ = tcp.segment();
                    let _ = tcp.fields();
                }
            }
        }
        let _ = wire::layout(&bytes, 0);
        let _ = wire::option::parse(&bytes);
        prop_assert!(wire::option::walk(&bytes).count() <= bytes.len());
    }
}
