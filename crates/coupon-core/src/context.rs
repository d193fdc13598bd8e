//! Vendor, operation and the caller's reference on every error, added in one
//! place rather than by hand on each error (OpenDAL's error-context layer).
//!
//! Two places add them, one for each face of an adapter crate:
//!
//! - the native client runs each of its methods through [`in_context`] with the
//!   vendor's name of the endpoint (`SendEPin`, `listAll`): an input refused before
//!   sending and a rule an adapter adds on top of an answer then read as the
//!   transport's errors of an answer already do;
//! - the shared operations are an [`Adapter`] whose errors are completed by
//!   [`WithErrorContext`]: an adapter crate implements the operations on an inner
//!   type and its public adapter names that inner one; the [`Adapter`] impl every
//!   caller uses is this module's, and adds our operation's name (`issue`,
//!   `status`) and, for `issue`, `check_issue` and `reconcile`, the request's
//!   [`PartnerRef`]. The registry wraps every adapter it builds in [`ErrorContext`]
//!   as well, so an adapter whose crate forgot is still covered.
//!
//! What is already set on an error is kept: the endpoint a native call named stays
//! its operation, and a reference set deeper inside stays its reference.
//!
//! ```
//! use coupon_core::context::{ErrorContext, WithErrorContext};
//! use coupon_core::{async_trait, Adapter, Capabilities, CouponRef, CouponStatus, Error, Result, Vendor};
//!
//! #[derive(Debug)]
//! struct Operations;
//!
//! #[async_trait]
//! impl Adapter for Operations {
//!     fn vendor(&self) -> Vendor { Vendor::new("acme") }
//!     fn capabilities(&self) -> Capabilities { Capabilities { status: true, ..Capabilities::NONE } }
//!     async fn status(&self, _: &CouponRef) -> Result<CouponStatus> {
//!         Err(Error::invalid_field("coupon", "must be an order"))
//!     }
//! }
//!
//! #[derive(Debug)]
//! struct AcmeAdapter { ops: Operations }
//!
//! impl WithErrorContext for AcmeAdapter {
//!     type Inner = Operations;
//!     fn inner(&self) -> &Operations { &self.ops }
//! }
//!
//! # tokio_test_block_on(async {
//! let e = AcmeAdapter { ops: Operations }.status(&CouponRef::order("1")).await.unwrap_err();
//! assert_eq!(e.to_string(), "acme status: invalid input: `coupon` must be an order");
//! let shared = ErrorContext::new(std::sync::Arc::new(Operations));
//! assert_eq!(shared.status(&CouponRef::order("1")).await.unwrap_err().to_string(), e.to_string());
//! # });
//! # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
//! # }
//! ```

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;

use crate::adapter::{Adapter, op};
use crate::capabilities::Capabilities;
use crate::catalog::{Page, Product, ProductQuery};
use crate::coupon::{
    Balance, CouponCheck, CouponRef, CouponStatus, IssueRequest, Issued, Reconciliation, RedemptionReport,
};
use crate::error::{Error, Result};
use crate::refs::{OrderRef, PartnerRef};
use crate::time::KstDateTime;
use crate::vendor::Vendor;

/// Runs `operation` of `vendor` and adds the vendor, the operation's name and the
/// caller's reference to any error it returns, where they are not set yet.
pub async fn in_context<T>(
    vendor: Vendor,
    operation: &'static str,
    partner_ref: Option<&PartnerRef>,
    fut: impl Future<Output = Result<T>>,
) -> Result<T> {
    fut.await.map_err(|e| e.in_context(vendor, operation).or_partner_ref(partner_ref))
}

/// An adapter that is its [`WithErrorContext::inner`] adapter with every error
/// completed (see the module): implementing this is implementing [`Adapter`].
pub trait WithErrorContext: Send + Sync + fmt::Debug {
    /// The adapter doing the work, whose errors may lack their context.
    type Inner: Adapter + ?Sized;

    /// The inner adapter.
    fn inner(&self) -> &Self::Inner;
}

/// Any adapter, its errors completed as [`WithErrorContext`] completes them: what
/// [`crate::Registry::build`] hands out. `Debug` shows the adapter it wraps.
#[derive(Clone)]
pub struct ErrorContext {
    inner: Arc<dyn Adapter>,
}

impl ErrorContext {
    /// `adapter`, every error of its operations in context.
    pub fn new(adapter: Arc<dyn Adapter>) -> Self {
        Self { inner: adapter }
    }
}

impl fmt::Debug for ErrorContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl WithErrorContext for ErrorContext {
    type Inner = dyn Adapter;

    fn inner(&self) -> &(dyn Adapter + 'static) {
        &*self.inner
    }
}

/// Adds what the operation `operation` of `inner` knows to `e`.
fn complete<A: Adapter + ?Sized>(
    inner: &A,
    operation: &'static str,
    partner_ref: Option<&PartnerRef>,
) -> impl Fn(Error) -> Error {
    let vendor = inner.vendor();
    move |e| e.in_context(vendor, operation).or_partner_ref(partner_ref)
}

