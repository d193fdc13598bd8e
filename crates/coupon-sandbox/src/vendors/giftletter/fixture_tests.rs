//! The Giftletter catalog read with a strict, typed shape: it checks the data against
//! the vendor document (lengths, code tables, cross references), not just that it parses.

use std::collections::HashSet;

use serde::Deserialize;

use super::FIXTURES as GIFTLETTER;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Giftletter {
    brands: Vec<GlBrand>,
    goods: Vec<GlGoods>,
    branches: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GlBrand {
    brand_id: u32,
    brand_name: String,
    img_url: String,
    brand_memo: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GlGoods {
    goods_id: String,
    goods_name: String,
    brand_id: u32,
    price: u64,
    sprice: u64,
    msg_type: String,
    exdate: String,
    goods_memo: String,
    img_url: String,
    status: String,
    status_supported: bool,
    exchange_day_only: bool,
}

#[test]
fn giftletter_catalog() {
    let c: Giftletter = serde_json::from_str(GIFTLETTER).expect("giftletter.json shape");
    let brand_ids: HashSet<_> = c.brands.iter().map(|b| b.brand_id).collect();
    assert_eq!(brand_ids.len(), c.brands.len(), "brand ids are unique");
    for b in &c.brands {
        assert!(!b.brand_name.is_empty() && !b.brand_memo.is_empty());
        assert!(b.img_url.starts_with("http://image.gift-n.net/brand/"));
    }
    let mut ids = HashSet::new();
    for g in &c.goods {
        assert!(ids.insert(&g.goods_id), "duplicate goods {}", g.goods_id);
        assert!(g.goods_id.len() == 10 && g.goods_id.bytes().all(|b| b.is_ascii_digit()), "{}", g.goods_id);
        assert!(brand_ids.contains(&g.brand_id), "{}", g.goods_id);
        assert!(!g.goods_name.is_empty() && g.img_url.contains(&g.goods_id));
        assert!(g.sprice < g.price, "{}: supply price under price", g.goods_id);
        assert!(["1", "2"].contains(&g.msg_type.as_str()));
        assert!(["Y", "N"].contains(&g.status.as_str()));
        let days = g.exdate.parse::<u32>().is_ok();
        let date = chrono::NaiveDate::parse_from_str(&g.exdate, "%Y-%m-%d").is_ok();
        assert!(days || date, "{}: exdate {:?}", g.goods_id, g.exdate);
    }
    let exdates: Vec<_> = c.goods.iter().map(|g| g.exdate.contains('-')).collect();
    assert!(exdates.contains(&true) && exdates.contains(&false), "both exdate forms");
    assert!(c.goods.iter().any(|g| g.status == "N"), "an unusable goods");
    assert!(c.goods.iter().any(|g| !g.status_supported), "a goods without status");
    assert!(c.goods.iter().any(|g| g.exchange_day_only), "a goods redeemed with the day only");
    assert!(c.goods.iter().any(|g| !g.exchange_day_only), "a goods redeemed with a time");
    assert!(c.goods.iter().any(|g| g.goods_memo.is_empty()), "a goods using the brand memo");
    assert!(c.goods.iter().any(|g| !g.goods_memo.is_empty()), "a goods with its own memo");
    assert!(c.branches.len() >= 4 && c.branches.iter().all(|b| !b.is_empty()));
}
