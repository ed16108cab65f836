//! The cluster stage: create or reuse a cluster keyed by name and a hash of its config,
//! behind a [`Provider`] (kind; kwok, a real local control plane with simulated nodes).
//!
//! State lives under `target/kindtest/clusters/<name>/`: `state.json` (what we created, the
//! config hash, images loaded, releases installed) and `kubeconfig` (dedicated; we never read
//! or write `~/.kube/config`).

pub mod ensure;
pub mod guard;
pub mod kind;
pub mod kwok;
// The kwok provider (`kwok.rs`) is owned by the `controlplane` helper; it plugs in here with
// `pub mod kwok;` and a match arm in [`provider_for`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::PortMapping;
use crate::hash::Hasher;
use crate::process::ExecError;

/// Which backend runs the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// kind: Kubernetes in Docker (or Podman with `KIND_EXPERIMENTAL_PROVIDER=podman`).
    Kind,
    /// kwok: a real control plane (etcd, kube-apiserver, controller-manager, scheduler) as
    /// local processes, nodes simulated by kwok. Images are never pulled.
    Kwok,
}

impl ProviderKind {
    /// Parses `kind` / `kwok`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "kind" => Some(ProviderKind::Kind),
            "kwok" => Some(ProviderKind::Kwok),
            _ => None,
        }
    }
    /// The name.
    pub fn name(self) -> &'static str {
        match self {
            ProviderKind::Kind => "kind",
            ProviderKind::Kwok => "kwok",
        }
    }
}

/// A node's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeRole {
    /// Runs the control plane (and workloads when alone).
    ControlPlane,
    /// A worker.
    Worker,
}

/// One node of the cluster.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NodeSpec {
    /// Role.
    pub role: NodeRole,
    /// Labels on the node.
    pub labels: BTreeMap<String, String>,
    /// Extended resources advertised in the node's capacity (`nvidia.com/gpu` → `"1"`).
    pub extended_resources: BTreeMap<String, String>,
}

/// What cluster a profile wants. Plain data: providers turn it into their own config.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ClusterSpec {
    /// Cluster name (kind's `--name`; kube context `kind-<name>`).
    pub name: String,
    /// Backend.
    pub provider: ProviderKind,
    /// Node image (`kindest/node:v1.36.1@sha256:…`); `None` = the provider's default.
    pub node_image: Option<String>,
    /// Kubernetes version `1.36.1`, when known (also used to check charts).
    pub kubernetes_version: Option<String>,
    /// Nodes, control plane first.
    pub nodes: Vec<NodeSpec>,
    /// A user-supplied kind config file, used as is (then `nodes` holds one entry per node
    /// only for extended resources).
    pub kind_config_file: Option<PathBuf>,
    /// Host port mappings on the control-plane node.
    pub port_mappings: Vec<PortMapping>,
    /// How long the readiness gate waits.
    #[serde(skip)]
    pub ready_timeout: Duration,
    /// kwok: the directory of the control-plane binaries (`cluster.control-plane-bin`);
    /// `None` = `$KINDTEST_CONTROL_PLANE_BIN`, `PATH`, the build script's cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control_plane_bin: Option<PathBuf>,
}

impl ClusterSpec {
    /// The config hash: changes whenever the cluster would be created differently (nodes,
    /// labels, port mappings, node image, the content of a kind config file). A reused
    /// cluster whose hash differs is recreated.
    pub fn config_hash(&self) -> Result<String, ClusterError> {
        let mut h = Hasher::new();
        h.field(self.provider.name());
        h.field(self.kind_config().unwrap_or_default());
        h.field(self.node_image.as_deref().unwrap_or(""));
        h.field(self.kubernetes_version.as_deref().unwrap_or(""));
        if let Some(f) = &self.kind_config_file {
            let bytes = std::fs::read(f).map_err(|source| ClusterError::Io {
                path: f.clone(),
                source,
            })?;
            h.field(bytes);
        }
        Ok(h.short(12))
    }

