//! Render errors: helm's exact message (for comparison with `helm template`) and a
//! rustc-style report (file, line, column, the source line with a caret, the include chain).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::rc::Rc;

use gotemplate::{Error as TplError, ExecError, ExecErrorKind, ParseError};

use crate::output::ManifestError;

/// What failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenderErrorKind {
    /// A template did not parse.
    Parse,
    /// A template failed while executing (including `required`/`fail`).
    Exec,
    /// A rendered document is not valid YAML.
    Manifest,
    /// Anything else (dependencies, values, schema, kubeVersion, chart type).
    Other,
}

/// A render error.
#[derive(Clone, Debug)]
pub struct RenderError {
    /// What failed.
    pub kind: RenderErrorKind,
    /// The template file at fault (full path, `chart/templates/x.yaml`), when known.
    pub file: Option<String>,
    /// The engine's structured error, for template errors.
    pub template_error: Option<TplError>,
    helm: String,
    sources: Rc<BTreeMap<String, Rc<str>>>,
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.helm)
    }
}

impl std::error::Error for RenderError {}

impl RenderError {
    /// A non-template error with helm's message.
    pub fn other(msg: impl Into<String>) -> RenderError {
        RenderError {
            kind: RenderErrorKind::Other,
            file: None,
            template_error: None,
            helm: msg.into(),
            sources: Rc::default(),
        }
    }

    pub(crate) fn parse(
        file: &str,
        e: ParseError,
        sources: Rc<BTreeMap<String, Rc<str>>>,
    ) -> RenderError {
        RenderError {
            kind: RenderErrorKind::Parse,
            file: Some(file.to_string()),
            helm: helm_parse_message(file, &e.to_string()),
            template_error: Some(TplError::Parse(e)),
            sources,
        }
    }

    pub(crate) fn exec(
        file: &str,
        e: ExecError,
        sources: Rc<BTreeMap<String, Rc<str>>>,
    ) -> RenderError {
        RenderError {
            kind: RenderErrorKind::Exec,
            file: Some(file.to_string()),
            helm: helm_exec_message(file, &e),
            template_error: Some(TplError::Exec(e)),
            sources,
        }
    }

    pub(crate) fn manifest(e: ManifestError, files: &BTreeMap<String, String>) -> RenderError {
        let sources = files
            .iter()
            .map(|(k, v)| (k.clone(), Rc::from(v.as_str())))
            .collect();
        RenderError {
            kind: RenderErrorKind::Manifest,
            file: Some(e.source_path),
            template_error: None,
            helm: e.message,
            sources: Rc::new(sources),
        }
    }

    /// The text helm prints after `Error: ` (without helm's `Use --debug flag…` footer).
    pub fn helm_message(&self) -> &str {
        &self.helm
    }

    /// Whether helm adds `\n\nUse --debug flag to render out invalid YAML` (it does once a
    /// release object exists: for template, YAML and kubeVersion errors).
    pub fn helm_adds_debug_hint(&self) -> bool {
        !matches!(self.kind, RenderErrorKind::Other)
            || self.helm.starts_with("chart requires kubeVersion")
    }

