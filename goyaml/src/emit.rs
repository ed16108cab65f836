//! A goyaml.v2-compatible emitter (`yaml.Marshal`), written after libyaml's emitter as
//! goyaml.v2 ports it (`emitterc.go`): block style, implicit document, 2-space indentation,
//! block sequences not indented under mapping keys, empty collections in flow style, best
//! width 80 for folding plain and quoted scalars, and the scalar analysis that picks plain,
//! single-quoted, double-quoted or literal style.

use crate::gofmt::format_float_g;
use crate::resolve::{Resolved, is_base60_float, resolve_plain};
use std::cmp::Ordering;

/// A value to emit (no positions). Helm's `toYaml` input is the JSON text of a Go value
/// parsed back by goyaml.v2, i.e. [`crate::parse`] of that text then [`crate::Node::to_yaml`].
#[derive(Debug, Clone, PartialEq)]
pub enum Yaml {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// Go `int`.
    Int(i64),
    /// Go `uint64`.
    Uint(u64),
    /// Go `float64`.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Yaml>),
    /// A mapping (sorted on output by [`to_yaml_v2`], as goyaml sorts Go maps).
    Map(Vec<(Yaml, Yaml)>),
}

/// goyaml.v2 `yaml.Marshal` of a Go map/slice/scalar tree: returns the YAML text, ending in
/// `"\n"` (Helm's `toYaml` trims that). Map keys are sorted in goyaml's natural order.
pub fn to_yaml_v2(v: &Yaml) -> String {
    to_yaml_v2_with(v, true)
}

/// [`to_yaml_v2`], optionally keeping map keys in the given order (like a `yaml.MapSlice`
/// or a struct).
pub fn to_yaml_v2_with(v: &Yaml, sort_keys: bool) -> String {
    let mut e = Emitter::new();
    e.sort_keys = sort_keys;
    e.node(v, Ctx::Root);
    // Document end (implicit): write_indent.
    e.write_indent();
    e.out
}

/// goyaml.v3 `Encoder` with `SetIndent(2)`, as Helm's `toYamlPretty` uses it: block
/// sequences indented under their key, no line folding, tabs allowed in literal blocks.
/// The input is the Go value itself (not a JSON round trip), so numbers from values files
/// are `Yaml::Float` and print as `1e+06`. Ends in `"\n"` (Helm trims it).
pub fn to_yaml_v3(v: &Yaml) -> String {
    let mut e = Emitter::new();
    e.v3 = true;
    e.best_width = usize::MAX;
    e.node(v, Ctx::Root);
    e.write_indent();
    e.out
}

/// goyaml.v2's key order (`sorter.go` `keyList.Less`): numbers and bools by value, then kinds
/// in Go reflect order, strings "naturally" (letters after non-letters, digit runs compared
/// by value).
pub fn natural_less(a: &Yaml, b: &Yaml) -> bool {
    natural_less_impl(a, b, false)
}

fn natural_less_impl(a: &Yaml, b: &Yaml, v3: bool) -> bool {
    let af = key_float(a);
    let bf = key_float(b);
    let (ak, bk) = (kind(a), kind(b));
    if let (Some(af), Some(bf)) = (af, bf) {
        if af != bf {
            return af < bf;
        }
        if ak != bk {
            return ak < bk;
        }
        return match (a, b) {
            (Yaml::Int(x), Yaml::Int(y)) => x < y,
            (Yaml::Uint(x), Yaml::Uint(y)) => x < y,
            (Yaml::Bool(x), Yaml::Bool(y)) => !x & y,
            _ => false,
        };
    }
    let (Yaml::Str(a), Yaml::Str(b)) = (a, b) else {
        return ak < bk;
    };
    natural_str_less(a, b, v3)
}

