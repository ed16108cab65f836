//! The check stage: for each chart × values, render (our native Helm renderer), validate the
//! manifests against the Kubernetes schemas of the profile's version, and run the lint rules —
//! no cluster. Plain data in ([`CheckJob`]) and out ([`CheckReport`]); the work is done by a
//! [`Checker`] ([`ChartLint`]: `chart_lint::lint::lint_chart`, which renders and validates).
//!
//! `cargo kindtest check` and the pipeline share [`check_all`], so both report the same
//! findings the same way (rustc-style, see `chart_lint::lint::output`).

use std::collections::BTreeSet;
use std::path::Path;

pub use chart_lint::lint::{Finding, LintConfig, Severity};
use chart_lint::lint::{LintOptions, LintReport, TEMPLATE_RENDER, lint_chart};

use crate::plan::CheckJob;

/// Settings shared by every job of a check.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// Kubernetes version for jobs that name none (schemas, API deprecations, `.Capabilities`).
    pub kube_version: String,
    /// Strict schema validation: unknown fields are errors.
    pub strict: bool,
    /// Lint levels and allow-lists (`[workspace.metadata.kindtest.lint]`).
    pub config: LintConfig,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            kube_version: chart_lint::schema::DEFAULT_KUBE_VERSION.to_string(),
            strict: true,
            config: LintConfig::default(),
        }
    }
}

/// Checks one job.
pub trait Checker {
    /// Findings for `job` (file paths as `chart_lint` gives them: `<chart>/templates/x.yaml`).
    fn check(&self, job: &CheckJob) -> LintReport;
}

/// The real checker: `chart_lint::lint::lint_chart` (load → render → schema → lint rules).
#[derive(Clone, Debug, Default)]
pub struct ChartLint {
    /// Shared settings.
    pub opts: CheckOptions,
}

impl ChartLint {
    /// The lint options of one job.
    pub fn lint_options(&self, job: &CheckJob) -> LintOptions {
        LintOptions {
            values_files: job.values.clone(),
            set: job.set.iter().map(|(k, v)| format!("{k}={v}")).collect(),
            release_name: job.release.clone(),
            namespace: job.namespace.clone(),
            kube_version: job
                .kube_version
                .clone()
                .unwrap_or_else(|| self.opts.kube_version.clone()),
            strict: self.opts.strict,
            schema: true,
            config: self.opts.config.clone(),
        }
    }
}

impl Checker for ChartLint {
    fn check(&self, job: &CheckJob) -> LintReport {
        lint_chart(&job.chart, &self.lint_options(job))
    }
}

/// The stage's output.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// Renders done (jobs).
    pub jobs: usize,
    /// Distinct charts checked.
    pub charts: usize,
    /// Documents rendered, over all jobs.
    pub documents: usize,
    /// Findings, deduplicated across jobs, in job order; file paths relative to the current
    /// directory when possible (`charts/demo/templates/x.yaml`).
    pub findings: Vec<Finding>,
}

impl CheckReport {
    /// Number of findings at `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Number of errors.
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    /// Whether the check fails (`deny_warnings`: warnings too).
    pub fn failed(&self, deny_warnings: bool) -> bool {
        self.errors() > 0 || (deny_warnings && self.count(Severity::Warning) > 0)
    }

    /// The one-line summary `cargo kindtest check` prints.
    pub fn summary(&self) -> String {
        chart_lint::lint::output::summary(&self.findings, self.charts, self.documents)
    }
}

