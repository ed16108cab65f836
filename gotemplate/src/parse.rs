//! The parser: Go's `text/template/parse/parse.go`, one function per production.
//!
//! `parse` turns one source text into its trees: the top-level tree named after the text and one
//! tree per `define`/`block`. Function names are resolved against the function table here, so an
//! unknown function is a parse error, as in Go. Nesting of parenthesised pipelines and control
//! structures is limited (Go's `maxStackDepth`) and the recursion runs on a growable stack, so
//! hostile input yields an error, not a stack overflow.

use std::collections::HashMap;
use std::rc::Rc;

use crate::ast::*;
use crate::error::ParseError;
use crate::func::FuncMap;
use crate::lex::{LexOptions, Lexed, Tok, lex_into};

/// Limit on nesting of parenthesised expressions and control structures together
/// (`max expression depth exceeded`). Go allows 10000 nested parentheses and does not limit
/// control structures; we stop at 1000 so that dropping and printing trees stays well within a
/// thread's stack. Real templates nest a few levels.
pub const MAX_STACK_DEPTH: usize = 1000;

/// A parsed tree: a `define`d template or the top level of a text.
#[derive(Debug)]
pub struct Tree {
    /// Template name.
    pub name: Rc<str>,
    /// Name of the text it was parsed from (Go's `ParseName`), used in error locations.
    pub parse_name: Rc<str>,
    /// The full source text (shared by all trees of one text).
    pub text: Rc<str>,
    /// Body.
    pub root: ListNode,
}

impl Tree {
    /// 1-based line and 0-based byte column of a byte offset, as Go's `ErrorContext` computes.
    pub fn line_col(&self, pos: u32) -> (usize, usize) {
        line_col(&self.text, pos as usize)
    }
}

/// 1-based line and 0-based byte column of byte offset `pos` in `text` (Go's `ErrorContext`).
pub fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let pos = pos.min(text.len());
    let before = &text.as_bytes()[..pos];
    let line = 1 + before.iter().filter(|b| **b == b'\n').count();
    let col = match before.iter().rposition(|b| *b == b'\n') {
        Some(nl) => pos - nl - 1,
        None => pos,
    };
    (line, col)
}

/// Parses `text` (named `name`) into its trees: first the top-level tree, then every
/// `define`/`block` in source order (a later definition of the same name in the same text
/// replaces an empty earlier one; two non-empty ones are an error, as in Go).
pub fn parse(name: &str, text: &str, funcs: &FuncMap) -> Result<Vec<Tree>, ParseError> {
    parse_shared(name, Rc::from(text), funcs)
}

/// [`parse`] of a text the caller already holds shared: the trees keep `text` itself rather
/// than a copy.
pub fn parse_shared(
    name: &str,
    text_rc: Rc<str>,
    funcs: &FuncMap,
) -> Result<Vec<Tree>, ParseError> {
    let text: &str = &text_rc;
    let parse_name: Rc<str> = Rc::from(name);
    let opts = LexOptions {
        emit_comment: false,
        break_ok: !funcs.contains("break"),
        continue_ok: !funcs.contains("continue"),
    };
    let mut lexed = LEX_BUF.with(|b| b.take());
    lex_into(text, opts, &mut lexed);
    let mut p = Parser {
        items: lexed,
        i: 0,
        max_pulled: 0,
        text,
        parse_name: parse_name.clone(),
        funcs,
        vars: vec![Rc::from("$")],
        range_depth: 0,
        stack_depth: 0,
        action_line: 0,
        defs: Vec::new(),
        src: text_rc.clone(),
        shared: SHARED.with(|s| s.take()),
        idents: HashMap::default(),
        node_stack: Vec::new(),
        cmd_stack: Vec::new(),
        arg_stack: Vec::new(),
    };
    let root = stacker_grow(|| p.parse_top());
    let lexed = std::mem::take(&mut p.items);
    LEX_BUF.with(|b| b.replace(lexed));
    let mut shared = std::mem::take(&mut p.shared);
    if shared.len() > Shared::MAX_ENTRIES {
        shared = Shared::default();
    }
    SHARED.with(|s| s.replace(shared));
    let root = root?;
    let mut trees = vec![Tree {
        name: parse_name.clone(),
        parse_name: parse_name.clone(),
        text: text_rc.clone(),
        root,
    }];
    for (n, root) in p.defs {
        trees.push(Tree {
            name: n,
            parse_name: parse_name.clone(),
            text: text_rc.clone(),
            root,
        });
    }
    Ok(trees)
}

thread_local! {
    /// The token buffer, reused from one parse to the next.
    static LEX_BUF: std::cell::Cell<Lexed> = std::cell::Cell::new(Lexed::default());
    /// Names, chains and string literals shared by all texts parsed on this thread (a chart's
    /// templates repeat `.Values`, `include` names and the like).
    static SHARED: std::cell::Cell<Shared> = std::cell::Cell::new(Shared::default());
}

/// Interned names, field chains and string literals, keyed by the FxHash of their source text
/// (entries are checked against the text on lookup, so a hash collision only costs a copy).
#[derive(Default)]
struct Shared {
    names: HashMap<u64, Rc<str>, FxBuild>,
    chains: HashMap<u64, Rc<[Rc<str>]>, FxBuild>,
    strings: HashMap<u64, (Rc<str>, Rc<str>), FxBuild>,
}

