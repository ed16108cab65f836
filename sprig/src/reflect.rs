//! `typeOf`, `typeIs`, `typeIsLike`, `kindOf`, `kindIs`, `deepEqual`, and the `empty` rule
//! (sprig `reflect.go`, `defaults.go`).

use gotemplate::{FuncMap, Ty, Value};

use crate::{arg, arg_str, ok, reg};

pub(crate) fn register(m: &mut FuncMap) {
    reg(m, "typeOf", &[Ty::Any], |a| ok(arg(a, 0).go_type()));
    reg(m, "typeIs", &[Ty::String, Ty::Any], |a| {
        ok(arg_str(a, 0) == arg(a, 1).go_type())
    });
    reg(m, "typeIsLike", &[Ty::String, Ty::Any], |a| {
        let t = arg(a, 1).go_type();
        let target = arg_str(a, 0);
        ok(t == target || t == format!("*{target}"))
    });
    reg(m, "kindOf", &[Ty::Any], |a| ok(arg(a, 0).go_kind()));
    reg(m, "kindIs", &[Ty::String, Ty::Any], |a| {
        ok(arg_str(a, 0) == arg(a, 1).go_kind())
    });
    reg(m, "deepEqual", &[Ty::Any, Ty::Any], |a| {
        ok(deep_equal(&arg(a, 0), &arg(a, 1)))
    });
}

/// Sprig's `empty`: nil, false, 0, and empty strings, slices and maps are empty; structs never.
pub(crate) fn empty(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(i, _) => *i == 0,
        Value::Float(f) => *f == 0.0,
        Value::String(s) => s.is_empty(),
        Value::Bytes(b) => b.is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Map(m) => m.is_empty(),
        Value::Object(_) => false,
    }
}

/// Go's `reflect.DeepEqual` over template values: types must match exactly.
pub(crate) fn deep_equal(a: &Value, b: &Value) -> bool {
    deep_equal_at(a, b, 0)
}

fn deep_equal_at(a: &Value, b: &Value, depth: usize) -> bool {
    if depth > 1000 {
        // Go's DeepEqual treats revisited pairs as equal
        return true;
    }
    let deep_equal = |x: &Value, y: &Value| deep_equal_at(x, y, depth + 1);
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x, tx), Value::Int(y, ty)) => tx == ty && x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            x.elem() == y.elem()
                && x.len() == y.len()
                && x.iter().zip(y.iter()).all(|(p, q)| deep_equal(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.go_type() != y.go_type() {
                return false;
            }
            if x.ptr_eq(y) {
                return true;
            }
            let (ex, ey) = (x.entries(), y.entries());
            ex.len() == ey.len()
                && ex
                    .iter()
                    .zip(ey.iter())
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && deep_equal(v1, v2))
        }
        (Value::Object(x), Value::Object(y)) => {
            if x.type_name() != y.type_name() {
                return false;
            }
            match (x.to_value(), y.to_value()) {
                (Some(p), Some(q)) => deep_equal(&p, &q),
                (None, None) => std::ptr::addr_eq(std::rc::Rc::as_ptr(x), std::rc::Rc::as_ptr(y)),
                _ => false,
            }
        }
        _ => false,
    }
}
