//! One run, stage after stage: plan → check → cluster → images → install → run → report.
//! Each stage is timed and reported; a failure stops the line; Ctrl-C stops the current
//! stage and cleans up what this run created.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::check::{ChartLint, CheckOptions, Checker, Severity, check_all};
use crate::cluster::ensure::{EnsureOptions, Progress, ReadyCluster, ensure};
use crate::cluster::kind::Engine;
use crate::cluster::{ClusterPaths, Provider, provider_for};
use crate::config::Loaded;
use crate::error::{Classify, ExitCode};
use crate::events::{Event, Events, Level, Stage, StageStatus};
use crate::install::{Action, InFlight, Target, cleanup_interrupted, install_all};
use crate::kube_api::KubeApi;
use crate::plan::{Options, Plan, plan};
use crate::process::Exec;
use crate::report::Summary;
use crate::run::{TestEnv, run_tests};

/// What to run up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    /// `cargo kindtest check`: plan and check, no cluster.
    Check,
    /// `cargo kindtest up`: everything but the tests; the cluster is kept.
    Up,
    /// `cargo kindtest`: everything.
    Test,
}

/// Options of a run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Plan options (profile, filters, …).
    pub plan: Options,
    /// `--fresh`.
    pub fresh: bool,
    /// `--keep`.
    pub keep: bool,
    /// Running in CI (`CI=true`): the cluster is deleted at the end unless `--keep`.
    pub ci: bool,
    /// How far to go.
    pub goal: Goal,
    /// `--in-cluster`: run each test process as a pod (also `in-cluster` in the profile).
    pub in_cluster: bool,
}

/// The services a run uses (swappable in tests).
#[derive(Clone)]
pub struct Session {
    /// Runs commands.
    pub exec: Exec,
    /// Reports progress.
    pub events: Events,
    /// Talks to the cluster API.
    pub api: Arc<dyn KubeApi>,
    /// Checks charts; `None`: [`ChartLint`] with the profile's Kubernetes version and the
    /// configuration's `lint` table.
    pub checker: Option<Arc<dyn Checker + Send + Sync>>,
}

impl Session {
    /// A session with kube-rs and the chart-lint checker.
    pub fn new(exec: Exec) -> Self {
        let events = exec.events().clone();
        Session {
            exec,
            events,
            api: Arc::new(crate::kube_api::KubeRs),
            checker: None,
        }
    }
}

struct Stages<'a> {
    events: &'a Events,
    done: Vec<(Stage, StageStatus, u64)>,
}

impl Stages<'_> {
    fn start(&self, s: Stage) -> Instant {
        self.events.emit(Event::StageStarted { stage: s });
        Instant::now()
    }
    fn finish(&mut self, s: Stage, t: Instant, status: StageStatus, detail: impl Into<String>) {
        let ms = t.elapsed().as_millis() as u64;
        self.events.emit(Event::StageFinished {
            stage: s,
            status,
            elapsed_ms: ms,
            detail: detail.into(),
        });
        self.done.push((s, status, ms));
    }
    fn fail<E: std::fmt::Display + Classify>(&mut self, s: Stage, t: Instant, e: &E) -> ExitCode {
        let code = e.exit_code();
        let status = if code == ExitCode::Interrupted {
            StageStatus::Interrupted
        } else {
            StageStatus::Failed
        };
        self.finish(s, t, status, "");
        if code != ExitCode::Interrupted {
            self.events.error(e.to_string());
        }
        code
    }
}

