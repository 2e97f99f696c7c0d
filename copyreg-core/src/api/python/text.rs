//! The text forms of protocol 0: decimal integers, Python 2 `str` literals and
//! `raw-unicode-escape` strings.

use num_bigint::BigInt;

use super::value::Value;

/// The most digits a decimal `int` may have: CPython's own limit on converting text to
/// `int` (`sys.int_info.default_max_str_digits`), which also keeps parsing linear.
pub(crate) const MAX_DIGITS: usize = 4300;

/// An `int` written in decimal, with an optional sign.
pub(crate) fn decimal(text: &[u8]) -> Result<Value, String> {
    let digits = text
        .strip_prefix(b"-")
        .or(text.strip_prefix(b"+"))
        .unwrap_or(text);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(format!("`{}` is not an integer", text.escape_ascii()));
    }
    if digits.len() > MAX_DIGITS {
        return Err(format!(
            "an integer of {} digits is past CPython's limit of {MAX_DIGITS}",
            digits.len()
        ));
    }
    // Only ASCII digits and a sign are left: the text is UTF-8.
    let text = std::str::from_utf8(text).map_err(|e| e.to_string())?;
    Ok(match text.parse::<i64>() {
        Ok(small) => Value::Int(small),
        Err(_) => match text.parse::<BigInt>() {
            Ok(big) => Value::BigInt(big),
            Err(e) => return Err(e.to_string()),
        },
    })
}

/// The bytes of a Python 2 `str` literal as `repr` writes it: quoted with `'` or `"`, with
/// backslash escapes (`codecs.escape_decode`).
pub(crate) fn quoted(text: &[u8]) -> Result<Vec<u8>, String> {
    let inner = match text {
        [q @ (b'\'' | b'"'), inner @ .., end] if end == q => inner,
        _ => return Err("a STRING argument is not quoted".into()),
    };
    let mut out = Vec::with_capacity(inner.len());
    let mut rest = inner;
    while let Some((&byte, tail)) = rest.split_first() {
        rest = tail;
        if byte != b'\\' {
            out.push(byte);
            continue;
        }
        let Some((&escape, tail)) = rest.split_first() else {
            return Err("a STRING argument ends in a backslash".into());
        };
        rest = tail;
        match escape {
            b'\n' => {}
            b'\\' | b'\'' | b'"' => out.push(escape),
            b'a' => out.push(0x07),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(0x0b),
            b'x' => {
                let hex = rest.get(..2).ok_or("a \\x escape needs two hex digits")?;
                out.push(hex_value(hex).ok_or("a \\x escape needs two hex digits")? as u8);
                rest = &rest[2..];
            }
            b'0'..=b'7' => {
                let mut value = u32::from(escape - b'0');
                for _ in 0..2 {
                    match rest.first() {
                        Some(&d @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(d - b'0');
                            rest = &rest[1..];
                        }
                        _ => break,
                    }
                }
                // Python keeps the low byte of an octal escape past \377.
                out.push(value as u8);
            }
            // An unknown escape stays as written, backslash included.
            other => out.extend_from_slice(&[b'\\', other]),
        }
    }
    Ok(out)
}

/// Text in `raw-unicode-escape`: Latin-1 bytes, except `\uXXXX` and `\UXXXXXXXX` after an
/// odd number of backslashes. Protocol 0 writes `str` this way.
pub(crate) fn raw_unicode_escape(bytes: &[u8]) -> Result<String, String> {
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte != b'\\' {
            out.push(char::from(byte));
            i += 1;
            continue;
        }
        let run = bytes[i..].iter().take_while(|&&b| b == b'\\').count();
        let after = i + run;
        let width = match bytes.get(after) {
            Some(b'u') if run % 2 == 1 => 4,
            Some(b'U') if run % 2 == 1 => 8,
            _ => {
                out.extend(std::iter::repeat_n('\\', run));
                i = after;
                continue;
            }
        };
        out.extend(std::iter::repeat_n('\\', run - 1));
        let hex = bytes
            .get(after + 1..after + 1 + width)
            .ok_or("a \\u escape is cut short")?;
        let code = hex_value(hex).ok_or("a \\u escape holds a non-hex digit")?;
        let c = char::from_u32(code).ok_or_else(|| {
            format!("U+{code:04X} (a lone surrogate or past U+10FFFF) cannot be in a Rust string")
        })?;
        out.push(c);
        i = after + 1 + width;
    }
    Ok(out)
}

fn hex_value(hex: &[u8]) -> Option<u32> {
    hex.iter().try_fold(0u32, |acc, &h| {
        let digit = char::from(h).to_digit(16)?;
        Some(acc * 16 + digit)
    })
}

/// A Python 2 `str`: text when it is ASCII (as Python 3 reads it by default), bytes
/// otherwise (as Python 3 reads it with `encoding="bytes"`).
pub(crate) fn python2_str(bytes: Vec<u8>) -> Value {
    match String::from_utf8(bytes) {
        Ok(text) if text.is_ascii() => Value::Str(text),
        Ok(text) => Value::Bytes(text.into_bytes()),
        Err(e) => Value::Bytes(e.into_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_strings_decode_every_escape() {
        assert_eq!(quoted(br"'a\'b\x41\101\n\\'").unwrap(), b"a'bAA\n\\");
        assert_eq!(quoted(br#""q\q""#).unwrap(), b"q\\q");
        assert!(quoted(b"'open").is_err());
        assert!(quoted(br"'\x4'").is_err());
    }

    #[test]
    fn raw_unicode_escape_decodes_only_odd_backslash_runs() {
        assert_eq!(raw_unicode_escape(br"\u00e9\u000a").unwrap(), "é\n");
        assert_eq!(raw_unicode_escape(br"\\u0041").unwrap(), r"\\u0041");
        assert_eq!(raw_unicode_escape(br"\\\u0041").unwrap(), r"\\A");
        assert_eq!(raw_unicode_escape(b"\xe9").unwrap(), "é");
        assert!(raw_unicode_escape(br"\ud800").is_err());
        assert!(raw_unicode_escape(br"\u12").is_err());
    }

    #[test]
    fn decimals_past_i64_are_big() {
        assert_eq!(decimal(b"-12").unwrap(), Value::Int(-12));
        assert!(matches!(
            decimal(b"99999999999999999999").unwrap(),
            Value::BigInt(_)
        ));
        assert!(decimal(b"1_0").is_err());
        assert!(decimal(&[b'9'; MAX_DIGITS + 1]).is_err());
    }
}
