//! Rendering a chart like `helm template` (helm's `pkg/action/install.go` client-only path,
//! `pkg/engine/engine.go`, `pkg/action/action.go` `renderResources`).
//!
//! ```no_run
//! use chart_lint::{chart::Chart, render::{RenderOptions, render_chart}};
//! let chart = Chart::load("charts/demo")?;
//! let rendered = render_chart(&chart, &gotemplate::Map::new(), &RenderOptions::default())?;
//! for m in &rendered.manifests {
//!     println!("{} {} from {}", m.kind(), m.name(), m.source_path);
//! }
//! print!("{}", rendered.to_helm_output(&Default::default())?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod objects;

use std::collections::BTreeMap;
use std::rc::Rc;

use gotemplate::{Map, MissingKey, TemplateSet, Value};

use crate::chart::Chart;
use crate::diagnostic::RenderError;
use crate::output::{self, Hook, Manifest, StreamOptions};
pub use objects::{Capabilities, Files, KubeVersion};

/// Release and cluster settings of a render.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    /// `.Release.Name` (helm template's default: `release-name`).
    pub release_name: String,
    /// `.Release.Namespace` (default `default`).
    pub namespace: String,
    /// `--is-upgrade`: `.Release.IsUpgrade` true, `.Release.IsInstall` false.
    pub is_upgrade: bool,
    /// `.Capabilities`.
    pub capabilities: Capabilities,
    /// Skip `values.schema.json` validation.
    pub skip_schema_validation: bool,
    /// `missingkey=error` (helm lint `--strict`).
    pub strict: bool,
    /// The process exits right after this render (a CLI run): the parsed templates are not
    /// freed one by one (the operating system reclaims the memory at exit). Freeing a large
    /// chart's syntax trees costs several percent of a `cargo kindtest template` run. Leave it
    /// off in long-running processes.
    pub exit_after: bool,
    /// Leave [`Rendered::crds`] empty: the caller will not print the `crds/` files (helm
    /// template without `--include-crds`), so their text is not copied.
    pub skip_crds: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            release_name: "release-name".into(),
            namespace: "default".into(),
            is_upgrade: false,
            capabilities: Capabilities::default(),
            skip_schema_validation: false,
            strict: false,
            exit_after: false,
            skip_crds: false,
        }
    }
}

/// The result of a render.
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    /// Every executed template's output (`<no value>` removed), by full path, NOTES excluded.
    pub files: BTreeMap<String, String>,
    /// Ordinary manifests in helm's install order.
    pub manifests: Vec<Manifest>,
    /// Hooks, sorted by kind.
    pub hooks: Vec<Hook>,
    /// CRD files (`crds/`) of the chart and its subcharts: `(source path, contents)`.
    pub crds: Vec<(String, String)>,
    /// The root chart's `NOTES.txt` output.
    pub notes: String,
    /// The coalesced values the templates saw.
    pub values: Option<Map>,
    /// Warnings helm would log (coalescing conflicts, unknown hooks, …).
    pub warnings: Vec<String>,
}

impl Rendered {
    /// The text `helm template` prints.
    ///
    /// # Errors
    /// `could not find template X in chart` for an unmatched `--show-only`.
    pub fn to_helm_output(&self, opts: &StreamOptions) -> Result<String, String> {
        output::template_stream_parts(&self.crds, &self.manifests, &self.hooks, opts)
    }
}

/// One template to execute or parse.
struct Renderable {
    text: Rc<str>,
    ctx: Map,
    base_path: String,
}

/// Renders a chart with user values (already merged from `-f`/`--set*`).
///
/// The chart is not modified (dependency processing runs on a copy).
///
/// # Errors
/// A [`RenderError`] whose `helm_message()` is what helm prints after `Error: `.
#[allow(clippy::result_large_err)] // the error carries the structured template error
pub fn render_chart(
    chart: &Chart,
    user_values: &Map,
    opts: &RenderOptions,
) -> Result<Rendered, RenderError> {
    render_chart_owned(chart.deep_clone(), user_values, opts)
}

