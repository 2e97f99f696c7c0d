//! Writing a value as a Python pickle: its copyreg stream, read back by the shape each
//! registered constructor gives its arguments, and written again as CPython's pickler
//! writes the same Python objects. A type costs no code of its own for this: its
//! registration describes its arguments as data (`engine/shape.rs`).

use std::any::Any;
use std::borrow::Cow;
use std::rc::Rc;

use num_bigint::BigInt;

use super::opcodes::*;
use super::write::{Writer, BATCH};
use crate::api::pickler::Pickler;
use crate::engine::registry::{Slot, View};
use crate::engine::shape::{Args, Shape};
use crate::wire::depth::{RED_ZONE, SEGMENT};
use crate::wire::entry::Key;
use crate::wire::error::{Error, Failure};
use crate::wire::input::Input;

use super::names::python_global;

impl Pickler {
    /// [`python::dumps_with`](super::dumps_with) with this pickler's reducers and persistent
    /// ids: a persistent id is written as Python's `BINPERSID`, which a Python unpickler's
    /// `persistent_load` resolves.
    ///
    /// ```
    /// #[derive(copyreg::Reducible)]
    /// #[reducer(name = "bank.Account")]
    /// struct Account {
    ///     number: u32,
    /// }
    /// // A generic type at the top of a stream is registered instance by instance.
    /// copyreg::register!(Vec<Account>);
    ///
    /// let accounts = vec![Account { number: 7 }];
    /// let pickler = copyreg::Pickler::new().persistent_id(|value| {
    ///     let account = value.downcast_ref::<Account>()?;
    ///     Some(format!("account:{}", account.number))
    /// });
    /// let bytes = pickler.python_dumps_with(&accounts, 4)?;
    /// let value = copyreg::python::loads_value(&bytes)?;
    /// assert_eq!(format!("{value:?}"), r#"List([Persistent(Str("account:7"))])"#);
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn python_dumps_with<T: Any>(&self, value: &T, protocol: u8) -> Result<Vec<u8>, Error> {
        let mut writer = Writer::new(protocol)?;
        let stream = self.dumps(value)?;
        Translate::new(&stream, self.view(), &mut writer)?.run()?;
        Ok(writer.finish())
    }
}

/// One entry of the stream's name table: what Python calls it, and its arguments.
struct Entry {
    name: Rc<str>,
    call: Callable,
    /// The memo slot of the callable, once written: objects of one class share it, as
    /// CPython's pickler shares a class's global.
    memo: Option<u32>,
    args: Rc<Args>,
    /// How many fields its objects were written with (format 4), where counted.
    fields: Option<u32>,
}

/// What a Python pickle calls to build an object.
enum Callable {
    Global(String, String),
    Ext(u32),
    /// A name Python cannot import (a generic instance's), and why.
    None(String),
}

struct Translate<'a, 'w> {
    body: Input<'a>,
    names: Vec<Entry>,
    out: &'w mut Writer,
    view: View,
    /// The memo slot of each shared allocation of the stream, by its index there; `None`
    /// while it is being written.
    shared: Vec<Option<u32>>,
}

type Step<T = ()> = Result<T, Failure>;

fn unwritable(reason: impl Into<Cow<'static, str>>) -> Failure {
    Error::Pickle {
        offset: None,
        reason: reason.into(),
    }
    .into()
}

impl<'a, 'w> Translate<'a, 'w> {
    fn new(stream: &'a [u8], view: View, out: &'w mut Writer) -> Step<Self> {
        let (body, mut table) = Input::open(stream)?;
        let mut names = Vec::new();
        while !table.is_empty() {
            let entry = table.entry()?;
            let found = match entry.key {
                Key::Name(bytes, at) => {
                    let name = std::str::from_utf8(bytes)
                        .map_err(|_| Failure::malformed(at, "a constructor name is not UTF-8"))?;
                    view.constructor_slot(bytes).map(|(_, slot)| (name, slot))
                }
                Key::Code(code) => view.constructor_by_code(code),
            };
            let (name, ctor) = match found {
                Some((name, Slot::One(ctor))) => (name, ctor),
                // A reducer whose name no single constructor answers to: nothing could load
                // it, in Python or in Rust.
                Some((name, _)) => {
                    return Err(unwritable(format!(
                        "`{name}` names more than one constructor"
                    )))
                }
                None => return Err(unwritable("a reducer's name has no registered constructor")),
            };
            let call = match (entry.key, ctor.ops.python_name()) {
                (Key::Code(code), _) => Callable::Ext(code),
                (Key::Name(..), python) => match python_global(python.unwrap_or(name)) {
                    Ok((module, qualname)) => Callable::Global(module, qualname),
                    Err(why) => Callable::None(why),
                },
            };
            names.push(Entry {
                name: name.into(),
                call,
                args: Rc::new(ctor.ops.args()),
                fields: entry.fields,
                memo: None,
            });
        }
        Ok(Translate {
            body,
            names,
            out,
            view,
            shared: Vec::new(),
        })
    }

