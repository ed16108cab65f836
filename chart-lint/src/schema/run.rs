//! Running validation over files, directories, stdin and rendered streams, streaming:
//!
//! * files are read line by line ([`DocReader`]) and split into documents like kubectl's
//!   `YAMLReader`; a document is owned only until it is validated (no file is held whole);
//! * `# Source:` comments map rendered documents to their template and template line;
//! * large inputs are validated by worker threads over a **bounded window** of small batches
//!   whose outcomes are re-ordered, so findings come out in input order and memory stays flat
//!   in the number of documents: only the window, the compiled validators and the counts are
//!   kept.

use super::SchemaError;
use super::doc::{
    DocOrigin, DocOutcome, DocSettings, MAX_DOCUMENT_BYTES, Status, validate_document,
};
use super::finding::{Finding, Severity, Summary};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// Files larger than this are refused (kubeconform's scanner limit).
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// Below this many documents an input is validated on the calling thread.
const PARALLEL_THRESHOLD: usize = 64;
/// A batch handed to a worker holds at most this many documents…
const BATCH_DOCS: usize = 16;
/// …or this many bytes of document text.
const BATCH_TEXT_BYTES: usize = 128 * 1024;
/// Batches in flight (queued, being validated, or waiting to be reported in order) per
/// worker thread: bounds the memory held by the pipeline.
const WINDOW_PER_THREAD: usize = 4;
/// stdin up to this size stays in memory; larger input is spooled to a temporary file (CRDs
/// are collected in a first pass, so stdin must be readable twice).
const STDIN_IN_MEMORY: usize = 1024 * 1024;
/// Worker stack (deeply nested documents).
const WORKER_STACK: usize = 64 * 1024 * 1024;

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

/// One unit of work: a document (owned) and where it comes from, or an outcome decided
/// without parsing (file errors, separator errors, oversized documents).
pub(crate) struct Job {
    pub file: Arc<str>,
    pub line_offset: isize,
    pub index: usize,
    pub text: String,
    pub done: Option<DocOutcome>,
}

impl Job {
    /// An input that could not even be listed (a directory that cannot be read).
    pub fn failed(file: &str, message: String) -> Job {
        Job::done(
            file,
            DocOutcome {
                statuses: Vec::new(),
                findings: vec![file_error(file, "file", message, None, None)],
                file_errors: 1,
            },
        )
    }

    fn done(file: &str, outcome: DocOutcome) -> Job {
        Job {
            file: Arc::from(file),
            line_offset: 0,
            index: 0,
            text: String::new(),
            done: Some(outcome),
        }
    }
}

/// One piece of a stream read by [`DocReader`].
pub(crate) enum Piece {
    /// A document: its bytes (truncated after [`MAX_DOCUMENT_BYTES`] + 1), its real size and
    /// the 1-based line of its first line.
    Doc {
        bytes: Vec<u8>,
        size: usize,
        line: usize,
    },
    /// `---` followed by something else than spaces or a comment: kubectl stops there.
    BadSeparator { trailing: String, line: usize },
    /// The stream could not be read.
    Io(String),
}

/// kubectl's document reader (`k8s.io/apimachinery/pkg/util/yaml.YAMLReader`) over any
/// `BufRead`: a line starting with `---` ends the current document, and only spaces or a
/// `#` comment may follow it. A UTF-8 BOM at the start is dropped. Documents that hold only
/// blank lines are skipped here; comment-only ones are skipped by the caller. Reads one line
/// at a time: memory is one document.
pub(crate) struct DocReader<R> {
    r: R,
    line: usize,
    buf: Vec<u8>,
    first: bool,
    done: bool,
}

impl<R: BufRead> DocReader<R> {
    pub fn new(r: R) -> Self {
        DocReader {
            r,
            line: 1,
            buf: Vec::new(),
            first: true,
            done: false,
        }
    }
}

impl<R: BufRead> Iterator for DocReader<R> {
    type Item = Piece;

