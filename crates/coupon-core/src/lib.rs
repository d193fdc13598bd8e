//! `coupon-core`: what every vendor adapter of the `coupon` SDK shares.
//!
//! - Domain types: [`Vendor`], [`Won`], [`PhoneNumber`] (masked), [`Pin`]
//!   (masked), [`PartnerRef`], [`OrderRef`], [`Product`], [`Page`],
//!   [`CouponStatus`], [`Balance`], [`Redemption`], [`IssueRequest`], [`Issued`].
//! - The [`Adapter`] trait and its [`Capabilities`].
//! - One [`Error`] with an [`ErrorKind`], the vendor's code verbatim and a retryable flag;
//!   [`context`] adds the vendor, the operation and the caller's reference to every
//!   error an adapter returns, in one place.
//! - The [`registry`] of installed adapters, and [`config`] sections.
//! - [`http`]: the transport with timeouts, size cap, strict decoding and the retry rules
//!   (behind the default `http` feature, so parsers build without the HTTP stack).
//! - [`text`]: EUC-KR/CP949 and byte lengths; [`time`]: KST; [`json`]: the one rule
//!   for the keys of a JSON answer.
//!
//! The core knows no vendor: adding one means one new adapter crate and one
//! feature line in the facade.

mod adapter;
mod capabilities;
mod catalog;
pub mod codes;
pub mod config;
pub mod context;
mod coupon;
mod error;
#[cfg(feature = "http")]
pub mod http;
pub mod json;
mod money;
pub mod phone;
mod refs;
pub mod registry;
pub mod text;
pub mod time;
pub mod validate;
mod vendor;

pub use adapter::{Adapter, op};
pub use async_trait::async_trait;
pub use capabilities::Capabilities;
pub use catalog::{Availability, Brand, Category, Page, Product, ProductQuery, Validity};
pub use context::{ErrorContext, WithErrorContext};
pub use coupon::{
    Balance, CouponCheck, CouponRef, CouponStatus, Delivery, IssueRequest, Issued, LineError, Reconciliation,
    RedeemedAt, Redemption, RedemptionReport,
};
pub use error::{Error, ErrorKind, Result, VendorCode};
pub use money::Won;
pub use phone::{PhoneError, PhoneNumber};
pub use refs::{OrderRef, PartnerRef, Pin};
pub use registry::{AdapterFactory, Registry};
pub use vendor::Vendor;

/// Re-exported for adapter crates and callers.
pub use chrono;
/// Re-exported for adapters choosing a charset.
pub use encoding_rs;
/// Re-exported so adapter crates submit factories without naming `inventory` themselves.
pub use inventory;
/// Re-exported: secrets in configs are `SecretString`.
pub use secrecy;
