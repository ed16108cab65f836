//! `ctx.install(chart)`: Helm installs into the test namespace, with the run's images injected.

use std::future::{Future, IntoFuture};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::Duration;

use k8s_openapi::api::core::v1::Secret;
use kube::api::ListParams;

use crate::context::Context;
use crate::error::{Error, Result, one_line};
use crate::namespace::slugify;

/// Builder returned by [`Context::install`]; `.await` it to run `helm upgrade --install`.
#[must_use = "an install does nothing until awaited"]
pub struct InstallBuilder {
    ctx: Context,
    chart: PathBuf,
    release: Option<String>,
    values: Vec<PathBuf>,
    sets: Vec<(String, String)>,
    set_strings: Vec<(String, String)>,
    images: Vec<(String, String)>,
    wait: bool,
    timeout: Duration,
    extra: Vec<String>,
}

/// Splits an image reference into repository and tag (or `@digest`).
pub(crate) fn split_image(reference: &str) -> (String, Option<String>) {
    if let Some((repo, digest)) = reference.split_once('@') {
        return (repo.to_string(), Some(format!("@{digest}")));
    }
    let last_slash = reference.rfind('/').map(|i| i + 1).unwrap_or(0);
    match reference[last_slash..].rfind(':') {
        Some(i) => {
            let at = last_slash + i;
            (
                reference[..at].to_string(),
                Some(reference[at + 1..].to_string()),
            )
        }
        None => (reference.to_string(), None),
    }
}

impl InstallBuilder {
    pub(crate) fn new(ctx: Context, chart: &Path) -> Self {
        InstallBuilder {
            ctx,
            chart: chart.to_path_buf(),
            release: None,
            values: Vec::new(),
            sets: Vec::new(),
            set_strings: Vec::new(),
            images: Vec::new(),
            wait: true,
            timeout: Duration::from_secs(180),
            extra: Vec::new(),
        }
    }

    /// Release name (default: the chart directory's name).
    pub fn release(mut self, name: impl Into<String>) -> Self {
        self.release = Some(name.into());
        self
    }

    /// A values file (`-f`), in order; relative paths resolve against the workspace root.
    pub fn values(mut self, file: impl AsRef<Path>) -> Self {
        self.values.push(file.as_ref().to_path_buf());
        self
    }

    /// `--set key=value`.
    pub fn set(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.sets.push((key.into(), value.to_string()));
        self
    }

    /// `--set-string key=value`.
    pub fn set_string(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.set_strings.push((key.into(), value.into()));
        self
    }

    /// Injects the run's image `name` (from `KINDTEST_IMAGES`) at `image.repository`, `image.tag` and
    /// `image.pullPolicy=IfNotPresent`.
    pub fn image(self, name: impl Into<String>) -> Self {
        self.image_at(name, "image")
    }

    /// Like [`InstallBuilder::image`] under another values prefix (e.g. `worker.image`).
    pub fn image_at(mut self, name: impl Into<String>, prefix: impl Into<String>) -> Self {
        self.images.push((name.into(), prefix.into()));
        self
    }

    /// `--wait` (default true): helm waits for the release's resources to be ready.
    pub fn wait(mut self, wait: bool) -> Self {
        self.wait = wait;
        self
    }

