//! Lint rules for charts and their rendered releases.
//!
//! Every rule has a stable code (`KT0001` …), a kebab-case name, a default severity and a doc
//! page ([`Rule::doc`]: what, why, example, fix; `docs/lint-rules.md` is generated from them).
//! Three families:
//! * *chart* rules ([`chart_rules`]) read the chart itself: `Chart.yaml`, dependencies,
//!   `values.yaml`, `values.schema.json`, template parse errors, `include`/`template` of
//!   undefined names, `.Values` paths that `values.yaml` never defines;
//! * *release* rules ([`release_rules`]) look across all rendered documents: duplicates,
//!   selectors, dangling references, names that break with a long release name, port names,
//!   deprecated and removed APIs;
//! * *workload* rules ([`workload_rules`]) are kube-linter-style hygiene checks on pod specs.
//!
//! Severities and allow-lists come from [`LintConfig`] (`[workspace.metadata.kindtest.lint]`
//! or a chart's own section) and from the annotation [`ALLOW_ANNOTATION`] on a resource
//! (`lint.kindtest.dev/allow: "KT0201,missing-probe"`).

pub mod chart_rules;
pub mod doc;
pub mod output;
pub mod release_rules;
pub mod run;
pub mod workload_rules;

use std::collections::BTreeMap;
use std::fmt;

pub use doc::{Document, Resource};
pub use run::{LintOptions, LintReport, lint_chart, rendered_documents};

/// Annotation on a resource that silences rules for it (comma-separated codes or names).
pub const ALLOW_ANNOTATION: &str = "lint.kindtest.dev/allow";

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Shown, never fails.
    Note,
    /// Shown as `cargo:warning`, does not fail the build or the check.
    Warning,
    /// Fails the build / the check (exit 1).
    Error,
}

impl Severity {
    /// `note` / `warning` / `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses a configured level (`error`, `warning`/`warn`, `note`/`info`).
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" | "deny" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "note" | "info" => Some(Severity::Note),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which part of the input a rule reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// The chart's own files.
    Chart,
    /// All rendered documents of a release together.
    Release,
    /// Pod specs of workloads.
    Workload,
    /// The Kubernetes schemas.
    Schema,
}

/// A lint rule's metadata.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// Stable code, never reused: `KT0001`.
    pub code: &'static str,
    /// Kebab-case name, usable instead of the code in configuration.
    pub name: &'static str,
    /// Family.
    pub family: Family,
    /// Default severity.
    pub severity: Severity,
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// Doc page body (Markdown): why, an example, the fix.
    pub doc: &'static str,
}

macro_rules! rules {
    ($($id:ident = $code:literal, $name:literal, $fam:ident, $sev:ident, $summary:literal, $doc:literal;)*) => {
        $(
            #[doc = $summary]
            pub const $id: &Rule = &Rule {
                code: $code, name: $name, family: Family::$fam, severity: Severity::$sev,
                summary: $summary, doc: $doc,
            };
        )*
        /// Every rule, in code order.
        pub const ALL_RULES: &[&Rule] = &[$($id),*];
    };
}

