//! Data flows one way (DESIGN.md, "Layout"): scenario → sim → trace → ladder / pcap / JSON,
//! with the session on top. This test reads every `crate::` path in the crate's source (test
//! modules aside, which may build a whole simulation to check a view) and fails on an edge that
//! goes against that order, so that a later change cannot quietly make a layer read one above
//! it.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Each module's layer: a module may use modules of lower layers only. Two modules of one layer
/// never use each other (the trace and the scenario know nothing of each other; the ladder,
/// the inspector and the pcap reader and writer are separate views of the trace).
const LAYERS: &[(&str, u32)] = &[
    ("time", 0),
    ("seq", 0),
    ("rng", 0),
    ("why", 0),
    ("segment", 1),
    ("profile", 1),
    ("wire", 2),
    ("tcp", 3),
    ("trace", 4),
    ("scenario", 4),
    // `crate::load`: a scenario from its text or a preset's name.
    ("load", 5),
    ("sim", 5),
    ("words", 6),
    ("session", 7),
    ("ladder", 8),
    ("graph", 8),
    ("inspect", 8),
    ("pcap", 8),
    ("packetdrill", 8),
    ("wasm", 9),
    ("bin", 9),
];

fn layer(module: &str) -> Option<u32> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// The module a source file belongs to: `src/sim/host.rs` is `sim`, `src/time.rs` is `time`.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib").then(|| name.to_string())
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("a readable source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The part of a file outside its test modules: a file of tests (`*_tests.rs`) is all test,
/// and a file's `#[cfg(test)] mod tests` is its last item by house style.
fn production_part(file: &Path, text: &str) -> String {
    if file.to_string_lossy().ends_with("_tests.rs") {
        return String::new();
    }
    let cut = text.find("#[cfg(test)]\nmod ").unwrap_or(text.len());
    text[..cut]
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules a piece of source names through `crate::` (or, in the CLI,
/// `tcp_playground::`), including inside `use crate::{a, b::c}` groups.
fn used_modules(code: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    for prefix in ["crate::", "tcp_playground::"] {
        for (at, _) in code.match_indices(prefix) {
            // `super::crate::` cannot occur; a path inside an identifier (`mycrate::`) is not ours.
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &code[at + prefix.len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                for item in group.split(',') {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        used.insert(name);
                    }
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    used.insert(name);
                }
            }
        }
    }
    used
}

/// Names a `crate::` path may start with that are not modules: the root's macros and items.
const ROOT_ITEMS: &[&str] = &["display_as_name"];

#[test]
fn no_module_uses_a_module_of_its_own_or_a_later_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut wrong = Vec::new();
    let mut edges = 0;
    for file in &files {
        let Some(module) = module_of(&src, file) else {
            continue;
        };
        let Some(own) = layer(&module) else {
            wrong.push(format!(
                "{}: module `{module}` has no layer; add it to LAYERS in tests/layers.rs",
                file.display()
            ));
            continue;
        };
        let text = fs::read_to_string(file).expect("a readable source file");
        for used in used_modules(&production_part(file, &text)) {
            if used == module || ROOT_ITEMS.contains(&used.as_str()) {
                continue;
            }
            edges += 1;
            match layer(&used) {
                Some(theirs) if theirs < own => {}
                Some(theirs) => wrong.push(format!(
                    "{}: `{module}` (layer {own}) uses `{used}` (layer {theirs}): a module may use only lower layers",
                    file.display()
                )),
                None => wrong.push(format!(
                    "{}: `{module}` uses `{used}`, which has no layer in tests/layers.rs",
                    file.display()
                )),
            }
        }
    }
    assert!(
        edges > 40,
        "the check found only {edges} edges: is it reading the source?"
    );
    assert!(
        wrong.is_empty(),
        "edges against the flow:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_reader_of_paths_sees_groups_inline_paths_and_ignores_look_alikes() {
    let code = "use crate::tcp::{Listener, State};\nuse crate::{sim, trace::Trace};\n\
                let x = crate::wire::hex(b);\nlet y = mycrate::ladder::x;";
    let used: Vec<String> = used_modules(code).into_iter().collect();
    assert_eq!(used, ["sim", "tcp", "trace", "wire"]);
    let with_tests =
        "use crate::time::Instant;\n#[cfg(test)]\nmod tests {\n use crate::sim::Sim;\n}";
    assert_eq!(
        used_modules(&production_part(Path::new("a.rs"), with_tests)),
        BTreeSet::from(["time".to_string()])
    );
}
