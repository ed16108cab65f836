//! Checks the API server's hand-written validation makes and no OpenAPI schema states, for the
//! mistakes users make most: label and name syntax, enum values the OpenAPI leaves open,
//! port ranges and names, probe handlers, duplicate container names, `value` with
//! `valueFrom`, negative quantities and requests above limits, selectors that do not match
//! their template, ConfigMap/Secret keys, file modes, PodDisruptionBudget's exclusive fields.
//!
//! Every rule here was checked against a real kube-apiserver 1.36 (`kubectl create
//! --dry-run=server --validate=strict`); messages follow the server's wording. Pointers are
//! relative to the resource.

use serde_json::Value;

/// One violation: where, what, and the rule name.
pub(crate) struct Problem {
    pub pointer: String,
    pub message: String,
}

struct Out(Vec<Problem>);

impl Out {
    fn push(&mut self, pointer: String, message: String) {
        self.0.push(Problem { pointer, message });
    }
}

fn esc(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn is_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

/// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`
fn is_label_chars(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && is_alnum(b[0])
        && is_alnum(b[b.len() - 1])
        && b.iter()
            .all(|&c| is_alnum(c) || c == b'-' || c == b'_' || c == b'.')
}

pub(crate) fn dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

pub(crate) fn dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(dns1123_label)
}

fn dns1035_label(s: &str) -> bool {
    dns1123_label(s) && s.as_bytes()[0].is_ascii_lowercase()
}

const LABEL_VALUE_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const NAME_PART_MSG: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const LABEL_1123_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1035_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";

/// A qualified name (`prefix/name` or `name`): label keys, annotation keys.
fn qualified_name(key: &str) -> Option<String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        if p.is_empty() {
            return Some("prefix part must be non-empty".into());
        }
        if !dns1123_subdomain(p) {
            return Some(format!("prefix part {SUBDOMAIN_MSG}"));
        }
    }
    if name.is_empty() {
        return Some("name part must be non-empty".into());
    }
    if name.len() > 63 {
        return Some("name part must be no more than 63 bytes".into());
    }
    if !is_label_chars(name) {
        return Some(NAME_PART_MSG.into());
    }
    None
}

fn labels(v: Option<&Value>, at: &str, out: &mut Out) {
    let Some(Value::Object(m)) = v else { return };
    for (k, val) in m {
        if let Some(why) = qualified_name(k) {
            out.push(
                format!("{at}/{}", esc(k)),
                format!("invalid label key {k:?}: {why}"),
            );
        }
        if let Some(s) = val.as_str() {
            if s.len() > 63 {
                out.push(
                    format!("{at}/{}", esc(k)),
                    format!("invalid label value {s:?}: must be no more than 63 bytes"),
                );
            } else if !s.is_empty() && !is_label_chars(s) {
                out.push(
                    format!("{at}/{}", esc(k)),
                    format!("invalid label value {s:?}: {LABEL_VALUE_MSG}"),
                );
            }
        }
    }
}

fn annotations(v: Option<&Value>, at: &str, out: &mut Out) {
    let Some(Value::Object(m)) = v else { return };
    let mut total = 0usize;
    for (k, val) in m {
        if let Some(why) = qualified_name(&k.to_ascii_lowercase()) {
            out.push(
                format!("{at}/{}", esc(k)),
                format!("invalid annotation key {k:?}: {why}"),
            );
        }
        total += k.len() + val.as_str().map_or(0, str::len);
    }
    if total > 256 * 1024 {
        out.push(
            at.to_string(),
            format!("annotations are {total} bytes; they may not exceed 262144 bytes in total"),
        );
    }
}

fn object_meta(meta: Option<&Value>, at: &str, out: &mut Out) {
    let Some(meta) = meta else { return };
    labels(meta.get("labels"), &format!("{at}/labels"), out);
    annotations(meta.get("annotations"), &format!("{at}/annotations"), out);
    if let Some(ns) = meta.get("namespace").and_then(Value::as_str)
        && !ns.is_empty()
        && !dns1123_label(ns)
    {
        out.push(
            format!("{at}/namespace"),
            format!("invalid namespace {ns:?}: {LABEL_1123_MSG}"),
        );
    }
}

