//! [`Unpickler`]: loading with per-call limits, an allow-list, private constructors and
//! persistent references, as Python's `pickle.Unpickler` with `find_class` and
//! `persistent_load`.

use std::any::{type_name, Any, TypeId};
use std::fmt;
use std::sync::Arc;

use crate::api::pickle::constructor_only;
use crate::codecs::constructor::Constructor;
use crate::codecs::tuple::Tuple;
use crate::engine::load::Loader;
use crate::engine::ops::{filled, unbox};
use crate::engine::registry::{Table, View};
use crate::engine::rules::Rules;
use crate::wire::error::{BoxError, Error, Failure, LimitKind};
use crate::wire::limits::Limits;

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
    pub(crate) rules: Rules,
    private: Option<Arc<Table>>,
    isolated: bool,
}

impl fmt::Debug for Unpickler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unpickler")
            .field("limits", &self.rules.limits)
            .field("allowed", &self.rules.allowed)
            .field("isolated", &self.isolated)
            .field("persistent_load", &self.rules.persistent_load.is_some())
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
    /// input, 1 GiB for the loaded value, [`MAX_DEPTH`](crate::MAX_DEPTH) objects deep, 2^26 objects, and one
    /// collection element per byte of input.
    ///
    /// ```
    /// let bytes = copyreg::dumps(&7u8)?;
    /// assert_eq!(copyreg::Unpickler::new().loads::<u8>(&bytes)?, 7);
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub const fn new() -> Self {
        Unpickler {
            rules: Rules::DEFAULT,
            private: None,
            isolated: false,
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
        self.rules.limits.max_input = bytes;
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
        self.rules.limits.max_alloc = bytes;
        self
    }

    /// How many objects deep a value may nest. Deeper than [`MAX_DEPTH`](crate::MAX_DEPTH) is allowed: the
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
        self.rules.limits.max_depth = objects;
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
        self.rules.limits.max_objects = objects;
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
        self.rules.limits.max_elements = Some(elements);
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
        self.rules.persistent_load = Some(Arc::new(load));
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
        if bytes.len() > self.rules.limits.max_input {
            return Err(Error::Limit {
                which: LimitKind::InputSize,
                max: self.rules.limits.max_input,
            });
        }
        let view = View::with(self.private.clone(), self.isolated);
        Ok(Loader::run(bytes, &view, &self.rules, load)?)
    }

    pub(crate) fn view(&self) -> View {
        View::with(self.private.clone(), self.isolated)
    }

    pub(crate) fn limits(&self) -> Limits {
        self.rules.limits
    }
}
