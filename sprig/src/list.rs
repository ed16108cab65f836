//! List functions (sprig `list.go`).

use gotemplate::{ElemTy, FuncError, FuncMap, FuncResult, IntTy, List, Ty, Value};

use crate::cast::to_int;
use crate::reflect::{deep_equal, empty};
use crate::{arg, arg_int, ok, reg, regv};

pub(crate) fn register(m: &mut FuncMap) {
    use Ty::{Any, Int};
    for name in ["list", "tuple"] {
        regv(m, name, &[], Any, |a| ok(Value::list(a.to_vec())));
    }
    for name in ["append", "push", "mustAppend", "mustPush"] {
        reg(m, name, &[Any, Any], |a| {
            let mut l = items(&arg(a, 0), "Cannot push on type")?;
            l.push(arg(a, 1));
            ok(Value::list(l))
        });
    }
    for name in ["prepend", "mustPrepend"] {
        reg(m, name, &[Any, Any], |a| {
            let mut l = items(&arg(a, 0), "Cannot prepend on type")?;
            l.insert(0, arg(a, 1));
            ok(Value::list(l))
        });
    }
    for name in ["chunk", "mustChunk"] {
        reg(m, name, &[Int, Any], |a| {
            let size = arg_int(a, 0);
            let l = items(&arg(a, 1), "Cannot chunk type")?;
            if size <= 0 {
                return Err(FuncError::Call(
                    "runtime error: makeslice: len out of range".to_string(),
                ));
            }
            let out: Vec<Value> = l
                .chunks(size as usize)
                .map(|c| Value::list(c.to_vec()))
                .collect();
            ok(Value::list(out))
        });
    }
    for name in ["last", "mustLast"] {
        reg(m, name, &[Any], |a| {
            Ok(items(&arg(a, 0), "Cannot find last on type")?
                .pop()
                .unwrap_or(Value::Nil))
        });
    }
    for name in ["first", "mustFirst"] {
        reg(m, name, &[Any], |a| {
            Ok(items(&arg(a, 0), "Cannot find first on type")?
                .into_iter()
                .next()
                .unwrap_or(Value::Nil))
        });
    }
    for name in ["rest", "mustRest"] {
        reg(m, name, &[Any], |a| {
            let l = items(&arg(a, 0), "Cannot find rest on type")?;
            ok(Value::list(l.into_iter().skip(1).collect()))
        });
    }
    for name in ["initial", "mustInitial"] {
        reg(m, name, &[Any], |a| {
            let mut l = items(&arg(a, 0), "Cannot find initial on type")?;
            l.pop();
            ok(Value::list(l))
        });
    }
    for name in ["reverse", "mustReverse"] {
        reg(m, name, &[Any], |a| {
            let mut l = items(&arg(a, 0), "Cannot find reverse on type")?;
            l.reverse();
            ok(Value::list(l))
        });
    }
    for name in ["compact", "mustCompact"] {
        reg(m, name, &[Any], |a| {
            let l = items(&arg(a, 0), "Cannot compact on type")?;
            ok(Value::list(l.into_iter().filter(|v| !empty(v)).collect()))
        });
    }
    for name in ["uniq", "mustUniq"] {
        reg(m, name, &[Any], |a| {
            let l = items(&arg(a, 0), "Cannot find uniq on type")?;
            let mut out: Vec<Value> = Vec::new();
            for v in l {
                if !out.iter().any(|o| deep_equal(&v, o)) {
                    out.push(v);
                }
            }
            ok(Value::list(out))
        });
    }
    for name in ["without", "mustWithout"] {
        regv(m, name, &[Any], Any, |a| {
            let l = items(&arg(a, 0), "Cannot find without on type")?;
            let omit = &a[1..];
            ok(Value::list(
                l.into_iter()
                    .filter(|v| !omit.iter().any(|o| deep_equal(v, o)))
                    .collect(),
            ))
        });
    }
    for name in ["has", "mustHas"] {
        reg(m, name, &[Any, Any], |a| {
            let hay = arg(a, 1);
            if hay.is_nil() {
                return ok(false);
            }
            let needle = arg(a, 0);
            let l = items(&hay, "Cannot find has on type")?;
            ok(l.iter().any(|v| deep_equal(&needle, v)))
        });
    }
    for name in ["slice", "mustSlice"] {
        regv(m, name, &[Any], Any, slice);
    }
    regv(m, "concat", &[], Any, |a| {
        let mut out = Vec::new();
        for l in a {
            match items(l, "") {
                Ok(v) => out.extend(v),
                Err(e) if l.is_nil() => return Err(e),
                Err(_) => {
                    return Err(FuncError::Call(format!(
                        "Cannot concat type {} as list",
                        l.go_kind()
                    )));
                }
            }
        }
        ok(Value::list(out))
    });
}

/// The elements of a Go slice, or the error Sprig's reflection gives for other kinds
/// (`<what> <kind>`; nil panics inside `reflect.TypeOf(nil).Kind()`).
pub(crate) fn items(v: &Value, what: &str) -> Result<Vec<Value>, FuncError> {
    match v {
        Value::List(l) => Ok(l.to_vec()),
        Value::Bytes(b) => Ok(b
            .iter()
            .map(|&x| Value::Int(x as i64, IntTy::Uint8))
            .collect()),
        Value::Nil => Err(FuncError::Call(
            "runtime error: invalid memory address or nil pointer dereference".into(),
        )),
        other => Err(FuncError::Call(format!("{what} {}", other.go_kind()))),
    }
}

fn slice(a: &[Value]) -> FuncResult {
    let list = arg(a, 0);
    let (elem, l): (ElemTy, Vec<Value>) = match &list {
        Value::List(l) => (l.elem(), l.to_vec()),
        Value::Bytes(_) => (ElemTy::Any, items(&list, "")?),
        Value::Nil => return Err(items(&list, "").unwrap_err()),
        other => {
            return Err(FuncError::Call(format!(
                "list should be type of slice or array but {}",
                other.go_kind()
            )));
        }
    };
    if l.is_empty() {
        return Ok(Value::Nil);
    }
    let start = a.get(1).map(to_int).unwrap_or(0);
    let end = if a.len() < 3 {
        l.len() as i64
    } else {
        to_int(&a[2])
    };
    if start < 0 || end < start || end > l.len() as i64 {
        return Err(FuncError::Call(
            "reflect.Value.Slice: slice index out of bounds".into(),
        ));
    }
    let part = l[start as usize..end as usize].to_vec();
    if let Value::Bytes(b) = &list {
        return Ok(Value::Bytes(b[start as usize..end as usize].into()));
    }
    Ok(Value::List(List::with_elem(part, elem)))
}
