//! The images stage: build each declared image, tag it by content, load into the nodes only
//! what they lack (all images in one `kind load`), and hand the tags to `install`.
//!
//! The tag is a hash of the Dockerfile, the build arguments and every file of the context
//! that `.dockerignore` keeps, so an unchanged image is neither rebuilt nor reloaded.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::cluster::{ClusterError, Provider, command_error};
use crate::hash::Hasher;
use crate::plan::ImagePlan;
use crate::process::{Cmd, Exec, ExecError};
use crate::state::ClusterState;

/// A built image and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct BuiltImage {
    /// Key in `images`.
    pub key: String,
    /// Repository.
    pub repository: String,
    /// Content tag.
    pub tag: String,
    /// What was done: `"loaded"`, `"built+loaded"`, `"up to date"`.
    pub action: &'static str,
    /// The plan entry (values paths).
    pub plan: ImagePlan,
}

impl BuiltImage {
    /// `repository:tag`.
    pub fn reference(&self) -> String {
        format!("{}:{}", self.repository, self.tag)
    }
}

/// Errors of the images stage.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// Reading the build context.
    #[error("image `{key}`: reading {}: {source}", path.display())]
    Context {
        /// Image key.
        key: String,
        /// Path.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// `docker build` failed.
    #[error("image `{key}`: build failed:\n{message}")]
    Build {
        /// Image key.
        key: String,
        /// The engine's output (tail).
        message: String,
    },
    /// The engine or kind failed.
    #[error(transparent)]
    Cluster(#[from] ClusterError),
}

impl crate::error::Classify for ImageError {
    fn exit_code(&self) -> crate::ExitCode {
        match self {
            ImageError::Cluster(e) => e.exit_code(),
            ImageError::Build { .. } => crate::ExitCode::Failed,
            ImageError::Context { .. } => crate::ExitCode::Usage,
        }
    }
}

/// Computes the content tag of an image (`kt-<12 hex>`).
pub fn content_tag(img: &ImagePlan) -> Result<String, ImageError> {
    let err = |path: &Path, source| ImageError::Context {
        key: img.key.clone(),
        path: path.to_path_buf(),
        source,
    };
    let mut h = Hasher::new();
    h.field(std::fs::read(&img.dockerfile).map_err(|e| err(&img.dockerfile, e))?);
    h.field(img.target.as_deref().unwrap_or(""));
    for (k, v) in &img.build_args {
        h.field(k).field(v);
    }
    let ignore = read_dockerignore(&img.dockerfile, &img.context);
    let mut files = Vec::new();
    walk(&img.context, &img.context, &ignore, &mut files).map_err(|(p, e)| err(&p, e))?;
    files.sort();
    for rel in files {
        let p = img.context.join(&rel);
        let bytes = std::fs::read(&p).map_err(|e| err(&p, e))?;
        h.field(rel.as_bytes()).field(bytes);
    }
    Ok(format!("kt-{}", h.short(12)))
}

/// `.dockerignore` patterns: `<Dockerfile>.dockerignore` next to the Dockerfile wins over
/// `<context>/.dockerignore` (BuildKit's rule).
fn read_dockerignore(dockerfile: &Path, context: &Path) -> Vec<(bool, String)> {
    let specific = PathBuf::from(format!("{}.dockerignore", dockerfile.display()));
    let text = std::fs::read_to_string(&specific)
        .or_else(|_| std::fs::read_to_string(context.join(".dockerignore")))
        .unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (neg, pat) = match l.strip_prefix('!') {
                Some(p) => (true, p.trim()),
                None => (false, l),
            };
            (
                neg,
                pat.trim_start_matches('/')
                    .trim_end_matches('/')
                    .to_string(),
            )
        })
        .collect()
}

/// Whether a context-relative path is excluded (last matching pattern wins; a pattern
/// matching a directory excludes what is inside).
pub fn is_ignored(rel: &str, patterns: &[(bool, String)]) -> bool {
    let mut ignored = false;
    for (neg, pat) in patterns {
        let mut m = glob_match(pat, rel);
        if !m {
            // Parent directories: `target` excludes `target/debug/x`.
            let mut prefix = rel;
            while let Some(i) = prefix.rfind('/') {
                prefix = &prefix[..i];
                if glob_match(pat, prefix) {
                    m = true;
                    break;
                }
            }
        }
        if m {
            ignored = !neg;
        }
    }
    ignored
}

