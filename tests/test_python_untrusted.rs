//! `copyreg::python::loads_value` on hostile bytes: an error that says what is wrong, never a
//! panic, a hang, a stack overflow or an allocation the input does not pay for.

use copyreg::python::{dumps_value_with, loads_value, Value};
use copyreg::{Error, LimitKind, Unpickler};

fn reason(bytes: &[u8]) -> String {
    match loads_value(bytes) {
        Err(Error::Pickle { reason, .. }) => reason.into_owned(),
        other => panic!("expected a pickle error for {bytes:?}, got {other:?}"),
    }
}

#[test]
fn malformed_pickles_say_what_is_wrong_and_where() {
    let cases: &[(&[u8], &str)] = &[
        (b"", "ends before its STOP"),
        (b"N", "ends before its STOP"),
        (b"\x80\x06N.", "protocol 6 is newer"),
        (b"\xff.", "0xff is not a pickle opcode"),
        (b".", "too few items"),
        (b"a.", "too few items"),
        (b"h\x05.", "memo key 5 was never stored"),
        (b"NNs.", "too few items"),
        (b"e.", "no MARK is open"),
        (b"(N0N1.", "too few items"),
        (
            b"\x8d\xff\xff\xff\xff\xff\xff\xff\x0f.",
            "runs past the end",
        ),
        (b"X\x05\x00\x00\x00ab.", "runs past the end"),
        (b"X\x02\x00\x00\x00\xc3(.", "not UTF-8"),
        (
            b"\x95\xff\x00\x00\x00\x00\x00\x00\x00N.",
            "FRAME runs past the end",
        ),
        (b"\x97.", "out-of-band buffer"),
        (b"\x82\x00.", "extension code 0"),
        (b"Vab\\ud800\n.", "lone surrogate"),
        (b"I12x\n.", "not an integer"),
        (b"Fpi\n.", "not a float"),
        (b"S'open\n.", "not quoted"),
        (b"NNR.", "REDUCE's arguments must be a tuple"),
        (b"]Nb.", "BUILD gives state"),
        (b"N(Ne.", "not a list or set"),
    ];
    for (bytes, expected) in cases {
        let reason = reason(bytes);
        assert!(reason.contains(expected), "{bytes:?}: {reason}");
    }
    // Every error carries the offset of the opcode that failed.
    let err = loads_value(b"\x80\x02K\x01K\x02\xfe.").unwrap_err();
    assert!(
        matches!(
            err,
            Error::Pickle {
                offset: Some(6),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "Python pickle, opcode at byte 6: 0xfe is not a pickle opcode"
    );
}

#[test]
fn a_long_decimal_int_is_refused_as_cpython_refuses_it() {
    let mut bytes = b"L".to_vec();
    bytes.extend(std::iter::repeat_n(b'7', 5000));
    bytes.extend_from_slice(b"L\n.");
    assert!(reason(&bytes).contains("CPython's limit of 4300"));
}

#[test]
fn every_prefix_and_every_byte_flip_of_a_real_pickle_is_an_error_or_a_value() {
    // pickle.dumps({"a": [1, (2.5, "x")], "b": {1, 2}, "c": b"\x00"}, protocol=4)
    let bytes: &[u8] = b"\x80\x04\x95-\x00\x00\x00\x00\x00\x00\x00}\x94(\x8c\x01a\x94]\x94(K\x01G@\x04\x00\x00\x00\x00\x00\x00\x8c\x01x\x94\x86\x94e\x8c\x01b\x94\x8f\x94(K\x01K\x02\x90\x8c\x01c\x94C\x01\x00\x94u.";
    let whole = loads_value(bytes).unwrap();
    assert!(matches!(&whole, Value::Dict(items) if items.len() == 3));
    for end in 0..bytes.len() {
        assert!(loads_value(&bytes[..end]).is_err(), "prefix of {end} bytes");
    }
    let mut flipped = bytes.to_vec();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            flipped[i] ^= 1 << bit;
            let _ = loads_value(&flipped);
            flipped[i] ^= 1 << bit;
        }
    }
}

#[test]
fn lengths_are_checked_against_the_input_before_anything_is_allocated() {
    // Claims of 2^62 bytes for a str, a bytes, a bytearray and a long.
    for op in [0x8d_u8, 0x8e, 0x96] {
        let mut bytes = vec![0x80, 5, op];
        bytes.extend_from_slice(&(1u64 << 62).to_le_bytes());
        bytes.push(b'.');
        assert!(reason(&bytes).contains("runs past the end"), "{op:#x}");
    }
    assert!(reason(b"\x8b\xff\xff\xff\x7f.").contains("runs past the end"));
    assert!(reason(b"T\xff\xff\xff\xff.").contains("negative length"));
}

