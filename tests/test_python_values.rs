//! `copyreg::python`'s values against real CPython: every case of `tests/python/values.py`
//! pickled by CPython with protocols 0 to 5 reads as the value CPython describes, and every
//! value written with protocols 2 to 5 loads in CPython as the original object.
//!
//! These tests drive `python3`; where it is not on `PATH` they print a notice and pass.

mod cpython;

use copyreg::python::{dumps_value_with, loads_value, BigInt, Object, Value};
use cpython::{hex, to_hex};
use serde_json::{json, Value as Json};

fn python(mode: &str, input: &str) -> Option<(String, bool)> {
    cpython::run("values.py", mode, input)
}

/// CPython's pickles of every case, one JSON object per case and protocol.
fn cases() -> Option<Vec<Json>> {
    let (out, ok) = python("emit", "")?;
    assert!(ok, "values.py emit failed");
    let cases: Vec<Json> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        cases.len() > 100,
        "values.py emitted only {} cases",
        cases.len()
    );
    Some(cases)
}

/// A value in values.py's tagged description.
fn describe(value: &Value) -> Json {
    let all = |items: &[Value]| Json::Array(items.iter().map(describe).collect());
    let pairs = |pairs: &[(Value, Value)]| {
        Json::Array(
            pairs
                .iter()
                .map(|(k, v)| json!([describe(k), describe(v)]))
                .collect(),
        )
    };
    match value {
        Value::None => json!(["none"]),
        Value::Bool(b) => json!(["bool", b]),
        Value::Int(n) => json!(["int", n.to_string()]),
        Value::BigInt(n) => json!(["int", n.to_string()]),
        Value::Float(x) => json!(["float", x.to_bits().to_string()]),
        Value::Str(s) => json!(["str", s]),
        Value::Bytes(b) => json!(["bytes", to_hex(b)]),
        Value::ByteArray(b) => json!(["bytearray", to_hex(b)]),
        Value::List(items) => json!(["list", all(items)]),
        Value::Tuple(items) => json!(["tuple", all(items)]),
        Value::Dict(items) => json!(["dict", pairs(items)]),
        Value::Set(items) => json!(["set", all(items)]),
        Value::FrozenSet(items) => json!(["frozenset", all(items)]),
        Value::Global { module, name } => json!(["global", module, name]),
        Value::Ext(code) => json!(["ext", code]),
        Value::Persistent(id) => json!(["persistent", describe(id)]),
        Value::Object(o) => json!([
            "object",
            describe(&o.callable),
            all(&o.args),
            pairs(&o.kwargs),
            o.new,
            o.state.as_ref().map(describe),
            all(&o.items),
            pairs(&o.entries),
        ]),
        other => panic!("no description for {other:?}"),
    }
}

/// The value a tagged description describes.
fn build(desc: &Json) -> Value {
    let tag = desc[0].as_str().unwrap();
    let all = |items: &Json| {
        items
            .as_array()
            .unwrap()
            .iter()
            .map(build)
            .collect::<Vec<_>>()
    };
    let pairs = |items: &Json| {
        let items = items.as_array().unwrap().iter();
        items
            .map(|kv| (build(&kv[0]), build(&kv[1])))
            .collect::<Vec<_>>()
    };
    let text = || desc[1].as_str().unwrap().to_owned();
    match tag {
        "none" => Value::None,
        "bool" => Value::Bool(desc[1].as_bool().unwrap()),
        "int" => match text().parse::<i64>() {
            Ok(n) => Value::Int(n),
            Err(_) => Value::BigInt(text().parse::<BigInt>().unwrap()),
        },
        "float" => Value::Float(f64::from_bits(text().parse().unwrap())),
        "str" => Value::Str(text()),
        "bytes" => Value::Bytes(hex(&text())),
        "bytearray" => Value::ByteArray(hex(&text())),
        "list" => Value::List(all(&desc[1])),
        "tuple" => Value::Tuple(all(&desc[1])),
        "dict" => Value::Dict(pairs(&desc[1])),
        "set" => Value::Set(all(&desc[1])),
        "frozenset" => Value::FrozenSet(all(&desc[1])),
        "global" => Value::Global {
            module: text(),
            name: desc[2].as_str().unwrap().to_owned(),
        },
        "ext" => Value::Ext(desc[1].as_u64().unwrap() as u32),
        "persistent" => Value::Persistent(Box::new(build(&desc[1]))),
        "object" => {
            let mut call = Object::call(build(&desc[1]), all(&desc[2]));
            call.kwargs = pairs(&desc[3]);
            call.new = desc[4].as_bool().unwrap();
            call.state = (!desc[5].is_null()).then(|| build(&desc[5]));
            call.items = all(&desc[6]);
            call.entries = pairs(&desc[7]);
            Value::Object(Box::new(call))
        }
        other => panic!("unknown tag {other}"),
    }
}

