//! Adding a vendor touches only its own places: its adapter crate, its emulator
//! module in the sandbox, its docs page and fuzz target, and the facade's
//! feature, dependency and link lines. Everything else derives the vendor list.
//!
//! This test lists every line of code outside those places that names a vendor
//! (the vendors are read from the `crates/adapter-*` folders, not listed here),
//! and expects none. Tests and benches may name vendors (they exercise them), and
//! so may files and folders named after the vendor (the emulator module, the
//! vendor-native CLI group and its demo module).

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// The vendors: one per adapter crate.
fn vendors(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("crates"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_prefix("adapter-").map(str::to_string))
        .collect();
    names.sort();
    names
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if !matches!(name.as_ref(), "target" | "tests" | "benches" | "examples") && !name.starts_with("adapter-") {
                files(&path, out);
            }
        } else if name.ends_with(".rs") || name == "Cargo.toml" {
            out.push(path);
        }
    }
}

fn is_comment(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("//") || t.starts_with('#') && !t.starts_with("#[") || t.starts_with('*')
}

/// Lines that name a vendor outside its places, as `path:line: text`.
fn offending_lines(root: &Path) -> Vec<String> {
    let vendors = vendors(root);
    let names_vendor = |s: &str| {
        let s = s.to_ascii_lowercase();
        vendors.iter().any(|v| s.contains(v.as_str()))
    };
    let mut paths = Vec::new();
    files(&root.join("crates"), &mut paths);
    paths.push(root.join("Cargo.toml"));
    paths.push(root.join(".ci/run"));
    let facade = [root.join("crates/coupon/src/lib.rs"), root.join("crates/coupon/Cargo.toml")];
    let mut hits = Vec::new();
    for path in paths {
        let rel = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
        if names_vendor(&rel) || facade.contains(&path) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let mut in_tests = false;
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("#[cfg(test)]") {
                in_tests = true;
            }
            if !in_tests && !is_comment(line) && names_vendor(line) {
                hits.push(format!("{rel}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    hits
}

#[test]
fn the_vendors_are_read_from_the_adapter_crates() {
    let vendors = vendors(&root());
    assert!(vendors.len() >= 3, "{vendors:?}");
    for v in &vendors {
        assert!(root().join("docs/adapters").join(format!("{v}.md")).is_file(), "{v} has no docs/adapters page");
    }
}

#[test]
fn no_code_outside_a_vendors_places_names_a_vendor() {
    let hits = offending_lines(&root());
    assert!(hits.is_empty(), "{} lines name a vendor outside its places:\n{}", hits.len(), hits.join("\n"));
}