rules! {
    CHART_UNREADABLE = "KT0001", "chart-unreadable", Chart, Error,
        "The chart cannot be read (missing Chart.yaml, unreadable file, bad archive).",
        "**Why**: helm refuses the chart; nothing else can be checked.\n\n**Example**: a directory without `Chart.yaml`.\n\n**Fix**: make the path point at a chart directory or `.tgz` with a valid `Chart.yaml`.";
    CHART_METADATA = "KT0002", "chart-metadata", Chart, Error,
        "Chart.yaml lacks a required field or has an invalid version.",
        "**Why**: helm rejects charts without `name` or `version`, and `version` must be SemVer 2 (`helm package` and repositories depend on it).\n\n**Example**: `version: 1.0` or no `name:`.\n\n**Fix**: `name: mychart` and `version: 1.0.0`.";
    CHART_API_VERSION = "KT0003", "chart-api-version", Chart, Warning,
        "Chart.yaml uses apiVersion v1 (or none) instead of v2.",
        "**Why**: apiVersion v1 charts are the Helm 2 format (dependencies in `requirements.yaml`, no library charts, no `type`).\n\n**Example**: `apiVersion: v1`.\n\n**Fix**: `apiVersion: v2`, moving `requirements.yaml` into `dependencies:`.";
    DEPENDENCY_MISSING = "KT0004", "dependency-missing", Chart, Error,
        "A dependency of Chart.yaml is not present in charts/.",
        "**Why**: `helm template` and `helm install` fail with \"found in Chart.yaml, but missing in charts/ directory\".\n\n**Example**: `dependencies: [{name: redis, version: 19.x}]` and no `charts/redis*`.\n\n**Fix**: run `helm dependency build`, or vendor the subchart.";
    DEPENDENCY_VERSION = "KT0005", "dependency-version-mismatch", Chart, Warning,
        "A vendored subchart's version does not satisfy the dependency's constraint, so helm ignores the dependency entry.",
        "**Why**: helm matches `dependencies:` entries to subcharts by name *and* version; when the version does not satisfy the constraint the entry is silently ignored: its `alias`, `condition`, `tags` and `import-values` do not apply, and the vendored chart is rendered as is (even when its condition is false). Measured with helm 4.1.4.\n\n**Example**: `version: ~1.2.0` in Chart.yaml and `charts/redis` at 2.0.0.\n\n**Fix**: update the constraint or re-vendor the subchart (`helm dependency update`).";
    VALUES_SCHEMA = "KT0006", "values-schema", Chart, Error,
        "values.schema.json is invalid, or the values violate it.",
        "**Why**: helm validates values against `values.schema.json` before rendering and refuses the release.\n\n**Example**: `port: \"80\"` with `{\"type\": \"integer\"}`.\n\n**Fix**: correct the values or the schema.";
    TEMPLATE_PARSE = "KT0007", "template-parse", Chart, Error,
        "A template does not parse (Go text/template syntax, undefined function).",
        "**Why**: helm cannot render any template of the chart.\n\n**Example**: `{{ .Values.x | }}` or `{{ nosuchfunc }}`.\n\n**Fix**: correct the syntax at the reported line and column.";
    TEMPLATE_RENDER = "KT0008", "template-render", Chart, Error,
        "Rendering the chart fails (execution error, `required`, `fail`, invalid YAML output).",
        "**Why**: `helm install` would fail the same way.\n\n**Example**: `{{ required \"image.tag is required\" .Values.image.tag }}` with no tag set.\n\n**Fix**: set the value or correct the template; the message and include chain say where.";
    UNDEFINED_TEMPLATE = "KT0009", "undefined-template", Chart, Warning,
        "`include` or `template` names a template that no file defines.",
        "**Why**: helm only notices when the line actually executes, e.g. in a branch that your default values skip. When the line does execute with the values checked, rendering fails and that is reported as `template-render` (an error); this rule finds the branches the checked values skip, so it is a warning. It is not reported while a dependency is missing from `charts/` (the name may be defined there).\n\n**Example**: `{{ include \"mychart.lables\" . }}`.\n\n**Fix**: correct the name, or add the `define`.";
    UNDEFINED_VALUE = "KT0010", "undefined-value", Chart, Warning,
        "A template reads a `.Values` path that values.yaml does not define, without guarding the read.",
        "**Why**: a typo (`.Values.imgae.tag`) silently renders as empty; documenting every value in values.yaml is also what users read.\n\n**Not reported** (optional values read on purpose): paths in `if`/`with`/`range` conditions, and children of a tested path inside its body; arguments of `default`, `required`, `hasKey`, `dig`, `empty`, `coalesce`, `ternary`, `kindIs`/`kindOf`/`typeIs`/`typeOf`, and anything piped into `default`/`required`; `.Values.global.*`; `.Values.<subchart>.*` defined by the subchart's values.yaml; keys values.yaml mentions in a comment (`# statsd:`); `.Values.Values.*` (a dict passed to a named template).\n\n**Example**: `{{ .Values.replicaCont }}`.\n\n**Fix**: correct the path, or add the key (with a comment) to values.yaml.";
    VALUES_YAML11 = "KT0011", "values-yaml11", Chart, Warning,
        "values.yaml relies on a YAML 1.1 surprise (`on`/`yes`/`no` keys or values, leading-zero octal numbers, integers above 2^53).",
        "**Why**: Helm reads YAML 1.1: `on:` becomes the key `true`, `mode: 0777` is 511, and all numbers become float64, so integers above 2^53 lose digits.\n\n**Example**: `enabled: yes`, `mode: 0644`, `id: 12345678901234567890`.\n\n**Fix**: quote the scalar (`\"yes\"`, `\"0644\"`) or write the value you mean (`true`, `420`).";
    DUPLICATE_RESOURCE = "KT0101", "duplicate-resource", Release, Error,
        "Two documents of the release have the same kind, namespace and name.",
        "**Why**: `helm install` fails (\"already exists\") or one silently overwrites the other.\n\n**Example**: two templates both creating `ConfigMap/config`.\n\n**Fix**: give each object its own name (usually via the fullname helper plus a suffix).";
    SELECTOR_MISMATCH = "KT0102", "selector-mismatch", Release, Error,
        "A workload's selector does not match its pod template's labels.",
        "**Why**: the API server rejects the Deployment/StatefulSet/DaemonSet/ReplicaSet/Job (`selector does not match template labels`).\n\n**Example**: `selector.matchLabels: {app: web}` and template labels `{app: api}`.\n\n**Fix**: build both from the same selectorLabels helper.";
    SERVICE_NO_PODS = "KT0103", "service-selects-nothing", Release, Warning,
        "A Service's selector matches no pod template of the release.",
        "**Why**: the Service has no endpoints, so clients get connection refused.\n\n**Not reported**: Services in another namespace than the release (they select pods that are already there, e.g. kube-system components for monitoring) and Services whose selector value is the name of a custom resource of the release (an operator creates those pods, e.g. `prometheus: <Prometheus name>`).\n\n**Example**: `selector: {app.kubernetes.io/name: web}` while pods carry `app.kubernetes.io/name: webapp`.\n\n**Fix**: use the selectorLabels helper for both; allow the rule (annotation) for Services that deliberately select pods of another release.";
    DANGLING_REFERENCE = "KT0104", "dangling-reference", Release, Warning,
        "A pod references a ConfigMap, Secret, ServiceAccount or PVC that the release does not create.",
        "**Why**: pods stay in `ContainerCreating`/`CreateContainerConfigError` unless the object exists beforehand.\n\n**Example**: `envFrom: [{configMapRef: {name: app-config}}]` and no ConfigMap `app-config`.\n\n**Fix**: create the object in the chart, mark the reference `optional: true`, or allow the rule if it is provided outside the chart.";
    NAME_TOO_LONG = "KT0105", "name-too-long", Release, Error,
        "A name or label value breaks DNS-1123 or its length limit (63 characters for Services, workloads and label values).",
        "**Why**: names derived from `.Release.Name` grow with it; Helm allows 53-character release names, and Services, labels and most names must stay within 63 characters.\n\n**Example**: `name: {{ .Release.Name }}-{{ .Chart.Name }}-metrics-exporter` without `trunc 63`.\n\n**Fix**: `{{ printf \"%s-metrics\" (include \"x.fullname\" .) | trunc 63 | trimSuffix \"-\" }}`.";
    PORT_NAME = "KT0106", "port-name", Release, Error,
        "A container port name (or a Service's named targetPort) is not an IANA_SVC_NAME, or a Service port name is not a DNS-1123 label.",
        "**Why**: the API server rejects container port names over 15 characters or with characters other than lower-case letters, digits and `-` (at least one letter, no `--`), and Service port names that are not DNS-1123 labels (63 characters). A Service's `targetPort` given by name must name a container port, so the 15-character limit applies to it too.\n\n**Example**: a container port `name: http-metrics-exporter` (19 characters).\n\n**Fix**: `name: metrics`.";
    DEPRECATED_API = "KT0107", "deprecated-api", Release, Warning,
        "The API version is deprecated in the target Kubernetes version.",
        "**Why**: it will be removed in a later release and installs will start failing.\n\n**Example**: `autoscaling/v2beta2` HorizontalPodAutoscaler.\n\n**Fix**: move to the replacement API version.";
    REMOVED_API = "KT0108", "removed-api", Release, Error,
        "The API version is not served by the target Kubernetes version.",
        "**Why**: `helm install` fails with `no matches for kind`.\n\n**Example**: `policy/v1beta1` PodDisruptionBudget on Kubernetes 1.25+.\n\n**Fix**: use the served version (gate on `.Capabilities.APIVersions.Has` if older clusters matter).";
    LONG_RELEASE_NAME = "KT0109", "long-release-name", Release, Warning,
        "A name or label value breaks the 63-character limit once the release name is as long as Helm allows (53 characters).",
        "**Why**: names derived from `.Release.Name` grow with it. With the release names you use today the install works (a name that is already too long is `name-too-long`, an error), but a user who picks a longer release name gets an install failure. The message says up to which release-name length the chart works.\n\n**Example**: `name: {{ .Release.Name }}-{{ .Chart.Name }}-metrics-exporter` without `trunc 63`.\n\n**Fix**: `{{ printf \"%s-metrics\" (include \"x.fullname\" .) | trunc 63 | trimSuffix \"-\" }}`, or document the maximum release name length.";
    IMAGE_TAG = "KT0201", "image-tag", Workload, Warning,
        "A container image has no tag or uses `:latest`.",
        "**Why**: the running version depends on when the node pulled; rollbacks and caches break.\n\n**Example**: `image: nginx` or `image: nginx:latest`.\n\n**Fix**: pin a tag or digest (`nginx:1.27.2`), usually `{{ .Values.image.tag | default .Chart.AppVersion }}`.";
    RESOURCES = "KT0202", "missing-resources", Workload, Warning,
        "A container sets no CPU/memory requests or no memory limit.",
        "**Why**: without requests the scheduler packs pods blindly; without a memory limit one pod can starve its node.\n\n**Example**: a container with no `resources:`.\n\n**Fix**: set `resources.requests.cpu`, `resources.requests.memory` and `resources.limits.memory` (from values).";
    READINESS_PROBE = "KT0203", "missing-readiness-probe", Workload, Warning,
        "A long-running container has no readiness probe.",
        "**Why**: traffic reaches the pod before it can serve, and `helm install --wait` cannot tell when it is ready.\n\n**Example**: a Deployment container without `readinessProbe`.\n\n**Fix**: add an HTTP, TCP or exec readiness probe.";
    PRIVILEGED = "KT0204", "privileged", Workload, Warning,
        "A container runs privileged or allows privilege escalation.",
        "**Why**: a privileged container is root on the node.\n\n**Example**: `securityContext: {privileged: true}` or no `allowPrivilegeEscalation: false`.\n\n**Fix**: `securityContext: {privileged: false, allowPrivilegeEscalation: false}`.";
    RUN_AS_NON_ROOT = "KT0205", "run-as-non-root", Workload, Warning,
        "Neither the pod nor the container sets `runAsNonRoot: true` (or a non-zero `runAsUser`).",
        "**Why**: containers run as root by default, which widens the damage of any escape.\n\n**Example**: no `securityContext`.\n\n**Fix**: `securityContext: {runAsNonRoot: true, runAsUser: 10001}`.";
    HOST_ACCESS = "KT0206", "host-access", Workload, Warning,
        "A pod uses hostNetwork, hostPID, hostIPC or a hostPath volume.",
        "**Why**: the pod sees and can change the node itself.\n\n**Example**: `hostNetwork: true`, `volumes: [{hostPath: {path: /var/run}}]`.\n\n**Fix**: remove them, or allow the rule for node agents that need them.";
    SCHEMA = "KT0301", "schema", Schema, Error,
        "A manifest does not validate against the Kubernetes OpenAPI schema (or a CRD's schema).",
        "**Why**: the API server would reject it (strict field validation).\n\n**Example**: `replicas: \"3\"`, `imagePullPolcy: Always`.\n\n**Fix**: correct the field at the reported JSON pointer.";
}

