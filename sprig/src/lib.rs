//! Sprig v3 (Masterminds/sprig v3.3.0) template functions, as Helm v4 exposes them.
//!
//! [`funcs`] returns every Sprig function (minus `env` and `expandenv`, which Helm removes) with
//! its Go signature, so the engine applies Go's argument conversion and each body receives
//! already-converted arguments. Behaviour follows sprig's `functions.go` and the libraries it
//! calls (spf13/cast, dario.cat/mergo, huandu/xstrings, Masterminds/goutils,
//! Masterminds/semver v3.4.0 as linked into helm 4.1.4), down to Go's error texts.
//!
//! Public helpers other crates reuse: [`json::marshal`] / [`json::unmarshal`] (Go
//! `encoding/json`, for Helm's `toJson`/`fromJson`), [`semver`] (Masterminds/semver versions and
//! constraints, for chart dependencies and `kubeVersion`), [`to_string`] (Sprig's `strval`) and
//! [`Certificate`] (the object `genCA` & co. return).
//!
//! Helm-specific behaviour kept here: `env`/`expandenv` are absent, `fail` returns
//! [`gotemplate::FuncError::Abort`] (Helm prints its message verbatim), and `getHostByName`
//! returns `""` (Helm without `--enable-dns`). Helm replaces Sprig's `toJson`, `mustToJson`
//! and `fromJson` (its `fromJson` returns a map with an `Error` key instead of nil) and adds
//! `toYaml`, `fromYaml`, `include`, `tpl`, `required`, `lookup`…; that layer registers them
//! on top of [`funcs`].
//!
//! Known limit of the value model: a Go string may hold any bytes, [`Value::String`] only
//! UTF-8, so `b64dec` of binary data or `trunc`/`substr` cutting inside a UTF-8 sequence yield
//! U+FFFD where Go keeps the raw bytes (`b64dec "/w==" | b64enc` is `/w==` in Helm, `77+9`
//! here).
//!
//! Not implemented: `genPrivateKey "dsa"` (returns an error text instead of a DSA key), and
//! certificates signed by Ed25519 keys (`gen*WithKey` with an Ed25519 PEM fails). Known
//! approximations: regular expressions outside RE2's common syntax may be accepted or
//! rejected differently (error texts follow Go for the common mistakes); `typeOf (chunk …)` prints `[]interface {}` (Go:
//! `[][]interface {}`).
//!
//! The `crypto` feature (default) brings RSA/ECDSA/bcrypt/scrypt/AES; without it the crypto
//! functions are still registered, so templates parse, but fail when called.
#![warn(missing_docs)]

mod cast;
mod crypto;
mod date;
mod defaults;
mod dict;
mod encoding;
mod fmt;
pub mod json;
mod list;
mod numeric;
mod random;
mod reflect;
mod regex;
pub mod semver;
mod strings;
mod url;

pub use crypto::Certificate;
use gotemplate::{FuncMap, FuncResult, List, Map, Signature, Ty, Value};

/// Every Sprig function Helm exposes, keyed by name.
pub fn funcs() -> FuncMap {
    let mut m = FuncMap::new();
    strings::register(&mut m);
    numeric::register(&mut m);
    defaults::register(&mut m);
    dict::register(&mut m);
    list::register(&mut m);
    reflect::register(&mut m);
    regex::register(&mut m);
    encoding::register(&mut m);
    semver::register(&mut m);
    date::register(&mut m);
    random::register(&mut m);
    crypto::register(&mut m);
    url::register(&mut m);
    m
}

/// Go's `%v` formatting of a value, as Sprig's `toString`/`cat`/`join` use it.
pub fn to_string(v: &Value) -> String {
    fmt::strval(v)
}

pub(crate) fn reg(
    m: &mut FuncMap,
    name: &str,
    params: &[Ty],
    f: impl Fn(&[Value]) -> FuncResult + 'static,
) {
    m.pure(name, Signature::fixed(params), f);
}

pub(crate) fn regv(
    m: &mut FuncMap,
    name: &str,
    params: &[Ty],
    tail: Ty,
    f: impl Fn(&[Value]) -> FuncResult + 'static,
) {
    m.pure(name, Signature::variadic(params, tail), f);
}

/// Argument `i` as a string (the engine has converted it; anything else prints with `%v`).
pub(crate) fn arg_str(args: &[Value], i: usize) -> String {
    match args.get(i) {
        Some(Value::String(s)) => s.to_string(),
        Some(Value::Nil) | None => String::new(),
        Some(v) => fmt::strval(v),
    }
}

/// Argument `i` as a Go `int`.
pub(crate) fn arg_int(args: &[Value], i: usize) -> i64 {
    match args.get(i) {
        Some(Value::Int(v, _)) => *v,
        Some(v) => cast::to_int64(v),
        None => 0,
    }
}

/// Argument `i` as a `map[string]interface{}` (a missing value is an empty map). A named map
/// such as `common.Values` arrives as the unnamed type, as Go's conversion to the parameter
/// type does, so `set`/`merge` return `map[string]interface {}`; entries stay shared.
pub(crate) fn arg_map(args: &[Value], i: usize) -> Map {
    match args.get(i) {
        Some(Value::Map(m)) => m.unnamed(),
        _ => Map::new(),
    }
}

/// Argument `i` as a slice (a missing value is an empty list).
pub(crate) fn arg_list(args: &[Value], i: usize) -> List {
    match args.get(i) {
        Some(Value::List(l)) => l.clone(),
        _ => List::new(Vec::new()),
    }
}

pub(crate) fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or(Value::Nil)
}

pub(crate) fn ok(v: impl Into<Value>) -> FuncResult {
    Ok(v.into())
}

#[cfg(test)]
pub(crate) mod testutil;

#[cfg(test)]
mod tests {
    #[test]
    fn registers_every_sprig_function_but_env() {
        let want: Vec<&str> = include_str!("testdata/sprig-names.txt").lines().collect();
        let m = super::funcs();
        let got = m.names();
        let missing: Vec<&&str> = want.iter().filter(|n| !m.contains(n)).collect();
        let extra: Vec<&&str> = got.iter().filter(|n| !want.contains(n)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "missing {missing:?}, extra {extra:?}"
        );
        assert!(!m.contains("env") && !m.contains("expandenv"));
    }
}
