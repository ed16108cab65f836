#!/usr/bin/env bash
# build.rs lint benchmark: build-script lint time per chart, and chart-lint's compile-time cost.
# Usage: bench/lint-buildrs.sh [EXTRA_CHART_DIR...]   env: RUNS (10), SKIP_COMPILE=1, BENCH_NO_BUILD=1
set -euo pipefail
exec python3 "$(dirname "$0")/lint_buildrs.py" "$@"
