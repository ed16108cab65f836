//! Validating one document: YAML as the API server reads it, shape checks, `kind: List`
//! expansion, schema lookup, schema validation, the API server's extra checks, and findings
//! with lines and YAML 1.1 hints.

use super::apis::{self, ApiStatus};
use super::engine::{Catalog, Lookup};
use super::finding::{Finding, Severity};
use goyaml::{Node, Value as Y};
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

/// The API server's request body limit.
pub const MAX_DOCUMENT_BYTES: usize = 3 * 1024 * 1024;
/// ConfigMap / Secret payload limit (`MaxSecretSize`, ConfigMap's 1 MiB).
pub const MAX_DATA_BYTES: usize = 1024 * 1024;

pub(crate) const QUANTITY_PATTERN: &str =
    r"^[+-]?[0-9]*(\.[0-9]*)?([numkMGTPE]|[KMGTPE]i|[eE][+-]?[0-9]+)?$";
pub(crate) const BASE64_PATTERN: &str =
    r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$";

/// Validation settings that apply per document.
pub(crate) struct DocSettings<'a> {
    pub catalog: &'a Catalog,
    pub strict: bool,
    pub skip: &'a [String],
    pub ignore_missing: bool,
}

/// What happened to one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Valid,
    Invalid,
    Error,
    Skipped,
}

/// The outcome of one document.
#[derive(Debug, Default)]
pub(crate) struct DocOutcome {
    pub statuses: Vec<Status>,
    pub findings: Vec<Finding>,
    /// Errors not about a resource (an unreadable file).
    pub file_errors: usize,
}

/// Where a document sits, for findings.
pub(crate) struct DocOrigin<'a> {
    pub file: &'a str,
    /// Added to a document-relative 1-based line.
    pub line_offset: isize,
    pub index: usize,
}

impl DocOrigin<'_> {
    fn line(&self, doc_line: usize) -> usize {
        (doc_line as isize + self.line_offset).max(1) as usize
    }
}

struct Ctx<'a> {
    text: &'a str,
    origin: &'a DocOrigin<'a>,
    api_version: Option<String>,
    kind: Option<String>,
    namespace: Option<String>,
    name: Option<String>,
}

impl Ctx<'_> {
    fn finding(
        &self,
        severity: Severity,
        rule: &'static str,
        node: Option<&Node>,
        pointer: String,
        message: String,
    ) -> Finding {
        let (line, column) = match node {
            Some(n) => (Some(self.origin.line(n.span.line)), Some(n.span.column)),
            None => (None, None),
        };
        let source_line = node
            .and_then(|n| self.text.lines().nth(n.span.line.saturating_sub(1)))
            .map(|l| l.trim_end().to_string());
        Finding {
            severity,
            rule,
            file: self.origin.file.to_string(),
            line,
            column,
            document: self.origin.index,
            api_version: self.api_version.clone(),
            kind: self.kind.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            pointer,
            message,
            hint: None,
            source_line,
        }
    }
}

