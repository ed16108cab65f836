//! `cargo kindtest`: the command line. Thin: clap arguments are turned into calls of the
//! stage library (`cargo_kindtest::…`) and the chart library (`chart_lint`).

mod commands;

use clap::{Parser, Subcommand};

/// Cargo invokes subcommands as `cargo-kindtest kindtest ARGS`; running the binary directly
/// (`cargo-kindtest ARGS`) works too.
#[derive(Parser, Debug)]
#[command(name = "cargo", bin_name = "cargo")]
enum CargoCli {
    /// Render, validate and install Helm charts into a kind cluster, then run the tests.
    Kindtest(Cli),
}

/// Render, validate and install Helm charts into a kind cluster, then run the tests.
#[derive(Parser, Debug)]
#[command(name = "cargo-kindtest", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Render a chart locally and print the manifests, like `helm template`.
    Template(commands::template::TemplateArgs),
    /// Validate Kubernetes manifests against the OpenAPI schemas (like kubeconform).
    Validate(commands::validate::ValidateArgs),
}

fn main() {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // `cargo kindtest …` runs `cargo-kindtest kindtest …`.
    let cli = if args.get(1).is_some_and(|a| a == "kindtest") {
        let CargoCli::Kindtest(cli) = CargoCli::parse_from(args);
        cli
    } else {
        if !args.is_empty() {
            args[0] = "cargo-kindtest".into();
        }
        Cli::parse_from(args)
    };
    let code = match cli.command {
        Some(Command::Template(a)) => commands::template::run(a),
        Some(Command::Validate(a)) => commands::validate::run(a),
        None => {
            eprintln!("error: no command given; see `cargo kindtest --help`");
            2
        }
    };
    std::process::exit(code);
}
