//! The calls in a pickle being loaded: which registered constructor each one's global
//! names, and the arguments it gets — positional, or an instance's state matched to a
//! derived struct's fields by name.

use std::borrow::Cow;
use std::rc::Rc;

use super::arena::{Call, Id, Node};
use super::loads::{unreadable, Encode, Step};
use super::value::Value;
use crate::engine::registry::{Constructor, Slot, View};
use crate::engine::shape::{Arg, Args};
use crate::wire::error::Error;
use crate::wire::varint;

/// What a pickle's callable resolves to: the constructor's name in the stream, and what it
/// takes. Resolved once per callable node: a pickle's objects of one class share its global
/// through the memo.
pub(super) struct Target {
    pub(super) name: String,
    pub(super) code: Option<u32>,
    /// The constructor's [`Object::FIELDS`](crate::__private::Object::FIELDS).
    pub(super) fields: Option<(u32, u32)>,
    pub(super) args: Args,
}

impl<'p, 'v> Encode<'p, 'v> {
    /// The constructor a call's callable names, and the name the stream gives it.
    fn constructor(&self, callable: Id) -> Step<(String, Option<u32>, &'v Constructor)> {
        let view: &'v View = self.view;
        let leaf = match self.node(callable) {
            Node::Leaf(leaf) => &**leaf,
            _ => return Err(unreadable("a call's callable is not a global").into()),
        };
        match leaf {
            Value::Global { module, name } => {
                let dotted = format!("{module}.{name}");
                let path = format!("{}::{name}", module.replace('.', "::"));
                // A type's declared Python global first, then the names that map to it.
                let declared = super::names::declared(&dotted).map(str::to_owned);
                for candidate in declared.iter().chain([&dotted, &path]) {
                    if let Some((found, Slot::One(ctor))) =
                        view.constructor_slot(candidate.as_bytes())
                    {
                        return Ok((found.to_owned(), None, ctor));
                    }
                }
                Err(Error::UnknownConstructor { name: dotted }.into())
            }
            Value::Ext(code) => match view.constructor_by_code(*code) {
                Some((name, Slot::One(ctor))) => Ok((name.to_owned(), Some(*code), ctor)),
                _ => Err(Error::UnknownCode { code: *code }.into()),
            },
            _ => Err(unreadable("a call's callable is not a global").into()),
        }
    }

    /// The target of callable node `callable`, resolved once.
    pub(super) fn target(&mut self, callable: Id) -> Step<Rc<Target>> {
        if let Some((id, _, target, _)) = &self.last {
            if *id == callable {
                return Ok(Rc::clone(target));
            }
        }
        if let Some(target) = self.targets.get(&callable) {
            return Ok(Rc::clone(target));
        }
        let by_name = self.arena().global(callable);
        if let Some(target) = by_name.and_then(|key| self.globals.get(&key)) {
            let target = Rc::clone(target);
            self.targets.insert(callable, Rc::clone(&target));
            return Ok(target);
        }
        let (name, code, ctor) = self.constructor(callable)?;
        let target = Rc::new(Target {
            name,
            code,
            fields: ctor.fields,
            args: ctor.ops.args(),
        });
        self.targets.insert(callable, Rc::clone(&target));
        if let Some(key) = by_name {
            self.globals.insert(key, Rc::clone(&target));
        }
        Ok(target)
    }

    /// The name-table index for objects of `callable` written with `count` fields.
    fn target_index(&mut self, callable: Id, target: &Rc<Target>, count: Option<u32>) -> u64 {
        if let Some((id, written, _, index)) = &self.last {
            if (*id, *written) == (callable, count) {
                return *index;
            }
        }
        let index = match self.written.get(&(callable, count)) {
            Some(&index) => index,
            None => {
                let index = self.name_index(&target.name, target.code, count);
                self.written.insert((callable, count), index);
                index
            }
        };
        self.last = Some((callable, count, Rc::clone(target), index));
        index
    }

