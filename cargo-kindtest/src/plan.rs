//! The plan stage: configuration + profile + command line → everything the later stages
//! need, as plain data (absolute paths, merged releases, resolved images, test arguments).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cluster::{ClusterSpec, NodeRole, NodeSpec, ProviderKind};
use crate::config::{
    ClusterConfig, Config, Loaded, ProfileConfig, ReleaseConfig, did_you_mean, parse_duration,
};

/// Command-line choices that shape the plan.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Profile name (default `default`).
    pub profile: String,
    /// `--cluster NAME`: use this (possibly foreign) cluster; never deleted by us.
    pub cluster: Option<String>,
    /// Positional test name filters.
    pub filters: Vec<String>,
    /// `-E` filtersets (replace the profile's `filter`).
    pub filter_exprs: Vec<String>,
    /// `--partition`.
    pub partition: Option<String>,
    /// `--no-fail-fast`.
    pub no_fail_fast: bool,
    /// Arguments after `--`, passed to the test runner verbatim.
    pub passthrough: Vec<String>,
}

/// One image to build.
#[derive(Debug, Clone, PartialEq)]
pub struct ImagePlan {
    /// Key in `images`.
    pub key: String,
    /// Repository (`kindtest.local/demo`).
    pub repository: String,
    /// Dockerfile (absolute).
    pub dockerfile: PathBuf,
    /// Build context (absolute).
    pub context: PathBuf,
    /// `--target`.
    pub target: Option<String>,
    /// `--build-arg`s.
    pub build_args: BTreeMap<String, String>,
    /// Values path receiving the repository.
    pub repository_path: Option<String>,
    /// Values path receiving the tag.
    pub tag_path: Option<String>,
    /// Values path receiving `IfNotPresent`.
    pub pull_policy_path: Option<String>,
}

/// One release to install.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleasePlan {
    /// Release name.
    pub name: String,
    /// Chart: an absolute directory, or a reference passed to helm as is.
    pub chart: String,
    /// Namespace (created if missing).
    pub namespace: String,
    /// Values files in order (absolute).
    pub values: Vec<PathBuf>,
    /// `--set` pairs.
    pub set: BTreeMap<String, String>,
    /// Keys of the images injected into this release.
    pub images: Vec<String>,
    /// `--timeout`.
    pub timeout: String,
}

/// One chart × values combination to check.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckJob {
    /// Chart directory.
    pub chart: PathBuf,
    /// Values files (empty = chart defaults).
    pub values: Vec<PathBuf>,
    /// `--set` pairs.
    pub set: BTreeMap<String, String>,
    /// Release name used for rendering.
    pub release: String,
    /// Namespace used for rendering.
    pub namespace: String,
    /// Kubernetes version to validate against.
    pub kube_version: Option<String>,
}

/// How tests are run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TestPlan {
    /// Positional filters.
    pub filters: Vec<String>,
    /// `-E` filtersets.
    pub filter_exprs: Vec<String>,
    /// nextest `--profile`.
    pub nextest_profile: Option<String>,
    /// `--partition`.
    pub partition: Option<String>,
    /// `--no-fail-fast`.
    pub no_fail_fast: bool,
    /// Profile `test-args` then arguments after `--`.
    pub args: Vec<String>,
}

/// Everything a run does, decided up front.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Profile name.
    pub profile: String,
    /// Workspace root.
    pub workspace_root: PathBuf,
    /// `target/kindtest`.
    pub kindtest_dir: PathBuf,
    /// The cluster.
    pub cluster: ClusterSpec,
    /// `--cluster` was given: the cluster may be foreign, and is never deleted.
    pub cluster_named: bool,
    /// Images to build.
    pub images: Vec<ImagePlan>,
    /// Releases to install, in order.
    pub releases: Vec<ReleasePlan>,
    /// Chart checks.
    pub checks: Vec<CheckJob>,
    /// Tests.
    pub tests: TestPlan,
    /// The profile's `in-cluster` setting, if any (`--in-cluster` turns it on).
    pub in_cluster: Option<crate::incluster::InClusterConfig>,
}

/// Errors of the plan stage.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// `--profile` names no profile.
    #[error("no profile `{name}` in {manifest}{}", hint.as_ref().map(|h| format!("; did you mean `{h}`?")).unwrap_or_else(|| format!(" (profiles: {})", if known.is_empty() { "none".into() } else { known.join(", ") })))]
    UnknownProfile {
        /// Requested.
        name: String,
        /// Manifest.
        manifest: String,
        /// Closest name.
        hint: Option<String>,
        /// All names.
        known: Vec<String>,
    },
    /// A reference that does not resolve, or a value out of range.
    #[error("{0}")]
    Invalid(String),
}

