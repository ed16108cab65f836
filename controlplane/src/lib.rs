//! A real Kubernetes control plane with kwok nodes, run as local processes on loopback.
//!
//! etcd → kube-apiserver → kube-controller-manager + kube-scheduler → kwok, each gated on its
//! readiness, with a PKI and an admin kubeconfig generated in-process, fake nodes created from
//! configuration and kwok stages that make pods Ready and run-to-completion pods (Jobs, Helm
//! test hooks) Succeed — or fail or stay Pending on request ([`stages`]). The binaries come from
//! `scripts/build-control-plane.sh` (built from Go modules, cached by version; see [`bins`]).
//!
//! ```no_run
//! use controlplane::{ControlPlane, NodeConfig};
//! let plane = ControlPlane::builder()
//!     .nodes(2)
//!     .node_resource("nvidia.com/gpu", "4")
//!     .start()?;                        // blocks until every component is ready
//! std::process::Command::new("kubectl")
//!     .arg("--kubeconfig").arg(plane.kubeconfig_path())
//!     .args(["get", "nodes"])
//!     .status()?;
//! plane.stop()?;                        // reverse order; also on Drop
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Processes
//! Every component runs in its own process group with `PR_SET_PDEATHSIG=SIGKILL`, so a
//! SIGKILLed owner never leaves etcd behind; [`ControlPlane::stop`] and `Drop` stop components
//! in reverse start order (SIGTERM, then SIGKILL after a grace period), and the SIGINT/SIGTERM/
//! SIGHUP handler (installed by [`Builder::start`] unless [`Builder::handle_signals`]`(false)`)
//! stops every plane before the process dies. A *detached* plane ([`Builder::detached`])
//! instead outlives its starter (for reuse across `cargo kindtest` runs): it is found again with
//! [`ControlPlane::attach`] and stopped with [`ControlPlane::stop`] or [`stop_detached`].
//!
//! # Network
//! Everything listens on 127.0.0.1 with ports picked free at start. The apiserver dials other
//! addresses only for admission/conversion webhooks and aggregated APIServices (Service IPs in
//! `10.96.0.0/16`, never reachable here: there is no kube-proxy or CNI) — charts that install
//! them must disable them through values (e.g. `webhook.enabled=false`, `metrics-server`
//! APIService off), or the apiserver's calls to them fail (`failurePolicy: Fail` webhooks then
//! reject requests). Nodes report `localhost` as their address, so `kubectl logs/exec` reach
//! kwok's own loopback server, never a real kubelet.
//!
//! # State directory
//! `pki/`, `etcd/`, `logs/<component>.log`, `kubeconfig` (self-contained), `kwok-stages.yaml`,
//! `nodes.json`, `scheduler.yaml` and `plane.json` (pids, ports; used by [`ControlPlane::attach`]).
//! A temporary state directory is removed on stop; a caller-chosen one keeps its logs.

#![warn(missing_docs)]

pub mod bins;
mod kubeconfig;
pub mod nodes;
pub mod pki;
mod process;
mod signals;
pub mod stages;

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub use bins::{BUILD_SCRIPT, Binaries};
pub use kubeconfig::CONTEXT_NAME;
pub use nodes::NodeConfig;
pub use process::{pid_alive, pids_mentioning};
pub use signals::{install_signal_handler, stop_all};
pub use stages::{Stage, StageSet};

use process::{Mode, Proc};

/// Errors starting, probing or stopping a plane.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The binaries are missing (the message names `scripts/build-control-plane.sh`).
    #[error("{0}")]
    BinariesNotFound(String),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// Generating certificates failed.
    #[error("generating the control plane's PKI: {0}")]
    Pki(String),
    /// Bad configuration (stage files, state directory in use).
    #[error("{0}")]
    Config(String),
    /// A component could not be started.
    #[error("starting {name}: {message}")]
    Spawn {
        /// Component.
        name: String,
        /// Cause.
        message: String,
    },
    /// A component exited during start-up.
    #[error("{name} exited during start-up ({status}); last lines of {}:\n{tail}", log.display())]
    Exited {
        /// Component.
        name: String,
        /// Exit status.
        status: String,
        /// Its log file.
        log: PathBuf,
        /// The log's last lines.
        tail: String,
    },
    /// A readiness gate timed out.
    #[error("{what} not ready after {secs}s: {detail}\n  log: {}\n{tail}", log.display())]
    NotReady {
        /// What was waited for.
        what: String,
        /// Seconds waited.
        secs: u64,
        /// Last probe result.
        detail: String,
        /// Log of the component concerned.
        log: PathBuf,
        /// The log's last lines.
        tail: String,
    },
    /// The cancel check ([`Builder::cancel_when`]) fired during start-up.
    #[error("control plane start-up interrupted")]
    Interrupted,
    /// A kubectl call failed.
    #[error("`kubectl {args}` failed: {message}")]
    Kubectl {
        /// Arguments.
        args: String,
        /// Its stderr.
        message: String,
    },
}

impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// Whether a component exited because one of its ports was taken (start-up picks ports
    /// that are free at the time, and binds them later).
    pub fn is_port_taken(&self) -> bool {
        matches!(self, Error::Exited { tail, .. } if tail.contains("address already in use"))
    }
}

/// Loopback ports of one plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Ports {
    /// etcd client port.
    pub etcd: u16,
    /// etcd peer port.
    pub etcd_peer: u16,
    /// kube-apiserver secure port.
    pub apiserver: u16,
    /// kube-controller-manager secure (health) port.
    pub controller_manager: u16,
    /// kube-scheduler secure (health) port.
    pub scheduler: u16,
    /// kwok's kubelet-like server (logs/exec/port-forward).
    pub kwok: u16,
}

