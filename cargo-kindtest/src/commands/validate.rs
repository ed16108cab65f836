//! `cargo kindtest validate`: validate manifests against the Kubernetes OpenAPI schemas.

/// Arguments of `cargo kindtest validate`.
#[derive(clap::Args, Debug)]
pub struct ValidateArgs {}

/// Runs the command; returns the process exit code.
pub fn run(_args: ValidateArgs) -> i32 {
    eprintln!("error: `validate` is not implemented yet");
    2
}
