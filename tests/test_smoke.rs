use copyreg::Reducible;

#[derive(Reducible, Debug, PartialEq)]
struct Point {
    x: f64,
    y: f64,
}

#[test]
fn smoke() {
    let p = Point { x: 1.0, y: 2.0 };
    let bytes = copyreg::dumps(&p).unwrap();
    assert_eq!(copyreg::loads::<Point>(&bytes).unwrap(), p);
}