impl Ports {
    fn pick() -> Result<Self, Error> {
        // Hold all listeners at once so the six ports differ, then release them.
        let listeners: Vec<TcpListener> = (0..6)
            .map(|_| TcpListener::bind(("127.0.0.1", 0)))
            .collect::<Result<_, _>>()
            .map_err(|e| Error::Config(format!("no free loopback port: {e}")))?;
        let p: Vec<u16> = listeners
            .iter()
            .map(|l| l.local_addr().map(|a| a.port()).unwrap_or(0))
            .collect();
        Ok(Ports {
            etcd: p[0],
            etcd_peer: p[1],
            apiserver: p[2],
            controller_manager: p[3],
            scheduler: p[4],
            kwok: p[5],
        })
    }
}

/// What `plane.json` records.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct PlaneFile {
    detached: bool,
    ports: Ports,
    server: String,
    nodes: Vec<String>,
    kubernetes_version: String,
    /// (component, pid) in start order.
    processes: Vec<(String, u32)>,
}

/// Configures and starts a [`ControlPlane`].
#[derive(Debug, Clone)]
pub struct Builder {
    bin_dir: Option<PathBuf>,
    binaries: Option<Binaries>,
    node_count: usize,
    nodes: Vec<NodeConfig>,
    common_resources: BTreeMap<String, String>,
    state_dir: Option<PathBuf>,
    stages: StageSet,
    timeout: Duration,
    detached: bool,
    handle_signals: bool,
    quiet: bool,
    context_name: String,
    coredns: bool,
    cancel: Cancel,
    sink: Sink,
}

/// Where progress lines go (stderr unless replaced or quiet).
#[derive(Clone, Default)]
struct Sink(Option<std::sync::Arc<ProgressFn>>);

type ProgressFn = dyn Fn(&str) + Send + Sync;

impl Sink {
    /// A progress line: to the sink if one is set, else `[control-plane] …` on stderr.
    fn say(&self, quiet: bool, msg: &str) {
        if quiet {
            return;
        }
        match &self.0 {
            Some(f) => f(msg),
            None => eprintln!("[control-plane] {msg}"),
        }
    }
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sink")
    }
}

/// A "stop now" check polled while waiting for readiness.
#[derive(Clone, Default)]
struct Cancel(Option<std::sync::Arc<CancelFn>>);

type CancelFn = dyn Fn() -> bool + Send + Sync;

impl std::fmt::Debug for Cancel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Cancel(Some)"
        } else {
            "Cancel(None)"
        })
    }
}

impl Cancel {
    fn is_set(&self) -> bool {
        self.0.as_ref().is_some_and(|f| f())
    }
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            bin_dir: None,
            binaries: None,
            node_count: 1,
            nodes: Vec::new(),
            common_resources: BTreeMap::new(),
            state_dir: None,
            stages: StageSet::default(),
            timeout: Duration::from_secs(120),
            detached: false,
            handle_signals: true,
            quiet: false,
            context_name: CONTEXT_NAME.to_string(),
            coredns: false,
            cancel: Cancel::default(),
            sink: Sink::default(),
        }
    }
}

