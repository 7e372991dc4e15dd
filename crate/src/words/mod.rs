//! The product's words, one table per language: `en.json`, `zh.json`. The core speaks in
//! codes (a reason's key, a stop reason, a ladder label); a table gives each code its words
//! in one language, and the ladder, the inspector, the CLI and the widget all read the same
//! tables (`tools/build-wasm.sh` hands the widget its part as a module per language). TCP's own names (flags, states,
//! timer names, SND.UNA) are not words: they stay as the RFCs and Linux write them.
//!
//! Adding a language is adding one table here and naming it in `build.rs`, which turns the
//! tables into Rust statics (the WebAssembly module carries no JSON parser) and refuses a
//! table that lacks a key of the English one. A template's `{name}` is filled in by [`fill`];
//! a test checks that every table's templates have the English placeholders.

use crate::sim::Stop;
use crate::why::Why;

include!(concat!(env!("OUT_DIR"), "/words.rs"));

/// One language's words.
#[derive(Debug)]
pub struct Words {
    /// Its code (`en`, `zh`), as a page's `lang` attribute starts.
    pub lang: &'static str,
    /// Its name, in itself.
    pub name: &'static str,
    /// Why a run is over.
    pub stop: StopWords,
    /// The ladder's labels and what a screen reader hears of it.
    pub ladder: LadderWords,
    /// Each reason's explanation by [`Why::words_key`], sorted by key: one or two sentences
    /// for a reader.
    pub reasons: &'static [(&'static str, &'static str)],
}

#[derive(Debug)]
pub struct StopWords {
    pub quiet: &'static str,
    /// `{t}`: the run's time.
    pub run_time: &'static str,
    /// `{n}`: how many events ran.
    pub event_budget: &'static str,
    /// `{t}`: where the run stopped.
    pub time_budget: &'static str,
}

#[derive(Debug)]
pub struct LadderWords {
    /// After an attacker's address: its lifeline stands for every address it spoofs.
    pub spoofed_sources: &'static str,
    /// After the length of a folded gap: nothing happened in it, or only a slow segment
    /// crossed it.
    pub idle: &'static str,
    pub later: &'static str,
    /// After a keepalive probe's label.
    pub keepalive: &'static str,
    /// After a timer bracket's name: when the armed timer will fire.
    pub due: &'static str,
    /// Between the descriptions of two compared runs.
    pub compared_with: &'static str,
    /// A queue chart's title (`{listener}`) and legends.
    pub queues: &'static str,
    pub syn_queue_peak: &'static str,
    pub accept_queue_peak: &'static str,
    /// An arrow for screen readers: `{label}`, `{from}`, `{to}`; and the same, lost.
    pub arrow: &'static str,
    pub arrow_lost: &'static str,
    /// The whole ladder for screen readers: `{hosts}` (joined by `hosts_join`), `{segments}`.
    pub diagram: &'static str,
    pub hosts_join: &'static str,
    /// `{segments}`, `{syns}`, `{synacks}`, `{rsts}`: a flood's segments counted, not drawn.
    pub flood_band: &'static str,
    /// `{modes}`: a counterfactual run's banner.
    pub counterfactual: &'static str,
    /// `{kept}`, `{counted}`: a trace that kept its first events and counted the rest.
    pub trace_cut: &'static str,
}

impl Words {
    /// What a reason means, in this language.
    pub fn reason(&self, why: Why) -> &'static str {
        let key = why.words_key();
        match self.reasons.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(i) => self.reasons[i].1,
            Err(_) => english().reason(why),
        }
    }

    /// Why a run is over, as a clause (`the run is over: …`).
    pub fn stop(&self, stop: &Stop) -> String {
        let s = &self.stop;
        match stop {
            Stop::Quiet => s.quiet.to_string(),
            Stop::RunTime(t) => fill(s.run_time, &[("t", &t.to_string())]),
            Stop::EventBudget(n) => fill(s.event_budget, &[("n", &n.to_string())]),
            Stop::TimeBudget(t) => fill(s.time_budget, &[("t", &t.to_string())]),
        }
    }
}

/// The English table, which every other falls back to.
pub fn english() -> &'static Words {
    &TABLES[0]
}

/// The table for a page's `lang` (`zh`, `zh-CN`, `en-GB`...): the one whose code the tag
/// starts with, or English.
pub fn for_lang(lang: &str) -> &'static Words {
    let primary = lang.split(['-', '_']).next().unwrap_or_default();
    TABLES
        .iter()
        .find(|w| w.lang.eq_ignore_ascii_case(primary))
        .unwrap_or_else(english)
}

