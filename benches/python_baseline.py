#!/usr/bin/env python3
"""Python's side of the benchmark suite: pickle (the C implementation, protocol 5) and
copy.deepcopy on the data the Rust benches wrote to target/bench-fixtures.

Writes target/bench-fixtures/python.json: the interpreter, and one row per measurement
(scenario, op, impl, median nanoseconds per call) in the same shape as criterion's results.
Run by benches/run after `cargo bench`; it needs nothing outside the standard library.
"""

import array
import copy
import copyreg
import json
import pickle
import platform
import statistics
import sys
import timeit
import types
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "target" / "bench-fixtures"
PROTOCOL = 5
REPEATS = 7


class Small:
    def __init__(self, x, y, z, id, label):
        self.x, self.y, self.z, self.id, self.label = x, y, z, id, label


class Log:
    def __init__(self, host, path, agent, message, status, bytes, millis):
        self.host, self.path, self.agent, self.message = host, path, agent, message
        self.status, self.bytes, self.millis = status, bytes, millis


class Node:
    def __init__(self, id, children):
        self.id, self.children = id, children


class Obj:
    def __init__(self, a, b):
        self.a, self.b = a, b


# B5's K classes, at module level so that pickle finds them by name.
KINDS = []
for _k in range(100):
    _cls = type(f"T{_k}", (Obj,), {})
    globals()[_cls.__name__] = _cls
    KINDS.append(_cls)


def median_ns(call):
    """Median time of one call, in nanoseconds, over REPEATS runs of an autoranged loop."""
    timer = timeit.Timer(call)
    loops, _ = timer.autorange()
    loops = max(1, loops // 2)
    runs = timer.repeat(repeat=REPEATS, number=loops)
    return statistics.median(runs) / loops * 1e9


def load(name):
    with open(FIXTURES / f"{name}.json") as f:
        return json.load(f)


def raw(name):
    return (FIXTURES / f"{name}.bin").read_bytes()


def scenarios():
    """(scenario, value, ops): the same data the Rust benches measured."""
    b1 = load("b1")
    yield "B1", Small(**b1), ("dumps", "loads", "copy", "deepcopy")
    for n in (100, 10_000, 1_000_000):
        logs = [Log(**r) for r in load(f"b2_{n}")]
        yield f"B2/{n}", logs, ("dumps", "loads")
    f32 = array.array("f")
    f32.frombytes(raw("b3_f32"))
    yield "B3/f32x12 6MB", f32, ("dumps", "loads")
    f64 = array.array("d")
    f64.frombytes(raw("b3_f64"))
    yield "B3/f64 64MB", f64, ("dumps", "loads")
    yield "B3/blob 16MB", raw("b3_blob"), ("dumps", "loads")
    yield "B4/dict 33", load("b4_profile"), ("dumps", "loads")
    yield "B4/dict 100x10", load("b4_nested"), ("dumps", "loads")
    for k in (8, 100):
        objects = [KINDS[kind](a, b) for kind, a, b in load(f"b5_{k}")]
        yield f"B5/K={k}", objects, ("dumps", "loads")
    links = load("b6")
    nodes = [None] * len(links)
    for i in reversed(range(len(links))):
        nodes[i] = Node(i, [nodes[c] for c in links[i]])
    yield "B6", nodes[0], ("dumps", "loads", "round trip", "deepcopy")
    shared = [1] * 100
    yield "B6/memo", {"a": (shared, shared, shared), "b": [shared] * 100}, ("round trip", "deepcopy")


def python_format():
    """(scenario, bytes Rust wrote with copyreg::python, the objects they hold): for
    `pickle.loads` of the same bytes, and `pickle.dumps` of what it loads, whose classes
    reduce themselves as the Rust types do (a global called with the fields)."""
    bench = types.ModuleType("bench")
    for name, fields in (
        ("Log", ("host", "path", "agent", "message", "status", "bytes", "millis")),
        ("Node", ("id", "children")),
        ("Graph", ("root",)),
    ):
        def init(self, *args, fields=fields):
            for field, arg in zip(fields, args):
                setattr(self, field, arg)

        cls = type(name, (), {"__init__": init, "__module__": "bench"})
        setattr(bench, name, cls)
        copyreg.pickle(cls, lambda o, cls=cls, fields=fields: (cls, tuple(getattr(o, f) for f in fields)))
    sys.modules["bench"] = bench
    for scenario, name in (("B2/10000", "b2_10000_pickle"), ("B6", "b6_pickle")):
        data = raw(name)
        yield scenario, data, pickle.loads(data)


def main():
    rows, sizes = [], []
    if sys.getrecursionlimit() < 100_000:
        sys.setrecursionlimit(100_000)  # B6's deepcopy recurses once per level of the DAG
    for scenario, value, ops in scenarios():
        data = pickle.dumps(value, protocol=PROTOCOL)
        assert type(pickle.loads(data)) is type(value)
        sizes.append({"scenario": scenario, "impl": "python pickle", "bytes": len(data)})
        calls = {
            "dumps": lambda: pickle.dumps(value, protocol=PROTOCOL),
            "loads": lambda: pickle.loads(data),
            "round trip": lambda: pickle.loads(pickle.dumps(value, protocol=PROTOCOL)),
            "copy": lambda: copy.copy(value),
            "deepcopy": lambda: copy.deepcopy(value),
        }
        for op in ops:
            impl = "python deepcopy" if op in ("copy", "deepcopy") else "python pickle"
            ns = median_ns(calls[op])
            rows.append({"scenario": scenario, "op": op, "impl": impl, "ns": ns})
            print(f"{scenario:16} {op:10} {impl:16} {ns:14.0f} ns", flush=True)
    for scenario, data, value in python_format():
        calls = {
            "python dumps": lambda: pickle.dumps(value, protocol=4),
            "python loads": lambda: pickle.loads(data),
        }
        for op, call in calls.items():
            ns = median_ns(call)
            rows.append({"scenario": scenario, "op": op, "impl": "python pickle", "ns": ns})
            print(f"{scenario:16} {op:12} {'python pickle':16} {ns:14.0f} ns", flush=True)
    result = {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "c_pickle": pickle.Pickler.__module__ == "_pickle",
        "protocol": PROTOCOL,
        "rows": rows,
        "sizes": sizes,
    }
    (FIXTURES / "python.json").write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
