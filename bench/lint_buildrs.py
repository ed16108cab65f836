"""build.rs lint benchmark: how long `chart_lint::build::Lint` takes in a build script, and what
depending on chart-lint costs at compile time.

Measures, for charts/demo and the largest fixture chart under tests/charts (plus extra chart dirs
given as arguments):
  * the build script itself, cold process, as cargo runs it: a throwaway crate whose build.rs
    calls `chart_lint::build::Lint`, compiled like any build script (build-dependencies are
    built without optimisation by default), executed directly N times;
  * the `lint` example of chart-lint in release, for comparison;
  * the clean-build wall time of that throwaway crate (chart-lint and its dependency tree, dev
    profile) and the no-op rebuild time. SKIP_COMPILE=1 reuses an earlier build.

BUILD_OVERRIDE_OPT=3 adds `[profile.dev.build-override] opt-level = 3` to the throwaway crate
(its own target dir), to measure what optimising build-dependencies costs and gains.

Usage: python3 bench/lint_buildrs.py [EXTRA_CHART_DIR...]
env: RUNS=10, SKIP_COMPILE=1, BENCH_NO_BUILD=1, BUILD_OVERRIDE_OPT=<opt-level>
"""
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT, die, mib, ms, run_once  # noqa: E402

RUNS = int(os.environ.get("RUNS", "10"))
TARGET_MS = 200.0
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
OVERRIDE_OPT = os.environ.get("BUILD_OVERRIDE_OPT", "")
PROBE = os.path.join(TARGET, "bench-buildrs-probe" + (f"-opt{OVERRIDE_OPT}" if OVERRIDE_OPT else ""))

BUILD_RS = """fn main() {
    let chart = std::env::var("BENCH_CHART").unwrap_or_else(|_| "%s".to_string());
    println!("cargo:rerun-if-env-changed=BENCH_CHART");
    chart_lint::build::Lint::new().chart(chart).run_or_exit();
}
"""


def tree_size(d):
    total = 0
    for root, _, files in os.walk(d):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return total


def pick_charts():
    charts = [("charts/demo", os.path.join(ROOT, "charts/demo"))]
    base = os.path.join(ROOT, "tests/charts")
    best = None
    for name in sorted(os.listdir(base)):
        d = os.path.join(base, name, "chart")
        if not os.path.isdir(d) or os.path.exists(os.path.join(base, name, "expect-error")):
            continue
        size = tree_size(d)
        if best is None or size > best[0]:
            best = (size, f"tests/charts/{name} (largest, {size // 1024} KB)", d)
    if best:
        charts.append(best[1:])
    charts += [(a, os.path.abspath(a)) for a in sys.argv[1:]]
    return charts


def write_probe(default_chart):
    src = os.path.join(PROBE, "crate")
    os.makedirs(os.path.join(src, "src"), exist_ok=True)
    with open(os.path.join(src, "Cargo.toml"), "w") as f:
        f.write(f"""[package]
name = "chart-lint-buildrs-probe"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[build-dependencies]
chart-lint = {{ path = "{os.path.join(ROOT, 'chart-lint')}" }}
""")
        if OVERRIDE_OPT:
            f.write(f"\n[profile.dev.build-override]\nopt-level = {OVERRIDE_OPT}\n")
    with open(os.path.join(src, "build.rs"), "w") as f:
        f.write(BUILD_RS % default_chart)
    with open(os.path.join(src, "src", "main.rs"), "w") as f:
        f.write("fn main() {}\n")
    shutil.copy(os.path.join(ROOT, "Cargo.lock"), os.path.join(src, "Cargo.lock"))
    return src


