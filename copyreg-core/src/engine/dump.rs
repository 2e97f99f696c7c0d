//! Writing values: one stream's top-level pass, and the [`Dumper`] that generated code writes
//! to. ([`dumps`](crate::dumps) and its kin, in `api`, call it through a [`Pickler`](crate::Pickler).)

use std::any::{Any, TypeId};
use std::cell::Cell;

use serde::Serialize;

use crate::engine::object::{reduce_once, written_fields, Object, Own};
use crate::engine::registry::casts::Behind;
use crate::engine::registry::{Reducer, Slot, View};
use crate::engine::shared::{DumpMemo, Reachable};
use crate::wire::depth::{Depth, Nested};
use crate::wire::error::{Error, Failure};
use crate::wire::frame;
use crate::wire::hash::TypeMap;
use crate::wire::names::{self, Names};

/// What a pickler asks of each object: an id to write in its place, or `None`.
pub(crate) type PersistentId = dyn Fn(&dyn Any) -> Option<String> + Send + Sync;

/// Room a new stream starts with at least: a small value's header, body and name table
/// fit, so writing it never reallocates.
pub(crate) const START_CAPACITY: usize = 128;

/// The most room a new stream starts with, however long the thread's last one was.
const MAX_START_CAPACITY: usize = 64 * 1024;

thread_local! {
    /// How long the last stream this thread wrote into a new buffer was.
    static LAST_LEN: Cell<usize> = const { Cell::new(0) };
}

/// A buffer for a new stream, with room for one as long as the thread's last (and an
/// eighth more), between 128 bytes and 64 KiB: a program that sends values of one shape
/// writes each without growing the buffer step by step.
pub(crate) fn new_buffer() -> Vec<u8> {
    let last = LAST_LEN.with(Cell::get);
    Vec::with_capacity((last + last / 8).clamp(START_CAPACITY, MAX_START_CAPACITY))
}

/// Notes the length of a stream written into a buffer from [`new_buffer`].
pub(crate) fn written(buffer: &[u8]) {
    LAST_LEN.with(|last| last.set(buffer.len()));
}

/// Appends `value` to `out` as a stream, with `view`'s registrations and a pickler's
/// persistent ids; on error `out` is truncated back to where it was.
pub(crate) fn dump_top(
    view: &View,
    persistent: Option<&PersistentId>,
    value: &dyn Any,
    type_id: TypeId,
    type_name: &'static str,
    out: &mut Vec<u8>,
) -> Result<(), Failure> {
    let reducer = view.reducer(type_id)?.ok_or_else(|| Error::NotRegistered {
        type_name,
        path: String::new(),
    })?;
    let start = out.len();
    let pass = |shared, out: &mut Vec<u8>| dump_pass(view, persistent, reducer, value, shared, out);
    let written = pass(DumpMemo::default(), out).and_then(|memo| {
        if !memo.forward_weak {
            return Ok(());
        }
        // A `Weak` came before the strong pointers to its target: now that the first pass
        // has found every allocation the value reaches, write such targets where the `Weak`
        // is.
        out.truncate(start);
        pass(DumpMemo::knowing(memo.reached()), out).map(drop)
    });
    if written.is_err() {
        out.truncate(start);
    }
    written.map_err(|failure| crate::engine::tree::locate(failure, &*reducer.ops))
}

/// Appends one whole stream to `out`.
fn dump_pass(
    view: &View,
    persistent: Option<&PersistentId>,
    reducer: &Reducer,
    value: &dyn Any,
    shared: DumpMemo,
    out: &mut Vec<u8>,
) -> Result<DumpMemo, Failure> {
    let frame = frame::write_header(out);
    let mut cx = Dumper {
        out: std::mem::take(out),
        view,
        persistent,
        plain: persistent.is_none() && !view.has_overrides(),
        names: Names::default(),
        known: Known::default(),
        depth: Depth::default(),
        shared,
    };
    let written = cx.write_reduced(reducer, value);
    frame::finish(&mut cx.out, frame, cx.names.finish().iter().copied());
    cx.shared.finish();
    let Dumper {
        out: written_out,
        shared,
        ..
    } = cx;
    *out = written_out;
    written.map(|()| shared)
}

/// The allocations that `value`'s strong pointers reach, found by writing it once.
pub(crate) fn reachable(
    view: &View,
    reducer: &Reducer,
    value: &dyn Any,
) -> Result<Reachable, Failure> {
    let mut scratch = Vec::with_capacity(START_CAPACITY);
    dump_pass(
        view,
        None,
        reducer,
        value,
        DumpMemo::default(),
        &mut scratch,
    )
    .map(|memo| memo.reached())
}

