//! `register_foreign!` on a third-party type: semver's `Version`, which has no serde support
//! unless its `serde` feature is on, and which this crate cannot implement traits for.

use copyreg::Reducible;

copyreg::register_foreign!(
    semver::Version,
    reduce = |v: &semver::Version| (v.to_string(),),
    construct = |text: String| semver::Version::parse(&text),
    name = "semver.Version",
);

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "pkg.Dependency")]
struct Dependency {
    name: String,
    version: semver::Version,
    yanked: Vec<semver::Version>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dep = Dependency {
        name: "serde".into(),
        version: semver::Version::parse("1.0.228")?,
        yanked: vec![semver::Version::parse("1.0.0-rc.1")?],
    };
    let bytes = copyreg::dumps(&dep)?;
    let back: Dependency = copyreg::loads(&bytes)?;
    assert_eq!(back, dep);
    // Dependency is not Clone; copy rebuilds it through the reducers.
    assert_eq!(copyreg::copy(&dep)?, dep);
    println!(
        "{} {} round-tripped in {} bytes",
        back.name,
        back.version,
        bytes.len()
    );
    Ok(())
}
