//! Errors, formatted exactly as Go's `text/template` formats them.

use std::fmt;

use crate::ast::Span;

/// A parse error. `Display` gives Go's text: `template: NAME:LINE: MSG`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The parse name (the file the text came from; Go's `Tree.ParseName`).
    pub name: String,
    /// 1-based line Go reports (the line of the last token read).
    pub line: usize,
    /// Byte span of the offending token in the source.
    pub span: Span,
    /// Go's message, e.g. `unexpected "|" in end` or `function "x" not defined`.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "template: {}:{}: {}", self.name, self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Where an execution error happened (Go's `ErrorContext`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The parse name of the tree holding the node (the file, also for `define`d templates).
    pub parse_name: String,
    /// 1-based line.
    pub line: usize,
    /// 0-based byte column of the node's Go position.
    pub col: usize,
    /// Byte span of the node in its source text (for our own diagnostics).
    pub span: Span,
    /// Go's `String()` of the failing node, as printed in `at <...>`.
    pub node: String,
}

/// What kind of execution error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExecErrorKind {
    /// An evaluation error raised by the engine (`can't evaluate field ...`, `wrong type ...`).
    Eval,
    /// A function returned an error: Go prints `error calling FUNC: DETAIL`.
    Call {
        /// Function (or method) name.
        func: String,
        /// The function's own message.
        detail: String,
    },
    /// A function aborted with [`crate::FuncError::Abort`] (Helm's `required`, `fail`): Go still
    /// prints `error calling FUNC: DETAIL`, Helm shows only `DETAIL`.
    Abort {
        /// Function name.
        func: String,
        /// The message to show verbatim.
        detail: String,
    },
    /// A resource limit (depth, output size) was exceeded.
    Limit,
}

/// An execution error. `Display` gives Go's text:
/// `template: FILE:LINE:COL: executing "NAME" at <NODE>: MSG`.
#[derive(Clone, Debug, PartialEq)]
pub struct ExecError {
    /// Kind.
    pub kind: ExecErrorKind,
    /// Name of the executing template (`executing "NAME"`).
    pub template: String,
    /// Where, when Go knows (it does not for e.g. `no template "x" associated`).
    pub location: Option<Location>,
    /// Go's message after the location (for calls: `error calling FUNC: DETAIL`).
    pub message: String,
    /// The error of a nested template execution this one wraps (an `include` or `tpl` that
    /// failed inside a function call); its text is also part of `message`, as in Go.
    pub cause: Option<Box<Error>>,
}

impl ExecError {
    /// The chain of nested errors, outermost first (this error, then its cause, ...).
    pub fn chain(&self) -> Vec<&Error> {
        let mut v = Vec::new();
        let mut cur = self.cause.as_deref();
        while let Some(e) = cur {
            v.push(e);
            cur = match e {
                Error::Exec(x) => x.cause.as_deref(),
                Error::Parse(_) => None,
            };
        }
        v
    }

    /// The message of a [`crate::FuncError::Abort`] (Helm's `required`/`fail`) anywhere in the
    /// chain, with the execution error that raised it.
    pub fn abort(&self) -> Option<(&ExecError, &str)> {
        if let ExecErrorKind::Abort { detail, .. } = &self.kind {
            return Some((self, detail));
        }
        match self.cause.as_deref() {
            Some(Error::Exec(e)) => e.abort(),
            _ => None,
        }
    }

    /// The execution frames of an include chain, outermost first: this error, then every
    /// nested execution error of the chain (what Helm v4 prints as its multi-line trace: per
    /// frame `location`, `template` and `message`, where a wrapping frame's message ends with the
    /// nested error's text).
    pub fn frames(&self) -> Vec<&ExecError> {
        let mut v = vec![self];
        for e in self.chain() {
            if let Error::Exec(x) = e {
                v.push(x);
            }
        }
        v
    }

    /// The innermost error of the chain (this one when there is no cause).
    pub fn innermost(&self) -> Option<&Error> {
        self.chain().last().copied()
    }
}

impl fmt::Display for ExecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(l) => write!(
                f,
                "template: {}:{}:{}: executing {} at <{}>: {}",
                l.parse_name,
                l.line,
                l.col,
                crate::gofmt::quote(&self.template),
                l.node,
                self.message
            ),
            None if self.template.is_empty() => write!(f, "template: {}", self.message),
            None => write!(f, "template: {}: {}", self.template, self.message),
        }
    }
}

impl std::error::Error for ExecError {}

impl Drop for ExecError {
    // Include chains can be thousands deep: drop them iteratively, not recursively.
    fn drop(&mut self) {
        let mut next = self.cause.take();
        while let Some(mut e) = next {
            next = match &mut *e {
                Error::Exec(x) => x.cause.take(),
                Error::Parse(_) => None,
            };
        }
    }
}

/// Either kind of template error.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// Parse error.
    Parse(ParseError),
    /// Execution error.
    Exec(ExecError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Parse(e) => e.fmt(f),
            Error::Exec(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {}

impl From<ParseError> for Error {
    fn from(e: ParseError) -> Error {
        Error::Parse(e)
    }
}

impl From<ExecError> for Error {
    fn from(e: ExecError) -> Error {
        Error::Exec(e)
    }
}
