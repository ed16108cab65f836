//! What the pipeline asks of the Kubernetes API, behind a trait so stages test without a
//! cluster: the readiness gate probe, advertising extended resources, diagnosing a release
//! that did not become ready, sweeping our namespaces.
//!
//! [`KubeRs`] implements it with kube-rs on a small current-thread tokio runtime per call.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Event as KEvent, Namespace, Node, Pod, ServiceAccount};
use kube::api::{Api, DeleteParams, ListParams, LogParams, Patch, PatchParams};

/// Errors talking to the API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// Kubeconfig unreadable or invalid.
    #[error("kubeconfig {path}: {message}")]
    Config {
        /// File.
        path: String,
        /// Why.
        message: String,
    },
    /// The API server could not be reached (wrong port after a restart, not up yet).
    #[error("cannot reach the API server: {0}")]
    Unreachable(String),
    /// A request failed.
    #[error("{0}")]
    Request(String),
}

/// The label every namespace we create carries.
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by=kindtest";

/// The cluster API as the pipeline uses it.
pub trait KubeApi: Send + Sync {
    /// One probe of the readiness gate: what is not ready yet (empty = ready). All nodes
    /// Ready, CoreDNS available, the `default` ServiceAccount present in `default`.
    fn readiness(&self, kubeconfig: &Path) -> Result<Vec<String>, ApiError>;
    /// Adds extended resources to the capacity of worker nodes (all nodes when there is no
    /// worker) so pods requesting them schedule.
    fn advertise(
        &self,
        kubeconfig: &Path,
        resources: &BTreeMap<String, String>,
    ) -> Result<Vec<String>, ApiError>;
    /// Explains why the objects of a release are not ready: pod phase, container waiting
    /// reasons, last events, log tails.
    fn diagnose(
        &self,
        kubeconfig: &Path,
        namespace: &str,
        release: &str,
    ) -> Result<String, ApiError>;
    /// Deletes namespaces labelled [`MANAGED_BY`]; returns their names.
    fn sweep_namespaces(&self, kubeconfig: &Path) -> Result<Vec<String>, ApiError>;
}

/// [`KubeApi`] over kube-rs.
#[derive(Debug, Default, Clone)]
pub struct KubeRs;

fn rt() -> Result<tokio::runtime::Runtime, ApiError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ApiError::Request(e.to_string()))
}

async fn client(kubeconfig: &Path) -> Result<kube::Client, ApiError> {
    let cfgerr = |m: String| ApiError::Config {
        path: kubeconfig.display().to_string(),
        message: m,
    };
    let kc = kube::config::Kubeconfig::read_from(kubeconfig).map_err(|e| cfgerr(e.to_string()))?;
    let mut config =
        kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
            .await
            .map_err(|e| cfgerr(e.to_string()))?;
    config.connect_timeout = Some(Duration::from_secs(3));
    config.read_timeout = Some(Duration::from_secs(10));
    kube::Client::try_from(config).map_err(|e| cfgerr(e.to_string()))
}

fn req(e: kube::Error) -> ApiError {
    match &e {
        kube::Error::Api(_) => ApiError::Request(e.to_string()),
        _ => ApiError::Unreachable(e.to_string()),
    }
}

/// Problems of nodes: every node must have condition Ready=True.
pub fn node_problems(nodes: &[Node]) -> Vec<String> {
    if nodes.is_empty() {
        return vec!["no nodes registered yet".into()];
    }
    nodes
        .iter()
        .filter_map(|n| {
            let name = n.metadata.name.clone().unwrap_or_default();
            let ready = n
                .status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .and_then(|c| c.iter().find(|c| c.type_ == "Ready"));
            match ready {
                Some(c) if c.status == "True" => None,
                Some(c) => Some(format!(
                    "node/{name} not Ready ({}: {})",
                    c.reason.clone().unwrap_or_default(),
                    c.message.clone().unwrap_or_default()
                )),
                None => Some(format!("node/{name} has no Ready condition yet")),
            }
        })
        .collect()
}