    fn run(mut self) -> Step {
        self.object()
    }

    /// A constructor reference and what follows it.
    fn object(&mut self) -> Step {
        match self.body.varint()? {
            0 => {
                let len = self.body.len(1)?;
                let id = self.body.str(len)?;
                self.out.str(id)?;
                self.out.op(BINPERSID);
                Ok(())
            }
            k => self.arguments(k),
        }
    }

    fn entry(&self, k: u64) -> Step<usize> {
        usize::try_from(k - 1)
            .ok()
            .filter(|&i| i < self.names.len())
            .ok_or_else(|| self.body.error(format!("reference to constructor #{k}")))
    }

    /// The arguments of an object of the constructor `k` (1-based, as the stream refers to
    /// it), as the call Python makes: the constructor's global, called with them.
    fn arguments(&mut self, k: u64) -> Step {
        let index = self.entry(k)?;
        let args = Rc::clone(&self.names[index].args);
        match &*args {
            Args::Native(shape) => self.value(shape),
            Args::Fields(fields) => {
                let written = self.names[index]
                    .fields
                    .map_or(fields.len(), |n| (n as usize).min(fields.len()));
                self.callable(index)?;
                self.out.open_tuple(written);
                for field in &fields[..written] {
                    self.value(field.shape)?;
                }
                self.out.close_tuple(written);
                self.out.op(REDUCE);
                Ok(())
            }
            Args::Variants(variants) => {
                let at = self.body.offset();
                let variant = self.body.varint()?;
                let Some((name, fields)) =
                    usize::try_from(variant).ok().and_then(|v| variants.get(v))
                else {
                    return Err(Failure::malformed(at, format!("variant {variant}")));
                };
                self.callable(index)?;
                self.out.open_tuple(fields.len() + 1);
                self.out.str(name)?;
                for field in fields {
                    self.value(field.shape)?;
                }
                self.out.close_tuple(fields.len() + 1);
                self.out.op(REDUCE);
                Ok(())
            }
            Args::Unknown => Err(unwritable(format!(
                "the constructor `{}` does not describe its arguments, so they cannot be \
                 written for Python",
                self.names[index].name
            ))),
        }
    }

    fn callable(&mut self, index: usize) -> Step {
        if let Some(slot) = self.names[index].memo {
            self.out.memo_get(slot);
            return Ok(());
        }
        match &self.names[index].call {
            Callable::Global(module, name) => self.out.global(module, name)?,
            // An extension code is a shorter reference already.
            Callable::Ext(code) => return Ok(self.out.ext(*code)?),
            Callable::None(why) => return Err(unwritable(why.clone())),
        }
        self.names[index].memo = Some(self.out.memoize());
        Ok(())
    }

    fn value(&mut self, shape: &Shape) -> Step {
        stacker::maybe_grow(RED_ZONE, SEGMENT, || self.value_here(shape))
    }

    fn value_here(&mut self, shape: &Shape) -> Step {
        match shape {
            Shape::Unit => self.out.op(NONE),
            Shape::Absent => {}
            Shape::Bool => {
                let [byte] = self.body.array()?;
                self.out.op(if byte != 0 { NEWTRUE } else { NEWFALSE });
            }
            Shape::U8 => self.out.int(self.body.array::<1>()?[0].into()),
            Shape::I8 => self.out.int((self.body.array::<1>()?[0] as i8).into()),
            Shape::Unsigned => match self.body.u128()? {
                n if n <= i64::MAX as u128 => self.out.int(n as i64),
                n => self.out.big_int(&BigInt::from(n))?,
            },
            Shape::Signed => match self.body.i128()? {
                n if i64::try_from(n).is_ok() => self.out.int(n as i64),
                n => self.out.big_int(&BigInt::from(n))?,
            },
            Shape::F32 => self
                .out
                .float(f32::from_le_bytes(self.body.array()?).into()),
            Shape::F64 => self.out.float(f64::from_le_bytes(self.body.array()?)),
            Shape::Char => {
                let c = self.body.char()?;
                self.out.str(c.encode_utf8(&mut [0; 4]))?;
            }
            Shape::Str => {
                let len = self.body.len(1)?;
                let s = self.body.str(len)?;
                self.out.str(s)?;
            }
            Shape::Seq(Shape::U8) => {
                let len = self.body.len(1)?;
                let bytes = self.body.take(len)?;
                self.out.bytes(bytes)?;
            }
            Shape::Array(n, Shape::U8) => {
                let bytes = self.body.take(*n)?;
                self.out.bytes(bytes)?;
            }
            Shape::Seq(item) => {
                let len = self.body.len(0)?;
                self.out.op(EMPTY_LIST);
                self.items(len, item, APPEND, APPENDS)?;
            }
            Shape::Array(n, item) => {
                self.out.op(EMPTY_LIST);
                self.items(*n, item, APPEND, APPENDS)?;
            }
            Shape::Set(item) => {
                let len = self.body.len(0)?;
                if self.out.protocol() >= 4 {
                    self.out.op(EMPTY_SET);
                    self.items(len, item, ADDITEMS, ADDITEMS)?;
                } else {
                    // As CPython before protocol 4: `set([...])`.
                    self.out.global("builtins", "set")?;
                    self.out.op(EMPTY_LIST);
                    self.items(len, item, APPEND, APPENDS)?;
                    self.out.op(TUPLE1);
                    self.out.op(REDUCE);
                }
            }
            Shape::Option(inner) => match self.body.array::<1>()?[0] {
                0 => self.out.op(NONE),
                _ => self.value(inner)?,
            },
            Shape::Tuple(items) => {
                self.out.open_tuple(items.len());
                for item in items.iter() {
                    self.value(item)?;
                }
                self.out.close_tuple(items.len());
            }
            Shape::Map(key, value) => {
                let len = self.body.len(0)?;
                self.out.op(EMPTY_DICT);
                let mut left = len;
                while left > 0 {
                    let batch = left.min(BATCH);
                    self.out.open_batch(batch);
                    for _ in 0..batch {
                        self.value(key)?;
                        self.value(value)?;
                    }
                    self.out.close_batch(batch, SETITEM, SETITEMS);
                    left -= batch;
                }
            }
            Shape::Pointer(inner) => self.pointer(inner)?,
            Shape::Weak(inner) => self.weak(inner)?,
            Shape::Object | Shape::Dyn => self.object()?,
            Shape::Registered(..) | Shape::Serde(..) => match self.resolve(shape)? {
                Some(native) => self.value(native)?,
                None => self.object()?,
            },
        }
        Ok(())
    }

