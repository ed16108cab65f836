#!/usr/bin/env bash
# Render benchmark: cargo kindtest template vs helm template (see bench/README.md).
# Usage: bench/render.sh [EXTRA_CHART_DIR...]   env: HELM, RUNS (default 7), BENCH_NO_BUILD=1
set -euo pipefail
exec python3 "$(dirname "$0")/render.py" "$@"
