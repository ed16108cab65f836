//! Test registration: what `#[kindtest::test]` submits.

use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;

use crate::context::Context;
use crate::error::{Error, Result};

/// A boxed test future.
pub type BoxFuture = Pin<Box<dyn Future<Output = Result<()>> + Send + 'static>>;

/// The four shapes of test function.
#[derive(Clone, Copy)]
pub enum TestBody {
    /// `async fn(Context)`.
    Async(fn(Context) -> BoxFuture),
    /// `async fn()`.
    AsyncNoCluster(fn() -> BoxFuture),
    /// `fn(Context)`.
    Sync(fn(Context) -> Result<()>),
    /// `fn()`.
    SyncNoCluster(fn() -> Result<()>),
}

impl TestBody {
    /// Whether the test takes a [`Context`] (and so needs a cluster and a namespace).
    pub fn needs_cluster(&self) -> bool {
        matches!(self, TestBody::Async(_) | TestBody::Sync(_))
    }
}

/// One registered test.
pub struct TestDef {
    /// `module::path::fn_name`.
    pub name: &'static str,
    /// Source file.
    pub file: &'static str,
    /// Source line.
    pub line: u32,
    /// `#[kindtest::test(ignore)]`.
    pub ignore: bool,
    /// `ignore = "why"`.
    pub ignore_reason: Option<&'static str>,
    /// `timeout = "…"`, in milliseconds.
    pub timeout_ms: Option<u64>,
    /// `group = "…"`.
    pub group: Option<&'static str>,
    /// The function.
    pub body: TestBody,
}

inventory::collect!(TestDef);

/// All tests of this binary, sorted by name.
pub(crate) fn all() -> Vec<&'static TestDef> {
    let mut v: Vec<&'static TestDef> = inventory::iter::<TestDef>.into_iter().collect();
    v.sort_by(|a, b| a.name.cmp(b.name));
    v
}

/// What a test function may return.
pub trait IntoTestResult {
    /// Converts into the harness's result.
    fn into_test_result(self) -> Result<()>;
}

impl IntoTestResult for () {
    fn into_test_result(self) -> Result<()> {
        Ok(())
    }
}

impl<E: Display> IntoTestResult for std::result::Result<(), E> {
    fn into_test_result(self) -> Result<()> {
        self.map_err(|e| match_error(&e))
    }
}

fn match_error<E: Display>(e: &E) -> Error {
    Error::msg(e)
}

/// One JSON line per test for `KINDTEST_DESCRIBE=1`.
pub(crate) fn describe(def: &TestDef) -> String {
    serde_json::json!({
        "name": def.name,
        "ignored": def.ignore,
        "ignore_reason": def.ignore_reason,
        "timeout_ms": def.timeout_ms,
        "group": def.group,
        "needs_cluster": def.body.needs_cluster(),
        "file": def.file,
        "line": def.line,
    })
    .to_string()
}
