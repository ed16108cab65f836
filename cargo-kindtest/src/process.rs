//! Running external tools (kind, docker, podman, helm, cargo): argument vectors only, output
//! captured, cancellable by Ctrl-C, and every invocation reported as an event.

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::events::{Event, Events};

/// A command to run: a program and its arguments, never a shell string.
#[derive(Debug, Clone)]
pub struct Cmd {
    /// The program: a bare name looked up on `PATH`, or a path.
    pub program: OsString,
    /// The arguments.
    pub args: Vec<OsString>,
    /// Extra environment variables.
    pub env: Vec<(OsString, OsString)>,
    /// Environment variables to remove.
    pub env_remove: Vec<OsString>,
    /// Working directory.
    pub cwd: Option<PathBuf>,
    /// Bytes written to stdin (stdin is null otherwise).
    pub stdin: Option<Vec<u8>>,
}

impl Cmd {
    /// A command with no arguments.
    pub fn new(program: impl Into<OsString>) -> Self {
        Cmd {
            program: program.into(),
            args: Vec::new(),
            env: Vec::new(),
            env_remove: Vec::new(),
            cwd: None,
            stdin: None,
        }
    }
    /// Adds one argument.
    pub fn arg(mut self, a: impl Into<OsString>) -> Self {
        self.args.push(a.into());
        self
    }
    /// Adds arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }
    /// Sets an environment variable.
    pub fn env(mut self, k: impl Into<OsString>, v: impl Into<OsString>) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }
    /// Sets the working directory.
    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cwd = Some(dir.into());
        self
    }
    /// The command line for display, shell-quoted where needed.
    pub fn display(&self) -> String {
        std::iter::once(&self.program)
            .chain(&self.args)
            .map(|a| quote(a))
            .collect::<Vec<_>>()
            .join(" ")
    }
    /// The program name without directories (`kind`, `helm`, …).
    pub fn tool(&self) -> String {
        Path::new(&self.program)
            .file_name()
            .unwrap_or(self.program.as_os_str())
            .to_string_lossy()
            .into_owned()
    }
}

