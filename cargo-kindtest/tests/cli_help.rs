//! `cargo kindtest --help` reads like cargo's: a usage line with filters and `-- <ARGS>`,
//! grouped options, the commands, examples. Snapshot of the exact text (run with
//! `KINDTEST_BLESS=1` to rewrite `tests/snapshots/*.txt` after an intended change).

use std::path::{Path, PathBuf};
use std::process::Command;

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-kindtest"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn snapshot(name: &str, actual: &str) {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("KINDTEST_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (KINDTEST_BLESS=1 writes it)", path.display()));
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the output at line {} (KINDTEST_BLESS=1 rewrites it):\n--- actual ---\n{actual}",
            path.display(),
            first + 1
        );
    }
}

#[test]
fn main_help() {
    let text = help(&["kindtest", "--help"]);
    snapshot("help.txt", &text);
    // The shape cargo users expect.
    assert!(text.contains("\nUsage: cargo kindtest [OPTIONS] [FILTERS]... [-- <ARGS>...]\n"));
    for heading in [
        "\nCommands:\n",
        "\nArguments:\n",
        "\nOptions:\n",
        "\nTest Options:\n",
        "\nCluster Options:\n",
        "\nManifest Options:\n",
        "\nExamples:\n",
    ] {
        assert!(text.contains(heading), "missing {heading:?}");
    }
    // Invoked directly (`cargo-kindtest --help`) it prints the same text; `-h` too.
    assert_eq!(help(&["--help"]), text);
    assert_eq!(help(&["kindtest", "-h"]), text);
}

#[test]
fn every_command_has_help() {
    for cmd in [
        "check", "template", "validate", "up", "down", "status", "clean",
    ] {
        let text = help(&["kindtest", cmd, "--help"]);
        assert!(
            text.contains(&format!("Usage: cargo kindtest {cmd}")),
            "{cmd}: {text}"
        );
    }
    snapshot("help-up.txt", &help(&["kindtest", "up", "--help"]));
}