    /// The node image to use: the explicit one, or `kindest/node:v<version>`.
    pub fn image(&self) -> Option<String> {
        self.node_image.clone().or_else(|| {
            self.kubernetes_version
                .as_ref()
                .map(|v| format!("kindest/node:v{v}"))
        })
    }

    /// The kind config we generate (`None` when the user supplied a file). JSON is valid YAML
    /// and kind reads it with a YAML parser.
    pub fn kind_config(&self) -> Option<String> {
        if self.kind_config_file.is_some() {
            return None;
        }
        let nodes: Vec<serde_json::Value> = self
            .nodes
            .iter()
            .map(|n| {
                let mut node = serde_json::Map::new();
                node.insert(
                    "role".into(),
                    match n.role {
                        NodeRole::ControlPlane => "control-plane",
                        NodeRole::Worker => "worker",
                    }
                    .into(),
                );
                if let Some(img) = self.image() {
                    node.insert("image".into(), img.into());
                }
                if !n.labels.is_empty() {
                    node.insert(
                        "labels".into(),
                        serde_json::to_value(&n.labels).unwrap_or_default(),
                    );
                }
                if n.role == NodeRole::ControlPlane && !self.port_mappings.is_empty() {
                    let pm: Vec<serde_json::Value> = self
                        .port_mappings
                        .iter()
                        .map(|p| {
                            serde_json::json!({
                                "containerPort": p.container_port,
                                "hostPort": p.host_port,
                                "listenAddress": p.listen_address.as_deref().unwrap_or("127.0.0.1"),
                                "protocol": p.protocol.as_deref().unwrap_or("TCP"),
                            })
                        })
                        .collect();
                    node.insert("extraPortMappings".into(), pm.into());
                }
                serde_json::Value::Object(node)
            })
            .collect();
        let cfg = serde_json::json!({
            "kind": "Cluster",
            "apiVersion": "kind.x-k8s.io/v1alpha4",
            "name": self.name,
            "nodes": nodes,
        });
        serde_json::to_string_pretty(&cfg).ok().map(|s| s + "\n")
    }
}

/// Files of one cluster under `target/kindtest/clusters/<name>/`.
#[derive(Debug, Clone)]
pub struct ClusterPaths {
    /// The folder.
    pub dir: PathBuf,
    /// Our dedicated kubeconfig.
    pub kubeconfig: PathBuf,
    /// The generated kind config.
    pub kind_config: PathBuf,
}

impl ClusterPaths {
    /// Paths for cluster `name` under `kindtest_dir` (`target/kindtest`).
    pub fn new(kindtest_dir: &Path, name: &str) -> Self {
        let dir = kindtest_dir.join("clusters").join(name);
        ClusterPaths {
            kubeconfig: dir.join("kubeconfig"),
            kind_config: dir.join("kind-config.yaml"),
            dir,
        }
    }
}

/// What `create` needs.
#[derive(Debug)]
pub struct CreateRequest<'a> {
    /// The cluster.
    pub spec: &'a ClusterSpec,
    /// Where to write the kubeconfig (never `~/.kube/config`).
    pub kubeconfig: &'a Path,
    /// Where the generated kind config is written.
    pub kind_config: &'a Path,
    /// A folder the provider may keep its own files in (kwok: PKI, etcd data, logs).
    pub state_dir: &'a Path,
}

