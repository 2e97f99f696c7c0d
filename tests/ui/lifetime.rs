#[derive(copyreg::Reducible)]
struct Borrowed<'a> {
    name: &'a str,
}

fn main() {}
