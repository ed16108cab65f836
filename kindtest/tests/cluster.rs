//! The harness's own tests against a real control plane (etcd, kube-apiserver, controller-manager,
//! scheduler, kwok nodes; the `controlplane` crate), not a mock API.
//!
//! Cluster: `KINDTEST_KUBECONFIG` if set; otherwise a detached plane under
//! `<target>/kindtest-selftest/plane`, started by the first test process that needs it (others attach),
//! reused by later runs, and stopped by a reaper process after `KINDTEST_SELFTEST_IDLE` seconds (default
//! 300) without a test touching `<target>/kindtest-selftest/lease`.
//!
//! What is checked: namespaces created (labels, `default` ServiceAccount), deleted on pass, kept with
//! diagnostics on failure; 20 tests in parallel under nextest each seeing only its own objects; SIGTERM
//! mid-test deletes the namespace; the sweep of dead runs; `cargo nextest list` / `-E` filter sets; JUnit
//! one-line messages. `bench::overhead` (ignored; run with `--run-ignored only`) prints the per-test
//! overhead at p50/p95 and the wall time of 50 trivial tests at `-j 1` vs `-j 8`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kindtest::Context;
use kindtest::k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use kindtest::kube::{Api, Client};

mod support {
    use super::*;

    /// `<target>` of this build (`<target>/<profile>/deps/cluster-<hash>`).
    /// This crate's directory: the runtime `CARGO_MANIFEST_DIR` that cargo and nextest set, not
    /// the compile-time one. A test binary that cargo finds fresh after the checkout moved
    /// (same sources and target dir, another path) still has the old path compiled in.
    pub fn manifest_dir() -> PathBuf {
        std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
    }

    pub fn target_dir() -> PathBuf {
        let exe = std::env::current_exe().expect("current_exe");
        exe.parent()
            .and_then(Path::parent)
            .and_then(Path::parent)
            .expect("target dir")
            .to_path_buf()
    }

    pub fn selftest_dir() -> PathBuf {
        target_dir().join("kindtest-selftest")
    }

