#!/usr/bin/env bash
# Compare `cargo kindtest template` with real `helm template` on chart directories.
#
#   scripts/compare-public-charts.sh DIR...
#
# For each chart directory (dependencies already vendored under charts/), runs
#   helm template rel DIR            (HELM, default ~/.cache/kindtest/helm-oracle/bin/helm)
#   cargo-kindtest template rel DIR  (KINDTEST, default $CARGO_TARGET_DIR/release/cargo-kindtest)
# and prints one row per chart: identical / identical after masking / differs (first diff
# lines) / both error (same message or not) / one errors, with wall time and max RSS of each
# process and the speed ratio (helm time / ours). Charts that generate random values
# (passwords, certificates) are detected by rendering with helm twice: lines that differ
# between the two helm runs are masked in all outputs before comparing.
#
# Outputs are kept under $OUT (default /tmp/compare-public-charts) for inspection.
# Nothing here refers to any particular chart.
set -u

HELM=${HELM:-$HOME/.cache/kindtest/helm-oracle/bin/helm}
KINDTEST=${KINDTEST:-${CARGO_TARGET_DIR:-target}/release/cargo-kindtest}
OUT=${OUT:-/tmp/compare-public-charts}
mkdir -p "$OUT"

if [ $# -eq 0 ]; then
    echo "usage: $0 CHART_DIR..." >&2
    exit 2
fi

# run OUTFILE CMD...: runs CMD, stdout to OUTFILE, stderr to OUTFILE.err,
# "seconds maxrss_kb" to OUTFILE.time (wall time of the whole process), exit code to OUTFILE.rc.
run() {
    local out=$1
    shift
    local t0 t1 rc
    t0=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$out.rss" "$@" >"$out" 2>"$out.err"
    rc=$?
    t1=$(date +%s.%N)
    echo $rc >"$out.rc"
    echo "$(python3 -c 'import sys; print(f"{float(sys.argv[2])-float(sys.argv[1]):.3f}")' "$t0" "$t1") $(tail -1 "$out.rss")" >"$out.time"
}

printf '%-40s %-28s %8s %8s %7s %8s %8s\n' CHART RESULT HELM_S OURS_S RATIO HELM_MB OURS_MB
identical=0
total=0
for dir in "$@"; do
    name=$(basename "$dir")
    d="$OUT/$name"
    mkdir -p "$d"
    run "$d/helm.yaml" "$HELM" template rel "$dir"
    run "$d/helm2.yaml" "$HELM" template rel "$dir"
    run "$d/ours.yaml" "$KINDTEST" template --error-format helm rel "$dir"
    total=$((total + 1))
    result=$(python3 - "$d" <<'EOF'
import re, sys
d = sys.argv[1]
def rd(n):
    with open(f"{d}/{n}", encoding="utf-8", errors="replace") as f:
        return f.read()
hrc, orc = int(rd("helm.yaml.rc")), int(rd("ours.yaml.rc"))
def errline(n):
    # helm prints `Error: ...` as its last stderr line (warnings come before it).
    lines = [l for l in rd(n).splitlines() if l.startswith("Error:")]
    if lines:
        return lines[-1]
    rest = rd(n).strip().splitlines()
    return rest[-1] if rest else ""
if hrc != 0 and orc != 0:
    same = errline("helm.yaml.err") == errline("ours.yaml.err")
    print("both-error-same" if same else "both-error-differ")
    if not same:
        print("  helm: " + errline("helm.yaml.err")[:300])
        print("  ours: " + errline("ours.yaml.err")[:300])
    sys.exit()
if hrc != 0:
    print("helm-errors")
    print("  helm: " + errline("helm.yaml.err")[:300])
    sys.exit()
if orc != 0:
    print("ours-errors")
    print("  ours: " + errline("ours.yaml.err")[:300])
    sys.exit()
h, h2, o = rd("helm.yaml"), rd("helm2.yaml"), rd("ours.yaml")
if h == o:
    print("identical")
    sys.exit()
hl, h2l, ol = h.split("\n"), h2.split("\n"), o.split("\n")
if h != h2 and len(hl) == len(h2l) == len(ol):
    # Mask lines that vary between two helm runs (random values): keep the key part.
    def mask(line):
        m = re.match(r"^(\s*(?:- )?[^:]*:\s?)", line)
        return (m.group(1) if m else "") + "<MASKED>"
    varying = {i for i in range(len(hl)) if hl[i] != h2l[i]}
    hm = [mask(l) if i in varying else l for i, l in enumerate(hl)]
    om = [mask(l) if i in varying else l for i, l in enumerate(ol)]
    if hm == om:
        print("identical-masked")
        sys.exit()
    hl, ol = hm, om
print("differs")
import difflib
n = 0
for line in difflib.unified_diff(hl, ol, "helm", "ours", n=1, lineterm=""):
    if line.startswith(("---", "+++")):
        continue
    print("  " + line[:200])
    n += 1
    if n >= 12:
        break
EOF
)
    head=$(printf '%s\n' "$result" | head -1)
    case $head in identical*) identical=$((identical + 1)) ;; esac
    read -r hs hkb <"$d/helm.yaml.time" 2>/dev/null || { hs=0; hkb=0; }
    read -r os okb <"$d/ours.yaml.time" 2>/dev/null || { os=0; okb=0; }
    ratio=$(python3 -c "import sys; h,o=float(sys.argv[1]),float(sys.argv[2]); print(f'{h/o:.1f}x' if o>0 else 'inf')" "$hs" "$os")
    printf '%-40s %-28s %8s %8s %7s %8d %8d\n' "$name" "$head" "$hs" "$os" "$ratio" $((hkb / 1024)) $((okb / 1024))
    printf '%s\n' "$result" | tail -n +2
done
echo "identical (incl. masked): $identical / $total"
