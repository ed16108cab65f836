//! From rendered files to `helm template` output: manifest splitting, hook extraction, kind
//! ordering and the `---\n# Source: …` stream (helm's `pkg/release/v1/util/{manifest,
//! manifest_sorter,kind_sorter}.go`, `pkg/action/action.go` `renderResources`,
//! `pkg/cmd/template.go`).

use std::collections::BTreeMap;

use gotemplate::Value;

/// helm's `InstallOrder`: kinds installed first come first in the output.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// The head of a manifest (helm's `SimpleHead`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Head {
    /// `apiVersion`
    pub api_version: String,
    /// `kind`
    pub kind: String,
    /// `metadata.name` (`None` without `metadata`)
    pub name: Option<String>,
    /// `metadata.annotations` in key order
    pub annotations: BTreeMap<String, String>,
}

/// One document of the release manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// The template it came from, e.g. `mychart/templates/deployment.yaml`.
    pub source_path: String,
    /// The document text (trimmed, verbatim otherwise).
    pub content: String,
    /// Parsed head.
    pub head: Head,
}

impl Manifest {
    /// `kind`
    pub fn kind(&self) -> &str {
        &self.head.kind
    }
    /// `metadata.name` or `""`
    pub fn name(&self) -> &str {
        self.head.name.as_deref().unwrap_or("")
    }
}

/// A hook document (`helm.sh/hook` annotation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hook {
    /// The document as a manifest.
    pub manifest: Manifest,
    /// Events (`pre-install`, `test`, …) in annotation order.
    pub events: Vec<String>,
    /// `helm.sh/hook-weight` (0 when absent or not an integer).
    pub weight: i64,
    /// `helm.sh/hook-delete-policy` values.
    pub delete_policies: Vec<String>,
}

impl Hook {
    /// Whether this is a test hook (`helm test`).
    pub fn is_test(&self) -> bool {
        self.events.iter().any(|e| e == "test")
    }
}

const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
];

fn is_go_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0c' | '\r' | ' ')
}

/// helm's `SplitManifests`: split on `(?:^|\s*\n)---\s*`, trim each piece, drop empty ones.
pub fn split_manifests(big: &str) -> Vec<String> {
    let text = big.trim();
    let b = text.as_bytes();
    let mut pieces = Vec::new();
    let mut prev = 0;
    let mut pos = 0;
    loop {
        // Find the leftmost match at or after `pos`.
        let found = if pos == 0 && text.starts_with("---") {
            Some((0, 3))
        } else {
            text[pos..].find("\n---").map(|rel| {
                let i = pos + rel;
                let mut start = i;
                while start > pos && is_go_space(b[start - 1] as char) {
                    start -= 1;
                }
                (start, i + 4)
            })
        };
        let Some((start, mut end)) = found else { break };
        while end < b.len() && is_go_space(b[end] as char) {
            end += 1;
        }
        pieces.push(&text[prev..start]);
        prev = end;
        pos = end;
        if end >= b.len() {
            break;
        }
    }
    pieces.push(&text[prev..]);
    pieces
        .into_iter()
        .filter(|d| !d.is_empty())
        .map(|d| d.trim().to_string())
        .collect()
}

fn string_of(v: &Value) -> Option<String> {
    match v {
        Value::Nil => Some(String::new()),
        Value::String(s) => Some(s.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Int(i, _) => Some(i.to_string()),
        Value::Float(f) => Some(gotemplate::value::format_float_v(*f)),
        _ => None,
    }
}

fn kind_word(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "array",
        Value::Map(_) => "object",
        Value::Bool(_) => "bool",
        Value::String(_) => "string",
        _ => "number",
    }
}

/// Parses a document's head as helm does (sigs.k8s.io/yaml into `SimpleHead`).
pub fn parse_head(doc: &str) -> Result<Head, String> {
    // The whole document is read (a YAML error anywhere is helm's error), but only the head
    // fields are converted; anything unusual goes the long way for helm's exact message.
    let node = goyaml::parse(doc).map_err(|e| format!("error converting YAML to JSON: {e}"))?;
    if crate::yaml::json_convertible(&node)
        && let Some(head) = head_of(&node)
    {
        return Ok(head);
    }
    parse_head_slow(doc)
}