/// Validates one document's text (`text` is the document alone; its lines are shifted by
/// `origin.line_offset`).
pub(crate) fn validate_document(
    text: &str,
    origin: &DocOrigin<'_>,
    s: &DocSettings<'_>,
) -> DocOutcome {
    let mut out = DocOutcome::default();
    let mut ctx = Ctx {
        text,
        origin,
        api_version: None,
        kind: None,
        namespace: None,
        name: None,
    };
    let yaml_error = |ctx: &Ctx<'_>, e: &goyaml::Error, rule: &'static str, sev: Severity| {
        let mut f = ctx.finding(sev, rule, None, String::new(), e.to_string());
        f.line = e.line().map(|l| origin.line(l));
        f.column = e.column();
        f.source_line = e
            .line()
            .and_then(|l| text.lines().nth(l.saturating_sub(1)))
            .map(|l| l.trim_end().to_string());
        if text
            .lines()
            .nth(e.line().unwrap_or(1).saturating_sub(1))
            .is_some_and(|l| l.starts_with('\t') || l.trim_start_matches(' ').starts_with('\t'))
        {
            f.hint = Some("YAML does not allow tabs for indentation; use spaces".into());
        }
        f
    };
    if text.len() > MAX_DOCUMENT_BYTES {
        let f = ctx.finding(
            Severity::Error,
            "document-too-large",
            None,
            String::new(),
            format!("document is {} bytes; the API server accepts at most {MAX_DOCUMENT_BYTES} bytes per request", text.len()),
        );
        out.findings.push(f);
        out.statuses.push(Status::Error);
        return out;
    }
    let opts = goyaml::ParseOptions {
        strict: true,
        ..Default::default()
    };
    let node = match goyaml::parse_with(text, &opts) {
        Ok(n) => n,
        Err(e) if e.kind == goyaml::ErrorKind::Strict && !s.strict => {
            out.findings
                .push(yaml_error(&ctx, &e, "duplicate-key", Severity::Warning));
            match goyaml::parse(text) {
                Ok(n) => n,
                Err(e) => {
                    out.findings
                        .push(yaml_error(&ctx, &e, "yaml", Severity::Error));
                    out.statuses.push(Status::Error);
                    return out;
                }
            }
        }
        Err(e) => {
            let rule = if e.kind == goyaml::ErrorKind::Strict {
                "duplicate-key"
            } else {
                "yaml"
            };
            out.findings
                .push(yaml_error(&ctx, &e, rule, Severity::Error));
            out.statuses.push(Status::Error);
            return out;
        }
    };
    if node.value.is_null() {
        // kubectl skips documents that decode to nothing.
        return out;
    }
    let json = match goyaml::to_json(&node) {
        Ok(j) => j,
        Err(e) => {
            out.findings
                .push(yaml_error(&ctx, &e, "yaml", Severity::Error));
            out.statuses.push(Status::Error);
            return out;
        }
    };
    if !json.is_object() {
        let f = ctx.finding(
            Severity::Error,
            "not-an-object",
            Some(&node),
            String::new(),
            format!(
                "a Kubernetes manifest must be a mapping, found {}",
                json_type(&json)
            ),
        );
        out.findings.push(f);
        out.statuses.push(Status::Error);
        return out;
    }
    let is_list = json.get("apiVersion").and_then(Value::as_str) == Some("v1")
        && json.get("kind").and_then(Value::as_str) == Some("List");
    if is_list {
        set_ident(&mut ctx, &json);
        match json.get("items") {
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let ptr = format!("/items/{i}");
                    let inode = node.pointer(&ptr).unwrap_or(&node);
                    validate_resource(&mut ctx, item, inode, &ptr, s, &mut out);
                }
            }
            Some(Value::Null) | None => {
                // kubectl refuses it: "error validating data: invalid object to validate".
                let f = ctx.finding(
                    Severity::Error,
                    "schema",
                    node.pointer("/items").or(Some(&node)),
                    "/items".into(),
                    "a List needs `items:` as an array (`items: []` when empty); kubectl refuses a List without items".into(),
                );
                out.findings.push(f);
                out.statuses.push(Status::Invalid);
            }
            Some(other) => {
                let f = ctx.finding(
                    Severity::Error,
                    "schema",
                    node.pointer("/items"),
                    "/items".into(),
                    format!("expected array, found {}", json_type(other)),
                );
                out.findings.push(f);
                out.statuses.push(Status::Invalid);
            }
        }
        return out;
    }
    validate_resource(&mut ctx, &json, &node, "", s, &mut out);
    out
}

