//! The `[giftimbiz]` configuration section.

use std::fmt;

use coupon_core::config::{ConfigKey, ConfigSection, Redacted, parse_url};
use coupon_core::http::{HttpConfig, Url};
use coupon_core::secrecy::SecretString;
use coupon_core::{Error, Result};

/// How to reach GiftiMbiz and who we are there.
///
/// Keys: `base_url` (the vendor's root: endpoints are `{base_url}/api/v1/...`),
/// `partner_id`, `partner_key`, `partner_token`, `refresh_token` (the last three
/// secret), optional `image_origin` (what relative image paths such as `/UPLOAD/...`
/// resolve against; default `base_url`), plus the common transport keys of
/// [`HttpConfig::from_section`]. `Debug` never shows a secret.
///
/// ```
/// use adapter_giftimbiz::GiftimbizConfig;
/// use coupon_core::config::ConfigSection;
/// let mut s = ConfigSection::new("giftimbiz");
/// s.set("base_url", "https://www.giftiexchange.com");
/// s.set("partner_id", "devtest1");
/// s.set("partner_key", "pk-1234");
/// s.set("partner_token", "pt-5678");
/// s.set("refresh_token", "rt-9012");
/// let c = GiftimbizConfig::from_section(&s).unwrap();
/// assert_eq!(c.image_origin, "https://www.giftiexchange.com");
/// let shown = format!("{c:?}");
/// assert!(!shown.contains("pk-1234") && !shown.contains("pt-5678") && !shown.contains("rt-9012"));
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct GiftimbizConfig {
    /// The vendor's root URL (with a trailing slash: endpoints are `{base_url}api/v1/…`).
    pub base_url: Url,
    /// The partner id sent as `partner_id`.
    pub partner_id: String,
    /// The `Partnerkey` header.
    pub partner_key: SecretString,
    /// The `Partnertoken` header.
    pub partner_token: SecretString,
    /// The refresh token (`x-refresh-token`, `Refresh-Token`).
    pub refresh_token: SecretString,
    /// What relative image paths resolve against, without a trailing slash.
    pub image_origin: String,
    /// Timeouts, size cap, retries, proxy, plain-http opt-in.
    pub http: HttpConfig,
}

impl GiftimbizConfig {
    /// The keys of the section [`GiftimbizConfig::from_section`] reads (the common
    /// transport keys of [`HttpConfig::from_section`] aside): the factory's
    /// [`coupon_core::AdapterFactory::config`], which explains a missing or wrong section.
    pub const KEYS: &'static [ConfigKey] = &[
        ConfigKey::required("base_url", "\"https://www.giftiexchange.com\"", "the vendor's origin"),
        ConfigKey::required("partner_id", "\"…\"", "partner id (`devtest1` is the vendor's test account)"),
        ConfigKey::secret("partner_key", "the `Partnerkey` header"),
        ConfigKey::secret("partner_token", "the `Partnertoken` header"),
        ConfigKey::secret("refresh_token", "the refresh token"),
        ConfigKey::optional("image_origin", "\"https://…\"", "where relative image paths resolve"),
    ];

    /// A configuration from code, with default transport settings and images
    /// resolved against `base_url`.
    ///
    /// # Errors
    ///
    /// [`coupon_core::ErrorKind::Config`] when `base_url` is not an http(s) URL
    /// without query or fragment ([`parse_url`]), or `partner_id` is empty.
    pub fn new(
        base_url: &str,
        partner_id: &str,
        partner_key: &str,
        partner_token: &str,
        refresh_token: &str,
    ) -> Result<Self> {
        let base_url = parse_url(SECTION, "base_url", base_url)?;
        let secret = |s: &str| SecretString::from(s.trim().to_owned());
        Self::with_base(base_url, partner_id.trim(), secret(partner_key), secret(partner_token), secret(refresh_token))
    }

    fn with_base(
        base_url: Url,
        partner_id: &str,
        partner_key: SecretString,
        partner_token: SecretString,
        refresh_token: SecretString,
    ) -> Result<Self> {
        let base_url = with_trailing_slash(base_url);
        let partner_id = partner_id.to_owned();
        if partner_id.trim().is_empty() {
            return Err(Error::config("[giftimbiz] `partner_id` is empty").with_field("partner_id"));
        }
        let image_origin = origin_text(&base_url);
        Ok(Self {
            base_url,
            partner_id,
            partner_key,
            partner_token,
            refresh_token,
            image_origin,
            http: HttpConfig::default(),
        })
    }

    /// Reads the `[giftimbiz]` section; unknown keys are refused by name.
    ///
    /// # Errors
    ///
    /// [`coupon_core::ErrorKind::Config`] naming the key that is missing, malformed or unknown.
    pub fn from_section(section: &ConfigSection) -> Result<Self> {
        let mut r = section.reader();
        let base_url = r.required_url("base_url")?;
        let partner_id = r.required("partner_id")?;
        let partner_key = r.required_secret("partner_key")?;
        let partner_token = r.required_secret("partner_token")?;
        let refresh_token = r.required_secret("refresh_token")?;
        let image_origin = r.optional_url("image_origin")?;
        let http = HttpConfig::from_section(&mut r)?;
        r.finish()?;
        let mut c = Self::with_base(base_url, &partner_id, partner_key, partner_token, refresh_token)?;
        if let Some(origin) = image_origin {
            c.image_origin = origin_text(&origin);
        }
        Ok(c.with_http(http))
    }

    /// Resolves relative image paths against `origin` instead of `base_url`.
    ///
    /// # Errors
    ///
    /// [`coupon_core::ErrorKind::Config`] when it is not an http(s) URL without
    /// query or fragment ([`parse_url`]).
    pub fn with_image_origin(mut self, origin: &str) -> Result<Self> {
        self.image_origin = origin_text(&parse_url(SECTION, "image_origin", origin)?);
        Ok(self)
    }

    /// Replaces the transport settings.
    pub fn with_http(mut self, http: HttpConfig) -> Self {
        self.http = http;
        self
    }
}

