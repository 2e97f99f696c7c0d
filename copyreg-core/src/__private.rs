//! Not public API: what generated code calls. Everything here may change in any release.

pub use inventory;

pub use crate::autoref::{Tag, ViaReducible, ViaRegistry, ViaSerde};
pub use crate::constructor::{Arguments, Constructor, FnConstructor, Outcome, ViaResult, ViaValue};
pub use crate::copy::Copier;
pub use crate::dump::Dumper;
pub use crate::dynamic::{AnyCodec, DynCast, DynCodec};
pub use crate::error::{Error, Failure};
pub use crate::field::{
    ArrayCodec, Codec, InnerCodec, MapCodec, OptionCodec, PointerCodec, SeqCodec, TupleCodec,
};
pub use crate::load::Loader;
pub use crate::ops::{
    deliver, skipped_default, Construct, Delivered, DynSlot, Object, ObjectOps, Ops, Place,
};
pub use crate::reducible::{name_of, Reducible};
pub use crate::registry::Registration;
pub use crate::shape::{shape_at, shape_of, Arg, Args, Shape, ShapeOf};
pub use crate::shared::Pointer;
pub use crate::tree::{TypeTree, VisitTypes};
pub use crate::tuple::{args_of, captures_nothing, join, reduce_with, tags, Tuple};

pub use core::any::{Any, TypeId};
pub use core::option::Option;
pub use core::result::Result;
pub use core::result::Result::{Err, Ok};
pub use std::boxed::Box;
pub use std::rc::Rc;
pub use std::sync::Arc;
