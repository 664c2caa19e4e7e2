#!/usr/bin/env bash
# large-functions.sh — peak memory and time of `egret compile` on two very large
# functions, generated here:
#
#   straight.clif   one function of INSTRUCTIONS instructions (default 1,000,000) in
#                   one block: a chain of i64 arithmetic whose operands reach back up
#                   to 40 values, so the allocator spills and reloads throughout
#   chain.clif      one function of BLOCKS blocks (default 100,000), each taking the
#                   running value as a block parameter, adding to it and branching
#                   either to the next block or to the exit; the entry's parameter is
#                   used in every block and at the exit, so it is live across all of
#                   them
#
# Each is compiled RUNS times (default 3) with `/usr/bin/time -v`; the script prints
# the median elapsed time and the largest peak resident set size, and fails (status
# 1) when the peak exceeds LIMIT_MB (default 200).
#
# usage: Benchmarks/large-functions.sh
#   EGRET=path      the egret binary (default .build/release/egret; build it with
#                   swift build -c release --product egret)
#   INSTRUCTIONS=n  BLOCKS=n  RUNS=n  LIMIT_MB=n
#   GENERATE_ONLY=dir   write straight.clif and chain.clif to dir and stop
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
EGRET=${EGRET:-$root/.build/release/egret}
INSTRUCTIONS=${INSTRUCTIONS:-1000000}
BLOCKS=${BLOCKS:-100000}
RUNS=${RUNS:-3}
LIMIT_MB=${LIMIT_MB:-200}
if [ -z "${GENERATE_ONLY:-}" ]; then
    [ -x "$EGRET" ] || { echo "error: no egret binary at $EGRET" >&2; exit 2; }
    [ -x /usr/bin/time ] || { echo "error: /usr/bin/time (GNU time) is needed for peak memory" >&2; exit 2; }
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One block of $INSTRUCTIONS instructions: v(k) = op(v(k-1), v(k-d)), d cycling
# through 2 … 40 (17 is prime to 39, so every distance occurs and about 19 values
# are live at any point, more than the allocatable registers) and op through iadd,
# bxor, isub, imul, band, bor; every seventh instruction adds the second parameter
# instead. Each value feeds the next, so all
# of them are live code; the function returns the last.
awk -v n="$INSTRUCTIONS" 'BEGIN {
    split("iadd bxor isub imul band bor", ops, " ")
    print "function %straight(i64, i64) -> i64 {"
    print "block0(v0: i64, v1: i64):"
    printf "    v2 = iadd v0, v1\n"
    last = 2
    for (k = 3; k < n + 2; k++) {
        if (k % 7 == 0) {
            printf "    v%d = iadd v%d, v1\n", k, k - 1
        } else {
            d = 2 + (k * 17) % 39
            back = k - d; if (back < 2) back = 2
            printf "    v%d = %s v%d, v%d\n", k, ops[1 + k % 6], k - 1, back
        }
        last = k
    }
    printf "    return v%d\n}\n", last
}' > "$tmp/straight.clif"

# $BLOCKS blocks: block k (k ≥ 1) takes the running value x and computes
# y = (x + v0) + x; it leaves for the exit with y when y's low twelve bits are
# zero, else goes on to block k + 1 with y. Both v0 and the mask constant are live
# across every block.
awk -v n="$BLOCKS" 'BEGIN {
    print "function %chain(i64) -> i64 {"
    print "block0(v0: i64):"
    print "    v1 = iconst.i64 4095"
    print "    jump block1(v0)"
    for (k = 1; k <= n; k++) {
        base = 4 * k
        printf "block%d(v%d: i64):\n", k, base
        printf "    v%d = iadd v%d, v0\n", base + 1, base
        printf "    v%d = iadd v%d, v%d\n", base + 2, base + 1, base
        printf "    v%d = band v%d, v1\n", base + 3, base + 2
        if (k < n) {
            printf "    brif v%d, block%d(v%d), block%d(v%d)\n", base + 3, k + 1, base + 2, n + 1, base + 2
        } else {
            printf "    jump block%d(v%d)\n", n + 1, base + 2
        }
    }
    printf "block%d(v%d: i64):\n", n + 1, 4 * (n + 1)
    printf "    v%d = iadd v%d, v0\n", 4 * (n + 1) + 1, 4 * (n + 1)
    printf "    return v%d\n}\n", 4 * (n + 1) + 1
}' > "$tmp/chain.clif"

if [ -n "${GENERATE_ONLY:-}" ]; then
    mkdir -p "$GENERATE_ONLY"
    cp "$tmp/straight.clif" "$tmp/chain.clif" "$GENERATE_ONLY/"
    exit 0
fi

status=0
measure() {
    local name=$1 file=$2 times=() peak=0
    for ((i = 1; i <= RUNS; i++)); do
        /usr/bin/time -v "$EGRET" compile "$file" > "$tmp/out" 2> "$tmp/time" \
            || { echo "error: egret compile failed on $name:" >&2; cat "$tmp/out" "$tmp/time" >&2; exit 1; }
        local kb seconds
        kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time")
        seconds=$(awk -F': ' '/Elapsed \(wall clock\)/ {
            n = split($2, p, ":"); s = 0
            for (j = 1; j <= n; j++) s = s * 60 + p[j]
            print s }' "$tmp/time")
        times+=("$seconds")
        [ "$kb" -gt "$peak" ] && peak=$kb
    done
    local median
    median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
    local mb=$((peak / 1024))
    printf '%-14s %12s  peak RSS %5d MB  median time %6.2f s  (%d runs)\n' \
        "$name" "$(wc -l < "$file") lines" "$mb" "$median" "$RUNS"
    if [ "$mb" -gt "$LIMIT_MB" ]; then
        echo "  over the limit of $LIMIT_MB MB" >&2
        status=1
    fi
}

measure "straight.clif" "$tmp/straight.clif"
measure "chain.clif" "$tmp/chain.clif"
exit $status