impl Shared {
    /// Beyond this many entries the tables start afresh (bounds a long-lived thread's memory).
    const MAX_ENTRIES: usize = 1 << 16;

    fn len(&self) -> usize {
        self.names.len() + self.chains.len() + self.strings.len()
    }
}

fn fx_hash(s: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = FxHasher::default();
    h.write(s.as_bytes());
    h.finish()
}

/// FxHash (rustc's hasher): names in one text are short and trusted enough for a fast,
/// non-keyed hash.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            h = (h.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ b as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
        self.0 = h;
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ i as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type FxBuild = std::hash::BuildHasherDefault<FxHasher>;

pub(crate) fn stacker_grow<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, f)
}

struct Parser<'a, 'f> {
    items: Lexed,
    i: usize,
    max_pulled: usize,
    text: &'a str,
    parse_name: Rc<str>,
    funcs: &'f FuncMap,
    vars: Vec<Rc<str>>,
    range_depth: usize,
    stack_depth: usize,
    action_line: usize,
    defs: Vec<(Rc<str>, ListNode)>,
    /// The shared source text.
    src: Rc<str>,
    /// Interned names, chains and strings (see [`Shared`]).
    shared: Shared,
    /// Resolved function names.
    idents: HashMap<&'a str, (Rc<str>, FuncRef), FxBuild>,
    /// Nodes, commands and operands under construction (see `item_list`).
    node_stack: Vec<Node>,
    cmd_stack: Vec<Command>,
    arg_stack: Vec<Arg>,
}

type PResult<T> = Result<T, ParseError>;

/// What `itemList` stopped at.
enum Stop {
    End,
    Else,
}

enum Parsed {
    Node(Node),
    End,
    Else,
}

