//! The `[giftletter]` configuration section.

use std::fmt;

use coupon_core::config::{ConfigKey, ConfigSection, Redacted, parse_url};
use coupon_core::http::{HttpConfig, Url};
use coupon_core::secrecy::SecretString;
use coupon_core::{Error, Result};

use crate::wire::QueryCharset;
use crate::wire::requests::check_cid;

/// The section's name, as errors spell it.
const SECTION: &str = "giftletter";

/// What the client needs: where the vendor is, who we are, and the transport settings.
///
/// Keys: `base_url` (the 연동URL; endpoints are `{base_url}/SendEPin` …),
/// `exchange_url` (the full URL of `ExchangeDaily.aspx`, on another host),
/// `exchange_allow_http` (`true` allows plain http for `exchange_url` only; the
/// vendor serves it over http), `cid`, `auth_key` (secret), `query_charset`
/// (`utf-8`, the default, or `euc-kr`), and the common transport keys of
/// [`HttpConfig::from_section`].
///
/// URLs are read by the core's one rule ([`coupon_core::config::parse_url`]).
/// `Debug` never shows the auth key ([`Redacted`]).
///
/// ```
/// use adapter_giftletter::GiftletterConfig;
/// use coupon_core::config::{ConfigKey, ConfigSection, Redacted, parse_url};
/// let mut s = ConfigSection::new("giftletter");
/// s.set("base_url", "http://127.0.0.1:8089/giftletter");
/// s.set("exchange_url", "http://127.0.0.1:8089/giftletter/mn_compare/ExchangeDaily.aspx");
/// s.set("cid", "sandbox");
/// s.set("auth_key", "sandbox-key");
/// let c = GiftletterConfig::from_section(&s).unwrap();
/// assert!(!format!("{c:?}").contains("sandbox-key"));
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct GiftletterConfig {
    /// The 연동URL the endpoints hang under.
    pub base_url: Url,
    /// The full URL of `ExchangeDaily.aspx`.
    pub exchange_url: Url,
    /// Allow plain http to `exchange_url` (and only there).
    pub exchange_allow_http: bool,
    /// The partner id.
    pub cid: String,
    /// The partner's authentication key, mixed into every `enc`.
    pub auth_key: SecretString,
    /// How Korean text is percent-encoded in queries.
    pub query_charset: QueryCharset,
    /// Timeouts, size cap, retries, proxy, plain-http opt-in for both hosts.
    pub http: HttpConfig,
}

impl GiftletterConfig {
    /// The keys of the section [`GiftletterConfig::from_section`] reads (the common
    /// transport keys of [`HttpConfig::from_section`] aside): the factory's
    /// [`coupon_core::AdapterFactory::config`], which explains a missing or wrong section.
    pub const KEYS: &'static [ConfigKey] = &[
        ConfigKey::required("base_url", "\"https://…\"", "the 연동URL; endpoints are {base_url}/SendEPin, …"),
        ConfigKey::required(
            "exchange_url",
            "\"http://…/mn_compare/ExchangeDaily.aspx\"",
            "the daily report's full URL",
        ),
        ConfigKey::required("cid", "\"…\"", "partner id"),
        ConfigKey::secret("auth_key", "the key mixed into every `enc`"),
        ConfigKey::optional("exchange_allow_http", "true", "allow plain http for exchange_url only"),
        ConfigKey::optional("query_charset", "\"utf-8\"", "`utf-8` or `euc-kr` for Korean text in queries"),
    ];

    /// A configuration with default transport settings and UTF-8 queries.
    pub fn new(base_url: &str, exchange_url: &str, cid: &str, auth_key: &str) -> Result<Self> {
        let config = Self {
            base_url: parse_url(SECTION, "base_url", base_url)?,
            exchange_url: parse_url(SECTION, "exchange_url", exchange_url)?,
            exchange_allow_http: false,
            cid: cid.trim().to_string(),
            auth_key: SecretString::from(auth_key.to_string()),
            query_charset: QueryCharset::Utf8,
            http: HttpConfig::default(),
        };
        config.check()?;
        Ok(config)
    }

    /// Reads the `[giftletter]` section; unknown keys are refused by name.
    pub fn from_section(section: &ConfigSection) -> Result<Self> {
        let mut r = section.reader();
        let base_url = r.required_url("base_url")?;
        let exchange_url = r.required_url("exchange_url")?;
        let exchange_allow_http = r.bool("exchange_allow_http")?.unwrap_or(false);
        let cid = r.required("cid")?;
        let auth_key = r.required_secret("auth_key")?;
        let query_charset = match r.choice("query_charset", &["utf-8", "euc-kr"])? {
            Some("euc-kr") => QueryCharset::EucKr,
            _ => QueryCharset::Utf8,
        };
        let http = HttpConfig::from_section(&mut r)?;
        r.finish()?;
        let config = Self { base_url, exchange_url, exchange_allow_http, cid, auth_key, query_charset, http };
        config.check()?;
        Ok(config)
    }

    /// Replaces the transport settings (both hosts').
    pub fn with_http(mut self, http: HttpConfig) -> Self {
        self.http = http;
        self
    }

    fn check(&self) -> Result<()> {
        check_cid(&self.cid).map_err(|e| Error::config(format!("[giftletter] {}", e.message())).with_field("cid"))
    }
}

