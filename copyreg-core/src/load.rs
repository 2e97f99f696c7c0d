//! Reading values: [`loads`], [`loads_any`] and the [`Loader`] that generated code reads from.

use std::any::{Any, TypeId};

use serde::de::DeserializeOwned;
use smallvec::SmallVec;

use crate::codec::{self, Input};
use crate::codes::MAX_CODE;
use crate::depth::Depth;
use crate::depth::Nested;
use crate::dynamic::Casts;
use crate::error::{BoxError, Error, LimitKind};
use crate::ops::{build_boxed, build_typed, Object, ObjectOps};
use crate::registry::{not_found, Constructor, Slot, View};
use crate::shared::LoadMemo;
use crate::unpickler::Unpickler;

/// Rebuilds a `T` from a stream written by [`dumps`](crate::dumps).
///
/// Only constructors registered in this program are ever called, and only ones that build a
/// `T` (or the types inside it): a stream cannot make the program run anything else.
/// Malformed, truncated or foreign bytes give an [`Error`], never a panic.
///
/// ```
/// let bytes = copyreg::dumps(&vec![1u32, 2, 3])?;
/// assert_eq!(copyreg::loads::<Vec<u32>>(&bytes)?, [1, 2, 3]);
///
/// let err = copyreg::loads::<String>(&bytes).unwrap_err();
/// assert!(matches!(err, copyreg::Error::TypeMismatch { .. }));
/// assert!(copyreg::loads::<u8>(b"not a stream").is_err());
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn loads<T: Any>(bytes: &[u8]) -> Result<T, Error> {
    DEFAULT.loads(bytes)
}

/// What [`loads`] and [`loads_any`] use, built once rather than per call.
static DEFAULT: Unpickler = Unpickler::new();

/// Rebuilds whatever value a stream holds, as a `Box<dyn Any>` to downcast.
///
/// ```
/// let bytes = copyreg::dumps(&String::from("hello"))?;
/// let value = copyreg::loads_any(&bytes)?;
/// assert_eq!(value.downcast_ref::<String>().map(String::as_str), Some("hello"));
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn loads_any(bytes: &[u8]) -> Result<Box<dyn Any>, Error> {
    DEFAULT.loads_any(bytes)
}

/// The state of one load: the input, the registry snapshot, and the constructors the stream
/// has named so far. Generated code reads through it; it is not for direct use.
pub struct Loader<'a> {
    input: Input<'a>,
    view: &'a View,
    options: &'a Unpickler,
    constructors: SmallVec<[Named<'a>; 4]>,
    pub(crate) depth: Depth,
    pub(crate) shared: LoadMemo,
    /// Bytes the loaded value may still take, as estimated before each allocation.
    alloc_left: usize,
    /// Objects the stream may still build.
    objects_left: usize,
}

impl std::fmt::Debug for Loader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loader")
            .field("offset", &self.input.offset())
            .field("depth", &self.depth)
            .finish_non_exhaustive()
    }
}

/// An object read without its type known statically.
pub(crate) struct Loaded<'a> {
    pub(crate) value: Box<dyn Any>,
    /// The constructor name (or persistent id) the stream gave.
    pub(crate) constructor: &'a str,
    /// The constructor that built it, if a registered one did: what [`built_type`] names.
    pub(crate) built_by: Option<&'a Constructor>,
    /// The trait objects that type can be loaded as.
    pub(crate) casts: Casts,
}

/// The Rust type a [`Loaded`] value's constructor built, for messages (asked for only
/// when one is needed: it is a virtual call).
pub(crate) fn built_type(built_by: Option<&Constructor>) -> &'static str {
    match built_by {
        Some(ctor) => ctor.ops.target_name(),
        None => "an object from persistent_load",
    }
}

/// What a constructor reference in the body refers to.
enum Reference<'a> {
    /// A name from the stream's table.
    Named(Named<'a>),
    /// A persistent id.
    Persistent(&'a str),
}

/// A constructor name in a stream's table, and what the registry holds under it. Copied
/// out for every object read, so it only borrows.
#[derive(Debug, Clone, Copy)]
struct Named<'a> {
    /// Empty for a compact code nothing registers.
    name: &'a str,
    /// The compact code the stream wrote instead of the name, if it did.
    code: Option<u32>,
    slot: Option<&'a Slot<Constructor>>,
    /// The constructor, when the slot holds exactly one: what almost every reference finds,
    /// taken out once rather than per object.
    ctor: Option<&'a Constructor>,
}

