//! `cargo kindtest check --server`: every document the profile's releases render to, sent to a
//! running cluster as a server-side dry run with strict field validation
//! (`kubectl apply --server-side --dry-run=server --validate=strict`, i.e. `dryRun=All` and
//! `fieldValidation=Strict` on the request). Nothing is changed on the cluster.
//!
//! The cluster is the one `cargo kindtest` created for the profile (kind or the local control
//! plane; its own kubeconfig under `target/kindtest/clusters/<name>/`), or a context the user
//! names with `--context` (and optionally `--kubeconfig`). Findings are reported like the
//! offline ones (rustc-style, JSON lines or SARIF), rule `KT9001 server-dry-run`.
//!
//! Apply semantics: an object that exists is validated as the update helm would send (merged
//! with what is there, so immutable-field changes show up); one that does not is validated as
//! a create. Documents whose API the server does not know because the same render defines its
//! CRD, or whose namespace does not exist yet, are reported as warnings ("not checked").

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cargo_kindtest::cluster::{ClusterPaths, provider_for_spec};
use cargo_kindtest::plan::{self, Plan};
use chart_lint::lint::{self, Finding, Severity};
use chart_lint::render::{KubeVersion, RenderOptions};
use chart_lint::values::ValueOptions;

use super::check_charts::{CheckArgs, CheckFormat};

/// Code of the rule server findings are reported under.
pub const CODE: &str = "KT9001";
/// Name of that rule.
pub const RULE: &str = "server-dry-run";
/// Field manager named in the dry-run requests.
const FIELD_MANAGER: &str = "kindtest-check";

/// Where the dry runs go.
#[derive(Debug, Clone)]
pub struct Target {
    /// kubeconfig file.
    pub kubeconfig: PathBuf,
    /// Context (`None`: the kubeconfig's current context).
    pub context: Option<String>,
    /// The kubectl binary.
    pub kubectl: PathBuf,
}

impl Target {
    fn kubectl(&self) -> Command {
        let mut c = Command::new(&self.kubectl);
        c.arg("--kubeconfig").arg(&self.kubeconfig);
        if let Some(ctx) = &self.context {
            c.arg("--context").arg(ctx);
        }
        c.stdin(Stdio::null());
        c
    }

    fn describe(&self) -> String {
        format!(
            "context `{}` of {}",
            self.context.as_deref().unwrap_or("(current)"),
            self.kubeconfig.display()
        )
    }
}

/// One rendered document to dry-run.
#[derive(Debug, Clone)]
pub struct Doc {
    /// Chart name.
    pub chart: String,
    /// File as the offline findings name it (`charts/demo/templates/x.yaml`).
    pub file: String,
    /// `Kind/namespace/name`.
    pub resource: String,
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// Namespace passed with `-n` when the document names none.
    pub namespace: String,
    /// The document names its own namespace.
    pub has_namespace: bool,
    /// `metadata.generateName` without a name: create instead of apply.
    pub generate_name: bool,
    /// The YAML text.
    pub text: String,
}

