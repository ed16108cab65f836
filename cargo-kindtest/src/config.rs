//! `[workspace.metadata.kindtest]` (or `[package.metadata.kindtest]`): the configuration
//! schema, read through `cargo metadata`. Unknown keys are errors with a "did you mean".
//!
//! The schema is documented in `docs/configuration.md`; keep both in step.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The whole `kindtest` table.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct Config {
    /// Charts checked by `cargo kindtest check` (paths, or tables with per-chart values files).
    #[serde(default)]
    pub charts: Vec<ChartEntry>,
    /// Images to build, by key.
    #[serde(default)]
    pub images: BTreeMap<String, ImageConfig>,
    /// Releases installed by every profile (profiles may add or override by name).
    #[serde(default)]
    pub releases: BTreeMap<String, ReleaseConfig>,
    /// Profiles by name; `default` is the base every other profile inherits from.
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileConfig>,
    /// Lint levels and allow-lists (`[workspace.metadata.kindtest.lint]`), read by
    /// `chart_lint`'s own parser so `cargo kindtest`, `check` and `build.rs` agree.
    #[serde(default)]
    pub lint: LintSettings,
}

/// The `lint` table: rule name or code → `error`/`warning`/`note`/`allow`, plus `allow = [{ rule,
/// resource, file }]`. Parsed by [`chart_lint::lint::LintConfig::from_json`] (unknown rules are
/// errors with a "did you mean").
#[derive(Debug, Clone, Default)]
pub struct LintSettings {
    /// The parsed configuration.
    pub config: chart_lint::lint::LintConfig,
    raw: serde_json::Value,
}

impl LintSettings {
    /// The table as written (JSON), e.g. to fingerprint it.
    pub fn raw(&self) -> &serde_json::Value {
        &self.raw
    }
}

impl PartialEq for LintSettings {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

impl<'de> Deserialize<'de> for LintSettings {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = serde_json::Value::deserialize(d)?;
        let config =
            chart_lint::lint::LintConfig::from_json(&raw).map_err(serde::de::Error::custom)?;
        Ok(LintSettings { config, raw })
    }
}

/// A chart to check: a path, or a table.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum ChartEntry {
    /// `"charts/demo"`.
    Path(String),
    /// `{ path = "charts/demo", values = ["values/e2e.yaml"] }`.
    Table(ChartTable),
}

/// A chart with the values files it is checked with (one check per file, plus defaults).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct ChartTable {
    /// Chart directory.
    pub path: String,
    /// Values files, each checked separately.
    #[serde(default)]
    pub values: Vec<String>,
}

impl ChartEntry {
    /// The chart directory.
    pub fn path(&self) -> &str {
        match self {
            ChartEntry::Path(p) => p,
            ChartEntry::Table(t) => &t.path,
        }
    }
}

/// An image built with `docker build` and loaded into the nodes.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct ImageConfig {
    /// Repository name (default `kindtest.local/<key>`); the tag is a content hash.
    pub name: Option<String>,
    /// Dockerfile (default `<context>/Dockerfile`).
    pub dockerfile: Option<String>,
    /// Build context (default the workspace root).
    pub context: Option<String>,
    /// `--target` stage.
    pub target: Option<String>,
    /// `--build-arg`s.
    #[serde(default)]
    pub build_args: BTreeMap<String, String>,
    /// Values paths that receive the image (default `image.repository` / `image.tag`).
    pub values: Option<ImageValues>,
}

/// Values paths (dotted) that receive an image's repository, tag and pull policy.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct ImageValues {
    /// Receives the repository, e.g. `image.repository`.
    pub repository: Option<String>,
    /// Receives the tag, e.g. `image.tag`.
    pub tag: Option<String>,
    /// Receives `IfNotPresent`, e.g. `image.pullPolicy`.
    pub pull_policy: Option<String>,
}

/// A Helm release installed before the tests.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct ReleaseConfig {
    /// Chart directory (or `repo/chart` reference passed to helm as is).
    pub chart: Option<String>,
    /// Namespace (default: the release name); created if missing.
    pub namespace: Option<String>,
    /// Values files, in order.
    pub values: Option<Vec<String>>,
    /// `--set` pairs.
    pub set: Option<BTreeMap<String, String>>,
    /// Which images' values are injected (default: all images of the profile).
    pub images: Option<Vec<String>>,
    /// `--timeout` (Go duration, default `5m`).
    pub timeout: Option<String>,
    /// `false` disables a release inherited from the top level or `default`.
    pub enabled: Option<bool>,
}

