//! Differential test: every fixture under `tests/charts/<case>/` is rendered by our library
//! and by the real helm binary (`HELM`, else `helm` on PATH, else the copy
//! `scripts/install-helm.sh` installs), and the outputs must be byte-identical. For fixtures
//! with an `expect-error` file, both must fail and our message must equal helm's.
//!
//! Fixture layout: `chart/` (the chart) or `chart.tgz`, optional `args` (one argument per line, `#`
//! comments; flags as for `helm template`, an optional release name), optional
//! `expect-error`.

use std::path::{Path, PathBuf};
use std::process::Command;

use chart_lint::output::StreamOptions;
use chart_lint::render::{KubeVersion, RenderOptions};
use chart_lint::values::ValueOptions;
use libtest_mimic::{Arguments, Failed, Trial};

/// Differences accepted on purpose: (case, reason). Only for output that is random in helm
/// itself.
const ACCEPTED: &[(&str, &str)] = &[];

fn helm_binary() -> Result<PathBuf, String> {
    if let Some(h) = std::env::var_os("HELM") {
        return Ok(PathBuf::from(h));
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let p = dir.join("helm");
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    if let Some(home) = std::env::var_os("HOME") {
        let cache = std::env::var_os("KINDTEST_CACHE")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(home).join(".cache/kindtest"));
        let p = cache.join("helm-oracle/bin/helm");
        if p.is_file() {
            return Ok(p);
        }
    }
    Err("no helm binary: set HELM or put helm on PATH (run scripts/install-helm.sh to install helm v4.1.4)".into())
}

struct Case {
    name: String,
    /// `chart` (a directory) or `chart.tgz`.
    chart: String,
    dir: PathBuf,
    args: Vec<String>,
    expect_error: bool,
}

