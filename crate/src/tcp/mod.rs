//! The sans-IO TCP endpoint (RFC 9293), shaped like smoltcp and quinn-proto: time is always a
//! parameter, and everything a connection wants to do is polled.
//!
//! - `state.rs`: the eleven states (RFC 9293 §3.3.2)
//! - `tcb.rs`: the control block and its event processing (RFC 9293 §3.10, RFC 6298)
//! - `congestion.rs`: the congestion window (RFC 5681, RFC 6928)
//! - `timer.rs`: the timer table
//! - `listener.rs`: the listening socket (RFC 9293 §3.10.7.2): SYN queue, accept queue,
//!   backlog, SYN cookies, `tcp_abort_on_overflow`
//! - `reasons_tested` (tests): every reason these files give is asserted by one of their tests

mod congestion;
mod listener;
mod state;
mod tcb;
mod timer;

pub use listener::{Child, Listened, Listener, SynVerdict, Tuple, COOKIE_MSS};
pub use state::State;
pub use tcb::{
    reset_for_closed_port, AppEvent, Endpoint, Errno, Queues, Tcb, TcbEvent, TimerAction, Transmit,
};
pub use timer::{Timer, TimerName};

#[cfg(test)]
mod reasons_tested {
    //! Every reason the endpoint and the listener can give is asserted by a test, where it
    //! happens. A reason counts as tested only where a test compares a `why` with it: inside
    //! `assert_eq!`, `assert!` or `matches!` (the per-state tests compare whole events built
    //! by their helpers there), and not under `assert_ne!` or an `assert!(!...)`; a mention in
    //! a comment, a string, or a plain `let` does not count.

    use std::collections::{BTreeMap, BTreeSet};

    const TCB: &str = include_str!("tcb.rs");
    const TCB_TESTS: &str = include_str!("tcb_tests.rs");
    const LISTENER: &str = include_str!("listener.rs");

    /// A `why::NAME` in code: the reason's name, its line, and whether an assertion compares it.
    #[derive(Debug, PartialEq)]
    struct Mention {
        name: String,
        line: usize,
        asserted: bool,
    }

    /// What an open bracket belongs to.
    #[derive(Clone, Copy, PartialEq)]
    enum Bracket {
        Assertion,
        /// `assert_ne!`, or `assert!` of a negation: what is inside must not happen.
        Negation,
        Other,
    }

