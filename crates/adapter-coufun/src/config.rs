//! The `[coufun]` configuration section.

use std::fmt;

use coupon_core::config::{ConfigKey, ConfigSection, parse_url};
use coupon_core::http::{HttpConfig, Url};
use coupon_core::{Error, Result};

use crate::wire::requests::{PATH, POC_ID_MAX};

/// The production server (상용 URL), config value `production`.
pub const PRODUCTION_URL: &str = "https://corp.coufun.kr:446";
/// The vendor's test server (테스트 URL), config value `test`.
pub const TEST_URL: &str = "https://tcorp.coufun.kr:446";

/// Where and as whom to ask.
///
/// Keys: `base_url` (a URL, or `production` / `test`), `poc_id` (the customer id
/// COUFUN assigned, at most 10 ASCII bytes), and the common transport keys of
/// [`HttpConfig::from_section`]. COUFUN authenticates by the caller's registered
/// IP address: there is no secret to configure.
///
/// ```
/// use adapter_coufun::CoufunConfig;
/// use coupon_core::config::{ConfigKey, ConfigSection, parse_url};
/// let mut s = ConfigSection::new("coufun");
/// s.set("base_url", "test");
/// s.set("poc_id", "MYSHOP");
/// s.set("read_timeout_ms", "5000");
/// let c = CoufunConfig::from_section(&s).unwrap();
/// assert_eq!(c.endpoint().as_str(), "https://tcorp.coufun.kr:446/b2c_api/coufunPartAmountStatus.do");
/// assert_eq!(c.http.read_timeout, std::time::Duration::from_secs(5));
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct CoufunConfig {
    /// The server, without the endpoint path.
    pub base_url: Url,
    /// `POC_ID`.
    pub poc_id: String,
    /// Timeouts, size cap, retries.
    pub http: HttpConfig,
}

impl CoufunConfig {
    /// The keys of the section [`CoufunConfig::from_section`] reads (the common
    /// transport keys of [`HttpConfig::from_section`] aside): the factory's
    /// [`coupon_core::AdapterFactory::config`], which explains a missing or wrong section.
    pub const KEYS: &'static [ConfigKey] = &[
        ConfigKey::required("base_url", "\"test\"", "a URL, or `production` or `test`"),
        ConfigKey::required("poc_id", "\"…\"", "the customer id COUFUN assigned"),
    ];

    /// A configuration with default transport settings. `base_url` is a URL or
    /// one of the presets `production` and `test`.
    ///
    /// # Errors
    ///
    /// [`coupon_core::ErrorKind::Config`] naming `base_url` or `poc_id`.
    pub fn new(base_url: &str, poc_id: &str) -> Result<Self> {
        Ok(Self { base_url: parse_base_url(base_url)?, poc_id: check_poc_id(poc_id)?, http: HttpConfig::default() })
    }

    /// Replaces the transport settings.
    pub fn with_http(mut self, http: HttpConfig) -> Self {
        self.http = http;
        self
    }

    /// Reads the `[coufun]` section; unknown keys are refused by name.
    ///
    /// # Errors
    ///
    /// [`coupon_core::ErrorKind::Config`] naming the key.
    pub fn from_section(section: &ConfigSection) -> Result<Self> {
        let mut reader = section.reader();
        let base_url = reader.required("base_url");
        let poc_id = reader.required("poc_id");
        let http = HttpConfig::from_section(&mut reader);
        reader.finish()?;
        let config = Self::new(&base_url?, &poc_id?)?;
        Ok(config.with_http(http?))
    }

    /// The status endpoint: `{base_url}/b2c_api/coufunPartAmountStatus.do`.
    pub fn endpoint(&self) -> Url {
        let mut url = self.base_url.clone();
        let path = format!("{}{PATH}", url.path().trim_end_matches('/'));
        url.set_path(&path);
        url
    }
}