    fn touch_lease() {
        let dir = selftest_dir();
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join("lease"), std::process::id().to_string());
    }

    fn flock(file: &std::fs::File) {
        use std::os::fd::AsRawFd;
        // SAFETY: valid fd; no memory effects.
        unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
    }

    /// Makes sure a cluster is configured for this process (see the module docs); sets
    /// `KINDTEST_KUBECONFIG`, `KINDTEST_PROVIDER`, `KINDTEST_CLUSTER`.
    pub fn ensure_cluster() {
        if std::env::var_os("KINDTEST_KUBECONFIG").is_some() {
            return;
        }
        let dir = selftest_dir();
        std::fs::create_dir_all(&dir).expect("create selftest dir");
        touch_lease();
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("plane.lock"))
            .expect("plane lock");
        flock(&lock);
        let state = dir.join("plane");
        let bins = controlplane::Binaries::locate(None).unwrap_or_else(|e| {
            eprintln!("kindtest selftest: control-plane binaries: {e}");
            std::process::exit(101)
        });
        let kubeconfig = match controlplane::ControlPlane::attach(&state, bins.clone()) {
            Ok(Some(plane)) => {
                let k = plane.kubeconfig_path().to_path_buf();
                plane.leave_running();
                k
            }
            _ => {
                let _ = controlplane::stop_detached(&state);
                std::fs::create_dir_all(&state).expect("state dir");
                let plane = controlplane::ControlPlane::builder()
                    .binaries(bins)
                    .state_dir(&state)
                    .detached(true)
                    .handle_signals(false)
                    .quiet(true)
                    .nodes(2)
                    .start()
                    .unwrap_or_else(|e| {
                        eprintln!("kindtest selftest: starting the control plane: {e}");
                        std::process::exit(101)
                    });
                let k = plane.kubeconfig_path().to_path_buf();
                plane.leave_running();
                spawn_reaper(&state);
                k
            }
        };
        drop(lock);
        // SAFETY: called at the start of main, before any other thread exists.
        unsafe {
            std::env::set_var("KINDTEST_KUBECONFIG", &kubeconfig);
            std::env::set_var("KINDTEST_PROVIDER", "kwok");
            std::env::set_var("KINDTEST_CLUSTER", "selftest");
        }
    }

    /// A detached copy of this binary that stops the plane once the lease is idle.
    fn spawn_reaper(state: &Path) {
        use std::os::unix::process::CommandExt;
        let exe = std::env::current_exe().expect("current_exe");
        let _ = Command::new(exe)
            .env("KINDTEST_SELFTEST_REAPER", state)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn();
    }

    /// Reaper mode: poll the lease; stop the plane after the idle period.
    pub fn reap(state: &Path) -> ! {
        let idle = std::env::var("KINDTEST_SELFTEST_IDLE")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(300u64);
        let lease = selftest_dir().join("lease");
        loop {
            std::thread::sleep(Duration::from_secs(10));
            let age = std::fs::metadata(&lease)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .unwrap_or(Duration::MAX);
            if age > Duration::from_secs(idle) {
                let _ = controlplane::stop_detached(state);
                std::process::exit(0);
            }
        }
    }

    /// Marks the plane as in use (the reaper stops it after the idle period).
    pub fn finish() {
        touch_lease();
    }

    pub async fn client() -> Client {
        let path = std::env::var("KINDTEST_KUBECONFIG").expect("ensure_cluster ran");
        let kc = kindtest::kube::config::Kubeconfig::read_from(&path).expect("kubeconfig");
        let cfg = kindtest::kube::Config::from_custom_kubeconfig(kc, &Default::default())
            .await
            .expect("kube config");
        Client::try_from(cfg).expect("client")
    }

    pub fn unique_run(tag: &str) -> String {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        format!(
            "selftest-{tag}-{}-{}",
            std::process::id(),
            nanos % 1_000_000_000
        )
    }

    pub const FIXTURE: &str = env!("CARGO_BIN_EXE_kindtest-fixture");

    /// The fixture binary with this process's cluster settings and its own run id.
    pub fn fixture(run: &str, diag: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(FIXTURE);
        c.args(args)
            .env("KINDTEST_RUN_ID", run)
            .env("KINDTEST_DIAGNOSTICS_DIR", diag)
            .env_remove("KINDTEST_KEEP")
            .env_remove("NEXTEST_ATTEMPT");
        c
    }

    pub fn text(b: &[u8]) -> String {
        String::from_utf8_lossy(b).into_owned()
    }

    /// nextest's run time in seconds, from its `Summary [   3.456s] …` line (the build not included).
    pub fn run_time(stderr: &str) -> Option<f64> {
        stderr.lines().find_map(|l| {
            let rest = l.trim_start().strip_prefix("Summary [")?;
            rest.split("s]").next()?.trim().parse::<f64>().ok()
        })
    }

    /// `cargo nextest …` on the `nextest_fixture` binary, with the outer nextest's variables removed.
    pub fn nextest(args: &[&str]) -> Command {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut c = Command::new(cargo);
        // The inner run builds into (and writes JUnit under) the same target dir as this binary.
        c.arg("nextest")
            .args(args)
            .env("KINDTEST_FIXTURE", "1")
            .env("CARGO_TARGET_DIR", target_dir());
        // Remove what nextest and cargo set for this test process. They must not reach the inner
        // cargo: `CARGO_MANIFEST_DIR` is a `rerun-if-env-changed` of ring's build script, so with it
        // set the inner build reruns that script and rebuilds ring, rustls and kube (minutes on a busy
        // machine), and the next outer build rebuilds them back.
        for (k, _) in std::env::vars() {
            if k.starts_with("NEXTEST")
                || k.starts_with("CARGO_PKG_")
                || k.starts_with("CARGO_BIN_EXE_")
                || matches!(
                    k.as_str(),
                    "CARGO_MANIFEST_DIR"
                        | "CARGO_MANIFEST_PATH"
                        | "CARGO_CRATE_NAME"
                        | "CARGO_BIN_NAME"
                        | "CARGO_PRIMARY_PACKAGE"
                        | "CARGO_TARGET_TMPDIR"
                        | "LD_LIBRARY_PATH"
                )
            {
                c.env_remove(k);
            }
        }
        c.current_dir(manifest_dir());
        c
    }

    /// Whether `ns` is gone or terminating.
    pub async fn gone_or_terminating(client: &Client, ns: &str) -> bool {
        let api: Api<Namespace> = Api::all(client.clone());
        match api.get_opt(ns).await.expect("get namespace") {
            None => true,
            Some(n) => n.metadata.deletion_timestamp.is_some(),
        }
    }
}

