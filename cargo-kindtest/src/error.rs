//! Exit codes and the errors that cross stage boundaries.

/// The process exit codes of `cargo kindtest` (documented in `docs/configuration.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Everything passed.
    Ok = 0,
    /// Tests failed, or `check` found errors, or a release did not become ready.
    Failed = 1,
    /// Usage, configuration, environment (a tool missing, the Docker daemon down) or internal error.
    Usage = 2,
    /// Interrupted by Ctrl-C (128 + SIGINT), after cleanup.
    Interrupted = 130,
}

impl ExitCode {
    /// The numeric process exit code.
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// Implemented by every stage error: which exit code it maps to.
pub trait Classify {
    /// The exit code this error should produce.
    fn exit_code(&self) -> ExitCode;
}
