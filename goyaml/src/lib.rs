//! YAML as Helm and kubectl read and write it.
//!
//! Helm and kubectl read YAML through sigs.k8s.io/yaml, i.e. goyaml.v2 (YAML 1.1 scalar
//! resolution) followed by a JSON round trip, and Helm's `toYaml` writes through goyaml.v2's
//! emitter (`toYamlPretty` through goyaml.v3's). This crate reproduces both sides so that
//! rendered charts and validation verdicts match the Go tools byte for byte. It knows
//! nothing of templates: the chart layer converts between its values and these trees.
//!
//! Every behaviour below is checked against helm v4.1.4 by `tests/golden.rs` (660 cases
//! captured with `tests/gen_golden.py`: `fromYaml | toJson`, `toYaml`, `.v | toYaml` and
//! `toYamlPretty` of each input).
//!
//! # Reading
//!
//! * [`parse`] / [`parse_with`]: the first document, like `yaml.Unmarshal` into
//!   `interface{}` (an empty stream gives a null node); [`parse_bytes`] checks UTF-8 first
//!   with libyaml's messages; [`parse_all`] / [`Documents`] go over every document of a
//!   stream, one tree at a time.
//! * The result is a [`Node`] tree: a [`Value`] (`Null`, `Bool`, `Int(i64)`, `Uint(u64)`,
//!   `Float(f64)`, `Str`, `Seq`, `Map` in document order) plus a [`Span`] (byte offset into the
//!   input, 1-based line, 1-based column in characters). Resolution is goyaml.v2's
//!   ([`resolve_plain`]): `y Y yes Yes YES on On ON true True TRUE` and the `n`/`no`/`off`/
//!   `false` forms are booleans, also as keys; `0777` is octal (511), `0o17`, `0x1F`, `0b101`,
//!   `1_000`, `+12`, `-0` are ints, above `i64::MAX` `Uint`, `0999`/`1e6`/`.5`/`.inf`/`.nan` are
//!   floats, `~`/`null`/empty are null, timestamps stay strings. Explicit tags `!!str`,
//!   `!!int`, `!!float`, `!!bool`, `!!null`, `!!timestamp`, `!!binary` work as in Go (with
//!   Go's `cannot decode !!float `1.5` as a !!int`); other tags leave the text as a string.
//! * Aliases are expanded (copies keep the anchor's spans) under goyaml's "document contains
//!   excessive aliasing" budget; merge keys `<<` take a map or a list of maps with v2's
//!   precedence (entries apply in order, so a later `<<` overrides an earlier key; in a list
//!   the earlier maps win). Duplicate keys: last wins, or with [`ParseOptions::strict`] the
//!   error `yaml: unmarshal errors:\n  line 3: key "a" already set in map`.
//! * Limits: collection nesting [`ParseOptions::max_depth`] (default 1000; Go allows 10000,
//!   but deeper trees would put recursive consumers at risk), flow nesting 255 (a limit of
//!   saphyr-parser), alias budget as in Go. All are errors, never crashes.
//! * Errors ([`Error`]) display like Go: `yaml: line 6: mapping values are not allowed in
//!   this context`, `yaml: line 2: did not find expected key`, `yaml: control characters are
//!   not allowed`, `yaml: invalid map key: map[interface {}]interface {}{".Values.x":
//!   interface {}(nil)}` (a `{{ }}` left in the text), including libyaml's odd line numbers
//!   ([`Error::go_line`]); [`Error::span`] has the real position. Helm prefixes them with
//!   `error converting YAML to JSON: `.
//!
//! # JSON view
//!
//! [`to_json`] converts a tree to `serde_json::Value` as `sigs.k8s.io/yaml.YAMLToJSON` does:
//! keys stringified (`true`, `1`, floats with `FormatFloat(f, 'g', -1, 32)`), null and uint64
//! keys rejected with Go's message, `.inf`/`.nan` values rejected (`json: unsupported value:
//! +Inf`), object keys sorted, whole floats written as integers like Go's JSON text (`3.0` →
//! `3`). Helm then turns every number into a float64: that is the chart layer's job.
//! [`to_json_f64`] is that plus Helm's float64 numbers (values files, `fromYaml`).
//! [`to_json_text`] gives Go's exact bytes (HTML-escaped like `encoding/json`), and
//! [`yaml_to_json`] does parse + convert in one call.
//!
//! For schema findings, [`Node::pointer`] finds the node at a JSON pointer
//! (`/spec/template/spec/containers/0/image`, keys matched by their JSON form, so `/true`
//! finds a `yes:` key); its [`Node::span`] is the line and column. [`Node::pointer_nearest`]
//! stops at the deepest existing node (for "missing property" errors).
//!
//! # Splitting
//!
//! * [`split_helm_manifest`]: Helm's `SplitManifests` (regex `(?:^|\s*\n)---\s*`, pieces
//!   `TrimSpace`d, empty ones dropped; `---apiVersion` starts a document; a `---` right after a
//!   separator stays in the next document).
//! * [`KubeDocs`]: kubectl's `YAMLReader` (a line starting with `---`, followed only by
//!   blanks or a comment, ends a document; `---x` is `invalid Yaml document separator: x`).
//!   Streaming: yields `&str` slices with their first line and offset; [`KubeDoc::parse`]
//!   parses one with spans relative to the whole stream.
//!
//! # Writing
//!
//! * [`to_yaml_v2`]: goyaml.v2 `yaml.Marshal` of a [`Yaml`] tree, byte for byte: keys in
//!   goyaml's natural order ([`natural_less`]: `-x _x "1" "9" "10" A a2 a10 b é`), strings
//!   quoted when they would re-resolve (`"true"`, `"12"`, `"0123"`, `"yes"`,
//!   `"2024-01-01"`, `"1:20"`), single quotes for indicators (`'a: b # c'`, `'- x'`, `' x'`),
//!   double quotes with escapes for control and non-BMP characters (`"\t"`, `"\U0001F600"`),
//!   literal blocks `|`/`|-`/`|+`/`|2-` for multi-line text, plain and quoted scalars folded
//!   after column 80, block sequences not indented under keys, `{}`/`[]` for empty
//!   collections, floats as `strconv.FormatFloat(f, 'g', -1, 64)` (`1e+06`, `.inf`). The
//!   result ends in `"\n"` (Helm's `toYaml` trims it).
//! * Helm's `toYaml` is `sigs.k8s.io/yaml.Marshal`: `json.Marshal` of the Go value, then the
//!   JSON text read back by goyaml.v2 and emitted. With the JSON text of a template value
//!   (Go's formatting: `1000000` for float64 1e6), [`json_to_yaml`] does the rest, so
//!   `{n: 1e6}` comes out as `n: 1000000` exactly as in Helm.
//! * [`to_yaml_v3`]: goyaml.v3 with `SetIndent(2)` as Helm's `toYamlPretty` uses it (input
//!   is the Go value itself, numbers from values files are `Yaml::Float` and print `1e+06`):
//!   sequences indented under keys, no folding, v3's key order.
//!
//! # How it is checked
//!
//! * `tests/golden.rs`: 660 cases captured from helm 4.1.4 (`tests/gen_golden.py`), each
//!   checked for `fromYaml | toJson` (reader + JSON view), `toYaml` and `toYamlPretty`
//!   (emitters); 1,500 more seeded random value trees were checked once, all identical.
//! * `tests/oracle/` (Go, sigs.k8s.io/yaml v1.6.0 + yaml.v3) with `examples/corpus.rs`: over
//!   the 12,139 YAML files of the local Go module cache, reading (JSON text or error text),
//!   `toYaml` and `toYamlPretty` are identical for every file; over 6,000 random JSON/YAML
//!   values with hostile strings, 5,993 identical; over 1,754 randomly corrupted real files,
//!   559 of 582 error messages identical (the rest differ in wording or line).
//! * `tests/prop.rs`: arbitrary bytes and YAML-ish text never panic; emitter output reads
//!   back to the same values (v2 and v3).
//!
//! # Known differences from Go
//!
//! * The reader is saphyr-parser (YAML 1.2 syntax) plus corrections for what libyaml
//!   accepts and it does not (`key:<TAB>value`, under-indented continuation lines of quoted
//!   scalars and flow collections, NEL/LS/PS line breaks inside quoted scalars) and vice versa
//!   (text after a flow collection, `: x` without a key, multi-line implicit keys). NEL/LS/PS
//!   in plain or block scalars are still plain characters here; unknown `%` directives are
//!   ignored (libyaml rejects them). The corrections for `key:<TAB>` and indentation are
//!   applied by [`parse`]/[`parse_with`], not by the [`Documents`] iterator.
//! * Error texts and `line N` numbers follow libyaml for the common cases; rare syntax
//!   errors may keep saphyr-parser's wording or point one line off.
//! * A forbidden control character is reported when goyaml's reader would reach it (it
//!   checks the input in 512-byte chunks as the scanner advances); near a chunk boundary the
//!   syntax error may win on one side and not on the other.

