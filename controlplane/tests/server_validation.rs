//! Server-side validation vs our offline validator, on the schema test suite
//! (`tests/manifests/`, expectations in `#! verdict:` headers, checked offline by
//! `chart-lint/tests/schema_manifests.rs`).
//!
//! Each file is sent to a real kube-apiserver with `kubectl create --dry-run=server
//! --validate=strict` (the request carries `fieldValidation=Strict`; `--validate=ignore` for
//! `no-strict` cases). CRDs named by `crd=` options are installed first; namespaces the files
//! use are created. Every disagreement must be listed in [`EXPLAINED`] with its reason; the
//! table of all verdicts is written to `$CARGO_TARGET_TMPDIR/server-vs-offline.txt`.
//! FAILS (never skips) when the control-plane binaries are missing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use controlplane::{Binaries, ControlPlane};

/// Files where the apiserver and the offline validator disagree, and why.
const EXPLAINED: &[(&str, &str)] = &[
    (
        "cr-crd-in-same-stream.yaml",
        "a dry run does not install the CRD, so the server cannot know the custom resource's kind; offline we read CRDs from the same stream",
    ),
    (
        "cr-without-crd.yaml",
        "no CRD on the server: it answers `no matches for kind`; offline this is the expected error too unless ignore-missing",
    ),
];

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/manifests")
}

struct Case {
    file: PathBuf,
    verdict: String,
    options: Vec<String>,
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(suite()) else {
        panic!("schema suite {} not found", suite().display());
    };
    let mut files: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    for file in files {
        let bytes = std::fs::read(&file).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        let mut verdict = "valid".to_string();
        let mut options = Vec::new();
        for line in text.lines() {
            if let Some(v) = line.strip_prefix("#! verdict:") {
                verdict = v.trim().to_string();
            }
            if let Some(v) = line.strip_prefix("#! options:") {
                options = v.split(',').map(|s| s.trim().to_string()).collect();
            }
        }
        out.push(Case {
            file,
            verdict,
            options,
        });
    }
    out
}

#[test]
#[ignore = "not yet run to completion: the EXPLAINED list is unverified; run with --ignored"]
fn server_dry_run_agrees_with_offline_verdicts() {
    let bins = Binaries::locate(None).unwrap_or_else(|e| panic!("{e}"));
    let plane = ControlPlane::builder()
        .binaries(bins)
        .start()
        .expect("control plane starts");
    let cases = cases();
    assert!(cases.len() > 20, "suite too small: {}", cases.len());

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
            if let Some(ns) = line.trim().strip_prefix("namespace:") {
                let ns = ns.trim().trim_matches('"').trim_matches('\'');
                if !ns.is_empty()
                    && ns
                        .chars()
                        .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
                {
                    namespaces.insert(ns.to_string());
                }
            }
        }
    }
    for crd in &crds {
        let out = plane
            .kubectl()
            .arg("apply")
            .arg("-f")
            .arg(crd)
            .output()
            .unwrap();
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
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for ns in &namespaces {
        let _ = plane.kubectl().args(["create", "namespace", ns]).output();
    }

    let mut table = String::new();
    let mut unexplained = Vec::new();
    let mut compared = 0;
    for c in &cases {
        let name = c.file.file_name().unwrap().to_string_lossy().into_owned();
        let other_version = c.options.iter().any(|o| o.starts_with("kube-version="));
        let skips = c.options.iter().any(|o| o.starts_with("skip="));
        if other_version || skips {
            table.push_str(&format!(
                "{name:50} offline {:8} server n/a (options {:?})\n",
                c.verdict, c.options
            ));
            continue;
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
            .unwrap();
        let server = if out.status.success() {
            "valid"
        } else {
            "invalid"
        };
        let offline = if c.verdict == "valid" {
            "valid"
        } else {
            "invalid"
        };
        let msg = String::from_utf8_lossy(&out.stderr)
            .lines()
            .next()
            .unwrap_or("")
            .to_string();
        compared += 1;
        let agree = server == offline;
        table.push_str(&format!(
            "{name:50} offline {:8} server {server:8} {}{}\n",
            c.verdict,
            if agree { "" } else { "DIFFERENT " },
            msg
        ));
        if !agree && !EXPLAINED.iter().any(|(f, _)| *f == name) {
            unexplained.push(format!(
                "{name}: offline {} / server {server}: {msg}",
                c.verdict
            ));
        }
    }
    table.push_str("\nexplained differences:\n");
    for (f, why) in EXPLAINED {
        table.push_str(&format!("  {f}: {why}\n"));
    }
    let report = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("server-vs-offline.txt");
    let _ = std::fs::write(&report, &table);
    eprintln!(
        "{table}\n{compared} files compared; table in {}",
        report.display()
    );
    plane.stop().expect("stop");
    assert!(
        unexplained.is_empty(),
        "unexplained differences:\n{}",
        unexplained.join("\n")
    );
}
