//! String functions (sprig `strings.go` and the string entries of `functions.go`, with
//! Masterminds/goutils and huandu/xstrings v1.5.0 behaviour).

use std::collections::BTreeMap;

use gotemplate::{ElemTy, FuncError, FuncMap, List, Map, Ty, Value};

use crate::fmt::{is_go_space, quote, strval};
use crate::{arg, arg_int, arg_str, ok, reg, regv};

pub(crate) fn register(m: &mut FuncMap) {
    use Ty::{Any, Int, String as S};
    reg(m, "hello", &[], |_| ok("Hello!"));
    reg(m, "abbrev", &[Int, S], |a| {
        ok(abbrev(arg_int(a, 0), &arg_str(a, 1)))
    });
    reg(m, "abbrevboth", &[Int, Int, S], |a| {
        let (l, r, s) = (arg_int(a, 0), arg_int(a, 1), arg_str(a, 2));
        if r < 4 || (l > 0 && r < 7) {
            return ok(s);
        }
        ok(abbreviate_full(&s, l, r).unwrap_or_default())
    });
    reg(m, "trunc", &[Int, S], |a| {
        ok(trunc(arg_int(a, 0), &arg_str(a, 1)))
    });
    reg(m, "trim", &[S], |a| {
        ok(arg_str(a, 0).trim_matches(is_go_space).to_string())
    });
    reg(m, "upper", &[S], |a| ok(to_upper(&arg_str(a, 0))));
    reg(m, "lower", &[S], |a| ok(to_lower(&arg_str(a, 0))));
    reg(m, "title", &[S], |a| ok(title(&arg_str(a, 0))));
    reg(m, "untitle", &[S], |a| ok(untitle(&arg_str(a, 0))));
    reg(m, "substr", &[Int, Int, S], |a| {
        substr(arg_int(a, 0), arg_int(a, 1), &arg_str(a, 2))
    });
    reg(m, "repeat", &[Int, S], |a| {
        let n = arg_int(a, 0);
        if n < 0 {
            return Err(FuncError::Call("strings: negative Repeat count".into()));
        }
        let s = arg_str(a, 1);
        if (s.len() as i128) * (n as i128) > crate::numeric::MAX_LEN as i128 * 16 {
            return Err(FuncError::Call(
                "strings: Repeat output length overflow".into(),
            ));
        }
        ok(s.repeat(n as usize))
    });
    for name in ["trimall", "trimAll"] {
        reg(m, name, &[S, S], |a| {
            let cut: Vec<char> = arg_str(a, 0).chars().collect();
            ok(arg_str(a, 1).trim_matches(cut.as_slice()).to_string())
        });
    }
    reg(m, "trimSuffix", &[S, S], |a| {
        let (suf, s) = (arg_str(a, 0), arg_str(a, 1));
        ok(s.strip_suffix(suf.as_str()).unwrap_or(&s).to_string())
    });
    reg(m, "trimPrefix", &[S, S], |a| {
        let (pre, s) = (arg_str(a, 0), arg_str(a, 1));
        ok(s.strip_prefix(pre.as_str()).unwrap_or(&s).to_string())
    });
    reg(m, "nospace", &[S], |a| {
        ok(delete_white_space(&arg_str(a, 0)))
    });
    reg(m, "initials", &[S], |a| ok(initials(&arg_str(a, 0))));
    reg(m, "swapcase", &[S], |a| ok(swap_case(&arg_str(a, 0))));
    reg(m, "snakecase", &[S], |a| {
        ok(camel_to_lower(&arg_str(a, 0), '_'))
    });
    reg(m, "kebabcase", &[S], |a| {
        ok(camel_to_lower(&arg_str(a, 0), '-'))
    });
    reg(m, "camelcase", &[S], |a| ok(to_pascal_case(&arg_str(a, 0))));
    reg(m, "wrap", &[Int, S], |a| {
        ok(wrap_custom(&arg_str(a, 1), arg_int(a, 0), "", false))
    });
    reg(m, "wrapWith", &[Int, S, S], |a| {
        ok(wrap_custom(
            &arg_str(a, 2),
            arg_int(a, 0),
            &arg_str(a, 1),
            true,
        ))
    });
    reg(m, "contains", &[S, S], |a| {
        ok(arg_str(a, 1).contains(arg_str(a, 0).as_str()))
    });
    reg(m, "hasPrefix", &[S, S], |a| {
        ok(arg_str(a, 1).starts_with(arg_str(a, 0).as_str()))
    });
    reg(m, "hasSuffix", &[S, S], |a| {
        ok(arg_str(a, 1).ends_with(arg_str(a, 0).as_str()))
    });
    regv(m, "quote", &[], Any, |a| {
        let out: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| quote(&strval(v)))
            .collect();
        ok(out.join(" "))
    });
    regv(m, "squote", &[], Any, |a| {
        let out: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| format!("'{}'", crate::fmt::format_v(v)))
            .collect();
        ok(out.join(" "))
    });
    regv(m, "cat", &[], Any, |a| {
        let out: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(crate::fmt::format_v)
            .collect();
        ok(out.join(" "))
    });
    reg(m, "indent", &[Int, S], |a| {
        Ok(Value::from(indent(arg_int(a, 0), &arg_str(a, 1))?))
    });
    reg(m, "nindent", &[Int, S], |a| {
        Ok(Value::from(format!(
            "\n{}",
            indent(arg_int(a, 0), &arg_str(a, 1))?
        )))
    });
    reg(m, "replace", &[S, S, S], |a| {
        ok(arg_str(a, 2).replace(arg_str(a, 0).as_str(), &arg_str(a, 1)))
    });
    reg(m, "plural", &[S, S, Int], |a| {
        ok(if arg_int(a, 2) == 1 {
            arg_str(a, 0)
        } else {
            arg_str(a, 1)
        })
    });
    reg(m, "toString", &[Any], |a| ok(strval(&arg(a, 0))));
    reg(m, "split", &[S, S], |a| {
        ok(parts_map(go_split(&arg_str(a, 1), &arg_str(a, 0), -1)))
    });
    reg(m, "splitList", &[S, S], |a| {
        ok(Value::string_list(go_split(
            &arg_str(a, 1),
            &arg_str(a, 0),
            -1,
        )))
    });
    reg(m, "splitn", &[S, Int, S], |a| {
        ok(parts_map(go_split(
            &arg_str(a, 2),
            &arg_str(a, 0),
            arg_int(a, 1),
        )))
    });
    reg(m, "toStrings", &[Any], |a| {
        ok(Value::string_list(strslice(&arg(a, 0))))
    });
    reg(m, "join", &[S, Any], |a| {
        ok(strslice(&arg(a, 1)).join(&arg_str(a, 0)))
    });
    reg(m, "sortAlpha", &[Any], |a| {
        let v = arg(a, 0);
        let mut out = match &v {
            Value::List(_) | Value::Bytes(_) => strslice(&v),
            other => vec![strval(other)],
        };
        out.sort();
        ok(Value::List(List::with_elem(
            out.into_iter().map(Value::from).collect(),
            ElemTy::String,
        )))
    });
}

