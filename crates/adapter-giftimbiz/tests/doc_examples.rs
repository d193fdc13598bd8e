//! Every example answer of the vendor document, parsed.
//!
//! The document's examples are pseudo-JSON. The verbatim text sits beside each fixed
//! file in `fuzz/seeds/giftimbiz_json/doc_*_verbatim.txt` (and is fuzzed as is); the
//! fixed files `fixed_*.json` are valid JSON with these fixes, applied to all of them:
//! curly quotes (“ ” ’) made straight; the unquoted `0000` of `result` quoted (a JSON
//! number cannot have leading zeros); `…………` placeholder objects and the trailing
//! commas around them removed. Further fixes are noted per test.

use adapter_giftimbiz::codes;
use adapter_giftimbiz::wire::replies as wire;
use coupon_core::Won;
use coupon_core::codes::Refusal;
use coupon_core::secrecy::ExposeSecret;

const ORIGIN: &str = "https://www.giftiexchange.com";

macro_rules! seed {
    ($name:literal) => {
        include_bytes!(concat!("../../../fuzz/seeds/giftimbiz_json/", $name))
    };
}

#[test]
fn doc_2_3_token_answer_with_a_numeric_result() {
    let token = wire::parse_access_token(seed!("fixed_02-3_token.json")).unwrap().unwrap();
    assert_eq!(token.expose_secret(), "token_data");
}

#[test]
fn doc_2_4_refusal_keeps_code_and_message() {
    // Fix: the placeholder `#오류코드` (not JSON) replaced by a real code of the table, TOKEN05.
    let e = wire::parse_access_token(seed!("fixed_02-4_refusal.json")).unwrap().unwrap_err();
    assert_eq!(e, Refusal::new("TOKEN05", Some("#오류메시지".into())));
    let mapped = Refusal::new("TOKEN05", Some("#오류메시지".into())).into_error(&codes::TABLE);
    assert_eq!(mapped.kind(), coupon_core::ErrorKind::Unauthenticated);
    assert_eq!(mapped.vendor_message(), Some("#오류메시지"));
}

#[test]
fn doc_3_3_gift_categories_and_brands_with_relative_thumbs() {
    // Fixes: the missing comma between `cate` and `brand`; `brand`'s array closed with `]`
    // where the document closes it with `}`.
    let c = wire::parse_gift_categories(seed!("fixed_03-3_cateGift.json"), ORIGIN).unwrap().unwrap();
    assert_eq!(c.categories[0].mc_idx, "1");
    assert_eq!(c.categories[0].mc_title, "커피음료");
    assert_eq!(
        c.categories[0].thumb.as_deref(),
        Some("https://www.giftiexchange.com/Form/_guest/basic/images/mGiftSwipe02.svg")
    );
    let b = &c.brands[0];
    assert_eq!((b.mb_idx.as_str(), b.mb_brand.as_str(), b.in_use), ("2", "스타벅스", Some(true)));
    assert!(b.thumb.as_deref().unwrap().starts_with("https://www.giftiexchange.com/UPLOAD/CATE/"));
}

#[test]
fn doc_4_3_gift_listing_with_string_numbers_and_three_prices() {
    let page = wire::parse_gift_listings(seed!("fixed_04-3_listAll.json"), ORIGIN).unwrap().unwrap();
    assert_eq!((page.total_count, page.is_next), (Some(210), true));
    let l = &page.items[0];
    assert_eq!((l.md_idx.as_str(), l.gm_idx.as_deref()), ("18411", Some("27935")));
    assert_eq!((l.sell_price1, l.sell_price2, l.sell_price3), (Some(Won(940)), Some(Won(930)), Some(Won(462))));
    assert_eq!((l.price, l.disprice, l.percentage), (Some(Won(1400)), Some(Won(940)), Some(33)));
    assert_eq!(l.endtime.unwrap().to_rfc3339(), "2025-12-31T00:00:00+09:00");
    let day = |s: &str| s.parse::<coupon_core::chrono::NaiveDate>().unwrap();
    assert_eq!(l.price_on(day("2025-09-01")), Some(Won(940)), "121 days left");
    assert_eq!(l.price_on(day("2025-11-15")), Some(Won(930)), "46 days left");
    assert_eq!(l.price_on(day("2025-12-20")), Some(Won(462)), "11 days left");
    assert_eq!(l.price_on(day("2026-01-01")), None, "expired");
}

