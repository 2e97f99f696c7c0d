//! How generated code picks, per field or argument, the way to write a value, without the
//! user annotating anything.
//!
//! Rust has no specialization, so the choice is made by method resolution on concrete types
//! ("autoref specialization"): generated code calls `(&&&Tag::<T>::NEW).dump(..)`, and the
//! first impl whose bounds hold wins:
//!
//! 1. [`ViaReducible`] for `&&Tag<T>` where `T: Reducible` (derived types, primitives, std
//!    containers of them): static dispatch.
//! 2. [`ViaSerde`] for `&Tag<T>` where `T` is a `serde` type: bincode.
//! 3. [`ViaRegistry`] for `Tag<T>`, any `T: 'static`: looked up by `TypeId` at run time,
//!    which is how types of other crates registered with `register_foreign!` are found.

use std::any::Any;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::copy::Copier;
use crate::dump::Dumper;
use crate::error::Error;
use crate::load::Loader;
use crate::reducible::Reducible;

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
    ($(#[$doc:meta] $trait:ident;)*) => {$(
        #[$doc]
        pub trait $trait<T> {
            /// Writes `value`.
            fn dump(&self, value: &T, cx: &mut Dumper<'_>) -> Result<(), Error>;
            /// Reads a `T`.
            fn load(&self, cx: &mut Loader<'_>) -> Result<T, Error>;
            /// Copies `value`.
            fn copy(&self, value: &T, cx: &mut Copier<'_>) -> Result<T, Error>;
        }
    )*};
}

via! {
    /// First choice: the type is [`Reducible`].
    ViaReducible;
    /// Second choice: the type is a `serde` type.
    ViaSerde;
    /// Last choice: the type is looked up in the registry.
    ViaRegistry;
}

impl<T: Reducible> ViaReducible<T> for &&Tag<T> {
    #[inline]
    fn dump(&self, value: &T, cx: &mut Dumper<'_>) -> Result<(), Error> {
        value.__dump(cx)
    }
    #[inline]
    fn load(&self, cx: &mut Loader<'_>) -> Result<T, Error> {
        T::__load(cx)
    }
    #[inline]
    fn copy(&self, value: &T, cx: &mut Copier<'_>) -> Result<T, Error> {
        value.__copy(cx)
    }
}

impl<T: Serialize + DeserializeOwned + Any> ViaSerde<T> for &Tag<T> {
    fn dump(&self, value: &T, cx: &mut Dumper<'_>) -> Result<(), Error> {
        cx.dump_serde(value)
    }
    fn load(&self, cx: &mut Loader<'_>) -> Result<T, Error> {
        cx.load_serde()
    }
    fn copy(&self, value: &T, cx: &mut Copier<'_>) -> Result<T, Error> {
        cx.copy_serde(value)
    }
}

impl<T: Any> ViaRegistry<T> for Tag<T> {
    fn dump(&self, value: &T, cx: &mut Dumper<'_>) -> Result<(), Error> {
        cx.dump_dynamic(value)
    }
    fn load(&self, cx: &mut Loader<'_>) -> Result<T, Error> {
        cx.load_dynamic()
    }
    fn copy(&self, value: &T, cx: &mut Copier<'_>) -> Result<T, Error> {
        cx.copy_dynamic(value)
    }
}
