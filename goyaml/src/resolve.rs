//! The YAML 1.1 implicit resolver of goyaml.v2 (`resolve.go`), as Helm and kubectl see it.
//!
//! A plain scalar's text decides its type: `y`/`yes`/`on`/`true` (and their `Y`, `Yes`, `YES`
//! forms) are `true`, `n`/`no`/`off`/`false` are `false`, `~`/`null`/empty are null, Go
//! `strconv.ParseInt(s, 0, 64)` decides integers after removing `_` (so `0777` is octal,
//! `0x1F`, `0o17`, `0b101`, `+12` all work), then unsigned 64-bit, then the YAML float
//! pattern, and `YYYY-…` dates are timestamps (which goyaml.v2 hands back as strings when the
//! target is `interface{}`).

/// What a scalar resolves to.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// `~`, `null`, `Null`, `NULL` or the empty plain scalar.
    Null,
    /// A YAML 1.1 boolean.
    Bool(bool),
    /// An integer that fits `i64`.
    Int(i64),
    /// An integer above `i64::MAX` that fits `u64`.
    Uint(u64),
    /// A float (including `.inf`, `-.inf`, `.nan`).
    Float(f64),
    /// A timestamp (`2001-12-14`, `2001-12-14T21:59:43.10-05:00`, …). goyaml.v2 keeps the text.
    Timestamp,
    /// The merge key `<<` (only reported by callers that know the key position; goyaml's
    /// resolver itself calls `<<` a string because `<` has no resolver hint).
    Merge,
    /// Anything else is a string.
    Str,
}

/// Resolves a plain (untagged, unquoted) scalar exactly as goyaml.v2 does.
pub fn resolve_plain(s: &str) -> Resolved {
    let Some(&first) = s.as_bytes().first() else {
        return Resolved::Null;
    };
    match first {
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => {
            lookup_word(s).unwrap_or(Resolved::Str)
        }
        b'.' => {
            if let Some(r) = lookup_word(s) {
                return r;
            }
            match parse_go_float(s) {
                Some(f) => Resolved::Float(f),
                None => Resolved::Str,
            }
        }
        b'+' | b'-' | b'0'..=b'9' => {
            if let Some(r) = lookup_word(s) {
                return r;
            }
            resolve_number_like(s)
        }
        _ => Resolved::Str,
    }
}

fn lookup_word(s: &str) -> Option<Resolved> {
    Some(match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Resolved::Bool(false)
        }
        "~" | "null" | "Null" | "NULL" => Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Resolved::Float(f64::NEG_INFINITY),
        _ => return None,
    })
}

fn resolve_number_like(s: &str) -> Resolved {
    if is_timestamp(s) {
        return Resolved::Timestamp;
    }
    let plain: std::borrow::Cow<'_, str> = if s.contains('_') {
        s.replace('_', "").into()
    } else {
        s.into()
    };
    if let Some(i) = parse_go_int(&plain) {
        return Resolved::Int(i);
    }
    if let Some(u) = parse_go_uint(&plain) {
        return Resolved::Uint(u);
    }
    if is_yaml_style_float(&plain)
        && let Some(f) = parse_go_float(&plain)
    {
        return Resolved::Float(f);
    }
    // `0b…`/`-0b…` are already covered by ParseInt with base 0.
    Resolved::Str
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let st = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - st
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go `strconv.ParseFloat(s, 64)` for the decimal forms YAML can reach: `None` on syntax
/// errors and on overflow (Go reports `ErrRange` there, and goyaml then keeps a string).
pub(crate) fn parse_go_float(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    // Only plain decimal syntax: optional sign, digits, optional dot, optional exponent.
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let mut mant = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
        mant += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            mant += 1;
        }
    }
    if mant == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let st = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == st {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    if f.is_infinite() { None } else { Some(f) }
}

/// Splits Go's base prefix (`ParseInt(s, 0, …)`): returns (radix, digits).
fn go_base0(s: &str) -> Option<(u32, &str)> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    if b[0] == b'0' && b.len() > 1 {
        match b[1] {
            b'x' | b'X' => return Some((16, &s[2..])),
            b'o' | b'O' => return Some((8, &s[2..])),
            b'b' | b'B' => return Some((2, &s[2..])),
            _ => return Some((8, &s[1..])),
        }
    }
    Some((10, s))
}

