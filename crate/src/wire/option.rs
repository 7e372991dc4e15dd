//! TCP options (RFC 9293 §3.2): their kinds, the layout Linux writes them in, and the reading
//! of an options field back into the options this simulator knows.

use crate::segment::Options;

// Option kinds (RFC 9293 §3.2; IANA "TCP Option Kind Numbers").
/// End of Option List (RFC 9293 §3.2).
pub const EOL: u8 = 0;
/// No-Operation, padding between options (RFC 9293 §3.2).
pub const NOP: u8 = 1;
/// Maximum Segment Size (RFC 9293 §3.2, §3.7.1).
pub const MSS: u8 = 2;
/// Window scale shift count (RFC 7323 §2.2).
pub const WSCALE: u8 = 3;
/// SACK-permitted (RFC 2018 §2).
pub const SACK_PERMITTED: u8 = 4;
/// SACK blocks (RFC 2018 §3).
pub const SACK: u8 = 5;
/// Timestamps TSval and TSecr (RFC 7323 §3.2).
pub const TIMESTAMPS: u8 = 8;

// Lengths, kind and length bytes included.
const MSS_LEN: u8 = 4;
const WSCALE_LEN: u8 = 3;
const SACK_PERMITTED_LEN: u8 = 2;
const TIMESTAMPS_LEN: u8 = 10;

/// The options field as Linux's `tcp_options_write()` (net/ipv4/tcp_output.c) lays it out:
/// every option, or pair of options, fills whole 32-bit words, padded with NOPs in front.
///
/// 1. MSS: `02 04 <mss>` (RFC 9293 §3.2).
/// 2. Timestamps: `08 0a <tsval> <tsecr>` (RFC 7323 §3.2), preceded by SACK-permitted `04 02`
///    (RFC 2018 §2) when both are present, by `01 01` otherwise.
/// 3. SACK-permitted without timestamps: `01 01 04 02`.
/// 4. Window scale: `01 03 03 <shift>` (RFC 7323 §2.2).
///
/// So a Linux SYN reads `02 04 05 b4 04 02 08 0a <tsval> <tsecr> 01 03 03 07`, and a later
/// segment with timestamps `01 01 08 0a <tsval> <tsecr>`. Whatever the segment carries is
/// written; the simulator itself puts MSS, SACK-permitted and window scale only on SYNs.
pub fn emit(opts: &Options) -> Vec<u8> {
    let mut out = Vec::with_capacity(24);
    if let Some(mss) = opts.mss {
        out.extend_from_slice(&[MSS, MSS_LEN]);
        out.extend_from_slice(&mss.to_be_bytes());
    }
    let mut sack_perm_pending = opts.sack_permitted;
    if let Some((tsval, tsecr)) = opts.timestamps {
        if sack_perm_pending {
            out.extend_from_slice(&[SACK_PERMITTED, SACK_PERMITTED_LEN]);
            sack_perm_pending = false;
        } else {
            out.extend_from_slice(&[NOP, NOP]);
        }
        out.extend_from_slice(&[TIMESTAMPS, TIMESTAMPS_LEN]);
        out.extend_from_slice(&tsval.to_be_bytes());
        out.extend_from_slice(&tsecr.to_be_bytes());
    }
    if sack_perm_pending {
        out.extend_from_slice(&[NOP, NOP, SACK_PERMITTED, SACK_PERMITTED_LEN]);
    }
    if let Some(shift) = opts.wscale {
        out.extend_from_slice(&[NOP, WSCALE, WSCALE_LEN, shift]);
    }
    // The header ends on a 32-bit boundary, padded with zeros (RFC 9293 §3.1). The layout above
    // is already whole words; this keeps it so if an option of another size is ever added.
    while out.len() % 4 != 0 {
        out.push(EOL);
    }
    out
}

/// One option as it sits in the options field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawOption<'a> {
    pub kind: u8,
    /// Where it starts in the options field, in bytes.
    pub at: usize,
    /// All its bytes, kind and length included (one byte for EOL and NOP; for an End of
    /// Option List, the padding after it too).
    pub bytes: &'a [u8],
    /// Its value, after the kind and length bytes.
    pub value: &'a [u8],
    /// False for an option whose length byte is missing, below 2 or past the field's end: the
    /// reading stops there, its bytes are the rest of the field.
    pub well_formed: bool,
}

