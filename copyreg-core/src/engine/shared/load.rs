//! Reading shared pointers: each allocation built once, back references cloned.

use std::any::Any;

use super::{
    build_cyclic, cycle, downcast, Cycles, Pointer, Pointers, Slot, CYCLIC, POINTER_BACK,
    WEAK_BACK, WEAK_DANGLING, WEAK_TARGET_FOLLOWS,
};
use crate::engine::load::Loader;
use crate::engine::trace::Event;
use crate::wire::depth::Nested;
use crate::wire::error::Failure;

/// What a load has rebuilt, by index.
#[derive(Debug, Default)]
pub(crate) struct LoadMemo {
    /// Each allocation of the stream, by index: being built, or where its pointer is kept.
    slots: Vec<Slot>,
    pointers: Pointers,
    cycles: Cycles,
    /// By index: whether a `Weak` inside the allocation, being built, has pointed back to
    /// it. A writer marks an allocation cyclic only then; the trial checks it.
    pointed_back: Vec<bool>,
}

impl Loader<'_> {
    /// The memo, made at the first shared pointer: a stream without any makes none, and
    /// drops none (a `loads` of one small value spent 30 instructions dropping it empty).
    fn memo(&mut self) -> &mut LoadMemo {
        self.shared.get_or_insert_with(Box::default)
    }

    /// Reads a shared pointer written by [`Dumper::dump_pointer`](crate::engine::dump::Dumper::dump_pointer).
    pub fn load_pointer<P: Pointer>(
        &mut self,
        read: impl Fn(&mut Self) -> Result<P::Target, Failure>,
    ) -> Result<P, Failure> {
        self.load_shared(|cx, cyclic| {
            // The allocation: the value and the two counts beside it.
            cx.charge(std::mem::size_of::<P::Target>() + 2 * std::mem::size_of::<usize>())?;
            match cyclic {
                Some(index) => cx.load_cyclic::<P>(index, &read),
                None => read(cx).map(P::new),
            }
        })
    }

    /// Reads allocation `index`, which a `Weak` inside points back to, without ever leaving
    /// `new_cyclic` early (see [`Cycles`]).
    fn load_cyclic<P: Pointer>(
        &mut self,
        index: usize,
        read: &impl Fn(&mut Self) -> Result<P::Target, Failure>,
    ) -> Result<P, Failure> {
        let cycles = self.memo().cycles;
        if cycles == Cycles::Trial {
            return self.trial::<P>(index, read).map(P::new);
        }
        let start = (self.progress(), self.memo().pointers.mark());
        let back = |cx: &mut Self, freed| {
            cx.go_back(&start.0, freed);
            cx.memo().pointers.rewind(&start.1);
            cx.memo().slots.truncate(index + 1);
        };
        let fallback = match cycles {
            Cycles::Outside => Some(self.trial::<P>(index, read)?),
            // The trial around this one read it without error.
            _ => None,
        };
        // The trial's value is kept through the replay, in case that fails: its memory stays
        // charged, so that the two together stay within the allocation budget.
        back(self, fallback.is_none());
        self.memo().cycles = Cycles::Replay;
        let built = build_cyclic::<P, Self>(
            self,
            |cx, weak| cx.load_with_weak::<P>(index, weak, read),
            fallback,
            |cx| {
                // What the failed replay read has been dropped.
                back(cx, true);
                cx.trial::<P>(index, read)
            },
        );
        self.memo().cycles = cycles;
        built
    }

    /// Reads allocation `index` with a dangling `Weak` for the pointers back to it, and
    /// every such allocation inside it as a plain one.
    fn trial<P: Pointer>(
        &mut self,
        index: usize,
        read: &impl Fn(&mut Self) -> Result<P::Target, Failure>,
    ) -> Result<P::Target, Failure> {
        let at = self.position();
        let cycles = std::mem::replace(&mut self.memo().cycles, Cycles::Trial);
        let value = self.load_with_weak::<P>(index, &P::dangling(), read);
        self.memo().cycles = cycles;
        // Only a hostile stream marks an allocation nothing points back to: refused, so that
        // it cannot have the values in it built twice for nothing.
        if value.is_ok() && self.memo().pointed_back.get(index) != Some(&true) {
            return Err(Failure::malformed(
                at,
                format!(
                    "shared value #{} is marked as the target of a Weak inside it, but none \
                     points back to it",
                    index + 1
                ),
            ));
        }
        value
    }

    /// Reads allocation `index`, handing `weak` to the pointers back to it.
    fn load_with_weak<P: Pointer>(
        &mut self,
        index: usize,
        weak: &P::Weak,
        read: &impl Fn(&mut Self) -> Result<P::Target, Failure>,
    ) -> Result<P::Target, Failure> {
        self.memo().slots[index] = Slot::Building(Some(Box::new(weak.clone())));
        read(self)
    }

    /// Reads a shared allocation written by [`Dumper::dump_shared`](crate::engine::dump::Dumper::dump_shared): `build` makes it the
    /// first time, given its memo index if a `Weak` inside points back to it.
    pub(crate) fn load_shared<P: Clone + Any>(
        &mut self,
        build: impl FnOnce(&mut Self, Option<usize>) -> Result<P, Failure>,
    ) -> Result<P, Failure> {
        let at = self.position();
        let k = self.read_varint()?;
        self.note(|| Event::Pointer {
            at,
            end: self.position(),
            k,
            weak: false,
        });
        // Versions 3 and 4 mark a cyclic allocation in the pointer's byte; versions 1 and 2 in a
        // flags byte after it.
        let (back, flags) = if self.is_compact() {
            match k.checked_sub(POINTER_BACK) {
                Some(back) => (Some(back), 0),
                None => (None, k as u8),
            }
        } else if k > 0 {
            (Some(k - 1), 0)
        } else {
            (None, self.read_array::<1>()?[0])
        };
        if let Some(back) = back {
            return match usize::try_from(back)
                .ok()
                .and_then(|i| self.memo().slots.get(i))
            {
                Some(&Slot::Built(kept)) => self.memo().pointers.get::<P>(kept, "a back reference"),
                Some(Slot::Building(_)) => Err(cycle::<P>()),
                None => Err(Failure::malformed(
                    at,
                    format!(
                        "reference to shared value #{}, which the stream has not written",
                        u128::from(back) + 1
                    ),
                )),
            };
        }
        if flags & !CYCLIC != 0 {
            return Err(Failure::malformed(
                at,
                format!("shared value flags {flags:#04x}"),
            ));
        }
        let index = self.memo().slots.len();
        self.memo().slots.push(Slot::Building(None));
        let cyclic = (flags & CYCLIC != 0).then_some(index);
        let pointer = self.nested(|cx| build(cx, cyclic))?;
        let kept = self.memo().pointers.keep(pointer.clone());
        self.memo().slots[index] = Slot::Built(kept);
        Ok(pointer)
    }

    /// Reads a weak pointer written by [`Dumper::dump_weak`](crate::engine::dump::Dumper::dump_weak). A target written in its place
    /// is kept alive until the load ends, for the strong pointers later in the stream.
    pub fn load_weak<P: Pointer>(
        &mut self,
        read: impl Fn(&mut Self) -> Result<P::Target, Failure>,
    ) -> Result<P::Weak, Failure> {
        let at = self.position();
        let k = self.read_varint()?;
        self.note(|| Event::Pointer {
            at,
            end: self.position(),
            k,
            weak: true,
        });
        if k == WEAK_DANGLING {
            return Ok(P::dangling());
        }
        if k == WEAK_TARGET_FOLLOWS {
            return Ok(self.load_pointer::<P>(read)?.downgrade());
        }
        let index = (k - WEAK_BACK) as usize;
        match self.memo().slots.get(index) {
            Some(&Slot::Built(kept)) => Ok(self
                .memo()
                .pointers
                .get::<P>(kept, "a weak reference")?
                .downgrade()),
            Some(Slot::Building(Some(weak))) => {
                let weak = downcast::<P::Weak>(&**weak, "a weak reference")?;
                let marks = &mut self.memo().pointed_back;
                if marks.len() <= index {
                    marks.resize(index + 1, false);
                }
                marks[index] = true;
                Ok(weak)
            }
            Some(Slot::Building(None)) => Err(Failure::malformed(
                at,
                "weak reference to a value under construction that was not marked as such",
            )),
            None => Err(Failure::malformed(
                at,
                format!(
                    "weak reference to shared value #{}, which the stream has not written",
                    index + 1
                ),
            )),
        }
    }
}
