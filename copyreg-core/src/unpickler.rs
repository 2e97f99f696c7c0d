//! [`Unpickler`]: loading with per-call limits, an allow-list, private constructors and
//! persistent references, as Python's `pickle.Unpickler` with `find_class` and
//! `persistent_load`.

use std::any::{type_name, Any, TypeId};
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use crate::constructor::Constructor;
use crate::depth::MAX_DEPTH;
use crate::error::{BoxError, Error, Failure, LimitKind};
use crate::load::Loader;
use crate::ops::{filled, unbox};
use crate::pickle::constructor_only;
use crate::reducible::Reducible;
use crate::registry::{Table, View};
use crate::tuple::Tuple;

/// The limits a load applies. [`loads`](crate::loads) uses the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    pub(crate) max_input: usize,
    pub(crate) max_alloc: usize,
    pub(crate) max_depth: usize,
    pub(crate) max_objects: usize,
    /// `None`: one element per byte of input.
    pub(crate) max_elements: Option<usize>,
}

impl Limits {
    const DEFAULT: Limits = Limits {
        max_input: 1 << 30,
        max_alloc: 1 << 30,
        max_depth: MAX_DEPTH,
        max_objects: 1 << 26,
        max_elements: None,
    };

    /// The elements a load of `input` bytes may build: by default one per byte, which
    /// every stream whose elements each take a byte fits, and which keeps the time a load
    /// takes in proportion to its input.
    pub(crate) fn elements_for(&self, input: usize) -> usize {
        self.max_elements.unwrap_or(input)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// What an allow-list lets a stream name.
#[derive(Debug, Default, Clone)]
struct Allowed {
    names: HashSet<String>,
    types: HashSet<TypeId>,
    traits: Vec<TypeId>,
}

type PersistentLoad = dyn Fn(&str) -> Result<Box<dyn Any>, BoxError> + Send + Sync;

/// Loads streams with limits, an allow-list, private constructors and persistent references.
///
/// [`loads`](crate::loads) is `Unpickler::new().loads(..)`: the registry's constructors and
/// the default limits. Build an `Unpickler` to change either for one load:
///
/// ```
/// use copyreg::{Error, LimitKind, Unpickler};
///
/// #[derive(copyreg::Reducible, Debug, PartialEq)]
/// #[reducer(name = "geo.Point")]
/// struct Point {
///     x: i32,
///     y: i32,
/// }
///
/// #[derive(copyreg::Reducible)]
/// struct Secret(String);
///
/// let trusted = Unpickler::new().allow::<Point>().max_input(1 << 20);
/// let bytes = copyreg::dumps(&vec![Point { x: 1, y: 2 }])?;
/// assert_eq!(trusted.loads::<Vec<Point>>(&bytes)?, [Point { x: 1, y: 2 }]);
///
/// // Anything else is refused before any constructor runs.
/// let bytes = copyreg::dumps(&Secret("no".into()))?;
/// assert!(matches!(trusted.loads_any(&bytes), Err(Error::Forbidden { .. })));
///
/// let tiny = Unpickler::new().max_input(8);
/// assert!(matches!(tiny.loads_any(&bytes), Err(Error::Limit { which: LimitKind::InputSize, .. })));
/// # Ok::<(), copyreg::Error>(())
/// ```
#[derive(Clone)]
pub struct Unpickler {
    limits: Limits,
    allowed: Option<Allowed>,
    private: Option<Arc<Table>>,
    isolated: bool,
    persistent_load: Option<Arc<PersistentLoad>>,
}

impl fmt::Debug for Unpickler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unpickler")
            .field("limits", &self.limits)
            .field("allowed", &self.allowed)
            .field("isolated", &self.isolated)
            .field("persistent_load", &self.persistent_load.is_some())
            .finish_non_exhaustive()
    }
}

impl Default for Unpickler {
    fn default() -> Self {
        Unpickler::new()
    }
}