/// Whether a constructor name may be introduced to a stream, where some registered names
/// are ambiguous: not one of those, which would not load back. A name nobody registered is
/// fine: the loader knows the type statically (a generic type, or one whose registration
/// the linker dropped) and builds it itself.
#[cold]
fn admit(view: &View, name: &str, code: Option<u32>) -> Result<(), Failure> {
    if let Err(failure) = view.constructor(name) {
        if !matches!(failure.error(), Error::UnknownConstructor { .. }) {
            return Err(failure);
        }
    }
    if let Some(code) = code {
        if let Some((_, Slot::Ambiguous(claimants))) = view.constructor_by_code(code) {
            return Err(Error::CodeConflict {
                code,
                claimants: claimants.clone(),
            }
            .into());
        }
    }
    Ok(())
}

/// The state of one dump: the output, the registry snapshot, and the constructor names this
/// stream has introduced so far. Generated code writes through it; it is not for direct use.
pub struct Dumper<'a> {
    pub(crate) out: Vec<u8>,
    pub(crate) view: &'a View,
    pub(crate) persistent: Option<&'a PersistentId>,
    /// Neither persistent ids to ask for nor private or run-time reducers to look for: an
    /// object of a derived type is written by its own reducer at once.
    pub(crate) plain: bool,
    names: Names<'a>,
    /// Types met only at run time (behind trait objects, or foreign), with the reducer the
    /// view has for each and the index of its constructor name once the stream has one: a
    /// stream of many objects of a few types looks each type up once.
    known: Known<'a>,
    pub(crate) depth: Depth,
    pub(crate) shared: DumpMemo,
}

/// A run-time type's reducer, and the index of its constructor name once written.
type Found<'a> = (&'a Reducer, Option<u64>);

/// The run-time types a dump has met: the latest inline, the others in a map made when a
/// second type is met, so that a value with one such type allocates nothing for them.
#[derive(Default)]
struct Known<'a> {
    latest: Option<(TypeId, Found<'a>)>,
    others: Option<Box<TypeMap<Found<'a>>>>,
}

impl<'a> Known<'a> {
    fn get(&self, type_id: TypeId) -> Option<Found<'a>> {
        match self.latest {
            Some((latest, found)) if latest == type_id => Some(found),
            _ => self.others.as_ref()?.get(&type_id).copied(),
        }
    }

    /// Records `found` for `type_id`; it is what [`Known::get`] gives from now on.
    fn set(&mut self, type_id: TypeId, found: Found<'a>) {
        if let Some((previous, was)) = self.latest.replace((type_id, found)) {
            if previous != type_id {
                // Room for as many types as the stream is expected to name.
                let room = names::expected();
                self.others
                    .get_or_insert_with(|| {
                        Box::new(TypeMap::with_capacity_and_hasher(room, Default::default()))
                    })
                    .insert(previous, was);
            }
        }
    }
}

impl std::fmt::Debug for Dumper<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dumper")
            .field("written", &self.out.len())
            .field("depth", &self.depth)
            .finish_non_exhaustive()
    }
}

