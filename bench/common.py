"""Shared helpers for the bench/ scripts: locate binaries, time whole processes."""
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.expanduser("~/.cache/kindtest")


def die(msg, code=3):
    bar = "!" * 72
    print(f"\n{bar}\nBENCH ERROR: {msg}\n{bar}", file=sys.stderr, flush=True)
    sys.exit(code)


def ours_binary():
    """Build (if needed) and return our release binary."""
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    if os.environ.get("BENCH_NO_BUILD") != "1":
        r = subprocess.run(["cargo", "build", "--release", "-p", "cargo-kindtest"], cwd=ROOT)
        if r.returncode != 0:
            die("cargo build --release -p cargo-kindtest failed")
    exe = os.path.join(target, "release", "cargo-kindtest")
    if not os.access(exe, os.X_OK):
        die(f"no release binary at {exe}")
    return exe


def run_once(argv, cwd=None, stdin=None, stdout=subprocess.DEVNULL):
    """Run argv to completion; return (wall seconds, max RSS in KiB, exit code).

    os.wait4 gives the rusage of exactly this child (not of all children so far)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, cwd=cwd, stdin=stdin, stdout=stdout, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_maxrss, p.returncode


def measure(argv, runs, cwd=None, warmup=1):
    """Run argv warmup+runs times; return dict(min, median, rss (max over runs, KiB), code)."""
    for _ in range(warmup):
        run_once(argv, cwd=cwd)
    times, rss, codes = [], 0, set()
    for _ in range(runs):
        w, r, c = run_once(argv, cwd=cwd)
        times.append(w)
        rss = max(rss, r)
        codes.add(c)
    return {"min": min(times), "median": statistics.median(times), "rss": rss, "codes": codes}


def ms(s):
    return f"{s * 1000:8.1f}"


def mib(kib):
    return f"{kib / 1024:6.1f}"
