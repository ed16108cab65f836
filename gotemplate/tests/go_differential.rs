//! Differential test against Go's own `text/template`: random templates (a `define "d"`
//! text plus a main text) were executed by Go (`tests/data/go_diff_*.json`, produced by a small
//! Go program with the same functions and data, `missingkey=zero`); outputs and error texts must
//! match byte for byte. The stored sets keep every successful case of a 3000-template run
//! plus the shortest failing ones (all 3000 of each run, and 7000 more, matched when generated).

use std::cell::Cell;
use std::rc::Rc;

use gotemplate::{
    ElemTy, FuncError, FuncMap, IntTy, List, Map, MissingKey, Signature, TemplateSet, Ty, Value,
    gofmt,
};
use serde_json::Value as J;

mod common;

fn funcs() -> FuncMap {
    let mut f = FuncMap::new();
    f.pure("upper", Signature::fixed(&[Ty::String]), |a| {
        Ok(Value::str(a[0].as_str().unwrap_or("").to_uppercase()))
    });
    f.pure("trunc", Signature::fixed(&[Ty::Int, Ty::String]), |a| {
        // Go slices bytes (`s[:c]`); invalid UTF-8 is replaced as Go's JSON output does.
        let n = if let Value::Int(n, _) = a[0] { n } else { 0 };
        let s = a[1].as_str().unwrap_or("");
        if (s.len() as i64) > n && n >= 0 {
            Ok(Value::from(
                String::from_utf8_lossy(&s.as_bytes()[..n as usize]).into_owned(),
            ))
        } else if n < 0 {
            Err(FuncError::Call(format!(
                "runtime error: slice bounds out of range [:{n}]"
            )))
        } else {
            Ok(Value::str(s))
        }
    });
    f.pure("quote", Signature::variadic(&[], Ty::Any), |a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| gofmt::quote(&gofmt::format_v(v)))
            .collect();
        Ok(Value::str(parts.join(" ")))
    });
    f.pure(
        "hasKey",
        Signature::fixed(&[Ty::Map, Ty::String]),
        |a| match (&a[0], a[1].as_str()) {
            (Value::Map(m), Some(k)) => Ok(Value::Bool(m.contains_key(k))),
            _ => Ok(Value::Bool(false)),
        },
    );
    // Like the Go oracle: at most 100 nested includes.
    let depth = Rc::new(Cell::new(0usize));
    f.ctx(
        "include",
        Signature::fixed(&[Ty::String, Ty::Any]),
        move |ctx, a| {
            depth.set(depth.get() + 1);
            let r = if depth.get() > 100 {
                Err(FuncError::Call("include depth exceeded".into()))
            } else {
                ctx.execute_template(a[0].as_str().unwrap_or(""), a[1].clone())
                    .map(Value::from)
            };
            depth.set(depth.get() - 1);
            r
        },
    );
    f
}

fn run(defs: &str, main: &str, data: &Value, missing: MissingKey) -> Result<String, String> {
    let mut set = TemplateSet::new(funcs()).with_name("gotpl");
    set.set_missing_key(missing);
    set.parse("d.tpl", defs).map_err(|e| e.to_string())?;
    set.parse("main", main).map_err(|e| e.to_string())?;
    set.execute("main", data).map_err(|e| e.to_string())
}

#[test]
fn matches_go_text_template() {
    check(
        include_str!("data/go_diff_cases.json"),
        include_str!("data/go_diff_expected.json"),
        &helm_data(),
    );
}

#[test]
fn matches_go_text_template_seed2() {
    check(
        include_str!("data/go_diff_cases2.json"),
        include_str!("data/go_diff_expected2.json"),
        &helm_data(),
    );
}

/// Typed Go values (`int64`, `[]string`, `map[string]string`, `[]int`, `[]byte`, `uint8`) in the
/// data, and the three `missingkey` modes.
#[test]
fn matches_go_text_template_typed() {
    check(
        include_str!("data/go_diff_typed_cases.json"),
        include_str!("data/go_diff_typed_expected.json"),
        &typed_data(),
    );
}

/// `{"Values": {...}}`: the first two sets address `.a`, `.l`, ... at the top level, so they
/// mostly exercise missing values; the typed set uses the values as dot.
/// Typed data again, with more literal forms (`0o17`, `1_000`, `0x1p-2`, escapes), more
/// `printf` verbs, `else with`, comments, trim markers, `$w = ...` assignments, and ranges over
/// maps, ints, bytes and typed slices with one or two variables, `=` assignment, `continue`.
#[test]
fn matches_go_text_template_mixed() {
    check(
        include_str!("data/go_diff_mixed_cases.json"),
        include_str!("data/go_diff_mixed_expected.json"),
        &mixed_data(),
    );
}

fn helm_data() -> Value {
    common::data_for(
        r#"{"a": {"b": "x", "n": 2}, "l": [1, "s", null, {"k": "v"}], "n": 3, "f": 1.5, "s": "str", "t": true, "e": "", "z": 0}"#,
    )
}

fn typed_data() -> Value {
    let Value::Map(top) = helm_data() else {
        unreachable!()
    };
    let Some(Value::Map(v)) = top.get("Values") else {
        unreachable!()
    };
    v.insert("i64", Value::int64(5));
    v.insert("strs", Value::string_list(["a", "b"]));
    let smap = Map::with_elem(Default::default(), ElemTy::String);
    smap.insert("k", Value::str("v"));
    v.insert("smap", Value::Map(smap));
    v.insert(
        "ints",
        Value::List(List::with_elem(
            vec![Value::int(1), Value::int(2)],
            ElemTy::Int,
        )),
    );
    v.insert("bytes", Value::Bytes(Rc::from(&b"hi"[..])));
    v.insert("u8", Value::Int(7, IntTy::Uint8));
    Value::Map(v)
}

/// Typed data plus `m2`, a map with a float, a list and a nil (for ranges over maps).
fn mixed_data() -> Value {
    let Value::Map(v) = typed_data() else {
        unreachable!()
    };
    let m2 = Map::new();
    m2.insert("x", Value::Float(1.0));
    m2.insert(
        "y",
        Value::list(vec![Value::str("p"), Value::str("q"), Value::str("r")]),
    );
    m2.insert("z", Value::Nil);
    v.insert("m2", Value::Map(m2));
    Value::Map(v)
}

fn check(cases: &str, expected: &str, data: &Value) {
    let cases: Vec<Vec<String>> = serde_json::from_str(cases).unwrap();
    let expected: Vec<J> = serde_json::from_str(expected).unwrap();
    let mut failures = Vec::new();
    for (i, (c, want)) in cases.iter().zip(&expected).enumerate() {
        let missing = match c.get(2).map(String::as_str) {
            Some("error") => MissingKey::Error,
            Some("default") => MissingKey::Invalid,
            _ => MissingKey::Zero,
        };
        let got = run(&c[0], &c[1], data, missing);
        let want: Result<String, String> = match (want.get("ok"), want.get("err")) {
            (Some(o), _) => Ok(o.as_str().unwrap_or("").to_string()),
            (_, Some(e)) => Err(e.as_str().unwrap_or("").to_string()),
            _ => Ok(String::new()),
        };
        if got != want {
            failures.push(format!(
                "#{i} defs={:?}\n  main={:?}\n   got {:?}\n  want {:?}",
                c[0], c[1], got, want
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        cases.len(),
        failures
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
