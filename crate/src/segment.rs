//! The TCP segment as the simulator carries it: header fields, options and the payload length
//! (RFC 9293 §3.1). Payload bytes are not carried; only their count matters to the protocol.

use crate::seq::SeqNum;
use std::fmt;

/// The control bits of RFC 9293 §3.1, with their wire values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Flags(u8);

impl Flags {
    pub const FIN: Flags = Flags(0x01);
    pub const SYN: Flags = Flags(0x02);
    pub const RST: Flags = Flags(0x04);
    pub const PSH: Flags = Flags(0x08);
    pub const ACK: Flags = Flags(0x10);
    pub const URG: Flags = Flags(0x20);
    pub const NONE: Flags = Flags(0);

    /// The order the trace and the ladder print them in.
    const NAMED: [(Flags, &'static str); 6] = [
        (Flags::SYN, "SYN"),
        (Flags::ACK, "ACK"),
        (Flags::FIN, "FIN"),
        (Flags::RST, "RST"),
        (Flags::PSH, "PSH"),
        (Flags::URG, "URG"),
    ];

    pub const fn bits(self) -> u8 {
        self.0
    }
    /// The control bits of a header's byte 13 that are modelled: URG, ACK, PSH, RST, SYN and
    /// FIN, its low six bits (RFC 9293 §3.1); CWR and ECE above them (RFC 3168 §6.1) are not.
    pub const fn from_wire(byte: u8) -> Flags {
        Flags(byte & 0x3f)
    }
    pub const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }
    pub const fn union(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }
    pub fn syn(self) -> bool {
        self.contains(Flags::SYN)
    }
    pub fn ack(self) -> bool {
        self.contains(Flags::ACK)
    }
    pub fn fin(self) -> bool {
        self.contains(Flags::FIN)
    }
    pub fn rst(self) -> bool {
        self.contains(Flags::RST)
    }

    /// Parses `SYN,ACK` (any order, any case). Returns the unknown name on failure.
    pub fn parse(text: &str) -> Result<Flags, String> {
        text.split(',').try_fold(Flags::NONE, |acc, name| {
            let name = name.trim();
            Flags::NAMED
                .iter()
                .find(|(_, n)| n.eq_ignore_ascii_case(name))
                .map(|(f, _)| acc.union(*f))
                .ok_or_else(|| name.to_string())
        })
    }
}

impl std::ops::BitOr for Flags {
    type Output = Flags;
    fn bitor(self, other: Flags) -> Flags {
        self.union(other)
    }
}

/// `SYN,ACK`: the names in the order SYN, ACK, FIN, RST, PSH, URG (the trace contract).
impl fmt::Display for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (flag, name) in Flags::NAMED {
            if self.contains(flag) {
                if !first {
                    f.write_str(",")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        Ok(())
    }
}

/// The options this simulator speaks (RFC 9293 §3.2, RFC 7323, RFC 2018).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Maximum segment size, only on SYN segments (RFC 9293 §3.7.1).
    pub mss: Option<u16>,
    /// Window scale shift count, only on SYN segments (RFC 7323 §2).
    pub wscale: Option<u8>,
    /// SACK permitted, only on SYN segments (RFC 2018 §2).
    pub sack_permitted: bool,
    /// Timestamps TSval and TSecr (RFC 7323 §3).
    pub timestamps: Option<(u32, u32)>,
}

impl Options {
    /// The option list as the trace shows it: `["mss=1460", "wscale=7", "sackOK", "ts=1,0"]`.
    pub fn labels(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(mss) = self.mss {
            out.push(format!("mss={mss}"));
        }
        if self.sack_permitted {
            out.push("sackOK".to_string());
        }
        if let Some((val, ecr)) = self.timestamps {
            out.push(format!("ts={val},{ecr}"));
        }
        if let Some(shift) = self.wscale {
            out.push(format!("wscale={shift}"));
        }
        out
    }
}

/// One TCP segment. Addresses live in the simulator's packet around it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Segment {
    pub src_port: u16,
    pub dst_port: u16,
    pub seq: SeqNum,
    pub ack: SeqNum,
    pub flags: Flags,
    /// The window field as sent (already scaled down, RFC 7323 §2.3).
    pub window: u16,
    pub options: Options,
    /// Payload length in bytes.
    pub len: u32,
}

impl Segment {
    /// SEG.LEN: the sequence space the segment occupies; SYN and FIN count one each
    /// (RFC 9293 §3.4).
    pub fn seq_len(&self) -> u32 {
        self.len + u32::from(self.flags.syn()) + u32::from(self.flags.fin())
    }

    /// Where relative sequence numbers of its sender count from, when this is the first
    /// segment seen from it, as Wireshark counts them: a SYN's own number; otherwise the one
    /// before, so the first byte seen is relative 1 (a RST from a closed port shows `seq=1`).
    pub fn first_seen_base(&self) -> SeqNum {
        if self.flags.syn() {
            self.seq
        } else {
            self.seq - 1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_print_in_contract_order() {
        assert_eq!((Flags::ACK | Flags::SYN).to_string(), "SYN,ACK");
        assert_eq!(
            (Flags::PSH | Flags::FIN | Flags::ACK).to_string(),
            "ACK,FIN,PSH"
        );
        assert_eq!(Flags::NONE.to_string(), "");
    }

    #[test]
    fn flags_parse_in_any_order_and_case() {
        assert_eq!(Flags::parse("ack,syn"), Ok(Flags::SYN | Flags::ACK));
        assert_eq!(Flags::parse("RST"), Ok(Flags::RST));
        assert_eq!(Flags::parse("SYN,PUSH"), Err("PUSH".to_string()));
    }

    #[test]
    fn syn_and_fin_each_occupy_one_sequence_number() {
        let mut seg = Segment {
            flags: Flags::SYN,
            ..Segment::default()
        };
        assert_eq!(seg.seq_len(), 1);
        seg.flags = Flags::FIN | Flags::ACK;
        seg.len = 100;
        assert_eq!(seg.seq_len(), 101);
        seg.flags = Flags::ACK;
        assert_eq!(seg.seq_len(), 100);
    }
}
