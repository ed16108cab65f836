"""Render benchmark: our `cargo kindtest template` vs `helm template`, whole process each.

Usage: python3 bench/render.py [CHART_DIR...]
  env: HELM, RUNS, BENCH_NO_BUILD=1,
       BENCH_CHARTS=DIR   every subdirectory of DIR with a Chart.yaml is added (e.g. /tmp/pc/charts),
       BENCH_FIXTURES=0   skip the tests/charts fixtures and charts/demo (only the given charts).
Chart directories given as arguments (or through BENCH_CHARTS) are summarised separately
("given charts"), so public charts are not averaged with our small fixtures.
"""
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import CACHE, ROOT, die, mib, ms, ours_binary  # noqa: E402

RUNS = int(os.environ.get("RUNS", "7"))
TARGET_RATIO = 10.0
TARGET_RSS_MIB = 50.0


def measure(argv, runs, cwd=None):
    """One warm-up, then `runs` runs: min/median wall, median CPU time (user+sys of the
    process, less sensitive to machine load than wall time), max RSS (KiB)."""
    import time
    times, cpus, rss = [], [], 0
    for i in range(runs + 1):
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        rss = max(rss, ru.ru_maxrss)
        if i:
            times.append(wall)
            cpus.append(ru.ru_utime + ru.ru_stime)
    return {"min": min(times), "median": statistics.median(times), "cpu": statistics.median(cpus),
            "rss": rss}


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
    cases = []
    if os.environ.get("BENCH_FIXTURES", "1") != "0":
        cases = fixture_cases()
        cases.append(("charts/demo", ROOT, [os.path.join(ROOT, "charts/demo")]))
    extras = list(sys.argv[1:])
    cd = os.environ.get("BENCH_CHARTS")
    if cd:
        extras += sorted(os.path.join(cd, n) for n in os.listdir(cd)
                         if os.path.exists(os.path.join(cd, n, "Chart.yaml")))
    given = set()
    for extra in extras:
        p = os.path.abspath(extra)
        name = os.path.basename(p.rstrip("/"))
        given.add(name)
        cases.append((name, os.path.dirname(p), ["rel", p]))

    rows, skipped, given_rows = [], [], []
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
        if name in given:
            given_rows.append(rows[-1])
        print(f"  measured {name}", file=sys.stderr, flush=True)

    print(f"\nrender: helm template vs cargo kindtest template, whole process, {RUNS} runs each after 1 warm-up")
    print(f"{'chart':32} {'out KB':>7} {'helm med ms':>11} {'ours med ms':>11} {'helm min':>9} {'ours min':>9}"
          f" {'ratio':>7} {'helm cpu':>8} {'ours cpu':>8} {'cpu r':>6} {'helm MiB':>8} {'ours MiB':>8} same")
    for name, size, h, o, ratio, same in rows:
        print(f"{name[:32]:32} {size / 1024:7.1f} {ms(h['median']):>11} {ms(o['median']):>11} {ms(h['min']):>9}"
              f" {ms(o['min']):>9} {ratio:6.1f}x {ms(h['cpu']):>8} {ms(o['cpu']):>8}"
              f" {h['cpu'] / max(o['cpu'], 1e-4):5.1f}x {mib(h['rss']):>8} {mib(o['rss']):>8} {same}")
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
    if given_rows:
        gr = [r[4] for r in given_rows]
        gc = [r[2]["cpu"] / max(r[3]["cpu"], 1e-4) for r in given_rows]
        gbig = max(given_rows, key=lambda r: r[1])
        print(f"given charts ({len(given_rows)}): wall ratio median {statistics.median(gr):.1f}x"
              f" (min {min(gr):.1f}x, max {max(gr):.1f}x), {sum(x >= TARGET_RATIO for x in gr)} at >= 10x;"
              f" cpu-time ratio median {statistics.median(gc):.1f}x   target >= {TARGET_RATIO:.0f}x (wall): "
              f"{'MET' if statistics.median(gr) >= TARGET_RATIO else 'NOT MET'}")
        print(f"given charts: largest output {gbig[0]} ({gbig[1] / 1024:.1f} KB): ours "
              f"{mib(gbig[3]['rss']).strip()} MiB RSS; max RSS ours "
              f"{mib(max(r[3]['rss'] for r in given_rows)).strip()} MiB   target < {TARGET_RSS_MIB:.0f} MiB: "
              f"{'MET' if max(r[3]['rss'] for r in given_rows) / 1024 < TARGET_RSS_MIB else 'NOT MET'}")
    worst = max(rows, key=lambda r: r[3]["rss"])
    print(f"max RSS over all charts: ours {mib(worst[3]['rss']).strip()} MiB ({worst[0]}), "
          f"helm {mib(max(r[2]['rss'] for r in rows)).strip()} MiB")


if __name__ == "__main__":
    main()