fn parts_map(parts: Vec<String>) -> Value {
    let m: BTreeMap<String, Value> = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| (format!("_{i}"), Value::from(p)))
        .collect();
    Value::Map(Map::with_elem(m, ElemTy::String))
}

/// Sprig's `strslice`: `[]string` as is; other slices element-wise with `strval`, skipping
/// nils; nil → `[]`; anything else → a one-element slice.
pub(crate) fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::List(l) if l.elem() == ElemTy::String => l.iter().map(strval).collect(),
        Value::List(l) => l.iter().filter(|x| !x.is_nil()).map(strval).collect(),
        Value::Bytes(b) => b.iter().map(|x| x.to_string()).collect(),
        Value::Nil => Vec::new(),
        other => vec![strval(other)],
    }
}

/// Go's `strings.SplitN(s, sep, n)` (`n < 0`: all parts).
pub(crate) fn go_split(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        let chars: Vec<char> = s.chars().collect();
        let mut out: Vec<String> = Vec::new();
        for (i, c) in chars.iter().enumerate() {
            if n > 0 && out.len() as i64 == n - 1 {
                out.push(chars[i..].iter().collect());
                return out;
            }
            out.push(c.to_string());
        }
        return out;
    }
    if n < 0 {
        s.split(sep).map(str::to_string).collect()
    } else {
        s.splitn(n as usize, sep).map(str::to_string).collect()
    }
}

