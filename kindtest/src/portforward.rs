//! In-process port-forwarding with kube-rs: a local listener, one API port-forward stream per
//! accepted connection. No `kubectl port-forward` child (nextest would flag it as leaky).

use std::net::SocketAddr;

use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::error::{Error, Result};

/// A running port-forward; forwarding stops when it is dropped.
pub struct PortForward {
    local: SocketAddr,
    target: String,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for PortForward {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PortForward({} -> {})", self.local, self.target)
    }
}

impl PortForward {
    pub(crate) async fn start(
        api: Api<Pod>,
        pod: String,
        port: u16,
        target: String,
    ) -> Result<PortForward> {
        // Open one stream eagerly: an unreachable pod or node fails here, with the reason.
        let probe = api.portforward(&pod, &[port]).await.map_err(|e| {
            Error::kube(
                format!("port-forward to {target} (pod/{pod} port {port})"),
                e,
            )
        })?;
        drop(probe);
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| Error::Other(format!("port-forward to {target}: bind 127.0.0.1: {e}")))?;
        let local = listener
            .local_addr()
            .map_err(|e| Error::Other(format!("port-forward to {target}: {e}")))?;
        let label = format!("{target} (pod/{pod}:{port})");
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut conn, _)) = listener.accept().await else {
                    break;
                };
                let api = api.clone();
                let pod = pod.clone();
                let label = label.clone();
                tokio::spawn(async move {
                    let mut pf = match api.portforward(&pod, &[port]).await {
                        Ok(pf) => pf,
                        Err(e) => {
                            eprintln!("kindtest: port-forward to {label}: {e}");
                            return;
                        }
                    };
                    let Some(mut upstream) = pf.take_stream(port) else {
                        eprintln!("kindtest: port-forward to {label}: no stream for port {port}");
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut conn, &mut upstream).await;
                    drop(upstream);
                    let _ = pf.join().await;
                });
            }
        });
        Ok(PortForward {
            local,
            target,
            task,
        })
    }

    /// The local address (`127.0.0.1:<port>`).
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The local port.
    pub fn local_port(&self) -> u16 {
        self.local.port()
    }

    /// What is forwarded, as given (`service/web`).
    pub fn target(&self) -> &str {
        &self.target
    }
}

impl Drop for PortForward {
    fn drop(&mut self) {
        self.task.abort();
    }
}
