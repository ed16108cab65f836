#!/usr/bin/env bash
# The example workspace against the local control plane (provider = "kwok", profile `sim`):
#   cargo kindtest --profile sim   (check, control plane up, images skipped, helm install --wait, tests)
#   cargo kindtest down --profile sim
# then proves that nothing of the plane is left running (no process mentions its state dir).
# Needs the control-plane binaries (scripts/build-control-plane.sh) and helm (scripts/install-helm.sh).
#
# usage: scripts/sim-e2e.sh [extra cargo-kindtest args]
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '[sim-e2e] %s\n' "$*" >&2; }

export KINDTEST_CONTROL_PLANE_BIN=${KINDTEST_CONTROL_PLANE_BIN:-$(scripts/build-control-plane.sh | tail -n 1)}
target=${CARGO_TARGET_DIR:-target}
cargo build -q -p cargo-kindtest
ck="$target/debug/cargo-kindtest"

status=0
say "cargo kindtest --profile sim"
"$ck" kindtest --profile sim "$@" || status=$?
say "cargo kindtest down --profile sim"
"$ck" kindtest down --profile sim || status=$?

# Every plane process names its state dir (target/kindtest/clusters/<name>/kwok) on its
# command line; none may survive `down`.
sleep 1
left=$(pgrep -af -- "kindtest/clusters/.*/kwok" || true)
if [ -n "$left" ]; then
  say "left running after down:"; echo "$left" >&2
  status=1
else
  say "no control-plane process left"
fi
exit "$status"
