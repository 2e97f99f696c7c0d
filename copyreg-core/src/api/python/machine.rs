//! CPython's unpickling machine, run on data only: every opcode of protocols 0 to 5 builds
//! inert nodes in an arena, and nothing is imported or called.
//!
//! The arena keeps the pickle's object identities (its memo), which a typed load maps onto
//! shared pointers and [`tree`](super::tree) expands into a [`Value`]. Its size is bounded by
//! the input: every opcode adds at most one node, and a container's items were each pushed by
//! an opcode of their own. The only calls read as data that copy (`set(list)`,
//! `bytearray(bytes)`) charge what they copy to the unpickler's budget.
//!
//! The file is over 500 lines because `step` is one `match` of about 200 lines over every
//! opcode, kept whole so that it can be read against the opcode table of CPython's
//! `pickle.py`. Opcodes that call, scalars and text are in `calls.rs`, `scalars.rs` and
//! `text.rs`.

use std::borrow::Cow;
use std::collections::HashMap;

use super::arena::{Arena, Budget, Call, CallArgs, Id, Node, Pickle};
use super::opcodes::*;
use super::value::Value;
use crate::wire::error::{Error, Failure};

/// Reads the pickle at the start of `input` (bytes after its `STOP` are not looked at, as
/// with Python's `pickle.loads`).
pub(crate) fn run<'a>(input: &'a [u8], budget: &mut Budget) -> Result<Pickle<'a>, Error> {
    let mut machine = Machine {
        input,
        pos: 0,
        at: 0,
        // Most opcodes make a node, and take a few bytes each.
        arena: Arena {
            nodes: Vec::with_capacity(input.len() / 4),
            ..Arena::default()
        },
        stack: Vec::new(),
        marks: Vec::new(),
        memo: Memo::default(),
        budget,
    };
    let root = machine.execute().map_err(Error::from)?;
    Ok(Pickle {
        arena: machine.arena,
        root,
    })
}

/// The pickle's memo. Its keys are almost always 0, 1, 2, … in order (`MEMOIZE`, and the
/// `BINPUT`s CPython writes): those are held in a vector, any other key in a map.
#[derive(Debug, Default)]
pub(super) struct Memo {
    dense: Vec<Option<Id>>,
    sparse: HashMap<u64, Id>,
    /// How many keys are stored: the key `MEMOIZE` stores at.
    count: usize,
}

impl Memo {
    fn put(&mut self, key: u64, id: Id) {
        let dense = self.dense.len() as u64;
        let fresh = if key < dense {
            let slot = &mut self.dense[key as usize];
            let fresh = slot.is_none() && self.sparse.remove(&key).is_none();
            *slot = Some(id);
            fresh
        } else if key == dense {
            self.dense.push(Some(id));
            self.sparse.remove(&key).is_none()
        } else {
            self.sparse.insert(key, id).is_none()
        };
        self.count += usize::from(fresh);
    }

    fn get(&self, key: u64) -> Option<Id> {
        let dense = usize::try_from(key)
            .ok()
            .and_then(|k| self.dense.get(k).copied().flatten());
        dense.or_else(|| self.sparse.get(&key).copied())
    }

    pub(super) fn len(&self) -> usize {
        self.count
    }
}

pub(super) struct Machine<'a, 'b> {
    pub(super) input: &'a [u8],
    pub(super) pos: usize,
    /// Where the opcode being run starts, for errors.
    pub(super) at: usize,
    pub(super) arena: Arena<'a>,
    pub(super) stack: Vec<Id>,
    /// Where each open `MARK` is on the stack.
    pub(super) marks: Vec<usize>,
    pub(super) memo: Memo,
    pub(super) budget: &'b mut Budget,
}

/// A step's result: its error boxed, so that every step returns in registers.
pub(super) type Step<T = ()> = Result<T, Failure>;

