//! The one error type of copyreg.
//!
//! What each error says is written in `engine/messages.rs`: the messages end with the fix,
//! and two of the fixes depend on what is registered.

use std::borrow::Cow;
use std::fmt;

/// The error type boxed constructors may return, and that [`Error::Construct`] keeps.
///
/// Any `E: Into<BoxError>` works as a constructor's error type: `String`, `&str`, and every
/// `std::error::Error + Send + Sync`.
///
/// ```
/// let error: copyreg::BoxError = "below absolute zero".into();
/// let wrapped = copyreg::Error::Construct { constructor: "thermo.Reading".into(), source: error };
/// assert_eq!(wrapped.to_string(), "constructor `thermo.Reading` failed: below absolute zero");
/// ```
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong while dumping, loading, copying or registering.
///
/// Every message names the type or constructor concerned and, where there is one, the fix.
///
/// ```
/// #[derive(Debug)]
/// struct Unregistered;
///
/// let err = copyreg::dumps(&Unregistered).unwrap_err();
/// assert!(matches!(err, copyreg::Error::NotRegistered { .. }));
/// assert!(err.to_string().contains("Unregistered"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// `dumps`, `copy` or `deepcopy` met a value whose type has no reducer.
    NotRegistered {
        /// The Rust type, as `std::any::type_name` spells it.
        type_name: &'static str,
        /// Where such values sit in what was dumped or copied: each field whose type can
        /// hold one, from the outermost derived type, in declaration order and separated by
        /// `, ` (`Order.id`, `Order.items[].sku`; `[]` steps into a collection's elements).
        /// Worked out from the types' declarations once the dump or copy has failed, so it
        /// costs nothing until then. Empty for the value passed in itself, or one behind a
        /// `Box<dyn Any>`.
        path: String,
    },
    /// A stream names a constructor that nobody registered in this program.
    UnknownConstructor {
        /// The constructor name read from the stream.
        name: String,
    },
    /// The stream holds a value of another type than the one asked for.
    TypeMismatch {
        /// The type the caller asked for.
        expected: &'static str,
        /// The type the stream's constructor builds.
        found: &'static str,
        /// The constructor named by the stream.
        constructor: String,
    },
    /// Two registrations of different types share one name, so copyreg refuses to guess.
    Ambiguous {
        /// The name registered more than once.
        name: String,
        /// The types behind the competing registrations, sorted.
        candidates: Vec<&'static str>,
    },
    /// A value is dumped or copied behind a trait object its type does not declare with
    /// `dyn(Trait)`, so no stream of it could be loaded back as that trait object.
    UndeclaredTrait {
        /// The value's type.
        type_name: &'static str,
        /// The trait object, as `std::any::type_name` spells it (`dyn shop::Discount`).
        trait_name: &'static str,
    },
    /// One type has two registrations under different names (two `register_foreign!`, say),
    /// so copyreg cannot tell which name its streams should carry. Python's `copyreg.pickle`
    /// keeps the last call; at link time there is no last.
    RegisteredTwice {
        /// The type, as `std::any::type_name` spells it.
        type_name: &'static str,
        /// The names of its registrations, sorted (run-time names are not listed).
        names: Vec<&'static str>,
    },
    /// Two registrations claim one compact code (`#[reducer(code = N)]`), so a stream that
    /// uses it could mean either.
    CodeConflict {
        /// The code claimed more than once.
        code: u32,
        /// The registrations claiming it, as "`name` (rust::Type)", sorted.
        claimants: Vec<&'static str>,
    },
    /// `pickle_as` or `Pickler::register_as` was given a name no stream could carry.
    InvalidName {
        /// The name given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A stream refers to a compact code that nothing in this program registers.
    UnknownCode {
        /// The code read from the stream.
        code: u32,
    },
    /// A stream holds objects of a derived struct written with a number of fields that this
    /// program's type cannot take: more than it has, or fewer than it needs (fields added
    /// later need `#[reducer(default)]`).
    FieldCount {
        /// The constructor name the stream gave.
        constructor: String,
        /// The type that would build them.
        type_name: &'static str,
        /// How many fields the stream's objects were written with.
        written: u32,
        /// How many the type needs: its fields before the first `#[reducer(default)]` one.
        required: u32,
        /// How many it writes today.
        takes: u32,
    },
    /// A constructor ran and returned an error.
    Construct {
        /// The constructor that failed.
        constructor: String,
        /// What it returned, kept as is.
        source: BoxError,
    },
    /// The bytes are not a copyreg stream at all: the header is missing or wrong.
    NotAStream {
        /// What the first bytes look like instead.
        reason: &'static str,
    },
    /// The stream was written by a format version this program does not read.
    UnsupportedVersion {
        /// The version byte found.
        found: u8,
    },
    /// The stream is a copyreg stream, but it is truncated or corrupt.
    Malformed {
        /// Byte offset from the start of the stream where reading failed.
        offset: usize,
        /// What was wrong there.
        reason: Cow<'static, str>,
    },
    /// A limit was reached: nesting depth on any call, and on loads also the input size,
    /// the memory the loaded value takes, or the number of objects (see `Unpickler`).
    Limit {
        /// Which limit.
        which: LimitKind,
        /// Its value.
        max: usize,
    },
    /// A stream names a constructor that the unpickler's allow-list does not allow.
    Forbidden {
        /// The constructor name.
        name: String,
    },
    /// A stream refers to an external object by a persistent id, and nothing resolves it.
    PersistentId {
        /// The id the stream holds.
        id: String,
    },
    /// A value holds a strong reference (`Arc`, `Rc`) back to an allocation that contains it.
    Cycle {
        /// The pointer type through which the cycle closes.
        type_name: &'static str,
    },
    /// A `RefCell` was mutably borrowed while copyreg needed to read it.
    Borrowed {
        /// The cell type.
        type_name: &'static str,
    },
    /// A serde `Serialize` implementation failed while dumping.
    Serialize {
        /// The type whose serialization failed.
        type_name: &'static str,
        /// serde's message.
        message: String,
    },
    /// `pickle` was asked to register a type that copyreg writes natively.
    Builtin {
        /// The native type.
        type_name: &'static str,
    },
    /// A Python pickle could not be read (its bytes are malformed, or use something not
    /// supported, such as out-of-band buffers), or a value cannot be written as one.
    Pickle {
        /// Byte offset of the opcode where reading failed; `None` when writing, or for a
        /// problem with the pickle as a whole.
        offset: Option<usize>,
        /// What was wrong.
        reason: Cow<'static, str>,
    },
    /// [`load`](crate::load) found the input at its end before a stream started: the clean
    /// end of a sequence of streams, as Python's `EOFError`. A stream cut off after its first
    /// byte is an error of its own: [`Error::NotAStream`] inside the 5-byte header,
    /// [`Error::Malformed`] after it.
    Eof,
    /// Reading or writing the underlying reader or writer failed.
    Io {
        /// What the reader or writer returned.
        source: std::io::Error,
    },
}