impl<'a> Parser<'a, '_> {
    fn idx(&self, i: usize) -> usize {
        i.min(self.items.items.len() - 1)
    }

    fn item(&self, k: usize) -> crate::lex::Item {
        self.items.items[k]
    }

    fn val(&self, k: usize) -> &'a str {
        let it = self.items.items[k];
        &self.text[it.pos as usize..it.end as usize]
    }

    fn text_of(&self, k: usize) -> Text {
        let it = self.items.items[k];
        Text::new(self.src.clone(), it.pos as usize, it.end as usize)
    }

    fn intern(&mut self, s: &str) -> Rc<str> {
        let h = fx_hash(s);
        match self.shared.names.get(&h) {
            Some(r) if **r == *s => r.clone(),
            Some(_) => Rc::from(s),
            None => {
                let r: Rc<str> = Rc::from(s);
                self.shared.names.insert(h, r.clone());
                r
            }
        }
    }

    fn next(&mut self) -> usize {
        let k = self.idx(self.i);
        self.i += 1;
        self.max_pulled = self.max_pulled.max(self.i);
        k
    }

    fn peek(&mut self) -> usize {
        let k = self.idx(self.i);
        self.max_pulled = self.max_pulled.max(self.i + 1);
        k
    }

    fn backup(&mut self) {
        self.i -= 1;
    }

    fn next_non_space(&mut self) -> usize {
        loop {
            let k = self.next();
            if self.items.items[k].typ != Tok::Space {
                return k;
            }
        }
    }

    fn peek_non_space(&mut self) -> usize {
        let k = self.next_non_space();
        self.backup();
        k
    }

    fn typ(&self, k: usize) -> Tok {
        self.items.items[k].typ
    }

    fn pos(&self, k: usize) -> u32 {
        self.items.items[k].pos
    }

    fn line_of(&self, pos: usize) -> usize {
        line_col(self.text, pos).0
    }

    fn errorf(&self, message: String) -> ParseError {
        let k = self.idx(self.max_pulled.saturating_sub(1));
        let it = self.item(k);
        ParseError {
            name: self.parse_name.to_string(),
            line: self.line_of(it.pos as usize),
            span: Span {
                start: it.pos,
                end: it.end,
            },
            message,
        }
    }

    fn unexpected(&self, k: usize, context: &str) -> ParseError {
        let it = self.item(k);
        let error = self.items.error.as_deref().unwrap_or("");
        if it.typ == Tok::Error {
            let mut extra = String::new();
            let line = self.line_of(it.pos as usize);
            // action_line holds the action's offset + 1; lines are computed only on error.
            let action_line = match self.action_line {
                0 => 0,
                p => self.line_of(p - 1),
            };
            if action_line != 0 && action_line != line {
                extra = format!(" in action started at {}:{}", self.parse_name, action_line);
                if error.ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.errorf(format!("{}{}", it.describe(self.text, error), extra));
        }
        self.errorf(format!(
            "unexpected {} in {}",
            it.describe(self.text, error),
            context
        ))
    }

    fn expect(&mut self, t: Tok, context: &str) -> PResult<usize> {
        let k = self.next_non_space();
        if self.typ(k) != t {
            return Err(self.unexpected(k, context));
        }
        Ok(k)
    }

    fn span_from(&self, start: u32) -> Span {
        // End = end of the last consumed token.
        let last = self.idx(self.i.saturating_sub(1));
        let end = self.item(last).end;
        Span {
            start,
            end: end.max(start),
        }
    }

    // parse: top level, hoisting defines.
    fn parse_top(&mut self) -> PResult<ListNode> {
        let mut root = ListNode::default();
        loop {
            let k = self.peek();
            if self.typ(k) == Tok::Eof {
                break;
            }
            if self.typ(k) == Tok::LeftDelim {
                let delim = self.next();
                let n = self.next_non_space();
                if self.typ(n) == Tok::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.i = delim;
            }
            match self.text_or_action()? {
                Parsed::Node(n) => root.nodes.push(n),
                Parsed::End => return Err(self.errorf("unexpected {{end}}".into())),
                Parsed::Else => return Err(self.errorf("unexpected {{else}}".into())),
            }
        }
        Ok(root)
    }

    fn with_fresh_scope<R>(&mut self, f: impl FnOnce(&mut Self) -> PResult<R>) -> PResult<R> {
        let dollar = self.vars[0].clone();
        let vars = std::mem::replace(&mut self.vars, vec![dollar]);
        let rd = std::mem::replace(&mut self.range_depth, 0);
        let r = f(self);
        self.vars = vars;
        self.range_depth = rd;
        r
    }

    fn parse_definition(&mut self) -> PResult<()> {
        const CONTEXT: &str = "define clause";
        let k = self.next_non_space();
        if !matches!(self.typ(k), Tok::String | Tok::RawString) {
            return Err(self.unexpected(k, CONTEXT));
        }
        let name: Rc<str> = match unquote(self.val(k)) {
            Ok(s) => Rc::from(s),
            Err(e) => return Err(self.errorf(e)),
        };
        self.expect(Tok::RightDelim, CONTEXT)?;
        let (list, stop) = self.with_fresh_scope(|p| p.item_list())?;
        if let Stop::Else = stop {
            return Err(self.errorf(format!("unexpected {{{{else}}}} in {CONTEXT}")));
        }
        self.add_def(name, list)
    }

    fn add_def(&mut self, name: Rc<str>, list: ListNode) -> PResult<()> {
        if let Some(slot) = self.defs.iter_mut().find(|(n, _)| *n == name) {
            if is_empty_tree(&slot.1) {
                slot.1 = list;
                return Ok(());
            }
            if !is_empty_tree(&list) {
                return Err(self.errorf(format!(
                    "template: multiple definition of template {}",
                    crate::gofmt::quote(&name)
                )));
            }
            return Ok(());
        }
        if *name == *self.parse_name {
            // A define named like the text itself: Go's treeSet already holds nothing for it
            // while parsing, so it is added; the top-level tree then follows the same rule.
        }
        self.defs.push((name, list));
        Ok(())
    }

    fn item_list(&mut self) -> PResult<(ListNode, Stop)> {
        // Nodes collect on a shared stack (nested lists finish first) and move into an
        // exactly sized list at the end.
        let mark = self.node_stack.len();
        loop {
            let k = self.peek_non_space();
            if self.typ(k) == Tok::Eof {
                break;
            }
            let stop = match self.text_or_action()? {
                Parsed::Node(n) => {
                    self.node_stack.push(n);
                    continue;
                }
                Parsed::End => Stop::End,
                Parsed::Else => Stop::Else,
            };
            let list = ListNode {
                nodes: self.node_stack.drain(mark..).collect(),
            };
            return Ok((list, stop));
        }
        Err(self.errorf("unexpected EOF".into()))
    }

    fn text_or_action(&mut self) -> PResult<Parsed> {
        let k = self.next_non_space();
        match self.typ(k) {
            Tok::Text => Ok(Parsed::Node(Node::Text(self.text_of(k)))),
            Tok::LeftDelim => {
                let saved = self.action_line;
                self.action_line = self.items.items[k].pos as usize + 1;
                let r = self.action();
                self.action_line = if r.is_ok() { 0 } else { saved };
                r
            }
            Tok::Comment => Ok(Parsed::Node(Node::Comment(self.text_of(k)))),
            _ => Err(self.unexpected(k, "input")),
        }
    }

    fn action(&mut self) -> PResult<Parsed> {
        let k = self.next_non_space();
        match self.typ(k) {
            Tok::Block => return self.block_control().map(Parsed::Node),
            Tok::Break => {
                return self
                    .break_control(k, "{{break}}")
                    .map(|p| Parsed::Node(Node::Break(p)));
            }
            Tok::Continue => {
                return self
                    .break_control(k, "{{continue}}")
                    .map(|p| Parsed::Node(Node::Continue(p)));
            }
            Tok::Else => return self.else_control(),
            Tok::End => {
                let e = self.expect(Tok::RightDelim, "end")?;
                let _ = e;
                return Ok(Parsed::End);
            }
            Tok::If => {
                return self
                    .parse_control("if")
                    .map(|b| Parsed::Node(Node::If(Box::new(b))));
            }
            Tok::Range => {
                return self
                    .parse_control("range")
                    .map(|b| Parsed::Node(Node::Range(Box::new(b))));
            }
            Tok::Template => return self.template_control().map(Parsed::Node),
            Tok::With => {
                return self
                    .parse_control("with")
                    .map(|b| Parsed::Node(Node::With(Box::new(b))));
            }
            _ => {}
        }
        self.backup();
        let pipe = self.pipeline("command", Tok::RightDelim)?;
        Ok(Parsed::Node(Node::Action(pipe)))
    }

    fn break_control(&mut self, k: usize, what: &str) -> PResult<u32> {
        let t = self.next_non_space();
        if self.typ(t) != Tok::RightDelim {
            return Err(self.unexpected(t, what));
        }
        if self.range_depth == 0 {
            return Err(self.errorf(format!("{what} outside {{{{range}}}}")));
        }
        Ok(self.pos(k))
    }

    fn else_control(&mut self) -> PResult<Parsed> {
        let k = self.peek_non_space();
        if matches!(self.typ(k), Tok::If | Tok::With) {
            return Ok(Parsed::Else);
        }
        let t = self.expect(Tok::RightDelim, "else")?;
        let _ = t;
        Ok(Parsed::Else)
    }

    fn parse_control(&mut self, context: &str) -> PResult<Branch> {
        let nvars = self.vars.len();
        let r = self.parse_control_inner(context);
        self.vars.truncate(nvars);
        r
    }

    fn parse_control_inner(&mut self, context: &str) -> PResult<Branch> {
        self.stack_depth += 1;
        if self.stack_depth > MAX_STACK_DEPTH {
            return Err(self.errorf("max expression depth exceeded".into()));
        }
        let r = stacker_grow(|| self.parse_control_body(context));
        self.stack_depth -= 1;
        r
    }

    fn parse_control_body(&mut self, context: &str) -> PResult<Branch> {
        let pipe = self.pipeline(context, Tok::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let r = self.item_list();
        if context == "range" {
            self.range_depth -= 1;
        }
        let (list, stop) = r?;
        let mut else_list = None;
        if let Stop::Else = stop {
            let k = self.peek();
            if context == "if" && self.typ(k) == Tok::If {
                self.next();
                let b = self.parse_control("if")?;
                else_list = Some(ListNode {
                    nodes: vec![Node::If(Box::new(b))],
                });
            } else if context == "with" && self.typ(k) == Tok::With {
                self.next();
                let b = self.parse_control("with")?;
                else_list = Some(ListNode {
                    nodes: vec![Node::With(Box::new(b))],
                });
            } else {
                let (el, stop) = self.item_list()?;
                if let Stop::Else = stop {
                    return Err(self.errorf("expected end; found {{else}}".into()));
                }
                else_list = Some(el);
            }
        }
        Ok(Branch {
            pipe,
            list,
            else_list,
        })
    }

    fn parse_template_name(&mut self, k: usize, context: &str) -> PResult<Rc<str>> {
        match self.typ(k) {
            Tok::String | Tok::RawString => match unquote(self.val(k)) {
                Ok(s) => Ok(Rc::from(s)),
                Err(e) => Err(self.errorf(e)),
            },
            _ => Err(self.unexpected(k, context)),
        }
    }

    fn template_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "template clause";
        let k = self.next_non_space();
        let name = self.parse_template_name(k, CONTEXT)?;
        let mut pipe = None;
        let n = self.next_non_space();
        if self.typ(n) != Tok::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(CONTEXT, Tok::RightDelim)?);
        }
        Ok(Node::Template(Box::new(TemplateNode {
            pos: self.pos(k),
            name,
            pipe,
        })))
    }

    fn block_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "block clause";
        let k = self.next_non_space();
        let name = self.parse_template_name(k, CONTEXT)?;
        let pipe = self.pipeline(CONTEXT, Tok::RightDelim)?;
        let (list, stop) = self.with_fresh_scope(|p| p.item_list())?;
        if let Stop::Else = stop {
            return Err(self.errorf(format!("unexpected {{{{else}}}} in {CONTEXT}")));
        }
        self.add_def(name.clone(), list)?;
        Ok(Node::Template(Box::new(TemplateNode {
            pos: self.pos(k),
            name,
            pipe: Some(pipe),
        })))
    }

    fn pipeline(&mut self, context: &str, end: Tok) -> PResult<Pipe> {
        let k = self.peek_non_space();
        let start = self.pos(k);
        let mut pipe = Pipe {
            pos: start,
            span: Span::default(),
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        'decls: loop {
            let v = self.peek_non_space();
            if self.typ(v) != Tok::Variable {
                break;
            }
            self.next();
            let after = self.peek();
            let nx = self.peek_non_space();
            let nt = self.typ(nx);
            if nt == Tok::Assign || nt == Tok::Declare {
                pipe.is_assign = nt == Tok::Assign;
                self.next_non_space();
                let name: Rc<str> = self.intern(self.val(v));
                pipe.decl.push(VarDecl {
                    pos: self.pos(v),
                    name: name.clone(),
                });
                self.vars.push(name);
            } else if nt == Tok::Char && self.val(nx) == "," {
                self.next_non_space();
                let name: Rc<str> = self.intern(self.val(v));
                pipe.decl.push(VarDecl {
                    pos: self.pos(v),
                    name: name.clone(),
                });
                self.vars.push(name);
                if context == "range" && pipe.decl.len() < 2 {
                    let p = self.peek_non_space();
                    match self.typ(p) {
                        Tok::Variable | Tok::RightDelim | Tok::RightParen => continue 'decls,
                        _ => return Err(self.errorf("range can only initialize variables".into())),
                    }
                }
                return Err(self.errorf(format!("too many declarations in {context}")));
            } else {
                // Not a declaration: put the variable back (Go's backup2/backup3).
                let _ = after;
                self.i = v;
            }
            break;
        }
        let mark = self.cmd_stack.len();
        loop {
            let k = self.next_non_space();
            let t = self.typ(k);
            if t == end {
                pipe.cmds = self.cmd_stack.drain(mark..).collect();
                if pipe.cmds.is_empty() {
                    return Err(self.errorf(format!("missing value for {context}")));
                }
                for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
                    if matches!(
                        c.args[0].kind,
                        ArgKind::Bool(_)
                            | ArgKind::Dot
                            | ArgKind::Nil
                            | ArgKind::Number(_)
                            | ArgKind::String(..)
                    ) {
                        return Err(self.errorf(format!(
                            "non executable command in pipeline stage {}",
                            i + 1
                        )));
                    }
                }
                let last = pipe.cmds.last().map(|c| c.span.end).unwrap_or(start);
                pipe.span = Span { start, end: last };
                return Ok(pipe);
            }
            match t {
                Tok::Bool
                | Tok::CharConstant
                | Tok::Complex
                | Tok::Dot
                | Tok::Field
                | Tok::Identifier
                | Tok::Number
                | Tok::Nil
                | Tok::RawString
                | Tok::String
                | Tok::Variable
                | Tok::LeftParen => {
                    self.backup();
                    let c = self.command()?;
                    self.cmd_stack.push(c);
                }
                _ => return Err(self.unexpected(k, context)),
            }
        }
    }

    fn command(&mut self) -> PResult<Command> {
        let k = self.peek_non_space();
        let start = self.pos(k);
        let mark = self.arg_stack.len();
        let mut end = start;
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                end = op.span.end;
                self.arg_stack.push(op);
            }
            let k = self.next();
            match self.typ(k) {
                Tok::Space => continue,
                Tok::RightDelim | Tok::RightParen => self.backup(),
                Tok::Pipe => {}
                _ => return Err(self.unexpected(k, "operand")),
            }
            break;
        }
        if self.arg_stack.len() == mark {
            return Err(self.errorf("empty command".into()));
        }
        let args: Vec<Arg> = self.arg_stack.drain(mark..).collect();
        Ok(Command {
            pos: start,
            span: Span { start, end },
            args,
        })
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        let k = self.peek();
        if self.typ(k) != Tok::Field {
            return Ok(Some(node));
        }
        let chain_pos = self.pos(k);
        // The field tokens follow one another without space: the chain is one source slice.
        let mut end = node.span.end;
        loop {
            let k = self.peek();
            if self.typ(k) != Tok::Field {
                break;
            }
            self.next();
            end = self.item(k).end;
        }
        let span = Span {
            start: node.span.start,
            end,
        };
        let kind = match node.kind {
            ArgKind::Field(_) | ArgKind::Variable(_) => {
                let ids = self.chain(node.span.start, end);
                if matches!(node.kind, ArgKind::Field(_)) {
                    ArgKind::Field(ids)
                } else {
                    ArgKind::Variable(ids)
                }
            }
            ArgKind::Bool(_)
            | ArgKind::String(..)
            | ArgKind::Number(_)
            | ArgKind::Nil
            | ArgKind::Dot => {
                return Err(self.errorf(format!(
                    "unexpected . after term {}",
                    crate::gofmt::quote(&node.to_string())
                )));
            }
            _ => ArgKind::Chain(Box::new(node), self.chain(chain_pos, end)),
        };
        Ok(Some(Arg {
            pos: chain_pos,
            span,
            kind,
        }))
    }

    /// The names of the field chain (`.a.b`) or variable chain (`$x.a`) `text[start..end]`,
    /// shared by every equal chain of the text.
    fn chain(&mut self, start: u32, end: u32) -> Rc<[Rc<str>]> {
        let key: &'a str = &self.text[start as usize..end as usize];
        let body = key.strip_prefix('.').unwrap_or(key);
        let h = fx_hash(key);
        let found = self.shared.chains.get(&h);
        if let Some(c) = found
            && c.len() == body.split('.').count()
            && c.iter().zip(body.split('.')).all(|(a, b)| **a == *b)
        {
            return c.clone();
        }
        let vacant = found.is_none();
        let ids: Vec<Rc<str>> = body.split('.').map(|s| self.intern(s)).collect();
        let c: Rc<[Rc<str>]> = Rc::from(ids);
        if vacant {
            self.shared.chains.insert(h, c.clone());
        }
        c
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let k = self.next_non_space();
        let it = self.item(k);
        let pos = it.pos;
        let span = Span {
            start: pos,
            end: it.end,
        };
        let val = self.val(k);
        let kind = match it.typ {
            Tok::Identifier => {
                if let Some((n, f)) = self.idents.get(val) {
                    ArgKind::Identifier(n.clone(), f.clone())
                } else {
                    let f = if let Some(f) = self.funcs.get_shared(val) {
                        FuncRef::User(f)
                    } else if let Some(b) = Builtin::from_name(val) {
                        FuncRef::Builtin(b)
                    } else {
                        return Err(self
                            .errorf(format!("function {} not defined", crate::gofmt::quote(val))));
                    };
                    let n: Rc<str> = Rc::from(val);
                    self.idents.insert(val, (n.clone(), f.clone()));
                    ArgKind::Identifier(n, f)
                }
            }
            Tok::Dot => ArgKind::Dot,
            Tok::Nil => ArgKind::Nil,
            Tok::Variable => {
                if !self.vars.iter().any(|v| **v == *val) {
                    return Err(
                        self.errorf(format!("undefined variable {}", crate::gofmt::quote(val)))
                    );
                }
                let end = it.end;
                ArgKind::Variable(self.chain(pos, end))
            }
            Tok::Field => ArgKind::Field(self.chain(pos, it.end)),
            Tok::Bool => ArgKind::Bool(val == "true"),
            Tok::CharConstant | Tok::Complex | Tok::Number => match parse_number(val, it.typ) {
                Ok(n) => ArgKind::Number(Box::new(n)),
                Err(e) => return Err(self.errorf(e)),
            },
            Tok::LeftParen => {
                if self.stack_depth >= MAX_STACK_DEPTH {
                    return Err(self.errorf("max expression depth exceeded".into()));
                }
                self.stack_depth += 1;
                let r = stacker_grow(|| self.pipeline("parenthesized pipeline", Tok::RightParen));
                self.stack_depth -= 1;
                let p = r?;
                let span = self.span_from(pos);
                return Ok(Some(Arg {
                    pos: p.pos,
                    span,
                    kind: ArgKind::Pipe(Box::new(p)),
                }));
            }
            Tok::String | Tok::RawString => {
                let h = fx_hash(val);
                let found = self.shared.strings.get(&h);
                match found {
                    Some((q, s)) if **q == *val => ArgKind::String(q.clone(), s.clone()),
                    _ => {
                        let vacant = found.is_none();
                        match unquote(val) {
                            Ok(s) => {
                                let (q, s): (Rc<str>, Rc<str>) = (Rc::from(val), Rc::from(s));
                                if vacant {
                                    self.shared.strings.insert(h, (q.clone(), s.clone()));
                                }
                                ArgKind::String(q, s)
                            }
                            Err(e) => return Err(self.errorf(e)),
                        }
                    }
                }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        };
        Ok(Some(Arg { pos, span, kind }))
    }
}