/// Looks a rule up by code or name.
pub fn rule(code_or_name: &str) -> Option<&'static Rule> {
    ALL_RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// One problem.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The rule's code.
    pub code: &'static str,
    /// The rule's name.
    pub rule: &'static str,
    /// Effective severity.
    pub severity: Severity,
    /// What is wrong, one line.
    pub message: String,
    /// Chart name.
    pub chart: String,
    /// File, relative to the chart's parent (`mychart/templates/x.yaml`), as helm names it.
    pub file: String,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column.
    pub column: Option<usize>,
    /// `Kind/namespace/name` of the resource, for release and workload rules.
    pub resource: Option<String>,
    /// JSON pointer into the resource.
    pub pointer: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
    /// The source line, for the caret display.
    pub snippet: Option<String>,
}

impl Finding {
    /// A finding of `rule` with its default severity.
    pub fn new(
        rule: &'static Rule,
        chart: &str,
        file: impl Into<String>,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            code: rule.code,
            rule: rule.name,
            severity: rule.severity,
            message: message.into(),
            chart: chart.to_string(),
            file: file.into(),
            line: None,
            column: None,
            resource: None,
            pointer: None,
            help: None,
            snippet: None,
        }
    }

    /// Sets the position.
    pub fn at(mut self, line: Option<usize>, column: Option<usize>) -> Finding {
        self.line = line;
        self.column = column;
        self
    }

    /// Sets the help text.
    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    /// `file:line:column` (as much as is known).
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", self.file),
            (Some(l), None) => format!("{}:{l}", self.file),
            _ => self.file.clone(),
        }
    }
}

