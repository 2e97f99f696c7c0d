"""Classes that tests/python/values.py pickles: each is a shape CPython pickles its own way."""

import copyreg
import enum
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


class Color(enum.Enum):
    """A Rust enum of unit variants: Python calls Color("Red"), as it does to unpickle a member."""

    RED = "Red"
    GREEN = "Green"


class Shape:
    """A Rust enum with fields: called with the variant's name, then the variant's fields."""

    def __init__(self, variant, *fields):
        self.variant = variant
        self.fields = fields

    def __eq__(self, other):
        return type(other) is Shape and (self.variant, self.fields) == (other.variant, other.fields)

    def __repr__(self):
        return "Shape(%r, *%r)" % (self.variant, self.fields)

    def __reduce__(self):
        return (Shape, (self.variant,) + self.fields)


class Basket:
    """A Rust tuple struct holding trait objects: called with the list of them."""

    def __init__(self, items):
        self.items = items

    def __eq__(self, other):
        return type(other) is Basket and self.items == other.items

    def __repr__(self):
        return "Basket(%r)" % (self.items,)

    def __reduce__(self):
        return (Basket, (self.items,))


class PointV1:
    """An old version of Point, reduced to a stable reconstruction function."""

    def __init__(self, x, y):
        self.x, self.y = x, y


def point_v1(x, y):
    """The reconstruction function old pickles of PointV1 name."""
    return Point(x, y)


copyreg.pickle(PointV1, lambda p: (point_v1, (p.x, p.y)))


@dataclass
class Order:
    """A dataclass whose Rust struct has gained a defaulted field since."""

    id: int
    sku: str
