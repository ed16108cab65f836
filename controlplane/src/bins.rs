//! Finding the control-plane binaries: an explicit directory (from configuration),
//! `KINDTEST_CONTROL_PLANE_BIN`, `PATH`, then the cache that `scripts/build-control-plane.sh`
//! fills (`~/.cache/kindtest/control-plane/<key>/bin`).

use std::path::{Path, PathBuf};

use crate::Error;

/// Kubernetes version the build script pins (kube-apiserver, kcm, scheduler, kubectl).
pub const KUBERNETES_VERSION: &str = "v1.36.4";
/// etcd version the build script pins.
pub const ETCD_VERSION: &str = "v3.6.14";
/// kwok version the build script pins.
pub const KWOK_VERSION: &str = "v0.8.0";

/// Environment variable naming a directory that holds all six binaries.
pub const BIN_ENV: &str = "KINDTEST_CONTROL_PLANE_BIN";
/// Environment variable overriding the cache root (default `~/.cache/kindtest`), shared with
/// the build script.
pub const CACHE_ENV: &str = "KINDTEST_CACHE";
/// The script that builds the binaries (named in every "not found" error).
pub const BUILD_SCRIPT: &str = "scripts/build-control-plane.sh";

/// The binaries a plane needs, in start order (kubectl creates nodes and runs readiness checks).
pub const BINARIES: [&str; 6] = [
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kwok",
    "kubectl",
];

/// The cache key of the pinned versions, as the build script spells it.
pub fn cache_key() -> String {
    format!("k8s-{KUBERNETES_VERSION}_etcd-{ETCD_VERSION}_kwok-{KWOK_VERSION}")
}

/// Root of the cache (`$KINDTEST_CACHE`, else `$XDG_CACHE_HOME/kindtest`, else `~/.cache/kindtest`).
pub fn cache_root() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(CACHE_ENV).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .map(|home| PathBuf::from(home).join(".cache/kindtest"))
}

/// The bin directory the build script fills for the pinned versions.
pub fn cache_bin_dir() -> Option<PathBuf> {
    cache_root().map(|r| r.join("control-plane").join(cache_key()).join("bin"))
}

/// Where each binary was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binaries {
    /// `etcd`
    pub etcd: PathBuf,
    /// `kube-apiserver`
    pub kube_apiserver: PathBuf,
    /// `kube-controller-manager`
    pub kube_controller_manager: PathBuf,
    /// `kube-scheduler`
    pub kube_scheduler: PathBuf,
    /// `kwok`
    pub kwok: PathBuf,
    /// `kubectl`
    pub kubectl: PathBuf,
}

impl Binaries {
    /// All six binaries from one directory; errors name the missing ones.
    pub fn in_dir(dir: &Path) -> Result<Self, Error> {
        let missing: Vec<&str> = BINARIES
            .iter()
            .copied()
            .filter(|b| !is_executable(&dir.join(b)))
            .collect();
        if !missing.is_empty() {
            return Err(Error::BinariesNotFound(format!(
                "{} lacks {}",
                dir.display(),
                missing.join(", ")
            )));
        }
        Ok(Self::from_fn(|name| dir.join(name)))
    }

    fn from_fn(mut f: impl FnMut(&str) -> PathBuf) -> Self {
        Binaries {
            etcd: f("etcd"),
            kube_apiserver: f("kube-apiserver"),
            kube_controller_manager: f("kube-controller-manager"),
            kube_scheduler: f("kube-scheduler"),
            kwok: f("kwok"),
            kubectl: f("kubectl"),
        }
    }

