//! Bad input gives a clear error, never a panic; every error names what went wrong.

mod common;

use std::collections::BTreeMap;

use copyreg::{Error, LimitKind, Reducible};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Extra {
    notes: Vec<String>,
    score: Option<u32>,
}

#[derive(Reducible, Debug, PartialEq)]
enum Kind {
    A,
    B(String),
    C { weights: Vec<f32> },
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "test.Rich")]
struct Rich {
    id: u64,
    name: String,
    kinds: Vec<Kind>,
    by_key: BTreeMap<String, Option<Kind>>,
    extra: Extra,
    flag: bool,
    ch: char,
}

fn rich() -> Rich {
    Rich {
        id: 42,
        name: "rich ✓".into(),
        kinds: vec![
            Kind::A,
            Kind::B("b".into()),
            Kind::C {
                weights: vec![1.0, 2.5],
            },
        ],
        by_key: BTreeMap::from([("k".into(), Some(Kind::A)), ("n".into(), None)]),
        extra: Extra {
            notes: vec!["x".into()],
            score: Some(9),
        },
        flag: true,
        ch: '€',
    }
}

#[test]
fn every_truncation_is_an_error() {
    let bytes = copyreg::dumps(&rich()).unwrap();
    for len in 0..bytes.len() {
        // Cut short, the name table's length is read from what is now the end: a malformed
        // table, or names nobody registered.
        assert!(
            copyreg::loads::<Rich>(&bytes[..len]).is_err(),
            "truncated to {len}"
        );
        assert!(copyreg::loads_any(&bytes[..len]).is_err());
    }
}

#[test]
fn every_single_bit_flip_is_an_error_or_a_value_never_a_panic() {
    let bytes = copyreg::dumps(&rich()).unwrap();
    let mut errors = 0;
    for i in 0..bytes.len() * 8 {
        let mut flipped = bytes.clone();
        flipped[i / 8] ^= 1 << (i % 8);
        if copyreg::loads::<Rich>(&flipped).is_err() {
            errors += 1;
        }
        let _ = copyreg::loads_any(&flipped);
    }
    // Most flips hit a tag, a length, a name or UTF-8; float and integer bits load as values.
    assert!(
        errors > bytes.len(),
        "{errors} errors out of {} flips",
        bytes.len() * 8
    );
}

#[test]
fn random_bytes_are_errors() {
    let mut next = common::rng(0x2545_f491_4f6c_dd1d);
    for round in 0..2000 {
        let len = (next() % 200) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        if round % 4 == 0 && bytes.len() >= 5 {
            // A quarter with a valid version 1 header, to get past the first check...
            bytes[..5].copy_from_slice(b"cprg\x01");
        } else if round % 4 != 3 && bytes.len() >= 5 {
            // ...and half with a valid version 2 or 3 header and length, to get past both.
            let rest = bytes.split_off(5);
            bytes = format!("cprg{}", char::from(round as u8 % 4 + 1)).into_bytes();
            bytes.extend(common::varint(rest.len() as u64));
            bytes.extend(rest);
        }
        assert!(copyreg::loads::<Rich>(&bytes).is_err());
        let _ = copyreg::loads_any(&bytes);
    }
}

#[test]
fn another_programs_bytes_fail_fast_with_a_clear_error() {
    // Python's pickle.dumps({"a": 1}, protocol=5)
    let python = b"\x80\x05\x95\x0b\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01a\x94K\x01s.";
    let err = copyreg::loads_any(python).unwrap_err();
    assert!(matches!(err, Error::NotAStream { .. }));
    assert!(err.to_string().contains("Python pickle"), "{err}");

    let json = br#"{"id": 42}"#;
    assert!(matches!(
        copyreg::loads::<Rich>(json),
        Err(Error::NotAStream { .. })
    ));
    let raw_bincode = bincode::serialize(&(42u64, "rich")).unwrap();
    assert!(matches!(
        copyreg::loads_any(&raw_bincode),
        Err(Error::NotAStream { .. })
    ));
    assert!(matches!(
        copyreg::loads_any(b""),
        Err(Error::NotAStream { .. })
    ));

    let mut future = copyreg::dumps(&1u8).unwrap();
    future[4] = 99;
    let err = copyreg::loads::<u8>(&future).unwrap_err();
    assert!(matches!(err, Error::UnsupportedVersion { found: 99 }));
}