/// Go's `strconv.Unquote` for the three quote forms; errors are `invalid syntax`.
pub fn unquote(s: &str) -> Result<String, String> {
    const BAD: &str = "invalid syntax";
    let b = s.as_bytes();
    if b.len() < 2 {
        return Err(BAD.into());
    }
    let q = b[0];
    if q != b[b.len() - 1] {
        return Err(BAD.into());
    }
    let body = &s[1..s.len() - 1];
    match q {
        b'`' => {
            if body.contains('`') {
                return Err(BAD.into());
            }
            Ok(body.replace('\r', ""))
        }
        b'"' | b'\'' => {
            if q == b'"' && !body.contains('\\') && !body.contains('"') {
                return Ok(body.to_string());
            }
            let mut out = String::new();
            let mut rest = body;
            let mut count = 0;
            while !rest.is_empty() {
                let (c, tail) = unquote_char(rest, q as char)?;
                match c {
                    UChar::Char(c) => out.push(c),
                    UChar::Byte(b) => {
                        // A \x or octal byte: Go builds bytes; we only keep valid UTF-8 results.
                        out.push_str(&String::from_utf8_lossy(&[b]));
                    }
                }
                rest = tail;
                count += 1;
                if q == b'\'' && count > 1 {
                    return Err(BAD.into());
                }
            }
            if q == b'\'' && count != 1 {
                return Err(BAD.into());
            }
            Ok(out)
        }
        _ => Err(BAD.into()),
    }
}

