#!/usr/bin/env bash
# Validation benchmark: cargo kindtest validate vs kubeconform v0.7.0 vs kubernetes-validate.
# Usage: bench/validate.sh   env: NDOCS (3000), RUNS (3), SCALE ("1000 10000 50000"), BENCH_NO_BUILD=1
set -euo pipefail
exec python3 "$(dirname "$0")/validate.py" "$@"