impl<'a> Named<'a> {
    fn registered(&self) -> Result<&'a Constructor, Error> {
        match self.ctor {
            Some(ctor) => Ok(ctor),
            None => Err(self.unregistered()),
        }
    }

    /// Why a name or code with no single constructor cannot be loaded.
    #[cold]
    fn unregistered(&self) -> Error {
        match (self.code, self.slot) {
            (Some(code), None) => Error::UnknownCode { code },
            (Some(code), Some(Slot::Ambiguous(claimants))) => Error::CodeConflict {
                code,
                claimants: claimants.clone(),
            },
            (_, slot) => not_found(slot, self.name),
        }
    }

    /// Whether this is `O`'s own name or code.
    fn is_own<O: Object>(&self) -> bool {
        match self.code {
            Some(code) => O::CODE == Some(code),
            None => self.name == O::name(),
        }
    }
}

impl<'a> Loader<'a> {
    /// Checks the stream's header and reads its name table, looking every name up, before
    /// the body is read; then runs `load` on the body. The loader is made here and only
    /// borrowed by `load`: it is large, and this way it is never moved.
    pub(crate) fn run<R>(
        bytes: &'a [u8],
        view: &'a View,
        options: &'a Unpickler,
        load: impl FnOnce(&mut Self) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let (input, mut table) = Input::open(bytes)?;
        let limits = options.limits();
        let mut cx = Loader {
            input,
            view,
            options,
            constructors: SmallVec::new(),
            depth: Depth::with_max(limits.max_depth),
            shared: LoadMemo::default(),
            alloc_left: limits.max_alloc,
            objects_left: limits.max_objects,
        };
        while !table.is_empty() {
            let named = Self::read_name(&mut table, view, options)?;
            cx.constructors.push(named);
        }
        let value = load(&mut cx)?;
        cx.finish()?;
        Ok(value)
    }