impl<'a> Machine<'a, '_> {
    #[cold]
    pub(super) fn error(&self, reason: impl Into<Cow<'static, str>>) -> Failure {
        Error::Pickle {
            offset: Some(self.at),
            reason: reason.into(),
        }
        .into()
    }

    pub(super) fn take(&mut self, n: usize, what: &str) -> Step<&'a [u8]> {
        if n > self.input.len() - self.pos {
            return Err(self.error(format!(
                "{what} of {n} bytes runs past the end of the pickle"
            )));
        }
        let bytes = &self.input[self.pos..self.pos + n];
        self.pos += n;
        Ok(bytes)
    }

    pub(super) fn array<const N: usize>(&mut self, what: &str) -> Step<[u8; N]> {
        let bytes = self.take(N, what)?;
        let mut out = [0; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    /// A length of `N` little-endian bytes.
    pub(super) fn len<const N: usize>(&mut self, what: &str) -> Step<usize> {
        let mut wide = [0u8; 8];
        wide[..N].copy_from_slice(&self.array::<N>(what)?);
        usize::try_from(u64::from_le_bytes(wide))
            .map_err(|_| self.error(format!("{what} is longer than memory")))
    }

    pub(super) fn line(&mut self, what: &str) -> Step<&'a [u8]> {
        let rest = &self.input[self.pos..];
        let Some(end) = rest.iter().position(|&b| b == b'\n') else {
            return Err(self.error(format!("{what} has no end of line")));
        };
        self.pos += end + 1;
        Ok(&rest[..end])
    }

    pub(super) fn utf8(&self, bytes: &'a [u8], what: &str) -> Step<&'a str> {
        std::str::from_utf8(bytes).map_err(|_| {
            self.error(format!(
                "{what} is not UTF-8 (Python wrote a lone surrogate?)"
            ))
        })
    }

    pub(super) fn push(&mut self, node: Node<'a>) {
        let id = self.arena.nodes.len();
        self.arena.nodes.push(node);
        self.stack.push(id);
    }

    /// Pushes a tuple of the stack's items from `from` on, which leave the stack.
    pub(super) fn push_tuple(&mut self, from: usize) -> Step {
        let start = self.arena.pool.len();
        self.arena.pool.extend_from_slice(&self.stack[from..]);
        self.stack.truncate(from);
        let (start, len) = (
            u32::try_from(start),
            u32::try_from(self.arena.pool.len() - start),
        );
        match (start, len) {
            (Ok(start), Ok(len)) => {
                self.push(Node::Tuple { start, len });
                Ok(())
            }
            _ => Err(self.error("the pickle holds more than 2^32 tuple items")),
        }
    }

    /// Pushes a call.
    pub(super) fn push_call(&mut self, call: Call) -> Step {
        let Ok(index) = u32::try_from(self.arena.calls.len()) else {
            return Err(self.error("the pickle holds more than 2^32 calls"));
        };
        self.arena.calls.push(call);
        self.push(Node::Object(index));
        Ok(())
    }

    pub(super) fn leaf(&mut self, value: Value) {
        self.push(match value {
            Value::None => Node::None,
            Value::Bool(b) => Node::Bool(b),
            Value::Int(n) => Node::Int(n),
            Value::Float(x) => Node::Float(x),
            other => Node::Leaf(Box::new(other)),
        });
    }

    /// The bottom of the stack that opcodes may pop to: the last open mark.
    fn fence(&self) -> usize {
        self.marks.last().copied().unwrap_or(0)
    }

    pub(super) fn pop(&mut self) -> Step<Id> {
        if self.stack.len() <= self.fence() {
            return Err(self.error("the stack has too few items for this opcode"));
        }
        Ok(self.stack.pop().unwrap_or_default())
    }

    fn top(&self) -> Step<Id> {
        match self.stack.last() {
            Some(&id) if self.stack.len() > self.fence() => Ok(id),
            _ => Err(self.error("the stack has too few items for this opcode")),
        }
    }

    fn pop_mark(&mut self) -> Step<Vec<Id>> {
        let Some(mark) = self.marks.pop() else {
            return Err(self.error("no MARK is open"));
        };
        Ok(self.stack.split_off(mark))
    }

    fn pairs(&self, items: Vec<Id>) -> Step<Vec<(Id, Id)>> {
        if !items.len().is_multiple_of(2) {
            return Err(self.error("a key has no value"));
        }
        Ok(items.chunks_exact(2).map(|kv| (kv[0], kv[1])).collect())
    }

    /// The arguments the tuple `id` holds, shared with it.
    pub(super) fn tuple_args(&self, id: Id, what: &str) -> Step<CallArgs> {
        match self.arena.nodes[id] {
            Node::Tuple { .. } => Ok(CallArgs::Tuple(id, 0)),
            _ => Err(self.error(format!("{what} must be a tuple"))),
        }
    }

    fn string(&self, id: Id, what: &str) -> Step<String> {
        match self.arena.text(id) {
            Some(s) => Ok(s.to_owned()),
            None => Err(self.error(format!("{what} must be a str"))),
        }
    }

    fn memo_put(&mut self, key: u64) -> Step {
        let top = self.top()?;
        self.memo.put(key, top);
        Ok(())
    }

    fn memo_get(&mut self, key: u64) -> Step {
        let Some(id) = self.memo.get(key) else {
            return Err(self.error(format!("memo key {key} was never stored")));
        };
        self.stack.push(id);
        Ok(())
    }

    fn memo_key(&self, text: &[u8]) -> Step<u64> {
        std::str::from_utf8(text)
            .ok()
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| self.error("a memo key is not a number"))
    }

    pub(super) fn global(&mut self, module: &str, name: &str) {
        // Python 2's module names, as Python 3's `fix_imports` reads them in protocols 0 to
        // 2, and in every protocol here: no Python 3 has modules by those names, so a global
        // reads the same whatever protocol names it.
        let module = match module {
            "__builtin__" => "builtins",
            "copy_reg" => "copyreg",
            _ => module,
        };
        self.leaf(Value::Global {
            module: module.into(),
            name: name.into(),
        });
    }

    fn execute(&mut self) -> Step<Id> {
        loop {
            self.at = self.pos;
            let Some(&op) = self.input.get(self.pos) else {
                return Err(self.error("the pickle ends before its STOP opcode"));
            };
            self.pos += 1;
            if op == STOP {
                return self.pop();
            }
            self.step(op)?;
        }
    }

    fn step(&mut self, op: u8) -> Step {
        match op {
            PROTO => {
                let [proto] = self.array("PROTO")?;
                if proto > HIGHEST_PROTOCOL {
                    return Err(self.error(format!(
                        "pickle protocol {proto} is newer than the newest read, {HIGHEST_PROTOCOL}"
                    )));
                }
            }
            FRAME => {
                let len = self.len::<8>("FRAME")?;
                if len > self.input.len() - self.pos {
                    return Err(self.error("a FRAME runs past the end of the pickle"));
                }
            }
            MARK => self.marks.push(self.stack.len()),
            POP => match self.marks.last() {
                Some(&mark) if mark == self.stack.len() => {
                    self.marks.pop();
                }
                _ => {
                    self.pop()?;
                }
            },
            POP_MARK => {
                self.pop_mark()?;
            }
            DUP => {
                let top = self.top()?;
                self.stack.push(top);
            }
            EMPTY_LIST => self.push(Node::List(Vec::new())),
            EMPTY_TUPLE => self.push_tuple(self.stack.len())?,
            EMPTY_DICT => self.push(Node::Dict(Vec::new())),
            EMPTY_SET => self.push(Node::Set(Vec::new())),
            LIST => {
                let items = self.pop_mark()?;
                self.push(Node::List(items));
            }
            TUPLE => {
                let Some(mark) = self.marks.pop() else {
                    return Err(self.error("no MARK is open"));
                };
                self.push_tuple(mark)?;
            }
            TUPLE1 | TUPLE2 | TUPLE3 => {
                let n = usize::from(op - TUPLE1) + 1;
                if self.stack.len() < self.fence() + n {
                    return Err(self.error("the stack has too few items for this opcode"));
                }
                self.push_tuple(self.stack.len() - n)?;
            }
            DICT => {
                let items = self.pop_mark()?;
                let pairs = self.pairs(items)?;
                self.push(Node::Dict(pairs));
            }
            FROZENSET => {
                let items = self.pop_mark()?;
                self.push(Node::FrozenSet(items));
            }
            APPEND => {
                let item = self.pop()?;
                self.extend(vec![item])?;
            }
            APPENDS | ADDITEMS => {
                let items = self.pop_mark()?;
                self.extend(items)?;
            }
            SETITEM => {
                let value = self.pop()?;
                let key = self.pop()?;
                self.set_items(vec![(key, value)])?;
            }
            SETITEMS => {
                let items = self.pop_mark()?;
                let pairs = self.pairs(items)?;
                self.set_items(pairs)?;
            }
            GET => {
                let text = self.line("GET")?;
                let key = self.memo_key(text)?;
                self.memo_get(key)?;
            }
            BINGET => {
                let [key] = self.array("BINGET")?;
                self.memo_get(key.into())?;
            }
            LONG_BINGET => {
                let key = u32::from_le_bytes(self.array("LONG_BINGET")?);
                self.memo_get(key.into())?;
            }
            PUT => {
                let text = self.line("PUT")?;
                let key = self.memo_key(text)?;
                self.memo_put(key)?;
            }
            BINPUT => {
                let [key] = self.array("BINPUT")?;
                self.memo_put(key.into())?;
            }
            LONG_BINPUT => {
                let key = u32::from_le_bytes(self.array("LONG_BINPUT")?);
                self.memo_put(key.into())?;
            }
            MEMOIZE => {
                let key = self.memo.len() as u64;
                self.memo_put(key)?;
            }
            GLOBAL => {
                let module = self.line("GLOBAL")?;
                let name = self.line("GLOBAL")?;
                let (module, name) = (self.utf8(module, "a module")?, self.utf8(name, "a name")?);
                self.global(module, name);
            }
            STACK_GLOBAL => {
                let name = self.pop()?;
                let module = self.pop()?;
                let name = self.string(name, "STACK_GLOBAL's name")?;
                let module = self.string(module, "STACK_GLOBAL's module")?;
                self.global(&module, &name);
            }
            EXT1 => {
                let [code] = self.array("EXT1")?;
                self.ext(code.into())?;
            }
            EXT2 => {
                let code = u16::from_le_bytes(self.array("EXT2")?);
                self.ext(code.into())?;
            }
            EXT4 => {
                let code = i32::from_le_bytes(self.array("EXT4")?);
                let code =
                    u32::try_from(code).map_err(|_| self.error("EXT4's code is negative"))?;
                self.ext(code)?;
            }
            REDUCE => {
                let args = self.pop()?;
                let callable = self.pop()?;
                let args = self.tuple_args(args, "REDUCE's arguments")?;
                self.reduce(callable, args)?;
            }
            NEWOBJ => {
                let args = self.pop()?;
                let class = self.pop()?;
                let args = self.tuple_args(args, "NEWOBJ's arguments")?;
                self.push_call(Call::new(class, args, true))?;
            }
            NEWOBJ_EX => {
                let kwargs = self.pop()?;
                let args = self.pop()?;
                let class = self.pop()?;
                let args = self.tuple_args(args, "NEWOBJ_EX's arguments")?;
                let Node::Dict(kwargs) = &self.arena.nodes[kwargs] else {
                    return Err(self.error("NEWOBJ_EX's keyword arguments must be a dict"));
                };
                let kwargs = kwargs.clone();
                self.budget.elements(kwargs.len())?;
                let mut call = Call::new(class, args, true);
                call.kwargs = kwargs;
                self.push_call(call)?;
            }
            INST => {
                let module = self.line("INST")?;
                let name = self.line("INST")?;
                let (module, name) = (self.utf8(module, "a module")?, self.utf8(name, "a name")?);
                let args = CallArgs::Given(self.pop_mark()?);
                self.global(module, name);
                let class = self.pop()?;
                self.push_call(Call::new(class, args, false))?;
            }
            OBJ => {
                let mut items = self.pop_mark()?;
                if items.is_empty() {
                    return Err(self.error("OBJ has no class"));
                }
                let class = items.remove(0);
                let args = CallArgs::Given(items);
                self.push_call(Call::new(class, args, false))?;
            }
            BUILD => {
                let state = self.pop()?;
                let target = self.top()?;
                match self.arena.nodes[target] {
                    Node::Object(call) if self.arena.calls[call as usize].state.is_none() => {
                        self.arena.calls[call as usize].state = Some(state)
                    }
                    _ => {
                        return Err(self.error("BUILD gives state to something not built by a call"))
                    }
                }
            }
            PERSID => {
                let id = self.line("PERSID")?;
                let id = self.utf8(id, "a persistent id")?.to_owned();
                self.leaf(Value::Str(id));
                let id = self.pop()?;
                self.push(Node::Persistent(id));
            }
            BINPERSID => {
                let id = self.pop()?;
                self.push(Node::Persistent(id));
            }
            // Data: numbers, strings, bytes.
            other => self.scalar(other)?,
        }
        Ok(())
    }

    fn ext(&mut self, code: u32) -> Step {
        if code == 0 {
            return Err(self.error("extension code 0 is not valid"));
        }
        self.leaf(Value::Ext(code));
        Ok(())
    }

    /// `APPENDS` (and `ADDITEMS`) onto the list, set or object on top of the stack.
    fn extend(&mut self, items: Vec<Id>) -> Step {
        let target = self.top()?;
        match &mut self.arena.nodes[target] {
            Node::List(list) | Node::Set(list) => list.extend(items),
            &mut Node::Object(call) => self.arena.calls[call as usize].items.extend(items),
            _ => return Err(self.error("items are appended to something not a list or set")),
        }
        Ok(())
    }

    fn set_items(&mut self, pairs: Vec<(Id, Id)>) -> Step {
        let target = self.top()?;
        match &mut self.arena.nodes[target] {
            Node::Dict(dict) => dict.extend(pairs),
            &mut Node::Object(call) => self.arena.calls[call as usize].entries.extend(pairs),
            _ => return Err(self.error("items are set on something not a dict")),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Memo;

    #[test]
    fn the_memo_counts_each_key_once_wherever_it_is_held() {
        let mut memo = Memo::default();
        for (key, id) in [(0, 10), (1, 11), (5, 15), (2, 12), (3, 13), (4, 14)] {
            memo.put(key, id);
        }
        assert_eq!(memo.len(), 6);
        // Key 5 moves from the map to the vector as the vector reaches it.
        memo.put(5, 25);
        assert_eq!((memo.len(), memo.get(5)), (6, Some(25)));
        memo.put(1 << 40, 7);
        assert_eq!(
            (memo.len(), memo.get(1 << 40), memo.get(6)),
            (7, Some(7), None)
        );
    }
}
