#[derive(copyreg::Reducible)]
#[reducer(name = "geo.Point", name = "geo.Point2")]
struct Point {
    x: f64,
}

fn main() {}
