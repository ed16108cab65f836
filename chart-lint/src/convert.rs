//! Conversions between template values and JSON, with Go's `encoding/json` semantics
//! (numbers decode as `float64`, maps as `map[string]interface {}`).

use gotemplate::value::format_float_v;
use gotemplate::{Map, Value};

/// A JSON document as Go's `json.Unmarshal` into `interface{}` sees it.
pub fn json_to_value(j: &serde_json::Value) -> Value {
    match j {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Value::str(s),
        serde_json::Value::Array(a) => Value::list(a.iter().map(json_to_value).collect()),
        serde_json::Value::Object(o) => {
            let m = Map::new();
            for (k, v) in o {
                m.insert(k.clone(), json_to_value(v));
            }
            Value::Map(m)
        }
    }
}

/// A value as JSON (for schema validation): whole floats within 2^53 become integers so that
/// `"type": "integer"` accepts `80` read from YAML, as Go's validator does.
pub fn value_to_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Nil => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i, t) => {
            if t.is_unsigned() {
                J::from(*i as u64)
            } else {
                J::from(*i)
            }
        }
        Value::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
                J::from(*f as i64)
            } else {
                serde_json::Number::from_f64(*f)
                    .map(J::Number)
                    .unwrap_or(J::Null)
            }
        }
        Value::String(s) => J::String(s.to_string()),
        Value::Bytes(b) => J::String(base64_std(b)),
        Value::List(l) => J::Array(l.iter().map(value_to_json).collect()),
        Value::Map(m) => {
            let mut o = serde_json::Map::new();
            for (k, v) in m.entries() {
                o.insert(k, value_to_json(&v));
            }
            J::Object(o)
        }
        Value::Object(o) => o
            .to_value()
            .map(|v| value_to_json(&v))
            .unwrap_or(J::Object(Default::default())),
    }
}

/// Standard base64 with padding.
pub fn base64_std(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// Go's `%v` of a value (for messages; templates print through the engine's formatter).
pub fn go_v(v: &Value) -> String {
    match v {
        Value::Nil => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i, t) => {
            if t.is_unsigned() {
                (*i as u64).to_string()
            } else {
                i.to_string()
            }
        }
        Value::Float(f) => format_float_v(*f),
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => {
            format!(
                "[{}]",
                b.iter().map(u8::to_string).collect::<Vec<_>>().join(" ")
            )
        }
        Value::List(l) => format!("[{}]", l.iter().map(go_v).collect::<Vec<_>>().join(" ")),
        Value::Map(m) => format!(
            "map[{}]",
            m.entries()
                .iter()
                .map(|(k, v)| format!("{k}:{}", go_v(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Value::Object(o) => o.format_v().unwrap_or_else(|| {
            o.to_value()
                .map(|v| format!("{{{}}}", go_v(&v)))
                .unwrap_or_else(|| "{}".into())
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_numbers_are_float64() {
        let j: serde_json::Value = serde_json::from_str(r#"{"a":80,"b":[1.5,"x",null]}"#).unwrap();
        let v = json_to_value(&j);
        let Value::Map(m) = &v else { panic!() };
        assert!(matches!(m.get("a"), Some(Value::Float(f)) if f == 80.0));
        assert_eq!(
            value_to_json(&v),
            serde_json::json!({"a":80,"b":[1.5,"x",null]})
        );
        assert_eq!(go_v(&v), "map[a:80 b:[1.5 x <nil>]]");
        assert_eq!(base64_std(b"hello"), "aGVsbG8=");
    }
}
