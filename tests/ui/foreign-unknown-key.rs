struct Celsius(f64);

copyreg::register_foreign!(
    Celsius,
    reduce = |c: &Celsius| (c.0,),
    construct = Celsius,
    rename = "thermo.Celsius",
);

fn main() {}
