//! Registration (explicit and link-time), configuration from the sandbox's text, and
//! secrets kept out of every printed form.

#![cfg(feature = "client")]

mod common;

use adapter_giftletter::{CAPABILITIES, FACTORY, GiftletterAdapter};
use common::{issue_request, start};
use coupon_core::{Adapter, Registry};

#[test]
fn the_factory_registers_explicitly_and_through_inventory() {
    let mut registry = Registry::empty();
    registry.register(&FACTORY).unwrap();
    assert_eq!(registry.names(), ["giftletter"]);
    assert!(Registry::installed().contains(&"giftletter"));
    assert_eq!(FACTORY.capabilities, CAPABILITIES);
    let on: Vec<&str> = CAPABILITIES.entries().iter().filter(|(_, on)| *on).map(|(n, _)| *n).collect();
    assert_eq!(
        on,
        [
            "issue",
            "issue_deduplicated",
            "issue_delivers",
            "cancel",
            "cancel_repeatable",
            "status",
            "resend",
            "products",
            "product_detail",
            "redemptions",
            "reconcile"
        ]
    );
}

#[tokio::test]
async fn the_factory_builds_from_the_sandbox_config_and_answers_balance_unsupported() {
    let sandbox = start().await;
    let section = common::section_from_sandbox(&sandbox);
    let adapter = Registry::from_inventory().build(&section).unwrap();
    assert_eq!(adapter.vendor().as_str(), "giftletter");
    assert_eq!(adapter.capabilities(), CAPABILITIES);
    let e = adapter.balance(&coupon_core::CouponRef::order("x")).await.unwrap_err();
    assert_eq!(e.kind(), coupon_core::ErrorKind::Unsupported);
    let page = adapter.products(&coupon_core::ProductQuery::new().brand("30")).await.unwrap();
    assert_eq!(page.items.len(), 1);
}

#[tokio::test]
async fn keys_pins_and_phone_numbers_never_show_in_debug_or_errors() {
    let sandbox = start().await;
    let adapter: GiftletterAdapter = common::adapter(&sandbox);
    let shown = format!("{adapter:?} {:?}", adapter.client().config());
    assert!(!shown.contains("sandbox-key"), "{shown}");

    let request = issue_request("0000000582");
    assert!(!format!("{request:?}").contains("1234-5678"));
    let issued = adapter.issue(&request).await.unwrap();
    let pin = issued.pin.clone().unwrap();
    assert!(!format!("{issued:?}").contains(pin.expose()));

    // A refusal that names the phone field does not repeat the number.
    let landline = issue_request("0000000582").recipient(coupon_core::PhoneNumber::parse("02-987-6543").unwrap());
    let e = adapter.issue(&landline).await.unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains("9876543") && !shown.contains("987-6543"), "{shown}");
    assert!(!shown.contains("sandbox-key"), "{shown}");
}
