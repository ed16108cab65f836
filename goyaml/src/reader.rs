//! The reader: saphyr-parser events → [`Node`] trees with goyaml.v2 semantics.
//!
//! Mirrors `decode.go` of goyaml.v2 (as vendored by sigs.k8s.io/yaml): YAML 1.1 resolution,
//! explicit tags, alias expansion with the same "excessive aliasing" budget, merge keys with
//! v2's precedence (entries are applied in order, later ones overwrite earlier ones; in a
//! sequence of maps earlier maps win), and duplicate keys (last wins, or an error in strict
//! mode like `UnmarshalStrict`).

use crate::error::{Error, ErrorKind};
use crate::node::{Node, Span, Value};
use crate::resolve::{Resolved, resolve_plain};
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, StrInput};
use std::collections::HashMap;

/// Reader options.
#[derive(Debug, Clone)]
pub struct ParseOptions {
    /// Duplicate keys are errors (goyaml.v2 `UnmarshalStrict`, kubectl `--validate=strict`).
    pub strict: bool,
    /// Maximum nesting of collections. goyaml.v2 allows 10000; the default here is 1000 so that
    /// recursive consumers (JSON conversion, emitter, drop) stay far from stack overflows.
    pub max_depth: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            strict: false,
            max_depth: 1000,
        }
    }
}

/// Parses the first document of `input` like goyaml.v2 `yaml.Unmarshal` into `interface{}`.
///
/// An empty stream (or one with only comments) gives a null node. Later documents are
/// ignored, as Go does.
pub fn parse(input: &str) -> Result<Node, Error> {
    parse_with(input, &ParseOptions::default())
}

/// [`parse`] with options.
pub fn parse_with(input: &str, opts: &ParseOptions) -> Result<Node, Error> {
    let first = parse_first(input, opts);
    match &first {
        Err(e) if is_fixable(e, input) => {}
        _ => return first,
    }
    // saphyr-parser (YAML 1.2) rejects two things libyaml accepts and that occur in real
    // files: `key:<TAB>value`, and continuation lines of a multi-line quoted scalar that are
    // not indented past the enclosing block (controller-gen CRDs have them). Neither changes
    // the value, so fix the text and parse again; spans are mapped back to the input.
    let mut fixed = input.to_string();
    // (offset in the fixed text at that stage, spaces inserted, line)
    let mut inserts: Vec<(usize, usize, usize)> = Vec::new();
    let budget = input.len() + 1;
    let mut bulk_done = false;
    for _ in 0..budget {
        match parse_first(&fixed, opts) {
            Err(e) if e.message == TAB_AFTER_COLON => {
                if !fix_tab_after_colon(&mut fixed, &e) {
                    return Err(unmap_error(e, &inserts));
                }
            }
            Err(e) if e.message == QUOTED_INDENT && !bulk_done => {
                // One pass over the whole text fixes the usual case (a CRD full of such
                // descriptions) without one re-parse per scalar.
                bulk_done = true;
                fix_all_quoted(&mut fixed, &mut inserts);
            }
            Err(e) if e.message == QUOTED_INDENT => {
                let mut unclosed = false;
                if !fix_quoted_indent(&mut fixed, &e, &mut inserts, &mut unclosed) {
                    if unclosed {
                        // libyaml reads on to the end of the input.
                        let sp = e.span.unwrap_or_default();
                        let eof = crate::errors_map::map_scan_error(
                            "while scanning a quoted scalar, found unexpected end of stream",
                            sp,
                            &fixed,
                        );
                        return Err(unmap_error(eof, &inserts));
                    }
                    return Err(unmap_error(e, &inserts));
                }
            }
            Err(e) if is_flow_indent(&e, &fixed) => {
                if !fix_flow_indent(&mut fixed, &e, &mut inserts) {
                    return Err(unmap_error(e, &inserts));
                }
            }
            Ok(mut node) => {
                if !inserts.is_empty() {
                    unmap_tree(&mut node, &inserts);
                }
                return Ok(node);
            }
            Err(e) => return Err(unmap_error(e, &inserts)),
        }
    }
    first
}

const QUOTED_INDENT: &str = "invalid indentation in quoted scalar";
fn is_flow_indent(e: &Error, src: &str) -> bool {
    matches!(
        e.raw.as_deref(),
        Some("invalid indentation in flow construct" | "invalid indentation")
    ) && e
        .span
        .is_some_and(|s| crate::errors_map::innermost_flow_pos(src, s.offset).is_some())
}

fn is_fixable(e: &Error, src: &str) -> bool {
    e.message == TAB_AFTER_COLON || e.message == QUOTED_INDENT || is_flow_indent(e, src)
}

/// Indents the lines of the flow collection around the error that are not indented past
/// the enclosing block (libyaml does not care about indentation inside `[...]`/`{...}`).
/// The whole outermost collection is fixed at once.
fn fix_flow_indent(
    fixed: &mut String,
    e: &Error,
    inserts: &mut Vec<(usize, usize, usize)>,
) -> bool {
    let Some(sp) = e.span else { return false };
    let Some(open) = crate::errors_map::outermost_flow_pos(fixed, sp.offset) else {
        return false;
    };
    let close = crate::errors_map::matching_close(fixed, open).unwrap_or(fixed.len());
    let open_line_start = fixed[..open].rfind('\n').map_or(0, |p| p + 1);
    let base = fixed[open_line_start..]
        .chars()
        .take_while(|c| *c == ' ')
        .count();
    let target = base + 1;
    let first_line = fixed[..open].matches('\n').count() + 1;
    let mut out = String::with_capacity(fixed.len() + 64);
    out.push_str(&fixed[..open]);
    let mut changed = false;
    let mut line_no = first_line;
    let region = &fixed[open..close.min(fixed.len())];
    for (i, piece) in region.split_inclusive('\n').enumerate() {
        if i > 0 {
            line_no += 1;
            let lead = piece
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .count();
            // The last piece ends at the closing bracket, which counts as content.
            let blank = piece.trim().is_empty() && piece.ends_with('\n');
            let blank = blank || piece.is_empty();
            if lead < target && !blank {
                let k = target - lead;
                inserts.push((out.len(), k, line_no));
                out.push_str(&" ".repeat(k));
                changed = true;
            }
        }
        out.push_str(piece);
    }
    // A closing bracket at the start of its line.
    if region.ends_with('\n') && close < fixed.len() && target > 0 {
        line_no += 1;
        inserts.push((out.len(), target, line_no));
        out.push_str(&" ".repeat(target));
        changed = true;
    }
    out.push_str(&fixed[close.min(fixed.len())..]);
    *fixed = out;
    changed
}

