#!/usr/bin/env bash
# Render benchmark: cargo kindtest template vs helm template (see bench/README.md).
# Usage: bench/render.sh [CHART_DIR...]   e.g. bench/render.sh /tmp/pc/charts/*
#   env: HELM, RUNS (default 7), BENCH_NO_BUILD=1, BENCH_CHARTS=DIR (all charts under DIR),
#        BENCH_FIXTURES=0 (only the given charts)
set -euo pipefail
exec python3 "$(dirname "$0")/render.py" "$@"
