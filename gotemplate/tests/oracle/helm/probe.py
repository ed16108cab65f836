#!/usr/bin/env python3
"""Runs template cases through real helm; prints JSON results. Usage: probe.py cases.py out.json"""
import json, os, subprocess, sys, base64, re, shutil, concurrent.futures as cf
HELM = os.path.expanduser("~/.cache/kindtest/helm-oracle/bin/helm")
cases = {}
exec(open(sys.argv[1]).read(), {"cases": cases})
root = "/tmp/probe/run"
shutil.rmtree(root, ignore_errors=True)

def go_line(stderr):
    s = stderr.strip()
    s = s.replace("\n\nUse --debug flag to render out invalid YAML", "")
    if s.startswith("Error: "):
        s = s[7:]
    if s.startswith("parse error at") or s.startswith("execution error at") or s.startswith("template: "):
        return s
    lines = s.split("\n")
    parts = []
    i = 0
    while i < len(lines):
        l = lines[i]
        if re.match(r"^\S+:\d+:\d+$", l) and i + 1 < len(lines) and lines[i+1].startswith("  executing"):
            ex = lines[i+1].strip()
            i += 2
            msg = []
            while i < len(lines) and lines[i].startswith("    "):
                msg.append(lines[i].strip()); i += 1
            parts.append("template: %s: %s %s" % (l, ex, " ".join(msg)))
        else:
            parts.append(l); i += 1
    return " ".join(parts)

def run(item):
    name, (tpl, values, defs) = item
    d = os.path.join(root, name)
    os.makedirs(d + "/templates")
    open(d + "/Chart.yaml", "w").write("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    open(d + "/values.yaml", "w").write(json.dumps(values))
    ptext = '{{define "p" -}}\n' + tpl + '{{end}}'
    open(d + "/templates/_p.tpl", "w").write(ptext)
    if defs:
        open(d + "/templates/_d.tpl", "w").write(defs)
    open(d + "/templates/t.yaml", "w").write('x: {{ include "p" . | b64enc }}\n')
    r = subprocess.run([HELM, "template", "r", d], capture_output=True, text=True)
    if r.returncode == 0:
        m = re.search(r"^x: (.*)$", r.stdout, re.M)
        out = base64.b64decode(m.group(1)).decode() if m and m.group(1) else ""
        return name, {"tpl": ptext, "values": values, "defs": defs, "ok": out}
    return name, {"tpl": ptext, "values": values, "defs": defs, "err": go_line(r.stderr), "raw": r.stderr}

with cf.ThreadPoolExecutor(4) as ex:
    res = dict(ex.map(run, cases.items()))
json.dump(res, open(sys.argv[2], "w"), indent=1, sort_keys=True)
for k, v in sorted(res.items()):
    print(k, "=>", repr(v.get("ok", v.get("err"))))