impl crate::error::Classify for PlanError {
    fn exit_code(&self) -> crate::ExitCode {
        crate::ExitCode::Usage
    }
}

fn merge_opt<T: Clone>(a: &mut Option<T>, b: &Option<T>) {
    if b.is_some() {
        *a = b.clone();
    }
}

fn merge_cluster(base: &mut ClusterConfig, over: &ClusterConfig) {
    merge_opt(&mut base.name, &over.name);
    merge_opt(&mut base.nodes, &over.nodes);
    merge_opt(&mut base.kubernetes_version, &over.kubernetes_version);
    merge_opt(&mut base.node_image, &over.node_image);
    merge_opt(&mut base.config, &over.config);
    merge_opt(&mut base.extra_port_mappings, &over.extra_port_mappings);
    merge_opt(&mut base.node_labels, &over.node_labels);
    merge_opt(&mut base.extended_resources, &over.extended_resources);
    merge_opt(&mut base.ready_timeout, &over.ready_timeout);
    merge_opt(&mut base.control_plane_bin, &over.control_plane_bin);
}

fn merge_release(base: &mut ReleaseConfig, over: &ReleaseConfig) {
    merge_opt(&mut base.chart, &over.chart);
    merge_opt(&mut base.namespace, &over.namespace);
    merge_opt(&mut base.values, &over.values);
    merge_opt(&mut base.set, &over.set);
    merge_opt(&mut base.images, &over.images);
    merge_opt(&mut base.timeout, &over.timeout);
    merge_opt(&mut base.enabled, &over.enabled);
}

/// Resolves `name` through its `inherits` chain into one profile (base first).
pub fn resolve_profile(
    config: &Config,
    name: &str,
    manifest: &Path,
) -> Result<ProfileConfig, PlanError> {
    let mut chain: Vec<&ProfileConfig> = Vec::new();
    let mut cur = name.to_string();
    loop {
        let Some(p) = config.profiles.get(&cur) else {
            if cur == "default" && !chain.is_empty() {
                break;
            }
            if cur == "default" && config.profiles.is_empty() {
                break;
            }
            let known: Vec<String> = config.profiles.keys().cloned().collect();
            return Err(PlanError::UnknownProfile {
                hint: did_you_mean(&cur, known.iter().map(String::as_str)),
                name: cur,
                manifest: manifest.display().to_string(),
                known,
            });
        };
        if chain.len() > 16 || chain.iter().any(|c| std::ptr::eq(*c, p)) {
            return Err(PlanError::Invalid(format!(
                "profile `{name}`: `inherits` forms a cycle"
            )));
        }
        chain.push(p);
        match (&p.inherits, cur.as_str()) {
            (Some(parent), _) => cur = parent.clone(),
            (None, "default") => break,
            (None, _) => cur = "default".into(),
        }
    }
    let mut out = ProfileConfig::default();
    for p in chain.iter().rev() {
        merge_opt(&mut out.provider, &p.provider);
        merge_cluster(&mut out.cluster, &p.cluster);
        merge_opt(&mut out.values, &p.values);
        merge_opt(&mut out.images, &p.images);
        merge_opt(&mut out.filter, &p.filter);
        merge_opt(&mut out.nextest_profile, &p.nextest_profile);
        merge_opt(&mut out.test_args, &p.test_args);
        merge_opt(&mut out.in_cluster, &p.in_cluster);
        for (k, r) in &p.releases {
            merge_release(out.releases.entry(k.clone()).or_default(), r);
        }
    }
    Ok(out)
}

