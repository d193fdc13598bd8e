//! The Giftishow Biz emulator over real HTTP, as a raw client sees it: form POSTs on the
//! vendor's host layout (`/bizApi/...`, `/coupon/send`), `{"code","message","result"}`
//! answers, the doubly nested send, bizmoney, and every variant of the reconstructed
//! reading (the v1.04 result codes by default, the legacy ones, ISO dates, credentials
//! in headers), independent of the SDK's adapter.

use std::time::Duration;

use coupon_sandbox::vendors::giftishow::credentials::{AUTH_CODE, AUTH_TOKEN, USER_ID};
use coupon_sandbox::{RedeemRequest, RunningSandbox, Sandbox, SandboxError};
use serde_json::{Value, json};

const AMERICANO: &str = "G00001621744";
const AMERICANO_PRICE: u64 = 4365;
const CU_10000: &str = "G00000750717";
const NOT_ON_SALE: &str = "G00002010001";
const START: u64 = 10_000_000;

struct Gs {
    sandbox: RunningSandbox,
    http: reqwest::Client,
}

impl Gs {
    async fn start() -> Self {
        let http = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(10)).build().unwrap();
        Self { sandbox: Sandbox::start().await.expect("sandbox starts"), http }
    }

    /// POSTs exactly these form fields to `path` under `/giftishow`: status, content type, body.
    async fn raw(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String, Value) {
        self.raw_with(path, &[], fields).await
    }

    /// As [`Gs::raw`], with these request headers too.
    async fn raw_with(&self, path: &str, headers: &[(&str, &str)], fields: &[(&str, &str)]) -> (u16, String, Value) {
        let url = format!("{}{path}", self.sandbox.vendor_url("giftishow"));
        let mut req = self.http.post(url).form(fields);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let ct = resp.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        let body = resp.json().await.unwrap_or(Value::Null);
        (status, ct, body)
    }

    /// A call with the sandbox's credentials, `dev_yn=N`, `user_id`, then `extra`
    /// (an `extra` field replaces a default of the same name).
    async fn call(&self, path: &str, api_code: &str, extra: &[(&str, &str)]) -> Value {
        let mut fields: Vec<(&str, &str)> = vec![
            ("api_code", api_code),
            ("custom_auth_code", AUTH_CODE),
            ("custom_auth_token", AUTH_TOKEN),
            ("dev_yn", "N"),
            ("user_id", USER_ID),
        ];
        fields.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
        fields.extend_from_slice(extra);
        let (status, ct, body) = self.raw(path, &fields).await;
        assert_eq!(status, 200, "{path} {api_code}: {body}");
        assert!(ct.starts_with("application/json"), "{ct}");
        body
    }

    /// A send (0204) of the americano with `gubun=Y` and `tr_id`, `extra` overriding.
    async fn send(&self, tr_id: &str, extra: &[(&str, &str)]) -> Value {
        self.send_on("/bizApi/send", tr_id, extra).await
    }

    async fn send_on(&self, path: &str, tr_id: &str, extra: &[(&str, &str)]) -> Value {
        let mut fields: Vec<(&str, &str)> = vec![
            ("goods_code", AMERICANO),
            ("tr_id", tr_id),
            ("phone_no", "01012345678"),
            ("callback_no", "15880000"),
            ("mms_title", "선물 도착"),
            ("mms_msg", "coupon sandbox에서 보낸 선물입니다."),
            ("gubun", "Y"),
        ];
        fields.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
        fields.extend_from_slice(extra);
        self.call(path, "0204", &fields).await
    }

    async fn admin_get(&self, route: &str) -> Value {
        self.sandbox.admin().vendor_get("giftishow", route).await.unwrap()
    }

    async fn admin_post(&self, route: &str, body: Value) -> Value {
        self.sandbox.admin().vendor_post("giftishow", route, &body).await.unwrap()
    }

    async fn balance(&self) -> u64 {
        self.admin_get("bizmoney").await["balance"].as_u64().unwrap()
    }

    async fn variant(&self, body: Value) -> Value {
        self.admin_post("variant", body).await
    }

    async fn coupon(&self, tr_id: &str) -> Value {
        self.call("/bizApi/coupons", "0201", &[("tr_id", tr_id)]).await
    }
}

/// The inner answer of a send, after checking the outer one is a bare success.
fn inner(v: &Value) -> &Value {
    assert_eq!(v["code"], "0000", "{v}");
    assert_eq!(v["message"], Value::Null, "{v}");
    &v["result"]
}

/// The inner code of a refused send: the outer is `0000`, the inner `result` null.
fn refused_send(v: &Value) -> &str {
    let i = inner(v);
    assert_eq!(i["result"], Value::Null, "{v}");
    i["code"].as_str().unwrap()
}

fn is_refusal(v: &Value, code: &str) {
    assert_eq!(v["code"], code, "{v}");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    assert_eq!(v["result"], Value::Null, "{v}");
}

fn pin_of(v: &Value) -> String {
    v["result"]["result"]["pinNo"].as_str().expect("a PIN").to_owned()
}

#[tokio::test]
async fn goods_pages_hold_size_items_and_the_last_page_is_the_shorter_one() {
    let gs = Gs::start().await;
    let mut seen = Vec::new();
    for start in 1.. {
        let v = gs.call("/bizApi/goods", "0101", &[("start", &start.to_string()), ("size", "5")]).await;
        assert_eq!((&v["code"], &v["message"]), (&json!("0000"), &Value::Null), "{v}");
        let list = v["result"]["goodsList"].as_array().unwrap();
        assert_eq!(v["result"]["listNum"], list.len(), "listNum counts this page");
        assert!(v.get("totalCount").is_none() && v["result"].get("totalCount").is_none());
        for g in list {
            assert!(g["goodsCode"].is_string() && g.get("goldPrice").is_none(), "{g}");
            seen.push(g["goodsCode"].as_str().unwrap().to_owned());
        }
        if list.len() < 5 {
            break;
        }
    }
    assert_eq!(seen.len(), 9, "{seen:?}");
    assert!(seen.contains(&AMERICANO.to_owned()) && seen.contains(&NOT_ON_SALE.to_owned()));
    let bad = gs.call("/bizApi/goods", "0101", &[("start", "0"), ("size", "5")]).await;
    is_refusal(&bad, "PAG0001");
    is_refusal(&gs.call("/bizApi/goods", "0101", &[("size", "1001")]).await, "PAG0001");
}

#[tokio::test]
async fn goods_prices_are_numbers_in_some_goods_and_text_in_others() {
    let gs = Gs::start().await;
    let v = gs.call("/bizApi/goods", "0101", &[("start", "1"), ("size", "100")]).await;
    let list = v["result"]["goodsList"].as_array().unwrap();
    for key in ["salePrice", "discountPrice", "realPrice"] {
        assert!(list.iter().any(|g| g[key].is_number()), "{key} as a number");
        assert!(list.iter().any(|g| g[key].is_string()), "{key} as text");
    }
    let stopped = list.iter().find(|g| g["goodsCode"] == NOT_ON_SALE).unwrap();
    assert_ne!(stopped["goodsStateCd"], "SALE");
}

#[tokio::test]
async fn goods_detail_answers_by_path_or_field_with_the_variant_api_code() {
    let gs = Gs::start().await;
    let path = format!("/bizApi/goods/{AMERICANO}");
    let v = gs.call(&path, "0111", &[]).await;
    let d = &v["result"]["goodsDetail"];
    assert_eq!(d["goodsCode"], AMERICANO);
    for key in ["goldPrice", "vipPrice", "platinumPrice", "goldDiscountRate", "categoryName1"] {
        assert!(!d[key].is_null(), "{key}");
    }
    let by_field = gs.call("/bizApi/goods", "0111", &[("goods_code", AMERICANO)]).await;
    assert_eq!(by_field["result"]["goodsDetail"], *d);
    is_refusal(&gs.call(&path, "0102", &[]).await, "E0007");
    is_refusal(&gs.call("/bizApi/goods/G00000000000", "0111", &[]).await, "ERR0401");
    is_refusal(&gs.call("/bizApi/goods", "0111", &[]).await, "ERR0201");

    let variant = gs.variant(json!({"goods_detail_code": "0102"})).await;
    assert_eq!(variant["goods_detail_code"], "0102");
    assert_eq!(gs.call(&path, "0102", &[]).await["result"]["goodsDetail"], *d);
    is_refusal(&gs.call(&path, "0111", &[]).await, "E0007");
}