    /// Reads one entry of the name table, a name or a compact code, looks it up and checks
    /// it against the allow-list.
    fn read_name(
        table: &mut Input<'a>,
        view: &'a View,
        options: &Unpickler,
    ) -> Result<Named<'a>, Error> {
        let at = table.offset();
        let len = table.varint()?;
        let (name, code, slot) = if len == 0 {
            let code = table.varint()?;
            let code = u32::try_from(code)
                .ok()
                .filter(|c| (1..=MAX_CODE).contains(c))
                .ok_or_else(|| {
                    Error::malformed(at, format!("compact code {code} is out of range"))
                })?;
            match view.constructor_by_code(code) {
                Some((name, slot)) => (name, Some(code), Some(slot)),
                None => ("", Some(code), None),
            }
        } else {
            if len > codec::MAX_NAME_LEN as u64 {
                return Err(Error::malformed(
                    at,
                    format!("constructor name of {len} bytes"),
                ));
            }
            let start = table.offset();
            let bytes = table.take(len as usize)?;
            match view.constructor_slot(bytes) {
                Some((name, slot)) => (name, None, Some(slot)),
                None => (codec::utf8(bytes, start)?, None, None),
            }
        };
        let ctor = match slot {
            Some(Slot::One(ctor)) => Some(ctor),
            _ => None,
        };
        match (code, ctor) {
            (Some(code), None) if name.is_empty() => {
                options.check_allowed(&format!("compact code {code}"), None)?
            }
            _ => options.check_allowed(name, ctor)?,
        }
        Ok(Named {
            name,
            code,
            slot,
            ctor,
        })
    }

    fn finish(&self) -> Result<(), Error> {
        match self.input.remaining() {
            0 => Ok(()),
            n => Err(self.input.error(format!("{n} bytes left after the value"))),
        }
    }

    /// Reads a constructor reference: an index into the stream's name table, each name
    /// looked up in the registry when the stream was opened (a name it lacks is only an error
    /// where no type is expected statically, see [`Loader::load_own`]); or, as `0`, a
    /// persistent id that [`Unpickler::persistent_load`] resolves.
    #[inline]
    fn read_constructor(&mut self) -> Result<Reference<'a>, Error> {
        let at = self.input.offset();
        let k = self.input.varint()?;
        let index = k.checked_sub(1).and_then(|i| usize::try_from(i).ok());
        match index.and_then(|i| self.constructors.get(i)) {
            Some(named) => Ok(Reference::Named(*named)),
            None => self.read_unnamed(at, k),
        }
    }

    /// A constructor reference that is not an index into the name table: a persistent id
    /// (`0`), or an index past the table's end.
    #[cold]
    fn read_unnamed(&mut self, at: usize, k: u64) -> Result<Reference<'a>, Error> {
        if k > 0 {
            return Err(Error::malformed(
                at,
                format!(
                    "reference to constructor #{k}, but the stream names {}",
                    self.constructors.len()
                ),
            ));
        }
        let len = self.input.varint()?;
        if len > codec::MAX_NAME_LEN as u64 {
            return Err(Error::malformed(
                at,
                format!("persistent id of {len} bytes"),
            ));
        }
        Ok(Reference::Persistent(self.input.str(len as usize)?))
    }

    /// Counts one more object built.
    fn count_object(&mut self) -> Result<(), Error> {
        self.objects_left = self
            .objects_left
            .checked_sub(1)
            .ok_or_else(|| Error::Limit {
                which: LimitKind::Objects,
                max: self.options.limits().max_objects,
            })?;
        Ok(())
    }

    /// Takes `bytes` from the allocation budget, before allocating them.
    pub(crate) fn charge(&mut self, bytes: usize) -> Result<(), Error> {
        self.alloc_left = self
            .alloc_left
            .checked_sub(bytes)
            .ok_or_else(|| Error::Limit {
                which: LimitKind::Allocation,
                max: self.options.limits().max_alloc,
            })?;
        Ok(())
    }

    /// The object a persistent id stands for, which must be a `T`.
    fn resolve<T: Any>(&self, id: &str) -> Result<T, Error> {
        let value = self.options.resolve(id)?;
        value
            .downcast::<T>()
            .map(|v| *v)
            .map_err(|_| Error::TypeMismatch {
                expected: std::any::type_name::<T>(),
                found: "another type",
                constructor: format!("persistent_load({id:?})"),
            })
    }

    /// Reads any registered object, boxed.
    pub(crate) fn load_any(&mut self) -> Result<Loaded<'a>, Error> {
        let named = match self.read_constructor()? {
            Reference::Named(named) => named,
            Reference::Persistent(id) => {
                return Ok(Loaded {
                    value: self.options.resolve(id)?,
                    constructor: id,
                    built_by: None,
                    casts: &[],
                });
            }
        };
        let ctor = named.registered()?;
        self.count_object()?;
        let value = self.nested(|cx| build_boxed(|place| ctor.ops.load(cx, place)))?;
        Ok(Loaded {
            value,
            constructor: named.name,
            built_by: Some(ctor),
            casts: ctor.casts,
        })
    }

    /// Reads an object: a constructor reference, then that constructor's arguments. The
    /// constructor must be registered and build a `T`.
    pub fn load_object<T: Any>(&mut self) -> Result<T, Error> {
        match self.read_constructor()? {
            Reference::Named(named) => self.load_with::<T>(named.registered()?),
            Reference::Persistent(id) => self.resolve(id),
        }
    }

    /// Reads an object of the [`Object`] `O`, which the caller expects statically. A stream
    /// may name any registered constructor that builds an `O::Target`; `O`'s own name needs
    /// no registration, so generic types and types whose registration the linker dropped
    /// load as fields all the same.
    pub fn load_own<O: Object>(&mut self) -> Result<O::Target, Error> {
        let named = match self.read_constructor()? {
            Reference::Named(named) => named,
            Reference::Persistent(id) => return self.resolve(id),
        };
        match (named.ctor, named.slot) {
            // `O`'s own constructor, called directly rather than through the registry's
            // type-erased one.
            (Some(ctor), _) if ctor.identity == Some(TypeId::of::<ObjectOps<O>>()) => {
                self.count_object()?;
                self.nested(O::construct)
            }
            (_, None) if named.is_own::<O>() => {
                self.count_object()?;
                self.nested(O::construct)
            }
            _ => self.load_with::<O::Target>(named.registered()?),
        }
    }

    fn load_with<T: Any>(&mut self, ctor: &Constructor) -> Result<T, Error> {
        if ctor.ops.target_id() != TypeId::of::<T>() {
            return Err(Error::TypeMismatch {
                expected: std::any::type_name::<T>(),
                found: ctor.ops.target_name(),
                constructor: ctor.name.to_string(),
            });
        }
        self.count_object()?;
        self.nested(|cx| build_typed(|place| ctor.ops.load(cx, place)))
    }

    /// Reads a value of a type known to copyreg only through the registry.
    pub fn load_dynamic<T: Any>(&mut self) -> Result<T, Error> {
        match self.view.reducer(TypeId::of::<T>())? {
            Some(reducer) if reducer.native => build_typed(|place| reducer.ops.load(self, place)),
            _ => self.load_object::<T>(),
        }
    }

    /// Reads a `serde` value, or what the reducer registered for its type wrote. What bincode
    /// allocates is not visible here; the bytes it reads stand in for it in the budget.
    pub fn load_serde<T: DeserializeOwned + Any>(&mut self) -> Result<T, Error> {
        match self.view.reducer(TypeId::of::<T>())? {
            Some(_) => self.load_dynamic(),
            None => {
                let start = self.input.offset();
                let value = self.input.serde()?;
                self.charge(self.input.offset() - start)?;
                Ok(value)
            }
        }
    }

    /// The offset of the next byte to read.
    pub(crate) fn position(&self) -> usize {
        self.input.offset()
    }

    pub(crate) fn read_varint(&mut self) -> Result<u64, Error> {
        self.input.varint()
    }

    pub(crate) fn read_bytes(&mut self, n: usize) -> Result<&'a [u8], Error> {
        self.input.take(n)
    }

    /// The input, for the codecs that read runs of numbers straight from it.
    pub(crate) fn input(&mut self) -> &mut Input<'a> {
        &mut self.input
    }

    pub(crate) fn read_array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        self.input.array()
    }

    /// Reads the length of a collection of `T`s that take at least `min_size` bytes each in
    /// the stream, checked against the bytes left and charged to the allocation budget before
    /// anything is allocated.
    pub(crate) fn read_len<T>(&mut self, min_size: usize) -> Result<usize, Error> {
        let len = self.input.len(min_size)?;
        self.charge(len.saturating_mul(std::mem::size_of::<T>()))?;
        Ok(len)
    }

    /// A capacity to start a collection of `len` elements with: at most 1 MiB up front
    /// however long the input says the collection is, as serde's own visitors do.
    pub(crate) fn capacity<T>(len: usize) -> usize {
        const MAX_PREALLOC: usize = 1 << 20;
        len.min(MAX_PREALLOC / std::mem::size_of::<T>().max(1))
    }

    /// Reads `len` bytes of UTF-8 into a new `String`. Copied first and checked in the copy,
    /// which is aligned, so the check's word-at-a-time path runs from the first byte.
    pub(crate) fn read_string(&mut self, len: usize) -> Result<String, Error> {
        let start = self.input.offset();
        let bytes = self.input.take(len)?.to_vec();
        String::from_utf8(bytes).map_err(|_| Error::malformed(start, "string is not valid UTF-8"))
    }

    pub(crate) fn read_option_tag(&mut self) -> Result<bool, Error> {
        let at = self.input.offset();
        match self.input.array::<1>()?[0] {
            0 => Ok(false),
            1 => Ok(true),
            t => Err(Error::malformed(
                at,
                format!("option tag {t}, expected 0 or 1"),
            )),
        }
    }

    /// Reads an enum's variant index.
    pub fn read_variant(&mut self) -> Result<u32, Error> {
        Ok(u32::from_le_bytes(self.input.array()?))
    }

    /// The error for a variant index the enum named `name` does not have.
    pub fn unknown_variant(&self, name: &str, index: u32) -> Error {
        Error::malformed(
            self.input.offset() - 4,
            format!("`{name}` has no variant #{index}"),
        )
    }

    /// Wraps the error a constructor returned.
    pub fn constructor_failed(&self, constructor: &str, source: BoxError) -> Error {
        Error::Construct {
            constructor: constructor.to_string(),
            source,
        }
    }

    pub(crate) fn malformed(&self, reason: impl Into<std::borrow::Cow<'static, str>>) -> Error {
        self.input.error(reason)
    }
}

impl Nested for Loader<'_> {
    fn depth(&mut self) -> &mut Depth {
        &mut self.depth
    }
}
