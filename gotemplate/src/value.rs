//! The value model: Go's dynamic values as a Helm chart sees them.
//!
//! Helm hands templates `map[string]interface{}` trees decoded from JSON, so most values are
//! `float64`, `string`, `bool`, `nil`, `[]interface{}` and `map[string]interface{}`. Template
//! literals and Sprig add `int`, `int64`, `[]string`, `map[string]string`, `[]int` and `[]byte`.
//! Go's type matters for printing (`%v`, `%T`), comparison errors and `typeOf`/`kindOf`, so each
//! value keeps its Go type.
//!
//! Maps are references, as in Go: `set $m "k" v` is visible through every other handle of `$m`
//! (charts rely on `$_ := set .Values ...`). Lists are immutable values; Sprig returns new ones.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

/// Go integer types that occur in templates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntTy {
    /// `int` (template literals, `len`, `int`, `atoi`, `until`)
    Int,
    /// `int64` (`--set` integers, `int64`, `add`, `max`)
    Int64,
    /// `int32` (`rune`)
    Int32,
    /// `uint8` (`byte`, e.g. `index "abc" 0`)
    Uint8,
    /// `uint`
    Uint,
    /// `uint64`
    Uint64,
}

impl IntTy {
    /// The Go spelling of the type.
    pub fn go_name(self) -> &'static str {
        match self {
            IntTy::Int => "int",
            IntTy::Int64 => "int64",
            IntTy::Int32 => "int32",
            IntTy::Uint8 => "uint8",
            IntTy::Uint => "uint",
            IntTy::Uint64 => "uint64",
        }
    }

    /// Whether the Go type is unsigned.
    pub fn is_unsigned(self) -> bool {
        matches!(self, IntTy::Uint8 | IntTy::Uint | IntTy::Uint64)
    }
}

/// Element type of a Go slice or map value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ElemTy {
    /// `interface {}`
    Any,
    /// `string`
    String,
    /// `int`
    Int,
}

impl ElemTy {
    /// The Go spelling of the element type.
    pub fn go_name(self) -> &'static str {
        match self {
            ElemTy::Any => "interface {}",
            ElemTy::String => "string",
            ElemTy::Int => "int",
        }
    }
}

/// A shared, mutable Go map with string keys (`map[string]T`).
///
/// Iteration is in sorted key order, which is the order Go's `range`, `fmt` and
/// `encoding/json` use for string keys.
#[derive(Clone)]
pub struct Map {
    inner: Rc<RefCell<BTreeMap<String, Value>>>,
    elem: ElemTy,
    /// A named map type such as `chartutil.Values` (printed by `typeOf`).
    name: Option<Rc<str>>,
}

impl Map {
    /// An empty `map[string]interface {}`.
    pub fn new() -> Map {
        Map::from_btree(BTreeMap::new())
    }

    /// A `map[string]interface {}` holding `m`.
    pub fn from_btree(m: BTreeMap<String, Value>) -> Map {
        Map {
            inner: Rc::new(RefCell::new(m)),
            elem: ElemTy::Any,
            name: None,
        }
    }

    /// A map with the given element type.
    pub fn with_elem(m: BTreeMap<String, Value>, elem: ElemTy) -> Map {
        Map {
            inner: Rc::new(RefCell::new(m)),
            elem,
            name: None,
        }
    }

    /// Gives the map a named Go type (e.g. `chartutil.Values`).
    pub fn named(mut self, name: &str) -> Map {
        self.name = Some(Rc::from(name));
        self
    }

    /// The same map (shared entries) seen as the unnamed type `map[string]T`: what a Go function
    /// with a `map[string]interface{}` parameter holds when given a named map such as
    /// `common.Values` (so `typeOf (set .Values "k" 1)` is `map[string]interface {}`).
    pub fn unnamed(&self) -> Map {
        Map {
            inner: self.inner.clone(),
            elem: self.elem,
            name: None,
        }
    }

    /// The element type.
    pub fn elem(&self) -> ElemTy {
        self.elem
    }

    /// The Go type name, e.g. `map[string]interface {}`.
    pub fn go_type(&self) -> String {
        match &self.name {
            Some(n) => n.to_string(),
            None => format!("map[string]{}", self.elem.go_name()),
        }
    }

    /// A copy of the value stored under `key`.
    pub fn get(&self, key: &str) -> Option<Value> {
        self.inner.borrow().get(key).cloned()
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.inner.borrow().contains_key(key)
    }

    /// Stores `value` under `key` (visible through every handle of this map).
    pub fn insert(&self, key: impl Into<String>, value: Value) -> Option<Value> {
        self.inner.borrow_mut().insert(key.into(), value)
    }

