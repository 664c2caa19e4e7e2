#!/usr/bin/env python3
"""A mutational campaign against Egret's command line: mutated CLIF from the
project's own run tests and corpus, through `egret run --interpreter-only`, `egret
run` and `egret compile`. Every invocation must exit with a status in {0, 1, 2, 3}
within its time limit; anything else (a signal, another status, a hang) is a defect,
and the inputs that cause it are kept.

    python3 Benchmarks/hostile-inputs.py                  # 100,000 inputs, release build
    python3 Benchmarks/hostile-inputs.py --inputs 2000 --egret .build/debug/egret

Inputs go to the three commands in batches (one invocation per batch and command;
`egret run` isolates each file in its workers, `egret compile` takes many files). A
batch that fails is split until the single inputs that fail are found; they are
copied to <out>/ with a note of the command, and listed at the end. Exit status: 0
clean, 1 defects found, 2 bad usage.
"""
import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALLOWED = {0, 1, 2, 3}

# Values that stress parsers and size arithmetic.
EXTREME_NUMBERS = [
    "0", "-1", "1", "127", "128", "255", "256", "-128", "32767", "65535", "65536",
    "2147483647", "2147483648", "-2147483648", "4294967295", "4294967296",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808",
    "18446744073709551615", "18446744073709551616", "340282366920938463463374607431768211456",
    "340282366920938463463374607431768211456.0", "1e308", "1e309", "-0.0", "0x1p-1074",
    "0x1.fffffffffffffp1023", "0x1p99999", "NaN", "+Inf", "-Inf", "+NaN:0x1", "-sNaN:0x3",
    "0x" + "f" * 40, "9" * 400, "0." + "0" * 300 + "1", "0xffffffffffffffff", "0x8000000000000000",
]
TYPES = ["i8", "i16", "i32", "i64", "i128", "f32", "f64", "i8x16", "i32x4", "f64x2", "i1", "b1", "r64"]
JUNK = ["\x00", "\xff", "(", ")", "[", "]", "{", "}", ",", ":", "=", "%", "^", ";", "\n", "v", "block",
        "\u00e9", "\ufffd", "    ", "\t", "-", "+", ".", "0x"]


def number_tokens(text):
    return [m for m in re.finditer(r"(?<![\w.])-?(0x[0-9a-fA-F.p+-]+|\d[\d.e+-]*)", text)]


def mutate(text, rng, donors, opcodes):
    """One mutation of `text`."""
    lines = text.split("\n")
    choice = rng.randrange(12)
    if choice == 0 and len(lines) > 1:                      # delete a line
        del lines[rng.randrange(len(lines))]
    elif choice == 1:                                        # duplicate a line
        i = rng.randrange(len(lines))
        lines.insert(rng.randrange(len(lines) + 1), lines[i])
    elif choice == 2 and len(lines) > 1:                    # swap two lines
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif choice == 3:                                        # an extreme number
        tokens = number_tokens(text)
        if tokens:
            m = rng.choice(tokens)
            return text[:m.start()] + rng.choice(EXTREME_NUMBERS) + text[m.end():]
    elif choice == 4:                                        # another type
        found = [m for m in re.finditer(r"\b(i8|i16|i32|i64|i128|f32|f64)\b", text)]
        if found:
            m = rng.choice(found)
            return text[:m.start()] + rng.choice(TYPES) + text[m.end():]
    elif choice == 5 and opcodes:                            # another opcode
        found = [m for m in re.finditer(r"= ([a-z_0-9]+)", text)]
        if found:
            m = rng.choice(found)
            return text[:m.start(1)] + rng.choice(opcodes) + text[m.end(1):]
    elif choice == 6:                                        # another value or block
        found = [m for m in re.finditer(r"\b(v|block|ss|fn|sig)(\d+)\b", text)]
        if found:
            m = rng.choice(found)
            number = rng.choice([0, 1, 2, 7, 99, 4294967295, 4294967296, 10 ** 30])
            return text[:m.start(2)] + str(number) + text[m.end(2):]
    elif choice == 7:                                        # junk bytes
        position = rng.randrange(len(text) + 1)
        return text[:position] + "".join(rng.choice(JUNK) for _ in range(rng.randint(1, 6))) + text[position:]
    elif choice == 8:                                        # truncate
        return text[:rng.randrange(len(text) + 1)]
    elif choice == 9 and donors:                             # splice lines of another file
        donor = rng.choice(donors).split("\n")
        start = rng.randrange(len(donor))
        piece = donor[start:start + rng.randint(1, 8)]
        position = rng.randrange(len(lines) + 1)
        lines[position:position] = piece
    elif choice == 10:                                       # repeat a line many times
        i = rng.randrange(len(lines))
        lines[i:i + 1] = [lines[i]] * rng.choice([2, 50, 1000])
    else:                                                    # deep nesting or a long line
        position = rng.randrange(len(text) + 1)
        depth = rng.choice([10, 1000, 20000])
        return text[:position] + "(" * depth + ")" * rng.choice([0, depth]) + text[position:]
    return "\n".join(lines)


def load_seeds():
    seeds = []
    for directory in ("Tests/Filetests", "Corpus"):
        for base, _, files in os.walk(os.path.join(ROOT, directory)):
            for name in sorted(files):
                if name.endswith(".clif"):
                    with open(os.path.join(base, name), encoding="utf-8", errors="replace") as handle:
                        seeds.append(handle.read())
    return seeds


