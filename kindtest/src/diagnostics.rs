//! What a failed test leaves behind in `target/kindtest/<run>/<test>/`:
//!
//! | file | content |
//! |---|---|
//! | `summary.txt` | test, namespace, failure, kubectl commands |
//! | `events.txt` | the namespace's events, oldest first |
//! | `pods.txt` | every pod with phase; not-ready pods with the reason |
//! | `logs/<pod>.<container>.log` | current container logs (last 500 lines) |
//! | `logs/<pod>.<container>.previous.log` | the previous instance's logs, when the container restarted |
//! | `objects.yaml` | the namespace's objects (managedFields dropped, Secret values redacted) |
//! | `releases.txt` | Helm releases in the namespace: revision and status |

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use k8s_openapi::api::core::v1::{Event, Pod, Secret};
use kube::Api;
use kube::api::{DynamicObject, ListParams};
use serde_json::{Value, json};

use crate::context::Context;
use crate::wait::{KNOWN_KINDS, pod_problem, readiness};

const LOG_TAIL: i64 = 500;

/// Replaces every value of a Secret's `data` and `stringData` with `<redacted N bytes>` (keys stay),
/// and drops the `kubectl.kubernetes.io/last-applied-configuration` annotation that may copy them.
pub fn redact_secret(secret: &mut Value) {
    for field in ["data", "stringData"] {
        if let Some(Value::Object(map)) = secret.get_mut(field) {
            for (_, v) in map.iter_mut() {
                let len = v.as_str().map(str::len).unwrap_or(0);
                let bytes = if field == "data" { len / 4 * 3 } else { len };
                *v = json!(format!("<redacted {bytes} bytes>"));
            }
        }
    }
    if let Some(Value::Object(ann)) = secret.pointer_mut("/metadata/annotations") {
        ann.remove("kubectl.kubernetes.io/last-applied-configuration");
    }
}

fn event_time(e: &Event) -> String {
    e.last_timestamp
        .as_ref()
        .map(|t| t.0.to_string())
        .or_else(|| e.event_time.as_ref().map(|t| t.0.to_string()))
        .or_else(|| e.first_timestamp.as_ref().map(|t| t.0.to_string()))
        .or_else(|| {
            e.metadata
                .creation_timestamp
                .as_ref()
                .map(|t| t.0.to_string())
        })
        .unwrap_or_default()
}

/// When the event last happened, comparable across second (`lastTimestamp`) and microsecond
/// (`eventTime`) precision (the formatted strings are not: `…:53.8Z` sorts before `…:53Z`).
fn event_instant(e: &Event) -> i128 {
    e.last_timestamp
        .as_ref()
        .map(|t| t.0.as_nanosecond())
        .or_else(|| e.event_time.as_ref().map(|t| t.0.as_nanosecond()))
        .or_else(|| e.first_timestamp.as_ref().map(|t| t.0.as_nanosecond()))
        .or_else(|| {
            e.metadata
                .creation_timestamp
                .as_ref()
                .map(|t| t.0.as_nanosecond())
        })
        .unwrap_or_default()
}

/// Formats events oldest first, one per line.
pub(crate) fn format_events(mut events: Vec<Event>) -> String {
    events.sort_by_key(event_instant);
    let mut out = String::new();
    for e in &events {
        let obj = format!(
            "{}/{}",
            e.involved_object
                .kind
                .clone()
                .unwrap_or_default()
                .to_ascii_lowercase(),
            e.involved_object.name.clone().unwrap_or_default()
        );
        let count = e.count.unwrap_or(1);
        let _ = writeln!(
            out,
            "{} {} {} {}: {}{}",
            event_time(e),
            e.type_.clone().unwrap_or_default(),
            e.reason.clone().unwrap_or_default(),
            obj,
            crate::error::one_line(&e.message.clone().unwrap_or_default()),
            if count > 1 {
                format!(" (x{count})")
            } else {
                String::new()
            }
        );
    }
    out
}

