//! `kindtest::main!()`: libtest-mimic arguments in, one trial per registered test, and around each
//! cluster test the namespace lifecycle, signal handling and diagnostics.

use std::future::Future;
use std::io::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use kube::Client;
use libtest_mimic::{Arguments, Failed, Trial};
use tokio::signal::unix::{SignalKind, signal};

use crate::context::Context;
use crate::error::{Error, one_line};
use crate::namespace::{self, NamespaceSpec, SweepReport};
use crate::registry::{self, TestBody, TestDef};
use crate::settings::Settings;

/// Namespaces alive in this process, deleted by the signal handler. (Usually one: nextest runs one test
/// per process; `cargo test` may run several on threads.)
static LIVE: Mutex<Vec<(Client, String)>> = Mutex::new(Vec::new());

fn live_add(client: &Client, ns: &str) {
    if let Ok(mut l) = LIVE.lock() {
        l.push((client.clone(), ns.to_string()));
    }
}

fn live_remove(ns: &str) {
    if let Ok(mut l) = LIVE.lock() {
        l.retain(|(_, n)| n != ns);
    }
}

/// Entry point behind `kindtest::main!()`.
pub fn run_main() -> ! {
    run_main_if(true)
}

/// Like [`run_main`], but with `enabled = false` the binary lists and runs no tests (for fixture binaries
/// that must stay inert unless asked).
pub fn run_main_if(enabled: bool) -> ! {
    let defs = if enabled { registry::all() } else { Vec::new() };
    for pair in defs.windows(2) {
        if pair[0].name == pair[1].name {
            eprintln!(
                "kindtest: two tests are named `{}` ({}:{} and {}:{})",
                pair[0].name, pair[0].file, pair[0].line, pair[1].file, pair[1].line
            );
            std::process::exit(101);
        }
    }
    if matches!(std::env::var(crate::ENV_DESCRIBE).as_deref(), Ok("1")) {
        let mut out = std::io::stdout().lock();
        for d in &defs {
            let _ = writeln!(out, "{}", registry::describe(d));
        }
        std::process::exit(0);
    }
    let args = Arguments::from_args();
    if let Some(code) = exact_miss(&args, &defs) {
        std::process::exit(code);
    }
    let trials = defs
        .iter()
        .map(|&d| Trial::test(d.name, move || run_trial(d)).with_ignored_flag(d.ignore))
        .collect();
    libtest_mimic::run(&args, trials).exit()
}

/// `--exact NAME` naming no test is an error (nextest would otherwise report a renamed or deleted test
/// as passed: 0 run, exit 0).
fn exact_miss(args: &Arguments, defs: &[&'static TestDef]) -> Option<i32> {
    if args.list || !args.exact {
        return None;
    }
    let filter = args.filter.as_deref()?;
    if defs.iter().any(|d| d.name == filter) {
        return None;
    }
    let near: Vec<&str> = defs
        .iter()
        .map(|d| d.name)
        .filter(|n| n.ends_with(filter.rsplit("::").next().unwrap_or(filter)))
        .take(3)
        .collect();
    eprintln!(
        "\nError: kindtest: no test named `{filter}` in this binary (--exact){}",
        if near.is_empty() {
            String::new()
        } else {
            format!("; similar: {}", near.join(", "))
        }
    );
    Some(101)
}

fn run_trial(def: &'static TestDef) -> Result<(), Failed> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("kindtest")
        .build()
        .map_err(|e| Failed::from(format!("kindtest: cannot start a tokio runtime: {e}")))?;
    let result = rt.block_on(run_test(def));
    rt.shutdown_background();
    match result {
        Ok(()) => Ok(()),
        Err(message) => {
            // The `Error:` line right before the panic makes nextest put this line in the JUnit message.
            let message = one_line(&message);
            eprintln!("\nError: {message}");
            panic!("{message}");
        }
    }
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".into()
    }
}

/// Runs the test body on its own task (a panic becomes an error, not a dead runtime) with the test's
/// timeout.
async fn guarded<F>(fut: F, timeout: Option<Duration>) -> Result<(), String>
where
    F: Future<Output = crate::Result<()>> + Send + 'static,
{
    let handle = tokio::spawn(fut);
    let abort = handle.abort_handle();
    let joined = match timeout {
        None => handle.await,
        Some(t) => match tokio::time::timeout(t, handle).await {
            Ok(j) => j,
            Err(_) => {
                abort.abort();
                return Err(format!("test timed out after {}", fmt_duration(t)));
            }
        },
    };
    match joined {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) if e.is_panic() => Err(format!("test panicked: {}", panic_text(&*e.into_panic()))),
        Err(e) => Err(format!("test task failed: {e}")),
    }
}

fn fmt_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

