//! Writing values: [`dumps`], [`dumps_dyn`] and the [`Dumper`] that generated code writes to.

use std::any::{Any, TypeId};

use serde::Serialize;
use smallvec::SmallVec;

use crate::codec;
use crate::depth::Depth;
use crate::depth::Nested;
use crate::error::Error;
use crate::ops::Object;
use crate::pickler::{PersistentId, Pickler};
use crate::registry::{QuickMap, Reducer, Slot, TypeMap, View};
use crate::shared::{DumpMemo, Reachable};

/// Serializes `value` into a new copyreg stream.
///
/// The type must be registered: derived with `#[derive(Reducible)]`, attached with
/// `register_foreign!` or `pickle`, or one copyreg registers out of the box (the primitives,
/// `String`, and `Vec`, `Option` and `Box` of any registered type).
///
/// ```
/// #[derive(copyreg::Reducible, Debug, PartialEq)]
/// struct Point {
///     x: i32,
///     y: i32,
/// }
///
/// let bytes = copyreg::dumps(&Point { x: 3, y: 4 })?;
/// assert_eq!(copyreg::loads::<Point>(&bytes)?, Point { x: 3, y: 4 });
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn dumps<T: Any>(value: &T) -> Result<Vec<u8>, Error> {
    DEFAULT.dumps(value)
}

/// What [`dumps`], [`dumps_dyn`] and [`dumps_into`] use, built once rather than per call.
static DEFAULT: Pickler = Pickler::new();

/// The type-erased twin of [`dumps`]: the same bytes, for a value known only as `&dyn Any`.
///
/// ```
/// use std::any::Any;
///
/// let values: Vec<Box<dyn Any>> = vec![Box::new(7u8), Box::new(String::from("seven"))];
/// for value in &values {
///     let bytes = copyreg::dumps_dyn(value.as_ref())?;
///     let back = copyreg::loads_any(&bytes)?;
///     assert_eq!((*back).type_id(), (**value).type_id());
/// }
/// assert_eq!(copyreg::dumps_dyn(&7u8)?, copyreg::dumps(&7u8)?);
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn dumps_dyn(value: &dyn Any) -> Result<Vec<u8>, Error> {
    DEFAULT.dumps_dyn(value)
}

/// Appends `value` to `out` as a copyreg stream.
///
/// The same bytes as [`dumps`], written into a buffer the caller keeps: a program that
/// sends many values can reuse one allocation. On error, `out` is left as it was.
///
/// ```
/// let mut buffer = Vec::new();
/// for n in 0..3u32 {
///     buffer.clear();
///     copyreg::dumps_into(&n, &mut buffer)?;
///     assert_eq!(buffer, copyreg::dumps(&n)?);
/// }
///
/// struct Unregistered;
/// assert!(copyreg::dumps_into(&Unregistered, &mut buffer).is_err());
/// assert_eq!(buffer, copyreg::dumps(&2u32)?);
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn dumps_into<T: Any>(value: &T, out: &mut Vec<u8>) -> Result<(), Error> {
    DEFAULT.dumps_into(value, out)
}

/// Room a new stream starts with: a small value's header, body and name table fit, so
/// writing it never reallocates.
pub(crate) const START_CAPACITY: usize = 128;

/// Appends `value` to `out` as a stream, with `view`'s registrations and a pickler's
/// persistent ids; on error `out` is truncated back to where it was.
pub(crate) fn dump_top(
    view: &View,
    persistent: Option<&PersistentId>,
    value: &dyn Any,
    type_id: TypeId,
    type_name: &'static str,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    let reducer = view
        .reducer(type_id)?
        .ok_or_else(|| Error::NotRegistered { type_name })?;
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
    written
}

/// Appends one whole stream to `out`.
fn dump_pass(
    view: &View,
    persistent: Option<&PersistentId>,
    reducer: &Reducer,
    value: &dyn Any,
    shared: DumpMemo,
    out: &mut Vec<u8>,
) -> Result<DumpMemo, Error> {
    codec::write_header(out);
    let mut cx = Dumper {
        out: std::mem::take(out),
        view,
        persistent,
        names: Names::default(),
        by_type: None,
        depth: Depth::default(),
        shared,
    };
    let written = cx.write_reduced(reducer, value);
    let Dumper {
        out: mut written_out,
        names,
        shared,
        ..
    } = cx;
    codec::write_names(&mut written_out, names.in_order);
    *out = written_out;
    written.map(|()| shared)
}

/// The allocations that `value`'s strong pointers reach, found by writing it once.
pub(crate) fn reachable(
    view: &View,
    reducer: &Reducer,
    value: &dyn Any,
) -> Result<Reachable, Error> {
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

/// The state of one dump: the output, the registry snapshot, and the constructor names this
/// stream has introduced so far. Generated code writes through it; it is not for direct use.
pub struct Dumper<'a> {
    out: Vec<u8>,
    view: &'a View,
    persistent: Option<&'a PersistentId>,
    names: Names<'a>,
    /// Types met only at run time (behind trait objects, or foreign), with the reducer the
    /// view has for each and the index of its constructor name once the stream has one: a
    /// stream of many objects of a few types looks each type up once. Boxed, and made on
    /// first use, to keep the dumper small for values that have no such types.
    by_type: Option<Box<ByType<'a>>>,
    pub(crate) depth: Depth,
    pub(crate) shared: DumpMemo,
}