    /// The source before its test module, and the test module.
    fn split_at_tests<'a>(file: &str, src: &'a str, marker: &str) -> (&'a str, &'a str) {
        let at = src.find(marker).unwrap_or_else(|| {
            panic!("{file} no longer has its test module at `{marker}`: update this check")
        });
        src.split_at(at)
    }

    fn is_ident(c: char) -> bool {
        c.is_alphanumeric() || c == '_'
    }

    /// Where the comment, string or character literal that starts at `i` ends, if one does
    /// (a lifetime is code).
    fn end_of_non_code(s: &[char], i: usize) -> Option<usize> {
        let at = |i: usize| s.get(i).copied().unwrap_or('\0');
        let find = |from: usize, end: &dyn Fn(usize) -> bool| {
            (from..s.len()).find(|j| end(*j)).unwrap_or(s.len())
        };
        match (at(i), at(i + 1)) {
            ('/', '/') => Some(find(i, &|j| s[j] == '\n')),
            ('/', '*') => {
                // Block comments nest.
                let (mut depth, mut j) = (0, i);
                while j < s.len() {
                    match (s[j], at(j + 1)) {
                        ('/', '*') => (depth, j) = (depth + 1, j + 2),
                        ('*', '/') if depth == 1 => return Some(j + 2),
                        ('*', '/') => (depth, j) = (depth - 1, j + 2),
                        _ => j += 1,
                    }
                }
                Some(j)
            }
            ('"', _) => {
                let mut j = i + 1;
                while j < s.len() && s[j] != '"' {
                    j += if s[j] == '\\' { 2 } else { 1 };
                }
                Some(j + 1)
            }
            ('r', '"' | '#') if i == 0 || !is_ident(s[i - 1]) => {
                // A raw string r#"..."#, unless it is a raw identifier (r#type).
                let hashes = (i + 1..s.len()).take_while(|j| s[*j] == '#').count();
                if at(i + 1 + hashes) != '"' {
                    return None;
                }
                let closes = |j: usize| s[j] == '"' && (1..=hashes).all(|k| at(j + k) == '#');
                Some(find(i + 2 + hashes, &closes) + 1 + hashes)
            }
            ('\'', '\\') => Some(find(i + 2, &|j| s[j] == '\'') + 1),
            ('\'', _) if at(i + 2) == '\'' => Some(i + 3),
            _ => None,
        }
    }

    /// What the bracket opened after `word` (the identifier just before it, a macro's with
    /// its `!`) belongs to; `first` is the first character inside.
    fn bracket(word: &str, first: Option<char>) -> Bracket {
        match (word, first) {
            ("assert!", Some('!')) | ("assert_ne!", _) => Bracket::Negation,
            ("assert!" | "assert_eq!" | "matches!", _) => Bracket::Assertion,
            _ => Bracket::Other,
        }
    }

    /// Every `why::NAME` in the code of `src` (not in its comments or strings), and whether
    /// an assertion compares it.
    fn mentions(src: &str) -> Vec<Mention> {
        let s: Vec<char> = src.chars().collect();
        let newlines = |from: usize, to: usize| s[from..to].iter().filter(|c| **c == '\n').count();
        let mut out = Vec::new();
        let mut open: Vec<Bracket> = Vec::new();
        let mut word = String::new();
        let (mut i, mut line) = (0, 1);
        while i < s.len() {
            if let Some(end) = end_of_non_code(&s, i) {
                let end = end.min(s.len());
                line += newlines(i, end);
                word.clear();
                i = end;
                continue;
            }
            let c = s[i];
            if is_ident(c) {
                let end = (i..s.len()).find(|j| !is_ident(s[*j])).unwrap_or(s.len());
                word = s[i..end].iter().collect();
                i = end;
                if s.get(i) == Some(&'!') {
                    word.push('!');
                    i += 1;
                }
                let rest = &s[i..];
                if word == "why"
                    && rest.starts_with(&[':', ':'])
                    && rest.get(2).is_some_and(char::is_ascii_uppercase)
                {
                    let end = (i + 2..s.len())
                        .find(|j| !is_ident(s[*j]))
                        .unwrap_or(s.len());
                    out.push(Mention {
                        name: s[i + 2..end].iter().collect(),
                        line,
                        asserted: open.contains(&Bracket::Assertion)
                            && !open.contains(&Bracket::Negation),
                    });
                    i = end;
                }
                continue;
            }
            match c {
                '(' | '[' | '{' => {
                    let first = s[i + 1..].iter().copied().find(|c| !c.is_whitespace());
                    open.push(bracket(&word, first));
                }
                ')' | ']' | '}' => {
                    open.pop();
                }
                '\n' => line += 1,
                _ => {}
            }
            if !c.is_whitespace() {
                word.clear();
            }
            i += 1;
        }
        out
    }

    #[test]
    fn every_reason_the_endpoint_and_the_listener_give_is_asserted_by_a_test() {
        let (tcb, _) = split_at_tests("tcb.rs", TCB, "#[cfg(test)]\n#[path = \"tcb_tests.rs\"]");
        let (listener, listener_tests) =
            split_at_tests("listener.rs", LISTENER, "#[cfg(test)]\nmod tests");
        let asserted: BTreeSet<String> = [TCB_TESTS, listener_tests]
            .into_iter()
            .flat_map(mentions)
            .filter(|m| m.asserted)
            .map(|m| m.name)
            .collect();
        let mut untested: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (file, src) in [
            ("crate/src/tcp/tcb.rs", tcb),
            ("crate/src/tcp/listener.rs", listener),
        ] {
            let produced = mentions(src);
            assert!(
                !produced.is_empty(),
                "no reason found in {file}: is this check still reading it?"
            );
            for m in produced.into_iter().filter(|m| !asserted.contains(&m.name)) {
                untested
                    .entry(m.name)
                    .or_default()
                    .push(format!("{file}:{}", m.line));
            }
        }
        let report: Vec<String> = untested
            .iter()
            .map(|(name, places)| format!("  why::{name}, given at {}", places.join(", ")))
            .collect();
        assert!(
            untested.is_empty(),
            "no test asserts these reasons; assert each where it happens (the segment sent, the \
             state change, the timer, the application event) in crate/src/tcp/tcb_tests.rs or \
             listener.rs's tests, comparing the why inside assert_eq!, assert! or matches!:\n{}",
            report.join("\n")
        );
    }

    #[test]
    fn a_reason_counts_only_where_an_assertion_compares_it() {
        let src = r##"
            assert_eq!(tx.why, why::A);
            assert!(events.contains(&moved(State::Listen, State::SynReceived, why::B)));
            let seen = events.iter().any(|e| matches!(e, TcbEvent::App { why, .. } if *why == why::C));
            let expected = why::D; // assert_eq!(x, why::E);
            /* assert_eq!(x, why::F); /* nested */ assert!(why::F) */
            assert_eq!(label, "why::G \" assert_eq!(");
            assert!(!events.contains(&told(AppEvent::Eof, why::H)));
            assert_ne!(tx.why, why::I);
            assert_eq!(text, r#"why::J"#);
            fn f<'a>(c: char, s: &'a str) { assert_eq!(c, '('); }
            let w = why::K; assert_eq!(w, why::L);
            let r#type = why::M; assert!(r#type == why::N);
            assert_eq!(quote, '\''); assert_eq!(tx.why, why::O);
            let two_lines = "(
            "; assert!([why::P].contains(&tx.why));
        "##;
        let found = mentions(src);
        let found: Vec<(&str, usize, bool)> = found
            .iter()
            .map(|m| (m.name.as_str(), m.line, m.asserted))
            .collect();
        assert_eq!(
            found,
            [
                ("A", 2, true),
                ("B", 3, true),
                ("C", 4, true),
                ("D", 5, false),
                ("H", 8, false),
                ("I", 9, false),
                ("K", 12, false),
                ("L", 12, true),
                ("M", 13, false),
                ("N", 13, true),
                ("O", 14, true),
                ("P", 16, true),
            ]
        );
    }
}
