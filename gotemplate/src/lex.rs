//! The lexer: Go's `text/template/parse/lex.go` as a plain loop.
//!
//! Tokens keep their byte offset in the source, so every later error can point at the text.
//! Trim markers (`{{- ` and ` -}}`) are applied here, exactly as Go does: the marker needs an
//! adjacent ASCII space, and trimming removes all adjacent `" \t\r\n"`. A lexical error ends the
//! token stream with an [`Tok::Error`] token carrying Go's message.

use std::borrow::Cow;

/// Token kinds (Go's `itemType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tok {
    /// A lexical error; `val` is the message.
    Error,
    /// `true` / `false`
    Bool,
    /// A printable ASCII character inside an action (e.g. `,`).
    Char,
    /// `'a'`
    CharConstant,
    /// `1+2i`
    Complex,
    /// `{{/* ... */}}` (only when comments are kept)
    Comment,
    /// `=`
    Assign,
    /// `:=`
    Declare,
    /// End of input.
    Eof,
    /// `.Field`
    Field,
    /// A function name.
    Identifier,
    /// `{{`
    LeftDelim,
    /// `(`
    LeftParen,
    /// A number literal.
    Number,
    /// `|`
    Pipe,
    /// `` `raw` ``
    RawString,
    /// `}}`
    RightDelim,
    /// `)`
    RightParen,
    /// A run of spaces inside an action.
    Space,
    /// `"quoted"`
    String,
    /// Plain text outside actions.
    Text,
    /// `$x` or `$`
    Variable,
    /// keyword `block`
    Block,
    /// keyword `break`
    Break,
    /// keyword `continue`
    Continue,
    /// `.`
    Dot,
    /// keyword `define`
    Define,
    /// keyword `else`
    Else,
    /// keyword `end`
    End,
    /// keyword `if`
    If,
    /// keyword `nil`
    Nil,
    /// keyword `range`
    Range,
    /// keyword `template`
    Template,
    /// keyword `with`
    With,
}

impl Tok {
    fn is_keyword(self) -> bool {
        matches!(
            self,
            Tok::Block
                | Tok::Break
                | Tok::Continue
                | Tok::Dot
                | Tok::Define
                | Tok::Else
                | Tok::End
                | Tok::If
                | Tok::Nil
                | Tok::Range
                | Tok::Template
                | Tok::With
        )
    }
}

/// A token.
#[derive(Clone, Debug)]
pub struct Item<'a> {
    /// Kind.
    pub typ: Tok,
    /// Byte offset of the token in the source.
    pub pos: usize,
    /// Text (for `Text` items after trimming; for errors the message).
    pub val: Cow<'a, str>,
}

impl Item<'_> {
    /// Go's `item.String()`, used in `unexpected X in Y` messages.
    pub fn describe(&self) -> String {
        match self.typ {
            Tok::Eof => "EOF".to_string(),
            Tok::Error => self.val.to_string(),
            t if t.is_keyword() => format!("<{}>", self.val),
            _ => {
                if self.val.chars().count() > 10 {
                    let head: String = self.val.chars().take(10).collect();
                    format!("{}...", crate::gofmt::quote(&head))
                } else {
                    crate::gofmt::quote(&self.val)
                }
            }
        }
    }
}

/// Lexer options (Go's `lexOptions`).
#[derive(Clone, Copy, Debug)]
pub struct LexOptions {
    /// Emit comment tokens.
    pub emit_comment: bool,
    /// `break` is a keyword (false when a function named `break` exists).
    pub break_ok: bool,
    /// `continue` is a keyword.
    pub continue_ok: bool,
}

impl Default for LexOptions {
    fn default() -> Self {
        LexOptions {
            emit_comment: false,
            break_ok: true,
            continue_ok: true,
        }
    }
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

fn has_left_trim(s: &[u8]) -> bool {
    s.len() >= 2 && s[0] == b'-' && is_space(s[1])
}

fn has_right_trim(s: &[u8]) -> bool {
    s.len() >= 2 && is_space(s[0]) && s[1] == b'-'
}

/// Lexes the whole input. The last token is `Eof` or `Error`.
pub fn lex(input: &str, opts: LexOptions) -> Vec<Item<'_>> {
    let mut l = Lexer {
        input,
        bytes: input.as_bytes(),
        pos: 0,
        start: 0,
        items: Vec::with_capacity(input.len() / 6 + 4),
        opts,
        paren_depth: 0,
    };
    l.run();
    l.items
}

struct Lexer<'a> {
    input: &'a str,
    bytes: &'a [u8],
    pos: usize,
    start: usize,
    items: Vec<Item<'a>>,
    opts: LexOptions,
    paren_depth: i32,
}

