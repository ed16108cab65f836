//! The two glob dialects Helm uses.
//!
//! * [`path_match`]: Go's `path/filepath.Match` (`*`, `?`, `[…]`, `\` escapes; `*` never crosses
//!   `/`). Used by `.helmignore` rules and by `helm template --show-only`.
//! * [`Glob`]: `github.com/gobwas/glob` compiled with `/` as separator, as `.Files.Glob` does
//!   (adds `**` across separators and `{a,b}` alternatives).

/// `filepath.ErrBadPattern`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadPattern;

impl std::fmt::Display for BadPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("syntax error in pattern")
    }
}

impl std::error::Error for BadPattern {}

/// Go's `filepath.Match(pattern, name)` on Unix.
pub fn path_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Validate the whole pattern first: Go reports ErrBadPattern even when the match fails
    // early, for most malformed patterns.
    validate(&p)?;
    Ok(match_here(&p, &n))
}

fn validate(p: &[char]) -> Result<(), BadPattern> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' => {
                if i + 1 >= p.len() {
                    return Err(BadPattern);
                }
                i += 2;
            }
            '[' => {
                let (_, next) = parse_class(p, i)?;
                i = next;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// A parsed character class: negated flag and ranges.
type Class = (bool, Vec<(char, char)>);

/// Parses `[…]` starting at `p[start] == '['`; returns the class and the index after `]`.
fn parse_class(p: &[char], start: usize) -> Result<(Class, usize), BadPattern> {
    let mut i = start + 1;
    let mut negated = false;
    if i < p.len() && p[i] == '^' {
        negated = true;
        i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        if i >= p.len() {
            return Err(BadPattern);
        }
        if p[i] == ']' && !first {
            return Ok(((negated, ranges), i + 1));
        }
        first = false;
        let lo = class_char(p, &mut i)?;
        let mut hi = lo;
        if i < p.len() && p[i] == '-' {
            i += 1;
            hi = class_char(p, &mut i)?;
        }
        ranges.push((lo, hi));
    }
}

fn class_char(p: &[char], i: &mut usize) -> Result<char, BadPattern> {
    if *i >= p.len() {
        return Err(BadPattern);
    }
    let c = p[*i];
    if c == '-' || c == ']' {
        return Err(BadPattern);
    }
    if c == '\\' {
        *i += 1;
        if *i >= p.len() {
            return Err(BadPattern);
        }
        let c = p[*i];
        *i += 1;
        return Ok(c);
    }
    *i += 1;
    Ok(c)
}

fn match_here(p: &[char], n: &[char]) -> bool {
    if p.is_empty() {
        return n.is_empty();
    }
    match p[0] {
        '*' => {
            // `*` matches any run of non-separators.
            let rest = &p[1..];
            let mut k = 0;
            loop {
                if match_here(rest, &n[k..]) {
                    return true;
                }
                if k >= n.len() || n[k] == '/' {
                    return false;
                }
                k += 1;
            }
        }
        '?' => !n.is_empty() && n[0] != '/' && match_here(&p[1..], &n[1..]),
        '[' => {
            let Ok(((neg, ranges), next)) = parse_class(p, 0) else {
                return false;
            };
            if n.is_empty() || n[0] == '/' {
                return false;
            }
            let c = n[0];
            let inside = ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi);
            inside != neg && match_here(&p[next..], &n[1..])
        }
        '\\' => p.len() > 1 && !n.is_empty() && n[0] == p[1] && match_here(&p[2..], &n[1..]),
        c => !n.is_empty() && n[0] == c && match_here(&p[1..], &n[1..]),
    }
}

/// A `gobwas/glob` pattern with `/` as the separator (what `.Files.Glob` compiles).
#[derive(Debug, Clone)]
pub struct Glob {
    tokens: Vec<Tok>,
}

#[derive(Debug, Clone)]
enum Tok {
    Lit(char),
    Any,    // `*`
    Super,  // `**`
    Single, // `?`
    Class(bool, Vec<(char, char)>),
    Alt(Vec<Vec<Tok>>),
}

impl Glob {
    /// Compiles a pattern; `None` on a syntax error (Helm then falls back to `**`).
    pub fn new(pattern: &str) -> Option<Glob> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut i = 0;
        let tokens = parse_glob(&chars, &mut i, false)?;
        if i != chars.len() {
            return None;
        }
        Some(Glob { tokens })
    }

    /// Whether `name` matches the whole pattern.
    pub fn matches(&self, name: &str) -> bool {
        let n: Vec<char> = name.chars().collect();
        glob_match(&self.tokens, &n)
    }
}

