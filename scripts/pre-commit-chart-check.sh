#!/usr/bin/env bash
# The `chart-schema-check` pre-commit hook: `cargo kindtest check --files FILE...`.
# pre-commit runs it from the user's repository with the staged files as arguments. It uses
# `cargo-kindtest` from PATH when installed, otherwise builds it once from this hook's repository
# (cached in that repository's target directory).
set -euo pipefail
if command -v cargo-kindtest >/dev/null 2>&1; then
  exec cargo-kindtest kindtest check --files "$@"
fi
hook_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="$hook_repo/target/release/cargo-kindtest"
if [ ! -x "$bin" ] || [ -n "$(find "$hook_repo" -name '*.rs' -newer "$bin" -not -path '*/target/*' -print -quit 2>/dev/null)" ]; then
  echo "chart-schema-check: building cargo-kindtest (once)..." >&2
  cargo build --quiet --release --manifest-path "$hook_repo/Cargo.toml" -p cargo-kindtest >&2
fi
exec "$bin" kindtest check --files "$@"
