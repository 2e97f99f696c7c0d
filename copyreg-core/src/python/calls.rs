//! `REDUCE`: the calls a pickle asks for, kept inert, except the few that older protocols
//! use to write builtin data, which read as that data.

use super::arena::{data, items, text, Call, CallArgs, Id, Node};
use super::machine::{Machine, Step};
use super::value::Value;

impl<'a> Machine<'a, '_> {
    /// `REDUCE`: a call, kept inert, unless it is one of the few that older protocols use
    /// to write builtin data, which reads as that data.
    pub(super) fn reduce(&mut self, callable: Id, args: CallArgs) -> Step<Node<'a>> {
        let Node::Leaf(Value::Global { module, name }) = &self.nodes[callable] else {
            return Ok(Node::Object(Box::new(Call::new(callable, args, false))));
        };
        let (module, name) = (module.clone(), name.clone());
        match self.builtin(&module, &name, &args)? {
            Some(node) => Ok(node),
            None => Ok(Node::Object(Box::new(Call::new(callable, args, false)))),
        }
    }

    /// The data a call of `module.name` with `args` builds, for the calls older protocols
    /// write builtin data as; `None` for every other call. What it copies is charged.
    fn builtin(&mut self, module: &str, name: &str, args: &CallArgs) -> Step<Option<Node<'a>>> {
        let ids = items(&self.nodes, args);
        let node = |id: Id| &self.nodes[id];
        let data = match (module, name, ids) {
            ("builtins", "set", []) => Node::Set(Vec::new()),
            ("builtins", "frozenset", []) => Node::FrozenSet(Vec::new()),
            ("builtins", "set" | "frozenset", &[list]) => match node(list) {
                Node::List(items) => {
                    let items = items.clone();
                    self.budget.elements(items.len())?;
                    match name {
                        "set" => Node::Set(items),
                        _ => Node::FrozenSet(items),
                    }
                }
                _ => return Ok(None),
            },
            ("builtins", "bytes", []) => Node::Leaf(Value::Bytes(Vec::new())),
            ("builtins", "bytearray", []) => Node::Leaf(Value::ByteArray(Vec::new())),
            ("builtins", "bytearray", &[bytes]) => match data(node(bytes)) {
                Some(bytes) => {
                    let bytes = bytes.to_vec();
                    self.budget.bytes(bytes.len())?;
                    Node::Leaf(Value::ByteArray(bytes))
                }
                _ => return Ok(None),
            },
            ("_codecs", "encode", &[string, codec]) => match (text(node(string)), text(node(codec))) {
                (Some(string), Some("latin1" | "latin-1"))
                    if string.chars().all(|c| u32::from(c) <= 0xff) =>
                {
                    let bytes: Vec<u8> = string.chars().map(|c| c as u8).collect();
                    self.budget.bytes(bytes.len())?;
                    Node::Leaf(Value::Bytes(bytes))
                }
                _ => return Ok(None),
            },
            ("copyreg", "_reconstructor", &[class, base, state]) => {
                let plain = matches!(node(base), Node::Leaf(Value::Global { module, name })
                    if module == "builtins" && name == "object")
                    && matches!(node(state), Node::Leaf(Value::None));
                if !plain {
                    return Ok(None);
                }
                Node::Object(Box::new(Call::new(class, CallArgs::Given(Vec::new()), true)))
            }
            ("copyreg", "__newobj__", [class, ..]) => {
                // The class's arguments are the rest of the same tuple, shared.
                let rest = match *args {
                    CallArgs::Tuple(tuple, skip) => CallArgs::Tuple(tuple, skip + 1),
                    CallArgs::Given(ref given) => CallArgs::Given(given[1..].to_vec()),
                };
                Node::Object(Box::new(Call::new(*class, rest, true)))
            }
            ("copyreg", "__newobj_ex__", &[class, args_id, kwargs]) => {
                match (node(args_id), node(kwargs)) {
                    (Node::Tuple(_), Node::Dict(kwargs)) => {
                        let kwargs = kwargs.clone();
                        self.budget.elements(kwargs.len())?;
                        let mut call = Call::new(class, CallArgs::Tuple(args_id, 0), true);
                        call.kwargs = kwargs;
                        Node::Object(Box::new(call))
                    }
                    _ => return Ok(None),
                }
            }
            _ => return Ok(None),
        };
        Ok(Some(data))
    }
}
