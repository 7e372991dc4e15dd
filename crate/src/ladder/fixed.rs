//! Numbers in the drawing, with a fixed number of decimals.
//!
//! [`Fixed`] writes exactly what `format!("{x:.2}")` writes (the exact binary value rounded
//! half to even, a minus sign on negative zero, `NaN`, `inf`), with integer arithmetic instead
//! of the standard library's float formatting, which was about 18 KB of the WebAssembly module
//! for the ladder's coordinates alone (README, "Speed and size").

use std::fmt;

/// `value` with `places` decimals, at most [`Fixed::MAX_PLACES`].
#[derive(Clone, Copy, Debug)]
pub struct Fixed(pub f64, pub u8);

impl Fixed {
    pub const MAX_PLACES: u8 = 3;
}

/// One decimal: the drawing's coordinates.
pub fn px(value: f64) -> Fixed {
    Fixed(value, 1)
}

/// No decimals.
pub fn whole(value: f64) -> Fixed {
    Fixed(value, 0)
}

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Fixed(value, places) = *self;
        debug_assert!(places <= Fixed::MAX_PLACES);
        if value.is_nan() {
            return f.write_str("NaN");
        }
        let sign = if value.is_sign_negative() { "-" } else { "" };
        if value.is_infinite() {
            return write!(f, "{sign}inf");
        }
        // |value| = mantissa × 2^exponent, exactly.
        let bits = value.to_bits();
        let stored = bits & ((1 << 52) - 1);
        let biased = ((bits >> 52) & 0x7ff) as i32;
        let (mantissa, exponent) = match biased {
            0 => (stored, -1074),
            _ => (stored | 1 << 52, biased - 1075),
        };
        let scale = 10u128.pow(u32::from(places));
        // |value| × 10^places < 2^63 while exponent < 0; from 2^53 on, |value| is a whole number.
        let scaled = u128::from(mantissa) * scale;
        let units = if exponent >= 0 {
            return write_whole(f, sign, mantissa, exponent as u32, places);
        } else if exponent <= -127 {
            0
        } else {
            let shift = exponent.unsigned_abs();
            let (quotient, rest) = (scaled >> shift, scaled & ((1 << shift) - 1));
            let half = 1 << (shift - 1);
            quotient + u128::from(rest > half || (rest == half && quotient % 2 == 1))
        };
        let (int, frac) = (units / scale, units % scale);
        match places {
            0 => write!(f, "{sign}{int}"),
            _ => write!(f, "{sign}{int}.{frac:0width$}", width = usize::from(places)),
        }
    }
}

/// A whole number mantissa × 2^exponent, in decimal digits (doubled one bit at a time: only
/// values past 2^53 come here, which a drawing never has), then `places` zeros.
fn write_whole(
    f: &mut fmt::Formatter<'_>,
    sign: &str,
    mantissa: u64,
    exponent: u32,
    places: u8,
) -> fmt::Result {
    // Little-endian decimal digits.
    let mut digits: Vec<u8> = mantissa
        .to_string()
        .bytes()
        .rev()
        .map(|b| b - b'0')
        .collect();
    for _ in 0..exponent {
        let mut carry = 0;
        for d in &mut digits {
            let twice = *d * 2 + carry;
            *d = twice % 10;
            carry = twice / 10;
        }
        if carry > 0 {
            digits.push(carry);
        }
    }
    let text: String = digits.iter().rev().map(|d| char::from(b'0' + d)).collect();
    match places {
        0 => write!(f, "{sign}{text}"),
        _ => write!(
            f,
            "{sign}{text}.{:0>width$}",
            "",
            width = usize::from(places)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_as_std(value: f64) {
        for places in 0..=Fixed::MAX_PLACES {
            let std = format!("{value:.*}", usize::from(places));
            assert_eq!(
                Fixed(value, places).to_string(),
                std,
                "{value:e} with {places} places"
            );
        }
    }

    #[test]
    fn ties_go_to_even_on_the_exact_binary_value() {
        for v in [
            0.25, 0.5, 1.5, 2.5, 0.125, 0.375, 0.15, 1.05, 2.675, -0.25, -2.5,
        ] {
            same_as_std(v);
        }
        assert_eq!(Fixed(0.25, 1).to_string(), "0.2");
        assert_eq!(Fixed(2.5, 0).to_string(), "2");
    }

    #[test]
    fn signs_zeros_and_specials() {
        for v in [0.0, -0.0, -0.04, 1e-300, -1e-300, f64::MIN_POSITIVE, 5e-324] {
            same_as_std(v);
        }
        for v in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            -f64::MAX,
            2f64.powi(53),
        ] {
            same_as_std(v);
        }
    }

    #[test]
    fn drawing_sized_values() {
        // Every tenth of a pixel to 2,000, and thirds, sevenths and slopes' angles.
        for i in 0..20_000 {
            same_as_std(f64::from(i) / 10.0);
            same_as_std(f64::from(i) / 3.0);
            same_as_std(-f64::from(i) / 7.0);
            same_as_std((f64::from(i) * 0.017).atan().to_degrees());
        }
    }

    proptest::proptest! {
        #[test]
        fn any_value_writes_as_std_does(bits: u64) {
            same_as_std(f64::from_bits(bits));
        }

        #[test]
        fn any_coordinate_writes_as_std_does(value in -1e7f64..1e7) {
            same_as_std(value);
        }
    }
}
