//! `cargo kindtest check`: render every chart with its default values and with each values
//! file, validate the manifests against the Kubernetes schemas, and run the lint rules — no
//! cluster needed. Also the pre-commit hook (`--files`: only the charts those files belong to).

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chart_lint::lint::{self, Finding, LintConfig, LintOptions, Severity};

/// Arguments of `cargo kindtest check`.
#[derive(clap::Args, Debug, Default, Clone)]
#[command(after_help = "\
Exit status: 0 no errors, 1 errors found (or warnings with --deny-warnings), 2 usage or internal error.

Examples:
  cargo kindtest check                              the workspace's charts × values files
  cargo kindtest check charts/web -f values/prod.yaml
  cargo kindtest check --message-format sarif > kindtest.sarif     GitHub code scanning
  cargo kindtest check --files charts/web/templates/deploy.yaml   what the pre-commit hook runs
  cargo kindtest check --server --profile sim       server-side dry run on the profile's cluster")]
pub struct CheckArgs {
    /// Charts to check (default: `charts` of [workspace.metadata.kindtest])
    #[arg(value_name = "CHART")]
    pub charts: Vec<PathBuf>,

    /// Check only the charts these files belong to (a pre-commit hook passes the staged files)
    #[arg(long, num_args = 0.., value_name = "FILE")]
    pub files: Option<Vec<PathBuf>>,

    /// Values file to render with, in addition to the chart defaults (repeatable; each is a separate render)
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values: Vec<PathBuf>,

    /// Kubernetes version for schemas, API deprecations and .Capabilities (default: the profile's)
    #[arg(long, value_name = "VERSION")]
    pub kube_version: Option<String>,

    /// Report unknown fields as warnings instead of errors
    #[arg(long)]
    pub no_strict: bool,

    /// Output: human (rustc-style), json (one object per line), sarif (SARIF 2.1.0 log)
    #[arg(long = "format", value_enum, value_name = "FMT")]
    pub format: Option<CheckFormat>,

    /// Also write a SARIF 2.1.0 log to this file
    #[arg(long, value_name = "PATH")]
    pub sarif: Option<PathBuf>,

    /// Fail on warnings too
    #[arg(long)]
    pub deny_warnings: bool,

    /// Print every lint rule as Markdown (the docs/lint-rules.md page) and exit
    #[arg(long)]
    pub rules_doc: bool,

    /// Instead of the offline checks: server-side dry run (strict field validation) of every
    /// document the profile's releases render to, on the cluster cargo kindtest created for the
    /// profile (or --context); nothing is changed
    #[arg(long)]
    pub server: bool,

    /// With --server: this kube context instead of the profile's cluster
    #[arg(long, value_name = "NAME", requires = "server")]
    pub context: Option<String>,

    /// With --server: kubeconfig of --context (default $KUBECONFIG, ~/.kube/config)
    #[arg(long, value_name = "PATH", requires = "server")]
    pub kubeconfig: Option<PathBuf>,
}

/// Output format of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// rustc-style text
    Human,
    /// JSON lines
    Json,
    /// SARIF 2.1.0
    Sarif,
}

struct Job {
    chart: PathBuf,
    values: Vec<PathBuf>,
}

/// The chart directory a file belongs to: the nearest ancestor with a Chart.yaml (the outermost
/// one, so a subchart's file checks its parent chart).
fn chart_of(file: &Path) -> Option<PathBuf> {
    let abs = if file.is_absolute() {
        file.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(file)
    };
    let mut found = None;
    let mut dir = if abs.is_dir() {
        Some(abs.as_path())
    } else {
        abs.parent()
    };
    while let Some(d) = dir {
        if d.join("Chart.yaml").is_file() {
            found = Some(d.to_path_buf());
        }
        dir = d.parent();
    }
    found
}

