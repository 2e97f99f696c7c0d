//! The registry: what link-time registrations (`inventory`) and run-time `pickle` calls said.
//!
//! The link-time part is built once, lazily, into two maps: reducers by `TypeId` (what dumps
//! and copies use) and constructors by name (what loads use). Run-time registrations live in a
//! second, copy-on-write table that readers snapshot once per call; while nobody has called
//! `pickle`, readers never touch it.
//!
//! This file layers the tables into the [`View`] one call reads through and keeps the global
//! ones; `table.rs` is one table, `slot.rs` what it holds under a type or a name.

pub(crate) mod casts;
pub(crate) mod codes;
pub(crate) mod conflicts;
mod recent;
pub(crate) mod registration;
mod slot;
mod table;

use std::any::{Any, TypeId};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use crate::engine::ops::Ops;
pub use crate::engine::registry::registration::Registration;
use crate::engine::registry::registration::{link_time_table, CONTAINERS};
use crate::wire::error::{Error, Failure};
use crate::wire::hash::TypeMap;

pub(crate) use self::slot::{not_found, Constructor, Found, Held, Reducer, Slot};
pub(crate) use self::table::Table;

fn base() -> &'static Table {
    static BASE: OnceLock<Table> = OnceLock::new();
    BASE.get_or_init(|| {
        let table = link_time_table();
        crate::engine::registry::conflicts::report(&table);
        table
    })
}

/// Set once the first run-time registration is made, so readers skip the lock until then.
static HAS_RUNTIME: AtomicBool = AtomicBool::new(false);

fn runtime() -> &'static RwLock<Arc<Table>> {
    static RUNTIME: OnceLock<RwLock<Arc<Table>>> = OnceLock::new();
    RUNTIME.get_or_init(Default::default)
}

/// What one dumps, loads or copy call sees: a pickler's or unpickler's private table, a
/// snapshot of the run-time one, and the link-time one, in that order of precedence.
pub(crate) struct View {
    base: &'static Table,
    runtime: Option<Arc<Table>>,
    private: Option<Arc<Table>>,
    /// Only the private table and copyreg's native types: global registrations are hidden.
    isolated: bool,
}

impl std::fmt::Debug for View {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("View")
            .field("link_time", &self.base.reducers.len())
            .field("run_time", &self.runtime.as_ref().map(|t| t.reducers.len()))
            .field("private", &self.private.as_ref().map(|t| t.reducers.len()))
            .field("isolated", &self.isolated)
            .finish()
    }
}

impl View {
    pub(crate) fn current() -> View {
        View::with(None, false)
    }

    /// The view of a pickler or unpickler with a private table.
    pub(crate) fn with(private: Option<Arc<Table>>, isolated: bool) -> View {
        let runtime = (!isolated && HAS_RUNTIME.load(Ordering::Acquire)).then(|| {
            // A panic while holding the lock cannot leave the Arc half-written.
            Arc::clone(&runtime().read().unwrap_or_else(PoisonError::into_inner))
        });
        View {
            base: base(),
            runtime,
            private,
            isolated,
        }
    }

    /// Whether a private or run-time table may override a type's own reducer.
    pub(crate) fn has_overrides(&self) -> bool {
        self.private.is_some() || self.runtime.is_some()
    }

    /// The tables that may override, most important first.
    fn overrides(&self) -> impl Iterator<Item = &Table> {
        self.private.iter().chain(&self.runtime).map(|t| &**t)
    }

    /// The reducer for `type_id`, if any: private, then run-time, then link-time.
    pub(crate) fn reducer(&self, type_id: TypeId) -> Result<Option<&Reducer>, Failure> {
        let slot = self
            .overrides()
            .find_map(|t| t.reducers.get(&type_id))
            .or_else(
                || match crate::engine::registry::recent::reducer(self.base, type_id) {
                    Some(Slot::One(r)) if self.isolated && !r.native => None,
                    slot => slot,
                },
            );
        match slot {
            None => Ok(None),
            Some(Slot::One(r)) => Ok(Some(r)),
            // A reducer's slot is ambiguous only for one type under several names: it holds
            // the type, then the names.
            Some(Slot::Ambiguous(names)) => Err(Error::RegisteredTwice {
                type_name: names[0],
                names: {
                    let mut names = names[1..].to_vec();
                    names.sort_unstable();
                    names
                },
            }
            .into()),
        }
    }

