//! Go's `encoding/json` for template values: [`marshal`] (what `toJson`, `toPrettyJson`,
//! `toRawJson` and Helm's own `toJson` print) and [`unmarshal`] (`fromJson`: numbers become
//! `float64`, objects `map[string]interface {}`, arrays `[]interface {}`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use gotemplate::{Map, Value};

/// Why a value could not be marshalled (Go's `json: unsupported value: NaN`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError(pub String);

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for JsonError {}

/// `json.Marshal(v)` (`indent: None`) or `json.MarshalIndent(v, "", indent)`.
///
/// Map keys are sorted; `<`, `>`, `&` become `\u003c`, `\u003e`, `\u0026` unless
/// `escape_html` is false (`toRawJson`); U+2028/U+2029 are always escaped; floats print as Go
/// does (`1e+21`, `1e-7`, `0.000001`, `100`); `[]byte` is base64; objects marshal through
/// [`gotemplate::Object::to_value`] (`{}` when it has none).
pub fn marshal(v: &Value, indent: Option<&str>, escape_html: bool) -> Result<String, JsonError> {
    let mut out = String::new();
    let mut enc = Enc {
        out: &mut out,
        indent,
        escape_html,
    };
    enc.value(v, 0)?;
    Ok(out)
}

/// Nesting beyond this is treated as a reference cycle (`set $m "self" $m`).
const MAX_DEPTH: usize = 1000;

struct Enc<'a> {
    out: &'a mut String,
    indent: Option<&'a str>,
    escape_html: bool,
}

impl Enc<'_> {
    fn newline(&mut self, depth: usize) {
        if let Some(ind) = self.indent {
            self.out.push('\n');
            for _ in 0..depth {
                self.out.push_str(ind);
            }
        }
    }

    fn value(&mut self, v: &Value, depth: usize) -> Result<(), JsonError> {
        if depth > MAX_DEPTH && matches!(v, Value::Map(_)) {
            // Go detects the cycle once nesting passes 1000 levels; only maps can close a
            // cycle in template values (lists are immutable).
            return Err(JsonError(format!(
                "json: unsupported value: encountered a cycle via {}",
                v.go_type()
            )));
        }
        match v {
            Value::Nil => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i, t) => {
                if t.is_unsigned() && *i < 0 {
                    let _ = write!(self.out, "{}", *i as u64);
                } else {
                    let _ = write!(self.out, "{i}");
                }
            }
            Value::Float(f) => self.out.push_str(&format_float(*f)?),
            Value::String(s) => write_string(self.out, s, self.escape_html),
            Value::Bytes(b) => {
                self.out.push('"');
                self.out.push_str(&crate::encoding::b64encode(b));
                self.out.push('"');
            }
            Value::List(l) => {
                if l.is_empty() {
                    self.out.push_str("[]");
                    return Ok(());
                }
                self.out.push('[');
                for (i, x) in l.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.newline(depth + 1);
                    self.value(x, depth + 1)?;
                }
                self.newline(depth);
                self.out.push(']');
            }
            Value::Map(m) => {
                let entries = m.entries();
                if entries.is_empty() {
                    self.out.push_str("{}");
                    return Ok(());
                }
                self.out.push('{');
                for (i, (k, x)) in entries.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.newline(depth + 1);
                    write_string(self.out, k, self.escape_html);
                    self.out.push(':');
                    if self.indent.is_some() {
                        self.out.push(' ');
                    }
                    self.value(x, depth + 1)?;
                }
                self.newline(depth);
                self.out.push('}');
            }
            Value::Object(o) => match o.to_value() {
                Some(v) => self.value(&v, depth)?,
                None => self.out.push_str("{}"),
            },
        }
        Ok(())
    }
}

/// `encoding/json`'s float format: `'f'` unless the exponent is < -6 or ≥ 21, then `'e'`
/// with a two-digit minimum exponent cleaned to one (`1e-07` → `1e-7`).
pub fn format_float(f: f64) -> Result<String, JsonError> {
    if !f.is_finite() {
        return Err(JsonError(format!(
            "json: unsupported value: {}",
            gotemplate::value::format_float_v(f)
        )));
    }
    let a = f.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        let s = gotemplate::value::format_float_g(f, 0); // always exponent form
        // format_float_g with eprec 0 gives e.g. "1e+21", "1.5e-07"
        let s = if let Some(pos) = s.find("e-0") {
            format!("{}e-{}", &s[..pos], &s[pos + 3..])
        } else {
            s
        };
        return Ok(s);
    }
    Ok(format_f_shortest(f))
}

