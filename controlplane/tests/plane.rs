//! The control plane against the real binaries: the example chart installs with the real helm,
//! its Deployment becomes Available, Jobs complete (or fail with the annotated exit code),
//! a namespace is created and deleted, and no process is left afterwards — after `stop()`,
//! after SIGTERM to the owner, and after SIGKILL of the owner.
//!
//! These tests FAIL (never skip) when the binaries are missing: build them with
//! `scripts/build-control-plane.sh`; helm comes from `scripts/install-helm.sh`.
//! Planes are started one at a time (a file lock), as each takes ~1 GB and both cores.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use controlplane::{Binaries, ControlPlane, NodeConfig, pid_alive, pids_mentioning};

const CHILD_ENV: &str = "CONTROLPLANE_TEST_CHILD_STATE";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn binaries() -> Binaries {
    match Binaries::locate(None) {
        Ok(b) => b,
        Err(e) => {
            panic!("{e}\n(run `scripts/build-control-plane.sh` once; it caches the binaries)")
        }
    }
}

fn helm() -> PathBuf {
    if let Some(h) = std::env::var_os("KINDTEST_HELM") {
        return PathBuf::from(h);
    }
    let cached = std::env::var_os("HOME")
        .map(|h| PathBuf::from(h).join(".cache/kindtest/helm-oracle/bin/helm"));
    if let Some(p) = cached.filter(|p| p.is_file()) {
        return p;
    }
    if let Some(p) = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("helm"))
            .find(|p| p.is_file())
    }) {
        return p;
    }
    panic!(
        "helm not found (KINDTEST_HELM, ~/.cache/kindtest/helm-oracle/bin/helm, PATH); install it with scripts/install-helm.sh"
    );
}

/// Serialises plane start-ups across test processes (nextest runs each test in its own).
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

