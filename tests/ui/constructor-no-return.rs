#[copyreg::constructor(name = "thermo.Reading")]
fn reading_v1(celsius: f64) {
    let _ = celsius;
}

fn main() {}
