//! `cargo kindtest`: the command line. Thin: clap arguments are turned into calls of the
//! stage library (`cargo_kindtest::…`) and the chart library (`chart_lint`).

mod commands;

use std::path::PathBuf;

use cargo_kindtest::ExitCode;
use cargo_kindtest::events::{ConsoleOptions, Events, Format};
use cargo_kindtest::pipeline::{self, Goal, RunOptions, Session};
use cargo_kindtest::process::{Cancel, Exec};
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Cargo invokes subcommands as `cargo-kindtest kindtest ARGS`; running the binary directly
/// (`cargo-kindtest ARGS`) works too.
#[derive(Parser, Debug)]
#[command(name = "cargo", bin_name = "cargo")]
enum CargoCli {
    /// Render, validate and install Helm charts into a kind cluster, then run the tests.
    Kindtest(Cli),
}

const AFTER_HELP: &str = "\
Profiles, charts, images and releases are read from [workspace.metadata.kindtest] in
Cargo.toml (see docs/configuration.md). Locally the cluster is kept for the next run; in CI
(CI=true) it is deleted at the end unless --keep.

Exit status: 0 success, 1 test or check failures (or a release that did not become ready),
2 usage, configuration or environment errors, 130 interrupted.

Examples:
  cargo kindtest                          run the `default` profile
  cargo kindtest --profile e2e pod_ready  run tests whose name contains `pod_ready`
  cargo kindtest -E 'test(/^e2e::/)' -- --no-capture
  cargo kindtest check                    render, validate and lint the charts (no cluster)
  cargo kindtest up && cargo kindtest status

Run `cargo kindtest help <COMMAND>` for more detailed information on a command.";

/// Render, validate and install Helm charts into a kind cluster, then run the tests
#[derive(Parser, Debug)]
#[command(
    name = "cargo-kindtest",
    bin_name = "cargo kindtest",
    version,
    long_about = None,
    max_term_width = 100,
    args_conflicts_with_subcommands = true,
    subcommand_precedence_over_arg = true,
    after_help = AFTER_HELP,
    override_usage = "cargo kindtest [OPTIONS] [FILTERS]... [-- <ARGS>...]\n       cargo kindtest [OPTIONS] <COMMAND>"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    test: TestArgs,

    #[command(flatten)]
    global: GlobalArgs,
}

/// Options every command takes.
#[derive(Args, Debug, Clone)]
struct GlobalArgs {
    /// Profile from [workspace.metadata.kindtest.profiles]
    #[arg(
        long,
        short = 'P',
        value_name = "NAME",
        default_value = "default",
        global = true,
        env = "KINDTEST_PROFILE",
        hide_env_values = true
    )]
    profile: String,

    /// Path to Cargo.toml
    #[arg(
        long,
        value_name = "PATH",
        global = true,
        help_heading = "Manifest Options"
    )]
    manifest_path: Option<PathBuf>,

    /// Use verbose output (-vv very verbose: command results)
    #[arg(long, short = 'v', action = clap::ArgAction::Count, global = true)]
    verbose: u8,

    /// Do not print progress, only errors and the test output
    #[arg(long, short = 'q', global = true, conflicts_with = "verbose")]
    quiet: bool,

    /// Coloring
    #[arg(
        long,
        value_enum,
        value_name = "WHEN",
        default_value = "auto",
        global = true
    )]
    color: Color,

    /// Output format: human-readable lines, or JSON events (one per line) for tools
    #[arg(
        long,
        value_enum,
        value_name = "FMT",
        default_value = "human",
        global = true
    )]
    message_format: MessageFormat,
}

/// Options of a test run (and of `up`).
#[derive(Args, Debug, Clone, Default)]
struct TestArgs {
    /// Test name filters, passed to the test runner
    #[arg(value_name = "FILTERS")]
    filters: Vec<String>,

    /// Arguments passed to `cargo nextest run` (or `cargo test`)
    #[arg(last = true, value_name = "ARGS")]
    args: Vec<String>,

