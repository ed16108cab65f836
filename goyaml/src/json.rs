//! The JSON view of a YAML tree, as sigs.k8s.io/yaml `YAMLToJSON` produces it.
//!
//! Keys are stringified like `convertToJSONableObject` (bool → `true`, int → `1`, float →
//! `strconv.FormatFloat(f, 'g', -1, 32)`), null and `uint64` keys are errors, `.inf`/`.nan`
//! values are `json: unsupported value` errors, objects come out with sorted keys (Go's
//! `json.Marshal` of a map). Numbers keep the int/float distinction of Go's JSON *text*: a
//! whole float such as `3.0` is written `3` by Go, so it becomes an integer here too.

use crate::error::{Error, ErrorKind};
use crate::gofmt::{format_float_g, format_float_json};
use crate::node::{Node, Value};
use crate::reader::go_sharp_v;
use serde_json::{Map as JsonMap, Number, Value as Json};

/// The JSON object key goyaml.v2 + sigs.k8s.io/yaml give a YAML key.
pub fn json_key(v: &Value) -> Result<String, Error> {
    Ok(match v {
        Value::Str(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Float(f) => match format_float_g(*f, 32).as_str() {
            "+Inf" => ".inf".into(),
            "-Inf" => "-.inf".into(),
            "NaN" => ".nan".into(),
            s => s.to_string(),
        },
        Value::Null | Value::Uint(_) | Value::Seq(_) | Value::Map(_) => {
            return Err(Error::new(
                ErrorKind::Json,
                format!(
                    "unsupported map key of type: {}, key: {}",
                    match v {
                        // reflect.TypeOf(nil) is a nil Type, which %s prints like this.
                        Value::Null => "%!s(<nil>)",
                        _ => v.go_type_name(),
                    },
                    go_sharp_v(v)
                ),
            ));
        }
    })
}

fn key_error(k: &Node, v: &Node) -> Error {
    let mut e = json_key(&k.value).unwrap_err();
    e.message
        .push_str(&format!(", value: {}", go_sharp_v(&v.value)));
    e.at(k.span)
}

fn float_json(f: f64, node: &Node) -> Result<Json, Error> {
    if !f.is_finite() {
        let s = if f.is_nan() {
            "NaN"
        } else if f > 0.0 {
            "+Inf"
        } else {
            "-Inf"
        };
        return Err(
            Error::new(ErrorKind::Json, format!("json: unsupported value: {s}")).at(node.span),
        );
    }
    // Go writes whole floats below 1e21 without a fraction: `3`, `1000000`.
    if f.fract() == 0.0 && f.abs() < 1e21 {
        if f >= i64::MIN as f64 && f < i64::MAX as f64 {
            if f == 0.0 && f.is_sign_negative() {
                // Go writes `-0`, which JSON decoders read as the integer 0 (or -0.0).
                return Ok(Json::Number(Number::from(0)));
            }
            return Ok(Json::Number(Number::from(f as i64)));
        }
        if f >= 0.0 && f < u64::MAX as f64 {
            return Ok(Json::Number(Number::from(f as u64)));
        }
    }
    Ok(Number::from_f64(f).map_or(Json::Null, Json::Number))
}

/// Converts a node to `serde_json::Value` like `YAMLToJSON` (object keys sorted).
pub fn to_json(node: &Node) -> Result<Json, Error> {
    Ok(match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::Number(Number::from(*i)),
        Value::Uint(u) => Json::Number(Number::from(*u)),
        Value::Float(f) => float_json(*f, node)?,
        Value::Str(s) => Json::String(s.clone()),
        Value::Seq(items) => Json::Array(items.iter().map(to_json).collect::<Result<_, _>>()?),
        Value::Map(entries) => {
            let mut pairs: Vec<(String, &Node)> = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                let key = json_key(&k.value).map_err(|_| key_error(k, v))?;
                pairs.push((key, v));
            }
            // Stable sort keeps document order among keys that stringify alike, and the
            // last of those wins below.
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            let mut m = JsonMap::new();
            for (k, v) in pairs {
                m.insert(k, to_json(v)?);
            }
            Json::Object(m)
        }
    })
}

/// The value Helm holds after `sigs.k8s.io/yaml.Unmarshal` into `interface{}` (values files,
/// `fromYaml`): [`to_json`], then every number as a float64 (`serde_json::Number` from
/// `f64`, so `1` becomes `1.0` and `9223372036854775807` loses precision as in Go).
pub fn to_json_f64(node: &Node) -> Result<Json, Error> {
    let mut v = to_json(node)?;
    // Iterative walk: no recursion on deep values.
    let mut stack: Vec<&mut Json> = vec![&mut v];
    while let Some(j) = stack.pop() {
        match j {
            Json::Number(n) => {
                if let Some(f) = n.as_f64()
                    && let Some(num) = Number::from_f64(f)
                {
                    *n = num;
                }
            }
            Json::Array(items) => stack.extend(items.iter_mut()),
            Json::Object(m) => stack.extend(m.values_mut()),
            _ => {}
        }
    }
    Ok(v)
}

/// The exact JSON text `YAMLToJSON` returns (Go `json.Marshal`: sorted keys, no spaces,
/// `<`, `>`, `&`, U+2028, U+2029 escaped, whole floats without fraction).
pub fn to_json_text(node: &Node) -> Result<String, Error> {
    let mut out = String::new();
    write_json(node, &mut out)?;
    Ok(out)
}

fn write_json(node: &Node, out: &mut String) -> Result<(), Error> {
    match &node.value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Uint(u) => out.push_str(&u.to_string()),
        Value::Float(f) => {
            float_json(*f, node)?;
            out.push_str(&format_float_json(*f));
        }
        Value::Str(s) => write_json_string(s, out),
        Value::Seq(items) => {
            out.push('[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(it, out)?;
            }
            out.push(']');
        }
        Value::Map(entries) => {
            let mut pairs: Vec<(String, &Node)> = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                let key = json_key(&k.value).map_err(|_| key_error(k, v))?;
                pairs.push((key, v));
            }
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            // Last of equal keys wins.
            let mut dedup: Vec<(String, &Node)> = Vec::with_capacity(pairs.len());
            for (k, v) in pairs {
                if let Some(last) = dedup.last_mut()
                    && last.0 == k
                {
                    last.1 = v;
                    continue;
                }
                dedup.push((k, v));
            }
            out.push('{');
            for (i, (k, v)) in dedup.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(k, out);
                out.push(':');
                write_json(v, out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// Go `encoding/json` string encoding with HTML escaping.
pub fn write_json_string(s: &str, out: &mut String) {
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
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}
