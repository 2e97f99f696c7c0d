#[copyreg::constructor]
struct Reading {
    celsius: f64,
}

fn main() {}
