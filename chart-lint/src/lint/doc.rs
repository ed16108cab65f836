//! Rendered documents as the rules see them: parsed JSON plus a way back to the template line.
//!
//! A finding on a rendered resource points at a JSON pointer. [`Document::locate`] turns it into
//! a line of the *template source*: the rendered output of each template is aligned with the
//! template text line by line (a longest common subsequence over the lines' YAML keys, with
//! template actions removed), so `image: nginx:latest` in the output maps back to the
//! `image: {{ .Values.image.repository }}:{{ .Values.image.tag }}` line that wrote it. Lines
//! written by an `include` map to the line of the `include`.

use serde_json::Value as Json;

/// `Kind/namespace/name` identity of a resource.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Resource {
    /// `apiVersion`
    pub api_version: String,
    /// `kind`
    pub kind: String,
    /// `metadata.namespace` (empty when unset)
    pub namespace: String,
    /// `metadata.name` (or `generateName` followed by `*`)
    pub name: String,
}

impl Resource {
    /// `Kind/namespace/name` or `Kind/name`.
    pub fn display(&self) -> String {
        if self.namespace.is_empty() {
            format!("{}/{}", self.kind, self.name)
        } else {
            format!("{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// One rendered document.
#[derive(Debug)]
pub struct Document {
    /// Template path as helm prints it in `# Source:` (`mychart/templates/x.yaml`).
    pub file: String,
    /// Index of the document in the release (manifests, then hooks).
    pub index: usize,
    /// The parsed document (JSON view, as the API server sees it).
    pub json: Json,
    /// The parsed tree with positions (lines relative to the document text).
    pub node: goyaml::Node,
    /// 0-based line of the document's first line in its template's rendered output.
    pub output_line: usize,
    /// For each line of the template's rendered output: the template source line (1-based)
    /// that produced it, if known.
    pub line_map: std::rc::Rc<Vec<Option<usize>>>,
    /// The template's source lines (for snippets).
    pub source_lines: std::rc::Rc<Vec<String>>,
    /// Whether this is a hook (`helm.sh/hook`).
    pub is_hook: bool,
}

impl Document {
    /// Parses a rendered document. `template_source` and `template_output` are the whole
    /// template text and its whole rendered output (to map lines back); `content` is this
    /// document's text inside the output.
    pub fn parse(
        file: &str,
        index: usize,
        content: &str,
        output_line: usize,
        line_map: std::rc::Rc<Vec<Option<usize>>>,
        source_lines: std::rc::Rc<Vec<String>>,
        is_hook: bool,
    ) -> Result<Document, goyaml::Error> {
        let node = goyaml::parse(content)?;
        let json = goyaml::to_json(&node)?;
        Ok(Document {
            file: file.to_string(),
            index,
            json,
            node,
            output_line,
            line_map,
            source_lines,
            is_hook,
        })
    }

    /// The resource identity (`None` for documents without a kind, e.g. comments).
    pub fn resource(&self) -> Option<Resource> {
        let kind = self.json.get("kind")?.as_str()?.to_string();
        let meta = self.json.get("metadata");
        let s = |k: &str| {
            meta.and_then(|m| m.get(k))
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let mut name = s("name");
        if name.is_empty() {
            let g = s("generateName");
            if !g.is_empty() {
                name = format!("{g}*");
            }
        }
        Some(Resource {
            api_version: self
                .json
                .get("apiVersion")
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string(),
            kind,
            namespace: s("namespace"),
            name,
        })
    }

    /// `metadata.annotations[key]`.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.json
            .pointer("/metadata/annotations")?
            .get(key)?
            .as_str()
    }

    /// Template source line and column of the value at `pointer` (falls back to the nearest
    /// enclosing node that exists).
    pub fn locate(&self, pointer: &str) -> (Option<usize>, Option<usize>) {
        let n = self.node.pointer_nearest(pointer);
        let out_line = self.output_line + n.span.line.saturating_sub(1);
        match self.line_map.get(out_line).copied().flatten() {
            Some(l) => {
                // Column: where the key or value starts in the source line, if it is there.
                let col = self
                    .source_lines
                    .get(l - 1)
                    .map(|s| s.len() - s.trim_start().len() + 1);
                (Some(l), col)
            }
            None => (None, None),
        }
    }

    /// The template source line `line` (1-based).
    pub fn source_line(&self, line: usize) -> Option<&str> {
        self.source_lines
            .get(line.checked_sub(1)?)
            .map(String::as_str)
    }
}

/// The alignment key of a line: YAML key (with a leading `- `) or the whole text, with template
/// actions removed and whitespace trimmed.
fn line_key(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        match rest[i..].find("}}") {
            Some(j) => rest = &rest[i + j + 2..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    let t = out.trim();
    match t.find(':') {
        Some(i) if !t[..i].contains(' ') || t.starts_with("- ") => t[..=i].to_string(),
        _ => t.to_string(),
    }
}

/// Maps each line of `output` (a template's rendered text) to the template source line that
/// most plausibly wrote it (LCS over line keys; unmatched lines take the previous match).
pub fn map_lines(source: &str, output: &str) -> Vec<Option<usize>> {
    let src: Vec<String> = source.lines().map(line_key).collect();
    let out: Vec<String> = output.lines().map(line_key).collect();
    let (n, m) = (out.len(), src.len());
    if n == 0 {
        return Vec::new();
    }
    // Bound the work on huge templates: fall back to "no mapping".
    if n.saturating_mul(m) > 4_000_000 {
        return vec![None; n];
    }
    let mut dp = vec![0u32; (n + 1) * (m + 1)];
    let idx = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            dp[idx(i, j)] = if !out[i].is_empty() && out[i] == src[j] {
                dp[idx(i + 1, j + 1)] + 1
            } else {
                dp[idx(i + 1, j)].max(dp[idx(i, j + 1)])
            };
        }
    }
    let mut map = vec![None; n];
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if !out[i].is_empty() && out[i] == src[j] {
            map[i] = Some(j + 1);
            i += 1;
            j += 1;
        } else if dp[idx(i + 1, j)] >= dp[idx(i, j + 1)] {
            i += 1;
        } else {
            j += 1;
        }
    }
    let mut last = None;
    for slot in map.iter_mut() {
        match slot {
            Some(_) => last = *slot,
            None => *slot = last,
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_lines_map_back_to_template_lines() {
        let src = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n    {{- include \"l\" . | nindent 4 }}\nspec:\n  containers:\n  - name: app\n    image: {{ .Values.image }}\n";
        let out = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: rel\n  labels:\n    a: b\n    c: d\nspec:\n  containers:\n  - name: app\n    image: nginx:latest\n";
        let map = map_lines(src, out);
        assert_eq!(map[3], Some(4)); // name:
        assert_eq!(map[5], Some(5)); // a: b comes from the include on the labels: line's next
        assert_eq!(map[10], Some(10)); // image:
    }
}
