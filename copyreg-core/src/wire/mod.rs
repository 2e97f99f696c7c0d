//! Layer 1, bytes in and out: the stream's frame and name table, varints and the serde
//! layouts, reading with every length checked against what is left, the limits and the
//! allocation budget, and [`Error`](crate::Error). Nothing here knows a type or the registry.

pub(crate) mod depth;
pub(crate) mod entry;
pub(crate) mod error;
pub(crate) mod frame;
pub(crate) mod guard;
pub(crate) mod hash;
pub(crate) mod input;
pub(crate) mod legacy;
pub(crate) mod limits;
pub(crate) mod names;
pub(crate) mod reserved;
pub(crate) mod varint;
