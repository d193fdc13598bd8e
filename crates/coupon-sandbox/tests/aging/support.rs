//! Raw vendor clients for the ageing tests: just enough of each document to issue,
//! look up and cancel.

use std::time::Duration;

use coupon_sandbox::vendors::{giftimbiz, giftishow, giftletter};
use coupon_sandbox::{RunningSandbox, Sandbox};
use serde_json::{Value, json};

pub fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(10)).build().unwrap()
}

pub async fn sandbox() -> RunningSandbox {
    Sandbox::start().await.expect("sandbox starts")
}

/// `POST /_sandbox/age` with a raw JSON body: the status and the answer.
pub async fn age_raw(sandbox: &RunningSandbox, body: Value) -> (u16, Value) {
    let resp = http().post(format!("{}/_sandbox/age", sandbox.base_url())).json(&body).send().await.unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

/// Giftletter, signed as its document says.
pub struct Giftletter<'a>(pub &'a RunningSandbox);

fn md5_hex(s: &str) -> String {
    use md5::{Digest, Md5};
    Md5::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn enc(parts: &[&str]) -> String {
    md5_hex(&format!("{}{}{}", giftletter::credentials::AUTH_KEY, giftletter::credentials::CID, parts.concat()))
}

impl Giftletter<'_> {
    async fn get(&self, path_and_query: &str) -> (u16, Vec<u8>) {
        let resp = http().get(format!("{}{path_and_query}", self.0.vendor_url("giftletter"))).send().await.unwrap();
        (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
    }

    async fn json(&self, path_and_query: &str) -> Value {
        let (status, body) = self.get(path_and_query).await;
        assert_eq!(status, 200, "{path_and_query}");
        serde_json::from_slice(&body).unwrap()
    }

    /// Issues goods 0000000582 under `co_tid`: its order id.
    pub async fn issue(&self, co_tid: &str) -> String {
        let (cid, goods) = (giftletter::credentials::CID, "0000000582");
        let q = format!(
            "/SendEPin?cid={cid}&enc={}&goods_id={goods}&count=1&title=t&content=c&mdn=010-1234-5678&receive_tel=1588-1234&co_tid={co_tid}",
            enc(&[goods, co_tid])
        );
        let v = self.json(&q).await;
        assert_eq!(v["rstCode"], "0", "{v}");
        v["order_id"].as_str().unwrap().to_owned()
    }

    pub async fn status(&self, order_id: &str) -> Value {
        let cid = giftletter::credentials::CID;
        self.json(&format!("/StatusSendEPin?cid={cid}&enc={}&order_id={order_id}", enc(&[order_id]))).await
    }

    pub async fn cancel(&self, order_id: &str) -> Value {
        let cid = giftletter::credentials::CID;
        self.json(&format!("/CancelSendEPin?cid={cid}&enc={}&order_id={order_id}", enc(&[order_id]))).await
    }

    /// The day's report, decoded from EUC-KR, one entry per line.
    pub async fn exchange_daily(&self, day: &str) -> Vec<String> {
        let cid = giftletter::credentials::CID;
        let (status, body) = self.get(&format!("/mn_compare/ExchangeDaily.aspx?cid={cid}&dt={day}")).await;
        assert_eq!(status, 200);
        let (text, _, bad) = encoding_rs::EUC_KR.decode(&body);
        assert!(!bad, "EUC-KR");
        text.lines().map(str::to_owned).collect()
    }
}

/// Giftishow, form POSTs with the sandbox's credentials.
pub struct Giftishow<'a>(pub &'a RunningSandbox);

