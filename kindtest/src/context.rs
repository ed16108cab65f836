//! What a test gets: a client, its namespace, and helpers that speak in the test's terms.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Pod, Service};
use kube::api::{
    AttachParams, DynamicObject, ListParams, LogParams, Patch, PatchParams, PostParams,
};
use kube::core::{ApiResource, GroupVersionKind};
use kube::discovery::Scope;
use kube::{Api, Client, Resource};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;

use crate::error::{Error, Result, one_line};
use crate::install::InstallBuilder;
use crate::portforward::PortForward;
use crate::settings::Settings;
use crate::wait::{Condition, KnownKind, ObjectRef, Readiness, pod_problem};

/// Default bound of [`Context::wait_ready`].
pub const DEFAULT_WAIT: Duration = Duration::from_secs(120);
/// Default bound of [`Context::run_job`].
pub const DEFAULT_JOB_WAIT: Duration = Duration::from_secs(300);

/// The field manager used for server-side apply.
pub const FIELD_MANAGER: &str = "kindtest";

pub(crate) struct Inner {
    pub client: Client,
    pub namespace: String,
    pub test_name: String,
    pub settings: Settings,
    pub releases: Mutex<Vec<String>>,
    pub jobs: AtomicU32,
}

/// The test's view of the cluster: a kube [`Client`], its own namespace, and helpers. Cheap to clone.
#[derive(Clone)]
pub struct Context {
    pub(crate) inner: Arc<Inner>,
}

/// Output of [`Context::exec`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOutput {
    /// Exit code (0 on success).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Outcome of [`Context::run_job`]: the job ran to an end (success or not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobOutcome {
    /// Job name.
    pub name: String,
    /// Exit code of the job's container (from its terminated state).
    pub exit_code: i32,
    /// Container logs (empty if the node serves none; see `logs_error`).
    pub logs: String,
    /// Why logs could not be read, if they could not (e.g. on kwok nodes, which run no containers).
    pub logs_error: Option<String>,
}

/// Where a test reaches a Service: cluster DNS in a pod, a port-forward on the host otherwise.
pub struct ServiceHost {
    /// Host name or IP.
    pub host: String,
    /// Port.
    pub port: u16,
    /// The port-forward that serves it, when there is one (dropping it stops forwarding).
    pub forward: Option<PortForward>,
}

impl ServiceHost {
    /// `host:port`.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// `http://host:port`.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.authority())
    }
}

/// The non-empty documents of a YAML stream, as JSON values.
pub(crate) fn parse_yaml_stream(yaml: &str) -> Result<Vec<Value>> {
    let mut docs = Vec::new();
    for (i, doc) in serde_yaml::Deserializer::from_str(yaml).enumerate() {
        let value = <serde_yaml::Value as serde::Deserialize>::deserialize(doc)
            .map_err(|e| Error::Invalid(format!("apply: YAML document {}: {e}", i + 1)))?;
        if value.is_null() {
            continue;
        }
        docs.push(
            serde_json::to_value(&value)
                .map_err(|e| Error::Invalid(format!("apply: YAML document {}: {e}", i + 1)))?,
        );
    }
    Ok(docs)
}

impl Context {
    pub(crate) fn new(
        client: Client,
        namespace: String,
        test_name: String,
        settings: Settings,
    ) -> Self {
        Context {
            inner: Arc::new(Inner {
                client,
                namespace,
                test_name,
                settings,
                releases: Mutex::new(Vec::new()),
                jobs: AtomicU32::new(0),
            }),
        }
    }

    /// The kube client.
    pub fn client(&self) -> Client {
        self.inner.client.clone()
    }

    /// The test's namespace.
    pub fn namespace(&self) -> &str {
        &self.inner.namespace
    }

    /// The test's full name (`module::fn`).
    pub fn test_name(&self) -> &str {
        &self.inner.test_name
    }

    /// The settings read from the environment.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// Whether the cluster's nodes run containers. False on kwok (`KINDTEST_PROVIDER=kwok`), whose
    /// simulated pods become Ready and Jobs complete, but port-forward, exec and logs have nothing
    /// behind them. Tests that talk to a workload can check this and assert only on objects there.
    pub fn runs_containers(&self) -> bool {
        self.inner.settings.provider.as_deref() != Some("kwok")
    }

