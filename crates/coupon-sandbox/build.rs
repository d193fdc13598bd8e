//! Discovers the built-in emulators: every `src/vendors/<name>.rs` is one. Writes
//! `$OUT_DIR/vendors.rs`, included by `src/lib.rs`: the `vendors` module declaring each
//! emulator module, and the list of built-in emulators, in name order.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/vendors");

    let manifest_dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let vendors_dir = Path::new(&manifest_dir).join("src").join("vendors");
    let mut names: Vec<String> = fs::read_dir(&vendors_dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", vendors_dir.display()))
        .map(|entry| entry.unwrap_or_else(|e| panic!("cannot read {}: {e}", vendors_dir.display())).path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "rs"))
        .map(|path| {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
            let valid = stem.starts_with(|c: char| c.is_ascii_lowercase())
                && stem.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            assert!(
                valid,
                "{}: an emulator module is named by its route prefix, which must be lowercase ASCII letters, digits and '_', starting with a letter",
                path.display()
            );
            stem
        })
        .collect();
    names.sort();

    let dir = vendors_dir.to_str().expect("the crate path is UTF-8");
    let mut out = String::new();
    out.push_str("/// The built-in emulators, one module per file `src/vendors/<name>.rs`, found by\n");
    out.push_str("/// `build.rs`: each serves under `/<name>` and holds its credentials, fixtures and\n");
    out.push_str("/// configuration section.\n");
    writeln!(out, "#[path = {dir:?}]").unwrap();
    out.push_str("pub mod vendors {\n");
    for name in &names {
        writeln!(out, "    pub mod {name};").unwrap();
    }
    out.push_str("\n    /// The built-in emulators' names, sorted.\n    #[cfg(test)]\n");
    let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    writeln!(out, "    pub(crate) const NAMES: &[&str] = &[{}];", quoted.join(", ")).unwrap();
    out.push_str("\n    /// A fresh instance of each built-in emulator, in name order.\n");
    out.push_str("    pub(crate) fn built_in() -> ::std::vec::Vec<::std::sync::Arc<dyn crate::Emulator>> {\n");
    let calls: Vec<String> = names.iter().map(|n| format!("{n}::emulator()")).collect();
    writeln!(out, "        ::std::vec![{}]", calls.join(", ")).unwrap();
    out.push_str("    }\n}\n");

    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    fs::write(Path::new(&out_dir).join("vendors.rs"), out).expect("cannot write $OUT_DIR/vendors.rs");
}
