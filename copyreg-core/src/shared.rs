//! Shared references: `Arc`, `Rc` and their `Weak`s keep an object graph's shape.
//!
//! Within one stream or one deep copy, a shared allocation is written or copied once and every
//! later pointer to it refers back to that (Python's pickle memo). A `Weak` to an allocation
//! that is still being built around it (a parent link) is restored with `Rc::new_cyclic` /
//! `Arc::new_cyclic`. A `Weak` met before any strong pointer to its target is written with its
//! target in place when a first pass found the target in the value, and dangling when not.
//! A strong reference back to an allocation still being built is a cycle that a bottom-up
//! rebuild cannot express, and is reported as [`Error::Cycle`].
//!
//! Stream layout:
//!
//! ```text
//! pointer = varint 0, flags:u8, the value    a new allocation (flags bit 0: a Weak inside points back to it)
//!         | varint k                         the k-th allocation of this stream
//! weak    = varint 0                         dangling, or its target is not in the value
//!         | varint 1, pointer                its target, first met here (it is kept alive for the
//!                                            strong pointers later in the value)
//!         | varint k + 2                     the k-th allocation
//! ```

use std::any::{Any, TypeId};
use std::panic::{self, AssertUnwindSafe};
use std::rc::{self, Rc};
use std::sync::{self, Arc};

use crate::copy::Copier;
use crate::depth::Nested;
use crate::dump::Dumper;
use crate::error::Error;
use crate::load::Loader;
use crate::reducible::{name_wrapped, Reducible};
use crate::registry::{QuickMap, QuickSet};

/// The flag bit for an allocation that a `Weak` inside it points back to.
const CYCLIC: u8 = 1;

/// A weak pointer to nothing, or to nothing in the value.
const WEAK_DANGLING: u64 = 0;
/// A weak pointer whose target is written right here, as a pointer.
const WEAK_TARGET_FOLLOWS: u64 = 1;
/// A weak pointer to allocation #k of the stream is written as k + WEAK_BACK.
const WEAK_BACK: u64 = 2;

/// `Arc<T>` or `Rc<T>`, for the code both share.
pub trait Pointer: Clone + Any {
    /// The value pointed to.
    type Target: Any;
    /// The matching weak pointer.
    type Weak: Clone + Any;

    /// A new allocation.
    fn new(value: Self::Target) -> Self;
    /// A new allocation whose value is built with a weak pointer to it in hand.
    fn new_cyclic(build: impl FnOnce(&Self::Weak) -> Self::Target) -> Self;
    /// The value.
    fn get(&self) -> &Self::Target;
    /// The allocation's address, its identity within one dump or copy.
    fn address(&self) -> usize;
    /// Whether a weak pointer to this allocation exists.
    fn has_weak(&self) -> bool;
    /// A weak pointer to this allocation.
    fn downgrade(&self) -> Self::Weak;
    /// The allocation behind a weak pointer, if it is alive.
    fn upgrade(weak: &Self::Weak) -> Option<Self>;
    /// A weak pointer to nothing.
    fn dangling() -> Self::Weak;
}

macro_rules! pointer {
    ($ptr:ident, $weak:ty) => {
        impl<T: Any> Pointer for $ptr<T> {
            type Target = T;
            type Weak = $weak;

            fn new(value: T) -> Self {
                $ptr::new(value)
            }
            fn new_cyclic(build: impl FnOnce(&Self::Weak) -> T) -> Self {
                $ptr::new_cyclic(build)
            }
            fn get(&self) -> &T {
                self
            }
            fn address(&self) -> usize {
                $ptr::as_ptr(self) as *const () as usize
            }
            fn has_weak(&self) -> bool {
                $ptr::weak_count(self) > 0
            }
            fn downgrade(&self) -> Self::Weak {
                $ptr::downgrade(self)
            }
            fn upgrade(weak: &Self::Weak) -> Option<Self> {
                weak.upgrade()
            }
            fn dangling() -> Self::Weak {
                <$weak>::new()
            }
        }
    };
}

pointer!(Arc, sync::Weak<T>);
pointer!(Rc, rc::Weak<T>);