impl Unpickler {
    /// An unpickler with the registry's constructors and the default limits: 1 GiB of
    /// input, 1 GiB for the loaded value, [`MAX_DEPTH`] objects deep, 2^26 objects, and one
    /// collection element per byte of input.
    ///
    /// ```
    /// let bytes = copyreg::dumps(&7u8)?;
    /// assert_eq!(copyreg::Unpickler::new().loads::<u8>(&bytes)?, 7);
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub const fn new() -> Self {
        Unpickler {
            limits: Limits::DEFAULT,
            allowed: None,
            private: None,
            isolated: false,
            persistent_load: None,
        }
    }

    /// An unpickler that sees none of the registry's constructors: only those given with
    /// [`Unpickler::constructor`], copyreg's native types, and the types the caller names
    /// statically (a derived type loads its own fields).
    ///
    /// ```
    /// #[derive(Debug, PartialEq)]
    /// struct Celsius(f64);
    ///
    /// copyreg::pickle_as("thermo.Celsius", |c: &Celsius| (c.0,), |v: f64| Celsius(v))?;
    /// let bytes = copyreg::dumps(&Celsius(21.5))?;
    ///
    /// let bare = copyreg::Unpickler::isolated();
    /// assert!(bare.loads::<Celsius>(&bytes).is_err());
    /// let own = copyreg::Unpickler::isolated().constructor("thermo.Celsius", |v: f64| Celsius(v * 2.0));
    /// assert_eq!(own.loads::<Celsius>(&bytes)?, Celsius(43.0));
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn isolated() -> Self {
        Unpickler {
            isolated: true,
            ..Unpickler::default()
        }
    }

    /// The most bytes of input accepted: the length of the bytes given to `loads`, and what
    /// one [`load`](Unpickler::load) reads from its reader. `load` checks a stream's length
    /// against it from the stream's header, before reading the stream.
    ///
    /// ```
    /// let bytes = copyreg::dumps(&String::from("twelve chars"))?;
    /// assert!(copyreg::Unpickler::new().max_input(10).loads::<String>(&bytes).is_err());
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn max_input(mut self, bytes: usize) -> Self {
        self.limits.max_input = bytes;
        self
    }

    /// The most memory the loaded value may take, as copyreg estimates it before allocating:
    /// string lengths, collection lengths times their element size, and each `Box`, `Arc`
    /// and `Rc`.
    ///
    /// ```
    /// let bytes = copyreg::dumps(&vec![0u64; 1000])?;
    /// let err = copyreg::Unpickler::new().max_alloc(4096).loads::<Vec<u64>>(&bytes).unwrap_err();
    /// assert!(matches!(err, copyreg::Error::Limit { which: copyreg::LimitKind::Allocation, .. }));
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn max_alloc(mut self, bytes: usize) -> Self {
        self.limits.max_alloc = bytes;
        self
    }

    /// How many objects deep a value may nest. Deeper than [`MAX_DEPTH`] is allowed: the
    /// stack grows on the heap as needed.
    ///
    /// ```
    /// #[derive(copyreg::Reducible)]
    /// struct Node {
    ///     next: Option<Box<Node>>,
    /// }
    ///
    /// let list = Node { next: Some(Box::new(Node { next: None })) };
    /// let bytes = copyreg::dumps(&list)?;
    /// assert!(copyreg::Unpickler::new().max_depth(1).loads::<Node>(&bytes).is_err());
    /// assert!(copyreg::Unpickler::new().max_depth(2).loads::<Node>(&bytes).is_ok());
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn max_depth(mut self, objects: usize) -> Self {
        self.limits.max_depth = objects;
        self
    }

    /// How many objects a stream may build: each value a constructor the stream names builds,
    /// the top-level value included.
    ///
    /// ```
    /// #[derive(copyreg::Reducible)]
    /// struct Unit;
    ///
    /// let bytes = copyreg::dumps(&vec![Unit, Unit, Unit])?; // the Vec, then three units
    /// assert!(copyreg::Unpickler::new().max_objects(3).loads::<Vec<Unit>>(&bytes).is_err());
    /// assert!(copyreg::Unpickler::new().max_objects(4).loads::<Vec<Unit>>(&bytes).is_ok());
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn max_objects(mut self, objects: usize) -> Self {
        self.limits.max_objects = objects;
        self
    }

