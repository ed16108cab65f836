//! Process supervision: every component runs in its own process group, is killed when the
//! owning process dies (`PR_SET_PDEATHSIG`), and is stopped group-wise (SIGTERM, then SIGKILL).
//!
//! `PR_SET_PDEATHSIG` fires when the *thread* that forked the child exits, not the process.
//! Planes are often started from a test thread that ends long before the plane is stopped,
//! so children are forked from one dedicated spawner thread that lives as long as the process.
//!
//! Detached planes (left running for the next `cargo kindtest` run) are instead started in a
//! new session without a parent-death signal and are found again by pid from their state
//! file; [`Proc::Adopted`] stops those.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::Error;

type SpawnJob = (Command, mpsc::Sender<std::io::Result<Child>>);

fn spawner() -> &'static Mutex<mpsc::Sender<SpawnJob>> {
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<SpawnJob>>> = OnceLock::new();
    SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnJob>();
        std::thread::Builder::new()
            .name("controlplane-spawner".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    let _ = reply.send(cmd.spawn());
                }
            })
            .expect("spawning the controlplane-spawner thread");
        Mutex::new(tx)
    })
}

/// How a component is started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Own process group, SIGKILLed when this process dies.
    Owned,
    /// New session, survives this process (stopped later by pid).
    Detached,
}

/// One running component.
#[derive(Debug)]
pub(crate) enum Proc {
    /// Our child.
    Child {
        name: String,
        child: Child,
        log: PathBuf,
    },
    /// A process of a detached plane found again by pid.
    Adopted {
        name: String,
        pid: u32,
        log: PathBuf,
    },
}

impl Proc {
    pub(crate) fn name(&self) -> &str {
        match self {
            Proc::Child { name, .. } | Proc::Adopted { name, .. } => name,
        }
    }

    pub(crate) fn pid(&self) -> u32 {
        match self {
            Proc::Child { child, .. } => child.id(),
            Proc::Adopted { pid, .. } => *pid,
        }
    }

    pub(crate) fn log(&self) -> &Path {
        match self {
            Proc::Child { log, .. } | Proc::Adopted { log, .. } => log,
        }
    }

    /// Starts `program args…` with stdout and stderr appended to `log`.
    pub(crate) fn spawn(
        name: &str,
        program: &Path,
        args: &[String],
        cwd: &Path,
        log: PathBuf,
        mode: Mode,
    ) -> Result<Proc, Error> {
        use std::os::unix::process::CommandExt;
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .map_err(|e| Error::io(&log, e))?;
        let err = out.try_clone().map_err(|e| Error::io(&log, e))?;
        let mut cmd = Command::new(program);
        cmd.args(args)
            .current_dir(cwd)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        let parent = std::process::id() as libc::pid_t;
        match mode {
            Mode::Owned => {
                cmd.process_group(0);
                // SAFETY: only async-signal-safe calls (prctl, getppid, _exit) between fork and exec.
                unsafe {
                    cmd.pre_exec(move || {
                        if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) != 0
                        {
                            return Err(std::io::Error::last_os_error());
                        }
                        // The parent may have died before prctl took effect.
                        if libc::getppid() != parent {
                            libc::_exit(1);
                        }
                        Ok(())
                    });
                }
            }
            Mode::Detached => {
                // SAFETY: setsid is async-signal-safe.
                unsafe {
                    cmd.pre_exec(|| {
                        if libc::setsid() < 0 {
                            return Err(std::io::Error::last_os_error());
                        }
                        Ok(())
                    });
                }
            }
        }
        let (tx, rx) = mpsc::channel();
        let sent = spawner()
            .lock()
            .map_err(|_| Error::Spawn {
                name: name.into(),
                message: "spawner lock poisoned".into(),
            })?
            .send((cmd, tx));
        let spawn_failed = |message: String| Error::Spawn {
            name: name.into(),
            message: format!("{}: {message}", program.display()),
        };
        if sent.is_err() {
            return Err(spawn_failed("spawner thread is gone".into()));
        }
        let child = rx
            .recv()
            .map_err(|_| spawn_failed("spawner thread is gone".into()))?
            .map_err(|e| spawn_failed(e.to_string()))?;
        Ok(Proc::Child {
            name: name.into(),
            child,
            log,
        })
    }

    /// `Some(description)` if the process has exited.
    pub(crate) fn exited(&mut self) -> Option<String> {
        match self {
            Proc::Child { child, .. } => match child.try_wait() {
                Ok(Some(status)) => Some(status.to_string()),
                Ok(None) => None,
                Err(e) => Some(e.to_string()),
            },
            Proc::Adopted { pid, .. } => (!pid_alive(*pid)).then(|| "gone".to_string()),
        }
    }

    /// SIGTERM to the process group, up to `grace` to exit, then SIGKILL. Idempotent.
    pub(crate) fn stop(&mut self, grace: Duration) {
        self.signal(libc::SIGTERM);
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if self.exited().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        if self.exited().is_none() {
            self.signal(libc::SIGKILL);
        }
        match self {
            Proc::Child { child, .. } => {
                let _ = child.wait();
            }
            Proc::Adopted { pid, .. } => {
                let deadline = Instant::now() + Duration::from_secs(5);
                while pid_alive(*pid) && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
    }

    /// Sends `sig` to the whole process group led by this process (each component is a group
    /// leader), falling back to the pid alone.
    pub(crate) fn signal(&self, sig: libc::c_int) {
        signal_group(self.pid(), sig);
    }
}

/// Sends `sig` to the process group `pid` leads, or to `pid` if it leads none.
pub(crate) fn signal_group(pid: u32, sig: libc::c_int) {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return;
    };
    if pid <= 1 {
        return;
    }
    // SAFETY: plain syscalls with checked arguments.
    unsafe {
        if libc::kill(-pid, sig) != 0 {
            libc::kill(pid, sig);
        }
    }
}

