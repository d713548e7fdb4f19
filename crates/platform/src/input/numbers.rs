//! Numbers as clients write them (issue #15): ASCII digits only, everywhere. A number written in another
//! script (`९१९८…`, `１２３`) is not a number here, so it can never name the same phone, page or amount as
//! its ASCII spelling. Every string a client sends that must hold a number is read by these functions.

/// Whether `s` is one or more ASCII digits `0-9` and nothing else.
pub fn is_ascii_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// An integer: an optional `+` or `-`, then ASCII digits, and optionally a zero fraction (`7.0`, as DRF's
/// IntegerField takes it) or, for JSON's big numbers, an exponent (`1e30`). A value beyond `i64` saturates,
/// so a range check still says "less than or equal to" and a page size still clamps (P-STD: larger → the
/// maximum). `None` when `s` is not an integer at all.
pub fn parse_int(s: &str) -> Option<i64> {
    if let Some((mantissa, exponent)) = s.split_once(['e', 'E']) {
        return scientific_int(mantissa, exponent);
    }
    let s = match s.split_once('.') {
        Some((whole, zeros)) if is_ascii_digits(zeros) && zeros.bytes().all(|b| b == b'0') => whole,
        Some(_) => return None,
        None => s,
    };
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if !is_ascii_digits(digits) {
        return None;
    }
    let value = digits.bytes().fold(0i64, |acc, b| {
        acc.saturating_mul(10).saturating_add(i64::from(b - b'0'))
    });
    Some(if negative { -value } else { value })
}

/// `mantissa`e`exponent` when it is a whole number (`1e30`, `2.5e1`), saturating.
fn scientific_int(mantissa: &str, exponent: &str) -> Option<i64> {
    let value = parse_decimal(&format!("{mantissa}e{exponent}"))?;
    if value.fract() != 0.0 {
        return None;
    }
    // `as` saturates at the bounds of i64.
    Some(value as i64)
}

/// A decimal number: `[+-]digits[.digits][e[+-]digits]` (or `.5`), ASCII only, finite. `NaN`, `inf` and
/// values that overflow `f64` are not numbers.
pub fn parse_decimal(s: &str) -> Option<f64> {
    if !is_decimal(s) {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn is_decimal(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        i += usize::from(matches!(b.get(i), Some(b'+' | b'-')));
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ascii_digits_are_digits() {
        assert!(is_ascii_digits("0123456789"));
        for not in ["", "१२३", "１２３", "١٢٣", "12a", " 1", "+1", "1.0"] {
            assert!(!is_ascii_digits(not), "{not}");
        }
    }

    #[test]
    fn integers_are_ascii_and_saturate() {
        assert_eq!(parse_int("42"), Some(42));
        assert_eq!(parse_int("+7"), Some(7));
        assert_eq!(parse_int("-3"), Some(-3));
        assert_eq!(parse_int("99999999999999999999"), Some(i64::MAX));
        assert_eq!(parse_int("-99999999999999999999"), Some(-i64::MAX));
        assert_eq!(parse_int("7.0"), Some(7));
        assert_eq!(parse_int("1e3"), Some(1000));
        assert_eq!(parse_int("1e30"), Some(i64::MAX));
        for not in [
            "", "-", "+", "४२", "４２", "1.5", "1.", "1e-3", " 1", "0x10", "--1", "1.0.0",
        ] {
            assert_eq!(parse_int(not), None, "{not}");
        }
    }

    #[test]
    fn decimals_are_ascii_and_finite() {
        assert_eq!(parse_decimal("26.8467"), Some(26.8467));
        assert_eq!(parse_decimal("-80.9"), Some(-80.9));
        assert_eq!(parse_decimal(".5"), Some(0.5));
        assert_eq!(parse_decimal("5."), Some(5.0));
        assert_eq!(parse_decimal("1e2"), Some(100.0));
        for not in [
            "",
            ".",
            "-",
            "e5",
            "1e",
            "1e+",
            "NaN",
            "nan",
            "inf",
            "-infinity",
            "1e400",
            "२६.८",
            "１.５",
            "1,5",
            " 1",
            "1 ",
            "0x1p3",
        ] {
            assert_eq!(parse_decimal(not), None, "{not}");
        }
    }
}
