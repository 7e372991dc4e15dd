//! Virtual time.
//!
//! The core never reads a real clock: an [`Instant`] is a count of microseconds since the
//! simulation started, and every function that needs "now" takes it as an argument. This is what
//! makes a scenario replay byte for byte, natively and in the browser.

use std::fmt;
use std::ops::{Add, AddAssign, Mul, Sub};

/// A point in virtual time, in microseconds since the simulation started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(u64);

/// A span of virtual time, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration(u64);

impl Instant {
    pub const ZERO: Instant = Instant(0);

    pub const fn from_micros(us: u64) -> Self {
        Instant(us)
    }

    pub const fn micros(self) -> u64 {
        self.0
    }

    /// The time elapsed since `earlier`, or zero if `earlier` is later.
    pub fn saturating_since(self, earlier: Instant) -> Duration {
        Duration(self.0.saturating_sub(earlier.0))
    }
}

impl Duration {
    pub const ZERO: Duration = Duration(0);

    pub const fn from_micros(us: u64) -> Self {
        Duration(us)
    }
    pub const fn from_millis(ms: u64) -> Self {
        Duration(ms * 1_000)
    }
    pub const fn from_secs(s: u64) -> Self {
        Duration(s * 1_000_000)
    }
    pub const fn micros(self) -> u64 {
        self.0
    }
    pub fn min(self, other: Duration) -> Duration {
        Duration(self.0.min(other.0))
    }
    pub fn max(self, other: Duration) -> Duration {
        Duration(self.0.max(other.0))
    }
    pub fn saturating_mul(self, k: u64) -> Duration {
        Duration(self.0.saturating_mul(k))
    }

    /// Parses a duration with a unit, as written in scenarios: `50ms`, `1.5s`, `2min`, `2h`,
    /// `250us`. Returns a reader-facing message on failure.
    pub fn parse(text: &str) -> Result<Duration, String> {
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("`{text}` has no unit; write it like `50ms` or `1.5s`"))?;
        let (number, unit) = text.split_at(split);
        if number.is_empty() && unit.starts_with('-') {
            return Err(format!("`{text}` is negative; durations are 0 or more"));
        }
        let per_unit: u64 = match unit {
            "us" | "µs" => 1,
            "ms" => 1_000,
            "s" => 1_000_000,
            "min" => 60_000_000,
            "h" => 3_600_000_000,
            _ => {
                let meant = match unit {
                    "m" => {
                        return Err(format!(
                            "`{text}`: write `min` for minutes or `ms` for milliseconds"
                        ))
                    }
                    "sec" | "secs" | "second" | "seconds" => Some("s"),
                    "msec" | "msecs" | "millis" => Some("ms"),
                    "usec" | "usecs" | "micros" => Some("us"),
                    "mins" | "minute" | "minutes" => Some("min"),
                    "hr" | "hrs" | "hour" | "hours" => Some("h"),
                    _ => None,
                };
                return Err(match meant {
                    Some(u) => format!(
                        "unknown time unit `{unit}` in `{text}`; did you mean `{number}{u}`?"
                    ),
                    None => {
                        format!("unknown time unit `{unit}` in `{text}`; use us, ms, s, min or h")
                    }
                });
            }
        };
        let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() && frac.is_empty() {
            return Err(format!("`{text}` has no number before its unit"));
        }
        let too_long = || format!("`{text}` is too long a duration");
        let whole: u64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| too_long())?
        };
        // Fractions are exact in microseconds: at most as many digits as the unit allows.
        let mut frac_us = 0u64;
        let mut scale = per_unit;
        for digit in frac.bytes() {
            if !digit.is_ascii_digit() {
                return Err(format!("`{text}` is not a number followed by a unit"));
            }
            if !scale.is_multiple_of(10) {
                return Err(format!("`{text}` is finer than one microsecond"));
            }
            scale /= 10;
            frac_us += u64::from(digit - b'0') * scale;
        }
        whole
            .checked_mul(per_unit)
            .and_then(|us| us.checked_add(frac_us))
            .map(Duration)
            .ok_or_else(too_long)
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, d: Duration) -> Instant {
        Instant(self.0.saturating_add(d.0))
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;
    fn sub(self, earlier: Instant) -> Duration {
        self.saturating_since(earlier)
    }
}

impl Add for Duration {
    type Output = Duration;
    fn add(self, d: Duration) -> Duration {
        Duration(self.0.saturating_add(d.0))
    }
}

impl Mul<u32> for Duration {
    type Output = Duration;
    fn mul(self, k: u32) -> Duration {
        self.saturating_mul(u64::from(k))
    }
}

/// Seconds with millisecond precision, as the text trace shows them: `1.050s`.
impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03}s", self.0 / 1_000_000, (self.0 / 1_000) % 1_000)
    }
}

/// The shortest exact form with a unit, as scenarios write it: `50ms`, `1.5s`, `2min`.
impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0;
        // Whole hours, and whole minutes from two on (a minute reads better as `60s`).
        for (unit, per, from) in [("h", 3_600_000_000, 1), ("min", 60_000_000, 2)] {
            if us >= per * from && us.is_multiple_of(per) {
                return write!(f, "{}{unit}", us / per);
            }
        }
        for (unit, per) in [("s", 1_000_000u64), ("ms", 1_000)] {
            if us >= per {
                let whole = us / per;
                let frac = us % per;
                if frac == 0 {
                    return write!(f, "{whole}{unit}");
                }
                let digits = per.ilog10() as usize;
                let frac = format!("{frac:0digits$}");
                return write!(f, "{whole}.{}{unit}", frac.trim_end_matches('0'));
            }
        }
        write!(f, "{us}us")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit() {
        assert_eq!(Duration::parse("250us"), Ok(Duration::from_micros(250)));
        assert_eq!(Duration::parse("50ms"), Ok(Duration::from_millis(50)));
        assert_eq!(Duration::parse("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(Duration::parse("2min"), Ok(Duration::from_secs(120)));
        assert_eq!(Duration::parse("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(Duration::parse(".5s"), Ok(Duration::from_millis(500)));
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        assert!(Duration::parse("50").unwrap_err().contains("no unit"));
        assert!(Duration::parse("5days")
            .unwrap_err()
            .contains("unknown time unit"));
        assert!(Duration::parse("1.0000001s")
            .unwrap_err()
            .contains("microsecond"));
        assert!(Duration::parse("ms").unwrap_err().contains("no number"));
        assert!(Duration::parse("99999999999999999999h").is_err());
    }

    #[test]
    fn prints_what_it_parses() {
        for text in [
            "250us", "50ms", "1.5s", "2min", "2h", "1.25ms", "90s", "60s", "1h",
        ] {
            assert_eq!(Duration::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(Instant::from_micros(1_050_000).to_string(), "1.050s");
    }

    #[test]
    fn instant_arithmetic_saturates_instead_of_wrapping() {
        let t = Instant::from_micros(10);
        assert_eq!(t - Instant::from_micros(20), Duration::ZERO);
        assert_eq!((t + Duration::from_micros(5)).micros(), 15);
    }
}
