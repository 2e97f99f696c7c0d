//! Reading objects: the constructor references in a stream's body, what they name, and the
//! objects they build.

use std::any::{Any, TypeId};

use crate::engine::load::Loader;
use crate::engine::object::{construct_once, Object, Own};
use crate::engine::ops::{build_typed, filled, unbox, Delivered, Place};
use crate::engine::registry::casts::Casts;
use crate::engine::registry::{not_found, Constructor, Slot};
use crate::engine::trace::Event;
use crate::wire::depth::Nested;
use crate::wire::error::{Error, Failure, LimitKind};
use crate::wire::frame;

/// An object read without its type known statically.
pub(crate) struct Loaded<'a> {
    pub(crate) value: Box<dyn Any>,
    /// The constructor name (or persistent id) the stream gave.
    pub(crate) constructor: &'a str,
    /// The constructor that built it, if a registered one did: what [`built_type`] names.
    pub(crate) built_by: Option<&'a Constructor>,
    /// The trait objects that type can be loaded as.
    pub(crate) casts: Casts,
}

/// The Rust type a [`Loaded`] value's constructor built, for messages (asked for only
/// when one is needed: it is a virtual call).
pub(crate) fn built_type(built_by: Option<&Constructor>) -> &'static str {
    match built_by {
        Some(ctor) => ctor.ops.target_name(),
        None => "an object from persistent_load",
    }
}

/// How to build an object a reference asks for where an [`Object`] is expected.
#[derive(Clone, Copy)]
pub(crate) enum Build<'a> {
    /// With the object's own constructor, called directly.
    Own,
    /// With another registered constructor, which must build the same type.
    With(&'a Constructor),
    /// As `persistent_load` resolves the id.
    Persistent(&'a str),
}

/// What a constructor reference in the body refers to. Two words, so that it is passed in
/// registers: the name table's entries are read where they are, field by field.
#[derive(Clone, Copy)]
pub(crate) enum Reference {
    /// A name from the stream's table, by its index there.
    Named(usize),
    /// A persistent id, which follows in the stream.
    Persistent,
}

/// A constructor name in a stream's table, and what the registry holds under it. Objects
/// read its fields where it is, through their [`Reference`]'s index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Named<'a> {
    /// Empty for a compact code nothing registers.
    pub(crate) name: &'a str,
    /// The compact code the stream wrote instead of the name, if it did.
    pub(crate) code: Option<u32>,
    /// How many fields the objects of a derived struct were written with (format 4 on).
    pub(crate) fields: Option<u32>,
    /// What the registry holds under the name or code, if anything.
    pub(crate) slot: Option<&'a Slot<Constructor>>,
    /// The constructor, when the slot holds exactly one: what almost every reference finds,
    /// taken out once rather than per object.
    pub(crate) ctor: Option<&'a Constructor>,
}

impl<'a> Named<'a> {
    pub(crate) fn registered(&self) -> Result<&'a Constructor, Failure> {
        match self.ctor {
            Some(ctor) => Ok(ctor),
            None => Err(self.unregistered()),
        }
    }

    /// Why a name or code with no single constructor cannot be loaded.
    #[cold]
    fn unregistered(&self) -> Failure {
        match (self.code, self.slot) {
            (Some(code), None) => Error::UnknownCode { code }.into(),
            (Some(code), Some(Slot::Ambiguous(claimants))) => Error::CodeConflict {
                code,
                claimants: claimants.clone(),
            }
            .into(),
            (_, slot) => not_found(slot, self.name),
        }
    }

    /// Whether this is the name or code of the object `own`.
    pub(crate) fn is_own(&self, own: &Own) -> bool {
        match self.code {
            Some(code) => own.code == Some(code),
            None => self.name == (own.name)(),
        }
    }
}

impl<'a> Loader<'a> {
    /// Reads a constructor reference: an index into the stream's name table, each name
    /// looked up in the registry when the stream was opened (a name it lacks is only an error
    /// where no type is expected statically, see [`Loader::load_own`]); or, as `0`, a
    /// persistent id that [`Unpickler::persistent_load`](crate::Unpickler::persistent_load)
    /// resolves.
    #[inline]
    fn read_constructor(&mut self) -> Result<Reference, Failure> {
        let at = self.input.offset();
        let k = self.input.varint()?;
        self.note(|| Event::Reference {
            at,
            end: self.input.offset(),
            k,
        });
        self.reference(at, k)
    }

    /// What the constructor reference `k`, read at offset `at`, refers to.
    #[inline]
    pub(crate) fn reference(&self, at: usize, k: u64) -> Result<Reference, Failure> {
        match k.checked_sub(1).and_then(|i| usize::try_from(i).ok()) {
            Some(index) if index < self.constructors.len() => Ok(Reference::Named(index)),
            Some(_) => Err(self.past_the_table(at, k)),
            None => Ok(Reference::Persistent),
        }
    }

    #[cold]
    fn past_the_table(&self, at: usize, k: u64) -> Failure {
        Failure::malformed(
            at,
            format!(
                "reference to constructor #{k}, but the stream names {}",
                self.constructors.len()
            ),
        )
    }

