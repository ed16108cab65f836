//! The `--in-cluster` runner image through the images stage, with the fake `docker` and `kind` of
//! `tests/fakes` (argv logged to `$FAKE_LOG`): staged context (binaries + data files), built once
//! with a content tag, loaded with one `kind load`, not rebuilt or reloaded when nothing changed,
//! rebuilt when a test binary changes. One test in this file: it sets `PATH` for the fakes.

use std::path::{Path, PathBuf};
use std::process::Command;

use cargo_kindtest::cluster::kind::Kind;
use cargo_kindtest::events::Events;
use cargo_kindtest::images::build_and_load;
use cargo_kindtest::incluster::package::{self, RunnerImageSpec};
use cargo_kindtest::process::{Cancel, Exec};
use cargo_kindtest::state::ClusterState;

fn fakes() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .join("tests/fakes")
}

fn log_lines(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn runner_image_is_built_and_loaded_by_content() {
    let root = std::env::temp_dir().join(format!("kt-incluster-img-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let ws = root.join("ws");
    std::fs::create_dir_all(ws.join("charts/demo")).expect("ws");
    std::fs::write(ws.join("charts/demo/Chart.yaml"), "name: demo\n").expect("chart");
    std::fs::create_dir_all(ws.join("values")).expect("values");
    std::fs::write(ws.join("values/e2e.yaml"), "replicas: 1\n").expect("values");
    std::fs::create_dir_all(ws.join("target/debug/deps")).expect("deps");
    let bin = ws.join("target/debug/deps/e2e-0123abcd");
    std::fs::write(&bin, b"\x7fELF test binary v1").expect("bin");
    let log = root.join("fake.log");
    let state = root.join("fake-state");
    std::fs::create_dir_all(&state).expect("state");
    let path = format!(
        "{}:{}",
        fakes().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // SAFETY: the only test in this binary; set before any thread or child exists.
    unsafe {
        std::env::set_var("PATH", &path);
        std::env::set_var("FAKE_LOG", &log);
        std::env::set_var("FAKE_STATE", &state);
        std::env::remove_var("KIND_EXPERIMENTAL_PROVIDER");
    }
    let st = Command::new(fakes().join("kind"))
        .args(["create", "cluster", "--name", "kt-img"])
        .output()
        .expect("fake kind");
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    std::fs::write(&log, "").expect("reset log");

    let exec = Exec::new(Cancel::new(), Events::null());
    let provider = Kind::new(exec.clone());
    let mut cstate = ClusterState::default();
    let spec = RunnerImageSpec {
        binaries: vec![bin.clone()],
        files: vec![
            PathBuf::from("charts/demo"),
            PathBuf::from("values/e2e.yaml"),
        ],
        helm: None,
        base: None,
    };
    let staging = ws.join("target/kindtest/runner-image");

    // 1. First run: built and loaded, once each.
    let plan = package::stage(&spec, &ws, &staging).expect("stage");
    let built = build_and_load(&exec, "docker", &provider, "kt-img", &[plan], &mut cstate)
        .expect("build and load");
    assert_eq!(built.len(), 1);
    let first = built[0].reference();
    assert!(
        first.starts_with("kindtest.local/kindtest-runner:kt-"),
        "{first}"
    );
    assert_eq!(built[0].action, "built+loaded");
    let lines = log_lines(&log);
    let builds: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("docker build"))
        .collect();
    assert_eq!(builds.len(), 1, "{lines:#?}");
    assert!(
        builds[0].contains(&format!(
            "-t {first} -f {}",
            staging.join("Dockerfile").display()
        )),
        "{lines:#?}"
    );
    let loads: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("kind load"))
        .collect();
    assert_eq!(
        loads,
        [&format!("kind load docker-image --name kt-img {first}")],
        "{lines:#?}"
    );
    for f in [
        "Dockerfile",
        "bin/e2e-0123abcd",
        "src/charts/demo/Chart.yaml",
        "src/values/e2e.yaml",
    ] {
        assert!(staging.join(f).is_file(), "{f} not staged");
    }

    // 2. Nothing changed: no build, no load.
    std::fs::write(&log, "").expect("reset log");
    let plan = package::stage(&spec, &ws, &staging).expect("stage");
    let built = build_and_load(&exec, "docker", &provider, "kt-img", &[plan], &mut cstate)
        .expect("second run");
    assert_eq!(built[0].reference(), first);
    assert_eq!(built[0].action, "up to date");
    let lines = log_lines(&log);
    assert!(
        !lines
            .iter()
            .any(|l| l.starts_with("docker build") || l.starts_with("kind load")),
        "{lines:#?}"
    );

    // 3. The cluster forgot it (a fresh cluster state), the image is still local: load, no build.
    std::fs::write(&log, "").expect("reset log");
    let mut fresh = ClusterState::default();
    let plan = package::stage(&spec, &ws, &staging).expect("stage");
    let built = build_and_load(&exec, "docker", &provider, "kt-img", &[plan], &mut fresh)
        .expect("third run");
    assert_eq!(built[0].action, "loaded");
    let lines = log_lines(&log);
    assert!(
        !lines.iter().any(|l| l.starts_with("docker build")),
        "{lines:#?}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("kind load")).count(),
        1
    );

    // 4. A rebuilt test binary: new tag, built and loaded.
    std::fs::write(&log, "").expect("reset log");
    std::fs::write(&bin, b"\x7fELF test binary v2").expect("bin v2");
    let plan = package::stage(&spec, &ws, &staging).expect("stage");
    let built = build_and_load(&exec, "docker", &provider, "kt-img", &[plan], &mut cstate)
        .expect("fourth run");
    assert_ne!(built[0].reference(), first);
    assert_eq!(built[0].action, "built+loaded");
    let lines = log_lines(&log);
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("docker build"))
            .count(),
        1
    );

    std::fs::remove_dir_all(&root).expect("cleanup");
}
