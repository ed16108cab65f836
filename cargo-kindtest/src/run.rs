//! The run stage: `cargo nextest run` with the user's filters and arguments, defaults through
//! `--tool-config-file`, or `cargo test` when nextest is not installed. Tests find the
//! cluster through `KINDTEST_*` variables (and `KUBECONFIG`, so `kube::Client::try_default`
//! works too).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::plan::TestPlan;
use crate::process::{Cmd, Exec, ExecError};

/// What the tests are told about the cluster: the `KINDTEST_*` contract the harness reads
/// (`kindtest/src/settings.rs`, table in `kindtest/src/lib.rs`).
#[derive(Debug, Clone, Default)]
pub struct TestEnv {
    /// Our kubeconfig.
    pub kubeconfig: PathBuf,
    /// Its context.
    pub context: String,
    /// Cluster name.
    pub cluster: String,
    /// `kind` / `kwok`.
    pub provider: String,
    /// kindtest profile.
    pub profile: String,
    /// Run id (labels namespaces, names the diagnostics folder).
    pub run_id: String,
    /// Base diagnostics folder (`target/kindtest/runs`); the harness writes
    /// `<base>/<run id>/<test>/`, next to this run's own diagnostics.
    pub diagnostics_dir: PathBuf,
    /// Namespace keep policy (`failed`, `never`, `always`).
    pub keep: String,
    /// Where relative chart and values paths resolve in tests.
    pub workspace_root: PathBuf,
    /// The helm the pipeline used, if found (tests' `ctx.install` use the same).
    pub helm: Option<PathBuf>,
    /// Installed releases, `namespace/name`.
    pub releases: Vec<String>,
    /// Images, `KEY` → `repository:tag`.
    pub images: Vec<(String, String)>,
    /// More variables, set last (the `--in-cluster` target runner: `incluster::prepare`).
    pub extra: Vec<(String, String)>,
}

impl TestEnv {
    /// The environment variables, in a stable order (documented in `docs/configuration.md`).
    pub fn vars(&self) -> Vec<(String, OsString)> {
        let images: serde_json::Map<String, serde_json::Value> = self
            .images
            .iter()
            .map(|(k, r)| (k.clone(), serde_json::Value::String(r.clone())))
            .collect();
        let mut v: Vec<(String, OsString)> = vec![
            ("KUBECONFIG".into(), self.kubeconfig.clone().into()),
            ("KINDTEST_KUBECONFIG".into(), self.kubeconfig.clone().into()),
            ("KINDTEST_CONTEXT".into(), self.context.clone().into()),
            ("KINDTEST_CLUSTER".into(), self.cluster.clone().into()),
            ("KINDTEST_PROVIDER".into(), self.provider.clone().into()),
            ("KINDTEST_PROFILE".into(), self.profile.clone().into()),
            ("KINDTEST_RUN_ID".into(), self.run_id.clone().into()),
            (
                "KINDTEST_IMAGES".into(),
                serde_json::Value::Object(images).to_string().into(),
            ),
            ("KINDTEST_KEEP".into(), self.keep.clone().into()),
            (
                "KINDTEST_DIAGNOSTICS_DIR".into(),
                self.diagnostics_dir.clone().into(),
            ),
            (
                "KINDTEST_WORKSPACE_ROOT".into(),
                self.workspace_root.clone().into(),
            ),
            ("KINDTEST_RELEASES".into(), self.releases.join(",").into()),
        ];
        if let Some(h) = &self.helm {
            v.push(("KINDTEST_HELM".into(), h.clone().into()));
        }
        for (k, r) in &self.images {
            let key = env_key(k);
            v.push((format!("KINDTEST_IMAGE_{key}"), r.clone().into()));
        }
        for (k, val) in &self.extra {
            v.push((k.clone(), val.into()));
        }
        v
    }
}

/// The namespace keep policy handed to the tests: `KINDTEST_KEEP` from the environment if it
/// is valid, else `failed` (keep the namespaces of failed tests for debugging).
pub fn keep_policy() -> String {
    match std::env::var("KINDTEST_KEEP")
        .ok()
        .as_deref()
        .map(str::trim)
    {
        Some(v @ ("failed" | "never" | "always")) => v.to_string(),
        _ => "failed".to_string(),
    }
}

/// Which runner ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runner {
    /// cargo-nextest.
    Nextest,
    /// `cargo test` (nextest not installed).
    CargoTest,
}

/// The run's result.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// Runner used.
    pub runner: Runner,
    /// Exit code of the runner.
    pub code: Option<i32>,
    /// JUnit report, if written.
    pub junit: Option<PathBuf>,
}

