//! The evaluator: Go's `text/template/exec.go` and `funcs.go` over [`Value`].
//!
//! Go distinguishes an *invalid* `reflect.Value` (no value at all: a missing result, a nil
//! piped through a pipeline) from a nil `interface {}` stored in a map or slice. Both print as
//! `<no value>` at an action, but field access differs (`.a.b` on a nil interface is an error,
//! on an invalid value it is not), and so do argument conversion errors. [`Rv`] keeps that bit.

use std::collections::HashMap;
use std::rc::Rc;

use crate::ast::*;
use crate::error::{Error, ExecError, ExecErrorKind, Location};
use crate::func::{Context, FuncBody, FuncError, FuncMap, Function, Signature, Ty};
use crate::gofmt;
use crate::parse::{Tree, stacker_grow};
use crate::value::{ElemTy, IntTy, List, Map, Value};

/// What a missing map key yields (Go's `missingkey` option).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MissingKey {
    /// `missingkey=default`/`invalid`: no value (prints `<no value>`).
    Invalid,
    /// `missingkey=zero`: the zero value of the map's element type (what Helm uses).
    #[default]
    Zero,
    /// `missingkey=error`: execution stops with `map has no entry for key "x"`.
    Error,
}

/// Execution options.
#[derive(Clone, Debug)]
pub struct Options {
    /// Missing map keys.
    pub missing_key: MissingKey,
    /// Maximum nesting of template invocations (`{{template}}`, `include`, `tpl`) in one
    /// execution; Go's limit is 100000 (`exceeded maximum template depth (100000)`).
    pub max_depth: usize,
    /// Maximum output of one execution, in bytes (0 = unlimited). Counted per output buffer
    /// (an `include` result is its own buffer).
    pub max_output: usize,
    /// Maximum number of nodes executed by one top-level execution, nested ones included
    /// (0 = unlimited; Go has no such limit). Guards linters and fuzzers against runaway loops.
    pub max_steps: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            missing_key: MissingKey::Zero,
            max_depth: 100_000,
            max_output: 0,
            max_steps: 0,
        }
    }
}

/// A set of named templates (Rc'd layers: cloning is cheap; `tpl` adds a layer).
#[derive(Clone, Debug, Default)]
pub(crate) struct Layer {
    pub(crate) templates: HashMap<Rc<str>, Rc<Tree>, crate::parse::FxBuild>,
    pub(crate) parent: Option<Rc<Layer>>,
}

impl Layer {
    pub(crate) fn lookup(&self, name: &str) -> Option<&Rc<Tree>> {
        let mut cur = self;
        loop {
            if let Some(t) = cur.templates.get(name) {
                return Some(t);
            }
            cur = cur.parent.as_deref()?;
        }
    }

    /// Go's `associate`: a later definition replaces an earlier one unless it is empty.
    pub(crate) fn add(&mut self, tree: Tree) {
        let empty = is_empty_tree(&tree.root);
        if empty && self.lookup(&tree.name).is_some() {
            return;
        }
        self.templates.insert(tree.name.clone(), Rc::new(tree));
    }
}

/// A value with Go's static-type bit: `iface` is true when the value was read out of an
/// `interface {}` slot (a map or slice element) and has not been through a pipeline yet.
#[derive(Clone, Debug)]
pub(crate) struct Rv {
    pub v: Value,
    pub iface: bool,
}

impl Rv {
    fn concrete(v: Value) -> Rv {
        Rv { v, iface: false }
    }
    fn invalid() -> Rv {
        Rv {
            v: Value::Nil,
            iface: false,
        }
    }
    fn is_invalid(&self) -> bool {
        self.v.is_nil() && !self.iface
    }
    /// Go's `reflect.Value.Type()` string for messages.
    fn type_name(&self) -> String {
        if self.iface {
            "interface {}".to_string()
        } else {
            self.v.go_type()
        }
    }
    /// What a pipeline stage yields: interfaces are unwrapped.
    fn unwrap(self) -> Rv {
        Rv {
            v: self.v,
            iface: false,
        }
    }
}

/// The node Go's `state.at` last recorded.
#[derive(Clone, Copy)]
enum At<'t> {
    None,
    Cmd(&'t Command),
    Arg(&'t Arg),
    Pipe(&'t Pipe),
    Tmpl(&'t TemplateNode),
}

enum Flow {
    Normal,
    Break,
    Continue,
}

type EResult<T> = Result<T, Box<ExecError>>;

/// Shared state of one top-level execution (and the nested ones `include`/`tpl` start).
pub(crate) struct Runner<'s> {
    pub(crate) layer: Rc<Layer>,
    pub(crate) funcs: &'s FuncMap,
    pub(crate) opts: &'s Options,
    pub(crate) depth: usize,
    /// The structured error of the last failed nested execution (attached as `cause`).
    pub(crate) stash: Option<Error>,
    /// Name of the template set (Go's root template name, e.g. Helm's `gotpl`).
    pub(crate) set_name: &'s str,
    /// Nodes executed so far.
    pub(crate) steps: u64,
    /// The name `$`, shared by every frame.
    pub(crate) dollar: Rc<str>,
}

impl Runner<'_> {
    pub(crate) fn run(&mut self, name: &str, data: Value) -> Result<String, ExecError> {
        let Some(tree) = self.layer.lookup(name).cloned() else {
            return Err(ExecError {
                kind: ExecErrorKind::Eval,
                template: String::new(),
                location: None,
                message: format!(
                    "no template {} associated with template {}",
                    gofmt::quote(name),
                    gofmt::quote(self.set_name)
                ),
                cause: None,
            });
        };
        let mut out = String::new();
        let dot = if data.is_nil() {
            Rv::invalid()
        } else {
            Rv::concrete(data)
        };
        let vars = vec![(self.dollar.clone(), dot.clone())];
        let mut st = State {
            r: self,
            tree: &tree,
            vars,
            at: At::None,
            out: &mut out,
        };
        match st.walk_list(&dot, &tree.root) {
            Ok(_) => Ok(out),
            Err(e) => Err(*e),
        }
    }
}

impl Context for Runner<'_> {
    fn execute_template(&mut self, name: &str, data: Value) -> Result<String, FuncError> {
        if self.depth >= self.opts.max_depth {
            return Err(FuncError::Call(format!(
                "exceeded maximum template depth ({})",
                self.opts.max_depth
            )));
        }
        self.depth += 1;
        let r = stacker_grow(|| self.run(name, data));
        self.depth -= 1;
        r.map_err(|e| {
            let msg = e.to_string();
            self.stash = Some(Error::Exec(e));
            FuncError::Call(msg)
        })
    }

    fn last_error(&self) -> Option<&Error> {
        self.stash.as_ref()
    }

    fn execute_text(&mut self, name: &str, text: &str, data: Value) -> Result<String, FuncError> {
        let trees = match crate::parse::parse(name, text, self.funcs) {
            Ok(t) => t,
            Err(e) => {
                let msg = e.to_string();
                self.stash = Some(Error::Parse(e));
                return Err(FuncError::Call(msg));
            }
        };
        let mut layer = Layer {
            templates: HashMap::default(),
            parent: Some(self.layer.clone()),
        };
        for t in trees {
            if &*t.name == name {
                // Go executes the new template object itself: its own tree, even an empty one
                // that `associate` did not let replace an existing definition of the same name
                // (a nested `tpl ""` runs nothing, it does not run the outer `tpl` text again).
                layer.templates.insert(t.name.clone(), Rc::new(t));
            } else {
                layer.add(t);
            }
        }
        let saved = std::mem::replace(&mut self.layer, Rc::new(layer));
        let r = self.execute_template(name, data);
        self.layer = saved;
        r
    }
}