/// How the API server validates `metadata.name` of built-in kinds.
enum NameRule {
    Subdomain,
    Label1123,
    Dns1035,
    /// Path segment only (RBAC, flow control, unknown kinds): not `.`/`..`, no `/` or `%`.
    PathSegment,
}

fn name_rule(group: &str, kind: &str) -> NameRule {
    match (group, kind) {
        ("", "Namespace") => NameRule::Label1123,
        ("", "Service") => NameRule::Dns1035,
        (
            "",
            "ConfigMap"
            | "Secret"
            | "Pod"
            | "ServiceAccount"
            | "PersistentVolumeClaim"
            | "PersistentVolume"
            | "LimitRange"
            | "ResourceQuota"
            | "ReplicationController"
            | "PodTemplate",
        )
        | (
            "apps",
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ControllerRevision",
        )
        | ("batch", "Job" | "CronJob")
        | ("networking.k8s.io", "Ingress" | "NetworkPolicy" | "IngressClass")
        | ("autoscaling", "HorizontalPodAutoscaler")
        | ("policy", "PodDisruptionBudget")
        | ("storage.k8s.io", "StorageClass")
        | ("scheduling.k8s.io", "PriorityClass")
        | ("coordination.k8s.io", "Lease") => NameRule::Subdomain,
        _ => NameRule::PathSegment,
    }
}

fn name_check(group: &str, kind: &str, name: &str, at: &str, out: &mut Out) {
    if name.is_empty() {
        return;
    }
    let bad = match name_rule(group, kind) {
        NameRule::Subdomain => (!dns1123_subdomain(name)).then_some(SUBDOMAIN_MSG),
        NameRule::Label1123 => (!dns1123_label(name)).then_some(LABEL_1123_MSG),
        NameRule::Dns1035 => (!dns1035_label(name)).then_some(DNS1035_MSG),
        NameRule::PathSegment => {
            if name == "." || name == ".." {
                Some("may not be '.' or '..'")
            } else if name.contains('/') || name.contains('%') {
                Some("may not contain '/' or '%'")
            } else {
                None
            }
        }
    };
    if let Some(why) = bad {
        out.push(at.to_string(), format!("invalid name {name:?}: {why}"));
    }
}

fn enum_check(v: Option<&Value>, at: String, allowed: &[&str], out: &mut Out) {
    // An empty string is defaulted like an absent field.
    if let Some(Value::String(s)) = v
        && !s.is_empty()
        && !allowed.contains(&s.as_str())
    {
        let list: Vec<String> = allowed.iter().map(|a| format!("{a:?}")).collect();
        out.push(
            at,
            format!(
                "Unsupported value: {s:?}: supported values: {}",
                list.join(", ")
            ),
        );
    }
}

/// IANA service name (port names): at most 15 characters, lowercase alphanumerics and `-`,
/// at least one letter, no leading, trailing or double `-`.
pub(crate) fn port_name(s: &str) -> Option<&'static str> {
    if s.len() > 15 {
        return Some("must be no more than 15 characters");
    }
    if !s
        .bytes()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
    {
        return Some("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    }
    if s.contains("--") {
        return Some("must not contain consecutive hyphens");
    }
    if !s.bytes().any(|c| c.is_ascii_lowercase()) {
        return Some("must contain at least one letter (a-z)");
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Some("must not begin or end with a hyphen");
    }
    None
}

fn port_range(v: Option<&Value>, at: String, min: i64, out: &mut Out) {
    if let Some(n) = v.and_then(Value::as_i64)
        && !(min..=65535).contains(&n)
    {
        out.push(
            at,
            format!("invalid port {n}: must be between {min} and 65535, inclusive"),
        );
    }
}

/// An int-or-string port: a number in range or an IANA port name.
fn port_or_name(v: Option<&Value>, at: String, out: &mut Out) {
    match v {
        Some(Value::String(s)) => {
            if let Some(why) = port_name(s) {
                out.push(at, format!("invalid port name {s:?}: {why}"));
            }
        }
        Some(Value::Number(_)) => port_range(v, at, 1, out),
        _ => {}
    }
}

/// A Quantity's value as a float (`None` when it does not parse; the schema reports that).
pub(crate) fn quantity_value(v: &Value) -> Option<f64> {
    let s = match v {
        Value::Number(n) => return n.as_f64(),
        Value::String(s) => s.as_str(),
        _ => return None,
    };
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(s.len());
    let (num, suffix) = s.split_at(end);
    let base: f64 = if num.is_empty() || num == "." {
        0.0
    } else {
        num.parse().ok()?
    };
    let mult = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        e if e.starts_with(['e', 'E']) => 10f64.powi(e[1..].parse().ok()?),
        _ => return None,
    };
    Some(base * mult)
}

