//! The GiftiMbiz (기프티엠비즈, Korea Gifti Exchange) adapter of the `coupon` SDK.
//!
//! - [`Giftimbiz`]: the native client, one method per endpoint of the vendor's
//!   document (tokens, gifticons, Starcoupons, QR images, marking used), paged
//!   listings as streams, and reconciliation of buys whose outcome is unknown.
//! - [`GiftimbizAdapter`]: the shared [`coupon_core::Adapter`] operations
//!   (products, product, issue = buy a gifticon, reconcile and status from the
//!   purchase history).
//! - [`wire`] and [`codes`]: sans-IO parsers and the code table ([`codes::TABLE`], a
//!   [`coupon_core::codes::CodeTable`]); they build without the `client` feature (for fuzzing).
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
//! starDetail aside (its documented answer has none). Refusals follow the core's one
//! rule ([`coupon_core::codes::refusal_or_status`]): a 2xx or 4xx with a vendor code is
//! that refusal, any other non-2xx answer is decided by its status.
//!
//! ```no_run
//! # async fn demo() -> coupon_core::Result<()> {
//! use adapter_giftimbiz::{Giftimbiz, GiftimbizConfig, GiftQuery, Reconciliation};
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
mod request;
#[cfg(feature = "client")]
mod token;

#[cfg(feature = "client")]
pub use adapter::{CAPABILITIES, GiftimbizAdapter, product_id};
#[cfg(feature = "client")]
pub use client::{Giftimbiz, TEST_PARTNER_ID};
#[cfg(feature = "client")]
pub use config::GiftimbizConfig;
#[cfg(feature = "client")]
pub use request::{GiftOrder, GiftQuery, Receipt, Reconciliation, StarPurchaseRequest, StarQuery};
pub use wire::VENDOR;

#[cfg(feature = "client")]
mod registration {
    use std::sync::Arc;

    use coupon_core::config::{ConfigKey, ConfigSection};
    use coupon_core::{Adapter, AdapterFactory, Result};

    use crate::{CAPABILITIES, Giftimbiz, GiftimbizAdapter, GiftimbizConfig, VENDOR};

    /// The keys of the section.
    const CONFIG_KEYS: &[ConfigKey] = &[
        ConfigKey::required("base_url", "\"https://www.giftiexchange.com\"", "the vendor's origin"),
        ConfigKey::required("partner_id", "\"…\"", "partner id (`devtest1` is the vendor's test account)"),
        ConfigKey::secret("partner_key", "the `Partnerkey` header"),
        ConfigKey::secret("partner_token", "the `Partnertoken` header"),
        ConfigKey::secret("refresh_token", "the refresh token"),
        ConfigKey::optional("image_origin", "\"https://…\"", "where relative image paths resolve"),
    ];

    fn build(section: &ConfigSection) -> Result<Arc<dyn Adapter>> {
        let config = GiftimbizConfig::from_section(section)?;
        Ok(Arc::new(GiftimbizAdapter::new(Giftimbiz::new(config)?)))
    }

    /// The factory, as both the `static` and the `inventory` submission use it.
    pub(crate) const fn factory() -> AdapterFactory {
        AdapterFactory {
            name: VENDOR.as_str(),
            summary: "GiftiMbiz (기프티엠비즈): buy gifticons and Starcoupons from Korea Gifti Exchange",
            capabilities: CAPABILITIES,
            config: CONFIG_KEYS,
            build,
        }
    }

    coupon_core::inventory::submit!(factory());
}

/// The adapter's factory, for explicit registration with
/// [`coupon_core::Registry::register`].
#[cfg(feature = "client")]
pub static FACTORY: coupon_core::AdapterFactory = registration::factory();