/// Takes `s[a..b]` of a Go string by bytes; a cut inside a UTF-8 sequence is replaced by U+FFFD
/// (Go would keep the raw bytes).
pub(crate) fn byte_slice(s: &str, a: usize, b: usize) -> String {
    lossy_per_byte(&s.as_bytes()[a..b])
}

/// UTF-8 decoding that replaces every byte of an invalid sequence with U+FFFD (as Go's
/// `for range` and `encoding/json` treat invalid bytes).
pub(crate) fn lossy_per_byte(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len());
    let mut rest = b;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let good = e.valid_up_to();
                out.push_str(std::str::from_utf8(&rest[..good]).unwrap_or_default());
                let bad = e.error_len().unwrap_or(rest.len() - good).max(1);
                for _ in 0..bad {
                    out.push('\u{fffd}');
                }
                rest = &rest[good + bad..];
            }
        }
    }
}

fn trunc(c: i64, s: &str) -> String {
    let len = s.len() as i64;
    if c < 0 && len + c > 0 {
        return byte_slice(s, (len + c) as usize, s.len());
    }
    if c >= 0 && len > c {
        return byte_slice(s, 0, c as usize);
    }
    s.to_string()
}

fn substr(start: i64, end: i64, s: &str) -> Result<Value, FuncError> {
    let len = s.len() as i64;
    let panic = |m: String| {
        Err(FuncError::Call(format!(
            "runtime error: slice bounds out of range {m}"
        )))
    };
    if start < 0 {
        if end < 0 {
            return panic(format!("[:{end}]"));
        }
        if end > len {
            return panic(format!("[:{end}] with length {len}"));
        }
        return Ok(Value::from(byte_slice(s, 0, end as usize)));
    }
    if end < 0 || end > len {
        if start > len {
            return panic(format!("[{start}:{len}]"));
        }
        return Ok(Value::from(byte_slice(s, start as usize, s.len())));
    }
    if start > end {
        return panic(format!("[{start}:{end}]"));
    }
    Ok(Value::from(byte_slice(s, start as usize, end as usize)))
}

fn indent(spaces: i64, v: &str) -> Result<String, FuncError> {
    if spaces < 0 {
        return Err(FuncError::Call("strings: negative Repeat count".into()));
    }
    if spaces > crate::numeric::MAX_LEN {
        return Err(FuncError::Call(
            "strings: Repeat output length overflow".into(),
        ));
    }
    let pad = " ".repeat(spaces as usize);
    Ok(format!("{pad}{}", v.replace('\n', &format!("\n{pad}"))))
}

/// Go's `unicode.ToUpper` per rune (no multi-rune expansions).
pub(crate) fn upper_rune(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// Go's `unicode.ToLower` per rune.
pub(crate) fn lower_rune(c: char) -> char {
    if c == '\u{130}' {
        return 'i';
    }
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// Go's `unicode.ToTitle` (title case equals upper case except for a few digraphs).
fn title_rune(c: char) -> char {
    match c {
        'Ǆ' | 'ǅ' | 'ǆ' => 'ǅ',
        'Ǉ' | 'ǈ' | 'ǉ' => 'ǈ',
        'Ǌ' | 'ǋ' | 'ǌ' => 'ǋ',
        'Ǳ' | 'ǲ' | 'ǳ' => 'ǲ',
        c => upper_rune(c),
    }
}

fn to_upper(s: &str) -> String {
    s.chars().map(upper_rune).collect()
}

fn to_lower(s: &str) -> String {
    s.chars().map(lower_rune).collect()
}

fn is_letter(c: char) -> bool {
    c.is_alphabetic() && !c.is_numeric()
}

/// `strings.Title`.
fn title(s: &str) -> String {
    let is_sep = |r: char| -> bool {
        if (r as u32) <= 0x7f {
            return !(r.is_ascii_alphanumeric() || r == '_');
        }
        if is_letter(r) || r.is_numeric() {
            return false;
        }
        is_go_space(r)
    };
    let mut prev = ' ';
    s.chars()
        .map(|r| {
            let out = if is_sep(prev) { title_rune(r) } else { r };
            prev = r;
            out
        })
        .collect()
}

/// goutils `Uncapitalize` with whitespace delimiters.
fn untitle(s: &str) -> String {
    let mut next = true;
    s.chars()
        .map(|c| {
            if is_go_space(c) {
                next = true;
                c
            } else if next {
                next = false;
                lower_rune(c)
            } else {
                c
            }
        })
        .collect()
}

/// Go's `unicode.IsTitle` (category Lt).
fn is_title_case(c: char) -> bool {
    matches!(c as u32,
        0x1c5 | 0x1c8 | 0x1cb | 0x1f2 | 0x1f88..=0x1f8f | 0x1f98..=0x1f9f | 0x1fa8..=0x1faf
        | 0x1fbc | 0x1fcc | 0x1ffc)
}

/// goutils `SwapCase`.
fn swap_case(s: &str) -> String {
    let mut ws = true;
    s.chars()
        .map(|c| {
            if c.is_uppercase() || is_title_case(c) {
                ws = false;
                lower_rune(c)
            } else if c.is_lowercase() {
                if ws {
                    ws = false;
                    title_rune(c)
                } else {
                    upper_rune(c)
                }
            } else {
                ws = is_go_space(c);
                c
            }
        })
        .collect()
}

/// goutils `DeleteWhiteSpace`: works on bytes (so non-ASCII text is re-encoded byte by byte
/// when anything is removed, as in Go).
fn delete_white_space(s: &str) -> String {
    let is_sp = |b: u8| matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0);
    if !s.bytes().any(is_sp) {
        return s.to_string();
    }
    s.bytes()
        .filter(|&b| !is_sp(b))
        .map(|b| b as char)
        .collect()
}

/// goutils `Initials` (byte-wise, as in Go).
fn initials(s: &str) -> String {
    let is_sp = |b: u8| matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0);
    let mut gap = true;
    let mut out = String::new();
    for b in s.bytes() {
        if is_sp(b) {
            gap = true;
        } else if gap {
            out.push(b as char);
            gap = false;
        }
    }
    out
}

