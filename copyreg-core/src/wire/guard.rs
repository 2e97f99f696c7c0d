//! A serde `Deserializer` adapter for untrusted input, put between postcard (or bincode, for
//! version 1 and 2 streams) and the types that only serde knows how to read.
//!
//! - Sequence and map size hints are hidden, so serde's visitors do not preallocate from a
//!   length the input claims (they grow as elements actually arrive).
//! - Nesting is counted, and past [`MAX_SERDE_DEPTH`] is an error, not a stack overflow; the
//!   stack also grows on the heap when it runs low, as for copyreg's own nesting.
//! - Sequence and map elements are counted against the load's element limit, the claimed
//!   length at once where the format knows it: elements that take no bytes (`()`, unit
//!   structs) would otherwise let a few bytes claim 2^64 of them. Each element's memory is
//!   charged to the allocation budget as it arrives: one byte of input may stand for a
//!   `None` whose slot takes kilobytes.
//!
//! The file is just over 500 lines: the adapter wraps serde's `Deserializer`, `Visitor`
//! and the four access traits. Each wrapper is a few lines and reads only beside the others.

use std::cell::{Cell, RefCell};
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, Visitor};

use crate::wire::error::LimitKind;

/// How deeply a serde-only value may nest inside a stream.
pub(crate) const MAX_SERDE_DEPTH: usize = 512;

/// What one serde value may still use: nesting levels, collection elements, and memory for
/// them.
#[derive(Debug)]
pub(crate) struct Budget {
    depth: Cell<usize>,
    elements: Cell<usize>,
    alloc: Cell<usize>,
    exceeded: Cell<Option<LimitKind>>,
    /// The error on its way up through the format, which may not keep its message
    /// (postcard's errors do not): taken back on the other side.
    in_transit: RefCell<Option<GuardError>>,
}

impl Budget {
    pub(crate) fn new(elements: usize, alloc: usize) -> Self {
        Budget {
            depth: Cell::new(0),
            elements: Cell::new(elements),
            alloc: Cell::new(alloc),
            exceeded: Cell::new(None),
            in_transit: RefCell::new(None),
        }
    }

    pub(crate) fn elements_left(&self) -> usize {
        self.elements.get()
    }

    pub(crate) fn alloc_left(&self) -> usize {
        self.alloc.get()
    }

    /// The limit the value failed on, if that is why it failed.
    pub(crate) fn exceeded(&self) -> Option<LimitKind> {
        self.exceeded.get()
    }

    /// Takes `n` from `left`, or notes that `kind` ran out.
    fn take<E: de::Error>(&self, left: &Cell<usize>, n: usize, kind: LimitKind) -> Result<(), E> {
        match left.get().checked_sub(n) {
            Some(rest) => {
                left.set(rest);
                Ok(())
            }
            None => {
                self.exceeded.set(Some(kind));
                Err(E::custom(format_args!("{kind} exceeds its limit")))
            }
        }
    }

    /// Counts `n` elements, before any of them is read.
    fn count<E: de::Error>(&self, n: usize) -> Result<(), E> {
        self.take(&self.elements, n, LimitKind::Elements)
    }

    /// Charges the memory a collection's element of type `T` takes: its slot, twice over,
    /// since serde's collections grow by doubling (never 0, as for copyreg's own).
    fn charge<T, E: de::Error>(&self) -> Result<(), E> {
        let slot = crate::wire::limits::slot_size::<T>();
        self.take(&self.alloc, 2 * slot, LimitKind::Allocation)
    }

    /// Hands `error` to the format as one of its own errors, keeping it to take back.
    fn handed_over<E: de::Error>(&self, error: GuardError) -> E {
        let format = E::custom(&error.0);
        *self.in_transit.borrow_mut() = Some(error);
        format
    }

    /// Takes back an error from the format: the one [`Budget::handed_over`] handed it, if any,
    /// else the format's own.
    fn taken_back(&self, error: impl fmt::Display) -> GuardError {
        self.in_transit
            .borrow_mut()
            .take()
            .unwrap_or_else(|| GuardError(error.to_string()))
    }

    /// Runs `f` one level deeper, on a stack with room to spare.
    fn deeper<R, E: de::Error>(&self, f: impl FnOnce() -> Result<R, E>) -> Result<R, E> {
        let depth = &self.depth;
        if depth.get() >= MAX_SERDE_DEPTH {
            return Err(E::custom(format_args!(
                "serde value nested more than {MAX_SERDE_DEPTH} levels deep"
            )));
        }
        depth.set(depth.get() + 1);
        let result = stacker::maybe_grow(64 * 1024, 1024 * 1024, f);
        depth.set(depth.get() - 1);
        result
    }
}