def cargo_build(src, env):
    t0 = time.perf_counter()
    p = subprocess.run(["cargo", "build"], cwd=src, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        print(p.stderr[-3000:], file=sys.stderr)
    return wall, p.returncode, p.stderr.count("Compiling ")


def find_build_script(tdir):
    build = os.path.join(tdir, "debug", "build")
    found = []
    for d in os.listdir(build) if os.path.isdir(build) else []:
        if d.startswith("chart-lint-buildrs-probe-"):
            exe = os.path.join(build, d, "build-script-build")
            if os.access(exe, os.X_OK):
                found.append((os.path.getmtime(exe), exe))
    return max(found)[1] if found else None


def time_runs(argv, env, cwd):
    """min and median wall time, median CPU time (user+sys: what the process itself costs, much
    less sensitive than wall time to other load on the machine), max RSS, exit codes."""
    walls, cpus, rss, codes = [], [], 0, set()
    run_once(argv, cwd=cwd)  # warm the page cache once; each run is still a fresh process
    for _ in range(RUNS):
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        walls.append(time.perf_counter() - t0)
        cpus.append(ru.ru_utime + ru.ru_stime)
        rss = max(rss, ru.ru_maxrss)
        codes.add(os.waitstatus_to_exitcode(status))
    return min(walls), statistics.median(walls), statistics.median(cpus), rss, codes


def main():
    charts = pick_charts()
    src = write_probe(charts[0][1])
    tdir = os.path.join(PROBE, "target")
    env = dict(os.environ, CARGO_TARGET_DIR=tdir)
    env.setdefault("CARGO_BUILD_JOBS", "2")
    compile_rows = []
    if os.environ.get("SKIP_COMPILE") != "1":
        shutil.rmtree(tdir, ignore_errors=True)
        print("  clean build of the throwaway crate (chart-lint as a build-dependency)...", file=sys.stderr, flush=True)
        wall, code, n = cargo_build(src, env)
        if code != 0:
            die("the throwaway crate with chart-lint as a build-dependency does not build")
        compile_rows.append((f"clean build (dev profile{', build-override opt-level=' + OVERRIDE_OPT if OVERRIDE_OPT else ''}, chart-lint + deps)", wall, n))
    wall, code, n = cargo_build(src, env)
    if code != 0:
        die("the throwaway crate with chart-lint as a build-dependency does not build")
    compile_rows.append(("no-op rebuild (nothing changed)", wall, n))
    script = find_build_script(tdir)
    if script is None:
        die("build script binary not found under " + tdir)

    lint_ex = None
    if os.environ.get("BENCH_NO_BUILD") != "1":
        p = subprocess.run(["cargo", "build", "--release", "-p", "chart-lint", "--example", "lint"], cwd=ROOT)
        if p.returncode != 0:
            print("WARNING: cargo build --release -p chart-lint --example lint failed; skipping it", file=sys.stderr)
    cand = os.path.join(TARGET, "release", "examples", "lint")
    if os.access(cand, os.X_OK):
        lint_ex = cand

    rows = []
    for name, path in charts:
        benv = dict(os.environ, BENCH_CHART=path, CARGO_MANIFEST_DIR=src, OUT_DIR=os.path.join(PROBE, "out"))
        os.makedirs(benv["OUT_DIR"], exist_ok=True)
        what = f"build.rs (build-override opt-level={OVERRIDE_OPT})" if OVERRIDE_OPT else "build.rs (debug deps, as cargo builds it)"
        rows.append((name, what) + time_runs([script], benv, src))
        if lint_ex:
            rows.append((name, "lint example (release)") + time_runs([lint_ex, path], dict(os.environ), ROOT))

    print(f"\nbuild.rs lint: cold process, {RUNS} runs each (exit 1 = the chart has lint errors, still timed)")
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    print(f"(load average {load:.1f} on {os.cpu_count()} CPUs: wall times grow with load, CPU times much less)")
    print(f"{'chart':44} {'what':42} {'min ms':>8} {'med ms':>8} {'CPU ms':>8} {'RSS MiB':>8} exit")
    for name, what, mn, med, cpu, rss, codes in rows:
        print(f"{name[:44]:44} {what:42} {ms(mn):>8} {ms(med):>8} {ms(cpu):>8} {mib(rss):>8} {','.join(map(str, sorted(codes)))}")
    demo = [r for r in rows if r[0] == "charts/demo" and r[1].startswith("build.rs")][0]
    print(f"\ntypical chart (charts/demo) in build.rs: median {demo[3] * 1000:.0f} ms wall (min {demo[2] * 1000:.0f}), "
          f"{demo[4] * 1000:.0f} ms CPU   target < {TARGET_MS:.0f} ms: "
          f"{'MET' if demo[3] * 1000 < TARGET_MS else 'NOT MET'} (median wall)")
    print("\ncompile-time cost of depending on chart-lint (throwaway crate, its own target dir):")
    for what, wall, n in compile_rows:
        print(f"  {what:46} {wall:8.1f} s   ({n} crates compiled)")
    print(f"  (CARGO_BUILD_JOBS={env['CARGO_BUILD_JOBS']})")


if __name__ == "__main__":
    main()