/// Severities and allow-lists (`[workspace.metadata.kindtest.lint]`, or a chart's own).
///
/// ```toml
/// [workspace.metadata.kindtest.lint]
/// missing-readiness-probe = "error"     # by name or code
/// KT0205 = "allow"
/// allow = [{ rule = "host-access", resource = "DaemonSet/node-agent" }]
/// ```
#[derive(Clone, Debug, Default)]
pub struct LintConfig {
    /// Code → severity (`None` = allowed, i.e. off).
    pub levels: BTreeMap<&'static str, Option<Severity>>,
    /// (code, resource pattern `Kind/name` or `Kind/*`, file glob) allow entries.
    pub allow: Vec<AllowEntry>,
}

/// One allow-list entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllowEntry {
    /// The rule code.
    pub code: String,
    /// `Kind/name`, `Kind/*` or `*`; empty = any.
    pub resource: String,
    /// Template path suffix; empty = any.
    pub file: String,
}

/// An invalid lint configuration entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl LintConfig {
    /// Reads the `lint` table of the kindtest metadata (a JSON object as cargo_metadata gives
    /// it). Unknown rules and levels are errors with a suggestion.
    pub fn from_json(v: &serde_json::Value) -> Result<LintConfig, ConfigError> {
        let mut cfg = LintConfig::default();
        let Some(obj) = v.as_object() else {
            return Err(ConfigError("`lint` must be a table".into()));
        };
        for (k, val) in obj {
            if k == "allow" {
                let Some(list) = val.as_array() else {
                    return Err(ConfigError(
                        "`lint.allow` must be an array of tables".into(),
                    ));
                };
                for item in list {
                    let get = |f: &str| {
                        item.get(f)
                            .and_then(|x| x.as_str())
                            .unwrap_or("")
                            .to_string()
                    };
                    let code = get("rule");
                    let r = rule(&code).ok_or_else(|| unknown_rule(&code))?;
                    cfg.allow.push(AllowEntry {
                        code: r.code.into(),
                        resource: get("resource"),
                        file: get("file"),
                    });
                }
                continue;
            }
            let r = rule(k).ok_or_else(|| unknown_rule(k))?;
            let level = val.as_str().unwrap_or("");
            let sev = match level {
                "allow" | "off" => None,
                other => Some(Severity::parse(other).ok_or_else(|| {
                    ConfigError(format!(
                        "lint level `{other}` for `{k}` is not one of `error`, `warning`, `note`, `allow`"
                    ))
                })?),
            };
            cfg.levels.insert(r.code, sev);
        }
        Ok(cfg)
    }

    /// The severity of `rule` after configuration (`None` = off).
    pub fn level(&self, rule: &Rule) -> Option<Severity> {
        match self.levels.get(rule.code) {
            Some(l) => *l,
            None => Some(rule.severity),
        }
    }

    /// Applies levels and allow entries; drops findings that are off.
    pub fn apply(&self, findings: Vec<Finding>) -> Vec<Finding> {
        findings
            .into_iter()
            .filter_map(|mut f| {
                let r = rule(f.code)?;
                // A configured level wins; otherwise the finding keeps the severity it was
                // made with (the rule's default, or e.g. a schema warning in non-strict mode).
                if let Some(level) = self.levels.get(r.code) {
                    f.severity = (*level)?;
                }
                let allowed = self.allow.iter().any(|a| {
                    a.code == f.code
                        && (a.file.is_empty() || f.file.ends_with(&a.file))
                        && (a.resource.is_empty()
                            || resource_matches(&a.resource, f.resource.as_deref()))
                });
                (!allowed).then_some(f)
            })
            .collect()
    }
}

