#[derive(copyreg::Reducible)]
#[reducer(nmae = "geo.Point")]
struct Point {
    x: f64,
}

fn main() {}
