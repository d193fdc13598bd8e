//! Bad input is refused before anything is stored or sent, naming the field, the limit and what was
//! given; callers without a key or a scope get 401 and 403; every refusal is a problem document.

use serde_json::{Value, json};

use super::common::{TestServer, body, on_every_backend};

on_every_backend!(
    malformed_json_an_unknown_field_and_a_wrong_type_are_400_naming_the_field,
    a_missing_or_over_long_idempotency_key_is_400_and_nothing_is_stored,
    a_body_over_the_limit_is_413,
    a_bad_phone_number_or_a_field_the_vendor_refuses_is_400_before_sending,
    no_key_an_unknown_key_and_a_revoked_key_are_401_and_a_missing_scope_is_403,
    an_operation_the_adapter_lacks_is_501_naming_it,
);

async fn problem(r: reqwest::Response, status: u16) -> Value {
    assert_eq!(r.status(), status);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["status"], status, "{p}");
    assert!(p["type"].as_str().unwrap().starts_with("urn:coupon:problem:"), "{p}");
    assert!(p["title"].is_string() && p["detail"].is_string() && p["kind"].is_string() && p["retryable"].is_boolean());
    p
}

async fn raw(s: &TestServer, key: &str, idem: Option<&str>, content: &'static str) -> reqwest::Response {
    let mut r =
        s.http.post(format!("{}/v1/issues", s.base)).bearer_auth(key).header("content-type", "application/json");
    if let Some(i) = idem {
        r = r.header("Idempotency-Key", i);
    }
    r.body(content).send().await.unwrap()
}

async fn malformed_json_an_unknown_field_and_a_wrong_type_are_400_naming_the_field(s: &TestServer) {
    let key = s.key("issue").await;
    let p = problem(raw(s, &key, Some("m1"), "{\"vendor\": ").await, 400).await;
    assert_eq!(p["field"], "body");
    assert!(p["line"].is_number());
    let (vendor, sample) = s.repeatable();
    let mut b = body(&vendor, &sample);
    b["colour"] = json!("red");
    let p = problem(s.issue(&key, "m2", &b).await, 400).await;
    assert_eq!(p["field"], "colour");
    let mut b = body(&vendor, &sample);
    b["amount"] = json!("lots");
    let p = problem(s.issue(&key, "m3", &b).await, 400).await;
    assert_eq!(p["field"], "amount");
    let p = problem(raw(s, &key, Some("m4"), "").await, 400).await;
    assert_eq!(p["field"], "body");
    // None of them was stored: the same keys work with a good body.
    assert_eq!(s.issue(&key, "m2", &body(&vendor, &sample)).await.status(), 201);
}

async fn a_missing_or_over_long_idempotency_key_is_400_and_nothing_is_stored(s: &TestServer) {
    let key = s.key("issue").await;
    let (vendor, sample) = s.repeatable();
    let before = s.admin().issued(&vendor).await.unwrap().len();
    let r = s
        .http
        .post(format!("{}/v1/issues", s.base))
        .bearer_auth(&key)
        .json(&body(&vendor, &sample))
        .send()
        .await
        .unwrap();
    let p = problem(r, 400).await;
    assert_eq!(p["field"], "Idempotency-Key");
    let long = "k".repeat(256);
    let p = problem(s.issue(&key, &long, &body(&vendor, &sample)).await, 400).await;
    assert_eq!((p["limit"].as_u64(), p["given_length"].as_u64()), (Some(255), Some(256)));
    assert_eq!(s.admin().issued(&vendor).await.unwrap().len(), before);
    assert_eq!(s.issue(&key, &"k".repeat(255), &body(&vendor, &sample)).await.status(), 201);
}

async fn a_body_over_the_limit_is_413(s: &TestServer) {
    let key = s.key("issue").await;
    let (vendor, sample) = s.repeatable();
    let mut b = body(&vendor, &sample);
    b["message"] = json!("가".repeat(s.state.config().body_limit));
    let p = problem(s.issue(&key, "big", &b).await, 413).await;
    assert_eq!(p["limit_bytes"].as_u64(), Some(s.state.config().body_limit as u64));
}

