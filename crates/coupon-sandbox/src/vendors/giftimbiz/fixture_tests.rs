//! The GiftiMbiz catalog read with a strict, typed shape: it checks the data against
//! the vendor document (its two category tables, price tiers, cross references).

use std::collections::{BTreeSet, HashSet};

use serde::Deserialize;

use super::FIXTURES as GIFTIMBIZ;

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
