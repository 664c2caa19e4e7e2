#!/usr/bin/env bash
# expected.sh — recompute every `; run:` expectation of ../*.clif with the C reference
# (reference.c) and compare. Needs cc and python3. Exit 0 if all agree.
# The long lines take a few seconds in C (bitcount and bitshuffle use deliberately
# naive bit loops, so they are independent of any bit trick).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(mktemp -d)/reference
trap 'rm -rf "$(dirname "$bin")"' EXIT
cc -O2 -ffp-contract=off -o "$bin" "$here/reference.c" -lm
python3 - "$bin" "$here"/../*.clif <<'PY'
import re, subprocess, sys
ref, files = sys.argv[1], sys.argv[2:]
name = {"step_sysv": "step", "step_win": "step", "loop_sysv": "calls", "loop_win": "calls"}
bad = 0
for path in files:
    for lineno, line in enumerate(open(path), 1):
        m = re.match(r"\s*;\s*run:\s*%(\w+)\((.*?)\)\s*==\s*(\S+)", line)
        if not m:
            continue
        fn, args, want = m.group(1), [a.strip() for a in m.group(2).split(",") if a.strip()], m.group(3)
        got = subprocess.run([ref, name.get(fn, fn), *args], capture_output=True, text=True,
                             check=True).stdout.split()[0]
        if "p" in want.lower() or "." in want:        # a float: compare exactly
            same = float.fromhex(want) == float.fromhex(got) if "0x" in want else float(want) == float.fromhex(got)
        else:
            same = (int(want, 0) - int(got, 0)) % (1 << 64) == 0
        print(f"{path.split('/')[-1]}:{lineno} %{fn}({', '.join(args)}) C={got} {'ok' if same else 'MISMATCH, file says ' + want}")
        bad += not same
sys.exit(1 if bad else 0)
PY