fn resource_matches(pattern: &str, resource: Option<&str>) -> bool {
    let Some(res) = resource else { return false };
    if pattern == "*" {
        return true;
    }
    // resource is `Kind/namespace/name` or `Kind/name`; pattern `Kind/name` or `Kind/*`.
    let (pk, pn) = pattern.split_once('/').unwrap_or((pattern, "*"));
    let mut parts = res.split('/');
    let kind = parts.next().unwrap_or("");
    let name = res.rsplit('/').next().unwrap_or("");
    pk == kind && (pn == "*" || pn == name)
}

fn unknown_rule(name: &str) -> ConfigError {
    let best = ALL_RULES
        .iter()
        .flat_map(|r| [r.code, r.name])
        .map(|cand| (strsim_distance(name, cand), cand))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((d, cand)) if d <= 3 => ConfigError(format!(
            "unknown lint rule `{name}`; did you mean `{cand}`?"
        )),
        _ => ConfigError(format!(
            "unknown lint rule `{name}`; see docs/lint-rules.md for the list"
        )),
    }
}

/// Levenshtein distance (small strings only).
pub(crate) fn strsim_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The Markdown page documenting every rule (`docs/lint-rules.md`).
pub fn rules_markdown() -> String {
    let mut out = String::from(
        "# Lint rules\n\nGenerated from `chart-lint/src/lint/mod.rs` (`cargo kindtest check --rules-doc`, or \
         `cargo run -p chart-lint --example rules_doc > docs/lint-rules.md`; a test checks the page is \
         current); codes never change. Error-level rules are the ones that make `helm install` fail \
         (checked on 57 public charts: bench/README.md, \"Lint on public charts\"); everything that only \
         may go wrong is a warning.\n\nConfigure levels in `[workspace.metadata.kindtest.lint]` \
         (`<code or name> = \"error\" | \"warning\" | \"note\" | \"allow\"`), allow single resources with \
         `allow = [{ rule = \"…\", resource = \"Kind/name\", file = \"templates/x.yaml\" }]`, or annotate \
         a resource with `lint.kindtest.dev/allow: \"KT0201,missing-resources\"`.\n\n| code | name | default | what |\n|---|---|---|---|\n",
    );
    for r in ALL_RULES {
        out.push_str(&format!(
            "| [{}](#{}) | `{}` | {} | {} |\n",
            r.code,
            r.code.to_lowercase(),
            r.name,
            r.severity,
            r.summary
        ));
    }
    for r in ALL_RULES {
        out.push_str(&format!(
            "\n## {}\n\n`{}` — default: {}\n\n{}\n\n{}\n",
            r.code, r.name, r.severity, r.summary, r.doc
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for r in ALL_RULES {
            assert!(seen.insert(r.code), "duplicate code {}", r.code);
            assert!(seen.insert(r.name), "duplicate name {}", r.name);
            assert!(r.code.len() == 6 && r.code.starts_with("KT"), "{}", r.code);
            assert!(
                r.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit())
            );
            assert!(
                r.doc.contains("**Why**")
                    && r.doc.contains("**Example**")
                    && r.doc.contains("**Fix**")
            );
        }
    }

    #[test]
    fn config_levels_allow_and_suggestions() {
        let cfg = LintConfig::from_json(&serde_json::json!({
            "missing-readiness-probe": "error",
            "KT0205": "allow",
            "allow": [{"rule": "host-access", "resource": "DaemonSet/agent"}]
        }))
        .unwrap();
        assert_eq!(cfg.level(READINESS_PROBE), Some(Severity::Error));
        assert_eq!(cfg.level(RUN_AS_NON_ROOT), None);
        let f = Finding {
            resource: Some("DaemonSet/ns/agent".into()),
            ..Finding::new(HOST_ACCESS, "c", "c/templates/ds.yaml", "x")
        };
        let g = Finding {
            resource: Some("DaemonSet/ns/other".into()),
            ..f.clone()
        };
        let out = cfg.apply(vec![f, g]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].resource.as_deref(), Some("DaemonSet/ns/other"));

        let err = LintConfig::from_json(&serde_json::json!({"missing-readines-probe": "error"}))
            .unwrap_err();
        assert!(
            err.0.contains("did you mean `missing-readiness-probe`"),
            "{err}"
        );
        let err = LintConfig::from_json(&serde_json::json!({"KT0201": "fatal"})).unwrap_err();
        assert!(err.0.contains("not one of"), "{err}");
    }
}
