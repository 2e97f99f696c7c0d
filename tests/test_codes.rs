//! Compact codes (Python's `copyreg.add_extension`): `#[reducer(code = N)]` and
//! `register_foreign!(..., code = N)` write an integer in the name table instead of the name.

mod common;

use std::time::Duration;

use copyreg::{Error, Reducible, Unpickler};

#[derive(Reducible, Debug, PartialEq, Clone)]
#[reducer(name = "codes.Point", code = 17)]
struct Point {
    x: i32,
    y: i32,
}

/// `Point` without a code, under another name of the same length.
#[derive(Reducible, Debug, PartialEq, Clone)]
#[reducer(name = "codes.Plain")]
struct Plain {
    x: i32,
    y: i32,
}

/// Codes above 127 take more than one varint byte.
#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "codes.Path", code = 300)]
struct Path {
    points: Vec<Point>,
}

// Two types claiming one code: a conflict, reported when either is used.
#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "codes.Left", code = 4242)]
struct Left(u8);

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "codes.Right", code = 4242)]
struct Right(u8);

copyreg::register_foreign!(
    Duration,
    reduce = |d: &Duration| (d.as_secs(), d.subsec_nanos()),
    construct = Duration::new,
    name = "std.Duration",
    code = 5,
);

#[test]
fn a_coded_type_round_trips_and_its_name_is_not_in_the_stream() {
    let p = Point { x: 3, y: -4 };
    let bytes = copyreg::dumps(&p).unwrap();
    assert_eq!(copyreg::loads::<Point>(&bytes).unwrap(), p);
    // The code, then the field count plus one: a derived struct of two fields.
    assert_eq!(common::table(&bytes), [0, 17, 3]);
    assert!(!bytes.windows(11).any(|w| w == b"codes.Point"));

    // Same body as the uncoded twin; the table is 3 bytes instead of 13.
    let plain = copyreg::dumps(&Plain { x: 3, y: -4 }).unwrap();
    assert_eq!(common::body(&bytes), common::body(&plain));
    assert_eq!(plain.len() - bytes.len(), 13 - 3);
}

#[test]
fn codes_work_at_any_depth_and_take_varint_bytes() {
    let path = Path {
        points: vec![Point { x: 1, y: 2 }, Point { x: 3, y: 4 }],
    };
    let bytes = copyreg::dumps(&path).unwrap();
    // 300 as a varint is 0xac 0x02; each code appears once, however many objects use it.
    assert_eq!(common::table(&bytes), [0, 0xac, 0x02, 2, 0, 17, 3]);
    assert_eq!(copyreg::loads::<Path>(&bytes).unwrap(), path);
    assert_eq!(copyreg::copy(&path).unwrap(), path);
}

#[test]
fn a_stream_written_by_name_still_loads_after_a_code_is_added() {
    // What a build before `code = 17` wrote: the name in the table.
    // The constructor reference, then 3 and -4 as zigzag varints.
    let body = [1, 6, 7];
    let old = common::stream(&["codes.Point"], &body);
    assert_eq!(
        copyreg::loads::<Point>(&old).unwrap(),
        Point { x: 3, y: -4 }
    );
}

#[test]
fn foreign_types_take_codes_too() {
    let d = Duration::new(7, 500);
    let bytes = copyreg::dumps(&vec![d, d]).unwrap();
    assert_eq!(copyreg::loads::<Vec<Duration>>(&bytes).unwrap(), [d, d]);
    // A foreign type's entry counts no fields.
    assert!(common::table(&bytes).ends_with(&[0, 5, 0]));
    let any = copyreg::loads_any(&copyreg::dumps(&d).unwrap()).unwrap();
    assert_eq!(any.downcast_ref::<Duration>(), Some(&d));
}

#[test]
fn the_dispatch_table_lists_codes() {
    let table = copyreg::dispatch_table();
    assert_eq!(table.get::<Point>().unwrap().code(), Some(17));
    assert_eq!(table.get::<Plain>().unwrap().code(), None);
    assert_eq!(table.by_code(5).unwrap().name(), "std.Duration");
    assert_eq!(table.by_code(300).unwrap().name(), "codes.Path");
    // Claimed twice: neither is the code's entry.
    assert!(table.by_code(4242).is_none());
}

