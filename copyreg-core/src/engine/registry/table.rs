//! One table of registrations: reducers by `TypeId`, constructors by name and by compact
//! code. The link-time table, the run-time one and each pickler's private one are all
//! [`Table`]s; how one is filled and searched is here, how they are layered is `View`'s.

use std::any::TypeId;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use crate::engine::ops::{Construct, Ops, Typed};
use crate::engine::registry::codes::Codes;
use crate::engine::registry::registration::{container_names_of, CONTAINERS};
use crate::engine::registry::slot::{Constructor, Held, Reducer, Slot};
use crate::wire::hash::{NameHasher, TypeMap};

/// Constructors by name.
pub(crate) type NameMap<V> = HashMap<Held<str>, V, BuildHasherDefault<NameHasher>>;

#[derive(Default, Clone)]
pub(crate) struct Table {
    pub(crate) reducers: TypeMap<Slot<Reducer>>,
    pub(crate) constructors: NameMap<Slot<Constructor>>,
    /// Constructors by compact code; only link-time registrations have codes.
    pub(crate) codes: Codes,
    /// Whether two registrations claim one name or one code (computed when the link-time
    /// table is built).
    pub(crate) ambiguous_names: bool,
}

impl Table {
    pub(crate) fn with_capacity(entries: usize) -> Table {
        Table {
            reducers: TypeMap::with_capacity_and_hasher(entries, Default::default()),
            constructors: NameMap::with_capacity_and_hasher(entries, Default::default()),
            ..Table::default()
        }
    }

    /// Sorts the claimants of each name two registrations share, and notes that there are
    /// some, once every registration is in.
    pub(crate) fn note_ambiguity(&mut self) {
        for slot in self.constructors.values_mut() {
            if let Slot::Ambiguous(names) = slot {
                names.sort_unstable();
                self.ambiguous_names = true;
            }
        }
    }

    fn add_reducer(&mut self, type_id: TypeId, reducer: Reducer) {
        use std::collections::hash_map::Entry;
        match self.reducers.entry(type_id) {
            Entry::Vacant(v) => {
                v.insert(Slot::One(reducer));
            }
            Entry::Occupied(mut o) => match o.get_mut() {
                // copyreg's own codec for a type it writes natively, whatever else is linked.
                Slot::One(first) if first.native != reducer.native => {
                    if reducer.native {
                        *first = reducer;
                    }
                }
                // The same type registered again under its name (`register!(Vec<T>)` for a
                // derived `T`, one `register_foreign!` in two modules): nothing to choose.
                Slot::One(first) if *first.name == *reducer.name => {}
                // One type under two names: which would a stream carry? The slot holds the
                // type, then the names (link-time names are static).
                Slot::One(first) => {
                    let mut names = vec![reducer.ops.target_name()];
                    for name in [&first.name, &reducer.name] {
                        if let Held::Static(name) = name {
                            names.push(name);
                        }
                    }
                    *o.get_mut() = Slot::Ambiguous(names);
                }
                Slot::Ambiguous(_) => {}
            },
        }
    }

    /// Adds a constructor under its name.
    pub(crate) fn add_constructor(&mut self, ctor: Constructor) {
        use std::collections::hash_map::Entry;
        match self.constructors.entry(ctor.name.clone()) {
            Entry::Vacant(v) => {
                v.insert(Slot::One(ctor));
            }
            Entry::Occupied(mut o) => {
                let name = ctor.ops.target_name();
                match o.get_mut() {
                    // A stream's `u32` is copyreg's, whatever else is linked.
                    Slot::One(first) if first.native != ctor.native => {
                        if ctor.native {
                            *first = ctor;
                        }
                    }
                    // The same registration made twice, or one type registered again under
                    // its name.
                    Slot::One(first)
                        if same(&*first.ops, &*ctor.ops)
                            || (ctor.paired
                                && first.paired
                                && first.ops.target_id() == ctor.ops.target_id()) => {}
                    Slot::One(first) => {
                        *o.get_mut() = Slot::Ambiguous(vec![first.ops.target_name(), name]);
                    }
                    Slot::Ambiguous(names) => {
                        if !names.contains(&name) {
                            names.push(name);
                        }
                    }
                }
            }
        }
    }

    pub(crate) fn add_type(&mut self, name: &'static str, native: bool, ops: &'static dyn Ops) {
        let (name, ops) = (Held::Static(name), Held::Static(ops));
        let constructor = Constructor {
            paired: true,
            ..Constructor::new(name.clone(), native, ops.construct())
        };
        let code = ops.code();
        if let Some(code) = code {
            self.ambiguous_names |= self.codes.add(code, constructor.clone());
        }
        // The constructor looked the type's casts up already.
        let reducer = Reducer {
            name,
            code,
            fields: ops.fields().map(|(_, written)| written),
            native,
            casts: constructor.casts,
            ops,
        };
        self.add_reducer(reducer.ops.target_id(), reducer);
        self.add_constructor(constructor);
    }

    /// Registers a type, replacing whatever was registered for it or under its name.
    fn replace(&mut self, name: Held<str>, native: bool, ops: Held<dyn Ops>) {
        let constructor = Constructor {
            paired: true,
            ..Constructor::new(name.clone(), native, ops.construct())
        };
        let casts = constructor.casts;
        self.constructors
            .insert(name.clone(), Slot::One(constructor));
        self.reducers.insert(
            ops.target_id(),
            Slot::One(Reducer {
                name,
                code: None,
                fields: ops.fields().map(|(_, written)| written),
                native,
                casts,
                ops,
            }),
        );
    }

    /// Registers a type and its containers, replacing whatever was registered for them.
    pub(crate) fn replace_with_containers(
        &mut self,
        name: Held<str>,
        ops: Held<dyn Ops>,
        containers: [&'static dyn Ops; 3],
    ) {
        // A run-time registration is kept for good, names and all; a private one is dropped
        // with its table.
        let names = match &name {
            Held::Static(name) => container_names_of(name).map(Held::Static),
            Held::Shared(name) => CONTAINERS.map(|c| Held::Shared(format!("{c}<{name}>").into())),
        };
        self.replace(name, false, ops);
        for (name, ops) in names.into_iter().zip(containers) {
            self.replace(name, true, Held::Static(ops));
        }
    }

    /// Adds a constructor, replacing whatever was registered under its name.
    pub(crate) fn add_constructor_only(&mut self, name: Arc<str>, ops: Arc<dyn Construct>) {
        let name = Held::Shared(name);
        let constructor = Constructor::new(name.clone(), false, Held::Shared(ops));
        self.constructors.insert(name, Slot::One(constructor));
    }
}

/// Whether two registrations are the same one made twice (a derived type also named by
/// `register!`): then there is nothing to choose between.
fn same(a: &dyn Typed, b: &dyn Typed) -> bool {
    a.identity().is_some() && a.identity() == b.identity()
}
