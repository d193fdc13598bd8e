//! The Giftletter emulator over real HTTP, as a raw client sees it: the document's
//! paths, parameters, JSON shapes and quirks, independent of the SDK's adapter.

use std::time::Duration;

use coupon_sandbox::{RunningSandbox, Sandbox};
use serde_json::{Value, json};

const KEY: &str = coupon_sandbox::vendors::giftletter::credentials::AUTH_KEY;
const CID: &str = coupon_sandbox::vendors::giftletter::credentials::CID;

fn md5_hex(s: &str) -> String {
    use md5::{Digest, Md5};
    Md5::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(10)).build().unwrap()
}

async fn get_raw(sandbox: &RunningSandbox, path_and_query: &str) -> (u16, Option<String>, Vec<u8>) {
    let url = format!("{}{path_and_query}", sandbox.vendor_url("giftletter"));
    let resp = client().get(url).send().await.unwrap();
    let status = resp.status().as_u16();
    let ct = resp.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
    (status, ct, resp.bytes().await.unwrap().to_vec())
}

async fn get_text(sandbox: &RunningSandbox, path_and_query: &str) -> String {
    let (status, _, body) = get_raw(sandbox, path_and_query).await;
    assert_eq!(status, 200, "{path_and_query}");
    String::from_utf8(body).unwrap()
}

async fn get_json(sandbox: &RunningSandbox, path_and_query: &str) -> Value {
    serde_json::from_str(&get_text(sandbox, path_and_query).await).unwrap()
}

fn send_query(goods: &str, co_tid: &str, count: &str, mdn: &str, title: &str) -> String {
    let enc = md5_hex(&format!("{KEY}{CID}{goods}{co_tid}"));
    format!(
        "/SendEPin?cid={CID}&enc={enc}&goods_id={goods}&count={count}&title={title}&content=%EB%B3%B8%EB%AC%B8&mdn={mdn}&receive_tel=1588-1234&co_tid={co_tid}&reserved=memo"
    )
}

