//! A thread's last few lookups in the link-time table, which never changes once built: a
//! program that keeps sending values of a few types finds them without hashing.

use std::any::TypeId;
use std::cell::Cell;

use crate::engine::registry::{Constructor, Reducer, Slot, Table};

/// How many lookups of each kind a thread remembers.
const WAYS: usize = 4;

/// The last `WAYS` lookups that found something, the newest replacing the oldest.
struct Recent<K: 'static, V: 'static> {
    entries: [Cell<Option<(K, V)>>; WAYS],
    next: Cell<usize>,
}

impl<K: Copy, V: Copy> Recent<K, V> {
    const fn new() -> Self {
        Recent {
            entries: [const { Cell::new(None) }; WAYS],
            next: Cell::new(0),
        }
    }

    fn find(&self, matches: impl Fn(K) -> bool) -> Option<(K, V)> {
        self.entries
            .iter()
            .find_map(|entry| entry.get().filter(|&(key, _)| matches(key)))
    }

    fn remember(&self, key: K, value: V) {
        let at = self.next.get();
        self.entries[at].set(Some((key, value)));
        self.next.set((at + 1) % WAYS);
    }
}

thread_local! {
    static NAMES: Recent<&'static str, &'static Slot<Constructor>> = const { Recent::new() };
    static TYPES: Recent<TypeId, &'static Slot<Reducer>> = const { Recent::new() };
}

/// What `table` holds under the name spelled by `name`, with the name as the table holds it.
pub(crate) fn constructor(
    table: &'static Table,
    name: &[u8],
) -> Option<(&'static str, &'static Slot<Constructor>)> {
    NAMES.with(|recent| {
        if let Some(hit) = recent.find(|known| same_name(known.as_bytes(), name)) {
            return Some(hit);
        }
        let (known, slot) = table.constructors.get_key_value(name)?;
        let known: &'static str = known;
        recent.remember(known, slot);
        Some((known, slot))
    })
}

/// Whether two names are the same. Names of one program mostly share a module path and
/// differ at the end, so their last words are compared before the rest.
fn same_name(known: &[u8], name: &[u8]) -> bool {
    known.len() == name.len() && known.last_chunk::<8>() == name.last_chunk::<8>() && known == name
}

/// What `table` holds for `type_id`.
pub(crate) fn reducer(table: &'static Table, type_id: TypeId) -> Option<&'static Slot<Reducer>> {
    TYPES.with(|recent| {
        if let Some((_, slot)) = recent.find(|known| known == type_id) {
            return Some(slot);
        }
        let slot = table.reducers.get(&type_id)?;
        recent.remember(type_id, slot);
        Some(slot)
    })
}

#[cfg(test)]
mod tests {
    use super::{Recent, WAYS};

    #[test]
    fn the_newest_lookups_are_kept_and_the_oldest_replaced() {
        let recent = Recent::<u32, &str>::new();
        assert_eq!(recent.find(|k| k == 1), None);
        for k in 0..=WAYS as u32 {
            recent.remember(k, "v");
        }
        assert_eq!(recent.find(|k| k == 0), None);
        for k in 1..=WAYS as u32 {
            assert_eq!(recent.find(|known| known == k), Some((k, "v")));
        }
    }
}
