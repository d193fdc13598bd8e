//! The [`Emulator`] trait every vendor module implements, the redemption request the
//! admin API hands to it, and the sandbox clock (KST).

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::aging::{AgeReport, AgeRequest};
use crate::error::AdminError;
use crate::records::CouponRecord;
use crate::samples::Samples;

/// One emulated vendor API.
///
/// The server nests [`router`](Emulator::router) under `/{name}` and
/// [`admin_router`](Emulator::admin_router) under `/_sandbox/{name}`. The emulator owns
/// its state (behind interior mutability, since every method takes `&self` and requests
/// run concurrently).
pub trait Emulator: Send + Sync + 'static {
    /// Vendor name and route prefix: `"giftletter"` serves under `/giftletter`.
    ///
    /// Lowercase ASCII letters, digits, `-` and `_`; it must not clash with an admin
    /// route (`fixtures`, `samples`, `reset`, `redeem`, `faults`, `stats`, `age`, `records`).
    fn name(&self) -> &'static str;

    /// The vendor's endpoints, with paths relative to the prefix (`/SendEPin`, not
    /// `/giftletter/SendEPin`).
    fn router(self: Arc<Self>) -> axum::Router;

    /// The fixture catalog this emulator serves, as JSON (`GET /_sandbox/fixtures`).
    fn fixtures(&self) -> serde_json::Value;

    /// The configuration section pointing the SDK at this emulator, header included
    /// (`[name]` and `key = "value"` lines, credentials too, ending with a newline),
    /// as [`RunningSandbox::config_toml`](crate::RunningSandbox::config_toml) writes it.
    /// `vendor_url` is where it is served: `http://127.0.0.1:PORT/{name}`.
    ///
    /// By default only `base_url`.
    fn config_section(&self, vendor_url: &str) -> String {
        format!("[{}]\nbase_url = \"{vendor_url}\"\n", self.name())
    }

    /// What a client of the SDK's shared operations would pass to exercise this
    /// emulator, in the SDK's vocabulary, so a tour or a conformance suite needs no
    /// per-vendor code (`GET /_sandbox/samples`). Set only for the operations this
    /// vendor offers:
    ///
    /// | field | JSON | for |
    /// |---|---|---|
    /// | `issue` | `{"product_id", "product_name"?, "amount"?, "recipient"?, "callback"?, "title"?, "message"?}` | `issue` |
    /// | `products` | `{"brand"?, "category"?}` | `products` |
    /// | `product` | a product id as the SDK adapter names it | `product` |
    /// | `coupon` | `{"product_id", "barcode"}`: a coupon of the fixtures | `status` by barcode |
    /// | `balance_coupon` | `{"product_id", "barcode"}`: a stored-value coupon of the fixtures | `balance` |
    /// | `balance_issue` | as `issue`, for a stored-value product: where no coupon exists before a request makes one, a tour issues this and reads the balance of its order | `balance` (without `balance_coupon`) |
    /// | `redemptions` | `true` | `redemptions` (the day's report) |
    /// | `refusal` | `{"operation", "content_type", "body", "code"}`: an answer in this vendor's format refusing `operation` (`product`, `products` or `status`, called with the samples above) with a `code` its document does not list | a [`FaultKind::Replace`](crate::FaultKind::Replace) fault showing that unknown codes are kept verbatim |
    ///
    /// By default none: nothing to tour (`{}`).
    fn samples(&self) -> Samples {
        Samples::default()
    }

    /// Forgets everything requests changed: back to the fixture catalog.
    fn reset(&self);

    /// Marks a coupon as used at a shop, as a customer redeeming it would
    /// (`POST /_sandbox/redeem`). Answers a JSON description of the redeemed coupon.
    ///
    /// # Errors
    ///
    /// [`AdminError::NotFound`] for an unknown coupon, [`AdminError::Conflict`] when it
    /// cannot be redeemed in its state, [`AdminError::BadRequest`] for a bad amount or time.
    fn redeem(&self, req: &RedeemRequest) -> Result<serde_json::Value, AdminError>;

    /// Vendor-specific admin routes, nested under `/_sandbox/{name}`. None by default.
    fn admin_router(self: Arc<Self>) -> Option<axum::Router> {
        None
    }

    /// Ages the coupons this emulator issued as `req` says (`POST /_sandbox/age`), all or
    /// nothing. By default 501: the emulator issues nothing to age.
    ///
    /// # Errors
    ///
    /// [`AdminError::BadRequest`] for a malformed section or one the vendor has nothing
    /// for, [`AdminError::NotFound`] for an unknown coupon, [`AdminError::Conflict`] when
    /// a coupon's state forbids it or too few coupons can be aged so.
    fn age(&self, req: &AgeRequest) -> Result<AgeReport, AdminError> {
        Err(AdminError::NotImplemented(format!("{} issues no coupons to age", req.vendor)))
    }

    /// Every coupon this emulator issued, oldest first, as it is now
    /// (`GET /_sandbox/records/{name}`); `None` (the default) when it issues none.
    fn records(&self) -> Option<Vec<CouponRecord>> {
        None
    }
}

