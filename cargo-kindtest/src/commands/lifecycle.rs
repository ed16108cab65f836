//! `down`, `status`, `clean`: the cluster alone. They only ever delete what cargo kindtest
//! created (recorded under `target/kindtest/clusters/`).

use std::path::Path;

use cargo_kindtest::ExitCode;
use cargo_kindtest::cluster::{ClusterPaths, ProviderKind, provider_for};
use cargo_kindtest::kube_api::{KubeApi, KubeRs};
use cargo_kindtest::process::Exec;
use cargo_kindtest::state::{ClusterState, known_clusters, state_path};

fn load(manifest: Option<&Path>, exec: &Exec) -> Option<cargo_kindtest::config::Loaded> {
    match cargo_kindtest::config::load(manifest) {
        Ok(l) => Some(l),
        Err(e) => {
            exec.events().error(e.to_string());
            None
        }
    }
}

/// `cargo kindtest down`: deletes the profile's cluster if we created it.
pub fn down(profile: &str, manifest: Option<&Path>, exec: &Exec) -> ExitCode {
    let Some(loaded) = load(manifest, exec) else {
        return ExitCode::Usage;
    };
    let plan = match cargo_kindtest::plan::plan(
        &loaded,
        &cargo_kindtest::plan::Options {
            profile: profile.into(),
            ..Default::default()
        },
    ) {
        Ok(p) => p,
        Err(e) => {
            exec.events().error(e.to_string());
            return ExitCode::Usage;
        }
    };
    let paths = ClusterPaths::new(&plan.kindtest_dir, &plan.cluster.name);
    let name = &plan.cluster.name;
    match ClusterState::load(&state_path(&paths.dir)) {
        Some(s) if s.created_by_us => {
            let provider = match cargo_kindtest::cluster::provider_for_spec(&plan.cluster, exec) {
                Ok(p) => p,
                Err(e) => {
                    exec.events().error(e.to_string());
                    return ExitCode::Usage;
                }
            };
            if let Err(e) = provider.delete(name, &paths.kubeconfig) {
                exec.events().error(e.to_string());
                return ExitCode::Usage;
            }
            let _ = std::fs::remove_dir_all(&paths.dir);
            exec.events().info(format!("deleted cluster `{name}`"));
            ExitCode::Ok
        }
        Some(_) => {
            let _ = std::fs::remove_dir_all(&paths.dir);
            exec.events().info(format!(
                "cluster `{name}` was not created by cargo kindtest: left running, forgotten"
            ));
            ExitCode::Ok
        }
        None => {
            exec.events().info(format!(
                "no cluster created by cargo kindtest for profile `{}` (`{name}`)",
                plan.profile
            ));
            ExitCode::Ok
        }
    }
}

/// `cargo kindtest status`: what we created and what is installed.
pub fn status(profile: &str, manifest: Option<&Path>, exec: &Exec) -> ExitCode {
    let Some(loaded) = load(manifest, exec) else {
        return ExitCode::Usage;
    };
    let dir = loaded.target_dir.join("kindtest");
    let known = known_clusters(&dir);
    let live: Option<Vec<String>> = provider_for(ProviderKind::Kind, exec)
        .ok()
        .and_then(|p| p.list().ok());
    let current = cargo_kindtest::plan::plan(
        &loaded,
        &cargo_kindtest::plan::Options {
            profile: profile.into(),
            ..Default::default()
        },
    )
    .ok()
    .map(|p| p.cluster.name);
    if known.is_empty() {
        println!(
            "no clusters created by cargo kindtest (state: {})",
            dir.join("clusters").display()
        );
    }
    for (d, s) in known {
        let running = match &live {
            Some(l) if s.provider == "kind" => {
                if l.contains(&s.name) {
                    "running"
                } else {
                    "gone"
                }
            }
            _ => "unknown",
        };
        let mark = if current.as_deref() == Some(s.name.as_str()) {
            " (this profile)"
        } else {
            ""
        };
        println!(
            "{}{mark}: {} {running}, {}{}",
            s.name,
            s.provider,
            if s.ready { "ready" } else { "not ready" },
            if s.created_by_us { "" } else { ", not ours" }
        );
        println!("  kubeconfig: {}", d.join("kubeconfig").display());
        for r in s.images.values() {
            println!("  image   {r}");
        }
        for (k, fp) in &s.releases {
            println!("  release {k} ({fp})");
        }
    }
    ExitCode::Ok
}

/// `cargo kindtest clean`: sweeps our namespaces, deletes our clusters, forgets the state.
pub fn clean(manifest: Option<&Path>, exec: &Exec) -> ExitCode {
    let Some(loaded) = load(manifest, exec) else {
        return ExitCode::Usage;
    };
    let dir = loaded.target_dir.join("kindtest");
    let mut code = ExitCode::Ok;
    let live: Vec<String> = provider_for(ProviderKind::Kind, exec)
        .ok()
        .and_then(|p| p.list().ok())
        .unwrap_or_default();
    for (d, s) in known_clusters(&dir) {
        let kc = d.join("kubeconfig");
        let kind = ProviderKind::parse(&s.provider).unwrap_or(ProviderKind::Kind);
        let exists = kind != ProviderKind::Kind || live.contains(&s.name);
        if exists && kc.is_file() {
            match KubeRs.sweep_namespaces(&kc) {
                Ok(ns) if !ns.is_empty() => {
                    exec.events()
                        .info(format!("{}: deleted namespaces {}", s.name, ns.join(", ")))
                }
                Ok(_) => {}
                Err(e) => exec
                    .events()
                    .verbose(format!("{}: namespaces not swept: {e}", s.name)),
            }
        }
        if s.created_by_us {
            match provider_for(kind, exec).and_then(|p| {
                if exists {
                    p.delete(&s.name, &kc)
                } else {
                    Ok(())
                }
            }) {
                Ok(()) => exec.events().info(format!("deleted cluster `{}`", s.name)),
                Err(e) => {
                    exec.events().error(format!("cluster `{}`: {e}", s.name));
                    code = ExitCode::Usage;
                    continue;
                }
            }
        }
        let _ = std::fs::remove_dir_all(&d);
    }
    code
}
