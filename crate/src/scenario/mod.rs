//! The scenario language (DESIGN.md, "The scenario language", a contract): plain text, one
//! statement per line, `#` comments, durations with units.
//!
//! `Scenario::parse` collects every error it can find, each with its line and column, and never
//! panics; `Scenario::print` writes the canonical form, so `parse(print(s)) == s`.

mod edit;
mod error;
pub mod link;
mod presets;

pub use error::{ParseError, ParseErrors};
pub use presets::{Preset, PRESETS};

use error::unknown;

use crate::profile::{Params, Profile};
use crate::segment::Flags;
use crate::time::{Duration, Instant};
use std::fmt;
use std::net::Ipv4Addr;
use std::sync::Arc;

/// The longest scenario text accepted.
pub const MAX_TEXT: usize = 64 * 1024;
/// The most statements a scenario holds (interactive actions count too).
pub const MAX_STATEMENTS: usize = 2_000;
/// The longest word (no name, number or setting comes near it).
pub const MAX_WORD: usize = 256;
/// The most hosts: the ladder draws a lifeline for each.
pub const MAX_HOSTS: usize = 16;
/// The latest virtual time a statement may name (the simulator's default time budget).
pub const MAX_TIME: Duration = Duration::from_secs(7 * 24 * 3600);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    pub profile: Profile,
    pub seed: u64,
    /// Teaching modes that are not real TCP.
    pub counterfactuals: Vec<Counterfactual>,
    pub hosts: Vec<HostDecl>,
    pub links: Vec<LinkDecl>,
    pub sets: Vec<SetDecl>,
    pub listens: Vec<ListenDecl>,
    /// Targeted faults on segments between two hosts.
    pub faults: Vec<Fault>,
    /// Application actions in time order (ties keep their written order). Shared, so a
    /// simulation reads them where they are instead of copying a long script.
    pub actions: Arc<Vec<Timed>>,
    /// Stop the simulation at this virtual time.
    pub run: Option<Duration>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostDecl {
    pub name: String,
    pub addr: Ipv4Addr,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkDecl {
    pub a: String,
    pub b: String,
    /// One-way delay, both directions.
    pub delay: Duration,
    /// Each segment waits up to this much longer, drawn at random.
    pub jitter: Duration,
    /// Chances per segment, in parts per million: lost, duplicated, held back past the
    /// segments after it.
    pub loss: Ppm,
    pub dup: Ppm,
    pub reorder: Ppm,
}

/// A probability in parts per million, written in scenarios as a decimal from 0 to 1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ppm(pub u32);

impl Ppm {
    pub const ONE: u32 = 1_000_000;

    fn parse(text: &str) -> Result<Ppm, String> {
        let bad =
            || format!("`{text}` is not a probability; write a number from 0 to 1, e.g. 0.05");
        if let Some(percent) = text.strip_suffix('%') {
            // The same chance as a decimal: a hundredth of the percentage.
            let hint = millionths(percent)
                .filter(|m| m % 100 == 0)
                .and_then(|m| u32::try_from(m / 100).ok())
                .map_or("0.05".to_string(), |ppm| Ppm(ppm).to_string());
            return Err(format!(
                "write a chance as a number from 0 to 1: `{text}` is `{hint}`"
            ));
        }
        match millionths(text).and_then(|m| u32::try_from(m).ok()) {
            Some(ppm) if ppm <= Ppm::ONE => Ok(Ppm(ppm)),
            _ => Err(bad()),
        }
    }
}

/// A decimal with at most six places (`0.05`, `.5`, `3`), in millionths.
fn millionths(text: &str) -> Option<u64> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() > 6 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: u64 = format!("{frac:0<6}").parse().ok()?;
    whole.checked_mul(u64::from(Ppm::ONE))?.checked_add(frac)
}

