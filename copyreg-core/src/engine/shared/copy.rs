//! Deep-copying shared pointers: each allocation copied once, shared wherever it was.

use std::any::{Any, TypeId};

use super::{
    build_cyclic, cycle, downcast, key, Cycles, Kept, Pointer, Pointers, PointersMark, Reachable,
    Slot,
};
use crate::engine::copy::Copier;
use crate::wire::depth::Nested;
use crate::wire::error::Failure;
use crate::wire::hash::QuickMap;

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
    /// Each allocation met, by address and pointer type: being copied, or where its copy is
    /// kept.
    slots: QuickMap<(usize, TypeId), Slot>,
    copies: Pointers,
    /// The allocation last met again, and where its copy is: a value that refers to one
    /// allocation many times (a list every item shares) finds it without hashing.
    last: Option<((usize, TypeId), Kept)>,
    /// As for [`DumpMemo`](super::DumpMemo).
    reachable: Option<Reachable>,
    cycles: Cycles,
    /// The allocations met since the outermost one a `Weak` points back to began, so that
    /// its copy can start again (see [`Cycles`]).
    journal: Vec<(usize, TypeId)>,
    /// How many times a `Weak` to an allocation being copied has been copied.
    weak_backs: usize,
}

impl CopyState {
    fn mark(&self) -> (usize, PointersMark) {
        (self.journal.len(), self.copies.mark())
    }

    /// Forgets every allocation met since `mark`.
    fn rewind(&mut self, mark: &(usize, PointersMark)) {
        for key in self.journal.drain(mark.0..) {
            self.slots.remove(&key);
        }
        self.copies.rewind(&mark.1);
        self.last = None;
    }
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

impl Copier<'_> {
    /// Copies a shared pointer: [`copy`](crate::copy) shares the allocation, [`deepcopy`](crate::deepcopy)
    /// (crate::deepcopy) copies it once and shares the copy wherever the original was shared.
    pub fn copy_pointer<P: Pointer>(
        &mut self,
        pointer: &P,
        copy: impl Fn(&P::Target, &mut Self) -> Result<P::Target, Failure>,
    ) -> Result<P, Failure> {
        if !self.is_deep() {
            return Ok(pointer.clone());
        }
        let key = key(pointer);
        self.copy_shared(key, |cx| {
            if pointer.has_weak() {
                cx.copy_cyclic(key, pointer, &copy)
            } else {
                copy(pointer.get(), cx).map(P::new)
            }
        })
    }

    /// Copies an allocation that a `Weak` points to, without ever leaving `new_cyclic`
    /// early (see [`Cycles`]).
    fn copy_cyclic<P: Pointer>(
        &mut self,
        key: (usize, TypeId),
        pointer: &P,
        copy: &impl Fn(&P::Target, &mut Self) -> Result<P::Target, Failure>,
    ) -> Result<P, Failure> {
        let cycles = self.shared.state().cycles;
        if cycles == Cycles::Trial {
            return self
                .copy_with_weak(key, &P::dangling(), pointer, copy)
                .map(P::new);
        }
        let mark = self.shared.state().mark();
        let backs = self.shared.state().weak_backs;
        let fallback = match cycles {
            Cycles::Outside => Some(self.trial(key, pointer, copy)?),
            // The trial around this one copied it without error.
            _ => None,
        };
        if self.shared.state().weak_backs == backs {
            if let Some(value) = fallback {
                // Its `Weak`s are held outside the value: the trial's copy is the copy.
                self.shared.state().journal.clear();
                return Ok(P::new(value));
            }
        }
        self.shared.state().rewind(&mark);
        self.shared.state().cycles = Cycles::Replay;
        let built = build_cyclic::<P, Self>(
            self,
            |cx, weak| cx.copy_with_weak(key, weak, pointer, copy),
            fallback,
            |cx| {
                cx.shared.state().rewind(&mark);
                cx.trial(key, pointer, copy)
            },
        );
        let state = self.shared.state();
        state.cycles = cycles;
        if cycles == Cycles::Outside {
            state.journal.clear();
        }
        built
    }

    /// Copies the allocation `key` with a dangling `Weak` for the pointers back to it, and
    /// every such allocation inside it as a plain one.
    fn trial<P: Pointer>(
        &mut self,
        key: (usize, TypeId),
        pointer: &P,
        copy: &impl Fn(&P::Target, &mut Self) -> Result<P::Target, Failure>,
    ) -> Result<P::Target, Failure> {
        let cycles = std::mem::replace(&mut self.shared.state().cycles, Cycles::Trial);
        let value = self.copy_with_weak(key, &P::dangling(), pointer, copy);
        self.shared.state().cycles = cycles;
        value
    }

    /// Copies the allocation `key`, handing `weak` to the pointers back to it.
    fn copy_with_weak<P: Pointer>(
        &mut self,
        key: (usize, TypeId),
        weak: &P::Weak,
        pointer: &P,
        copy: &impl Fn(&P::Target, &mut Self) -> Result<P::Target, Failure>,
    ) -> Result<P::Target, Failure> {
        self.shared
            .state()
            .slots
            .insert(key, Slot::Building(Some(Box::new(weak.clone()))));
        copy(pointer.get(), self)
    }

    /// Deep-copies the allocation `key` once with `copy`; later calls get that copy.
    pub(crate) fn copy_shared<P: Clone + Any>(
        &mut self,
        key: (usize, TypeId),
        copy: impl FnOnce(&mut Self) -> Result<P, Failure>,
    ) -> Result<P, Failure> {
        let memo = self.shared.state();
        if let Some((_, kept)) = memo.last.filter(|&(last, _)| last == key) {
            return memo.copies.get::<P>(kept, "a shared value");
        }
        match memo.slots.get(&key) {
            Some(&Slot::Built(kept)) => {
                memo.last = Some((key, kept));
                return memo.copies.get::<P>(kept, "a shared value");
            }
            Some(Slot::Building(_)) => return Err(cycle::<P>()),
            None => {}
        }
        memo.slots.insert(key, Slot::Building(None));
        if memo.cycles != Cycles::Outside {
            memo.journal.push(key);
        }
        let copied = self.nested(copy)?;
        let memo = self.shared.state();
        let kept = memo.copies.keep(copied.clone());
        memo.slots.insert(key, Slot::Built(kept));
        Ok(copied)
    }

    /// Copies a weak pointer. A deep copy points it at the copy of its target when the target
    /// is in the value (copying the target here if no strong pointer has yet); otherwise, as
    /// Python's `deepcopy` does with weak references, the copy points where the original does.
    pub fn copy_weak<P: Pointer>(
        &mut self,
        weak: &P::Weak,
        copy: impl Fn(&P::Target, &mut Self) -> Result<P::Target, Failure>,
    ) -> Result<P::Weak, Failure> {
        if !self.is_deep() {
            return Ok(weak.clone());
        }
        let Some(target) = P::upgrade(weak) else {
            return Ok(P::dangling());
        };
        let key = key(&target);
        let memo = self.shared.state();
        match memo.slots.get(&key) {
            Some(&Slot::Built(kept)) => {
                return Ok(memo.copies.get::<P>(kept, "a shared value")?.downgrade())
            }
            Some(Slot::Building(Some(copy))) => {
                let weak = downcast::<P::Weak>(&**copy, "a shared value")?;
                memo.weak_backs += 1;
                return Ok(weak);
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