    /// Removes `key`.
    pub fn remove(&self, key: &str) -> Option<Value> {
        self.inner.borrow_mut().remove(key)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.inner.borrow().len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.inner.borrow().is_empty()
    }

    /// Keys in sorted order.
    pub fn keys(&self) -> Vec<String> {
        self.inner.borrow().keys().cloned().collect()
    }

    /// Entries in sorted key order (a snapshot: the map may be mutated while iterating).
    pub fn entries(&self) -> Vec<(String, Value)> {
        self.inner
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Runs `f` with read access to the underlying tree.
    pub fn with<R>(&self, f: impl FnOnce(&BTreeMap<String, Value>) -> R) -> R {
        f(&self.inner.borrow())
    }

    /// A new map with the same entries (one level deep, like Go's map copy loop).
    pub fn shallow_clone(&self) -> Map {
        Map {
            inner: Rc::new(RefCell::new(self.inner.borrow().clone())),
            elem: self.elem,
            name: self.name.clone(),
        }
    }

    /// Whether both handles refer to the same Go map.
    pub fn ptr_eq(&self, other: &Map) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Default for Map {
    fn default() -> Self {
        Map::new()
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.inner.try_borrow() {
            Ok(m) => f.debug_map().entries(m.iter()).finish(),
            Err(_) => f.write_str("{<borrowed>}"),
        }
    }
}

/// An immutable Go slice (`[]interface {}`, `[]string`, `[]int`).
#[derive(Clone, Debug)]
pub struct List {
    items: Rc<Vec<Value>>,
    elem: ElemTy,
}

impl List {
    /// A `[]interface {}`.
    pub fn new(items: Vec<Value>) -> List {
        List {
            items: Rc::new(items),
            elem: ElemTy::Any,
        }
    }

    /// A slice with the given element type.
    pub fn with_elem(items: Vec<Value>, elem: ElemTy) -> List {
        List {
            items: Rc::new(items),
            elem,
        }
    }

    /// The element type.
    pub fn elem(&self) -> ElemTy {
        self.elem
    }

    /// The items.
    pub fn items(&self) -> &[Value] {
        &self.items
    }

    /// The Go type name, e.g. `[]interface {}`.
    pub fn go_type(&self) -> String {
        format!("[]{}", self.elem.go_name())
    }
}

impl std::ops::Deref for List {
    type Target = [Value];
    fn deref(&self) -> &[Value] {
        &self.items
    }
}

/// A Go value with fields and methods that is not a map: `.Capabilities`, `.Files`,
/// `.Capabilities.APIVersions`, semver versions, and the like.
pub trait Object: fmt::Debug {
    /// The Go type, e.g. `*common.Capabilities` (used by `typeOf` and in error messages).
    fn type_name(&self) -> String;

    /// The Go kind, e.g. `ptr`, `struct`, `map`, `slice` (used by `kindOf`).
    fn kind_name(&self) -> &'static str {
        "ptr"
    }

    /// An exported field, or `None` when the type has no such field.
    fn field(&self, name: &str) -> Option<Value>;

    /// Calls a method; `None` when the type has no such method.
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let _ = (name, args);
        None
    }

    /// Whether the type has a method of this name (Go resolves methods before fields).
    fn has_method(&self, name: &str) -> bool {
        let _ = name;
        false
    }

    /// Parameter types of a method, so the engine can check and convert arguments as Go's
    /// reflection does (`wrong number of args for Get: want 1 got 0`). `None` passes the
    /// evaluated arguments as `interface {}` values without checks.
    fn method_signature(&self, name: &str) -> Option<crate::func::Signature> {
        let _ = name;
        None
    }

    /// What `json.Marshal` would see: the exported fields as a map (or a list/string for
    /// slice- and string-like types). `None` marshals as `{}`.
    fn to_value(&self) -> Option<Value> {
        None
    }

    /// How `%v` prints it; defaults to the `to_value` form.
    fn format_v(&self) -> Option<String> {
        None
    }

    /// The concrete value, so that a function library can get its own object types back
    /// (Sprig's `time.Time` and certificates). `None` by default.
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }
}

/// A Go value.
#[derive(Clone, Debug)]
pub enum Value {
    /// `nil` (an untyped nil interface; also a missing map key under `missingkey=zero`).
    Nil,
    /// `bool`
    Bool(bool),
    /// A signed or unsigned Go integer (`uint64` values above `i64::MAX` are not represented).
    Int(i64, IntTy),
    /// `float64`
    Float(f64),
    /// `string`
    String(Rc<str>),
    /// `[]byte`
    Bytes(Rc<[u8]>),
    /// A slice.
    List(List),
    /// A `map[string]T`.
    Map(Map),
    /// A struct or pointer with fields and methods.
    Object(Rc<dyn Object>),
}