#[tokio::test]
async fn brands_list_and_detail_follow_the_0102_0112_and_0103_0104_variants() {
    let gs = Gs::start().await;
    let list = gs.call("/bizApi/brands", "0102", &[]).await;
    assert_eq!(list["result"]["listNum"], 4);
    let names: Vec<_> =
        list["result"]["brandList"].as_array().unwrap().iter().map(|b| b["brandName"].clone()).collect();
    assert!(names.contains(&json!("스타벅스")) && names.contains(&json!("GS25")), "{names:?}");
    let detail = gs.call("/bizApi/brands/BR00001", "0112", &[]).await;
    assert_eq!(detail["result"]["brandDetail"]["brandName"], "스타벅스");
    let by_field = gs.call("/bizApi/brands", "0112", &[("brand_code", "BR00001")]).await;
    assert_eq!(by_field["result"], detail["result"]);
    is_refusal(&gs.call("/bizApi/brands/BR99999", "0112", &[]).await, "ERR9009");
    is_refusal(&gs.call("/bizApi/brands", "0103", &[]).await, "E0007");
    is_refusal(&gs.call("/bizApi/brands", "0112", &[]).await, "ERR0201");

    gs.variant(json!({"brand_codes": "0103/0104"})).await;
    assert_eq!(gs.call("/bizApi/brands", "0103", &[]).await["result"]["listNum"], 4);
    let detail4 = gs.call("/bizApi/brands", "0104", &[("brand_code", "BR00001")]).await;
    assert_eq!(detail4["result"], detail["result"]);
    is_refusal(&gs.call("/bizApi/brands", "0102", &[]).await, "E0007");
    let fields = [("api_code", "0112"), ("custom_auth_code", AUTH_CODE), ("custom_auth_token", AUTH_TOKEN)];
    let (status, _, _) = gs.raw("/bizApi/brands/BR00001", &fields).await;
    assert_eq!(status, 404, "the detail by path is not served with 0103/0104");
}

#[tokio::test]
async fn send_y_answers_the_pin_nested_twice_and_charges_the_discount_price() {
    let gs = Gs::start().await;
    let v = gs.send("TR-Y-1", &[]).await;
    let i = inner(&v);
    assert_eq!((&i["code"], &i["message"]), (&json!("0000"), &Value::Null), "{v}");
    let r = &i["result"];
    assert!(r["orderNo"].as_str().is_some_and(|o| !o.is_empty()));
    let pin = r["pinNo"].as_str().unwrap();
    assert!(pin.len() == 12 && pin.bytes().all(|b| b.is_ascii_digit()), "{pin}");
    assert_eq!(r["couponImgUrl"], Value::Null);
    assert_eq!(gs.balance().await, START - AMERICANO_PRICE);
}

#[tokio::test]
async fn send_n_goes_by_mms_without_a_pin_and_needs_the_message_fields() {
    let gs = Gs::start().await;
    let v = gs.send("TR-N-1", &[("gubun", "N")]).await;
    let r = &inner(&v)["result"];
    assert!(r["orderNo"].is_string());
    assert_eq!(r["pinNo"], Value::Null, "the coupon went by MMS");
    for missing in ["phone_no", "mms_title", "mms_msg", "callback_no"] {
        let v = gs.send("TR-N-2", &[("gubun", "N"), (missing, "")]).await;
        assert_eq!(refused_send(&v), "ERR0201", "{missing}");
    }
    let v = gs.send("TR-Y-nophone", &[("phone_no", ""), ("callback_no", "")]).await;
    assert!(pin_of(&v).len() == 12, "Y needs no phone: the PIN comes back");
    assert_eq!(refused_send(&gs.send("TR-X", &[("gubun", "X")]).await), "ERR0201");
}

#[tokio::test]
async fn send_i_answers_a_barcode_image_url() {
    let gs = Gs::start().await;
    let v = gs.send("TR-I-1", &[("gubun", "I")]).await;
    let r = &inner(&v)["result"];
    let pin = r["pinNo"].as_str().unwrap();
    let url = r["couponImgUrl"].as_str().unwrap();
    assert!(url.starts_with("http://127.0.0.1:") && url.contains("/giftishow/") && url.contains(pin), "{url}");
}

#[tokio::test]
async fn the_variant_send_path_is_coupon_send_outside_the_api_base() {
    let gs = Gs::start().await;
    let fields = [("api_code", "0204"), ("custom_auth_code", AUTH_CODE), ("custom_auth_token", AUTH_TOKEN)];
    assert_eq!(gs.raw("/coupon/send", &fields).await.0, 404, "not served by default");
    assert_eq!(gs.variant(json!({"send_path": "coupon"})).await["send_path"], "coupon");
    let v = gs.send_on("/coupon/send", "TR-C-1", &[]).await;
    assert_eq!(pin_of(&v).len(), 12);
    assert_eq!(gs.raw("/bizApi/send", &fields).await.0, 404, "the other path is not served");
}

#[tokio::test]
async fn a_repeated_tr_id_is_err0215_and_charged_once() {
    let gs = Gs::start().await;
    gs.send("TR-DUP", &[]).await;
    let again = gs.send("TR-DUP", &[("goods_code", "G00000280811")]).await;
    assert_eq!(refused_send(&again), "ERR0215");
    assert_eq!(inner(&again)["message"], "중복된 TR_ID");
    assert_eq!(gs.balance().await, START - AMERICANO_PRICE);
    assert_eq!(gs.sandbox.admin().issued("giftishow").await.unwrap().len(), 1);
}

#[tokio::test]
async fn too_little_bizmoney_is_e0010_and_leaves_the_tr_id_free() {
    let gs = Gs::start().await;
    assert_eq!(gs.admin_post("bizmoney", json!({"balance": 4000})).await, json!({"balance": 4000}));
    assert_eq!(refused_send(&gs.send("TR-LOW", &[]).await), "E0010");
    assert_eq!(gs.balance().await, 4000);
    assert!(gs.sandbox.admin().issued("giftishow").await.unwrap().is_empty());
    is_refusal(&gs.coupon("TR-LOW").await, "ERR0204");
    gs.admin_post("bizmoney", json!({"balance": 5000})).await;
    assert_eq!(pin_of(&gs.send("TR-LOW", &[]).await).len(), 12, "the same tr_id issues once money is there");
    assert_eq!(gs.balance().await, 5000 - AMERICANO_PRICE);
}

#[tokio::test]
async fn a_malformed_receiver_is_err0817_and_a_malformed_sender_err9008() {
    let gs = Gs::start().await;
    for phone in ["010-1234-5678", "0212345678", "0101234", "0101234567", "01012345678901", "phone"] {
        assert_eq!(refused_send(&gs.send("TR-P", &[("phone_no", phone), ("gubun", "N")]).await), "ERR0817", "{phone}");
        assert_eq!(refused_send(&gs.send("TR-P", &[("phone_no", phone)]).await), "ERR0817", "checked for Y too");
    }
    assert_eq!(refused_send(&gs.send("TR-P", &[("callback_no", "1588-0000")]).await), "ERR9008");
    for callback in ["0212345678", "16001234", "01099998888"] {
        assert!(inner(&gs.send(&format!("TR-{callback}"), &[("callback_no", callback)]).await)["code"] == "0000");
    }
    assert_eq!(gs.balance().await, START - 3 * AMERICANO_PRICE);
}

#[tokio::test]
async fn unknown_or_stopped_goods_are_refused_inside_the_send() {
    let gs = Gs::start().await;
    assert_eq!(refused_send(&gs.send("TR-G1", &[("goods_code", "G00000000000")]).await), "ERR0401");
    assert_eq!(refused_send(&gs.send("TR-G2", &[("goods_code", NOT_ON_SALE)]).await), "ERR9005");
    assert_eq!(gs.balance().await, START);
}

