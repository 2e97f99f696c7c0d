//! `copy` of a `Color` built through its reducer and constructor.
//!
//! Python:
//! ```python
//! copyreg.pickle(Color, lambda c: (Color.from_rgb, (c.r, c.g, c.b)))
//! assert copy.copy(red) == red
//! ```

use copyreg::Reducible;

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "paint.Color", fn = reduce_color, constructor = Color::from_rgb)]
struct Color {
    r: u8,
    g: u8,
    b: u8,
    /// Derived from r, g and b by the constructor; never written.
    hex: String,
}

impl Color {
    fn from_rgb(r: u8, g: u8, b: u8) -> Color {
        Color {
            r,
            g,
            b,
            hex: format!("#{r:02x}{g:02x}{b:02x}"),
        }
    }
}

fn reduce_color(c: &Color) -> (u8, u8, u8) {
    (c.r, c.g, c.b)
}

fn main() -> Result<(), copyreg::Error> {
    let red = Color::from_rgb(255, 0, 0);
    let copy = copyreg::copy(&red)?;
    assert_eq!(copy, red);
    println!("copied {} through Color::from_rgb", copy.hex);
    Ok(())
}
