//! Object references (`deployment/web`) and readiness: pure functions over the object's JSON, so they
//! are tested without a cluster (kube-runtime's `wait.rs` does the same).

use kube::core::{ApiResource, GroupVersionKind};
use serde_json::Value;

use crate::error::{Error, Result};

/// A kind the harness knows without discovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KnownKind {
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub plural: &'static str,
    pub namespaced: bool,
    aliases: &'static [&'static str],
}

macro_rules! k {
    ($g:expr, $v:expr, $k:expr, $p:expr, $ns:expr, [$($a:expr),*]) => {
        KnownKind { group: $g, version: $v, kind: $k, plural: $p, namespaced: $ns, aliases: &[$($a),*] }
    };
}

pub(crate) const KNOWN_KINDS: &[KnownKind] = &[
    k!("", "v1", "Pod", "pods", true, ["po"]),
    k!("", "v1", "Service", "services", true, ["svc"]),
    k!("", "v1", "ConfigMap", "configmaps", true, ["cm"]),
    k!("", "v1", "Secret", "secrets", true, []),
    k!("", "v1", "ServiceAccount", "serviceaccounts", true, ["sa"]),
    k!(
        "",
        "v1",
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        true,
        ["pvc"]
    ),
    k!("", "v1", "Endpoints", "endpoints", true, ["ep"]),
    k!("", "v1", "Event", "events", true, ["ev"]),
    k!("", "v1", "Namespace", "namespaces", false, ["ns"]),
    k!("", "v1", "Node", "nodes", false, ["no"]),
    k!("apps", "v1", "Deployment", "deployments", true, ["deploy"]),
    k!("apps", "v1", "StatefulSet", "statefulsets", true, ["sts"]),
    k!("apps", "v1", "DaemonSet", "daemonsets", true, ["ds"]),
    k!("apps", "v1", "ReplicaSet", "replicasets", true, ["rs"]),
    k!("batch", "v1", "Job", "jobs", true, []),
    k!("batch", "v1", "CronJob", "cronjobs", true, ["cj"]),
    k!(
        "networking.k8s.io",
        "v1",
        "Ingress",
        "ingresses",
        true,
        ["ing"]
    ),
    k!(
        "networking.k8s.io",
        "v1",
        "NetworkPolicy",
        "networkpolicies",
        true,
        ["netpol"]
    ),
    k!(
        "policy",
        "v1",
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        true,
        ["pdb"]
    ),
    k!(
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        true,
        ["hpa"]
    ),
    k!("rbac.authorization.k8s.io", "v1", "Role", "roles", true, []),
    k!(
        "rbac.authorization.k8s.io",
        "v1",
        "RoleBinding",
        "rolebindings",
        true,
        []
    ),
    k!(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRole",
        "clusterroles",
        false,
        []
    ),
    k!(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        false,
        []
    ),
    k!(
        "discovery.k8s.io",
        "v1",
        "EndpointSlice",
        "endpointslices",
        true,
        []
    ),
    k!(
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        false,
        ["crd", "crds"]
    ),
];

impl KnownKind {
    /// Finds a kind by `Kind`, lowercase kind, plural or short name.
    pub(crate) fn lookup(word: &str) -> Option<&'static KnownKind> {
        let w = word.to_ascii_lowercase();
        KNOWN_KINDS.iter().find(|k| {
            k.kind.eq_ignore_ascii_case(&w) || k.plural == w || k.aliases.contains(&w.as_str())
        })
    }

    /// Finds a kind by apiVersion and Kind.
    pub(crate) fn by_gvk(api_version: &str, kind: &str) -> Option<&'static KnownKind> {
        let (group, version) = split_api_version(api_version);
        KNOWN_KINDS
            .iter()
            .find(|k| k.kind == kind && k.group == group && k.version == version)
    }

    pub(crate) fn api_resource(&self) -> ApiResource {
        ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk(self.group, self.version, self.kind),
            self.plural,
        )
    }

    /// `deployment`, the word kubectl users type.
    pub(crate) fn word(&self) -> String {
        self.kind.to_ascii_lowercase()
    }
}

pub(crate) fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    }
}

/// A reference to one object in the test namespace: `deployment/web`, `pod/web-0`, `svc/web`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    pub(crate) kind: &'static KnownKind,
    /// Object name.
    pub name: String,
}

