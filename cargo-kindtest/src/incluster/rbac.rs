//! What a runner pod may do, and the objects that grant it.
//!
//! Per run (created once, idempotently, by whichever runner process comes first):
//! - namespace `kt-runner-<hash of run id>` (labels `app.kubernetes.io/managed-by=kindtest`,
//!   `kindtest.dev/run=<run>`), where the runner pods live;
//! - service account `kindtest-runner` in it;
//! - ClusterRoleBinding `kt-runner-<hash>` of that service account to the ClusterRole
//!   [`NAMESPACES_ROLE`]: `namespaces`: `get`, `list`, `watch`, `create`. (`create` because the harness
//!   always asks to create its namespace and adopts the prepared one on "already exists"; the API server
//!   checks the verb before it looks at the name. `list` serves the harness's sweep of stale
//!   namespaces, which can then only *report* them: deleting other namespaces is not granted.)
//!
//! Per test (created by the runner before the pod, with the CLI's admin kubeconfig):
//! - the test namespace `kt-<test>-<hash>` itself (see `kindtest::podrun::prepare_test_namespace`);
//! - RoleBinding `kindtest-runner` in it, binding the service account to the ClusterRole
//!   [`TEST_NAMESPACE_ROLE`]: every verb on every resource — *in that namespace only* (a RoleBinding
//!   never reaches further), which includes `get`/`patch`/`delete` of the namespace object itself (the
//!   API server authorizes `namespaces/<name>` requests in namespace `<name>`), so the harness can mark
//!   it kept or delete it as it does on the host.
//!
//! So a test in a pod can do anything in its own namespace, create empty namespaces and read the list
//! of namespaces, and nothing else: no cluster-scoped objects (CRDs, ClusterRoles, webhooks), nothing in
//! other tests' namespaces. A profile that needs more says `in-cluster = { cluster-admin = true }`, which
//! binds the service account to `cluster-admin` instead ([`super::ENV_RUNNER_CLUSTER_ADMIN`]).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, RoleBinding};
use kube::api::{Patch, PatchParams};
use kube::{Api, Client};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// The runner pods' service account (in the runner namespace).
pub const SERVICE_ACCOUNT: &str = "kindtest-runner";
/// ClusterRole: namespaces get/list/watch/create (bound cluster-wide).
pub const NAMESPACES_ROLE: &str = "kindtest-runner-namespaces";
/// ClusterRole: everything, bound by a RoleBinding in each test namespace only.
pub const TEST_NAMESPACE_ROLE: &str = "kindtest-runner-test-namespace";
/// Name of the RoleBinding in each test namespace.
pub const TEST_ROLE_BINDING: &str = "kindtest-runner";
/// Field manager of the runner's server-side applies.
pub const FIELD_MANAGER: &str = "kindtest-runner";

/// The per-run objects (namespace, service account, two ClusterRoles, ClusterRoleBinding), in
/// creation order.
pub fn run_objects(run_id: &str, cluster_admin: bool) -> Vec<Value> {
    let ns = kindtest::podrun::runner_namespace_name(run_id);
    let labels = kindtest::podrun::run_labels(run_id);
    let role_ref = if cluster_admin {
        "cluster-admin"
    } else {
        NAMESPACES_ROLE
    };
    vec![
        json!({"apiVersion": "v1", "kind": "Namespace",
               "metadata": {"name": ns, "labels": labels,
                            "annotations": {"kindtest.dev/run-id": run_id, "kindtest.dev/role": "runner",
                                            (kindtest::OWNER_ANNOTATION): owner()}}}),
        json!({"apiVersion": "v1", "kind": "ServiceAccount",
               "metadata": {"name": SERVICE_ACCOUNT, "namespace": ns, "labels": labels}}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
               "metadata": {"name": NAMESPACES_ROLE, "labels": managed()},
               "rules": [{"apiGroups": [""], "resources": ["namespaces"],
                          "verbs": ["get", "list", "watch", "create"]}]}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
               "metadata": {"name": TEST_NAMESPACE_ROLE, "labels": managed()},
               "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
               "metadata": {"name": ns, "labels": labels},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role_ref},
               "subjects": [{"kind": "ServiceAccount", "name": SERVICE_ACCOUNT, "namespace": ns}]}),
    ]
}

/// The RoleBinding that gives the runner's service account its rights in one test namespace.
pub fn test_role_binding(run_id: &str, test_namespace: &str) -> Value {
    let runner_ns = kindtest::podrun::runner_namespace_name(run_id);
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
           "metadata": {"name": TEST_ROLE_BINDING, "namespace": test_namespace,
                        "labels": kindtest::podrun::run_labels(run_id)},
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": TEST_NAMESPACE_ROLE},
           "subjects": [{"kind": "ServiceAccount", "name": SERVICE_ACCOUNT, "namespace": runner_ns}]})
}

fn managed() -> BTreeMap<String, String> {
    let mut l = BTreeMap::new();
    l.insert(
        kindtest::MANAGED_BY_LABEL.0.to_string(),
        kindtest::MANAGED_BY_LABEL.1.to_string(),
    );
    l
}

