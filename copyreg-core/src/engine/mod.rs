//! Layer 2, the registry and the passes over it: what is registered, the type-erased
//! operations it holds, and the dump, load and copy passes ([`Dumper`](crate::__private::Dumper),
//! [`Loader`](crate::__private::Loader), [`Copier`](crate::__private::Copier)) with their
//! shared-reference memos.
//!
//! The registry and the passes are one layer because each names the other: a registration
//! holds `&'static dyn Ops`, whose methods take the passes' handles, and the passes look
//! types up in the registry. Everything here uses only `wire`.

pub(crate) mod copy;
pub(crate) mod dump;
pub(crate) mod hint;
pub(crate) mod items;
pub(crate) mod load;
mod messages;
pub(crate) mod object;
pub(crate) mod ops;
pub(crate) mod reference;
pub(crate) mod registry;
pub(crate) mod rules;
pub(crate) mod run;
pub(crate) mod shape;
pub(crate) mod shared;
pub(crate) mod trace;
pub(crate) mod tree;
