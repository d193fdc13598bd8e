//! The COUFUN catalog read with a strict, typed shape: it checks the data against the
//! vendor document (field lengths, status codes, amounts only on stored-value goods).

use std::collections::{BTreeSet, HashSet};

use serde::Deserialize;

use super::FIXTURES as COUFUN;

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