/// Whether a Deployment has condition Available=True and all replicas available.
pub fn is_deployment_available(d: &Deployment) -> bool {
    let Some(s) = &d.status else { return false };
    let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let avail = s.conditions.as_ref().is_some_and(|c| {
        c.iter()
            .any(|c| c.type_ == "Available" && c.status == "True")
    });
    avail && s.available_replicas.unwrap_or(0) >= want
}

/// `1/2 replicas available` plus the Available condition's message, if any.
pub fn deployment_progress(d: &Deployment) -> String {
    let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let status = d.status.as_ref();
    let have = status.and_then(|s| s.available_replicas).unwrap_or(0);
    let why = status
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| {
            c.iter()
                .find(|c| c.type_ == "Available" && c.status != "True")
        })
        .and_then(|c| c.message.clone())
        .map(|m| format!(": {m}"))
        .unwrap_or_default();
    format!("{have}/{want} replicas available{why}")
}

/// Why a pod is not ready, or `None` if it is Ready or Succeeded.
pub fn pod_problem(p: &Pod) -> Option<String> {
    let name = p.metadata.name.clone().unwrap_or_default();
    let st = p.status.as_ref();
    let phase = st
        .and_then(|s| s.phase.clone())
        .unwrap_or_else(|| "Unknown".into());
    if phase == "Succeeded" {
        return None;
    }
    let ready = st
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
    if ready {
        return None;
    }
    let mut why = vec![format!("phase {phase}")];
    if let Some(c) = st.and_then(|s| s.conditions.as_ref()).and_then(|c| {
        c.iter()
            .find(|c| c.type_ == "PodScheduled" && c.status != "True")
    }) {
        why.push(format!(
            "unschedulable: {}",
            c.message.clone().unwrap_or_default()
        ));
    }
    for cs in st
        .and_then(|s| s.container_statuses.as_ref())
        .into_iter()
        .flatten()
    {
        if let Some(w) = cs.state.as_ref().and_then(|s| s.waiting.as_ref()) {
            why.push(format!(
                "container {} waiting: {}{}",
                cs.name,
                w.reason.clone().unwrap_or_default(),
                w.message
                    .as_ref()
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default()
            ));
        }
        if let Some(t) = cs.last_state.as_ref().and_then(|s| s.terminated.as_ref()) {
            why.push(format!(
                "container {} last terminated: {} exit {} (restarts {})",
                cs.name,
                t.reason.clone().unwrap_or_default(),
                t.exit_code,
                cs.restart_count
            ));
        }
    }
    Some(format!("pod/{name}: {}", why.join("; ")))
}

impl KubeApi for KubeRs {
    fn readiness(&self, kubeconfig: &Path) -> Result<Vec<String>, ApiError> {
        rt()?.block_on(async {
            let c = client(kubeconfig).await?;
            // The three probes at once: one round trip of latency, not three.
            let nodes_api = Api::<Node>::all(c.clone());
            let deploy_api = Api::<Deployment>::namespaced(c.clone(), "kube-system");
            let sa_api = Api::<ServiceAccount>::namespaced(c, "default");
            let lp = ListParams::default();
            let (nodes, coredns, sa) = tokio::join!(
                nodes_api.list(&lp),
                deploy_api.get_opt("coredns"),
                sa_api.get_opt("default"),
            );
            let mut problems = node_problems(&nodes.map_err(req)?.items);
            match coredns.map_err(req)? {
                Some(d) if is_deployment_available(&d) => {}
                Some(d) => problems.push(format!(
                    "deployment/coredns in kube-system not Available ({})",
                    deployment_progress(&d)
                )),
                None => problems.push("deployment/coredns in kube-system not found yet".into()),
            }
            if sa.map_err(req)?.is_none() {
                problems.push("serviceaccount/default in namespace default not created yet".into());
            }
            Ok(problems)
        })
    }

