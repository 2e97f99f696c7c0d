trait Shape: std::any::Any {
    fn area(&self) -> f64;
}

#[derive(copyreg::Reducible)]
#[reducer(dyn(Shape))]
struct Label {
    text: String,
}

fn main() {}
