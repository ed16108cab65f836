//! The nextest target runner: `cargo-kindtest kindtest in-cluster-runner <test binary> <args…>`.
//!
//! Same argv in, same output and exit code out:
//! - `--list …` (nextest's discovery) runs the binary on the host (`exec`, nothing in between);
//! - anything else (`--exact NAME --nocapture [--ignored]`) runs as a pod: image
//!   [`super::ENV_RUNNER_IMAGE`], command `/kindtest/bin/<binary file name>`, args exactly as given,
//!   working directory the package's directory under `/kindtest/src`, env `KINDTEST_IN_CLUSTER=1` plus
//!   the run's `KINDTEST_*`/`NEXTEST_*` variables (host paths replaced), service account
//!   `kindtest-runner` (see [`super::rbac`]), the profile's resources and node selector;
//! - the container's log is copied to stdout as it arrives (nextest captures it as the test's output);
//! - the process exits with the container's exit code; a pod that cannot run prints
//!   `Error: kindtest in-cluster: pod P could not run: <reason>` (one line, which nextest puts in the
//!   JUnit message) and exits 1; events, the pod object and logs go to
//!   `<diagnostics>/<run>/<test>/runner/`;
//! - SIGTERM (nextest's timeout) or SIGINT (Ctrl-C) deletes the pod (grace period 5 s, so the harness
//!   in it deletes its namespace) and the test namespace, then exits 128+signal.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kindtest::kube::Client;
use kindtest::podrun::{self, LogSink, PodOutcome, PodRequest, WaitOptions};
use serde_json::Value;

use super::{IMAGE_BIN_DIR, IMAGE_WORKSPACE, POD_DIAGNOSTICS_DIR};

/// Everything the runner reads: argv and environment, parsed once (pure, testable).
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The test binary on the host.
    pub binary: PathBuf,
    /// Its arguments, as nextest gave them.
    pub args: Vec<String>,
    /// The environment the runner was started with.
    pub env: BTreeMap<String, String>,
    /// The runner's working directory (nextest: the package directory).
    pub cwd: PathBuf,
}

impl Invocation {
    /// From this process (`argv` after the subcommand word).
    pub fn from_process(rest: &[OsString]) -> Result<Invocation, String> {
        let (bin, args) = rest.split_first().ok_or_else(|| {
            format!(
                "usage: cargo-kindtest kindtest {} <test binary> [args...]",
                super::RUNNER_SUBCOMMAND
            )
        })?;
        Ok(Invocation {
            binary: PathBuf::from(bin),
            args: args
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect(),
            env: std::env::vars().collect(),
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        })
    }

