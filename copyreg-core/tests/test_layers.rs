//! The layers of `copyreg-core/src` (see ARCHITECTURE.md) depend downward only: a file may
//! name its own layer and the layers below it, never one above. This parses every source
//! file and checks every path it names (`use` trees, paths in code and types, `crate::`,
//! `$crate::` and `super::` inside macros), so a new upward import fails `cargo test`.
//!
//! Paths through the crate root (`crate::Error`) count as the facade's, above every layer:
//! code inside a layer names the module that holds an item, so its layer shows. Anything that
//! would hide a path is refused: aliasing a module root (`use crate as root;`), `#[path]`,
//! `include!` and `#[macro_use]`. A method that a higher layer adds to a lower layer's type
//! (`impl Loader` in `codecs/`) may not be called from below it either.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::visit::{self, Visit};

/// Bottom to top. `lib.rs` and `__private.rs`, the facade, sit above them all.
const LAYERS: [&str; 4] = ["wire", "engine", "codecs", "api"];
const FACADE: usize = LAYERS.len();

fn layer_name(layer: usize) -> &'static str {
    LAYERS.get(layer).copied().unwrap_or("the facade")
}

/// The layer of a module path below the crate root (the facade's for the root itself).
fn layer_of(top: Option<&str>) -> usize {
    top.and_then(|top| LAYERS.iter().position(|layer| *layer == top))
        .unwrap_or(FACADE)
}

/// One parsed source file and where it sits.
struct Source {
    shown: String,
    module: Vec<String>,
    layer: usize,
    ast: syn::File,
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

/// Parses every file below `src`, or says which cannot be placed in a layer or parsed.
fn read(src: &Path, wrong: &mut Vec<String>) -> Vec<Source> {
    let mut files = vec![];
    sources(src, &mut files);
    files.sort();
    let mut out = vec![];
    for file in files {
        let rel = file.strip_prefix(src).unwrap_or(&file);
        let shown = rel.display().to_string();
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
            Some(top) => match LAYERS.iter().position(|layer| *layer == top) {
                Some(layer) => layer,
                None => {
                    wrong.push(format!(
                        "{shown}: every source file sits in a layer folder ({}), or is the facade",
                        LAYERS.join(", ")
                    ));
                    continue;
                }
            },
        };
        let text = fs::read_to_string(&file).expect("a readable source file");
        match syn::parse_file(&text) {
            Ok(ast) => out.push(Source {
                shown,
                module,
                layer,
                ast,
            }),
            Err(e) => wrong.push(format!("{shown}: does not parse: {e}")),
        }
    }
    out
}

/// Walks one file: the module it is in (inline `mod`s included) and what it reaches.
struct Walk<'a> {
    source: &'a Source,
    module: Vec<String>,
    /// Methods a higher layer adds to lower types, by name, with that layer and the type,
    /// where this file's layer and those below define no function of that name.
    foreign_methods: &'a BTreeMap<String, (usize, String)>,
    wrong: &'a mut Vec<String>,
}

