//! [`Reducible`] for `Cell`, written as the value it holds. (`RefCell`, `Mutex` and `RwLock`
//! are in `native.rs`, by their codec.)

use std::cell::Cell;

use crate::codecs::reducible::{name_wrapped, Reducible};
use crate::engine::copy::Copier;
use crate::engine::dump::Dumper;
use crate::engine::load::Loader;
use crate::wire::error::Failure;

impl<T: Reducible + Copy> Reducible for Cell<T> {
    const __MIN_SIZE: usize = T::__MIN_SIZE;
    const __SHAPE: &'static crate::engine::shape::Shape = T::__SHAPE;

    fn __name(out: &mut String) {
        name_wrapped::<T>(out, "Cell");
    }

    fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        self.get().__dump(cx)
    }

    fn __load(cx: &mut Loader<'_>) -> Result<Self, Failure> {
        T::__load(cx).map(Cell::new)
    }

    fn __copy(&self, cx: &mut Copier<'_>) -> Result<Self, Failure> {
        self.get().__copy(cx).map(Cell::new)
    }

    fn __visit_types(tree: &mut crate::engine::tree::TypeTree) {
        T::__visit_types(tree)
    }
}
