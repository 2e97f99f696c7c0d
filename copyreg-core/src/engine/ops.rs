//! Type-erased operations: how the registry dumps, loads and copies a type it knows only by
//! `TypeId`.
//!
//! Each registration holds `&'static dyn` references to zero-sized structs that implement
//! [`Reduce`] and [`Construct`] for one concrete type: [`ObjectOps`] for derived and foreign
//! types, [`CodecOps`] for everything written natively.

use std::any::{Any, TypeId};
use std::marker::PhantomData;

use crate::codecs::field::{Codec, Stateless};
use crate::engine::copy::Copier;
use crate::engine::dump::Dumper;
use crate::engine::load::Loader;
use crate::engine::shape::{Args, ShapeOf};
use crate::engine::tree::{TypeTree, VisitTypes};
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
    /// Puts a value just built into `slot`, a [`DynSlot`] of a pointer to a trait object the
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

/// The type a registration is for.
pub trait Typed: Send + Sync + 'static {
    /// The registered type (for a constructor, the type it builds).
    fn target_id(&self) -> TypeId;
    /// Its Rust name, for messages.
    fn target_name(&self) -> &'static str;
    /// What makes two registrations the same one, if anything does: the type of the ops
    /// struct, for those whose behaviour the type alone decides.
    fn identity(&self) -> Option<TypeId> {
        None
    }
    /// The compact code streams write instead of the name, if the registration has one.
    fn code(&self) -> Option<u32> {
        None
    }
    /// [`Object::FIELDS`], for a derived struct.
    fn fields(&self) -> Option<(u32, u32)> {
        None
    }
    /// What follows the constructor reference, for `copyreg::python`.
    fn args(&self) -> Args {
        Args::Unknown
    }
    /// [`Object::PYTHON`].
    fn python_name(&self) -> Option<&'static str> {
        None
    }
}