#[test]
fn a_small_pickle_cannot_expand_into_a_large_value() {
    // A list of 1,000 Nones, then a list that holds it 30 times, and a list that holds
    // that one 30 times: 900,000 elements out of about 1,100 bytes.
    let mut bytes = b"\x80\x02](".to_vec();
    bytes.extend(std::iter::repeat_n(b'N', 1000));
    bytes.extend_from_slice(b"eq\x00](");
    bytes.extend(std::iter::repeat_n(*b"h\x00", 30).flatten());
    bytes.extend_from_slice(b"eq\x01](");
    bytes.extend(std::iter::repeat_n(*b"h\x01", 30).flatten());
    bytes.extend_from_slice(b"e.");
    let err = loads_value(&bytes).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Limit {
                which: LimitKind::Elements,
                ..
            }
        ),
        "{err}"
    );
    // Each copy counts: with room for them, it loads.
    let roomy = Unpickler::new().max_elements(1_000_000);
    let Value::List(rows) = roomy.python_loads_value(&bytes).unwrap() else {
        panic!("a list")
    };
    assert_eq!(rows.len(), 30);

    // A 64 KiB str referred to 10,000 times: 640 MB of copies, against a 16 MiB budget.
    let mut bytes = b"\x80\x04\x8d".to_vec();
    bytes.extend_from_slice(&65536u64.to_le_bytes());
    bytes.extend(std::iter::repeat_n(b's', 65536));
    bytes.extend_from_slice(b"\x94](");
    bytes.extend(std::iter::repeat_n(*b"h\x00", 10_000).flatten());
    bytes.extend_from_slice(b"e.");
    let strict = Unpickler::new().max_alloc(16 << 20).max_elements(1 << 20);
    let err = strict.python_loads_value(&bytes).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Limit {
                which: LimitKind::Allocation,
                ..
            }
        ),
        "{err}"
    );
}

fn nested_lists(depth: usize) -> Vec<u8> {
    // `depth` MARKs, an empty list, then `depth` LISTs: a list `depth` + 1 deep.
    let mut bytes = vec![b'('; depth];
    bytes.push(b']');
    bytes.extend(std::iter::repeat_n(b'l', depth));
    bytes.push(b'.');
    bytes
}

#[test]
fn nesting_past_the_depth_limit_is_an_error_not_a_stack_overflow() {
    // The reading machine is iterative; the tree it becomes stops at the limit.
    let err = loads_value(&nested_lists(100_000)).unwrap_err();
    assert!(err.to_string().contains("deeper than 1000 levels"), "{err}");
    let strict = Unpickler::new().max_depth(50);
    let err = strict.python_loads_value(&nested_lists(60)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Limit {
                which: LimitKind::Depth,
                max: 50
            }
        ),
        "{err}"
    );
    // As deep as a Value goes, it loads, compares, formats and writes back.
    let bytes = nested_lists(copyreg::python::MAX_VALUE_DEPTH - 1);
    let value = loads_value(&bytes).unwrap();
    assert!(format!("{value:?}").len() > 2000);
    let written = dumps_value_with(&value, 4).unwrap();
    assert_eq!(loads_value(&written).unwrap(), value.clone());
    assert!(loads_value(&nested_lists(copyreg::python::MAX_VALUE_DEPTH)).is_err());
}

#[test]
fn a_container_that_holds_itself_is_an_error() {
    // l = []; l.append(l); pickle.dumps(l, protocol=2)
    let err = loads_value(b"\x80\x02]q\x00h\x00a.").unwrap_err();
    assert!(err.to_string().contains("contains itself"), "{err}");
    // A tuple inside a list inside the tuple, as `t = ([],); t[0].append(t)` pickles.
    let err = loads_value(b"\x80\x02]q\x00h\x00\x85q\x01a0h\x01.").unwrap_err();
    assert!(err.to_string().contains("contains itself"), "{err}");
}

#[test]
fn values_that_no_pickle_can_hold_are_refused_when_written() {
    use copyreg::python::Object;

    let global = |m: &str, n: &str| Value::Global {
        module: m.into(),
        name: n.into(),
    };
    assert!(dumps_value_with(&Value::Ext(0), 4).is_err());
    assert!(dumps_value_with(&Value::Ext(0x8000_0000), 4).is_err());
    let line_break = global("a\nb", "c");
    assert!(dumps_value_with(&line_break, 3)
        .unwrap_err()
        .to_string()
        .contains("line break"));
    assert!(dumps_value_with(&line_break, 4).is_ok());
    let mut call = Object::call(global("m", "f"), vec![]);
    call.kwargs = vec![(Value::Str("k".into()), Value::None)];
    let err = dumps_value_with(&Value::Object(Box::new(call)), 4).unwrap_err();
    assert!(err.to_string().contains("keyword arguments"), "{err}");
    for protocol in [0, 1, 6] {
        let err = dumps_value_with(&Value::None, protocol).unwrap_err();
        assert!(err.to_string().contains("choose 2 to 5"), "{err}");
    }
}

#[test]
fn python_2_module_names_read_the_same_in_every_protocol() {
    // Found by fuzzing: `__builtin__.bytes()` in a protocol 3 pickle read as a call, and
    // wrote back (protocol 2 maps `builtins` to `__builtin__`) as what reads as bytes.
    for proto in [2u8, 3, 4] {
        let bytes = [&[0x80, proto][..], b"c__builtin__\nbytes\n)R."].concat();
        assert_eq!(
            loads_value(&bytes).unwrap(),
            Value::Bytes(Vec::new()),
            "{proto}"
        );
    }
    let global = loads_value(b"\x80\x03ccopy_reg\nadd_extension\n.").unwrap();
    assert_eq!(
        global,
        Value::Global {
            module: "copyreg".into(),
            name: "add_extension".into()
        }
    );
}