impl Walk<'_> {
    fn report(&mut self, span: Span, what: String) {
        let line = span.start().line;
        self.wrong
            .push(format!("{}:{line}: {what}", self.source.shown));
    }

    /// Checks a path given as its segments, starting at `crate`, `super` or `self`. A bare
    /// root (`pub(crate)`, `pub(super)`) names no item, and is not checked.
    fn reach(&mut self, segments: &[String], span: Span) {
        let roots = ["crate", "super", "self"];
        if segments.iter().all(|s| roots.contains(&s.as_str())) {
            return;
        }
        let shown = segments.join("::");
        let target = match segments.first().map(String::as_str) {
            Some("crate") => layer_of(segments.get(1).map(String::as_str)),
            Some("super" | "self") => {
                let rest = match segments[0] == "self" {
                    true => &segments[1..],
                    false => segments,
                };
                let ups = rest.iter().take_while(|s| *s == "super").count();
                if ups == 0 {
                    return;
                }
                let mut module = self.module.clone();
                module.truncate(module.len().saturating_sub(ups));
                match module.first() {
                    Some(top) => layer_of(Some(top)),
                    None => layer_of(rest.get(ups).map(String::as_str)),
                }
            }
            _ => return,
        };
        if target > self.source.layer {
            let from = layer_name(self.source.layer);
            self.report(
                span,
                format!("`{shown}` reaches up from {from} to {}", layer_name(target)),
            );
        }
    }

    fn use_tree(&mut self, tree: &syn::UseTree, prefix: &mut Vec<String>) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(&path.tree, prefix);
                prefix.pop();
            }
            syn::UseTree::Name(name) => {
                prefix.push(name.ident.to_string());
                self.reach(prefix, name.ident.span());
                prefix.pop();
            }
            syn::UseTree::Rename(rename) => {
                let root = ["crate", "super", "self"].contains(&rename.ident.to_string().as_str());
                if root && prefix.iter().all(|s| s == "self" || s == "super") {
                    self.report(
                        rename.ident.span(),
                        format!(
                            "`{} as {}` hides the paths that say which layer is used",
                            rename.ident, rename.rename
                        ),
                    );
                    return;
                }
                prefix.push(rename.ident.to_string());
                self.reach(prefix, rename.ident.span());
                prefix.pop();
            }
            syn::UseTree::Glob(glob) => self.reach(prefix, glob.star_token.span),
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.use_tree(tree, prefix);
                }
            }
        }
    }

    /// `crate ::`, `$crate ::` and `super ::` chains inside a macro's tokens.
    fn tokens(&mut self, tokens: TokenStream) {
        let flat: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < flat.len() {
            if let TokenTree::Group(group) = &flat[i] {
                self.tokens(group.stream());
            }
            let mut segments = vec![];
            let mut j = i;
            while let Some(TokenTree::Ident(ident)) = flat.get(j) {
                segments.push(ident.to_string());
                let colons = matches!(
                    (flat.get(j + 1), flat.get(j + 2)),
                    (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
                        if a.as_char() == ':' && b.as_char() == ':'
                );
                if !colons {
                    break;
                }
                j += 3;
            }
            let starts = matches!(
                segments.first().map(String::as_str),
                Some("crate" | "super")
            ) || segments.starts_with(&["self".to_string(), "super".to_string()]);
            let after_path =
                i > 0 && matches!(&flat[i - 1], TokenTree::Punct(p) if p.as_char() == ':');
            if starts && segments.len() > 1 && !after_path {
                let span = flat[i].span();
                self.reach(&segments, span);
            }
            i = j + 1;
        }
    }
}

impl<'ast> Visit<'ast> for Walk<'_> {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        for attr in &item.attrs {
            if attr.path().is_ident("path") || attr.path().is_ident("macro_use") {
                let what = attr.path().get_ident().map(ToString::to_string);
                self.report(
                    item.ident.span(),
                    format!(
                        "`#[{}]` on `mod {}` makes a module's layer something other than its folder",
                        what.unwrap_or_default(),
                        item.ident
                    ),
                );
            }
        }
        if item.content.is_some() {
            self.module.push(item.ident.to_string());
            visit::visit_item_mod(self, item);
            self.module.pop();
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&item.tree, &mut vec![]);
    }

    fn visit_item_extern_crate(&mut self, item: &'ast syn::ItemExternCrate) {
        if item.ident == "self" {
            self.report(
                item.ident.span(),
                "`extern crate self` hides the paths that say which layer is used".into(),
            );
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if let Some(first) = path.segments.first() {
            self.reach(&segments, first.ident.span());
        }
        visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if mac.path.is_ident("include") {
            self.report(
                mac.path.segments[0].ident.span(),
                "`include!` makes code's layer something other than its folder".into(),
            );
        }
        self.tokens(mac.tokens.clone());
        visit::visit_macro(self, mac);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let name = call.method.to_string();
        if let Some((layer, self_type)) = self.foreign_methods.get(&name) {
            let what = format!(
                "`.{name}()` is a method that {} adds to `{self_type}`: calling it from {} \
                 reaches up",
                layer_name(*layer),
                layer_name(self.source.layer)
            );
            self.report(call.method.span(), what);
        }
        visit::visit_expr_method_call(self, call);
    }
}

