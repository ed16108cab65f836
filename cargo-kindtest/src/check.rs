//! The check stage: for each chart × values, render, validate and lint, without a cluster.
//! Plain data in ([`CheckJob`]) and out ([`Finding`]); the work is done by a [`Checker`].
//!
//! [`BasicChecker`] only checks that charts and values files exist and parse as YAML maps at
//! the top level; rendering and schema validation arrive with `chart_lint`'s render API (a
//! `ChartLint` checker is to be added here when it lands).

use std::path::PathBuf;

use crate::plan::CheckJob;

/// Severity of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails `check`.
    Error,
    /// Reported only.
    Warning,
}

/// One problem found in a chart.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Finding {
    /// Severity.
    pub severity: Severity,
    /// Stable code (`chart-missing`, `values-missing`, …).
    pub code: String,
    /// Chart directory.
    pub chart: PathBuf,
    /// File at fault, if known.
    pub file: Option<PathBuf>,
    /// 1-based line, if known.
    pub line: Option<u32>,
    /// 1-based column, if known.
    pub column: Option<u32>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}[{}]: {}", self.code, self.message)?;
        if let Some(file) = &self.file {
            write!(f, "\n  --> {}", file.display())?;
            if let Some(l) = self.line {
                write!(f, ":{l}")?;
                if let Some(c) = self.column {
                    write!(f, ":{c}")?;
                }
            }
        }
        Ok(())
    }
}

/// Checks one job.
pub trait Checker {
    /// Findings for `job` (empty = clean).
    fn check(&self, job: &CheckJob) -> Vec<Finding>;
}

/// Existence and shape checks, no rendering.
#[derive(Debug, Default)]
pub struct BasicChecker;

impl Checker for BasicChecker {
    fn check(&self, job: &CheckJob) -> Vec<Finding> {
        let mut out = Vec::new();
        let finding = |code: &str, file: Option<PathBuf>, message: String| Finding {
            severity: Severity::Error,
            code: code.into(),
            chart: job.chart.clone(),
            file,
            line: None,
            column: None,
            message,
        };
        let chart_yaml = job.chart.join("Chart.yaml");
        if !chart_yaml.is_file() {
            out.push(finding(
                "chart-missing",
                Some(chart_yaml),
                format!("{} is not a chart (no Chart.yaml)", job.chart.display()),
            ));
        }
        for v in &job.values {
            match std::fs::read_to_string(v) {
                Err(e) => out.push(finding(
                    "values-missing",
                    Some(v.clone()),
                    format!("cannot read values file: {e}"),
                )),
                Ok(text) => {
                    // A values file must be a map at the top level (helm: "error converting YAML to JSON").
                    if let Some((n, l)) =
                        text.lines().enumerate().find(|(_, l)| l.starts_with("- "))
                    {
                        out.push(Finding {
                            line: Some(n as u32 + 1),
                            column: Some(1),
                            ..finding(
                                "values-not-a-map",
                                Some(v.clone()),
                                format!(
                                    "values must be a map at the top level, found a list item `{}`",
                                    l.trim()
                                ),
                            )
                        });
                    }
                }
            }
        }
        out
    }
}

/// The stage's output.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// Jobs run.
    pub jobs: usize,
    /// Findings.
    pub findings: Vec<Finding>,
}

impl CheckReport {
    /// Number of errors.
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }
}

/// Runs every job.
pub fn check_all(checker: &dyn Checker, jobs: &[CheckJob]) -> CheckReport {
    let mut findings: Vec<Finding> = jobs.iter().flat_map(|j| checker.check(j)).collect();
    findings.dedup();
    CheckReport {
        jobs: jobs.len(),
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_chart_and_values() {
        let job = CheckJob {
            chart: "/nonexistent/chart".into(),
            values: vec!["/nonexistent/v.yaml".into()],
            set: Default::default(),
            release: "r".into(),
            namespace: "default".into(),
            kube_version: None,
        };
        let r = check_all(&BasicChecker, &[job]);
        assert_eq!(r.errors(), 2);
        assert_eq!(r.findings[0].code, "chart-missing");
        assert!(
            r.findings[0]
                .to_string()
                .contains("--> /nonexistent/chart/Chart.yaml")
        );
    }
}