    /// A rustc-style report: the innermost location with its source line and a caret, then the
    /// include chain.
    pub fn report(&self) -> String {
        let mut out = String::new();
        match &self.template_error {
            Some(TplError::Parse(p)) => {
                let _ = writeln!(out, "error: {}", p.message);
                let span = Some((p.span.start as usize, p.span.end as usize));
                self.snippet(&mut out, &p.name, p.line, None, span);
            }
            Some(TplError::Exec(e)) => {
                let mut levels: Vec<&ExecError> = vec![e];
                for c in e.chain() {
                    if let TplError::Exec(x) = c {
                        levels.push(x);
                    }
                }
                let inner = levels.last().copied().unwrap_or(e);
                let msg = match &inner.kind {
                    ExecErrorKind::Abort { detail, .. } => detail.clone(),
                    ExecErrorKind::Call { func, detail } => {
                        format!("error calling {func}: {detail}")
                    }
                    _ => inner.message.clone(),
                };
                let _ = writeln!(out, "error: {msg}");
                // A parse error inside `tpl` is the innermost cause.
                if let Some(TplError::Parse(p)) = e.innermost() {
                    let _ = writeln!(out, "  = cause: {p}");
                }
                match &inner.location {
                    Some(l) => self.snippet(
                        &mut out,
                        &l.parse_name,
                        l.line,
                        Some(l.col),
                        Some((l.span.start as usize, l.span.end as usize)),
                    ),
                    None => {
                        let _ = writeln!(out, "  --> {}", self.file.as_deref().unwrap_or("?"));
                    }
                }
                if inner.template
                    != inner
                        .location
                        .as_ref()
                        .map(|l| l.parse_name.clone())
                        .unwrap_or_default()
                {
                    let _ = writeln!(out, "  = note: in template {:?}", inner.template);
                }
                for l in levels.iter().rev().skip(1) {
                    if let Some(loc) = &l.location {
                        let _ = writeln!(
                            out,
                            "  = note: called from {}:{}:{} (`{}`) in template {:?}",
                            loc.parse_name,
                            loc.line,
                            loc.col + 1,
                            loc.node,
                            l.template
                        );
                    }
                }
            }
            None => {
                let _ = writeln!(out, "error: {}", self.helm);
                if let Some(f) = &self.file {
                    let _ = writeln!(out, "  --> {f}");
                }
            }
        }
        out
    }

    fn snippet(
        &self,
        out: &mut String,
        file: &str,
        line: usize,
        col: Option<usize>,
        span: Option<(usize, usize)>,
    ) {
        let src = self.sources.get(file);
        let shown_col = match (col, src, span) {
            (Some(c), _, _) => c + 1,
            (None, Some(s), Some((start, _))) => {
                let ls = s[..start.min(s.len())]
                    .rfind('\n')
                    .map(|i| i + 1)
                    .unwrap_or(0);
                s[ls..start.min(s.len())].chars().count() + 1
            }
            _ => 1,
        };
        let _ = writeln!(out, "  --> {file}:{line}:{shown_col}");
        let Some(src) = src else { return };
        let Some(text) = src.split('\n').nth(line.saturating_sub(1)) else {
            return;
        };
        let w = line.to_string().len();
        let pad = " ".repeat(w);
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{line} | {text}");
        // caret under the span when it lies on this line
        let line_start: usize = src
            .split('\n')
            .take(line.saturating_sub(1))
            .map(|l| l.len() + 1)
            .sum();
        let (cs, ce) = match span {
            Some((s, e)) if s >= line_start && s <= line_start + text.len() => {
                let e = e.clamp(s + 1, line_start + text.len().max(s - line_start + 1));
                (s - line_start, e - line_start)
            }
            _ => (shown_col - 1, shown_col),
        };
        let lead: usize = text
            .get(..cs.min(text.len()))
            .map(|t| t.chars().count())
            .unwrap_or(cs);
        let width = text
            .get(cs.min(text.len())..ce.min(text.len()))
            .map(|t| t.chars().count())
            .unwrap_or(1)
            .max(1);
        let _ = writeln!(out, "{pad} | {}{}", " ".repeat(lead), "^".repeat(width));
    }
}

/// helm's `cleanupParseError`.
fn helm_parse_message(file: &str, text: &str) -> String {
    let tokens: Vec<&str> = text.split(": ").collect();
    if tokens.len() == 1 {
        return format!("parse error in ({file}): {text}");
    }
    format!(
        "parse error at ({}): {}",
        tokens[1],
        tokens[tokens.len() - 1]
    )
}

/// One parsed level of helm's `TraceableError`.
#[derive(PartialEq)]
struct Trace {
    location: String,
    executed: String,
    message: String,
}

