//! CustomResourceDefinitions → JSON Schema 2020-12, the way the API server reads a structural
//! schema: `nullable`, `x-kubernetes-int-or-string`, `x-kubernetes-preserve-unknown-fields`
//! and `x-kubernetes-embedded-resource` honoured; unknown fields are errors in strict mode
//! (`additionalProperties: false` wherever `properties` are given and unknown fields are not
//! preserved). CEL rules (`x-kubernetes-validations`) and formats are not evaluated.

use super::SchemaError;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::path::Path;

/// One served version of a CRD.
#[derive(Debug, Clone)]
pub struct CrdVersion {
    /// `crd-name (file)`, for messages.
    pub origin: String,
    /// `group/version`.
    pub api_version: String,
    /// The kind.
    pub kind: String,
    /// The converted schema without the root pins (added by [`CrdVersion::schema`]).
    body: Value,
}

impl CrdVersion {
    /// The complete schema, with `apiVersion`/`kind` pinned and `metadata` referring to the
    /// built-in ObjectMeta of the registry at `base`.
    pub fn schema(&self, base: &str) -> Value {
        let mut s = self.body.clone();
        if let Value::Object(m) = &mut s {
            m.insert("type".into(), json!("object"));
            let props = m
                .entry("properties")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(p) = props {
                p.insert("apiVersion".into(), json!({"const": self.api_version}));
                p.insert("kind".into(), json!({"const": self.kind}));
                p.insert(
                    "metadata".into(),
                    json!({"$ref": format!("{base}#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"), "type": "object"}),
                );
            }
            let req = m.entry("required").or_insert_with(|| json!([]));
            if let Value::Array(r) = req {
                for k in ["apiVersion", "kind"] {
                    if !r.iter().any(|x| x == k) {
                        r.push(json!(k));
                    }
                }
            }
        }
        s
    }
}

/// CRDs by `group/version/Kind`.
#[derive(Debug, Clone, Default)]
pub struct CrdSet {
    map: HashMap<String, CrdVersion>,
}

impl CrdSet {
    /// An empty set.
    pub fn new() -> CrdSet {
        CrdSet::default()
    }

    /// Number of (version, kind) entries.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The served version for `api_version`/`kind`, if a CRD defines it.
    pub fn get(&self, api_version: &str, kind: &str) -> Option<&CrdVersion> {
        self.map.get(&super::data::gvk_key(api_version, kind))
    }