fn handlers(v: Option<&Value>, at: String, kinds: &[&str], out: &mut Out) {
    let Some(Value::Object(m)) = v else { return };
    let n = kinds
        .iter()
        .filter(|k| m.get(**k).is_some_and(|x| !x.is_null()))
        .count();
    if n == 0 {
        out.push(at, "Required value: must specify a handler type".into());
    } else if n > 1 {
        out.push(
            at,
            "Forbidden: may not specify more than 1 handler type".into(),
        );
    }
}

fn container(c: &Value, at: &str, init: bool, out: &mut Out) {
    if let Some(n) = c.get("name").and_then(Value::as_str)
        && !n.is_empty()
        && !dns1123_label(n)
    {
        out.push(
            format!("{at}/name"),
            format!("invalid container name {n:?}: {LABEL_1123_MSG}"),
        );
    }
    enum_check(
        c.get("imagePullPolicy"),
        format!("{at}/imagePullPolicy"),
        &["Always", "IfNotPresent", "Never"],
        out,
    );
    enum_check(
        c.get("terminationMessagePolicy"),
        format!("{at}/terminationMessagePolicy"),
        &["File", "FallbackToLogsOnError"],
        out,
    );
    if init {
        enum_check(
            c.get("restartPolicy"),
            format!("{at}/restartPolicy"),
            &["Always"],
            out,
        );
    }
    if let Some(Value::Array(ports)) = c.get("ports") {
        for (i, p) in ports.iter().enumerate() {
            let pat = format!("{at}/ports/{i}");
            port_range(
                p.get("containerPort"),
                format!("{pat}/containerPort"),
                1,
                out,
            );
            if p.get("hostPort").and_then(Value::as_i64) != Some(0) {
                port_range(p.get("hostPort"), format!("{pat}/hostPort"), 1, out);
            }
            if let Some(Value::String(n)) = p.get("name")
                && let Some(why) = port_name(n)
            {
                out.push(
                    format!("{pat}/name"),
                    format!("invalid port name {n:?}: {why}"),
                );
            }
            enum_check(
                p.get("protocol"),
                format!("{pat}/protocol"),
                &["SCTP", "TCP", "UDP"],
                out,
            );
        }
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        let Some(p) = c.get(probe).filter(|p| p.is_object()) else {
            continue;
        };
        let pat = format!("{at}/{probe}");
        handlers(
            Some(p),
            pat.clone(),
            &["exec", "httpGet", "tcpSocket", "grpc"],
            out,
        );
        port_or_name(
            p.pointer("/httpGet/port"),
            format!("{pat}/httpGet/port"),
            out,
        );
        port_or_name(
            p.pointer("/tcpSocket/port"),
            format!("{pat}/tcpSocket/port"),
            out,
        );
        port_range(p.pointer("/grpc/port"), format!("{pat}/grpc/port"), 1, out);
    }
    for hook in ["postStart", "preStop"] {
        let h = c.get("lifecycle").and_then(|l| l.get(hook));
        if h.is_some_and(Value::is_object) {
            handlers(
                h,
                format!("{at}/lifecycle/{hook}"),
                &["exec", "httpGet", "tcpSocket", "sleep"],
                out,
            );
        }
    }
    if let Some(Value::Array(env)) = c.get("env") {
        for (i, e) in env.iter().enumerate() {
            let has_value = e
                .get("value")
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty());
            if has_value && e.get("valueFrom").is_some_and(|x| !x.is_null()) {
                out.push(
                    format!("{at}/env/{i}/valueFrom"),
                    "Invalid value: may not be specified when `value` is not empty".into(),
                );
            }
        }
    }
    let res = c.get("resources");
    for what in ["limits", "requests"] {
        if let Some(Value::Object(m)) = res.and_then(|r| r.get(what)) {
            for k in m.keys() {
                let standard = matches!(k.as_str(), "cpu" | "memory" | "ephemeral-storage")
                    || k.starts_with("hugepages-");
                let qualified = k.contains('/')
                    && qualified_name(k).is_none()
                    && !k.starts_with("kubernetes.io/")
                    && !k.starts_with("requests.");
                if !standard && !qualified {
                    out.push(
                        format!("{at}/resources/{what}/{}", esc(k)),
                        format!("invalid {what} resource name {k:?}: must be a standard resource for containers (cpu, memory, ephemeral-storage, hugepages-<size>) or a fully qualified extended resource (example.com/gpu)"),
                    );
                }
            }
        }
    }
    let limits = res.and_then(|r| r.get("limits")).and_then(Value::as_object);
    let requests = res
        .and_then(|r| r.get("requests"))
        .and_then(Value::as_object);
    for (what, m) in [("limits", limits), ("requests", requests)] {
        for (k, q) in m.into_iter().flatten() {
            if quantity_value(q).is_some_and(|x| x < 0.0) {
                out.push(
                    format!("{at}/resources/{what}/{}", esc(k)),
                    format!("invalid {what}[{k}] {q}: must be greater than or equal to 0"),
                );
            }
        }
    }
    if let (Some(l), Some(r)) = (limits, requests) {
        for (k, rq) in r {
            let (Some(lv), Some(rv)) = (l.get(k).and_then(quantity_value), quantity_value(rq))
            else {
                continue;
            };
            if rv > lv {
                out.push(
                    format!("{at}/resources/requests/{}", esc(k)),
                    format!(
                        "requests[{k}] {} must be less than or equal to {k} limit of {}",
                        show(rq),
                        show(&l[k])
                    ),
                );
            }
        }
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn mode(v: Option<&Value>, at: String, out: &mut Out) {
    if let Some(n) = v.and_then(Value::as_i64)
        && !(0..=0o777).contains(&n)
    {
        out.push(
            at,
            format!("invalid mode {n}: must be a number between 0 and 0777 (octal), both inclusive (write octal modes with a leading 0: 0644)"),
        );
    }
}

fn items_modes(v: Option<&Value>, at: &str, out: &mut Out) {
    if let Some(Value::Array(items)) = v.and_then(|x| x.get("items")) {
        for (i, it) in items.iter().enumerate() {
            mode(it.get("mode"), format!("{at}/items/{i}/mode"), out);
        }
    }
}

/// `restart`: the restart policies the owning kind allows.
/// `claims`: volume names a StatefulSet's `volumeClaimTemplates` add.
fn pod_spec(spec: &Value, at: &str, restart: &[&str], claims: &[&str], out: &mut Out) {
    enum_check(
        spec.get("restartPolicy"),
        format!("{at}/restartPolicy"),
        restart,
        out,
    );
    enum_check(
        spec.get("dnsPolicy"),
        format!("{at}/dnsPolicy"),
        &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
        out,
    );
    let mut names: Vec<(String, String)> = Vec::new();
    for (key, init) in [
        ("initContainers", true),
        ("containers", false),
        ("ephemeralContainers", false),
    ] {
        if let Some(Value::Array(cs)) = spec.get(key) {
            for (i, c) in cs.iter().enumerate() {
                let cat = format!("{at}/{key}/{i}");
                if key != "ephemeralContainers" {
                    container(c, &cat, init, out);
                }
                if let Some(n) = c.get("name").and_then(Value::as_str) {
                    if names.iter().any(|(x, _)| x == n) {
                        out.push(
                            format!("{cat}/name"),
                            format!("Duplicate value: {n:?}: container names must be unique within a pod (containers and initContainers)"),
                        );
                    }
                    names.push((n.to_string(), cat));
                }
            }
        }
    }
    let volume_names: Vec<&str> = spec
        .get("volumes")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.get("name").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    for key in ["initContainers", "containers"] {
        if let Some(Value::Array(cs)) = spec.get(key) {
            for (i, c) in cs.iter().enumerate() {
                if let Some(Value::Array(mounts)) = c.get("volumeMounts") {
                    for (j, m) in mounts.iter().enumerate() {
                        if let Some(n) = m.get("name").and_then(Value::as_str)
                            && !volume_names.contains(&n)
                            && !claims.contains(&n)
                        {
                            out.push(
                                format!("{at}/{key}/{i}/volumeMounts/{j}/name"),
                                format!("Not found: {n:?}: the pod has no volume of that name"),
                            );
                        }
                    }
                }
            }
        }
    }
    for (i, n) in volume_names.iter().enumerate() {
        if !dns1123_label(n) {
            out.push(
                format!("{at}/volumes/{i}/name"),
                format!("invalid volume name {n:?}: {LABEL_1123_MSG}"),
            );
        }
    }
    if let Some(Value::Array(vols)) = spec.get("volumes") {
        for (i, vol) in vols.iter().enumerate() {
            let vat = format!("{at}/volumes/{i}");
            for src in ["configMap", "secret", "downwardAPI", "projected"] {
                let Some(s) = vol.get(src) else { continue };
                mode(
                    s.get("defaultMode"),
                    format!("{vat}/{src}/defaultMode"),
                    out,
                );
                items_modes(Some(s), &format!("{vat}/{src}"), out);
                if let Some(Value::Array(sources)) = s.get("sources") {
                    for (j, ps) in sources.iter().enumerate() {
                        for k in ["configMap", "secret", "downwardAPI"] {
                            items_modes(ps.get(k), &format!("{vat}/{src}/sources/{j}/{k}"), out);
                        }
                    }
                }
            }
        }
    }
}

fn selector_matches(sel: &Value, labels: &serde_json::Map<String, Value>) -> bool {
    if let Some(Value::Object(ml)) = sel.get("matchLabels") {
        for (k, v) in ml {
            if labels.get(k) != Some(v) {
                return false;
            }
        }
    }
    if let Some(Value::Array(exprs)) = sel.get("matchExpressions") {
        for e in exprs {
            let key = e.get("key").and_then(Value::as_str).unwrap_or("");
            let have = labels.get(key).and_then(Value::as_str);
            let values: Vec<&str> = e
                .get("values")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let ok = match e.get("operator").and_then(Value::as_str) {
                Some("In") => have.is_some_and(|h| values.contains(&h)),
                Some("NotIn") => have.is_none_or(|h| !values.contains(&h)),
                Some("Exists") => have.is_some(),
                Some("DoesNotExist") => have.is_none(),
                _ => true,
            };
            if !ok {
                return false;
            }
        }
    }
    true
}

/// Runs the checks that apply to `kind` of `api_version`. `builtin`: the schema is one of
/// Kubernetes' own (custom resources only get the ObjectMeta checks).
pub(crate) fn check(api_version: &str, kind: &str, v: &Value, builtin: bool) -> Vec<Problem> {
    let mut out = Out(Vec::new());
    object_meta(v.get("metadata"), "/metadata", &mut out);
    if !builtin {
        return out.0;
    }
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    if let Some(name) = v.pointer("/metadata/name").and_then(Value::as_str) {
        name_check(group, kind, name, "/metadata/name", &mut out);
    }
    let workload_restart: &[&str] = &["Always"];
    let job_restart: &[&str] = &["OnFailure", "Never"];
    let template = match (group, kind) {
        ("", "Pod") => Some(("/spec", &["Always", "OnFailure", "Never"][..])),
        ("", "PodTemplate") => Some(("/template/spec", &["Always", "OnFailure", "Never"][..])),
        ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
        | ("", "ReplicationController") => Some(("/spec/template/spec", workload_restart)),
        ("batch", "Job") => Some(("/spec/template/spec", job_restart)),
        ("batch", "CronJob") => Some(("/spec/jobTemplate/spec/template/spec", job_restart)),
        _ => None,
    };
    if let Some((at, restart)) = template {
        if let Some(spec) = v.pointer(at).filter(|s| s.is_object()) {
            let claims: Vec<&str> = v
                .pointer("/spec/volumeClaimTemplates")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|c| c.pointer("/metadata/name").and_then(Value::as_str))
                        .collect()
                })
                .unwrap_or_default();
            pod_spec(spec, at, restart, &claims, &mut out);
        }
        if let Some(meta_at) = at.strip_suffix("/spec").map(|t| format!("{t}/metadata"))
            && at != "/spec"
        {
            let meta = v.pointer(&meta_at);
            labels(
                meta.and_then(|m| m.get("labels")),
                &format!("{meta_at}/labels"),
                &mut out,
            );
            annotations(
                meta.and_then(|m| m.get("annotations")),
                &format!("{meta_at}/annotations"),
                &mut out,
            );
        }
    }
    match (group, kind) {
        ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet") => {
            if let Some(sel) = v.pointer("/spec/selector").filter(|s| s.is_object()) {
                labels(
                    sel.get("matchLabels"),
                    "/spec/selector/matchLabels",
                    &mut out,
                );
                let empty = sel
                    .get("matchLabels")
                    .and_then(Value::as_object)
                    .is_none_or(|m| m.is_empty())
                    && sel
                        .get("matchExpressions")
                        .and_then(Value::as_array)
                        .is_none_or(|a| a.is_empty());
                let tl = v
                    .pointer("/spec/template/metadata/labels")
                    .and_then(Value::as_object);
                if empty {
                    out.push(
                        "/spec/selector".into(),
                        format!(
                            "Invalid value: empty selector is invalid for {}",
                            kind.to_ascii_lowercase()
                        ),
                    );
                } else if !selector_matches(sel, tl.unwrap_or(&serde_json::Map::new())) {
                    out.push(
                        "/spec/template/metadata/labels".into(),
                        "Invalid value: `selector` does not match template `labels`".into(),
                    );
                }
            }
            let strat = if kind == "Deployment" {
                "/spec/strategy/type"
            } else {
                "/spec/updateStrategy/type"
            };
            let allowed: &[&str] = if kind == "Deployment" {
                &["Recreate", "RollingUpdate"]
            } else {
                &["RollingUpdate", "OnDelete"]
            };
            if kind != "ReplicaSet" {
                enum_check(v.pointer(strat), strat.into(), allowed, &mut out);
            }
            if kind == "StatefulSet" {
                enum_check(
                    v.pointer("/spec/podManagementPolicy"),
                    "/spec/podManagementPolicy".into(),
                    &["OrderedReady", "Parallel"],
                    &mut out,
                );
            }
        }
        ("batch", "CronJob") => {
            enum_check(
                v.pointer("/spec/concurrencyPolicy"),
                "/spec/concurrencyPolicy".into(),
                &["Allow", "Forbid", "Replace"],
                &mut out,
            );
            if let Some(Value::String(sched)) = v.pointer("/spec/schedule")
                && let Some(why) = cron(sched)
            {
                out.push(
                    "/spec/schedule".into(),
                    format!("Invalid value: {sched:?}: {why}"),
                );
            }
        }
        ("", "Service") => service(v, &mut out),
        ("", "ConfigMap" | "Secret") => {
            let fields: &[&str] = if kind == "ConfigMap" {
                &["data", "binaryData"]
            } else {
                &["data", "stringData"]
            };
            for field in fields {
                if let Some(Value::Object(m)) = v.get(*field) {
                    for k in m.keys() {
                        let ok = !k.is_empty()
                            && k.len() <= 253
                            && k.bytes()
                                .all(|c| is_alnum(c) || c == b'-' || c == b'_' || c == b'.')
                            && k != "."
                            && k != ".."
                            && !k.starts_with("..");
                        if !ok {
                            out.push(
                                format!("/{field}/{}", esc(k)),
                                format!("invalid key {k:?}: a valid config key must consist of alphanumeric characters, '-', '_' or '.'"),
                            );
                        }
                    }
                }
            }
            if kind == "ConfigMap"
                && let (Some(Value::Object(d)), Some(Value::Object(b))) =
                    (v.get("data"), v.get("binaryData"))
            {
                for k in b.keys().filter(|k| d.contains_key(*k)) {
                    out.push(
                        format!("/binaryData/{}", esc(k)),
                        format!("invalid key {k:?}: duplicate of key present in data"),
                    );
                }
            }
        }
        ("networking.k8s.io", "Ingress") => {
            if let Some(Value::Array(rules)) = v.pointer("/spec/rules") {
                for (i, r) in rules.iter().enumerate() {
                    if let Some(Value::Array(paths)) = r.pointer("/http/paths") {
                        for (j, p) in paths.iter().enumerate() {
                            let at = format!("/spec/rules/{i}/http/paths/{j}/pathType");
                            match p.get("pathType") {
                                None | Some(Value::Null) => out
                                    .push(at, "Required value: pathType must be specified".into()),
                                Some(Value::String(e)) if e.is_empty() => out.push(
                                    at,
                                    "Unsupported value: \"\": supported values: \"Exact\", \"ImplementationSpecific\", \"Prefix\"".into(),
                                ),
                                pt => enum_check(
                                    pt,
                                    at,
                                    &["Exact", "Prefix", "ImplementationSpecific"],
                                    &mut out,
                                ),
                            }
                        }
                    }
                }
            }
        }
        ("", "PersistentVolumeClaim") => {
            if let Some(Value::Array(modes)) = v.pointer("/spec/accessModes") {
                for (i, m) in modes.iter().enumerate() {
                    enum_check(
                        Some(m),
                        format!("/spec/accessModes/{i}"),
                        &[
                            "ReadOnlyMany",
                            "ReadWriteMany",
                            "ReadWriteOnce",
                            "ReadWriteOncePod",
                        ],
                        &mut out,
                    );
                }
            }
        }
        ("policy", "PodDisruptionBudget") => {
            let set = |p: &str| v.pointer(p).is_some_and(|x| !x.is_null());
            if set("/spec/minAvailable") && set("/spec/maxUnavailable") {
                out.push(
                    "/spec".into(),
                    "Invalid value: minAvailable and maxUnavailable cannot be both set".into(),
                );
            }
        }
        _ => {}
    }
    out.0
}

