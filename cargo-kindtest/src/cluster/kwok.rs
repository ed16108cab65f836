//! The kwok provider: a real control plane (etcd, kube-apiserver, controller-manager,
//! scheduler) as local processes on loopback, with nodes simulated by kwok, started through
//! the `controlplane` crate.
//!
//! Like a kind cluster, the plane outlives the `cargo kindtest` run that created it (a
//! detached process session; `cargo kindtest down` or a config change stops it), so a warm run
//! costs a `/readyz` call instead of a start-up. Its files live in
//! `target/kindtest/clusters/<name>/kwok/` (PKI, etcd data, `logs/`, `plane.json` with pids).
//! Cluster names are registered in `~/.cache/kindtest/kwok-clusters/<name>` (pointing at that
//! folder) so `list` answers like `kind get clusters`.
//!
//! Images are never pulled (no container runtime): the images stage builds and loads nothing,
//! the image values are still injected. Pods run nothing; kwok makes them Ready, completes
//! run-to-completion pods (Jobs, Helm test hooks), and fails them on request
//! (`kindtest.dev/exit-code`), see [`controlplane::stages`].
//!
//! Binaries: `KINDTEST_CONTROL_PLANE_BIN`, else `PATH`, else the cache that
//! `scripts/build-control-plane.sh` fills (or the directory given with [`Kwok::with_bin_dir`]).

use std::path::{Path, PathBuf};

use controlplane::{Binaries, ControlPlane, NodeConfig};

use super::{ClusterError, CreateRequest, NodeRole, Provider, ProviderKind};
use crate::process::Exec;

/// The kwok provider.
pub struct Kwok {
    exec: Exec,
    bin_dir: Option<PathBuf>,
    registry: Option<PathBuf>,
}

impl Kwok {
    /// Binaries located by [`Binaries::locate`]; registry under the cache root.
    pub fn new(exec: Exec) -> Self {
        Kwok {
            exec,
            bin_dir: None,
            registry: controlplane::bins::cache_root().map(|r| r.join("kwok-clusters")),
        }
    }

    /// Takes the binaries from `dir` (from configuration).
    pub fn with_bin_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.bin_dir = dir;
        self
    }

    /// Keeps the name registry in `dir` (tests).
    pub fn with_registry(mut self, dir: PathBuf) -> Self {
        self.registry = Some(dir);
        self
    }

    fn binaries(&self) -> Result<Binaries, ClusterError> {
        Binaries::locate(self.bin_dir.as_deref()).map_err(|e| ClusterError::ToolMissing {
            tool: "kube-apiserver (control-plane binaries)".into(),
            hint: e.to_string(),
        })
    }

    fn registry_entry(&self, name: &str) -> Option<PathBuf> {
        self.registry.as_ref().map(|r| r.join(name))
    }

    /// The cluster folder (`target/kindtest/clusters/<name>`) recorded for `name`.
    fn registered_dir(&self, name: &str) -> Option<PathBuf> {
        let entry = self.registry_entry(name)?;
        let text = std::fs::read_to_string(entry).ok()?;
        let dir = PathBuf::from(text.trim());
        dir.is_absolute().then_some(dir)
    }

    fn register(&self, name: &str, cluster_dir: &Path) -> Result<(), ClusterError> {
        let Some(entry) = self.registry_entry(name) else {
            return Ok(());
        };
        if let Some(parent) = entry.parent() {
            std::fs::create_dir_all(parent).map_err(|source| ClusterError::Io {
                path: parent.into(),
                source,
            })?;
        }
        let dir = cluster_dir
            .canonicalize()
            .unwrap_or_else(|_| cluster_dir.to_path_buf());
        std::fs::write(&entry, format!("{}\n", dir.display())).map_err(|source| ClusterError::Io {
            path: entry,
            source,
        })
    }

    fn unregister(&self, name: &str) {
        if let Some(entry) = self.registry_entry(name) {
            let _ = std::fs::remove_file(entry);
        }
    }

    /// The plane's folder for a cluster folder.
    fn plane_dir(cluster_dir: &Path) -> PathBuf {
        cluster_dir.join("kwok")
    }

    /// The plane folder of `name`: from the registry, else next to `kubeconfig`.
    fn plane_dir_for(&self, name: &str, kubeconfig: Option<&Path>) -> Option<PathBuf> {
        self.registered_dir(name)
            .or_else(|| kubeconfig.and_then(Path::parent).map(Path::to_path_buf))
            .map(|d| Self::plane_dir(&d))
    }

    fn is_running(plane_dir: &Path) -> bool {
        let Ok(text) = std::fs::read_to_string(plane_dir.join("plane.json")) else {
            return false;
        };
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
            return false;
        };
        let procs = v["processes"].as_array().cloned().unwrap_or_default();
        !procs.is_empty()
            && procs.iter().all(|p| {
                p[1].as_u64()
                    .and_then(|pid| u32::try_from(pid).ok())
                    .is_some_and(controlplane::pid_alive)
            })
    }
}