    /// The entry `index` of the stream's name table, which [`Loader::reference`] checked.
    pub(crate) fn named(&self, index: usize) -> &Named<'a> {
        &self.constructors[index]
    }

    /// Reads the persistent id that follows a reference `0`.
    #[cold]
    fn read_persistent_id(&mut self) -> Result<&'a str, Failure> {
        let at = self.input.offset();
        let len = self.input.varint()?;
        if len > frame::MAX_NAME_LEN as u64 {
            return Err(Failure::malformed(
                at,
                format!("persistent id of {len} bytes"),
            ));
        }
        self.input.str(len as usize)
    }

    /// Counts one more object built.
    pub(crate) fn count_object(&mut self) -> Result<(), Failure> {
        self.note(|| Event::Object {
            at: self.input.offset(),
        });
        self.objects_left = self
            .objects_left
            .checked_sub(1)
            .ok_or_else(|| Error::Limit {
                which: LimitKind::Objects,
                max: self.rules.limits.max_objects,
            })?;
        Ok(())
    }

    /// The object a persistent id stands for, boxed, which must be of the type `expected`
    /// (named `expected_name`).
    fn resolve_as(
        &self,
        id: &str,
        expected: TypeId,
        expected_name: &'static str,
    ) -> Result<Box<dyn Any>, Failure> {
        let value = self.rules.resolve(id)?;
        if (*value).type_id() != expected {
            return Err(Error::TypeMismatch {
                expected: expected_name,
                found: "another type",
                constructor: format!("persistent_load({id:?})"),
            }
            .into());
        }
        Ok(value)
    }

    /// Reads any registered object, boxed.
    pub(crate) fn load_any(&mut self) -> Result<Loaded<'a>, Failure> {
        match self.load_any_at::<false>(None)? {
            Some(loaded) => Ok(loaded),
            None => unreachable!("a value given no place is boxed"),
        }
    }

    /// Reads an object whose type is not known statically into `place` if its constructor
    /// can build it there (a [`DynSlot`](crate::codecs::dynamic::DynSlot) its own type declares); any
    /// other comes back boxed, as [`Loader::load_any`] gives it. A `SIBLING` is one of a run
    /// of objects side by side, on a stack the caller made room on for all of them.
    pub(crate) fn load_any_at<const SIBLING: bool>(
        &mut self,
        place: Place<'_>,
    ) -> Result<Option<Loaded<'a>>, Failure> {
        let (ctor, name) = match self.read_constructor()? {
            Reference::Named(index) => {
                let named = self.named(index);
                (named.registered()?, named.name)
            }
            Reference::Persistent => {
                let id = self.read_persistent_id()?;
                return Ok(Some(Loaded {
                    value: self.rules.resolve(id)?,
                    constructor: id,
                    built_by: None,
                    casts: &[],
                }));
            }
        };
        self.count_object()?;
        let boxed = self.enter::<SIBLING, _>(|cx| ctor.ops.load(cx, place))?;
        Ok(boxed.map(|value| Loaded {
            value,
            constructor: name,
            built_by: Some(ctor),
            casts: ctor.casts,
        }))
    }

    /// Reads an object: a constructor reference, then that constructor's arguments. The
    /// constructor must be registered and build a `T`.
    pub fn load_object<T: Any>(&mut self) -> Result<T, Failure> {
        let mut slot = None;
        self.load_object_into(&mut slot)?;
        Ok(filled(slot))
    }

    /// [`Loader::load_object`] into `slot`, where the constructor builds the value: the
    /// value is not passed up through every call that returns it.
    pub(crate) fn load_object_into<T: Any>(&mut self, slot: &mut Option<T>) -> Result<(), Failure> {
        let expected = (TypeId::of::<T>(), std::any::type_name::<T>());
        if let Some(boxed) = self.load_object_at(slot, expected)? {
            *slot = Some(unbox(boxed));
        }
        Ok(())
    }

    /// Reads an object of the type `expected` (its `TypeId` and name) into `place`, an
    /// `Option` of it, or boxed when the object comes from `persistent_load`. Not generic:
    /// `loads` of every type runs this one copy (`loads` reads its value this way).
    pub(crate) fn load_object_at(
        &mut self,
        place: &mut dyn Any,
        expected: (TypeId, &'static str),
    ) -> Delivered {
        match self.read_constructor()? {
            Reference::Named(index) => {
                let ctor = self.named(index).registered()?;
                self.nested(|cx| cx.build_at(ctor, Some(place), expected))
            }
            Reference::Persistent => {
                let id = self.read_persistent_id()?;
                self.resolve_as(id, expected.0, expected.1).map(Some)
            }
        }
    }

    /// Reads an object of the [`Object`] `O`, which the caller expects statically. A stream
    /// may name any registered constructor that builds an `O::Target`; `O`'s own name needs
    /// no registration, so generic types and types whose registration the linker dropped
    /// load as fields all the same.
    pub fn load_own<O: Object>(&mut self) -> Result<O::Target, Failure> {
        self.with_stack(|cx| cx.load_sibling::<O>())
    }

    /// Reads an object as [`load_own`](Self::load_own) does, one of several side by side (a
    /// map's keys or values) on a stack the caller made room on for all of them.
    // Inlined into the loops that call it, as `dump_sibling` is.
    #[inline(always)]
    pub fn load_sibling<O: Object>(&mut self) -> Result<O::Target, Failure> {
        let reference = self.read_constructor()?;
        match self.build_of(reference, &Own::of::<O>())? {
            Build::Own => {
                self.count_object()?;
                self.entered(construct_once::<O>)
            }
            other => self.entered(|cx| cx.build_elsewise(other, Own::of::<O>().target)),
        }
    }

    /// [`Loader::load_own`] of an object known by its [`Own`], into `place` (an `Option`
    /// of its type), or boxed when there is none or it comes from `persistent_load`;
    /// compiled once. `given` is how to build it when its run said so already; else its
    /// constructor reference is read here.
    fn load_object_as(
        &mut self,
        own: &Own,
        place: Place<'_>,
        given: Option<Build<'a>>,
    ) -> Delivered {
        self.with_stack(|cx| {
            let build = match given {
                Some(build) => build,
                None => {
                    let reference = cx.read_constructor()?;
                    cx.build_of(reference, own)?
                }
            };
            match build {
                Build::Own => {
                    cx.count_object()?;
                    cx.entered(|cx| own.ops.load(cx, place))
                }
                Build::With(ctor) => cx.entered(|cx| cx.build_at(ctor, place, own.target)),
                Build::Persistent(id) => cx.resolve_as(id, own.target.0, own.target.1).map(Some),
            }
        })
    }

    /// Reads one object of the [`Object`] `O`, as [`Loader::load_object_as`] does: the
    /// element of a registered `Option` or `Box`, in one copy per type.
    #[inline(never)]
    pub(crate) fn load_one<O: Object>(&mut self) -> Result<O::Target, Failure> {
        self.load_one_as::<O>(None)
    }

    /// [`Loader::load_one`], built as `given` says when that is known already.
    pub(crate) fn load_one_as<O: Object>(
        &mut self,
        given: Option<Build<'a>>,
    ) -> Result<O::Target, Failure> {
        let own = Own::of::<O>();
        let mut slot = None;
        match self.load_object_as(&own, Some(&mut slot), given)? {
            None => Ok(filled(slot)),
            Some(boxed) => Ok(unbox(boxed)),
        }
    }

    /// How to build the object `own` that `reference` stands for.
    #[inline(never)]
    pub(crate) fn build_of(
        &mut self,
        reference: Reference,
        own: &Own,
    ) -> Result<Build<'a>, Failure> {
        let named = match reference {
            Reference::Named(index) => self.named(index),
            Reference::Persistent => return self.read_persistent_id().map(Build::Persistent),
        };
        match (named.ctor, named.slot) {
            // The object's own constructor, called directly rather than through the
            // registry's type-erased one.
            (Some(ctor), _) if ctor.identity == Some(own.identity) => Ok(Build::Own),
            (_, None) if named.is_own(own) => Ok(Build::Own),
            _ => named.registered().map(Build::With),
        }
    }

    /// Builds a `T` (`expected` is its `TypeId` and name) other than with its own
    /// constructor: with another registered one, or from `persistent_load`.
    #[inline(never)]
    pub(crate) fn build_elsewise<T: Any>(
        &mut self,
        build: Build<'a>,
        expected: (TypeId, &'static str),
    ) -> Result<T, Failure> {
        let mut slot = None::<T>;
        let boxed = match build {
            Build::With(ctor) => self.build_at(ctor, Some(&mut slot), expected)?,
            Build::Persistent(id) => Some(self.resolve_as(id, expected.0, expected.1)?),
            Build::Own => unreachable!("an object's own constructor is called directly"),
        };
        Ok(match boxed {
            None => filled(slot),
            Some(boxed) => unbox(boxed),
        })
    }

    /// Builds a value of the type `expected` with `ctor`, which must build one, at `place`.
    pub(crate) fn build_at(
        &mut self,
        ctor: &Constructor,
        place: Place<'_>,
        expected: (TypeId, &'static str),
    ) -> Delivered {
        if ctor.ops.target_id() != expected.0 {
            return Err(Error::TypeMismatch {
                expected: expected.1,
                found: ctor.ops.target_name(),
                constructor: ctor.name.to_string(),
            }
            .into());
        }
        self.count_object()?;
        ctor.ops.load(self, place)
    }

    /// Reads a value of a type known to copyreg only through the registry.
    pub fn load_dynamic<T: Any>(&mut self) -> Result<T, Failure> {
        match self.view.reducer(TypeId::of::<T>())? {
            Some(reducer) if reducer.native => build_typed(|place| reducer.ops.load(self, place)),
            _ => self.load_object::<T>(),
        }
    }
}