fn service(v: &Value, out: &mut Out) {
    labels(v.pointer("/spec/selector"), "/spec/selector", out);
    enum_check(
        v.pointer("/spec/type"),
        "/spec/type".into(),
        &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
        out,
    );
    enum_check(
        v.pointer("/spec/sessionAffinity"),
        "/spec/sessionAffinity".into(),
        &["ClientIP", "None"],
        out,
    );
    for f in ["externalTrafficPolicy", "internalTrafficPolicy"] {
        enum_check(
            v.pointer(&format!("/spec/{f}")),
            format!("/spec/{f}"),
            &["Cluster", "Local"],
            out,
        );
    }
    let Some(Value::Array(ports)) = v.pointer("/spec/ports") else {
        return;
    };
    let mut names: Vec<&str> = Vec::new();
    for (i, p) in ports.iter().enumerate() {
        let at = format!("/spec/ports/{i}");
        port_range(p.get("port"), format!("{at}/port"), 1, out);
        port_or_name(p.get("targetPort"), format!("{at}/targetPort"), out);
        if p.get("nodePort").and_then(Value::as_i64) != Some(0) {
            port_range(p.get("nodePort"), format!("{at}/nodePort"), 1, out);
        }
        enum_check(
            p.get("protocol"),
            format!("{at}/protocol"),
            &["SCTP", "TCP", "UDP"],
            out,
        );
        match p
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        {
            None if ports.len() > 1 => out.push(
                format!("{at}/name"),
                "Required value: each port needs a name when a Service has more than one".into(),
            ),
            None => {}
            Some(n) => {
                if names.contains(&n) {
                    out.push(format!("{at}/name"), format!("Duplicate value: {n:?}"));
                }
                names.push(n);
                if !dns1123_label(n) {
                    out.push(
                        format!("{at}/name"),
                        format!("invalid port name {n:?}: {LABEL_1123_MSG}"),
                    );
                }
            }
        }
    }
}

