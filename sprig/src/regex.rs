//! Regular expressions with Go `regexp` (RE2) semantics over the `regex` crate (sprig
//! `regex.go`): ASCII `\d \w \s \b` as in Go, Go's rules for successive empty matches, and
//! Go's `$name` / `${name}` replacement expansion (`$1x` names the group `1x`).

use gotemplate::{FuncError, FuncMap, FuncResult, Ty, Value};
use regex::Regex;
use std::rc::Rc;

use crate::{arg_int, arg_str, ok, reg};

pub(crate) fn register(m: &mut FuncMap) {
    use Ty::{Int, String as S};
    reg(m, "regexMatch", &[S, S], |a| {
        ok(compile(&arg_str(a, 0))
            .map(|r| r.is_match(&arg_str(a, 1)))
            .unwrap_or(false))
    });
    reg(m, "mustRegexMatch", &[S, S], |a| {
        let r = compile(&arg_str(a, 0)).map_err(FuncError::Call)?;
        ok(r.is_match(&arg_str(a, 1)))
    });
    for (name, must) in [("regexFindAll", false), ("mustRegexFindAll", true)] {
        reg(m, name, &[S, S, Int], move |a| {
            let r = get(&arg_str(a, 0), must)?;
            let s = arg_str(a, 1);
            let found: Vec<String> = all_matches(&r, &s, arg_int(a, 2))
                .into_iter()
                .map(|(x, y)| s[x..y].to_string())
                .collect();
            ok(Value::string_list(found))
        });
    }
    for (name, must) in [("regexFind", false), ("mustRegexFind", true)] {
        reg(m, name, &[S, S], move |a| {
            let r = get(&arg_str(a, 0), must)?;
            ok(r.find(&arg_str(a, 1))
                .map(|x| x.as_str().to_string())
                .unwrap_or_default())
        });
    }
    for (name, must, literal) in [
        ("regexReplaceAll", false, false),
        ("mustRegexReplaceAll", true, false),
        ("regexReplaceAllLiteral", false, true),
        ("mustRegexReplaceAllLiteral", true, true),
    ] {
        reg(m, name, &[S, S, S], move |a| {
            let r = get(&arg_str(a, 0), must)?;
            ok(replace_all(&r, &arg_str(a, 1), &arg_str(a, 2), literal))
        });
    }
    for (name, must) in [("regexSplit", false), ("mustRegexSplit", true)] {
        reg(m, name, &[S, S, Int], move |a| {
            let r = get(&arg_str(a, 0), must)?;
            ok(Value::string_list(split(&r, &arg_str(a, 1), arg_int(a, 2))))
        });
    }
    reg(m, "regexQuoteMeta", &[S], |a| {
        ok(quote_meta(&arg_str(a, 0)))
    });
}

/// Compiles for a Sprig function: `must*` variants return Go's compile error, the others
/// panic in Go (`regexp.MustCompile`), which the engine reports as the call's error.
fn get(re: &str, must: bool) -> Result<Rc<Regex>, FuncError> {
    compile(re).map_err(|e| {
        if must {
            FuncError::Call(e)
        } else {
            FuncError::Call(format!("regexp: Compile({}): {e}", go_backquote(re)))
        }
    })
}

fn go_backquote(s: &str) -> String {
    if s.contains('`') {
        crate::fmt::quote(s)
    } else {
        format!("`{s}`")
    }
}

/// Go's `regexp.QuoteMeta`.
pub(crate) fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Compiles a Go regular expression; the error text follows Go's `regexp/syntax` messages
/// for the common mistakes.
///
/// Compiled expressions are kept per thread and shared, not cloned: a cloned `Regex` starts
/// with an empty match cache, which costs as much to set up as a short match.
pub(crate) fn compile(re: &str) -> Result<Rc<Regex>, String> {
    thread_local! {
        static CACHE: std::cell::RefCell<std::collections::HashMap<String, Result<Rc<Regex>, String>>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    if let Some(hit) = CACHE.with(|c| c.borrow().get(re).cloned()) {
        return hit;
    }
    let r = compile_uncached(re).map(Rc::new);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= 256 {
            c.clear();
        }
        c.insert(re.to_string(), r.clone());
    });
    r
}

