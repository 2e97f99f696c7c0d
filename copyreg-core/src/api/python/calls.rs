//! `REDUCE`: the calls a pickle asks for, kept inert, except the few that older protocols
//! use to write builtin data, which read as that data.

use super::arena::{Call, CallArgs, Id, Node};
use super::machine::{Machine, Step};
use super::value::Value;

impl<'a> Machine<'a, '_> {
    /// `REDUCE`: a call, kept inert, unless it is one of the few that older protocols use
    /// to write builtin data, which reads as that data.
    pub(super) fn reduce(&mut self, callable: Id, args: CallArgs) -> Step {
        match self.builtin(callable, &args)? {
            Some(Made::Node(node)) => {
                self.push(node);
                Ok(())
            }
            Some(Made::Call(call)) => self.push_call(call),
            None => self.push_call(Call::new(callable, args, false)),
        }
    }

    /// What a call of `callable` with `args` makes, for the calls older protocols write
    /// builtin data as; `None` for every other call. What it copies is charged.
    fn builtin(&mut self, callable: Id, args: &CallArgs) -> Step<Option<Made<'a>>> {
        let arena = &self.arena;
        let Some((module, name)) = arena.global(callable) else {
            return Ok(None);
        };
        let ids = arena.args(args);
        let made = match (module, name, ids) {
            ("builtins", "set", []) => Made::Node(Node::Set(Vec::new())),
            ("builtins", "frozenset", []) => Made::Node(Node::FrozenSet(Vec::new())),
            ("builtins", "set" | "frozenset", &[list]) => match arena.node(list) {
                Node::List(items) => {
                    let items = items.clone();
                    let node = match name {
                        "set" => Node::Set(items),
                        _ => Node::FrozenSet(items),
                    };
                    self.budget.elements(ids.len())?;
                    Made::Node(node)
                }
                _ => return Ok(None),
            },
            ("builtins", "bytes", []) => Made::Node(Node::Data(&[])),
            ("builtins", "bytearray", []) => leaf(Value::ByteArray(Vec::new())),
            ("builtins", "bytearray", &[bytes]) => match arena.data(bytes) {
                Some(bytes) => {
                    let bytes = bytes.to_vec();
                    self.budget.bytes(bytes.len())?;
                    leaf(Value::ByteArray(bytes))
                }
                None => return Ok(None),
            },
            ("_codecs", "encode", &[string, codec]) => {
                match (arena.text(string), arena.text(codec)) {
                    (Some(string), Some("latin1" | "latin-1"))
                        if string.chars().all(|c| u32::from(c) <= 0xff) =>
                    {
                        let bytes: Vec<u8> = string.chars().map(|c| c as u8).collect();
                        self.budget.bytes(bytes.len())?;
                        leaf(Value::Bytes(bytes))
                    }
                    _ => return Ok(None),
                }
            }
            ("copyreg", "_reconstructor", &[class, base, state]) => {
                let plain = arena.global(base) == Some(("builtins", "object"))
                    && matches!(arena.node(state), Node::None);
                if !plain {
                    return Ok(None);
                }
                Made::Call(Call::new(class, CallArgs::Given(Vec::new()), true))
            }
            ("copyreg", "__newobj__", [class, ..]) => {
                // The class's arguments are the rest of the same tuple, shared.
                let rest = match *args {
                    CallArgs::Tuple(tuple, skip) => CallArgs::Tuple(tuple, skip + 1),
                    CallArgs::Given(ref given) => CallArgs::Given(given[1..].to_vec()),
                };
                Made::Call(Call::new(*class, rest, true))
            }
            ("copyreg", "__newobj_ex__", &[class, args_id, kwargs]) => {
                match (arena.tuple(args_id), arena.node(kwargs)) {
                    (Some(_), Node::Dict(kwargs)) => {
                        let kwargs = kwargs.clone();
                        self.budget.elements(kwargs.len())?;
                        let mut call = Call::new(class, CallArgs::Tuple(args_id, 0), true);
                        call.kwargs = kwargs;
                        Made::Call(call)
                    }
                    _ => return Ok(None),
                }
            }
            _ => return Ok(None),
        };
        Ok(Some(made))
    }
}

/// What a builtin call makes: data, or a call of another shape.
enum Made<'a> {
    Node(Node<'a>),
    Call(Call),
}

fn leaf<'a>(value: Value) -> Made<'a> {
    Made::Node(Node::Leaf(Box::new(value)))
}
