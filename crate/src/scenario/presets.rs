//! The preset library: named scenarios that each make one point (DESIGN.md, "Presets": the
//! names are a contract, used in links and tests).

/// A named scenario with a title and a one-line teaching summary.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    pub name: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    pub text: &'static str,
}

pub const PRESETS: &[Preset] = &[
    Preset {
        name: "handshake",
        title: "The three-way handshake",
        summary: "SYN, SYN,ACK, ACK: each side picks an initial sequence number and the other acknowledges it.",
        text: include_str!("presets/handshake.scn"),
    },
    Preset {
        name: "close",
        title: "Closing a connection",
        summary: "FIN and ACK in each direction; the side that closed first waits in TIME-WAIT.",
        text: include_str!("presets/close.scn"),
    },
];

impl Preset {
    pub fn find(name: &str) -> Option<&'static Preset> {
        PRESETS.iter().find(|p| p.name == name)
    }

    /// "unknown preset `x`; presets are: a, b, c" for error messages.
    pub fn unknown(name: &str) -> String {
        let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
        format!("unknown preset `{name}`; presets are: {}", names.join(", "))
    }
}
