//! Directory and archive loading (helm's `loader/{directory,archive,load}.go`).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::ignore::Rules;
use super::{Chart, File, Metadata};
use gotemplate::Map;

/// Why a chart could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The chart (directory, archive or subchart path) being loaded.
    pub chart: String,
    /// The file at fault, relative to the chart, when there is one.
    pub file: Option<String>,
    /// The message, in helm's words where helm has one.
    pub message: String,
}

impl LoadError {
    fn new(chart: &str, file: Option<&str>, message: impl Into<String>) -> LoadError {
        LoadError {
            chart: chart.to_string(),
            file: file.map(str::to_string),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        match &self.file {
            Some(file) if !self.message.contains(file.as_str()) => {
                write!(f, " (in {}/{file})", self.chart.trim_end_matches('/'))
            }
            _ => Ok(()),
        }
    }
}

impl std::error::Error for LoadError {}

const MAX_FILE_SIZE: u64 = 100 * 1024 * 1024;

pub(super) fn load(path: &Path) -> Result<Chart, LoadError> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path)
        .map_err(|_| LoadError::new(&shown, None, format!("path {shown:?} not found")))?;
    if meta.is_dir() {
        if !path.join("Chart.yaml").exists() {
            let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
            let cy = abs.join("Chart.yaml");
            return Err(LoadError::new(
                &shown,
                Some("Chart.yaml"),
                format!(
                    "unable to detect chart at {}: open {}: no such file or directory",
                    cy.display(),
                    cy.display()
                ),
            ));
        }
        load_dir(path)
    } else {
        let bytes = std::fs::read(path)
            .map_err(|e| LoadError::new(&shown, None, format!("error reading {shown}: {e}")))?;
        load_archive(&bytes, &shown)
    }
}

fn load_dir(top: &Path) -> Result<Chart, LoadError> {
    let shown = top.display().to_string();
    let mut rules = match std::fs::read(top.join(".helmignore")) {
        Ok(text) => {
            Rules::parse(&text).map_err(|e| LoadError::new(&shown, Some(".helmignore"), e.0))?
        }
        Err(_) => Rules::empty(),
    };
    rules.add_defaults();
    let mut files = Vec::new();
    let mut stack = Vec::new();
    walk(top, "", &rules, &mut files, &mut stack, &shown, false)?;
    load_files(files, &shown)
}

/// Walks `dir` in lexical order, following symlinks (helm's `sympath.Walk`).
fn walk(
    dir: &Path,
    rel: &str,
    rules: &Rules,
    out: &mut Vec<File>,
    stack: &mut Vec<(PathBuf, Option<PathBuf>)>,
    chart: &str,
    via_symlink: bool,
) -> Result<(), LoadError> {
    // Only a symlink can close a loop, so only a directory reached through one is resolved
    // and compared with the directories above it (resolved then, once each).
    let canon = if via_symlink {
        let canon = dir
            .canonicalize()
            .map_err(|e| LoadError::new(chart, Some(rel), format!("error reading {rel}: {e}")))?;
        for (path, resolved) in stack.iter_mut() {
            if resolved.is_none() {
                *resolved = path.canonicalize().ok();
            }
            if resolved.as_ref() == Some(&canon) {
                return Err(LoadError::new(
                    chart,
                    Some(rel),
                    format!("symlink loop: {rel} points back to {}", canon.display()),
                ));
            }
        }
        Some(canon)
    } else {
        None
    };
    stack.push((dir.to_path_buf(), canon));
    let rd = std::fs::read_dir(dir).map_err(|e| {
        LoadError::new(
            chart,
            Some(rel),
            format!("error reading {}: {e}", dir.display()),
        )
    })?;
    let mut names: Vec<(String, PathBuf, Option<std::fs::FileType>)> = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| {
            LoadError::new(
                chart,
                Some(rel),
                format!("error reading {}: {e}", dir.display()),
            )
        })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // The entry's own type (no `stat`); symlinks are followed below.
        let ty = entry.file_type().ok();
        names.push((name, entry.path(), ty));
    }
    names.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    for (name, path, ty) in names {
        let n = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        // A regular file is opened and `fstat`ed once, when it is read.
        if ty.is_some_and(|t| t.is_file()) {
            if rules.ignore(&n, false) {
                continue;
            }
            let data = read_regular(&path)
                .map_err(|e| LoadError::new(chart, Some(&n), format!("error reading {n}: {e}")))?
                .map_err(|len| {
                    LoadError::new(
                        chart,
                        Some(&n),
                        format!("chart file {name:?} is larger than the maximum file size {len}"),
                    )
                })?;
            out.push(File { name: n, data });
            continue;
        }
        // Follow symlinks, as sympath.Walk does.
        let meta = std::fs::metadata(&path)
            .map_err(|e| LoadError::new(chart, Some(&n), format!("error reading {n}: {e}")))?;
        if meta.is_dir() {
            if rules.ignore(&n, true) {
                continue;
            }
            let via_symlink = via_symlink || ty.is_some_and(|t| t.is_symlink());
            walk(&path, &n, rules, out, stack, chart, via_symlink)?;
            continue;
        }
        if rules.ignore(&n, false) {
            continue;
        }
        if !meta.is_file() {
            return Err(LoadError::new(
                chart,
                Some(&n),
                format!(
                    "cannot load irregular file {} as it has file mode type bits set",
                    path.display()
                ),
            ));
        }
        if meta.len() > MAX_FILE_SIZE {
            return Err(LoadError::new(
                chart,
                Some(&n),
                format!("chart file {name:?} is larger than the maximum file size {MAX_FILE_SIZE}"),
            ));
        }
        let data = read_shared(&path, meta.len())
            .map_err(|e| LoadError::new(chart, Some(&n), format!("error reading {n}: {e}")))?;
        out.push(File { name: n, data });
    }
    stack.pop();
    Ok(())
}

