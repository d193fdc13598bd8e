//! The fixture catalogs, embedded from `fixtures/*.json` and parsed when an emulator is
//! built.
//!
//! Shapes (plain JSON, extended by the vendor emulators as they need):
//!
//! - `giftletter.json`: `brands` (`brand_id`, `brand_name`, `img_url`, `brand_memo`),
//!   `goods` (`goods_id`, `goods_name`, `brand_id`, `price`, `sprice`, `msg_type`,
//!   `exdate`, `goods_memo`, `img_url`, `status`, `status_supported`, `exchange_day_only`),
//!   `branches`.
//! - `giftimbiz.json`: `gifticon_categories` and `star_categories` (`mc_idx`,
//!   `mc_title`, `mc_gift_thum`), `brands` (`mb_idx`, `mb_brand`, `mb_edu_use_is`,
//!   `mc_idx`, `mb_thumb`), `gifticons` (`md_idx`, `gm_idx`, `product`, `mb_idx`,
//!   `mc_idx`, `price`, `sell_price1..3`, `endtime_days_from_now`, `hit`, `gm_thumb`),
//!   `star_coupons` (`ms_idx`, `mc_idx`, `ms_name`, `ms_couponname`, `ms_product`,
//!   `ms_type`, `ms_price`, `ms_orgprice`, `ms_place1`, `gu`, `dong`, `msl_idx`,
//!   `msc_idx`, `md_idx`, `msl_condition`, `ms_thumb`, `msl_thumb`, `msl_img`,
//!   `ms_naverplaceaddr`, `msu_idx`, `managecode`, `makestarid`).
//! - `coufun.json`: `goods` (`goods_id`, `goods_name`, `brand`, `coupon_type`, `price`),
//!   `coupons` (`barcode_num`, `goods_id`, `orders`: `order_date`, `status`,
//!   `receiver_mobile`, `valid_end_date`, `exchange_date`, `cancel_date`, and for
//!   `AMOUNT` goods `total_amount`, `remain_amount`).

use serde_json::Value;

/// Giftletter catalog.
pub(crate) const GIFTLETTER: &str = include_str!("../fixtures/giftletter.json");
/// GiftiMbiz catalog.
pub(crate) const GIFTIMBIZ: &str = include_str!("../fixtures/giftimbiz.json");
/// COUFUN catalog.
pub(crate) const COUFUN: &str = include_str!("../fixtures/coufun.json");

/// Parses an embedded catalog.
///
/// # Panics
///
/// When the file is not valid JSON. The files are compiled into the crate and checked
/// by this module's tests, so this is a build defect, never a consequence of a request.
pub(crate) fn parse(vendor: &str, text: &str) -> Value {
    serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("coupon-sandbox: embedded fixtures/{vendor}.json is not valid JSON: {e}"))
}