/// The namespace a test gets: labelled, annotated, with its `default` ServiceAccount ready.
#[kindtest::test]
async fn namespace_is_labelled_and_ready(ctx: Context) -> kindtest::Result<()> {
    let ns: Namespace = Api::all(ctx.client()).get(ctx.namespace()).await?;
    let labels = ns.metadata.labels.unwrap_or_default();
    assert_eq!(labels["app.kubernetes.io/managed-by"], "kindtest");
    assert_eq!(
        labels["kindtest.dev/test"],
        "namespace-is-labelled-and-ready"
    );
    assert!(labels.contains_key("kindtest.dev/run"));
    let ann = ns.metadata.annotations.unwrap_or_default();
    assert_eq!(
        ann["kindtest.dev/test-name"],
        "cluster::namespace_is_labelled_and_ready"
    );
    assert_eq!(
        ctx.namespace(),
        kindtest::namespace_name(
            &ctx.settings().run_id,
            ctx.test_name(),
            ctx.settings().attempt
        )
    );
    ctx.api::<ServiceAccount>().get("default").await?;
    Ok(())
}

/// `wait_for` and `run_job` on kwok: the Job completes through kwok's stages with exit code 0, and the
/// logs are reported as unavailable (no container ran), not as an error.
#[kindtest::test(timeout = "2m")]
async fn run_job_completes_on_kwok(ctx: Context) -> kindtest::Result<()> {
    let out = ctx.run_job("busybox:1.36", &["true"]).await?;
    assert_eq!(out.exit_code, 0);
    assert!(out.logs_error.is_some() || out.logs.is_empty(), "{out:?}");
    Ok(())
}

/// Port-forward target resolution (Service → selector → running pod → named targetPort) and the error
/// paths. kwok serves the port-forward stream itself (no container behind it), so only the set-up is
/// checked there; logs are served by kwok or refused with an error naming the pod.
#[kindtest::test(timeout = "2m")]
async fn port_forward_resolves_targets_on_kwok(ctx: Context) -> kindtest::Result<()> {
    ctx.apply(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {app: web}\nspec:\n  containers:\n  - name: web\n    image: registry.invalid/web:1\n    ports: [{containerPort: 8080, name: http}]\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: orphan\nspec:\n  selector: {app: nobody}\n  ports: [{port: 80}]\n",
    )
    .await?;
    ctx.wait_ready_within(&["pod/web"], Duration::from_secs(60))
        .await?;
    match ctx.port_forward("service/web", 80).await {
        Ok(pf) => {
            assert_eq!(pf.target(), "service/web");
            assert!(pf.local_addr().ip().is_loopback());
        }
        Err(e) => assert!(
            e.to_string()
                .starts_with("port-forward to service/web (pod/web port 8080)"),
            "{e}"
        ),
    }
    if let Err(e) = ctx.logs("web").await {
        assert!(e.to_string().starts_with("logs of pod/web"), "{e}");
    }
    let unknown = ctx
        .port_forward("service/nope", 80)
        .await
        .map(|_| ())
        .expect_err("no such service");
    assert_eq!(
        unknown.to_string(),
        format!("service/nope not found in {}", ctx.namespace())
    );
    let orphan = ctx
        .port_forward("service/orphan", 80)
        .await
        .map(|_| ())
        .expect_err("no pods");
    assert_eq!(
        orphan.to_string(),
        "service/orphan: no running pod matches app=nobody"
    );
    let bad_port = ctx
        .port_forward("service/web", 81)
        .await
        .map(|_| ())
        .expect_err("no such port");
    assert_eq!(bad_port.to_string(), "service/web has no port 81");
    Ok(())
}

