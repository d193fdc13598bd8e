//! Discovers the vendor-native command groups: every `src/native/<name>.rs` is one,
//! exporting `ABOUT`, `<Name>Command` (a clap subcommand enum) and
//! `run(&<Name>Command, &Ctx)`. Writes `$OUT_DIR/native.rs`, included by `src/main.rs`:
//! the `native` module declaring each group, the `Native` subcommand enum and its
//! dispatch. A vendor's group is then its file alone; a vendor needs none.
//!
//! A group may also add steps of its own to `coupon demo`: when
//! `src/native/<name>/demo.rs` exists (declared by the group as `pub(crate) mod demo;`,
//! exporting `pub const STEPS: u64` and `pub async fn tour(&mut Tour, &DemoKit)`),
//! `native::demo_steps` counts them and `native::demo` takes them, after the
//! generic tour of that vendor's adapter.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/native");

    let manifest_dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest_dir).join("src").join("native");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display())).path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "rs"))
        .map(|path| {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
            assert!(
                stem.starts_with(|c: char| c.is_ascii_lowercase()) && stem.chars().all(|c| c.is_ascii_lowercase()),
                "{}: a native group is named by its vendor, in lowercase ASCII letters",
                path.display()
            );
            stem
        })
        .collect();
    names.sort();
    // The groups with demo steps of their own.
    let demos: Vec<&String> = names.iter().filter(|n| dir.join(n.as_str()).join("demo.rs").is_file()).collect();

    let camel = |n: &str| {
        let mut c = n.chars();
        c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
    };
    let path = dir.to_str().expect("the crate path is UTF-8");
    let mut out = String::new();
    writeln!(out, "/// The vendor-native command groups, one module per file `src/native/<name>.rs`.").unwrap();
    writeln!(out, "#[path = {path:?}]").unwrap();
    out.push_str("pub mod native {\n");
    for n in &names {
        writeln!(out, "    pub mod {n};").unwrap();
    }
    out.push_str("\n    /// A vendor's own operations (`coupon <vendor> …`).\n");
    out.push_str("    #[derive(Debug, clap::Subcommand)]\n    pub enum Native {\n");
    for n in &names {
        let c = camel(n);
        writeln!(out, "        #[command(subcommand, about = {n}::ABOUT)]").unwrap();
        writeln!(out, "        #[allow(missing_docs)]\n        {c}({n}::{c}Command),").unwrap();
    }
    out.push_str("    }\n\n    impl Native {\n");
    out.push_str("        /// Runs the group's command.\n");
    out.push_str("        pub async fn run(&self, ctx: &crate::commands::Ctx) -> crate::failure::CliResult {\n");
    out.push_str("            match self {\n");
    for n in &names {
        let c = camel(n);
        writeln!(out, "                Native::{c}(cmd) => {n}::run(cmd, ctx).await,").unwrap();
    }
    out.push_str("            }\n        }\n    }\n\n");

    out.push_str("    /// How many steps of its own the vendor's group adds to `coupon demo` (0 for none).\n");
    out.push_str("    pub(crate) fn demo_steps(vendor: &str) -> u64 {\n        match vendor {\n");
    for n in &demos {
        writeln!(out, "            {n:?} => {n}::demo::STEPS,").unwrap();
    }
    out.push_str("            _ => 0,\n        }\n    }\n\n");
    out.push_str("    /// Takes the steps of its own the vendor's group adds to `coupon demo` (none for most).\n");
    out.push_str(
        "    pub(crate) async fn demo(\n        vendor: &str,\n        tour: &mut crate::commands::demo::Tour<'_>,\n",
    );
    out.push_str("        kit: &crate::commands::demo::DemoKit<'_>,\n    ) -> crate::failure::CliResult {\n");
    if demos.is_empty() {
        out.push_str("        let _ = (vendor, tour, kit);\n        Ok(())\n    }\n}\n");
    } else {
        out.push_str("        match vendor {\n");
        for n in &demos {
            writeln!(out, "            {n:?} => {n}::demo::tour(tour, kit).await,").unwrap();
        }
        out.push_str("            _ => Ok(()),\n        }\n    }\n}\n");
    }

    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    fs::write(Path::new(&out_dir).join("native.rs"), out).expect("cannot write $OUT_DIR/native.rs");
}
