//! Properties of the decoders: every spelling the document shows is read, nothing
//! panics, and the tiered price never rises as the expiry approaches.

use adapter_giftimbiz::wire;
use adapter_giftimbiz::wire::replies::{self, GiftListing, PriceTier};
use coupon_core::Won;
use coupon_core::chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use serde_json::{Value, json};

/// A number in one of the spellings GiftiMbiz uses.
fn spelled(n: u64) -> impl Strategy<Value = Value> {
    prop_oneof![Just(json!(n)), Just(json!(n.to_string())), Just(json!(format!(" {n} ")))]
}

fn spelled_bool(b: bool) -> impl Strategy<Value = Value> {
    let words: Vec<Value> = if b {
        vec![json!(true), json!("true"), json!("TRUE"), json!("Y"), json!(1), json!("1")]
    } else {
        vec![json!(false), json!("false"), json!("N"), json!(0), json!("0")]
    };
    proptest::sample::select(words)
}

/// `wire::int` of `v`, written as JSON text and read back.
fn int_of(v: &Value) -> Option<u64> {
    wire::int(&serde_json::from_str::<Value>(&v.to_string()).unwrap())
}

/// `wire::flag` of `v`, as [`int_of`].
fn flag_of(v: &Value) -> Option<bool> {
    wire::flag(&serde_json::from_str::<Value>(&v.to_string()).unwrap())
}

fn listing(p1: u64, p2: u64, p3: u64, end: NaiveDate) -> GiftListing {
    let body = json!({
        "result": "0000", "total_count": 1, "isNext": false,
        "list": [{
            "md_idx": "1", "product": "x", "endtime": format!("{} 00:00:00", end.format("%Y-%m-%d")),
            "sell_price1": p1, "sell_price2": p2.to_string(), "sell_price3": p3,
        }]
    });
    replies::parse_gift_listings(body.to_string().as_bytes(), "https://o").unwrap().unwrap().items.remove(0)
}

