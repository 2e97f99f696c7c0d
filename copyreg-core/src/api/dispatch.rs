//! [`dispatch_table`]: a read-only view of what is registered, Python's
//! `copyreg.dispatch_table`.

use std::any::TypeId;

use crate::engine::registry::{Held, Reducer, Slot, View};
use crate::wire::error::Error;

/// A snapshot of the registered reducers, taken when [`dispatch_table`] was called.
///
/// Entries are sorted by name. A type registered twice (say by two `register_foreign!`
/// calls in different crates), or two types registered under one name, are left out:
/// dumping them reports [`Error::RegisteredTwice`](crate::Error::RegisteredTwice) or
/// [`Error::Ambiguous`](crate::Error::Ambiguous).
///
/// ```
/// for entry in &copyreg::dispatch_table() {
///     assert!(!entry.name().is_empty());
/// }
/// ```
#[derive(Debug, Clone)]
pub struct DispatchTable {
    entries: Vec<Entry>,
}

/// One registered type: its constructor name, Rust name and `TypeId`.
///
/// ```
/// let entry = copyreg::dispatch_table().get::<String>().unwrap();
/// assert_eq!((entry.name(), entry.type_name()), ("String", "alloc::string::String"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    name: &'static str,
    code: Option<u32>,
    type_name: &'static str,
    type_id: TypeId,
}

/// The registered reducers, link-time and run-time, as Python's `copyreg.dispatch_table`.
///
/// ```
/// #[derive(copyreg::Reducible)]
/// #[reducer(name = "auth.Token")]
/// struct Token(String);
///
/// let table = copyreg::dispatch_table();
/// assert!(table.contains::<Token>());
/// assert!(table.contains::<Vec<Token>>());
/// assert_eq!(table.by_name("auth.Token").map(|e| e.type_id()), Some(std::any::TypeId::of::<Token>()));
/// assert!(!table.is_empty());
/// ```
pub fn dispatch_table() -> DispatchTable {
    let view = View::current();
    let mut entries: Vec<Entry> = view
        .reducers()
        .into_iter()
        .filter_map(|(type_id, slot)| match slot {
            // A name two types share is ambiguous in streams; neither is listed under it.
            Slot::One(Reducer {
                name: Held::Static(name),
                code,
                ops,
                ..
            }) if view.constructor(name).is_ok() => Some(Entry {
                name,
                code,
                type_name: ops.target_name(),
                type_id,
            }),
            _ => None,
        })
        .collect();
    entries.sort_unstable_by(|a, b| a.name.cmp(b.name).then(a.type_name.cmp(b.type_name)));
    DispatchTable { entries }
}

