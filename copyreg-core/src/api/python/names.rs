//! How a constructor's name maps to the Python global a pickle calls, both ways.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::engine::registry::{Slot, View};

/// The module and qualified name Python imports for a constructor named `name`: split at
/// the last dot (`shop.models.Order`), or, for a Rust path (a type's default name), at the
/// last `::`, with the module's `::` made dots (`shop::models::Order`).
pub(crate) fn python_global(name: &str) -> Result<(String, String), String> {
    let split = match name.rsplit_once("::") {
        Some((module, name)) => Some((module.replace("::", "."), name)),
        None => name
            .rsplit_once('.')
            .map(|(module, name)| (module.to_owned(), name)),
    };
    let plain = |s: &str| {
        !s.is_empty()
            && s.split('.').all(|part| {
                !part.is_empty() && !part.contains(['<', '>', '(', ')', '[', ']', ' ', ',', ';'])
            })
    };
    match split {
        Some((module, qualname)) if plain(&module) && plain(qualname) => {
            Ok((module, qualname.to_owned()))
        }
        _ => Err(format!(
            "the constructor `{name}` is no Python global (`module.Name`): give its type \
             `#[reducer(python = \"module.Name\")]` (or `python = ...` in `register_foreign!`)"
        )),
    }
}

/// The registered name of the type whose `#[reducer(python = "...")]` is `python`, if one
/// declares it. Python names are link-time only, so the index is built once.
pub(crate) fn declared(python: &str) -> Option<&'static str> {
    static INDEX: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            let mut index = HashMap::new();
            for slot in View::current().reducers().values() {
                if let Slot::One(reducer) = slot {
                    if let Some(python) = reducer.ops.python_name() {
                        let name: &'static str = crate::engine::registry::intern(&reducer.name);
                        index.insert(python, name);
                    }
                }
            }
            index
        })
        .get(python)
        .copied()
}
