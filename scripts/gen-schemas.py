#!/usr/bin/env python3
"""Generate chart-lint's embedded Kubernetes schema data.

Source: the official OpenAPI v3 definitions in `api/openapi-spec/v3/` of the `k8s.io/kubernetes`
Go module (Apache-2.0), fetched through the Go module proxy with `go mod download`.

Output: `chart-lint/schemas/v1.MINOR.json.zst`, one compact JSON document per Kubernetes minor:

    {"version": "1.35.0",
     "defs":  {"io.k8s.api.apps.v1.Deployment": {...JSON Schema 2020-12...}, ...},
     "kinds": {"apps/v1/Deployment": {"$ref": "#/$defs/...", "properties": {apiVersion/kind const}}, ...},
     "served": ["v1", "apps/v1", ...]}

`served` lists the group/versions a default kube-apiserver of that version serves (GA versions, and
beta versions not disabled by default), read from `pkg/controlplane/instance.go` of the same module.

Transforms (what a faithful validator needs; see chart-lint/src/schema/mod.rs):
  * descriptions, defaults, examples and `x-kubernetes-*` annotations stripped;
  * `allOf: [{$ref}]` wrappers unwrapped; refs point to `#/$defs/NAME`;
  * optional fields accept `null` (Go decodes a JSON null into the zero value); a `$ref` site
    carries the target's type list (with `null` only when the field is optional);
  * IntOrString = `anyOf [int32, string]`, Quantity = `anyOf [number, string matching the
    Quantity grammar]`, never `oneOf` (a null would match both branches);
  * `format: int32` / `int64` become `minimum` / `maximum`; `format: byte` a base64 pattern;
  * every object with `properties` and no `additionalProperties` gets `additionalProperties:
    false` (strict mode: `--no-strict` downgrades those findings to warnings at run time);
  * each group/version/kind gets a schema pinning `apiVersion` and `kind`.

Usage:  python3 scripts/gen-schemas.py [--versions 1.30.0,1.31.0,...] [--out chart-lint/schemas]
Needs:  go (for `go mod download`), zstd (the CLI).  Re-run after changing the version list and
commit the output.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

DEFAULT_VERSIONS = ["1.30.0", "1.31.0", "1.32.0", "1.33.0", "1.34.0", "1.35.0", "1.36.0", "1.37.0"]

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
# k8s.io/apimachinery/pkg/api/resource ParseQuantity: sign, digits, optional fraction, then a
# decimal SI suffix, a binary SI suffix or a decimal exponent. (The empty string is rejected by
# minLength.)
QUANTITY_PATTERN = r"^[+-]?[0-9]*(\.[0-9]*)?([numkMGTPE]|[KMGTPE]i|[eE][+-]?[0-9]+)?$"
# encoding/base64 StdEncoding (what a []byte field decodes with).
BASE64_PATTERN = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
REF_PREFIX = "#/components/schemas/"
# Kinds of the meta group (Status, DeleteOptions, WatchEvent, discovery documents): never
# applied as manifests.
SKIP_DEF_PREFIXES = ("io.k8s.apimachinery.pkg.apis.meta.",)


def module_dir(version):
    env = dict(os.environ, GOFLAGS="-mod=mod", GOTOOLCHAIN="local")
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            ["go", "mod", "download", "-json", f"k8s.io/kubernetes@v{version}"],
            cwd=tmp, env=env, check=True, capture_output=True, text=True,
        ).stdout
    return json.loads(out)["Dir"]


def load_spec(mod):
    spec_dir = os.path.join(mod, "api", "openapi-spec", "v3")
    defs = {}
    for name in sorted(os.listdir(spec_dir)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(spec_dir, name), encoding="utf-8") as f:
            doc = json.load(f)
        for key, schema in doc.get("components", {}).get("schemas", {}).items():
            prev = defs.get(key)
            if prev is None:
                defs[key] = schema
                continue
            # Shared definitions repeat in every file; only their GVK lists differ.
            a = prev.get("x-kubernetes-group-version-kind", [])
            for g in schema.get("x-kubernetes-group-version-kind", []):
                if g not in a:
                    a.append(g)
            if a:
                prev["x-kubernetes-group-version-kind"] = a
    return defs


def served_group_versions(mod, gvks):
    """Group/versions served by default, from pkg/controlplane/instance.go."""
    path = os.path.join(mod, "pkg", "controlplane", "instance.go")
    with open(path, encoding="utf-8") as f:
        src = f.read()
    aliases = dict(re.findall(r'^\s*(\w+)\s+"k8s\.io/api/([\w.]+/v\w+)"', src, re.M))
    # package dir (e.g. "flowcontrol") -> API group, from the definitions' GVKs.
    dir_group = {}
    for (group, _version, _kind), def_name in gvks.items():
        m = re.match(r"io\.k8s\.api\.([\w]+)\.v\w+\.", def_name)
        if m:
            dir_group[m.group(1)] = group

    def gv_of(alias):
        pkg = aliases.get(alias)
        if pkg is None:
            return None
        d, v = pkg.rsplit("/", 1)
        if d not in dir_group:
            return None
        g = dir_group[d]
        return f"{g}/{v}" if g else v

    disabled, legacy = set(), set()
    for block in re.finditer(r"(\w*DisabledByDefault)\s*=\s*\[\]schema\.GroupVersion\{(.*?)\n\t\}", src, re.S):
        for alias in re.findall(r"^\s*(\w+)\.SchemeGroupVersion", block.group(2), re.M):
            gv = gv_of(alias)
            if gv:
                disabled.add(gv)
    m = re.search(r"legacyBetaEnabledByDefaultResources\s*=\s*\[\]schema\.GroupVersionResource\{(.*?)\n\t\}", src, re.S)
    if m:
        for alias in re.findall(r"^\s*(\w+)\.SchemeGroupVersion", m.group(1), re.M):
            gv = gv_of(alias)
            if gv:
                legacy.add(gv)

    served = set()
    for group, version, _kind in gvks:
        gv = f"{group}/{version}" if group else version
        if "alpha" in version:
            continue
        if "beta" in version and gv in disabled and gv not in legacy:
            continue
        served.add(gv)
    return sorted(served)


class Converter:
    def __init__(self, defs):
        self.src = defs
        self.types = {}  # def name -> list of non-null JSON types, or None (any)
        for name, d in defs.items():
            if name == INT_OR_STRING:
                self.types[name] = ["integer", "string"]
            elif name == QUANTITY:
                self.types[name] = ["number", "string"]
            elif isinstance(d.get("type"), str):
                self.types[name] = [d["type"]]
            else:
                self.types[name] = None

    def unwrap(self, s):
        """`{allOf: [{$ref}], default, description}` -> `{$ref}`."""
        if "allOf" in s and len(s["allOf"]) == 1 and "$ref" in s["allOf"][0]:
            rest = {k: v for k, v in s.items() if k not in ("allOf", "default", "description")}
            if not any(k in rest for k in ("type", "properties", "items")):
                return dict(s["allOf"][0])
        return s

    def site(self, s, nullable):
        """A schema at a use site (property, item, map value)."""
        s = self.unwrap(s)
        if "$ref" in s:
            name = s["$ref"][len(REF_PREFIX):]
            out = {"$ref": "#/$defs/" + name}
            t = self.types.get(name)
            if t is not None:
                t = list(t) + (["null"] if nullable else [])
                out["type"] = t[0] if len(t) == 1 else t
            return out
        return self.node(s, nullable)

    def node(self, s, nullable):
        out = {}
        t = s.get("type")
        fmt = s.get("format")
        for k, v in s.items():
            if k in ("description", "default", "example", "format", "type") or k.startswith("x-kubernetes-"):
                continue
            if k == "properties":
                req = set(s.get("required", []))
                out["properties"] = {p: self.site(ps, p not in req) for p, ps in v.items()}
            elif k == "items":
                out["items"] = self.site(v, False)
            elif k == "additionalProperties":
                out["additionalProperties"] = self.site(v, False) if isinstance(v, dict) else v
            elif k == "allOf" or k == "anyOf" or k == "oneOf":
                out[k] = [self.site(x, False) for x in v]
            elif k == "required":
                out[k] = v
            elif k in ("enum", "minimum", "maximum", "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems"):
                out[k] = v
            elif k in ("discriminator",):
                continue
            else:
                raise SystemExit(f"unhandled schema keyword {k!r}")
        if t is not None:
            out["type"] = [t, "null"] if nullable else t
        if fmt == "int32" and t == "integer":
            out["minimum"], out["maximum"] = INT32
        elif fmt == "int64" and t == "integer":
            out["minimum"], out["maximum"] = INT64
        elif fmt == "byte" and t == "string":
            out["pattern"] = BASE64_PATTERN
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out

    def definition(self, name):
        s = self.src[name]
        if name == INT_OR_STRING:
            return {"anyOf": [{"type": "integer", "minimum": INT32[0], "maximum": INT32[1]},
                              {"type": "string"}, {"type": "null"}]}
        if name == QUANTITY:
            return {"anyOf": [{"type": "number"},
                              {"type": "string", "minLength": 1, "pattern": QUANTITY_PATTERN},
                              {"type": "null"}]}
        # The definition itself admits null; each use site restricts with its `type` list.
        return self.node(s, True)


def convert(version, mod):
    src = load_spec(mod)
    gvks = {}
    for name, d in src.items():
        if name.startswith(SKIP_DEF_PREFIXES):
            continue
        for g in d.get("x-kubernetes-group-version-kind", []):
            gvks[(g["group"], g["version"], g["kind"])] = name
    conv = Converter(src)
    defs = {name: conv.definition(name) for name in sorted(src)}
    kinds = {}
    for (group, ver, kind), name in sorted(gvks.items()):
        gv = f"{group}/{ver}" if group else ver
        kinds[f"{gv}/{kind}"] = {
            "$ref": "#/$defs/" + name,
            "type": "object",
            "properties": {"apiVersion": {"const": gv}, "kind": {"const": kind}},
            "required": ["apiVersion", "kind"],
        }
    return {
        "version": version,
        "source": f"k8s.io/kubernetes@v{version} api/openapi-spec/v3",
        "defs": defs,
        "kinds": kinds,
        "served": served_group_versions(mod, gvks),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--versions", default=",".join(DEFAULT_VERSIONS))
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--out", default=os.path.join(root, "chart-lint", "schemas"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for version in args.versions.split(","):
        minor = ".".join(version.split(".")[:2])
        mod = module_dir(version)
        data = convert(version, mod)
        raw = json.dumps(data, separators=(",", ":"), sort_keys=False).encode()
        out = os.path.join(args.out, f"v{minor}.json.zst")
        subprocess.run(["zstd", "-q", "-f", "-19", "-o", out], input=raw, check=True)
        print(f"v{minor}: {len(data['kinds'])} kinds, {len(data['defs'])} defs, "
              f"{len(data['served'])} served group/versions, {len(raw)} B json, "
              f"{os.path.getsize(out)} B zstd", file=sys.stderr)


if __name__ == "__main__":
    main()
