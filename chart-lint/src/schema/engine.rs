//! Compiled validators: one `jsonschema::Validator` per (Kubernetes version, kind), compiled
//! on first use and shared by every document and thread.

use super::SchemaError;
use super::crd::CrdSet;
use super::data::{self, Index};
use jsonschema::Registry;
use jsonschema::{Draft, Validator};
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

static REGISTRIES: [OnceLock<Result<Registry<'static>, String>>; 8] =
    [const { OnceLock::new() }; 8];

/// The registry holding a version's definitions (built once per process).
fn registry(idx: &'static Index) -> Result<&'static Registry<'static>, SchemaError> {
    let pos = data::supported_minors()
        .iter()
        .position(|&m| m == idx.minor)
        .ok_or_else(|| SchemaError::Internal("unknown minor".into()))?;
    let slot = REGISTRIES
        .get(pos)
        .ok_or_else(|| SchemaError::Internal("registry table too small".into()))?;
    slot.get_or_init(|| {
        Registry::new()
            .draft(Draft::Draft202012)
            .add(data::base_uri(idx.minor), &idx.root)
            .and_then(|b| b.prepare())
            .map_err(|e| format!("schema registry 1.{}: {e}", idx.minor))
    })
    .as_ref()
    .map_err(|e| SchemaError::Internal(e.clone()))
}

/// Where a kind's schema came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaSource {
    /// The embedded Kubernetes schemas.
    BuiltIn,
    /// A CustomResourceDefinition (its name and where it was found).
    Crd(String),
    /// A file from a `--schema-location`.
    File(PathBuf),
}

/// A compiled schema for one kind.
#[derive(Debug)]
pub struct Compiled {
    /// The validator.
    pub validator: Validator,
    /// Its origin.
    pub source: SchemaSource,
}

/// Outcome of looking a kind up.
pub enum Lookup {
    /// A compiled schema.
    Found(Arc<Compiled>),
    /// No schema anywhere.
    Missing,
    /// A schema exists but does not compile (bad CRD or schema file).
    Broken(String),
}

/// A compiled schema, or why there is none (`None`: no schema anywhere).
type CacheEntry = Result<Arc<Compiled>, Option<String>>;

/// The validators of one Kubernetes version plus the CRDs and schema locations in use.
pub struct Catalog {
    pub(crate) index: &'static Index,
    pub(crate) crds: CrdSet,
    locations: Vec<String>,
    cache: Mutex<HashMap<String, Arc<CacheEntry>>>,
}

impl Catalog {
    /// A catalog for an embedded minor version.
    pub fn new(minor: u32, crds: CrdSet, locations: Vec<String>) -> Result<Catalog, SchemaError> {
        let index = data::index(minor)?;
        registry(index)?;
        Ok(Catalog {
            index,
            crds,
            locations,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// The schema index.
    pub fn index(&self) -> &'static Index {
        self.index
    }

    /// The validator for `api_version`/`kind`, compiled on first use. CRDs take precedence
    /// over built-in kinds (a CRD cannot redefine a built-in group anyway); schema locations
    /// are consulted last.
    pub fn lookup(&self, api_version: &str, kind: &str) -> Lookup {
        let key = data::gvk_key(api_version, kind);
        let cached = self.cache.lock().ok().and_then(|c| c.get(&key).cloned());
        let entry = match cached {
            Some(e) => e,
            None => {
                // Compile outside the lock; a concurrent duplicate compile is harmless.
                let e = Arc::new(self.compile(&key, api_version, kind));
                if let Ok(mut c) = self.cache.lock() {
                    c.entry(key).or_insert_with(|| e.clone()).clone()
                } else {
                    e
                }
            }
        };
        match &*entry {
            Ok(c) => Lookup::Found(c.clone()),
            Err(None) => Lookup::Missing,
            Err(Some(msg)) => Lookup::Broken(msg.clone()),
        }
    }

    fn compile(
        &self,
        key: &str,
        api_version: &str,
        kind: &str,
    ) -> Result<Arc<Compiled>, Option<String>> {
        let reg = registry(self.index).map_err(|e| Some(e.to_string()))?;
        if let Some(crd) = self.crds.get(api_version, kind) {
            let schema = crd.schema(&data::base_uri(self.index.minor));
            return build(reg, &schema)
                .map(|validator| {
                    Arc::new(Compiled {
                        validator,
                        source: SchemaSource::Crd(crd.origin.clone()),
                    })
                })
                .map_err(|e| {
                    Some(format!(
                        "the schema of CRD {} does not compile: {e}",
                        crd.origin
                    ))
                });
        }
        if let Some(schema) = self.index.kinds.get(key) {
            return build(reg, schema)
                .map(|validator| {
                    Arc::new(Compiled {
                        validator,
                        source: SchemaSource::BuiltIn,
                    })
                })
                .map_err(|e| {
                    Some(format!(
                        "internal: built-in schema for {key} does not compile: {e}"
                    ))
                });
        }
        for loc in &self.locations {
            let path = super::location::resolve(loc, &self.index.version, api_version, kind);
            let Ok(text) = std::fs::read(&path) else {
                continue;
            };
            let schema: Value = serde_json::from_slice(&text)
                .map_err(|e| Some(format!("{}: not a JSON schema: {e}", path.display())))?;
            return super::location::build_standalone(&schema)
                .map(|validator| {
                    Arc::new(Compiled {
                        validator,
                        source: SchemaSource::File(path.clone()),
                    })
                })
                .map_err(|e| Some(format!("{}: {e}", path.display())));
        }
        Err(None)
    }
}

fn build(reg: &'static Registry<'static>, schema: &Value) -> Result<Validator, String> {
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .with_registry(reg)
        .should_validate_formats(false)
        .with_pattern_options(jsonschema::PatternOptions::regex())
        .build(schema)
        .map_err(|e| e.to_string())
}