impl fmt::Display for Ppm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let frac = format!("{:06}", self.0 % Ppm::ONE);
        let frac = frac.trim_end_matches('0');
        if frac.is_empty() {
            write!(f, "{}", self.0 / Ppm::ONE)
        } else {
            write!(f, "{}.{frac}", self.0 / Ppm::ONE)
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetDecl {
    pub host: String,
    pub name: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenDecl {
    pub host: String,
    pub port: u16,
    pub backlog: u32,
    /// The server application reads data as it arrives (`read=auto`, the default), or only
    /// on `recv` statements (`read=manual`).
    pub auto_read: bool,
    /// It accepts connections as they are established (`accept=auto`, the default), or only
    /// on `accept` statements (`accept=manual`).
    pub auto_accept: bool,
    /// It answers each request (each arrival of data) with this many bytes (`reply=N`).
    pub reply: Option<u32>,
    /// It closes the connection after each reply (`close=after-reply`), as HTTP/1.0 does.
    pub close_after_reply: bool,
    /// SO_REUSEADDR on the listening socket (`reuseaddr=on`), inherited by the connections it
    /// accepts: a later bind() to the port may share it with those not in LISTEN.
    pub reuseaddr: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counterfactual {
    /// SYN and SYN,ACK alone open the connection.
    TwoWayHandshake,
    /// The side that closes first forgets the connection instead of waiting in TIME-WAIT.
    NoTimeWait,
}

impl Counterfactual {
    pub const ALL: [Counterfactual; 2] =
        [Counterfactual::TwoWayHandshake, Counterfactual::NoTimeWait];

    pub fn name(self) -> &'static str {
        match self {
            Counterfactual::TwoWayHandshake => "two-way-handshake",
            Counterfactual::NoTimeWait => "no-time-wait",
        }
    }
}

/// `drop A->B ...` or `delay A->B ... by=D`: what happens to the matching segments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    pub effect: FaultEffect,
    pub from: String,
    pub to: String,
    /// Only the nth matching segment (counting from 1); every one without it.
    pub nth: Option<u32>,
    /// Exactly these flags (PSH counts).
    pub flags: Option<Flags>,
    /// Exactly this payload length.
    pub len: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultEffect {
    Drop,
    Delay(Duration),
    /// A second copy arrives this much after the first.
    Duplicate(Duration),
}

impl Fault {
    /// Whether a segment with these flags and length is one this fault looks for.
    pub fn matches(&self, flags: Flags, len: u32) -> bool {
        self.flags.is_none_or(|f| f == flags) && self.len.is_none_or(|l| l == len)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timed {
    pub at: Instant,
    pub host: String,
    pub action: Action,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Active open; `sport` fixes the local port instead of drawing an ephemeral one. (The
    /// name is shared, so a simulation copies a long script of connects without allocating.)
    Connect {
        host: Arc<str>,
        port: u16,
        sport: Option<u16>,
        /// SO_REUSEADDR before the bind() that `sport` implies (`reuseaddr=on`).
        reuseaddr: bool,
    },
    /// bind() and listen() at this moment: `listen PORT [settings]`, as a declaration takes.
    Listen(ListenDecl),
    /// The server application closes its listening socket on this port.
    CloseListener {
        port: u16,
    },
    Send {
        bytes: u32,
    },
    /// The application reads what has arrived (with `read=manual`).
    Recv,
    Close,
    /// shutdown(SHUT_WR): a half-close.
    ShutdownWrite,
    Abort,
    /// accept(): the application takes the oldest established connection (`accept=manual`).
    Accept,
    /// The host vanishes: no segment leaves or is answered until it reboots.
    Crash,
    /// The host comes back (or restarts) with no connections; its listeners reopen.
    Reboot,
    /// Its network cable is pulled: segments to and from it are lost; its state is kept.
    Unplug,
    Replug,
    /// A SYN flood against `host:port` from spoofed source addresses.
    Flood(Flood),
    /// SO_KEEPALIVE on (or off) for the host's connections, those open and those to come.
    Keepalive(bool),
    /// TCP_NODELAY on (or off) for the host's connections, those open and those to come.
    Nodelay(bool),
}

/// `flood HOST:PORT rate=N/s count=N spoof=random|live`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flood {
    pub host: String,
    pub port: u16,
    /// SYNs per second.
    pub rate: u32,
    pub count: u32,
    /// Whether the spoofed addresses belong to live hosts, which answer an unexpected
    /// SYN,ACK with RST (freeing the half-open slot), or to nobody.
    pub spoof_live: bool,
}

/// The most SYNs one flood statement may send, and the highest rate.
pub const MAX_FLOOD_COUNT: u32 = 2_000_000;
pub const MAX_FLOOD_RATE: u32 = 1_000_000;

impl Action {
    /// The action's name as a scenario writes it.
    pub fn verb(&self) -> &'static str {
        match self {
            Action::Connect { .. } => "connect",
            Action::Send { .. } => "send",
            Action::Recv => "recv",
            Action::Close => "close",
            Action::ShutdownWrite => "shutdown-write",
            Action::Abort => "abort",
            Action::Accept => "accept",
            Action::Listen(_) => "listen",
            Action::CloseListener { .. } => "close-listener",
            Action::Crash => "crash",
            Action::Reboot => "reboot",
            Action::Unplug => "unplug",
            Action::Replug => "replug",
            Action::Flood(_) => "flood",
            Action::Keepalive(_) => "keepalive",
            Action::Nodelay(_) => "nodelay",
        }
    }
}

/// The words that begin a statement (besides `HOST listen`).
pub const STATEMENTS: [&str; 11] = [
    "profile",
    "seed",
    "counterfactual",
    "host",
    "link",
    "set",
    "drop",
    "delay",
    "dup",
    "at",
    "run",
];

/// What follows `at TIME HOST`.
pub const ACTIONS: [&str; 16] = [
    "connect",
    "listen",
    "close-listener",
    "send",
    "recv",
    "accept",
    "close",
    "shutdown-write",
    "abort",
    "crash",
    "reboot",
    "unplug",
    "replug",
    "flood",
    "keepalive",
    "nodelay",
];

/// The backlog a `listen` statement gets when it names none (Linux's SOMAXCONN was 128 for
/// years; it is 4096 since 5.4, but most servers pass their own, often 128 or 511).
pub const DEFAULT_BACKLOG: u32 = 128;

/// A word of a line and the column (1-based, in characters) where it starts.
#[derive(Clone, Copy)]
struct Word<'a> {
    text: &'a str,
    col: usize,
}

fn words(line: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    let mut col = 0;
    for (i, ch) in line.char_indices() {
        col += 1;
        if ch.is_whitespace() {
            if let Some((s, c)) = start.take() {
                out.push(Word {
                    text: &line[s..i],
                    col: c,
                });
            }
        } else if start.is_none() {
            start = Some((i, col));
        }
    }
    if let Some((s, c)) = start {
        out.push(Word {
            text: &line[s..],
            col: c,
        });
    }
    out
}

/// One statement's error: where on the line, how wide, and what.
struct Fail {
    col: usize,
    len: usize,
    message: String,
}

/// An error about one word.
fn at(word: Word<'_>, message: impl Into<String>) -> Fail {
    Fail {
        col: word.col,
        len: word.text.chars().count(),
        message: message.into(),
    }
}

/// What the parser remembers between statements, to catch contradictions across lines.
#[derive(Default)]
struct Seen {
    statements: usize,
    /// The line of each one-off statement already given.
    once: Vec<(&'static str, usize)>,
    /// The latest `at` time so far and its line.
    last_at: Option<(Duration, usize)>,
    run: Option<(Duration, usize)>,
    flood_syns: u64,
}

impl Seen {
    /// `profile`, `seed` and `run` may each be given once.
    fn once(&mut self, head: Word<'_>, keyword: &'static str, line: usize) -> Result<(), Fail> {
        if let Some((_, first)) = self.once.iter().find(|(k, _)| *k == keyword) {
            return Err(at(
                head,
                format!("`{keyword}` is already given on line {first}; keep one of them"),
            ));
        }
        self.once.push((keyword, line));
        Ok(())
    }

    /// Nothing is scheduled after the `run` that ends the simulation. (`at` statements may
    /// come in any order: they run in time order, ties in the order written.)
    fn at_time(&mut self, time: Word<'_>, t: Duration, line: usize) -> Result<(), Fail> {
        if let Some((run, run_line)) = self.run.filter(|(run, _)| t > *run) {
            return Err(at(
                time,
                format!("this happens after the simulation ends (`run {run}` on line {run_line}), so it never would"),
            ));
        }
        if self.last_at.is_none_or(|(latest, _)| t > latest) {
            self.last_at = Some((t, line));
        }
        Ok(())
    }

    fn run_time(&mut self, word: Word<'_>, t: Duration, line: usize) -> Result<(), Fail> {
        if let Some((last, last_line)) = self.last_at.filter(|(last, _)| t < *last) {
            return Err(at(
                word,
                format!("the simulation would end before line {last_line} (at {last}) happens; run for at least {last}"),
            ));
        }
        self.run = Some((t, line));
        Ok(())
    }
}

/// A time a statement names, checked against the limit of virtual time.
fn time_word(w: Word<'_>) -> Result<Duration, Fail> {
    let t = Duration::parse(w.text).map_err(|m| at(w, m))?;
    if t > MAX_TIME {
        return Err(at(
            w,
            format!(
                "`{}` is past the simulation's limit of {MAX_TIME} of virtual time",
                w.text
            ),
        ));
    }
    Ok(t)
}

/// One statement's words and its line, for the function that parses its kind.
struct Statement<'a> {
    ws: &'a [Word<'a>],
    line: usize,
}

impl<'a> Statement<'a> {
    /// The first word, which says what kind of statement this is (or names a host).
    fn head(&self) -> Word<'a> {
        self.ws[0]
    }

    /// Word `i`, or an error just past the end of the line saying `what` was expected.
    fn arg(&self, i: usize, what: &str) -> Result<Word<'a>, Fail> {
        self.ws.get(i).copied().ok_or_else(|| {
            let end = self
                .ws
                .last()
                .map(|w| w.col + w.text.chars().count())
                .unwrap_or(1);
            Fail {
                col: end,
                len: 1,
                message: format!("expected {what} here"),
            }
        })
    }

    /// Nothing after the first `n` words.
    fn no_more(&self, n: usize) -> Result<(), Fail> {
        match self.ws.get(n) {
            Some(extra) => Err(at(*extra, format!("unexpected `{}`", extra.text))),
            None => Ok(()),
        }
    }
}

