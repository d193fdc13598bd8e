//! The Giftletter (기프트레터, gift-n.net) adapter of the `coupon` SDK.
//!
//! Giftletter issues mobile-coupon PINs by SMS (B2C API v1.6): eight endpoints,
//! GET with query parameters signed by an MD5 `enc`, JSON answers, and a daily
//! redemption report in EUC-KR text on a separate host.
//!
//! - [`Giftletter`]: the native client, one method per endpoint in the vendor's
//!   terms (`send_epin`, `cancel`, `status`, `resend_sms`, `goods_list`,
//!   `goods_info`, `brand_image`, `exchange_daily`).
//! - [`GiftletterAdapter`]: the shared [`coupon_core::Adapter`] operations,
//!   `reconcile` included.
//! - [`wire`] and [`codes`]: sans-IO request building (the signature in
//!   [`wire::sign`]), answer parsing and the code tables; they build without the
//!   `client` feature.
//!
//! The crate has the shape of every adapter (`docs/architecture.md`), and is the one
//! to copy: `codes.rs` is the vendor's table
//! ([`codes::TABLE`], a [`coupon_core::codes::CodeTable`]) plus the document's own
//! rules (two-part codes, catalog `STATUS` letters); refusals are
//! [`coupon_core::codes::Refusal`]s mapped by [`coupon_core::codes::refusal_or_status`],
//! for a 2xx answer and for a 4xx one whose body holds a result code (a 4xx
//! without one is decided by its status); the config reads URLs by
//! [`coupon_core::config::parse_url`] and shows the key as
//! [`coupon_core::config::Redacted`]; [`FACTORY`] is registered with `inventory`.
//! Every error names the vendor and the operation, added in one place
//! ([`coupon_core::context`]): the endpoint for a native call, ours for the adapter's.
//! Control characters are refused before anything is sent
//! ([`coupon_core::IssueRequest::check_text`], and the native requests by field).
//!
//! # Issuing safely
//!
//! `SendEPin` carries the caller's `co_tid` (the request's [`coupon_core::PartnerRef`]).
//! The vendor refuses a repeated `co_tid` (`P101`), so an issue whose outcome is
//! in doubt after sending (dropped connection, timeout, 5xx) is re-sent once with
//! the same `co_tid`:
//!
//! - a success means the first attempt never took effect: the coupon, once;
//! - `P101` means the first attempt issued it. That is a success, not an error:
//!   `issue` answers `Ok` with [`coupon_core::Issued::details_unknown`] set and no
//!   order id or PIN (the native [`Giftletter::send_epin`] answers
//!   [`Sent::ByEarlierAttempt`]);
//! - any doubt left is [`coupon_core::ErrorKind::OutcomeUnknown`] carrying the
//!   `co_tid`: settle it with [`coupon_core::Adapter::reconcile`] and the same
//!   request, which re-sends it with the same `co_tid` (issued now, or `P101`:
//!   issued before; never a second coupon).
//!
//! `P101` on a first attempt is [`coupon_core::ErrorKind::DuplicateReference`]:
//! the `co_tid` was used by an earlier call, and this call issued nothing.
//!
//! ```no_run
//! # #[cfg(feature = "client")]
//! # async fn demo() -> coupon_core::Result<()> {
//! use adapter_giftletter::{Giftletter, GiftletterConfig};
//! use coupon_core::{IssueRequest, PhoneNumber};
//!
//! let config = GiftletterConfig::new(
//!     "https://api.example/giftletter",
//!     "https://admin.example/mn_compare/ExchangeDaily.aspx",
//!     "my-cid",
//!     "my-auth-key",
//! )?;
//! let adapter = adapter_giftletter::GiftletterAdapter::new(Giftletter::new(config)?);
//! let request = IssueRequest::new("0000000582")
//!     .recipient(PhoneNumber::parse("010-1234-5678").unwrap())
//!     .callback(PhoneNumber::parse("1588-1234").unwrap())
//!     .title("선물이 도착했어요")
//!     .message("GS25 모바일상품권 1만원");
//! use coupon_core::Adapter;
//! let issued = adapter.issue(&request).await?;
//! println!("order {:?} for partner ref {}", issued.order, issued.partner_ref);
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
pub use adapter::{CAPABILITIES, GiftletterAdapter};
#[cfg(feature = "client")]
pub use client::{Giftletter, Sent};
#[cfg(feature = "client")]
pub use config::GiftletterConfig;

/// The core this adapter is built on, re-exported: its types (`Pin`, `PhoneNumber`,
/// `Error`, …) are part of this crate's API.
pub use coupon_core;

use coupon_core::Vendor;

/// The vendor name; also the config section and the sandbox route prefix.
pub const VENDOR: Vendor = Vendor::new("giftletter");

#[cfg(feature = "client")]
mod registration {
    use std::sync::Arc;

    use coupon_core::config::ConfigSection;
    use coupon_core::{Adapter, AdapterFactory, Result};

    use crate::{CAPABILITIES, Giftletter, GiftletterAdapter, GiftletterConfig, VENDOR};

    fn build(section: &ConfigSection) -> Result<Arc<dyn Adapter>> {
        let config = GiftletterConfig::from_section(section)?;
        Ok(Arc::new(GiftletterAdapter::new(Giftletter::new(config)?)))
    }

    /// The factory, as registered with `inventory` and exported as [`crate::FACTORY`].
    pub(crate) const fn factory() -> AdapterFactory {
        AdapterFactory {
            name: VENDOR.as_str(),
            summary: "Giftletter (기프트레터): issue mobile-coupon PINs by SMS, cancel, status, resend, goods, daily redemptions",
            capabilities: CAPABILITIES,
            config: GiftletterConfig::KEYS,
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
