//! The runner image: the test binaries nextest will run and the workspace files the tests read, on a
//! minimal base, staged as a Docker build context under `target/kindtest/runner-image/` and handed to
//! the images stage as one more image ([`crate::images::build_and_load`]): same content tag
//! (`kt-<hash of Dockerfile and context>`), not rebuilt when the tag exists, not reloaded when the nodes
//! have it, loaded with the other images in one `kind load`.
//!
//! Layout of the image:
//!
//! ```text
//! /kindtest/bin/<test binary file name>   every binary nextest lists (e.g. e2e-3f2a…)
//! /kindtest/bin/helm                      the helm the pipeline uses, if any (KINDTEST_HELM in the pod)
//! /kindtest/src/<workspace-relative path> the data files (charts, values, fixtures)
//! ```
//!
//! Base: `gcr.io/distroless/cc-debian12:nonroot` by default (glibc and libgcc for Rust binaries built
//! for `*-linux-gnu`, no shell, uid 65532); `in-cluster.base-image` overrides it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::plan::ImagePlan;

/// Default base image.
pub const DEFAULT_BASE: &str = "gcr.io/distroless/cc-debian12:nonroot";
/// Repository of the runner image.
pub const REPOSITORY: &str = "kindtest.local/kindtest-runner";
/// Image key in `KINDTEST_IMAGES` / the images stage.
pub const IMAGE_KEY: &str = "kindtest-runner";

/// What goes into the runner image.
#[derive(Debug, Clone, Default)]
pub struct RunnerImageSpec {
    /// Test binaries (host paths).
    pub binaries: Vec<PathBuf>,
    /// Workspace-relative files or directories copied under `/kindtest/src/`.
    pub files: Vec<PathBuf>,
    /// Helm binary to include, if any.
    pub helm: Option<PathBuf>,
    /// Base image (default [`DEFAULT_BASE`]).
    pub base: Option<String>,
}

/// Errors while staging the context.
#[derive(Debug, thiserror::Error)]
#[error("runner image: {what} {}: {source}", path.display())]
pub struct PackageError {
    what: &'static str,
    path: PathBuf,
    #[source]
    source: std::io::Error,
}

fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> PackageError + use<> {
    let path = path.to_path_buf();
    move |source| PackageError { what, path, source }
}

/// The Dockerfile of the staged context.
pub fn dockerfile(base: &str) -> String {
    format!(
        "# Written by cargo kindtest --in-cluster: the test binaries and the files they read.\n\
         FROM {base}\n\
         COPY bin/ /kindtest/bin/\n\
         COPY src/ /kindtest/src/\n\
         WORKDIR /kindtest/src\n"
    )
}

/// Copies `src` to `dst` unless `dst` already has the same length and modification time (the
/// staged tree is rebuilt in place on every run; unchanged binaries cost nothing).
fn copy_file(src: &Path, dst: &Path) -> Result<(), PackageError> {
    let sm = std::fs::metadata(src).map_err(io("reading", src))?;
    if let Ok(dm) = std::fs::metadata(dst)
        && dm.len() == sm.len()
        && dm.modified().ok() == sm.modified().ok()
    {
        return Ok(());
    }
    if let Some(parent) = dst.parent() {
        std::fs::create_dir_all(parent).map_err(io("creating", parent))?;
    }
    std::fs::copy(src, dst).map_err(io("copying", src))?;
    if let Ok(t) = sm.modified() {
        let f = std::fs::File::options()
            .write(true)
            .open(dst)
            .map_err(io("opening", dst))?;
        f.set_modified(t).map_err(io("setting the time of", dst))?;
    }
    Ok(())
}

fn copy_tree(src: &Path, dst: &Path, out: &mut Vec<PathBuf>) -> Result<(), PackageError> {
    let meta = std::fs::metadata(src).map_err(io("reading", src))?;
    if meta.is_dir() {
        for entry in std::fs::read_dir(src).map_err(io("listing", src))? {
            let entry = entry.map_err(io("listing", src))?;
            copy_tree(&entry.path(), &dst.join(entry.file_name()), out)?;
        }
    } else {
        copy_file(src, dst)?;
        out.push(dst.to_path_buf());
    }
    Ok(())
}

fn remove_stale(dir: &Path, keep: &[PathBuf]) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in rd.flatten() {
        let p = entry.path();
        if p.is_dir() {
            remove_stale(&p, keep);
            let _ = std::fs::remove_dir(&p); // only if empty
        } else if !keep.contains(&p) {
            let _ = std::fs::remove_file(&p);
        }
    }
}

