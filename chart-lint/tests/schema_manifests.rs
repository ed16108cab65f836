//! The manifest suite: every file in `tests/manifests/` (top level) is validated and checked
//! against the expectations in its `#!` header lines:
//!
//! ```text
//! #! options: no-strict, kube-version=1.30, crd=crds/widgets.yaml, skip=Kind, ignore-missing
//! #! verdict: valid | invalid | error        (default: valid)
//! #! resources: N    #! skipped: N
//! #! finding: RULE [FILE:]LINE? : MESSAGE-SUBSTRING      (an error finding)
//! #! warning: RULE [FILE:]LINE? : MESSAGE-SUBSTRING      (a warning finding)
//! #! hint: SUBSTRING                                      (some finding's hint)
//! ```
//!
//! A file without `#!` lines must be valid with no findings.

use chart_lint::schema::{CrdSet, Finding, Input, ManifestValidator, Options, Severity};
use std::path::{Path, PathBuf};

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/manifests")
}

/// (severity, rule, file, line, message substring)
type ExpectedFinding = (Severity, String, Option<String>, Option<usize>, String);

#[derive(Default, Debug)]
struct Expect {
    options: Vec<String>,
    verdict: Option<String>,
    resources: Option<usize>,
    skipped: Option<usize>,
    findings: Vec<ExpectedFinding>,
    hints: Vec<String>,
}

fn parse_header(bytes: &[u8]) -> Expect {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut e = Expect::default();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("#! ") else {
            continue;
        };
        let (key, val) = rest.split_once(':').unwrap_or((rest, ""));
        let val = val.trim();
        match key {
            "options" => e.options = val.split(',').map(|s| s.trim().to_string()).collect(),
            "verdict" => e.verdict = Some(val.to_string()),
            "resources" => e.resources = val.parse().ok(),
            "skipped" => e.skipped = val.parse().ok(),
            "hint" => e.hints.push(val.to_string()),
            "finding" | "warning" => {
                let sev = if key == "finding" {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                // RULE [FILE:]LINE? : MESSAGE
                let (head, msg) = val.split_once(" : ").unwrap_or((val, ""));
                let mut parts = head.split_whitespace();
                let rule = parts.next().unwrap_or_default().to_string();
                let (file, line) = match parts.next() {
                    None => (None, None),
                    Some(loc) => match loc.rsplit_once(':') {
                        Some((f, l)) => (Some(f.to_string()), l.parse().ok()),
                        None => (None, loc.parse().ok()),
                    },
                };
                e.findings
                    .push((sev, rule, file, line, msg.trim().to_string()));
            }
            other => panic!("unknown header key {other:?}"),
        }
    }
    e
}

fn run_case(path: &Path) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let exp = parse_header(&bytes);
    let mut opts = Options {
        threads: 1,
        ..Options::default()
    };
    let mut crds = CrdSet::new();
    for o in &exp.options {
        match o.split_once('=') {
            _ if o == "no-strict" => opts.strict = false,
            _ if o == "ignore-missing" => opts.ignore_missing_schemas = true,
            Some(("kube-version", v)) => opts.kube_version = v.to_string(),
            Some(("skip", v)) => opts.skip.push(v.to_string()),
            Some(("crd", v)) => {
                crds.add_path(&suite_dir().join(v))
                    .map_err(|e| e.to_string())?;
            }
            _ => return Err(format!("unknown option {o:?}")),
        }
    }
    opts.crds = crds;
    let mut v = ManifestValidator::new(opts).map_err(|e| e.to_string())?;
    let mut findings: Vec<Finding> = Vec::new();
    let sum = v.validate_inputs(&[Input::Path(path.to_path_buf())], &mut |f| {
        findings.push(f)
    });
    let dump = || {
        findings
            .iter()
            .map(|f| format!("    {}", f.render_short()))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let verdict = if sum.errors > 0 {
        "error"
    } else if sum.invalid > 0 {
        "invalid"
    } else {
        "valid"
    };
    let want = exp.verdict.as_deref().unwrap_or("valid");
    if verdict != want {
        return Err(format!(
            "verdict {verdict}, expected {want}; {}\n{}",
            sum.line(),
            dump()
        ));
    }
    if let Some(n) = exp.resources
        && sum.resources != n
    {
        return Err(format!(
            "{} resources, expected {n}\n{}",
            sum.resources,
            dump()
        ));
    }
    if let Some(n) = exp.skipped
        && sum.skipped != n
    {
        return Err(format!("{} skipped, expected {n}", sum.skipped));
    }
    if exp.findings.is_empty() && exp.verdict.is_none() && !findings.is_empty() {
        return Err(format!("expected no findings\n{}", dump()));
    }
    for (sev, rule, file, line, msg) in &exp.findings {
        let hit = findings.iter().any(|f| {
            f.severity == *sev
                && f.rule == rule
                && f.message.contains(msg.as_str())
                && line.is_none_or(|l| f.line == Some(l))
                && file.as_ref().is_none_or(|p| &f.file == p)
        });
        if !hit {
            return Err(format!(
                "no {} finding `{rule}` {}{}: {msg:?}\n{}",
                sev.as_str(),
                file.clone().map(|f| f + ":").unwrap_or_default(),
                line.map(|l| l.to_string()).unwrap_or_default(),
                dump()
            ));
        }
    }
    for h in &exp.hints {
        if !findings
            .iter()
            .any(|f| f.hint.as_deref().is_some_and(|x| x.contains(h.as_str())))
        {
            return Err(format!(
                "no hint containing {h:?}\n{}",
                findings
                    .iter()
                    .map(|f| format!("    {:?}", f.hint))
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
    }
    // Every finding carries the document index and, for resources, the file.
    for f in &findings {
        if f.file.is_empty() {
            return Err(format!("finding without file: {}", f.render_short()));
        }
    }
    Ok(())
}

#[test]
fn manifest_suite() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(suite_dir())
        .expect("tests/manifests")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        // README.md documents the suite; cases are YAML or JSON files
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 60, "the suite has {} cases", files.len());
    let mut failures = Vec::new();
    for f in &files {
        if let Err(e) = run_case(f) {
            failures.push(format!(
                "{}: {e}",
                f.file_name().and_then(|n| n.to_str()).unwrap_or("?")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}
