//! Objects: the [`Object`] trait that derived and foreign types implement (a constructor
//! name, how to reduce, construct and copy), and [`ObjectOps`], which makes one the
//! type-erased [`Ops`] the registry holds.

use std::any::{Any, TypeId};
use std::marker::PhantomData;

use crate::engine::copy::Copier;
use crate::engine::dump::Dumper;
use crate::engine::load::Loader;
use crate::engine::ops::{downcast, Construct, Delivered, Ops, Place, Reduce, Typed};
use crate::engine::shape::Args;
use crate::engine::tree::TypeTree;
use crate::wire::error::Failure;

/// A type reduced to a named constructor plus arguments: what the derive and
/// `register_foreign!` implement. `Self` is the derived type itself, or a marker type that
/// `register_foreign!` declares for a type of another crate.
pub trait Object: 'static {
    /// The type this object reduces.
    type Target: 'static;
    /// The constructor name written to streams; for a generic type, the name of the type
    /// itself, before its parameters.
    const NAME: &'static str;
    /// The compact code (`#[reducer(code = N)]`) written instead of the name, if any.
    const CODE: Option<u32> = None;
    /// The Python global (`#[reducer(python = "module.Name")]`) that `copyreg::python`
    /// writes and reads instead of the one the name makes, if any.
    const PYTHON: Option<&'static str> = None;
    /// For a derived struct whose fields are its arguments: how many fields a stream must
    /// hold (those before the first `#[reducer(default)]` one) and how many it writes.
    /// Streams record the second in their name table, so that a struct that gained
    /// defaulted fields loads streams written before it had them.
    const FIELDS: Option<(u32, u32)> = None;

    /// The constructor name written to streams for this very type. A generic type's adds
    /// its parameters' names (`Wrapper<geo.Point>`).
    fn name() -> &'static str {
        Self::NAME
    }
    /// Writes the reducer's arguments (the constructor reference is already written).
    fn reduce(value: &Self::Target, cx: &mut Dumper<'_>) -> Result<(), Failure>;
    /// Reads the arguments and calls the constructor.
    fn construct(cx: &mut Loader<'_>) -> Result<Self::Target, Failure>;
    /// Rebuilds the value through its reducer and constructor.
    fn copy(value: &Self::Target, cx: &mut Copier<'_>) -> Result<Self::Target, Failure>;
    /// Walks the types a value can hold (see `tree.rs`): a derived type's fields; nothing
    /// for a type with its own reducer.
    fn visit_types(tree: &mut TypeTree) {
        let _ = tree;
    }
    /// What the reducer writes after the constructor reference (see `shape.rs`), for
    /// `copyreg::python`.
    fn args() -> Args {
        Args::Unknown
    }
    /// Puts a value just built into `slot`, a [`DynSlot`](crate::__private::DynSlot) of a pointer to a trait object the
    /// type declares with `dyn(Trait)`, making the pointer at once rather than through
    /// `Box<dyn Any>` and a cast; gives the value back when the slot is no such pointer.
    fn deliver_dyn(value: Self::Target, slot: &mut dyn Any) -> Result<(), Self::Target> {
        let _ = slot;
        Err(value)
    }
}

/// `O`'s reducer, compiled once out of line: what a single object calls, at top level
/// through the registry's vtable ([`ObjectOps`]) or as a field. The derived `reduce` is
/// `#[inline(always)]`; only this and the loop of `Dumper::dump_objects` compile it.
#[inline(never)]
pub(crate) fn reduce_once<O: Object>(
    value: &O::Target,
    cx: &mut Dumper<'_>,
) -> Result<(), Failure> {
    O::reduce(value, cx)
}

/// `O`'s constructor, compiled once out of line: what fields, runs of siblings and
/// containers call. The derived `construct` and `copy` are only `#[inline]`, so that the
/// registry's vtable ([`ObjectOps`]), which a top-level `loads` and `copy` go through, holds
/// a second copy of each with no call in between; every other caller shares this one.
#[inline(never)]
pub(crate) fn construct_once<O: Object>(cx: &mut Loader<'_>) -> Result<O::Target, Failure> {
    O::construct(cx)
}

/// `O`'s copy, compiled once out of line, as [`construct_once`] is.
#[inline(never)]
pub(crate) fn copy_once<O: Object>(
    value: &O::Target,
    cx: &mut Copier<'_>,
) -> Result<O::Target, Failure> {
    O::copy(value, cx)
}

/// Puts the [`Object`] `O`'s value, which `build` makes, at `place`: as [`deliver`](crate::engine::ops::deliver) does,
/// or, for a [`DynSlot`](crate::codecs::dynamic::DynSlot), as the trait object `O` makes of it. The place is looked at
/// first, so that the value goes into a typed slot straight from what `build` returns
/// (every copy of a value just written field by field stalls on store forwarding).
fn deliver_object<O: Object>(
    mut place: Place<'_>,
    build: impl FnOnce() -> Result<O::Target, Failure>,
) -> Delivered {
    if let Some(typed) = place
        .as_deref_mut()
        .and_then(|slot| slot.downcast_mut::<Option<O::Target>>())
    {
        *typed = Some(build()?);
        return Ok(None);
    }
    deliver_untyped::<O>(build()?, place)
}

/// Puts a value of the [`Object`] `O` at a place that is not an `Option` of it: one copy
/// for loads and copies.
#[inline(never)]
fn deliver_untyped<O: Object>(value: O::Target, place: Place<'_>) -> Delivered {
    let Some(slot) = place else {
        return Ok(Some(Box::new(value)));
    };
    match O::deliver_dyn(value, slot) {
        Ok(()) => Ok(None),
        Err(value) => Ok(Some(Box::new(value))),
    }
}

/// What the paths that write, read and copy objects need to know of an [`Object`], as
/// values: code that takes an `&Own` is compiled once, not once per type.
#[derive(Clone, Copy)]
pub(crate) struct Own {
    /// [`Object::name`].
    pub(crate) name: fn() -> &'static str,
    /// [`Object::CODE`].
    pub(crate) code: Option<u32>,
    /// The fields [`Object::FIELDS`] says the object writes.
    pub(crate) fields: Option<u32>,
    /// The object's ops, [`ObjectOps`] of it.
    pub(crate) ops: &'static dyn Ops,
    /// What a constructor the stream names has as its identity when it is the object's own.
    pub(crate) identity: TypeId,
    /// The type the object builds, and its name.
    pub(crate) target: (TypeId, &'static str),
}

impl Own {
    #[inline]
    pub(crate) fn of<O: Object>() -> Own {
        Own {
            name: O::name,
            code: O::CODE,
            fields: written_fields::<O>(),
            ops: &ObjectOps::<O>::NEW,
            identity: TypeId::of::<ObjectOps<O>>(),
            target: (
                TypeId::of::<O::Target>(),
                std::any::type_name::<O::Target>(),
            ),
        }
    }
}

/// How many fields `O` writes, if it is a derived struct: what the stream's name table
/// records for it.
pub(crate) const fn written_fields<O: Object>() -> Option<u32> {
    match O::FIELDS {
        Some((_, written)) => Some(written),
        None => None,
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
    fn target_id(&self) -> TypeId {
        TypeId::of::<O::Target>()
    }
    fn target_name(&self) -> &'static str {
        std::any::type_name::<O::Target>()
    }
    fn identity(&self) -> Option<TypeId> {
        Some(TypeId::of::<Self>())
    }
    fn code(&self) -> Option<u32> {
        O::CODE
    }
    fn fields(&self) -> Option<(u32, u32)> {
        O::FIELDS
    }
    fn args(&self) -> Args {
        O::args()
    }
    fn python_name(&self) -> Option<&'static str> {
        O::PYTHON
    }
}

impl<O: Object> Reduce for ObjectOps<O> {
    fn dump(&self, value: &dyn Any, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        reduce_once::<O>(downcast(value), cx)
    }
    fn copy(&self, value: &dyn Any, cx: &mut Copier<'_>, place: Place<'_>) -> Delivered {
        deliver_object::<O>(place, || O::copy(downcast(value), cx))
    }
    fn visit_types(&self, tree: &mut TypeTree) {
        O::visit_types(tree)
    }
}

impl<O: Object> Construct for ObjectOps<O> {
    fn load(&self, cx: &mut Loader<'_>, place: Place<'_>) -> Delivered {
        deliver_object::<O>(place, || O::construct(cx))
    }
}
