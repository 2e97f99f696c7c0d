//! Writing shared pointers: each allocation once, back references after that.

use std::any::TypeId;

use super::{cycle, key, Pointer, CYCLIC, WEAK_BACK, WEAK_DANGLING, WEAK_TARGET_FOLLOWS};
use crate::depth::Nested;
use crate::dump::Dumper;
use crate::error::Failure;
use crate::hash::{QuickMap, QuickSet};

/// What a dump has written of each allocation.
#[derive(Debug, Default)]
pub(crate) struct DumpMemo {
    /// Made at the first shared pointer: values without any carry no maps.
    state: Option<Box<DumpState>>,
    /// A `Weak` met its target before any strong pointer did: a second pass, knowing what
    /// is reachable, can write the target there.
    pub(crate) forward_weak: bool,
}

#[derive(Debug, Default)]
struct DumpState {
    seen: QuickMap<(usize, TypeId), Seen>,
    /// The allocation last referred back to, and its index: siblings' links to one parent,
    /// or a list of one shared value, find it without hashing.
    last: Option<((usize, TypeId), u64)>,
    /// The allocations strong pointers in the value reach, once a first pass has found them.
    reachable: Option<Reachable>,
}

/// The allocations a value's strong pointers reach.
pub(crate) type Reachable = QuickSet<(usize, TypeId)>;

impl DumpMemo {
    /// A memo for a pass that knows what is reachable.
    pub(crate) fn knowing(reachable: Reachable) -> Self {
        DumpMemo {
            state: Some(Box::new(DumpState {
                reachable: Some(reachable),
                ..DumpState::default()
            })),
            forward_weak: false,
        }
    }

    /// What this pass reached through strong pointers.
    pub(crate) fn reached(self) -> Reachable {
        self.state
            .map(|state| state.seen.into_keys().collect())
            .unwrap_or_default()
    }

    fn state(&mut self) -> &mut DumpState {
        self.state.get_or_insert_with(Box::default)
    }
}

#[derive(Debug)]
struct Seen {
    index: u64,
    /// Still being written: a strong pointer to it now would be a cycle.
    building: bool,
    /// Where its flags byte is, to mark it when a `Weak` inside points back.
    flags_at: usize,
}

impl Dumper<'_> {
    /// Writes a shared pointer: the value the first time, a back reference after that.
    pub fn dump_pointer<P: Pointer>(
        &mut self,
        pointer: &P,
        write: impl FnOnce(&P::Target, &mut Self) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        self.dump_shared::<P>(key(pointer), |cx| write(pointer.get(), cx))
    }

    /// Writes the allocation `key` (its address and pointer type): by `write` the first
    /// time, as a back reference after that.
    pub(crate) fn dump_shared<P>(
        &mut self,
        key: (usize, TypeId),
        write: impl FnOnce(&mut Self) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        let memo = self.shared.state();
        let written = match memo.last {
            Some((last, index)) if last == key => Some(index),
            _ => match memo.seen.get(&key) {
                Some(seen) if seen.building => return Err(cycle::<P>()),
                Some(seen) => {
                    // Only an allocation written in full: a reference into one still being
                    // written is a cycle every time.
                    memo.last = Some((key, seen.index));
                    Some(seen.index)
                }
                None => None,
            },
        };
        if let Some(index) = written {
            self.write_varint(index + 1);
            return Ok(());
        }
        self.write_varint(0);
        let seen = Seen {
            index: self.shared.state().seen.len() as u64,
            building: true,
            flags_at: self.position(),
        };
        self.write_bytes(&[0]);
        self.shared.state().seen.insert(key, seen);
        self.nested(write)?;
        if let Some(seen) = self.shared.state().seen.get_mut(&key) {
            seen.building = false;
        }
        Ok(())
    }

    /// Writes a weak pointer: a reference to its target if the stream has it already (or is
    /// writing it around this `Weak`); the target itself, written by `write`, if it is in the
    /// value but comes later; dangling if it is not in the value.
    pub fn dump_weak<P: Pointer>(
        &mut self,
        weak: &P::Weak,
        write: impl FnOnce(&P::Target, &mut Self) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        let Some(target) = P::upgrade(weak) else {
            self.write_varint(WEAK_DANGLING);
            return Ok(());
        };
        let key = key(&target);
        if let Some(seen) = self.shared.state().seen.get(&key) {
            let (index, building, flags_at) = (seen.index, seen.building, seen.flags_at);
            if building {
                self.mark(flags_at, CYCLIC);
            }
            self.write_varint(index + WEAK_BACK);
            return Ok(());
        }
        match &self.shared.state().reachable {
            Some(reachable) if reachable.contains(&key) => {
                self.write_varint(WEAK_TARGET_FOLLOWS);
                self.dump_pointer(&target, write)
            }
            Some(_) => {
                self.write_varint(WEAK_DANGLING);
                Ok(())
            }
            None => {
                self.shared.forward_weak = true;
                self.write_varint(WEAK_DANGLING);
                Ok(())
            }
        }
    }
}
