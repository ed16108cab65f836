//! Contract tests: `cargo kindtest` against fake `kind`, `docker`, `podman`, `helm`, `cargo`
//! and `cargo-nextest` executables (`tests/fakes/`) and a fake Kubernetes API
//! (`tests/fakes/fake-apiserver`). Each test asserts the exact command sequence.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn fakes() -> PathBuf {
    repo().join("tests/fakes")
}

fn real_cargo() -> PathBuf {
    std::env::var_os("CARGO")
        .map(PathBuf::from)
        .unwrap_or_else(|| "cargo".into())
}

struct Api(Child, u16);

impl Api {
    fn start(scenario: &str, log: &Path) -> Api {
        let mut child = Command::new(fakes().join("fake-apiserver"))
            .env("FAKE_API_SCENARIO", scenario)
            .env("FAKE_API_LOG", log)
            .env(
                "FAKE_API_NODES",
                "kindtest-default-control-plane,kindtest-default-worker",
            )
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs tests/fakes/fake-apiserver");
        let mut line = String::new();
        use std::io::BufRead;
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Api(child, line.trim().parse().expect("port"))
    }
}

impl Drop for Api {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

const CONFIG: &str = r#"
[workspace.metadata.kindtest]
charts = ["charts/demo"]

[workspace.metadata.kindtest.images.demo]
dockerfile = "demo/Dockerfile"
context = "."

[workspace.metadata.kindtest.releases.demo]
chart = "charts/demo"
namespace = "demo"
timeout = "3m"

[workspace.metadata.kindtest.profiles.default]
cluster = { nodes = 2, extended-resources = { "nvidia.com/gpu" = "1" } }
values = ["values/e2e.yaml"]
"#;

/// A throwaway workspace, fake tool state, and a fake API server.
struct World {
    dir: PathBuf,
    ws: PathBuf,
    state: PathBuf,
    log: PathBuf,
    api_log: PathBuf,
    bin: PathBuf,
    api: Option<Api>,
    env: Vec<(String, String)>,
}

static N: AtomicUsize = AtomicUsize::new(0);

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}

impl World {
    fn new() -> World {
        Self::with(CONFIG, "ready", &[])
    }

    /// `without`: fake tools left out of `PATH`.
    fn with(config: &str, scenario: &str, without: &[&str]) -> World {
        let n = N.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("kindtest-ft-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let ws = dir.join("ws");
        std::fs::create_dir_all(ws.join("src")).unwrap();
        std::fs::write(
            ws.join("Cargo.toml"),
            format!("[package]\nname = \"ws\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n{config}"),
        )
        .unwrap();
        std::fs::write(ws.join("src/lib.rs"), "").unwrap();
        copy_dir(&repo().join("charts/demo"), &ws.join("charts/demo"));
        std::fs::create_dir_all(ws.join("values")).unwrap();
        std::fs::write(ws.join("values/e2e.yaml"), "replicaCount: 2\n").unwrap();
        std::fs::create_dir_all(ws.join("demo/src")).unwrap();
        std::fs::write(
            ws.join("demo/Dockerfile"),
            "FROM scratch\nCOPY demo /demo\n",
        )
        .unwrap();
        std::fs::write(ws.join("demo/Dockerfile.dockerignore"), "target\n").unwrap();
        std::fs::write(ws.join("demo/src/main.rs"), "fn main() {}\n").unwrap();
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        for e in std::fs::read_dir(fakes()).unwrap() {
            let name = e.unwrap().file_name().into_string().unwrap();
            if without.contains(&name.as_str()) || name.ends_with(".md") || name == "fake-apiserver"
            {
                continue;
            }
            std::os::unix::fs::symlink(fakes().join(&name), bin.join(&name)).unwrap();
        }
        let state = dir.join("state");
        std::fs::create_dir_all(&state).unwrap();
        let log = dir.join("log");
        std::fs::write(&log, "").unwrap();
        let api_log = dir.join("api-log");
        let api = Api::start(scenario, &api_log);
        World {
            dir,
            ws,
            state,
            log,
            api_log,
            bin,
            api: Some(api),
            env: Vec::new(),
        }
    }

    fn env(&mut self, k: &str, v: &str) -> &mut Self {
        self.env.push((k.into(), v.into()));
        self
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_cargo-kindtest"));
        c.arg("kindtest")
            .args(args)
            .current_dir(&self.ws)
            .env_clear();
        let path = format!("{}:/usr/local/bin:/usr/bin:/bin", self.bin.display());
        c.env("PATH", path)
            .env("HOME", std::env::var_os("HOME").unwrap_or_default())
            .env("CARGO", self.bin.join("cargo"))
            .env("FAKE_REAL_CARGO", real_cargo())
            .env("FAKE_LOG", &self.log)
            .env("FAKE_STATE", &self.state)
            .env("NO_COLOR", "1");
        // An empty CARGO_HOME: a cargo-nextest installed on this machine must not be found.
        c.env("CARGO_HOME", self.dir.join("cargo-home"));
        for k in ["RUSTUP_HOME", "RUSTUP_TOOLCHAIN"] {
            if let Some(v) = std::env::var_os(k) {
                c.env(k, v);
            }
        }
        if let Some(api) = &self.api {
            c.env("FAKE_KIND_SERVER", format!("http://127.0.0.1:{}", api.1));
        }
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        std::fs::write(&self.log, "").unwrap();
        self.command(args).output().unwrap()
    }

    /// The fake tools' log, with paths and content hashes normalised.
    fn calls(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log).unwrap();
        text.lines().map(|l| self.norm(l)).collect()
    }