/// Runs the command; returns the exit code (0 clean, 1 errors, 2 usage/environment).
pub fn run(args: &CheckArgs, json: bool, profile: &str, manifest_path: Option<&Path>) -> i32 {
    let format = args.format.unwrap_or(if json {
        CheckFormat::Json
    } else {
        CheckFormat::Human
    });
    match run_inner(args, profile, manifest_path) {
        Ok((findings, docs, releases, target, version)) => {
            report(args, format, &findings, docs, releases, &target, &version)
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

type Outcome = (Vec<Finding>, usize, usize, Target, String);

fn run_inner(
    args: &CheckArgs,
    profile: &str,
    manifest_path: Option<&Path>,
) -> Result<Outcome, String> {
    let loaded = cargo_kindtest::config::load(manifest_path).map_err(|e| e.to_string())?;
    let plan = plan::plan(
        &loaded,
        &plan::Options {
            profile: profile.to_string(),
            ..Default::default()
        },
    )
    .map_err(|e| e.to_string())?;
    let target = target(args, &plan)?;
    let version = server_version(&target)?;
    let (docs, located) = render_releases(&plan, &version)?;
    let findings = dry_run_all(&target, &docs)
        .into_iter()
        .map(|(i, mut f)| {
            // The field the server names, back to the template line that wrote it.
            if let (Some(pointer), Some(Some(d))) = (&f.pointer, located.get(i)) {
                let (line, column) = d.locate(pointer);
                f.line = line;
                f.column = column;
                f.snippet = line.and_then(|l| d.source_line(l)).map(str::to_string);
            }
            f
        })
        .collect();
    Ok((findings, docs.len(), plan.releases.len(), target, version))
}

/// The cluster: `--context`/`--kubeconfig` if given, else the one created for the profile.
fn target(args: &CheckArgs, plan: &Plan) -> Result<Target, String> {
    let kubectl = find_kubectl(plan)?;
    if args.context.is_some() || args.kubeconfig.is_some() {
        let kubeconfig = match &args.kubeconfig {
            Some(k) => k.clone(),
            None => default_kubeconfig()
                .ok_or_else(|| "no kubeconfig: set KUBECONFIG or pass --kubeconfig".to_string())?,
        };
        return Ok(Target {
            kubeconfig,
            context: args.context.clone(),
            kubectl,
        });
    }
    let paths = ClusterPaths::new(&plan.kindtest_dir, &plan.cluster.name);
    if !paths.kubeconfig.is_file() {
        return Err(format!(
            "no cluster created by cargo kindtest for profile `{}` (no {}); run `cargo kindtest up --profile {}` first, or name a cluster with --context",
            plan.profile,
            paths.kubeconfig.display(),
            plan.profile
        ));
    }
    let exec = cargo_kindtest::process::Exec::new(
        cargo_kindtest::process::Cancel::new(),
        cargo_kindtest::events::Events::null(),
    );
    let provider = provider_for_spec(&plan.cluster, &exec).map_err(|e| e.to_string())?;
    Ok(Target {
        kubeconfig: paths.kubeconfig,
        context: Some(provider.context_name(&plan.cluster.name)),
        kubectl,
    })
}

fn default_kubeconfig() -> Option<PathBuf> {
    if let Some(k) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        return std::env::split_paths(&k).next();
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".kube/config"))
}

/// kubectl of the control-plane binaries (matching the local plane's version) if present,
/// else `kubectl` on `PATH`.
fn find_kubectl(plan: &Plan) -> Result<PathBuf, String> {
    if let Ok(b) = controlplane::Binaries::locate(plan.cluster.control_plane_bin.as_deref()) {
        return Ok(b.kubectl);
    }
    std::env::var_os("PATH")
        .and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("kubectl"))
                .find(|p| p.is_file())
        })
        .ok_or_else(|| "`kubectl` was not found on PATH (check --server runs it)".to_string())
}

/// The server's `gitVersion` (also proves it answers).
fn server_version(t: &Target) -> Result<String, String> {
    let out = t
        .kubectl()
        .args(["version", "-o", "json", "--request-timeout=10s"])
        .output()
        .map_err(|e| format!("{}: {e}", t.kubectl.display()))?;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    match v["serverVersion"]["gitVersion"].as_str() {
        Some(s) => Ok(s.to_string()),
        None => Err(format!(
            "the cluster ({}) does not answer: {}",
            t.describe(),
            String::from_utf8_lossy(&out.stderr).trim()
        )),
    }
}

