//! The public rendering API as other stages use it: load, render, inspect manifests.

use std::path::Path;

use chart_lint::chart::Chart;
use chart_lint::render::{RenderOptions, render_chart};
use chart_lint::values::ValueOptions;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/charts")
        .join(name)
        .join("chart")
}

#[test]
fn manifests_hooks_and_notes() {
    let chart = Chart::load(fixture("hooks")).expect("load");
    let r =
        render_chart(&chart, &gotemplate::Map::new(), &RenderOptions::default()).expect("render");
    let kinds: Vec<(&str, &str)> = r.manifests.iter().map(|m| (m.kind(), m.name())).collect();
    assert_eq!(
        kinds,
        [("ConfigMap", "plain-with-annotations"), ("Service", "svc")]
    );
    assert_eq!(r.hooks.len(), 5);
    assert!(r.hooks.iter().any(|h| h.is_test()));
    assert_eq!(
        r.hooks[0].manifest.source_path,
        "hooks/templates/hooks.yaml"
    );
    assert!(
        r.warnings.iter().any(|w| w.contains("unknown hooks")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn user_values_and_release() {
    let chart = Chart::load(fixture("basic")).expect("load");
    let values = ValueOptions {
        values: vec!["replicaCount=5".into()],
        ..Default::default()
    };
    let opts = RenderOptions {
        release_name: "demo".into(),
        namespace: "ns".into(),
        ..Default::default()
    };
    let r = render_chart(&chart, &values.merge().expect("values"), &opts).expect("render");
    let deploy = r
        .manifests
        .iter()
        .find(|m| m.kind() == "Deployment")
        .expect("deployment");
    assert_eq!(deploy.name(), "demo-basic");
    assert!(deploy.content.contains("replicas: 5"), "{}", deploy.content);
}

#[test]
fn errors_carry_helm_text_and_a_report() {
    let chart = Chart::load(fixture("nested-include-error")).expect("load");
    let e = render_chart(&chart, &gotemplate::Map::new(), &RenderOptions::default()).unwrap_err();
    assert!(
        e.helm_message()
            .ends_with("nil pointer evaluating interface {}.y"),
        "{}",
        e.helm_message()
    );
    let report = e.report();
    assert!(
        report.contains("--> err-nested-include/templates/_helpers.tpl:3:11"),
        "{report}"
    );
    assert!(report.contains("{{ .Values.x.y.z }}"), "{report}");
    assert!(
        report.contains("called from err-nested-include/templates/t.yaml:4:12"),
        "{report}"
    );
}