/// [`render_chart`] on a chart the caller no longer needs: dependency processing and value
/// coalescing work on it directly, without the deep copy `render_chart` makes (a
/// `cargo kindtest template` run loads the chart once and renders it once).
///
/// # Errors
/// As [`render_chart`].
#[allow(clippy::result_large_err)]
pub fn render_chart_owned(
    chart: Chart,
    user_values: &Map,
    opts: &RenderOptions,
) -> Result<Rendered, RenderError> {
    let mut chart = chart;
    let mut warnings = Vec::new();
    if !matches!(chart.metadata.chart_type.as_str(), "" | "application") {
        return Err(RenderError::other(format!(
            "{} charts are not installable",
            chart.metadata.chart_type
        )));
    }
    if !chart.metadata.dependencies.is_empty() {
        crate::deps::check_dependencies(&chart).map_err(|e| {
            RenderError::other(format!(
                "an error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: {e}"
            ))
        })?;
    }
    validate_release_name(&opts.release_name).map_err(|e| {
        RenderError::other(format!(
            "release name check failed: release name {}: {e}",
            gotemplate::gofmt::quote(&opts.release_name)
        ))
    })?;
    crate::deps::process_dependencies(&mut chart, user_values, &mut |w| warnings.push(w))
        .map_err(|e| RenderError::other(format!("chart dependencies processing failed: {e}")))?;
    let values = crate::values::coalesce_values(&chart, user_values, &mut |w| warnings.push(w))
        .map_err(RenderError::other)?;
    // helm checks the values against the schemas before rendering. The check needs nothing
    // the render produces, so it runs on another thread meanwhile; its error, if any, wins
    // over whatever the render gives, as it would have come first.
    let schema = if opts.skip_schema_validation {
        crate::values_schema::SchemaRun::Done(Ok(()))
    } else {
        crate::values_schema::SchemaJob::new(&chart, &values).spawn()
    };
    let rendered = render_with_values(&chart, values, warnings, opts);
    schema.finish().map_err(|e| {
        RenderError::other(format!(
            "values don't meet the specifications of the schema(s) in the following chart(s):\n{e}"
        ))
    })?;
    rendered
}

/// The part of [`render_chart_owned`] after value coalescing: `kubeVersion`, the context,
/// execution, sorting.
#[allow(clippy::result_large_err)]
fn render_with_values(
    chart: &Chart,
    values: Map,
    mut warnings: Vec<String>,
    opts: &RenderOptions,
) -> Result<Rendered, RenderError> {
    let caps = &opts.capabilities;
    if !chart.metadata.kube_version.is_empty()
        && !crate::semver::is_compatible_range(
            &chart.metadata.kube_version,
            &caps.kube_version.normalized,
        )
    {
        return Err(RenderError::other(format!(
            "chart requires kubeVersion: {} which is incompatible with Kubernetes {}",
            chart.metadata.kube_version, caps.kube_version.version
        )));
    }

    let release = Map::new();
    release.insert("Name", Value::str(&opts.release_name));
    release.insert("Namespace", Value::str(&opts.namespace));
    release.insert("IsUpgrade", Value::Bool(opts.is_upgrade));
    release.insert("IsInstall", Value::Bool(!opts.is_upgrade));
    release.insert("Revision", Value::int(1));
    release.insert("Service", Value::str("Helm"));
    let top = Map::new().named("common.Values");
    top.insert("Values", Value::Map(values.clone().named("common.Values")));
    top.insert("Release", Value::Map(release));
    top.insert("Capabilities", caps.to_value());

    let mut tpls: BTreeMap<String, Renderable> = BTreeMap::new();
    all_templates(chart, &top, true, chart.name(), &mut tpls);

    let files = execute(&tpls, opts)?;

    // NOTES.txt: executed, then removed; the root chart's kept as notes.
    let mut files = files;
    let root_notes = format!("{}/templates/NOTES.txt", chart.name());
    let mut notes = String::new();
    let note_keys: Vec<String> = files
        .keys()
        .filter(|k| k.ends_with("NOTES.txt"))
        .cloned()
        .collect();
    for k in note_keys {
        if let Some(v) = files.remove(&k)
            && k == root_notes
        {
            notes = v;
        }
    }
    let sorted = output::sort_manifests(&files).map_err(|e| RenderError::manifest(e, &files))?;
    for h in &sorted.skipped_unknown_hooks {
        warnings.push(format!("skipping unknown hooks: {h:?}"));
    }
    let crds = if opts.skip_crds {
        Vec::new()
    } else {
        chart
            .crd_objects()
            .into_iter()
            .map(|(p, f)| (p, String::from_utf8_lossy(&f.data).into_owned()))
            .collect()
    };
    Ok(Rendered {
        files,
        manifests: sorted.manifests,
        hooks: sorted.hooks,
        crds,
        notes,
        values: Some(values),
        warnings,
    })
}

/// helm's `chartutil.ValidateReleaseName`: a DNS-1123 subdomain of at most 53 characters.
pub fn validate_release_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("no name provided".into());
    }
    let label_ok = |l: &str| {
        let b = l.as_bytes();
        !b.is_empty()
            && b.iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
    };
    if name.len() > 53 || !name.split('.').all(label_ok) {
        return Err(r"invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53".into());
    }
    Ok(())
}