fn valid_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// Builds the plan.
pub fn plan(loaded: &Loaded, opts: &Options) -> Result<Plan, PlanError> {
    let profile_name = if opts.profile.is_empty() {
        "default".to_string()
    } else {
        opts.profile.clone()
    };
    let cfg = &loaded.config;
    let profile = resolve_profile(cfg, &profile_name, &loaded.manifest)?;
    let base = &loaded.base_dir;
    let abs = |p: &str| -> PathBuf { clean_join(base, p) };

    // Cluster.
    let c = &profile.cluster;
    let provider = match profile.provider.as_deref() {
        None => ProviderKind::Kind,
        Some(p) => ProviderKind::parse(p).ok_or_else(|| {
            PlanError::Invalid(format!(
                "profile `{profile_name}`: unknown provider `{p}` (expected `kind` or `kwok`)"
            ))
        })?,
    };
    let name = opts
        .cluster
        .clone()
        .or_else(|| c.name.clone())
        .unwrap_or_else(|| format!("kindtest-{profile_name}"));
    if !valid_dns_label(&name) {
        return Err(PlanError::Invalid(format!(
            "cluster name `{name}` is not valid: use lowercase letters, digits and `-` (profile `{profile_name}`)"
        )));
    }
    let nodes = c.nodes.unwrap_or(1);
    if nodes == 0 {
        return Err(PlanError::Invalid(format!(
            "profile `{profile_name}`: cluster.nodes must be at least 1"
        )));
    }
    if c.config.is_some()
        && (c.extra_port_mappings.is_some() || c.node_labels.is_some() || c.nodes.is_some())
    {
        return Err(PlanError::Invalid(format!(
            "profile `{profile_name}`: cluster.config (a kind config file) cannot be combined with nodes, node-labels or extra-port-mappings; put them in the file"
        )));
    }
    if let Some(v) = &c.kubernetes_version {
        let ok = v.split('.').count() == 3
            && v.split('.')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
        if !ok {
            return Err(PlanError::Invalid(format!(
                "profile `{profile_name}`: cluster.kubernetes-version `{v}` must be a full version like `1.36.1` (kind node images are tagged by patch version)"
            )));
        }
    }
    let labels = c.node_labels.clone().unwrap_or_default();
    let ext = c.extended_resources.clone().unwrap_or_default();
    let mut node_specs = vec![NodeSpec {
        role: NodeRole::ControlPlane,
        labels: labels.clone(),
        extended_resources: if nodes == 1 {
            ext.clone()
        } else {
            BTreeMap::new()
        },
    }];
    for _ in 1..nodes {
        node_specs.push(NodeSpec {
            role: NodeRole::Worker,
            labels: labels.clone(),
            extended_resources: ext.clone(),
        });
    }
    let ready_timeout = match &c.ready_timeout {
        Some(t) => parse_duration(t).ok_or_else(|| {
            PlanError::Invalid(format!(
                "cluster.ready-timeout `{t}` is not a duration like `3m`"
            ))
        })?,
        None => Duration::from_secs(180),
    };
    let cluster = ClusterSpec {
        name,
        provider,
        node_image: c.node_image.clone(),
        kubernetes_version: c.kubernetes_version.clone(),
        nodes: node_specs,
        kind_config_file: c.config.as_deref().map(abs),
        port_mappings: c.extra_port_mappings.clone().unwrap_or_default(),
        ready_timeout,
        control_plane_bin: c.control_plane_bin.as_deref().map(abs),
    };

    // Images.
    let image_keys: Vec<String> = match &profile.images {
        Some(keys) => {
            for k in keys {
                if !cfg.images.contains_key(k) {
                    return Err(PlanError::Invalid(format!(
                        "profile `{profile_name}`: unknown image `{k}`{}",
                        hint(k, cfg.images.keys())
                    )));
                }
            }
            keys.clone()
        }
        None => cfg.images.keys().cloned().collect(),
    };
    let mut images = Vec::new();
    for key in &image_keys {
        let i = &cfg.images[key];
        let context = abs(i.context.as_deref().unwrap_or("."));
        let dockerfile = i
            .dockerfile
            .as_deref()
            .map(abs)
            .unwrap_or_else(|| context.join("Dockerfile"));
        let v = i.values.clone();
        let pick = |f: fn(&crate::config::ImageValues) -> &Option<String>, default: &str| match &v {
            Some(v) => f(v).clone(),
            None => Some(default.to_string()),
        };
        images.push(ImagePlan {
            key: key.clone(),
            repository: i
                .name
                .clone()
                .unwrap_or_else(|| format!("kindtest.local/{key}")),
            dockerfile,
            context,
            target: i.target.clone(),
            build_args: i.build_args.clone(),
            repository_path: pick(|v| &v.repository, "image.repository"),
            tag_path: pick(|v| &v.tag, "image.tag"),
            pull_policy_path: pick(|v| &v.pull_policy, "image.pullPolicy"),
        });
    }

    // Releases: top level, then the profile chain (merged by name).
    let mut merged: BTreeMap<String, ReleaseConfig> = cfg.releases.clone();
    for (k, r) in &profile.releases {
        merge_release(merged.entry(k.clone()).or_default(), r);
    }
    let mut releases = Vec::new();
    for (rname, r) in merged {
        if r.enabled == Some(false) {
            continue;
        }
        let chart = r.chart.clone().ok_or_else(|| {
            PlanError::Invalid(format!(
                "release `{rname}` (profile `{profile_name}`) has no `chart`"
            ))
        })?;
        let chart_dir = abs(&chart);
        let chart = if chart_dir.is_dir() {
            chart_dir.display().to_string()
        } else {
            chart
        };
        let mut values: Vec<PathBuf> = r
            .values
            .clone()
            .unwrap_or_default()
            .iter()
            .map(|v| abs(v))
            .collect();
        values.extend(
            profile
                .values
                .clone()
                .unwrap_or_default()
                .iter()
                .map(|v| abs(v)),
        );
        for v in &values {
            if !v.is_file() {
                return Err(PlanError::Invalid(format!(
                    "release `{rname}`: values file {} does not exist",
                    v.display()
                )));
            }
        }
        let rimages = match &r.images {
            Some(keys) => {
                for k in keys {
                    if !cfg.images.contains_key(k) {
                        return Err(PlanError::Invalid(format!(
                            "release `{rname}`: unknown image `{k}`{}",
                            hint(k, cfg.images.keys())
                        )));
                    }
                }
                keys.iter()
                    .filter(|k| image_keys.contains(k))
                    .cloned()
                    .collect()
            }
            None => image_keys.clone(),
        };
        let timeout = r.timeout.clone().unwrap_or_else(|| "5m0s".into());
        if parse_duration(&timeout).is_none() {
            return Err(PlanError::Invalid(format!(
                "release `{rname}`: timeout `{timeout}` is not a duration like `5m`"
            )));
        }
        let namespace = r.namespace.clone().unwrap_or_else(|| rname.clone());
        releases.push(ReleasePlan {
            name: rname,
            chart,
            namespace,
            values,
            set: r.set.clone().unwrap_or_default(),
            images: rimages,
            timeout,
        });
    }

    // Checks: configured charts (defaults + each values file), then releases as installed.
    let kube_version = cluster.kubernetes_version.clone();
    let mut checks = Vec::new();
    for entry in &cfg.charts {
        let chart = abs(entry.path());
        // As `cargo kindtest check` and `helm template` render: release `release-name`.
        let job = |values: Vec<PathBuf>| CheckJob {
            chart: chart.clone(),
            values,
            set: BTreeMap::new(),
            release: "release-name".into(),
            namespace: "default".into(),
            kube_version: kube_version.clone(),
        };
        checks.push(job(Vec::new()));
        if let crate::config::ChartEntry::Table(t) = entry {
            for v in &t.values {
                checks.push(job(vec![abs(v)]));
            }
        }
    }
    for r in &releases {
        let dir = PathBuf::from(&r.chart);
        if dir.is_dir() {
            checks.push(CheckJob {
                chart: dir,
                values: r.values.clone(),
                set: r.set.clone(),
                release: r.name.clone(),
                namespace: r.namespace.clone(),
                kube_version: kube_version.clone(),
            });
        }
    }
    checks.dedup();

    // Tests.
    let mut args = profile.test_args.clone().unwrap_or_default();
    args.extend(opts.passthrough.iter().cloned());
    let filter_exprs = if opts.filter_exprs.is_empty() {
        profile.filter.clone().into_iter().collect()
    } else {
        opts.filter_exprs.clone()
    };
    let tests = TestPlan {
        filters: opts.filters.clone(),
        filter_exprs,
        nextest_profile: profile.nextest_profile.clone(),
        partition: opts.partition.clone(),
        no_fail_fast: opts.no_fail_fast,
        args,
    };

    Ok(Plan {
        profile: profile_name,
        workspace_root: loaded.workspace_root.clone(),
        kindtest_dir: loaded.target_dir.join("kindtest"),
        cluster,
        cluster_named: opts.cluster.is_some(),
        images,
        releases,
        checks,
        tests,
        in_cluster: profile.in_cluster.clone(),
    })
}

