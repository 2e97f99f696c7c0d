//! Type-erased operations: how the registry dumps, loads and copies a type it knows only by
//! `TypeId`, and the slots a loaded or copied value is delivered into.
//!
//! Each registration holds `&'static dyn Ops` references to zero-sized structs that
//! implement [`Reduce`] and [`Construct`] for one concrete type: `ObjectOps` for derived and
//! foreign types (`object.rs`), `CodecOps` for everything written natively
//! (`codecs/register.rs`).

use std::any::{Any, TypeId};

use crate::engine::copy::Copier;
use crate::engine::dump::Dumper;
use crate::engine::load::Loader;
use crate::engine::shape::Args;
use crate::engine::tree::TypeTree;
use crate::wire::error::Failure;

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
    /// [`Object::FIELDS`](crate::engine::object::Object::FIELDS), for a derived struct.
    fn fields(&self) -> Option<(u32, u32)> {
        None
    }
    /// What follows the constructor reference, for `copyreg::python`.
    fn args(&self) -> Args {
        Args::Unknown
    }
    /// [`Object::PYTHON`](crate::engine::object::Object::PYTHON).
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
/// into a [`DynSlot`](crate::__private::DynSlot) for a trait object; with `None`, or where the slot fits neither, into
/// a box.
pub type Place<'a> = Option<&'a mut dyn Any>;

/// What building a value at a [`Place`] gives back: the box, when the value went into one.
pub type Delivered = Result<Option<Box<dyn Any>>, Failure>;

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