fn fix_tab_after_colon(fixed: &mut String, e: &Error) -> bool {
    // The mark is at or just after the tab(s) following the `:`.
    let Some(off) = e.span.map(|s| (s.offset + 1).min(fixed.len())) else {
        return false;
    };
    let Some(colon) = fixed[..off].rfind(':') else {
        return false;
    };
    let gap = colon + 1..off;
    if !fixed[gap.clone()].contains('\t') {
        return false;
    }
    let spaced = fixed[gap.clone()].replace('\t', " ");
    fixed.replace_range(gap, &spaced);
    true
}

/// Indents the continuation lines of the quoted scalar starting at the error mark past its
/// opening quote's column.
fn fix_quoted_indent(
    fixed: &mut String,
    e: &Error,
    inserts: &mut Vec<(usize, usize, usize)>,
    unclosed: &mut bool,
) -> bool {
    let Some(sp) = e.span else { return false };
    let start = sp.offset;
    let b = fixed.as_bytes();
    let Some(&q) = b.get(start) else { return false };
    if q != b'\'' && q != b'"' {
        return false;
    }
    // Find the closing quote.
    let mut i = start + 1;
    let end = loop {
        match b.get(i) {
            None => {
                *unclosed = true;
                return false;
            }
            Some(b'\\') if q == b'"' => i += 2,
            Some(b'\'') if q == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 2,
            Some(&c) if c == q => break i,
            Some(_) => i += 1,
        }
    };
    let target = sp.column; // 1-based column of the quote = one past its 0-based column
    let mut line = sp.line;
    let mut changed = false;
    let mut pos = start;
    let mut end = end;
    while let Some(nl) = fixed[pos..end].find('\n') {
        let ls = pos + nl + 1;
        line += 1;
        let lead = fixed[ls..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .count();
        if lead < target {
            let k = target - lead;
            fixed.insert_str(ls, &" ".repeat(k));
            inserts.push((ls, k, line));
            end += k;
            changed = true;
        }
        pos = ls;
    }
    changed
}

/// Indents the continuation lines of every multi-line quoted scalar that starts a block
/// value (`key: '…`, `- "…`), skipping comments and block scalar bodies. Extra leading
/// blanks on those lines do not change the value.
fn fix_all_quoted(text: &mut String, inserts: &mut Vec<(usize, usize, usize)>) {
    let mut out = String::with_capacity(text.len() + 64);
    let mut line_no = 0usize;
    let mut block_body: Option<usize> = None; // indentation of a block scalar's parent line
    // (quote char, required indentation) while inside a multi-line quoted scalar
    let mut open: Option<(char, usize)> = None;
    for line in text.split_inclusive('\n') {
        line_no += 1;
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start_matches(' ').len();
        let content = &body[indent..];
        if let Some((q, need)) = open {
            let lead = body.chars().take_while(|c| *c == ' ' || *c == '\t').count();
            if lead < need && !content.is_empty() {
                let k = need - lead;
                inserts.push((out.len(), k, line_no));
                out.push_str(&" ".repeat(k));
            }
            out.push_str(line);
            if closes_quote(body, q) {
                open = None;
            }
            continue;
        }
        out.push_str(line);
        if let Some(bi) = block_body {
            if content.is_empty() || indent > bi {
                continue;
            }
            block_body = None;
        }
        if content.starts_with('#') {
            continue;
        }
        let Some(vpos) = value_start(body, indent) else {
            continue;
        };
        let value = &body[vpos..];
        match value.chars().next() {
            Some('|' | '>') => block_body = Some(indent),
            Some(q @ ('\'' | '"')) if !closes_quote(&value[1..], q) => {
                let col = body[..vpos].chars().count();
                open = Some((q, col + 1));
            }
            _ => {}
        }
    }
    *text = out;
}

/// Where a block-context value starts on a line: after `- ` markers and an unquoted
/// `key: `; `None` if the line has no such value.
fn value_start(line: &str, indent: usize) -> Option<usize> {
    let mut i = indent;
    let b = line.as_bytes();
    while b.get(i) == Some(&b'-') && matches!(b.get(i + 1), Some(b' ')) {
        i += 2;
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
    }
    let rest = &line[i..];
    if rest.starts_with(['\'', '"', '|', '>']) {
        return Some(i);
    }
    // An unquoted key: the first ": " (keys with quotes or flow indicators are left alone).
    if rest.starts_with(['[', '{', '#', '&', '*', '!', '?']) {
        return None;
    }
    let colon = rest.find(": ")?;
    if rest[..colon].contains(['\'', '"', '#']) {
        return None;
    }
    let mut j = i + colon + 2;
    while b.get(j) == Some(&b' ') {
        j += 1;
    }
    (j < line.len()).then_some(j)
}

/// Does `s` (the rest of a line inside a quoted scalar) contain the closing quote?
fn closes_quote(s: &str, q: char) -> bool {
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if q == '"' && c == '\\' {
            it.next();
        } else if c == q {
            if q == '\'' && it.peek() == Some(&'\'') {
                it.next();
            } else {
                return true;
            }
        }
    }
    false
}

/// Maps an offset/column in the fixed text back to the input.
fn unmap_span(sp: &mut Span, inserts: &[(usize, usize, usize)]) {
    for &(q, k, line) in inserts.iter().rev() {
        if sp.offset >= q + k {
            sp.offset -= k;
            if sp.line == line {
                sp.column = sp.column.saturating_sub(k).max(1);
            }
        } else if sp.offset >= q {
            sp.offset = q;
            if sp.line == line {
                sp.column = 1;
            }
        }
    }
}

fn unmap_error(mut e: Error, inserts: &[(usize, usize, usize)]) -> Error {
    if let Some(sp) = e.span.as_mut() {
        unmap_span(sp, inserts);
    }
    e
}

