//! Deep-copying shared pointers: each allocation copied once, shared wherever it was.

use std::any::{Any, TypeId};

use super::{build_cyclic, cycle, downcast, key, Pointer, Reachable, Slot};
use crate::copy::Copier;
use crate::depth::Nested;
use crate::error::Error;
use crate::hash::QuickMap;

/// What a deep copy has rebuilt, by original address.
#[derive(Debug, Default)]
pub(crate) struct CopyMemo {
    /// Made at the first shared pointer: values without any carry no maps.
    state: Option<Box<CopyState>>,
    /// As for [`DumpMemo`](super::DumpMemo).
    pub(crate) forward_weak: bool,
}

#[derive(Debug, Default)]
struct CopyState {
    /// Each allocation met, with the index of its copy in `copies` once it has one.
    slots: QuickMap<(usize, TypeId), Slot<usize>>,
    /// The copies: the `Arc`s and `Rc`s.
    copies: Vec<Box<dyn Any>>,
    /// The allocation last met again, and its copy's index: siblings' links to one parent,
    /// or a list of one shared value, find it without hashing.
    last: Option<((usize, TypeId), usize)>,
    /// As for [`DumpMemo`](super::DumpMemo).
    reachable: Option<Reachable>,
}

impl CopyMemo {
    /// A memo for a pass that knows what is reachable.
    pub(crate) fn knowing(reachable: Reachable) -> Self {
        CopyMemo {
            state: Some(Box::new(CopyState {
                reachable: Some(reachable),
                ..CopyState::default()
            })),
            forward_weak: false,
        }
    }

    fn state(&mut self) -> &mut CopyState {
        self.state.get_or_insert_with(Box::default)
    }
}

impl CopyState {
    /// The copy at `index`, as the pointer type `P` it was made as.
    fn copy_at<P: Clone + Any>(&self, index: usize) -> Result<P, Error> {
        downcast::<P>(&*self.copies[index], "a shared value")
    }
}

impl Copier<'_> {
    /// Copies a shared pointer: [`copy`](crate::copy) shares the allocation, [`deepcopy`]
    /// (crate::deepcopy) copies it once and shares the copy wherever the original was shared.
    pub fn copy_pointer<P: Pointer>(
        &mut self,
        pointer: &P,
        copy: impl FnOnce(&P::Target, &mut Self) -> Result<P::Target, Error>,
    ) -> Result<P, Error> {
        if !self.is_deep() {
            return Ok(pointer.clone());
        }
        let key = key(pointer);
        self.copy_shared(key, |cx| {
            if pointer.has_weak() {
                build_cyclic::<P>(|weak| {
                    cx.shared
                        .state()
                        .slots
                        .insert(key, Slot::Building(Some(Box::new(weak.clone()))));
                    copy(pointer.get(), cx)
                })
            } else {
                copy(pointer.get(), cx).map(P::new)
            }
        })
    }

    /// Deep-copies the allocation `key` once with `copy`; later calls get that copy.
    pub(crate) fn copy_shared<P: Clone + Any>(
        &mut self,
        key: (usize, TypeId),
        copy: impl FnOnce(&mut Self) -> Result<P, Error>,
    ) -> Result<P, Error> {
        let memo = self.shared.state();
        match memo.last {
            Some((last, index)) if last == key => return memo.copy_at(index),
            _ => {}
        }
        match memo.slots.get(&key) {
            Some(&Slot::Built(index)) => {
                memo.last = Some((key, index));
                return memo.copy_at(index);
            }
            Some(Slot::Building(_)) => return Err(cycle::<P>()),
            None => {}
        }
        memo.slots.insert(key, Slot::Building(None));
        let copied = self.nested(copy)?;
        let memo = self.shared.state();
        memo.slots.insert(key, Slot::Built(memo.copies.len()));
        memo.copies.push(Box::new(copied.clone()));
        Ok(copied)
    }

    /// Copies a weak pointer. A deep copy points it at the copy of its target when the target
    /// is in the value (copying the target here if no strong pointer has yet); otherwise, as
    /// Python's `deepcopy` does with weak references, the copy points where the original does.
    pub fn copy_weak<P: Pointer>(
        &mut self,
        weak: &P::Weak,
        copy: impl FnOnce(&P::Target, &mut Self) -> Result<P::Target, Error>,
    ) -> Result<P::Weak, Error> {
        if !self.is_deep() {
            return Ok(weak.clone());
        }
        let Some(target) = P::upgrade(weak) else {
            return Ok(P::dangling());
        };
        let key = key(&target);
        match self.shared.state().slots.get(&key) {
            Some(&Slot::Built(index)) => {
                return Ok(self.shared.state().copy_at::<P>(index)?.downgrade())
            }
            Some(Slot::Building(Some(copy))) => {
                return downcast::<P::Weak>(&**copy, "a shared value")
            }
            Some(Slot::Building(None)) => return Ok(weak.clone()),
            None => {}
        }
        match &self.shared.state().reachable {
            // The memo keeps the copy alive for the strong pointers still to come.
            Some(reachable) if reachable.contains(&key) => {
                Ok(self.copy_pointer(&target, copy)?.downgrade())
            }
            Some(_) => Ok(weak.clone()),
            None => {
                self.shared.forward_weak = true;
                Ok(weak.clone())
            }
        }
    }
}
