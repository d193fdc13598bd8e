//! The Giftishow Biz (기프티쇼 비즈, KT alpha) adapter of the `coupon` SDK.
//!
//! **Experimental.** Giftishow Biz's API document is handed to partners and is not
//! public; this adapter is built from a reading reconstructed from public
//! integrations (`giftishow-biz-reconstructed.md`), and accepts every variant they
//! show. Check it against a partner's copy of the document before relying on it.
//!
//! Every call is a form `POST` carrying `api_code`, the partner's auth code and
//! token, and `dev_yn`; every answer is JSON `{"code", "message", "result"}`.
//!
//! - [`Giftishow`]: the native client, one method per operation in the vendor's
//!   terms (`goods`, `goods_detail`, `brands`, `brand_detail`, `send`, `coupons`,
//!   `cancel`, `resend`, `send_fail_cancel`, `bizmoney`).
//! - [`GiftishowAdapter`]: the shared [`coupon_core::Adapter`] operations,
//!   `reconcile` included.
//! - [`wire`], [`codes`]: sans-IO form fields, answer parsers and the code tables;
//!   they build without the `client` feature.
//!
//! # Sending safely
//!
//! A send carries the caller's `tr_id` (the request's [`coupon_core::PartnerRef`],
//! at most 25 characters, or the configured `tr_id_limit`). The vendor refuses a
//! repeated `tr_id` (`ERR0215`) and looks coupons up by it (`0201`), so a send
//! whose answer is lost is settled without guessing:
//!
//! - the coupon detail for the `tr_id` is read first: a coupon there is the one
//!   the lost attempt issued, and `issue` answers `Ok` with it;
//! - only when the vendor says it has none (`ERR0204`/`ERR0212`) is the same send
//!   made again, with the same `tr_id`; `ERR0215` on it means the first attempt
//!   issued meanwhile: `Ok`, with [`coupon_core::Issued::details_unknown`] set;
//! - any doubt left is [`coupon_core::ErrorKind::OutcomeUnknown`] carrying the
//!   `tr_id`: settle it with [`coupon_core::Adapter::reconcile`], which reads the
//!   coupon detail and sends nothing.
//!
//! `ERR0215` on a first attempt is [`coupon_core::ErrorKind::DuplicateReference`];
//! `E0010` (bizmoney too low) is [`coupon_core::ErrorKind::InsufficientFunds`], which
//! stops a campaign.
//!
//! ```no_run
//! # #[cfg(feature = "client")]
//! # async fn demo() -> coupon_core::Result<()> {
//! use adapter_giftishow::{Giftishow, GiftishowAdapter, GiftishowConfig};
//! use coupon_core::{Adapter, IssueRequest, PhoneNumber};
//!
//! let config = GiftishowConfig::new("https://bizapi.giftishow.com/bizApi", "REAL…", "token…", "partner01")?;
//! let adapter = GiftishowAdapter::new(Giftishow::new(config)?);
//! let request = IssueRequest::new("G00001621744")
//!     .recipient(PhoneNumber::parse("010-1234-5678").unwrap())
//!     .callback(PhoneNumber::parse("1588-1234").unwrap())
//!     .title("선물 도착")
//!     .message("스타벅스 아메리카노 T");
//! let issued = adapter.issue(&request).await?;
//! println!("tr_id {} issued", issued.partner_ref);
//! println!("bizmoney left: {}", adapter.client().bizmoney().await?);
//! # Ok(()) }
//! ```

pub mod codes;
pub mod wire;

#[cfg(feature = "client")]
mod adapter;
#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
mod config;

#[cfg(feature = "client")]
pub use adapter::{CAPABILITIES, GiftishowAdapter};
#[cfg(feature = "client")]
pub use client::{Giftishow, Sent};
#[cfg(feature = "client")]
pub use config::{BrandCodes, GiftishowConfig};

/// The core this adapter is built on, re-exported: its types (`Pin`, `PhoneNumber`,
/// `Error`, …) are part of this crate's API.
pub use coupon_core;

use coupon_core::Vendor;

/// The vendor name; also the config section and the sandbox route prefix.
pub const VENDOR: Vendor = Vendor::new("giftishow");

#[cfg(feature = "client")]
mod registration {
    use std::sync::Arc;

    use coupon_core::AdapterFactory;
    use coupon_core::config::{ConfigKey, ConfigSection};

    use super::{CAPABILITIES, Giftishow, GiftishowAdapter, GiftishowConfig};

    /// The keys of the section.
    const CONFIG_KEYS: &[ConfigKey] = &[
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

    fn build(section: &ConfigSection) -> coupon_core::Result<Arc<dyn coupon_core::Adapter>> {
        let config = GiftishowConfig::from_section(section)?;
        Ok(Arc::new(GiftishowAdapter::new(Giftishow::new(config)?)))
    }

    /// The factory, as registered with `inventory` and exported as [`super::FACTORY`].
    pub(super) const fn factory() -> AdapterFactory {
        AdapterFactory {
            name: super::VENDOR.as_str(),
            summary: "Giftishow Biz (기프티쇼 비즈, experimental): send coupons by tr_id, cancel, status, resend, goods, stored-value balance",
            capabilities: CAPABILITIES,
            config: CONFIG_KEYS,
            build,
        }
    }
}

/// How to build this adapter from its config section, for explicit
/// [`coupon_core::Registry::register`] (it is also collected by `inventory`).
#[cfg(feature = "client")]
pub static FACTORY: coupon_core::AdapterFactory = registration::factory();

#[cfg(feature = "client")]
coupon_core::inventory::submit!(registration::factory());