/// The options of an options field in order, walking kind and length (RFC 9293 §3.2): a
/// one-byte NOP, an End of Option List that ends the list, every other kind with its length.
/// A damaged option ends the walk (RFC 9293 §3.2 asks a receiver to be ready for any option,
/// and a length it cannot follow leaves nothing after it readable).
pub fn walk(field: &[u8]) -> impl Iterator<Item = RawOption<'_>> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let kind = *field.get(at)?;
        let start = at;
        let rest = &field[start..];
        let (len, well_formed) = match kind {
            EOL => (rest.len(), true),
            NOP => (1, true),
            _ => match rest.get(1).map(|&l| usize::from(l)) {
                Some(len) if len >= 2 && len <= rest.len() => (len, true),
                _ => (rest.len(), false),
            },
        };
        at = if kind == EOL || !well_formed {
            field.len()
        } else {
            start + len
        };
        let bytes = &rest[..len];
        let value = match kind {
            EOL | NOP => &[][..],
            _ => bytes.get(2..).unwrap_or_default(),
        };
        Some(RawOption {
            kind,
            at: start,
            bytes,
            value,
            well_formed,
        })
    })
}

/// The options this simulator knows, read from an options field; other kinds, and known kinds
/// of the wrong length, are passed over.
pub fn parse(field: &[u8]) -> Options {
    let mut options = Options::default();
    for opt in walk(field).filter(|o| o.well_formed) {
        let v = opt.value;
        match (opt.kind, v.len()) {
            (MSS, 2) => options.mss = Some(u16::from_be_bytes([v[0], v[1]])),
            (WSCALE, 1) => options.wscale = Some(v[0]),
            (SACK_PERMITTED, 0) => options.sack_permitted = true,
            (TIMESTAMPS, 8) => {
                let word = |at: usize| u32::from_be_bytes([v[at], v[at + 1], v[at + 2], v[at + 3]]);
                options.timestamps = Some((word(0), word(4)));
            }
            _ => {}
        }
    }
    options
}

/// An option's value in words a reader can check against the header bytes: `1460` for an MSS,
/// `7` for a shift, `TSval, TSecr` for timestamps, nothing for a flag-like option, and the
/// value's hex bytes for a kind this simulator does not model.
pub fn value_text(opt: &RawOption) -> String {
    let v = opt.value;
    match (opt.kind, v.len(), opt.well_formed) {
        (_, _, false) => "?".to_string(),
        (EOL | NOP | SACK_PERMITTED, _, _) => String::new(),
        (MSS, 2, _) => u16::from_be_bytes([v[0], v[1]]).to_string(),
        (WSCALE, 1, _) => v[0].to_string(),
        (TIMESTAMPS, 8, _) => {
            let word = |at: usize| u32::from_be_bytes([v[at], v[at + 1], v[at + 2], v[at + 3]]);
            format!("{}, {}", word(0), word(4))
        }
        _ => super::hex(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_known_unknown_and_damaged() {
        // NOP, MSS, an unknown option (kind 30, 4 bytes), SACK-permitted, timestamps, wscale.
        let options = [
            1, 2, 4, 5, 0xb4, 30, 4, 0, 0, 4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 8, 3, 3, 7, 0,
        ];
        assert_eq!(
            parse(&options),
            Options {
                mss: Some(1460),
                wscale: Some(7),
                sack_permitted: true,
                timestamps: Some((9, 8)),
            }
        );
        // A length running past the end, or below 2, ends the list; what came before stays.
        assert_eq!(parse(&[2, 4, 5, 0xb4, 8, 10, 0, 0]).mss, Some(1460));
        assert_eq!(parse(&[2, 4, 5, 0xb4, 8, 10, 0, 0]).timestamps, None);
        assert_eq!(parse(&[30, 0, 2, 4, 5, 0xb4]), Options::default());
        assert_eq!(parse(&[2]), Options::default());
        // The wrong length for a known kind is passed over.
        assert_eq!(parse(&[2, 3, 5, 3, 3, 7]).wscale, Some(7));
    }

    #[test]
    fn the_walk_gives_each_option_its_place_bytes_and_words() {
        let field = [
            2, 4, 5, 0xb4, 1, 30, 3, 0xab, 8, 10, 0, 0, 0, 9, 0, 0, 0, 8, 0, 0,
        ];
        let got: Vec<_> = walk(&field)
            .map(|o| (o.kind, o.at, o.bytes.len(), value_text(&o), o.well_formed))
            .collect();
        assert_eq!(
            got,
            [
                (MSS, 0, 4, "1460".to_string(), true),
                (NOP, 4, 1, String::new(), true),
                (30, 5, 3, "ab".to_string(), true),
                (TIMESTAMPS, 8, 10, "9, 8".to_string(), true),
                (EOL, 18, 2, String::new(), true),
            ]
        );
        // A damaged option takes the rest of the field and ends the walk.
        let got: Vec<_> = walk(&[1, 2, 9, 0, 0])
            .map(|o| (o.kind, o.bytes.len(), value_text(&o), o.well_formed))
            .collect();
        assert_eq!(
            got,
            [
                (NOP, 1, String::new(), true),
                (MSS, 4, "?".to_string(), false)
            ]
        );
    }
}