fn unmap_tree(node: &mut Node, inserts: &[(usize, usize, usize)]) {
    let mut stack: Vec<&mut Node> = vec![node];
    while let Some(n) = stack.pop() {
        unmap_span(&mut n.span, inserts);
        match &mut n.value {
            Value::Seq(items) => stack.extend(items.iter_mut()),
            Value::Map(entries) => {
                for (k, v) in entries.iter_mut() {
                    stack.push(k);
                    stack.push(v);
                }
            }
            _ => {}
        }
    }
}

const TAB_AFTER_COLON: &str = "':' must be followed by a valid YAML whitespace";

fn parse_first(input: &str, opts: &ParseOptions) -> Result<Node, Error> {
    let mut docs = Documents::with_options(input, opts.clone());
    match docs.next() {
        None => Ok(Node {
            value: Value::Null,
            span: docs.base_span(),
        }),
        Some(r) => r,
    }
}

/// Parses raw bytes: checks UTF-8 first (goyaml's `invalid leading UTF-8 octet` and friends).
pub fn parse_bytes(input: &[u8]) -> Result<Node, Error> {
    parse(check_utf8(input)?)
}

/// All documents of a stream (`---`-separated), each resolved on its own (anchors do not
/// cross documents). An empty stream gives no documents; an explicit empty document gives a
/// null node.
pub fn parse_all(input: &str) -> Result<Vec<Node>, Error> {
    Documents::new(input).collect()
}

/// Validates UTF-8 and returns the text, with goyaml's error message on failure.
pub fn check_utf8(input: &[u8]) -> Result<&str, Error> {
    match std::str::from_utf8(input) {
        Ok(s) => Ok(s),
        Err(e) => {
            let at = e.valid_up_to();
            let b = input[at];
            let width = match b {
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF7 => 4,
                _ => 0,
            };
            let msg = if width == 0 {
                "invalid leading UTF-8 octet"
            } else if at + width > input.len() {
                "incomplete UTF-8 octet sequence"
            } else if input[at + 1..at + width].iter().any(|&c| c & 0xC0 != 0x80) {
                "invalid trailing UTF-8 octet"
            } else if b == 0xC0
                || b == 0xC1
                || (b == 0xE0 && input[at + 1] < 0xA0)
                || (b == 0xF0 && input[at + 1] < 0x90)
            {
                "invalid length of a UTF-8 sequence"
            } else {
                "invalid Unicode character"
            };
            let prefix = &input[..at];
            let line = prefix.iter().filter(|&&c| c == b'\n').count() + 1;
            let line_start = prefix
                .iter()
                .rposition(|&c| c == b'\n')
                .map_or(0, |p| p + 1);
            let column = String::from_utf8_lossy(&prefix[line_start..])
                .chars()
                .count()
                + 1;
            Err(Error::new(ErrorKind::Encoding, msg).at(Span {
                offset: at,
                line,
                column,
            }))
        }
    }
}

/// A streaming iterator over the documents of a YAML stream. Each item is one resolved
/// document; after the first error the iterator ends.
pub struct Documents<'a> {
    src: &'a str,
    /// Bytes skipped at the start (a UTF-8 BOM).
    skip: usize,
    parser: Parser<'a, StrInput<'a>>,
    opts: ParseOptions,
    pos: PosMap<'a>,
    done: bool,
    checked: bool,
    /// The first character libyaml's reader would reject, if any.
    bad_char: Option<Error>,
    /// Character index where the last event ended.
    last_end_char: usize,
    /// Length of the input (after a BOM) in characters.
    body_chars: usize,
    /// The input (after a BOM) ends with a line break.
    ends_with_break: bool,
    /// The input holds NEL, LS or PS characters (YAML 1.1 line breaks).
    has_11_breaks: bool,
}

