#!/usr/bin/env bash
# Overhead of the kindtest harness (issue 7) on the local control plane (etcd, kube-apiserver,
# kube-controller-manager, scheduler, kwok; the `controlplane` crate):
#   * per test: namespace create, `default` ServiceAccount ready, namespace delete, at p50 and p95
#     (from the harness's own KINDTEST_TIMINGS lines);
#   * 50 trivial tests (`kindtest/tests/nextest_fixture.rs`, `bench::t00..t49`) under
#     `cargo nextest run -j N` for N in 1 2 4 8 (KINDTEST_BENCH_JOBS=1,8 to change), with the speed-up.
# Target: p50 overhead < 500 ms (the run fails otherwise); near-linear speed-up until the API server
# (or the CPU) saturates.
#
# The measurement itself is the ignored test `cluster::bench::overhead` (kindtest/tests/cluster.rs),
# run here through `cargo test` so that nextest's slow-test timeout does not apply. It uses the cluster
# in KINDTEST_KUBECONFIG if set, else starts (or reuses) the self-test control plane under
# <target>/kindtest-selftest/plane (stopped by a reaper after 5 idle minutes).
# Numbers: stdout, and <target>/kindtest-selftest/bench/result.json.
#
# usage: bench/harness.sh
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '[bench-harness] %s\n' "$*" >&2; }

export KINDTEST_CONTROL_PLANE_BIN=${KINDTEST_CONTROL_PLANE_BIN:-$(scripts/build-control-plane.sh | tail -n 1)}
if ! cargo nextest --version >/dev/null 2>&1; then
  say "BENCH ERROR: cargo-nextest is not installed (scripts/test.sh installs it)"
  exit 2
fi

say "building the harness tests (test profile, as nextest builds them)"
cargo build -q -p kindtest --tests --bins
say "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
cargo test -q -p kindtest --test cluster -- --ignored --exact cluster::bench::overhead --nocapture
say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
