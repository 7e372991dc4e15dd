//! Widgets an article says the real kernel also runs: each is, statement for statement, a
//! scenario of the kernel harness (`tests/kernel/scenarios/`), so the claim stays true when
//! either side changes.

use std::path::Path;
use tcp_playground::scenario::Scenario;

/// The pages that say every widget on them is a kernel-checked scenario.
const PAGES: [&str; 2] = ["en/restart.html", "zh/restart.html"];

fn canonical(text: &str, what: &str) -> String {
    Scenario::parse(text)
        .unwrap_or_else(|e| panic!("{what}: {e:?}"))
        .print()
}

/// The `scenario="..."` attributes of a page, unescaped.
fn widget_scenarios(html: &str) -> Vec<String> {
    html.split("scenario=\"")
        .skip(1)
        .map(|rest| {
            let value = &rest[..rest.find('"').expect("a closing quote")];
            value
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .collect()
}

#[test]
fn every_widget_on_a_kernel_checked_page_is_a_kernel_scenario() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let kernel: Vec<(String, String)> = std::fs::read_dir(root.join("tests/kernel/scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (
                p.display().to_string(),
                canonical(&text, &p.display().to_string()),
            )
        })
        .collect();
    for page in PAGES {
        let html = std::fs::read_to_string(root.join("www/learn").join(page)).unwrap();
        let widgets = widget_scenarios(&html);
        assert!(widgets.len() >= 4, "{page}: {} widgets", widgets.len());
        for (i, text) in widgets.iter().enumerate() {
            let mine = canonical(text, &format!("{page} widget {}", i + 1));
            assert!(
                kernel.iter().any(|(_, k)| *k == mine),
                "{page}: widget {} is no kernel scenario:\n{text}",
                i + 1
            );
        }
    }
}