/// A wait that times out names what is pending and why.
#[kindtest::test(timeout = "2m")]
async fn wait_timeout_names_the_culprit(ctx: Context) -> kindtest::Result<()> {
    ctx.apply(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: greedy\nspec:\n  selector:\n    matchLabels: {app: greedy}\n  template:\n    metadata:\n      labels: {app: greedy}\n    spec:\n      containers:\n      - name: main\n        image: registry.invalid/x:1\n        resources: {requests: {cpu: \"100000\"}}\n",
    )
    .await?;
    let err = ctx
        .wait_ready_within(&["deployment/greedy"], Duration::from_secs(3))
        .await
        .expect_err("cannot be scheduled");
    let msg = err.to_string();
    assert!(
        msg.starts_with("1 of 1 not ready after 3s: deployment/greedy (0/1 replicas available"),
        "{msg}"
    );
    assert!(
        msg.contains("unschedulable") && msg.contains("Insufficient cpu"),
        "{msg}"
    );
    assert!(!msg.contains('\n'));
    Ok(())
}

mod lifecycle {
    use super::support::*;
    use super::*;

    #[kindtest::test(timeout = "2m")]
    async fn passing_test_deletes_its_namespace() -> kindtest::Result<()> {
        let client = client().await;
        let run = unique_run("pass");
        let diag = selftest_dir().join("diag");
        let out = fixture(
            &run,
            &diag,
            &[
                "--exact",
                "kindtest_fixture::cluster::passes",
                "--nocapture",
            ],
        )
        .output()?;
        assert!(out.status.success(), "{}", text(&out.stderr));
        let ns = kindtest::namespace_name(&run, "kindtest_fixture::cluster::passes", 1);
        assert!(gone_or_terminating(&client, &ns).await, "{ns} still active");
        Ok(())
    }

    #[kindtest::test(timeout = "2m")]
    async fn failing_test_keeps_namespace_and_writes_diagnostics() -> kindtest::Result<()> {
        let client = client().await;
        let run = unique_run("fail");
        let diag = selftest_dir().join("diag");
        let test = "kindtest_fixture::cluster::fails_waiting";
        let out = fixture(&run, &diag, &["--exact", test, "--nocapture"]).output()?;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(101), "{stderr}");
        // One line, right before the panic, naming the culprit.
        let lines: Vec<&str> = stderr.lines().collect();
        let at = lines
            .iter()
            .rposition(|l| l.starts_with("thread '") && l.contains(" panicked at "))
            .expect("panic line");
        let error = lines[..at]
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty())
            .expect("error line");
        assert!(
            error.starts_with(
                "Error: 1 of 1 not ready after 3s: deployment/greedy (0/1 replicas available"
            ),
            "{stderr}"
        );
        let ns = kindtest::namespace_name(&run, test, 1);
        let api: Api<Namespace> = Api::all(client.clone());
        let kept = api.get(&ns).await?;
        assert!(
            kept.metadata.deletion_timestamp.is_none(),
            "{ns} should be kept"
        );
        assert_eq!(
            kept.metadata
                .annotations
                .unwrap_or_default()
                .get("kindtest.dev/kept")
                .map(String::as_str),
            Some("true")
        );
        assert!(
            stderr.contains(&format!("delete namespace {ns}")),
            "kubectl hints missing:\n{stderr}"
        );
        let dir = diag
            .join(&run)
            .join("kindtest_fixture__cluster__fails_waiting");
        for f in [
            "summary.txt",
            "events.txt",
            "pods.txt",
            "objects.yaml",
            "releases.txt",
        ] {
            assert!(dir.join(f).is_file(), "{} missing", dir.join(f).display());
        }
        let objects = std::fs::read_to_string(dir.join("objects.yaml"))?;
        assert!(
            objects.contains("kind: Deployment") && objects.contains("name: greedy"),
            "{objects}"
        );
        assert!(objects.contains("<redacted"), "secret not shown redacted");
        assert!(
            !objects.contains("hunter2"),
            "secret value leaked into diagnostics"
        );
        let pods = std::fs::read_to_string(dir.join("pods.txt"))?;
        assert!(pods.contains("NOT READY: unschedulable"), "{pods}");
        let events = std::fs::read_to_string(dir.join("events.txt"))?;
        assert!(events.contains("FailedScheduling"), "{events}");
        let summary = std::fs::read_to_string(dir.join("summary.txt"))?;
        assert!(summary.contains(&format!("namespace: {ns}")), "{summary}");
        // Clean up after ourselves (not with a sweep of everything stale: other tests' objects).
        api.delete(&ns, &Default::default()).await?;
        Ok(())
    }

    #[kindtest::test(timeout = "2m")]
    async fn keep_never_deletes_failed_namespaces() -> kindtest::Result<()> {
        let client = client().await;
        let run = unique_run("never");
        let diag = selftest_dir().join("diag");
        let test = "kindtest_fixture::cluster::fails_waiting";
        let out = fixture(&run, &diag, &["--exact", test, "--nocapture"])
            .env("KINDTEST_KEEP", "never")
            .output()?;
        assert_eq!(out.status.code(), Some(101));
        assert!(gone_or_terminating(&client, &kindtest::namespace_name(&run, test, 1)).await);
        Ok(())
    }

    #[kindtest::test(timeout = "2m")]
    async fn sigterm_mid_test_deletes_the_namespace() -> kindtest::Result<()> {
        use std::io::BufRead;
        let client = client().await;
        let run = unique_run("sigterm");
        let diag = selftest_dir().join("diag");
        let test = "kindtest_fixture::cluster::sleeps";
        let mut child = fixture(&run, &diag, &["--exact", test, "--nocapture"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().expect("stdout");
        let ns = tokio::task::spawn_blocking(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let line = line.ok()?;
                if let Some(ns) = line.strip_prefix("kindtest-fixture: sleeping in ") {
                    return Some(ns.to_string());
                }
            }
            None
        })
        .await?
        .ok_or_else(|| kindtest::Error::msg("fixture never reported its namespace"))?;
        assert_eq!(ns, kindtest::namespace_name(&run, test, 1));
        let api: Api<Namespace> = Api::all(client.clone());
        assert!(api.get_opt(&ns).await?.is_some());
        let t = Instant::now();
        // SAFETY: plain kill(2) on our child.
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        let out = tokio::task::spawn_blocking(move || child.wait_with_output()).await??;
        let took = t.elapsed();
        assert_eq!(
            out.status.code(),
            Some(128 + libc::SIGTERM),
            "{}",
            text(&out.stderr)
        );
        assert!(
            took < Duration::from_secs(10),
            "cleanup took {took:?}, beyond nextest's grace period"
        );
        assert!(
            text(&out.stderr).contains(&format!("deleted namespace {ns}")),
            "{}",
            text(&out.stderr)
        );
        assert!(
            gone_or_terminating(&client, &ns).await,
            "{ns} survived SIGTERM"
        );
        Ok(())
    }

    #[kindtest::test(timeout = "2m")]
    async fn retries_get_their_own_namespace() -> kindtest::Result<()> {
        let client = client().await;
        let run = unique_run("attempt");
        let diag = selftest_dir().join("diag");
        let test = "kindtest_fixture::cluster::passes";
        let out = fixture(&run, &diag, &["--exact", test, "--nocapture"])
            .env("NEXTEST_ATTEMPT", "2")
            .env("KINDTEST_KEEP", "always")
            .output()?;
        assert!(out.status.success(), "{}", text(&out.stderr));
        let ns = kindtest::namespace_name(&run, test, 2);
        assert!(ns.ends_with("-a2"));
        let api: Api<Namespace> = Api::all(client.clone());
        let n = api.get(&ns).await?;
        assert_eq!(
            n.metadata.labels.unwrap_or_default()["kindtest.dev/attempt"],
            "2"
        );
        api.delete(&ns, &Default::default()).await?;
        Ok(())
    }

    /// The first test process of a run sweeps what dead runs left behind, before its own test ends.
    #[kindtest::test(timeout = "2m")]
    async fn first_test_of_a_run_sweeps_dead_runs() -> kindtest::Result<()> {
        use kindtest::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
        use kindtest::kube::api::PostParams;
        let client = client().await;
        let api: Api<Namespace> = Api::all(client.clone());
        // Owned by a process on another host: stale once older than KINDTEST_STALE_AFTER. The other
        // tests of this binary sweep too (with 1 h or 6 h), so only this test's run (0 s) may take it.
        let leftover = format!("kt-leftover-{}", std::process::id());
        api.create(
            &PostParams::default(),
            &Namespace {
                metadata: ObjectMeta {
                    name: Some(leftover.clone()),
                    labels: Some(
                        [
                            (
                                "app.kubernetes.io/managed-by".to_string(),
                                "kindtest".to_string(),
                            ),
                            ("kindtest.dev/run".to_string(), "a-dead-run".to_string()),
                        ]
                        .into(),
                    ),
                    annotations: Some(
                        [(
                            "kindtest.dev/owner".to_string(),
                            "elsewhere.invalid/1".to_string(),
                        )]
                        .into(),
                    ),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .await?;
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let run = unique_run("sweep-start");
        let diag = selftest_dir().join("diag");
        let out = fixture(
            &run,
            &diag,
            &[
                "--exact",
                "kindtest_fixture::cluster::passes",
                "--nocapture",
            ],
        )
        .env("KINDTEST_STALE_AFTER", "0")
        .output()?;
        let stderr = text(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(
            stderr.contains("kindtest: swept ") && stderr.contains(&leftover),
            "the run's first test did not report sweeping {leftover}:\n{stderr}"
        );
        assert!(
            gone_or_terminating(&client, &leftover).await,
            "{leftover} survived the sweep"
        );
        Ok(())
    }

    /// Namespaces of dead processes from other runs are swept; live ones and the current run's are not.
    #[kindtest::test(timeout = "2m")]
    async fn sweep_takes_only_dead_runs() -> kindtest::Result<()> {
        use kindtest::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
        use kindtest::kube::api::PostParams;
        let client = client().await;
        let api: Api<Namespace> = Api::all(client.clone());
        let dead_pid = {
            let mut c = Command::new("true").spawn()?;
            let pid = c.id();
            c.wait()?;
            pid
        };
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        let host = host.trim();
        let mk = |name: &str, run: &str, owner: String| Namespace {
            metadata: ObjectMeta {
                name: Some(name.into()),
                labels: Some(
                    [
                        (
                            "app.kubernetes.io/managed-by".to_string(),
                            "kindtest".to_string(),
                        ),
                        ("kindtest.dev/run".to_string(), run.to_string()),
                    ]
                    .into(),
                ),
                annotations: Some([("kindtest.dev/owner".to_string(), owner)].into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let tag = std::process::id();
        let dead = format!("kt-sweep-dead-{tag}");
        let live = format!("kt-sweep-live-{tag}");
        let current = format!("kt-sweep-current-{tag}");
        api.create(
            &PostParams::default(),
            &mk(&dead, "old-run", format!("{host}/{dead_pid}")),
        )
        .await?;
        api.create(
            &PostParams::default(),
            &mk(&live, "other-run", format!("{host}/{}", std::process::id())),
        )
        .await?;
        api.create(
            &PostParams::default(),
            &mk(&current, "cur-run", format!("{host}/{dead_pid}")),
        )
        .await?;
        let report = kindtest::sweep_stale_namespaces(
            &client,
            Some("cur-run"),
            Duration::from_secs(3600),
            false,
        )
        .await?;
        assert!(report.deleted.contains(&dead), "{report:?}");
        assert!(
            !report.deleted.contains(&live) && report.live.contains(&live),
            "{report:?}"
        );
        assert!(!report.deleted.contains(&current), "{report:?}");
        assert!(gone_or_terminating(&client, &dead).await);
        for ns in [&live, &current] {
            api.delete(ns, &Default::default()).await?;
        }
        Ok(())
    }
}

mod nextest {
    use super::support::*;

    fn list(filter: &[&str]) -> Vec<String> {
        let mut args = vec![
            "list",
            "-p",
            "kindtest",
            "--test",
            "nextest_fixture",
            "--message-format",
            "json",
        ];
        args.extend_from_slice(filter);
        let out = nextest(&args).output().expect("cargo nextest list");
        assert!(out.status.success(), "{}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let mut names = Vec::new();
        for suite in v["rust-suites"].as_object().expect("suites").values() {
            for (name, t) in suite["testcases"].as_object().expect("testcases") {
                let matched = t["filter-match"]["status"] == "matches";
                if matched {
                    names.push(name.clone());
                }
            }
        }
        names.sort();
        names
    }

    #[kindtest::test(timeout = "15m")]
    fn list_and_filters_give_the_expected_sets() {
        let all = list(&[]);
        assert_eq!(all.len(), 3 + 6 + 50 + 20, "{all:?}");
        assert_eq!(
            list(&["-E", "test(/^nextest_fixture::plain::/)"]),
            [
                "nextest_fixture::plain::async_passes",
                "nextest_fixture::plain::fails_with_error",
                "nextest_fixture::plain::grouped",
                "nextest_fixture::plain::panics",
                "nextest_fixture::plain::passes",
                "nextest_fixture::plain::times_out",
            ]
        );
        assert_eq!(
            list(&["-E", "test(=nextest_fixture::cluster::passes)"]),
            ["nextest_fixture::cluster::passes"]
        );
        assert_eq!(list(&["-E", "test(/isolation::iso_1/)"]).len(), 10);
        assert_eq!(
            list(&["--run-ignored", "only"]),
            ["nextest_fixture::plain::ignored_one"]
        );
    }

    #[kindtest::test(timeout = "10m")]
    fn junit_messages_are_one_line() {
        let dir = selftest_dir().join(unique_run("junit"));
        std::fs::create_dir_all(&dir).expect("dir");
        let cfg = dir.join("nextest.toml");
        std::fs::write(&cfg, "[profile.selftest]\nfail-fast = false\n[profile.selftest.junit]\npath = \"selftest-junit.xml\"\n")
            .expect("tool config");
        let out = nextest(&[
            "run",
            "-p",
            "kindtest",
            "--test",
            "nextest_fixture",
            "--tool-config-file",
            &format!("kindtest-selftest:{}", cfg.display()),
            "--profile",
            "selftest",
            "-E",
            "test(/plain::(passes|fails_with_error|panics)$/) | test(=nextest_fixture::cluster::fails_waiting)",
        ])
        .env("KINDTEST_DIAGNOSTICS_DIR", &dir)
        .env("KINDTEST_KEEP", "never")
        .output()
        .expect("cargo nextest run");
        assert_eq!(out.status.code(), Some(100), "{}", text(&out.stderr));
        // nextest's store is under the target dir it resolves, which is not always this binary's
        // (it was the workspace's `target/` here even with CARGO_TARGET_DIR set): look in both.
        let candidates = [
            target_dir().join("nextest/selftest/selftest-junit.xml"),
            manifest_dir().join("../target/nextest/selftest/selftest-junit.xml"),
        ];
        let junit = candidates
            .iter()
            .find(|p| p.is_file())
            .unwrap_or_else(|| panic!("junit written: none of {candidates:?}"));
        let xml = std::fs::read_to_string(junit).expect("junit readable");
        let msg = |test: &str| -> String {
            let at = xml
                .find(&format!("name=\"{test}\""))
                .unwrap_or_else(|| panic!("{test} not in {xml}"));
            let rest = &xml[at..];
            let f = rest.find("<failure").expect("failure element");
            let m = rest[f..].find("message=\"").expect("message attribute") + f + 9;
            let end = rest[m..].find('"').expect("end quote") + m;
            rest[m..end].to_string()
        };
        assert_eq!(
            msg("nextest_fixture::plain::fails_with_error"),
            "Error: deployment/web not Available after 60s:; pod web-1 CrashLoopBackOff"
        );
        assert!(
            msg("nextest_fixture::plain::panics").starts_with(
                "Error: test panicked: assertion `left == right` failed: the answer is wrong"
            ),
            "{xml}"
        );
        assert!(
            msg("nextest_fixture::cluster::fails_waiting")
                .starts_with("Error: 1 of 1 not ready after 3s: deployment/greedy"),
            "{xml}"
        );
    }

    /// 20 tests at once, each in its own namespace, each seeing only its own objects.
    #[kindtest::test(timeout = "10m")]
    fn twenty_tests_in_parallel_are_isolated() {
        let out = nextest(&[
            "run",
            "-p",
            "kindtest",
            "--test",
            "nextest_fixture",
            "-j",
            "20",
            "--no-fail-fast",
            "-E",
            "test(/::isolation::/)",
        ])
        .env("KINDTEST_KEEP", "never")
        .output()
        .expect("cargo nextest run");
        let stderr = text(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(stderr.contains("20 tests run: 20 passed"), "{stderr}");
        // Each test sleeps 1 s holding its objects: serial would take > 20 s. nextest's own run
        // time (its `Summary [ …s]`) leaves out cargo's build.
        let took = run_time(&stderr).unwrap_or_else(|| panic!("no summary in:\n{stderr}"));
        assert!(took < 20.0, "20 tests took {took}s: not run in parallel");
    }
}

mod bench {
    use super::support::*;
    use super::*;

    fn pct(sorted: &[f64], p: f64) -> f64 {
        if sorted.is_empty() {
            return f64::NAN;
        }
        let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[i.min(sorted.len() - 1)]
    }

    /// One run of the 50 trivial tests at `-j jobs`.
    struct Run {
        jobs: u32,
        /// Wall time of `cargo nextest run` (cargo's up-to-date check and nextest's listing included).
        wall: Duration,
        /// nextest's own run time (its `Summary [ …s]`): from the first test start to the last end.
        nextest: Option<f64>,
        timings: Vec<serde_json::Value>,
    }

    fn run(jobs: u32) -> Run {
        let run = unique_run(&format!("bench-j{jobs}"));
        let dir = selftest_dir().join("bench");
        let t = Instant::now();
        let out = nextest(&[
            "run",
            "-p",
            "kindtest",
            "--test",
            "nextest_fixture",
            "-j",
            &jobs.to_string(),
            "-E",
            "test(/::bench::/)",
        ])
        .env("KINDTEST_RUN_ID", &run)
        .env("KINDTEST_TIMINGS", "1")
        .env("KINDTEST_DIAGNOSTICS_DIR", &dir)
        .output()
        .expect("cargo nextest run");
        let wall = t.elapsed();
        let stderr = text(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        let nextest = run_time(&stderr);
        let lines = std::fs::read_to_string(dir.join(&run).join("timings.jsonl")).expect("timings");
        Run {
            jobs,
            wall,
            nextest,
            timings: lines
                .lines()
                .map(|l| serde_json::from_str(l).expect("json"))
                .collect(),
        }
    }

    fn field(timings: &[serde_json::Value], k: &str) -> Vec<f64> {
        let mut v: Vec<f64> = timings.iter().filter_map(|t| t[k].as_f64()).collect();
        v.sort_by(f64::total_cmp);
        v
    }

    fn total(timings: &[serde_json::Value]) -> Vec<f64> {
        let mut v: Vec<f64> = timings
            .iter()
            .map(|t| {
                ["create_ms", "service_account_ms", "delete_ms"]
                    .iter()
                    .map(|k| t[*k].as_f64().unwrap_or(0.0))
                    .sum()
            })
            .collect();
        v.sort_by(f64::total_cmp);
        v
    }

    fn overhead_table(label: &str, timings: &[serde_json::Value]) -> serde_json::Value {
        println!("per-test overhead, {label} ({} tests), ms:", timings.len());
        let mut json = serde_json::Map::new();
        for (k, name, v) in [
            ("create_ms", "namespace create", field(timings, "create_ms")),
            (
                "service_account_ms",
                "serviceaccount ready",
                field(timings, "service_account_ms"),
            ),
            ("delete_ms", "namespace delete", field(timings, "delete_ms")),
            ("total_ms", "total", total(timings)),
        ] {
            let (p50, p95) = (pct(&v, 0.5), pct(&v, 0.95));
            println!("  {name:<22} p50 {p50:>7.1}  p95 {p95:>7.1}");
            json.insert(k.into(), serde_json::json!({"p50": p50, "p95": p95}));
        }
        serde_json::Value::Object(json)
    }

    /// Per-test overhead (namespace create, ServiceAccount ready, delete) at p50/p95, and the wall time
    /// of 50 trivial tests at -j 1, 2, 4, 8. Target: p50 overhead under 500 ms. `bench/harness.sh` runs
    /// it (it writes the numbers to `<target>/kindtest-selftest/bench/result.json` too).
    #[kindtest::test(
        ignore = "benchmark: bench/harness.sh, or cargo test -p kindtest --test cluster -- --ignored --exact cluster::bench::overhead --nocapture"
    )]
    fn overhead() {
        let jobs: Vec<u32> = std::env::var("KINDTEST_BENCH_JOBS")
            .ok()
            .map(|v| v.split(',').filter_map(|j| j.trim().parse().ok()).collect())
            .filter(|v: &Vec<u32>| !v.is_empty())
            .unwrap_or_else(|| vec![1, 2, 4, 8]);
        // One warm-up run (cargo's up-to-date check, page cache, the API server's caches).
        let _ = run(jobs[0]);
        let runs: Vec<Run> = jobs.iter().map(|&j| run(j)).collect();
        let serial = &runs[0];
        let mut result = serde_json::Map::new();
        result.insert(
            "overhead_serial".into(),
            overhead_table(&format!("-j {}", serial.jobs), &serial.timings),
        );
        if let Some(last) = runs.last().filter(|r| r.jobs != serial.jobs) {
            result.insert(
                "overhead_parallel".into(),
                overhead_table(&format!("-j {}", last.jobs), &last.timings),
            );
        }
        println!("50 trivial tests (nextest run time; cargo + nextest wall in brackets):");
        let base = serial.nextest.unwrap_or(serial.wall.as_secs_f64());
        let mut walls = Vec::new();
        for r in &runs {
            let t = r.nextest.unwrap_or(r.wall.as_secs_f64());
            println!(
                "  -j {:<2} {:>6.2}s  [{:>6.2}s]  speed-up {:.1}x",
                r.jobs,
                t,
                r.wall.as_secs_f64(),
                base / t
            );
            walls.push(serde_json::json!({
                "jobs": r.jobs, "nextest_s": r.nextest, "wall_s": r.wall.as_secs_f64(),
                "speedup": base / t,
            }));
            assert_eq!(r.timings.len(), 50, "-j {}: timings of 50 tests", r.jobs);
        }
        result.insert("runs".into(), serde_json::Value::Array(walls));
        let out = selftest_dir().join("bench").join("result.json");
        let _ = std::fs::write(
            &out,
            serde_json::to_string_pretty(&serde_json::Value::Object(result)).unwrap_or_default(),
        );
        println!("written to {}", out.display());
        let p50 = pct(&total(&serial.timings), 0.5);
        assert!(
            p50 < 500.0,
            "p50 overhead {p50} ms is over the 500 ms target"
        );
    }
}

fn main() {
    if let Some(state) = std::env::var_os("KINDTEST_SELFTEST_REAPER") {
        support::reap(Path::new(&state));
    }
    let listing =
        std::env::args().any(|a| a == "--list") || std::env::var_os("KINDTEST_DESCRIBE").is_some();
    if !listing {
        support::ensure_cluster();
    }
    support::finish();
    kindtest::__private::run_main()
}
