"""CPython's side of tests/test_python_values.rs.

    python3 values.py emit    one JSON line per case and protocol 0-5: the pickle CPython
                              writes, in hex, and a tagged description of what it holds
    python3 values.py check   reads lines {"case", "protocol", "pickle"} written by Rust,
                              loads each and compares it with the case's object

A description is what copyreg::python::Value should read: ["int", "7"], ["list", [...]],
["object", callable, args, kwargs, new, state, items, entries], ...
"""

import copyreg
import datetime
import io
import json
import math
import pickle
import pickletools
import struct
import sys
from collections import OrderedDict

import geo


def cases():
    shared = [1, 2, 3]
    recursive = []
    recursive.append(recursive)
    return {
        "none": None,
        "bools": [True, False],
        "ints": [0, 1, 255, 256, 65535, 65536, -1, 2**31 - 1, -(2**31), 2**31, 2**63 - 1, -(2**63)],
        "big ints": [2**63, -(2**63) - 1, 2**64, -(2**100), 2**2000, -(2**3000)],
        "floats": [1.5, -0.0, math.inf, -math.inf, math.nan, 1e300, 5e-324],
        "strs": ["", "abc", "é\n\\", "x" * 300, "🦀 crab", "a'b\"c"],
        "bytes": [b"", b"\x00\xff", b"y" * 300],
        "bytearray": bytearray(b"\x01\x02"),
        "empty containers": [[], (), {}, set(), frozenset()],
        "tuples": [(1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)],
        "nested": {"a": [1, (2, 3)], "b": {"c": None}, 4: b"d"},
        "long list": list(range(2500)),
        "long dict": {i: str(i) for i in range(1500)},
        "set": {1, "two", (3,)},
        "frozenset": frozenset([4, 5]),
        "shared list": [shared, shared],
        "dataclass": geo.Point(1, 2),
        "slots": geo.Slotted(1, "b"),
        "copyreg reducer": geo.Money(250, "EUR"),
        "keyword arguments": geo.Keyed(key="k1"),
        "extension code": geo.Tagged("t"),
        "persistent id": [geo.Account(7), 1],
        "global": OrderedDict,
        "datetime": datetime.date(2026, 12, 7),
        "recursive list": recursive,
    }


# Cases Rust reads but does not write back: a recursive list is no tree.
READ_ONLY = {"recursive list"}
# Protocols a case is pickled with (default: all): CPython pickles slots from protocol 2 on,
# and keyword arguments as NEWOBJ_EX from protocol 4 on (protocols 2 and 3 write a
# functools.partial of the class's __new__, which reads as that call, inert).
PROTOCOLS = {"keyword arguments": range(4, 6), "slots": range(2, 6)}


class Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        if type(obj) is geo.Account:
            return "account:%d" % obj.number
        return None


class Unpickler(pickle.Unpickler):
    def persistent_load(self, pid):
        kind, number = pid.split(":")
        assert kind == "account"
        return geo.Account(int(number))


def dumps(obj, protocol):
    out = io.BytesIO()
    Pickler(out, protocol=protocol).dump(obj)
    return out.getvalue()


def loads(data):
    return Unpickler(io.BytesIO(data)).load()


def global_of(obj, protocol):
    module, name = obj.__module__, obj.__qualname__
    code = copyreg._extension_registry.get((module, name))
    if code is not None and protocol >= 2:
        return ["ext", code]
    return ["global", module, name]


def describe(obj, protocol, open_ids=()):
    """What copyreg::python::loads_value reads from pickle.dumps(obj, protocol)."""
    if id(obj) in open_ids:
        return ["recursive"]
    inner = lambda o: describe(o, protocol, open_ids + (id(obj),))
    items = lambda xs: [inner(x) for x in xs]
    pairs = lambda d: [[inner(k), inner(v)] for k, v in d.items()]
    kind = type(obj)
    if obj is None:
        return ["none"]
    if kind is bool:
        return ["bool", obj]
    if kind is int:
        return ["int", str(obj)]
    if kind is float:
        return ["float", str(struct.unpack("<Q", struct.pack("<d", obj))[0])]
    if kind is str:
        return ["str", obj]
    if kind is bytes:
        return ["bytes", obj.hex()]
    if kind is bytearray:
        return ["bytearray", obj.hex()]
    if kind is list:
        return ["list", items(obj)]
    if kind is tuple:
        return ["tuple", items(obj)]
    if kind is dict:
        return ["dict", pairs(obj)]
    if kind is set:
        return ["set", items(obj)]
    if kind is frozenset:
        return ["frozenset", items(obj)]
    if isinstance(obj, type):
        return global_of(obj, protocol)
    if kind is geo.Account:
        return ["persistent", ["str", "account:%d" % obj.number]]
    reducer = copyreg.dispatch_table.get(kind)
    if reducer is not None:
        callable_, args = reducer(obj)
        return call(global_of(callable_, protocol), items(args))
    if kind is geo.Keyed:
        args, kwargs = obj.__getnewargs_ex__()
        state = inner(obj.__dict__)
        return call(global_of(kind, protocol), items(args), pairs(kwargs), new=True, state=state)
    if kind is geo.Slotted:
        state = ["tuple", [["none"], ["dict", pairs({"a": obj.a, "b": obj.b})]]]
        return call(global_of(kind, protocol), [], new=True, state=state)
    if kind is datetime.date:
        callable_, args = obj.__reduce__()
        return call(global_of(callable_, protocol), items(args))
    return call(global_of(kind, protocol), [], new=True, state=inner(obj.__dict__))


def call(callable_, args, kwargs=(), new=False, state=None, listitems=(), dictitems=()):
    return ["object", callable_, args, list(kwargs), new, state, list(listitems), list(dictitems)]


def same(a, b):
    """Equal and of the same types all the way down (1, 1.0 and True are not the same)."""
    if type(a) is not type(b):
        return False
    if type(a) is float:
        return struct.pack("<d", a) == struct.pack("<d", b)
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if type(a) is dict:
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b


def emit():
    for name, obj in cases().items():
        for protocol in PROTOCOLS.get(name, range(0, 6)):
            optimized = pickletools.optimize(dumps(obj, protocol))
            line = {
                "case": name,
                "protocol": protocol,
                "pickle": dumps(obj, protocol).hex(),
                # Without the memo writes nothing reads: what copyreg writes, unless
                # CPython reads something back from its memo.
                "optimized": optimized.hex(),
                "memo_read": any(op.name.endswith("GET") for op, _, _ in pickletools.genops(optimized)),
                "expect": describe(obj, protocol),
                "written": name not in READ_ONLY,
            }
            print(json.dumps(line))


def check():
    objects = cases()
    failures = 0
    for line in sys.stdin:
        job = json.loads(line)
        data = bytes.fromhex(job["pickle"])
        try:
            loaded = loads(data)
        except Exception as e:  # noqa: BLE001 - report whatever Python says
            print("%s, protocol %d: pickle.loads failed: %r" % (job["case"], job["protocol"], e))
            failures += 1
            continue
        if not same(loaded, objects[job["case"]]):
            print("%s, protocol %d: loaded %r" % (job["case"], job["protocol"], loaded))
            failures += 1
    print("checked, %d failures" % failures)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    {"emit": emit, "check": check}[sys.argv[1]]()