/// goyaml.v3 differs in one place: after a run of equal digits, a letter sorts before a
/// non-letter (`1e+06` < `1.5`).
fn natural_str_less(a: &str, b: &str, v3: bool) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let n = ar.len().min(br.len());
    let mut digits = false;
    for i in 0..n {
        if ar[i] == br[i] {
            digits = is_go_digit(ar[i]);
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return if v3 && digits { al } else { bl };
        }
        let mut an: i64 = 0;
        let mut bn: i64 = 0;
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 {
                j -= 1;
                if !is_go_digit(ar[j]) {
                    break;
                }
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && is_go_digit(ar[ai]) {
            an = an.wrapping_mul(10).wrapping_add(digit_val(ar[ai]));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && is_go_digit(br[bi]) {
            bn = bn.wrapping_mul(10).wrapping_add(digit_val(br[bi]));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

fn is_go_digit(c: char) -> bool {
    c.is_ascii_digit()
}

fn digit_val(c: char) -> i64 {
    // Go computes `ar[ai]-'0'` on the rune.
    (c as i64) - ('0' as i64)
}

fn key_float(v: &Yaml) -> Option<f64> {
    match v {
        Yaml::Int(i) => Some(*i as f64),
        Yaml::Uint(u) => Some(*u as f64),
        Yaml::Float(f) => Some(*f),
        Yaml::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

/// Go `reflect.Kind` numbers.
fn kind(v: &Yaml) -> u8 {
    match v {
        Yaml::Bool(_) => 1,
        Yaml::Int(_) => 2,
        Yaml::Uint(_) => 11,
        Yaml::Float(_) => 14,
        Yaml::Null => 20, // a nil interface stays reflect.Interface
        Yaml::Map(_) => 21,
        Yaml::Seq(_) => 23,
        Yaml::Str(_) => 24,
    }
}

fn sort_entries(entries: &[(Yaml, Yaml)], v3: bool) -> Vec<&(Yaml, Yaml)> {
    let mut v: Vec<&(Yaml, Yaml)> = entries.iter().collect();
    v.sort_by(|a, b| {
        if natural_less_impl(&a.0, &b.0, v3) {
            Ordering::Less
        } else if natural_less_impl(&b.0, &a.0, v3) {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    });
    v
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Root,
    SeqItem,
    MapKey { simple: bool },
    MapValue,
}

/// Result of libyaml's `yaml_emitter_analyze_scalar`.
struct Analysis {
    multiline: bool,
    flow_plain_allowed: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

fn is_blankz_char(c: Option<char>) -> bool {
    matches!(
        c,
        None | Some(' ' | '\t' | '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\0')
    )
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// goyaml.v2 `is_printable` (note: no characters outside the BMP).
fn is_printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0A
        || (0x20..=0x7E).contains(&u)
        || (0xA0..=0xD7FF).contains(&u)
        || ((0xE000..=0xFFFD).contains(&u) && u != 0xFEFF)
}

fn analyze(s: &str, v3: bool) -> Analysis {
    if s.is_empty() {
        return Analysis {
            multiline: false,
            flow_plain_allowed: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let mut block_indicators = false;
    let mut flow_indicators = false;
    let mut line_breaks = false;
    let mut special_characters = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;
    let mut tab_characters = false;
    let mut previous_space = false;
    let mut previous_break = false;

    if s.starts_with("---") || s.starts_with("...") {
        block_indicators = true;
        flow_indicators = true;
    }
    let chars: Vec<char> = s.chars().collect();
    let mut preceded_by_whitespace = true;
    let mut followed_by_whitespace = is_blankz_char(chars.get(1).copied());
    let last = chars.len() - 1;
    for (i, &c) in chars.iter().enumerate() {
        if i == 0 {
            if matches!(
                c,
                '#' | ','
                    | '['
                    | ']'
                    | '{'
                    | '}'
                    | '&'
                    | '*'
                    | '!'
                    | '|'
                    | '>'
                    | '\''
                    | '"'
                    | '%'
                    | '@'
                    | '`'
            ) {
                flow_indicators = true;
                block_indicators = true;
            }
            if c == '?' || c == ':' {
                flow_indicators = true;
                if followed_by_whitespace {
                    block_indicators = true;
                }
            }
            if c == '-' && followed_by_whitespace {
                flow_indicators = true;
                block_indicators = true;
            }
        } else {
            if matches!(c, ',' | '?' | '[' | ']' | '{' | '}') {
                flow_indicators = true;
            }
            if c == ':' {
                flow_indicators = true;
                if followed_by_whitespace {
                    block_indicators = true;
                }
            }
            if c == '#' && preceded_by_whitespace {
                flow_indicators = true;
                block_indicators = true;
            }
        }
        if v3 && c == '\t' {
            tab_characters = true;
        } else if !is_printable(c) {
            special_characters = true;
        }
        if is_break(c) {
            line_breaks = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i == last {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            if i == 0 {
                leading_break = true;
            }
            if i == last {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blankz_char(Some(c));
        if i < last {
            followed_by_whitespace = is_blankz_char(chars.get(i + 2).copied());
        }
    }
    let mut a = Analysis {
        multiline: line_breaks,
        flow_plain_allowed: true,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if tab_characters {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special_characters {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if flow_indicators {
        a.flow_plain_allowed = false;
    }
    if block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

struct Emitter {
    out: String,
    sort_keys: bool,
    v3: bool,
    column: usize,
    whitespace: bool,
    indention: bool,
    indent: i64,
    indents: Vec<i64>,
    best_width: usize,
    best_indent: i64,
}

impl Emitter {
    fn new() -> Self {
        Emitter {
            out: String::new(),
            sort_keys: true,
            v3: false,
            column: 0,
            whitespace: true,
            indention: true,
            indent: -1,
            indents: Vec::new(),
            best_width: 80,
            best_indent: 2,
        }
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_str(&mut self, s: &str) {
        for c in s.chars() {
            self.put(c);
        }
    }

    fn write_break_char(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        ind: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        self.write_str(ind);
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { self.best_indent } else { 0 };
        } else if !indentless {
            self.indent += self.best_indent;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn node(&mut self, v: &Yaml, ctx: Ctx) {
        match v {
            Yaml::Seq(items) if items.is_empty() => self.empty_flow("[", "]"),
            Yaml::Map(entries) if entries.is_empty() => self.empty_flow("{", "}"),
            Yaml::Seq(items) => self.block_seq(items, ctx),
            Yaml::Map(entries) => self.block_map(entries),
            Yaml::Str(s) => {
                let style = string_style(s);
                self.scalar(s, style, ctx);
            }
            Yaml::Null => self.scalar("null", Style::Plain, ctx),
            Yaml::Bool(b) => self.scalar(if *b { "true" } else { "false" }, Style::Plain, ctx),
            Yaml::Int(i) => self.scalar(&i.to_string(), Style::Plain, ctx),
            Yaml::Uint(u) => self.scalar(&u.to_string(), Style::Plain, ctx),
            Yaml::Float(f) => {
                let s = match format_float_g(*f, 64).as_str() {
                    "+Inf" => ".inf".to_string(),
                    "-Inf" => "-.inf".to_string(),
                    "NaN" => ".nan".to_string(),
                    s => s.to_string(),
                };
                self.scalar(&s, Style::Plain, ctx);
            }
        }
    }

    fn empty_flow(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.increase_indent(true, false);
        self.pop_indent();
        self.write_indicator(close, false, false, false);
    }

    fn block_seq(&mut self, items: &[Yaml], ctx: Ctx) {
        let mapping_context = matches!(ctx, Ctx::MapKey { .. } | Ctx::MapValue);
        self.increase_indent(false, !self.v3 && mapping_context && !self.indention);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, Ctx::SeqItem);
        }
        self.pop_indent();
    }

    fn block_map(&mut self, entries: &[(Yaml, Yaml)]) {
        self.increase_indent(false, false);
        let ordered: Vec<&(Yaml, Yaml)> = if self.sort_keys {
            sort_entries(entries, self.v3)
        } else {
            entries.iter().collect()
        };
        for (k, v) in ordered {
            self.write_indent();
            if check_simple_key(k, self.v3) {
                self.node(k, Ctx::MapKey { simple: true });
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.node(k, Ctx::MapKey { simple: false });
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(v, Ctx::MapValue);
        }
        self.pop_indent();
    }

    fn scalar(&mut self, s: &str, requested: Style, ctx: Ctx) {
        let simple_key = matches!(ctx, Ctx::MapKey { simple: true });
        let a = analyze(s, self.v3);
        let mut style = requested;
        if simple_key && a.multiline {
            style = Style::Double;
        }
        if style == Style::Plain {
            // flow_level is always 0 here.
            if !a.block_plain_allowed {
                style = Style::Single;
            }
            if s.is_empty() && simple_key {
                style = Style::Single;
            }
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block_allowed || simple_key) {
            style = Style::Double;
        }
        self.increase_indent(true, false);
        let allow_breaks = !simple_key;
        match style {
            Style::Plain => self.write_plain(s, allow_breaks),
            Style::Single => self.write_single(s, allow_breaks),
            Style::Double => self.write_double(s, allow_breaks),
            Style::Literal => self.write_literal(s),
        }
        self.pop_indent();
        let _ = ctx;
    }

    fn write_plain(&mut self, s: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        let mut breaks = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break_char(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single(&mut self, s: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        let mut breaks = false;
        let n = chars.len();
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && i > 0
                    && i < n - 1
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break_char(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double(&mut self, s: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = s.chars().collect();
        let n = chars.len();
        let mut spaces = false;
        // goyaml's `is_bom(value, i)` looks at the start of the value, not at `i`: a value
        // that starts with a BOM gets every character escaped.
        let bom = s.starts_with('\u{feff}');
        for (i, &c) in chars.iter().enumerate() {
            if bom || !is_printable(c) || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                match c {
                    '\0' => self.put('0'),
                    '\u{7}' => self.put('a'),
                    '\u{8}' => self.put('b'),
                    '\t' => self.put('t'),
                    '\n' => self.put('n'),
                    '\u{b}' => self.put('v'),
                    '\u{c}' => self.put('f'),
                    '\r' => self.put('r'),
                    '\u{1b}' => self.put('e'),
                    '"' => self.put('"'),
                    '\\' => self.put('\\'),
                    '\u{85}' => self.put('N'),
                    '\u{a0}' => self.put('_'),
                    '\u{2028}' => self.put('L'),
                    '\u{2029}' => self.put('P'),
                    _ => {
                        let v = c as u32;
                        let (letter, w) = if v <= 0xFF {
                            ('x', 2)
                        } else if v <= 0xFFFF {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(letter);
                        for k in (0..w).rev() {
                            let d = (v >> (k * 4)) & 0xF;
                            self.put(
                                std::char::from_digit(d, 16)
                                    .map_or('0', |c| c.to_ascii_uppercase()),
                            );
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > self.best_width && i > 0 && i < n - 1 {
                    self.write_indent();
                    if chars.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_literal(&mut self, s: &str) {
        self.write_indicator("|", true, false, false);
        // Block scalar hints.
        let first = s.chars().next();
        if matches!(first, Some(c) if c == ' ' || is_break(c)) {
            let d = std::char::from_digit(self.best_indent as u32, 10).unwrap_or('2');
            self.write_indicator(&d.to_string(), false, false, false);
        }
        let chars: Vec<char> = s.chars().collect();
        let chomp = match chars.last() {
            None => Some('-'),
            Some(&c) if !is_break(c) => Some('-'),
            Some(_) if chars.len() == 1 => Some('+'),
            Some(_) if is_break(chars[chars.len() - 2]) => Some('+'),
            Some(_) => None,
        };
        if let Some(h) = chomp {
            self.write_indicator(&h.to_string(), false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for &c in &chars {
            if is_break(c) {
                self.write_break_char(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

/// `yaml_emitter_check_simple_key` for our node kinds.
fn check_simple_key(k: &Yaml, v3: bool) -> bool {
    match k {
        Yaml::Seq(items) => items.is_empty(),
        Yaml::Map(entries) => entries.is_empty(),
        Yaml::Str(s) => !analyze(s, v3).multiline && s.len() <= 128,
        _ => true,
    }
}

/// goyaml.v2 `encoder.stringv`: the style requested for a string.
fn string_style(s: &str) -> Style {
    let can_use_plain = matches!(resolve_plain(s), Resolved::Str) && !is_base60_float(s);
    if s.contains('\n') {
        Style::Literal
    } else if can_use_plain {
        Style::Plain
    } else {
        Style::Double
    }
}
