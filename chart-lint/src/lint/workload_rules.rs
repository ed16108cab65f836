//! kube-linter-style hygiene checks on pod specs (warnings by default).

use serde_json::Value as Json;

use super::doc::Document;
use super::{
    Finding, HOST_ACCESS, IMAGE_TAG, PRIVILEGED, READINESS_PROBE, RESOURCES, RUN_AS_NON_ROOT, Rule,
};

/// Where the pod spec lives in a workload kind, as a JSON pointer.
pub fn pod_spec_pointer(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "Pod" => "/spec",
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => "/spec/template/spec",
        "CronJob" => "/spec/jobTemplate/spec/template/spec",
        _ => return None,
    })
}

/// Whether the workload's pods run to completion (no readiness probe expected).
fn runs_to_completion(kind: &str, spec: &Json) -> bool {
    matches!(kind, "Job" | "CronJob")
        || (kind == "Pod"
            && matches!(
                spec.get("restartPolicy").and_then(Json::as_str),
                Some("Never" | "OnFailure")
            ))
}

/// Runs every workload rule on one document.
pub fn check(chart: &str, doc: &Document, out: &mut Vec<Finding>) {
    let Some(res) = doc.resource() else { return };
    let Some(base) = pod_spec_pointer(&res.kind) else {
        return;
    };
    let Some(spec) = doc.json.pointer(base) else {
        return;
    };
    let mut emit = |rule: &'static Rule, pointer: String, message: String, help: &str| {
        let (line, column) = doc.locate(&pointer);
        let mut f = Finding::new(rule, chart, &doc.file, message)
            .at(line, column)
            .help(help);
        f.resource = Some(res.display());
        f.snippet = line.and_then(|l| doc.source_line(l)).map(str::to_string);
        f.pointer = Some(pointer);
        out.push(f);
    };

    let pod_sc = spec.get("securityContext");
    let pod_non_root = pod_sc.is_some_and(non_root);
    for (field, what) in [
        ("hostNetwork", "hostNetwork"),
        ("hostPID", "hostPID"),
        ("hostIPC", "hostIPC"),
    ] {
        if spec.get(field).and_then(Json::as_bool) == Some(true) {
            emit(
                HOST_ACCESS,
                format!("{base}/{field}"),
                format!("{} uses {what}", res.display()),
                "remove it, or allow `host-access` for node agents",
            );
        }
    }
    if let Some(vols) = spec.get("volumes").and_then(Json::as_array) {
        for (i, v) in vols.iter().enumerate() {
            if let Some(p) = v.pointer("/hostPath/path").and_then(Json::as_str) {
                let name = v.get("name").and_then(Json::as_str).unwrap_or("?");
                emit(
                    HOST_ACCESS,
                    format!("{base}/volumes/{i}/hostPath"),
                    format!("{} mounts hostPath `{p}` (volume `{name}`)", res.display()),
                    "use a PVC, emptyDir, ConfigMap or Secret instead",
                );
            }
        }
    }

    let completes = runs_to_completion(&res.kind, spec);
    for list in ["initContainers", "containers"] {
        let Some(cs) = spec.get(list).and_then(Json::as_array) else {
            continue;
        };
        for (i, c) in cs.iter().enumerate() {
            let p = format!("{base}/{list}/{i}");
            let cname = c.get("name").and_then(Json::as_str).unwrap_or("?");
            let who = format!("container `{cname}` of {}", res.display());
            if let Some(image) = c.get("image").and_then(Json::as_str) {
                match image_tag(image) {
                    ImageTag::Digest | ImageTag::Tag(_) => {}
                    ImageTag::Latest => emit(
                        IMAGE_TAG,
                        format!("{p}/image"),
                        format!("{who} uses `{image}`: `latest` is not a version"),
                        "pin a tag or digest, e.g. `{{ .Values.image.tag | default .Chart.AppVersion }}`",
                    ),
                    ImageTag::None => emit(
                        IMAGE_TAG,
                        format!("{p}/image"),
                        format!("{who} uses `{image}` without a tag (means `latest`)"),
                        "pin a tag or digest",
                    ),
                }
            }
            let r = c.get("resources");
            let has = |ptr: &str| r.and_then(|r| r.pointer(ptr)).is_some_and(|v| !v.is_null());
            let mut missing = Vec::new();
            if !has("/requests/cpu") {
                missing.push("requests.cpu");
            }
            if !has("/requests/memory") {
                missing.push("requests.memory");
            }
            if !has("/limits/memory") {
                missing.push("limits.memory");
            }
            if !missing.is_empty() {
                let ptr = if r.is_some() {
                    format!("{p}/resources")
                } else {
                    p.clone()
                };
                emit(
                    RESOURCES,
                    ptr,
                    format!("{who} sets no {}", missing.join(", ")),
                    "set resources from values (e.g. `resources: {{- toYaml .Values.resources | nindent 12 }}`)",
                );
            }
            if list == "containers"
                && !completes
                && c.get("readinessProbe").is_none_or(Json::is_null)
            {
                emit(
                    READINESS_PROBE,
                    p.clone(),
                    format!("{who} has no readinessProbe"),
                    "add an httpGet, tcpSocket or exec readiness probe",
                );
            }
            let sc = c.get("securityContext");
            if sc.and_then(|s| s.get("privileged")).and_then(Json::as_bool) == Some(true) {
                emit(
                    PRIVILEGED,
                    format!("{p}/securityContext/privileged"),
                    format!("{who} runs privileged"),
                    "set `privileged: false`",
                );
            } else if sc
                .and_then(|s| s.get("allowPrivilegeEscalation"))
                .and_then(Json::as_bool)
                != Some(false)
            {
                emit(
                    PRIVILEGED,
                    if sc.is_some() {
                        format!("{p}/securityContext")
                    } else {
                        p.clone()
                    },
                    format!("{who} does not set allowPrivilegeEscalation: false"),
                    "set `securityContext.allowPrivilegeEscalation: false`",
                );
            }
            let container_non_root = sc.map(non_root);
            let explicit_root = sc
                .and_then(|s| s.get("runAsNonRoot"))
                .and_then(Json::as_bool)
                == Some(false)
                || sc.and_then(|s| s.get("runAsUser")).and_then(Json::as_i64) == Some(0);
            if explicit_root || !(container_non_root == Some(true) || pod_non_root) {
                emit(
                    RUN_AS_NON_ROOT,
                    if sc.is_some() {
                        format!("{p}/securityContext")
                    } else {
                        p.clone()
                    },
                    format!("{who} may run as root"),
                    "set `runAsNonRoot: true` (and a non-zero `runAsUser`) on the pod or container",
                );
            }
        }
    }
}

