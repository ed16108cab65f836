//! One process run as a pod, to its end: the pod spec, the wait (with a one-line reason when the pod
//! cannot start), live logs, the container's exit code, diagnostics and deletion.
//!
//! Two callers share this path: [`crate::Context::run_job`] (a Job's pod) and the nextest target runner
//! of `cargo kindtest --in-cluster` (each test process as a bare pod). Both need the same answers: did
//! the container run, with which exit code, and if it never ran, why — in one line, because that line
//! becomes the test's failure message.
//!
//! How pod states map to an outcome ([`PodOutcome`]):
//!
//! | pod state | outcome |
//! |---|---|
//! | phase `Succeeded` | [`PodOutcome::Exited`] with the container's exit code (0) |
//! | phase `Failed`, container terminated | [`PodOutcome::Exited`] with its exit code; reason `OOMKilled` etc. kept |
//! | phase `Failed`, no container ran (evicted, node lost) | [`PodOutcome::CannotStart`] with the pod's reason |
//! | container waiting `ImagePullBackOff`, `ErrImageNeverPull`, `InvalidImageName`, `CreateContainerConfigError`, `CreateContainerError`, `CrashLoopBackOff` | [`PodOutcome::CannotStart`] at once |
//! | `PodScheduled=False` (`Unschedulable`) for longer than [`WaitOptions::unschedulable_grace`] | [`PodOutcome::CannotStart`] |
//! | still `Pending` after [`WaitOptions::start_timeout`] | [`PodOutcome::CannotStart`] naming what it waits for |
//! | pod deleted by someone else | [`PodOutcome::CannotStart`] (`pod was deleted before it finished`) |
//!
//! Logs: once the container has started, its log is followed and copied to a [`LogSink`] as it arrives.
//! Nodes that serve no logs (kwok's simulated pods) are tolerated: the outcome records why there were
//! none ([`PodOutcome::log_error`]) and the exit code still comes from the pod status.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::{DeleteParams, ListParams, LogParams, PostParams};
use kube::{Api, Client};
use serde_json::{Value, json};

use crate::error::{Error, Result, one_line};

/// Container waiting reasons after which a container will not start without someone changing something.
pub const FATAL_WAITING_REASONS: &[&str] = &[
    "ImagePullBackOff",
    "ErrImageNeverPull",
    "InvalidImageName",
    "CreateContainerConfigError",
    "CreateContainerError",
    "CrashLoopBackOff",
    "RunContainerError",
];

/// What pod to create. [`PodRequest::pod`] turns it into the object (pure, so its shape is testable).
#[derive(Debug, Clone, Default)]
pub struct PodRequest {
    /// Namespace of the pod.
    pub namespace: String,
    /// Pod name.
    pub name: String,
    /// Container name (default `test`).
    pub container: String,
    /// Image reference.
    pub image: String,
    /// Entrypoint (`command`); empty keeps the image's.
    pub command: Vec<String>,
    /// Arguments (`args`).
    pub args: Vec<String>,
    /// Environment, in order.
    pub env: Vec<(String, String)>,
    /// Working directory in the container.
    pub working_dir: Option<String>,
    /// Service account (`None`: the namespace's `default`).
    pub service_account: Option<String>,
    /// `resources` of the container (a `ResourceRequirements` object: `{"limits": {...}, "requests": {...}}`).
    pub resources: Option<Value>,
    /// `nodeSelector`.
    pub node_selector: BTreeMap<String, String>,
    /// Labels of the pod.
    pub labels: BTreeMap<String, String>,
    /// Annotations of the pod.
    pub annotations: BTreeMap<String, String>,
    /// `terminationGracePeriodSeconds` (how long the process has after SIGTERM).
    pub termination_grace_seconds: Option<i64>,
}

impl PodRequest {
    /// A request with the container name `test` and nothing else set.
    pub fn new(
        namespace: impl Into<String>,
        name: impl Into<String>,
        image: impl Into<String>,
    ) -> Self {
        PodRequest {
            namespace: namespace.into(),
            name: name.into(),
            container: "test".into(),
            image: image.into(),
            ..Default::default()
        }
    }

