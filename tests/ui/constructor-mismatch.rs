#[derive(copyreg::Reducible)]
#[reducer(fn = pickle_point, constructor = Point::new)]
struct Point {
    x: f64,
    y: f64,
}

impl Point {
    fn new(x: f64) -> Point {
        Point { x, y: 0.0 }
    }
}

fn pickle_point(p: &Point) -> (f64, f64) {
    (p.x, p.y)
}

fn main() {}