/// A listening socket on `port_word`'s port with `settings`, for a declaration or an action;
/// `head` is the word an inconsistent combination is reported at.
fn listen_decl(
    host: String,
    head: Word<'_>,
    port_word: Word<'_>,
    settings: &[Word<'_>],
) -> Result<ListenDecl, Fail> {
    let mut listen = ListenDecl {
        host,
        port: port(port_word)?,
        backlog: DEFAULT_BACKLOG,
        auto_read: true,
        auto_accept: true,
        reply: None,
        close_after_reply: false,
        reuseaddr: false,
    };
    for w in settings {
        listen_setting(&mut listen, *w)?;
    }
    if listen.close_after_reply && listen.reply.is_none() {
        return Err(at(
            head,
            "close=after-reply needs reply=N, the size of the reply",
        ));
    }
    Ok(listen)
}

/// `on` or `off`, the value of setting `what` in word `w`.
fn on_off(w: Word<'_>, what: &str, value: &str) -> Result<bool, Fail> {
    match value {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(at(w, format!("{what} is `on` or `off`, not `{value}`"))),
    }
}

/// One `NAME=VALUE` of a `listen` statement.
fn listen_setting(listen: &mut ListenDecl, w: Word<'_>) -> Result<(), Fail> {
    let (key, Word { text: value, .. }) = key_value(w)?;
    let auto_or_manual = |what: &str| match value {
        "auto" => Ok(true),
        "manual" => Ok(false),
        _ => Err(at(
            w,
            format!("{what} is `auto` or `manual`, not `{value}`"),
        )),
    };
    match key {
        "accept" => listen.auto_accept = auto_or_manual("accept")?,
        "reply" => {
            listen.reply =
                Some(value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    at(w, format!("reply is a byte count above 0, not `{value}`"))
                })?)
        }
        "close" => {
            listen.close_after_reply = match value {
                "after-reply" => true,
                _ => return Err(at(w, format!("close takes `after-reply`, not `{value}`"))),
            }
        }
        "read" => listen.auto_read = auto_or_manual("read")?,
        "reuseaddr" => listen.reuseaddr = on_off(w, "reuseaddr", value)?,
        "backlog" => {
            listen.backlog = value.parse().ok().ok_or_else(|| {
                at(
                    w,
                    format!("backlog is a whole number (0 or more), not `{value}`"),
                )
            })?
        }
        _ => {
            return Err(at(
                w,
                unknown(
                    "listen setting",
                    key,
                    &["backlog", "accept", "read", "reply", "close", "reuseaddr"],
                ),
            ))
        }
    }
    Ok(())
}

/// `listen PORT backlog=N ...`, the settings that differ from the defaults after the backlog.
fn listen_text(l: &ListenDecl) -> String {
    let mut out = format!("listen {} backlog={}", l.port, l.backlog);
    if !l.auto_accept {
        out += " accept=manual";
    }
    if !l.auto_read {
        out += " read=manual";
    }
    if let Some(n) = l.reply {
        out += &format!(" reply={n}");
    }
    if l.close_after_reply {
        out += " close=after-reply";
    }
    if l.reuseaddr {
        out += " reuseaddr=on";
    }
    out
}

impl Scenario {
    /// An empty scenario with the defaults: profile `linux`, seed 1.
    pub fn new() -> Scenario {
        Scenario {
            profile: Profile::Linux,
            seed: 1,
            counterfactuals: Vec::new(),
            hosts: Vec::new(),
            links: Vec::new(),
            sets: Vec::new(),
            listens: Vec::new(),
            faults: Vec::new(),
            actions: Arc::default(),
            run: None,
        }
    }

