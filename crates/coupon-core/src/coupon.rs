//! Issued coupons: how to name one, its status, balance and redemptions.

use chrono::NaiveDate;

use crate::money::Won;
use crate::phone::PhoneNumber;
use crate::refs::{OrderRef, PartnerRef, Pin};
use crate::time::KstDateTime;
use crate::vendor::Vendor;

/// Names one issued coupon, the way its vendor looks it up.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CouponRef {
    /// By the vendor's order id (Giftletter, GiftiMbiz).
    Order(OrderRef),
    /// By product and coupon number (COUFUN).
    Barcode {
        /// The product id.
        goods_id: String,
        /// The coupon number.
        barcode: Pin,
    },
}

impl CouponRef {
    /// By order id.
    pub fn order(order: impl Into<String>) -> Self {
        Self::Order(OrderRef::new(order))
    }

    /// By product and coupon number.
    pub fn barcode(goods_id: impl Into<String>, barcode: impl Into<String>) -> Self {
        Self::Barcode { goods_id: goods_id.into(), barcode: Pin::new(barcode) }
    }
}

/// The state of an issued coupon.
///
/// Serialized flat, the same keys whatever the state: `status` ([`CouponStatus::as_str`]),
/// `used_at`, `place`, `cancelled_at` (RFC 3339 in KST), `remaining` (won left on a partly used
/// stored-value coupon) and `vendor_status` (the text of an unknown status), each `null` where
/// the state has none.
///
/// ```
/// use coupon_core::CouponStatus;
/// let json = serde_json::to_value(CouponStatus::Unknown("Z9".into())).unwrap();
/// assert_eq!(json["status"], "unknown");
/// assert_eq!(json["vendor_status"], "Z9");
/// assert!(json["used_at"].is_null());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CouponStatus {
    /// Issued and not used.
    Unused,
    /// Used (redeemed) at a time and place, where the vendor says.
    Used {
        /// When.
        at: Option<KstDateTime>,
        /// Where (branch name).
        place: Option<String>,
    },
    /// A stored-value coupon used in part: some value is left and it can still be used.
    PartlyUsed {
        /// The value left.
        remaining: Won,
        /// When it was last used, where the vendor says.
        at: Option<KstDateTime>,
    },
    /// Cancelled.
    Cancelled {
        /// When, where the vendor says.
        at: Option<KstDateTime>,
    },
    /// Past its validity.
    Expired,
    /// A status we do not know, kept verbatim.
    Unknown(String),
}

impl CouponStatus {
    /// `unused`, `used`, `partly_used`, `cancelled`, `expired` or `unknown`.
    pub fn as_str(&self) -> &'static str {
        match self {
            CouponStatus::Unused => "unused",
            CouponStatus::Used { .. } => "used",
            CouponStatus::PartlyUsed { .. } => "partly_used",
            CouponStatus::Cancelled { .. } => "cancelled",
            CouponStatus::Expired => "expired",
            CouponStatus::Unknown(_) => "unknown",
        }
    }
}

impl serde::Serialize for CouponStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// One shape for every state, so a reader looks up the same keys whatever the status.
        #[derive(serde::Serialize)]
        struct Flat<'a> {
            status: &'static str,
            #[serde(serialize_with = "crate::time::serialize_kst")]
            used_at: Option<&'a KstDateTime>,
            place: Option<&'a str>,
            #[serde(serialize_with = "crate::time::serialize_kst")]
            cancelled_at: Option<&'a KstDateTime>,
            remaining: Option<Won>,
            vendor_status: Option<&'a str>,
        }
        let mut flat = Flat {
            status: self.as_str(),
            used_at: None,
            place: None,
            cancelled_at: None,
            remaining: None,
            vendor_status: None,
        };
        match self {
            CouponStatus::Used { at, place } => (flat.used_at, flat.place) = (at.as_ref(), place.as_deref()),
            CouponStatus::PartlyUsed { remaining, at } => {
                (flat.remaining, flat.used_at) = (Some(*remaining), at.as_ref())
            }
            CouponStatus::Cancelled { at } => flat.cancelled_at = at.as_ref(),
            CouponStatus::Unknown(raw) => flat.vendor_status = Some(raw),
            CouponStatus::Unused | CouponStatus::Expired => {}
        }
        flat.serialize(serializer)
    }
}

