//! Reading values: [`loads`], [`loads_any`] and the [`Loader`] that generated code reads from.

use std::any::{Any, TypeId};

use serde::de::DeserializeOwned;

use crate::codec::{self, Input};
use crate::depth::Depth;
use crate::depth::Nested;
use crate::error::{BoxError, Error};
use crate::ops::{build_boxed, build_typed, Object};
use crate::registry::{Constructor, View};
use crate::shared::LoadMemo;

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
    let view = View::current();
    let mut cx = Loader::open(bytes, &view)?;
    let value = cx.load_object::<T>()?;
    cx.finish()?;
    Ok(value)
}

/// Rebuilds whatever value a stream holds, as a `Box<dyn Any>` to downcast.
///
/// ```
/// let bytes = copyreg::dumps(&String::from("hello"))?;
/// let value = copyreg::loads_any(&bytes)?;
/// assert_eq!(value.downcast_ref::<String>().map(String::as_str), Some("hello"));
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn loads_any(bytes: &[u8]) -> Result<Box<dyn Any>, Error> {
    let view = View::current();
    let mut cx = Loader::open(bytes, &view)?;
    let ctor = cx.read_constructor()?.registered()?;
    let value = cx.nested(|cx| build_boxed(|place| ctor.ops.load(cx, place)))?;
    cx.finish()?;
    Ok(value)
}

/// The state of one load: the input, the registry snapshot, and the constructors the stream
/// has named so far. Generated code reads through it; it is not for direct use.
pub struct Loader<'a> {
    input: Input<'a>,
    view: &'a View,
    constructors: Vec<Named<'a>>,
    pub(crate) depth: Depth,
    pub(crate) shared: LoadMemo,
}

impl std::fmt::Debug for Loader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loader")
            .field("offset", &self.input.offset())
            .field("depth", &self.depth)
            .finish_non_exhaustive()
    }
}

/// A constructor name a stream introduced, and what the registry says of it: the
/// constructor, or that nobody registered it (`None`) or several did (the types, sorted).
#[derive(Debug)]
struct Named<'a> {
    name: &'a str,
    found: Result<Constructor, Option<Vec<&'static str>>>,
}

impl Named<'_> {
    fn registered(&self) -> Result<Constructor, Error> {
        match &self.found {
            Ok(ctor) => Ok(*ctor),
            Err(None) => Err(Error::UnknownConstructor {
                name: self.name.to_string(),
            }),
            Err(Some(candidates)) => Err(Error::Ambiguous {
                name: self.name.to_string(),
                candidates: candidates.clone(),
            }),
        }
    }
}

impl<'a> Loader<'a> {
    /// Checks the stream's header and reads its name table, looking every name up, before
    /// the body is read.
    pub(crate) fn open(bytes: &'a [u8], view: &'a View) -> Result<Self, Error> {
        let (input, mut table) = Input::open(bytes)?;
        let mut constructors = Vec::new();
        while !table.is_empty() {
            let at = table.offset();
            let len = table.varint()?;
            if len > codec::MAX_NAME_LEN as u64 {
                return Err(Error::malformed(
                    at,
                    format!("constructor name of {len} bytes"),
                ));
            }
            let name = table.str(len as usize)?;
            let found = match view.constructor(name) {
                Ok(ctor) => Ok(ctor),
                Err(Error::UnknownConstructor { .. }) => Err(None),
                Err(Error::Ambiguous { candidates, .. }) => Err(Some(candidates)),
                Err(other) => return Err(other),
            };
            constructors.push(Named { name, found });
        }
        Ok(Loader {
            input,
            view,
            constructors,
            depth: Depth::default(),
            shared: LoadMemo::default(),
        })
    }

    pub(crate) fn finish(&self) -> Result<(), Error> {
        match self.input.remaining() {
            0 => Ok(()),
            n => Err(self.input.error(format!("{n} bytes left after the value"))),
        }
    }

    /// Reads a constructor reference: an index into the stream's name table. Each name was
    /// looked up in the registry when the stream was opened; a name it lacks is only an error
    /// where no type is expected statically (see [`Loader::load_own`]).
    fn read_constructor(&mut self) -> Result<&Named<'a>, Error> {
        let at = self.input.offset();
        let k = self.input.varint()?;
        let index = k.checked_sub(1).ok_or_else(|| {
            Error::malformed(at, "a persistent id, which this stream format does not use")
        })?;
        self.constructors.get(index as usize).ok_or_else(|| {
            Error::malformed(
                at,
                format!(
                    "reference to constructor #{k}, but the stream names {}",
                    self.constructors.len()
                ),
            )
        })
    }

    /// Reads a constructor reference that must name a registered constructor.
    pub(crate) fn read_registered(&mut self) -> Result<(Constructor, &'a str), Error> {
        let named = self.read_constructor()?;
        Ok((named.registered()?, named.name))
    }

    /// Reads an object: a constructor reference, then that constructor's arguments. The
    /// constructor must be registered and build a `T`.
    pub fn load_object<T: Any>(&mut self) -> Result<T, Error> {
        let ctor = self.read_constructor()?.registered()?;
        self.load_with::<T>(ctor)
    }

    /// Reads an object of the [`Object`] `O`, which the caller expects statically. A stream
    /// may name any registered constructor that builds an `O::Target`; `O`'s own name needs
    /// no registration, so generic types and types whose registration the linker dropped
    /// load as fields all the same.
    pub fn load_own<O: Object>(&mut self) -> Result<O::Target, Error> {
        let named = self.read_constructor()?;
        match &named.found {
            Err(None) if named.name == O::name() => self.nested(O::construct),
            _ => {
                let ctor = named.registered()?;
                self.load_with::<O::Target>(ctor)
            }
        }
    }

    fn load_with<T: Any>(&mut self, ctor: Constructor) -> Result<T, Error> {
        if ctor.ops.type_id() != TypeId::of::<T>() {
            return Err(Error::TypeMismatch {
                expected: std::any::type_name::<T>(),
                found: ctor.ops.type_name(),
                constructor: ctor.name.to_string(),
            });
        }
        self.nested(|cx| build_typed(|place| ctor.ops.load(cx, place)))
    }

    /// Reads a value of a type known to copyreg only through the registry.
    pub fn load_dynamic<T: Any>(&mut self) -> Result<T, Error> {
        match self.view.reducer(TypeId::of::<T>())? {
            Some(reducer) if reducer.native => build_typed(|place| reducer.ops.load(self, place)),
            _ => self.load_object::<T>(),
        }
    }

    /// Reads a `serde` value, or what the reducer registered for its type wrote.
    pub fn load_serde<T: DeserializeOwned + Any>(&mut self) -> Result<T, Error> {
        match self.view.reducer(TypeId::of::<T>())? {
            Some(_) => self.load_dynamic(),
            None => self.input.serde(),
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

    pub(crate) fn read_array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        self.input.array()
    }

    /// Reads a length for elements that take at least `min_size` bytes each, checked against
    /// what is left before anything is allocated.
    pub(crate) fn read_len(&mut self, min_size: usize) -> Result<usize, Error> {
        self.input.len(min_size)
    }

    /// A capacity to start a collection of `len` elements with: at most 1 MiB up front
    /// however long the input says the collection is, as serde's own visitors do.
    pub(crate) fn capacity<T>(len: usize) -> usize {
        const MAX_PREALLOC: usize = 1 << 20;
        len.min(MAX_PREALLOC / std::mem::size_of::<T>().max(1))
    }

    pub(crate) fn read_str(&mut self, len: usize) -> Result<&'a str, Error> {
        self.input.str(len)
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
