//! The COUFUN (쿠펀, T-Scientific) adapter: coupon status and balance inquiry
//! over `POST {base}/b2c_api/coufunPartAmountStatus.do` answering EUC-KR XML.
//!
//! - [`Coufun`]: the native client; [`Coufun::status`] returns every order record.
//! - [`CoufunAdapter`]: the shared [`coupon_core::Adapter`] operations `status`
//!   and `balance`, for coupons named by [`coupon_core::CouponRef::Barcode`].
//! - [`wire`]: the request and the XML parser, sans-IO (fuzzed); [`codes`]: the
//!   `RESULT_CODE` table ([`codes::TABLE`], a [`coupon_core::codes::CodeTable`]).
//!
//! The crate has the shape of every adapter: a refusal (`RESULT_CODE` other than
//! `00`) is a [`coupon_core::codes::Refusal`] mapped by
//! [`coupon_core::codes::refusal_or_status`], in a 2xx answer and in a 4xx one
//! (a 4xx without a code is decided by its status); unknown codes are kept
//! verbatim; `base_url` is read by [`coupon_core::config::parse_url`] (or a
//! preset); [`FACTORY`] is registered with `inventory`. Nothing here issues, so
//! `reconcile` is unsupported.
//!
//! Configuration (`[coufun]`): `base_url` (a URL, `production` or `test`),
//! `poc_id`, and the common transport keys. The caller's IP must be registered
//! with COUFUN; there is no key.
//!
//! ```no_run
//! use adapter_coufun::{CoufunAdapter, CoufunConfig};
//! use coupon_core::{Adapter, CouponRef, CouponStatus};
//! # async fn demo() -> coupon_core::Result<()> {
//! let adapter = CoufunAdapter::new(CoufunConfig::new("test", "MYSHOP")?)?;
//! let coupon = CouponRef::barcode("CF20001000", "ABC1234567890");
//! if let CouponStatus::Unused = adapter.status(&coupon).await? {
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

use coupon_core::Vendor;

/// The vendor name: also the config section and the sandbox prefix.
pub const VENDOR: Vendor = Vendor::new("coufun");

/// The keys of the `[coufun]` section.
#[cfg(feature = "client")]
const CONFIG_KEYS: &[coupon_core::config::ConfigKey] = &[
    coupon_core::config::ConfigKey::required("base_url", "\"test\"", "a URL, or `production` or `test`"),
    coupon_core::config::ConfigKey::required("poc_id", "\"…\"", "the customer id COUFUN assigned"),
];

#[cfg(feature = "client")]
const fn factory() -> coupon_core::AdapterFactory {
    coupon_core::AdapterFactory {
        name: VENDOR.as_str(),
        summary: "COUFUN (쿠펀): coupon status and stored-value balance by barcode, EUC-KR XML",
        capabilities: CAPABILITIES,
        config: CONFIG_KEYS,
        build,
    }
}

#[cfg(feature = "client")]
fn build(
    section: &coupon_core::config::ConfigSection,
) -> coupon_core::Result<std::sync::Arc<dyn coupon_core::Adapter>> {
    let config = CoufunConfig::from_section(section)?;
    Ok(std::sync::Arc::new(CoufunAdapter::new(config)?))
}

/// How the registry builds this adapter; also submitted to `inventory`.
#[cfg(feature = "client")]
pub static FACTORY: coupon_core::AdapterFactory = factory();

#[cfg(feature = "client")]
coupon_core::inventory::submit!(factory());