#[tokio::test]
async fn title_and_tr_id_limits_are_in_characters_and_follow_the_variant() {
    let gs = Gs::start().await;
    let title10 = "가나다라마바사아자차";
    let title11 = "가나다라마바사아자차카";
    let tr25 = "T".repeat(25);
    let tr21 = "U".repeat(21);
    assert_eq!(inner(&gs.send("TR-T10", &[("mms_title", title10)]).await)["code"], "0000", "10 Hangul fit");
    assert_eq!(refused_send(&gs.send("TR-T11", &[("mms_title", title11)]).await), "ERR0806");
    assert_eq!(inner(&gs.send(&tr25, &[]).await)["code"], "0000");
    assert_eq!(refused_send(&gs.send(&"T".repeat(26), &[]).await), "ERR0807");

    let v = gs.variant(json!({"mms_title_limit": 20, "tr_id_limit": 20})).await;
    assert_eq!((&v["mms_title_limit"], &v["tr_id_limit"]), (&json!(20), &json!(20)));
    assert_eq!(inner(&gs.send("TR-T11", &[("mms_title", title11)]).await)["code"], "0000");
    let title21 = "가".repeat(21);
    assert_eq!(refused_send(&gs.send("TR-T21", &[("mms_title", &title21)]).await), "ERR0806");
    assert_eq!(refused_send(&gs.send(&tr21, &[]).await), "ERR0807");
    assert_eq!(inner(&gs.send(&"V".repeat(20), &[]).await)["code"], "0000");
}

#[tokio::test]
async fn test_mode_answers_like_production_charges_nothing_and_flags_the_coupon() {
    let gs = Gs::start().await;
    let v = gs.send("TR-DEV", &[("dev_yn", "Y")]).await;
    assert_eq!(pin_of(&v).len(), 12);
    assert_eq!(gs.balance().await, START, "a test send made at the start balance charges nothing");
    gs.admin_post("bizmoney", json!({"balance": 0})).await;
    let poor = gs.send("TR-DEV-2", &[("dev_yn", "Y"), ("goods_code", "G00001777701")]).await;
    assert_eq!(inner(&poor)["code"], "0000", "a test send needs no bizmoney");
    assert_eq!(gs.balance().await, 0);
    let items = gs.admin_get("issued").await;
    assert_eq!(items["items"][0]["test"], true);
    assert_eq!(items["items"][0]["charged"], 0);
    assert_eq!(gs.coupon("TR-DEV").await["result"][0]["couponInfoList"][0]["pinStatusCd"], "01");
}

