"""Lint every chart directory under CHARTS_DIR as a new user would, and (optionally) install each
with the real helm into a cluster, to check that every error-level finding is a real install
failure. Prints one line per chart and a Markdown table (bench/README.md, "Lint on public charts").

Usage:
  python3 bench/lint_public_charts.py CHARTS_DIR [--kubeconfig PATH]

The linter is chart-lint's `lint` example (`cargo build -p chart-lint --example lint`, built here
unless BENCH_NO_BUILD=1), run with each chart's default values, release `release-name`, namespace
`default`, Kubernetes 1.36. With --kubeconfig, each chart is also installed with
`helm install r<N> CHART -n ns<N> --create-namespace` (no --wait) using $HELM or
~/.cache/kindtest/helm-oracle/bin/helm; start a local control plane with
`cargo run -p controlplane --example plane`.
"""
import collections
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT, die  # noqa: E402

TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")


def lint_binary():
    if os.environ.get("BENCH_NO_BUILD") != "1":
        p = subprocess.run(["cargo", "build", "-q", "-p", "chart-lint", "--example", "lint"], cwd=ROOT)
        if p.returncode != 0:
            die("cargo build -p chart-lint --example lint failed")
    exe = os.path.join(TARGET, "debug", "examples", "lint")
    if not os.access(exe, os.X_OK):
        die(f"no lint example at {exe}")
    return exe


def lint(exe, chart):
    t0 = time.time()
    p = subprocess.run([exe, "--json", chart], capture_output=True, text=True, timeout=300)
    found = []
    for line in p.stdout.splitlines():
        try:
            j = json.loads(line)
        except ValueError:
            continue
        if j.get("reason") == "lint-finding":
            found.append(j)
    return found, time.time() - t0


def install(kubeconfig, chart, i):
    helm = os.environ.get("HELM") or os.path.expanduser("~/.cache/kindtest/helm-oracle/bin/helm")
    home = os.path.join(TARGET, "lint-public-charts-helm")
    env = dict(os.environ, KUBECONFIG=kubeconfig, HELM_CACHE_HOME=home + "/cache",
               HELM_CONFIG_HOME=home + "/config", HELM_DATA_HOME=home + "/data")
    p = subprocess.run([helm, "install", f"r{i}", chart, "-n", f"ns{i}", "--create-namespace", "--timeout", "120s"],
                       capture_output=True, text=True, env=env, timeout=600)
    if p.returncode == 0:
        return "installs"
    err = next((l for l in p.stderr.splitlines() if "rror" in l), p.stderr.strip()[:200])
    return "FAILS: " + err[:200]


def main():
    args = sys.argv[1:]
    if not args:
        die("usage: bench/lint_public_charts.py CHARTS_DIR [--kubeconfig PATH]", 2)
    base = args[0]
    kubeconfig = args[args.index("--kubeconfig") + 1] if "--kubeconfig" in args else None
    exe = lint_binary()
    rows = []
    for i, name in enumerate(sorted(os.listdir(base)), 1):
        chart = os.path.join(base, name)
        if not os.path.isfile(os.path.join(chart, "Chart.yaml")):
            continue
        found, secs = lint(exe, chart)
        errors = collections.Counter(f["code"] for f in found if f["severity"] == "error")
        warnings = collections.Counter(f["code"] for f in found if f["severity"] == "warning")
        inst = install(kubeconfig, chart, i) if kubeconfig else "not tried"
        rows.append((name, inst, errors, warnings))
        print(f"{name:36} {secs:5.1f}s E={sum(errors.values())} {dict(errors)} W={sum(warnings.values())} "
              f"{dict(warnings)} install: {inst}", flush=True)
        for f in found:
            if f["severity"] == "error":
                print(f"    {f['code']} {f['file']}:{f['line']}: {f['message'][:200]}", flush=True)
    print("\n| chart | helm install | errors | warnings (by rule) |\n|---|---|---|---|")
    for name, inst, errors, warnings in rows:
        e = ", ".join(f"{k}×{n}" for k, n in sorted(errors.items()))
        w = ", ".join(f"{k}×{n}" for k, n in sorted(warnings.items()))
        print(f"| {name} | {inst} | {sum(errors.values())}{f' ({e})' if e else ''} | "
              f"{sum(warnings.values())}{f': {w}' if w else ''} |")
    te = sum(sum(r[2].values()) for r in rows)
    tw = sum(sum(r[3].values()) for r in rows)
    print(f"\nTotal: {len(rows)} charts, {te} errors, {tw} warnings")


if __name__ == "__main__":
    main()
