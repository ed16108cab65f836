//! The build.rs API: `cargo build` fails on a broken chart.
//!
//! ```no_run
//! // build.rs
//! fn main() {
//!     chart_lint::build::Lint::new()
//!         .chart("../charts/demo")
//!         .values("../values/e2e.yaml")
//!         .run_or_exit();
//! }
//! ```
//!
//! What it does:
//! * prints `cargo:rerun-if-changed` for every file it reads (and the chart directories, so a
//!   new template also re-runs it), so a no-op rebuild does not run the build script again;
//! * renders each chart with its default values and once per values file, validates the
//!   result against the Kubernetes schemas and runs the lint rules ([`crate::lint`]);
//! * prints each warning as `cargo:warning=file:line:col: warning[KT…]: message`;
//! * on errors, prints the rustc-style report to stderr and exits with status 1, which fails
//!   the build.
//!
//! Levels come from `[workspace.metadata.kindtest.lint]` of the enclosing workspace's
//! `Cargo.toml` (found by walking up from `CARGO_MANIFEST_DIR`), or [`Lint::config`].
//!
//! Cost: chart-lint has no tokio, kube or proc-macro dependency; see README ("build.rs") for
//! the measured compile time.

#![allow(clippy::needless_doctest_main)] // the example is a whole build.rs

use std::path::{Path, PathBuf};

use crate::lint::{Finding, LintConfig, LintOptions, LintReport, Severity, lint_chart, output};

/// A build-script lint run.
#[derive(Clone, Debug, Default)]
pub struct Lint {
    charts: Vec<PathBuf>,
    values: Vec<PathBuf>,
    kube_version: Option<String>,
    config: Option<LintConfig>,
    deny_warnings: bool,
    emit_cargo: bool,
}

/// What a run found.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Findings of every chart × values combination (deduplicated).
    pub findings: Vec<Finding>,
    /// Every file read.
    pub files_read: Vec<PathBuf>,
}

impl Outcome {
    /// Whether the build should fail.
    pub fn failed(&self, deny_warnings: bool) -> bool {
        self.findings.iter().any(|f| {
            f.severity == Severity::Error || (deny_warnings && f.severity == Severity::Warning)
        })
    }
}

impl Lint {
    /// A new run that prints `cargo:` directives.
    pub fn new() -> Lint {
        Lint {
            emit_cargo: true,
            ..Lint::default()
        }
    }

    /// Adds a chart directory (relative to the package, i.e. `CARGO_MANIFEST_DIR`).
    pub fn chart(mut self, path: impl Into<PathBuf>) -> Lint {
        self.charts.push(path.into());
        self
    }

    /// Adds a values file: every chart is also rendered with it.
    pub fn values(mut self, path: impl Into<PathBuf>) -> Lint {
        self.values.push(path.into());
        self
    }

    /// The Kubernetes version to check against (default: the newest embedded schemas' default).
    pub fn kube_version(mut self, v: impl Into<String>) -> Lint {
        self.kube_version = Some(v.into());
        self
    }

    /// Levels and allow-lists, instead of the workspace metadata.
    pub fn config(mut self, c: LintConfig) -> Lint {
        self.config = Some(c);
        self
    }

    /// Treat warnings as errors.
    pub fn deny_warnings(mut self, yes: bool) -> Lint {
        self.deny_warnings = yes;
        self
    }

    /// Do not print `cargo:` directives (for tests).
    pub fn quiet(mut self) -> Lint {
        self.emit_cargo = false;
        self
    }

    /// Runs the checks and prints the `cargo:` directives; returns what was found.
    ///
    /// # Errors
    /// An invalid `[workspace.metadata.kindtest.lint]` table.
    pub fn run(&self) -> Result<Outcome, String> {
        let config = match &self.config {
            Some(c) => c.clone(),
            None => workspace_lint_config()?,
        };
        let mut out = Outcome::default();
        let mut seen = std::collections::HashSet::new();
        for chart in &self.charts {
            let mut sets: Vec<Vec<PathBuf>> = vec![Vec::new()];
            sets.extend(self.values.iter().map(|v| vec![v.clone()]));
            for values_files in sets {
                let mut opts = LintOptions {
                    values_files,
                    config: config.clone(),
                    ..LintOptions::default()
                };
                if let Some(k) = &self.kube_version {
                    opts.kube_version = k.clone();
                }
                let report: LintReport = lint_chart(chart, &opts);
                for f in report.files_read {
                    if !out.files_read.contains(&f) {
                        out.files_read.push(f);
                    }
                }
                for mut f in report.findings {
                    // Make file paths point into the package: `charts/demo/templates/x.yaml`.
                    f.file = display_path(chart, &f.file);
                    let key = (f.code, f.file.clone(), f.line, f.column, f.message.clone());
                    if seen.insert(key) {
                        out.findings.push(f);
                    }
                }
            }
        }
        if self.emit_cargo {
            for c in &self.charts {
                println!("cargo:rerun-if-changed={}", c.display());
            }
            for f in &out.files_read {
                println!("cargo:rerun-if-changed={}", f.display());
            }
            if let Some(ws) = workspace_manifest() {
                println!("cargo:rerun-if-changed={}", ws.display());
            }
            for f in &out.findings {
                if f.severity != Severity::Error {
                    println!(
                        "cargo:warning={}: {}[{}]: {}",
                        f.location(),
                        f.severity,
                        f.code,
                        f.message
                    );
                }
            }
        }
        Ok(out)
    }

