//! kubeconform-style schema locations on the local disk (`--schema-location`).
//!
//! A location is a directory or a path template. A value not ending in `.json` gets
//! `/{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json`
//! appended, as kubeconform does. Template variables: `NormalizedKubernetesVersion`
//! (`v1.35.0`), `StrictSuffix` (`-strict`), `ResourceKind` (lower-case kind),
//! `ResourceAPIVersion` (`v1`), `Group` (`apps`), `KindSuffix` (`-apps-v1`; core: `-v1`).
//! Only the strict folder is looked up: `--no-strict` turns unknown-field findings into
//! warnings instead.

use jsonschema::{Draft, Validator};
use serde_json::Value;
use std::path::PathBuf;

const DEFAULT_SUFFIX: &str = "/{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json";

/// The file a location names for a kind.
pub fn resolve(location: &str, version: &str, api_version: &str, kind: &str) -> PathBuf {
    let mut tpl = location.to_string();
    if !tpl.ends_with(".json") {
        tpl = format!("{}{DEFAULT_SUFFIX}", tpl.trim_end_matches('/'));
    }
    let (group, ver) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let first_label = group.split('.').next().unwrap_or("");
    let kind_suffix = if group.is_empty() {
        format!("-{ver}")
    } else {
        format!("-{first_label}-{ver}")
    };
    let vars = [
        ("NormalizedKubernetesVersion", format!("v{version}")),
        ("StrictSuffix", "-strict".to_string()),
        ("ResourceKind", kind.to_lowercase()),
        ("ResourceAPIVersion", ver.to_string()),
        ("Group", group.to_string()),
        ("KindSuffix", kind_suffix),
    ];
    for (name, value) in vars {
        for pat in [format!("{{{{.{name}}}}}"), format!("{{{{ .{name} }}}}")] {
            tpl = tpl.replace(&pat, &value);
        }
    }
    PathBuf::from(tpl)
}

/// Compiles a standalone schema file (kubeconform/openapi2jsonschema output is Draft 4
/// unless it says otherwise).
pub fn build_standalone(schema: &Value) -> Result<Validator, String> {
    let draft = match schema.get("$schema").and_then(Value::as_str) {
        Some(s) if s.contains("2020-12") => Draft::Draft202012,
        Some(s) if s.contains("2019-09") => Draft::Draft201909,
        Some(s) if s.contains("draft-07") => Draft::Draft7,
        Some(s) if s.contains("draft-06") => Draft::Draft6,
        _ => Draft::Draft4,
    };
    let mut schema = schema.clone();
    if let Value::Object(m) = &mut schema {
        m.remove("$schema");
    }
    jsonschema::options()
        .with_draft(draft)
        .should_validate_formats(false)
        .with_pattern_options(jsonschema::PatternOptions::regex())
        .build(&schema)
        .map_err(|e| e.to_string())
}
