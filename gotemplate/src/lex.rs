//! The lexer: Go's `text/template/parse/lex.go` as a plain loop.
//!
//! Tokens keep their byte offset in the source, so every later error can point at the text.
//! Trim markers (`{{- ` and ` -}}`) are applied here, exactly as Go does: the marker needs an
//! adjacent ASCII space, and trimming removes all adjacent `" \t\r\n"`. A lexical error ends the
//! token stream with an [`Tok::Error`] token carrying Go's message.

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

/// A token: its kind and the byte range `pos..end` of its text in the source (for `Text`
/// items, after trimming). Tokens are plain numbers, so a token stream is one allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Item {
    /// Kind.
    pub typ: Tok,
    /// Byte offset of the token in the source.
    pub pos: u32,
    /// End offset (exclusive) of the token's text; equal to `pos` for `Eof` and `Error`.
    pub end: u32,
}

impl Item {
    /// The token's text in `src` (the text it was lexed from).
    pub fn val<'s>(&self, src: &'s str) -> &'s str {
        &src[self.pos as usize..self.end as usize]
    }

    /// Go's `item.String()`, used in `unexpected X in Y` messages; `error` is the lexer's
    /// message for an `Error` token.
    pub fn describe(&self, src: &str, error: &str) -> String {
        match self.typ {
            Tok::Eof => "EOF".to_string(),
            Tok::Error => error.to_string(),
            t if t.is_keyword() => format!("<{}>", self.val(src)),
            _ => {
                let val = self.val(src);
                if val.chars().count() > 10 {
                    let head: String = val.chars().take(10).collect();
                    format!("{}...", crate::gofmt::quote(&head))
                } else {
                    crate::gofmt::quote(val)
                }
            }
        }
    }
}

/// The token stream of one text.
#[derive(Debug, Default)]
pub struct Lexed {
    /// Tokens; the last is `Eof` or `Error`.
    pub items: Vec<Item>,
    /// The message of the final `Error` token, if any.
    pub error: Option<String>,
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
pub fn lex(input: &str, opts: LexOptions) -> Lexed {
    let mut out = Lexed::default();
    lex_into(input, opts, &mut out);
    out
}

/// [`lex`] into a reused buffer (cleared first).
pub fn lex_into(input: &str, opts: LexOptions, out: &mut Lexed) {
    out.items.clear();
    out.error = None;
    out.items.reserve(input.len() / 8 + 4);
    let mut l = Lexer {
        input,
        bytes: input.as_bytes(),
        pos: 0,
        start: 0,
        items: std::mem::take(&mut out.items),
        error: None,
        opts,
        paren_depth: 0,
    };
    l.run();
    out.items = l.items;
    out.error = l.error;
}

struct Lexer<'a> {
    input: &'a str,
    bytes: &'a [u8],
    pos: usize,
    start: usize,
    items: Vec<Item>,
    error: Option<String>,
    opts: LexOptions,
    paren_depth: i32,
}

enum State {
    Text,
    LeftDelim,
    InsideAction,
    Done,
}

