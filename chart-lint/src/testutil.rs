//! Helpers for unit tests: charts built from in-memory files.

use crate::chart::{Chart, File};
use gotemplate::{Map, Value};

/// A chart from `(path, contents)` pairs.
pub(crate) fn chart(files: &[(&str, &str)]) -> Chart {
    let files = files
        .iter()
        .map(|(n, d)| File {
            name: n.to_string(),
            data: d.as_bytes().into(),
        })
        .collect();
    match Chart::from_files(files, "test") {
        Ok(c) => c,
        Err(e) => panic!("test chart: {e}"),
    }
}

/// A map from JSON text.
pub(crate) fn map(json: &str) -> Map {
    match crate::convert::json_to_value(&serde_json::from_str(json).expect("json")) {
        Value::Map(m) => m,
        _ => panic!("not a map"),
    }
}

/// A value as compact JSON, for assertions.
pub(crate) fn js(m: &Map) -> String {
    crate::convert::value_to_json(&Value::Map(m.clone())).to_string()
}
