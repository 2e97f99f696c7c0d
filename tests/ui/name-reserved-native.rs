use copyreg::Reducible;

// `u32` is what streams call copyreg's own `u32`: taking it would break every program's.
#[derive(Reducible)]
#[reducer(name = "u32")]
struct Counter(u32);

copyreg::register_foreign!(
    std::time::Duration,
    reduce = |d: &std::time::Duration| (d.as_secs(),),
    construct = std::time::Duration::from_secs,
    name = "Vec",
);

#[copyreg::constructor(name = "String")]
fn old_counter(n: u32) -> Counter {
    Counter(n)
}

fn main() {}