    /// Ends a test early as passed, saying why on stderr: `kindtest: e2e::name: skipped: <reason>`
    /// (and in the run's `skipped.txt`). nextest decides what runs when it lists the tests, so a test
    /// cannot turn itself into "skipped" at run time; this makes the skip visible instead of silent.
    ///
    /// ```ignore
    /// if !ctx.runs_containers() {
    ///     return ctx.skip("needs a container listening behind the pod; kwok nodes run none");
    /// }
    /// ```
    pub fn skip(&self, reason: &str) -> Result<()> {
        let line = format!("{}: skipped: {}", self.test_name(), one_line(reason));
        eprintln!("kindtest: {line}");
        let s = &self.inner.settings;
        let dir = s
            .diagnostics_base
            .join(crate::settings::sanitize_path(&s.run_id));
        if std::fs::create_dir_all(&dir).is_ok()
            && let Ok(mut f) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(dir.join("skipped.txt"))
        {
            use std::io::Write as _;
            let _ = writeln!(f, "{line}");
        }
        Ok(())
    }

    /// The kindtest profile of the run (`KINDTEST_PROFILE`, set by `cargo kindtest --profile`), if any.
    pub fn profile(&self) -> Option<&str> {
        self.inner.settings.profile.as_deref()
    }

    /// A typed API for namespaced resources in the test namespace.
    pub fn api<K>(&self) -> Api<K>
    where
        K: Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        <K as Resource>::DynamicType: Default,
    {
        Api::namespaced(self.client(), self.namespace())
    }

    /// Runs a future to completion from a synchronous test.
    pub fn block_on<F: std::future::Future>(&self, fut: F) -> F::Output {
        tokio::runtime::Handle::current().block_on(fut)
    }

    /// The reference of an image built for this run (`KINDTEST_IMAGES`), e.g. `demo` →
    /// `kindtest.local/demo:3f2a…`.
    pub fn image(&self, name: &str) -> Result<String> {
        self.inner
            .settings
            .images
            .get(name)
            .cloned()
            .ok_or_else(|| {
                let known: Vec<&str> = self
                    .inner
                    .settings
                    .images
                    .keys()
                    .map(String::as_str)
                    .collect();
                Error::Invalid(format!(
                    "image `{name}` was not built for this run (KINDTEST_IMAGES has: {})",
                    if known.is_empty() {
                        "nothing".to_string()
                    } else {
                        known.join(", ")
                    }
                ))
            })
    }

    /// Starts a Helm install of `chart` (a path, relative ones resolve against the workspace root) into the
    /// test namespace. Await the builder to run it.
    pub fn install(&self, chart: impl AsRef<Path>) -> InstallBuilder {
        InstallBuilder::new(self.clone(), chart.as_ref())
    }

    pub(crate) fn record_release(&self, name: &str) {
        if let Ok(mut r) = self.inner.releases.lock()
            && !r.iter().any(|x| x == name)
        {
            r.push(name.to_string());
        }
    }

    async fn resource_for(&self, api_version: &str, kind: &str) -> Result<(ApiResource, bool)> {
        if let Some(k) = KnownKind::by_gvk(api_version, kind) {
            return Ok((k.api_resource(), k.namespaced));
        }
        let (group, version) = crate::wait::split_api_version(api_version);
        let gvk = GroupVersionKind::gvk(group, version, kind);
        let (ar, caps) = kube::discovery::pinned_kind(&self.inner.client, &gvk)
            .await
            .map_err(|e| Error::kube(format!("discover {api_version} {kind}"), e))?;
        Ok((ar, caps.scope == Scope::Namespaced))
    }

    fn dynamic_api(
        &self,
        ar: &ApiResource,
        namespaced: bool,
        ns: Option<&str>,
    ) -> Api<DynamicObject> {
        if namespaced {
            Api::namespaced_with(self.client(), ns.unwrap_or(self.namespace()), ar)
        } else {
            Api::all_with(self.client(), ar)
        }
    }

