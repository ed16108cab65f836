#!/usr/bin/env bash
# Builds the binaries of a real Kubernetes control plane from Go modules (through the Go
# module proxy, never from a release page) into a cache keyed by the pinned versions:
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl  (k8s.io/kubernetes)
#   etcd                                                             (go.etcd.io/etcd/server/v3)
#   kwok                                                             (sigs.k8s.io/kwok)
# Cold, this takes tens of minutes on 2 cores; afterwards it returns at once.
#
# usage: scripts/build-control-plane.sh [--print-dir]
#   prints the bin directory on the last line of stdout.
# env:   KINDTEST_CACHE (default ~/.cache/kindtest)
set -euo pipefail

K8S_VERSION=v1.36.4
ETCD_VERSION=v3.6.14
KWOK_VERSION=v0.8.0

export GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0 GOFLAGS=-mod=mod
cache_root=${KINDTEST_CACHE:-$HOME/.cache/kindtest}
key="k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}"
out="$cache_root/control-plane/$key"
bin="$out/bin"
stamp="$out/.complete"

log() { printf '[control-plane] %s\n' "$*" >&2; }

if [ -f "$stamp" ]; then
  log "cached: $bin"
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { log "error: the Go toolchain (go >= 1.26) is required to build the control plane"; exit 2; }
mkdir -p "$bin" "$out/src"
start=$(date +%s)
elapsed() { echo "$(( $(date +%s) - start ))s"; }

# ---------------------------------------------------------------------------- kubernetes
build_k8s() {
  local dir="$out/src/k8s" sver="v0.${K8S_VERSION#v1.}" minor
  minor=$(echo "$K8S_VERSION" | cut -d. -f2)
  mkdir -p "$dir"
  if [ ! -x "$bin/kube-apiserver" ] || [ ! -x "$bin/kubectl" ] || [ ! -x "$bin/kube-scheduler" ] || [ ! -x "$bin/kube-controller-manager" ]; then
    log "downloading k8s.io/kubernetes@$K8S_VERSION go.mod ($(elapsed))"
    local gomod
    gomod=$(cd "$(mktemp -d)" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')
    local other
    other=$(awk '/^replace[ \t]*\(/{b=1;next} b&&/^\)/{b=0;next} (b && $2=="=>" && $3 !~ /^\.\//) || (/^replace [^(]/ && $4 !~ /^\.\//)' "$gomod")
    if [ -n "$other" ]; then log "upstream go.mod has non-staging replaces; mirror them:"; echo "$other" >&2; exit 3; fi
    {
      echo "module kindtest.invalid/k8sbin"; echo
      echo "go $(awk '$1=="go"{print $2; exit}' "$gomod")"
      awk '/^godebug[ \t]*\(/{b=1;next} b&&/^\)/{b=0;next} b{gsub(/^[ \t]+/,""); print "godebug " $0; next} /^godebug /{print}' "$gomod"
      echo; echo "require k8s.io/kubernetes $K8S_VERSION"; echo
      echo "replace ("
      awk -v sv="$sver" '$2=="=>" && $3 ~ /^\.\/staging\// {printf "\t%s => %s %s\n", $1, $1, sv}' "$gomod"
      echo ")"
    } > "$dir/go.mod"
    printf 'package main\n\nimport (\n\t_ "k8s.io/kubernetes/cmd/kube-apiserver/app"\n)\n\nfunc main() {}\n' > "$dir/deps.go"
    log "resolving Kubernetes module graph (go mod tidy) ($(elapsed))"
    (cd "$dir" && go mod tidy >&2)
    rm -f "$dir/deps.go"
    local ldf="-s -w"
    for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ldf="$ldf -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
      ldf="$ldf -X $p.gitTreeState=clean -X $p.gitCommit=0000000000000000000000000000000000000000 -X $p.buildDate=1970-01-01T00:00:00Z"
    done
    log "compiling kube-apiserver, kube-controller-manager, kube-scheduler, kubectl (the long part) ($(elapsed))"
    (cd "$dir" && go build -trimpath -pgo=off -ldflags "$ldf" -o "$bin/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl >&2)
  fi
  "$bin/kube-apiserver" --version >&2
}

# ---------------------------------------------------------------------------- etcd
build_etcd() {
  local dir="$out/src/etcd"
  mkdir -p "$dir"
  if [ ! -x "$bin/etcd" ]; then
    log "building etcd $ETCD_VERSION ($(elapsed))"
    printf 'module kindtest.invalid/etcdbin\n\ngo 1.26.0\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" > "$dir/go.mod"
    printf 'package main\n\nimport _ "go.etcd.io/etcd/server/v3/etcdmain"\n\nfunc main() {}\n' > "$dir/deps.go"
    (cd "$dir" && go mod tidy >&2)
    rm -f "$dir/deps.go"
    (cd "$dir" && go build -trimpath -ldflags "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3 >&2)
  fi
  "$bin/etcd" --version >&2
}

# ---------------------------------------------------------------------------- kwok
build_kwok() {
  if [ ! -x "$bin/kwok" ]; then
    log "building kwok $KWOK_VERSION ($(elapsed))"
    GOBIN="$bin" go install -trimpath -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" \
      "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" >&2
  fi
  # the stage definitions ship in the module zip; keep a copy beside the binary
  local kdir
  kdir=$(cd "$(mktemp -d)" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" \
    | python3 -c 'import json,sys;print(json.load(sys.stdin)["Dir"])')
  mkdir -p "$out/kwok-stages"
  cp -f "$kdir/kustomize/stage/node/fast/node-initialize.yaml" \
        "$kdir/kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml" \
        "$kdir/kustomize/stage/pod/fast/pod-ready.yaml" \
        "$kdir/kustomize/stage/pod/fast/pod-delete.yaml" "$out/kwok-stages/"
  chmod -R u+w "$out/kwok-stages"
  "$bin/kwok" --version >&2 || true
}

build_etcd
build_kwok
build_k8s
touch "$stamp"
log "done in $(elapsed): $bin"
echo "$bin"
