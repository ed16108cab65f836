//! Document splitting as Helm and kubectl do it.

/// Helm's `releaseutil.SplitManifests` (`pkg/release/v1/util/manifest.go`): the whole text
/// is `TrimSpace`d, split on the regex `(?:^|\s*\n)---\s*`, empty pieces are dropped and every
/// piece is `TrimSpace`d. Returns the pieces in order (Helm keys them `manifest-0`, …).
///
/// Note the regex's quirks, which this reproduces: `---` need not be alone on its line
/// (`---apiVersion: v1` starts a document with `apiVersion: v1`), and a `---` right after a
/// separator whose trailing `\s*` ate the newline stays in the next document.
pub fn split_helm_manifest(big: &str) -> Vec<&str> {
    let text = go_trim_space(big);
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut piece_start = 0;
    let mut pos = 0;
    while pos <= b.len() {
        let Some((ms, me)) = find_sep(b, pos) else {
            break;
        };
        let piece = &text[piece_start..ms];
        if !piece.is_empty() {
            out.push(go_trim_space(piece));
        }
        piece_start = me;
        pos = me;
    }
    let last = &text[piece_start..];
    if !last.is_empty() {
        out.push(go_trim_space(last));
    }
    out
}

fn is_go_space(c: u8) -> bool {
    // RE2 `\s` is `[\t\n\f\r ]`.
    matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// Leftmost match of `(?:^|\s*\n)---\s*` at or after `from`.
fn find_sep(b: &[u8], from: usize) -> Option<(usize, usize)> {
    let eat_ws = |mut i: usize| {
        while i < b.len() && is_go_space(b[i]) {
            i += 1;
        }
        i
    };
    if from == 0 && b.starts_with(b"---") {
        return Some((0, eat_ws(3)));
    }
    let mut p = from;
    while p < b.len() {
        if is_go_space(b[p]) {
            let run_end = eat_ws(p);
            if b[run_end - 1] == b'\n' && b[run_end..].starts_with(b"---") {
                return Some((p, eat_ws(run_end + 3)));
            }
            // A match inside the run would need the same tail; none exists.
            p = run_end;
        } else {
            p += 1;
        }
    }
    None
}

/// Go `strings.TrimSpace` (Unicode white space).
fn go_trim_space(s: &str) -> &str {
    s.trim_matches(|c: char| {
        matches!(
            c,
            '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{85}' | '\u{a0}'
        ) || (c as u32 > 0xff && c.is_whitespace())
    })
}

/// One document of a kubectl-style YAML stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KubeDoc<'a> {
    /// The document's text (lines between separators, newlines included).
    pub text: &'a str,
    /// 1-based line of the document's first line in the stream.
    pub line: usize,
    /// Byte offset of the document's first line in the stream.
    pub offset: usize,
}

impl KubeDoc<'_> {
    /// Parses this document (first YAML document in it, like kubectl's per-document
    /// decode) with spans relative to the whole stream: line, column and byte offset point
    /// into the text given to [`KubeDocs::new`]. `Error::go_line` stays document-relative,
    /// as Go reports it.
    pub fn parse(&self, opts: &crate::ParseOptions) -> Result<crate::Node, crate::Error> {
        let shift = |sp: &mut crate::Span| {
            sp.offset += self.offset;
            sp.line += self.line - 1;
        };
        match crate::parse_with(self.text, opts) {
            Ok(mut node) => {
                shift_spans(&mut node, &shift);
                Ok(node)
            }
            Err(mut e) => {
                if let Some(sp) = e.span.as_mut() {
                    shift(sp);
                }
                Err(e)
            }
        }
    }

    /// True when the document holds only white space and comments (kubectl skips those
    /// after decoding them to nothing).
    pub fn is_blank(&self) -> bool {
        self.text.lines().all(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#')
        })
    }
}

fn shift_spans(node: &mut crate::Node, f: &impl Fn(&mut crate::Span)) {
    // Iterative, so deep trees cannot overflow the stack.
    let mut stack: Vec<&mut crate::Node> = vec![node];
    while let Some(n) = stack.pop() {
        f(&mut n.span);
        match &mut n.value {
            crate::Value::Seq(items) => stack.extend(items.iter_mut()),
            crate::Value::Map(entries) => {
                for (k, v) in entries.iter_mut() {
                    stack.push(k);
                    stack.push(v);
                }
            }
            _ => {}
        }
    }
}

