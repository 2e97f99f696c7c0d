struct Plain {
    x: u8,
}

copyreg::register!(Vec<Plain>);

fn main() {}