enum UChar {
    Char(char),
    Byte(u8),
}

fn unquote_char(s: &str, quote: char) -> Result<(UChar, &str), String> {
    const BAD: &str = "invalid syntax";
    let mut chars = s.chars();
    let c = chars.next().ok_or(BAD)?;
    if c == quote && (quote == '\'' || quote == '"') {
        return Err(BAD.into());
    }
    if c != '\\' {
        return Ok((UChar::Char(c), chars.as_str()));
    }
    let e = chars.next().ok_or(BAD)?;
    let rest = chars.as_str();
    let simple = match e {
        'a' => Some('\x07'),
        'b' => Some('\x08'),
        'f' => Some('\x0c'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\x0b'),
        '\\' => Some('\\'),
        '\'' | '"' => {
            if e != quote {
                return Err(BAD.into());
            }
            Some(e)
        }
        _ => None,
    };
    if let Some(c) = simple {
        return Ok((UChar::Char(c), rest));
    }
    match e {
        'x' | 'u' | 'U' => {
            let n = match e {
                'x' => 2,
                'u' => 4,
                _ => 8,
            };
            if rest.len() < n || !rest.is_char_boundary(n) {
                return Err(BAD.into());
            }
            let v = u32::from_str_radix(&rest[..n], 16).map_err(|_| BAD.to_string())?;
            if !rest[..n].bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(BAD.into());
            }
            if e == 'x' {
                return Ok((UChar::Byte(v as u8), &rest[n..]));
            }
            let c = char::from_u32(v).ok_or(BAD)?;
            Ok((UChar::Char(c), &rest[n..]))
        }
        '0'..='7' => {
            if rest.len() < 2 || !rest.is_char_boundary(2) {
                return Err(BAD.into());
            }
            let digits = format!("{e}{}", &rest[..2]);
            if !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                return Err(BAD.into());
            }
            let v = u32::from_str_radix(&digits, 8).map_err(|_| BAD.to_string())?;
            if v > 255 {
                return Err(BAD.into());
            }
            Ok((UChar::Byte(v as u8), &rest[2..]))
        }
        _ => Err(BAD.into()),
    }
}