    /// Server-side applies every document of a YAML stream (field manager `kindtest`, conflicts forced).
    /// Namespaced objects without a namespace go to the test namespace. Returns `kind/name` of each object.
    pub async fn apply(&self, yaml: &str) -> Result<Vec<String>> {
        let docs = parse_yaml_stream(yaml)?;
        let mut applied = Vec::new();
        for doc in docs {
            applied.push(self.apply_value(doc).await?);
        }
        Ok(applied)
    }

    /// Server-side applies a typed object (e.g. a `ConfigMap` built in Rust); returns the object as stored.
    pub async fn apply_object<K>(&self, obj: &K) -> Result<K>
    where
        K: Resource + Serialize + DeserializeOwned,
        <K as Resource>::DynamicType: Default,
    {
        let v = serde_json::to_value(obj).map_err(|e| Error::Invalid(format!("apply: {e}")))?;
        let mut v = v;
        if v.get("apiVersion").is_none() {
            let dt = Default::default();
            v["apiVersion"] = json!(K::api_version(&dt));
            v["kind"] = json!(K::kind(&dt));
        }
        let stored = self.apply_value_raw(v).await?;
        serde_json::from_value(stored)
            .map_err(|e| Error::Invalid(format!("apply: decode answer: {e}")))
    }

    async fn apply_value(&self, v: Value) -> Result<String> {
        let kind = v
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let name = v
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        self.apply_value_raw(v).await?;
        Ok(format!("{}/{}", kind.to_ascii_lowercase(), name))
    }

