//! `cargo kindtest --in-cluster`: every test process runs as a pod in the cluster, while nextest
//! still lists, filters, retries, times out and reports the tests as usual.
//!
//! The mechanism is nextest's *target runner* (`CARGO_TARGET_<TRIPLE>_RUNNER`, which nextest honours
//! like cargo): nextest runs `cargo-kindtest kindtest in-cluster-runner <test binary> <args…>` instead
//! of the binary, and [`runner`] turns that into a pod with the same argv, streams the pod's log to
//! its stdout and exits with the container's exit code.
//!
//! - [`package`]: the runner image (the test binaries nextest will run + the workspace files tests
//!   read), a staged Docker context built and loaded by the images stage's rules (content tag,
//!   skip if present, one `kind load` for all images).
//! - [`rbac`]: the per-run runner namespace, its service account and what it may do (least privilege).
//! - [`runner`]: the target runner itself.
//!
//! Decisions (documented in the README, "In-cluster tests"):
//! - nextest's list invocations (`--list …`) run on the host: same binary, same platform, and listing
//!   must be fast (nextest runs it twice per binary before any test).
//! - Runner pods live in a per-run namespace `kt-runner-<hash of run id>`; each test still gets its own
//!   test namespace `kt-<test>-<hash>` (the harness's name), which the runner creates beforehand so that
//!   the pod's service account can be given rights in it and nowhere else; the harness adopts it
//!   (`KINDTEST_NAMESPACE_PREPARED`).

pub mod package;
pub mod prepare;
pub mod rbac;
pub mod runner;

/// Subcommand word nextest's runner command line uses: `cargo-kindtest kindtest in-cluster-runner …`.
pub const RUNNER_SUBCOMMAND: &str = "in-cluster-runner";

/// `KINDTEST_RUNNER_IMAGE`: the runner image reference (set by `cargo kindtest --in-cluster`).
pub const ENV_RUNNER_IMAGE: &str = "KINDTEST_RUNNER_IMAGE";
/// `KINDTEST_RUNNER_RESOURCES`: JSON `ResourceRequirements` of the test container (profile `in-cluster.resources`).
pub const ENV_RUNNER_RESOURCES: &str = "KINDTEST_RUNNER_RESOURCES";
/// `KINDTEST_RUNNER_NODE_SELECTOR`: JSON object, the pod's `nodeSelector` (profile `in-cluster.node-selector`).
pub const ENV_RUNNER_NODE_SELECTOR: &str = "KINDTEST_RUNNER_NODE_SELECTOR";
/// `KINDTEST_RUNNER_CLUSTER_ADMIN`: `1` binds the runner's service account to `cluster-admin`
/// (profile `in-cluster.cluster-admin = true`); otherwise least privilege (see [`rbac`]).
pub const ENV_RUNNER_CLUSTER_ADMIN: &str = "KINDTEST_RUNNER_CLUSTER_ADMIN";
/// `KINDTEST_RUNNER_START_TIMEOUT`: seconds a pod may stay Pending before it fails (default 300).
pub const ENV_RUNNER_START_TIMEOUT: &str = "KINDTEST_RUNNER_START_TIMEOUT";
/// `KINDTEST_RUNNER_UNSCHEDULABLE_GRACE`: seconds an Unschedulable pod is given (default 5).
pub const ENV_RUNNER_UNSCHEDULABLE_GRACE: &str = "KINDTEST_RUNNER_UNSCHEDULABLE_GRACE";
/// `KINDTEST_RUNNER_HELM`: path of helm inside the runner image; becomes the pod's `KINDTEST_HELM`.
pub const ENV_RUNNER_HELM: &str = "KINDTEST_RUNNER_HELM";
/// `KINDTEST_RUNNER_POD_ANNOTATIONS`: JSON object of extra annotations on every runner pod.
pub const ENV_RUNNER_POD_ANNOTATIONS: &str = "KINDTEST_RUNNER_POD_ANNOTATIONS";
/// TEST HOOK, off unless set: `KINDTEST_RUNNER_TEST_ANNOTATIONS` is a JSON object `{test name: {annotation:
/// value}}` added to that test's pod. The project's own contract tests use it to give kwok's
/// simulated pods an outcome (`kindtest.dev/exit-code`, `kindtest.dev/pod-phase`), since no container
/// runs on kwok nodes. It has no use on a real cluster.
pub const ENV_RUNNER_TEST_ANNOTATIONS: &str = "KINDTEST_RUNNER_TEST_ANNOTATIONS";