async fn run_test(def: &'static TestDef) -> Result<(), String> {
    let timeout = def.timeout_ms.map(Duration::from_millis);
    let _lock = match def.group {
        None => None,
        Some(_) => {
            let settings = Settings::from_env().map_err(|e| e.to_string())?;
            group_lock(def, &settings).await?
        }
    };
    match def.body {
        TestBody::AsyncNoCluster(f) => guarded(f(), timeout).await,
        TestBody::SyncNoCluster(f) => {
            guarded(
                async move {
                    tokio::task::spawn_blocking(f)
                        .await
                        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
                },
                timeout,
            )
            .await
        }
        TestBody::Async(_) | TestBody::Sync(_) => run_cluster_test(def, timeout).await,
    }
}

async fn run_cluster_test(def: &'static TestDef, timeout: Option<Duration>) -> Result<(), String> {
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    let mut sigterm =
        signal(SignalKind::terminate()).map_err(|e| format!("kindtest: SIGTERM handler: {e}"))?;
    let mut sigint =
        signal(SignalKind::interrupt()).map_err(|e| format!("kindtest: SIGINT handler: {e}"))?;
    let work = cluster_flow(def, settings, timeout);
    tokio::pin!(work);
    tokio::select! {
        r = &mut work => r,
        _ = sigterm.recv() => on_signal(def.name, "SIGTERM", 128 + libc::SIGTERM).await,
        _ = sigint.recv() => on_signal(def.name, "SIGINT", 128 + libc::SIGINT).await,
    }
}

