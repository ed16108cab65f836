//! The `chart-schema-check` pre-commit hook, run the way pre-commit runs a `language: script`
//! hook: from the user's repository, with the staged files as arguments.

use std::path::{Path, PathBuf};
use std::process::Command;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn hook(repo: &Path, files: &[&str]) -> (i32, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/pre-commit-chart-check.sh");
    let bin_dir = PathBuf::from(env!("CARGO_BIN_EXE_cargo-kindtest"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg(script)
        .args(files)
        .current_dir(repo)
        .env("PATH", path)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn hook_checks_only_touched_charts_and_refuses_broken_ones() {
    let repo = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("pre-commit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&repo);
    for chart in ["good", "bad"] {
        write(
            &repo.join(format!("charts/{chart}/Chart.yaml")),
            &format!("apiVersion: v2\nname: {chart}\nversion: 0.1.0\n"),
        );
        write(
            &repo.join(format!("charts/{chart}/templates/cm.yaml")),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  a: b\n",
        );
    }
    // `bad` has a typo'd field: strict schema validation refuses it.
    write(
        &repo.join("charts/bad/templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndatta:\n  a: b\n",
    );
    write(&repo.join("README.md"), "not a chart\n");

    let (code, out) = hook(&repo, &["charts/good/templates/cm.yaml", "README.md"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 chart checked"), "{out}");

    let (code, out) = hook(
        &repo,
        &["charts/bad/templates/cm.yaml", "charts/good/Chart.yaml"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error[KT0301]"), "{out}");
    assert!(out.contains("charts/bad/templates/cm.yaml:5:1"), "{out}");
    assert!(out.contains("2 charts checked"), "{out}");

    let (code, out) = hook(&repo, &["README.md"]);
    assert_eq!(code, 0, "{out}");
    let _ = std::fs::remove_dir_all(&repo);
}
