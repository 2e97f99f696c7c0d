//! The stream format: header, names written once, postcard's layout for the arguments.

mod common;

use copyreg::Reducible;
use serde::Serialize;

#[derive(Reducible, Serialize, Debug, PartialEq, Clone)]
#[reducer(name = "geo.Point")]
struct Point {
    x: f64,
    y: f64,
}

#[test]
fn a_stream_starts_with_magic_and_version() {
    let bytes = copyreg::dumps(&Point { x: 1.0, y: 2.0 }).unwrap();
    assert_eq!(&bytes[..5], b"cprg\x04");
}

#[test]
fn a_constructor_name_is_written_once_per_stream() {
    let points: Vec<Point> = (0..1000)
        .map(|i| Point {
            x: i as f64,
            y: -(i as f64),
        })
        .collect();
    let bytes = copyreg::dumps(&points).unwrap();
    let occurrences = bytes.windows(9).filter(|w| w == b"geo.Point").count();
    // Once for the point constructor, once inside "Vec<geo.Point>".
    assert_eq!(occurrences, 2);
    // Each point costs its 16 bytes: the run names their constructor once.
    let raw = postcard::to_allocvec(&points).unwrap();
    let overhead = bytes.len() - raw.len();
    // Each name has its length before it and its field count after it.
    let names = (1 + "Vec<geo.Point>".len() + 1) + (1 + "geo.Point".len() + 1);
    // header, the length of the rest (16,030 bytes: a 2-byte varint), one reference for the
    // Vec and one for the run of points, the name table, its length
    assert_eq!(overhead, 5 + 2 + 1 + 1 + names + 1);
    assert_eq!(bytes.len(), 16_039);
    assert_eq!(common::names(&bytes), ["Vec<geo.Point>", "geo.Point"]);
    assert_eq!(copyreg::loads::<Vec<Point>>(&bytes).unwrap(), points);
}

#[test]
fn arguments_use_postcards_layout() {
    macro_rules! same_as_postcard {
        ($($value:expr),* $(,)?) => {$(
            let value = $value;
            let stream = copyreg::dumps(&value).unwrap();
            let raw = postcard::to_allocvec(&value).unwrap();
            // The body is a one-byte constructor reference, then the value.
            assert_eq!(common::body(&stream)[1..], raw, "{}", stringify!($value));
        )*};
    }
    same_as_postcard!(
        true,
        7u8,
        -7i16,
        70_000u32,
        -1i64,
        i64::MIN,
        u64::MAX,
        127u16,
        128u16,
        -128i8,
        u128::MAX,
        i128::MIN,
        1.5f32,
        -2.25f64,
        'a',
        'é',
        '€',
        '🦀',
        usize::MAX,
        isize::MIN,
        String::from("héllo"),
        (),
        vec![1u16, 2, 3],
        Some(5u64),
        None::<i8>,
        Box::new(3u8),
    );
    let stream = copyreg::dumps(&Point { x: 1.0, y: 2.0 }).unwrap();
    let raw = postcard::to_allocvec(&(1.0f64, 2.0f64)).unwrap();
    assert_eq!(common::body(&stream)[1..], raw);
}

#[test]
fn dumps_dyn_writes_the_same_bytes_as_dumps() {
    let p = Point { x: 3.0, y: 4.0 };
    let any: &dyn std::any::Any = &p;
    assert_eq!(
        copyreg::dumps_dyn(any).unwrap(),
        copyreg::dumps(&p).unwrap()
    );
}

#[test]
fn dumps_into_appends_the_same_bytes_as_dumps() {
    let p = Point { x: 3.0, y: 4.0 };
    let mut buffer = b"header".to_vec();
    copyreg::dumps_into(&p, &mut buffer).unwrap();
    assert_eq!(&buffer[..6], b"header");
    assert_eq!(buffer[6..], copyreg::dumps(&p).unwrap());

    // A reused buffer keeps its allocation and holds only the new stream.
    buffer.clear();
    let capacity = buffer.capacity();
    copyreg::dumps_into(&Point { x: 1.0, y: 2.0 }, &mut buffer).unwrap();
    assert_eq!(buffer.capacity(), capacity);
    assert_eq!(
        copyreg::loads::<Point>(&buffer).unwrap(),
        Point { x: 1.0, y: 2.0 }
    );
}

#[test]
fn every_native_type_round_trips_at_top_level() {
    macro_rules! round_trip {
        ($($value:expr),* $(,)?) => {$(
            let value = $value;
            let bytes = copyreg::dumps(&value).unwrap();
            let back = copyreg::loads_any(&bytes).unwrap();
            assert_eq!(back.downcast_ref(), Some(&value), "{}", stringify!($value));
        )*};
    }
    round_trip!(
        false,
        1u8,
        2u16,
        3u32,
        4u64,
        5u128,
        6usize,
        -1i8,
        -2i16,
        -3i32,
        -4i64,
        -5i128,
        -6isize,
        0.5f32,
        0.25f64,
        'z',
        String::from("s"),
        (),
        vec![String::from("a")],
        Some('c'),
        Box::new(9i32),
        vec![(); 3],
    );
}
