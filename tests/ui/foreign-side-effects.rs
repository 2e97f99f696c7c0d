// A block that does something before giving the reducer would do it for every value; it is
// evaluated at compile time, where it cannot.
struct Meters(f64);

copyreg::register_foreign!(
    Meters,
    reduce = {
        println!("reducing a Meters");
        |m: &Meters| (m.0,)
    },
    construct = Meters,
);

fn main() {}
