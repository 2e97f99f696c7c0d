//! Trait objects: `Box<dyn Trait>`, `Arc<dyn Trait>`, `Rc<dyn Trait>` and `Box<dyn Any>`.
//!
//! A trait object is written as the object behind it: a constructor reference and its
//! arguments. The concrete type declares the traits it can be loaded as, with
//! `#[reducer(dyn(Trait))]` or `register_foreign!(…, dyn(Trait))`. Loading hands the
//! constructor a [`DynSlot`] for the pointer wanted: the type's own constructor makes the
//! pointer there itself ([`Object::deliver_dyn`](crate::engine::ops::Object::deliver_dyn)); any
//! other constructor's value comes boxed as `dyn Any` and goes through the cast the type
//! registered. A stream naming a type that did not declare the trait is a
//! [`Error::TypeMismatch`], before anything is built into the caller's value.
//!
//! Writing needs the concrete type behind `&dyn Trait`, which Rust gives through `Any`: the
//! trait must have `Any` as a supertrait (`trait Shape: std::any::Any`).

use std::any::{Any, TypeId};
use std::marker::PhantomData;
use std::rc::Rc;
use std::sync::{Arc, OnceLock};

use crate::api::unpickler::Unpickler;
use crate::codecs::field::Codec;
use crate::engine::copy::Copier;
use crate::engine::dump::Dumper;
use crate::engine::load::Loader;
use crate::engine::object::built_type;
use crate::engine::ops::{filled, DynSlot, Place};
use crate::engine::registry::{QuickMap, Reducer};
use crate::wire::depth::Nested;
use crate::wire::error::{Error, Failure};

/// Turns a boxed concrete value into a pointer to a trait object (`Box<dyn Trait>`,
/// `Arc<dyn Trait>` or `Rc<dyn Trait>`) and puts it in the slot, an `Option` of that pointer
/// seen as `dyn Any`. `false` if the value is not of the concrete type or the slot is not of
/// the pointer type. Filling a slot the caller owns, rather than returning the pointer boxed
/// again, saves an allocation per object.
pub type CastFn = fn(Box<dyn Any>, &mut dyn Any) -> bool;

/// One concrete type's declaration that it can be loaded as `dyn Trait`, submitted through
/// `inventory` by `#[reducer(dyn(Trait))]` and `register_foreign!(…, dyn(Trait))`.
#[derive(Debug)]
pub struct DynCast {
    /// `TypeId::of::<dyn Trait>`.
    pub trait_id: fn() -> TypeId,
    /// `TypeId::of` the concrete type.
    pub concrete: fn() -> TypeId,
    /// To `Box<dyn Trait>`.
    pub boxed: CastFn,
    /// To `Arc<dyn Trait>`.
    pub arc: CastFn,
    /// To `Rc<dyn Trait>`.
    pub rc: CastFn,
}

inventory::collect!(DynCast);

fn casts() -> &'static QuickMap<(TypeId, TypeId), &'static DynCast> {
    static CASTS: OnceLock<QuickMap<(TypeId, TypeId), &'static DynCast>> = OnceLock::new();
    CASTS.get_or_init(|| {
        inventory::iter::<DynCast>
            .into_iter()
            .map(|cast| (((cast.trait_id)(), (cast.concrete)()), cast))
            .collect()
    })
}

/// The casts a concrete type declares, with each trait's `TypeId`: what a constructor keeps,
/// so that loading a trait object scans a slice of one or two instead of hashing.
pub(crate) type Casts = &'static [(TypeId, &'static DynCast)];

/// The casts declared for the concrete type `concrete`.
pub(crate) fn casts_of(concrete: TypeId) -> Casts {
    static BY_CONCRETE: OnceLock<QuickMap<TypeId, Casts>> = OnceLock::new();
    let by_concrete = BY_CONCRETE.get_or_init(|| {
        let mut lists: QuickMap<TypeId, Vec<(TypeId, &'static DynCast)>> = QuickMap::default();
        for cast in inventory::iter::<DynCast> {
            lists
                .entry((cast.concrete)())
                .or_default()
                .push(((cast.trait_id)(), cast));
        }
        lists
            .into_iter()
            .map(|(concrete, list)| (concrete, &*Box::leak(list.into_boxed_slice())))
            .collect()
    });
    by_concrete.get(&concrete).copied().unwrap_or(&[])
}

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

/// `Arc` and `Rc` share: one allocation is written and copied once (see `shared.rs`).
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
        cx.with_stack(|cx| {
            crate::codecs::collections::load_vec(len, cx, |cx| self.load_sibling(cx))
        })
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

/// The trait object `dyn D` a value is written or copied behind.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Behind {
    id: TypeId,
    name: &'static str,
}

impl Behind {
    pub(crate) fn of<D: ?Sized + 'static>() -> Behind {
        Behind {
            id: TypeId::of::<D>(),
            name: std::any::type_name::<D>(),
        }
    }

    /// Refuses a value whose type, reduced by `reducer`, does not declare this trait: no
    /// stream of it could be loaded back (`Box<dyn Any>` holds any type).
    #[inline]
    pub(crate) fn check(self, reducer: &Reducer) -> Result<(), Failure> {
        if self.id == TypeId::of::<dyn Any>() || reducer.casts.iter().any(|(t, _)| *t == self.id) {
            return Ok(());
        }
        Err(self.undeclared(reducer))
    }

    #[cold]
    fn undeclared(self, reducer: &Reducer) -> Failure {
        Error::UndeclaredTrait {
            type_name: reducer.ops.target_name(),
            trait_name: self.name,
        }
        .into()
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

/// Rebuilds the value a stream holds as the trait object `D`.
///
/// The stream's type must have declared `D` with `#[reducer(dyn(Trait))]` or
/// `register_foreign!(…, dyn(Trait))`; any other type gives [`Error::TypeMismatch`].
///
/// ```
/// use std::any::Any;
///
/// trait Shape: Any {
///     fn area(&self) -> f64;
/// }
///
/// #[derive(copyreg::Reducible)]
/// #[reducer(dyn(Shape))]
/// struct Square(f64);
///
/// impl Shape for Square {
///     fn area(&self) -> f64 {
///         self.0 * self.0
///     }
/// }
///
/// let shape: Box<dyn Shape> = Box::new(Square(3.0));
/// let bytes = copyreg::dumps_dyn(&*shape)?;
/// let back: Box<dyn Shape> = copyreg::loads_dyn::<dyn Shape>(&bytes)?;
/// assert_eq!(back.area(), 9.0);
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn loads_dyn<D: ?Sized + 'static>(bytes: &[u8]) -> Result<Box<D>, Error> {
    Unpickler::new().loads_dyn(bytes)
}

/// Whether the type `concrete` declared it can be loaded as the trait object `trait_id`.
pub(crate) fn declares(trait_id: TypeId, concrete: TypeId) -> bool {
    casts().contains_key(&(trait_id, concrete))
}