#[test]
fn doc_5_3_gift_detail_with_numbers_and_same_brand_items() {
    let d = wire::parse_gift_detail(seed!("fixed_05-3_giftDetail.json"), ORIGIN).unwrap().unwrap();
    assert_eq!((d.detail.code.as_str(), d.detail.dcode.as_str()), ("2576", "14560"));
    assert_eq!((d.detail.price, d.detail.product.as_str()), (Some(Won(2400)), "매일)페레로로쉐3구"));
    assert_eq!(d.same_brand.len(), 1);
    assert_eq!(d.same_brand[0].product, "롯데)초코빼빼로");
}

#[test]
fn doc_6_3_and_11_3_buy_answers() {
    // Fixes: the unquoted placeholders `메시지` and `주문번호` quoted; the missing commas added.
    for body in [&seed!("fixed_06-3_buyGifticoupon.json")[..], &seed!("fixed_11-3_buyStarcoupon.json")[..]] {
        let a = wire::parse_buy(body).unwrap().unwrap();
        assert_eq!((a.tid.as_str(), a.message.as_deref()), ("주문번호", Some("메시지")));
    }
}

#[test]
fn doc_7_3_purchase_history_with_placeholders_and_an_empty_list_object() {
    // Fixes: the placeholders `구매전체갯수` and `주문번호` quoted; `"list" : 데이터정보 { }` made
    // the empty object `{}` the example shows. Neither placeholder is a number or a boolean.
    let p = wire::parse_gift_purchases(seed!("fixed_07-3_buyGifticonList.json"), ORIGIN).unwrap().unwrap();
    assert_eq!((p.total_count, p.is_next, p.items.len()), (None, false, 0));
}

#[test]
fn doc_8_3_star_categories_and_shops() {
    // Fixes: as 3-3, and the curly-quoted keys `cate` and `brand`.
    let c = wire::parse_star_categories(seed!("fixed_08-3_cateStar.json"), ORIGIN).unwrap().unwrap();
    assert_eq!((c.categories[0].mc_idx.as_str(), c.categories[0].mc_title.as_str()), ("18", "뷰티·헤어"));
    let s = &c.shops[0];
    assert_eq!((s.ms_idx.as_str(), s.ms_name.as_str()), ("59", "쿠히치 연남"));
    assert!(s.thumb.as_deref().unwrap().starts_with("https://www.giftiexchange.com/UPLOAD/_PRODUCT/"));
}

#[test]
fn doc_9_3_star_listing() {
    let page = wire::parse_star_listings(seed!("fixed_09-3_starListAll.json"), ORIGIN).unwrap().unwrap();
    assert_eq!((page.total_count, page.is_next), (Some(88), true));
    let l = &page.items[0];
    assert_eq!((l.ms_idx.as_str(), l.md_idx.as_str(), l.msl_idx.as_str()), ("37", "1350", "188"));
    assert_eq!((l.ms_price, l.ms_type.as_deref()), (Some(Won(0)), Some("free")));
    assert!(l.thumb.as_deref().unwrap().starts_with("https://www.giftiexchange.com/UPLOAD/starplace/"));
}

#[test]
fn doc_10_3_star_detail_without_a_result_field() {
    // The document's answer has no `result`: kept that way.
    let d = wire::parse_star_detail(seed!("fixed_10-3_starDetail.json"), ORIGIN).unwrap().unwrap();
    assert_eq!((d.detail.ms_idx.as_str(), d.detail.msl_idx.as_deref()), ("18", Some("224")));
    assert_eq!(d.detail.ms_price, Some(Won(0)));
    assert!(d.detail.msl_img2.as_deref().unwrap().starts_with("https://www.giftiexchange.com/UPLOAD/starplace/"));
    assert_eq!(d.same_brand[0].ms_orgprice, Some(Won(0)));
    assert!(d.detail.naver_place.as_deref().unwrap().starts_with("https://map.naver.com/"));
}

