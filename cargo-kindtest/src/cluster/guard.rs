//! The wrong-cluster guard: before anything mutates a cluster, its kubeconfig must name the
//! context we expect (`kind-<name>`) on a loopback API server, unless the user named the
//! cluster explicitly.

use std::path::Path;

use super::ClusterError;

/// What the guard found in a kubeconfig.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `current-context`.
    pub context: String,
    /// The context's cluster server URL.
    pub server: String,
}

/// Reads `current-context` and its server from a kubeconfig file.
pub fn read_target(kubeconfig: &Path) -> Result<Target, ClusterError> {
    let kc = kube::config::Kubeconfig::read_from(kubeconfig)
        .map_err(|e| ClusterError::Api(format!("{}: {e}", kubeconfig.display())))?;
    let context = kc.current_context.clone().unwrap_or_default();
    let cluster = kc
        .contexts
        .iter()
        .find(|c| c.name == context)
        .and_then(|c| c.context.as_ref())
        .map(|c| c.cluster.clone())
        .unwrap_or_default();
    let server = kc
        .clusters
        .iter()
        .find(|c| c.name == cluster)
        .and_then(|c| c.cluster.as_ref())
        .and_then(|c| c.server.clone())
        .unwrap_or_default();
    Ok(Target { context, server })
}

/// Whether `server` is an API server on this machine (`127.0.0.1`, `localhost`, `[::1]`).
pub fn is_loopback(server: &str) -> bool {
    let rest = server.split_once("://").map(|(_, r)| r).unwrap_or(server);
    let host = if let Some(r) = rest.strip_prefix('[') {
        r.split(']').next().unwrap_or("")
    } else {
        rest.split(['/', ':']).next().unwrap_or("")
    };
    host == "localhost"
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Refuses unless the kubeconfig's current context is `expected` on a loopback server.
pub fn check(kubeconfig: &Path, expected: &str) -> Result<Target, ClusterError> {
    let t = read_target(kubeconfig)?;
    if t.context != expected || !is_loopback(&t.server) {
        return Err(ClusterError::ForeignContext {
            context: t.context,
            server: t.server,
            expected: expected.into(),
        });
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kubeconfig(ctx: &str, server: &str) -> tempfile_like::File {
        let text = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {server}\ncontexts:\n- name: {ctx}\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user: {{}}\ncurrent-context: {ctx}\n"
        );
        tempfile_like::File::new(&text)
    }

    mod tempfile_like {
        pub struct File(pub std::path::PathBuf);
        impl File {
            pub fn new(text: &str) -> Self {
                static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
                let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let p = std::env::temp_dir()
                    .join(format!("kindtest-guard-{}-{n}.yaml", std::process::id()));
                std::fs::write(&p, text).unwrap();
                File(p)
            }
        }
        impl Drop for File {
            fn drop(&mut self) {
                let _ = std::fs::remove_file(&self.0);
            }
        }
    }

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback("https://127.0.0.1:6443"));
        assert!(is_loopback("https://localhost:6443"));
        assert!(is_loopback("https://[::1]:6443"));
        assert!(is_loopback("http://127.0.0.1:41000/"));
        assert!(!is_loopback("https://prod.example.com:443"));
        assert!(!is_loopback("https://10.0.0.1"));
    }

    #[test]
    fn guard_accepts_ours_refuses_others() {
        let ok = kubeconfig("kind-kt", "https://127.0.0.1:40001");
        assert!(check(&ok.0, "kind-kt").is_ok());
        let prod = kubeconfig("prod", "https://prod.example.com");
        let e = check(&prod.0, "kind-kt").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("refusing to use kube context `prod`"),
            "{e}"
        );
        let remote = kubeconfig("kind-kt", "https://203.0.113.9:6443");
        assert!(check(&remote.0, "kind-kt").is_err());
    }
}