    /// The reducer for `T`, or [`Error::NotRegistered`].
    pub(crate) fn require<T: Any>(&self) -> Result<&Reducer, Failure> {
        self.reducer(TypeId::of::<T>())?.ok_or_else(|| {
            Failure::from(Error::NotRegistered {
                type_name: std::any::type_name::<T>(),
                path: String::new(),
            })
        })
    }

    /// Whether any table in view has a name two registrations claim; while none has, a
    /// writer need not look its names up.
    pub(crate) fn has_ambiguous_names(&self) -> bool {
        // Run-time and private tables replace entries, so no name in them is ambiguous:
        // asking them costs nothing however large they grow.
        self.base.ambiguous_names || self.overrides().any(|t| t.ambiguous_names)
    }

    /// A private or run-time reducer for `type_id`, only. Most views have no such table:
    /// derived types ask this for every object, so that case returns at once.
    #[inline]
    pub(crate) fn override_reducer(&self, type_id: TypeId) -> Option<&Reducer> {
        if !self.has_overrides() {
            return None;
        }
        self.overriding_reducer(type_id)
    }

    fn overriding_reducer(&self, type_id: TypeId) -> Option<&Reducer> {
        match self.overrides().find_map(|t| t.reducers.get(&type_id))? {
            Slot::One(r) => Some(r),
            Slot::Ambiguous(_) => None,
        }
    }

    /// The constructor registered under `name`.
    pub(crate) fn constructor(&self, name: &str) -> Result<&Constructor, Failure> {
        self.constructor_slot(name.as_bytes())
            .map(|(_, slot)| slot)
            .found(name)
    }

    /// What is registered under the name spelled by `name`: one constructor, several, or
    /// nothing (`None`); with the name as the table holds it. A container of a type that was
    /// renamed (`Vec<shop.Order>`, where `shop.Order` is now a legacy constructor) is found
    /// through its element, as [`View::container_of_renamed`] says.
    pub(crate) fn constructor_slot(&self, name: &[u8]) -> Option<(&str, &Slot<Constructor>)> {
        self.registered_slot(name)
            .or_else(|| self.container_of_renamed(name))
    }

    fn registered_slot(&self, name: &[u8]) -> Option<(&str, &Slot<Constructor>)> {
        self.overrides()
            .find_map(|t| t.constructors.get_key_value(name))
            .map(|(name, slot)| (&**name, slot))
            .or_else(
                || match crate::engine::registry::recent::constructor(self.base, name) {
                    Some((_, Slot::One(c))) if self.isolated && !c.native => None,
                    entry => entry,
                },
            )
    }

    /// The registered `Vec`, `Option` or `Box` of the type that the constructor named inside
    /// `name` builds: a container's name is built from its element's, so a stream written
    /// before the element's type was renamed names the container by the old name too.
    #[cold]
    fn container_of_renamed(&self, name: &[u8]) -> Option<(&str, &Slot<Constructor>)> {
        let name = std::str::from_utf8(name).ok()?;
        let (outer, inner) = name.strip_suffix('>')?.split_once('<')?;
        if !CONTAINERS.contains(&outer) {
            return None;
        }
        // One level only: a hostile name of nested containers costs one look-up, not one
        // per level.
        let Some((_, Slot::One(element))) = self.registered_slot(inner.as_bytes()) else {
            return None;
        };
        let current = self.reducer(element.ops.target_id()).ok()??;
        if *current.name == *inner {
            return None;
        }
        self.registered_slot(format!("{outer}<{}>", &*current.name).as_bytes())
    }

    /// What compact `code` stands for: the constructor and its name, or the conflicting
    /// registrations. Codes are link-time only.
    pub(crate) fn constructor_by_code(&self, code: u32) -> Option<(&str, &Slot<Constructor>)> {
        let coded = self.base.codes.get(code)?;
        match &coded.slot {
            Slot::One(c) if self.isolated && !c.native => None,
            slot => Some((&*coded.name, slot)),
        }
    }

