//! `cargo kindtest template`: render a chart like `helm template`.

/// Arguments of `cargo kindtest template`.
#[derive(clap::Args, Debug)]
pub struct TemplateArgs {}

/// Runs the command; returns the process exit code.
pub fn run(_args: TemplateArgs) -> i32 {
    eprintln!("error: `template` is not implemented yet");
    2
}
