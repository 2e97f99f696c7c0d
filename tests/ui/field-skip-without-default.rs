struct Handle(u32);

#[derive(copyreg::Reducible)]
struct Session {
    user: String,
    #[reducer(skip)]
    handle: Handle,
}

fn main() {}
