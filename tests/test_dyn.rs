//! Trait objects: `Box<dyn Trait>`, `Arc<dyn Trait>`, `Rc<dyn Trait>`, `Box<dyn Any>`.

use std::any::Any;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use copyreg::{Error, Pickler, Reducible, Unpickler};

mod common;

trait Shape: Any {
    fn area(&self) -> f64;
}

trait Named: Any {
    fn name(&self) -> String;
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "shape.Circle", dyn(Shape, Named))]
struct Circle {
    r: f64,
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "shape.Square", dyn(Shape))]
struct Square(f64);

/// Not declared as a Shape.
#[derive(Reducible, Debug, PartialEq)]
struct Plain(u8);

impl Shape for Circle {
    fn area(&self) -> f64 {
        3.0 * self.r * self.r
    }
}

impl Named for Circle {
    fn name(&self) -> String {
        format!("circle {}", self.r)
    }
}

impl Shape for Square {
    fn area(&self) -> f64 {
        self.0 * self.0
    }
}

impl Shape for Plain {
    fn area(&self) -> f64 {
        0.0
    }
}

// A type of another crate, loadable as a Shape too.
impl Shape for Duration {
    fn area(&self) -> f64 {
        self.as_secs_f64()
    }
}

copyreg::register_foreign!(
    Duration,
    reduce = |d: &Duration| (d.as_secs(), d.subsec_nanos()),
    construct = Duration::new,
    dyn (Shape),
);

/// Many objects of a few types behind one trait.
#[derive(Reducible)]
#[reducer(name = "shape.Shapes")]
struct Shapes(Vec<Box<dyn Shape>>);

fn alternating(n: u32) -> Shapes {
    Shapes(
        (0..n)
            .map(|i| -> Box<dyn Shape> {
                match i % 3 {
                    0 => Box::new(Circle { r: f64::from(i) }),
                    1 => Box::new(Square(f64::from(i))),
                    _ => Box::new(Duration::from_secs(u64::from(i))),
                }
            })
            .collect(),
    )
}

#[derive(Reducible)]
struct Drawing {
    shapes: Vec<Box<dyn Shape>>,
    shared: Arc<dyn Shape>,
    again: Arc<dyn Shape>,
    local: Rc<dyn Shape>,
    label: Option<Box<dyn Named>>,
    anything: Box<dyn Any>,
}

fn drawing() -> Drawing {
    let shared: Arc<dyn Shape> = Arc::new(Square(2.0));
    Drawing {
        shapes: vec![
            Box::new(Circle { r: 1.0 }),
            Box::new(Square(3.0)),
            Box::new(Duration::from_secs(4)),
        ],
        again: shared.clone(),
        shared,
        local: Rc::new(Circle { r: 2.0 }),
        label: Some(Box::new(Circle { r: 5.0 })),
        anything: Box::new(String::from("any")),
    }
}

fn areas(d: &Drawing) -> Vec<f64> {
    d.shapes.iter().map(|s| s.area()).collect()
}

#[test]
fn trait_objects_round_trip_as_fields() {
    let bytes = copyreg::dumps(&drawing()).unwrap();
    let back = copyreg::loads::<Drawing>(&bytes).unwrap();
    assert_eq!(areas(&back), [3.0, 9.0, 4.0]);
    assert_eq!(back.shared.area(), 4.0);
    assert!(Arc::ptr_eq(&back.shared, &back.again));
    assert_eq!(back.local.area(), 12.0);
    assert_eq!(back.label.as_ref().unwrap().name(), "circle 5");
    assert_eq!(back.anything.downcast_ref::<String>().unwrap(), "any");
    let circle = (back.shapes[0].as_ref() as &dyn Any).downcast_ref::<Circle>();
    assert_eq!(circle, Some(&Circle { r: 1.0 }));
}

#[test]
fn each_type_behind_a_trait_object_is_named_once_and_each_object_offered_as_persistent() {
    let shapes = alternating(9);
    let bytes = copyreg::dumps(&shapes).unwrap();
    assert_eq!(
        common::names(&bytes),
        ["shape.Shapes", "shape.Circle", "shape.Square", "Duration"]
    );
    let back = copyreg::loads::<Shapes>(&bytes).unwrap();
    let areas = |s: &Shapes| s.0.iter().map(|s| s.area()).collect::<Vec<_>>();
    assert_eq!(areas(&back), areas(&shapes));

    // The third circle only, after two written in full: a persistent id is asked for per
    // object, not per type.
    let pickler = Pickler::new().persistent_id(|obj: &dyn Any| {
        obj.downcast_ref::<Circle>()
            .filter(|c| c.r == 6.0)
            .map(|_| "big circle".to_string())
    });
    let bytes = pickler.dumps(&shapes).unwrap();
    let unpickler = Unpickler::new().persistent_load(|id: &str| {
        assert_eq!(id, "big circle");
        Ok(Box::new(Circle { r: 10.0 }))
    });
    let back = unpickler.loads::<Shapes>(&bytes).unwrap();
    let mut expected = areas(&shapes);
    expected[6] = 300.0;
    assert_eq!(areas(&back), expected);
}

