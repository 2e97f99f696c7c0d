//! How values are laid out in a stream, as data: what `copyreg::python` reads a stream's
//! arguments by and writes them as, so that no type needs code of its own for Python.
//!
//! A type's [`Shape`] is a constant ([`Reducible::__SHAPE`](crate::Reducible), or a codec's
//! [`ShapeOf::SHAPE`]); an object's arguments are listed by its registration ([`Args`]),
//! asked for only when a Python pickle is read or written.
//!
//! Here is what a shape is; each codec's is in `codecs/shape_of.rs`.

use std::any::TypeId;

/// The layout of one value in a stream.
#[doc(hidden)]
#[derive(Debug)]
pub enum Shape {
    /// `()` and `PhantomData`: nothing.
    Unit,
    /// A byte, 0 or 1.
    Bool,
    /// A byte.
    U8,
    /// A byte, two's complement.
    I8,
    /// An unsigned LEB128 varint (`u16` to `u64`, `usize`, `u128`).
    Unsigned,
    /// A zigzag varint (`i16` to `i64`, `isize`, `i128`).
    Signed,
    /// Four little-endian bytes.
    F32,
    /// Eight little-endian bytes.
    F64,
    /// A varint length and UTF-8: `char`.
    Char,
    /// A varint length and UTF-8: `String`.
    Str,
    /// A varint length and the items (a run, for objects): `Vec`, `VecDeque`.
    Seq(&'static Shape),
    /// As [`Shape::Seq`], of a set: `HashSet`, `BTreeSet`.
    Set(&'static Shape),
    /// `N` items with no length (a run, for objects).
    Array(usize, &'static Shape),
    /// A tag byte, then the value if it is 1.
    Option(&'static Shape),
    /// The elements one after another.
    Tuple(&'static [&'static Shape]),
    /// A varint length and the entries.
    Map(&'static Shape, &'static Shape),
    /// A shared pointer's tag, then the value where it is new.
    Pointer(&'static Shape),
    /// A weak pointer's tag, then the pointer where its target is first met.
    Weak(&'static Shape),
    /// A constructor reference, then its constructor's arguments: a derived type, whose
    /// `Vec`s and arrays are runs (their constructor named once, before the first).
    Object,
    /// A constructor reference, then its constructor's arguments: a trait object, each in a
    /// `Vec` with its own reference.
    Dyn,
    /// A value of a type known only to the registry: a foreign type, or a tuple element
    /// of a run-time reducer.
    Registered(fn() -> TypeId, fn() -> &'static str),
    /// A value only serde knows, in postcard's layout (or as the registry writes it, where
    /// a reducer is registered for its type).
    Serde(fn() -> TypeId, fn() -> &'static str),
    /// A tuple position past a reducer's arity, which holds nothing.
    Absent,
}

/// The shape of a `T` that this codec writes.
#[doc(hidden)]
pub trait ShapeOf<T> {
    /// The shape.
    const SHAPE: &'static Shape;
}

/// One argument of a constructor.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Arg {
    /// The field's name, for a derived struct's named field.
    pub name: Option<&'static str>,
    /// Its layout.
    pub shape: &'static Shape,
}

impl Arg {
    /// A named field.
    pub fn named(name: &'static str, shape: &'static Shape) -> Self {
        Arg {
            name: Some(name),
            shape,
        }
    }

    /// A positional argument.
    pub fn positional(shape: &'static Shape) -> Self {
        Arg { name: None, shape }
    }
}

/// What follows a registered constructor's reference in a stream.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub enum Args {
    /// Its arguments, in order: a struct's written fields, a custom reducer's tuple, a
    /// constructor function's parameters.
    Fields(Vec<Arg>),
    /// A derived enum: a varint variant index, then that variant's fields.
    Variants(Vec<(&'static str, Vec<Arg>)>),
    /// A value written natively, with no constructor reference inside other values.
    Native(&'static Shape),
    /// Arguments nothing describes.
    Unknown,
}

impl Args {
    /// The positional arguments of a reducer's tuple, less the positions past its arity.
    pub fn positions(shapes: &[&'static Shape]) -> Args {
        Args::Fields(
            shapes
                .iter()
                .filter(|s| !matches!(s, Shape::Absent))
                .map(|&s| Arg::positional(s))
                .collect(),
        )
    }
}

/// The shape of a value of type `T` found through the registry.
pub(crate) const fn registered<T: 'static>() -> Shape {
    Shape::Registered(TypeId::of::<T>, std::any::type_name::<T>)
}
