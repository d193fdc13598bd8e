use super::*;
use serde_json::json;

fn text(v: Value) -> String {
    v.to_string()
}

#[test]
fn the_send_answers_inner_code_decides_even_under_an_outer_success() {
    let ok = parse_send(&text(json!({"code": "0000", "message": null, "result": {"code": "0000", "message": null,
        "result": {"orderNo": "20261201000001", "pinNo": "912345678901", "couponImgUrl": null}}})))
    .unwrap()
    .unwrap();
    assert_eq!(ok.order_no.as_deref(), Some("20261201000001"));
    assert_eq!(ok.pin.as_ref().map(Pin::expose), Some("912345678901"));
    assert!(!format!("{ok:?}").contains("912345678901"));

    let image = parse_send(&text(json!({"code": "0000", "result": {"code": "0000", "result": {"orderNo": "1",
        "pinNo": "912345678901", "couponImgUrl": "https://img.example/barcode/912345678901.png?t=secret"}}})))
    .unwrap()
    .unwrap();
    let shown = format!("{image:?}");
    assert!(!shown.contains("912345678901") && !shown.contains("secret"), "{shown}");
    assert!(shown.contains("CouponImage(img.example/…)"), "{shown}");
    assert!(image.coupon_img_url.unwrap().expose().ends_with("t=secret"));
    for (url, shown) in [
        ("https://user:pw@img.example/912345678901.png", "CouponImage(img.example/…)"),
        ("912345678901", "CouponImage(…)"),
    ] {
        let image = parse_send(&text(json!({"code": "0000", "result": {"code": "0000", "result": {"orderNo": "1",
            "couponImgUrl": url}}})))
        .unwrap()
        .unwrap();
        assert_eq!(format!("{:?}", image.coupon_img_url.unwrap()), shown, "no user part, and no bare value");
    }

    for code in ["E0010", "ERR0215", "ERR0817", "ERR7777"] {
        let refused = parse_send(&text(json!({"code": "0000", "message": null,
            "result": {"code": code, "message": "실패", "result": null}})))
        .unwrap()
        .unwrap_err();
        assert_eq!((refused.code.raw(), refused.message.as_deref()), (code, Some("실패")));
    }
    let outer = parse_send(r#"{"code":"E0006","message":"인증 실패","result":null}"#).unwrap().unwrap_err();
    assert_eq!(outer.code.raw(), "E0006");
}

#[test]
fn a_send_success_without_an_order_is_unreadable_not_a_refusal() {
    for body in [
        json!({"code": "0000", "message": null, "result": null}),
        json!({"code": "0000", "message": null, "result": {"code": "0000", "message": null, "result": null}}),
        json!({"code": "0000", "message": null, "result": {"code": "0000", "result": {"orderNo": ""}}}),
    ] {
        assert!(parse_send(&text(body.clone())).is_err(), "{body}");
    }
    // An answer without the inner envelope carries the order directly.
    let flat = parse_send(&text(json!({"code": "0000", "result": {"orderNo": "1", "pinNo": "2"}}))).unwrap().unwrap();
    assert_eq!(flat.order_no.as_deref(), Some("1"));
}

#[test]
fn the_coupon_detail_is_read_in_every_shape_seen() {
    let info = json!({"goodsCd": "G1", "pinStatusCd": "02", "remainAmt": "3000", "cnsmPriceAmt": 10000,
        "validPrdEndDt": "2026-12-31", "correcDtm": "20261201103000", "pinNo": "1234"});
    let shapes = [
        json!({"code": "0000", "message": null, "result": [{"couponInfoList": [info], "resCode": "0000", "resMsg": "정상"}]}),
        json!({"code": "0000", "message": null, "result": {"couponInfoList": [info], "resCode": "0000"}}),
        json!({"code": "0000", "message": null, "result": null, "couponInfoList": [info], "resCode": "0000"}),
        json!({"code": "0000", "result": [{"couponInfoList": info}]}),
    ];
    for shape in shapes {
        let coupons = parse_coupon_detail(&text(shape.clone())).unwrap().unwrap();
        assert_eq!(coupons.len(), 1, "{shape}");
        let c = &coupons[0];
        assert_eq!(
            (c.pin_status.as_deref(), c.remain_amount, c.consumer_price),
            (Some("02"), Some(Won(3000)), Some(Won(10000)))
        );
        assert_eq!(c.valid_until, NaiveDate::from_ymd_opt(2026, 12, 31));
        assert!(c.changed_at.is_some());
    }
    let refused = parse_coupon_detail(&text(
        json!({"code": "0000", "result": [{"couponInfoList": [], "resCode": "ERR0212", "resMsg": "없음"}]}),
    ))
    .unwrap()
    .unwrap_err();
    assert_eq!(refused.code.raw(), "ERR0212");
    assert_eq!(parse_coupon_detail(r#"{"code":"0000","result":[]}"#).unwrap().unwrap(), vec![]);
    assert!(parse_coupon_detail(r#"{"code":"0000","result":null}"#).is_err());
    assert!(parse_coupon_detail(r#"{"code":"0000","result":"x"}"#).is_err());
}

/// The one coupon of a coupon detail holding `info`.
fn coupon(info: Value) -> CouponInfo {
    let body = json!({"code": "0000", "result": [{"couponInfoList": [info], "resCode": "0000", "resMsg": "정상"}]});
    parse_coupon_detail(&text(body)).unwrap().unwrap().remove(0)
}

#[test]
fn a_coupons_state_is_its_pin_status_and_what_a_stored_value_coupon_has_left() {
    let at = coupon_core::time::parse_compact_datetime("20261201103000");
    let stored = |status: &str, remain: &str| {
        coupon(json!({"pinStatusCd": status, "sellPriceAmt": "9500", "cnsmPriceAmt": "10000", "remainAmt": remain,
            "correcDtm": "20261201103000", "validPrdEndDt": "20261231"}))
        .coupon_status()
    };
    assert_eq!(stored("01", "10000"), Some(CouponStatus::Unused), "nothing spent");
    assert_eq!(stored("01", "3000"), Some(CouponStatus::PartlyUsed { remaining: Won(3000), at }));
    assert_eq!(
        stored("01", "9500"),
        Some(CouponStatus::PartlyUsed { remaining: Won(9500), at }),
        "the face value counts, not the price paid"
    );
    assert_eq!(stored("01", "0"), Some(CouponStatus::Used { at, place: None }), "nothing left: used up");
    assert_eq!(stored("02", "0"), Some(CouponStatus::Used { at, place: None }));
    assert_eq!(stored("08", "3000"), Some(CouponStatus::Expired), "the pin status wins over what is left");
    assert_eq!(stored("07", "3000"), Some(CouponStatus::Cancelled { at }));
    assert_eq!(stored("23", "3000"), Some(CouponStatus::Unknown("23".into())), "unknown stays verbatim");
    assert_eq!(stored("99", "3000"), Some(CouponStatus::Unknown("99".into())));

    let without_face = coupon(json!({"pinStatusCd": "01", "sellPriceAmt": "5000", "remainAmt": "2000"}));
    assert_eq!(without_face.balance(), Some(Balance::new(Won(5000), Won(2000))), "the price paid when no face value");
    assert!(matches!(without_face.coupon_status(), Some(CouponStatus::PartlyUsed { remaining: Won(2000), at: None })));
    let voucher = coupon(json!({"pinStatusCd": "01", "cnsmPriceAmt": "4500", "sellPriceAmt": "4275"}));
    assert_eq!((voucher.balance(), voucher.coupon_status()), (None, Some(CouponStatus::Unused)));
    assert_eq!(coupon(json!({"goodsCd": "G1"})).coupon_status(), None, "no pinStatusCd: no state");
}

#[test]
fn the_delivery_fields_and_the_last_day_are_read_as_they_come() {
    // A production answer's shape as the integrations record it (the seed `spec_coupons_ok_iso_dates.json`).
    let c = coupon(json!({"goodsCd": "G00001621744", "pinStatusCd": "01", "sendBasicCd": "N", "sendStatusCd": "02",
        "sendRstCd": "0000", "sendRstMsg": "발송완료", "validPrdEndDt": "2026-12-30T15:00:00.000+0000",
        "orderNo": "20261201000123", "pinNo": "912345678901"}));
    assert_eq!(c.valid_until, NaiveDate::from_ymd_opt(2026, 12, 31), "the KST day");
    assert_eq!((c.send_status_code.as_deref(), c.send_result_code.as_deref()), (Some("02"), Some("0000")));
    assert_eq!(
        (c.order_no.as_deref(), c.pin.as_ref().map(Pin::expose)),
        (Some("20261201000123"), Some("912345678901"))
    );
}

#[test]
fn phone_numbers_in_a_coupon_detail_are_masked_in_debug() {
    let coupons = parse_coupon_detail(&text(json!({"code": "0000", "result": [{"couponInfoList":
        [{"recverTelNo": "01012345678", "senderTelNo": "0212345678"}], "resCode": "0000"}]})))
    .unwrap()
    .unwrap();
    let shown = format!("{coupons:?}");
    assert!(!shown.contains("01012345678") && !shown.contains("0212345678"), "{shown}");
    assert!(shown.contains("010****5678"), "{shown}");
    assert_eq!(coupons[0].receiver_tel.as_ref().unwrap().expose(), "01012345678");
}

#[test]
fn lists_count_this_page_and_read_prices_as_numbers_or_strings() {
    let page = parse_goods_list(&text(json!({"code": "0000", "message": null, "result": {"listNum": 2, "goodsList": [
        {"goodsCode": "G1", "goodsName": "A", "salePrice": 4500, "discountPrice": "4,275", "goodsStateCd": "SALE", "endDate": "20991231"},
        {"goodsCode": "G2", "goodsName": "B", "salePrice": "10000", "goodsStateCd": "SUS", "limitDay": "30"}]}})))
    .unwrap()
    .unwrap();
    assert_eq!((page.list_num, page.total_count), (Some(2), None));
    assert_eq!((page.items[0].sale_price, page.items[0].discount_price), (Some(Won(4500)), Some(Won(4275))));
    assert!(page.items[0].on_sale() && !page.items[1].on_sale());
    assert_eq!(page.items[1].limit_day, Some(30));
    let top =
        parse_goods_list(&text(json!({"code": "0000", "totalCount": 41, "result": {"listNum": 0, "goodsList": []}})))
            .unwrap()
            .unwrap();
    assert_eq!(top.total_count, Some(41));
    let missing = parse_goods_list(&text(json!({"code": "0000", "result": {"goodsList": [{"goodsName": "x"}]}})));
    assert!(missing.unwrap_err().message().contains("goodsList[0]: `goodsCode`"));
}

#[test]
fn details_and_brands_and_bizmoney() {
    let g = parse_goods_detail(&text(
        json!({"code": "0000", "result": {"goodsDetail": {"goodsCode": "G1", "goodsName": "A",
        "goldPrice": "4100", "vipPrice": 4000, "categoryName1": "커피"}}}),
    ))
    .unwrap()
    .unwrap();
    assert_eq!((g.tier_prices.gold, g.tier_prices.vip), (Some(Won(4100)), Some(Won(4000))));
    assert_eq!(g.category1_name.as_deref(), Some("커피"));
    let brands = parse_brand_list(&text(json!({"code": "0000", "result": {"listNum": 1, "brandList": [{"brandCode": "BR1", "brandName": "스타벅스", "sort": "3"}]}})))
        .unwrap()
        .unwrap();
    assert_eq!((brands.items[0].brand_code.as_str(), brands.items[0].sort), ("BR1", Some(3)));
    let b = parse_brand_detail(&text(
        json!({"code": "0000", "result": {"brandDetail": {"brandCode": "BR1", "brandName": "스타벅스"}}}),
    ))
    .unwrap()
    .unwrap();
    assert_eq!(b.brand_name, "스타벅스");
    assert_eq!(
        parse_bizmoney(r#"{"code":"0000","result":{"balance":"-5"}}"#).unwrap_err().message(),
        "the answer: `balance` is not a whole number"
    );
    assert!(parse_bizmoney(r#"{"code":"0000","result":{}}"#).is_err());
}

#[test]
fn anything_else_is_a_clear_wire_error() {
    for body in ["", "<html>", "[]", "{\"message\":\"x\"}", "{\"code\":null}", "null"] {
        assert!(parse_done(body).is_err(), "{body:?}");
    }
    assert_eq!(parse_done(r#"{"code":"ERR0208","message":"x"}"#).unwrap().unwrap_err().code.raw(), "ERR0208");
    assert_eq!(parse_done(r#"{"code":"0000"}"#).unwrap(), Ok(()));
}

#[test]
fn iso_dates_read_as_their_day_in_kst_everywhere_a_date_stands() {
    let iso = parse_goods_list(&text(json!({"code": "0000", "result": {"listNum": 1, "goodsList": [
        {"goodsCode": "G1", "goodsName": "A", "goodsStateCd": "SALE", "endDate": "2999-12-30T15:00:00.000+0000"}]}})))
    .unwrap()
    .unwrap();
    assert_eq!(iso.items[0].end_date, NaiveDate::from_ymd_opt(2999, 12, 31), "KST midnight written in UTC");
    let detail = parse_goods_detail(&text(json!({"code": "0000", "result": {"goodsDetail": {"goodsCode": "G1",
        "goodsName": "A", "endDate": "2026-12-30T15:00:00.000+0000"}}})))
    .unwrap()
    .unwrap();
    assert_eq!(detail.end_date, NaiveDate::from_ymd_opt(2026, 12, 31));
    let coupons = parse_coupon_detail(&text(json!({"code": "0000", "result": [{"couponInfoList": [{"goodsCd": "G1",
        "pinStatusCd": "02", "validPrdEndDt": "2026-12-30T15:00:00.000+0000",
        "correcDtm": "2026-12-01T01:30:00.000+0000"}], "resCode": "0000"}]})))
    .unwrap()
    .unwrap();
    assert_eq!(coupons[0].valid_until, NaiveDate::from_ymd_opt(2026, 12, 31));
    assert_eq!(coupons[0].changed_at.unwrap().to_rfc3339(), "2026-12-01T10:30:00+09:00");
    for (form, day) in
        [("20261231", "2026-12-31"), ("2026-12-31", "2026-12-31"), ("2026-12-31T00:00:00+09:00", "2026-12-31")]
    {
        let c = parse_coupon_detail(&text(
            json!({"code": "0000", "result": [{"couponInfoList": [{"validPrdEndDt": form}]}]}),
        ))
        .unwrap()
        .unwrap();
        assert_eq!(c[0].valid_until.unwrap().to_string(), day, "{form}");
    }
    let bad = parse_coupon_detail(&text(
        json!({"code": "0000", "result": [{"couponInfoList": [{"validPrdEndDt": "2026-12-31T"}]}]}),
    ));
    assert!(bad.unwrap_err().message().contains("couponInfoList[0]: `validPrdEndDt` is not a date"));
}

#[test]
fn goods_carry_the_supplier_and_affiliate_fields_and_either_category_spelling() {
    let list = parse_goods_list(&text(json!({"code": "0000", "result": {"listNum": 1, "goodsList": [
        {"goodsCode": "G1", "goodsName": "A", "contentAddDesc": "추가 안내", "goodsComId": "GC0001",
         "goodsComName": "공급사", "affiliateId": "AF0001", "category1Seq": 1}]}})))
    .unwrap()
    .unwrap();
    let g = &list.items[0];
    assert_eq!(
        (
            g.content_add_desc.as_deref(),
            g.goods_com_id.as_deref(),
            g.goods_com_name.as_deref(),
            g.affiliate_id.as_deref()
        ),
        (Some("추가 안내"), Some("GC0001"), Some("공급사"), Some("AF0001"))
    );
    assert_eq!(g.category1_seq.as_deref(), Some("1"));
    let d = parse_goods_detail(&text(json!({"code": "0000", "result": {"goodsDetail": {"goodsCode": "G1",
        "goodsName": "A", "goodsTypeCd": "GNRL", "categorySeq1": 3, "platinumPrice": "3900",
        "platinumDiscountRate": "13"}}})))
    .unwrap()
    .unwrap();
    assert_eq!((d.goods_type_code.as_deref(), d.category1_seq.as_deref()), (Some("GNRL"), Some("3")));
    assert_eq!((d.tier_prices.platinum, d.tier_prices.platinum_rate.as_deref()), (Some(Won(3900)), Some("13")));
}

#[test]
fn refusals_with_a_null_result_read_as_refusals_outer_and_inner() {
    let outer = json!({"code": "E0009", "message": "인증토큰 오류", "result": null});
    for parse in [parse_done, |t: &str| parse_send(t).map(|a| a.map(drop))] {
        assert_eq!(parse(&text(outer.clone())).unwrap().unwrap_err().code.raw(), "E0009");
    }
    assert_eq!(parse_coupon_detail(&text(outer.clone())).unwrap().unwrap_err().code.raw(), "E0009");
    assert_eq!(parse_goods_list(&text(outer.clone())).unwrap().unwrap_err().code.raw(), "E0009");
    assert_eq!(parse_bizmoney(&text(outer)).unwrap().unwrap_err().code.raw(), "E0009");
    let inner = json!({"code": "0000", "message": null, "result": {"code": "ERR0999", "message": "쿠폰 발송 오류", "result": null}});
    let refused = parse_send(&text(inner)).unwrap().unwrap_err();
    assert_eq!((refused.code.raw(), refused.message.as_deref()), ("ERR0999", Some("쿠폰 발송 오류")));
}

#[test]
fn a_repeated_key_keeps_its_first_non_empty_value_and_keys_are_trimmed() {
    // The rule of every JSON vendor (docs/architecture.md), here over raw text: serde_json's
    // own map would keep the last `goodsName` and never find `"goodsName "`.
    let page = parse_goods_list(
        r#"{"code":"0000","message":null,"result":{"listNum":1,"goodsList":[
            {"goodsCode":"G00001621744","goodsName ":"","goodsName":"아메리카노 T","goodsName":"카페라떼 T",
             " salePrice ":"4500","brandName":null,"brandName ":"스타벅스","goodsStateCd":"SALE"}]}}"#,
    )
    .unwrap()
    .unwrap();
    let goods = &page.items[0];
    assert_eq!(goods.goods_name, "아메리카노 T", "the first non-empty value wins");
    assert_eq!(goods.sale_price, Some(Won(4500)), "a key with stray spaces is found");
    assert_eq!(goods.brand_name.as_deref(), Some("스타벅스"), "a later value replaces an empty one");

    // The outer code too: the first non-empty `code` decides, whatever follows it.
    let refused = parse_done(r#"{"code ":"ERR0808","code":"0000","message":"이미 취소된 쿠폰"}"#).unwrap().unwrap_err();
    assert_eq!(refused.code.raw(), "ERR0808");
    let done = parse_done(r#"{"code":"","code":" 0000 ","message":null}"#).unwrap();
    assert_eq!(done, Ok(()));
}