/// Where the runner image keeps the test binaries.
pub const IMAGE_BIN_DIR: &str = "/kindtest/bin";
/// Where the runner image keeps the workspace files (the tests' `KINDTEST_WORKSPACE_ROOT`).
pub const IMAGE_WORKSPACE: &str = "/kindtest/src";
/// Diagnostics folder inside the pod.
pub const POD_DIAGNOSTICS_DIR: &str = "/tmp/kindtest";

/// `in-cluster` in a profile: `in-cluster = true`, or a table.
///
/// ```toml
/// [workspace.metadata.kindtest.profiles.e2e]
/// in-cluster = { resources = { limits = { memory = "512Mi" } }, node-selector = { "kindtest.dev/pool" = "e2e" } }
/// ```
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(untagged)]
pub enum InClusterConfig {
    /// `in-cluster = true` / `false`.
    Flag(bool),
    /// `in-cluster = { … }` (enabled unless `enabled = false`).
    Table(InClusterTable),
}

/// The table form of [`InClusterConfig`].
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct InClusterTable {
    /// Default true.
    pub enabled: Option<bool>,
    /// `resources` of the test container (`{ limits = {…}, requests = {…} }`).
    pub resources: Option<serde_json::Value>,
    /// `nodeSelector` of the test pods.
    pub node_selector: Option<std::collections::BTreeMap<String, String>>,
    /// Bind the runner's service account to `cluster-admin` (default false: least privilege).
    pub cluster_admin: Option<bool>,
    /// Base image of the runner image (default [`package::DEFAULT_BASE`]).
    pub base_image: Option<String>,
    /// Workspace-relative files and folders the tests read, copied into the image (default: the
    /// configured charts and values files).
    pub files: Option<Vec<String>>,
    /// Seconds a test pod may stay Pending (default 300).
    pub start_timeout: Option<u64>,
}

/// Keys of the `in-cluster` table (for the config's unknown-key check).
pub const CONFIG_KEYS: &[&str] = &[
    "enabled",
    "resources",
    "node-selector",
    "cluster-admin",
    "base-image",
    "files",
    "start-timeout",
];

impl InClusterConfig {
    /// Whether in-cluster execution is on.
    pub fn enabled(&self) -> bool {
        match self {
            InClusterConfig::Flag(b) => *b,
            InClusterConfig::Table(t) => t.enabled.unwrap_or(true),
        }
    }

    /// The table form (defaults for `true`).
    pub fn table(&self) -> InClusterTable {
        match self {
            InClusterConfig::Flag(_) => InClusterTable::default(),
            InClusterConfig::Table(t) => t.clone(),
        }
    }

    /// The runner's environment for these settings (`KINDTEST_RUNNER_*`, without the image).
    pub fn runner_env(&self) -> Vec<(String, String)> {
        let t = self.table();
        let mut v = Vec::new();
        if let Some(r) = &t.resources {
            v.push((ENV_RUNNER_RESOURCES.to_string(), r.to_string()));
        }
        if let Some(n) = &t.node_selector {
            v.push((
                ENV_RUNNER_NODE_SELECTOR.to_string(),
                serde_json::to_string(n).unwrap_or_default(),
            ));
        }
        if t.cluster_admin == Some(true) {
            v.push((ENV_RUNNER_CLUSTER_ADMIN.to_string(), "1".into()));
        }
        if let Some(s) = t.start_timeout {
            v.push((ENV_RUNNER_START_TIMEOUT.to_string(), s.to_string()));
        }
        v
    }
}

/// The in-cluster setting of a run: the profile's when enabled; `--in-cluster` turns it on (keeping
/// the profile's table settings) or gives the defaults.
pub fn selected(profile: Option<&InClusterConfig>, flag: bool) -> Option<InClusterConfig> {
    match profile {
        Some(c) if c.enabled() => Some(c.clone()),
        Some(c) if flag => Some(InClusterConfig::Table(InClusterTable {
            enabled: Some(true),
            ..c.table()
        })),
        _ if flag => Some(InClusterConfig::Flag(true)),
        _ => None,
    }
}

