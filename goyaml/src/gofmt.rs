//! The few Go formatting routines the YAML layer needs (`strconv.FormatFloat`, `strconv.Quote`).

/// Go `strconv.FormatFloat(f, 'g', -1, bits)` (bits = 32 or 64).
pub fn format_float_g(f: f64, bits: u32) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let (neg, digits, dp) = shortest_digits(f, bits);
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if digits == "0" {
        out.push('0');
        return out;
    }
    let nd = digits.len() as i32;
    let exp = dp - 1;
    if !(-4..6).contains(&exp) {
        // %e with nd-1 decimals
        out.push_str(&digits[..1]);
        if nd > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.push('0');
        }
        out.push_str(&e.to_string());
        return out;
    }
    push_fixed(&mut out, &digits, dp);
    out
}

/// Writes digits `d1d2…` × 10^(dp) as `%f` with the minimal number of decimals.
fn push_fixed(out: &mut String, digits: &str, dp: i32) {
    let nd = digits.len() as i32;
    if dp <= 0 {
        out.push_str("0.");
        for _ in 0..(-dp) {
            out.push('0');
        }
        out.push_str(digits);
    } else if dp >= nd {
        out.push_str(digits);
        for _ in 0..(dp - nd) {
            out.push('0');
        }
    } else {
        out.push_str(&digits[..dp as usize]);
        out.push('.');
        out.push_str(&digits[dp as usize..]);
    }
}

/// Shortest round-trip decimal digits of `f` (as f32 when bits == 32): (negative, digits,
/// decimal point position) such that value = 0.digits × 10^dp.
pub(crate) fn shortest_digits(f: f64, bits: u32) -> (bool, String, i32) {
    let s = if bits == 32 {
        format!("{:e}", f as f32)
    } else {
        format!("{f:e}")
    };
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.as_str()),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let digits = digits.trim_end_matches('0');
    if digits.is_empty() {
        return (neg, "0".into(), 1);
    }
    (neg, digits.to_string(), exp + 1)
}

/// Go `encoding/json` float formatting (`strconv` 'f' or 'e' with the 1e-6/1e21 thresholds,
/// and `e-07` cleaned to `e-7`).
pub fn format_float_json(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let (neg, digits, dp) = shortest_digits(f, 64);
        let mut out = String::new();
        if neg {
            out.push('-');
        }
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let exp = dp - 1;
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&exp.unsigned_abs().to_string());
        out
    } else {
        let (neg, digits, dp) = shortest_digits(f, 64);
        let mut out = String::new();
        if neg {
            out.push('-');
        }
        if digits == "0" {
            out.push('0');
        } else {
            push_fixed(&mut out, &digits, dp);
        }
        out
    }
}

/// Go `strconv.Quote` (used by `%#v` / `%q`).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// Approximation of Go `unicode.IsPrint` for non-ASCII characters.
fn is_go_printable(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return (0x20..0x7f).contains(&u);
    }
    !(matches!(u, 0x80..=0x9f | 0xad | 0x2028 | 0x2029 | 0xfeff | 0xfff9..=0xfffb)
        || (0xd800..=0xdfff).contains(&u)
        || (0xe000..=0xf8ff).contains(&u)
        || (u & 0xfffe) == 0xfffe
        || c.is_whitespace() && u != 0x3000 && u > 0x80 && !matches!(u, 0xa0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_g() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (1.5, "1.5"),
            (1e6, "1e+06"),
            (123456.0, "123456"),
            (1234567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e21, "1e+21"),
            (1e100, "1e+100"),
            (-2.5e-7, "-2.5e-07"),
            (9.223372036854776e18, "9.223372036854776e+18"),
            (0.1, "0.1"),
            (100.0, "100"),
        ];
        for (f, want) in cases {
            assert_eq!(format_float_g(*f, 64), *want, "{f}");
        }
        assert_eq!(format_float_g(1.1, 32), "1.1");
        assert_eq!(format_float_g(123456789.0, 32), "1.2345679e+08");
    }

    #[test]
    fn float_json() {
        assert_eq!(format_float_json(1e6), "1000000");
        assert_eq!(format_float_json(1e21), "1e+21");
        assert_eq!(format_float_json(1e-7), "1e-7");
        assert_eq!(format_float_json(1.5), "1.5");
        assert_eq!(format_float_json(0.000001), "0.000001");
        assert_eq!(format_float_json(-0.0), "-0");
    }

    #[test]
    fn quote() {
        assert_eq!(go_quote("a\"b\n"), "\"a\\\"b\\n\"");
        assert_eq!(go_quote("é"), "\"é\"");
        assert_eq!(go_quote("\u{1}"), "\"\\x01\"");
    }
}