impl CouponStatus {
    /// Whether the state is final: a used, cancelled or expired coupon does not change
    /// again, so nothing need ask about it again.
    pub fn is_final(&self) -> bool {
        matches!(self, CouponStatus::Used { .. } | CouponStatus::Cancelled { .. } | CouponStatus::Expired)
    }
}

/// Whether the coupon's message reached the recipient, where the vendor reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Delivery {
    /// Delivered.
    Delivered,
    /// Not delivered yet; the vendor is still trying.
    Pending,
    /// Not delivered: the vendor gave up. Its code (or text) kept verbatim, where it gives one.
    Failed(Option<String>),
}

impl Delivery {
    /// `delivered`, `pending` or `failed`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Delivery::Delivered => "delivered",
            Delivery::Pending => "pending",
            Delivery::Failed(_) => "failed",
        }
    }
}

impl serde::Serialize for Delivery {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// What a look-up of one coupon found ([`crate::Adapter::check`]): its state, and whatever
/// else the vendor said with it. A field the vendor does not give is `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CouponCheck {
    /// The state.
    pub status: CouponStatus,
    /// The last day it can be used (KST).
    pub valid_until: Option<NaiveDate>,
    /// Whether its message reached the recipient.
    pub delivery: Option<Delivery>,
    /// Its order id, where the answer names it (a coupon looked up by the partner reference).
    pub order: Option<OrderRef>,
    /// Its PIN, where the answer carries it.
    pub pin: Option<Pin>,
}

impl CouponCheck {
    /// A check that found only a state.
    pub fn new(status: CouponStatus) -> Self {
        Self { status, valid_until: None, delivery: None, order: None, pin: None }
    }

    /// With the last day of validity.
    pub fn valid_until(mut self, day: Option<NaiveDate>) -> Self {
        self.valid_until = day;
        self
    }

    /// With the delivery.
    pub fn delivery(mut self, delivery: Option<Delivery>) -> Self {
        self.delivery = delivery;
        self
    }

    /// With the order id and PIN the answer carried.
    pub fn found(mut self, order: Option<OrderRef>, pin: Option<Pin>) -> Self {
        (self.order, self.pin) = (order, pin);
        self
    }
}

impl From<CouponStatus> for CouponCheck {
    fn from(status: CouponStatus) -> Self {
        Self::new(status)
    }
}

/// What is left on a stored-value coupon.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Balance {
    /// The face value.
    pub total: Won,
    /// What remains.
    pub remaining: Won,
}

impl Balance {
    /// A balance.
    pub fn new(total: Won, remaining: Won) -> Self {
        Self { total, remaining }
    }
}

/// When a redemption happened: some goods report only the day.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RedeemedAt {
    /// At this moment.
    Time(KstDateTime),
    /// On this day.
    Day(NaiveDate),
}

impl RedeemedAt {
    /// The day of the redemption.
    pub fn day(&self) -> NaiveDate {
        match self {
            RedeemedAt::Time(t) => t.date_naive(),
            RedeemedAt::Day(d) => *d,
        }
    }
}

/// One coupon redeemed at a store.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Redemption {
    /// The coupon number.
    pub pin: Pin,
    /// When.
    pub at: RedeemedAt,
    /// Where.
    pub branch: Option<String>,
}

impl Redemption {
    /// A redemption.
    pub fn new(pin: Pin, at: RedeemedAt, branch: Option<String>) -> Self {
        Self { pin, at, branch }
    }
}

/// A line of a report that could not be read. It never hides the good lines.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct LineError {
    /// The line number, from 1.
    pub line: usize,
    /// What is wrong with it (never the line's PIN).
    pub message: String,
}

impl LineError {
    /// A line error.
    pub fn new(line: usize, message: impl Into<String>) -> Self {
        Self { line, message: message.into() }
    }
}

/// The redemptions of one day.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RedemptionReport {
    /// The day asked for.
    pub day: NaiveDate,
    /// The redemptions read.
    pub items: Vec<Redemption>,
    /// The lines that could not be read.
    pub errors: Vec<LineError>,
}

impl RedemptionReport {
    /// A report.
    pub fn new(day: NaiveDate, items: Vec<Redemption>, errors: Vec<LineError>) -> Self {
        Self { day, items, errors }
    }
}

