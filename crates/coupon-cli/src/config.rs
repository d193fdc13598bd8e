//! Where the CLI's configuration comes from, and the section each vendor command needs.
//!
//! `--config FILE`, else `./coupon.toml` when it exists, else only the environment
//! (`COUPON_<VENDOR>_<KEY>`); environment variables override the file key by key.

use std::path::{Path, PathBuf};

use coupon::config::{ConfigSection, CouponConfig};
use coupon::{Error, Result};

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

/// One vendor's section, or a configuration error that shows the section to add.
pub fn section(config: &CouponConfig, vendor: &str) -> Result<ConfigSection> {
    config.require(vendor).cloned().map_err(|e| match template(vendor) {
        Some(keys) => Error::config(format!("{}\n\n{keys}", e.message())),
        None => e,
    })
}

/// The keys each vendor needs, as a section to paste (from the adapters' docs pages).
fn template(vendor: &str) -> Option<&'static str> {
    Some(match vendor {
        "giftletter" => {
            "[giftletter]\nbase_url = \"https://…\"            # the 연동URL; endpoints are {base_url}/SendEPin, …\n\
             exchange_url = \"http://…/mn_compare/ExchangeDaily.aspx\"\n\
             exchange_allow_http = true            # optional: the report host is plain http\n\
             cid = \"…\"                             # partner id\n\
             auth_key = \"…\"                        # secret (or COUPON_GIFTLETTER_AUTH_KEY)"
        }
        "giftimbiz" => {
            "[giftimbiz]\nbase_url = \"https://www.giftiexchange.com\"\n\
             partner_id = \"…\"\n\
             partner_key = \"…\"                     # secret (or COUPON_GIFTIMBIZ_PARTNER_KEY)\n\
             partner_token = \"…\"                   # secret (or COUPON_GIFTIMBIZ_PARTNER_TOKEN)\n\
             refresh_token = \"…\"                   # secret (or COUPON_GIFTIMBIZ_REFRESH_TOKEN)"
        }
        "coufun" => {
            "[coufun]\nbase_url = \"test\"                     # a URL, or `production` or `test`\n\
             poc_id = \"…\"                          # the customer id COUFUN assigned"
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_section_shows_the_keys_to_add() {
        let config = CouponConfig::parse("", "x.toml", Vec::new()).unwrap();
        for (vendor, keys) in [
            ("giftletter", &["base_url", "exchange_url", "cid", "auth_key"][..]),
            ("giftimbiz", &["base_url", "partner_id", "partner_key", "partner_token", "refresh_token"][..]),
            ("coufun", &["base_url", "poc_id"][..]),
        ] {
            let e = section(&config, vendor).unwrap_err();
            assert_eq!(e.kind(), coupon::ErrorKind::Config);
            let text = e.to_string();
            assert!(text.contains(&format!("[{vendor}]")), "{text}");
            for key in keys {
                assert!(text.contains(&format!("{key} = ")), "{vendor} {key}: {text}");
            }
        }
    }
}
