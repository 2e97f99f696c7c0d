//! The layers of `copyreg-core/src` (see ARCHITECTURE.md) import downward only: a file may
//! name its own layer and the layers below it, never one above. This reads every `crate::`,
//! `$crate::` and `super::` path of the sources, so a new upward import fails `cargo test`.
//!
//! Paths through the crate root (`crate::Error`) count as the facade's, above every layer:
//! code inside a layer names the module that holds an item, so its layer is visible.

use std::fs;
use std::path::{Path, PathBuf};

/// Bottom to top. `lib.rs` and `__private.rs`, the facade, sit above them all.
const LAYERS: [&str; 4] = ["wire", "engine", "codecs", "api"];
const FACADE: usize = LAYERS.len();

/// A file's place: its layer (or the facade) and its module path below the crate root.
struct Place {
    layer: usize,
    module: Vec<String>,
}

fn place(src: &Path, file: &Path) -> Result<Place, String> {
    let rel = file.strip_prefix(src).map_err(|e| e.to_string())?;
    let mut module: Vec<String> = rel
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    let last = module.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        module.push(stem.to_string());
    }
    let layer = match module.first().map(String::as_str) {
        None | Some("__private") => FACADE,
        Some(top) => LAYERS
            .iter()
            .position(|layer| *layer == top)
            .ok_or_else(|| {
                format!(
                    "{}: every source file sits in a layer folder ({}), or is the facade",
                    rel.display(),
                    LAYERS.join(", ")
                )
            })?,
    };
    Ok(Place { layer, module })
}

/// The layer a module path (below the crate root) belongs to.
fn layer_of(first: Option<&str>) -> usize {
    first
        .and_then(|top| LAYERS.iter().position(|layer| *layer == top))
        .unwrap_or(FACADE)
}

/// Source without its comments (doc links are not imports).
fn code_of(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for line in source.lines() {
        let mut in_string = false;
        let mut prev = '\0';
        let mut cut = line.len();
        for (i, c) in line.char_indices() {
            match c {
                '"' if prev != '\\' => in_string = !in_string,
                '/' if !in_string && prev == '/' => {
                    cut = i - 1;
                    break;
                }
                _ => {}
            }
            prev = c;
        }
        out.push_str(&line[..cut]);
        out.push('\n');
    }
    out
}

/// The first segments named after `crate::` at `rest`: one, or each of a `{…}` group's.
fn first_segments(rest: &str) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let Some(group) = rest.strip_prefix('{') else {
        return vec![ident(rest)];
    };
    let mut depth = 0usize;
    let mut segments = vec![];
    let mut start = 0;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                segments.push(ident(&group[start..i]));
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                segments.push(ident(&group[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    segments.retain(|s| !s.is_empty());
    segments
}

/// The path that starts `text`, up to its first character that is not part of a path.
fn path_at(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
        .collect::<String>()
        .trim_end_matches(':')
        .to_string()
}

/// Every path of `code` that leaves `from`'s module, as (line, text, layer it reaches).
fn reached(from: &Place, code: &str) -> Vec<(usize, String, usize)> {
    let mut found = vec![];
    for (n, line) in code.lines().enumerate() {
        for (at, _) in line.match_indices("crate::") {
            let before = line[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &line[at + "crate::".len()..];
            for first in first_segments(rest) {
                let shown = match rest.starts_with('{') {
                    true => format!("crate::{{{first}..}}"),
                    false => format!("crate::{}", path_at(rest)),
                };
                found.push((n + 1, shown, layer_of(Some(&first))));
            }
        }
        let mut rest = line;
        while let Some(at) = rest.find("super::") {
            let before = rest[..at].chars().next_back();
            let whole = &rest[at..];
            rest = &rest[at + "super::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let mut ups = 0;
            let mut after = whole;
            while let Some(next) = after.strip_prefix("super::") {
                ups += 1;
                after = next;
            }
            let mut module = from.module.clone();
            module.truncate(module.len().saturating_sub(ups));
            let next = first_segments(after);
            let layer = match module.first() {
                Some(top) => layer_of(Some(top)),
                None => layer_of(next.first().map(String::as_str)),
            };
            found.push((n + 1, path_at(whole), layer));
            rest = after;
        }
    }
    found
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a readable directory entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn upward_imports(src: &Path) -> Vec<String> {
    let mut files = vec![];
    sources(src, &mut files);
    files.sort();
    let mut wrong = vec![];
    for file in &files {
        let from = match place(src, file) {
            Ok(place) => place,
            Err(message) => {
                wrong.push(message);
                continue;
            }
        };
        let source = fs::read_to_string(file).expect("a readable source file");
        let code = code_of(&source.replace("$crate::", "crate::"));
        for (line, path, layer) in reached(&from, &code) {
            if layer > from.layer {
                let name = |l: usize| LAYERS.get(l).copied().unwrap_or("the facade");
                wrong.push(format!(
                    "{}:{line}: `{path}` reaches up from {} to {}",
                    file.strip_prefix(src).unwrap_or(file).display(),
                    name(from.layer),
                    name(layer),
                ));
            }
        }
    }
    wrong
}

#[test]
fn imports_point_down_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let wrong = upward_imports(&src);
    assert!(
        wrong.is_empty(),
        "imports must point down the layers ({}, then the facade); move the item down, or \
         the code that needs it up:\n{}",
        LAYERS.join(" < "),
        wrong.join("\n")
    );
}

#[test]
fn the_check_sees_an_upward_import() {
    let dir = std::env::temp_dir().join(format!("copyreg-layers-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("wire")).unwrap();
    fs::create_dir_all(dir.join("engine/registry")).unwrap();
    fs::write(dir.join("lib.rs"), "use crate::api::x;").unwrap();
    fs::write(
        dir.join("wire/error.rs"),
        "use crate::{wire::frame, engine::hint}; // crate::api::x\n",
    )
    .unwrap();
    fs::write(dir.join("wire/frame.rs"), "fn f() { crate::Error::x(); }").unwrap();
    fs::write(
        dir.join("engine/registry/codes.rs"),
        "use super::Table; use super::super::super::codecs::x; use super::super::dump;",
    )
    .unwrap();
    fs::write(dir.join("stray.rs"), "").unwrap();
    let wrong = upward_imports(&dir);
    let _ = fs::remove_dir_all(&dir);
    let expected = [
        "engine/registry/codes.rs:1: `super::super::super::codecs::x` reaches up from engine to codecs",
        "stray.rs: every source file sits in a layer folder (wire, engine, codecs, api), or is the facade",
        "wire/error.rs:1: `crate::{engine..}` reaches up from wire to engine",
        "wire/frame.rs:1: `crate::Error::x` reaches up from wire to the facade",
    ];
    assert_eq!(wrong, expected);
}