#[test]
fn doc_12_3_star_purchase_history() {
    // Fixes: `"data" : 데이터정보 { "list": 리스트 { }, … }` made `"data": {"list": {}, …}`; the
    // unquoted keys `Totalbuyprice` and `Totaldiscountprice` and their placeholder values quoted.
    let p = wire::parse_star_purchases(seed!("fixed_12-3_buyStarcouponList.json"), ORIGIN).unwrap().unwrap();
    assert_eq!((p.items.len(), p.total_buy_price, p.total_discount_price), (0, None, None));
}

#[test]
fn doc_13_3_qr_image_path_is_made_absolute() {
    // Fix: the placeholder `qrimg경로` quoted.
    let url = wire::parse_qr_image(seed!("fixed_13-3_getQRImg.json"), ORIGIN).unwrap().unwrap();
    // Joined with `Url::join`, so the Korean placeholder is percent-encoded.
    assert_eq!(url, "https://www.giftiexchange.com/qrimg%EA%B2%BD%EB%A1%9C");
}

#[test]
fn doc_14_3_mark_used_answer() {
    assert_eq!(
        wire::parse_use(seed!("fixed_14-3_setUseStarCoupon.json")).unwrap().unwrap().as_deref(),
        Some("성공 메시지")
    );
}

/// The parsers by the name of their endpoint, each over one body: whether it accepted it.
fn accepted_by(body: &[u8]) -> Vec<&'static str> {
    let o = ORIGIN;
    [
        ("getAccessToken", wire::parse_access_token(body).is_ok_and(|a| a.is_ok())),
        ("cateGift", wire::parse_gift_categories(body, o).is_ok_and(|a| a.is_ok())),
        ("listAll", wire::parse_gift_listings(body, o).is_ok_and(|a| a.is_ok())),
        ("giftDetail", wire::parse_gift_detail(body, o).is_ok_and(|a| a.is_ok())),
        ("buy", wire::parse_buy(body).is_ok_and(|a| a.is_ok())),
        ("buyGifticonList", wire::parse_gift_purchases(body, o).is_ok_and(|a| a.is_ok())),
        ("cateStar", wire::parse_star_categories(body, o).is_ok_and(|a| a.is_ok())),
        ("starListAll", wire::parse_star_listings(body, o).is_ok_and(|a| a.is_ok())),
        ("starDetail", wire::parse_star_detail(body, o).is_ok_and(|a| a.is_ok())),
        ("buyStarcouponList", wire::parse_star_purchases(body, o).is_ok_and(|a| a.is_ok())),
        ("getQRImg", wire::parse_qr_image(body, o).is_ok_and(|a| a.is_ok())),
        ("setUseStarCoupon", wire::parse_use(body).is_ok_and(|a| a.is_ok())),
    ]
    .into_iter()
    .filter_map(|(name, ok)| ok.then_some(name))
    .collect()
}

/// Whether the body carries `result` at its top level, which the client requires of
/// every answer but starDetail's (the document's starDetail example has none).
fn carries_result(body: &[u8]) -> bool {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap();
    v.as_object().unwrap().iter().any(|(k, v)| k.eq_ignore_ascii_case("result") && !v.is_null())
}

