//! Register a reducer for `Point` and round-trip it: `loads(dumps(pt)).x == 3`.
//!
//! Python:
//! ```python
//! copyreg.pickle(Point, lambda p: (Point, (p.x, p.y)))
//! assert pickle.loads(pickle.dumps(Point(3, 4))).x == 3
//! ```

use copyreg::Reducible;

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "geo.Point", fn = pickle_point, constructor = Point::new)]
struct Point {
    x: i32,
    y: i32,
}

impl Point {
    fn new(x: i32, y: i32) -> Point {
        Point { x, y }
    }
}

fn pickle_point(p: &Point) -> (i32, i32) {
    (p.x, p.y)
}

fn main() -> Result<(), copyreg::Error> {
    let pt = Point::new(3, 4);
    let bytes = copyreg::dumps(&pt)?;
    let back: Point = copyreg::loads(&bytes)?;
    assert_eq!(back.x, 3);
    println!("{back:?} from {} bytes", bytes.len());
    Ok(())
}