/// What to issue (or buy), to whom. Each adapter uses the fields its vendor
/// needs and refuses, naming the field, a request that lacks one.
///
/// ```
/// use coupon_core::{IssueRequest, PhoneNumber};
/// let req = IssueRequest::new("0000000582")
///     .recipient(PhoneNumber::parse("010-1234-5678").unwrap())
///     .callback(PhoneNumber::parse("1588-1234").unwrap())
///     .title("선물이 도착했어요")
///     .message("GS25 모바일상품권 1만원");
/// // The reference exists before anything is sent: a caller that loses the
/// // call (a timeout around it, a cancelled task) still knows what to reconcile.
/// assert_eq!(req.partner_ref.as_str().len(), 20);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct IssueRequest {
    /// The vendor's product id.
    pub product_id: String,
    /// The product name, where the vendor wants it repeated (GiftiMbiz).
    pub product_name: Option<String>,
    /// Who receives the coupon.
    pub recipient: Option<PhoneNumber>,
    /// The number shown as sender (reply number).
    pub callback: Option<PhoneNumber>,
    /// Message title.
    pub title: Option<String>,
    /// Message body.
    pub message: Option<String>,
    /// The caller's reference for this coupon, generated by [`IssueRequest::new`]
    /// (replace it with [`IssueRequest::partner_ref`]). It is sent as the vendor's
    /// transaction id where the vendor has one, and travels in the result and in
    /// every error, so it is known before the call starts.
    pub partner_ref: PartnerRef,
    /// The amount the caller expects to pay, where the vendor checks it (GiftiMbiz `cash`).
    pub amount: Option<Won>,
    /// A free value the vendor echoes back (Giftletter `reserved`).
    pub memo: Option<String>,
}

impl IssueRequest {
    /// A request for one coupon of `product_id`, with a freshly generated
    /// [`PartnerRef`] (see [`PartnerRef::generate`]).
    pub fn new(product_id: impl Into<String>) -> Self {
        Self {
            product_id: product_id.into(),
            product_name: None,
            recipient: None,
            callback: None,
            title: None,
            message: None,
            partner_ref: PartnerRef::generate(),
            amount: None,
            memo: None,
        }
    }

    /// Sets the recipient.
    pub fn recipient(mut self, phone: PhoneNumber) -> Self {
        self.recipient = Some(phone);
        self
    }

    /// Sets the reply number.
    pub fn callback(mut self, phone: PhoneNumber) -> Self {
        self.callback = Some(phone);
        self
    }

    /// Sets the message title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sets the message body.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Sets the caller's reference, replacing the generated one: to repeat a
    /// request whose outcome is in doubt, or to use the caller's own ids.
    pub fn partner_ref(mut self, r: PartnerRef) -> Self {
        self.partner_ref = r;
        self
    }

    /// Sets the expected amount.
    pub fn amount(mut self, amount: Won) -> Self {
        self.amount = Some(amount);
        self
    }

    /// Sets the product name.
    pub fn product_name(mut self, name: impl Into<String>) -> Self {
        self.product_name = Some(name.into());
        self
    }

    /// Sets the echoed memo.
    pub fn memo(mut self, memo: impl Into<String>) -> Self {
        self.memo = Some(memo.into());
        self
    }

    /// Refuses control characters in every text field, naming the field and the
    /// position (a message body may hold line breaks and tabs). Every adapter
    /// calls it before sending; vendor limits are the adapter's own checks.
    ///
    /// ```
    /// use coupon_core::IssueRequest;
    /// assert!(IssueRequest::new("1").title("선물").message("줄1\n줄2").check_text().is_ok());
    /// let e = IssueRequest::new("1").title("선\0물").check_text().unwrap_err();
    /// assert_eq!(e.field(), Some("title"));
    /// ```
    pub fn check_text(&self) -> crate::Result<()> {
        use crate::validate::no_control_chars;
        no_control_chars("product_id", &self.product_id, false)?;
        no_control_chars("partner_ref", self.partner_ref.as_str(), false)?;
        for (field, value, line_breaks) in [
            ("product_name", &self.product_name, false),
            ("title", &self.title, false),
            ("message", &self.message, true),
            ("memo", &self.memo, false),
        ] {
            if let Some(v) = value {
                no_control_chars(field, v, line_breaks)?;
            }
        }
        Ok(())
    }
}

