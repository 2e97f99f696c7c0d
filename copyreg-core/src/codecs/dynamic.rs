//! Trait objects: `Box<dyn Trait>`, `Arc<dyn Trait>`, `Rc<dyn Trait>` and `Box<dyn Any>`.
//!
//! A trait object is written as the object behind it: a constructor reference and its
//! arguments. The concrete type declares the traits it can be loaded as, with
//! `#[reducer(dyn(Trait))]` or `register_foreign!(…, dyn(Trait))`. Loading hands the
//! constructor a [`DynSlot`] for the pointer wanted: the type's own constructor makes the
//! pointer there itself ([`Object::deliver_dyn`](crate::engine::object::Object::deliver_dyn)); any
//! other constructor's value comes boxed as `dyn Any` and goes through the cast the type
//! registered. A stream naming a type that did not declare the trait is a
//! [`Error::TypeMismatch`], before anything is built into the caller's value.
//!
//! Writing needs the concrete type behind `&dyn Trait`, which Rust gives through `Any`: the
//! trait must have `Any` as a supertrait (`trait Shape: std::any::Any`).

use std::any::{Any, TypeId};
use std::marker::PhantomData;
use std::rc::Rc;
use std::sync::Arc;

use crate::codecs::field::Codec;
use crate::engine::copy::Copier;
use crate::engine::dump::Dumper;
use crate::engine::load::Loader;
use crate::engine::ops::{filled, Place};
use crate::engine::reference::built_type;
use crate::engine::registry::casts::{casts, Behind, CastFn, Casts, DynCast};
use crate::engine::registry::Reducer;
use crate::wire::depth::Nested;
use crate::wire::error::{Error, Failure};

/// Where a trait object being loaded or copied goes: the pointer `P` (`Box<dyn Trait>`,
/// `Arc<dyn Trait>`, `Rc<dyn Trait>`), filled by [`Object::deliver_dyn`](crate::__private::Object::deliver_dyn). A type of its own,
/// so that it is never taken for the `Option<T>` of a constructor whose `T` is `P` itself.
#[derive(Debug)]
pub struct DynSlot<P>(pub Option<P>);