/// The dump side of a registered type.
pub trait Reduce: Typed {
    /// Writes what follows the constructor reference.
    fn dump(&self, value: &dyn Any, cx: &mut Dumper<'_>) -> Result<(), Failure>;
    /// Copies `value` to `place`.
    fn copy(&self, value: &dyn Any, cx: &mut Copier<'_>, place: Place<'_>) -> Delivered;
    /// Walks the types a value can hold (see `tree.rs`); nothing, for a type whose own
    /// reducer decides what it writes.
    fn visit_types(&self, tree: &mut TypeTree) {
        let _ = tree;
    }
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

/// Where a built value goes: into an `Option<T>` the caller holds for the `T` it expects, or
/// into a [`DynSlot`] for a trait object; with `None`, or where the slot fits neither, into
/// a box.
pub type Place<'a> = Option<&'a mut dyn Any>;

/// What building a value at a [`Place`] gives back: the box, when the value went into one.
pub type Delivered = Result<Option<Box<dyn Any>>, Failure>;

/// Where a trait object being loaded or copied goes: the pointer `P` (`Box<dyn Trait>`,
/// `Arc<dyn Trait>`, `Rc<dyn Trait>`), filled by [`Object::deliver_dyn`]. A type of its own,
/// so that it is never taken for the `Option<T>` of a constructor whose `T` is `P` itself.
#[derive(Debug)]
pub struct DynSlot<P>(pub Option<P>);

/// Puts `value` at `place`: in its slot if the slot is an `Option<T>`, else in a box.
pub fn deliver<T: Any>(place: Place<'_>, value: T) -> Delivered {
    match place.and_then(|slot| slot.downcast_mut::<Option<T>>()) {
        Some(slot) => {
            *slot = Some(value);
            Ok(None)
        }
        None => Ok(Some(Box::new(value))),
    }
}

/// Puts the [`Object`] `O`'s value, which `build` makes, at `place`: as [`deliver`] does,
/// or, for a [`DynSlot`], as the trait object `O` makes of it. The place is looked at
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

/// Builds a `T` with `build`, which delivers to a place.
pub(crate) fn build_typed<T: Any>(
    build: impl FnOnce(Place<'_>) -> Delivered,
) -> Result<T, Failure> {
    let mut slot = None::<T>;
    fill(&mut slot, build)?;
    Ok(filled(slot))
}

/// Builds a `T` into `slot` with `build`, which delivers to a place.
pub(crate) fn fill<T: Any>(
    slot: &mut Option<T>,
    build: impl FnOnce(Place<'_>) -> Delivered,
) -> Result<(), Failure> {
    match build(Some(slot))? {
        None => Ok(()),
        Some(_) => unreachable!("a constructor of a type delivers to an `Option` of it"),
    }
}

/// The value in a box of a type already checked to be `T`.
pub(crate) fn unbox<T: Any>(value: Box<dyn Any>) -> T {
    match value.downcast::<T>() {
        Ok(value) => *value,
        Err(_) => unreachable!("copyreg checks a boxed value's type before taking it out"),
    }
}

/// The value in a slot that a constructor was given and returned `Ok` from without a box:
/// it fills the slot then, and only then.
pub(crate) fn filled<T>(slot: Option<T>) -> T {
    match slot {
        Some(value) => value,
        None => unreachable!("a constructor that returns no box fills its slot"),
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

/// The operations of a type written natively (no constructor reference) by the codec `C`:
/// primitives, `String`, std containers, and the `Vec`, `Option` and `Box` of registered
/// types.
#[derive(Debug)]
pub struct CodecOps<T, C>(PhantomData<fn() -> (T, C)>);

impl<T, C> CodecOps<T, C> {
    /// The only value.
    pub const NEW: Self = CodecOps(PhantomData);
}

impl<T: Any, C: Codec<T> + Stateless + ShapeOf<T> + 'static> Typed for CodecOps<T, C> {
    fn target_id(&self) -> TypeId {
        TypeId::of::<T>()
    }
    fn target_name(&self) -> &'static str {
        std::any::type_name::<T>()
    }
    fn identity(&self) -> Option<TypeId> {
        Some(TypeId::of::<Self>())
    }
    fn args(&self) -> Args {
        Args::Native(C::SHAPE)
    }
}

impl<T: Any, C: Codec<T> + Stateless + ShapeOf<T> + VisitTypes + 'static> Reduce
    for CodecOps<T, C>
{
    fn dump(&self, value: &dyn Any, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        C::NEW.dump(downcast::<T>(value), cx)
    }
    fn copy(&self, value: &dyn Any, cx: &mut Copier<'_>, place: Place<'_>) -> Delivered {
        deliver(place, C::NEW.copy(downcast::<T>(value), cx)?)
    }
    fn visit_types(&self, tree: &mut TypeTree) {
        C::NEW.visit_types(tree)
    }
}

impl<T: Any, C: Codec<T> + Stateless + ShapeOf<T> + 'static> Construct for CodecOps<T, C> {
    fn load(&self, cx: &mut Loader<'_>, place: Place<'_>) -> Delivered {
        deliver(place, C::NEW.load(cx)?)
    }
}

/// `Default`, for the fields a stream does not hold: a `#[reducer(skip)]` field, and a
/// `#[reducer(default)]` one a stream from before it existed lacks. Its own trait, so that a
/// type without `Default` gets copyreg's words.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no `Default`, which a `#[reducer(skip)]` or `#[reducer(default)]` field is rebuilt with",
    label = "no `Default` for this field",
    note = "derive or implement `Default` for it, or name a function that makes the value: \
            `#[reducer(skip, default = path::to::function)]`"
)]
pub trait SkippedDefault {
    /// The value the field is rebuilt with.
    fn skipped_default() -> Self;
}

impl<T: Default> SkippedDefault for T {
    fn skipped_default() -> Self {
        T::default()
    }
}

/// `SkippedDefault` of `T`, as generated code calls it.
pub fn skipped_default<T: SkippedDefault>() -> T {
    T::skipped_default()
}
