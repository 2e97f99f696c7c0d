"""Classes that tests/python/values.py pickles: each is a shape CPython pickles its own way."""

import copyreg
from dataclasses import dataclass


@dataclass
class Point:
    """Pickled by default: NEWOBJ (or copyreg._reconstructor) and BUILD with its __dict__."""

    x: int
    y: int


class Slotted:
    """Has __slots__, so its state is a (None, slots) pair."""

    __slots__ = ("a", "b")

    def __init__(self, a, b):
        self.a = a
        self.b = b

    def __eq__(self, other):
        return type(other) is Slotted and (self.a, self.b) == (other.a, other.b)


class Money:
    """Reduced by a copyreg reducer to a stable constructor plus arguments."""

    def __init__(self, units, currency):
        self.units = units
        self.currency = currency

    def __eq__(self, other):
        return type(other) is Money and (self.units, self.currency) == (other.units, other.currency)


def make_money(units, currency):
    """The constructor Money's reducer names."""
    return Money(units, currency)


copyreg.pickle(Money, lambda m: (make_money, (m.units, m.currency)))


class Keyed:
    """Needs keyword arguments to be made: NEWOBJ_EX, or copyreg.__newobj_ex__."""

    def __new__(cls, *, key):
        self = super().__new__(cls)
        self.key = key
        return self

    def __getnewargs_ex__(self):
        return (), {"key": self.key}

    def __eq__(self, other):
        return type(other) is Keyed and self.key == other.key


class Tagged:
    """Pickled with EXT1: registered with copyreg.add_extension."""

    def __init__(self, tag):
        self.tag = tag

    def __eq__(self, other):
        return type(other) is Tagged and self.tag == other.tag


copyreg.add_extension("geo", "Tagged", 240)


class Account:
    """Pickled by reference: a Pickler's persistent_id names it."""

    def __init__(self, number):
        self.number = number

    def __eq__(self, other):
        return type(other) is Account and self.number == other.number