    fn next(&mut self) -> Option<Piece> {
        if self.done {
            return None;
        }
        let mut doc: Vec<u8> = Vec::new();
        let mut size = 0usize;
        let mut start: Option<usize> = None;
        loop {
            self.buf.clear();
            match self.r.read_until(b'\n', &mut self.buf) {
                Ok(0) => {
                    self.done = true;
                    break;
                }
                Ok(_) => {}
                Err(e) => {
                    self.done = true;
                    return Some(Piece::Io(e.to_string()));
                }
            }
            let mut line: &[u8] = &self.buf;
            if self.first {
                self.first = false;
                line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
            }
            let line_no = self.line;
            self.line += 1;
            if let Some(rest) = line.strip_prefix(b"---") {
                let rest = String::from_utf8_lossy(rest);
                let trimmed = rest.trim_matches(|c: char| c.is_whitespace());
                if !trimmed.is_empty() && !trimmed.starts_with('#') {
                    self.done = true;
                    return Some(Piece::BadSeparator {
                        trailing: trimmed.to_string(),
                        line: line_no,
                    });
                }
                match start {
                    Some(l) => {
                        return Some(Piece::Doc {
                            bytes: doc,
                            size,
                            line: l,
                        });
                    }
                    None => continue,
                }
            }
            if start.is_none() {
                if line.iter().all(u8::is_ascii_whitespace) {
                    // Leading blank lines are no part of the document (kubectl would drop a
                    // blank document anyway); keep counting lines.
                    continue;
                }
                start = Some(line_no);
            }
            size += line.len();
            if doc.len() <= MAX_DOCUMENT_BYTES {
                doc.extend_from_slice(line);
            }
        }
        start.map(|l| Piece::Doc {
            bytes: doc,
            size,
            line: l,
        })
    }
}

fn is_blank(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#')
    })
}

/// Turns the pieces of one file into jobs: document indexes, `# Source:` mapping, file
/// errors.
pub(crate) struct FileSplitter {
    file: Arc<str>,
    /// `(template, line in its rendered output where its next document starts)`.
    carry: Option<(Arc<str>, isize)>,
    index: usize,
}

impl FileSplitter {
    pub fn new(file: &str) -> Self {
        FileSplitter {
            file: Arc::from(file),
            carry: None,
            index: 0,
        }
    }

    fn error(&self, rule: &'static str, message: String, line: usize, column: usize) -> Job {
        let mut f = file_error(&self.file, rule, message, Some(line), Some(column));
        f.document = self.index;
        Job {
            file: self.file.clone(),
            line_offset: 0,
            index: self.index,
            text: String::new(),
            done: Some(DocOutcome {
                statuses: vec![Status::Error],
                findings: vec![f],
                file_errors: 0,
            }),
        }
    }