fn set_ident(ctx: &mut Ctx<'_>, v: &Value) {
    let st = |p: &str| {
        v.pointer(p)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    ctx.api_version = st("/apiVersion");
    ctx.kind = st("/kind");
    ctx.namespace = st("/metadata/namespace");
    ctx.name =
        st("/metadata/name").or_else(|| st("/metadata/generateName").map(|g| format!("{g}*")));
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn short(v: &Value) -> String {
    if v.is_null() {
        return String::new();
    }
    let s = v.to_string();
    if s.chars().count() > 60 {
        let t: String = s.chars().take(57).collect();
        format!("{t}...")
    } else {
        s
    }
}

/// Validates one resource (a document, or an item of a `kind: List`) at `prefix`.
fn validate_resource(
    ctx: &mut Ctx<'_>,
    v: &Value,
    node: &Node,
    prefix: &str,
    s: &DocSettings<'_>,
    out: &mut DocOutcome,
) {
    set_ident(ctx, v);
    if !v.is_object() {
        let f = ctx.finding(
            Severity::Error,
            "not-an-object",
            Some(node),
            prefix.to_string(),
            format!("a resource must be a mapping, found {}", json_type(v)),
        );
        out.findings.push(f);
        out.statuses.push(Status::Error);
        return;
    }
    let api_version = v.get("apiVersion");
    let kind = v.get("kind");
    let missing = |key: &str| match v.get(key) {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        _ => false,
    };
    for key in ["kind", "apiVersion"] {
        if missing(key) {
            let f = ctx.finding(
                Severity::Error,
                if key == "kind" {
                    "missing-kind"
                } else {
                    "missing-apiversion"
                },
                Some(node),
                prefix.to_string(),
                format!("missing '{key}' key"),
            );
            out.findings.push(f);
            out.statuses.push(Status::Error);
            return;
        }
    }
    let (Some(Value::String(api_version)), Some(Value::String(kind))) = (api_version, kind) else {
        let f = ctx.finding(
            Severity::Error,
            "schema",
            Some(node),
            prefix.to_string(),
            "apiVersion and kind must be strings".into(),
        );
        out.findings.push(f);
        out.statuses.push(Status::Error);
        return;
    };
    let gvk = format!("{api_version}/{kind}");
    if s.skip.iter().any(|k| k == kind || *k == gvk) {
        out.statuses.push(Status::Skipped);
        return;
    }
    let idx = s.catalog.index();
    let compiled = match s.catalog.lookup(api_version, kind) {
        Lookup::Found(c) => c,
        Lookup::Broken(msg) => {
            out.findings.push(ctx.finding(
                Severity::Error,
                "schema-error",
                Some(node),
                prefix.to_string(),
                msg,
            ));
            out.statuses.push(Status::Error);
            return;
        }
        Lookup::Missing => {
            let status =
                apis::api_status_minor(idx.minor, api_version, kind).unwrap_or(ApiStatus::Unknown);
            if let ApiStatus::Removed { since, replacement } = status {
                let mut f = ctx.finding(
                    Severity::Error,
                    "removed-api",
                    node.pointer("/apiVersion").or(Some(node)),
                    format!("{prefix}/apiVersion"),
                    format!(
                        "{api_version} {kind} is not served by Kubernetes {}: removed in {since}",
                        idx.version
                    ),
                );
                f.hint = Some(match replacement {
                    Some(r) => format!("use apiVersion: {r}"),
                    None => format!("{kind} has no replacement in this API version set"),
                });
                out.findings.push(f);
                out.statuses.push(Status::Error);
                return;
            }
            if s.ignore_missing {
                out.statuses.push(Status::Skipped);
                return;
            }
            let mut f = ctx.finding(
                Severity::Error,
                "missing-schema",
                node.pointer("/kind").or(Some(node)),
                format!("{prefix}/kind"),
                format!(
                    "could not find schema for {kind} ({api_version}) in Kubernetes {}",
                    idx.version
                ),
            );
            f.hint = Some(
                if idx.kinds.keys().any(|k| {
                    k.rsplit('/')
                        .next()
                        .is_some_and(|x| x.eq_ignore_ascii_case(kind))
                        && !k.ends_with(&format!("/{kind}"))
                }) {
                    let cands: Vec<&str> = idx
                        .kind_keys()
                        .into_iter()
                        .filter(|k| {
                            k.rsplit('/')
                                .next()
                                .is_some_and(|x| x.eq_ignore_ascii_case(kind))
                        })
                        .collect();
                    format!(
                        "kinds are case-sensitive: did you mean {}?",
                        cands.join(" or ")
                    )
                } else if let Some(cands) = Some(
                    idx.kind_keys()
                        .into_iter()
                        .filter(|k| k.ends_with(&format!("/{kind}")))
                        .collect::<Vec<_>>(),
                )
                .filter(|c| !c.is_empty())
                {
                    format!(
                        "{kind} is served as {}",
                        cands
                            .iter()
                            .map(|c| c.rsplit_once('/').map_or(*c, |x| x.0))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                } else {
                    "a custom resource needs its CRD: put it in the chart's crds/ or pass --crd FILE; or skip the kind with --skip KIND".into()
                },
            );
            out.findings.push(f);
            out.statuses.push(Status::Error);
            return;
        }
    };
    let mut status = Status::Valid;
    if !compiled.validator.is_valid(v) {
        let before = out.findings.len();
        schema_findings(ctx, v, node, prefix, s.strict, &compiled.validator, out);
        if out.findings[before..]
            .iter()
            .any(|f| f.severity == Severity::Error)
        {
            status = Status::Invalid;
        }
    }
    let before = out.findings.len();
    let builtin = matches!(compiled.source, super::engine::SchemaSource::BuiltIn);
    extra_checks(ctx, v, node, prefix, kind, builtin, out);
    if out.findings[before..]
        .iter()
        .any(|f| f.severity == Severity::Error)
    {
        status = Status::Invalid;
    }
    if matches!(compiled.source, super::engine::SchemaSource::BuiltIn) {
        match apis::api_status_minor(idx.minor, api_version, kind) {
            Ok(ApiStatus::Deprecated { replacement }) => {
                let mut f = ctx.finding(
                    Severity::Warning,
                    "deprecated-api",
                    node.pointer("/apiVersion"),
                    format!("{prefix}/apiVersion"),
                    format!(
                        "{api_version} {kind} is deprecated in Kubernetes {}",
                        idx.version
                    ),
                );
                f.hint = Some(format!("use apiVersion: {replacement}"));
                out.findings.push(f);
            }
            Ok(ApiStatus::NotServedByDefault) => {
                let mut f = ctx.finding(
                    Severity::Warning,
                    "not-served",
                    node.pointer("/apiVersion"),
                    format!("{prefix}/apiVersion"),
                    format!("{api_version} is not served by a default Kubernetes {} API server (alpha, or beta disabled by default)", idx.version),
                );
                f.hint = Some(format!(
                    "the cluster must enable it with --runtime-config={api_version}=true"
                ));
                out.findings.push(f);
            }
            _ => {}
        }
    }
    out.statuses.push(status);
}

fn join_ptr(prefix: &str, p: &str) -> String {
    format!("{prefix}{p}")
}

fn schema_findings(
    ctx: &Ctx<'_>,
    v: &Value,
    node: &Node,
    prefix: &str,
    strict: bool,
    validator: &jsonschema::Validator,
    out: &mut DocOutcome,
) {
    let mut found: Vec<Finding> = Vec::new();
    let mut type_at: Vec<String> = Vec::new();
    for err in validator.iter_errors(v) {
        let ptr = err.instance_path().as_str().to_string();
        let full = join_ptr(prefix, &ptr);
        let inst = err.instance();
        let at = node
            .pointer(&ptr)
            .or_else(|| Some(node.pointer_nearest(&ptr)));
        match err.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                for name in unexpected {
                    let fptr = format!("{ptr}/{}", goyaml::escape_pointer_token(name));
                    let parent = node.pointer(&ptr).unwrap_or(node);
                    let key = parent.get_key(name);
                    let sev = if strict {
                        Severity::Error
                    } else {
                        Severity::Warning
                    };
                    let mut f = ctx.finding(
                        sev,
                        "unknown-field",
                        key.or(at),
                        join_ptr(prefix, &fptr),
                        format!("unknown field \"{name}\""),
                    );
                    if let Some(k) = key {
                        f.hint = yaml11_key_hint(ctx.text, k);
                    }
                    found.push(f);
                }
            }
            ValidationErrorKind::Type { kind } => {
                let want = type_names(kind);
                let mut f = ctx.finding(
                    Severity::Error,
                    "schema",
                    at,
                    full.clone(),
                    format!("expected {want}, found {} {}", json_type(inst), short(inst))
                        .trim_end()
                        .to_string(),
                );
                if let Some(n) = node.pointer(&ptr) {
                    f.hint = yaml11_value_hint(ctx.text, n, &want);
                }
                type_at.push(full);
                found.push(f);
            }
            ValidationErrorKind::Required { property } => {
                let p = property.as_str().unwrap_or_default();
                let fptr = format!("{full}/{}", goyaml::escape_pointer_token(p));
                found.push(ctx.finding(
                    Severity::Error,
                    "schema",
                    at,
                    fptr,
                    format!("missing required field \"{p}\""),
                ));
            }
            ValidationErrorKind::AnyOf { context } => {
                let mut rule = "schema";
                let mut msg = format!(
                    "{} is not valid under any of the allowed schemas",
                    short(inst)
                );
                let branch_types: Vec<String> = context
                    .iter()
                    .flatten()
                    .filter_map(|e| match e.kind() {
                        ValidationErrorKind::Type { kind } => Some(type_names(kind)),
                        _ => None,
                    })
                    .filter(|t| !t.is_empty())
                    .collect();
                let all_type_errors = context
                    .iter()
                    .flatten()
                    .all(|e| matches!(e.kind(), ValidationErrorKind::Type { .. }));
                if !branch_types.is_empty() && all_type_errors {
                    msg = format!(
                        "expected {}, found {} {}",
                        branch_types.join(" or "),
                        json_type(inst),
                        short(inst)
                    )
                    .trim_end()
                    .to_string();
                }
                for k in context.iter().flatten().map(|e| e.kind()) {
                    let quantity = pattern_is(k, QUANTITY_PATTERN)
                        || matches!(k, ValidationErrorKind::MinLength { .. });
                    if quantity && inst.is_string() {
                        rule = "quantity";
                        msg = quantity_message(inst);
                    }
                    if let ValidationErrorKind::Maximum { limit }
                    | ValidationErrorKind::Minimum { limit } = k
                        && inst.is_number()
                    {
                        rule = "int-range";
                        msg = range_message(inst, limit);
                    }
                }
                found.push(ctx.finding(Severity::Error, rule, at, full, msg));
            }
            ValidationErrorKind::Pattern { pattern } => {
                let (rule, msg) = if pattern == QUANTITY_PATTERN {
                    ("quantity", quantity_message(inst))
                } else if pattern == BASE64_PATTERN {
                    (
                        "base64",
                        format!(
                            "{} is not valid base64 (a []byte field: use stringData, or b64enc)",
                            short(inst)
                        ),
                    )
                } else {
                    (
                        "schema",
                        format!("{} does not match the pattern {pattern}", short(inst)),
                    )
                };
                found.push(ctx.finding(Severity::Error, rule, at, full, msg));
            }
            ValidationErrorKind::Maximum { limit } | ValidationErrorKind::Minimum { limit } => {
                let rule = if is_int_bound(limit) {
                    "int-range"
                } else {
                    "schema"
                };
                let msg = if rule == "int-range" {
                    range_message(inst, limit)
                } else {
                    err.to_string()
                };
                found.push(ctx.finding(Severity::Error, rule, at, full, msg));
            }
            ValidationErrorKind::Constant { expected_value } => {
                found.push(ctx.finding(
                    Severity::Error,
                    "schema",
                    at,
                    full,
                    format!("expected {expected_value}, found {}", short(inst)),
                ));
            }
            ValidationErrorKind::Enum { options } => {
                found.push(ctx.finding(
                    Severity::Error,
                    "schema",
                    at,
                    full,
                    format!("{} is not one of {options}", short(inst)),
                ));
            }
            _ => {
                found.push(ctx.finding(Severity::Error, "schema", at, full, err.to_string()));
            }
        }
    }
    // A type error explains an anyOf failure at the same place.
    found.retain(|f| {
        !(f.rule == "schema"
            && f.message.ends_with("allowed schemas")
            && type_at.contains(&f.pointer))
    });
    out.findings.extend(found);
}

fn pattern_is(k: &ValidationErrorKind, p: &str) -> bool {
    matches!(k, ValidationErrorKind::Pattern { pattern } if pattern == p)
}

fn is_int_bound(limit: &Value) -> bool {
    [i32::MIN as i64, i32::MAX as i64, i64::MIN, i64::MAX]
        .iter()
        .any(|b| limit.as_i64() == Some(*b))
}

fn range_message(inst: &Value, limit: &Value) -> String {
    let ty = match limit.as_i64() {
        Some(b) if b == i32::MAX as i64 || b == i32::MIN as i64 => "int32",
        _ => "int64",
    };
    format!("{} is out of range for {ty}", short(inst))
}

fn quantity_message(inst: &Value) -> String {
    format!(
        "{} is not a valid quantity: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' with a suffix of Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or an exponent",
        short(inst)
    )
}

fn type_names(kind: &TypeKind) -> String {
    let names: Vec<String> = match kind {
        TypeKind::Single(t) => vec![t.to_string()],
        TypeKind::Multiple(ts) => ts.iter().map(|t| t.to_string()).collect(),
    };
    let names: Vec<String> = names.into_iter().filter(|n| n != "null").collect();
    names.join(" or ")
}

/// The raw scalar text at a node (up to the end of the line, a comment, or a flow
/// delimiter).
fn raw_token<'t>(text: &'t str, n: &Node) -> Option<&'t str> {
    let rest = text.get(n.span.offset..)?;
    let line = rest.split('\n').next()?;
    let mut end = line.len();
    if let Some(i) = line.find(" #") {
        end = end.min(i);
    }
    for d in [',', ']', '}'] {
        if let Some(i) = line.find(d) {
            end = end.min(i);
        }
    }
    // A mapping key's raw text ends at ':'.
    Some(line[..end].trim_end())
}

