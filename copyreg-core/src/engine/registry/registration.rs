//! Link-time registrations: what `#[derive(Reducible)]`, `register_foreign!`, `register!`
//! and `#[copyreg::constructor]` submit through `inventory`, and the table built from them
//! the first time the registry is used. (The generic constructors of a type's registration
//! are in `codecs/register.rs`, where the codecs they name are.)

use crate::engine::ops::{Construct, Ops};
use crate::engine::registry::{Constructor, Held, Table};

/// One link-time registration, submitted through `inventory` by the generated code.
#[derive(Debug)]
pub struct Registration {
    pub(crate) kind: Kind,
}

pub(crate) enum Kind {
    /// A type with its reducer and constructor, plus `Vec`, `Option` and `Box` of it.
    Type {
        name: Name,
        /// Written without a constructor reference inside other values.
        native: bool,
        /// The type is `Reducible` (derived, or named by `register!`), not attached from
        /// outside (`register_foreign!`): only such a type can be a derived generic type's
        /// parameter.
        reducible: bool,
        ops: &'static dyn Ops,
        containers: [&'static dyn Ops; 3],
    },
    /// A constructor only (`#[copyreg::constructor]`).
    Constructor {
        name: &'static str,
        ops: &'static dyn Construct,
    },
}

/// A registered type's name: a constant, or computed when the registry is built (a generic
/// instance's name cannot be a constant).
#[derive(Clone, Copy)]
pub(crate) enum Name {
    Const(&'static str),
    Computed(fn() -> &'static str),
}

impl Name {
    fn get(self) -> &'static str {
        match self {
            Name::Const(name) => name,
            Name::Computed(name) => name(),
        }
    }
}

impl std::fmt::Debug for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Kind::Type { name, .. } => write!(f, "Type({})", name.get()),
            Kind::Constructor { name, .. } => write!(f, "Constructor({name})"),
        }
    }
}

pub(crate) const CONTAINERS: [&str; 3] = ["Vec", "Option", "Box"];

/// The names of `Vec`, `Option` and `Box` of the type named `name`, for a run-time
/// registration; kept for the program's life, as the registration's name is.
pub(crate) fn container_names_of(name: &str) -> [&'static str; 3] {
    CONTAINERS.map(|c| crate::engine::registry::intern(&format!("{c}<{name}>")))
}

/// The container names of every link-time type, in one leaked allocation: building the
/// registry costs one allocation for them, not three per type.
fn container_names<'n>(names: impl Iterator<Item = &'n str> + Clone) -> Vec<[&'static str; 3]> {
    let mut text = String::with_capacity(names.clone().map(|n| 3 * (n.len() + 8)).sum());
    let mut ends = Vec::new();
    for name in names {
        for c in CONTAINERS {
            text.push_str(c);
            text.push('<');
            text.push_str(name);
            text.push('>');
            ends.push(text.len());
        }
    }
    let text: &'static str = Box::leak(text.into_boxed_str());
    let mut start = 0;
    let mut slices = ends.into_iter().map(|end| {
        let slice = &text[start..end];
        start = end;
        slice
    });
    let mut out = Vec::new();
    while let (Some(v), Some(o), Some(b)) = (slices.next(), slices.next(), slices.next()) {
        out.push([v, o, b]);
    }
    out
}

impl Registration {
    /// A constructor that streams may name (`#[copyreg::constructor]`).
    pub const fn constructor(name: &'static str, ops: &'static dyn Construct) -> Self {
        Registration {
            kind: Kind::Constructor { name, ops },
        }
    }
}

inventory::collect!(Registration);

/// A registered type: its name, whether it is native, its ops and its containers' ops.
type TypeEntry = (&'static str, bool, &'static dyn Ops, [&'static dyn Ops; 3]);

/// The link-time table: every registration `inventory` collected, each type with its three
/// containers.
pub(crate) fn link_time_table() -> Table {
    let registrations: Vec<&Registration> = inventory::iter::<Registration>.into_iter().collect();
    let types: Vec<TypeEntry> = registrations
        .iter()
        .filter_map(|r| match r.kind {
            Kind::Type {
                name,
                native,
                ops,
                containers,
                ..
            } => Some((name.get(), native, ops, containers)),
            Kind::Constructor { .. } => None,
        })
        .collect();
    // Each type brings three containers; their names share one allocation.
    let container_names = container_names(types.iter().map(|t| t.0));
    // Each type and its three containers, and each constructor registered on its own.
    let entries = types.len() * 4 + (registrations.len() - types.len());
    let mut table = Table::with_capacity(entries);
    for ((name, native, ops, containers), names) in types.into_iter().zip(container_names) {
        table.add_type(name, native, ops);
        for (name, ops) in names.into_iter().zip(containers) {
            table.add_type(name, true, ops);
        }
    }
    for registration in registrations {
        if let Kind::Constructor { name, ops } = registration.kind {
            let ctor = Constructor::new(Held::Static(name), false, Held::Static(ops));
            table.add_constructor(ctor);
        }
    }
    table.note_ambiguity();
    table
}

/// The Rust names of the types registered from outside at link time (`register_foreign!`):
/// types that work as fields but are not `Reducible`, for messages that must tell them apart.
pub(crate) fn foreign_type_names() -> impl Iterator<Item = &'static str> {
    inventory::iter::<Registration>
        .into_iter()
        .filter_map(|r| match r.kind {
            Kind::Type {
                reducible: false,
                ops,
                ..
            } => Some(ops.target_name()),
            _ => None,
        })
}