    /// `KINDTEST_*` and `KUBECONFIG` as the fake test runner saw them, sorted, normalised
    /// (`$WS`, `$DIR`, `kt-HASH`, run id `RUN`).
    fn test_env(&self) -> Vec<String> {
        let text = std::fs::read_to_string(self.state.join("test-env")).unwrap();
        let mut v: Vec<String> = text
            .lines()
            .map(|l| match l.strip_prefix("KINDTEST_RUN_ID=") {
                Some(id) => {
                    assert!(
                        id.len() == 10 && id.chars().all(|c| c.is_ascii_hexdigit()),
                        "{l}"
                    );
                    "KINDTEST_RUN_ID=RUN".to_string()
                }
                None => self.norm(l),
            })
            .collect();
        v.sort();
        v
    }

    fn norm(&self, l: &str) -> String {
        let mut s = l
            .replace(self.ws.to_str().unwrap(), "$WS")
            .replace(self.dir.to_str().unwrap(), "$DIR");
        // Content tags `kt-<12 hex>`.
        while let Some(i) = s.find("kt-").filter(|&i| {
            s[i + 3..].len() >= 12 && s[i + 3..i + 15].chars().all(|c| c.is_ascii_hexdigit())
        }) {
            s.replace_range(i..i + 15, "kt-HASH");
        }
        s
    }
}