    /// How many collection elements a stream may build, counting every element of every
    /// collection (a map's entry is one), serde-only values included; a collection's length
    /// is counted before any of it is read.
    ///
    /// Elements that take bytes in the stream are bounded by the input already. This limit is
    /// for those that take none (`()`, unit structs, `[T; 0]`): a few bytes could otherwise
    /// claim 2^64 of them and keep a load busy for centuries. The default is one element per
    /// byte of input, which every stream whose elements each take a byte fits; a stream of
    /// many elements that take none needs this raised.
    ///
    /// ```
    /// let bytes = copyreg::dumps(&vec![(); 100_000])?; // 21 bytes
    /// let err = copyreg::loads::<Vec<()>>(&bytes).unwrap_err();
    /// assert!(matches!(err, copyreg::Error::Limit { which: copyreg::LimitKind::Elements, .. }));
    /// let trusted = copyreg::Unpickler::new().max_elements(100_000);
    /// assert_eq!(trusted.loads::<Vec<()>>(&bytes)?.len(), 100_000);
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn max_elements(mut self, elements: usize) -> Self {
        self.limits.max_elements = Some(elements);
        self
    }

    fn allowed(&mut self) -> &mut Allowed {
        self.allowed.get_or_insert_with(Allowed::default)
    }

    /// Allows constructors that build a `T`, and the name `T` is registered under. Once
    /// anything is allowed, a stream naming any other constructor fails with
    /// [`Error::Forbidden`] before a constructor runs. copyreg's native types (primitives,
    /// `String`, std containers) need no allowing.
    ///
    /// `T` is any registered type: derived, attached with `register_foreign!` or
    /// [`pickle`](crate::pickle)d. A type nothing registers has no constructor, so allowing
    /// it allows nothing. To allow a type together with every type its fields can hold, use
    /// [`allow_tree`](Unpickler::allow_tree).
    ///
    /// ```
    /// #[derive(copyreg::Reducible, Debug, PartialEq)]
    /// struct Token(u64);
    ///
    /// let bytes = copyreg::dumps(&Token(7))?;
    /// assert_eq!(copyreg::Unpickler::new().allow::<Token>().loads::<Token>(&bytes)?, Token(7));
    ///
    /// // A type of another crate, registered with `register_foreign!`, is allowed the same way.
    /// copyreg::register_foreign!(
    ///     std::net::Ipv4Addr,
    ///     reduce = |a: &std::net::Ipv4Addr| (a.octets(),),
    ///     construct = |o: [u8; 4]| std::net::Ipv4Addr::from(o),
    /// );
    /// let home = std::net::Ipv4Addr::LOCALHOST;
    /// let bytes = copyreg::dumps(&home)?;
    /// let unpickler = copyreg::Unpickler::new().allow::<std::net::Ipv4Addr>();
    /// assert_eq!(unpickler.loads::<std::net::Ipv4Addr>(&bytes)?, home);
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn allow<T: Any>(mut self) -> Self {
        let name = View::current()
            .reducer(TypeId::of::<T>())
            .ok()
            .flatten()
            .map(|reducer| reducer.name.to_string());
        let allowed = self.allowed();
        allowed.types.insert(TypeId::of::<T>());
        allowed.names.extend(name);
        self
    }