impl Builder {
    /// Takes all binaries from `dir` (else [`Binaries::locate`]: `KINDTEST_CONTROL_PLANE_BIN`,
    /// `PATH`, the build script's cache).
    pub fn bin_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.bin_dir = Some(dir.into());
        self
    }

    /// Uses binaries found elsewhere.
    pub fn binaries(mut self, bins: Binaries) -> Self {
        self.binaries = Some(bins);
        self
    }

    /// Number of identical fake nodes (default 1); ignored once [`Builder::node`] was called.
    pub fn nodes(mut self, n: usize) -> Self {
        self.node_count = n;
        self
    }

    /// Adds one node with its own labels and resources (replaces the [`Builder::nodes`] count).
    pub fn node(mut self, node: NodeConfig) -> Self {
        self.nodes.push(node);
        self
    }

    /// Sets a resource on every node (`nvidia.com/gpu` → `"8"`, `cpu` → `"16"`); per-node values win.
    pub fn node_resource(mut self, name: impl Into<String>, quantity: impl Into<String>) -> Self {
        self.common_resources.insert(name.into(), quantity.into());
        self
    }

    /// Sets several resources on every node.
    pub fn node_resources<K: Into<String>, V: Into<String>>(
        mut self,
        resources: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        for (k, v) in resources {
            self.common_resources.insert(k.into(), v.into());
        }
        self
    }

    /// Keeps state (PKI, etcd data, logs, kubeconfig) in `dir` instead of a temporary
    /// directory removed on stop. etcd data and `plane.json` of an earlier plane are replaced.
    pub fn state_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.state_dir = Some(dir.into());
        self
    }

    /// The kwok stages (default [`StageSet::default`]).
    pub fn stages(mut self, stages: StageSet) -> Self {
        self.stages = stages;
        self
    }

    /// Overall start-up budget (default 120 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Leaves the plane running when the `ControlPlane` value is dropped or this process exits
    /// (new session, no parent-death signal). Requires [`Builder::state_dir`].
    pub fn detached(mut self, detached: bool) -> Self {
        self.detached = detached;
        self
    }

    /// Whether [`Builder::start`] installs the SIGINT/SIGTERM/SIGHUP handler (default true;
    /// never for detached planes).
    pub fn handle_signals(mut self, on: bool) -> Self {
        self.handle_signals = on;
        self
    }

    /// Name of the cluster, user and context in the kubeconfig (default [`CONTEXT_NAME`]).
    pub fn context_name(mut self, name: impl Into<String>) -> Self {
        self.context_name = name.into();
        self
    }

    /// Also runs what a kind cluster has in `kube-system`: a `coredns` Deployment (pods
    /// simulated by kwok; nothing answers DNS) and the `kube-dns` Service on `10.96.0.10`, and
    /// waits until the Deployment is Available. Off by default.
    pub fn coredns(mut self, on: bool) -> Self {
        self.coredns = on;
        self
    }

    /// Polled while waiting: when it returns true, start-up stops what it started and fails
    /// with [`Error::Interrupted`] (for programs that handle Ctrl-C themselves).
    pub fn cancel_when(mut self, check: impl Fn() -> bool + Send + Sync + 'static) -> Self {
        self.cancel = Cancel(Some(std::sync::Arc::new(check)));
        self
    }

    /// Sends progress lines ("etcd ready (0.9s)") to `sink` instead of stderr.
    pub fn progress_to(mut self, sink: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.sink = Sink(Some(std::sync::Arc::new(sink)));
        self
    }

    /// Silences the `[control-plane] …` progress lines on stderr.
    pub fn quiet(mut self, quiet: bool) -> Self {
        self.quiet = quiet;
        self
    }

    fn node_list(&self) -> Vec<NodeConfig> {
        let mut nodes = if self.nodes.is_empty() {
            vec![NodeConfig::new(); self.node_count]
        } else {
            self.nodes.clone()
        };
        for n in &mut nodes {
            for (k, v) in &self.common_resources {
                n.resources.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        nodes
    }

    /// Starts the plane and waits until it is ready: etcd healthy, apiserver `/readyz`,
    /// controller-manager and scheduler `/healthz`, the `default` ServiceAccount created, and
    /// every node Ready without the not-ready taint. On failure everything started is stopped;
    /// a start-up that failed because another process took one of its ports in the meantime
    /// is repeated on new ports (three attempts in all, within the same timeout).
    pub fn start(self) -> Result<ControlPlane, Error> {
        let t0 = Instant::now();
        let bins = match (&self.binaries, &self.bin_dir) {
            (Some(b), _) => b.clone(),
            (None, dir) => Binaries::locate(dir.as_deref())?,
        };
        if self.detached && self.state_dir.is_none() {
            return Err(Error::Config(
                "a detached control plane needs a state directory".into(),
            ));
        }
        if self.handle_signals && !self.detached {
            install_signal_handler().map_err(|e| Error::Config(format!("signal handler: {e}")))?;
        }
        let nodes = self.node_list();
        // Ports are picked free but bound seconds later by the components; another process
        // can take one meanwhile (the kernel hands the same range out for outgoing
        // connections). Such a start-up is repeated on new ports, twice at most.
        let mut attempt = 1;
        loop {
            match self.start_once(bins.clone(), &nodes, t0) {
                Err(e) if e.is_port_taken() && attempt < 3 => {
                    attempt += 1;
                    self.sink.say(
                        self.quiet,
                        &format!(
                            "a port was taken by another process meanwhile; starting again on new ports (attempt {attempt} of 3)"
                        ),
                    );
                }
                r => return r,
            }
        }
    }

    /// One start-up attempt of [`Builder::start`] on freshly picked ports.
    fn start_once(
        &self,
        bins: Binaries,
        nodes: &[NodeConfig],
        t0: Instant,
    ) -> Result<ControlPlane, Error> {
        let (state_dir, temporary) = match &self.state_dir {
            Some(d) => (d.clone(), false),
            None => (temp_state_dir()?, true),
        };
        prepare_state_dir(&state_dir)?;
        let state_dir = state_dir
            .canonicalize()
            .map_err(|e| Error::io(&state_dir, e))?;
        let mut plane = ControlPlane {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            ports: Ports::pick()?,
            kubeconfig: state_dir.join("kubeconfig"),
            state_dir,
            temporary,
            bins,
            procs: Vec::new(),
            node_names: nodes
                .iter()
                .enumerate()
                .map(|(i, n)| nodes::node_name(n, i))
                .collect(),
            detached: self.detached,
            quiet: self.quiet,
            stopped: false,
            startup: Duration::ZERO,
            cancel: self.cancel.clone(),
            sink: self.sink.clone(),
        };
        match plane.boot(self, nodes, t0) {
            Ok(()) => {
                plane.startup = t0.elapsed();
                plane.progress(&format!(
                    "ready in {:.1}s: {} ({} node{}), kubeconfig {}",
                    plane.startup.as_secs_f64(),
                    plane.server_url(),
                    plane.node_names.len(),
                    if plane.node_names.len() == 1 { "" } else { "s" },
                    plane.kubeconfig.display()
                ));
                Ok(plane)
            }
            Err(e) => {
                plane.progress("start-up failed; stopping what was started");
                plane.shutdown();
                Err(e)
            }
        }
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn temp_state_dir() -> Result<PathBuf, Error> {
    let base = std::env::temp_dir();
    for i in 0..1000u32 {
        let dir = base.join(format!(
            "kindtest-cp-{}-{}-{i}",
            std::process::id(),
            NEXT_ID.load(Ordering::Relaxed)
        ));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io(&dir, e)),
        }
    }
    Err(Error::Config(format!(
        "could not create a state directory under {}",
        base.display()
    )))
}

/// Makes `dir` ready for a fresh plane: refuses one whose plane still runs, clears old etcd
/// data, logs and the state file.
fn prepare_state_dir(dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    if let Some(file) = read_plane_file(dir)? {
        let live: Vec<String> = live_processes(dir, &file)
            .into_iter()
            .map(|(n, p)| format!("{n} (pid {p})"))
            .collect();
        if !live.is_empty() {
            return Err(Error::Config(format!(
                "a control plane is still running in {}: {}; stop it first",
                dir.display(),
                live.join(", ")
            )));
        }
    }
    for sub in ["etcd", "logs", "apiserver"] {
        let p = dir.join(sub);
        if p.exists() {
            std::fs::remove_dir_all(&p).map_err(|e| Error::io(&p, e))?;
        }
    }
    let f = dir.join(PLANE_FILE);
    if f.exists() {
        std::fs::remove_file(&f).map_err(|e| Error::io(&f, e))?;
    }
    std::fs::create_dir_all(dir.join("logs")).map_err(|e| Error::io(dir, e))
}

const PLANE_FILE: &str = "plane.json";

fn read_plane_file(dir: &Path) -> Result<Option<PlaneFile>, Error> {
    let path = dir.join(PLANE_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| Error::Config(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(&path, e)),
    }
}

/// Processes of `file` that still run *and* whose command line mentions `dir` (pid reuse guard).
fn live_processes(dir: &Path, file: &PlaneFile) -> Vec<(String, u32)> {
    let needle = dir.to_string_lossy();
    file.processes
        .iter()
        .filter(|(_, pid)| {
            pid_alive(*pid) && process::pid_cmdline(*pid).is_some_and(|c| c.contains(&*needle))
        })
        .cloned()
        .collect()
}

/// Stops the detached plane recorded in `state_dir` (if any process of it still runs).
/// Returns whether anything was stopped.
pub fn stop_detached(state_dir: &Path) -> Result<bool, Error> {
    let Ok(dir) = state_dir.canonicalize() else {
        return Ok(false);
    };
    let Some(file) = read_plane_file(&dir)? else {
        return Ok(false);
    };
    let live = live_processes(&dir, &file);
    for (name, pid) in live.iter().rev() {
        let mut p = Proc::Adopted {
            name: name.clone(),
            pid: *pid,
            log: dir.join("logs").join(format!("{name}.log")),
        };
        p.stop(Duration::from_secs(5));
    }
    let f = dir.join(PLANE_FILE);
    let _ = std::fs::remove_file(&f);
    Ok(!live.is_empty())
}

/// A running control plane. Stopped by [`ControlPlane::stop`] or on drop (unless detached).
#[derive(Debug)]
pub struct ControlPlane {
    id: u64,
    ports: Ports,
    state_dir: PathBuf,
    temporary: bool,
    kubeconfig: PathBuf,
    bins: Binaries,
    procs: Vec<Proc>,
    node_names: Vec<String>,
    detached: bool,
    quiet: bool,
    stopped: bool,
    startup: Duration,
    cancel: Cancel,
    sink: Sink,
}

impl ControlPlane {
    /// A builder with defaults: one node, binaries located by [`Binaries::locate`], a
    /// temporary state directory, the default stages, a 120 s budget.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// The admin kubeconfig (context [`CONTEXT_NAME`], user in `system:masters`).
    pub fn kubeconfig_path(&self) -> &Path {
        &self.kubeconfig
    }

    /// `https://127.0.0.1:<port>`.
    pub fn server_url(&self) -> String {
        format!("https://127.0.0.1:{}", self.ports.apiserver)
    }

    /// The ports in use.
    pub fn ports(&self) -> Ports {
        self.ports
    }

    /// The state directory (PKI, logs, etcd data).
    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    /// The binaries in use.
    pub fn binaries(&self) -> &Binaries {
        &self.bins
    }

    /// Names of the fake nodes.
    pub fn node_names(&self) -> &[String] {
        &self.node_names
    }

    /// (component, pid) of every running component, in start order.
    pub fn pids(&self) -> Vec<(String, u32)> {
        self.procs
            .iter()
            .map(|p| (p.name().to_string(), p.pid()))
            .collect()
    }

    /// How long [`Builder::start`] took (zero for an attached plane).
    pub fn startup_time(&self) -> Duration {
        self.startup
    }

    /// Whether this plane outlives its `ControlPlane` value.
    pub fn is_detached(&self) -> bool {
        self.detached
    }

    /// A `kubectl` command (from the plane's bin dir) already pointed at this plane.
    pub fn kubectl(&self) -> Command {
        let mut c = Command::new(&self.bins.kubectl);
        c.arg("--kubeconfig").arg(&self.kubeconfig);
        c
    }

    /// Runs `kubectl ARGS…` against the plane and returns its stdout.
    pub fn kubectl_output<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Result<String, Error> {
        run_kubectl(&self.bins.kubectl, &self.kubeconfig, args)
    }

    /// Finds the detached plane recorded in `state_dir` again. `Ok(None)` when there is none,
    /// when any of its processes is gone, or when its apiserver does not answer `/readyz`.
    pub fn attach(state_dir: &Path, bins: Binaries) -> Result<Option<ControlPlane>, Error> {
        let Ok(dir) = state_dir.canonicalize() else {
            return Ok(None);
        };
        let Some(file) = read_plane_file(&dir)? else {
            return Ok(None);
        };
        if !file.detached {
            return Ok(None);
        }
        let live = live_processes(&dir, &file);
        if live.len() != file.processes.len() {
            return Ok(None);
        }
        let kubeconfig = dir.join("kubeconfig");
        match run_kubectl(
            &bins.kubectl,
            &kubeconfig,
            &["get", "--raw", "/readyz", "--request-timeout=5s"],
        ) {
            Ok(out) if out.trim() == "ok" => {}
            _ => return Ok(None),
        }
        let procs = live
            .into_iter()
            .map(|(name, pid)| Proc::Adopted {
                log: dir.join("logs").join(format!("{name}.log")),
                name,
                pid,
            })
            .collect();
        Ok(Some(ControlPlane {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            ports: file.ports,
            kubeconfig,
            state_dir: dir,
            temporary: false,
            bins,
            procs,
            node_names: file.nodes,
            detached: true,
            quiet: true,
            stopped: false,
            startup: Duration::ZERO,
            cancel: Cancel::default(),
            sink: Sink::default(),
        }))
    }

    /// Stops every component in reverse start order (SIGTERM, then SIGKILL after 5 s) and
    /// removes a temporary state directory. Also stops a detached plane.
    pub fn stop(mut self) -> Result<(), Error> {
        self.shutdown();
        Ok(())
    }

    /// Leaves a detached plane running and forgets it (what dropping it also does).
    pub fn leave_running(mut self) {
        self.stopped = true;
    }

    fn progress(&self, msg: &str) {
        self.sink.say(self.quiet, msg);
    }

    fn shutdown(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        signals::unregister(self.id);
        // kwok, scheduler, controller-manager together; then the apiserver; then etcd.
        let core = ["etcd", "kube-apiserver"];
        for p in self.procs.iter().filter(|p| !core.contains(&p.name())) {
            p.signal(libc::SIGTERM);
        }
        while let Some(mut p) = self.procs.pop() {
            p.stop(Duration::from_secs(5));
        }
        let _ = std::fs::remove_file(self.state_dir.join(PLANE_FILE));
        if self.temporary {
            let _ = std::fs::remove_dir_all(&self.state_dir);
        }
        self.progress("stopped");
    }

    fn write_plane_file(&self) -> Result<(), Error> {
        let file = PlaneFile {
            detached: self.detached,
            ports: self.ports,
            server: self.server_url(),
            nodes: self.node_names.clone(),
            kubernetes_version: bins::KUBERNETES_VERSION.into(),
            processes: self.pids(),
        };
        let path = self.state_dir.join(PLANE_FILE);
        let text = serde_json::to_string_pretty(&file).unwrap_or_default();
        pki::write_file(&path, text.as_bytes(), false)
    }

    fn spawn(&mut self, name: &str, program: &Path, args: Vec<String>) -> Result<(), Error> {
        let log = self.state_dir.join("logs").join(format!("{name}.log"));
        let mode = if self.detached {
            Mode::Detached
        } else {
            Mode::Owned
        };
        let p = Proc::spawn(name, program, &args, &self.state_dir, log, mode)?;
        self.procs.push(p);
        if !self.detached {
            signals::register(self.id, self.procs.iter().map(Proc::pid).collect());
        }
        self.write_plane_file()
    }

    fn proc_log(&self, name: &str) -> PathBuf {
        self.state_dir.join("logs").join(format!("{name}.log"))
    }

    /// Polls `probe` until it returns `Ok(())`, failing early when a component exits.
    fn wait_for(
        &mut self,
        what: &str,
        component: &str,
        deadline: Instant,
        mut probe: impl FnMut(&Self) -> Result<(), String>,
    ) -> Result<(), Error> {
        let start = Instant::now();
        let mut delay = Duration::from_millis(50);
        loop {
            if self.cancel.is_set() {
                return Err(Error::Interrupted);
            }
            for p in &mut self.procs {
                if let Some(status) = p.exited() {
                    return Err(Error::Exited {
                        name: p.name().to_string(),
                        status,
                        log: p.log().to_path_buf(),
                        tail: process::tail(p.log(), 30),
                    });
                }
            }
            let last = match probe(self) {
                Ok(()) => {
                    self.progress(&format!("{what} ({:.1}s)", start.elapsed().as_secs_f64()));
                    return Ok(());
                }
                Err(e) => e,
            };
            if Instant::now() >= deadline {
                let log = self.proc_log(component);
                return Err(Error::NotReady {
                    what: what.to_string(),
                    secs: start.elapsed().as_secs(),
                    detail: last,
                    tail: process::tail(&log, 30),
                    log,
                });
            }
            std::thread::sleep(delay);
            delay = (delay * 2).min(Duration::from_millis(250));
        }
    }

    fn boot(&mut self, cfg: &Builder, nodes: &[NodeConfig], t0: Instant) -> Result<(), Error> {
        let deadline = t0 + cfg.timeout;
        let dir = self.state_dir.clone();
        let p = self.ports;
        self.progress(&format!(
            "starting Kubernetes {} (etcd {}, kwok {}) from {} in {}",
            bins::KUBERNETES_VERSION,
            bins::ETCD_VERSION,
            bins::KWOK_VERSION,
            self.bins
                .dir()
                .map(|d| d.display().to_string())
                .unwrap_or_default(),
            dir.display()
        ));

        // PKI, kubeconfigs, stage and scheduler config files.
        let pem = pki::generate_pem()?;
        let pki_dir = dir.join("pki");
        std::fs::create_dir_all(&pki_dir).map_err(|e| Error::io(&pki_dir, e))?;
        let pk = |f: &str| pki_dir.join(f).to_string_lossy().into_owned();
        for (f, text, secret) in [
            ("ca.crt", &pem.ca_crt, false),
            ("ca.key", &pem.ca_key, true),
            ("apiserver.crt", &pem.serving_crt, false),
            ("apiserver.key", &pem.serving_key, true),
            ("admin.crt", &pem.admin_crt, false),
            ("admin.key", &pem.admin_key, true),
            ("sa.key", &pem.sa_key, true),
            ("sa.pub", &pem.sa_pub, false),
        ] {
            pki::write_file(&pki_dir.join(f), text.as_bytes(), secret)?;
        }
        let kubeconfig = kubeconfig::render(&self.server_url(), &pem, &cfg.context_name);
        pki::write_file(&self.kubeconfig, kubeconfig.as_bytes(), true)?;
        let probe_kubeconfig = dir.join("probe.kubeconfig");
        pki::write_file(
            &probe_kubeconfig,
            kubeconfig::render_with(
                &self.server_url(),
                None,
                &pem.admin_crt,
                &pem.admin_key,
                "probe",
            )
            .as_bytes(),
            true,
        )?;
        let stages_file = dir.join("kwok-stages.yaml");
        pki::write_file(&stages_file, cfg.stages.render().as_bytes(), false)?;
        let kc = self.kubeconfig.to_string_lossy().into_owned();
        let sched_cfg = dir.join("scheduler.yaml");
        let sched_text = format!(
            "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nclientConnection:\n  kubeconfig: {}\nleaderElection:\n  leaderElect: false\n",
            serde_json::Value::String(kc.clone())
        );
        pki::write_file(&sched_cfg, sched_text.as_bytes(), false)?;

        // 1. etcd
        let etcd_dir = dir.join("etcd").to_string_lossy().into_owned();
        let client = format!("http://127.0.0.1:{}", p.etcd);
        let peer = format!("http://127.0.0.1:{}", p.etcd_peer);
        let etcd_bin = self.bins.etcd.clone();
        self.spawn(
            "etcd",
            &etcd_bin,
            vec![
                "--name=kindtest".into(),
                format!("--data-dir={etcd_dir}"),
                format!("--listen-client-urls={client}"),
                format!("--advertise-client-urls={client}"),
                format!("--listen-peer-urls={peer}"),
                format!("--initial-advertise-peer-urls={peer}"),
                format!("--initial-cluster=kindtest={peer}"),
                "--listen-metrics-urls=".into(),
                "--unsafe-no-fsync=true".into(),
                "--auto-compaction-retention=1".into(),
                "--quota-backend-bytes=2147483648".into(),
                "--log-level=warn".into(),
            ],
        )?;
        self.wait_for("etcd ready", "etcd", deadline, |_| {
            match http_get(p.etcd, "/health") {
                Ok((200, body)) if body.contains("\"true\"") => Ok(()),
                Ok((code, body)) => Err(format!("/health: {code} {body}")),
                Err(e) => Err(format!("/health: {e}")),
            }
        })?;

        // 2. kube-apiserver
        let apiserver_bin = self.bins.kube_apiserver.clone();
        self.spawn(
            "kube-apiserver",
            &apiserver_bin,
            vec![
                format!("--etcd-servers={client}"),
                "--bind-address=127.0.0.1".into(),
                format!("--secure-port={}", p.apiserver),
                "--advertise-address=127.0.0.1".into(),
                "--endpoint-reconciler-type=none".into(),
                format!("--tls-cert-file={}", pk("apiserver.crt")),
                format!("--tls-private-key-file={}", pk("apiserver.key")),
                format!("--client-ca-file={}", pk("ca.crt")),
                format!("--kubelet-certificate-authority={}", pk("ca.crt")),
                format!("--kubelet-client-certificate={}", pk("admin.crt")),
                format!("--kubelet-client-key={}", pk("admin.key")),
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local".into(),
                format!("--service-account-key-file={}", pk("sa.pub")),
                format!("--service-account-signing-key-file={}", pk("sa.key")),
                "--service-cluster-ip-range=10.96.0.0/16".into(),
                "--authorization-mode=Node,RBAC".into(),
                "--allow-privileged=true".into(),
                format!("--cert-dir={}", dir.join("apiserver").to_string_lossy()),
                "--profiling=false".into(),
                "--enable-priority-and-fairness=false".into(),
            ],
        )?;
        let kubectl = self.bins.kubectl.clone();
        let kubeconfig_path = self.kubeconfig.clone();
        self.wait_for("kube-apiserver ready", "kube-apiserver", deadline, |_| {
            tcp_open(p.apiserver)?;
            match run_kubectl(
                &kubectl,
                &kubeconfig_path,
                &["get", "--raw", "/readyz", "--request-timeout=5s"],
            ) {
                Ok(out) if out.trim() == "ok" => Ok(()),
                Ok(out) => Err(out),
                Err(e) => Err(e.to_string()),
            }
        })?;

        // 3. controller-manager, scheduler, kwok (independent of each other)
        let kcm_bin = self.bins.kube_controller_manager.clone();
        self.spawn(
            "kube-controller-manager",
            &kcm_bin,
            vec![
                format!("--kubeconfig={kc}"),
                "--bind-address=127.0.0.1".into(),
                format!("--secure-port={}", p.controller_manager),
                "--leader-elect=false".into(),
                format!("--service-account-private-key-file={}", pk("sa.key")),
                format!("--root-ca-file={}", pk("ca.crt")),
                format!("--cluster-signing-cert-file={}", pk("ca.crt")),
                format!("--cluster-signing-key-file={}", pk("ca.key")),
                "--use-service-account-credentials=false".into(),
                "--node-monitor-period=25s".into(),
                "--node-monitor-grace-period=3m20s".into(),
                "--profiling=false".into(),
            ],
        )?;
        let sched_bin = self.bins.kube_scheduler.clone();
        self.spawn(
            "kube-scheduler",
            &sched_bin,
            vec![
                format!("--config={}", sched_cfg.to_string_lossy()),
                "--bind-address=127.0.0.1".into(),
                format!("--secure-port={}", p.scheduler),
                "--profiling=false".into(),
            ],
        )?;
        let kwok_bin = self.bins.kwok.clone();
        self.spawn(
            "kwok",
            &kwok_bin,
            vec![
                format!("--kubeconfig={kc}"),
                format!("--config={}", stages_file.to_string_lossy()),
                "--manage-all-nodes=true".into(),
                "--cidr=10.244.0.0/16".into(),
                "--node-ip=127.0.0.1".into(),
                "--node-name=localhost".into(),
                format!("--node-port={}", p.kwok),
                format!("--server-address=127.0.0.1:{}", p.kwok),
                format!("--tls-cert-file={}", pk("apiserver.crt")),
                format!("--tls-private-key-file={}", pk("apiserver.key")),
                "--node-lease-duration-seconds=200".into(),
            ],
        )?;

        // 4. nodes
        let nodes_file = dir.join("nodes.json");
        pki::write_file(&nodes_file, nodes::render(nodes).as_bytes(), false)?;
        if !nodes.is_empty() {
            run_kubectl(
                &kubectl,
                &kubeconfig_path,
                &[
                    "create".as_ref(),
                    "-f".as_ref(),
                    nodes_file.as_os_str(),
                    "--request-timeout=30s".as_ref(),
                ],
            )?;
        }

        // 5. readiness of the rest
        for (what, component, port) in [
            (
                "kube-controller-manager healthy",
                "kube-controller-manager",
                p.controller_manager,
            ),
            ("kube-scheduler healthy", "kube-scheduler", p.scheduler),
        ] {
            let probe_kc = probe_kubeconfig.clone();
            let kubectl = kubectl.clone();
            self.wait_for(what, component, deadline, move |_| {
                tcp_open(port)?;
                let server = format!("--server=https://127.0.0.1:{port}");
                match run_kubectl(
                    &kubectl,
                    &probe_kc,
                    &[
                        server.as_str(),
                        "get",
                        "--raw",
                        "/healthz",
                        "--request-timeout=5s",
                    ],
                ) {
                    Ok(out) if out.trim() == "ok" => Ok(()),
                    Ok(out) => Err(out),
                    Err(e) => Err(e.to_string()),
                }
            })?;
        }
        self.wait_for(
            "default ServiceAccount created",
            "kube-controller-manager",
            deadline,
            |plane| {
                plane
                    .kubectl_output(&[
                        "-n",
                        "default",
                        "get",
                        "serviceaccount",
                        "default",
                        "-o",
                        "name",
                        "--request-timeout=5s",
                    ])
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            },
        )?;
        if !nodes.is_empty() {
            let want = self.node_names.len();
            self.wait_for(
                &format!("{want} node(s) Ready and schedulable"),
                "kwok",
                deadline,
                move |plane| {
                    let out = plane
                        .kubectl_output(&["get", "nodes", "-o", "json", "--request-timeout=5s"])
                        .map_err(|e| e.to_string())?;
                    nodes_ready(&out, want)
                },
            )?;
        }
        if cfg.coredns {
            let addons = dir.join("addons.json");
            pki::write_file(&addons, nodes::coredns().as_bytes(), false)?;
            run_kubectl(
                &kubectl,
                &kubeconfig_path,
                &[
                    "apply".as_ref(),
                    "-f".as_ref(),
                    addons.as_os_str(),
                    "--request-timeout=30s".as_ref(),
                ],
            )?;
            self.wait_for("coredns Available", "kwok", deadline, |plane| {
                plane
                    .kubectl_output(&[
                        "-n",
                        "kube-system",
                        "get",
                        "deployment",
                        "coredns",
                        "-o",
                        "jsonpath={.status.conditions[?(@.type==\"Available\")].status}",
                        "--request-timeout=5s",
                    ])
                    .map_err(|e| e.to_string())
                    .and_then(|s| {
                        if s.trim() == "True" {
                            Ok(())
                        } else {
                            Err(format!("Available={s}"))
                        }
                    })
            })?;
        }
        if self.detached {
            self.write_plane_file()?;
        }
        Ok(())
    }
}

impl Drop for ControlPlane {
    fn drop(&mut self) {
        if !self.detached {
            self.shutdown();
        }
    }
}

/// `Ok` when `want` nodes are Ready and carry no not-ready/unreachable taint (what the
/// scheduler needs); otherwise what is missing.
fn nodes_ready(json: &str, want: usize) -> Result<(), String> {
    let v: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let items = v["items"].as_array().cloned().unwrap_or_default();
    let mut pending = Vec::new();
    let mut ready = 0;
    for n in &items {
        let name = n["metadata"]["name"].as_str().unwrap_or("?");
        let is_ready = n["status"]["conditions"].as_array().is_some_and(|c| {
            c.iter()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
        });
        let tainted = n["spec"]["taints"].as_array().is_some_and(|t| {
            t.iter().any(|t| {
                t["key"].as_str().is_some_and(|k| {
                    k == "node.kubernetes.io/not-ready" || k == "node.kubernetes.io/unreachable"
                })
            })
        });
        if is_ready && !tainted {
            ready += 1;
        } else {
            pending.push(format!(
                "{name}: {}",
                if is_ready {
                    "not-ready taint"
                } else {
                    "not Ready"
                }
            ));
        }
    }
    if ready >= want {
        Ok(())
    } else {
        Err(format!(
            "{ready}/{want} nodes ready{}{}",
            if pending.is_empty() { "" } else { "; " },
            pending.join(", ")
        ))
    }
}

fn run_kubectl<S: AsRef<std::ffi::OsStr>>(
    kubectl: &Path,
    kubeconfig: &Path,
    args: &[S],
) -> Result<String, Error> {
    let out = Command::new(kubectl)
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| Error::Kubectl {
            args: display_args(args),
            message: format!("{}: {e}", kubectl.display()),
        })?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(Error::Kubectl {
            args: display_args(args),
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

fn display_args<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> String {
    args.iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn tcp_open(port: u16) -> Result<(), String> {
    std::net::TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(500),
    )
    .map(|_| ())
    .map_err(|e| format!("127.0.0.1:{port}: {e}"))
}

/// A plain-HTTP GET on loopback (etcd's health endpoint): (status, body).
fn http_get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(500),
    )?;
    s.set_read_timeout(Some(Duration::from_secs(2)))?;
    s.set_write_timeout(Some(Duration::from_secs(2)))?;
    let request =
        format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    s.write_all(request.as_bytes())?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)?;
    let text = String::from_utf8_lossy(&buf);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad HTTP response: {head}")))?;
    Ok((code, body.to_string()))
}