    /// Every registered reducer, run-time ones shadowing link-time ones.
    pub(crate) fn reducers(&self) -> TypeMap<Slot<Reducer>> {
        let mut all = self.base.reducers.clone();
        if let Some(runtime) = &self.runtime {
            all.extend(runtime.reducers.iter().map(|(k, v)| (*k, v.clone())));
        }
        all
    }
}

/// Every conflict among the link-time registrations (run-time ones replace what they
/// override, so they make none).
pub(crate) fn link_time_conflicts() -> Vec<Error> {
    crate::engine::registry::conflicts::of(base())
}

/// The Rust names of the registered types that are not `Reducible`: attached from outside
/// with `register_foreign!` at link time, or with `pickle` at run time.
pub(crate) fn outside_type_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> =
        crate::engine::registry::registration::foreign_type_names().collect();
    if let Some(runtime) = View::current().runtime {
        // A link-time type that `pickle` overrides is what it was: listed already if it is
        // foreign, `Reducible` if not.
        let base = base();
        names.extend(runtime.reducers.iter().filter_map(|(id, slot)| match slot {
            Slot::One(r) if !r.native && !base.reducers.contains_key(id) => {
                Some(r.ops.target_name())
            }
            _ => None,
        }));
    }
    names
}

/// Adds a run-time registration: the reducer for its type and the constructor for its name
/// replace any earlier ones (the last registration wins, as with Python's `copyreg.pickle`),
/// and what they replace is dropped.
pub(crate) fn register_runtime(
    name: &str,
    ops: Arc<dyn Ops>,
    containers: [&'static dyn Ops; 3],
) -> Result<(), Failure> {
    let type_id = ops.target_id();
    let type_name = ops.target_name();
    refuse_native(type_id, type_name)?;
    let lock = runtime();
    let mut guard = lock.write().unwrap_or_else(PoisonError::into_inner);
    {
        let view = View {
            base: base(),
            runtime: Some(Arc::clone(&guard)),
            private: None,
            isolated: false,
        };
        // A name may be taken over by another registration of the same type, never of another.
        if let Ok(existing) = view.constructor(name) {
            if existing.ops.target_id() != type_id {
                return Err(Error::Ambiguous {
                    name: name.to_string(),
                    candidates: {
                        let mut v = vec![existing.ops.target_name(), type_name];
                        v.sort_unstable();
                        v
                    },
                }
                .into());
            }
        }
    }
    // Changed in place unless a call in flight still reads the table: registering n types
    // one after another costs O(n), not a copy of the table each.
    Arc::make_mut(&mut guard).replace_with_containers(
        Held::Static(intern(name)),
        Held::Shared(ops),
        containers,
    );
    HAS_RUNTIME.store(true, Ordering::Release);
    Ok(())
}

/// `name`, kept for the life of the program (the dispatch table lists names as `&'static
/// str`), once however often it is registered.
pub(crate) fn intern(name: &str) -> &'static str {
    static NAMES: OnceLock<std::sync::Mutex<std::collections::HashSet<&'static str>>> =
        OnceLock::new();
    let mut names = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    match names.get(name) {
        Some(&kept) => kept,
        None => {
            let kept: &'static str = Box::leak(name.into());
            names.insert(kept);
            kept
        }
    }
}

/// [`Error::Builtin`] for a type copyreg writes natively, which no reducer may replace.
pub(crate) fn refuse_native(type_id: TypeId, type_name: &'static str) -> Result<(), Failure> {
    match is_native(type_id) {
        true => Err(Error::Builtin { type_name }.into()),
        false => Ok(()),
    }
}

/// Whether copyreg writes the type natively (primitives, `String`, std containers).
pub(crate) fn is_native(type_id: TypeId) -> bool {
    matches!(base().reducers.get(&type_id), Some(Slot::One(r)) if r.native)
}

/// The name a type is registered under at link time, if it is.
pub(crate) fn link_time_name(type_id: TypeId) -> Option<&'static str> {
    match base().reducers.get(&type_id)? {
        Slot::One(Reducer {
            name: Held::Static(name),
            ..
        }) => Some(name),
        // The link-time table holds static names only.
        Slot::One(_) | Slot::Ambiguous(_) => None,
    }
}
