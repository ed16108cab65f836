//! `helm template` as one call: load, merge user values, render, print. Shared by the
//! `cargo kindtest template` command and the differential tests.

use std::path::Path;

use crate::chart::Chart;
use crate::output::StreamOptions;
use crate::render::{RenderOptions, Rendered, render_chart_owned};
use crate::values::ValueOptions;

/// Why `helm template` failed, in both formats.
#[derive(Debug, Clone)]
pub struct TemplateFailure {
    /// helm's message (what follows `Error: `).
    pub helm_message: String,
    /// Whether helm appends `\n\nUse --debug flag to render out invalid YAML`.
    pub debug_hint: bool,
    /// rustc-style report, for template errors.
    pub report: Option<String>,
}

impl TemplateFailure {
    fn plain(msg: impl Into<String>) -> TemplateFailure {
        TemplateFailure {
            helm_message: msg.into(),
            debug_hint: false,
            report: None,
        }
    }

    /// Exactly what helm prints on stderr (without its log lines).
    pub fn helm_stderr(&self) -> String {
        let hint = if self.debug_hint {
            "\n\nUse --debug flag to render out invalid YAML"
        } else {
            ""
        };
        format!("Error: {}{hint}\n", self.helm_message)
    }
}

impl std::error::Error for TemplateFailure {}

impl std::fmt::Display for TemplateFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.helm_message)
    }
}

/// Loads `chart`, merges `values`, renders. The [`Rendered`] result can be printed with
/// [`Rendered::to_helm_output`].
///
/// # Errors
/// A [`TemplateFailure`] carrying helm's message and our report.
pub fn render_path(
    chart: &Path,
    values: &ValueOptions,
    opts: &RenderOptions,
) -> Result<Rendered, TemplateFailure> {
    let chart = Chart::load(chart).map_err(|e| TemplateFailure {
        helm_message: e.message.clone(),
        debug_hint: false,
        report: Some(format!("error: {e}\n")),
    })?;
    let user = values.merge().map_err(TemplateFailure::plain)?;
    render_chart_owned(chart, &user, opts).map_err(|e| TemplateFailure {
        helm_message: e.helm_message().to_string(),
        debug_hint: e.helm_adds_debug_hint(),
        report: Some(e.report()),
    })
}

/// [`render_path`] then the stdout text of `helm template`.
///
/// # Errors
/// As [`render_path`], plus `--show-only` misses.
pub fn template(
    chart: &Path,
    values: &ValueOptions,
    opts: &RenderOptions,
    stream: &StreamOptions,
) -> Result<String, TemplateFailure> {
    let r = render_path(chart, values, opts)?;
    r.to_helm_output(stream).map_err(TemplateFailure::plain)
}
