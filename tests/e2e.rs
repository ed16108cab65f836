//! Example cluster tests for the bundled demo service, written the way a user of kindtest writes them.
//!
//! Each test gets a fresh namespace (`kt-<name>-<hash>`), deleted when it passes and kept (with
//! diagnostics under `target/kindtest/<run>/<test>/`) when it fails. Run them with `cargo kindtest`
//! (`--profile sim` on the local control plane, `--profile e2e` on kind), or against an existing
//! kindtest cluster without the CLI:
//!
//! ```text
//! KUBECONFIG=… KINDTEST_CONTEXT=kind-kindtest KINDTEST_IMAGES='{"demo":"kindtest.local/demo:dev"}' \
//!     cargo nextest run -p demo --test e2e --ignore-default-filter
//! ```
//!
//! Names are `e2e::<fn>`: select with `cargo nextest run -E 'test(/^e2e::/)'` or `-- --exact e2e::runs_a_job`.
//!
//! On a kwok cluster (`KINDTEST_PROVIDER=kwok`, the `sim` profile) pods are simulated: they become Ready
//! and Jobs complete, but no container runs behind them. The checks that need one (HTTP through a
//! port-forward, exec, logs) are skipped there with `ctx.skip(reason)`, which says so on stderr; on kind
//! they run for real.

use std::time::Duration;