async fn a_bad_phone_number_or_a_field_the_vendor_refuses_is_400_before_sending(s: &TestServer) {
    let key = s.key("issue").await;
    let Some((vendor, sample)) = s.vendor_with(|c| c.issue_delivers) else { return };
    let before = s.admin().issued(&vendor).await.unwrap().len();
    let mut b = body(&vendor, &sample);
    b["to"] = json!("010-12");
    let p = problem(s.issue(&key, "bad-phone", &b).await, 400).await;
    assert_eq!(p["field"], "to");
    assert!(!p["detail"].as_str().unwrap().contains("010-12"), "no phone text echoed: {p}");
    let mut b = body(&vendor, &sample);
    b["title"] = json!("제목\u{0}");
    let p = problem(s.issue(&key, "bad-title", &b).await, 400).await;
    assert_eq!(p["field"], "title");
    let mut b = body(&vendor, &sample);
    b["vendor"] = json!("nosuchvendor");
    let p = problem(s.issue(&key, "bad-vendor", &b).await, 404).await;
    assert_eq!(p["field"], "vendor");
    assert_eq!(s.admin().issued(&vendor).await.unwrap().len(), before);
}

async fn no_key_an_unknown_key_and_a_revoked_key_are_401_and_a_missing_scope_is_403(s: &TestServer) {
    let r = s.http.get(format!("{}/v1/vendors", s.base)).send().await.unwrap();
    let p = problem(r, 401).await;
    assert_eq!(p["kind"], "unauthorized");
    let made = coupon_server::auth::keys::generate().unwrap();
    let p = problem(s.get(&made.token, "/v1/vendors").await, 401).await;
    assert!(!p.to_string().contains(&made.token), "a key is never echoed");
    let p = problem(s.get("Basic abc", "/v1/vendors").await, 401).await;
    assert_eq!(p["field"], "Authorization");
    let reader = s.key("read").await;
    assert_eq!(s.get(&reader, "/v1/vendors").await.status(), 200);
    let (vendor, sample) = s.repeatable();
    let p = problem(s.issue(&reader, "nope", &body(&vendor, &sample)).await, 403).await;
    assert_eq!(p["kind"], "forbidden");
    assert_eq!(p["required_scopes"], json!(["issue"]));
    let issuer = s.key("issue").await;
    assert_eq!(
        problem(s.post(&issuer, "/v1/issues/x/cancel", Some("c")).await, 403).await["required_scopes"],
        json!(["cancel"])
    );
    assert_eq!(problem(s.get(&issuer, "/v1/vendors").await, 403).await["required_scopes"], json!(["read"]));
    // A revoked key stops working once the cache forgets it.
    let id = coupon_server::auth::keys::parse(&reader).unwrap().id.to_string();
    assert!(s.journal.revoke_api_key(&id).await.unwrap());
    tokio::time::sleep(s.state.config().key_cache + std::time::Duration::from_millis(50)).await;
    let p = problem(s.get(&reader, "/v1/vendors").await, 401).await;
    assert!(p["detail"].as_str().unwrap().contains("revoked"));
    let admin = s.key("admin").await;
    assert_eq!(s.get(&admin, "/v1/vendors").await.status(), 200);
}

async fn an_operation_the_adapter_lacks_is_501_naming_it(s: &TestServer) {
    let key = s.key("issue,read").await;
    if let Some(vendor) = s.vendor_without(|c| !c.issue) {
        let p = problem(s.issue(&key, "x501", &json!({"vendor": vendor, "product": "P"})).await, 501).await;
        assert_eq!((p["capability"].as_str(), p["vendor"].as_str()), (Some("issue"), Some(vendor.as_str())));
    }
    if let Some(vendor) = s.vendor_without(|c| !c.balance) {
        let p = problem(s.get(&key, &format!("/v1/vendors/{vendor}/coupons/balance?order=1")).await, 501).await;
        assert_eq!(p["capability"], "balance");
    }
}
