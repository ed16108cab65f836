//! Functions callable from templates, with Go's calling convention.
//!
//! Go's `text/template` calls functions through reflection: each argument is checked against the
//! parameter's Go type (`wrong type for value; expected string; got float64`), untyped number
//! literals take the parameter's type (`trunc 63` passes an `int`), a missing value passed to a
//! map, slice or interface parameter becomes that type's zero value, and an error result becomes
//! `error calling NAME: MSG`. A [`Signature`] states the parameter types so the engine can apply
//! those rules uniformly; function bodies then receive arguments already converted.

use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use crate::value::Value;

/// A Go parameter type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// `interface {}`: accepts anything; a missing value arrives as [`Value::Nil`].
    Any,
    /// `string`
    String,
    /// `int`
    Int,
    /// `int64`
    Int64,
    /// `float64`
    Float64,
    /// `bool`
    Bool,
    /// `[]interface {}` (a missing value arrives as an empty list)
    List,
    /// `[]string`
    StringList,
    /// `map[string]interface {}` (also accepts named maps such as `chartutil.Values`; a missing
    /// value arrives as an empty map)
    Map,
    /// `[]byte`
    Bytes,
}

impl Ty {
    /// The Go spelling, as used in error messages.
    pub fn go_name(self) -> &'static str {
        match self {
            Ty::Any => "interface {}",
            Ty::String => "string",
            Ty::Int => "int",
            Ty::Int64 => "int64",
            Ty::Float64 => "float64",
            Ty::Bool => "bool",
            Ty::List => "[]interface {}",
            Ty::StringList => "[]string",
            Ty::Map => "map[string]interface {}",
            Ty::Bytes => "[]uint8",
        }
    }
}

/// Parameter types of a function: fixed parameters, then an optional variadic tail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// Fixed parameters.
    pub params: Vec<Ty>,
    /// Type of the variadic tail (`...T`), if any.
    pub variadic: Option<Ty>,
}

impl Signature {
    /// Fixed parameters only.
    pub fn fixed(params: &[Ty]) -> Signature {
        Signature {
            params: params.to_vec(),
            variadic: None,
        }
    }

    /// Fixed parameters followed by `...tail`.
    pub fn variadic(params: &[Ty], tail: Ty) -> Signature {
        Signature {
            params: params.to_vec(),
            variadic: Some(tail),
        }
    }
}

/// Why a function call failed.
#[derive(Clone, Debug, PartialEq)]
pub enum FuncError {
    /// The function returned a Go `error`; the engine prints `error calling NAME: MSG`.
    Call(String),
    /// An error that must reach the user verbatim, without the `error calling` wrapper
    /// (Helm's `required` and `fail`).
    Abort(String),
}

impl fmt::Display for FuncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FuncError::Call(m) | FuncError::Abort(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for FuncError {}

impl From<String> for FuncError {
    fn from(s: String) -> FuncError {
        FuncError::Call(s)
    }
}

impl From<&str> for FuncError {
    fn from(s: &str) -> FuncError {
        FuncError::Call(s.to_string())
    }
}

/// Result of a template function.
pub type FuncResult = Result<Value, FuncError>;

/// What a context function can ask of the running engine (Helm's `include` and `tpl`).
pub trait Context {
    /// Executes the named template with `data` as dot and `$`, returning its output.
    fn execute_template(&mut self, name: &str, data: Value) -> Result<String, FuncError>;

    /// Parses `text` as a new template (in a clone of the current set, so its `define`s do not
    /// leak) named `name`, and executes it with `data`.
    fn execute_text(&mut self, name: &str, text: &str, data: Value) -> Result<String, FuncError>;

    /// The structured error behind the last failed `execute_template`/`execute_text` call
    /// (a parse error of the text, or an execution error), so a function can word its own
    /// message (Helm's `tpl` says `cannot parse template ...` for parse errors only).
    fn last_error(&self) -> Option<&crate::error::Error> {
        None
    }
}

/// A pure function body: arguments already converted to the signature's types.
pub type PureFn = Rc<dyn Fn(&[Value]) -> FuncResult>;

/// A function body that needs the engine (`include`, `tpl`).
pub type CtxFn = Rc<dyn Fn(&mut dyn Context, &[Value]) -> FuncResult>;

/// A function body.
#[derive(Clone)]
pub enum FuncBody {
    /// Needs only its arguments.
    Pure(PureFn),
    /// Needs the engine.
    Ctx(CtxFn),
}

/// A named function with its signature.
#[derive(Clone)]
pub struct Function {
    /// Parameter types.
    pub sig: Signature,
    /// The body.
    pub body: FuncBody,
}

impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Function")
            .field("sig", &self.sig)
            .finish_non_exhaustive()
    }
}

/// The function table of a template set (Go's `FuncMap`). Names are resolved at parse time:
/// a call of a name not in the table is a parse error, as in Go.
#[derive(Clone, Default, Debug)]
pub struct FuncMap {
    funcs: HashMap<String, Rc<Function>, crate::parse::FxBuild>,
}

impl FuncMap {
    /// An empty table (the engine's builtins `and`, `or`, `not`, `eq`, `index`, `printf`, …
    /// are always present and may be shadowed).
    pub fn new() -> FuncMap {
        FuncMap::default()
    }

    /// Adds a pure function.
    pub fn pure(
        &mut self,
        name: &str,
        sig: Signature,
        f: impl Fn(&[Value]) -> FuncResult + 'static,
    ) {
        self.funcs.insert(
            name.to_string(),
            Rc::new(Function {
                sig,
                body: FuncBody::Pure(Rc::new(f)),
            }),
        );
    }

    /// Adds a function that needs the engine.
    pub fn ctx(
        &mut self,
        name: &str,
        sig: Signature,
        f: impl Fn(&mut dyn Context, &[Value]) -> FuncResult + 'static,
    ) {
        self.funcs.insert(
            name.to_string(),
            Rc::new(Function {
                sig,
                body: FuncBody::Ctx(Rc::new(f)),
            }),
        );
    }

    /// Adds or replaces a function.
    pub fn insert(&mut self, name: &str, f: Function) {
        self.funcs.insert(name.to_string(), Rc::new(f));
    }

    /// Removes a function (Helm removes Sprig's `env` and `expandenv`).
    pub fn remove(&mut self, name: &str) -> Option<Function> {
        self.funcs.remove(name).map(Rc::unwrap_or_clone)
    }

    /// Looks a function up.
    pub fn get(&self, name: &str) -> Option<&Function> {
        self.funcs.get(name).map(|f| &**f)
    }

    /// Looks a function up, shared (the parser keeps these in the tree).
    pub fn get_shared(&self, name: &str) -> Option<Rc<Function>> {
        self.funcs.get(name).cloned()
    }

    /// Whether the table has `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.funcs.contains_key(name)
    }

    /// All names, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.funcs.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    /// Copies every function of `other` into this table, replacing same-named ones.
    pub fn extend(&mut self, other: FuncMap) {
        self.funcs.extend(other.funcs);
    }
}
