//! What this tool created and installed, persisted under `target/kindtest/`: how a warm
//! re-run knows there is nothing to do, and how `clean` knows what is ours.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The state of one cluster (`target/kindtest/clusters/<name>/state.json`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ClusterState {
    /// Cluster name.
    pub name: String,
    /// `kind` / `kwok`.
    pub provider: String,
    /// Hash of the config the cluster was created with.
    pub config_hash: String,
    /// `true` when we created it; `false` when the user named a foreign cluster with
    /// `--cluster` (we then never delete it).
    pub created_by_us: bool,
    /// Run id of the run that created it.
    pub created_by_run: String,
    /// Seconds since the epoch.
    pub created_at: u64,
    /// The readiness gate passed at least once since creation.
    pub ready: bool,
    /// Extended resources advertised (node capacity patched).
    pub advertised: bool,
    /// Images loaded into the nodes: `repository` → `repository:tag`.
    pub images: BTreeMap<String, String>,
    /// Releases installed successfully: `namespace/name` → fingerprint of what was installed.
    pub releases: BTreeMap<String, String>,
}

/// Errors reading or writing state.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct StateError {
    /// File.
    pub path: PathBuf,
    /// Cause.
    #[source]
    pub source: std::io::Error,
}

impl ClusterState {
    /// Reads a state file; `None` if absent or unreadable (a corrupt file means "unknown").
    pub fn load(path: &Path) -> Option<Self> {
        let bytes = std::fs::read(path).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Writes atomically (temp file + rename), so Ctrl-C never leaves half a file.
    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        let err = |source| StateError {
            path: path.to_path_buf(),
            source,
        };
        if let Some(d) = path.parent() {
            std::fs::create_dir_all(d).map_err(err)?;
        }
        let tmp = path.with_extension(format!("json.tmp{}", std::process::id()));
        let text = serde_json::to_vec_pretty(self).map_err(|e| err(std::io::Error::other(e)))?;
        std::fs::write(&tmp, text).map_err(err)?;
        std::fs::rename(&tmp, path).map_err(err)
    }
}

/// The state file of cluster `name`.
pub fn state_path(cluster_dir: &Path) -> PathBuf {
    cluster_dir.join("state.json")
}

/// Every cluster with a state folder under `kindtest_dir/clusters`.
pub fn known_clusters(kindtest_dir: &Path) -> Vec<(PathBuf, ClusterState)> {
    let Ok(rd) = std::fs::read_dir(kindtest_dir.join("clusters")) else {
        return Vec::new();
    };
    let mut v: Vec<_> = rd
        .filter_map(Result::ok)
        .filter_map(|e| {
            let dir = e.path();
            ClusterState::load(&state_path(&dir)).map(|s| (dir, s))
        })
        .collect();
    v.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    v
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A run id: time and pid, short and unique enough to label namespaces.
pub fn run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    crate::hash::Hasher::new()
        .field(nanos.to_le_bytes())
        .field(std::process::id().to_le_bytes())
        .short(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip() {
        let dir = std::env::temp_dir().join(format!("kindtest-state-{}", std::process::id()));
        let p = state_path(&dir.join("clusters").join("kt"));
        let mut s = ClusterState {
            name: "kt".into(),
            provider: "kind".into(),
            created_by_us: true,
            ..Default::default()
        };
        s.images.insert(
            "kindtest.local/demo".into(),
            "kindtest.local/demo:abc".into(),
        );
        s.save(&p).unwrap();
        assert_eq!(ClusterState::load(&p).unwrap(), s);
        assert_eq!(known_clusters(&dir).len(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
