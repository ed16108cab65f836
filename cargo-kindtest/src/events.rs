//! One event stream for the whole run, and its sinks: a spinner with elapsed time per stage
//! on a terminal, plain lines in CI or when piped, JSON lines for tools
//! (`--message-format json`).

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

/// The stages of a run, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Configuration read, profile resolved.
    Plan,
    /// Charts rendered, validated and linted.
    Check,
    /// Cluster created or reused, readiness gate passed.
    Cluster,
    /// Images built and loaded into the nodes.
    Images,
    /// Releases installed.
    Install,
    /// Tests run.
    Run,
    /// Summary, logs export on failure, teardown by policy.
    Report,
}

impl Stage {
    /// All stages in pipeline order.
    pub const ALL: [Stage; 7] = [
        Stage::Plan,
        Stage::Check,
        Stage::Cluster,
        Stage::Images,
        Stage::Install,
        Stage::Run,
        Stage::Report,
    ];

    /// The stage's name as printed.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Plan => "plan",
            Stage::Check => "check",
            Stage::Cluster => "cluster",
            Stage::Images => "images",
            Stage::Install => "install",
            Stage::Run => "run",
            Stage::Report => "report",
        }
    }
}

/// How a stage ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StageStatus {
    /// Did its job.
    Ok,
    /// Nothing to do (e.g. warm re-run: release unchanged).
    Skipped,
    /// Failed.
    Failed,
    /// Stopped by Ctrl-C.
    Interrupted,
}

/// Severity of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Details shown with `-v`.
    Verbose,
    /// Normal progress.
    Info,
    /// A warning.
    Warning,
    /// An error.
    Error,
}

/// Something that happened during a run.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    /// A stage began.
    StageStarted {
        /// Which.
        stage: Stage,
    },
    /// A stage ended.
    StageFinished {
        /// Which.
        stage: Stage,
        /// How.
        status: StageStatus,
        /// Wall time.
        elapsed_ms: u64,
        /// One line about what it did ("reused kindtest-e2e", "2 images up to date").
        detail: String,
    },
    /// A command is about to run.
    Command {
        /// Its command line (display form).
        argv: String,
    },
    /// A command finished.
    CommandDone {
        /// Its command line.
        argv: String,
        /// Exit code (`None` = killed by a signal).
        code: Option<i32>,
        /// Wall time.
        elapsed_ms: u64,
    },
    /// A message for the user.
    Message {
        /// Severity.
        level: Level,
        /// Text (may be several lines).
        text: String,
    },
    /// A problem found by the check stage (render, schema or lint rule).
    Finding {
        /// Severity.
        level: Level,
        /// rustc-style text (`error[KT0101]: …` with `--> file:line:col`).
        #[serde(skip)]
        text: String,
        /// The finding as `chart_lint::lint::output::json` gives it (code, rule, file, line, …).
        finding: serde_json::Value,
    },
    /// The human-readable summary of a run (timings, paths).
    Summary {
        /// Several lines.
        text: String,
    },
    /// The run finished.
    Finished {
        /// Process exit code.
        exit_code: i32,
        /// Per stage: name, status, milliseconds.
        stages: Vec<(Stage, StageStatus, u64)>,
        /// JUnit report, if the test runner wrote one.
        junit: Option<String>,
        /// Folder with diagnostics (helm failures, `kind export logs`).
        diagnostics: Option<String>,
        /// Milliseconds from start until the test runner was started.
        overhead_ms: Option<u64>,
    },
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Spinners on a terminal, plain lines otherwise.
    Human,
    /// JSON lines on stdout.
    Json,
}

/// Console settings.
#[derive(Debug, Clone, Copy)]
pub struct ConsoleOptions {
    /// Output format.
    pub format: Format,
    /// -1 = quiet, 0 = normal, 1 = commands, 2 = command output.
    pub verbosity: i8,
    /// Colored output.
    pub color: bool,
    /// Spinners (a terminal and not CI).
    pub progress: bool,
}