proptest! {
    #[test]
    fn integers_are_read_as_numbers_or_strings(n in any::<u64>(), v in any::<u64>().prop_flat_map(spelled)) {
        prop_assert_eq!(int_of(&json!(n)), Some(n));
        prop_assert_eq!(int_of(&json!(n.to_string())), Some(n));
        prop_assert!(int_of(&v).is_some());
    }

    #[test]
    fn booleans_are_read_in_every_spelling(b in any::<bool>().prop_flat_map(|b| (Just(b), spelled_bool(b)))) {
        prop_assert_eq!(flag_of(&b.1), Some(b.0));
    }

    #[test]
    fn results_zero_in_any_spelling_are_success_and_others_are_refusals(
        code in "[A-Z]{1,4}[0-9]{0,2}", ok in prop_oneof![Just(json!(0)), Just(json!("0")), Just(json!("0000"))]
    ) {
        let good = json!({"result": ok, "message": "m", "tid": 7}).to_string();
        prop_assert_eq!(replies::parse_buy(good.as_bytes()).unwrap().unwrap().tid, "7");
        let bad = json!({"result": code.clone(), "msg": "안돼"}).to_string();
        let refused = matches!(replies::parse_buy(bad.as_bytes()), Ok(Err(r)) if r.code.raw() == code);
        prop_assert!(refused);
    }

    #[test]
    fn listing_fields_drift_without_changing_their_values(
        price in 1u64..1_000_000, total in 0u64..10_000, next in any::<bool>(),
        (p, t, n) in (1u64..1_000_000).prop_flat_map(|p| (spelled(p), Just(p), any::<bool>().prop_flat_map(spelled_bool)))
    ) {
        let body = json!({
            "result": "0000", "total_count": total.to_string(), "isNext": if next { json!("true") } else { json!(false) },
            "list": [{"md_idx": price, "product": "상품", "price": p, "disprice": price.to_string(), "percentage": n, "gm_thumb": "/UPLOAD/a.png"}]
        });
        let page = replies::parse_gift_listings(body.to_string().as_bytes(), "https://o").unwrap().unwrap();
        prop_assert_eq!((page.total_count, page.is_next), (Some(total), next));
        let item = &page.items[0];
        prop_assert_eq!(item.md_idx.clone(), price.to_string());
        prop_assert_eq!((item.price, item.disprice), (Some(Won(t)), Some(Won(price))));
        prop_assert_eq!(item.thumb.as_deref(), Some("https://o/UPLOAD/a.png"));
    }

    #[test]
    fn decoders_never_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = replies::parse_all(&bytes);
    }

    #[test]
    fn decoders_never_panic_on_arbitrary_json(v in arb_json()) {
        let _ = replies::parse_all(v.to_string().as_bytes());
        let wrapped = json!({"result": "0000", "list": [v.clone()], "detail": v.clone(), "data": v});
        let _ = replies::parse_all(wrapped.to_string().as_bytes());
    }

    #[test]
    fn keys_are_trimmed_and_a_repeated_key_keeps_its_first_non_empty_value(
        tid in 1u64..1_000_000, later in 1u64..1_000, pad in " {0,2}", empties in 0usize..3,
    ) {
        let mut body = String::from(r#"{"result": "0000""#);
        for _ in 0..empties {
            body.push_str(r#", "tid": " ""#);
        }
        body.push_str(&format!(r#", "{pad}tid{pad}": "{tid}", "tid": {later}, "message": null, "message ": "m"}}"#));
        let answer = replies::parse_buy(body.as_bytes()).unwrap().unwrap();
        prop_assert_eq!(answer.tid, tid.to_string());
        prop_assert_eq!(answer.message.as_deref(), Some("m"));
    }

    #[test]
    fn what_serde_json_refuses_is_malformed(
        bytes in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..64),
            arb_json().prop_flat_map(|v| {
                let text = v.to_string().into_bytes();
                let len = text.len();
                (Just(text), 0..=len, any::<u8>())
            }).prop_map(|(mut text, at, b)| { if at < text.len() { text[at] = b; } else { text.truncate(at / 2); } text }),
        ]
    ) {
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        if serde_json::from_slice::<Value>(body).is_err() {
            prop_assert!(replies::parse_use(&bytes).is_err(), "an unreadable answer, not a refusal");
        }
    }

    #[test]
    fn the_price_never_rises_as_time_passes(
        (p3, p2, p1) in (1u64..100_000).prop_flat_map(|p3| (Just(p3), p3..200_000)).prop_flat_map(|(p3, p2)| (Just(p3), Just(p2), p2..300_000)),
        end_offset in 0i64..400, a in 0i64..400, b in 0i64..400,
    ) {
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let end = start + Duration::days(end_offset);
        let l = listing(p1, p2, p3, end);
        let (early, late) = (start + Duration::days(a.min(b)), start + Duration::days(a.max(b)));
        prop_assert!(l.tier_on(early) <= l.tier_on(late) || l.tier_on(late).is_none());
        if let (Some(x), Some(y)) = (l.price_on(early), l.price_on(late)) {
            prop_assert!(x >= y, "{x} on {early} then {y} on {late}");
        }
        // Once expired, it stays expired.
        if l.price_on(early).is_none() {
            prop_assert!(l.price_on(late).is_none());
        }
    }

    #[test]
    fn tiers_split_at_the_documented_days(days in -10i64..400) {
        let tier = PriceTier::for_days_left(days);
        let expected = if days > 60 { Some(PriceTier::First) } else if days >= 30 { Some(PriceTier::Second) } else if days >= 0 { Some(PriceTier::Third) } else { None };
        prop_assert_eq!(tier, expected);
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("md_idx".to_string()),
                    Just("result".to_string()),
                    Just("list".to_string()),
                    Just("endtime".to_string()),
                    Just("tid".to_string()),
                    Just("isNext".to_string()),
                    Just("ms_idx".to_string()),
                    ".{0,6}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