/// Reads a regular file (see [`read_shared`]); `Err(MAX_FILE_SIZE)` if it is too large.
fn read_regular(path: &Path) -> std::io::Result<Result<Rc<[u8]>, u64>> {
    let f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    if len > MAX_FILE_SIZE {
        return Ok(Err(MAX_FILE_SIZE));
    }
    read_open(f, len).map(Ok)
}

/// Reads a file into shared bytes with one allocation of the size `stat` gave (no copy from
/// a `Vec`), a leading UTF-8 BOM removed. Falls back to an ordinary read if the file changed
/// size in between.
fn read_shared(path: &Path, len: u64) -> std::io::Result<Rc<[u8]>> {
    read_open(std::fs::File::open(path)?, len)
}

fn read_open(mut f: std::fs::File, len: u64) -> std::io::Result<Rc<[u8]>> {
    let strip_bom = |data: Rc<[u8]>| match data.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => Rc::from(rest),
        None => data,
    };
    if let Ok(n) = usize::try_from(len) {
        let mut uninit = Rc::<[u8]>::new_uninit_slice(n);
        if let Some(buf) = Rc::get_mut(&mut uninit) {
            for b in buf.iter_mut() {
                b.write(0);
            }
        }
        // SAFETY: every byte was just written (the `Rc` is unique, so `get_mut` succeeded).
        let mut data: Rc<[u8]> = unsafe { uninit.assume_init() };
        // (No read to see the end: a file that grows while the chart loads is not waited for.)
        if let Some(buf) = Rc::get_mut(&mut data)
            && f.read_exact(buf).is_ok()
        {
            return Ok(strip_bom(data));
        }
    }
    let mut data = Vec::new();
    std::io::Seek::rewind(&mut f)?;
    f.read_to_end(&mut data)?;
    Ok(strip_bom(data.into()))
}

/// Reads a gzipped tar archive (helm's `LoadArchiveFiles`): the first path component is the
/// chart directory and is stripped.
pub(super) fn load_archive(bytes: &[u8], source: &str) -> Result<Chart, LoadError> {
    let gz = flate2::read::GzDecoder::new(bytes);
    let mut ar = tar::Archive::new(gz);
    let entries = ar
        .entries()
        .map_err(|e| LoadError::new(source, None, e.to_string()))?;
    let mut files: Vec<File> = Vec::new();
    for entry in entries {
        let mut entry = entry.map_err(|e| LoadError::new(source, None, e.to_string()))?;
        let ty = entry.header().entry_type();
        if ty.is_dir() {
            continue;
        }
        if !(ty.is_file() || ty == tar::EntryType::Continuous) {
            // pax headers, links and the like
            continue;
        }
        let raw = entry
            .path()
            .map_err(|e| LoadError::new(source, None, e.to_string()))?
            .to_string_lossy()
            .replace('\\', "/");
        if raw.contains("PaxHeaders") {
            continue;
        }
        let parts: Vec<&str> = raw.splitn(2, '/').collect();
        let Some(n) = parts.get(1).map(|s| s.to_string()) else {
            continue;
        };
        if n.split('/').any(|p| p == "..") {
            return Err(LoadError::new(
                source,
                Some(&n),
                "chart illegally references parent directory",
            ));
        }
        if n.starts_with('/') {
            return Err(LoadError::new(
                source,
                Some(&n),
                "chart illegally contains absolute paths",
            ));
        }
        let mut data = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0).min(1 << 26));
        entry
            .read_to_end(&mut data)
            .map_err(|e| LoadError::new(source, Some(&n), format!("error reading {n}: {e}")))?;
        let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&data);
        files.push(File {
            name: n,
            data: data.into(),
        });
    }
    if files.is_empty() {
        return Err(LoadError::new(source, None, "no files in chart archive"));
    }
    load_files(files, source)
}

