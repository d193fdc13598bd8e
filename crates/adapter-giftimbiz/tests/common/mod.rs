//! Shared by the integration tests: a sandbox and a client configured from the
//! configuration text the sandbox prints.

#![allow(dead_code)]

use std::time::Duration;

use adapter_giftimbiz::{Giftimbiz, GiftimbizConfig};
use coupon_core::config::ConfigSection;
use coupon_sandbox::{RunningSandbox, Sandbox};

pub const TOKEN_PATH: &str = "/giftimbiz/api/v1/common/getAccessToken";
pub const BUY_PATH: &str = "/giftimbiz/api/v1/giftimbiz/buyGifticoupon";

pub fn api(path: &str) -> String {
    format!("/giftimbiz/api/v1/{path}")
}

/// The `[giftimbiz]` section of the sandbox's printed configuration, read as is
/// (`key = "value"` lines), with `extra` keys set after.
pub fn section(sandbox: &RunningSandbox, extra: &[(&str, &str)]) -> ConfigSection {
    let toml = sandbox.config_toml();
    let mut section = ConfigSection::new("giftimbiz");
    let mut inside = false;
    for line in toml.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == "[giftimbiz]";
        } else if inside && let Some((k, v)) = line.split_once('=') {
            section.set(k.trim(), v.trim().trim_matches('"'));
        }
    }
    // Short timeouts and retry waits keep failure tests fast.
    for (k, v) in [("read_timeout_ms", "5000"), ("money_timeout_ms", "5000"), ("total_timeout_ms", "20000")] {
        section.set(k, v);
    }
    for (k, v) in extra {
        section.set(*k, *v);
    }
    section
}

pub async fn start() -> (RunningSandbox, Giftimbiz) {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = client(&sandbox, &[]);
    (sandbox, client)
}

pub fn client(sandbox: &RunningSandbox, extra: &[(&str, &str)]) -> Giftimbiz {
    let config = GiftimbizConfig::from_section(&section(sandbox, extra)).expect("the sandbox configuration reads");
    Giftimbiz::new(config).expect("client builds")
}

/// POSTs JSON to a sandbox admin route of this vendor.
pub async fn admin(sandbox: &RunningSandbox, route: &str, body: &str) {
    let url = format!("{}/_sandbox/giftimbiz/{route}", sandbox.base_url());
    let resp = reqwest::Client::new().post(url).body(body.to_owned()).send().await.expect("admin call");
    assert!(resp.status().is_success(), "admin {route}: {}", resp.status());
}

pub async fn expire_tokens(sandbox: &RunningSandbox) {
    admin(sandbox, "expire-tokens", "").await;
}

pub fn minutes_ago(m: i64) -> coupon_core::time::KstDateTime {
    coupon_core::time::now_kst() - coupon_core::chrono::Duration::minutes(m)
}

pub const SHORT: Duration = Duration::from_millis(50);
