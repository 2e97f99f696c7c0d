//! Reading values: one stream's top-level pass, and the [`Loader`] that generated code reads
//! from. ([`loads`](crate::loads) and its kin, in `api`, call it through an
//! [`Unpickler`](crate::Unpickler).)

use std::any::{Any, TypeId};
use std::cell::RefCell;

use serde::de::DeserializeOwned;
use smallvec::SmallVec;

use crate::engine::object::{Object, Own};
use crate::engine::reference::Named;
use crate::engine::registry::{Slot, View};
use crate::engine::rules::Rules;
use crate::engine::shared::LoadMemo;
use crate::engine::trace::Event;
use crate::wire::depth::Depth;
use crate::wire::depth::Nested;
use crate::wire::entry::{Entry, Key};
use crate::wire::error::{BoxError, Error, Failure, LimitKind};
use crate::wire::frame;
use crate::wire::guard::Budget;
use crate::wire::input::Input;

/// The state of one load: the input, the registry snapshot, and the constructors the stream
/// has named so far. Generated code reads through it; it is not for direct use.
pub struct Loader<'a> {
    pub(crate) input: Input<'a>,
    pub(crate) view: &'a View,
    pub(crate) rules: &'a Rules,
    /// The stream's name table, each entry looked up (see `reference.rs`).
    pub(crate) constructors: SmallVec<[Named<'a>; 4]>,
    pub(crate) depth: Depth,
    /// Made at the first shared pointer (see `Loader::memo`).
    pub(crate) shared: Option<Box<LoadMemo>>,
    /// Bytes the loaded value may still take, as estimated before each allocation.
    alloc_left: usize,
    /// Objects the stream may still build.
    pub(crate) objects_left: usize,
    /// Collection elements the stream may still build, and how many it could at first.
    elements_left: usize,
    max_elements: usize,
    /// Where [`dis`](crate::dis) collects what the load meets; `None` for every other load.
    pub(crate) trace: Option<&'a RefCell<Vec<Event>>>,
}

impl std::fmt::Debug for Loader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loader")
            .field("offset", &self.input.offset())
            .field("depth", &self.depth)
            .finish_non_exhaustive()
    }
}

