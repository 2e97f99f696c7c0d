//! Each codec's [`Shape`]: what the derive's field codecs write, as data for
//! `copyreg::python`. (What a shape is, and an object's [`Args`](crate::engine::shape::Args),
//! are in `engine/shape.rs`.)

use std::any::TypeId;

use crate::codecs::autoref::Tag;
use crate::codecs::collections::{Map, Sequence};
use crate::codecs::dynamic::{AnyCodec, DynCodec, DynPointer};
use crate::codecs::field::{
    ArrayCodec, InnerCodec, MapCodec, OptionCodec, PointerCodec, ReducibleLeaf, RegistryLeaf,
    SeqCodec, SerdeLeaf, TupleCodec, Wrapper,
};
use crate::codecs::reducible::Reducible;
use crate::engine::shape::{registered, Shape, ShapeOf};
use crate::engine::shared::Pointer;

/// The shape `codec` writes `T` in, for generated code that has the codec as a value.
#[doc(hidden)]
pub fn shape_of<T, C: ShapeOf<T>>(codec: &C) -> &'static Shape {
    let _ = codec;
    C::SHAPE
}

/// The shape `codec` writes a tuple position in, for a reducer's tuple, whose element types
/// are only inferred.
#[doc(hidden)]
pub fn shape_at<T, C: ShapeOf<T>>(position: &Tag<T>, codec: &C) -> &'static Shape {
    let _ = (position, codec);
    C::SHAPE
}

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
