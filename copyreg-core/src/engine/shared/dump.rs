//! Writing shared pointers: each allocation once, back references after that.

use std::any::TypeId;
use std::cell::Cell;
use std::collections::hash_map::Entry;

use smallvec::SmallVec;

use super::{
    cycle, key, Pointer, CYCLIC, POINTER_BACK, WEAK_BACK, WEAK_DANGLING, WEAK_TARGET_FOLLOWS,
};
use crate::engine::dump::Dumper;
use crate::wire::depth::Nested;
use crate::wire::error::Failure;
use crate::wire::hash::{QuickMap, QuickSet};

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
    /// Each allocation written, by address and pointer type: its index in the stream.
    seen: QuickMap<(usize, TypeId), u64>,
    /// What is known of each allocation written, by index (a few inline: most values
    /// share few allocations).
    written: SmallVec<[Written; 4]>,
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
        self.state.get_or_insert_with(|| {
            // Room for as many allocations as the thread's last stream had: a graph of
            // thousands of nodes does not rehash its way up.
            let room = LAST_SEEN.with(Cell::get).min(MOST_EXPECTED);
            Box::new(DumpState {
                seen: QuickMap::with_capacity_and_hasher(room, Default::default()),
                written: SmallVec::with_capacity(room),
                ..DumpState::default()
            })
        })
    }

    /// Notes how many allocations this pass wrote, for the thread's next stream.
    pub(crate) fn finish(&self) {
        if let Some(state) = &self.state {
            LAST_SEEN.with(|last| last.set(state.written.len()));
        }
    }
}

thread_local! {
    /// How many shared allocations the last stream this thread wrote had.
    static LAST_SEEN: Cell<usize> = const { Cell::new(0) };
}

/// Past this many, a stream's memo grows step by step again: one huge graph does not make
/// every later stream start large.
const MOST_EXPECTED: usize = 1 << 16;

#[derive(Debug, Clone, Copy)]
struct Written {
    /// Still being written: a strong pointer to it now would be a cycle.
    building: bool,
    /// Where its pointer's byte is, to mark it when a `Weak` inside points back.
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
        match self.shared.state().last {
            Some((last, index)) if last == key => {
                self.write_varint(index + POINTER_BACK);
                Ok(())
            }
            _ => self.dump_shared_looked_up::<P>(key, write),
        }
    }

    /// [`Dumper::dump_shared`] for an allocation other than the last one referred back to.
    #[inline(never)]
    fn dump_shared_looked_up<P>(
        &mut self,
        key: (usize, TypeId),
        write: impl FnOnce(&mut Self) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        let flags_at = self.position();
        let memo = self.shared.state();
        let index = memo.written.len();
        // One lookup, whether the allocation is new or not.
        match memo.seen.entry(key) {
            Entry::Occupied(seen) => {
                let index = *seen.get();
                if memo.written[index as usize].building {
                    return Err(cycle::<P>());
                }
                // Only an allocation written in full: a reference into one still being
                // written is a cycle every time.
                memo.last = Some((key, index));
                self.write_varint(index + POINTER_BACK);
                return Ok(());
            }
            Entry::Vacant(seen) => {
                seen.insert(index as u64);
                memo.written.push(Written {
                    building: true,
                    flags_at,
                });
            }
        }
        self.write_bytes(&[0]);
        self.nested(write)?;
        self.shared.state().written[index].building = false;
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
        let memo = self.shared.state();
        if let Some(&index) = memo.seen.get(&key) {
            let Written { building, flags_at } = memo.written[index as usize];
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

#[cfg(test)]
mod tests {
    use std::any::TypeId;

    use super::{DumpMemo, Written, MOST_EXPECTED};

    /// A memo that has written `n` allocations.
    fn written(n: usize) -> DumpMemo {
        let mut memo = DumpMemo::default();
        let state = memo.state();
        for i in 0..n {
            state.seen.insert((i, TypeId::of::<u8>()), i as u64);
            state.written.push(Written {
                building: false,
                flags_at: 0,
            });
        }
        memo
    }

    #[test]
    fn a_memo_has_room_for_as_many_allocations_as_the_threads_last() {
        std::thread::spawn(|| {
            let room = || DumpMemo::default().state().seen.capacity();
            assert_eq!(room(), 0);
            written(1000).finish();
            assert!(room() >= 1000);
            // One huge graph does not make every later memo as large.
            written(MOST_EXPECTED + 10).finish();
            assert!((MOST_EXPECTED..2 * MOST_EXPECTED).contains(&room()));
            written(3).finish();
            assert!(room() < 16);
        })
        .join()
        .unwrap();
    }
}
