#!/usr/bin/env bash
# The example workspace against the local control plane (provider = "kwok", profile `sim`):
#   1. cargo kindtest --profile sim --keep   check, control plane up, images skipped (tags injected),
#                                            helm install --wait of charts/demo, the demo e2e tests
#                                            (tests/e2e.rs: Deployment Available, a Job completes,
#                                            a namespace per test created and deleted)
#   2. what the run left behind, checked with kubectl: the release's Deployment Available with its
#      GPU-requesting pods (nvidia.com/gpu from the profile) scheduled on nodes advertising GPUs
#   3. cargo kindtest check --server --profile sim   (server-side dry run, strict, of every document)
#   4. cargo kindtest down --profile sim, then: no process of the plane is left running
# Needs the control-plane binaries (scripts/build-control-plane.sh) and helm (scripts/install-helm.sh).
#
# usage: scripts/sim-e2e.sh [extra cargo-kindtest test args]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
say() { printf '[sim-e2e] %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; status=1; }
t0=$(date +%s)

export KINDTEST_CONTROL_PLANE_BIN=${KINDTEST_CONTROL_PLANE_BIN:-$(scripts/build-control-plane.sh | tail -n 1)}
if ! command -v helm >/dev/null 2>&1; then
  PATH="$(scripts/install-helm.sh | tail -n 1):$PATH"
  export PATH
fi
target=${CARGO_TARGET_DIR:-$root/target}
case $target in /*) ;; *) target=$root/$target ;; esac
cargo build -q -p cargo-kindtest
ck=("$target/debug/cargo-kindtest" kindtest)
kubectl=("$KINDTEST_CONTROL_PLANE_BIN/kubectl" --kubeconfig "$target/kindtest/clusters/kindtest-sim/kubeconfig")
# Every plane process names its state dir (<target>/kindtest/clusters/<name>/kwok) on its command line.
plane_dir="$target/kindtest/clusters/kindtest-sim/kwok"

status=0
say "cargo kindtest --profile sim --keep $*"
"${ck[@]}" --profile sim --keep "$@" || fail "cargo kindtest --profile sim"

if [ -f "$target/kindtest/clusters/kindtest-sim/kubeconfig" ]; then
  say "the release: Deployment demo Available, its GPU pods on GPU nodes"
  avail=$("${kubectl[@]}" -n demo get deployment demo -o 'jsonpath={.status.conditions[?(@.type=="Available")].status} {.status.availableReplicas}/{.spec.replicas}' || true)
  say "  deployment/demo Available=$avail"
  case $avail in "True "*) ;; *) fail "deployment/demo not Available ($avail)" ;; esac
  gpu_nodes=$("${kubectl[@]}" get nodes -o 'jsonpath={range .items[*]}{.metadata.name}={.status.allocatable.nvidia\.com/gpu}{"\n"}{end}' || true)
  say "  nodes (allocatable nvidia.com/gpu): $(echo "$gpu_nodes" | tr '\n' ' ')"
  pods=$("${kubectl[@]}" -n demo get pods -l app.kubernetes.io/instance=demo -o 'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.spec.containers[0].resources.requests.nvidia\.com/gpu} {.status.phase}{"\n"}{end}' || true)
  [ -n "$pods" ] || fail "no pods of the release"
  while read -r pod node gpus phase; do
    [ -n "$pod" ] || continue
    say "  pod $pod on ${node:-<unscheduled>} requests nvidia.com/gpu=${gpus:-0}, $phase"
    [ "${gpus:-0}" -ge 1 ] || fail "pod $pod requests no GPU (values/sim.yaml asks for one)"
    [ "$phase" = Running ] || fail "pod $pod is $phase"
    have=$(echo "$gpu_nodes" | sed -n "s/^$node=//p")
    [ "${have:-0}" -ge 1 ] || fail "pod $pod is on $node, which advertises no GPU"
  done <<<"$pods"

  say "cargo kindtest check --server --profile sim"
  "${ck[@]}" check --server --profile sim || fail "check --server"
else
  fail "no kubeconfig: the cluster was not created"
fi

say "cargo kindtest down --profile sim"
"${ck[@]}" down --profile sim || fail "cargo kindtest down"

# None of the plane's processes may survive `down` (checked, not assumed).
for _ in 1 2 3 4 5; do
  left=$(pgrep -af -- "$plane_dir" || true)
  [ -z "$left" ] && break
  sleep 1
done
if [ -n "$left" ]; then
  say "left running after down:"; echo "$left" >&2
  fail "processes left running"
else
  say "no control-plane process left ($plane_dir)"
fi
say "$([ $status = 0 ] && echo passed || echo FAILED) in $(( $(date +%s) - t0 ))s"
exit "$status"