/// A CronJob schedule as robfig/cron's standard parser reads it: a `@` descriptor or five
/// fields of `*`, `?`, values, names, ranges, lists and steps. `None` when it parses.
fn cron(s: &str) -> Option<String> {
    let s = s.trim();
    if let Some(d) = s.strip_prefix('@') {
        return match d {
            "yearly" | "annually" | "monthly" | "weekly" | "daily" | "midnight" | "hourly" => None,
            _ if d.starts_with("every ") => None,
            _ => Some(format!("unrecognized descriptor: @{d}")),
        };
    }
    let s = match s.split_once(' ') {
        Some((tz, rest)) if tz.starts_with("TZ=") || tz.starts_with("CRON_TZ=") => rest,
        _ => s,
    };
    let fields: Vec<&str> = s.split_whitespace().collect();
    if fields.len() != 5 {
        return Some(format!(
            "expected exactly 5 fields, found {}: {s}",
            fields.len()
        ));
    }
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    let bounds: [(u32, u32, &[&str], u32); 5] = [
        (0, 59, &[], 0),
        (0, 23, &[], 0),
        (1, 31, &[], 0),
        (1, 12, &MONTHS, 1),
        (0, 6, &DAYS, 0),
    ];
    for (field, (lo, hi, names, base)) in fields.iter().zip(bounds) {
        let value = |x: &str| -> Option<u32> {
            if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(x)) {
                return Some(i as u32 + base);
            }
            x.parse::<u32>().ok()
        };
        for part in field.split(',') {
            let (range, step) = match part.split_once('/') {
                Some((r, st)) => match st.parse::<u32>() {
                    Ok(n) if n > 0 => (r, Some(n)),
                    _ => return Some(format!("failed to parse step of {part:?}")),
                },
                None => (part, None),
            };
            if range == "*" || range == "?" {
                continue;
            }
            let (a, b) = match range.split_once('-') {
                Some((a, b)) => (value(a), value(b)),
                None => (value(range), value(range)),
            };
            match (a, b) {
                (Some(a), Some(b)) if a >= lo && b <= hi && a <= b => {}
                (Some(_), Some(_)) => {
                    return Some(format!("{part:?} is beyond the range {lo}-{hi}"));
                }
                _ => return Some(format!("failed to parse {part:?}")),
            }
            let _ = step;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_helpers() {
        assert!(dns1123_subdomain("my-app.v1"));
        assert!(!dns1123_subdomain("MyApp"));
        assert!(!dns1035_label("1abc"));
        assert!(dns1123_label("1abc"));
        assert!(qualified_name("app.kubernetes.io/name").is_none());
        assert!(qualified_name("-app").is_some());
        assert!(qualified_name("Example.com/x").is_some());
        assert_eq!(
            port_name("8080"),
            Some("must contain at least one letter (a-z)")
        );
        assert_eq!(port_name("http"), None);
        assert_eq!(
            quantity_value(&Value::String("1.5Gi".into())),
            Some(1.5 * 1024f64.powi(3))
        );
        assert_eq!(quantity_value(&Value::String("100m".into())), Some(0.1));
        assert_eq!(quantity_value(&Value::String("1e3".into())), Some(1000.0));
        assert_eq!(quantity_value(&Value::String("-1".into())), Some(-1.0));
        for ok in [
            "*/5 * * * *",
            "0 0 * * 0",
            "@hourly",
            "0 9-17 * JAN-DEC mon-fri",
            "15,45 */2 1 * ?",
        ] {
            assert_eq!(cron(ok), None, "{ok}");
        }
        for bad in [
            "every 5 minutes",
            "* * * *",
            "61 * * * *",
            "0 0 * * MONDAY",
            "@often",
        ] {
            assert!(cron(bad).is_some(), "{bad}");
        }
    }
}
