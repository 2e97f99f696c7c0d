"""The Python side of examples/python_interop.rs: a shop's orders and the invoices Rust makes.

An Order pickles through a copyreg reducer to a stable reconstruction function, so that
pickles stay loadable when the class changes; a Line is a dataclass, pickled by default;
an Invoice is what Rust writes back.
"""

import copyreg
from dataclasses import dataclass


@dataclass
class Line:
    sku: str
    qty: int
    unit_price: float


class Order:
    def __init__(self, order_id, customer, lines):
        self.order_id = order_id
        self.customer = customer
        self.lines = lines

    def total(self):
        return sum(line.qty * line.unit_price for line in self.lines)


def make_order(order_id, customer, lines):
    """The reconstruction function Order's pickles name: the Rust side registers it too."""
    return Order(order_id, customer, lines)


copyreg.pickle(Order, lambda o: (make_order, (o.order_id, o.customer, o.lines)))


@dataclass
class Invoice:
    customer: str
    total: float
    order_ids: list
