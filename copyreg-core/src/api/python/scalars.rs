//! The opcodes that push data with nothing inside: numbers, strings and bytes, in their
//! binary forms and protocol 0's text forms.

use num_bigint::BigInt;

use super::arena::Node;
use super::machine::{Machine, Step};
use super::opcodes::*;
use super::text;
use super::value::Value;

impl Machine<'_, '_> {
    /// Runs `op` if it pushes data; an error if it is no opcode at all.
    pub(super) fn scalar(&mut self, op: u8) -> Step {
        match op {
            NONE => self.push(Node::None),
            NEWTRUE => self.push(Node::Bool(true)),
            NEWFALSE => self.push(Node::Bool(false)),
            INT => {
                let text = self.line("INT")?;
                let value = match text {
                    b"00" => Value::Bool(false),
                    b"01" => Value::Bool(true),
                    _ => text::decimal(text).map_err(|e| self.error(e))?,
                };
                self.leaf(value);
            }
            LONG => {
                let text = self.line("LONG")?;
                let digits = text.strip_suffix(b"L").unwrap_or(text);
                let value = text::decimal(digits).map_err(|e| self.error(e))?;
                self.leaf(value);
            }
            BININT => {
                let n = i32::from_le_bytes(self.array("BININT")?);
                self.push(Node::Int(n.into()));
            }
            BININT1 => {
                let [n] = self.array("BININT1")?;
                self.push(Node::Int(n.into()));
            }
            BININT2 => {
                let n = u16::from_le_bytes(self.array("BININT2")?);
                self.push(Node::Int(n.into()));
            }
            LONG1 => {
                let len = self.len::<1>("LONG1")?;
                let bytes = self.take(len, "LONG1")?;
                self.int_bytes(bytes);
            }
            LONG4 => {
                let len = i32::from_le_bytes(self.array("LONG4")?);
                let len =
                    usize::try_from(len).map_err(|_| self.error("LONG4 has a negative length"))?;
                let bytes = self.take(len, "LONG4")?;
                self.int_bytes(bytes);
            }
            FLOAT => {
                let text = self.line("FLOAT")?;
                let value = std::str::from_utf8(text)
                    .ok()
                    .and_then(|t| t.trim().parse::<f64>().ok())
                    .ok_or_else(|| self.error("FLOAT's argument is not a float"))?;
                self.push(Node::Float(value));
            }
            BINFLOAT => {
                let value = f64::from_be_bytes(self.array("BINFLOAT")?);
                self.push(Node::Float(value));
            }
            STRING => {
                let text = self.line("STRING")?;
                let bytes = text::quoted(text).map_err(|e| self.error(e))?;
                self.leaf(text::python2_str(bytes));
            }
            BINSTRING => {
                let len = i32::from_le_bytes(self.array("BINSTRING")?);
                let len = usize::try_from(len)
                    .map_err(|_| self.error("BINSTRING has a negative length"))?;
                let bytes = self.take(len, "BINSTRING")?.to_vec();
                self.leaf(text::python2_str(bytes));
            }
            SHORT_BINSTRING => {
                let len = self.len::<1>("SHORT_BINSTRING")?;
                let bytes = self.take(len, "SHORT_BINSTRING")?.to_vec();
                self.leaf(text::python2_str(bytes));
            }
            UNICODE => {
                let text = self.line("UNICODE")?;
                let text = text::raw_unicode_escape(text).map_err(|e| self.error(e))?;
                self.leaf(Value::Str(text));
            }
            SHORT_BINUNICODE => self.unicode::<1>("SHORT_BINUNICODE")?,
            BINUNICODE => self.unicode::<4>("BINUNICODE")?,
            BINUNICODE8 => self.unicode::<8>("BINUNICODE8")?,
            SHORT_BINBYTES => self.bytes::<1>("SHORT_BINBYTES")?,
            BINBYTES => self.bytes::<4>("BINBYTES")?,
            BINBYTES8 => self.bytes::<8>("BINBYTES8")?,
            BYTEARRAY8 => self.byte_array()?,
            NEXT_BUFFER | READONLY_BUFFER => {
                return Err(self.error(
                    "the pickle uses an out-of-band buffer (protocol 5's PickleBuffer), which \
                     is not supported: pickle with buffer_callback=None",
                ))
            }
            other => {
                return Err(self.error(format!("0x{other:02x} is not a pickle opcode")));
            }
        }
        Ok(())
    }

    fn int_bytes(&mut self, bytes: &[u8]) {
        let value = if bytes.len() <= 8 {
            let fill = if bytes.last().is_some_and(|&b| b & 0x80 != 0) {
                0xff
            } else {
                0
            };
            let mut wide = [fill; 8];
            wide[..bytes.len()].copy_from_slice(bytes);
            Value::Int(i64::from_le_bytes(wide))
        } else {
            let big = BigInt::from_signed_bytes_le(bytes);
            match i64::try_from(&big) {
                Ok(small) => Value::Int(small),
                Err(_) => Value::BigInt(big),
            }
        };
        self.leaf(value);
    }

    fn unicode<const N: usize>(&mut self, what: &str) -> Step {
        let len = self.len::<N>(what)?;
        let bytes = self.take(len, what)?;
        let text = self.utf8(bytes, "a str")?;
        self.push(Node::Text(text));
        Ok(())
    }

    fn bytes<const N: usize>(&mut self, what: &str) -> Step {
        let len = self.len::<N>(what)?;
        let bytes = self.take(len, what)?;
        self.push(Node::Data(bytes));
        Ok(())
    }

    fn byte_array(&mut self) -> Step {
        let len = self.len::<8>("BYTEARRAY8")?;
        let bytes = self.take(len, "BYTEARRAY8")?.to_vec();
        self.leaf(Value::ByteArray(bytes));
        Ok(())
    }
}
