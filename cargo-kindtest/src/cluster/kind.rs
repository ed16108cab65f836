//! The kind provider: `kind create/get/delete/export/load` with a dedicated kubeconfig.
//!
//! kind's CLI surface (v0.32): `get clusters` prints names one per line on stdout and
//! "No kind clusters found." on stderr; `create cluster` fails with "node(s) already exist"
//! for an existing name; `delete cluster` is idempotent; `load docker-image` hard-codes the
//! `docker` CLI, so with `KIND_EXPERIMENTAL_PROVIDER=podman` images go through
//! `podman save` + `kind load image-archive`.

use std::path::Path;

use super::{ClusterError, CreateRequest, Provider, ProviderKind, command_error};
use crate::process::{Cmd, Exec, ExecError};

/// The container engine kind runs its nodes in (and that builds our images).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// Docker (kind's default).
    Docker,
    /// Podman (`KIND_EXPERIMENTAL_PROVIDER=podman`).
    Podman,
}

impl Engine {
    /// From `KIND_EXPERIMENTAL_PROVIDER` (unset or `docker` → Docker).
    pub fn from_env() -> Self {
        match std::env::var("KIND_EXPERIMENTAL_PROVIDER").as_deref() {
            Ok("podman") => Engine::Podman,
            _ => Engine::Docker,
        }
    }
    /// The CLI name.
    pub fn cli(self) -> &'static str {
        match self {
            Engine::Docker => "docker",
            Engine::Podman => "podman",
        }
    }
}

/// How to install kind, shown when it is missing.
pub const KIND_INSTALL_HINT: &str = "install kind: `go install sigs.k8s.io/kind@v0.32.0`, or download a release binary \
(https://kind.sigs.k8s.io/docs/user/quick-start/#installation: `curl -Lo ./kind https://kind.sigs.k8s.io/dl/v0.32.0/kind-linux-amd64 && chmod +x ./kind && sudo mv ./kind /usr/local/bin/kind`); \
kind also needs Docker or Podman. On GitHub Actions use `helm/kind-action`.";

/// The kind provider.
pub struct Kind {
    exec: Exec,
    engine: Engine,
}

impl Kind {
    /// A provider running `kind` from `PATH`, with the engine from the environment.
    pub fn new(exec: Exec) -> Self {
        Kind {
            exec,
            engine: Engine::from_env(),
        }
    }

    /// The engine in use.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    fn kind(&self) -> Cmd {
        Cmd::new("kind")
    }

    fn run_ok(&self, cmd: Cmd) -> Result<crate::process::Output, ClusterError> {
        let out = self.exec.run(&cmd).map_err(|e| self.missing(e))?;
        if !out.success() {
            return Err(command_error(&cmd, &out));
        }
        Ok(out)
    }

    fn missing(&self, e: ExecError) -> ClusterError {
        match e {
            ExecError::NotFound { program } if program == "kind" => ClusterError::ToolMissing {
                tool: program,
                hint: KIND_INSTALL_HINT.into(),
            },
            ExecError::NotFound { program } => ClusterError::ToolMissing {
                hint: format!(
                    "install {program} (https://docs.docker.com/engine/install/ or https://podman.io/docs/installation)"
                ),
                tool: program,
            },
            e => ClusterError::Exec(e),
        }
    }
}

impl Provider for Kind {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Kind
    }

    fn preflight(&self) -> Result<(), ClusterError> {
        if self.exec.which("kind".as_ref()).is_none() {
            return Err(ClusterError::ToolMissing {
                tool: "kind".into(),
                hint: KIND_INSTALL_HINT.into(),
            });
        }
        Ok(())
    }

    fn list(&self) -> Result<Vec<String>, ClusterError> {
        let out = self.run_ok(self.kind().args(["get", "clusters"]))?;
        // Whole lines only: `kindtest-e2e` must not match `kindtest-e2e-old`.
        Ok(out
            .stdout
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect())
    }

    fn create(&self, req: &CreateRequest<'_>) -> Result<(), ClusterError> {
        let spec = req.spec;
        let config_path = match (&spec.kind_config_file, spec.kind_config()) {
            (Some(file), _) => file.clone(),
            (None, Some(text)) => {
                if let Some(d) = req.kind_config.parent() {
                    std::fs::create_dir_all(d).map_err(|source| ClusterError::Io {
                        path: d.into(),
                        source,
                    })?;
                }
                std::fs::write(req.kind_config, text).map_err(|source| ClusterError::Io {
                    path: req.kind_config.into(),
                    source,
                })?;
                req.kind_config.to_path_buf()
            }
            (None, None) => unreachable!("kind_config() is Some without a file"),
        };
        let mut cmd = self
            .kind()
            .args(["create", "cluster", "--name", &spec.name])
            .arg("--config")
            .arg(&config_path);
        if spec.kind_config_file.is_some()
            && let Some(img) = spec.image()
        {
            cmd = cmd.arg("--image").arg(img);
        }
        cmd = cmd.arg("--kubeconfig").arg(req.kubeconfig);
        self.run_ok(cmd).map(|_| ())
    }

    fn delete(&self, name: &str, kubeconfig: &Path) -> Result<(), ClusterError> {
        self.run_ok(
            self.kind()
                .args(["delete", "cluster", "--name", name])
                .arg("--kubeconfig")
                .arg(kubeconfig),
        )
        .map(|_| ())
    }

    fn write_kubeconfig(&self, name: &str, path: &Path) -> Result<(), ClusterError> {
        self.run_ok(
            self.kind()
                .args(["export", "kubeconfig", "--name", name])
                .arg("--kubeconfig")
                .arg(path),
        )
        .map(|_| ())
    }

    fn runs_images(&self) -> bool {
        true
    }

    fn load_images(&self, name: &str, images: &[String]) -> Result<(), ClusterError> {
        if images.is_empty() {
            return Ok(());
        }
        match self.engine {
            Engine::Docker => {
                // One `kind load` for all images: kind makes a single `docker save` tarball.
                self.run_ok(
                    self.kind()
                        .args(["load", "docker-image", "--name", name])
                        .args(images),
                )
                .map(|_| ())
            }
            Engine::Podman => {
                let dir = std::env::temp_dir().join(format!("kindtest-{}", std::process::id()));
                std::fs::create_dir_all(&dir).map_err(|source| ClusterError::Io {
                    path: dir.clone(),
                    source,
                })?;
                let archive = dir.join("images.tar");
                let res = self
                    .run_ok(
                        Cmd::new("podman")
                            .args(["save", "--multi-image-archive", "-o"])
                            .arg(&archive)
                            .args(images),
                    )
                    .and_then(|_| {
                        self.run_ok(
                            self.kind()
                                .args(["load", "image-archive"])
                                .arg(&archive)
                                .args(["--name", name]),
                        )
                    });
                let _ = std::fs::remove_dir_all(&dir);
                res.map(|_| ())
            }
        }
    }

    fn export_logs(&self, name: &str, dir: &Path) -> Result<(), ClusterError> {
        self.run_ok(
            self.kind()
                .args(["export", "logs"])
                .arg(dir)
                .args(["--name", name]),
        )
        .map(|_| ())
    }

    fn context_name(&self, name: &str) -> String {
        format!("kind-{name}")
    }
}
