//! Share links: a scenario in a URL fragment, versioned so that every link ever shared keeps
//! opening.
//!
//! - `#preset=NAME`, the first form: a preset by its name (the names are a contract).
//! - `#v1=DATA`: the scenario text, deflated (RFC 1951), followed by a 4-byte FNV-1a checksum
//!   of the text, in unpadded base64url (RFC 4648 §5), which needs no escaping in a URL.
//!
//! - `#v1=DATA&vs=DATA2`: two variants of a scenario to compare side by side; the second in
//!   the same encoding as the first's data.
//!
//! Decoding never trusts the link: its length, its alphabet, the inflated size and the
//! checksum are all checked, and each failure says what is wrong with the link.

use super::{Preset, MAX_TEXT, PRESETS};

/// The newest link format this code writes and reads.
pub const VERSION: u32 = 1;
/// The longest fragment accepted: a 64 KB scenario that does not compress at all.
pub const MAX_LINK: usize = (MAX_TEXT + 8) * 4 / 3 + 16;

/// What a link opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Opened {
    Preset(&'static Preset),
    /// A scenario's text, not yet parsed.
    Text(String),
}

impl Opened {
    /// The scenario text the link carries.
    pub fn text(&self) -> &str {
        match self {
            Opened::Preset(p) => p.text,
            Opened::Text(t) => t,
        }
    }
}

/// The fragment (with its `#`) that carries this scenario text.
pub fn encode(text: &str) -> String {
    let mut data = miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 10);
    data.extend_from_slice(&fnv1a(text.as_bytes()).to_le_bytes());
    format!("#v{VERSION}={}", base64url(&data))
}

/// The fragment of a link that opens two variants side by side.
pub fn encode_pair(text: &str, variant: &str) -> String {
    let second = encode(variant);
    let data = second.split_once('=').map_or("", |(_, d)| d);
    format!("{}&vs={data}", encode(text))
}

/// Opens a link that may carry a second variant to compare with (`#v1=A&vs=B`).
pub fn decode_pair(link: &str) -> Result<(Opened, Option<Opened>), String> {
    let link = link.trim();
    let fragment = percent_decoded(link.split_once('#').map_or(link, |(_, f)| f));
    let Some((first, variant)) = fragment.split_once("&vs=") else {
        return decode(&fragment).map(|opened| (opened, None));
    };
    let first = decode(first)?;
    let variant = decode(&format!("v{VERSION}={variant}"))
        .map_err(|e| format!("the variant to compare with: {e}"))?;
    Ok((first, Some(variant)))
}

/// Opens a link: a whole URL, its fragment (`#v1=...`), or the fragment without its `#`.
pub fn decode(link: &str) -> Result<Opened, String> {
    let link = link.trim();
    let fragment = link.split_once('#').map_or(link, |(_, f)| f);
    // A browser or a chat program may have percent-encoded what it did not like.
    let decoded = percent_decoded(fragment);
    let fragment = decoded.as_str();
    if fragment.len() > MAX_LINK {
        return Err(format!(
            "the link is {} characters long; a link holds at most {MAX_LINK}",
            fragment.len()
        ));
    }
    let not_ours =
        || "this is not a TCP Playground link: its part after # starts with `v1=` or `preset=`";
    let (key, value) = fragment.split_once('=').ok_or_else(not_ours)?;
    if key == "preset" {
        return PRESETS
            .iter()
            .find(|p| p.name == value)
            .map(Opened::Preset)
            .ok_or_else(|| format!("the link names {}", Preset::unknown(value)));
    }
    let version: u32 = key
        .strip_prefix('v')
        .and_then(|v| v.parse().ok())
        .ok_or_else(not_ours)?;
    if version != VERSION {
        return Err(if version > VERSION {
            format!("this link was made by a newer TCP Playground (link format v{version}); this one reads up to v{VERSION}")
        } else {
            format!("link format v{version} never existed; this link is damaged")
        });
    }
    let data = unbase64url(value)?;
    let (deflated, sum) = data
        .split_last_chunk::<4>()
        .ok_or_else(|| CHANGED.to_string())?;
    let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(deflated, MAX_TEXT).map_err(
        |e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                format!("the link's scenario is longer than the limit of {MAX_TEXT} bytes")
            }
            _ => CHANGED.to_string(),
        },
    )?;
    if fnv1a(&bytes).to_le_bytes() != *sum {
        return Err(CHANGED.to_string());
    }
    String::from_utf8(bytes)
        .map(Opened::Text)
        .map_err(|_| CHANGED.to_string())
}

/// `%3C` as `<`; a `%` not followed by two hex digits stays as it is.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// FNV-1a, 32 bits: enough to tell a damaged link from a good one.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

// Unpadded base64url (RFC 4648 §5), strict: a link we wrote has the unused low bits of its
// last character zero (RFC 4648 §3.5), so one that sets them was changed. Natively it is the
// `base64` crate's; the page's WebAssembly module keeps a few lines of its own, because the
// crate's codec made that module 3.2 KB larger gzipped (README, "Speed and size"). A test
// holds the two to the same output for the same input.
#[cfg(target_arch = "wasm32")]
use by_hand::{base64url, unbase64url};
#[cfg(not(target_arch = "wasm32"))]
use with_crate::{base64url, unbase64url};

