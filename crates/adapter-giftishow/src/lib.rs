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
//! The crate has the shape of every adapter (`docs/architecture.md`): answers are read
//! by the core's one rule ([`coupon_core::codes::read_answer`]), JSON keys by the
//! project's rule ([`coupon_core::json`]), and every error names the vendor and the
//! operation, added in one place ([`coupon_core::context`]).
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

    use coupon_core::config::ConfigSection;
    use coupon_core::{Adapter, AdapterFactory, Result};

    use crate::{CAPABILITIES, Giftishow, GiftishowAdapter, GiftishowConfig, VENDOR};

    fn build(section: &ConfigSection) -> Result<Arc<dyn Adapter>> {
        let config = GiftishowConfig::from_section(section)?;
        Ok(Arc::new(GiftishowAdapter::new(Giftishow::new(config)?)))
    }

    /// The factory, as registered with `inventory` and exported as [`crate::FACTORY`].
    pub(crate) const fn factory() -> AdapterFactory {
        AdapterFactory {
            name: VENDOR.as_str(),
            summary: "Giftishow Biz (기프티쇼 비즈, experimental): send coupons by tr_id, cancel, status, resend, goods, stored-value balance",
            capabilities: CAPABILITIES,
            config: GiftishowConfig::KEYS,
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
