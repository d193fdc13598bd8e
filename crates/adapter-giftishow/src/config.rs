//! The `[giftishow]` configuration section.

use std::fmt;

use coupon_core::config::{ConfigKey, ConfigSection, Redacted, parse_url};
use coupon_core::http::{HttpConfig, Url};
use coupon_core::secrecy::SecretString;
use coupon_core::{Error, PhoneNumber, Result};

use crate::wire::requests::{Gubun, Limits};

/// The section's name, as errors spell it.
const SECTION: &str = "giftishow";

/// The `api_code`s of the brand list and brand detail, which differ between
/// integrations (`brand_codes`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BrandCodes {
    /// `0102` list on `/brands`, `0112` detail on `/brands/{brand_code}` (most integrations).
    #[default]
    Separate,
    /// `0103` list and `0104` detail, both on `/brands`, the detail with a `brand_code` field (one integration).
    SamePath,
}

/// What the client needs: where the vendor is, who we are, how sends are made,
/// and the transport settings.
///
/// Keys: `base_url` (the API root, `https://bizapi.giftishow.com/bizApi`; operations
/// are `{base_url}/goods` …), `send_url` (the send's full URL; default
/// `{base_url}/send`, one integration uses `https://bizapi.giftishow.com/coupon/send`),
/// `auth_code` and `auth_token` (secret), `user_id`, `callback_no` (the sender
/// number shown to recipients, used when a request names none), `dev_mode`
/// (`true` sends `dev_yn=Y`: nothing is sent or charged), `gubun` (`N` the vendor
/// sends an MMS, the default; `Y` the PIN comes back; `I` a barcode image URL
/// comes back), `template_id` and `banner_id` (optional MMS design), the variants
/// `goods_detail_code` (`0111`, the default, or `0102`), `brand_codes`
/// (`0102/0112`, the default, or `0103/0104`), `mms_title_limit` (characters,
/// default 10; 20 in one integration) and `tr_id_limit` (default 25; 20 in one
/// integration), and the common transport keys of [`HttpConfig::from_section`].
///
/// `Debug` never shows the auth code or token ([`Redacted`]).
///
/// ```
/// use adapter_giftishow::GiftishowConfig;
/// use coupon_core::config::ConfigSection;
/// let mut s = ConfigSection::new("giftishow");
/// s.set("base_url", "https://bizapi.giftishow.com/bizApi");
/// s.set("auth_code", "REAL1234567890");
/// s.set("auth_token", "dG9rZW4=");
/// s.set("user_id", "partner01");
/// let c = GiftishowConfig::from_section(&s).unwrap();
/// assert_eq!(c.send_url.as_str(), "https://bizapi.giftishow.com/bizApi/send");
/// let shown = format!("{c:?}");
/// assert!(!shown.contains("REAL1234567890") && !shown.contains("dG9rZW4="));
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct GiftishowConfig {
    /// The API root the operations hang under.
    pub base_url: Url,
    /// The send's full URL.
    pub send_url: Url,
    /// `custom_auth_code`.
    pub auth_code: SecretString,
    /// `custom_auth_token`.
    pub auth_token: SecretString,
    /// `user_id`: the partner's Giftishow Biz member id.
    pub user_id: String,
    /// The default `callback_no`.
    pub callback_no: Option<PhoneNumber>,
    /// `dev_yn=Y`: test mode, nothing sent or charged.
    pub dev_mode: bool,
    /// `gubun`: how sent coupons reach their holders.
    pub gubun: Gubun,
    /// `template_id`, sent with every send when set.
    pub template_id: Option<String>,
    /// `banner_id`, sent with every send when set.
    pub banner_id: Option<String>,
    /// The goods detail's `api_code`: `0111` or `0102`.
    pub goods_detail_code: &'static str,
    /// The brand operations' `api_code`s.
    pub brand_codes: BrandCodes,
    /// The send's length limits.
    pub limits: Limits,
    /// Timeouts, size cap, retries, proxy, plain-http opt-in.
    pub http: HttpConfig,
}