    /// The container object (also used inside a Job template).
    pub fn container_value(&self) -> Value {
        let mut c = json!({
            "name": if self.container.is_empty() { "test" } else { self.container.as_str() },
            "image": self.image,
            "imagePullPolicy": "IfNotPresent",
        });
        if !self.command.is_empty() {
            c["command"] = json!(self.command);
        }
        if !self.args.is_empty() {
            c["args"] = json!(self.args);
        }
        if !self.env.is_empty() {
            c["env"] = Value::Array(
                self.env
                    .iter()
                    .map(|(k, v)| json!({"name": k, "value": v}))
                    .collect(),
            );
        }
        if let Some(w) = &self.working_dir {
            c["workingDir"] = json!(w);
        }
        if let Some(r) = &self.resources {
            c["resources"] = r.clone();
        }
        c
    }

    /// The pod `spec` (restartPolicy `Never`: a test process runs once; nextest does the retries).
    pub fn spec_value(&self) -> Value {
        let mut spec = json!({
            "restartPolicy": "Never",
            "enableServiceLinks": false,
            "containers": [self.container_value()],
        });
        if let Some(sa) = &self.service_account {
            spec["serviceAccountName"] = json!(sa);
        }
        if !self.node_selector.is_empty() {
            spec["nodeSelector"] = json!(self.node_selector);
        }
        if let Some(g) = self.termination_grace_seconds {
            spec["terminationGracePeriodSeconds"] = json!(g);
        }
        spec
    }

    /// The pod object.
    pub fn pod(&self) -> Result<Pod> {
        let v = json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": self.name,
                "namespace": self.namespace,
                "labels": self.labels,
                "annotations": self.annotations,
            },
            "spec": self.spec_value(),
        });
        serde_json::from_value(v).map_err(|e| Error::Invalid(format!("pod spec: {e}")))
    }

    /// Creates the pod.
    pub async fn create(&self, client: &Client) -> Result<Pod> {
        let api: Api<Pod> = Api::namespaced(client.clone(), &self.namespace);
        api.create(&PostParams::default(), &self.pod()?)
            .await
            .map_err(|e| Error::kube(format!("create pod/{} in {}", self.name, self.namespace), e))
    }
}

/// Where followed logs go.
#[derive(Clone)]
pub enum LogSink {
    /// This process's stdout, flushed per chunk (the target runner: nextest captures it).
    Stdout,
    /// A buffer (run_job returns it).
    Buffer(Arc<Mutex<Vec<u8>>>),
    /// Dropped.
    Discard,
}

impl LogSink {
    fn write(&self, bytes: &[u8]) {
        match self {
            LogSink::Stdout => {
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(bytes);
                let _ = out.flush();
            }
            LogSink::Buffer(b) => {
                if let Ok(mut b) = b.lock() {
                    b.extend_from_slice(bytes);
                }
            }
            LogSink::Discard => {}
        }
    }
}

/// How long to wait for what.
#[derive(Debug, Clone)]
pub struct WaitOptions {
    /// A pod still not running after this long cannot start (default 300 s: image pulls can be slow).
    pub start_timeout: Duration,
    /// An unschedulable pod fails after this long (default 5 s; the scheduler retries, but a node
    /// selector or resources no node offers will not change during a test).
    pub unschedulable_grace: Duration,
    /// Bound of the whole run (`None`: none; nextest's timeout ends the runner instead).
    pub run_timeout: Option<Duration>,
    /// Follow the container's log while it runs.
    pub follow_logs: bool,
    /// Status poll interval (first polls are faster: 20 ms doubling up to this).
    pub poll: Duration,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            start_timeout: Duration::from_secs(300),
            unschedulable_grace: Duration::from_secs(5),
            run_timeout: None,
            follow_logs: true,
            poll: Duration::from_millis(250),
        }
    }
}

/// How a pod ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PodOutcome {
    /// The container ran and terminated.
    Exited {
        /// Its exit code.
        code: i32,
        /// The terminated reason when it says more than the code (`OOMKilled`, `DeadlineExceeded`).
        reason: Option<String>,
        /// Why no log could be read, if none could.
        log_error: Option<String>,
    },
    /// The container never ran (or the pod was lost before it ended); one line saying why.
    CannotStart {
        /// The reason, e.g. `container test ImagePullBackOff: Back-off pulling image "x"`.
        reason: String,
    },
}

