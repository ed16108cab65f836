use super::*;
use crate::testutil::{chart, js, map};

fn parent(deps: &str, values: &str) -> Chart {
    let cy = format!(r#"{{"apiVersion":"v2","name":"p","version":"1.0.0","dependencies":{deps}}}"#);
    chart(&[
        ("Chart.yaml", &cy),
        ("values.yaml", values),
        (
            "charts/kid/Chart.yaml",
            r#"{"apiVersion":"v2","name":"kid","version":"0.2.0"}"#,
        ),
        (
            "charts/kid/values.yaml",
            r#"{"exports":{"data":{"fromkid":1}},"port":80,"enabled":true}"#,
        ),
        (
            "charts/other/Chart.yaml",
            r#"{"apiVersion":"v2","name":"other","version":"1.0.0"}"#,
        ),
    ])
}

fn names(c: &Chart) -> Vec<String> {
    c.dependencies
        .iter()
        .map(|d| d.name().to_string())
        .collect()
}

#[test]
fn alias_and_version_matching() {
    let mut c = parent(
        r#"[{"name":"kid","version":">=0.1.0","alias":"a1"},{"name":"kid","version":"~0.2","alias":"a2"},{"name":"other","version":"2.x"}]"#,
        "{}",
    );
    check_dependencies(&c).unwrap();
    process_dependencies(&mut c, &Map::new(), &mut |_| {}).unwrap();
    // `other` has a non-matching version: kept as it is, unprocessed (measured with helm 4.1.4).
    assert_eq!(names(&c), ["other", "a1", "a2"]);
    assert_eq!(c.metadata.dependencies[0].name, "a1");
}

#[test]
fn conditions_and_tags() {
    let deps = r#"[{"name":"kid","version":"*","condition":"nope.enabled,kid.enabled"},{"name":"other","version":"*","tags":["t1","t2"]}]"#;
    let mut c = parent(deps, "{}");
    process_dependencies(
        &mut c,
        &map(r#"{"kid":{"enabled":false},"tags":{"t1":false}}"#),
        &mut |_| {},
    )
    .unwrap();
    assert!(names(&c).is_empty(), "{:?}", names(&c));
    let mut c = parent(deps, "{}");
    process_dependencies(
        &mut c,
        &map(r#"{"tags":{"t1":false,"t2":true}}"#),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(names(&c), ["kid", "other"]);
}

#[test]
fn import_values_both_forms() {
    let mut c = parent(
        r#"[{"name":"kid","version":"*","import-values":["data",{"child":"port","parent":"x"}]}]"#,
        r#"{"fromkid":"parent wins"}"#,
    );
    process_dependencies(&mut c, &Map::new(), &mut |_| {}).unwrap();
    // `port` is not a table: ignored with a warning, as helm does.
    let v = js(&c.values);
    assert!(v.contains(r#""fromkid":"parent wins""#), "{v}");
    let iv = crate::convert::value_to_json(&Value::list(
        c.metadata.dependencies[0].import_values.clone(),
    ));
    assert_eq!(
        iv.to_string(),
        r#"[{"child":"exports.data","parent":"."},{"child":"port","parent":"x"}]"#
    );
    let mut c = parent(
        r#"[{"name":"kid","version":"*","import-values":["data"]}]"#,
        "{}",
    );
    process_dependencies(&mut c, &Map::new(), &mut |_| {}).unwrap();
    assert!(js(&c.values).contains(r#""fromkid":1"#));
}

#[test]
fn missing_dependency() {
    let c = chart(&[(
        "Chart.yaml",
        r#"{"apiVersion":"v2","name":"p","version":"1.0.0","dependencies":[{"name":"a"},{"name":"b"}]}"#,
    )]);
    assert_eq!(
        check_dependencies(&c).unwrap_err(),
        "found in Chart.yaml, but missing in charts/ directory: a, b"
    );
}
