//! Findings and their rendering: rustc-style text, JSON lines, and kubeconform's summary.

use serde_json::{Value, json};
use std::fmt::Write as _;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Reported, does not fail.
    Warning,
    /// Fails validation (exit 1).
    Error,
}

impl Severity {
    /// `error` / `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One problem found in one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// Short rule name: `schema`, `unknown-field`, `yaml`, `missing-schema`, `removed-api`, …
    pub rule: &'static str,
    /// The file: for rendered charts the template path from `# Source:`.
    pub file: String,
    /// 1-based line in `file` (for rendered charts: in the rendered output of the template).
    pub line: Option<usize>,
    /// 1-based column.
    pub column: Option<usize>,
    /// 0-based index of the document in the file (or in the rendered stream).
    pub document: usize,
    /// `apiVersion` of the resource, when known.
    pub api_version: Option<String>,
    /// `kind`, when known.
    pub kind: Option<String>,
    /// `metadata.namespace`, when set.
    pub namespace: Option<String>,
    /// `metadata.name` (or `generateName` + `*`), when set.
    pub name: Option<String>,
    /// JSON pointer (RFC 6901) into the document.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, where we know (YAML 1.1 surprises, replacement APIs).
    pub hint: Option<String>,
    /// The source line, for display.
    pub source_line: Option<String>,
}

impl Finding {
    /// `templates/x.yaml:12:5` or `file.yaml`.
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", self.file),
            (Some(l), None) => format!("{}:{l}", self.file),
            _ => self.file.clone(),
        }
    }

    /// `apps/v1 Deployment shop/api`, or what is known of it.
    pub fn resource(&self) -> String {
        let mut s = String::new();
        if let Some(a) = &self.api_version {
            s.push_str(a);
        }
        if let Some(k) = &self.kind {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(k);
        }
        let name = match (&self.namespace, &self.name) {
            (Some(ns), Some(n)) => Some(format!("{ns}/{n}")),
            (None, Some(n)) => Some(n.clone()),
            _ => None,
        };
        if let Some(n) = name {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(&n);
        }
        s
    }

    /// rustc-style text block (ends with a newline).
    pub fn render_human(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}[{}]: {}",
            self.severity.as_str(),
            self.rule,
            self.message
        );
        let res = self.resource();
        let _ = write!(out, "  --> {} (doc#{}", self.location(), self.document);
        if !res.is_empty() {
            let _ = write!(out, " {res}");
        }
        out.push_str(")\n");
        if let (Some(line), Some(src)) = (self.line, &self.source_line) {
            let w = line.to_string().len();
            let _ = writeln!(out, "{:w$} |", "");
            let _ = writeln!(out, "{line} | {src}");
            if let Some(col) = self.column {
                let _ = writeln!(out, "{:w$} | {:>c$}", "", "^", c = col);
            }
        }
        if !self.pointer.is_empty() {
            let _ = writeln!(out, "   = at: {}", self.pointer);
        }
        if let Some(h) = &self.hint {
            let _ = writeln!(out, "   = hint: {h}");
        }
        out
    }

    /// One-line form: `file:line:col: error[rule] doc#N apps/v1 Deployment ns/name /ptr: message`.
    pub fn render_short(&self) -> String {
        let mut s = format!(
            "{}: {}[{}] doc#{}",
            self.location(),
            self.severity.as_str(),
            self.rule,
            self.document
        );
        let res = self.resource();
        if !res.is_empty() {
            s.push(' ');
            s.push_str(&res);
        }
        if !self.pointer.is_empty() {
            s.push(' ');
            s.push_str(&self.pointer);
        }
        s.push_str(": ");
        s.push_str(&self.message);
        if let Some(h) = &self.hint {
            s.push_str(" (hint: ");
            s.push_str(h);
            s.push(')');
        }
        s
    }

    /// The JSON form (`--message-format json`), one object per finding.
    pub fn to_json(&self) -> Value {
        json!({
            "reason": "finding",
            "severity": self.severity.as_str(),
            "rule": self.rule,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "document": self.document,
            "apiVersion": self.api_version,
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
            "pointer": self.pointer,
            "message": self.message,
            "hint": self.hint,
        })
    }
}

/// Counts over a run, as kubeconform reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files read.
    pub files: usize,
    /// Resources (documents, List items) seen, empty documents excluded.
    pub resources: usize,
    /// Resources without error findings.
    pub valid: usize,
    /// Resources with schema findings.
    pub invalid: usize,
    /// Resources (or files) that could not be validated: YAML errors, missing schemas, …
    pub errors: usize,
    /// Resources skipped by `--skip` or `--ignore-missing-schemas`.
    pub skipped: usize,
    /// Warnings reported.
    pub warnings: usize,
}

impl Summary {
    /// Adds another summary.
    pub fn add(&mut self, o: &Summary) {
        self.files += o.files;
        self.resources += o.resources;
        self.valid += o.valid;
        self.invalid += o.invalid;
        self.errors += o.errors;
        self.skipped += o.skipped;
        self.warnings += o.warnings;
    }

    /// True when nothing failed.
    pub fn ok(&self) -> bool {
        self.invalid == 0 && self.errors == 0
    }

    /// `Summary: 3 resources found in 2 files - Valid: 2, Invalid: 1, Errors: 0, Skipped: 0`.
    pub fn line(&self) -> String {
        format!(
            "Summary: {} resource{} found in {} file{} - Valid: {}, Invalid: {}, Errors: {}, Skipped: {}{}",
            self.resources,
            if self.resources == 1 { "" } else { "s" },
            self.files,
            if self.files == 1 { "" } else { "s" },
            self.valid,
            self.invalid,
            self.errors,
            self.skipped,
            if self.warnings > 0 {
                format!(", Warnings: {}", self.warnings)
            } else {
                String::new()
            }
        )
    }

    /// JSON form of the summary line.
    pub fn to_json(&self) -> Value {
        json!({
            "reason": "summary",
            "files": self.files,
            "resources": self.resources,
            "valid": self.valid,
            "invalid": self.invalid,
            "errors": self.errors,
            "skipped": self.skipped,
            "warnings": self.warnings,
        })
    }
}
