//! The environment contract (see the crate docs), read once per test process.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::error::{Error, Result};

/// What to do with a test's namespace when the test ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Keep namespaces of failed tests (the default), delete the others.
    Failed,
    /// Always delete.
    Never,
    /// Never delete (debugging).
    Always,
}

impl Keep {
    /// Parses `failed` / `never` / `always` (also `on-failure`, `none`, `all`).
    pub fn parse(s: &str) -> Option<Keep> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "failed" | "on-failure" | "fail" => Some(Keep::Failed),
            "never" | "none" | "no" | "0" | "false" => Some(Keep::Never),
            "always" | "all" | "yes" | "1" | "true" => Some(Keep::Always),
            _ => None,
        }
    }

    /// Whether a namespace is kept for a test that passed (`passed`) or failed.
    pub fn keeps(self, passed: bool) -> bool {
        match self {
            Keep::Failed => !passed,
            Keep::Never => false,
            Keep::Always => true,
        }
    }
}

/// Everything the harness reads from the environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Run id (labels, diagnostics folder).
    pub run_id: String,
    /// Cluster name for messages, if known.
    pub cluster: Option<String>,
    /// Kubeconfig file in use (`None` in cluster).
    pub kubeconfig: Option<PathBuf>,
    /// Context in use (`None` in cluster).
    pub context: Option<String>,
    /// Running in a pod.
    pub in_cluster: bool,
    /// Images built for the run, name → reference.
    pub images: BTreeMap<String, String>,
    /// Namespace keep policy.
    pub keep: Keep,
    /// Base diagnostics folder (the run folder is below it).
    pub diagnostics_base: PathBuf,
    /// Helm binary.
    pub helm: PathBuf,
    /// Where relative paths resolve.
    pub workspace_root: PathBuf,
    /// How long to wait for a passed test's namespace to disappear.
    pub delete_timeout: Duration,
    /// Age after which other hosts' namespaces count as stale.
    pub stale_after: Duration,
    /// Print timing lines.
    pub timings: bool,
    /// nextest attempt (1 for the first try).
    pub attempt: u32,
    /// Cluster provider named by the CLI (`kind`, `kwok`, `existing`), if any.
    pub provider: Option<String>,
    /// kindtest profile of the run (`KINDTEST_PROFILE`), if any.
    pub profile: Option<String>,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn flag(name: &str) -> bool {
    matches!(
        var(name).as_deref().map(str::trim),
        Some("1" | "true" | "yes" | "on")
    )
}

fn secs(name: &str, default: u64) -> Result<Duration> {
    match var(name) {
        None => Ok(Duration::from_secs(default)),
        Some(v) => v
            .trim()
            .parse::<u64>()
            .map(Duration::from_secs)
            .map_err(|_| Error::Config(format!("{name}={v} is not a number of seconds"))),
    }
}

/// A run id when neither the CLI nor nextest gives one: stable for one process only.
fn fallback_run_id() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    format!("local-{now}-{}", std::process::id())
}

/// Parses `KINDTEST_IMAGES` (a JSON object of strings).
pub(crate) fn parse_images(text: &str) -> Result<BTreeMap<String, String>> {
    serde_json::from_str::<BTreeMap<String, String>>(text).map_err(|e| {
        Error::Config(format!(
            "{}: expected a JSON object of image name to reference: {e}",
            crate::ENV_IMAGES
        ))
    })
}

/// The target directory that holds the running test binary (`<target>/<profile>/deps/<bin>`).
fn target_dir_from_exe() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let deps = exe.parent()?;
    let profile = if deps.file_name()? == "deps" {
        deps.parent()?
    } else {
        deps
    };
    Some(profile.parent()?.to_path_buf())
}

fn find_workspace_root(start: &Path) -> Option<PathBuf> {
    let mut found = None;
    for dir in start.ancestors() {
        let manifest = dir.join("Cargo.toml");
        if let Ok(text) = std::fs::read_to_string(&manifest) {
            if text.lines().any(|l| l.trim() == "[workspace]") {
                return Some(dir.to_path_buf());
            }
            found.get_or_insert_with(|| dir.to_path_buf());
        }
    }
    found
}