/// Files packaged by default: the charts of the releases and every values file (workspace-relative
/// where they are inside the workspace).
pub fn default_files(plan: &crate::plan::Plan) -> Vec<std::path::PathBuf> {
    let root = &plan.workspace_root;
    let mut out = Vec::new();
    let mut push = |p: &std::path::Path| {
        if let Ok(rel) = p.strip_prefix(root)
            && p.exists()
            && !out.iter().any(|o: &std::path::PathBuf| o == rel)
        {
            out.push(rel.to_path_buf());
        }
    };
    for r in &plan.releases {
        push(std::path::Path::new(&r.chart));
        for v in &r.values {
            push(v);
        }
    }
    for c in &plan.checks {
        push(&c.chart);
        for v in &c.values {
            push(v);
        }
    }
    out
}

/// The target-runner environment variable nextest reads for `triple` (`x86_64-unknown-linux-gnu` →
/// `CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER`).
pub fn runner_env_var(triple: &str) -> String {
    format!("CARGO_TARGET_{}_RUNNER", crate::run::env_key(triple))
}

/// The runner command line nextest is given: `<this executable> kindtest in-cluster-runner`
/// (cargo splits the variable on spaces, so the executable path must have none).
pub fn runner_command(exe: &std::path::Path) -> Result<String, String> {
    let s = exe.display().to_string();
    if s.contains(char::is_whitespace) {
        return Err(format!(
            "the path of cargo-kindtest ({s}) contains a space; nextest splits CARGO_TARGET_<triple>_RUNNER on spaces"
        ));
    }
    Ok(format!("{s} kindtest {RUNNER_SUBCOMMAND}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runner_env_var_names() {
        assert_eq!(
            runner_env_var("x86_64-unknown-linux-gnu"),
            "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER"
        );
        assert_eq!(
            runner_env_var("aarch64-apple-darwin"),
            "CARGO_TARGET_AARCH64_APPLE_DARWIN_RUNNER"
        );
    }

    #[test]
    fn config_forms() {
        let t: InClusterConfig = serde_json::from_str("true").unwrap();
        assert!(t.enabled());
        assert!(t.runner_env().is_empty());
        let t: InClusterConfig = serde_json::from_str(
            r#"{"resources": {"limits": {"memory": "512Mi"}}, "node-selector": {"pool": "e2e"}, "cluster-admin": true}"#,
        )
        .unwrap();
        assert!(t.enabled());
        let env: std::collections::BTreeMap<_, _> = t.runner_env().into_iter().collect();
        assert_eq!(
            env[ENV_RUNNER_RESOURCES],
            r#"{"limits":{"memory":"512Mi"}}"#
        );
        assert_eq!(env[ENV_RUNNER_NODE_SELECTOR], r#"{"pool":"e2e"}"#);
        assert_eq!(env[ENV_RUNNER_CLUSTER_ADMIN], "1");
        let off: InClusterConfig = serde_json::from_str(r#"{"enabled": false}"#).unwrap();
        assert!(!off.enabled());
    }

    #[test]
    fn flag_and_profile() {
        assert_eq!(selected(None, false), None);
        assert_eq!(selected(None, true), Some(InClusterConfig::Flag(true)));
        let off = InClusterConfig::Table(InClusterTable {
            enabled: Some(false),
            cluster_admin: Some(true),
            ..Default::default()
        });
        assert_eq!(selected(Some(&off), false), None);
        let on = selected(Some(&off), true).expect("on");
        assert!(on.enabled());
        assert_eq!(on.table().cluster_admin, Some(true));
    }

    #[test]
    fn runner_command_refuses_spaces() {
        assert_eq!(
            runner_command(std::path::Path::new("/x/cargo-kindtest")).as_deref(),
            Ok("/x/cargo-kindtest kindtest in-cluster-runner")
        );
        assert!(runner_command(std::path::Path::new("/my dir/cargo-kindtest")).is_err());
    }
}
