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
    /// `unused`, `used`, `cancelled`, `expired` or `unknown`.
    pub fn as_str(&self) -> &'static str {
        match self {
            CouponStatus::Unused => "unused",
            CouponStatus::Used { .. } => "used",
            CouponStatus::Cancelled { .. } => "cancelled",
            CouponStatus::Expired => "expired",
            CouponStatus::Unknown(_) => "unknown",
        }
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
/// assert!(req.partner_ref.is_none());
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
    /// The caller's reference. An adapter generates one when it is absent and
    /// returns it in the result and in every error.
    pub partner_ref: Option<PartnerRef>,
    /// The amount the caller expects to pay, where the vendor checks it (GiftiMbiz `cash`).
    pub amount: Option<Won>,
    /// A free value the vendor echoes back (Giftletter `reserved`).
    pub memo: Option<String>,
}

impl IssueRequest {
    /// A request for one coupon of `product_id`.
    pub fn new(product_id: impl Into<String>) -> Self {
        Self {
            product_id: product_id.into(),
            product_name: None,
            recipient: None,
            callback: None,
            title: None,
            message: None,
            partner_ref: None,
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

    /// Sets the caller's reference.
    pub fn partner_ref(mut self, r: PartnerRef) -> Self {
        self.partner_ref = Some(r);
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
}

/// A coupon that was issued.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Issued {
    /// The vendor.
    pub vendor: Vendor,
    /// The vendor's order id.
    pub order: OrderRef,
    /// The coupon number, when the vendor returns it.
    pub pin: Option<Pin>,
    /// The caller's reference (given or generated).
    pub partner_ref: PartnerRef,
    /// The memo the vendor echoed back.
    pub memo: Option<String>,
}

impl Issued {
    /// An issued coupon.
    pub fn new(vendor: Vendor, order: OrderRef, pin: Option<Pin>, partner_ref: PartnerRef) -> Self {
        Self { vendor, order, pin, partner_ref, memo: None }
    }
}
