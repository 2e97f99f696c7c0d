//! Generated code passes strict lints in the user's crate.
#![deny(
    warnings,
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms,
    unused_qualifications,
    unreachable_pub,
    trivial_casts,
    trivial_numeric_casts,
    single_use_lifetimes,
    unused_results,
    unsafe_code,
    non_ascii_idents,
    clippy::all,
    clippy::pedantic,
    clippy::nursery
)]

/// A derived struct.
#[derive(Debug, PartialEq, copyreg::Reducible)]
pub struct Point {
    /// x
    pub x: f64,
    /// y
    pub y: f64,
}

/// A derived enum with a custom reducer.
#[derive(Debug, PartialEq, Eq, copyreg::Reducible)]
#[reducer(fn = reduce_level, constructor = Level::from_code)]
pub enum Level {
    /// low
    Low,
    /// high
    High,
}

fn reduce_level(level: &Level) -> (u8,) {
    (u8::from(*level == Level::High),)
}

impl Level {
    const fn from_code(code: u8) -> Self {
        if code == 0 {
            Self::Low
        } else {
            Self::High
        }
    }
}

/// Not ours.
#[derive(Debug)]
pub struct Celsius(pub f64);

copyreg::register_foreign!(Celsius, reduce = |c: &Celsius| (c.0,), construct = Celsius);

/// A declared constructor.
#[copyreg::constructor]
#[must_use]
pub const fn origin(x: f64) -> Point {
    Point { x, y: 0.0 }
}

#[test]
fn strict_lints_pass() {
    let p = Point { x: 1.0, y: 2.0 };
    assert_eq!(
        copyreg::loads::<Point>(&copyreg::dumps(&p).unwrap()).unwrap(),
        p
    );
    assert_eq!(copyreg::copy(&Level::High).unwrap(), Level::High);
    assert!((copyreg::copy(&Celsius(1.5)).unwrap().0 - 1.5).abs() < f64::EPSILON);
}