/// Runs every job. A finding seen in several renders (same rule, place and message) is reported
/// once; a render error names the values file it happened with.
pub fn check_all(checker: &dyn Checker, jobs: &[CheckJob]) -> CheckReport {
    let mut seen = BTreeSet::new();
    let mut charts = BTreeSet::new();
    let mut out = CheckReport {
        jobs: jobs.len(),
        ..Default::default()
    };
    for job in jobs {
        charts.insert(job.chart.clone());
        let report = checker.check(job);
        out.documents += report.documents;
        for mut f in report.findings {
            f.file = display_path(&job.chart, &f.file);
            let key = (f.code, f.file.clone(), f.line, f.column, f.message.clone());
            if seen.insert(key) {
                if !job.values.is_empty() && f.code == TEMPLATE_RENDER.code {
                    let with: Vec<String> =
                        job.values.iter().map(|v| v.display().to_string()).collect();
                    f.message = format!("{} (with {})", f.message, with.join(", "));
                }
                out.findings.push(f);
            }
        }
    }
    out.charts = charts.len();
    out
}

/// What a clean check depends on: this executable (its rules and schemas), the options, and for
/// every job its chart's files, values files, `--set` pairs, release, namespace and version.
/// `None` when something cannot be read (then the check simply runs).
pub fn fingerprint(
    jobs: &[CheckJob],
    opts: &CheckOptions,
    lint_table: &serde_json::Value,
) -> Option<String> {
    let mut h = crate::hash::Hasher::new();
    h.field("check/v1").field(env!("CARGO_PKG_VERSION"));
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(&exe).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    h.field(exe.as_os_str().as_encoded_bytes())
        .field(meta.len().to_le_bytes())
        .field(mtime.as_nanos().to_le_bytes());
    h.field(&opts.kube_version)
        .field([u8::from(opts.strict)])
        .field(lint_table.to_string());
    for job in jobs {
        h.field(job.chart.as_os_str().as_encoded_bytes());
        let mut files = Vec::new();
        list_files(&job.chart, &mut files, 0)?;
        files.sort();
        for f in files {
            h.field(f.as_os_str().as_encoded_bytes())
                .field(std::fs::read(&f).ok()?);
        }
        for v in &job.values {
            h.field(v.as_os_str().as_encoded_bytes())
                .field(std::fs::read(v).ok()?);
        }
        for (k, v) in &job.set {
            h.field(k).field(v);
        }
        h.field(&job.release)
            .field(&job.namespace)
            .field(job.kube_version.as_deref().unwrap_or(""));
    }
    Some(h.hex())
}

fn list_files(dir: &Path, out: &mut Vec<std::path::PathBuf>, depth: usize) -> Option<()> {
    if depth > 32 {
        return None;
    }
    for e in std::fs::read_dir(dir).ok()? {
        let e = e.ok()?;
        let t = e.file_type().ok()?;
        if t.is_dir() {
            list_files(&e.path(), out, depth + 1)?;
        } else {
            out.push(e.path());
        }
    }
    Some(())
}

/// Remembers the fingerprint of the last check that found nothing at all
/// (`target/kindtest/check.json`), so a warm re-run skips rendering and validation. A check
/// with any finding is never remembered: its findings are printed every run.
#[derive(Debug, Clone)]
pub struct CleanCache {
    path: std::path::PathBuf,
}

impl CleanCache {
    /// The cache under `kindtest_dir` (`target/kindtest`).
    pub fn new(kindtest_dir: &Path) -> Self {
        CleanCache {
            path: kindtest_dir.join("check.json"),
        }
    }

    /// Whether the last clean check had this fingerprint.
    pub fn is_clean(&self, fingerprint: &str) -> bool {
        std::fs::read(&self.path)
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .is_some_and(|v| v["clean"] == fingerprint)
    }

    /// Records a clean check (best effort: a failure only costs a re-check next time).
    pub fn remember(&self, fingerprint: &str) {
        if let Some(d) = self.path.parent() {
            let _ = std::fs::create_dir_all(d);
        }
        let _ = std::fs::write(
            &self.path,
            serde_json::json!({ "clean": fingerprint }).to_string(),
        );
    }

