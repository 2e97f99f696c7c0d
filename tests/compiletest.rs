//! Misuse that must not compile, with copyreg's own messages (`tests/ui/*.stderr`), and the
//! fixes copyreg's messages suggest, which must compile and work (`tests/hints/fixes.rs`).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/hints/fixes.rs");
}
