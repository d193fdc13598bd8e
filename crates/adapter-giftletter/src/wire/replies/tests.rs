//! Every example answer of the vendor document, verbatim, and the reading rules.

use super::*;
use coupon_core::{ErrorKind, VendorCode};

use crate::codes;

/// `doc_brand_image_e.json`, verbatim from the document.
const DOC_BRAND_IMAGE_E: &str = r#"{
  "STATUS": "E"
}
"#;

/// `doc_brand_image_ok.json`, verbatim from the document.
const DOC_BRAND_IMAGE_OK: &str = r#"{
  "BRAND_NAME": "GS칼텍스",
  "IMG_URL ": "http://image.gift-n.net/brand/80.jpg",
  "STATUS": "Y"
}
"#;

/// `doc_cancel_e102_p002.json`, verbatim from the document.
const DOC_CANCEL_E102_P002: &str = r#"{
  "rstCode": "E102:P002",
  "rstMsg": "EPin 취소 실패 : 존재하지 않는 거래번호입니다."
}
"#;

/// `doc_cancel_ok.json`, verbatim from the document.
const DOC_CANCEL_OK: &str = r#"{
  "rstCode": "0",
  "rstMsg": ""
}
"#;

/// `doc_goods_info_e.json`, verbatim from the document.
const DOC_GOODS_INFO_E: &str = r#"{  
  "STATUS":"E"  
}
"#;

/// `doc_goods_info_template.json`, verbatim from the document.
const DOC_GOODS_INFO_TEMPLATE: &str = r#"{
    "GOODS_ID": "",
    "GOODS_NAME": "",
    "BRAND_ID": "",
    "BRAND_NAME": "",
"PRICE ":"",  
"SPRICE ":"",  
"IMG_URL ":"",  
"EXDATE ":"",  
"GOODS_MEMO ":"",  
"BRAND_NAME":"",  
"STATUS":""  
}
"#;

/// `doc_goods_list_e.json`, verbatim from the document.
const DOC_GOODS_LIST_E: &str = r#"{  
    "STATUS":"E"  
}
"#;

/// `doc_goods_list_ok.json`, verbatim from the document.
const DOC_GOODS_LIST_OK: &str = r#"[
  {
    "GOODS_ID": "0000000582",
    "GOODS_NAME": "[GS25] 모바일상품권 1만원",
    "BRAND_NAME": "GS25상품권",
    "PRICE": "10000",
    "IMG_URL": "http://image.gift-n.net/goods/0000000582_1.jpg",
    "STATUS": "Y"
  },
  {
    "GOODS_ID": "0000000583",
    "GOODS_NAME": "[GS25] 모바일상품권 2만원",
    "BRAND_NAME": "GS25상품권",
    "PRICE": "20000",
    "IMG_URL": "http://image.gift-n.net/goods/0000000583_1.jpg",
    "STATUS": "Y"
  }
]
"#;

/// `doc_resend_ok.json`, verbatim from the document.
const DOC_RESEND_OK: &str = r#"{
  "rstCode": "0",
  "rstMsg": "",
  "reserved " : ""
}
"#;

/// `doc_resend_p102_missing_comma.json`, verbatim from the document.
const DOC_RESEND_P102_MISSING_COMMA: &str = r#"{
  "rstCode": "P102",
  "rstMsg": "사용가능한 상품이 아닙니다."
  "reserved " : ""
}
"#;

/// `doc_send_epin_a101.json`, verbatim from the document.
const DOC_SEND_EPIN_A101: &str = r#"{
  "rstCode": "A101",
  "rstMsg": "사용가능한 상품이 아닙니다.",
  "epin": "",
  "order_id": "",
  "reserved": ""
}
"#;

/// `doc_send_epin_ok.json`, verbatim from the document.
const DOC_SEND_EPIN_OK: &str = r#"{
  "rstCode": "0",
  "rstMsg": "",
  "epin": "405868134802",
  "order_id": "BU4S12R1604001",
  "reserved": ""
}
"#;

/// `doc_status_e103_p002.json`, verbatim from the document.
const DOC_STATUS_E103_P002: &str = r#"{
  "rstCode":"E103 : P002",
  "rstMsg":"EPin 상태 조회 실패 : 존재하지 않는 거래번호입니다.",
  "use": "",
  "use_date": "",
  "branchname": ""
}
"#;

/// `doc_status_ok.json`, verbatim from the document.
const DOC_STATUS_OK: &str = r#"{
  "rstCode":"0",
  "rstMsg": "",
  "use":"N",
  "use_date": "",
  "branchname": ""
}
"#;

