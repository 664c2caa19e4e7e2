#!/usr/bin/env bash
# cranelift-times.sh — Cranelift's execution time for every `; run:` line of the
# benchmark programs: the median of RUNS runs of `clif_cranelift.py --bench`.
#
# Requires the real Cranelift through its Python bindings:  pip install cranelift-py
# (cranelift-py 0.1.0 = Cranelift 0.120) and the oracle script clif_cranelift.py,
# which lives outside this repository: CLIF_CRANELIFT=path.
#
# usage: ./cranelift-times.sh [FILE.clif ...]        (default: every *.clif here)
#   RUNS=5                     runs per file (default 5); the median is printed
#   STAT=min                   print the minimum instead of the median (more stable
#                              when other work shares the machine: noise only adds)
#   CRANELIFT_FLAGS="opt_level=speed"
#                              Cranelift shared settings, passed through to the
#                              oracle; without it Cranelift's default, opt_level=none
#
# Output: one line per run line, `FILE:LINE median_ms` (`FILE:LINE min_ms` with STAT=min). The script stops with an
# error if a run line fails or is unsupported (a timing is only printed for a
# result Cranelift got right). Times are wall-clock around the call of the compiled
# function in a forked child (compilation is not included). The runs are interleaved
# (run i of every file before run i+1 of any) so that a burst of load on the machine
# spreads over the files instead of spoiling all samples of one file; still, the
# machine is noisy — compare medians, and keep it otherwise idle.
set -euo pipefail
cd "$(dirname "$0")"
ORACLE=${CLIF_CRANELIFT:?set CLIF_CRANELIFT to the path of clif_cranelift.py}
RUNS=${RUNS:-5}
STAT=${STAT:-median}
case $STAT in median|min) ;; *) echo "error: STAT must be median or min" >&2; exit 2;; esac
files=("$@")
[ ${#files[@]} -eq 0 ] && files=(*.clif)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for ((i = 1; i <= RUNS; i++)); do
    for k in "${!files[@]}"; do
        f=${files[$k]}
        if ! python3 "$ORACLE" --bench "$f" > "$tmp/$k.$i" 2>&1; then
            echo "error: $f failed on Cranelift:" >&2; cat "$tmp/$k.$i" >&2; exit 1
        fi
    done
done

for k in "${!files[@]}"; do
    python3 - "${files[$k]}" "$tmp/$k" "$RUNS" "$STAT" <<'PY'
import re, statistics, sys
path, prefix, runs, stat = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
lines = [n for n, l in enumerate(open(path), 1) if re.match(r"\s*;\s*run:", l)]
per_run = []
for i in range(1, runs + 1):
    out = open(f"{prefix}.{i}").read()
    m = re.search(r"(\d+) passed, (\d+) failed, (\d+) unsupported", out)
    if not m or int(m.group(2)) or int(m.group(3)) or int(m.group(1)) != len(lines):
        sys.exit(f"error: {path}: not every run line passed:\n{out}")
    ms = [float(x) for x in re.findall(r"^\s*%\w+: ([\d.]+) ms$", out, re.M)]
    if len(ms) != len(lines):
        sys.exit(f"error: {path}: {len(ms)} timings for {len(lines)} run lines")
    per_run.append(ms)
for j, lineno in enumerate(lines):
    pick = statistics.median if stat == "median" else min
    print(f"{path}:{lineno} {pick([r[j] for r in per_run]):.1f}")
PY
done
