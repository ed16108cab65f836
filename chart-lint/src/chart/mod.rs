//! Charts: `Chart.yaml`, values, templates, files and subcharts, loaded as helm's
//! `pkg/chart/v2/loader` loads them.
//!
//! ```no_run
//! let chart = chart_lint::chart::Chart::load("charts/demo")?;
//! println!("{} {}", chart.metadata.name, chart.metadata.version);
//! # Ok::<(), chart_lint::chart::LoadError>(())
//! ```

pub mod ignore;
mod load;
mod metadata;

pub use load::LoadError;
pub use metadata::{Dependency, Maintainer, Metadata};

use gotemplate::{Map, Value};

/// A file of a chart: its path relative to the chart root (`/`-separated) and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// Path relative to the chart directory, e.g. `templates/deployment.yaml`.
    pub name: String,
    /// Contents (a leading UTF-8 BOM removed, as helm does). Shared: cloning a chart (and
    /// handing its files to `.Files`) does not copy the bytes.
    pub data: std::rc::Rc<[u8]>,
}

/// A loaded chart (helm's `chart.Chart`).
#[derive(Clone, Debug)]
pub struct Chart {
    /// `Chart.yaml` (plus `requirements.yaml` for apiVersion v1 charts).
    pub metadata: Metadata,
    /// `templates/**`.
    pub templates: Vec<File>,
    /// `values.yaml`, all documents deep-merged (numbers as Go `float64`).
    pub values: Map,
    /// `values.schema.json`, if present.
    pub schema: Option<Vec<u8>>,
    /// Every other file (what `.Files` sees), including `crds/` and `README.md`.
    pub files: Vec<File>,
    /// Subcharts (from `charts/`), in name order.
    pub dependencies: Vec<Chart>,
    /// Where the chart was loaded from (a directory, an archive, or `<archive>:charts/x`),
    /// for messages.
    pub source: String,
}

impl Chart {
    /// Loads a chart from a directory or a `.tgz` archive.
    ///
    /// # Errors
    /// A [`LoadError`] naming the file at fault: missing or invalid `Chart.yaml`, unreadable
    /// files, a symlink loop, an invalid `values.yaml`, a broken subchart.
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Chart, LoadError> {
        load::load(path.as_ref())
    }

    /// Loads a chart from the bytes of a `.tgz` archive.
    pub fn load_archive(bytes: &[u8], source: &str) -> Result<Chart, LoadError> {
        load::load_archive(bytes, source)
    }

    /// Builds a chart from in-memory files (helm's `LoadFiles`).
    pub fn from_files(files: Vec<File>, source: &str) -> Result<Chart, LoadError> {
        load::load_files(files, source)
    }

    /// The chart's name (`Chart.yaml` `name`, or the alias after dependency processing).
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// Whether the chart is a library chart (`type: library`).
    pub fn is_library(&self) -> bool {
        self.metadata.chart_type == "library"
    }

    /// CRD files of this chart and its subcharts (`crds/*.{yaml,yml,json}`), with the path helm
    /// prints in `# Source:` (`<chart full path>/crds/x.yaml`).
    pub fn crd_objects(&self) -> Vec<(String, &File)> {
        let mut out = Vec::new();
        self.collect_crds(self.name(), &mut out);
        out
    }

    fn collect_crds<'a>(&'a self, full: &str, out: &mut Vec<(String, &'a File)>) {
        for f in &self.files {
            if f.name.starts_with("crds/") && has_manifest_extension(&f.name) {
                out.push((format!("{full}/{}", f.name), f));
            }
        }
        for d in &self.dependencies {
            d.collect_crds(&format!("{full}/charts/{}", d.name()), out);
        }
    }

    /// A deep copy (values maps included), so that processing one render does not affect
    /// another.
    pub fn deep_clone(&self) -> Chart {
        let mut c = self.clone();
        c.values = match crate::values::deep_copy(&Value::Map(self.values.clone())) {
            Value::Map(m) => m,
            _ => Map::new(),
        };
        c.dependencies = self.dependencies.iter().map(Chart::deep_clone).collect();
        c
    }
}

fn has_manifest_extension(name: &str) -> bool {
    let ext = match name.rsplit_once('.') {
        Some((stem, ext)) if !ext.contains('/') && !stem.is_empty() => ext,
        _ => return false,
    };
    ext.eq_ignore_ascii_case("yaml")
        || ext.eq_ignore_ascii_case("yml")
        || ext.eq_ignore_ascii_case("json")
}
