//! [`Pickler`]: dumping and copying with a private dispatch table and persistent ids, as
//! Python's `pickle.Pickler` with `dispatch_table` and `persistent_id`.

use std::any::{Any, TypeId};
use std::fmt;
use std::sync::Arc;

use crate::api::pickle::{default_name, runtime_ops};
use crate::codecs::constructor::Constructor;
use crate::codecs::tuple::Tuple;
use crate::engine::copy::copy_top;
use crate::engine::dump::PersistentId;
use crate::engine::dump::{dump_top, new_buffer, written};
use crate::engine::registry::{Held, Table, View};
use crate::wire::error::Error;

/// Dumps and copies with reducers of its own, layered over the registry, and persistent ids.
///
/// [`dumps`](crate::dumps) is `Pickler::new().dumps(..)`. A pickler's registrations apply to
/// its own calls only; the registry never changes because of one (Python's
/// `Pickler.dispatch_table`, or `multiprocessing`'s `ForkingPickler.register`).
///
/// ```
/// #[derive(copyreg::Reducible, Debug, PartialEq)]
/// #[reducer(name = "geo.Point")]
/// struct Point {
///     x: i32,
///     y: i32,
/// }
///
/// // This pickler writes points mirrored; everyone else writes them as they are.
/// let mirror = copyreg::Pickler::new().register(|p: &Point| (-p.x, p.y), |x: i32, y: i32| Point { x, y })?;
/// let bytes = mirror.dumps(&Point { x: 1, y: 2 })?;
/// assert_eq!(copyreg::loads::<Point>(&bytes)?, Point { x: -1, y: 2 });
/// assert_eq!(copyreg::copy(&Point { x: 1, y: 2 })?, Point { x: 1, y: 2 });
/// # Ok::<(), copyreg::Error>(())
/// ```
#[derive(Clone)]
pub struct Pickler {
    private: Option<Arc<Table>>,
    isolated: bool,
    persistent_id: Option<Arc<PersistentId>>,
}

impl fmt::Debug for Pickler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pickler")
            .field("isolated", &self.isolated)
            .field("persistent_id", &self.persistent_id.is_some())
            .finish_non_exhaustive()
    }
}

impl Default for Pickler {
    fn default() -> Self {
        Pickler::new()
    }
}

impl Pickler {
    /// A pickler with the registry's reducers.
    ///
    /// ```
    /// assert_eq!(copyreg::Pickler::new().dumps(&1u8)?, copyreg::dumps(&1u8)?);
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub const fn new() -> Self {
        Pickler {
            private: None,
            isolated: false,
            persistent_id: None,
        }
    }

    /// A pickler that sees none of the registry's reducers: only its own, copyreg's native
    /// types, and the reducers derived types carry themselves (as a Python class's
    /// `__reduce__` still applies under a private `dispatch_table`).
    ///
    /// ```
    /// struct Opaque(u8);
    /// copyreg::pickle(|o: &Opaque| (o.0,), |v: u8| Opaque(v))?;
    ///
    /// assert!(copyreg::dumps(&Opaque(1)).is_ok());
    /// assert!(copyreg::Pickler::isolated().dumps(&Opaque(1)).is_err());
    /// assert!(copyreg::Pickler::isolated().dumps(&7u32).is_ok());
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn isolated() -> Self {
        Pickler {
            isolated: true,
            ..Pickler::default()
        }
    }

    /// Adds a reducer and constructor for this pickler only, as [`pickle`](crate::pickle)
    /// does for everyone: it takes precedence over the registry wherever the type occurs in
    /// this pickler's values.
    ///
    /// ```
    /// struct Secret(String);
    ///
    /// let redacting = copyreg::Pickler::new()
    ///     .register(|_: &Secret| ("***".to_string(),), |s: String| Secret(s))?;
    /// let copy = redacting.copy(&Secret("hunter2".into()))?;
    /// assert_eq!(copy.0, "***");
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Builtin`] for a type copyreg writes natively.
    pub fn register<T, A, M, R, C>(self, reducer: R, constructor: C) -> Result<Self, Error>
    where
        T: Any,
        A: Tuple,
        M: 'static,
        R: Fn(&T) -> A + Send + Sync + 'static,
        C: Constructor<A, T, M> + Send + Sync + 'static,
    {
        self.register_as(default_name::<T>(), reducer, constructor)
    }

    /// [`Pickler::register`] under a chosen constructor name.
    ///
    /// ```
    /// struct Celsius(f64);
    ///
    /// let pickler = copyreg::Pickler::isolated()
    ///     .register_as("thermo.Celsius", |c: &Celsius| (c.0,), |v: f64| Celsius(v))?;
    /// let bytes = pickler.dumps(&Celsius(20.0))?;
    /// let unpickler = copyreg::Unpickler::isolated().constructor("thermo.Celsius", |v: f64| Celsius(v));
    /// assert_eq!(unpickler.loads::<Celsius>(&bytes)?.0, 20.0);
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As for [`Pickler::register`], [`Error::Ambiguous`] when the registry has the name
    /// for another type, and [`Error::InvalidName`] for a name [`pickle_as`](crate::pickle_as)
    /// refuses.
    pub fn register_as<T, A, M, R, C>(
        mut self,
        name: &str,
        reducer: R,
        constructor: C,
    ) -> Result<Self, Error>
    where
        T: Any,
        A: Tuple,
        M: 'static,
        R: Fn(&T) -> A + Send + Sync + 'static,
        C: Constructor<A, T, M> + Send + Sync + 'static,
    {
        crate::engine::registry::refuse_native(TypeId::of::<T>(), std::any::type_name::<T>())?;
        crate::wire::frame::check_name(name)?;
        // As for `pickle_as`: a stream naming another type's constructor would load as that.
        if let Ok(existing) = View::current().constructor(name) {
            if existing.ops.target_id() != TypeId::of::<T>() {
                let mut candidates = vec![existing.ops.target_name(), std::any::type_name::<T>()];
                candidates.sort_unstable();
                return Err(Error::Ambiguous {
                    name: name.to_string(),
                    candidates,
                });
            }
        }
        let name: Arc<str> = name.into();
        let (ops, containers) = runtime_ops(Arc::clone(&name), reducer, constructor);
        Arc::make_mut(self.private.get_or_insert_with(Default::default)).replace_with_containers(
            Held::Shared(name),
            Held::Shared(ops),
            containers,
        );
        Ok(self)
    }

