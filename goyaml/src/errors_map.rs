//! Maps saphyr-parser's error texts to the libyaml/goyaml.v2 texts Helm prints.
//!
//! goyaml.v2 prints only libyaml's `problem` string, prefixed by `line N: `. For scanner
//! errors N is the 1-based line of the problem mark; for parser errors goyaml forgets the +1
//! and prints the 0-based line (so the number is one less than the line of the offending
//! token), omitting the prefix when that is 0.

use crate::error::{Error, ErrorKind};
use crate::node::Span;

enum Stage {
    Scanner,
    Parser,
    /// Reported without a line.
    NoLine,
}

/// The innermost flow collection open at `offset` (`[` or `{`), by a rough scan that skips
/// quoted scalars and comments.
fn innermost_flow(src: &str, offset: usize) -> Option<u8> {
    innermost_flow_pos(src, offset).map(|p| src.as_bytes()[p])
}

/// Byte offset of the innermost `[`/`{` still open at `offset` (rough scan, see above).
pub(crate) fn innermost_flow_pos(src: &str, offset: usize) -> Option<usize> {
    flow_stack(src, offset).last().copied()
}

/// Byte offset of the outermost `[`/`{` still open at `offset`.
pub(crate) fn outermost_flow_pos(src: &str, offset: usize) -> Option<usize> {
    flow_stack(src, offset).first().copied()
}