struct State<'r, 's, 't> {
    r: &'r mut Runner<'s>,
    tree: &'t Tree,
    vars: Vec<(Rc<str>, Rv)>,
    at: At<'t>,
    out: &'r mut String,
}

/// Go's comparison kinds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Uint,
    Float,
    String,
    Other,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Nil => Kind::Invalid,
        Value::Bool(_) => Kind::Bool,
        Value::Int(_, t) if t.is_unsigned() => Kind::Uint,
        Value::Int(..) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::String(_) => Kind::String,
        _ => Kind::Other,
    }
}

impl<'t> State<'_, '_, 't> {
    // ---- errors ----

    fn location(&self) -> Option<Location> {
        let (pos, span, node) = match self.at {
            At::None => return None,
            At::Cmd(c) => (c.pos, c.span, c.to_string()),
            At::Arg(a) => (a.pos, a.span, a.to_string()),
            At::Pipe(p) => (p.pos, p.span, p.to_string()),
            At::Tmpl(t) => (
                t.pos,
                Span {
                    start: t.pos,
                    end: t.pos,
                },
                tmpl_string(t),
            ),
        };
        let (line, col) = self.tree.line_col(pos);
        Some(Location {
            parse_name: self.tree.parse_name.to_string(),
            line,
            col,
            span,
            node,
        })
    }

    fn err(&self, message: String) -> Box<ExecError> {
        Box::new(ExecError {
            kind: ExecErrorKind::Eval,
            template: self.tree.name.to_string(),
            location: self.location(),
            message,
            cause: None,
        })
    }

    fn errk(&self, kind: ExecErrorKind, message: String) -> Box<ExecError> {
        let mut e = self.err(message);
        e.kind = kind;
        e
    }

    // ---- output ----

    fn write(&mut self, s: &str) -> EResult<()> {
        self.out.push_str(s);
        let max = self.r.opts.max_output;
        if max != 0 && self.out.len() > max {
            return Err(self.errk(
                ExecErrorKind::Limit,
                format!("output exceeds the limit of {max} bytes"),
            ));
        }
        Ok(())
    }

    // ---- variables ----

    fn var_value(&self, name: &str) -> EResult<Rv> {
        for (n, v) in self.vars.iter().rev() {
            if **n == *name {
                return Ok(v.clone());
            }
        }
        Err(self.err(format!("undefined variable: {name}")))
    }

    fn set_var(&mut self, name: &str, v: Rv) -> EResult<()> {
        for (n, slot) in self.vars.iter_mut().rev() {
            if **n == *name {
                *slot = v;
                return Ok(());
            }
        }
        Err(self.err(format!("undefined variable: {name}")))
    }

    fn set_top_var(&mut self, n: usize, v: Rv) {
        let len = self.vars.len();
        self.vars[len - n].1 = v;
    }

    // ---- walking ----

