//! The COUFUN (쿠펀, T-Scientific) adapter: coupon status and balance inquiry
//! over `POST {base}/b2c_api/coufunPartAmountStatus.do` answering EUC-KR XML.
//!
//! - [`Coufun`]: the native client; [`Coufun::status`] returns every order record.
//! - [`CoufunAdapter`]: the shared [`coupon_core::Adapter`] operations `status`
//!   and `balance`, for coupons named by [`coupon_core::CouponRef::Barcode`].
//! - [`wire`]: the request and the XML parser, sans-IO (fuzzed); [`codes`]: the
//!   `RESULT_CODE` table ([`codes::TABLE`], a [`coupon_core::codes::CodeTable`]).
//!
//! The crate has the shape of every adapter: answers are read by the core's one
//! rule ([`coupon_core::codes::read_answer_bytes`]: the parser applies the vendor's
//! charset rules itself); a refusal (`RESULT_CODE` other than `00`) is a
//! [`coupon_core::codes::Refusal`] mapped by [`coupon_core::codes::refusal_or_status`],
//! in a 2xx answer and in a 4xx one (a 4xx without a code is decided by its
//! status); unknown codes are kept verbatim; every error names the vendor and the
//! operation ([`coupon_core::context`]); `base_url` is read by [`coupon_core::config::parse_url`] (or a
//! preset); [`FACTORY`] is registered with `inventory`. Nothing here issues, so
//! `reconcile` is unsupported.
//!
//! Configuration (`[coufun]`): `base_url` (a URL, `production` or `test`),
//! `poc_id`, and the common transport keys. The caller's IP must be registered
//! with COUFUN; there is no key.
//!
//! ```no_run
//! use adapter_coufun::{Coufun, CoufunAdapter, CoufunConfig};
//! use coupon_core::{Adapter, CouponRef, CouponStatus};
//! # async fn demo() -> coupon_core::Result<()> {
//! let adapter = CoufunAdapter::new(Coufun::new(CoufunConfig::new("test", "MYSHOP")?)?);
//! let coupon = CouponRef::barcode("CF20001000", "ABC1234567890");
//! if let CouponStatus::Unused | CouponStatus::PartlyUsed { .. } = adapter.status(&coupon).await? {
//!     let balance = adapter.balance(&coupon).await?;
//!     println!("{} of {} left", balance.remaining, balance.total);
//! }
//! # Ok(()) }
//! ```
//!
//! Without the default `client` feature only [`wire`] and [`codes`] build (for fuzzing).

pub mod codes;
pub mod wire;

#[cfg(feature = "client")]
mod adapter;
#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
mod config;

#[cfg(feature = "client")]
pub use adapter::{CAPABILITIES, CoufunAdapter};
#[cfg(feature = "client")]
pub use client::{Coufun, OPERATION};
#[cfg(feature = "client")]
pub use config::{CoufunConfig, PRODUCTION_URL, TEST_URL};

/// The core this adapter is built on, re-exported: its types (`Pin`, `CouponRef`,
/// `Error`, …) are part of this crate's API.
pub use coupon_core;

use coupon_core::Vendor;

/// The vendor name; also the config section and the sandbox route prefix.
pub const VENDOR: Vendor = Vendor::new("coufun");

#[cfg(feature = "client")]
mod registration {
    use std::sync::Arc;

    use coupon_core::config::ConfigSection;
    use coupon_core::{Adapter, AdapterFactory, Result};

    use crate::{CAPABILITIES, Coufun, CoufunAdapter, CoufunConfig, VENDOR};

    fn build(section: &ConfigSection) -> Result<Arc<dyn Adapter>> {
        let config = CoufunConfig::from_section(section)?;
        Ok(Arc::new(CoufunAdapter::new(Coufun::new(config)?)))
    }

    /// The factory, as registered with `inventory` and exported as [`crate::FACTORY`].
    pub(crate) const fn factory() -> AdapterFactory {
        AdapterFactory {
            name: VENDOR.as_str(),
            summary: "COUFUN (쿠펀): coupon status and stored-value balance by barcode, EUC-KR XML",
            capabilities: CAPABILITIES,
            config: CoufunConfig::KEYS,
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
