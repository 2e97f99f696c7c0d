#[derive(copyreg::Reducible)]
enum Event {
    Placed {
        id: u64,
        #[reducer(default)]
        note: String,
    },
}

fn main() {}
