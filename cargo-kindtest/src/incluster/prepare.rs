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
    // `--no-fail-fast` is a `run` option only.
    cmd.args.retain(|a| a != "--no-fail-fast");
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