/// Each known-good answer (the document's examples made JSON, the sandbox's answers)
/// with the parser of its endpoint, which must accept it: a seed no parser of its own
/// endpoint reads fails here, however lenient the others are. Every one of them also
/// carries `result` (starDetail's aside, as the document shows it), so the client's
/// rule "an answer without `result` is not a success" refuses none of them.
const KNOWN_GOOD: &[(&str, &str)] = &[
    ("fixed_02-3_token.json", "getAccessToken"),
    ("fixed_03-3_cateGift.json", "cateGift"),
    ("fixed_04-3_listAll.json", "listAll"),
    ("fixed_05-3_giftDetail.json", "giftDetail"),
    ("fixed_06-3_buyGifticoupon.json", "buy"),
    ("fixed_07-3_buyGifticonList.json", "buyGifticonList"),
    ("fixed_08-3_cateStar.json", "cateStar"),
    ("fixed_09-3_starListAll.json", "starListAll"),
    ("fixed_10-3_starDetail.json", "starDetail"),
    ("fixed_11-3_buyStarcoupon.json", "buy"),
    ("fixed_12-3_buyStarcouponList.json", "buyStarcouponList"),
    ("fixed_13-3_getQRImg.json", "getQRImg"),
    ("fixed_14-3_setUseStarCoupon.json", "setUseStarCoupon"),
    ("sandbox_buyGifticonList.json", "buyGifticonList"),
    ("sandbox_buyGifticoupon.json", "buy"),
    ("sandbox_buyStarcoupon.json", "buy"),
    ("sandbox_buyStarcouponList.json", "buyStarcouponList"),
    ("sandbox_cateGift.json", "cateGift"),
    ("sandbox_cateStar.json", "cateStar"),
    ("sandbox_giftDetail.json", "giftDetail"),
    ("sandbox_listAll.json", "listAll"),
    ("sandbox_starDetail.json", "starDetail"),
    ("sandbox_starListAll.json", "starListAll"),
];

/// Refusals: every parser reads them as that refusal, code verbatim.
const REFUSALS: &[(&str, &str)] = &[("fixed_02-4_refusal.json", "TOKEN05"), ("refusal_buyGifticoupon_PL.json", "PL")];

fn seed_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/giftimbiz_json")
}

#[test]
fn every_known_good_answer_is_accepted_by_the_parser_of_its_endpoint() {
    for (name, endpoint) in KNOWN_GOOD {
        let body = std::fs::read(seed_dir().join(name)).unwrap();
        let accepted = accepted_by(&body);
        assert!(accepted.contains(endpoint), "{name}: the {endpoint} parser refused it (accepted by {accepted:?})");
        assert_eq!(carries_result(&body), *endpoint != "starDetail", "{name}: `result` present or not as documented");
    }
}

#[test]
fn every_refusal_is_a_refusal_for_every_parser() {
    for (name, code) in REFUSALS {
        let body = std::fs::read(seed_dir().join(name)).unwrap();
        assert_eq!(accepted_by(&body), Vec::<&str>::new(), "{name}");
        match wire::parse_buy(&body) {
            Ok(Err(refusal)) => assert_eq!(refusal.code.raw(), *code, "{name}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

/// Every committed fuzz seed (and crash) goes through every parser without a panic,
/// and every seed named as known-good or as a refusal is listed above (a new seed
/// must say which parser must accept it).
#[test]
fn every_fuzz_seed_replays_without_panic() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds");
    let mut seen = 0;
    for dir in std::fs::read_dir(&root).unwrap().flatten() {
        if !dir.file_name().to_string_lossy().starts_with("giftimbiz_") {
            continue;
        }
        for file in std::fs::read_dir(dir.path()).unwrap().flatten() {
            let bytes = std::fs::read(file.path()).unwrap();
            let _ = wire::parse_all(&bytes);
            let name = file.file_name().to_string_lossy().into_owned();
            if name.starts_with("fixed_") || name.starts_with("sandbox_") || name.starts_with("refusal_") {
                let listed = KNOWN_GOOD.iter().chain(REFUSALS).any(|(n, _)| *n == name);
                assert!(listed, "{name}: say which parser must accept it (KNOWN_GOOD) or that it is a refusal");
            }
            seen += 1;
        }
    }
    assert!(seen >= 40, "only {seen} seeds found");
}
