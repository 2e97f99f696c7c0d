//! Runs of objects, a `Vec`'s or an array's items: their constructor is named once, before
//! the first, and each object's arguments follow. When a pickler asks each object for a
//! persistent id, or a run-time reducer may stand in for any of them, the run's header is 0
//! and each names its own constructor. A run is laid out the same whatever registers its
//! type (the derive, `register_foreign!` or `pickle`), so that a type can move from one to
//! another and its old streams still load.

use std::any::{Any, TypeId};

use crate::engine::dump::Dumper;
use crate::engine::load::Loader;
use crate::engine::object::{construct_once, Object, Own};
use crate::engine::ops::{filled, unbox};
use crate::engine::reference::{Build, Reference};
use crate::engine::registry::Constructor;
use crate::engine::trace::Event;
use crate::wire::depth::{has_room, Nested};
use crate::wire::error::Failure;
use crate::wire::frame;

impl<'a> Dumper<'a> {
    /// Writes a run of objects of the [`Object`] `O`, as a `Vec` or an array holds them:
    /// their constructor once, then each one's arguments, with what is the same for all of
    /// them (the run-time reducer lookup, the name lookup, the depth and stack check: the
    /// items are siblings, one level below their owner) done once.
    pub fn dump_objects<O: Object>(&mut self, items: &[O::Target]) -> Result<(), Failure> {
        if items.is_empty() {
            return Ok(());
        }
        let own = Own::of::<O>();
        // A persistent id is asked for, and an override looked for, object by object: each
        // names its own constructor, after a run constructor of 0.
        if !self.plain {
            frame::write_varint(&mut self.out, 0);
            return items
                .iter()
                .try_for_each(|item| self.dump_object_as(item, &own));
        }
        let index = self.constructor_index(O::name(), O::CODE, own.fields)?;
        frame::write_varint(&mut self.out, index);
        // Where the stack runs low, each object makes room for itself.
        if !has_room() {
            return items
                .iter()
                .try_for_each(|item| self.dump_arguments_as(item, &own));
        }
        self.depth.enter()?;
        let written = items.iter().try_for_each(|item| O::reduce(item, self));
        self.depth.leave();
        written
    }

    /// Writes a run of values of `T` (a `Vec`'s or an array's), a type written through the
    /// registry, as a run of objects if the registry has an object reducer for `T` (or has
    /// none, and `unregistered_is_object`): so a `Vec` of objects is laid out the same whether
    /// their type is derived, foreign or registered at run time. The run names the reducer's
    /// constructor once; where a pickler asks each object for a persistent id, or the
    /// registry knows no reducer, each is written by `dump` after a run header of 0.
    pub(crate) fn dump_registered_run<T: Any>(
        &mut self,
        items: &[T],
        unregistered_is_object: bool,
        mut dump: impl FnMut(&mut Self, &T) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        if !items.is_empty() {
            match self.view.reducer(TypeId::of::<T>())? {
                Some(reducer) if !reducer.native && self.persistent.is_none() => {
                    let index =
                        self.constructor_index(&reducer.name, reducer.code, reducer.fields)?;
                    frame::write_varint(&mut self.out, index);
                    return items
                        .iter()
                        .try_for_each(|item| self.nested(|cx| reducer.ops.dump(item, cx)));
                }
                Some(reducer) if reducer.native => {}
                Some(_) => frame::write_varint(&mut self.out, 0),
                None if unregistered_is_object => frame::write_varint(&mut self.out, 0),
                None => {}
            }
        }
        items.iter().try_for_each(|item| dump(self, item))
    }

    /// The arguments of an object known by its [`Own`], whose constructor its run wrote,
    /// on a stack with room for them; compiled once.
    fn dump_arguments_as(&mut self, value: &dyn Any, own: &Own) -> Result<(), Failure> {
        self.with_stack(|cx| cx.entered(|cx| own.ops.dump(value, cx)))
    }
}

impl<'a> Loader<'a> {
    /// Reads `len` objects of the [`Object`] `O` into a `Vec` (`len` is already checked
    /// against the input and charged to the allocation budget): what [`load_own`](Loader::load_own)
    /// (Self::load_own) reads for each, with the depth and stack check done once (the items
    /// are siblings), and the constructor looked at once for the whole run.
    pub fn load_objects<O: Object>(&mut self, len: usize) -> Result<Vec<O::Target>, Failure> {
        let mut out = Vec::with_capacity(Self::capacity(
            len,
            crate::wire::limits::slot_size::<O::Target>(),
        ));
        if len == 0 {
            return Ok(out);
        }
        let own = Own::of::<O>();
        let run = if self.input.is_compact() {
            self.read_run_constructor(&own)?
        } else {
            None
        };
        // Where the stack runs low, each object makes room for itself.
        if !has_room() {
            for _ in 0..len {
                out.push(self.load_one_as::<O>(run)?);
            }
            return Ok(out);
        }
        self.depth.enter()?;
        let read = match run {
            Some(build) => self.read_run::<O>(len, build, &own, &mut out),
            None => self.read_objects::<O>(len, &own, &mut out),
        };
        self.depth.leave();
        read.map(|()| out)
    }

