//! YAML reading as helm does it (sigs.k8s.io/yaml: YAML 1.1 → JSON → Go values), on top of
//! the `goyaml` crate.
//!
//! TEMPORARY: until `goyaml`'s reader lands, only the JSON subset of YAML is accepted.

use gotemplate::{Map, Value};

/// `yaml.Unmarshal(data, &interface{})` with sigs.k8s.io/yaml semantics (first document).
pub fn unmarshal(data: &[u8]) -> Result<Value, String> {
    let text = std::str::from_utf8(data).map_err(|e| format!("yaml: invalid UTF-8: {e}"))?;
    if text.trim().is_empty() {
        return Ok(Value::Nil);
    }
    let j: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| format!("error converting YAML to JSON: yaml: {e}"))?;
    Ok(crate::convert::json_to_value(&j))
}

/// helm's `loader.LoadValues`: every document of the stream, deep-merged in order.
pub fn load_values(data: &[u8]) -> Result<Map, String> {
    match unmarshal(data)? {
        Value::Map(m) => Ok(m),
        Value::Nil => Ok(Map::new()),
        _ => Err("cannot unmarshal yaml document: error unmarshaling JSON: json: cannot unmarshal array into Go value of type map[string]interface {}".into()),
    }
}
