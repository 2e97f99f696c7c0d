//! Run-time registration: [`pickle`] and [`pickle_as`], Python's `copyreg.pickle`.

use std::any::{Any, TypeId};
use std::sync::Arc;

use crate::codecs::constructor::Constructor;
use crate::codecs::field::RegistryLeaf;
use crate::codecs::tuple::Tuple;
use crate::engine::copy::Copier;
use crate::engine::dump::Dumper;
use crate::engine::load::Loader;
use crate::engine::ops::{deliver, downcast, Construct, Delivered, Ops, Place, Reduce, Typed};
use crate::engine::registry;
use crate::wire::error::{BoxError, Error, Failure};

/// Registers, while the program runs, how to reduce a `T` and how to rebuild it, as Python's
/// `copyreg.pickle(T, reducer)` does.
///
/// The type and the argument tuple are inferred from the two closures. The registration takes
/// precedence over a link-time one for `T`, the last call for a type wins, and it applies
/// wherever a `T` occurs, nested ones included. Streams name the constructor after `T`'s
/// link-time name if it has one, else after `std::any::type_name::<T>()`, which is only
/// stable within one build: use [`pickle_as`] to choose a stable name.
///
/// The arguments are written through the registry, so each must be a registered type (the
/// primitives, `String`, derived, foreign or run-time registered types, and `Vec`, `Option`
/// and `Box` of them). A stream written under a run-time registration loads in a program that
/// made the same registration. Each registration is kept until the next one for its type
/// replaces it, as an entry of Python's `dispatch_table` is: registering a type again and
/// again under one name takes no more memory than registering it once. (Each name a type
/// was registered under stays loadable, so that streams written under it still load.)
///
/// ```
/// #[derive(Debug, PartialEq)]
/// struct Legacy {
///     v: u8,
/// }
///
/// copyreg::pickle(|l: &Legacy| (l.v,), |v: u8| Legacy { v })?;
///
/// let bytes = copyreg::dumps(&Legacy { v: 7 })?;
/// assert_eq!(copyreg::loads::<Legacy>(&bytes)?, Legacy { v: 7 });
/// assert!(copyreg::dispatch_table().contains::<Legacy>());
/// # Ok::<(), copyreg::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Builtin`] for a type copyreg writes natively (primitives, `String`, the std
/// containers of registered types), and [`Error::Ambiguous`] when the name is already taken
/// by another type.
pub fn pickle<T, A, M, R, C>(reducer: R, constructor: C) -> Result<(), Error>
where
    T: Any,
    A: Tuple,
    M: 'static,
    R: Fn(&T) -> A + Send + Sync + 'static,
    C: Constructor<A, T, M> + Send + Sync + 'static,
{
    register(default_name::<T>(), reducer, constructor)
}

/// [`pickle`], with the constructor name streams carry chosen by the caller.
///
/// ```
/// #[derive(Debug, PartialEq)]
/// struct Celsius(f64);
///
/// copyreg::pickle_as("thermo.Celsius", |c: &Celsius| (c.0,), |v: f64| Celsius(v))?;
/// assert_eq!(copyreg::dispatch_table().get::<Celsius>().map(|e| e.name()), Some("thermo.Celsius"));
/// # Ok::<(), copyreg::Error>(())
/// ```
///
/// # Errors
///
/// As for [`pickle`], and [`Error::InvalidName`] for an empty name, one over 4096 bytes, or
/// one copyreg keeps for its own types: a primitive's, `String`'s or a std container's
/// (`"u32"`, `"Vec"`), or one shaped like the names it builds for generic instances, tuples
/// and arrays (holding one of `<>()[],;`).
pub fn pickle_as<T, A, M, R, C>(name: &str, reducer: R, constructor: C) -> Result<(), Error>
where
    T: Any,
    A: Tuple,
    M: 'static,
    R: Fn(&T) -> A + Send + Sync + 'static,
    C: Constructor<A, T, M> + Send + Sync + 'static,
{
    registry::refuse_native(TypeId::of::<T>(), std::any::type_name::<T>())?;
    crate::wire::frame::check_name(name)?;
    register(name, reducer, constructor)
}