#[tokio::test]
async fn coupon_detail_by_tr_id_is_a_one_element_array_or_err0204() {
    let gs = Gs::start().await;
    let sent = gs.send("TR-DETAIL", &[("gubun", "N"), ("phone_no", "01098765432")]).await;
    let order = sent["result"]["result"]["orderNo"].clone();
    let v = gs.coupon("TR-DETAIL").await;
    assert_eq!(v["code"], "0000");
    let arr = v["result"].as_array().expect("an array");
    assert_eq!(arr.len(), 1);
    assert_eq!((&arr[0]["resCode"], &arr[0]["resMsg"]), (&json!("0000"), &json!("정상")));
    let list = arr[0]["couponInfoList"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    let c = &list[0];
    assert_eq!(c["goodsCd"], AMERICANO);
    assert_eq!(c["goodsNm"], "스타벅스 아메리카노 T");
    assert_eq!(c["brandNm"], "스타벅스");
    assert_eq!((&c["pinStatusCd"], &c["pinStatusNm"]), (&json!("01"), &json!("발행")));
    assert_eq!((&c["sellPriceAmt"], &c["cnsmPriceAmt"]), (&json!("4365"), &json!("4500")));
    assert_eq!((&c["senderTelNo"], &c["recverTelNo"]), (&json!("15880000"), &json!("01098765432")));
    assert_eq!(c["orderNo"], order);
    assert!(c["pinNo"].as_str().is_some_and(|p| p.len() == 12), "the detail shows the PIN even of an MMS send");
    assert!(c.get("remainAmt").is_none(), "not a stored-value coupon");
    let end = c["validPrdEndDt"].as_str().unwrap();
    assert!(end.len() == 8 && chrono::NaiveDate::parse_from_str(end, "%Y%m%d").is_ok(), "{end}");
    let changed = c["correcDtm"].as_str().unwrap();
    assert!(chrono::NaiveDateTime::parse_from_str(changed, "%Y%m%d%H%M%S").is_ok(), "{changed}");
    for key in ["sendBasicCd", "sendStatusCd", "sendRstCd", "sendRstMsg", "mmsBrandThumImg"] {
        assert!(c[key].is_string(), "{key}");
    }
    is_refusal(&gs.coupon("TR-NEVER").await, "ERR0204");
    is_refusal(&gs.call("/bizApi/coupons", "0201", &[]).await, "ERR0201");
}

#[tokio::test]
async fn top_level_puts_balance_coupon_info_and_total_count_beside_code() {
    let gs = Gs::start().await;
    gs.send("TR-TOP", &[]).await;
    let v = gs.variant(json!({"top_level": true})).await;
    assert_eq!(v["top_level"], true);

    let money = gs.call("/bizApi/bizmoney", "0301", &[]).await;
    assert_eq!(money["balance"], (START - AMERICANO_PRICE).to_string());
    assert_eq!(money["result"], Value::Null);

    let c = gs.coupon("TR-TOP").await;
    assert_eq!(c["result"], Value::Null);
    assert_eq!((&c["resCode"], &c["resMsg"]), (&json!("0000"), &json!("정상")));
    assert_eq!(c["couponInfoList"][0]["goodsCd"], AMERICANO);

    let goods = gs.call("/bizApi/goods", "0101", &[("start", "2"), ("size", "5")]).await;
    assert_eq!((&goods["totalCount"], &goods["result"]["listNum"]), (&json!(9), &json!(4)));
    let brands = gs.call("/bizApi/brands", "0102", &[]).await;
    assert_eq!(brands["totalCount"], 4);
}

#[tokio::test]
async fn bizmoney_answers_the_balance_as_text() {
    let gs = Gs::start().await;
    let v = gs.call("/bizApi/bizmoney", "0301", &[]).await;
    assert_eq!(v, json!({"code": "0000", "message": null, "result": {"balance": "10000000"}}));
    gs.admin_post("bizmoney", json!({"balance": 1234})).await;
    assert_eq!(gs.call("/bizApi/bizmoney", "0301", &[]).await["result"]["balance"], "1234");
    let admin = gs.sandbox.admin();
    for (route, bad) in [("bizmoney", json!({"balance": "lots"})), ("send-failures", json!([])), ("expire", json!({}))]
    {
        match admin.vendor_post("giftishow", route, &bad).await {
            Err(SandboxError::Admin { status: 400, .. }) => {}
            other => panic!("{route} {bad}: {other:?}"),
        }
    }
    assert_eq!(gs.balance().await, 1234);
}

#[tokio::test]
async fn cancel_refunds_once_then_err0808_and_an_unknown_tr_id_is_err0212() {
    let gs = Gs::start().await;
    gs.send("TR-CANCEL", &[]).await;
    assert_eq!(gs.balance().await, START - AMERICANO_PRICE);
    let v = gs.call("/bizApi/cancel", "0202", &[("tr_id", "TR-CANCEL")]).await;
    assert_eq!(v, json!({"code": "0000", "message": null, "result": null}));
    assert_eq!(gs.balance().await, START, "the charge is refunded");
    let c = &gs.coupon("TR-CANCEL").await["result"][0]["couponInfoList"][0];
    assert_eq!((&c["pinStatusCd"], &c["pinStatusNm"]), (&json!("07"), &json!("구매취소(폐기)")));
    let again = gs.call("/bizApi/cancel", "0202", &[("tr_id", "TR-CANCEL")]).await;
    is_refusal(&again, "ERR0808");
    assert_eq!(again["message"], "이미 취소된 쿠폰입니다.");
    assert_eq!(gs.balance().await, START, "refunded once");
    is_refusal(&gs.call("/bizApi/cancel", "0202", &[("tr_id", "TR-NEVER")]).await, "ERR0212");
    assert!(gs.sandbox.admin().issued("giftishow").await.unwrap()[0].cancelled);

    let test = gs.send("TR-CANCEL-DEV", &[("dev_yn", "Y")]).await;
    assert_eq!(inner(&test)["code"], "0000");
    assert_eq!(gs.balance().await, START, "a test coupon is not charged");
    let v = gs.call("/bizApi/cancel", "0202", &[("tr_id", "TR-CANCEL-DEV")]).await;
    assert_eq!(v, json!({"code": "0000", "message": null, "result": null}));
    assert_eq!(gs.balance().await, START, "a test coupon refunds nothing");
}

#[tokio::test]
async fn a_used_coupon_cannot_be_cancelled_nor_resent() {
    let gs = Gs::start().await;
    let pin = pin_of(&gs.send("TR-USED", &[]).await);
    gs.sandbox.admin().redeem_with(&RedeemRequest::new("giftishow", &pin)).await.unwrap();
    // v1.04 has no "used" code: its "coupon cancel failed", the reason in the message.
    let refused = gs.call("/bizApi/cancel", "0202", &[("tr_id", "TR-USED")]).await;
    is_refusal(&refused, "ERR0805");
    assert_eq!(refused["message"], "쿠폰 취소 실패 : 이미 사용된 쿠폰입니다.");
    is_refusal(&gs.call("/bizApi/resend", "0203", &[("tr_id", "TR-USED"), ("sms_flag", "Y")]).await, "ERR9011");
    assert_eq!(gs.balance().await, START - AMERICANO_PRICE, "not refunded after use");
}

#[tokio::test]
async fn resend_succeeds_for_an_issued_coupon_only() {
    let gs = Gs::start().await;
    gs.send("TR-RESEND", &[("gubun", "N")]).await;
    for flag in ["Y", "N"] {
        let v = gs.call("/bizApi/resend", "0203", &[("tr_id", "TR-RESEND"), ("sms_flag", flag)]).await;
        assert_eq!(v, json!({"code": "0000", "message": null, "result": null}));
    }
    assert_eq!(gs.admin_get("issued").await["items"][0]["resends"], 2);
    is_refusal(&gs.call("/bizApi/resend", "0203", &[("tr_id", "TR-RESEND")]).await, "ERR0201");
    is_refusal(&gs.call("/bizApi/resend", "0203", &[("tr_id", "TR-RESEND"), ("sms_flag", "M")]).await, "ERR0201");
    is_refusal(&gs.call("/bizApi/resend", "0203", &[("tr_id", "TR-NEVER"), ("sms_flag", "Y")]).await, "ERR0212");
    gs.call("/bizApi/cancel", "0202", &[("tr_id", "TR-RESEND")]).await;
    is_refusal(&gs.call("/bizApi/resend", "0203", &[("tr_id", "TR-RESEND"), ("sms_flag", "Y")]).await, "ERR9013");
}

#[tokio::test]
async fn a_charged_failure_is_err0999_issues_no_pin_is_refunded_once_by_0205_and_leaves_the_tr_id_free() {
    let gs = Gs::start().await;
    assert_eq!(gs.admin_post("send-failures", json!({"count": 1})).await, json!({"count": 1}));
    let failed = gs.send("TR-FAIL", &[]).await;
    assert_eq!(refused_send(&failed), "ERR0999");
    assert!(inner(&failed)["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(gs.balance().await, START - AMERICANO_PRICE, "charged without a PIN");
    is_refusal(&gs.coupon("TR-FAIL").await, "ERR0204");
    assert!(gs.sandbox.admin().issued("giftishow").await.unwrap().is_empty());

    let refund = gs.call("/bizApi/sendFail/cancel", "0205", &[("tr_id", "TR-FAIL")]).await;
    assert_eq!(refund, json!({"code": "0000", "message": null, "result": null}));
    assert_eq!(gs.balance().await, START);
    is_refusal(&gs.call("/bizApi/sendFail/cancel", "0205", &[("tr_id", "TR-FAIL")]).await, "ERR9014");
    is_refusal(&gs.call("/bizApi/sendFail/cancel", "0205", &[("tr_id", "TR-NEVER")]).await, "ERR9014");
    let failures = gs.admin_get("send-failures").await;
    assert_eq!(failures["pending"], 0);
    assert_eq!(failures["failures"], json!([{"tr_id": "TR-FAIL", "charged": AMERICANO_PRICE, "refunded": true}]));

    assert_eq!(pin_of(&gs.send("TR-FAIL", &[]).await).len(), 12, "the same tr_id issues afterwards");
    assert_eq!(gs.balance().await, START - AMERICANO_PRICE);
    let test = gs.admin_post("send-failures", json!({"count": 1})).await;
    assert_eq!(test["count"], 1);
    assert_eq!(inner(&gs.send("TR-FAIL-DEV", &[("dev_yn", "Y")]).await)["code"], "0000", "test sends never fail");
}

#[tokio::test]
async fn redeem_by_pin_makes_the_coupon_02_at_the_given_time() {
    let gs = Gs::start().await;
    let pin = pin_of(&gs.send("TR-REDEEM", &[]).await);
    let req = RedeemRequest::new("giftishow", &pin).branch("스타벅스 광화문점").at("2026-03-01 09:30:00");
    let done = gs.sandbox.admin().redeem_with(&req).await.unwrap();
    assert_eq!(done["branch"], "스타벅스 광화문점");
    let c = &gs.coupon("TR-REDEEM").await["result"][0]["couponInfoList"][0];
    assert_eq!((&c["pinStatusCd"], &c["pinStatusNm"]), (&json!("02"), &json!("교환")));
    assert_eq!(c["correcDtm"], "20260301093000");
    match gs.sandbox.admin().redeem("giftishow", &pin, None).await {
        Err(SandboxError::Admin { status: 409, .. }) => {}
        other => panic!("a used PIN: {other:?}"),
    }
    match gs.sandbox.admin().redeem("giftishow", "000000000000", None).await {
        Err(SandboxError::Admin { status: 404, .. }) => {}
        other => panic!("an unknown PIN: {other:?}"),
    }
    let with_amount = RedeemRequest::new("giftishow", &pin).amount(100);
    assert!(gs.sandbox.admin().redeem_with(&with_amount).await.is_err());
    let fresh = pin_of(&gs.send("TR-REDEEM-AMOUNT", &[]).await);
    match gs.sandbox.admin().redeem_with(&RedeemRequest::new("giftishow", &fresh).amount(100)).await {
        Err(SandboxError::Admin { status: 400, .. }) => {}
        other => panic!("an amount on a coupon that is not stored-value: {other:?}"),
    }
    let c = &gs.coupon("TR-REDEEM-AMOUNT").await["result"][0]["couponInfoList"][0];
    assert_eq!(c["pinStatusCd"], "01", "the refused redemption left the coupon unused");
}

#[tokio::test]
async fn a_redemption_is_checked_against_the_validity_end_on_its_own_day() {
    let gs = Gs::start().await;
    let admin = gs.sandbox.admin();
    let pin = pin_of(&gs.send("TR-LATE", &[]).await);
    let end = gs.coupon("TR-LATE").await["result"][0]["couponInfoList"][0]["validPrdEndDt"].clone();
    let end = chrono::NaiveDate::parse_from_str(end.as_str().unwrap(), "%Y%m%d").unwrap();
    let after = format!("{} 00:00:00", end.succ_opt().unwrap().format("%Y-%m-%d"));
    match admin.redeem_with(&RedeemRequest::new("giftishow", &pin).at(&after)).await {
        Err(SandboxError::Admin { status: 409, .. }) => {}
        other => panic!("a redemption the day after the validity end: {other:?}"),
    }
    let c = &gs.coupon("TR-LATE").await["result"][0]["couponInfoList"][0];
    assert_eq!(c["pinStatusCd"], "01", "the refused redemption left the coupon unused");
    let last = format!("{} 23:59:59", end.format("%Y-%m-%d"));
    admin.redeem_with(&RedeemRequest::new("giftishow", &pin).at(&last)).await.unwrap();
    assert_eq!(gs.coupon("TR-LATE").await["result"][0]["couponInfoList"][0]["pinStatusCd"], "02");

    let old = pin_of(&gs.send("TR-EARLY", &[]).await);
    gs.admin_post("expire", json!({"tr_id": "TR-EARLY"})).await;
    let two_days_ago = coupon_sandbox::now_kst() - chrono::Days::new(2);
    let before_end = two_days_ago.format("%Y-%m-%d %H:%M:%S").to_string();
    admin.redeem_with(&RedeemRequest::new("giftishow", &old).at(&before_end)).await.unwrap();
    let c = &gs.coupon("TR-EARLY").await["result"][0]["couponInfoList"][0];
    assert_eq!(c["pinStatusCd"], "02", "used before it expired, though past its end now");
}

#[tokio::test]
async fn a_stored_value_coupon_is_spent_in_parts_and_02_only_when_empty() {
    let gs = Gs::start().await;
    let pin = pin_of(&gs.send("TR-CU", &[("goods_code", CU_10000)]).await);
    assert_eq!(gs.coupon("TR-CU").await["result"][0]["couponInfoList"][0]["remainAmt"], "10000");
    let admin = gs.sandbox.admin();
    admin.redeem_with(&RedeemRequest::new("giftishow", &pin).amount(3000)).await.unwrap();
    let c = gs.coupon("TR-CU").await["result"][0]["couponInfoList"][0].clone();
    assert_eq!((&c["remainAmt"], &c["pinStatusCd"]), (&json!("7000"), &json!("01")));
    assert!(admin.redeem_with(&RedeemRequest::new("giftishow", &pin).amount(7001)).await.is_err());
    is_refusal(&gs.call("/bizApi/cancel", "0202", &[("tr_id", "TR-CU")]).await, "ERR0805");
    admin.redeem_with(&RedeemRequest::new("giftishow", &pin)).await.unwrap();
    let c = gs.coupon("TR-CU").await["result"][0]["couponInfoList"][0].clone();
    assert_eq!((&c["remainAmt"], &c["pinStatusCd"]), (&json!("0"), &json!("02")));
}

#[tokio::test]
async fn an_expired_coupon_reads_08_and_is_neither_cancelled_nor_resent() {
    let gs = Gs::start().await;
    gs.send("TR-OLD", &[]).await;
    gs.admin_post("expire", json!({"tr_id": "TR-OLD"})).await;
    let c = &gs.coupon("TR-OLD").await["result"][0]["couponInfoList"][0];
    assert_eq!((&c["pinStatusCd"], &c["pinStatusNm"]), (&json!("08"), &json!("기간만료")));
    let refused = gs.call("/bizApi/cancel", "0202", &[("tr_id", "TR-OLD")]).await;
    is_refusal(&refused, "ERR0805");
    assert_eq!(refused["message"], "쿠폰 취소 실패 : 유효기간이 만료된 쿠폰입니다.");
    is_refusal(&gs.call("/bizApi/resend", "0203", &[("tr_id", "TR-OLD"), ("sms_flag", "Y")]).await, "ERR9012");
}

#[tokio::test]
async fn legacy_codes_refuse_the_cancel_of_a_used_or_expired_coupon_apart() {
    let gs = Gs::start().await;
    gs.variant(json!({"codes": "legacy"})).await;
    let pin = pin_of(&gs.send("TR-L-USED", &[]).await);
    gs.sandbox.admin().redeem_with(&RedeemRequest::new("giftishow", &pin)).await.unwrap();
    is_refusal(&gs.call("/bizApi/cancel", "0202", &[("tr_id", "TR-L-USED")]).await, "ERR9011");
    gs.send("TR-L-OLD", &[]).await;
    gs.admin_post("expire", json!({"tr_id": "TR-L-OLD"})).await;
    is_refusal(&gs.call("/bizApi/cancel", "0202", &[("tr_id", "TR-L-OLD")]).await, "ERR9012");
}

#[tokio::test]
async fn a_wrong_token_is_e0009_and_a_wrong_code_e0008_outside_any_nesting() {
    let gs = Gs::start().await;
    let v = gs.send("TR-AUTH", &[("custom_auth_token", "d3Jvbmc=")]).await;
    is_refusal(&v, "E0009");
    let v = gs.call("/bizApi/goods", "0101", &[("custom_auth_code", "REALsomeoneelse00001")]).await;
    is_refusal(&v, "E0008");
    let both = [("custom_auth_code", "REALsomeoneelse00001"), ("custom_auth_token", "d3Jvbmc=")];
    // The code is checked before the token.
    is_refusal(&gs.send("TR-AUTH", &both).await, "E0008");
    let lower = AUTH_TOKEN.to_lowercase();
    is_refusal(&gs.call("/bizApi/bizmoney", "0301", &[("custom_auth_token", &lower)]).await, "E0009");
    assert_eq!(gs.balance().await, START);
    assert!(gs.sandbox.admin().issued("giftishow").await.unwrap().is_empty());
}

#[tokio::test]
async fn missing_credentials_are_e0011_for_the_code_and_e0012_for_the_token() {
    let gs = Gs::start().await;
    let (status, _, v) = gs.raw("/bizApi/bizmoney", &[("api_code", "0301")]).await;
    assert_eq!(status, 200);
    is_refusal(&v, "E0011");
    is_refusal(&gs.send("TR-AUTH", &[("custom_auth_code", "")]).await, "E0011");
    is_refusal(&gs.send("TR-AUTH", &[("custom_auth_token", " ")]).await, "E0012");
    let fields = [("api_code", "0101"), ("custom_auth_code", AUTH_CODE), ("dev_yn", "N")];
    is_refusal(&gs.raw("/bizApi/goods", &fields).await.2, "E0012");
    let fields = [("api_code", "0101"), ("custom_auth_token", AUTH_TOKEN), ("dev_yn", "N")];
    // A missing code first, even with a token.
    is_refusal(&gs.raw("/bizApi/goods", &fields).await.2, "E0011");
    let fields = [("api_code", "0101"), ("custom_auth_code", "REALsomeoneelse00001")];
    // Missing before wrong.
    is_refusal(&gs.raw("/bizApi/goods", &fields).await.2, "E0012");
    assert_eq!(gs.balance().await, START);
}

#[tokio::test]
async fn a_wrong_api_code_user_id_or_dev_yn_is_refused_with_the_v104_codes() {
    let gs = Gs::start().await;
    is_refusal(&gs.send("TR-CODE", &[("api_code", "0201")]).await, "E0007");
    is_refusal(&gs.call("/bizApi/bizmoney", "0101", &[]).await, "E0007");
    // A code of another variant.
    is_refusal(&gs.call("/bizApi/bizmoney", "0104", &[]).await, "E0007");
    is_refusal(&gs.call("/bizApi/bizmoney", "", &[]).await, "E0002");
    is_refusal(&gs.call("/bizApi/bizmoney", "9999", &[]).await, "E0002");
    is_refusal(&gs.call("/bizApi/bizmoney", "301", &[]).await, "E0002");
    is_refusal(&gs.call("/bizApi/bizmoney", "0301", &[("user_id", "someone")]).await, "ERR0300");
    is_refusal(&gs.call("/bizApi/bizmoney", "0301", &[("user_id", "")]).await, "ERR0201");
    is_refusal(&gs.call("/bizApi/bizmoney", "0301", &[("dev_yn", "")]).await, "E0013");
    is_refusal(&gs.call("/bizApi/bizmoney", "0301", &[("dev_yn", "y")]).await, "E0013");
    is_refusal(&gs.send("TR-USER", &[("user_id", "someone")]).await, "ERR0300");
    is_refusal(&gs.send("TR-USER", &[("user_id", "")]).await, "ERR0201");
    for (path, code) in [("/bizApi/cancel", "0202"), ("/bizApi/resend", "0203"), ("/bizApi/sendFail/cancel", "0205")] {
        is_refusal(&gs.call(path, code, &[("user_id", ""), ("tr_id", "TR-USER")]).await, "ERR0201");
    }
    assert!(
        gs.call("/bizApi/goods", "0101", &[("user_id", "")]).await["code"] == "0000",
        "catalog calls need no user_id"
    );
    assert!(gs.sandbox.admin().issued("giftishow").await.unwrap().is_empty());
}

#[tokio::test]
async fn coupon_detail_answers_a_tr_id_alone_without_user_id() {
    let gs = Gs::start().await;
    let sent = gs.send("TR-ALONE", &[]).await;
    let fields = [
        ("api_code", "0201"),
        ("custom_auth_code", AUTH_CODE),
        ("custom_auth_token", AUTH_TOKEN),
        ("dev_yn", "N"),
        ("tr_id", "TR-ALONE"),
    ];
    let (status, ct, v) = gs.raw("/bizApi/coupons", &fields).await;
    assert_eq!(status, 200);
    assert!(ct.starts_with("application/json"), "{ct}");
    assert_eq!((&v["code"], &v["message"]), (&json!("0000"), &Value::Null), "{v}");
    let c = &v["result"][0]["couponInfoList"][0];
    assert_eq!(
        (&c["orderNo"], &c["pinNo"]),
        (&sent["result"]["result"]["orderNo"], &sent["result"]["result"]["pinNo"])
    );
    assert_eq!(v, gs.coupon("TR-ALONE").await, "the same answer as with user_id");
    is_refusal(&gs.call("/bizApi/coupons", "0201", &[("tr_id", "TR-ALONE"), ("user_id", "someone")]).await, "ERR0300");
    let mut unknown = fields;
    unknown[4] = ("tr_id", "TR-NEVER");
    is_refusal(&gs.raw("/bizApi/coupons", &unknown).await.2, "ERR0204");
    let mut no_tr_id = fields.to_vec();
    no_tr_id.pop();
    is_refusal(&gs.raw("/bizApi/coupons", &no_tr_id).await.2, "ERR0201");
    let cancel = [("api_code", "0202"), ("custom_auth_code", AUTH_CODE), ("custom_auth_token", AUTH_TOKEN)];
    let cancel = [&cancel[..], &[("dev_yn", "N"), ("tr_id", "TR-ALONE")]].concat();
    // The other account operations still need it.
    is_refusal(&gs.raw("/bizApi/cancel", &cancel).await.2, "ERR0201");
}

#[tokio::test]
async fn credentials_in_headers_are_accepted_and_a_form_field_wins_over_its_header() {
    let gs = Gs::start().await;
    let headers = [("custom_auth_code", AUTH_CODE), ("custom_auth_token", AUTH_TOKEN), ("dev_flag", "N")];
    let (status, _, v) = gs.raw_with("/bizApi/bizmoney", &headers, &[("api_code", "0301"), ("user_id", USER_ID)]).await;
    assert_eq!(status, 200);
    assert_eq!(v["result"]["balance"], START.to_string(), "{v}");
    let send = [
        ("api_code", "0204"),
        ("user_id", USER_ID),
        ("goods_code", AMERICANO),
        ("tr_id", "TR-HEAD"),
        ("gubun", "Y"),
        ("phone_no", "01012345678"),
    ];
    let (_, _, v) = gs.raw_with("/bizApi/send", &headers, &send).await;
    assert_eq!(pin_of(&v).len(), 12, "{v}");
    assert_eq!(gs.balance().await, START - AMERICANO_PRICE, "dev_flag N is a production send");

    let test = [("custom_auth_code", AUTH_CODE), ("custom_auth_token", AUTH_TOKEN), ("dev_flag", "Y")];
    let mut send_dev = send;
    send_dev[3] = ("tr_id", "TR-HEAD-DEV");
    assert_eq!(pin_of(&gs.raw_with("/bizApi/send", &test, &send_dev).await.2).len(), 12);
    assert_eq!(gs.balance().await, START - AMERICANO_PRICE, "dev_flag Y is a test send");
    let items = gs.admin_get("issued").await;
    assert_eq!((&items["items"][0]["test"], &items["items"][1]["test"]), (&json!(false), &json!(true)));

    // Form and header both: the form wins, whichever of them is right.
    let wrong = [("custom_auth_code", "REALsomeoneelse00001"), ("custom_auth_token", "d3Jvbmc="), ("dev_flag", "X")];
    let good_form = [
        ("api_code", "0301"),
        ("user_id", USER_ID),
        ("custom_auth_code", AUTH_CODE),
        ("custom_auth_token", AUTH_TOKEN),
    ];
    let (_, _, v) = gs.raw_with("/bizApi/bizmoney", &wrong, &[&good_form[..], &[("dev_yn", "N")]].concat()).await;
    assert_eq!(v["code"], "0000", "the form's credentials and dev_yn win: {v}");
    // A header stands in for a lacking field.
    is_refusal(&gs.raw_with("/bizApi/bizmoney", &wrong, &good_form).await.2, "E0013");
    let wrong_form = [("api_code", "0301"), ("user_id", USER_ID), ("dev_yn", "N"), ("custom_auth_token", "d3Jvbmc=")];
    let (_, _, v) = gs.raw_with("/bizApi/bizmoney", &headers, &wrong_form).await;
    is_refusal(&v, "E0009");
    let mut dev_form = send_dev;
    dev_form[3] = ("tr_id", "TR-HEAD-FORM");
    let (_, _, v) = gs.raw_with("/bizApi/send", &test, &[&dev_form[..], &[("dev_yn", "N")]].concat()).await;
    assert_eq!(pin_of(&v).len(), 12);
    assert_eq!(gs.balance().await, START - 2 * AMERICANO_PRICE, "the form's dev_yn N over the header's Y");
    let blank = [("api_code", "0301"), ("user_id", USER_ID), ("custom_auth_code", ""), ("dev_yn", " ")];
    assert_eq!(gs.raw_with("/bizApi/bizmoney", &headers, &blank).await.2["code"], "0000", "a blank field is lacking");

    is_refusal(&gs.raw_with("/bizApi/bizmoney", &[("custom_auth_code", AUTH_CODE)], &[]).await.2, "E0012");
    let form_only = gs.call("/bizApi/bizmoney", "0301", &[]).await;
    assert_eq!(form_only["code"], "0000", "the form fields alone still do");
}

#[tokio::test]
async fn goods_carry_the_company_affiliate_and_extra_notice_fields_in_list_and_detail() {
    let gs = Gs::start().await;
    let v = gs.call("/bizApi/goods", "0101", &[("start", "1"), ("size", "100")]).await;
    let list = v["result"]["goodsList"].as_array().unwrap();
    assert_eq!(list.len(), 9);
    for g in list {
        let code = g["goodsCode"].as_str().unwrap();
        for key in ["contentAddDesc", "goodsComId", "goodsComName", "affiliateId"] {
            assert!(g[key].as_str().is_some_and(|s| !s.is_empty()), "{code}: {key}");
        }
        assert!(
            g["goodsComId"].as_str().unwrap().starts_with("GC") && g["affiliateId"].as_str().unwrap().starts_with("AF")
        );
        assert!(
            g["category1Seq"].is_number() && g.get("categorySeq1").is_none(),
            "{code}: the list spells category1Seq"
        );
        assert!(g.get("goodsTypeCd").is_none(), "{code}: goodsTypeCd is the detail's");

        let d = gs.call(&format!("/bizApi/goods/{code}"), "0111", &[]).await["result"]["goodsDetail"].clone();
        for key in ["contentAddDesc", "goodsComId", "goodsComName", "affiliateId", "affiliate", "endDate"] {
            assert_eq!(d[key], g[key], "{code}: {key}");
        }
        assert_eq!(d["categorySeq1"], g["category1Seq"], "{code}");
        assert!(d.get("category1Seq").is_none(), "{code}: the detail spells categorySeq1");
        let type_cd = if g["goodsTypeNm"] == "금액권" { "AMNT" } else { "GNRL" };
        assert_eq!(d["goodsTypeCd"], type_cd, "{code}");
        for key in
            ["goldPrice", "vipPrice", "platinumPrice", "goldDiscountRate", "vipDiscountRate", "platinumDiscountRate"]
        {
            assert!(!d[key].is_null(), "{code}: {key}");
        }
    }
    let cu = gs.call(&format!("/bizApi/goods/{CU_10000}"), "0111", &[]).await;
    assert_eq!(cu["result"]["goodsDetail"]["goodsTypeCd"], "AMNT");
    assert_eq!(cu["result"]["goodsDetail"]["goodsComName"], "(주)비지에프리테일");
}

/// An ISO date the emulator writes (`YYYY-MM-DDTHH:MM:SS.mmm+0000`, in UTC), as a moment
/// in KST.
fn kst_of(iso: &Value) -> chrono::DateTime<chrono::FixedOffset> {
    let s = iso.as_str().unwrap_or_else(|| panic!("{iso} is not text"));
    assert!(s.len() == 28 && s.is_char_boundary(19) && &s[10..11] == "T" && &s[19..20] == ".", "{s}");
    assert!(s.ends_with("+0000"), "{s}: written in UTC");
    let t = chrono::DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.3f%z").unwrap_or_else(|e| panic!("{s}: {e}"));
    t.with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).unwrap())
}

#[tokio::test]
async fn the_iso_variant_writes_utc_dates_that_fall_on_the_same_kst_day_as_the_compact_ones() {
    let gs = Gs::start().await;
    gs.send("TR-ISO", &[]).await;
    let pin = pin_of(&gs.send("TR-ISO-USED", &[]).await);
    let req = RedeemRequest::new("giftishow", &pin).at("2026-03-01 05:04:03");
    gs.sandbox.admin().redeem_with(&req).await.unwrap();
    let compact = gs.coupon("TR-ISO").await["result"][0]["couponInfoList"][0].clone();
    let compact_goods = gs.call("/bizApi/goods", "0101", &[("size", "100")]).await["result"]["goodsList"].clone();
    let compact_detail = gs.call(&format!("/bizApi/goods/{NOT_ON_SALE}"), "0111", &[]).await;
    assert_eq!(compact_detail["result"]["goodsDetail"]["endDate"], "20250228");

    assert_eq!(gs.variant(json!({"dates": "iso"})).await["dates"], "iso");
    let iso = gs.coupon("TR-ISO").await["result"][0]["couponInfoList"][0].clone();
    let end = kst_of(&iso["validPrdEndDt"]);
    assert_eq!(end.format("%Y%m%d").to_string(), compact["validPrdEndDt"].as_str().unwrap(), "the same KST day");
    assert_eq!(end.format("%H:%M:%S").to_string(), "00:00:00", "the KST midnight that starts it");
    assert!(iso["validPrdEndDt"].as_str().unwrap().ends_with("T15:00:00.000+0000"), "{}", iso["validPrdEndDt"]);
    let changed = kst_of(&iso["correcDtm"]);
    assert_eq!(changed.format("%Y%m%d%H%M%S").to_string(), compact["correcDtm"].as_str().unwrap(), "the same moment");
    for key in ["pinNo", "orderNo", "pinStatusCd", "sellPriceAmt", "goodsCd"] {
        assert_eq!(iso[key], compact[key], "{key} does not change");
    }
    let used = gs.coupon("TR-ISO-USED").await["result"][0]["couponInfoList"][0].clone();
    assert_eq!(used["correcDtm"], "2026-02-28T20:04:03.000+0000", "05:04:03 KST is the evening before in UTC");

    let goods = gs.call("/bizApi/goods", "0101", &[("size", "100")]).await["result"]["goodsList"].clone();
    for (g, c) in goods.as_array().unwrap().iter().zip(compact_goods.as_array().unwrap()) {
        assert_eq!(kst_of(&g["endDate"]).format("%Y%m%d").to_string(), c["endDate"].as_str().unwrap(), "{g}");
    }
    let americano = goods.as_array().unwrap().iter().find(|g| g["goodsCode"] == AMERICANO).unwrap();
    assert_eq!(americano["endDate"], "2099-12-30T15:00:00.000+0000", "the sample's form: the day 2099-12-31 in KST");
    let detail = gs.call(&format!("/bizApi/goods/{NOT_ON_SALE}"), "0111", &[]).await;
    assert_eq!(detail["result"]["goodsDetail"]["endDate"], "2025-02-27T15:00:00.000+0000");
    assert_eq!(refused_send(&gs.send("TR-ISO-STOPPED", &[("goods_code", NOT_ON_SALE)]).await), "ERR9005");

    gs.variant(json!({"dates": "compact"})).await;
    assert_eq!(gs.coupon("TR-ISO").await["result"][0]["couponInfoList"][0], compact, "back to the compact form");
}

#[tokio::test]
async fn legacy_codes_answer_the_emulators_earlier_codes() {
    let gs = Gs::start().await;
    let v = gs.variant(json!({"codes": "legacy"})).await;
    assert_eq!((&v["codes"], &v["dates"]), (&json!("legacy"), &json!("compact")));
    let legacy_auth = "인증키 정보가 올바르지 않습니다.";
    for creds in [
        vec![("custom_auth_token", "d3Jvbmc=")],
        vec![("custom_auth_code", "REALsomeoneelse00001")],
        vec![("custom_auth_code", "")],
        vec![("custom_auth_token", "")],
    ] {
        let v = gs.call("/bizApi/bizmoney", "0301", &creds).await;
        is_refusal(&v, "E0006");
        assert_eq!(v["message"], legacy_auth, "{creds:?}");
    }
    is_refusal(&gs.call("/bizApi/bizmoney", "", &[]).await, "ERR9001");
    is_refusal(&gs.call("/bizApi/bizmoney", "0101", &[]).await, "ERR9001");
    is_refusal(&gs.call("/bizApi/brands", "0103", &[]).await, "ERR9001");
    is_refusal(&gs.call("/bizApi/bizmoney", "0301", &[("dev_yn", "")]).await, "ERR9002");
    is_refusal(&gs.call("/bizApi/bizmoney", "0301", &[("user_id", "")]).await, "ERR9002");
    is_refusal(&gs.call("/bizApi/bizmoney", "0301", &[("user_id", "someone")]).await, "ERR9003");
    is_refusal(&gs.call("/bizApi/goods", "0101", &[("start", "0")]).await, "ERR9002");
    is_refusal(&gs.call("/bizApi/coupons", "0201", &[]).await, "ERR9002");
    is_refusal(&gs.call("/bizApi/goods/G00000000000", "0111", &[]).await, "ERR9004");
    assert_eq!(refused_send(&gs.send("TR-L1", &[("goods_code", "G00000000000")]).await), "ERR9004");
    assert_eq!(refused_send(&gs.send("TR-L2", &[("gubun", "X")]).await), "ERR9002");
    assert_eq!(refused_send(&gs.send("TR-L3", &[("mms_title", "가나다라마바사아자차카")]).await), "ERR9006");
    assert_eq!(refused_send(&gs.send(&"T".repeat(26), &[]).await), "ERR9007");
    assert_eq!(refused_send(&gs.send("TR-L4", &[("callback_no", "1588-0000")]).await), "ERR9008", "unchanged");

    gs.send("TR-L-CANCEL", &[]).await;
    gs.call("/bizApi/cancel", "0202", &[("tr_id", "TR-L-CANCEL")]).await;
    let again = gs.call("/bizApi/cancel", "0202", &[("tr_id", "TR-L-CANCEL")]).await;
    is_refusal(&again, "ERR0208");
    assert_eq!(again["message"], "이미 취소된 쿠폰입니다.");
    is_refusal(&gs.call("/bizApi/cancel", "0202", &[("tr_id", "TR-NEVER")]).await, "ERR0212");
    is_refusal(&gs.coupon("TR-NEVER").await, "ERR0204");

    gs.admin_post("send-failures", json!({"count": 1})).await;
    let failed = gs.send("TR-L-FAIL", &[]).await;
    assert_eq!(refused_send(&failed), "ERR9010");
    assert_eq!(inner(&failed)["message"], "쿠폰 발행에 실패하였습니다. (비즈머니 차감)");
    assert_eq!(gs.balance().await, START - AMERICANO_PRICE);
    let refund = gs.call("/bizApi/sendFail/cancel", "0205", &[("tr_id", "TR-L-FAIL")]).await;
    assert_eq!(refund["code"], "0000");
    assert_eq!(gs.balance().await, START);
    is_refusal(&gs.call("/bizApi/sendFail/cancel", "0205", &[("tr_id", "TR-L-FAIL")]).await, "ERR9014");

    let fields = [("api_code", "0201"), ("custom_auth_code", AUTH_CODE), ("custom_auth_token", AUTH_TOKEN)];
    let fields = [&fields[..], &[("dev_yn", "N"), ("tr_id", "TR-L-CANCEL")]].concat();
    assert_eq!(gs.raw("/bizApi/coupons", &fields).await.2["code"], "0000", "0201 needs no user_id in either");

    gs.variant(json!({"codes": "v1.04"})).await;
    is_refusal(&gs.call("/bizApi/bizmoney", "", &[]).await, "E0002");
}

#[tokio::test]
async fn odd_bodies_get_a_vendor_answer_never_a_crash() {
    let gs = Gs::start().await;
    let url = format!("{}/bizApi/send", gs.sandbox.vendor_url("giftishow"));
    for body in [&b"\xff\xfe%%%"[..], b"", b"api_code=0204&&&=&%ZZ", b"{\"json\": true}"] {
        let resp = gs.http.post(&url).body(body.to_vec()).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["code"], "E0011", "{v}");
        assert_eq!(v["result"], Value::Null, "{v}");
    }
    let auth = [("custom_auth_code", AUTH_CODE), ("custom_auth_token", AUTH_TOKEN), ("dev_flag", "N")];
    for body in [&b"\xff\xfe%%%"[..], b"", b"api_code=0204&&&=&%ZZ", b"api_code=0204&user_id=sandbox_biz&tr_id=%FF"] {
        let mut req = gs.http.post(&url).body(body.to_vec());
        for (name, value) in auth {
            req = req.header(name, value);
        }
        let resp = req.header("dev_flag", "Y").send().await.unwrap();
        assert_eq!(resp.status(), 200);
        let v: Value = resp.json().await.unwrap();
        assert!(v["code"].as_str().is_some_and(|c| c != "E0011" && c != "E0012"), "credentials read: {v}");
        let refusal = if v["code"] == "0000" { &v["result"] } else { &v };
        assert_eq!(refusal["result"], Value::Null, "a refusal, inside the send's nesting or not: {v}");
    }
    let odd = reqwest::header::HeaderValue::from_bytes(b"\xed\x95\x9c\xff").unwrap();
    for variant in [json!({"codes": "legacy", "dates": "iso"}), json!({"codes": "v1.04", "top_level": true})] {
        gs.variant(variant).await;
        let resp = gs
            .http
            .post(&url)
            .header("custom_auth_code", odd.clone())
            .header("custom_auth_token", odd.clone())
            .header("dev_flag", odd.clone())
            .body(&b"\xff\xfe%%%&api_code=0204"[..])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let v: Value = resp.json().await.unwrap();
        assert!(["E0011", "E0006"].contains(&v["code"].as_str().unwrap()), "{v}");
    }
}