fn compile_uncached(re: &str) -> Result<Regex, String> {
    if let Some(e) = go_syntax_error(re) {
        return Err(format!("error parsing regexp: {e}"));
    }
    Regex::new(&translate(re)).map_err(|e| {
        let msg = e.to_string();
        let last = msg
            .lines()
            .rev()
            .find(|l| l.starts_with("error:"))
            .unwrap_or(&msg);
        format!(
            "error parsing regexp: {}: `{re}`",
            last.trim_start_matches("error:").trim()
        )
    })
}

/// The usual Go parse errors, with Go's wording.
fn go_syntax_error(re: &str) -> Option<String> {
    let b: Vec<char> = re.chars().collect();
    let mut depth = 0i32;
    let mut i = 0;
    let mut prev_repeatable = false;
    let mut prev_was_rep = false;
    let mut last_rep_start = 0usize;
    while i < b.len() {
        let c = b[i];
        match c {
            '\\' => {
                if i + 1 >= b.len() {
                    return Some("trailing backslash at end of expression: ``".into());
                }
                let e = b[i + 1];
                if e.is_ascii_alphanumeric() && !"dDwWsSbBAzpPQEtnrfvax0123456789".contains(e) {
                    return Some(format!("invalid escape sequence: `\\{e}`"));
                }
                i += 2;
                if e == 'p' || e == 'P' {
                    if i < b.len() && b[i] == '{' {
                        while i < b.len() && b[i] != '}' {
                            i += 1;
                        }
                        i += 1;
                    } else {
                        i += 1;
                    }
                }
                prev_repeatable = true;
                prev_was_rep = false;
                continue;
            }
            '[' => {
                let start = i;
                i += 1;
                if i < b.len() && b[i] == '^' {
                    i += 1;
                }
                if i < b.len() && b[i] == ']' {
                    i += 1;
                }
                let mut closed = false;
                while i < b.len() {
                    if b[i] == '\\' {
                        if let Some(&e) = b.get(i + 1)
                            && e.is_ascii_alphanumeric()
                            && !"dDsSwWpPaftnrvx01234567".contains(e)
                        {
                            return Some(format!("invalid escape sequence: `\\{e}`"));
                        }
                        i += 2;
                        continue;
                    }
                    if b[i] == '['
                        && i + 1 < b.len()
                        && b[i + 1] == ':'
                        && let Some(end) = (i + 2..b.len().saturating_sub(1))
                            .find(|&k| b[k] == ':' && b[k + 1] == ']')
                    {
                        i = end + 2;
                        continue;
                    }
                    if b[i] == ']' {
                        closed = true;
                        break;
                    }
                    i += 1;
                }
                if !closed {
                    let rest: String = b[start..].iter().collect();
                    return Some(format!("missing closing ]: `{rest}`"));
                }
                i += 1;
                prev_repeatable = true;
                prev_was_rep = false;
                continue;
            }
            '(' => {
                // a flag group `(?i)` / `(?-s)` is no operand and opens nothing
                if b.get(i + 1) == Some(&'?') {
                    let mut j = i + 2;
                    while j < b.len() && "imsU-".contains(b[j]) {
                        j += 1;
                    }
                    if b.get(j) == Some(&')') {
                        // a following repetition applies to the operand before the flags
                        i = j + 1;
                        prev_was_rep = false;
                        continue;
                    }
                }
                depth += 1;
                prev_repeatable = false;
                prev_was_rep = false;
                i += 1;
                if i < b.len() && b[i] == '?' {
                    // named or non-capturing group: skip the marker
                    i += 1;
                }
                continue;
            }
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return Some(format!("unexpected ): `{re}`"));
                }
                prev_repeatable = true;
                prev_was_rep = false;
            }
            '*' | '+' | '?' | '{' => {
                let base_len = if c == '{' {
                    match repeat_len(&b, i) {
                        Some(n) => n,
                        None => {
                            // not a repetition: a literal brace
                            prev_repeatable = true;
                            prev_was_rep = false;
                            i += 1;
                            continue;
                        }
                    }
                } else {
                    1
                };
                let len = if b.get(i + base_len) == Some(&'?') {
                    base_len + 1
                } else {
                    base_len
                };
                let op: String = b[i..i + len].iter().collect();
                if prev_was_rep {
                    let s: String = b[last_rep_start..i + len].iter().collect();
                    return Some(format!("invalid nested repetition operator: `{s}`"));
                }
                if !prev_repeatable {
                    return Some(format!("missing argument to repetition operator: `{op}`"));
                }
                last_rep_start = i;
                i += len;
                prev_was_rep = true;
                continue;
            }
            '|' => {
                prev_repeatable = false;
                prev_was_rep = false;
            }
            _ => {
                prev_repeatable = true;
                prev_was_rep = false;
            }
        }
        i += 1;
    }
    if depth > 0 {
        return Some(format!("missing closing ): `{re}`"));
    }
    None
}

