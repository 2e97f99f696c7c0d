#!/usr/bin/env python3
"""B7, registration scale: builds benches/scale (programs with 0, 1,000 and, with
B7_TYPES=10000, 10,000 derived types; and b5many, B5 over 1,000 types registered as
`dyn Obj`), then runs each one repeatedly. B7_PREBUILT=1 measures the programs already in
target/scale without building them. (The 10,000-type program took about 40 minutes and
13 GB to compile on 2 cores when last built; rustc now passes 22 GB on it, more than a
24 GB machine can give, where the 1,000-type one takes 3 minutes and 2.4 GB.)

For each program: the median wall time of a whole run, and of the run less its `main`
(start-up, where the loader relocates the binary and inventory's constructors register
every type, and exit); the median time of the first dumps + loads (which builds the registry
table) and of the second; the number of registry entries; the binary's size; and for
b5many, B5 over its own types (10,000 `Box<dyn Obj>` of 8 types and of all 1,000, dumped and
loaded). Writes target/bench-fixtures/b7.json for benches/report.py.
"""

import json
import os
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "target" / "scale"
RUNS = 31


def build(programs):
    bins = [arg for program in programs for arg in ("--bin", program)]
    subprocess.run(
        ["cargo", "build", "--release", *bins],
        cwd=ROOT / "benches" / "scale",
        env={**os.environ, "CARGO_TARGET_DIR": str(TARGET)},
        check=True,
    )


def measure(program):
    binary = TARGET / "release" / program
    walls, starts, firsts, seconds, b5 = [], [], [], [], []
    for _ in range(RUNS):
        start = time.perf_counter()
        out = subprocess.run([binary], capture_output=True, text=True, check=True).stdout
        walls.append((time.perf_counter() - start) * 1e9)
        row = json.loads(out)
        starts.append(walls[-1] - row["main_ns"])
        firsts.append(row["first_call_ns"])
        seconds.append(row["second_call_ns"])
        b5.append(row["b5"])
    return {
        "program": program,
        "types": row["types"],
        "registered": row["registered"],
        "wall_ns": statistics.median(walls),
        "startup_ns": statistics.median(starts),
        "first_call_ns": statistics.median(firsts),
        "second_call_ns": statistics.median(seconds),
        "binary_bytes": binary.stat().st_size,
        # Each run's medians, and the median of those across runs.
        "b5": None if b5[0] is None else {key: statistics.median(r[key] for r in b5) for key in b5[0]},
    }


def main():
    programs = ["scale0", "scale1000"]
    if os.environ.get("B7_TYPES") == "10000":
        programs.append("scale10000")
    programs.append("b5many")
    prebuilt = os.environ.get("B7_PREBUILT") == "1"
    if not prebuilt:
        build(programs)
    rows = [{**measure(program), "prebuilt": prebuilt} for program in programs]
    for row in rows:
        print(row)
    out = ROOT / "target" / "bench-fixtures" / "b7.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
