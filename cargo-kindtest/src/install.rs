//! The install stage: `helm upgrade --install --wait --timeout` per release, skipped when
//! nothing that shapes the release changed since its last successful install; on failure, a
//! diagnosis of what is not ready and why. Never `--rollback-on-failure`/`--atomic`: a
//! failed release stays in the cluster for inspection.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::hash::Hasher;
use crate::images::{BuiltImage, value_overrides};
use crate::kube_api::KubeApi;
use crate::plan::ReleasePlan;
use crate::process::{Cmd, Exec, ExecError};
use crate::state::ClusterState;

/// Helm major version: the `--wait` spelling differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelmMajor {
    /// Helm 3: `--wait` is a boolean.
    V3,
    /// Helm 4: `--wait=watcher` (kstatus); omitted means `hookOnly`.
    V4,
}

impl HelmMajor {
    /// Parses `helm version --short` output (`v3.21.4+g…`, `v4.1.4+g…`).
    pub fn parse(short: &str) -> Option<Self> {
        let v = short.trim().trim_start_matches('v');
        match v.split('.').next()? {
            "3" => Some(HelmMajor::V3),
            "4" => Some(HelmMajor::V4),
            _ => None,
        }
    }
    fn wait_flag(self) -> &'static str {
        match self {
            HelmMajor::V3 => "--wait",
            HelmMajor::V4 => "--wait=watcher",
        }
    }
}

/// What happened to one release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Installed or upgraded.
    Installed,
    /// Unchanged since the last successful install: no helm call.
    Unchanged,
}

/// One release's outcome.
#[derive(Debug, Clone)]
pub struct Installed {
    /// Release name.
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// What happened.
    pub action: Action,
}

/// Errors of the install stage.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InstallError {
    /// helm is not installed.
    #[error(
        "`helm` was not found on PATH\n  help: install helm 3 or 4: https://helm.sh/docs/intro/install/ (or `scripts/install-helm.sh`)"
    )]
    HelmMissing,
    /// `helm version` printed something we do not understand.
    #[error("cannot tell the helm version from `{0}` (helm 3 or 4 is required)")]
    HelmVersion(String),
    /// The release failed (often: not ready in time). The release is left in place.
    #[error("release `{name}` in namespace `{namespace}` failed:\n{diagnosis}\n  helm: {helm}\n  details: {}", file.display())]
    Failed {
        /// Release.
        name: String,
        /// Namespace.
        namespace: String,
        /// What is not ready and why.
        diagnosis: String,
        /// helm's own message (last lines).
        helm: String,
        /// Diagnostics file.
        file: PathBuf,
    },
    /// Reading chart or values files for the fingerprint.
    #[error("{}: {source}", path.display())]
    Io {
        /// Path.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// Running helm failed.
    #[error(transparent)]
    Exec(ExecError),
}

impl crate::error::Classify for InstallError {
    fn exit_code(&self) -> crate::ExitCode {
        match self {
            InstallError::Failed { .. } => crate::ExitCode::Failed,
            InstallError::Exec(ExecError::Interrupted { .. }) => crate::ExitCode::Interrupted,
            _ => crate::ExitCode::Usage,
        }
    }
}

/// What a release fingerprint was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// The manifests our renderer produces for the release (what helm would apply): a
    /// template or values change re-installs; a touched-but-identical file, a comment in a
    /// values file or an edited README does not.
    Rendered,
    /// The bytes of the chart and values files: the chart is not a local directory, does not
    /// render here, or renders differently every time (`randAlphaNum`, `genCA`, …).
    Inputs,
}

/// A release's fingerprint and what it was computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Short hex hash.
    pub hash: String,
    /// Its basis.
    pub basis: Basis,
}

/// The helm flags we pass that shape the release.
fn flags(r: &ReleasePlan, sets: &BTreeMap<String, String>) -> Hasher {
    let mut h = Hasher::new();
    h.field("release/v2")
        .field(&r.name)
        .field(&r.namespace)
        .field(&r.chart)
        .field(&r.timeout);
    for v in &r.values {
        h.field(v.as_os_str().as_encoded_bytes());
    }
    for (k, v) in sets {
        h.field(k).field(v);
    }
    h
}