def run(command, timeout):
    """(status or None for a hang, whether it was a signal, seconds)."""
    started = time.monotonic()
    try:
        completed = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   timeout=timeout, start_new_session=True)
    except subprocess.TimeoutExpired:
        return None, False, time.monotonic() - started
    status = completed.returncode
    return status, status < 0, time.monotonic() - started


def commands(egret, mode, files, timeout):
    if mode == "interpret":
        return [egret, "run", "--interpreter-only", "--timeout", str(timeout), "--jobs", "1"] + files
    if mode == "run":
        return [egret, "run", "--timeout", str(timeout), "--jobs", "1"] + files
    return [egret, "compile"] + files


def failing_inputs(egret, mode, files, line_timeout, batch_timeout, out):
    """Splits a failing batch down to the files that fail alone; returns the defects."""
    status, signalled, _ = run(commands(egret, mode, files, line_timeout), batch_timeout)
    if status is not None and not signalled and status in ALLOWED:
        return []
    if len(files) > 1:
        middle = len(files) // 2
        return (failing_inputs(egret, mode, files[:middle], line_timeout, batch_timeout, out)
                + failing_inputs(egret, mode, files[middle:], line_timeout, batch_timeout, out))
    what = "hang" if status is None else (f"signal {-status}" if signalled else f"exit {status}")
    kept = os.path.join(out, f"{mode}-{os.path.basename(files[0])}")
    shutil.copyfile(files[0], kept)
    return [(mode, what, kept)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=100_000, help="mutated inputs (default 100,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=250, help="inputs per invocation (default 250)")
    parser.add_argument("--egret", default=os.path.join(ROOT, ".build/release/egret"))
    parser.add_argument("--line-timeout", type=float, default=10, help="egret run --timeout (default 10 s)")
    parser.add_argument("--out", default=os.path.join(ROOT, "Reports/hostile-inputs"),
                        help="where failing inputs are kept")
    parser.add_argument("--modes", default="interpret,run,compile")
    arguments = parser.parse_args()
    if arguments.inputs < 1 or arguments.batch < 1:
        parser.error("--inputs and --batch must be at least 1")
    if not os.access(arguments.egret, os.X_OK):
        parser.error(f"{arguments.egret} is not an executable (swift build -c release --product egret)")
    modes = arguments.modes.split(",")
    if any(mode not in ("interpret", "run", "compile") for mode in modes):
        parser.error("--modes takes interpret, run, compile")
    os.makedirs(arguments.out, exist_ok=True)
    rng = random.Random(arguments.seed)
    seeds = load_seeds()
    opcodes = sorted({m.group(1) for text in seeds for m in re.finditer(r"= ([a-z_0-9]+)", text)})
    # A batch is allowed the time of every one of its run lines, generously.
    batch_timeout = max(300.0, arguments.line_timeout * 4 * 3)
    work = tempfile.mkdtemp(prefix="egret-hostile-")
    defects, done, invocations, started = [], 0, {mode: 0 for mode in modes}, time.monotonic()
    statuses = {mode: {} for mode in modes}
    try:
        while done < arguments.inputs:
            count = min(arguments.batch, arguments.inputs - done)
            batch_directory = os.path.join(work, "batch")
            shutil.rmtree(batch_directory, ignore_errors=True)
            os.makedirs(batch_directory)
            files = []
            for k in range(count):
                text = rng.choice(seeds)
                for _ in range(rng.randint(1, 4)):
                    text = mutate(text, rng, seeds, opcodes)
                path = os.path.join(batch_directory, f"s{arguments.seed}-{done + k:06d}.clif")
                with open(path, "w", encoding="utf-8", errors="surrogateescape") as handle:
                    handle.write(text)
                files.append(path)
            for mode in modes:
                status, signalled, _ = run(commands(arguments.egret, mode, files, arguments.line_timeout), batch_timeout)
                invocations[mode] += 1
                key = "hang" if status is None else (f"signal {-status}" if signalled else f"exit {status}")
                statuses[mode][key] = statuses[mode].get(key, 0) + 1
                if status is None or signalled or status not in ALLOWED:
                    found = failing_inputs(arguments.egret, mode, files, arguments.line_timeout, batch_timeout,
                                           arguments.out)
                    for defect in found:
                        print(f"DEFECT {defect[0]}: {defect[1]}: {defect[2]}", flush=True)
                    defects += found
            done += count
            elapsed = time.monotonic() - started
            print(f"\r{done}/{arguments.inputs} inputs, {len(defects)} defects, {done / elapsed:.0f} inputs/s",
                  end="", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(file=sys.stderr)
    elapsed = time.monotonic() - started
    print(f"{done} inputs x {len(modes)} commands in {elapsed:.0f} s "
          f"({sum(invocations.values())} invocations of {arguments.batch} inputs)")
    for mode in modes:
        print(f"  {mode}: batches by status: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses[mode].items())))
    hangs = sum(1 for d in defects if d[1] == "hang")
    print(f"defects: {len(defects)} ({hangs} hangs, {len(defects) - hangs} exits outside 0-3)")
    for mode, what, kept in defects:
        print(f"  {mode}: {what}: {kept}")
    return 1 if defects else 0


if __name__ == "__main__":
    sys.exit(main())
