trait Shape {
    fn area(&self) -> f64;
}

#[derive(copyreg::Reducible)]
struct Drawing {
    shapes: Vec<Box<dyn Shape>>,
}

fn main() {}
