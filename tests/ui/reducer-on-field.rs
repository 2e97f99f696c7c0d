#[derive(copyreg::Reducible)]
struct Point {
    #[reducer(name = "x")]
    x: f64,
}

fn main() {}
