#!/bin/sh
# Differential check of goyaml against Go (sigs.k8s.io/yaml v1.6.0 + go.yaml.in/yaml/v3) over
# every *.yaml/*.yml file under the given directories (default: the Go module cache).
# Needs a Go toolchain; works offline from the module cache.
#   goyaml/tests/oracle/run.sh [DIR...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${TMPDIR:-/tmp}/goyaml-oracle
mkdir -p "$out"
(cd "$here" && GOFLAGS=-mod=mod GOPROXY=${GOPROXY:-file://$HOME/go/pkg/mod/cache/download} GOSUMDB=off go build -o "$out/oracle" .)
[ $# -gt 0 ] || set -- "$HOME/go/pkg/mod"
find "$@" \( -name '*.yaml' -o -name '*.yml' \) -type f > "$out/files.txt"
"$out/oracle" < "$out/files.txt" > "$out/oracle.tsv"
cd "$here/../../.."
cargo run -q --release -p goyaml --example corpus "$out/oracle.tsv"
