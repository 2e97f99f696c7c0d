//! Procedural macros of [copyreg](https://docs.rs/copyreg). Depend on `copyreg`, which
//! re-exports them with their documentation.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod ast;
mod attr;
mod codec;
mod constructor;
mod ctxt;
mod dyns;
mod expand;
mod fields;
mod foreign;
mod pair;
mod valid;

use proc_macro::TokenStream;
use syn::parse_macro_input;

/// Implements `copyreg::Reducible` and registers the type at link time, through
/// `inventory`: no call at run time is needed.
///
/// Works on structs (named, tuple, unit) and enums (every variant shape). The default
/// reducer's arguments are the fields in declaration order, and the default constructor is
/// the struct or variant literal; an enum writes its variant index (`u32`) first. Fields may be
/// `Reducible` types (derived types, primitives, `String`, and tuples, arrays, `Vec`,
/// `VecDeque`, `Option`, `Box` and maps of them), `serde` types, or types registered with
/// `register_foreign!` or `pickle`, with no annotation.
///
/// ```
/// use copyreg::Reducible;
///
/// #[derive(Reducible, Debug, PartialEq)]
/// enum Shape {
///     Circle { r: f64 },
///     Square(f64),
///     Empty,
/// }
///
/// #[derive(Reducible, Debug, PartialEq)]
/// struct Drawing {
///     title: String,
///     shapes: Vec<Shape>,
/// }
///
/// let d = Drawing { title: "d".into(), shapes: vec![Shape::Circle { r: 1.0 }, Shape::Empty] };
/// assert_eq!(copyreg::loads::<Drawing>(&copyreg::dumps(&d)?)?, d);
/// # Ok::<(), copyreg::Error>(())
/// ```
///
/// # `#[reducer(...)]`
///
/// | key | meaning |
/// |---|---|
/// | `name = "geo.Point"` | the constructor name streams carry; default: `module_path!()` + `::` + the type's name. Choose one that survives moving code. |
/// | `python = "shop.models.Order"` | the Python global that [`copyreg::python`](https://docs.rs/copyreg) pickles call for the type, and that pickles naming it load through, where the name does not split into it (module, dot, qualified name). Copyreg streams keep the name. |
/// | `code = 17` | a compact code, 1 to 2³¹ − 1, written in the stream instead of the name (Python's `copyreg.add_extension`). Streams written by name before the code was added still load. A code two registrations claim is an `Error::CodeConflict` naming both whenever either is used. Not for generic types. |
/// | `fn = pickle_point` | a custom reducer, `fn(&T) -> (A0, …, An)` with n ≤ 12: Python's reduce returning `args` |
/// | `constructor = Point::new` | called as `Point::new(a0, …, an)`, returning `T` or `Result<T, E>` with `E: Into<Box<dyn Error + Send + Sync>>`. Without `fn`, it takes the fields in order. |
/// | `crate = "path"` | where the `copyreg` facade is, for crates that re-export it |
/// | `dyn(Shape, ...)` | the traits the type can be loaded as: `Box<dyn Shape>`, `Arc<dyn Shape>`, `Rc<dyn Shape>`, `copyreg::loads_dyn::<dyn Shape>`. The trait needs `Any` as a supertrait (`trait Shape: Any`); a field `Box<dyn Shape>` of a trait without it fails to compile with "expected trait `Any`, found trait `Shape`". |
///
/// # `#[reducer(...)]` on a field
///
/// | key | meaning |
/// |---|---|
/// | `skip` | the field is not written; loads (and `copy`, which is a dump and a load) rebuild it with `Default`, or with the function `default = path` names |
/// | `default` | for a field added after streams were written: a stream written before it existed loads with the field's `Default` (or `default = path`). Only the last fields of a struct take it, since an old stream ends before them. |
///
/// A stream's name table records how many fields each derived struct was written with, so a
/// stream whose count a type cannot take (more fields than it has, or fewer than it needs)
/// is refused with `Error::FieldCount` before anything is built. Streams of format 3 and
/// older carry no counts, and read as having every field. Neither key goes with a type's own
/// `fn`/`constructor`, and `default` is for struct fields: enums grow by new variants.
///
/// ```
/// use std::collections::HashMap;
///
/// #[derive(copyreg::Reducible, Debug, PartialEq)]
/// #[reducer(name = "shop.Stock")]
/// struct Stock {
///     sku: String,
///     qty: u32,
///     #[reducer(skip)]
///     lookups: HashMap<String, u32>,
///     #[reducer(default)]
///     note: String,
///     #[reducer(default = first_batch)]
///     batch: u32,
/// }
///
/// fn first_batch() -> u32 {
///     1
/// }
///
/// // The bytes the first version of the program wrote for a `Stock` of `sku: "a"` and `qty: 2`
/// // (before `note` and `batch`): header and length, a reference to the first name, the two
/// // fields, then the name table (the name, then 2 + 1 for its two fields) and its length.
/// let old = b"cprg\x04\x11\x01\x01a\x02\x0ashop.Stock\x03\x0c";
/// let stock = copyreg::loads::<Stock>(old)?;
/// assert_eq!((stock.note.as_str(), stock.batch), ("", 1));
///
/// let today = Stock { lookups: HashMap::from([("x".into(), 1)]), batch: 7, ..stock };
/// let back = copyreg::loads::<Stock>(&copyreg::dumps(&today)?)?;
/// assert!(back.lookups.is_empty());
/// assert_eq!(back.batch, 7);
/// # Ok::<(), copyreg::Error>(())
/// ```
///
/// Generic types derive too, with `T: Reducible` added for each type parameter; register a
/// concrete instance for top-level use with `copyreg::register!`.
///
/// ```
/// #[derive(copyreg::Reducible, Debug, PartialEq)]
/// #[reducer(name = "geo.Point", fn = |p: &Point| (p.x, p.y), constructor = Point::new)]
/// struct Point {
///     x: f64,
///     y: f64,
/// }
///
/// impl Point {
///     fn new(x: f64, y: f64) -> Result<Point, String> {
///         if x.is_finite() && y.is_finite() { Ok(Point { x, y }) } else { Err("not finite".into()) }
///     }
/// }
///
/// let p = Point { x: 1.0, y: 2.0 };
/// assert_eq!(copyreg::copy(&p)?, p);
/// assert!(copyreg::copy(&Point { x: f64::NAN, y: 0.0 }).is_err());
/// # Ok::<(), copyreg::Error>(())
/// ```
#[proc_macro_derive(Reducible, attributes(reducer))]
pub fn derive_reducible(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input).into()
}