/// Whether `pid` names a live (not zombie) process.
pub fn pid_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // state is the first field after the parenthesised command name
        Ok(stat) => stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

/// The command line of `pid` (NUL-separated arguments joined by spaces), if readable.
pub fn pid_cmdline(pid: u32) -> Option<String> {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    Some(
        raw.split(|b| *b == 0)
            .filter(|s| !s.is_empty())
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Pids of live processes whose command line contains `needle` (e.g. a plane's state dir).
/// Used to prove that nothing of a plane is left running.
pub fn pids_mentioning(needle: &str) -> Vec<u32> {
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut pids: Vec<u32> = entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| *pid != me)
        .filter(|pid| pid_alive(*pid))
        .filter(|pid| pid_cmdline(*pid).is_some_and(|c| c.contains(needle)))
        .collect();
    pids.sort_unstable();
    pids
}

/// The last `n` lines of a log file (for error messages).
pub(crate) fn tail(path: &Path, n: usize) -> String {
    let Ok(text) = std::fs::read(path) else {
        return String::new();
    };
    let text = String::from_utf8_lossy(&text);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_child_is_stopped_with_its_group() {
        let dir = crate::testutil::tempdir("proc");
        // sh starts a grandchild (sleep) in the same group; stopping must take both.
        let mut p = Proc::spawn(
            "sleeper",
            Path::new("/bin/sh"),
            &["-c".into(), "sleep 300 & wait".into()],
            &dir,
            dir.join("sleeper.log"),
            Mode::Owned,
        )
        .unwrap();
        let pid = p.pid();
        std::thread::sleep(Duration::from_millis(200));
        let marker = format!("{pid}");
        assert!(pid_alive(pid));
        assert!(p.exited().is_none());
        let t = Instant::now();
        p.stop(Duration::from_secs(5));
        assert!(t.elapsed() < Duration::from_secs(5));
        assert!(!pid_alive(pid), "{marker} still alive");
        // the grandchild `sleep 300` was in the group too
        let leftovers: Vec<u32> = pids_mentioning("sleep 300")
            .into_iter()
            .filter(|p| {
                std::fs::read_to_string(format!("/proc/{p}/stat"))
                    .is_ok_and(|s| s.split_whitespace().nth(4) == Some(marker.as_str()))
            })
            .collect();
        assert!(leftovers.is_empty(), "left running: {leftovers:?}");
        p.stop(Duration::from_secs(1)); // idempotent
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn sigterm_ignoring_child_is_killed_after_grace() {
        let dir = crate::testutil::tempdir("proc-kill");
        let mut p = Proc::spawn(
            "stubborn",
            Path::new("/bin/sh"),
            &[
                "-c".into(),
                "trap '' TERM; while :; do sleep 0.05; done".into(),
            ],
            &dir,
            dir.join("stubborn.log"),
            Mode::Owned,
        )
        .unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let t = Instant::now();
        p.stop(Duration::from_millis(300));
        assert!(t.elapsed() >= Duration::from_millis(300));
        assert!(!pid_alive(p.pid()));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn spawn_errors_name_the_component() {
        let dir = crate::testutil::tempdir("proc-missing");
        let err = Proc::spawn(
            "etcd",
            Path::new("/nonexistent/etcd"),
            &[],
            &dir,
            dir.join("etcd.log"),
            Mode::Owned,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("etcd") && err.contains("/nonexistent/etcd"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn tail_keeps_last_lines() {
        let dir = crate::testutil::tempdir("tail");
        let f = dir.join("log");
        std::fs::write(&f, "a\nb\nc\nd\n").unwrap();
        assert_eq!(tail(&f, 2), "c\nd");
        assert_eq!(tail(&dir.join("missing"), 2), "");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