/// A profile: cluster shape, releases, values and test selection.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct ProfileConfig {
    /// Profile to inherit unset fields from (default: `default`, if this is not it).
    pub inherits: Option<String>,
    /// `kind` (default) or `kwok`.
    pub provider: Option<String>,
    /// The cluster's shape.
    #[serde(default)]
    pub cluster: ClusterConfig,
    /// Values files applied to every release after the release's own.
    pub values: Option<Vec<String>>,
    /// Releases, merged by name over the top-level `releases`.
    #[serde(default)]
    pub releases: BTreeMap<String, ReleaseConfig>,
    /// Images to build (default: all).
    pub images: Option<Vec<String>>,
    /// nextest filterset (`-E`).
    pub filter: Option<String>,
    /// nextest profile (`--profile`).
    pub nextest_profile: Option<String>,
    /// Extra arguments for the test runner.
    pub test_args: Option<Vec<String>>,
    /// Run each test process as a pod (`in-cluster = true` or a table; see `incluster`).
    pub in_cluster: Option<crate::incluster::InClusterConfig>,
}

/// The cluster part of a profile.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct ClusterConfig {
    /// Cluster name (default `kindtest-<profile>`).
    pub name: Option<String>,
    /// Number of nodes: one control plane plus `nodes - 1` workers (default 1).
    pub nodes: Option<u32>,
    /// Kubernetes version `1.36.1` (selects `kindest/node:v1.36.1` unless `node-image` is set).
    pub kubernetes_version: Option<String>,
    /// Node image, ideally pinned by digest.
    pub node_image: Option<String>,
    /// A kind config file used as is (the generated fields below are then not allowed).
    pub config: Option<String>,
    /// Port mappings on the control-plane node.
    pub extra_port_mappings: Option<Vec<PortMapping>>,
    /// Labels on every node.
    pub node_labels: Option<BTreeMap<String, String>>,
    /// Extended resources advertised on the worker nodes (all nodes when there is no worker),
    /// e.g. `{ "nvidia.com/gpu" = "2" }`, so pods requesting them schedule.
    pub extended_resources: Option<BTreeMap<String, String>>,
    /// Readiness gate timeout (Go duration, default `3m`).
    pub ready_timeout: Option<String>,
    /// `provider = "kwok"`: directory holding etcd, kube-apiserver, kube-controller-manager,
    /// kube-scheduler, kwok and kubectl (relative to the workspace root). Default:
    /// `$KINDTEST_CONTROL_PLANE_BIN`, `PATH`, then the cache `scripts/build-control-plane.sh` fills.
    pub control_plane_bin: Option<String>,
}

/// kind's `extraPortMappings` entry.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub struct PortMapping {
    /// Port inside the node.
    pub container_port: u16,
    /// Port on the host.
    pub host_port: u16,
    /// Host address (default `127.0.0.1`).
    pub listen_address: Option<String>,
    /// `TCP` (default), `UDP` or `SCTP`.
    pub protocol: Option<String>,
}

/// Errors reading the configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `cargo metadata` failed.
    #[error("could not read the workspace metadata: {0}")]
    Metadata(String),
    /// A key that the schema does not know.
    #[error("unknown key `{key}` in {table} ({manifest}){}", hint.as_ref().map(|h| format!("; did you mean `{h}`?")).unwrap_or_default())]
    UnknownKey {
        /// Dotted path of the key.
        key: String,
        /// The table it was found in.
        table: String,
        /// The manifest.
        manifest: String,
        /// The closest known key.
        hint: Option<String>,
    },
    /// A value of the wrong type or shape.
    #[error("invalid value at `{path}` in {table} ({manifest}): {message}")]
    Invalid {
        /// Dotted path.
        path: String,
        /// The table.
        table: String,
        /// The manifest.
        manifest: String,
        /// What is wrong.
        message: String,
    },
    /// Two packages define a `kindtest` table and there is no workspace one.
    #[error(
        "several packages define [package.metadata.kindtest] ({0}); move it to [workspace.metadata.kindtest]"
    )]
    Ambiguous(String),
}