    /// What the registry writes a [`Shape::Registered`] or [`Shape::Serde`] value as: a
    /// native shape, or (`None`) an object.
    fn resolve(&self, shape: &Shape) -> Step<Option<&'static Shape>> {
        super::resolve::resolve(&self.view, shape, serde_only)
    }

    /// Whether a `Vec` of `item` is written as a run.
    fn is_run(&self, item: &Shape) -> Step<bool> {
        super::resolve::is_run(&self.view, item, serde_only)
    }

    /// `len` items of a list or set, added in batches with `one` and `many`.
    fn items(&mut self, len: usize, item: &Shape, one: u8, many: u8) -> Step {
        if len == 0 {
            return Ok(());
        }
        let run = match self.is_run(item)? {
            true => Some(self.body.varint()?),
            false => None,
        };
        let mut left = len;
        while left > 0 {
            let batch = left.min(BATCH);
            // ADDITEMS takes a MARK even for one item.
            if one == many {
                self.out.op(MARK);
            } else {
                self.out.open_batch(batch);
            }
            for _ in 0..batch {
                match run {
                    Some(0) => self.object()?,
                    Some(k) => self.arguments(k)?,
                    None => self.value(item)?,
                }
            }
            if one == many {
                self.out.op(many);
            } else {
                self.out.close_batch(batch, one, many);
            }
            left -= batch;
        }
        Ok(())
    }

    /// A shared pointer: a new allocation is written and memoized, a later pointer to it
    /// gets it from the memo, so Python sees one object.
    fn pointer(&mut self, inner: &Shape) -> Step {
        let at = self.body.offset();
        match self.body.varint()? {
            0 => {
                let index = self.shared.len();
                self.shared.push(None);
                self.value(inner)?;
                self.shared[index] = Some(self.out.memoize());
                Ok(())
            }
            1 => Err(unwritable(
                "a `Weak` inside a shared value points back to it (a parent link): Python's \
                 pickle cannot make an object whose arguments hold a reference to itself",
            )),
            k => self.back_reference(at, k - 2),
        }
    }

    fn back_reference(&mut self, at: usize, index: u64) -> Step {
        match usize::try_from(index).ok().and_then(|i| self.shared.get(i)) {
            Some(Some(slot)) => {
                self.out.memo_get(*slot);
                Ok(())
            }
            Some(None) => Err(unwritable(
                "a value refers back to a shared value that contains it, which Python's \
                 pickle cannot make from arguments",
            )),
            None => Err(Failure::malformed(at, format!("shared value #{index}"))),
        }
    }

    /// A weak pointer: Python has no weak references in pickles, so it is the object it
    /// points to, or `None` where it dangles.
    fn weak(&mut self, inner: &Shape) -> Step {
        let at = self.body.offset();
        match self.body.varint()? {
            0 => {
                self.out.op(NONE);
                Ok(())
            }
            1 => self.pointer(inner),
            k => self.back_reference(at, k - 2),
        }
    }
}

/// Why a serde-only value cannot be written to Python.
#[cold]
fn serde_only(name: &str) -> Failure {
    unwritable(format!(
        "`{name}` is written through serde, which leaves no trace of its fields in a copyreg \
         stream: register it with `register_foreign!`, or derive `Reducible`, to write it to \
         Python"
    ))
}