/// A cluster backend. Implementations run their tools through [`crate::process::Exec`] so
/// Ctrl-C stops them and `-v` shows them.
pub trait Provider: Send + Sync {
    /// `kind`, `kwok`.
    fn kind(&self) -> ProviderKind;
    /// Checks the backend's tools are installed (a clear error with how to install them).
    fn preflight(&self) -> Result<(), ClusterError>;
    /// Names of the clusters that exist now, created by anyone.
    fn list(&self) -> Result<Vec<String>, ClusterError>;
    /// Creates the cluster and writes its kubeconfig. On failure nothing should be left behind.
    fn create(&self, req: &CreateRequest<'_>) -> Result<(), ClusterError>;
    /// Deletes the cluster (idempotent: an absent cluster is not an error).
    fn delete(&self, name: &str, kubeconfig: &Path) -> Result<(), ClusterError>;
    /// Rewrites the kubeconfig of an existing cluster (its API port may change on restart).
    fn write_kubeconfig(&self, name: &str, path: &Path) -> Result<(), ClusterError>;
    /// Whether pods run real images (kind) or are simulated (kwok: images are never pulled,
    /// so the images stage builds and loads nothing).
    fn runs_images(&self) -> bool;
    /// Loads locally built images into every node, in one go.
    fn load_images(&self, name: &str, images: &[String]) -> Result<(), ClusterError>;
    /// Copies the cluster's logs into `dir`.
    fn export_logs(&self, name: &str, dir: &Path) -> Result<(), ClusterError>;
    /// The kube context its kubeconfig names (checked by the guard before any mutation).
    fn context_name(&self, name: &str) -> String;
}

/// Errors of the cluster stage (and of providers).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClusterError {
    /// A required tool is not installed.
    #[error("`{tool}` was not found on PATH\n  help: {hint}")]
    ToolMissing {
        /// The tool.
        tool: String,
        /// How to install it.
        hint: String,
    },
    /// The container engine is not running.
    #[error(
        "the {engine} daemon is not reachable: {message}\n  help: start {engine} (e.g. `sudo systemctl start {engine}` or Docker Desktop), or set KIND_EXPERIMENTAL_PROVIDER=podman to use podman"
    )]
    DaemonDown {
        /// `docker` or `podman`.
        engine: String,
        /// The tool's message.
        message: String,
    },
    /// A tool failed.
    #[error("`{command}` failed (exit {code}):\n{message}")]
    Command {
        /// Command line.
        command: String,
        /// Exit code (-1 = signal).
        code: i32,
        /// Its stderr.
        message: String,
    },
    /// A cluster exists under our name but we did not create it.
    #[error(
        "a {provider} cluster named `{name}` exists but was not created by cargo kindtest; refusing to touch it\n  help: pass `--cluster {name}` to use it anyway (it will never be deleted), or set another `cluster.name`"
    )]
    Foreign {
        /// Provider.
        provider: String,
        /// Name.
        name: String,
    },
    /// The kubeconfig points at something that is not the cluster we expect.
    #[error(
        "refusing to use kube context `{context}` (server {server}): expected context `{expected}` on a loopback API server\n  help: cargo kindtest only talks to clusters it created; name another cluster explicitly with `--cluster NAME`"
    )]
    ForeignContext {
        /// Context found.
        context: String,
        /// Its server.
        server: String,
        /// Context expected.
        expected: String,
    },
    /// The readiness gate timed out.
    #[error("cluster `{name}` not ready after {secs}s:\n{report}")]
    NotReady {
        /// Name.
        name: String,
        /// Timeout.
        secs: u64,
        /// What is still not ready.
        report: String,
    },
    /// Talking to the API failed.
    #[error("Kubernetes API: {0}")]
    Api(String),
    /// Reading or writing a state file.
    #[error("{}: {source}", path.display())]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// Running a command failed.
    #[error(transparent)]
    Exec(#[from] ExecError),
    /// Not supported by this provider or not available in this build.
    #[error("{0}")]
    Unsupported(String),
}

impl ClusterError {
    /// Whether this came from Ctrl-C.
    pub fn is_interrupted(&self) -> bool {
        matches!(self, ClusterError::Exec(ExecError::Interrupted { .. }))
    }
}

impl crate::error::Classify for ClusterError {
    fn exit_code(&self) -> crate::ExitCode {
        match self {
            ClusterError::Exec(ExecError::Interrupted { .. }) => crate::ExitCode::Interrupted,
            ClusterError::NotReady { .. } => crate::ExitCode::Failed,
            _ => crate::ExitCode::Usage,
        }
    }
}

/// Turns a failed command into a [`ClusterError`], recognising a stopped container engine.
pub fn command_error(cmd: &crate::process::Cmd, out: &crate::process::Output) -> ClusterError {
    let message = out.message();
    if let Some(engine) = daemon_down(&message) {
        return ClusterError::DaemonDown {
            engine: engine.into(),
            message: last_meaningful_line(&message),
        };
    }
    ClusterError::Command {
        command: cmd.display(),
        code: out.code.unwrap_or(-1),
        message,
    }
}