/// The fake nodes for a profile's node list: labels and extended resources as given, control
/// plane nodes labelled like kind's (but schedulable: nothing runs on them anyway).
pub fn node_configs(spec: &super::ClusterSpec) -> Vec<NodeConfig> {
    let mut workers = 0;
    let mut nodes: Vec<NodeConfig> = spec
        .nodes
        .iter()
        .map(|n| {
            let name = match n.role {
                NodeRole::ControlPlane => format!("{}-control-plane", spec.name),
                NodeRole::Worker => {
                    workers += 1;
                    if workers == 1 {
                        format!("{}-worker", spec.name)
                    } else {
                        format!("{}-worker{workers}", spec.name)
                    }
                }
            };
            let mut node = NodeConfig {
                name,
                labels: n.labels.clone(),
                resources: n.extended_resources.clone(),
            };
            if n.role == NodeRole::ControlPlane {
                node.labels.insert(
                    "node-role.kubernetes.io/control-plane".into(),
                    String::new(),
                );
            }
            node
        })
        .collect();
    if nodes.is_empty() {
        nodes.push(NodeConfig {
            name: format!("{}-control-plane", spec.name),
            ..NodeConfig::default()
        });
    }
    nodes
}

impl Provider for Kwok {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Kwok
    }

    fn preflight(&self) -> Result<(), ClusterError> {
        self.binaries().map(|_| ())
    }

    fn list(&self) -> Result<Vec<String>, ClusterError> {
        let Some(registry) = &self.registry else {
            return Ok(Vec::new());
        };
        let Ok(rd) = std::fs::read_dir(registry) else {
            return Ok(Vec::new());
        };
        let mut names = Vec::new();
        for e in rd.flatten() {
            let Some(name) = e.file_name().to_str().map(String::from) else {
                continue;
            };
            match self.registered_dir(&name) {
                Some(dir) if Self::is_running(&Self::plane_dir(&dir)) => names.push(name),
                // stale: the plane is gone (reboot, kill); forget the name
                _ => self.unregister(&name),
            }
        }
        names.sort();
        Ok(names)
    }

    fn create(&self, req: &CreateRequest<'_>) -> Result<(), ClusterError> {
        let spec = req.spec;
        let bins = self.binaries()?;
        let plane_dir = Self::plane_dir(req.state_dir);
        // a plane left from an interrupted run in the same folder
        controlplane::stop_detached(&plane_dir).map_err(|e| ClusterError::Api(e.to_string()))?;
        let mut builder = ControlPlane::builder()
            .binaries(bins)
            .state_dir(&plane_dir)
            .detached(true)
            .handle_signals(false)
            .context_name(self.context_name(&spec.name))
            .coredns(true)
            .timeout(spec.ready_timeout.max(std::time::Duration::from_secs(30)));
        for n in node_configs(spec) {
            builder = builder.node(n);
        }
        let cancel = self.exec.cancel().clone();
        let events = self.exec.events().clone();
        builder = builder
            .cancel_when(move || cancel.is_set())
            .progress_to(move |line| events.verbose(format!("control plane: {line}")));
        self.exec.events().info(format!(
            "starting a local control plane (Kubernetes {}, kwok nodes) for `{}`",
            controlplane::bins::KUBERNETES_VERSION,
            spec.name
        ));
        let plane = builder.start().map_err(|e| match e {
            controlplane::Error::Interrupted => {
                ClusterError::Exec(crate::process::ExecError::Interrupted {
                    command: "control plane start-up".into(),
                })
            }
            controlplane::Error::BinariesNotFound(m) => ClusterError::ToolMissing {
                tool: "kube-apiserver (control-plane binaries)".into(),
                hint: m,
            },
            e => ClusterError::NotReady {
                name: spec.name.clone(),
                secs: spec.ready_timeout.as_secs(),
                report: e.to_string(),
            },
        })?;
        self.exec.events().info(format!(
            "control plane for `{}` ready in {:.1}s at {}",
            spec.name,
            plane.startup_time().as_secs_f64(),
            plane.server_url()
        ));
        let copied = std::fs::copy(plane.kubeconfig_path(), req.kubeconfig).map_err(|source| {
            ClusterError::Io {
                path: req.kubeconfig.to_path_buf(),
                source,
            }
        });
        if let Err(e) = copied {
            let _ = plane.stop();
            return Err(e);
        }
        self.register(&spec.name, req.state_dir)?;
        plane.leave_running();
        Ok(())
    }

    fn delete(&self, name: &str, kubeconfig: &Path) -> Result<(), ClusterError> {
        if let Some(dir) = self.plane_dir_for(name, Some(kubeconfig)) {
            controlplane::stop_detached(&dir).map_err(|e| ClusterError::Api(e.to_string()))?;
        }
        self.unregister(name);
        Ok(())
    }

    fn write_kubeconfig(&self, name: &str, path: &Path) -> Result<(), ClusterError> {
        let dir = self.plane_dir_for(name, Some(path)).ok_or_else(|| {
            ClusterError::Unsupported(format!("no local control plane named `{name}` is known"))
        })?;
        let src = dir.join("kubeconfig");
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| ClusterError::Io {
                path: parent.into(),
                source,
            })?;
        }
        if src != path {
            std::fs::copy(&src, path).map_err(|source| ClusterError::Io {
                path: src.clone(),
                source,
            })?;
        }
        Ok(())
    }

    fn runs_images(&self) -> bool {
        false
    }

    fn load_images(&self, _name: &str, _images: &[String]) -> Result<(), ClusterError> {
        Ok(())
    }

    fn export_logs(&self, name: &str, dir: &Path) -> Result<(), ClusterError> {
        let Some(plane) = self.plane_dir_for(name, None) else {
            return Ok(());
        };
        let logs = plane.join("logs");
        std::fs::create_dir_all(dir).map_err(|source| ClusterError::Io {
            path: dir.into(),
            source,
        })?;
        let Ok(rd) = std::fs::read_dir(&logs) else {
            return Ok(());
        };
        for e in rd.flatten() {
            let to = dir.join(e.file_name());
            std::fs::copy(e.path(), &to).map_err(|source| ClusterError::Io { path: to, source })?;
        }
        for f in ["plane.json", "kwok-stages.yaml", "nodes.json"] {
            let _ = std::fs::copy(plane.join(f), dir.join(f));
        }
        Ok(())
    }

    fn context_name(&self, name: &str) -> String {
        format!("kwok-{name}")
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use super::*;
    use crate::cluster::{ClusterSpec, NodeSpec};

    fn spec(nodes: Vec<NodeSpec>) -> ClusterSpec {
        ClusterSpec {
            name: "kindtest-sim".into(),
            provider: ProviderKind::Kwok,
            node_image: None,
            kubernetes_version: None,
            nodes,
            kind_config_file: None,
            port_mappings: vec![],
            ready_timeout: Duration::from_secs(60),
            control_plane_bin: None,
        }
    }

    #[test]
    fn nodes_follow_the_profile() {
        let s = spec(vec![
            NodeSpec {
                role: NodeRole::ControlPlane,
                labels: BTreeMap::new(),
                extended_resources: BTreeMap::new(),
            },
            NodeSpec {
                role: NodeRole::Worker,
                labels: [("pool".to_string(), "gpu".to_string())].into(),
                extended_resources: [("nvidia.com/gpu".to_string(), "2".to_string())].into(),
            },
            NodeSpec {
                role: NodeRole::Worker,
                labels: BTreeMap::new(),
                extended_resources: BTreeMap::new(),
            },
        ]);
        let nodes = node_configs(&s);
        let names: Vec<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "kindtest-sim-control-plane",
                "kindtest-sim-worker",
                "kindtest-sim-worker2"
            ]
        );
        assert_eq!(nodes[0].labels["node-role.kubernetes.io/control-plane"], "");
        assert_eq!(nodes[1].labels["pool"], "gpu");
        assert_eq!(nodes[1].resources["nvidia.com/gpu"], "2");
        assert!(nodes[2].resources.is_empty());
        assert_eq!(node_configs(&spec(vec![])).len(), 1);
    }

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("kindtest-kwok-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn provider(registry: &Path) -> Kwok {
        let exec = Exec::new(crate::process::Cancel::new(), crate::events::Events::null());
        Kwok::new(exec).with_registry(registry.to_path_buf())
    }

    #[test]
    fn list_forgets_stale_names_and_keeps_live_ones() {
        let root = tmp("registry");
        let registry = root.join("registry");
        let p = provider(&registry);
        // a live "plane": this test process stands in for its only component
        let live = root.join("live");
        std::fs::create_dir_all(live.join("kwok")).unwrap();
        std::fs::write(
            live.join("kwok/plane.json"),
            format!(r#"{{"processes": [["etcd", {}]]}}"#, std::process::id()),
        )
        .unwrap();
        p.register("live", &live).unwrap();
        let dead = root.join("dead");
        std::fs::create_dir_all(dead.join("kwok")).unwrap();
        p.register("dead", &dead).unwrap();
        assert_eq!(p.list().unwrap(), ["live"]);
        assert!(!registry.join("dead").exists());
        assert_eq!(p.context_name("live"), "kwok-live");
        assert!(!p.runs_images());
        // kubeconfig copies from the plane folder
        std::fs::write(live.join("kwok/kubeconfig"), "kc").unwrap();
        let out = root.join("out/kubeconfig");
        p.write_kubeconfig("live", &out).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "kc");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