impl GiftishowConfig {
    /// The keys of the section [`GiftishowConfig::from_section`] reads (the common
    /// transport keys of [`HttpConfig::from_section`] aside): the factory's
    /// [`coupon_core::AdapterFactory::config`], which explains a missing or wrong section.
    pub const KEYS: &'static [ConfigKey] = &[
        ConfigKey::required(
            "base_url",
            "\"https://bizapi.giftishow.com/bizApi\"",
            "the API root; operations are {base_url}/goods, …",
        ),
        ConfigKey::optional(
            "send_url",
            "\"https://bizapi.giftishow.com/coupon/send\"",
            "the send's full URL (default {base_url}/send)",
        ),
        ConfigKey::secret("auth_code", "custom_auth_code (production codes start with REAL)"),
        ConfigKey::secret("auth_token", "custom_auth_token"),
        ConfigKey::required("user_id", "\"…\"", "the Giftishow Biz member id"),
        ConfigKey::optional(
            "callback_no",
            "\"1588-1234\"",
            "sender number shown to recipients, when a request names none",
        ),
        ConfigKey::optional("dev_mode", "true", "dev_yn=Y: test mode, nothing is sent or charged"),
        ConfigKey::optional(
            "gubun",
            "\"N\"",
            "N: Giftishow sends an MMS; Y: the PIN comes back; I: a barcode image URL comes back",
        ),
        ConfigKey::optional("template_id", "\"…\"", "MMS template id sent with every send"),
        ConfigKey::optional("banner_id", "\"…\"", "MMS banner id sent with every send"),
        ConfigKey::optional("goods_detail_code", "\"0111\"", "the goods detail's api_code: 0111 or 0102"),
        ConfigKey::optional("brand_codes", "\"0102/0112\"", "the brand list/detail api_codes: 0102/0112 or 0103/0104"),
        ConfigKey::optional("mms_title_limit", "10", "characters of mms_title (10 in most integrations, 20 in one)"),
        ConfigKey::optional("tr_id_limit", "25", "characters of tr_id (25 in most integrations, 20 in one)"),
    ];

    /// A configuration with the defaults of most integrations: send at
    /// `{base_url}/send`, MMS delivery, production mode, default transport settings.
    ///
    /// # Errors
    ///
    /// [`coupon_core::ErrorKind::Config`] for a URL that is not http(s) without
    /// query or fragment, or an empty `user_id`.
    pub fn new(base_url: &str, auth_code: &str, auth_token: &str, user_id: &str) -> Result<Self> {
        let base_url = parse_url(SECTION, "base_url", base_url)?;
        let config = Self {
            send_url: default_send_url(&base_url)?,
            base_url,
            auth_code: SecretString::from(auth_code.trim().to_owned()),
            auth_token: SecretString::from(auth_token.trim().to_owned()),
            user_id: user_id.trim().to_owned(),
            callback_no: None,
            dev_mode: false,
            gubun: Gubun::Mms,
            template_id: None,
            banner_id: None,
            goods_detail_code: "0111",
            brand_codes: BrandCodes::Separate,
            limits: Limits::default(),
            http: HttpConfig::default(),
        };
        config.check()?;
        Ok(config)
    }

    /// Reads the `[giftishow]` section; unknown keys are refused by name.
    ///
    /// # Errors
    ///
    /// [`coupon_core::ErrorKind::Config`] naming the key that is missing, malformed or unknown.
    pub fn from_section(section: &ConfigSection) -> Result<Self> {
        let mut r = section.reader();
        let base_url = r.required_url("base_url")?;
        let send_url = r.optional_url("send_url")?;
        let auth_code = r.required_secret("auth_code")?;
        let auth_token = r.required_secret("auth_token")?;
        let user_id = r.required("user_id")?;
        let callback_no = match r.optional("callback_no") {
            None => None,
            Some(text) => Some(PhoneNumber::parse(&text).map_err(|e| {
                Error::config(format!("[{SECTION}] `callback_no` {e}; give the sender number shown to recipients"))
                    .with_field("callback_no")
            })?),
        };
        let dev_mode = r.bool("dev_mode")?.unwrap_or(false);
        let gubun = match r.choice("gubun", &["n", "y", "i"])? {
            Some(letter) => Gubun::parse(letter).unwrap_or_default(),
            None => Gubun::Mms,
        };
        let template_id = r.optional("template_id");
        let banner_id = r.optional("banner_id");
        let goods_detail_code = r.choice("goods_detail_code", &["0111", "0102"])?.unwrap_or("0111");
        let brand_codes = match r.choice("brand_codes", &["0102/0112", "0103/0104"])? {
            Some("0103/0104") => BrandCodes::SamePath,
            Some(_) | None => BrandCodes::Separate,
        };
        let mut limits = Limits::default();
        if let Some(n) = r.u64("mms_title_limit")? {
            limits.mms_title = in_range("mms_title_limit", n, 1, 100)?;
        }
        if let Some(n) = r.u64("tr_id_limit")? {
            limits.tr_id = in_range("tr_id_limit", n, 1, Limits::TR_ID_MAX as u64)?;
        }
        let http = HttpConfig::from_section(&mut r)?;
        r.finish()?;
        let config = Self {
            send_url: match send_url {
                Some(url) => url,
                None => default_send_url(&base_url)?,
            },
            base_url,
            auth_code,
            auth_token,
            user_id,
            callback_no,
            dev_mode,
            gubun,
            template_id,
            banner_id,
            goods_detail_code,
            brand_codes,
            limits,
            http,
        };
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<()> {
        if self.user_id.is_empty() || !self.user_id.chars().all(|c| c.is_ascii_graphic()) {
            return Err(Error::config(format!(
                "[{SECTION}] `user_id` must be the Giftishow Biz member id: printable ASCII without spaces ({} characters given)",
                self.user_id.chars().count()
            ))
            .with_field("user_id"));
        }
        for (key, value) in [("template_id", &self.template_id), ("banner_id", &self.banner_id)] {
            if let Some(v) = value {
                crate::wire::requests::code(key, v)
                    .map_err(|e| Error::config(format!("[{SECTION}] {}", e.message())).with_field(key))?;
            }
        }
        Ok(())
    }

    /// Replaces the transport settings.
    pub fn with_http(mut self, http: HttpConfig) -> Self {
        self.http = http;
        self
    }
}

