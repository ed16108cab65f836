//! The nextest contract for custom harnesses, checked on a kindtest binary (`kindtest-fixture`) without a
//! cluster: `--list --format terse` (only `name: test` lines on stdout), `--ignored`, `--exact NAME`
//! (and an error when it matches nothing), one-line failure messages preceded by `Error:`, timeouts,
//! the refusal of a foreign context, and `KINDTEST_DESCRIBE`.

use std::collections::BTreeSet;
use std::process::{Command, Output};

const FIXTURE: &str = env!("CARGO_BIN_EXE_kindtest-fixture");

/// Runs the fixture with no cluster settings inherited from the caller's environment.
fn fixture(args: &[&str]) -> Command {
    let mut c = Command::new(FIXTURE);
    c.args(args);
    for v in [
        "KUBECONFIG",
        "KINDTEST_KUBECONFIG",
        "KINDTEST_CONTEXT",
        "KINDTEST_IN_CLUSTER",
        "KINDTEST_DESCRIBE",
        "NEXTEST_TEST_GROUP",
    ] {
        c.env_remove(v);
    }
    c
}

fn run(args: &[&str]) -> Output {
    fixture(args).output().expect("run kindtest-fixture")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const ALL: &[&str] = &[
    "kindtest_fixture::cluster::fails_waiting",
    "kindtest_fixture::cluster::passes",
    "kindtest_fixture::cluster::sleeps",
    "kindtest_fixture::plain::async_passes",
    "kindtest_fixture::plain::fails_with_error",
    "kindtest_fixture::plain::grouped",
    "kindtest_fixture::plain::ignored_one",
    "kindtest_fixture::plain::panics",
    "kindtest_fixture::plain::passes",
    "kindtest_fixture::plain::times_out",
];

#[test]
fn list_terse_prints_only_test_lines_with_module_paths() {
    let out = run(&["--list", "--format", "terse"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let listed: Vec<&str> = stdout.lines().collect();
    let expected: Vec<String> = ALL.iter().map(|n| format!("{n}: test")).collect();
    assert_eq!(listed, expected, "stdout was:\n{stdout}");
    assert!(
        !stdout.contains('['),
        "no libtest-mimic kind prefixes: {stdout}"
    );
}

#[test]
fn list_ignored_is_exactly_the_ignored_set() {
    let out = run(&["--list", "--format", "terse", "--ignored"]);
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout),
        "kindtest_fixture::plain::ignored_one: test\n"
    );
}

#[test]
fn exact_runs_one_test() {
    let out = run(&["--exact", "kindtest_fixture::plain::passes", "--nocapture"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("1 passed"), "{stdout}");
    assert!(stdout.contains("9 filtered out"), "{stdout}");
}

#[test]
fn exact_matching_nothing_is_an_error() {
    let out = run(&["--exact", "kindtest_fixture::plain::renamed", "--nocapture"]);
    assert_eq!(out.status.code(), Some(101));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("Error: kindtest: no test named `kindtest_fixture::plain::renamed`"),
        "{stderr}"
    );
}

#[test]
fn exact_does_not_match_substrings() {
    let out = run(&["--exact", "plain::passes", "--nocapture"]);
    assert_eq!(out.status.code(), Some(101), "{}", text(&out.stdout));
}

#[test]
fn ignored_test_runs_only_with_ignored_flag() {
    let out = run(&[
        "--exact",
        "kindtest_fixture::plain::ignored_one",
        "--nocapture",
    ]);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("1 ignored"));
    let out = run(&[
        "--exact",
        "kindtest_fixture::plain::ignored_one",
        "--nocapture",
        "--ignored",
    ]);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("1 passed"));
}

/// The failure text nextest puts in JUnit: the `Error:` line right before the last `panicked at`.
fn error_and_panic(stderr: &str) -> (String, String) {
    let lines: Vec<&str> = stderr.lines().collect();
    // `thread '<name>' panicked at` (recent Rust adds ` (<tid>)` after the name).
    let at = lines
        .iter()
        .rposition(|l| l.starts_with("thread '") && l.contains(" panicked at "))
        .unwrap_or_else(|| panic!("no panic line in:\n{stderr}"));
    let error = lines[..at]
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_else(|| panic!("nothing before the panic in:\n{stderr}"));
    (
        error.to_string(),
        lines.get(at + 1).copied().unwrap_or("").to_string(),
    )
}