#[tokio::test]
async fn send_epin_issues_a_12_digit_pin_and_echoes_reserved() {
    let sandbox = Sandbox::start().await.unwrap();
    let v = get_json(&sandbox, &send_query("0000000582", "T1", "1", "010-1234-5678", "%EC%84%A0%EB%AC%BC")).await;
    assert_eq!(v["rstCode"], "0");
    let pin = v["epin"].as_str().unwrap();
    assert!(pin.len() == 12 && pin.bytes().all(|b| b.is_ascii_digit()), "{pin}");
    assert!(v["order_id"].as_str().unwrap().len() <= 16);
    assert_eq!(v["reserved"], "memo");

    let coupons: Value = client()
        .get(format!("{}/_sandbox/giftletter/coupons", sandbox.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(coupons["coupons"][0]["title"], "선물");
    assert_eq!(coupons["coupons"][0]["state"], "unused");
}

#[tokio::test]
async fn korean_text_arrives_intact_in_utf8_or_euc_kr() {
    let sandbox = Sandbox::start().await.unwrap();
    // 선물 in EUC-KR.
    let v = get_json(&sandbox, &send_query("0000000582", "T2", "1", "01012345678", "%BC%B1%B9%B0")).await;
    assert_eq!(v["rstCode"], "0");
    let coupons: Value = client()
        .get(format!("{}/_sandbox/giftletter/coupons", sandbox.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(coupons["coupons"][0]["title"], "선물");
    assert_eq!(coupons["coupons"][0]["content"], "본문");
}

#[tokio::test]
async fn send_epin_refusals_follow_the_code_table() {
    let sandbox = Sandbox::start().await.unwrap();
    let code = |v: Value| v["rstCode"].as_str().unwrap().to_owned();
    let title = "%EC%84%A0%EB%AC%BC";
    assert_eq!(code(get_json(&sandbox, &send_query("0000000582", "R1", "2", "01012345678", title)).await), "P003");
    assert_eq!(code(get_json(&sandbox, &send_query("0000000582", "R2", "x", "01012345678", title)).await), "P001");
    assert_eq!(code(get_json(&sandbox, &send_query("0000000582", "R3", "1", "02-123-4567", title)).await), "P002");
    assert_eq!(code(get_json(&sandbox, &send_query("9999999999", "R4", "1", "01012345678", title)).await), "A101");
    assert_eq!(code(get_json(&sandbox, &send_query("0000003016", "R5", "1", "01012345678", title)).await), "A101");
    let long_title = "%EA%B0%80".repeat(21);
    assert_eq!(
        code(get_json(&sandbox, &send_query("0000000582", "R6", "1", "01012345678", &long_title)).await),
        "P001"
    );
    assert_eq!(code(get_json(&sandbox, &send_query("0000000582", "R7", "1", "01012345678", title)).await), "0");
    let again = get_json(&sandbox, &send_query("0000000582", "R7", "1", "01012345678", title)).await;
    assert_eq!(
        again,
        json!({"rstCode": "P101", "rstMsg": "이미 존재하는 거래번호 입니다", "epin": "", "order_id": "", "reserved": ""})
    );
    let bad_enc = get_json(&sandbox, "/SendEPin?cid=sandbox&enc=00&goods_id=0000000582&count=1&title=a&content=b&mdn=01012345678&receive_tel=15881234&co_tid=R8").await;
    assert_eq!(code(bad_enc), "A001");
    assert_eq!(code(get_json(&sandbox, "/SendEPin").await), "P001");
}

#[tokio::test]
async fn catalog_answers_keep_the_documents_quirks() {
    let sandbox = Sandbox::start().await.unwrap();
    let enc = md5_hex(&format!("{KEY}{CID}10"));
    let text = get_text(&sandbox, &format!("/getGoodsInfoList?cid={CID}&brand_id=10&enc={enc}")).await;
    assert!(text.contains("\"PRICE\": \"10000\""), "string integers: {text}");
    let list: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(
        get_json(&sandbox, &format!("/getGoodsInfoList?cid={CID}&brand_id=10&enc=bad")).await,
        json!({"STATUS": "C"})
    );
    let enc = md5_hex(&format!("{KEY}{CID}999"));
    assert_eq!(
        get_json(&sandbox, &format!("/getGoodsInfoList?cid={CID}&brand_id=999&enc={enc}")).await,
        json!({"STATUS": "E"})
    );

    let enc = md5_hex(&format!("{KEY}{CID}0000001104"));
    let info = get_json(&sandbox, &format!("/getGoodsInfo?cid={CID}&goods_id=0000001104&enc={enc}")).await;
    assert_eq!(info["IMG_URL "], "http://image.gift-n.net/goods/0000001104_1.jpg", "stray space kept");
    assert_eq!(info["PRICE "], "4700");
    assert_eq!(info["EXDATE "], "93");
    assert_eq!(info["BRAND_ID"], "20");

    let brand = get_json(&sandbox, &format!("/getBrandImage?cid={CID}&brand_id=50")).await;
    assert_eq!(
        brand,
        json!({"BRAND_NAME": "GS칼텍스", "IMG_URL ": "http://image.gift-n.net/brand/50.jpg", "STATUS": "Y"})
    );
    assert_eq!(get_json(&sandbox, &format!("/getBrandImage?cid={CID}&brand_id=1")).await, json!({"STATUS": "E"}));
}

#[tokio::test]
async fn ip_allowlist_refuses_every_endpoint_like_the_vendor() {
    let sandbox = Sandbox::start().await.unwrap();
    let admin = format!("{}/_sandbox/giftletter/ip-allowlist", sandbox.base_url());
    let r = client().post(&admin).body(r#"{"enabled": true}"#).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let v = get_json(&sandbox, &send_query("0000000582", "I1", "1", "01012345678", "a")).await;
    assert_eq!(v["rstCode"], "S002");
    assert_eq!(get_json(&sandbox, &format!("/getBrandImage?cid={CID}&brand_id=50")).await, json!({"STATUS": "I"}));
    let (status, _, _) = get_raw(&sandbox, &format!("/mn_compare/ExchangeDaily.aspx?cid={CID}&dt=2026-03-01")).await;
    assert_eq!(status, 403);
    let r = client().post(&admin).body("{\"enabled\": \"yes\"}").send().await.unwrap();
    assert_eq!(r.status(), 400);
    sandbox.admin().reset().await.unwrap();
    assert_eq!(get_json(&sandbox, &format!("/getBrandImage?cid={CID}&brand_id=50")).await["STATUS"], "Y");
}

#[tokio::test]
async fn the_report_is_euc_kr_text_of_the_days_redemptions() {
    let sandbox = Sandbox::start().await.unwrap();
    let v = get_json(&sandbox, &send_query("0000000582", "X1", "1", "01012345678", "a")).await;
    let pin = v["epin"].as_str().unwrap().to_owned();
    let v = get_json(&sandbox, &send_query("0000002208", "X2", "1", "01012345678", "a")).await;
    let day_only_pin = v["epin"].as_str().unwrap().to_owned();
    let admin = sandbox.admin();
    let redeem = coupon_sandbox::RedeemRequest::new("giftletter", &pin).branch("광주영주").at("2026-03-01 15:12:03");
    admin.redeem_with(&redeem).await.unwrap();
    let redeem = coupon_sandbox::RedeemRequest::new("giftletter", &day_only_pin).at("2026-03-01 09:00:00");
    admin.redeem_with(&redeem).await.unwrap();
    assert!(admin.redeem("giftletter", &pin, None).await.is_err(), "a used PIN cannot be redeemed again");
    assert!(admin.redeem("giftletter", "000000000000", None).await.is_err());

    let (status, ct, body) =
        get_raw(&sandbox, &format!("/mn_compare/ExchangeDaily.aspx?cid={CID}&dt=2026-03-01")).await;
    assert_eq!((status, ct.as_deref()), (200, Some("text/plain; charset=euc-kr")));
    let (text, _, bad) = encoding_rs::EUC_KR.decode(&body);
    assert!(!bad);
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with(&format!("{day_only_pin}|20260301|")), "{}", lines[0]);
    assert_eq!(lines[1], format!("{pin}|20260301151203|광주영주"));
    let (_, _, body) = get_raw(&sandbox, &format!("/mn_compare/ExchangeDaily.aspx?cid={CID}&dt=2026-03-02")).await;
    assert!(body.is_empty());
    let (status, _, _) = get_raw(&sandbox, &format!("/mn_compare/ExchangeDaily.aspx?cid={CID}&dt=03/01")).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn odd_queries_are_answered_never_crash() {
    let sandbox = Sandbox::start().await.unwrap();
    for path in ["/SendEPin", "/CancelSendEPin", "/StatusSendEPin", "/ReSendSMS"] {
        for q in ["", "?", "?%", "?cid=%FF%FF", "?&&==&", "?order_id=%E2%82", "?cid=sandbox&enc=&order_id=1"] {
            let v = get_json(&sandbox, &format!("{path}{q}")).await;
            let code = v["rstCode"].as_str().unwrap();
            assert!(code == "P001" || code == "A001", "{path}{q}: {code}");
        }
    }
    for path in ["/getGoodsInfoList", "/getGoodsInfo", "/getBrandImage"] {
        assert_eq!(get_json(&sandbox, &format!("{path}?%FF=%FE")).await, json!({"STATUS": "E"}));
    }
    let (status, _, _) = get_raw(&sandbox, "/mn_compare/ExchangeDaily.aspx?cid=%FF").await;
    assert!(status == 400 || status == 403);
}

#[tokio::test]
async fn issued_lists_orders_by_partner_reference() {
    let sandbox = Sandbox::start().await.unwrap();
    let admin = sandbox.admin();
    assert!(admin.issued("giftletter").await.unwrap().is_empty());
    let a = get_json(&sandbox, &send_query("0000000582", "REF-A", "1", "010-1234-5678", "t")).await;
    let b = get_json(&sandbox, &send_query("0000000582", "REF-B", "1", "010-1234-5678", "t")).await;
    let refused = get_json(&sandbox, &send_query("0000000582", "REF-A", "1", "010-1234-5678", "t")).await;
    assert_eq!(refused["rstCode"], "P101", "a repeated co_tid issues nothing");
    let order_b = b["order_id"].as_str().unwrap();
    let enc = md5_hex(&format!("{KEY}{CID}{order_b}"));
    let cancel = get_json(&sandbox, &format!("/CancelSendEPin?cid={CID}&enc={enc}&order_id={order_b}")).await;
    assert_eq!(cancel["rstCode"], "0", "{cancel}");

    let items = admin.issued("giftletter").await.unwrap();
    let seen: Vec<_> = items.iter().map(|i| (i.partner_ref.as_deref(), i.order.as_str(), i.cancelled)).collect();
    assert_eq!(seen, [(Some("REF-A"), a["order_id"].as_str().unwrap(), false), (Some("REF-B"), order_b, true)]);
    assert_eq!(items[0].details["goods_id"], "0000000582");
    assert_eq!(items[0].details["epin"], a["epin"]);
    assert_eq!(items[1].details["state"], "cancelled");

    match admin.issued("coufun").await {
        Err(coupon_sandbox::SandboxError::Admin { status: 404, .. }) => {}
        other => panic!("COUFUN issues nothing: {other:?}"),
    }
}