/// A coupon that was issued.
///
/// Usually with the vendor's order id and, where the vendor returns one, the PIN.
/// When the coupon is known to exist but its details are not (a re-send after a
/// lost answer was refused as a duplicate of the earlier attempt), `order` and
/// `pin` are `None` and [`Issued::details_unknown`] says why: the coupon exists,
/// it is not a failure, and issuing again with a new reference would make a second one.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Issued {
    /// The vendor.
    pub vendor: Vendor,
    /// The vendor's order id, when known.
    pub order: Option<OrderRef>,
    /// The coupon number, when the vendor returns it.
    pub pin: Option<Pin>,
    /// The caller's reference.
    pub partner_ref: PartnerRef,
    /// The memo the vendor echoed back.
    pub memo: Option<String>,
    /// Why the order id and PIN are unknown, when they are.
    pub details_unknown: Option<String>,
}

impl Issued {
    /// An issued coupon with its order id.
    pub fn new(vendor: Vendor, order: OrderRef, pin: Option<Pin>, partner_ref: PartnerRef) -> Self {
        Self { vendor, order: Some(order), pin, partner_ref, memo: None, details_unknown: None }
    }

    /// A coupon known to exist for `partner_ref` whose order id and PIN are unknown, and why.
    ///
    /// ```
    /// use coupon_core::{Issued, PartnerRef, Vendor};
    /// let i = Issued::with_details_unknown(Vendor::new("v"), PartnerRef::new("CP1"), "re-send refused as a duplicate");
    /// assert!(i.order.is_none() && i.pin.is_none());
    /// assert!(!i.details_known());
    /// ```
    pub fn with_details_unknown(vendor: Vendor, partner_ref: PartnerRef, why: impl Into<String>) -> Self {
        Self { vendor, order: None, pin: None, partner_ref, memo: None, details_unknown: Some(why.into()) }
    }

    /// Whether the order id is known.
    pub fn details_known(&self) -> bool {
        self.details_unknown.is_none()
    }
}

/// What [`crate::Adapter::reconcile`] found out about an issue whose outcome was in doubt.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reconciliation {
    /// A coupon exists for the reference (found, or issued now by a re-send the
    /// vendor deduplicates: either way exactly one coupon for the reference).
    Issued(Issued),
    /// The vendor definitely has no coupon for the reference: issuing it again
    /// with the same reference is safe.
    NotIssued,
    /// The vendor's records cannot tell yet; ask again later. The reason says why.
    StillUnknown(String),
}

impl Reconciliation {
    /// `issued`, `not_issued` or `still_unknown`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Reconciliation::Issued(_) => "issued",
            Reconciliation::NotIssued => "not_issued",
            Reconciliation::StillUnknown(_) => "still_unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_status_serializes_the_same_keys_whatever_the_state_and_its_times_in_kst() {
        let at = crate::time::parse_compact_datetime("20261102140322").unwrap();
        let utc = at.with_timezone(&chrono::FixedOffset::east_opt(0).unwrap());
        let shown = |s: CouponStatus| serde_json::to_value(s).unwrap();
        let none = json!({"status": "unused", "used_at": null, "place": null, "cancelled_at": null,
                          "remaining": null, "vendor_status": null});
        assert_eq!(shown(CouponStatus::Unused), none);
        assert_eq!(
            shown(CouponStatus::Used { at: Some(utc), place: Some("강남점".into()) }),
            json!({"status": "used", "used_at": "2026-11-02T14:03:22+09:00", "place": "강남점", "cancelled_at": null,
                   "remaining": null, "vendor_status": null})
        );
        assert_eq!(shown(CouponStatus::Cancelled { at: Some(at) })["cancelled_at"], "2026-11-02T14:03:22+09:00");
        assert_eq!(shown(CouponStatus::Cancelled { at: None })["cancelled_at"], json!(null));
        assert_eq!(shown(CouponStatus::Expired)["status"], "expired");
        let partly = shown(CouponStatus::PartlyUsed { remaining: Won(3000), at: None });
        assert_eq!((partly["status"].as_str(), partly["remaining"].as_i64()), (Some("partly_used"), Some(3000)));
        assert_eq!(shown(CouponStatus::Unknown("Z".into()))["vendor_status"], "Z");
    }
}
