//! Every file under `fuzz/seeds/giftishow_json/` replayed through the parsers the
//! fuzz target drives: none may panic, and every known-good seed (`spec_…`) names
//! its parser and parses to what its name says: `ok`, or a refusal with the code
//! in the name.

use std::path::{Path, PathBuf};

use adapter_giftishow::wire::replies::{
    parse_bizmoney, parse_brand_detail, parse_brand_list, parse_coupon_detail, parse_done, parse_goods_detail,
    parse_goods_list, parse_send,
};
use adapter_giftishow::wire::{Answer, WireError};

fn seeds() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/giftishow_json");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no seeds in {}", dir.display());
    files
}

/// `None` unreadable, `Some(None)` a success, `Some(Some(code))` a refusal.
type Outcome = Option<Option<String>>;

/// One parser, reporting its [`Outcome`].
type Parse = fn(&str) -> Outcome;

fn outcome<T>(r: Result<Answer<T>, WireError>) -> Outcome {
    r.ok().map(|answer| answer.err().map(|refusal| refusal.code.raw().to_string()))
}

/// The parsers by the name a seed gives them, longest name first so
/// `goods_detail` is not read as `goods`.
fn parsers() -> Vec<(&'static str, Parse)> {
    vec![
        ("goods_detail", |t| outcome(parse_goods_detail(t))),
        ("brand_detail", |t| outcome(parse_brand_detail(t))),
        ("bizmoney", |t| outcome(parse_bizmoney(t))),
        ("coupons", |t| outcome(parse_coupon_detail(t))),
        ("brands", |t| outcome(parse_brand_list(t))),
        ("goods", |t| outcome(parse_goods_list(t))),
        ("send", |t| outcome(parse_send(t))),
        ("done", |t| outcome(parse_done(t))),
    ]
}

#[test]
fn no_seed_panics_any_parser() {
    for path in seeds() {
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        for (_, parse) in parsers() {
            let _ = parse(&text);
        }
    }
}

#[test]
fn every_spec_seed_parses_to_what_its_name_says() {
    let mut checked = 0;
    for path in seeds() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix("spec_") else { continue };
        let (parser, parse) = parsers()
            .into_iter()
            .find(|(p, _)| rest.starts_with(&format!("{p}_")))
            .unwrap_or_else(|| panic!("{name} names no parser"));
        let verdict = rest[parser.len() + 1..].split(['_', '.']).next().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let expected = if verdict == "ok" { Some(None) } else { Some(Some(verdict.to_string())) };
        assert_eq!(parse(&text), expected, "{name}");
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} spec seeds");
}

#[test]
fn bad_seeds_are_clear_errors() {
    for path in seeds() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("bad_") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(parsers().iter().all(|(_, parse)| parse(&text).is_none()), "{name}");
        }
    }
}
