//! Rules on the chart itself, before and without rendering.

use std::collections::{BTreeMap, BTreeSet};

use gotemplate::ast::{ArgKind, Command, ListNode, Node, Pipe};
use gotemplate::{Map, Value};

use super::{
    CHART_API_VERSION, CHART_METADATA, DEPENDENCY_MISSING, DEPENDENCY_VERSION, Finding,
    TEMPLATE_PARSE, UNDEFINED_TEMPLATE, UNDEFINED_VALUE, VALUES_SCHEMA, VALUES_YAML11,
};
use crate::chart::Chart;

/// Text of a chart file read from disk next to the loaded chart (for line numbers in
/// `Chart.yaml` and `values.yaml`, which the loader keeps only in parsed form).
fn chart_file_text(chart: &Chart, name: &str) -> Option<String> {
    let p = std::path::Path::new(&chart.source).join(name);
    std::fs::read_to_string(p).ok()
}

/// 1-based line of the first line of `text` for which `pred` holds.
fn find_line(text: &str, pred: impl Fn(&str) -> bool) -> Option<usize> {
    text.lines().position(pred).map(|i| i + 1)
}

/// Runs the chart rules on `chart` (whose display path is `path`, e.g. `mychart`) and its
/// subcharts.
pub fn check(chart: &Chart, path: &str, out: &mut Vec<Finding>) {
    let name = chart.name().to_string();
    let chart_yaml = chart_file_text(chart, "Chart.yaml").unwrap_or_default();
    let cy = format!("{path}/Chart.yaml");
    let md = &chart.metadata;

    // Metadata.
    if md.name.is_empty() {
        out.push(
            Finding::new(CHART_METADATA, &name, &cy, "Chart.yaml has no `name`")
                .at(Some(1), Some(1)),
        );
    } else if !md
        .name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        let line = find_line(&chart_yaml, |l| l.starts_with("name:"));
        out.push(
            Finding::new(
                CHART_METADATA,
                &name,
                &cy,
                format!(
                    "chart name `{}` has characters helm does not allow",
                    md.name
                ),
            )
            .at(line, Some(1)),
        );
    }
    let vline = find_line(&chart_yaml, |l| l.starts_with("version:"));
    if md.version.is_empty() {
        out.push(
            Finding::new(CHART_METADATA, &name, &cy, "Chart.yaml has no `version`")
                .at(Some(1), Some(1)),
        );
    } else if !crate::semver::is_valid_version(&md.version) {
        out.push(
            Finding::new(
                CHART_METADATA,
                &name,
                &cy,
                format!("version `{}` is not SemVer 2", md.version),
            )
            .at(vline, Some(10))
            .help("use MAJOR.MINOR.PATCH, e.g. `1.0.0`"),
        );
    }
    if md.api_version != "v2" {
        let line = find_line(&chart_yaml, |l| l.starts_with("apiVersion:"));
        out.push(
            Finding::new(
                CHART_API_VERSION,
                &name,
                &cy,
                format!(
                    "Chart.yaml apiVersion is `{}`; Helm 3+ charts use `v2`",
                    md.api_version
                ),
            )
            .at(line.or(Some(1)), Some(1))
            .help("set `apiVersion: v2` and move requirements.yaml into `dependencies:`"),
        );
    }

    // Dependencies.
    for dep in &md.dependencies {
        let line = find_line(&chart_yaml, |l| {
            let t = l.trim_start().trim_start_matches("- ");
            t.starts_with("name:")
                && t["name:".len()..].trim().trim_matches(['"', '\'']) == dep.name
        });
        match chart
            .dependencies
            .iter()
            .find(|d| d.metadata.name == dep.name)
        {
            None => out.push(
                Finding::new(
                    DEPENDENCY_MISSING,
                    &name,
                    &cy,
                    format!("dependency `{}` is not in {path}/charts/", dep.name),
                )
                .at(line, Some(1))
                .help("run `helm dependency build` or vendor the subchart"),
            ),
            Some(sub) => {
                if !dep.version.is_empty()
                    && !crate::semver::is_compatible_range(&dep.version, &sub.metadata.version)
                {
                    out.push(
                        Finding::new(
                            DEPENDENCY_VERSION,
                            &name,
                            &cy,
                            format!(
                                "dependency `{}` requires version `{}` but charts/ holds {}; helm ignores the entry (alias, condition, tags, import-values) and renders the vendored chart as is",
                                dep.name, dep.version, sub.metadata.version
                            ),
                        )
                        .at(line, Some(1))
                        .help("update the constraint or re-vendor with `helm dependency update`"),
                    );
                }
            }
        }
    }

    // values.schema.json must be JSON and a schema.
    if let Some(schema) = &chart.schema {
        let sp = format!("{path}/values.schema.json");
        match serde_json::from_slice::<serde_json::Value>(schema) {
            Err(e) => out.push(
                Finding::new(
                    VALUES_SCHEMA,
                    &name,
                    &sp,
                    format!("values.schema.json is not JSON: {e}"),
                )
                .at(Some(e.line()), Some(e.column())),
            ),
            Ok(v) => {
                if let Err(e) = jsonschema::meta::validate(&v) {
                    out.push(Finding::new(
                        VALUES_SCHEMA,
                        &name,
                        &sp,
                        format!("values.schema.json is not a valid JSON schema: {e}"),
                    ));
                }
            }
        }
    }

    // values.yaml YAML 1.1 surprises.
    if let Some(text) = chart_file_text(chart, "values.yaml") {
        yaml11(&name, &format!("{path}/values.yaml"), &text, out);
    }

    // Templates: parse each file alone (all parse errors, not just the first), then look at
    // include/template names and .Values paths.
    let funcs = crate::helmfuncs::funcs(&crate::helmfuncs::IncludeState::default());
    let mut defined: BTreeSet<String> = BTreeSet::new();
    let mut trees = Vec::new();
    collect_trees(chart, path, &funcs, &mut defined, &mut trees, out);
    // A missing dependency may define the names that look undefined.
    let missing_dependency = out.iter().any(|f| f.code == DEPENDENCY_MISSING.code);
    // Optional keys documented as comments in each chart's values.yaml.
    let mut documented: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    collect_documented(chart, &mut documented);
    for (file, tree_list, tchart) in &trees {
        let chart_name = &tchart.name().to_string();
        for tree in tree_list {
            let mut w = Walk::default();
            w.list(&tree.root);
            for (pos, target) in w.refs {
                if !defined.contains(&target) && !missing_dependency {
                    let (line, col) = tree.line_col(pos);
                    let near = defined
                        .iter()
                        .min_by_key(|d| super::strsim_distance(d, &target));
                    let mut f = Finding::new(
                        UNDEFINED_TEMPLATE,
                        chart_name,
                        file,
                        format!("no template named \"{target}\" is defined in the chart or its subcharts"),
                    )
                    .at(Some(line), Some(col + 1));
                    f.snippet = tree.text.lines().nth(line - 1).map(str::to_string);
                    if let Some(n) = near.filter(|n| super::strsim_distance(n, &target) <= 3) {
                        f = f.help(format!("did you mean \"{n}\"?"));
                    }
                    out.push(f);
                }
            }
            let mut reported = BTreeSet::new();
            for ValueUse { pos, segs, guarded } in w.vals {
                // `.Values.global.*` is shared with parents; `.Values.Values.*` reads a dict
                // passed to a named template, not the chart's values.
                if guarded || matches!(segs.first().map(|s| s.as_ref()), Some("global" | "Values"))
                {
                    continue;
                }
                if let Some(missing) = undefined_in_chart(tchart, &segs) {
                    let first_missing = missing.rsplit('.').next().unwrap_or(&missing);
                    if documented
                        .get(chart_name)
                        .is_some_and(|d| d.contains(first_missing))
                    {
                        continue;
                    }
                    if !reported.insert(missing.clone()) {
                        continue;
                    }
                    let (line, col) = tree.line_col(pos);
                    let mut f = Finding::new(
                        UNDEFINED_VALUE,
                        chart_name,
                        file,
                        format!(".Values.{missing} is not defined in values.yaml"),
                    )
                    .at(Some(line), Some(col + 1))
                    .help("fix the path, or add the key with a comment to values.yaml");
                    f.snippet = tree.text.lines().nth(line - 1).map(str::to_string);
                    out.push(f);
                }
            }
        }
    }
}

