//! Validating manifests against the Kubernetes OpenAPI schemas, offline, the way the API
//! server reads them (`cargo kindtest validate` / `check`).
//!
//! * **Data**: the official OpenAPI v3 definitions of every supported Kubernetes minor
//!   (1.30–1.37), converted by `scripts/gen-schemas.py` (descriptions stripped, nullable
//!   optional fields, IntOrString/Quantity as `anyOf`, int32/int64 bounds, strict
//!   `additionalProperties: false`, `apiVersion`/`kind` pinned) and embedded zstd-compressed
//!   (about 155 KB for all versions). Each version is decompressed once per process.
//! * **YAML**: `goyaml` (YAML 1.1 like sigs.k8s.io/yaml): kubectl's document split,
//!   `yes`→true, `0644`→420, merge keys, BOM, duplicate keys an error in strict mode, depth
//!   and alias budgets; `kind: List` is expanded item by item.
//! * **Validators** are compiled once per (version, kind) on first use and shared by all
//!   threads ([`engine::Catalog`]); large batches are validated in parallel.
//! * **CRDs**: custom resources validate against CRDs from the input, from `crds/`
//!   directories and `--crd` files ([`CrdSet`]); kubeconform-style schema locations on disk
//!   are read too.
//! * **Extra checks** the API server makes that no schema states: Quantity syntax, int32/int64
//!   range, `metadata.name`/`generateName`, ConfigMap/Secret data ≤ 1 MiB, 3 MiB requests,
//!   base64 for `[]byte` fields; removed, deprecated and not-served-by-default APIs.
//! * **Findings** ([`Finding`]) name the file (for rendered charts the template from
//!   `# Source:` and the line in its rendered output), document index, resource, JSON
//!   pointer, and a hint where YAML 1.1 surprised the author.
//!
//! Not checked (the server-side dry run after kind is up covers them): CEL
//! `x-kubernetes-validations`, formats, enum values absent from the OpenAPI, admission.

pub mod apis;
pub mod crd;
pub mod data;
mod doc;
pub mod engine;
mod finding;
pub mod location;
mod run;
pub(crate) mod semantic;

pub use apis::{ApiStatus, api_status, api_versions};
pub use crd::CrdSet;
pub use data::{DEFAULT_KUBE_VERSION, KubeVersion, supported_minors};
pub use finding::{Finding, Severity, Summary};
pub use run::{Input, MAX_FILE_BYTES, manifest_files};

use doc::DocSettings;
use engine::Catalog;
use std::path::PathBuf;

/// Errors that stop validation altogether (usage or internal errors: exit code 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    /// Bad or unsupported `--kube-version`.
    #[error("{0}")]
    Version(String),
    /// A CRD that cannot be read or converted.
    #[error("{0}")]
    Crd(String),
    /// A file that cannot be read.
    #[error("{0}")]
    Io(String),
    /// A bug or corrupt embedded data.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Validation options.
#[derive(Debug, Clone)]
pub struct Options {
    /// Kubernetes version (`1.35`, `v1.35.2`); defaults to [`DEFAULT_KUBE_VERSION`].
    pub kube_version: String,
    /// Unknown fields and duplicate keys are errors (`kubectl --validate=strict`); when
    /// false they are warnings.
    pub strict: bool,
    /// Kinds to skip, as `Kind` or `apiVersion/Kind`.
    pub skip: Vec<String>,
    /// Treat a kind without any schema as skipped instead of an error.
    pub ignore_missing_schemas: bool,
    /// kubeconform-style schema locations on disk (see [`location`]).
    pub schema_locations: Vec<String>,
    /// CRDs known up front (`--crd`, charts' `crds/`).
    pub crds: CrdSet,
    /// Also use CRDs found in the validated input itself.
    pub crds_from_input: bool,
    /// Worker threads (0: the number of CPUs).
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            kube_version: DEFAULT_KUBE_VERSION.to_string(),
            strict: true,
            skip: Vec::new(),
            ignore_missing_schemas: false,
            schema_locations: Vec::new(),
            crds: CrdSet::new(),
            crds_from_input: true,
            threads: 0,
        }
    }
}