    fn var(&self, k: &str) -> Option<&str> {
        self.env
            .get(k)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    /// A listing (runs on the host).
    pub fn is_list(&self) -> bool {
        self.args.iter().any(|a| a == "--list")
    }

    /// The test name (`--exact NAME`, else `NEXTEST_TEST_NAME`).
    pub fn test_name(&self) -> Option<String> {
        let mut it = self.args.iter();
        while let Some(a) = it.next() {
            if a == "--exact" {
                continue;
            }
            if !a.starts_with('-') {
                return Some(a.clone());
            }
            if matches!(
                a.as_str(),
                "--skip" | "--format" | "--test-threads" | "--color"
            ) {
                it.next();
            }
        }
        self.var("NEXTEST_TEST_NAME").map(str::to_string)
    }

    /// The run id (`KINDTEST_RUN_ID`, else `NEXTEST_RUN_ID`).
    pub fn run_id(&self) -> Option<String> {
        self.var("KINDTEST_RUN_ID")
            .or_else(|| self.var("NEXTEST_RUN_ID"))
            .map(str::to_string)
    }

    /// nextest attempt (1 for the first try).
    pub fn attempt(&self) -> u32 {
        self.var("NEXTEST_ATTEMPT")
            .and_then(|a| a.parse().ok())
            .unwrap_or(1)
    }

    fn workspace_root(&self) -> Option<PathBuf> {
        self.var("KINDTEST_WORKSPACE_ROOT")
            .or_else(|| self.var("NEXTEST_WORKSPACE_ROOT"))
            .map(PathBuf::from)
    }

    /// A host path under the workspace, as the pod sees it.
    fn in_image(&self, p: &Path) -> Option<String> {
        let root = self.workspace_root()?;
        let rel = p.strip_prefix(&root).ok()?;
        let mut s = IMAGE_WORKSPACE.to_string();
        for c in rel.components() {
            s.push('/');
            s.push_str(&c.as_os_str().to_string_lossy());
        }
        Some(s)
    }

    /// The environment of the test container: what the harness needs, host paths replaced.
    pub fn pod_env(&self, prepared_namespace: &str) -> Vec<(String, String)> {
        const HOST_ONLY: &[&str] = &[
            "KINDTEST_KUBECONFIG",
            "KINDTEST_CONTEXT",
            "KINDTEST_HELM",
            "KINDTEST_DIAGNOSTICS_DIR",
            "KINDTEST_WORKSPACE_ROOT",
            "KINDTEST_ARTIFACTS",
            "KINDTEST_IN_CLUSTER",
            "KINDTEST_RUN_ID",
            podrun::ENV_NAMESPACE_PREPARED,
            "NEXTEST_WORKSPACE_ROOT",
            "NEXTEST_ENV",
            "NEXTEST_BIN_EXE_DIR",
        ];
        let mut env: Vec<(String, String)> = vec![
            ("KINDTEST_IN_CLUSTER".into(), "1".into()),
            ("KINDTEST_RUN_ID".into(), self.run_id().unwrap_or_default()),
            (
                podrun::ENV_NAMESPACE_PREPARED.into(),
                prepared_namespace.into(),
            ),
            ("KINDTEST_WORKSPACE_ROOT".into(), IMAGE_WORKSPACE.into()),
            ("NEXTEST_WORKSPACE_ROOT".into(), IMAGE_WORKSPACE.into()),
            (
                "KINDTEST_DIAGNOSTICS_DIR".into(),
                POD_DIAGNOSTICS_DIR.into(),
            ),
        ];
        for (k, v) in &self.env {
            let pass = (k.starts_with("KINDTEST_") && !k.starts_with("KINDTEST_RUNNER_"))
                || k.starts_with("NEXTEST_")
                || k.starts_with("CARGO_PKG_")
                || matches!(
                    k.as_str(),
                    "RUST_BACKTRACE" | "RUST_LOG" | "CARGO_CRATE_NAME"
                );
            if pass && !HOST_ONLY.contains(&k.as_str()) {
                env.push((k.clone(), v.clone()));
            }
        }
        if let Some(helm) = self.var(super::ENV_RUNNER_HELM) {
            env.push(("KINDTEST_HELM".into(), helm.to_string()));
        }
        if let Some(dir) = self
            .var("CARGO_MANIFEST_DIR")
            .and_then(|d| self.in_image(Path::new(d)))
        {
            env.push(("CARGO_MANIFEST_DIR".into(), dir));
        }
        env
    }

    fn json_var<T: serde::de::DeserializeOwned>(&self, k: &str) -> Result<Option<T>, String> {
        match self.var(k) {
            None => Ok(None),
            Some(v) => serde_json::from_str(v)
                .map(Some)
                .map_err(|e| format!("{k}: {e}")),
        }
    }

    /// The pod for this test (`namespace` = the runner namespace, `prepared` = the test namespace).
    pub fn pod_request(
        &self,
        image: &str,
        pod_name: &str,
        prepared: &str,
    ) -> Result<PodRequest, String> {
        let run_id = self
            .run_id()
            .ok_or("no run id (KINDTEST_RUN_ID / NEXTEST_RUN_ID)")?;
        let test = self.test_name().unwrap_or_default();
        let file = self
            .binary
            .file_name()
            .ok_or_else(|| format!("{}: not a file path", self.binary.display()))?
            .to_string_lossy()
            .into_owned();
        let mut r = PodRequest::new(podrun::runner_namespace_name(&run_id), pod_name, image);
        r.command = vec![format!("{IMAGE_BIN_DIR}/{file}")];
        r.args = self.args.clone();
        r.env = self.pod_env(prepared);
        r.working_dir = self.in_image(&self.cwd).or(Some(IMAGE_WORKSPACE.into()));
        r.service_account = Some(super::rbac::SERVICE_ACCOUNT.into());
        r.resources = self.json_var::<Value>(super::ENV_RUNNER_RESOURCES)?;
        r.node_selector = self
            .json_var(super::ENV_RUNNER_NODE_SELECTOR)?
            .unwrap_or_default();
        r.termination_grace_seconds = Some(15);
        r.labels = podrun::run_labels(&run_id);
        r.labels
            .insert("kindtest.dev/test".into(), podrun::test_label(&test));
        r.labels
            .insert("kindtest.dev/role".into(), "test-process".into());
        r.annotations
            .insert(kindtest::TEST_ANNOTATION.into(), test.clone());
        r.annotations
            .insert("kindtest.dev/test-namespace".into(), prepared.into());
        let extra: BTreeMap<String, String> = self
            .json_var(super::ENV_RUNNER_POD_ANNOTATIONS)?
            .unwrap_or_default();
        r.annotations.extend(extra);
        // TEST HOOK (see super::ENV_RUNNER_TEST_ANNOTATIONS): per-test annotations, only when set.
        let per_test: BTreeMap<String, BTreeMap<String, String>> = self
            .json_var(super::ENV_RUNNER_TEST_ANNOTATIONS)?
            .unwrap_or_default();
        if let Some(a) = per_test.get(&test) {
            r.annotations.extend(a.clone());
        }
        Ok(r)
    }

    fn wait_options(&self) -> WaitOptions {
        let secs = |k: &str, d: u64| {
            self.var(k)
                .and_then(|v| v.parse::<u64>().ok())
                .map(Duration::from_secs)
                .unwrap_or(Duration::from_secs(d))
        };
        WaitOptions {
            start_timeout: secs(super::ENV_RUNNER_START_TIMEOUT, 300),
            unschedulable_grace: secs(super::ENV_RUNNER_UNSCHEDULABLE_GRACE, 5),
            ..WaitOptions::default()
        }
    }

    fn diagnostics_dir(&self, test: &str) -> PathBuf {
        let base = self
            .var("KINDTEST_DIAGNOSTICS_DIR")
            .map(PathBuf::from)
            .or_else(|| {
                self.workspace_root()
                    .map(|r| r.join("target").join("kindtest"))
            })
            .unwrap_or_else(|| PathBuf::from("target/kindtest"));
        kindtest::test_diagnostics_dir(&base, &self.run_id().unwrap_or_default(), test)
            .join("runner")
    }
}

/// The pod name for a test: `kt-run-<slug>-<10 hex of run, test, attempt>` (≤ 63 characters).
pub fn pod_name(run_id: &str, test: &str, attempt: u32) -> String {
    // Same shape as the harness's namespace names, with a distinct prefix.
    let ns = kindtest::namespace_name(&format!("pod:{run_id}"), test, attempt);
    let name = format!("kt-run-{}", ns.trim_start_matches("kt-"));
    let mut n: String = name.chars().take(63).collect();
    while n.ends_with('-') {
        n.pop();
    }
    n
}

fn fail(msg: &str) -> i32 {
    let line = msg.replace('\n', "; ");
    eprintln!("\nError: kindtest in-cluster: {line}");
    let _ = std::io::stderr().flush();
    1
}

/// Entry point: returns the exit code (or never returns for a host `--list`, which `exec`s).
pub fn main(rest: &[OsString]) -> i32 {
    let inv = match Invocation::from_process(rest) {
        Ok(i) => i,
        Err(e) => return fail(&e),
    };
    if inv.is_list() {
        use std::os::unix::process::CommandExt;
        let err = std::process::Command::new(&inv.binary)
            .args(&inv.args)
            .exec();
        return fail(&format!("cannot run {}: {err}", inv.binary.display()));
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("tokio runtime: {e}")),
    };
    let code = rt.block_on(run_in_pod(inv));
    rt.shutdown_timeout(Duration::from_secs(1));
    code
}

