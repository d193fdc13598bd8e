//! The GiftiMbiz emulator as a raw HTTP client sees it: token rules, parameter
//! placement, the document's JSON drift, buying, and a QR image that really decodes.

use coupon_sandbox::vendors::giftimbiz::credentials::{
    PARTNER_ID as GIFTIMBIZ_PARTNER_ID, PARTNER_KEY as GIFTIMBIZ_PARTNER_KEY, PARTNER_TOKEN as GIFTIMBIZ_PARTNER_TOKEN,
    REFRESH_TOKEN as GIFTIMBIZ_REFRESH_TOKEN,
};
use coupon_sandbox::{RunningSandbox, Sandbox};
use serde_json::{Value, json};

struct Vendor {
    sandbox: RunningSandbox,
    http: reqwest::Client,
}

impl Vendor {
    async fn start() -> Self {
        Self { sandbox: Sandbox::start().await.expect("sandbox starts"), http: reqwest::Client::new() }
    }

    fn url(&self, path: &str, partner: &str, query: &[(&str, &str)]) -> String {
        let mut url = url::Url::parse(&format!("{}/api/v1/{path}", self.sandbox.vendor_url("giftimbiz"))).unwrap();
        url.query_pairs_mut().append_pair("partner_id", partner).extend_pairs(query);
        url.to_string()
    }

    async fn token_with(&self, partner: &str, key: &str, ptoken: &str, refresh: Option<&str>) -> Value {
        let mut req = self
            .http
            .post(self.url("common/getAccessToken", partner, &[]))
            .header("Partnerkey", key)
            .header("Partnertoken", ptoken);
        if let Some(r) = refresh {
            req = req.header("x-refresh-token", r);
        }
        req.send().await.unwrap().json().await.unwrap()
    }

    async fn token(&self, partner: &str) -> String {
        let v = self
            .token_with(partner, GIFTIMBIZ_PARTNER_KEY, GIFTIMBIZ_PARTNER_TOKEN, Some(GIFTIMBIZ_REFRESH_TOKEN))
            .await;
        assert_eq!(v["result"], json!(0), "{v}");
        v["token"].as_str().unwrap().to_owned()
    }