fn holds_objects(desc: &Json) -> bool {
    match desc {
        Json::Array(items) => {
            matches!(desc[0].as_str(), Some("object" | "persistent" | "ext"))
                || items.iter().any(holds_objects)
        }
        _ => false,
    }
}

#[test]
fn cpython_pickles_of_every_protocol_read_as_what_they_hold() {
    let Some(cases) = cases() else { return };
    let mut protocols = [0; 6];
    for case in &cases {
        let name = case["case"].as_str().unwrap();
        let protocol = case["protocol"].as_u64().unwrap();
        let bytes = hex(case["pickle"].as_str().unwrap());
        let loaded = loads_value(&bytes);
        if name == "recursive list" {
            let err = loaded.unwrap_err();
            assert!(err.to_string().contains("contains itself"), "{err}");
        } else {
            let loaded = loaded.unwrap_or_else(|e| panic!("{name}, protocol {protocol}: {e}"));
            assert_eq!(
                describe(&loaded),
                case["expect"],
                "{name}, protocol {protocol}"
            );
            // What is read writes back as itself with every protocol.
            for again in 2..=5 {
                let bytes = dumps_value_with(&loaded, again).unwrap();
                let back = loads_value(&bytes).unwrap();
                assert_eq!(
                    describe(&back),
                    case["expect"],
                    "{name}, {protocol} -> {again}"
                );
            }
        }
        protocols[protocol as usize] += 1;
    }
    assert!(
        protocols.iter().all(|&n| n >= 20),
        "cases per protocol: {protocols:?}"
    );
}

#[test]
fn values_written_with_protocols_2_to_5_load_in_cpython() {
    let Some(cases) = cases() else { return };
    let mut jobs = String::new();
    let (mut written, mut exact) = (0, 0);
    for case in cases.iter().filter(|c| c["written"] == true) {
        let protocol = case["protocol"].as_u64().unwrap() as u8;
        if protocol < 2 {
            continue;
        }
        let value = build(&case["expect"]);
        let bytes = dumps_value_with(&value, protocol).unwrap();
        // What CPython wrote, less the memo: the same opcodes, for data without calls.
        if !holds_objects(&case["expect"]) && case["memo_read"] == false {
            let optimized = case["optimized"].as_str().unwrap();
            assert_eq!(
                to_hex(&bytes),
                optimized,
                "{}, protocol {protocol}: not what CPython writes",
                case["case"]
            );
            exact += 1;
        }
        let job = json!({"case": case["case"], "protocol": protocol, "pickle": to_hex(&bytes)});
        jobs.push_str(&job.to_string());
        jobs.push('\n');
        written += 1;
    }
    assert!(written > 80, "only {written} pickles written");
    assert!(
        exact > 50,
        "only {exact} pickles compared with CPython's bytes"
    );
    let (report, ok) = python("check", &jobs).unwrap();
    assert!(ok, "CPython could not load what copyreg wrote:\n{report}");
    assert!(report.contains("checked, 0 failures"), "{report}");
}