fn abbrev(width: i64, s: &str) -> String {
    if width < 4 {
        return s.to_string();
    }
    abbreviate_full(s, 0, width).unwrap_or_default()
}

/// goutils `AbbreviateFull` (byte offsets, as in Go).
fn abbreviate_full(s: &str, offset: i64, max: i64) -> Option<String> {
    if s.is_empty() {
        return Some(String::new());
    }
    if max < 4 {
        return None;
    }
    let len = s.len() as i64;
    if len <= max {
        return Some(s.to_string());
    }
    let mut offset = offset.min(len);
    if len - offset < max - 3 {
        offset = len - (max - 3);
    }
    if offset <= 4 {
        return Some(format!("{}...", byte_slice(s, 0, (max - 3) as usize)));
    }
    if max < 7 {
        return None;
    }
    if offset + max - 3 < len {
        let rest = byte_slice(s, offset as usize, s.len());
        return Some(format!("...{}", abbreviate_full(&rest, 0, max - 3)?));
    }
    Some(format!(
        "...{}",
        byte_slice(s, (len - (max - 3)) as usize, s.len())
    ))
}

/// goutils `WrapCustom`.
fn wrap_custom(s: &str, wrap_len: i64, nl: &str, wrap_long: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let nl = if nl.is_empty() { "\n" } else { nl };
    let wl = wrap_len.max(1) as usize;
    let b = s.as_bytes();
    let len = b.len();
    let mut offset = 0usize;
    let mut out: Vec<u8> = Vec::new();
    while len - offset > wl {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = (wl + offset + 1).min(len);
        let space = b[offset..end].iter().rposition(|&c| c == b' ');
        if let Some(sp) = space {
            let sp = sp + offset;
            out.extend_from_slice(&b[offset..sp]);
            out.extend_from_slice(nl.as_bytes());
            offset = sp + 1;
        } else if wrap_long {
            let end = wl + offset;
            out.extend_from_slice(&b[offset..end]);
            out.extend_from_slice(nl.as_bytes());
            offset += wl;
        } else {
            let end = wl + offset;
            match b[end..].iter().position(|&c| c == b' ') {
                None => {
                    out.extend_from_slice(&b[offset..]);
                    offset = len;
                }
                Some(i) => {
                    let sp = i + end;
                    out.extend_from_slice(&b[offset..sp]);
                    out.extend_from_slice(nl.as_bytes());
                    offset = sp + 1;
                }
            }
        }
    }
    out.extend_from_slice(&b[offset..]);
    lossy_per_byte(&out)
}

// ---- huandu/xstrings v1.5.0 case conversions ----

