//! spf13/cast v1.7.0 conversions as Sprig uses them (`int`, `int64`, `float64`, and every
//! integer math function), plus Go's `strconv` number parsing they rely on.

use gotemplate::Value;

/// Go's `int64(f)` conversion on amd64: truncation, and the "integer indefinite" value
/// `math.MinInt64` for NaN and out-of-range values.
pub(crate) fn f64_to_i64(f: f64) -> i64 {
    if f.is_nan() || !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// `cast.ToInt64` (errors become 0).
pub(crate) fn to_int64(v: &Value) -> i64 {
    to_int64_e(v).unwrap_or(0)
}

/// `cast.ToInt64E`.
pub(crate) fn to_int64_e(v: &Value) -> Result<i64, ()> {
    match v {
        Value::Nil => Ok(0),
        Value::Bool(b) => Ok(*b as i64),
        Value::Int(i, _) => Ok(*i),
        Value::Float(f) => Ok(f64_to_i64(*f)),
        Value::String(s) => parse_int(trim_zero_decimal(s)).ok_or(()),
        _ => Err(()),
    }
}

/// `cast.ToInt` (same rules as `ToInt64` on a 64-bit platform).
pub(crate) fn to_int(v: &Value) -> i64 {
    to_int64(v)
}

/// `cast.ToFloat64` (errors become 0).
pub(crate) fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Nil => 0.0,
        Value::Bool(b) => *b as i64 as f64,
        Value::Int(i, t) => {
            if t.is_unsigned() && *i < 0 {
                (*i as u64) as f64
            } else {
                *i as f64
            }
        }
        Value::Float(f) => *f,
        Value::String(s) => parse_float(s).unwrap_or(0.0),
        _ => 0.0,
    }
}

/// cast's `trimZeroDecimal`: `"8.00"` → `"8"`, `"8.50"` unchanged.
fn trim_zero_decimal(s: &str) -> &str {
    let b = s.as_bytes();
    let mut found_zero = false;
    let mut i = b.len();
    while i > 0 {
        match b[i - 1] {
            b'.' => {
                if found_zero {
                    return &s[..i - 1];
                }
            }
            b'0' => found_zero = true,
            _ => return s,
        }
        i -= 1;
    }
    s
}

/// `strconv.ParseInt(s, 0, 64)`: optional sign, `0x`/`0o`/`0b`/`0` prefixes, underscores only
/// between digits when a prefix is present.
pub(crate) fn parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let lower = body.to_ascii_lowercase();
    let (base, digits, prefixed) = if let Some(r) = lower.strip_prefix("0x") {
        (16, r.to_string(), true)
    } else if let Some(r) = lower.strip_prefix("0o") {
        (8, r.to_string(), true)
    } else if let Some(r) = lower.strip_prefix("0b") {
        (2, r.to_string(), true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string(), true)
    } else {
        (10, lower.clone(), false)
    };
    let _ = prefixed;
    if digits.contains('_') && !underscore_ok(&lower) {
        return None;
    }
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() {
        return None;
    }
    let mag = u64::from_str_radix(&digits, base).ok()?;
    if neg {
        if mag > (i64::MAX as u64) + 1 {
            return None;
        }
        Some((mag as i64).wrapping_neg())
    } else {
        i64::try_from(mag).ok()
    }
}

/// Go's `underscoreOK`: underscores must separate digits (a base prefix counts as a digit).
fn underscore_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut saw = '^';
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1], b'x' | b'o' | b'b') {
        hex = b[1] == b'x';
        i = 2;
        saw = '0';
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = '0';
        } else if c == b'_' {
            if saw != '0' {
                return false;
            }
            saw = '_';
        } else {
            if saw == '_' {
                return false;
            }
            saw = '!';
        }
        i += 1;
    }
    saw != '_'
}

/// `strconv.ParseFloat(s, 64)` for the decimal forms Rust also accepts, plus Go's spellings of
/// infinity and NaN.
pub(crate) fn parse_float(s: &str) -> Option<f64> {
    let l = s.to_ascii_lowercase();
    let t = l.trim_start_matches(['+', '-']);
    if matches!(t, "inf" | "infinity" | "nan") {
        let neg = l.starts_with('-');
        if t == "nan" {
            return if l.len() == 3 { Some(f64::NAN) } else { None };
        }
        return Some(if neg {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    if t.starts_with("0x") {
        // hex floats need a 'p' exponent; not supported here
        return None;
    }
    let owned;
    let mut s = s;
    if s.contains('_') {
        if !underscore_ok(t) {
            return None;
        }
        owned = s.replace('_', "");
        s = &owned;
    }
    if s.is_empty()
        || !s
            .bytes()
            .all(|c| c.is_ascii_digit() || b"+-.eE".contains(&c))
    {
        return None;
    }
    s.parse::<f64>().ok()
}

/// `strconv.Atoi` (used by `atoi`): base 10 only.
pub(crate) fn atoi(s: &str) -> i64 {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() || !body.bytes().all(|c| c.is_ascii_digit()) {
        return 0;
    }
    // out of range: Atoi returns the clamped value with its error, and Sprig keeps the value
    match body.parse::<u64>() {
        Ok(m) if neg && m <= (i64::MAX as u64) + 1 => (m as i64).wrapping_neg(),
        Ok(m) if !neg && m <= i64::MAX as u64 => m as i64,
        _ if neg => i64::MIN,
        _ => i64::MAX,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cast_rules() {
        assert_eq!(to_int64(&Value::str("0x1F")), 31);
        assert_eq!(to_int64(&Value::str("010")), 8);
        assert_eq!(to_int64(&Value::str("8.00")), 8);
        assert_eq!(to_int64(&Value::str("8.5")), 0);
        assert_eq!(to_int64(&Value::str("x")), 0);
        assert_eq!(to_int64(&Value::str("1_000")), 1000);
        assert_eq!(to_int64(&Value::str("0x1_000")), 4096);
        assert_eq!(to_int64(&Value::Float(1.9)), 1);
        assert_eq!(to_int64(&Value::Float(-1.9)), -1);
        assert_eq!(to_int64(&Value::Bool(true)), 1);
        assert_eq!(to_float64(&Value::str("1e3")), 1000.0);
        assert_eq!(atoi("12"), 12);
        assert_eq!(atoi("1.5"), 0);
    }
}