const CUT_SHORT: &str = "the link is damaged: it was cut short";
const CHANGED: &str = "the link is damaged: part of it is missing or was changed";

/// The error for character `i` (from 0) of a link's data, `c`, outside the alphabet.
fn foreign(i: usize, c: char) -> String {
    format!(
        "the link is damaged: `{c}` (character {}) does not belong in it",
        i + 1
    )
}

#[cfg(not(target_arch = "wasm32"))]
mod with_crate {
    use base64::engine::{general_purpose::URL_SAFE_NO_PAD, Engine};
    use base64::DecodeError;

    pub fn base64url(data: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(data)
    }

    pub fn unbase64url(text: &str) -> Result<Vec<u8>, String> {
        // Said first, by character (the crate counts bytes): which one does not belong.
        let alphabet = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if let Some((i, c)) = text.chars().enumerate().find(|(_, c)| !alphabet(*c)) {
            return Err(super::foreign(i, c));
        }
        URL_SAFE_NO_PAD.decode(text).map_err(|e| match e {
            DecodeError::InvalidLength(_) => super::CUT_SHORT.into(),
            _ => super::CHANGED.into(),
        })
    }
}

#[cfg(any(target_arch = "wasm32", test))]
mod by_hand {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    pub fn base64url(data: &[u8]) -> String {
        let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
        for chunk in data.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out
    }

    pub fn unbase64url(text: &str) -> Result<Vec<u8>, String> {
        let mut out = Vec::with_capacity(text.len() * 3 / 4);
        let (mut bits, mut held) = (0u32, 0);
        for (i, c) in text.chars().enumerate() {
            let v = ALPHABET
                .iter()
                .position(|&a| char::from(a) == c)
                .ok_or_else(|| super::foreign(i, c))?;
            bits = bits << 6 | v as u32;
            held += 6;
            if held >= 8 {
                held -= 8;
                out.push((bits >> held) as u8);
            }
        }
        if held >= 6 {
            return Err(super::CUT_SHORT.into());
        }
        if bits & ((1 << held) - 1) != 0 {
            return Err(super::CHANGED.into());
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_every_length() {
        for n in 0..10u8 {
            let data: Vec<u8> = (0..n).map(|i| i.wrapping_mul(97)).collect();
            let text = base64url(&data);
            assert!(text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            assert_eq!(unbase64url(&text).unwrap(), data);
        }
        // RFC 4648 §10 test vectors, without padding.
        assert_eq!(base64url(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64url(b"fo"), "Zm8");
        // Strict: a last character with its unused bits set, a length no encoding has, and a
        // padding character are each refused.
        assert_eq!(unbase64url("Zg").unwrap(), b"f");
        assert_eq!(
            unbase64url("Zh").unwrap_err(),
            "the link is damaged: part of it is missing or was changed"
        );
        assert_eq!(
            unbase64url("Zm9vY").unwrap_err(),
            "the link is damaged: it was cut short"
        );
        assert_eq!(
            unbase64url("Zg==").unwrap_err(),
            "the link is damaged: `=` (character 3) does not belong in it"
        );
    }

    /// The WebAssembly module's codec and the native one give the same text for the same
    /// bytes, and the same bytes or the same error for the same text.
    #[test]
    fn the_hand_written_codec_of_the_wasm_module_agrees_with_the_base64_crate() {
        let mut texts: Vec<String> = Vec::new();
        for n in 0..64u32 {
            let data: Vec<u8> = (0..n).map(|i| (i * 97 + n * 31) as u8).collect();
            let text = base64url(&data);
            assert_eq!(by_hand::base64url(&data), text, "{n} bytes");
            assert_eq!(by_hand::unbase64url(&text).unwrap(), data);
            // Every cut, and every last character.
            for cut in 0..text.len() {
                texts.push(text[..cut].to_string());
            }
            for c in ['A', 'B', 'Q', 'g', 'w', '_', '=', ' ', 'é', '+', '/'] {
                texts.push(format!("{text}{c}"));
                texts.push(format!("{}{c}", &text[..text.len().saturating_sub(1)]));
            }
        }
        for preset in crate::scenario::PRESETS {
            texts.push(encode(preset.text)[4..].to_string());
        }
        for text in texts {
            assert_eq!(by_hand::unbase64url(&text), unbase64url(&text), "`{text}`");
        }
    }

    #[test]
    fn a_pair_of_variants_round_trips_and_each_half_is_checked() {
        let (a, b) = ("profile linux\n", "profile classic\n");
        let link = encode_pair(a, b);
        assert!(link.starts_with("#v1=") && link.contains("&vs="));
        let (first, second) = decode_pair(&format!("https://x.test/{link}")).unwrap();
        assert_eq!(first.text(), a);
        assert_eq!(second.unwrap().text(), b);
        // A plain link opens one scenario; a percent-encoded `&` still separates the two.
        assert_eq!(decode_pair(&encode(a)).unwrap().1, None);
        let escaped = link.replace('&', "%26");
        assert_eq!(decode_pair(&escaped).unwrap().1.unwrap().text(), b);
        let (head, tail) = link.split_at(link.len() - 3);
        let broken = format!("{head}{}", if tail == "AAA" { "BBB" } else { "AAA" });
        let err = decode_pair(&broken).unwrap_err();
        assert!(err.starts_with("the variant to compare with: "), "{err}");
    }
}