/// A pointer to a trait object `D`: which cast makes one, and whether it is shared.
pub trait DynPointer<D: ?Sized>: Any + Sized {
    /// Whether the pointer is shared (`Arc`, `Rc`), written with a shared pointer's tag.
    const SHARED: bool = false;
    /// The trait object.
    fn get(&self) -> &D;
    /// The cast to this pointer type.
    fn cast(cast: &DynCast) -> CastFn;
    /// Writes the pointer, the object by `write`.
    fn dump(
        &self,
        cx: &mut Dumper<'_>,
        write: impl FnOnce(&mut Dumper<'_>) -> Result<(), Failure>,
    ) -> Result<(), Failure>;
    /// Reads a pointer, the object by `read`.
    fn load(
        cx: &mut Loader<'_>,
        read: impl FnOnce(&mut Loader<'_>) -> Result<Self, Failure>,
    ) -> Result<Self, Failure>;
    /// Copies the pointer, the object by `copy`.
    fn copy(
        &self,
        cx: &mut Copier<'_>,
        copy: impl FnOnce(&mut Copier<'_>) -> Result<Self, Failure>,
    ) -> Result<Self, Failure>;
}

impl<D: ?Sized + 'static> DynPointer<D> for Box<D> {
    fn get(&self) -> &D {
        self
    }
    fn cast(cast: &DynCast) -> CastFn {
        cast.boxed
    }
    fn dump(
        &self,
        cx: &mut Dumper<'_>,
        write: impl FnOnce(&mut Dumper<'_>) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        write(cx)
    }
    fn load(
        cx: &mut Loader<'_>,
        read: impl FnOnce(&mut Loader<'_>) -> Result<Self, Failure>,
    ) -> Result<Self, Failure> {
        read(cx)
    }
    fn copy(
        &self,
        cx: &mut Copier<'_>,
        copy: impl FnOnce(&mut Copier<'_>) -> Result<Self, Failure>,
    ) -> Result<Self, Failure> {
        copy(cx)
    }
}

/// `Arc` and `Rc` share: one allocation is written and copied once (see `engine/shared`).
macro_rules! shared_dyn {
    ($ptr:ident, $field:ident) => {
        impl<D: ?Sized + 'static> DynPointer<D> for $ptr<D> {
            const SHARED: bool = true;

            fn get(&self) -> &D {
                self
            }
            fn cast(cast: &DynCast) -> CastFn {
                cast.$field
            }
            fn dump(
                &self,
                cx: &mut Dumper<'_>,
                write: impl FnOnce(&mut Dumper<'_>) -> Result<(), Failure>,
            ) -> Result<(), Failure> {
                cx.dump_shared::<Self>(key(self), write)
            }
            fn load(
                cx: &mut Loader<'_>,
                read: impl FnOnce(&mut Loader<'_>) -> Result<Self, Failure>,
            ) -> Result<Self, Failure> {
                cx.load_shared(|cx, cyclic| match cyclic {
                    Some(_) => {
                        Err(cx.malformed("a shared trait object cannot be the target of a Weak"))
                    }
                    None => read(cx),
                })
            }
            fn copy(
                &self,
                cx: &mut Copier<'_>,
                copy: impl FnOnce(&mut Copier<'_>) -> Result<Self, Failure>,
            ) -> Result<Self, Failure> {
                if cx.is_deep() {
                    cx.copy_shared(key(self), copy)
                } else {
                    Ok(self.clone())
                }
            }
        }
    };
}

fn key<P: std::ops::Deref + Any>(pointer: &P) -> (usize, TypeId) {
    (
        &**pointer as *const P::Target as *const () as usize,
        TypeId::of::<P>(),
    )
}

shared_dyn!(Arc, arc);
shared_dyn!(Rc, rc);

/// Turns a loaded or copied concrete value into the pointer `P` to `dyn D`.
/// `declared` are the casts the value's constructor knows of, if any.
fn cast<D: ?Sized + 'static, P: DynPointer<D>>(
    value: Box<dyn Any>,
    declared: Casts,
    constructor: &str,
    type_name: impl Fn() -> &'static str,
) -> Result<P, Failure> {
    let trait_id = TypeId::of::<D>();
    let cast = match declared.iter().find(|(t, _)| *t == trait_id) {
        Some((_, cast)) => *cast,
        None => match casts().get(&(trait_id, (*value).type_id())) {
            Some(cast) => cast,
            None => return Err(mismatch::<D>(constructor, type_name())),
        },
    };
    let mut slot: Option<P> = None;
    match (P::cast(cast)(value, &mut slot), slot) {
        (true, Some(pointer)) => Ok(pointer),
        _ => Err(mismatch::<D>(constructor, type_name())),
    }
}

/// The error for a value of type `type_name`, built by `constructor`, that is not a `D`.
#[cold]
fn mismatch<D: ?Sized>(constructor: &str, type_name: &'static str) -> Failure {
    Error::TypeMismatch {
        expected: std::any::type_name::<D>(),
        found: type_name,
        constructor: constructor.to_string(),
    }
    .into()
}

/// The codec of `P`, a pointer to the trait object `D`.
pub struct DynCodec<D: ?Sized, P> {
    as_any: fn(&D) -> &dyn Any,
    pointer: PhantomData<fn() -> P>,
}

impl<D: ?Sized, P> std::fmt::Debug for DynCodec<D, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DynCodec")
    }
}

impl<D: ?Sized + 'static, P: DynPointer<D>> DynCodec<D, P> {
    /// The codec, given the upcast from `&D` to `&dyn Any` that the trait's `Any` supertrait
    /// allows.
    pub fn new(as_any: fn(&D) -> &dyn Any) -> Self {
        DynCodec {
            as_any,
            pointer: PhantomData,
        }
    }
}

// Trait objects are objects: a run of them (a `Vec`'s, a map's values) makes room on the
// stack once for all, as a run of derived objects does.
impl<D: ?Sized + 'static, P: DynPointer<D>> Codec<P> for DynCodec<D, P> {
    const OBJECT: bool = true;

    fn dump(&self, value: &P, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        let object = (self.as_any)(value.get());
        value.dump(cx, |cx| cx.dump_any::<D, false>(object))
    }

    fn dump_sibling(&self, value: &P, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        let object = (self.as_any)(value.get());
        value.dump(cx, |cx| cx.dump_any::<D, true>(object))
    }

    fn dump_slice(&self, items: &[P], cx: &mut Dumper<'_>) -> Result<(), Failure> {
        cx.with_stack(|cx| {
            items
                .iter()
                .try_for_each(|item| self.dump_sibling(item, cx))
        })
    }

    fn load(&self, cx: &mut Loader<'_>) -> Result<P, Failure> {
        P::load(cx, |cx| cx.load_trait_object::<D, P, false>())
    }

    fn load_sibling(&self, cx: &mut Loader<'_>) -> Result<P, Failure> {
        P::load(cx, |cx| cx.load_trait_object::<D, P, true>())
    }

    fn load_vec(&self, len: usize, cx: &mut Loader<'_>) -> Result<Vec<P>, Failure> {
        cx.with_stack(|cx| crate::engine::items::load_vec(len, cx, |cx| self.load_sibling(cx)))
    }

    fn copy(&self, value: &P, cx: &mut Copier<'_>) -> Result<P, Failure> {
        let object = (self.as_any)(value.get());
        value.copy(cx, |cx| {
            let mut slot = DynSlot::<P>(None);
            match cx.copy_any(object, Behind::of::<D>(), Some(&mut slot))? {
                (None, _) => Ok(filled(slot.0)),
                (Some(copy), reducer) => {
                    cast::<D, P>(copy, &[], "a copy", || reducer.ops.target_name())
                }
            }
        })
    }
}

/// The codec of `Box<dyn Any>`: any registered type.
#[derive(Debug)]
pub struct AnyCodec;

impl Codec<Box<dyn Any>> for AnyCodec {
    fn dump(&self, value: &Box<dyn Any>, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        cx.dump_any::<dyn Any, false>(&**value)
    }
    fn load(&self, cx: &mut Loader<'_>) -> Result<Box<dyn Any>, Failure> {
        cx.load_any().map(|loaded| loaded.value)
    }
    fn copy(&self, value: &Box<dyn Any>, cx: &mut Copier<'_>) -> Result<Box<dyn Any>, Failure> {
        let (copy, _) = cx.copy_any(&**value, Behind::of::<dyn Any>(), None)?;
        Ok(copy.unwrap_or_else(|| unreachable!("a value given no place is boxed")))
    }
}

impl Dumper<'_> {
    /// Writes the object behind a trait object `D`: a constructor reference and arguments.
    /// A `SIBLING` is one of a run, on a stack the caller made room on for all of them.
    fn dump_any<D: ?Sized + 'static, const SIBLING: bool>(
        &mut self,
        value: &dyn Any,
    ) -> Result<(), Failure> {
        self.write_registered::<SIBLING>(value, Some(Behind::of::<D>()), || Error::NotRegistered {
            type_name: std::any::type_name::<D>(),
            path: String::new(),
        })
    }
}