    async fn call(
        &self,
        path: &str,
        partner: &str,
        token: &str,
        query: &[(&str, &str)],
        body: &[(&str, &str)],
    ) -> Value {
        self.http
            .post(self.url(path, partner, query))
            .header("Access-Token", token)
            .header("Refresh-Token", GIFTIMBIZ_REFRESH_TOKEN)
            .header("Partnerkey", GIFTIMBIZ_PARTNER_KEY)
            .header("Partnertoken", GIFTIMBIZ_PARTNER_TOKEN)
            .form(body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn token_refusals_follow_the_code_table() {
    let v = Vendor::start().await;
    let (k, t, r) = (GIFTIMBIZ_PARTNER_KEY, GIFTIMBIZ_PARTNER_TOKEN, GIFTIMBIZ_REFRESH_TOKEN);
    assert_eq!(v.token_with("nobody", k, t, Some(r)).await["result"], "TOKEN04");
    assert_eq!(v.token_with(GIFTIMBIZ_PARTNER_ID, "wrong", t, Some(r)).await["result"], "TOKEN06");
    assert_eq!(v.token_with(GIFTIMBIZ_PARTNER_ID, k, "wrong", Some(r)).await["result"], "TOKEN04");
    assert_eq!(v.token_with(GIFTIMBIZ_PARTNER_ID, k, t, None).await["result"], "TOKEN02");
    assert_eq!(v.token_with(GIFTIMBIZ_PARTNER_ID, k, t, Some("wrong")).await["result"], "TOKEN05");
    let refused = v.token_with(GIFTIMBIZ_PARTNER_ID, k, t, Some("wrong")).await;
    assert_eq!(refused["msg"], "리프레시 토큰값이 등록된 내용과 다릅니다.");

    let token = v.token(GIFTIMBIZ_PARTNER_ID).await;
    let q = [("site", "gift")];
    assert_eq!(v.call("giftimbiz/listAll", GIFTIMBIZ_PARTNER_ID, "", &q, &[]).await["result"], "TOKEN01");
    assert_eq!(v.call("giftimbiz/listAll", GIFTIMBIZ_PARTNER_ID, "forged", &q, &[]).await["result"], "TOKEN08");
    assert_eq!(v.call("giftimbiz/listAll", "devtest1", &token, &q, &[]).await["result"], "Z");
    assert_eq!(v.call("giftimbiz/listAll", GIFTIMBIZ_PARTNER_ID, &token, &q, &[]).await["result"], "0000");

    let admin = format!("{}/_sandbox/giftimbiz", v.sandbox.base_url());
    let expired: Value = v.http.post(format!("{admin}/expire-tokens")).send().await.unwrap().json().await.unwrap();
    assert_eq!(expired["code"], "TOKEN07");
    assert_eq!(v.call("giftimbiz/listAll", GIFTIMBIZ_PARTNER_ID, &token, &q, &[]).await["result"], "TOKEN07");
    v.http.post(format!("{admin}/expire-tokens")).body(r#"{"code":"T1"}"#).send().await.unwrap();
    assert_eq!(v.call("giftimbiz/listAll", GIFTIMBIZ_PARTNER_ID, &token, &q, &[]).await["result"], "T1");
    let bad = v.http.post(format!("{admin}/expire-tokens")).body(r#"{"code":"X"}"#).send().await.unwrap();
    assert_eq!(bad.status(), 400);

    v.http.post(format!("{admin}/token-lifetime")).body(r#"{"seconds":0}"#).send().await.unwrap();
    let short = v.token(GIFTIMBIZ_PARTNER_ID).await;
    assert_eq!(v.call("giftimbiz/listAll", GIFTIMBIZ_PARTNER_ID, &short, &q, &[]).await["result"], "T1");
}

#[tokio::test]
async fn listings_drift_between_strings_and_numbers_and_page_with_is_next() {
    let v = Vendor::start().await;
    let token = v.token(GIFTIMBIZ_PARTNER_ID).await;
    let p = GIFTIMBIZ_PARTNER_ID;
    let page = v.call("giftimbiz/listAll", p, &token, &[("site", "gift"), ("limit", "10")], &[]).await;
    assert_eq!(page["result"], "0000");
    assert_eq!(page["total_count"], json!(31));
    assert_eq!(page["isNext"], "true");
    let item = &page["list"][0];
    assert!(item["sell_price1"].is_string() && item["md_idx"].is_string(), "{item}");
    assert!(item["percentage"].is_number(), "{item}");
    let last = v.call("giftimbiz/listAll", p, &token, &[("site", "gift"), ("page", "4")], &[]).await;
    assert_eq!(last["isNext"], "false");
    assert_eq!(last["list"].as_array().unwrap().len(), 1);
    // `site` is required, and parameters marked `query` are not read from the body.
    assert_eq!(v.call("giftimbiz/listAll", p, &token, &[], &[("site", "gift")]).await["result"], "Q");
    let cheap = v
        .call("giftimbiz/listAll", p, &token, &[("site", "gift"), ("price", "1000"), ("orderby", "priceL")], &[])
        .await;
    let prices: Vec<u64> =
        cheap["list"].as_array().unwrap().iter().map(|i| i["disprice"].as_str().unwrap().parse().unwrap()).collect();
    assert!(!prices.is_empty() && prices.iter().all(|p| *p <= 1000) && prices.is_sorted(), "{prices:?}");
    let found = v.call("giftimbiz/listAll", p, &token, &[("site", "gift"), ("word", "초코에몽")], &[]).await;
    assert_eq!(found["list"][0]["md_idx"], "18411");

    // giftDetail reads its parameters from the body and answers numbers.
    let detail = v.call("giftimbiz/giftDetail", p, &token, &[], &[("CODE", "2576"), ("DCODE", "14560")]).await;
    assert_eq!(detail["detail"]["DCODE"], json!(14560));
    assert_eq!(detail["detail"]["product"], "매일)페레로로쉐3구");
    let misplaced = v.call("giftimbiz/giftDetail", p, &token, &[("CODE", "2576"), ("DCODE", "14560")], &[]).await;
    assert_eq!(misplaced["result"], "Q");

    // The document's starDetail answer has no `result`.
    let star = v.call("giftimbiz/starDetail", p, &token, &[], &[("CODE", "1350"), ("CCODE", "188")]).await;
    assert!(star.get("result").is_none(), "{star}");
    assert_eq!(star["detail"]["ms_name"], "너랑나랑분식");
}

#[tokio::test]
async fn buying_checks_amount_sale_and_duplicates_and_devtest1_records_nothing() {
    let v = Vendor::start().await;
    let token = v.token(GIFTIMBIZ_PARTNER_ID).await;
    let p = GIFTIMBIZ_PARTNER_ID;
    let buy = |cash: &'static str, md: &'static str| [("cash", cash), ("md_idx", md), ("product", "초코에몽")];
    // 18411 has 90 days left: sell_price1 = 940.
    assert_eq!(v.call("giftimbiz/buyGifticoupon", p, &token, &[], &buy("930", "18411")).await["result"], "PL");
    assert_eq!(v.call("giftimbiz/buyGifticoupon", p, &token, &[], &buy("940", "99999")).await["result"], "PD");
    let ok = v.call("giftimbiz/buyGifticoupon", p, &token, &[], &buy("940", "18411")).await;
    assert_eq!(ok["result"], "0000", "{ok}");
    assert_eq!(v.call("giftimbiz/buyGifticoupon", p, &token, &[], &buy("940", "18411")).await["result"], "PPA");
    let history = v.call("giftimbiz/buyGifticonList", p, &token, &[], &[]).await;
    assert_eq!(history["list"][0]["tid"], ok["tid"]);
    assert_eq!(history["list"][0]["md_idx"], "18411");

    let test_token = v.token("devtest1").await;
    // 14560 has 59 days left: sell_price2 = 1700.
    let t = v.call("giftimbiz/buyGifticoupon", "devtest1", &test_token, &[], &buy("1700", "14560")).await;
    assert_eq!(t["result"], "0000");
    assert_eq!(v.call("giftimbiz/buyGifticonList", "devtest1", &test_token, &[], &[]).await["total_count"], json!(0));
}

#[tokio::test]
async fn a_bought_starcoupon_has_a_decodable_qr_image_and_is_used_with_its_manage_code() {
    let v = Vendor::start().await;
    let token = v.token(GIFTIMBIZ_PARTNER_ID).await;
    let p = GIFTIMBIZ_PARTNER_ID;
    // Buy parameters are `query` in the document.
    let q =
        [("cash", "12000"), ("md_idx", "1352"), ("product", "연어덮밥 1인분"), ("msl_idx", "190"), ("msc_idx", "3001")];
    assert_eq!(v.call("giftimbiz/buyStarcoupon", p, &token, &[], &q).await["result"], "Q");
    let bought = v.call("giftimbiz/buyStarcoupon", p, &token, &q, &[]).await;
    assert_eq!(bought["result"], "0000", "{bought}");
    let tid = bought["tid"].as_str().unwrap().to_owned();
    let list = v.call("giftimbiz/buyStarcouponList", p, &token, &[("md", "1352")], &[]).await;
    let item = &list["data"]["list"][0];
    assert_eq!(item["tid"], tid.as_str());
    assert_eq!(list["data"]["Totalbuyprice"], json!(12000));
    let msc = item["msc_idx"].as_str().unwrap().to_owned();

    let qr = v.call("gifticon/getQRImg", p, &token, &[("tid", &tid), ("msc_idx", &msc)], &[]).await;
    let path = qr["data"].as_str().unwrap();
    assert!(path.starts_with("/UPLOAD/qr/"), "{path}");
    let png = v.http.get(format!("{}{path}", v.sandbox.vendor_url("giftimbiz"))).send().await.unwrap();
    assert_eq!(png.headers()["content-type"], "image/png");
    let bytes = png.bytes().await.unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes.to_vec()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    let (w, h) = (info.width as usize, info.height as usize);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[y * w + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, content) = grids[0].decode().unwrap();
    assert_eq!(content, tid);

    let use_q = |code: &'static str| [("msu_idx", "359"), ("msc_idx", msc.as_str()), ("managecode", code)];
    let wrong = v.call("gifticon/setUseStarCoupon", p, &token, &use_q("000000"), &[]).await;
    assert_eq!(wrong["result"], "N");
    let used = v.call("gifticon/setUseStarCoupon", p, &token, &use_q("124482"), &[]).await;
    assert_eq!(used["result"], "0000", "{used}");
    let again = v.call("gifticon/setUseStarCoupon", p, &token, &use_q("124482"), &[]).await;
    assert_eq!(again["result"], "M");
}

#[tokio::test]
async fn odd_requests_are_answered_not_panicked_on() {
    let v = Vendor::start().await;
    let token = v.token(GIFTIMBIZ_PARTNER_ID).await;
    let p = GIFTIMBIZ_PARTNER_ID;
    for (path, query) in [
        ("giftimbiz/listAll", vec![("site", "gift"), ("page", "-1")]),
        ("giftimbiz/listAll", vec![("site", "gift"), ("limit", "99999999999999999999")]),
        ("giftimbiz/listAll", vec![("site", "gift"), ("orderby", "nope")]),
        ("giftimbiz/starListAll", vec![("site", "gift"), ("page", "0")]),
        ("gifticon/getQRImg", vec![("tid", "x"), ("msc_idx", "y")]),
    ] {
        let answer = v.call(path, p, &token, &query, &[]).await;
        assert!(answer["result"].is_string() && answer["result"] != "0000", "{path}: {answer}");
    }
    let raw = v
        .http
        .post(v.url("giftimbiz/buyGifticoupon", p, &[]))
        .header("Access-Token", &token)
        .header("Refresh-Token", GIFTIMBIZ_REFRESH_TOKEN)
        .header("Partnerkey", GIFTIMBIZ_PARTNER_KEY)
        .header("Partnertoken", GIFTIMBIZ_PARTNER_TOKEN)
        .body(vec![0xff, 0xfe, b'%', b'z', b'&', b'='])
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 200);
    let redeem = v.sandbox.admin().redeem("giftimbiz", "nope", None).await;
    assert!(redeem.is_err());
}
