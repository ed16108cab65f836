//! Server-side validation vs our offline validator, on the schema test suite
//! (`tests/manifests/`, whose `#!` headers are checked offline by
//! `chart-lint/tests/schema_manifests.rs`).
//!
//! Every top-level case file is
//! - validated offline with `chart_lint::schema::ManifestValidator` and the file's `#! options`
//!   (strict unless `no-strict`, CRDs named by `crd=`), and
//! - sent to a real kube-apiserver (v1.36.4) as `kubectl create --dry-run=server
//!   --validate=strict -f FILE` (`fieldValidation=Strict`; `--validate=ignore` for `no-strict`
//!   cases), after the CRDs the suite names are installed and the namespaces the files use exist.
//!
//! Verdicts are compared as accepted/rejected. Every disagreement must be listed in
//! [`EXPLAINED`] with its reason (also in `tests/manifests/README.md`, "Server vs offline"),
//! and every listed file must still disagree — the list cannot go stale silently. Cases
//! validated offline against another Kubernetes version (`kube-version=`) or with kinds skipped
//! (`skip=`) have no server counterpart and are listed as n/a. The table of all verdicts is
//! written to `$CARGO_TARGET_TMPDIR/server-vs-offline.txt`.
//! FAILS (never skips) when the control-plane binaries are missing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use chart_lint::schema::{CrdSet, Input, ManifestValidator, Options};
use controlplane::{Binaries, ControlPlane};

/// Files where the apiserver and the offline validator disagree, and why.
const EXPLAINED: &[(&str, &str)] = &[
    (
        "duplicate-key.yaml",
        "kubectl decodes the YAML into an object before sending it, so the duplicated key is gone (the later value wins) and the server's strict duplicate-field check never sees it; offline we report it because the earlier value is silently lost",
    ),
    (
        "key-on-and-y.yaml",
        "YAML 1.1 reads the keys `on` and `y` both as `true`: a duplicate key. kubectl's client-side YAML decoding collapses it (last wins) before the request; the apiserver itself rejects the raw YAML body with the same `key true already set in map` (measured with Content-Type: application/yaml)",
    ),
    (
        "merge-key-override-strict.yaml",
        "same as duplicate-key.yaml: the key repeated next to a `<<` merge is collapsed by kubectl's YAML decoding before the request",
    ),
    (
        "moderate-nesting-ok.yaml",
        "the CRD and its custom resource are in the same stream: a dry run does not install the CRD, so the server cannot map the kind (`no matches for kind`); offline the CRD of the stream validates the resource",
    ),
    (
        "quantity-valid-forms.yaml",
        "the quantities are well-formed (what the schema checks), but the LimitRange's defaultRequest (12E) exceeds its max (1Gi): a cross-field rule of the apiserver's LimitRange validation that no OpenAPI schema expresses",
    ),
];

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/manifests")
}

struct Case {
    file: PathBuf,
    name: String,
    header: String,
    options: Vec<String>,
}

fn cases() -> Vec<Case> {
    let rd = std::fs::read_dir(suite())
        .unwrap_or_else(|e| panic!("schema suite {}: {e}", suite().display()));
    let mut files: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let text =
                String::from_utf8_lossy(&std::fs::read(&file).unwrap_or_default()).into_owned();
            let mut header = "valid".to_string();
            let mut options = Vec::new();
            for line in text.lines() {
                if let Some(v) = line.strip_prefix("#! verdict:") {
                    header = v.trim().to_string();
                }
                if let Some(v) = line.strip_prefix("#! options:") {
                    options = v.split(',').map(|s| s.trim().to_string()).collect();
                }
            }
            Case {
                name: file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                file,
                header,
                options,
            }
        })
        .collect()
}

/// Our offline verdict: `valid`, `invalid` or `error`, and the first error finding.
fn offline(c: &Case) -> (String, String) {
    let mut opts = Options {
        threads: 1,
        ..Options::default()
    };
    let mut crds = CrdSet::new();
    for o in &c.options {
        match o.split_once('=') {
            _ if o == "no-strict" => opts.strict = false,
            _ if o == "ignore-missing" => opts.ignore_missing_schemas = true,
            Some(("kube-version", v)) => opts.kube_version = v.to_string(),
            Some(("skip", v)) => opts.skip.push(v.to_string()),
            Some(("crd", v)) => {
                crds.add_path(&suite().join(v))
                    .unwrap_or_else(|e| panic!("{}: crd {v}: {e}", c.name));
            }
            _ => panic!("{}: unknown option {o:?}", c.name),
        }
    }
    opts.crds = crds;
    let mut v = ManifestValidator::new(opts).unwrap_or_else(|e| panic!("{}: {e}", c.name));
    let mut first = String::new();
    let sum = v.validate_inputs(&[Input::Path(c.file.clone())], &mut |f| {
        if first.is_empty() && f.severity == chart_lint::schema::Severity::Error {
            first = f.render_short();
        }
    });
    let verdict = if sum.errors > 0 {
        "error"
    } else if sum.invalid > 0 {
        "invalid"
    } else {
        "valid"
    };
    (verdict.to_string(), first)
}

fn one_line(s: &str) -> String {
    let s: Vec<&str> = s
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("Warning:"))
        .collect();
    let s = s.join(" | ");
    if s.len() > 160 {
        let mut end = 160;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &s[..end])
    } else {
        s
    }
}