/// Renders every release of the plan as the install stage installs it: values files, `--set`
/// pairs, image values (tag from the cluster's state when known), `.Capabilities.KubeVersion`
/// of the server. CRDs first, then manifests, then hooks.
/// The documents to check, and for each the parsed document that maps its fields to template
/// lines (`None` for `crds/` files, which are not templates).
fn render_releases(
    plan: &Plan,
    version: &str,
) -> Result<(Vec<Doc>, Vec<Option<chart_lint::lint::Document>>), String> {
    let state = cargo_kindtest::state::ClusterState::load(&cargo_kindtest::state::state_path(
        &ClusterPaths::new(&plan.kindtest_dir, &plan.cluster.name).dir,
    ))
    .unwrap_or_default();
    let mut docs = Vec::new();
    let mut located = Vec::new();
    for r in &plan.releases {
        let chart = PathBuf::from(&r.chart);
        if !chart.is_dir() {
            eprintln!(
                "warning: release `{}`: chart `{}` is not a local directory; not checked",
                r.name, r.chart
            );
            continue;
        }
        let mut set: Vec<String> = r.set.iter().map(|(k, v)| format!("{k}={v}")).collect();
        for key in &r.images {
            let Some(img) = plan.images.iter().find(|i| &i.key == key) else {
                continue;
            };
            let tag = state
                .images
                .get(&img.repository)
                .and_then(|full| full.rsplit_once(':').map(|(_, t)| t.to_string()))
                .unwrap_or_else(|| "kindtest-check".to_string());
            if let Some(p) = &img.repository_path {
                set.push(format!("{p}={}", img.repository));
            }
            if let Some(p) = &img.tag_path {
                set.push(format!("{p}={tag}"));
            }
            if let Some(p) = &img.pull_policy_path {
                set.push(format!("{p}=IfNotPresent"));
            }
        }
        let values = ValueOptions {
            value_files: r.values.clone(),
            values: set,
            ..ValueOptions::default()
        };
        let mut opts = RenderOptions {
            release_name: r.name.clone(),
            namespace: r.namespace.clone(),
            ..RenderOptions::default()
        };
        if let Ok(kv) = KubeVersion::parse(version) {
            opts.capabilities.kube_version = kv;
        }
        let rendered = chart_lint::template::render_path(&chart, &values, &opts)
            .map_err(|f| format!("release `{}`: rendering {}: {f}", r.name, r.chart))?;
        let chart_name = chart
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut parsed: BTreeMap<usize, chart_lint::lint::Document> = BTreeMap::new();
        if let Ok(c) = chart_lint::chart::Chart::load(&chart) {
            for d in chart_lint::lint::rendered_documents(&c, &rendered) {
                parsed.insert(d.index, d);
            }
        }
        let mut texts: Vec<(String, String, Option<usize>)> = Vec::new();
        for (src, data) in &rendered.crds {
            for d in chart_lint::output::split_manifests(data) {
                texts.push((src.clone(), d, None));
            }
        }
        let rendered_docs = rendered
            .manifests
            .iter()
            .chain(rendered.hooks.iter().map(|h| &h.manifest));
        for (i, m) in rendered_docs.enumerate() {
            texts.push((m.source_path.clone(), m.content.clone(), Some(i)));
        }
        for (src, text, index) in texts {
            if let Some(doc) = make_doc(&chart, &chart_name, &src, &text, &r.namespace) {
                docs.push(doc);
                located.push(index.and_then(|i| parsed.remove(&i)));
            }
        }
    }
    Ok((docs, located))
}

/// A document's head; `None` for empty documents (comments only).
pub fn make_doc(
    chart: &Path,
    chart_name: &str,
    source: &str,
    text: &str,
    release_namespace: &str,
) -> Option<Doc> {
    let v: serde_json::Value = chart_lint::yaml::unmarshal_str(text)
        .ok()
        .and_then(|v| chart_lint::yaml::to_json(&v).ok())
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default();
    if v.is_null() {
        return None;
    }
    let s = |p: &str| v.pointer(p).and_then(|x| x.as_str()).unwrap_or("");
    let ns = s("/metadata/namespace");
    let name = s("/metadata/name");
    let namespace = if ns.is_empty() { release_namespace } else { ns };
    Some(Doc {
        chart: chart_name.to_string(),
        file: cargo_kindtest::check::display_path(chart, source),
        resource: format!(
            "{}/{namespace}/{}",
            s("/kind"),
            if name.is_empty() {
                s("/metadata/generateName")
            } else {
                name
            }
        ),
        api_version: s("/apiVersion").to_string(),
        kind: s("/kind").to_string(),
        namespace: namespace.to_string(),
        has_namespace: !ns.is_empty(),
        generate_name: name.is_empty() && !s("/metadata/generateName").is_empty(),
        text: text.to_string(),
    })
}

