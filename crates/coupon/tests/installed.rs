//! The adapters linked in are exactly the features enabled. CI runs this with
//! all features and with each one alone (`-p coupon --no-default-features --features X`).

#[test]
fn installed_adapters_equal_the_enabled_features() {
    let mut expected = Vec::new();
    if cfg!(feature = "coufun") {
        expected.push("coufun");
    }
    if cfg!(feature = "giftimbiz") {
        expected.push("giftimbiz");
    }
    if cfg!(feature = "giftletter") {
        expected.push("giftletter");
    }
    assert_eq!(coupon::installed_adapters(), expected);
}

#[test]
fn every_installed_factory_declares_what_it_can_do() {
    for factory in coupon::Registry::from_inventory().factories() {
        assert!(!factory.summary.is_empty(), "{}", factory.name);
        assert!(factory.capabilities.entries().iter().any(|(_, on)| *on), "{} declares no capability", factory.name);
    }
}
