//! The kindtest harness: Kubernetes tests as ordinary Rust tests that nextest lists, filters and
//! runs in parallel, each in its own namespace.
//!
//! # Writing tests
//!
//! In a test target with `harness = false`:
//!
//! ```ignore
//! #[kindtest::test(timeout = "3m")]
//! async fn web_comes_up(ctx: kindtest::Context) -> kindtest::Result<()> {
//!     let release = ctx.install("charts/demo").image("demo").wait(true).await?;
//!     ctx.wait_ready(&["deployment/demo"]).await?;
//!     let host = ctx.service_host("demo", 8080).await?;
//!     # let _ = (release, host);
//!     Ok(())
//! }
//!
//! kindtest::main!();
//! ```
//!
//! A test takes a [`Context`] (it then needs a cluster and gets a fresh namespace) or nothing (a plain
//! test that needs no cluster); it may be `async` or not; it returns `()` or a `Result`. Options:
//! `ignore` / `ignore = "why"`, `timeout = "90s"`, `group = "name"`.
//!
//! Test names are `module_path::fn_name` (for `tests/e2e.rs`, `e2e::web_comes_up`), a pure function of
//! the source, with no libtest-mimic "kind" prefix: nextest's `--exact`, `test(=…)` and `NEXTEST_TEST_NAME`
//! all see the same string. `--exact NAME` that matches no test exits with an error instead of passing
//! silently.
//!
//! # What happens around each test
//!
//! 1. The namespace `kt-<slug>-<hash>` (hash of run id and test name; `-a<N>` for nextest retry N>1) is
//!    created with the labels `app.kubernetes.io/managed-by=kindtest`, `kindtest.dev/run=<run id>`,
//!    `kindtest.dev/test=<slug>`, and annotations with the full test name, pid and host. The harness waits
//!    for its `default` ServiceAccount (kubernetes/kubernetes#66689).
//! 2. The first test process of a run sweeps stale kindtest namespaces left by dead runs.
//! 3. On success the namespace is deleted (a bounded request; finalizers still pending are reported).
//!    On failure, diagnostics go to `target/kindtest/<run>/<test>/` and the namespace is kept when
//!    `KINDTEST_KEEP=failed` (the default) with ready-to-paste `kubectl` commands printed.
//! 4. SIGINT/SIGTERM (nextest forwards Ctrl-C, and sends SIGTERM on timeout) delete the namespace before the
//!    process exits (`exit` skips destructors, so the cleanup is explicit).
//! 5. A failure is reported as a panic whose message is one line saying what failed, preceded by an
//!    `Error: ` line, so nextest's JUnit `message` carries it.
//!
//! # Environment contract
//!
//! `cargo kindtest` sets these when it runs nextest; without the CLI, set `KUBECONFIG` and name the
//! context explicitly with `KINDTEST_CONTEXT`.
//!
//! | Variable | Meaning |
//! |---|---|
//! | [`ENV_KUBECONFIG`] `KINDTEST_KUBECONFIG` | kubeconfig of the test cluster (the CLI's own file under `target/kindtest/`). Falls back to `KUBECONFIG`, then `~/.kube/config`, but only together with `KINDTEST_CONTEXT`. |
//! | [`ENV_CONTEXT`] `KINDTEST_CONTEXT` | context to use. Required unless `KINDTEST_KUBECONFIG` is set (then the file's current context). The context must look like a kindtest cluster (name `kind-*`, `kwok-*`, `kindtest*`, or a loopback API server); anything else is refused. |
//! | [`ENV_RUN_ID`] `KINDTEST_RUN_ID` | id of this run (labels, diagnostics folder). Defaults to `NEXTEST_RUN_ID`, else a time-based id. |
//! | [`ENV_CLUSTER`] `KINDTEST_CLUSTER` | cluster name, informational (printed in kubectl hints, diagnostics). |
//! | [`ENV_IMAGES`] `KINDTEST_IMAGES` | JSON object `{"name": "repo:tag"}` of the images built for this run; [`Context::image`] and [`InstallBuilder::image`] read it. |
//! | [`ENV_KEEP`] `KINDTEST_KEEP` | `failed` (default: keep namespaces of failed tests), `never`, `always`. |
//! | [`ENV_DIAGNOSTICS_DIR`] `KINDTEST_DIAGNOSTICS_DIR` | base folder for diagnostics; default `<target dir>/kindtest`. The test folder is `<base>/<run>/<test name with :: as __>/`. |
//! | [`ENV_IN_CLUSTER`] `KINDTEST_IN_CLUSTER` | `1` when the tests run in a pod: in-cluster config, and [`Context::service_host`] returns cluster DNS names. |
//! | [`ENV_PROVIDER`] `KINDTEST_PROVIDER` | `kind`, `kwok` or `existing`: what kind of cluster this is. On `kwok` nodes no container runs (pods are simulated): port-forward, exec and logs cannot return data there; see [`Context::runs_containers`]. |
//! | [`ENV_PROFILE`] `KINDTEST_PROFILE` | the kindtest profile of the run (`sim`, `e2e`, ...), set by the CLI; [`Context::profile`]. |
//! | [`ENV_HELM`] `KINDTEST_HELM` | helm binary for [`Context::install`] (default `helm` on `PATH`). |
//! | [`ENV_WORKSPACE_ROOT`] `KINDTEST_WORKSPACE_ROOT` | where relative chart/values paths resolve (default: `NEXTEST_WORKSPACE_ROOT`, else the nearest `[workspace]` above the current directory). |
//! | [`ENV_DELETE_TIMEOUT`] `KINDTEST_DELETE_TIMEOUT` | seconds to wait for a namespace to be gone after a pass (default 0: issue the delete and report; the control plane finishes it in the background). |
//! | [`ENV_STALE_AFTER`] `KINDTEST_STALE_AFTER` | seconds after which a namespace from another run on another host counts as stale (default 21600). |
//! | [`ENV_TIMINGS`] `KINDTEST_TIMINGS` | `1`: print `kindtest-timing:` lines (namespace create, ServiceAccount ready, delete, in ms) on stderr. |
//! | [`ENV_DESCRIBE`] `KINDTEST_DESCRIBE` | `1`: the binary prints one JSON object per test (name, ignored, timeout_ms, group, needs_cluster) and exits; the CLI turns groups and timeouts into nextest overrides. |
//!
//! Nextest variables read: `NEXTEST_RUN_ID`, `NEXTEST_ATTEMPT`, `NEXTEST_TEST_GROUP`, `NEXTEST_WORKSPACE_ROOT`.