/// helm's `recAllTpls`: builds each chart's context and collects its templates.
fn all_templates(
    c: &Chart,
    parent: &Map,
    is_root: bool,
    full_path: &str,
    out: &mut BTreeMap<String, Renderable>,
) -> Map {
    let subcharts = Map::new();
    let next = Map::new().named("common.Values");
    next.insert("Chart", c.metadata.to_value(is_root));
    next.insert(
        "Files",
        Files::new(c.files.iter().map(|f| (f.name.clone(), f.data.clone()))).to_value(),
    );
    next.insert("Release", parent.get("Release").unwrap_or(Value::Nil));
    next.insert(
        "Capabilities",
        parent.get("Capabilities").unwrap_or(Value::Nil),
    );
    let vals = if is_root {
        parent.get("Values").unwrap_or(Value::Nil)
    } else {
        match parent.get("Values").and_then(|v| match v {
            Value::Map(m) => crate::values::table(&m, c.name()),
            _ => None,
        }) {
            Some(t) => Value::Map(t.named("common.Values")),
            None => Value::Map(Map::new().named("common.Values")),
        }
    };
    next.insert("Values", vals);
    next.insert("Subcharts", Value::Map(subcharts.clone()));
    for child in &c.dependencies {
        let child_path = format!("{full_path}/charts/{}", child.name());
        let sub = all_templates(child, &next, false, &child_path, out);
        subcharts.insert(child.name(), Value::Map(sub));
    }
    for t in &c.templates {
        if c.is_library() && !t.name.rsplit('/').next().unwrap_or("").starts_with('_') {
            continue;
        }
        // (`from_utf8` first: its check is much faster than the lossy decoder's on valid text.)
        let text: Rc<str> = match std::str::from_utf8(&t.data) {
            Ok(s) => Rc::from(s),
            Err(_) => Rc::from(String::from_utf8_lossy(&t.data).as_ref()),
        };
        out.insert(
            format!("{full_path}/{}", t.name),
            Renderable {
                text,
                ctx: next.clone(),
                base_path: format!("{full_path}/templates"),
            },
        );
    }
    next
}

/// helm's `sortTemplates`: deepest paths first, same depth in reverse lexical order.
fn parse_order(names: &[&String]) -> Vec<String> {
    let mut v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    v.sort_by(|a, b| {
        let (ca, cb) = (a.matches('/').count(), b.matches('/').count());
        cb.cmp(&ca).then_with(|| b.cmp(a))
    });
    v
}

#[allow(clippy::result_large_err)]
fn execute(
    tpls: &BTreeMap<String, Renderable>,
    opts: &RenderOptions,
) -> Result<BTreeMap<String, String>, RenderError> {
    let state = crate::helmfuncs::IncludeState::default();
    let mut set = TemplateSet::new(crate::helmfuncs::funcs(&state)).with_name("gotpl");
    set.set_missing_key(if opts.strict {
        MissingKey::Error
    } else {
        MissingKey::Zero
    });
    let sources: Rc<BTreeMap<String, Rc<str>>> = Rc::new(
        tpls.iter()
            .map(|(k, v)| (k.clone(), v.text.clone()))
            .collect(),
    );
    let keys: Vec<&String> = tpls.keys().collect();
    let order = parse_order(&keys);
    for name in &order {
        let r = &tpls[name];
        set.parse_shared(name, r.text.clone())
            .map_err(|e| RenderError::parse(name, e, sources.clone()))?;
    }
    let mut rendered = BTreeMap::new();
    // helm executes in the same order it parses (deepest first, reverse lexical), which
    // matters when templates mutate shared values with `set`.
    for name in &order {
        let r = &tpls[name];
        if name.rsplit('/').next().unwrap_or("").starts_with('_') {
            continue;
        }
        let t = Map::new().named("common.Values");
        t.insert("Name", Value::str(name));
        t.insert("BasePath", Value::str(&r.base_path));
        r.ctx.insert("Template", Value::Map(t));
        let out = set.execute(name, &Value::Map(r.ctx.clone())).map_err(|e| {
            let mut srcs = (*sources).clone();
            if let Some(t) = state.failed_tpl_text() {
                srcs.insert("gotpl".to_string(), Rc::from(t.as_str()));
            }
            RenderError::exec(name, e, Rc::new(srcs))
        })?;
        let out = if out.contains("<no value>") {
            out.replace("<no value>", "")
        } else {
            out
        };
        rendered.insert(name.clone(), out);
    }
    if opts.exit_after {
        std::mem::forget(set);
    }
    Ok(rendered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_order_is_helms() {
        let a = "c/templates/a.yaml".to_string();
        let b = "c/templates/b.yaml".to_string();
        let s = "c/charts/k/templates/x.yaml".to_string();
        let h = "c/templates/_h.tpl".to_string();
        assert_eq!(
            parse_order(&[&a, &b, &s, &h]),
            [s.clone(), b.clone(), a.clone(), h.clone()]
        );
    }
}