/// Length of a counted repetition `{n}`, `{n,}`, `{n,m}` starting at `b[i] == '{'` (Go treats
/// any other `{` as a literal).
fn repeat_len(b: &[char], i: usize) -> Option<usize> {
    let mut j = i + 1;
    let digits = |j: &mut usize| {
        let start = *j;
        while *j < b.len() && b[*j].is_ascii_digit() {
            *j += 1;
        }
        *j > start
    };
    if !digits(&mut j) {
        return None;
    }
    if b.get(j) == Some(&',') {
        j += 1;
        digits(&mut j);
    }
    if b.get(j) == Some(&'}') {
        Some(j + 1 - i)
    } else {
        None
    }
}

/// Rewrites Go-only meanings: Perl classes and word boundaries are ASCII in Go.
fn translate(re: &str) -> String {
    let mut out = String::with_capacity(re.len() + 16);
    let mut in_class = false;
    let mut chars = re.chars().peekable();
    let mut class_start = false;
    while let Some(c) = chars.next() {
        if c == '\\' {
            let Some(e) = chars.next() else {
                out.push('\\');
                break;
            };
            let rep: Option<&str> = if in_class {
                match e {
                    'd' => Some("0-9"),
                    'w' => Some("0-9A-Za-z_"),
                    's' => Some("\\t\\n\\x0C\\r "),
                    _ => None,
                }
            } else {
                match e {
                    'd' => Some("[0-9]"),
                    'D' => Some("[^0-9]"),
                    'w' => Some("[0-9A-Za-z_]"),
                    'W' => Some("[^0-9A-Za-z_]"),
                    's' => Some("[\\t\\n\\x0C\\r ]"),
                    'S' => Some("[^\\t\\n\\x0C\\r ]"),
                    'b' => Some("(?-u:\\b)"),
                    'B' => Some("(?-u:\\B)"),
                    _ => None,
                }
            };
            match rep {
                Some(r) => out.push_str(r),
                None => {
                    out.push('\\');
                    out.push(e);
                    if matches!(e, 'p' | 'P' | 'x') && chars.peek() == Some(&'{') {
                        // `\p{Greek}`, `\x{263a}`: copy the braces through
                        for d in chars.by_ref() {
                            out.push(d);
                            if d == '}' {
                                break;
                            }
                        }
                    }
                }
            }
            class_start = false;
            continue;
        }
        if in_class {
            if c == '[' && chars.peek() == Some(&':') {
                // POSIX class: copy through the closing ":]"
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == ']' {
                        break;
                    }
                }
                class_start = false;
                continue;
            }
            if c == '[' {
                // a literal '[' inside a Go class must be escaped for the regex crate
                out.push_str("\\[");
                class_start = false;
                continue;
            }
            if c == ']' && !class_start {
                in_class = false;
            }
            if c == '^' && class_start {
                out.push(c);
                continue;
            }
            if matches!(c, '&' | '~' | '-') && !class_start {
                // `&&`, `~~`, `--` are set operators in the regex crate
                if c != '-' || chars.peek() == Some(&'-') {
                    out.push('\\');
                }
            }
            out.push(c);
            class_start = false;
            continue;
        }
        if c == '[' {
            in_class = true;
            class_start = true;
            out.push(c);
            continue;
        }
        if c == '(' && chars.peek() == Some(&'?') {
            // `x(?i)*` is `x*` then the flags in Go; the regex crate wants the operator first
            let rest: Vec<char> = chars.clone().collect();
            let mut j = 1;
            while j < rest.len() && "imsU-".contains(rest[j]) {
                j += 1;
            }
            if j < rest.len() && rest[j] == ')' {
                let after = &rest[j + 1..];
                let op_len = match after.first() {
                    Some('*' | '+' | '?') => 1,
                    Some('{') => repeat_len(after, 0).unwrap_or(0),
                    _ => 0,
                };
                if op_len > 0 {
                    let op_len = if after.get(op_len) == Some(&'?') {
                        op_len + 1
                    } else {
                        op_len
                    };
                    out.extend(after[..op_len].iter());
                    out.push('(');
                    out.extend(rest[..=j].iter());
                    for _ in 0..(j + 1 + op_len) {
                        chars.next();
                    }
                    continue;
                }
            }
        }
        if c == '{' || c == '}' {
            // Go reads a brace that does not form `{n,m}` literally; the regex crate rejects it
            let rest: Vec<char> = std::iter::once(c).chain(chars.clone()).collect();
            if c == '{'
                && let Some(n) = repeat_len(&rest, 0)
            {
                out.extend(rest[..n].iter());
                for _ in 1..n {
                    chars.next();
                }
                continue;
            }
            out.push('\\');
            out.push(c);
            continue;
        }
        out.push(c);
    }
    out
}

