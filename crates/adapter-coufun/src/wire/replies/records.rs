//! The typed answer: every order record and what its vendor values mean.

use std::fmt;

use coupon_core::chrono::NaiveDate;
use coupon_core::phone::mask_text;
use coupon_core::time::KstDateTime;
use coupon_core::{Balance, CouponStatus, PhoneNumber, Pin, Won};

/// `COUPON_TYPE`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CouponType {
    /// `BARCODE`: 교환권, an exchange voucher for one product.
    Barcode,
    /// `AMOUNT`: 금액권, a stored-value coupon spent in parts.
    Amount,
    /// Anything else, verbatim.
    Other(String),
}

impl CouponType {
    /// Reads the vendor's value.
    pub fn from_wire(value: &str) -> Self {
        match value {
            "BARCODE" => Self::Barcode,
            "AMOUNT" => Self::Amount,
            other => Self::Other(other.to_string()),
        }
    }

    /// The vendor's value.
    pub fn as_wire(&self) -> &str {
        match self {
            Self::Barcode => "BARCODE",
            Self::Amount => "AMOUNT",
            Self::Other(s) => s,
        }
    }
}

/// `STATUS` of one order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// `000` 미사용: not used (a stored-value coupon may be partly spent).
    Unused,
    /// `001` 사용: used.
    Used,
    /// `100` 취소: cancelled.
    Cancelled,
    /// Anything else, verbatim.
    Other(String),
}

impl OrderStatus {
    /// Reads the vendor's value.
    pub fn from_wire(value: &str) -> Self {
        match value {
            "000" => Self::Unused,
            "001" => Self::Used,
            "100" => Self::Cancelled,
            other => Self::Other(other.to_string()),
        }
    }

    /// The vendor's value.
    pub fn as_wire(&self) -> &str {
        match self {
            Self::Unused => "000",
            Self::Used => "001",
            Self::Cancelled => "100",
            Self::Other(s) => s,
        }
    }
}

/// `RECEIVER_MOBILE`: personal data, shown masked only.
///
/// A number that parses is kept as a [`PhoneNumber`]; anything else (already
/// masked by the vendor, a foreign format) is kept only as a text masked by the
/// core's one rule for phone text ([`coupon_core::phone::mask_text`]: the first
/// three and last four digits of ten or more, no digit of fewer).
///
/// ```
/// use adapter_coufun::wire::replies::ReceiverMobile;
/// let r = ReceiverMobile::from_wire("01012345678");
/// assert_eq!(r.to_string(), "010-****-5678");
/// assert_eq!(r.phone().unwrap().expose_digits(), "01012345678");
/// let odd = ReceiverMobile::from_wire("010-12**-5678");
/// assert!(odd.phone().is_none());
/// assert_eq!(odd.masked(), "***-****-****");
/// let foreign = ReceiverMobile::from_wire("+1 555 010 9999");
/// assert_eq!(foreign.masked(), "+1 55* *** 9999");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ReceiverMobile {
    phone: Option<PhoneNumber>,
    masked: String,
}

impl ReceiverMobile {
    /// Reads the vendor's value (trimmed, non-empty).
    pub fn from_wire(value: &str) -> Self {
        match PhoneNumber::parse(value) {
            Ok(phone) => Self { masked: phone.masked(), phone: Some(phone) },
            Err(_) => Self { phone: None, masked: mask_text(value) },
        }
    }

    /// The number, when the vendor sent one that parses.
    pub fn phone(&self) -> Option<&PhoneNumber> {
        self.phone.as_ref()
    }

    /// The masked form (`010-****-5678`, or a masked copy of what came).
    pub fn masked(&self) -> &str {
        &self.masked
    }
}

impl fmt::Display for ReceiverMobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked)
    }
}

impl fmt::Debug for ReceiverMobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReceiverMobile({})", self.masked)
    }
}

/// One order of a coupon, as the answer describes it.
///
/// `Debug` and `Display` mask the barcode and the receiver's number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderRecord {
    /// `COUPON_TYPE`.
    pub coupon_type: CouponType,
    /// `ORDER_DATE` (YYYYMMDD).
    pub order_date: NaiveDate,
    /// `STATUS`.
    pub status: OrderStatus,
    /// `RECEIVER_MOBILE`; `None` when absent or empty.
    pub receiver: Option<ReceiverMobile>,
    /// `BARCODE_NUM`: whoever holds it can spend the coupon.
    pub barcode: Pin,
    /// `VALID_END_DATE` (YYYYMMDD): the last day it can be used.
    pub valid_until: NaiveDate,
    /// `EXCHANGE_DATE` (KST): when it was exchanged, or last spent from; `None` when empty.
    pub exchanged_at: Option<KstDateTime>,
    /// `CANCEL_DATE` (KST); `None` when empty.
    pub cancelled_at: Option<KstDateTime>,
    /// `TOTAL_AMOUNT` and `REMAIN_AMOUNT`: always there for `AMOUNT` coupons,
    /// and kept for other types when the vendor sends both.
    pub balance: Option<Balance>,
}