const BOOL_WORDS: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
    "OFF", "true", "True", "TRUE", "false", "False", "FALSE",
];

fn yaml11_value_hint(text: &str, n: &Node, want: &str) -> Option<String> {
    let raw = raw_token(text, n)?;
    if raw.starts_with(['"', '\'']) {
        if want.contains("integer") || want.contains("number") || want.contains("boolean") {
            return Some(format!(
                "{raw} is quoted, so it is a string; remove the quotes"
            ));
        }
        return None;
    }
    if !want.contains("string") {
        return None;
    }
    match &n.value {
        Y::Bool(b) if BOOL_WORDS.contains(&raw) => Some(format!(
            "unquoted `{raw}` is the boolean {b} in YAML 1.1; quote it: \"{raw}\""
        )),
        Y::Int(i)
            if raw.len() > 1
                && raw.starts_with('0')
                && raw[1..].bytes().all(|c| c.is_ascii_digit()) =>
        {
            Some(format!(
                "unquoted `{raw}` is the octal number {i} in YAML 1.1; quote it: \"{raw}\""
            ))
        }
        Y::Int(_) | Y::Uint(_) | Y::Float(_) => {
            Some(format!("unquoted `{raw}` is a number; quote it: \"{raw}\""))
        }
        Y::Null => None,
        _ => None,
    }
}