impl crate::error::Classify for ConfigError {
    fn exit_code(&self) -> crate::ExitCode {
        crate::ExitCode::Usage
    }
}

/// Where the configuration came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The configuration (default if there was none).
    pub config: Config,
    /// The workspace root; config paths are relative to `base_dir`.
    pub workspace_root: PathBuf,
    /// Directory config paths are relative to (workspace root, or the package's directory).
    pub base_dir: PathBuf,
    /// Cargo's target directory.
    pub target_dir: PathBuf,
    /// The manifest that held the table (for messages).
    pub manifest: PathBuf,
    /// Whether a `kindtest` table was found at all.
    pub found: bool,
}

/// Reads the configuration through `cargo metadata --no-deps` (no dependency resolution, so
/// it is fast and works offline).
pub fn load(manifest_path: Option<&Path>) -> Result<Loaded, ConfigError> {
    let mut cmd = cargo_metadata::MetadataCommand::new();
    cmd.no_deps();
    if let Some(p) = manifest_path {
        cmd.manifest_path(p);
    }
    let md = cmd
        .exec()
        .map_err(|e| ConfigError::Metadata(e.to_string()))?;
    let root: PathBuf = md.workspace_root.clone().into();
    let target: PathBuf = md.target_directory.clone().into();
    let ws_manifest = root.join("Cargo.toml");
    if let Some(v) = md.workspace_metadata.get("kindtest") {
        let config = parse(v, "[workspace.metadata.kindtest]", &ws_manifest)?;
        return Ok(Loaded {
            config,
            base_dir: root.clone(),
            workspace_root: root,
            target_dir: target,
            manifest: ws_manifest,
            found: true,
        });
    }
    let with: Vec<_> = md
        .packages
        .iter()
        .filter(|p| p.metadata.get("kindtest").is_some())
        .collect();
    match with.as_slice() {
        [] => Ok(Loaded {
            config: Config::default(),
            base_dir: root.clone(),
            workspace_root: root,
            target_dir: target,
            manifest: ws_manifest,
            found: false,
        }),
        [p] => {
            let manifest: PathBuf = p.manifest_path.clone().into();
            let v = &p.metadata["kindtest"];
            let config = parse(v, "[package.metadata.kindtest]", &manifest)?;
            let base = manifest
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| root.clone());
            Ok(Loaded {
                config,
                workspace_root: root,
                base_dir: base,
                target_dir: target,
                manifest,
                found: true,
            })
        }
        many => Err(ConfigError::Ambiguous(
            many.iter()
                .map(|p| p.name.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        )),
    }
}

/// Parses a `kindtest` table given as JSON (what `cargo metadata` returns).
pub fn parse(v: &serde_json::Value, table: &str, manifest: &Path) -> Result<Config, ConfigError> {
    check_keys(v, &ROOT, "", table, manifest)?;
    let de = v.clone();
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        ConfigError::Invalid {
            path,
            table: table.into(),
            manifest: manifest.display().to_string(),
            message: e.into_inner().to_string(),
        }
    })
}