    /// Parses a scenario text, reporting every statement that is wrong (up to a limit).
    pub fn parse(text: &str) -> Result<Scenario, ParseErrors> {
        /// Past this many, more errors would only bury the first ones.
        const MAX_ERRORS: usize = 50;
        if text.len() > MAX_TEXT {
            return Err(ParseErrors(vec![ParseError {
                line: 1,
                col: 1,
                len: 1,
                message: format!(
                    "the scenario is {} bytes; the limit is {MAX_TEXT} bytes",
                    text.len()
                ),
                source: String::new(),
            }]));
        }
        let mut scenario = Scenario::new();
        let mut seen = Seen::default();
        let mut errors = Vec::new();
        // A byte-order mark, as some editors write, is not part of the first statement.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for (index, raw) in text.lines().enumerate() {
            let content = raw.split('#').next().unwrap_or("");
            let ws = words(content);
            if ws.is_empty() {
                continue;
            }
            let line = index + 1;
            seen.statements += 1;
            let long = ws.iter().find(|w| w.text.chars().count() > MAX_WORD);
            let result = if seen.statements > MAX_STATEMENTS {
                Err(at(
                    ws[0],
                    format!(
                        "a scenario holds at most {MAX_STATEMENTS} statements; this is one more"
                    ),
                ))
            } else if let Some(w) = long {
                Err(at(
                    *w,
                    format!(
                        "this word is {} characters long; words are at most {MAX_WORD}",
                        w.text.chars().count()
                    ),
                ))
            } else {
                scenario.statement(&ws, line, &mut seen)
            };
            if let Err(fail) = result {
                errors.push(ParseError {
                    line,
                    col: fail.col,
                    len: fail.len,
                    message: error::escape_controls(&fail.message),
                    source: raw.to_string(),
                });
                if errors.len() >= MAX_ERRORS || seen.statements > MAX_STATEMENTS {
                    break;
                }
            }
        }
        if errors.is_empty() {
            // Time order; the sort is stable, so equal times keep their written order.
            Arc::make_mut(&mut scenario.actions).sort_by_key(|a| a.at);
            Ok(scenario)
        } else {
            Err(ParseErrors(errors))
        }
    }

    /// One statement, by its first word: each kind has its own function below.
    fn statement(&mut self, ws: &[Word<'_>], line: usize, seen: &mut Seen) -> Result<(), Fail> {
        let st = Statement { ws, line };
        match st.head().text {
            "profile" => self.profile_statement(&st, seen),
            "counterfactual" => self.counterfactual_statement(&st),
            "drop" | "delay" | "dup" => self.fault_statement(&st),
            "seed" => self.seed_statement(&st, seen),
            "host" => self.host_statement(&st),
            "link" => self.link_statement(&st),
            "set" => self.set_statement(&st),
            "at" => self.at_statement(&st, seen),
            "run" => self.run_statement(&st, seen),
            // `HOST listen PORT [backlog=N]`
            _ => match ws.get(1) {
                Some(verb) if verb.text == "listen" => self.listen_statement(&st),
                _ => Err(self.unknown_statement(&st)),
            },
        }
    }

    /// `profile NAME`, once.
    fn profile_statement(&mut self, st: &Statement<'_>, seen: &mut Seen) -> Result<(), Fail> {
        let w = st.arg(1, "a profile name (linux, linux-pre-6.5 or classic)")?;
        seen.once(st.head(), "profile", st.line)?;
        self.profile = Profile::from_name(w.text).ok_or_else(|| {
            at(
                w,
                unknown("profile", w.text, &Profile::ALL.map(Profile::name)),
            )
        })?;
        st.no_more(2)
    }

    /// `counterfactual MODE`; naming a mode twice is the same as once.
    fn counterfactual_statement(&mut self, st: &Statement<'_>) -> Result<(), Fail> {
        let names: Vec<&str> = Counterfactual::ALL.iter().map(|c| c.name()).collect();
        let w = st.arg(
            1,
            "a counterfactual mode (two-way-handshake or no-time-wait)",
        )?;
        let mode = Counterfactual::ALL
            .into_iter()
            .find(|c| c.name() == w.text)
            .ok_or_else(|| at(w, unknown("counterfactual mode", w.text, &names)))?;
        if !self.counterfactuals.contains(&mode) {
            self.counterfactuals.push(mode);
        }
        st.no_more(2)
    }

    /// `drop`, `delay` or `dup A->B ...`.
    fn fault_statement(&mut self, st: &Statement<'_>) -> Result<(), Fail> {
        let fault = self.fault(st.head(), st.ws)?;
        self.faults.push(fault);
        Ok(())
    }

    /// `seed N`, once.
    fn seed_statement(&mut self, st: &Statement<'_>, seen: &mut Seen) -> Result<(), Fail> {
        let w = st.arg(1, "a seed, a whole number")?;
        seen.once(st.head(), "seed", st.line)?;
        self.seed = w
            .text
            .parse()
            .map_err(|_| at(w, format!("`{}` is not a whole number", w.text)))?;
        st.no_more(2)
    }

    /// `host NAME ADDRESS`: a new name and a new address.
    fn host_statement(&mut self, st: &Statement<'_>) -> Result<(), Fail> {
        let name = st.arg(1, "a host name")?;
        let addr = st.arg(2, "an IPv4 address such as 10.0.0.1")?;
        check_name(name)?;
        if self.hosts.len() >= MAX_HOSTS {
            return Err(at(
                name,
                format!(
                    "a scenario has at most {MAX_HOSTS} hosts; the ladder draws a line for each"
                ),
            ));
        }
        if self.host(name.text).is_some() {
            return Err(at(name, format!("host `{}` is declared twice", name.text)));
        }
        let addr_value: Ipv4Addr = addr
            .text
            .parse()
            .map_err(|_| at(addr, format!("`{}` is not an IPv4 address", addr.text)))?;
        if let Some(other) = self.hosts.iter().find(|h| h.addr == addr_value) {
            return Err(at(
                addr,
                format!("{} is already the address of `{}`", addr.text, other.name),
            ));
        }
        self.hosts.push(HostDecl {
            name: name.text.to_string(),
            addr: addr_value,
        });
        st.no_more(3)
    }

    /// `link A B [delay=D] [jitter=D] [loss=P] [dup=P] [reorder=P]`: two known hosts, once.
    fn link_statement(&mut self, st: &Statement<'_>) -> Result<(), Fail> {
        let ws = st.ws;
        let a = self.known_host(st.arg(1, "a host name")?)?;
        let b = self.known_host(st.arg(2, "a second host name")?)?;
        if a == b {
            return Err(at(ws[2], "a link joins two different hosts"));
        }
        if self
            .links
            .iter()
            .any(|l| (&l.a, &l.b) == (&a, &b) || (&l.a, &l.b) == (&b, &a))
        {
            return Err(at(ws[1], format!("{a} and {b} are already linked")));
        }
        let mut link = LinkDecl {
            a,
            b,
            delay: Duration::ZERO,
            jitter: Duration::ZERO,
            loss: Ppm(0),
            dup: Ppm(0),
            reorder: Ppm(0),
        };
        for w in &ws[3..] {
            let (key, value) = key_value(*w)?;
            let time = || time_word(value);
            let chance = || Ppm::parse(value.text).map_err(|m| at(value, m));
            match key {
                "delay" => link.delay = time()?,
                "jitter" => link.jitter = time()?,
                "loss" => link.loss = chance()?,
                "dup" => link.dup = chance()?,
                "reorder" => link.reorder = chance()?,
                _ => {
                    return Err(at(
                        *w,
                        unknown(
                            "link setting",
                            key,
                            &["delay", "jitter", "loss", "dup", "reorder"],
                        ),
                    ))
                }
            }
        }
        self.links.push(link);
        Ok(())
    }

    /// `set HOST.PARAMETER VALUE`, checked against the profile's parameters.
    fn set_statement(&mut self, st: &Statement<'_>) -> Result<(), Fail> {
        let target = st.arg(1, "HOST.PARAMETER")?;
        let value = st.arg(2, "a value")?;
        let (host, name) = split_word(target, ".").ok_or_else(|| {
            at(
                target,
                "write the parameter as HOST.NAME, e.g. server.synack_retries",
            )
        })?;
        let host = self.known_host(host)?;
        if !Params::NAMES.contains(&name.text) {
            return Err(at(name, unknown("parameter", name.text, &Params::NAMES)));
        }
        let name = name.text;
        // Validate against a scratch copy; the simulator applies it for real.
        let mut scratch: Params = self.profile.params();
        scratch.set(name, value.text).map_err(|m| at(value, m))?;
        self.sets.push(SetDecl {
            host,
            name: name.to_string(),
            value: value.text.to_string(),
        });
        st.no_more(3)
    }

    /// `at TIME HOST ACTION ...`: within the run, and the floods within their limit.
    fn at_statement(&mut self, st: &Statement<'_>, seen: &mut Seen) -> Result<(), Fail> {
        let ws = st.ws;
        let time = st.arg(1, "a time such as 1.5s")?;
        if time.text.starts_with('-') {
            return Err(at(
                time,
                format!(
                    "time goes backwards: `{}` is before the simulation starts at 0s",
                    time.text
                ),
            ));
        }
        let at_time = time_word(time)?;
        let host = self.known_host(st.arg(2, "a host name")?)?;
        let action = self.action(
            &ws[3..],
            st.arg(3, "an action such as connect, send or close")?,
        )?;
        if let Action::Flood(f) = &action {
            seen.flood_syns += u64::from(f.count);
            if seen.flood_syns > u64::from(MAX_FLOOD_COUNT) {
                return Err(at(
                    ws[3],
                    format!(
                        "the floods of this scenario add up to {} SYNs; the limit is {MAX_FLOOD_COUNT} in all",
                        seen.flood_syns
                    ),
                ));
            }
        }
        seen.at_time(time, at_time, st.line)?;
        Arc::make_mut(&mut self.actions).push(Timed {
            at: Instant::ZERO + at_time,
            host,
            action,
        });
        Ok(())
    }

    /// `run D`, once, and not before an `at` it would cut off.
    fn run_statement(&mut self, st: &Statement<'_>, seen: &mut Seen) -> Result<(), Fail> {
        let w = st.arg(1, "a duration such as 300s")?;
        seen.once(st.head(), "run", st.line)?;
        let t = time_word(w)?;
        seen.run_time(w, t, st.line)?;
        self.run = Some(t);
        st.no_more(2)
    }

    /// `HOST listen PORT [backlog=N] [accept=auto|manual] [read=auto|manual] [reply=N]
    /// [close=after-reply]`.
    fn listen_statement(&mut self, st: &Statement<'_>) -> Result<(), Fail> {
        let head = st.head();
        let host = self.known_host(head)?;
        let port_word = st.arg(2, "a port number")?;
        let listen = listen_decl(host, head, port_word, &st.ws[3..])?;
        let port = listen.port;
        if self
            .listens
            .iter()
            .any(|l| l.host == listen.host && l.port == port)
        {
            return Err(at(
                port_word,
                format!("{} already listens on port {port}", listen.host),
            ));
        }
        self.listens.push(listen);
        Ok(())
    }

    /// What to say about a statement whose first word is no keyword.
    fn unknown_statement(&self, st: &Statement<'_>) -> Fail {
        let head = st.head();
        match st.ws.get(1) {
            // `client lisen 80`: a host, then a misspelled verb.
            Some(v) if self.host(head.text).is_some() => at(
                *v,
                match error::closest(v.text, ["listen"]) {
                    Some(_) => format!(
                        "unknown statement `{} {}`; did you mean `{} listen`?",
                        head.text, v.text, head.text
                    ),
                    None => format!(
                        "after a host name comes `listen PORT`, not `{}`; actions take `at TIME {} ...`",
                        v.text, head.text
                    ),
                },
            ),
            _ => at(head, unknown("statement", head.text, &STATEMENTS)),
        }
    }

    fn action(&self, ws: &[Word<'_>], verb: Word<'_>) -> Result<Action, Fail> {
        let expect_end = |n: usize| match ws.get(n) {
            Some(extra) => Err(at(*extra, format!("unexpected `{}`", extra.text))),
            None => Ok(()),
        };
        let simple = |action: Action| expect_end(1).map(|_| action);
        match verb.text {
            "connect" => {
                let (host, dport) = self.target(verb, ws)?;
                let (mut sport, mut reuseaddr) = (None, false);
                for w in &ws[2..] {
                    match key_value(*w)? {
                        ("sport", value) => sport = Some(port(value)?),
                        ("reuseaddr", value) => reuseaddr = on_off(*w, "reuseaddr", value.text)?,
                        (key, _) => {
                            return Err(at(
                                *w,
                                unknown("connect setting", key, &["sport", "reuseaddr"]),
                            ))
                        }
                    }
                }
                Ok(Action::Connect {
                    host: host.into(),
                    port: dport,
                    sport,
                    reuseaddr,
                })
            }
            "listen" => {
                let port_word = ws
                    .get(1)
                    .copied()
                    .ok_or_else(|| at(verb, "listen needs a port, e.g. listen 80"))?;
                Ok(Action::Listen(listen_decl(
                    String::new(),
                    verb,
                    port_word,
                    &ws[2..],
                )?))
            }
            "close-listener" => {
                let port_word = ws.get(1).copied().ok_or_else(|| {
                    at(verb, "close-listener needs a port, e.g. close-listener 80")
                })?;
                expect_end(2)?;
                Ok(Action::CloseListener {
                    port: port(port_word)?,
                })
            }
            "send" => {
                let w = ws
                    .get(1)
                    .copied()
                    .ok_or_else(|| at(verb, "send needs a byte count, e.g. send 1000"))?;
                let bytes =
                    w.text.parse().ok().filter(|b| *b > 0).ok_or_else(|| {
                        at(w, format!("`{}` is not a byte count above 0", w.text))
                    })?;
                expect_end(2)?;
                Ok(Action::Send { bytes })
            }
            "recv" => simple(Action::Recv),
            "close" => simple(Action::Close),
            "shutdown-write" => simple(Action::ShutdownWrite),
            "abort" => simple(Action::Abort),
            "accept" => simple(Action::Accept),
            "crash" => simple(Action::Crash),
            "reboot" => simple(Action::Reboot),
            "unplug" => simple(Action::Unplug),
            "replug" => simple(Action::Replug),
            "flood" => self.flood(verb, ws).map(Action::Flood),
            "keepalive" | "nodelay" => {
                let name = verb.text;
                let w = ws
                    .get(1)
                    .copied()
                    .ok_or_else(|| at(verb, format!("{name} is `on` or `off`")))?;
                let on = on_off(w, name, w.text)?;
                expect_end(2)?;
                Ok(match name {
                    "keepalive" => Action::Keepalive(on),
                    _ => Action::Nodelay(on),
                })
            }
            other => Err(at(verb, unknown("action", other, &ACTIONS))),
        }
    }

    /// The `HOST:PORT` after an action's verb, checked: a known host and a valid port.
    fn target(&self, verb: Word<'_>, ws: &[Word<'_>]) -> Result<(String, u16), Fail> {
        let target = ws.get(1).copied().ok_or_else(|| {
            at(
                verb,
                format!("{} needs a target such as server:80", verb.text),
            )
        })?;
        let (host, port_word) = split_word(target, ":")
            .ok_or_else(|| at(target, "write the target as HOST:PORT, e.g. server:80"))?;
        Ok((self.known_host(host)?, port(port_word)?))
    }

    /// `flood HOST:PORT rate=N/s count=N [spoof=random|live]`.
    fn flood(&self, verb: Word<'_>, ws: &[Word<'_>]) -> Result<Flood, Fail> {
        let (host, port) = self.target(verb, ws)?;
        let (mut rate, mut count, mut spoof_live) = (None, None, false);
        for w in &ws[2..] {
            let (key, Word { text: value, .. }) = key_value(*w)?;
            match key {
                "rate" => {
                    let n = value.strip_suffix("/s").and_then(|n| n.parse::<u32>().ok());
                    rate = Some(n.filter(|n| (1..=MAX_FLOOD_RATE).contains(n)).ok_or_else(|| {
                        at(*w, format!("rate is SYNs per second from 1/s to {MAX_FLOOD_RATE}/s, e.g. rate=1000/s, not `{value}`"))
                    })?);
                }
                "count" => {
                    count = Some(value.parse::<u32>().ok().filter(|n| (1..=MAX_FLOOD_COUNT).contains(n)).ok_or_else(|| {
                        at(*w, format!("count is a number of SYNs from 1 to {MAX_FLOOD_COUNT}, not `{value}`"))
                    })?);
                }
                "spoof" => {
                    spoof_live = match value {
                        "random" => false,
                        "live" => true,
                        _ => {
                            return Err(at(
                                *w,
                                format!("spoof is `random` or `live`, not `{value}`"),
                            ))
                        }
                    }
                }
                _ => {
                    return Err(at(
                        *w,
                        unknown("flood setting", key, &["rate", "count", "spoof"]),
                    ))
                }
            }
        }
        let rate = rate.ok_or_else(|| at(verb, "flood needs rate=, e.g. rate=1000/s"))?;
        let count = count.ok_or_else(|| at(verb, "flood needs count=, e.g. count=5000"))?;
        Ok(Flood {
            host,
            port,
            rate,
            count,
            spoof_live,
        })
    }

    /// `drop A->B [nth=N] [flags=F] [len=N]` and `delay A->B [nth=N] [flags=F] [len=N] by=D`.
    fn fault(&self, head: Word<'_>, ws: &[Word<'_>]) -> Result<Fault, Fail> {
        let path = ws.get(1).copied().ok_or_else(|| {
            at(
                head,
                format!("{} needs a direction such as client->server", head.text),
            )
        })?;
        let (from, to) = split_word(path, "->")
            .ok_or_else(|| at(path, "write the direction as FROM->TO, e.g. client->server"))?;
        let (from, to) = (self.known_host(from)?, self.known_host(to)?);
        let mut fault = Fault {
            effect: FaultEffect::Drop,
            from,
            to,
            nth: None,
            flags: None,
            len: None,
        };
        let mut by = None;
        for w in &ws[2..] {
            let (key, value_at) = key_value(*w)?;
            let value = value_at.text;
            match key {
                "nth" => {
                    fault.nth =
                        Some(value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                            at(value_at, format!("nth counts from 1, not `{value}`"))
                        })?)
                }
                "flags" => {
                    fault.flags = Some(Flags::parse(value).map_err(|bad| {
                        if bad.is_empty() {
                            return at(value_at, format!("a flag is missing in `{value}`; write flags joined by single commas, e.g. SYN,ACK"));
                        }
                        let names = ["SYN", "ACK", "FIN", "RST", "PSH", "URG"];
                        at(
                            value_at,
                            unknown("flag", &bad, &names).replace(
                                "`?",
                                "`? (flags are written in capitals, joined by commas)",
                            ),
                        )
                    })?)
                }
                "len" => {
                    fault.len =
                        Some(value.parse().map_err(|_| {
                            at(value_at, format!("len is a byte count, not `{value}`"))
                        })?)
                }
                "by" if head.text != "drop" => by = Some(time_word(value_at)?),
                _ => {
                    let known: &[&str] = if head.text == "drop" {
                        &["nth", "flags", "len"]
                    } else {
                        &["nth", "flags", "len", "by"]
                    };
                    let what = format!("{} setting", head.text);
                    return Err(at(*w, unknown(&what, key, known)));
                }
            }
        }
        if head.text == "delay" {
            let by =
                by.ok_or_else(|| at(head, "delay needs by=, how much later the segment arrives"))?;
            fault.effect = FaultEffect::Delay(by);
        } else if head.text == "dup" {
            fault.effect = FaultEffect::Duplicate(by.unwrap_or(Duration::ZERO));
        }
        Ok(fault)
    }

    /// Parses one action as an `at` statement would hold it, for `host`: what a reader does
    /// interactively (`connect server:80`, `send 1000`, `flood server:80 rate=100/s count=500`).
    pub fn parse_action(&self, host: &str, text: &str) -> Result<Action, ParseError> {
        let fail = |f: Fail| ParseError {
            line: 1,
            col: f.col,
            len: f.len,
            message: f.message,
            source: text.to_string(),
        };
        if self.host(host).is_none() {
            let known: Vec<&str> = self.hosts.iter().map(|h| h.name.as_str()).collect();
            return Err(fail(Fail {
                col: 1,
                len: 1,
                message: unknown("host", host, &known),
            }));
        }
        let ws = words(text);
        let verb = ws.first().copied().ok_or_else(|| Fail {
            col: 1,
            len: 1,
            message: "expected an action such as connect, send or close".into(),
        });
        verb.and_then(|verb| self.action(&ws, verb)).map_err(fail)
    }

    /// Whether an action taken interactively still fits in the scenario's limits.
    pub fn can_record(&self, action: &Action) -> Result<(), String> {
        if self.print().lines().count() >= MAX_STATEMENTS {
            return Err(format!(
                "the scenario already holds {MAX_STATEMENTS} statements, its limit; start it again to do more"
            ));
        }
        if let Action::Flood(f) = action {
            let flooded: u64 = self
                .actions
                .iter()
                .filter_map(|a| {
                    let Action::Flood(f) = &a.action else {
                        return None;
                    };
                    Some(u64::from(f.count))
                })
                .sum();
            if flooded + u64::from(f.count) > u64::from(MAX_FLOOD_COUNT) {
                return Err(format!(
                    "this flood would bring the scenario's floods past {MAX_FLOOD_COUNT} SYNs in all"
                ));
            }
        }
        Ok(())
    }

    /// Adds an action taken interactively at its place in time, so that the scenario replays
    /// it (and its share link carries it).
    pub fn record(&mut self, timed: Timed) {
        let place = self.actions.partition_point(|a| a.at <= timed.at);
        Arc::make_mut(&mut self.actions).insert(place, timed);
    }

    fn host(&self, name: &str) -> Option<&HostDecl> {
        self.hosts.iter().find(|h| h.name == name)
    }

    fn known_host(&self, w: Word<'_>) -> Result<String, Fail> {
        if self.host(w.text).is_some() {
            return Ok(w.text.to_string());
        }
        let known: Vec<&str> = self.hosts.iter().map(|h| h.name.as_str()).collect();
        let message = if known.is_empty() {
            format!(
                "unknown host `{}`; declare it first with `host {} ADDRESS`",
                w.text, w.text
            )
        } else {
            match error::closest(w.text, known.iter().copied()) {
                Some(k) => format!("unknown host `{}`; did you mean `{k}`?", w.text),
                None => format!(
                    "unknown host `{}`; known hosts: {}",
                    w.text,
                    known.join(", ")
                ),
            }
        };
        Err(at(w, message))
    }

    /// The canonical text: fixed statement order, one space between words.
    pub fn print(&self) -> String {
        let mut out = format!("profile {}\nseed {}\n", self.profile, self.seed);
        for c in &self.counterfactuals {
            out += &format!("counterfactual {}\n", c.name());
        }
        for h in &self.hosts {
            out += &format!("host {} {}\n", h.name, h.addr);
        }
        for l in &self.links {
            out += &format!("link {} {} delay={}", l.a, l.b, l.delay);
            if l.jitter > Duration::ZERO {
                out += &format!(" jitter={}", l.jitter);
            }
            for (name, p) in [("loss", l.loss), ("dup", l.dup), ("reorder", l.reorder)] {
                if p.0 > 0 {
                    out += &format!(" {name}={p}");
                }
            }
            out.push('\n');
        }
        for s in &self.sets {
            out += &format!("set {}.{} {}\n", s.host, s.name, s.value);
        }
        for l in &self.listens {
            out += &format!("{} {}\n", l.host, listen_text(l));
        }
        for f in &self.faults {
            let verb = match f.effect {
                FaultEffect::Drop => "drop",
                FaultEffect::Delay(_) => "delay",
                FaultEffect::Duplicate(_) => "dup",
            };
            out += &format!("{verb} {}->{}", f.from, f.to);
            if let Some(nth) = f.nth {
                out += &format!(" nth={nth}");
            }
            if let Some(flags) = f.flags {
                out += &format!(" flags={flags}");
            }
            if let Some(len) = f.len {
                out += &format!(" len={len}");
            }
            match f.effect {
                FaultEffect::Delay(by) => out += &format!(" by={by}"),
                FaultEffect::Duplicate(by) if by > Duration::ZERO => out += &format!(" by={by}"),
                _ => {}
            }
            out.push('\n');
        }
        for a in self.actions.iter() {
            let at = a.at.saturating_since(Instant::ZERO);
            let action = match &a.action {
                Action::Connect {
                    host,
                    port,
                    sport,
                    reuseaddr,
                } => {
                    let mut text = format!("connect {host}:{port}");
                    if let Some(sport) = sport {
                        text += &format!(" sport={sport}");
                    }
                    if *reuseaddr {
                        text += " reuseaddr=on";
                    }
                    text
                }
                Action::Listen(l) => listen_text(l),
                Action::CloseListener { port } => format!("close-listener {port}"),
                Action::Send { bytes } => format!("send {bytes}"),
                Action::Flood(f) => format!(
                    "flood {}:{} rate={}/s count={} spoof={}",
                    f.host,
                    f.port,
                    f.rate,
                    f.count,
                    if f.spoof_live { "live" } else { "random" }
                ),
                Action::Keepalive(on) => format!("keepalive {}", if *on { "on" } else { "off" }),
                Action::Nodelay(on) => format!("nodelay {}", if *on { "on" } else { "off" }),
                other => other.verb().to_string(),
            };
            let at = if at == Duration::ZERO {
                "0s".to_string()
            } else {
                at.to_string()
            };
            out += &format!("at {at} {} {action}\n", a.host);
        }
        if let Some(run) = self.run {
            out += &format!("run {run}\n");
        }
        out
    }
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario::new()
    }
}