/// `<host>/<pid>` of nextest (the runner's parent), alive for the whole run: a sweep by another run
/// on this host leaves the runner namespace alone until then.
fn owner() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "unknown".into());
    // SAFETY: getppid has no preconditions.
    let parent = unsafe { libc::getppid() };
    format!("{host}/{parent}")
}

async fn apply_typed<K>(api: Api<K>, name: &str, v: &Value) -> Result<(), String>
where
    K: kube::Resource + Clone + DeserializeOwned + serde::Serialize + std::fmt::Debug,
{
    let pp = PatchParams::apply(FIELD_MANAGER).force();
    api.patch(name, &pp, &Patch::Apply(v))
        .await
        .map(|_| ())
        .map_err(|e| format!("apply {name}: {e}"))
}

/// Server-side applies one of the objects above.
pub async fn apply(client: &Client, v: &Value) -> Result<(), String> {
    let kind = v["kind"].as_str().unwrap_or("");
    let name = v["metadata"]["name"].as_str().unwrap_or("");
    let ns = v["metadata"]["namespace"].as_str().unwrap_or("");
    let c = client.clone();
    let r = match kind {
        "Namespace" => apply_typed::<Namespace>(Api::all(c), name, v).await,
        "ServiceAccount" => apply_typed::<ServiceAccount>(Api::namespaced(c, ns), name, v).await,
        "ClusterRole" => apply_typed::<ClusterRole>(Api::all(c), name, v).await,
        "ClusterRoleBinding" => apply_typed::<ClusterRoleBinding>(Api::all(c), name, v).await,
        "RoleBinding" => apply_typed::<RoleBinding>(Api::namespaced(c, ns), name, v).await,
        other => Err(format!("unexpected kind {other}")),
    };
    r.map_err(|e| format!("{}: {e}", kind.to_ascii_lowercase()))
}

/// Makes sure the per-run objects exist (cheap when they do: one GET of the service account).
pub async fn ensure_run_objects(
    client: &Client,
    run_id: &str,
    cluster_admin: bool,
) -> Result<(), String> {
    let ns = kindtest::podrun::runner_namespace_name(run_id);
    let sa: Api<ServiceAccount> = Api::namespaced(client.clone(), &ns);
    let crb: Api<ClusterRoleBinding> = Api::all(client.clone());
    if let (Ok(Some(_)), Ok(Some(_))) = (sa.get_opt(SERVICE_ACCOUNT).await, crb.get_opt(&ns).await)
    {
        return Ok(());
    }
    let nss: Api<Namespace> = Api::all(client.clone());
    for mut obj in run_objects(run_id, cluster_admin) {
        if obj["kind"] == "ClusterRoleBinding" {
            // Owned by the runner namespace: cluster-scoped, so nothing deletes it with the
            // namespace unless the garbage collector is told (`clean`, the harness's sweep and
            // an interrupted run delete only the namespace).
            let uid = nss
                .get(&ns)
                .await
                .map_err(|e| format!("namespace {ns}: {e}"))?
                .metadata
                .uid
                .unwrap_or_default();
            if !uid.is_empty() {
                obj["metadata"]["ownerReferences"] = json!([{
                    "apiVersion": "v1", "kind": "Namespace", "name": ns, "uid": uid
                }]);
            }
        }
        apply(client, &obj).await?;
    }
    Ok(())
}

/// Deletes the per-run namespace and ClusterRoleBinding (at the end of a run; 404s are fine).
pub async fn delete_run_objects(client: &Client, run_id: &str) -> Result<(), String> {
    let ns = kindtest::podrun::runner_namespace_name(run_id);
    let dp = kube::api::DeleteParams::background();
    let crb: Api<ClusterRoleBinding> = Api::all(client.clone());
    match crb.delete(&ns, &dp).await {
        Ok(_) => {}
        Err(kube::Error::Api(s)) if s.code == 404 => {}
        Err(e) => return Err(format!("delete clusterrolebinding {ns}: {e}")),
    }
    let nss: Api<Namespace> = Api::all(client.clone());
    match nss.delete(&ns, &dp).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
        Err(e) => Err(format!("delete namespace {ns}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_privilege_by_default() {
        let objs = run_objects("run-1", false);
        let kinds: Vec<&str> = objs.iter().filter_map(|o| o["kind"].as_str()).collect();
        assert_eq!(
            kinds,
            [
                "Namespace",
                "ServiceAccount",
                "ClusterRole",
                "ClusterRole",
                "ClusterRoleBinding"
            ]
        );
        let crb = &objs[4];
        assert_eq!(crb["roleRef"]["name"], NAMESPACES_ROLE);
        assert_eq!(
            objs[2]["rules"][0]["verbs"],
            json!(["get", "list", "watch", "create"])
        );
        assert_eq!(
            run_objects("run-1", true)[4]["roleRef"]["name"],
            "cluster-admin"
        );
        let rb = test_role_binding("run-1", "kt-x-1");
        assert_eq!(rb["metadata"]["namespace"], "kt-x-1");
        assert_eq!(rb["roleRef"]["name"], TEST_NAMESPACE_ROLE);
        assert_eq!(
            rb["subjects"][0]["namespace"],
            json!(kindtest::podrun::runner_namespace_name("run-1"))
        );
    }
}