fn underscore_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let mut saw = b'^';
    let b = if !b.is_empty() && (b[0] == b'-' || b[0] == b'+') {
        &b[1..]
    } else {
        b
    };
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1].eq_ignore_ascii_case(&b'x');
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// `strconv.ParseUint(s, 0, 64)`.
fn parse_uint0(s: &str) -> Option<u64> {
    if s.is_empty() || s.starts_with(['+', '-']) {
        return None;
    }
    let (base, digits, prefixed) =
        if let Some(r) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
            (16, r, true)
        } else if let Some(r) = s.strip_prefix("0o").or_else(|| s.strip_prefix("0O")) {
            (8, r, true)
        } else if let Some(r) = s.strip_prefix("0b").or_else(|| s.strip_prefix("0B")) {
            (2, r, true)
        } else if s.len() > 1 && s.starts_with('0') {
            (8, &s[1..], true)
        } else {
            (10, s, false)
        };
    let _ = prefixed;
    if s.contains('_') && !underscore_ok(s) {
        return None;
    }
    let digits: String = digits.chars().filter(|c| *c != '_').collect();
    if digits.is_empty() {
        return None;
    }
    u64::from_str_radix(&digits, base).ok()
}

/// `strconv.ParseInt(s, 0, 64)`.
fn parse_int0(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if s.contains('_') && !underscore_ok(s) {
        return None;
    }
    let u = parse_uint0(body)?;
    if neg {
        if u <= i64::MAX as u64 + 1 {
            Some((u as i128).wrapping_neg() as i64)
        } else {
            None
        }
    } else if u <= i64::MAX as u64 {
        Some(u as i64)
    } else {
        None
    }
}