#[cfg(test)]
pub(crate) mod testutil {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A fresh directory under the system temp dir (tests remove it themselves).
    pub fn tempdir(name: &str) -> PathBuf {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "controlplane-test-{}-{name}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_port_is_told_from_other_exits() {
        let exited = |tail: &str| Error::Exited {
            name: "kube-controller-manager".into(),
            status: "exit status: 1".into(),
            log: PathBuf::from("/x/kcm.log"),
            tail: tail.into(),
        };
        assert!(exited("failed to listen on 127.0.0.1:32799: listen tcp 127.0.0.1:32799: bind: address already in use").is_port_taken());
        assert!(!exited("unknown flag: --bogus").is_port_taken());
        assert!(!Error::Config("address already in use".into()).is_port_taken());
    }

    #[test]
    fn nodes_ready_needs_condition_and_no_taint() {
        let json = r#"{"items":[
          {"metadata":{"name":"a"},"spec":{},"status":{"conditions":[{"type":"Ready","status":"True"}]}},
          {"metadata":{"name":"b"},"spec":{"taints":[{"key":"node.kubernetes.io/not-ready","effect":"NoSchedule"}]},
           "status":{"conditions":[{"type":"Ready","status":"True"}]}},
          {"metadata":{"name":"c"},"spec":{},"status":{"conditions":[{"type":"Ready","status":"False"}]}}
        ]}"#;
        assert!(nodes_ready(json, 1).is_ok());
        let err = nodes_ready(json, 2).unwrap_err();
        assert!(
            err.contains("1/2")
                && err.contains("b: not-ready taint")
                && err.contains("c: not Ready"),
            "{err}"
        );
    }

    #[test]
    fn ports_are_distinct() {
        let p = Ports::pick().unwrap();
        let mut all = vec![
            p.etcd,
            p.etcd_peer,
            p.apiserver,
            p.controller_manager,
            p.scheduler,
            p.kwok,
        ];
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 6);
        assert!(all.iter().all(|p| *p != 0));
    }

    #[test]
    fn http_get_reads_status_and_body() {
        use std::io::{Read, Write};
        let l = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = l.local_addr().unwrap().port();
        let t = std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 512];
            while !buf.ends_with(b"\r\n\r\n") {
                let n = s.read(&mut chunk).unwrap();
                assert!(n > 0, "request ended early");
                buf.extend_from_slice(&chunk[..n]);
            }
            assert!(String::from_utf8_lossy(&buf).starts_with("GET /health HTTP/1.0\r\n"));
            s.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"health\":\"true\"}",
            )
            .unwrap();
        });
        let (code, body) = http_get(port, "/health").unwrap();
        t.join().unwrap();
        assert_eq!(code, 200);
        assert_eq!(body, "{\"health\":\"true\"}");
    }

    #[test]
    fn builder_merges_common_and_per_node_resources() {
        let b = ControlPlane::builder()
            .nodes(3)
            .node_resource("nvidia.com/gpu", "2");
        let nodes = b.node_list();
        assert_eq!(nodes.len(), 3);
        assert!(nodes.iter().all(|n| n.resources["nvidia.com/gpu"] == "2"));
        let b = ControlPlane::builder()
            .nodes(5)
            .node(NodeConfig::new().resource("nvidia.com/gpu", "8"))
            .node(NodeConfig::new())
            .node_resources([("nvidia.com/gpu", "1"), ("cpu", "8")]);
        let nodes = b.node_list();
        assert_eq!(nodes.len(), 2);
        assert_eq!(nodes[0].resources["nvidia.com/gpu"], "8");
        assert_eq!(nodes[1].resources["nvidia.com/gpu"], "1");
        assert_eq!(nodes[1].resources["cpu"], "8");
    }

    fn fake_bins(name: &str, etcd_script: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let dir = testutil::tempdir(name);
        for b in bins::BINARIES {
            let p = dir.join(b);
            let body = if b == "etcd" { etcd_script } else { "exit 1" };
            std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        dir
    }

    #[test]
    fn cancelled_start_stops_what_it_started() {
        let bins = fake_bins("fake-cancel", "echo started; exec sleep 300");
        let state = testutil::tempdir("fake-cancel-state");
        let t = Instant::now();
        let err = ControlPlane::builder()
            .bin_dir(&bins)
            .state_dir(&state)
            .handle_signals(false)
            .quiet(true)
            .cancel_when(move || t.elapsed() > Duration::from_millis(300))
            .start()
            .unwrap_err();
        assert!(matches!(err, Error::Interrupted), "{err}");
        let needle = state.canonicalize().unwrap().to_string_lossy().into_owned();
        assert!(pids_mentioning(&needle).is_empty());
        let log = std::fs::read_to_string(state.join("logs/etcd.log")).unwrap();
        assert_eq!(log, "started\n");
        // a fresh plane may use the directory again (the file is gone, nothing runs)
        assert!(!state.join(PLANE_FILE).exists());
        std::fs::remove_dir_all(&bins).unwrap();
        std::fs::remove_dir_all(&state).unwrap();
    }

    #[test]
    fn component_exiting_early_fails_with_its_log() {
        let bins = fake_bins("fake-exit", "echo 'etcd: bad flag' >&2; exit 3");
        let err = ControlPlane::builder()
            .bin_dir(&bins)
            .handle_signals(false)
            .quiet(true)
            .start()
            .unwrap_err();
        match &err {
            Error::Exited {
                name, status, tail, ..
            } => {
                assert_eq!(name, "etcd");
                assert!(status.contains('3'), "{status}");
                assert_eq!(tail, "etcd: bad flag");
            }
            other => panic!("unexpected: {other}"),
        }
        std::fs::remove_dir_all(&bins).unwrap();
    }

    #[test]
    fn detached_needs_state_dir_and_missing_bins_name_the_script() {
        let dir = testutil::tempdir("nobins");
        let err = ControlPlane::builder()
            .bin_dir(&dir)
            .start()
            .unwrap_err()
            .to_string();
        assert!(err.contains(BUILD_SCRIPT), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn state_dir_with_live_plane_is_refused_and_stale_one_cleared() {
        let dir = testutil::tempdir("state").canonicalize().unwrap();
        // a "component" whose command line mentions the state dir
        let mut child = Command::new("/bin/sh")
            .args(["-c", "sleep 30; true", &dir.to_string_lossy()])
            .spawn()
            .unwrap();
        // until exec has happened the child still shows our own command line
        let needle = dir.to_string_lossy().into_owned();
        for _ in 0..200 {
            if process::pid_cmdline(child.id()).is_some_and(|c| c.contains(&needle)) {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let file = PlaneFile {
            detached: true,
            ports: Ports::pick().unwrap(),
            server: String::new(),
            nodes: vec![],
            kubernetes_version: String::new(),
            processes: vec![("etcd".into(), child.id())],
        };
        std::fs::write(dir.join(PLANE_FILE), serde_json::to_string(&file).unwrap()).unwrap();
        std::fs::create_dir_all(dir.join("etcd/member")).unwrap();
        let err = prepare_state_dir(&dir).unwrap_err().to_string();
        assert!(
            err.contains("still running") && err.contains("etcd (pid"),
            "{err}"
        );
        assert!(stop_detached(&dir).unwrap());
        let _ = child.wait();
        prepare_state_dir(&dir).unwrap();
        assert!(!dir.join("etcd").exists());
        assert!(!dir.join(PLANE_FILE).exists());
        assert!(!stop_detached(&dir).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