impl Value {
    /// A Go `string`.
    pub fn str(s: impl AsRef<str>) -> Value {
        Value::String(Rc::from(s.as_ref()))
    }

    /// A Go `int`.
    pub fn int(i: i64) -> Value {
        Value::Int(i, IntTy::Int)
    }

    /// A Go `int64`.
    pub fn int64(i: i64) -> Value {
        Value::Int(i, IntTy::Int64)
    }

    /// A `[]interface {}`.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(List::new(items))
    }

    /// A `[]string`.
    pub fn string_list<I: IntoIterator<Item = S>, S: AsRef<str>>(items: I) -> Value {
        Value::List(List::with_elem(
            items.into_iter().map(Value::str).collect(),
            ElemTy::String,
        ))
    }

    /// A new `map[string]interface {}`.
    pub fn map(m: BTreeMap<String, Value>) -> Value {
        Value::Map(Map::from_btree(m))
    }

    /// Go's type name as `%T` and Sprig's `typeOf` print it.
    pub fn go_type(&self) -> String {
        match self {
            Value::Nil => "<nil>".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_, t) => t.go_name().into(),
            Value::Float(_) => "float64".into(),
            Value::String(_) => "string".into(),
            Value::Bytes(_) => "[]uint8".into(),
            Value::List(l) => l.go_type(),
            Value::Map(m) => m.go_type(),
            Value::Object(o) => o.type_name(),
        }
    }

    /// Go's `reflect.Kind` name as Sprig's `kindOf` prints it.
    pub fn go_kind(&self) -> &'static str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_, t) => t.go_name(),
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::Bytes(_) | Value::List(_) => "slice",
            Value::Map(_) => "map",
            Value::Object(o) => o.kind_name(),
        }
    }

    /// Go template truthiness (`if`, `and`, `or`, `not`, `with`): false, 0, nil, and empty
    /// strings, slices and maps are false. Structs are always true.
    pub fn is_true(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i, _) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Object(_) => true,
        }
    }

    /// The string inside a Go `string`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this is `nil`.
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::str(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(Rc::from(s))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Value {
        Value::Map(m)
    }
}

impl From<List> for Value {
    fn from(l: List) -> Value {
        Value::List(l)
    }
}

/// Formats a `float64` as Go's `%v` does: `strconv.FormatFloat(f, 'g', -1, 64)`, which uses
/// the shortest round-trip digits and the exponent form when exp < -4 or exp >= 6.
///
/// `1000000.0` → `1e+06`, `2.0` → `2`, `0.00001` → `1e-05`, `123456.0` → `123456`.
pub fn format_float_v(f: f64) -> String {
    format_float_g(f, 6)
}

/// `strconv.FormatFloat(f, 'g', -1, 64)` with shortest digits and exponent form when
/// exp < -4 or exp >= `eprec` (6 for `%v`/`%g`; `encoding/json` uses its own rule).
pub fn format_float_g(f: f64, eprec: i32) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "1.2345e13", "-5e-7".
    let sci = format!("{:e}", f);
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let nd = digits.len() as i32;
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if exp < -4 || exp >= eprec {
        out.push_str(&digits[..1]);
        if nd > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let a = exp.abs();
        if a < 10 {
            out.push('0');
        }
        out.push_str(&a.to_string());
    } else if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let int_len = (exp + 1) as usize;
        if digits.len() <= int_len {
            out.push_str(&digits);
            for _ in digits.len()..int_len {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_go() {
        assert_eq!(format_float_v(1_000_000.0), "1e+06");
        assert_eq!(format_float_v(2.0), "2");
        assert_eq!(format_float_v(80.0), "80");
        assert_eq!(format_float_v(0.00001), "1e-05");
        assert_eq!(format_float_v(0.0001), "0.0001");
        assert_eq!(format_float_v(1e21), "1e+21");
        assert_eq!(format_float_v(123456789.0), "1.23456789e+08");
        assert_eq!(format_float_v(1.5), "1.5");
        assert_eq!(format_float_v(12345678901234.0), "1.2345678901234e+13");
        assert_eq!(format_float_v(-3.25), "-3.25");
        assert_eq!(
            format_float_v(9223372036854775808.0),
            "9.223372036854776e+18"
        );
        assert_eq!(format_float_v(123456.0), "123456");
    }

    #[test]
    fn maps_are_shared() {
        let m = Map::new();
        let v = Value::Map(m.clone());
        m.insert("a", Value::int(1));
        match v {
            Value::Map(m2) => assert!(m2.contains_key("a")),
            _ => unreachable!(),
        }
    }
}
