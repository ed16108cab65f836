//! Contract of the `--in-cluster` target runner against a real control plane (etcd, kube-apiserver,
//! controller-manager, scheduler, kwok nodes; the `controlplane` crate), never a mock API server.
//!
//! kwok runs no containers, so a pod's outcome comes from the kwok stages of `controlplane::stages`:
//! the runner's test hook `KINDTEST_RUNNER_TEST_ANNOTATIONS` puts `kindtest.dev/exit-code`,
//! `kindtest.dev/run-duration` or `kindtest.dev/pod-phase: Pending` on a test's pod. Checked:
//! the pod spec (image, command, args `--exact NAME --nocapture`, env, service account, limits, node
//! selector), exit codes (Succeeded → 0, Failed with 3 → 3), one-line reasons for a pod stuck Pending
//! and an unschedulable one (with diagnostics files), deletion of the pod and the test namespace on
//! SIGTERM, what the service account may and may not do, and nextest running a crate's tests through
//! the runner (JUnit: one pass, one failure with the exit code, list phase on the host).
//!
//! One plane for the whole file (each takes ~1 GB): a single test function runs the scenarios in
//! order. It FAILS (never skips) when the binaries are missing: `scripts/build-control-plane.sh`
//! builds them (or set `KINDTEST_CONTROL_PLANE_BIN`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use controlplane::{Binaries, ControlPlane, NodeConfig};
use serde_json::Value;

const RUNNER: &str = env!("CARGO_BIN_EXE_cargo-kindtest");

/// Serialises plane start-ups with the other control-plane tests of the workspace.
struct PlaneLock {
    _file: std::fs::File,
}

impl PlaneLock {
    fn take() -> Self {
        use std::os::fd::AsRawFd;
        let path = std::env::temp_dir().join("controlplane-tests.lock");
        let f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .expect("lock file");
        // SAFETY: flock on an fd we own.
        let r = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) };
        assert_eq!(r, 0, "flock {}", path.display());
        PlaneLock { _file: f }
    }
}

struct Env {
    plane: ControlPlane,
    run_id: String,
    diag: PathBuf,
    workspace: PathBuf,
}

impl Env {
    fn kubectl(&self, args: &[&str]) -> Output {
        self.plane
            .kubectl()
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("kubectl")
    }