impl Drop for World {
    fn drop(&mut self) {
        self.api.take();
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const KC: &str = "$WS/target/kindtest/clusters/kindtest-default/kubeconfig";

fn helm_install(wait: &str) -> String {
    format!(
        "helm upgrade --install demo $WS/charts/demo --namespace demo --create-namespace --kubeconfig {KC} --kube-context kind-kindtest-default {wait} --timeout 3m --values $WS/values/e2e.yaml --set image.pullPolicy=IfNotPresent --set image.repository=kindtest.local/demo --set image.tag=kt-HASH"
    )
}

const NEXTEST: &str = "cargo-nextest nextest run --tool-config-file kindtest:$WS/target/kindtest/nextest-tool.toml --ignore-default-filter --profile kindtest";

fn cold_sequence() -> Vec<String> {
    vec![
        "kind get clusters".into(),
        format!(
            "kind create cluster --name kindtest-default --config $WS/target/kindtest/clusters/kindtest-default/kind-config.yaml --kubeconfig {KC}"
        ),
        "docker image inspect --format {{.Id}} kindtest.local/demo:kt-HASH".into(),
        "docker build -t kindtest.local/demo:kt-HASH -f $WS/demo/Dockerfile $WS".into(),
        "kind load docker-image --name kindtest-default kindtest.local/demo:kt-HASH".into(),
        "helm version --short".into(),
        helm_install("--wait=watcher"),
        NEXTEST.into(),
    ]
}

#[test]
fn cold_run() {
    let w = World::new();
    let o = w.run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(w.calls(), cold_sequence());
    // The tests got the cluster through exactly the KINDTEST_* variables the harness reads
    // (kindtest/src/settings.rs), plus KUBECONFIG for plain kube::Client users.
    assert_eq!(
        w.test_env(),
        vec![
            "KINDTEST_CLUSTER=kindtest-default",
            "KINDTEST_CONTEXT=kind-kindtest-default",
            "KINDTEST_DIAGNOSTICS_DIR=$WS/target/kindtest/runs",
            "KINDTEST_HELM=$DIR/bin/helm",
            "KINDTEST_IMAGES={\"demo\":\"kindtest.local/demo:kt-HASH\"}",
            "KINDTEST_IMAGE_DEMO=kindtest.local/demo:kt-HASH",
            "KINDTEST_KEEP=failed",
            "KINDTEST_KUBECONFIG=$WS/target/kindtest/clusters/kindtest-default/kubeconfig",
            "KINDTEST_PROFILE=default",
            "KINDTEST_PROVIDER=kind",
            "KINDTEST_RELEASES=demo/demo",
            "KINDTEST_RUN_ID=RUN",
            "KINDTEST_WORKSPACE_ROOT=$WS",
            "KUBECONFIG=$WS/target/kindtest/clusters/kindtest-default/kubeconfig",
        ]
    );
    // The diagnostics folder the harness writes into is this run's.
    let runs: Vec<_> = std::fs::read_dir(w.ws.join("target/kindtest/runs"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(runs.len() <= 1, "{runs:?}");
    // Defaults reach nextest through --tool-config-file; the repository's config still wins.
    let tool = std::fs::read_to_string(w.ws.join("target/kindtest/nextest-tool.toml")).unwrap();
    assert!(tool.contains("[profile.kindtest]"), "{tool}");
    // The generated kind config has two nodes; the GPU was advertised on the worker only.
    let cfg = std::fs::read_to_string(
        w.ws.join("target/kindtest/clusters/kindtest-default/kind-config.yaml"),
    )
    .unwrap();
    assert_eq!(cfg.matches("\"role\"").count(), 2, "{cfg}");
    let api = std::fs::read_to_string(&w.api_log).unwrap();
    assert!(api.contains(r#"PATCH /api/v1/nodes/kindtest-default-worker/status {"status": {"capacity": {"nvidia.com/gpu": "1"}}}"#), "{api}");
    assert!(
        !api.contains("PATCH /api/v1/nodes/kindtest-default-control-plane"),
        "{api}"
    );
    // Never ~/.kube/config.
    assert!(w.calls().iter().all(|c| !c.contains(".kube/config")));
    let s = stderr(&o);
    assert!(s.contains("overhead before tests:"), "{s}");
}

#[test]
fn warm_rerun_creates_builds_loads_and_installs_nothing() {
    let w = World::new();
    assert_eq!(w.run(&[]).status.code(), Some(0));
    let o = w.run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        w.calls(),
        vec!["kind get clusters".to_string(), NEXTEST.to_string()]
    );
}

#[test]
fn one_changed_image_is_built_and_loaded_once() {
    let w = World::new();
    assert_eq!(w.run(&[]).status.code(), Some(0));
    std::fs::write(
        w.ws.join("demo/src/main.rs"),
        "fn main() { println!(\"v2\"); }\n",
    )
    .unwrap();
    // Files the Dockerfile's ignore file excludes do not count.
    std::fs::create_dir_all(w.ws.join("target/junk")).unwrap();
    let o = w.run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        w.calls(),
        vec![
            "kind get clusters".to_string(),
            "docker image inspect --format {{.Id}} kindtest.local/demo:kt-HASH".into(),
            "docker build -t kindtest.local/demo:kt-HASH -f $WS/demo/Dockerfile $WS".into(),
            "kind load docker-image --name kindtest-default kindtest.local/demo:kt-HASH".into(),
            "helm version --short".into(),
            helm_install("--wait=watcher"),
            NEXTEST.into(),
        ]
    );
}

#[test]
fn failed_install_prints_diagnostics_and_deletes_nothing() {
    let mut w = World::with(CONFIG, "crashloop", &[]);
    w.env("FAKE_HELM_FAIL", "demo");
    let o = w.run(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let s = stderr(&o);
    assert!(
        s.contains("release `demo` in namespace `demo` failed"),
        "{s}"
    );
    assert!(
        s.contains(
            "pod/demo-7d4b9c-x2x4q: phase Running; container demo waiting: CrashLoopBackOff"
        ),
        "{s}"
    );
    assert!(
        s.contains("event Warning BackOff: Back-off restarting failed container demo"),
        "{s}"
    );
    assert!(s.contains("demo: fatal: GREETING is not set"), "{s}");
    assert!(s.contains("context deadline exceeded"), "{s}");
    let calls = w.calls();
    assert!(
        calls
            .iter()
            .all(|c| !c.contains("delete") && !c.contains("uninstall") && !c.contains("rollback")),
        "{calls:#?}"
    );
    assert!(
        calls.iter().all(|c| !c.starts_with("cargo")),
        "tests must not run: {calls:#?}"
    );
    let last = calls.last().unwrap();
    assert!(
        last.starts_with("kind export logs $WS/target/kindtest/runs/")
            && last.ends_with("/cluster-logs --name kindtest-default"),
        "{last}"
    );
    // The diagnostics file is where the message says.
    let runs = w.ws.join("target/kindtest/runs");
    let run = std::fs::read_dir(&runs)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(run.join("install-demo-demo.txt")).unwrap();
    assert!(
        text.contains("CrashLoopBackOff") && text.contains("INSTALLATION FAILED"),
        "{text}"
    );
    // The next run retries the install (the failed release is not recorded as installed).
    w.env("FAKE_HELM_FAIL", "");
    let o = w.run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        w.calls()
            .iter()
            .any(|c| c.starts_with("helm upgrade --install demo"))
    );
}

#[test]
fn kind_missing_is_a_clear_error() {
    let w = World::with(CONFIG, "ready", &["kind"]);
    let o = w.run(&[]);
    assert_eq!(o.status.code(), Some(2));
    let s = stderr(&o);
    assert!(s.contains("`kind` was not found on PATH"), "{s}");
    assert!(s.contains("go install sigs.k8s.io/kind@v0.32.0"), "{s}");
    assert!(w.calls().is_empty(), "{:?}", w.calls());
}

#[test]
fn docker_daemon_down() {
    let mut w = World::new();
    w.env("FAKE_DOCKER_DOWN", "1");
    let o = w.run(&[]);
    assert_eq!(o.status.code(), Some(2));
    let s = stderr(&o);
    assert!(
        s.contains("the docker daemon is not reachable: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"),
        "{s}"
    );
    assert_eq!(w.calls(), vec!["kind get clusters"]);
}

#[test]
fn foreign_cluster_is_refused() {
    let w = World::new();
    std::fs::create_dir_all(w.state.join("kind/clusters/kindtest-default")).unwrap();
    let o = w.run(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(
            "a kind cluster named `kindtest-default` exists but was not created by cargo kindtest"
        ),
        "{}",
        stderr(&o)
    );
    assert_eq!(w.calls(), vec!["kind get clusters"]);
    // `down` and `clean` leave it alone too.
    assert_eq!(w.run(&["down"]).status.code(), Some(0));
    assert_eq!(w.run(&["clean"]).status.code(), Some(0));
    assert!(
        w.calls().iter().all(|c| !c.contains("delete")),
        "{:?}",
        w.calls()
    );
    assert!(w.state.join("kind/clusters/kindtest-default").is_dir());
}

#[test]
fn foreign_context_is_refused() {
    let mut w = World::new();
    w.env("FAKE_KIND_CONTEXT", "prod-admin");
    let o = w.run(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("refusing to use kube context `prod-admin`"),
        "{}",
        stderr(&o)
    );
    assert!(
        w.calls()
            .iter()
            .all(|c| !c.starts_with("helm") && !c.starts_with("docker")),
        "{:?}",
        w.calls()
    );
}

#[test]
fn ctrl_c_during_install_cleans_up() {
    let mut w = World::new();
    w.env("FAKE_HELM_SLEEP", "30");
    std::fs::write(&w.log, "").unwrap();
    let mut child = w
        .command(&[])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !std::fs::read_to_string(&w.log)
        .unwrap()
        .contains("helm upgrade")
    {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "helm never started: {:?}",
            w.calls()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(100));
    // SAFETY: signalling our own child.
    unsafe {
        libc_kill(child.id() as i32, 2);
    }
    let t = Instant::now();
    let status = child.wait().unwrap();
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "cleanup took {:?}",
        t.elapsed()
    );
    assert_eq!(status.code(), Some(130));
    let calls = w.calls();
    let n = calls.len();
    assert!(
        calls[n - 2].starts_with("helm upgrade --install demo"),
        "{calls:#?}"
    );
    assert_eq!(
        calls[n - 1],
        format!(
            "helm uninstall demo --namespace demo --kubeconfig {KC} --kube-context kind-kindtest-default"
        )
    );
    // No test ran; the cluster is kept locally (it passed the readiness gate).
    assert!(
        calls
            .iter()
            .all(|c| !c.starts_with("cargo") && !c.contains("delete cluster")),
        "{calls:#?}"
    );
}

unsafe extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

#[test]
fn podman_loads_through_an_image_archive() {
    let mut w = World::new();
    w.env("KIND_EXPERIMENTAL_PROVIDER", "podman");
    let o = w.run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let calls = w.calls();
    assert_eq!(
        calls[2],
        "podman image inspect --format {{.Id}} kindtest.local/demo:kt-HASH"
    );
    assert_eq!(
        calls[3],
        "podman build -t kindtest.local/demo:kt-HASH -f $WS/demo/Dockerfile $WS"
    );
    assert!(
        calls[4].starts_with("podman save --multi-image-archive -o /")
            && calls[4].ends_with("/images.tar kindtest.local/demo:kt-HASH"),
        "{}",
        calls[4]
    );
    assert!(
        calls[5].starts_with("kind load image-archive /")
            && calls[5].ends_with("/images.tar --name kindtest-default"),
        "{}",
        calls[5]
    );
    assert!(calls.iter().all(|c| !c.starts_with("docker")));
}

#[test]
fn helm_v3_spelling() {
    let mut w = World::new();
    w.env("FAKE_HELM_VERSION", "v3.21.4+g1a2b3c4");
    let o = w.run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        w.calls().contains(&helm_install("--wait")),
        "{:#?}",
        w.calls()
    );
}

#[test]
fn ci_deletes_the_cluster_unless_keep() {
    let mut w = World::new();
    w.env("CI", "true");
    let o = w.run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        w.calls().last().unwrap(),
        &format!("kind delete cluster --name kindtest-default --kubeconfig {KC}")
    );
    let o = w.run(&["--keep"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        w.calls().iter().all(|c| !c.contains("delete")),
        "{:?}",
        w.calls()
    );
}

#[test]
fn failing_tests_exit_1_and_export_logs() {
    let mut w = World::new();
    w.env("FAKE_NEXTEST_EXIT", "100");
    let o = w.run(&["-E", "test(/^e2e::/)", "pod_ready", "--", "--no-capture"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let calls = w.calls();
    assert!(
        calls.contains(&format!(
            "{NEXTEST} -E test(/^e2e::/) --no-capture pod_ready"
        )),
        "{calls:#?}"
    );
    assert!(
        calls.last().unwrap().starts_with("kind export logs "),
        "{calls:#?}"
    );
}

#[test]
fn without_nextest_cargo_test_runs() {
    let w = World::with(CONFIG, "ready", &["cargo-nextest"]);
    let o = w.run(&["pod_ready"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(w.calls().last().unwrap(), "cargo test -- pod_ready");
    assert!(stderr(&o).contains("cargo-nextest is not installed"));
}

#[test]
fn unknown_config_key_suggests() {
    let w = World::with(
        &CONFIG.replace("timeout = \"3m\"", "timout = \"3m\""),
        "ready",
        &[],
    );
    let o = w.run(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown key `releases.demo.timout` in [workspace.metadata.kindtest]"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("did you mean `timeout`?"),
        "{}",
        stderr(&o)
    );
    assert!(w.calls().is_empty());
}

#[test]
fn json_events() {
    let w = World::new();
    let o = w.run(&["--message-format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let events: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let stages: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "stage-finished")
        .map(|e| e["stage"].as_str().unwrap())
        .collect();
    assert_eq!(
        stages,
        vec![
            "plan", "check", "cluster", "images", "install", "run", "report"
        ]
    );
    let fin = events.iter().find(|e| e["event"] == "finished").unwrap();
    assert_eq!(fin["exit_code"], 0);
}

#[test]
fn check_needs_no_cluster() {
    let w = World::new();
    let o = w.run(&["check"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(w.calls().is_empty());
}

#[test]
fn up_status_down() {
    let w = World::new();
    let o = w.run(&["up"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(w.calls().iter().all(|c| !c.starts_with("cargo")));
    let o = w.run(&["status"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("kindtest-default (this profile): kind running, ready"),
        "{out}"
    );
    assert!(out.contains("release demo/demo"), "{out}");
    let o = w.run(&["down"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        w.calls(),
        vec!["kind delete cluster --name kindtest-default --kubeconfig ".to_string() + KC]
    );
    assert!(
        !w.ws
            .join("target/kindtest/clusters/kindtest-default")
            .exists()
    );
}

#[test]
fn user_filters_and_args_reach_nextest_verbatim() {
    let mut w = World::new();
    // A KINDTEST_KEEP from the user's environment reaches the tests.
    w.env("KINDTEST_KEEP", "always");
    let o = w.run(&[
        "-E",
        "test(a)",
        "-E",
        "test(b)",
        "--partition",
        "hash:1/2",
        "--no-fail-fast",
        "pod_ready",
        "--",
        "--profile",
        "ci",
        "--retries",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The user's --profile replaces ours; everything else is passed in order.
    assert_eq!(
        w.calls().last().unwrap(),
        "cargo-nextest nextest run --tool-config-file kindtest:$WS/target/kindtest/nextest-tool.toml --ignore-default-filter -E test(a) -E test(b) --partition hash:1/2 --no-fail-fast --profile ci --retries 1 pod_ready"
    );
    assert!(w.test_env().contains(&"KINDTEST_KEEP=always".to_string()));
}

#[test]
fn profile_filter_and_nextest_profile_from_config() {
    let config = format!(
        "{CONFIG}\n[workspace.metadata.kindtest.profiles.e2e]\nfilter = \"test(/^e2e::/)\"\nnextest-profile = \"ci\"\ntest-args = [\"--no-capture\"]\n"
    );
    let w = World::with(&config, "ready", &[]);
    let o = w.run(&["--profile", "e2e", "--", "--retries", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        w.calls().last().unwrap(),
        "cargo-nextest nextest run --tool-config-file kindtest:$WS/target/kindtest/nextest-tool.toml --ignore-default-filter --profile ci -E test(/^e2e::/) --no-capture --retries 2"
    );
    assert!(w.test_env().contains(&"KINDTEST_PROFILE=e2e".to_string()));
}

#[test]
fn a_cluster_gone_behind_our_back_is_recreated() {
    let w = World::new();
    assert_eq!(w.run(&[]).status.code(), Some(0));
    // `kind delete cluster` by hand (or a Docker reset): our state.json outlives it.
    std::fs::remove_dir_all(w.state.join("kind/clusters/kindtest-default")).unwrap();
    assert!(
        w.ws.join("target/kindtest/clusters/kindtest-default/state.json")
            .is_file()
    );
    let o = w.run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no longer exists: creating it again"),
        "{}",
        stderr(&o)
    );
    // Created again; the image is still in docker (no build) but must be loaded into the new
    // nodes, and the release installed again.
    assert_eq!(
        w.calls(),
        vec![
            "kind get clusters".to_string(),
            format!(
                "kind create cluster --name kindtest-default --config $WS/target/kindtest/clusters/kindtest-default/kind-config.yaml --kubeconfig {KC}"
            ),
            "docker image inspect --format {{.Id}} kindtest.local/demo:kt-HASH".into(),
            "kind load docker-image --name kindtest-default kindtest.local/demo:kt-HASH".into(),
            "helm version --short".into(),
            helm_install("--wait=watcher"),
            NEXTEST.into(),
        ]
    );
    // And the next run is warm again.
    assert_eq!(w.run(&[]).status.code(), Some(0));
    assert_eq!(
        w.calls(),
        vec!["kind get clusters".to_string(), NEXTEST.to_string()]
    );
}

fn installs(w: &World) -> usize {
    w.calls()
        .iter()
        .filter(|c| c.starts_with("helm upgrade --install demo"))
        .count()
}

#[test]
fn install_is_keyed_on_the_rendered_release() {
    // The image's build context is `demo/`, so chart and values edits do not change its tag.
    let w = World::with(
        &CONFIG.replace("context = \".\"", "context = \"demo\""),
        "ready",
        &[],
    );
    assert_eq!(w.run(&[]).status.code(), Some(0));
    let tpl = w.ws.join("charts/demo/templates/deployment.yaml");
    let text = std::fs::read_to_string(&tpl).unwrap();

    // Touched but identical: no install.
    std::fs::write(&tpl, &text).unwrap();
    // A comment in a values file and an edited README change no manifest: no install.
    std::fs::write(
        w.ws.join("values/e2e.yaml"),
        "# two replicas in e2e\nreplicaCount: 2\n",
    )
    .unwrap();
    std::fs::write(w.ws.join("charts/demo/README.md"), "edited\n").unwrap();
    let o = w.run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(installs(&w), 0, "{:#?}", w.calls());

    // A values change that changes the manifests: installed.
    std::fs::write(w.ws.join("values/e2e.yaml"), "replicaCount: 3\n").unwrap();
    let o = w.run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(installs(&w), 1, "{:#?}", w.calls());
    assert_eq!(w.run(&[]).status.code(), Some(0));
    assert_eq!(installs(&w), 0, "{:#?}", w.calls());

    // A template change: installed.
    std::fs::write(
        &tpl,
        text.replacen(
            "metadata:\n",
            "metadata:\n  annotations:\n    changed: \"yes\"\n",
            1,
        ),
    )
    .unwrap();
    let o = w.run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(installs(&w), 1, "{:#?}", w.calls());
}

#[test]
fn check_errors_stop_the_run_before_any_cluster_work() {
    let w = World::new();
    // A clean run first: its check is remembered, and a warm re-run skips it …
    assert_eq!(w.run(&[]).status.code(), Some(0));
    let o = w.run(&["--message-format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains(r#""event":"stage-finished","stage":"check","status":"skipped""#),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    // … until a chart file changes.
    std::fs::write(
        w.ws.join("charts/demo/templates/broken.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  bogus: 1\n",
    )
    .unwrap();
    let o = w.run(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let s = stderr(&o);
    // rustc-style, with the file and line of the template.
    assert!(s.contains("error[KT"), "{s}");
    assert!(s.contains("--> charts/demo/templates/broken.yaml:5"), "{s}");
    assert!(s.contains("bogus"), "{s}");
    assert!(s.contains("Failed check"), "{s}");
    assert!(w.calls().is_empty(), "{:#?}", w.calls());
    // A failed check is never remembered.
    assert_eq!(w.run(&[]).status.code(), Some(1));
    assert!(w.calls().is_empty(), "{:#?}", w.calls());
}

#[test]
fn lint_config_is_honoured_by_the_pipeline() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx:latest\n";
    // Default level: a warning, the run goes on.
    let w = World::new();
    std::fs::write(w.ws.join("charts/demo/templates/pod.yaml"), pod).unwrap();
    let o = w.run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning[KT0201]"), "{}", stderr(&o));
    // Raised to an error in [workspace.metadata.kindtest.lint]: the run stops at check.
    let config = format!("{CONFIG}\n[workspace.metadata.kindtest.lint]\nimage-tag = \"error\"\n");
    let w = World::with(&config, "ready", &[]);
    std::fs::write(w.ws.join("charts/demo/templates/pod.yaml"), pod).unwrap();
    let o = w.run(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("error[KT0201]"), "{}", stderr(&o));
    assert!(w.calls().is_empty(), "{:#?}", w.calls());
    // Tools get the finding as a JSON event.
    let o = w.run(&["--message-format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let finding: serde_json::Value = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|e| e["event"] == "finding" && e["finding"]["code"] == "KT0201")
        .expect("a finding event for KT0201");
    assert_eq!(finding["level"], "error");
    assert_eq!(finding["finding"]["code"], "KT0201");
    assert_eq!(finding["finding"]["rule"], "image-tag");
    assert_eq!(finding["finding"]["file"], "charts/demo/templates/pod.yaml");
    assert_eq!(finding["finding"]["line"], 8);
    // `cargo kindtest check` reads the same table.
    let o = w.run(&["check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("error[KT0201]"));
    // Allowed: silent.
    let config = format!("{CONFIG}\n[workspace.metadata.kindtest.lint]\nimage-tag = \"allow\"\n");
    let w = World::with(&config, "ready", &[]);
    std::fs::write(w.ws.join("charts/demo/templates/pod.yaml"), pod).unwrap();
    let o = w.run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("KT0201"), "{}", stderr(&o));
}

#[test]
fn readiness_gate_names_what_is_not_ready() {
    let config = CONFIG.replace(
        "cluster = { nodes = 2,",
        "cluster = { ready-timeout = \"1s\", nodes = 2,",
    );
    let w = World::with(&config, "notready", &[]);
    let o = w.run(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let s = stderr(&o);
    assert!(
        s.contains("cluster `kindtest-default` not ready after 1s"),
        "{s}"
    );
    assert!(
        s.contains("node/kindtest-default-worker not Ready (KubeletNotReady: container runtime network not ready: cni plugin not initialized)"),
        "{s}"
    );
    // Nothing installed, no test run; logs exported; the cluster kept for inspection.
    let calls = w.calls();
    assert!(
        calls
            .iter()
            .all(|c| !c.starts_with("helm") && !c.starts_with("cargo") && !c.contains("delete")),
        "{calls:#?}"
    );
    assert!(
        calls.last().unwrap().starts_with("kind export logs "),
        "{calls:#?}"
    );
}
