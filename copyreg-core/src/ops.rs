//! Type-erased operations: how the registry dumps, loads and copies a type it knows only by
//! `TypeId`.
//!
//! Each registration holds `&'static dyn` references to zero-sized structs that implement
//! [`Reduce`] and [`Construct`] for one concrete type.

use std::any::{Any, TypeId};
use std::marker::PhantomData;

use crate::copy::Copier;
use crate::dump::Dumper;
use crate::error::Error;
use crate::load::Loader;
use crate::reducible::Reducible;

/// A type reduced to a named constructor plus arguments: what the derive and
/// `register_foreign!` implement. `Self` is the derived type itself, or a marker type that
/// `register_foreign!` declares for a type of another crate.
pub trait Object: 'static {
    /// The type this object reduces.
    type Target: 'static;
    /// The constructor name written to streams; for a generic type, the name of the type
    /// itself, before its parameters.
    const NAME: &'static str;

    /// The constructor name written to streams for this very type. A generic type's adds
    /// its parameters' names (`Wrapper<geo.Point>`).
    fn name() -> &'static str {
        Self::NAME
    }
    /// Writes the reducer's arguments (the constructor reference is already written).
    fn reduce(value: &Self::Target, cx: &mut Dumper<'_>) -> Result<(), Error>;
    /// Reads the arguments and calls the constructor.
    fn construct(cx: &mut Loader<'_>) -> Result<Self::Target, Error>;
    /// Rebuilds the value through its reducer and constructor.
    fn copy(value: &Self::Target, cx: &mut Copier<'_>) -> Result<Self::Target, Error>;
}

/// The type a registration is for.
pub trait Typed: Send + Sync + 'static {
    /// The registered type (for a constructor, the type it builds).
    fn type_id(&self) -> TypeId;
    /// Its Rust name, for messages.
    fn type_name(&self) -> &'static str;
}

/// The dump side of a registered type.
pub trait Reduce: Typed {
    /// Writes what follows the constructor reference.
    fn dump(&self, value: &dyn Any, cx: &mut Dumper<'_>) -> Result<(), Error>;
    /// Copies `value` to `place`.
    fn copy(&self, value: &dyn Any, cx: &mut Copier<'_>, place: Place<'_>) -> Delivered;
}

/// The load side of a registered constructor.
pub trait Construct: Typed {
    /// Reads the arguments and builds the value at `place`.
    fn load(&self, cx: &mut Loader<'_>, place: Place<'_>) -> Delivered;
}

/// Both sides, for registrations that come in pairs.
pub trait Ops: Reduce + Construct {}

impl<T: Reduce + Construct> Ops for T {}

pub(crate) fn downcast<T: 'static>(value: &dyn Any) -> &T {
    match value.downcast_ref::<T>() {
        Some(v) => v,
        // The registry only ever pairs a value with the ops registered for its TypeId.
        None => unreachable!("copyreg registry handed a value to the wrong type's reducer"),
    }
}

/// Where a built value goes: into an `Option<T>` the caller holds for the `T` it expects,
/// or, with `None`, into a box.
pub type Place<'a> = Option<&'a mut dyn Any>;

/// What building a value at a [`Place`] gives back: the box, when one was asked for.
pub type Delivered = Result<Option<Box<dyn Any>>, Error>;

/// Puts `value` at `place`.
pub fn deliver<T: Any>(place: Place<'_>, value: T) -> Delivered {
    match place {
        Some(slot) => match slot.downcast_mut::<Option<T>>() {
            Some(slot) => {
                *slot = Some(value);
                Ok(None)
            }
            None => unreachable!("copyreg registry handed a slot to the wrong type's constructor"),
        },
        None => Ok(Some(Box::new(value))),
    }
}

/// Builds a `T` with `build`, which delivers to a place.
pub(crate) fn build_typed<T: Any>(build: impl FnOnce(Place<'_>) -> Delivered) -> Result<T, Error> {
    let mut slot = None::<T>;
    build(Some(&mut slot))?;
    match slot {
        Some(value) => Ok(value),
        None => unreachable!("a registered constructor fills its slot or returns an error"),
    }
}

/// Builds a value in a box with `build`, which delivers to a place.
pub(crate) fn build_boxed(
    build: impl FnOnce(Place<'_>) -> Delivered,
) -> Result<Box<dyn Any>, Error> {
    match build(None)? {
        Some(value) => Ok(value),
        None => unreachable!("deliver boxes the value when there is no slot"),
    }
}

/// The operations of an [`Object`]: a constructor reference, then its arguments.
#[derive(Debug)]
pub struct ObjectOps<O>(PhantomData<fn() -> O>);

impl<O> ObjectOps<O> {
    /// The only value.
    pub const NEW: Self = ObjectOps(PhantomData);
}

impl<O: Object> Typed for ObjectOps<O> {
    fn type_id(&self) -> TypeId {
        TypeId::of::<O::Target>()
    }
    fn type_name(&self) -> &'static str {
        std::any::type_name::<O::Target>()
    }
}

impl<O: Object> Reduce for ObjectOps<O> {
    fn dump(&self, value: &dyn Any, cx: &mut Dumper<'_>) -> Result<(), Error> {
        O::reduce(downcast(value), cx)
    }
    fn copy(&self, value: &dyn Any, cx: &mut Copier<'_>, place: Place<'_>) -> Delivered {
        deliver(place, O::copy(downcast(value), cx)?)
    }
}

impl<O: Object> Construct for ObjectOps<O> {
    fn load(&self, cx: &mut Loader<'_>, place: Place<'_>) -> Delivered {
        deliver(place, O::construct(cx)?)
    }
}

/// The operations of a type copyreg writes natively, through its [`Reducible`] impl.
#[derive(Debug)]
pub struct NativeOps<T>(PhantomData<fn() -> T>);

impl<T> NativeOps<T> {
    /// The only value.
    pub const NEW: Self = NativeOps(PhantomData);
}

impl<T: Reducible> Typed for NativeOps<T> {
    fn type_id(&self) -> TypeId {
        TypeId::of::<T>()
    }
    fn type_name(&self) -> &'static str {
        std::any::type_name::<T>()
    }
}

impl<T: Reducible> Reduce for NativeOps<T> {
    fn dump(&self, value: &dyn Any, cx: &mut Dumper<'_>) -> Result<(), Error> {
        downcast::<T>(value).__dump(cx)
    }
    fn copy(&self, value: &dyn Any, cx: &mut Copier<'_>, place: Place<'_>) -> Delivered {
        deliver(place, downcast::<T>(value).__copy(cx)?)
    }
}

impl<T: Reducible> Construct for NativeOps<T> {
    fn load(&self, cx: &mut Loader<'_>, place: Place<'_>) -> Delivered {
        deliver(place, T::__load(cx)?)
    }
}

/// How the elements of a registered container are written: as objects of a known
/// [`Object`], or through the registry for a run-time registered type.
pub trait Element: 'static {
    /// The element type.
    type Target: 'static;
    /// Writes one element.
    fn dump(value: &Self::Target, cx: &mut Dumper<'_>) -> Result<(), Error>;
    /// Reads one element.
    fn load(cx: &mut Loader<'_>) -> Result<Self::Target, Error>;
    /// Copies one element.
    fn copy(value: &Self::Target, cx: &mut Copier<'_>) -> Result<Self::Target, Error>;
}

/// Elements that are objects of `O`.
pub struct ObjectElement<O>(PhantomData<fn() -> O>);

impl<O: Object> Element for ObjectElement<O> {
    type Target = O::Target;
    fn dump(value: &O::Target, cx: &mut Dumper<'_>) -> Result<(), Error> {
        cx.dump_object::<O>(value)
    }
    fn load(cx: &mut Loader<'_>) -> Result<O::Target, Error> {
        cx.load_own::<O>()
    }
    fn copy(value: &O::Target, cx: &mut Copier<'_>) -> Result<O::Target, Error> {
        cx.copy_object::<O>(value)
    }
}

/// Elements of a type found in the registry by `TypeId`.
pub struct DynamicElement<T>(PhantomData<fn() -> T>);

impl<T: Any> Element for DynamicElement<T> {
    type Target = T;
    fn dump(value: &T, cx: &mut Dumper<'_>) -> Result<(), Error> {
        cx.dump_dynamic(value)
    }
    fn load(cx: &mut Loader<'_>) -> Result<T, Error> {
        cx.load_dynamic()
    }
    fn copy(value: &T, cx: &mut Copier<'_>) -> Result<T, Error> {
        cx.copy_dynamic(value)
    }
}

/// `Vec<T>`, `Option<T>` and `Box<T>` of a type that is not [`Reducible`] (a foreign or run-time
/// registered type), registered alongside it.
pub struct ContainerOps<C, E>(PhantomData<fn() -> (C, E)>);

impl<C, E> ContainerOps<C, E> {
    /// The only value.
    pub const NEW: Self = ContainerOps(PhantomData);
}

/// How a std container is laid out, element by element.
pub trait Container<E: Element>: Sized + 'static {
    /// Writes the container.
    fn dump(&self, cx: &mut Dumper<'_>) -> Result<(), Error>;
    /// Reads it back.
    fn load(cx: &mut Loader<'_>) -> Result<Self, Error>;
    /// Copies it element by element.
    fn copy(&self, cx: &mut Copier<'_>) -> Result<Self, Error>;
}

impl<E: Element> Container<E> for Vec<E::Target> {
    fn dump(&self, cx: &mut Dumper<'_>) -> Result<(), Error> {
        cx.write_len(self.len());
        self.iter().try_for_each(|e| E::dump(e, cx))
    }
    fn load(cx: &mut Loader<'_>) -> Result<Self, Error> {
        let len = cx.read_len(1)?;
        let mut out = Vec::with_capacity(Loader::capacity::<E::Target>(len));
        for _ in 0..len {
            out.push(E::load(cx)?);
        }
        Ok(out)
    }
    fn copy(&self, cx: &mut Copier<'_>) -> Result<Self, Error> {
        self.iter().map(|e| E::copy(e, cx)).collect()
    }
}

impl<E: Element> Container<E> for Option<E::Target> {
    fn dump(&self, cx: &mut Dumper<'_>) -> Result<(), Error> {
        match self {
            None => cx.write_bytes(&[0]),
            Some(v) => {
                cx.write_bytes(&[1]);
                E::dump(v, cx)?;
            }
        }
        Ok(())
    }
    fn load(cx: &mut Loader<'_>) -> Result<Self, Error> {
        match cx.read_option_tag()? {
            false => Ok(None),
            true => E::load(cx).map(Some),
        }
    }
    fn copy(&self, cx: &mut Copier<'_>) -> Result<Self, Error> {
        self.as_ref().map(|v| E::copy(v, cx)).transpose()
    }
}

impl<E: Element> Container<E> for Box<E::Target> {
    fn dump(&self, cx: &mut Dumper<'_>) -> Result<(), Error> {
        E::dump(self, cx)
    }
    fn load(cx: &mut Loader<'_>) -> Result<Self, Error> {
        E::load(cx).map(Box::new)
    }
    fn copy(&self, cx: &mut Copier<'_>) -> Result<Self, Error> {
        E::copy(self, cx).map(Box::new)
    }
}

impl<C: Container<E>, E: Element> Typed for ContainerOps<C, E> {
    fn type_id(&self) -> TypeId {
        TypeId::of::<C>()
    }
    fn type_name(&self) -> &'static str {
        std::any::type_name::<C>()
    }
}

impl<C: Container<E>, E: Element> Reduce for ContainerOps<C, E> {
    fn dump(&self, value: &dyn Any, cx: &mut Dumper<'_>) -> Result<(), Error> {
        downcast::<C>(value).dump(cx)
    }
    fn copy(&self, value: &dyn Any, cx: &mut Copier<'_>, place: Place<'_>) -> Delivered {
        deliver(place, downcast::<C>(value).copy(cx)?)
    }
}

impl<C: Container<E>, E: Element> Construct for ContainerOps<C, E> {
    fn load(&self, cx: &mut Loader<'_>, place: Place<'_>) -> Delivered {
        deliver(place, C::load(cx)?)
    }
}
