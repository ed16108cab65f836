//! `default`, `empty`, `coalesce`, `all`, `any`, `ternary`, JSON and `deepCopy`
//! (sprig `defaults.go`).

use gotemplate::{FuncError, FuncMap, List, Map, Ty, Value};

use crate::reflect::empty;
use crate::{arg, arg_str, json, ok, reg, regv};

pub(crate) fn register(m: &mut FuncMap) {
    use Ty::{Any, Bool, String as S};
    // Helm wraps `fail` so its message reaches the user verbatim ("execution error at (…): msg").
    reg(m, "fail", &[S], |a| Err(FuncError::Abort(arg_str(a, 0))));
    // Helm replaces Sprig's DNS lookup: without `--enable-dns` it returns "".
    reg(m, "getHostByName", &[S], |_| ok(""));
    regv(m, "default", &[Any], Any, |a| {
        let given = a.get(1);
        match given {
            Some(g) if !empty(g) => Ok(g.clone()),
            _ => Ok(arg(a, 0)),
        }
    });
    reg(m, "empty", &[Any], |a| ok(empty(&arg(a, 0))));
    regv(m, "coalesce", &[], Any, |a| {
        Ok(a.iter().find(|v| !empty(v)).cloned().unwrap_or(Value::Nil))
    });
    regv(m, "all", &[], Any, |a| ok(a.iter().all(|v| !empty(v))));
    regv(m, "any", &[], Any, |a| ok(a.iter().any(|v| !empty(v))));
    reg(m, "ternary", &[Any, Any, Bool], |a| {
        Ok(if matches!(a.get(2), Some(Value::Bool(true))) {
            arg(a, 0)
        } else {
            arg(a, 1)
        })
    });
    reg(m, "fromJson", &[S], |a| {
        Ok(json::unmarshal(&arg_str(a, 0)).unwrap_or(Value::Nil))
    });
    reg(m, "mustFromJson", &[S], |a| {
        json::unmarshal(&arg_str(a, 0)).map_err(|e| FuncError::Call(e.0))
    });
    reg(m, "toJson", &[Any], |a| {
        ok(json::marshal(&arg(a, 0), None, true).unwrap_or_default())
    });
    reg(m, "mustToJson", &[Any], |a| {
        json::marshal(&arg(a, 0), None, true)
            .map(Value::from)
            .map_err(|e| FuncError::Call(e.0))
    });
    reg(m, "toPrettyJson", &[Any], |a| {
        ok(json::marshal(&arg(a, 0), Some("  "), true).unwrap_or_default())
    });
    reg(m, "mustToPrettyJson", &[Any], |a| {
        json::marshal(&arg(a, 0), Some("  "), true)
            .map(Value::from)
            .map_err(|e| FuncError::Call(e.0))
    });
    reg(m, "toRawJson", &[Any], |a| {
        json::marshal(&arg(a, 0), None, false)
            .map(Value::from)
            .map_err(|e| FuncError::Call(e.0))
    });
    reg(m, "mustToRawJson", &[Any], |a| {
        json::marshal(&arg(a, 0), None, false)
            .map(Value::from)
            .map_err(|e| FuncError::Call(e.0))
    });
    for name in ["deepCopy", "mustDeepCopy"] {
        reg(m, name, &[Any], |a| {
            let v = arg(a, 0);
            if v.is_nil() {
                return Err(FuncError::Call(
                    "reflect: call of reflect.Value.Type on zero Value".into(),
                ));
            }
            Ok(deep_copy(&v))
        });
    }
}

/// mitchellh/copystructure `Copy`: maps and slices are copied recursively, scalars and objects
/// are shared.
pub(crate) fn deep_copy(v: &Value) -> Value {
    deep_copy_at(v, 0)
}

fn deep_copy_at(v: &Value, depth: usize) -> Value {
    if depth > 1000 {
        // a reference cycle: share instead of recursing forever
        return v.clone();
    }
    match v {
        Value::Map(m) => {
            let copy = m.shallow_clone();
            for (k, x) in m.entries() {
                copy.insert(k, deep_copy_at(&x, depth + 1));
            }
            Value::Map(copy)
        }
        Value::List(l) => Value::List(List::with_elem(
            l.iter().map(|x| deep_copy_at(x, depth + 1)).collect(),
            l.elem(),
        )),
        other => other.clone(),
    }
}

/// A fresh empty `map[string]interface {}`.
#[allow(dead_code)]
pub(crate) fn new_map() -> Map {
    Map::new()
}
