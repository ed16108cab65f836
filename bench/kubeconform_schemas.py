"""Turn the kubernetes-validate wheel's `v1.X.0-local-strict` schemas into standalone files that
kubeconform can load from disk ({{ .ResourceKind }}{{ .KindSuffix }}.json).

The wheel's kind files point at `/api/_definitions.json#/$defs/...`, which kubeconform cannot
resolve from a local path. Each output file gets its own `$defs` (only the definitions it
reaches) and local `#/$defs/...` references: same constraints, nothing else changed.

Usage: python3 bench/kubeconform_schemas.py SRC_DIR OUT_DIR
"""
import json
import os
import sys

PREFIX = "/api/_definitions.json#/$defs/"
LOCAL = "#/$defs/"  # references inside _definitions.json itself


def rewrite(node, found):
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and v.startswith((PREFIX, LOCAL)):
                name = v[len(PREFIX):] if v.startswith(PREFIX) else v[len(LOCAL):]
                found.add(name)
                out[k] = "#/$defs/" + name
            else:
                out[k] = rewrite(v, found)
        return out
    if isinstance(node, list):
        return [rewrite(x, found) for x in node]
    return node


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    defs = json.load(open(os.path.join(src, "_definitions.json")))["$defs"]
    rewritten, refs = {}, {}
    for name, schema in defs.items():
        found = set()
        rewritten[name] = rewrite(schema, found)
        refs[name] = found
    n = 0
    for fn in sorted(os.listdir(src)):
        if not fn.endswith(".json") or fn.startswith("_") or fn == "all.json":
            continue
        doc = json.load(open(os.path.join(src, fn)))
        found = set()
        doc = rewrite(doc, found)
        closure, todo = set(), list(found)
        while todo:
            d = todo.pop()
            if d in closure or d not in rewritten:
                continue
            closure.add(d)
            todo.extend(refs[d])
        doc.pop("$id", None)
        if closure:
            doc["$defs"] = {d: rewritten[d] for d in sorted(closure)}
        with open(os.path.join(out, fn), "w") as f:
            json.dump(doc, f, separators=(",", ":"))
        n += 1
    print(f"{n} standalone schemas in {out}")


if __name__ == "__main__":
    main()