    fn walk_list(&mut self, dot: &Rv, list: &'t ListNode) -> EResult<Flow> {
        for n in &list.nodes {
            match self.walk(dot, n)? {
                Flow::Normal => {}
                f => return Ok(f),
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &Rv, node: &'t Node) -> EResult<Flow> {
        self.r.steps += 1;
        let max = self.r.opts.max_steps;
        if max != 0 && self.r.steps > max {
            return Err(self.errk(
                ExecErrorKind::Limit,
                format!("exceeded the limit of {max} execution steps"),
            ));
        }
        match node {
            Node::Text(t) => {
                self.write(t)?;
            }
            Node::Comment(_) => {}
            Node::Action(pipe) => {
                let v = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    self.print_value(&v)?;
                }
            }
            Node::If(b) => return self.walk_if_with(dot, b, false),
            Node::With(b) => return self.walk_if_with(dot, b, true),
            Node::Range(b) => return stacker_grow(|| self.walk_range(dot, b)),
            Node::Template(t) => self.walk_template(dot, t)?,
            Node::Break(_) => return Ok(Flow::Break),
            Node::Continue(_) => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn print_value(&mut self, v: &Rv) -> EResult<()> {
        if v.v.is_nil() {
            return self.write("<no value>");
        }
        match &v.v {
            Value::String(s) => {
                let s = s.clone();
                self.write(&s)
            }
            // Go's printValue takes the address of an addressable struct whose pointer is a
            // fmt.Stringer (a field such as `.Capabilities.KubeVersion`), so String() is
            // used here even where `%v` (printf, quote, toString) prints the struct fields.
            Value::Object(o) if o.has_method("String") => match o.call_method("String", &[]) {
                Some(Ok(Value::String(s))) => self.write(&s),
                _ => {
                    let s = gofmt::format_v(&v.v);
                    self.write(&s)
                }
            },
            other => {
                let s = gofmt::format_v(other);
                self.write(&s)
            }
        }
    }

    fn walk_if_with(&mut self, dot: &Rv, b: &'t Branch, with: bool) -> EResult<Flow> {
        let mark = self.vars.len();
        let r = stacker_grow(|| {
            let val = self.eval_pipeline(dot, &b.pipe)?;
            if val.v.is_true() {
                if with {
                    self.walk_list(&val, &b.list)
                } else {
                    self.walk_list(dot, &b.list)
                }
            } else if let Some(e) = &b.else_list {
                self.walk_list(dot, e)
            } else {
                Ok(Flow::Normal)
            }
        });
        self.vars.truncate(mark);
        r
    }

    fn walk_range(&mut self, dot: &Rv, b: &'t Branch) -> EResult<Flow> {
        let outer = self.vars.len();
        let r = self.walk_range_inner(dot, b);
        self.vars.truncate(outer);
        r.map(|_| Flow::Normal)
    }

    fn one_iteration(&mut self, b: &'t Branch, mark: usize, index: Rv, elem: Rv) -> EResult<bool> {
        let decl = &b.pipe.decl;
        if !decl.is_empty() {
            if b.pipe.is_assign {
                if decl.len() > 1 {
                    self.set_var(&decl[0].name, index.clone())?;
                } else {
                    self.set_var(&decl[0].name, elem.clone())?;
                }
            } else {
                self.set_top_var(1, elem.clone());
            }
        }
        if decl.len() > 1 {
            if b.pipe.is_assign {
                self.set_var(&decl[1].name, elem.clone())?;
            } else {
                self.set_top_var(2, index);
            }
        }
        let r = self.walk_list(&elem, &b.list);
        self.vars.truncate(mark);
        match r? {
            Flow::Break => Ok(false),
            _ => Ok(true),
        }
    }

    fn walk_range_inner(&mut self, dot: &Rv, b: &'t Branch) -> EResult<()> {
        let val = self.eval_pipeline(dot, &b.pipe)?;
        let val = Rv {
            v: as_collection(val.v),
            iface: val.iface,
        };
        let mark = self.vars.len();
        match &val.v {
            Value::List(l) if !l.is_empty() => {
                let iface = l.elem() == ElemTy::Any;
                for (i, item) in l.iter().enumerate() {
                    let elem = Rv {
                        v: item.clone(),
                        iface,
                    };
                    if !self.one_iteration(b, mark, Rv::concrete(Value::int(i as i64)), elem)? {
                        break;
                    }
                }
                return Ok(());
            }
            Value::Bytes(bs) if !bs.is_empty() => {
                for (i, x) in bs.iter().enumerate() {
                    let elem = Rv::concrete(Value::Int(*x as i64, IntTy::Uint8));
                    if !self.one_iteration(b, mark, Rv::concrete(Value::int(i as i64)), elem)? {
                        break;
                    }
                }
                return Ok(());
            }
            Value::Map(m) if !m.is_empty() => {
                let iface = m.elem() == ElemTy::Any;
                // A snapshot: the body may modify the map.
                let entries: Vec<(Value, Value)> =
                    m.with(|t| t.iter().map(|(k, v)| (Value::str(k), v.clone())).collect());
                for (k, v) in entries {
                    if !self.one_iteration(b, mark, Rv::concrete(k), Rv { v, iface })? {
                        break;
                    }
                }
                return Ok(());
            }
            Value::Int(n, t) => {
                if b.pipe.decl.len() > 1 {
                    return Err(self.err(format!(
                        "can't use {} to iterate over more than one variable",
                        gofmt::format_v(&val.v)
                    )));
                }
                if *n > 0 {
                    for i in 0..*n {
                        if !self.one_iteration(
                            b,
                            mark,
                            Rv::invalid(),
                            Rv::concrete(Value::Int(i, *t)),
                        )? {
                            break;
                        }
                    }
                    return Ok(());
                }
            }
            Value::List(_) | Value::Map(_) | Value::Bytes(_) | Value::Nil => {}
            other => {
                return Err(self.err(format!(
                    "range can't iterate over {}",
                    gofmt::format_v(other)
                )));
            }
        }
        if let Some(e) = &b.else_list {
            self.walk_list(dot, e)?;
        }
        Ok(())
    }

    fn walk_template(&mut self, dot: &Rv, t: &'t TemplateNode) -> EResult<()> {
        self.at = At::Tmpl(t);
        let Some(tree) = self.r.layer.lookup(&t.name).cloned() else {
            return Err(self.err(format!("template {} not defined", gofmt::quote(&t.name))));
        };
        if self.r.depth >= self.r.opts.max_depth {
            return Err(self.errk(
                ExecErrorKind::Limit,
                format!(
                    "exceeded maximum template depth ({})",
                    self.r.opts.max_depth
                ),
            ));
        }
        let new_dot = match &t.pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => Rv::invalid(),
        };
        self.r.depth += 1;
        let res = stacker_grow(|| {
            let vars = vec![(self.r.dollar.clone(), new_dot.clone())];
            let mut st = State {
                r: &mut *self.r,
                tree: &tree,
                vars,
                at: At::None,
                out: &mut *self.out,
            };
            st.walk_list(&new_dot, &tree.root).map(|_| ())
        });
        self.r.depth -= 1;
        res
    }

    // ---- pipelines ----

    fn eval_pipeline(&mut self, dot: &Rv, pipe: &'t Pipe) -> EResult<Rv> {
        self.at = At::Pipe(pipe);
        let mut value: Option<Rv> = None;
        for cmd in &pipe.cmds {
            let v = self.eval_command(dot, cmd, value.take())?;
            value = Some(v.unwrap());
        }
        let value = value.unwrap_or_else(Rv::invalid);
        for v in &pipe.decl {
            if pipe.is_assign {
                self.set_var(&v.name, value.clone())?;
            } else {
                self.vars.push((v.name.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &'t [Arg], fin: &Option<Rv>) -> EResult<()> {
        if args.len() > 1 || fin.is_some() {
            return Err(self.err(format!("can't give argument to non-function {}", args[0])));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Rv, cmd: &'t Command, fin: Option<Rv>) -> EResult<Rv> {
        let first = &cmd.args[0];
        match &first.kind {
            ArgKind::Field(ids) => return self.eval_field_node(dot, first, ids, &cmd.args, fin),
            ArgKind::Chain(node, fields) => {
                return self.eval_chain_node(dot, first, node, fields, &cmd.args, fin);
            }
            ArgKind::Identifier(name, f) => {
                return self.eval_function(dot, first, name, f, Some(cmd), &cmd.args, fin);
            }
            ArgKind::Pipe(p) => {
                self.not_a_function(&cmd.args, &fin)?;
                return stacker_grow(|| self.eval_pipeline(dot, p));
            }
            ArgKind::Variable(ids) => {
                return self.eval_variable_node(dot, first, ids, &cmd.args, fin);
            }
            _ => {}
        }
        self.at = At::Arg(first);
        self.not_a_function(&cmd.args, &fin)?;
        match &first.kind {
            ArgKind::Bool(b) => Ok(Rv::concrete(Value::Bool(*b))),
            ArgKind::Dot => Ok(dot.clone()),
            ArgKind::Nil => Err(self.err("nil is not a command".into())),
            ArgKind::Number(n) => self.ideal_constant(first, n).map(Rv::concrete),
            ArgKind::String(_, s) => Ok(Rv::concrete(Value::String(s.clone()))),
            _ => Err(self.err(format!(
                "can't evaluate command {}",
                gofmt::quote(&first.to_string())
            ))),
        }
    }

    fn ideal_constant(&mut self, node: &'t Arg, n: &Number) -> EResult<Value> {
        self.at = At::Arg(node);
        if n.complex {
            return Err(self.err(format!("complex constants are not supported: {}", n.text)));
        }
        let t = &*n.text;
        let is_hex = t.len() > 2 && t.starts_with('0') && matches!(t.as_bytes()[1], b'x' | b'X');
        let is_hex = is_hex
            || ((t.starts_with("-0x")
                || t.starts_with("+0x")
                || t.starts_with("-0X")
                || t.starts_with("+0X"))
                && !t.contains(['p', 'P']));
        let is_hex_int = is_hex && !t.contains(['p', 'P']);
        let is_rune = t.starts_with('\'');
        if let Some(f) = n.float
            && !is_hex_int
            && !is_rune
            && t.contains(['.', 'e', 'E', 'p', 'P'])
        {
            return Ok(Value::Float(f));
        }
        if let Some(i) = n.int {
            return Ok(Value::int(i));
        }
        if n.uint.is_some() {
            return Err(self.err(format!("{t} overflows int")));
        }
        Ok(Value::Nil)
    }

    fn eval_field_node(
        &mut self,
        dot: &Rv,
        node: &'t Arg,
        ids: &'t [Rc<str>],
        args: &'t [Arg],
        fin: Option<Rv>,
    ) -> EResult<Rv> {
        self.at = At::Arg(node);
        self.eval_field_chain(dot, dot.clone(), node, ids, args, fin)
    }

    fn eval_chain_node(
        &mut self,
        dot: &Rv,
        node: &'t Arg,
        inner: &'t Arg,
        fields: &'t [Rc<str>],
        args: &'t [Arg],
        fin: Option<Rv>,
    ) -> EResult<Rv> {
        self.at = At::Arg(node);
        if matches!(inner.kind, ArgKind::Nil) {
            return Err(self.err(format!("indirection through explicit nil in {node}")));
        }
        let pipe = self.eval_arg_untyped(dot, inner)?;
        self.eval_field_chain(dot, pipe, node, fields, args, fin)
    }

    fn eval_variable_node(
        &mut self,
        dot: &Rv,
        node: &'t Arg,
        ids: &'t [Rc<str>],
        args: &'t [Arg],
        fin: Option<Rv>,
    ) -> EResult<Rv> {
        self.at = At::Arg(node);
        let value = self.var_value(&ids[0])?;
        if ids.len() == 1 {
            self.not_a_function(args, &fin)?;
            return Ok(value);
        }
        self.eval_field_chain(dot, value, node, &ids[1..], args, fin)
    }

    fn eval_field_chain(
        &mut self,
        dot: &Rv,
        mut receiver: Rv,
        node: &'t Arg,
        ids: &'t [Rc<str>],
        args: &'t [Arg],
        fin: Option<Rv>,
    ) -> EResult<Rv> {
        let n = ids.len();
        for id in &ids[..n - 1] {
            receiver = self.eval_field(dot, id, node, &[], None, receiver)?;
        }
        self.eval_field(dot, &ids[n - 1], node, args, fin, receiver)
    }

    fn eval_field(
        &mut self,
        dot: &Rv,
        name: &str,
        node: &'t Arg,
        args: &'t [Arg],
        fin: Option<Rv>,
        receiver: Rv,
    ) -> EResult<Rv> {
        if receiver.is_invalid() {
            if self.r.opts.missing_key == MissingKey::Error {
                return Err(self.err(format!("nil data; no entry for key {}", gofmt::quote(name))));
            }
            return Ok(Rv::invalid());
        }
        // The type name is for error messages only: computed when needed.
        let typ = || receiver.type_name();
        let has_args = args.len() > 1 || fin.is_some();
        match &receiver.v {
            Value::Nil => Err(self.err(format!("nil pointer evaluating {}.{name}", typ()))),
            Value::Map(m) => {
                if has_args {
                    return Err(self.err(format!("{name} is not a method but has arguments")));
                }
                match m.get(name) {
                    Some(v) => Ok(Rv {
                        v,
                        iface: m.elem() == ElemTy::Any,
                    }),
                    None => {
                        match self.r.opts.missing_key {
                            MissingKey::Invalid => Ok(Rv::invalid()),
                            MissingKey::Zero => Ok(zero_of_elem(m.elem())),
                            MissingKey::Error => Err(self
                                .err(format!("map has no entry for key {}", gofmt::quote(name)))),
                        }
                    }
                }
            }
            Value::Object(o) => {
                if o.has_method(name) {
                    let o = o.clone();
                    let sig = o.method_signature(name);
                    let argv = self.eval_args(dot, name, sig.as_ref(), args, fin)?;
                    self.at = At::Arg(node);
                    return match o.call_method(name, &argv) {
                        Some(Ok(v)) => Ok(Rv::concrete(v)),
                        Some(Err(msg)) => Err(self.errk(
                            ExecErrorKind::Call {
                                func: name.to_string(),
                                detail: msg.clone(),
                            },
                            format!("error calling {name}: {msg}"),
                        )),
                        None => {
                            Err(self.err(format!("can't evaluate field {name} in type {}", typ())))
                        }
                    };
                }
                match o.field(name) {
                    Some(v) => {
                        if has_args {
                            return Err(self.err(format!(
                                "{name} has arguments but cannot be invoked as function"
                            )));
                        }
                        let iface = v.is_nil();
                        Ok(Rv { v, iface })
                    }
                    None => {
                        // A map-kinded object (Helm's `Files`): the name is a key, as in Go.
                        if o.kind_name() == "map"
                            && let Some(Value::Map(m)) = o.to_value()
                        {
                            let inner = Rv {
                                v: Value::Map(m),
                                iface: false,
                            };
                            return self.eval_field(dot, name, node, args, fin, inner);
                        }
                        Err(self.err(format!("can't evaluate field {name} in type {}", typ())))
                    }
                }
            }
            _ => Err(self.err(format!("can't evaluate field {name} in type {}", typ()))),
        }
    }

    // ---- function calls ----

    #[allow(clippy::too_many_arguments)]
    fn eval_function(
        &mut self,
        dot: &Rv,
        ident: &'t Arg,
        name: &str,
        f: &FuncRef,
        cmd: Option<&'t Command>,
        args: &'t [Arg],
        fin: Option<Rv>,
    ) -> EResult<Rv> {
        self.at = At::Arg(ident);
        match f {
            FuncRef::Builtin(b) => self.call_builtin(dot, *b, name, cmd, ident, args, fin),
            FuncRef::User(func) => {
                let argv = self.eval_args(dot, name, Some(&func.sig), args, fin)?;
                // Go records the call node only when the call fails.
                let at = match cmd {
                    Some(c) => At::Cmd(c),
                    None => At::Arg(ident),
                };
                self.call_user(name, func, &argv, at)
            }
        }
    }

    fn call_user(
        &mut self,
        name: &str,
        func: &Function,
        argv: &[Value],
        at: At<'t>,
    ) -> EResult<Rv> {
        let res = match &func.body {
            FuncBody::Pure(f) => f(argv),
            FuncBody::Ctx(f) => {
                self.r.stash = None;
                let f = f.clone();
                f(&mut *self.r as &mut dyn Context, argv)
            }
        };
        if res.is_err() {
            self.at = at;
        }
        match res {
            Ok(v) => Ok(Rv::concrete(v)),
            Err(FuncError::Call(msg)) => {
                let cause = self
                    .r
                    .stash
                    .take()
                    .filter(|c| c.to_string() == msg || msg.contains(&c.to_string()));
                let mut e = self.errk(
                    ExecErrorKind::Call {
                        func: name.to_string(),
                        detail: msg.clone(),
                    },
                    format!("error calling {name}: {msg}"),
                );
                e.cause = cause.map(Box::new);
                Err(e)
            }
            Err(FuncError::Abort(msg)) => Err(self.errk(
                ExecErrorKind::Abort {
                    func: name.to_string(),
                    detail: msg.clone(),
                },
                format!("error calling {name}: {msg}"),
            )),
        }
    }

    /// Go's argument-count check and per-argument conversion (`evalCall`).
    fn eval_args(
        &mut self,
        dot: &Rv,
        name: &str,
        sig: Option<&Signature>,
        args: &'t [Arg],
        fin: Option<Rv>,
    ) -> EResult<Vec<Value>> {
        let any_sig;
        let sig = match sig {
            Some(s) => s,
            None => {
                any_sig = Signature::variadic(&[], Ty::Any);
                &any_sig
            }
        };
        let args = if args.is_empty() { args } else { &args[1..] };
        let mut num_in = args.len();
        if fin.is_some() {
            num_in += 1;
        }
        let nparams = sig.params.len() + usize::from(sig.variadic.is_some());
        let num_fixed;
        if sig.variadic.is_some() {
            num_fixed = sig.params.len();
            if num_in < num_fixed {
                return Err(self.err(format!(
                    "wrong number of args for {name}: want at least {} got {}",
                    num_fixed,
                    args.len()
                )));
            }
        } else {
            num_fixed = args.len();
            if num_in != nparams {
                return Err(self.err(format!(
                    "wrong number of args for {name}: want {} got {}",
                    nparams, num_in
                )));
            }
        }
        let mut argv = Vec::with_capacity(num_in);
        let mut i = 0;
        while i < num_fixed && i < args.len() {
            let ty = sig.params[i];
            argv.push(self.eval_arg(dot, ty, &args[i])?);
            i += 1;
        }
        if let Some(vt) = sig.variadic {
            while i < args.len() {
                argv.push(self.eval_arg(dot, vt, &args[i])?);
                i += 1;
            }
        }
        if let Some(f) = fin {
            let t = match sig.variadic {
                Some(vt) => {
                    if num_in - 1 < num_fixed {
                        sig.params[num_in - 1]
                    } else {
                        vt
                    }
                }
                None => sig.params[nparams - 1],
            };
            argv.push(self.validate_type(f, t)?);
        }
        Ok(argv)
    }

    /// Go's `validateType` for a dynamic value against a parameter type.
    fn validate_type(&self, v: Rv, ty: Ty) -> EResult<Value> {
        if v.is_invalid() {
            return match ty {
                Ty::Any => Ok(Value::Nil),
                Ty::List => Ok(Value::List(List::new(Vec::new()))),
                Ty::StringList => Ok(Value::List(List::with_elem(Vec::new(), ElemTy::String))),
                Ty::Map => Ok(Value::Map(Map::new())),
                Ty::Bytes => Ok(Value::Bytes(Rc::from(&[][..]))),
                _ => Err(self.err(format!("invalid value; expected {}", ty.go_name()))),
            };
        }
        if ty == Ty::Any {
            return Ok(v.v);
        }
        let ok = match (&v.v, ty) {
            (Value::String(_), Ty::String) => true,
            (Value::Int(_, IntTy::Int), Ty::Int) => true,
            (Value::Int(_, IntTy::Int64), Ty::Int64) => true,
            (Value::Float(_), Ty::Float64) => true,
            (Value::Bool(_), Ty::Bool) => true,
            (Value::List(l), Ty::List) => l.elem() == ElemTy::Any,
            (Value::List(l), Ty::StringList) => l.elem() == ElemTy::String,
            (Value::Map(m), Ty::Map) => m.elem() == ElemTy::Any,
            (Value::Bytes(_), Ty::Bytes) => true,
            _ => false,
        };
        if ok {
            return Ok(v.v);
        }
        // A nil interface is not assignable and cannot be unwrapped: Go reports its static type.
        let got = if v.v.is_nil() {
            "interface {}".to_string()
        } else {
            v.v.go_type()
        };
        Err(self.err(format!(
            "wrong type for value; expected {}; got {}",
            ty.go_name(),
            got
        )))
    }

    /// Go's `evalArg`.
    fn eval_arg(&mut self, dot: &Rv, ty: Ty, n: &'t Arg) -> EResult<Value> {
        self.at = At::Arg(n);
        match &n.kind {
            ArgKind::Dot => return self.validate_type(dot.clone(), ty),
            ArgKind::Nil => {
                return match ty {
                    Ty::Any => Ok(Value::Nil),
                    Ty::List | Ty::StringList | Ty::Map | Ty::Bytes => {
                        self.validate_type(Rv::invalid(), ty)
                    }
                    _ => Err(self.err(format!("cannot assign nil to {}", ty.go_name()))),
                };
            }
            ArgKind::Field(ids) => {
                let v = self.eval_field_node(dot, n, ids, std::slice::from_ref(n), None)?;
                return self.validate_type(v, ty);
            }
            ArgKind::Variable(ids) => {
                let v = self.eval_variable_node(dot, n, ids, &[], None)?;
                return self.validate_type(v, ty);
            }
            ArgKind::Pipe(p) => {
                let v = stacker_grow(|| self.eval_pipeline(dot, p))?;
                return self.validate_type(v, ty);
            }
            ArgKind::Identifier(name, f) => {
                let v = self.eval_function(dot, n, name, f, None, &[], None)?;
                return self.validate_type(v, ty);
            }
            ArgKind::Chain(inner, fields) => {
                let v = self.eval_chain_node(dot, n, inner, fields, &[], None)?;
                return self.validate_type(v, ty);
            }
            _ => {}
        }
        match ty {
            Ty::Bool => match &n.kind {
                ArgKind::Bool(b) => Ok(Value::Bool(*b)),
                _ => Err(self.err(format!("expected bool; found {n}"))),
            },
            Ty::Float64 => match &n.kind {
                ArgKind::Number(num) if num.float.is_some() && !num.complex => {
                    Ok(Value::Float(num.float.unwrap_or(0.0)))
                }
                _ => Err(self.err(format!("expected float; found {n}"))),
            },
            Ty::Int | Ty::Int64 => match &n.kind {
                ArgKind::Number(num) if num.int.is_some() && !num.complex => {
                    let t = if ty == Ty::Int {
                        IntTy::Int
                    } else {
                        IntTy::Int64
                    };
                    Ok(Value::Int(num.int.unwrap_or(0), t))
                }
                _ => Err(self.err(format!("expected integer; found {n}"))),
            },
            Ty::String => match &n.kind {
                ArgKind::String(_, s) => Ok(Value::String(s.clone())),
                _ => Err(self.err(format!("expected string; found {n}"))),
            },
            Ty::Any => self.eval_empty_interface(dot, n),
            _ => Err(self.err(format!("can't handle {n} for arg of type {}", ty.go_name()))),
        }
    }

    fn eval_empty_interface(&mut self, dot: &Rv, n: &'t Arg) -> EResult<Value> {
        match &n.kind {
            ArgKind::Bool(b) => Ok(Value::Bool(*b)),
            ArgKind::Number(num) => self.ideal_constant(n, num),
            ArgKind::String(_, s) => Ok(Value::String(s.clone())),
            _ => self.eval_arg_untyped(dot, n).map(|r| r.v),
        }
    }

    /// `evalArg(dot, nil, n)`: no conversion; keeps the interface bit for chains.
    fn eval_arg_untyped(&mut self, dot: &Rv, n: &'t Arg) -> EResult<Rv> {
        self.at = At::Arg(n);
        match &n.kind {
            ArgKind::Dot => Ok(dot.clone()),
            ArgKind::Nil => Err(self.err("cannot assign nil to <nil>".into())),
            ArgKind::Field(ids) => self.eval_field_node(dot, n, ids, std::slice::from_ref(n), None),
            ArgKind::Variable(ids) => self.eval_variable_node(dot, n, ids, &[], None),
            ArgKind::Pipe(p) => stacker_grow(|| self.eval_pipeline(dot, p)),
            ArgKind::Identifier(name, f) => self.eval_function(dot, n, name, f, None, &[], None),
            ArgKind::Chain(inner, fields) => self.eval_chain_node(dot, n, inner, fields, &[], None),
            ArgKind::Bool(b) => Ok(Rv::concrete(Value::Bool(*b))),
            ArgKind::Number(num) => self.ideal_constant(n, num).map(Rv::concrete),
            ArgKind::String(_, s) => Ok(Rv::concrete(Value::String(s.clone()))),
        }
    }

    /// Evaluates an argument for a `reflect.Value` parameter (Go's builtins).
    fn eval_reflect_arg(&mut self, dot: &Rv, n: &'t Arg) -> EResult<Rv> {
        self.at = At::Arg(n);
        match &n.kind {
            // An untyped nil reaches the builtin as an invalid value.
            ArgKind::Nil => Ok(Rv::invalid()),
            ArgKind::Bool(_) | ArgKind::Number(_) | ArgKind::String(..) => {
                let v = self.eval_empty_interface(dot, n)?;
                Ok(Rv::concrete(v))
            }
            _ => {
                let v = self.eval_arg_untyped(dot, n)?;
                self.check_reflect(v)
            }
        }
    }

    fn check_reflect(&self, v: Rv) -> EResult<Rv> {
        // Go hands an invalid `reflect.Value` to the builtin unchanged.
        Ok(v)
    }

    // ---- builtins ----

    #[allow(clippy::too_many_arguments)]
    fn call_builtin(
        &mut self,
        dot: &Rv,
        b: Builtin,
        name: &str,
        cmd: Option<&'t Command>,
        ident: &'t Arg,
        args: &'t [Arg],
        fin: Option<Rv>,
    ) -> EResult<Rv> {
        let args = if args.is_empty() { args } else { &args[1..] };
        let num_in = args.len() + usize::from(fin.is_some());
        // (fixed params, variadic)
        let (nfixed, variadic): (usize, bool) = match b {
            Builtin::And | Builtin::Or => (1, true),
            Builtin::Call => (1, true),
            Builtin::Html | Builtin::Js | Builtin::Urlquery | Builtin::Print | Builtin::Println => {
                (0, true)
            }
            Builtin::Printf => (1, true),
            Builtin::Index | Builtin::Slice => (1, true),
            Builtin::Len | Builtin::Not => (1, false),
            Builtin::Eq => (1, true),
            Builtin::Ge | Builtin::Gt | Builtin::Le | Builtin::Lt | Builtin::Ne => (2, false),
        };
        if variadic {
            if num_in < nfixed {
                return Err(self.err(format!(
                    "wrong number of args for {name}: want at least {nfixed} got {}",
                    args.len()
                )));
            }
        } else if num_in != nfixed {
            return Err(self.err(format!(
                "wrong number of args for {name}: want {nfixed} got {num_in}"
            )));
        }
        let call_at = |s: &mut Self| {
            s.at = match cmd {
                Some(c) => At::Cmd(c),
                None => At::Arg(ident),
            }
        };
        // and/or short-circuit
        if matches!(b, Builtin::And | Builtin::Or) {
            let want = b == Builtin::Or;
            let mut v = Rv::invalid();
            for a in args {
                v = self.eval_reflect_arg(dot, a)?;
                if v.v.is_true() == want {
                    return Ok(v);
                }
            }
            if let Some(f) = fin {
                v = self.check_reflect(f)?;
            }
            return Ok(v);
        }
        // Evaluate arguments by parameter type.
        let mut argv: Vec<Rv> = Vec::with_capacity(num_in);
        let printf = b == Builtin::Printf;
        for (k, a) in args.iter().enumerate() {
            let v = match b {
                Builtin::Html
                | Builtin::Js
                | Builtin::Urlquery
                | Builtin::Print
                | Builtin::Println => Rv::concrete(self.eval_arg(dot, Ty::Any, a)?),
                Builtin::Printf if k == 0 => Rv::concrete(self.eval_arg(dot, Ty::String, a)?),
                Builtin::Printf => Rv::concrete(self.eval_arg(dot, Ty::Any, a)?),
                _ => self.eval_reflect_arg(dot, a)?,
            };
            argv.push(v);
        }
        if let Some(f) = fin {
            let v = match b {
                Builtin::Html
                | Builtin::Js
                | Builtin::Urlquery
                | Builtin::Print
                | Builtin::Println => Rv::concrete(self.validate_type(f, Ty::Any)?),
                Builtin::Printf if argv.is_empty() => {
                    Rv::concrete(self.validate_type(f, Ty::String)?)
                }
                Builtin::Printf => Rv::concrete(self.validate_type(f, Ty::Any)?),
                _ => self.check_reflect(f)?,
            };
            argv.push(v);
        }
        let _ = printf;
        let res: Result<Rv, String> = match b {
            Builtin::Print => Ok(Rv::concrete(Value::from(gofmt::sprint(&vals(&argv))))),
            Builtin::Println => Ok(Rv::concrete(Value::from(gofmt::sprintln(&vals(&argv))))),
            Builtin::Printf => {
                let fmt = argv[0].v.as_str().unwrap_or("").to_string();
                Ok(Rv::concrete(Value::from(gofmt::sprintf(
                    &fmt,
                    &vals(&argv[1..]),
                ))))
            }
            Builtin::Html => Ok(Rv::concrete(Value::from(html_escape(&eval_args(&argv))))),
            Builtin::Js => Ok(Rv::concrete(Value::from(js_escape(&eval_args(&argv))))),
            Builtin::Urlquery => Ok(Rv::concrete(Value::from(query_escape(&eval_args(&argv))))),
            Builtin::Not => Ok(Rv::concrete(Value::Bool(!argv[0].v.is_true()))),
            Builtin::Len => length(&argv[0]).map(|n| Rv::concrete(Value::int(n))),
            Builtin::Index => index(&argv[0], &argv[1..]),
            Builtin::Slice => slice(&argv[0], &argv[1..]),
            Builtin::Call => {
                // Go names the callee by its node, or by the piped value's String().
                let callee = match args.first() {
                    Some(a) => a.to_string(),
                    None => match &argv[0].v {
                        Value::String(s) => s.to_string(),
                        Value::Nil => "<invalid Value>".to_string(),
                        other => format!("<{} Value>", other.go_type()),
                    },
                };
                if argv[0].v.is_nil() {
                    Err("call of nil".to_string())
                } else {
                    Err(format!(
                        "non-function {callee} of type {}",
                        argv[0].v.go_type()
                    ))
                }
            }
            Builtin::Eq => eq(&argv[0].v, &argv[1..]).map(|b| Rv::concrete(Value::Bool(b))),
            Builtin::Ne => eq(&argv[0].v, &argv[1..2]).map(|b| Rv::concrete(Value::Bool(!b))),
            Builtin::Lt => lt(&argv[0].v, &argv[1].v).map(|b| Rv::concrete(Value::Bool(b))),
            Builtin::Le => le(&argv[0].v, &argv[1].v).map(|b| Rv::concrete(Value::Bool(b))),
            Builtin::Gt => le(&argv[0].v, &argv[1].v).map(|b| Rv::concrete(Value::Bool(!b))),
            Builtin::Ge => lt(&argv[0].v, &argv[1].v).map(|b| Rv::concrete(Value::Bool(!b))),
            Builtin::And | Builtin::Or => unreachable_and_or(),
        };
        res.map_err(|msg| {
            call_at(self);
            self.errk(
                ExecErrorKind::Call {
                    func: name.to_string(),
                    detail: msg.clone(),
                },
                format!("error calling {name}: {msg}"),
            )
        })
    }
}

fn unreachable_and_or() -> Result<Rv, String> {
    Err("internal error: and/or".into())
}

fn tmpl_string(t: &TemplateNode) -> String {
    match &t.pipe {
        None => format!("{{{{template {}}}}}", gofmt::quote(&t.name)),
        Some(p) => format!("{{{{template {} {}}}}}", gofmt::quote(&t.name), p),
    }
}

fn vals(a: &[Rv]) -> Vec<Value> {
    a.iter().map(|r| r.v.clone()).collect()
}

fn zero_of_elem(e: ElemTy) -> Rv {
    match e {
        ElemTy::Any => Rv {
            v: Value::Nil,
            iface: true,
        },
        ElemTy::String => Rv::concrete(Value::str("")),
        ElemTy::Int => Rv::concrete(Value::int(0)),
    }
}

/// Go's `evalArgs` for html/js/urlquery: a lone string as is, else `fmt.Sprint` with
/// missing values printed as `<no value>`.
fn eval_args(args: &[Rv]) -> String {
    if args.len() == 1
        && let Value::String(s) = &args[0].v
    {
        return s.to_string();
    }
    let mut out = String::new();
    let mut prev_string = false;
    for (i, a) in args.iter().enumerate() {
        let (is_string, text) = match &a.v {
            Value::Nil => (true, "<no value>".to_string()),
            Value::String(s) => (true, s.to_string()),
            v => (false, gofmt::format_v(v)),
        };
        if i > 0 && !is_string && !prev_string {
            out.push(' ');
        }
        out.push_str(&text);
        prev_string = is_string;
    }
    out
}

/// Go's `template.HTMLEscapeString`.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Go's `template.JSEscapeString`.
pub fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c if (c as u32) >= 0x80 && !gofmt::is_print(c) => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// Go's `url.QueryEscape`.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{:02X}", b)),
        }
    }
    out
}

/// A map- or slice-kinded [`crate::Object`] (e.g. Helm's `Files`) seen as its collection value,
/// for `range`, `len`, `index` and `slice`.
fn as_collection(v: Value) -> Value {
    if let Value::Object(o) = &v
        && matches!(o.kind_name(), "map" | "slice")
        && let Some(inner) = o.to_value()
    {
        return inner;
    }
    v
}

fn length(v: &Rv) -> Result<i64, String> {
    let v = &Rv {
        v: as_collection(v.v.clone()),
        iface: v.iface,
    };
    if v.is_invalid() {
        return Err("reflect: call of reflect.Value.Type on zero Value".into());
    }
    match &v.v {
        Value::Nil => Err("len of nil pointer".into()),
        Value::String(s) => Ok(s.len() as i64),
        Value::Bytes(b) => Ok(b.len() as i64),
        Value::List(l) => Ok(l.len() as i64),
        Value::Map(m) => Ok(m.len() as i64),
        other => Err(format!("len of type {}", other.go_type())),
    }
}

fn index_arg(index: &Value, cap: usize) -> Result<usize, String> {
    let x: i64 = match index {
        Value::Int(i, _) => *i,
        Value::Nil => return Err("cannot index slice/array with nil".into()),
        other => {
            return Err(format!(
                "cannot index slice/array with type {}",
                other.go_type()
            ));
        }
    };
    if x < 0 || x as u64 > cap as u64 {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

fn index(item: &Rv, indexes: &[Rv]) -> Result<Rv, String> {
    let item = &Rv {
        v: as_collection(item.v.clone()),
        iface: item.iface,
    };
    if item.v.is_nil() {
        return Err("index of untyped nil".into());
    }
    let mut cur = item.clone();
    for ix in indexes {
        let next = match &cur.v {
            Value::Nil => return Err("index of nil pointer".into()),
            Value::List(l) => {
                let x = index_arg(&ix.v, l.len())?;
                match l.get(x) {
                    Some(v) => Rv {
                        v: v.clone(),
                        iface: l.elem() == ElemTy::Any,
                    },
                    None => return Err("reflect: slice index out of range".into()),
                }
            }
            Value::String(s) => {
                let x = index_arg(&ix.v, s.len())?;
                match s.as_bytes().get(x) {
                    Some(b) => Rv::concrete(Value::Int(*b as i64, IntTy::Uint8)),
                    None => return Err("reflect: string index out of range".into()),
                }
            }
            Value::Bytes(bs) => {
                let x = index_arg(&ix.v, bs.len())?;
                match bs.get(x) {
                    Some(b) => Rv::concrete(Value::Int(*b as i64, IntTy::Uint8)),
                    None => return Err("reflect: slice index out of range".into()),
                }
            }
            Value::Map(m) => {
                let key = match &ix.v {
                    Value::String(s) => s.clone(),
                    Value::Nil => return Err("value is nil; should be of type string".into()),
                    other => {
                        return Err(format!(
                            "value has type {}; should be string",
                            other.go_type()
                        ));
                    }
                };
                match m.get(&key) {
                    Some(v) => Rv {
                        v,
                        iface: m.elem() == ElemTy::Any,
                    },
                    None => zero_of_elem(m.elem()),
                }
            }
            other => return Err(format!("can't index item of type {}", other.go_type())),
        };
        cur = next;
    }
    Ok(cur)
}

fn slice(item: &Rv, indexes: &[Rv]) -> Result<Rv, String> {
    let item = &Rv {
        v: as_collection(item.v.clone()),
        iface: item.iface,
    };
    if item.v.is_nil() {
        return Err("slice of untyped nil".into());
    }
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()));
    }
    let len = match &item.v {
        Value::String(s) => {
            if indexes.len() == 3 {
                return Err("cannot 3-index slice a string".into());
            }
            s.len()
        }
        Value::List(l) => l.len(),
        Value::Bytes(b) => b.len(),
        other => return Err(format!("can't slice item of type {}", other.go_type())),
    };
    let mut idx = [0usize, len, len];
    for (i, ix) in indexes.iter().enumerate() {
        // Unlike `index`, Go's `slice` does not unwrap interface values.
        if ix.iface {
            return Err("cannot index slice/array with type interface {}".into());
        }
        idx[i] = index_arg(&ix.v, len)?;
    }
    if idx[0] > idx[1] {
        return Err(format!("invalid slice index: {} > {}", idx[0], idx[1]));
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return Err(format!("invalid slice index: {} > {}", idx[1], idx[2]));
    }
    let (a, b) = (idx[0], idx[1]);
    Ok(Rv::concrete(match &item.v {
        Value::String(s) => match s.get(a..b) {
            Some(t) => Value::str(t),
            None => Value::from(String::from_utf8_lossy(&s.as_bytes()[a..b]).into_owned()),
        },
        Value::List(l) => Value::List(List::with_elem(l[a..b].to_vec(), l.elem())),
        Value::Bytes(bs) => Value::Bytes(Rc::from(&bs[a..b])),
        _ => Value::Nil,
    }))
}

const BAD_COMPARISON: &str = "incompatible types for comparison";
const BAD_COMPARISON_TYPE: &str = "invalid type for comparison";
const NO_COMPARISON: &str = "missing argument for comparison";

fn bad_comparison(a: &Value, b: &Value) -> String {
    format!("{BAD_COMPARISON}: {} and {}", a.go_type(), b.go_type())
}

/// Whether Go's `==` is defined on the dynamic type (slices and maps are not comparable).
fn comparable(v: &Value) -> bool {
    !matches!(v, Value::List(_) | Value::Map(_) | Value::Bytes(_))
}

fn eq(a1: &Value, rest: &[Rv]) -> Result<bool, String> {
    if rest.is_empty() {
        return Err(NO_COMPARISON.into());
    }
    let k1 = basic_kind(a1);
    for a in rest {
        let a = &a.v;
        let k2 = basic_kind(a);
        let truth = if k1 != k2 {
            match (a1, a) {
                (Value::Int(x, tx), Value::Int(y, ty)) if tx.is_unsigned() != ty.is_unsigned() => {
                    x == y && *x >= 0 && *y >= 0
                }
                _ => {
                    if !a1.is_nil() && !a.is_nil() {
                        return Err(bad_comparison(a1, a));
                    }
                    false
                }
            }
        } else {
            match (a1, a) {
                (Value::Bool(x), Value::Bool(y)) => x == y,
                (Value::Float(x), Value::Float(y)) => x == y,
                (Value::Int(x, _), Value::Int(y, _)) => x == y,
                (Value::String(x), Value::String(y)) => x == y,
                (Value::Nil, Value::Nil) => true,
                _ => {
                    if a1.go_kind() != a.go_kind() {
                        return Err(format!(
                            "non-comparable types {}: {}, {}: {}",
                            gofmt::sprintf("%s", std::slice::from_ref(a1)),
                            a1.go_type(),
                            a.go_type(),
                            gofmt::format_v(a)
                        ));
                    }
                    if !comparable(a) {
                        return Err(format!(
                            "non-comparable type {}: {}",
                            gofmt::sprintf("%s", std::slice::from_ref(a)),
                            a.go_type()
                        ));
                    }
                    match (a1, a) {
                        (Value::Object(x), Value::Object(y)) => Rc::ptr_eq(x, y),
                        _ => false,
                    }
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn lt(a1: &Value, a2: &Value) -> Result<bool, String> {
    let k1 = basic_kind(a1);
    if matches!(k1, Kind::Invalid | Kind::Other) {
        return Err(BAD_COMPARISON_TYPE.into());
    }
    let k2 = basic_kind(a2);
    if matches!(k2, Kind::Invalid | Kind::Other) {
        return Err(BAD_COMPARISON_TYPE.into());
    }
    if k1 != k2 {
        return match (a1, a2) {
            (Value::Int(x, _), Value::Int(y, _)) if k1 == Kind::Int && k2 == Kind::Uint => {
                Ok(*x < 0 || (*x as u64) < (*y as u64))
            }
            (Value::Int(x, _), Value::Int(y, _)) if k1 == Kind::Uint && k2 == Kind::Int => {
                Ok(*y >= 0 && (*x as u64) < (*y as u64))
            }
            _ => Err(bad_comparison(a1, a2)),
        };
    }
    match (a1, a2) {
        (Value::Bool(_), _) => Err(BAD_COMPARISON_TYPE.into()),
        (Value::Float(x), Value::Float(y)) => Ok(x < y),
        (Value::Int(x, t), Value::Int(y, _)) => Ok(if t.is_unsigned() {
            (*x as u64) < (*y as u64)
        } else {
            x < y
        }),
        (Value::String(x), Value::String(y)) => Ok(x < y),
        _ => Err(BAD_COMPARISON_TYPE.into()),
    }
}

fn le(a1: &Value, a2: &Value) -> Result<bool, String> {
    if lt(a1, a2)? {
        return Ok(true);
    }
    eq(a1, &[Rv::concrete(a2.clone())])
}
