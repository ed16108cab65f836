//! `cargo kindtest template`: render a chart like `helm template` (same flags, same output).

use std::io::Write;
use std::path::{Path, PathBuf};

use chart_lint::output::StreamOptions;
use chart_lint::render::{KubeVersion, RenderOptions};
use chart_lint::values::ValueOptions;

/// How render errors are printed.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ErrorFormat {
    /// rustc-style: file, line, column, source line with a caret, include chain.
    #[default]
    Rustc,
    /// Exactly what `helm template` prints (`Error: …`).
    Helm,
}

/// Arguments of `cargo kindtest template` (those of `helm template`).
#[derive(clap::Args, Debug)]
pub struct TemplateArgs {
    /// `[NAME] CHART`: release name (optional) and chart directory or `.tgz`.
    #[arg(value_name = "NAME_OR_CHART", num_args = 1..=2, required = true)]
    args: Vec<String>,
    /// Values files (YAML), applied in order.
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    values: Vec<PathBuf>,
    /// Set values on the command line (`a.b=1,c[0]=x`).
    #[arg(long = "set", value_name = "KEY=VAL")]
    set: Vec<String>,
    /// Set string values on the command line.
    #[arg(long = "set-string", value_name = "KEY=VAL")]
    set_string: Vec<String>,
    /// Set JSON values on the command line.
    #[arg(long = "set-json", value_name = "KEY=JSON")]
    set_json: Vec<String>,
    /// Set values from files (`key=path`).
    #[arg(long = "set-file", value_name = "KEY=PATH")]
    set_file: Vec<String>,
    /// Set a literal string value (no escapes, no splitting).
    #[arg(long = "set-literal", value_name = "KEY=VAL")]
    set_literal: Vec<String>,
    /// Namespace (`.Release.Namespace`).
    #[arg(short = 'n', long = "namespace", default_value = "default")]
    namespace: String,
    /// Kubernetes version for `.Capabilities.KubeVersion` (default v1.35.0).
    #[arg(long = "kube-version")]
    kube_version: Option<String>,
    /// Extra API versions for `.Capabilities.APIVersions` (comma-separated, repeatable).
    #[arg(short = 'a', long = "api-versions", value_delimiter = ',')]
    api_versions: Vec<String>,
    /// Include CRDs (`crds/`) in the output.
    #[arg(long = "include-crds")]
    include_crds: bool,
    /// Skip test hooks.
    #[arg(long = "skip-tests")]
    skip_tests: bool,
    /// Only show manifests rendered from these templates (`filepath.Match` patterns).
    #[arg(short = 's', long = "show-only", value_name = "TEMPLATE")]
    show_only: Vec<String>,
    /// Write the manifests to files under this directory instead of stdout.
    #[arg(long = "output-dir", value_name = "DIR")]
    output_dir: Option<PathBuf>,
    /// Set `.Release.IsUpgrade` instead of `.Release.IsInstall`.
    #[arg(long = "is-upgrade")]
    is_upgrade: bool,
    /// Use the release name in the `--output-dir` path.
    #[arg(long = "release-name")]
    release_name: bool,
    /// Generate the release name (`helm template` still uses `release-name` with one argument).
    #[arg(short = 'g', long = "generate-name")]
    generate_name: bool,
    /// Skip `values.schema.json` validation.
    #[arg(long = "skip-schema-validation")]
    skip_schema_validation: bool,
    /// How to print render errors.
    #[arg(long = "error-format", value_enum, default_value_t = ErrorFormat::Rustc)]
    error_format: ErrorFormat,
}

/// A failure, printed in the chosen format.
struct Failure {
    helm: String,
    debug_hint: bool,
    report: Option<String>,
}

impl Failure {
    fn plain(msg: impl Into<String>) -> Failure {
        Failure {
            helm: msg.into(),
            debug_hint: false,
            report: None,
        }
    }
}

fn release_and_chart(a: &TemplateArgs) -> Result<(String, String), Failure> {
    match a.args.as_slice() {
        [name, chart] => {
            if a.generate_name {
                return Err(Failure::plain(
                    "cannot set --generate-name and also specify a name",
                ));
            }
            Ok((name.clone(), chart.clone()))
        }
        // `helm template` presets the release name, so it wins over --generate-name.
        [chart] => Ok(("release-name".into(), chart.clone())),
        _ => Err(Failure::plain("expected at most two arguments")),
    }
}