fn load_cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/charts");
    let mut cases = Vec::new();
    let Ok(rd) = std::fs::read_dir(&root) else {
        return cases;
    };
    for e in rd.flatten() {
        let dir = e.path();
        let chart = if dir.join("chart.tgz").is_file() {
            "chart.tgz"
        } else {
            "chart"
        };
        if !dir.join(chart).exists() {
            continue;
        }
        let args = std::fs::read_to_string(dir.join("args"))
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect();
        cases.push(Case {
            chart: chart.to_string(),
            name: e.file_name().to_string_lossy().into_owned(),
            expect_error: dir.join("expect-error").exists(),
            dir,
            args,
        });
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

struct Parsed {
    values: ValueOptions,
    opts: RenderOptions,
    stream: StreamOptions,
}

/// The subset of `helm template` flags the fixtures use.
fn parse_args(args: &[String], dir: &Path) -> Result<Parsed, String> {
    let mut p = Parsed {
        values: ValueOptions::default(),
        opts: RenderOptions::default(),
        stream: StreamOptions::default(),
    };
    let mut i = 0;
    let mut positional = Vec::new();
    while i < args.len() {
        let a = &args[i];
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let takes_value = matches!(
            flag.as_str(),
            "-f" | "--values"
                | "--set"
                | "--set-string"
                | "--set-json"
                | "--set-file"
                | "--set-literal"
                | "-n"
                | "--namespace"
                | "--kube-version"
                | "-a"
                | "--api-versions"
                | "-s"
                | "--show-only"
        );
        let value = if takes_value {
            match inline {
                Some(v) => v,
                None => {
                    i += 1;
                    args.get(i)
                        .cloned()
                        .ok_or_else(|| format!("{flag} needs a value"))?
                }
            }
        } else {
            String::new()
        };
        match flag.as_str() {
            "-f" | "--values" => p.values.value_files.push(dir.join(value)),
            "--set" => p.values.values.push(value),
            "--set-string" => p.values.string_values.push(value),
            "--set-json" => p.values.json_values.push(value),
            // paths are relative to the fixture (helm runs there; we cannot chdir in a test)
            "--set-file" => p.values.file_values.push(
                value
                    .split(',')
                    .map(|kv| match kv.split_once('=') {
                        Some((k, path)) if !path.starts_with('/') => {
                            format!("{k}={}", dir.join(path).display())
                        }
                        _ => kv.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            "--set-literal" => p.values.literal_values.push(value),
            "-n" | "--namespace" => p.opts.namespace = value,
            "--kube-version" => {
                p.opts.capabilities.kube_version = KubeVersion::parse(&value)
                    .map_err(|e| format!("invalid kube version '{value}': {e}"))?
            }
            "-a" | "--api-versions" => p
                .opts
                .capabilities
                .api_versions
                .extend(value.split(',').map(str::to_string)),
            "-s" | "--show-only" => p.stream.show_only.push(value),
            "--include-crds" => p.stream.include_crds = true,
            "--skip-tests" => p.stream.skip_tests = true,
            "--is-upgrade" => p.opts.is_upgrade = true,
            "--skip-schema-validation" => p.opts.skip_schema_validation = true,
            f if f.starts_with('-') => return Err(format!("flag {f} not supported by the test")),
            _ => positional.push(a.clone()),
        }
        i += 1;
    }
    if let Some(name) = positional.first() {
        p.opts.release_name = name.clone();
    }
    Ok(p)
}

fn strip_log_lines(s: &str) -> String {
    s.lines()
        .filter(|l| !l.starts_with("level="))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn first_diff(a: &str, b: &str) -> String {
    for (n, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!(
                "first difference at line {}:\n  helm: {x:?}\n  ours: {y:?}",
                n + 1
            );
        }
    }
    format!(
        "lengths differ: helm {} lines, ours {} lines",
        a.lines().count(),
        b.lines().count()
    )
}

fn run_case(case: &Case, helm: &Path) -> Result<(), Failed> {
    let out = Command::new(helm)
        .arg("template")
        .args(&case.args)
        .arg(&case.chart)
        .current_dir(&case.dir)
        .env(
            "HELM_CACHE_HOME",
            std::env::temp_dir().join("kindtest-helm-cache"),
        )
        .output()
        .map_err(|e| format!("running {}: {e}", helm.display()))?;
    let helm_stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let helm_stderr = strip_log_lines(&String::from_utf8_lossy(&out.stderr));
    let parsed = parse_args(&case.args, &case.dir)?;
    let ours = chart_lint::template::template(
        &case.dir.join(&case.chart),
        &parsed.values,
        &parsed.opts,
        &parsed.stream,
    );
    let accepted = ACCEPTED.iter().find(|a| a.0 == case.name);
    match (out.status.success(), ours) {
        (true, Ok(text)) => {
            if text == helm_stdout {
                Ok(())
            } else if let Some((_, why)) = accepted {
                eprintln!("accepted difference in {}: {why}", case.name);
                Ok(())
            } else {
                Err(format!(
                    "output differs from helm\n{}\n--- helm:\n{helm_stdout}\n--- ours:\n{text}",
                    first_diff(&helm_stdout, &text)
                )
                .into())
            }
        }
        (false, Err(f)) => {
            if !case.expect_error {
                return Err(format!(
                    "both failed but the fixture has no expect-error file:\nhelm: {helm_stderr}"
                )
                .into());
            }
            let ours = f.helm_stderr();
            if ours == helm_stderr {
                Ok(())
            } else {
                Err(format!(
                    "error differs\n--- helm:\n{helm_stderr}\n--- ours:\n{ours}\n--- report:\n{}",
                    f.report.unwrap_or_default()
                )
                .into())
            }
        }
        (true, Err(f)) => Err(format!(
            "helm succeeded but we failed: {}\n{}",
            f.helm_message,
            f.report.unwrap_or_default()
        )
        .into()),
        (false, Ok(_)) => {
            Err(format!("helm failed but we succeeded; helm said:\n{helm_stderr}").into())
        }
    }
}

fn main() {
    let args = Arguments::from_args();
    let cases = load_cases();
    let helm = helm_binary();
    let mut trials = vec![Trial::test("fixtures_present", {
        let n = cases.len();
        move || {
            if n >= 40 {
                Ok(())
            } else {
                Err(format!("only {n} fixtures under tests/charts (want >= 40)").into())
            }
        }
    })];
    for case in cases {
        let helm = helm.clone();
        trials.push(Trial::test(case.name.clone(), move || {
            let helm = helm.map_err(Failed::from)?;
            run_case(&case, &helm)
        }));
    }
    libtest_mimic::run(&args, trials).exit();
}
