//! The namespace of one test: its name, creation (with the `default` ServiceAccount wait), deletion,
//! and the sweep of stale namespaces left by dead runs.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{DeleteParams, ListParams, PostParams};
use kube::{Api, Client};

use crate::error::{Error, Result};

/// 64-bit FNV-1a: small, stable across platforms and releases (names must be reproducible).
pub(crate) fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h ^= 0xff;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        for b in p.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// `[a-z0-9-]` only, runs of other characters collapsed to one `-`, trimmed, at most `max` bytes.
pub(crate) fn slugify(s: &str, max: usize) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.truncate(max);
    out.trim_matches('-').to_string()
}

/// The slug of a test name: its last two path segments (`module-fn`), without the crate/binary prefix.
pub(crate) fn test_slug(test_name: &str) -> String {
    let parts: Vec<&str> = test_name.split("::").collect();
    let tail = if parts.len() >= 3 {
        parts[parts.len() - 2..].join("-")
    } else {
        parts.last().copied().unwrap_or("test").to_string()
    };
    let s = slugify(&tail, 40);
    if s.is_empty() { "test".into() } else { s }
}

/// The namespace for `test_name` in run `run_id`, attempt `attempt` (1-based):
/// `kt-<slug>-<10 hex of FNV-1a(run, test)>[-a<attempt>]`, at most 63 characters.
pub fn namespace_name(run_id: &str, test_name: &str, attempt: u32) -> String {
    let hash = fnv1a(&[run_id, test_name]);
    let mut name = format!("kt-{}-{:010x}", test_slug(test_name), hash & 0xff_ffff_ffff);
    if attempt > 1 {
        name.push_str(&format!("-a{attempt}"));
    }
    name
}

/// A label value: `[A-Za-z0-9._-]`, at most 63, starting and ending alphanumeric.
pub(crate) fn label_value(s: &str) -> String {
    let mut v: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    v.truncate(63);
    v.trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string()
}

pub(crate) fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: buf is valid for writes of buf.len() bytes; gethostname NUL-terminates on success.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return "unknown".into();
    }
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

pub(crate) fn pid_alive(pid: i32) -> bool {
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks for existence/permission.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// What is needed to create and label a test namespace.
pub(crate) struct NamespaceSpec<'a> {
    pub name: &'a str,
    pub run_id: &'a str,
    pub test_name: &'a str,
    pub attempt: u32,
}