impl PodOutcome {
    /// The exit code a process should report: the container's, or 1 when it never ran.
    pub fn exit_code(&self) -> i32 {
        match self {
            PodOutcome::Exited { code, .. } => *code,
            PodOutcome::CannotStart { .. } => 1,
        }
    }

    /// Why logs are missing (`None` when they were read or the pod never ran).
    pub fn log_error(&self) -> Option<&str> {
        match self {
            PodOutcome::Exited { log_error, .. } => log_error.as_deref(),
            PodOutcome::CannotStart { .. } => None,
        }
    }

    /// One line for a failure message (`None` for exit code 0).
    pub fn failure_line(&self, pod: &str) -> Option<String> {
        match self {
            PodOutcome::Exited { code: 0, .. } => None,
            PodOutcome::Exited {
                code,
                reason: Some(r),
                ..
            } => Some(format!("pod {pod}: container {r} (exit code {code})")),
            PodOutcome::Exited { code, .. } => Some(format!("pod {pod}: exit code {code}")),
            PodOutcome::CannotStart { reason } => {
                Some(format!("pod {pod} could not run: {reason}"))
            }
        }
    }
}

/// Timings of one pod run, for benchmarks (`KINDTEST_TIMINGS`).
#[derive(Debug, Clone, Copy, Default)]
pub struct PodTimings {
    /// From the start of [`wait_pod`] to the first log bytes, if any came.
    pub first_log: Option<Duration>,
    /// From the start of [`wait_pod`] to the container running (phase Running or later).
    pub started: Option<Duration>,
    /// From the start of [`wait_pod`] to the terminal state.
    pub finished: Duration,
}

/// What the status of a pod says right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PodState {
    /// Not scheduled yet; `Some(why)` when the scheduler said it cannot.
    Unscheduled(Option<String>),
    /// Scheduled, container not running yet; why (waiting reason) if known.
    Starting(String),
    /// A waiting reason that will not resolve by itself.
    Stuck(String),
    /// Container running.
    Running,
    /// Ended with an outcome.
    Done(PodOutcome),
}

fn str_at<'a>(v: &'a Value, ptr: &str) -> Option<&'a str> {
    v.pointer(ptr).and_then(Value::as_str)
}

fn container_status<'a>(pod: &'a Value, container: &str) -> Option<&'a Value> {
    let list = pod.pointer("/status/containerStatuses")?.as_array()?;
    list.iter()
        .find(|c| c.get("name").and_then(Value::as_str) == Some(container))
        .or_else(|| list.first())
}

/// Classifies a pod (as JSON) for the container `container`.
pub(crate) fn classify(pod: &Value, container: &str) -> PodState {
    let phase = str_at(pod, "/status/phase").unwrap_or("Pending");
    let cs = container_status(pod, container);
    let name = cs
        .and_then(|c| c.get("name"))
        .and_then(Value::as_str)
        .unwrap_or(container);
    let terminated = cs.and_then(|c| c.pointer("/state/terminated"));
    match phase {
        "Succeeded" | "Failed" => {
            if let Some(t) = terminated {
                let code = t
                    .get("exitCode")
                    .and_then(Value::as_i64)
                    .and_then(|c| i32::try_from(c).ok())
                    .unwrap_or(if phase == "Succeeded" { 0 } else { 1 });
                let reason = t
                    .get("reason")
                    .and_then(Value::as_str)
                    .filter(|r| !matches!(*r, "Completed" | "Error"))
                    .map(|r| format!("{name} {r}"));
                return PodState::Done(PodOutcome::Exited {
                    code,
                    reason,
                    log_error: None,
                });
            }
            if phase == "Succeeded" {
                return PodState::Done(PodOutcome::Exited {
                    code: 0,
                    reason: None,
                    log_error: None,
                });
            }
            let reason = str_at(pod, "/status/reason").unwrap_or("Failed");
            let msg = str_at(pod, "/status/message").unwrap_or("");
            let mut line = format!("pod {reason}");
            if !msg.is_empty() {
                line.push_str(&format!(": {}", one_line(msg)));
            }
            PodState::Done(PodOutcome::CannotStart { reason: line })
        }
        _ => {
            if let Some(w) = cs.and_then(|c| c.pointer("/state/waiting")) {
                let reason = w.get("reason").and_then(Value::as_str).unwrap_or("Waiting");
                let msg = w.get("message").and_then(Value::as_str).unwrap_or("");
                let mut line = format!("container {name} {reason}");
                if !msg.is_empty() {
                    line.push_str(&format!(": {}", one_line(msg)));
                }
                if FATAL_WAITING_REASONS.contains(&reason) {
                    return PodState::Stuck(line);
                }
                return PodState::Starting(line);
            }
            if phase == "Running"
                || cs.and_then(|c| c.pointer("/state/running")).is_some()
                || terminated.is_some()
            {
                return PodState::Running;
            }
            let scheduled = pod
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|c| c.get("type").and_then(Value::as_str) == Some("PodScheduled"));
            match scheduled {
                Some(c) if c.get("status").and_then(Value::as_str) == Some("True") => {
                    PodState::Starting("scheduled, container not started".into())
                }
                Some(c) => {
                    let reason = c
                        .get("reason")
                        .and_then(Value::as_str)
                        .unwrap_or("Unschedulable");
                    let msg = c.get("message").and_then(Value::as_str).unwrap_or("");
                    PodState::Unscheduled(Some(if msg.is_empty() {
                        reason.to_string()
                    } else {
                        format!("{reason}: {}", one_line(msg))
                    }))
                }
                None if str_at(pod, "/spec/nodeName").is_some() => {
                    PodState::Starting("scheduled, container not started".into())
                }
                None => PodState::Unscheduled(None),
            }
        }
    }
}