/// `kubectl` commands to look at a kept namespace.
pub(crate) fn kubectl_hints(ctx: &Context) -> String {
    let mut base = String::from("kubectl");
    for a in ctx.settings().kube_args() {
        base.push(' ');
        base.push_str(&shell_quote(&a));
    }
    let ns = ctx.namespace();
    format!(
        "  {base} -n {ns} get all,events\n  {base} -n {ns} describe pods\n  {base} -n {ns} logs --all-containers --prefix -l app.kubernetes.io/instance --tail=100\n  {base} delete namespace {ns}\n"
    )
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn write(dir: &Path, name: &str, text: &str, errors: &mut Vec<String>) {
    if let Err(e) = std::fs::write(dir.join(name), text) {
        errors.push(format!("write {name}: {e}"));
    }
}

/// Collects everything into `dir`; returns the problems met on the way (collection is best effort).
pub(crate) async fn collect(ctx: &Context, dir: &Path, failure: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if let Err(e) = std::fs::create_dir_all(dir.join("logs")) {
        return vec![format!("create {}: {e}", dir.display())];
    }
    let ns = ctx.namespace();
    let mut summary = format!(
        "test: {}\nnamespace: {ns}\nrun: {}\ncluster: {}\nfailure: {failure}\n\nlook at it:\n{}",
        ctx.test_name(),
        ctx.settings().run_id,
        ctx.settings().cluster.as_deref().unwrap_or("-"),
        kubectl_hints(ctx)
    );

    // Events, oldest first.
    let events: Api<Event> = ctx.api();
    match events.list(&ListParams::default()).await {
        Ok(list) => write(dir, "events.txt", &format_events(list.items), &mut errors),
        Err(e) => errors.push(format!("list events: {e}")),
    }

    // Pods, reasons, logs.
    let pods: Api<Pod> = ctx.api();
    match pods.list(&ListParams::default()).await {
        Ok(list) => {
            let mut text = String::new();
            let mut not_ready = Vec::new();
            for p in &list.items {
                let name = p.metadata.name.clone().unwrap_or_default();
                let v = serde_json::to_value(p).unwrap_or(Value::Null);
                let phase = v
                    .pointer("/status/phase")
                    .and_then(Value::as_str)
                    .unwrap_or("Unknown");
                let node = v
                    .pointer("/spec/nodeName")
                    .and_then(Value::as_str)
                    .unwrap_or("-");
                match pod_problem(&v) {
                    Some(problem) => {
                        let _ =
                            writeln!(text, "{name}\t{phase}\tnode={node}\tNOT READY: {problem}");
                        not_ready.push(format!("pod {name}: {problem}"));
                    }
                    None => {
                        let _ = writeln!(text, "{name}\t{phase}\tnode={node}\tready");
                    }
                }
                let containers = p
                    .spec
                    .as_ref()
                    .map(|s| {
                        s.init_containers
                            .iter()
                            .flatten()
                            .chain(s.containers.iter())
                            .map(|c| c.name.clone())
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                let restarted = |c: &str| {
                    p.status
                        .as_ref()
                        .into_iter()
                        .flat_map(|s| {
                            s.container_statuses
                                .iter()
                                .flatten()
                                .chain(s.init_container_statuses.iter().flatten())
                        })
                        .any(|cs| cs.name == c && cs.restart_count > 0)
                };
                for c in containers {
                    for previous in [false, true] {
                        if previous && !restarted(&c) {
                            continue;
                        }
                        let file = format!(
                            "logs/{name}.{c}{}.log",
                            if previous { ".previous" } else { "" }
                        );
                        let body =
                            match ctx.logs_of(&name, Some(&c), previous, Some(LOG_TAIL)).await {
                                Ok(l) => l,
                                Err(e) => format!("(logs unavailable: {e})\n"),
                            };
                        write(dir, &file, &body, &mut errors);
                    }
                }
            }
            write(dir, "pods.txt", &text, &mut errors);
            if !not_ready.is_empty() {
                let _ = writeln!(summary, "\nnot ready:\n  {}", not_ready.join("\n  "));
            }
        }
        Err(e) => errors.push(format!("list pods: {e}")),
    }

    // Object summaries.
    let mut objects = String::new();
    let mut pending = Vec::new();
    for k in KNOWN_KINDS
        .iter()
        .filter(|k| k.namespaced && k.kind != "Event")
    {
        let api: Api<DynamicObject> = Api::namespaced_with(ctx.client(), ns, &k.api_resource());
        let list = match api.list(&ListParams::default()).await {
            Ok(l) => l,
            Err(kube::Error::Api(s)) if s.code == 404 => continue,
            Err(e) => {
                errors.push(format!("list {}: {e}", k.plural));
                continue;
            }
        };
        for o in list.items {
            let mut v = serde_json::to_value(&o).unwrap_or(Value::Null);
            v["apiVersion"] = json!(if k.group.is_empty() {
                k.version.to_string()
            } else {
                format!("{}/{}", k.group, k.version)
            });
            v["kind"] = json!(k.kind);
            if let Some(Value::Object(meta)) = v.get_mut("metadata") {
                meta.remove("managedFields");
            }
            if k.kind == "Secret" {
                redact_secret(&mut v);
            }
            let r = readiness(&v);
            if !r.ready {
                pending.push(format!(
                    "{}/{}: {}",
                    k.word(),
                    o.metadata.name.clone().unwrap_or_default(),
                    r.reason
                ));
            }
            objects.push_str("---\n");
            objects.push_str(&serde_yaml::to_string(&v).unwrap_or_default());
        }
    }
    write(dir, "objects.yaml", &objects, &mut errors);
    if !pending.is_empty() {
        let _ = writeln!(summary, "\nobjects not ready:\n  {}", pending.join("\n  "));
    }

    // Helm releases (from the release Secrets' labels; no helm binary needed).
    let secrets: Api<Secret> = ctx.api();
    match secrets
        .list(&ListParams::default().labels("owner=helm"))
        .await
    {
        Ok(list) => {
            let mut rows: Vec<(String, u32, String)> = list
                .items
                .iter()
                .filter_map(|s| {
                    let l = s.metadata.labels.as_ref()?;
                    Some((
                        l.get("name")?.clone(),
                        l.get("version")?.parse().ok()?,
                        l.get("status")?.clone(),
                    ))
                })
                .collect();
            rows.sort();
            let mut text = String::new();
            for (name, version, status) in &rows {
                let _ = writeln!(text, "{name}\trevision {version}\t{status}");
            }
            let recorded = ctx
                .inner
                .releases
                .lock()
                .map(|r| r.clone())
                .unwrap_or_default();
            for r in recorded {
                if !rows.iter().any(|(n, _, _)| *n == r) {
                    let _ = writeln!(
                        text,
                        "{r}\t(no release record: the install did not get that far)"
                    );
                }
            }
            write(dir, "releases.txt", &text, &mut errors);
        }
        Err(e) => errors.push(format!("list helm release secrets: {e}")),
    }

    if !errors.is_empty() {
        let _ = writeln!(summary, "\ncollection problems:\n  {}", errors.join("\n  "));
    }
    write(dir, "summary.txt", &summary, &mut errors);
    errors
}

/// A path shown relative to the current directory when it is below it.
pub(crate) fn display_path(p: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| p.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| p.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        let mut s = json!({"kind": "Secret", "metadata": {"name": "db", "annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": "{\"data\":{\"password\":\"aHVudGVyMg==\"}}",
            "keep": "me"}},
            "data": {"password": "aHVudGVyMg=="}, "stringData": {"token": "abc"}});
        redact_secret(&mut s);
        let text = s.to_string();
        assert!(!text.contains("aHVudGVyMg"), "{text}");
        assert!(!text.contains("\"abc\""), "{text}");
        assert_eq!(s["data"]["password"], "<redacted 9 bytes>");
        assert_eq!(s["stringData"]["token"], "<redacted 3 bytes>");
        assert_eq!(s["metadata"]["annotations"]["keep"], "me");
    }

    #[test]
    fn events_sorted_oldest_first() {
        let ev = |name: &str, ts: &str, reason: &str| -> Event {
            serde_json::from_value(json!({
                "metadata": {"name": name},
                "involvedObject": {"kind": "Pod", "name": "web-1"},
                "reason": reason, "message": "m\nn", "type": "Warning",
                "lastTimestamp": ts, "count": 2
            }))
            .expect("event")
        };
        let text = format_events(vec![
            ev("b", "2026-01-01T00:00:02Z", "Second"),
            ev("a", "2026-01-01T00:00:01Z", "First"),
        ]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].contains("First pod/web-1: m; n (x2)"), "{text}");
        assert!(lines[1].contains("Second"), "{text}");
    }

    #[test]
    fn events_of_mixed_precision_sort_by_instant() {
        let micro: Event = serde_json::from_value(json!({
            "metadata": {"name": "m"}, "involvedObject": {"kind": "Pod", "name": "p"},
            "reason": "Later", "eventTime": "2026-01-01T00:00:01.800000Z"
        }))
        .expect("event");
        let secs: Event = serde_json::from_value(json!({
            "metadata": {"name": "s"}, "involvedObject": {"kind": "Pod", "name": "p"},
            "reason": "Earlier", "lastTimestamp": "2026-01-01T00:00:01Z"
        }))
        .expect("event");
        let text = format_events(vec![micro, secs]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].contains("Earlier"), "{text}");
        assert!(lines[1].contains("Later"), "{text}");
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("/tmp/a b"), "'/tmp/a b'");
        assert_eq!(shell_quote("kind-dev"), "kind-dev");
    }
}