/// A hash of everything a render of the release reads: the flags, the Kubernetes version, the
/// bytes of every chart file and values file. Equal inputs render equal manifests, so a warm
/// re-run compares this first and renders only when it differs.
pub fn input_hash(
    r: &ReleasePlan,
    sets: &BTreeMap<String, String>,
    kube_version: &str,
) -> Result<String, InstallError> {
    let mut h = flags(r, sets);
    h.field("inputs").field(kube_version);
    let dir = Path::new(&r.chart);
    if dir.is_dir() {
        let mut files = Vec::new();
        collect(dir, dir, &mut files)?;
        files.sort();
        for rel in files {
            let p = dir.join(&rel);
            h.field(rel.as_bytes())
                .field(std::fs::read(&p).map_err(|source| InstallError::Io {
                    path: p.clone(),
                    source,
                })?);
        }
    }
    for v in &r.values {
        h.field(std::fs::read(v).map_err(|source| InstallError::Io {
            path: v.clone(),
            source,
        })?);
    }
    Ok(h.short(16))
}

/// The fingerprint of a release as it would be installed: the helm flags we pass (name,
/// namespace, chart, timeout, values files in order, `--set` pairs — image tags included),
/// the chart's name and version, and the manifests our native renderer produces with those
/// values for `kube_version` (hooks and CRDs included). When the chart cannot be rendered here,
/// or renders differently twice in a row, it is the [`input_hash`] ([`Basis::Inputs`]).
pub fn fingerprint(
    r: &ReleasePlan,
    sets: &BTreeMap<String, String>,
    kube_version: &str,
) -> Result<Fingerprint, InstallError> {
    if let Some(rendered) = render_release(r, sets, kube_version) {
        let mut h = flags(r, sets);
        h.field("rendered").field(rendered);
        return Ok(Fingerprint {
            hash: h.short(16),
            basis: Basis::Rendered,
        });
    }
    Ok(Fingerprint {
        hash: input_hash(r, sets, kube_version)?,
        basis: Basis::Inputs,
    })
}