/// Go's `allMatches`: leftmost-first matches from successive positions, ignoring an empty
/// match that directly follows the previous match. `n < 0` means all.
pub(crate) fn all_matches(re: &Regex, s: &str, n: i64) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if n == 0 {
        return out;
    }
    let end = s.len();
    let mut pos = 0usize;
    let mut prev_end: Option<usize> = None;
    while (n < 0 || (out.len() as i64) < n) && pos <= end {
        let Some(m) = re.find_at(s, pos) else { break };
        let (a, b) = (m.start(), m.end());
        let mut accept = true;
        if b == pos {
            if Some(a) == prev_end {
                accept = false;
            }
            pos += s[pos..].chars().next().map(char::len_utf8).unwrap_or(1);
        } else {
            pos = b;
        }
        prev_end = Some(b);
        if accept {
            out.push((a, b));
        }
    }
    out
}

/// Go's `Regexp.ReplaceAllString` / `ReplaceAllLiteralString`.
pub(crate) fn replace_all(re: &Regex, src: &str, repl: &str, literal: bool) -> String {
    let mut buf = String::with_capacity(src.len());
    let mut last_end = 0usize;
    let mut search = 0usize;
    let end = src.len();
    let mut locs = re.capture_locations();
    while search <= end {
        let Some(m) = re.captures_read_at(&mut locs, src, search) else {
            break;
        };
        let (a, b) = (m.start(), m.end());
        buf.push_str(&src[last_end..a]);
        if b > last_end || a == 0 {
            if literal {
                buf.push_str(repl);
            } else {
                expand(&mut buf, repl, src, re, &locs);
            }
        }
        last_end = b;
        let width = src[search..]
            .chars()
            .next()
            .map(char::len_utf8)
            .unwrap_or(0);
        if search + width > b {
            search += width;
        } else if search + 1 > b {
            search += 1;
        } else {
            search = b;
        }
    }
    buf.push_str(&src[last_end..]);
    buf
}

/// Go's `Regexp.expand`.
fn expand(dst: &mut String, template: &str, src: &str, re: &Regex, locs: &regex::CaptureLocations) {
    let mut t = template;
    while let Some(i) = t.find('$') {
        dst.push_str(&t[..i]);
        t = &t[i + 1..];
        if let Some(rest) = t.strip_prefix('$') {
            dst.push('$');
            t = rest;
            continue;
        }
        let Some((name, num, rest)) = extract(t) else {
            dst.push('$');
            continue;
        };
        t = rest;
        let group = match num {
            Some(n) => Some(n),
            None => re.capture_names().position(|g| g == Some(name)),
        };
        if let Some(g) = group
            && let Some((a, b)) = locs.get(g)
        {
            dst.push_str(&src[a..b]);
        }
    }
    dst.push_str(t);
}

