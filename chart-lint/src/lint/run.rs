//! Linting one chart: load → chart rules → render → schema → release and workload rules.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use gotemplate::Map;

use super::doc::{Document, map_lines};
use super::{
    ALLOW_ANNOTATION, CHART_METADATA, CHART_UNREADABLE, DEPENDENCY_MISSING, Finding,
    LONG_RELEASE_NAME as LONG_RELEASE, LintConfig, NAME_TOO_LONG, SCHEMA, Severity, TEMPLATE_PARSE,
    TEMPLATE_RENDER, VALUES_SCHEMA, rule,
};
use crate::chart::Chart;
use crate::diagnostic::RenderErrorKind;
use crate::render::{RenderOptions, render_chart};

/// What to lint a chart with.
#[derive(Clone, Debug)]
pub struct LintOptions {
    /// Values files (`-f`), in order.
    pub values_files: Vec<PathBuf>,
    /// `--set` style overrides.
    pub set: Vec<String>,
    /// Release name of the main render.
    pub release_name: String,
    /// Release namespace.
    pub namespace: String,
    /// Kubernetes version for `.Capabilities`, schemas and API deprecations.
    pub kube_version: String,
    /// Strict schema validation (unknown fields are errors).
    pub strict: bool,
    /// Also validate against the Kubernetes schemas.
    pub schema: bool,
    /// Levels and allow-lists.
    pub config: LintConfig,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            values_files: Vec::new(),
            set: Vec::new(),
            release_name: "release-name".into(),
            namespace: "default".into(),
            kube_version: crate::schema::DEFAULT_KUBE_VERSION.to_string(),
            strict: true,
            schema: true,
            config: LintConfig::default(),
        }
    }
}

/// Findings of one chart, plus every file that was read (for `cargo:rerun-if-changed`).
#[derive(Clone, Debug, Default)]
pub struct LintReport {
    /// Findings after configuration, sorted by file and line.
    pub findings: Vec<Finding>,
    /// Files read.
    pub files_read: Vec<PathBuf>,
    /// Documents rendered.
    pub documents: usize,
}

impl LintReport {
    /// Number of findings at `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Whether there is any error.
    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }
}

/// A release name of Helm's maximum length, to find names that overflow 63 characters.
pub const LONG_RELEASE_NAME: &str = "a-release-name-of-fifty-three-characters-helm-maximum";

fn list_files(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 32 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => list_files(&p, out, depth + 1),
            Ok(t) if t.is_file() => out.push(p),
            _ => {}
        }
    }
}

