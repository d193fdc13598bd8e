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
    let issued = v.sandbox.admin().issued("giftimbiz").await.unwrap();
    assert_eq!(issued.len(), 1);
    assert_eq!((issued[0].order.as_str(), issued[0].partner_ref.as_deref()), (tid.as_str(), None));
    assert_eq!(
        (issued[0].details["kind"].as_str(), issued[0].details["md_idx"].clone()),
        (Some("starcoupon"), json!([1352]))
    );
    assert_eq!(issued[0].details["msc_idx"].to_string(), msc);

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

#[tokio::test]
async fn added_listings_sell_like_the_catalog_and_purchases_are_listed_by_order() {
    let v = Vendor::start().await;
    let admin = v.sandbox.admin();
    let token = v.token(GIFTIMBIZ_PARTNER_ID).await;
    let p = GIFTIMBIZ_PARTNER_ID;
    let listed = |page: Value| page["total_count"].as_u64().unwrap();
    let q = [("site", "gift")];
    let before = listed(v.call("giftimbiz/listAll", p, &token, &q, &[]).await);
    assert_eq!(before, 31, "the catalog's sales");

    let added = admin.vendor_post("giftimbiz", "listings", &json!({"count": 40, "price": 1234})).await.unwrap();
    let md: Vec<String> = added["md_idx"].as_array().unwrap().iter().map(|m| m.as_u64().unwrap().to_string()).collect();
    assert_eq!(md.len(), 40);
    assert_eq!(added["listings"][0]["disprice"], "1234");
    assert_eq!(listed(v.call("giftimbiz/listAll", p, &token, &q, &[]).await), before + 40);
    let more = admin.vendor_post("giftimbiz", "listings", &json!({"count": 2})).await.unwrap();
    assert_eq!(more["md_idx"][0].as_u64().unwrap(), md[39].parse::<u64>().unwrap() + 1, "fresh md_idx");
    let detail = v
        .call(
            "giftimbiz/giftDetail",
            p,
            &token,
            &[],
            &[("CODE", added["listings"][0]["gm_idx"].as_str().unwrap()), ("DCODE", &md[0])],
        )
        .await;
    assert_eq!(detail["result"], "0000", "{detail}");

    // One order of two added sales, then a catalog sale (18411: 940 today).
    let two = format!("{}|{}", md[0], md[1]);
    let first = v
        .call("giftimbiz/buyGifticoupon", p, &token, &[], &[("cash", "2468"), ("md_idx", &two), ("product", "x")])
        .await;
    assert_eq!(first["result"], "0000", "{first}");
    let again = v
        .call("giftimbiz/buyGifticoupon", p, &token, &[], &[("cash", "1234"), ("md_idx", &md[0]), ("product", "x")])
        .await;
    assert_eq!(again["result"], "PPA", "each sale sells once");
    let second = v
        .call("giftimbiz/buyGifticoupon", p, &token, &[], &[("cash", "940"), ("md_idx", "18411"), ("product", "x")])
        .await;
    assert_eq!(second["result"], "0000");

    let items = admin.issued("giftimbiz").await.unwrap();
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(
        (items[0].order.as_str(), items[1].order.as_str()),
        (first["tid"].as_str().unwrap(), second["tid"].as_str().unwrap())
    );
    assert!(items.iter().all(|i| i.partner_ref.is_none() && !i.cancelled));
    assert_eq!(items[0].details["md_idx"], json!([md[0].parse::<u64>().unwrap(), md[1].parse::<u64>().unwrap()]));
    assert_eq!((items[0].details["cash"].as_u64(), items[0].details["kind"].as_str()), (Some(2468), Some("gifticon")));
    assert!(items[0].details["bought_at"].as_str().is_some_and(|t| t.len() == 19));

    for bad in [json!({"count": 0}), json!({"count": 1, "price": 0}), json!({"n": 1})] {
        match admin.vendor_post("giftimbiz", "listings", &bad).await {
            Err(coupon_sandbox::SandboxError::Admin { status: 400, .. }) => {}
            other => panic!("{bad}: {other:?}"),
        }
    }
    admin.reset().await.unwrap();
    let token = v.token(GIFTIMBIZ_PARTNER_ID).await;
    assert_eq!(listed(v.call("giftimbiz/listAll", p, &token, &q, &[]).await), before, "a reset removes them");
    assert!(admin.issued("giftimbiz").await.unwrap().is_empty());
}