    /// `--timeout` (default 180 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Any other helm argument.
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.extra.push(arg.into());
        self
    }

    /// The helm argument vector this builder runs (without the binary).
    pub fn args(&self) -> Result<Vec<String>> {
        let s = self.ctx.settings();
        let chart = s.resolve(&self.chart);
        let release = self.release_name();
        let mut a: Vec<String> = vec![
            "upgrade".into(),
            "--install".into(),
            release,
            chart.display().to_string(),
            "--namespace".into(),
            self.ctx.namespace().to_string(),
        ];
        if !s.in_cluster {
            if let Some(k) = &s.kubeconfig {
                a.push("--kubeconfig".into());
                a.push(k.display().to_string());
            }
            if let Some(c) = &s.context {
                a.push("--kube-context".into());
                a.push(c.clone());
            }
        }
        for v in &self.values {
            a.push("--values".into());
            a.push(s.resolve(v).display().to_string());
        }
        for (name, prefix) in &self.images {
            let reference = self.ctx.image(name)?;
            let (repo, tag) = split_image(&reference);
            a.push("--set-string".into());
            a.push(format!("{prefix}.repository={repo}"));
            if let Some(tag) = tag {
                a.push("--set-string".into());
                a.push(format!("{prefix}.tag={tag}"));
            }
            a.push("--set-string".into());
            a.push(format!("{prefix}.pullPolicy=IfNotPresent"));
        }
        for (k, v) in &self.sets {
            a.push("--set".into());
            a.push(format!("{k}={v}"));
        }
        for (k, v) in &self.set_strings {
            a.push("--set-string".into());
            a.push(format!("{k}={v}"));
        }
        if self.wait {
            a.push("--wait".into());
        }
        a.push("--timeout".into());
        a.push(format!("{}s", self.timeout.as_secs().max(1)));
        a.extend(self.extra.iter().cloned());
        Ok(a)
    }

    fn release_name(&self) -> String {
        self.release.clone().unwrap_or_else(|| {
            let base = self
                .chart
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_else(|| "release".into());
            let s = slugify(&base, 53);
            if s.is_empty() { "release".into() } else { s }
        })
    }

    async fn run(self) -> Result<Release> {
        let args = self.args()?;
        let release = self.release_name();
        let helm = self.ctx.settings().helm.clone();
        self.ctx.record_release(&release);
        let out = tokio::process::Command::new(&helm)
            .args(&args)
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true)
            .output()
            .await
            .map_err(|e| {
                Error::Command(format!(
                    "helm install {release}: cannot run {}: {e} (set KINDTEST_HELM)",
                    helm.display()
                ))
            })?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            eprintln!(
                "kindtest: {} {}\n{}{}",
                helm.display(),
                args.join(" "),
                String::from_utf8_lossy(&out.stdout),
                stderr
            );
            let first = stderr
                .lines()
                .find(|l| l.starts_with("Error:"))
                .or_else(|| stderr.lines().rfind(|l| !l.trim().is_empty()))
                .unwrap_or("no output")
                .trim_start_matches("Error:")
                .trim();
            let mut msg = format!(
                "helm install {release} ({}) failed: {}",
                self.chart.display(),
                one_line(first)
            );
            if self.wait {
                let pending = self.ctx.not_ready_summary().await;
                if !pending.is_empty() {
                    msg.push_str(&format!("; not ready: {pending}"));
                }
            }
            return Err(Error::Command(msg));
        }
        Ok(Release {
            name: release,
            namespace: self.ctx.namespace().to_string(),
            ctx: self.ctx,
        })
    }
}

impl IntoFuture for InstallBuilder {
    type Output = Result<Release>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Release>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

/// A Helm release installed by a test.
pub struct Release {
    /// Release name.
    pub name: String,
    /// Namespace (the test namespace).
    pub namespace: String,
    ctx: Context,
}

impl std::fmt::Debug for Release {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Release({}/{})", self.namespace, self.name)
    }
}

impl Release {
    /// `(revision, status)` of the latest revision, read from Helm's release Secrets (no helm call).
    pub async fn status(&self) -> Result<(u32, String)> {
        let secrets = self.ctx.api::<Secret>();
        let list = secrets
            .list(&ListParams::default().labels(&format!("owner=helm,name={}", self.name)))
            .await
            .map_err(|e| Error::kube(format!("list release secrets of {}", self.name), e))?;
        list.items
            .iter()
            .filter_map(|s| {
                let l = s.metadata.labels.as_ref()?;
                Some((
                    l.get("version")?.parse::<u32>().ok()?,
                    l.get("status")?.clone(),
                ))
            })
            .max_by_key(|(v, _)| *v)
            .ok_or_else(|| {
                Error::Other(format!(
                    "release {} not found in {}",
                    self.name, self.namespace
                ))
            })
    }

    /// `helm uninstall --wait`.
    pub async fn uninstall(self) -> Result<()> {
        let s = self.ctx.settings();
        let mut args = vec![
            "uninstall".to_string(),
            self.name.clone(),
            "--namespace".into(),
            self.namespace.clone(),
            "--wait".into(),
        ];
        if !s.in_cluster {
            if let Some(k) = &s.kubeconfig {
                args.push("--kubeconfig".into());
                args.push(k.display().to_string());
            }
            if let Some(c) = &s.context {
                args.push("--kube-context".into());
                args.push(c.clone());
            }
        }
        let out = tokio::process::Command::new(&s.helm)
            .args(&args)
            .kill_on_drop(true)
            .output()
            .await
            .map_err(|e| Error::Command(format!("helm uninstall {}: {e}", self.name)))?;
        if !out.status.success() {
            return Err(Error::Command(format!(
                "helm uninstall {} failed: {}",
                self.name,
                one_line(&String::from_utf8_lossy(&out.stderr))
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::split_image;

    #[test]
    fn image_refs() {
        assert_eq!(
            split_image("kindtest.local/demo:3f2a"),
            ("kindtest.local/demo".into(), Some("3f2a".into()))
        );
        assert_eq!(
            split_image("localhost:5001/demo"),
            ("localhost:5001/demo".into(), None)
        );
        assert_eq!(
            split_image("localhost:5001/demo:v1"),
            ("localhost:5001/demo".into(), Some("v1".into()))
        );
        assert_eq!(
            split_image("busybox@sha256:abc"),
            ("busybox".into(), Some("@sha256:abc".into()))
        );
    }
}