fn register<T, A, M, R, C>(name: &str, reducer: R, constructor: C) -> Result<(), Error>
where
    T: Any,
    A: Tuple,
    M: 'static,
    R: Fn(&T) -> A + Send + Sync + 'static,
    C: Constructor<A, T, M> + Send + Sync + 'static,
{
    let (ops, containers) = runtime_ops(name.into(), reducer, constructor);
    Ok(registry::register_runtime(name, ops, containers)?)
}

/// A registration's ops and those of `Vec`, `Option` and `Box` of its type, kept for the
/// life of the program.
pub(crate) fn runtime_ops<T, A, M, R, C>(
    name: Arc<str>,
    reducer: R,
    constructor: C,
) -> (Arc<dyn Ops>, [&'static dyn Ops; 3])
where
    T: Any,
    A: Tuple,
    M: 'static,
    R: Fn(&T) -> A + Send + Sync + 'static,
    C: Constructor<A, T, M> + Send + Sync + 'static,
{
    let ops = Arc::new(Runtime::<T, A> {
        name,
        reducer: Box::new(reducer),
        constructor: Box::new(move |args| constructor.call(args)),
    });
    (
        ops,
        crate::codecs::containers::codec_containers::<T, RegistryLeaf<T>>(),
    )
}

/// The name `pickle` gives a type: its link-time name if it has one, else its Rust name.
pub(crate) fn default_name<T: Any>() -> &'static str {
    registry::link_time_name(TypeId::of::<T>()).unwrap_or(std::any::type_name::<T>())
}

type ReduceFn<T, A> = Box<dyn Fn(&T) -> A + Send + Sync>;
type ConstructFn<T, A> = Box<dyn Fn(A) -> Result<T, BoxError> + Send + Sync>;

/// A run-time registration's reducer and constructor.
struct Runtime<T, A> {
    name: Arc<str>,
    reducer: ReduceFn<T, A>,
    constructor: ConstructFn<T, A>,
}

impl<T: Any, A: Tuple> Runtime<T, A> {
    fn call(&self, args: A) -> Result<T, Failure> {
        (self.constructor)(args).map_err(|source| {
            Failure::from(Error::Construct {
                constructor: self.name.to_string(),
                source,
            })
        })
    }
}

impl<T: Any, A: Tuple> Typed for Runtime<T, A> {
    fn target_id(&self) -> TypeId {
        TypeId::of::<T>()
    }
    fn target_name(&self) -> &'static str {
        std::any::type_name::<T>()
    }
    fn args(&self) -> crate::engine::shape::Args {
        crate::engine::shape::Args::positions(A::SHAPES)
    }
}

impl<T: Any, A: Tuple> Reduce for Runtime<T, A> {
    fn dump(&self, value: &dyn Any, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        (self.reducer)(downcast::<T>(value)).dump_dynamic(cx)
    }
    fn copy(&self, value: &dyn Any, cx: &mut Copier<'_>, place: Place<'_>) -> Delivered {
        let mut args = (self.reducer)(downcast::<T>(value));
        if cx.is_deep() {
            args = args.copy_dynamic(cx)?;
        }
        deliver(place, self.call(args)?)
    }
}

impl<T: Any, A: Tuple> Construct for Runtime<T, A> {
    fn load(&self, cx: &mut Loader<'_>, place: Place<'_>) -> Delivered {
        deliver(place, self.call(A::load_dynamic(cx)?)?)
    }
}

/// A constructor alone, under `name`, for an unpickler's private table.
pub(crate) fn constructor_only<T, A, M, C>(
    name: &str,
    constructor: C,
) -> (Arc<str>, Arc<dyn Construct>)
where
    T: Any,
    A: Tuple,
    M: 'static,
    C: Constructor<A, T, M> + Send + Sync + 'static,
{
    let name: Arc<str> = name.into();
    let ops = Arc::new(Runtime {
        name: Arc::clone(&name),
        reducer: Box::new(|_: &T| {
            unreachable!("an unpickler's constructor is never asked to reduce")
        }),
        constructor: Box::new(move |args| constructor.call(args)),
    });
    (name, ops)
}