/// Findings plus counts, for callers that want everything at once.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Findings in input order.
    pub findings: Vec<Finding>,
    /// Counts.
    pub summary: Summary,
    /// Notes about the run (e.g. the schema version used instead of the requested one).
    pub notes: Vec<String>,
}

impl Report {
    /// True when there are no error findings.
    pub fn ok(&self) -> bool {
        self.summary.ok()
    }
}

/// A validator for one Kubernetes version and one set of options. Cheap to share across
/// threads; compiled schemas are cached inside.
pub struct ManifestValidator {
    catalog: Catalog,
    strict: bool,
    skip: Vec<String>,
    ignore_missing: bool,
    crds_from_input: bool,
    threads: usize,
    notes: Vec<String>,
}

impl ManifestValidator {
    /// Builds a validator (loads the schema index of the version).
    pub fn new(opts: Options) -> Result<ManifestValidator, SchemaError> {
        let v = KubeVersion::parse(&opts.kube_version)?;
        let (minor, fallback) = data::select(v)?;
        let mut notes = Vec::new();
        if fallback {
            notes.push(format!(
                "no embedded schemas for Kubernetes {v}; using 1.{minor}, the nearest older version"
            ));
        }
        let threads = if opts.threads == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            opts.threads
        };
        Ok(ManifestValidator {
            catalog: Catalog::new(minor, opts.crds, opts.schema_locations)?,
            strict: opts.strict,
            skip: opts.skip,
            ignore_missing: opts.ignore_missing_schemas,
            crds_from_input: opts.crds_from_input,
            threads,
            notes,
        })
    }

    /// The Kubernetes version of the schemas in use (`1.35.0`).
    pub fn kube_version(&self) -> &str {
        &self.catalog.index().version
    }

    /// Notes for the user (version fallback).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Adds CRDs (before validating).
    pub fn crds_mut(&mut self) -> &mut CrdSet {
        &mut self.catalog.crds
    }

    fn settings(&self) -> DocSettings<'_> {
        DocSettings {
            catalog: &self.catalog,
            strict: self.strict,
            skip: &self.skip,
            ignore_missing: self.ignore_missing,
        }
    }

    /// Validates one stream of YAML documents (a file's bytes, or a rendered chart).
    /// Documents starting with Helm's `# Source: path` comment are reported against that
    /// template path, with lines counted in the template's rendered output. CRDs found in
    /// `bytes` are NOT added here: add them first with [`ManifestValidator::crds_mut`] (the
    /// `validate_*` helpers below do).
    pub fn validate_stream(
        &self,
        file: &str,
        bytes: &[u8],
        sink: &mut dyn FnMut(Finding),
    ) -> Summary {
        let mut sum = Summary {
            files: 1,
            ..Default::default()
        };
        let src = run::Source::memory(file, bytes.to_vec());
        run::run_pipeline(
            &self.settings(),
            self.threads,
            &mut sum,
            sink,
            &mut |push| src.feed(push),
        );
        sum
    }

    /// Validates files, directories and stdin, streaming: findings go to `sink` in input
    /// order; each document is read, validated and dropped (memory does not grow with the
    /// number of documents). CRDs in the inputs are collected in a first pass (when enabled),
    /// so custom resources may come before their CRD.
    pub fn validate_inputs(&mut self, inputs: &[Input], sink: &mut dyn FnMut(Finding)) -> Summary {
        let mut sum = Summary::default();
        let files = run::expand(inputs);
        let mut stdin: Option<run::Source> = None;
        if files.iter().any(|f| matches!(f, Ok(Input::Stdin))) {
            stdin = Some(run::Source::stdin());
        }
        if self.crds_from_input {
            for f in files.iter().flatten() {
                let opened;
                let src = match f {
                    Input::Stdin => match &stdin {
                        Some(s) => s,
                        None => continue,
                    },
                    Input::Path(p) => {
                        opened = run::Source::path(p);
                        &opened
                    }
                };
                // Errors surface when the document itself is validated.
                if src.mentions(b"CustomResourceDefinition") {
                    let crds = &mut self.catalog.crds;
                    src.documents_with("CustomResourceDefinition", |doc| {
                        let _ = crds.add_text(doc.as_bytes(), &src.name);
                    });
                }
            }
        }
        let settings = self.settings();
        let mut files_seen = 0usize;
        let mut stdin_used = false;
        run::run_pipeline(&settings, self.threads, &mut sum, sink, &mut |push| {
            for f in &files {
                let src = match f {
                    Err(msg) => {
                        push(run::Job::failed("", msg.clone()));
                        continue;
                    }
                    Ok(Input::Stdin) if !stdin_used => {
                        stdin_used = true;
                        files_seen += 1;
                        match &stdin {
                            Some(s) => {
                                s.feed(push);
                                continue;
                            }
                            None => run::Source::failed("stdin", "stdin: not read".into()),
                        }
                    }
                    Ok(Input::Stdin) => {
                        files_seen += 1;
                        run::Source::failed("stdin", "stdin given more than once".into())
                    }
                    Ok(Input::Path(p)) => {
                        files_seen += 1;
                        run::Source::path(p)
                    }
                };
                src.feed(push);
            }
        });
        sum.files += files_seen;
        sum
    }
}