    fn kubectl_ok(&self, args: &[&str]) -> String {
        let out = self.kubectl(args);
        assert!(
            out.status.success(),
            "kubectl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.extend(["-o", "json"]);
        serde_json::from_str(&self.kubectl_ok(&a)).expect("kubectl json")
    }

    /// The runner as nextest starts it, with the environment `cargo kindtest --in-cluster` gives.
    fn runner(&self, test: &str, hook: &[(&str, &str)], extra_env: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(RUNNER);
        cmd.args([
            "kindtest",
            "in-cluster-runner",
            "/ws/target/debug/deps/e2e-0123456789abcdef",
            "--exact",
            test,
            "--nocapture",
        ]);
        let hook: BTreeMap<&str, BTreeMap<&str, &str>> = [(test, hook.iter().copied().collect())]
            .into_iter()
            .collect();
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("KINDTEST_KUBECONFIG", self.plane.kubeconfig_path())
            .env("KINDTEST_PROVIDER", "kwok")
            .env("KINDTEST_CLUSTER", "in-cluster-contract")
            .env("KINDTEST_RUN_ID", &self.run_id)
            .env("KINDTEST_DIAGNOSTICS_DIR", &self.diag)
            .env(
                "KINDTEST_RUNNER_IMAGE",
                "kindtest.local/kindtest-runner:kt-contract",
            )
            .env(
                "KINDTEST_RUNNER_RESOURCES",
                r#"{"limits":{"memory":"256Mi","cpu":"500m"},"requests":{"memory":"64Mi"}}"#,
            )
            .env(
                "KINDTEST_RUNNER_TEST_ANNOTATIONS",
                serde_json::to_string(&hook).expect("json"),
            )
            .env("KINDTEST_TIMINGS", "1")
            .env("NEXTEST_RUN_ID", "ignored-because-kindtest-run-id-wins")
            .env("NEXTEST_ATTEMPT", "1")
            .env("NEXTEST_TEST_NAME", test)
            .env("NEXTEST_WORKSPACE_ROOT", &self.workspace)
            .current_dir(&self.workspace)
            .stdin(Stdio::null());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        cmd
    }

    fn runner_ns(&self) -> String {
        kindtest::podrun::runner_namespace_name(&self.run_id)
    }

    fn test_ns(&self, test: &str) -> String {
        kindtest::namespace_name(&self.run_id, test, 1)
    }

    fn pod_name(&self, test: &str) -> String {
        cargo_kindtest::incluster::runner::pod_name(&self.run_id, test, 1)
    }

    fn exists(&self, args: &[&str]) -> bool {
        let out = self.kubectl(args);
        let err = String::from_utf8_lossy(&out.stderr);
        if out.status.success() {
            return true;
        }
        assert!(err.contains("NotFound"), "kubectl {args:?}: {err}");
        false
    }

    fn wait_until(&self, what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
        let deadline = Instant::now() + timeout;
        while !f() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn start() -> (Env, PlaneLock) {
    let lock = PlaneLock::take();
    let bins = Binaries::locate(None).unwrap_or_else(|e| {
        panic!("{e}\n(run `scripts/build-control-plane.sh` once; it caches the binaries)")
    });
    let root = std::env::temp_dir().join(format!("kt-incluster-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("ws")).expect("workspace dir");
    let plane = ControlPlane::builder()
        .binaries(bins)
        .state_dir(root.join("plane"))
        .quiet(true)
        .node(NodeConfig::new().label("kindtest.dev/pool", "e2e"))
        .node(NodeConfig::new())
        .start()
        .unwrap_or_else(|e| panic!("starting the control plane: {e}"));
    let env = Env {
        plane,
        run_id: format!("incluster-{}", std::process::id()),
        diag: root.join("diag"),
        workspace: root.join("ws"),
    };
    (env, lock)
}

#[test]
fn runner_contract_on_a_real_control_plane() {
    let (env, _lock) = start();
    passing_test_exits_zero_and_cleans_up(&env);
    failing_test_keeps_its_exit_code_and_the_pod_spec_is_the_contract(&env);
    service_account_has_least_privilege(&env);
    pending_pod_fails_with_one_line(&env);
    unschedulable_pod_fails_with_one_line(&env);
    sigterm_deletes_the_pod_and_the_namespace(&env);
    nextest_runs_tests_through_the_runner(&env);
    binding_goes_with_the_runner_namespace(&env);
    env.plane.stop().expect("stop the plane");
}

fn passing_test_exits_zero_and_cleans_up(env: &Env) {
    let test = "e2e::passes";
    let t = Instant::now();
    let out = env.runner(test, &[], &[]).output().expect("runner");
    let elapsed = t.elapsed();
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    // The pod is deleted after a pass (kwok's pod-delete stage removes it).
    let pod = env.pod_name(test);
    env.wait_until(
        "the passed test's pod to be gone",
        Duration::from_secs(30),
        || !env.exists(&["-n", &env.runner_ns(), "get", "pod", &pod]),
    );
    // No harness ran in the simulated pod: the runner removes the namespace it prepared.
    let ns = env.test_ns(test);
    env.wait_until(
        "the passed test's namespace to go",
        Duration::from_secs(60),
        || {
            let out = env.kubectl(&[
                "get",
                "namespace",
                &ns,
                "-o",
                "jsonpath={.metadata.deletionTimestamp}",
            ]);
            !out.status.success() || !out.stdout.is_empty()
        },
    );
    // kwok pods write no log: tolerated, said once on stderr only when the test failed.
    assert!(
        !stderr(&out).contains("Error:"),
        "a pass prints no error: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("kindtest-runner-timing:"),
        "KINDTEST_TIMINGS=1 prints timings: {}",
        stderr(&out)
    );
    eprintln!("pass through a pod: {} ms", elapsed.as_millis());
}

fn failing_test_keeps_its_exit_code_and_the_pod_spec_is_the_contract(env: &Env) {
    let test = "e2e::fails_with_three";
    let out = env
        .runner(
            test,
            &[("kindtest.dev/exit-code", "3")],
            &[(
                "KINDTEST_RUNNER_NODE_SELECTOR",
                r#"{"kindtest.dev/pool":"e2e"}"#,
            )],
        )
        .output()
        .expect("runner");
    assert_eq!(out.status.code(), Some(3), "stderr: {}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("no log from pod"),
        "kwok serves no logs; the runner says so: {err}"
    );
    // The failed test's pod is kept (KINDTEST_KEEP=failed, the default): its spec is the contract.
    let pod = env.json(&["-n", &env.runner_ns(), "get", "pod", &env.pod_name(test)]);
    let spec = &pod["spec"];
    let c = &spec["containers"][0];
    assert_eq!(c["image"], "kindtest.local/kindtest-runner:kt-contract");
    assert_eq!(
        c["command"],
        serde_json::json!(["/kindtest/bin/e2e-0123456789abcdef"])
    );
    assert_eq!(
        c["args"],
        serde_json::json!(["--exact", test, "--nocapture"])
    );
    assert_eq!(c["workingDir"], "/kindtest/src");
    assert_eq!(c["resources"]["limits"]["memory"], "256Mi");
    assert_eq!(c["resources"]["limits"]["cpu"], "500m");
    assert_eq!(c["resources"]["requests"]["memory"], "64Mi");
    assert_eq!(spec["serviceAccountName"], "kindtest-runner");
    assert_eq!(spec["restartPolicy"], "Never");
    assert_eq!(spec["nodeSelector"]["kindtest.dev/pool"], "e2e");
    let env_vars: BTreeMap<String, String> = c["env"]
        .as_array()
        .expect("env")
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap_or("").to_string(),
                e["value"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(env_vars["KINDTEST_IN_CLUSTER"], "1");
    assert_eq!(env_vars["KINDTEST_RUN_ID"], env.run_id);
    assert_eq!(env_vars["KINDTEST_PROVIDER"], "kwok");
    assert_eq!(env_vars["KINDTEST_NAMESPACE_PREPARED"], env.test_ns(test));
    assert_eq!(env_vars["KINDTEST_WORKSPACE_ROOT"], "/kindtest/src");
    assert_eq!(env_vars["NEXTEST_TEST_NAME"], test);
    assert!(!env_vars.contains_key("KINDTEST_KUBECONFIG"));
    assert!(!env_vars.contains_key("KINDTEST_RUNNER_TEST_ANNOTATIONS"));
    // Scheduled where the selector says.
    let node = pod["spec"]["nodeName"].as_str().unwrap_or("").to_string();
    let labels = env.json(&["get", "node", &node]);
    assert_eq!(labels["metadata"]["labels"]["kindtest.dev/pool"], "e2e");
    // Diagnostics on the host.
    let dir = env
        .diag
        .join(&env.run_id)
        .join("e2e__fails_with_three")
        .join("runner");
    for f in ["pod.yaml", "events.txt", "logs.txt"] {
        assert!(dir.join(f).is_file(), "{} missing", dir.join(f).display());
    }
    // The prepared test namespace carries the harness's labels and the RoleBinding.
    let ns = env.json(&["get", "namespace", &env.test_ns(test)]);
    assert_eq!(
        ns["metadata"]["labels"]["app.kubernetes.io/managed-by"],
        "kindtest"
    );
    assert_eq!(
        ns["metadata"]["annotations"]["kindtest.dev/test-name"],
        test
    );
    let rb = env.json(&[
        "-n",
        &env.test_ns(test),
        "get",
        "rolebinding",
        "kindtest-runner",
    ]);
    assert_eq!(rb["subjects"][0]["namespace"], env.runner_ns().as_str());
}

fn service_account_has_least_privilege(env: &Env) {
    let test_ns = env.test_ns("e2e::fails_with_three");
    let sa = format!("system:serviceaccount:{}:kindtest-runner", env.runner_ns());
    let can = |args: &[&str]| -> bool {
        let mut a = vec!["auth", "can-i", "--as", &sa];
        a.extend_from_slice(args);
        let out = env.kubectl(&a);
        String::from_utf8_lossy(&out.stdout).trim() == "yes"
    };
    // In its test namespace: anything, including the namespace object itself.
    assert!(can(&["create", "deployments.apps", "-n", &test_ns]));
    assert!(can(&["create", "pods/portforward", "-n", &test_ns]));
    // The namespace object itself: `auth can-i` reviews `namespaces/<name>` as cluster-scoped and
    // says no, but a real request is authorized in the namespace of that name; ask the server
    // (impersonating the service account, dry run).
    let as_sa = |args: &[&str]| -> (bool, String) {
        let mut a = vec!["--as", &sa];
        a.extend_from_slice(args);
        a.push("--dry-run=server");
        let out = env.kubectl(&a);
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, err) = as_sa(&["annotate", "namespace", &test_ns, "kindtest.dev/probe=1"]);
    assert!(ok, "patch own namespace: {err}");
    let (ok, err) = as_sa(&["delete", "namespace", &test_ns]);
    assert!(ok, "delete own namespace: {err}");
    let (ok, err) = as_sa(&["delete", "namespace", "kube-system"]);
    assert!(
        !ok && err.contains("forbidden"),
        "delete kube-system: {err}"
    );
    let (ok, err) = as_sa(&["annotate", "namespace", "default", "kindtest.dev/probe=1"]);
    assert!(!ok && err.contains("forbidden"), "patch default: {err}");
    // Cluster-wide: namespaces get/list/create only.
    assert!(can(&["create", "namespaces"]));
    assert!(can(&["list", "namespaces"]));
    assert!(!can(&["delete", "namespace/kube-system"]));
    assert!(!can(&["create", "configmaps", "-n", "default"]));
    assert!(!can(&["get", "secrets", "-n", "kube-system"]));
    assert!(!can(&["create", "clusterroles"]));
    assert!(!can(&[
        "create",
        "customresourcedefinitions.apiextensions.k8s.io"
    ]));
}

/// The per-run ClusterRoleBinding is owned by the runner namespace, so deleting only the
/// namespace (`cargo kindtest clean`, the harness's sweep, an interrupted run) removes it too.
fn binding_goes_with_the_runner_namespace(env: &Env) {
    let ns = env.runner_ns();
    let uid = env.json(&["get", "namespace", &ns])["metadata"]["uid"]
        .as_str()
        .expect("runner namespace uid")
        .to_string();
    let crb = env.json(&["get", "clusterrolebinding", &ns]);
    let owners = &crb["metadata"]["ownerReferences"];
    assert_eq!(owners[0]["kind"], "Namespace", "{crb}");
    assert_eq!(owners[0]["name"], ns.as_str(), "{crb}");
    assert_eq!(owners[0]["uid"], uid.as_str(), "{crb}");
    env.kubectl_ok(&["delete", "namespace", &ns, "--wait=false"]);
    env.wait_until(
        "the ClusterRoleBinding to be collected with its namespace",
        Duration::from_secs(90),
        || !env.exists(&["get", "clusterrolebinding", &ns]),
    );
}

fn pending_pod_fails_with_one_line(env: &Env) {
    let test = "e2e::never_starts";
    let t = Instant::now();
    let out = env
        .runner(
            test,
            &[("kindtest.dev/pod-phase", "Pending")],
            &[("KINDTEST_RUNNER_START_TIMEOUT", "3")],
        )
        .output()
        .expect("runner");
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    assert!(t.elapsed() < Duration::from_secs(30));
    let err = stderr(&out);
    let line = err
        .lines()
        .find(|l| l.starts_with("Error: "))
        .unwrap_or_else(|| panic!("no `Error:` line: {err}"));
    assert!(
        line.contains(&format!(
            "pod {}/{} could not run: still Pending after 3s",
            env.runner_ns(),
            env.pod_name(test)
        )),
        "{line}"
    );
    // The harness never ran: the namespace made for it is removed.
    let ns = env.test_ns(test);
    env.wait_until(
        "the unused test namespace to go",
        Duration::from_secs(60),
        || {
            let out = env.kubectl(&[
                "get",
                "namespace",
                &ns,
                "-o",
                "jsonpath={.metadata.deletionTimestamp}",
            ]);
            !out.status.success() || !out.stdout.is_empty()
        },
    );
}

fn unschedulable_pod_fails_with_one_line(env: &Env) {
    let test = "e2e::nowhere_to_run";
    let out = env
        .runner(
            test,
            &[],
            &[
                (
                    "KINDTEST_RUNNER_NODE_SELECTOR",
                    r#"{"kindtest.dev/pool":"gpu-none"}"#,
                ),
                ("KINDTEST_RUNNER_UNSCHEDULABLE_GRACE", "1"),
            ],
        )
        .output()
        .expect("runner");
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    let err = stderr(&out);
    let line = err
        .lines()
        .find(|l| l.starts_with("Error: "))
        .unwrap_or_else(|| panic!("no `Error:` line: {err}"));
    assert!(
        line.contains("could not run: unschedulable: Unschedulable: 0/2 nodes are available"),
        "{line}"
    );
    let events = std::fs::read_to_string(
        env.diag
            .join(&env.run_id)
            .join("e2e__nowhere_to_run/runner/events.txt"),
    )
    .expect("events.txt");
    assert!(events.contains("FailedScheduling"), "{events}");
}

fn sigterm_deletes_the_pod_and_the_namespace(env: &Env) {
    let test = "e2e::runs_long";
    let mut child = env
        .runner(test, &[("kindtest.dev/run-duration", "120s")], &[])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runner");
    let pod = env.pod_name(test);
    let rns = env.runner_ns();
    env.wait_until(
        "the long test's pod to run",
        Duration::from_secs(30),
        || {
            let out = env.kubectl(&[
                "-n",
                &rns,
                "get",
                "pod",
                &pod,
                "-o",
                "jsonpath={.status.phase}",
            ]);
            out.stdout == b"Running"
        },
    );
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let t = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "runner did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    use std::io::Read;
    let _ = child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err);
    assert_eq!(status.code(), Some(128 + libc::SIGTERM), "{err}");
    assert!(err.contains("SIGTERM: deleting pod"), "{err}");
    env.wait_until("the pod to be deleted", Duration::from_secs(30), || {
        !env.exists(&["-n", &rns, "get", "pod", &pod])
    });
    let ns = env.test_ns(test);
    env.wait_until(
        "the test namespace to be deleted",
        Duration::from_secs(60),
        || {
            let out = env.kubectl(&[
                "get",
                "namespace",
                &ns,
                "-o",
                "jsonpath={.metadata.deletionTimestamp}",
            ]);
            !out.status.success() || !out.stdout.is_empty()
        },
    );
}

/// A two-test crate run by the real cargo-nextest with the runner as target runner: the list phase
/// runs on the host, each test in a pod; JUnit has the pass and the failure with exit code 3.
fn nextest_runs_tests_through_the_runner(env: &Env) {
    let krate = env.workspace.join("probe");
    std::fs::create_dir_all(krate.join("src")).expect("crate dir");
    std::fs::create_dir_all(krate.join(".config")).expect("config dir");
    std::fs::write(
        krate.join("Cargo.toml"),
        "[package]\nname = \"probe\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[workspace]\n",
    )
    .expect("Cargo.toml");
    std::fs::write(
        krate.join("src/lib.rs"),
        "#[test]\nfn dns_passes() {}\n#[test]\nfn dns_fails() { panic!(\"never runs on the host\") }\n",
    )
    .expect("lib.rs");
    std::fs::write(
        krate.join(".config/nextest.toml"),
        "[profile.default]\nfail-fast = false\n[profile.default.junit]\npath = \"junit.xml\"\n",
    )
    .expect("nextest.toml");
    let triple = host_triple();
    let target = krate.join("target");
    let hook = r#"{"dns_fails": {"kindtest.dev/exit-code": "3"}}"#;
    let out = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["nextest", "run", "--no-fail-fast", "-E", "test(/dns/)"])
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", &target)
        .env(
            cargo_kindtest::incluster::runner_env_var(&triple),
            cargo_kindtest::incluster::runner_command(Path::new(RUNNER)).expect("runner command"),
        )
        .env("KINDTEST_KUBECONFIG", env.plane.kubeconfig_path())
        .env("KINDTEST_PROVIDER", "kwok")
        .env("KINDTEST_RUN_ID", format!("{}-nextest", env.run_id))
        .env("KINDTEST_DIAGNOSTICS_DIR", &env.diag)
        .env(
            "KINDTEST_RUNNER_IMAGE",
            "kindtest.local/kindtest-runner:kt-probe",
        )
        .env("KINDTEST_RUNNER_TEST_ANNOTATIONS", hook)
        .env_remove("KINDTEST_CONTEXT")
        .env_remove("NEXTEST_PROFILE")
        .stdin(Stdio::null())
        .output()
        .expect("cargo nextest");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        out.status.code(),
        Some(100),
        "nextest: one failure expected\n{text}"
    );
    assert!(text.contains("2 tests run: 1 passed, 1 failed"), "{text}");
    let junit =
        std::fs::read_to_string(target.join("nextest/default/junit.xml")).expect("junit.xml");
    assert!(junit.contains("name=\"dns_passes\""), "{junit}");
    let fail_at = junit
        .find("name=\"dns_fails\"")
        .expect("dns_fails in junit");
    let after = &junit[fail_at..];
    assert!(after.contains("<failure"), "{junit}");
    assert!(after.contains("exit code 3"), "{junit}");
    assert!(
        !junit.contains("never runs on the host"),
        "the test body ran on the host: {junit}"
    );
}

fn host_triple() -> String {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("rustc -vV");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("host triple")
        .trim()
        .to_string()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

/// Benchmark (ignored; `bench/in-cluster.sh` runs it): the per-test overhead of running a test process
/// as a pod through the runner against running it on the host, on the control plane with kwok's
/// delays at zero (`kindtest.dev/run-duration: 0s`). Prints p50/p95 of each and of the runner's phases
/// (prepare = RBAC + namespace + RoleBinding, create, started, finished). kwok pods write no log, so
/// "first log line" is reported as the container start (the earliest moment a log line could appear).
#[test]
#[ignore = "benchmark: run with bench/in-cluster.sh"]
fn bench_in_cluster_overhead() {
    let n: usize = std::env::var("KINDTEST_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let (env, _lock) = start();
    // A trivial test binary to run on the host.
    let krate = env.workspace.join("bench-probe");
    std::fs::create_dir_all(krate.join("src")).expect("crate dir");
    std::fs::write(
        krate.join("Cargo.toml"),
        "[package]\nname = \"bench-probe\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[workspace]\n",
    )
    .expect("Cargo.toml");
    std::fs::write(krate.join("src/lib.rs"), "#[test]\nfn trivial() {}\n").expect("lib.rs");
    let out = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["test", "--no-run", "--message-format", "json"])
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", krate.join("target"))
        .stderr(Stdio::null())
        .output()
        .expect("cargo test --no-run");
    let bin = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find_map(|v| v["executable"].as_str().map(PathBuf::from))
        .expect("test executable");
    let mut host = Vec::new();
    for _ in 0..n {
        let t = Instant::now();
        let st = Command::new(&bin)
            .args(["--exact", "trivial", "--nocapture"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("host run");
        assert!(st.success());
        host.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let mut pod = Vec::new();
    let mut phases: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for i in 0..n {
        let test = format!("bench::trivial_{i}");
        let t = Instant::now();
        let out = env
            .runner(&test, &[("kindtest.dev/run-duration", "0s")], &[])
            .output()
            .expect("runner");
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        pod.push(t.elapsed().as_secs_f64() * 1000.0);
        let err = stderr(&out);
        let line = err
            .lines()
            .find_map(|l| l.strip_prefix("kindtest-runner-timing: "))
            .expect("timing line");
        let v: Value = serde_json::from_str(line).expect("timing json");
        for k in ["prepare_ms", "create_ms", "started_ms", "finished_ms"] {
            if let Some(x) = v[k].as_f64() {
                phases.entry(k).or_default().push(x);
            }
        }
    }
    host.sort_by(f64::total_cmp);
    pod.sort_by(f64::total_cmp);
    println!("in-cluster overhead, {n} trivial tests each, control plane with kwok delays 0:");
    println!(
        "  host process:          p50 {:7.1} ms  p95 {:7.1} ms",
        percentile(&host, 0.5),
        percentile(&host, 0.95)
    );
    println!(
        "  through a pod:         p50 {:7.1} ms  p95 {:7.1} ms",
        percentile(&pod, 0.5),
        percentile(&pod, 0.95)
    );
    println!(
        "  overhead per test:     p50 {:7.1} ms",
        percentile(&pod, 0.5) - percentile(&host, 0.5)
    );
    for (k, mut v) in phases {
        v.sort_by(f64::total_cmp);
        println!(
            "  runner {:<15} p50 {:7.1} ms  p95 {:7.1} ms  (since the runner started)",
            k.trim_end_matches("_ms"),
            percentile(&v, 0.5),
            percentile(&v, 0.95)
        );
    }
    env.plane.stop().expect("stop");
}
