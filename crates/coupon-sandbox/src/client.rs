//! [`SandboxAdmin`]: a small client for the admin API, for tests and the CLI.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::{Method, RequestBuilder};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::aging::{AgeDeliveryFailed, AgeExpire, AgePartlyUse, AgeRedeem, AgeReport, AgeRequest, AgeValidUntil};
use crate::emulator::RedeemRequest;
use crate::error::SandboxError;
use crate::faults::FaultSpec;
use crate::records::CouponRecord;
use crate::samples::Samples;
use crate::state::Stats;

/// Client for the admin API of a sandbox (`/_sandbox/...`), in-process or not.
///
/// ```no_run
/// # async fn demo() -> Result<(), coupon_sandbox::SandboxError> {
/// use coupon_sandbox::{FaultKind, FaultSpec, SandboxAdmin};
///
/// let admin = SandboxAdmin::new("http://127.0.0.1:8089");
/// admin.reset().await?;
/// admin.inject(FaultSpec::new("/giftletter/SendEPin", FaultKind::Drop)).await?;
/// // ... exercise the code under test ...
/// assert_eq!(admin.request_count("/giftletter/SendEPin").await?, 1);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct SandboxAdmin {
    base_url: String,
    http: reqwest::Client,
}

#[derive(serde::Deserialize)]
struct Pending {
    faults: Vec<FaultSpec>,
}

/// One thing an emulator issued or sold, as `GET /_sandbox/{vendor}/issued` lists it
/// ([`SandboxAdmin::issued`]).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct IssuedItem {
    /// The partner's reference sent with the request, when the vendor's API carries
    /// one (Giftletter `co_tid`); `None` when it has none on the wire (GiftiMbiz).
    pub partner_ref: Option<String>,
    /// The vendor's order id (Giftletter `order_id`, GiftiMbiz `tid`).
    pub order: String,
    /// Whether it was cancelled.
    pub cancelled: bool,
    /// Everything else the emulator says about it (product, time, state, ...).
    #[serde(flatten)]
    pub details: serde_json::Map<String, Value>,
}

#[derive(serde::Deserialize)]
struct Records {
    items: Vec<CouponRecord>,
}

#[derive(serde::Deserialize)]
struct Issued {
    items: Vec<IssuedItem>,
}

impl SandboxAdmin {
    /// A client for the sandbox at `base_url` (`http://127.0.0.1:PORT`, without
    /// `/_sandbox`).
    pub fn new(base_url: impl Into<String>) -> Self {
        let http = reqwest::Client::builder()
            // The sandbox is on loopback: a proxy from the environment would only get
            // in the way (or fail to reach it).
            .no_proxy()
            // The sandbox speaks plain HTTP. An empty trust store skips loading the
            // platform's certificates, the one step of build() that depends on the
            // machine, which leaves build() nothing to fail on.
            .tls_certs_only(std::iter::empty())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("a proxy-less, certificate-less reqwest client always builds");
        Self::with_client(base_url, http)
    }

    /// A client for the sandbox at `base_url` sending through `http`, e.g. one with a
    /// different timeout.
    pub fn with_client(base_url: impl Into<String>, http: reqwest::Client) -> Self {
        let mut base_url = base_url.into();
        while base_url.ends_with('/') {
            base_url.pop();
        }
        Self { base_url, http }
    }

    /// The base URL this client talks to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Every emulator's fixture catalog, keyed by name: `{"giftletter": ..., ...}`.
    ///
    /// # Errors
    ///
    /// [`SandboxError::Http`] when the sandbox cannot be reached,
    /// [`SandboxError::Admin`] when it answers an error.
    pub async fn fixtures(&self) -> Result<Value, SandboxError> {
        self.call(self.request(Method::GET, "fixtures")).await
    }

    /// Every emulator's [`samples`](crate::Emulator::samples), keyed by name: what to
    /// pass to the SDK's shared operations to tour each vendor.
    ///
    /// # Errors
    ///
    /// As [`fixtures`](Self::fixtures).
    pub async fn samples(&self) -> Result<BTreeMap<String, Samples>, SandboxError> {
        self.call(self.request(Method::GET, "samples")).await
    }