fn parse_digits_u64(digits: &str, radix: u32) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for c in digits.chars() {
        let d = c.to_digit(radix)? as u64;
        v = v.checked_mul(radix as u64)?.checked_add(d)?;
    }
    Some(v)
}

/// Go `strconv.ParseInt(s, 0, 64)` (after underscores were removed).
pub(crate) fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = go_base0(rest)?;
    let u = parse_digits_u64(digits, radix)?;
    if neg {
        if u <= i64::MAX as u64 + 1 {
            Some((u as i64).wrapping_neg())
        } else {
            None
        }
    } else if u <= i64::MAX as u64 {
        Some(u as i64)
    } else {
        None
    }
}

/// Go `strconv.ParseUint(s, 0, 64)` (no sign allowed).
pub(crate) fn parse_go_uint(s: &str) -> Option<u64> {
    let (radix, digits) = go_base0(s)?;
    parse_digits_u64(digits, radix)
}

/// goyaml.v2 `parseTimestamp`: `2006-1-2T15:4:5.999999999Z07:00` (also with `t`),
/// `2006-1-2 15:4:5.999999999` and `2006-1-2`, with Go `time.Parse` range checks.
pub fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    // Quick check: exactly four leading digits followed by '-'.
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i != 4 || i == b.len() || b[i] != b'-' {
        return false;
    }
    let year: i64 = match s[..4].parse() {
        Ok(y) => y,
        Err(_) => return false,
    };
    let mut p = Cursor { b, i: 5 };
    let Some(month) = p.num12() else { return false };
    if !p.eat(b'-') {
        return false;
    }
    let Some(day) = p.num12() else { return false };
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return false;
    }
    if p.i == b.len() {
        return true;
    }
    let sep = b[p.i];
    let zoned = match sep {
        b'T' | b't' => true,
        b' ' => false,
        _ => return false,
    };
    p.i += 1;
    let Some(h) = p.num12() else { return false };
    if !p.eat(b':') {
        return false;
    }
    let Some(m) = p.num12() else { return false };
    if !p.eat(b':') {
        return false;
    }
    let Some(sec) = p.num12() else { return false };
    if h >= 24 || m >= 60 || sec >= 60 {
        return false;
    }
    // Optional fractional seconds (".999999999": Go accepts any number of digits after a dot
    // that follows the seconds field).
    if p.i < b.len() && (b[p.i] == b'.' || b[p.i] == b',') {
        let st = p.i + 1;
        let mut j = st;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j == st {
            return false;
        }
        p.i = j;
    }
    if !zoned {
        return p.i == b.len();
    }
    // Z07:00: "Z" or ±hh:mm
    if p.i >= b.len() {
        return false;
    }
    match b[p.i] {
        b'Z' => p.i + 1 == b.len(),
        b'+' | b'-' => {
            let r = &b[p.i + 1..];
            r.len() == 5
                && r[0].is_ascii_digit()
                && r[1].is_ascii_digit()
                && r[2] == b':'
                && r[3].is_ascii_digit()
                && r[4].is_ascii_digit()
                && {
                    let hh = (r[0] - b'0') * 10 + (r[1] - b'0');
                    let mm = (r[3] - b'0') * 10 + (r[4] - b'0');
                    hh < 24 && mm < 60
                }
        }
        _ => false,
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    /// One or two digits (Go's non-fixed numeric fields).
    fn num12(&mut self) -> Option<u32> {
        let st = self.i;
        while self.i < self.b.len() && self.b[self.i].is_ascii_digit() && self.i - st < 2 {
            self.i += 1;
        }
        if self.i == st {
            return None;
        }
        let mut v = 0u32;
        for &c in &self.b[st..self.i] {
            v = v * 10 + (c - b'0') as u32;
        }
        Some(v)
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.i < self.b.len() && self.b[self.i] == c {
            self.i += 1;
            true
        } else {
            false
        }
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

/// goyaml.v2 `isBase60Float`: strings like `1:20` are quoted on output although they are not
/// resolved as numbers on input.
pub fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(&c) = b.first() else { return false };
    if !(c == b'+' || c == b'-' || c.is_ascii_digit()) || !s.contains(':') {
        return false;
    }
    // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
    let mut i = 0;
    if b[i] == b'+' || b[i] == b'-' {
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() {
        return false;
    }
    i += 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        // [0-5]?[0-9]
        let st = i;
        while i < b.len() && b[i].is_ascii_digit() && i - st < 2 {
            i += 1;
        }
        match i - st {
            1 => {}
            2 => {
                if b[st] > b'5' {
                    // Backtrack: "[0-5]?" fails, only one digit consumed, but then the next
                    // char is a digit, which cannot be followed legally.
                    return false;
                }
            }
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        for w in [
            "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE",
        ] {
            assert_eq!(resolve_plain(w), Resolved::Bool(true), "{w}");
        }
        for w in [
            "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE",
        ] {
            assert_eq!(resolve_plain(w), Resolved::Bool(false), "{w}");
        }
        for w in ["yEs", "tRUE", "oN", "nO"] {
            assert_eq!(resolve_plain(w), Resolved::Str, "{w}");
        }
        assert_eq!(resolve_plain(""), Resolved::Null);
        assert_eq!(resolve_plain("~"), Resolved::Null);
        assert_eq!(resolve_plain("NULL"), Resolved::Null);
        assert_eq!(resolve_plain("nULL"), Resolved::Str);
    }

    #[test]
    fn numbers() {
        assert_eq!(resolve_plain("0777"), Resolved::Int(511));
        assert_eq!(resolve_plain("0o17"), Resolved::Int(15));
        assert_eq!(resolve_plain("0x1F"), Resolved::Int(31));
        assert_eq!(resolve_plain("-0x1F"), Resolved::Int(-31));
        assert_eq!(resolve_plain("0b101"), Resolved::Int(5));
        assert_eq!(resolve_plain("-0b101"), Resolved::Int(-5));
        assert_eq!(resolve_plain("1_000"), Resolved::Int(1000));
        assert_eq!(resolve_plain("+12"), Resolved::Int(12));
        assert_eq!(resolve_plain("-0"), Resolved::Int(0));
        assert_eq!(resolve_plain("0999"), Resolved::Float(999.0));
        assert_eq!(resolve_plain("1e6"), Resolved::Float(1e6));
        assert_eq!(resolve_plain("1."), Resolved::Float(1.0));
        assert_eq!(resolve_plain(".5"), Resolved::Float(0.5));
        assert_eq!(resolve_plain("1e400"), Resolved::Str);
        assert_eq!(
            resolve_plain("18446744073709551615"),
            Resolved::Uint(u64::MAX)
        );
        assert_eq!(
            resolve_plain("-9223372036854775808"),
            Resolved::Int(i64::MIN)
        );
        assert_eq!(
            resolve_plain("-9223372036854775809"),
            Resolved::Float(-9223372036854775809.0)
        );
        assert_eq!(resolve_plain("0x"), Resolved::Str);
        assert_eq!(resolve_plain("1.2.3"), Resolved::Str);
        assert_eq!(resolve_plain("-"), Resolved::Str);
        assert_eq!(resolve_plain("+.inf"), Resolved::Float(f64::INFINITY));
        assert!(matches!(resolve_plain(".NaN"), Resolved::Float(f) if f.is_nan()));
    }

    #[test]
    fn timestamps() {
        assert!(is_timestamp("2024-01-01"));
        assert!(is_timestamp("2024-1-1"));
        assert!(is_timestamp("2001-12-14t21:59:43.10-05:00"));
        assert!(is_timestamp("2001-12-14T21:59:43Z"));
        assert!(is_timestamp("2001-12-14 21:59:43.10"));
        assert!(!is_timestamp("2001-12-14 21:59:43.10 -5"));
        assert!(!is_timestamp("2023-02-29"));
        assert!(is_timestamp("2024-02-29"));
        assert!(!is_timestamp("2024-13-01"));
        assert!(!is_timestamp("20240-01-01"));
        assert_eq!(resolve_plain("2024-01-01"), Resolved::Timestamp);
    }

    #[test]
    fn base60() {
        assert!(is_base60_float("1:20"));
        assert!(is_base60_float("190:20:30.15"));
        assert!(!is_base60_float("1:60"));
        assert!(!is_base60_float("a:20"));
        assert!(!is_base60_float("1:2:"));
    }
}