    /// nextest filterset (replaces the profile's `filter`); may be repeated
    #[arg(
        long = "filterset",
        short = 'E',
        value_name = "EXPR",
        help_heading = "Test Options"
    )]
    filter_exprs: Vec<String>,

    /// Run a partition of the tests (nextest `--partition`, e.g. `hash:1/3`)
    #[arg(long, value_name = "PARTITION", help_heading = "Test Options")]
    partition: Option<String>,

    /// Run all tests regardless of failure
    #[arg(long, help_heading = "Test Options")]
    no_fail_fast: bool,

    /// Run each test process as a pod in the cluster (nextest target runner; README "In-cluster tests")
    #[arg(long, help_heading = "Test Options")]
    in_cluster: bool,

    #[command(flatten)]
    cluster: ClusterArgs,
}

/// Cluster lifecycle options.
#[derive(Args, Debug, Clone, Default)]
struct ClusterArgs {
    /// Delete and recreate the profile's cluster
    #[arg(long, help_heading = "Cluster Options")]
    fresh: bool,

    /// Keep the cluster after the run, even in CI
    #[arg(long, help_heading = "Cluster Options")]
    keep: bool,

    /// Use this kind cluster, even one cargo kindtest did not create (it is never deleted)
    #[arg(long, value_name = "NAME", help_heading = "Cluster Options")]
    cluster: Option<String>,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
enum MessageFormat {
    Human,
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Render, validate and lint the charts of the profile (no cluster)
    Check(commands::check_charts::CheckArgs),
    /// Render a chart locally and print the manifests, like `helm template`.
    Template(commands::template::TemplateArgs),
    /// Validate Kubernetes manifests against the OpenAPI schemas (like kubeconform).
    Validate(commands::validate::ValidateArgs),
    /// Create or reuse the cluster, load images and install releases; keep it running
    Up(ClusterArgs),
    /// Delete the profile's cluster (only one cargo kindtest created)
    Down,
    /// Show the clusters cargo kindtest created, their images and releases
    Status,
    /// Delete every cluster and test namespace cargo kindtest created and left behind
    Clean,
}

fn console(g: &GlobalArgs) -> Events {
    let verbosity = if g.quiet { -1 } else { g.verbose.min(2) as i8 };
    let color = match g.color {
        Color::Auto => None,
        Color::Always => Some(true),
        Color::Never => Some(false),
    };
    let format = match g.message_format {
        MessageFormat::Human => Format::Human,
        MessageFormat::Json => Format::Json,
    };
    Events::console(ConsoleOptions::detect(format, verbosity, color))
}

fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// glibc's heap in transparent huge pages, for the short, allocation-heavy commands
/// (`template`, `check`, `validate`, `lint`).
///
/// A render touches tens of megabytes of fresh heap, and every 4 KiB page of it costs a page
/// fault: about a third of a `template` run was spent in the kernel. This lets glibc grow the
/// heap in one 64 MiB step (address space only; nothing is resident until touched), keeps
/// large blocks on that heap instead of separate mappings, and asks the kernel for 2 MiB pages
/// there (what `GLIBC_TUNABLES=glibc.malloc.hugetlb=1` does). Resident memory grows by at
/// most one huge page of rounding, since the heap is contiguous. Where transparent huge pages
/// are off, the advice is ignored.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn heap_in_huge_pages() {
    const HUGE: usize = 2 << 20;
    // SAFETY: mallopt only tunes later growth; mallinfo and sbrk(0) only read; growing the
    // break by sbrk is allowed beside glibc's malloc (it handles foreign sbrk); the block is
    // freed untouched; MADV_HUGEPAGE on the heap's own range changes no contents.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
        libc::mallopt(libc::M_TOP_PAD, 64 << 20);
        // Where the heap grows next must not be written before the advice is given: a 2 MiB
        // range with one 4 KiB page in it stays in 4 KiB pages. Growing writes two chunk
        // headers, at the start of the new space and after the block that forced the growth,
        // so the break is first moved (glibc treats that as another program's sbrk and starts
        // its top anew there) to just below a huge-page boundary, by a block just larger than
        // the current free top: both headers land below the boundary, and everything above it
        // is first touched after the advice.
        // (More than all free memory: no free chunk can take the block, so the heap grows.)
        let info = libc::mallinfo();
        let free = usize::try_from(info.fordblks).unwrap_or(0)
            + usize::try_from(info.fsmblks).unwrap_or(0);
        let block = (free + 8192 + 4095) & !4095;
        let brk = libc::sbrk(0) as usize;
        if brk == usize::MAX {
            return;
        }
        let below = block + 4096;
        let mut boundary = (brk + HUGE - 1) & !(HUGE - 1);
        while boundary < brk + below {
            boundary += HUGE;
        }
        let target = boundary - below;
        if target > brk {
            libc::sbrk((target - brk) as libc::intptr_t);
        }
        // (black_box: a malloc/free pair the optimiser can see through would be removed.)
        let p = std::hint::black_box(libc::malloc(block));
        libc::free(p);
        let end = libc::sbrk(0) as usize;
        if end > boundary {
            libc::madvise(
                boundary as *mut libc::c_void,
                end - boundary,
                libc::MADV_HUGEPAGE,
            );
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn heap_in_huge_pages() {}

fn main() {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if std::env::var_os("KINDTEST_NO_HUGE_HEAP").is_none()
        && args
            .iter()
            .skip(1)
            .take(2)
            .any(|a| matches!(a.to_str(), Some("template" | "check" | "validate" | "lint")))
    {
        heap_in_huge_pages();
    }
    // Hidden: nextest's target runner under `--in-cluster` (see `cargo_kindtest::incluster`).
    let first = if args.get(1).is_some_and(|a| a == "kindtest") {
        2
    } else {
        1
    };
    if args
        .get(first)
        .is_some_and(|a| a == cargo_kindtest::incluster::RUNNER_SUBCOMMAND)
    {
        std::process::exit(cargo_kindtest::incluster::runner::main(&args[first + 1..]));
    }
    subcommand_first(&mut args, first);
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
    std::process::exit(real_main(cli));
}

/// `cargo kindtest --profile sim down` means `cargo kindtest down --profile sim`: when only
/// global options come before a command name, the command is moved to the front. (The test
/// run's own options and filters do not mix with commands, so clap would otherwise take
/// `down` for a test filter.)
fn subcommand_first(args: &mut Vec<std::ffi::OsString>, first: usize) {
    use clap::CommandFactory;
    let cmd = Cli::command();
    let mut i = first;
    while let Some(a) = args.get(i).and_then(|a| a.to_str()) {
        if a == "--" || !a.starts_with('-') {
            break;
        }
        let (name, inline_value) = match a.split_once('=') {
            Some((n, _)) => (n, true),
            None => (a, false),
        };
        let global = cmd.get_arguments().find(|arg| {
            arg.is_global_set()
                && (name
                    .strip_prefix("--")
                    .is_some_and(|l| arg.get_long() == Some(l))
                    || (name.len() == 2
                        && name.strip_prefix('-').and_then(|c| c.chars().next())
                            == arg.get_short()))
        });
        let Some(global) = global else {
            return;
        };
        i += 1;
        if !inline_value && global.get_action().takes_values() {
            i += 1;
        }
    }
    if i == first {
        return;
    }
    let is_command = args
        .get(i)
        .and_then(|a| a.to_str())
        .is_some_and(|a| cmd.find_subcommand(a).is_some());
    if is_command {
        let c = args.remove(i);
        args.insert(first, c);
    }
}

fn real_main(cli: Cli) -> i32 {
    let code = match cli.command {
        Some(Command::Template(a)) => return commands::template::run(a),
        Some(Command::Validate(a)) => {
            let format = if cli.global.message_format == MessageFormat::Json {
                commands::validate::Format::Json
            } else {
                commands::validate::Format::Human
            };
            return commands::validate::run(
                a,
                format,
                &cli.global.profile,
                cli.global.manifest_path.as_deref(),
            );
        }
        Some(Command::Check(a)) => {
            let json = cli.global.message_format == MessageFormat::Json;
            return commands::check_charts::run(
                a,
                json,
                &cli.global.profile,
                cli.global.manifest_path.as_deref(),
            );
        }
        Some(Command::Up(c)) => pipeline_cmd(
            &cli.global,
            TestArgs {
                cluster: c,
                ..TestArgs::default()
            },
            Goal::Up,
        ),
        Some(Command::Down) => commands::lifecycle::down(
            &cli.global.profile,
            cli.global.manifest_path.as_deref(),
            &setup(&cli.global).0,
        ),
        Some(Command::Status) => commands::lifecycle::status(
            &cli.global.profile,
            cli.global.manifest_path.as_deref(),
            &setup(&cli.global).0,
        ),
        Some(Command::Clean) => {
            commands::lifecycle::clean(cli.global.manifest_path.as_deref(), &setup(&cli.global).0)
        }
        None => pipeline_cmd(&cli.global, cli.test, Goal::Test),
    };
    code.code()
}

fn setup(g: &GlobalArgs) -> (Exec, Cancel) {
    let events = console(g);
    let cancel = Cancel::new();
    if let Err(e) = cancel.install_signal_handlers() {
        events.warn(format!("cannot install the Ctrl-C handler: {e}"));
    }
    (Exec::new(cancel.clone(), events), cancel)
}

fn pipeline_cmd(g: &GlobalArgs, t: TestArgs, goal: Goal) -> ExitCode {
    let (exec, _cancel) = setup(g);
    let events = exec.events().clone();
    let loaded = match cargo_kindtest::config::load(g.manifest_path.as_deref()) {
        Ok(l) => l,
        Err(e) => {
            events.error(e.to_string());
            return ExitCode::Usage;
        }
    };
    let opts = RunOptions {
        plan: cargo_kindtest::plan::Options {
            profile: g.profile.clone(),
            cluster: t.cluster.cluster.clone(),
            filters: t.filters,
            filter_exprs: t.filter_exprs,
            partition: t.partition,
            no_fail_fast: t.no_fail_fast,
            passthrough: t.args,
        },
        fresh: t.cluster.fresh,
        keep: t.cluster.keep,
        ci: is_ci(),
        goal,
        in_cluster: t.in_cluster,
    };
    pipeline::run(&Session::new(exec), &loaded, &opts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
        CargoCli::command().debug_assert();
    }

    fn args(v: &[&str]) -> Vec<std::ffi::OsString> {
        v.iter().map(Into::into).collect()
    }

    #[test]
    fn global_options_may_come_before_a_command() {
        let mut a = args(&["cargo-kindtest", "kindtest", "--profile", "sim", "down"]);
        subcommand_first(&mut a, 2);
        assert_eq!(
            a,
            args(&["cargo-kindtest", "kindtest", "down", "--profile", "sim"])
        );
        let CargoCli::Kindtest(cli) = CargoCli::try_parse_from(a).unwrap();
        assert!(matches!(cli.command, Some(Command::Down)), "{cli:?}");
        assert_eq!(cli.global.profile, "sim");

        let mut a = args(&["cargo-kindtest", "-v", "--profile=e2e", "status"]);
        subcommand_first(&mut a, 1);
        assert_eq!(
            a,
            args(&["cargo-kindtest", "status", "-v", "--profile=e2e"])
        );
        // Test options or filters before it: a filter, as before.
        for v in [
            &["cargo-kindtest", "--profile", "sim", "pod_ready"][..],
            &["cargo-kindtest", "--no-fail-fast", "down"][..],
            &["cargo-kindtest", "--profile", "sim", "--", "down"][..],
        ] {
            let mut a = args(v);
            subcommand_first(&mut a, 1);
            assert_eq!(a, args(v));
        }
    }

    #[test]
    fn filters_and_passthrough() {
        let cli = Cli::try_parse_from([
            "cargo-kindtest",
            "--profile",
            "e2e",
            "pod",
            "-E",
            "test(x)",
            "--",
            "--no-capture",
        ])
        .unwrap();
        assert_eq!(cli.global.profile, "e2e");
        assert_eq!(cli.test.filters, vec!["pod"]);
        assert_eq!(cli.test.filter_exprs, vec!["test(x)"]);
        assert_eq!(cli.test.args, vec!["--no-capture"]);
        assert!(cli.command.is_none());
    }

    #[test]
    fn subcommands_win_over_filters() {
        let cli = Cli::try_parse_from(["cargo-kindtest", "status", "--profile", "e2e"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Status)));
        assert_eq!(cli.global.profile, "e2e");
    }
}