    async fn apply_value_raw(&self, mut v: Value) -> Result<Value> {
        let api_version = v
            .get("apiVersion")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::Invalid("apply: object without apiVersion".into()))?
            .to_string();
        let kind = v
            .get("kind")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::Invalid("apply: object without kind".into()))?
            .to_string();
        let name = v
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::Invalid(format!("apply: {kind} without metadata.name")))?
            .to_string();
        let (ar, namespaced) = self.resource_for(&api_version, &kind).await?;
        let ns = if namespaced {
            let ns = v
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or(self.namespace())
                .to_string();
            v["metadata"]["namespace"] = json!(ns);
            Some(ns)
        } else {
            None
        };
        let obj: DynamicObject = serde_json::from_value(v)
            .map_err(|e| Error::Invalid(format!("apply {kind}/{name}: {e}")))?;
        let api = self.dynamic_api(&ar, namespaced, ns.as_deref());
        let pp = PatchParams::apply(FIELD_MANAGER).force();
        let stored = api
            .patch(&name, &pp, &Patch::Apply(&obj))
            .await
            .map_err(|e| Error::kube(format!("apply {}/{name}", kind.to_ascii_lowercase()), e))?;
        serde_json::to_value(stored).map_err(|e| Error::Invalid(format!("apply: {e}")))
    }

    /// The object `kind/name` in the test namespace as JSON, or `None` if it does not exist.
    pub async fn get(&self, target: &str) -> Result<Option<Value>> {
        let r = ObjectRef::parse(target)?;
        self.get_ref(&r).await
    }

    pub(crate) async fn get_ref(&self, r: &ObjectRef) -> Result<Option<Value>> {
        let api = self.dynamic_api(&r.kind.api_resource(), r.kind.namespaced, None);
        let obj = api
            .get_opt(&r.name)
            .await
            .map_err(|e| Error::kube(format!("get {r}"), e))?;
        Ok(match obj {
            None => None,
            Some(o) => {
                let mut v = serde_json::to_value(o).map_err(|e| Error::Invalid(e.to_string()))?;
                if v.get("kind").is_none() {
                    v["kind"] = json!(r.kind.kind);
                }
                Some(v)
            }
        })
    }

    /// Waits (up to 120 s) until every target (`deployment/web`, `job/migrate`, `pod/x`, ...) is ready
    /// by its kind's rules (see [`crate::readiness`]). On timeout the error names each pending object,
    /// why it is pending, and the failing pods behind workloads.
    pub async fn wait_ready(&self, targets: &[&str]) -> Result<()> {
        self.wait_ready_within(targets, DEFAULT_WAIT).await
    }

    /// [`Context::wait_ready`] with an explicit bound.
    pub async fn wait_ready_within(&self, targets: &[&str], timeout: Duration) -> Result<()> {
        let refs = targets
            .iter()
            .map(|t| ObjectRef::parse(t))
            .collect::<Result<Vec<_>>>()?;
        let start = Instant::now();
        let deadline = start + timeout;
        let mut delay = Duration::from_millis(100);
        loop {
            let mut pending = Vec::new();
            for r in &refs {
                let obj = self.get_ref(r).await?;
                let state = match &obj {
                    None => Readiness::no("not found"),
                    Some(o) => crate::wait::readiness(o),
                };
                if state.terminal {
                    let pods = self.pod_problems_for(r).await;
                    return Err(Error::Other(format!("{r} failed: {}{pods}", state.reason)));
                }
                if !state.ready {
                    pending.push((r, state.reason));
                }
            }
            if pending.is_empty() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                let mut parts = Vec::new();
                for (r, reason) in &pending {
                    let pods = self.pod_problems_for(r).await;
                    parts.push(format!("{r} ({reason}{pods})"));
                }
                return Err(Error::Timeout(format!(
                    "{} of {} not ready after {}s: {}",
                    pending.len(),
                    refs.len(),
                    timeout.as_secs(),
                    parts.join(", ")
                )));
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(1));
        }
    }

    /// Waits until `condition` holds for `target`; returns the object (JSON; `Null` when the condition
    /// was [`Condition::deleted`]). On timeout: `<target> not <condition> after Ns: <why>`.
    pub async fn wait_for(
        &self,
        target: &str,
        condition: Condition,
        timeout: Duration,
    ) -> Result<Value> {
        let r = ObjectRef::parse(target)?;
        let deadline = Instant::now() + timeout;
        let mut delay = Duration::from_millis(100);
        loop {
            let obj = self.get_ref(&r).await?;
            let state = (condition.check)(obj.as_ref());
            if state.ready {
                return Ok(obj.unwrap_or(Value::Null));
            }
            if state.terminal {
                return Err(Error::Other(format!(
                    "{r} can no longer become {}: {}",
                    condition.description, state.reason
                )));
            }
            if Instant::now() >= deadline {
                let pods = self.pod_problems_for(&r).await;
                return Err(Error::Timeout(format!(
                    "{r} not {} after {}s: {}{pods}",
                    condition.description,
                    timeout.as_secs(),
                    state.reason
                )));
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(1));
        }
    }

    /// One line naming every workload (Deployment, StatefulSet, DaemonSet, Job) in the namespace that is
    /// not ready, with why and its failing pods; empty when all are ready.
    pub async fn not_ready_summary(&self) -> String {
        let mut parts = Vec::new();
        for word in ["deployment", "statefulset", "daemonset", "job"] {
            let Some(kind) = KnownKind::lookup(word) else {
                continue;
            };
            let api = self.dynamic_api(&kind.api_resource(), true, None);
            let Ok(list) = api.list(&ListParams::default()).await else {
                continue;
            };
            for o in list.items {
                let name = o.metadata.name.clone().unwrap_or_default();
                let mut v = serde_json::to_value(&o).unwrap_or(Value::Null);
                v["kind"] = json!(kind.kind);
                let state = crate::wait::readiness(&v);
                if !state.ready {
                    let r = ObjectRef { kind, name };
                    let pods = self.pod_problems_for(&r).await;
                    parts.push(format!("{r} ({}{pods})", state.reason));
                }
            }
        }
        parts.join(", ")
    }

    /// `; pod a: reason; pod b: reason` for the pods behind a workload that are not ready (by name
    /// prefix, as ReplicaSets and StatefulSets name their pods), at most three.
    async fn pod_problems_for(&self, r: &ObjectRef) -> String {
        let prefix = match r.kind.kind {
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => {
                format!("{}-", r.name)
            }
            _ => return String::new(),
        };
        let pods: Api<Pod> = self.api();
        let Ok(list) = pods.list(&ListParams::default()).await else {
            return String::new();
        };
        let mut out = String::new();
        let mut n = 0;
        for p in list.items {
            let name = p.metadata.name.clone().unwrap_or_default();
            if !name.starts_with(&prefix) {
                continue;
            }
            let v = serde_json::to_value(&p).unwrap_or(Value::Null);
            if let Some(problem) = pod_problem(&v) {
                n += 1;
                if n <= 3 {
                    out.push_str(&format!("; pod {name}: {problem}"));
                }
            }
        }
        if n > 3 {
            out.push_str(&format!("; and {} more pods", n - 3));
        }
        out
    }

    /// Resolves `pod/x`, `service/x`, `deployment/x` (or any workload with a selector) and a port into a
    /// running pod and the container port to reach.
    pub(crate) async fn resolve_pod_port(&self, target: &str, port: u16) -> Result<(String, u16)> {
        let r = ObjectRef::parse(target)?;
        if r.kind.kind == "Pod" {
            return Ok((r.name, port));
        }
        let obj = self
            .get_ref(&r)
            .await?
            .ok_or_else(|| Error::Invalid(format!("{r} not found in {}", self.namespace())))?;
        let (selector, target_port) = if r.kind.kind == "Service" {
            let svc: Service = serde_json::from_value(obj.clone())
                .map_err(|e| Error::Invalid(format!("{r}: {e}")))?;
            let spec = svc.spec.unwrap_or_default();
            let sp = spec
                .ports
                .unwrap_or_default()
                .into_iter()
                .find(|p| p.port == i32::from(port))
                .ok_or_else(|| Error::Invalid(format!("{r} has no port {port}")))?;
            let tp = sp.target_port.clone();
            (spec.selector.unwrap_or_default(), tp)
        } else {
            let labels: BTreeMap<String, String> = obj
                .pointer("/spec/selector/matchLabels")
                .and_then(|v| serde_json::from_value(v.clone()).ok())
                .unwrap_or_default();
            (labels, None)
        };
        if selector.is_empty() {
            return Err(Error::Invalid(format!("{r} has no pod selector")));
        }
        let sel = selector
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",");
        let pods: Api<Pod> = self.api();
        let list = pods
            .list(&ListParams::default().labels(&sel))
            .await
            .map_err(|e| Error::kube(format!("list pods of {r}"), e))?;
        let pod = list
            .items
            .iter()
            .find(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
            .ok_or_else(|| Error::Invalid(format!("{r}: no running pod matches {sel}")))?;
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
        let container_port = match target_port {
            None => port,
            Some(IntOrString::Int(p)) => {
                u16::try_from(p).map_err(|_| Error::Invalid(format!("{r}: bad targetPort {p}")))?
            }
            Some(IntOrString::String(named)) => pod
                .spec
                .as_ref()
                .into_iter()
                .flat_map(|s| s.containers.iter())
                .flat_map(|c| c.ports.iter().flatten())
                .find(|p| p.name.as_deref() == Some(named.as_str()))
                .and_then(|p| u16::try_from(p.container_port).ok())
                .ok_or_else(|| {
                    Error::Invalid(format!("{r}: pod {pod_name} has no port named {named}"))
                })?,
        };
        Ok((pod_name, container_port))
    }

    /// Forwards a local port (127.0.0.1, chosen by the OS) to `port` of `target` (`pod/x`, `service/x`,
    /// `deployment/x`), in process with kube-rs (no kubectl child). The first stream is opened eagerly,
    /// so a target that cannot be reached fails here, not on first use.
    pub async fn port_forward(&self, target: &str, port: u16) -> Result<PortForward> {
        let (pod, container_port) = self.resolve_pod_port(target, port).await?;
        PortForward::start(self.api(), pod, container_port, target.to_string()).await
    }

    /// Runs `command` in the first container of `pod` and returns its exit code and output.
    pub async fn exec(&self, pod: &str, command: &[&str]) -> Result<ExecOutput> {
        let pods: Api<Pod> = self.api();
        let ap = AttachParams::default()
            .stdin(false)
            .stdout(true)
            .stderr(true);
        let mut proc = pods
            .exec(
                pod,
                command.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                &ap,
            )
            .await
            .map_err(|e| Error::kube(format!("exec {:?} in pod/{pod}", command.join(" ")), e))?;
        let mut out = proc.stdout();
        let mut err = proc.stderr();
        let status = proc.take_status();
        let (o, e) = tokio::join!(
            async {
                let mut s = String::new();
                if let Some(r) = out.as_mut() {
                    let _ = r.read_to_string(&mut s).await;
                }
                s
            },
            async {
                let mut s = String::new();
                if let Some(r) = err.as_mut() {
                    let _ = r.read_to_string(&mut s).await;
                }
                s
            }
        );
        let status = match status {
            Some(f) => f.await,
            None => None,
        };
        let _ = proc.join().await;
        let code = match status {
            None => 0,
            Some(s) if s.status.as_deref() == Some("Success") => 0,
            Some(s) => s
                .details
                .and_then(|d| d.causes)
                .into_iter()
                .flatten()
                .find(|c| c.reason.as_deref() == Some("ExitCode"))
                .and_then(|c| c.message)
                .and_then(|m| m.parse().ok())
                .unwrap_or(1),
        };
        Ok(ExecOutput {
            code,
            stdout: o,
            stderr: e,
        })
    }

    /// Current logs of the first container of `pod`.
    pub async fn logs(&self, pod: &str) -> Result<String> {
        self.logs_of(pod, None, false, None).await
    }

    /// Logs of one container: `previous` for the last terminated instance, `tail` lines at most.
    pub async fn logs_of(
        &self,
        pod: &str,
        container: Option<&str>,
        previous: bool,
        tail: Option<i64>,
    ) -> Result<String> {
        let pods: Api<Pod> = self.api();
        let lp = LogParams {
            container: container.map(str::to_string),
            previous,
            tail_lines: tail,
            ..Default::default()
        };
        pods.logs(pod, &lp).await.map_err(|e| {
            Error::kube(
                format!(
                    "logs of pod/{pod}{}{}",
                    container
                        .map(|c| format!(" container {c}"))
                        .unwrap_or_default(),
                    if previous { " (previous)" } else { "" }
                ),
                e,
            )
        })
    }

    /// Runs `command` in `image` as a Job (no retries) and waits (up to 300 s) for it to finish.
    /// `image` may be the name of an image built for the run (`KINDTEST_IMAGES`). A non-zero exit is not an
    /// error: check [`JobOutcome::exit_code`].
    pub async fn run_job(&self, image: &str, command: &[&str]) -> Result<JobOutcome> {
        self.run_job_within(image, command, DEFAULT_JOB_WAIT).await
    }

    /// [`Context::run_job`] with an explicit bound.
    pub async fn run_job_within(
        &self,
        image: &str,
        command: &[&str],
        timeout: Duration,
    ) -> Result<JobOutcome> {
        let image = self
            .inner
            .settings
            .images
            .get(image)
            .cloned()
            .unwrap_or_else(|| image.to_string());
        let n = self.inner.jobs.fetch_add(1, Ordering::Relaxed) + 1;
        let name = format!("kt-job-{n}");
        let job: Job = serde_json::from_value(json!({
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": name, "labels": {"app.kubernetes.io/managed-by": "kindtest"}},
            "spec": {
                "backoffLimit": 0,
                "template": {
                    "metadata": {"labels": {"app.kubernetes.io/managed-by": "kindtest"}},
                    "spec": {
                        "restartPolicy": "Never",
                        "containers": [{"name": "job", "image": image, "command": command,
                                        "imagePullPolicy": "IfNotPresent"}]
                    }
                }
            }
        }))
        .map_err(|e| Error::Invalid(format!("job spec: {e}")))?;
        let jobs: Api<Job> = self.api();
        jobs.create(&PostParams::default(), &job)
            .await
            .map_err(|e| Error::kube(format!("create job/{name}"), e))?;
        // The Job's pod, then the path shared with the in-cluster runner (`podrun`): exit code from
        // the container, a one-line reason when it cannot run, logs followed (tolerated missing).
        let pods: Api<Pod> = self.api();
        let deadline = Instant::now() + timeout;
        let pod_name = loop {
            let list = pods
                .list(&ListParams::default().labels(&format!("job-name={name}")))
                .await
                .map_err(|e| Error::kube(format!("list pods of job/{name}"), e))?;
            if let Some(p) = list.items.into_iter().next() {
                break p.metadata.name.unwrap_or_default();
            }
            if Instant::now() >= deadline {
                let why = self
                    .get(&format!("job/{name}"))
                    .await
                    .ok()
                    .flatten()
                    .map(|j| crate::wait::readiness(&j).reason)
                    .unwrap_or_default();
                return Err(Error::Timeout(format!(
                    "job/{name} created no pod in {}s{}",
                    timeout.as_secs(),
                    if why.is_empty() {
                        String::new()
                    } else {
                        format!(": {why}")
                    }
                )));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let opts = crate::podrun::WaitOptions {
            start_timeout: timeout,
            run_timeout: Some(timeout),
            ..Default::default()
        };
        let (outcome, _) = crate::podrun::wait_pod(
            &self.inner.client,
            self.namespace(),
            &pod_name,
            "job",
            &opts,
            crate::podrun::LogSink::Buffer(buffer.clone()),
        )
        .await?;
        let exit_code = match &outcome {
            crate::podrun::PodOutcome::Exited { code, .. } => *code,
            crate::podrun::PodOutcome::CannotStart { reason } => {
                return Err(Error::Other(format!(
                    "job/{name}: pod {pod_name} could not run: {reason}"
                )));
            }
        };
        let streamed = buffer.lock().map(|b| b.clone()).unwrap_or_default();
        let (logs, logs_error) = if !streamed.is_empty() {
            (String::from_utf8_lossy(&streamed).into_owned(), None)
        } else {
            // Nothing streamed (a very short container, or a node serving no logs): read them once.
            match self.logs_of(&pod_name, Some("job"), false, None).await {
                Ok(l) => (l, None),
                Err(e) => (
                    String::new(),
                    outcome
                        .log_error()
                        .map(str::to_string)
                        .or_else(|| Some(one_line(&e.to_string()))),
                ),
            }
        };
        if exit_code == 0 || !self.inner.settings.keep.keeps(false) {
            let jobs: Api<Job> = self.api();
            let _ = jobs
                .delete(&name, &kube::api::DeleteParams::background())
                .await;
        }
        Ok(JobOutcome {
            name,
            exit_code,
            logs,
            logs_error,
        })
    }

    /// How to reach Service `name` on `port`: `name.<ns>.svc.cluster.local:port` when the tests run in a
    /// pod (`KINDTEST_IN_CLUSTER=1`), else a port-forward to one of its pods on `127.0.0.1`.
    pub async fn service_host(&self, name: &str, port: u16) -> Result<ServiceHost> {
        if self.inner.settings.in_cluster {
            let svc: Api<Service> = self.api();
            svc.get(name)
                .await
                .map_err(|e| Error::kube(format!("get service/{name}"), e))?;
            return Ok(ServiceHost {
                host: format!("{name}.{}.svc.cluster.local", self.namespace()),
                port,
                forward: None,
            });
        }
        let pf = self.port_forward(&format!("service/{name}"), port).await?;
        Ok(ServiceHost {
            host: pf.local_addr().ip().to_string(),
            port: pf.local_addr().port(),
            forward: Some(pf),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_streams() {
        let docs =
            parse_yaml_stream("---\na: 1\n---\n# only a comment\n---\nb: [x]\n").expect("parses");
        assert_eq!(docs, vec![json!({"a": 1}), json!({"b": ["x"]})]);
        let err = parse_yaml_stream("a: 1\n---\nb: [\n").expect_err("bad yaml");
        assert!(
            err.to_string().starts_with("apply: YAML document 2:"),
            "{err}"
        );
    }
}
