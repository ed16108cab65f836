//! Create-or-reuse, the readiness gate, extended resources: the cluster stage proper.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::{ClusterError, ClusterPaths, ClusterSpec, CreateRequest, Provider, guard};
use crate::events::Events;
use crate::kube_api::{ApiError, KubeApi};
use crate::process::{Cancel, ExecError};
use crate::state::{ClusterState, state_path};

/// Choices for the cluster stage.
#[derive(Debug, Clone, Default)]
pub struct EnsureOptions {
    /// `--fresh`: recreate even if a matching cluster exists.
    pub fresh: bool,
    /// `--cluster NAME` was given: a foreign cluster of that name may be used (never deleted).
    pub named: bool,
    /// This run's id.
    pub run_id: String,
}

/// A cluster that passed the readiness gate.
#[derive(Debug, Clone)]
pub struct ReadyCluster {
    /// Name.
    pub name: String,
    /// Our kubeconfig.
    pub kubeconfig: PathBuf,
    /// Its context.
    pub context: String,
    /// State (images, releases) to update and save.
    pub state: ClusterState,
    /// State file.
    pub state_file: PathBuf,
    /// Created by this run.
    pub created: bool,
    /// What happened, in a few words.
    pub detail: String,
}

/// What the cluster stage did before failing, for Ctrl-C cleanup.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// This run created (or started creating) the cluster.
    pub created: bool,
}

/// Creates or reuses the cluster, waits for readiness, advertises extended resources.
#[allow(clippy::too_many_arguments)]
pub fn ensure(
    provider: &dyn Provider,
    api: &dyn KubeApi,
    spec: &ClusterSpec,
    paths: &ClusterPaths,
    opts: &EnsureOptions,
    cancel: &Cancel,
    events: &Events,
    progress: &mut Progress,
) -> Result<ReadyCluster, ClusterError> {
    provider.preflight()?;
    let hash = spec.config_hash()?;
    let state_file = state_path(&paths.dir);
    let existing = provider.list()?;
    let exists = existing.iter().any(|n| n == &spec.name);
    let mut state = ClusterState::load(&state_file).filter(|s| s.name == spec.name);
    let context = provider.context_name(&spec.name);
    let detail;

    if exists && state.is_none() {
        if !opts.named {
            return Err(ClusterError::Foreign {
                provider: provider.kind().name().into(),
                name: spec.name.clone(),
            });
        }
        // Adopted: the user named it. Never recreated nor deleted by us.
        events.warn(format!(
            "using existing cluster `{}` (named with --cluster; it will not be deleted)",
            spec.name
        ));
        provider.write_kubeconfig(&spec.name, &paths.kubeconfig)?;
        state = Some(ClusterState {
            name: spec.name.clone(),
            provider: provider.kind().name().into(),
            config_hash: hash.clone(),
            created_by_us: false,
            created_by_run: String::new(),
            created_at: crate::state::now(),
            ..Default::default()
        });
        detail = format!("adopted {}", spec.name);
    } else if exists {
        let s = state.as_ref().expect("checked above");
        let stale = s.config_hash != hash || !s.ready;
        if s.created_by_us && (opts.fresh || stale) {
            let why = if opts.fresh {
                "--fresh"
            } else if s.config_hash != hash {
                "its configuration changed"
            } else {
                "it never became ready"
            };
            events.info(format!("recreating cluster `{}` ({why})", spec.name));
            provider.delete(&spec.name, &paths.kubeconfig)?;
            state = None;
            detail = format!("recreated {} ({why})", spec.name);
        } else {
            if !s.created_by_us && s.config_hash != hash {
                events.warn(format!("cluster `{}` was not created by us: its shape is not checked against the profile", spec.name));
            }
            detail = format!("reused {}", spec.name);
        }
    } else if let Some(s) = state.take() {
        // Our state says it exists, the provider says it does not (deleted by hand, Docker
        // reset, machine rebooted): what it held (images, releases) is gone with it.
        let who = if s.created_by_us {
            "created by an earlier run"
        } else {
            "named with --cluster"
        };
        events.info(format!(
            "cluster `{}` ({who}) no longer exists: creating it again",
            spec.name
        ));
        detail = format!("recreated {} (it no longer existed)", spec.name);
    } else {
        detail = format!("created {}", spec.name);
    }

    let created = state.is_none();
    if created {
        // Record ownership before creating, so an interrupted create is still ours to clean.
        let s = ClusterState {
            name: spec.name.clone(),
            provider: provider.kind().name().into(),
            config_hash: hash.clone(),
            created_by_us: true,
            created_by_run: opts.run_id.clone(),
            created_at: crate::state::now(),
            ..Default::default()
        };
        s.save(&state_file).map_err(|e| ClusterError::Io {
            path: e.path,
            source: e.source,
        })?;
        progress.created = true;
        std::fs::create_dir_all(&paths.dir).map_err(|source| ClusterError::Io {
            path: paths.dir.clone(),
            source,
        })?;
        provider.create(&CreateRequest {
            spec,
            kubeconfig: &paths.kubeconfig,
            kind_config: &paths.kind_config,
            state_dir: &paths.dir,
        })?;
        state = Some(s);
    } else if !paths.kubeconfig.is_file() {
        provider.write_kubeconfig(&spec.name, &paths.kubeconfig)?;
    }
    let mut state = state.expect("set above");

    guard::check(&paths.kubeconfig, &context)?;
    wait_ready(provider, api, spec, paths, &context, cancel, !created)?;

    let resources: std::collections::BTreeMap<String, String> = spec
        .nodes
        .iter()
        .flat_map(|n| n.extended_resources.clone())
        .collect();
    if !resources.is_empty() && (!state.advertised || created) {
        let nodes = api
            .advertise(&paths.kubeconfig, &resources)
            .map_err(|e| ClusterError::Api(e.to_string()))?;
        events.verbose(format!(
            "advertised {} on {}",
            resources.keys().cloned().collect::<Vec<_>>().join(", "),
            nodes.join(", ")
        ));
        state.advertised = true;
    }
    if !state.ready {
        state.ready = true;
    }
    state.save(&state_file).map_err(|e| ClusterError::Io {
        path: e.path,
        source: e.source,
    })?;
    Ok(ReadyCluster {
        name: spec.name.clone(),
        kubeconfig: paths.kubeconfig.clone(),
        context,
        state,
        state_file,
        created,
        detail,
    })
}