enum State {
    Text,
    LeftDelim,
    InsideAction,
    Done,
}

impl<'a> Lexer<'a> {
    fn run(&mut self) {
        let mut st = State::Text;
        loop {
            st = match st {
                State::Text => self.lex_text(),
                State::LeftDelim => self.lex_left_delim(),
                State::InsideAction => self.lex_inside_action(),
                State::Done => return,
            }
        }
    }

    fn emit(&mut self, typ: Tok) {
        self.items.push(Item {
            typ,
            pos: self.start,
            val: Cow::Borrowed(&self.input[self.start..self.pos]),
        });
        self.start = self.pos;
    }

    fn errorf(&mut self, msg: String) -> State {
        self.items.push(Item {
            typ: Tok::Error,
            pos: self.start,
            val: Cow::Owned(msg),
        });
        State::Done
    }

    fn peek_char(&self) -> Option<char> {
        self.input[self.pos..].chars().next()
    }

    fn next_char(&mut self) -> Option<char> {
        let c = self.peek_char()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn at_right_delim(&self) -> (bool, bool) {
        let rest = &self.bytes[self.pos..];
        if has_right_trim(rest) && rest[2..].starts_with(RIGHT.as_bytes()) {
            return (true, true);
        }
        if rest.starts_with(RIGHT.as_bytes()) {
            return (true, false);
        }
        (false, false)
    }

    fn lex_text(&mut self) -> State {
        if let Some(x) = find_left(&self.bytes[self.pos..]) {
            if x > 0 {
                self.pos += x;
                let delim_end = self.pos + LEFT.len();
                let mut trim = 0;
                if has_left_trim(&self.bytes[delim_end..]) {
                    let text = &self.input[self.start..self.pos];
                    trim = text.len() - text.trim_end_matches([' ', '\t', '\r', '\n']).len();
                }
                let text = &self.input[self.start..self.pos - trim];
                if !text.is_empty() {
                    self.items.push(Item {
                        typ: Tok::Text,
                        pos: self.start,
                        val: Cow::Borrowed(text),
                    });
                }
                self.start = self.pos;
            }
            return State::LeftDelim;
        }
        self.pos = self.input.len();
        if self.pos > self.start {
            self.emit(Tok::Text);
        }
        self.emit(Tok::Eof);
        State::Done
    }

    fn lex_left_delim(&mut self) -> State {
        self.pos += LEFT.len();
        let trim = has_left_trim(&self.bytes[self.pos..]);
        let after = if trim { 2 } else { 0 };
        if self.bytes[self.pos + after..].starts_with(LEFT_COMMENT.as_bytes()) {
            self.pos += after;
            self.start = self.pos;
            return self.lex_comment();
        }
        self.items.push(Item {
            typ: Tok::LeftDelim,
            pos: self.start,
            val: Cow::Borrowed(LEFT),
        });
        self.pos += after;
        self.start = self.pos;
        self.paren_depth = 0;
        State::InsideAction
    }

    fn lex_comment(&mut self) -> State {
        self.pos += LEFT_COMMENT.len();
        let Some(x) = self.input[self.pos..].find(RIGHT_COMMENT) else {
            return self.errorf("unclosed comment".into());
        };
        self.pos += x + RIGHT_COMMENT.len();
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.errorf("comment ends before closing delimiter".into());
        }
        let item = Item {
            typ: Tok::Comment,
            pos: self.start,
            val: Cow::Borrowed(&self.input[self.start..self.pos]),
        };
        if trim {
            self.pos += 2;
        }
        self.pos += RIGHT.len();
        if trim {
            self.pos += left_trim_len(&self.bytes[self.pos..]);
        }
        self.start = self.pos;
        if self.opts.emit_comment {
            self.items.push(item);
        }
        State::Text
    }

    fn lex_right_delim(&mut self) -> State {
        let (_, trim) = self.at_right_delim();
        if trim {
            self.pos += 2;
            self.start = self.pos;
        }
        self.pos += RIGHT.len();
        self.emit(Tok::RightDelim);
        if trim {
            self.pos += left_trim_len(&self.bytes[self.pos..]);
            self.start = self.pos;
        }
        State::Text
    }

