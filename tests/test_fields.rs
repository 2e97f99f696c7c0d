//! Field-level control: `#[reducer(skip)]` fields are not written and come back from their
//! defaults; `#[reducer(default)]` fields, added after streams were written, load from those
//! streams with their defaults; a stream whose field count a type cannot take is refused
//! before anything is built.

use std::cell::RefCell;
use std::collections::HashMap;

use copyreg::{Error, Reducible};

/// `bytes` with the constructor name `from` in its name table (alone, or inside a
/// container's name) swapped for `to`, a name of the same length: a stream as a program whose type had that name wrote it. (Two types
/// cannot share a name in one program.)
fn renamed(mut bytes: Vec<u8>, from: &str, to: &str) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let mut found = false;
    while let Some(at) = bytes.windows(from.len()).position(|w| w == from.as_bytes()) {
        bytes[at..at + to.len()].copy_from_slice(to.as_bytes());
        found = true;
    }
    assert!(found, "the stream names {from}");
    bytes
}

// ---- skip -----------------------------------------------------------------------------------

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "fields.Cached")]
struct Cached {
    key: String,
    #[reducer(skip)]
    memo: RefCell<HashMap<String, u64>>,
    #[reducer(skip, default = fresh_generation)]
    generation: u32,
    hits: u64,
}

fn fresh_generation() -> u32 {
    7
}

/// `Cached` as it is written: without the skipped fields.
#[derive(Reducible)]
#[reducer(name = "fields.Cache_")]
struct CachedOnDisk {
    key: String,
    hits: u64,
}

fn cached() -> Cached {
    Cached {
        key: "k".into(),
        memo: RefCell::new(HashMap::from([("a".into(), 1)])),
        generation: 99,
        hits: 3,
    }
}

#[test]
fn a_skipped_field_is_not_written_and_comes_back_from_its_default() {
    let bytes = copyreg::dumps(&cached()).unwrap();
    let back = copyreg::loads::<Cached>(&bytes).unwrap();
    assert_eq!((back.key.as_str(), back.hits), ("k", 3));
    assert!(back.memo.borrow().is_empty(), "rebuilt with Default");
    assert_eq!(back.generation, 7, "rebuilt with its `default = path`");
    // A copy is what loading a dump gives: the skipped fields start afresh there too.
    assert_eq!(copyreg::copy(&cached()).unwrap(), back);
    assert_eq!(copyreg::deepcopy(&cached()).unwrap(), back);
    // The stream is that of the struct without them, byte for byte.
    let on_disk = copyreg::dumps(&CachedOnDisk {
        key: "k".into(),
        hits: 3,
    })
    .unwrap();
    assert_eq!(bytes, renamed(on_disk, "fields.Cache_", "fields.Cached"));
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "fields.Shape")]
enum Shape {
    Circle {
        r: f64,
        #[reducer(skip)]
        area_cache: Option<f64>,
    },
    Dot,
}

#[test]
fn an_enum_variant_can_skip_a_field() {
    let circle = Shape::Circle {
        r: 2.0,
        area_cache: Some(12.5),
    };
    let back = copyreg::loads::<Shape>(&copyreg::dumps(&circle).unwrap()).unwrap();
    assert_eq!(
        back,
        Shape::Circle {
            r: 2.0,
            area_cache: None
        }
    );
    assert_eq!(copyreg::copy(&Shape::Dot).unwrap(), Shape::Dot);
}

// ---- default: fields added after streams were written -----------------------------------------

/// Today's stock line: `note` and `batch` were added in later versions.
#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "fields.Stock")]
struct Stock {
    sku: String,
    qty: u32,
    #[reducer(default)]
    note: String,
    #[reducer(default = first_batch)]
    batch: u32,
}

fn first_batch() -> u32 {
    1
}

/// The first version: no note, no batch.
#[derive(Reducible)]
#[reducer(name = "fields.Stoc1")]
struct StockV1 {
    sku: String,
    qty: u32,
}

/// The second: a note, no batch.
#[derive(Reducible)]
#[reducer(name = "fields.Stoc2")]
struct StockV2 {
    sku: String,
    qty: u32,
    note: String,
}

/// A version from the future, with a field this program does not know.
#[derive(Reducible)]
#[reducer(name = "fields.Stoc9")]
struct StockV9 {
    sku: String,
    qty: u32,
    note: String,
    batch: u32,
    bin: u8,
}

/// Older than any: before `qty`, which has no default.
#[derive(Reducible)]
#[reducer(name = "fields.Stoc0")]
struct StockV0 {
    sku: String,
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "fields.Shelf")]
struct Shelf {
    lines: Vec<Stock>,
    top: Option<Box<Stock>>,
}

#[derive(Reducible)]
#[reducer(name = "fields.Shel1")]
struct ShelfV1 {
    lines: Vec<StockV1>,
    top: Option<Box<StockV1>>,
}

fn v1(sku: &str, qty: u32) -> StockV1 {
    StockV1 {
        sku: sku.into(),
        qty,
    }
}