type FileTrees<'a> = (String, Vec<gotemplate::parse::Tree>, &'a Chart);

fn collect_documented(chart: &Chart, out: &mut BTreeMap<String, BTreeSet<String>>) {
    if let Some(text) = chart_file_text(chart, "values.yaml") {
        out.entry(chart.name().to_string())
            .or_default()
            .extend(commented_keys(&text));
    }
    for d in &chart.dependencies {
        collect_documented(d, out);
    }
}

fn collect_trees<'a>(
    chart: &'a Chart,
    path: &str,
    funcs: &gotemplate::FuncMap,
    defined: &mut BTreeSet<String>,
    trees: &mut Vec<FileTrees<'a>>,
    out: &mut Vec<Finding>,
) {
    for t in &chart.templates {
        let file = format!("{path}/{}", t.name);
        let Ok(text) = std::str::from_utf8(&t.data) else {
            out.push(Finding::new(
                TEMPLATE_PARSE,
                chart.name(),
                &file,
                "template is not UTF-8 text",
            ));
            continue;
        };
        match gotemplate::parse::parse(&file, text, funcs) {
            Ok(ts) => {
                for tr in &ts {
                    if tr.name.as_ref() != file {
                        defined.insert(tr.name.to_string());
                    }
                }
                trees.push((file, ts, chart));
            }
            Err(e) => {
                let (line, col) = gotemplate::parse::line_col(text, e.span.start as usize);
                let mut f = Finding::new(TEMPLATE_PARSE, chart.name(), &file, e.message.clone())
                    .at(Some(line), Some(col + 1));
                f.snippet = text.lines().nth(line.saturating_sub(1)).map(str::to_string);
                out.push(f);
            }
        }
    }
    for d in &chart.dependencies {
        collect_trees(
            d,
            &format!("{path}/charts/{}", d.name()),
            funcs,
            defined,
            trees,
            out,
        );
    }
}