impl Settings {
    /// Reads the environment. Cluster settings are checked later, by [`Settings::kube_config`].
    pub fn from_env() -> Result<Settings> {
        let run_id = var(crate::ENV_RUN_ID)
            .or_else(|| var("NEXTEST_RUN_ID"))
            .unwrap_or_else(fallback_run_id);
        let keep = match var(crate::ENV_KEEP) {
            None => Keep::Failed,
            Some(v) => Keep::parse(&v).ok_or_else(|| {
                Error::Config(format!(
                    "{}={v}: expected failed, never or always",
                    crate::ENV_KEEP
                ))
            })?,
        };
        let images = match var(crate::ENV_IMAGES) {
            None => BTreeMap::new(),
            Some(v) => parse_images(&v)?,
        };
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let workspace_root = var(crate::ENV_WORKSPACE_ROOT)
            .or_else(|| var("NEXTEST_WORKSPACE_ROOT"))
            .map(PathBuf::from)
            .or_else(|| find_workspace_root(&cwd))
            .unwrap_or_else(|| cwd.clone());
        let diagnostics_base = var(crate::ENV_DIAGNOSTICS_DIR)
            .map(PathBuf::from)
            .or_else(|| target_dir_from_exe().map(|t| t.join("kindtest")))
            .unwrap_or_else(|| workspace_root.join("target").join("kindtest"));
        let attempt = var("NEXTEST_ATTEMPT")
            .and_then(|a| a.parse().ok())
            .unwrap_or(1);
        Ok(Settings {
            run_id,
            cluster: var(crate::ENV_CLUSTER),
            kubeconfig: var(crate::ENV_KUBECONFIG)
                .or_else(|| var("KUBECONFIG").map(|k| first_path(&k)))
                .map(PathBuf::from),
            context: var(crate::ENV_CONTEXT),
            in_cluster: flag(crate::ENV_IN_CLUSTER),
            images,
            keep,
            diagnostics_base,
            helm: var(crate::ENV_HELM)
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("helm")),
            workspace_root,
            delete_timeout: secs(crate::ENV_DELETE_TIMEOUT, 0)?,
            stale_after: secs(crate::ENV_STALE_AFTER, 6 * 3600)?,
            timings: flag(crate::ENV_TIMINGS),
            attempt,
            provider: var(crate::ENV_PROVIDER),
            profile: var(crate::ENV_PROFILE),
        })
    }

    /// The kube client configuration, after the wrong-cluster guard:
    /// - in a pod (`KINDTEST_IN_CLUSTER=1`): the in-cluster config;
    /// - `KINDTEST_KUBECONFIG` (set by the CLI): that file, with `KINDTEST_CONTEXT` or its current context;
    /// - otherwise `KUBECONFIG` / `~/.kube/config` **only** with `KINDTEST_CONTEXT`, and only if that context
    ///   looks like a kindtest cluster.
    pub async fn kube_config(&self) -> Result<kube::Config> {
        if self.in_cluster {
            return kube::Config::incluster().map_err(|e| {
                Error::Config(format!(
                    "{}=1 but the in-cluster config is unusable: {e}",
                    crate::ENV_IN_CLUSTER
                ))
            });
        }
        let from_cli = var(crate::ENV_KUBECONFIG).is_some();
        if !from_cli && self.context.is_none() {
            return Err(Error::Config(format!(
                "no cluster: run the tests with `cargo kindtest`, or set KUBECONFIG and name the context explicitly with {}=<context> (an existing kindtest cluster)",
                crate::ENV_CONTEXT
            )));
        }
        let path = match &self.kubeconfig {
            Some(p) => p.clone(),
            None => home_kubeconfig().ok_or_else(|| {
                Error::Config("no kubeconfig: set KUBECONFIG or KINDTEST_KUBECONFIG".into())
            })?,
        };
        let kc = Kubeconfig::read_from(&path).map_err(|e| {
            Error::Config(format!("cannot read kubeconfig {}: {e}", path.display()))
        })?;
        let context = match &self.context {
            Some(c) => c.clone(),
            None => kc.current_context.clone().ok_or_else(|| {
                Error::Config(format!(
                    "kubeconfig {} has no current-context; set {}",
                    path.display(),
                    crate::ENV_CONTEXT
                ))
            })?,
        };
        let ctx = kc
            .contexts
            .iter()
            .find(|c| c.name == context)
            .ok_or_else(|| {
                Error::Config(format!(
                    "context `{context}` not found in {}",
                    path.display()
                ))
            })?;
        let cluster_name = ctx.context.as_ref().map(|c| c.cluster.clone());
        let server = kc
            .clusters
            .iter()
            .find(|c| Some(&c.name) == cluster_name.as_ref())
            .and_then(|c| c.cluster.as_ref())
            .and_then(|c| c.server.clone())
            .unwrap_or_default();
        if !from_cli && !is_kindtest_context(&context, &server) {
            return Err(Error::Config(format!(
                "refusing context `{context}` (server {server}): not a kindtest cluster; kindtest only runs against contexts named kind-*, kwok-* or kindtest*, or a loopback API server"
            )));
        }
        let opts = KubeConfigOptions {
            context: Some(context.clone()),
            ..Default::default()
        };
        kube::Config::from_custom_kubeconfig(kc, &opts)
            .await
            .map_err(|e| {
                Error::Config(format!(
                    "kubeconfig {} context `{context}`: {e}",
                    path.display()
                ))
            })
    }

    /// The folder of one test's diagnostics.
    pub fn diagnostics_dir(&self, test_name: &str) -> PathBuf {
        test_diagnostics_dir(&self.diagnostics_base, &self.run_id, test_name)
    }

    /// Resolves a path given by a test: absolute as is; relative to the current directory if it exists
    /// there, else relative to the workspace root.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() || p.exists() {
            p.to_path_buf()
        } else {
            self.workspace_root.join(p)
        }
    }

    /// `--kubeconfig`/`--context` arguments for kubectl/helm hints and subprocesses.
    pub fn kube_args(&self) -> Vec<String> {
        let mut v = Vec::new();
        if let Some(k) = &self.kubeconfig {
            v.push("--kubeconfig".into());
            v.push(k.display().to_string());
        }
        if let Some(c) = &self.context {
            v.push("--context".into());
            v.push(c.clone());
        }
        v
    }
}

