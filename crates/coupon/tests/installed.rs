//! The adapters linked in are exactly the adapter features enabled. CI runs this with
//! all features and with each one alone (`-p coupon --no-default-features --features X`).
//! The expected list comes from the build script (`COUPON_ENABLED_ADAPTERS`: the features
//! of `[features]` that enable an `adapter-*` dependency and are on), so no vendor is named.

/// The adapter features this build enabled, sorted.
fn enabled_adapter_features() -> Vec<&'static str> {
    env!("COUPON_ENABLED_ADAPTERS").split(',').filter(|s| !s.is_empty()).collect()
}

#[test]
fn installed_adapters_equal_the_enabled_features() {
    assert_eq!(coupon::installed_adapters(), enabled_adapter_features());
}

#[test]
fn every_installed_factory_declares_what_it_can_do() {
    for factory in coupon::Registry::from_inventory().factories() {
        assert!(!factory.summary.is_empty(), "{}", factory.name);
        assert!(factory.capabilities.entries().iter().any(|(_, on)| *on), "{} declares no capability", factory.name);
        assert!(!factory.config.is_empty(), "{} declares no config key", factory.name);
        assert!(factory.config_template().starts_with(&format!("[{}]\n", factory.name)), "{}", factory.name);
    }
}

#[test]
fn the_default_build_enables_every_adapter_feature() {
    // With the default features, the build script must find at least one adapter feature:
    // a parser that found none would make the test above pass with nothing installed.
    if cfg!(feature = "default") {
        assert!(!enabled_adapter_features().is_empty(), "no adapter feature found in the facade's [features]");
    }
}
