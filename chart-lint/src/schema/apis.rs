//! Which APIs a Kubernetes version serves: `.Capabilities.APIVersions` for the renderer, and
//! deprecated / removed group-version-kinds for validation and lint rules.

use super::SchemaError;
use super::data::{self, KubeVersion};

/// What a Kubernetes version does with an `apiVersion`/`kind`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiStatus {
    /// Served by a default API server, current.
    Served,
    /// Served, but a newer (GA) version of the same kind exists: migrate.
    Deprecated {
        /// The `apiVersion` to use instead.
        replacement: String,
    },
    /// Known to this version but not served by default (an alpha, or a beta disabled by
    /// default since 1.24): the API server needs `--runtime-config`.
    NotServedByDefault,
    /// Was served by an earlier version and is no longer.
    Removed {
        /// The first version that no longer serves it (`1.25`).
        since: String,
        /// The `apiVersion` to use instead, if the kind still exists.
        replacement: Option<String>,
    },
    /// Not a built-in kind of this version or any earlier one (a custom resource, or a typo).
    Unknown,
}

/// Removals before the oldest embedded schema set (1.30): `(apiVersion, kind, removed in)`.
/// From the Kubernetes deprecated API migration guide.
const OLD_REMOVALS: &[(&str, &str, &str)] = &[
    ("extensions/v1beta1", "Deployment", "1.16"),
    ("extensions/v1beta1", "DaemonSet", "1.16"),
    ("extensions/v1beta1", "ReplicaSet", "1.16"),
    ("extensions/v1beta1", "NetworkPolicy", "1.16"),
    ("extensions/v1beta1", "PodSecurityPolicy", "1.16"),
    ("extensions/v1beta1", "Ingress", "1.22"),
    ("apps/v1beta1", "Deployment", "1.16"),
    ("apps/v1beta1", "StatefulSet", "1.16"),
    ("apps/v1beta1", "ControllerRevision", "1.16"),
    ("apps/v1beta2", "Deployment", "1.16"),
    ("apps/v1beta2", "StatefulSet", "1.16"),
    ("apps/v1beta2", "DaemonSet", "1.16"),
    ("apps/v1beta2", "ReplicaSet", "1.16"),
    ("apps/v1beta2", "ControllerRevision", "1.16"),
    ("networking.k8s.io/v1beta1", "Ingress", "1.22"),
    ("networking.k8s.io/v1beta1", "IngressClass", "1.22"),
    ("rbac.authorization.k8s.io/v1beta1", "Role", "1.22"),
    ("rbac.authorization.k8s.io/v1beta1", "RoleBinding", "1.22"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole", "1.22"),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRoleBinding",
        "1.22",
    ),
    ("rbac.authorization.k8s.io/v1alpha1", "Role", "1.22"),
    ("rbac.authorization.k8s.io/v1alpha1", "RoleBinding", "1.22"),
    ("rbac.authorization.k8s.io/v1alpha1", "ClusterRole", "1.22"),
    (
        "rbac.authorization.k8s.io/v1alpha1",
        "ClusterRoleBinding",
        "1.22",
    ),
    (
        "apiextensions.k8s.io/v1beta1",
        "CustomResourceDefinition",
        "1.22",
    ),
    ("apiregistration.k8s.io/v1beta1", "APIService", "1.22"),
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
        "1.22",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
        "1.22",
    ),
    ("scheduling.k8s.io/v1beta1", "PriorityClass", "1.22"),
    ("scheduling.k8s.io/v1alpha1", "PriorityClass", "1.17"),
    ("storage.k8s.io/v1beta1", "StorageClass", "1.22"),
    ("storage.k8s.io/v1beta1", "CSIDriver", "1.22"),
    ("storage.k8s.io/v1beta1", "CSINode", "1.22"),
    ("storage.k8s.io/v1beta1", "VolumeAttachment", "1.22"),
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity", "1.27"),
    (
        "certificates.k8s.io/v1beta1",
        "CertificateSigningRequest",
        "1.22",
    ),
    ("coordination.k8s.io/v1beta1", "Lease", "1.22"),
    ("authentication.k8s.io/v1beta1", "TokenReview", "1.22"),
    (
        "authorization.k8s.io/v1beta1",
        "SubjectAccessReview",
        "1.22",
    ),
    (
        "authorization.k8s.io/v1beta1",
        "LocalSubjectAccessReview",
        "1.22",
    ),
    (
        "authorization.k8s.io/v1beta1",
        "SelfSubjectAccessReview",
        "1.22",
    ),
    ("batch/v1beta1", "CronJob", "1.25"),
    ("batch/v2alpha1", "CronJob", "1.21"),
    ("discovery.k8s.io/v1beta1", "EndpointSlice", "1.25"),
    ("events.k8s.io/v1beta1", "Event", "1.25"),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler", "1.25"),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler", "1.26"),
    ("policy/v1beta1", "PodDisruptionBudget", "1.25"),
    ("policy/v1beta1", "PodSecurityPolicy", "1.25"),
    ("node.k8s.io/v1beta1", "RuntimeClass", "1.25"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", "1.26"),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "PriorityLevelConfiguration",
        "1.26",
    ),
    ("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", "1.29"),
    (
        "flowcontrol.apiserver.k8s.io/v1beta2",
        "PriorityLevelConfiguration",
        "1.29",
    ),
];

fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

fn version_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or(api_version, |(_, v)| v)
}

fn is_ga(version: &str) -> bool {
    !version.contains("alpha") && !version.contains("beta")
}

/// The group/version strings a default API server of `kube_version` serves (`v1`, `apps/v1`,
/// …), followed by `group/version/Kind` for each kind they serve (`apps/v1/Deployment`), the
/// way Helm's `.Capabilities.APIVersions` lists a real cluster's discovery. Sorted.
pub fn api_versions(kube_version: &str) -> Result<Vec<String>, SchemaError> {
    let (minor, _) = data::select(KubeVersion::parse(kube_version)?)?;
    let idx = data::index(minor)?;
    let mut out: Vec<String> = idx.served.iter().cloned().collect();
    for key in idx.kind_keys() {
        let (gv, _kind) = key.rsplit_once('/').unwrap_or((key, ""));
        if idx.serves(gv) {
            out.push(key.to_string());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// What `kube_version` does with `api_version`/`kind` (see [`ApiStatus`]).
pub fn api_status(
    kube_version: &str,
    api_version: &str,
    kind: &str,
) -> Result<ApiStatus, SchemaError> {
    let (minor, _) = data::select(KubeVersion::parse(kube_version)?)?;
    api_status_minor(minor, api_version, kind)
}

/// [`api_status`] for an embedded minor version.
pub(crate) fn api_status_minor(
    minor: u32,
    api_version: &str,
    kind: &str,
) -> Result<ApiStatus, SchemaError> {
    let idx = data::index(minor)?;
    let group = group_of(api_version);
    if idx.has_kind(api_version, kind) {
        if !idx.serves(api_version) {
            return Ok(ApiStatus::NotServedByDefault);
        }
        if !is_ga(version_of(api_version))
            && let Some(r) = replacement(minor, group, kind, api_version)?
        {
            return Ok(ApiStatus::Deprecated { replacement: r });
        }
        return Ok(ApiStatus::Served);
    }
    // Served by an earlier embedded version? Then the first later one without it removed it.
    let minors = data::supported_minors();
    let mut since: Option<u32> = None;
    for (i, &m) in minors.iter().enumerate().filter(|(_, m)| **m < minor) {
        if data::index(m)?.has_kind(api_version, kind) {
            since = minors.get(i + 1).copied();
        }
    }
    let since = match since {
        Some(m) => Some(format!("1.{m}")),
        None => OLD_REMOVALS
            .iter()
            .find(|(a, k, _)| *a == api_version && *k == kind)
            .map(|(_, _, v)| (*v).to_string()),
    };
    match since {
        Some(since) => Ok(ApiStatus::Removed {
            since,
            replacement: replacement(minor, group, kind, api_version)?,
        }),
        None => Ok(ApiStatus::Unknown),
    }
}

/// A served GA (or, failing that, any served) apiVersion of the same group and kind.
fn replacement(
    minor: u32,
    group: &str,
    kind: &str,
    not: &str,
) -> Result<Option<String>, SchemaError> {
    let idx = data::index(minor)?;
    let mut best: Option<String> = None;
    for gv in &idx.served {
        if gv == not || group_of(gv) != group || !idx.has_kind(gv, kind) {
            continue;
        }
        if is_ga(version_of(gv)) {
            return Ok(Some(gv.clone()));
        }
        best.get_or_insert_with(|| gv.clone());
    }
    // Kinds that moved groups (extensions → apps/networking, …).
    if best.is_none() && (group == "extensions" || group.is_empty()) {
        for gv in &idx.served {
            if gv != not && is_ga(version_of(gv)) && idx.has_kind(gv, kind) {
                return Ok(Some(gv.clone()));
            }
        }
    }
    // A non-GA replacement is only worth naming if `not` is itself not GA.
    Ok(best
        .filter(|_| !is_ga(version_of(not)))
        .filter(|b| b.as_str() > not))
}
