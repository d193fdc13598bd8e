//! Every file under `fuzz/seeds/giftletter_*/` replayed through the parsers the fuzz
//! targets drive: none may panic, and the known-good seeds (`ok` in the name) parse.

use std::path::{Path, PathBuf};

use adapter_giftletter::wire::replies::{
    parse_brand_image, parse_cancel, parse_goods_info, parse_goods_list, parse_resend, parse_send_epin, parse_status,
};
use adapter_giftletter::wire::report::{decode_report, parse_exchange_daily};
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

#[test]
fn json_seeds_never_panic_and_good_ones_parse() {
    for path in seeds("giftletter_json") {
        let bytes = std::fs::read(&path).unwrap();
        let Ok(text) = std::str::from_utf8(&bytes) else { continue };
        let results = [
            parse_send_epin(text).is_ok(),
            parse_cancel(text).is_ok(),
            parse_resend(text).is_ok(),
            parse_status(text).is_ok(),
            parse_goods_list(text).is_ok(),
            parse_goods_info(text).is_ok(),
            parse_brand_image(text).is_ok(),
        ];
        let n = name(&path);
        let parsed = if n.contains("send_epin") {
            results[0]
        } else if n.contains("cancel") {
            results[1]
        } else if n.contains("resend") {
            results[2]
        } else if n.contains("status") {
            results[3]
        } else if n.contains("goods_list") {
            results[4]
        } else if n.contains("goods_info") {
            results[5]
        } else if n.contains("brand_image") {
            results[6]
        } else {
            true
        };
        if n.starts_with("doc_") || n.starts_with("sandbox_") {
            assert!(parsed, "{n} must parse");
        }
    }
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
