// A constructor name cannot be empty: streams could not carry it.

#[derive(copyreg::Reducible)]
#[reducer(name = "")]
struct Nameless(u8);

#[copyreg::constructor(name = "")]
fn nameless_v1(n: u8) -> Nameless {
    Nameless(n)
}

struct Celsius(f64);

copyreg::register_foreign!(
    Celsius,
    reduce = |c: &Celsius| (c.0,),
    construct = Celsius,
    name = "",
);

fn main() {}