#[tokio::test]
async fn issued_lists_every_coupon_oldest_first_by_tr_id() {
    let gs = Gs::start().await;
    let a = gs.send("TR-A", &[]).await;
    gs.send("TR-B", &[("gubun", "N"), ("dev_yn", "Y")]).await;
    gs.call("/bizApi/cancel", "0202", &[("tr_id", "TR-A")]).await;
    let items = gs.sandbox.admin().issued("giftishow").await.unwrap();
    let refs: Vec<_> = items.iter().map(|i| i.partner_ref.clone().unwrap()).collect();
    assert_eq!(refs, ["TR-A", "TR-B"]);
    assert_eq!(items[0].order, a["result"]["result"]["orderNo"].as_str().unwrap());
    assert!(items[0].order.ends_with("00000001") && items[1].order.ends_with("00000002"), "{items:?}");
    assert!(items[0].cancelled && !items[1].cancelled);
    assert_eq!(items[0].details["state"], "07");
    assert_eq!(items[0].details["pin"], a["result"]["result"]["pinNo"]);
    assert_eq!((&items[0].details["test"], &items[1].details["test"]), (&json!(false), &json!(true)));
    assert_eq!(items[1].details["goods_code"], AMERICANO);
    assert!(items[1].details["issued_at"].is_string());
}