/// Runs the command. `json` is the global `--message-format json`.
pub fn run(args: CheckArgs, json: bool, profile: &str, manifest_path: Option<&Path>) -> i32 {
    if args.rules_doc {
        print!("{}", lint::rules_markdown());
        return 0;
    }
    if args.server {
        return super::check_server::run(&args, json, profile, manifest_path);
    }
    let format = args.format.unwrap_or(if json {
        CheckFormat::Json
    } else {
        CheckFormat::Human
    });
    let loaded = cargo_kindtest::config::load(manifest_path).ok();
    let base = loaded
        .as_ref()
        .map(|l| l.base_dir.clone())
        .unwrap_or_else(|| PathBuf::from("."));

    let mut jobs: Vec<Job> = Vec::new();
    if !args.charts.is_empty() {
        for c in &args.charts {
            jobs.push(Job {
                chart: c.clone(),
                values: args.values.clone(),
            });
        }
    } else if let Some(l) = &loaded {
        for entry in &l.config.charts {
            let (path, values) = match entry {
                cargo_kindtest::config::ChartEntry::Path(p) => (p.clone(), Vec::new()),
                cargo_kindtest::config::ChartEntry::Table(t) => (t.path.clone(), t.values.clone()),
            };
            let mut v: Vec<PathBuf> = values.iter().map(|x| base.join(x)).collect();
            v.extend(args.values.iter().cloned());
            jobs.push(Job {
                chart: base.join(path),
                values: v,
            });
        }
    }
    if let Some(files) = &args.files {
        // Pre-commit: keep the configured values of charts that are configured; any other chart
        // touched by the commit is checked with its defaults.
        let touched: BTreeSet<PathBuf> = files.iter().filter_map(|f| chart_of(f)).collect();
        let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let mut selected: Vec<Job> = Vec::new();
        for t in &touched {
            match jobs.iter().find(|j| canon(&j.chart) == canon(t)) {
                Some(j) => selected.push(Job {
                    chart: j.chart.clone(),
                    values: j.values.clone(),
                }),
                None => selected.push(Job {
                    chart: t.clone(),
                    values: args.values.clone(),
                }),
            }
        }
        jobs = selected;
        if jobs.is_empty() {
            if format == CheckFormat::Human {
                eprintln!("no chart touched by the given files");
            }
            return 0;
        }
    }
    if jobs.is_empty() {
        eprintln!(
            "error: no charts to check: name them (`cargo kindtest check charts/web`) or list them in [workspace.metadata.kindtest] charts"
        );
        return 2;
    }

    let config = match crate_lint_config(manifest_path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let kube_version = args
        .kube_version
        .clone()
        .or_else(|| {
            loaded
                .as_ref()
                .and_then(|l| profile_kube_version(&l.config, profile))
        })
        .unwrap_or_else(|| chart_lint::schema::DEFAULT_KUBE_VERSION.to_string());

    // The same code the pipeline's check stage runs: one render per chart × values file.
    let mut check_jobs = Vec::new();
    for job in &jobs {
        let mut sets: Vec<Vec<PathBuf>> = vec![Vec::new()];
        sets.extend(job.values.iter().map(|v| vec![v.clone()]));
        for values_files in sets {
            check_jobs.push(cargo_kindtest::plan::CheckJob {
                chart: job.chart.clone(),
                values: values_files,
                set: Default::default(),
                release: LintOptions::default().release_name,
                namespace: LintOptions::default().namespace,
                kube_version: None,
            });
        }
    }
    let checker = cargo_kindtest::check::ChartLint {
        opts: cargo_kindtest::check::CheckOptions {
            kube_version,
            strict: !args.no_strict,
            config,
        },
    };
    let report = cargo_kindtest::check::check_all(&checker, &check_jobs);
    let documents = report.documents;
    let all: Vec<Finding> = report.findings;

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        CheckFormat::Human => {
            for f in &all {
                let _ = writeln!(out, "{}", lint::output::human(f));
            }
            let _ = writeln!(
                out,
                "{}",
                lint::output::summary(&all, jobs.len(), documents)
            );
        }
        CheckFormat::Json => {
            for f in &all {
                let _ = writeln!(out, "{}", lint::output::json(f));
            }
            let errors = all.iter().filter(|f| f.severity == Severity::Error).count();
            let warnings = all
                .iter()
                .filter(|f| f.severity == Severity::Warning)
                .count();
            let _ = writeln!(
                out,
                "{}",
                serde_json::json!({"reason": "check-summary", "charts": jobs.len(), "documents": documents, "errors": errors, "warnings": warnings})
            );
        }
        CheckFormat::Sarif => {
            let log = lint::output::sarif(&all, &|f| f.file.trim_start_matches("./").to_string());
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&log).unwrap_or_default()
            );
        }
    }
    if let Some(path) = &args.sarif {
        let log = lint::output::sarif(&all, &|f| f.file.trim_start_matches("./").to_string());
        if let Err(e) = std::fs::write(path, serde_json::to_string_pretty(&log).unwrap_or_default())
        {
            eprintln!("error: cannot write {}: {e}", path.display());
            return 2;
        }
    }
    let failed = all.iter().any(|f| {
        f.severity == Severity::Error || (args.deny_warnings && f.severity == Severity::Warning)
    });
    i32::from(failed)
}

fn profile_kube_version(config: &cargo_kindtest::config::Config, profile: &str) -> Option<String> {
    let mut name = profile.to_string();
    for _ in 0..16 {
        let p = config.profiles.get(&name)?;
        if let Some(v) = &p.cluster.kubernetes_version {
            return Some(v.clone());
        }
        name = p.inherits.clone().unwrap_or_else(|| "default".into());
        if name == profile {
            return None;
        }
    }
    None
}

fn crate_lint_config(manifest_path: Option<&Path>) -> Result<LintConfig, String> {
    match manifest_path {
        None => chart_lint::build::workspace_lint_config(),
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            chart_lint::build::lint_config_from_manifest(&text)
                .map_err(|e| format!("{}: {e}", path.display()))
        }
    }
}
