//! YAML reading and writing as helm does it, on top of the `goyaml` crate:
//! sigs.k8s.io/yaml (YAML 1.1 → JSON → Go values, so numbers are `float64`) for reading, and
//! `json.Marshal` → goyaml.v2 re-parse → goyaml.v2 `Marshal` for `toYaml`.

use gotemplate::{Map, Value};

fn conv_err(e: impl std::fmt::Display) -> String {
    format!("error converting YAML to JSON: {e}")
}

/// `yaml.Unmarshal(data, &interface{})` with sigs.k8s.io/yaml semantics (first document).
pub fn unmarshal(data: &[u8]) -> Result<Value, String> {
    let text = goyaml::check_utf8(data).map_err(conv_err)?;
    unmarshal_str(text)
}

/// [`unmarshal`] of a string.
pub fn unmarshal_str(text: &str) -> Result<Value, String> {
    let node = goyaml::parse(text).map_err(conv_err)?;
    node_to_value(&node)
}

/// sigs.k8s.io/yaml's YAML → JSON → `interface{}` of a parsed tree: the same result as
/// `json_to_value(&goyaml::to_json(&node)?)`, without building the JSON tree in between.
/// Where that conversion fails (a null or uint64 key, `.inf`), the error comes from
/// `goyaml::to_json` itself, so messages are the same.
pub fn node_to_value(node: &goyaml::Node) -> Result<Value, String> {
    match direct(node) {
        Some(v) => Ok(v),
        None => match goyaml::to_json(node) {
            Ok(j) => Ok(crate::convert::json_to_value(&j)),
            Err(e) => Err(conv_err(e)),
        },
    }
}

/// The JSON object key of a YAML key (`goyaml::json_key`), `None` where that is an error.
fn direct_key(k: &goyaml::Value) -> Option<String> {
    match k {
        goyaml::Value::Str(s) => Some(s.clone()),
        goyaml::Value::Int(_) | goyaml::Value::Bool(_) | goyaml::Value::Float(_) => {
            goyaml::json_key(k).ok()
        }
        _ => None,
    }
}

/// Whether `goyaml::to_json` accepts the tree (no null, uint64 or collection keys, no
/// infinite or NaN floats), checked without converting anything.
pub fn json_convertible(node: &goyaml::Node) -> bool {
    use goyaml::Value as Y;
    match &node.value {
        Y::Float(f) => f.is_finite(),
        Y::Seq(items) => items.iter().all(json_convertible),
        Y::Map(entries) => entries.iter().all(|(k, v)| {
            matches!(k.value, Y::Str(_) | Y::Int(_) | Y::Bool(_) | Y::Float(_))
                && json_convertible(v)
        }),
        _ => true,
    }
}

/// `None` on anything `goyaml::to_json` rejects.
fn direct(node: &goyaml::Node) -> Option<Value> {
    use goyaml::Value as Y;
    Some(match &node.value {
        Y::Null => Value::Nil,
        Y::Bool(b) => Value::Bool(*b),
        Y::Int(i) => Value::Float(*i as f64),
        Y::Uint(u) => Value::Float(*u as f64),
        // JSON has no -0: Go writes `-0`, which reads back as 0.
        Y::Float(f) if f.is_finite() => Value::Float(*f + 0.0),
        Y::Float(_) => return None,
        Y::Str(s) => Value::str(s),
        Y::Seq(items) => Value::list(items.iter().map(direct).collect::<Option<Vec<_>>>()?),
        Y::Map(entries) => {
            let mut m = std::collections::BTreeMap::new();
            for (k, v) in entries {
                // Keys that stringify alike: the last one in document order wins.
                m.insert(direct_key(&k.value)?, direct(v)?);
            }
            Value::Map(Map::from_btree(m))
        }
    })
}

fn type_word(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "array",
        Value::Map(_) => "object",
        Value::Bool(_) => "bool",
        Value::String(_) => "string",
        _ => "number",
    }
}

/// `yaml.Unmarshal` into `map[string]interface{}` (a `null` document gives an empty map).
pub fn unmarshal_map(text: &str) -> Result<Map, String> {
    match unmarshal_str(text)? {
        Value::Map(m) => Ok(m),
        Value::Nil => Ok(Map::new()),
        other => Err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            type_word(&other)
        )),
    }
}

/// helm's `loader.LoadValues`: every document of the stream (kubectl's `---` reader),
/// deep-merged in order.
pub fn load_values(data: &[u8]) -> Result<Map, String> {
    let text = goyaml::check_utf8(data)
        .map_err(|e| format!("cannot unmarshal yaml document: {}", conv_err(e)))?;
    let mut values = Map::new();
    for doc in goyaml::KubeDocs::new(text) {
        let doc = doc.map_err(|e| format!("error reading yaml document: {e}"))?;
        let cur =
            unmarshal_map(doc.text).map_err(|e| format!("cannot unmarshal yaml document: {e}"))?;
        values = crate::values::merge_maps(&values, &cur);
    }
    Ok(values)
}

/// Go's `json.Marshal` of a template value.
pub fn to_json(v: &Value) -> Result<String, String> {
    sprig::json::marshal(v, None, true).map_err(|e| e.to_string())
}

/// helm's `toYaml` (sigs.k8s.io/yaml `Marshal`), without the trailing newline trimmed.
pub fn marshal(v: &Value) -> Result<String, String> {
    let j = to_json(v)?;
    goyaml::json_to_yaml(&j).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_float64_and_yes_is_bool() {
        let v = unmarshal(b"a: 80\nb: yes\nc: 1e3\nd: '1'\n").unwrap();
        let Value::Map(m) = v else { panic!() };
        assert!(matches!(m.get("a"), Some(Value::Float(f)) if f == 80.0));
        assert!(matches!(m.get("b"), Some(Value::Bool(true))));
        assert_eq!(m.get("d").unwrap().as_str(), Some("1"));
    }

    #[test]
    fn multi_document_values_merge() {
        let m = load_values(b"a: {x: 1, z: 2}\n---\na: {z: 3}\nb: 1\n").unwrap();
        assert_eq!(
            crate::convert::value_to_json(&Value::Map(m)).to_string(),
            r#"{"a":{"x":1,"z":3},"b":1}"#
        );
        assert!(
            load_values(b"- 1\n")
                .unwrap_err()
                .contains("cannot unmarshal array")
        );
    }

    #[test]
    fn to_yaml_like_helm() {
        let v = unmarshal(b"port: 80\nbig: 1e21\nname: 'true'\nlist: [a, {b: 1}]\n").unwrap();
        assert_eq!(
            marshal(&v).unwrap(),
            "big: 1e+21\nlist:\n- a\n- b: 1\nname: \"true\"\nport: 80\n"
        );
    }
}
