//! Render, validate and lint Helm charts.
//!
//! Public API (the pipeline of `helm template`, Helm v4.1.4 semantics):
//! * [`chart::Chart::load`]: a chart directory or `.tgz` with its subcharts.
//! * [`values::ValueOptions::merge`]: `-f`/`--set*` user values.
//! * [`deps::process_dependencies`]: enable/disable/alias subcharts, import-values.
//! * [`values::coalesce_values`]: user values over chart defaults, globals.
#![warn(missing_docs)]

pub mod chart;
pub mod convert;
pub mod deps;
pub mod glob;
pub mod semver;
#[cfg(test)]
mod testutil;
pub mod values;
pub mod yaml;
