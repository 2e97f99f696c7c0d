//! One entry of a stream's name table, as its bytes hold it: what loads look up, and what
//! [`dis`](crate::dis) lists.

use crate::wire::error::Failure;
use crate::wire::frame::{MAX_CODE, MAX_NAME_LEN};
use crate::wire::input::Input;

/// What an entry names a constructor by.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Key<'a> {
    /// A compact code, in range.
    Code(u32),
    /// A name's bytes, not yet checked to be UTF-8 (a registered name is), and their offset.
    Name(&'a [u8], usize),
}

/// A name-table entry: where it starts, what it names, and how many fields a derived
/// struct's objects were written with (format 4 on; `None` for anything else).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry<'a> {
    pub(crate) at: usize,
    pub(crate) key: Key<'a>,
    pub(crate) fields: Option<u32>,
}

impl<'a> Input<'a> {
    /// Reads a name-table entry: a varint length and a name, or a zero and a compact code;
    /// then, from format 4, the field count plus one (zero: not counted).
    #[inline(always)]
    pub(crate) fn entry(&mut self) -> Result<Entry<'a>, Failure> {
        let at = self.offset();
        let len = self.varint()?;
        let key = if len == 0 {
            let code = self.varint()?;
            let code = u32::try_from(code)
                .ok()
                .filter(|c| (1..=MAX_CODE).contains(c))
                .ok_or_else(|| {
                    Failure::malformed(at, format!("compact code {code} is out of range"))
                })?;
            Key::Code(code)
        } else {
            if len > MAX_NAME_LEN as u64 {
                return Err(Failure::malformed(
                    at,
                    format!("constructor name of {len} bytes"),
                ));
            }
            let start = self.offset();
            Key::Name(self.take(len as usize)?, start)
        };
        let fields = match self.counts_fields() {
            true => {
                let at = self.offset();
                let n = self.varint()?;
                match n.checked_sub(1).map(u32::try_from) {
                    None => None,
                    Some(Ok(n)) => Some(n),
                    Some(Err(_)) => {
                        return Err(Failure::malformed(
                            at,
                            format!("a struct of {} fields", n - 1),
                        ))
                    }
                }
            }
            false => None,
        };
        Ok(Entry { at, key, fields })
    }
}