    /// The job for one piece, if any (blank documents give none).
    pub fn job(&mut self, piece: Piece) -> Option<Job> {
        match piece {
            Piece::Io(msg) => {
                let f = file_error(
                    &self.file,
                    "file",
                    format!("{}: {msg}", self.file),
                    None,
                    None,
                );
                let mut j = Job::done(&self.file, DocOutcome::default());
                if let Some(o) = j.done.as_mut() {
                    o.findings.push(f);
                    o.file_errors = 1;
                }
                Some(j)
            }
            Piece::BadSeparator { trailing, line } => {
                let mut j = self.error(
                    "yaml",
                    format!("invalid Yaml document separator: {trailing}"),
                    line,
                    1,
                );
                if let Some(f) = j.done.as_mut().and_then(|o| o.findings.first_mut()) {
                    f.hint = Some(
                        "a document separator is `---` alone on its line (a comment may follow)"
                            .into(),
                    );
                    f.source_line = Some(format!("---{trailing}"));
                }
                self.index += 1;
                Some(j)
            }
            Piece::Doc { bytes, size, line } => {
                let text = match String::from_utf8(bytes) {
                    Ok(t) => t,
                    Err(e) => {
                        let err = match goyaml::check_utf8(e.as_bytes()) {
                            Err(err) => err,
                            // Only a cut in the middle of a character of an oversized
                            // document gets here.
                            Ok(_) => return self.oversized(size, line),
                        };
                        let j = self.error(
                            "encoding",
                            err.to_string(),
                            line + err.line().unwrap_or(1) - 1,
                            err.column().unwrap_or(1),
                        );
                        self.index += 1;
                        return Some(j);
                    }
                };
                if size > MAX_DOCUMENT_BYTES {
                    return self.oversized(size, line);
                }
                if is_blank(&text) {
                    return None;
                }
                let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
                let (file, off) = match first.strip_prefix("# Source: ") {
                    Some(src) => {
                        let src: Arc<str> = Arc::from(src.trim());
                        // The `# Source:` line is not part of the template's output.
                        let src_line = text
                            .lines()
                            .position(|l| l.starts_with("# Source: "))
                            .unwrap_or(0) as isize
                            + 1;
                        let base = match &self.carry {
                            Some((s, b)) if *s == src => *b,
                            _ => 0,
                        };
                        let lines = text.lines().count() as isize;
                        self.carry = Some((src.clone(), base + (lines - src_line) + 1));
                        (src, base - src_line)
                    }
                    None => {
                        self.carry = None;
                        (self.file.clone(), line as isize - 1)
                    }
                };
                let j = Job {
                    file,
                    line_offset: off,
                    index: self.index,
                    text,
                    done: None,
                };
                self.index += 1;
                Some(j)
            }
        }
    }

    fn oversized(&mut self, size: usize, line: usize) -> Option<Job> {
        let j = self.error(
            "document-too-large",
            format!(
                "document is {size} bytes; the API server accepts at most {MAX_DOCUMENT_BYTES} bytes per request"
            ),
            line,
            1,
        );
        self.index += 1;
        Some(j)
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

fn process(job: Job, s: &DocSettings<'_>) -> DocOutcome {
    if let Some(d) = job.done {
        return d;
    }
    let origin = DocOrigin {
        file: &job.file,
        line_offset: job.line_offset,
        index: job.index,
    };
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        validate_document(&job.text, &origin, s)
    }));
    r.unwrap_or_else(|_| {
        let mut f = file_error(
            &job.file,
            "internal",
            "internal error while validating this document (a bug: please report it)".into(),
            None,
            None,
        );
        f.document = job.index;
        DocOutcome {
            statuses: vec![Status::Error],
            findings: vec![f],
            file_errors: 0,
        }
    })
}

fn report(o: DocOutcome, sum: &mut Summary, sink: &mut dyn FnMut(Finding)) {
    for st in &o.statuses {
        sum.resources += 1;
        match st {
            Status::Valid => sum.valid += 1,
            Status::Invalid => sum.invalid += 1,
            Status::Error => sum.errors += 1,
            Status::Skipped => sum.skipped += 1,
        }
    }
    sum.errors += o.file_errors;
    for f in o.findings {
        if f.severity == Severity::Warning {
            sum.warnings += 1;
        }
        sink(f);
    }
}

type Batch = (usize, Vec<Job>);
/// Hands jobs over, one at a time.
pub(crate) type Push<'a> = &'a mut dyn FnMut(Job);
type Done = (usize, Vec<DocOutcome>);

