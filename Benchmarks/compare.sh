#!/usr/bin/env bash
# compare.sh — Egret's generated code against Cranelift's on the benchmark programs:
# for every timed run line, the median time of each over RUNS runs, and their ratio.
#
# Egret is timed with `egret bench --code` (the JIT only, every result checked), and
# Cranelift 0.120 with the oracle script `clif_cranelift.py --bench` (pip install
# cranelift-py; the script lives outside this repository: CLIF_CRANELIFT=path). The
# two are run alternately, file by file and round by round, so that load on the
# machine falls on both alike; the ratio of medians measured in one run of this
# script is the figure to quote.
#
# usage: Benchmarks/compare.sh [FILE.clif ...]    (default: every *.clif here)
#   RUNS=7          rounds (default 7)
#   EGRET=path      the egret binary (default .build/release/egret; build it with
#                   swift build -c release --product egret)
#   MIN_MS=20       run lines faster than this on both are left out (the small
#                   checking lines)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/Benchmarks"
ORACLE=${CLIF_CRANELIFT:?set CLIF_CRANELIFT to the path of clif_cranelift.py}
EGRET=${EGRET:-$root/.build/release/egret}
RUNS=${RUNS:-7}
MIN_MS=${MIN_MS:-20}
files=("$@")
[ ${#files[@]} -eq 0 ] && files=(*.clif)
[ -x "$EGRET" ] || { echo "error: no egret binary at $EGRET" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for ((i = 1; i <= RUNS; i++)); do
    for k in "${!files[@]}"; do
        f=${files[$k]}
        "$EGRET" bench --code "$f" --repeat 1 > "$tmp/egret.$k.$i" 2>&1 \
            || { echo "error: $f failed on Egret:" >&2; cat "$tmp/egret.$k.$i" >&2; exit 1; }
        python3 "$ORACLE" --bench "$f" > "$tmp/cranelift.$k.$i" 2>&1 \
            || { echo "error: $f failed on Cranelift:" >&2; cat "$tmp/cranelift.$k.$i" >&2; exit 1; }
    done
done

printf "%-34s %12s %14s %7s\n" "run line" "Egret (ms)" "Cranelift (ms)" "ratio"
for k in "${!files[@]}"; do
    python3 - "${files[$k]}" "$tmp" "$k" "$RUNS" "$MIN_MS" <<'PY'
import re, statistics, sys
path, tmp, k, runs, minimum = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
lines = [n for n, l in enumerate(open(path), 1) if re.match(r"\s*;\s*run:", l)]
egret, cranelift = [], []
for i in range(1, runs + 1):
    e = [float(x) for x in re.findall(r"median ([\d.]+) ms", open(f"{tmp}/egret.{k}.{i}").read())]
    c = [float(x) for x in re.findall(r"^\s*%\w+: ([\d.]+) ms$", open(f"{tmp}/cranelift.{k}.{i}").read(), re.M)]
    if len(e) != len(lines) or len(c) != len(lines):
        sys.exit(f"error: {path}: {len(e)} Egret and {len(c)} Cranelift timings for {len(lines)} run lines")
    egret.append(e)
    cranelift.append(c)
for j, lineno in enumerate(lines):
    me = statistics.median(r[j] for r in egret)
    mc = statistics.median(r[j] for r in cranelift)
    if max(me, mc) < minimum:
        continue
    print(f"{path + ':' + str(lineno):34s} {me:12.1f} {mc:14.1f} {me / mc:7.2f}")
PY
done