impl OrderRecord {
    /// The record's state in the SDK's terms, on `today` (KST).
    ///
    /// `000` is [`CouponStatus::Unused`], except past its valid-until day
    /// ([`CouponStatus::Expired`]) and for a stored-value coupon that was spent from:
    /// with nothing left it is used (at its last exchange), with some but not all of
    /// `TOTAL_AMOUNT` left [`CouponStatus::PartlyUsed`] (`REMAIN_AMOUNT`, last spent
    /// at `EXCHANGE_DATE`). `001` is used at `EXCHANGE_DATE`, `100` cancelled at
    /// `CANCEL_DATE`; any other status is kept verbatim.
    pub fn coupon_status(&self, today: NaiveDate) -> CouponStatus {
        match &self.status {
            OrderStatus::Unused if self.valid_until < today => CouponStatus::Expired,
            OrderStatus::Unused if self.is_spent() => CouponStatus::Used { at: self.exchanged_at, place: None },
            OrderStatus::Unused => match self.partly_spent() {
                Some(remaining) => CouponStatus::PartlyUsed { remaining, at: self.exchanged_at },
                None => CouponStatus::Unused,
            },
            OrderStatus::Used => CouponStatus::Used { at: self.exchanged_at, place: None },
            OrderStatus::Cancelled => CouponStatus::Cancelled { at: self.cancelled_at },
            OrderStatus::Other(s) => CouponStatus::Unknown(s.clone()),
        }
    }

    fn is_spent(&self) -> bool {
        self.coupon_type == CouponType::Amount && self.balance.is_some_and(|b| b.remaining == Won(0))
    }

    /// What a stored-value coupon has left when some, but not all, of it was spent.
    fn partly_spent(&self) -> Option<Won> {
        let b = self.balance.filter(|_| self.coupon_type == CouponType::Amount)?;
        (Won(0) < b.remaining && b.remaining < b.total).then_some(b.remaining)
    }
}

impl fmt::Display for OrderRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} coupon {} ordered {} status {} valid until {}",
            self.coupon_type.as_wire(),
            self.barcode,
            self.order_date,
            self.status.as_wire(),
            self.valid_until
        )?;
        if let Some(r) = &self.receiver {
            write!(f, " to {r}")?;
        }
        if let Some(b) = &self.balance {
            write!(f, ", {} of {} left", b.remaining, b.total)?;
        }
        Ok(())
    }
}

/// A successful answer (`RESULT_CODE` `00`): every order record, in document order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusAnswer {
    /// `RESULT_MSG` (`SUCCESS`), trimmed.
    pub message: String,
    /// One record in the flat form, one per `<ORDER_INFO>` in the repeated form
    /// (the document says at most 10; more are kept all the same).
    pub orders: Vec<OrderRecord>,
}

impl StatusAnswer {
    /// The order that says what the coupon is now: among the records for
    /// `barcode` (all records when none carries it), the latest by
    /// `ORDER_DATE`, the later in the document on a tie.
    ///
    /// ```
    /// # use adapter_coufun::wire::replies::parse_status;
    /// let order = |date: &str, status: &str| format!(
    ///     "<ORDER_INFO><COUPON_TYPE>BARCODE</COUPON_TYPE><ORDER_DATE>{date}</ORDER_DATE><STATUS>{status}</STATUS>\
    ///      <BARCODE_NUM>912603550784</BARCODE_NUM><VALID_END_DATE>20270208</VALID_END_DATE></ORDER_INFO>");
    /// let xml = format!("<COUFUNSEARCH><RESULT_CODE>00</RESULT_CODE>{}{}{}</COUFUNSEARCH>",
    ///     order("20260315", "100"), order("20261110", "000"), order("20260816", "001"));
    /// let answer = parse_status(xml.as_bytes(), None).unwrap().unwrap();
    /// assert_eq!(answer.current("912603550784").unwrap().status.as_wire(), "000");
    /// ```
    pub fn current(&self, barcode: &str) -> Option<&OrderRecord> {
        let matching: Vec<&OrderRecord> = self.orders.iter().filter(|o| o.barcode.expose() == barcode).collect();
        let pool = if matching.is_empty() { self.orders.iter().collect() } else { matching };
        pool.into_iter().enumerate().max_by_key(|(i, o)| (o.order_date, *i)).map(|(_, o)| o)
    }
}