/// Validates the jobs `produce` hands over, reporting outcomes to `sum` and `sink` in the
/// order they were produced. Up to [`PARALLEL_THRESHOLD`] jobs are validated on this thread;
/// beyond, `threads` workers validate batches while at most `threads ×`
/// [`WINDOW_PER_THREAD`] batches are in flight.
pub(crate) fn run_pipeline(
    s: &DocSettings<'_>,
    threads: usize,
    sum: &mut Summary,
    sink: &mut dyn FnMut(Finding),
    produce: &mut dyn FnMut(Push<'_>),
) {
    if threads <= 1 {
        produce(&mut |job| report(process(job, s), sum, sink));
        return;
    }
    std::thread::scope(|scope| {
        let mut early: Vec<Job> = Vec::new();
        let mut pool: Option<Pool> = None;
        let mut batch: Vec<Job> = Vec::new();
        let mut batch_bytes = 0usize;
        produce(&mut |job| {
            if pool.is_none() {
                early.push(job);
                if early.len() < PARALLEL_THRESHOLD {
                    return;
                }
                pool = Pool::start(scope, s, threads);
                if pool.is_none() {
                    // No thread could be started: stay on this one.
                    for j in early.drain(..) {
                        report(process(j, s), sum, sink);
                    }
                    return;
                }
                for j in std::mem::take(&mut early) {
                    batch_bytes += j.text.len();
                    batch.push(j);
                    if batch.len() >= BATCH_DOCS || batch_bytes >= BATCH_TEXT_BYTES {
                        if let Some(p) = pool.as_mut() {
                            p.submit(std::mem::take(&mut batch), s, sum, sink);
                        }
                        batch_bytes = 0;
                    }
                }
                return;
            }
            let Some(p) = pool.as_mut() else {
                report(process(job, s), sum, sink);
                return;
            };
            batch_bytes += job.text.len();
            batch.push(job);
            if batch.len() >= BATCH_DOCS || batch_bytes >= BATCH_TEXT_BYTES {
                p.submit(std::mem::take(&mut batch), s, sum, sink);
                batch_bytes = 0;
            }
        });
        match pool {
            None => {
                for j in early {
                    report(process(j, s), sum, sink);
                }
            }
            Some(mut p) => {
                if !batch.is_empty() {
                    p.submit(batch, s, sum, sink);
                }
                p.finish(s, sum, sink);
            }
        }
    });
}

/// Worker threads fed through a bounded window of batches.
struct Pool {
    jobs: Option<mpsc::SyncSender<Batch>>,
    done: mpsc::Receiver<Done>,
    /// Outcomes that arrived before an earlier batch's.
    waiting: BTreeMap<usize, Vec<DocOutcome>>,
    /// Batches sent and not yet reported (in the queue, in a worker, or in `waiting`).
    in_flight: usize,
    window: usize,
    next_seq: usize,
    next_report: usize,
}

impl Pool {
    fn start<'scope, 'env, 'a: 'scope>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        s: &'a DocSettings<'a>,
        threads: usize,
    ) -> Option<Pool> {
        let window = threads * WINDOW_PER_THREAD;
        let (jtx, jrx) = mpsc::sync_channel::<Batch>(window);
        let (dtx, drx) = mpsc::channel::<Done>();
        let jrx = Arc::new(Mutex::new(jrx));
        let mut started = 0;
        for _ in 0..threads {
            let jrx = Arc::clone(&jrx);
            let dtx = dtx.clone();
            let r = std::thread::Builder::new()
                .stack_size(WORKER_STACK)
                .spawn_scoped(scope, move || {
                    loop {
                        let next = match jrx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        let Ok((seq, jobs)) = next else { return };
                        let outs: Vec<DocOutcome> =
                            jobs.into_iter().map(|j| process(j, s)).collect();
                        if dtx.send((seq, outs)).is_err() {
                            return;
                        }
                    }
                });
            if r.is_ok() {
                started += 1;
            }
        }
        if started == 0 {
            return None;
        }
        Some(Pool {
            jobs: Some(jtx),
            done: drx,
            waiting: BTreeMap::new(),
            in_flight: 0,
            window,
            next_seq: 0,
            next_report: 0,
        })
    }

    /// Sends a batch, first waiting for room in the window.
    fn submit(
        &mut self,
        jobs: Vec<Job>,
        s: &DocSettings<'_>,
        sum: &mut Summary,
        sink: &mut dyn FnMut(Finding),
    ) {
        while self.in_flight >= self.window {
            if !self.receive_one(sum, sink) {
                break;
            }
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        let sent = match &self.jobs {
            Some(tx) => tx.send((seq, jobs)),
            None => Err(mpsc::SendError((seq, jobs))),
        };
        match sent {
            Ok(()) => self.in_flight += 1,
            Err(mpsc::SendError((seq, jobs))) => {
                // Every worker is gone: validate here, in order.
                self.jobs = None;
                let outs = jobs.into_iter().map(|j| process(j, s)).collect();
                self.waiting.insert(seq, outs);
                self.in_flight += 1;
                self.flush(sum, sink);
            }
        }
    }

    /// Waits for one batch's outcomes; reports what is now in order. False when no
    /// worker is left.
    fn receive_one(&mut self, sum: &mut Summary, sink: &mut dyn FnMut(Finding)) -> bool {
        match self.done.recv() {
            Ok((seq, outs)) => {
                self.waiting.insert(seq, outs);
                self.flush(sum, sink);
                true
            }
            Err(_) => false,
        }
    }

    fn flush(&mut self, sum: &mut Summary, sink: &mut dyn FnMut(Finding)) {
        while let Some(outs) = self.waiting.remove(&self.next_report) {
            self.next_report += 1;
            self.in_flight -= 1;
            for o in outs {
                report(o, sum, sink);
            }
        }
    }

    fn finish(mut self, _s: &DocSettings<'_>, sum: &mut Summary, sink: &mut dyn FnMut(Finding)) {
        self.jobs = None; // workers stop once the queue is empty
        while self.in_flight > 0 {
            if !self.receive_one(sum, sink) {
                break;
            }
        }
        // Batches lost to a dead worker: skip the hole so later outcomes still come out.
        while !self.waiting.is_empty() {
            let first = *self.waiting.keys().next().unwrap_or(&self.next_report);
            if first != self.next_report {
                sum.errors += 1;
                sink(file_error(
                    "<internal>",
                    "internal",
                    "a validation worker stopped; some documents were not validated".into(),
                    None,
                    None,
                ));
                self.in_flight -= 1;
                self.next_report = first;
            }
            self.flush(sum, sink);
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

/// A readable input: a file, stdin (in memory, or spooled to a temporary file when large),
/// or the error that prevents reading it.
pub(crate) struct Source {
    pub name: String,
    kind: SourceKind,
}

enum SourceKind {
    Memory(Vec<u8>),
    File(PathBuf),
    /// A spooled stdin, removed on drop.
    Temp(PathBuf),
    Failed(String),
}

impl Drop for Source {
    fn drop(&mut self) {
        if let SourceKind::Temp(p) = &self.kind {
            let _ = std::fs::remove_file(p);
        }
    }
}

impl Source {
    pub fn memory(name: &str, bytes: Vec<u8>) -> Source {
        Source {
            name: name.to_string(),
            kind: SourceKind::Memory(bytes),
        }
    }

    /// A file, refused when larger than [`MAX_FILE_BYTES`].
    pub fn path(path: &Path) -> Source {
        let name = path.display().to_string();
        let kind = match std::fs::metadata(path) {
            Err(e) => SourceKind::Failed(format!("{name}: {e}")),
            Ok(m) if m.len() > MAX_FILE_BYTES => SourceKind::Failed(format!(
                "{name}: file is {} bytes; the limit is {MAX_FILE_BYTES} bytes",
                m.len()
            )),
            Ok(_) => SourceKind::File(path.to_path_buf()),
        };
        Source { name, kind }
    }

    /// Standard input: kept in memory up to [`STDIN_IN_MEMORY`] bytes, else copied to a
    /// temporary file (removed when the source is dropped).
    pub fn stdin() -> Source {
        let name = "stdin".to_string();
        let kind = match read_stdin() {
            Ok(k) => k,
            Err(msg) => SourceKind::Failed(format!("stdin: {msg}")),
        };
        Source { name, kind }
    }

    pub fn failed(name: &str, msg: String) -> Source {
        Source {
            name: name.to_string(),
            kind: SourceKind::Failed(msg),
        }
    }

    fn open(&self) -> Result<Box<dyn BufRead + '_>, String> {
        match &self.kind {
            SourceKind::Memory(b) => Ok(Box::new(&b[..])),
            SourceKind::File(p) | SourceKind::Temp(p) => std::fs::File::open(p)
                .map(|f| Box::new(BufReader::with_capacity(64 * 1024, f)) as Box<dyn BufRead>)
                .map_err(|e| format!("{}: {e}", self.name)),
            SourceKind::Failed(m) => Err(m.clone()),
        }
    }

    /// True when the input contains `needle` (read in blocks, not held whole).
    pub fn mentions(&self, needle: &[u8]) -> bool {
        let Ok(mut r) = self.open() else {
            return false;
        };
        let mut buf = vec![0u8; 64 * 1024 + needle.len()];
        let mut kept = 0usize;
        loop {
            let n = match r.read(&mut buf[kept..]) {
                Ok(0) | Err(_) => return false,
                Ok(n) => n,
            };
            let end = kept + n;
            if find(&buf[..end], needle) {
                return true;
            }
            // Keep the tail, in case the needle straddles two blocks.
            let keep = needle.len().saturating_sub(1).min(end);
            buf.copy_within(end - keep..end, 0);
            kept = keep;
        }
    }

    /// The documents of the input that contain `needle`, as text (CRD collection).
    pub fn documents_with(&self, needle: &str, mut each: impl FnMut(&str)) {
        let Ok(r) = self.open() else { return };
        for piece in DocReader::new(r) {
            if let Piece::Doc { bytes, size, .. } = piece
                && size <= MAX_DOCUMENT_BYTES
                && let Ok(t) = std::str::from_utf8(&bytes)
                && t.contains(needle)
            {
                each(t);
            }
        }
    }

    /// Hands the input's documents over as jobs, one at a time.
    pub fn feed(&self, push: &mut dyn FnMut(Job)) {
        let r = match self.open() {
            Ok(r) => r,
            Err(msg) => {
                let f = file_error(&self.name, "file", msg, None, None);
                push(Job::done(
                    &self.name,
                    DocOutcome {
                        statuses: Vec::new(),
                        findings: vec![f],
                        file_errors: 1,
                    },
                ));
                return;
            }
        };
        let mut split = FileSplitter::new(&self.name);
        for piece in DocReader::new(r) {
            if let Some(j) = split.job(piece) {
                push(j);
            }
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        match hay[i..=hay.len() - needle.len()]
            .iter()
            .position(|&b| b == first)
        {
            None => return false,
            Some(p) => {
                let at = i + p;
                if &hay[at + 1..at + needle.len()] == rest {
                    return true;
                }
                i = at + 1;
            }
        }
    }
    false
}

fn read_stdin() -> Result<SourceKind, String> {
    let stdin = std::io::stdin();
    let mut lock = stdin.lock();
    let mut buf = Vec::with_capacity(64 * 1024);
    (&mut lock)
        .take(STDIN_IN_MEMORY as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    if buf.len() <= STDIN_IN_MEMORY {
        return Ok(SourceKind::Memory(buf));
    }
    // Large: spool to a private temporary file.
    use std::io::Write as _;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let path = std::env::temp_dir().join(format!(
        "kindtest-validate-stdin-{}-{nanos}.yaml",
        std::process::id()
    ));
    let spool = |lock: &mut std::io::StdinLock<'_>| -> Result<(), String> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| format!("cannot spool to {}: {e}", path.display()))?;
        f.write_all(&buf)
            .map_err(|e| format!("cannot spool to {}: {e}", path.display()))?;
        let copied = std::io::copy(&mut lock.take(MAX_FILE_BYTES), &mut f)
            .map_err(|e| format!("cannot spool to {}: {e}", path.display()))?;
        if copied + buf.len() as u64 > MAX_FILE_BYTES {
            return Err(format!("input exceeds {MAX_FILE_BYTES} bytes"));
        }
        Ok(())
    };
    match spool(&mut lock) {
        Ok(()) => Ok(SourceKind::Temp(path)),
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            Err(e)
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(src: &[u8]) -> Vec<String> {
        DocReader::new(src)
            .map(|p| match p {
                Piece::Doc { bytes, size, line } => {
                    format!("{line}:{size}:{}", String::from_utf8_lossy(&bytes))
                }
                Piece::BadSeparator { trailing, line } => format!("bad {line} {trailing}"),
                Piece::Io(m) => format!("io {m}"),
            })
            .collect()
    }

    #[test]
    fn reader_splits_like_kubectl() {
        assert_eq!(
            pieces(b"\xEF\xBB\xBFa: 1\n---\n\n  \nb: 2\n--- # c\n---\n# only\n---\nc: 3"),
            vec!["1:5:a: 1\n", "5:5:b: 2\n", "8:7:# only\n", "10:4:c: 3"]
        );
        assert_eq!(
            pieces(b"a: 1\r\n---\r\nb: 2\r\n"),
            vec!["1:6:a: 1\r\n", "3:6:b: 2\r\n"]
        );
        // Like kubectl's reader (and goyaml::KubeDocs): the document in progress is dropped.
        assert_eq!(pieces(b"a: 1\n---x\nb: 2\n"), vec!["bad 2 x"]);
        assert!(pieces(b"---\n---\n").is_empty());
        assert!(pieces(b"").is_empty());
    }

    #[test]
    fn oversized_documents_are_cut_and_reported() {
        let big = format!("a: \"{}\"\n", "x".repeat(MAX_DOCUMENT_BYTES + 10));
        let src = format!("{big}---\nb: 1\n");
        let mut sp = FileSplitter::new("f.yaml");
        let jobs: Vec<Job> = DocReader::new(src.as_bytes())
            .filter_map(|p| sp.job(p))
            .collect();
        assert_eq!(jobs.len(), 2);
        let first = jobs[0].done.as_ref().map(|o| o.findings[0].message.clone());
        assert!(first.is_some_and(|m| m.contains(&format!("document is {} bytes", big.len()))));
        assert!(jobs[0].text.is_empty());
        assert_eq!((jobs[1].index, jobs[1].text.as_str()), (1, "b: 1\n"));
    }

    #[test]
    fn source_lines_continue_across_documents_of_one_template() {
        let src =
            "---\n# Source: c/templates/a.yaml\nx: 1\n---\n# Source: c/templates/a.yaml\ny: 2\n";
        let mut sp = FileSplitter::new("<rendered>");
        let jobs: Vec<Job> = DocReader::new(src.as_bytes())
            .filter_map(|p| sp.job(p))
            .collect();
        assert_eq!(&*jobs[0].file, "c/templates/a.yaml");
        // Document 1's `y: 2` (its line 2) is line 3 of the template's output.
        assert_eq!(2 + jobs[1].line_offset, 3);
    }

    #[test]
    fn finds_needles_across_blocks() {
        assert!(find(
            b"xxCustomResourceDefinition",
            b"CustomResourceDefinition"
        ));
        assert!(!find(
            b"CustomResourceDefinitio",
            b"CustomResourceDefinition"
        ));
        let mut big = vec![b'x'; 64 * 1024 - 5];
        big.extend_from_slice(b"CustomResourceDefinition");
        let s = Source::memory("m", big);
        assert!(s.mentions(b"CustomResourceDefinition"));
        assert!(!s.mentions(b"Nope"));
    }
}