/// Lints the chart at `path` (a directory or `.tgz`). Finding paths are `<dir>/templates/x.yaml`
/// where `<dir>` is the chart directory's name (the chart's name for an archive).
pub fn lint_chart(path: &Path, opts: &LintOptions) -> LintReport {
    let mut report = LintReport::default();
    if path.is_dir() {
        list_files(path, &mut report.files_read, 0);
    } else {
        report.files_read.push(path.to_path_buf());
    }
    report.files_read.extend(opts.values_files.iter().cloned());
    let display = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| path.display().to_string());

    let chart = match Chart::load(path) {
        Ok(c) => c,
        Err(e) => {
            let msg = e.to_string();
            // helm's metadata validation (`validation: chart.metadata.version "x" is invalid`).
            let f = if msg.contains("chart.metadata") {
                let field = msg
                    .split("chart.metadata.")
                    .nth(1)
                    .and_then(|r| r.split([' ', '"']).next())
                    .unwrap_or("");
                let text = std::fs::read_to_string(path.join("Chart.yaml")).unwrap_or_default();
                let line = text
                    .lines()
                    .position(|l| !field.is_empty() && l.starts_with(&format!("{field}:")))
                    .map(|i| i + 1);
                Finding::new(
                    CHART_METADATA,
                    &display,
                    format!("{display}/Chart.yaml"),
                    msg,
                )
                .at(line, line.map(|_| 1))
            } else {
                Finding::new(CHART_UNREADABLE, &display, path.display().to_string(), msg)
            };
            report.findings.push(f);
            return report;
        }
    };
    let name = chart.name().to_string();
    let mut findings = Vec::new();
    super::chart_rules::check(&chart, &name, &mut findings);
    // Parse errors are already reported per file; rendering would repeat the first one.
    let had_parse_errors = findings.iter().any(|f| f.code == TEMPLATE_PARSE.code);

    let user = match user_values(opts) {
        Ok(v) => v,
        Err(msg) => {
            findings.push(Finding::new(TEMPLATE_RENDER, &name, "values", msg));
            report.findings = opts.config.apply(findings);
            return report;
        }
    };

    if !had_parse_errors {
        let mut ro = RenderOptions {
            release_name: opts.release_name.clone(),
            namespace: opts.namespace.clone(),
            ..RenderOptions::default()
        };
        if let Ok(caps) = capabilities(&opts.kube_version) {
            ro.capabilities = caps;
        }
        match render_chart(&chart, &user, &ro) {
            Err(e) => {
                // helm's "found in Chart.yaml, but missing in charts/ directory" is the
                // dependency-missing finding already reported with its Chart.yaml line.
                let f = render_error_finding(&name, &e);
                let dup = f.message.contains("missing in charts/ directory")
                    && findings.iter().any(|g| g.code == DEPENDENCY_MISSING.code);
                if !dup {
                    findings.push(f);
                }
            }
            Ok(rendered) => {
                let sources = template_sources(&chart, &name);
                let docs = documents(&rendered, &sources);
                report.documents = docs.len();
                if opts.schema {
                    schema_findings(&name, &rendered, &sources, &docs, opts, &mut findings);
                }
                super::release_rules::check(
                    &name,
                    &docs,
                    &opts.kube_version,
                    &opts.namespace,
                    &mut findings,
                );
                for d in &docs {
                    super::workload_rules::check(&name, d, &mut findings);
                }
                // Names once the release name is as long as Helm allows.
                let long = RenderOptions {
                    release_name: LONG_RELEASE_NAME.into(),
                    ..ro.clone()
                };
                if let Ok(r2) = render_chart(&chart, &user, &long) {
                    let docs2 = documents(&r2, &sources);
                    let mut extra = Vec::new();
                    super::release_rules::check(
                        &name,
                        &docs2,
                        &opts.kube_version,
                        &opts.namespace,
                        &mut extra,
                    );
                    for mut f in extra.into_iter().filter(|f| f.code == NAME_TOO_LONG.code) {
                        if findings
                            .iter()
                            .any(|g| g.code == f.code && g.file == f.file && g.line == f.line)
                        {
                            continue;
                        }
                        f.code = LONG_RELEASE.code;
                        f.rule = LONG_RELEASE.name;
                        f.severity = LONG_RELEASE.severity;
                        let works = longest_working_release_name(&f.message);
                        f.message = format!(
                            "with a {}-character release name: {}{}",
                            LONG_RELEASE_NAME.len(),
                            f.message,
                            works
                                .map(|n| format!("; release names up to {n} characters work"))
                                .unwrap_or_default()
                        );
                        findings.push(f);
                    }
                }
                // Inline allow annotations.
                findings.retain(|f| {
                    let Some(res) = &f.resource else { return true };
                    !docs.iter().any(|d| {
                        d.file == f.file
                            && d.resource().map(|r| &r.display() == res).unwrap_or(false)
                            && d.annotation(ALLOW_ANNOTATION).is_some_and(|a| {
                                a.split(',')
                                    .map(str::trim)
                                    .any(|x| x == f.code || x == f.rule)
                            })
                    })
                });
            }
        }
    }
    let mut findings = opts.config.apply(findings);
    // Paths start with the chart's name, as helm prints them (`# Source: <name>/templates/…`).
    // When the directory is named otherwise (`charts/web` holding `name: web-app`), use the
    // directory's name, so that `<chart dir>/../<file>` is the file on disk (build.rs,
    // `cargo kindtest check` and SARIF rely on that).
    if path.is_dir() && display != name {
        let prefix = format!("{name}/");
        for f in &mut findings {
            if let Some(rest) = f.file.strip_prefix(&prefix) {
                f.file = format!("{display}/{rest}");
            }
        }
    }
    findings.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.code).cmp(&(&b.file, b.line, b.column, b.code))
    });
    findings.dedup();
    report.findings = findings;
    report
}

