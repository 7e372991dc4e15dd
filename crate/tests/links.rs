//! Share links: every preset round-trips in under 1 KB, old links keep opening, and a damaged,
//! foreign, future or oversized link gets a clear error instead of a scenario.

use tcp_playground::scenario::link::{self, Opened, MAX_LINK};
use tcp_playground::scenario::{Scenario, PRESETS};

#[test]
fn every_preset_travels_in_a_link_under_1_kb_and_comes_back_unchanged() {
    for preset in PRESETS {
        let fragment = link::encode(preset.text);
        assert!(
            fragment.len() < 1024,
            "{}: {} characters",
            preset.name,
            fragment.len()
        );
        assert!(fragment.starts_with("#v1="));
        assert!(fragment[4..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        let opened = link::decode(&fragment).unwrap();
        assert_eq!(opened, Opened::Text(preset.text.to_string()));
        // The scenario it opens is the preset's.
        assert_eq!(
            Scenario::parse(opened.text()).unwrap(),
            Scenario::parse(preset.text).unwrap()
        );
    }
}

#[test]
fn a_link_opens_from_a_whole_url_a_fragment_or_the_bare_data() {
    let text = PRESETS[0].text;
    let fragment = link::encode(text);
    for form in [
        format!("http://127.0.0.1:8000/{fragment}"),
        format!("  {fragment}\n"),
        fragment[1..].to_string(),
    ] {
        assert_eq!(link::decode(&form).unwrap().text(), text);
    }
}

#[test]
fn the_first_link_form_names_a_preset_and_still_opens() {
    let opened = link::decode("http://example.org/#preset=syn-flood").unwrap();
    assert!(matches!(opened, Opened::Preset(p) if p.name == "syn-flood"));
    assert_eq!(
        link::decode("#preset=syn-flod").unwrap_err(),
        "the link names unknown preset `syn-flod`; did you mean `syn-flood`?"
    );
}

#[test]
fn a_link_from_a_newer_version_says_so() {
    assert_eq!(
        link::decode("#v2=AAAA").unwrap_err(),
        "this link was made by a newer TCP Playground (link format v2); this one reads up to v1"
    );
    assert_eq!(
        link::decode("#v0=AAAA").unwrap_err(),
        "link format v0 never existed; this link is damaged"
    );
}

#[test]
fn a_damaged_link_is_refused_whatever_was_changed() {
    let fragment = link::encode(PRESETS[3].text);
    let damaged = "the link is damaged: part of it is missing or was changed";
    // Every single-character change and every cut is caught.
    let data = &fragment[4..];
    for i in 0..data.len() {
        let mut bytes = data.as_bytes().to_vec();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let changed = format!("#v1={}", String::from_utf8(bytes).unwrap());
        let err = link::decode(&changed).unwrap_err();
        assert!(err.starts_with("the link is damaged"), "{i}: {err}");
    }
    for cut in 1..data.len() {
        let err = link::decode(&format!("#v1={}", &data[..cut])).unwrap_err();
        assert!(err.starts_with("the link is damaged"), "{cut}: {err}");
    }
    assert_eq!(link::decode("#v1=").unwrap_err(), damaged);
    assert_eq!(
        link::decode("#v1=abc%20def").unwrap_err(),
        "the link is damaged: ` ` (character 4) does not belong in it"
    );
    assert_eq!(
        link::decode("#v1=abcde").unwrap_err(),
        "the link is damaged: it was cut short"
    );
}

#[test]
fn a_foreign_fragment_is_not_mistaken_for_a_link() {
    let expected =
        "this is not a TCP Playground link: its part after # starts with `v1=` or `preset=`";
    for text in ["#section-2", "#x=1", "", "#vv1=abc", "#v=abc"] {
        assert_eq!(link::decode(text).unwrap_err(), expected, "{text}");
    }
}

#[test]
fn a_huge_link_or_a_link_that_inflates_past_the_limit_is_refused() {
    let huge = format!("#v1={}", "A".repeat(MAX_LINK));
    assert_eq!(
        link::decode(&huge).unwrap_err(),
        format!(
            "the link is {} characters long; a link holds at most {MAX_LINK}",
            MAX_LINK + 3
        )
    );
    // A megabyte of comment deflates to a few hundred bytes: a small link, refused as it
    // inflates, before it takes the memory.
    let bomb = link::encode(&"#".repeat(1 << 20));
    assert!(bomb.len() < 4096);
    assert_eq!(
        link::decode(&bomb).unwrap_err(),
        "the link's scenario is longer than the limit of 65536 bytes"
    );
}