/// `strconv.ParseFloat(s, 64)` for the forms the lexer produces.
fn parse_float(s: &str) -> Option<f64> {
    if s.contains('_') && !underscore_ok(s) {
        return None;
    }
    let clean: String = s.chars().filter(|c| *c != '_').collect();
    let (neg, body) = match clean.as_bytes().first() {
        Some(b'-') => (true, &clean[1..]),
        Some(b'+') => (false, &clean[1..]),
        _ => (false, &clean[..]),
    };
    let v = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        parse_hex_float(h)?
    } else {
        if body.is_empty()
            || !body
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        {
            return None;
        }
        body.parse::<f64>().ok()?
    };
    // strconv.ParseFloat reports out-of-range values as errors.
    if v.is_infinite() {
        return None;
    }
    Some(if neg { -v } else { v })
}

fn parse_hex_float(h: &str) -> Option<f64> {
    let (mant, exp) = match h.find(['p', 'P']) {
        Some(i) => (&h[..i], h[i + 1..].parse::<i32>().ok()?),
        None => (h, 0),
    };
    let (ip, fp) = mant.split_once('.').unwrap_or((mant, ""));
    if ip.is_empty() && fp.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in ip.chars() {
        v = v * 16.0 + c.to_digit(16)? as f64;
    }
    let mut scale = 1.0 / 16.0;
    for c in fp.chars() {
        v += c.to_digit(16)? as f64 * scale;
        scale /= 16.0;
    }
    if !fp.is_empty() && !h.contains(['p', 'P']) {
        return None;
    }
    Some(v * 2f64.powi(exp))
}

