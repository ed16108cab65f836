//! The example user workflow (`.github/workflows/kindtest-e2e-example.yml`) does what the
//! README says: installs kind on a GitHub runner, runs nightly and on a PR label, and runs
//! `cargo kindtest --profile e2e`; CI runs this crate's tests and the warm-overhead benchmark.

use std::path::Path;

fn read(rel: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    std::fs::read_to_string(root.join(rel)).unwrap()
}

#[test]
fn example_workflow() {
    let w = read(".github/workflows/kindtest-e2e-example.yml");
    for needle in [
        "schedule:",
        "- cron:",
        "pull_request:",
        "types: [labeled, synchronize, reopened]",
        "contains(github.event.pull_request.labels.*.name, 'e2e')",
        "https://kind.sigs.k8s.io/dl/${KIND_VERSION}/kind-linux-amd64",
        "tool: cargo-nextest",
        "run: cargo kindtest --profile e2e",
        "target/kindtest/runs/",
    ] {
        assert!(w.contains(needle), "example workflow lacks {needle:?}");
    }
}

#[test]
fn ci_runs_the_contract_tests_and_the_benchmark() {
    let w = read(".github/workflows/ci.yml");
    assert!(w.contains("run: cargo test -p cargo-kindtest"));
    assert!(w.contains("run: tests/fakes/bench-warm.sh"));
}
