//! A sandbox and clients pointed at it, for the integration tests.

#![allow(dead_code)]

use std::time::Duration;

use adapter_giftishow::{Giftishow, GiftishowAdapter, GiftishowConfig};
use coupon_core::config::ConfigSection;
use coupon_core::{IssueRequest, PartnerRef, PhoneNumber};
use coupon_sandbox::{RunningSandbox, Sandbox};
use serde_json::{Value, json};

pub const SEND: &str = "/giftishow/bizApi/send";
pub const COUPONS: &str = "/giftishow/bizApi/coupons";

/// The `[giftishow]` section of the configuration the sandbox prints, read line by
/// line (`key = "value"`), so the adapter is tested against that text as is.
pub fn section_from_sandbox(sandbox: &RunningSandbox) -> ConfigSection {
    let toml = sandbox.config_toml();
    let mut section = ConfigSection::new("giftishow");
    let mut inside = false;
    for line in toml.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == "[giftishow]";
            continue;
        }
        if let (true, Some((k, v))) = (inside, line.split_once('=')) {
            section.set(k.trim(), v.trim().trim_matches('"'));
        }
    }
    section
}

/// The sandbox's configuration with `edits` applied (`key`, `value`).
pub fn config_with(sandbox: &RunningSandbox, edits: &[(&str, &str)]) -> GiftishowConfig {
    let mut section = section_from_sandbox(sandbox);
    for (k, v) in edits {
        section.set(*k, *v);
    }
    let mut c = GiftishowConfig::from_section(&section).expect("the sandbox config reads as is");
    // Retries wait milliseconds, not seconds, in tests.
    c.http.retry.base_delay = Duration::from_millis(10);
    c.http.retry.max_delay = Duration::from_millis(50);
    c
}

pub fn client(sandbox: &RunningSandbox) -> Giftishow {
    Giftishow::new(config_with(sandbox, &[])).unwrap()
}

pub fn client_with(sandbox: &RunningSandbox, edits: &[(&str, &str)]) -> Giftishow {
    Giftishow::new(config_with(sandbox, edits)).unwrap()
}

pub fn adapter(sandbox: &RunningSandbox) -> GiftishowAdapter {
    GiftishowAdapter::new(client(sandbox))
}

pub fn adapter_with(sandbox: &RunningSandbox, edits: &[(&str, &str)]) -> GiftishowAdapter {
    GiftishowAdapter::new(client_with(sandbox, edits))
}

pub async fn start() -> RunningSandbox {
    Sandbox::start().await.expect("sandbox starts")
}

/// What the emulator's samples name: a goods on sale.
pub async fn sample_goods(sandbox: &RunningSandbox) -> String {
    let samples: Value = get(sandbox, "/_sandbox/samples").await;
    samples["giftishow"]["issue"]["product_id"].as_str().expect("an issue sample").to_owned()
}

/// The fixture goods, in the vendor's terms.
pub async fn fixture_goods(sandbox: &RunningSandbox) -> Vec<Value> {
    let fixtures: Value = get(sandbox, "/_sandbox/fixtures").await;
    let g = &fixtures["giftishow"];
    g.get("goods").or_else(|| g.get("goodsList")).and_then(Value::as_array).cloned().expect("fixture goods")
}

pub fn issue_request(goods: &str, tr_id: &str) -> IssueRequest {
    IssueRequest::new(goods)
        .partner_ref(PartnerRef::new(tr_id))
        .recipient(PhoneNumber::parse("010-1234-5678").unwrap())
        .callback(PhoneNumber::parse("1588-0000").unwrap())
        .title("선물 도착")
        .message("스타벅스 아메리카노 한 잔을 보내드립니다.")
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(10)).build().unwrap()
}

pub async fn get(sandbox: &RunningSandbox, path: &str) -> Value {
    let r = http().get(format!("{}{path}", sandbox.base_url())).send().await.unwrap();
    assert!(r.status().is_success(), "GET {path}: {}", r.status());
    r.json().await.unwrap()
}

pub async fn post(sandbox: &RunningSandbox, path: &str, body: Value) -> Value {
    let r = http().post(format!("{}{path}", sandbox.base_url())).json(&body).send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    assert!(status.is_success(), "POST {path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// The emulator's bizmoney balance (admin route).
pub async fn bizmoney(sandbox: &RunningSandbox) -> u64 {
    let v = get(sandbox, "/_sandbox/giftishow/bizmoney").await;
    v["balance"].as_u64().or_else(|| v["balance"].as_str().and_then(|s| s.parse().ok())).expect("a balance")
}

pub async fn set_bizmoney(sandbox: &RunningSandbox, balance: u64) {
    post(sandbox, "/_sandbox/giftishow/bizmoney", json!({ "balance": balance })).await;
}

pub async fn set_variant(sandbox: &RunningSandbox, variant: Value) {
    post(sandbox, "/_sandbox/giftishow/variant", variant).await;
}

/// What the emulator sent, oldest first (admin route).
pub async fn issued(sandbox: &RunningSandbox) -> Vec<Value> {
    get(sandbox, "/_sandbox/giftishow/issued").await["items"].as_array().cloned().unwrap_or_default()
}

/// Redeems the coupon sent with `tr_id` through the sandbox's admin route (its PIN
/// from the emulator's list); `amount` spends part of a stored-value coupon.
pub async fn redeem(sandbox: &RunningSandbox, tr_id: &str, amount: Option<u64>) {
    let pin = issued(sandbox).await.into_iter().find(|i| i["partner_ref"] == tr_id).expect("an issued coupon")["pin"]
        .as_str()
        .expect("the emulator lists the PIN")
        .to_owned();
    let mut body = json!({"vendor": "giftishow", "id": pin, "branch": "강남점"});
    if let Some(a) = amount {
        body["amount"] = json!(a);
    }
    post(sandbox, "/_sandbox/redeem", body).await;
}

/// The goods code of a stored-value (금액권) goods of the fixtures.
pub async fn stored_value_goods(sandbox: &RunningSandbox) -> String {
    let goods = fixture_goods(sandbox).await;
    let found = goods
        .iter()
        .find(|g| g.get("remainAmt").is_some() || g["goodsTypeNm"].as_str().is_some_and(|t| t.contains("금액")))
        .expect("a stored-value goods in the fixtures");
    found["goodsCode"].as_str().expect("a goods code").to_owned()
}
