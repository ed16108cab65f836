//! Go's `text/template` in Rust.
//!
//! Layers, each testable alone: [`value`] (Go's dynamic values), [`func`] (the calling
//! convention of template functions), [`lex`], [`parse`] and [`ast`] (Go's
//! `text/template/parse`), the evaluator (Go's `exec.go` and `funcs.go`), [`gofmt`] (Go's `fmt`
//! for template values) and [`error`] (errors whose `Display` is Go's `Error()` text).
//! This crate knows nothing of Helm or Kubernetes.
//!
//! # Usage
//!
//! ```
//! use gotemplate::{FuncMap, TemplateSet, Value};
//! let mut set = TemplateSet::new(FuncMap::new());
//! set.parse("helpers", r#"{{ define "greet" }}hello {{ . }}{{ end }}"#).unwrap();
//! set.parse("main", r#"{{ template "greet" .name }} {{ printf "%v" 1e6 }}"#).unwrap();
//! let data = Value::map([("name".to_string(), Value::str("world"))].into());
//! assert_eq!(set.execute("main", &data).unwrap(), "hello world 1e+06");
//! ```
//!
//! # Template set semantics
//!
//! * [`TemplateSet::parse`] parses one text: the text becomes a template named `name`, and
//!   every `define`/`block` in it is hoisted into the set. As in Go's `AddParseTree`, a later
//!   definition replaces an earlier one unless its body is empty (only whitespace and
//!   comments); the caller controls the order (Helm parses deepest files first). Two non-empty
//!   definitions of one name inside one text are a parse error, as in Go.
//! * Function names are resolved at parse time against the set's [`FuncMap`] and Go's builtins
//!   (`and call eq ge gt html index js le len lt ne not or print printf println slice
//!   urlquery`); a [`FuncMap`] entry shadows a builtin. An unknown name is a parse error.
//! * [`TemplateSet::execute`] runs a template with `data` as dot and `$`. Missing map keys
//!   follow [`Options::missing_key`] (default `zero`, as Helm). Nil or missing values print
//!   `<no value>` at an action.
//! * Context functions ([`FuncMap::ctx`]) receive a [`Context`] implemented by the running
//!   executor: `execute_template` runs a named template with new data (Helm's `include`),
//!   `execute_text` parses a text into a cheap overlay of the current set, so its `define`s do
//!   not leak, and runs it (Helm's `tpl`). Return the [`FuncError`] they give unchanged: the
//!   engine then wraps it as `error calling include: ...` and attaches the structured inner error
//!   as [`ExecError::cause`], which gives the include chain.
//! * [`FuncError::Abort`] is reported with [`ExecErrorKind::Abort`]; Go's text is still
//!   `error calling NAME: MSG`, and the Helm layer prints only the message.
//! * Nesting of template invocations is limited by [`Options::max_depth`] (Go: 100000) and
//!   deep recursion runs on a growing stack, so recursion ends in an error, not a crash.
//!   Output can be capped with [`Options::max_output`].
#![warn(missing_docs)]
// Errors carry Go's full context (location, node text, cause chain); they are rare.
#![allow(clippy::result_large_err)]

pub mod ast;
pub mod error;
mod exec;
pub mod func;
pub mod gofmt;
pub mod lex;
pub mod parse;
pub mod value;

use std::collections::HashMap;
use std::rc::Rc;

pub use error::{Error, ExecError, ExecErrorKind, Location, ParseError};
pub use exec::{MissingKey, Options, html_escape, js_escape, query_escape};
pub use func::{Context, FuncBody, FuncError, FuncMap, FuncResult, Function, Signature, Ty};
pub use value::{ElemTy, IntTy, List, Map, Object, Value};

use exec::{Layer, Runner};

/// A set of named templates sharing one function table (Go's `*template.Template` family).
///
/// Cloning is cheap (reference-counted trees); a clone can be extended without affecting the
/// original.
#[derive(Clone)]
pub struct TemplateSet {
    layer: Rc<Layer>,
    funcs: Rc<FuncMap>,
    options: Options,
    name: Rc<str>,
}

impl std::fmt::Debug for TemplateSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TemplateSet")
            .field("templates", &self.names())
            .field("options", &self.options)
            .finish()
    }
}

impl TemplateSet {
    /// An empty set with the given functions (Go's builtins are always available).
    pub fn new(funcs: FuncMap) -> TemplateSet {
        TemplateSet {
            layer: Rc::new(Layer::default()),
            funcs: Rc::new(funcs),
            options: Options::default(),
            name: Rc::from(""),
        }
    }

    /// Names the set (Go's root template name, used in `no template "x" associated with
    /// template "NAME"`; Helm's is `gotpl`).
    pub fn with_name(mut self, name: &str) -> TemplateSet {
        self.name = Rc::from(name);
        self
    }

    /// The options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Mutable options (missing keys, limits).
    pub fn options_mut(&mut self) -> &mut Options {
        &mut self.options
    }

    /// Sets Go's `missingkey` option.
    pub fn set_missing_key(&mut self, m: MissingKey) {
        self.options.missing_key = m;
    }

    /// The function table.
    pub fn funcs(&self) -> &FuncMap {
        &self.funcs
    }

    /// Parses `text` as the template `name` and adds it and its `define`s to the set.
    ///
    /// # Errors
    /// Go's parse errors (`template: NAME:LINE: MSG`).
    pub fn parse(&mut self, name: &str, text: &str) -> Result<(), ParseError> {
        let trees = parse::parse(name, text, &self.funcs)?;
        let layer = Rc::make_mut(&mut self.layer);
        for t in trees {
            layer.add(t);
        }
        Ok(())
    }

    /// Parses `text` without adding anything (for checks such as linting).
    ///
    /// # Errors
    /// Go's parse errors.
    pub fn check(&self, name: &str, text: &str) -> Result<Vec<parse::Tree>, ParseError> {
        parse::parse(name, text, &self.funcs)
    }

    /// Whether a template of this name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.layer.lookup(name).is_some()
    }

    /// The parsed tree of a template.
    pub fn lookup(&self, name: &str) -> Option<Rc<parse::Tree>> {
        self.layer.lookup(name).cloned()
    }

    /// Names of all templates, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut seen: HashMap<&str, ()> = HashMap::new();
        let mut cur = Some(&*self.layer);
        while let Some(l) = cur {
            for k in l.templates.keys() {
                seen.insert(k, ());
            }
            cur = l.parent.as_deref();
        }
        let mut v: Vec<String> = seen.keys().map(|s| s.to_string()).collect();
        v.sort();
        v
    }

    /// Executes the template `name` with `data` as dot.
    ///
    /// # Errors
    /// Go's execution errors; `Display` gives Go's exact text.
    pub fn execute(&self, name: &str, data: &Value) -> Result<String, ExecError> {
        let mut r = Runner {
            layer: self.layer.clone(),
            funcs: &self.funcs,
            opts: &self.options,
            depth: 0,
            stash: None,
            set_name: &self.name,
            steps: 0,
            dollar: Rc::from("$"),
        };
        parse::stacker_grow(|| r.run(name, data.clone()))
    }
}