/// Our readiness gate: polls until every node is Ready, CoreDNS is available and the
/// `default` ServiceAccount exists. (`kind create --wait` only waits for the control plane and
/// exits 0 on timeout.) A reused cluster whose API is unreachable gets its kubeconfig
/// rewritten once (the API port changes when Docker restarts).
pub fn wait_ready(
    provider: &dyn Provider,
    api: &dyn KubeApi,
    spec: &ClusterSpec,
    paths: &ClusterPaths,
    context: &str,
    cancel: &Cancel,
    reused: bool,
) -> Result<(), ClusterError> {
    let start = Instant::now();
    let mut refreshed = !reused;
    let mut last: Vec<String>;
    let mut delay = Duration::from_millis(250);
    loop {
        if cancel.is_set() {
            return Err(ClusterError::Exec(ExecError::Interrupted {
                command: "readiness gate".into(),
            }));
        }
        match api.readiness(&paths.kubeconfig) {
            Ok(problems) if problems.is_empty() => return Ok(()),
            Ok(problems) => last = problems,
            Err(ApiError::Unreachable(m)) if !refreshed => {
                refreshed = true;
                provider.write_kubeconfig(&spec.name, &paths.kubeconfig)?;
                guard::check(&paths.kubeconfig, context)?;
                let _ = m;
                continue;
            }
            Err(e) => last = vec![e.to_string()],
        }
        if start.elapsed() >= spec.ready_timeout {
            return Err(ClusterError::NotReady {
                name: spec.name.clone(),
                secs: spec.ready_timeout.as_secs(),
                report: last
                    .iter()
                    .map(|l| format!("  - {l}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            });
        }
        let until = Instant::now() + delay;
        while Instant::now() < until {
            if cancel.is_set() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        delay = (delay * 2).min(Duration::from_secs(2));
    }
}
