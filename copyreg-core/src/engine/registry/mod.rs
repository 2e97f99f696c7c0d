//! The registry: what link-time registrations (`inventory`) and run-time `pickle` calls said.
//!
//! The link-time part is built once, lazily, into two maps: reducers by `TypeId` (what dumps
//! and copies use) and constructors by name (what loads use). Run-time registrations live in a
//! second, copy-on-write table that readers snapshot once per call; while nobody has called
//! `pickle`, readers never touch it.

pub(crate) mod casts;
pub(crate) mod codes;
pub(crate) mod conflicts;
mod recent;
pub(crate) mod registration;

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use crate::engine::ops::{Construct, Ops, Typed};
use crate::engine::registry::casts::Casts;
use crate::engine::registry::codes::Codes;
pub use crate::engine::registry::registration::Registration;
use crate::engine::registry::registration::{container_names_of, link_time_table, CONTAINERS};
use crate::wire::error::{Error, Failure};
use crate::wire::hash::{NameHasher, TypeMap};

/// Where a registration's data lives: in the program for good (link time, and `pickle`,
/// which keeps registrations as Python's `dispatch_table` does), or in one pickler's or
/// unpickler's table, dropped with it.
pub(crate) enum Held<T: ?Sized + 'static> {
    Static(&'static T),
    Shared(Arc<T>),
}

impl<T: ?Sized> Clone for Held<T> {
    fn clone(&self) -> Self {
        match self {
            Held::Static(value) => Held::Static(value),
            Held::Shared(value) => Held::Shared(Arc::clone(value)),
        }
    }
}

impl<T: ?Sized> std::ops::Deref for Held<T> {
    type Target = T;
    fn deref(&self) -> &T {
        match self {
            Held::Static(value) => value,
            Held::Shared(value) => value,
        }
    }
}

// Names key the constructor table, looked up by their bytes: a stream's name found there
// is valid UTF-8 without being checked.
impl std::borrow::Borrow<[u8]> for Held<str> {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for Held<str> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Held<str> {}

impl std::hash::Hash for Held<str> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl Held<dyn Ops> {
    fn construct(&self) -> Held<dyn Construct> {
        match self {
            Held::Static(ops) => Held::Static(*ops),
            Held::Shared(ops) => Held::Shared(Arc::clone(ops) as Arc<dyn Construct>),
        }
    }
}

/// A registered reducer: how values of one type are written, and read back by the
/// constructor registered with it.
#[derive(Clone)]
pub(crate) struct Reducer {
    /// The constructor name written before the arguments.
    pub(crate) name: Held<str>,
    /// The compact code written instead of the name, if the type has one.
    pub(crate) code: Option<u32>,
    /// How many fields a derived struct writes, for the stream's name table.
    pub(crate) fields: Option<u32>,
    pub(crate) native: bool,
    pub(crate) ops: Held<dyn Ops>,
    /// The trait objects the type declares it can be loaded as: what it may be written as.
    pub(crate) casts: Casts,
}

/// A registered constructor: what a stream may name.
#[derive(Clone)]
pub(crate) struct Constructor {
    pub(crate) name: Held<str>,
    /// One of copyreg's own (primitives, std types): no allow-list needs to name it.
    pub(crate) native: bool,
    pub(crate) ops: Held<dyn Construct>,
    /// `ops.identity()`, kept so that loads need not call it for every object.
    pub(crate) identity: Option<TypeId>,
    /// `ops.fields()`, kept so that reading a name table need not call it for every entry.
    pub(crate) fields: Option<(u32, u32)>,
    /// The trait objects the type it builds can be loaded as.
    pub(crate) casts: Casts,
    /// Registered with the reducer of the type it builds (not `#[copyreg::constructor]`).
    pub(crate) paired: bool,
}

impl Constructor {
    pub(crate) fn new(name: Held<str>, native: bool, ops: Held<dyn Construct>) -> Constructor {
        Constructor {
            paired: false,
            identity: ops.identity(),
            fields: ops.fields(),
            casts: crate::engine::registry::casts::casts_of(ops.target_id()),
            name,
            native,
            ops,
        }
    }
}

impl std::fmt::Debug for Constructor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Constructor({} -> {})",
            &*self.name,
            self.ops.target_name()
        )
    }
}

/// A name or type that one or several registrations claim.
#[derive(Clone, Debug)]
pub(crate) enum Slot<T> {
    One(T),
    /// Two or more registrations, for the message: under a name, the types behind them; for
    /// a type, the type and then the names it is registered under.
    Ambiguous(Vec<&'static str>),
}

/// The constructor a name finds, or the error saying why there is none.
pub(crate) trait Found<'t> {
    fn found(self, name: &str) -> Result<&'t Constructor, Failure>;
}

impl<'t> Found<'t> for Option<&'t Slot<Constructor>> {
    fn found(self, name: &str) -> Result<&'t Constructor, Failure> {
        match self {
            Some(Slot::One(c)) => Ok(c),
            other => Err(not_found(other, name)),
        }
    }
}

/// Why `slot`, what the registry holds under `name`, gives no single constructor.
#[cold]
pub(crate) fn not_found(slot: Option<&Slot<Constructor>>, name: &str) -> Failure {
    let error = match slot {
        Some(Slot::Ambiguous(names)) => Error::Ambiguous {
            name: name.to_string(),
            candidates: names.clone(),
        },
        _ => Error::UnknownConstructor {
            name: name.to_string(),
        },
    };
    error.into()
}

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
    ambiguous_names: bool,
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