impl DispatchTable {
    /// Whether `T` has a reducer.
    ///
    /// ```
    /// assert!(copyreg::dispatch_table().contains::<String>());
    /// assert!(!copyreg::dispatch_table().contains::<std::fs::File>());
    /// ```
    pub fn contains<T: 'static>(&self) -> bool {
        self.get::<T>().is_some()
    }

    /// The entry for `T`.
    ///
    /// ```
    /// let entry = copyreg::dispatch_table().get::<u32>().unwrap();
    /// assert_eq!(entry.name(), "u32");
    /// ```
    pub fn get<T: 'static>(&self) -> Option<Entry> {
        let id = TypeId::of::<T>();
        self.entries.iter().copied().find(|e| e.type_id == id)
    }

    /// The entry registered under the constructor name `name`.
    ///
    /// ```
    /// let entry = copyreg::dispatch_table().by_name("Vec<String>").unwrap();
    /// assert_eq!(entry.type_id(), std::any::TypeId::of::<Vec<String>>());
    /// ```
    pub fn by_name(&self, name: &str) -> Option<Entry> {
        self.entries
            .binary_search_by(|e| e.name.cmp(name))
            .ok()
            .map(|i| self.entries[i])
    }

    /// The entry registered with compact code `code` (Python's
    /// `copyreg._inverted_registry`). A code two registrations claim finds neither.
    ///
    /// ```
    /// #[derive(copyreg::Reducible)]
    /// #[reducer(name = "auth.Session", code = 9001)]
    /// struct Session(u64);
    ///
    /// let table = copyreg::dispatch_table();
    /// assert_eq!(table.by_code(9001).map(|e| e.name()), Some("auth.Session"));
    /// assert!(table.by_code(9002).is_none());
    /// ```
    pub fn by_code(&self, code: u32) -> Option<Entry> {
        let mut claims = self.entries.iter().filter(|e| e.code == Some(code));
        match (claims.next(), claims.next()) {
            (Some(entry), None) => Some(*entry),
            _ => None,
        }
    }

    /// How many types are registered.
    ///
    /// ```
    /// assert!(copyreg::dispatch_table().len() >= 16); // the primitives alone
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is registered (as under Miri, which runs no link-time constructors).
    ///
    /// ```
    /// assert!(!copyreg::dispatch_table().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The registrations that contradict each other, each as the error a stream using it
    /// would meet: [`Error::Ambiguous`] for two types under one name,
    /// [`Error::RegisteredTwice`] for one type under two names, [`Error::CodeConflict`] for
    /// two registrations claiming one compact code. Empty in a sound program; see
    /// [`assert_registry_ok`](crate::assert_registry_ok) for a test that says so.
    ///
    /// ```
    /// mod a {
    ///     #[derive(copyreg::Reducible)]
    ///     #[reducer(name = "shop.Item")]
    ///     pub struct Item(pub u32);
    /// }
    /// mod b {
    ///     #[derive(copyreg::Reducible)]
    ///     #[reducer(name = "shop.Item")]
    ///     pub struct Item(pub String);
    /// }
    ///
    /// let conflicts = copyreg::dispatch_table().conflicts();
    /// assert!(matches!(
    ///     &conflicts[..],
    ///     [copyreg::Error::Ambiguous { name, .. }] if name == "shop.Item"
    /// ));
    /// ```
    pub fn conflicts(&self) -> Vec<Error> {
        crate::engine::registry::link_time_conflicts()
    }

    /// The entries, sorted by name.
    ///
    /// ```
    /// let names: Vec<&str> = copyreg::dispatch_table().iter().map(|e| e.name()).collect();
    /// assert!(names.windows(2).all(|w| w[0] <= w[1]));
    /// assert!(names.contains(&"String"));
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Entry> + '_ {
        self.entries.iter().copied()
    }
}

impl<'a> IntoIterator for &'a DispatchTable {
    type Item = Entry;
    type IntoIter = std::iter::Copied<std::slice::Iter<'a, Entry>>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().copied()
    }
}

impl Entry {
    /// The constructor name streams carry for this type.
    ///
    /// ```
    /// assert_eq!(copyreg::dispatch_table().get::<Option<i64>>().unwrap().name(), "Option<i64>");
    /// ```
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The compact code streams write instead of the name, if the type was registered with
    /// one (`#[reducer(code = N)]`, `register_foreign!(..., code = N)`): Python's
    /// `copyreg.add_extension`.
    ///
    /// ```
    /// #[derive(copyreg::Reducible)]
    /// #[reducer(name = "geo.Point", code = 17)]
    /// struct Point(i32, i32);
    ///
    /// let table = copyreg::dispatch_table();
    /// assert_eq!(table.get::<Point>().unwrap().code(), Some(17));
    /// assert_eq!(table.get::<String>().unwrap().code(), None);
    /// ```
    pub fn code(&self) -> Option<u32> {
        self.code
    }

    /// The Rust type, as `std::any::type_name` spells it (for people, not for matching).
    ///
    /// ```
    /// assert_eq!(copyreg::dispatch_table().get::<bool>().unwrap().type_name(), "bool");
    /// ```
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// The type's `TypeId`.
    ///
    /// ```
    /// let entry = copyreg::dispatch_table().get::<char>().unwrap();
    /// assert_eq!(entry.type_id(), std::any::TypeId::of::<char>());
    /// ```
    pub fn type_id(&self) -> TypeId {
        self.type_id
    }
}
