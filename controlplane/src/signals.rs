//! Stopping every running plane on SIGINT, SIGTERM or SIGHUP.
//!
//! Owned planes register their component pids here. [`install_signal_handler`] starts a thread
//! that, on the first of those signals, stops all registered planes (reverse start order,
//! SIGTERM then SIGKILL) and then lets the signal take its default effect (the process dies
//! of it, so the exit status still says "interrupted"). Programs with their own handler can
//! skip it ([`crate::Builder::handle_signals`]`(false)`) and call [`stop_all`] themselves.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use crate::process::{pid_alive, signal_group};

fn live() -> &'static Mutex<BTreeMap<u64, Vec<u32>>> {
    static LIVE: OnceLock<Mutex<BTreeMap<u64, Vec<u32>>>> = OnceLock::new();
    LIVE.get_or_init(|| Mutex::new(BTreeMap::new()))
}

pub(crate) fn register(id: u64, pids: Vec<u32>) {
    if let Ok(mut map) = live().lock() {
        map.insert(id, pids);
    }
}

pub(crate) fn unregister(id: u64) {
    if let Ok(mut map) = live().lock() {
        map.remove(&id);
    }
}

/// Stops every plane this process started and has not stopped yet (components in reverse
/// start order; SIGTERM, up to 3 s, then SIGKILL). Safe to call from any thread; children are
/// not reaped here (the process is expected to exit next).
pub fn stop_all() {
    let planes: Vec<Vec<u32>> = match live().lock() {
        Ok(mut map) => std::mem::take(&mut *map).into_values().collect(),
        Err(_) => return,
    };
    for pids in planes {
        for pid in pids.into_iter().rev() {
            signal_group(pid, libc::SIGTERM);
            let deadline = std::time::Instant::now() + Duration::from_secs(3);
            while pid_alive(pid) && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            if pid_alive(pid) {
                signal_group(pid, libc::SIGKILL);
            }
        }
    }
}

/// Installs the SIGINT/SIGTERM/SIGHUP handler described in the module docs (once per process;
/// later calls do nothing).
pub fn install_signal_handler() -> std::io::Result<()> {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    let r = INSTALLED.get_or_init(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
            .map_err(|e| e.to_string())?;
        std::thread::Builder::new()
            .name("controlplane-signals".into())
            .spawn(move || {
                if let Some(sig) = signals.forever().next() {
                    eprintln!("[control-plane] signal {sig}: stopping the control plane");
                    stop_all();
                    let _ = signal_hook::low_level::emulate_default_handler(sig);
                    std::process::exit(128 + sig);
                }
            })
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    r.clone().map_err(std::io::Error::other)
}