fn in_range(key: &'static str, n: u64, low: u64, high: u64) -> Result<usize> {
    if !(low..=high).contains(&n) {
        return Err(Error::config(format!("[{SECTION}] `{key}` must be {low} to {high}; {n} given")).with_field(key));
    }
    usize::try_from(n).map_err(|_| Error::config(format!("[{SECTION}] `{key}` is too large")).with_field(key))
}

/// `{base_url}/send`.
fn default_send_url(base: &Url) -> Result<Url> {
    let mut url = base.clone();
    match url.path_segments_mut() {
        Ok(mut segments) => {
            segments.pop_if_empty().push("send");
        }
        Err(()) => return Err(Error::config(format!("[{SECTION}] `base_url` cannot be a base")).with_field("base_url")),
    }
    Ok(url)
}

impl fmt::Debug for GiftishowConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GiftishowConfig")
            .field("base_url", &self.base_url.as_str())
            .field("send_url", &self.send_url.as_str())
            .field("auth_code", &Redacted)
            .field("auth_token", &Redacted)
            .field("user_id", &self.user_id)
            .field("callback_no", &self.callback_no)
            .field("dev_mode", &self.dev_mode)
            .field("gubun", &self.gubun)
            .field("template_id", &self.template_id)
            .field("banner_id", &self.banner_id)
            .field("goods_detail_code", &self.goods_detail_code)
            .field("brand_codes", &self.brand_codes)
            .field("limits", &self.limits)
            .field("http", &self.http)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section() -> ConfigSection {
        let mut s = ConfigSection::new("giftishow");
        s.set("base_url", "http://127.0.0.1:8089/giftishow/bizApi");
        s.set("auth_code", "REALsandbox0000000001");
        s.set("auth_token", "c2FuZGJveC10b2tlbi1naWZ0aXNob3c=");
        s.set("user_id", "sandbox_biz");
        s.set("callback_no", "15880000");
        s
    }

    #[test]
    fn reads_the_sandbox_section_with_the_defaults_of_most_integrations() {
        let c = GiftishowConfig::from_section(&section()).unwrap();
        assert_eq!(c.send_url.as_str(), "http://127.0.0.1:8089/giftishow/bizApi/send");
        assert_eq!((c.gubun, c.dev_mode, c.goods_detail_code), (Gubun::Mms, false, "0111"));
        assert_eq!((c.brand_codes, c.limits), (BrandCodes::Separate, Limits { mms_title: 10, tr_id: 25 }));
        assert_eq!(c.callback_no.unwrap().expose_digits(), "15880000");
        let shown = format!("{:?}", GiftishowConfig::from_section(&section()).unwrap());
        assert!(!shown.contains("REALsandbox") && !shown.contains("c2FuZGJveC10b2tlbi1naWZ0aXNob3c="), "{shown}");
        assert!(shown.contains("auth_code: [redacted]"), "{shown}");
    }

    #[test]
    fn every_variant_is_a_key() {
        let mut s = section();
        s.set("send_url", "http://127.0.0.1:8089/giftishow/coupon/send");
        s.set("gubun", "Y");
        s.set("dev_mode", "true");
        s.set("goods_detail_code", "0102");
        s.set("brand_codes", "0103/0104");
        s.set("mms_title_limit", "20");
        s.set("tr_id_limit", "20");
        s.set("template_id", "T100");
        let c = GiftishowConfig::from_section(&s).unwrap();
        assert_eq!(c.send_url.as_str(), "http://127.0.0.1:8089/giftishow/coupon/send");
        assert_eq!((c.gubun, c.dev_mode, c.goods_detail_code), (Gubun::Pin, true, "0102"));
        assert_eq!((c.brand_codes, c.limits), (BrandCodes::SamePath, Limits { mms_title: 20, tr_id: 20 }));
        assert_eq!(c.template_id.as_deref(), Some("T100"));
    }

    #[test]
    fn bad_values_and_unknown_keys_are_named() {
        for (key, value) in [
            ("gubun", "X"),
            ("brand_codes", "0102"),
            ("goods_detail_code", "0101"),
            ("mms_title_limit", "0"),
            ("tr_id_limit", "99"),
            ("callback_no", "12"),
            ("send_url", "ftp://x/send"),
            ("user_id", "a b"),
            ("banner_id", "a b"),
            ("auth_secret", "x"),
        ] {
            let mut s = section();
            s.set(key, value);
            let e = GiftishowConfig::from_section(&s).unwrap_err();
            assert_eq!(e.field(), Some(key), "{key} = {value}: {e}");
        }
        let mut s = ConfigSection::new("giftishow");
        s.set("base_url", "https://bizapi.giftishow.com/bizApi");
        assert_eq!(GiftishowConfig::from_section(&s).unwrap_err().field(), Some("auth_code"));
    }
}