#[test]
fn error_result_becomes_one_line_panic() {
    let out = run(&[
        "--exact",
        "kindtest_fixture::plain::fails_with_error",
        "--nocapture",
    ]);
    assert_eq!(out.status.code(), Some(101));
    let (error, panic) = error_and_panic(&text(&out.stderr));
    let msg = "deployment/web not Available after 60s:; pod web-1 CrashLoopBackOff";
    assert_eq!(error, format!("Error: {msg}"));
    assert_eq!(panic, msg);
}

#[test]
fn user_panic_is_reported_with_its_message() {
    let out = run(&["--exact", "kindtest_fixture::plain::panics", "--nocapture"]);
    assert_eq!(out.status.code(), Some(101));
    let (error, _) = error_and_panic(&text(&out.stderr));
    assert!(
        error.starts_with(
            "Error: test panicked: assertion `left == right` failed: the answer is wrong"
        ),
        "{error}"
    );
    assert!(!error.contains('\n'));
}

#[test]
fn per_test_timeout() {
    let t = std::time::Instant::now();
    let out = run(&[
        "--exact",
        "kindtest_fixture::plain::times_out",
        "--nocapture",
    ]);
    assert_eq!(out.status.code(), Some(101));
    assert!(t.elapsed().as_secs() < 20, "the 200ms timeout did not fire");
    let (error, _) = error_and_panic(&text(&out.stderr));
    assert_eq!(error, "Error: test timed out after 200ms");
}

#[test]
fn cluster_test_without_a_cluster_says_how_to_get_one() {
    let out = fixture(&[
        "--exact",
        "kindtest_fixture::cluster::passes",
        "--nocapture",
    ])
    .env("HOME", "/nonexistent")
    .output()
    .expect("run");
    assert_eq!(out.status.code(), Some(101));
    let (error, _) = error_and_panic(&text(&out.stderr));
    assert!(error.starts_with("Error: kindtest: no cluster:"), "{error}");
    assert!(error.contains("KINDTEST_CONTEXT"), "{error}");
}

#[test]
fn foreign_context_is_refused() {
    let dir = std::env::temp_dir().join(format!("kindtest-contract-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let kc = dir.join("kubeconfig");
    std::fs::write(
        &kc,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster:\n    server: https://api.prod.example.com\ncontexts:\n- name: prod\n  context:\n    cluster: prod\n    user: prod\nusers:\n- name: prod\n  user:\n    token: x\ncurrent-context: prod\n",
    )
    .expect("write kubeconfig");
    let out = fixture(&[
        "--exact",
        "kindtest_fixture::cluster::passes",
        "--nocapture",
    ])
    .env("KUBECONFIG", &kc)
    .env("KINDTEST_CONTEXT", "prod")
    .output()
    .expect("run");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(101));
    let (error, _) = error_and_panic(&text(&out.stderr));
    assert!(
        error.starts_with(
            "Error: kindtest: refusing context `prod` (server https://api.prod.example.com)"
        ),
        "{error}"
    );
}

#[test]
fn describe_prints_metadata_for_the_cli() {
    let out = fixture(&[])
        .env("KINDTEST_DESCRIBE", "1")
        .output()
        .expect("run");
    assert!(out.status.success());
    let mut names = BTreeSet::new();
    for line in text(&out.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("json line");
        let name = v["name"].as_str().expect("name").to_string();
        match name.as_str() {
            "kindtest_fixture::plain::times_out" => assert_eq!(v["timeout_ms"], 200),
            "kindtest_fixture::plain::grouped" => assert_eq!(v["group"], "serial"),
            "kindtest_fixture::plain::ignored_one" => {
                assert_eq!(v["ignored"], true);
                assert_eq!(v["ignore_reason"], "slow");
            }
            "kindtest_fixture::cluster::passes" => assert_eq!(v["needs_cluster"], true),
            "kindtest_fixture::plain::passes" => assert_eq!(v["needs_cluster"], false),
            _ => {}
        }
        names.insert(name);
    }
    assert_eq!(names, ALL.iter().map(|s| s.to_string()).collect());
}

#[test]
fn group_members_wait_for_the_group_lock() {
    use std::os::fd::AsRawFd;
    let dir = std::env::temp_dir().join(format!("kindtest-group-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("locks")).expect("tmp");
    let lock = std::fs::File::create(dir.join("locks/serial.lock")).expect("lock file");
    // SAFETY: valid fd.
    assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) }, 0);
    let mut child = fixture(&["--exact", "kindtest_fixture::plain::grouped", "--nocapture"])
        .env("KINDTEST_DIAGNOSTICS_DIR", &dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(
        child.try_wait().expect("wait").is_none(),
        "a group member ran while another member held the group lock"
    );
    drop(lock);
    let status = child.wait().expect("wait");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(status.success());
}
