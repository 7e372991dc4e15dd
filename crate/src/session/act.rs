//! The Act bar: what a reader does to a run now, on a host they pick.

/// The SYN flood the Act bar starts: 2,000 spoofed SYNs at 200 per second.
pub const FLOOD_RATE: u32 = 200;
pub const FLOOD_COUNT: u32 = 2_000;

/// One button of the Act bar (or its SYN cookies switch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    /// Connect to the listening host (the first other host with a listening port).
    Connect,
    /// The application writes this many bytes on the host's newest connection.
    Send(u32),
    Close,
    Abort,
    Crash,
    Reboot,
    /// SO_KEEPALIVE on for the host's connections.
    KeepaliveOn,
    /// A SYN flood at the listening host, from spoofed addresses ([`FLOOD_RATE`], [`FLOOD_COUNT`]).
    Flood,
    /// SYN cookies on or off on the listening host: the scenario changes and replays to here.
    Cookies(bool),
    /// The next segment the host sends its peer is lost: the scenario gains that fault and
    /// replays to here.
    LoseNext,
    /// Run through quiet time to the next segment.
    Skip,
}

impl Act {
    /// The act a button of the page's Act bar names (its `data-act`), or its cookie switch
    /// (`cookies on`, `cookies off`).
    pub fn named(name: &str) -> Option<Act> {
        Some(match name {
            "connect" => Act::Connect,
            "send 1000" => Act::Send(1000),
            "close" => Act::Close,
            "abort" => Act::Abort,
            "crash" => Act::Crash,
            "reboot" => Act::Reboot,
            "keepalive on" => Act::KeepaliveOn,
            "flood" => Act::Flood,
            "cookies on" => Act::Cookies(true),
            "cookies off" => Act::Cookies(false),
            "lose-next" => Act::LoseNext,
            "skip" => Act::Skip,
            _ => return None,
        })
    }
}

/// Why an act was not done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No other host listens on a port: there is nowhere to connect or flood to.
    Nowhere,
    /// The run, the scenario or the host cannot take it, and why (the run is over, the
    /// scenario is full, the host has no peer...).
    Cannot(String),
}
