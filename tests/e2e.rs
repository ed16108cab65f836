//! Example cluster tests for the bundled demo service, written the way a user of kindtest writes them.
//!
//! Each test gets a fresh namespace (`kt-<name>-<hash>`), deleted when it passes and kept (with
//! diagnostics under `target/kindtest/<run>/<test>/`) when it fails. Run them with `cargo kindtest`, or
//! against an existing kindtest cluster with
//! `KUBECONFIG=… KINDTEST_CONTEXT=kind-kindtest cargo nextest run -p demo --test e2e`.
//!
//! Names are `e2e::<fn>`: select with `cargo nextest run -E 'test(/^e2e::/)'` or `-- --exact e2e::installs`.
//!
//! On a kwok cluster (`KINDTEST_PROVIDER=kwok`) pods are simulated: they become Ready and Jobs complete,
//! but nothing listens behind them, so the traffic checks are skipped there (`ctx.runs_containers()`).

use std::time::Duration;

use kindtest::k8s_openapi::api::apps::v1::Deployment;
use kindtest::k8s_openapi::api::core::v1::ConfigMap;
use kindtest::{Condition, Context, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The chart under test and the name its objects get for the release `demo`.
const CHART: &str = "charts/demo";
const RELEASE: &str = "demo";
const HTTP_PORT: u16 = 80;

/// A minimal HTTP/1.1 GET, enough to probe the demo service.
async fn http_get(authority: &str, path: &str) -> Result<(u16, String)> {
    let mut conn = tokio::net::TcpStream::connect(authority).await?;
    conn.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await?;
    let mut buf = String::new();
    conn.read_to_string(&mut buf).await?;
    let status = buf
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            kindtest::Error::msg(format!("GET {path}: not an HTTP answer: {buf:.80}"))
        })?;
    let body = buf.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    Ok((status, body))
}

/// Install the chart with the image built for this run, wait for it, and talk to it.
#[kindtest::test(timeout = "5m")]
async fn installs_and_serves(ctx: Context) -> Result<()> {
    let release = ctx
        .install(CHART)
        .release(RELEASE)
        .values("values/ci.yaml")
        .image("demo")
        .timeout(Duration::from_secs(180))
        .await?;
    assert_eq!(release.status().await?.1, "deployed");

    // Helm already waited; an explicit wait documents what "up" means and names the culprit if not.
    ctx.wait_ready(&[&format!("deployment/{RELEASE}")]).await?;

    if ctx.runs_containers() {
        // Cluster DNS when the tests run in a pod, an in-process port-forward otherwise.
        let svc = ctx.service_host(RELEASE, HTTP_PORT).await?;
        let (status, _) = http_get(&svc.authority(), "/healthz").await?;
        assert_eq!(status, 200, "GET /healthz via {}", svc.authority());
    }
    Ok(())
}

/// Values change behaviour: scale through `--set` and wait for the new replica count.
#[kindtest::test(timeout = "5m")]
async fn scales_with_values(ctx: Context) -> Result<()> {
    ctx.install(CHART)
        .release(RELEASE)
        .image("demo")
        .set("replicaCount", 2)
        .await?;
    let d: Deployment = ctx.api().get(RELEASE).await?;
    assert_eq!(d.spec.and_then(|s| s.replicas), Some(2));
    ctx.wait_for(
        &format!("deployment/{RELEASE}"),
        Condition::field_eq("/status/availableReplicas", 2.into()),
        Duration::from_secs(120),
    )
    .await?;
    Ok(())
}

/// Port-forward straight to a pod of the deployment (no Service involved).
#[kindtest::test(timeout = "5m")]
async fn port_forward_to_a_pod(ctx: Context) -> Result<()> {
    ctx.install(CHART).release(RELEASE).image("demo").await?;
    if !ctx.runs_containers() {
        // On kwok the forward is refused by the (simulated) node; the error names the target.
        let err = ctx
            .port_forward(&format!("deployment/{RELEASE}"), 8080)
            .await
            .expect_err("kwok nodes serve no port-forward");
        assert!(
            err.to_string().contains("port-forward to deployment/"),
            "{err}"
        );
        return Ok(());
    }
    let pf = ctx
        .port_forward(&format!("deployment/{RELEASE}"), 8080)
        .await?;
    let (status, _) = http_get(&pf.local_addr().to_string(), "/healthz").await?;
    assert_eq!(status, 200);
    Ok(())
}

/// One-off commands as Jobs: the exit code and the logs come back.
#[kindtest::test(timeout = "5m")]
async fn runs_a_job(ctx: Context) -> Result<()> {
    let out = ctx
        .run_job("busybox:1.36", &["sh", "-c", "echo migrated; exit 0"])
        .await?;
    assert_eq!(out.exit_code, 0, "job {} logs: {}", out.name, out.logs);
    if ctx.runs_containers() {
        assert_eq!(out.logs.trim(), "migrated");
    }
    Ok(())
}

/// Plain manifests and typed objects, server-side applied into the test namespace.
#[kindtest::test]
async fn applies_manifests(ctx: Context) -> Result<()> {
    let applied = ctx
        .apply(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n",
        )
        .await?;
    assert_eq!(applied, ["configmap/settings"]);
    let cm: ConfigMap = ctx.api().get("settings").await?;
    assert_eq!(cm.data.unwrap_or_default()["mode"], "fast");
    Ok(())
}

/// What a failure looks like: this test is ignored by default; run it with
/// `cargo kindtest -- --run-ignored only -E 'test(=e2e::shows_diagnostics)'` and read the one-line
/// message, then `target/kindtest/<run>/e2e__shows_diagnostics/` (events, pods, logs, objects, releases)
/// and the kubectl commands printed for the kept namespace.
#[kindtest::test(ignore = "fails on purpose to show diagnostics")]
async fn shows_diagnostics(ctx: Context) -> Result<()> {
    ctx.install(CHART)
        .release(RELEASE)
        .image("demo")
        .set("image.tag", "does-not-exist")
        .wait(false)
        .await?;
    ctx.wait_ready_within(&[&format!("deployment/{RELEASE}")], Duration::from_secs(20))
        .await
}

kindtest::main!();
