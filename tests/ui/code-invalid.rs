// Compact codes are integers from 1 to 2^31 - 1, and only non-generic types have one.

#[derive(copyreg::Reducible)]
#[reducer(code = 0)]
struct Zero(u8);

#[derive(copyreg::Reducible)]
#[reducer(code = 2147483648)]
struct TooBig(u8);

#[derive(copyreg::Reducible)]
#[reducer(code = "7")]
struct NotAnInteger(u8);

#[derive(copyreg::Reducible)]
#[reducer(code = 7)]
struct Generic<T>(T);

struct Celsius(f64);

copyreg::register_foreign!(
    Celsius,
    reduce = |c: &Celsius| (c.0,),
    construct = Celsius,
    code = 0,
);

fn main() {}
