//! The Giftishow Biz catalog read with a strict, typed shape: it checks the data
//! against the reconstructed reading (the Goods and Brand fields, code forms, cross
//! references, the drift of prices between numbers and text), not just that it parses.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::Value;

use super::FIXTURES as GIFTISHOW;
use super::catalog::{STORED_VALUE_TYPE, won};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Giftishow {
    brands: Vec<Brand>,
    goods: Vec<Goods>,
    branches: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Brand {
    brand_seq: u32,
    brand_code: String,
    brand_name: String,
    brand_icon_img: String,
    brand_banner_img: String,
    mms_thum_img: String,
    content: String,
    category1_seq: u32,
    category1_name: String,
    category2_seq: u32,
    category2_name: String,
    sort: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Goods {
    goods_code: String,
    goods_no: u64,
    goods_name: String,
    brand_code: String,
    brand_name: String,
    goods_com_id: String,
    goods_com_name: String,
    content: String,
    content_add_desc: String,
    goods_type_cd: String,
    goods_type_nm: String,
    goods_type_dtl_nm: String,
    goods_img_s: String,
    goods_img_b: String,
    brand_icon_img: String,
    mms_goods_img: String,
    discount_price: Value,
    real_price: Value,
    sale_price: Value,
    discount_rate: f64,
    valid_prd_type_cd: String,
    limit_day: u32,
    valid_prd_day: String,
    end_date: String,
    goods_state_cd: String,
    category1_seq: u32,
    srch_keyword: String,
    affiliate: String,
    affiliate_id: String,
    mms_reserve_flag: String,
    mms_barcd_create_yn: String,
    gold_price: Value,
    vip_price: Value,
    platinum_price: Value,
    gold_discount_rate: f64,
    vip_discount_rate: f64,
    platinum_discount_rate: f64,
    category_name1: String,
}

/// `prefix` then four digits (`GC0001`, `AF0001`).
fn numbered(code: &str, prefix: &str) -> bool {
    code.len() == prefix.len() + 4
        && code.starts_with(prefix)
        && code[prefix.len()..].bytes().all(|d| d.is_ascii_digit())
}

fn https(url: &str) -> bool {
    url.starts_with("https://bizimg.giftishow.com/")
}

#[test]
fn giftishow_catalog() {
    let c: Giftishow = serde_json::from_str(GIFTISHOW).expect("giftishow fixtures shape");
    let mut brand_codes = HashSet::new();
    for b in &c.brands {
        assert!(brand_codes.insert(b.brand_code.as_str()), "duplicate brand {}", b.brand_code);
        assert!(b.brand_code.starts_with("BR") && b.brand_code[2..].bytes().all(|d| d.is_ascii_digit()));
        assert!(b.brand_seq > 0 && b.sort > 0 && b.category1_seq > 0 && b.category2_seq > 0);
        assert!(!b.brand_name.is_empty() && !b.content.is_empty());
        assert!(!b.category1_name.is_empty() && !b.category2_name.is_empty());
        assert!(https(&b.brand_icon_img) && https(&b.brand_banner_img) && https(&b.mms_thum_img));
    }
    let mut codes = HashSet::new();
    let mut affiliates = std::collections::HashMap::new();
    for g in &c.goods {
        let code = &g.goods_code;
        assert!(codes.insert(code.as_str()), "duplicate goods {code}");
        assert!(code.len() == 12 && code.starts_with('G') && code[1..].bytes().all(|d| d.is_ascii_digit()), "{code}");
        assert_eq!(code[1..].parse::<u64>().ok(), Some(g.goods_no), "{code}: goodsNo is the code's number");
        let brand = c.brands.iter().find(|b| b.brand_code == g.brand_code).expect("a brand of the catalog");
        assert_eq!(g.brand_name, brand.brand_name, "{code}");
        assert_eq!(g.affiliate, brand.brand_name, "{code}");
        assert!(numbered(&g.affiliate_id, "AF"), "{code}: affiliateId {}", g.affiliate_id);
        let same = affiliates.entry(g.brand_code.as_str()).or_insert(g.affiliate_id.as_str());
        assert_eq!(*same, g.affiliate_id, "{code}: one affiliateId per brand");
        assert!(numbered(&g.goods_com_id, "GC") && !g.goods_com_name.is_empty(), "{code}: goodsComId, goodsComName");
        assert!(!g.content_add_desc.is_empty(), "{code}: contentAddDesc");
        let type_cd = if g.goods_type_nm == STORED_VALUE_TYPE { "AMNT" } else { "GNRL" };
        assert_eq!(g.goods_type_cd, type_cd, "{code}: goodsTypeCd follows goodsTypeNm");
        assert_eq!((g.category1_seq, &g.category_name1), (brand.category1_seq, &brand.category1_name), "{code}");
        assert!(!g.goods_name.is_empty() && !g.content.is_empty() && !g.goods_type_dtl_nm.is_empty());
        assert!(!g.srch_keyword.is_empty(), "{code}");
        for img in [&g.goods_img_s, &g.goods_img_b, &g.mms_goods_img] {
            assert!(https(img) && img.contains(code.as_str()), "{code}: {img}");
        }
        assert!(https(&g.brand_icon_img) && g.brand_icon_img.contains(&g.brand_code));
        let price = |v: &Value| won(Some(v)).unwrap_or_else(|| panic!("{code}: {v} is not won"));
        let (sale, real, discount) = (price(&g.sale_price), price(&g.real_price), price(&g.discount_price));
        assert!(discount < sale && real == sale, "{code}: the partner pays less than the consumer price");
        let rate = (sale - discount) as f64 * 100.0 / sale as f64;
        assert!((g.discount_rate - rate).abs() < 0.1, "{code}: discountRate {} vs {rate}", g.discount_rate);
        let tiers = [(&g.gold_price, g.gold_discount_rate), (&g.vip_price, g.vip_discount_rate)];
        let mut last = discount;
        for (p, r) in tiers.into_iter().chain([(&g.platinum_price, g.platinum_discount_rate)]) {
            let p = price(p);
            assert!(p < last, "{code}: each tier pays less");
            assert!(r > g.discount_rate, "{code}");
            last = p;
        }
        let same_form = [&g.discount_price, &g.real_price, &g.sale_price, &g.gold_price];
        assert!(same_form.iter().all(|v| v.is_string()) || same_form.iter().all(|v| v.is_number()), "{code}");
        assert_eq!(g.valid_prd_type_cd, "01");
        assert!(g.limit_day > 0 && g.valid_prd_day == format!("{}일", g.limit_day), "{code}");
        assert!(chrono::NaiveDate::parse_from_str(&g.end_date, "%Y%m%d").is_ok(), "{code}: endDate");
        assert!(
            ["Y", "N"].contains(&g.mms_reserve_flag.as_str()) && ["Y", "N"].contains(&g.mms_barcd_create_yn.as_str())
        );
        assert!(!g.goods_state_cd.is_empty());
    }
    assert!(c.goods.len() > 5, "more than a page of 5");
    assert!(c.goods.iter().any(|g| g.goods_state_cd != "SALE"), "a goods not on sale");
    assert!(c.goods.iter().filter(|g| g.goods_state_cd == "SALE").count() >= 6);
    let stored: Vec<_> = c.goods.iter().filter(|g| g.goods_type_nm == STORED_VALUE_TYPE).collect();
    assert!(stored.iter().any(|g| g.goods_state_cd == "SALE"), "a stored-value goods on sale");
    assert!(c.goods.iter().any(|g| g.sale_price.is_string()), "prices as text");
    assert!(c.goods.iter().any(|g| g.sale_price.is_number()), "prices as numbers");
    let prices: HashSet<_> = c.goods.iter().filter_map(|g| won(Some(&g.sale_price))).collect();
    assert!(prices.iter().any(|p| *p < 2000) && prices.iter().any(|p| *p >= 30000), "a range of prices");
    for b in &c.brands {
        assert!(c.goods.iter().any(|g| g.brand_code == b.brand_code), "{}: every brand has goods", b.brand_code);
    }
    assert!(c.branches.len() >= 4 && c.branches.iter().all(|b| !b.is_empty()));
}
