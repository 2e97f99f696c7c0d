"""Run by examples/python_interop.rs.

    python3 orders.py make FILE     pickles a batch of orders to FILE
    python3 orders.py check FILE    loads the invoices Rust pickled to FILE and checks them
"""

import math
import pickle
import sys
from collections import defaultdict

import shop


def orders():
    skus = [("apple", 0.5), ("bread", 2.25), ("cheese", 7.0), ("dates", 4.75)]
    batch = []
    for i in range(1, 201):
        customer = "customer-%d" % (i % 7)
        lines = [
            shop.Line(sku, (i * (k + 1)) % 5 + 1, price)
            for k, (sku, price) in enumerate(skus)
            if (i + k) % 3 != 0
        ]
        batch.append(shop.Order(i, customer, lines))
    return batch


def make(path):
    with open(path, "wb") as f:
        pickle.dump(orders(), f, protocol=4)
    print("python: pickled %d orders to %s" % (len(orders()), path))


def check(path):
    with open(path, "rb") as f:
        invoices = pickle.load(f)
    expected = defaultdict(lambda: [0.0, []])
    for order in orders():
        expected[order.customer][0] += order.total()
        expected[order.customer][1].append(order.order_id)
    assert all(type(inv) is shop.Invoice for inv in invoices), invoices
    assert sorted(inv.customer for inv in invoices) == sorted(expected)
    for inv in invoices:
        total, ids = expected[inv.customer]
        assert math.isclose(inv.total, total), (inv, total)
        assert inv.order_ids == ids, (inv, ids)
    print("python: %d invoices from Rust check out against Python's own totals" % len(invoices))


if __name__ == "__main__":
    {"make": make, "check": check}[sys.argv[1]](sys.argv[2])