/// The limits a dump, load or copy can reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LimitKind {
    /// The input's length in bytes.
    InputSize,
    /// An estimate of the heap the loaded value takes, in bytes: string lengths, collection
    /// lengths times their element size, and each `Box`, `Arc` and `Rc`.
    Allocation,
    /// How many objects deep the value nests.
    Depth,
    /// How many objects the stream builds.
    Objects,
    /// How many collection elements the stream builds, all collections together, serde-only
    /// values included: what bounds the time spent on elements that take no bytes. By
    /// default, one per byte of input.
    Elements,
}

impl LimitKind {
    /// The sentence that ends the message of an [`Error::Limit`] of this kind.
    pub(crate) fn fix(self) -> &'static str {
        match self {
            LimitKind::Depth => {
                "copyreg stops there rather than overflow the stack; raise it with \
                                 `Unpickler::max_depth` if the value is really that deep"
            }
            LimitKind::InputSize => "raise it with `Unpickler::max_input` if the input is trusted",
            LimitKind::Allocation => "raise it with `Unpickler::max_alloc` if the input is trusted",
            LimitKind::Objects => "raise it with `Unpickler::max_objects` if the input is trusted",
            LimitKind::Elements => {
                "raise it with `Unpickler::max_elements` if the input is trusted"
            }
        }
    }
}

impl fmt::Display for LimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LimitKind::InputSize => "the input size in bytes",
            LimitKind::Allocation => "the memory the loaded value takes, in bytes,",
            LimitKind::Depth => "the nesting depth",
            LimitKind::Objects => "the number of objects",
            LimitKind::Elements => "the number of collection elements",
        })
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Construct { source, .. } => Some(&**source),
            Error::Io { source } => Some(source),
            _ => None,
        }
    }
}

/// An [`Error`] behind one pointer: what copyreg's internals and the code its macros
/// generate pass up. `Result<(), Error>` is tens of bytes, returned through memory and copied
/// at each level a dump, load or copy returns through; `Result<(), Failure>` fits in a
/// register, as serde's and bincode's results do. Public functions give the [`Error`] back.
///
/// ```
/// use copyreg::__private::Failure;
///
/// let failure = Failure::from(copyreg::Error::Borrowed { type_name: "RefCell<u8>" });
/// assert!(matches!(copyreg::Error::from(failure), copyreg::Error::Borrowed { .. }));
/// ```
#[doc(hidden)]
pub struct Failure(Box<Error>);

impl Failure {
    /// [`Error::Malformed`]: the stream is corrupt at byte `offset`.
    #[cold]
    pub(crate) fn malformed(offset: usize, reason: impl Into<Cow<'static, str>>) -> Self {
        Error::Malformed {
            offset,
            reason: reason.into(),
        }
        .into()
    }

    /// The error, to change.
    pub(crate) fn error_mut(&mut self) -> &mut Error {
        &mut self.0
    }

    /// The error, to look at.
    pub(crate) fn error(&self) -> &Error {
        &self.0
    }
}

impl From<Error> for Failure {
    // Errors end a dump, load or copy: boxing them is off the path that succeeds.
    #[cold]
    #[inline(never)]
    fn from(error: Error) -> Self {
        Failure(Box::new(error))
    }
}

impl From<Failure> for Error {
    fn from(failure: Failure) -> Self {
        *failure.0
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