    /// Resets every emulator, clears pending faults and request counters.
    ///
    /// # Errors
    ///
    /// As [`fixtures`](Self::fixtures).
    pub async fn reset(&self) -> Result<(), SandboxError> {
        self.call::<Value>(self.request(Method::POST, "reset")).await.map(drop)
    }

    /// Redeems coupon `id` of `vendor` now, at `branch` (or a shop the emulator picks).
    ///
    /// # Errors
    ///
    /// As [`fixtures`](Self::fixtures); an unknown vendor or coupon is
    /// [`SandboxError::Admin`] with status 404.
    pub async fn redeem(&self, vendor: &str, id: &str, branch: Option<&str>) -> Result<Value, SandboxError> {
        let mut req = RedeemRequest::new(vendor, id);
        req.branch = branch.map(str::to_owned);
        self.redeem_with(&req).await
    }

    /// Redeems a coupon with every option of [`RedeemRequest`] (amount, time).
    ///
    /// # Errors
    ///
    /// As [`redeem`](Self::redeem).
    pub async fn redeem_with(&self, req: &RedeemRequest) -> Result<Value, SandboxError> {
        self.call(self.json(Method::POST, "redeem", req)).await
    }

    /// Queues a fault after those already pending.
    ///
    /// # Errors
    ///
    /// As [`fixtures`](Self::fixtures); an invalid spec is [`SandboxError::Admin`] with
    /// status 400.
    pub async fn inject(&self, spec: FaultSpec) -> Result<(), SandboxError> {
        self.call::<Value>(self.json(Method::POST, "faults", &spec)).await.map(drop)
    }

    /// The pending faults, oldest first, each with its remaining count.
    ///
    /// # Errors
    ///
    /// As [`fixtures`](Self::fixtures).
    pub async fn faults(&self) -> Result<Vec<FaultSpec>, SandboxError> {
        let pending: Pending = self.call(self.request(Method::GET, "faults")).await?;
        Ok(pending.faults)
    }

    /// Drops every pending fault.
    ///
    /// # Errors
    ///
    /// As [`fixtures`](Self::fixtures).
    pub async fn clear_faults(&self) -> Result<(), SandboxError> {
        self.call::<Value>(self.request(Method::DELETE, "faults")).await.map(drop)
    }

    /// Request counts per path since the last reset.
    ///
    /// # Errors
    ///
    /// As [`fixtures`](Self::fixtures).
    pub async fn stats(&self) -> Result<Stats, SandboxError> {
        self.call(self.request(Method::GET, "stats")).await
    }

    /// What emulator `vendor` has issued or sold since the last reset, oldest first
    /// (`GET /_sandbox/{vendor}/issued`).
    ///
    /// # Errors
    ///
    /// As [`fixtures`](Self::fixtures); a vendor without this listing is
    /// [`SandboxError::Admin`] with status 404.
    pub async fn issued(&self, vendor: &str) -> Result<Vec<IssuedItem>, SandboxError> {
        let issued: Issued = self.call(self.request(Method::GET, &format!("{vendor}/issued"))).await?;
        Ok(issued.items)
    }

    /// Ages `req.vendor`'s coupons (`POST /_sandbox/age`): every section of `req`, in
    /// order, all or nothing.
    ///
    /// # Errors
    ///
    /// As [`fixtures`](Self::fixtures); a malformed section is [`SandboxError::Admin`]
    /// with status 400 naming the member, an unknown vendor or coupon 404, a coupon whose
    /// state forbids it (or too few to pick from) 409.
    pub async fn age(&self, req: &AgeRequest) -> Result<AgeReport, SandboxError> {
        self.call(self.json(Method::POST, "age", req)).await
    }

    /// Redeems coupons of `vendor` as `section` says, with `seed` (an [`age`](Self::age)
    /// of this one section); the coupons redeemed.
    ///
    /// # Errors
    ///
    /// As [`age`](Self::age).
    pub async fn age_redeem(
        &self,
        vendor: &str,
        seed: u64,
        section: AgeRedeem,
    ) -> Result<Vec<CouponRecord>, SandboxError> {
        Ok(self.age(&AgeRequest::new(vendor).seed(seed).redeem(section)).await?.redeemed)
    }