impl<'a> Documents<'a> {
    /// Documents of `input` with default options.
    pub fn new(input: &'a str) -> Documents<'a> {
        Documents::with_options(input, ParseOptions::default())
    }

    /// Documents of `input` with the given options.
    pub fn with_options(input: &'a str, opts: ParseOptions) -> Documents<'a> {
        let (skip, body) = match input.strip_prefix('\u{feff}') {
            Some(rest) => (3, rest),
            None => (0, input),
        };
        Documents {
            src: input,
            skip,
            parser: Parser::new_from_str(body),
            opts,
            pos: PosMap::new(body),
            done: false,
            checked: false,
            bad_char: None,
            last_end_char: 0,
            body_chars: if body.is_ascii() {
                body.len()
            } else {
                body.chars().count()
            },
            ends_with_break: body.ends_with('\n') || body.ends_with('\r'),
            has_11_breaks: !body.is_ascii() && body.contains(['\u{85}', '\u{2028}', '\u{2029}']),
        }
    }

    fn base_span(&self) -> Span {
        Span {
            offset: self.skip,
            line: 1,
            column: 1,
        }
    }

    fn span(&mut self, m: &saphyr_parser::Marker) -> Span {
        Span {
            offset: self.pos.byte(m.index()) + self.skip,
            line: m.line(),
            column: m.col() + 1,
        }
    }

    fn next_event(&mut self) -> Result<Option<(Event<'a>, Span)>, Error> {
        match self.next_event_raw() {
            Err(e) => Err(self.or_bad_char(e)),
            ok => ok,
        }
    }

    /// goyaml's reader decodes (and checks) the input in 512-byte chunks as the scanner
    /// asks for characters: a forbidden character is reported instead of a syntax error
    /// once the scanner got into its chunk.
    fn bad_char_reached(&self, offset: usize) -> bool {
        const CHUNK: usize = 512;
        const LOOKAHEAD: usize = 4;
        match self.bad_char.as_ref().and_then(|b| b.span) {
            Some(sp) => (sp.offset / CHUNK) * CHUNK <= offset + LOOKAHEAD,
            None => false,
        }
    }

    fn or_bad_char(&self, e: Error) -> Error {
        let at = e.span.map_or(0, |s| s.offset);
        match &self.bad_char {
            Some(bc) if self.bad_char_reached(at) => bc.clone(),
            _ => e,
        }
    }

    fn next_event_raw(&mut self) -> Result<Option<(Event<'a>, Span)>, Error> {
        match self.parser.next_event() {
            None => Ok(None),
            Some(Ok((ev, span))) => {
                let sp = self.span(&span.start);
                self.last_end_char = span.end.index();
                Ok(Some((ev, sp)))
            }
            Some(Err(e)) => Err(self.scan_error(&e)),
        }
    }

    fn scan_error(&mut self, e: &ScanError) -> Error {
        let span = self.span(e.marker());
        crate::errors_map::map_scan_error(e.info(), span, self.src)
    }

    /// libyaml's reader rejects characters outside the YAML printable set before parsing.
    fn check_chars(&self) -> Result<(), Error> {
        let allowed = |u: u32| {
            u == 0x09
                || u == 0x0A
                || u == 0x0D
                || (0x20..=0x7E).contains(&u)
                || u == 0x85
                || (0xA0..=0xD7FF).contains(&u)
                || (0xE000..=0xFFFD).contains(&u)
                || (0x10000..=0x10FFFF).contains(&u)
        };
        // ASCII bytes are checked as bytes; only non-ASCII characters are decoded.
        let body = &self.src[self.skip..];
        let bytes = body.as_bytes();
        let mut i = 0;
        let mut bad = None;
        while i < bytes.len() {
            let b = bytes[i];
            if b < 0x80 {
                if !allowed(u32::from(b)) {
                    bad = Some(i);
                    break;
                }
                i += 1;
                continue;
            }
            let Some(c) = body[i..].chars().next() else {
                break;
            };
            if !allowed(c as u32) {
                bad = Some(i);
                break;
            }
            i += c.len_utf8();
        }
        match bad {
            None => Ok(()),
            Some(i) => {
                let off = self.skip + i;
                let before = &self.src[..off];
                let line = before.matches('\n').count() + 1;
                let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                Err(
                    Error::new(ErrorKind::Encoding, "control characters are not allowed").at(
                        Span {
                            offset: off,
                            line,
                            column: col,
                        },
                    ),
                )
            }
        }
    }

    fn read_document(&mut self) -> Result<Option<Node>, Error> {
        if !self.checked {
            self.checked = true;
            // libyaml meets a forbidden character when its reader gets there: a syntax error
            // earlier in the text wins, and so does the end of the document.
            self.bad_char = self.check_chars().err();
        }
        // Skip to the next DocumentStart (or the end).
        let doc_span = loop {
            match self.next_event()? {
                None => return Ok(None),
                Some((Event::StreamEnd, _)) => return Ok(None),
                Some((Event::DocumentStart(_), sp)) => break sp,
                Some(_) => {}
            }
        };
        let mut b = Builder::new(self.opts.clone());
        // Which open collections are flow collections.
        let mut flow: Vec<bool> = Vec::new();
        loop {
            let next = match self.next_event().map_err(|e| self.refine(e, &b)) {
                Ok(n) => n,
                // libyaml reads `... x` as a document end followed by a new document, which
                // `Unmarshal` never looks at; saphyr rejects the trailing content.
                Err(e) if e.message == "invalid content after document end marker" => {
                    // Close what is open, as the document end would have.
                    while let Some(top) = b.stack.last() {
                        if let Frame::Map {
                            pending: Some(_), ..
                        } = top
                        {
                            b.push(
                                Node {
                                    value: Value::Null,
                                    span: doc_span,
                                },
                                false,
                            )?;
                        }
                        b.end()?;
                    }
                    self.done = true;
                    None
                }
                Err(e) => return Err(e),
            };
            let Some((ev, span)) = next else {
                match b.root.take() {
                    Some(root) if b.stack.is_empty() => return Ok(Some(root)),
                    _ => return Err(Error::new(ErrorKind::Syntax, "unexpected end of stream")),
                }
            };
            match ev {
                Event::DocumentEnd => break,
                Event::StreamEnd => break,
                Event::Scalar(mut text, style, anchor, tag) => {
                    // A block scalar running into the end of an input that has no final line
                    // break: libyaml does not count the unterminated last line as a break,
                    // saphyr-parser does.
                    if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
                        && !self.ends_with_break
                        && self.last_end_char >= self.body_chars
                        && text.ends_with('\n')
                    {
                        text.to_mut().pop();
                    }
                    // YAML 1.1 line breaks (NEL, LS, PS) inside quoted scalars: libyaml folds
                    // them, saphyr-parser (YAML 1.2) keeps them as characters.
                    if self.has_11_breaks
                        && matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted)
                    {
                        let end = self.pos.byte(self.last_end_char) + self.skip;
                        if let Some(raw) = self.src.get(span.offset..end)
                            && raw.contains(['\u{85}', '\u{2028}', '\u{2029}'])
                            && let Some(v) = crate::flow11::fold_quoted(raw)
                        {
                            if b.in_key_position() && !self.after_question_mark(span.offset) {
                                // For libyaml this is a multi-line implicit key.
                                return Err(self.or_bad_char(self.multiline_key_error(span, end)));
                            }
                            text = v.into();
                        }
                    }
                    if text.is_empty()
                        && style == ScalarStyle::Plain
                        && tag.is_none()
                        && anchor == 0
                        && b.in_key_position()
                        && self.is_bare_value_indicator(span.offset)
                    {
                        // `: a` with no key: YAML 1.2 allows an empty key, libyaml does not.
                        let mut e =
                            Error::new(ErrorKind::Syntax, "did not find expected key").at(span);
                        if span.line > 1 {
                            e = e.with_go_line(span.line - 1);
                        }
                        return Err(e);
                    }
                    let tag = tag.map(|t| full_tag(&t.handle, &t.suffix));
                    b.scalar(text.into_owned(), style, anchor, tag, span)?;
                }
                Event::SequenceStart(anchor, _) => {
                    flow.push(self.byte_at(span.offset) == Some(b'['));
                    let span = self.seq_start_span(span);
                    b.start(true, anchor, span)?
                }
                Event::MappingStart(anchor, _) => {
                    flow.push(self.byte_at(span.offset) == Some(b'{'));
                    b.start(false, anchor, span)?
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let was_flow = flow.pop().unwrap_or(false);
                    if was_flow && !flow.last().copied().unwrap_or(false) {
                        self.check_after_flow(span, &b)?;
                    }
                    b.end()?
                }
                Event::Alias(id) => {
                    let name = self.alias_name(span);
                    b.alias(id, &name, span)?;
                }
                Event::Nothing | Event::StreamStart | Event::DocumentStart(_) => {}
            }
        }
        let root = b.root.take().unwrap_or(Node {
            value: Value::Null,
            span: doc_span,
        });
        let doc_end = self.pos.byte(self.last_end_char) + self.skip;
        if let Some(bc) = &self.bad_char
            && (self.bad_char_reached(doc_end) || self.done)
        {
            return Err(bc.clone());
        }
        if let Some(e) = b.deferred.take() {
            return Err(e);
        }
        if !b.strict_errors.is_empty() {
            let mut msg = String::from("unmarshal errors:");
            for e in &b.strict_errors {
                msg.push_str("\n  ");
                msg.push_str(e);
            }
            return Err(Error::new(ErrorKind::Strict, msg).at(b.first_strict_span));
        }
        Ok(Some(root))
    }

    /// libyaml's parser words some errors by what it expected next; saphyr's scanner does not
    /// know that, the builder does.
    fn refine(&self, mut e: Error, b: &Builder) -> Error {
        match e.raw.as_deref() {
            Some("misplaced bracket") => {
                e.message = match b.stack.last() {
                    Some(Frame::Map { pending: None, .. }) => "did not find expected key",
                    _ => "did not find expected node content",
                }
                .into();
            }
            Some("invalid trailing content after double-quoted scalar") => {
                let span = e.span.unwrap_or_default();
                e.message = match crate::errors_map::innermost_flow_pos(self.src, span.offset) {
                    Some(p) if self.src.as_bytes()[p] == b'{' => "did not find expected ',' or '}'",
                    Some(_) => "did not find expected ',' or ']'",
                    None => match b.stack.last() {
                        Some(Frame::Seq { .. }) => "did not find expected '-' indicator",
                        _ => "did not find expected key",
                    },
                }
                .into();
            }
            _ => {}
        }
        e
    }

    /// Is the node at `offset` an explicit (`? `) key?
    fn after_question_mark(&self, offset: usize) -> bool {
        self.src[..offset]
            .trim_end_matches([' ', '\t', '\n', '\r'])
            .ends_with('?')
    }

    fn multiline_key_error(&self, span: Span, key_end: usize) -> Error {
        // libyaml counts NEL/LS/PS as line breaks, so its line numbers run ahead.
        let extra = self.src[..key_end.min(self.src.len())]
            .matches(['\u{85}', '\u{2028}', '\u{2029}'])
            .count();
        let (stage_parser, msg) = match crate::errors_map::innermost_flow_pos(self.src, span.offset)
        {
            Some(p) if self.src.as_bytes()[p] == b'{' => (true, "did not find expected ',' or '}'"),
            Some(_) => (true, "did not find expected ',' or ']'"),
            None => (false, "could not find expected ':'"),
        };
        let mut e = Error::new(ErrorKind::Syntax, msg).at(span);
        let line = if stage_parser {
            span.line.saturating_sub(1) + extra
        } else {
            span.line + extra
        };
        if line > 0 && (stage_parser || line > 1) {
            e = e.with_go_line(line);
        }
        e
    }

    fn byte_at(&self, offset: usize) -> Option<u8> {
        self.src.as_bytes().get(offset).copied()
    }

    /// After a flow collection in block context only blanks, a comment or `:` may follow on
    /// the same line. saphyr-parser lets `{{x}}/y` through; libyaml rejects it.
    fn check_after_flow(&self, end: Span, b: &Builder) -> Result<(), Error> {
        let bytes = self.src.as_bytes();
        let mut i = end.offset;
        if !matches!(bytes.get(i), Some(b']' | b'}')) {
            return Ok(());
        }
        i += 1;
        while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
            i += 1;
        }
        match bytes.get(i) {
            None | Some(b'\n' | b'\r' | b'#' | b':' | b',' | b']' | b'}') => Ok(()),
            Some(_) => {
                let msg = match b.stack.last() {
                    Some(Frame::Map { .. }) => "did not find expected key",
                    Some(Frame::Seq { .. }) => "did not find expected '-' indicator",
                    None => "did not find expected <document start>",
                };
                let col = end.column + (i - end.offset);
                let mut e = Error::new(ErrorKind::Syntax, msg).at(Span {
                    offset: i,
                    line: end.line,
                    column: col,
                });
                if end.line > 1 {
                    e = e.with_go_line(end.line - 1);
                }
                Err(e)
            }
        }
    }

