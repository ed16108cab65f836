//! The error type of the reader and of the JSON view.

use crate::node::Span;
use std::fmt;

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text is not YAML (scanner/parser error).
    Syntax,
    /// The input is not UTF-8 or holds characters YAML forbids.
    Encoding,
    /// A resolved value cannot be built: bad merge, unknown/recursive alias, bad explicit tag,
    /// invalid map key.
    Decode,
    /// Too much alias expansion (billion laughs) or too deep nesting.
    Limit,
    /// Duplicate keys in strict mode (goyaml.v2 `UnmarshalStrict`).
    Strict,
    /// The value cannot be converted to JSON (null or non-string-able key, `.inf`, `.nan`).
    Json,
}

/// A YAML error with goyaml.v2's message text and, where known, the source position.
///
/// `Display` prints what Go prints (`yaml: line 6: mapping values are not allowed in this
/// context`), so callers can prefix it the way Helm does (`error converting YAML to JSON: …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The category.
    pub kind: ErrorKind,
    /// The message without the `yaml: line N: ` prefix.
    pub message: String,
    /// Where it happened, when known (1-based line and column).
    pub span: Option<Span>,
    /// The line number goyaml would print (`yaml: line N:`), when it prints one. This can
    /// differ from `span.line` because libyaml reports some errors on a neighbouring line.
    pub go_line: Option<usize>,
    /// saphyr-parser's own text, for errors that came from it.
    pub(crate) raw: Option<String>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            span: None,
            go_line: None,
            raw: None,
        }
    }

    pub(crate) fn at(mut self, span: Span) -> Error {
        self.span = Some(span);
        self
    }

    pub(crate) fn with_go_line(mut self, line: usize) -> Error {
        self.go_line = Some(line);
        self
    }

    /// 1-based line of the error, if known.
    pub fn line(&self) -> Option<usize> {
        self.span.map(|s| s.line).or(self.go_line)
    }

    /// 1-based column of the error, if known.
    pub fn column(&self) -> Option<usize> {
        self.span.map(|s| s.column)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind == ErrorKind::Json {
            // encoding/json and sigs.k8s.io/yaml messages have no `yaml:` prefix.
            return f.write_str(&self.message);
        }
        match self.go_line {
            Some(line) => write!(f, "yaml: line {line}: {}", self.message),
            None => write!(f, "yaml: {}", self.message),
        }
    }
}

impl std::error::Error for Error {}
