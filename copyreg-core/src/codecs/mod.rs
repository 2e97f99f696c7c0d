//! Layer 3, how each type is written: the [`Reducible`](crate::Reducible) trait, the field
//! codecs the derive composes, the types copyreg writes natively, collections, tuples,
//! constructors and trait objects. Each calls the passes of `engine` and registers itself in
//! its registry.

pub(crate) mod autoref;
pub(crate) mod cell;
pub(crate) mod collections;
pub(crate) mod constructor;
pub(crate) mod containers;
pub(crate) mod dynamic;
pub(crate) mod field;
pub(crate) mod native;
pub(crate) mod reducible;
pub(crate) mod register;
pub(crate) mod shape_of;
pub(crate) mod tuple;
pub(crate) mod visit;
mod weak;
