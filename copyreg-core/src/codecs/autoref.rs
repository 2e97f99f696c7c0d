//! How generated code picks, per field or argument, the way to write a value, without the
//! user annotating anything.
//!
//! Rust has no specialization, so the choice is made by method resolution on concrete types
//! ("autoref specialization"): generated code calls `(&&&Tag::<T>::NEW).codec()`, and the
//! first impl whose bounds hold gives the codec (see `field.rs`):
//!
//! 1. [`ViaReducible`] for `&&Tag<T>` where `T: Reducible` (derived types, primitives, std
//!    containers of them): static dispatch.
//! 2. [`ViaSerde`] for `&Tag<T>` where `T` is a `serde` type: postcard.
//! 3. [`ViaRegistry`] for `Tag<T>`, any `T: 'static`: looked up by `TypeId` at run time,
//!    which is how types of other crates registered with `register_foreign!` are found.

use std::any::Any;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::codecs::field::{ReducibleLeaf, RegistryLeaf, SerdeLeaf};
use crate::codecs::reducible::Reducible;

/// A zero-sized stand-in for the type `T`, to resolve methods on.
#[derive(Debug)]
pub struct Tag<T>(PhantomData<fn() -> T>);

impl<T> Tag<T> {
    /// The only value.
    pub const NEW: Self = Tag(PhantomData);

    /// The tag of the value's type.
    pub fn of(_: &T) -> Self {
        Tag(PhantomData)
    }
}

macro_rules! via {
    ($(#[$doc:meta] $trait:ident -> $leaf:ident;)*) => {$(
        #[$doc]
        pub trait $trait<T> {
            /// The codec for `T` that this choice stands for.
            fn codec(&self) -> $leaf<T>;
        }
    )*};
}

via! {
    /// First choice: the type is [`Reducible`].
    ViaReducible -> ReducibleLeaf;
    /// Second choice: the type is a `serde` type.
    ViaSerde -> SerdeLeaf;
    /// Last choice: the type is looked up in the registry.
    ViaRegistry -> RegistryLeaf;
}

impl<T: Reducible> ViaReducible<T> for &&Tag<T> {
    #[inline]
    fn codec(&self) -> ReducibleLeaf<T> {
        ReducibleLeaf(PhantomData)
    }
}

impl<T: Serialize + DeserializeOwned + Any> ViaSerde<T> for &Tag<T> {
    #[inline]
    fn codec(&self) -> SerdeLeaf<T> {
        SerdeLeaf(PhantomData)
    }
}

impl<T: Any> ViaRegistry<T> for Tag<T> {
    #[inline]
    fn codec(&self) -> RegistryLeaf<T> {
        RegistryLeaf(PhantomData)
    }
}
