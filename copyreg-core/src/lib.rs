//! **Read the docs of [`copyreg`](https://docs.rs/copyreg) instead, and depend on it:** this
//! crate is its runtime, re-exported there in full with the derive macros, and not meant to
//! be used on its own. Its items are documented with the paths `copyreg` users write.
//!
//! What is here: the [`Reducible`] trait, the link-time registry, the stream codec, and
//! [`dumps`], [`loads`], [`copy`] over them.
//!
//! ```
//! #[derive(copyreg::Reducible, Debug, PartialEq)]
//! struct Point {
//!     x: i32,
//!     y: i32,
//! }
//!
//! let bytes = copyreg::dumps(&Point { x: 3, y: 4 })?;
//! assert_eq!(copyreg::loads::<Point>(&bytes)?.x, 3);
//! # Ok::<(), copyreg::Error>(())
//! ```

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod allow;
mod autoref;
mod cell;
mod codec;
mod codes;
mod collections;
mod conflicts;
mod constructor;
mod copy;
mod depth;
mod dis;
mod dump;
mod dynamic;
mod entry;
mod error;
mod field;
mod guard;
mod hash;
mod hint;
mod input;
mod legacy;
mod load;
mod names;
mod native;
mod object;
mod ops;
mod pickle;
mod pickler;
pub mod python;
mod recent;
mod reducible;
mod registration;
mod registry;
mod reserved;
mod run;
pub mod serde;
mod shape;
mod shapes;
mod shared;
mod stream;
mod table;
mod tree;
mod tuple;
mod unpickler;
mod varint;

#[doc(hidden)]
pub mod __private;

pub use crate::conflicts::assert_registry_ok;
pub use crate::constructor::Constructor;
pub use crate::copy::{copy, deepcopy};
pub use crate::depth::MAX_DEPTH;
pub use crate::dis::dis;
pub use crate::dump::{dumps, dumps_dyn, dumps_into};
pub use crate::dynamic::loads_dyn;
pub use crate::error::{BoxError, Error, LimitKind};
pub use crate::load::{loads, loads_any};
pub use crate::pickle::{pickle, pickle_as};
pub use crate::pickler::Pickler;
pub use crate::reducible::Reducible;
pub use crate::stream::{dump, load, load_any, load_dyn};
pub use crate::table::{dispatch_table, DispatchTable, Entry};
pub use crate::tuple::Tuple;
pub use crate::unpickler::Unpickler;