    /// Adds a CRD given as its JSON view. Documents that are not
    /// `apiextensions.k8s.io/v1 CustomResourceDefinition` are ignored (returns Ok(0)); the
    /// first CRD defining a kind wins. Returns the number of versions added.
    pub fn add_document(&mut self, doc: &Value, origin: &str) -> Result<usize, SchemaError> {
        if doc.get("kind").and_then(Value::as_str) != Some("CustomResourceDefinition")
            || doc.get("apiVersion").and_then(Value::as_str) != Some("apiextensions.k8s.io/v1")
        {
            return Ok(0);
        }
        let name = doc
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("<unnamed>");
        let bad = |what: &str| SchemaError::Crd(format!("CRD {name} ({origin}): {what}"));
        let group = doc
            .pointer("/spec/group")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("spec.group missing"))?;
        let kind = doc
            .pointer("/spec/names/kind")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("spec.names.kind missing"))?;
        let list_kind = doc.pointer("/spec/names/listKind").and_then(Value::as_str);
        let versions = doc
            .pointer("/spec/versions")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("spec.versions missing"))?;
        let mut n = 0;
        for v in versions {
            if v.get("served").and_then(Value::as_bool) == Some(false) {
                continue;
            }
            let Some(vname) = v.get("name").and_then(Value::as_str) else {
                continue;
            };
            let api_version = format!("{group}/{vname}");
            let body = match v.pointer("/schema/openAPIV3Schema") {
                Some(s) => convert(s, true),
                None => json!({"type": "object"}),
            };
            let key = super::data::gvk_key(&api_version, kind);
            if let std::collections::hash_map::Entry::Vacant(e) = self.map.entry(key) {
                e.insert(CrdVersion {
                    origin: format!("{name} ({origin})"),
                    api_version: api_version.clone(),
                    kind: kind.to_string(),
                    body,
                });
                n += 1;
            }
            if let Some(lk) = list_kind {
                let key = super::data::gvk_key(&api_version, lk);
                let item = format!("{api_version}/{kind}");
                self.map.entry(key).or_insert_with(|| CrdVersion {
                    origin: format!("{name} ({origin})"),
                    api_version: api_version.clone(),
                    kind: lk.to_string(),
                    body: json!({"type": "object", "properties": {"items": {"type": ["array", "null"]}}, "x-item": item}),
                });
            }
        }
        Ok(n)
    }

    /// Adds every CRD in a YAML/JSON file (several documents allowed). Returns the number of
    /// versions added.
    pub fn add_file(&mut self, path: &Path) -> Result<usize, SchemaError> {
        let bytes =
            std::fs::read(path).map_err(|e| SchemaError::Io(format!("{}: {e}", path.display())))?;
        self.add_text(&bytes, &path.display().to_string())
    }

    /// Adds every CRD in YAML text.
    pub fn add_text(&mut self, bytes: &[u8], origin: &str) -> Result<usize, SchemaError> {
        let text =
            goyaml::check_utf8(bytes).map_err(|e| SchemaError::Crd(format!("{origin}: {e}")))?;
        let mut n = 0;
        for doc in goyaml::KubeDocs::new(text) {
            let doc = doc.map_err(|e| SchemaError::Crd(format!("{origin}:{}: {e}", e.line)))?;
            if doc.is_blank() || !doc.text.contains("CustomResourceDefinition") {
                continue;
            }
            let node = goyaml::parse(doc.text).map_err(|e| {
                SchemaError::Crd(format!(
                    "{origin}:{}: {e}",
                    doc.line + e.line().unwrap_or(1) - 1
                ))
            })?;
            let json =
                goyaml::to_json(&node).map_err(|e| SchemaError::Crd(format!("{origin}: {e}")))?;
            n += self.add_document(&json, origin)?;
        }
        Ok(n)
    }

    /// Adds a file, or every `.yaml`/`.yml`/`.json` file under a directory (recursively,
    /// sorted). Returns the number of versions added.
    pub fn add_path(&mut self, path: &Path) -> Result<usize, SchemaError> {
        if path.is_dir() {
            let mut n = 0;
            for f in super::run::manifest_files(path)? {
                n += self.add_file(&f)?;
            }
            Ok(n)
        } else {
            self.add_file(path)
        }
    }
}