/// A URL by the core's one rule ([`parse_url`]), or one of the presets.
fn parse_base_url(value: &str) -> Result<Url> {
    let value = value.trim();
    let text = match value.to_ascii_lowercase().as_str() {
        "production" => PRODUCTION_URL,
        "test" => TEST_URL,
        _ => value,
    };
    parse_url("coufun", "base_url", text).map_err(|e| {
        Error::config(format!("{}; use a URL, `production` or `test`", e.message())).with_field("base_url")
    })
}

fn check_poc_id(value: &str) -> Result<String> {
    let value = value.trim();
    let bad = |why: String| Error::config(format!("[coufun] `poc_id` {why}")).with_field("poc_id");
    if value.is_empty() {
        return Err(bad("is empty".into()));
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad("must be ASCII letters, digits or punctuation without spaces".into()));
    }
    if value.len() > POC_ID_MAX {
        return Err(bad(format!("is {} bytes; the limit is {POC_ID_MAX}", value.len())));
    }
    Ok(value.to_string())
}

impl fmt::Debug for CoufunConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // No secret here (COUFUN trusts the caller's IP), so nothing is `Redacted`; stay explicit about what is shown.
        f.debug_struct("CoufunConfig")
            .field("base_url", &self.base_url.as_str())
            .field("poc_id", &self.poc_id)
            .field("http", &self.http)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(pairs: &[(&str, &str)]) -> ConfigSection {
        let mut s = ConfigSection::new("coufun");
        for (k, v) in pairs {
            s.set(*k, *v);
        }
        s
    }

    #[test]
    fn presets_and_urls_name_the_endpoint() {
        let c = CoufunConfig::new("production", "A").unwrap();
        assert_eq!(c.endpoint().as_str(), "https://corp.coufun.kr:446/b2c_api/coufunPartAmountStatus.do");
        let c = CoufunConfig::new(" TEST ", "A").unwrap();
        assert_eq!(c.endpoint().as_str(), "https://tcorp.coufun.kr:446/b2c_api/coufunPartAmountStatus.do");
        let c = CoufunConfig::new("http://127.0.0.1:8089/coufun/", "A").unwrap();
        assert_eq!(c.endpoint().as_str(), "http://127.0.0.1:8089/coufun/b2c_api/coufunPartAmountStatus.do");
    }

    #[test]
    fn reads_the_sandbox_section_and_the_transport_keys() {
        let s = section(&[
            ("base_url", "http://127.0.0.1:8089/coufun"),
            ("poc_id", "SANDBOX"),
            ("max_attempts", "5"),
            ("total_timeout_ms", "1000"),
        ]);
        let c = CoufunConfig::from_section(&s).unwrap();
        assert_eq!(c.poc_id, "SANDBOX");
        assert_eq!(c.http.retry.max_attempts, 5);
        assert_eq!(c.http.total_timeout, std::time::Duration::from_secs(1));
    }

    #[test]
    fn refuses_unknown_keys_and_bad_values_by_name() {
        let e =
            CoufunConfig::from_section(&section(&[("base_url", "test"), ("poc_id", "A"), ("pocid", "B")])).unwrap_err();
        assert_eq!(e.field(), Some("pocid"));
        let e = CoufunConfig::from_section(&section(&[("base_url", "test")])).unwrap_err();
        assert_eq!(e.field(), Some("poc_id"));
        for (url, poc) in [("staging", "A"), ("ftp://x.kr", "A"), ("https://x.kr/?a=1", "A")] {
            let e = CoufunConfig::new(url, poc).unwrap_err();
            assert_eq!((e.kind(), e.field()), (coupon_core::ErrorKind::Config, Some("base_url")), "{url}");
        }
        for poc in ["", "ELEVENBYTES", "쿠펀", "A B"] {
            let e = CoufunConfig::new("test", poc).unwrap_err();
            assert_eq!(e.field(), Some("poc_id"), "{poc:?}");
        }
    }
}
