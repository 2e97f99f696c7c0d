//! `#[copyreg::constructor]`: reading streams written by an older version of a type.

mod common;

use copyreg::Reducible;

/// Version 1 of a reading: celsius only. The older program registered it as
/// "thermo.Reading"; here it is registered under a name of the same length, and
/// [`old_stream`] puts the old name back, giving the bytes the older program wrote.
mod v1 {
    #[derive(copyreg::Reducible)]
    #[reducer(name = "thermo.OldRead")]
    pub struct Reading {
        pub celsius: f64,
    }
}

fn old_stream(celsius: f64) -> Vec<u8> {
    let mut bytes = copyreg::dumps(&v1::Reading { celsius }).unwrap();
    let at = bytes
        .windows(14)
        .position(|w| w == b"thermo.OldRead")
        .unwrap();
    bytes[at..at + 14].copy_from_slice(b"thermo.Reading");
    bytes
}

/// Today's reading, under a new name, with a new field.
#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "thermo.Reading.v2")]
struct Reading {
    kelvin: f64,
    source: String,
}

/// Rebuilds today's type from the arguments the old reducer wrote.
#[copyreg::constructor(name = "thermo.Reading")]
fn reading_v1(celsius: f64) -> Reading {
    Reading {
        kelvin: celsius + 273.15,
        source: "v1".into(),
    }
}

#[derive(Debug)]
struct BadUnit;

impl std::fmt::Display for BadUnit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("below absolute zero")
    }
}

impl std::error::Error for BadUnit {}

/// A fallible constructor, under its default name.
#[copyreg::constructor]
fn checked_reading(kelvin: f64, source: String) -> Result<Reading, BadUnit> {
    if kelvin < 0.0 {
        return Err(BadUnit);
    }
    Ok(Reading { kelvin, source })
}

#[test]
fn an_old_stream_loads_as_the_new_type_through_a_declared_constructor() {
    let reading = copyreg::loads::<Reading>(&old_stream(20.0)).unwrap();
    assert_eq!(
        reading,
        Reading {
            kelvin: 20.0 + 273.15,
            source: "v1".into()
        }
    );
    // Today's streams use today's name and reducer.
    let today = Reading {
        kelvin: 1.0,
        source: "now".into(),
    };
    assert_eq!(
        copyreg::loads::<Reading>(&copyreg::dumps(&today).unwrap()).unwrap(),
        today
    );
}

#[test]
fn a_fallible_declared_constructor_is_found_by_its_default_name() {
    let name = concat!(module_path!(), "::checked_reading");
    let stream = |kelvin: f64| {
        let mut body = vec![1]; // the first name of the table
        body.extend_from_slice(&kelvin.to_le_bytes());
        body.push(2); // the length of "ok"
        body.extend_from_slice(b"ok");
        common::stream(&[name], &body)
    };
    assert_eq!(
        copyreg::loads::<Reading>(&stream(300.0)).unwrap(),
        Reading {
            kelvin: 300.0,
            source: "ok".into()
        }
    );
    let any = copyreg::loads_any(&stream(1.0)).unwrap();
    assert_eq!(any.downcast_ref::<Reading>().unwrap().kelvin, 1.0);
    match copyreg::loads::<Reading>(&stream(-1.0)) {
        Err(copyreg::Error::Construct {
            constructor,
            source,
        }) => {
            assert_eq!(constructor, name);
            assert_eq!(source.to_string(), "below absolute zero");
        }
        other => panic!("expected Construct, got {other:?}"),
    }
    // A constructor builds its own type only.
    assert!(matches!(
        copyreg::loads::<String>(&stream(1.0)),
        Err(copyreg::Error::TypeMismatch { .. })
    ));
}