pub(crate) fn namespace_object(spec: &NamespaceSpec<'_>) -> Namespace {
    let mut labels = BTreeMap::new();
    labels.insert(
        crate::MANAGED_BY_LABEL.0.to_string(),
        crate::MANAGED_BY_LABEL.1.to_string(),
    );
    labels.insert(crate::RUN_LABEL.to_string(), label_value(spec.run_id));
    labels.insert(crate::TEST_LABEL.to_string(), test_slug(spec.test_name));
    labels.insert(crate::ATTEMPT_LABEL.to_string(), spec.attempt.to_string());
    let mut annotations = BTreeMap::new();
    annotations.insert(
        crate::TEST_ANNOTATION.to_string(),
        spec.test_name.to_string(),
    );
    annotations.insert(
        crate::OWNER_ANNOTATION.to_string(),
        format!("{}/{}", hostname(), std::process::id()),
    );
    annotations.insert("kindtest.dev/run-id".to_string(), spec.run_id.to_string());
    Namespace {
        metadata: ObjectMeta {
            name: Some(spec.name.to_string()),
            labels: Some(labels),
            annotations: Some(annotations),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// Whether the process that owns `ns` is gone (same host: pid check; other host: older than `stale_after`).
fn owner_dead(ns: &Namespace, stale_after: Duration) -> bool {
    let owner = ns
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(crate::OWNER_ANNOTATION));
    if let Some((host, pid)) = owner.and_then(|o| o.rsplit_once('/'))
        && host == hostname()
    {
        return !pid.parse::<i32>().map(pid_alive).unwrap_or(false);
    }
    let created = ns
        .metadata
        .creation_timestamp
        .as_ref()
        .map(|t| t.0.as_second());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    match created {
        Some(c) => now - c > stale_after.as_secs() as i64,
        None => false,
    }
}

/// Polls until `ns` is gone or `timeout` passes; returns whether it is gone.
pub(crate) async fn wait_gone(api: &Api<Namespace>, ns: &str, timeout: Duration) -> Result<bool> {
    let deadline = Instant::now() + timeout;
    loop {
        match api.get_opt(ns).await {
            Ok(None) => return Ok(true),
            Ok(Some(_)) => {}
            Err(e) => return Err(Error::kube(format!("get namespace {ns}"), e)),
        }
        if Instant::now() >= deadline {
            return Ok(false);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Timings of a namespace setup, in milliseconds.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SetupTimings {
    pub create_ms: u128,
    pub service_account_ms: u128,
}

/// Creates the namespace and waits for its `default` ServiceAccount.
pub(crate) async fn create(
    client: &Client,
    spec: &NamespaceSpec<'_>,
    stale_after: Duration,
) -> Result<SetupTimings> {
    let api: Api<Namespace> = Api::all(client.clone());
    let obj = namespace_object(spec);
    let t0 = Instant::now();
    let mut tries = 0;
    loop {
        tries += 1;
        match api.create(&PostParams::default(), &obj).await {
            Ok(_) => break,
            Err(kube::Error::Api(s)) if s.code == 409 && tries < 3 => {
                // Left over from an earlier process with the same run id (e.g. a fixed KINDTEST_RUN_ID).
                let existing = api
                    .get_opt(spec.name)
                    .await
                    .map_err(|e| Error::kube(format!("get namespace {}", spec.name), e))?;
                if let Some(existing) = existing {
                    let terminating = existing.metadata.deletion_timestamp.is_some();
                    // Made for this process by the in-cluster runner (see `podrun`): adopt it.
                    if !terminating && crate::podrun::prepared_for_us(spec.name) {
                        break;
                    }
                    if !terminating && !owner_dead(&existing, stale_after) {
                        return Err(Error::Invalid(format!(
                            "namespace {} already exists and belongs to a live test process ({}); use another KINDTEST_RUN_ID",
                            spec.name,
                            existing
                                .metadata
                                .annotations
                                .as_ref()
                                .and_then(|a| a.get(crate::OWNER_ANNOTATION))
                                .map(String::as_str)
                                .unwrap_or("unknown owner")
                        )));
                    }
                    if !terminating {
                        let _ = api.delete(spec.name, &DeleteParams::background()).await;
                    }
                    if !wait_gone(&api, spec.name, Duration::from_secs(60)).await? {
                        return Err(Error::Timeout(format!(
                            "namespace {} from an earlier run is still terminating after 60s",
                            spec.name
                        )));
                    }
                }
            }
            Err(e) => return Err(Error::kube(format!("create namespace {}", spec.name), e)),
        }
    }
    let create_ms = t0.elapsed().as_millis();
    let t1 = Instant::now();
    let sa: Api<ServiceAccount> = Api::namespaced(client.clone(), spec.name);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut delay = Duration::from_millis(10);
    loop {
        match sa.get_opt("default").await {
            Ok(Some(_)) => break,
            Ok(None) => {}
            Err(e) => {
                return Err(Error::kube(
                    format!("get serviceaccount default in {}", spec.name),
                    e,
                ));
            }
        }
        if Instant::now() >= deadline {
            return Err(Error::Timeout(format!(
                "serviceaccount default in namespace {} not created after 60s (is kube-controller-manager running?)",
                spec.name
            )));
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_millis(100));
    }
    Ok(SetupTimings {
        create_ms,
        service_account_ms: t1.elapsed().as_millis(),
    })
}

/// Issues the namespace deletion (bounded), optionally waits for it to be gone, and returns a note
/// about anything that holds it (finalizers, conditions), if any.
pub(crate) async fn delete(client: &Client, ns: &str, wait: Duration) -> Result<Option<String>> {
    let api: Api<Namespace> = Api::all(client.clone());
    let req = tokio::time::timeout(
        Duration::from_secs(10),
        api.delete(ns, &DeleteParams::background()),
    )
    .await;
    match req {
        Err(_) => {
            return Err(Error::Timeout(format!(
                "delete namespace {ns}: no answer from the API server in 10s"
            )));
        }
        Ok(Err(kube::Error::Api(s))) if s.code == 404 => return Ok(None),
        Ok(Err(e)) => return Err(Error::kube(format!("delete namespace {ns}"), e)),
        Ok(Ok(_)) => {}
    }
    if wait.is_zero() {
        return Ok(None);
    }
    if wait_gone(&api, ns, wait).await? {
        return Ok(None);
    }
    let holder = match api.get_opt(ns).await {
        Ok(Some(n)) => describe_terminating(&n),
        _ => String::new(),
    };
    Ok(Some(format!(
        "namespace {ns} still terminating after {}s{holder}",
        wait.as_secs()
    )))
}

/// `: finalizers [..]; NamespaceContentRemaining: ...` for a terminating namespace.
fn describe_terminating(n: &Namespace) -> String {
    let mut parts = Vec::new();
    let fins: Vec<String> = n
        .spec
        .as_ref()
        .and_then(|s| s.finalizers.clone())
        .unwrap_or_default()
        .into_iter()
        .chain(n.metadata.finalizers.clone().unwrap_or_default())
        .collect();
    if !fins.is_empty() {
        parts.push(format!("finalizers [{}]", fins.join(", ")));
    }
    for c in n
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
    {
        if c.status == "True" {
            parts.push(format!(
                "{}: {}",
                c.type_,
                c.message.clone().unwrap_or_default()
            ));
        }
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(": {}", parts.join("; "))
    }
}

/// What [`sweep_stale_namespaces`] did.
#[derive(Debug, Default, Clone)]
pub struct SweepReport {
    /// Namespaces whose deletion was issued.
    pub deleted: Vec<String>,
    /// Namespaces left alone because their test process is alive (or they belong to the current run).
    pub live: Vec<String>,
    /// Namespaces stuck terminating, with what holds them.
    pub stuck: Vec<(String, String)>,
}

/// Deletes kindtest namespaces (label `app.kubernetes.io/managed-by=kindtest`) left by dead runs: on this
/// host, those whose owning test process is gone; from other hosts, those older than `stale_after`.
/// Namespaces of `current_run` are never touched. `all = true` (for `cargo kindtest clean --all`) deletes
/// every kindtest namespace regardless of owner. Namespaces already terminating for more than five
/// minutes are reported in [`SweepReport::stuck`] with their finalizers and conditions.
pub async fn sweep_stale_namespaces(
    client: &Client,
    current_run: Option<&str>,
    stale_after: Duration,
    all: bool,
) -> Result<SweepReport> {
    let api: Api<Namespace> = Api::all(client.clone());
    let selector = format!(
        "{}={}",
        crate::MANAGED_BY_LABEL.0,
        crate::MANAGED_BY_LABEL.1
    );
    let list = api
        .list(&ListParams::default().labels(&selector))
        .await
        .map_err(|e| Error::kube("list kindtest namespaces", e))?;
    let current = current_run.map(label_value);
    let mut report = SweepReport::default();
    for ns in list.items {
        let Some(name) = ns.metadata.name.clone() else {
            continue;
        };
        let run = ns
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(crate::RUN_LABEL))
            .cloned();
        if current.is_some() && run == current {
            report.live.push(name);
            continue;
        }
        if let Some(ts) = &ns.metadata.deletion_timestamp {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0);
            if now - ts.0.as_second() > 300 {
                report.stuck.push((name, describe_terminating(&ns)));
            }
            continue;
        }
        if !all && !owner_dead(&ns, stale_after) {
            report.live.push(name);
            continue;
        }
        match api.delete(&name, &DeleteParams::background()).await {
            Ok(_) => report.deleted.push(name),
            Err(kube::Error::Api(s)) if s.code == 404 => {}
            Err(e) => return Err(Error::kube(format!("delete namespace {name}"), e)),
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_deterministic_and_valid() {
        let a = namespace_name("run-1", "e2e::install::web_comes_up", 1);
        assert_eq!(a, namespace_name("run-1", "e2e::install::web_comes_up", 1));
        assert!(a.starts_with("kt-install-web-comes-up-"), "{a}");
        assert_ne!(a, namespace_name("run-2", "e2e::install::web_comes_up", 1));
        assert_eq!(
            namespace_name("run-1", "e2e::install::web_comes_up", 2),
            format!("{a}-a2")
        );
        let long = "e2e::".to_string() + &"very_long_module_name_".repeat(10) + "::x";
        let n = namespace_name("r", &long, 99);
        assert!(n.len() <= 63, "{n} is {} long", n.len());
        for n in [a, n] {
            assert!(
                n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            );
            assert!(!n.ends_with('-'));
        }
    }

    #[test]
    fn slug_of_short_names() {
        assert_eq!(test_slug("e2e::pod_ready"), "pod-ready");
        assert_eq!(test_slug("lonely"), "lonely");
        assert_eq!(test_slug("e2e::___"), "test");
    }

    #[test]
    fn label_values() {
        assert_eq!(label_value("3f2a-uuid"), "3f2a-uuid");
        assert_eq!(label_value("local:1/2"), "local-1-2");
        assert_eq!(label_value(&"a".repeat(80)).len(), 63);
        assert_eq!(label_value("-x-"), "x");
    }

    #[test]
    fn own_pid_is_alive() {
        assert!(pid_alive(std::process::id() as i32));
        assert!(!pid_alive(0));
    }
}