    fn lex_inside_action(&mut self) -> State {
        let (delim, _) = self.at_right_delim();
        if delim {
            if self.paren_depth == 0 {
                return self.lex_right_delim();
            }
            return self.errorf("unclosed left paren".into());
        }
        let Some(r) = self.next_char() else {
            return self.errorf("unclosed action".into());
        };
        match r {
            ' ' | '\t' | '\r' | '\n' => {
                self.pos -= 1;
                self.lex_space()
            }
            '=' => {
                self.emit(Tok::Assign);
                State::InsideAction
            }
            ':' => {
                if self.next_char() != Some('=') {
                    return self.errorf("expected :=".into());
                }
                self.emit(Tok::Declare);
                State::InsideAction
            }
            '|' => {
                self.emit(Tok::Pipe);
                State::InsideAction
            }
            '"' => self.lex_quote(),
            '`' => self.lex_raw_quote(),
            '$' => self.lex_field_or_variable(Tok::Variable),
            '\'' => self.lex_char(),
            '.' => {
                if let Some(&b) = self.bytes.get(self.pos)
                    && !b.is_ascii_digit()
                {
                    return self.lex_field_or_variable(Tok::Field);
                }
                self.pos -= 1;
                self.lex_number()
            }
            '+' | '-' | '0'..='9' => {
                self.pos -= 1;
                self.lex_number()
            }
            '(' => {
                self.paren_depth += 1;
                self.emit(Tok::LeftParen);
                State::InsideAction
            }
            ')' => {
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    return self.errorf("unexpected right paren".into());
                }
                self.emit(Tok::RightParen);
                State::InsideAction
            }
            c if is_alnum(c) => {
                self.pos -= c.len_utf8();
                self.lex_identifier()
            }
            c if c.is_ascii() && !c.is_ascii_control() => {
                self.emit(Tok::Char);
                State::InsideAction
            }
            c => self.errorf(format!(
                "unrecognized character in action: {}",
                crate::gofmt::char_u(c)
            )),
        }
    }

    fn lex_space(&mut self) -> State {
        let mut n = 0;
        while self.pos < self.bytes.len() && is_space(self.bytes[self.pos]) {
            self.pos += 1;
            n += 1;
        }
        let before = &self.bytes[self.pos - 1..];
        if has_right_trim(before) && before[2..].starts_with(RIGHT.as_bytes()) {
            self.pos -= 1;
            if n == 1 {
                return State::InsideAction;
            }
        }
        self.emit(Tok::Space);
        State::InsideAction
    }

    fn at_terminator(&self) -> bool {
        let Some(r) = self.peek_char() else {
            return true;
        };
        if r.is_ascii() && is_space(r as u8) {
            return true;
        }
        match r {
            '.' | ',' | '|' | ':' | ')' | '(' => true,
            _ => self.bytes[self.pos..].starts_with(RIGHT.as_bytes()),
        }
    }

    fn bad_char(&mut self) -> State {
        let c = self.peek_char();
        let desc = match c {
            Some(c) => crate::gofmt::char_u(c),
            None => "U+FFFFFFFF".into(),
        };
        if let Some(c) = c {
            self.pos += c.len_utf8();
        }
        self.errorf(format!("bad character {desc}"))
    }

    fn lex_identifier(&mut self) -> State {
        while let Some(c) = self.peek_char() {
            if !is_alnum(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        if !self.at_terminator() {
            return self.bad_char();
        }
        let word = &self.input[self.start..self.pos];
        let typ = match word {
            "block" => Tok::Block,
            "break" if self.opts.break_ok => Tok::Break,
            "continue" if self.opts.continue_ok => Tok::Continue,
            "define" => Tok::Define,
            "else" => Tok::Else,
            "end" => Tok::End,
            "if" => Tok::If,
            "range" => Tok::Range,
            "nil" => Tok::Nil,
            "template" => Tok::Template,
            "with" => Tok::With,
            "true" | "false" => Tok::Bool,
            _ => Tok::Identifier,
        };
        self.emit(typ);
        State::InsideAction
    }

    fn lex_field_or_variable(&mut self, typ: Tok) -> State {
        if self.at_terminator() {
            self.emit(if typ == Tok::Variable {
                Tok::Variable
            } else {
                Tok::Dot
            });
            return State::InsideAction;
        }
        while let Some(c) = self.peek_char() {
            if !is_alnum(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        if !self.at_terminator() {
            return self.bad_char();
        }
        self.emit(typ);
        State::InsideAction
    }

    fn lex_char(&mut self) -> State {
        loop {
            match self.next_char() {
                Some('\\') => match self.next_char() {
                    Some('\n') | None => {
                        return self.errorf("unterminated character constant".into());
                    }
                    _ => {}
                },
                Some('\n') | None => return self.errorf("unterminated character constant".into()),
                Some('\'') => break,
                _ => {}
            }
        }
        self.emit(Tok::CharConstant);
        State::InsideAction
    }

    fn lex_quote(&mut self) -> State {
        loop {
            match self.next_char() {
                Some('\\') => match self.next_char() {
                    Some('\n') | None => return self.errorf("unterminated quoted string".into()),
                    _ => {}
                },
                Some('\n') | None => return self.errorf("unterminated quoted string".into()),
                Some('"') => break,
                _ => {}
            }
        }
        self.emit(Tok::String);
        State::InsideAction
    }

    fn lex_raw_quote(&mut self) -> State {
        loop {
            match self.next_char() {
                None => return self.errorf("unterminated raw quoted string".into()),
                Some('`') => break,
                _ => {}
            }
        }
        self.emit(Tok::RawString);
        State::InsideAction
    }

    fn accept(&mut self, set: &str) -> bool {
        if let Some(&b) = self.bytes.get(self.pos)
            && set.as_bytes().contains(&b)
        {
            self.pos += 1;
            return true;
        }
        false
    }

    fn accept_run(&mut self, set: &str) {
        while self.accept(set) {}
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if let Some(c) = self.peek_char()
            && is_alnum(c)
        {
            self.pos += c.len_utf8();
            return false;
        }
        true
    }

    fn lex_number(&mut self) -> State {
        if !self.scan_number() {
            let text = self.input[self.start..self.pos].to_string();
            return self.errorf(format!("bad number syntax: {}", crate::gofmt::quote(&text)));
        }
        if let Some(&b) = self.bytes.get(self.pos)
            && (b == b'+' || b == b'-')
        {
            if !self.scan_number() || self.bytes[self.pos - 1] != b'i' {
                let text = self.input[self.start..self.pos].to_string();
                return self.errorf(format!("bad number syntax: {}", crate::gofmt::quote(&text)));
            }
            self.emit(Tok::Complex);
            return State::InsideAction;
        }
        self.emit(Tok::Number);
        State::InsideAction
    }
}

/// Offset of the next `{{` (a byte scan: cheaper than a substring searcher for short texts).
fn find_left(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(k) = b[i..].iter().position(|c| *c == b'{') {
        let at = i + k;
        if b.get(at + 1) == Some(&b'{') {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

fn left_trim_len(s: &[u8]) -> usize {
    s.iter().take_while(|b| is_space(**b)).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<(Tok, String)> {
        lex(s, LexOptions::default())
            .into_iter()
            .map(|i| (i.typ, i.val.into_owned()))
            .collect()
    }

    #[test]
    fn trims_and_tokens() {
        let k = kinds("a  \n{{- .x | f 1 -}}\n b");
        assert_eq!(
            k,
            vec![
                (Tok::Text, "a".into()),
                (Tok::LeftDelim, "{{".into()),
                (Tok::Field, ".x".into()),
                (Tok::Space, " ".into()),
                (Tok::Pipe, "|".into()),
                (Tok::Space, " ".into()),
                (Tok::Identifier, "f".into()),
                (Tok::Space, " ".into()),
                (Tok::Number, "1".into()),
                (Tok::RightDelim, "}}".into()),
                (Tok::Text, "b".into()),
                (Tok::Eof, "".into()),
            ]
        );
    }

    #[test]
    fn negative_number_not_trim() {
        let k = kinds("{{-3}}");
        assert_eq!(k[1], (Tok::Number, "-3".into()));
    }

    #[test]
    fn comments_and_errors() {
        assert_eq!(
            kinds("x {{- /* c */ -}} y"),
            vec![
                (Tok::Text, "x".into()),
                (Tok::Text, "y".into()),
                (Tok::Eof, "".into())
            ]
        );
        assert_eq!(
            kinds("{{/* c */ x}}").last().map(|i| i.1.clone()),
            Some("comment ends before closing delimiter".into())
        );
        assert_eq!(
            kinds("{{ .x ").last().map(|i| i.1.clone()),
            Some("unclosed action".into())
        );
        assert_eq!(
            kinds("{{ \"abc }}").last().map(|i| i.1.clone()),
            Some("unterminated quoted string".into())
        );
        assert_eq!(
            kinds("{{ 3x }}").last().map(|i| i.1.clone()),
            Some("bad number syntax: \"3x\"".into())
        );
        assert_eq!(
            kinds("{{ .x# }}").last().map(|i| i.1.clone()),
            Some("bad character U+0023 '#'".into())
        );
    }

    #[test]
    fn fields_chain_and_vars() {
        let k = kinds("{{$x.a.b}}");
        assert_eq!(k[1], (Tok::Variable, "$x".into()));
        assert_eq!(k[2], (Tok::Field, ".a".into()));
        assert_eq!(k[3], (Tok::Field, ".b".into()));
    }
}
