//! Exports the adapter features this build enables, for `tests/installed.rs`:
//! `COUPON_ENABLED_ADAPTERS`, comma-separated and sorted. An adapter feature is a
//! feature of `[features]` that enables an `adapter-*` dependency; which ones are on
//! comes from Cargo's `CARGO_FEATURE_<NAME>` variables, so no vendor is named here.

use std::collections::BTreeSet;

fn main() {
    println!("cargo:rerun-if-changed=Cargo.toml");
    let manifest = std::fs::read_to_string("Cargo.toml").expect("the facade's Cargo.toml");
    let mut enabled = BTreeSet::new();
    let mut in_features = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_features = line == "[features]";
            continue;
        }
        let Some((name, value)) = line.split_once('=') else { continue };
        let name = name.trim();
        if !in_features || name == "default" || !value.contains("\"dep:adapter-") {
            continue;
        }
        let var = format!("CARGO_FEATURE_{}", name.to_ascii_uppercase().replace('-', "_"));
        if std::env::var_os(var).is_some() {
            enabled.insert(name.to_string());
        }
    }
    println!("cargo:rustc-env=COUPON_ENABLED_ADAPTERS={}", enabled.into_iter().collect::<Vec<_>>().join(","));
}
