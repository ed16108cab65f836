use super::*;
use crate::testutil::{chart, js, map};

fn no_warn() -> impl FnMut(String) {
    |_| {}
}

#[test]
fn user_values_win_and_null_deletes() {
    let c = chart(&[
        (
            "Chart.yaml",
            r#"{"apiVersion":"v2","name":"p","version":"1.0.0"}"#,
        ),
        (
            "values.yaml",
            r#"{"a":1,"b":{"x":1,"y":2},"c":"keep","d":{"t":1}}"#,
        ),
    ]);
    let user = map(r#"{"a":2,"b":{"y":null,"z":3},"c":null,"d":"scalar"}"#);
    let out = coalesce_values(&c, &user, &mut no_warn()).unwrap();
    assert_eq!(js(&out), r#"{"a":2,"b":{"x":1,"z":3},"d":"scalar"}"#);
    // the input is not modified
    assert_eq!(
        js(&user),
        r#"{"a":2,"b":{"y":null,"z":3},"c":null,"d":"scalar"}"#
    );
}

#[test]
fn table_vs_scalar_keeps_higher_side() {
    let c = chart(&[
        (
            "Chart.yaml",
            r#"{"apiVersion":"v2","name":"p","version":"1.0.0"}"#,
        ),
        ("values.yaml", r#"{"a":"str","b":{"t":1}}"#),
    ]);
    let mut warnings = Vec::new();
    let out = coalesce_values(
        &c,
        &map(r#"{"a":{"m":1},"b":{"t":{"deep":1}}}"#),
        &mut |w| warnings.push(w),
    )
    .unwrap();
    assert_eq!(js(&out), r#"{"a":{"m":1},"b":{"t":{"deep":1}}}"#);
    assert_eq!(warnings.len(), 2, "{warnings:?}");
}

#[test]
fn globals_flow_down_only() {
    let c = chart(&[
        (
            "Chart.yaml",
            r#"{"apiVersion":"v2","name":"p","version":"1.0.0"}"#,
        ),
        (
            "values.yaml",
            r#"{"global":{"g":"parent","shared":{"a":1}},"kid":{"x":1}}"#,
        ),
        (
            "charts/kid/Chart.yaml",
            r#"{"apiVersion":"v2","name":"kid","version":"0.1.0"}"#,
        ),
        (
            "charts/kid/values.yaml",
            r#"{"global":{"g":"child","own":1,"shared":{"b":2}},"x":0,"y":2}"#,
        ),
    ]);
    let out = coalesce_values(&c, &Map::new(), &mut no_warn()).unwrap();
    assert_eq!(
        js(&out),
        r#"{"global":{"g":"parent","shared":{"a":1}},"kid":{"global":{"g":"parent","own":1,"shared":{"a":1,"b":2}},"x":1,"y":2}}"#
    );
}

#[test]
fn merge_maps_is_deep() {
    let a = map(r#"{"a":{"b":1,"c":2},"d":1}"#);
    let b = map(r#"{"a":{"c":3},"e":1}"#);
    assert_eq!(
        js(&merge_maps(&a, &b)),
        r#"{"a":{"b":1,"c":3},"d":1,"e":1}"#
    );
}

#[test]
fn option_order() {
    let dir = std::env::temp_dir().join(format!("chart-lint-vals-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f1 = dir.join("a.json");
    std::fs::write(&f1, r#"{"a":1,"b":1,"c":1}"#).unwrap();
    let opts = ValueOptions {
        value_files: vec![f1],
        json_values: vec!["b={\"x\":true}".into()],
        values: vec!["c=5,d=1.5".into()],
        string_values: vec!["e=5".into()],
        literal_values: vec!["f=a,b".into()],
        ..Default::default()
    };
    let m = opts.merge().unwrap();
    assert_eq!(
        js(&m),
        r#"{"a":1,"b":{"x":true},"c":5,"d":"1.5","e":"5","f":"a,b"}"#
    );
    let bad = ValueOptions {
        values: vec!["a".into()],
        ..Default::default()
    };
    assert_eq!(
        bad.merge().unwrap_err(),
        "failed parsing --set data: key \"a\" has no value"
    );
    std::fs::remove_dir_all(&dir).ok();
}