/// Offset of the bracket closing the flow collection opened at `open` (rough scan).
pub(crate) fn matching_close(src: &str, open: usize) -> Option<usize> {
    let b = src.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < b.len() {
        match b[i] {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'\'' => {
                i += 1;
                while i < b.len() && b[i] != b'\'' {
                    i += 1;
                }
            }
            b'#' if b[i - 1].is_ascii_whitespace() => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn flow_stack(src: &str, offset: usize) -> Vec<usize> {
    let b = src.as_bytes();
    let end = offset.min(b.len());
    let mut stack: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < end {
        match b[i] {
            b'[' | b'{' => stack.push(i),
            b']' | b'}' => {
                stack.pop();
            }
            b'"' => {
                i += 1;
                while i < end && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'\'' => {
                i += 1;
                while i < end && b[i] != b'\'' {
                    i += 1;
                }
            }
            b'#' if i == 0 || b[i - 1].is_ascii_whitespace() => {
                while i < end && b[i] != b'\n' {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    stack
}

pub(crate) fn map_scan_error(info: &str, span: Span, src: &str) -> Error {
    let mut e = map_scan_error_inner(info, span, src);
    e.raw = Some(info.to_string());
    e
}

fn map_scan_error_inner(info: &str, span: Span, src: &str) -> Error {
    use Stage::*;
    let flow_msg = || match innermost_flow(src, span.offset) {
        Some(b'{') => "did not find expected ',' or '}'",
        _ => "did not find expected ',' or ']'",
    };
    if info == "while parsing node, found unknown anchor" {
        // libyaml anchor names are [0-9A-Za-z_-]; after the name only a blank or one of
        // `?:,]}%@`` may follow.
        let rest = src.get(span.offset..).unwrap_or("");
        let rest = rest.strip_prefix('*').unwrap_or(rest);
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        let next = rest[name.len()..].chars().next();
        let ok_next = match next {
            None => true,
            Some(c) => c.is_whitespace() || "?:,]}%@`".contains(c),
        };
        if name.is_empty() || !ok_next {
            let mut e = Error::new(
                ErrorKind::Syntax,
                "did not find expected alphabetic or numeric character",
            )
            .at(span);
            if span.line > 1 {
                e = e.with_go_line(span.line);
            }
            return e;
        }
        return Error::new(
            ErrorKind::Decode,
            format!("unknown anchor '{name}' referenced"),
        )
        .at(span);
    }
    if info == "while scanning a plain scalar, found a tab" {
        // libyaml reports it on the continuation line that starts with the tab.
        return Error::new(
            ErrorKind::Syntax,
            "found a tab character that violates indentation",
        )
        .at(span)
        .with_go_line(span.line + 1);
    }
    if info == "recursion limit exceeded" {
        // saphyr-parser caps flow nesting at 255 levels (goyaml: 10000).
        return Error::new(
            ErrorKind::Limit,
            "exceeded max depth of 255 (flow collections)",
        )
        .at(span)
        .with_go_line(span.line);
    }
    if info.ends_with("found unexpected end of stream") {
        // libyaml reports it at the end of the input.
        let lines = src.bytes().filter(|&c| c == b'\n').count();
        let mut e = Error::new(ErrorKind::Syntax, "found unexpected end of stream").at(span);
        if lines > 0 {
            e = e.with_go_line(lines + 1);
        }
        return e;
    }
    let (stage, msg): (Stage, &str) = match info {
        "illegal placement of ':' indicator"
        | "while parsing a flow sequence, expected ',' or ']'"
        | "while parsing a flow mapping, did not find expected ',' or '}'" => (Parser, flow_msg()),
        "mapping values are not allowed in this context" => (Scanner, info),
        "block sequence entries are not allowed in this context" => (Scanner, info),
        "mapping keys are not allowed in this context" => (Scanner, info),
        "simple key expect ':'" | "simple key expected" => (Scanner, "could not find expected ':'"),
        "comment intercepting the multiline text" => (Parser, "did not find expected key"),
        "found unprintable character" => (NoLine, "control characters are not allowed"),
        "while scanning a quoted scalar, found unexpected end of stream" => {
            (Scanner, "found unexpected end of stream")
        }
        "while scanning a quoted scalar, found unexpected document indicator" => {
            (Scanner, "found unexpected document indicator")
        }
        "while parsing a quoted scalar, found unknown escape character" => {
            (Scanner, "found unknown escape character")
        }
        "while scanning an anchor or alias, did not find expected alphabetic or numeric character" => {
            (
                Scanner,
                "did not find expected alphabetic or numeric character",
            )
        }
        "while parsing a block mapping, did not find expected key" => {
            (Parser, "did not find expected key")
        }
        "while parsing a block collection, did not find expected '-' indicator" => {
            (Parser, "did not find expected '-' indicator")
        }
        "while parsing a node, did not find expected node content" => {
            (Parser, "did not find expected node content")
        }
        "did not find expected <document start>" => (Parser, info),
        "the handle wasn't declared" => (Parser, "found undefined tag handle"),
        "invalid trailing content after double-quoted scalar" | "misplaced bracket" => {
            // The reader refines this from the parse state (see `Documents`).
            (Parser, "did not find expected key")
        }
        "\"-\" is only valid inside a block" => (Parser, "did not find expected node content"),
        "duplicate version directive" => (Parser, "found duplicate %YAML directive"),
        s if s.starts_with("unexpected character:") => {
            (Scanner, "found character that cannot start any token")
        }
        "tabs disallowed within this context (block indentation)"
        | "tabs disallowed in this context"
        | "tab cannot be used as indentation"
        | "while scanning a plain scalar, found a tab" => {
            (Scanner, "found character that cannot start any token")
        }
        "invalid indentation" | "wrongly indented line in block scalar" => {
            (Parser, "did not find expected key")
        }
        "unexpected eof" => (Parser, "did not find expected node content"),
        other => {
            // Strip libyaml-style context ("while scanning X, ") and keep the problem.
            let problem = match other.split_once(", ") {
                Some((ctx, rest)) if ctx.starts_with("while ") => rest,
                _ => other,
            };
            (Scanner, problem)
        }
    };
    let go_line = match stage {
        // goyaml: scanner errors print problem_mark.line + 1, but only when the 0-based
        // line is not 0; parser errors print the 0-based line.
        Scanner => Some(span.line).filter(|&l| l > 1),
        Parser => span.line.checked_sub(1).filter(|&l| l > 0),
        NoLine => None,
    };
    let mut e = Error::new(ErrorKind::Syntax, msg).at(span);
    if let Some(l) = go_line {
        e = e.with_go_line(l);
    }
    e
}
