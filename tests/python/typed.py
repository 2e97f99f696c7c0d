"""CPython's side of tests/test_python_typed.rs: the Python objects Rust's typed values stand for.

    python3 typed.py check    reads lines {"case", "protocol", "pickle"} that Rust wrote with
                              copyreg::python::dumps, loads each and compares it with the
                              case's object below
    python3 typed.py emit     one JSON line per case and protocol 0-5: CPython's pickle of
                              the case's object, in hex, for Rust to load
"""

import io
import ipaddress
import json
import pickle
import sys
from collections import deque

import geo
from values import same


def cases():
    point = geo.Point(1, 2)
    return {
        "point": point,
        "money": geo.Money(250, "EUR"),
        "primitives": (
            (255, -128, 65535, -(2**31), 2**64 - 1, -(2**63), 2**100),
            (-(2**90), 1.5, 0.1, True, "é", "text", ()),
        ),
        "containers": (
            (b"\x00\x01\xff", [1, 2, 3], [4, 5], [7, 8, 9], {"a": 1}),
            ({-1, 2}, None, 5, [[1], []], (1, "x")),
        ),
        "shared": [point, point, geo.Point(3, 4)],
        "enums": (geo.Color.RED, geo.Color.GREEN, geo.Shape("Circle", 1.5), geo.Shape("Empty")),
        "extension code": geo.Tagged("t"),
        "persistent id": [geo.Account(7), geo.Account(8)],
        "foreign type": ipaddress.IPv4Address("10.0.0.1"),
        "trait objects": geo.Basket([geo.Point(5, 6), geo.Money(1, "USD")]),
        "weak": [None],
    }


class Unpickler(pickle.Unpickler):
    def persistent_load(self, pid):
        kind, number = pid.split(":")
        assert kind == "account"
        return geo.Account(int(number))


# What Rust loads: the objects above, and shapes only Python writes.
def loadable():
    objects = dict(cases())
    del objects["weak"]
    objects["legacy"] = geo.PointV1(3, 4)
    objects["older order"] = geo.Order(9, "A-7")
    objects["builtins"] = (1, "x", [1, 2], {"a": 1.5}, b"\x00", None, 2.5, True, {3}, 7)
    return objects


# Protocols each case is pickled with: slots, keyword arguments and extension codes need 2.
PROTOCOLS = {"slots": range(2, 6), "keyword arguments": range(4, 6)}


def emit():
    objects = loadable()
    objects["slots"] = geo.Slotted(1, "b")
    objects["keyword arguments"] = geo.Keyed(key="k1")
    for name, obj in objects.items():
        for protocol in PROTOCOLS.get(name, range(0, 6)):
            out = io.BytesIO()
            Pickler(out, protocol=protocol).dump(obj)
            print(json.dumps({"case": name, "protocol": protocol, "pickle": out.getvalue().hex()}))


class Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        if type(obj) is geo.Account:
            return "account:%d" % obj.number
        return None


def check():
    expected = cases()
    failures = 0
    for line in sys.stdin:
        job = json.loads(line)
        name, protocol = job["case"], job["protocol"]
        try:
            loaded = Unpickler(io.BytesIO(bytes.fromhex(job["pickle"]))).load()
        except Exception as e:  # noqa: BLE001 - report whatever Python says
            print("%s, protocol %d: pickle.loads failed: %r" % (name, protocol, e))
            failures += 1
            continue
        if not same(loaded, expected[name]):
            print("%s, protocol %d: loaded %r, expected %r" % (name, protocol, loaded, expected[name]))
            failures += 1
        elif name == "shared" and not (loaded[0] is loaded[1] and loaded[0] is not loaded[2]):
            print("%s, protocol %d: the shared point came back as copies" % (name, protocol))
            failures += 1
    print("checked, %d failures" % failures)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    {"check": check, "emit": emit}[sys.argv[1]]()
