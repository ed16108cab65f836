//! The pipeline's in-cluster step, between `install` and `run`: list what nextest will run, stage and
//! build/load the runner image, and return the environment that makes nextest use the runner.

use std::path::{Path, PathBuf};

use crate::cluster::Provider;
use crate::images::{BuiltImage, ImageError};
use crate::plan::TestPlan;
use crate::process::{Cmd, Exec};
use crate::state::ClusterState;

use super::package::{self, RunnerImageSpec};
use super::{ENV_RUNNER_IMAGE, InClusterConfig};

/// Errors of the in-cluster step.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InClusterError {
    /// `cargo nextest list` failed or said something unexpected.
    #[error("in-cluster: listing the tests: {0}")]
    List(String),
    /// Staging the image context.
    #[error(transparent)]
    Package(#[from] package::PackageError),
    /// Building or loading the image.
    #[error(transparent)]
    Image(#[from] ImageError),
    /// Anything else (no cargo-kindtest path, a space in it).
    #[error("in-cluster: {0}")]
    Other(String),
}

impl crate::error::Classify for InClusterError {
    fn exit_code(&self) -> crate::ExitCode {
        match self {
            InClusterError::Image(e) => e.exit_code(),
            InClusterError::List(_) => crate::ExitCode::Failed,
            _ => crate::ExitCode::Usage,
        }
    }
}

/// What the in-cluster step produced.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The runner image.
    pub image: BuiltImage,
    /// Test binaries packaged.
    pub binaries: Vec<PathBuf>,
    /// Environment for `cargo nextest run` (target runner, image, runner settings).
    pub env: Vec<(String, String)>,
}

/// The `cargo nextest list --message-format json` command selecting what `run` will run (the run
/// command with `run` replaced by `list`: same profile, filters, partition).
pub fn list_command(t: &TestPlan, tool_config: &Path) -> Cmd {
    let mut cmd = crate::run::nextest_command(t, tool_config);
    if let Some(a) = cmd.args.iter_mut().find(|a| a.as_os_str() == "run") {
        *a = "list".into();
    }
    // Options of `run` only (`list` refuses them); those taking a value drop it too.
    const RUN_ONLY: &[&str] = &[
        "--no-fail-fast",
        "--fail-fast",
        "--no-capture",
        "--nocapture",
    ];
    const RUN_ONLY_VALUE: &[&str] = &["--retries", "--test-threads", "-j", "--max-fail"];
    let mut args = Vec::new();
    let mut it = std::mem::take(&mut cmd.args).into_iter();
    while let Some(a) = it.next() {
        let s = a.to_string_lossy();
        if RUN_ONLY.contains(&s.as_ref())
            || RUN_ONLY_VALUE
                .iter()
                .any(|f| s.starts_with(&format!("{f}=")))
        {
            continue;
        }
        if RUN_ONLY_VALUE.contains(&s.as_ref()) {
            it.next();
            continue;
        }
        args.push(a);
    }
    cmd.args = args;
    cmd.args(["--message-format", "json"])
}

/// The host's target triple (`rustc -vV`), for `CARGO_TARGET_<TRIPLE>_RUNNER`.
pub fn host_triple(exec: &Exec) -> Result<String, InClusterError> {
    let out = exec
        .run(&Cmd::new("rustc").arg("-vV"))
        .map_err(|e| InClusterError::Other(format!("rustc -vV: {e}")))?;
    out.stdout
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(|s| s.trim().to_string())
        .ok_or_else(|| InClusterError::Other("rustc -vV printed no `host:` line".into()))
}

/// Lists, packages, builds and loads; returns the runner environment.
#[allow(clippy::too_many_arguments)]
pub fn prepare(
    exec: &Exec,
    engine: &str,
    provider: &dyn Provider,
    cluster: &str,
    state: &mut ClusterState,
    tests: &TestPlan,
    workspace_root: &Path,
    kindtest_dir: &Path,
    config: &InClusterConfig,
    default_files: &[PathBuf],
    helm: Option<&Path>,
) -> Result<Prepared, InClusterError> {
    let tool = crate::run::write_tool_config(kindtest_dir)
        .map_err(|e| InClusterError::Other(e.to_string()))?;
    let list = list_command(tests, &tool).cwd(workspace_root);
    let out = exec
        .run(&list)
        .map_err(|e| InClusterError::List(e.to_string()))?;
    if !out.success() {
        return Err(InClusterError::List(out.message()));
    }
    let binaries =
        package::binaries_from_nextest_list(&out.stdout).map_err(InClusterError::List)?;
    let table = config.table();
    let files: Vec<PathBuf> = match &table.files {
        Some(f) => f.iter().map(PathBuf::from).collect(),
        None => default_files.to_vec(),
    };
    let spec = RunnerImageSpec {
        binaries: binaries.clone(),
        files,
        helm: helm.map(Path::to_path_buf),
        base: table.base_image.clone(),
    };
    let plan = package::stage(&spec, workspace_root, &kindtest_dir.join("runner-image"))?;
    let mut built = crate::images::build_and_load(exec, engine, provider, cluster, &[plan], state)?;
    let image = built
        .pop()
        .ok_or_else(|| InClusterError::Other("the images stage returned no runner image".into()))?;
    let exe = std::env::current_exe()
        .map_err(|e| InClusterError::Other(format!("path of cargo-kindtest: {e}")))?;
    let mut env = vec![
        (
            super::runner_env_var(&host_triple(exec)?),
            super::runner_command(&exe).map_err(InClusterError::Other)?,
        ),
        (ENV_RUNNER_IMAGE.to_string(), image.reference()),
    ];
    if helm.is_some() {
        env.push((
            super::ENV_RUNNER_HELM.to_string(),
            format!("{}/helm", super::IMAGE_BIN_DIR),
        ));
    }
    env.extend(config.runner_env());
    Ok(Prepared {
        image,
        binaries,
        env,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_command_keeps_selection_drops_run_options() {
        let t = TestPlan {
            filters: vec!["dns".into()],
            filter_exprs: vec!["test(/dns/)".into()],
            nextest_profile: Some("ci".into()),
            partition: Some("hash:1/2".into()),
            no_fail_fast: true,
            args: vec![
                "--no-capture".into(),
                "--retries".into(),
                "2".into(),
                "--run-ignored".into(),
                "all".into(),
            ],
        };
        let cmd = list_command(&t, Path::new("/t/tool.toml"));
        let shown: Vec<String> = cmd
            .args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(&shown[..2], ["nextest", "list"]);
        for want in [
            "test(/dns/)",
            "hash:1/2",
            "ci",
            "--run-ignored",
            "all",
            "dns",
            "json",
        ] {
            assert!(shown.iter().any(|a| a == want), "{want} missing: {shown:?}");
        }
        for gone in ["--no-capture", "--retries", "2", "--no-fail-fast"] {
            assert!(!shown.iter().any(|a| a == gone), "{gone} kept: {shown:?}");
        }
    }
}
