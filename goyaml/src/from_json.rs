//! JSON text read as goyaml.v2 reads it (sigs.k8s.io/yaml `JSONToYAML`), without a YAML parser.
//!
//! `JSONToYAML` unmarshals the JSON text with goyaml.v2 into `interface{}`: JSON is YAML, so
//! strings (always double-quoted) stay strings, `true`/`false`/`null` are what they say, and a
//! number is a plain scalar that goyaml's resolver types (an integer that fits `int`, else
//! `uint64`, else `float64`). Helm's `toYaml` runs every value through that, so this is the
//! hot path of chart rendering; reading the JSON directly gives the same tree as
//! [`crate::parse`] + [`crate::Node::to_yaml`] at a fraction of the cost (checked by the
//! property tests in `tests/prop.rs`).

use crate::emit::Yaml;
use crate::resolve::{Resolved, resolve_plain};

/// Nesting deeper than this is refused (an error, never a stack overflow); callers fall back
/// to the YAML parser, which has its own limits and messages.
const MAX_DEPTH: usize = 500;

/// Reads one JSON value (surrounding whitespace allowed) into the tree goyaml.v2 would build.
///
/// # Errors
/// A message with the byte offset for text that is not JSON (or nested deeper than 500).
pub fn read_json(text: &str) -> Result<Yaml, String> {
    let mut r = Reader {
        b: text.as_bytes(),
        text,
        i: 0,
    };
    r.ws();
    let v = r.value(0)?;
    r.ws();
    if r.i != r.b.len() {
        return Err(r.err("trailing characters after the JSON value"));
    }
    Ok(v)
}

struct Reader<'a> {
    b: &'a [u8],
    text: &'a str,
    i: usize,
}

