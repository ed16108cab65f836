//! Shared helpers for tests: JSON values as Helm sees them and a few functions with Sprig's
//! Go signatures.
#![allow(dead_code)]

pub mod cases;

use std::collections::BTreeMap;

use gotemplate::{FuncError, FuncMap, Signature, Ty, Value};

/// A probe case.
pub struct Case {
    pub name: &'static str,
    pub values: &'static str,
    pub text: &'static str,
    pub defs: &'static str,
    pub expected: Result<&'static str, &'static str>,
}

/// JSON → Value with Helm's types (numbers are `float64`).
pub fn from_json(j: &serde_json::Value) -> Value {
    match j {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Value::str(s),
        serde_json::Value::Array(a) => Value::list(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => Value::map(
            o.iter()
                .map(|(k, v)| (k.clone(), from_json(v)))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

/// `{"Values": values}` as Helm's top-level data.
pub fn data_for(values_json: &str) -> Value {
    let j: serde_json::Value = serde_json::from_str(values_json).expect("test values are JSON");
    let mut top = BTreeMap::new();
    top.insert("Values".to_string(), from_json(&j));
    Value::map(top)
}

/// Functions with the Go signatures of their Sprig/Helm namesakes.
pub fn funcs() -> FuncMap {
    let mut f = FuncMap::new();
    f.pure("trunc", Signature::fixed(&[Ty::Int, Ty::String]), |a| {
        let (Value::Int(n, _), Some(s)) = (&a[0], a[1].as_str()) else {
            return Err("bad args".into());
        };
        Ok(Value::str(s.chars().take(*n as usize).collect::<String>()))
    });
    f.pure("upper", Signature::fixed(&[Ty::String]), |a| {
        Ok(Value::str(a[0].as_str().unwrap_or("").to_uppercase()))
    });
    f.pure(
        "hasKey",
        Signature::fixed(&[Ty::Map, Ty::String]),
        |a| match (&a[0], a[1].as_str()) {
            (Value::Map(m), Some(k)) => Ok(Value::Bool(m.contains_key(k))),
            _ => Err("bad args".into()),
        },
    );
    f.pure("quote", Signature::variadic(&[], Ty::Any), |a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| gotemplate::gofmt::quote(&gotemplate::gofmt::format_v(v)))
            .collect();
        Ok(Value::str(parts.join(" ")))
    });
    f.pure("fail", Signature::fixed(&[Ty::String]), |a| {
        Err(FuncError::Abort(a[0].as_str().unwrap_or("").to_string()))
    });
    f.pure("required", Signature::fixed(&[Ty::String, Ty::Any]), |a| {
        if a[1].is_nil() || a[1].as_str() == Some("") {
            return Err(FuncError::Abort(a[0].as_str().unwrap_or("").to_string()));
        }
        Ok(a[1].clone())
    });
    f.pure("toFloat", Signature::fixed(&[Ty::Float64]), |a| {
        Ok(a[0].clone())
    });
    f.ctx(
        "include",
        Signature::fixed(&[Ty::String, Ty::Any]),
        |ctx, a| {
            let name = a[0].as_str().unwrap_or("").to_string();
            ctx.execute_template(&name, a[1].clone()).map(Value::from)
        },
    );
    f.ctx("tpl", Signature::fixed(&[Ty::String, Ty::Any]), |ctx, a| {
        let text = a[0].as_str().unwrap_or("").to_string();
        // Helm's wording (pkg/engine/engine.go `tpl`).
        ctx.execute_text("gotpl", &text, a[1].clone())
            .map(Value::from)
            .map_err(|e| {
                let is_parse = matches!(ctx.last_error(), Some(gotemplate::Error::Parse(_)));
                let q = gotemplate::gofmt::quote(&text);
                if is_parse {
                    FuncError::Call(format!("cannot parse template {q}: {e}"))
                } else {
                    FuncError::Call(format!("error during tpl function execution for {q}: {e}"))
                }
            })
    });
    f
}