impl ConsoleOptions {
    /// Detects terminal and CI: spinners only on a terminal outside CI.
    pub fn detect(format: Format, verbosity: i8, color: Option<bool>) -> Self {
        let tty = std::io::stderr().is_terminal();
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
        ConsoleOptions {
            format,
            verbosity,
            color: color.unwrap_or(tty && std::env::var_os("NO_COLOR").is_none()),
            progress: tty && !ci && format == Format::Human && verbosity >= 0,
        }
    }
}

trait Sink: Send {
    fn emit(&mut self, ev: &Event);
}

/// The event sink shared by all stages (cheap to clone).
#[derive(Clone)]
pub struct Events {
    inner: Arc<Mutex<Vec<Box<dyn Sink>>>>,
    start: Instant,
}

impl Events {
    /// Discards everything.
    pub fn null() -> Self {
        Events {
            inner: Arc::new(Mutex::new(Vec::new())),
            start: Instant::now(),
        }
    }

    /// A console sink (stderr, or JSON on stdout).
    pub fn console(opts: ConsoleOptions) -> Self {
        let sink: Box<dyn Sink> = match opts.format {
            Format::Json => Box::new(JsonSink),
            Format::Human => Box::new(HumanSink::new(opts)),
        };
        Events {
            inner: Arc::new(Mutex::new(vec![sink])),
            start: Instant::now(),
        }
    }

    /// Also records events in memory (for tests and the report); returns the shared log.
    pub fn recording(&self) -> Arc<Mutex<Vec<Event>>> {
        let log = Arc::new(Mutex::new(Vec::new()));
        if let Ok(mut s) = self.inner.lock() {
            s.push(Box::new(RecordSink(log.clone())));
        }
        log
    }

    /// Time since the run began.
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// Sends an event to every sink.
    pub fn emit(&self, ev: Event) {
        if let Ok(mut sinks) = self.inner.lock() {
            for s in sinks.iter_mut() {
                s.emit(&ev);
            }
        }
    }

    /// Shorthand for an info message.
    pub fn info(&self, text: impl Into<String>) {
        self.emit(Event::Message {
            level: Level::Info,
            text: text.into(),
        })
    }
    /// Shorthand for a verbose message.
    pub fn verbose(&self, text: impl Into<String>) {
        self.emit(Event::Message {
            level: Level::Verbose,
            text: text.into(),
        })
    }
    /// Shorthand for a warning.
    pub fn warn(&self, text: impl Into<String>) {
        self.emit(Event::Message {
            level: Level::Warning,
            text: text.into(),
        })
    }
    /// Shorthand for an error message.
    pub fn error(&self, text: impl Into<String>) {
        self.emit(Event::Message {
            level: Level::Error,
            text: text.into(),
        })
    }
}

struct RecordSink(Arc<Mutex<Vec<Event>>>);
impl Sink for RecordSink {
    fn emit(&mut self, ev: &Event) {
        if let Ok(mut l) = self.0.lock() {
            l.push(ev.clone());
        }
    }
}

struct JsonSink;
impl Sink for JsonSink {
    fn emit(&mut self, ev: &Event) {
        if let Ok(line) = serde_json::to_string(ev) {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
    }
}

struct HumanSink {
    opts: ConsoleOptions,
    spinner: Option<indicatif::ProgressBar>,
}

impl HumanSink {
    fn new(opts: ConsoleOptions) -> Self {
        HumanSink {
            opts,
            spinner: None,
        }
    }

