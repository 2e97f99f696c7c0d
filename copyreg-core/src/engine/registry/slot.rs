//! What the registry holds under one type or one name: a type's [`Reducer`], a name's
//! [`Constructor`], either [`Held`] for good or by one pickler, and the [`Slot`] that says
//! whether one registration or several claim it.

use std::any::TypeId;
use std::hash::Hasher;
use std::sync::Arc;

use crate::engine::ops::{Construct, Ops};
use crate::engine::registry::casts::Casts;
use crate::wire::error::{Error, Failure};

/// Where a registration's data lives: in the program for good (link time, and `pickle`,
/// which keeps registrations as Python's `dispatch_table` does), or in one pickler's or
/// unpickler's table, dropped with it.
pub(crate) enum Held<T: ?Sized + 'static> {
    Static(&'static T),
    Shared(Arc<T>),
}

impl<T: ?Sized> Clone for Held<T> {
    fn clone(&self) -> Self {
        match self {
            Held::Static(value) => Held::Static(value),
            Held::Shared(value) => Held::Shared(Arc::clone(value)),
        }
    }
}

impl<T: ?Sized> std::ops::Deref for Held<T> {
    type Target = T;
    fn deref(&self) -> &T {
        match self {
            Held::Static(value) => value,
            Held::Shared(value) => value,
        }
    }
}

// Names key the constructor table, looked up by their bytes: a stream's name found there
// is valid UTF-8 without being checked.
impl std::borrow::Borrow<[u8]> for Held<str> {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for Held<str> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Held<str> {}

impl std::hash::Hash for Held<str> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl Held<dyn Ops> {
    pub(crate) fn construct(&self) -> Held<dyn Construct> {
        match self {
            Held::Static(ops) => Held::Static(*ops),
            Held::Shared(ops) => Held::Shared(Arc::clone(ops) as Arc<dyn Construct>),
        }
    }
}

/// A registered reducer: how values of one type are written, and read back by the
/// constructor registered with it.
#[derive(Clone)]
pub(crate) struct Reducer {
    /// The constructor name written before the arguments.
    pub(crate) name: Held<str>,
    /// The compact code written instead of the name, if the type has one.
    pub(crate) code: Option<u32>,
    /// How many fields a derived struct writes, for the stream's name table.
    pub(crate) fields: Option<u32>,
    pub(crate) native: bool,
    pub(crate) ops: Held<dyn Ops>,
    /// The trait objects the type declares it can be loaded as: what it may be written as.
    pub(crate) casts: Casts,
}

/// A registered constructor: what a stream may name.
#[derive(Clone)]
pub(crate) struct Constructor {
    pub(crate) name: Held<str>,
    /// One of copyreg's own (primitives, std types): no allow-list needs to name it.
    pub(crate) native: bool,
    pub(crate) ops: Held<dyn Construct>,
    /// `ops.identity()`, kept so that loads need not call it for every object.
    pub(crate) identity: Option<TypeId>,
    /// `ops.fields()`, kept so that reading a name table need not call it for every entry.
    pub(crate) fields: Option<(u32, u32)>,
    /// The trait objects the type it builds can be loaded as.
    pub(crate) casts: Casts,
    /// Registered with the reducer of the type it builds (not `#[copyreg::constructor]`).
    pub(crate) paired: bool,
}

impl Constructor {
    pub(crate) fn new(name: Held<str>, native: bool, ops: Held<dyn Construct>) -> Constructor {
        Constructor {
            paired: false,
            identity: ops.identity(),
            fields: ops.fields(),
            casts: crate::engine::registry::casts::casts_of(ops.target_id()),
            name,
            native,
            ops,
        }
    }
}

impl std::fmt::Debug for Constructor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Constructor({} -> {})",
            &*self.name,
            self.ops.target_name()
        )
    }
}

/// A name or type that one or several registrations claim.
#[derive(Clone, Debug)]
pub(crate) enum Slot<T> {
    One(T),
    /// Two or more registrations, for the message: under a name, the types behind them; for
    /// a type, the type and then the names it is registered under.
    Ambiguous(Vec<&'static str>),
}

/// The constructor a name finds, or the error saying why there is none.
pub(crate) trait Found<'t> {
    fn found(self, name: &str) -> Result<&'t Constructor, Failure>;
}

impl<'t> Found<'t> for Option<&'t Slot<Constructor>> {
    fn found(self, name: &str) -> Result<&'t Constructor, Failure> {
        match self {
            Some(Slot::One(c)) => Ok(c),
            other => Err(not_found(other, name)),
        }
    }
}

/// Why `slot`, what the registry holds under `name`, gives no single constructor.
#[cold]
pub(crate) fn not_found(slot: Option<&Slot<Constructor>>, name: &str) -> Failure {
    let error = match slot {
        Some(Slot::Ambiguous(names)) => Error::Ambiguous {
            name: name.to_string(),
            candidates: names.clone(),
        },
        _ => Error::UnknownConstructor {
            name: name.to_string(),
        },
    };
    error.into()
}
