//! Python's [`copyreg`](https://docs.python.org/3/library/copyreg.html) for Rust: say once how
//! a type reduces to a constructor plus its arguments, even a type from a crate you don't own,
//! and [`dumps`], [`loads`], [`copy`] and [`deepcopy`] use that everywhere the type occurs.
//!
//! ```
//! use copyreg::Reducible;
//!
//! #[derive(Reducible, Debug, PartialEq)]
//! #[reducer(name = "geo.Point", fn = pickle_point, constructor = Point::new)]
//! struct Point {
//!     x: i32,
//!     y: i32,
//! }
//!
//! impl Point {
//!     fn new(x: i32, y: i32) -> Point {
//!         Point { x, y }
//!     }
//! }
//!
//! fn pickle_point(p: &Point) -> (i32, i32) {
//!     (p.x, p.y)
//! }
//!
//! let pt = Point::new(3, 4);
//! let bytes = copyreg::dumps(&pt)?;
//! assert_eq!(copyreg::loads::<Point>(&bytes)?.x, 3);
//! assert_eq!(copyreg::copy(&pt)?, pt);
//! assert!(copyreg::dispatch_table().contains::<Point>());
//! # Ok::<(), copyreg::Error>(())
//! ```
//!
//! # How it maps to Python
//!
//! | Python | copyreg for Rust |
//! |---|---|
//! | `copyreg.pickle(Point, reduce)` for your own class | `#[derive(Reducible)]`, with `#[reducer(fn = ..., constructor = ...)]` to choose |
//! | `copyreg.pickle(Url, reduce)` for another library's class | [`register_foreign!`] at item level, or [`pickle`] at run time |
//! | `copyreg.constructor(f)` | [`#[copyreg::constructor]`](macro@constructor) on a free function |
//! | `copyreg.dispatch_table` | [`dispatch_table()`] |
//! | `pickle.dumps` / `pickle.loads` | [`dumps`] / [`loads`], [`loads_any`] |
//! | `pickle.dump(obj, f)` / `pickle.load(f)` until `EOFError` | [`dump`] / [`load`] until [`Error::Eof`] |
//! | objects sent through `multiprocessing`, Dask, Ray | [`serde::Pickled`] through any serde transport |
//! | `copy.copy` / `copy.deepcopy` | [`copy`] / [`deepcopy`] |
//! | `pickletools.dis` | [`dis`] |
//! | a list of mixed objects | `Vec<Box<dyn Trait>>` with `#[reducer(dyn(Trait))]`; [`loads_dyn`] |
//! | `pickle.Pickler` with `dispatch_table`, `persistent_id` | [`Pickler`] |
//! | `pickle.Unpickler` with `find_class`, `persistent_load` | [`Unpickler`]: allow-lists, limits, `persistent_load` |
//!
//! Object graphs keep their shape: `Arc`/`Rc` shared within a value load shared, `Weak`
//! parent links are restored, and [`deepcopy`] mirrors the original's sharing. Generic types
//! derive too; [`register!`] registers a concrete instance for top-level use.
//!
//! Unlike `pickle.loads`, [`loads`] only ever calls constructors registered in this program,
//! so a stream cannot make the program run anything else; bad bytes are errors, never
//! panics or aborts, and a load's time and memory are bounded by its input and its limits
//! (by default one collection element per input byte, 1 GiB of memory). An [`Unpickler`]
//! adds allow-lists and per-call limits for untrusted input.
//!
//! # Examples
//!
//! Each is a program in the repository's `examples/`, run with `cargo run --example NAME`:
//!
//! | example | what it shows |
//! |---|---|
//! | `worker` (`examples/worker.rs`) | a `Config` passed to worker processes, as Python's `multiprocessing` does with pickle |
//! | `point` (`examples/point.rs`) | a reducer and constructor for `Point`, and a round trip |
//! | `color` (`examples/color.rs`) | [`copy`] through a type's reducer and constructor |
//! | `token` (`examples/token.rs`) | what [`dispatch_table()`] lists |
//! | `foreign` (`examples/foreign.rs`) | [`register_foreign!`] on a third-party type with no serde support |
//! | `graph` (`examples/graph.rs`) | a tree with parent links and shared styles, dumped, loaded and deep-copied with its shape |
//! | `dis` (`examples/dis.rs`; `cargo run --example dis -- FILE`) | [`dis`]: a stream file listed byte by byte, as `pickletools.dis` lists a pickle |
//! | `python_interop` (`examples/python_interop.rs`, with `examples/python/`; needs `python3`) | [`python`]: orders pickled by Python loaded into Rust types, and invoices pickled back for Python |
//! | `copyreg-cluster` (`examples/cluster/`, `cargo run -p copyreg-cluster`; the README has the two-process command) | objects on a timely dataflow cluster, as Python sends pickles to Dask or Ray |
//!
//! # Registration happens at link time
//!
//! The derive and [`register_foreign!`] submit their registrations through
//! [`inventory`](https://docs.rs/inventory): no call at run time is needed. If they live in a
//! crate that the final binary never references, the linker drops that crate, and its
//! registrations with it, silently. Reference such a crate with `use that_crate as _;`. Under
//! Miri, which runs no link-time constructors, the registry is empty.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub use copyreg_core::{
    assert_registry_ok, copy, deepcopy, dis, dispatch_table, dump, dumps, dumps_dyn, dumps_into,
    load, load_any, load_dyn, loads, loads_any, loads_dyn, pickle, pickle_as, BoxError,
    Constructor, DispatchTable, Entry, Error, LimitKind, Pickler, Reducible, Tuple, Unpickler,
    MAX_DEPTH,
};
pub use copyreg_derive::{constructor, Reducible};