fn yaml_err(chart: &str, file: &str, what: &str, e: String) -> LoadError {
    LoadError::new(chart, Some(file), format!("{what}: {e}"))
}

/// Sorts files into the chart (helm's `LoadFiles`).
pub(super) fn load_files(files: Vec<File>, source: &str) -> Result<Chart, LoadError> {
    let mut metadata: Option<Metadata> = None;
    for f in &files {
        if f.name == "Chart.yaml" {
            let v = crate::yaml::unmarshal(&f.data)
                .map_err(|e| yaml_err(source, "Chart.yaml", "cannot load Chart.yaml", e))?;
            let mut md = Metadata::default();
            md.decode_into(&v)
                .map_err(|e| yaml_err(source, "Chart.yaml", "cannot load Chart.yaml", e))?;
            if md.api_version.is_empty() {
                md.api_version = "v1".into();
            }
            metadata = Some(md);
        }
    }
    let mut templates = Vec::new();
    let mut other = Vec::new();
    let mut values = Map::new();
    let mut schema = None;
    let mut subcharts: BTreeMap<String, Vec<File>> = BTreeMap::new();
    for f in files {
        let name = f.name.as_str();
        match name {
            "Chart.yaml" | "Chart.lock" => {}
            "values.yaml" => {
                values = crate::yaml::load_values(&f.data)
                    .map_err(|e| yaml_err(source, "values.yaml", "cannot load values.yaml", e))?;
            }
            "values.schema.json" => schema = Some(f.data.to_vec()),
            "requirements.yaml" => {
                let md = metadata.get_or_insert_with(Metadata::default);
                let v = crate::yaml::unmarshal(&f.data).map_err(|e| {
                    yaml_err(
                        source,
                        "requirements.yaml",
                        "cannot load requirements.yaml",
                        e,
                    )
                })?;
                md.decode_into(&v).map_err(|e| {
                    yaml_err(
                        source,
                        "requirements.yaml",
                        "cannot load requirements.yaml",
                        e,
                    )
                })?;
                if md.api_version == "v1" {
                    other.push(f);
                }
            }
            "requirements.lock" => {
                if metadata.as_ref().is_some_and(|m| m.api_version == "v1") {
                    other.push(f);
                }
            }
            _ if name.starts_with("templates/") => templates.push(f),
            _ if name.starts_with("charts/") => {
                if name.ends_with(".prov") {
                    other.push(f);
                    continue;
                }
                let rest = &name["charts/".len()..];
                let cname = rest.split('/').next().unwrap_or(rest).to_string();
                let inner = File {
                    name: rest.to_string(),
                    data: f.data,
                };
                subcharts.entry(cname).or_default().push(inner);
            }
            _ => other.push(f),
        }
    }
    let Some(mut metadata) = metadata else {
        return Err(LoadError::new(
            source,
            Some("Chart.yaml"),
            "Chart.yaml file is missing",
        ));
    };
    metadata
        .validate()
        .map_err(|e| LoadError::new(source, Some("Chart.yaml"), e))?;
    let mut dependencies = Vec::new();
    for (n, files) in subcharts {
        if n.starts_with('_') || n.starts_with('.') {
            continue;
        }
        let sub_source = format!("{}/charts/{n}", source.trim_end_matches('/'));
        let wrap = |e: LoadError| LoadError {
            message: format!(
                "error unpacking subchart {n} in {}: {}",
                metadata.name, e.message
            ),
            ..e
        };
        let sc = if n.ends_with(".tgz") {
            let file = &files[0];
            if file.name != n {
                return Err(LoadError::new(
                    source,
                    Some(&format!("charts/{n}")),
                    format!(
                        "error unpacking subchart tar in {}: expected {n}, got {}",
                        metadata.name, file.name
                    ),
                ));
            }
            load_archive(&file.data, &sub_source).map_err(wrap)?
        } else {
            let buff: Vec<File> = files
                .into_iter()
                .filter_map(|f| {
                    f.name.split_once('/').map(|(_, rest)| File {
                        name: rest.to_string(),
                        data: f.data,
                    })
                })
                .collect();
            load_files(buff, &sub_source).map_err(wrap)?
        };
        dependencies.push(sc);
    }
    Ok(Chart {
        metadata,
        templates,
        values,
        schema,
        files: other,
        dependencies,
        source: source.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    struct TempDir(PathBuf);
    impl TempDir {
        fn new(tag: &str) -> TempDir {
            let p =
                std::env::temp_dir().join(format!("chart-lint-load-{tag}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&p);
            std::fs::create_dir_all(&p).unwrap();
            TempDir(p)
        }
        fn write(&self, rel: &str, data: &[u8]) {
            let p = self.0.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, data).unwrap();
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const CY: &[u8] = b"apiVersion: v2\nname: demo\nversion: 0.1.0\n";

    #[test]
    fn directory_layout() {
        let d = TempDir::new("layout");
        d.write("Chart.yaml", CY);
        d.write("values.yaml", b"\xEF\xBB\xBFa: 1\n---\nb: 2\n");
        d.write("templates/a.yaml", b"x");
        d.write("templates/.hidden", b"x");
        d.write("files/f.txt", b"f");
        d.write("skip.bak", b"f");
        d.write(".helmignore", b"*.bak\n");
        d.write("charts/_ignored/Chart.yaml", b"garbage: [");
        d.write("charts/sub/Chart.yaml", b"name: sub\nversion: 1.0.0\n");
        let c = load(&d.0).unwrap();
        assert_eq!(c.metadata.name, "demo");
        assert_eq!(
            c.templates
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>(),
            ["templates/a.yaml"]
        );
        let files: Vec<&str> = c.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(files, [".helmignore", "files/f.txt"]);
        assert_eq!(c.values.keys(), ["a", "b"]);
        assert_eq!(c.dependencies.len(), 1);
        assert_eq!(c.dependencies[0].metadata.api_version, "v1");
    }

    #[test]
    fn clear_errors() {
        let d = TempDir::new("errors");
        let e = load(&d.0).unwrap_err();
        assert!(e.message.starts_with("unable to detect chart at "), "{e}");
        d.write("Chart.yaml", b"\xff\xfe junk");
        let e = load(&d.0).unwrap_err();
        assert!(e.message.starts_with("cannot load Chart.yaml: "), "{e}");
        assert_eq!(e.file.as_deref(), Some("Chart.yaml"));
        d.write("Chart.yaml", b"apiVersion: v2\nname: x\n");
        assert_eq!(
            load(&d.0).unwrap_err().message,
            "validation: chart.metadata.version is required"
        );
        d.write("Chart.yaml", CY);
        d.write("charts/sub/Chart.yaml", b"name: sub\n");
        let e = load(&d.0).unwrap_err();
        assert_eq!(
            e.message,
            "error unpacking subchart sub in demo: validation: chart.metadata.version is required"
        );
        assert!(
            load(Path::new("/nonexistent/chart"))
                .unwrap_err()
                .message
                .contains("not found")
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loop_is_an_error() {
        let d = TempDir::new("loop");
        d.write("Chart.yaml", CY);
        std::fs::create_dir_all(d.0.join("files")).unwrap();
        std::os::unix::fs::symlink(&d.0, d.0.join("files/loop")).unwrap();
        let e = load(&d.0).unwrap_err();
        assert!(e.message.contains("symlink loop"), "{e}");
        // A loop further down, through a directory reached by a symlink.
        let d = TempDir::new("loop-deep");
        d.write("Chart.yaml", CY);
        d.write("shared/conf/a.txt", b"a");
        std::fs::create_dir_all(d.0.join("files")).unwrap();
        std::os::unix::fs::symlink(d.0.join("shared"), d.0.join("files/shared")).unwrap();
        std::os::unix::fs::symlink(d.0.join("shared"), d.0.join("shared/conf/up")).unwrap();
        let e = load(&d.0).unwrap_err();
        assert!(e.message.contains("symlink loop"), "{e}");
        // Symlinked directories without a loop load, their files under the link's name.
        std::fs::remove_file(d.0.join("shared/conf/up")).unwrap();
        let c = load(&d.0).unwrap();
        let names: Vec<&str> = c.files.iter().map(|f| f.name.as_str()).collect();
        assert!(names.contains(&"files/shared/conf/a.txt"), "{names:?}");
        assert!(names.contains(&"shared/conf/a.txt"), "{names:?}");
    }

    #[test]
    fn archives() {
        let mut tar_bytes = Vec::new();
        {
            let mut b = tar::Builder::new(&mut tar_bytes);
            for (name, data) in [
                ("demo/Chart.yaml", CY),
                ("demo/templates/t.yaml", b"a: 1\n".as_slice()),
            ] {
                let mut h = tar::Header::new_gnu();
                h.set_size(data.len() as u64);
                h.set_mode(0o644);
                h.set_cksum();
                b.append_data(&mut h, name, data).unwrap();
            }
            b.finish().unwrap();
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, &tar_bytes).unwrap();
        let bytes = gz.finish().unwrap();
        let c = load_archive(&bytes, "demo.tgz").unwrap();
        assert_eq!(c.templates[0].name, "templates/t.yaml");
        assert!(load_archive(b"not gzip", "x.tgz").is_err());
    }
}