/// The kubectl arguments of one dry run.
pub fn dry_run_args(doc: &Doc) -> Vec<String> {
    let mut a: Vec<String> = Vec::new();
    if !doc.has_namespace {
        a.extend(["--namespace".into(), doc.namespace.clone()]);
    }
    if doc.generate_name {
        a.push("create".into());
    } else {
        a.extend([
            "apply".into(),
            "--server-side".into(),
            "--force-conflicts".into(),
            format!("--field-manager={FIELD_MANAGER}"),
        ]);
    }
    a.extend([
        "--dry-run=server".into(),
        "--validate=strict".into(),
        "--request-timeout=30s".into(),
        "-o".into(),
        "name".into(),
        "-f".into(),
        "-".into(),
    ]);
    a
}

/// Dry-runs every document (a few at a time); findings in document order.
/// The findings, each with the index of its document.
fn dry_run_all(t: &Target, docs: &[Doc]) -> Vec<(usize, Finding)> {
    let crd_kinds: BTreeSet<(String, String)> = docs
        .iter()
        .filter(|d| d.kind == "CustomResourceDefinition")
        .filter_map(|d| crd_kind(&d.text))
        .collect();
    let workers = 4.min(docs.len().max(1));
    let mut results: Vec<Option<Finding>> = vec![None; docs.len()];
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let crd_kinds = &crd_kinds;
                s.spawn(move || {
                    docs.iter()
                        .enumerate()
                        .skip(w)
                        .step_by(workers)
                        .map(|(i, d)| (i, dry_run(t, d, crd_kinds)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            if let Ok(v) = h.join() {
                for (i, f) in v {
                    results[i] = f;
                }
            }
        }
    });
    results
        .into_iter()
        .enumerate()
        .filter_map(|(i, f)| f.map(|f| (i, f)))
        .collect()
}

/// `(group, kind)` a CRD document defines.
fn crd_kind(text: &str) -> Option<(String, String)> {
    let v: serde_json::Value = chart_lint::yaml::unmarshal_str(text)
        .ok()
        .and_then(|v| chart_lint::yaml::to_json(&v).ok())
        .and_then(|j| serde_json::from_str(&j).ok())?;
    Some((
        v.pointer("/spec/group")?.as_str()?.to_string(),
        v.pointer("/spec/names/kind")?.as_str()?.to_string(),
    ))
}

fn dry_run(t: &Target, doc: &Doc, crd_kinds: &BTreeSet<(String, String)>) -> Option<Finding> {
    let mut cmd = t.kubectl();
    cmd.args(dry_run_args(doc))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let result = cmd.spawn().and_then(|mut child| {
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(doc.text.as_bytes())?;
        }
        child.wait_with_output()
    });
    let (ok, stderr) = match result {
        Ok(out) => (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ),
        Err(e) => (false, format!("running {}: {e}", t.kubectl.display())),
    };
    if ok {
        return None;
    }
    Some(classify(doc, &stderr, crd_kinds))
}

/// Turns kubectl's error output into a finding.
pub fn classify(doc: &Doc, stderr: &str, crd_kinds: &BTreeSet<(String, String)>) -> Finding {
    let message = clean_message(stderr);
    let group = doc
        .api_version
        .rsplit_once('/')
        .map(|(g, _)| g)
        .unwrap_or("");
    let (severity, help) = if message.contains("no matches for kind")
        || message.contains("ensure CRDs are installed first")
    {
        if crd_kinds.contains(&(group.to_string(), doc.kind.clone())) {
            (
                Severity::Warning,
                Some("not checked: its CustomResourceDefinition is in the same render but not installed on the server (install first, then check again)".to_string()),
            )
        } else {
            (
                Severity::Error,
                Some(format!(
                    "the server does not serve {} {}: a missing CRD, or an API version this Kubernetes version removed",
                    doc.api_version, doc.kind
                )),
            )
        }
    } else if message.contains("namespaces \"") && message.contains("not found") {
        (
            Severity::Warning,
            Some(format!(
                "not checked: namespace `{}` does not exist on the server yet (install first, or create it)",
                doc.namespace
            )),
        )
    } else {
        (Severity::Error, None)
    };
    Finding {
        code: CODE,
        rule: RULE,
        severity,
        pointer: field_pointer(&message),
        message,
        chart: doc.chart.clone(),
        file: doc.file.clone(),
        line: None,
        column: None,
        resource: Some(doc.resource.clone()),
        help,
        snippet: None,
    }
}