/// [`undefined_path`] in a chart's values, where `.Values.<subchart>.*` (or its alias) also
/// sees the subchart's own values.yaml: helm coalesces subchart defaults into the parent's
/// values under that key.
fn undefined_in_chart(chart: &Chart, segs: &[std::rc::Rc<str>]) -> Option<String> {
    let missing = undefined_path(&chart.values, segs)?;
    let first = segs.first()?;
    let dep_name = chart
        .metadata
        .dependencies
        .iter()
        .find(|d| d.alias == first.as_ref())
        .map_or(first.as_ref(), |d| d.name.as_str());
    match chart.dependencies.iter().find(|d| d.name() == dep_name) {
        Some(_) if segs.len() == 1 => None,
        Some(d) => undefined_in_chart(d, &segs[1..]).map(|m| format!("{first}.{m}")),
        None => Some(missing),
    }
}

/// `None` when `segs` exists in `values` (or runs into a non-map, null or empty map that a
/// user is expected to fill); otherwise the dotted prefix that is missing.
fn undefined_path(values: &Map, segs: &[std::rc::Rc<str>]) -> Option<String> {
    let mut cur = Value::Map(values.clone());
    for (i, s) in segs.iter().enumerate() {
        match &cur {
            Value::Map(m) => {
                if m.is_empty() && i > 0 {
                    return None;
                }
                match m.get(s) {
                    Some(v) => cur = v,
                    None => {
                        return Some(
                            segs[..=i]
                                .iter()
                                .map(|s| s.as_ref())
                                .collect::<Vec<_>>()
                                .join("."),
                        );
                    }
                }
            }
            _ => return None,
        }
    }
    None
}