    /// Allows `T` and every type a `T` can hold, as its declaration says: the types of its
    /// fields, through any std containers, and theirs in turn, so that one call allows a
    /// whole tree of derived types. Trait objects are not followed, since any type may sit
    /// behind one: allow those with [`allow_dyn`](Unpickler::allow_dyn). Nor are the
    /// arguments of a type with its own reducer (`#[reducer(fn = ...)]`, `register_foreign!`,
    /// `pickle`): the type itself is allowed, and its arguments are allowed by their own
    /// calls. A foreign type on its own is allowed with [`allow`](Unpickler::allow).
    ///
    /// Python's `Unpickler.find_class` is a function that sees each global a pickle names
    /// and decides then; an allow-list is data, fixed before the load starts, checked before
    /// any constructor runs, and built from types rather than strings, so a renamed type
    /// stays allowed. `allow_tree` builds it from the type the caller expects: everything
    /// a well-formed stream of that type can name, and nothing else.
    ///
    /// ```
    /// #[derive(copyreg::Reducible, Debug, PartialEq)]
    /// struct Line {
    ///     sku: String,
    ///     qty: u32,
    /// }
    ///
    /// #[derive(copyreg::Reducible, Debug, PartialEq)]
    /// struct Order {
    ///     lines: Vec<Line>,
    ///     gift: Option<Box<Line>>,
    /// }
    ///
    /// let order = Order { lines: vec![Line { sku: "A1".into(), qty: 2 }], gift: None };
    /// let bytes = copyreg::dumps(&order)?;
    ///
    /// // `allow::<Order>()` alone would refuse the `Line`s inside.
    /// let only_order = copyreg::Unpickler::new().allow::<Order>();
    /// assert!(matches!(only_order.loads::<Order>(&bytes), Err(copyreg::Error::Forbidden { .. })));
    /// let tree = copyreg::Unpickler::new().allow_tree::<Order>();
    /// assert_eq!(tree.loads::<Order>(&bytes)?, order);
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn allow_tree<T: Reducible>(mut self) -> Self {
        let view = View::current();
        let types = crate::tree::TypeTree::of::<T>();
        let names = types
            .iter()
            .filter_map(|id| view.reducer(*id).ok().flatten())
            .map(|reducer| reducer.name.to_string())
            .collect::<Vec<_>>();
        let allowed = self.allowed();
        allowed.types.extend(types);
        allowed.names.extend(names);
        self
    }

    /// Allows the constructor registered under `name`.
    ///
    /// ```
    /// #[derive(copyreg::Reducible, Debug, PartialEq)]
    /// #[reducer(name = "auth.Token")]
    /// struct Token(u64);
    ///
    /// let bytes = copyreg::dumps(&Token(7))?;
    /// let unpickler = copyreg::Unpickler::new().allow_name("auth.Token");
    /// assert_eq!(unpickler.loads::<Token>(&bytes)?, Token(7));
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn allow_name(mut self, name: &str) -> Self {
        self.allowed().names.insert(name.to_string());
        self
    }