/// The entry of a mapping whose JSON key is `key` (the last one, as in the JSON object).
fn node_get<'a>(
    entries: &'a [(goyaml::Node, goyaml::Node)],
    key: &str,
) -> Option<&'a goyaml::Node> {
    entries
        .iter()
        .rev()
        .find(|(k, _)| match &k.value {
            goyaml::Value::Str(s) => s == key,
            other => goyaml::json_key(other).is_ok_and(|s| s == key),
        })
        .map(|(_, v)| v)
}

/// `string_of` of the value the node becomes after the JSON round trip (numbers are
/// `float64`, `-0` is `0`).
fn node_string(n: &goyaml::Node) -> Option<String> {
    use goyaml::Value as Y;
    let f = match &n.value {
        Y::Null => return Some(String::new()),
        Y::Str(s) => return Some(s.clone()),
        Y::Bool(b) => return Some(b.to_string()),
        Y::Int(i) => *i as f64,
        Y::Uint(u) => *u as f64,
        Y::Float(f) => *f + 0.0,
        Y::Seq(_) | Y::Map(_) => return None,
    };
    Some(gotemplate::value::format_float_v(f))
}

/// [`parse_head`] on a parsed tree that converts to JSON; `None` where helm would fail (the
/// slow path words the error).
fn head_of(node: &goyaml::Node) -> Option<Head> {
    use goyaml::Value as Y;
    let m = match &node.value {
        Y::Null => return Some(Head::default()),
        Y::Map(m) => m,
        _ => return None,
    };
    let mut head = Head::default();
    if let Some(v) = node_get(m, "apiVersion") {
        head.api_version = node_string(v)?;
    }
    if let Some(v) = node_get(m, "kind") {
        head.kind = node_string(v)?;
    }
    match node_get(m, "metadata").map(|n| &n.value) {
        None | Some(Y::Null) => {}
        Some(Y::Map(md)) => {
            head.name = Some(match node_get(md, "name") {
                Some(v) => node_string(v)?,
                None => String::new(),
            });
            match node_get(md, "annotations").map(|n| &n.value) {
                None | Some(Y::Null) => {}
                Some(Y::Map(a)) => {
                    // Document order: of keys that stringify alike the last one wins.
                    for (k, v) in a {
                        let key = match &k.value {
                            Y::Str(s) => s.clone(),
                            other => goyaml::json_key(other).ok()?,
                        };
                        head.annotations.insert(key, node_string(v)?);
                    }
                }
                Some(_) => return None,
            }
        }
        Some(_) => return None,
    }
    Some(head)
}

/// [`parse_head`] through the full YAML → JSON → value conversion.
fn parse_head_slow(doc: &str) -> Result<Head, String> {
    let v = crate::yaml::unmarshal(doc.as_bytes())?;
    let m = match v {
        Value::Nil => return Ok(Head::default()),
        Value::Map(m) => m,
        other => {
            return Err(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type util.SimpleHead",
                kind_word(&other)
            ));
        }
    };
    let field_err = |f: &str, v: &Value, ty: &str| {
        format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field {f} of type {ty}",
            kind_word(v)
        )
    };
    let mut head = Head::default();
    if let Some(v) = m.get("apiVersion") {
        head.api_version =
            string_of(&v).ok_or_else(|| field_err("SimpleHead.apiVersion", &v, "string"))?;
    }
    if let Some(v) = m.get("kind") {
        head.kind = string_of(&v).ok_or_else(|| field_err("SimpleHead.kind", &v, "string"))?;
    }
    match m.get("metadata") {
        None | Some(Value::Nil) => {}
        Some(Value::Map(md)) => {
            head.name = Some(match md.get("name") {
                Some(v) => string_of(&v)
                    .ok_or_else(|| field_err("SimpleHead.metadata.name", &v, "string"))?,
                None => String::new(),
            });
            match md.get("annotations") {
                None | Some(Value::Nil) => {}
                Some(Value::Map(a)) => {
                    for (k, v) in a.entries() {
                        let s = string_of(&v).ok_or_else(|| {
                            field_err("SimpleHead.metadata.annotations", &v, "string")
                        })?;
                        head.annotations.insert(k, s);
                    }
                }
                Some(v) => {
                    return Err(field_err(
                        "SimpleHead.metadata.annotations",
                        &v,
                        "map[string]string",
                    ));
                }
            }
        }
        Some(v) => {
            return Err(field_err(
                "SimpleHead.metadata",
                &v,
                "struct { Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }",
            ));
        }
    }
    Ok(head)
}

