//! Regression corpus: nasty inputs found by hand and by the fuzzers, each with the outcome it
//! must keep. `tests/corpus/scenarios/*.scn` start with `# expect: ok` or
//! `# expect: LINE:COL: MESSAGE` (the first error); `tests/corpus/links.txt` pairs a link with
//! `ok` or the start of its error.

use std::path::Path;
use tcp_playground::scenario::link;
use tcp_playground::scenario::Scenario;

fn corpus() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus")
}

#[test]
fn every_scenario_in_the_corpus_keeps_its_outcome() {
    let mut checked = 0;
    for entry in std::fs::read_dir(corpus().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let expect = text
            .trim_start_matches('\u{feff}')
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{}: no `# expect:` line", path.display()));
        let outcome = match Scenario::parse(&text) {
            Ok(s) => {
                // What parses also prints and parses back.
                assert_eq!(Scenario::parse(&s.print()).unwrap(), s);
                "ok".to_string()
            }
            Err(errors) => errors.0[0].to_string(),
        };
        assert_eq!(outcome, expect, "{}", path.display());
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} corpus files");
}

#[test]
fn a_flood_of_errors_is_cut_at_fifty() {
    let text =
        std::fs::read_to_string(corpus().join("scenarios/many-errors-stop-at-fifty.scn")).unwrap();
    assert_eq!(Scenario::parse(&text).unwrap_err().0.len(), 50);
}

#[test]
fn every_link_in_the_corpus_keeps_its_outcome() {
    let list = std::fs::read_to_string(corpus().join("links.txt")).unwrap();
    let mut checked = 0;
    for line in list
        .lines()
        .filter(|l| !l.starts_with('#') || l.contains('\t'))
    {
        let (url, expect) = line.split_once('\t').unwrap();
        match link::decode(url) {
            Ok(opened) => {
                assert_eq!(expect, "ok", "{url}");
                Scenario::parse(opened.text()).unwrap();
            }
            Err(e) => assert!(e.starts_with(expect), "{url}: {e}"),
        }
        checked += 1;
    }
    assert!(checked >= 15);
}