async fn client_from_env() -> Result<Client, String> {
    let settings = kindtest::Settings::from_env().map_err(|e| e.to_string())?;
    let mut settings = settings;
    // The runner itself is on the host, whatever the tests are told.
    settings.in_cluster = false;
    let config = settings.kube_config().await.map_err(|e| e.to_string())?;
    Client::try_from(config).map_err(|e| format!("kube client: {e}"))
}

fn timing_line(inv: &Invocation, line: &Value) {
    if inv.var("KINDTEST_TIMINGS").is_none_or(|v| v != "1") {
        return;
    }
    eprintln!("kindtest-runner-timing: {line}");
    let dir = inv.diagnostics_dir("x");
    if let Some(run_dir) = dir.parent().and_then(Path::parent)
        && std::fs::create_dir_all(run_dir).is_ok()
        && let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(run_dir.join("runner-timings.jsonl"))
    {
        let _ = writeln!(f, "{line}");
    }
}

async fn run_in_pod(inv: Invocation) -> i32 {
    use tokio::signal::unix::{SignalKind, signal};
    let t0 = Instant::now();
    let Some(image) = inv.var(super::ENV_RUNNER_IMAGE).map(str::to_string) else {
        return fail(&format!(
            "{} is not set (run the tests with `cargo kindtest --in-cluster`)",
            super::ENV_RUNNER_IMAGE
        ));
    };
    let Some(run_id) = inv.run_id() else {
        return fail("no run id: KINDTEST_RUN_ID or NEXTEST_RUN_ID must be set");
    };
    let Some(test) = inv.test_name() else {
        return fail("no test name: expected `--exact NAME` or NEXTEST_TEST_NAME");
    };
    let client = match client_from_env().await {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    let admin = inv
        .var(super::ENV_RUNNER_CLUSTER_ADMIN)
        .is_some_and(|v| v == "1" || v == "true");
    if let Err(e) = super::rbac::ensure_run_objects(&client, &run_id, admin).await {
        return fail(&format!("preparing the runner namespace: {e}"));
    }
    let test_ns = match podrun::prepare_test_namespace(&client, &run_id, &test, inv.attempt()).await
    {
        Ok(n) => n,
        Err(e) => return fail(&format!("preparing the test namespace: {e}")),
    };
    if let Err(e) =
        super::rbac::apply(&client, &super::rbac::test_role_binding(&run_id, &test_ns)).await
    {
        let _ = podrun::delete_namespace(&client, &test_ns).await;
        return fail(&format!("granting the runner rights in {test_ns}: {e}"));
    }
    let name = pod_name(&run_id, &test, inv.attempt());
    let req = match inv.pod_request(&image, &name, &test_ns) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    let runner_ns = req.namespace.clone();
    // A pod left by an earlier process with the same run id and attempt (fixed KINDTEST_RUN_ID).
    let _ = podrun::delete_pod(&client, &runner_ns, &name, Some(0), Duration::from_secs(30)).await;
    let prepared_ms = t0.elapsed().as_millis();
    if let Err(e) = req.create(&client).await {
        let _ = podrun::delete_namespace(&client, &test_ns).await;
        return fail(&e.to_string());
    }
    let created_ms = t0.elapsed().as_millis();
    let (mut sigterm, mut sigint) = match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        _ => return fail("cannot install signal handlers"),
    };
    let opts = inv.wait_options();
    let wait = podrun::wait_pod(
        &client,
        &runner_ns,
        &name,
        &req.container,
        &opts,
        LogSink::Stdout,
    );
    tokio::pin!(wait);
    let signalled = tokio::select! {
        r = &mut wait => Ok(r),
        _ = sigterm.recv() => Err(("SIGTERM", libc::SIGTERM)),
        _ = sigint.recv() => Err(("SIGINT", libc::SIGINT)),
    };
    let (outcome, timings) = match signalled {
        Err((sig, num)) => {
            eprintln!(
                "kindtest in-cluster: {sig}: deleting pod {runner_ns}/{name} and namespace {test_ns}"
            );
            let (a, b) = tokio::join!(
                podrun::delete_pod(&client, &runner_ns, &name, Some(5), Duration::ZERO),
                podrun::delete_namespace(&client, &test_ns)
            );
            if let Err(e) = a.and(b) {
                eprintln!("kindtest in-cluster: {e}");
            }
            let _ = std::io::stderr().flush();
            return 128 + num;
        }
        Ok(Err(e)) => {
            let _ = podrun::delete_pod(&client, &runner_ns, &name, Some(5), Duration::ZERO).await;
            return fail(&format!("watching pod {runner_ns}/{name}: {e}"));
        }
        Ok(Ok(r)) => r,
    };
    let code = outcome.exit_code();
    timing_line(
        &inv,
        &serde_json::json!({
            "test": test,
            "pod": name,
            "prepare_ms": prepared_ms,
            "create_ms": created_ms,
            "started_ms": timings.started.map(|d| d.as_millis() + created_ms),
            "first_log_ms": timings.first_log.map(|d| d.as_millis() + created_ms),
            "finished_ms": timings.finished.as_millis() + created_ms,
            "exit_code": code,
        }),
    );
    let keep_failed = !matches!(inv.var("KINDTEST_KEEP"), Some("never"));
    if code != 0 {
        let dir = inv.diagnostics_dir(&test);
        let problems =
            podrun::collect_pod_diagnostics(&client, &runner_ns, &name, &req.container, &dir).await;
        let shown = dir.display();
        if problems.is_empty() {
            eprintln!("kindtest in-cluster: runner pod diagnostics in {shown}");
        } else {
            eprintln!(
                "kindtest in-cluster: runner pod diagnostics in {shown} (incomplete: {})",
                problems.join("; ")
            );
        }
    }
    let keep = inv.var("KINDTEST_KEEP").unwrap_or("failed");
    if matches!(outcome, PodOutcome::CannotStart { .. }) || (code == 0 && keep != "always") {
        // The harness never ran (or, on a pass, already issued the delete: this is a no-op then;
        // on kwok nodes no harness runs at all), so make sure the namespace made for it goes.
        let _ = podrun::delete_namespace(&client, &test_ns).await;
    }
    if code == 0 || !keep_failed {
        let _ = podrun::delete_pod(&client, &runner_ns, &name, Some(0), Duration::ZERO).await;
    } else {
        eprintln!(
            "kindtest in-cluster: pod {runner_ns}/{name} kept: kubectl -n {runner_ns} describe pod {name}"
        );
    }
    if let Some(line) = outcome.failure_line(&format!("{runner_ns}/{name}")) {
        match &outcome {
            PodOutcome::CannotStart { .. } => return fail(&line),
            PodOutcome::Exited {
                reason: Some(_), ..
            } => {
                eprintln!("kindtest in-cluster: {line}");
            }
            _ => {}
        }
        if let Some(e) = outcome.log_error() {
            eprintln!("kindtest in-cluster: no log from pod {runner_ns}/{name}: {e}");
        }
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inv(args: &[&str], env: &[(&str, &str)]) -> Invocation {
        Invocation {
            binary: PathBuf::from("/ws/target/debug/deps/e2e-0123abcd"),
            args: args.iter().map(|s| s.to_string()).collect(),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            cwd: PathBuf::from("/ws/tests"),
        }
    }

    #[test]
    fn list_and_names() {
        assert!(inv(&["--list", "--format", "terse"], &[]).is_list());
        let i = inv(&["--exact", "e2e::dns", "--nocapture"], &[]);
        assert!(!i.is_list());
        assert_eq!(i.test_name().as_deref(), Some("e2e::dns"));
        let i = inv(&["--nocapture"], &[("NEXTEST_TEST_NAME", "e2e::x")]);
        assert_eq!(i.test_name().as_deref(), Some("e2e::x"));
    }

    #[test]
    fn pod_request_maps_paths_and_env() {
        let i = inv(
            &["--exact", "e2e::dns", "--nocapture"],
            &[
                ("NEXTEST_RUN_ID", "r-1"),
                ("NEXTEST_ATTEMPT", "2"),
                ("NEXTEST_WORKSPACE_ROOT", "/ws"),
                ("KINDTEST_KUBECONFIG", "/home/u/kc"),
                ("KINDTEST_PROVIDER", "kind"),
                ("KINDTEST_RUNNER_IMAGE", "kindtest.local/runner:kt-1"),
                (
                    "KINDTEST_RUNNER_RESOURCES",
                    r#"{"limits":{"memory":"256Mi"}}"#,
                ),
                ("KINDTEST_RUNNER_NODE_SELECTOR", r#"{"pool":"e2e"}"#),
                ("CARGO_MANIFEST_DIR", "/ws/tests"),
                ("HOME", "/home/u"),
            ],
        );
        assert_eq!(i.attempt(), 2);
        let r = i.pod_request("img:1", "p", "kt-dns-1").expect("request");
        assert_eq!(r.command, ["/kindtest/bin/e2e-0123abcd"]);
        assert_eq!(r.args, ["--exact", "e2e::dns", "--nocapture"]);
        assert_eq!(r.working_dir.as_deref(), Some("/kindtest/src/tests"));
        assert_eq!(r.namespace, kindtest::podrun::runner_namespace_name("r-1"));
        assert_eq!(r.service_account.as_deref(), Some("kindtest-runner"));
        assert_eq!(r.node_selector.get("pool").map(String::as_str), Some("e2e"));
        assert_eq!(r.resources.as_ref().unwrap()["limits"]["memory"], "256Mi");
        let env: BTreeMap<_, _> = r.env.iter().cloned().collect();
        assert_eq!(env["KINDTEST_IN_CLUSTER"], "1");
        assert_eq!(env["KINDTEST_RUN_ID"], "r-1");
        assert_eq!(env["KINDTEST_NAMESPACE_PREPARED"], "kt-dns-1");
        assert_eq!(env["KINDTEST_WORKSPACE_ROOT"], "/kindtest/src");
        assert_eq!(env["NEXTEST_WORKSPACE_ROOT"], "/kindtest/src");
        assert_eq!(env["CARGO_MANIFEST_DIR"], "/kindtest/src/tests");
        assert_eq!(env["KINDTEST_PROVIDER"], "kind");
        assert!(!env.contains_key("KINDTEST_KUBECONFIG"));
        assert!(!env.contains_key("KINDTEST_RUNNER_IMAGE"));
        assert!(!env.contains_key("HOME"));
    }

    #[test]
    fn pod_names_are_valid() {
        let n = pod_name(
            "run",
            "e2e::a_very_long_module_name::and_a_long_test_name_too",
            3,
        );
        assert!(n.len() <= 63 && n.starts_with("kt-run-"), "{n}");
        assert_eq!(
            n,
            pod_name(
                "run",
                "e2e::a_very_long_module_name::and_a_long_test_name_too",
                3
            )
        );
        assert_ne!(
            n,
            pod_name(
                "run",
                "e2e::a_very_long_module_name::and_a_long_test_name_too",
                1
            )
        );
    }
}
