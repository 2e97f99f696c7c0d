//! The names streams give the types copyreg writes itself, and the shapes of the names it
//! builds for generic instances, tuples and arrays: no registration may take them, or a
//! program's `u32`s and `Vec<geo.Point>`s would depend on what else it links.

/// The names of copyreg's own types without parameters, and of the std containers, whose
/// instances are named after them (`Vec<u8>`).
pub(crate) const NATIVE_NAMES: &[&str] = &[
    "bool",
    "char",
    "String",
    "f32",
    "f64",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "PhantomData",
    "Vec",
    "VecDeque",
    "Option",
    "Box",
    "Arc",
    "Rc",
    "Weak",
    "Cell",
    "RefCell",
    "Mutex",
    "RwLock",
    "HashMap",
    "BTreeMap",
    "HashSet",
    "BTreeSet",
];

/// What the names copyreg builds contain: `box.Wrapper<geo.Point>`, `(u8, String)`,
/// `[u8; 3]`.
pub(crate) const BUILT_NAME_CHARS: &[char] = &['<', '>', '(', ')', '[', ']', ',', ';'];

/// Why `name` is copyreg's own, if it is.
pub(crate) fn reserved(name: &str) -> Option<&'static str> {
    if NATIVE_NAMES.contains(&name) {
        Some("streams use it for a type copyreg writes itself; use a dotted name such as \"app.Counter\"")
    } else if name.contains(BUILT_NAME_CHARS) {
        Some(
            "copyreg builds names with `<>()[],;` for generic instances, tuples and arrays; use \
             a dotted name such as \"app.Counter\"",
        )
    } else {
        None
    }
}
