//! `cargo kindtest check --server` against a real kube-apiserver (the local control plane):
//! a chart with an unknown field, a bad enum value and a custom resource whose CRD it renders
//! itself gets one finding each, with the right severity, file, resource and field; the clean
//! documents get none; nothing is created on the server.
//! FAILS (never skips) when the control-plane binaries are missing
//! (`scripts/build-control-plane.sh`).

use std::path::{Path, PathBuf};
use std::process::Command;

use controlplane::{Binaries, ControlPlane};

fn write(path: &Path, text: &str) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

fn workspace() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kindtest-check-server-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    write(
        &dir.join("Cargo.toml"),
        "[workspace]\n\n[workspace.metadata.kindtest.releases.shop]\nchart = \"charts/shop\"\nnamespace = \"shop\"\n",
    );
    let c = dir.join("charts/shop");
    write(
        &c.join("Chart.yaml"),
        "apiVersion: v2\nname: shop\nversion: 0.1.0\n",
    );
    write(&c.join("values.yaml"), "policy: Sometimes\n");
    write(
        &c.join("templates/ok.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-ok\ndata:\n  a: b\n",
    );
    write(
        &c.join("templates/unknown.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-unknown\ndata:\n  a: b\nbogus: 1\n",
    );
    write(
        &c.join("templates/deploy.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: example.invalid/web:1\n          imagePullPolicy: {{ .Values.policy }}\n",
    );
    write(
        &c.join("templates/crd.yaml"),
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}\n  scope: Namespaced\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}\n",
    );
    write(
        &c.join("templates/widget.yaml"),
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
    );
    dir
}

#[test]
fn server_findings_like_offline_ones() {
    let bins = Binaries::locate(None).unwrap_or_else(|e| panic!("{e}"));
    let plane = ControlPlane::builder()
        .binaries(bins)
        .start()
        .expect("control plane starts");
    let out = plane
        .kubectl_output(&["create", "namespace", "shop"])
        .expect("namespace");
    assert!(out.contains("shop"), "{out}");
    let ws = workspace();
    let run = |extra: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_cargo-kindtest"));
        c.args(["kindtest", "check", "--server", "--manifest-path"])
            .arg(ws.join("Cargo.toml"))
            .arg("--kubeconfig")
            .arg(plane.kubeconfig_path())
            .args(["--context", controlplane::CONTEXT_NAME])
            .args(extra)
            .current_dir(&ws);
        c.output().expect("cargo-kindtest runs")
    };
    let out = run(&["--format", "json"]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let findings: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|v| v["reason"] == "lint-finding")
        .collect();
    let summary = lines.last().expect("a summary");
    assert_eq!(summary["reason"], "check-summary", "{stdout}");
    assert_eq!(summary["documents"], 5, "{stdout}");
    assert_eq!(summary["errors"], 2, "{stdout}");
    assert_eq!(summary["warnings"], 1, "{stdout}");
    let by_file = |f: &str| {
        findings
            .iter()
            .find(|v| v["file"].as_str().is_some_and(|x| x.ends_with(f)))
            .unwrap_or_else(|| panic!("no finding for {f}: {stdout}"))
    };
    let unknown = by_file("templates/unknown.yaml");
    assert_eq!(unknown["code"], "KT9001");
    assert_eq!(unknown["severity"], "error");
    assert_eq!(unknown["file"], "charts/shop/templates/unknown.yaml");
    assert!(
        unknown["message"].as_str().unwrap().contains("bogus"),
        "{unknown}"
    );
    let deploy = by_file("templates/deploy.yaml");
    assert!(
        deploy["message"].as_str().unwrap().contains("Sometimes"),
        "{deploy}"
    );
    assert_eq!(
        deploy["pointer"],
        "/spec/template/spec/containers/0/imagePullPolicy"
    );
    // The field, back to the template line that wrote it (like the offline findings).
    assert_eq!(deploy["line"], 15, "{deploy}");
    assert_eq!(unknown["line"], 7, "{unknown}");
    let widget = by_file("templates/widget.yaml");
    assert_eq!(widget["severity"], "warning", "{widget}");
    // a dry run creates nothing
    let cms = plane
        .kubectl_output(&["-n", "shop", "get", "configmaps", "-o", "name"])
        .unwrap();
    assert!(!cms.contains("shop-ok"), "{cms}");
    // human format: rustc-style, file and resource
    let out = run(&[]);
    let human = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(human.contains("error[KT9001]"), "{human}");
    assert!(
        human.contains("--> charts/shop/templates/unknown.yaml"),
        "{human}"
    );
    assert!(
        human.contains("resource: ConfigMap/shop/shop-unknown"),
        "{human}"
    );
    // once the chart is fixed the check passes
    write(&ws.join("charts/shop/values.yaml"), "policy: Always\n");
    std::fs::remove_file(ws.join("charts/shop/templates/unknown.yaml")).unwrap();
    let out = run(&[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    plane.stop().expect("stop");
    let _ = std::fs::remove_dir_all(&ws);
}