/// kubectl's error without its prefixes (`Error from server (BadRequest): error when creating
/// "STDIN": `), warnings dropped, on one line.
pub fn clean_message(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("Warning:"))
        .collect();
    let mut m = lines.join("; ");
    if let Some(rest) = m.strip_prefix("Error from server") {
        m = match rest.split_once("): ") {
            Some((_, r)) if rest.starts_with(" (") => r.to_string(),
            _ => rest.trim_start_matches(':').trim().to_string(),
        };
    }
    if let Some(rest) = m.strip_prefix("error: ") {
        m = rest.to_string();
    }
    for p in [
        "error when creating \"STDIN\": ",
        "error when applying patch: ",
    ] {
        if let Some(rest) = m.strip_prefix(p) {
            m = rest.to_string();
        }
    }
    m = m.replace(":; * ", ": ").replace("; * ", "; ");
    if m.is_empty() {
        "server-side dry run failed without a message".into()
    } else {
        m
    }
}

/// The JSON pointer of the field a server message names, when it names one
/// (`unknown field "spec.x"`, `.spec.x: field not declared in schema`,
/// `spec.template.spec.containers[0].imagePullPolicy: Unsupported value`).
pub fn field_pointer(message: &str) -> Option<String> {
    let path = if let Some(i) = message.find("unknown field \"") {
        let rest = &message[i + "unknown field \"".len()..];
        rest.split('"').next().map(str::to_string)
    } else if let Some(i) = message.find(": field not declared in schema") {
        let head = &message[..i];
        head.rsplit(' ').next().map(str::to_string)
    } else {
        message.split(": ").find_map(|part| {
            let cand = part
                .rsplit(' ')
                .next()
                .unwrap_or("")
                .trim_start_matches('*');
            let looks = cand.contains('.')
                && cand
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._[]-/".contains(c))
                && (cand.starts_with("spec")
                    || cand.starts_with("metadata")
                    || cand.starts_with("data")
                    || cand.starts_with("status")
                    || cand.starts_with('.'));
            looks.then(|| cand.to_string())
        })
    }?;
    let path = path.trim_start_matches('.');
    if path.is_empty() {
        return None;
    }
    let mut out = String::new();
    for seg in path.split('.') {
        let (name, idx) = match seg.split_once('[') {
            Some((n, rest)) => (n, Some(rest.trim_end_matches(']'))),
            None => (seg, None),
        };
        out.push('/');
        out.push_str(&name.replace('~', "~0").replace('/', "~1"));
        if let Some(i) = idx {
            out.push('/');
            out.push_str(i);
        }
    }
    Some(out)
}

