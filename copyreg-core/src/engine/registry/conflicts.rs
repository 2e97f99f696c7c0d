//! Registrations that contradict each other: two types under one name, one type under two
//! names, two registrations claiming one compact code. Each is reported once, when the
//! registry is first built, listed by [`DispatchTable::conflicts`](crate::DispatchTable::conflicts),
//! and asserted away in a test by [`assert_registry_ok`].

use std::collections::HashSet;

use crate::engine::registry::registration::CONTAINERS;
use crate::engine::registry::{Slot, Table};
use crate::wire::error::Error;

/// Every conflict in `table`, sorted by message.
pub(crate) fn of(table: &Table) -> Vec<Error> {
    let names = table
        .constructors
        .iter()
        .filter_map(|(name, slot)| match slot {
            Slot::Ambiguous(candidates) => Some(Error::Ambiguous {
                name: name.to_string(),
                candidates: candidates.clone(),
            }),
            Slot::One(_) => None,
        });
    // A reducer's slot is ambiguous only for one type under several names: it holds the
    // type, then the names.
    let types = table.reducers.values().filter_map(|slot| match slot {
        Slot::Ambiguous(held) => held.split_first().map(|(type_name, names)| {
            let mut names = names.to_vec();
            names.sort_unstable();
            Error::RegisteredTwice { type_name, names }
        }),
        Slot::One(_) => None,
    });
    let codes = table
        .codes
        .conflicts()
        .map(|(code, claimants)| Error::CodeConflict {
            code,
            claimants: claimants.clone(),
        });
    let names: Vec<Error> = names.collect();
    let types: Vec<Error> = types.collect();
    // The `Vec`, `Option` and `Box` that come with each type share its conflict: say it once.
    let contested: HashSet<String> = names
        .iter()
        .chain(&types)
        .flat_map(|e| match e {
            Error::Ambiguous { name, .. } => vec![name.clone()],
            Error::RegisteredTwice { names, .. } => names.iter().map(|n| n.to_string()).collect(),
            _ => vec![],
        })
        .collect();
    let follows = |name: &str| {
        CONTAINERS.iter().any(|c| {
            name.strip_prefix(c)
                .and_then(|rest| rest.strip_prefix('<')?.strip_suffix('>'))
                .is_some_and(|inner| contested.contains(inner))
        })
    };
    let own = |e: &Error| match e {
        Error::Ambiguous { name, .. } => !follows(name),
        Error::RegisteredTwice { names, .. } => !names.iter().all(|n| follows(n)),
        _ => true,
    };
    let mut all: Vec<(String, Error)> = names
        .into_iter()
        .chain(types)
        .filter(|e| own(e))
        .chain(codes)
        .map(|e| (e.to_string(), e))
        .collect();
    all.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    all.into_iter().map(|(_, e)| e).collect()
}

/// Says on stderr what conflicts the link-time registry holds, when it is built (once per
/// program): a name two types share surfaces at the first `dumps`, `loads`, `copy` or
/// `dispatch_table()`, not when a stream first happens to use it.
pub(crate) fn report(table: &Table) {
    let conflicts = of(table);
    if conflicts.is_empty() {
        return;
    }
    eprintln!(
        "copyreg: {} conflicting registration{} (streams that use them will fail; \
         `copyreg::assert_registry_ok()` in a test catches this):",
        conflicts.len(),
        if conflicts.len() == 1 { "" } else { "s" }
    );
    for conflict in &conflicts {
        eprintln!("  - {conflict}");
    }
}

/// Panics, listing every conflict, if any registrations in the program contradict each
/// other: two types under one name, one type under two names, or two registrations
/// claiming one compact code. Made for a one-line test, so that a clash two crates made
/// fails the test suite rather than a stream in production:
///
/// ```
/// #[derive(copyreg::Reducible)]
/// #[reducer(name = "shop.Item")]
/// struct Item(u32);
///
/// // In `tests/registry.rs`: #[test] fn registry() { copyreg::assert_registry_ok(); }
/// copyreg::assert_registry_ok();
/// ```
///
/// # Panics
///
/// If [`dispatch_table().conflicts()`](crate::DispatchTable::conflicts) is not empty; the
/// message lists each conflict and how to resolve it.
#[track_caller]
pub fn assert_registry_ok() {
    let conflicts = crate::engine::registry::link_time_conflicts();
    if !conflicts.is_empty() {
        let list: Vec<String> = conflicts.iter().map(|c| format!("  - {c}")).collect();
        panic!(
            "copyreg: {} conflicting registration{}:\n{}",
            conflicts.len(),
            if conflicts.len() == 1 { "" } else { "s" },
            list.join("\n")
        );
    }
}