fn code_of(r: &Refusal) -> &VendorCode {
    &r.code
}

#[test]
fn send_epin_examples() {
    let ok = parse_send_epin(DOC_SEND_EPIN_OK).unwrap().unwrap();
    assert_eq!(ok.epin.expose(), "405868134802");
    assert_eq!(ok.order_id, "BU4S12R1604001");
    assert_eq!(ok.reserved, None, "an empty string is absent");
    assert!(!format!("{ok:?}").contains("405868134802"), "the PIN is masked in Debug");

    let refused = parse_send_epin(DOC_SEND_EPIN_A101).unwrap().unwrap_err();
    assert_eq!(refused, Refusal::new("A101", Some("사용가능한 상품이 아닙니다.".into())));
    assert_eq!(codes::classify(code_of(&refused)).0, ErrorKind::Rejected);
}

#[test]
fn cancel_examples_keep_both_codes() {
    assert_eq!(parse_cancel(DOC_CANCEL_OK).unwrap(), Ok(()));
    let refused = parse_cancel(DOC_CANCEL_E102_P002).unwrap().unwrap_err();
    let code = code_of(&refused);
    assert_eq!((code.raw(), code.primary(), code.codes()), ("E102:P002", "E102", vec!["E102", "P002"]));
    assert_eq!(codes::classify(code).0, ErrorKind::NotFound);
}

