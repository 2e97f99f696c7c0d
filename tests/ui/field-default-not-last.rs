#[derive(copyreg::Reducible)]
struct Stock {
    sku: String,
    #[reducer(default)]
    note: String,
    qty: u32,
}

fn main() {}
