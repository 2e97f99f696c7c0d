//! B5, heterogeneous objects: 1,000 objects of K registered types (K = 8 and 100) as
//! `Vec<Box<dyn Obj>>`, against an enum of the K types, plain (`Vec<Plain>`) and boxed
//! (`Vec<Box<Plain>>`: one allocation per object, as copyreg makes), typetag (all three
//! through serde + bincode 1.3), and Apache Fory's `Vec<Box<dyn FObj>>` of mirror types in
//! both of its modes; Python pickles 1,000 instances of K classes
//! (`benches/python_baseline.py`).
//!
//! `cargo bench --bench b5_dyn`

mod common;

use std::any::Any;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion};
use serde::{Deserialize, Serialize};

/// The trait copyreg loads objects as.
trait Obj: Any {
    fn weight(&self) -> f64;
}

/// The same objects, for typetag.
#[typetag::serde]
trait Tagged {
    fn weight(&self) -> f64;
}

/// The same objects, for Apache Fory.
trait FObj: fory::ForyObject {
    fn weight(&self) -> f64;
}

/// The batch, for Apache Fory.
#[derive(fory::ForyStruct)]
struct FObjects {
    items: Vec<Box<dyn FObj>>,
}

#[derive(copyreg::Reducible)]
#[reducer(name = "bench.Objects")]
struct Objects {
    items: Vec<Box<dyn Obj>>,
}

/// Declares K object types, one module each, and the enum of all of them.
macro_rules! object_types {
    ($($m:ident)*) => {
        $(
            mod $m {
                use serde::{Deserialize, Serialize};

                #[derive(copyreg::Reducible, Serialize, Deserialize, Clone, Debug, PartialEq)]
                #[reducer(dyn(super::Obj))]
                pub struct T {
                    pub a: u32,
                    pub b: f64,
                }

                impl super::Obj for T {
                    fn weight(&self) -> f64 {
                        self.b
                    }
                }

                #[typetag::serde(name = stringify!($m))]
                impl super::Tagged for T {
                    fn weight(&self) -> f64 {
                        self.b
                    }
                }

                #[derive(fory::ForyStruct, Debug, Default)]
                pub struct F {
                    pub a: u32,
                    pub b: f64,
                }

                impl super::FObj for F {
                    fn weight(&self) -> f64 {
                        self.b
                    }
                }
            }
        )*

        fory::register_trait_type!(FObj, $($m::F),*);

        /// Fory in its native mode, with the K types and the batch registered.
        fn fory_b5(compatible: bool) -> fory::Fory {
            let mut fory = common::fory::fory(compatible);
            let mut id = 200;
            $(
                fory.register::<$m::F>(id).unwrap();
                id += 1;
            )*
            fory.register::<FObjects>(id).unwrap();
            fory
        }

        /// Object `i` of a batch over `k` types, for Fory.
        fn fory_object(i: usize, k: usize) -> Box<dyn FObj> {
            let makers: &[fn(u32, f64) -> Box<dyn FObj>] = &[$(
                |a, b| Box::new($m::F { a, b }),
            )*];
            makers[i % k](i as u32, i as f64 * 0.5)
        }

        /// The baseline a program with a closed set of types would write.
        #[allow(non_camel_case_types)]
        #[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
        enum Plain {
            $($m($m::T),)*
        }

        /// Object `i` of a batch over `k` types.
        fn object(i: usize, k: usize) -> (Box<dyn Obj>, Box<dyn Tagged>, Plain) {
            let makers: &[fn(u32, f64) -> (Box<dyn Obj>, Box<dyn Tagged>, Plain)] = &[$(
                |a, b| (Box::new($m::T { a, b }), Box::new($m::T { a, b }), Plain::$m($m::T { a, b })),
            )*];
            makers[i % k](i as u32, i as f64 * 0.5)
        }
    };
}

common::data::b5_types!(object_types);

