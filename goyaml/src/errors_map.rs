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
}

pub(crate) fn map_scan_error(info: &str, span: Span, _src: &str) -> Error {
    use Stage::*;
    let (stage, msg): (Stage, &str) = match info {
        "mapping values are not allowed in this context" => (Scanner, info),
        "block sequence entries are not allowed in this context" => (Scanner, info),
        "mapping keys are not allowed in this context" => (Scanner, info),
        "simple key expect ':'" => (Scanner, "could not find expected ':'"),
        "found unprintable character" => (Scanner, "control characters are not allowed"),
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
        "while parsing a flow sequence, expected ',' or ']'" => {
            (Parser, "did not find expected ',' or ']'")
        }
        "while parsing a flow mapping, did not find expected ',' or '}'" => {
            (Parser, "did not find expected ',' or '}'")
        }
        "while parsing a node, did not find expected node content" => {
            (Parser, "did not find expected node content")
        }
        "did not find expected <document start>" => (Parser, info),
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
        Scanner => Some(span.line),
        Parser => span.line.checked_sub(1).filter(|&l| l > 0),
    };
    let mut e = Error::new(ErrorKind::Syntax, msg).at(span);
    if let Some(l) = go_line {
        e = e.with_go_line(l);
    }
    e
}