impl fmt::Debug for GiftletterConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GiftletterConfig")
            .field("base_url", &self.base_url.as_str())
            .field("exchange_url", &self.exchange_url.as_str())
            .field("exchange_allow_http", &self.exchange_allow_http)
            .field("cid", &self.cid)
            .field("auth_key", &Redacted)
            .field("query_charset", &self.query_charset.as_str())
            .field("http", &self.http)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use coupon_core::ErrorKind;

    fn section() -> ConfigSection {
        let mut s = ConfigSection::new("giftletter");
        s.set("base_url", "https://api.example/gl/");
        s.set("exchange_url", "http://admin.gift-n.net/mn_compare/ExchangeDaily.aspx");
        s.set("cid", "partner01");
        s.set("auth_key", "k-very-secret");
        s
    }

    #[test]
    fn reads_every_key() {
        let mut s = section();
        s.set("query_charset", "EUC-KR");
        s.set("exchange_allow_http", "true");
        s.set("read_timeout_ms", "2500");
        let c = GiftletterConfig::from_section(&s).unwrap();
        assert_eq!(c.query_charset, QueryCharset::EucKr);
        assert!(c.exchange_allow_http);
        assert_eq!(c.http.read_timeout.as_millis(), 2500);
        assert_eq!(c.cid, "partner01");
        let shown = format!("{c:?}");
        assert!(!shown.contains("very-secret") && shown.contains("[redacted]"), "{shown}");
    }

    #[test]
    fn defaults_and_refusals() {
        let c = GiftletterConfig::from_section(&section()).unwrap();
        assert_eq!(c.query_charset, QueryCharset::Utf8);
        assert!(!c.exchange_allow_http);

        let mut s = section();
        s.set("query_charset", "latin-1");
        assert_eq!(GiftletterConfig::from_section(&s).unwrap_err().field(), Some("query_charset"));
        let mut s = section();
        s.set("cid_typo", "x");
        assert_eq!(GiftletterConfig::from_section(&s).unwrap_err().field(), Some("cid_typo"));
        let mut s = section();
        s.set("base_url", "ftp://x/");
        assert_eq!(GiftletterConfig::from_section(&s).unwrap_err().field(), Some("base_url"));
        let mut s = section();
        s.set("exchange_url", "https://x/ExchangeDaily.aspx?cid=1");
        assert_eq!(GiftletterConfig::from_section(&s).unwrap_err().field(), Some("exchange_url"));
        let mut s = section();
        s.set("cid", "has space");
        let e = GiftletterConfig::from_section(&s).unwrap_err();
        assert_eq!((e.kind(), e.field()), (ErrorKind::Config, Some("cid")));
        let mut s = ConfigSection::new("giftletter");
        s.set("cid", "x");
        assert_eq!(GiftletterConfig::from_section(&s).unwrap_err().field(), Some("base_url"));
    }

    #[test]
    fn programmatic_constructor() {
        let c = GiftletterConfig::new("https://a/", "https://b/x.aspx", "cid", "key").unwrap();
        assert_eq!(c.base_url.as_str(), "https://a/");
        let mut http = HttpConfig::default();
        http.max_response_bytes = 1024;
        assert_eq!(c.with_http(http.clone()).http, http);
        assert!(GiftletterConfig::new("nope", "https://b/", "cid", "key").is_err());
    }
}