/// Go's `newNumber`: classifies a number literal.
pub fn parse_number(text: &str, typ: Tok) -> Result<Number, String> {
    let mut n = Number {
        text: Rc::from(text),
        int: None,
        uint: None,
        float: None,
        complex: false,
    };
    if typ == Tok::CharConstant {
        let q = text.as_bytes()[0] as char;
        let (c, tail) = unquote_char(&text[1..], q)?;
        if tail != "'" {
            return Err(format!("malformed character constant: {text}"));
        }
        let r = match c {
            UChar::Char(c) => c as i64,
            UChar::Byte(b) => b as i64,
        };
        n.int = Some(r);
        n.uint = Some(r as u64);
        n.float = Some(r as f64);
        return Ok(n);
    }
    if typ == Tok::Complex
        || (text.ends_with('i') && parse_float(&text[..text.len() - 1]).is_some())
    {
        n.complex = true;
        return Ok(n);
    }
    let u = parse_uint0(text);
    if let Some(u) = u {
        n.uint = Some(u);
    }
    if let Some(i) = parse_int0(text) {
        n.int = Some(i);
        if i == 0 {
            n.uint = Some(0);
        }
    }
    if let Some(i) = n.int {
        n.float = Some(i as f64);
    } else if let Some(u) = n.uint {
        n.float = Some(u as f64);
    } else if let Some(f) = parse_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!("integer overflow: {}", crate::gofmt::quote(text)));
        }
        n.float = Some(f);
        if f.fract() == 0.0 && (-9.223372036854776e18..9.223372036854776e18).contains(&f) {
            n.int = Some(f as i64);
        }
        if f.fract() == 0.0 && (0.0..1.8446744073709552e19).contains(&f) {
            n.uint = Some(f as u64);
        }
    }
    if n.int.is_none() && n.uint.is_none() && n.float.is_none() {
        return Err(format!(
            "illegal number syntax: {}",
            crate::gofmt::quote(text)
        ));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<String, String> {
        let f = FuncMap::new();
        parse("t", s, &f)
            .map(|t| {
                t.iter()
                    .map(|t| format!("{}={}", t.name, t.root))
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .map_err(|e| e.to_string())
    }

    #[test]
    fn round_trip() {
        assert_eq!(p("a{{.x.y}}b").unwrap(), "t=a{{.x.y}}b");
        assert_eq!(
            p("{{if .a}}x{{else if .b}}y{{else}}z{{end}}").unwrap(),
            "t={{if .a}}x{{else}}{{if .b}}y{{else}}z{{end}}{{end}}"
        );
        assert_eq!(
            p("{{range $i, $v := .l}}{{$v}}{{end}}").unwrap(),
            "t={{range $i, $v := .l}}{{$v}}{{end}}"
        );
        assert_eq!(
            p("{{ (index . 1).x | printf \"%s\" }}").unwrap(),
            "t={{(index . 1).x | printf \"%s\"}}"
        );
        assert_eq!(p("{{define \"a\"}}A{{end}}x").unwrap(), "t=x|a=A");
        assert_eq!(
            p("{{block \"b\" .}}B{{end}}").unwrap(),
            "t={{template \"b\" .}}|b=B"
        );
    }

    #[test]
    fn errors_like_go() {
        assert_eq!(
            p("{{ end }}").unwrap_err(),
            "template: t:1: unexpected {{end}}"
        );
        assert_eq!(
            p("{{if .x}}{{ end | }}").unwrap_err(),
            "template: t:1: unexpected \"|\" in end"
        );
        assert_eq!(
            p("\n{{ nosuchfunc }}").unwrap_err(),
            "template: t:2: function \"nosuchfunc\" not defined"
        );
        assert_eq!(
            p("{{ $x }}").unwrap_err(),
            "template: t:1: undefined variable \"$x\""
        );
        assert_eq!(
            p("{{if}}{{end}}").unwrap_err(),
            "template: t:1: missing value for if"
        );
        assert_eq!(
            p("{{break}}").unwrap_err(),
            "template: t:1: {{break}} outside {{range}}"
        );
        assert_eq!(
            p("{{ .x | 3 }}").unwrap_err(),
            "template: t:1: non executable command in pipeline stage 2"
        );
        assert_eq!(
            p("{{ 08 }}").unwrap_err(),
            "template: t:1: integer overflow: \"08\""
        );
        assert_eq!(
            p("{{if .x}}\n\n").unwrap_err(),
            "template: t:3: unexpected EOF"
        );
        assert_eq!(
            p("{{ .x\n\n").unwrap_err(),
            "template: t:3: unclosed action started at t:1"
        );
        assert_eq!(
            p("{{define \"a\"}}A{{end}}{{define \"a\"}}B{{end}}").unwrap_err(),
            "template: t:1: template: multiple definition of template \"a\""
        );
    }

    #[test]
    fn numbers() {
        let n = parse_number("1e6", Tok::Number).unwrap();
        assert_eq!((n.int, n.float), (Some(1_000_000), Some(1e6)));
        let n = parse_number("0x1F", Tok::Number).unwrap();
        assert_eq!(n.int, Some(31));
        let n = parse_number("1_000", Tok::Number).unwrap();
        assert_eq!(n.int, Some(1000));
        let n = parse_number("0777", Tok::Number).unwrap();
        assert_eq!(n.int, Some(511));
        let n = parse_number("'a'", Tok::CharConstant).unwrap();
        assert_eq!(n.int, Some(97));
        let n = parse_number("3.5", Tok::Number).unwrap();
        assert_eq!((n.int, n.float), (None, Some(3.5)));
        assert!(
            parse_number("-9223372036854775808", Tok::Number)
                .unwrap()
                .int
                .is_some()
        );
    }
}
