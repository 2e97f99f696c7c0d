#!/usr/bin/env python3
"""Instructions per unit of work for copyreg and its baseline, counted by callgrind
(repeatable on a shared, noisy machine, unlike timings). Builds benches/profile, runs each
case with 0 and with N iterations under `valgrind --tool=callgrind`, and prints the
difference per unit: per call (B1), per record (B2), per map (B4), per object (B5).

    python3 benches/callgrind.py [CASE ...]

Needs valgrind (on these machines already). The baseline is serde + bincode 1.3 (Clone for
b1-copy; copyreg's own `loads` of each stream for b10-load, 100 small values read through
`load` from a `BufReader`; a plain enum through bincode for B5; for B6/memo, a hand-written copy that rebuilds
the list once and shares it; none for B6's graph, whose baselines are Python's).
"""

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "target" / "profile"
# case: (iterations, units of work per iteration, unit)
CASES = {
    "b1-dumps": (20_000, 1, "call"),
    "b1-dumps-into": (20_000, 1, "call"),
    "b1-loads": (20_000, 1, "call"),
    "b1-copy": (20_000, 1, "call"),
    "b10-load": (200, 100, "value"),
    "b2-dumps": (5, 10_000, "record"),
    "b2-loads": (5, 10_000, "record"),
    "b2-100-dumps": (500, 100, "record"),
    "b2-100-loads": (500, 100, "record"),
    "b4-dumps": (2_000, 1, "map of 33"),
    "b4-loads": (2_000, 1, "map of 33"),
    "b4-nested-dumps": (200, 1, "100x10 map"),
    "b4-nested-loads": (200, 1, "100x10 map"),
    "b5-dumps": (50, 1_000, "object"),
    "b5-loads": (50, 1_000, "object"),
    "b5-100-dumps": (50, 1_000, "object"),
    "b5-100-loads": (50, 1_000, "object"),
    "b6-dumps": (20, 1, "graph"),
    "b6-loads": (20, 1, "graph"),
    "b6-deepcopy": (20, 1, "graph"),
    "b6-memo-deepcopy": (2_000, 1, "call"),
    "b6-memo-round-trip": (2_000, 1, "call"),
}


def instructions(case, side, n):
    binary = TARGET / "release" / "copyreg-profile"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary, case, side, str(n)],
            capture_output=True,
            text=True,
            check=True,
        )
    match = re.search(r"Collected : (\d+)", run.stderr)
    return int(match.group(1))


def main():
    subprocess.run(
        ["cargo", "build", "--release"],
        cwd=ROOT / "benches" / "profile",
        env={**os.environ, "CARGO_TARGET_DIR": str(TARGET)},
        check=True,
    )
    cases = sys.argv[1:] or list(CASES)
    print(f"{'case':10} {'unit':10} {'copyreg':>10} {'baseline':>10} {'ratio':>7}")
    for case in cases:
        n, units, unit = CASES[case]
        per_unit = {}
        for side in ("copyreg", "baseline"):
            cost = instructions(case, side, n) - instructions(case, side, 0)
            per_unit[side] = cost / (n * units)
        ours, base = per_unit["copyreg"], per_unit["baseline"]
        # B6's graph has no Rust baseline (its baselines are Python's): the loop is empty.
        ratio = f"{ours / base:6.2f}x" if base >= 1 else f"{'—':>7}"
        print(f"{case:10} {unit:10} {ours:10.0f} {base:10.0f} {ratio}")


if __name__ == "__main__":
    main()