/// Converts a structural-schema node. `root` is the object schema of the resource itself.
fn convert(s: &Value, root: bool) -> Value {
    let Value::Object(src) = s else {
        return json!({});
    };
    let mut out = Map::new();
    let nullable = src.get("nullable").and_then(Value::as_bool) == Some(true);
    let preserve = src
        .get("x-kubernetes-preserve-unknown-fields")
        .and_then(Value::as_bool)
        == Some(true);
    let embedded = src
        .get("x-kubernetes-embedded-resource")
        .and_then(Value::as_bool)
        == Some(true);
    let int_or_string = src
        .get("x-kubernetes-int-or-string")
        .and_then(Value::as_bool)
        == Some(true);
    for (k, v) in src {
        match k.as_str() {
            "properties" | "patternProperties" => {
                if let Value::Object(p) = v {
                    let m: Map<String, Value> = p
                        .iter()
                        .map(|(n, x)| (n.clone(), convert(x, false)))
                        .collect();
                    out.insert(k.clone(), Value::Object(m));
                }
            }
            "items" => {
                out.insert(
                    k.clone(),
                    if v.is_array() {
                        // OpenAPI v3.0 allows a single schema only; be lenient.
                        json!({})
                    } else {
                        convert(v, false)
                    },
                );
            }
            "additionalProperties" => {
                out.insert(
                    k.clone(),
                    if v.is_object() {
                        convert(v, false)
                    } else {
                        v.clone()
                    },
                );
            }
            "allOf" | "anyOf" | "oneOf" => {
                if let Value::Array(a) = v {
                    out.insert(
                        k.clone(),
                        Value::Array(a.iter().map(convert_branch).collect()),
                    );
                }
            }
            "not" => {
                out.insert(k.clone(), convert_branch(v));
            }
            "required" | "enum" | "minimum" | "maximum" | "minLength" | "maxLength" | "pattern"
            | "minItems" | "maxItems" | "uniqueItems" | "multipleOf" | "minProperties"
            | "maxProperties" => {
                out.insert(k.clone(), v.clone());
            }
            "exclusiveMinimum" | "exclusiveMaximum" => {
                // OpenAPI v3.0: a boolean modifying minimum/maximum.
                if v.as_bool() == Some(true) {
                    let base = if k == "exclusiveMinimum" {
                        "minimum"
                    } else {
                        "maximum"
                    };
                    if let Some(limit) = src.get(base) {
                        out.insert(k.clone(), limit.clone());
                    }
                } else if v.is_number() {
                    out.insert(k.clone(), v.clone());
                }
            }
            _ => {} // type (below), description, default, example, format, title, x-kubernetes-*
        }
    }
    if let (Some(_), Some(true)) = (
        out.get("exclusiveMinimum"),
        src.get("exclusiveMinimum").and_then(Value::as_bool),
    ) {
        out.remove("minimum");
    }
    if let (Some(_), Some(true)) = (
        out.get("exclusiveMaximum"),
        src.get("exclusiveMaximum").and_then(Value::as_bool),
    ) {
        out.remove("maximum");
    }
    if int_or_string {
        let mut branches = vec![json!({"type": "integer"}), json!({"type": "string"})];
        if nullable {
            branches.push(json!({"type": "null"}));
        }
        out.insert("anyOf".into(), Value::Array(branches));
    } else if let Some(t) = src.get("type").and_then(Value::as_str) {
        out.insert(
            "type".into(),
            if nullable {
                json!([t, "null"])
            } else {
                json!(t)
            },
        );
    }
    if embedded {
        let props = out.entry("properties").or_insert_with(|| json!({}));
        if let Value::Object(p) = props {
            p.entry("apiVersion")
                .or_insert_with(|| json!({"type": "string"}));
            p.entry("kind").or_insert_with(|| json!({"type": "string"}));
            p.entry("metadata")
                .or_insert_with(|| json!({"type": "object"}));
        }
        // The API server requires apiVersion and kind of an embedded resource.
        let req = out.entry("required").or_insert_with(|| json!([]));
        if let Value::Array(r) = req {
            for k in ["apiVersion", "kind"] {
                if !r.iter().any(|x| x == k) {
                    r.push(json!(k));
                }
            }
        }
    }
    if root {
        // apiVersion, kind and metadata are always allowed at the root.
        let props = out.entry("properties").or_insert_with(|| json!({}));
        if let Value::Object(p) = props {
            p.remove("metadata");
            p.remove("apiVersion");
            p.remove("kind");
        }
    }
    let has_props = out.get("properties").is_some_and(Value::is_object);
    if (has_props || root) && !preserve && !out.contains_key("additionalProperties") {
        out.insert("additionalProperties".into(), Value::Bool(false));
    }
    Value::Object(out)
}

/// Branches of allOf/anyOf/oneOf/not in a structural schema may not declare types or
/// pruning; convert them without adding `additionalProperties: false`.
fn convert_branch(s: &Value) -> Value {
    let mut v = convert(s, false);
    if let Value::Object(m) = &mut v
        && m.get("additionalProperties") == Some(&Value::Bool(false))
        && s.get("additionalProperties").is_none()
    {
        m.remove("additionalProperties");
    }
    v
}
