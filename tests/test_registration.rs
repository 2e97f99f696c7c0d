//! Registering: again and again at run time without growing, redundantly at link time
//! without breaking anything, and never under a name copyreg keeps for its own types.

use copyreg::{Error, Pickler, Reducible};

#[path = "common/counting.rs"]
mod counting;

/// How much more memory is in use on this thread after `f` than before.
fn growth(f: impl FnOnce()) -> isize {
    counting::measure(f).live
}

#[derive(Debug, PartialEq)]
struct Celsius(f64);

#[derive(Debug, PartialEq)]
struct Kelvin(f64);

#[test]
fn registering_a_type_again_replaces_its_entry_and_takes_no_more_memory() {
    copyreg::pickle(|c: &Celsius| (c.0,), Celsius).unwrap();
    copyreg::pickle_as("thermo.Kelvin", |k: &Kelvin| (k.0,), Kelvin).unwrap();
    let entries = copyreg::dispatch_table().iter().count();
    let grown = growth(|| {
        for _ in 0..100_000 {
            copyreg::pickle(|c: &Celsius| (c.0,), Celsius).unwrap();
            copyreg::pickle_as("thermo.Kelvin", |k: &Kelvin| (k.0,), Kelvin).unwrap();
        }
    });
    assert!(
        grown < 64 * 1024,
        "200,000 registrations kept {grown} bytes"
    );
    assert_eq!(copyreg::dispatch_table().iter().count(), entries);
    // The last registration is the one in force.
    copyreg::pickle(|c: &Celsius| (c.0 + 1.0,), Celsius).unwrap();
    let bytes = copyreg::dumps(&Celsius(20.0)).unwrap();
    assert_eq!(copyreg::loads::<Celsius>(&bytes).unwrap(), Celsius(21.0));
    copyreg::pickle(|c: &Celsius| (c.0,), Celsius).unwrap();
}

#[test]
fn names_copyreg_keeps_for_its_own_types_are_refused_at_run_time() {
    #[derive(Debug)]
    struct Counter(u32);
    for name in [
        "u32",
        "String",
        "Vec",
        "HashMap",
        "box.Wrapper<geo.P1>",
        "(u8, String)",
        "[u8; 3]",
        "a,b",
    ] {
        match copyreg::pickle_as(name, |c: &Counter| (c.0,), Counter) {
            Err(Error::InvalidName {
                name: refused,
                reason,
            }) => {
                assert_eq!(refused, name);
                assert!(reason.contains("app.Counter"), "{reason}");
            }
            other => panic!("{name}: {other:?}"),
        }
        let private = Pickler::new().register_as(name, |c: &Counter| (c.0,), Counter);
        assert!(matches!(private, Err(Error::InvalidName { .. })), "{name}");
    }
    // copyreg's own types still write and read as themselves.
    let bytes = copyreg::dumps(&vec![5u32]).unwrap();
    assert_eq!(copyreg::loads::<Vec<u32>>(&bytes).unwrap(), [5]);
}

#[test]
fn every_name_in_the_registry_that_is_not_a_dotted_user_name_is_reserved() {
    #[derive(Debug)]
    struct Probe(u8);
    let mut checked = 0;
    for entry in copyreg::dispatch_table().iter() {
        let name = entry.name();
        // User types' names are dotted, and generic instances of them hold a dot too.
        if name.contains('.') {
            continue;
        }
        let refused = copyreg::pickle_as(name, |p: &Probe| (p.0,), Probe);
        assert!(
            matches!(refused, Err(Error::InvalidName { .. })),
            "`{name}` ({}) is not reserved",
            entry.type_name()
        );
        checked += 1;
    }
    assert!(checked > 50, "only {checked} native names");
}

#[derive(Reducible, Debug, PartialEq, Clone)]
#[reducer(name = "reg.Point")]
struct Point {
    x: i32,
}

// Each of these is registered by the derive already: registering it again changes nothing.
copyreg::register!(Point);
copyreg::register!(Point);
copyreg::register!(Vec<Point>);
copyreg::register!(Option<Point>);
copyreg::register!(Box<Point>);