impl ObjectRef {
    /// Parses `kind/name` (kind as `Deployment`, `deployment`, `deployments` or `deploy`).
    pub fn parse(text: &str) -> Result<ObjectRef> {
        let (kind, name) = text.split_once('/').ok_or_else(|| {
            Error::Invalid(format!("`{text}`: expected kind/name, e.g. deployment/web"))
        })?;
        let kind = KnownKind::lookup(kind).ok_or_else(|| {
            Error::Invalid(format!(
                "`{text}`: unknown kind `{kind}` (known: {})",
                KNOWN_KINDS
                    .iter()
                    .map(|k| k.word())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        if name.is_empty() || name.contains('/') {
            return Err(Error::Invalid(format!("`{text}`: bad object name")));
        }
        Ok(ObjectRef {
            kind,
            name: name.to_string(),
        })
    }

    /// The kind, e.g. `Deployment`.
    pub fn kind(&self) -> &'static str {
        self.kind.kind
    }
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.kind.word(), self.name)
    }
}

/// The answer of a readiness check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    /// Whether the condition holds.
    pub ready: bool,
    /// Whether it can never hold any more (a failed Job, a pod that exited with an error).
    pub terminal: bool,
    /// Why not (or a short state summary when ready).
    pub reason: String,
}

impl Readiness {
    /// Ready.
    pub fn yes(reason: impl Into<String>) -> Readiness {
        Readiness {
            ready: true,
            terminal: false,
            reason: reason.into(),
        }
    }
    /// Not ready yet.
    pub fn no(reason: impl Into<String>) -> Readiness {
        Readiness {
            ready: false,
            terminal: false,
            reason: reason.into(),
        }
    }
    /// Failed for good.
    pub fn failed(reason: impl Into<String>) -> Readiness {
        Readiness {
            ready: false,
            terminal: true,
            reason: reason.into(),
        }
    }
}

type CheckFn = dyn Fn(Option<&Value>) -> Readiness + Send + Sync;

/// A condition on one object (its JSON, or `None` while it does not exist), for [`crate::Context::wait_for`].
pub struct Condition {
    pub(crate) description: String,
    pub(crate) check: Box<CheckFn>,
}

impl Condition {
    /// A custom condition; `description` reads as "…not <description>" in timeout messages.
    pub fn new(
        description: impl Into<String>,
        check: impl Fn(Option<&Value>) -> Readiness + Send + Sync + 'static,
    ) -> Condition {
        Condition {
            description: description.into(),
            check: Box::new(check),
        }
    }

    /// The kind's readiness (see [`readiness`]).
    pub fn ready() -> Condition {
        Condition::new("ready", |obj| match obj {
            None => Readiness::no("not found"),
            Some(o) => readiness(o),
        })
    }

    /// The object exists.
    pub fn exists() -> Condition {
        Condition::new("created", |obj| match obj {
            None => Readiness::no("not found"),
            Some(_) => Readiness::yes("exists"),
        })
    }

    /// The object is gone.
    pub fn deleted() -> Condition {
        Condition::new("deleted", |obj| match obj {
            None => Readiness::yes("gone"),
            Some(o) => Readiness::no(match o.pointer("/metadata/deletionTimestamp") {
                Some(_) => format!(
                    "terminating, finalizers {}",
                    o.pointer("/metadata/finalizers")
                        .map(Value::to_string)
                        .unwrap_or_else(|| "[]".into())
                ),
                None => "still exists".into(),
            }),
        })
    }

    /// `status.conditions[type=<type_>].status == "True"`.
    pub fn condition_true(type_: &str) -> Condition {
        let t = type_.to_string();
        Condition::new(format!("{type_}=True"), move |obj| match obj {
            None => Readiness::no("not found"),
            Some(o) => match find_condition(o, &t) {
                Some(c) if c.status == "True" => Readiness::yes(format!("{t}=True")),
                Some(c) => Readiness::no(c.describe()),
                None => Readiness::no(format!("no {t} condition yet")),
            },
        })
    }

    /// The JSON value at `pointer` (RFC 6901, e.g. `/status/phase`) equals `expected`.
    pub fn field_eq(pointer: &str, expected: Value) -> Condition {
        let p = pointer.to_string();
        Condition::new(format!("{pointer} == {expected}"), move |obj| match obj {
            None => Readiness::no("not found"),
            Some(o) => match o.pointer(&p) {
                Some(v) if *v == expected => Readiness::yes(format!("{p} == {v}")),
                Some(v) => Readiness::no(format!("{p} is {v}")),
                None => Readiness::no(format!("{p} is unset")),
            },
        })
    }
}

