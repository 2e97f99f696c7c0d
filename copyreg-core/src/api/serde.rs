//! copyreg objects inside serde: [`Pickled<T>`] holds a value's copyreg stream and is a serde
//! type for every `T`, and this module's [`serialize`] and [`deserialize`] make it a
//! `#[serde(with = "copyreg::serde")]` module for a field of a registered type.
//!
//! With these, any serde transport (serde_json, bincode, a message queue's codec, a process
//! pool's or a cluster's exchange) carries what copyreg can: foreign types with no serde
//! impl, trait objects and shared graphs. The stream is written as bytes in binary formats,
//! and as a base64 string in human-readable ones.
//!
//! ```
//! use std::net::Ipv4Addr;
//! use copyreg::serde::Pickled;
//!
//! // A type of another crate, registered once; it needs no serde impl.
//! copyreg::register_foreign!(Ipv4Addr, reduce = |a: &Ipv4Addr| (a.octets(),), construct = Ipv4Addr::from);
//!
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct Message {
//!     topic: String,
//!     gateway: Pickled<Ipv4Addr>,
//!     #[serde(with = "copyreg::serde")]
//!     backup: Ipv4Addr,
//! }
//!
//! let message = Message {
//!     topic: "route".into(),
//!     gateway: Pickled::new(&Ipv4Addr::new(10, 0, 0, 1))?,
//!     backup: Ipv4Addr::new(10, 0, 0, 2),
//! };
//! let json = serde_json::to_string(&message)?;
//! let back: Message = serde_json::from_str(&json)?;
//! assert_eq!(back.gateway.load()?, Ipv4Addr::new(10, 0, 0, 1));
//! assert_eq!(back.backup, Ipv4Addr::new(10, 0, 0, 2));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;

use base64::Engine;
use serde::de::{self, Deserializer, Visitor};
use serde::ser::{Error as _, Serializer};

use crate::api::unpickler::Unpickler;
use crate::wire::error::Error;
use crate::wire::input::Input;

/// A value's copyreg stream, typed by the value: a serde type for every `T`, `Clone` whether
/// or not `T` is, and `Send` and `Sync` always (it holds bytes). `Eq` and `Hash` compare the
/// streams: equal streams hold equal values, but equal values can make different streams (two
/// equal `HashMap`s iterate in different orders).
///
/// Build it with [`Pickled::new`], move it through any serde transport, and [`load`]
/// (or [`load_with`] an [`Unpickler`] for untrusted input) at the other end. Deserializing
/// checks that the bytes are one whole copyreg stream; the value is rebuilt, with all of
/// copyreg's checks, only by `load`.
///
/// [`load`]: Pickled::load
/// [`load_with`]: Pickled::load_with
///
/// ```
/// use copyreg::serde::Pickled;
///
/// #[derive(copyreg::Reducible, Debug, PartialEq)]
/// struct Job {
///     id: u32,
/// }
///
/// let pickled: Pickled<Job> = Pickled::new(&Job { id: 7 })?;
/// let copy = pickled.clone(); // Job is not Clone; its stream is
/// let wire = bincode::serialize(&copy)?;
/// let back: Pickled<Job> = bincode::deserialize(&wire)?;
/// assert_eq!(back.load()?, Job { id: 7 });
/// assert_eq!(back, pickled);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Pickled<T: ?Sized> {
    bytes: Vec<u8>,
    // `fn() -> T`: the stream is only bytes, so `Pickled<T>` is `Send` and `Sync` whatever
    // `T` is, and does not own a `T` for the drop checker.
    value: PhantomData<fn() -> T>,
}

impl<T: Any> Pickled<T> {
    /// Dumps `value`, as [`dumps`](crate::dumps) does.
    ///
    /// ```
    /// let pickled = copyreg::serde::Pickled::new(&vec![1u8, 2])?;
    /// assert_eq!(pickled.as_bytes(), copyreg::dumps(&vec![1u8, 2])?);
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn new(value: &T) -> Result<Self, Error> {
        crate::api::functions::dumps(value).map(Pickled::from_stream)
    }

    /// Rebuilds the value, as [`loads`](crate::loads) does, with the default limits.
    ///
    /// ```
    /// let pickled = copyreg::serde::Pickled::new(&String::from("hi"))?;
    /// assert_eq!(pickled.load()?, "hi");
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn load(&self) -> Result<T, Error> {
        crate::api::functions::loads(&self.bytes)
    }

    /// Rebuilds the value with `unpickler`'s allow-list, limits and constructors: for bytes
    /// from a source you do not trust.
    ///
    /// ```
    /// use copyreg::{serde::Pickled, Error, Unpickler};
    ///
    /// #[derive(copyreg::Reducible, Debug, PartialEq)]
    /// struct Order(u32);
    ///
    /// let pickled = Pickled::new(&Order(5))?;
    /// assert_eq!(pickled.load_with(&Unpickler::new().allow::<Order>())?, Order(5));
    /// let strict = Unpickler::new().allow_name("nothing.Else");
    /// assert!(matches!(pickled.load_with(&strict), Err(Error::Forbidden { .. })));
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn load_with(&self, unpickler: &Unpickler) -> Result<T, Error> {
        unpickler.loads(&self.bytes)
    }
}

impl<T: ?Sized> Pickled<T> {
    fn from_stream(bytes: Vec<u8>) -> Self {
        Pickled {
            bytes,
            value: PhantomData,
        }
    }

