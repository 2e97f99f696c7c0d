#!/usr/bin/env python3
"""The cost of a type (#16): what each derived type costs to build, for copyreg against
serde + bincode 1.3 and typetag, each built side by side in this run.

For each library, a crate of N structs of five fields (f64, i64, String, Vec<u32>,
Option<bool>) is generated under target/typecost, with a `main` that round-trips every type
once (copyreg: dumps + loads; serde: bincode serialize + deserialize; typetag: the same of a
`Box<dyn Trait>`). Its dependencies are built first, unmeasured. Then for each N, and for
`cargo check`, a debug build and a release build, this records the CPU seconds (user + sys)
and the peak memory of the build (GNU time's maximum RSS over cargo and the rustc it runs),
and for release the size of the binary's `.text`. Costs per type are marginal: the
difference between the largest and smallest N, over the types between them.

    python3 benches/typecost.py            # N = 100 and 500
    TYPECOST_N="100 500 10000" python3 benches/typecost.py

Writes target/bench-fixtures/typecost.json; benches/report.py renders it with `section()`.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "typecost"
FIXTURES = ROOT / "target" / "bench-fixtures"
VARIANTS = ["serde", "typetag", "copyreg"]
MODES = {
    "check": ["cargo", "check", "--quiet"],
    "debug": ["cargo", "build", "--quiet"],
    "release": ["cargo", "build", "--quiet", "--release"],
}

DEPENDENCIES = {
    "serde": 'serde = { version = "1", features = ["derive"] }\nbincode = "=1.3.3"\n',
    "typetag": 'serde = { version = "1", features = ["derive"] }\nbincode = "=1.3.3"\n'
    'typetag = "0.2"\n',
    "copyreg": f'copyreg = {{ path = "{ROOT}" }}\n',
}


def manifest(variant):
    return (
        f'[package]\nname = "typecost-{variant}"\nversion = "0.0.0"\nedition = "2021"\n'
        f"publish = false\n\n[dependencies]\n{DEPENDENCIES[variant]}\n"
        "# Outside copyreg's workspace: measured on its own.\n[workspace]\n"
    )


FIELDS = "    pub a: f64,\n    pub b: i64,\n    pub c: String,\n    pub d: Vec<u32>,\n    pub e: Option<bool>,\n"


def value(i):
    return (
        f'T{i} {{ a: {i}.5, b: -{i}, c: "t{i}".to_string(), d: vec![{i}, 1], e: Some(true) }}'
    )


def source(variant, n):
    """A `main.rs` with `n` types, each round-tripped once."""
    out = []
    if variant == "typetag":
        out.append("#[typetag::serde]\npub trait Shape {}\n")
    for i in range(n):
        if variant == "copyreg":
            out.append(f'#[derive(copyreg::Reducible, PartialEq, Debug)]\n#[reducer(name = "t.T{i}")]\n')
        else:
            out.append("#[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]\n")
        out.append(f"pub struct T{i} {{\n{FIELDS}}}\n")
        if variant == "typetag":
            out.append(f"#[typetag::serde]\nimpl Shape for T{i} {{}}\n")
    out.append("fn main() {\n    let mut bytes = 0usize;\n")
    for i in range(n):
        if variant == "copyreg":
            out.append(
                f"    let s = copyreg::dumps(&{value(i)}).unwrap();\n"
                f"    assert_eq!(copyreg::loads::<T{i}>(&s).unwrap(), {value(i)});\n"
            )
        elif variant == "serde":
            out.append(
                f"    let s = bincode::serialize(&{value(i)}).unwrap();\n"
                f"    assert_eq!(bincode::deserialize::<T{i}>(&s).unwrap(), {value(i)});\n"
            )
        else:
            out.append(
                f"    let v: Box<dyn Shape> = Box::new({value(i)});\n"
                "    let s = bincode::serialize(&v).unwrap();\n"
                "    let _: Box<dyn Shape> = bincode::deserialize(&s).unwrap();\n"
            )
        out.append("    bytes += s.len();\n")
    out.append('    println!("{bytes}");\n}\n')
    return "".join(out)


def timed(cmd, cwd, env):
    """CPU seconds (user + sys) and peak RSS in bytes of `cmd` and everything it runs."""
    result = subprocess.run(
        ["/usr/bin/time", "-f", "TYPECOST %U %S %M", *cmd],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed in {cwd}:\n{result.stderr[-4000:]}")
    line = [l for l in result.stderr.splitlines() if l.startswith("TYPECOST ")][-1]
    user, system, max_kb = line.split()[1:]
    return float(user) + float(system), int(max_kb) * 1024


def text_size(binary):
    out = subprocess.run(["size", "-A", str(binary)], capture_output=True, text=True, check=True)
    match = re.search(r"^\.text\s+(\d+)", out.stdout, re.M)
    return int(match.group(1))


def measure(variant, sizes):
    crate = WORK / variant
    (crate / "src").mkdir(parents=True, exist_ok=True)
    (crate / "Cargo.toml").write_text(manifest(variant))
    env = {**os.environ, "CARGO_TARGET_DIR": str(WORK / f"target-{variant}")}
    # Dependencies first, unmeasured: a crate of one type, in every mode.
    (crate / "src" / "main.rs").write_text(source(variant, 1))
    for cmd in MODES.values():
        subprocess.run(cmd, cwd=crate, env=env, check=True)
    rows = []
    for n in sizes:
        (crate / "src" / "main.rs").write_text(source(variant, n))
        row = {"variant": variant, "types": n}
        for mode, cmd in MODES.items():
            cpu, rss = timed(cmd, crate, env)
            row[f"{mode}_cpu_s"] = cpu
            row[f"{mode}_rss_bytes"] = rss
        binary = WORK / f"target-{variant}" / "release" / f"typecost-{variant}"
        row["text_bytes"] = text_size(binary)
        row["binary_bytes"] = binary.stat().st_size
        check = subprocess.run([binary], capture_output=True, text=True, check=True)
        row["stream_bytes"] = int(check.stdout.strip())
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


# (metric, label, unit divisor, unit, target ratio against serde + bincode or None)
METRICS = [
    ("check_cpu_s", "`cargo check` CPU", 1e-3, "ms", None),
    ("debug_cpu_s", "debug build CPU", 1e-3, "ms", 1.5),
    ("release_cpu_s", "release build CPU", 1e-3, "ms", 2.0),
    ("release_rss_bytes", "rustc peak memory, release", 1024, "KB", 1.5),
    ("text_bytes", "`.text`", 1024, "KB", 3.0),
    ("binary_bytes", "binary file", 1024, "KB", None),
]
# The most memory the 10,000-type program's release build may take.
BIG_PROGRAM_LIMIT = 8 << 30


def per_type(rows):
    """{variant: {metric: marginal cost per type}}, between each variant's smallest and
    largest crate of at most 500 types, and the N range used."""
    out = {}
    for variant in VARIANTS:
        mine = sorted((r for r in rows if r["variant"] == variant and r["types"] <= 500),
                      key=lambda r: r["types"])
        if len(mine) < 2:
            continue
        small, large = mine[0], mine[-1]
        span = large["types"] - small["types"]
        out[variant] = {m: (large[m] - small[m]) / span for m, *_ in METRICS}
        out[variant]["range"] = (small["types"], large["types"])
    return out


def section():
    """The report's "cost of a type" section: (markdown lines, targets met, targets)."""
    path = FIXTURES / "typecost.json"
    if not path.exists():
        return [], 0, 0
    rows = json.loads(path.read_text())
    costs = per_type(rows)
    if "copyreg" not in costs or "serde" not in costs:
        return [], 0, 0
    low, high = costs["copyreg"]["range"]
    lines = [
        "",
        "## The cost of a type",
        "",
        f"Marginal cost per derived type between crates of {low} and {high} structs of five",
        "fields, each round-tripped once, built side by side in this run (`benches/typecost.py`:",
        "CPU seconds of the build, GNU time's peak RSS over cargo and rustc, the release",
        "binary's `.text`). Targets (#16) are ratios against serde + bincode.",
        "",
        "| per type | serde + bincode | typetag | copyreg | copyreg ÷ serde | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    met = total = 0
    for metric, label, divisor, unit, target in METRICS:
        cells = []
        for variant in ("serde", "typetag", "copyreg"):
            v = costs.get(variant, {}).get(metric)
            cells.append("–" if v is None else f"{v / divisor:,.1f} {unit}")
        ratio = costs["copyreg"][metric] / costs["serde"][metric]
        if target is None:
            bound, ok = "", ""
        else:
            total += 1
            met += ratio <= target
            bound, ok = f"≤ {target}", "yes" if ratio <= target else "**no**"
        lines.append(f"| {label} | {' | '.join(cells)} | {ratio:.1f}x | {bound} | {ok} |")
    big = [r for r in rows if r["variant"] == "copyreg" and r["types"] > 500]
    total += 1
    if big:
        r = max(big, key=lambda r: r["types"])
        ok = r["release_rss_bytes"] <= BIG_PROGRAM_LIMIT
        met += ok
        lines += [
            "",
            f"copyreg's {r['types']:,}-type program: release build {r['release_cpu_s']:,.0f} CPU s, "
            f"peak {r['release_rss_bytes'] / 2**30:.1f} GB (target: within "
            f"{BIG_PROGRAM_LIMIT >> 30} GB), met: {'yes' if ok else '**no**'}.",
        ]
    else:
        lines += [
            "",
            "copyreg's 10,000-type program was not built in this run (`TYPECOST_N=\"100 500 "
            "10000\"`); its target, a release build within 8 GB, is counted as not met.",
        ]
    return lines, met, total


def main():
    sizes = [int(n) for n in os.environ.get("TYPECOST_N", "100 500").split()]
    variants = os.environ.get("TYPECOST_VARIANTS", " ".join(VARIANTS)).split()
    rows = []
    for variant in variants:
        # 10,000 types are measured for copyreg only: the baselines' trend is clear by 500.
        rows += measure(variant, [n for n in sizes if n <= 500 or variant == "copyreg"])
    FIXTURES.mkdir(parents=True, exist_ok=True)
    (FIXTURES / "typecost.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
