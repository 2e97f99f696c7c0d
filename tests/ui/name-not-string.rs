#[derive(copyreg::Reducible)]
#[reducer(name = geo::Point)]
struct Point {
    x: f64,
}

fn main() {}
