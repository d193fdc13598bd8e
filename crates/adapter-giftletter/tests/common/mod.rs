//! A sandbox and clients pointed at it, for the integration tests.

#![allow(dead_code)]

use std::time::Duration;

use adapter_giftletter::{Giftletter, GiftletterAdapter, GiftletterConfig};
use coupon_core::config::ConfigSection;
use coupon_core::{IssueRequest, PhoneNumber};
use coupon_sandbox::{RunningSandbox, Sandbox};
use serde_json::Value;

/// The `[giftletter]` section of the configuration the sandbox prints, read line by
/// line (`key = "value"`), so the adapter is tested against that text as is.
pub fn section_from_sandbox(sandbox: &RunningSandbox) -> ConfigSection {
    let toml = sandbox.config_toml();
    let mut section = ConfigSection::new("giftletter");
    let mut inside = false;
    for line in toml.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == "[giftletter]";
            continue;
        }
        if let (true, Some((k, v))) = (inside, line.split_once('=')) {
            section.set(k.trim(), v.trim().trim_matches('"'));
        }
    }
    section
}

pub fn config(sandbox: &RunningSandbox) -> GiftletterConfig {
    let mut c = GiftletterConfig::from_section(&section_from_sandbox(sandbox)).expect("the sandbox config reads as is");
    // Retries wait milliseconds, not seconds, in tests.
    c.http.retry.base_delay = Duration::from_millis(10);
    c.http.retry.max_delay = Duration::from_millis(50);
    c
}

pub fn client(sandbox: &RunningSandbox) -> Giftletter {
    Giftletter::new(config(sandbox)).unwrap()
}

pub fn adapter(sandbox: &RunningSandbox) -> GiftletterAdapter {
    GiftletterAdapter::new(client(sandbox))
}

pub async fn start() -> RunningSandbox {
    Sandbox::start().await.expect("sandbox starts")
}

pub fn issue_request(goods: &str) -> IssueRequest {
    IssueRequest::new(goods)
        .recipient(PhoneNumber::parse("010-1234-5678").unwrap())
        .callback(PhoneNumber::parse("1588-1234").unwrap())
        .title("선물이 도착했어요")
        .message("GS25 모바일상품권 1만원을 보내드립니다.")
}

/// The coupons the sandbox issued (admin route).
pub async fn coupons(sandbox: &RunningSandbox) -> Vec<Value> {
    let url = format!("{}/_sandbox/giftletter/coupons", sandbox.base_url());
    let v: Value =
        reqwest::Client::builder().no_proxy().build().unwrap().get(url).send().await.unwrap().json().await.unwrap();
    v["coupons"].as_array().cloned().unwrap_or_default()
}

pub async fn set_ip_allowlist(sandbox: &RunningSandbox, enabled: bool) {
    let url = format!("{}/_sandbox/giftletter/ip-allowlist", sandbox.base_url());
    let r = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(url)
        .body(format!("{{\"enabled\": {enabled}}}"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
}

pub const SEND_EPIN: &str = "/giftletter/SendEPin";