/// Builds `P` with `new_cyclic` from a fallible `build`. `new_cyclic` takes an infallible
/// closure, so an error leaves it by unwinding (without the panic hook) and is caught here.
fn build_cyclic<P: Pointer>(
    build: impl FnOnce(&P::Weak) -> Result<P::Target, Error>,
) -> Result<P, Error> {
    struct Escape(Error);
    let built = panic::catch_unwind(AssertUnwindSafe(|| {
        P::new_cyclic(|weak| match build(weak) {
            Ok(value) => value,
            Err(error) => panic::resume_unwind(Box::new(Escape(error))),
        })
    }));
    match built {
        Ok(pointer) => Ok(pointer),
        Err(payload) => match payload.downcast::<Escape>() {
            Ok(escape) => Err(escape.0),
            // A panic from user code: not ours to swallow.
            Err(other) => panic::resume_unwind(other),
        },
    }
}

fn key<P: Pointer>(pointer: &P) -> (usize, TypeId) {
    (pointer.address(), TypeId::of::<P>())
}

/// What a dump has written of each allocation.
#[derive(Debug, Default)]
pub(crate) struct DumpMemo {
    seen: QuickMap<(usize, TypeId), Seen>,
    /// The allocations strong pointers in the value reach, once a first pass has found them.
    reachable: Option<Reachable>,
    /// A `Weak` met its target before any strong pointer did: a second pass, knowing what
    /// is reachable, can write the target there.
    pub(crate) forward_weak: bool,
}

/// The allocations a value's strong pointers reach.
pub(crate) type Reachable = QuickSet<(usize, TypeId)>;

impl DumpMemo {
    /// A memo for a pass that knows what is reachable.
    pub(crate) fn knowing(reachable: Reachable) -> Self {
        DumpMemo {
            reachable: Some(reachable),
            ..DumpMemo::default()
        }
    }

    /// What this pass reached through strong pointers.
    pub(crate) fn reached(self) -> Reachable {
        self.seen.into_keys().collect()
    }
}

#[derive(Debug)]
struct Seen {
    index: u64,
    /// Still being written: a strong pointer to it now would be a cycle.
    building: bool,
    /// Where its flags byte is, to mark it when a `Weak` inside points back.
    flags_at: usize,
}

/// An allocation being rebuilt or rebuilt, by its index in the stream or its address in the
/// original.
#[derive(Debug)]
enum Slot {
    /// Still being built, with a `Weak` to it if it is built cyclically.
    Building(Option<Box<dyn Any>>),
    /// Built: the `Arc` or `Rc`.
    Built(Box<dyn Any>),
}

/// What a load has rebuilt, by index.
#[derive(Debug, Default)]
pub(crate) struct LoadMemo {
    slots: Vec<Slot>,
}

/// What a deep copy has rebuilt, by original address.
#[derive(Debug, Default)]
pub(crate) struct CopyMemo {
    slots: QuickMap<(usize, TypeId), Slot>,
    /// As for [`DumpMemo`].
    reachable: Option<Reachable>,
    /// As for [`DumpMemo`].
    pub(crate) forward_weak: bool,
}

impl CopyMemo {
    /// A memo for a pass that knows what is reachable.
    pub(crate) fn knowing(reachable: Reachable) -> Self {
        CopyMemo {
            reachable: Some(reachable),
            ..CopyMemo::default()
        }
    }
}

fn cycle<P>() -> Error {
    Error::Cycle {
        type_name: std::any::type_name::<P>(),
    }
}

fn downcast<T: Clone + Any>(value: &dyn Any, expected: &'static str) -> Result<T, Error> {
    value
        .downcast_ref::<T>()
        .cloned()
        .ok_or_else(|| Error::TypeMismatch {
            expected: std::any::type_name::<T>(),
            found: "a shared value of another type",
            constructor: expected.to_string(),
        })
}