/// Declares a free function as a constructor that streams may name, Python's
/// `copyreg.constructor`.
///
/// This is how a newer program reads streams an older one wrote: the function takes the
/// argument tuple that the old reducer wrote and returns today's type (or a `Result` of it).
/// Streams name it by `name = "..."`, by default `module_path!()` + `::` + the function's
/// name. A constructor makes nothing dumpable; it only widens what loads accept, and loads
/// still call only registered constructors. `crate = "path"` works as for the derive.
///
/// ```
/// // Today's type, under a new name.
/// #[derive(copyreg::Reducible, Debug, PartialEq)]
/// #[reducer(name = "thermo.Reading.v2")]
/// struct Reading {
///     kelvin: f64,
/// }
///
/// // Streams from the old program named "thermo.Reading" with the argument (celsius,).
/// #[copyreg::constructor(name = "thermo.Reading")]
/// fn reading_v1(celsius: f64) -> Reading {
///     Reading { kelvin: celsius + 273.15 }
/// }
///
/// // The bytes the old program wrote for a reading of 20 °C: header, a reference to the
/// // first name, the argument, then the name table and its length.
/// let mut old = b"cprg\x01\x01".to_vec();
/// old.extend_from_slice(&20.0f64.to_le_bytes());
/// old.extend_from_slice(b"\x0ethermo.Reading\x0f\x00\x00\x00");
/// assert_eq!(copyreg::loads::<Reading>(&old)?, Reading { kelvin: 293.15 });
/// # Ok::<(), copyreg::Error>(())
/// ```
#[proc_macro_attribute]
pub fn constructor(args: TokenStream, item: TokenStream) -> TokenStream {
    constructor::expand(args.into(), item.into()).into()
}

/// The implementation of `copyreg::register_foreign!`, which passes `$crate` first.
#[doc(hidden)]
#[proc_macro]
pub fn __register_foreign(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as foreign::Foreign);
    foreign::expand(input).into()
}
