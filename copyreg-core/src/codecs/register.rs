//! How the codecs' types enter the registry: [`CodecOps`], the type-erased operations of a
//! type written natively by a codec, and the constructors of a type's link-time
//! [`Registration`], which bring the `Vec`, `Option` and `Box` of the type with it.

use std::any::{Any, TypeId};
use std::marker::PhantomData;

use crate::codecs::containers::{codec_containers, containers_of};
use crate::codecs::field::{Codec, ReducibleLeaf, Stateless};
use crate::codecs::reducible::{name_of, Reducible};
use crate::engine::copy::Copier;
use crate::engine::dump::Dumper;
use crate::engine::load::Loader;
use crate::engine::object::{Object, ObjectOps};
use crate::engine::ops::{deliver, downcast, Construct, Delivered, Place, Reduce, Typed};
use crate::engine::registry::registration::{Kind, Name, Registration};
use crate::engine::shape::{Args, ShapeOf};
use crate::engine::tree::{TypeTree, VisitTypes};
use crate::wire::error::Failure;

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

impl Registration {
    /// A derived or foreign type, reduced to a constructor plus arguments.
    pub const fn object<O: Object>() -> Self {
        Registration {
            kind: Kind::Type {
                name: Name::Computed(O::name),
                native: false,
                reducible: false,
                ops: &ObjectOps::<O>::NEW,
                containers: containers_of::<O>(),
            },
        }
    }

    /// A derived type that is not generic, whose name is a constant: as [`registration_of`],
    /// without computing the name when the registry is built, and with containers that
    /// cost the type little code (see `containers.rs`).
    pub const fn named<T: Reducible + Object<Target = T>>(name: &'static str) -> Self {
        Registration {
            kind: Kind::Type {
                name: Name::Const(name),
                native: T::__NATIVE,
                reducible: true,
                ops: T::__OPS,
                containers: containers_of::<T>(),
            },
        }
    }
}

/// A type named by `register!`, or one copyreg registers itself (primitives, `String`):
/// registered under its wire name (`Vec<geo.Point>`, `Wrapper<u8>`). A free function, not
/// an associated one of [`Registration`] (whose struct is the engine's), so that the note
/// under a `register!` of a type that is not `Reducible` names this public path.
pub const fn registration_of<T: Reducible>() -> Registration {
    Registration {
        kind: Kind::Type {
            name: Name::Computed(name_of::<T>),
            native: T::__NATIVE,
            reducible: true,
            ops: T::__OPS,
            containers: codec_containers::<T, ReducibleLeaf<T>>(),
        },
    }
}