fn b5(c: &mut Criterion) {
    let mut sizes = common::Sizes::default();
    for k in [8, 100] {
        let scenario = format!("B5/K={k}");
        let mut objects = Objects { items: Vec::new() };
        let mut tagged = Vec::new();
        let mut plain = Vec::new();
        for i in 0..1_000 {
            let (o, t, p) = object(i, k);
            objects.items.push(o);
            tagged.push(t);
            plain.push(p);
        }
        let stream = copyreg::dumps(&objects).unwrap();
        let typetag_bytes = bincode::serialize(&tagged).unwrap();
        let enum_bytes = bincode::serialize(&plain).unwrap();
        // The same bytes: serde writes a `Box` as what it holds.
        let boxed: Vec<Box<Plain>> = plain.iter().cloned().map(Box::new).collect();
        assert_eq!(bincode::serialize(&boxed).unwrap(), enum_bytes);
        let back = copyreg::loads::<Objects>(&stream).unwrap();
        let total: f64 = back.items.iter().map(|o| o.weight()).sum();
        assert_eq!(total, objects.items.iter().map(|o| o.weight()).sum::<f64>());
        let back = bincode::deserialize::<Vec<Box<dyn Tagged>>>(&typetag_bytes).unwrap();
        assert_eq!(back.len(), 1_000);
        assert_eq!(
            bincode::deserialize::<Vec<Plain>>(&enum_bytes).unwrap(),
            plain
        );
        let fixture: Vec<_> = (0..1_000).map(|i| (i % k, i, i as f64 * 0.5)).collect();
        common::write_fixture(&format!("b5_{k}"), &fixture);
        sizes.add(&scenario, "copyreg", stream.len());
        sizes.add(&scenario, "typetag", typetag_bytes.len());
        sizes.add(&scenario, "enum", enum_bytes.len());

        let mut group = c.benchmark_group(&scenario);
        let mirrored = FObjects {
            items: (0..1_000).map(|i| fory_object(i, k)).collect(),
        };
        let weight = |items: &[Box<dyn FObj>]| items.iter().map(|o| o.weight()).sum::<f64>();
        let expected = weight(&mirrored.items);
        common::fory::versus_fory_with(
            &mut group,
            &scenario,
            &mirrored,
            &mut sizes,
            fory_b5,
            |back| back.items.len() == 1_000 && weight(&back.items) == expected,
        );
        group.bench_function(BenchmarkId::new("dumps", "copyreg"), |b| {
            b.iter(|| copyreg::dumps(black_box(&objects)).unwrap())
        });
        group.bench_function(BenchmarkId::new("dumps", "enum"), |b| {
            b.iter(|| bincode::serialize(black_box(&plain)).unwrap())
        });
        group.bench_function(BenchmarkId::new("dumps", "boxed enum"), |b| {
            b.iter(|| bincode::serialize(black_box(&boxed)).unwrap())
        });
        group.bench_function(BenchmarkId::new("dumps", "typetag"), |b| {
            b.iter(|| bincode::serialize(black_box(&tagged)).unwrap())
        });
        group.bench_function(BenchmarkId::new("loads", "copyreg"), |b| {
            b.iter(|| copyreg::loads::<Objects>(black_box(&stream)).unwrap())
        });
        group.bench_function(BenchmarkId::new("loads", "enum"), |b| {
            b.iter(|| bincode::deserialize::<Vec<Plain>>(black_box(&enum_bytes)).unwrap())
        });
        group.bench_function(BenchmarkId::new("loads", "boxed enum"), |b| {
            b.iter(|| bincode::deserialize::<Vec<Box<Plain>>>(black_box(&enum_bytes)).unwrap())
        });
        group.bench_function(BenchmarkId::new("loads", "typetag"), |b| {
            b.iter(|| {
                bincode::deserialize::<Vec<Box<dyn Tagged>>>(black_box(&typetag_bytes)).unwrap()
            })
        });
        group.finish();
    }
    sizes.write("b5");
}

bench_main!(b5);