fn check_name(w: Word<'_>) -> Result<(), Fail> {
    let ok = w.text.len() <= 24
        && w.text.starts_with(|c: char| c.is_ascii_alphabetic())
        && w.text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let reserved = ["at", "set", "host", "link", "profile", "seed", "run"].contains(&w.text);
    if ok && !reserved {
        Ok(())
    } else {
        Err(at(
            w,
            format!(
                "`{}` is not a usable host name; use up to 24 letters, digits, - or _, starting with a letter",
                w.text
            ),
        ))
    }
}

/// Splits a word at the first `sep`; each part keeps its own column.
fn split_word<'a>(w: Word<'a>, sep: &str) -> Option<(Word<'a>, Word<'a>)> {
    let (left, right) = w.text.split_once(sep)?;
    let col = w.col + left.chars().count() + sep.chars().count();
    Some((
        Word {
            text: left,
            col: w.col,
        },
        Word { text: right, col },
    ))
}

/// `NAME=VALUE`: the name, and the value with its column (for errors that point at it).
fn key_value(w: Word<'_>) -> Result<(&str, Word<'_>), Fail> {
    match split_word(w, "=") {
        Some((key, value)) if !key.text.is_empty() => Ok((key.text, value)),
        _ => Err(at(
            w,
            format!("expected NAME=VALUE, such as delay=50ms, not `{}`", w.text),
        )),
    }
}

