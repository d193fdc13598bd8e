//! Where the CLI's configuration comes from, and the section each vendor command needs.
//!
//! `--config FILE`, else `./coupon.toml` when it exists, else only the environment
//! (`COUPON_<VENDOR>_<KEY>`); environment variables override the file key by key.

use std::path::{Path, PathBuf};

use coupon::config::{ConfigSection, CouponConfig};
use coupon::{Error, ErrorKind, Registry, Result};

/// The file read when `--config` is not given, if it exists.
pub const DEFAULT_FILE: &str = "coupon.toml";

/// Reads the configuration the command line points at.
pub fn load(explicit: Option<&Path>) -> Result<CouponConfig> {
    match explicit {
        Some(path) => CouponConfig::load(path),
        None => {
            let default = PathBuf::from(DEFAULT_FILE);
            if default.is_file() { CouponConfig::load(default) } else { CouponConfig::from_env() }
        }
    }
}

/// One vendor's section, or a configuration error that shows the section to add
/// (from the installed adapter's factory). A vendor no adapter answers to is a
/// configuration error naming the installed ones.
pub fn section(config: &CouponConfig, vendor: &str) -> Result<ConfigSection> {
    let factory = Registry::from_inventory().require(vendor)?;
    config
        .require(vendor)
        .cloned()
        .map_err(|e| Error::config(format!("{}\n\nAdd this section:\n{}", e.message(), factory.config_template())))
}

/// A configuration error about `vendor`'s section, explained with the section to
/// paste (what [`Registry::build`] does for the adapters it builds); other errors
/// pass unchanged.
pub fn explain(vendor: &str, e: Error) -> Error {
    if e.kind() != ErrorKind::Config {
        return e;
    }
    let Some(factory) = Registry::from_inventory().get(vendor) else { return e };
    let explained = Error::config(format!(
        "{}\n\nThe section, with every key it takes:\n{}",
        e.message(),
        factory.config_template()
    ));
    match e.field() {
        Some(field) => explained.with_field(field.to_string()),
        None => explained,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_section_shows_every_key_of_each_installed_adapter() {
        let config = CouponConfig::parse("", "x.toml", Vec::new()).unwrap();
        let registry = Registry::from_inventory();
        assert!(registry.factories().next().is_some(), "the CLI is built with at least one adapter");
        for factory in registry.factories() {
            let vendor = factory.name;
            let e = section(&config, vendor).unwrap_err();
            assert_eq!(e.kind(), coupon::ErrorKind::Config);
            let text = e.to_string();
            assert!(text.contains(&format!("[{vendor}]")), "{text}");
            assert!(!factory.config.is_empty(), "{vendor} declares no config key");
            for key in factory.config {
                assert!(text.contains(&format!("{} = ", key.name)), "{vendor} {}: {text}", key.name);
            }
        }
    }

    #[test]
    fn an_unknown_vendor_names_the_installed_ones() {
        let config = CouponConfig::parse("", "x.toml", Vec::new()).unwrap();
        let e = section(&config, "nosuchvendor").unwrap_err();
        assert_eq!(e.kind(), coupon::ErrorKind::Config);
        for name in Registry::installed() {
            assert!(e.to_string().contains(name), "{e}");
        }
    }

    #[test]
    fn a_wrong_section_keeps_its_field_and_gains_the_template() {
        let Some(factory) = Registry::from_inventory().factories().next() else { panic!("no adapter installed") };
        let e = explain(factory.name, Error::config("bad key").with_field("k"));
        assert_eq!(e.field(), Some("k"));
        assert!(e.to_string().contains(&factory.config_template()), "{e}");
        let other = explain(factory.name, Error::new(ErrorKind::Timeout, "late"));
        assert_eq!(other.kind(), ErrorKind::Timeout);
    }
}