    /// saphyr reports an indentless block sequence (`key:\n- x`) at its first item's content;
    /// move such spans back to the `-`.
    fn seq_start_span(&self, span: Span) -> Span {
        let b = self.src.as_bytes();
        if matches!(b.get(span.offset), Some(b'-' | b'[')) {
            return span;
        }
        let mut i = span.offset;
        while i > self.skip && b[i - 1] == b' ' {
            i -= 1;
        }
        if i > self.skip && b[i - 1] == b'-' && span.column > span.offset - i + 1 {
            let back = span.offset - (i - 1);
            return Span {
                offset: i - 1,
                line: span.line,
                column: span.column - back,
            };
        }
        span
    }

    /// Is the byte at `offset` a `:` that starts its line (after indentation)?
    fn is_bare_value_indicator(&self, offset: usize) -> bool {
        let b = self.src.as_bytes();
        if b.get(offset) != Some(&b':') {
            return false;
        }
        let line_start = self.src[..offset].rfind('\n').map_or(self.skip, |p| p + 1);
        if !self.src[line_start..offset].bytes().all(|c| c == b' ') {
            return false;
        }
        // `? key` on the nearest earlier line at the same or lower indentation makes this an
        // explicit key's value.
        let indent = offset - line_start;
        for line in self.src[self.skip..line_start].lines().rev() {
            let body = line.trim_start_matches(' ');
            if body.trim().is_empty() || body.starts_with('#') {
                continue;
            }
            if line.len() - body.len() <= indent {
                return !body.starts_with('?');
            }
        }
        true
    }