    /// Reads an array of `N` objects of the [`Object`] `O`: a run, as a `Vec`'s items are,
    /// without its length.
    pub fn load_object_array<O: Object, const N: usize>(
        &mut self,
    ) -> Result<[O::Target; N], Failure> {
        let run = if N > 0 && self.input.is_compact() {
            self.read_run_constructor(&Own::of::<O>())?
        } else {
            None
        };
        crate::engine::items::load_array(self, |cx| cx.load_one_as::<O>(run))
    }

    /// Reads `len` values of `T`, a type written through the registry (its items are
    /// objects if the registry has an object reducer for it, or has none and
    /// `unregistered_is_object`), as [`Dumper::dump_registered_run`] wrote them: `load`
    /// reads each, unless the run's header names one constructor for all of them.
    ///
    /// [`Dumper::dump_registered_run`]: crate::engine::dump::Dumper::dump_registered_run
    pub(crate) fn load_registered_run<T: Any>(
        &mut self,
        len: usize,
        unregistered_is_object: bool,
        load: impl FnMut(&mut Loader<'_>) -> Result<T, Failure>,
    ) -> Result<Vec<T>, Failure> {
        match self.registered_run::<T>(len, unregistered_is_object)? {
            Some(ctor) => crate::engine::items::load_vec(len, self, |cx| cx.load_with(ctor)),
            None => crate::engine::items::load_vec(len, self, load),
        }
    }

    /// [`Loader::load_registered_run`] of an array, which has no length.
    pub(crate) fn load_registered_array<T: Any, const N: usize>(
        &mut self,
        unregistered_is_object: bool,
        load: impl FnMut(&mut Loader<'_>) -> Result<T, Failure>,
    ) -> Result<[T; N], Failure> {
        match self.registered_run::<T>(N, unregistered_is_object)? {
            Some(ctor) => crate::engine::items::load_array(self, |cx| cx.load_with(ctor)),
            None => crate::engine::items::load_array(self, load),
        }
    }

    /// Reads the header of a run of `len` values of `T` written through the registry, if it
    /// has one: the constructor it names for all of them, or `None` when each value is read
    /// on its own.
    fn registered_run<T: Any>(
        &mut self,
        len: usize,
        unregistered_is_object: bool,
    ) -> Result<Option<&'a Constructor>, Failure> {
        if len == 0 || !self.input.is_compact() {
            return Ok(None);
        }
        let object = match self.view.reducer(TypeId::of::<T>())? {
            Some(reducer) => !reducer.native,
            None => unregistered_is_object,
        };
        if !object {
            return Ok(None);
        }
        let at = self.input.offset();
        let k = self.input.varint()?;
        self.note(|| Event::Run {
            at,
            end: self.input.offset(),
            k,
        });
        match k {
            0 => Ok(None),
            k => match self.reference(at, k)? {
                Reference::Named(index) => self.named(index).registered().map(Some),
                // Only a reference 0 stands for a persistent id, and that is a run's "each".
                Reference::Persistent => Ok(None),
            },
        }
    }

    /// Builds a `T` with `ctor`, which a run named for all its objects.
    fn load_with<T: Any>(&mut self, ctor: &Constructor) -> Result<T, Failure> {
        let expected = (TypeId::of::<T>(), std::any::type_name::<T>());
        let mut slot = None;
        match self.nested(|cx| cx.build_at(ctor, Some(&mut slot), expected))? {
            None => Ok(filled(slot)),
            Some(boxed) => Ok(unbox(boxed)),
        }
    }

    /// Reads the constructor reference at the start of a run of objects from version 3 on: how to
    /// build every object of the run, or `None` when each names its own (reference `0`).
    fn read_run_constructor(&mut self, own: &Own) -> Result<Option<Build<'a>>, Failure> {
        let at = self.input.offset();
        let k = self.input.varint()?;
        self.note(|| Event::Run {
            at,
            end: self.input.offset(),
            k,
        });
        match k {
            0 => Ok(None),
            k => {
                let reference = self.reference(at, k)?;
                self.build_of(reference, own).map(Some)
            }
        }
    }

    /// The loop of [`Loader::load_objects`] for a run of objects of one constructor.
    fn read_run<O: Object>(
        &mut self,
        len: usize,
        build: Build<'a>,
        own: &Own,
        out: &mut Vec<O::Target>,
    ) -> Result<(), Failure> {
        match build {
            Build::Own => {
                for _ in 0..len {
                    self.count_object()?;
                    out.push(construct_once::<O>(self)?);
                }
            }
            other => {
                for _ in 0..len {
                    out.push(self.build_elsewise(other, own.target)?);
                }
            }
        }
        Ok(())
    }

    /// The loop of [`Loader::load_objects`] for a run whose objects each name their own
    /// constructor.
    fn read_objects<O: Object>(
        &mut self,
        len: usize,
        own: &Own,
        out: &mut Vec<O::Target>,
    ) -> Result<(), Failure> {
        let mut own_reference = None;
        for _ in 0..len {
            let at = self.input.offset();
            let k = self.input.varint()?;
            self.note(|| Event::Reference {
                at,
                end: self.input.offset(),
                k,
            });
            let build = match own_reference {
                Some(own) if own == k => Build::Own,
                _ => self.reference(at, k).and_then(|r| self.build_of(r, own))?,
            };
            out.push(match build {
                Build::Own => {
                    own_reference = Some(k);
                    self.count_object()?;
                    construct_once::<O>(self)?
                }
                other => self.build_elsewise(other, own.target)?,
            });
        }
        Ok(())
    }
}
