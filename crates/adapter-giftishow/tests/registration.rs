//! The adapter registers itself: the facade-free registry finds it by name, its
//! capabilities are the literal, and the sandbox's section builds it as is.

#![cfg(feature = "client")]

mod common;

use coupon_core::Registry;

#[test]
fn it_registers_under_its_vendor_name_with_its_literal_capabilities() {
    let registry = Registry::from_inventory();
    let factory = registry.get("giftishow").expect("registered through inventory");
    let mut explicit = Registry::empty();
    explicit.register(&adapter_giftishow::FACTORY).unwrap();
    assert_eq!(explicit.names(), ["giftishow"]);
    assert_eq!(factory.capabilities, adapter_giftishow::CAPABILITIES);
    assert!(!factory.capabilities.redemptions, "no redemption report in the integrations");
    let keys: Vec<&str> = factory.config.iter().map(|k| k.name).collect();
    for key in ["base_url", "send_url", "auth_code", "auth_token", "user_id", "callback_no", "dev_mode", "gubun"] {
        assert!(keys.contains(&key), "{key} in {keys:?}");
    }
}

#[tokio::test]
async fn the_sandbox_section_builds_an_adapter_whose_debug_hides_the_secrets() {
    let sandbox = common::start().await;
    let registry = Registry::from_inventory();
    let adapter = registry.build(&common::section_from_sandbox(&sandbox)).unwrap();
    let shown = format!("{adapter:?}");
    use coupon_sandbox::vendors::giftishow::credentials::{AUTH_CODE, AUTH_TOKEN};
    assert!(!shown.contains(AUTH_CODE) && !shown.contains(AUTH_TOKEN), "{shown}");
}
