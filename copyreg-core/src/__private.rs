//! Not public API: what generated code calls. Everything here may change in any release.

pub use inventory;

pub use crate::codecs::autoref::{Tag, ViaReducible, ViaRegistry, ViaSerde};
pub use crate::codecs::constructor::{
    Arguments, Constructor, FnConstructor, Outcome, ViaResult, ViaValue,
};
pub use crate::codecs::dynamic::{AnyCodec, DynCodec, DynSlot};
pub use crate::codecs::field::{
    skipped_default, ArrayCodec, Codec, InnerCodec, MapCodec, OptionCodec, PointerCodec, SeqCodec,
    SkippedDefault, TupleCodec,
};
pub use crate::codecs::reducible::{name_of, Reducible};
pub use crate::codecs::register::registration_of;
pub use crate::codecs::shape_of::{shape_at, shape_of};
pub use crate::codecs::tuple::{args_of, captures_nothing, join, reduce_with, tags, Tuple};
pub use crate::engine::copy::Copier;
pub use crate::engine::dump::Dumper;
pub use crate::engine::load::Loader;
pub use crate::engine::object::{Object, ObjectOps};
pub use crate::engine::ops::{deliver, Construct, Delivered, Ops, Place};
pub use crate::engine::registry::casts::DynCast;
pub use crate::engine::registry::Registration;
pub use crate::engine::shape::{Arg, Args, Shape, ShapeOf};
pub use crate::engine::shared::Pointer;
pub use crate::engine::tree::{TypeTree, VisitTypes};
pub use crate::wire::error::{Error, Failure};

pub use core::any::{Any, TypeId};
pub use core::option::Option;
pub use core::result::Result;
pub use core::result::Result::{Err, Ok};
pub use std::boxed::Box;
pub use std::rc::Rc;
pub use std::sync::Arc;
