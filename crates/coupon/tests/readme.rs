//! The README's "Use it from Rust" is the example CI runs, word for word.

use std::path::Path;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_readme_shows_the_example_that_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = read(&root.join("../../README.md"));
    let example = read(&root.join("examples/giftletter_issue.rs"));
    let region = example
        .split_once("// README:start\n")
        .and_then(|(_, rest)| rest.split_once("// README:end"))
        .map(|(region, _)| region)
        .expect("the example marks its README region");
    let section = readme.split_once("## Use it from Rust").expect("the README has the section").1;
    let block = section
        .split_once("```rust\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(block, _)| block)
        .expect("the section has a rust block");
    assert_eq!(block, region, "README.md's Rust block differs from examples/giftletter_issue.rs");
}