#[doc(hidden)]
pub use copyreg_core::__private;

pub use copyreg_core::python;
pub use copyreg_core::serde;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

#[doc(hidden)]
pub mod __derive {
    pub use copyreg_derive::__register_foreign;
}

/// Attaches a reducer and a constructor to a type of another crate, which the orphan rule
/// keeps you from deriving or implementing traits for. Python's `copyreg.pickle` for a class
/// you don't own.
///
/// ```text
/// copyreg::register_foreign!(path::Type, reduce = EXPR, construct = EXPR);
/// copyreg::register_foreign!(path::Type, reduce = EXPR, construct = EXPR, name = "vendor.Type");
/// copyreg::register_foreign!(path::Type, reduce = EXPR, construct = EXPR, code = 17);
/// copyreg::register_foreign!(path::Type, reduce = EXPR, construct = EXPR, dyn(Trait));
/// ```
///
/// Use it at item level, in any module; the keys come in any order after the type, and a
/// trailing comma is fine. `reduce` is a function or non-capturing closure from `&Type` to a
/// tuple of up to 12 arguments; `construct` is called with those arguments and returns `Type`
/// or `Result<Type, E>`. Both are evaluated anew for every value, so both must be functions
/// or closures that capture nothing, with no side effects: a capturing closure, or a block
/// that prints, does not compile. Each argument may be a `serde` type, a [`Reducible`] type
/// or another registered foreign type. The default name is the type's path as written; give a
/// `name` that stays stable when code moves. `code = N` writes a compact code instead of the
/// name, as `#[reducer(code = N)]` does. `python = "module.Name"` is the Python global
/// [`python`] pickles call for the type, as `#[reducer(python = ...)]` says. `dyn(Trait, ...)` declares traits the type can
/// be loaded as, as for the derive. Once registered, the type works wherever it occurs: at
/// top level, in derived structs and in any std container of them.
///
/// ```
/// use std::net::{Ipv4Addr, SocketAddrV4};
///
/// copyreg::register_foreign!(
///     SocketAddrV4,
///     reduce = |a: &SocketAddrV4| (a.ip().octets(), a.port()),
///     construct = |ip: [u8; 4], port: u16| SocketAddrV4::new(Ipv4Addr::from(ip), port),
///     name = "net.SocketAddrV4",
///     code = 40,
/// );
///
/// #[derive(copyreg::Reducible, Debug, PartialEq)]
/// struct Peers {
///     primary: SocketAddrV4,
///     backups: Vec<SocketAddrV4>,
/// }
///
/// let peers = Peers {
///     primary: "10.0.0.1:80".parse().unwrap(),
///     backups: vec!["10.0.0.2:8080".parse().unwrap()],
/// };
/// assert_eq!(copyreg::loads::<Peers>(&copyreg::dumps(&peers)?)?, peers);
/// assert_eq!(copyreg::copy(&peers)?, peers);
/// let entry = copyreg::dispatch_table().get::<SocketAddrV4>().unwrap();
/// assert_eq!((entry.name(), entry.code()), ("net.SocketAddrV4", Some(40)));
/// # Ok::<(), copyreg::Error>(())
/// ```
#[macro_export]
macro_rules! register_foreign {
    ($($input:tt)*) => {
        $crate::__derive::__register_foreign! { $crate; $($input)* }
    };
}

/// Registers a concrete type built from reducible types, for use at top level: an instance
/// of a generic derived type (`Wrapper<Point>`), or a std composite such as
/// `Rc<RefCell<Node>>` or `Vec<Arc<Config>>`.
///
/// Inside other values such types need no registration. At top level, [`dumps`] and
/// [`loads_any`] find a type by its registration, and a generic type cannot register itself
/// (statics cannot be generic), so each concrete instance is registered by name here. It is
/// registered under its wire name, built from its parts' names: `Vec<geo.Point>`,
/// `Wrapper<u8>`, `Rc<RefCell<graph.Node>>`, `(u8, String)`.
///
/// ```
/// use std::sync::Arc;
///
/// #[derive(copyreg::Reducible, Debug, PartialEq)]
/// struct Labeled<T> {
///     label: String,
///     value: T,
/// }
///
/// copyreg::register!(Labeled<u32>);
/// copyreg::register!(Vec<Arc<Labeled<u32>>>);
///
/// let shared = Arc::new(Labeled { label: "n".into(), value: 7u32 });
/// let bytes = copyreg::dumps(&vec![shared.clone(), shared])?;
/// let back = copyreg::loads::<Vec<Arc<Labeled<u32>>>>(&bytes)?;
/// assert!(Arc::ptr_eq(&back[0], &back[1]));
/// assert_eq!(
///     copyreg::dispatch_table().get::<Labeled<u32>>().map(|e| e.name()),
///     Some("rust_out::Labeled<u32>")
/// );
/// # Ok::<(), copyreg::Error>(())
/// ```
#[macro_export]
macro_rules! register {
    ($ty:ty $(,)?) => {
        $crate::__private::inventory::submit! {
            $crate::__private::registration_of::<$ty>()
        }
    };
}