/// `base.join(p)` with `.` and `..` resolved lexically (`/w` + `.` = `/w`), so paths in
/// commands and messages read cleanly.
pub fn clean_join(base: &Path, p: &str) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in base.join(p).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c.as_os_str()),
        }
    }
    out
}

fn hint<'a>(k: &str, known: impl Iterator<Item = &'a String>) -> String {
    did_you_mean(k, known.map(String::as_str))
        .map(|h| format!("; did you mean `{h}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn loaded(v: serde_json::Value) -> Loaded {
        let dir = std::env::temp_dir().join(format!("kindtest-plan-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("values")).unwrap();
        std::fs::write(dir.join("values/e2e.yaml"), "a: 1\n").unwrap();
        std::fs::write(dir.join("values/sim.yaml"), "a: 2\n").unwrap();
        let config =
            crate::config::parse(&v, "[workspace.metadata.kindtest]", Path::new("Cargo.toml"))
                .unwrap();
        Loaded {
            config,
            workspace_root: dir.clone(),
            base_dir: dir.clone(),
            target_dir: dir.join("target"),
            manifest: dir.join("Cargo.toml"),
            found: true,
        }
    }

    fn sample() -> Loaded {
        loaded(json!({
            "images": {"demo": {"dockerfile": "demo/Dockerfile"}},
            "releases": {"demo": {"chart": "charts/demo", "values": ["values/e2e.yaml"]}},
            "profiles": {
                "default": {"cluster": {"nodes": 2, "kubernetes-version": "1.36.1", "extended-resources": {"nvidia.com/gpu": "1"}}},
                "e2e": {"filter": "test(/^e2e::/)", "nextest-profile": "e2e"},
                "sim": {"provider": "kwok", "values": ["values/sim.yaml"], "releases": {"demo": {"namespace": "sim"}}}
            }
        }))
    }

    #[test]
    fn profiles_inherit_from_default() {
        let l = sample();
        let p = plan(
            &l,
            &Options {
                profile: "e2e".into(),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(p.cluster.name, "kindtest-e2e");
        assert_eq!(p.cluster.nodes.len(), 2);
        assert_eq!(p.cluster.nodes[1].extended_resources["nvidia.com/gpu"], "1");
        assert!(p.cluster.nodes[0].extended_resources.is_empty());
        assert_eq!(p.tests.filter_exprs, vec!["test(/^e2e::/)"]);
        assert_eq!(p.tests.nextest_profile.as_deref(), Some("e2e"));
        assert_eq!(p.releases[0].namespace, "demo");
        assert_eq!(p.releases[0].images, vec!["demo"]);
        assert_eq!(p.images[0].repository, "kindtest.local/demo");
        assert_eq!(p.images[0].tag_path.as_deref(), Some("image.tag"));
    }

    #[test]
    fn profile_releases_and_values_merge() {
        let l = sample();
        let p = plan(
            &l,
            &Options {
                profile: "sim".into(),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(p.cluster.provider, ProviderKind::Kwok);
        assert_eq!(p.releases[0].namespace, "sim");
        let v: Vec<_> = p.releases[0]
            .values
            .iter()
            .map(|v| v.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(v, vec!["e2e.yaml", "sim.yaml"]);
    }

    #[test]
    fn cli_filters_replace_profile_filter() {
        let l = sample();
        let p = plan(
            &l,
            &Options {
                profile: "e2e".into(),
                filter_exprs: vec!["test(x)".into()],
                passthrough: vec!["--no-capture".into()],
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(p.tests.filter_exprs, vec!["test(x)"]);
        assert_eq!(p.tests.args, vec!["--no-capture"]);
    }

    #[test]
    fn unknown_profile_suggests() {
        let l = sample();
        let e = plan(
            &l,
            &Options {
                profile: "e2".into(),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().ends_with("did you mean `e2e`?"), "{e}");
    }

    #[test]
    fn bad_version_is_rejected() {
        let l =
            loaded(json!({"profiles": {"default": {"cluster": {"kubernetes-version": "1.36"}}}}));
        assert!(plan(&l, &Options::default()).is_err());
    }

    #[test]
    fn paths_are_clean() {
        assert_eq!(clean_join(Path::new("/w"), "."), PathBuf::from("/w"));
        assert_eq!(
            clean_join(Path::new("/w/a"), "../b/./c"),
            PathBuf::from("/w/b/c")
        );
    }

    #[test]
    fn no_config_gives_a_default_plan() {
        let l = loaded(json!({}));
        let p = plan(&l, &Options::default()).unwrap();
        assert_eq!(p.cluster.name, "kindtest-default");
        assert!(p.releases.is_empty());
    }
}
