#!/usr/bin/env bash
# Benchmark of the local control plane (binaries already cached):
#   1. cold start: etcd -> kube-apiserver -> kcm + scheduler -> kwok -> nodes Ready, then stop
#      (RUNS times, each on a fresh state directory);
#   2. warm `cargo kindtest --profile sim` (the plane from a previous run is reused), with the
#      time until the first test starts (taken from the run's JSON events when available).
# Targets: control plane ready < 30 s; warm overhead before the first test < 3 s.
#
# usage: scripts/bench-control-plane.sh [RUNS]     (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
say() { printf '[bench] %s\n' "$*" >&2; }

bin=$(scripts/build-control-plane.sh | tail -n 1)
export KINDTEST_CONTROL_PLANE_BIN="$bin"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}

say "building the launcher example (release)"
cargo build -q --release -p controlplane --example plane
plane="$CARGO_TARGET_DIR/release/examples/plane"

say "cold start of the control plane, $runs run(s), 1 node"
for i in $(seq "$runs"); do
  "$plane" --once 1 2>/dev/null | sed "s/^/[bench] run $i: /" >&2
done

if cargo kindtest --help >/dev/null 2>&1 || [ -x "$CARGO_TARGET_DIR/release/cargo-kindtest" ]; then
  say "building cargo-kindtest (release)"
  cargo build -q --release -p cargo-kindtest
  ck="$CARGO_TARGET_DIR/release/cargo-kindtest"
  say "warming up: cargo kindtest --profile sim (creates the plane if needed)"
  "$ck" kindtest --profile sim >/dev/null 2>&1 || say "warm-up run failed (see: cargo kindtest --profile sim)"
  say "warm run: cargo kindtest --profile sim"
  # timestamps each JSON event as it arrives: the overhead is the time until the run stage starts
  python3 - "$ck" <<'PY' >&2
import json, subprocess, sys, time
t0 = time.monotonic()
p = subprocess.Popen([sys.argv[1], "kindtest", "--profile", "sim", "--message-format", "json"],
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
first_test = None
stages = {}
for line in p.stdout:
    try:
        ev = json.loads(line)
    except ValueError:
        continue
    if ev.get("event") == "stage-started" and ev.get("stage") == "run" and first_test is None:
        first_test = time.monotonic() - t0
    if ev.get("event") == "stage-finished":
        stages[ev.get("stage")] = ev.get("elapsed_ms")
code = p.wait()
total = time.monotonic() - t0
print(f"[bench] warm `cargo kindtest --profile sim`: {total:.2f}s total, exit {code}")
print("[bench] stages (ms): " + ", ".join(f"{k} {v}" for k, v in stages.items()))
if first_test is not None:
    print(f"[bench] overhead before the tests start: {first_test:.2f}s (target < 3 s)")
else:
    print("[bench] the run stage never started")
PY
else
  say "cargo-kindtest not buildable here; skipped the warm run"
fi
