#[derive(copyreg::Reducible)]
#[reducer(fn = pickle_point)]
struct Point {
    x: f64,
}

fn pickle_point(p: &Point) -> (f64,) {
    (p.x,)
}

fn main() {}