    fn line(&self, verb: &str, style: console::Style, text: &str) {
        let verb = format!("{verb:>12}");
        let verb = if self.opts.color {
            style.bold().force_styling(true).apply_to(verb).to_string()
        } else {
            verb
        };
        let msg = format!("{verb} {text}");
        match &self.spinner {
            Some(sp) => sp.suspend(|| eprintln!("{msg}")),
            None => eprintln!("{msg}"),
        }
    }
}

fn secs(ms: u64) -> String {
    format!("{:.2}s", ms as f64 / 1000.0)
}

impl Sink for HumanSink {
    fn emit(&mut self, ev: &Event) {
        let v = self.opts.verbosity;
        match ev {
            Event::StageStarted { stage } => {
                if self.opts.progress {
                    let sp = indicatif::ProgressBar::new_spinner();
                    sp.set_style(
                        indicatif::ProgressStyle::with_template(
                            "{spinner:.cyan} {msg} [{elapsed}]",
                        )
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
                    );
                    sp.set_message(stage.name().to_string());
                    sp.enable_steady_tick(Duration::from_millis(100));
                    self.spinner = Some(sp);
                }
            }
            Event::StageFinished {
                stage,
                status,
                elapsed_ms,
                detail,
            } => {
                if let Some(sp) = self.spinner.take() {
                    sp.finish_and_clear();
                }
                if v < 0 && *status != StageStatus::Failed {
                    return;
                }
                let (verb, style) = match status {
                    StageStatus::Ok => ("Finished", console::Style::new().green()),
                    StageStatus::Skipped => ("Fresh", console::Style::new().green()),
                    StageStatus::Failed => ("Failed", console::Style::new().red()),
                    StageStatus::Interrupted => ("Interrupted", console::Style::new().yellow()),
                };
                let detail = if detail.is_empty() {
                    String::new()
                } else {
                    format!(": {detail}")
                };
                self.line(
                    verb,
                    style,
                    &format!("{} [{}]{detail}", stage.name(), secs(*elapsed_ms)),
                );
            }
            Event::Command { argv } => {
                if v >= 1 {
                    self.line(
                        "Running",
                        console::Style::new().cyan(),
                        &format!("`{argv}`"),
                    );
                } else if let Some(sp) = &self.spinner {
                    let short: String = argv.chars().take(60).collect();
                    sp.set_message(short);
                }
            }
            Event::CommandDone {
                argv,
                code,
                elapsed_ms,
            } => {
                if v >= 2 {
                    let code = code.map_or("signal".to_string(), |c| c.to_string());
                    self.line(
                        "Ran",
                        console::Style::new().cyan(),
                        &format!("`{argv}` (exit {code}, {})", secs(*elapsed_ms)),
                    );
                }
            }
            Event::Message { level, text } => {
                let (verb, style, min) = match level {
                    Level::Verbose => ("Note", console::Style::new().cyan(), 1),
                    Level::Info => ("Info", console::Style::new().green(), 0),
                    Level::Warning => ("Warning", console::Style::new().yellow(), -1),
                    Level::Error => ("Error", console::Style::new().red(), -1),
                };
                if v >= min {
                    self.line(verb, style, text);
                }
            }
            Event::Finding { level, text, .. } => {
                let min = match level {
                    Level::Error | Level::Warning => -1,
                    _ => 0,
                };
                if v >= min {
                    let text = text.trim_end();
                    match &self.spinner {
                        Some(sp) => sp.suspend(|| eprintln!("{text}\n")),
                        None => eprintln!("{text}\n"),
                    }
                }
            }
            Event::Summary { text } => {
                if v >= 0 {
                    match &self.spinner {
                        Some(sp) => sp.suspend(|| eprintln!("{text}")),
                        None => eprintln!("{text}"),
                    }
                }
            }
            Event::Finished { .. } => {
                if let Some(sp) = self.spinner.take() {
                    sp.finish_and_clear();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_events_are_tagged() {
        let ev = Event::StageFinished {
            stage: Stage::Install,
            status: StageStatus::Skipped,
            elapsed_ms: 3,
            detail: "x".into(),
        };
        let s = serde_json::to_string(&ev).unwrap();
        assert_eq!(
            s,
            r#"{"event":"stage-finished","stage":"install","status":"skipped","elapsed_ms":3,"detail":"x"}"#
        );
    }

    #[test]
    fn recording_sees_events() {
        let e = Events::null();
        let log = e.recording();
        e.info("hello");
        assert_eq!(log.lock().unwrap().len(), 1);
    }
}