pub(crate) struct Cond {
    pub type_: String,
    pub status: String,
    pub reason: String,
    pub message: String,
}

impl Cond {
    fn describe(&self) -> String {
        let mut s = format!("{}={}", self.type_, self.status);
        if !self.reason.is_empty() {
            s.push_str(&format!(" ({})", self.reason));
        }
        if !self.message.is_empty() {
            s.push_str(&format!(": {}", self.message));
        }
        s
    }
}

pub(crate) fn find_condition(obj: &Value, type_: &str) -> Option<Cond> {
    obj.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(type_))
        .map(|c| {
            let s = |k: &str| {
                c.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            Cond {
                type_: s("type"),
                status: s("status"),
                reason: s("reason"),
                message: s("message"),
            }
        })
}

fn int(obj: &Value, pointer: &str) -> i64 {
    obj.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

fn generation_observed(obj: &Value) -> Option<String> {
    let gen_ = int(obj, "/metadata/generation");
    let seen = int(obj, "/status/observedGeneration");
    (seen < gen_).then(|| format!("controller has not observed generation {gen_} yet (at {seen})"))
}

/// Why a pod is not ready, in one clause: the first waiting/terminated container reason, else the
/// failing pod condition, else the phase.
pub(crate) fn pod_problem(pod: &Value) -> Option<String> {
    let phase = pod
        .pointer("/status/phase")
        .and_then(Value::as_str)
        .unwrap_or("Pending");
    if phase == "Succeeded" {
        return None;
    }
    let statuses = ["/status/initContainerStatuses", "/status/containerStatuses"];
    for key in statuses {
        for cs in pod
            .pointer(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = cs.get("name").and_then(Value::as_str).unwrap_or("?");
            let restarts = cs.get("restartCount").and_then(Value::as_i64).unwrap_or(0);
            if let Some(w) = cs.pointer("/state/waiting") {
                let reason = w.get("reason").and_then(Value::as_str).unwrap_or("Waiting");
                let msg = w.get("message").and_then(Value::as_str).unwrap_or("");
                let mut s = format!("container {name} {reason}");
                if !msg.is_empty() {
                    s.push_str(&format!(": {}", crate::error::one_line(msg)));
                }
                if restarts > 0 {
                    s.push_str(&format!(" ({restarts} restarts)"));
                }
                return Some(s);
            }
            if let Some(t) = cs.pointer("/state/terminated") {
                let code = t.get("exitCode").and_then(Value::as_i64).unwrap_or(0);
                if code != 0 || key.contains("containerStatuses") && phase == "Failed" {
                    let reason = t.get("reason").and_then(Value::as_str).unwrap_or("Error");
                    return Some(format!(
                        "container {name} terminated: {reason}, exit code {code}"
                    ));
                }
            }
            if cs.get("ready").and_then(Value::as_bool) == Some(false)
                && key.ends_with("containerStatuses")
                && cs.pointer("/state/running").is_some()
            {
                return Some(format!(
                    "container {name} running but not ready (readiness probe)"
                ));
            }
        }
    }
    if let Some(c) = find_condition(pod, "PodScheduled")
        && c.status != "True"
    {
        return Some(format!("unschedulable: {}", c.describe()));
    }
    if let Some(c) = find_condition(pod, "Ready")
        && c.status == "True"
    {
        return None;
    }
    Some(format!("phase {phase}"))
}

/// Readiness of an object by its kind (`kind` field of the JSON): Deployment (observed generation,
/// updated and available replicas), StatefulSet, DaemonSet, ReplicaSet, Pod (Ready or Succeeded), Job
/// (Complete; Failed is terminal), PersistentVolumeClaim (Bound), CustomResourceDefinition (Established),
/// Namespace (Active); any other kind: its `Ready` condition if it has one, else existing is ready.
pub fn readiness(obj: &Value) -> Readiness {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    let want = |p: &str| int(obj, p);
    match kind {
        "Deployment" => {
            if let Some(g) = generation_observed(obj) {
                return Readiness::no(g);
            }
            let replicas = obj
                .pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            let updated = want("/status/updatedReplicas");
            let available = want("/status/availableReplicas");
            let total = want("/status/replicas");
            if let Some(c) = find_condition(obj, "Progressing")
                && c.reason == "ProgressDeadlineExceeded"
            {
                return Readiness::failed(c.describe());
            }
            if updated < replicas {
                return Readiness::no(format!("{updated}/{replicas} replicas updated"));
            }
            if total > updated {
                return Readiness::no(format!(
                    "{} old replicas pending termination",
                    total - updated
                ));
            }
            if available < replicas {
                return Readiness::no(format!("{available}/{replicas} replicas available"));
            }
            Readiness::yes(format!("{available}/{replicas} replicas available"))
        }
        "StatefulSet" => {
            if let Some(g) = generation_observed(obj) {
                return Readiness::no(g);
            }
            let replicas = obj
                .pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            let ready = want("/status/readyReplicas");
            let updated = want("/status/updatedReplicas");
            if ready < replicas {
                return Readiness::no(format!("{ready}/{replicas} replicas ready"));
            }
            if updated < replicas
                && obj
                    .pointer("/spec/updateStrategy/type")
                    .and_then(Value::as_str)
                    != Some("OnDelete")
            {
                return Readiness::no(format!("{updated}/{replicas} replicas updated"));
            }
            Readiness::yes(format!("{ready}/{replicas} replicas ready"))
        }
        "DaemonSet" => {
            if let Some(g) = generation_observed(obj) {
                return Readiness::no(g);
            }
            let desired = want("/status/desiredNumberScheduled");
            let ready = want("/status/numberReady");
            let updated = want("/status/updatedNumberScheduled");
            if updated < desired {
                return Readiness::no(format!("{updated}/{desired} pods updated"));
            }
            if ready < desired {
                return Readiness::no(format!("{ready}/{desired} pods ready"));
            }
            Readiness::yes(format!("{ready}/{desired} pods ready"))
        }
        "ReplicaSet" => {
            let replicas = obj
                .pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            let ready = want("/status/readyReplicas");
            if ready < replicas {
                Readiness::no(format!("{ready}/{replicas} replicas ready"))
            } else {
                Readiness::yes(format!("{ready}/{replicas} replicas ready"))
            }
        }
        "Pod" => {
            let phase = obj
                .pointer("/status/phase")
                .and_then(Value::as_str)
                .unwrap_or("Pending");
            if phase == "Succeeded" {
                return Readiness::yes("Succeeded");
            }
            let restart_never =
                obj.pointer("/spec/restartPolicy").and_then(Value::as_str) == Some("Never");
            match pod_problem(obj) {
                None => Readiness::yes("Ready"),
                Some(p) if phase == "Failed" || (restart_never && p.contains("terminated")) => {
                    Readiness::failed(p)
                }
                Some(p) => Readiness::no(p),
            }
        }
        "Job" => {
            if let Some(c) = find_condition(obj, "Complete")
                && c.status == "True"
            {
                return Readiness::yes("Complete");
            }
            if let Some(c) = find_condition(obj, "Failed")
                && c.status == "True"
            {
                return Readiness::failed(format!("job failed: {}", c.describe()));
            }
            Readiness::no(format!(
                "{} active, {} succeeded, {} failed",
                want("/status/active"),
                want("/status/succeeded"),
                want("/status/failed")
            ))
        }
        "PersistentVolumeClaim" => {
            let phase = obj
                .pointer("/status/phase")
                .and_then(Value::as_str)
                .unwrap_or("Pending");
            if phase == "Bound" {
                Readiness::yes("Bound")
            } else {
                Readiness::no(format!("phase {phase}"))
            }
        }
        "CustomResourceDefinition" => match find_condition(obj, "Established") {
            Some(c) if c.status == "True" => Readiness::yes("Established"),
            Some(c) => Readiness::no(c.describe()),
            None => Readiness::no("not Established yet"),
        },
        "Namespace" => {
            let phase = obj
                .pointer("/status/phase")
                .and_then(Value::as_str)
                .unwrap_or("Active");
            if phase == "Active" {
                Readiness::yes("Active")
            } else {
                Readiness::no(format!("phase {phase}"))
            }
        }
        _ => match find_condition(obj, "Ready") {
            Some(c) if c.status == "True" => Readiness::yes("Ready"),
            Some(c) => Readiness::no(c.describe()),
            None => Readiness::yes("exists"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parse_refs() {
        let r = ObjectRef::parse("deploy/web").expect("parses");
        assert_eq!(r.kind(), "Deployment");
        assert_eq!(r.to_string(), "deployment/web");
        assert_eq!(ObjectRef::parse("Pods/p").expect("parses").kind(), "Pod");
        assert!(ObjectRef::parse("web").is_err());
        assert!(ObjectRef::parse("gizmo/web").is_err());
        assert!(ObjectRef::parse("pod/").is_err());
    }

    #[test]
    fn deployment_readiness() {
        let d = json!({"kind": "Deployment", "metadata": {"generation": 2},
            "spec": {"replicas": 2},
            "status": {"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 1}});
        let r = readiness(&d);
        assert!(!r.ready);
        assert_eq!(r.reason, "1/2 replicas available");
        let mut ok = d.clone();
        ok["status"]["availableReplicas"] = json!(2);
        assert!(readiness(&ok).ready);
        let mut stale = ok.clone();
        stale["metadata"]["generation"] = json!(3);
        assert!(readiness(&stale).reason.contains("generation 3"));
        let mut dead = d.clone();
        dead["status"]["conditions"] = json!([{"type": "Progressing", "status": "False",
            "reason": "ProgressDeadlineExceeded", "message": "ReplicaSet web-1 has timed out"}]);
        assert!(readiness(&dead).terminal);
    }

    #[test]
    fn pod_readiness_names_the_container_reason() {
        let p = json!({"kind": "Pod", "status": {"phase": "Running",
            "conditions": [{"type": "Ready", "status": "False"}],
            "containerStatuses": [{"name": "web", "ready": false, "restartCount": 4,
                "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s\nrestarting"}}}]}});
        let r = readiness(&p);
        assert!(!r.ready && !r.terminal);
        assert_eq!(
            r.reason,
            "container web CrashLoopBackOff: back-off 40s; restarting (4 restarts)"
        );
        let pending = json!({"kind": "Pod", "status": {"phase": "Pending",
            "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                "message": "0/1 nodes are available"}]}});
        assert_eq!(
            readiness(&pending).reason,
            "unschedulable: PodScheduled=False (Unschedulable): 0/1 nodes are available"
        );
        let ok = json!({"kind": "Pod", "status": {"phase": "Running",
            "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [{"name": "web", "ready": true, "state": {"running": {}}}]}});
        assert!(readiness(&ok).ready);
        let done = json!({"kind": "Pod", "status": {"phase": "Succeeded"}});
        assert!(readiness(&done).ready);
        let failed = json!({"kind": "Pod", "status": {"phase": "Failed",
            "containerStatuses": [{"name": "t", "state": {"terminated": {"exitCode": 3, "reason": "Error"}}}]}});
        let r = readiness(&failed);
        assert!(r.terminal);
        assert_eq!(r.reason, "container t terminated: Error, exit code 3");
    }

    #[test]
    fn job_and_misc() {
        let j = json!({"kind": "Job", "status": {"active": 1}});
        assert_eq!(readiness(&j).reason, "1 active, 0 succeeded, 0 failed");
        let done = json!({"kind": "Job", "status": {"conditions": [{"type": "Complete", "status": "True"}]}});
        assert!(readiness(&done).ready);
        let failed = json!({"kind": "Job", "status": {"conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]}});
        assert!(readiness(&failed).terminal);
        assert!(readiness(&json!({"kind": "ConfigMap"})).ready);
        let crd = json!({"kind": "Widget", "status": {"conditions": [{"type": "Ready", "status": "False", "reason": "Reconciling"}]}});
        assert_eq!(readiness(&crd).reason, "Ready=False (Reconciling)");
    }

    #[test]
    fn conditions() {
        let c = Condition::field_eq("/status/phase", json!("Active"));
        let ns = json!({"status": {"phase": "Terminating"}});
        assert_eq!(
            (c.check)(Some(&ns)).reason,
            "/status/phase is \"Terminating\""
        );
        assert!(!(Condition::deleted().check)(Some(&ns)).ready);
        assert!((Condition::deleted().check)(None).ready);
        let a = Condition::condition_true("Available");
        assert_eq!(
            (a.check)(Some(&json!({}))).reason,
            "no Available condition yet"
        );
    }

    #[test]
    fn known_kinds_by_gvk() {
        assert_eq!(
            KnownKind::by_gvk("apps/v1", "Deployment").map(|k| k.plural),
            Some("deployments")
        );
        assert!(KnownKind::by_gvk("v1", "Deployment").is_none());
    }
}
