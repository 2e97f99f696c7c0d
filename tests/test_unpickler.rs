//! `Unpickler` and `Pickler`: limits, allow-lists, private tables, persistent references.

use std::any::Any;
use std::cell::Cell;
use std::collections::BTreeMap;

use copyreg::{Error, LimitKind, Pickler, Reducible, Unpickler};

mod common;

thread_local! {
    /// Points built on this thread: tests run in parallel, and each counts its own.
    static BUILT: Cell<usize> = const { Cell::new(0) };
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "untrusted.Point", constructor = Point::counted)]
struct Point {
    x: i32,
    y: i32,
}

impl Point {
    fn counted(x: i32, y: i32) -> Point {
        BUILT.with(|b| b.set(b.get() + 1));
        Point { x, y }
    }
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "untrusted.Gadget")]
struct Gadget {
    command: String,
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "untrusted.Scene")]
struct Scene {
    points: Vec<Point>,
    extra: Option<Gadget>,
}

fn scene(with_gadget: bool) -> Scene {
    Scene {
        points: vec![Point { x: 1, y: 2 }, Point { x: 3, y: 4 }],
        extra: with_gadget.then(|| Gadget {
            command: "rm -rf /".into(),
        }),
    }
}

#[test]
fn each_limit_is_enforced_and_named() {
    let bytes = copyreg::dumps(&scene(false)).unwrap();
    let cases = [
        (
            Unpickler::new().max_input(bytes.len() - 1),
            LimitKind::InputSize,
        ),
        (Unpickler::new().max_alloc(8), LimitKind::Allocation),
        (Unpickler::new().max_depth(1), LimitKind::Depth),
        (Unpickler::new().max_objects(2), LimitKind::Objects),
    ];
    for (unpickler, expected) in cases {
        match unpickler.loads::<Scene>(&bytes) {
            Err(Error::Limit { which, .. }) => assert_eq!(which, expected),
            other => panic!("{expected:?}: {other:?}"),
        }
    }
    let generous = Unpickler::new()
        .max_input(bytes.len())
        .max_alloc(1024)
        .max_depth(2)
        .max_objects(3);
    assert_eq!(generous.loads::<Scene>(&bytes).unwrap(), scene(false));
    let err = Unpickler::new()
        .max_objects(1)
        .loads::<Scene>(&bytes)
        .unwrap_err();
    assert!(err.to_string().contains("max_objects"), "{err}");
}

#[test]
fn the_default_limits_stop_a_length_claim_before_allocating() {
    // A few bytes claiming a vector of 2^60 strings: refused, nothing big allocated.
    let mut body = vec![1];
    body.extend(common::varint(1 << 60));
    let stream = common::stream(&["Vec<String>"], &body);
    assert!(matches!(
        copyreg::loads::<Vec<String>>(&stream),
        Err(Error::Malformed { .. })
    ));
    // A claim that fits the input but not the allocation budget.
    let mut body = vec![1];
    body.extend(common::varint(200));
    body.extend(std::iter::repeat_n(0, 200));
    let stream = common::stream(&["Vec<String>"], &body);
    let err = Unpickler::new()
        .max_alloc(1000)
        .loads::<Vec<String>>(&stream)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Limit {
                which: LimitKind::Allocation,
                max: 1000
            }
        ),
        "{err:?}"
    );
}

#[test]
fn an_allow_list_refuses_other_constructors_before_any_runs() {
    let bytes = copyreg::dumps(&scene(true)).unwrap();
    let before = BUILT.with(Cell::get);
    let strict = Unpickler::new().allow::<Scene>().allow::<Point>();
    match strict.loads::<Scene>(&bytes) {
        Err(Error::Forbidden { name }) => assert_eq!(name, "untrusted.Gadget"),
        other => panic!("{other:?}"),
    }
    // The points come first in the stream, but none was built.
    assert_eq!(BUILT.with(Cell::get), before);

    let err = strict.loads_any(&bytes).unwrap_err();
    assert!(
        err.to_string()
            .contains(".allow_name(\"untrusted.Gadget\")"),
        "{err}"
    );
    assert_eq!(
        strict
            .loads::<Scene>(&copyreg::dumps(&scene(false)).unwrap())
            .unwrap(),
        scene(false)
    );
    let by_name = Unpickler::new()
        .allow_name("untrusted.Scene")
        .allow_name("untrusted.Point")
        .allow_name("untrusted.Gadget");
    assert_eq!(by_name.loads::<Scene>(&bytes).unwrap(), scene(true));
}

#[test]
fn native_types_need_no_allowing() {
    let strict = Unpickler::new().allow::<Point>();
    let map = BTreeMap::from([(1u8, vec![String::from("x")])]);
    copyreg::register!(BTreeMap<u8, Vec<String>>);
    let bytes = copyreg::dumps(&map).unwrap();
    assert_eq!(
        strict.loads::<BTreeMap<u8, Vec<String>>>(&bytes).unwrap(),
        map
    );
    let points = copyreg::dumps(&vec![Point { x: 0, y: 0 }]).unwrap();
    assert!(strict.loads::<Vec<Point>>(&points).is_ok());
    assert!(matches!(
        Unpickler::new().allow::<u8>().loads::<Vec<Point>>(&points),
        Err(Error::Forbidden { .. })
    ));
}