/// kubectl's document reader (`k8s.io/apimachinery/pkg/util/yaml.YAMLReader`): a line that
/// starts with `---` ends the current document; only spaces or a `#` comment may follow the
/// `---` (anything else is `invalid Yaml document separator: …`). Empty documents are
/// skipped. Streaming: yields one `&str` slice at a time, no parsing.
pub struct KubeDocs<'a> {
    src: &'a str,
    pos: usize,
    line: usize,
    failed: bool,
}

impl<'a> KubeDocs<'a> {
    /// Iterates over the documents of `src`.
    pub fn new(src: &'a str) -> Self {
        KubeDocs {
            src,
            pos: 0,
            line: 1,
            failed: false,
        }
    }
}

/// A malformed separator line (`---foo`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid Yaml document separator: {trailing}")]
pub struct SeparatorError {
    /// What followed `---`.
    pub trailing: String,
    /// 1-based line of the separator.
    pub line: usize,
}

impl<'a> Iterator for KubeDocs<'a> {
    type Item = Result<KubeDoc<'a>, SeparatorError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let src = self.src;
        let mut start: Option<(usize, usize)> = None;
        while self.pos < src.len() {
            let line_start = self.pos;
            let line_end = src[line_start..]
                .find('\n')
                .map_or(src.len(), |i| line_start + i + 1);
            let line = &src[line_start..line_end];
            let line_no = self.line;
            self.pos = line_end;
            self.line += 1;
            if let Some(rest) = line.strip_prefix("---") {
                let trimmed = rest.trim_matches(|c: char| c.is_whitespace());
                if !trimmed.is_empty() && !trimmed.starts_with('#') {
                    self.failed = true;
                    return Some(Err(SeparatorError {
                        trailing: trimmed.to_string(),
                        line: line_no,
                    }));
                }
                if let Some((off, l)) = start {
                    return Some(Ok(KubeDoc {
                        text: &src[off..line_start],
                        line: l,
                        offset: off,
                    }));
                }
                continue;
            }
            if start.is_none() {
                start = Some((line_start, line_no));
            }
        }
        start.map(|(off, l)| {
            Ok(KubeDoc {
                text: &src[off..],
                line: l,
                offset: off,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_split() {
        assert_eq!(
            split_helm_manifest("a: 1\n---\nb: 2\n"),
            vec!["a: 1", "b: 2"]
        );
        assert_eq!(split_helm_manifest("---\na: 1"), vec!["a: 1"]);
        assert_eq!(split_helm_manifest("a: 1\n---b: 2"), vec!["a: 1", "b: 2"]);
        assert_eq!(split_helm_manifest("a\n---\n---\nb"), vec!["a", "---\nb"]);
        assert_eq!(split_helm_manifest("a  \n\n---  \n\n b"), vec!["a", "b"]);
        assert_eq!(split_helm_manifest("a: x---y"), vec!["a: x---y"]);
        assert_eq!(split_helm_manifest("   \n "), Vec::<&str>::new());
        assert_eq!(split_helm_manifest("a\n--- # c\nb"), vec!["a", "# c\nb"]);
    }

    /// Verified with helm 4.1.4 (`helm template` of a file with these separators).
    #[test]
    fn helm_split_odd_separators() {
        let src = "# doc one\nkind: A\ndata:\n  x: \"a---b\"\n---\n---\nkind: B\n---kind: C\n---   \n   \nkind: D\ns: |\n  text\n  ---\n  more\n--- # comment\nkind: E\n";
        assert_eq!(
            split_helm_manifest(src),
            vec![
                "# doc one\nkind: A\ndata:\n  x: \"a---b\"",
                "---\nkind: B",
                "kind: C",
                "kind: D\ns: |\n  text\n  ---\n  more",
                "# comment\nkind: E",
            ]
        );
    }

    #[test]
    fn kube_split() {
        let src = "a: 1\n---\nb: 2\n--- # x\n\n---\nc: 3";
        let docs: Vec<_> = KubeDocs::new(src).map(|d| d.unwrap()).collect();
        assert_eq!(docs.len(), 4);
        assert_eq!((docs[0].text, docs[0].line), ("a: 1\n", 1));
        assert_eq!((docs[1].text, docs[1].line), ("b: 2\n", 3));
        assert_eq!((docs[2].text, docs[2].line), ("\n", 5));
        assert!(docs[2].is_blank());
        assert_eq!((docs[3].text, docs[3].line), ("c: 3", 7));
        let err: Vec<_> = KubeDocs::new("a\n---x\nb").collect();
        assert_eq!(
            err[0].as_ref().unwrap_err().to_string(),
            "invalid Yaml document separator: x"
        );
    }
}