#![warn(missing_docs)]

mod emit;
mod error;
mod errors_map;
mod flow11;
mod from_json;
mod gofmt;
mod json;
mod node;
mod reader;
mod resolve;
mod split;

pub use emit::{Yaml, natural_less, to_yaml_v2, to_yaml_v2_with, to_yaml_v3};
pub use error::{Error, ErrorKind};
pub use from_json::read_json;
pub use gofmt::{format_float_g, format_float_json, go_quote};
pub use json::{json_key, to_json, to_json_f64, to_json_text, write_json_string};
pub use node::{Node, Span, Value, escape_pointer_token};
pub use reader::{Documents, ParseOptions, check_utf8, parse, parse_all, parse_bytes, parse_with};
pub use resolve::{Resolved, is_base60_float, is_timestamp, resolve_plain};
pub use split::{KubeDoc, KubeDocs, SeparatorError, split_helm_manifest};

/// `sigs.k8s.io/yaml.JSONToYAML`: the Go JSON text of a value (as `json.Marshal` wrote it)
/// → goyaml.v2 `yaml.Marshal` output (ends in `"\n"`; Helm's `toYaml` trims it). This is
/// Helm's `toYaml` once the template value has been JSON-encoded.
pub fn json_to_yaml(json_text: &str) -> Result<String, Error> {
    // The JSON read directly; the YAML parser only for what that reader refuses (see
    // `read_json`), so that the result or message stays the parser's.
    let tree = match read_json(json_text) {
        Ok(tree) => tree,
        Err(_) => parse(json_text)?.to_yaml(),
    };
    Ok(to_yaml_v2(&tree))
}

/// Helm's `fromYaml`-style conversion in one call: parse the first document and convert it to
/// JSON (`sigs.k8s.io/yaml.YAMLToJSON`).
pub fn yaml_to_json(input: &str) -> Result<serde_json::Value, Error> {
    to_json(&parse(input)?)
}