/// A template with each `{name}` replaced by its value; a name without a value stays as it is.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after
            .find('}')
            .and_then(|close| Some((close, values.iter().find(|(n, _)| *n == &after[..close])?)));
        match value {
            Some((close, (_, v))) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::why;
    use serde_json::Value;
    use std::collections::BTreeMap;

    /// The tables as written, by language.
    const SOURCES: [(&str, &str); 2] = [
        ("en", include_str!("en.json")),
        ("zh", include_str!("zh.json")),
    ];

    fn placeholders(template: &str) -> Vec<&str> {
        let mut names: Vec<&str> = template
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(n, _)| n))
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .collect();
        names.sort_unstable();
        names
    }

    /// Every key of a table with its text, flattened (`ladder.idle`, `widget.fate.lost`).
    fn entries(value: &Value, prefix: &str, out: &mut BTreeMap<String, String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    entries(v, &key, out);
                }
            }
            Value::String(s) => {
                out.insert(prefix.to_string(), s.clone());
            }
            other => panic!("{prefix}: a table holds words, not {other}"),
        }
    }

    #[test]
    fn every_table_reads_and_has_every_key_with_the_same_placeholders() {
        let flat = |json: &str| {
            let mut out = BTreeMap::new();
            entries(&serde_json::from_str(json).expect("JSON"), "", &mut out);
            out
        };
        assert_eq!(SOURCES.len(), TABLES.len());
        let english = flat(SOURCES[0].1);
        for (lang, json) in SOURCES {
            let table = flat(json);
            let missing: Vec<&String> =
                english.keys().filter(|k| !table.contains_key(*k)).collect();
            let extra: Vec<&String> = table.keys().filter(|k| !english.contains_key(*k)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{lang}: missing {missing:?}, extra {extra:?}"
            );
            for (key, text) in &table {
                assert!(!text.trim().is_empty(), "{lang}: {key} is empty");
                if !["lang", "name"].contains(&key.as_str()) {
                    assert_eq!(
                        placeholders(text),
                        placeholders(&english[key]),
                        "{lang}: {key}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_reason_explains_itself_in_every_language() {
        for words in &TABLES {
            let lang = &words.lang;
            for why in why::ALL {
                let key = why.words_key();
                let found = words.reasons.iter().find(|(k, _)| *k == key);
                let (_, text) = found.unwrap_or_else(|| panic!("{lang}: no words for {key}"));
                assert!(
                    text.chars().count() < 240,
                    "{lang}: {key} is too long: {text}"
                );
            }
            assert_eq!(
                words.reasons.len(),
                why::ALL.len(),
                "{lang}: words for reasons nobody gives"
            );
        }
        let en = english();
        for why in why::ALL {
            let text = en.reason(*why);
            assert!(
                text.ends_with('.') && text.is_ascii(),
                "{}: {text}",
                why.id()
            );
        }
        let zh = for_lang("zh");
        for why in why::ALL {
            let text = zh.reason(*why);
            assert!(text.ends_with('。'), "{}: {text}", why.id());
            // Full-width punctuation in Chinese ("SYN,ACK" keeps its comma).
            assert!(
                !text.contains([':', ';']),
                "{}: half-width punctuation: {text}",
                why.id()
            );
        }
    }

    #[test]
    fn the_widget_has_its_words_in_every_table() {
        for (lang, json) in SOURCES {
            let table: Value = serde_json::from_str(json).expect("JSON");
            let mut flat = BTreeMap::new();
            entries(&table["widget"], "", &mut flat);
            assert!(flat.len() > 50, "{lang}: {} widget words", flat.len());
        }
    }

    #[test]
    fn a_lang_tag_finds_its_table_and_anything_else_english() {
        assert_eq!(for_lang("zh").lang, "zh");
        assert_eq!(for_lang("zh-CN").lang, "zh");
        let langs: Vec<&str> = TABLES.iter().map(|w| w.lang).collect();
        assert_eq!(langs, SOURCES.map(|(lang, _)| lang));
        assert_eq!(for_lang("ZH_tw").lang, "zh");
        assert_eq!(for_lang("en-GB").lang, "en");
        assert_eq!(for_lang("fr").lang, "en");
        assert_eq!(for_lang("").lang, "en");
        assert_ne!(
            for_lang("zh").reason(why::ACTIVE_OPEN),
            english().reason(why::ACTIVE_OPEN)
        );
    }

    #[test]
    fn fill_replaces_named_placeholders_and_keeps_the_rest() {
        assert_eq!(fill("{a} and {b}", &[("a", "1"), ("b", "2")]), "1 and 2");
        assert_eq!(fill("{a}{a}", &[("a", "x")]), "xx");
        assert_eq!(
            fill("keep {c} and { and }", &[("a", "1")]),
            "keep {c} and { and }"
        );
        assert_eq!(fill("no braces", &[]), "no braces");
        assert_eq!(fill("{t}：", &[("t", "1.000s")]), "1.000s：");
    }

    #[test]
    fn a_stop_says_why_in_each_language() {
        let t = crate::time::Instant::from_micros(2_000_000);
        assert_eq!(
            english().stop(&Stop::RunTime(t)),
            format!("the run is over: it reached its run time, {t}")
        );
        assert!(for_lang("zh")
            .stop(&Stop::EventBudget(7))
            .contains("7 个事件"));
    }
}
