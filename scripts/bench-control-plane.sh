#!/usr/bin/env bash
# Benchmark of the local control plane (binaries already cached):
#   1. cold start: etcd -> kube-apiserver -> kcm + scheduler -> kwok -> nodes Ready, then stop
#      (RUNS times, each on a fresh state directory, 1 node; then once with 3 nodes with GPUs);
#   2. warm `cargo kindtest --profile sim` (the plane of a previous run is reused): total time
#      and the overhead before the first test = time until the run stage starts (taken from the
#      run's JSON events as they arrive) plus the test runner's own start-up before its first
#      test (nextest's build check and listing, from the JUnit timestamps when available).
# Targets: control plane ready < 30 s; warm overhead before the first test < 3 s.
#
# usage: scripts/bench-control-plane.sh [RUNS]     (default 3)
#   BENCH_PROFILE=release  builds cargo-kindtest with --release (default: the debug build)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${1:-3}
say() { printf '[bench] %s\n' "$*" >&2; }

bin=$(scripts/build-control-plane.sh | tail -n 1)
export KINDTEST_CONTROL_PLANE_BIN="$bin"
if ! command -v helm >/dev/null 2>&1; then
  PATH="$(scripts/install-helm.sh | tail -n 1):$PATH"
  export PATH
fi
target=${CARGO_TARGET_DIR:-$root/target}
case $target in /*) ;; *) target=$root/$target ;; esac
export CARGO_TARGET_DIR=$target
profile=${BENCH_PROFILE:-debug}
flag=(); [ "$profile" = release ] && flag=(--release)

say "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
say "building the launcher example ($profile)"
cargo build -q "${flag[@]}" -p controlplane --example plane
plane="$target/$profile/examples/plane"

say "cold start of the control plane (binaries cached), $runs run(s), 1 node"
for i in $(seq "$runs"); do
  "$plane" --once 1 2>/dev/null | sed "s/^/[bench] run $i: /" >&2
done
say "cold start with 3 nodes advertising nvidia.com/gpu=2"
"$plane" --once 3 2 2>/dev/null | sed "s/^/[bench] 3 nodes: /" >&2

say "building cargo-kindtest ($profile)"
cargo build -q "${flag[@]}" -p cargo-kindtest
ck="$target/$profile/cargo-kindtest"
say "warming up: cargo kindtest --profile sim --keep (creates the plane if needed, builds the tests)"
t=$(date +%s)
"$ck" kindtest --profile sim --keep >/dev/null 2>&1 || say "warm-up run failed (see: cargo kindtest --profile sim)"
say "warm-up took $(( $(date +%s) - t ))s"
for i in 1 2; do
  say "warm run $i: cargo kindtest --profile sim --keep"
  python3 - "$ck" <<'PY' >&2
import json, subprocess, sys, time
t0 = time.monotonic()
p = subprocess.Popen([sys.argv[1], "kindtest", "--profile", "sim", "--keep", "--message-format", "json"],
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
run_start = None
stages = {}
finished = {}
for line in p.stdout:
    try:
        ev = json.loads(line)
    except ValueError:
        continue
    kind = ev.get("event") or ev.get("reason") or ev.get("type")
    if kind == "stage-started" and ev.get("stage") == "run" and run_start is None:
        run_start = time.monotonic() - t0
    if kind == "stage-finished":
        stages[ev.get("stage")] = ev.get("elapsed_ms")
    if kind == "finished":
        finished = ev
code = p.wait()
total = time.monotonic() - t0
print(f"[bench]   total {total:.2f}s, exit {code}")
print("[bench]   stages (ms): " + ", ".join(f"{k} {v}" for k, v in stages.items()))
if run_start is not None:
    print(f"[bench]   time until the run stage starts: {run_start:.2f}s")
if finished.get("overhead_ms") is not None:
    print(f"[bench]   overhead before the first test (cargo kindtest's own measure): {finished['overhead_ms']/1000:.2f}s (target < 3 s)")
PY
done
say "stopping the plane: cargo kindtest down --profile sim"
"$ck" kindtest down --profile sim >/dev/null 2>&1 || true
left=$(pgrep -af -- "$target/kindtest/clusters/kindtest-sim/kwok" || true)
[ -z "$left" ] && say "no control-plane process left" || { say "left running:"; echo "$left" >&2; exit 1; }
