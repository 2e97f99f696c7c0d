//! The constructor names a stream being written has introduced, and their indexes.

use std::cell::Cell;
use std::collections::hash_map::Entry;

use smallvec::SmallVec;

use crate::wire::error::Failure;
use crate::wire::hash::QuickMap;

/// Constructor names already in the stream, so that each is written once and referred to by
/// its index after that. A name usually comes from one constant, so it is looked up by the
/// address of its `&str` first; the same name may sit at several addresses (one per crate
/// that uses it), so a miss is looked up by text. A stream names few constructors, so they
/// are searched in order until there are more than `LINEAR`, then through maps.
#[derive(Default)]
pub(crate) struct Names<'a> {
    last: Option<((usize, usize), u64)>,
    /// In index order, for the table at the end of the stream: each name, with the compact
    /// code written in its place if it has one.
    /// And how many fields a derived struct writes.
    in_order: SmallVec<[TableEntry<'a>; 4]>,
    /// Built once the stream names more than `LINEAR` constructors.
    maps: Option<Box<NameMaps<'a>>>,
}

/// A name-table entry: the name, the compact code written in its place if any, and how many
/// fields a derived struct's objects write.
pub(crate) type TableEntry<'a> = (&'a str, Option<u32>, Option<u32>);

struct NameMaps<'a> {
    by_address: QuickMap<(usize, usize), u64>,
    by_text: QuickMap<&'a str, u64>,
}

const LINEAR: usize = 16;

thread_local! {
    /// How many constructor names the last stream this thread finished had.
    static LAST_COUNT: Cell<usize> = const { Cell::new(0) };
}

/// Past this many, a stream's names grow their list and maps step by step again: one
/// stream of a great many types does not make every later one start large.
const MOST_EXPECTED: usize = 4096;

/// How many constructor names a stream is expected to introduce: as many as the last
/// stream this thread finished (up to `MOST_EXPECTED`). Room is made for as many when a
/// stream outgrows its first few, so that a stream of many types does not grow its list
/// and maps step by step.
pub(crate) fn expected() -> usize {
    LAST_COUNT.with(Cell::get).min(MOST_EXPECTED)
}

fn address_of(name: &str) -> (usize, usize) {
    (name.as_ptr() as usize, name.len())
}

impl<'a> Names<'a> {
    /// The names in index order, for the stream's table; their count is noted for the
    /// thread's next stream.
    pub(crate) fn finish(&self) -> &[TableEntry<'a>] {
        LAST_COUNT.with(|last| last.set(self.in_order.len()));
        &self.in_order
    }

    /// The index of `name` if it is the name last asked for: what a run of objects of one
    /// type asks, checked without a search.
    #[inline]
    pub(crate) fn last(&self, name: &str) -> Option<u64> {
        match self.last {
            Some((last, index)) if last == address_of(name) => Some(index),
            _ => None,
        }
    }

    /// The index of `name`, introducing it (with the compact code written in its place, if
    /// any, and the number of fields its objects write, for a derived struct) when the
    /// stream has not, once `admit` accepts it.
    pub(crate) fn index(
        &mut self,
        name: &'a str,
        code: Option<u32>,
        fields: Option<u32>,
        admit: impl FnOnce() -> Result<(), Failure>,
    ) -> Result<u64, Failure> {
        let address = address_of(name);
        let next = self.in_order.len() as u64 + 1;
        let index = match &mut self.maps {
            // One hash per map, whether the name is new or not.
            Some(maps) => match maps.by_address.entry(address) {
                Entry::Occupied(known) => *known.get(),
                Entry::Vacant(at_address) => match maps.by_text.entry(name) {
                    Entry::Occupied(known) => *at_address.insert(*known.get()),
                    Entry::Vacant(text) => {
                        admit()?;
                        self.in_order.push((name, code, fields));
                        text.insert(next);
                        *at_address.insert(next)
                    }
                },
            },
            None => match self.position(name) {
                Some(position) => position as u64 + 1,
                None => {
                    admit()?;
                    self.push_listed(name, code, fields);
                    next
                }
            },
        };
        self.last = Some((address, index));
        Ok(index)
    }

    /// Where `name` is in the list, by address first, then by text.
    fn position(&self, name: &str) -> Option<usize> {
        let address = address_of(name);
        let same = |(n, _, _): &(&str, _, _)| address_of(n) == address;
        match self.in_order.iter().position(same) {
            Some(p) => Some(p),
            None => self.in_order.iter().position(|(n, _, _)| *n == name),
        }
    }