/// Manifests and hooks sorted as helm sorts them.
#[derive(Clone, Debug, Default)]
pub struct Sorted {
    /// Ordinary manifests, in install order.
    pub manifests: Vec<Manifest>,
    /// Hooks, by kind.
    pub hooks: Vec<Hook>,
    /// Documents dropped because of an unknown hook type (helm logs them).
    pub skipped_unknown_hooks: Vec<String>,
}

fn kind_rank(kind: &str) -> Option<usize> {
    INSTALL_ORDER.iter().position(|k| *k == kind)
}

/// helm's `lessByKind`.
fn less_by_kind(a: &str, b: &str) -> bool {
    match (kind_rank(a), kind_rank(b)) {
        (None, None) => a < b,
        (None, Some(_)) => false,
        (Some(_), None) => true,
        (Some(x), Some(y)) => x < y,
    }
}

fn sort_by_kind<T>(v: &mut [T], kind: impl Fn(&T) -> &str) {
    v.sort_by(|x, y| {
        let (a, b) = (kind(x), kind(y));
        if less_by_kind(a, b) {
            std::cmp::Ordering::Less
        } else if less_by_kind(b, a) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
}

/// A YAML error on a rendered file, in helm's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestError {
    /// The template file.
    pub source_path: String,
    /// `YAML parse error on <file>: <cause>`
    pub message: String,
}

/// helm's `SortManifests`: files in path order, partials and blank outputs skipped, each split
/// into documents, hooks separated, both sorted by kind (stable).
pub fn sort_manifests(files: &BTreeMap<String, String>) -> Result<Sorted, ManifestError> {
    let mut out = Sorted::default();
    for (path, content) in files {
        let base = path.rsplit('/').next().unwrap_or(path);
        if base.starts_with('_') || content.trim().is_empty() {
            continue;
        }
        for doc in split_manifests(content) {
            let head = parse_head(&doc).map_err(|e| ManifestError {
                source_path: path.clone(),
                message: format!("YAML parse error on {path}: {e}"),
            })?;
            let m = Manifest {
                source_path: path.clone(),
                content: doc,
                head,
            };
            let Some(hook_types) = m.head.annotations.get("helm.sh/hook").cloned() else {
                out.manifests.push(m);
                continue;
            };
            let mut events = Vec::new();
            let mut unknown = false;
            for t in hook_types.split(',') {
                let t = t.trim().to_lowercase();
                let e = if t == "test-success" {
                    "test".to_string()
                } else {
                    t
                };
                if !HOOK_EVENTS.contains(&e.as_str()) {
                    unknown = true;
                    break;
                }
                events.push(e);
            }
            if unknown {
                out.skipped_unknown_hooks.push(hook_types);
                continue;
            }
            let weight = m
                .head
                .annotations
                .get("helm.sh/hook-weight")
                .and_then(|w| w.parse::<i64>().ok())
                .unwrap_or(0);
            let delete_policies = m
                .head
                .annotations
                .get("helm.sh/hook-delete-policy")
                .map(|d| d.split(',').map(|p| p.trim().to_lowercase()).collect())
                .unwrap_or_default();
            out.hooks.push(Hook {
                manifest: m,
                events,
                weight,
                delete_policies,
            });
        }
    }
    sort_by_kind(&mut out.manifests, |m| &m.head.kind);
    sort_by_kind(&mut out.hooks, |h| &h.manifest.head.kind);
    Ok(out)
}

/// What `helm template` prints: CRDs (when included), manifests, then hooks.
#[derive(Clone, Debug, Default)]
pub struct StreamOptions {
    /// `--include-crds`
    pub include_crds: bool,
    /// `--skip-tests`
    pub skip_tests: bool,
    /// `--show-only` patterns (`filepath.Match` on the path after the chart name)
    pub show_only: Vec<String>,
}

/// Builds the text `helm template` prints to stdout.
///
/// # Errors
/// `could not find template X in chart` for a `--show-only` pattern that matches nothing.
pub fn template_stream(
    crds: &[(String, String)],
    sorted: &Sorted,
    opts: &StreamOptions,
) -> Result<String, String> {
    template_stream_parts(crds, &sorted.manifests, &sorted.hooks, opts)
}

/// [`template_stream`] on borrowed manifests and hooks (nothing is copied but the output).
///
/// # Errors
/// As [`template_stream`].
pub fn template_stream_parts(
    crds: &[(String, String)],
    manifests_in: &[Manifest],
    hooks: &[Hook],
    opts: &StreamOptions,
) -> Result<String, String> {
    fn doc(b: &mut String, source: &str, content: &str) {
        b.push_str("---\n# Source: ");
        b.push_str(source);
        b.push('\n');
        b.push_str(content);
        b.push('\n');
    }
    let cap = manifests_in
        .iter()
        .chain(hooks.iter().map(|h| &h.manifest))
        .map(|m| m.source_path.len() + m.content.len() + 16)
        .sum::<usize>();
    let mut b = String::with_capacity(cap);
    if opts.include_crds {
        for (name, data) in crds {
            doc(&mut b, name, data);
        }
    }
    for m in manifests_in {
        doc(&mut b, &m.source_path, &m.content);
    }
    let end = b.trim_end().len();
    let mut manifests = if b.len() == b.trim_start().len() {
        b.truncate(end);
        b.push('\n');
        b
    } else {
        let mut t = String::with_capacity(cap);
        t.push_str(b.trim());
        t.push('\n');
        t
    };
    for h in hooks {
        if opts.skip_tests && h.is_test() {
            continue;
        }
        doc(&mut manifests, &h.manifest.source_path, &h.manifest.content);
    }
    if opts.show_only.is_empty() {
        return Ok(manifests);
    }
    let docs = split_manifests(&manifests);
    let mut out = String::new();
    for f in &opts.show_only {
        let mut missing = true;
        for doc in &docs {
            let Some(name) = source_rest(doc) else {
                continue;
            };
            if crate::glob::path_match(f, name).unwrap_or(false) {
                out.push_str(&format!("---\n{doc}\n"));
                missing = false;
            }
        }
        if missing {
            return Err(format!("could not find template {f} in chart"));
        }
    }
    Ok(out)
}

/// `# Source: [^/]+/(.+)`: the first match in the document; the capture runs to end of line.
fn source_rest(doc: &str) -> Option<&str> {
    let mut search = 0;
    while let Some(i) = doc[search..].find("# Source: ") {
        let start = search + i + "# Source: ".len();
        let line_end = doc[start..]
            .find('\n')
            .map(|e| start + e)
            .unwrap_or(doc.len());
        let line = &doc[start..line_end];
        if let Some(slash) = line.find('/')
            && slash > 0
            && slash + 1 < line.len()
        {
            return Some(&line[slash + 1..]);
        }
        search = start;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_like_helm() {
        assert_eq!(split_manifests("a: 1\n---\nb: 2\n"), ["a: 1", "b: 2"]);
        assert_eq!(
            split_manifests("---\na: 1\n---   \n\n---\nb: 2"),
            ["a: 1", "---\nb: 2"]
        );
        assert_eq!(
            split_manifests("---\na: 1\n---   \n\nb: 2"),
            ["a: 1", "b: 2"]
        );
        // a `---` right after a separator's eaten newline stays in the next document
        assert_eq!(split_manifests("a\n---\n---\nb"), ["a", "---\nb"]);
        assert_eq!(split_manifests("a\n---b"), ["a", "b"]);
        assert_eq!(
            split_manifests("a: '---'\nb: x---y"),
            ["a: '---'\nb: x---y"]
        );
        assert_eq!(split_manifests("  \n"), Vec::<String>::new());
    }

    #[test]
    fn kind_order() {
        let mut kinds = vec!["Zeta", "Deployment", "", "Service", "Alpha", "Namespace"];
        sort_by_kind(&mut kinds, |k| k);
        assert_eq!(
            kinds,
            ["Namespace", "Service", "Deployment", "", "Alpha", "Zeta"]
        );
    }

    #[test]
    fn show_only_source() {
        assert_eq!(
            source_rest("# Source: c/templates/a.yaml\nx: 1"),
            Some("templates/a.yaml")
        );
    }
}
