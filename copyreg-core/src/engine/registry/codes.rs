//! Compact codes, Python's `copyreg.add_extension`: an integer registered with a type
//! (`#[reducer(code = N)]`, `register_foreign!(..., code = N)`) that streams write in their
//! name table instead of the constructor's name.
//!
//! A code must mean one constructor program-wide. Two registrations claiming one code are a
//! conflict: the code is kept, marked, and every stream that would use it fails with
//! [`Error::CodeConflict`](crate::Error::CodeConflict), naming both.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::engine::registry::{Constructor, Held, Slot};
use crate::wire::hash::NameHasher;

/// What one compact code stands for: the constructor and its name, or the conflicting
/// registrations (described as "`name` (rust::Type)").
#[derive(Clone)]
pub(crate) struct Coded {
    pub(crate) name: Held<str>,
    pub(crate) slot: Slot<Constructor>,
}

/// Constructors by compact code.
#[derive(Default, Clone)]
pub(crate) struct Codes {
    by_code: HashMap<u32, Coded, BuildHasherDefault<NameHasher>>,
}

impl Codes {
    /// Records that `ctor` is written as `code`; returns whether this made a conflict.
    pub(crate) fn add(&mut self, code: u32, ctor: Constructor) -> bool {
        use std::collections::hash_map::Entry;
        match self.by_code.entry(code) {
            Entry::Vacant(v) => {
                v.insert(Coded {
                    name: ctor.name.clone(),
                    slot: Slot::One(ctor),
                });
                false
            }
            Entry::Occupied(mut o) => {
                let claim = describe(&ctor);
                let coded = o.get_mut();
                match &mut coded.slot {
                    // The same registration made twice (a derived type also given to
                    // `register!`): nothing to choose between.
                    Slot::One(first)
                        if *first.name == *ctor.name
                            && first.ops.identity().is_some()
                            && first.ops.identity() == ctor.ops.identity() =>
                    {
                        false
                    }
                    Slot::One(first) => {
                        let mut claims = vec![describe(first), claim];
                        claims.sort_unstable();
                        coded.slot = Slot::Ambiguous(claims);
                        true
                    }
                    Slot::Ambiguous(claims) => {
                        claims.push(claim);
                        claims.sort_unstable();
                        true
                    }
                }
            }
        }
    }

    /// The codes two registrations claim, each with its claimants.
    pub(crate) fn conflicts(&self) -> impl Iterator<Item = (u32, &Vec<&'static str>)> {
        self.by_code
            .iter()
            .filter_map(|(code, coded)| match &coded.slot {
                Slot::Ambiguous(claims) => Some((*code, claims)),
                Slot::One(_) => None,
            })
    }

    pub(crate) fn get(&self, code: u32) -> Option<&Coded> {
        self.by_code.get(&code)
    }
}

/// "`geo.Point` (app::Point)", for messages; kept for the program's life with the registry.
fn describe(ctor: &Constructor) -> &'static str {
    let text = format!("`{}` ({})", &*ctor.name, ctor.ops.target_name());
    Box::leak(text.into_boxed_str())
}