    /// [`Lint::run`], then on errors prints the report to stderr and exits with status 1.
    pub fn run_or_exit(&self) {
        match self.run() {
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
            Ok(out) => {
                if out.failed(self.deny_warnings) {
                    let mut n = 0;
                    for f in &out.findings {
                        if f.severity == Severity::Error || self.deny_warnings {
                            eprint!("{}", output::human(f));
                            eprintln!();
                            n += 1;
                        }
                    }
                    eprintln!(
                        "error: {n} chart problem{} found by chart-lint",
                        if n == 1 { "" } else { "s" }
                    );
                    std::process::exit(1);
                }
            }
        }
    }
}

/// `chart` is `../charts/demo`, `file` is `demo/templates/x.yaml` → `../charts/demo/templates/x.yaml`.
fn display_path(chart: &Path, file: &str) -> String {
    let chart_name = chart
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    match file.strip_prefix(&format!("{chart_name}/")) {
        Some(rest) => chart.join(rest).display().to_string(),
        None if file.starts_with('/') || file.starts_with('.') => file.to_string(),
        None => match chart.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.join(file).display().to_string(),
            _ => file.to_string(),
        },
    }
}

fn workspace_manifest() -> Option<PathBuf> {
    let start = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok())?;
    let mut found = None;
    let mut dir = Some(start.as_path());
    while let Some(d) = dir {
        let m = d.join("Cargo.toml");
        if let Ok(text) = std::fs::read_to_string(&m) {
            if text.contains("[workspace") {
                found = Some(m);
                break;
            }
            if found.is_none() {
                found = Some(m);
            }
        }
        dir = d.parent();
    }
    found
}

/// `[workspace.metadata.kindtest.lint]` (or `[package.metadata.kindtest.lint]`) of the enclosing
/// Cargo.toml files; empty when absent.
pub fn workspace_lint_config() -> Result<LintConfig, String> {
    let Some(path) = workspace_manifest() else {
        return Ok(LintConfig::default());
    };
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    lint_config_from_manifest(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads the lint table out of a Cargo.toml text.
pub fn lint_config_from_manifest(text: &str) -> Result<LintConfig, String> {
    let doc: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    for top in ["workspace", "package"] {
        let t = doc
            .get(top)
            .and_then(|w| w.get("metadata"))
            .and_then(|m| m.get("kindtest"))
            .and_then(|k| k.get("lint"));
        if let Some(t) = t {
            let json = serde_json::to_value(t).map_err(|e| e.to_string())?;
            return LintConfig::from_json(&json)
                .map_err(|e| format!("[{top}.metadata.kindtest.lint]: {e}"));
        }
    }
    Ok(LintConfig::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_point_into_the_package() {
        assert_eq!(
            display_path(Path::new("../charts/demo"), "demo/templates/x.yaml"),
            "../charts/demo/templates/x.yaml"
        );
        assert_eq!(
            display_path(Path::new("charts/demo"), "demo/Chart.yaml"),
            "charts/demo/Chart.yaml"
        );
    }

    #[test]
    fn config_from_manifest() {
        let c = lint_config_from_manifest(
            "[workspace]\nmembers=[]\n[workspace.metadata.kindtest.lint]\nimage-tag = \"error\"\n",
        )
        .unwrap();
        assert_eq!(c.level(crate::lint::IMAGE_TAG), Some(Severity::Error));
        let e = lint_config_from_manifest(
            "[workspace.metadata.kindtest.lint]\nimage-tags = \"error\"\n",
        )
        .unwrap_err();
        assert!(e.contains("did you mean `image-tag`"), "{e}");
    }
}