use kindtest::k8s_openapi::api::apps::v1::Deployment;
use kindtest::k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kindtest::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kindtest::kube::api::ListParams;
use kindtest::{Condition, Context, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The chart under test and the name its objects get for the release `demo`.
const CHART: &str = "charts/demo";
const RELEASE: &str = "demo";
/// The Service port (values.yaml `service.port`) and the container port behind it.
const SERVICE_PORT: u16 = 80;
const CONTAINER_PORT: u16 = 8080;
/// Why the traffic checks do not run on kwok.
const NO_CONTAINERS: &str =
    "kwok nodes run no containers: nothing listens behind the simulated pods";

/// A minimal HTTP/1.1 GET, enough to probe the demo service: `(status, body)`.
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

/// The name of one pod of the release.
async fn a_pod_of_the_release(ctx: &Context) -> Result<String> {
    let pods = ctx
        .api::<Pod>()
        .list(&ListParams::default().labels(&format!("app.kubernetes.io/instance={RELEASE}")))
        .await?;
    pods.items
        .into_iter()
        .find_map(|p| p.metadata.name)
        .ok_or_else(|| kindtest::Error::msg(format!("release {RELEASE} has no pods")))
}

/// Install the chart with a values file and the image built for this run, wait for it, talk to it.
#[kindtest::test(timeout = "5m")]
async fn installs_and_serves(ctx: Context) -> Result<()> {
    let release = ctx
        .install(CHART)
        .release(RELEASE)
        .values("values/e2e.yaml")
        .image("demo")
        .timeout(Duration::from_secs(180))
        .await?;
    assert_eq!(release.status().await?, (1, "deployed".to_string()));

    // Helm already waited; an explicit wait documents what "up" means and names the culprit if not.
    ctx.wait_ready(&[&format!("deployment/{RELEASE}")]).await?;
    let cm: ConfigMap = ctx.api().get(RELEASE).await?;
    assert_eq!(
        cm.data.unwrap_or_default()["GREETING"],
        "hello from the e2e profile"
    );

    if !ctx.runs_containers() {
        return ctx.skip(NO_CONTAINERS);
    }
    // Cluster DNS when the tests run in a pod, an in-process port-forward otherwise.
    let svc = ctx.service_host(RELEASE, SERVICE_PORT).await?;
    let (status, body) = http_get(&svc.authority(), "/").await?;
    assert_eq!(status, 200, "GET / via {}", svc.authority());
    assert_eq!(body.trim(), "hello from the e2e profile");
    Ok(())
}

/// Values change behaviour: scale through `--set` and wait for a field to reach a value.
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

/// Port-forward straight to a pod of the deployment (no Service involved), in process.
#[kindtest::test(timeout = "5m")]
async fn port_forward_to_a_pod(ctx: Context) -> Result<()> {
    ctx.install(CHART).release(RELEASE).image("demo").await?;
    if !ctx.runs_containers() {
        return ctx.skip(NO_CONTAINERS);
    }
    let pf = ctx
        .port_forward(&format!("deployment/{RELEASE}"), CONTAINER_PORT)
        .await?;
    let (status, body) = http_get(&pf.local_addr().to_string(), "/healthz").await?;
    assert_eq!((status, body.as_str()), (200, "ok\n"));
    Ok(())
}

/// `exec` a command in a running pod (the image's own probe: it is distroless, without a shell) and
/// read the pod's logs.
#[kindtest::test(timeout = "5m")]
async fn exec_and_logs(ctx: Context) -> Result<()> {
    ctx.install(CHART)
        .release(RELEASE)
        .image("demo")
        .set("config.logLevel", "trace")
        .await?;
    if !ctx.runs_containers() {
        return ctx.skip(NO_CONTAINERS);
    }
    let pod = a_pod_of_the_release(&ctx).await?;
    let out = ctx
        .exec(&pod, &["/usr/local/bin/demo", "probe", "/config"])
        .await?;
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    assert!(out.stdout.contains("logLevel: trace"), "{}", out.stdout);
    let missing = ctx
        .exec(&pod, &["/usr/local/bin/demo", "probe", "/missing"])
        .await?;
    assert_eq!(missing.code, 1, "a 404 is exit code 1: {missing:?}");

    let logs = ctx.logs(&pod).await?;
    assert!(logs.contains("demo: listening on 0.0.0.0:8080"), "{logs}");
    Ok(())
}

/// One-off commands as Jobs: the exit code and the logs come back; a failing command is an outcome,
/// not an error.
#[kindtest::test(timeout = "5m")]
async fn runs_a_job(ctx: Context) -> Result<()> {
    let ok = ctx
        .run_job("busybox:1.36", &["sh", "-c", "echo migrated; exit 0"])
        .await?;
    assert_eq!(ok.exit_code, 0, "job {} logs: {}", ok.name, ok.logs);
    if !ctx.runs_containers() {
        // kwok completes every Job with exit code 0 and serves no logs.
        return ctx.skip(NO_CONTAINERS);
    }
    assert_eq!(ok.logs.trim(), "migrated");
    let failed = ctx
        .run_job(
            "busybox:1.36",
            &["sh", "-c", "echo no database >&2; exit 3"],
        )
        .await?;
    assert_eq!(failed.exit_code, 3);
    assert_eq!(failed.logs.trim(), "no database");
    Ok(())
}

/// "Test like you fly": clients in the cluster reach the Service by its DNS name. Meaningful only when
/// the test itself runs in a pod (`cargo kindtest --in-cluster` sets `KINDTEST_IN_CLUSTER=1`); on the
/// host there is no cluster DNS, so it skips with that reason.
#[kindtest::test(timeout = "5m")]
async fn resolves_service_by_cluster_dns(ctx: Context) -> Result<()> {
    if !ctx.settings().in_cluster {
        return ctx.skip(
            "needs cluster DNS, which only a pod has; run it with `cargo kindtest --in-cluster`",
        );
    }
    ctx.install(CHART)
        .release(RELEASE)
        .image("demo")
        .timeout(Duration::from_secs(180))
        .await?;
    ctx.wait_ready(&[&format!("deployment/{RELEASE}")]).await?;
    let svc = ctx.service_host(RELEASE, SERVICE_PORT).await?;
    let expected = format!("{RELEASE}.{}.svc.cluster.local", ctx.namespace());
    assert_eq!(svc.host, expected, "in a pod, service_host is the DNS name");
    let addrs: Vec<_> = tokio::net::lookup_host(svc.authority()).await?.collect();
    if addrs.is_empty() {
        return Err(kindtest::Error::msg(format!(
            "{expected} resolved to no address"
        )));
    }
    if ctx.runs_containers() {
        let (status, _) = http_get(&svc.authority(), "/healthz").await?;
        assert_eq!(status, 200, "GET /healthz via {}", svc.authority());
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

    // A typed object; applying it again with a change updates it in place.
    let mut typed = ConfigMap {
        metadata: ObjectMeta {
            name: Some("typed".into()),
            ..Default::default()
        },
        data: Some([("replicas".to_string(), "1".to_string())].into()),
        ..Default::default()
    };
    ctx.apply_object(&typed).await?;
    typed.data = Some([("replicas".to_string(), "3".to_string())].into());
    let stored = ctx.apply_object(&typed).await?;
    assert_eq!(stored.data.unwrap_or_default()["replicas"], "3");
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
        // More CPU than any node has: the pods stay Pending, on kind and on kwok alike.
        .set("resources.requests.cpu", "1000")
        .wait(false)
        .await?;
    ctx.wait_ready_within(&[&format!("deployment/{RELEASE}")], Duration::from_secs(20))
        .await
}

kindtest::main!();