    fn alias_name(&self, span: Span) -> String {
        // `*name` at span.offset: the name runs to the next whitespace or flow indicator.
        let rest = self.src.get(span.offset..).unwrap_or("");
        let rest = rest.strip_prefix('*').unwrap_or(rest);
        rest.chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '[' | ']' | '{' | '}'))
            .collect()
    }
}

impl Iterator for Documents<'_> {
    type Item = Result<Node, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.read_document() {
            Ok(Some(n)) => Some(Ok(n)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

fn full_tag(handle: &str, suffix: &str) -> String {
    let full = format!("{handle}{suffix}");
    match full.strip_prefix("tag:yaml.org,2002:") {
        Some(rest) => format!("!!{rest}"),
        None => full,
    }
}

/// Converts saphyr's character indices to byte offsets, cheaply for mostly increasing queries.
struct PosMap<'a> {
    src: &'a str,
    ascii: bool,
    char_idx: usize,
    byte_idx: usize,
}

impl<'a> PosMap<'a> {
    fn new(src: &'a str) -> Self {
        PosMap {
            src,
            ascii: src.is_ascii(),
            char_idx: 0,
            byte_idx: 0,
        }
    }

    fn byte(&mut self, ch: usize) -> usize {
        if self.ascii {
            return ch.min(self.src.len());
        }
        if ch < self.char_idx {
            // Walk backwards.
            while self.char_idx > ch && self.byte_idx > 0 {
                self.byte_idx -= 1;
                while !self.src.is_char_boundary(self.byte_idx) {
                    self.byte_idx -= 1;
                }
                self.char_idx -= 1;
            }
        } else {
            let bytes = self.src.as_bytes();
            while self.char_idx < ch && self.byte_idx < bytes.len() {
                let c = bytes[self.byte_idx];
                self.byte_idx += if c < 0x80 {
                    1
                } else if c >= 0xF0 {
                    4
                } else if c >= 0xE0 {
                    3
                } else {
                    2
                };
                self.char_idx += 1;
            }
        }
        self.byte_idx
    }
}

/// Key identity with Go `interface{}` map-key equality.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum KeyId {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(u64),
    /// NaN never equals anything, not even itself.
    Unique(usize),
    Str(String),
}

fn key_id(v: &Value, unique: &mut usize) -> KeyId {
    match v {
        Value::Null => KeyId::Null,
        Value::Bool(b) => KeyId::Bool(*b),
        Value::Int(i) => KeyId::Int(*i),
        Value::Uint(u) => KeyId::Uint(*u),
        Value::Float(f) if f.is_nan() => {
            *unique += 1;
            KeyId::Unique(*unique)
        }
        Value::Float(f) => KeyId::Float((*f + 0.0).to_bits()),
        Value::Str(s) => KeyId::Str(s.clone()),
        Value::Seq(_) | Value::Map(_) => {
            *unique += 1;
            KeyId::Unique(*unique)
        }
    }
}

enum Frame {
    Seq {
        items: Vec<Node>,
        span: Span,
        anchor: usize,
        start_count: usize,
    },
    Map {
        entries: Vec<(Node, Node)>,
        index: HashMap<KeyId, usize>,
        pending: Option<(Node, bool)>,
        span: Span,
        anchor: usize,
        start_count: usize,
    },
}

struct Builder {
    opts: ParseOptions,
    stack: Vec<Frame>,
    root: Option<Node>,
    /// Completed anchored nodes and their goyaml decode cost.
    anchors: HashMap<usize, (Node, usize)>,
    /// Anchors of collections still open (for "value contains itself").
    open_anchors: Vec<usize>,
    decode_count: usize,
    alias_count: usize,
    unique: usize,
    strict_errors: Vec<String>,
    first_strict_span: Span,
    deferred: Option<Error>,
}

impl Builder {
    fn new(opts: ParseOptions) -> Self {
        Builder {
            opts,
            stack: Vec::new(),
            root: None,
            anchors: HashMap::new(),
            open_anchors: Vec::new(),
            decode_count: 0,
            alias_count: 0,
            unique: 0,
            strict_errors: Vec::new(),
            first_strict_span: Span::default(),
            deferred: None,
        }
    }