fn is_connector(r: char) -> bool {
    r == '-' || r == '_' || is_go_space(r)
}

/// Go's `unicode.IsPunct` (category P): exact for ASCII, common ranges elsewhere.
fn is_punct(r: char) -> bool {
    if r.is_ascii() {
        return r.is_ascii_punctuation() && !"$+<=>^`|~".contains(r);
    }
    matches!(r as u32,
        0xa1 | 0xa7 | 0xab | 0xb6 | 0xb7 | 0xbb | 0xbf | 0x37e | 0x387 | 0x55a..=0x55f
        | 0x589 | 0x58a | 0x5be | 0x5c0 | 0x5c3 | 0x5c6 | 0x5f3 | 0x5f4 | 0x609 | 0x60a
        | 0x60c | 0x60d | 0x61b | 0x61d..=0x61f | 0x66a..=0x66d | 0x6d4 | 0x964 | 0x965
        | 0x970 | 0x2010..=0x2027 | 0x2030..=0x2043 | 0x2045..=0x2051 | 0x2053..=0x205e
        | 0x207d | 0x207e | 0x208d | 0x208e | 0x2308..=0x230b | 0x2329 | 0x232a
        | 0x2768..=0x2775 | 0x27c5 | 0x27c6 | 0x27e6..=0x27ef | 0x2983..=0x2998
        | 0x29d8..=0x29db | 0x29fc | 0x29fd | 0x2e00..=0x2e2e | 0x2e30..=0x2e4f
        | 0x3001..=0x3003 | 0x3008..=0x3011 | 0x3014..=0x301f | 0x3030 | 0x303d | 0x30a0
        | 0x30fb | 0xfe10..=0xfe19 | 0xfe30..=0xfe52 | 0xfe54..=0xfe61 | 0xfe63 | 0xfe68
        | 0xfe6a | 0xfe6b | 0xff01..=0xff03 | 0xff05..=0xff0a | 0xff0c..=0xff0f | 0xff1a
        | 0xff1b | 0xff1f | 0xff20 | 0xff3b..=0xff3d | 0xff3f | 0xff5b | 0xff5d
        | 0xff5f..=0xff65)
}

fn is_upper(r: char) -> bool {
    r.is_uppercase() && is_letter(r)
}

