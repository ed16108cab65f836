#!/usr/bin/env bash
# Benchmark: the tool's own overhead on a warm re-run, with the fakes answering instantly.
# Measures, for N warm runs, the wall time from starting `cargo-kindtest` until the (fake)
# test runner starts, and prints min/median/max. Target: under 1 s.
#   tests/fakes/bench-warm.sh [N]        (KINDTEST_BIN=path to use a prebuilt binary)
set -euo pipefail
N=${1:-10}
repo=$(cd "$(dirname "$0")/../.." && pwd)
fakes="$repo/tests/fakes"
if [ -z "${KINDTEST_BIN:-}" ]; then
  cargo build --release -q -p cargo-kindtest --manifest-path "$repo/Cargo.toml"
  tdir=$(cargo metadata --no-deps --format-version 1 --manifest-path "$repo/Cargo.toml" | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
  KINDTEST_BIN="$tdir/release/cargo-kindtest"
fi
real_cargo=$(command -v cargo)
work=$(mktemp -d); trap 'kill $api_pid 2>/dev/null || true; rm -rf "$work"' EXIT
ws="$work/ws"; mkdir -p "$ws/src" "$ws/values" "$ws/demo/src" "$work/state"
cp -r "$repo/charts" "$ws/charts"
cat > "$ws/Cargo.toml" <<'TOML'
[package]
name = "ws"
version = "0.1.0"
edition = "2021"

[workspace]
[workspace.metadata.kindtest]
charts = ["charts/demo"]
[workspace.metadata.kindtest.images.demo]
dockerfile = "demo/Dockerfile"
[workspace.metadata.kindtest.releases.demo]
chart = "charts/demo"
values = ["values/e2e.yaml"]
TOML
: > "$ws/src/lib.rs"; echo "replicaCount: 2" > "$ws/values/e2e.yaml"
printf 'FROM scratch\n' > "$ws/demo/Dockerfile"; printf 'fn main() {}\n' > "$ws/demo/src/main.rs"
printf 'target\n' > "$ws/demo/Dockerfile.dockerignore"

FAKE_API_LOG=/dev/null "$fakes/fake-apiserver" > "$work/port" &
api_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
port=$(head -1 "$work/port")

mkdir -p "$work/cargo-home"
export CARGO_HOME="$work/cargo-home" PATH="$fakes:$PATH" CARGO="$fakes/cargo" FAKE_REAL_CARGO="$real_cargo" FAKE_LOG="$work/log" \
  FAKE_STATE="$work/state" FAKE_KIND_SERVER="http://127.0.0.1:$port" NO_COLOR=1
unset CI CARGO_TARGET_DIR
cd "$ws"
"$KINDTEST_BIN" kindtest -q > /dev/null 2>&1 || { echo "cold run failed" >&2; "$KINDTEST_BIN" kindtest; exit 1; }
times=()
for i in $(seq "$N"); do
  : > "$work/log"
  start=$(date +%s%N)
  "$KINDTEST_BIN" kindtest -q > /dev/null 2>&1
  began=$(cat "$work/state/test-started")
  times+=($(( (began - start) / 1000000 )))
  calls=$(wc -l < "$work/log")
  [ "$calls" = 2 ] || { echo "warm run made $calls calls (expected 2):" >&2; cat "$work/log" >&2; exit 1; }
done
# Where the time goes: per-stage milliseconds of one more warm run (JSON events).
stages=$("$KINDTEST_BIN" kindtest --message-format json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    if e.get("event") == "finished":
        print("  per stage (ms): " + ", ".join(f"{s} {ms}" for s, _, ms in e["stages"]))
')
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "warm re-run overhead until the first test starts, $N runs (ms): min ${sorted[0]} median ${sorted[$((N/2))]} max ${sorted[$((N-1))]}"
echo "  (includes 'cargo metadata --no-deps', 'kind get clusters', the readiness probe, and cargo dispatching to cargo-nextest)"
echo "$stages"
[ "${sorted[$((N/2))]}" -lt 1000 ] || { echo "FAIL: median above 1 s" >&2; exit 1; }