/// The error of a guarded value: the message of whatever refused it, the format's, the
/// guard's or the type's own, kept whole.
#[derive(Debug)]
pub(crate) struct GuardError(String);

impl fmt::Display for GuardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GuardError {}

impl de::Error for GuardError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        GuardError(msg.to_string())
    }
}

/// A deserializer that guards `de`. Its errors are [`GuardError`]s, whatever the format's
/// are, so that the messages of types and of the guard survive a format that drops them.
pub(crate) struct Guarded<'g, D> {
    de: D,
    budget: &'g Budget,
}

impl<'g, D> Guarded<'g, D> {
    pub(crate) fn new(de: D, budget: &'g Budget) -> Self {
        Guarded { de, budget }
    }
}

struct Visit<'g, V> {
    visitor: V,
    budget: &'g Budget,
    /// Whether a sequence or map it visits is a collection, whose length the input claims,
    /// rather than a tuple or struct, whose length is the type's.
    collection: bool,
}

impl<'g, V> Visit<'g, V> {
    /// The access to hand the visitor: a collection's counts its elements.
    fn access<A, E: de::Error>(&self, access: A, hint: Option<usize>) -> Result<Access<'g, A>, E> {
        match self.collection {
            true => Access::counting(access, hint, self.budget),
            false => Ok(Access::plain(access, self.budget)),
        }
    }
}

struct Seed<'g, S> {
    seed: S,
    budget: &'g Budget,
}

struct Access<'g, A> {
    access: A,
    budget: &'g Budget,
    /// Whether it reads a collection (not an enum, tuple or struct), whose elements count.
    collection: bool,
    /// Whether the elements were counted when the collection began.
    counted: bool,
}

impl<'g, A> Access<'g, A> {
    /// A collection's access: its elements are counted, all at once if their number is
    /// known (postcard tells it where the bytes left can hold that many of one byte).
    fn counting<E: de::Error>(
        access: A,
        hint: Option<usize>,
        budget: &'g Budget,
    ) -> Result<Self, E> {
        if let Some(n) = hint {
            budget.count(n)?;
        }
        Ok(Access {
            access,
            budget,
            collection: true,
            counted: hint.is_some(),
        })
    }

    /// Charges the memory of one element of type `T`, before it is read; in a tuple or
    /// struct, does nothing.
    fn element<T, E: de::Error>(&self) -> Result<(), E> {
        if !self.collection {
            return Ok(());
        }
        self.budget.charge::<T, E>()
    }

    /// Counts an element that arrived, unless the collection's whole length was counted when
    /// it began. Only elements that take no bytes go uncounted that long: the input bounds
    /// the others.
    fn arrived<E: de::Error>(&self, arrived: bool) -> Result<(), E> {
        if self.collection && arrived && !self.counted {
            self.budget.count(1)?;
        }
        Ok(())
    }