/// A `.Values` path read by a template, and whether the template guards the read (so a
/// missing key is expected and handled: `if`/`with`/`range` conditions, `default`, `hasKey`,
/// `dig`, `required`, `empty`, `coalesce`, … or inside the body of a condition on the path
/// itself or on one of its parents).
struct ValueUse {
    pos: u32,
    segs: Vec<std::rc::Rc<str>>,
    guarded: bool,
}

/// Functions whose arguments may be missing values on purpose.
const GUARD_FUNCS: &[&str] = &[
    "default",
    "required",
    "hasKey",
    "dig",
    "empty",
    "coalesce",
    "ternary",
    "kindIs",
    "kindOf",
    "typeIs",
    "typeOf",
    "typeIsLike",
];

#[derive(Default)]
struct Walk {
    refs: Vec<(u32, String)>,
    vals: Vec<ValueUse>,
    /// Paths tested by the enclosing `if`/`with`/`range` conditions.
    scope: Vec<Vec<std::rc::Rc<str>>>,
}

impl Walk {
    fn list(&mut self, l: &ListNode) {
        for n in &l.nodes {
            match n {
                Node::Action(p) => self.pipe(p, false),
                Node::If(b) | Node::Range(b) | Node::With(b) => {
                    let before = self.vals.len();
                    self.pipe(&b.pipe, true);
                    let tested: Vec<_> =
                        self.vals[before..].iter().map(|v| v.segs.clone()).collect();
                    let depth = self.scope.len();
                    self.scope.extend(tested);
                    self.list(&b.list);
                    if let Some(e) = &b.else_list {
                        self.list(e);
                    }
                    self.scope.truncate(depth);
                }
                Node::Template(t) => {
                    self.refs.push((t.pos, t.name.to_string()));
                    if let Some(p) = &t.pipe {
                        self.pipe(p, false);
                    }
                }
                _ => {}
            }
        }
    }

    fn pipe(&mut self, p: &Pipe, guarded: bool) {
        // `x | default y`: the whole pipeline tolerates a missing x.
        let guarded = guarded || p.cmds.iter().any(is_guard_cmd);
        for c in &p.cmds {
            self.cmd(c, guarded);
        }
    }

    fn cmd(&mut self, c: &Command, guarded: bool) {
        if let (Some(first), Some(second)) = (c.args.first(), c.args.get(1))
            && let ArgKind::Identifier(name, _) = &first.kind
            && matches!(name.as_ref(), "include" | "template")
            && let ArgKind::String(_, v) = &second.kind
        {
            self.refs.push((second.pos, v.to_string()));
        }
        let guarded = guarded || is_guard_cmd(c);
        for a in &c.args {
            match &a.kind {
                ArgKind::Field(segs) if segs.len() >= 2 && segs[0].as_ref() == "Values" => {
                    self.value(a.pos, segs[1..].to_vec(), guarded);
                }
                ArgKind::Variable(segs)
                    if segs.len() >= 3
                        && segs[0].as_ref() == "$"
                        && segs[1].as_ref() == "Values" =>
                {
                    self.value(a.pos, segs[2..].to_vec(), guarded);
                }
                ArgKind::Pipe(p) => self.pipe(p, guarded),
                ArgKind::Chain(inner, _) => {
                    if let ArgKind::Pipe(p) = &inner.kind {
                        self.pipe(p, guarded);
                    }
                }
                _ => {}
            }
        }
    }

    fn value(&mut self, pos: u32, segs: Vec<std::rc::Rc<str>>, guarded: bool) {
        let in_scope = self
            .scope
            .iter()
            .any(|g| g.len() <= segs.len() && g[..] == segs[..g.len()]);
        self.vals.push(ValueUse {
            pos,
            segs,
            guarded: guarded || in_scope,
        });
    }
}