fn stock(sku: &str, qty: u32, note: &str, batch: u32) -> Stock {
    Stock {
        sku: sku.into(),
        qty,
        note: note.into(),
        batch,
    }
}

#[test]
fn a_stream_written_before_a_field_existed_loads_with_its_default() {
    let old = renamed(
        copyreg::dumps(&v1("a", 2)).unwrap(),
        "fields.Stoc1",
        "fields.Stock",
    );
    assert_eq!(copyreg::loads::<Stock>(&old).unwrap(), stock("a", 2, "", 1));
    let v2 = StockV2 {
        sku: "b".into(),
        qty: 3,
        note: "fragile".into(),
    };
    let old = renamed(copyreg::dumps(&v2).unwrap(), "fields.Stoc2", "fields.Stock");
    assert_eq!(
        copyreg::loads::<Stock>(&old).unwrap(),
        stock("b", 3, "fragile", 1)
    );
    // Today's streams round-trip whole.
    let today = stock("c", 4, "n", 9);
    assert_eq!(
        copyreg::loads::<Stock>(&copyreg::dumps(&today).unwrap()).unwrap(),
        today
    );
}

#[test]
fn old_objects_inside_runs_and_containers_load_with_defaults_too() {
    let old = ShelfV1 {
        lines: vec![v1("a", 1), v1("b", 2)],
        top: Some(Box::new(v1("t", 9))),
    };
    let bytes = renamed(
        copyreg::dumps(&old).unwrap(),
        "fields.Stoc1",
        "fields.Stock",
    );
    let bytes = renamed(bytes, "fields.Shel1", "fields.Shelf");
    let shelf = copyreg::loads::<Shelf>(&bytes).unwrap();
    assert_eq!(
        shelf,
        Shelf {
            lines: vec![stock("a", 1, "", 1), stock("b", 2, "", 1)],
            top: Some(Box::new(stock("t", 9, "", 1))),
        }
    );
    let vec = renamed(
        copyreg::dumps(&vec![v1("x", 5)]).unwrap(),
        "fields.Stoc1",
        "fields.Stock",
    );
    assert_eq!(
        copyreg::loads::<Vec<Stock>>(&vec).unwrap(),
        [stock("x", 5, "", 1)]
    );
}

#[test]
fn a_field_count_the_type_cannot_take_is_refused_before_anything_is_built() {
    let newer = StockV9 {
        sku: "a".into(),
        qty: 1,
        note: String::new(),
        batch: 2,
        bin: 3,
    };
    let bytes = renamed(
        copyreg::dumps(&newer).unwrap(),
        "fields.Stoc9",
        "fields.Stock",
    );
    let err = copyreg::loads::<Stock>(&bytes).unwrap_err();
    assert!(
        matches!(
            err,
            Error::FieldCount {
                written: 5,
                required: 2,
                takes: 4,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "the stream's `fields.Stock` objects were written with 5 fields, and `{}` has 4: \
             the stream comes from a newer version of the type; load it with that version, or \
             read it through a `#[copyreg::constructor(name = \"fields.Stock\")]` function",
            std::any::type_name::<Stock>()
        )
    );

    let older = renamed(
        copyreg::dumps(&StockV0 { sku: "a".into() }).unwrap(),
        "fields.Stoc0",
        "fields.Stock",
    );
    let err = copyreg::loads::<Stock>(&older).unwrap_err();
    assert!(
        matches!(
            err,
            Error::FieldCount {
                written: 1,
                required: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("needs 2: give the fields after the first 1 `#[reducer(default)]`"),
        "{err}"
    );
    // Wherever the object sits.
    let in_vec = renamed(
        copyreg::dumps(&vec![StockV0 { sku: "a".into() }]).unwrap(),
        "fields.Stoc0",
        "fields.Stock",
    );
    assert!(matches!(
        copyreg::loads_any(&in_vec),
        Err(Error::FieldCount { .. })
    ));
}

/// A generic type with a defaulted field: its name is built at run time.
#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "fields.Page")]
struct Page<T> {
    items: Vec<T>,
    #[reducer(default)]
    next: Option<u32>,
}

#[derive(Reducible)]
#[reducer(name = "fields.Pag1")]
struct PageV1<T> {
    items: Vec<T>,
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "fields.Book")]
struct Book {
    page: Page<u8>,
}

#[derive(Reducible)]
#[reducer(name = "fields.Boo1")]
struct BookV1 {
    page: PageV1<u8>,
}

#[test]
fn a_generic_type_gains_fields_the_same_way() {
    let old = BookV1 {
        page: PageV1 { items: vec![1, 2] },
    };
    let bytes = copyreg::dumps(&old).unwrap();
    let bytes = renamed(bytes, "fields.Pag1", "fields.Page");
    let bytes = renamed(bytes, "fields.Boo1", "fields.Book");
    assert_eq!(
        copyreg::loads::<Book>(&bytes).unwrap(),
        Book {
            page: Page {
                items: vec![1, 2],
                next: None
            }
        }
    );
}