fn first_path(list: &str) -> String {
    std::env::split_paths(list)
        .next()
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

fn home_kubeconfig() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".kube").join("config"))
}

/// Whether a context may be used without the CLI: named like a local test cluster, or served on loopback.
pub(crate) fn is_kindtest_context(context: &str, server: &str) -> bool {
    if context.starts_with("kind-")
        || context.starts_with("kwok-")
        || context.starts_with("kindtest")
    {
        return true;
    }
    let host = server
        .split("://")
        .nth(1)
        .unwrap_or(server)
        .split('/')
        .next()
        .unwrap_or("");
    let host = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host)
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

/// The folder of one test's diagnostics below `base` (`KINDTEST_DIAGNOSTICS_DIR`):
/// `<base>/<run id>/<test with :: as __>`, each part reduced to `[A-Za-z0-9._-]`. The in-cluster
/// runner writes beside the harness through this same function.
pub fn test_diagnostics_dir(base: &Path, run_id: &str, test_name: &str) -> PathBuf {
    base.join(sanitize_path(run_id))
        .join(sanitize_path(&test_name.replace("::", "__")))
}

/// Keeps `[A-Za-z0-9._-]`, replaces the rest with `_`.
pub(crate) fn sanitize_path(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
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
    fn keep_policy() {
        assert_eq!(Keep::parse("failed"), Some(Keep::Failed));
        assert_eq!(Keep::parse("never"), Some(Keep::Never));
        assert_eq!(Keep::parse("always"), Some(Keep::Always));
        assert_eq!(Keep::parse("sometimes"), None);
        assert!(Keep::Failed.keeps(false));
        assert!(!Keep::Failed.keeps(true));
        assert!(!Keep::Never.keeps(false));
        assert!(Keep::Always.keeps(true));
    }

    #[test]
    fn context_guard() {
        assert!(is_kindtest_context("kind-dev", "https://10.1.2.3:6443"));
        assert!(is_kindtest_context("kwok-ci", "https://10.1.2.3:6443"));
        assert!(is_kindtest_context("whatever", "https://127.0.0.1:40123"));
        assert!(is_kindtest_context("whatever", "https://[::1]:6443"));
        assert!(is_kindtest_context("whatever", "https://localhost:6443"));
        assert!(!is_kindtest_context(
            "prod-eu",
            "https://api.prod.example.com"
        ));
        assert!(!is_kindtest_context("gke_x_y", "https://34.1.2.3"));
    }

    #[test]
    fn images_json() {
        let m = parse_images(r#"{"demo":"kindtest.local/demo:abc"}"#).expect("valid");
        assert_eq!(m["demo"], "kindtest.local/demo:abc");
        assert!(parse_images("[1]").is_err());
    }

    #[test]
    fn sanitize() {
        assert_eq!(sanitize_path("e2e__a b/c"), "e2e__a_b_c");
    }
}