    /// Is the next node a mapping key? Then `<<` is a merge key.
    fn in_key_position(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { pending: None, .. }))
    }

    /// Is the next node the value of a merge key?
    fn in_merge_value(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame::Map {
                pending: Some((_, true)),
                ..
            })
        )
    }

    fn scalar(
        &mut self,
        text: String,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<String>,
        span: Span,
    ) -> Result<(), Error> {
        let plain = style == ScalarStyle::Plain;
        let is_merge = self.in_key_position()
            && text == "<<"
            && ((plain && tag.is_none()) || tag.as_deref() == Some("!!merge"));
        if !is_merge {
            self.decode_count += 1;
        }
        let value = if is_merge {
            Value::Str(text)
        } else {
            match resolve_scalar(text, plain, tag.as_deref()) {
                Ok(v) => v,
                Err(e) => {
                    self.defer(e.at(span));
                    Value::Null
                }
            }
        };
        let node = Node { value, span };
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), 1));
        }
        self.push(node, is_merge)
    }

    fn start(&mut self, seq: bool, anchor: usize, span: Span) -> Result<(), Error> {
        if self.stack.len() >= self.opts.max_depth {
            return Err(Error::new(
                ErrorKind::Limit,
                format!("exceeded max depth of {}", self.opts.max_depth),
            )
            .at(span)
            .with_go_line(span.line));
        }
        // goyaml does not count the sequence node of `<<: [*a, *b]`.
        if !(seq && self.in_merge_value()) {
            self.decode_count += 1;
        }
        let start_count = self.decode_count;
        if anchor != 0 {
            self.open_anchors.push(anchor);
        }
        self.stack.push(if seq {
            Frame::Seq {
                items: Vec::new(),
                span,
                anchor,
                start_count,
            }
        } else {
            Frame::Map {
                entries: Vec::new(),
                index: HashMap::new(),
                pending: None,
                span,
                anchor,
                start_count,
            }
        });
        Ok(())
    }

    fn end(&mut self) -> Result<(), Error> {
        let Some(frame) = self.stack.pop() else {
            return Err(Error::new(ErrorKind::Syntax, "unbalanced collection end"));
        };
        let (node, anchor, start_count) = match frame {
            Frame::Seq {
                items,
                span,
                anchor,
                start_count,
            } => (
                Node {
                    value: Value::Seq(items),
                    span,
                },
                anchor,
                start_count,
            ),
            Frame::Map {
                entries,
                span,
                anchor,
                start_count,
                ..
            } => (
                Node {
                    value: Value::Map(entries),
                    span,
                },
                anchor,
                start_count,
            ),
        };
        if anchor != 0 {
            self.open_anchors.retain(|&a| a != anchor);
            // +1: the collection node itself was counted before start_count was taken.
            let cost = self.decode_count - start_count + 1;
            self.anchors.insert(anchor, (node.clone(), cost));
        }
        self.push(node, false)
    }

    fn alias(&mut self, id: usize, name: &str, span: Span) -> Result<(), Error> {
        let Some((target, cost)) = self.anchors.get(&id) else {
            if self.open_anchors.contains(&id) {
                self.defer(
                    Error::new(
                        ErrorKind::Decode,
                        format!("anchor '{name}' value contains itself"),
                    )
                    .at(span),
                );
                return self.push(
                    Node {
                        value: Value::Null,
                        span,
                    },
                    false,
                );
            }
            return Err(Error::new(
                ErrorKind::Decode,
                format!("unknown anchor '{name}' referenced"),
            )
            .at(span));
        };
        let cost = *cost;
        self.decode_count += 1 + cost;
        self.alias_count += cost;
        if self.alias_count > 100
            && self.decode_count > 1000
            && (self.alias_count as f64 / self.decode_count as f64)
                > allowed_alias_ratio(self.decode_count)
        {
            self.defer(
                Error::new(ErrorKind::Limit, "document contains excessive aliasing").at(span),
            );
            return self.push(
                Node {
                    value: Value::Null,
                    span,
                },
                false,
            );
        }
        let mut node = target.clone();
        // The alias keeps its own position only for scalars used as keys; collections keep
        // the anchored spans so errors point at real content.
        if !matches!(node.value, Value::Seq(_) | Value::Map(_)) {
            node.span = span;
        }
        self.push(node, false)
    }

    /// Records a decode error. goyaml parses the whole document before decoding it, so a
    /// later syntax error wins over these; the first one is reported at the document end.
    fn defer(&mut self, e: Error) {
        if self.deferred.is_none() {
            self.deferred = Some(e);
        }
    }

    fn push(&mut self, node: Node, is_merge_key: bool) -> Result<(), Error> {
        let mut deferred = None;
        let r = self.push_inner(node, is_merge_key, &mut deferred);
        if let Some(e) = deferred {
            self.defer(e);
        }
        r
    }

    fn push_inner(
        &mut self,
        node: Node,
        is_merge_key: bool,
        deferred: &mut Option<Error>,
    ) -> Result<(), Error> {
        let strict = self.opts.strict;
        let Some(top) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        match top {
            Frame::Seq { items, .. } => items.push(node),
            Frame::Map {
                entries,
                index,
                pending,
                ..
            } => match pending.take() {
                None => {
                    if matches!(node.value, Value::Seq(_) | Value::Map(_)) {
                        *deferred = Some(
                            Error::new(
                                ErrorKind::Decode,
                                format!("invalid map key: {}", go_sharp_v(&node.value)),
                            )
                            .at(node.span),
                        );
                    }
                    *pending = Some((node, is_merge_key));
                }
                Some((key, true)) => {
                    let mut merged: Vec<(Node, Node)> = Vec::new();
                    match node.value {
                        Value::Map(es) => merged.extend(es),
                        Value::Seq(items)
                            if items.iter().all(|i| matches!(i.value, Value::Map(_))) =>
                        {
                            // Earlier maps take precedence: apply them last.
                            for item in items.into_iter().rev() {
                                if let Value::Map(es) = item.value {
                                    merged.extend(es);
                                }
                            }
                        }
                        _ => {
                            *deferred = Some(
                                Error::new(
                                    ErrorKind::Decode,
                                    "map merge requires map or sequence of maps as the value",
                                )
                                .at(key.span),
                            );
                        }
                    }
                    for (k, v) in merged {
                        insert(
                            entries,
                            index,
                            &mut self.unique,
                            k,
                            v,
                            strict,
                            &mut self.strict_errors,
                            &mut self.first_strict_span,
                        );
                    }
                }
                Some((key, false)) => insert(
                    entries,
                    index,
                    &mut self.unique,
                    key,
                    node,
                    strict,
                    &mut self.strict_errors,
                    &mut self.first_strict_span,
                ),
            },
        }
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)]
fn insert(
    entries: &mut Vec<(Node, Node)>,
    index: &mut HashMap<KeyId, usize>,
    unique: &mut usize,
    key: Node,
    value: Node,
    strict: bool,
    strict_errors: &mut Vec<String>,
    first_strict_span: &mut Span,
) {
    // Small maps: a linear scan without allocating; the hash index is built past 8 keys.
    let found = if entries.len() <= 8 && index.is_empty() {
        entries
            .iter()
            .position(|(k, _)| go_key_eq(&k.value, &key.value))
    } else {
        if index.is_empty() {
            for (i, (k, _)) in entries.iter().enumerate() {
                let id = key_id(&k.value, unique);
                index.insert(id, i);
            }
        }
        index.get(&key_id(&key.value, unique)).copied()
    };
    if let Some(i) = found {
        if strict {
            if strict_errors.is_empty() {
                *first_strict_span = key.span;
            }
            strict_errors.push(format!(
                "line {}: key {} already set in map",
                value.span.line,
                go_sharp_v(&key.value)
            ));
            return;
        }
        entries[i].1 = value;
    } else {
        if !index.is_empty() {
            index.insert(key_id(&key.value, unique), entries.len());
        }
        entries.push((key, value));
    }
}

