#!/usr/bin/env bash
# Per-test overhead of `cargo kindtest --in-cluster` (each test process as a pod, through the nextest
# target runner) against running the test process on the host, on the project's real control plane
# (etcd, kube-apiserver, scheduler, controller-manager, kwok nodes) with kwok's delays at zero.
#
# Usage: bench/in-cluster.sh [N]        (N trivial tests each way, default 20)
# Needs the control-plane binaries (scripts/build-control-plane.sh) and cargo-nextest.
set -euo pipefail
cd "$(dirname "$0")/.."
export KINDTEST_BENCH_N=${1:-20}
exec cargo nextest run -p cargo-kindtest --test in_cluster --run-ignored only --no-capture \
  -E 'test(=bench_in_cluster_overhead)'