/// Go `filepath.Match` plus `**` (any number of path segments).
pub fn glob_match(pat: &str, s: &str) -> bool {
    fn rec(p: &[u8], s: &[u8]) -> bool {
        if p.is_empty() {
            return s.is_empty();
        }
        if p.starts_with(b"**") {
            let rest = p[2..].strip_prefix(b"/").unwrap_or(&p[2..]);
            return (0..=s.len())
                .any(|i| (i == 0 || s[i - 1] == b'/' || rest.is_empty()) && rec(rest, &s[i..]));
        }
        match p[0] {
            b'*' => (0..=s.len())
                .take_while(|&i| i == 0 || s[i - 1] != b'/')
                .any(|i| rec(&p[1..], &s[i..])),
            b'?' => !s.is_empty() && s[0] != b'/' && rec(&p[1..], &s[1..]),
            c => !s.is_empty() && s[0] == c && rec(&p[1..], &s[1..]),
        }
    }
    rec(pat.as_bytes(), s.as_bytes())
}

fn walk(
    root: &Path,
    dir: &Path,
    ignore: &[(bool, String)],
    out: &mut Vec<String>,
) -> Result<(), (PathBuf, std::io::Error)> {
    let rd = std::fs::read_dir(dir).map_err(|e| (dir.to_path_buf(), e))?;
    for entry in rd {
        let entry = entry.map_err(|e| (dir.to_path_buf(), e))?;
        let path = entry.path();
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let ft = entry.file_type().map_err(|e| (path.clone(), e))?;
        if ft.is_dir() {
            // A directory excluded with no `!` exception below it is skipped entirely (fast
            // for `target/`).
            if is_ignored(&rel, ignore)
                && !ignore.iter().any(|(neg, p)| *neg && p.starts_with(&rel))
            {
                continue;
            }
            walk(root, &path, ignore, out)?;
        } else if !is_ignored(&rel, ignore) {
            out.push(rel);
        }
    }
    Ok(())
}

/// Builds what is missing, loads what the cluster lacks, updates `state.images`.
pub fn build_and_load(
    exec: &Exec,
    engine: &str,
    provider: &dyn Provider,
    cluster: &str,
    images: &[ImagePlan],
    state: &mut ClusterState,
) -> Result<Vec<BuiltImage>, ImageError> {
    if !provider.runs_images() {
        // kwok: pods are simulated, images never pulled; values still get the tags.
        return images
            .iter()
            .map(|i| {
                Ok(BuiltImage {
                    key: i.key.clone(),
                    repository: i.repository.clone(),
                    tag: content_tag(i)?,
                    action: "not needed",
                    plan: i.clone(),
                })
            })
            .collect();
    }
    let mut out = Vec::new();
    let mut to_load = Vec::new();
    for img in images {
        let tag = content_tag(img)?;
        let reference = format!("{}:{tag}", img.repository);
        let mut action = "up to date";
        if state.images.get(&img.repository) != Some(&reference) {
            if !image_exists(exec, engine, &reference)? {
                build(exec, engine, img, &reference)?;
                action = "built+loaded";
            } else {
                action = "loaded";
            }
            to_load.push(reference.clone());
        }
        out.push(BuiltImage {
            key: img.key.clone(),
            repository: img.repository.clone(),
            tag,
            action,
            plan: img.clone(),
        });
    }
    if !to_load.is_empty() {
        provider.load_images(cluster, &to_load)?;
        for b in &out {
            state.images.insert(b.repository.clone(), b.reference());
        }
    }
    Ok(out)
}

fn engine_error(engine: &str, e: ExecError) -> ImageError {
    match e {
        ExecError::NotFound { program } => ImageError::Cluster(ClusterError::ToolMissing {
            hint: if engine == "podman" {
                "install podman: https://podman.io/docs/installation".into()
            } else {
                "install Docker: https://docs.docker.com/engine/install/".into()
            },
            tool: program,
        }),
        e => ImageError::Cluster(ClusterError::Exec(e)),
    }
}