/// xstrings `isAlphabet`: a letter that is not CJK.
fn is_alphabet(r: char) -> bool {
    if !is_letter(r) {
        return false;
    }
    let u = r as u32;
    !((0x4e00..=0x9fcc).contains(&u)
        || (0x3400..=0x4d85).contains(&u)
        || (0x20000..=0x2b81d).contains(&u))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Word {
    Invalid,
    Number,
    Upper,
    Alphabet,
    Connector,
    Punct,
    Other,
}

/// xstrings `nextWord` over a char slice: (type, word, rest).
fn next_word(s: &[char]) -> (Word, &[char], &[char]) {
    if s.is_empty() {
        return (Word::Invalid, s, s);
    }
    let r = s[0];
    let mut off = 1;
    let wt;
    let take_while = |start: usize, f: &dyn Fn(char) -> bool| -> usize {
        let mut i = start;
        while i < s.len() && f(s[i]) {
            i += 1;
        }
        i
    };
    if is_connector(r) {
        wt = Word::Connector;
        off = take_while(1, &is_connector);
    } else if is_punct(r) {
        wt = Word::Punct;
        off = take_while(1, &is_punct);
    } else if is_upper(r) {
        wt = Word::Upper;
        if s.len() > 1 {
            let r2 = s[1];
            if is_upper(r2) {
                off = take_while(1, &is_upper);
                // "HTTPStatus" → "HTTP" + "Status"
                if off < s.len() && is_alphabet(s[off]) {
                    off -= 1;
                }
            } else if is_alphabet(r2) {
                off = take_while(1, &|c| is_alphabet(c) && !is_upper(c));
            }
        }
    } else if is_alphabet(r) {
        wt = Word::Alphabet;
        off = take_while(1, &|c| is_alphabet(c) && !is_upper(c));
    } else if r.is_numeric() {
        wt = Word::Number;
        off = take_while(1, &|c: char| c.is_numeric());
    } else {
        wt = Word::Other;
        off = take_while(1, &|c: char| {
            !(is_connector(c) || is_alphabet(c) || c.is_numeric() || is_punct(c))
        });
    }
    (wt, &s[..off], &s[off..])
}

fn push_lower(out: &mut String, wt: Word, w: &[char], conn: char) {
    if wt != Word::Upper && wt != Word::Connector {
        out.extend(w.iter());
        return;
    }
    for &c in w {
        if is_connector(c) {
            out.push(conn);
        } else if is_upper(c) {
            out.push(lower_rune(c));
        } else {
            out.push(c);
        }
    }
}

/// xstrings `camelCaseToLowerCase` (`ToSnakeCase`, `ToKebabCase`).
fn camel_to_lower(s: &str, conn: char) -> String {
    if s.is_empty() {
        return String::new();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let (mut wt, mut word, mut rem) = next_word(&chars);
    while !rem.is_empty() {
        if wt != Word::Connector {
            push_lower(&mut out, wt, word, conn);
        }
        let prev = wt;
        let last = word;
        (wt, word, rem) = next_word(rem);
        match prev {
            Word::Number => {
                while wt == Word::Alphabet || wt == Word::Number {
                    push_lower(&mut out, wt, word, conn);
                    (wt, word, rem) = next_word(rem);
                }
                if wt != Word::Invalid && wt != Word::Punct && wt != Word::Connector {
                    out.push(conn);
                }
            }
            Word::Connector => push_lower(&mut out, prev, last, conn),
            Word::Punct => {}
            _ => {
                if wt != Word::Number {
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(conn);
                    }
                    continue;
                }
                if rem.is_empty() {
                    continue;
                }
                let last = word;
                (wt, word, rem) = next_word(rem);
                if wt != Word::Alphabet {
                    push_lower(&mut out, Word::Number, last, conn);
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(conn);
                    }
                    continue;
                }
                out.push(conn);
                push_lower(&mut out, Word::Number, last, conn);
                while wt == Word::Alphabet || wt == Word::Number {
                    push_lower(&mut out, wt, word, conn);
                    (wt, word, rem) = next_word(rem);
                }
                if wt != Word::Invalid && wt != Word::Connector && wt != Word::Punct {
                    out.push(conn);
                }
            }
        }
    }
    push_lower(&mut out, wt, word, conn);
    out
}

/// xstrings `ToPascalCase` (Sprig's `camelcase`).
fn to_pascal_case(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let mut i = 0;
    let mut first_upper = false;
    let mut r0 = '\0';
    let mut got = false;
    while i < chars.len() {
        r0 = chars[i];
        i += 1;
        got = true;
        if !is_connector(r0) {
            first_upper = is_upper(r0);
            r0 = upper_rune(r0);
            break;
        }
        out.push(r0);
    }
    if i >= chars.len() {
        // every rune consumed: the last one (connector or not) is written once more unless it
        // was already written as a connector
        if got && !is_connector(r0) {
            out.push(r0);
        } else if got && chars.len() == 1 {
            // a single connector rune: Go writes it in the loop and again here
            out.push(r0);
        } else if got {
            out.push(r0);
        }
        return out;
    }
    while i < chars.len() {
        let r1 = r0;
        r0 = chars[i];
        i += 1;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            first_upper = is_upper(r0);
            r0 = upper_rune(r0);
        } else {
            if first_upper {
                if is_upper(r0) {
                    r0 = lower_rune(r0);
                } else {
                    first_upper = false;
                }
            }
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xstrings_samples() {
        for (i, o) in [
            ("FirstName", "first_name"),
            ("HTTPServer", "http_server"),
            ("NoHTTPS", "no_https"),
            ("GO_PATH", "go_path"),
            ("GO PATH", "go_path"),
            ("GO-PATH", "go_path"),
            ("http2xx", "http_2xx"),
            ("HTTP20xOK", "http_20x_ok"),
            ("Duration2m3s", "duration_2m3s"),
            ("Bld4Floor3rd", "bld4_floor_3rd"),
        ] {
            assert_eq!(camel_to_lower(i, '_'), o, "{i}");
        }
        for (i, o) in [
            ("some_words", "SomeWords"),
            ("http_server", "HttpServer"),
            ("no_https", "NoHttps"),
            ("_complex__case_", "_Complex_Case_"),
            ("some words", "SomeWords"),
            ("GOLANG_IS_GREAT", "GolangIsGreat"),
        ] {
            assert_eq!(to_pascal_case(i), o, "{i}");
        }
    }
}
