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
//!   [`TemplateSet::check`] parses without adding (for linters); [`parse::parse`] and the
//!   [`ast`] give the trees.
//! * Function names are resolved at parse time against the set's [`FuncMap`] and Go's builtins
//!   (`and call eq ge gt html index js le len lt ne not or print printf println slice
//!   urlquery`); a [`FuncMap`] entry shadows a builtin. An unknown name is a parse error.
//! * [`TemplateSet::execute`] runs a template with `data` as dot and `$`. Missing map keys
//!   follow [`Options::missing_key`] (default `zero`, as Helm). Nil or missing values print
//!   `<no value>` at an action (Helm deletes that text from file output; the engine does not).
//! * Function arguments follow Go's reflection rules from the [`Signature`]: untyped constants
//!   take the parameter type (`trunc 63` passes an `int`, `trunc 3.5` is `expected integer;
//!   found 3.5`), values must be assignable (`wrong type for value; expected int; got float64`),
//!   a missing value becomes the zero value for map/slice/interface parameters and is
//!   `invalid value; expected string` otherwise, and the piped value is the last argument.
//! * Context functions ([`FuncMap::ctx`]) receive a [`Context`] implemented by the running
//!   executor: `execute_template` runs a named template with new data (Helm's `include`),
//!   `execute_text` parses a text into a cheap overlay of the current set, so its `define`s do
//!   not leak, and runs it (Helm's `tpl`); `last_error` tells a parse error from an execution
//!   error. Return the [`FuncError`] they give (wrapped or not): the engine wraps it as
//!   `error calling include: ...` and attaches the structured inner error as
//!   [`ExecError::cause`], so [`ExecError::chain`] gives the include chain, outermost first.
//! * [`FuncError::Abort`] is reported with [`ExecErrorKind::Abort`]; Go's text is still
//!   `error calling NAME: MSG`, and [`ExecError::abort`] finds it anywhere in the chain (Helm
//!   prints only the message).
//! * Objects ([`Object`]) resolve methods before fields; method arguments come from the end of
//!   a chain (`.Files.Get "x"`, `.Capabilities.APIVersions.Has "v1"`) and are checked against
//!   [`Object::method_signature`]. Objects whose `kind_name` is `map` or `slice` can be ranged
//!   over, indexed and measured through [`Object::to_value`].
//! * Limits: nesting of template invocations is capped by [`Options::max_depth`] (Go: 100000)
//!   and deep recursion runs on a growing stack, so recursion ends in an error, not a crash;
//!   [`Options::max_output`] and [`Options::max_steps`] cap output and work. Parsing stops at
//!   1000 nested parentheses/control structures (`max expression depth exceeded`).
//!
//! # Errors and positions
//!
//! `Display` of [`ParseError`] and [`ExecError`] is Go's `Error()` text, byte for byte:
//! `template: NAME:LINE: MSG` and `template: FILE:LINE:COL: executing "NAME" at <NODE>: MSG`.
//! LINE is 1-based, COL a 0-based byte column, both of the node Go reports (for a field chain
//! `.Values.a.b` that is the position of `.a`; after a successful call, the last argument
//! evaluated, as in Go). [`Location::span`] covers the node's source text for our own
//! diagnostics. The engine is checked against helm v4.1.4 probes and against Go's own
//! `text/template` on thousands of random templates (see `tests/`).
//!
//! # Go's `fmt`
//!
//! [`gofmt`] implements `fmt.Sprint`, `Sprintln`, `Sprintf` and `%v` for [`Value`]s
//! ([`gofmt::sprint`], [`gofmt::sprintf`], [`gofmt::format_v`]) plus `strconv.Quote`
//! ([`gofmt::quote`]), for Sprig and Helm functions to share.
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

    /// [`TemplateSet::parse`] of a text the caller already holds shared (no copy is made).
    ///
    /// # Errors
    /// Go's parse errors (`template: NAME:LINE: MSG`).
    pub fn parse_shared(&mut self, name: &str, text: Rc<str>) -> Result<(), ParseError> {
        let trees = parse::parse_shared(name, text, &self.funcs)?;
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