impl Reader<'_> {
    fn err(&self, what: &str) -> String {
        format!("invalid JSON at byte {}: {what}", self.i)
    }

    fn ws(&mut self) {
        while let Some(c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Yaml, String> {
        if depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        match self.b.get(self.i) {
            Some(b'{') => {
                self.i += 1;
                let mut entries = Vec::new();
                self.ws();
                if self.eat(b'}') {
                    return Ok(Yaml::Map(entries));
                }
                loop {
                    self.ws();
                    if self.b.get(self.i) != Some(&b'"') {
                        return Err(self.err("expected a string key"));
                    }
                    let k = self.string()?;
                    self.ws();
                    if !self.eat(b':') {
                        return Err(self.err("expected ':'"));
                    }
                    self.ws();
                    let v = self.value(depth + 1)?;
                    entries.push((Yaml::Str(k), v));
                    self.ws();
                    if self.eat(b',') {
                        continue;
                    }
                    if self.eat(b'}') {
                        return Ok(Yaml::Map(entries));
                    }
                    return Err(self.err("expected ',' or '}'"));
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.eat(b']') {
                    return Ok(Yaml::Seq(items));
                }
                loop {
                    self.ws();
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    if self.eat(b',') {
                        continue;
                    }
                    if self.eat(b']') {
                        return Ok(Yaml::Seq(items));
                    }
                    return Err(self.err("expected ',' or ']'"));
                }
            }
            Some(b'"') => Ok(Yaml::Str(self.string()?)),
            Some(b't') => self.word("true", Yaml::Bool(true)),
            Some(b'f') => self.word("false", Yaml::Bool(false)),
            Some(b'n') => self.word("null", Yaml::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.err("expected a value")),
        }
    }

    fn word(&mut self, w: &str, v: Yaml) -> Result<Yaml, String> {
        if self.b[self.i..].starts_with(w.as_bytes()) {
            self.i += w.len();
            Ok(v)
        } else {
            Err(self.err("expected a value"))
        }
    }

    fn number(&mut self) -> Result<Yaml, String> {
        let start = self.i;
        self.eat(b'-');
        let digits = |r: &mut Self| {
            let s = r.i;
            while r.b.get(r.i).is_some_and(u8::is_ascii_digit) {
                r.i += 1;
            }
            r.i > s
        };
        if !digits(self) {
            return Err(self.err("expected digits"));
        }
        if self.eat(b'.') && !digits(self) {
            return Err(self.err("expected digits after '.'"));
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if !digits(self) {
                return Err(self.err("expected exponent digits"));
            }
        }
        // The number is a plain scalar to goyaml: its resolver decides the type.
        let text = &self.text[start..self.i];
        Ok(match resolve_plain(text) {
            Resolved::Int(i) => Yaml::Int(i),
            Resolved::Uint(u) => Yaml::Uint(u),
            Resolved::Float(f) => Yaml::Float(f),
            Resolved::Null => Yaml::Null,
            Resolved::Bool(b) => Yaml::Bool(b),
            Resolved::Timestamp | Resolved::Merge | Resolved::Str => Yaml::Str(text.to_string()),
        })
    }

    /// A JSON string (the reader is at its opening quote), escapes decoded.
    fn string(&mut self) -> Result<String, String> {
        self.i += 1;
        let start = self.i;
        // Fast path: no escapes.
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b'"' => {
                    let s = self.text[start..self.i].to_string();
                    self.i += 1;
                    return Ok(s);
                }
                b'\\' => break,
                0..=0x1f => return Err(self.err("control character in string")),
                0x7f.. => self.non_ascii()?,
                _ => self.i += 1,
            }
        }
        let mut out = String::from(&self.text[start..self.i]);
        loop {
            let run = self.i;
            while let Some(&c) = self.b.get(self.i) {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                if c >= 0x7f {
                    self.non_ascii()?;
                } else {
                    self.i += 1;
                }
            }
            out.push_str(&self.text[run..self.i]);
            match self.b.get(self.i) {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let Some(&e) = self.b.get(self.i) else {
                        return Err(self.err("unterminated escape"));
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
                            let hi = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&hi)
                                && self.b[self.i..].starts_with(b"\\u")
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                } else {
                                    self.i = save;
                                    None
                                }
                            } else {
                                char::from_u32(hi)
                            };
                            out.push(c.unwrap_or('\u{FFFD}'));
                        }
                        _ => return Err(self.err("unknown escape")),
                    }
                }
                Some(_) => return Err(self.err("control character in string")),
                None => return Err(self.err("unterminated string")),
            }
        }
    }

    /// Steps over one raw character at or above DEL. Those a YAML reader treats differently
    /// from a JSON reader are refused (the caller falls back to the YAML parser): DEL and the
    /// C1 controls (not printable in YAML; NEL is even a line break), the line and paragraph
    /// separators (line breaks in YAML), and the BOM and U+FFFE/U+FFFF (not printable).
    fn non_ascii(&mut self) -> Result<(), String> {
        let rest = &self.b[self.i..];
        let refused = matches!(
            rest,
            [0x7f, ..]
                | [0xc2, 0x80..=0x9f, ..]
                | [0xe2, 0x80, 0xa8 | 0xa9, ..]
                | [0xef, 0xbb, 0xbf, ..]
                | [0xef, 0xbf, 0xbe | 0xbf, ..]
        );
        if refused {
            return Err(self.err("a character YAML reads differently"));
        }
        // One UTF-8 sequence (the text is a `str`, so it is well formed).
        let len = match rest[0] {
            0x7f..=0xbf => 1,
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            _ => 4,
        };
        self.i += len;
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let h = self
            .b
            .get(self.i..self.i + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| self.err("bad \\u escape"))?;
        self.i += 4;
        Ok(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_as_goyaml_resolves_them() {
        let y = read_json(
            r#"{"a":1,"b":1.5,"c":1e+21,"d":"true","e":true,"f":null,"g":[18446744073709551615,-3],"h":"x\"\u003c\ud83d\ude00"}"#,
        )
        .unwrap();
        let Yaml::Map(e) = y else { panic!() };
        assert_eq!(e[0].1, Yaml::Int(1));
        assert_eq!(e[1].1, Yaml::Float(1.5));
        assert_eq!(e[2].1, Yaml::Float(1e21));
        assert_eq!(e[3].1, Yaml::Str("true".into()));
        assert_eq!(e[4].1, Yaml::Bool(true));
        assert_eq!(e[5].1, Yaml::Null);
        assert_eq!(e[6].1, Yaml::Seq(vec![Yaml::Uint(u64::MAX), Yaml::Int(-3)]));
        assert_eq!(e[7].1, Yaml::Str("x\"<😀".into()));
    }

    #[test]
    fn bad_json_is_an_error() {
        for t in [
            "",
            "{",
            "[1,]",
            "{\"a\" 1}",
            "tru",
            "1 2",
            "\"\\x\"",
            "-",
            "1.",
            "\"a",
        ] {
            assert!(read_json(t).is_err(), "{t:?}");
        }
        let deep = "[".repeat(600) + &"]".repeat(600);
        assert!(read_json(&deep).is_err());
    }
}
