//! The `Vec`, `Option` and `Box` registered with every type, so that `dumps(&vec_of_points)`
//! needs no `register!`: for derived and foreign types these, and for types a codec writes
//! the codec's own ([`codec_containers`]).
//!
//! Every type registered at link time brings these three, used or not, so they are kept
//! small: each method is a few lines generic over the element, around code that is not
//! (`Dumper::dump_object_as`, `Loader::load_object_as`, `Copier::copy_object_as`, and the
//! run loops behind `dump_objects`, `load_objects` and `copy_objects`). They write the same
//! bytes as the field codecs of the same containers.

use std::any::{Any, TypeId};
use std::marker::PhantomData;

use crate::codecs::field::{Codec, InnerCodec, OptionCodec, SeqCodec, Stateless};
use crate::codecs::register::CodecOps;
use crate::engine::copy::Copier;
use crate::engine::dump::Dumper;
use crate::engine::load::Loader;
use crate::engine::object::{Object, Own};
use crate::engine::ops::{deliver, downcast, Construct, Delivered, Place};
use crate::engine::ops::{Ops, Reduce, Typed};
use crate::engine::shape::{Args, Shape, ShapeOf};
use crate::engine::tree::{TypeTree, VisitTypes};
use crate::wire::error::Failure;
use crate::wire::limits::slot_size;

/// The three containers of the [`Object`] `O`'s type, in the order of
/// `registration::CONTAINERS`.
pub(crate) const fn containers_of<O: Object>() -> [&'static dyn Ops; 3] {
    [
        &VecOf::<O>(PhantomData),
        &OptionOf::<O>(PhantomData),
        &BoxOf::<O>(PhantomData),
    ]
}

/// The three containers of a type whose values the codec `E` writes (a native type, one
/// named by `register!`, or one registered at run time), in the same order.
pub(crate) const fn codec_containers<T: std::any::Any, E>() -> [&'static dyn Ops; 3]
where
    E: Codec<T> + Stateless + VisitTypes + ShapeOf<T> + 'static,
{
    [
        &CodecOps::<Vec<T>, SeqCodec<E>>::NEW,
        &CodecOps::<Option<T>, OptionCodec<E>>::NEW,
        &CodecOps::<Box<T>, InnerCodec<E>>::NEW,
    ]
}

/// `Vec` of an object: a length, then the objects.
struct VecOf<O>(PhantomData<fn() -> O>);

/// `Option` of an object: a tag, then the object if there is one.
struct OptionOf<O>(PhantomData<fn() -> O>);

/// `Box` of an object: the object.
struct BoxOf<O>(PhantomData<fn() -> O>);

macro_rules! typed {
    ($($ops:ident => $container:ident, $shape:expr;)*) => {$(
        impl<O: Object> Typed for $ops<O> {
            fn args(&self) -> Args {
                Args::Native(&$shape)
            }
            fn target_id(&self) -> TypeId {
                TypeId::of::<$container<O::Target>>()
            }
            fn target_name(&self) -> &'static str {
                std::any::type_name::<$container<O::Target>>()
            }
            fn identity(&self) -> Option<TypeId> {
                Some(TypeId::of::<Self>())
            }
        }
    )*};
}

// A `Vec` of objects is a run; an `Option` or a `Box` holds one object.
typed! {
    VecOf => Vec, Shape::Seq(&Shape::Object);
    OptionOf => Option, Shape::Option(&Shape::Object);
    BoxOf => Box, Shape::Object;
}

impl<O: Object> Reduce for VecOf<O> {
    // What the element holds: a container adds no field.
    fn visit_types(&self, tree: &mut TypeTree) {
        O::visit_types(tree)
    }
    fn dump(&self, value: &dyn Any, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        let items = downcast::<Vec<O::Target>>(value);
        cx.write_len(items.len());
        cx.dump_objects::<O>(items)
    }
    fn copy(&self, value: &dyn Any, cx: &mut Copier<'_>, place: Place<'_>) -> Delivered {
        deliver(
            place,
            cx.copy_objects::<O>(downcast::<Vec<O::Target>>(value))?,
        )
    }
}

impl<O: Object> Construct for VecOf<O> {
    fn load(&self, cx: &mut Loader<'_>, place: Place<'_>) -> Delivered {
        // In a run, an object's constructor is the run's: it may take no bytes.
        let len = cx.read_count(0, slot_size::<O::Target>())?;
        deliver(place, cx.load_objects::<O>(len)?)
    }
}

impl<O: Object> Reduce for OptionOf<O> {
    // What the element holds: a container adds no field.
    fn visit_types(&self, tree: &mut TypeTree) {
        O::visit_types(tree)
    }
    fn dump(&self, value: &dyn Any, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        match downcast::<Option<O::Target>>(value) {
            None => {
                cx.write_bytes(&[0]);
                Ok(())
            }
            Some(item) => {
                cx.write_bytes(&[1]);
                cx.dump_object_as(item, &Own::of::<O>())
            }
        }
    }
    fn copy(&self, value: &dyn Any, cx: &mut Copier<'_>, place: Place<'_>) -> Delivered {
        let copy = match downcast::<Option<O::Target>>(value) {
            Some(item) => Some(cx.copy_one::<O>(item)?),
            None => None,
        };
        deliver(place, copy)
    }
}

impl<O: Object> Construct for OptionOf<O> {
    fn load(&self, cx: &mut Loader<'_>, place: Place<'_>) -> Delivered {
        let value = match cx.read_option_tag()? {
            true => Some(cx.load_one::<O>()?),
            false => None,
        };
        deliver(place, value)
    }
}

impl<O: Object> Reduce for BoxOf<O> {
    // What the element holds: a container adds no field.
    fn visit_types(&self, tree: &mut TypeTree) {
        O::visit_types(tree)
    }
    fn dump(&self, value: &dyn Any, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        let item: &O::Target = downcast::<Box<O::Target>>(value);
        cx.dump_object_as(item, &Own::of::<O>())
    }
    fn copy(&self, value: &dyn Any, cx: &mut Copier<'_>, place: Place<'_>) -> Delivered {
        let item: &O::Target = downcast::<Box<O::Target>>(value);
        deliver(place, Box::new(cx.copy_one::<O>(item)?))
    }
}

impl<O: Object> Construct for BoxOf<O> {
    fn load(&self, cx: &mut Loader<'_>, place: Place<'_>) -> Delivered {
        cx.charge(std::mem::size_of::<O::Target>())?;
        deliver(place, Box::new(cx.load_one::<O>()?))
    }
}