fn run(cmd: &mut Command) -> String {
    let shown = format!("{cmd:?}");
    let out = cmd.stdin(Stdio::null()).output().expect(&shown);
    assert!(
        out.status.success(),
        "{shown} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn helm_cmd(plane: &ControlPlane, home: &Path) -> Command {
    let mut c = Command::new(helm());
    c.arg("--kubeconfig")
        .arg(plane.kubeconfig_path())
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_DATA_HOME", home.join("data"));
    c
}

fn assert_nothing_left(pids: &[(String, u32)], state: &str, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let alive: Vec<&(String, u32)> = pids.iter().filter(|(_, p)| pid_alive(*p)).collect();
        let mentioning = pids_mentioning(state);
        if alive.is_empty() && mentioning.is_empty() {
            return;
        }
        if Instant::now() > deadline {
            panic!("left running: {alive:?}; processes mentioning {state}: {mentioning:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn demo_chart_installs_jobs_complete_and_nothing_is_left() {
    let bins = binaries();
    let helm_home = std::env::temp_dir().join(format!("controlplane-helm-{}", std::process::id()));
    let _lock = PlaneLock::take();
    let t = Instant::now();
    let plane = ControlPlane::builder()
        .binaries(bins)
        .node(NodeConfig::new())
        .node(
            NodeConfig::new()
                .resource("nvidia.com/gpu", "2")
                .label("pool", "gpu"),
        )
        .start()
        .expect("control plane starts");
    eprintln!("control plane ready in {:.1}s", t.elapsed().as_secs_f64());
    let pids = plane.pids();
    let state = plane.state_dir().to_string_lossy().into_owned();
    assert_eq!(
        pids.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        [
            "etcd",
            "kube-apiserver",
            "kube-controller-manager",
            "kube-scheduler",
            "kwok"
        ]
    );
    assert!(plane.server_url().starts_with("https://127.0.0.1:"));

    // The real helm installs the example chart; the pod asks for a GPU, so it must land on
    // the GPU node, and --wait needs the Deployment Available (kwok makes the pod Ready).
    run(helm_cmd(&plane, &helm_home)
        .args(["upgrade", "--install", "demo"])
        .arg(workspace().join("charts/demo"))
        .args([
            "-n",
            "demo",
            "--create-namespace",
            "--wait",
            "--timeout",
            "120s",
        ])
        .args(["--set", "extendedResources.nvidia\\.com/gpu=1"]));
    run(plane.kubectl().args([
        "-n",
        "demo",
        "wait",
        "--for=condition=Available",
        "deployment",
        "--all",
        "--timeout=60s",
    ]));
    let nodes = run(plane.kubectl().args([
        "-n",
        "demo",
        "get",
        "pods",
        "-o",
        "jsonpath={.items[*].spec.nodeName}",
    ]));
    assert_eq!(nodes.trim(), "kwok-node-1", "GPU pod not on the GPU node");
    // helm test: a bare hook pod, completed by the `pod-succeed` stage
    run(helm_cmd(&plane, &helm_home).args(["test", "demo", "-n", "demo", "--timeout", "60s"]));

    // Jobs: a plain Job and a post-install hook Job complete under --wait --wait-for-jobs.
    let jobs_chart = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/charts/jobs");
    run(helm_cmd(&plane, &helm_home)
        .args(["upgrade", "--install", "jobs"])
        .arg(&jobs_chart)
        .args([
            "-n",
            "jobs",
            "--create-namespace",
            "--wait",
            "--wait-for-jobs",
            "--timeout",
            "120s",
        ]));
    run(plane.kubectl().args([
        "-n",
        "jobs",
        "wait",
        "--for=condition=complete",
        "job/jobs-once",
        "job/jobs-migrate",
        "--timeout=60s",
    ]));
    // A failure chosen by annotation: the Job fails, its pod reports exit code 4.
    run(helm_cmd(&plane, &helm_home)
        .args(["upgrade", "jobs"])
        .arg(&jobs_chart)
        .args(["-n", "jobs", "--set", "failExitCode=4"]));
    run(plane.kubectl().args([
        "-n",
        "jobs",
        "wait",
        "--for=condition=failed",
        "job/jobs-failing",
        "--timeout=60s",
    ]));
    let code = run(plane.kubectl().args([
        "-n",
        "jobs",
        "get",
        "pods",
        "-l",
        "job-name=jobs-failing",
        "-o",
        "jsonpath={.items[0].status.containerStatuses[0].state.terminated.exitCode}",
    ]));
    assert_eq!(code.trim(), "4");

    // A test namespace is created and deleted (kwok's pod-delete stage lets it finish).
    run(plane
        .kubectl()
        .args(["create", "namespace", "kindtest-check"]));
    run(plane.kubectl().args([
        "-n",
        "kindtest-check",
        "wait",
        "--for=create",
        "serviceaccount/default",
        "--timeout=30s",
    ]));
    run(plane.kubectl().args([
        "-n",
        "kindtest-check",
        "run",
        "p",
        "--image=example.invalid/p:1",
        "--restart=Always",
    ]));
    run(plane.kubectl().args([
        "delete",
        "namespace",
        "kindtest-check",
        "--wait",
        "--timeout=90s",
    ]));
    let gone = plane
        .kubectl()
        .args(["get", "namespace", "kindtest-check"])
        .output()
        .expect("kubectl");
    assert!(!gone.status.success(), "namespace still exists");

    plane.stop().expect("stop");
    assert_nothing_left(&pids, &state, Duration::from_secs(5));
    assert!(!Path::new(&state).exists(), "temporary state dir kept");
    let _ = std::fs::remove_dir_all(&helm_home);
}

/// Not a test on its own: the body of the child process the signal test starts.
#[test]
fn child_entry() {
    let Some(state) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let plane = ControlPlane::builder()
        .binaries(binaries())
        .state_dir(PathBuf::from(state))
        .quiet(true)
        .start()
        .expect("child: control plane starts");
    let pids: Vec<String> = plane.pids().iter().map(|(_, p)| p.to_string()).collect();
    // a file, not stdout: libtest may capture a test's output
    let tmp = plane.state_dir().join("child-pids.tmp");
    std::fs::write(&tmp, pids.join(" ")).expect("child: write pids");
    std::fs::rename(&tmp, plane.state_dir().join("child-pids")).expect("child: rename pids");
    loop {
        std::thread::sleep(Duration::from_secs(60));
    }
}

/// SIGTERM to the owner stops the plane through the signal handler; SIGKILL of the owner
/// takes the plane down through the parent-death signal.
#[test]
fn owner_killed_by_sigterm_or_sigkill_leaves_nothing() {
    let _ = binaries();
    let _lock = PlaneLock::take();
    for sig in [libc::SIGTERM, libc::SIGKILL] {
        let state =
            std::env::temp_dir().join(format!("controlplane-owner-{}-{sig}", std::process::id()));
        let _ = std::fs::remove_dir_all(&state);
        std::fs::create_dir_all(&state).unwrap();
        let state = state.canonicalize().unwrap();
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "child_entry", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &state)
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(180);
        let pids: Vec<(String, u32)> = loop {
            if let Ok(text) = std::fs::read_to_string(state.join("child-pids")) {
                break text
                    .split_whitespace()
                    .map(|p| (String::new(), p.parse::<u32>().unwrap()))
                    .collect();
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("child exited before its plane was up: {status}");
            }
            assert!(Instant::now() < deadline, "child's plane not up after 180s");
            std::thread::sleep(Duration::from_millis(100));
        };
        assert_eq!(
            pids.len(),
            5,
            "child did not report its plane (signal {sig})"
        );
        assert!(pids.iter().all(|(_, p)| pid_alive(*p)));
        // SAFETY: signalling our own child.
        unsafe { libc::kill(child.id() as libc::pid_t, sig) };
        let status = child.wait().unwrap();
        assert!(!status.success(), "child exited cleanly after signal {sig}");
        assert_nothing_left(&pids, &state.to_string_lossy(), Duration::from_secs(15));
        std::fs::remove_dir_all(&state).unwrap();
    }
}