/// The section name, as errors name it.
const SECTION: &str = "giftimbiz";

/// The root with a trailing slash, so `join("api/v1/…")` keeps its path.
fn with_trailing_slash(mut url: Url) -> Url {
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url
}

/// What relative image paths are joined to: the URL without a trailing slash.
fn origin_text(url: &Url) -> String {
    url.as_str().trim_end_matches('/').to_string()
}

impl fmt::Debug for GiftimbizConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GiftimbizConfig")
            .field("base_url", &self.base_url.as_str())
            .field("partner_id", &self.partner_id)
            .field("partner_key", &Redacted)
            .field("partner_token", &Redacted)
            .field("refresh_token", &Redacted)
            .field("image_origin", &self.image_origin)
            .field("http", &self.http)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section() -> ConfigSection {
        let mut s = ConfigSection::new("giftimbiz");
        s.set("base_url", "http://127.0.0.1:8089/giftimbiz");
        s.set("partner_id", "sandbox");
        s.set("partner_key", "sandbox-partner-key");
        s.set("partner_token", "sandbox-partner-token");
        s.set("refresh_token", "sandbox-refresh-token");
        s
    }

    #[test]
    fn reads_the_sandbox_section_and_keeps_secrets_out_of_debug() {
        let c = GiftimbizConfig::from_section(&section()).unwrap();
        assert_eq!(c.base_url.as_str(), "http://127.0.0.1:8089/giftimbiz/");
        assert_eq!(c.image_origin, "http://127.0.0.1:8089/giftimbiz");
        let shown = format!("{c:?}");
        for secret in ["sandbox-partner-key", "sandbox-partner-token", "sandbox-refresh-token"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("partner_key: [redacted]"), "{shown}");
    }

    #[test]
    fn urls_follow_the_one_url_rule() {
        for bad in ["ftp://x/", "https://x/?a=1", "https://x/#top", "not a url"] {
            let mut s = section();
            s.set("base_url", bad);
            assert_eq!(GiftimbizConfig::from_section(&s).unwrap_err().field(), Some("base_url"), "{bad}");
            let mut s = section();
            s.set("image_origin", bad);
            assert_eq!(GiftimbizConfig::from_section(&s).unwrap_err().field(), Some("image_origin"), "{bad}");
        }
        let e = GiftimbizConfig::new("https://x/?a=1", "p", "k", "t", "r").unwrap_err();
        assert_eq!(e.field(), Some("base_url"));
    }

    #[test]
    fn unknown_and_missing_keys_are_named() {
        let mut s = section();
        s.set("partner_secret", "x");
        assert_eq!(GiftimbizConfig::from_section(&s).unwrap_err().field(), Some("partner_secret"));
        let mut s = ConfigSection::new("giftimbiz");
        s.set("base_url", "https://www.giftiexchange.com");
        assert_eq!(GiftimbizConfig::from_section(&s).unwrap_err().field(), Some("partner_id"));
    }

    #[test]
    fn image_origin_and_transport_keys_are_read() {
        let mut s = section();
        s.set("image_origin", "https://img.example/");
        s.set("read_timeout_ms", "1500");
        let c = GiftimbizConfig::from_section(&s).unwrap();
        assert_eq!(c.image_origin, "https://img.example");
        assert_eq!(c.http.read_timeout, std::time::Duration::from_millis(1500));
        s.set("image_origin", "not a url");
        assert_eq!(GiftimbizConfig::from_section(&s).unwrap_err().field(), Some("image_origin"));
    }
}