fn run_inner(a: &TemplateArgs) -> Result<(), Failure> {
    let (release, chart_path) = release_and_chart(a)?;
    let mut opts = RenderOptions {
        release_name: release.clone(),
        namespace: a.namespace.clone(),
        is_upgrade: a.is_upgrade,
        skip_schema_validation: a.skip_schema_validation,
        // One render, then the process exits: the syntax trees are not freed one by one.
        exit_after: true,
        // Without --include-crds the crds/ files are never printed.
        skip_crds: !a.include_crds,
        ..RenderOptions::default()
    };
    if let Some(kv) = &a.kube_version {
        opts.capabilities.kube_version = KubeVersion::parse(kv)
            .map_err(|e| Failure::plain(format!("invalid kube version '{kv}': {e}")))?;
    }
    opts.capabilities
        .api_versions
        .extend(a.api_versions.iter().cloned());
    let vopts = ValueOptions {
        value_files: a.values.clone(),
        json_values: a.set_json.clone(),
        values: a.set.clone(),
        string_values: a.set_string.clone(),
        file_values: a.set_file.clone(),
        literal_values: a.set_literal.clone(),
    };
    let rendered = chart_lint::template::render_path(Path::new(&chart_path), &vopts, &opts)
        .map_err(|f| Failure {
            helm: f.helm_message,
            debug_hint: f.debug_hint,
            report: f.report,
        })?;
    for w in &rendered.warnings {
        eprintln!("warning: {w}");
    }
    let stream = StreamOptions {
        include_crds: a.include_crds,
        skip_tests: a.skip_tests,
        show_only: a.show_only.iter().map(|s| s.replace('\\', "/")).collect(),
    };
    match &a.output_dir {
        None => {
            let text = rendered.to_helm_output(&stream).map_err(Failure::plain)?;
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .map_err(|e| Failure::plain(e.to_string()))?;
            out.flush().map_err(|e| Failure::plain(e.to_string()))?;
            // The process exits next; freeing every manifest string first is wasted time.
            std::mem::forget(text);
        }
        Some(dir) => {
            let dir = if a.release_name {
                dir.join(&release)
            } else {
                dir.clone()
            };
            write_output_dir(&dir, &rendered, &stream).map_err(Failure::plain)?;
            // helm prints the (empty) manifest buffer after the `wrote` lines: one newline.
            println!();
        }
    }
    std::mem::forget(rendered);
    Ok(())
}

/// helm's `writeToFile`: one file per template, documents appended in output order.
fn write_output_dir(
    dir: &Path,
    r: &chart_lint::render::Rendered,
    s: &StreamOptions,
) -> Result<(), String> {
    let mut written = std::collections::HashSet::new();
    let write = |name: &str, data: &str, append: bool| -> Result<(), String> {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        write!(f, "---\n# Source: {name}\n{data}\n").map_err(|e| e.to_string())?;
        println!("wrote {}", path.display());
        Ok(())
    };
    if s.include_crds {
        for (name, data) in &r.crds {
            let append = !written.insert(name.clone());
            write(name, data, append)?;
        }
    }
    for m in &r.manifests {
        let append = !written.insert(m.source_path.clone());
        write(&m.source_path, &m.content, append)?;
    }
    for h in &r.hooks {
        if s.skip_tests && h.is_test() {
            continue;
        }
        let append = dir.join(&h.manifest.source_path).exists();
        write(&h.manifest.source_path, &h.manifest.content, append)?;
    }
    Ok(())
}

/// Runs the command; returns the process exit code (1 on a render error).
pub fn run(args: TemplateArgs) -> i32 {
    match run_inner(&args) {
        Ok(()) => 0,
        Err(f) => {
            let mut err = std::io::stderr().lock();
            match (args.error_format, f.report) {
                (ErrorFormat::Rustc, Some(report)) if report.contains(f.helm.as_str()) => {
                    let _ = write!(err, "{report}");
                }
                (ErrorFormat::Rustc, Some(report)) => {
                    let _ = write!(err, "{report}");
                    let _ = writeln!(err, "  = helm: {}", f.helm.replace('\n', "\n          "));
                }
                (ErrorFormat::Rustc, None) => {
                    let _ = writeln!(err, "error: {}", f.helm);
                }
                (ErrorFormat::Helm, _) => {
                    let hint = if f.debug_hint {
                        "\n\nUse --debug flag to render out invalid YAML"
                    } else {
                        ""
                    };
                    let _ = writeln!(err, "Error: {}{hint}", f.helm);
                }
            }
            1
        }
    }
}
