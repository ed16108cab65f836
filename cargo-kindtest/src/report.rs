//! The report stage: per-stage timings, a summary, the JUnit path, the diagnostics folder.

use std::path::PathBuf;

use crate::events::{Stage, StageStatus};

/// Everything the summary shows.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Profile.
    pub profile: String,
    /// Cluster name, if the run got that far.
    pub cluster: Option<String>,
    /// Kubeconfig, if any.
    pub kubeconfig: Option<PathBuf>,
    /// Per stage: status and milliseconds.
    pub stages: Vec<(Stage, StageStatus, u64)>,
    /// JUnit report.
    pub junit: Option<PathBuf>,
    /// Diagnostics folder (written only when something failed).
    pub diagnostics: Option<PathBuf>,
    /// Milliseconds from start until the test runner was spawned.
    pub overhead_ms: Option<u64>,
    /// Whether the cluster was kept.
    pub kept: bool,
    /// Exit code.
    pub exit_code: i32,
}

impl Summary {
    /// The summary as text (stderr).
    pub fn render(&self) -> String {
        let mut s = String::new();
        let total: u64 = self.stages.iter().map(|(_, _, ms)| ms).sum();
        s.push_str(&format!(
            "\nkindtest summary (profile `{}`)\n",
            self.profile
        ));
        for (stage, status, ms) in &self.stages {
            let st = match status {
                StageStatus::Ok => "ok",
                StageStatus::Skipped => "fresh",
                StageStatus::Failed => "FAILED",
                StageStatus::Interrupted => "interrupted",
            };
            s.push_str(&format!(
                "  {:<8} {:>9.2}s  {st}\n",
                stage.name(),
                *ms as f64 / 1000.0
            ));
        }
        s.push_str(&format!(
            "  {:<8} {:>9.2}s\n",
            "total",
            total as f64 / 1000.0
        ));
        if let Some(o) = self.overhead_ms {
            s.push_str(&format!(
                "  overhead before tests: {:.3}s\n",
                o as f64 / 1000.0
            ));
        }
        if let Some(j) = &self.junit {
            s.push_str(&format!("  junit: {}\n", j.display()));
        }
        if let Some(d) = &self.diagnostics {
            s.push_str(&format!("  diagnostics: {}\n", d.display()));
        }
        if let (Some(c), Some(k), true) = (&self.cluster, &self.kubeconfig, self.kept) {
            s.push_str(&format!(
                "  cluster `{c}` kept; to look at it:\n    export KUBECONFIG={}\n",
                k.display()
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_lists_stages_and_paths() {
        let s = Summary {
            profile: "e2e".into(),
            cluster: Some("kindtest-e2e".into()),
            kubeconfig: Some("/w/target/kindtest/clusters/kindtest-e2e/kubeconfig".into()),
            stages: vec![
                (Stage::Plan, StageStatus::Ok, 12),
                (Stage::Install, StageStatus::Skipped, 0),
            ],
            junit: Some("/w/target/nextest/e2e/junit.xml".into()),
            diagnostics: None,
            overhead_ms: Some(120),
            kept: true,
            exit_code: 0,
        };
        let r = s.render();
        assert!(r.contains("  install       0.00s  fresh"), "{r}");
        assert!(r.contains("junit: /w/target/nextest/e2e/junit.xml"));
        assert!(
            r.contains("export KUBECONFIG=/w/target/kindtest/clusters/kindtest-e2e/kubeconfig")
        );
    }
}
