"""CPython's side of tests/test_python_typed.rs: the Python objects Rust's typed values stand for.

    python3 typed.py check    reads lines {"case", "protocol", "pickle"} that Rust wrote with
                              copyreg::python::dumps, loads each and compares it with the
                              case's object below
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
    {"check": check}[sys.argv[1]]()