    /// The access of an enum, tuple or struct: its contents are counted where they hold
    /// collections.
    fn plain(access: A, budget: &'g Budget) -> Self {
        Access {
            access,
            budget,
            collection: false,
            counted: true,
        }
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<S::Value, D::Error> {
        let budget = self.budget;
        budget
            .deeper(|| self.seed.deserialize(Guarded { de, budget }))
            .map_err(|e| budget.handed_over(e))
    }
}

macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, GuardError> {
            let collection = matches!(stringify!($method), "deserialize_seq" | "deserialize_map");
            let budget = self.budget;
            let visit = Visit { visitor, budget, collection };
            self.de.$method($($arg,)* visit).map_err(|e| budget.taken_back(e))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Guarded<'_, D> {
    type Error = GuardError;

    forward! {
        deserialize_any();
        deserialize_bool();
        deserialize_i8();
        deserialize_i16();
        deserialize_i32();
        deserialize_i64();
        deserialize_i128();
        deserialize_u8();
        deserialize_u16();
        deserialize_u32();
        deserialize_u64();
        deserialize_u128();
        deserialize_f32();
        deserialize_f64();
        deserialize_char();
        deserialize_str();
        deserialize_string();
        deserialize_bytes();
        deserialize_byte_buf();
        deserialize_option();
        deserialize_unit();
        deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str);
        deserialize_seq();
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_map();
        deserialize_struct(name: &'static str, fields: &'static [&'static str]);
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
        deserialize_identifier();
        deserialize_ignored_any();
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

macro_rules! visit_plain {
    ($($method:ident($ty:ty);)*) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
            let budget = self.budget;
            self.visitor.$method(v).map_err(|e| budget.handed_over(e))
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Visit<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    visit_plain! {
        visit_bool(bool);
        visit_i8(i8);
        visit_i16(i16);
        visit_i32(i32);
        visit_i64(i64);
        visit_i128(i128);
        visit_u8(u8);
        visit_u16(u16);
        visit_u32(u32);
        visit_u64(u64);
        visit_u128(u128);
        visit_f32(f32);
        visit_f64(f64);
        visit_char(char);
        visit_str(&str);
        visit_borrowed_str(&'de str);
        visit_string(String);
        visit_bytes(&[u8]);
        visit_borrowed_bytes(&'de [u8]);
        visit_byte_buf(Vec<u8>);
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        let budget = self.budget;
        self.visitor.visit_none().map_err(|e| budget.handed_over(e))
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        let budget = self.budget;
        self.visitor.visit_unit().map_err(|e| budget.handed_over(e))
    }

    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<V::Value, D::Error> {
        let budget = self.budget;
        budget
            .deeper(|| self.visitor.visit_some(Guarded { de, budget }))
            .map_err(|e| budget.handed_over(e))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, de: D) -> Result<V::Value, D::Error> {
        let budget = self.budget;
        budget
            .deeper(|| self.visitor.visit_newtype_struct(Guarded { de, budget }))
            .map_err(|e| budget.handed_over(e))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, access: A) -> Result<V::Value, A::Error> {
        let budget = self.budget;
        let hint = access.size_hint();
        let visited = self
            .access(access, hint)
            .and_then(|access| self.visitor.visit_seq(access));
        visited.map_err(|e| budget.handed_over(e))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, access: A) -> Result<V::Value, A::Error> {
        let budget = self.budget;
        let hint = access.size_hint();
        let visited = self
            .access(access, hint)
            .and_then(|access| self.visitor.visit_map(access));
        visited.map_err(|e| budget.handed_over(e))
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, access: A) -> Result<V::Value, A::Error> {
        let budget = self.budget;
        self.visitor
            .visit_enum(Access::plain(access, budget))
            .map_err(|e| budget.handed_over(e))
    }
}

impl<'de, A: de::SeqAccess<'de>> de::SeqAccess<'de> for Access<'_, A> {
    type Error = GuardError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, GuardError> {
        self.element::<T::Value, _>()?;
        let budget = self.budget;
        let next = self
            .access
            .next_element_seed(Seed { seed, budget })
            .map_err(|e| budget.taken_back(e))?;
        self.arrived(next.is_some())?;
        Ok(next)
    }

    // The length is the input's claim: visitors must not preallocate from it.
    fn size_hint(&self) -> Option<usize> {
        None
    }
}

impl<'de, A: de::MapAccess<'de>> de::MapAccess<'de> for Access<'_, A> {
    type Error = GuardError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, GuardError> {
        self.element::<K::Value, _>()?;
        let budget = self.budget;
        let next = self
            .access
            .next_key_seed(Seed { seed, budget })
            .map_err(|e| budget.taken_back(e))?;
        self.arrived(next.is_some())?;
        Ok(next)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<T::Value, GuardError> {
        let budget = self.budget;
        if self.collection {
            budget.charge::<T::Value, _>()?;
        }
        self.access
            .next_value_seed(Seed { seed, budget })
            .map_err(|e| budget.taken_back(e))
    }

    fn size_hint(&self) -> Option<usize> {
        None
    }
}

impl<'de, 'g, A: de::EnumAccess<'de>> de::EnumAccess<'de> for Access<'g, A> {
    type Error = GuardError;
    type Variant = Access<'g, A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Self::Variant), GuardError> {
        let budget = self.budget;
        let (value, access) = self
            .access
            .variant_seed(Seed { seed, budget })
            .map_err(|e| budget.taken_back(e))?;
        Ok((value, Access::plain(access, budget)))
    }
}

impl<'de, A: de::VariantAccess<'de>> de::VariantAccess<'de> for Access<'_, A> {
    type Error = GuardError;

    fn unit_variant(self) -> Result<(), GuardError> {
        let budget = self.budget;
        self.access.unit_variant().map_err(|e| budget.taken_back(e))
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, GuardError> {
        let budget = self.budget;
        self.access
            .newtype_variant_seed(Seed { seed, budget })
            .map_err(|e| budget.taken_back(e))
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, GuardError> {
        let budget = self.budget;
        let visit = Visit {
            visitor,
            budget,
            collection: false,
        };
        self.access
            .tuple_variant(len, visit)
            .map_err(|e| budget.taken_back(e))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, GuardError> {
        let budget = self.budget;
        let visit = Visit {
            visitor,
            budget,
            collection: false,
        };
        self.access
            .struct_variant(fields, visit)
            .map_err(|e| budget.taken_back(e))
    }
}
