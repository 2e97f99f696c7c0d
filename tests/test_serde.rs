//! The serde bridge: `copyreg::serde::Pickled<T>` and `#[serde(with = "copyreg::serde")]`
//! carry copyreg objects through serde_json and bincode.

mod common;

use std::any::Any;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::rc::Rc;
use std::sync::Arc;

use copyreg::serde::Pickled;
use copyreg::{Error, Reducible, Unpickler};
use serde::{Deserialize, Serialize};

copyreg::register_foreign!(
    SocketAddrV4,
    reduce = |a: &SocketAddrV4| (a.ip().octets(), a.port()),
    construct = |ip: [u8; 4], port: u16| SocketAddrV4::new(Ipv4Addr::from(ip), port),
    name = "bridge.SocketAddrV4",
);

trait Shape: Any {
    fn area(&self) -> f64;
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "bridge.Rect", dyn(Shape))]
struct Rect {
    w: f64,
    h: f64,
}

impl Shape for Rect {
    fn area(&self) -> f64 {
        self.w * self.h
    }
}

/// Not `Clone`, not serde: a foreign type, trait objects and shared `Arc`s.
#[derive(Reducible)]
#[reducer(name = "bridge.Scene")]
struct Scene {
    server: SocketAddrV4,
    shapes: Vec<Box<dyn Shape>>,
    left: Arc<Rect>,
    right: Arc<Rect>,
}

fn scene() -> Scene {
    let shared = Arc::new(Rect { w: 2.0, h: 3.0 });
    Scene {
        server: "10.1.2.3:7000".parse().unwrap(),
        shapes: vec![
            Box::new(Rect { w: 1.0, h: 1.0 }),
            Box::new(Rect { w: 4.0, h: 0.5 }),
        ],
        left: shared.clone(),
        right: shared,
    }
}

fn check_scene(s: &Scene) {
    assert_eq!(s.server, "10.1.2.3:7000".parse::<SocketAddrV4>().unwrap());
    let areas: Vec<f64> = s.shapes.iter().map(|x| x.area()).collect();
    assert_eq!(areas, [1.0, 2.0]);
    assert!(Arc::ptr_eq(&s.left, &s.right), "the Arcs stay shared");
}

/// An ordinary serde message carrying copyreg objects both ways.
#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Envelope {
    seq: u64,
    scene: Pickled<Scene>,
    #[serde(with = "copyreg::serde")]
    addr: SocketAddrV4,
}

fn envelope() -> Envelope {
    Envelope {
        seq: 9,
        scene: Pickled::new(&scene()).unwrap(),
        addr: "192.168.0.1:53".parse().unwrap(),
    }
}

#[test]
fn pickled_values_travel_through_serde_json_and_bincode() {
    let json = serde_json::to_string(&envelope()).unwrap();
    let from_json: Envelope = serde_json::from_str(&json).unwrap();
    let wire = bincode::serialize(&envelope()).unwrap();
    let from_bincode: Envelope = bincode::deserialize(&wire).unwrap();
    for back in [from_json, from_bincode] {
        assert_eq!(back, envelope());
        check_scene(&back.scene.load().unwrap());
    }
}

#[test]
fn binary_formats_get_bytes_and_human_readable_ones_base64() {
    let pickled = Pickled::new(&7u32).unwrap();
    let stream = copyreg::dumps(&7u32).unwrap();
    // bincode: the stream's length, then the stream.
    let mut expected = (stream.len() as u64).to_le_bytes().to_vec();
    expected.extend_from_slice(&stream);
    assert_eq!(bincode::serialize(&pickled).unwrap(), expected);
    // JSON: one base64 string.
    let json = serde_json::to_value(&pickled).unwrap();
    let text = json.as_str().expect("a string");
    assert!(text.starts_with("Y3ByZw"), "base64 of `cprg`: {text}");
    assert_eq!(
        serde_json::from_value::<Pickled<u32>>(json).unwrap(),
        pickled
    );
}

