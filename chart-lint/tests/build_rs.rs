//! The build.rs API as a user meets it: a throwaway crate whose build script lints its chart.
//! `cargo build` fails on the broken chart naming file, line, column and rule code; it passes
//! once the chart is fixed; and a second build with nothing changed does not run the build
//! script again.

use std::path::{Path, PathBuf};
use std::process::Command;

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const BROKEN: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cfg\ndata:\n  a: {{ .Values.a | quote }}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicas | quote }}\n  selector: {matchLabels: {app: x}}\n  template:\n    metadata: {labels: {app: x}}\n    spec:\n      containers:\n      - name: x\n        image: nginx:1.27.2\n";

#[test]
fn build_script_fails_on_a_broken_chart_and_is_not_rerun_when_nothing_changed() {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("buildrs-throwaway");
    let krate = root.join("crate");
    let _ = std::fs::remove_dir_all(&krate);
    let chart_lint = Path::new(env!("CARGO_MANIFEST_DIR"));
    write(
        &krate.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"throwaway\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[build-dependencies]\nchart-lint = {{ path = {:?} }}\n\n[workspace]\n",
            chart_lint.display().to_string()
        ),
    );
    // Same dependency versions as the workspace, so the build works offline.
    std::fs::copy(chart_lint.join("../Cargo.lock"), krate.join("Cargo.lock")).unwrap();
    write(&krate.join("src/lib.rs"), "");
    write(
        &krate.join("build.rs"),
        "fn main() { chart_lint::build::Lint::new().chart(\"charts/app\").run_or_exit(); }\n",
    );
    write(
        &krate.join("charts/app/Chart.yaml"),
        "apiVersion: v2\nname: app\nversion: 0.1.0\n",
    );
    write(&krate.join("charts/app/values.yaml"), "a: x\nreplicas: 2\n");
    write(&krate.join("charts/app/templates/app.yaml"), BROKEN);

    let target = root.join("target");
    let build = || {
        let out = cargo()
            .args(["build", "-v", "--offline", "--manifest-path"])
            .arg(krate.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("RUSTFLAGS")
            .output()
            .expect("cargo runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };

    // 1. broken: `replicas: "2"` is a string where the schema wants an integer.
    let (ok, stderr) = build();
    assert!(!ok, "the build should fail on the broken chart:\n{stderr}");
    assert!(stderr.contains("error[KT0301]"), "{stderr}");
    assert!(
        stderr.contains("charts/app/templates/app.yaml:13:"),
        "file:line:col expected:\n{stderr}"
    );
    assert!(stderr.contains("/spec/replicas"), "{stderr}");

    // 2. fixed.
    write(
        &krate.join("charts/app/templates/app.yaml"),
        &BROKEN.replace("{{ .Values.replicas | quote }}", "{{ .Values.replicas }}"),
    );
    let (ok, stderr) = build();
    assert!(
        ok,
        "the build should pass once the chart is fixed:\n{stderr}"
    );
    assert!(
        stderr.contains("build-script-build"),
        "the build script should have run:\n{stderr}"
    );

    // 3. nothing changed: the build script does not run again.
    let (ok, stderr) = build();
    assert!(ok, "{stderr}");
    let reran = stderr.lines().any(|l| {
        l.contains("Running") && l.contains("throwaway") && l.contains("build-script-build")
    });
    assert!(!reran, "a no-op rebuild re-ran the build script:\n{stderr}");
    assert!(stderr.contains("Fresh throwaway"), "{stderr}");

    // 4. a template change re-runs it (rerun-if-changed covers the chart files).
    write(
        &krate.join("charts/app/templates/extra.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n",
    );
    let (ok, stderr) = build();
    assert!(ok, "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("Running") && l.contains("build-script-build")),
        "{stderr}"
    );
}