impl Loader<'_> {
    /// Reads the object a stream holds as the trait object `D`.
    pub(crate) fn load_dyn<D: ?Sized + 'static>(&mut self) -> Result<Box<D>, Failure> {
        self.load_trait_object::<D, Box<D>, false>()
    }

    /// Reads the object a stream holds as the pointer `P` to the trait object `D`. The
    /// type's own constructor makes the pointer itself, in one call; another constructor's
    /// value (or a persistent object) comes boxed as `dyn Any` and is cast. A `SIBLING` is
    /// one of a run, on a stack the caller made room on for all of them.
    fn load_trait_object<D: ?Sized + 'static, P: DynPointer<D>, const SIBLING: bool>(
        &mut self,
    ) -> Result<P, Failure> {
        let mut slot = DynSlot::<P>(None);
        match self.load_any_at::<SIBLING>(Some(&mut slot))? {
            None => Ok(filled(slot.0)),
            Some(loaded) => {
                let built_by = loaded.built_by;
                let type_name = || built_type(built_by);
                cast::<D, P>(loaded.value, loaded.casts, loaded.constructor, type_name)
            }
        }
    }
}

/// A copy of a value behind a trait object: boxed, unless it went into the slot given; and
/// the reducer that made it.
type Copied<'a> = (Option<Box<dyn Any>>, &'a Reducer);

impl Copier<'_> {
    /// Copies any registered value, held behind the trait object `behind`, into `place` if
    /// its reducer can copy it there, else into a box; with the reducer that copied it.
    fn copy_any(
        &mut self,
        value: &dyn Any,
        behind: Behind,
        place: Place<'_>,
    ) -> Result<Copied<'_>, Failure> {
        let reducer =
            self.view()
                .reducer(value.type_id())?
                .ok_or_else(|| Error::NotRegistered {
                    type_name: "the value behind a trait object",
                    path: String::new(),
                })?;
        behind.check(reducer)?;
        let copy = self.nested(|cx| reducer.ops.copy(value, cx, place))?;
        Ok((copy, reducer))
    }
}