#[test]
fn trait_objects_copy_and_deepcopy() {
    let original = drawing();
    let shallow = copyreg::copy(&original).unwrap();
    assert!(Arc::ptr_eq(&shallow.shared, &original.shared));
    assert_eq!(areas(&shallow), areas(&original));

    let deep = copyreg::deepcopy(&original).unwrap();
    assert!(!Arc::ptr_eq(&deep.shared, &original.shared));
    assert!(Arc::ptr_eq(&deep.shared, &deep.again));
    assert!(!Rc::ptr_eq(&deep.local, &original.local));
    assert_eq!(areas(&deep), areas(&original));
}

#[test]
fn loads_dyn_rebuilds_a_trait_object_at_top_level() {
    let shape: Box<dyn Shape> = Box::new(Circle { r: 2.0 });
    let bytes = copyreg::dumps_dyn(&*shape).unwrap();
    assert_eq!(bytes, copyreg::dumps(&Circle { r: 2.0 }).unwrap());
    let back = copyreg::loads_dyn::<dyn Shape>(&bytes).unwrap();
    assert_eq!(back.area(), 12.0);
    let named = copyreg::loads_dyn::<dyn Named>(&bytes).unwrap();
    assert_eq!(named.name(), "circle 2");
    let any = copyreg::loads_dyn::<dyn Any>(&bytes);
    // `dyn Any` is what loads_any is for; loads_dyn needs a declared trait.
    assert!(any.is_err());
}

#[test]
fn a_type_that_did_not_declare_the_trait_is_a_type_mismatch() {
    let bytes = copyreg::dumps(&Plain(1)).unwrap();
    let Err(err) = copyreg::loads_dyn::<dyn Shape>(&bytes) else {
        panic!("a Plain loaded as a Shape");
    };
    match &err {
        Error::TypeMismatch {
            expected, found, ..
        } => {
            assert!(expected.contains("Shape"), "{expected}");
            assert!(found.contains("Plain"), "{found}");
        }
        other => panic!("{other:?}"),
    }
    // The message says what to declare.
    assert!(
        err.to_string().ends_with(&format!(
            "; if a `{}` should load as a `dyn {}`, add `dyn(Shape)` to its `#[reducer(...)]` \
             (or to its `register_foreign!`)",
            std::any::type_name::<Plain>(),
            module_path!().to_string() + "::Shape",
        )),
        "{err}"
    );
    // Square is a Shape but not Named.
    let bytes = copyreg::dumps(&Square(1.0)).unwrap();
    assert!(matches!(
        copyreg::loads_dyn::<dyn Named>(&bytes),
        Err(Error::TypeMismatch { .. })
    ));
}

#[test]
fn a_type_behind_a_trait_it_did_not_declare_is_refused_when_dumped_or_copied() {
    let d = Drawing {
        shapes: vec![Box::new(Square(1.0)), Box::new(Plain(2))],
        ..drawing()
    };
    let expected = format!(
        "a `{plain}` is held as a `dyn {shape}`, which `{plain}` does not declare, so no stream \
         of it could be loaded back; add `dyn(Shape)` to its `#[reducer(...)]` (or to its \
         `register_foreign!`)",
        plain = std::any::type_name::<Plain>(),
        shape = module_path!().to_string() + "::Shape",
    );
    for result in [
        copyreg::dumps(&d).map(drop),
        copyreg::copy(&d).map(drop),
        copyreg::deepcopy(&d).map(drop),
    ] {
        match result {
            Err(err @ Error::UndeclaredTrait { .. }) => assert_eq!(err.to_string(), expected),
            other => panic!("{other:?}"),
        }
    }
    // Behind `Box<dyn Any>`, any registered type goes.
    let any: Box<dyn Any> = Box::new(Plain(3));
    assert!(copyreg::dumps(&Holder1(any)).is_ok());
}

#[derive(Reducible)]
struct Holder1(Box<dyn Any>);

