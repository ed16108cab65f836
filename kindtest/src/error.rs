//! The harness's error type: every variant renders as one line that says what failed.

use std::fmt;

/// `Result` with the harness's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error from a kindtest operation, or any error a test returns with `?`.
///
/// `Display` is a single line (what failed, and why); it becomes the panic message and so the JUnit
/// `message` under nextest. Like `anyhow::Error` it does not implement `std::error::Error` itself, so that
/// every standard error converts into it with `?`.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// No usable cluster configuration (missing env, unreadable kubeconfig, refused context).
    Config(String),
    /// A Kubernetes API call failed.
    Kube {
        /// What was being done, e.g. `create namespace kt-foo-1a2b`.
        op: String,
        /// The client error.
        source: kube::Error,
    },
    /// A wait ran out of time; the message names what is still pending and why.
    Timeout(String),
    /// A subprocess (helm) failed.
    Command(String),
    /// Invalid input given by the test (bad YAML, unknown target syntax, missing image name, ...).
    Invalid(String),
    /// Anything else: a message from the test itself or a foreign error.
    Other(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config(m) => write!(f, "kindtest: {m}"),
            Error::Kube { op, source } => write!(f, "{op}: {}", one_line(&source.to_string())),
            Error::Timeout(m) | Error::Command(m) | Error::Invalid(m) | Error::Other(m) => {
                f.write_str(m)
            }
        }
    }
}

impl Error {
    /// An error with a free-form message (`Err(kindtest::Error::msg("..."))?`).
    pub fn msg(message: impl fmt::Display) -> Self {
        Error::Other(one_line(&message.to_string()))
    }

    pub(crate) fn kube(op: impl Into<String>, source: kube::Error) -> Self {
        Error::Kube {
            op: op.into(),
            source,
        }
    }

    /// Whether this is a Kubernetes API error with the given HTTP status code.
    pub fn is_status(&self, code: u16) -> bool {
        matches!(self, Error::Kube { source: kube::Error::Api(s), .. } if s.code == code)
    }
}

/// Any standard error converts (so `?` works on io, serde, reqwest, ... errors); its source chain is
/// joined into one line.
impl<E> From<E> for Error
where
    E: std::error::Error + Send + Sync + 'static,
{
    fn from(e: E) -> Self {
        let mut text = e.to_string();
        let mut cur = e.source();
        while let Some(s) = cur {
            let st = s.to_string();
            if !text.contains(&st) {
                text.push_str(": ");
                text.push_str(&st);
            }
            cur = s.source();
        }
        Error::Other(one_line(&text))
    }
}

/// Collapses whitespace runs containing newlines into `; ` so a message stays on one line.
pub(crate) fn one_line(s: &str) -> String {
    let lines: Vec<&str> = s.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    lines.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_joins() {
        assert_eq!(one_line("a\n  b\n\nc "), "a; b; c");
        assert_eq!(one_line("single"), "single");
    }

    #[test]
    fn foreign_errors_are_one_line() {
        let io = std::io::Error::other("disk\nfull");
        let e: Error = io.into();
        assert_eq!(e.to_string(), "disk; full");
    }
}