impl<'a> Dumper<'a> {
    #[inline]
    pub(crate) fn write_bytes(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    /// Writes each of `items` as the `N` bytes `encode` gives, in one pass over a buffer
    /// grown once (the compiler turns this into a copy for little-endian numbers).
    pub(crate) fn write_each<T, const N: usize>(
        &mut self,
        items: &[T],
        encode: impl Fn(&T) -> [u8; N],
    ) {
        let start = self.out.len();
        // Room for what usually follows a long run too (the name table), so that the
        // stream is not copied to a buffer twice its size for its last few bytes.
        self.out.reserve(items.len() * N + 64);
        self.out.resize(start + items.len() * N, 0);
        for (chunk, item) in self.out[start..].chunks_exact_mut(N).zip(items) {
            chunk.copy_from_slice(&encode(item));
        }
    }

    #[inline]
    pub(crate) fn write_varint(&mut self, value: u64) {
        frame::write_varint(&mut self.out, value);
    }

    /// Writes the value of an integer as a varint.
    #[inline]
    pub(crate) fn write_number(&mut self, value: u64) {
        crate::wire::varint::write_number(&mut self.out, value);
    }

    /// Writes each of `values`, integers, as a varint.
    pub(crate) fn write_numbers(&mut self, values: impl ExactSizeIterator<Item = u64>) {
        // Room for one byte each, and for the name table that usually follows a long run.
        self.out.reserve(values.len() + 64);
        for value in values {
            crate::wire::varint::write_number(&mut self.out, value);
        }
    }

    pub(crate) fn write_u128(&mut self, value: u128) {
        crate::wire::varint::write_u128(&mut self.out, value);
    }

    /// How many bytes the stream holds so far.
    pub(crate) fn position(&self) -> usize {
        self.out.len()
    }

    /// Sets `bits` in a byte already written.
    pub(crate) fn mark(&mut self, at: usize, bits: u8) {
        self.out[at] |= bits;
    }

    #[inline]
    pub(crate) fn write_len(&mut self, len: usize) {
        frame::write_len(&mut self.out, len);
    }

    pub(crate) fn write_serde<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Failure> {
        frame::write_serde(&mut self.out, value)
    }

    /// Writes a reference to constructor `name`: its index in the stream's name table, where
    /// `code`, if there is one, stands in for the name, and `fields` says how many fields a
    /// derived struct's objects write.
    fn write_constructor(
        &mut self,
        name: &'a str,
        code: Option<u32>,
        fields: Option<u32>,
    ) -> Result<u64, Failure> {
        let index = self.constructor_index(name, code, fields)?;
        frame::write_varint(&mut self.out, index);
        Ok(index)
    }

    /// The index [`Dumper::write_constructor`] writes for `name`.
    pub(crate) fn constructor_index(
        &mut self,
        name: &'a str,
        code: Option<u32>,
        fields: Option<u32>,
    ) -> Result<u64, Failure> {
        match self.names.last(name) {
            Some(index) => Ok(index),
            None => self.find_constructor(name, code, fields),
        }
    }

    /// [`Dumper::write_constructor`] for an object of a derived type, with the check that
    /// covers most of them (a type's objects written in a row: map values, fields of one
    /// type) inlined.
    #[inline]
    fn write_own_constructor(
        &mut self,
        name: &'a str,
        code: Option<u32>,
        fields: Option<u32>,
    ) -> Result<(), Failure> {
        match self.names.last(name) {
            // A one-byte varint, as the indexes of all but very long tables are.
            Some(index) if index < 0x80 => self.out.push(index as u8),
            _ => {
                self.write_constructor(name, code, fields)?;
            }
        }
        Ok(())
    }

    /// The index of a constructor name other than the last one written, introducing it to
    /// the stream if it is new.
    fn find_constructor(
        &mut self,
        name: &'a str,
        code: Option<u32>,
        fields: Option<u32>,
    ) -> Result<u64, Failure> {
        let view = self.view;
        if view.has_ambiguous_names() {
            self.names
                .index(name, code, fields, || admit(view, name, code))
        } else {
            self.names.index(name, code, fields, || Ok(()))
        }
    }

    /// Writes the pickler's persistent id for `value` in its place, if it gives one.
    fn write_persistent(&mut self, value: &dyn Any) -> bool {
        let Some(id) = self.persistent.and_then(|id| id(value)) else {
            return false;
        };
        frame::write_varint(&mut self.out, 0);
        frame::write_varint(&mut self.out, id.len() as u64);
        self.out.extend_from_slice(id.as_bytes());
        true
    }

    /// Writes a value as an object: the reducer's constructor reference and arguments.
    pub(crate) fn write_reduced(
        &mut self,
        reducer: &'a Reducer,
        value: &dyn Any,
    ) -> Result<(), Failure> {
        if self.persistent.is_some() && self.write_persistent(value) {
            return Ok(());
        }
        self.nested(|cx| {
            cx.write_constructor(&reducer.name, reducer.code, reducer.fields)?;
            reducer.ops.dump(value, cx)
        })
    }

    /// Writes a value whose type is known only at run time, through the reducer the view
    /// has for it; `unregistered` is the error when there is none. Behind a trait object
    /// (`behind`), even a native value is written as an object, so that the stream says what
    /// type it is, and the type must declare that trait, or no stream of it could load. A
    /// `SIBLING` is one of a run of objects side by side, on a stack the caller made room on
    /// for all of them.
    pub(crate) fn write_registered<const SIBLING: bool>(
        &mut self,
        value: &dyn Any,
        behind: Option<Behind>,
        unregistered: impl FnOnce() -> Error,
    ) -> Result<(), Failure> {
        let type_id = value.type_id();
        let (reducer, index) = match self.known.get(type_id) {
            Some(found) => found,
            None => {
                let reducer = self.view.reducer(type_id)?.ok_or_else(unregistered)?;
                self.known.set(type_id, (reducer, None));
                (reducer, None)
            }
        };
        if let Some(behind) = behind {
            behind.check(reducer)?;
        }
        if reducer.native && behind.is_none() {
            return reducer.ops.dump(value, self);
        }
        if self.persistent.is_some() && self.write_persistent(value) {
            return Ok(());
        }
        self.enter::<SIBLING, _>(|cx| {
            match index {
                Some(index) => frame::write_varint(&mut cx.out, index),
                None => {
                    let index =
                        cx.write_constructor(&reducer.name, reducer.code, reducer.fields)?;
                    cx.known.set(type_id, (reducer, Some(index)));
                }
            }
            reducer.ops.dump(value, cx)
        })
    }

    /// Writes an enum's variant index.
    #[inline]
    pub fn write_variant(&mut self, index: u32) {
        frame::write_varint(&mut self.out, index.into());
    }

    /// Writes an object: a run-time reducer if one is registered for its type, else its own.
    pub fn dump_object<O: Object>(&mut self, value: &O::Target) -> Result<(), Failure> {
        self.with_stack(|cx| cx.dump_sibling::<O>(value))
    }

    /// Writes an object as [`dump_object`](Self::dump_object) does, one of several side by
    /// side (a map's keys or values) on a stack the caller made room on for all of them.
    // Inlined into the loops that call it (a map's entries): B4's maps dump 1.05x faster.
    #[inline(always)]
    pub fn dump_sibling<O: Object>(&mut self, value: &O::Target) -> Result<(), Failure> {
        if !self.plain && self.dumped_specially(value, TypeId::of::<O::Target>())? {
            return Ok(());
        }
        self.entered(|cx| {
            cx.write_own_constructor(O::name(), O::CODE, written_fields::<O>())?;
            reduce_once::<O>(value, cx)
        })
    }

    /// [`Dumper::dump_object`] of an object known by its [`Own`], compiled once.
    pub(crate) fn dump_object_as(&mut self, value: &dyn Any, own: &Own) -> Result<(), Failure> {
        self.with_stack(|cx| {
            if !cx.plain && cx.dumped_specially(value, own.target.0)? {
                return Ok(());
            }
            cx.entered(|cx| {
                cx.write_own_constructor((own.name)(), own.code, own.fields)?;
                own.ops.dump(value, cx)
            })
        })
    }

    /// Writes an object of the type `target` as a persistent id, or through a run-time
    /// reducer, if the pickler has either for it: whether it did.
    fn dumped_specially(&mut self, value: &dyn Any, target: TypeId) -> Result<bool, Failure> {
        if self.persistent.is_some() && self.write_persistent(value) {
            return Ok(true);
        }
        match self.view.override_reducer(target) {
            Some(reducer) => self.write_reduced(reducer, value).map(|()| true),
            None => Ok(false),
        }
    }

    /// Writes a value of a type known to copyreg only through the registry.
    pub fn dump_dynamic<T: Any>(&mut self, value: &T) -> Result<(), Failure> {
        self.write_registered::<false>(value, None, || Error::NotRegistered {
            type_name: std::any::type_name::<T>(),
            path: String::new(),
        })
    }

    /// Writes a `serde` value, unless a reducer is registered for its type (a foreign type
    /// that is also a serde type, or one given to `pickle`): the registry comes first.
    pub fn dump_serde<T: Serialize + Any>(&mut self, value: &T) -> Result<(), Failure> {
        let view = self.view;
        match view.reducer(TypeId::of::<T>())? {
            Some(reducer) if reducer.native => reducer.ops.dump(value, self),
            Some(reducer) => self.write_reduced(reducer, value),
            None => self.write_serde(value),
        }
    }
}

impl Nested for Dumper<'_> {
    fn depth(&mut self) -> &mut Depth {
        &mut self.depth
    }
}

#[cfg(test)]
mod tests {
    use super::{new_buffer, written, MAX_START_CAPACITY, START_CAPACITY};

    #[test]
    fn a_new_buffer_has_room_for_the_threads_last_stream_within_bounds() {
        let room = || new_buffer().capacity();
        written(&[0; 1000]);
        assert!((1125..1200).contains(&room()));
        written(&vec![0; 10 << 20]);
        assert!((MAX_START_CAPACITY..MAX_START_CAPACITY + 64).contains(&room()));
        // One long stream does not make every later buffer large.
        written(&[0; 3]);
        assert!((START_CAPACITY..START_CAPACITY + 64).contains(&room()));
    }
}
