//! What a reader sees when a scenario is wrong: `line:col: message`, the line itself with the
//! offending text underlined, and a hint (the closest known name, or the names there are).

use std::fmt;

/// One problem in a scenario text, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line and column (in characters).
    pub line: usize,
    pub col: usize,
    /// How many characters the offending text spans (at least 1).
    pub len: usize,
    pub message: String,
    /// The line as written, to show beneath the message.
    pub source: String,
}

impl ParseError {
    /// The message with the line beneath it and the offending text underlined, as a compiler
    /// prints it; `name` (a file name) prefixes the position.
    pub fn render(&self, name: Option<&str>) -> String {
        let prefix = name.map(|n| format!("{n}:")).unwrap_or_default();
        let mut out = format!("{prefix}{self}");
        if !self.source.trim().is_empty() {
            let number = self.line.to_string();
            let pad = " ".repeat(number.len());
            // Tabs keep their width in both lines so the underline stays under its word.
            // Control and direction-changing characters would garble (or disguise) the line;
            // each shows as one replacement character, so the underline stays aligned.
            let shown: String = self
                .source
                .chars()
                .map(|c| if hidden(c) { '\u{fffd}' } else { c })
                .collect();
            let lead: String = self
                .source
                .chars()
                .take(self.col.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            out += &format!(
                "\n{number} | {}\n{pad} | {lead}{}",
                shown.trim_end(),
                "^".repeat(self.len.max(1))
            );
        }
        out
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

/// Characters that must not reach a terminal or a page as they are: controls (but tab), and
/// the bidirectional overrides that make text read differently from what it holds.
fn hidden(c: char) -> bool {
    (c.is_control() && c != '\t')
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// A message with each hidden character written as its escape, e.g. `\u{0}`.
pub fn escape_controls(message: &str) -> String {
    message
        .chars()
        .map(|c| {
            if hidden(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Every problem found in a scenario text, in line order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseErrors(pub Vec<ParseError>);

impl ParseErrors {
    /// Every error rendered with its line, separated by blank lines.
    pub fn render(&self, name: Option<&str>) -> String {
        let all: Vec<String> = self.0.iter().map(|e| e.render(name)).collect();
        all.join("\n\n")
    }
}

impl fmt::Display for ParseErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseErrors {}

/// The known name closest to a misspelled one, if one is close enough to be what was meant:
/// at most a third of its letters off (and at least one).
pub fn closest<'a>(wrong: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (wrong.chars().count() / 3).max(1);
    known
        .into_iter()
        .map(|k| {
            (
                edit_distance(&wrong.to_ascii_lowercase(), &k.to_ascii_lowercase()),
                k,
            )
        })
        .filter(|(d, _)| *d <= limit && *d < wrong.chars().count())
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// "unknown host `sever`; did you mean `server`?" or, with nothing close, the list of names.
pub fn unknown(what: &str, wrong: &str, known: &[&str]) -> String {
    match closest(wrong, known.iter().copied()) {
        Some(k) => format!("unknown {what} `{wrong}`; did you mean `{k}`?"),
        None if known.is_empty() => format!("unknown {what} `{wrong}`"),
        None => format!("unknown {what} `{wrong}`; use {}", list(known)),
    }
}

/// `a, b or c`, each in backticks.
pub fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// Levenshtein distance over characters, with a swap of two neighbours counting as one.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_name_only_when_it_is_close() {
        let known = ["syn_retries", "synack_retries", "time_wait"];
        assert_eq!(closest("synack_retires", known), Some("synack_retries"));
        assert_eq!(closest("timewait", known), Some("time_wait"));
        assert_eq!(closest("SYN_RETRIES", known), Some("syn_retries"));
        assert_eq!(closest("backlog", known), None);
    }

    #[test]
    fn renders_the_line_with_the_offending_text_underlined() {
        let e = ParseError {
            line: 4,
            col: 13,
            len: 5,
            message: "unknown host `sever`; did you mean `server`?".into(),
            source: "link client sever delay=50ms".into(),
        };
        assert_eq!(
            e.render(Some("a.scn")),
            "a.scn:4:13: unknown host `sever`; did you mean `server`?\n\
             4 | link client sever delay=50ms\n  |             ^^^^^"
        );
    }

    #[test]
    fn lists_names_in_prose() {
        assert_eq!(list(&["a", "b", "c"]), "`a`, `b` or `c`");
        assert_eq!(list(&["a"]), "`a`");
    }
}
