//! Dictionary functions (sprig `dict.go`), with dario.cat/mergo v1.0.1 semantics for
//! `merge` and `mergeOverwrite`.

use std::collections::BTreeMap;

use gotemplate::{FuncError, FuncMap, Map, Ty, Value};

use crate::fmt::strval;
use crate::reflect::empty;
use crate::{arg, arg_map, arg_str, ok, reg, regv};

pub(crate) fn register(m: &mut FuncMap) {
    use Ty::{Any, Map as M, String as S};
    reg(m, "get", &[M, S], |a| {
        Ok(arg_map(a, 0)
            .get(&arg_str(a, 1))
            .unwrap_or_else(|| Value::str("")))
    });
    reg(m, "set", &[M, S, Any], |a| {
        let d = arg_map(a, 0);
        d.insert(arg_str(a, 1), arg(a, 2));
        ok(d)
    });
    reg(m, "unset", &[M, S], |a| {
        let d = arg_map(a, 0);
        d.remove(&arg_str(a, 1));
        ok(d)
    });
    reg(m, "hasKey", &[M, S], |a| {
        ok(arg_map(a, 0).contains_key(&arg_str(a, 1)))
    });
    regv(m, "pluck", &[S], M, |a| {
        let key = arg_str(a, 0);
        let out: Vec<Value> = (1..a.len())
            .filter_map(|i| arg_map(a, i).get(&key))
            .collect();
        ok(Value::list(out))
    });
    regv(m, "keys", &[], M, |a| {
        let mut out = Vec::new();
        for i in 0..a.len() {
            out.extend(arg_map(a, i).keys());
        }
        ok(Value::string_list(out))
    });
    regv(m, "pick", &[M], S, |a| {
        let d = arg_map(a, 0);
        let mut out = BTreeMap::new();
        for i in 1..a.len() {
            let k = arg_str(a, i);
            if let Some(v) = d.get(&k) {
                out.insert(k, v);
            }
        }
        ok(Value::map(out))
    });
    regv(m, "omit", &[M], S, |a| {
        let d = arg_map(a, 0);
        let drop: Vec<String> = (1..a.len()).map(|i| arg_str(a, i)).collect();
        let out: BTreeMap<String, Value> = d
            .entries()
            .into_iter()
            .filter(|(k, _)| !drop.contains(k))
            .collect();
        ok(Value::map(out))
    });
    regv(m, "dict", &[], Any, |a| {
        let mut out = BTreeMap::new();
        let mut i = 0;
        while i < a.len() {
            let k = strval(&a[i]);
            out.insert(k, a.get(i + 1).cloned().unwrap_or_else(|| Value::str("")));
            i += 2;
        }
        ok(Value::map(out))
    });
    for (name, overwrite) in [
        ("merge", false),
        ("mustMerge", false),
        ("mergeOverwrite", true),
        ("mustMergeOverwrite", true),
    ] {
        regv(m, name, &[M], M, move |a| {
            let dst = arg_map(a, 0);
            for i in 1..a.len() {
                merge_into(&dst, &arg_map(a, i), overwrite);
            }
            ok(dst)
        });
    }
    reg(m, "values", &[M], |a| {
        ok(Value::list(
            arg_map(a, 0)
                .entries()
                .into_iter()
                .map(|(_, v)| v)
                .collect(),
        ))
    });
    regv(m, "dig", &[], Any, dig);
}

/// mergo's `deepMerge` for `map[string]interface{}` (`Merge` / `MergeWithOverwrite`).
///
/// Without overwrite a key is set only when missing or empty in `dst` (0, false, "" and empty
/// collections count as empty); with overwrite every non-nil source value replaces the
/// destination (empty ones too), and a nil source value sets nil. Nested maps on both sides
/// merge in place; a slice never replaces a non-empty destination without overwrite.
pub(crate) fn merge_into(dst: &Map, src: &Map, overwrite: bool) {
    merge_at(dst, src, overwrite, 0)
}

fn merge_at(dst: &Map, src: &Map, overwrite: bool, depth: usize) {
    if dst.ptr_eq(src) || depth > 1000 {
        return;
    }
    for (k, sv) in src.entries() {
        let dv = dst.get(&k);
        if sv.is_nil() {
            if overwrite {
                dst.insert(k, Value::Nil);
            }
            continue;
        }
        if overwrite && matches!(sv, Value::List(_) | Value::Bytes(_)) {
            dst.insert(k, sv);
            continue;
        }
        if let (Value::Map(sm), Some(Value::Map(dm))) = (&sv, &dv) {
            merge_at(dm, sm, overwrite, depth + 1);
        }
        if let Some(d) = &dv
            && !empty(d)
            && (matches!(sv, Value::List(_) | Value::Bytes(_))
                || (matches!(sv, Value::Map(_)) && matches!(d, Value::Map(_))))
        {
            continue;
        }
        let dst_empty = dv.as_ref().is_none_or(empty);
        if overwrite || dst_empty {
            dst.insert(k, sv);
        }
    }
}

fn iface_conv(v: &Value, want: &str) -> FuncError {
    let have = if v.is_nil() {
        "nil".to_string()
    } else {
        v.go_type()
    };
    FuncError::Call(format!(
        "interface conversion: interface {{}} is {have}, not {want}"
    ))
}

fn plain_map(v: &Value) -> Option<Map> {
    match v {
        Value::Map(m) if m.go_type() == "map[string]interface {}" => Some(m.clone()),
        _ => None,
    }
}

fn dig(ps: &[Value]) -> gotemplate::FuncResult {
    if ps.len() < 3 {
        return Err(FuncError::Call("dig needs at least three arguments".into()));
    }
    let last = &ps[ps.len() - 1];
    let mut dict = plain_map(last).ok_or_else(|| iface_conv(last, "map[string]interface {}"))?;
    let def = ps[ps.len() - 2].clone();
    let mut keys = Vec::new();
    for k in &ps[..ps.len() - 2] {
        match k {
            Value::String(s) => keys.push(s.to_string()),
            other => return Err(iface_conv(other, "string")),
        }
    }
    for (i, k) in keys.iter().enumerate() {
        let Some(step) = dict.get(k) else {
            return Ok(def);
        };
        if i == keys.len() - 1 {
            return Ok(step);
        }
        dict = plain_map(&step).ok_or_else(|| iface_conv(&step, "map[string]interface {}"))?;
    }
    Ok(def)
}