/// From a `name-too-long` message rendered with [`LONG_RELEASE_NAME`] (`… (68 characters) …
/// at most 63 …`), the longest release name that still fits, assuming the name grows one
/// character per release-name character.
fn longest_working_release_name(message: &str) -> Option<usize> {
    let len: usize = message
        .split(" characters")
        .next()?
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()?;
    let limit: usize = message
        .split("at most ")
        .nth(1)?
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()?;
    let over = len.checked_sub(limit)?;
    LONG_RELEASE_NAME.len().checked_sub(over)
}

fn user_values(opts: &LintOptions) -> Result<Map, String> {
    let vo = crate::values::ValueOptions {
        value_files: opts.values_files.clone(),
        values: opts.set.clone(),
        ..Default::default()
    };
    vo.merge()
}

fn capabilities(kube_version: &str) -> Result<crate::render::Capabilities, String> {
    let mut caps = crate::render::Capabilities {
        kube_version: crate::render::KubeVersion::parse(kube_version)?,
        ..Default::default()
    };
    if let Ok(apis) = crate::schema::apis::api_versions(kube_version) {
        caps.api_versions = apis;
    }
    Ok(caps)
}

fn render_error_finding(chart: &str, e: &crate::diagnostic::RenderError) -> Finding {
    let msg = e.helm_message().to_string();
    let rule = match e.kind {
        RenderErrorKind::Parse => TEMPLATE_PARSE,
        RenderErrorKind::Other if msg.contains("values don't meet the specifications") => {
            VALUES_SCHEMA
        }
        _ => TEMPLATE_RENDER,
    };
    let (file, line, col) = match error_location(e) {
        Some((file, l, c)) => (file, Some(l), Some(c + 1)),
        None => (
            e.file
                .clone()
                .unwrap_or_else(|| format!("{chart}/Chart.yaml")),
            None,
            None,
        ),
    };
    let mut f = Finding::new(rule, chart, file, msg).at(line, col);
    f.help = Some(e.report());
    f
}

/// File, 1-based line and 0-based column of the innermost failing node of a render error.
fn error_location(e: &crate::diagnostic::RenderError) -> Option<(String, usize, usize)> {
    use gotemplate::Error as TplError;
    match e.template_error.as_ref()? {
        TplError::Parse(p) => Some((p.name.clone(), p.line, 0)),
        TplError::Exec(x) => {
            let mut best = x
                .location
                .as_ref()
                .map(|l| (l.parse_name.clone(), l.line, l.col));
            for c in x.chain() {
                match c {
                    TplError::Exec(inner) => {
                        if let Some(l) = &inner.location {
                            best = Some((l.parse_name.clone(), l.line, l.col));
                        }
                    }
                    TplError::Parse(p) => best = Some((p.name.clone(), p.line, 0)),
                }
            }
            best
        }
    }
}

/// The parsed documents of a render (manifests, then hooks, in output order; `index` counts
/// both), each able to map a JSON pointer back to its template line
/// ([`Document::locate`]). `chart` is the chart that was rendered.
pub fn rendered_documents(chart: &Chart, rendered: &crate::render::Rendered) -> Vec<Document> {
    documents(rendered, &template_sources(chart, chart.name()))
}

/// Template path → source text, for every template of the chart and its subcharts.
fn template_sources(chart: &Chart, path: &str) -> BTreeMap<String, Rc<Vec<String>>> {
    let mut out = BTreeMap::new();
    for t in &chart.templates {
        let text = String::from_utf8_lossy(&t.data);
        out.insert(
            format!("{path}/{}", t.name),
            Rc::new(text.lines().map(str::to_string).collect()),
        );
    }
    for d in &chart.dependencies {
        out.extend(template_sources(d, &format!("{path}/charts/{}", d.name())));
    }
    out
}