impl RunOutcome {
    /// Whether all tests passed.
    pub fn passed(&self) -> bool {
        self.code == Some(0)
    }
}

/// Errors of the run stage.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// cargo could not be run.
    #[error(transparent)]
    Exec(ExecError),
    /// Writing the tool config.
    #[error("{}: {source}", path.display())]
    Io {
        /// Path.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
}

impl crate::error::Classify for RunError {
    fn exit_code(&self) -> crate::ExitCode {
        match self {
            RunError::Exec(ExecError::Interrupted { .. }) => crate::ExitCode::Interrupted,
            _ => crate::ExitCode::Usage,
        }
    }
}

/// The cargo to run: `$CARGO` (set by cargo for subcommands) or `cargo`.
pub fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Whether `cargo nextest` would work: `cargo-nextest` in `$CARGO_HOME/bin` or on `PATH`,
/// which is where cargo looks for subcommands. A file lookup, not a process.
pub fn nextest_installed(exec: &Exec) -> bool {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    if let Some(h) = cargo_home {
        let p = h.join("bin").join("cargo-nextest");
        if p.is_file() {
            return true;
        }
    }
    exec.which("cargo-nextest".as_ref()).is_some()
}

/// Defaults handed to nextest with `--tool-config-file kindtest:PATH`: the repository's
/// `.config/nextest.toml` still wins.
pub const TOOL_CONFIG: &str = r#"# Written by cargo kindtest: defaults for tests that run against a cluster.
# Your .config/nextest.toml takes precedence.
# Selected when the kindtest profile names no nextest profile.
[profile.kindtest]
slow-timeout = { period = "60s", terminate-after = 10 }
fail-fast = false

[profile.kindtest.junit]
path = "junit.xml"
"#;

/// The nextest profile used when the kindtest profile names none (defined in [`TOOL_CONFIG`]).
pub const DEFAULT_NEXTEST_PROFILE: &str = "kindtest";

/// Writes the tool config under `kindtest_dir` (only when its content changed).
pub fn write_tool_config(kindtest_dir: &Path) -> Result<PathBuf, RunError> {
    let p = kindtest_dir.join("nextest-tool.toml");
    if std::fs::read_to_string(&p).ok().as_deref() != Some(TOOL_CONFIG) {
        std::fs::create_dir_all(kindtest_dir).map_err(|source| RunError::Io {
            path: kindtest_dir.into(),
            source,
        })?;
        std::fs::write(&p, TOOL_CONFIG).map_err(|source| RunError::Io {
            path: p.clone(),
            source,
        })?;
    }
    Ok(p)
}

fn has_flag(args: &[String], long: &str, short: Option<&str>) -> bool {
    args.iter().any(|a| {
        a == long
            || a.starts_with(&format!("{long}="))
            || short.is_some_and(|s| a == s || (a.starts_with(s) && a.len() > 2))
    })
}

/// The value of `--flag V`, `--flag=V` or `-fV` in `args`.
fn flag_value(args: &[String], long: &str, short: Option<&str>) -> Option<String> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == long || short.is_some_and(|s| a == s) {
            return it.next().cloned();
        }
        if let Some(v) = a.strip_prefix(&format!("{long}=")) {
            return Some(v.to_string());
        }
        if let Some(v) = short
            .and_then(|s| a.strip_prefix(s))
            .filter(|v| !v.is_empty())
        {
            return Some(v.to_string());
        }
    }
    None
}

/// The nextest command line.
pub fn nextest_command(t: &TestPlan, tool_config: &Path) -> Cmd {
    let mut cmd = Cmd::new(cargo())
        .args(["nextest", "run"])
        .arg("--tool-config-file")
        .arg({
            let mut s = OsString::from("kindtest:");
            s.push(tool_config);
            s
        });
    // The workspace's `default-filter` (e.g. "not binary_id(demo::e2e)", so that a plain
    // `cargo nextest run` skips the cluster tests) must not hide tests from a cluster run: the
    // profile's `filter`, `-E` and name filters select instead.
    if !has_flag(&t.args, "--ignore-default-filter", None) {
        cmd = cmd.arg("--ignore-default-filter");
    }
    if !has_flag(&t.args, "--profile", Some("-P")) {
        cmd = cmd.args([
            "--profile",
            t.nextest_profile
                .as_deref()
                .unwrap_or(DEFAULT_NEXTEST_PROFILE),
        ]);
    }
    for e in &t.filter_exprs {
        cmd = cmd.args(["-E", e]);
    }
    if let Some(p) = &t.partition {
        cmd = cmd.args(["--partition", p]);
    }
    if t.no_fail_fast {
        cmd = cmd.arg("--no-fail-fast");
    }
    cmd.args(&t.args).args(&t.filters)
}