/// Runs the pipeline; returns the exit code. Never panics on user input.
pub fn run(session: &Session, loaded: &Loaded, opts: &RunOptions) -> ExitCode {
    let events = &session.events;
    let mut st = Stages {
        events,
        done: Vec::new(),
    };
    let mut summary = Summary {
        profile: opts.plan.profile.clone(),
        ..Default::default()
    };
    let code = run_stages(session, loaded, opts, &mut st, &mut summary);
    summary.stages = st.done.clone();
    summary.exit_code = code.code();
    events.emit(Event::Finished {
        exit_code: code.code(),
        stages: summary.stages.clone(),
        junit: summary.junit.as_ref().map(|p| p.display().to_string()),
        diagnostics: summary
            .diagnostics
            .as_ref()
            .map(|p| p.display().to_string()),
        overhead_ms: summary.overhead_ms,
    });
    if code == ExitCode::Interrupted {
        events.warn("interrupted; cleaned up what this run created");
    }
    if opts.goal != Goal::Check {
        events.emit(Event::Summary {
            text: summary.render().trim_end().to_string(),
        });
    }
    code
}

fn run_stages(
    session: &Session,
    loaded: &Loaded,
    opts: &RunOptions,
    st: &mut Stages<'_>,
    summary: &mut Summary,
) -> ExitCode {
    let events = &session.events;
    let run_id = crate::state::run_id();

    // plan
    let t = st.start(Stage::Plan);
    let plan: Plan = match plan(loaded, &opts.plan) {
        Ok(p) => p,
        Err(e) => return st.fail(Stage::Plan, t, &e),
    };
    if !loaded.found {
        events.warn(format!(
            "no [workspace.metadata.kindtest] in {}: using defaults",
            loaded.manifest.display()
        ));
    }
    summary.profile = plan.profile.clone();
    st.finish(
        Stage::Plan,
        t,
        StageStatus::Ok,
        format!("profile {}", plan.profile),
    );

    // check: render + validate + lint every chart × values and every release as installed;
    // errors stop the run before any cluster work.
    let t = st.start(Stage::Check);
    let kube_version = plan
        .cluster
        .kubernetes_version
        .clone()
        .unwrap_or_else(|| chart_lint::schema::DEFAULT_KUBE_VERSION.to_string());
    let default_checker = ChartLint {
        opts: CheckOptions {
            kube_version,
            strict: true,
            config: loaded.config.lint.config.clone(),
        },
    };
    let checker: &dyn Checker = match &session.checker {
        Some(c) => c.as_ref(),
        None => &default_checker,
    };
    // A warm re-run: nothing the check reads changed since it last found nothing.
    let cache = crate::check::CleanCache::new(&plan.kindtest_dir);
    let fingerprint = session
        .checker
        .is_none()
        .then(|| {
            crate::check::fingerprint(
                &plan.checks,
                &default_checker.opts,
                loaded.config.lint.raw(),
            )
        })
        .flatten();
    if fingerprint.as_deref().is_some_and(|f| cache.is_clean(f)) {
        st.finish(
            Stage::Check,
            t,
            StageStatus::Skipped,
            format!(
                "{} render(s) unchanged since the last clean check",
                plan.checks.len()
            ),
        );
        if opts.goal == Goal::Check {
            return ExitCode::Ok;
        }
        return after_check(session, opts, st, summary, &plan, &run_id);
    }
    let report = check_all(checker, &plan.checks);
    for f in &report.findings {
        events.emit(Event::Finding {
            level: match f.severity {
                Severity::Error => Level::Error,
                Severity::Warning => Level::Warning,
                Severity::Note => Level::Info,
            },
            text: chart_lint::lint::output::human(f),
            finding: chart_lint::lint::output::json(f),
        });
    }
    let summary_line = format!(
        "{} chart(s), {} render(s), {} resource(s): {} error(s), {} warning(s)",
        report.charts,
        report.jobs,
        report.documents,
        report.errors(),
        report.count(Severity::Warning)
    );
    if report.failed(false) {
        cache.forget();
        st.finish(Stage::Check, t, StageStatus::Failed, summary_line);
        return ExitCode::Failed;
    }
    match &fingerprint {
        Some(f) if report.findings.is_empty() => cache.remember(f),
        _ => cache.forget(),
    }
    st.finish(Stage::Check, t, StageStatus::Ok, summary_line);
    if opts.goal == Goal::Check {
        return ExitCode::Ok;
    }
    after_check(session, opts, st, summary, &plan, &run_id)
}