/// The built-in emulators, one per module under `src/vendors/`, in name order, each
/// with a fresh state.
pub fn emulators() -> Vec<Arc<dyn Emulator>> {
    crate::vendors::built_in()
}

/// A redemption at a shop: body of `POST /_sandbox/redeem`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedeemRequest {
    /// Emulator name (the route prefix, e.g. `giftletter`).
    pub vendor: String,
    /// The coupon, in the vendor's own terms (PIN, barcode, purchased coupon index).
    pub id: String,
    /// Shop where it is redeemed; the emulator picks one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// For a stored-value coupon: how much of the balance is spent. The whole balance
    /// when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<u64>,
    /// When, as `YYYY-MM-DD HH:MM:SS` in KST; now when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

impl RedeemRequest {
    /// A redemption of coupon `id` at `vendor`, now, at a shop the emulator picks.
    pub fn new(vendor: impl Into<String>, id: impl Into<String>) -> Self {
        Self { vendor: vendor.into(), id: id.into(), branch: None, amount: None, at: None }
    }

    /// Redeems at this shop.
    pub fn branch(mut self, branch: impl Into<String>) -> Self {
        self.branch = Some(branch.into());
        self
    }

    /// Spends only this much of a stored-value coupon.
    pub fn amount(mut self, amount: u64) -> Self {
        self.amount = Some(amount);
        self
    }

    /// Redeems at this time, `YYYY-MM-DD HH:MM:SS` in KST.
    pub fn at(mut self, at: impl Into<String>) -> Self {
        self.at = Some(at.into());
        self
    }

    /// The redemption time: [`at`](Self::at) read as KST, or now.
    ///
    /// # Errors
    ///
    /// [`AdminError::BadRequest`] when `at` is not `YYYY-MM-DD HH:MM:SS`.
    pub fn at_kst(&self) -> Result<DateTime<FixedOffset>, AdminError> {
        match &self.at {
            None => Ok(now_kst()),
            Some(text) => parse_kst(text).ok_or_else(|| {
                AdminError::BadRequest(format!("`at` must be \"YYYY-MM-DD HH:MM:SS\" (KST), got {text:?}"))
            }),
        }
    }
}

/// Korea Standard Time, UTC+09:00 (Korea has no daylight saving time).
pub const KST: FixedOffset = match FixedOffset::east_opt(9 * 3600) {
    Some(offset) => offset,
    // Evaluated at compile time: a wrong constant fails the build, never a request.
    None => panic!("UTC+09:00 is a valid offset"),
};

/// The current time in KST.
pub fn now_kst() -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&KST)
}

/// Reads `YYYY-MM-DD HH:MM:SS` as a KST time.
pub fn parse_kst(text: &str) -> Option<DateTime<FixedOffset>> {
    let naive = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    naive.and_local_timezone(KST).single()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_is_read_as_kst() {
        let req = RedeemRequest::new("coufun", "1").at("2026-03-01 09:30:00");
        let at = req.at_kst().expect("valid time");
        assert_eq!(at.to_rfc3339(), "2026-03-01T09:30:00+09:00");
    }

    #[test]
    fn bad_at_is_a_bad_request() {
        let req = RedeemRequest::new("coufun", "1").at("2026-03-01T09:30");
        assert!(matches!(req.at_kst(), Err(AdminError::BadRequest(_))));
    }

    #[test]
    fn now_is_kst() {
        assert_eq!(now_kst().offset().local_minus_utc(), 9 * 3600);
    }

    #[test]
    fn built_in_names_are_the_module_names_sorted() {
        let names: Vec<_> = emulators().iter().map(|e| e.name()).collect();
        assert_eq!(names, crate::vendors::NAMES);
        assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        assert!(!names.is_empty());
    }
}
