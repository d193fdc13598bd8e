//! Every file under `fuzz/seeds/giftletter_*/` replayed through the parsers the fuzz
//! targets drive: none may panic, and every known-good seed (`doc_…`, `sandbox_…`)
//! names its parser and parses to what its name says (a success, or a refusal with
//! the code in the name).

use std::path::{Path, PathBuf};

use adapter_giftletter::wire::replies::{
    parse_brand_image, parse_cancel, parse_goods_info, parse_goods_list, parse_resend, parse_send_epin, parse_status,
};
use adapter_giftletter::wire::report::{decode_report, parse_exchange_daily};
use adapter_giftletter::wire::{Answer, WireError};
use coupon_core::chrono::NaiveDate;

fn seeds(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no seeds in {}", dir.display());
    files
}

fn name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// What one parser made of a seed: `None` unreadable, `Some(None)` a success,
/// `Some(Some(code))` the vendor's refusal with that code.
type Outcome = Option<Option<String>>;

/// One parser, reporting its [`Outcome`].
type Parse = fn(&str) -> Outcome;

fn outcome<T>(r: Result<Answer<T>, WireError>) -> Outcome {
    r.ok().map(|answer| answer.err().map(|refusal| refusal.code.raw().to_string()))
}

/// The parser a seed's name names (`doc_send_epin_…`, `sandbox_goods_list_…`), and
/// what follows the endpoint in the name.
fn parser_of(name: &str) -> Option<(Parse, &str)> {
    let parsers: [(&str, Parse); 7] = [
        ("send_epin", |t| outcome(parse_send_epin(t))),
        ("cancel", |t| outcome(parse_cancel(t))),
        ("resend", |t| outcome(parse_resend(t))),
        ("status", |t| outcome(parse_status(t))),
        ("goods_list", |t| outcome(parse_goods_list(t))),
        ("goods_info", |t| outcome(parse_goods_info(t))),
        ("brand_image", |t| outcome(parse_brand_image(t))),
    ];
    let rest = name.strip_prefix("doc_").or_else(|| name.strip_prefix("sandbox_"))?;
    let stem = rest.strip_suffix(".json").unwrap_or(rest);
    parsers.into_iter().find_map(|(endpoint, parse)| {
        let label = stem.strip_prefix(endpoint)?.strip_prefix('_')?;
        Some((parse, label))
    })
}

/// A good seed's label says what it must parse to: `ok`, `used` or another word
/// for a success; a code (`a101`, `e102_p002`, `e`, …, optionally followed by a
/// note such as `_missing_comma`) for a refusal with that code; `template` for
/// the document's blank template (a refusal naming no status).
fn expected(label: &str) -> Option<String> {
    if label == "template" {
        return Some(String::new());
    }
    let looks_like_code = |w: &str| {
        let b = w.as_bytes();
        b.len() == 1 && b[0].is_ascii_alphabetic()
            || b.len() == 4 && b[0].is_ascii_alphabetic() && w[1..].bytes().all(|c| c.is_ascii_digit())
    };
    let codes: Vec<&str> = label.split('_').take_while(|w| looks_like_code(w)).collect();
    (!codes.is_empty()).then(|| codes.join(":").to_ascii_uppercase())
}

#[test]
fn json_seeds_never_panic_and_good_ones_parse_as_their_names_say() {
    let mut checked = 0;
    for path in seeds("giftletter_json") {
        let bytes = std::fs::read(&path).unwrap();
        let n = name(&path);
        let good = n.starts_with("doc_") || n.starts_with("sandbox_");
        let Ok(text) = std::str::from_utf8(&bytes) else {
            assert!(!good, "{n} must be UTF-8");
            continue;
        };
        // Every parser on every seed: none may panic.
        let _ = [
            outcome(parse_send_epin(text)),
            outcome(parse_cancel(text)),
            outcome(parse_resend(text)),
            outcome(parse_status(text)),
            outcome(parse_goods_list(text)),
            outcome(parse_goods_info(text)),
            outcome(parse_brand_image(text)),
        ];
        if !good {
            continue;
        }
        let (parse, label) = parser_of(&n).unwrap_or_else(|| panic!("{n}: the name names no parser"));
        let got = parse(text).unwrap_or_else(|| panic!("{n} must parse"));
        // Codes are compared without the spaces some answers put around `:`.
        let got = got.map(|code| code.replace(' ', ""));
        assert_eq!(got, expected(label), "{n}: parsed as {got:?}");
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} good seeds were checked");
}

#[test]
fn the_seed_names_are_read_as_intended() {
    assert!(parser_of("doc_unknown_ok.json").is_none());
    assert!(parser_of("fuzz_send_epin_ok.json").is_none());
    assert_eq!(expected("ok"), None);
    assert_eq!(expected("brand_memo"), None);
    assert_eq!(expected("e102_p002"), Some("E102:P002".into()));
    assert_eq!(expected("p102_missing_comma"), Some("P102".into()));
    assert_eq!(expected("c"), Some("C".into()));
    assert_eq!(expected("template"), Some(String::new()));
}

#[test]
fn report_seeds_never_panic_and_good_ones_have_no_bad_lines() {
    let day = NaiveDate::from_ymd_opt(2015, 2, 21).unwrap();
    for path in seeds("giftletter_report") {
        let bytes = std::fs::read(&path).unwrap();
        let n = name(&path);
        match decode_report(&bytes, None) {
            Ok(text) => {
                let report = parse_exchange_daily(day, &text);
                if n.starts_with("doc_") || n.starts_with("sandbox_") {
                    assert!(report.errors.is_empty() && !report.items.is_empty(), "{n}: {:?}", report.errors);
                }
            }
            Err(e) => assert!(!n.starts_with("doc_") && !n.starts_with("sandbox_"), "{n}: {e}"),
        }
    }
}