impl Giftishow<'_> {
    pub async fn call(&self, path: &str, api_code: &str, extra: &[(&str, &str)]) -> Value {
        use giftishow::credentials::{AUTH_CODE, AUTH_TOKEN, USER_ID};
        let mut fields = vec![
            ("api_code", api_code),
            ("custom_auth_code", AUTH_CODE),
            ("custom_auth_token", AUTH_TOKEN),
            ("dev_yn", "N"),
            ("user_id", USER_ID),
        ];
        fields.extend_from_slice(extra);
        let url = format!("{}/bizApi{path}", self.0.vendor_url("giftishow"));
        http().post(url).form(&fields).send().await.unwrap().json().await.unwrap()
    }

    /// Sends `goods` by MMS (`gubun` `N`, production) under `tr_id`.
    pub async fn send(&self, tr_id: &str, goods: &str) {
        let fields = [
            ("goods_code", goods),
            ("tr_id", tr_id),
            ("phone_no", "01012345678"),
            ("callback_no", "15880000"),
            ("mms_title", "선물 도착"),
            ("mms_msg", "선물입니다."),
            ("gubun", "N"),
        ];
        let v = self.call("/send", "0204", &fields).await;
        assert_eq!(v["result"]["code"], "0000", "{v}");
    }

    /// The coupon's CouponInfo (0201).
    pub async fn detail(&self, tr_id: &str) -> Value {
        let v = self.call("/coupons", "0201", &[("tr_id", tr_id)]).await;
        assert_eq!(v["code"], "0000", "{v}");
        v["result"][0]["couponInfoList"][0].clone()
    }

    pub async fn cancel(&self, tr_id: &str) -> Value {
        self.call("/cancel", "0202", &[("tr_id", tr_id)]).await
    }

    pub async fn resend(&self, tr_id: &str) -> Value {
        self.call("/resend", "0203", &[("tr_id", tr_id), ("sms_flag", "N")]).await
    }
}

/// GiftiMbiz with a fresh token.
pub struct Giftimbiz<'a> {
    sandbox: &'a RunningSandbox,
    token: String,
}

impl<'a> Giftimbiz<'a> {
    pub async fn new(sandbox: &'a RunningSandbox) -> Self {
        use giftimbiz::credentials::{PARTNER_KEY, PARTNER_TOKEN, REFRESH_TOKEN};
        let v: Value = http()
            .post(Self::url(sandbox, "common/getAccessToken", &[]))
            .header("Partnerkey", PARTNER_KEY)
            .header("Partnertoken", PARTNER_TOKEN)
            .header("x-refresh-token", REFRESH_TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Self { sandbox, token: v["token"].as_str().expect("a token").to_owned() }
    }

    fn url(sandbox: &RunningSandbox, path: &str, query: &[(&str, &str)]) -> String {
        let mut url = url::Url::parse(&format!("{}/api/v1/{path}", sandbox.vendor_url("giftimbiz"))).unwrap();
        url.query_pairs_mut().append_pair("partner_id", giftimbiz::credentials::PARTNER_ID).extend_pairs(query);
        url.to_string()
    }

    pub async fn call(&self, path: &str, body: &[(&str, &str)]) -> Value {
        use giftimbiz::credentials::{PARTNER_KEY, PARTNER_TOKEN, REFRESH_TOKEN};
        http()
            .post(Self::url(self.sandbox, path, &[]))
            .header("Access-Token", &self.token)
            .header("Refresh-Token", REFRESH_TOKEN)
            .header("Partnerkey", PARTNER_KEY)
            .header("Partnertoken", PARTNER_TOKEN)
            .form(body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Buys `n` fresh sales at 1,000 won, one purchase each: their `tid`s.
    pub async fn buy(&self, n: usize) -> Vec<String> {
        let admin = self.sandbox.admin();
        let added = admin.vendor_post("giftimbiz", "listings", &json!({"count": n, "price": 1000})).await.unwrap();
        let mut tids = Vec::new();
        for md in added["md_idx"].as_array().unwrap() {
            let md = md.to_string();
            let v = self.call("giftimbiz/buyGifticoupon", &[("cash", "1000"), ("md_idx", &md), ("product", "p")]).await;
            assert_eq!(v["result"], "0000", "{v}");
            tids.push(v["tid"].as_str().unwrap().to_owned());
        }
        tids
    }

    /// buyGifticonList's item of `tid`.
    pub async fn listed(&self, tid: &str) -> Value {
        let v = self.call("giftimbiz/buyGifticonList", &[]).await;
        v["list"].as_array().unwrap().iter().find(|i| i["tid"] == tid).cloned().expect("listed")
    }
}