fn parse_level(text: &str) -> Option<Trace> {
    let rem = text.strip_prefix("template: ")?;
    if rem.starts_with("no template ") {
        return Some(Trace {
            location: String::new(),
            executed: String::new(),
            message: text.to_string(),
        });
    }
    let cut = |m: &str| {
        m.find(" template:")
            .map(|i| m[..i].to_string())
            .unwrap_or_else(|| m.to_string())
    };
    if let Some(idx) = rem.find(": executing ") {
        let name = &rem[..idx];
        let after = &rem[idx + ": executing ".len()..];
        if let Some(a) = after.strip_prefix('"')
            && let Some(endq) = a.find('"')
        {
            let func = &a[..endq];
            let after_func = &a[endq + 1..];
            if let Some(after_at) = after_func.strip_prefix(" at <")
                && let Some(end) = after_at.find(">: ")
            {
                return Some(Trace {
                    location: name.to_string(),
                    executed: format!("executing \"{func}\" at <{}>:", &after_at[..end]),
                    message: cut(&after_at[end + 3..]),
                });
            }
        }
        return None;
    }
    let sep = rem.rfind(": ")?;
    Some(Trace {
        location: rem[..sep].to_string(),
        executed: String::new(),
        message: cut(&rem[sep + 2..]),
    })
}

fn abort_detail(e: &ExecError) -> Option<String> {
    if let ExecErrorKind::Abort { detail, .. } = &e.kind {
        return Some(detail.clone());
    }
    match e.cause.as_deref() {
        Some(TplError::Exec(inner)) => abort_detail(inner),
        _ => None,
    }
}

/// helm's `reformatExecErrorMsg` applied to our structured error.
pub fn helm_exec_message(file: &str, e: &ExecError) -> String {
    let text = e.to_string();
    let tokens: Vec<&str> = text.splitn(3, ": ").collect();
    if tokens.len() != 3 {
        return format!("execution error in ({file}): {text}");
    }
    if let Some(detail) = abort_detail(e) {
        return format!("execution error at ({}): {detail}", tokens[1]);
    }
    let mut traces: Vec<Trace> = Vec::new();
    let mut cur = e;
    loop {
        let Some(t) = parse_level(&cur.to_string()) else {
            return text;
        };
        if traces.last() != Some(&t) {
            traces.push(t);
        }
        match (&cur.kind, cur.cause.as_deref()) {
            (ExecErrorKind::Call { func, .. }, Some(TplError::Exec(inner)))
                if func == "include" =>
            {
                cur = inner
            }
            (ExecErrorKind::Call { .. }, _) => return text,
            _ => break,
        }
    }
    let mut s = String::new();
    for t in traces {
        if !t.location.is_empty() {
            let _ = write!(s, "{}\n  ", t.location);
        }
        if !t.executed.is_empty() {
            let _ = write!(s, "{}\n    ", t.executed);
        }
        if !t.message.is_empty() {
            let _ = writeln!(s, "{}", t.message);
        }
    }
    s.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_messages() {
        assert_eq!(
            helm_parse_message(
                "c/templates/t.yaml",
                "template: c/templates/t.yaml:6: unexpected \"|\" in end"
            ),
            "parse error at (c/templates/t.yaml:6): unexpected \"|\" in end"
        );
    }

    #[test]
    fn trace_levels() {
        let t = parse_level(
            "template: c/t.yaml:4:11: executing \"c/t.yaml\" at <include \"outer\" .>: error calling include: template: c/_h.tpl:1:25: executing \"outer\" at <x>: boom",
        )
        .unwrap();
        assert_eq!(t.location, "c/t.yaml:4:11");
        assert_eq!(
            t.executed,
            "executing \"c/t.yaml\" at <include \"outer\" .>:"
        );
        assert_eq!(t.message, "error calling include:");
    }
}
