//! `.helmignore` rules, as helm's `pkg/ignore/rules.go` evaluates them.
//!
//! Quirks kept on purpose: `**` is rejected; a rule without `/` matches the base name only; a
//! negated rule (`!x`) *ignores every path it does not match* and lets matching paths go on to
//! the next rule; `templates/.?*` is always added.

use crate::glob::{BadPattern, path_match};

/// Parsed `.helmignore` rules.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    patterns: Vec<Pattern>,
}

#[derive(Debug, Clone)]
struct Pattern {
    rule: String,
    /// The common rule shapes, matched without the glob engine.
    shape: Shape,
    negate: bool,
    must_dir: bool,
    kind: MatchKind,
}

#[derive(Debug, Clone, Copy)]
enum MatchKind {
    /// Leading `/`: the whole relative path.
    Rooted,
    /// Contains `/`: the whole relative path.
    Path,
    /// No `/`: the base name.
    Base,
}

#[derive(Debug, Clone)]
enum Shape {
    /// No metacharacters: equality.
    Literal,
    /// `*` then a literal without `/`: a suffix, with no `/` before it.
    StarSuffix,
    /// Anything else: `filepath.Match`.
    Glob,
}

impl Shape {
    fn of(rule: &str) -> Shape {
        let meta = |s: &str| s.contains(['*', '?', '[', '\\']);
        if !meta(rule) {
            Shape::Literal
        } else if let Some(rest) = rule.strip_prefix('*')
            && !meta(rest)
            && !rest.contains('/')
        {
            Shape::StarSuffix
        } else {
            Shape::Glob
        }
    }
}

/// Why a `.helmignore` file was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreError(pub String);

impl std::fmt::Display for IgnoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Rules {
    /// No rules.
    pub fn empty() -> Rules {
        Rules::default()
    }

    /// Parses the text of a `.helmignore` file.
    pub fn parse(text: &[u8]) -> Result<Rules, IgnoreError> {
        let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
        let text = String::from_utf8_lossy(text);
        let mut r = Rules::default();
        for line in text.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            r.add(line)?;
        }
        Ok(r)
    }

    /// Adds the rules helm always applies (`templates/.?*`).
    pub fn add_defaults(&mut self) {
        // Cannot fail: the pattern is valid.
        let _ = self.add("templates/.?*");
    }

    fn add(&mut self, rule: &str) -> Result<(), IgnoreError> {
        let rule = rule.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err(IgnoreError(
                "double-star (**) syntax is not supported".into(),
            ));
        }
        if let Err(BadPattern) = path_match(rule, "abc") {
            return Err(IgnoreError("syntax error in pattern".into()));
        }
        let mut rest = rule;
        let negate = if let Some(r) = rest.strip_prefix('!') {
            rest = r;
            true
        } else {
            false
        };
        let must_dir = if let Some(r) = rest.strip_suffix('/') {
            rest = r;
            true
        } else {
            false
        };
        let (kind, rest) = if let Some(r) = rest.strip_prefix('/') {
            (MatchKind::Rooted, r)
        } else if rest.contains('/') {
            (MatchKind::Path, rest)
        } else {
            (MatchKind::Base, rest)
        };
        self.patterns.push(Pattern {
            rule: rest.to_string(),
            shape: Shape::of(rest),
            negate,
            must_dir,
            kind,
        });
        Ok(())
    }

    /// Whether `path` (relative, `/`-separated) is ignored.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for p in &self.patterns {
            if p.negate {
                if p.must_dir && !is_dir {
                    return true;
                }
                if !p.matches(path) {
                    return true;
                }
                continue;
            }
            if p.must_dir && !is_dir {
                continue;
            }
            if p.matches(path) {
                return true;
            }
        }
        false
    }
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        let subject = match self.kind {
            MatchKind::Rooted | MatchKind::Path => path,
            MatchKind::Base => path.rsplit('/').next().unwrap_or(path),
        };
        match self.shape {
            Shape::Literal => subject == self.rule,
            Shape::StarSuffix => {
                let suffix = &self.rule[1..];
                subject
                    .strip_suffix(suffix)
                    .is_some_and(|head| !head.contains('/'))
            }
            Shape::Glob => path_match(&self.rule, subject).unwrap_or(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_rules() {
        let mut r = Rules::parse(b"# c\n*.md\n/docs/\nsecret/*.key\n.git/\n").unwrap();
        r.add_defaults();
        assert!(r.ignore("README.md", false));
        assert!(r.ignore("sub/NOTES.md", false));
        assert!(r.ignore("docs", true));
        assert!(!r.ignore("docs", false));
        assert!(r.ignore("secret/a.key", false));
        assert!(r.ignore(".git", true));
        assert!(r.ignore("templates/.hidden", false));
        assert!(!r.ignore("templates/a.yaml", false));
        assert!(!r.ignore("values.yaml", false));
        assert!(Rules::parse(b"a/**/b\n").is_err());
    }

    #[test]
    fn fast_shapes_agree_with_the_glob_engine() {
        let rules = [
            "*.md", "*~", ".git", "a/b.txt", "*", "*.tar.gz", "x*", "*a/b", "?b",
        ];
        let names = [
            "README.md",
            "a/README.md",
            ".md",
            "md",
            "x~",
            "~",
            ".git",
            "a/b.txt",
            "a/c.txt",
            "",
            "f.tar.gz",
            "a/f.tar.gz",
            "xa",
            "ab",
            "a/b",
            "bb",
        ];
        for rule in rules {
            let p = Pattern {
                rule: rule.to_string(),
                shape: Shape::of(rule),
                negate: false,
                must_dir: false,
                kind: MatchKind::Path,
            };
            for name in names {
                assert_eq!(
                    p.matches(name),
                    path_match(rule, name).unwrap_or(false),
                    "{rule} {name}"
                );
            }
        }
    }

    #[test]
    fn negation_is_helms() {
        // A negated rule ignores everything it does not match.
        let r = Rules::parse(b"!keep.txt\n").unwrap();
        assert!(r.ignore("other.txt", false));
        assert!(!r.ignore("keep.txt", false));
    }
}
