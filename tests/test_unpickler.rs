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

/// A type of "another crate": registered with `register_foreign!`, so it is not `Reducible`.
mod vendor {
    #[derive(Debug, PartialEq, Clone, Copy)]
    pub struct Sku(pub u32);
}

copyreg::register_foreign!(
    vendor::Sku,
    reduce = |s: &vendor::Sku| (s.0,),
    construct = |n: u32| vendor::Sku(n),
    name = "vendor.Sku",
);

trait Note: Any + std::fmt::Debug {}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "tree.Sticker", dyn(Note))]
struct Sticker(String);
impl Note for Sticker {}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "tree.Line")]
struct Line {
    sku: vendor::Sku,
    qty: u32,
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "tree.Tag")]
enum Tag {
    Plain,
    Priced {
        by: BTreeMap<String, std::sync::Arc<Line>>,
    },
}

#[derive(Reducible, Debug)]
#[reducer(name = "tree.Order")]
struct Order {
    lines: Vec<(Line, Option<Box<Tag>>)>,
    /// Recursive: the walk must end.
    parts: Vec<Order>,
    notes: Vec<Box<dyn Note>>,
}

fn order(note: bool) -> Order {
    let line = || Line {
        sku: vendor::Sku(7),
        qty: 2,
    };
    let priced = Tag::Priced {
        by: BTreeMap::from([("eur".to_string(), std::sync::Arc::new(line()))]),
    };
    Order {
        lines: vec![(line(), Some(Box::new(priced)))],
        parts: vec![Order {
            lines: vec![(line(), None)],
            parts: vec![],
            notes: vec![],
        }],
        notes: match note {
            true => vec![Box::new(Sticker("fragile".into()))],
            false => vec![],
        },
    }
}

#[test]
fn allow_takes_a_foreign_type() {
    let bytes = copyreg::dumps(&vendor::Sku(3)).unwrap();
    assert!(matches!(
        Unpickler::new()
            .allow::<Point>()
            .loads::<vendor::Sku>(&bytes),
        Err(Error::Forbidden { .. })
    ));
    let unpickler = Unpickler::new().allow::<vendor::Sku>();
    assert_eq!(
        unpickler.loads::<vendor::Sku>(&bytes).unwrap(),
        vendor::Sku(3)
    );
}

#[test]
fn allow_tree_allows_every_type_the_fields_can_hold_and_nothing_else() {
    let bytes = copyreg::dumps(&order(false)).unwrap();
    // Each type one by one: the foreign leaf and the types behind the containers too.
    let one_by_one = Unpickler::new()
        .allow::<Order>()
        .allow::<Line>()
        .allow::<Tag>();
    match one_by_one.loads::<Order>(&bytes) {
        Err(Error::Forbidden { name }) => assert_eq!(name, "vendor.Sku"),
        other => panic!("{other:?}"),
    }
    let tree = Unpickler::new().allow_tree::<Order>();
    let back = tree.loads::<Order>(&bytes).unwrap();
    assert_eq!(back.lines, order(false).lines);
    assert_eq!(back.parts[0].lines, order(false).parts[0].lines);

    // A trait object's contents are not part of the tree.
    let with_note = copyreg::dumps(&order(true)).unwrap();
    match tree.loads::<Order>(&with_note) {
        Err(Error::Forbidden { name }) => assert_eq!(name, "tree.Sticker"),
        other => panic!("{other:?}"),
    }
    assert!(tree
        .clone()
        .allow_dyn::<dyn Note>()
        .loads::<Order>(&with_note)
        .is_ok());

    // Nor is anything the declaration cannot hold.
    let scene = copyreg::dumps(&scene(false)).unwrap();
    assert!(matches!(
        tree.loads::<Scene>(&scene),
        Err(Error::Forbidden { .. })
    ));
    // A subtree allows its own part only.
    let lines = copyreg::dumps(&vec![Line {
        sku: vendor::Sku(1),
        qty: 1,
    }])
    .unwrap();
    let line_tree = Unpickler::new().allow_tree::<Line>();
    assert_eq!(line_tree.loads::<Vec<Line>>(&lines).unwrap().len(), 1);
    assert!(matches!(
        line_tree.loads::<Order>(&bytes),
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