    fn advertise(
        &self,
        kubeconfig: &Path,
        resources: &BTreeMap<String, String>,
    ) -> Result<Vec<String>, ApiError> {
        if resources.is_empty() {
            return Ok(Vec::new());
        }
        rt()?.block_on(async {
            let c = client(kubeconfig).await?;
            let api = Api::<Node>::all(c);
            let nodes = api.list(&ListParams::default()).await.map_err(req)?;
            let is_cp = |n: &Node| {
                n.metadata
                    .labels
                    .as_ref()
                    .is_some_and(|l| l.contains_key("node-role.kubernetes.io/control-plane"))
            };
            let workers: Vec<&Node> = nodes.items.iter().filter(|n| !is_cp(n)).collect();
            let targets: Vec<&Node> = if workers.is_empty() {
                nodes.items.iter().collect()
            } else {
                workers
            };
            let patch = serde_json::json!({ "status": { "capacity": resources } });
            let mut done = Vec::new();
            for n in targets {
                let name = n.metadata.name.clone().unwrap_or_default();
                api.patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch))
                    .await
                    .map_err(req)?;
                done.push(name);
            }
            Ok(done)
        })
    }

    fn diagnose(
        &self,
        kubeconfig: &Path,
        namespace: &str,
        release: &str,
    ) -> Result<String, ApiError> {
        rt()?.block_on(async {
            let c = client(kubeconfig).await?;
            let pods: Api<Pod> = Api::namespaced(c.clone(), namespace);
            let lp = ListParams::default().labels(&format!("app.kubernetes.io/instance={release}"));
            let mut list = pods.list(&lp).await.map_err(req)?.items;
            if list.is_empty() {
                list = pods.list(&ListParams::default()).await.map_err(req)?.items;
            }
            let mut out = String::new();
            let events: Api<KEvent> = Api::namespaced(c.clone(), namespace);
            let all_events = events
                .list(&ListParams::default())
                .await
                .map(|l| l.items)
                .unwrap_or_default();
            for d in Api::<Deployment>::namespaced(c.clone(), namespace)
                .list(&lp)
                .await
                .map(|l| l.items)
                .unwrap_or_default()
            {
                if !is_deployment_available(&d) {
                    let s = d.status.clone().unwrap_or_default();
                    out.push_str(&format!(
                        "deployment/{}: {}/{} replicas available\n",
                        d.metadata.name.clone().unwrap_or_default(),
                        s.available_replicas.unwrap_or(0),
                        d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
                    ));
                }
            }
            for p in &list {
                let Some(problem) = pod_problem(p) else {
                    continue;
                };
                let name = p.metadata.name.clone().unwrap_or_default();
                out.push_str(&problem);
                out.push('\n');
                let mut evs: Vec<&KEvent> = all_events
                    .iter()
                    .filter(|e| e.involved_object.name.as_deref() == Some(name.as_str()))
                    .collect();
                evs.sort_by_key(|e| e.last_timestamp.clone().map(|t| t.0));
                for e in evs.iter().rev().take(5).rev() {
                    out.push_str(&format!(
                        "  event {} {}: {}\n",
                        e.type_.clone().unwrap_or_default(),
                        e.reason.clone().unwrap_or_default(),
                        e.message.clone().unwrap_or_default().trim()
                    ));
                }
                for cs in p
                    .status
                    .as_ref()
                    .and_then(|s| s.container_statuses.as_ref())
                    .into_iter()
                    .flatten()
                {
                    if cs.ready {
                        continue;
                    }
                    let lp = LogParams {
                        container: Some(cs.name.clone()),
                        tail_lines: Some(20),
                        previous: cs.restart_count > 0,
                        ..Default::default()
                    };
                    if let Ok(log) = pods.logs(&name, &lp).await
                        && !log.trim().is_empty()
                    {
                        out.push_str(&format!("  log tail of {}:\n", cs.name));
                        for l in log.lines() {
                            out.push_str(&format!("    {l}\n"));
                        }
                    }
                }
            }
            if out.is_empty() {
                out.push_str(&format!(
                    "no pod of release {release} in namespace {namespace} reports a problem\n"
                ));
            }
            Ok(out)
        })
    }

    fn sweep_namespaces(&self, kubeconfig: &Path) -> Result<Vec<String>, ApiError> {
        rt()?.block_on(async {
            let c = client(kubeconfig).await?;
            let api: Api<Namespace> = Api::all(c);
            let list = api
                .list(&ListParams::default().labels(MANAGED_BY))
                .await
                .map_err(req)?;
            let mut names = Vec::new();
            for ns in list.items {
                let name = ns.metadata.name.clone().unwrap_or_default();
                api.delete(&name, &DeleteParams::background())
                    .await
                    .map_err(req)?;
                names.push(name);
            }
            Ok(names)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_yaml<T: serde::de::DeserializeOwned>(json: serde_json::Value) -> T {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn nodes_ready_or_not() {
        let ready: Node = from_yaml(
            serde_json::json!({"metadata":{"name":"a"},"status":{"conditions":[{"type":"Ready","status":"True"}]}}),
        );
        let not: Node = from_yaml(
            serde_json::json!({"metadata":{"name":"b"},"status":{"conditions":[{"type":"Ready","status":"False","reason":"KubeletNotReady","message":"cni not initialized"}]}}),
        );
        assert!(node_problems(std::slice::from_ref(&ready)).is_empty());
        assert_eq!(
            node_problems(&[ready, not]),
            vec!["node/b not Ready (KubeletNotReady: cni not initialized)"]
        );
        assert_eq!(node_problems(&[]), vec!["no nodes registered yet"]);
    }

    #[test]
    fn pod_problem_names_the_waiting_reason() {
        let p: Pod = from_yaml(serde_json::json!({
            "metadata": {"name": "demo-1"},
            "status": {"phase": "Pending", "conditions": [{"type": "Ready", "status": "False"}],
                "containerStatuses": [{"name": "demo", "ready": false, "restartCount": 0, "image": "x", "imageID": "",
                    "state": {"waiting": {"reason": "ErrImagePull", "message": "pull access denied"}}}]}
        }));
        assert_eq!(
            pod_problem(&p).unwrap(),
            "pod/demo-1: phase Pending; container demo waiting: ErrImagePull (pull access denied)"
        );
        let ok: Pod = from_yaml(
            serde_json::json!({"metadata":{"name":"x"},"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}),
        );
        assert!(pod_problem(&ok).is_none());
    }

    #[test]
    fn deployment_availability() {
        let d: Deployment = from_yaml(
            serde_json::json!({"metadata":{"name":"coredns"},"spec":{"replicas":2,"selector":{},"template":{}},
            "status":{"availableReplicas":2,"conditions":[{"type":"Available","status":"True"}]}}),
        );
        assert!(is_deployment_available(&d));
        let d: Deployment = from_yaml(
            serde_json::json!({"metadata":{"name":"coredns"},"spec":{"replicas":2,"selector":{},"template":{}},
            "status":{"availableReplicas":1,"conditions":[{"type":"Available","status":"True"}]}}),
        );
        assert!(!is_deployment_available(&d));
        assert_eq!(deployment_progress(&d), "1/2 replicas available");
        let d: Deployment = from_yaml(
            serde_json::json!({"metadata":{"name":"coredns"},"spec":{"replicas":2,"selector":{},"template":{}},
            "status":{"conditions":[{"type":"Available","status":"False","message":"Deployment does not have minimum availability."}]}}),
        );
        assert_eq!(
            deployment_progress(&d),
            "0/2 replicas available: Deployment does not have minimum availability."
        );
    }
}
