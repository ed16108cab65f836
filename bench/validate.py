"""Validation benchmark: cargo kindtest validate vs kubeconform v0.7.0 vs kubernetes-validate,
same generated corpus, same schemas (Kubernetes 1.35, strict), one run.

Usage: python3 bench/validate.py   (env: NDOCS=3000, RUNS=3, SCALE="1000 10000 50000", BENCH_NO_BUILD=1)
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import CACHE, die, mib, ours_binary, run_once  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
KUBE = "1.35.0"
VENV = os.path.join(CACHE, "bench-venv")
BIN = os.path.join(CACHE, "bench-bin")
SCHEMAS = os.path.join(CACHE, "bench-schemas", f"v{KUBE}-standalone-strict")
NDOCS = int(os.environ.get("NDOCS", "3000"))
RUNS = int(os.environ.get("RUNS", "3"))
SCALE = [int(x) for x in os.environ.get("SCALE", "1000 10000 50000").split()]


def ensure_kubernetes_validate():
    exe = os.path.join(VENV, "bin", "kubernetes-validate")
    if not os.access(exe, os.X_OK):
        print("installing kubernetes-validate into", VENV, file=sys.stderr)
        if subprocess.run([sys.executable, "-m", "venv", VENV]).returncode != 0 or subprocess.run(
                [os.path.join(VENV, "bin", "pip"), "install", "-q", "kubernetes-validate"]).returncode != 0:
            die("could not install kubernetes-validate (PyPI): no ratio against it can be computed")
    out = subprocess.run([os.path.join(VENV, "bin", "python"), "-c",
                          "import kubernetes_validate, os; print(os.path.dirname(kubernetes_validate.__file__))"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        die("kubernetes-validate is installed but cannot be imported:\n" + out.stderr)
    src = os.path.join(out.stdout.strip(), "kubernetes-json-schema", f"v{KUBE}-local-strict")
    if not os.path.isdir(src):
        die(f"kubernetes-validate has no schemas for {KUBE} ({src})")
    ver = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.strip()
    return exe, src, ver


def ensure_kubeconform():
    exe = os.path.join(BIN, "kubeconform")
    if not os.access(exe, os.X_OK):
        print("installing kubeconform v0.7.0 into", BIN, file=sys.stderr)
        env = dict(os.environ, GOBIN=BIN)
        if shutil.which("go") is None or subprocess.run(
                ["go", "install", "github.com/yannh/kubeconform/cmd/kubeconform@v0.7.0"], env=env).returncode != 0:
            die("could not install kubeconform v0.7.0 (go install): no ratio against it can be computed")
    return exe


def ensure_schemas(src):
    marker = os.path.join(SCHEMAS, "service-v1.json")
    if not os.path.exists(marker):
        r = subprocess.run([sys.executable, os.path.join(HERE, "kubeconform_schemas.py"), src, SCHEMAS])
        if r.returncode != 0:
            die("could not convert the schemas for kubeconform")


def generate(out, ndocs, per_file, schema_dir=None):
    argv = [sys.executable, os.path.join(HERE, "gen_manifests.py"), out, str(ndocs), str(per_file)]
    if schema_dir:
        argv += ["--cr-schema-dir", schema_dir]
    r = subprocess.run(argv, capture_output=True, text=True)
    if r.returncode != 0:
        die("manifest generator failed:\n" + r.stderr)
    return r.stdout.strip()


def timed(argv, runs, outfile):
    """Median wall, max RSS, exit codes, and the output of the last run."""
    walls, rss, codes = [], 0, set()
    for _ in range(runs):
        with open(outfile, "wb") as f:
            w, r, c = run_once(argv, stdout=f)
        walls.append(w)
        rss = max(rss, r)
        codes.add(c)
    with open(outfile, errors="replace") as f:
        text = f.read()
    return statistics.median(walls), min(walls), rss, codes, text


def verdict_ours(text):
    # summary line, e.g. "validated 3002 resources in 2456 files: 2770 valid, 232 invalid"
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1][:110] if lines else "(no output)"


def verdict_kubeconform(text):
    m = re.search(r"Valid: (\d+), Invalid: (\d+), Errors: (\d+), Skipped: (\d+)", text)
    return f"valid {m[1]}, invalid {m[2]}, errors {m[3]}, skipped {m[4]}" if m else "(no summary)"


def verdict_kv(text):
    ok = len(re.findall(r"^INFO .* passed", text, re.M))
    bad = len(re.findall(r"^ERROR ", text, re.M))
    warn = len(re.findall(r"^WARN ", text, re.M))
    return f"valid {ok}, invalid {bad}, warnings (no schema etc.) {warn}"


def main():
    ours = ours_binary()
    kv, kv_src, kv_ver = ensure_kubernetes_validate()
    kc = ensure_kubeconform()
    ensure_schemas(kv_src)
    kc_ver = subprocess.run([kc, "-v"], capture_output=True, text=True).stdout.strip()
    if kc_ver in ("", "development"):  # `go install` builds report no version
        kc_ver = "v0.7.0"
    tmp = tempfile.mkdtemp(prefix="kindtest-bench-validate-")
    try:
        corpus = os.path.join(tmp, "corpus")
        crschemas = os.path.join(tmp, "crschemas")
        print(generate(corpus, NDOCS, 1, crschemas), file=sys.stderr)
        files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus))
        out = os.path.join(tmp, "out.txt")
        loc = "{{ .ResourceKind }}{{ .KindSuffix }}.json"
        tools = [
            ("cargo kindtest validate", [ours, "kindtest", "validate", "--kube-version", KUBE, "--short", corpus],
             RUNS, verdict_ours),
            (f"kubeconform {kc_ver}", [kc, "-strict", "-summary", "-kubernetes-version", KUBE,
                                       "-schema-location", os.path.join(SCHEMAS, loc),
                                       "-schema-location", os.path.join(crschemas, loc), corpus],
             RUNS, verdict_kubeconform),
            (f"kubernetes-validate {kv_ver}", [kv, "-k", KUBE, "--strict"] + files, 1, verdict_kv),
        ]
        results = []
        for name, argv, runs, verdict in tools:
            print(f"  running {name} ({runs}x)", file=sys.stderr, flush=True)
            med, mn, rss, codes, text = timed(argv, runs, out)
            if not text.strip() and 0 not in codes:
                die(f"{name} printed nothing and failed (exit {codes}); refusing to print a ratio")
            results.append((name, med, mn, rss, codes, verdict(text)))

        print(f"\nvalidate: {NDOCS} generated documents in {len(files)} files, Kubernetes {KUBE}, strict; "
              f"whole process, median of {RUNS} runs (kubernetes-validate: 1 run)")
        print(f"{'tool':34} {'wall s':>8} {'min s':>8} {'docs/s':>9} {'RSS MiB':>8} exit  verdicts")
        for name, med, mn, rss, codes, v in results:
            print(f"{name:34} {med:8.3f} {mn:8.3f} {NDOCS / med:9.0f} {mib(rss):>8} {','.join(map(str, sorted(codes))):4}  {v}")
        o = results[0]
        print()
        for name, med, _, rss, _, _ in results[1:]:
            target = 3 if name.startswith("kubeconform") else 50
            ratio = med / o[1]
            print(f"ours vs {name}: {ratio:.1f}x faster, RSS {rss / max(o[3], 1):.1f}x smaller"
                  f"   target >= {target}x: {'MET' if ratio >= target else 'NOT MET'}")

        print(f"\nmemory in the number of documents (ours only, 20 documents per file, 1 run each):")
        print(f"{'documents':>10} {'input':>12} {'wall s':>8} {'docs/s':>9} {'RSS MiB':>8}  verdict")
        rss_files, rss_stdin = [], []
        for n in SCALE:
            d = os.path.join(tmp, f"scale{n}")
            generate(d, n, 20)
            names = sorted(os.listdir(d))
            med, _, rss, codes, text = timed([ours, "kindtest", "validate", "--kube-version", KUBE, "--short", d], 1, out)
            rss_files.append(rss)
            print(f"{n:10} {str(len(names)) + ' files':>12} {med:8.3f} {n / med:9.0f} {mib(rss):>8}  {verdict_ours(text)}")
            # The same documents as one stream on stdin (like `helm template | ... -`).
            stream = os.path.join(tmp, f"scale{n}.yaml")
            with open(stream, "wb") as w:
                for name in names:
                    with open(os.path.join(d, name), "rb") as r:
                        w.write(b"---\n" + r.read() + b"\n")
            with open(stream, "rb") as stdin:
                t0 = time.perf_counter()
                w_, rss2, _ = run_once([ours, "kindtest", "validate", "--kube-version", KUBE, "--short", "-"],
                                       stdin=stdin, stdout=open(out, "wb"))
            rss_stdin.append(rss2)
            with open(out, errors="replace") as f:
                text2 = f.read()
            print(f"{n:10} {'1 on stdin':>12} {w_:8.3f} {n / w_:9.0f} {mib(rss2):>8}  {verdict_ours(text2)}")
            shutil.rmtree(d)
            os.remove(stream)
        for label, series in (("files", rss_files), ("stdin", rss_stdin)):
            grow = (series[-1] - series[0]) / 1024
            print(f"RSS ({label}) at {SCALE[-1]} documents - RSS at {SCALE[0]}: {grow:+.1f} MiB "
                  f"({series[-1] / series[0]:.2f}x; documents grew {SCALE[-1] / SCALE[0]:.0f}x)   "
                  f"target flat (within 4 MiB): {'MET' if grow <= 4 else 'NOT MET'}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
