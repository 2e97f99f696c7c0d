//! Writing pickles as CPython's pickler does, opcode for opcode, for protocols 2 to 5.

use std::borrow::Cow;

use num_bigint::BigInt;

use super::opcodes::*;
use super::value::{Object, Value};
use crate::wire::depth::{RED_ZONE, SEGMENT};
use crate::wire::error::Error;

/// The oldest protocol written: the first with `NEWOBJ` and binary booleans, which every
/// Python 3 reads.
pub(crate) const LOWEST_WRITTEN: u8 = 2;

/// How many items CPython's pickler puts in one `APPENDS` or `SETITEMS`.
pub(crate) const BATCH: usize = 1000;

/// A pickle being written: `PROTO`, the opcodes, then `STOP`, in one `FRAME` from
/// protocol 4 on.
pub(crate) struct Writer {
    out: Vec<u8>,
    proto: u8,
    /// The memo slots used so far.
    memo: u32,
}

type Step = Result<(), Error>;

fn unwritable(reason: impl Into<Cow<'static, str>>) -> Error {
    Error::Pickle {
        offset: None,
        reason: reason.into(),
    }
}

impl Writer {
    pub(crate) fn new(proto: u8) -> Result<Self, Error> {
        if !(LOWEST_WRITTEN..=HIGHEST_PROTOCOL).contains(&proto) {
            return Err(unwritable(format!(
                "protocol {proto} is not written: choose {LOWEST_WRITTEN} to {HIGHEST_PROTOCOL}"
            )));
        }
        let mut out = vec![PROTO, proto];
        if proto >= 4 {
            // The frame's length, filled in by `finish`.
            out.push(FRAME);
            out.extend_from_slice(&[0; 8]);
        }
        Ok(Writer {
            out,
            proto,
            memo: 0,
        })
    }

    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.out.push(STOP);
        if self.proto >= 4 {
            let framed = self.out.len() - 11;
            if framed < 4 {
                // CPython leaves out frames this small.
                self.out.drain(2..11);
            } else {
                self.out[3..11].copy_from_slice(&(framed as u64).to_le_bytes());
            }
        }
        self.out
    }

    pub(crate) fn op(&mut self, op: u8) {
        self.out.push(op);
    }

    /// The protocol being written.
    pub(crate) fn protocol(&self) -> u8 {
        self.proto
    }

    /// Stores the object on top of the stack in the next memo slot, and gives its index.
    pub(crate) fn memoize(&mut self) -> u32 {
        let slot = self.memo;
        self.memo += 1;
        if self.proto >= 4 {
            self.op(MEMOIZE);
        } else if let Ok(small) = u8::try_from(slot) {
            self.out.extend_from_slice(&[BINPUT, small]);
        } else {
            self.op(LONG_BINPUT);
            self.out.extend_from_slice(&slot.to_le_bytes());
        }
        slot
    }

    /// Pushes the object in memo slot `slot` again: the same object, not a copy.
    pub(crate) fn memo_get(&mut self, slot: u32) {
        match u8::try_from(slot) {
            Ok(small) => self.out.extend_from_slice(&[BINGET, small]),
            Err(_) => {
                self.op(LONG_BINGET);
                self.out.extend_from_slice(&slot.to_le_bytes());
            }
        }
    }

    /// Begins a tuple of `n` items.
    pub(crate) fn open_tuple(&mut self, n: usize) {
        if n > 3 {
            self.op(MARK);
        }
    }

    /// Ends a tuple of `n` items, begun by [`Writer::open_tuple`].
    pub(crate) fn close_tuple(&mut self, n: usize) {
        self.op(match n {
            0 => EMPTY_TUPLE,
            1..=3 => TUPLE1 + (n as u8 - 1),
            _ => TUPLE,
        });
    }

    /// Begins a batch of `n` items to add to the container on top of the stack.
    pub(crate) fn open_batch(&mut self, n: usize) {
        if n > 1 {
            self.op(MARK);
        }
    }

    /// Ends a batch of `n` items: `one` adds a single item, `many` the items since a `MARK`.
    pub(crate) fn close_batch(&mut self, n: usize, one: u8, many: u8) {
        self.op(if n > 1 { many } else { one });
    }

    fn sized<const N: usize>(&mut self, op: u8, bytes: &[u8]) {
        self.out.push(op);
        let len = (bytes.len() as u64).to_le_bytes();
        self.out.extend_from_slice(&len[..N]);
        self.out.extend_from_slice(bytes);
    }

    pub(crate) fn int(&mut self, n: i64) {
        match n {
            0..=0xff => self.out.extend_from_slice(&[BININT1, n as u8]),
            0x100..=0xffff => {
                self.op(BININT2);
                self.out.extend_from_slice(&(n as u16).to_le_bytes());
            }
            _ if i32::try_from(n).is_ok() => {
                self.op(BININT);
                self.out.extend_from_slice(&(n as i32).to_le_bytes());
            }
            _ => {
                // The fewest two's complement bytes that keep the sign.
                let bytes = n.to_le_bytes();
                let mut len = 8;
                while len > 1 {
                    let (last, next) = (bytes[len - 1], bytes[len - 2]);
                    let redundant =
                        (last == 0 && next & 0x80 == 0) || (last == 0xff && next & 0x80 != 0);
                    if !redundant {
                        break;
                    }
                    len -= 1;
                }
                self.sized::<1>(LONG1, &bytes[..len]);
            }
        }
    }

    pub(crate) fn big_int(&mut self, n: &BigInt) -> Step {
        if let Ok(small) = i64::try_from(n) {
            self.int(small);
            return Ok(());
        }
        let bytes = n.to_signed_bytes_le();
        match bytes.len() {
            0..=0xff => self.sized::<1>(LONG1, &bytes),
            len if i32::try_from(len).is_ok() => self.sized::<4>(LONG4, &bytes),
            _ => return Err(unwritable("an int of more than 2**31 bytes")),
        }
        Ok(())
    }

    pub(crate) fn float(&mut self, x: f64) {
        self.op(BINFLOAT);
        self.out.extend_from_slice(&x.to_be_bytes());
    }

    pub(crate) fn str(&mut self, s: &str) -> Step {
        let len = s.len();
        if self.proto >= 4 && len < 0x100 {
            self.sized::<1>(SHORT_BINUNICODE, s.as_bytes());
        } else if u32::try_from(len).is_ok() {
            self.sized::<4>(BINUNICODE, s.as_bytes());
        } else if self.proto >= 4 {
            self.sized::<8>(BINUNICODE8, s.as_bytes());
        } else {
            return Err(unwritable("a str of 4 GiB or more needs protocol 4"));
        }
        Ok(())
    }

    pub(crate) fn bytes(&mut self, b: &[u8]) -> Step {
        if self.proto < 3 {
            // As CPython: `bytes()`, or `_codecs.encode(latin-1 text, "latin1")`.
            if b.is_empty() {
                self.global("builtins", "bytes")?;
                self.op(EMPTY_TUPLE);
            } else {
                self.global("_codecs", "encode")?;
                let text: String = b.iter().map(|&byte| char::from(byte)).collect();
                self.str(&text)?;
                self.str("latin1")?;
                self.op(TUPLE2);
            }
            self.op(REDUCE);
            return Ok(());
        }
        let len = b.len();
        if len < 0x100 {
            self.sized::<1>(SHORT_BINBYTES, b);
        } else if u32::try_from(len).is_ok() {
            self.sized::<4>(BINBYTES, b);
        } else if self.proto >= 4 {
            self.sized::<8>(BINBYTES8, b);
        } else {
            return Err(unwritable("a bytes of 4 GiB or more needs protocol 4"));
        }
        Ok(())
    }

    pub(crate) fn byte_array(&mut self, b: &[u8]) -> Step {
        if self.proto >= 5 {
            self.sized::<8>(BYTEARRAY8, b);
            return Ok(());
        }
        self.global("builtins", "bytearray")?;
        self.bytes(b)?;
        self.op(TUPLE1);
        self.op(REDUCE);
        Ok(())
    }

    pub(crate) fn global(&mut self, module: &str, name: &str) -> Step {
        if self.proto >= 4 {
            self.str(module)?;
            self.str(name)?;
            self.op(STACK_GLOBAL);
            return Ok(());
        }
        // As CPython's `fix_imports`: Python 2's names, which Python 3 maps back.
        let module = match (self.proto, module) {
            (..=2, "builtins") => "__builtin__",
            (..=2, "copyreg") => "copy_reg",
            _ => module,
        };
        if module.contains('\n') || name.contains('\n') {
            return Err(unwritable(format!(
                "the global `{}.{}` has a line break, which protocols before 4 cannot write",
                module.escape_debug(),
                name.escape_debug()
            )));
        }
        self.op(GLOBAL);
        for line in [module, name] {
            self.out.extend_from_slice(line.as_bytes());
            self.out.push(b'\n');
        }
        Ok(())
    }

    pub(crate) fn ext(&mut self, code: u32) -> Step {
        match code {
            0 => return Err(unwritable("extension code 0 is not valid")),
            1..=0xff => self.out.extend_from_slice(&[EXT1, code as u8]),
            0x100..=0xffff => {
                self.op(EXT2);
                self.out.extend_from_slice(&(code as u16).to_le_bytes());
            }
            _ if i32::try_from(code).is_ok() => {
                self.op(EXT4);
                self.out.extend_from_slice(&code.to_le_bytes());
            }
            _ => {
                return Err(unwritable(format!(
                    "extension code {code} is past 0x7fffffff"
                )))
            }
        }
        Ok(())
    }

    /// A tuple of `n` items, written by `each`.
    fn tuple(&mut self, n: usize, each: impl FnOnce(&mut Self) -> Step) -> Step {
        self.open_tuple(n);
        each(self)?;
        self.close_tuple(n);
        Ok(())
    }

    /// Items added to the container on top of the stack, in batches as CPython writes them.
    fn batches<T>(
        &mut self,
        items: &[T],
        one: u8,
        many: u8,
        mut each: impl FnMut(&mut Self, &T) -> Step,
    ) -> Step {
        for batch in items.chunks(BATCH) {
            self.open_batch(batch.len());
            for item in batch {
                each(self, item)?;
            }
            self.close_batch(batch.len(), one, many);
        }
        Ok(())
    }

    pub(crate) fn value(&mut self, value: &Value) -> Step {
        stacker::maybe_grow(RED_ZONE, SEGMENT, || self.value_here(value))
    }

    fn values(&mut self, values: &[Value]) -> Step {
        values.iter().try_for_each(|v| self.value(v))
    }

    fn pair(&mut self, (key, value): &(Value, Value)) -> Step {
        self.value(key)?;
        self.value(value)
    }

    fn value_here(&mut self, value: &Value) -> Step {
        match value {
            Value::None => self.op(NONE),
            Value::Bool(b) => self.op(if *b { NEWTRUE } else { NEWFALSE }),
            Value::Int(n) => self.int(*n),
            Value::BigInt(n) => self.big_int(n)?,
            Value::Float(x) => self.float(*x),
            Value::Str(s) => self.str(s)?,
            Value::Bytes(b) => self.bytes(b)?,
            Value::ByteArray(b) => self.byte_array(b)?,
            Value::List(items) => {
                self.op(EMPTY_LIST);
                self.batches(items, APPEND, APPENDS, Self::value)?;
            }
            Value::Tuple(items) => self.tuple(items.len(), |w| w.values(items))?,
            Value::Dict(pairs) => {
                self.op(EMPTY_DICT);
                self.batches(pairs, SETITEM, SETITEMS, Self::pair)?;
            }
            Value::Set(items) if self.proto >= 4 => {
                self.op(EMPTY_SET);
                for batch in items.chunks(BATCH) {
                    self.op(MARK);
                    self.values(batch)?;
                    self.op(ADDITEMS);
                }
            }
            Value::FrozenSet(items) if self.proto >= 4 => {
                self.op(MARK);
                self.values(items)?;
                self.op(FROZENSET);
            }
            Value::Set(items) | Value::FrozenSet(items) => {
                let name = match value {
                    Value::Set(_) => "set",
                    _ => "frozenset",
                };
                self.global("builtins", name)?;
                self.op(EMPTY_LIST);
                self.batches(items, APPEND, APPENDS, Self::value)?;
                self.op(TUPLE1);
                self.op(REDUCE);
            }
            Value::Global { module, name } => self.global(module, name)?,
            Value::Ext(code) => self.ext(*code)?,
            Value::Object(object) => self.object(object)?,
            Value::Persistent(id) => {
                self.value(id)?;
                self.op(BINPERSID);
            }
        }
        Ok(())
    }

    fn object(&mut self, object: &Object) -> Step {
        let Object {
            callable,
            args,
            kwargs,
            new,
            state,
            items,
            entries,
        } = object;
        match (new, kwargs.is_empty()) {
            (false, false) => {
                return Err(unwritable(
                    "keyword arguments can only be given to a `new` call (NEWOBJ_EX)",
                ))
            }
            (false, true) => {
                self.value(callable)?;
                self.tuple(args.len(), |w| w.values(args))?;
                self.op(REDUCE);
            }
            (true, true) => {
                self.value(callable)?;
                self.tuple(args.len(), |w| w.values(args))?;
                self.op(NEWOBJ);
            }
            (true, false) if self.proto >= 4 => {
                self.value(callable)?;
                self.tuple(args.len(), |w| w.values(args))?;
                self.dict(kwargs)?;
                self.op(NEWOBJ_EX);
            }
            (true, false) => {
                self.global("copyreg", "__newobj_ex__")?;
                self.value(callable)?;
                self.tuple(args.len(), |w| w.values(args))?;
                self.dict(kwargs)?;
                self.op(TUPLE3);
                self.op(REDUCE);
            }
        }
        self.batches(items, APPEND, APPENDS, Self::value)?;
        self.batches(entries, SETITEM, SETITEMS, Self::pair)?;
        if let Some(state) = state {
            self.value(state)?;
            self.op(BUILD);
        }
        Ok(())
    }

    fn dict(&mut self, pairs: &[(Value, Value)]) -> Step {
        self.op(EMPTY_DICT);
        self.batches(pairs, SETITEM, SETITEMS, Self::pair)
    }
}
