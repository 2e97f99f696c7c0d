//! [`Reducible`] for `sync::Weak` and `rc::Weak`, written as the shared pointer they point
//! to: a back reference, a pointer whose target follows, or dangling (see `engine/shared`).

use std::rc::{Rc, Weak as RcWeak};
use std::sync::{Arc, Weak as ArcWeak};

use crate::codecs::reducible::{name_wrapped, Reducible};
use crate::engine::copy::Copier;
use crate::engine::dump::Dumper;
use crate::engine::load::Loader;
use crate::wire::error::Failure;

macro_rules! reducible_pointer {
    ($ptr:ident, $weak:ident) => {
        impl<T: Reducible> Reducible for $weak<T> {
            const __SHAPE: &'static crate::engine::shape::Shape =
                &crate::engine::shape::Shape::Weak(T::__SHAPE);

            fn __name(out: &mut String) {
                name_wrapped::<T>(out, stringify!($weak));
            }

            fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Failure> {
                cx.dump_weak::<$ptr<T>>(self, T::__dump)
            }

            fn __load(cx: &mut Loader<'_>) -> Result<Self, Failure> {
                cx.load_weak::<$ptr<T>>(T::__load)
            }

            fn __copy(&self, cx: &mut Copier<'_>) -> Result<Self, Failure> {
                cx.copy_weak::<$ptr<T>>(self, T::__copy)
            }

            fn __visit_types(tree: &mut crate::engine::tree::TypeTree) {
                T::__visit_types(tree)
            }
        }
    };
}

reducible_pointer!(Arc, ArcWeak);
reducible_pointer!(Rc, RcWeak);