/// Go's `extract`: a name of letters, digits and underscores, optionally in braces.
fn extract(s: &str) -> Option<(&str, Option<usize>, &str)> {
    let (brace, body) = match s.strip_prefix('{') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let len: usize = body
        .chars()
        .take_while(|c| c.is_alphabetic() || c.is_numeric() || *c == '_')
        .map(char::len_utf8)
        .sum();
    if len == 0 {
        return None;
    }
    let name = &body[..len];
    let mut rest = &body[len..];
    if brace {
        rest = rest.strip_prefix('}')?;
    }
    let mut num: Option<usize> = Some(0);
    for b in name.bytes() {
        match num {
            Some(n) if b.is_ascii_digit() && n < 100_000_000 => {
                num = Some(n * 10 + (b - b'0') as usize)
            }
            _ => {
                num = None;
                break;
            }
        }
    }
    if name.len() > 1 && name.starts_with('0') {
        num = None;
    }
    Some((name, num, rest))
}

/// Go's `Regexp.Split`.
pub(crate) fn split(re: &Regex, s: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if !re.as_str().is_empty() && s.is_empty() {
        return vec![String::new()];
    }
    let matches = all_matches(re, s, n);
    let mut out: Vec<String> = Vec::new();
    let (mut beg, mut end) = (0usize, 0usize);
    for (a, b) in matches {
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        end = a;
        if b != 0 {
            out.push(s[beg..end].to_string());
        }
        beg = b;
    }
    if end != s.len() {
        out.push(s[beg..].to_string());
    }
    out
}

#[allow(dead_code)]
fn _unused(_: FuncResult) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(re: &str) -> Rc<Regex> {
        compile(re).unwrap()
    }

    #[test]
    fn go_replacement_rules() {
        assert_eq!(
            replace_all(&r("a(x*)b"), "-ab-axxb-", "${1}W", false),
            "-W-xxW-"
        );
        assert_eq!(replace_all(&r("a(x*)b"), "-ab-axxb-", "$1W", false), "---");
        assert_eq!(replace_all(&r("a(x*)b"), "-ab-axxb-", "$1", false), "--xx-");
        assert_eq!(
            replace_all(&r("a(?P<n>x*)b"), "-axb-", "[$n]", false),
            "-[x]-"
        );
        assert_eq!(
            replace_all(&r("a(x*)b"), "-ab-axxb-", "$$1", false),
            "-$1-$1-"
        );
        assert_eq!(
            replace_all(&r("a(x*)b"), "-ab-axxb-", "$1", true),
            "-$1-$1-"
        );
        assert_eq!(replace_all(&r("a*"), "baaac", "X", false), "XbXcX");
        assert_eq!(replace_all(&r(""), "abc", "-", false), "-a-b-c-");
    }

    #[test]
    fn go_find_and_split() {
        let re = r("a*");
        let s = "baaac";
        let found: Vec<&str> = all_matches(&re, s, -1)
            .into_iter()
            .map(|(a, b)| &s[a..b])
            .collect();
        assert_eq!(found, vec!["", "aaa", ""]);
        assert_eq!(split(&r("a"), "banana", -1), vec!["b", "n", "n", ""]);
        assert_eq!(split(&r("a"), "banana", 2), vec!["b", "nana"]);
        assert_eq!(split(&r(""), "abc", -1), vec!["a", "b", "c"]);
        assert!(r(r"\d").find("٣").is_none());
        assert!(r(r"\w+").is_match("abc"));
    }

    #[test]
    fn go_errors() {
        assert_eq!(
            compile("(ab").unwrap_err(),
            "error parsing regexp: missing closing ): `(ab`"
        );
        assert_eq!(
            compile("ab)").unwrap_err(),
            "error parsing regexp: unexpected ): `ab)`"
        );
        assert_eq!(
            compile("[ab").unwrap_err(),
            "error parsing regexp: missing closing ]: `[ab`"
        );
        assert_eq!(
            compile("*a").unwrap_err(),
            "error parsing regexp: missing argument to repetition operator: `*`"
        );
        assert_eq!(quote_meta("a.b*c"), "a\\.b\\*c");
    }
}