    pub(super) fn call(&mut self, call: &'p Call) -> Step {
        let target = self.target(call.callable)?;
        let Target {
            name, fields, args, ..
        } = &*target;
        let fields = *fields;
        if !call.items.is_empty() || !call.entries.is_empty() {
            return Err(unreadable(format!(
                "`{name}` is given items after it is made (a list or dict subclass), which \
                 a Rust constructor cannot take"
            ))
            .into());
        }
        match args {
            Args::Fields(params) => {
                let given = self.arguments(name, call, params)?;
                if let Some((required, _)) = fields {
                    if given.len() < required as usize {
                        return Err(missing(name, call, params, given.len(), required).into());
                    }
                }
                // A derived struct's stream says how many fields it holds, so that trailing
                // `#[reducer(default)]` fields may be left out.
                let count = fields.map(|_| given.len() as u32);
                let index = self.target_index(call.callable, &target, count);
                varint::write(&mut self.out, index);
                for (id, param) in given.iter().zip(params.iter()) {
                    self.value(*id, param.shape)?;
                }
                Ok(())
            }
            Args::Variants(variants) => {
                let (variant, rest) = match self.arena().args(&call.args).split_first() {
                    Some((&first, rest)) if !call.new => (first, rest),
                    _ => {
                        return Err(unreadable(format!(
                            "`{name}` is an enum: Python calls it with the variant's name, \
                             then its fields"
                        ))
                        .into())
                    }
                };
                let Some(variant) = self.arena().text(variant) else {
                    return Err(self.expected(variant, "a variant's name"));
                };
                let Some(index) = variants.iter().position(|(v, _)| *v == variant) else {
                    return Err(unreadable(format!("`{name}` has no variant `{variant}`")).into());
                };
                let fields = &variants[index].1;
                if rest.len() != fields.len() {
                    return Err(unreadable(format!(
                        "`{name}::{variant}` takes {} fields, the pickle gives {}",
                        fields.len(),
                        rest.len()
                    ))
                    .into());
                }
                let entry = self.target_index(call.callable, &target, None);
                varint::write(&mut self.out, entry);
                varint::write(&mut self.out, index as u64);
                for (id, field) in rest.iter().zip(fields.iter()) {
                    self.value(*id, field.shape)?;
                }
                Ok(())
            }
            Args::Native(_) | Args::Unknown => Err(unreadable(format!(
                "the constructor `{name}` does not describe its arguments, so a pickle's \
                 cannot be given to it"
            ))
            .into()),
        }
    }

    /// The nodes to pass as `params`, in order: the call's positional arguments, or, for an
    /// instance Python made without calling its class (`NEWOBJ` and `BUILD`), its state's
    /// and keyword arguments' entries, matched to the fields by name.
    fn arguments(&self, name: &str, call: &'p Call, params: &[Arg]) -> Step<Cow<'p, [Id]>> {
        let by_name = call.new && (call.state.is_some() || !call.kwargs.is_empty());
        if !by_name {
            if call.state.is_some() {
                return Err(unreadable(format!(
                    "`{name}` is given state after it is made (`__setstate__`), which a Rust \
                     constructor cannot take"
                ))
                .into());
            }
            let args = self.arena().args(&call.args);
            if args.len() > params.len() {
                return Err(unreadable(format!(
                    "`{name}` takes {} arguments, the pickle gives {}",
                    params.len(),
                    args.len()
                ))
                .into());
            }
            return Ok(Cow::Borrowed(args));
        }
        let mut entries: Vec<(Id, Id)> = call.kwargs.clone();
        if let Some(state) = call.state {
            entries.extend(self.state_entries(name, state)?);
        }
        let mut given = vec![None; params.len()];
        for (key, value) in entries {
            let Some(key) = self.arena().text(key) else {
                return Err(self.expected(key, "a field name"));
            };
            let Some(position) = params.iter().position(|p| p.name == Some(key)) else {
                return Err(unreadable(format!("`{name}` has no field `{key}`")).into());
            };
            given[position] = Some(value);
        }
        // Fields the state lacks may only be the last ones, which the constructor's own
        // defaults fill (and the registry's field count allows).
        let present = given.iter().take_while(|g| g.is_some()).count();
        if let Some(missing) = given[present..].iter().position(Option::is_none) {
            let missing = &params[present + missing];
            let later = given[present..].iter().any(Option::is_some);
            if later || !self.arena().args(&call.args).is_empty() {
                return Err(unreadable(format!(
                    "`{name}`'s field `{}` is missing",
                    missing.name.unwrap_or("?")
                ))
                .into());
            }
        }
        Ok(Cow::Owned(
            given.into_iter().take(present).flatten().collect(),
        ))
    }

    /// The `(name, value)` entries of an instance's state: its `__dict__`, or the dict and
    /// slots of a `(dict or None, slots)` pair.
    fn state_entries(&self, name: &str, state: Id) -> Step<Vec<(Id, Id)>> {
        match self.node(state) {
            Node::Dict(entries) => Ok(entries.clone()),
            Node::Tuple { len: 2, .. } => {
                let mut entries = Vec::new();
                for &part in self.arena().tuple(state).unwrap_or_default() {
                    match self.node(part) {
                        Node::Dict(more) => entries.extend(more.iter().copied()),
                        Node::None => {}
                        _ => return Err(self.expected(part, "a dict of slots")),
                    }
                }
                Ok(entries)
            }
            _ => Err(unreadable(format!("`{name}`'s state is not a dict of its fields")).into()),
        }
    }
}

/// Why a call gives a derived struct fewer fields than it needs: the first missing field,
/// or how many arguments it takes.
#[cold]
fn missing(name: &str, call: &Call, params: &[Arg], given: usize, required: u32) -> Error {
    match (call.new, params[given].name) {
        (true, Some(field)) => unreadable(format!(
            "`{name}`'s field `{field}` is missing (only trailing `#[reducer(default)]` \
             fields may be)"
        )),
        _ => unreadable(format!(
            "`{name}` takes {required} arguments, the pickle gives {given}"
        )),
    }
}
