//! Properties: no parser panics on any text or on any JSON in the answers' places;
//! a number reads the same written as a number or as a string; any send the checks
//! pass fits the limits, and any they refuse names a field.

use adapter_giftishow::wire::replies::{
    parse_bizmoney, parse_brand_detail, parse_brand_list, parse_coupon_detail, parse_done, parse_goods_detail,
    parse_goods_list, parse_send,
};
use adapter_giftishow::wire::requests::{Gubun, Limits, Send};
use coupon_core::{ErrorKind, PartnerRef, PhoneNumber, Won};
use proptest::prelude::*;
use serde_json::{Value, json};

fn every_parser(text: &str) {
    let _ = parse_send(text);
    let _ = parse_coupon_detail(text);
    let _ = parse_goods_list(text);
    let _ = parse_goods_detail(text);
    let _ = parse_brand_list(text);
    let _ = parse_brand_detail(text);
    let _ = parse_bizmoney(text);
    let _ = parse_done(text);
}

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        "[0-9A-Za-z가-힣 ,.-]{0,12}".prop_map(Value::String),
        Just(json!("0000")),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "code",
                        "message",
                        "result",
                        "orderNo",
                        "pinNo",
                        "couponInfoList",
                        "resCode",
                        "goodsList",
                        "goodsCode",
                        "goodsName",
                        "salePrice",
                        "balance",
                        "listNum",
                        "brandList",
                        "brandCode",
                        "brandName",
                        "goodsDetail",
                        "brandDetail",
                        "validPrdEndDt",
                        "correcDtm",
                        "remainAmt",
                    ]),
                    inner
                ),
                0..5
            )
            .prop_map(|pairs| Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

proptest! {
    #[test]
    fn no_parser_panics_on_any_text(text in "\\PC{0,200}") {
        every_parser(&text);
    }

    #[test]
    fn no_parser_panics_on_any_json_in_the_answers_places(result in any_json(), top in any_json()) {
        every_parser(&json!({"code": "0000", "message": null, "result": result}).to_string());
        every_parser(&json!({"code": "0000", "result": {"code": "0000", "result": result}}).to_string());
        every_parser(&top.to_string());
    }

    #[test]
    fn a_price_reads_the_same_as_a_number_or_a_string(price in 0u64..100_000_000) {
        for written in [json!(price), json!(price.to_string()), json!(format!(" {price} "))] {
            let text = json!({"code": "0000", "result": {"goodsList": [{"goodsCode": "G1", "goodsName": "n", "salePrice": written}]}});
            let page = parse_goods_list(&text.to_string()).unwrap().unwrap();
            prop_assert_eq!(page.items[0].sale_price, Some(Won(price)));
        }
    }

    #[test]
    fn a_send_the_checks_pass_fits_the_limits(
        title in "\\PC{0,25}",
        message in "\\PC{0,40}",
        tr_id in "[A-Za-z0-9_-]{0,30}|\\PC{0,30}",
        title_limit in prop::sample::select(vec![10usize, 20]),
        tr_id_limit in prop::sample::select(vec![20usize, 25]),
    ) {
        let send = Send {
            goods_code: "G00001621744".into(),
            tr_id: PartnerRef::new(tr_id.clone()),
            phone_no: Some(PhoneNumber::parse("010-1234-5678").unwrap()),
            callback_no: PhoneNumber::parse("1588-0000").unwrap(),
            mms_title: Some(title.clone()),
            mms_msg: Some(message),
            gubun: Gubun::Mms,
            order_no: None,
            template_id: None,
            banner_id: None,
        };
        match send.validate(Limits { mms_title: title_limit, tr_id: tr_id_limit }) {
            Ok(()) => {
                prop_assert!(title.chars().count() <= title_limit);
                prop_assert!(!tr_id.is_empty() && tr_id.chars().count() <= tr_id_limit);
                prop_assert!(!title.chars().any(char::is_control));
            }
            Err(e) => {
                prop_assert_eq!(e.kind(), ErrorKind::InvalidInput);
                prop_assert!(matches!(e.field(), Some("mms_title" | "mms_msg" | "tr_id")), "{e}");
            }
        }
    }
}