/// Typed readings of the catalogs: they check the data against the vendor documents
/// (shapes, lengths, code tables, cross references), not just that it parses.
#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashSet};

    use serde::Deserialize;

    use super::*;

    #[test]
    fn all_three_parse() {
        for (vendor, text) in [("giftletter", GIFTLETTER), ("giftimbiz", GIFTIMBIZ), ("coufun", COUFUN)] {
            assert!(parse(vendor, text).is_object(), "{vendor}");
        }
    }

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

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Giftimbiz {
        gifticon_categories: Vec<GiCategory>,
        brands: Vec<GiBrand>,
        gifticons: Vec<GiGifticon>,
        star_categories: Vec<GiCategory>,
        star_coupons: Vec<GiStarCoupon>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct GiCategory {
        mc_idx: u32,
        mc_title: String,
        mc_gift_thum: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct GiBrand {
        mb_idx: u32,
        mb_brand: String,
        mb_edu_use_is: String,
        mc_idx: u32,
        mb_thumb: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct GiGifticon {
        md_idx: u32,
        gm_idx: u32,
        product: String,
        mb_idx: u32,
        mc_idx: u32,
        price: u64,
        sell_price1: u64,
        sell_price2: u64,
        sell_price3: u64,
        endtime_days_from_now: u32,
        hit: u32,
        gm_thumb: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct GiStarCoupon {
        ms_idx: u32,
        mc_idx: u32,
        ms_name: String,
        ms_couponname: String,
        ms_product: String,
        ms_type: String,
        ms_price: u64,
        ms_orgprice: u64,
        ms_place1: String,
        gu: String,
        dong: String,
        msl_idx: u32,
        msc_idx: u32,
        md_idx: u32,
        msl_condition: String,
        ms_thumb: String,
        msl_thumb: String,
        msl_img: String,
        ms_naverplaceaddr: String,
        msu_idx: u32,
        managecode: String,
        makestarid: String,
    }

    fn table(categories: &[GiCategory]) -> Vec<(u32, &str)> {
        categories.iter().map(|c| (c.mc_idx, c.mc_title.as_str())).collect()
    }

    #[test]
    fn giftimbiz_catalog() {
        let c: Giftimbiz = serde_json::from_str(GIFTIMBIZ).expect("giftimbiz.json shape");
        // The two tables of the vendor document, in its order.
        assert_eq!(
            table(&c.gifticon_categories),
            [
                (1, "커피음료"),
                (2, "아이스크림"),
                (3, "도서문화영화음악"),
                (4, "베이커리도넛"),
                (5, "치킨,피자"),
                (6, "마트,편의점"),
                (7, "패스트푸드"),
                (8, "상품권"),
                (28, "외식"),
                (32, "호텔,뷔페"),
            ]
        );
        assert_eq!(
            table(&c.star_categories),
            [
                (18, "뷰티·헤어"),
                (23, "세차"),
                (12, "일식"),
                (14, "야식"),
                (15, "분식"),
                (16, "아시안"),
                (10, "한식"),
                (26, "카페·디저트"),
                (11, "중식"),
                (13, "양식"),
                (33, "학원"),
                (25, "패스트푸드"),
            ]
        );
        for cat in c.gifticon_categories.iter().chain(&c.star_categories) {
            assert!(cat.mc_gift_thum.starts_with("/Form/_guest/basic/images/"));
        }
        let gift_cats: HashSet<_> = c.gifticon_categories.iter().map(|c| c.mc_idx).collect();
        let star_cats: HashSet<_> = c.star_categories.iter().map(|c| c.mc_idx).collect();

        let mut brands = std::collections::HashMap::new();
        for b in &c.brands {
            assert!(gift_cats.contains(&b.mc_idx), "{}", b.mb_brand);
            assert!(b.mb_thumb.starts_with("/UPLOAD/CATE/"), "{}", b.mb_brand);
            assert!(["Y", "N"].contains(&b.mb_edu_use_is.as_str()));
            assert!(brands.insert(b.mb_idx, b.mc_idx).is_none(), "duplicate brand");
        }

        let mut sales = HashSet::new();
        let mut tiers = BTreeSet::new();
        for g in &c.gifticons {
            assert!(sales.insert(g.md_idx), "duplicate md_idx {}", g.md_idx);
            assert!(g.gm_idx > 0 && g.hit > 0 && !g.product.is_empty());
            assert_eq!(brands.get(&g.mb_idx), Some(&g.mc_idx), "{}: brand category", g.product);
            assert!(
                g.price > g.sell_price1
                    && g.sell_price1 > g.sell_price2
                    && g.sell_price2 > g.sell_price3
                    && g.sell_price3 > 0,
                "{}: prices must fall tier by tier",
                g.product
            );
            assert!(g.gm_thumb.starts_with("/UPLOAD/") || g.gm_thumb.starts_with("https://"));
            // The document's tiers are "over 60 days", "60 to 30", "under 30": the
            // boundaries themselves are ambiguous, so the catalog avoids them.
            let days = g.endtime_days_from_now;
            assert!(days != 30 && days != 60, "{}: boundary day", g.product);
            tiers.insert(match days {
                61.. => 1,
                31..=59 => 2,
                _ => 3,
            });
        }
        assert!(c.gifticons.len() >= 25);
        assert_eq!(tiers.into_iter().collect::<Vec<_>>(), [1, 2, 3], "all price tiers");
        assert!(c.gifticons.iter().any(|g| g.gm_thumb.starts_with('/')), "relative thumbs");

        let mut shops = HashSet::new();
        let mut coupon_details = HashSet::new();
        for s in &c.star_coupons {
            assert!(shops.insert(s.ms_idx), "duplicate ms_idx {}", s.ms_idx);
            assert!(star_cats.contains(&s.mc_idx), "{}", s.ms_name);
            match s.ms_type.as_str() {
                "free" => assert_eq!(s.ms_price, 0, "{}", s.ms_name),
                "buy" => assert!(s.ms_price > 0, "{}", s.ms_name),
                other => panic!("{}: ms_type {other}", s.ms_name),
            }
            for text in [&s.ms_couponname, &s.ms_product, &s.ms_place1, &s.gu, &s.dong, &s.msl_condition, &s.managecode]
            {
                assert!(!text.is_empty(), "{}", s.ms_name);
            }
            assert!(s.msl_idx > 0 && s.md_idx > 0 && s.msu_idx > 0);
            // buyStarcoupon's `msc_idx` (쿠폰상세인덱스): one per listing.
            assert!(coupon_details.insert(s.msc_idx), "duplicate msc_idx {}", s.msc_idx);
            assert!(s.ms_orgprice >= s.ms_price && s.ms_orgprice > 0, "{}: 원가 at least the price", s.ms_name);
            assert!(!s.makestarid.is_empty(), "{}", s.ms_name);
            for thumb in [&s.ms_thumb, &s.msl_thumb, &s.msl_img] {
                assert!(thumb.starts_with("/UPLOAD/"), "{}", s.ms_name);
            }
            assert!(s.ms_naverplaceaddr.starts_with("https://m.place.naver.com/"));
        }
        assert!(c.star_coupons.len() >= 10);
        assert!(c.star_coupons.iter().any(|s| s.ms_type == "free"));
        assert!(c.star_coupons.iter().any(|s| s.ms_type == "buy"));
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Coufun {
        goods: Vec<CfGoods>,
        coupons: Vec<CfCoupon>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct CfGoods {
        goods_id: String,
        goods_name: String,
        brand: String,
        coupon_type: String,
        price: u64,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct CfCoupon {
        barcode_num: String,
        goods_id: String,
        orders: Vec<CfOrder>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct CfOrder {
        order_date: String,
        status: String,
        receiver_mobile: String,
        valid_end_date: String,
        exchange_date: String,
        cancel_date: String,
        total_amount: Option<u64>,
        remain_amount: Option<u64>,
    }

    fn is_date(text: &str, format: &str) -> bool {
        chrono::NaiveDateTime::parse_from_str(text, format).is_ok()
            || chrono::NaiveDate::parse_from_str(text, format).is_ok()
    }

    #[test]
    fn coufun_catalog() {
        let c: Coufun = serde_json::from_str(COUFUN).expect("coufun.json shape");
        let mut types = std::collections::HashMap::new();
        for g in &c.goods {
            // Request field lengths of the document: GOODS_ID 10 bytes.
            assert!(g.goods_id.len() <= 10, "{}", g.goods_id);
            assert!(!g.goods_name.is_empty() && !g.brand.is_empty() && g.price > 0);
            assert!(["BARCODE", "AMOUNT"].contains(&g.coupon_type.as_str()));
            assert!(types.insert(g.goods_id.as_str(), g.coupon_type.as_str()).is_none());
        }
        let mut seen = BTreeSet::new();
        let mut barcodes = HashSet::new();
        for coupon in &c.coupons {
            assert!(barcodes.insert(&coupon.barcode_num), "duplicate barcode");
            assert!(coupon.barcode_num.len() <= 30, "{}", coupon.barcode_num);
            // Clients send BARCODE_NUM as EUC-KR-safe ASCII.
            assert!(coupon.barcode_num.bytes().all(|b| b.is_ascii_graphic()), "{}", coupon.barcode_num);
            // The latest order says what the coupon is now: order dates must tell them apart.
            let dates: BTreeSet<_> = coupon.orders.iter().map(|o| o.order_date.as_str()).collect();
            assert_eq!(dates.len(), coupon.orders.len(), "{}: one order per date", coupon.barcode_num);
            let kind = *types.get(coupon.goods_id.as_str()).expect("known goods");
            assert!((1..=10).contains(&coupon.orders.len()), "ORDER_INFO holds 1 to 10");
            for o in &coupon.orders {
                let id = &coupon.barcode_num;
                assert!(is_date(&o.order_date, "%Y%m%d"), "{id}");
                assert!(is_date(&o.valid_end_date, "%Y%m%d"), "{id}");
                assert!(
                    o.receiver_mobile.len() == 11
                        && o.receiver_mobile.starts_with("010")
                        && o.receiver_mobile.bytes().all(|b| b.is_ascii_digit()),
                    "{id}"
                );
                for stamp in [&o.exchange_date, &o.cancel_date] {
                    assert!(stamp.is_empty() || is_date(stamp, "%Y%m%d%H%M%S"), "{id}");
                }
                match o.status.as_str() {
                    "000" => assert!(o.cancel_date.is_empty(), "{id}"),
                    "001" => assert!(!o.exchange_date.is_empty(), "{id}: used has a date"),
                    "100" => assert!(!o.cancel_date.is_empty(), "{id}: cancelled has a date"),
                    other => panic!("{id}: status {other}"),
                }
                match (kind, o.total_amount, o.remain_amount) {
                    ("BARCODE", None, None) => {}
                    ("AMOUNT", Some(total), Some(remain)) => {
                        assert!(remain <= total, "{id}");
                        if o.status == "001" {
                            assert_eq!(remain, 0, "{id}: used up");
                        }
                    }
                    _ => panic!("{id}: amounts only and always on AMOUNT coupons"),
                }
                seen.insert((kind, o.status.as_str()));
            }
        }
        for kind in ["BARCODE", "AMOUNT"] {
            for status in ["000", "001", "100"] {
                assert!(seen.contains(&(kind, status)), "{kind} {status} missing");
            }
        }
        assert!(c.coupons.iter().any(|c| c.orders.len() == 3), "a barcode with 3 orders");
        // The document's success example, as a fixture: AMOUNT, 000, 2,500 of 10,000 left, exchanged.
        let example = c.coupons.iter().find(|c| c.barcode_num == "ABC1234567890").expect("the document's barcode");
        let o = &example.orders[0];
        assert_eq!(types.get(example.goods_id.as_str()), Some(&"AMOUNT"));
        assert_eq!((o.status.as_str(), o.total_amount, o.remain_amount), ("000", Some(10_000), Some(2_500)));
        assert!(!o.exchange_date.is_empty() && o.cancel_date.is_empty());
    }
}