fn port(w: Word<'_>) -> Result<u16, Fail> {
    w.text
        .parse()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| at(w, format!("`{}` is not a port (1 to 65535)", w.text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASIC: &str = "\
profile linux
seed 42
counterfactual no-time-wait
host client 10.0.0.1
host server 10.0.0.2
host attacker 10.0.0.66
link client server delay=50ms jitter=5ms loss=0.01 dup=0.002 reorder=0.05
link attacker server delay=10ms
set server.synack_retries 2
server listen 80 backlog=8 accept=manual
server listen 8080 reply=2000 close=after-reply
drop server->client nth=1 flags=SYN,ACK
dup server->client nth=3 by=20ms
drop client->server flags=ACK len=0
delay client->server nth=2 by=3s
at 0s client connect server:80   # the first SYN
at 0s client connect server:81 sport=40000
at 0s attacker flood server:80 rate=1000/s count=5000 spoof=random
at 1s client send 1000
at 1.5s server recv
at 1.5s server accept
at 2s client close
at 2.5s client shutdown-write
at 3s server crash
at 4s server reboot
at 4.5s client unplug
at 4.6s client replug
at 5s client abort
run 300s
";

    #[test]
    fn a_chance_written_as_a_percentage_is_refused_with_its_decimal() {
        for (written, decimal) in [
            ("5%", "0.05"),
            ("12.5%", "0.125"),
            ("100%", "1"),
            ("x%", "0.05"),
        ] {
            let err = Ppm::parse(written).unwrap_err();
            assert!(
                err.ends_with(&format!("`{written}` is `{decimal}`")),
                "{err}"
            );
        }
        assert_eq!(Ppm::parse(".5"), Ok(Ppm(500_000)));
        assert_eq!(Ppm::parse("1"), Ok(Ppm(Ppm::ONE)));
        assert!(Ppm::parse("1.000001").is_err());
        assert!(Ppm::parse("0.0000001").is_err());
        assert!(Ppm::parse("99999999999").is_err());
    }

    #[test]
    fn parses_the_contract_statements() {
        let s = Scenario::parse(BASIC).unwrap();
        assert_eq!(s.seed, 42);
        assert_eq!(s.hosts.len(), 3);
        assert_eq!(s.links[0].loss, Ppm(10_000));
        assert_eq!(s.links[0].reorder.to_string(), "0.05");
        assert_eq!(s.links[0].delay, Duration::from_millis(50));
        assert_eq!(s.listens[0].backlog, 8);
        assert_eq!(
            s.actions[0].action,
            Action::Connect {
                host: "server".into(),
                port: 80,
                sport: None,
                reuseaddr: false,
            }
        );
        assert_eq!(s.run, Some(Duration::from_secs(300)));
    }

    #[test]
    fn print_is_canonical_and_parses_back_to_the_same_scenario() {
        let s = Scenario::parse(BASIC).unwrap();
        let printed = s.print();
        assert_eq!(Scenario::parse(&printed).unwrap(), s);
        assert_eq!(Scenario::parse(&printed).unwrap().print(), printed);
    }

    #[test]
    fn errors_name_line_and_column_and_are_all_reported() {
        let text = "host client 10.0.0.1\nlink client servr delay=5ms\nat 1s client jump\n";
        let errors = Scenario::parse(text).unwrap_err().0;
        assert_eq!(errors.len(), 2);
        assert_eq!((errors[0].line, errors[0].col), (2, 13));
        assert_eq!(
            errors[0].message,
            "unknown host `servr`; known hosts: client"
        );
        assert_eq!((errors[1].line, errors[1].col), (3, 14));
        assert!(errors[1].message.contains("unknown action `jump`"));
    }

    #[test]
    fn missing_words_point_past_the_end_of_the_line() {
        let errors = Scenario::parse("host client").unwrap_err().0;
        assert_eq!((errors[0].line, errors[0].col), (1, 12));
        assert!(errors[0].message.contains("IPv4 address"));
    }

    #[test]
    fn oversized_text_is_refused_before_parsing() {
        let text = "# x\n".repeat(MAX_TEXT);
        let errors = Scenario::parse(&text).unwrap_err().0;
        assert!(errors[0].message.contains("limit"));
    }
}