fn non_root(sc: &Json) -> bool {
    sc.get("runAsNonRoot").and_then(Json::as_bool) == Some(true)
        || sc
            .get("runAsUser")
            .and_then(Json::as_i64)
            .is_some_and(|u| u > 0)
}

/// How an image reference names its version.
#[derive(Debug, PartialEq, Eq)]
pub enum ImageTag<'a> {
    /// `@sha256:…`
    Digest,
    /// `:tag`
    Tag(&'a str),
    /// `:latest`
    Latest,
    /// no tag
    None,
}

/// Parses the tag of an image reference (`registry:5000/repo:tag@digest`).
pub fn image_tag(image: &str) -> ImageTag<'_> {
    if image.contains('@') {
        return ImageTag::Digest;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.rsplit_once(':') {
        Some((_, "latest")) => ImageTag::Latest,
        Some((_, tag)) if !tag.is_empty() => ImageTag::Tag(tag),
        _ => ImageTag::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_tags() {
        assert_eq!(image_tag("nginx"), ImageTag::None);
        assert_eq!(image_tag("nginx:latest"), ImageTag::Latest);
        assert_eq!(image_tag("localhost:5000/nginx"), ImageTag::None);
        assert_eq!(image_tag("localhost:5000/nginx:1.2"), ImageTag::Tag("1.2"));
        assert_eq!(image_tag("nginx@sha256:abc"), ImageTag::Digest);
    }
}