/// Each run-time type's reducer, and the index of its constructor name once written.
type ByType<'a> = TypeMap<(&'a Reducer, Option<u64>)>;

impl std::fmt::Debug for Dumper<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dumper")
            .field("written", &self.out.len())
            .field("depth", &self.depth)
            .finish_non_exhaustive()
    }
}

/// Constructor names already in the stream, so that each is written once and referred to by
/// its index after that. A name usually comes from one constant, so it is looked up by the
/// address of its `&str` first; the same name may sit at several addresses (one per crate
/// that uses it), so a miss is looked up by text. A stream names few constructors, so they
/// are searched in order until there are more than `LINEAR`, then through maps.
#[derive(Default)]
struct Names<'a> {
    last: Option<((usize, usize), u64)>,
    /// In index order, for the table at the end of the stream: each name, with the compact
    /// code written in its place if it has one.
    in_order: SmallVec<[(&'a str, Option<u32>); 4]>,
    /// Built once the stream names more than `LINEAR` constructors.
    maps: Option<Box<NameMaps<'a>>>,
}

#[derive(Default)]
struct NameMaps<'a> {
    by_address: QuickMap<(usize, usize), u64>,
    by_text: QuickMap<&'a str, u64>,
}

const LINEAR: usize = 16;

fn address_of(name: &str) -> (usize, usize) {
    (name.as_ptr() as usize, name.len())
}

impl<'a> Names<'a> {
    fn get(&mut self, name: &'a str) -> Option<u64> {
        let address = address_of(name);
        if let Some((last, index)) = self.last {
            if last == address {
                return Some(index);
            }
        }
        let index = match &mut self.maps {
            Some(maps) => match maps.by_address.get(&address) {
                Some(&index) => index,
                None => {
                    let index = *maps.by_text.get(name)?;
                    maps.by_address.insert(address, index);
                    index
                }
            },
            None => {
                let same = |(n, _): &(&str, _)| address_of(n) == address;
                let position = match self.in_order.iter().position(same) {
                    Some(p) => p,
                    None => self.in_order.iter().position(|(n, _)| *n == name)?,
                };
                position as u64 + 1
            }
        };
        self.last = Some((address, index));
        Some(index)
    }

    fn insert(&mut self, name: &'a str, code: Option<u32>) -> u64 {
        self.in_order.push((name, code));
        let index = self.in_order.len() as u64;
        if self.maps.is_none() && self.in_order.len() > LINEAR {
            let mut maps = Box::<NameMaps<'a>>::default();
            for ((n, _), i) in self.in_order.iter().zip(1..) {
                maps.by_address.insert(address_of(n), i);
                maps.by_text.insert(n, i);
            }
            self.maps = Some(maps);
        } else if let Some(maps) = &mut self.maps {
            maps.by_address.insert(address_of(name), index);
            maps.by_text.insert(name, index);
        }
        index
    }
}

impl<'a> Dumper<'a> {
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

    pub(crate) fn write_varint(&mut self, value: u64) {
        codec::write_varint(&mut self.out, value);
    }

    /// How many bytes the stream holds so far.
    pub(crate) fn position(&self) -> usize {
        self.out.len()
    }

    /// Sets `bits` in a byte already written.
    pub(crate) fn mark(&mut self, at: usize, bits: u8) {
        self.out[at] |= bits;
    }

    pub(crate) fn write_len(&mut self, len: usize) {
        codec::write_len(&mut self.out, len);
    }

