//! The run stage against the real cargo-nextest (not a fake): the command line we build parses,
//! our `--tool-config-file` is valid nextest configuration, `--ignore-default-filter` makes a
//! workspace `default-filter` step aside, filters still select, and the JUnit report is where
//! we look for it. Needs `cargo-nextest` installed (CI installs it).

use std::path::{Path, PathBuf};

use cargo_kindtest::events::Events;
use cargo_kindtest::plan::TestPlan;
use cargo_kindtest::process::{Cancel, Exec};
use cargo_kindtest::run::{Runner, TestEnv, nextest_installed, run_tests};

fn workspace() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kindtest-real-nextest-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join(".config")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"rn\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    // Each test writes a marker so we know exactly which ones ran.
    std::fs::write(
        dir.join("src/lib.rs"),
        r#"
#[cfg(test)]
mod tests {
    fn mark(name: &str) {
        let d = std::env::var("MARKS").unwrap();
        std::fs::write(format!("{d}/{name}"), std::env::var("KINDTEST_RUN_ID").unwrap()).unwrap();
    }
    #[test] fn e2e_cluster() { mark("e2e_cluster"); }
    #[test] fn unit_fast() { mark("unit_fast"); }
}
"#,
    )
    .unwrap();
    // Like this repository: a plain `cargo nextest run` skips the cluster tests.
    std::fs::write(
        dir.join(".config/nextest.toml"),
        "[profile.default]\ndefault-filter = \"not test(e2e_)\"\n",
    )
    .unwrap();
    dir
}

fn marks(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn real_nextest_accepts_our_command_line() {
    let exec = Exec::new(Cancel::new(), Events::null());
    assert!(
        nextest_installed(&exec),
        "cargo-nextest is not installed: `cargo install cargo-nextest --locked` (CI installs it)"
    );
    let ws = workspace();
    let target = ws.join("target");
    let kindtest_dir = target.join("kindtest");
    let run = |t: &TestPlan, marks_dir: &Path| {
        std::fs::create_dir_all(marks_dir).unwrap();
        let env = TestEnv {
            run_id: "r1".into(),
            extra: vec![
                ("MARKS".into(), marks_dir.display().to_string()),
                // Not the target dir of the `cargo test` running us (its lock is held).
                ("CARGO_TARGET_DIR".into(), target.display().to_string()),
            ],
            ..TestEnv::default()
        };
        run_tests(&exec, t, &env, &kindtest_dir, &ws).unwrap()
    };

    // Default filter ignored: both tests run; the JUnit report is where we look.
    let out = run(&TestPlan::default(), &ws.join("m1"));
    assert_eq!(out.runner, Runner::Nextest);
    assert_eq!(out.code, Some(0));
    assert_eq!(marks(&ws.join("m1")), vec!["e2e_cluster", "unit_fast"]);
    let junit = out.junit.expect("JUnit report found");
    assert_eq!(junit, target.join("nextest/kindtest/junit.xml"));
    assert!(
        std::fs::read_to_string(&junit)
            .unwrap()
            .contains("e2e_cluster")
    );

    // A profile filter and a name filter still select.
    let t = TestPlan {
        filter_exprs: vec!["test(e2e_)".into()],
        no_fail_fast: true,
        ..TestPlan::default()
    };
    let out = run(&t, &ws.join("m2"));
    assert_eq!(out.code, Some(0));
    assert_eq!(marks(&ws.join("m2")), vec!["e2e_cluster"]);
    let t = TestPlan {
        filters: vec!["unit_".into()],
        ..TestPlan::default()
    };
    let out = run(&t, &ws.join("m3"));
    assert_eq!(marks(&ws.join("m3")), vec!["unit_fast"]);
    assert_eq!(out.code, Some(0));

    let _ = std::fs::remove_dir_all(&ws);
}
