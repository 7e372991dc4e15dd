//! Compare mode's variants: a scenario changed in one respect (its profile, or SYN cookies the
//! other way round on the listening host), and the titles that say how two variants differ.

use super::Run;
use crate::profile::Profile;
use crate::scenario::Scenario;

/// A titles' longest length, in characters; a longer one ends in an ellipsis.
const TITLE_MAX: usize = 48;

/// One of the page's variant buttons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// The same scenario under another profile.
    Profile(Profile),
    /// SYN cookies the other way round on the listening host.
    FlipCookies,
}

impl Variant {
    /// The variant a button names: `profile classic`, `profile linux-pre-6.5`,
    /// `profile linux`, or `syncookies`.
    pub fn named(name: &str) -> Option<Variant> {
        match name.strip_prefix("profile ") {
            Some(profile) => Profile::from_name(profile.trim()).map(Variant::Profile),
            None => (name == "syncookies").then_some(Variant::FlipCookies),
        }
    }

    /// The scenario `text` (or `preset:NAME`) changed into this variant, in canonical form.
    /// A scenario where no host listens has no cookies to flip, and comes back as it was.
    pub fn apply(self, text: &str) -> Result<String, String> {
        match self {
            Variant::Profile(profile) => {
                let mut scenario = crate::load(text)?;
                scenario.set_profile(profile);
                Ok(scenario.print())
            }
            Variant::FlipCookies => {
                let run = Run::open(text)?;
                let Some((server, _)) = run.scenario().listening_host(None) else {
                    return Ok(run.source_text());
                };
                let on = if run.syncookies_on(server) { "0" } else { "1" };
                let mut scenario = run.scenario().clone();
                scenario.set_param(server, "syncookies", on);
                Ok(scenario.print())
            }
        }
    }
}

/// Names for two compared variants: the statements each has that the other lacks, or `A`
/// and `B`. Both are compared in canonical form, so comments, spacing and the order of
/// statements make no difference.
pub fn titles(a: &Scenario, b: &Scenario) -> [String; 2] {
    let (a, b) = (a.print(), b.print());
    [title(&a, &b, "A"), title(&b, &a, "B")]
}

/// The lines of `x` that `y` lacks, joined by `; ` and clipped; or `fallback`.
fn title(x: &str, y: &str, fallback: &str) -> String {
    let mut out = String::new();
    for line in x.split('\n') {
        if line.is_empty() || y.split('\n').any(|theirs| theirs == line) {
            continue;
        }
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str(line);
    }
    if out.is_empty() {
        out.push_str(fallback);
    }
    // Longer than the most: its first TITLE_MAX - 1 characters and an ellipsis.
    let mut cuts = out.char_indices().skip(TITLE_MAX - 1).map(|(at, _)| at);
    if let (Some(cut), Some(_)) = (cuts.next(), cuts.next()) {
        out.truncate(cut);
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_buttons_are_named_as_the_page_names_them() {
        assert_eq!(
            Variant::named("profile classic"),
            Some(Variant::Profile(Profile::Classic))
        );
        assert_eq!(
            Variant::named("profile linux-pre-6.5"),
            Some(Variant::Profile(Profile::LinuxPre65))
        );
        assert_eq!(Variant::named("syncookies"), Some(Variant::FlipCookies));
        assert_eq!(Variant::named("profile bsd"), None);
        assert_eq!(Variant::named("cookies"), None);
    }

    #[test]
    fn a_long_title_is_clipped_with_an_ellipsis() {
        let a = Scenario::parse("host a 10.0.0.1\n").unwrap();
        let mut b = a.clone();
        b.set_param("a", "syn_retries", "2");
        b.set_param("a", "synack_retries", "3");
        b.set_param("a", "rto_min", "300ms");
        let [ta, tb] = titles(&a, &b);
        assert_eq!(ta, "A");
        assert_eq!(tb.chars().count(), TITLE_MAX);
        assert!(tb.starts_with("set a.syn_retries 2; set a.synack_retries 3"));
        assert!(tb.ends_with('…'));
    }
}
