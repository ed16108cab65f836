//! The syntax tree (Go's `text/template/parse/node.go`).
//!
//! Every node keeps `pos`, the byte offset Go reports for it (for a field chain such as
//! `.Values.a.b` that is the offset of `.a`, as in Go), and where useful a `span` covering its
//! source text. `Display` re-prints a node as Go's `Node.String()` does; exec errors quote it in
//! `at <...>`.

use std::fmt::{self, Write};
use std::rc::Rc;

use crate::func::Function;

/// A byte range in the template source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    /// Start offset.
    pub start: u32,
    /// End offset (exclusive).
    pub end: u32,
}

/// A piece of template text: a range of the source text it was parsed from (shared, so a
/// text node costs no copy).
#[derive(Clone)]
pub struct Text {
    src: Rc<str>,
    start: u32,
    end: u32,
}

impl Text {
    /// The text `src[start..end]`.
    ///
    /// # Panics
    /// If the range is out of bounds or not on character boundaries.
    pub fn new(src: Rc<str>, start: usize, end: usize) -> Text {
        assert!(src.get(start..end).is_some(), "text range out of bounds");
        Text {
            src,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The text as a string slice.
    pub fn as_str(&self) -> &str {
        &self.src[self.start as usize..self.end as usize]
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::new(Rc::from(s), 0, s.len())
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A list of nodes.
#[derive(Debug, Default)]
pub struct ListNode {
    /// The nodes.
    pub nodes: Vec<Node>,
}

/// A statement-level node.
#[derive(Debug)]
pub enum Node {
    /// Plain text.
    Text(Text),
    /// `{{pipeline}}`
    Action(Pipe),
    /// `{{/* */}}` (only when comments are kept)
    Comment(Text),
    /// `{{if}}`
    If(Box<Branch>),
    /// `{{range}}`
    Range(Box<Branch>),
    /// `{{with}}`
    With(Box<Branch>),
    /// `{{template "name" pipeline}}` (also what a `block` leaves in place)
    Template(Box<TemplateNode>),
    /// `{{break}}`
    Break(u32),
    /// `{{continue}}`
    Continue(u32),
}

/// `if`, `range` and `with`.
#[derive(Debug)]
pub struct Branch {
    /// The condition / range / with pipeline.
    pub pipe: Pipe,
    /// Body.
    pub list: ListNode,
    /// `else` body (for `else if`, a list holding one nested `If`).
    pub else_list: Option<ListNode>,
}

/// `{{template "name" pipe}}`
#[derive(Debug)]
pub struct TemplateNode {
    /// Position of the name token.
    pub pos: u32,
    /// Template name.
    pub name: Rc<str>,
    /// Argument pipeline.
    pub pipe: Option<Pipe>,
}

/// A pipeline with optional declarations: `$x := a | b`.
#[derive(Debug)]
pub struct Pipe {
    /// Position Go reports.
    pub pos: u32,
    /// Source span.
    pub span: Span,
    /// `=` rather than `:=`.
    pub is_assign: bool,
    /// Declared or assigned variables (names include the `$`).
    pub decl: Vec<VarDecl>,
    /// Commands.
    pub cmds: Vec<Command>,
}

/// A declared variable.
#[derive(Debug)]
pub struct VarDecl {
    /// Position.
    pub pos: u32,
    /// Name with `$`.
    pub name: Rc<str>,
}

/// One pipeline stage: operands separated by spaces.
#[derive(Debug)]
pub struct Command {
    /// Position Go reports (first token).
    pub pos: u32,
    /// Source span.
    pub span: Span,
    /// Operands; the first may be a function.
    pub args: Vec<Arg>,
}

/// An operand.
#[derive(Debug)]
pub struct Arg {
    /// Position Go reports.
    pub pos: u32,
    /// Source span.
    pub span: Span,
    /// What it is.
    pub kind: ArgKind,
}

/// A resolved function reference.
#[derive(Clone, Debug)]
pub enum FuncRef {
    /// One of the engine's builtins.
    Builtin(Builtin),
    /// A function from the set's [`crate::FuncMap`].
    User(Rc<Function>),
}

/// Go's builtin template functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Builtin {
    And,
    Call,
    Html,
    Index,
    Slice,
    Js,
    Len,
    Not,
    Or,
    Print,
    Printf,
    Println,
    Urlquery,
    Eq,
    Ge,
    Gt,
    Le,
    Lt,
    Ne,
}

impl Builtin {
    /// Looks a builtin up by name.
    pub fn from_name(name: &str) -> Option<Builtin> {
        Some(match name {
            "and" => Builtin::And,
            "call" => Builtin::Call,
            "html" => Builtin::Html,
            "index" => Builtin::Index,
            "slice" => Builtin::Slice,
            "js" => Builtin::Js,
            "len" => Builtin::Len,
            "not" => Builtin::Not,
            "or" => Builtin::Or,
            "print" => Builtin::Print,
            "printf" => Builtin::Printf,
            "println" => Builtin::Println,
            "urlquery" => Builtin::Urlquery,
            "eq" => Builtin::Eq,
            "ge" => Builtin::Ge,
            "gt" => Builtin::Gt,
            "le" => Builtin::Le,
            "lt" => Builtin::Lt,
            "ne" => Builtin::Ne,
            _ => return None,
        })
    }
}

/// A number literal with Go's classification.
#[derive(Debug, Clone)]
pub struct Number {
    /// Source text.
    pub text: Rc<str>,
    /// Fits an `int64`.
    pub int: Option<i64>,
    /// Fits a `uint64`.
    pub uint: Option<u64>,
    /// Representable as `float64`.
    pub float: Option<f64>,
    /// An imaginary literal (`1i`); complex numbers are not supported at run time.
    pub complex: bool,
}

/// Operand kinds.
#[derive(Debug)]
pub enum ArgKind {
    /// `.A.B` (the names, shared by all equal chains of one text)
    Field(Rc<[Rc<str>]>),
    /// `(pipe).A.B`, `$x` never (see `Variable`).
    Chain(Box<Arg>, Rc<[Rc<str>]>),
    /// A function name.
    Identifier(Rc<str>, FuncRef),
    /// `$x.A.B` (first element is the variable name with `$`).
    Variable(Rc<[Rc<str>]>),
    /// `.`
    Dot,
    /// `nil`
    Nil,
    /// `true` / `false`
    Bool(bool),
    /// A number.
    Number(Box<Number>),
    /// A string literal: quoted source form and value.
    String(Rc<str>, Rc<str>),
    /// `( pipeline )`
    Pipe(Box<Pipe>),
}

impl fmt::Display for ListNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for n in &self.nodes {
            write!(f, "{n}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Text(t) => f.write_str(t),
            Node::Comment(t) => write!(f, "{{{{{t}}}}}"),
            Node::Action(p) => write!(f, "{{{{{p}}}}}"),
            Node::If(b) => write_branch(f, "if", b),
            Node::Range(b) => write_branch(f, "range", b),
            Node::With(b) => write_branch(f, "with", b),
            Node::Template(t) => match &t.pipe {
                None => write!(f, "{{{{template {}}}}}", crate::gofmt::quote(&t.name)),
                Some(p) => write!(f, "{{{{template {} {}}}}}", crate::gofmt::quote(&t.name), p),
            },
            Node::Break(_) => f.write_str("{{break}}"),
            Node::Continue(_) => f.write_str("{{continue}}"),
        }
    }
}

fn write_branch(f: &mut fmt::Formatter<'_>, kw: &str, b: &Branch) -> fmt::Result {
    write!(f, "{{{{{kw} {}}}}}{}", b.pipe, b.list)?;
    if let Some(e) = &b.else_list {
        write!(f, "{{{{else}}}}{e}")?;
    }
    f.write_str("{{end}}")
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            for (i, v) in self.decl.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(&v.name)?;
            }
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_char(' ')?;
            }
            if let ArgKind::Pipe(p) = &a.kind {
                write!(f, "({p})")?;
            } else {
                write!(f, "{a}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ArgKind::Field(ids) => {
                for id in ids.iter() {
                    write!(f, ".{id}")?;
                }
                Ok(())
            }
            ArgKind::Chain(node, fields) => {
                if let ArgKind::Pipe(p) = &node.kind {
                    write!(f, "({p})")?;
                } else {
                    write!(f, "{node}")?;
                }
                for id in fields.iter() {
                    write!(f, ".{id}")?;
                }
                Ok(())
            }
            ArgKind::Identifier(n, _) => f.write_str(n),
            ArgKind::Variable(ids) => {
                for (i, id) in ids.iter().enumerate() {
                    if i > 0 {
                        f.write_char('.')?;
                    }
                    f.write_str(id)?;
                }
                Ok(())
            }
            ArgKind::Dot => f.write_char('.'),
            ArgKind::Nil => f.write_str("nil"),
            ArgKind::Bool(b) => write!(f, "{b}"),
            ArgKind::Number(n) => f.write_str(&n.text),
            ArgKind::String(q, _) => f.write_str(q),
            ArgKind::Pipe(p) => write!(f, "{p}"),
        }
    }
}

/// Go's `parse.IsEmptyTree`: only whitespace text and comments.
pub fn is_empty_tree(list: &ListNode) -> bool {
    list.nodes.iter().all(|n| match n {
        Node::Text(t) => t.trim_matches(|c: char| c.is_whitespace()).is_empty(),
        Node::Comment(_) => true,
        _ => false,
    })
}

#[cfg(test)]
mod size_tests {
    use super::*;

    /// Node sizes drive the memory (and page faults) of parsing large charts: large, rare
    /// variants are boxed.
    #[test]
    fn nodes_stay_small() {
        assert!(std::mem::size_of::<Node>() <= 64);
        assert!(std::mem::size_of::<Arg>() <= 56);
        assert!(std::mem::size_of::<Command>() <= 40);
        assert!(std::mem::size_of::<crate::lex::Item>() <= 12);
    }
}