/// Validates a rendered chart (the `helm template` stream, with `# Source:` comments), so
/// that findings name the template and the line in its rendered output. CRDs found in the
/// stream are used for custom resources in it, on top of `opts.crds`.
pub fn validate_rendered(rendered: &str, opts: Options) -> Result<Report, SchemaError> {
    let from_input = opts.crds_from_input;
    let mut v = ManifestValidator::new(opts)?;
    if from_input && rendered.contains("CustomResourceDefinition") {
        let _ = v
            .crds_mut()
            .add_text(rendered.as_bytes(), "rendered manifests");
    }
    let mut findings = Vec::new();
    let summary = v.validate_stream("<rendered>", rendered.as_bytes(), &mut |f| findings.push(f));
    Ok(Report {
        findings,
        summary,
        notes: v.notes().to_vec(),
    })
}

/// Validates the rendered output of templates given one by one as `(template path, text)`
/// (as the renderer produces them): lines are exact lines of each template's output.
pub fn validate_templates<'a>(
    templates: impl IntoIterator<Item = (&'a str, &'a str)>,
    opts: Options,
) -> Result<Report, SchemaError> {
    let from_input = opts.crds_from_input;
    let templates: Vec<(&str, &str)> = templates.into_iter().collect();
    let mut v = ManifestValidator::new(opts)?;
    if from_input {
        for (path, text) in &templates {
            if text.contains("CustomResourceDefinition") {
                let _ = v.crds_mut().add_text(text.as_bytes(), path);
            }
        }
    }
    let mut report = Report {
        notes: v.notes().to_vec(),
        ..Default::default()
    };
    for (path, text) in templates {
        let s = v.validate_stream(path, text.as_bytes(), &mut |f| report.findings.push(f));
        report.summary.add(&s);
    }
    Ok(report)
}

/// The `crds/` directories of a chart and its subcharts (`charts/*/crds`, recursively);
/// unpacked charts only.
pub fn chart_crd_dirs(chart_dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let crds = chart_dir.join("crds");
    if crds.is_dir() {
        out.push(crds);
    }
    if let Ok(rd) = std::fs::read_dir(chart_dir.join("charts")) {
        let mut subs: Vec<PathBuf> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        subs.sort();
        for s in subs {
            out.extend(chart_crd_dirs(&s));
        }
    }
    out
}
