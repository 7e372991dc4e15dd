//! TCP Playground: a deterministic RFC 9293 TCP simulator that draws ladder diagrams.
//!
//! Data flows one way: a [`scenario::Scenario`] drives the [`sim::Sim`], whose hosts run
//! sans-IO [`tcp::Tcb`]s; everything they do lands in the [`trace::Trace`], which the
//! [`ladder`] draws and the CLI prints. `wasm.rs` is the only file that knows about JavaScript.

/// `Display` for a trace vocabulary type: it prints its `name()`.
macro_rules! display_as_name {
    ($($ty:ty),+) => {$(
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    )+};
}

pub mod inspect;
pub mod ladder;
pub mod pcap;
pub mod profile;
pub mod rng;
pub mod scenario;
pub mod segment;
pub mod seq;
pub mod session;
pub mod sim;
pub mod tcp;
pub mod time;
pub mod trace;
pub mod why;
pub mod wire;
pub mod words;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

use scenario::{Preset, Scenario};

/// Parses a scenario, or names a preset with `preset:NAME`; errors come as `line:col: message`.
pub fn load(source: &str) -> Result<Scenario, String> {
    match source.strip_prefix("preset:") {
        Some(name) => {
            let preset = Preset::find(name.trim()).ok_or_else(|| Preset::unknown(name.trim()))?;
            Scenario::parse(preset.text).map_err(|e| e.to_string())
        }
        None => Scenario::parse(source).map_err(|e| e.to_string()),
    }
}
