//! Lint findings as text (rustc-style), JSON lines, and SARIF 2.1.0 (GitHub code scanning).

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use super::{ALL_RULES, Finding, Severity};

/// rustc-style block:
/// ```text
/// warning[KT0201]: container `app` of Deployment/web uses `nginx:latest`: `latest` is not a version
///   --> demo/templates/deployment.yaml:24:11
///    |
/// 24 |           image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
///    |           ^
///    = help: pin a tag or digest
/// ```
pub fn human(f: &Finding) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}[{}]: {}", f.severity, f.code, f.message);
    let w = f.line.map_or(1, |l| l.to_string().len());
    let pad = " ".repeat(w);
    let _ = writeln!(out, "{pad}--> {}", f.location());
    if let (Some(line), Some(src)) = (f.line, &f.snippet) {
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{line} | {src}");
        let col = f.column.unwrap_or(1).max(1);
        let _ = writeln!(out, "{pad} | {}^", " ".repeat(col - 1));
    }
    if let Some(r) = &f.resource {
        let _ = writeln!(
            out,
            "{pad} = resource: {r}{}",
            f.pointer
                .as_deref()
                .map(|p| format!(" at {p}"))
                .unwrap_or_default()
        );
    }
    if let Some(h) = &f.help {
        for (i, l) in h.lines().enumerate() {
            if i == 0 {
                let _ = writeln!(out, "{pad} = help: {l}");
            } else {
                let _ = writeln!(out, "{pad}         {l}");
            }
        }
    }
    out
}

/// One JSON object per finding (for `--message-format json`).
pub fn json(f: &Finding) -> Json {
    json!({
        "reason": "lint-finding",
        "code": f.code,
        "rule": f.rule,
        "severity": f.severity.as_str(),
        "message": f.message,
        "chart": f.chart,
        "file": f.file,
        "line": f.line,
        "column": f.column,
        "resource": f.resource,
        "pointer": f.pointer,
        "help": f.help,
    })
}

/// A SARIF 2.1.0 log of `findings` (validated against the official OASIS schema by
/// `chart-lint/tests/lint_rules.rs`). `chart_roots` maps a finding to its file path relative
/// to the repository root (e.g. `charts/demo/templates/x.yaml`), which GitHub code scanning
/// needs to annotate the line in a pull request: a relative path becomes an
/// `artifactLocation.uri` (percent-encoded) with `uriBaseId` `%SRCROOT%`; an absolute path
/// becomes a `file://` URI. Every result has a `region.startLine` (1 for whole-file findings).
pub fn sarif(findings: &[Finding], chart_roots: &dyn Fn(&Finding) -> String) -> Json {
    let rules: Vec<Json> = ALL_RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": kebab_to_pascal(r.name),
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.summary },
                "help": { "text": r.doc, "markdown": r.doc },
                "defaultConfiguration": { "level": level(r.severity) },
                "properties": { "tags": [format!("{:?}", r.family).to_lowercase()] },
            })
        })
        .collect();
    let results: Vec<Json> = findings
        .iter()
        .map(|f| {
            let mut region = serde_json::Map::new();
            region.insert("startLine".into(), json!(f.line.unwrap_or(1).max(1)));
            if f.line.is_some() {
                if let Some(c) = f.column {
                    region.insert("startColumn".into(), json!(c.max(1)));
                }
                if let Some(s) = &f.snippet {
                    region.insert("snippet".into(), json!({ "text": s }));
                }
            }
            let physical = json!({
                "artifactLocation": artifact_location(&chart_roots(f)),
                "region": region,
            });
            let mut text = f.message.clone();
            if let Some(first) = f.help.as_deref().and_then(|h| h.lines().next()) {
                text.push_str(&format!(" (help: {first})"));
            }
            let mut r = json!({
                "ruleId": f.code,
                "level": level(f.severity),
                "message": { "text": text },
                "locations": [{ "physicalLocation": physical }],
            });
            if let Some(idx) = ALL_RULES.iter().position(|r| r.code == f.code) {
                r["ruleIndex"] = json!(idx);
            }
            if let Some(res) = &f.resource {
                r["locations"][0]["logicalLocations"] =
                    json!([{ "name": res, "kind": "resource" }]);
            }
            r
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "cargo-kindtest",
                    "informationUri": "https://example.invalid/cargo-kindtest",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "results": results,
        }]
    })
}

/// `charts/my chart/x.yaml` → `{"uri": "charts/my%20chart/x.yaml", "uriBaseId": "%SRCROOT%"}`;
/// `/abs/x.yaml` → `{"uri": "file:///abs/x.yaml"}`.
fn artifact_location(path: &str) -> Json {
    let path = path.trim_start_matches("./");
    let encoded = percent_encode_path(path);
    if path.starts_with('/') {
        json!({ "uri": format!("file://{encoded}") })
    } else {
        json!({ "uri": encoded, "uriBaseId": "%SRCROOT%" })
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `/` (UTF-8 bytes).
fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn kebab_to_pascal(s: &str) -> String {
    s.split('-')
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// `N errors, M warnings` summary line.
pub fn summary(findings: &[Finding], charts: usize, documents: usize) -> String {
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    format!(
        "Summary: {charts} chart{} checked, {documents} resource{} rendered - errors: {errors}, warnings: {warnings}",
        if charts == 1 { "" } else { "s" },
        if documents == 1 { "" } else { "s" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{Finding, IMAGE_TAG};

    #[test]
    fn human_output_has_location_snippet_and_caret() {
        let mut f = Finding::new(IMAGE_TAG, "demo", "demo/templates/d.yaml", "bad image")
            .at(Some(12), Some(5));
        f.snippet = Some("    image: x".into());
        let s = human(&f);
        assert!(
            s.starts_with("warning[KT0201]: bad image\n  --> demo/templates/d.yaml:12:5\n"),
            "{s}"
        );
        let g = Finding::new(IMAGE_TAG, "demo", "d.yaml", "x").at(Some(5), Some(1));
        assert!(human(&g).contains(" --> d.yaml:5:1\n"), "{}", human(&g));
        assert!(s.contains("12 |     image: x\n   |     ^\n"), "{s}");
    }

    #[test]
    fn sarif_has_rules_and_results() {
        let f =
            Finding::new(IMAGE_TAG, "demo", "demo/templates/d.yaml", "bad").at(Some(3), Some(1));
        let s = sarif(&[f], &|f| format!("charts/{}", f.file));
        assert_eq!(s["version"], "2.1.0");
        assert_eq!(s["runs"][0]["results"][0]["ruleId"], "KT0201");
        assert_eq!(
            s["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "charts/demo/templates/d.yaml"
        );
        assert_eq!(
            s["runs"][0]["tool"]["driver"]["rules"]
                .as_array()
                .unwrap()
                .len(),
            ALL_RULES.len()
        );
    }

    #[test]
    fn sarif_uris_are_encoded_and_every_result_has_a_line() {
        let f = Finding::new(IMAGE_TAG, "demo", "my chart/Chart.yaml", "x");
        let s = sarif(std::slice::from_ref(&f), &|f| {
            format!("./charts/{}", f.file)
        });
        let loc = &s["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
        assert_eq!(
            loc["artifactLocation"]["uri"],
            "charts/my%20chart/Chart.yaml"
        );
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(loc["region"]["startLine"], 1);
        assert!(loc["region"].get("startColumn").is_none());
        let s = sarif(&[f], &|_| "/tmp/é/x.yaml".into());
        let loc = &s["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "file:///tmp/%C3%A9/x.yaml");
        assert!(loc["artifactLocation"].get("uriBaseId").is_none());
    }
}
