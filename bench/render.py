"""Render benchmark: our `cargo kindtest template` vs `helm template`, whole process each.

Usage: python3 bench/render.py [EXTRA_CHART_DIR...]   (env: HELM, RUNS, BENCH_NO_BUILD=1)
"""
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import CACHE, ROOT, die, measure, mib, ms, ours_binary  # noqa: E402

RUNS = int(os.environ.get("RUNS", "7"))
TARGET_RATIO = 10.0
TARGET_RSS_MIB = 50.0


def helm_binary():
    h = os.environ.get("HELM") or os.path.join(CACHE, "helm-oracle/bin/helm")
    if not os.access(h, os.X_OK):
        die(f"helm not found at {h} (set HELM or run scripts/install-helm.sh): no ratio can be computed")
    return h


def fixture_cases():
    """(name, cwd, args) for every tests/charts fixture (args = flags + chart path)."""
    base = os.path.join(ROOT, "tests/charts")
    cases = []
    for name in sorted(os.listdir(base)):
        d = os.path.join(base, name)
        if os.path.exists(os.path.join(d, "expect-error")):
            continue
        chart = next((c for c in ("chart", "chart.tgz") if os.path.exists(os.path.join(d, c))), None)
        if chart is None:
            continue
        args = []
        af = os.path.join(d, "args")
        if os.path.exists(af):
            for line in open(af):
                line = line.strip()
                if line and not line.startswith("#"):
                    args.append(line)
        cases.append((name, d, args + [chart]))
    return cases


def main():
    helm = helm_binary()
    ours = ours_binary()
    env_cache = os.path.join("/tmp", "kindtest-helm-cache")
    os.environ["HELM_CACHE_HOME"] = env_cache
    cases = fixture_cases()
    cases.append(("charts/demo", ROOT, [os.path.join(ROOT, "charts/demo")]))
    for extra in sys.argv[1:]:
        p = os.path.abspath(extra)
        cases.append((extra, os.path.dirname(p), [p]))

    rows, skipped = [], []
    for name, cwd, args in cases:
        h_argv = [helm, "template"] + args
        o_argv = [ours, "kindtest", "template"] + args
        hp = subprocess.run(h_argv, cwd=cwd, capture_output=True)
        if hp.returncode != 0:
            skipped.append((name, "helm fails"))
            continue
        op = subprocess.run(o_argv, cwd=cwd, capture_output=True)
        if op.returncode != 0:
            skipped.append((name, "ours fails: " + op.stderr.decode(errors="replace").strip().splitlines()[0][:60]))
            continue
        same = "yes" if op.stdout == hp.stdout else "NO"
        h = measure(h_argv, RUNS, cwd=cwd)
        o = measure(o_argv, RUNS, cwd=cwd)
        rows.append((name, len(hp.stdout), h, o, h["median"] / o["median"], same))
        print(f"  measured {name}", file=sys.stderr, flush=True)

    print(f"\nrender: helm template vs cargo kindtest template, whole process, {RUNS} runs each after 1 warm-up")
    print(f"{'chart':32} {'out KB':>7} {'helm med ms':>11} {'ours med ms':>11} {'helm min':>9} {'ours min':>9}"
          f" {'ratio':>7} {'helm MiB':>8} {'ours MiB':>8} same")
    for name, size, h, o, ratio, same in rows:
        print(f"{name[:32]:32} {size / 1024:7.1f} {ms(h['median']):>11} {ms(o['median']):>11} {ms(h['min']):>9}"
              f" {ms(o['min']):>9} {ratio:6.1f}x {mib(h['rss']):>8} {mib(o['rss']):>8} {same}")
    for name, why in skipped:
        print(f"{name[:32]:32} skipped: {why}")
    if not rows:
        die("no chart rendered by both")
    ratios = [r[4] for r in rows]
    med = statistics.median(ratios)
    largest = max(rows, key=lambda r: r[1])
    print(f"\ncharts measured: {len(rows)}, skipped: {len(skipped)}, output identical to helm: "
          f"{sum(r[5] == 'yes' for r in rows)}/{len(rows)}")
    print(f"ratio helm/ours (median time): median {med:.1f}x, min {min(ratios):.1f}x, max {max(ratios):.1f}x"
          f"   target >= {TARGET_RATIO:.0f}x: {'MET' if med >= TARGET_RATIO else 'NOT MET'}")
    print(f"largest chart output: {largest[0]} ({largest[1] / 1024:.1f} KB): ours {mib(largest[3]['rss']).strip()} MiB"
          f" RSS, helm {mib(largest[2]['rss']).strip()} MiB   target < {TARGET_RSS_MIB:.0f} MiB: "
          f"{'MET' if largest[3]['rss'] / 1024 < TARGET_RSS_MIB else 'NOT MET'}")
    worst = max(rows, key=lambda r: r[3]["rss"])
    print(f"max RSS over all charts: ours {mib(worst[3]['rss']).strip()} MiB ({worst[0]}), "
          f"helm {mib(max(r[2]['rss'] for r in rows)).strip()} MiB")


if __name__ == "__main__":
    main()