#[test]
fn cancel_refusals_say_used_cancelled_or_nothing_to_cancel_and_any_other_keeps_its_code() {
    // Section 11's cancel failures, as `CancelSendEPin` answers them.
    let cases = [
        ("E201", "이미 사용된 EPIN 입니다", ErrorKind::AlreadyUsed),
        ("E304", "EPIN 취소 실패(이미 취소 된 거래 건)", ErrorKind::AlreadyCancelled),
        ("E305", "EPIN 취소 실패(취소 할 거래 건이 없음)", ErrorKind::NotFound),
        // The document has no code for an expired PIN: whatever the vendor answers is a
        // refusal that keeps its code (`E102` alone is the generic cancel failure).
        ("E102", "EPIN 취소 실패", ErrorKind::Rejected),
        ("E999", "유효기간 만료", ErrorKind::Rejected),
    ];
    for (code, message, kind) in cases {
        let text = format!(r#"{{"rstCode":"{code}","rstMsg":"{message}"}}"#);
        let refused = parse_cancel(&text).unwrap().unwrap_err();
        let table = codes::table_for(code_of(&refused));
        let e = refused.into_error(table);
        assert_eq!((e.kind(), e.vendor_code().map(VendorCode::raw)), (kind, Some(code)), "{code}");
        assert_eq!(e.vendor_message(), Some(message), "{code}");
        assert!(!e.is_retryable(), "{code}: a cancel refusal is final");
    }
}

#[test]
fn status_examples() {
    let ok = parse_status(DOC_STATUS_OK).unwrap().unwrap();
    assert_eq!(ok, EPinStatus { usage: EPinUse::Unused, use_date: None, used_at: None, branch: None });
    let refused = parse_status(DOC_STATUS_E103_P002).unwrap().unwrap_err();
    let code = code_of(&refused);
    assert_eq!((code.raw(), code.primary(), code.codes()), ("E103 : P002", "E103", vec!["E103", "P002"]));
    assert!(matches!(&refused.message, Some(m) if m.contains("존재하지 않는 거래번호")));
}

#[test]
fn status_reads_use_date_in_several_forms() {
    let text = |use_: &str, date: &str| {
        format!(r#"{{"rstCode":"0","rstMsg":"","use":"{use_}","use_date":"{date}","branchname":"금정이마트"}}"#)
    };
    for date in ["20150221144253", "2015-02-21 14:42:53"] {
        let s = parse_status(&text("Y", date)).unwrap().unwrap();
        assert_eq!(s.usage, EPinUse::Used);
        assert_eq!(s.branch.as_deref(), Some("금정이마트"));
        let at = coupon_core::time::parse_compact_datetime("20150221144253").unwrap();
        assert_eq!(s.used_at, Some(RedeemedAt::Time(at)), "{date}");
    }
    let s = parse_status(&text("Y", "20150221")).unwrap().unwrap();
    assert_eq!(s.used_at, Some(RedeemedAt::Day(NaiveDate::from_ymd_opt(2015, 2, 21).unwrap())));
    let s = parse_status(&text("Y", "어제")).unwrap().unwrap();
    assert_eq!((s.use_date.as_deref(), s.used_at), (Some("어제"), None), "kept verbatim when unreadable");
    assert_eq!(parse_status(&text("C", "")).unwrap().unwrap().usage, EPinUse::Cancelled);
    assert_eq!(parse_status(&text("X", "")).unwrap().unwrap().usage, EPinUse::Other("X".into()));
    assert!(parse_status(r#"{"rstCode":"0"}"#).is_err(), "a success must say `use`");
}

#[test]
fn resend_examples_including_the_missing_comma() {
    assert_eq!(parse_resend(DOC_RESEND_OK).unwrap(), Ok(None));
    let refused = parse_resend(DOC_RESEND_P102_MISSING_COMMA).unwrap().unwrap_err();
    assert_eq!(code_of(&refused).raw(), "P102");
    assert_eq!(codes::classify(code_of(&refused)).0, ErrorKind::NotFound);
}

#[test]
fn goods_list_examples() {
    let items = parse_goods_list(DOC_GOODS_LIST_OK).unwrap().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[0],
        GoodsItem {
            goods_id: "0000000582".into(),
            goods_name: Some("[GS25] 모바일상품권 1만원".into()),
            brand_name: Some("GS25상품권".into()),
            price: Some(Won(10_000)),
            img_url: Some("http://image.gift-n.net/goods/0000000582_1.jpg".into()),
            status: GoodsStatus::Usable,
        }
    );
    assert_eq!(items[1].price, Some(Won(20_000)));
    let refused = parse_goods_list(DOC_GOODS_LIST_E).unwrap().unwrap_err();
    assert_eq!(refused, Refusal::new("E", None));
}

#[test]
fn goods_list_surfaces_item_status_and_reads_numbers_and_strings() {
    let text = r#"[{"GOODS_ID":"1","GOODS_NAME":"a","PRICE":5000,"STATUS":"N"},
                   {"GOODS_ID ":"2","PRICE ":" 300 ","STATUS":"E"},
                   {"GOODS_ID":"3","PRICE":"","STATUS":"Q"}]"#;
    let items = parse_goods_list(text).unwrap().unwrap();
    let seen: Vec<_> = items.iter().map(|i| (i.goods_id.as_str(), i.price, i.status.as_str())).collect();
    assert_eq!(seen, [("1", Some(Won(5000)), "N"), ("2", Some(Won(300)), "E"), ("3", None, "Q")]);
    assert_eq!(parse_goods_list("[]").unwrap().unwrap(), vec![]);
    assert_eq!(
        parse_goods_list(r#"[{"STATUS":"I"}]"#).unwrap().unwrap_err(),
        Refusal::new("I", None),
        "an error wrapped in a list is still the error"
    );
    assert!(parse_goods_list(r#"[{"GOODS_ID":"1","PRICE":"1만원"}]"#).is_err());
    assert!(parse_goods_list(r#"[{"GOODS_NAME":"x","STATUS":"Y"}]"#).is_err());
    assert!(parse_goods_list(r#"["x"]"#).is_err());
    assert!(parse_goods_list("\"x\"").is_err());
}

#[test]
fn goods_info_examples() {
    // The document's "success" example is a blank template naming no goods.
    let template = parse_goods_info(DOC_GOODS_INFO_TEMPLATE).unwrap().unwrap_err();
    assert_eq!(template, Refusal::new("", None));
    let refused = parse_goods_info(DOC_GOODS_INFO_E).unwrap().unwrap_err();
    assert_eq!(refused, Refusal::new("E", None));
}

#[test]
fn goods_info_with_the_documents_key_quirks() {
    let text = r#"{
        "GOODS_ID": "0000001104", "GOODS_NAME": "[스타벅스] 카페 아메리카노 T", "BRAND_ID": "20",
        "BRAND_NAME": "스타벅스", "PRICE ":"4700", "SPRICE ":4420, "MSG_TYPE":"2",
        "IMG_URL ":"http://image.gift-n.net/goods/0000001104_1.jpg", "EXDATE ":"93",
        "GOODS_MEMO ":"톨 사이즈", "BRAND_MEMO":"매장에서 제시", "STATUS":"Y"
    }"#;
    let g = parse_goods_info(text).unwrap().unwrap();
    assert_eq!(g.goods_id, "0000001104");
    assert_eq!((g.brand_id, g.price, g.sprice), (Some(20), Some(Won(4700)), Some(Won(4420))));
    assert_eq!(g.msg_type, Some(MsgType::Mms));
    assert_eq!(g.validity(), Some(Validity::Days(93)));
    assert_eq!(g.notice(), Some("톨 사이즈"), "GOODS_MEMO wins when present");
    assert_eq!(g.status, GoodsStatus::Usable);

    let text = r#"{"GOODS_ID":"0000000582","MSG_TYPE":1,"EXDATE":"2027-12-31","GOODS_MEMO":"","BRAND_MEMO":"브랜드","STATUS":"N"}"#;
    let g = parse_goods_info(text).unwrap().unwrap();
    assert_eq!(g.msg_type, Some(MsgType::Lms));
    assert_eq!(g.validity(), Some(Validity::Until(NaiveDate::from_ymd_opt(2027, 12, 31).unwrap())));
    assert_eq!(g.notice(), Some("브랜드"), "BRAND_MEMO when GOODS_MEMO is empty");
    assert_eq!(g.status, GoodsStatus::NotUsable);

    for (exdate, want) in [("0000-00-00", None), ("soon", None), ("", None), ("30", Some(Validity::Days(30)))] {
        assert_eq!(read_exdate(exdate), want, "{exdate}");
    }
    for status in ["I", "C"] {
        let text = format!(r#"{{"STATUS":"{status}"}}"#);
        assert_eq!(parse_goods_info(&text).unwrap().unwrap_err(), Refusal::new(status, None));
    }
    assert!(parse_goods_info(r#"{"STATUS":"Y"}"#).is_err(), "Y without GOODS_ID");
    assert!(parse_goods_info(r#"{"GOODS_ID":"1","BRAND_ID":"x","STATUS":"Y"}"#).is_err());
}

#[test]
fn brand_image_examples() {
    let b = parse_brand_image(DOC_BRAND_IMAGE_OK).unwrap().unwrap();
    assert_eq!(b.brand_name.as_deref(), Some("GS칼텍스"));
    assert_eq!(b.img_url.as_deref(), Some("http://image.gift-n.net/brand/80.jpg"), "key `IMG_URL ` trimmed");
    assert_eq!(b.status, GoodsStatus::Usable);
    assert_eq!(parse_brand_image(DOC_BRAND_IMAGE_E).unwrap().unwrap_err(), Refusal::new("E", None));
}

#[test]
fn result_codes_as_numbers_and_missing() {
    assert_eq!(parse_cancel(r#"{"rstCode":0}"#).unwrap(), Ok(()));
    assert!(parse_cancel(r#"{"rstMsg":"?"}"#).is_err());
    assert!(parse_cancel("[]").is_err());
    assert!(parse_cancel("<html>").is_err());
    assert!(parse_send_epin(r#"{"rstCode":"0","epin":"1"}"#).is_err(), "a success without order_id");
}

#[test]
fn repeated_keys_escapes_and_numbers_read_as_before() {
    let text = r#"[{"GOODS_ID":"", "GOODS_ID ":"7", "GOODS_ID":"8", "GOODS_NAME":"\"1+1\" \uc0c1\ud488",
                    "PRICE":null, "PRICE":1500, "STATUS":" Y ", "STATUS":"N", "IMG_URL":"", "IMG_URL":null}]"#;
    let items = parse_goods_list(text).unwrap().unwrap();
    assert_eq!(
        items,
        [GoodsItem {
            goods_id: "7".into(),
            goods_name: Some("\"1+1\" 상품".into()),
            brand_name: None,
            price: Some(Won(1500)),
            img_url: None,
            status: GoodsStatus::Usable,
        }]
    );
    for (code, want) in [("10000", "10000"), ("1.5", "1.5"), ("1e3", "1000.0"), ("-0", "-0.0"), ("true", "true")] {
        let refused = parse_cancel(&format!(r#"{{"rstCode":{code}}}"#)).unwrap().unwrap_err();
        assert_eq!(code_of(&refused).raw(), want, "{code}");
    }
    for price in ["1.0", "-1", "1e3", "18446744073709551616", "true", "[]"] {
        assert!(parse_goods_list(&format!(r#"[{{"GOODS_ID":"1","PRICE":{price}}}]"#)).is_err(), "{price}");
    }
    let g = parse_goods_list(r#"[{"GOODS_ID":"1","PRICE":18446744073709551615}]"#).unwrap().unwrap();
    assert_eq!(g[0].price, Some(Won(u64::MAX)));
}
