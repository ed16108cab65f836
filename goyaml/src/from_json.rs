//! JSON text read as goyaml.v2 reads it (sigs.k8s.io/yaml `JSONToYAML`), without a YAML parser.
//!
//! `JSONToYAML` unmarshals the JSON text with goyaml.v2 into `interface{}`: JSON is YAML, so
//! strings (always double-quoted) stay strings, `true`/`false`/`null` are what they say, and a
//! number is a plain scalar that goyaml's resolver types: an integer that fits `int`, else one
//! that fits `uint64`, else `float64`. serde_json reads numbers into the same three classes
//! (with `float_roundtrip`, the same `float64`). Helm's `toYaml` runs every value through this,
//! so it is on the hot path of chart rendering; reading the JSON with serde_json gives the same
//! tree as [`crate::parse`] + [`crate::Node::to_yaml`] at a fraction of the cost (checked by
//! the property tests in `tests/prop.rs`).

use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};

use crate::emit::Yaml;

/// Reads one JSON value into the tree goyaml.v2 would build from the same text.
///
/// # Errors
/// serde_json's message for text that is not JSON, nests deeper than 128 levels or holds a
/// number out of `f64` range; a refusal for a negative zero (see `visit_f64`) and for text
/// holding a character a YAML reader takes differently from a JSON reader:
/// DEL and the C1 controls (not printable in YAML; NEL is even a line break), U+2028 and
/// U+2029 (line breaks in YAML), the BOM, U+FFFE and U+FFFF (not printable). Callers fall
/// back to the YAML parser for its own result or message.
pub fn read_json(text: &str) -> Result<Yaml, String> {
    if let Some(at) = yaml_reads_differently(text.as_bytes()) {
        return Err(format!(
            "byte {at}: a character YAML reads differently from JSON"
        ));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let tree = de.deserialize_any(TreeVisitor).map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    Ok(tree)
}

/// The offset of the first character [`read_json`] refuses. JSON syntax outside strings is
/// ASCII without DEL, so looking at the whole text is looking at the strings.
fn yaml_reads_differently(b: &[u8]) -> Option<usize> {
    (0..b.len()).find(|&i| {
        b[i] >= 0x7f
            && matches!(
                &b[i..],
                [0x7f, ..]
                    | [0xc2, 0x80..=0x9f, ..]
                    | [0xe2, 0x80, 0xa8 | 0xa9, ..]
                    | [0xef, 0xbb, 0xbf, ..]
                    | [0xef, 0xbf, 0xbe | 0xbf, ..]
            )
    })
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Yaml;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Yaml, E> {
        Ok(Yaml::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Yaml, E> {
        Ok(Yaml::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Yaml, E> {
        Ok(Yaml::Int(i))
    }

    fn visit_u64<E>(self, u: u64) -> Result<Yaml, E> {
        Ok(i64::try_from(u).map_or(Yaml::Uint(u), Yaml::Int))
    }

    fn visit_f64<E: serde::de::Error>(self, f: f64) -> Result<Yaml, E> {
        // serde_json reads `-0` as the float -0.0, goyaml as the integer 0; `-0.0` is a float
        // to both. Only the text tells them apart: refused, the parser decides.
        if f == 0.0 && f.is_sign_negative() {
            return Err(E::custom("negative zero"));
        }
        Ok(Yaml::Float(f))
    }

    fn visit_str<E>(self, s: &str) -> Result<Yaml, E> {
        Ok(Yaml::Str(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Yaml, E> {
        Ok(Yaml::Str(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Yaml, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(v) = seq.next_element_seed(Seed)? {
            items.push(v);
        }
        Ok(Yaml::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Yaml, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(k) = map.next_key::<String>()? {
            entries.push((Yaml::Str(k), map.next_value_seed(Seed)?));
        }
        Ok(Yaml::Map(entries))
    }
}

/// [`TreeVisitor`] for nested values.
struct Seed;

impl<'de> serde::de::DeserializeSeed<'de> for Seed {
    type Value = Yaml;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Yaml, D::Error> {
        d.deserialize_any(TreeVisitor)
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
            "\"\u{85}\"",
            "\"\u{7f}\"",
            "\"\u{2028}\"",
            "\"\u{feff}\"",
        ] {
            assert!(read_json(t).is_err(), "{t:?}");
        }
        let deep = "[".repeat(600) + &"]".repeat(600);
        assert!(read_json(&deep).is_err());
        assert!(read_json("\"é日\"").is_ok());
    }
}