/// cluster → images → install → run → report.
fn after_check(
    session: &Session,
    opts: &RunOptions,
    st: &mut Stages<'_>,
    summary: &mut Summary,
    plan: &Plan,
    run_id: &str,
) -> ExitCode {
    let events = &session.events;
    let exec = &session.exec;
    let cancel = exec.cancel().clone();
    let run_id = run_id.to_string();
    let diag_dir = plan.kindtest_dir.join("runs").join(&run_id);

    // cluster
    let t = st.start(Stage::Cluster);
    let provider = match crate::cluster::provider_for_spec(&plan.cluster, exec) {
        Ok(p) => p,
        Err(e) => return st.fail(Stage::Cluster, t, &e),
    };
    let paths = ClusterPaths::new(&plan.kindtest_dir, &plan.cluster.name);
    summary.cluster = Some(plan.cluster.name.clone());
    let mut progress = Progress::default();
    let eo = EnsureOptions {
        fresh: opts.fresh,
        named: plan.cluster_named,
        run_id: run_id.clone(),
    };
    let ready = ensure(
        provider.as_ref(),
        session.api.as_ref(),
        &plan.cluster,
        &paths,
        &eo,
        &cancel,
        events,
        &mut progress,
    );
    let mut cluster: ReadyCluster = match ready {
        Ok(c) => c,
        Err(e) => {
            let code = st.fail(Stage::Cluster, t, &e);
            if progress.created && (code == ExitCode::Interrupted || (opts.ci && !opts.keep)) {
                teardown(exec, provider.as_ref(), plan, &paths, events);
            } else if matches!(e, crate::cluster::ClusterError::NotReady { .. }) {
                summary.diagnostics =
                    export_logs(provider.as_ref(), &plan.cluster.name, &diag_dir, events);
                summary.kubeconfig = Some(paths.kubeconfig.clone());
                summary.kept = true;
            }
            return code;
        }
    };
    summary.kubeconfig = Some(cluster.kubeconfig.clone());
    let status = if cluster.created {
        StageStatus::Ok
    } else {
        StageStatus::Skipped
    };
    st.finish(Stage::Cluster, t, status, cluster.detail.clone());

    let code = after_cluster(
        session,
        opts,
        st,
        summary,
        plan,
        provider.as_ref(),
        &paths,
        &mut cluster,
        &diag_dir,
        &run_id,
    );

    // report: logs on failure, teardown by policy.
    let t = st.start(Stage::Report);
    if code == ExitCode::Failed && provider.kind() == crate::cluster::ProviderKind::Kind {
        summary.diagnostics = export_logs(provider.as_ref(), &cluster.name, &diag_dir, events)
            .or(summary.diagnostics.take());
    }
    let _ = cluster.state.save(&cluster.state_file);
    // Locally the cluster is kept for the next run; in CI it is deleted unless --keep.
    let delete = cluster.state.created_by_us && !opts.keep && opts.goal == Goal::Test && opts.ci;
    if delete {
        teardown(exec, provider.as_ref(), plan, &paths, events);
        summary.kept = false;
    } else {
        summary.kept = true;
    }
    st.finish(
        Stage::Report,
        t,
        StageStatus::Ok,
        if delete {
            "cluster deleted (CI)"
        } else {
            "cluster kept"
        },
    );
    code
}

