//! `REDUCE`: the calls a pickle asks for, kept inert, except the few that older protocols
//! use to write builtin data, which read as that data.

use super::arena::{Call, Id, Node};
use super::machine::{Machine, Step};
use super::value::Value;

impl Machine<'_, '_> {
    /// `REDUCE`: a call, kept inert, unless it is one of the few that older protocols use
    /// to write builtin data, which reads as that data.
    pub(super) fn reduce(&mut self, callable: Id, args: Vec<Id>) -> Step<Node> {
        let inert = |args| Node::Object(Box::new(Call::new(callable, args, false)));
        let Node::Leaf(Value::Global { module, name }) = &self.nodes[callable] else {
            return Ok(inert(args));
        };
        let node = |id: Id| &self.nodes[id];
        let data = match (module.as_str(), name.as_str(), args.as_slice()) {
            ("builtins", "set", []) => Node::Set(Vec::new()),
            ("builtins", "frozenset", []) => Node::FrozenSet(Vec::new()),
            ("builtins", "set" | "frozenset", &[list]) => match node(list) {
                Node::List(items) => {
                    let items = items.clone();
                    self.budget.elements(items.len())?;
                    match name.as_str() {
                        "set" => Node::Set(items),
                        _ => Node::FrozenSet(items),
                    }
                }
                _ => return Ok(inert(args)),
            },
            ("builtins", "bytes", []) => Node::Leaf(Value::Bytes(Vec::new())),
            ("builtins", "bytearray", []) => Node::Leaf(Value::ByteArray(Vec::new())),
            ("builtins", "bytearray", &[bytes]) => match node(bytes) {
                Node::Leaf(Value::Bytes(bytes)) => {
                    let bytes = bytes.clone();
                    self.budget.bytes(bytes.len())?;
                    Node::Leaf(Value::ByteArray(bytes))
                }
                _ => return Ok(inert(args)),
            },
            ("_codecs", "encode", &[text, codec]) => match (node(text), node(codec)) {
                (Node::Leaf(Value::Str(text)), Node::Leaf(Value::Str(codec)))
                    if matches!(codec.as_str(), "latin1" | "latin-1")
                        && text.chars().all(|c| u32::from(c) <= 0xff) =>
                {
                    let bytes: Vec<u8> = text.chars().map(|c| c as u8).collect();
                    self.budget.bytes(bytes.len())?;
                    Node::Leaf(Value::Bytes(bytes))
                }
                _ => return Ok(inert(args)),
            },
            ("copyreg", "_reconstructor", &[class, base, state]) => {
                let plain = matches!(node(base), Node::Leaf(Value::Global { module, name })
                    if module == "builtins" && name == "object")
                    && matches!(node(state), Node::Leaf(Value::None));
                if !plain {
                    return Ok(inert(args));
                }
                Node::Object(Box::new(Call::new(class, Vec::new(), true)))
            }
            ("copyreg", "__newobj__", [class, rest @ ..]) => {
                Node::Object(Box::new(Call::new(*class, rest.to_vec(), true)))
            }
            ("copyreg", "__newobj_ex__", &[class, args_id, kwargs]) => {
                match (node(args_id), node(kwargs)) {
                    (Node::Tuple(args), Node::Dict(kwargs)) => {
                        let mut call = Call::new(class, args.clone(), true);
                        call.kwargs = kwargs.clone();
                        Node::Object(Box::new(call))
                    }
                    _ => return Ok(inert(args)),
                }
            }
            _ => return Ok(inert(args)),
        };
        Ok(data)
    }
}