    pub(crate) fn write_serde<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        codec::write_serde(&mut self.out, value)
    }

    /// Writes a reference to constructor `name`: its index in the stream's name table, where
    /// `code`, if there is one, stands in for the name.
    fn write_constructor(&mut self, name: &'a str, code: Option<u32>) -> Result<u64, Error> {
        if let Some(index) = self.names.get(name) {
            codec::write_varint(&mut self.out, index);
            return Ok(index);
        }
        // First use in this stream: refuse a name that would not load back unambiguously. A
        // name nobody registered is fine: the loader knows the type statically (a generic
        // type, or one whose registration the linker dropped) and builds it itself.
        if self.view.has_ambiguous_names() {
            match self.view.constructor(name) {
                Ok(_) | Err(Error::UnknownConstructor { .. }) => {}
                Err(e) => return Err(e),
            }
            if let Some(code) = code {
                if let Some((_, Slot::Ambiguous(claimants))) = self.view.constructor_by_code(code) {
                    return Err(Error::CodeConflict {
                        code,
                        claimants: claimants.clone(),
                    });
                }
            }
        }
        let index = self.names.insert(name, code);
        codec::write_varint(&mut self.out, index);
        Ok(index)
    }

    /// Writes the pickler's persistent id for `value` in its place, if it gives one.
    fn write_persistent(&mut self, value: &dyn Any) -> bool {
        let Some(id) = self.persistent.and_then(|id| id(value)) else {
            return false;
        };
        codec::write_varint(&mut self.out, 0);
        codec::write_varint(&mut self.out, id.len() as u64);
        self.out.extend_from_slice(id.as_bytes());
        true
    }

    /// Writes a value as an object: the reducer's constructor reference and arguments.
    pub(crate) fn write_reduced(
        &mut self,
        reducer: &'a Reducer,
        value: &dyn Any,
    ) -> Result<(), Error> {
        if self.persistent.is_some() && self.write_persistent(value) {
            return Ok(());
        }
        self.nested(|cx| {
            cx.write_constructor(&reducer.name, reducer.code)?;
            reducer.ops.dump(value, cx)
        })
    }

    /// Writes a value whose type is known only at run time, through the reducer the view
    /// has for it; `unregistered` is the error when there is none. Behind a trait object
    /// (`as_object`), even a native value is written as an object, so that the stream
    /// says what type it is.
    pub(crate) fn write_registered(
        &mut self,
        value: &dyn Any,
        as_object: bool,
        unregistered: impl FnOnce() -> Error,
    ) -> Result<(), Error> {
        let type_id = value.type_id();
        let by_type = self.by_type.get_or_insert_with(Box::default);
        let (reducer, index) = match by_type.get(&type_id) {
            Some(&known) => known,
            None => {
                let reducer = self.view.reducer(type_id)?.ok_or_else(unregistered)?;
                by_type.insert(type_id, (reducer, None));
                (reducer, None)
            }
        };
        if reducer.native && !as_object {
            return reducer.ops.dump(value, self);
        }
        if self.persistent.is_some() && self.write_persistent(value) {
            return Ok(());
        }
        self.nested(|cx| {
            match index {
                Some(index) => codec::write_varint(&mut cx.out, index),
                None => {
                    let index = cx.write_constructor(&reducer.name, reducer.code)?;
                    if let Some(by_type) = &mut cx.by_type {
                        by_type.insert(type_id, (reducer, Some(index)));
                    }
                }
            }
            reducer.ops.dump(value, cx)
        })
    }

    /// Writes an enum's variant index.
    pub fn write_variant(&mut self, index: u32) {
        self.out.extend_from_slice(&index.to_le_bytes());
    }

    /// Writes an object: a run-time reducer if one is registered for its type, else its own.
    pub fn dump_object<O: Object>(&mut self, value: &O::Target) -> Result<(), Error> {
        if self.persistent.is_some() && self.write_persistent(value) {
            return Ok(());
        }
        let view = self.view;
        if view.has_overrides() {
            if let Some(reducer) = view.override_reducer(TypeId::of::<O::Target>()) {
                return self.write_reduced(reducer, value);
            }
        }
        self.nested(|cx| {
            cx.write_constructor(O::name(), O::CODE)?;
            O::reduce(value, cx)
        })
    }

    /// Writes a value of a type known to copyreg only through the registry.
    pub fn dump_dynamic<T: Any>(&mut self, value: &T) -> Result<(), Error> {
        self.write_registered(value, false, || Error::NotRegistered {
            type_name: std::any::type_name::<T>(),
        })
    }

    /// Writes a `serde` value, unless a reducer is registered for its type (a foreign type
    /// that is also a serde type, or one given to `pickle`): the registry comes first.
    pub fn dump_serde<T: Serialize + Any>(&mut self, value: &T) -> Result<(), Error> {
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
    use super::Names;

    #[test]
    fn one_name_at_two_addresses_gets_one_index() {
        let mut names = Names::default();
        let here: &'static str = "geo.Point";
        let elsewhere: &'static str = Box::leak(String::from("geo.Point").into_boxed_str());
        assert_ne!(here.as_ptr(), elsewhere.as_ptr());
        assert_eq!(names.get(here), None);
        assert_eq!(names.insert(here, None), 1);
        assert_eq!(names.get(elsewhere), Some(1));
        assert_eq!(names.get(here), Some(1));
        assert_eq!(names.insert("geo.Line", None), 2);
        assert_eq!(names.get("geo.Line"), Some(2));
        // A prefix at the same address is another name.
        assert_eq!(names.get(&here[..3]), None);
        // Past the linear search, a map takes over with the same answers.
        let many: Vec<String> = (0..40).map(|i| format!("n{i}")).collect();
        for name in &many {
            let index = names.insert(Box::leak(name.clone().into_boxed_str()), None);
            assert_eq!(
                names.get(Box::leak(name.clone().into_boxed_str())),
                Some(index)
            );
        }
        assert_eq!(names.get("geo.Line"), Some(2));
        assert_eq!(names.get("n0"), Some(3));
        assert_eq!(names.get(elsewhere), Some(1));
        assert_eq!(names.get(here), Some(1));
        assert_eq!(names.get(&here[..3]), None);
    }
}