fn is_guard_cmd(c: &Command) -> bool {
    matches!(c.args.first().map(|a| &a.kind), Some(ArgKind::Identifier(n, _)) if GUARD_FUNCS.contains(&n.as_ref()))
}

/// Keys that values.yaml mentions only in comments (`# key:`), i.e. documented optional keys.
fn commented_keys(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let Some(rest) = line.trim_start().strip_prefix('#') else {
            continue;
        };
        let rest = rest.trim_start_matches(['#', ' ', '\t']);
        let rest = rest.strip_prefix("- ").unwrap_or(rest);
        if let Some((k, _)) = rest.split_once(':') {
            let k = k.trim().trim_matches(['"', '\'']);
            if !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
            {
                out.insert(k.to_string());
            }
        }
    }
    out
}

/// Scans values.yaml text for plain scalars that YAML 1.1 reads differently than people
/// expect.
fn yaml11(chart: &str, file: &str, text: &str, out: &mut Vec<Finding>) {
    let mut block_indent: Option<usize> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let indent = raw.len() - raw.trim_start().len();
        if let Some(bi) = block_indent {
            if raw.trim().is_empty() || indent > bi {
                continue; // inside a block scalar
            }
            block_indent = None;
        }
        let line = strip_comment(raw);
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || t == "---" {
            continue;
        }
        let t = t.strip_prefix("- ").unwrap_or(t);
        let (key, value) = match split_key(t) {
            Some((k, v)) => (Some(k), v),
            None => (None, t),
        };
        if value.starts_with('|') || value.starts_with('>') {
            block_indent = Some(indent);
        }
        let mut check = |tok: &str, is_key: bool, col: usize| {
            if tok.is_empty() || tok.starts_with(['"', '\'', '[', '{', '&', '*', '!', '|', '>']) {
                return;
            }
            let resolved = goyaml::resolve_plain(tok);
            let what = match resolved {
                goyaml::Resolved::Bool(b)
                    if !matches!(tok, "true" | "false" | "True" | "False" | "TRUE" | "FALSE") =>
                {
                    Some(format!(
                        "unquoted `{tok}` is the boolean {b} in YAML 1.1; quote it (\"{tok}\") if you mean the string"
                    ))
                }
                goyaml::Resolved::Int(n) if is_legacy_octal(tok) => Some(format!(
                    "`{tok}` is the octal number {n} in YAML 1.1; quote it or write {n}"
                )),
                goyaml::Resolved::Int(n) if n.unsigned_abs() > (1u64 << 53) => Some(format!(
                    "`{tok}` is above 2^53; Helm reads numbers as float64 and prints {}",
                    gotemplate::value::format_float_v(n as f64)
                )),
                goyaml::Resolved::Uint(_) => Some(format!(
                    "`{tok}` is above 2^53; Helm reads numbers as float64 and loses digits"
                )),
                _ => None,
            };
            if let Some(msg) = what {
                let msg = if is_key { format!("key {msg}") } else { msg };
                out.push(
                    Finding::new(VALUES_YAML11, chart, file, msg)
                        .at(Some(line_no), Some(col + 1))
                        .help("quote the scalar"),
                );
            }
        };
        let key_col = raw.find(key.unwrap_or(t)).unwrap_or(indent);
        if let Some(k) = key {
            check(k, true, key_col);
        }
        let vcol = raw.find(value).unwrap_or(indent);
        check(value, false, vcol);
    }
}

fn is_legacy_octal(tok: &str) -> bool {
    let t = tok.trim_start_matches(['+', '-']);
    t.len() > 1 && t.starts_with('0') && t.bytes().all(|b| b.is_ascii_digit() || b == b'_')
}

fn strip_comment(line: &str) -> &str {
    let mut in_s = false;
    let mut in_d = false;
    let b = line.as_bytes();
    for i in 0..b.len() {
        match b[i] {
            b'\'' if !in_d => in_s = !in_s,
            b'"' if !in_s => in_d = !in_d,
            b'#' if !in_s && !in_d && (i == 0 || b[i - 1] == b' ' || b[i - 1] == b'\t') => {
                return &line[..i];
            }
            _ => {}
        }
    }
    line
}

