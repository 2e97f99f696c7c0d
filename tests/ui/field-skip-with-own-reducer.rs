#[derive(copyreg::Reducible)]
#[reducer(fn = |p: &Point| (p.x,), constructor = Point::new)]
struct Point {
    x: f64,
    #[reducer(skip)]
    norm: f64,
}

impl Point {
    fn new(x: f64) -> Point {
        Point { x, norm: x.abs() }
    }
}

fn main() {}