/// A type from "another crate", registered in two modules under one name.
#[derive(Debug, PartialEq)]
pub struct Foreign(u16);

mod first {
    copyreg::register_foreign!(
        super::Foreign,
        reduce = |f: &super::Foreign| (f.0,),
        construct = super::Foreign,
        name = "reg.Foreign",
    );
}

mod second {
    copyreg::register_foreign!(
        super::Foreign,
        reduce = |f: &super::Foreign| (f.0,),
        construct = super::Foreign,
        name = "reg.Foreign",
    );
}

#[test]
fn a_redundant_registration_is_harmless() {
    let p = Point { x: 3 };
    let bytes = copyreg::dumps(&vec![p.clone()]).unwrap();
    assert_eq!(
        copyreg::loads::<Vec<Point>>(&bytes).unwrap(),
        [Point { x: 3 }]
    );
    let bytes = copyreg::dumps(&Some(p.clone())).unwrap();
    assert_eq!(
        copyreg::loads::<Option<Point>>(&bytes).unwrap(),
        Some(p.clone())
    );
    let bytes = copyreg::dumps(&Box::new(p.clone())).unwrap();
    assert_eq!(*copyreg::loads::<Box<Point>>(&bytes).unwrap(), p);
    assert_eq!(copyreg::copy(&vec![p.clone()]).unwrap(), [Point { x: 3 }]);

    let bytes = copyreg::dumps(&Foreign(9)).unwrap();
    assert_eq!(copyreg::loads::<Foreign>(&bytes).unwrap(), Foreign(9));
    let any = copyreg::loads_any(&bytes).unwrap();
    assert_eq!(any.downcast_ref::<Foreign>(), Some(&Foreign(9)));

    let table = copyreg::dispatch_table();
    for name in [
        "reg.Point",
        "Vec<reg.Point>",
        "Option<reg.Point>",
        "Box<reg.Point>",
        "reg.Foreign",
    ] {
        assert!(table.by_name(name).is_some(), "{name} is not listed");
    }
}

/// A type registered under two names: a stream could carry either.
#[derive(Debug, PartialEq)]
pub struct Twice(u16);

mod one_name {
    copyreg::register_foreign!(
        super::Twice,
        reduce = |t: &super::Twice| (t.0,),
        construct = super::Twice,
        name = "reg.TwiceA",
    );
}

mod other_name {
    copyreg::register_foreign!(
        super::Twice,
        reduce = |t: &super::Twice| (t.0,),
        construct = super::Twice,
        name = "reg.TwiceB",
    );
}

#[test]
fn one_type_under_two_names_is_reported_with_both_names() {
    let err = copyreg::dumps(&Twice(1)).unwrap_err();
    match &err {
        Error::RegisteredTwice { type_name, names } => {
            assert_eq!(*type_name, std::any::type_name::<Twice>());
            assert_eq!(names, &["reg.TwiceA", "reg.TwiceB"]);
        }
        other => panic!("{other:?}"),
    }
    // Listed up front, once: not again for the `Vec`, `Option` and `Box` that come with it.
    let listed: Vec<String> = copyreg::dispatch_table()
        .conflicts()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(listed, [err.to_string()]);
    // The names differ already: the fix is to keep one registration.
    assert_eq!(
        err.to_string(),
        format!(
            "`{}` has 2 registrations (`reg.TwiceA`, `reg.TwiceB`), and a type takes one: \
             keep one and remove the others (Python's last-wins has no meaning at link time); \
             streams that name another can still load through a \
             `#[copyreg::constructor(name = \"...\")]` function",
            std::any::type_name::<Twice>()
        )
    );
    // Streams naming either constructor still load.
    for name in ["reg.TwiceA", "reg.TwiceB"] {
        let mut stream = b"cprg\x01\x01\x07\x00".to_vec();
        stream.push(name.len() as u8);
        stream.extend_from_slice(name.as_bytes());
        stream.extend_from_slice(&(name.len() as u32 + 1).to_le_bytes());
        assert_eq!(
            copyreg::loads::<Twice>(&stream).unwrap(),
            Twice(7),
            "{name}"
        );
    }
}
