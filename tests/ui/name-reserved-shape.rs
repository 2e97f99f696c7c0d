use copyreg::Reducible;

// The names copyreg builds for generic instances, tuples and arrays.
#[derive(Reducible)]
#[reducer(name = "box.Wrapper<geo.P1>")]
struct Counter(u32);

#[derive(Reducible)]
#[reducer(name = "(u8, String)")]
struct Pair(u8, String);

#[derive(Reducible)]
#[reducer(name = "[u8; 3]")]
struct Triple([u8; 3]);

fn main() {}
