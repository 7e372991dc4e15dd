//! Named parameter sets: what a current Linux stack does, what Linux did before 6.5, and the
//! classic RFC 793 / RFC 1122 timers that older texts describe. Every value can be overridden
//! per host with `set HOST.NAME VALUE`, where NAME is the Linux sysctl without `tcp_`.

use crate::time::Duration;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Profile {
    /// Current Linux defaults (6.5 and later).
    #[default]
    Linux,
    /// Linux before 6.5: SYN retransmissions double from the first one.
    LinuxPre65,
    /// RFC 793 / RFC 1122 era timers: 3 s initial RTO, 2 MSL TIME-WAIT with MSL = 2 min.
    Classic,
}

impl Profile {
    pub const ALL: [Profile; 3] = [Profile::Linux, Profile::LinuxPre65, Profile::Classic];

    pub fn name(self) -> &'static str {
        match self {
            Profile::Linux => "linux",
            Profile::LinuxPre65 => "linux-pre-6.5",
            Profile::Classic => "classic",
        }
    }

    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The defaults of this profile (DESIGN.md, "Profiles").
    pub fn params(self) -> Params {
        let linux = Params {
            syn_retries: 6,
            // Linux 6.5, net.ipv4.tcp_syn_linear_timeouts.
            syn_linear_timeouts: 4,
            synack_retries: 5,
            retries2: 15,
            orphan_retries: 0,
            rto_initial: Duration::from_secs(1),
            rto_min: Duration::from_millis(200),
            rto_max: Duration::from_secs(120),
            time_wait: Duration::from_secs(60),
            fin_timeout: Duration::from_secs(60),
            keepalive: false,
            keepalive_time: Duration::from_secs(7200),
            keepalive_intvl: Duration::from_secs(75),
            keepalive_probes: 9,
            delack: Duration::from_millis(40),
            max_syn_backlog: 4096,
            somaxconn: 4096,
            syncookies: 1,
            abort_on_overflow: false,
            mss: 1460,
            wscale: 7,
            sack: true,
            timestamps: true,
            isn: None,
            // TCP_MAX_QUICKACKS in include/net/tcp.h.
            quickack: 16,
            // TCP_INIT_CWND in include/net/tcp.h (RFC 6928).
            initcwnd: 10,
            nodelay: false,
            two_way_handshake: false,
            no_time_wait: false,
        };
        match self {
            Profile::Linux => linux,
            Profile::LinuxPre65 => Params {
                syn_linear_timeouts: 0,
                ..linux
            },
            Profile::Classic => Params {
                syn_retries: 5,
                syn_linear_timeouts: 0,
                synack_retries: 5,
                rto_initial: Duration::from_secs(3),
                rto_min: Duration::from_secs(1),
                rto_max: Duration::from_secs(64),
                // RFC 9293 §3.10.7.4: 2 MSL, with MSL = 2 minutes (RFC 9293 §3.4.2).
                time_wait: Duration::from_secs(240),
                fin_timeout: Duration::ZERO,
                keepalive_probes: 10,
                delack: Duration::from_millis(200),
                max_syn_backlog: 128,
                somaxconn: 128,
                syncookies: 0,
                wscale: 0,
                sack: false,
                timestamps: false,
                // RFC 1122 §4.2.3.2: acknowledgments may be delayed from the first segment.
                quickack: 0,
                // RFC 5681 §3.1: three segments of 1,095 to 2,190 bytes.
                initcwnd: 3,
                ..linux
            },
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The tunables of one host's TCP, named after the Linux sysctls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Params {
    pub syn_retries: u32,
    pub syn_linear_timeouts: u32,
    pub synack_retries: u32,
    /// How long data or a FIN is retransmitted before the connection gives up, as a count of
    /// doubling RTOs from 200 ms (Linux `tcp_retries2`; the time, not the count, decides).
    pub retries2: u32,
    /// The same for a connection its application has closed; 0 means 8 (`tcp_orphan_retries`).
    pub orphan_retries: u32,
    pub rto_initial: Duration,
    pub rto_min: Duration,
    pub rto_max: Duration,
    pub time_wait: Duration,
    /// How long an orphaned connection may stay in FIN-WAIT-2; zero means forever.
    pub fin_timeout: Duration,
    pub keepalive: bool,
    pub keepalive_time: Duration,
    pub keepalive_intvl: Duration,
    pub keepalive_probes: u32,
    pub delack: Duration,
    pub max_syn_backlog: u32,
    pub somaxconn: u32,
    pub syncookies: u8,
    pub abort_on_overflow: bool,
    pub mss: u16,
    /// Window scale shift offered on SYN; zero means the option is not sent.
    pub wscale: u8,
    pub sack: bool,
    pub timestamps: bool,
    /// A fixed initial sequence number, for teaching; `None` draws one (RFC 6528).
    pub isn: Option<u32>,
    /// Segments acknowledged at once at the start of a connection, before delayed ACKs
    /// begin (Linux's quick-ACK mode; not a sysctl).
    pub quickack: u32,
    /// TCP_NODELAY on the host's connections: no Nagle's algorithm.
    pub nodelay: bool,
    /// The initial congestion window, in segments (on Linux a route attribute, `ip route
    /// ... initcwnd N`, not a sysctl).
    pub initcwnd: u32,
    /// Counterfactual: the handshake ends after SYN and SYN,ACK. Not real TCP.
    pub two_way_handshake: bool,
    /// Counterfactual: the closing side skips TIME-WAIT. Not real TCP.
    pub no_time_wait: bool,
}

/// What kind of value a parameter takes, for parsing and for error hints.
enum Kind {
    Count,
    Time,
    Switch,
    Choice(&'static [u32]),
}

impl Params {
    /// Every parameter name, in the order the scenario reference lists them.
    pub const NAMES: [&'static str; 27] = [
        "syn_retries",
        "synack_retries",
        "retries2",
        "orphan_retries",
        "syn_linear_timeouts",
        "rto_initial",
        "rto_min",
        "rto_max",
        "time_wait",
        "fin_timeout",
        "keepalive",
        "keepalive_time",
        "keepalive_intvl",
        "keepalive_probes",
        "delack",
        "max_syn_backlog",
        "somaxconn",
        "syncookies",
        "abort_on_overflow",
        "mss",
        "wscale",
        "sack",
        "timestamps",
        "isn",
        "quickack",
        "nodelay",
        "initcwnd",
    ];

    fn kind(name: &str) -> Option<Kind> {
        Some(match name {
            "syn_retries"
            | "synack_retries"
            | "retries2"
            | "orphan_retries"
            | "syn_linear_timeouts"
            | "keepalive_probes"
            | "max_syn_backlog"
            | "somaxconn"
            | "mss"
            | "isn"
            | "quickack"
            | "initcwnd" => Kind::Count,
            "rto_initial" | "rto_min" | "rto_max" | "time_wait" | "fin_timeout"
            | "keepalive_time" | "keepalive_intvl" | "delack" => Kind::Time,
            "keepalive" | "sack" | "timestamps" | "nodelay" => Kind::Switch,
            "syncookies" => Kind::Choice(&[0, 1, 2]),
            "abort_on_overflow" => Kind::Choice(&[0, 1]),
            "wscale" => Kind::Choice(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]),
            _ => return None,
        })
    }

    /// Sets one parameter from its scenario text. The error says what would be right.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let kind = Params::kind(name).ok_or_else(|| {
            format!(
                "unknown parameter `{name}`; known: {}",
                Params::NAMES.join(", ")
            )
        })?;
        let count = || -> Result<u32, String> {
            value
                .parse::<u32>()
                .map_err(|_| format!("`{name}` takes a whole number, not `{value}`"))
        };
        match kind {
            Kind::Time => {
                let d = Duration::parse(value)?;
                match name {
                    "rto_initial" => self.rto_initial = d,
                    "rto_min" => self.rto_min = d,
                    "rto_max" => self.rto_max = d,
                    "time_wait" => self.time_wait = d,
                    "fin_timeout" => self.fin_timeout = d,
                    "keepalive_time" => self.keepalive_time = d,
                    "keepalive_intvl" => self.keepalive_intvl = d,
                    _ => self.delack = d,
                }
            }
            Kind::Switch => {
                let on = match value {
                    "on" | "1" | "true" => true,
                    "off" | "0" | "false" => false,
                    _ => return Err(format!("`{name}` is `on` or `off`, not `{value}`")),
                };
                match name {
                    "keepalive" => self.keepalive = on,
                    "sack" => self.sack = on,
                    "nodelay" => self.nodelay = on,
                    _ => self.timestamps = on,
                }
            }
            Kind::Choice(allowed) => {
                let n = value.parse::<u32>().ok().filter(|n| allowed.contains(n));
                let n = n.ok_or_else(|| {
                    format!(
                        "`{name}` is one of {}..={}, not `{value}`",
                        allowed[0],
                        allowed[allowed.len() - 1]
                    )
                })?;
                match name {
                    "syncookies" => self.syncookies = n as u8,
                    "abort_on_overflow" => self.abort_on_overflow = n == 1,
                    _ => self.wscale = n as u8,
                }
            }
            Kind::Count => {
                let n = count()?;
                match name {
                    "syn_retries" => self.syn_retries = n,
                    "synack_retries" => self.synack_retries = n,
                    "retries2" => self.retries2 = n,
                    "orphan_retries" => self.orphan_retries = n,
                    "syn_linear_timeouts" => self.syn_linear_timeouts = n,
                    "keepalive_probes" => self.keepalive_probes = n,
                    "max_syn_backlog" => self.max_syn_backlog = n,
                    "somaxconn" => self.somaxconn = n,
                    "isn" => self.isn = Some(n),
                    "quickack" => self.quickack = n,
                    "initcwnd" => self.initcwnd = n.max(1),
                    _ => {
                        // RFC 9293 §3.7.1: an MSS below the IPv4 minimum datagram makes no sense.
                        self.mss = u16::try_from(n)
                            .ok()
                            .filter(|&m| m >= 88)
                            .ok_or_else(|| format!("`mss` is 88..=65535, not `{value}`"))?
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_and_classic_differ_where_the_old_posts_do() {
        let linux = Profile::Linux.params();
        let classic = Profile::Classic.params();
        assert_eq!(linux.rto_initial, Duration::from_secs(1));
        assert_eq!(classic.rto_initial, Duration::from_secs(3));
        assert_eq!(linux.time_wait, Duration::from_secs(60));
        assert_eq!(classic.time_wait, Duration::from_secs(240));
        assert_eq!(Profile::LinuxPre65.params().syn_linear_timeouts, 0);
    }

    #[test]
    fn every_named_parameter_can_be_set() {
        let mut p = Profile::Linux.params();
        for name in Params::NAMES {
            let value = match Params::kind(name).unwrap() {
                Kind::Count => "100",
                Kind::Time => "3s",
                Kind::Switch => "on",
                Kind::Choice(_) => "1",
            };
            p.set(name, value).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        assert_eq!(p.time_wait, Duration::from_secs(3));
        assert_eq!(p.isn, Some(100));
    }

    #[test]
    fn bad_values_say_what_is_expected() {
        let mut p = Profile::Linux.params();
        assert!(p
            .set("synack_retries", "many")
            .unwrap_err()
            .contains("whole number"));
        assert!(p.set("syncookies", "3").unwrap_err().contains("0..=2"));
        assert!(p
            .set("keepalive", "yes")
            .unwrap_err()
            .contains("`on` or `off`"));
        assert!(p
            .set("synack_retrys", "2")
            .unwrap_err()
            .contains("unknown parameter"));
    }
}
