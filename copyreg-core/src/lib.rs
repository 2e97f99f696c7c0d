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

mod api;
mod codecs;
mod engine;
mod wire;

#[doc(hidden)]
pub mod __private;

pub use crate::api::{python, serde};

pub use crate::api::dis::dis;
pub use crate::api::dispatch::{dispatch_table, DispatchTable, Entry};
pub use crate::api::functions::{
    copy, deepcopy, dumps, dumps_dyn, dumps_into, loads, loads_any, loads_dyn,
};
pub use crate::api::pickle::{pickle, pickle_as};
pub use crate::api::pickler::Pickler;
pub use crate::api::stream::{dump, load, load_any, load_dyn};
pub use crate::api::unpickler::Unpickler;
pub use crate::codecs::constructor::Constructor;
pub use crate::codecs::reducible::Reducible;
pub use crate::codecs::tuple::Tuple;
pub use crate::engine::registry::conflicts::assert_registry_ok;
pub use crate::wire::depth::MAX_DEPTH;
pub use crate::wire::error::{BoxError, Error, LimitKind};