fn parse_glob(p: &[char], i: &mut usize, in_alt: bool) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    while *i < p.len() {
        let c = p[*i];
        match c {
            '*' => {
                if *i + 1 < p.len() && p[*i + 1] == '*' {
                    out.push(Tok::Super);
                    *i += 2;
                    while *i < p.len() && p[*i] == '*' {
                        *i += 1;
                    }
                } else {
                    out.push(Tok::Any);
                    *i += 1;
                }
            }
            '?' => {
                out.push(Tok::Single);
                *i += 1;
            }
            '[' => {
                *i += 1;
                let mut neg = false;
                if *i < p.len() && p[*i] == '!' {
                    neg = true;
                    *i += 1;
                }
                let mut ranges = Vec::new();
                loop {
                    if *i >= p.len() {
                        return None;
                    }
                    if p[*i] == ']' {
                        *i += 1;
                        break;
                    }
                    let lo = p[*i];
                    *i += 1;
                    if *i + 1 < p.len() && p[*i] == '-' && p[*i + 1] != ']' {
                        let hi = p[*i + 1];
                        *i += 2;
                        ranges.push((lo, hi));
                    } else {
                        ranges.push((lo, lo));
                    }
                }
                out.push(Tok::Class(neg, ranges));
            }
            '{' => {
                *i += 1;
                let mut alts = Vec::new();
                loop {
                    let alt = parse_glob(p, i, true)?;
                    alts.push(alt);
                    if *i >= p.len() {
                        return None;
                    }
                    if p[*i] == ',' {
                        *i += 1;
                        continue;
                    }
                    if p[*i] == '}' {
                        *i += 1;
                        break;
                    }
                    return None;
                }
                out.push(Tok::Alt(alts));
            }
            ',' | '}' if in_alt => return Some(out),
            '\\' => {
                if *i + 1 >= p.len() {
                    return None;
                }
                out.push(Tok::Lit(p[*i + 1]));
                *i += 2;
            }
            c => {
                out.push(Tok::Lit(c));
                *i += 1;
            }
        }
    }
    Some(out)
}

fn glob_match(t: &[Tok], n: &[char]) -> bool {
    let Some(first) = t.first() else {
        return n.is_empty();
    };
    let rest = &t[1..];
    match first {
        Tok::Lit(c) => !n.is_empty() && n[0] == *c && glob_match(rest, &n[1..]),
        Tok::Single => !n.is_empty() && n[0] != '/' && glob_match(rest, &n[1..]),
        Tok::Class(neg, ranges) => {
            if n.is_empty() || n[0] == '/' {
                return false;
            }
            let inside = ranges.iter().any(|&(lo, hi)| lo <= n[0] && n[0] <= hi);
            inside != *neg && glob_match(rest, &n[1..])
        }
        Tok::Any | Tok::Super => {
            let cross = matches!(first, Tok::Super);
            let mut k = 0;
            loop {
                if glob_match(rest, &n[k..]) {
                    return true;
                }
                if k >= n.len() || (!cross && n[k] == '/') {
                    return false;
                }
                k += 1;
            }
        }
        Tok::Alt(alts) => alts.iter().any(|a| {
            let mut joined = a.clone();
            joined.extend_from_slice(rest);
            glob_match(&joined, n)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filepath_match_like_go() {
        assert_eq!(path_match("*.yaml", "a.yaml"), Ok(true));
        assert_eq!(path_match("*.yaml", "t/a.yaml"), Ok(false));
        assert_eq!(path_match("templates/*", "templates/a.yaml"), Ok(true));
        assert_eq!(path_match("a?c", "abc"), Ok(true));
        assert_eq!(path_match("a?c", "a/c"), Ok(false));
        assert_eq!(path_match("[a-c]x", "bx"), Ok(true));
        assert_eq!(path_match("[^a-c]x", "bx"), Ok(false));
        assert_eq!(path_match("\\*x", "*x"), Ok(true));
        assert_eq!(path_match("[", "a"), Err(BadPattern));
        assert_eq!(path_match("a\\", "a"), Err(BadPattern));
        assert_eq!(path_match(".*", ".git"), Ok(true));
        assert_eq!(path_match("*", ""), Ok(true));
    }

    #[test]
    fn gobwas_glob() {
        let g = Glob::new("files/*.txt").unwrap();
        assert!(g.matches("files/a.txt"));
        assert!(!g.matches("files/x/a.txt"));
        let g = Glob::new("files/**").unwrap();
        assert!(g.matches("files/x/a.txt"));
        let g = Glob::new("**.{yaml,json}").unwrap();
        assert!(g.matches("a/b.json"));
        assert!(!g.matches("a/b.txt"));
        let g = Glob::new("[!a]*").unwrap();
        assert!(g.matches("bcd"));
        assert!(!g.matches("abc"));
        assert!(Glob::new("{a,b").is_none());
    }
}
