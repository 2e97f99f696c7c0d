// `reduce` and `construct` are evaluated anew for every value: a closure that carries state
// is refused when the program compiles.
struct Meters(f64);

copyreg::register_foreign!(
    Meters,
    reduce = {
        let scale = 2.0f64;
        move |m: &Meters| (m.0 * scale,)
    },
    construct = Meters,
);

fn main() {}