impl Dumper<'_> {
    /// Writes a shared pointer: the value the first time, a back reference after that.
    pub fn dump_pointer<P: Pointer>(
        &mut self,
        pointer: &P,
        write: impl FnOnce(&P::Target, &mut Self) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.dump_shared::<P>(key(pointer), |cx| write(pointer.get(), cx))
    }

    /// Writes the allocation `key` (its address and pointer type): by `write` the first
    /// time, as a back reference after that.
    pub(crate) fn dump_shared<P>(
        &mut self,
        key: (usize, TypeId),
        write: impl FnOnce(&mut Self) -> Result<(), Error>,
    ) -> Result<(), Error> {
        if let Some(seen) = self.shared.seen.get(&key) {
            if seen.building {
                return Err(cycle::<P>());
            }
            let index = seen.index;
            self.write_varint(index + 1);
            return Ok(());
        }
        self.write_varint(0);
        let seen = Seen {
            index: self.shared.seen.len() as u64,
            building: true,
            flags_at: self.position(),
        };
        self.write_bytes(&[0]);
        self.shared.seen.insert(key, seen);
        self.nested(write)?;
        if let Some(seen) = self.shared.seen.get_mut(&key) {
            seen.building = false;
        }
        Ok(())
    }

    /// Writes a weak pointer: a reference to its target if the stream has it already (or is
    /// writing it around this `Weak`); the target itself, written by `write`, if it is in the
    /// value but comes later; dangling if it is not in the value.
    pub fn dump_weak<P: Pointer>(
        &mut self,
        weak: &P::Weak,
        write: impl FnOnce(&P::Target, &mut Self) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let Some(target) = P::upgrade(weak) else {
            self.write_varint(WEAK_DANGLING);
            return Ok(());
        };
        let key = key(&target);
        if let Some(seen) = self.shared.seen.get(&key) {
            let (index, building, flags_at) = (seen.index, seen.building, seen.flags_at);
            if building {
                self.mark(flags_at, CYCLIC);
            }
            self.write_varint(index + WEAK_BACK);
            return Ok(());
        }
        match &self.shared.reachable {
            Some(reachable) if reachable.contains(&key) => {
                self.write_varint(WEAK_TARGET_FOLLOWS);
                self.dump_pointer(&target, write)
            }
            Some(_) => {
                self.write_varint(WEAK_DANGLING);
                Ok(())
            }
            None => {
                self.shared.forward_weak = true;
                self.write_varint(WEAK_DANGLING);
                Ok(())
            }
        }
    }
}

impl Loader<'_> {
    /// Reads a shared pointer written by [`Dumper::dump_pointer`].
    pub fn load_pointer<P: Pointer>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<P::Target, Error>,
    ) -> Result<P, Error> {
        self.load_shared(|cx, cyclic| {
            // The allocation: the value and the two counts beside it.
            cx.charge(std::mem::size_of::<P::Target>() + 2 * std::mem::size_of::<usize>())?;
            match cyclic {
                Some(index) => build_cyclic::<P>(|weak| {
                    cx.shared.slots[index] = Slot::Building(Some(Box::new(weak.clone())));
                    read(cx)
                }),
                None => read(cx).map(P::new),
            }
        })
    }

    /// Reads a shared allocation written by [`Dumper::dump_shared`]: `build` makes it the
    /// first time, given its memo index if a `Weak` inside points back to it.
    pub(crate) fn load_shared<P: Clone + Any>(
        &mut self,
        build: impl FnOnce(&mut Self, Option<usize>) -> Result<P, Error>,
    ) -> Result<P, Error> {
        let at = self.position();
        let k = self.read_varint()?;
        if k > 0 {
            return match self.shared.slots.get(k as usize - 1) {
                Some(Slot::Built(pointer)) => downcast::<P>(&**pointer, "a back reference"),
                Some(Slot::Building(_)) => Err(cycle::<P>()),
                None => Err(Error::malformed(
                    at,
                    format!("reference to shared value #{k}, which the stream has not written"),
                )),
            };
        }
        let flags = self.read_array::<1>()?[0];
        if flags & !CYCLIC != 0 {
            return Err(Error::malformed(
                at,
                format!("shared value flags {flags:#04x}"),
            ));
        }
        let index = self.shared.slots.len();
        self.shared.slots.push(Slot::Building(None));
        let cyclic = (flags & CYCLIC != 0).then_some(index);
        let pointer = self.nested(|cx| build(cx, cyclic))?;
        self.shared.slots[index] = Slot::Built(Box::new(pointer.clone()));
        Ok(pointer)
    }

    /// Reads a weak pointer written by [`Dumper::dump_weak`]. A target written in its place
    /// is kept alive until the load ends, for the strong pointers later in the stream.
    pub fn load_weak<P: Pointer>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<P::Target, Error>,
    ) -> Result<P::Weak, Error> {
        let at = self.position();
        let k = self.read_varint()?;
        if k == WEAK_DANGLING {
            return Ok(P::dangling());
        }
        if k == WEAK_TARGET_FOLLOWS {
            return Ok(self.load_pointer::<P>(read)?.downgrade());
        }
        let index = (k - WEAK_BACK) as usize;
        match self.shared.slots.get(index) {
            Some(Slot::Built(pointer)) => {
                Ok(downcast::<P>(&**pointer, "a weak reference")?.downgrade())
            }
            Some(Slot::Building(Some(weak))) => downcast::<P::Weak>(&**weak, "a weak reference"),
            Some(Slot::Building(None)) => Err(Error::malformed(
                at,
                "weak reference to a value under construction that was not marked as such",
            )),
            None => Err(Error::malformed(
                at,
                format!(
                    "weak reference to shared value #{}, which the stream has not written",
                    index + 1
                ),
            )),
        }
    }
}

