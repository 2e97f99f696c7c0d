//! [`Reducible`] for the interior-mutability wrappers that object graphs are built from:
//! `Cell`, `RefCell`, `Mutex` and `RwLock`, written as the value they hold.

use std::cell::{Cell, RefCell};
use std::sync::{Mutex, PoisonError, RwLock};

use crate::copy::Copier;
use crate::dump::Dumper;
use crate::error::Error;
use crate::load::Loader;
use crate::reducible::{name_wrapped, Reducible};

impl<T: Reducible + Copy> Reducible for Cell<T> {
    const __MIN_SIZE: usize = T::__MIN_SIZE;

    fn __name(out: &mut String) {
        name_wrapped::<T>(out, "Cell");
    }

    fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Error> {
        self.get().__dump(cx)
    }

    fn __load(cx: &mut Loader<'_>) -> Result<Self, Error> {
        T::__load(cx).map(Cell::new)
    }

    fn __copy(&self, cx: &mut Copier<'_>) -> Result<Self, Error> {
        self.get().__copy(cx).map(Cell::new)
    }
}

fn borrowed<T>() -> Error {
    Error::Borrowed {
        type_name: std::any::type_name::<T>(),
    }
}

impl<T: Reducible> Reducible for RefCell<T> {
    const __MIN_SIZE: usize = T::__MIN_SIZE;

    fn __name(out: &mut String) {
        name_wrapped::<T>(out, "RefCell");
    }

    fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Error> {
        self.try_borrow()
            .map_err(|_| borrowed::<Self>())?
            .__dump(cx)
    }

    fn __load(cx: &mut Loader<'_>) -> Result<Self, Error> {
        T::__load(cx).map(RefCell::new)
    }

    fn __copy(&self, cx: &mut Copier<'_>) -> Result<Self, Error> {
        let copy = self
            .try_borrow()
            .map_err(|_| borrowed::<Self>())?
            .__copy(cx);
        copy.map(RefCell::new)
    }
}

// A poisoned lock still holds a whole value: a panic elsewhere does not stop it being read.
impl<T: Reducible> Reducible for Mutex<T> {
    const __MIN_SIZE: usize = T::__MIN_SIZE;

    fn __name(out: &mut String) {
        name_wrapped::<T>(out, "Mutex");
    }

    fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Error> {
        self.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .__dump(cx)
    }

    fn __load(cx: &mut Loader<'_>) -> Result<Self, Error> {
        T::__load(cx).map(Mutex::new)
    }

    fn __copy(&self, cx: &mut Copier<'_>) -> Result<Self, Error> {
        let copy = self
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .__copy(cx);
        copy.map(Mutex::new)
    }
}

impl<T: Reducible> Reducible for RwLock<T> {
    const __MIN_SIZE: usize = T::__MIN_SIZE;

    fn __name(out: &mut String) {
        name_wrapped::<T>(out, "RwLock");
    }

    fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Error> {
        self.read()
            .unwrap_or_else(PoisonError::into_inner)
            .__dump(cx)
    }

    fn __load(cx: &mut Loader<'_>) -> Result<Self, Error> {
        T::__load(cx).map(RwLock::new)
    }

    fn __copy(&self, cx: &mut Copier<'_>) -> Result<Self, Error> {
        let copy = self
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .__copy(cx);
        copy.map(RwLock::new)
    }
}