/// The key schema, used to report unknown keys before deserializing.
enum Shape {
    /// A value with no key checks.
    Leaf,
    /// A table with these keys.
    Table(&'static [(&'static str, Shape)]),
    /// A table with free keys whose values have this shape.
    Map(&'static Shape),
    /// A list whose tables have this shape (strings pass).
    List(&'static Shape),
}

const PORT: Shape = Shape::Table(&[
    ("container-port", Shape::Leaf),
    ("host-port", Shape::Leaf),
    ("listen-address", Shape::Leaf),
    ("protocol", Shape::Leaf),
]);
const CLUSTER: Shape = Shape::Table(&[
    ("name", Shape::Leaf),
    ("nodes", Shape::Leaf),
    ("kubernetes-version", Shape::Leaf),
    ("node-image", Shape::Leaf),
    ("config", Shape::Leaf),
    ("extra-port-mappings", Shape::List(&PORT)),
    ("node-labels", Shape::Leaf),
    ("extended-resources", Shape::Leaf),
    ("ready-timeout", Shape::Leaf),
    ("control-plane-bin", Shape::Leaf),
]);
const RELEASE: Shape = Shape::Table(&[
    ("chart", Shape::Leaf),
    ("namespace", Shape::Leaf),
    ("values", Shape::Leaf),
    ("set", Shape::Leaf),
    ("images", Shape::Leaf),
    ("timeout", Shape::Leaf),
    ("enabled", Shape::Leaf),
]);
const IN_CLUSTER: Shape = Shape::Table(&[
    ("enabled", Shape::Leaf),
    ("resources", Shape::Leaf),
    ("node-selector", Shape::Leaf),
    ("cluster-admin", Shape::Leaf),
    ("base-image", Shape::Leaf),
    ("files", Shape::Leaf),
    ("start-timeout", Shape::Leaf),
]);
const PROFILE: Shape = Shape::Table(&[
    ("inherits", Shape::Leaf),
    ("provider", Shape::Leaf),
    ("cluster", CLUSTER),
    ("values", Shape::Leaf),
    ("releases", Shape::Map(&RELEASE)),
    ("images", Shape::Leaf),
    ("filter", Shape::Leaf),
    ("nextest-profile", Shape::Leaf),
    ("test-args", Shape::Leaf),
    ("in-cluster", IN_CLUSTER),
]);
const IMAGE_VALUES: Shape = Shape::Table(&[
    ("repository", Shape::Leaf),
    ("tag", Shape::Leaf),
    ("pull-policy", Shape::Leaf),
]);
const IMAGE: Shape = Shape::Table(&[
    ("name", Shape::Leaf),
    ("dockerfile", Shape::Leaf),
    ("context", Shape::Leaf),
    ("target", Shape::Leaf),
    ("build-args", Shape::Leaf),
    ("values", IMAGE_VALUES),
]);
const CHART: Shape = Shape::Table(&[("path", Shape::Leaf), ("values", Shape::Leaf)]);
const ROOT: Shape = Shape::Table(&[
    ("charts", Shape::List(&CHART)),
    ("images", Shape::Map(&IMAGE)),
    ("releases", Shape::Map(&RELEASE)),
    ("profiles", Shape::Map(&PROFILE)),
    // Keys checked by chart_lint's parser (rule names and codes).
    ("lint", Shape::Leaf),
]);

fn check_keys(
    v: &serde_json::Value,
    shape: &Shape,
    path: &str,
    table: &str,
    manifest: &Path,
) -> Result<(), ConfigError> {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match (shape, v) {
        (Shape::Table(keys), serde_json::Value::Object(m)) => {
            for (k, val) in m {
                match keys.iter().find(|(name, _)| name == k) {
                    Some((_, sub)) => check_keys(val, sub, &join(k), table, manifest)?,
                    None => {
                        return Err(ConfigError::UnknownKey {
                            key: join(k),
                            table: table.into(),
                            manifest: manifest.display().to_string(),
                            hint: did_you_mean(k, keys.iter().map(|(n, _)| *n)),
                        });
                    }
                }
            }
            Ok(())
        }
        (Shape::Map(sub), serde_json::Value::Object(m)) => {
            for (k, val) in m {
                check_keys(val, sub, &join(k), table, manifest)?;
            }
            Ok(())
        }
        (Shape::List(sub), serde_json::Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                check_keys(item, sub, &format!("{path}[{i}]"), table, manifest)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let w = word.to_lowercase().replace('_', "-");
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&w, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.to_string())
}

/// Parses a Go duration (`90s`, `5m`, `1m30s`, `1h`) into seconds; what helm's `--timeout`
/// and our readiness gate accept.
pub fn parse_duration(s: &str) -> Option<std::time::Duration> {
    let mut total = 0f64;
    let mut num = String::new();
    let mut chars = s.trim().chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let mut unit = c.to_string();
        if c == 'm' && chars.peek() == Some(&'s') {
            unit.push('s');
            chars.next();
        }
        let n: f64 = num.parse().ok()?;
        num.clear();
        total += n * match unit.as_str() {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            _ => return None,
        };
        any = true;
    }
    if !num.is_empty() || !any {
        return None;
    }
    Some(std::time::Duration::from_secs_f64(total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(v: serde_json::Value) -> Result<Config, ConfigError> {
        parse(&v, "[workspace.metadata.kindtest]", Path::new("Cargo.toml"))
    }

    #[test]
    fn full_config_parses() {
        let c = p(json!({
            "charts": ["charts/demo", {"path": "charts/other", "values": ["values/e2e.yaml"]}],
            "images": {"demo": {"dockerfile": "demo/Dockerfile", "context": ".", "values": {"repository": "image.repository", "tag": "image.tag"}}},
            "releases": {"demo": {"chart": "charts/demo", "namespace": "demo", "values": ["values/e2e.yaml"]}},
            "profiles": {
                "default": {"cluster": {"nodes": 2, "kubernetes-version": "1.36.1", "extended-resources": {"nvidia.com/gpu": "1"},
                            "extra-port-mappings": [{"container-port": 30080, "host-port": 8080}]}},
                "e2e": {"filter": "test(/^e2e::/)", "nextest-profile": "e2e"}
            }
        }))
        .unwrap();
        assert_eq!(c.charts.len(), 2);
        assert_eq!(c.charts[1].path(), "charts/other");
        assert_eq!(c.profiles["default"].cluster.nodes, Some(2));
        assert_eq!(
            c.profiles["default"]
                .cluster
                .extra_port_mappings
                .as_ref()
                .unwrap()[0]
                .host_port,
            8080
        );
    }

    #[test]
    fn unknown_key_has_a_suggestion() {
        let e = p(json!({"profiles": {"e2e": {"cluster": {"node": 3}}}})).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown key `profiles.e2e.cluster.node` in [workspace.metadata.kindtest] (Cargo.toml); did you mean `nodes`?"
        );
        let e = p(json!({"imagez": {}})).unwrap_err();
        assert!(e.to_string().ends_with("did you mean `images`?"), "{e}");
        let e = p(json!({"zzz": 1})).unwrap_err();
        assert!(!e.to_string().contains("did you mean"), "{e}");
        let e = p(json!({"charts": [{"path": "x", "valeus": []}]})).unwrap_err();
        assert!(e.to_string().contains("`charts[0].valeus`"), "{e}");
    }

    #[test]
    fn wrong_type_names_the_path() {
        let e = p(json!({"profiles": {"e2e": {"cluster": {"nodes": "three"}}}})).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("invalid value at `profiles.e2e.cluster.nodes`"),
            "{e}"
        );
    }

    #[test]
    fn lint_table_is_typed_and_agrees_with_chart_lint() {
        let toml_text = r#"
[workspace]
members = []
[workspace.metadata.kindtest.lint]
image-tag = "error"
KT0205 = "allow"
missing-readiness-probe = "warning"
allow = [{ rule = "host-access", resource = "DaemonSet/node-agent" }]
"#;
        // What chart_lint::build (build.rs, `cargo kindtest check`) reads from Cargo.toml …
        let theirs = chart_lint::build::lint_config_from_manifest(toml_text).unwrap();
        // … and what our loader reads from `cargo metadata` (JSON of the same table).
        let ours = p(json!({"lint": {
            "image-tag": "error",
            "KT0205": "allow",
            "missing-readiness-probe": "warning",
            "allow": [{"rule": "host-access", "resource": "DaemonSet/node-agent"}]
        }}))
        .unwrap()
        .lint
        .config;
        assert_eq!(ours.levels, theirs.levels);
        assert_eq!(ours.allow, theirs.allow);
        assert_eq!(ours.levels.len(), 3);
        assert_eq!(
            ours.level(chart_lint::lint::IMAGE_TAG),
            Some(chart_lint::lint::Severity::Error)
        );
        // A misspelt rule is an error naming the path, with chart_lint's suggestion.
        let e = p(json!({"lint": {"image-tags": "error"}})).unwrap_err();
        let m = e.to_string();
        assert!(m.starts_with("invalid value at `lint`"), "{m}");
        assert!(m.contains("did you mean `image-tag`"), "{m}");
        let e = p(json!({"lint": {"image-tag": "loud"}})).unwrap_err();
        assert!(e.to_string().contains("lint level `loud`"), "{e}");
        // No table: the defaults.
        assert!(p(json!({})).unwrap().lint.config.levels.is_empty());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5m").unwrap().as_secs(), 300);
        assert_eq!(parse_duration("1m30s").unwrap().as_secs(), 90);
        assert_eq!(parse_duration("250ms").unwrap().as_millis(), 250);
        assert!(parse_duration("5").is_none());
        assert!(parse_duration("5x").is_none());
        assert!(parse_duration("").is_none());
    }
}