    /// The copyreg stream.
    ///
    /// ```
    /// let pickled = copyreg::serde::Pickled::new(&3u8)?;
    /// assert_eq!(copyreg::loads::<u8>(pickled.as_bytes())?, 3);
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The copyreg stream, taken out.
    ///
    /// ```
    /// let bytes = copyreg::serde::Pickled::new(&3u8)?.into_bytes();
    /// assert_eq!(bytes, copyreg::dumps(&3u8)?);
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Wraps bytes that should be one copyreg stream of a `T`, as read from elsewhere.
    /// Like deserializing, it checks that they are one whole stream (for a version 1 stream,
    /// which does not say its length, that its name table fits), and nothing more: the value
    /// is checked when it is loaded.
    ///
    /// ```
    /// use copyreg::serde::Pickled;
    ///
    /// let pickled = Pickled::<u8>::from_bytes(copyreg::dumps(&3u8)?)?;
    /// assert_eq!(pickled.load()?, 3);
    /// assert!(Pickled::<u8>::from_bytes(b"junk".to_vec()).is_err());
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, Error> {
        Input::open(&bytes)?;
        Ok(Pickled::from_stream(bytes))
    }
}

impl<T: ?Sized> Clone for Pickled<T> {
    fn clone(&self) -> Self {
        Pickled::from_stream(self.bytes.clone())
    }
}

impl<T: ?Sized> PartialEq for Pickled<T> {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl<T: ?Sized> Eq for Pickled<T> {}

impl<T: ?Sized> std::hash::Hash for Pickled<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.bytes.hash(state);
    }
}

impl<T: ?Sized> fmt::Debug for Pickled<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Pickled<{}>({} bytes)",
            std::any::type_name::<T>(),
            self.bytes.len()
        )
    }
}

impl<T: ?Sized> serde::Serialize for Pickled<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_stream(&self.bytes, serializer)
    }
}

impl<'de, T: ?Sized> serde::Deserialize<'de> for Pickled<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_stream(deserializer).map(Pickled::from_stream)
    }
}

/// Serializes a field of a registered type as its copyreg stream:
/// `#[serde(with = "copyreg::serde")]` (see the [module](self)). A copyreg error, an
/// unregistered type say, becomes the format's error, with copyreg's message.
///
/// ```
/// #[derive(copyreg::Reducible, Debug, PartialEq)]
/// struct Point(i32, i32);
///
/// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
/// struct Frame {
///     #[serde(with = "copyreg::serde")]
///     origin: Point,
/// }
///
/// let json = serde_json::to_string(&Frame { origin: Point(1, 2) })?;
/// assert_eq!(serde_json::from_str::<Frame>(&json)?, Frame { origin: Point(1, 2) });
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn serialize<T: Any, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    let bytes = crate::api::functions::dumps(value).map_err(S::Error::custom)?;
    serialize_stream(&bytes, serializer)
}

/// Deserializes a field written by [`serialize`] and rebuilds its value, as
/// [`loads`](crate::loads) does, with the default limits; a copyreg error becomes the
/// format's error, with copyreg's message. For input you do not trust, make the field a
/// [`Pickled<T>`] and load it with [`Pickled::load_with`] an allow-list.
///
/// ```
/// #[derive(copyreg::Reducible, Debug, PartialEq)]
/// struct Point(i32, i32);
///
/// #[derive(serde::Deserialize, Debug)]
/// struct Frame {
///     #[serde(with = "copyreg::serde")]
///     #[allow(dead_code)]
///     origin: Point,
/// }
///
/// let err = serde_json::from_str::<Frame>(r#"{"origin": "bm90IGEgc3RyZWFt"}"#).unwrap_err();
/// assert!(err.to_string().contains("not a copyreg stream"), "{err}");
/// ```
pub fn deserialize<'de, T: Any, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    let bytes = deserialize_stream(deserializer)?;
    crate::api::functions::loads(&bytes).map_err(de::Error::custom)
}

fn serialize_stream<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    if serializer.is_human_readable() {
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    } else {
        serializer.serialize_bytes(bytes)
    }
}

/// Reads a stream written by [`serialize_stream`], and checks that it is one whole stream.
fn deserialize_stream<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
    let bytes = if deserializer.is_human_readable() {
        deserializer.deserialize_str(StreamVisitor)?
    } else {
        deserializer.deserialize_byte_buf(StreamVisitor)?
    };
    match Input::open(&bytes) {
        Ok(_) => Ok(bytes),
        Err(failure) => Err(de::Error::custom(Error::from(failure))),
    }
}

/// Takes a stream as bytes, or as base64 text.
struct StreamVisitor;

impl<'de> Visitor<'de> for StreamVisitor {
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a copyreg stream, as bytes or as base64 text")
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Vec<u8>, E> {
        Ok(bytes.to_vec())
    }

    fn visit_byte_buf<E: de::Error>(self, bytes: Vec<u8>) -> Result<Vec<u8>, E> {
        Ok(bytes)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Vec<u8>, E> {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| E::custom(format!("a copyreg stream's base64 text is invalid: {e}")))
    }

    // Binary formats that keep bytes as a list of numbers (MessagePack's arrays, say) give
    // them back that way. The list grows only as its elements arrive.
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
        let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(byte) = seq.next_element()? {
            bytes.push(byte);
        }
        Ok(bytes)
    }
}
