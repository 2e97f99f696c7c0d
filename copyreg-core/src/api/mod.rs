//! Layer 4, what users call: the free functions, [`Pickler`](crate::Pickler) and
//! [`Unpickler`](crate::Unpickler), run-time registration, I/O streams, the serde bridge,
//! Python's pickle, [`dis`](crate::dis) and [`dispatch_table`](crate::dispatch_table).

pub(crate) mod allow;
pub(crate) mod dis;
pub(crate) mod dispatch;
pub(crate) mod functions;
pub(crate) mod pickle;
pub(crate) mod pickler;
pub mod python;
pub mod serde;
pub(crate) mod stream;
pub(crate) mod unpickler;
