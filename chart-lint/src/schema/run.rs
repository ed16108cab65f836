//! Running validation over files, directories, stdin and rendered streams: kubectl-style
//! document splitting, `# Source:` mapping, batching (memory stays flat in the number of
//! documents: each document is parsed, validated and dropped; only findings are kept) and
//! parallel validation of large batches.

use super::SchemaError;
use super::doc::{DocOrigin, DocOutcome, DocSettings, Status, validate_document};
use super::finding::{Finding, Severity, Summary};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Files larger than this are refused (kubeconform's scanner limit).
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// Below this many documents a batch is validated on the calling thread.
const PARALLEL_THRESHOLD: usize = 64;
/// A batch is flushed when it holds this many bytes of input.
const BATCH_BYTES: usize = 16 * 1024 * 1024;

/// Every `.yaml`, `.yml` and `.json` file under `dir`, recursively, sorted.
pub fn manifest_files(dir: &Path) -> Result<Vec<PathBuf>, SchemaError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let rd =
            std::fs::read_dir(&d).map_err(|e| SchemaError::Io(format!("{}: {e}", d.display())))?;
        for ent in rd {
            let ent = ent.map_err(|e| SchemaError::Io(format!("{}: {e}", d.display())))?;
            let p = ent.path();
            let ft = ent
                .file_type()
                .map_err(|e| SchemaError::Io(format!("{}: {e}", p.display())))?;
            if ft.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

pub(crate) struct Job<'a> {
    pub file: String,
    pub line_offset: isize,
    pub index: usize,
    pub text: &'a str,
    /// A precomputed outcome (file-level errors) instead of a document.
    pub done: Option<DocOutcome>,
}

/// Splits a stream into jobs like kubectl, mapping `# Source:` documents to their template.
pub(crate) fn split_jobs<'a>(file: &str, text: &'a str, jobs: &mut Vec<Job<'a>>) {
    let mut carry: Option<(String, isize)> = None; // (source, next line base)
    let mut index = 0;
    for d in goyaml::KubeDocs::new(text) {
        match d {
            Ok(doc) => {
                if doc.is_blank() {
                    continue;
                }
                let first = doc
                    .text
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("");
                let (name, off) = match first.strip_prefix("# Source: ") {
                    Some(src) => {
                        let src = src.trim().to_string();
                        // The `# Source:` line is not part of the template's output.
                        let src_line = doc
                            .text
                            .lines()
                            .position(|l| l.starts_with("# Source: "))
                            .unwrap_or(0) as isize
                            + 1;
                        let base = match &carry {
                            Some((s, b)) if *s == src => *b,
                            _ => 0,
                        };
                        let lines = doc.text.lines().count() as isize;
                        carry = Some((src.clone(), base + (lines - src_line) + 1));
                        (src, base - src_line)
                    }
                    None => {
                        carry = None;
                        (file.to_string(), doc.line as isize - 1)
                    }
                };
                jobs.push(Job {
                    file: name,
                    line_offset: off,
                    index,
                    text: doc.text,
                    done: None,
                });
                index += 1;
            }
            Err(e) => {
                let f = Finding {
                    severity: Severity::Error,
                    rule: "yaml",
                    file: file.to_string(),
                    line: Some(e.line),
                    column: Some(1),
                    document: index,
                    api_version: None,
                    kind: None,
                    namespace: None,
                    name: None,
                    pointer: String::new(),
                    message: e.to_string(),
                    hint: Some(
                        "a document separator is `---` alone on its line (a comment may follow)"
                            .into(),
                    ),
                    source_line: text
                        .lines()
                        .nth(e.line.saturating_sub(1))
                        .map(str::to_string),
                };
                jobs.push(Job {
                    file: file.to_string(),
                    line_offset: 0,
                    index,
                    text: "",
                    done: Some(DocOutcome {
                        statuses: vec![Status::Error],
                        findings: vec![f],
                    }),
                });
            }
        }
    }
}

/// A finding about a whole file (unreadable, not UTF-8, too large).
pub(crate) fn file_error(
    file: &str,
    rule: &'static str,
    message: String,
    line: Option<usize>,
    column: Option<usize>,
) -> Finding {
    Finding {
        severity: Severity::Error,
        rule,
        file: file.to_string(),
        line,
        column,
        document: 0,
        api_version: None,
        kind: None,
        namespace: None,
        name: None,
        pointer: String::new(),
        message,
        hint: None,
        source_line: None,
    }
}