#![warn(missing_docs)]

mod context;
mod diagnostics;
mod error;
mod install;
mod namespace;
pub mod podrun;
mod portforward;
mod registry;
mod runner;
mod settings;
mod wait;

pub use context::{Context, ExecOutput, JobOutcome, ServiceHost};
pub use diagnostics::redact_secret;
pub use error::{Error, Result};
pub use install::{InstallBuilder, Release};
pub use kindtest_macros::test;
pub use namespace::{SweepReport, namespace_name, sweep_stale_namespaces};
pub use portforward::PortForward;
pub use settings::{Keep, Settings, test_diagnostics_dir};
pub use wait::{Condition, ObjectRef, Readiness, readiness};

/// Re-exported so tests can use the exact kube / k8s-openapi versions the harness uses.
pub use k8s_openapi;
/// Re-exported so tests can use the exact kube / k8s-openapi versions the harness uses.
pub use kube;

/// `KINDTEST_KUBECONFIG`: see the crate docs.
pub const ENV_KUBECONFIG: &str = "KINDTEST_KUBECONFIG";
/// `KINDTEST_CONTEXT`: see the crate docs.
pub const ENV_CONTEXT: &str = "KINDTEST_CONTEXT";
/// `KINDTEST_RUN_ID`: see the crate docs.
pub const ENV_RUN_ID: &str = "KINDTEST_RUN_ID";
/// `KINDTEST_CLUSTER`: see the crate docs.
pub const ENV_CLUSTER: &str = "KINDTEST_CLUSTER";
/// `KINDTEST_IMAGES`: see the crate docs.
pub const ENV_IMAGES: &str = "KINDTEST_IMAGES";
/// `KINDTEST_KEEP`: see the crate docs.
pub const ENV_KEEP: &str = "KINDTEST_KEEP";
/// `KINDTEST_DIAGNOSTICS_DIR`: see the crate docs.
pub const ENV_DIAGNOSTICS_DIR: &str = "KINDTEST_DIAGNOSTICS_DIR";
/// `KINDTEST_IN_CLUSTER`: see the crate docs.
pub const ENV_IN_CLUSTER: &str = "KINDTEST_IN_CLUSTER";
/// `KINDTEST_HELM`: see the crate docs.
pub const ENV_HELM: &str = "KINDTEST_HELM";
/// `KINDTEST_WORKSPACE_ROOT`: see the crate docs.
pub const ENV_WORKSPACE_ROOT: &str = "KINDTEST_WORKSPACE_ROOT";
/// `KINDTEST_DELETE_TIMEOUT`: see the crate docs.
pub const ENV_DELETE_TIMEOUT: &str = "KINDTEST_DELETE_TIMEOUT";
/// `KINDTEST_STALE_AFTER`: see the crate docs.
pub const ENV_STALE_AFTER: &str = "KINDTEST_STALE_AFTER";
/// `KINDTEST_TIMINGS`: see the crate docs.
pub const ENV_TIMINGS: &str = "KINDTEST_TIMINGS";
/// `KINDTEST_PROVIDER`: see the crate docs.
pub const ENV_PROVIDER: &str = "KINDTEST_PROVIDER";
/// `KINDTEST_PROFILE`: see the crate docs.
pub const ENV_PROFILE: &str = "KINDTEST_PROFILE";
/// `KINDTEST_DESCRIBE`: see the crate docs.
pub const ENV_DESCRIBE: &str = "KINDTEST_DESCRIBE";

/// Label put on every namespace the harness creates (`app.kubernetes.io/managed-by=kindtest`).
pub const MANAGED_BY_LABEL: (&str, &str) = ("app.kubernetes.io/managed-by", "kindtest");
/// Label carrying the run id.
pub const RUN_LABEL: &str = "kindtest.dev/run";
/// Label carrying the test name slug (the full name is in the [`TEST_ANNOTATION`] annotation).
pub const TEST_LABEL: &str = "kindtest.dev/test";
/// Label carrying the nextest attempt.
pub const ATTEMPT_LABEL: &str = "kindtest.dev/attempt";
/// Annotation with the full test name.
pub const TEST_ANNOTATION: &str = "kindtest.dev/test-name";
/// Annotation with `<host>/<pid>` of the test process that owns the namespace.
pub const OWNER_ANNOTATION: &str = "kindtest.dev/owner";
/// Annotation set on namespaces kept after a failure.
pub const KEPT_ANNOTATION: &str = "kindtest.dev/kept";

/// Defines `fn main()` for a `harness = false` test target: parses libtest's arguments, lists or runs the
/// registered tests and exits.
#[macro_export]
macro_rules! main {
    () => {
        fn main() {
            $crate::__private::run_main()
        }
    };
}

#[doc(hidden)]
pub mod __private {
    pub use crate::registry::{BoxFuture, IntoTestResult, TestBody, TestDef};
    pub use crate::runner::{run_main, run_main_if};
    pub use inventory;
}