/// `strconv.FormatFloat(f, 'f', -1, 64)`.
fn format_f_shortest(f: f64) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // Rust's Display prints the shortest round-trip digits without exponent.
    let s = format!("{f}");
    s
}

/// Writes `s` as a JSON string the way `encoding/json` does.
pub(crate) fn write_string(out: &mut String, s: &str, escape_html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' if escape_html => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `json.Unmarshal` into `interface{}`.
pub fn unmarshal(s: &str) -> Result<Value, JsonError> {
    let mut p = Parser {
        b: s.as_bytes(),
        i: 0,
        src: s,
    };
    p.ws();
    if p.i >= p.b.len() {
        return Err(JsonError("unexpected end of JSON input".into()));
    }
    let v = p.value()?;
    p.ws();
    if p.i < p.b.len() {
        return Err(p.invalid("after top-level value"));
    }
    Ok(v)
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
    src: &'a str,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn invalid(&self, ctx: &str) -> JsonError {
        if self.i >= self.b.len() {
            return JsonError("unexpected end of JSON input".into());
        }
        self.invalid_char(ctx)
    }

    /// Inside a literal or number Go's scanner feeds a space at the end of input, so a
    /// truncated `tru` or `1.` reports that space.
    fn invalid_in_token(&self, ctx: &str) -> JsonError {
        if self.i >= self.b.len() {
            return JsonError(format!("invalid character ' ' {ctx}"));
        }
        self.invalid_char(ctx)
    }

    fn invalid_char(&self, ctx: &str) -> JsonError {
        let c = self.src[self.i..].chars().next().unwrap_or('?');
        let shown = match c {
            '\'' => "'\\''".to_string(),
            '"' => "'\"'".to_string(),
            c if (c as u32) < 0x20 => format!("'\\x{:02x}'", c as u32),
            c => format!("'{c}'"),
        };
        JsonError(format!("invalid character {shown} {ctx}"))
    }

    fn value(&mut self) -> Result<Value, JsonError> {
        self.ws();
        match self.b.get(self.i) {
            None => Err(JsonError("unexpected end of JSON input".into())),
            Some(b'{') => {
                self.i += 1;
                let mut m = BTreeMap::new();
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Value::Map(Map::from_btree(m)));
                }
                loop {
                    self.ws();
                    if self.b.get(self.i) != Some(&b'"') {
                        return Err(self.invalid("looking for beginning of object key string"));
                    }
                    let k = self.string()?;
                    self.ws();
                    if self.b.get(self.i) != Some(&b':') {
                        return Err(self.invalid("after object key"));
                    }
                    self.i += 1;
                    let v = self.value()?;
                    m.insert(k, v);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Value::Map(Map::from_btree(m)));
                        }
                        _ => return Err(self.invalid("after object key:value pair")),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut v = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Value::list(v));
                }
                loop {
                    v.push(self.value()?);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Value::list(v));
                        }
                        _ => return Err(self.invalid("after array element")),
                    }
                }
            }
            Some(b'"') => Ok(Value::from(self.string()?)),
            Some(b't') => self.lit("true", Value::Bool(true)),
            Some(b'f') => self.lit("false", Value::Bool(false)),
            Some(b'n') => self.lit("null", Value::Nil),
            Some(c) if *c == b'-' || c.is_ascii_digit() => self.number(),
            Some(_) => Err(self.invalid("looking for beginning of value")),
        }
    }

    fn lit(&mut self, word: &str, v: Value) -> Result<Value, JsonError> {
        for (k, w) in word.bytes().enumerate() {
            if self.b.get(self.i) != Some(&w) {
                let ctx = format!(
                    "in literal {word} (expecting '{}')",
                    word.as_bytes()[k] as char
                );
                return Err(self.invalid_in_token(&ctx));
            }
            self.i += 1;
        }
        Ok(v)
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.i;
        if self.b[self.i] == b'-' {
            self.i += 1;
        }
        match self.b.get(self.i) {
            Some(b'0') => self.i += 1,
            Some(c) if c.is_ascii_digit() => {
                while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
                    self.i += 1;
                }
            }
            _ => return Err(self.invalid_in_token("in numeric literal")),
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if !self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
                return Err(self.invalid_in_token("after decimal point in numeric literal"));
            }
            while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
                self.i += 1;
            }
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
                return Err(self.invalid_in_token("in exponent of numeric literal"));
            }
            while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
                self.i += 1;
            }
        }
        let text = &self.src[start..self.i];
        text.parse::<f64>().map(Value::Float).map_err(|_| {
            JsonError(format!(
                "json: cannot unmarshal number {text} into Go value of type float64"
            ))
        })
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            let Some(&c) = self.b.get(self.i) else {
                return Err(JsonError("unexpected end of JSON input".into()));
            };
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.i += 1;
                    let Some(&e) = self.b.get(self.i) else {
                        return Err(JsonError("unexpected end of JSON input".into()));
                    };
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let cp = self.hex4()?;
                            if (0xd800..0xdc00).contains(&cp)
                                && self.b.get(self.i) == Some(&b'\\')
                                && self.b.get(self.i + 1) == Some(&b'u')
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xdc00..0xe000).contains(&lo) {
                                    let c = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                                    out.push(char::from_u32(c).unwrap_or('\u{fffd}'));
                                } else {
                                    out.push('\u{fffd}');
                                    self.i = save;
                                }
                            } else {
                                out.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                            }
                        }
                        _ => {
                            self.i -= 1;
                            return Err(self.invalid("in string escape code"));
                        }
                    }
                }
                c if c < 0x20 => return Err(self.invalid("in string literal")),
                _ => {
                    let ch = self.src[self.i..].chars().next().unwrap_or('\u{fffd}');
                    out.push(ch);
                    self.i += ch.len_utf8();
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let Some(&c) = self.b.get(self.i) else {
                return Err(JsonError("unexpected end of JSON input".into()));
            };
            let d = (c as char)
                .to_digit(16)
                .ok_or_else(|| self.invalid("in \\u hexadecimal character escape"))?;
            v = v * 16 + d;
            self.i += 1;
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_like_encoding_json() {
        for (f, s) in [
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1e-7, "1e-7"),
            (0.000001, "0.000001"),
            (1.5, "1.5"),
            (100.0, "100"),
            (1.2345e-10, "1.2345e-10"),
            (-2.5e22, "-2.5e+22"),
        ] {
            assert_eq!(format_float(f).unwrap(), s);
        }
    }

    #[test]
    fn marshal_sorted_escaped() {
        let m = Map::new();
        m.insert("b", Value::str("<a&b>"));
        m.insert("a", Value::list(vec![Value::int(1), Value::Nil]));
        let v = Value::Map(m);
        assert_eq!(
            marshal(&v, None, true).unwrap(),
            r#"{"a":[1,null],"b":"\u003ca\u0026b\u003e"}"#
        );
        assert_eq!(
            marshal(&v, None, false).unwrap(),
            r#"{"a":[1,null],"b":"<a&b>"}"#
        );
        assert_eq!(
            marshal(&v, Some("  "), true).unwrap(),
            "{\n  \"a\": [\n    1,\n    null\n  ],\n  \"b\": \"\\u003ca\\u0026b\\u003e\"\n}"
        );
    }

    #[test]
    fn unmarshal_basics() {
        let v = unmarshal(r#"{"a": [1, "x", true, null], "b": {"c": 1.5e2}}"#).unwrap();
        assert_eq!(
            crate::fmt::format_v(&v),
            "map[a:[1 x true <nil>] b:map[c:150]]"
        );
        assert_eq!(
            unmarshal("{x").unwrap_err().0,
            "invalid character 'x' looking for beginning of object key string"
        );
        assert_eq!(unmarshal("").unwrap_err().0, "unexpected end of JSON input");
    }
}