#[test]
fn a_huge_claimed_length_is_refused_without_allocating_it() {
    let bytes = copyreg::dumps(&vec![1u8, 2, 3]).unwrap();
    let mut body = common::body(&bytes).to_vec();
    body.splice(1..2, common::varint(1 << 60)); // the length, after the constructor reference
    let err = copyreg::loads::<Vec<u8>>(&common::with_body(&bytes, &body)).unwrap_err();
    assert!(matches!(err, Error::Malformed { .. }), "{err:?}");
    assert!(err.to_string().contains("length"), "{err}");

    // Inside a serde field too: `notes` is one string, "x", and `score` is `Some(9)`.
    let bytes = copyreg::dumps(&rich()).unwrap();
    let mut body = common::body(&bytes).to_vec();
    let extra = [1, 1, b'x', 1, 9];
    let at = body.windows(extra.len()).position(|w| w == extra).unwrap();
    body.splice(at..at + 1, common::varint(u64::MAX));
    let err = copyreg::loads::<Rich>(&common::with_body(&bytes, &body)).unwrap_err();
    // The claim is never believed: elements are read until the bytes run out, each
    // counted and charged as it arrives.
    match &err {
        Error::Malformed { reason, .. } => assert!(reason.contains("Extra"), "{err}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn trailing_bytes_are_an_error() {
    let bytes = copyreg::dumps(&rich()).unwrap();
    let mut body = common::body(&bytes).to_vec();
    body.push(0);
    let err = copyreg::loads::<Rich>(&common::with_body(&bytes, &body)).unwrap_err();
    assert!(
        err.to_string().contains("1 bytes left after the value"),
        "{err}"
    );
}

#[test]
fn type_mismatch_names_both_types() {
    let bytes = copyreg::dumps(&rich()).unwrap();
    let err = copyreg::loads::<Kind>(&bytes).unwrap_err();
    match &err {
        Error::TypeMismatch {
            expected,
            found,
            constructor,
        } => {
            assert!(expected.ends_with("Kind"));
            assert!(found.ends_with("Rich"));
            assert_eq!(constructor, "test.Rich");
        }
        other => panic!("{other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("Kind") && text.contains("Rich"), "{text}");
}

#[test]
fn an_unknown_constructor_is_refused_and_nothing_else_is_called() {
    let mut bytes = copyreg::dumps(&rich()).unwrap();
    let at = bytes.windows(9).position(|w| w == b"test.Rich").unwrap();
    bytes[at + 5] = b'P'; // "test.Pich"
    let err = copyreg::loads_any(&bytes).unwrap_err();
    assert!(matches!(&err, Error::UnknownConstructor { name } if name == "test.Pich"));
    assert_eq!(
        err.to_string(),
        "the stream names the constructor `test.Pich`, which this program never registered; \
         if a library crate registers it, make sure the binary references that crate \
         (`use that_crate as _;`), or the linker drops its registrations; else register a type \
         under that name or declare a `#[copyreg::constructor(name = \"test.Pich\")]` function"
    );
}

#[test]
fn not_registered_says_how_to_register_and_mentions_the_linker() {
    struct Nowhere;
    let err = copyreg::dumps(&Nowhere).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("Nowhere"));
    assert!(text.contains("derive `copyreg::Reducible`"));
    assert!(text.contains("register_foreign!"));
    assert!(text.contains("linker"));
    assert!(matches!(
        copyreg::copy(&Nowhere),
        Err(Error::NotRegistered { .. })
    ));
    assert!(copyreg::dumps_dyn(&Nowhere).is_err());
}

/// A type of "another crate" that nobody registered.
mod ids {
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct Uuid(pub u128);
}

#[derive(Reducible, Debug, Clone)]
struct Line {
    qty: u32,
    sku: ids::Uuid,
}

#[derive(Reducible, Debug, Clone)]
struct Order {
    id: u32,
    lines: Vec<Line>,
    by_code: BTreeMap<String, Option<Box<Line>>>,
}

#[derive(Reducible, Debug, Clone)]
enum Event {
    Placed(Order),
}

/// Recursive, and with the unregistered type behind a shared pointer.
#[derive(Reducible)]
struct Family {
    children: Vec<Family>,
    owner: Option<std::sync::Arc<ids::Uuid>>,
}

#[test]
fn not_registered_says_where_such_values_sit() {
    let line = Line {
        qty: 1,
        sku: ids::Uuid(7),
    };
    let order = |lines, by_code| Order {
        id: 1,
        lines,
        by_code,
    };
    let in_map = BTreeMap::from([("a".to_string(), Some(Box::new(line.clone())))]);
    // Every field whose type can hold one, in declaration order: the fix, registering the
    // type, is the same for each.
    let in_order = "Order.lines[].sku, Order.by_code[].sku";
    let cases: [(Result<(), Error>, &str); 9] = [
        (copyreg::dumps(&line).map(drop), "Line.sku"),
        (copyreg::copy(&line).map(drop), "Line.sku"),
        (
            copyreg::dumps(&order(vec![line.clone()], BTreeMap::new())).map(drop),
            in_order,
        ),
        (
            copyreg::deepcopy(&order(vec![line.clone()], BTreeMap::new())).map(drop),
            in_order,
        ),
        (
            copyreg::dumps(&order(vec![], in_map.clone())).map(drop),
            in_order,
        ),
        (
            copyreg::dumps(&vec![order(vec![line.clone()], BTreeMap::new())]).map(drop),
            in_order,
        ),
        (
            copyreg::dumps(&Event::Placed(order(vec![], in_map.clone()))).map(drop),
            "Event::Placed.0.lines[].sku, Event::Placed.0.by_code[].sku",
        ),
        (
            copyreg::copy(&Event::Placed(order(vec![line.clone()], in_map))).map(drop),
            "Event::Placed.0.lines[].sku, Event::Placed.0.by_code[].sku",
        ),
        (
            copyreg::dumps(&Family {
                children: vec![Family {
                    children: vec![],
                    owner: Some(std::sync::Arc::new(ids::Uuid(1))),
                }],
                owner: None,
            })
            .map(drop),
            // Inside itself, a recursive type's fields are the ones already listed.
            "Family.owner",
        ),
    ];
    for (result, expected) in cases {
        let err = result.unwrap_err();
        match &err {
            Error::NotRegistered { type_name, path } => {
                assert_eq!(*type_name, std::any::type_name::<ids::Uuid>());
                assert_eq!(path, expected);
            }
            other => panic!("{other:?}"),
        }
        assert!(
            err.to_string().starts_with(&format!(
                "{expected}: no reducer is registered for `{}`; derive",
                std::any::type_name::<ids::Uuid>()
            )),
            "{err}"
        );
    }
    // The value passed in itself has no path.
    match copyreg::dumps(&ids::Uuid(1)) {
        Err(Error::NotRegistered { path, .. }) => assert_eq!(path, ""),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_unregistered_generic_instance_is_told_to_name_it_with_register() {
    let map: BTreeMap<String, Kind> = [("a".to_string(), Kind::A)].into();
    let err = copyreg::dumps(&map).unwrap_err();
    assert!(matches!(err, Error::NotRegistered { .. }));
    let text = err.to_string();
    assert!(
        text.contains("`copyreg::register!(BTreeMap<String, Kind>);`"),
        "{text}"
    );
    // A derived struct around it needs nothing more.
    #[derive(Reducible, Debug, PartialEq)]
    struct Wrapped(BTreeMap<String, Kind>);
    let bytes = copyreg::dumps(&Wrapped(map)).unwrap();
    assert_eq!(copyreg::loads::<Wrapped>(&bytes).unwrap().0["a"], Kind::A);
}

mod clash_a {
    #[derive(copyreg::Reducible, Debug)]
    #[reducer(name = "test.Clash")]
    pub struct Clash(pub u8);
}

mod clash_b {
    #[derive(copyreg::Reducible, Debug)]
    #[reducer(name = "test.Clash")]
    pub struct Clash(pub String);
}

#[test]
fn two_types_under_one_name_are_reported_never_guessed() {
    let err = copyreg::dumps(&clash_a::Clash(1)).unwrap_err();
    match &err {
        Error::Ambiguous { name, candidates } => {
            assert_eq!(name, "test.Clash");
            assert_eq!(candidates.len(), 2);
            assert!(candidates.windows(2).all(|w| w[0] <= w[1]), "sorted");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("unique `name"), "{err}");
    assert!(copyreg::dumps(&clash_b::Clash("x".into())).is_err());
    assert!(copyreg::dispatch_table().by_name("test.Clash").is_none());
}

#[test]
fn conflicts_are_listed_up_front_and_fail_the_registry_check() {
    let conflicts = copyreg::dispatch_table().conflicts();
    assert!(
        matches!(
            &conflicts[..],
            [Error::Ambiguous { name, candidates }] if name == "test.Clash" && candidates.len() == 2
        ),
        "{conflicts:?}"
    );
    let panic = std::panic::catch_unwind(copyreg::assert_registry_ok).unwrap_err();
    let message = panic.downcast_ref::<String>().expect("a formatted message");
    assert!(
        message.starts_with("copyreg: 1 conflicting registration:\n  - `test.Clash` is registered"),
        "{message}"
    );
}

#[test]
fn the_first_use_of_the_registry_reports_its_conflicts_on_stderr() {
    const TEST: &str = "the_first_use_of_the_registry_reports_its_conflicts_on_stderr";
    if std::env::var_os("COPYREG_FIRST_USE").is_some() {
        // A fresh process whose first call is a copy of a type that is not in conflict.
        let _ = copyreg::copy(&vec![1u8]);
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
        .env("COPYREG_FIRST_USE", "1")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "copyreg: 1 conflicting registration (streams that use them will fail; \
             `copyreg::assert_registry_ok()` in a test catches this):\n  - `test.Clash`"
        ),
        "{stderr}"
    );
}

#[derive(Reducible, Debug)]
struct Node {
    next: Option<Box<Node>>,
}

fn chain(depth: usize) -> Node {
    let mut node = Node { next: None };
    for _ in 1..depth {
        node = Node {
            next: Some(Box::new(node)),
        };
    }
    node
}

/// Runs `f` on a thread with a large stack: dropping a long `Box` chain recurses too.
fn with_big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn nesting_within_the_limit_round_trips() {
    let node = chain(copyreg::MAX_DEPTH);
    let bytes = copyreg::dumps(&node).unwrap();
    let back = copyreg::loads::<Node>(&bytes).unwrap();
    let mut depth = 1;
    let mut at = &back;
    while let Some(next) = &at.next {
        depth += 1;
        at = next;
    }
    assert_eq!(depth, copyreg::MAX_DEPTH);
    copyreg::copy(&node).unwrap();
}

/// Nested through maps: a map's keys and values share one stack check, and each object
/// among them still counts one level.
#[derive(Reducible, Debug, PartialEq)]
struct Tree {
    children: BTreeMap<u8, Tree>,
}

fn tree_chain(depth: usize) -> Tree {
    let mut tree = Tree {
        children: BTreeMap::new(),
    };
    for _ in 1..depth {
        tree = Tree {
            children: BTreeMap::from([(0, tree)]),
        };
    }
    tree
}

#[test]
fn nesting_through_maps_counts_every_object_and_grows_the_stack() {
    // On the test thread's own stack: only the checks make room for this.
    let deepest = tree_chain(copyreg::MAX_DEPTH);
    let back = copyreg::loads::<Tree>(&copyreg::dumps(&deepest).unwrap()).unwrap();
    let mut depth = 1;
    let mut at = &back;
    while let Some(next) = at.children.get(&0) {
        depth += 1;
        at = next;
    }
    assert_eq!(depth, copyreg::MAX_DEPTH);
    with_big_stack(move || {
        drop((deepest, back));
        let err = copyreg::dumps(&tree_chain(copyreg::MAX_DEPTH + 1)).unwrap_err();
        assert!(matches!(
            err,
            Error::Limit {
                which: LimitKind::Depth,
                ..
            }
        ));
    });
}

#[test]
fn a_failed_dumps_into_leaves_the_buffer_as_it_was() {
    with_big_stack(|| {
        // The error comes thousands of bytes into the stream; none of them stay.
        let mut buffer = copyreg::dumps(&7u8).unwrap();
        let before = buffer.clone();
        let err = copyreg::dumps_into(&chain(copyreg::MAX_DEPTH + 1), &mut buffer).unwrap_err();
        assert!(matches!(
            err,
            Error::Limit {
                which: LimitKind::Depth,
                ..
            }
        ));
        assert_eq!(buffer, before);
        assert_eq!(copyreg::loads::<u8>(&buffer).unwrap(), 7);
    });
}

#[test]
fn nesting_past_the_limit_is_too_deep_on_dumps_loads_and_copy() {
    with_big_stack(|| {
        // One past the limit fails on every path, so dumps never writes what loads refuses.
        let just_over = chain(copyreg::MAX_DEPTH + 1);
        assert!(matches!(
            copyreg::dumps(&just_over),
            Err(Error::Limit {
                which: LimitKind::Depth,
                ..
            })
        ));
        assert!(matches!(
            copyreg::copy(&just_over),
            Err(Error::Limit {
                which: LimitKind::Depth,
                ..
            })
        ));
        let node = chain(100_000);
        let limit = copyreg::MAX_DEPTH;
        assert!(
            matches!(copyreg::dumps(&node), Err(Error::Limit { which: LimitKind::Depth, max }) if max == limit)
        );
        assert!(matches!(
            copyreg::copy(&node),
            Err(Error::Limit {
                which: LimitKind::Depth,
                ..
            })
        ));
        assert!(matches!(
            copyreg::deepcopy(&node),
            Err(Error::Limit {
                which: LimitKind::Depth,
                ..
            })
        ));
    });
    // A stream that nests 100,000 levels, written by hand: Some, then a reference to the
    // one constructor, over and over.
    let mut body = vec![1];
    for _ in 0..100_000 {
        body.extend_from_slice(&[1, 1]);
    }
    body.push(0);
    let bytes = common::stream(&[concat!(module_path!(), "::Node")], &body);
    let err = copyreg::loads::<Node>(&bytes).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Limit {
                which: LimitKind::Depth,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("nesting depth"), "{err}");
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
enum Mode {
    Fast,
    Slow,
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "test.Settings")]
struct Settings {
    mode: Mode,
}

#[test]
fn a_serde_types_own_error_message_reaches_the_user() {
    let bytes = copyreg::dumps(&Settings { mode: Mode::Slow }).unwrap();
    let mut body = common::body(&bytes).to_vec();
    // The constructor reference, then `Mode::Slow`'s variant index: make it 7.
    assert_eq!(body, [1, 1]);
    body[1] = 7;
    let err = copyreg::loads::<Settings>(&common::with_body(&bytes, &body)).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("reading `test_errors::Mode`"), "{text}");
    assert!(text.contains("variant index 0 <= i < 2"), "{text}");
}

#[test]
fn an_unknown_variant_is_reported_where_its_index_starts() {
    let bytes = copyreg::dumps(&Kind::A).unwrap();
    // The constructor reference, then variant #0: make it #300, a two-byte varint.
    assert_eq!(common::body(&bytes), [1, 0]);
    let stream = common::with_body(&bytes, &[1, 0xac, 0x02]);
    match copyreg::loads::<Kind>(&stream).unwrap_err() {
        Error::Malformed { offset, reason } => {
            assert_eq!(offset, common::body_offset(&stream) + 1);
            assert!(reason.contains("has no variant #300"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}
