//! `cargo kindtest validate`: validate manifests against the Kubernetes OpenAPI schemas
//! (kubeconform's job, offline, with the API server's YAML reading and strictness).

use chart_lint::schema::{self, CrdSet, Input, ManifestValidator, Options};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Arguments of `cargo kindtest validate`.
#[derive(clap::Args, Debug, Default)]
#[command(after_help = "\
Exit status: 0 all valid, 1 findings (invalid resources, YAML or schema errors), 2 usage or internal error.

Examples:
  cargo kindtest validate deploy/                         every .yaml/.yml/.json below deploy/
  helm template ./chart | cargo kindtest validate -       findings name the template (# Source:)
  cargo kindtest validate --kube-version 1.33 --crd crds/ manifests.yaml")]
pub struct ValidateArgs {
    /// Files or directories to validate; `-` reads standard input (the default when none is given)
    #[arg(value_name = "FILES|DIRS|-")]
    pub inputs: Vec<String>,

    /// Kubernetes version of the schemas (default: the profile's cluster version, else 1.36)
    #[arg(long, value_name = "VERSION")]
    pub kube_version: Option<String>,

    /// Report unknown fields and duplicate keys as warnings instead of errors
    #[arg(long)]
    pub no_strict: bool,

    /// CRD file or directory whose custom resources can then be validated (repeatable)
    #[arg(long = "crd", value_name = "PATH")]
    pub crds: Vec<PathBuf>,

    /// kubeconform-style schema location on disk (directory or path template; repeatable)
    #[arg(long = "schema-location", value_name = "LOCATION")]
    pub schema_locations: Vec<String>,

    /// Kinds to skip, as `Kind` or `apiVersion/Kind` (comma-separated, repeatable)
    #[arg(long, value_name = "KINDS", value_delimiter = ',')]
    pub skip: Vec<String>,

    /// Skip resources whose kind has no schema instead of failing
    #[arg(long)]
    pub ignore_missing_schemas: bool,

    /// Do not use CustomResourceDefinitions found in the inputs themselves
    #[arg(long)]
    pub no_input_crds: bool,

    /// Worker threads (default: number of CPUs)
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,

    /// Print one line per finding instead of rustc-style blocks
    #[arg(long)]
    pub short: bool,

    /// Do not print the summary line
    #[arg(long)]
    pub no_summary: bool,
}

/// How the caller wants findings printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// rustc-style text.
    Human,
    /// One JSON object per line.
    Json,
}

/// The Kubernetes version of a profile's cluster, if the workspace configures one.
fn profile_kube_version(profile: &str, manifest_path: Option<&Path>) -> Option<String> {
    let loaded = cargo_kindtest::config::load(manifest_path).ok()?;
    let mut name = profile.to_string();
    for _ in 0..16 {
        let p = loaded.config.profiles.get(&name)?;
        if let Some(v) = &p.cluster.kubernetes_version {
            return Some(v.clone());
        }
        name = match &p.inherits {
            Some(i) => i.clone(),
            None if name != "default" => "default".into(),
            None => return None,
        };
    }
    None
}

/// Runs the command; returns the process exit code.
pub fn run(args: ValidateArgs, format: Format, profile: &str, manifest_path: Option<&Path>) -> i32 {
    let kube_version = args
        .kube_version
        .clone()
        .or_else(|| profile_kube_version(profile, manifest_path))
        .unwrap_or_else(|| schema::DEFAULT_KUBE_VERSION.to_string());
    let mut crds = CrdSet::new();
    for p in &args.crds {
        if let Err(e) = crds.add_path(p) {
            eprintln!("error: --crd {}: {e}", p.display());
            return 2;
        }
    }
    let opts = Options {
        kube_version,
        strict: !args.no_strict,
        skip: args.skip.clone(),
        ignore_missing_schemas: args.ignore_missing_schemas,
        schema_locations: args.schema_locations.clone(),
        crds,
        crds_from_input: !args.no_input_crds,
        threads: args.jobs.unwrap_or(0),
    };
    let mut validator = match ManifestValidator::new(opts) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    for n in validator.notes() {
        eprintln!("warning: {n}");
    }
    let inputs: Vec<Input> = if args.inputs.is_empty() {
        vec![Input::Stdin]
    } else {
        args.inputs
            .iter()
            .map(|s| {
                if s == "-" {
                    Input::Stdin
                } else {
                    Input::Path(PathBuf::from(s))
                }
            })
            .collect()
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut broken_pipe = false;
    let summary = validator.validate_inputs(&inputs, &mut |f| {
        if broken_pipe {
            return;
        }
        let r = match format {
            Format::Json => writeln!(out, "{}", f.to_json()),
            Format::Human if args.short => writeln!(out, "{}", f.render_short()),
            Format::Human => writeln!(out, "{}", f.render_human()),
        };
        broken_pipe = r.is_err();
    });
    if !args.no_summary {
        let _ = match format {
            Format::Json => writeln!(out, "{}", summary.to_json()),
            Format::Human => writeln!(out, "{}", summary.line()),
        };
    }
    let _ = out.flush();
    if summary.ok() { 0 } else { 1 }
}