#[tokio::test]
async fn the_variant_route_refuses_unknown_fields_and_reset_restores_everything() {
    let gs = Gs::start().await;
    let admin = gs.sandbox.admin();
    for bad in [
        json!({"colour": "red"}),
        json!({"tr_id_limit": 30}),
        json!({"brand_codes": "0105/0106"}),
        json!({"codes": "v1.05"}),
        json!({"dates": "rfc3339"}),
    ] {
        match admin.vendor_post("giftishow", "variant", &bad).await {
            Err(SandboxError::Admin { status: 400, .. }) => {}
            other => panic!("{bad}: {other:?}"),
        }
    }
    let all = json!({"brand_codes": "0103/0104", "goods_detail_code": "0102", "send_path": "coupon",
                     "mms_title_limit": 20, "tr_id_limit": 20, "top_level": true, "codes": "legacy", "dates": "iso"});
    assert_eq!(gs.variant(all.clone()).await, all);
    assert_eq!(gs.admin_get("variant").await, all);
    gs.send_on("/coupon/send", "TR-RESET", &[]).await;
    gs.admin_post("send-failures", json!({"count": 3})).await;

    admin.reset().await.unwrap();
    let defaults = json!({"brand_codes": "0102/0112", "goods_detail_code": "0111", "send_path": "bizApi",
                          "mms_title_limit": 10, "tr_id_limit": 25, "top_level": false,
                          "codes": "v1.04", "dates": "compact"});
    assert_eq!(gs.admin_get("variant").await, defaults);
    assert_eq!(gs.balance().await, START);
    assert!(admin.issued("giftishow").await.unwrap().is_empty());
    assert_eq!(gs.admin_get("send-failures").await["pending"], 0);
    assert_eq!(pin_of(&gs.send("TR-RESET", &[]).await).len(), 12, "the tr_id is forgotten");
}