/// The release rendered twice (`chart name`, `version`, `helm template --include-crds` text);
/// `None` if it does not render or the two renders differ.
fn render_release(
    r: &ReleasePlan,
    sets: &BTreeMap<String, String>,
    kube_version: &str,
) -> Option<String> {
    use chart_lint::render::{Capabilities, RenderOptions, render_chart};
    let dir = Path::new(&r.chart);
    if !dir.is_dir() {
        return None;
    }
    let chart = chart_lint::chart::Chart::load(dir).ok()?;
    let user = chart_lint::values::ValueOptions {
        value_files: r.values.clone(),
        values: sets.iter().map(|(k, v)| format!("{k}={v}")).collect(),
        ..Default::default()
    }
    .merge()
    .ok()?;
    let opts = RenderOptions {
        release_name: r.name.clone(),
        namespace: r.namespace.clone(),
        capabilities: Capabilities::for_kube_version(kube_version).unwrap_or_default(),
        ..RenderOptions::default()
    };
    let stream = chart_lint::output::StreamOptions {
        include_crds: true,
        ..Default::default()
    };
    let once = || -> Option<String> {
        let rendered = render_chart(&chart, &user, &opts).ok()?;
        let text = rendered.to_helm_output(&stream).ok()?;
        Some(format!(
            "{}\n{}\n{}",
            chart.metadata.name, chart.metadata.version, text
        ))
    };
    let a = once()?;
    (once()? == a).then_some(a)
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), InstallError> {
    let io = |source| InstallError::Io {
        path: dir.to_path_buf(),
        source,
    };
    for e in std::fs::read_dir(dir).map_err(io)? {
        let e = e.map_err(io)?;
        let p = e.path();
        if p.is_dir() {
            collect(root, &p, out)?;
        } else {
            out.push(
                p.strip_prefix(root)
                    .unwrap_or(&p)
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    Ok(())
}

/// Where helm talks to.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    /// Our kubeconfig.
    pub kubeconfig: &'a Path,
    /// Its context (checked by the guard).
    pub context: &'a str,
    /// Folder for diagnostics files.
    pub diagnostics: &'a Path,
}

/// The release currently being installed, for Ctrl-C cleanup.
#[derive(Debug, Clone, Default)]
pub struct InFlight {
    /// `(name, namespace, first install)` of the release helm is working on.
    pub current: Option<(String, String, bool)>,
}

/// The helm invocation for one release.
pub fn helm_command(
    major: HelmMajor,
    r: &ReleasePlan,
    sets: &BTreeMap<String, String>,
    t: &Target<'_>,
) -> Cmd {
    let mut cmd = Cmd::new("helm")
        .args([
            "upgrade",
            "--install",
            &r.name,
            &r.chart,
            "--namespace",
            &r.namespace,
            "--create-namespace",
        ])
        .arg("--kubeconfig")
        .arg(t.kubeconfig)
        .args([
            "--kube-context",
            t.context,
            major.wait_flag(),
            "--timeout",
            &r.timeout,
        ]);
    for v in &r.values {
        cmd = cmd.arg("--values").arg(v);
    }
    for (k, v) in sets {
        cmd = cmd.arg("--set").arg(format!("{k}={v}"));
    }
    cmd
}

/// Detects the helm major version (`helm version --short`).
pub fn helm_major(exec: &Exec) -> Result<HelmMajor, InstallError> {
    let out = exec
        .run(&Cmd::new("helm").args(["version", "--short"]))
        .map_err(|e| match e {
            ExecError::NotFound { .. } => InstallError::HelmMissing,
            e => InstallError::Exec(e),
        })?;
    HelmMajor::parse(&out.stdout).ok_or_else(|| InstallError::HelmVersion(out.message()))
}

/// Installs every release whose [`fingerprint`] changed since its last successful install;
/// records successes in `state.releases`. `kube_version` is the cluster's (for rendering).
#[allow(clippy::too_many_arguments)]
pub fn install_all(
    exec: &Exec,
    api: &dyn KubeApi,
    releases: &[ReleasePlan],
    images: &[BuiltImage],
    kube_version: &str,
    target: &Target<'_>,
    state: &mut ClusterState,
    inflight: &std::sync::Mutex<InFlight>,
) -> Result<Vec<Installed>, InstallError> {
    let mut major = None;
    let mut out = Vec::new();
    for r in releases {
        let mut sets = r.set.clone();
        sets.extend(value_overrides(images, &r.images));
        let key = format!("{}/{}", r.namespace, r.name);
        // State: `<fingerprint>/<input hash>` of the last successful install.
        let inputs = input_hash(r, &sets, kube_version)?;
        let prev = state.releases.get(&key).cloned();
        let (prev_fp, prev_inputs) = match prev.as_deref().and_then(|p| p.split_once('/')) {
            Some((f, i)) => (Some(f.to_string()), Some(i.to_string())),
            None => (None, None),
        };
        let unchanged = |state: &mut ClusterState, out: &mut Vec<Installed>, fp: &str| {
            state.releases.insert(key.clone(), format!("{fp}/{inputs}"));
            out.push(Installed {
                name: r.name.clone(),
                namespace: r.namespace.clone(),
                action: Action::Unchanged,
            });
        };
        if let Some(f) = prev_fp
            .as_deref()
            .filter(|_| prev_inputs.as_deref() == Some(&inputs))
        {
            // Same bytes in, same manifests out: not even a render.
            unchanged(state, &mut out, f);
            continue;
        }
        let fp = fingerprint(r, &sets, kube_version)?;
        if fp.basis == Basis::Inputs {
            exec.events().verbose(format!(
                "release `{}`: fingerprint from file contents (the chart does not render here, or renders differently each time)",
                r.name
            ));
        }
        if prev_fp.as_deref() == Some(fp.hash.as_str()) {
            // Files changed, the rendered release did not (a comment, a README, a touch).
            unchanged(state, &mut out, &fp.hash);
            continue;
        }
        let fp = format!("{}/{inputs}", fp.hash);
        let m = match major {
            Some(m) => m,
            None => *major.insert(helm_major(exec)?),
        };
        let cmd = helm_command(m, r, &sets, target);
        let first = !state.releases.contains_key(&key);
        if let Ok(mut f) = inflight.lock() {
            f.current = Some((r.name.clone(), r.namespace.clone(), first));
        }
        let res = exec.run(&cmd);
        if let Ok(mut f) = inflight.lock()
            && !matches!(res, Err(ExecError::Interrupted { .. }))
        {
            f.current = None;
        }
        let res = res.map_err(|e| match e {
            ExecError::NotFound { .. } => InstallError::HelmMissing,
            e => InstallError::Exec(e),
        })?;
        if !res.success() {
            // Forget the old fingerprint: the release is no longer what it was.
            state.releases.remove(&key);
            return Err(failure(api, r, &res, &cmd, target));
        }
        state.releases.insert(key, fp);
        out.push(Installed {
            name: r.name.clone(),
            namespace: r.namespace.clone(),
            action: Action::Installed,
        });
    }
    Ok(out)
}

fn failure(
    api: &dyn KubeApi,
    r: &ReleasePlan,
    res: &crate::process::Output,
    cmd: &Cmd,
    t: &Target<'_>,
) -> InstallError {
    let helm = res.message();
    let diagnosis = match api.diagnose(t.kubeconfig, &r.namespace, &r.name) {
        Ok(d) => d.trim_end().to_string(),
        Err(e) => format!("(could not inspect the cluster: {e})"),
    };
    let file = t
        .diagnostics
        .join(format!("install-{}-{}.txt", r.namespace, r.name));
    let _ = std::fs::create_dir_all(t.diagnostics);
    let text = format!(
        "$ {}\nexit code: {}\n\n--- helm stdout ---\n{}\n--- helm stderr ---\n{}\n--- diagnosis ---\n{}\n",
        cmd.display(),
        res.code.map_or("signal".into(), |c| c.to_string()),
        res.stdout,
        res.stderr,
        diagnosis
    );
    let _ = std::fs::write(&file, text);
    let helm_short: Vec<&str> = helm.lines().rev().take(3).collect();
    InstallError::Failed {
        name: r.name.clone(),
        namespace: r.namespace.clone(),
        diagnosis: indent(&diagnosis),
        helm: helm_short.into_iter().rev().collect::<Vec<_>>().join(" / "),
        file,
    }
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Ctrl-C cleanup for the release that was being installed: a first install is uninstalled,
/// an upgrade is rolled back (helm would otherwise leave it `pending-*` and refuse the next
/// upgrade).
pub fn cleanup_interrupted(
    exec: &Exec,
    name: &str,
    namespace: &str,
    first: bool,
    t: &Target<'_>,
) -> Result<(), ExecError> {
    let base = |c: Cmd| {
        c.arg("--kubeconfig")
            .arg(t.kubeconfig)
            .args(["--kube-context", t.context])
    };
    let cmd = if first {
        base(Cmd::new("helm").args(["uninstall", name, "--namespace", namespace]))
    } else {
        base(Cmd::new("helm").args(["rollback", name, "--namespace", namespace]))
    };
    exec.run_cleanup(&cmd).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(HelmMajor::parse("v3.21.4+g1234\n"), Some(HelmMajor::V3));
        assert_eq!(HelmMajor::parse("v4.1.4+gabc"), Some(HelmMajor::V4));
        assert_eq!(HelmMajor::parse("v2.17.0"), None);
    }

    #[test]
    fn command_spelling() {
        let r = ReleasePlan {
            name: "demo".into(),
            chart: "/w/charts/demo".into(),
            namespace: "demo".into(),
            values: vec!["/w/values/e2e.yaml".into()],
            set: BTreeMap::new(),
            images: vec![],
            timeout: "5m0s".into(),
        };
        let sets: BTreeMap<String, String> = [("image.tag".to_string(), "kt-1".to_string())].into();
        let t = Target {
            kubeconfig: Path::new("/w/kc"),
            context: "kind-kt",
            diagnostics: Path::new("/tmp"),
        };
        let v4 = helm_command(HelmMajor::V4, &r, &sets, &t).display();
        assert_eq!(
            v4,
            "helm upgrade --install demo /w/charts/demo --namespace demo --create-namespace --kubeconfig /w/kc --kube-context kind-kt --wait=watcher --timeout 5m0s --values /w/values/e2e.yaml --set image.tag=kt-1"
        );
        let v3 = helm_command(HelmMajor::V3, &r, &sets, &t).display();
        assert!(v3.contains(" --wait --timeout 5m0s"));
        assert!(!v3.contains("atomic") && !v4.contains("rollback-on-failure"));
    }
}
