//! Copying values through their reducers and constructors: the top-level pass that
//! [`copy`](crate::copy) and [`deepcopy`](crate::deepcopy) call, and the [`Copier`] that
//! generated code copies with.

use std::any::{Any, TypeId};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::engine::object::{copy_once, Object, Own};
use crate::engine::ops::{filled, Delivered, Place, Reduce};
use crate::engine::registry::{Reducer, View};
use crate::engine::shared::CopyMemo;
use crate::wire::depth::{has_room, Depth, Nested};
use crate::wire::error::{BoxError, Error, Failure};
use crate::wire::frame;

/// Copies `value` with `view`'s registrations.
pub(crate) fn copy_top<T: Any>(view: &View, value: &T, deep: bool) -> Result<T, Error> {
    // The copy is built in this slot rather than returned up through every call: a value
    // just written field by field and copied at once stalls on store forwarding.
    let mut slot = None::<T>;
    copy_at(view, value, std::any::type_name::<T>(), deep, &mut slot)?;
    Ok(filled(slot))
}

/// Copies `value`, of the type named `type_name`, into `place`, an `Option` of that type:
/// the part of `copy` that is the same for every type, compiled once.
fn copy_at(
    view: &View,
    value: &dyn Any,
    type_name: &'static str,
    deep: bool,
    place: &mut dyn Any,
) -> Result<(), Failure> {
    let reducer = view
        .reducer(value.type_id())?
        .ok_or_else(|| Error::NotRegistered {
            type_name,
            path: String::new(),
        })?;
    let mut cx = Copier {
        view,
        deep,
        depth: Depth::default(),
        shared: CopyMemo::default(),
    };
    let locate = |failure| crate::engine::tree::locate(failure, &*reducer.ops);
    cx.copy_whole(reducer, value, place).map_err(locate)?;
    if !cx.shared.forward_weak {
        return Ok(());
    }
    // A `Weak` came before the strong pointers to its target: find every allocation the
    // value reaches, then copy such targets where the `Weak` is.
    let reachable = crate::engine::dump::reachable(view, reducer, value)?;
    cx.shared = CopyMemo::knowing(reachable);
    cx.copy_whole(reducer, value, place).map_err(locate)
}

/// The state of one copy. Generated code copies through it; it is not for direct use.
#[derive(Debug)]
pub struct Copier<'a> {
    view: &'a View,
    deep: bool,
    pub(crate) depth: Depth,
    pub(crate) shared: CopyMemo,
}

impl<'a> Copier<'a> {
    /// Whether this is a [`deepcopy`](crate::deepcopy): reducer arguments are copied before reuse.
    pub fn is_deep(&self) -> bool {
        self.deep
    }

    pub(crate) fn view(&self) -> &'a View {
        self.view
    }

    /// Copies the whole value once, into `place`.
    // Inlined into `copy_at`, its only caller, which is not generic: no call on the way.
    #[inline(always)]
    fn copy_whole(
        &mut self,
        reducer: &Reducer,
        value: &dyn Any,
        place: &mut dyn Any,
    ) -> Result<(), Failure> {
        match self.nested(|cx| reducer.ops.copy(value, cx, Some(place)))? {
            None => Ok(()),
            Some(_) => unreachable!("a reducer copies into an `Option` of its own type"),
        }
    }

    fn copy_reduced<T: Any>(&mut self, reducer: &Reducer, value: &T) -> Result<T, Failure> {
        let mut slot = None::<T>;
        match self.copy_with(&*reducer.ops, value, Some(&mut slot))? {
            None => Ok(filled(slot)),
            Some(_) => unreachable!("a reducer copies into an `Option` of its own type"),
        }
    }

    /// Copies `value` with `ops` to `place`, one level deeper.
    fn copy_with(&mut self, ops: &dyn Reduce, value: &dyn Any, place: Place<'_>) -> Delivered {
        self.nested(|cx| ops.copy(value, cx, place))
    }

    /// Copies an object: through a run-time reducer if one is registered for its type.
    pub fn copy_object<O: Object>(&mut self, value: &O::Target) -> Result<O::Target, Failure> {
        if let Some(reducer) = self.view.override_reducer(TypeId::of::<O::Target>()) {
            return self.copy_reduced(reducer, value);
        }
        self.nested(|cx| copy_once::<O>(value, cx))
    }

    /// [`Copier::copy_object`] of an object known by its [`Own`], to `place`; compiled
    /// once.
    pub(crate) fn copy_object_as(
        &mut self,
        value: &dyn Any,
        own: &Own,
        place: Place<'_>,
    ) -> Delivered {
        match self.view.override_reducer(own.target.0) {
            Some(reducer) => self.copy_with(&*reducer.ops, value, place),
            None => self.copy_with(own.ops, value, place),
        }
    }

    /// Copies one object of the [`Object`] `O`, as [`Copier::copy_object_as`] does: the
    /// element of a registered `Option` or `Box`, in one copy per type.
    #[inline(never)]
    pub(crate) fn copy_one<O: Object>(&mut self, item: &O::Target) -> Result<O::Target, Failure> {
        let mut slot = None;
        match self.copy_object_as(item, &Own::of::<O>(), Some(&mut slot))? {
            None => Ok(filled(slot)),
            Some(_) => unreachable!("a reducer copies into an `Option` of its own type"),
        }
    }

    /// Copies a run of objects of the [`Object`] `O` into a `Vec`: what
    /// [`copy_object`](Self::copy_object) does for each, with the run-time reducer lookup
    /// and the depth and stack check (the items are siblings) done once.
    pub fn copy_objects<O: Object>(
        &mut self,
        items: &[O::Target],
    ) -> Result<Vec<O::Target>, Failure> {
        let mut out = Vec::with_capacity(items.len());
        if items.is_empty() {
            return Ok(out);
        }
        let own = Own::of::<O>();
        // A run-time reducer copies object by object; and where the stack runs low, each
        // object makes room for itself.
        if self.view.override_reducer(own.target.0).is_some() || !has_room() {
            for item in items {
                out.push(self.copy_one::<O>(item)?);
            }
            return Ok(out);
        }
        self.depth.enter()?;
        let copied = items
            .iter()
            .try_for_each(|item| copy_once::<O>(item, self).map(|copy| out.push(copy)));
        self.depth.leave();
        copied.map(|()| out)
    }

    /// Copies a value of a type known to copyreg only through the registry.
    pub fn copy_dynamic<T: Any>(&mut self, value: &T) -> Result<T, Failure> {
        let view = self.view;
        let reducer = view.require::<T>()?;
        self.copy_reduced(reducer, value)
    }

    /// Copies a `serde` value through the reducer registered for its type, or else by writing
    /// and reading it.
    pub fn copy_serde<T: Serialize + DeserializeOwned + Any>(
        &mut self,
        value: &T,
    ) -> Result<T, Failure> {
        let view = self.view;
        match view.reducer(TypeId::of::<T>())? {
            Some(reducer) => self.copy_reduced(reducer, value),
            None => frame::copy_serde(value),
        }
    }

    /// Wraps the error a constructor returned.
    pub fn constructor_failed(&self, constructor: &str, source: BoxError) -> Failure {
        Error::Construct {
            constructor: constructor.to_string(),
            source,
        }
        .into()
    }
}

impl Nested for Copier<'_> {
    fn depth(&mut self) -> &mut Depth {
        &mut self.depth
    }
}
