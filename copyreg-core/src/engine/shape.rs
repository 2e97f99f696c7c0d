//! How values are laid out in a stream, as data: what `copyreg::python` reads a stream's
//! arguments by and writes them as, so that no type needs code of its own for Python.
//!
//! A type's [`Shape`] is a constant ([`Reducible::__SHAPE`](crate::Reducible), or a codec's
//! [`ShapeOf::SHAPE`]); an object's arguments are listed by its registration ([`Args`]),
//! asked for only when a Python pickle is read or written.

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

/// The shape `codec` writes `T` in, for generated code that has the codec as a value.
#[doc(hidden)]
pub fn shape_of<T, C: ShapeOf<T>>(codec: &C) -> &'static Shape {
    let _ = codec;
    C::SHAPE
}

/// The shape `codec` writes a tuple position in, for a reducer's tuple, whose element types
/// are only inferred.
#[doc(hidden)]
pub fn shape_at<T, C: ShapeOf<T>>(
    position: &crate::codecs::autoref::Tag<T>,
    codec: &C,
) -> &'static Shape {
    let _ = (position, codec);
    C::SHAPE
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

mod codecs {
    //! Each codec's shape: what the derive's field codecs write.

    use std::any::TypeId;

    use super::{registered, Shape, ShapeOf};
    use crate::codecs::collections::{Map, Sequence};
    use crate::codecs::dynamic::{AnyCodec, DynCodec, DynPointer};
    use crate::codecs::field::{
        ArrayCodec, InnerCodec, MapCodec, OptionCodec, PointerCodec, ReducibleLeaf, RegistryLeaf,
        SeqCodec, SerdeLeaf, TupleCodec, Wrapper,
    };
    use crate::codecs::reducible::Reducible;
    use crate::engine::shared::Pointer;

    impl<T: Reducible> ShapeOf<T> for ReducibleLeaf<T> {
        const SHAPE: &'static Shape = T::__SHAPE;
    }

    impl<T: 'static> ShapeOf<T> for SerdeLeaf<T> {
        const SHAPE: &'static Shape = &Shape::Serde(TypeId::of::<T>, std::any::type_name::<T>);
    }

    impl<T: 'static> ShapeOf<T> for RegistryLeaf<T> {
        const SHAPE: &'static Shape = &registered::<T>();
    }

    impl<S: Sequence, C: ShapeOf<S::Item>> ShapeOf<S> for SeqCodec<C> {
        const SHAPE: &'static Shape = if S::SET {
            &Shape::Set(C::SHAPE)
        } else {
            &Shape::Seq(C::SHAPE)
        };
    }

    impl<T, C: ShapeOf<T>> ShapeOf<Option<T>> for OptionCodec<C> {
        const SHAPE: &'static Shape = &Shape::Option(C::SHAPE);
    }

    impl<W: Wrapper, C: ShapeOf<W::Inner>> ShapeOf<W> for InnerCodec<C> {
        const SHAPE: &'static Shape = C::SHAPE;
    }

    impl<P: Pointer, C: ShapeOf<P::Target>> ShapeOf<P> for PointerCodec<C> {
        const SHAPE: &'static Shape = &Shape::Pointer(C::SHAPE);
    }

    impl<M: Map, K: ShapeOf<M::Key>, V: ShapeOf<M::Value>> ShapeOf<M> for MapCodec<K, V> {
        const SHAPE: &'static Shape = &Shape::Map(K::SHAPE, V::SHAPE);
    }

    impl<T, C: ShapeOf<T>, const N: usize> ShapeOf<[T; N]> for ArrayCodec<C> {
        const SHAPE: &'static Shape = &Shape::Array(N, C::SHAPE);
    }

    impl<D: ?Sized + 'static, P: DynPointer<D>> ShapeOf<P> for DynCodec<D, P> {
        const SHAPE: &'static Shape = if P::SHARED {
            &Shape::Pointer(&Shape::Dyn)
        } else {
            &Shape::Dyn
        };
    }

    impl ShapeOf<Box<dyn std::any::Any>> for AnyCodec {
        const SHAPE: &'static Shape = &Shape::Dyn;
    }

    macro_rules! tuples {
        ($(($($t:ident $c:ident),*)),* $(,)?) => {$(
            impl<$($t, $c: ShapeOf<$t>),*> ShapeOf<($($t,)*)> for TupleCodec<($($c,)*)> {
                const SHAPE: &'static Shape = &Shape::Tuple(&[$($c::SHAPE),*]);
            }
        )*};
    }

    tuples! {
        (),
        (A CA),
        (A CA, B CB),
        (A CA, B CB, C CC),
        (A CA, B CB, C CC, D CD),
        (A CA, B CB, C CC, D CD, E CE),
        (A CA, B CB, C CC, D CD, E CE, F CF),
        (A CA, B CB, C CC, D CD, E CE, F CF, G CG),
        (A CA, B CB, C CC, D CD, E CE, F CF, G CG, H CH),
        (A CA, B CB, C CC, D CD, E CE, F CF, G CG, H CH, I CI),
        (A CA, B CB, C CC, D CD, E CE, F CF, G CG, H CH, I CI, J CJ),
        (A CA, B CB, C CC, D CD, E CE, F CF, G CG, H CH, I CI, J CJ, K CK),
        (A CA, B CB, C CC, D CD, E CE, F CF, G CG, H CH, I CI, J CJ, K CK, L CL),
    }
}
