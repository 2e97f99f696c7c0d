#[derive(copyreg::Reducible)]
struct Wrapper<T> {
    inner: T,
}

fn main() {}