fn report(
    args: &CheckArgs,
    format: CheckFormat,
    all: &[Finding],
    documents: usize,
    releases: usize,
    target: &Target,
    version: &str,
) -> i32 {
    let errors = all.iter().filter(|f| f.severity == Severity::Error).count();
    let warnings = all
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        CheckFormat::Human => {
            for f in all {
                let _ = writeln!(out, "{}", lint::output::human(f));
            }
            let _ = writeln!(
                out,
                "Summary: {documents} document{} of {releases} release{} dry-run on the server ({version}, {}) - errors: {errors}, warnings: {warnings}",
                if documents == 1 { "" } else { "s" },
                if releases == 1 { "" } else { "s" },
                target.describe()
            );
        }
        CheckFormat::Json => {
            for f in all {
                let _ = writeln!(out, "{}", lint::output::json(f));
            }
            let _ = writeln!(
                out,
                "{}",
                serde_json::json!({"reason": "check-summary", "server": true, "server-version": version,
                    "releases": releases, "documents": documents, "errors": errors, "warnings": warnings})
            );
        }
        CheckFormat::Sarif => {
            let log = lint::output::sarif(all, &|f| f.file.trim_start_matches("./").to_string());
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&log).unwrap_or_default()
            );
        }
    }
    if let Some(path) = &args.sarif {
        let log = lint::output::sarif(all, &|f| f.file.trim_start_matches("./").to_string());
        if let Err(e) = std::fs::write(path, serde_json::to_string_pretty(&log).unwrap_or_default())
        {
            eprintln!("error: cannot write {}: {e}", path.display());
            return 2;
        }
    }
    i32::from(errors > 0 || (args.deny_warnings && warnings > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Doc {
        make_doc(
            Path::new("/ws/charts/demo"),
            "demo",
            "demo/templates/x.yaml",
            text,
            "demo",
        )
        .expect("a document")
    }

    #[test]
    fn heads_and_arguments() {
        let d = doc("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n");
        assert_eq!(d.resource, "Deployment/demo/web");
        assert!(!d.has_namespace && !d.generate_name);
        let a = dry_run_args(&d).join(" ");
        assert_eq!(
            a,
            "--namespace demo apply --server-side --force-conflicts --field-manager=kindtest-check --dry-run=server --validate=strict --request-timeout=30s -o name -f -"
        );
        let d =
            doc("apiVersion: v1\nkind: Pod\nmetadata:\n  generateName: t-\n  namespace: other\n");
        assert!(d.has_namespace && d.generate_name);
        assert_eq!(d.resource, "Pod/other/t-");
        assert!(
            dry_run_args(&d)
                .join(" ")
                .starts_with("create --dry-run=server")
        );
        assert!(make_doc(Path::new("/c"), "c", "c/t.yaml", "# only a comment\n", "d").is_none());
    }

    #[test]
    fn messages_are_cleaned_and_fields_found() {
        let m = clean_message(
            "Error from server (BadRequest): error when creating \"STDIN\": Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.template.spec.containers[0].foo\"\n",
        );
        assert_eq!(
            m,
            "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.template.spec.containers[0].foo\""
        );
        assert_eq!(
            field_pointer(&m).as_deref(),
            Some("/spec/template/spec/containers/0/foo")
        );
        let m = clean_message(
            "Error from server: failed to create typed patch object (demo/demo; apps/v1, Kind=Deployment): .spec.bogus: field not declared in schema",
        );
        assert!(m.starts_with("failed to create typed patch object"), "{m}");
        assert_eq!(field_pointer(&m).as_deref(), Some("/spec/bogus"));
        let m = clean_message(
            "The Deployment \"demo\" is invalid: spec.template.spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\"",
        );
        assert_eq!(
            field_pointer(&m).as_deref(),
            Some("/spec/template/spec/containers/0/imagePullPolicy")
        );
        assert_eq!(field_pointer("namespaces \"x\" not found"), None);
    }

    #[test]
    fn missing_crd_and_namespace_are_classified() {
        let crd = ("example.com".to_string(), "Widget".to_string());
        let d = doc("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n");
        let stderr = "error: resource mapping not found for name: \"w\" namespace: \"demo\" from \"STDIN\": no matches for kind \"Widget\" in version \"example.com/v1\"\nensure CRDs are installed first\n";
        let f = classify(&d, stderr, &[crd].into());
        assert_eq!(f.severity, Severity::Warning);
        assert!(f.help.as_deref().unwrap_or("").contains("same render"));
        let f = classify(&d, stderr, &BTreeSet::new());
        assert_eq!(f.severity, Severity::Error);
        assert_eq!(f.code, CODE);
        assert_eq!(f.file, "/ws/charts/demo/templates/x.yaml");
        let f = classify(
            &d,
            "Error from server (NotFound): namespaces \"demo\" not found\n",
            &BTreeSet::new(),
        );
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(f.message, "namespaces \"demo\" not found");
    }
}