#[test]
fn an_unregistered_type_behind_a_trait_object_is_not_registered() {
    struct Ghost;
    impl Shape for Ghost {
        fn area(&self) -> f64 {
            0.0
        }
    }
    let d = Drawing {
        shapes: vec![Box::new(Ghost)],
        ..drawing()
    };
    assert!(matches!(
        copyreg::dumps(&d),
        Err(Error::NotRegistered { .. })
    ));
}

/// A square as an older program wrote it: a whole side, under the name "shape.Tile". Here
/// it is registered as "shape.Tilf", and [`from_before`] puts the old name back.
mod before {
    #[derive(copyreg::Reducible)]
    #[reducer(name = "shape.Tilf", dyn(super::Shape))]
    pub struct Tile(pub u32);

    impl super::Shape for Tile {
        fn area(&self) -> f64 {
            0.0
        }
    }
}

/// Today's program reads old tiles as squares.
#[copyreg::constructor(name = "shape.Tile")]
fn tile(side: u32) -> Square {
    Square(f64::from(side))
}

#[derive(Reducible)]
struct Holder {
    boxed: Box<dyn Shape>,
    shared: Arc<dyn Shape>,
    again: Arc<dyn Shape>,
    local: Rc<dyn Shape>,
}

fn from_before(holder: &Holder) -> Vec<u8> {
    let mut bytes = copyreg::dumps(holder).unwrap();
    let at = bytes.windows(10).position(|w| w == b"shape.Tilf").unwrap();
    bytes[at..at + 10].copy_from_slice(b"shape.Tile");
    bytes
}

#[test]
fn trait_objects_built_by_another_constructor_are_cast_to_each_pointer() {
    let shared: Arc<dyn Shape> = Arc::new(before::Tile(3));
    let old = Holder {
        boxed: Box::new(before::Tile(2)),
        again: shared.clone(),
        shared,
        local: Rc::new(before::Tile(4)),
    };
    // `tile` builds a Square, not a pointer: the Square's declared cast makes each one.
    let back = copyreg::loads::<Holder>(&from_before(&old)).unwrap();
    let is_square = |s: &dyn Shape| (s as &dyn Any).downcast_ref::<Square>().is_some();
    assert!(is_square(&*back.boxed) && is_square(&*back.shared) && is_square(&*back.local));
    let areas = [&*back.boxed, &*back.shared, &*back.again, &*back.local].map(|s| s.area());
    assert_eq!(areas, [4.0, 9.0, 9.0, 16.0]);
    assert!(Arc::ptr_eq(&back.shared, &back.again));
}

/// Nested through runs of trait objects: a `Vec`'s or a map's trait objects share one stack
/// check, and each object among them still counts one level.
trait Level: Any + Send {
    fn depth(&self) -> usize;
}

#[derive(Reducible)]
#[reducer(dyn(Level))]
struct Group {
    list: Vec<Box<dyn Level>>,
    map: std::collections::BTreeMap<u8, Box<dyn Level>>,
}

impl Level for Group {
    fn depth(&self) -> usize {
        let below = self.list.iter().chain(self.map.values());
        1 + below.map(|level| level.depth()).max().unwrap_or(0)
    }
}

/// `depth` groups, each inside the one above: in its list, or in its map.
fn group_chain(depth: usize, in_map: bool) -> Group {
    let mut group = Group {
        list: Vec::new(),
        map: Default::default(),
    };
    for _ in 1..depth {
        let inner: Box<dyn Level> = Box::new(group);
        group = Group {
            list: Vec::new(),
            map: Default::default(),
        };
        if in_map {
            group.map.insert(0, inner);
        } else {
            group.list.push(inner);
        }
    }
    group
}

#[test]
fn nesting_through_runs_of_trait_objects_counts_every_object_and_grows_the_stack() {
    for in_map in [false, true] {
        // On the test thread's own stack: only the checks make room for this.
        let deepest = group_chain(copyreg::MAX_DEPTH, in_map);
        let back = copyreg::loads::<Group>(&copyreg::dumps(&deepest).unwrap()).unwrap();
        assert_eq!(back.depth(), copyreg::MAX_DEPTH);
        assert_eq!(
            copyreg::deepcopy(&back).unwrap().depth(),
            copyreg::MAX_DEPTH
        );
        std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(move || {
                // Dropping a chain this long recurses too.
                drop((deepest, back));
                let over = group_chain(copyreg::MAX_DEPTH + 1, in_map);
                for result in [
                    copyreg::dumps(&over).map(drop),
                    copyreg::copy(&over).map(drop),
                ] {
                    assert!(matches!(
                        result,
                        Err(Error::Limit {
                            which: copyreg::LimitKind::Depth,
                            ..
                        })
                    ));
                }
            })
            .unwrap()
            .join()
            .unwrap();
    }
}