    /// Finds the binaries: `configured` (a directory from configuration) if given, else
    /// `$KINDTEST_CONTROL_PLANE_BIN`, else `PATH` (every binary somewhere on it), else the
    /// build script's cache. An explicitly configured directory that lacks binaries is an
    /// error, never silently replaced by another source.
    pub fn locate(configured: Option<&Path>) -> Result<Self, Error> {
        if let Some(dir) = configured {
            return Self::in_dir(dir).map_err(|e| hint(e, "the configured directory"));
        }
        if let Some(dir) = std::env::var_os(BIN_ENV).filter(|v| !v.is_empty()) {
            return Self::in_dir(Path::new(&dir)).map_err(|e| hint(e, BIN_ENV));
        }
        if let Some(found) = Self::on_path(std::env::var_os("PATH").as_deref()) {
            return Ok(found);
        }
        let mut tried = vec![format!("${BIN_ENV} (unset)"), "PATH".to_string()];
        if let Some(dir) = cache_bin_dir() {
            match Self::in_dir(&dir) {
                Ok(found) => return Ok(found),
                Err(_) => tried.push(dir.display().to_string()),
            }
        }
        Err(Error::BinariesNotFound(format!(
            "control-plane binaries ({}) not found; looked in: {}. Build them once with \
             `{BUILD_SCRIPT}` (cached afterwards), or point {BIN_ENV} at a directory holding them",
            BINARIES.join(", "),
            tried.join(", ")
        )))
    }

    fn on_path(path: Option<&std::ffi::OsStr>) -> Option<Self> {
        let path = path?;
        let dirs: Vec<PathBuf> = std::env::split_paths(path).collect();
        let find = |name: &str| dirs.iter().map(|d| d.join(name)).find(|p| is_executable(p));
        let found: Vec<PathBuf> = BINARIES.iter().map(|b| find(b)).collect::<Option<_>>()?;
        let mut it = found.into_iter();
        Some(Self::from_fn(|_| it.next().unwrap_or_default()))
    }

    /// The directory of `kubectl` (where a bin-dir-based layout keeps everything).
    pub fn dir(&self) -> Option<&Path> {
        self.kubectl.parent()
    }
}

fn hint(e: Error, source: &str) -> Error {
    match e {
        Error::BinariesNotFound(msg) => Error::BinariesNotFound(format!(
            "{msg} (from {source}); build them with `{BUILD_SCRIPT}`"
        )),
        other => other,
    }
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_dir(name: &str, bins: &[&str]) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let dir = crate::testutil::tempdir(name);
        for b in bins {
            let p = dir.join(b);
            std::fs::write(&p, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        dir
    }

    #[test]
    fn key_matches_the_build_script() {
        let script = include_str!("../../scripts/build-control-plane.sh");
        for v in [KUBERNETES_VERSION, ETCD_VERSION, KWOK_VERSION] {
            assert!(script.contains(v), "{BUILD_SCRIPT} does not pin {v}");
        }
        assert!(
            script
                .contains(r#"key="k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}""#)
        );
        assert_eq!(cache_key(), "k8s-v1.36.4_etcd-v3.6.14_kwok-v0.8.0");
    }

    #[test]
    fn configured_dir_must_hold_all_binaries() {
        let dir = fake_dir("bins-partial", &["etcd", "kubectl"]);
        let err = Binaries::locate(Some(&dir)).unwrap_err().to_string();
        assert!(err.contains("kube-apiserver"), "{err}");
        assert!(err.contains(BUILD_SCRIPT), "{err}");
        assert!(!err.contains("lacks etcd"), "{err}");
        let full = fake_dir("bins-full", &BINARIES);
        let found = Binaries::locate(Some(&full)).unwrap();
        assert_eq!(found.kwok, full.join("kwok"));
        assert_eq!(found.dir(), Some(full.as_path()));
    }

    #[test]
    fn path_lookup_needs_every_binary() {
        let a = fake_dir("bins-path-a", &BINARIES[..3]);
        let b = fake_dir("bins-path-b", &BINARIES[3..]);
        let joined = std::env::join_paths([&a, &b]).unwrap();
        let found = Binaries::on_path(Some(&joined)).unwrap();
        assert_eq!(found.etcd, a.join("etcd"));
        assert_eq!(found.kubectl, b.join("kubectl"));
        let only_a = std::env::join_paths([&a]).unwrap();
        assert!(Binaries::on_path(Some(&only_a)).is_none());
    }
}