/// The names of every type, trait and function each layer defines, and the methods each
/// layer adds (in an inherent `impl`) to types defined only in layers below it.
struct Definitions {
    types: BTreeMap<String, BTreeSet<usize>>,
    functions: BTreeMap<String, BTreeSet<usize>>,
    /// (type, method) to the layers that add the method to the type.
    added: BTreeMap<(String, String), BTreeSet<usize>>,
}

impl Definitions {
    fn of(sources: &[Source]) -> Definitions {
        let mut defs = Definitions {
            types: BTreeMap::new(),
            functions: BTreeMap::new(),
            added: BTreeMap::new(),
        };
        for source in sources {
            let mut collect = Collect {
                defs: &mut defs,
                layer: source.layer,
                impls: vec![],
            };
            collect.visit_file(&source.ast);
            for (self_type, methods) in collect.impls {
                for method in methods {
                    defs.added
                        .entry((self_type.clone(), method))
                        .or_default()
                        .insert(source.layer);
                }
            }
        }
        defs
    }

    /// Methods a layer adds to a type defined only below it, by name, with that layer and
    /// the type: what code in `layer` must not call, unless a function of the same name is
    /// defined in `layer` or below (then a call cannot be told from a legitimate one).
    fn foreign_methods(&self, layer: usize) -> BTreeMap<String, (usize, String)> {
        let mut out = BTreeMap::new();
        for ((self_type, method), adders) in &self.added {
            let (Some(defined), Some(&adder)) = (self.types.get(self_type), adders.iter().min())
            else {
                continue;
            };
            let added_from_above = defined.iter().all(|l| *l < adder);
            let defined_here = self
                .functions
                .get(method)
                .is_some_and(|ls| ls.iter().any(|l| *l <= layer));
            if added_from_above && layer < adder && !defined_here {
                out.insert(method.clone(), (adder, self_type.clone()));
            }
        }
        out
    }
}

struct Collect<'a> {
    defs: &'a mut Definitions,
    layer: usize,
    impls: Vec<(String, Vec<String>)>,
}

impl Collect<'_> {
    fn define(map: &mut BTreeMap<String, BTreeSet<usize>>, name: &syn::Ident, layer: usize) {
        map.entry(name.to_string()).or_default().insert(layer);
    }
}

impl<'ast> Visit<'ast> for Collect<'_> {
    fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
        Self::define(&mut self.defs.types, &item.ident, self.layer);
    }
    fn visit_item_enum(&mut self, item: &'ast syn::ItemEnum) {
        Self::define(&mut self.defs.types, &item.ident, self.layer);
    }
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        Self::define(&mut self.defs.functions, &item.sig.ident, self.layer);
        visit::visit_item_fn(self, item);
    }
    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        Self::define(&mut self.defs.functions, &item.sig.ident, self.layer);
    }
    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let methods: Vec<&syn::Ident> = item
            .items
            .iter()
            .filter_map(|i| match i {
                syn::ImplItem::Fn(f) => Some(&f.sig.ident),
                _ => None,
            })
            .collect();
        for method in &methods {
            Self::define(&mut self.defs.functions, method, self.layer);
        }
        if let (None, syn::Type::Path(path)) = (&item.trait_, &*item.self_ty) {
            if let Some(last) = path.path.segments.last() {
                let names = methods.iter().map(ToString::to_string).collect();
                self.impls.push((last.ident.to_string(), names));
            }
        }
        visit::visit_item_impl(self, item);
    }
}