fn image_exists(exec: &Exec, engine: &str, reference: &str) -> Result<bool, ImageError> {
    let cmd = Cmd::new(engine).args(["image", "inspect", "--format", "{{.Id}}", reference]);
    let out = exec.run(&cmd).map_err(|e| engine_error(engine, e))?;
    if out.success() {
        return Ok(true);
    }
    let msg = out.message();
    if crate::cluster::daemon_down(&msg).is_some() {
        return Err(command_error(&cmd, &out).into());
    }
    Ok(false)
}

fn build(exec: &Exec, engine: &str, img: &ImagePlan, reference: &str) -> Result<(), ImageError> {
    let mut cmd = Cmd::new(engine)
        .args(["build", "-t", reference, "-f"])
        .arg(&img.dockerfile);
    if let Some(t) = &img.target {
        cmd = cmd.args(["--target", t]);
    }
    for (k, v) in &img.build_args {
        cmd = cmd.arg("--build-arg").arg(format!("{k}={v}"));
    }
    cmd = cmd.arg(&img.context);
    let out = exec.run(&cmd).map_err(|e| engine_error(engine, e))?;
    if !out.success() {
        let msg = out.message();
        if crate::cluster::daemon_down(&msg).is_some() {
            return Err(command_error(&cmd, &out).into());
        }
        let tail: Vec<&str> = msg.lines().rev().take(30).collect();
        return Err(ImageError::Build {
            key: img.key.clone(),
            message: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
        });
    }
    Ok(())
}

/// `--set` pairs injecting each image into a release's values.
pub fn value_overrides(images: &[BuiltImage], keys: &[String]) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for b in images.iter().filter(|b| keys.contains(&b.key)) {
        if let Some(p) = &b.plan.repository_path {
            m.insert(p.clone(), b.repository.clone());
        }
        if let Some(p) = &b.plan.tag_path {
            m.insert(p.clone(), b.tag.clone());
        }
        if let Some(p) = &b.plan.pull_policy_path {
            m.insert(p.clone(), "IfNotPresent".into());
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("target", "target"));
        assert!(glob_match("*.md", "README.md"));
        assert!(!glob_match("*.md", "docs/README.md"));
        assert!(glob_match("**/*.md", "docs/README.md"));
        assert!(glob_match("**/*.md", "README.md"));
        assert!(glob_match("docs/**", "docs/a/b"));
        assert!(glob_match("a?c", "abc"));
    }

    #[test]
    fn dockerignore_semantics() {
        let pats = vec![
            (false, "target".to_string()),
            (false, "*.md".to_string()),
            (true, "KEEP.md".to_string()),
        ];
        assert!(is_ignored("target/debug/x", &pats));
        assert!(is_ignored("README.md", &pats));
        assert!(!is_ignored("KEEP.md", &pats));
        assert!(!is_ignored("src/main.rs", &pats));
    }

    #[test]
    fn tag_changes_with_content_not_with_ignored_files() {
        let dir = std::env::temp_dir().join(format!("kindtest-img-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::create_dir_all(dir.join("target")).unwrap();
        std::fs::write(dir.join("Dockerfile"), "FROM scratch\n").unwrap();
        std::fs::write(dir.join(".dockerignore"), "target\n").unwrap();
        std::fs::write(dir.join("src/main.rs"), "fn main() {}\n").unwrap();
        let img = ImagePlan {
            key: "demo".into(),
            repository: "kindtest.local/demo".into(),
            dockerfile: dir.join("Dockerfile"),
            context: dir.clone(),
            target: None,
            build_args: BTreeMap::new(),
            repository_path: None,
            tag_path: None,
            pull_policy_path: None,
        };
        let t1 = content_tag(&img).unwrap();
        std::fs::write(dir.join("target/junk"), "x").unwrap();
        assert_eq!(content_tag(&img).unwrap(), t1);
        std::fs::write(dir.join("src/main.rs"), "fn main() { }\n").unwrap();
        let t2 = content_tag(&img).unwrap();
        assert_ne!(t1, t2);
        assert!(t2.starts_with("kt-") && t2.len() == 15);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