/// The order `fmt` prints map keys in (internal/fmtsort), for same-typed keys; mixed types
/// are ordered by a fixed type rank (Go orders them by type address, i.e. arbitrarily).
fn go_key_cmp(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let rank = |v: &Value| match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Int(_) => 2,
        Value::Uint(_) => 3,
        Value::Float(_) => 4,
        Value::Str(_) => 5,
        Value::Seq(_) => 6,
        Value::Map(_) => 7,
    };
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Uint(x), Value::Uint(y)) => x.cmp(y),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        (Value::Str(x), Value::Str(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Go `==` on two `interface{}` map keys.
fn go_key_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Uint(x), Value::Uint(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        _ => false,
    }
}

/// goyaml.v2 `allowedAliasRatio`.
fn allowed_alias_ratio(decode_count: usize) -> f64 {
    const LOW: usize = 400_000;
    const HIGH: usize = 4_000_000;
    if decode_count <= LOW {
        0.99
    } else if decode_count >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((decode_count - LOW) as f64 / (HIGH - LOW) as f64)
    }
}

/// Resolves one scalar event (`decoder.scalar` + `resolve` of goyaml.v2).
fn resolve_scalar(text: String, plain: bool, tag: Option<&str>) -> Result<Value, Error> {
    let Some(tag) = tag else {
        if !plain {
            return Ok(Value::Str(text));
        }
        return Ok(match resolve_plain(&text) {
            Resolved::Null => Value::Null,
            Resolved::Bool(b) => Value::Bool(b),
            Resolved::Int(i) => Value::Int(i),
            Resolved::Uint(u) => Value::Uint(u),
            Resolved::Float(f) => Value::Float(f),
            Resolved::Timestamp | Resolved::Merge | Resolved::Str => Value::Str(text),
        });
    };
    match tag {
        "!!str" => return Ok(Value::Str(text)),
        "!!binary" => return decode_binary(&text),
        "!!bool" | "!!int" | "!!float" | "!!null" | "!!timestamp" => {}
        // Tags goyaml cannot resolve leave the text as a string.
        _ => return Ok(Value::Str(text)),
    }
    let r = if tag == "!!timestamp" {
        resolve_plain(&text)
    } else {
        // Timestamps are only tried for untagged or !!timestamp scalars.
        match resolve_plain(&text) {
            Resolved::Timestamp => {
                let plain = text.replace('_', "");
                match crate::resolve::parse_go_int(&plain) {
                    Some(i) => Resolved::Int(i),
                    None => Resolved::Str,
                }
            }
            r => r,
        }
    };
    let rtag = match r {
        Resolved::Null => "!!null",
        Resolved::Bool(_) => "!!bool",
        Resolved::Int(_) | Resolved::Uint(_) => "!!int",
        Resolved::Float(_) => "!!float",
        Resolved::Timestamp => "!!timestamp",
        Resolved::Merge => "!!merge",
        Resolved::Str => "!!str",
    };
    if rtag == tag {
        return Ok(match r {
            Resolved::Null => Value::Null,
            Resolved::Bool(b) => Value::Bool(b),
            Resolved::Int(i) => Value::Int(i),
            Resolved::Uint(u) => Value::Uint(u),
            Resolved::Float(f) => Value::Float(f),
            _ => Value::Str(text),
        });
    }
    if tag == "!!float" {
        match r {
            Resolved::Int(i) => return Ok(Value::Float(i as f64)),
            // goyaml.v2 only converts int/int64, not uint64.
            Resolved::Uint(_) => {}
            _ => {}
        }
    }
    Err(Error::new(
        ErrorKind::Decode,
        format!("cannot decode {rtag} `{text}` as a {tag}"),
    ))
}

fn decode_binary(text: &str) -> Result<Value, Error> {
    let bytes = base64_decode(text).ok_or_else(|| {
        Error::new(
            ErrorKind::Decode,
            "!!binary value contains invalid base64 data",
        )
    })?;
    // Go strings may hold any bytes; JSON conversion would replace invalid UTF-8 with U+FFFD.
    Ok(Value::Str(String::from_utf8_lossy(&bytes).into_owned()))
}

/// Go `base64.StdEncoding.DecodeString` (padding required; `\r` and `\n` ignored).
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut vals = Vec::with_capacity(s.len());
    let mut pad = 0;
    for c in s.bytes() {
        match c {
            b'\r' | b'\n' => continue,
            b'=' => {
                pad += 1;
                vals.push(0);
                continue;
            }
            _ if pad > 0 => return None,
            b'A'..=b'Z' => vals.push(c - b'A'),
            b'a'..=b'z' => vals.push(c - b'a' + 26),
            b'0'..=b'9' => vals.push(c - b'0' + 52),
            b'+' => vals.push(62),
            b'/' => vals.push(63),
            _ => return None,
        }
    }
    if vals.len() % 4 != 0 || pad > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(vals.len() / 4 * 3);
    for ch in vals.chunks(4) {
        let n = (ch[0] as u32) << 18 | (ch[1] as u32) << 12 | (ch[2] as u32) << 6 | ch[3] as u32;
        out.push((n >> 16) as u8);
        out.push((n >> 8) as u8);
        out.push(n as u8);
    }
    out.truncate(out.len() - pad);
    Some(out)
}

/// Go's `%#v` of a decoded value, for error messages.
pub(crate) fn go_sharp_v(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        _ => go_sharp_v_inner(v),
    }
}

/// `%#v` of a value held in an `interface{}` slot of a map or slice.
fn go_sharp_v_inner(v: &Value) -> String {
    match v {
        Value::Null => "interface {}(nil)".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Uint(u) => format!("0x{u:x}"),
        Value::Float(f) => crate::gofmt::format_float_g(*f, 64),
        Value::Str(s) => crate::gofmt::go_quote(s),
        Value::Seq(items) => {
            let inner: Vec<String> = items.iter().map(|n| go_sharp_v_inner(&n.value)).collect();
            format!("[]interface {{}}{{{}}}", inner.join(", "))
        }
        Value::Map(entries) => {
            // fmt prints maps with sorted keys (nil first, then by value within a type).
            let mut entries: Vec<&(Node, Node)> = entries.iter().collect();
            entries.sort_by(|a, b| go_key_cmp(&a.0.value, &b.0.value));
            let inner: Vec<String> = entries
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}:{}",
                        go_sharp_v_inner(&k.value),
                        go_sharp_v_inner(&v.value)
                    )
                })
                .collect();
            format!("map[interface {{}}]interface {{}}{{{}}}", inner.join(", "))
        }
    }
}