/// Everything in `src` that reaches up a layer, one line each.
fn upward(src: &Path) -> Vec<String> {
    let mut wrong = vec![];
    let sources = read(src, &mut wrong);
    let defs = Definitions::of(&sources);
    let foreign_methods: Vec<_> = (0..=FACADE).map(|l| defs.foreign_methods(l)).collect();
    for source in &sources {
        let mut walk = Walk {
            source,
            module: source.module.clone(),
            foreign_methods: &foreign_methods[source.layer],
            wrong: &mut wrong,
        };
        walk.visit_file(&source.ast);
    }
    wrong.sort();
    wrong.dedup();
    wrong
}

#[test]
fn imports_point_down_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let wrong = upward(&src);
    assert!(
        wrong.is_empty(),
        "imports must point down the layers ({}, then the facade); move the item down, or \
         the code that needs it up:\n{}",
        LAYERS.join(" < "),
        wrong.join("\n")
    );
}

/// Writes `files` (path, text) as a source tree in a fresh directory and checks it.
fn check_tree(files: &[(&str, &str)]) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!(
        "copyreg-layers-{}-{}",
        std::process::id(),
        files.len()
    ));
    let _ = fs::remove_dir_all(&dir);
    for (path, text) in files {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().expect("a file in a folder")).expect("a temp dir");
        fs::write(path, text).expect("a temp file");
    }
    let wrong = upward(&dir);
    let _ = fs::remove_dir_all(&dir);
    wrong
}

#[test]
fn the_check_sees_every_way_up() {
    let wrong = check_tree(&[
        ("lib.rs", "mod wire; use crate::api::x;"),
        ("stray.rs", ""),
        (
            "wire/mod.rs",
            "pub(super) mod frame; #[path = \"../api/x.rs\"] mod moved;\n\
             #[cfg(test)] mod tests { use super::*; }",
        ),
        (
            "wire/frame.rs",
            "use crate::{\n    wire::varint,\n    engine::hint,\n};\n\
             fn f() { crate::Error::x(); }\n\
             use self::super::super::codecs::field;\n\
             use crate as root;\n\
             macro_rules! m { () => { $crate::api::y() }; }\n\
             include!(\"x.rs\");\n\
             fn g() {}\n\
             // crate::api::in_a_comment\n\
             const S: &str = \"crate::api::in_a_string\";\n\
             #[cfg(test)] mod tests { use super::super::varint; use super::*; }",
        ),
        (
            "engine/mod.rs",
            "pub struct Loader; fn len() {}\n\
             impl Loader { pub(crate) fn read(&self) { self.load_dyn(); self.len(); } }",
        ),
        (
            "engine/registry/codes.rs",
            "use super::Table; fn f(_: super::super::super::codecs::X) {}",
        ),
        (
            "codecs/dynamic.rs",
            "impl Loader { fn load_dyn(&self) {} fn len(&self) {} }",
        ),
    ]);
    let expected = [
        "engine/mod.rs:2: `.load_dyn()` is a method that codecs adds to `Loader`: calling it from engine reaches up",
        "engine/registry/codes.rs:1: `super::super::super::codecs::X` reaches up from engine to codecs",
        "stray.rs: every source file sits in a layer folder (wire, engine, codecs, api), or is the facade",
        "wire/frame.rs:3: `crate::engine::hint` reaches up from wire to engine",
        "wire/frame.rs:5: `crate::Error::x` reaches up from wire to the facade",
        "wire/frame.rs:6: `self::super::super::codecs::field` reaches up from wire to codecs",
        "wire/frame.rs:7: `crate as root` hides the paths that say which layer is used",
        "wire/frame.rs:8: `crate::api::y` reaches up from wire to api",
        "wire/frame.rs:9: `include!` makes code's layer something other than its folder",
        "wire/mod.rs:1: `#[path]` on `mod moved` makes a module's layer something other than its folder",
    ];
    assert_eq!(wrong, expected);
}
