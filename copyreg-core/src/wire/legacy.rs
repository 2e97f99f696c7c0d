//! The serde values of version 1 and 2 streams, which bincode 1.3.3's `bincode::serialize`
//! wrote: fixed-width little-endian integers, `u64` lengths, `u8` option tags and `u32`
//! variant indexes. This build only reads them, and this is the only module that calls
//! bincode (unmaintained, RUSTSEC-2025-0141, and pinned exactly for that reason).

use std::io;

use bincode::Options;
use serde::de::DeserializeOwned;

use crate::wire::guard::{Budget, GuardError, Guarded};

fn options() -> impl Options {
    bincode::DefaultOptions::new()
        .with_fixint_encoding()
        .with_little_endian()
        .allow_trailing_bytes()
}

/// Reads one value from the start of `rest`, through the guard, leaving in `rest` what
/// follows it. Never reads past the end of `rest`.
pub(crate) fn read_serde<T: DeserializeOwned>(
    rest: &mut &[u8],
    budget: &Budget,
) -> Result<T, GuardError> {
    let limit = rest.len() as u64;
    let mut de =
        bincode::Deserializer::with_bincode_read(SliceRead { rest }, options().with_limit(limit));
    T::deserialize(Guarded::new(&mut de, budget))
}

/// A bincode reader over a slice that leaves behind how far it got.
struct SliceRead<'a, 'b> {
    rest: &'b mut &'a [u8],
}

impl SliceRead<'_, '_> {
    fn split(&mut self, len: usize) -> bincode::Result<&[u8]> {
        if len > self.rest.len() {
            return Err(Box::new(bincode::ErrorKind::Io(
                io::ErrorKind::UnexpectedEof.into(),
            )));
        }
        let (head, tail) = self.rest.split_at(len);
        *self.rest = tail;
        Ok(head)
    }
}

impl io::Read for SliceRead<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.rest.read(buf)
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        self.rest.read_exact(buf)
    }
}

impl<'a> bincode::BincodeRead<'a> for SliceRead<'a, '_> {
    fn forward_read_str<V: serde::de::Visitor<'a>>(
        &mut self,
        length: usize,
        visitor: V,
    ) -> bincode::Result<V::Value> {
        let bytes = self.split(length)?;
        match std::str::from_utf8(bytes) {
            Ok(s) => visitor.visit_str(s),
            Err(e) => Err(Box::new(bincode::ErrorKind::InvalidUtf8Encoding(e))),
        }
    }

    fn get_byte_buffer(&mut self, length: usize) -> bincode::Result<Vec<u8>> {
        self.split(length).map(<[u8]>::to_vec)
    }

    fn forward_read_bytes<V: serde::de::Visitor<'a>>(
        &mut self,
        length: usize,
        visitor: V,
    ) -> bincode::Result<V::Value> {
        visitor.visit_bytes(self.split(length)?)
    }
}
