//! The GiftiMbiz (기프티엠비즈, Korea Gifti Exchange) adapter of the `coupon` SDK.
//!
//! - [`Giftimbiz`]: the native client, one method per endpoint of the vendor's
//!   document (tokens, gifticons, Starcoupons, QR images, marking used), paged
//!   listings as streams, and reconciliation of buys whose outcome is unknown.
//! - [`GiftimbizAdapter`]: the shared [`coupon_core::Adapter`] operations
//!   (products, product, issue = buy a gifticon, reconcile and status from the
//!   purchase history).
//! - [`wire`] and [`codes`]: sans-IO request parameters and answer parsers, and the
//!   code table ([`codes::TABLE`], a [`coupon_core::codes::CodeTable`]); they build
//!   without the `client` feature (for fuzzing).
//!
//! Tokens are fetched lazily, cached, shared by all clones, and refreshed by a single
//! flight when the vendor refuses one (T1, TOKEN07, TOKEN08). Buying moves money and
//! GiftiMbiz has no idempotency key: a buy is never sent twice because of a retry; a
//! doubt is `OutcomeUnknown`, settled by looking at the purchase history:
//! [`coupon_core::Adapter::reconcile`] with the same request, or natively
//! [`Giftimbiz::reconcile_gift_purchase`]. Reconciling never sends the buy again.
//!
//! Answers: the document sends `result` with every answer, so one without it (or with
//! `null`) is not a success but a protocol error (`OutcomeUnknown` on a buy or a use),
//! starDetail aside (its documented answer has none). Answers are read by the core's
//! one rule ([`coupon_core::codes::read_answer_bytes`]): a 2xx or 4xx with a vendor
//! code is that refusal, any other non-2xx answer is decided by its status. Every
//! error names the vendor and the operation, added in one place
//! ([`coupon_core::context`]): the endpoint for a native call, ours for the adapter's.
//!
//! ```no_run
//! # async fn demo() -> coupon_core::Result<()> {
//! use adapter_giftimbiz::wire::requests::GiftQuery;
//! use adapter_giftimbiz::{Giftimbiz, GiftimbizConfig, Reconciliation};
//! use coupon_core::config::ConfigSection;
//! use coupon_core::{ErrorKind, Won};
//!
//! let mut section = ConfigSection::new("giftimbiz");
//! section.set("base_url", "https://www.giftiexchange.com");
//! section.set("partner_id", "devtest1");
//! section.set("partner_key", "…");
//! section.set("partner_token", "…");
//! section.set("refresh_token", "…");
//! let client = Giftimbiz::new(GiftimbizConfig::from_section(&section)?)?;
//!
//! let page = client.gift_listings(&GiftQuery { category: Some("6".into()), ..GiftQuery::default() }).await?;
//! let item = &page.items[0];
//! let price = item.disprice.unwrap_or(Won(0));
//! let sent_at = coupon_core::time::now_kst();
//! match client.buy_gifticons(&[&item.md_idx], price, &item.product, None).await {
//!     Ok(receipt) => println!("bought: order {}", receipt.tid),
//!     Err(e) if e.kind() == ErrorKind::OutcomeUnknown => {
//!         let since = sent_at - coupon_core::chrono::Duration::minutes(5);
//!         match client.reconcile_gift_purchase(&item.md_idx, since).await? {
//!             Reconciliation::Bought(found) => println!("it went through: {}", found[0].tid),
//!             Reconciliation::NotBought => println!("it did not happen; buying again is safe"),
//!             Reconciliation::StillUnknown(why) => println!("ask again later: {why}"),
//!         }
//!     }
//!     Err(e) => return Err(e),
//! }
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
pub use adapter::{CAPABILITIES, GiftimbizAdapter, product_id};
#[cfg(feature = "client")]
pub use client::{Giftimbiz, Receipt, Reconciliation, TEST_PARTNER_ID};
#[cfg(feature = "client")]
pub use config::GiftimbizConfig;

/// The core this adapter is built on, re-exported: its types (`Won`, `PartnerRef`,
/// `Error`, …) are part of this crate's API.
pub use coupon_core;

use coupon_core::Vendor;

/// The vendor name; also the config section and the sandbox route prefix.
pub const VENDOR: Vendor = Vendor::new("giftimbiz");

#[cfg(feature = "client")]
mod registration {
    use std::sync::Arc;

    use coupon_core::config::ConfigSection;
    use coupon_core::{Adapter, AdapterFactory, Result};

    use crate::{CAPABILITIES, Giftimbiz, GiftimbizAdapter, GiftimbizConfig, VENDOR};

    fn build(section: &ConfigSection) -> Result<Arc<dyn Adapter>> {
        let config = GiftimbizConfig::from_section(section)?;
        Ok(Arc::new(GiftimbizAdapter::new(Giftimbiz::new(config)?)))
    }

    /// The factory, as registered with `inventory` and exported as [`crate::FACTORY`].
    pub(crate) const fn factory() -> AdapterFactory {
        AdapterFactory {
            name: VENDOR.as_str(),
            summary: "GiftiMbiz (기프티엠비즈): buy gifticons and Starcoupons from Korea Gifti Exchange",
            capabilities: CAPABILITIES,
            config: GiftimbizConfig::KEYS,
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