impl Lexer<'_> {
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

    #[inline]
    fn push(&mut self, typ: Tok, pos: usize, end: usize) {
        self.items.push(Item {
            typ,
            pos: pos as u32,
            end: end as u32,
        });
    }

    #[inline]
    fn emit(&mut self, typ: Tok) {
        self.push(typ, self.start, self.pos);
        self.start = self.pos;
    }

    #[cold]
    fn errorf(&mut self, msg: String) -> State {
        self.push(Tok::Error, self.start, self.start);
        self.error = Some(msg);
        State::Done
    }

    #[inline]
    fn peek_char(&self) -> Option<char> {
        match self.bytes.get(self.pos) {
            None => None,
            Some(&b) if b < 0x80 => Some(b as char),
            Some(_) => self.input[self.pos..].chars().next(),
        }
    }

    #[inline]
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
                let mut end = self.pos;
                if has_left_trim(&self.bytes[delim_end..]) {
                    while end > self.start && is_space(self.bytes[end - 1]) {
                        end -= 1;
                    }
                }
                if end > self.start {
                    self.push(Tok::Text, self.start, end);
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
        self.push(Tok::LeftDelim, self.start, self.start + LEFT.len());
        self.pos += after;
        self.start = self.pos;
        self.paren_depth = 0;
        State::InsideAction
    }

    fn lex_comment(&mut self) -> State {
        self.pos += LEFT_COMMENT.len();
        let Some(x) = memchr::memmem::find(&self.bytes[self.pos..], RIGHT_COMMENT.as_bytes())
        else {
            return self.errorf("unclosed comment".into());
        };
        self.pos += x + RIGHT_COMMENT.len();
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.errorf("comment ends before closing delimiter".into());
        }
        let (cpos, cend) = (self.start, self.pos);
        if trim {
            self.pos += 2;
        }
        self.pos += RIGHT.len();
        if trim {
            self.pos += left_trim_len(&self.bytes[self.pos..]);
        }
        self.start = self.pos;
        if self.opts.emit_comment {
            self.push(Tok::Comment, cpos, cend);
        }
        State::Text
    }

    fn lex_right_delim(&mut self, trim: bool) -> State {
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
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                return self.errorf("unclosed action".into());
            };
            // Only a space or `}` can begin a right delimiter.
            if b == b'}' || is_space(b) {
                let (delim, trim) = self.at_right_delim();
                if delim {
                    if self.paren_depth == 0 {
                        return self.lex_right_delim(trim);
                    }
                    return self.errorf("unclosed left paren".into());
                }
            }
            if b >= 0x80 {
                let Some(c) = self.next_char() else {
                    return self.errorf("unclosed action".into());
                };
                if is_alnum(c) {
                    self.pos -= c.len_utf8();
                    if let Some(st) = self.lex_identifier() {
                        return st;
                    }
                    continue;
                }
                return self.errorf(format!(
                    "unrecognized character in action: {}",
                    crate::gofmt::char_u(c)
                ));
            }
            self.pos += 1;
            let st = match b {
                b' ' | b'\t' | b'\r' | b'\n' => {
                    self.pos -= 1;
                    self.lex_space();
                    None
                }
                b'=' => {
                    self.emit(Tok::Assign);
                    None
                }
                b':' => {
                    if self.next_char() != Some('=') {
                        return self.errorf("expected :=".into());
                    }
                    self.emit(Tok::Declare);
                    None
                }
                b'|' => {
                    self.emit(Tok::Pipe);
                    None
                }
                b'"' => self.lex_quote(),
                b'`' => self.lex_raw_quote(),
                b'$' => self.lex_field_or_variable(Tok::Variable),
                b'\'' => self.lex_char(),
                b'.' => {
                    if let Some(&b) = self.bytes.get(self.pos)
                        && !b.is_ascii_digit()
                    {
                        self.lex_field_or_variable(Tok::Field)
                    } else {
                        self.pos -= 1;
                        self.lex_number()
                    }
                }
                b'+' | b'-' | b'0'..=b'9' => {
                    self.pos -= 1;
                    self.lex_number()
                }
                b'(' => {
                    self.paren_depth += 1;
                    self.emit(Tok::LeftParen);
                    None
                }
                b')' => {
                    self.paren_depth -= 1;
                    if self.paren_depth < 0 {
                        return self.errorf("unexpected right paren".into());
                    }
                    self.emit(Tok::RightParen);
                    None
                }
                b if b == b'_' || b.is_ascii_alphanumeric() => {
                    self.pos -= 1;
                    self.lex_identifier()
                }
                b if !b.is_ascii_control() => {
                    self.emit(Tok::Char);
                    None
                }
                b => {
                    return self.errorf(format!(
                        "unrecognized character in action: {}",
                        crate::gofmt::char_u(b as char)
                    ));
                }
            };
            if let Some(st) = st {
                return st;
            }
        }
    }

    fn lex_space(&mut self) {
        let mut n = 0;
        while self.pos < self.bytes.len() && is_space(self.bytes[self.pos]) {
            self.pos += 1;
            n += 1;
        }
        let before = &self.bytes[self.pos - 1..];
        if has_right_trim(before) && before[2..].starts_with(RIGHT.as_bytes()) {
            self.pos -= 1;
            if n == 1 {
                return;
            }
        }
        self.emit(Tok::Space);
    }

    fn at_terminator(&self) -> bool {
        let Some(&b) = self.bytes.get(self.pos) else {
            return true;
        };
        match b {
            b' ' | b'\t' | b'\r' | b'\n' | b'.' | b',' | b'|' | b':' | b')' | b'(' => true,
            _ => self.bytes[self.pos..].starts_with(RIGHT.as_bytes()),
        }
    }

    #[cold]
    fn bad_char(&mut self) -> Option<State> {
        let c = self.peek_char();
        let desc = match c {
            Some(c) => crate::gofmt::char_u(c),
            None => "U+FFFFFFFF".into(),
        };
        if let Some(c) = c {
            self.pos += c.len_utf8();
        }
        Some(self.errorf(format!("bad character {desc}")))
    }

    /// Skips alphanumeric characters (Go's `isAlphaNumeric`).
    #[inline]
    fn skip_alnum(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if b == b'_' || b.is_ascii_alphanumeric() {
                self.pos += 1;
            } else if b >= 0x80 {
                match self.peek_char() {
                    Some(c) if is_alnum(c) => self.pos += c.len_utf8(),
                    _ => break,
                }
            } else {
                break;
            }
        }
    }

    fn lex_identifier(&mut self) -> Option<State> {
        self.skip_alnum();
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
        None
    }

    fn lex_field_or_variable(&mut self, typ: Tok) -> Option<State> {
        if self.at_terminator() {
            self.emit(if typ == Tok::Variable {
                Tok::Variable
            } else {
                Tok::Dot
            });
            return None;
        }
        self.skip_alnum();
        if !self.at_terminator() {
            return self.bad_char();
        }
        self.emit(typ);
        None
    }

    /// Scans a quoted token body up to the closing `quote` (the opening one consumed):
    /// backslash escapes skip the next character, a newline or the end of input is an error.
    fn scan_quoted(&mut self, quote: u8, msg: &str) -> Option<State> {
        loop {
            let rest = &self.bytes[self.pos..];
            let Some(k) = memchr::memchr3(quote, b'\\', b'\n', rest) else {
                self.pos = self.bytes.len();
                return Some(self.errorf(msg.into()));
            };
            self.pos += k + 1;
            match rest[k] {
                b'\\' => match self.next_char() {
                    Some('\n') | None => return Some(self.errorf(msg.into())),
                    _ => {}
                },
                b'\n' => return Some(self.errorf(msg.into())),
                _ => return None,
            }
        }
    }

    fn lex_char(&mut self) -> Option<State> {
        if let Some(st) = self.scan_quoted(b'\'', "unterminated character constant") {
            return Some(st);
        }
        self.emit(Tok::CharConstant);
        None
    }

    fn lex_quote(&mut self) -> Option<State> {
        if let Some(st) = self.scan_quoted(b'"', "unterminated quoted string") {
            return Some(st);
        }
        self.emit(Tok::String);
        None
    }

    fn lex_raw_quote(&mut self) -> Option<State> {
        match memchr::memchr(b'`', &self.bytes[self.pos..]) {
            None => {
                self.pos = self.bytes.len();
                return Some(self.errorf("unterminated raw quoted string".into()));
            }
            Some(k) => self.pos += k + 1,
        }
        self.emit(Tok::RawString);
        None
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

    fn lex_number(&mut self) -> Option<State> {
        if !self.scan_number() {
            let text = self.input[self.start..self.pos].to_string();
            return Some(self.errorf(format!("bad number syntax: {}", crate::gofmt::quote(&text))));
        }
        if let Some(&b) = self.bytes.get(self.pos)
            && (b == b'+' || b == b'-')
        {
            if !self.scan_number() || self.bytes[self.pos - 1] != b'i' {
                let text = self.input[self.start..self.pos].to_string();
                return Some(
                    self.errorf(format!("bad number syntax: {}", crate::gofmt::quote(&text))),
                );
            }
            self.emit(Tok::Complex);
            return None;
        }
        self.emit(Tok::Number);
        None
    }
}

/// Offset of the next `{{`.
fn find_left(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(k) = memchr::memchr(b'{', &b[i..]) {
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
        let l = lex(s, LexOptions::default());
        l.items
            .iter()
            .map(|i| {
                let v = if i.typ == Tok::Error {
                    l.error.clone().unwrap_or_default()
                } else {
                    i.val(s).to_string()
                };
                (i.typ, v)
            })
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