fn documents(
    rendered: &crate::render::Rendered,
    sources: &BTreeMap<String, Rc<Vec<String>>>,
) -> Vec<Document> {
    let mut maps: BTreeMap<&str, Rc<Vec<Option<usize>>>> = BTreeMap::new();
    let mut docs = Vec::new();
    let all = rendered
        .manifests
        .iter()
        .map(|m| (m, false))
        .chain(rendered.hooks.iter().map(|h| (&h.manifest, true)));
    for (i, (m, is_hook)) in all.enumerate() {
        let output = rendered
            .files
            .get(&m.source_path)
            .map(String::as_str)
            .unwrap_or("");
        let src = sources.get(&m.source_path).cloned().unwrap_or_default();
        let map = maps
            .entry(m.source_path.as_str())
            .or_insert_with(|| Rc::new(map_lines(&src.join("\n"), output)))
            .clone();
        let output_line = output
            .find(m.content.as_str())
            .map_or(0, |off| output[..off].matches('\n').count());
        if let Ok(d) = Document::parse(
            &m.source_path,
            i,
            &m.content,
            output_line,
            map,
            src,
            is_hook,
        ) {
            docs.push(d);
        }
    }
    docs
}

fn schema_findings(
    chart: &str,
    rendered: &crate::render::Rendered,
    sources: &BTreeMap<String, Rc<Vec<String>>>,
    docs: &[Document],
    opts: &LintOptions,
    out: &mut Vec<Finding>,
) {
    // Custom resources validate against the CRDs of the chart's (and subcharts') `crds/`,
    // which helm installs before the templates. CRD files can be large (kube-prometheus-stack
    // has megabytes), so only those naming a kind of a custom resource the chart renders are
    // read (built-in API groups have no dot or end in `.k8s.io`).
    let custom_kinds: std::collections::BTreeSet<String> = docs
        .iter()
        .filter_map(Document::resource)
        .filter(|r| {
            r.api_version
                .split_once('/')
                .is_some_and(|(g, _)| g.contains('.') && !g.ends_with(".k8s.io"))
        })
        .map(|r| format!("kind: {}", r.kind))
        .collect();
    let mut crds = crate::schema::CrdSet::new();
    for (path, text) in &rendered.crds {
        if custom_kinds.iter().any(|k| text.contains(k.as_str())) {
            let _ = crds.add_text(text.as_bytes(), path);
        }
    }
    let so = crate::schema::Options {
        kube_version: opts.kube_version.clone(),
        strict: opts.strict,
        crds,
        ..Default::default()
    };
    let templates: Vec<(&str, &str)> = rendered
        .files
        .iter()
        .filter(|(k, _)| !k.ends_with("NOTES.txt"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let report = match crate::schema::validate_templates(templates, so) {
        Ok(r) => r,
        Err(e) => {
            out.push(Finding::new(
                SCHEMA,
                chart,
                format!("{chart}/Chart.yaml"),
                e.to_string(),
            ));
            return;
        }
    };
    let mut maps: BTreeMap<String, Vec<Option<usize>>> = BTreeMap::new();
    for sf in report.findings {
        let rule_def = rule(sf.rule).unwrap_or(SCHEMA);
        let rule_def = if rule_def.family == super::Family::Schema || rule_def.code == SCHEMA.code {
            rule_def
        } else {
            SCHEMA
        };
        let mut f = Finding::new(rule_def, chart, &sf.file, sf.message.clone());
        f.severity = match sf.severity {
            crate::schema::Severity::Error => Severity::Error,
            crate::schema::Severity::Warning => Severity::Warning,
        };
        // Lines from the validator count in the template's rendered output: map them back.
        let (line, column) = match (sf.line, sources.get(&sf.file)) {
            (Some(l), Some(src)) => {
                let output = rendered
                    .files
                    .get(&sf.file)
                    .map(String::as_str)
                    .unwrap_or("");
                let map = maps
                    .entry(sf.file.clone())
                    .or_insert_with(|| map_lines(&src.join("\n"), output));
                match map.get(l - 1).copied().flatten() {
                    Some(tl) => {
                        f.snippet = src.get(tl - 1).cloned();
                        let col = src.get(tl - 1).map(|s| s.len() - s.trim_start().len() + 1);
                        (Some(tl), col)
                    }
                    None => (None, None),
                }
            }
            _ => (None, None),
        };
        f = f.at(line, column);
        f.resource = Some(sf.resource());
        f.pointer = Some(sf.pointer.clone());
        f.help = sf.hint.clone();
        f.message = format!("{} (rendered line {})", sf.message, sf.line.unwrap_or(0));
        out.push(f);
    }
}