/// Deletes every live namespace (nextest's grace period is 10 s by default; each delete is bounded to
/// 5 s and they run concurrently), then exits. `exit` runs no destructors, so nothing else is relied on.
async fn on_signal(test: &str, signal: &str, code: i32) -> ! {
    let live: Vec<(Client, String)> = LIVE
        .lock()
        .map(|mut l| std::mem::take(&mut *l))
        .unwrap_or_default();
    eprintln!(
        "kindtest: {test}: {signal} received; deleting {} namespace(s)",
        live.len()
    );
    let tasks: Vec<_> = live
        .into_iter()
        .map(|(client, ns)| {
            tokio::spawn(async move {
                let r = tokio::time::timeout(
                    Duration::from_secs(5),
                    namespace::delete(&client, &ns, Duration::ZERO),
                )
                .await;
                match r {
                    Ok(Ok(_)) => eprintln!("kindtest: deleted namespace {ns}"),
                    Ok(Err(e)) => eprintln!("kindtest: could not delete namespace {ns}: {e}"),
                    Err(_) => eprintln!("kindtest: deleting namespace {ns} timed out"),
                }
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    let _ = std::io::stderr().flush();
    std::process::exit(code)
}

/// Serialises tests of one `group` across processes when nextest is not already doing it (its
/// `NEXTEST_TEST_GROUP` differs): an exclusive `flock` on `<diagnostics base>/locks/<group>.lock`,
/// held until the process exits.
async fn group_lock(def: &TestDef, settings: &Settings) -> Result<Option<std::fs::File>, String> {
    let Some(group) = def.group else {
        return Ok(None);
    };
    let nextest_group = std::env::var("NEXTEST_TEST_GROUP").unwrap_or_default();
    if nextest_group == group || nextest_group.ends_with(&format!(":{group}")) {
        return Ok(None);
    }
    let dir = settings.diagnostics_base.join("locks");
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("kindtest: create {}: {e}", dir.display()))?;
    let path = dir.join(format!("{group}.lock"));
    tokio::task::spawn_blocking(move || {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| format!("kindtest: open {}: {e}", path.display()))?;
        use std::os::fd::AsRawFd;
        // SAFETY: a valid open fd; flock has no memory effects.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
        if rc != 0 {
            return Err(format!(
                "kindtest: lock {}: {}",
                path.display(),
                std::io::Error::last_os_error()
            ));
        }
        Ok(Some(file))
    })
    .await
    .map_err(|e| format!("kindtest: group lock: {e}"))?
}

/// The first test process of a run (the one that creates `<base>/<run>/.swept`) sweeps stale namespaces.
fn maybe_sweep(client: &Client, settings: &Settings) -> Option<tokio::task::JoinHandle<()>> {
    let run_dir = settings
        .diagnostics_base
        .join(crate::settings::sanitize_path(&settings.run_id));
    std::fs::create_dir_all(&run_dir).ok()?;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(run_dir.join(".swept"))
        .ok()?;
    let client = client.clone();
    let run = settings.run_id.clone();
    let stale_after = settings.stale_after;
    Some(tokio::spawn(async move {
        match namespace::sweep_stale_namespaces(&client, Some(&run), stale_after, false).await {
            Ok(SweepReport { deleted, stuck, .. }) => {
                if !deleted.is_empty() {
                    eprintln!(
                        "kindtest: swept {} stale namespace(s) of earlier runs: {}",
                        deleted.len(),
                        deleted.join(", ")
                    );
                }
                for (ns, why) in stuck {
                    eprintln!("kindtest: namespace {ns} stuck terminating{why}");
                }
            }
            Err(e) => eprintln!("kindtest: sweeping stale namespaces failed: {e}"),
        }
    }))
}

fn record_timing(settings: &Settings, line: &serde_json::Value) {
    if !settings.timings {
        return;
    }
    eprintln!("kindtest-timing: {line}");
    let dir = settings
        .diagnostics_base
        .join(crate::settings::sanitize_path(&settings.run_id));
    if std::fs::create_dir_all(&dir).is_ok()
        && let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("timings.jsonl"))
    {
        let _ = f.write_all(format!("{line}\n").as_bytes());
    }
}

async fn cluster_flow(
    def: &'static TestDef,
    settings: Settings,
    timeout: Option<Duration>,
) -> Result<(), String> {
    let name = def.name;
    let config = settings.kube_config().await.map_err(|e| e.to_string())?;
    let client = Client::try_from(config)
        .map_err(|e| Error::Config(format!("cannot build a kube client: {e}")).to_string())?;
    let sweep = maybe_sweep(&client, &settings);
    let ns = namespace::namespace_name(&settings.run_id, name, settings.attempt);
    let spec = NamespaceSpec {
        name: &ns,
        run_id: &settings.run_id,
        test_name: name,
        attempt: settings.attempt,
    };
    live_add(&client, &ns);
    let setup = match namespace::create(&client, &spec, settings.stale_after).await {
        Ok(t) => t,
        Err(e) => {
            let _ = namespace::delete(&client, &ns, Duration::ZERO).await;
            live_remove(&ns);
            return Err(format!("setting up namespace {ns}: {e}"));
        }
    };
    let ctx = Context::new(
        client.clone(),
        ns.clone(),
        name.to_string(),
        settings.clone(),
    );
    let started = Instant::now();
    let body = {
        let ctx = ctx.clone();
        match def.body {
            TestBody::Async(f) => guarded(f(ctx), timeout).await,
            TestBody::Sync(f) => {
                guarded(
                    async move {
                        tokio::task::spawn_blocking(move || f(ctx))
                            .await
                            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
                    },
                    timeout,
                )
                .await
            }
            _ => unreachable!("cluster_flow only runs tests that take a Context"),
        }
    };
    let test_ms = started.elapsed().as_millis();
    let passed = body.is_ok();
    if let Err(msg) = &body {
        let dir = settings.diagnostics_dir(name);
        let collected = tokio::time::timeout(
            Duration::from_secs(30),
            crate::diagnostics::collect(&ctx, &dir, msg),
        )
        .await;
        let shown = crate::diagnostics::display_path(&dir);
        match collected {
            Ok(problems) if problems.is_empty() => {
                eprintln!(
                    "kindtest: {name} failed; diagnostics in {}",
                    shown.display()
                )
            }
            Ok(problems) => eprintln!(
                "kindtest: {name} failed; diagnostics in {} (incomplete: {})",
                shown.display(),
                problems.join("; ")
            ),
            Err(_) => eprintln!(
                "kindtest: {name} failed; collecting diagnostics into {} timed out after 30s",
                shown.display()
            ),
        }
    }
    let mut delete_ms = None;
    if settings.keep.keeps(passed) {
        live_remove(&ns);
        mark_kept(&client, &ns).await;
        eprintln!(
            "kindtest: namespace {ns} kept (KINDTEST_KEEP={}); look at it with:\n{}",
            match settings.keep {
                crate::settings::Keep::Always => "always",
                _ => "failed",
            },
            crate::diagnostics::kubectl_hints(&ctx)
        );
    } else {
        let t = Instant::now();
        match namespace::delete(&client, &ns, settings.delete_timeout).await {
            Ok(None) => {}
            Ok(Some(note)) => eprintln!("kindtest: {note}"),
            Err(e) => eprintln!("kindtest: {e}"),
        }
        delete_ms = Some(t.elapsed().as_millis());
        live_remove(&ns);
    }
    record_timing(
        &settings,
        &serde_json::json!({
            "test": name,
            "namespace": ns,
            "create_ms": setup.create_ms,
            "service_account_ms": setup.service_account_ms,
            "delete_ms": delete_ms,
            "test_ms": test_ms,
            "passed": passed,
        }),
    );
    if let Some(s) = sweep {
        let _ = tokio::time::timeout(Duration::from_secs(10), s).await;
    }
    body
}

async fn mark_kept(client: &Client, ns: &str) {
    use k8s_openapi::api::core::v1::Namespace;
    use kube::api::{Patch, PatchParams};
    let api: kube::Api<Namespace> = kube::Api::all(client.clone());
    let patch = serde_json::json!({"metadata": {"annotations": {crate::KEPT_ANNOTATION: "true"}}});
    if let Err(e) = api
        .patch(ns, &PatchParams::default(), &Patch::Merge(&patch))
        .await
    {
        eprintln!("kindtest: could not annotate kept namespace {ns}: {e}");
    }
}