/// Recognises the messages docker and podman print when their daemon/service is not running.
pub fn daemon_down(message: &str) -> Option<&'static str> {
    if message.contains("Cannot connect to the Docker daemon")
        || message.contains("error during connect")
    {
        Some("docker")
    } else if message.contains("unable to connect to Podman socket")
        || message.contains("Cannot connect to Podman")
    {
        Some("podman")
    } else {
        None
    }
}

fn last_meaningful_line(message: &str) -> String {
    message
        .lines()
        .rev()
        .find(|l| {
            l.contains("Cannot connect")
                || l.contains("unable to connect")
                || l.contains("error during connect")
        })
        .unwrap_or(message)
        .trim()
        .trim_start_matches("Command Output: ")
        .to_string()
}

/// The provider of a kind (`kind`, `kwok` with its defaults).
pub fn provider_for(
    kind: ProviderKind,
    exec: &crate::process::Exec,
) -> Result<Box<dyn Provider>, ClusterError> {
    match kind {
        ProviderKind::Kind => Ok(Box::new(kind::Kind::new(exec.clone()))),
        ProviderKind::Kwok => Ok(Box::new(kwok::Kwok::new(exec.clone()))),
    }
}

/// The provider for a planned cluster, configured from it (kwok: `cluster.control-plane-bin`).
pub fn provider_for_spec(
    spec: &ClusterSpec,
    exec: &crate::process::Exec,
) -> Result<Box<dyn Provider>, ClusterError> {
    match spec.provider {
        ProviderKind::Kwok => Ok(Box::new(
            kwok::Kwok::new(exec.clone()).with_bin_dir(spec.control_plane_bin.clone()),
        )),
        other => provider_for(other, exec),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> ClusterSpec {
        ClusterSpec {
            name: "kindtest-e2e".into(),
            provider: ProviderKind::Kind,
            node_image: None,
            kubernetes_version: Some("1.36.1".into()),
            nodes: vec![
                NodeSpec {
                    role: NodeRole::ControlPlane,
                    labels: BTreeMap::new(),
                    extended_resources: BTreeMap::new(),
                },
                NodeSpec {
                    role: NodeRole::Worker,
                    labels: [("pool".to_string(), "gpu".to_string())].into(),
                    extended_resources: [("nvidia.com/gpu".to_string(), "1".to_string())].into(),
                },
            ],
            kind_config_file: None,
            port_mappings: vec![PortMapping {
                container_port: 30080,
                host_port: 8080,
                listen_address: None,
                protocol: None,
            }],
            ready_timeout: Duration::from_secs(60),
            control_plane_bin: None,
        }
    }

    #[test]
    fn kind_config_has_nodes_image_labels_ports() {
        let cfg: serde_json::Value = serde_json::from_str(&spec().kind_config().unwrap()).unwrap();
        assert_eq!(cfg["apiVersion"], "kind.x-k8s.io/v1alpha4");
        assert_eq!(cfg["nodes"][0]["role"], "control-plane");
        assert_eq!(cfg["nodes"][0]["image"], "kindest/node:v1.36.1");
        assert_eq!(cfg["nodes"][0]["extraPortMappings"][0]["hostPort"], 8080);
        assert_eq!(cfg["nodes"][1]["labels"]["pool"], "gpu");
    }

    #[test]
    fn hash_changes_with_shape() {
        let a = spec();
        let mut b = spec();
        assert_eq!(a.config_hash().unwrap(), b.config_hash().unwrap());
        b.nodes.pop();
        assert_ne!(a.config_hash().unwrap(), b.config_hash().unwrap());
        let mut c = spec();
        c.node_image = Some("kindest/node:v1.35.0".into());
        assert_ne!(a.config_hash().unwrap(), c.config_hash().unwrap());
    }

    #[test]
    fn daemon_messages() {
        assert_eq!(
            daemon_down(
                "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
            ),
            Some("docker")
        );
        assert_eq!(daemon_down("something else"), None);
    }
}