#[async_trait]
impl<T: WithErrorContext> Adapter for T {
    fn vendor(&self) -> Vendor {
        self.inner().vendor()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner().capabilities()
    }

    async fn issue(&self, request: &IssueRequest) -> Result<Issued> {
        let inner = self.inner();
        inner.issue(request).await.map_err(complete(inner, op::ISSUE, Some(&request.partner_ref)))
    }

    fn check_issue(&self, request: &IssueRequest) -> Result<()> {
        let inner = self.inner();
        inner.check_issue(request).map_err(complete(inner, op::ISSUE, Some(&request.partner_ref)))
    }

    async fn cancel(&self, order: &OrderRef) -> Result<()> {
        let inner = self.inner();
        inner.cancel(order).await.map_err(complete(inner, op::CANCEL, None))
    }

    async fn status(&self, coupon: &CouponRef) -> Result<CouponStatus> {
        let inner = self.inner();
        inner.status(coupon).await.map_err(complete(inner, op::STATUS, None))
    }

    async fn check(&self, coupon: &CouponRef) -> Result<CouponCheck> {
        let inner = self.inner();
        inner.check(coupon).await.map_err(complete(inner, op::STATUS, None))
    }

    fn coupon_of_partner_ref(&self, partner_ref: &PartnerRef) -> Option<CouponRef> {
        self.inner().coupon_of_partner_ref(partner_ref)
    }

    async fn resend(&self, order: &OrderRef) -> Result<()> {
        let inner = self.inner();
        inner.resend(order).await.map_err(complete(inner, op::RESEND, None))
    }

    async fn products(&self, query: &ProductQuery) -> Result<Page<Product>> {
        let inner = self.inner();
        inner.products(query).await.map_err(complete(inner, op::PRODUCTS, None))
    }

    async fn product(&self, id: &str) -> Result<Product> {
        let inner = self.inner();
        inner.product(id).await.map_err(complete(inner, op::PRODUCT, None))
    }

    async fn redemptions(&self, day: NaiveDate) -> Result<RedemptionReport> {
        let inner = self.inner();
        inner.redemptions(day).await.map_err(complete(inner, op::REDEMPTIONS, None))
    }

    async fn balance(&self, coupon: &CouponRef) -> Result<Balance> {
        let inner = self.inner();
        inner.balance(coupon).await.map_err(complete(inner, op::BALANCE, None))
    }

    async fn reconcile(&self, request: &IssueRequest, since: KstDateTime) -> Result<Reconciliation> {
        let inner = self.inner();
        inner.reconcile(request, since).await.map_err(complete(inner, op::RECONCILE, Some(&request.partner_ref)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[derive(Debug)]
    struct Failing;

    #[async_trait]
    impl Adapter for Failing {
        fn vendor(&self) -> Vendor {
            Vendor::new("acme")
        }
        fn capabilities(&self) -> Capabilities {
            Capabilities::NONE
        }
        fn check_issue(&self, _: &IssueRequest) -> Result<()> {
            Err(Error::invalid_field("title", "is required"))
        }
        async fn cancel(&self, _: &OrderRef) -> Result<()> {
            Err(Error::new(ErrorKind::Rejected, "no").in_context(Vendor::new("acme"), "CancelEndpoint"))
        }
        async fn reconcile(&self, _: &IssueRequest, _: KstDateTime) -> Result<Reconciliation> {
            Err(Error::protocol("odd").with_partner_ref(PartnerRef::new("deeper")))
        }
    }

    fn run<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    }

    #[test]
    fn errors_get_vendor_operation_and_the_requests_reference_and_keep_what_they_had() {
        let adapter = ErrorContext::new(Arc::new(Failing));
        let request = IssueRequest::new("G1");
        let e = adapter.check_issue(&request).unwrap_err();
        assert_eq!((e.vendor().map(|v| v.as_str()), e.operation()), (Some("acme"), Some("issue")));
        assert_eq!(e.partner_ref(), Some(&request.partner_ref));
        let e = run(adapter.cancel(&OrderRef::new("1"))).unwrap_err();
        assert_eq!(e.operation(), Some("CancelEndpoint"), "the endpoint a native call named stays");
        let e = run(adapter.reconcile(&request, crate::time::now_kst())).unwrap_err();
        assert_eq!((e.operation(), e.partner_ref().map(PartnerRef::as_str)), (Some("reconcile"), Some("deeper")));
        let e = run(adapter.balance(&CouponRef::order("1"))).unwrap_err();
        assert_eq!((e.kind(), e.operation()), (ErrorKind::Unsupported, Some("balance")));
        assert_eq!(format!("{adapter:?}"), "Failing");
    }

    #[test]
    fn a_native_call_is_completed_where_it_lacks_context() {
        let r = PartnerRef::new("CP1");
        let e = run(in_context(Vendor::new("acme"), "SendEPin", Some(&r), async {
            Err::<(), _>(Error::invalid_field("title", "is too long"))
        }))
        .unwrap_err();
        assert_eq!(e.to_string(), "acme SendEPin: invalid input: `title` is too long (partner ref CP1)");
    }
}
