//! The operations every vendor shares.

use std::fmt::Debug;

use async_trait::async_trait;
use chrono::NaiveDate;

use crate::capabilities::Capabilities;
use crate::catalog::{Page, Product, ProductQuery};
use crate::coupon::{
    Balance, CouponCheck, CouponRef, CouponStatus, IssueRequest, Issued, Reconciliation, RedemptionReport,
};
use crate::error::{Error, Result};
use crate::refs::{OrderRef, PartnerRef};
use crate::time::KstDateTime;
use crate::vendor::Vendor;

/// Names of the trait's operations, as they appear in errors.
pub mod op {
    /// [`super::Adapter::issue`]
    pub const ISSUE: &str = "issue";
    /// [`super::Adapter::cancel`]
    pub const CANCEL: &str = "cancel";
    /// [`super::Adapter::status`]
    pub const STATUS: &str = "status";
    /// [`super::Adapter::resend`]
    pub const RESEND: &str = "resend";
    /// [`super::Adapter::products`]
    pub const PRODUCTS: &str = "products";
    /// [`super::Adapter::product`]
    pub const PRODUCT: &str = "product";
    /// [`super::Adapter::redemptions`]
    pub const REDEMPTIONS: &str = "redemptions";
    /// [`super::Adapter::balance`]
    pub const BALANCE: &str = "balance";
    /// [`super::Adapter::reconcile`]
    pub const RECONCILE: &str = "reconcile";
}

/// One vendor behind the operations vendors share.
///
/// Every operation has a default body answering [`crate::ErrorKind::Unsupported`];
/// an adapter overrides what its vendor offers and says so in
/// [`Adapter::capabilities`]. Operations only one vendor has stay on that
/// adapter's native client: the trait is not stretched to fit them.
///
/// Money-moving operations (`issue`, `cancel`, `resend`) are never repeated by
/// the library once they may have reached the vendor, unless the vendor
/// deduplicates them; a doubt is [`crate::ErrorKind::OutcomeUnknown`] carrying
/// the caller's [`crate::PartnerRef`].
///
/// ```
/// use coupon_core::{async_trait, Adapter, Capabilities, ErrorKind, OrderRef, Vendor};
///
/// #[derive(Debug)]
/// struct Nothing;
///
/// #[async_trait]
/// impl Adapter for Nothing {
///     fn vendor(&self) -> Vendor { Vendor::new("nothing") }
///     fn capabilities(&self) -> Capabilities { Capabilities::NONE }
/// }
///
/// # tokio_test_block_on(async {
/// let err = Nothing.cancel(&OrderRef::new("1")).await.unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Unsupported);
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
#[async_trait]
pub trait Adapter: Send + Sync + Debug {
    /// The vendor.
    fn vendor(&self) -> Vendor;

    /// What this adapter implements.
    fn capabilities(&self) -> Capabilities;

    /// Issues (or buys) one coupon. Money-moving.
    ///
    /// The request's [`IssueRequest::partner_ref`] is in the result and in every
    /// error. An outcome the adapter cannot know is
    /// [`crate::ErrorKind::OutcomeUnknown`]: settle it with [`Adapter::reconcile`]
    /// and the same request, never by issuing again with a new reference.
    async fn issue(&self, request: &IssueRequest) -> Result<Issued> {
        let _ = request;
        Err(Error::unsupported(self.vendor(), op::ISSUE))
    }

    /// Checks `request` as [`Adapter::issue`] would before sending it, and sends
    /// nothing: the fields this vendor needs, those it has no place for, and the
    /// limits of its document. A request that passes may still be refused by the
    /// vendor (an unknown product, a phone number it does not serve). Bulk callers
    /// (campaigns) run it over every row before the first coupon is issued.
    fn check_issue(&self, request: &IssueRequest) -> Result<()> {
        request.check_text()
    }

    /// Cancels an issued coupon. Money-moving.
    async fn cancel(&self, order: &OrderRef) -> Result<()> {
        let _ = order;
        Err(Error::unsupported(self.vendor(), op::CANCEL))
    }

    /// Reads a coupon's state.
    async fn status(&self, coupon: &CouponRef) -> Result<CouponStatus> {
        let _ = coupon;
        Err(Error::unsupported(self.vendor(), op::STATUS))
    }

    /// Reads a coupon's state with whatever else the vendor says beside it: the last day
    /// it can be used, whether its message was delivered, and its order id and PIN where
    /// the answer carries them. Offered with [`Capabilities::status`]; the default is
    /// [`Adapter::status`] alone, for a vendor whose answer says nothing more.
    async fn check(&self, coupon: &CouponRef) -> Result<CouponCheck> {
        self.status(coupon).await.map(CouponCheck::from)
    }

    /// How [`Adapter::check`] names the coupon issued for `partner_ref`, where the vendor
    /// looks coupons up by the caller's reference (Giftishow's `tr_id`); `None` where it
    /// cannot (then a coupon whose order id was never learnt cannot be looked up).
    fn coupon_of_partner_ref(&self, partner_ref: &PartnerRef) -> Option<CouponRef> {
        let _ = partner_ref;
        None
    }

    /// Sends the coupon message again.
    async fn resend(&self, order: &OrderRef) -> Result<()> {
        let _ = order;
        Err(Error::unsupported(self.vendor(), op::RESEND))
    }

    /// Lists products.
    async fn products(&self, query: &ProductQuery) -> Result<Page<Product>> {
        let _ = query;
        Err(Error::unsupported(self.vendor(), op::PRODUCTS))
    }

    /// One product's details.
    async fn product(&self, id: &str) -> Result<Product> {
        let _ = id;
        Err(Error::unsupported(self.vendor(), op::PRODUCT))
    }

    /// The coupons redeemed on a day (KST).
    async fn redemptions(&self, day: NaiveDate) -> Result<RedemptionReport> {
        let _ = day;
        Err(Error::unsupported(self.vendor(), op::REDEMPTIONS))
    }

    /// What is left on a stored-value coupon.
    async fn balance(&self, coupon: &CouponRef) -> Result<Balance> {
        let _ = coupon;
        Err(Error::unsupported(self.vendor(), op::BALANCE))
    }

    /// Settles an [`Adapter::issue`] whose outcome is in doubt: given the same
    /// request (its [`IssueRequest::partner_ref`] included) and a time no later
    /// than when it was first sent, answers whether a coupon exists for it.
    ///
    /// A vendor that can only look (a purchase history) only looks: it never
    /// sends the request again. A vendor that refuses a repeated reference
    /// ([`Capabilities::issue_deduplicated`]) may settle by re-sending the same
    /// request with the same reference: then [`Reconciliation::Issued`] may mean
    /// "issued now", and a duplicate refusal means "issued by the earlier
    /// attempt" (details unknown); either way one coupon for the reference.
    async fn reconcile(&self, request: &IssueRequest, since: KstDateTime) -> Result<Reconciliation> {
        let _ = (request, since);
        Err(Error::unsupported(self.vendor(), op::RECONCILE))
    }
}