/// Splits `key: value` at the first `: ` (or a trailing `:`) outside quotes.
fn split_key(t: &str) -> Option<(&str, &str)> {
    if t.starts_with(['"', '\'']) {
        let q = &t[..1];
        let end = t[1..].find(q)? + 1;
        let rest = t[end + 1..].trim_start();
        return rest.strip_prefix(':').map(|v| (&t[..=end], v.trim()));
    }
    if let Some(i) = t.find(": ") {
        return Some((&t[..i], t[i + 2..].trim()));
    }
    t.strip_suffix(':').map(|k| (k, ""))
}

/// `.Values` paths that templates read without a guard (the ones `undefined-value` checks),
/// with their line: exposed for tests.
pub fn values_paths(text: &str) -> BTreeMap<String, usize> {
    let funcs = crate::helmfuncs::funcs(&crate::helmfuncs::IncludeState::default());
    let mut out = BTreeMap::new();
    if let Ok(trees) = gotemplate::parse::parse("t", text, &funcs) {
        for t in &trees {
            let mut w = Walk::default();
            w.list(&t.root);
            for ValueUse { pos, segs, .. } in w.vals.into_iter().filter(|v| !v.guarded) {
                out.insert(
                    segs.iter()
                        .map(|s| s.as_ref())
                        .collect::<Vec<_>>()
                        .join("."),
                    t.line_col(pos).0,
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml11_surprises_are_found() {
        let mut out = Vec::new();
        yaml11(
            "c",
            "c/values.yaml",
            "enabled: yes\non: 1\nmode: 0644\nport: 80\nname: \"yes\"\nbig: 12345678901234567890\ntext: |\n  on: off\nok: true # on\n",
            &mut out,
        );
        let lines: Vec<_> = out
            .iter()
            .map(|f| (f.line.unwrap(), f.message.clone()))
            .collect();
        assert_eq!(out.len(), 4, "{lines:?}");
        assert_eq!(lines[0].0, 1);
        assert!(lines[1].1.starts_with("key unquoted `on`"), "{lines:?}");
        assert!(lines[2].1.contains("octal number 420"), "{lines:?}");
        assert_eq!(lines[3].0, 6);
    }

    #[test]
    fn values_paths_are_collected() {
        let p = values_paths(
            "{{ .Values.a.b }}{{ $.Values.c }}{{ include \"x\" (dict \"v\" .Values.d) }}",
        );
        assert!(
            p.contains_key("a.b") && p.contains_key("c") && p.contains_key("d"),
            "{p:?}"
        );
    }

    #[test]
    fn guarded_values_paths_are_not_checked() {
        let p = values_paths(concat!(
            "{{ with .Values.w }}{{ .x }}{{ end }}",
            "{{ if .Values.i.j }}{{ .Values.i.j.k }}{{ .Values.i.other }}{{ end }}",
            "{{ .Values.d | default 1 }}{{ default 2 .Values.e }}",
            "{{ if hasKey .Values \"h\" }}{{ end }}{{ dig \"a\" \"b\" 1 .Values.g }}",
            "{{ required \"r\" .Values.r }}{{ range .Values.ra }}{{ end }}",
            "{{ if and .Values.a1 (not .Values.a2) }}{{ end }}",
            "{{ toYaml .Values.plain }}{{ include \"x\" (dict \"v\" (.Values.q | default dict)) }}",
        ));
        let keys: Vec<&str> = p.keys().map(String::as_str).collect();
        assert_eq!(keys, ["i.other", "plain"]);
    }

    #[test]
    fn commented_keys_count_as_documented() {
        let k =
            commented_keys("a: 1\n# statsd:\n#   address: x\n## - name: y\n# just prose, here\n");
        assert!(
            k.contains("statsd") && k.contains("address") && k.contains("name"),
            "{k:?}"
        );
        assert!(!k.contains("just prose, here"), "{k:?}");
    }
}
