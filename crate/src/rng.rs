//! The simulator's one source of randomness: SplitMix64, seeded from the scenario, and the
//! keyed hash that ISNs (RFC 6528) and SYN cookies are built from. The core never touches OS
//! randomness, so a scenario and its seed replay byte for byte.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// A value in `low..=high`.
    pub fn range(&mut self, low: u32, high: u32) -> u32 {
        let span = u64::from(high - low) + 1;
        low + (self.next_u64() % span) as u32
    }
}

/// The SplitMix64 finaliser: a good 64-bit mixing function, also used as a keyed hash.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A fast hasher with no random seed, for lookup tables. (std's default hasher seeds itself
/// from the OS, which the core never reads.) Tables keyed with it are only ever looked up,
/// never iterated, so no order can leak into a result.
#[derive(Default)]
pub struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        mix(self.0)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }
    fn write_u16(&mut self, n: u16) {
        self.write_u64(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(19) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// A lookup table: a hash map with [`MixHasher`]. Never let a result depend on its
/// iteration order (sort what you collect from it).
pub type LookupMap<K, V> = HashMap<K, V, BuildHasherDefault<MixHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_numbers_other_seed_other_numbers() {
        let a: Vec<u64> = (0..4)
            .map({
                let mut r = Rng::new(7);
                move |_| r.next_u64()
            })
            .collect();
        let mut b = Rng::new(7);
        let mut c = Rng::new(8);
        assert!(a.iter().all(|x| *x == b.next_u64()));
        assert_ne!(a[0], c.next_u64());
    }

    #[test]
    fn range_stays_inside_its_bounds() {
        let mut r = Rng::new(1);
        for _ in 0..1000 {
            let v = r.range(32768, 60999);
            assert!((32768..=60999).contains(&v));
        }
    }
}