#[test]
fn a_list_may_mix_old_and_new_readings() {
    let new = |body: &mut Vec<u8>, kelvin: f64, source: &str| {
        body.push(2); // thermo.Reading.v2
        body.extend_from_slice(&kelvin.to_le_bytes());
        body.push(source.len() as u8);
        body.extend_from_slice(source.as_bytes());
    };
    let old = |body: &mut Vec<u8>, celsius: f64| {
        body.push(3); // thermo.Reading
        body.extend_from_slice(&celsius.to_le_bytes());
    };
    // The list itself, its length, and a run constructor of 0: each object names its own.
    let mut body = vec![1, 5, 0];
    new(&mut body, 1.0, "a");
    old(&mut body, 2.0);
    old(&mut body, 3.0);
    new(&mut body, 4.0, "b");
    new(&mut body, 5.0, "c");
    let names = [
        "Vec<thermo.Reading.v2>",
        "thermo.Reading.v2",
        "thermo.Reading",
    ];
    let stream = common::stream(&names, &body);
    let list = copyreg::loads::<Vec<Reading>>(&stream).unwrap();
    let got: Vec<(f64, &str)> = list.iter().map(|r| (r.kelvin, &*r.source)).collect();
    assert_eq!(
        got,
        [
            (1.0, "a"),
            (2.0 + 273.15, "v1"),
            (3.0 + 273.15, "v1"),
            (4.0, "b"),
            (5.0, "c")
        ]
    );

    // A run of old readings only names their constructor once.
    let mut body = vec![1, 2, 3];
    body.extend_from_slice(&2.0f64.to_le_bytes());
    body.extend_from_slice(&3.0f64.to_le_bytes());
    let list = copyreg::loads::<Vec<Reading>>(&common::stream(&names, &body)).unwrap();
    let got: Vec<f64> = list.iter().map(|r| r.kelvin).collect();
    assert_eq!(got, [2.0 + 273.15, 3.0 + 273.15]);
}

#[test]
fn declared_constructors_are_not_reducers() {
    // They rebuild values; they do not make a type dumpable, and they are not listed.
    assert!(copyreg::dispatch_table()
        .by_name("thermo.Reading")
        .is_none());
}

#[test]
fn old_containers_of_a_renamed_type_load_through_its_legacy_constructor() {
    // Streams of `Vec<Reading>` and `Option<Reading>` from before `Reading` was renamed name
    // the containers by the old name too.
    let names = ["Vec<thermo.Reading>", "thermo.Reading"];
    let mut body = vec![1, 2, 2]; // the Vec, its length, the run's constructor
    body.extend_from_slice(&2.0f64.to_le_bytes());
    body.extend_from_slice(&3.0f64.to_le_bytes());
    let stream = common::stream(&names, &body);
    let list = copyreg::loads::<Vec<Reading>>(&stream).unwrap();
    let kelvins: Vec<f64> = list.iter().map(|r| r.kelvin).collect();
    assert_eq!(kelvins, [2.0 + 273.15, 3.0 + 273.15]);
    let any = copyreg::loads_any(&stream).unwrap();
    assert_eq!(any.downcast_ref::<Vec<Reading>>().map(Vec::len), Some(2));

    let names = ["Option<thermo.Reading>", "thermo.Reading"];
    let mut body = vec![1, 1, 2]; // the Option, `Some`, the reading's constructor
    body.extend_from_slice(&4.0f64.to_le_bytes());
    let stream = common::stream(&names, &body);
    let some = copyreg::loads::<Option<Reading>>(&stream).unwrap();
    assert_eq!(some.map(|r| r.kelvin), Some(4.0 + 273.15));

    // As version 1 wrote a list of one: no length after the header, a `u64` length, a
    // reference per object, and the table's length as a `u32` at the end.
    let mut v1 = b"cprg\x01\x01".to_vec();
    v1.extend_from_slice(&1u64.to_le_bytes());
    v1.push(2);
    v1.extend_from_slice(&5.0f64.to_le_bytes());
    let mut table = Vec::new();
    for name in ["Vec<thermo.Reading>", "thermo.Reading"] {
        table.push(name.len() as u8);
        table.extend_from_slice(name.as_bytes());
    }
    v1.extend_from_slice(&table);
    v1.extend_from_slice(&(table.len() as u32).to_le_bytes());
    let list = copyreg::loads::<Vec<Reading>>(&v1).unwrap();
    assert_eq!(list[0].kelvin, 5.0 + 273.15);

    // A container of a name nothing registers is still unknown.
    let stream = common::stream(&["Vec<thermo.Nothing>"], &[1, 0]);
    assert!(matches!(
        copyreg::loads::<Vec<Reading>>(&stream),
        Err(copyreg::Error::UnknownConstructor { .. })
    ));
}
