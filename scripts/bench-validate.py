#!/usr/bin/env python3
"""Benchmark `cargo kindtest validate` against kubeconform v0.7.0 and kubernetes-validate.

One run: generates a corpus of varied manifests (Deployments, StatefulSets, Services, ConfigMaps,
Secrets, RBAC, Ingresses, HPAs, PDBs, Jobs, CronJobs, NetworkPolicies; about 10 % invalid),
writes kubeconform-style standalone schemas for the kinds used from our own embedded data (so
kubeconform validates against the same schemas), runs each tool as a whole process on the same
files (strict mode, Kubernetes 1.36), and prints wall time, peak RSS, verdict counts and the
ratios. Then it runs our validator on 10x the documents to show memory stays flat.

Usage:
  python3 scripts/bench-validate.py [--docs 3000] [--files 60] [--bin PATH] [--skip-kv]
Needs:
  cargo build --release -p cargo-kindtest        (or --bin)
  go install github.com/yannh/kubeconform/cmd/kubeconform@v0.7.0
  pip install kubernetes-validate==1.37.0
  zstd, /usr/bin/time
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KUBE = "1.36.0"


# --------------------------------------------------------------------------- corpus
def container(r, i, bad):
    c = {"name": f"app{i}", "image": f"registry.example.com/app{i}:{r.randint(1, 99)}.{r.randint(0, 9)}"}
    if r.random() < 0.7:
        c["ports"] = [{"containerPort": r.choice([80, 8080, 9090, 3000]), "name": "http", "protocol": "TCP"}]
    if r.random() < 0.8:
        c["env"] = [{"name": f"VAR_{k}", "value": f"v{k}"} for k in range(r.randint(1, 6))]
        if r.random() < 0.3:
            c["env"].append({"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}})
    if r.random() < 0.8:
        c["resources"] = {
            "limits": {"cpu": r.choice(["500m", "1", 2, "250m"]), "memory": r.choice(["256Mi", "1Gi", 536870912])},
            "requests": {"cpu": r.choice(["100m", "0.1", 0.5]), "memory": r.choice(["128Mi", "64Mi"])},
        }
    if r.random() < 0.6:
        c["readinessProbe"] = {"httpGet": {"path": "/ready", "port": r.choice(["http", 8080])}, "periodSeconds": 10}
        c["livenessProbe"] = {"tcpSocket": {"port": r.choice(["http", 8080])}, "initialDelaySeconds": 5}
    if r.random() < 0.3:
        c["volumeMounts"] = [{"name": "config", "mountPath": "/etc/app", "readOnly": True}]
    c["imagePullPolicy"] = r.choice(["IfNotPresent", "Always"])
    if bad == "typo":
        c["imagePullPolcy"] = c.pop("imagePullPolicy")
    elif bad == "port":
        c["ports"] = [{"containerPort": "8080"}]
    elif bad == "env":
        c["env"] = {"A": "b"}
    elif bad == "noname":
        del c["name"]
    return c


def pod_spec(r, bad):
    n = r.randint(1, 3)
    spec = {"containers": [container(r, i, bad if i == 0 else None) for i in range(n)]}
    if r.random() < 0.3:
        spec["volumes"] = [{"name": "config", "configMap": {"name": "cfg", "defaultMode": 420}}]
    if r.random() < 0.3:
        spec["affinity"] = {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 100, "podAffinityTerm": {"labelSelector": {"matchLabels": {"app": "x"}}, "topologyKey": "kubernetes.io/hostname"}}]}}
    if r.random() < 0.4:
        spec["securityContext"] = {"runAsNonRoot": True, "runAsUser": 1000, "fsGroup": 2000}
    spec["serviceAccountName"] = "app"
    return spec


def meta(r, kind, i):
    m = {"name": f"{kind.lower()}-{i}", "namespace": r.choice(["shop", "default", "payments"]),
         "labels": {"app.kubernetes.io/name": f"app{i % 17}", "app.kubernetes.io/managed-by": "Helm"}}
    if r.random() < 0.3:
        m["annotations"] = {"checksum/config": "%064x" % r.getrandbits(256)}
    return m


def workload(r, kind, i, bad):
    sel = {"matchLabels": {"app": f"app{i}"}}
    tpl = {"metadata": {"labels": {"app": f"app{i}"}}, "spec": pod_spec(r, bad)}
    spec = {"replicas": r.randint(1, 5), "selector": sel, "template": tpl}
    if bad == "replicas":
        spec["replicas"] = r.choice(["two", True])
    if kind == "Deployment":
        spec["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": r.choice(["25%", 1]), "maxUnavailable": 0}}
    else:
        spec["serviceName"] = f"svc-{i}"
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta(r, kind, i), "spec": spec}


def make(r, i):
    kinds = ["Deployment"] * 4 + ["StatefulSet", "Service", "Service", "ConfigMap", "ConfigMap", "Secret", "ServiceAccount",
             "Role", "RoleBinding", "Ingress", "HPA", "PDB", "Job", "CronJob", "NetworkPolicy"]
    kind = r.choice(kinds)
    bad = None
    if r.random() < 0.10:
        bad = r.choice(["typo", "port", "env", "noname", "replicas", "meta"])
    if kind in ("Deployment", "StatefulSet"):
        d = workload(r, kind, i, bad)
    elif kind == "Service":
        d = {"apiVersion": "v1", "kind": "Service", "metadata": meta(r, kind, i), "spec": {
            "type": r.choice(["ClusterIP", "NodePort"]), "selector": {"app": f"app{i}"},
            "ports": [{"name": "http", "port": 80, "targetPort": r.choice(["http", 8080]), "protocol": "TCP"}]}}
        if bad in ("port", "env"):
            d["spec"]["ports"][0]["targetPort"] = {"x": 1}
    elif kind == "ConfigMap":
        d = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(r, kind, i),
             "data": {f"key{k}": "value %d\n" % k * r.randint(1, 20) for k in range(r.randint(1, 8))}}
    elif kind == "Secret":
        d = {"apiVersion": "v1", "kind": "Secret", "metadata": meta(r, kind, i), "type": "Opaque",
             "data": {"password": "aHVudGVyMg==", "token": "c2VjcmV0LXRva2Vu"}, "stringData": {"user": "admin"}}
    elif kind == "ServiceAccount":
        d = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(r, kind, i), "automountServiceAccountToken": False}
    elif kind == "Role":
        d = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta(r, kind, i),
             "rules": [{"apiGroups": [""], "resources": ["pods", "configmaps"], "verbs": ["get", "list", "watch"]}]}
    elif kind == "RoleBinding":
        d = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": meta(r, kind, i),
             "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"},
             "subjects": [{"kind": "ServiceAccount", "name": "app", "namespace": "shop"}]}
    elif kind == "Ingress":
        backend = {"service": {"name": f"svc-{i}", "port": {"number": 80}}}
        if bad in ("typo", "port"):
            backend = {"serviceName": f"svc-{i}", "servicePort": 80}
        d = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta(r, kind, i), "spec": {
            "ingressClassName": "nginx", "tls": [{"hosts": ["a.example.com"], "secretName": "tls"}],
            "rules": [{"host": "a.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]}}]}}
    elif kind == "HPA":
        d = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": meta(r, kind, i), "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "d"}, "minReplicas": 1, "maxReplicas": 10,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]}}
        if bad == "replicas":
            d["spec"]["maxReplicas"] = "ten"
    elif kind == "PDB":
        d = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta(r, kind, i),
             "spec": {"minAvailable": r.choice([1, "50%"]), "selector": {"matchLabels": {"app": "x"}}}}
    elif kind == "Job":
        d = {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta(r, kind, i), "spec": {
            "backoffLimit": 3, "template": {"spec": dict(pod_spec(r, bad), restartPolicy="Never")}}}
    elif kind == "CronJob":
        d = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta(r, kind, i), "spec": {
            "schedule": "*/5 * * * *", "concurrencyPolicy": "Forbid",
            "jobTemplate": {"spec": {"template": {"spec": dict(pod_spec(r, bad), restartPolicy="OnFailure")}}}}}
    else:
        d = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta(r, kind, i), "spec": {
            "podSelector": {"matchLabels": {"app": "x"}}, "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"podSelector": {}}], "ports": [{"port": r.choice([80, "http"]), "protocol": "TCP"}]}]}}
    if bad == "meta":
        d["metadata"]["lables"] = d["metadata"].pop("labels")
    return d


def to_yaml(v, ind=0):
    """A small block-style YAML emitter (strings quoted when YAML 1.1 would read them otherwise)."""
    sp = "  " * ind
    if isinstance(v, dict):
        if not v:
            return " {}"
        out = ""
        for k, x in v.items():
            out += f"\n{sp}{k}:" + to_yaml(x, ind + 1)
        return out
    if isinstance(v, list):
        if not v:
            return " []"
        out = ""
        for x in v:
            s = to_yaml(x, ind + 1)
            if isinstance(x, dict) and x:
                s = s.lstrip("\n")
                s = s[len("  " * (ind + 1)):]
                out += f"\n{sp}- " + s
            else:
                out += f"\n{sp}-" + s
        return out
    if isinstance(v, bool):
        return " true" if v else " false"
    if isinstance(v, (int, float)):
        return f" {v}"
    s = str(v)
    if "\n" in s:
        return " |\n" + "".join(f"{sp}{line}\n" for line in s.rstrip("\n").split("\n")).rstrip("\n")
    return " " + json.dumps(s)


def write_corpus(d, docs, files, seed):
    r = random.Random(seed)
    per = max(1, docs // files)
    n = 0
    for f in range(files):
        with open(os.path.join(d, f"m{f:04d}.yaml"), "w") as fh:
            for _ in range(per if f < files - 1 else docs - per * (files - 1)):
                fh.write("---" + to_yaml(make(r, n)) + "\n")
                n += 1
    return n


# --------------------------------------------------------------------------- schemas for kubeconform
def write_kubeconform_schemas(d, kinds):
    data = json.loads(subprocess.run(["zstd", "-dc", os.path.join(ROOT, "chart-lint", "schemas", "v1.36.json.zst")],
                                     check=True, capture_output=True).stdout)
    out = os.path.join(d, f"v{KUBE}-standalone-strict")
    os.makedirs(out, exist_ok=True)
    for key in kinds:
        gv, kind = key.rsplit("/", 1)
        group, ver = gv.rsplit("/", 1) if "/" in gv else ("", gv)
        suffix = f"-{group.split('.')[0]}-{ver}" if group else f"-{ver}"
        schema = dict(data["kinds"][key])
        # Only the definitions this kind reaches.
        need, todo = set(), [schema]
        while todo:
            x = todo.pop()
            if isinstance(x, dict):
                ref = x.get("$ref")
                if isinstance(ref, str) and ref.startswith("#/$defs/") and ref[8:] not in need:
                    need.add(ref[8:])
                    todo.append(data["defs"][ref[8:]])
                todo.extend(x.values())
            elif isinstance(x, list):
                todo.extend(x)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$defs"] = {k: data["defs"][k] for k in sorted(need)}
        with open(os.path.join(out, f"{kind.lower()}{suffix}.json"), "w") as fh:
            json.dump(schema, fh, separators=(",", ":"))


# --------------------------------------------------------------------------- running
def timed(cmd, **kw):
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, text=True, **kw)
    wall = time.perf_counter() - t0
    rss_kb = int(p.stderr.strip().splitlines()[-1]) if p.stderr.strip() else 0
    return wall, rss_kb / 1024, p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=3000)
    ap.add_argument("--files", type=int, default=60)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--bin", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "cargo-kindtest"))
    ap.add_argument("--kubeconform", default=shutil.which("kubeconform") or os.path.expanduser("~/go/bin/kubeconform"))
    ap.add_argument("--skip-kv", action="store_true", help="do not run kubernetes-validate (slow)")
    ap.add_argument("--runs", type=int, default=3, help="runs of the fast tools (best is reported)")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="kindtest-bench-")
    corpus = os.path.join(tmp, "corpus")
    os.makedirs(corpus)
    n = write_corpus(corpus, args.docs, args.files, args.seed)
    files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus))
    size = sum(os.path.getsize(f) for f in files)
    kinds = set()
    for f in files:
        text = open(f).read()
        for m in re.finditer(r"^apiVersion: \"?([^\"\n]+)\"?\nkind: \"?([^\"\n]+)\"?$", text, re.M):
            kinds.add(f"{m.group(1)}/{m.group(2)}")
    schemas = os.path.join(tmp, "schemas")
    write_kubeconform_schemas(schemas, sorted(kinds))
    print(f"corpus: {n} documents in {len(files)} files, {size / 1e6:.1f} MB, {len(kinds)} kinds; Kubernetes {KUBE}, strict")

    results = {}

    def best(name, cmd, runs):
        rs = [timed(cmd) for _ in range(runs)]
        w, rss, p = min(rs, key=lambda x: x[0])
        summary = [l for l in p.stdout.splitlines() if "Summary" in l or '"reason":"summary"' in l]
        results[name] = (w, rss)
        print(f"{name:22s} wall {w:8.3f} s   peak RSS {rss:7.1f} MB   exit {p.returncode}   {summary[-1] if summary else ''}")
        return p

    best("cargo kindtest", [args.bin, "validate", "--kube-version", KUBE, "--short", corpus], args.runs)
    if os.path.exists(args.kubeconform):
        best("kubeconform v0.7.0", [args.kubeconform, "-strict", "-summary", "-kubernetes-version", KUBE,
                                    "-schema-location", schemas, corpus], args.runs)
    else:
        print(f"kubeconform not found at {args.kubeconform}")
    if not args.skip_kv and shutil.which("kubernetes-validate"):
        p = best("kubernetes-validate", ["kubernetes-validate", "--strict", "--quiet", "-k", KUBE] + files, 1)
        fails = sum(1 for l in p.stdout.splitlines() if l.startswith("ERROR"))
        print(f"{'':22s} ({fails} ERROR lines)")
    ours = results["cargo kindtest"][0]
    for other in ("kubeconform v0.7.0", "kubernetes-validate"):
        if other in results:
            print(f"ratio: cargo kindtest is {results[other][0] / ours:6.1f}x faster than {other}")

    # Memory against the number of documents.
    big = os.path.join(tmp, "corpus10")
    os.makedirs(big)
    write_corpus(big, n * 10, args.files * 10, args.seed + 1)
    w, rss, p = timed([args.bin, "validate", "--kube-version", KUBE, "--short", big])
    print(f"memory: {n} docs -> {results['cargo kindtest'][1]:.1f} MB, {n * 10} docs -> {rss:.1f} MB peak RSS ({w:.2f} s)")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