impl Copier<'_> {
    /// Copies a shared pointer: [`copy`](crate::copy) shares the allocation, [`deepcopy`]
    /// (crate::deepcopy) copies it once and shares the copy wherever the original was shared.
    pub fn copy_pointer<P: Pointer>(
        &mut self,
        pointer: &P,
        copy: impl FnOnce(&P::Target, &mut Self) -> Result<P::Target, Error>,
    ) -> Result<P, Error> {
        if !self.is_deep() {
            return Ok(pointer.clone());
        }
        let key = key(pointer);
        self.copy_shared(key, |cx| {
            if pointer.has_weak() {
                build_cyclic::<P>(|weak| {
                    cx.shared
                        .slots
                        .insert(key, Slot::Building(Some(Box::new(weak.clone()))));
                    copy(pointer.get(), cx)
                })
            } else {
                copy(pointer.get(), cx).map(P::new)
            }
        })
    }

    /// Deep-copies the allocation `key` once with `copy`; later calls get that copy.
    pub(crate) fn copy_shared<P: Clone + Any>(
        &mut self,
        key: (usize, TypeId),
        copy: impl FnOnce(&mut Self) -> Result<P, Error>,
    ) -> Result<P, Error> {
        match self.shared.slots.get(&key) {
            Some(Slot::Built(copy)) => return downcast::<P>(&**copy, "a shared value"),
            Some(Slot::Building(_)) => return Err(cycle::<P>()),
            None => {}
        }
        self.shared.slots.insert(key, Slot::Building(None));
        let copied = self.nested(copy)?;
        self.shared
            .slots
            .insert(key, Slot::Built(Box::new(copied.clone())));
        Ok(copied)
    }

    /// Copies a weak pointer. A deep copy points it at the copy of its target when the target
    /// is in the value (copying the target here if no strong pointer has yet); otherwise, as
    /// Python's `deepcopy` does with weak references, the copy points where the original does.
    pub fn copy_weak<P: Pointer>(
        &mut self,
        weak: &P::Weak,
        copy: impl FnOnce(&P::Target, &mut Self) -> Result<P::Target, Error>,
    ) -> Result<P::Weak, Error> {
        if !self.is_deep() {
            return Ok(weak.clone());
        }
        let Some(target) = P::upgrade(weak) else {
            return Ok(P::dangling());
        };
        let key = key(&target);
        match self.shared.slots.get(&key) {
            Some(Slot::Built(copy)) => {
                return Ok(downcast::<P>(&**copy, "a shared value")?.downgrade())
            }
            Some(Slot::Building(Some(copy))) => {
                return downcast::<P::Weak>(&**copy, "a shared value")
            }
            Some(Slot::Building(None)) => return Ok(weak.clone()),
            None => {}
        }
        match &self.shared.reachable {
            // The memo keeps the copy alive for the strong pointers still to come.
            Some(reachable) if reachable.contains(&key) => {
                Ok(self.copy_pointer(&target, copy)?.downgrade())
            }
            Some(_) => Ok(weak.clone()),
            None => {
                self.shared.forward_weak = true;
                Ok(weak.clone())
            }
        }
    }
}

macro_rules! reducible_pointer {
    ($ptr:ident, $weak:ident) => {
        impl<T: Reducible> Reducible for $weak<T> {
            fn __name(out: &mut String) {
                name_wrapped::<T>(out, stringify!($weak));
            }

            fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Error> {
                cx.dump_weak::<$ptr<T>>(self, T::__dump)
            }

            fn __load(cx: &mut Loader<'_>) -> Result<Self, Error> {
                cx.load_weak::<$ptr<T>>(T::__load)
            }

            fn __copy(&self, cx: &mut Copier<'_>) -> Result<Self, Error> {
                cx.copy_weak::<$ptr<T>>(self, T::__copy)
            }
        }
    };
}

use rc::Weak as RcWeak;
use sync::Weak as ArcWeak;

reducible_pointer!(Arc, ArcWeak);
reducible_pointer!(Rc, RcWeak);