fn yaml11_key_hint(text: &str, k: &Node) -> Option<String> {
    let raw = raw_token(text, k)?;
    let raw = raw.split(':').next()?.trim();
    match &k.value {
        Y::Bool(b)
            if BOOL_WORDS.contains(&raw)
                && !raw.eq_ignore_ascii_case("true")
                && !raw.eq_ignore_ascii_case("false") =>
        {
            Some(format!(
                "the unquoted key `{raw}` is the boolean {b} in YAML 1.1 (the key becomes \"{b}\"); quote it: \"{raw}\""
            ))
        }
        _ => None,
    }
}

/// Checks the API server makes that no schema states.
fn extra_checks(
    ctx: &Ctx<'_>,
    v: &Value,
    node: &Node,
    prefix: &str,
    kind: &str,
    builtin: bool,
    out: &mut DocOutcome,
) {
    let api_version = v.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    for p in super::semantic::check(api_version, kind, v, builtin) {
        let at = node
            .pointer(&p.pointer)
            .unwrap_or_else(|| node.pointer_nearest(&p.pointer));
        let f = ctx.finding(
            Severity::Error,
            "api-server",
            Some(at),
            join_ptr(prefix, &p.pointer),
            p.message,
        );
        out.findings.push(f);
    }
    // metadata.name or generateName (virtual create-only kinds have no name).
    let nameless_ok = kind.ends_with("Review")
        || kind.ends_with("List")
        || api_version.starts_with("authentication.k8s.io")
        || api_version.starts_with("authorization.k8s.io");
    let has = |p: &str| {
        v.pointer(p)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    if !nameless_ok && !has("/metadata/name") && !has("/metadata/generateName") {
        let at = node.pointer("/metadata").unwrap_or(node);
        let f = ctx.finding(
            Severity::Error,
            "name-required",
            Some(at),
            format!("{prefix}/metadata/name"),
            "metadata.name or metadata.generateName is required".into(),
        );
        out.findings.push(f);
    }
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    if group.is_empty() && (kind == "ConfigMap" || kind == "Secret") {
        let mut total: usize = 0;
        let mut add_map = |key: &str, decode: bool, count_keys: bool| {
            if let Some(Value::Object(m)) = v.get(key) {
                for (k, x) in m {
                    if let Some(s) = x.as_str() {
                        total += if decode { s.len() / 4 * 3 } else { s.len() };
                        if count_keys {
                            total += k.len();
                        }
                    }
                }
            }
        };
        if kind == "ConfigMap" {
            add_map("data", false, true);
            add_map("binaryData", true, true);
        } else {
            add_map("data", true, false);
            add_map("stringData", false, false);
        }
        if total > MAX_DATA_BYTES {
            let f = ctx.finding(
                Severity::Error,
                "data-too-large",
                Some(node.pointer("/data").unwrap_or(node)),
                format!("{prefix}/data"),
                format!("{kind} data is {total} bytes; the API server allows at most {MAX_DATA_BYTES} bytes"),
            );
            out.findings.push(f);
        }
    }
}