impl<'a> Loader<'a> {
    /// Checks the stream's header and reads its name table, looking every name up, before
    /// the body is read; then runs `load` on the body. The loader is made here and only
    /// borrowed by `load`: it is large, and this way it is never moved. Not generic, so
    /// that this parser is compiled once, not once per type loaded.
    pub(crate) fn run(
        bytes: &'a [u8],
        view: &'a View,
        rules: &'a Rules,
        load: &mut dyn FnMut(&mut Loader<'_>) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        Self::run_traced(bytes, view, rules, None, load)
    }

    /// [`Loader::run`], noting what the load meets in `trace` (see `trace.rs`).
    pub(crate) fn run_traced(
        bytes: &'a [u8],
        view: &'a View,
        rules: &'a Rules,
        trace: Option<&'a RefCell<Vec<Event>>>,
        load: &mut dyn FnMut(&mut Loader<'_>) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        let (input, mut table) = Input::open(bytes)?;
        let limits = rules.limits;
        let max_elements = limits.elements_for(bytes.len());
        let mut cx = Loader {
            input,
            view,
            rules,
            constructors: SmallVec::new(),
            depth: Depth::with_max(limits.max_depth),
            shared: None,
            alloc_left: limits.max_alloc,
            objects_left: limits.max_objects,
            elements_left: max_elements,
            max_elements,
            trace,
        };
        while !table.is_empty() {
            let named = Self::read_name(&mut table, view, rules)?;
            // The table is part of what the stream makes the program allocate: when it must
            // grow, what it grows to is charged first.
            if cx.constructors.len() == cx.constructors.capacity() {
                let grown = 2 * cx.constructors.capacity();
                cx.charge(grown * std::mem::size_of::<Named<'_>>())?;
            }
            cx.constructors.push(named);
        }
        load(&mut cx)?;
        cx.finish()
    }

    /// Reads one entry of the name table, a name or a compact code, looks it up and checks
    /// it against the allow-list.
    #[inline(always)]
    fn read_name(
        table: &mut Input<'a>,
        view: &'a View,
        rules: &Rules,
    ) -> Result<Named<'a>, Failure> {
        let Entry { key, fields, .. } = table.entry()?;
        let (name, code, slot) = match key {
            Key::Code(code) => match view.constructor_by_code(code) {
                Some((name, slot)) => (name, Some(code), Some(slot)),
                None => ("", Some(code), None),
            },
            Key::Name(bytes, start) => match view.constructor_slot(bytes) {
                Some((name, slot)) => (name, None, Some(slot)),
                None => (frame::utf8(bytes, start)?, None, None),
            },
        };
        let ctor = match slot {
            Some(Slot::One(ctor)) => Some(ctor),
            _ => None,
        };
        match (code, ctor) {
            (Some(code), None) if name.is_empty() => rules.check_allowed_code(code)?,
            _ => rules.check_allowed(name, ctor)?,
        }
        // A struct written with fields its type here cannot take is refused before anything
        // is built.
        if let (Some(written), Some(ctor)) = (fields, ctor) {
            check_fields(name, written, ctor.fields, || ctor.ops.target_name())?;
        }
        Ok(Named {
            name,
            code,
            fields,
            slot,
            ctor,
        })
    }

    /// How many fields the stream's objects of the derived struct `O` were written with, if
    /// the stream says (format 4 on) and names `O` in its table; checked against what `O`
    /// can take. What a struct with `#[reducer(default)]` fields asks before reading them.
    pub fn written_fields<O: Object>(&self) -> Result<Option<u32>, Failure> {
        let own = Own::of::<O>();
        let Some(written) = self
            .constructors
            .iter()
            .find(|named| named.is_own(&own))
            .and_then(|named| named.fields)
        else {
            return Ok(None);
        };
        check_fields(
            (own.name)(),
            written,
            O::FIELDS,
            std::any::type_name::<O::Target>,
        )?;
        Ok(Some(written))
    }

    fn finish(&self) -> Result<(), Failure> {
        match self.input.remaining() {
            0 => Ok(()),
            n => Err(self.input.error(format!("{n} bytes left after the value"))),
        }
    }

    /// Takes `bytes` from the allocation budget, before allocating them.
    #[inline]
    pub(crate) fn charge(&mut self, bytes: usize) -> Result<(), Failure> {
        self.alloc_left = self
            .alloc_left
            .checked_sub(bytes)
            .ok_or_else(|| self.limit(LimitKind::Allocation))?;
        Ok(())
    }

    /// The error for reaching the limit `which`.
    #[cold]
    fn limit(&self, which: LimitKind) -> Failure {
        let limits = self.rules.limits;
        let max = match which {
            LimitKind::InputSize => limits.max_input,
            LimitKind::Allocation => limits.max_alloc,
            LimitKind::Depth => limits.max_depth,
            LimitKind::Objects => limits.max_objects,
            LimitKind::Elements => self.max_elements,
        };
        Error::Limit { which, max }.into()
    }

    /// Reads a `serde` value, or what the reducer registered for its type wrote. What postcard
    /// allocates is not all visible here: its collections' elements are counted and their
    /// slots charged as they arrive (see `wire/guard.rs`), and the bytes it reads stand in for the
    /// strings and buffers they hold.
    pub fn load_serde<T: DeserializeOwned + Any>(&mut self) -> Result<T, Failure> {
        match self.view.reducer(TypeId::of::<T>())? {
            Some(_) => self.load_dynamic(),
            None => {
                let start = self.input.offset();
                let budget = Budget::new(self.elements_left, self.alloc_left);
                let value = self.input.serde(&budget);
                self.elements_left = budget.elements_left();
                self.alloc_left = budget.alloc_left();
                let value = value.map_err(|e| match budget.exceeded() {
                    Some(which) => self.limit(which),
                    None => e,
                })?;
                self.charge(self.input.offset() - start)?;
                Ok(value)
            }
        }
    }

    /// Where the load stands: what it has read and what its limits have left.
    pub(crate) fn progress(&self) -> Progress {
        Progress {
            offset: self.input.offset(),
            alloc_left: self.alloc_left,
            objects_left: self.objects_left,
            elements_left: self.elements_left,
        }
    }

    /// Goes back to `progress`, to read the same bytes again. What was allocated since
    /// stays charged unless `freed`: the values read may still be alive.
    pub(crate) fn go_back(&mut self, progress: &Progress, freed: bool) {
        self.input.go_back(progress.offset);
        self.objects_left = progress.objects_left;
        self.elements_left = progress.elements_left;
        if freed {
            self.alloc_left = progress.alloc_left;
        }
    }

    /// Notes `event` for [`dis`](crate::dis), when the load is traced; one test of a
    /// field the loader reads anyway otherwise.
    #[inline]
    pub(crate) fn note(&self, event: impl FnOnce() -> Event) {
        if let Some(trace) = self.trace {
            record(trace, event());
        }
    }

    /// The offset of the next byte to read.
    pub(crate) fn position(&self) -> usize {
        self.input.offset()
    }

    pub(crate) fn read_varint(&mut self) -> Result<u64, Failure> {
        self.input.varint()
    }

    /// The input, for the codecs that read runs of numbers straight from it.
    pub(crate) fn input(&mut self) -> &mut Input<'a> {
        &mut self.input
    }

    #[inline]
    pub(crate) fn read_array<const N: usize>(&mut self) -> Result<[u8; N], Failure> {
        self.input.array()
    }

    /// Reads the length of a string: its bytes must be in the input, and are charged to the
    /// allocation budget before anything is allocated.
    #[inline]
    pub(crate) fn read_byte_len(&mut self) -> Result<usize, Failure> {
        let len = self.input.len(1)?;
        self.charge(len)?;
        Ok(len)
    }

    /// Reads the length of a collection whose elements take at least `min_size` bytes each
    /// in the stream and `slot` bytes each in memory (see `limits::slot_size`). Before anything is
    /// read or allocated, the length is checked against the bytes left, counted against the
    /// element limit (which bounds elements that take no bytes) and charged to the
    /// allocation budget.
    #[inline]
    pub(crate) fn read_count(&mut self, min_size: usize, slot: usize) -> Result<usize, Failure> {
        let len = self.input.len(min_size)?;
        self.elements_left = match self.elements_left.checked_sub(len) {
            Some(left) => left,
            None => return Err(self.limit(LimitKind::Elements)),
        };
        self.charge(len.saturating_mul(slot))?;
        Ok(len)
    }

    /// A capacity to start a collection of `len` elements of `slot` bytes each with: at most
    /// 1 MiB up front however long the input says the collection is, as serde's own visitors
    /// do.
    pub(crate) fn capacity(len: usize, slot: usize) -> usize {
        const MAX_PREALLOC: usize = 1 << 20;
        len.min(MAX_PREALLOC / slot.max(1))
    }

    /// Reads `len` bytes of UTF-8 into a new `String`. Copied first and checked in the copy,
    /// which is aligned, so the check's word-at-a-time path runs from the first byte.
    #[inline]
    pub(crate) fn read_string(&mut self, len: usize) -> Result<String, Failure> {
        let start = self.input.offset();
        let bytes = self.input.take(len)?.to_vec();
        String::from_utf8(bytes).map_err(|_| Failure::malformed(start, "string is not valid UTF-8"))
    }

    pub(crate) fn read_option_tag(&mut self) -> Result<bool, Failure> {
        let at = self.input.offset();
        match self.input.array::<1>()?[0] {
            0 => Ok(false),
            1 => Ok(true),
            t => Err(Failure::malformed(
                at,
                format!("option tag {t}, expected 0 or 1"),
            )),
        }
    }

    /// Reads an enum's variant index.
    #[inline]
    pub fn read_variant(&mut self) -> Result<u32, Failure> {
        self.input.variant()
    }

    /// The error for a variant index the enum named `name` does not have, just read.
    #[cold]
    pub fn unknown_variant(&self, name: &str, index: u32) -> Failure {
        let width = match self.input.is_compact() {
            true => crate::wire::varint::len(index.into()),
            false => 4,
        };
        Failure::malformed(
            self.input.offset() - width,
            format!("`{name}` has no variant #{index}"),
        )
    }

    /// Whether the stream is in the compact layout of versions 3 and 4, not version 1 or 2's.
    #[inline]
    pub(crate) fn is_compact(&self) -> bool {
        self.input.is_compact()
    }

    /// Wraps the error a constructor returned.
    pub fn constructor_failed(&self, constructor: &str, source: BoxError) -> Failure {
        Error::Construct {
            constructor: constructor.to_string(),
            source,
        }
        .into()
    }

    pub(crate) fn malformed(&self, reason: impl Into<std::borrow::Cow<'static, str>>) -> Failure {
        self.input.error(reason)
    }
}

/// What [`Loader::progress`] saves.
#[derive(Debug)]
pub(crate) struct Progress {
    offset: usize,
    alloc_left: usize,
    objects_left: usize,
    elements_left: usize,
}

impl Nested for Loader<'_> {
    fn depth(&mut self) -> &mut Depth {
        &mut self.depth
    }
}

/// Whether objects of the constructor `name`, written with `written` fields, can be built by
/// a type that needs and takes `fields` (`None`: a type that does not count them).
fn check_fields(
    name: &str,
    written: u32,
    fields: Option<(u32, u32)>,
    type_name: impl FnOnce() -> &'static str,
) -> Result<(), Failure> {
    match fields {
        Some((required, takes)) if !(required..=takes).contains(&written) => {
            Err(Error::FieldCount {
                constructor: name.to_string(),
                type_name: type_name(),
                written,
                required,
                takes,
            }
            .into())
        }
        _ => Ok(()),
    }
}

/// Keeps a traced load's `event`, out of line: every object load has a call site, and only
/// [`dis`](crate::dis) takes this path.
#[cold]
#[inline(never)]
fn record(trace: &RefCell<Vec<Event>>, event: Event) {
    trace.borrow_mut().push(event);
}