    /// Allows every type that declared it can be loaded as `D` (`#[reducer(dyn(Trait))]`).
    ///
    /// ```
    /// trait Shape: std::any::Any {}
    ///
    /// #[derive(copyreg::Reducible)]
    /// #[reducer(dyn(Shape))]
    /// struct Square(f64);
    /// impl Shape for Square {}
    ///
    /// let bytes = copyreg::dumps(&Square(2.0))?;
    /// let unpickler = copyreg::Unpickler::new().allow_dyn::<dyn Shape>();
    /// assert!(unpickler.loads_dyn::<dyn Shape>(&bytes).is_ok());
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn allow_dyn<D: ?Sized + 'static>(mut self) -> Self {
        self.allowed().traits.push(TypeId::of::<D>());
        self
    }

    /// Adds a constructor for this unpickler only, under `name`, layered over the registry's
    /// (or alone, for an [`isolated`](Unpickler::isolated) unpickler). It is called with the
    /// arguments the stream holds, each read through the registry, as with
    /// [`pickle`](crate::pickle). A stream cannot name an empty `name` (a zero length in its
    /// name table marks a compact code), so a constructor registered under one is never
    /// called.
    ///
    /// ```
    /// #[derive(copyreg::Reducible, Debug, PartialEq)]
    /// #[reducer(name = "geo.Point")]
    /// struct Point {
    ///     x: i32,
    ///     y: i32,
    /// }
    ///
    /// let bytes = copyreg::dumps(&Point { x: 1, y: 2 })?;
    /// // Read old points mirrored, in this unpickler only.
    /// let mirror = copyreg::Unpickler::new().constructor("geo.Point", |x: i32, y: i32| Point { x: -x, y });
    /// assert_eq!(mirror.loads::<Point>(&bytes)?, Point { x: -1, y: 2 });
    /// assert_eq!(copyreg::loads::<Point>(&bytes)?, Point { x: 1, y: 2 });
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn constructor<T, A, M, C>(mut self, name: &str, constructor: C) -> Self
    where
        T: Any,
        A: Tuple,
        M: 'static,
        C: Constructor<A, T, M> + Send + Sync + 'static,
    {
        let (name, ops) = constructor_only(name, constructor);
        Arc::make_mut(self.private.get_or_insert_with(Default::default))
            .add_constructor_only(name, ops);
        self
    }

    /// Resolves the persistent ids a [`Pickler`](crate::Pickler) wrote in place of chosen
    /// objects (Python's `persistent_load`), for instance by fetching database rows.
    ///
    /// ```
    /// use std::any::Any;
    ///
    /// #[derive(copyreg::Reducible, Debug, PartialEq)]
    /// struct User(String);
    ///
    /// #[derive(copyreg::Reducible, Debug, PartialEq)]
    /// struct Post {
    ///     author: User,
    ///     text: String,
    /// }
    ///
    /// let pickler = copyreg::Pickler::new().persistent_id(|obj: &dyn Any| {
    ///     obj.downcast_ref::<User>().map(|u| format!("user:{}", u.0))
    /// });
    /// let bytes = pickler.dumps(&Post { author: User("ana".into()), text: "hi".into() })?;
    ///
    /// let unpickler = copyreg::Unpickler::new().persistent_load(|id: &str| {
    ///     let name = id.strip_prefix("user:").ok_or("unknown id")?;
    ///     Ok(Box::new(User(name.to_uppercase())))
    /// });
    /// let post: Post = unpickler.loads(&bytes)?;
    /// assert_eq!(post.author, User("ANA".into()));
    /// assert!(matches!(copyreg::loads::<Post>(&bytes), Err(copyreg::Error::PersistentId { .. })));
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn persistent_load<F>(mut self, load: F) -> Self
    where
        F: Fn(&str) -> Result<Box<dyn Any>, BoxError> + Send + Sync + 'static,
    {
        self.persistent_load = Some(Arc::new(load));
        self
    }

    /// [`loads`](crate::loads) with this unpickler's settings.
    ///
    /// ```
    /// let bytes = copyreg::dumps(&vec![1u16, 2])?;
    /// assert_eq!(copyreg::Unpickler::new().loads::<Vec<u16>>(&bytes)?, [1, 2]);
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn loads<T: Any>(&self, bytes: &[u8]) -> Result<T, Error> {
        let mut slot = None::<T>;
        match self.loads_at(bytes, &mut slot, (TypeId::of::<T>(), type_name::<T>()))? {
            None => Ok(filled(slot)),
            Some(boxed) => Ok(unbox(boxed)),
        }
    }

    /// [`Unpickler::loads`] of a value of the type `expected` (its `TypeId` and name) into
    /// `place`, an `Option` of it, or into a box: the part of `loads` that is the same for
    /// every type, compiled once.
    #[inline(never)]
    fn loads_at(
        &self,
        bytes: &[u8],
        place: &mut dyn Any,
        expected: (TypeId, &'static str),
    ) -> Result<Option<Box<dyn Any>>, Error> {
        let mut boxed = None;
        self.run(bytes, &mut |cx| {
            boxed = cx.load_object_at(place, expected)?;
            Ok(())
        })?;
        Ok(boxed)
    }

    /// [`loads_any`](crate::loads_any) with this unpickler's settings.
    ///
    /// ```
    /// let bytes = copyreg::dumps(&'x')?;
    /// assert_eq!(copyreg::Unpickler::new().loads_any(&bytes)?.downcast_ref(), Some(&'x'));
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn loads_any(&self, bytes: &[u8]) -> Result<Box<dyn Any>, Error> {
        self.with_loader(bytes, |cx| cx.load_any().map(|loaded| loaded.value))
    }

    /// [`loads_dyn`](crate::loads_dyn) with this unpickler's settings.
    ///
    /// ```
    /// trait Named: std::any::Any {}
    ///
    /// #[derive(copyreg::Reducible)]
    /// #[reducer(dyn(Named))]
    /// struct Tag(String);
    /// impl Named for Tag {}
    ///
    /// let bytes = copyreg::dumps(&Tag("t".into()))?;
    /// assert!(copyreg::Unpickler::new().loads_dyn::<dyn Named>(&bytes).is_ok());
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn loads_dyn<D: ?Sized + 'static>(&self, bytes: &[u8]) -> Result<Box<D>, Error> {
        self.with_loader(bytes, |cx| cx.load_dyn::<D>())
    }

    fn with_loader<R>(
        &self,
        bytes: &[u8],
        load: impl FnOnce(&mut Loader<'_>) -> Result<R, Failure>,
    ) -> Result<R, Error> {
        let mut load = Some(load);
        let mut out = None;
        self.run(bytes, &mut |cx| {
            if let Some(load) = load.take() {
                out = Some(load(cx)?);
            }
            Ok(())
        })?;
        match out {
            Some(value) => Ok(value),
            None => unreachable!("Loader::run runs its load once when it returns Ok"),
        }
    }

    /// Loads `bytes` with `load`, within this unpickler's limits and registrations.
    fn run(
        &self,
        bytes: &[u8],
        load: &mut dyn FnMut(&mut Loader<'_>) -> Result<(), Failure>,
    ) -> Result<(), Error> {
        if bytes.len() > self.limits.max_input {
            return Err(Error::Limit {
                which: LimitKind::InputSize,
                max: self.limits.max_input,
            });
        }
        let view = View::with(self.private.clone(), self.isolated);
        Ok(Loader::run(bytes, &view, self, load)?)
    }

    pub(crate) fn limits(&self) -> Limits {
        self.limits
    }

    /// Whether a stream may name compact `code`, which nothing registers. Only an allow-list
    /// can refuse it, and only then is its name spelled out.
    pub(crate) fn check_allowed_code(&self, code: u32) -> Result<(), Failure> {
        match self.allowed {
            None => Ok(()),
            Some(_) => self.check_allowed(&format!("compact code {code}"), None),
        }
    }

    /// Whether a stream may name `name`, which resolves to `found` (if anything).
    pub(crate) fn check_allowed(
        &self,
        name: &str,
        found: Option<&crate::registry::Constructor>,
    ) -> Result<(), Failure> {
        let Some(allowed) = &self.allowed else {
            return Ok(());
        };
        let ok = match found {
            Some(ctor) if ctor.native => true,
            Some(ctor) => {
                let output = ctor.ops.target_id();
                allowed.names.contains(name)
                    || allowed.types.contains(&output)
                    || allowed
                        .traits
                        .iter()
                        .any(|t| crate::dynamic::declares(*t, output))
            }
            None => allowed.names.contains(name),
        };
        if ok {
            Ok(())
        } else {
            Err(Error::Forbidden {
                name: name.to_string(),
            }
            .into())
        }
    }

    pub(crate) fn resolve(&self, id: &str) -> Result<Box<dyn Any>, Failure> {
        let load = self
            .persistent_load
            .as_ref()
            .ok_or_else(|| Error::PersistentId { id: id.to_string() })?;
        load(id).map_err(|source| {
            Failure::from(Error::Construct {
                constructor: format!("persistent_load({id:?})"),
                source,
            })
        })
    }
}
