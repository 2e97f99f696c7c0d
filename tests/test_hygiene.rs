//! Generated code names everything by full path: shadowing the prelude changes nothing.
#![no_implicit_prelude]
#![allow(dead_code)]

#[allow(unused_extern_crates)] // needed under no_implicit_prelude
extern crate copyreg;
extern crate std;

// Shadow the names generated code might have used unqualified.
struct Result;
struct Ok;
struct Err;
struct Option;
struct Some;
struct None;
struct Box;
struct Vec;
struct String;
struct Default;
trait Into {}
mod core {}
mod inventory {}

#[derive(copyreg::Reducible)]
struct Plain {
    a: u8,
    b: ::std::string::String,
    c: ::std::vec::Vec<::std::option::Option<u16>>,
}

#[derive(copyreg::Reducible)]
enum Choice {
    One(i32),
    Two { x: f64 },
    Three,
}

#[derive(copyreg::Reducible)]
#[reducer(fn = |c: &Custom| (c.0,), constructor = Custom::new)]
struct Custom(u32);

impl Custom {
    fn new(v: u32) -> ::std::result::Result<Custom, ::std::string::String> {
        ::std::result::Result::Ok(Custom(v))
    }
}

struct Foreign(i8);

copyreg::register_foreign!(Foreign, reduce = |f: &Foreign| (f.0,), construct = Foreign);

#[copyreg::constructor]
fn build(v: u32) -> Custom {
    Custom(v)
}

#[test]
fn shadowed_names_do_not_break_generated_code() {
    let bytes = copyreg::dumps(&Custom(3)).unwrap();
    ::std::assert_eq!(copyreg::loads::<Custom>(&bytes).unwrap().0, 3);
    let f = copyreg::copy(&Foreign(-1)).unwrap();
    ::std::assert_eq!(f.0, -1);
    let c = copyreg::deepcopy(&Choice::Two { x: 1.5 }).unwrap();
    ::std::assert!(::std::matches!(c, Choice::Two { x } if x == 1.5));
}
