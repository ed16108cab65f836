//! Rules that look across every rendered document of a release.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value as Json;

use super::doc::{Document, Resource};
use super::workload_rules::pod_spec_pointer;
use super::{
    DANGLING_REFERENCE, DEPRECATED_API, DUPLICATE_RESOURCE, Finding, NAME_TOO_LONG, PORT_NAME,
    REMOVED_API, Rule, SELECTOR_MISMATCH, SERVICE_NO_PODS,
};
use crate::schema::apis::{ApiStatus, api_status};
use crate::schema::semantic;

fn finding(
    rule: &'static Rule,
    chart: &str,
    doc: &Document,
    pointer: &str,
    msg: String,
) -> Finding {
    let (line, column) = doc.locate(pointer);
    let mut f = Finding::new(rule, chart, &doc.file, msg).at(line, column);
    f.resource = doc.resource().map(|r| r.display());
    f.pointer = Some(pointer.to_string());
    f.snippet = line.and_then(|l| doc.source_line(l)).map(str::to_string);
    f
}

fn str_map(v: Option<&Json>) -> BTreeMap<String, String> {
    v.and_then(Json::as_object)
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// `matchLabels` ⊆ labels and every `matchExpressions` entry holds.
fn selector_matches(selector: &Json, labels: &BTreeMap<String, String>) -> bool {
    if let Some(ml) = selector.get("matchLabels").and_then(Json::as_object) {
        for (k, v) in ml {
            if labels.get(k).map(String::as_str) != v.as_str() {
                return false;
            }
        }
    }
    if let Some(exprs) = selector.get("matchExpressions").and_then(Json::as_array) {
        for e in exprs {
            let key = e.get("key").and_then(Json::as_str).unwrap_or("");
            let values: Vec<&str> = e
                .get("values")
                .and_then(Json::as_array)
                .map(|a| a.iter().filter_map(Json::as_str).collect())
                .unwrap_or_default();
            let have = labels.get(key);
            let ok = match e.get("operator").and_then(Json::as_str).unwrap_or("") {
                "In" => have.is_some_and(|h| values.contains(&h.as_str())),
                "NotIn" => have.is_none_or(|h| !values.contains(&h.as_str())),
                "Exists" => have.is_some(),
                "DoesNotExist" => have.is_none(),
                _ => true,
            };
            if !ok {
                return false;
            }
        }
    }
    true
}

/// Runs the release rules over all documents of one render. `kube_version` selects the API
/// index for deprecations; `release_namespace` fills in namespaces the chart leaves unset.
pub fn check(
    chart: &str,
    docs: &[Document],
    kube_version: &str,
    release_namespace: &str,
    out: &mut Vec<Finding>,
) {
    let resources: Vec<Option<Resource>> = docs.iter().map(Document::resource).collect();

    // Duplicates (hooks are separate objects with their own lifecycle, but still clash).
    let mut seen: HashMap<(String, String, String), usize> = HashMap::new();
    for (i, r) in resources.iter().enumerate() {
        let Some(r) = r else { continue };
        if r.name.is_empty() || r.name.ends_with('*') {
            continue;
        }
        let ns = if r.namespace.is_empty() {
            release_namespace.to_string()
        } else {
            r.namespace.clone()
        };
        let key = (r.kind.clone(), ns, r.name.clone());
        if let Some(&first) = seen.get(&key) {
            out.push(
                finding(
                    DUPLICATE_RESOURCE,
                    chart,
                    &docs[i],
                    "/metadata/name",
                    format!("{} is also defined in {}", r.display(), docs[first].file),
                )
                .help("give each object its own name"),
            );
        } else {
            seen.insert(key, i);
        }
    }

    // Objects the release creates, by kind.
    let mut created: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for r in resources.iter().flatten() {
        created
            .entry(r.kind.as_str())
            .or_default()
            .insert(r.name.as_str());
    }
    // Pod templates: (labels, namespace).
    let mut pod_labels: Vec<BTreeMap<String, String>> = Vec::new();

    for (doc, res) in docs.iter().zip(&resources) {
        let Some(res) = res else { continue };

        // API deprecations and removals.
        if !res.api_version.is_empty() {
            match api_status(kube_version, &res.api_version, &res.kind) {
                Ok(ApiStatus::Deprecated { replacement }) => out.push(
                    finding(
                        DEPRECATED_API,
                        chart,
                        doc,
                        "/apiVersion",
                        format!(
                            "{} {} is deprecated in Kubernetes {kube_version}",
                            res.api_version, res.kind
                        ),
                    )
                    .help(format!("use apiVersion: {replacement}")),
                ),
                Ok(ApiStatus::Removed { since, replacement }) => {
                    let mut f = finding(
                        REMOVED_API,
                        chart,
                        doc,
                        "/apiVersion",
                        format!(
                            "{} {} is not served by Kubernetes {kube_version} (removed in {since})",
                            res.api_version, res.kind
                        ),
                    );
                    if let Some(r) = replacement {
                        f = f.help(format!("use apiVersion: {r}"));
                    }
                    out.push(f);
                }
                _ => {}
            }
        }

        // Names: DNS-1123 and 63 characters for the kinds where the API server enforces it.
        check_name(chart, doc, res, out);

        // Service ports: the name is a DNS-1123 label (63 characters); a named targetPort
        // refers to a container port name, so it is an IANA_SVC_NAME (15 characters).
        if res.kind == "Service"
            && let Some(ports) = doc.json.pointer("/spec/ports").and_then(Json::as_array)
        {
            for (i, p) in ports.iter().enumerate() {
                if let Some(n) = p.get("name").and_then(Json::as_str) {
                    service_port_name(chart, doc, &format!("/spec/ports/{i}/name"), n, out);
                }
                if let Some(n) = p.get("targetPort").and_then(Json::as_str)
                    && n.parse::<u32>().is_err()
                {
                    port_name(chart, doc, &format!("/spec/ports/{i}/targetPort"), n, out);
                }
            }
        }

        let Some(base) = pod_spec_pointer(&res.kind) else {
            continue;
        };
        let Some(spec) = doc.json.pointer(base) else {
            continue;
        };
        let labels_ptr = match res.kind.as_str() {
            "Pod" => "/metadata/labels".to_string(),
            "CronJob" => "/spec/jobTemplate/spec/template/metadata/labels".to_string(),
            _ => "/spec/template/metadata/labels".to_string(),
        };
        let labels = str_map(doc.json.pointer(&labels_ptr));
        pod_labels.push(labels.clone());

        // Selector vs template labels.
        if matches!(
            res.kind.as_str(),
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
        ) && let Some(sel) = doc.json.pointer("/spec/selector")
            && !selector_matches(sel, &labels)
        {
            out.push(
                finding(
                    SELECTOR_MISMATCH,
                    chart,
                    doc,
                    "/spec/selector",
                    format!("the selector of {} does not match its pod template labels", res.display()),
                )
                .help("use the same selectorLabels helper for `selector.matchLabels` and the template labels"),
            );
        }

        // Ports and references in containers.
        for list in ["initContainers", "containers"] {
            let Some(cs) = spec.get(list).and_then(Json::as_array) else {
                continue;
            };
            for (ci, c) in cs.iter().enumerate() {
                let cp = format!("{base}/{list}/{ci}");
                if let Some(ports) = c.get("ports").and_then(Json::as_array) {
                    for (pi, p) in ports.iter().enumerate() {
                        if let Some(n) = p.get("name").and_then(Json::as_str) {
                            port_name(chart, doc, &format!("{cp}/ports/{pi}/name"), n, out);
                        }
                    }
                }
                if let Some(env_from) = c.get("envFrom").and_then(Json::as_array) {
                    for (ei, e) in env_from.iter().enumerate() {
                        for (field, kind) in
                            [("configMapRef", "ConfigMap"), ("secretRef", "Secret")]
                        {
                            if let Some(r) = e.get(field) {
                                reference(
                                    chart,
                                    doc,
                                    &created,
                                    kind,
                                    r,
                                    &format!("{cp}/envFrom/{ei}/{field}"),
                                    out,
                                );
                            }
                        }
                    }
                }
                if let Some(env) = c.get("env").and_then(Json::as_array) {
                    for (ei, e) in env.iter().enumerate() {
                        for (field, kind) in
                            [("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")]
                        {
                            if let Some(r) = e.pointer(&format!("/valueFrom/{field}")) {
                                reference(
                                    chart,
                                    doc,
                                    &created,
                                    kind,
                                    r,
                                    &format!("{cp}/env/{ei}/valueFrom/{field}"),
                                    out,
                                );
                            }
                        }
                    }
                }
            }
        }
        if let Some(vols) = spec.get("volumes").and_then(Json::as_array) {
            for (vi, v) in vols.iter().enumerate() {
                if let Some(cm) = v.get("configMap") {
                    reference(
                        chart,
                        doc,
                        &created,
                        "ConfigMap",
                        cm,
                        &format!("{base}/volumes/{vi}/configMap"),
                        out,
                    );
                }
                if let Some(s) = v.get("secret") {
                    let mut s2 = s.clone();
                    if let (Some(obj), Some(n)) = (s2.as_object_mut(), s.get("secretName").cloned())
                    {
                        obj.insert("name".into(), n);
                    }
                    reference(
                        chart,
                        doc,
                        &created,
                        "Secret",
                        &s2,
                        &format!("{base}/volumes/{vi}/secret"),
                        out,
                    );
                }
                if let Some(p) = v.get("persistentVolumeClaim") {
                    let mut p2 = p.clone();
                    if let (Some(obj), Some(n)) = (p2.as_object_mut(), p.get("claimName").cloned())
                    {
                        obj.insert("name".into(), n);
                    }
                    reference(
                        chart,
                        doc,
                        &created,
                        "PersistentVolumeClaim",
                        &p2,
                        &format!("{base}/volumes/{vi}/persistentVolumeClaim"),
                        out,
                    );
                }
            }
        }
        if let Some(sa) = spec.get("serviceAccountName").and_then(Json::as_str)
            && sa != "default"
            && !created
                .get("ServiceAccount")
                .is_some_and(|s| s.contains(sa))
        {
            out.push(
                finding(
                    DANGLING_REFERENCE,
                    chart,
                    doc,
                    &format!("{base}/serviceAccountName"),
                    format!(
                        "{} uses ServiceAccount `{sa}`, which the release does not create",
                        res.display()
                    ),
                )
                .help("create it (serviceAccount.create) or make sure it exists before install"),
            );
        }
    }

    // Services that select no pod of the release (selector-less Services are for manual
    // endpoints). Not reported: Services in another namespace than the release (they select
    // pods already there, e.g. kube-system components for monitoring), and Services whose
    // selector names a custom resource of the release (an operator creates those pods, e.g.
    // `prometheus: <Prometheus name>`).
    let custom_names: BTreeSet<&str> = resources
        .iter()
        .flatten()
        .filter(|r| {
            r.api_version
                .split_once('/')
                .is_some_and(|(g, _)| g.contains('.') && !g.ends_with(".k8s.io"))
        })
        .map(|r| r.name.as_str())
        .collect();
    for (doc, res) in docs.iter().zip(&resources) {
        let Some(res) = res else { continue };
        if res.kind != "Service" || doc.is_hook {
            continue;
        }
        if !res.namespace.is_empty() && res.namespace != release_namespace {
            continue;
        }
        if doc.json.pointer("/spec/type").and_then(Json::as_str) == Some("ExternalName") {
            continue;
        }
        let sel = str_map(doc.json.pointer("/spec/selector"));
        if sel.is_empty() {
            continue;
        }
        let matches = pod_labels
            .iter()
            .any(|l| sel.iter().all(|(k, v)| l.get(k) == Some(v)));
        let operator_pods = sel.values().any(|v| custom_names.contains(v.as_str()));
        if !matches && !operator_pods {
            out.push(
                finding(
                    SERVICE_NO_PODS,
                    chart,
                    doc,
                    "/spec/selector",
                    format!(
                        "{} selects {} but no pod template of the release has these labels",
                        res.display(),
                        sel.iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect::<Vec<_>>()
                            .join(",")
                    ),
                )
                .help("use the selectorLabels helper in both places"),
            );
        }
    }
}

fn reference(
    chart: &str,
    doc: &Document,
    created: &HashMap<&str, BTreeSet<&str>>,
    kind: &str,
    r: &Json,
    pointer: &str,
    out: &mut Vec<Finding>,
) {
    if r.get("optional").and_then(Json::as_bool) == Some(true) {
        return;
    }
    let Some(name) = r.get("name").and_then(Json::as_str) else {
        return;
    };
    if created.get(kind).is_some_and(|s| s.contains(name)) {
        return;
    }
    let who = doc.resource().map(|r| r.display()).unwrap_or_default();
    out.push(
        finding(
            DANGLING_REFERENCE,
            chart,
            doc,
            pointer,
            format!("{who} references {kind} `{name}`, which the release does not create"),
        )
        .help(format!("create the {kind} in the chart, set `optional: true`, or allow `dangling-reference` if it is provided outside the chart")),
    );
}

/// A Service port name: a DNS-1123 label (what the API server checks for `spec.ports[].name`).
fn service_port_name(
    chart: &str,
    doc: &Document,
    pointer: &str,
    name: &str,
    out: &mut Vec<Finding>,
) {
    let valid = semantic::dns1123_label(name);
    if !valid {
        out.push(
            finding(
                PORT_NAME,
                chart,
                doc,
                pointer,
                format!(
                    "Service port name `{name}` is not a valid DNS-1123 label ({} characters; at most 63 lower-case letters, digits and `-`)",
                    name.len()
                ),
            )
            .help("use a short name such as `http` or `metrics`"),
        );
    }
}

/// A container port name (or a Service's named targetPort): an IANA_SVC_NAME.
fn port_name(chart: &str, doc: &Document, pointer: &str, name: &str, out: &mut Vec<Finding>) {
    if semantic::port_name(name).is_some() {
        out.push(
            finding(
                PORT_NAME,
                chart,
                doc,
                pointer,
                format!(
                    "port name `{name}` is not a valid IANA_SVC_NAME ({} characters; at most 15 lower-case letters, digits and `-`, at least one letter)",
                    name.len()
                ),
            )
            .help("use a short name such as `http` or `metrics`"),
        );
    }
}

/// Kinds whose `metadata.name` must be a DNS-1035 label (63 characters).
const LABEL_NAMED: &[&str] = &["Service", "Namespace"];

fn check_name(chart: &str, doc: &Document, res: &Resource, out: &mut Vec<Finding>) {
    let name = &res.name;
    if name.is_empty() || name.ends_with('*') {
        return;
    }
    let limit = if LABEL_NAMED.contains(&res.kind.as_str()) || pod_spec_pointer(&res.kind).is_some()
    {
        63
    } else {
        253
    };
    let bad_syntax = !semantic::dns1123_subdomain(name)
        && !matches!(
            res.kind.as_str(),
            "ClusterRole" | "Role" | "ClusterRoleBinding" | "RoleBinding"
        );
    if name.len() > limit || bad_syntax {
        out.push(
            finding(
                NAME_TOO_LONG,
                chart,
                doc,
                "/metadata/name",
                format!(
                    "{} name `{name}` ({} characters) is not a valid DNS-1123 name of at most {limit} characters",
                    res.kind,
                    name.len()
                ),
            )
            .help("truncate derived names: `... | trunc 63 | trimSuffix \"-\"`"),
        );
    }
    // Label values: at most 63 characters.
    if let Some(labels) = doc
        .json
        .pointer("/metadata/labels")
        .and_then(Json::as_object)
    {
        for (k, v) in labels {
            if let Some(v) = v.as_str()
                && v.len() > 63
            {
                out.push(
                    finding(
                        NAME_TOO_LONG,
                        chart,
                        doc,
                        &format!("/metadata/labels/{}", goyaml::escape_pointer_token(k)),
                        format!(
                            "label `{k}` of {} has a value of {} characters (at most 63)",
                            res.display(),
                            v.len()
                        ),
                    )
                    .help("truncate the label value: `... | trunc 63 | trimSuffix \"-\"`"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors() {
        let labels: BTreeMap<String, String> =
            [("app".into(), "web".into()), ("tier".into(), "fe".into())].into();
        assert!(selector_matches(
            &serde_json::json!({"matchLabels": {"app": "web"}}),
            &labels
        ));
        assert!(!selector_matches(
            &serde_json::json!({"matchLabels": {"app": "api"}}),
            &labels
        ));
        assert!(selector_matches(
            &serde_json::json!({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["fe", "be"]}]}),
            &labels
        ));
        assert!(!selector_matches(
            &serde_json::json!({"matchExpressions": [{"key": "x", "operator": "Exists"}]}),
            &labels
        ));
    }

    #[test]
    fn dns_names() {
        assert!(semantic::dns1123_subdomain("a-b.c"));
        assert!(!semantic::dns1123_subdomain("A"));
        assert!(!semantic::dns1123_subdomain("-a"));
        assert!(!semantic::dns1123_subdomain("a_b"));
    }
}