/// Follows the log of `container` into `sink` until the stream ends. Returns the first-bytes instant.
async fn follow_log(
    api: Api<Pod>,
    name: String,
    container: String,
    sink: LogSink,
) -> std::result::Result<Option<Instant>, String> {
    use futures::AsyncReadExt;
    let lp = LogParams {
        container: Some(container),
        follow: true,
        ..Default::default()
    };
    let mut stream = api
        .log_stream(&name, &lp)
        .await
        .map_err(|e| one_line(&e.to_string()))?;
    let mut first = None;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = stream
            .read(&mut buf)
            .await
            .map_err(|e| one_line(&e.to_string()))?;
        if n == 0 {
            return Ok(first);
        }
        first.get_or_insert_with(Instant::now);
        sink.write(&buf[..n]);
    }
}

/// Waits for pod `name` to end (see the module docs for the mapping), following its log into `sink`.
/// Errors are API failures only; a pod that cannot start is an `Ok(CannotStart)`.
pub async fn wait_pod(
    client: &Client,
    namespace: &str,
    name: &str,
    container: &str,
    opts: &WaitOptions,
    sink: LogSink,
) -> Result<(PodOutcome, PodTimings)> {
    let api: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let t0 = Instant::now();
    let mut timings = PodTimings::default();
    let mut unschedulable_since: Option<Instant> = None;
    let mut log_task: Option<
        tokio::task::JoinHandle<std::result::Result<Option<Instant>, String>>,
    > = None;
    let mut delay = Duration::from_millis(20);
    let outcome = loop {
        let pod = api
            .get_opt(name)
            .await
            .map_err(|e| Error::kube(format!("get pod/{name} in {namespace}"), e))?;
        let Some(pod) = pod else {
            break PodOutcome::CannotStart {
                reason: "pod was deleted before it finished".into(),
            };
        };
        if pod.metadata.deletion_timestamp.is_some() && timings.started.is_none() {
            break PodOutcome::CannotStart {
                reason: "pod is being deleted before it started".into(),
            };
        }
        let v = serde_json::to_value(&pod).unwrap_or(Value::Null);
        let state = classify(&v, container);
        let running = matches!(state, PodState::Running | PodState::Done(_));
        if running && timings.started.is_none() {
            timings.started = Some(t0.elapsed());
        }
        if running && opts.follow_logs && log_task.is_none() {
            log_task = Some(tokio::spawn(follow_log(
                api.clone(),
                name.to_string(),
                container.to_string(),
                sink.clone(),
            )));
        }
        match state {
            PodState::Done(o) => break o,
            PodState::Stuck(reason) => break PodOutcome::CannotStart { reason },
            PodState::Unscheduled(Some(why)) => {
                let since = *unschedulable_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= opts.unschedulable_grace {
                    break PodOutcome::CannotStart {
                        reason: format!("unschedulable: {why}"),
                    };
                }
            }
            PodState::Unscheduled(None) | PodState::Starting(_) => {
                unschedulable_since = None;
                if t0.elapsed() >= opts.start_timeout {
                    let why = match classify(&v, container) {
                        PodState::Starting(w) => w,
                        _ => "not scheduled".into(),
                    };
                    break PodOutcome::CannotStart {
                        reason: format!(
                            "still Pending after {}s ({why})",
                            opts.start_timeout.as_secs()
                        ),
                    };
                }
            }
            PodState::Running => {
                if let Some(limit) = opts.run_timeout
                    && t0.elapsed() >= limit
                {
                    return Err(Error::Timeout(format!(
                        "pod/{name} still running after {}s",
                        limit.as_secs()
                    )));
                }
            }
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(opts.poll);
    };
    timings.finished = t0.elapsed();
    let outcome = match (outcome, log_task) {
        (PodOutcome::Exited { code, reason, .. }, Some(task)) => {
            // The stream ends when the container does; bound the wait in case the node keeps it open.
            let log_error = match tokio::time::timeout(Duration::from_secs(10), task).await {
                Ok(Ok(Ok(first))) => {
                    timings.first_log = first.map(|f| f.duration_since(t0));
                    None
                }
                Ok(Ok(Err(e))) => Some(e),
                Ok(Err(e)) => Some(format!("log task: {e}")),
                Err(_) => Some("log stream still open 10s after the container ended".into()),
            };
            PodOutcome::Exited {
                code,
                reason,
                log_error,
            }
        }
        (PodOutcome::Exited { code, reason, .. }, None) => PodOutcome::Exited {
            code,
            reason,
            log_error: (!opts.follow_logs).then(|| "logs not followed".to_string()),
        },
        (o, task) => {
            if let Some(t) = task {
                t.abort();
            }
            o
        }
    };
    Ok((outcome, timings))
}

/// Deletes a pod (grace period `grace`; 404 is fine) and, when `wait` is non-zero, waits for it to be gone.
pub async fn delete_pod(
    client: &Client,
    namespace: &str,
    name: &str,
    grace: Option<u32>,
    wait: Duration,
) -> Result<()> {
    let api: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let dp = DeleteParams {
        grace_period_seconds: grace,
        ..DeleteParams::background()
    };
    match api.delete(name, &dp).await {
        Ok(_) => {}
        Err(kube::Error::Api(s)) if s.code == 404 => return Ok(()),
        Err(e) => return Err(Error::kube(format!("delete pod/{name} in {namespace}"), e)),
    }
    let deadline = Instant::now() + wait;
    while Instant::now() < deadline {
        match api.get_opt(name).await {
            Ok(None) => return Ok(()),
            Ok(Some(_)) => tokio::time::sleep(Duration::from_millis(100)).await,
            Err(e) => return Err(Error::kube(format!("get pod/{name} in {namespace}"), e)),
        }
    }
    Ok(())
}

/// Writes what explains a pod's end into `dir`: `pod.yaml` (the object), `events.txt` (its events,
/// oldest first) and `logs.txt` (the container's log, or why there is none). Returns problems met.
pub async fn collect_pod_diagnostics(
    client: &Client,
    namespace: &str,
    name: &str,
    container: &str,
    dir: &Path,
) -> Vec<String> {
    let mut problems = Vec::new();
    if let Err(e) = std::fs::create_dir_all(dir) {
        return vec![format!("create {}: {e}", dir.display())];
    }
    let api: Api<Pod> = Api::namespaced(client.clone(), namespace);
    match api.get_opt(name).await {
        Ok(Some(p)) => {
            let text = serde_yaml::to_string(&p).unwrap_or_default();
            if let Err(e) = std::fs::write(dir.join("pod.yaml"), text) {
                problems.push(format!("write pod.yaml: {e}"));
            }
        }
        Ok(None) => problems.push(format!("pod/{name} is gone")),
        Err(e) => problems.push(format!("get pod/{name}: {}", one_line(&e.to_string()))),
    }
    let events: Api<Event> = Api::namespaced(client.clone(), namespace);
    let lp = ListParams::default().fields(&format!(
        "involvedObject.kind=Pod,involvedObject.name={name}"
    ));
    match events.list(&lp).await {
        Ok(list) => {
            let text = crate::diagnostics::format_events(list.items);
            if let Err(e) = std::fs::write(dir.join("events.txt"), text) {
                problems.push(format!("write events.txt: {e}"));
            }
        }
        Err(e) => problems.push(format!("list events: {}", one_line(&e.to_string()))),
    }
    let lp = LogParams {
        container: Some(container.to_string()),
        tail_lines: Some(2000),
        ..Default::default()
    };
    let logs = match api.logs(name, &lp).await {
        Ok(l) => l,
        Err(e) => format!("(no logs: {})\n", one_line(&e.to_string())),
    };
    if let Err(e) = std::fs::write(dir.join("logs.txt"), logs) {
        problems.push(format!("write logs.txt: {e}"));
    }
    problems
}

/// `KINDTEST_NAMESPACE_PREPARED`: the name of the test namespace the in-cluster runner created for
/// this process (with the harness's labels and a RoleBinding for the pod's service account). The
/// harness adopts that namespace instead of refusing it as "already exists".
pub const ENV_NAMESPACE_PREPARED: &str = "KINDTEST_NAMESPACE_PREPARED";

/// Whether `ns` is the namespace the runner prepared for this process.
pub(crate) fn prepared_for_us(ns: &str) -> bool {
    std::env::var(ENV_NAMESPACE_PREPARED).is_ok_and(|v| v == ns)
}

/// The per-run namespace where the runner pods of run `run_id` live: `kt-runner-<10 hex>`.
pub fn runner_namespace_name(run_id: &str) -> String {
    format!(
        "kt-runner-{:010x}",
        crate::namespace::fnv1a(&["runner", run_id]) & 0xff_ffff_ffff
    )
}

/// The labels every object of run `run_id` carries (managed-by and run).
pub fn run_labels(run_id: &str) -> BTreeMap<String, String> {
    let mut l = BTreeMap::new();
    l.insert(
        crate::MANAGED_BY_LABEL.0.to_string(),
        crate::MANAGED_BY_LABEL.1.to_string(),
    );
    l.insert(
        crate::RUN_LABEL.to_string(),
        crate::namespace::label_value(run_id),
    );
    l
}

/// The label value the harness uses for a test name (`kindtest.dev/test`).
pub fn test_label(test_name: &str) -> String {
    crate::namespace::test_slug(test_name)
}

/// Creates the namespace the harness will use for `test_name` (same name, labels and annotations as
/// the harness's own; the owner annotation names this process, so a sweep leaves it alone while the
/// runner lives). An existing namespace of this run that is not terminating is reused. Returns its name.
pub async fn prepare_test_namespace(
    client: &Client,
    run_id: &str,
    test_name: &str,
    attempt: u32,
) -> Result<String> {
    use k8s_openapi::api::core::v1::Namespace;
    let name = crate::namespace::namespace_name(run_id, test_name, attempt);
    let spec = crate::namespace::NamespaceSpec {
        name: &name,
        run_id,
        test_name,
        attempt,
    };
    let obj = crate::namespace::namespace_object(&spec);
    let api: Api<Namespace> = Api::all(client.clone());
    match api.create(&PostParams::default(), &obj).await {
        Ok(_) => Ok(name),
        Err(kube::Error::Api(s)) if s.code == 409 => {
            let existing = api
                .get_opt(&name)
                .await
                .map_err(|e| Error::kube(format!("get namespace {name}"), e))?;
            if existing.is_some_and(|ns| ns.metadata.deletion_timestamp.is_some()) {
                if !crate::namespace::wait_gone(&api, &name, Duration::from_secs(60)).await? {
                    return Err(Error::Timeout(format!(
                        "namespace {name} from an earlier attempt is still terminating after 60s"
                    )));
                }
                api.create(&PostParams::default(), &obj)
                    .await
                    .map_err(|e| Error::kube(format!("create namespace {name}"), e))?;
            }
            Ok(name)
        }
        Err(e) => Err(Error::kube(format!("create namespace {name}"), e)),
    }
}

/// Deletes a namespace (background, 404 is fine); used when a runner pod never ran its test.
pub async fn delete_namespace(client: &Client, name: &str) -> Result<()> {
    crate::namespace::delete(client, name, Duration::ZERO)
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(status: Value) -> Value {
        json!({"metadata": {"name": "p"}, "spec": {}, "status": status})
    }

    #[test]
    fn spec_carries_everything() {
        let mut r = PodRequest::new("ns", "p", "img:1");
        r.command = vec!["/bin/t".into()];
        r.args = vec!["--exact".into(), "a::b".into(), "--nocapture".into()];
        r.env = vec![("KINDTEST_IN_CLUSTER".into(), "1".into())];
        r.service_account = Some("sa".into());
        r.resources = Some(json!({"limits": {"memory": "64Mi"}}));
        r.node_selector.insert("pool".into(), "e2e".into());
        let p = serde_json::to_value(r.pod().expect("pod")).expect("json");
        assert_eq!(p.pointer("/spec/restartPolicy"), Some(&json!("Never")));
        assert_eq!(p.pointer("/spec/serviceAccountName"), Some(&json!("sa")));
        assert_eq!(p.pointer("/spec/nodeSelector/pool"), Some(&json!("e2e")));
        let c = p.pointer("/spec/containers/0").expect("container");
        assert_eq!(c["args"], json!(["--exact", "a::b", "--nocapture"]));
        assert_eq!(c["command"], json!(["/bin/t"]));
        assert_eq!(c["env"][0]["name"], json!("KINDTEST_IN_CLUSTER"));
        assert_eq!(c["resources"]["limits"]["memory"], json!("64Mi"));
    }

    #[test]
    fn terminal_states() {
        let ok = pod(json!({"phase": "Succeeded", "containerStatuses": [
            {"name": "test", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}));
        assert_eq!(
            classify(&ok, "test"),
            PodState::Done(PodOutcome::Exited {
                code: 0,
                reason: None,
                log_error: None
            })
        );
        let failed = pod(json!({"phase": "Failed", "containerStatuses": [
            {"name": "test", "state": {"terminated": {"exitCode": 3, "reason": "Error"}}}]}));
        assert_eq!(
            classify(&failed, "test"),
            PodState::Done(PodOutcome::Exited {
                code: 3,
                reason: None,
                log_error: None
            })
        );
        let oom = pod(json!({"phase": "Failed", "containerStatuses": [
            {"name": "test", "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}]}));
        let PodState::Done(o) = classify(&oom, "test") else {
            panic!("oom is terminal")
        };
        assert_eq!(o.exit_code(), 137);
        assert_eq!(
            o.failure_line("p").as_deref(),
            Some("pod p: container test OOMKilled (exit code 137)")
        );
        let evicted = pod(json!({"phase": "Failed", "reason": "Evicted",
            "message": "The node was low on resource: memory."}));
        assert_eq!(
            classify(&evicted, "test"),
            PodState::Done(PodOutcome::CannotStart {
                reason: "pod Evicted: The node was low on resource: memory.".into()
            })
        );
    }

    #[test]
    fn start_problems() {
        let pull = pod(json!({"phase": "Pending", "containerStatuses": [
            {"name": "test", "state": {"waiting": {"reason": "ImagePullBackOff",
             "message": "Back-off pulling image \"x:1\"\nmore"}}}]}));
        assert_eq!(
            classify(&pull, "test"),
            PodState::Stuck(
                "container test ImagePullBackOff: Back-off pulling image \"x:1\"; more".into()
            )
        );
        let creating = pod(json!({"phase": "Pending", "containerStatuses": [
            {"name": "test", "state": {"waiting": {"reason": "ContainerCreating"}}}]}));
        assert!(matches!(classify(&creating, "test"), PodState::Starting(_)));
        let unsched = pod(json!({"phase": "Pending", "conditions": [
            {"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
             "message": "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector."}]}));
        assert_eq!(
            classify(&unsched, "test"),
            PodState::Unscheduled(Some(
                "Unschedulable: 0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.".into()
            ))
        );
        let fresh = pod(json!({}));
        assert_eq!(classify(&fresh, "test"), PodState::Unscheduled(None));
        let running = pod(json!({"phase": "Running"}));
        assert_eq!(classify(&running, "test"), PodState::Running);
    }
}