    /// Forgets it.
    pub fn forget(&self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// `chart` is `/ws/charts/demo`, `file` is `demo/templates/x.yaml` → `charts/demo/templates/x.yaml`
/// relative to the current directory when possible.
pub fn display_path(chart: &Path, file: &str) -> String {
    let name = chart
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let full = match file.strip_prefix(&format!("{name}/")) {
        Some(rest) => chart.join(rest),
        None => return file.to_string(),
    };
    let cwd = std::env::current_dir().ok();
    match cwd.as_deref().and_then(|c| full.strip_prefix(c).ok()) {
        Some(rel) => rel.display().to_string(),
        None => full.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    fn job(chart: PathBuf, values: Vec<PathBuf>) -> CheckJob {
        CheckJob {
            chart,
            values,
            set: BTreeMap::new(),
            release: "release-name".into(),
            namespace: "default".into(),
            kube_version: None,
        }
    }

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("kindtest-check-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("templates")).unwrap();
        d
    }

    #[test]
    fn missing_chart_is_an_error() {
        let r = check_all(
            &ChartLint::default(),
            &[job("/nonexistent/chart".into(), vec![])],
        );
        assert_eq!(r.errors(), 1, "{:?}", r.findings);
        assert!(r.failed(false));
    }

    #[test]
    fn renders_validates_and_lints() {
        let d = tmp("bad");
        std::fs::write(
            d.join("Chart.yaml"),
            "apiVersion: v2\nname: bad\nversion: 0.1.0\n",
        )
        .unwrap();
        std::fs::write(d.join("values.yaml"), "replicas: 1\n").unwrap();
        // An unknown field (schema, strict) and a template that fails with a values file.
        std::fs::write(
            d.join("templates/cm.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  bogus: 1\ndata:\n  a: {{ required \"need b\" .Values.b | quote }}\n",
        )
        .unwrap();
        std::fs::write(d.join("ok.yaml"), "b: hello\n").unwrap();
        std::fs::write(d.join("unset.yaml"), "replicas: 2\n").unwrap();
        let r = check_all(
            &ChartLint::default(),
            &[
                job(d.clone(), vec![d.join("ok.yaml")]),
                job(d.clone(), vec![d.join("unset.yaml")]),
            ],
        );
        let codes: Vec<&str> = r.findings.iter().map(|f| f.code).collect();
        assert!(r.errors() >= 2, "{:#?}", r.findings);
        let render = r
            .findings
            .iter()
            .find(|f| f.code == TEMPLATE_RENDER.code)
            .unwrap_or_else(|| panic!("no render error: {codes:?}"));
        assert!(render.message.contains("need b"), "{}", render.message);
        assert!(
            render.message.ends_with("unset.yaml)"),
            "{}",
            render.message
        );
        assert!(
            r.findings
                .iter()
                .any(|f| f.message.contains("bogus") && f.file.ends_with("templates/cm.yaml")),
            "{:#?}",
            r.findings
        );
        assert_eq!(r.charts, 1);
        assert_eq!(r.jobs, 2);
        // Kubernetes version of the job decides what the schemas accept.
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn lint_config_levels_apply() {
        let d = tmp("latest");
        std::fs::write(
            d.join("Chart.yaml"),
            "apiVersion: v2\nname: latest\nversion: 0.1.0\n",
        )
        .unwrap();
        std::fs::write(
            d.join("templates/pod.yaml"),
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx:latest\n",
        )
        .unwrap();
        let base = check_all(&ChartLint::default(), &[job(d.clone(), vec![])]);
        assert!(
            base.findings.iter().any(|f| f.rule == "image-tag"),
            "{:#?}",
            base.findings
        );
        let cfg = LintConfig::from_json(&serde_json::json!({"image-tag": "allow"})).unwrap();
        let quiet = check_all(
            &ChartLint {
                opts: CheckOptions {
                    config: cfg,
                    ..Default::default()
                },
            },
            &[job(d.clone(), vec![])],
        );
        assert!(
            quiet.findings.iter().all(|f| f.rule != "image-tag"),
            "{:#?}",
            quiet.findings
        );
        let _ = std::fs::remove_dir_all(&d);
    }
}
