//! YAML as Helm and kubectl read and write it.
//!
//! Helm and kubectl read YAML through sigs.k8s.io/yaml, i.e. goyaml.v2 (YAML 1.1 scalar
//! resolution) followed by a JSON round trip, and Helm's `toYaml` writes through goyaml.v2's
//! emitter. This crate reproduces both sides so that rendered charts and validation verdicts
//! match the Go tools byte for byte.
//!
//! # Reading
//!
//! * [`parse`] / [`parse_with`] — the first document, like `yaml.Unmarshal` into
//!   `interface{}`; [`parse_bytes`] checks UTF-8 first; [`parse_all`] / [`Documents`] iterate
//!   over every document of a stream (streaming: one tree at a time).
//! * The result is a [`Node`] tree: a [`Value`] (`Null`, `Bool`, `Int`, `Uint`, `Float`, `Str`,
//!   `Seq`, `Map`) plus a [`Span`] (byte offset, 1-based line and column). Resolution follows
//!   goyaml.v2 ([`resolve_plain`]): `y`/`yes`/`on`/`true` … are booleans (also as keys), `0777`
//!   is octal, `0x1F`/`0o17`/`0b101`/`1_000`/`+12` are ints, `.inf`/`.nan`/`1e6` floats,
//!   timestamps stay strings; explicit tags (`!!str`, `!!int`, `!!float`, `!!binary`, …);
//!   aliases are expanded under goyaml's "excessive aliasing" budget; merge keys `<<` with
//!   v2's precedence; duplicate keys: last wins, or an error with
//!   [`ParseOptions::strict`]; nesting is capped ([`ParseOptions::max_depth`]).
//! * Errors ([`Error`]) display like Go (`yaml: line 6: mapping values are not allowed in this
//!   context`) and carry the position.
//!
//! # JSON view
//!
//! [`to_json`] converts a tree to `serde_json::Value` the way `YAMLToJSON` does (keys
//! stringified, null keys and `.inf`/`.nan` rejected, sorted keys); [`to_json_text`] gives Go's
//! exact JSON bytes. [`Node::pointer`] finds the node (and so the line/column) at a JSON
//! pointer such as `/spec/template/spec/containers/0/image`.
//!
//! # Splitting
//!
//! [`split_helm_manifest`] is Helm's `SplitManifests` regex split; [`KubeDocs`] is kubectl's
//! YAML stream reader (`---` lines), yielding each document's text and starting line.
//!
//! # Writing
//!
//! [`to_yaml_v2`] emits a [`Yaml`] tree byte-for-byte like goyaml.v2 `yaml.Marshal` (natural
//! key order, YAML 1.1 quoting, literal blocks, 80-column folding); Helm's `toYaml` is
//! `sigs.k8s.io/yaml.Marshal`, i.e. JSON text → [`parse`] → [`Node::to_yaml`] →
//! [`to_yaml_v2`], then `TrimSuffix("\n")` in Helm.

#![warn(missing_docs)]

mod emit;
mod error;
mod errors_map;
mod gofmt;
mod json;
mod node;
mod reader;
mod resolve;
mod split;

pub use emit::{Yaml, natural_less, to_yaml_v2, to_yaml_v2_with, to_yaml_v3};
pub use error::{Error, ErrorKind};
pub use gofmt::{format_float_g, format_float_json, go_quote};
pub use json::{json_key, to_json, to_json_text, write_json_string};
pub use node::{Node, Span, Value, escape_pointer_token};
pub use reader::{Documents, ParseOptions, check_utf8, parse, parse_all, parse_bytes, parse_with};
pub use resolve::{Resolved, is_base60_float, is_timestamp, resolve_plain};
pub use split::{KubeDoc, KubeDocs, split_helm_manifest};

/// `sigs.k8s.io/yaml.JSONToYAML`: the Go JSON text of a value (as `json.Marshal` wrote it)
/// → goyaml.v2 `yaml.Marshal` output (ends in `"\n"`; Helm's `toYaml` trims it). This is
/// Helm's `toYaml` once the template value has been JSON-encoded.
pub fn json_to_yaml(json_text: &str) -> Result<String, Error> {
    Ok(to_yaml_v2(&parse(json_text)?.to_yaml()))
}

/// Helm's `fromYaml`-style conversion in one call: parse the first document and convert it to
/// JSON (`sigs.k8s.io/yaml.YAMLToJSON`).
pub fn yaml_to_json(input: &str) -> Result<serde_json::Value, Error> {
    to_json(&parse(input)?)
}