#[tokio::test]
async fn the_variant_patch_refuses_unknown_codes_and_dates_and_changes_nothing() {
    let gs = Gs::start().await;
    let admin = gs.sandbox.admin();
    let before = gs.admin_get("variant").await;
    assert_eq!((&before["codes"], &before["dates"]), (&json!("v1.04"), &json!("compact")));
    for bad in [
        json!({"codes": "v1.05"}),
        json!({"codes": "LEGACY"}),
        json!({"codes": ""}),
        json!({"codes": 104}),
        json!({"dates": "rfc3339"}),
        json!({"dates": "ISO"}),
        json!({"dates": true}),
        json!({"codes": "legacy", "dates": "utc"}),
        json!({"code": "legacy"}),
    ] {
        match admin.vendor_post("giftishow", "variant", &bad).await {
            Err(SandboxError::Admin { status: 400, .. }) => {}
            other => panic!("{bad}: {other:?}"),
        }
    }
    assert_eq!(gs.admin_get("variant").await, before, "a refused patch changes nothing");
    let v = gs.variant(json!({"codes": "legacy"})).await;
    assert_eq!((&v["codes"], &v["dates"]), (&json!("legacy"), &json!("compact")), "a patch changes what it names");
    let v = gs.variant(json!({"dates": "iso"})).await;
    assert_eq!((&v["codes"], &v["dates"]), (&json!("legacy"), &json!("iso")));
}
