#!/usr/bin/env python3
"""Regenerates goyaml's golden vectors from the real helm binary.

Every case is a YAML file put into a probe chart's `cases/` folder; one template prints, per
file, helm's `fromYaml | toJson`, `fromYaml | toYaml` and `(fromYaml …).v | toYaml`. The
results land in tests/fixtures/golden.json, which tests/golden.rs checks.

usage: gen_golden.py [HELM]   (default ~/.cache/kindtest/helm-oracle/bin/helm)
"""
import base64, json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from golden_cases import cases  # noqa: E402

helm = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.cache/kindtest/helm-oracle/bin/helm")

TEMPLATE = r'''{{- range $path, $_ := .Files.Glob "cases/*.yaml" }}
{{- $m := $.Files.Get $path | fromYaml }}
# {{ $path }} {{ $m | toJson | b64enc }} {{ $m | toYaml | b64enc }} {{ if hasKey $m "v" }}{{ $m.v | toYaml | b64enc }}{{ else }}-{{ end }} {{ $m | toYamlPretty | b64enc }}
{{- end }}
'''

all_cases = cases()
with tempfile.TemporaryDirectory() as tmp:
    chart = os.path.join(tmp, "probe")
    os.makedirs(os.path.join(chart, "templates"))
    os.makedirs(os.path.join(chart, "cases"))
    with open(os.path.join(chart, "Chart.yaml"), "w") as f:
        f.write("apiVersion: v2\nname: probe\nversion: 0.1.0\n")
    with open(os.path.join(chart, "templates", "t.yaml"), "w") as f:
        f.write(TEMPLATE)
    for i, (kind, name, text) in enumerate(all_cases):
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        with open(os.path.join(chart, "cases", "c%05d.yaml" % i), "wb") as f:
            f.write(data)
    out = subprocess.run([helm, "template", "x", chart], check=True, capture_output=True).stdout.decode()

results = {}
for line in out.splitlines():
    if not line.startswith("# cases/"):
        continue
    _, path, j, y, v, p = line.split(" ")
    idx = int(path[len("cases/c"):-len(".yaml")])
    results[idx] = (
        base64.b64decode(j).decode(),
        base64.b64decode(y).decode(),
        None if v == "-" else base64.b64decode(v).decode(),
        base64.b64decode(p).decode(),
    )

golden = []
for i, (kind, name, text) in enumerate(all_cases):
    j, y, v, p = results[i]
    entry = {"kind": kind, "name": name}
    if isinstance(text, bytes):
        entry["input_b64"] = base64.b64encode(text).decode()
    else:
        entry["input"] = text
    entry["helm_json"] = j
    entry["helm_yaml"] = y
    entry["helm_yaml_pretty"] = p
    if v is not None:
        entry["helm_yaml_v"] = v
    golden.append(entry)

with open(os.path.join(HERE, "fixtures", "golden.json"), "w") as f:
    json.dump(golden, f, indent=1, ensure_ascii=False)
    f.write("\n")
print("wrote %d cases" % len(golden))