    /// Writes chosen objects as external ids instead (Python's `persistent_id`): `id` is
    /// asked about every object, derived, foreign or behind a trait object, and what it
    /// returns is written in the object's place. An [`Unpickler`](crate::Unpickler) with
    /// `persistent_load` resolves the ids.
    ///
    /// ```
    /// use std::any::Any;
    ///
    /// #[derive(copyreg::Reducible)]
    /// struct Row(u32);
    ///
    /// let by_key = copyreg::Pickler::new()
    ///     .persistent_id(|obj: &dyn Any| obj.downcast_ref::<Row>().map(|r| r.0.to_string()));
    /// let bytes = by_key.dumps(&vec![Row(7), Row(8)])?;
    /// assert!(copyreg::loads::<Vec<Row>>(&bytes).is_err()); // needs persistent_load
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn persistent_id<F>(mut self, id: F) -> Self
    where
        F: Fn(&dyn Any) -> Option<String> + Send + Sync + 'static,
    {
        self.persistent_id = Some(Arc::new(id));
        self
    }

    pub(crate) fn view(&self) -> View {
        View::with(self.private.clone(), self.isolated)
    }

    /// [`dumps`](crate::dumps) with this pickler's reducers and persistent ids.
    ///
    /// ```
    /// let bytes = copyreg::Pickler::new().dumps(&String::from("s"))?;
    /// assert_eq!(copyreg::loads::<String>(&bytes)?, "s");
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    #[inline]
    pub fn dumps<T: Any>(&self, value: &T) -> Result<Vec<u8>, Error> {
        self.dumps_named(value, std::any::type_name::<T>())
    }

    /// [`dumps`](Self::dumps) of a value whose type is named `type_name` in messages:
    /// compiled once, not once per type.
    fn dumps_named(&self, value: &dyn Any, type_name: &'static str) -> Result<Vec<u8>, Error> {
        let mut out = new_buffer();
        self.dumps_into_named(value, type_name, &mut out)?;
        written(&out);
        Ok(out)
    }

    /// [`dumps_into`](crate::dumps_into) with this pickler's reducers and persistent ids.
    ///
    /// ```
    /// let mut out = b"prefix".to_vec();
    /// copyreg::Pickler::new().dumps_into(&5u16, &mut out)?;
    /// assert_eq!(copyreg::loads::<u16>(&out[6..])?, 5);
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    #[inline]
    pub fn dumps_into<T: Any>(&self, value: &T, out: &mut Vec<u8>) -> Result<(), Error> {
        self.dumps_into_named(value, std::any::type_name::<T>(), out)
    }

    fn dumps_into_named(
        &self,
        value: &dyn Any,
        type_name: &'static str,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        let view = self.view();
        let persistent = self.persistent_id.as_deref();
        Ok(dump_top(
            &view,
            persistent,
            value,
            value.type_id(),
            type_name,
            out,
        )?)
    }

    /// [`dumps_dyn`](crate::dumps_dyn) with this pickler's reducers and persistent ids.
    ///
    /// ```
    /// let bytes = copyreg::Pickler::new().dumps_dyn(&3i8)?;
    /// assert_eq!(copyreg::loads::<i8>(&bytes)?, 3);
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn dumps_dyn(&self, value: &dyn Any) -> Result<Vec<u8>, Error> {
        self.dumps_named(value, "the value behind `&dyn Any`")
    }

    /// [`copy`](crate::copy) with this pickler's reducers.
    ///
    /// ```
    /// assert_eq!(copyreg::Pickler::new().copy(&vec![1u8])?, [1]);
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn copy<T: Any>(&self, value: &T) -> Result<T, Error> {
        copy_top(&self.view(), value, false)
    }

    /// [`deepcopy`](crate::deepcopy) with this pickler's reducers.
    ///
    /// ```
    /// assert_eq!(copyreg::Pickler::new().deepcopy(&Some(2u8))?, Some(2));
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn deepcopy<T: Any>(&self, value: &T) -> Result<T, Error> {
        copy_top(&self.view(), value, true)
    }
}
