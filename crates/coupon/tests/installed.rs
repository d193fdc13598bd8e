//! The adapters linked in are exactly the adapter features enabled. CI runs this with
//! all features and with each one alone (`-p coupon --no-default-features --features X`).
//! The expected list comes from the build script (`COUPON_ENABLED_ADAPTERS`: the features
//! of `[features]` that enable an `adapter-*` dependency and are on), so no vendor is named.
//! Each installed factory also reads exactly the config keys it declares.

use std::collections::BTreeMap;

use coupon::config::{ConfigSection, CouponConfig, KeyRead};
use coupon::http::HttpConfig;
use coupon::{AdapterFactory, Registry};

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

/// The common transport keys, as `HttpConfig::from_section` reads them: every factory
/// reads them beside its own, and declares them nowhere (its `config` leaves them aside).
fn transport_keys() -> BTreeMap<&'static str, KeyRead> {
    let section = ConfigSection::new("transport");
    HttpConfig::from_section(&mut section.reader()).expect("an empty section is the defaults");
    section.keys_read().into_iter().map(|k| (k.name, k)).collect()
}

/// The factory's section with every key it declares set to its example, as the config
/// help prints it; `…`, which stands for what only the vendor gives (a host, an id, a
/// key), is filled with `example`.
fn full_example_section(factory: &AdapterFactory) -> ConfigSection {
    let mut text = format!("[{}]\n", factory.name);
    for key in factory.config {
        text.push_str(&format!("{} = {}\n", key.name, key.example.replace('…', "example")));
    }
    let config = CouponConfig::parse(&text, "the declared examples", std::iter::empty())
        .unwrap_or_else(|e| panic!("{}: the declared examples are no section: {e}\n{text}", factory.name));
    config.section(factory.name).expect("the section just written").clone()
}

/// What a factory declares is what the config help prints and what the no-secrets
/// checks look for (`secret_keys()`); what it reads is what the adapter takes. A key
/// read but not declared would be refused by no help and looked for by no check; a
/// secret read as plain text would be kept in a `String`.
#[test]
fn every_factory_reads_exactly_the_keys_it_declares_secrets_as_secrets() {
    let transport = transport_keys();
    assert!(!transport.is_empty() && transport.values().all(|k| !k.secret && !k.required), "{transport:?}");
    let registry = Registry::from_inventory();
    for factory in registry.factories() {
        let name = factory.name;
        let section = full_example_section(factory);
        if let Err(e) = registry.build(&section) {
            panic!("{name}: the full example section does not build: {e}");
        }
        let read: BTreeMap<&str, KeyRead> =
            section.keys_read().into_iter().filter(|k| !transport.contains_key(k.name)).map(|k| (k.name, k)).collect();
        let declared: BTreeMap<&str, _> = factory.config.iter().map(|k| (k.name, k)).collect();
        assert_eq!(
            read.keys().collect::<Vec<_>>(),
            declared.keys().collect::<Vec<_>>(),
            "{name}: the keys read (left) are not the keys declared (right)"
        );
        for (key, how) in &read {
            let declared = declared[key];
            assert!(!how.secret || declared.secret, "{name}: `{key}` is read as a secret but not declared one");
            assert!(how.secret || !declared.secret, "{name}: `{key}` is declared a secret but read as plain text");
            assert_eq!(how.required, declared.required, "{name}: `{key}` is read and declared differently required");
        }
        for key in declared.keys() {
            assert!(!transport.contains_key(key), "{name}: `{key}` is a transport key, read by HttpConfig");
        }
    }
}