#[allow(clippy::too_many_arguments)]
fn after_cluster(
    session: &Session,
    opts: &RunOptions,
    st: &mut Stages<'_>,
    summary: &mut Summary,
    plan: &Plan,
    provider: &dyn Provider,
    _paths: &ClusterPaths,
    cluster: &mut ReadyCluster,
    diag_dir: &std::path::Path,
    run_id: &str,
) -> ExitCode {
    let exec = &session.exec;
    let events = &session.events;

    // images
    let t = st.start(Stage::Images);
    let engine = Engine::from_env().cli();
    let built = match crate::images::build_and_load(
        exec,
        engine,
        provider,
        &cluster.name,
        &plan.images,
        &mut cluster.state,
    ) {
        Ok(b) => b,
        Err(e) => {
            let _ = cluster.state.save(&cluster.state_file);
            return st.fail(Stage::Images, t, &e);
        }
    };
    let _ = cluster.state.save(&cluster.state_file);
    let changed = built
        .iter()
        .filter(|b| b.action != "up to date" && b.action != "not needed")
        .count();
    let detail = if built.is_empty() {
        "no images".to_string()
    } else {
        built
            .iter()
            .map(|b| format!("{} {}", b.reference(), b.action))
            .collect::<Vec<_>>()
            .join(", ")
    };
    st.finish(
        Stage::Images,
        t,
        if changed > 0 {
            StageStatus::Ok
        } else {
            StageStatus::Skipped
        },
        detail,
    );

    // install
    let t = st.start(Stage::Install);
    let inflight = Mutex::new(InFlight::default());
    let target = Target {
        kubeconfig: &cluster.kubeconfig,
        context: &cluster.context,
        diagnostics: diag_dir,
    };
    let res = install_all(
        exec,
        session.api.as_ref(),
        &plan.releases,
        &built,
        plan.cluster
            .kubernetes_version
            .as_deref()
            .unwrap_or(chart_lint::schema::DEFAULT_KUBE_VERSION),
        &target,
        &mut cluster.state,
        &inflight,
    );
    let _ = cluster.state.save(&cluster.state_file);
    let installed = match res {
        Ok(i) => i,
        Err(e) => {
            let code = st.fail(Stage::Install, t, &e);
            if code == ExitCode::Interrupted {
                if let Some((name, ns, first)) =
                    inflight.lock().ok().and_then(|f| f.current.clone())
                {
                    events.info(format!(
                        "cleaning up release `{name}` in `{ns}` ({})",
                        if first { "uninstall" } else { "rollback" }
                    ));
                    let _ = cleanup_interrupted(exec, &name, &ns, first, &target);
                }
            } else {
                summary.diagnostics = Some(diag_dir.to_path_buf());
            }
            return code;
        }
    };
    let n_changed = installed
        .iter()
        .filter(|i| i.action == Action::Installed)
        .count();
    let detail = if installed.is_empty() {
        "no releases".to_string()
    } else {
        installed
            .iter()
            .map(|i| {
                format!(
                    "{}/{} {}",
                    i.namespace,
                    i.name,
                    if i.action == Action::Installed {
                        "installed"
                    } else {
                        "unchanged"
                    }
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    st.finish(
        Stage::Install,
        t,
        if n_changed > 0 {
            StageStatus::Ok
        } else {
            StageStatus::Skipped
        },
        detail,
    );
    if opts.goal == Goal::Up {
        events.info(format!(
            "cluster `{}` is up: export KUBECONFIG={}",
            cluster.name,
            cluster.kubeconfig.display()
        ));
        return ExitCode::Ok;
    }

    // run
    let t = st.start(Stage::Run);
    // --in-cluster: the runner image and nextest's target runner (see `incluster`).
    let mut runner_env = Vec::new();
    if let Some(ic) = crate::incluster::selected(plan.in_cluster.as_ref(), opts.in_cluster) {
        let helm = exec.which("helm".as_ref());
        match crate::incluster::prepare::prepare(
            exec,
            engine,
            provider,
            &cluster.name,
            &mut cluster.state,
            &plan.tests,
            &plan.workspace_root,
            &plan.kindtest_dir,
            &ic,
            &crate::incluster::default_files(plan),
            helm.as_deref(),
        ) {
            Ok(p) => {
                let _ = cluster.state.save(&cluster.state_file);
                events.info(format!(
                    "in-cluster: runner image {} {} ({} test binaries)",
                    p.image.reference(),
                    p.image.action,
                    p.binaries.len()
                ));
                runner_env = p.env;
            }
            Err(e) => return st.fail(Stage::Run, t, &e),
        }
    }
    let env = TestEnv {
        kubeconfig: cluster.kubeconfig.clone(),
        context: cluster.context.clone(),
        cluster: cluster.name.clone(),
        provider: provider.kind().name().into(),
        profile: plan.profile.clone(),
        run_id: run_id.to_string(),
        diagnostics_dir: diag_dir
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_else(|| diag_dir.to_path_buf()),
        keep: crate::run::keep_policy(),
        workspace_root: plan.workspace_root.clone(),
        helm: exec.which("helm".as_ref()),
        releases: installed
            .iter()
            .map(|i| format!("{}/{}", i.namespace, i.name))
            .collect(),
        images: built
            .iter()
            .map(|b| (b.key.clone(), b.reference()))
            .collect(),
        extra: runner_env,
    };
    summary.overhead_ms = Some(events.elapsed().as_millis() as u64);
    let outcome = match run_tests(
        exec,
        &plan.tests,
        &env,
        &plan.kindtest_dir,
        &plan.workspace_root,
    ) {
        Ok(o) => o,
        Err(e) => return st.fail(Stage::Run, t, &e),
    };
    summary.junit = outcome.junit.clone();
    if outcome.passed() {
        st.finish(Stage::Run, t, StageStatus::Ok, "tests passed");
        ExitCode::Ok
    } else if exec.cancel().is_set() {
        st.finish(Stage::Run, t, StageStatus::Interrupted, "");
        ExitCode::Interrupted
    } else {
        let code = outcome.code.map_or("signal".to_string(), |c| c.to_string());
        st.finish(
            Stage::Run,
            t,
            StageStatus::Failed,
            format!("test runner exited with {code}"),
        );
        ExitCode::Failed
    }
}

fn export_logs(
    provider: &dyn Provider,
    name: &str,
    diag_dir: &std::path::Path,
    events: &Events,
) -> Option<PathBuf> {
    let dir = diag_dir.join("cluster-logs");
    let _ = std::fs::create_dir_all(diag_dir);
    match provider.export_logs(name, &dir) {
        Ok(()) => Some(diag_dir.to_path_buf()),
        Err(e) => {
            events.warn(format!("could not export cluster logs: {e}"));
            Some(diag_dir.to_path_buf())
        }
    }
}

/// Deletes a cluster we created and its state folder.
pub fn teardown(
    exec: &Exec,
    provider: &dyn Provider,
    plan: &Plan,
    paths: &ClusterPaths,
    events: &Events,
) {
    events.info(format!("deleting cluster `{}`", plan.cluster.name));
    if let Err(e) = provider_delete_cleanup(exec, provider, &plan.cluster.name, &paths.kubeconfig) {
        events.warn(format!(
            "could not delete cluster `{}`: {e}",
            plan.cluster.name
        ));
        return;
    }
    let _ = std::fs::remove_dir_all(&paths.dir);
}

/// Deletes even after Ctrl-C (the cancel flag is ignored for cleanup commands).
fn provider_delete_cleanup(
    exec: &Exec,
    provider: &dyn Provider,
    name: &str,
    kubeconfig: &std::path::Path,
) -> Result<(), crate::cluster::ClusterError> {
    if exec.cancel().is_set() {
        // Providers run through `exec`, which refuses after Ctrl-C: use a fresh one.
        let fresh = Exec::new(crate::process::Cancel::new(), exec.events().clone());
        let p = provider_for(provider.kind(), &fresh)?;
        return p.delete(name, kubeconfig);
    }
    provider.delete(name, kubeconfig)
}
