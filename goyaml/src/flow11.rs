//! Quoted-scalar folding with YAML 1.1 line breaks, as libyaml's `yaml_parser_scan_flow_scalar`
//! does it: NEL (U+0085) is a line break that folds like `\n`; LS (U+2028) and PS (U+2029)
//! are line breaks that are kept. Only used for scalars that contain those characters.

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Reads one line break at `chars[*i]` (CRLF counts as one) and returns its normalised
/// form: `\n` for CR, LF, CRLF and NEL; LS/PS as themselves.
fn read_break(chars: &[char], i: &mut usize) -> char {
    let c = chars[*i];
    *i += 1;
    match c {
        '\r' => {
            if chars.get(*i) == Some(&'\n') {
                *i += 1;
            }
            '\n'
        }
        '\n' | '\u{85}' => '\n',
        other => other,
    }
}

fn hex(chars: &[char], i: &mut usize, n: usize) -> Option<char> {
    let mut v: u32 = 0;
    for _ in 0..n {
        let d = chars.get(*i)?.to_digit(16)?;
        v = v * 16 + d;
        *i += 1;
    }
    char::from_u32(v)
}

/// Folds the raw source of a quoted scalar (`'…'` or `"…"`, quotes included). `None` if it is
/// not well formed (the caller then keeps saphyr-parser's value).
pub(crate) fn fold_quoted(raw: &str) -> Option<String> {
    let chars: Vec<char> = raw.chars().collect();
    let quote = *chars.first()?;
    let single = match quote {
        '\'' => true,
        '"' => false,
        _ => return None,
    };
    let mut out = String::new();
    let mut i = 1;
    loop {
        let mut leading_blanks = false;
        // Non-blank characters.
        while i < chars.len() && !is_blank(chars[i]) && !is_break(chars[i]) {
            let c = chars[i];
            if single && c == '\'' && chars.get(i + 1) == Some(&'\'') {
                out.push('\'');
                i += 2;
            } else if c == quote {
                break;
            } else if !single && c == '\\' && chars.get(i + 1).is_some_and(|&n| is_break(n)) {
                i += 1;
                read_break(&chars, &mut i);
                leading_blanks = true;
                break;
            } else if !single && c == '\\' {
                let e = *chars.get(i + 1)?;
                i += 2;
                let v = match e {
                    '0' => '\0',
                    'a' => '\u{7}',
                    'b' => '\u{8}',
                    't' | '\t' => '\t',
                    'n' => '\n',
                    'v' => '\u{b}',
                    'f' => '\u{c}',
                    'r' => '\r',
                    'e' => '\u{1b}',
                    ' ' => ' ',
                    '"' => '"',
                    '/' => '/',
                    '\'' => '\'',
                    '\\' => '\\',
                    'N' => '\u{85}',
                    '_' => '\u{a0}',
                    'L' => '\u{2028}',
                    'P' => '\u{2029}',
                    'x' => hex(&chars, &mut i, 2)?,
                    'u' => hex(&chars, &mut i, 4)?,
                    'U' => hex(&chars, &mut i, 8)?,
                    _ => return None,
                };
                out.push(v);
            } else {
                out.push(c);
                i += 1;
            }
        }
        if i >= chars.len() {
            return None;
        }
        if chars[i] == quote && !leading_blanks {
            break;
        }
        // Blanks and breaks.
        let mut whitespaces = String::new();
        let mut leading_break: Option<char> = None;
        let mut trailing_breaks = String::new();
        while i < chars.len() && (is_blank(chars[i]) || is_break(chars[i])) {
            if is_blank(chars[i]) {
                if !leading_blanks {
                    whitespaces.push(chars[i]);
                }
                i += 1;
            } else if !leading_blanks {
                whitespaces.clear();
                leading_break = Some(read_break(&chars, &mut i));
                leading_blanks = true;
            } else {
                trailing_breaks.push(read_break(&chars, &mut i));
            }
        }
        if leading_blanks {
            match leading_break {
                // An escaped line break (`\` at the end of a line) joins without a space.
                None => out.push_str(&trailing_breaks),
                Some('\n') => {
                    if trailing_breaks.is_empty() {
                        out.push(' ');
                    } else {
                        out.push_str(&trailing_breaks);
                    }
                }
                Some(b) => {
                    out.push(b);
                    out.push_str(&trailing_breaks);
                }
            }
        } else {
            out.push_str(&whitespaces);
        }
        if i >= chars.len() {
            return None;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::fold_quoted;

    #[test]
    fn folds_like_libyaml() {
        assert_eq!(fold_quoted("\"a\u{85}b\\nc\"").as_deref(), Some("a b\nc"));
        assert_eq!(
            fold_quoted("\"a \u{2028}b\"").as_deref(),
            Some("a\u{2028}b")
        );
        assert_eq!(fold_quoted("'x\n\n  y'").as_deref(), Some("x\ny"));
        assert_eq!(fold_quoted("'it''s\n z'").as_deref(), Some("it's z"));
        assert_eq!(fold_quoted("\"a\\\n   b\"").as_deref(), Some("ab"));
        assert_eq!(fold_quoted("\"\\u00e9\\x41\\t\"").as_deref(), Some("éA\t"));
        assert_eq!(fold_quoted("\"open"), None);
    }
}