    /// Spends stored-value coupons of `vendor` down to a balance; the coupons used in part.
    ///
    /// # Errors
    ///
    /// As [`age`](Self::age).
    pub async fn age_partly_use(
        &self,
        vendor: &str,
        seed: u64,
        section: AgePartlyUse,
    ) -> Result<Vec<CouponRecord>, SandboxError> {
        Ok(self.age(&AgeRequest::new(vendor).seed(seed).partly_use(section)).await?.partly_used)
    }

    /// Expires coupons of `vendor` (their last day becomes yesterday); the coupons expired.
    ///
    /// # Errors
    ///
    /// As [`age`](Self::age).
    pub async fn age_expire(
        &self,
        vendor: &str,
        seed: u64,
        section: AgeExpire,
    ) -> Result<Vec<CouponRecord>, SandboxError> {
        Ok(self.age(&AgeRequest::new(vendor).seed(seed).expire(section)).await?.expired)
    }

    /// Sets the last day of coupons of `vendor`; the coupons changed.
    ///
    /// # Errors
    ///
    /// As [`age`](Self::age).
    pub async fn age_valid_until(
        &self,
        vendor: &str,
        seed: u64,
        section: AgeValidUntil,
    ) -> Result<Vec<CouponRecord>, SandboxError> {
        Ok(self.age(&AgeRequest::new(vendor).seed(seed).valid_until(section)).await?.valid_until)
    }

    /// Marks the delivery of coupons of `vendor` failed; the coupons changed.
    ///
    /// # Errors
    ///
    /// As [`age`](Self::age).
    pub async fn age_delivery_failed(
        &self,
        vendor: &str,
        seed: u64,
        section: AgeDeliveryFailed,
    ) -> Result<Vec<CouponRecord>, SandboxError> {
        Ok(self.age(&AgeRequest::new(vendor).seed(seed).delivery_failed(section)).await?.delivery_failed)
    }

    /// Every coupon `vendor` issued since the last reset, oldest first, with its state,
    /// cancels and the rest (`GET /_sandbox/records/{vendor}`).
    ///
    /// # Errors
    ///
    /// As [`fixtures`](Self::fixtures); an unknown vendor, or one that issues nothing, is
    /// [`SandboxError::Admin`] with status 404.
    pub async fn records(&self, vendor: &str) -> Result<Vec<CouponRecord>, SandboxError> {
        let records: Records = self.call(self.request(Method::GET, &format!("records/{vendor}"))).await?;
        Ok(records.items)
    }

    /// `GET /_sandbox/{vendor}/{route}`: one of an emulator's own admin routes.
    ///
    /// # Errors
    ///
    /// As [`fixtures`](Self::fixtures).
    pub async fn vendor_get(&self, vendor: &str, route: &str) -> Result<Value, SandboxError> {
        self.call(self.request(Method::GET, &format!("{vendor}/{route}"))).await
    }

    /// `POST /_sandbox/{vendor}/{route}` with a JSON `body`: one of an emulator's own
    /// admin routes.
    ///
    /// # Errors
    ///
    /// As [`fixtures`](Self::fixtures).
    pub async fn vendor_post(&self, vendor: &str, route: &str, body: &Value) -> Result<Value, SandboxError> {
        self.call(self.json(Method::POST, &format!("{vendor}/{route}"), body)).await
    }

    /// Requests received on exactly `path` (e.g. `/giftletter/SendEPin`) since the last
    /// reset.
    ///
    /// # Errors
    ///
    /// As [`fixtures`](Self::fixtures).
    pub async fn request_count(&self, path: &str) -> Result<u64, SandboxError> {
        Ok(self.stats().await?.count(path))
    }

    fn request(&self, method: Method, route: &str) -> RequestBuilder {
        self.http.request(method, format!("{}/_sandbox/{route}", self.base_url))
    }

    fn json<T: Serialize + ?Sized>(&self, method: Method, route: &str, body: &T) -> RequestBuilder {
        self.request(method, route).json(body)
    }

    async fn call<T: DeserializeOwned>(&self, request: RequestBuilder) -> Result<T, SandboxError> {
        let response = request.send().await?;
        let status = response.status();
        if status.is_success() {
            return Ok(response.json().await?);
        }
        let body = response.text().await.unwrap_or_default();
        let message = serde_json::from_str::<Value>(&body)
            .ok()
            .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or(body);
        Err(SandboxError::Admin { status: status.as_u16(), message })
    }
}