/// The `cargo test` command line (nextest missing): filters go to libtest after `--`.
pub fn cargo_test_command(t: &TestPlan) -> Cmd {
    let mut cmd = Cmd::new(cargo()).arg("test");
    if t.no_fail_fast {
        cmd = cmd.arg("--no-fail-fast");
    }
    let mut after: Vec<String> = t.args.clone();
    after.extend(t.filters.iter().cloned());
    if !after.is_empty() {
        cmd = cmd.arg("--").args(after);
    }
    cmd
}

/// Runs the tests with the cluster in the environment. Output goes straight to the terminal.
pub fn run_tests(
    exec: &Exec,
    t: &TestPlan,
    env: &TestEnv,
    kindtest_dir: &Path,
    workspace_root: &Path,
) -> Result<RunOutcome, RunError> {
    let (runner, mut cmd) = if nextest_installed(exec) {
        let tool = write_tool_config(kindtest_dir)?;
        (Runner::Nextest, nextest_command(t, &tool))
    } else {
        if !t.filter_exprs.is_empty() || t.partition.is_some() {
            exec.events().warn("cargo-nextest is not installed: running `cargo test`, so -E filtersets and --partition are ignored (install it: `cargo install cargo-nextest --locked`)");
        } else {
            exec.events().warn("cargo-nextest is not installed: running `cargo test` (install it: `cargo install cargo-nextest --locked`)");
        }
        (Runner::CargoTest, cargo_test_command(t))
    };
    for (k, v) in env.vars() {
        cmd = cmd.env(k, v);
    }
    cmd = cmd.cwd(workspace_root);
    let out = exec.run_inherit(&cmd).map_err(RunError::Exec)?;
    let junit = match runner {
        Runner::Nextest => {
            // nextest writes `<target dir>/nextest/<profile>/<junit.path>`; `target/kindtest`'s
            // parent is the target dir.
            let profile = flag_value(&t.args, "--profile", Some("-P"))
                .or_else(|| t.nextest_profile.clone())
                .unwrap_or_else(|| DEFAULT_NEXTEST_PROFILE.into());
            let target = kindtest_dir
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| workspace_root.join("target"));
            let p = target.join("nextest").join(profile).join("junit.xml");
            p.is_file().then_some(p)
        }
        Runner::CargoTest => None,
    };
    Ok(RunOutcome {
        runner,
        code: out.code,
        junit,
    })
}

/// `name` as an environment variable name part: ASCII letters and digits upper-cased, anything
/// else `_` (`my-app` → `MY_APP`, `x86_64-unknown-linux-gnu` → `X86_64_UNKNOWN_LINUX_GNU`).
pub fn env_key(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nextest_args_pass_through() {
        let t = TestPlan {
            filters: vec!["pod_ready".into()],
            filter_exprs: vec!["test(/^e2e::/)".into()],
            nextest_profile: Some("e2e".into()),
            partition: Some("hash:1/2".into()),
            no_fail_fast: true,
            args: vec!["--retries".into(), "2".into()],
        };
        let c = nextest_command(&t, Path::new("/w/target/kindtest/nextest-tool.toml"));
        let shown = c
            .args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(
            shown,
            "nextest run --tool-config-file kindtest:/w/target/kindtest/nextest-tool.toml --ignore-default-filter --profile e2e -E test(/^e2e::/) --partition hash:1/2 --no-fail-fast --retries 2 pod_ready"
        );
    }

    #[test]
    fn user_profile_wins() {
        let t = TestPlan {
            nextest_profile: Some("e2e".into()),
            args: vec!["--profile".into(), "ci".into()],
            ..Default::default()
        };
        let c = nextest_command(&t, Path::new("/t.toml"));
        assert_eq!(c.args.iter().filter(|a| *a == "--profile").count(), 1);
    }

    #[test]
    fn cargo_test_fallback() {
        let t = TestPlan {
            filters: vec!["e2e".into()],
            args: vec!["--nocapture".into()],
            ..Default::default()
        };
        let c = cargo_test_command(&t);
        let shown = c
            .args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(shown, "test -- --nocapture e2e");
    }

    #[test]
    fn env_names() {
        let e = TestEnv {
            images: vec![("demo-api".into(), "r:t".into())],
            ..Default::default()
        };
        assert!(e.vars().iter().any(|(k, _)| k == "KINDTEST_IMAGE_DEMO_API"));
    }
}
