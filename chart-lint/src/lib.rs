//! Render, validate and lint Helm charts (Helm v4.1.4 semantics).
//!
//! # Public API
//!
//! The pipeline of `helm template`, one module per stage:
//! * [`chart::Chart::load`] — a chart directory or `.tgz` with its subcharts (`.helmignore`,
//!   `Chart.yaml` v1/v2, `requirements.yaml`, multi-document `values.yaml`, schema, files).
//! * [`values::ValueOptions::merge`] — `-f`/`--set`/`--set-string`/`--set-json`/`--set-file`/
//!   `--set-literal` user values; [`values::coalesce_values`] merges them with chart defaults.
//! * [`deps`] — `CheckDependencies` and `ProcessDependencies` (aliases, conditions, tags,
//!   import-values).
//! * [`render::render_chart`] → [`render::Rendered`] `{ manifests, hooks, crds, notes, files }`;
//!   [`render::Rendered::to_helm_output`] prints exactly what `helm template` prints.
//! * [`diagnostic::RenderError`] — `helm_message()` (helm's text) and `report()` (rustc-style).
//! * [`output`] — manifest splitting, hooks, kind order (usable on any helm output).
//! * [`render::objects`] — `.Capabilities` (default kube version and API versions of helm
//!   4.1.4) and `.Files`.
//! * [`template::template`] — all of the above in one call (what `cargo kindtest template`
//!   runs), returning helm's stdout text or a [`template::TemplateFailure`].
//!
//! ```no_run
//! use chart_lint::{output::StreamOptions, render::RenderOptions, values::ValueOptions};
//! let text = chart_lint::template::template(
//!     std::path::Path::new("charts/demo"),
//!     &ValueOptions { values: vec!["replicaCount=2".into()], ..Default::default() },
//!     &RenderOptions::default(),
//!     &StreamOptions::default(),
//! )?;
//! print!("{text}");
//! # Ok::<(), chart_lint::template::TemplateFailure>(())
//! ```
//!
//! Fidelity is checked by `tests/differential.rs` against the real helm binary over the
//! fixtures in `tests/charts/` (see that file for the fixture layout).
#![warn(missing_docs)]

pub mod build;
pub mod chart;
pub mod convert;
pub mod deps;
pub mod diagnostic;
pub mod glob;
pub mod helmfuncs;
pub mod lint;
pub mod output;
pub mod render;
pub mod schema;
pub mod semver;
pub mod template;
pub mod values;
pub mod values_schema;
pub mod yaml;

#[cfg(test)]
mod testutil;