#[test]
fn private_constructors_layer_over_the_registry_for_one_unpickler() {
    let bytes = copyreg::dumps(&Point { x: 1, y: 2 }).unwrap();
    let swapped =
        Unpickler::new().constructor("untrusted.Point", |x: i32, y: i32| Point { x: y, y: x });
    assert_eq!(
        swapped.loads::<Point>(&bytes).unwrap(),
        Point { x: 2, y: 1 }
    );
    assert_eq!(
        copyreg::loads::<Point>(&bytes).unwrap(),
        Point { x: 1, y: 2 }
    );

    let gadget = copyreg::dumps(&Gadget {
        command: "c".into(),
    })
    .unwrap();
    assert!(matches!(
        Unpickler::isolated().loads::<Gadget>(&gadget),
        Err(Error::UnknownConstructor { .. })
    ));
    // What the caller names statically still loads: a derived type builds its own fields.
    assert_eq!(
        Unpickler::isolated()
            .loads::<String>(&copyreg::dumps(&String::from("s")).unwrap())
            .unwrap(),
        "s"
    );
}

#[test]
fn a_pickler_table_applies_to_that_pickler_only() {
    let secret = || Gadget {
        command: "secret".into(),
    };
    let redacting = Pickler::new()
        .register(
            |_: &Gadget| ("<redacted>".to_string(),),
            |command: String| Gadget { command },
        )
        .unwrap();
    let scene = Scene {
        points: vec![],
        extra: Some(secret()),
    };
    let bytes = redacting.dumps(&scene).unwrap();
    assert_eq!(
        copyreg::loads::<Scene>(&bytes)
            .unwrap()
            .extra
            .unwrap()
            .command,
        "<redacted>"
    );
    assert_eq!(
        redacting.deepcopy(&scene).unwrap().extra.unwrap().command,
        "<redacted>"
    );
    // Nothing global changed.
    let plain = copyreg::dumps(&scene).unwrap();
    assert_eq!(
        copyreg::loads::<Scene>(&plain)
            .unwrap()
            .extra
            .unwrap()
            .command,
        "secret"
    );
    assert!(matches!(
        Pickler::new().register(|v: &u8| (*v,), |v: u8| v),
        Err(Error::Builtin { .. })
    ));
}

#[test]
fn persistent_ids_stand_in_for_chosen_objects() {
    let pickler = Pickler::new().persistent_id(|obj: &dyn Any| {
        obj.downcast_ref::<Gadget>()
            .map(|g| format!("gadget/{}", g.command))
    });
    let bytes = pickler.dumps(&scene(true)).unwrap();
    // The object itself is not written: its constructor is not even named.
    assert_eq!(
        common::names(&bytes),
        ["untrusted.Scene", "untrusted.Point"]
    );
    match copyreg::loads::<Scene>(&bytes) {
        Err(Error::PersistentId { id }) => assert_eq!(id, "gadget/rm -rf /"),
        other => panic!("{other:?}"),
    }
    let unpickler = Unpickler::new().persistent_load(|id: &str| {
        let command = id.strip_prefix("gadget/").ok_or("not a gadget id")?;
        Ok(Box::new(Gadget {
            command: command.replace("rm", "ls"),
        }))
    });
    let back = unpickler.loads::<Scene>(&bytes).unwrap();
    assert_eq!(back.extra.unwrap().command, "ls -rf /");
    assert_eq!(back.points, scene(false).points);

    // A resolver that fails, or returns the wrong type, is an error.
    let failing = Unpickler::new().persistent_load(|_: &str| Err("offline".into()));
    assert!(matches!(
        failing.loads::<Scene>(&bytes),
        Err(Error::Construct { .. })
    ));
    let wrong = Unpickler::new().persistent_load(|_: &str| Ok(Box::new(5u8)));
    assert!(matches!(
        wrong.loads::<Scene>(&bytes),
        Err(Error::TypeMismatch { .. })
    ));
}

/// Gadgets by name: a map's values are asked for persistent ids one by one, as fields are.
#[derive(Reducible, Debug, PartialEq)]
struct Gadgets(BTreeMap<String, Gadget>);

#[test]
fn persistent_ids_are_asked_for_each_value_of_a_map() {
    let gadget = |command: &str| Gadget {
        command: command.into(),
    };
    let gadgets = Gadgets(BTreeMap::from([
        ("a".to_string(), gadget("ls")),
        ("b".to_string(), gadget("rm")),
        ("c".to_string(), gadget("cat")),
    ]));
    let pickler = Pickler::new().persistent_id(|obj: &dyn Any| {
        obj.downcast_ref::<Gadget>()
            .filter(|g| g.command == "rm")
            .map(|_| "gadget/rm".to_string())
    });
    let bytes = pickler.dumps(&gadgets).unwrap();
    let unpickler = Unpickler::new().persistent_load(|id: &str| {
        assert_eq!(id, "gadget/rm");
        Ok(Box::new(Gadget {
            command: "echo".into(),
        }))
    });
    let back = unpickler.loads::<Gadgets>(&bytes).unwrap();
    let commands: Vec<&str> = back.0.values().map(|g| g.command.as_str()).collect();
    assert_eq!(commands, ["ls", "echo", "cat"]);
}

#[test]
fn a_pickler_cannot_take_another_types_name() {
    struct Impostor;
    let err = Pickler::new()
        .register_as(
            "untrusted.Point",
            |_: &Impostor| (0i32, 0i32),
            |_: i32, _: i32| Impostor,
        )
        .unwrap_err();
    assert!(matches!(err, Error::Ambiguous { .. }), "{err:?}");
}