/// Validates the jobs (in parallel when there are many) and hands findings to `sink` in
/// document order.
pub(crate) fn run_jobs(
    jobs: Vec<Job<'_>>,
    s: &DocSettings<'_>,
    threads: usize,
    sum: &mut Summary,
    sink: &mut dyn FnMut(Finding),
) {
    let one = |j: &Job<'_>| -> DocOutcome {
        let origin = DocOrigin {
            file: &j.file,
            line_offset: j.line_offset,
            index: j.index,
        };
        validate_document(j.text, &origin, s)
    };
    let mut outcomes: Vec<Option<DocOutcome>> = Vec::with_capacity(jobs.len());
    let pending = jobs.iter().filter(|j| j.done.is_none()).count();
    if threads <= 1 || pending < PARALLEL_THRESHOLD {
        for j in &jobs {
            outcomes.push(Some(match &j.done {
                Some(_) => DocOutcome::default(),
                None => one(j),
            }));
        }
    } else {
        let next = AtomicUsize::new(0);
        let n = jobs.len();
        let parts: Vec<Vec<(usize, DocOutcome)>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    std::thread::Builder::new()
                        .stack_size(64 * 1024 * 1024)
                        .spawn_scoped(scope, || {
                            let mut got = Vec::new();
                            loop {
                                // Small chunks keep the threads balanced.
                                let start = next.fetch_add(8, Ordering::Relaxed);
                                if start >= n {
                                    break;
                                }
                                for (i, j) in
                                    jobs.iter().enumerate().take((start + 8).min(n)).skip(start)
                                {
                                    if j.done.is_none() {
                                        got.push((i, one(j)));
                                    }
                                }
                            }
                            got
                        })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| match h {
                    Ok(h) => h.join().unwrap_or_default(),
                    Err(_) => Vec::new(),
                })
                .collect()
        });
        outcomes.resize_with(n, || None);
        for (i, o) in parts.into_iter().flatten() {
            outcomes[i] = Some(o);
        }
        // A thread that failed to spawn leaves holes: fill them here.
        for (i, j) in jobs.iter().enumerate() {
            if outcomes[i].is_none() && j.done.is_none() {
                outcomes[i] = Some(one(j));
            }
        }
    }
    for (j, o) in jobs.into_iter().zip(outcomes) {
        let o = match j.done {
            Some(d) => d,
            None => o.unwrap_or_default(),
        };
        for st in &o.statuses {
            sum.resources += 1;
            match st {
                Status::Valid => sum.valid += 1,
                Status::Invalid => sum.invalid += 1,
                Status::Error => sum.errors += 1,
                Status::Skipped => sum.skipped += 1,
            }
        }
        for f in o.findings {
            if f.severity == Severity::Warning {
                sum.warnings += 1;
            }
            sink(f);
        }
    }
}

/// An input of `validate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file, or a directory searched for `.yaml`/`.yml`/`.json` files.
    Path(PathBuf),
    /// Standard input (`-`).
    Stdin,
}

/// A loaded input: its display name and bytes (or the error reading it).
pub(crate) struct Loaded {
    pub name: String,
    pub bytes: Result<Vec<u8>, String>,
}

pub(crate) fn read_input(path: &Path) -> Loaded {
    let name = path.display().to_string();
    let bytes = match std::fs::metadata(path) {
        Err(e) => Err(format!("{name}: {e}")),
        Ok(m) if m.len() > MAX_FILE_BYTES => Err(format!(
            "{name}: file is {} bytes; the limit is {MAX_FILE_BYTES} bytes",
            m.len()
        )),
        Ok(_) => std::fs::read(path).map_err(|e| format!("{name}: {e}")),
    };
    Loaded { name, bytes }
}

pub(crate) fn read_stdin() -> Loaded {
    use std::io::Read;
    let mut buf = Vec::new();
    let r = std::io::stdin()
        .lock()
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut buf);
    let bytes = match r {
        Err(e) => Err(format!("stdin: {e}")),
        Ok(n) if n as u64 > MAX_FILE_BYTES => {
            Err(format!("stdin: input exceeds {MAX_FILE_BYTES} bytes"))
        }
        Ok(_) => Ok(buf),
    };
    Loaded {
        name: "stdin".into(),
        bytes,
    }
}

/// Expands inputs to the list of files (directories walked) in order; stdin stays stdin.
pub(crate) fn expand(inputs: &[Input]) -> Vec<Result<Input, String>> {
    let mut out = Vec::new();
    for i in inputs {
        match i {
            Input::Stdin => out.push(Ok(Input::Stdin)),
            Input::Path(p) if p.is_dir() => match manifest_files(p) {
                Ok(fs) => out.extend(fs.into_iter().map(|f| Ok(Input::Path(f)))),
                Err(e) => out.push(Err(e.to_string())),
            },
            Input::Path(p) => out.push(Ok(Input::Path(p.clone()))),
        }
    }
    out
}

pub(crate) const fn batch_bytes() -> usize {
    BATCH_BYTES
}
