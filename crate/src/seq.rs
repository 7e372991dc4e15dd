//! Sequence numbers: 32-bit values compared modulo 2^32 (RFC 9293 §3.4).
//!
//! `a < b` means "b is later than a" when the two are less than 2^31 apart, which is the only
//! meaning TCP ever needs. Comparisons are therefore not a total order; never sort by them.

use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, Sub};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SeqNum(pub u32);

impl SeqNum {
    /// The distance from `earlier` to `self` in sequence space (RFC 9293 §3.4).
    pub fn since(self, earlier: SeqNum) -> u32 {
        self.0.wrapping_sub(earlier.0)
    }

    /// `start <= self < start + len`, modulo 2^32.
    pub fn in_window(self, start: SeqNum, len: u32) -> bool {
        self.since(start) < len
    }
}

impl Add<u32> for SeqNum {
    type Output = SeqNum;
    fn add(self, n: u32) -> SeqNum {
        SeqNum(self.0.wrapping_add(n))
    }
}

impl Sub<u32> for SeqNum {
    type Output = SeqNum;
    fn sub(self, n: u32) -> SeqNum {
        SeqNum(self.0.wrapping_sub(n))
    }
}

impl PartialOrd for SeqNum {
    /// RFC 9293 §3.4: compare through the signed 32-bit difference.
    fn partial_cmp(&self, other: &SeqNum) -> Option<Ordering> {
        Some((self.0.wrapping_sub(other.0) as i32).cmp(&0))
    }
}

impl fmt::Display for SeqNum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEAR_WRAP: SeqNum = SeqNum(u32::MAX - 1);

    #[test]
    fn addition_wraps_past_two_to_the_32() {
        assert_eq!(NEAR_WRAP + 3, SeqNum(1));
        assert_eq!(SeqNum(1) - 3, NEAR_WRAP);
    }

    #[test]
    fn comparisons_hold_across_the_wrap() {
        let after = NEAR_WRAP + 10;
        assert!(after > NEAR_WRAP);
        assert!(NEAR_WRAP < after);
        assert!(after >= after);
        assert_eq!(after.since(NEAR_WRAP), 10);
    }

    #[test]
    fn window_test_spans_the_wrap() {
        assert!(SeqNum(3).in_window(NEAR_WRAP, 10));
        assert!(!SeqNum(8).in_window(NEAR_WRAP, 10));
        assert!(!NEAR_WRAP.in_window(NEAR_WRAP, 0));
    }
}