#[test]
fn a_code_claimed_twice_is_an_error_that_names_both() {
    let expected = vec![
        "`codes.Left` (test_codes::Left)",
        "`codes.Right` (test_codes::Right)",
    ];
    for err in [
        copyreg::dumps(&Left(1)).unwrap_err(),
        copyreg::dumps(&Right(1)).unwrap_err(),
        copyreg::loads::<Left>(&common::stream_with_table(&[0, 0x92, 0x21], &[1, 1])).unwrap_err(),
    ] {
        match &err {
            Error::CodeConflict { code, claimants } => {
                assert_eq!(*code, 4242);
                assert_eq!(*claimants, expected);
            }
            other => panic!("expected a code conflict, got {other:?}"),
        }
        let message = err.to_string();
        assert!(message.contains("codes.Left") && message.contains("codes.Right"));
        assert!(message.contains("4242"));
    }
    // Nothing else is affected.
    assert!(copyreg::dumps(&Point { x: 0, y: 0 }).is_ok());
    // And the conflict is listed before any stream meets it.
    assert!(matches!(
        &copyreg::dispatch_table().conflicts()[..],
        [Error::CodeConflict { code: 4242, claimants }] if *claimants == expected
    ));
}

#[test]
fn unknown_and_out_of_range_codes_are_clear_errors() {
    let body = [1, 0, 0, 0, 0, 0, 0, 0, 0];
    let unknown = common::stream_with_table(&[0, 99], &body);
    let err = copyreg::loads::<Point>(&unknown).unwrap_err();
    match err {
        Error::UnknownCode { code } => assert_eq!(code, 99),
        ref other => panic!("expected an unknown code, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "the stream refers to compact code 99, which no type in this program registers; if a \
         library crate registers it, make sure the binary references that crate (`use \
         that_crate as _;`), or the linker drops its registrations; else give the type that \
         wrote it `#[reducer(code = 99)]` (or `code = 99` in `register_foreign!`)"
    );
    assert!(matches!(
        copyreg::loads_any(&unknown),
        Err(Error::UnknownCode { code: 99 })
    ));
    // 0 and 2^31 are outside the range; a table that ends inside a code is truncated.
    for table in [&[0, 0][..], &[0, 0x80, 0x80, 0x80, 0x80, 0x08], &[0]] {
        let stream = common::stream_with_table(table, &body);
        assert!(
            matches!(
                copyreg::loads::<Point>(&stream),
                Err(Error::Malformed { .. })
            ),
            "table {table:?}"
        );
    }
}

#[test]
fn allow_lists_name_coded_types_by_their_names() {
    let bytes = copyreg::dumps(&Point { x: 1, y: 1 }).unwrap();
    let allowed = Unpickler::new().allow_name("codes.Point");
    assert_eq!(
        allowed.loads::<Point>(&bytes).unwrap(),
        Point { x: 1, y: 1 }
    );

    let refused = Unpickler::new().allow_name("codes.Plain");
    match refused.loads::<Point>(&bytes).unwrap_err() {
        Error::Forbidden { name, .. } => assert_eq!(name, "codes.Point"),
        other => panic!("expected the allow-list to refuse, got {other:?}"),
    }
    let unknown = common::stream_with_table(&[0, 99], &[1]);
    match refused.loads_any(&unknown).unwrap_err() {
        Error::Forbidden { name, .. } => assert_eq!(name, "compact code 99"),
        other => panic!("expected the allow-list to refuse, got {other:?}"),
    }
}

#[test]
fn names_no_stream_can_carry_are_refused_at_registration() {
    struct Opaque(u8);
    let err = copyreg::pickle_as("", |o: &Opaque| (o.0,), Opaque).unwrap_err();
    assert!(matches!(err, Error::InvalidName { .. }), "{err:?}");
    let long = "n".repeat(4097);
    let err = copyreg::Pickler::new()
        .register_as(&long, |o: &Opaque| (o.0,), Opaque)
        .unwrap_err();
    assert!(matches!(err, Error::InvalidName { .. }), "{err:?}");
}