/// The server's verdict on a case: `(accepted, message)`; `None` when the case's offline
/// options have no server counterpart (another Kubernetes version, skipped kinds, missing
/// schemas ignored). kubectl's "no objects passed to create" (a file without objects) counts
/// as accepted with that message: there is nothing to reject.
fn server(plane: &ControlPlane, c: &Case) -> Option<(bool, String)> {
    if c.options
        .iter()
        .any(|o| o.starts_with("kube-version=") || o.starts_with("skip=") || o == "ignore-missing")
    {
        return None;
    }
    let validate = if c.options.iter().any(|o| o == "no-strict") {
        "--validate=ignore"
    } else {
        "--validate=strict"
    };
    let out = plane
        .kubectl()
        .args(["create", "--dry-run=server", validate, "-o", "name", "-f"])
        .arg(&c.file)
        .stdin(Stdio::null())
        .output()
        .expect("kubectl runs");
    let msg = one_line(&String::from_utf8_lossy(&out.stderr));
    if out.status.success() {
        Some((true, String::new()))
    } else if msg == "error: no objects passed to create" {
        Some((true, msg))
    } else {
        Some((false, msg))
    }
}

#[test]
fn server_dry_run_agrees_with_offline_verdicts() {
    let bins = Binaries::locate(None).unwrap_or_else(|e| panic!("{e}"));
    let cases = cases();
    assert!(cases.len() > 20, "suite too small: {}", cases.len());
    let plane = ControlPlane::builder()
        .binaries(bins)
        .start()
        .expect("control plane starts");

    // CRDs named by options, and namespaces the files mention.
    let mut crds = BTreeSet::new();
    let mut namespaces = BTreeSet::new();
    for c in &cases {
        for o in &c.options {
            if let Some(f) = o.strip_prefix("crd=") {
                crds.insert(suite().join(f));
            }
        }
        let text =
            String::from_utf8_lossy(&std::fs::read(&c.file).unwrap_or_default()).into_owned();
        for line in text.lines() {
            let t = line.trim().trim_start_matches('{').trim();
            for part in t.split(',') {
                if let Some(ns) = part.trim().strip_prefix("namespace:") {
                    let ns = ns.trim().trim_matches(['"', '\'', '}', ' ']);
                    if !ns.is_empty()
                        && ns.len() < 64
                        && ns
                            .chars()
                            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
                    {
                        namespaces.insert(ns.to_string());
                    }
                }
            }
        }
    }
    for ns in &namespaces {
        let _ = plane.kubectl().args(["create", "namespace", ns]).output();
    }
    // Cases that name no CRD run before any CRD is installed (so a custom resource without
    // its CRD meets a server that does not know it either).
    let mut results: Vec<Option<(bool, String)>> = cases.iter().map(|_| None).collect();
    for (i, c) in cases.iter().enumerate() {
        if !c.options.iter().any(|o| o.starts_with("crd=")) {
            results[i] = server(&plane, c);
        }
    }
    for crd in &crds {
        let out = plane
            .kubectl()
            .arg("apply")
            .arg("-f")
            .arg(crd)
            .output()
            .expect("kubectl runs");
        assert!(
            out.status.success(),
            "{}: {}",
            crd.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    if !crds.is_empty() {
        let out = plane
            .kubectl()
            .args([
                "wait",
                "--for=condition=Established",
                "crd",
                "--all",
                "--timeout=60s",
            ])
            .output()
            .expect("kubectl runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for (i, c) in cases.iter().enumerate() {
        if c.options.iter().any(|o| o.starts_with("crd=")) {
            results[i] = server(&plane, c);
        }
    }

    let mut table = String::new();
    let mut unexplained = Vec::new();
    let mut differing = BTreeSet::new();
    let (mut compared, mut na) = (0, 0);
    for (c, result) in cases.iter().zip(&results) {
        let (off, off_msg) = offline(c);
        let Some((accepted, server_msg)) = result else {
            na += 1;
            table.push_str(&format!(
                "{:44} offline {off:8} server n/a      (offline options {:?})\n",
                c.name, c.options
            ));
            continue;
        };
        let server = if !accepted {
            "rejected"
        } else if server_msg.is_empty() {
            "valid"
        } else {
            "empty"
        };
        let off_accepts = off == "valid";
        let agree = off_accepts == *accepted;
        compared += 1;
        table.push_str(&format!(
            "{:44} offline {off:8} server {server:8} {}{}\n",
            c.name,
            if agree { "" } else { "DIFFERENT  " },
            if agree {
                String::new()
            } else {
                format!("offline: {} | server: {server_msg}", one_line(&off_msg))
            }
        ));
        if off != c.header {
            table.push_str(&format!(
                "{:44} (note: header says {}, offline now says {off})\n",
                "", c.header
            ));
        }
        if !agree {
            differing.insert(c.name.clone());
            if !EXPLAINED.iter().any(|(f, _)| *f == c.name) {
                unexplained.push(format!(
                    "{}: offline {off} ({}) / server {server} ({server_msg})",
                    c.name,
                    one_line(&off_msg)
                ));
            }
        }
    }
    let stale: Vec<&str> = EXPLAINED
        .iter()
        .map(|(f, _)| *f)
        .filter(|f| !differing.contains(*f))
        .collect();
    table.push_str(&format!(
        "\n{compared} compared, {} differ ({} explained), {na} n/a\nexplained differences:\n",
        differing.len(),
        differing.len() - unexplained.len()
    ));
    for (f, why) in EXPLAINED {
        table.push_str(&format!("  {f}: {why}\n"));
    }
    let report = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("server-vs-offline.txt");
    let _ = std::fs::write(&report, &table);
    eprintln!("{table}\ntable in {}", report.display());
    plane.stop().expect("stop");
    assert!(
        unexplained.is_empty(),
        "unexplained differences (add them to EXPLAINED and tests/manifests/README.md):\n{}",
        unexplained.join("\n")
    );
    assert!(
        stale.is_empty(),
        "listed as different but the verdicts now agree (remove them from EXPLAINED): {stale:?}"
    );
}
