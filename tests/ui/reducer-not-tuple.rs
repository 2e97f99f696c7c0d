#[derive(copyreg::Reducible)]
#[reducer(fn = pickle_point, constructor = Point::new)]
struct Point {
    x: f64,
}

impl Point {
    fn new(x: f64) -> Point {
        Point { x }
    }
}

fn pickle_point(p: &Point) -> f64 {
    p.x
}

fn main() {}