/// Stages the build context in `staging` (created or updated in place; files no longer wanted are
/// removed, so the content tag only depends on `spec`) and returns the image for the images stage.
pub fn stage(
    spec: &RunnerImageSpec,
    workspace_root: &Path,
    staging: &Path,
) -> Result<ImagePlan, PackageError> {
    std::fs::create_dir_all(staging).map_err(io("creating", staging))?;
    let mut kept = Vec::new();
    let df = staging.join("Dockerfile");
    std::fs::write(
        &df,
        dockerfile(spec.base.as_deref().unwrap_or(DEFAULT_BASE)),
    )
    .map_err(io("writing", &df))?;
    kept.push(df.clone());
    let bin = staging.join("bin");
    let mut names = BTreeMap::new();
    for b in &spec.binaries {
        let name = b.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        if let Some(other) = names.insert(name.clone(), b.clone())
            && &other != b
        {
            return Err(PackageError {
                what: "two test binaries share a file name",
                path: b.clone(),
                source: std::io::Error::other(format!("also {}", other.display())),
            });
        }
        let dst = bin.join(&name);
        copy_file(b, &dst)?;
        kept.push(dst);
    }
    if let Some(h) = &spec.helm {
        let dst = bin.join("helm");
        copy_file(h, &dst)?;
        kept.push(dst);
    }
    // `COPY bin/` and `COPY src/` need the folders even when empty.
    let src = staging.join("src");
    for d in [&bin, &src] {
        std::fs::create_dir_all(d).map_err(io("creating", d))?;
        let keep = d.join(".keep");
        std::fs::write(&keep, "").map_err(io("writing", &keep))?;
        kept.push(keep);
    }
    for f in &spec.files {
        let rel = f.strip_prefix(workspace_root).unwrap_or(f);
        copy_tree(&workspace_root.join(rel), &src.join(rel), &mut kept)?;
    }
    remove_stale(staging, &kept);
    Ok(ImagePlan {
        key: IMAGE_KEY.into(),
        repository: REPOSITORY.into(),
        dockerfile: df,
        context: staging.to_path_buf(),
        target: None,
        build_args: BTreeMap::new(),
        repository_path: None,
        tag_path: None,
        pull_policy_path: None,
    })
}

/// The binaries of a `cargo nextest list --message-format json` answer that have at least one test
/// matching the filters (nextest runs only those).
pub fn binaries_from_nextest_list(json: &str) -> Result<Vec<PathBuf>, String> {
    let v: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("nextest list output: {e}"))?;
    let suites = v
        .get("rust-suites")
        .and_then(|s| s.as_object())
        .ok_or("nextest list output: no `rust-suites`")?;
    let mut out = Vec::new();
    for suite in suites.values() {
        let any = suite
            .get("testcases")
            .and_then(|t| t.as_object())
            .is_some_and(|t| {
                t.values().any(|c| {
                    c.pointer("/filter-match/status").and_then(|s| s.as_str()) == Some("matches")
                })
            });
        if let (true, Some(p)) = (any, suite.get("binary-path").and_then(|p| p.as_str())) {
            out.push(PathBuf::from(p));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_json_keeps_binaries_with_selected_tests() {
        let json = r#"{"rust-build-meta": {}, "test-count": 2, "rust-suites": {
            "demo::e2e": {"binary-path": "/t/debug/deps/e2e-1", "testcases": {
                "e2e::dns": {"ignored": false, "filter-match": {"status": "matches"}}}},
            "demo": {"binary-path": "/t/debug/deps/demo-2", "testcases": {
                "unit": {"ignored": false, "filter-match": {"status": "mismatch", "reason": "expression"}}}}}}"#;
        assert_eq!(
            binaries_from_nextest_list(json).unwrap(),
            vec![PathBuf::from("/t/debug/deps/e2e-1")]
        );
        assert!(binaries_from_nextest_list("{}").is_err());
    }

    #[test]
    fn staged_context_and_content_tag() {
        let root = std::env::temp_dir().join(format!("kt-pkg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let ws = root.join("ws");
        std::fs::create_dir_all(ws.join("charts/demo/templates")).unwrap();
        std::fs::write(ws.join("charts/demo/Chart.yaml"), "name: demo\n").unwrap();
        std::fs::write(ws.join("charts/demo/templates/a.yaml"), "a: 1\n").unwrap();
        std::fs::create_dir_all(ws.join("target/debug/deps")).unwrap();
        let bin = ws.join("target/debug/deps/e2e-abc");
        std::fs::write(&bin, b"\x7fELF fake").unwrap();
        let spec = RunnerImageSpec {
            binaries: vec![bin.clone()],
            files: vec![PathBuf::from("charts/demo")],
            helm: None,
            base: None,
        };
        let staging = root.join("stage");
        let plan = stage(&spec, &ws, &staging).unwrap();
        assert!(staging.join("bin/e2e-abc").is_file());
        assert!(staging.join("src/charts/demo/templates/a.yaml").is_file());
        let df = std::fs::read_to_string(&plan.dockerfile).unwrap();
        assert!(
            df.contains("FROM gcr.io/distroless/cc-debian12:nonroot"),
            "{df}"
        );
        let t1 = crate::images::content_tag(&plan).unwrap();
        // Same inputs, same tag; restaged without changes, same tag.
        let plan = stage(&spec, &ws, &staging).unwrap();
        assert_eq!(crate::images::content_tag(&plan).unwrap(), t1);
        // A rebuilt binary changes the tag.
        std::fs::write(&bin, b"\x7fELF fake 2").unwrap();
        let plan = stage(&spec, &ws, &staging).unwrap();
        let t2 = crate::images::content_tag(&plan).unwrap();
        assert_ne!(t1, t2);
        // A file dropped from the spec disappears from the context (and the tag changes back).
        let spec2 = RunnerImageSpec {
            files: vec![],
            ..spec.clone()
        };
        let plan = stage(&spec2, &ws, &staging).unwrap();
        assert!(!staging.join("src/charts/demo/Chart.yaml").exists());
        assert_ne!(crate::images::content_tag(&plan).unwrap(), t2);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