fn quote(a: &OsStr) -> String {
    let s = a.to_string_lossy();
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@%+".contains(c))
    {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// What a finished command returned.
#[derive(Debug, Clone)]
pub struct Output {
    /// The exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Captured stdout.
    pub stdout: String,
    /// Captured stderr.
    pub stderr: String,
}

impl Output {
    /// Whether the command exited 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }
    /// stderr, or stdout if stderr is empty, trimmed: what to show the user on failure.
    pub fn message(&self) -> String {
        let s = if self.stderr.trim().is_empty() {
            &self.stdout
        } else {
            &self.stderr
        };
        s.trim().to_string()
    }
}

/// Errors of running a command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExecError {
    /// The program is not on `PATH`.
    #[error("`{program}` was not found on PATH")]
    NotFound {
        /// The program name.
        program: String,
    },
    /// Ctrl-C was pressed while the command ran; it was stopped.
    #[error("interrupted while running `{command}`")]
    Interrupted {
        /// The command line.
        command: String,
    },
    /// Spawning or waiting failed.
    #[error("could not run `{command}`: {source}")]
    Io {
        /// The command line.
        command: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Cancellation shared with the signal handler: set once Ctrl-C was pressed.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A flag that is not set.
    pub fn new() -> Self {
        Self::default()
    }
    /// Registers SIGINT and SIGTERM to set this flag. The first signal only sets the flag (the
    /// running stage stops and cleanup runs); the signal handler stays installed, so a second
    /// Ctrl-C during cleanup is ignored rather than killing us half-way.
    pub fn install_signal_handlers(&self) -> std::io::Result<()> {
        signal_hook::flag::register(signal_hook::consts::SIGINT, self.0.clone())?;
        signal_hook::flag::register(signal_hook::consts::SIGTERM, self.0.clone())?;
        Ok(())
    }
    /// Whether Ctrl-C was pressed.
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
    /// Sets the flag (used by tests and by the interrupt handler).
    pub fn set(&self) {
        self.0.store(true, Ordering::SeqCst)
    }
}

/// Runs commands, reports them as events, and stops them on Ctrl-C.
#[derive(Clone)]
pub struct Exec {
    cancel: Cancel,
    events: Events,
    /// `PATH` to search (defaults to the process's).
    path: Option<OsString>,
}

impl Exec {
    /// A runner reporting to `events` and watching `cancel`.
    pub fn new(cancel: Cancel, events: Events) -> Self {
        Exec {
            cancel,
            events,
            path: None,
        }
    }

    /// The cancellation flag.
    pub fn cancel(&self) -> &Cancel {
        &self.cancel
    }

    /// The event sink.
    pub fn events(&self) -> &Events {
        &self.events
    }

    /// Looks `program` up on `PATH` (or returns it when it contains a `/`).
    pub fn which(&self, program: &OsStr) -> Option<PathBuf> {
        which_in(
            program,
            self.path.clone().or_else(|| std::env::var_os("PATH")),
        )
    }

    /// Runs `cmd` to completion, capturing its output. A non-zero exit is not an error here:
    /// callers decide what a failure means.
    pub fn run(&self, cmd: &Cmd) -> Result<Output, ExecError> {
        self.run_inner(cmd, false)
    }

    /// Runs `cmd` with stdout/stderr inherited (tests print their own progress).
    pub fn run_inherit(&self, cmd: &Cmd) -> Result<Output, ExecError> {
        self.run_inner(cmd, true)
    }

    /// Runs and runs even if Ctrl-C was pressed (cleanup commands).
    pub fn run_cleanup(&self, cmd: &Cmd) -> Result<Output, ExecError> {
        let me = Exec {
            cancel: Cancel::new(),
            events: self.events.clone(),
            path: self.path.clone(),
        };
        me.run_inner(cmd, false)
    }

    fn run_inner(&self, cmd: &Cmd, inherit: bool) -> Result<Output, ExecError> {
        let command = cmd.display();
        if self.cancel.is_set() {
            return Err(ExecError::Interrupted { command });
        }
        let program = self
            .which(&cmd.program)
            .ok_or_else(|| ExecError::NotFound {
                program: cmd.program.to_string_lossy().into_owned(),
            })?;
        self.events.emit(Event::Command {
            argv: command.clone(),
        });
        let started = Instant::now();
        let mut c = Command::new(&program);
        c.args(&cmd.args);
        for (k, v) in &cmd.env {
            c.env(k, v);
        }
        for k in &cmd.env_remove {
            c.env_remove(k);
        }
        if let Some(d) = &cmd.cwd {
            c.current_dir(d);
        }
        c.stdin(if cmd.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        if inherit {
            // The test runner stays in our process group: a terminal Ctrl-C reaches it
            // directly and it cancels gracefully.
            c.stdout(Stdio::inherit()).stderr(Stdio::inherit());
        } else {
            // Tools get their own process group so Ctrl-C cleanup can stop a tool and its
            // children (a shell wrapper's `sleep`, helm's plugins) together.
            use std::os::unix::process::CommandExt;
            c.stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .process_group(0);
        }
        let io = |source| ExecError::Io {
            command: command.clone(),
            source,
        };
        let mut child = c.spawn().map_err(io)?;
        if let Some(input) = &cmd.stdin {
            let mut stdin = child.stdin.take();
            let input = input.clone();
            std::thread::spawn(move || {
                if let Some(s) = stdin.as_mut() {
                    let _ = s.write_all(&input);
                }
            });
        }
        let out_t = child.stdout.take().map(reader);
        let err_t = child.stderr.take().map(reader);
        let status = wait_cancellable(&mut child, &self.cancel, inherit).map_err(io)?;
        let code = match status {
            Some(s) => s.code(),
            // Do not wait for the output readers: an orphaned grandchild may hold the pipes.
            None => return Err(ExecError::Interrupted { command }),
        };
        let stdout = out_t
            .map(|t| t.join().unwrap_or_default())
            .unwrap_or_default();
        let stderr = err_t
            .map(|t| t.join().unwrap_or_default())
            .unwrap_or_default();
        self.events.emit(Event::CommandDone {
            argv: command,
            code,
            elapsed_ms: started.elapsed().as_millis() as u64,
        });
        Ok(Output {
            code,
            stdout,
            stderr,
        })
    }
}

fn reader<R: Read + Send + 'static>(mut r: R) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// Waits for `child`; on cancellation stops it and returns `None`: a tool's process group gets
/// SIGTERM, then SIGKILL after 5 s; the test runner gets SIGINT (what a terminal sends) and 15 s
/// to cancel its tests gracefully.
fn wait_cancellable(
    child: &mut Child,
    cancel: &Cancel,
    runner: bool,
) -> std::io::Result<Option<std::process::ExitStatus>> {
    let mut delay = Duration::from_micros(200);
    loop {
        if let Some(s) = child.try_wait()? {
            return Ok(Some(s));
        }
        if cancel.is_set() {
            terminate(child, runner);
            return Ok(None);
        }
        std::thread::sleep(delay);
        delay = (delay * 2).min(Duration::from_millis(20));
    }
}

fn terminate(child: &mut Child, runner: bool) {
    let (target, sig, grace) = match i32::try_from(child.id()) {
        Ok(pid) if runner => (pid, libc::SIGINT, Duration::from_secs(15)),
        Ok(pid) => (-pid, libc::SIGTERM, Duration::from_secs(5)),
        Err(_) => (0, 0, Duration::ZERO),
    };
    if target != 0 {
        // SAFETY: signals a child (or its process group) that we spawned and have not reaped.
        unsafe {
            libc::kill(target, sig);
        }
    }
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    if target < 0 {
        // SAFETY: as above.
        unsafe {
            libc::kill(target, libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Looks `program` up in the `PATH`-style list `path`.
pub fn which_in(program: &OsStr, path: Option<OsString>) -> Option<PathBuf> {
    let p = Path::new(program);
    if p.components().count() > 1 {
        return p.is_file().then(|| p.to_path_buf());
    }
    let path = path?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|c| is_executable(c))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_quotes_only_when_needed() {
        let c = Cmd::new("helm").args(["upgrade", "--set", "a=b c", "x'y"]);
        assert_eq!(c.display(), r"helm upgrade --set 'a=b c' 'x'\''y'");
    }

    #[test]
    fn run_captures_and_reports_exit_code() {
        let exec = Exec::new(Cancel::new(), Events::null());
        let out = exec
            .run(&Cmd::new("sh").args(["-c", "echo out; echo err >&2; exit 3"]))
            .unwrap();
        assert_eq!(out.code, Some(3));
        assert_eq!(out.stdout, "out\n");
        assert_eq!(out.stderr, "err\n");
        assert_eq!(out.message(), "err");
    }

    #[test]
    fn missing_program_is_not_found() {
        let exec = Exec::new(Cancel::new(), Events::null());
        let e = exec
            .run(&Cmd::new("definitely-not-a-tool-kindtest"))
            .unwrap_err();
        assert!(matches!(e, ExecError::NotFound { .. }), "{e}");
    }

    #[test]
    fn cancel_stops_a_running_command() {
        let cancel = Cancel::new();
        let exec = Exec::new(cancel.clone(), Events::null());
        let c2 = cancel.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            c2.set();
        });
        let t = Instant::now();
        let e = exec.run(&Cmd::new("sleep").arg("30")).unwrap_err();
        assert!(matches!(e, ExecError::Interrupted { .. }));
        assert!(t.elapsed() < Duration::from_secs(5));
    }
}