    /// Adds a name while the list is searched in order; builds the maps once there are
    /// more than `LINEAR`.
    #[inline]
    fn push_listed(&mut self, name: &'a str, code: Option<u32>, fields: Option<u32>) {
        if self.in_order.len() == self.in_order.capacity() {
            self.make_room();
        }
        self.in_order.push((name, code, fields));
        if self.in_order.len() > LINEAR {
            self.build_maps();
        }
    }

    /// Grows the list to the names expected, or at least twice its length.
    #[cold]
    fn make_room(&mut self) {
        let len = self.in_order.len();
        self.in_order
            .reserve(expected().saturating_sub(len).max(len));
    }

    /// Makes the maps that take over from the list, with room for the names expected.
    #[cold]
    fn build_maps(&mut self) {
        let room = expected().max(2 * LINEAR);
        let mut maps = Box::new(NameMaps {
            by_address: QuickMap::with_capacity_and_hasher(room, Default::default()),
            by_text: QuickMap::with_capacity_and_hasher(room, Default::default()),
        });
        for ((n, _, _), i) in self.in_order.iter().zip(1..) {
            maps.by_address.insert(address_of(n), i);
            maps.by_text.insert(n, i);
        }
        self.maps = Some(maps);
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::Names;
    use crate::wire::error::Error;

    /// The index of `name`, and whether it was new to the stream.
    fn index<'a>(names: &mut Names<'a>, name: &'a str) -> (u64, bool) {
        let new = Cell::new(false);
        let admit = || {
            new.set(true);
            Ok(())
        };
        (names.index(name, None, None, admit).unwrap(), new.get())
    }

    fn leak(name: &str) -> &'static str {
        Box::leak(name.to_string().into_boxed_str())
    }

    #[test]
    fn one_name_at_two_addresses_gets_one_index() {
        let mut names = Names::default();
        let here: &'static str = "geo.Point";
        let elsewhere = leak("geo.Point");
        assert_ne!(here.as_ptr(), elsewhere.as_ptr());
        assert_eq!(index(&mut names, here), (1, true));
        assert_eq!(index(&mut names, elsewhere), (1, false));
        assert_eq!(index(&mut names, here), (1, false));
        assert_eq!(index(&mut names, "geo.Line"), (2, true));
        assert_eq!(index(&mut names, "geo.Line"), (2, false));
        // A prefix at the same address is another name.
        assert_eq!(index(&mut names, &here[..3]), (3, true));
        // Past the linear search, maps take over with the same answers.
        for i in 0..40 {
            let name = format!("n{i}");
            let (first, new) = index(&mut names, leak(&name));
            assert!(new, "{name}");
            assert_eq!(index(&mut names, leak(&name)), (first, false));
        }
        assert_eq!(index(&mut names, "geo.Line"), (2, false));
        assert_eq!(index(&mut names, "n0"), (4, false));
        assert_eq!(index(&mut names, elsewhere), (1, false));
        assert_eq!(index(&mut names, here), (1, false));
        assert_eq!(index(&mut names, &here[..3]), (3, false));
        let table: Vec<&str> = names.finish().iter().map(|(n, _, _)| *n).collect();
        assert_eq!(table[..4], ["geo.Point", "geo.Line", "geo", "n0"]);
        assert_eq!(table.len(), 43);
    }

    #[test]
    fn a_refused_name_takes_no_index() {
        for many in [0, 30] {
            let mut names = Names::default();
            for i in 0..many {
                index(&mut names, leak(&format!("n{i}")));
            }
            let refused = names.index("bad", None, None, || {
                Err(Error::Builtin { type_name: "x" }.into())
            });
            assert!(refused.is_err());
            assert_eq!(index(&mut names, "good"), (many + 1, true));
            assert_eq!(index(&mut names, "bad"), (many + 2, true));
        }
    }

    #[test]
    fn a_stream_expects_as_many_names_as_the_threads_last() {
        std::thread::spawn(|| {
            assert_eq!(super::expected(), 0);
            let mut names = Names::default();
            for i in 0..25 {
                index(&mut names, leak(&format!("n{i}")));
            }
            names.finish();
            assert_eq!(super::expected(), 25);
            for i in 25..5000 {
                index(&mut names, leak(&format!("n{i}")));
            }
            names.finish();
            assert_eq!(super::expected(), super::MOST_EXPECTED);
        })
        .join()
        .unwrap();
    }
}