#[test]
fn pickled_is_clone_debug_send_and_sync_for_any_type() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Pickled<Rc<u8>>>();
    let pickled: Pickled<Scene> = Pickled::new(&scene()).unwrap();
    let copy = pickled.clone();
    assert_eq!(copy, pickled);
    let debug = format!("{pickled:?}");
    assert!(debug.starts_with("Pickled<test_serde::Scene>("), "{debug}");
    assert!(debug.ends_with(" bytes)"), "{debug}");
    check_scene(&copy.load().unwrap());
}

#[test]
fn copyreg_errors_surface_as_the_formats_errors_with_copyregs_message() {
    struct Unregistered;
    #[derive(Serialize)]
    struct Holder {
        #[serde(with = "copyreg::serde")]
        value: Unregistered,
    }
    let err = serde_json::to_string(&Holder {
        value: Unregistered,
    })
    .unwrap_err();
    assert!(
        err.to_string().contains("no reducer is registered"),
        "{err}"
    );
    let err = bincode::serialize(&Holder {
        value: Unregistered,
    })
    .unwrap_err();
    assert!(
        err.to_string().contains("no reducer is registered"),
        "{err}"
    );

    // A stream of another type in the field.
    let mut value = serde_json::to_value(envelope()).unwrap();
    value["addr"] = serde_json::to_value(Pickled::new(&5u8).unwrap()).unwrap();
    let err = serde_json::from_value::<Envelope>(value).unwrap_err();
    assert!(err.to_string().contains("expected a `"), "{err}");

    // Bytes that are not a stream fail when deserialized, before anything is loaded.
    let err = serde_json::from_str::<Pickled<u8>>("\"aGVsbG8=\"").unwrap_err();
    assert!(err.to_string().contains("not a copyreg stream"), "{err}");
    let err = serde_json::from_str::<Pickled<u8>>("\"***\"").unwrap_err();
    assert!(err.to_string().contains("base64"), "{err}");
    let err = bincode::deserialize::<Pickled<u8>>(&[3, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3]).unwrap_err();
    assert!(err.to_string().contains("not a copyreg stream"), "{err}");
}

#[test]
fn untrusted_pickled_values_load_with_an_unpickler() {
    let pickled = envelope().scene;
    let only_rects = Unpickler::new().allow::<Rect>();
    assert!(matches!(
        pickled.load_with(&only_rects),
        Err(Error::Forbidden { .. })
    ));
    let scenes = Unpickler::new()
        .allow::<Scene>()
        .allow::<Rect>()
        .allow_name("bridge.SocketAddrV4");
    check_scene(&pickled.load_with(&scenes).unwrap());
}

#[test]
fn hostile_bytes_through_bincode_are_errors_never_panics() {
    let mut next = common::rng(0x9e37_79b9_7f4a_7c15);
    let wire = bincode::serialize(&envelope()).unwrap();
    let mut loaded = 0;
    for round in 0..3000 {
        let mut bytes = wire.clone();
        for _ in 0..(1 + next() % 3) {
            let at = (next() as usize) % bytes.len();
            bytes[at] ^= (next() as u8) | 1;
        }
        if round % 4 == 0 {
            bytes.truncate((next() as usize) % bytes.len());
        }
        if let Ok(envelope) = bincode::deserialize::<Envelope>(&bytes) {
            if envelope.scene.load().is_ok() {
                loaded += 1;
            }
        }
    }
    // Flips in the scene's numbers still load; the rest are errors.
    assert!(loaded < 3000, "{loaded}");
}

#[test]
fn hostile_text_through_serde_json_is_an_error_never_a_panic() {
    let mut next = common::rng(0x2545_f491_4f6c_dd1d);
    let json = serde_json::to_string(&envelope()).unwrap();
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
    let start = json.find("\"scene\":\"").unwrap() + 9;
    let end = start + json[start..].find('"').unwrap();
    for _ in 0..3000 {
        let mut text = json.clone().into_bytes();
        for _ in 0..(1 + next() % 3) {
            // Change base64 characters of the stream, so the text stays JSON.
            let at = start + (next() as usize) % (end - start);
            text[at] = alphabet[(next() as usize) % alphabet.len()];
        }
        let text = String::from_utf8(text).unwrap();
        if let Ok(envelope) = serde_json::from_str::<Envelope>(&text) {
            let _ = envelope.scene.load();
        }
    }
}
