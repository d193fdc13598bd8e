//! What the emulated vendor remembers: the bizmoney balance, the coupons sent (by
//! `tr_id` and by PIN), the sends charged without a PIN, and the variant in force.

use std::collections::HashMap;

use chrono::{DateTime, Days, FixedOffset, NaiveDate};
use serde_json::{Value, json};

use super::catalog::Goods;
use super::variant::Variant;
use crate::records::{CouponRecord, RecordDelivery, RecordState};

/// The bizmoney a fresh (or reset) account holds, in won.
pub(crate) const START_BALANCE: u64 = 10_000_000;

/// Where a coupon is in its life (the expiry is read from the date, not stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PinState {
    Issued,
    Used { at: DateTime<FixedOffset>, branch: String },
    Cancelled { at: DateTime<FixedOffset> },
}

/// `pinStatusCd` and `pinStatusNm`, in the reading's table.
pub(crate) const ISSUED: (&str, &str) = ("01", "발행");
pub(crate) const USED: (&str, &str) = ("02", "교환");
pub(crate) const CANCELLED: (&str, &str) = ("07", "구매취소(폐기)");
pub(crate) const EXPIRED: (&str, &str) = ("08", "기간만료");

/// `sendStatusCd`, `sendRstCd`, `sendRstMsg` of a coupon: the reading names the fields
/// but none of their values, so these are the emulator's own, except `ERR0999` (the
/// v1.04 table's "coupon send error") for a failed message.
pub(crate) const SENT: (&str, &str, &str) = ("02", "0000", "발송완료");
pub(crate) const NOT_SENT: (&str, &str, &str) = ("01", "0000", "미발송");
pub(crate) const SEND_FAILED: (&str, &str, &str) = ("03", "ERR0999", "쿠폰 발송 오류");

/// One send (0204) that issued a PIN.
#[derive(Debug, Clone)]
pub(crate) struct Coupon {
    pub(crate) tr_id: String,
    pub(crate) order_no: String,
    pub(crate) pin_no: String,
    pub(crate) goods_code: String,
    /// `Y`, `N` or `I`.
    pub(crate) gubun: String,
    pub(crate) phone_no: String,
    pub(crate) callback_no: String,
    pub(crate) mms_title: String,
    pub(crate) mms_msg: String,
    /// The partner's optional `order_no`, `template_id`, `banner_id`.
    pub(crate) partner_order_no: String,
    pub(crate) template_id: String,
    pub(crate) banner_id: String,
    pub(crate) coupon_img_url: Option<String>,
    /// Bizmoney charged (0 for a test send).
    pub(crate) charged: u64,
    /// Sent with `dev_yn=Y`: nothing charged, nothing sent.
    pub(crate) test: bool,
    pub(crate) issued_at: DateTime<FixedOffset>,
    /// Last day it can be used (`validPrdEndDt`).
    pub(crate) valid_end: NaiveDate,
    /// Last change (`correcDtm`).
    pub(crate) changed_at: DateTime<FixedOffset>,
    pub(crate) state: PinState,
    /// Stored-value goods only: what is left to spend.
    pub(crate) remain: Option<u64>,
    /// Stored-value goods only: the value it was sent with.
    pub(crate) face: Option<u64>,
    /// When and where it was last spent in part.
    pub(crate) spent: Option<(DateTime<FixedOffset>, String)>,
    pub(crate) resends: u32,
    /// Its MMS failed (admin route); a successful resend delivers it.
    pub(crate) delivery_failed: bool,
    /// 0202 requests answered with success.
    pub(crate) cancels: u32,
    /// 0202 requests that reached this coupon, whatever the answer.
    pub(crate) cancel_requests: u32,
}

impl Coupon {
    /// `pinStatusCd`/`pinStatusNm` on `today`.
    pub(crate) fn status(&self, today: NaiveDate) -> (&'static str, &'static str) {
        match self.state {
            PinState::Cancelled { .. } => CANCELLED,
            PinState::Used { .. } => USED,
            PinState::Issued if today > self.valid_end => EXPIRED,
            PinState::Issued => ISSUED,
        }
    }

    /// Sent by MMS in production: the only coupons whose message the vendor reports on.
    pub(crate) fn by_message(&self) -> bool {
        self.gubun == "N" && !self.test
    }

    /// `sendStatusCd`, `sendRstCd`, `sendRstMsg`.
    pub(crate) fn send_status(&self) -> (&'static str, &'static str, &'static str) {
        match (self.by_message(), self.delivery_failed) {
            (true, true) => SEND_FAILED,
            (true, false) => SENT,
            (false, _) => NOT_SENT,
        }
    }

    /// The sandbox's record (`GET /_sandbox/records/giftishow`).
    pub(crate) fn record(&self, today: NaiveDate) -> CouponRecord {
        let partly = self.remain.zip(self.face).is_some_and(|(left, face)| left < face);
        let (state, used, cancelled_at) = match &self.state {
            PinState::Cancelled { at } => (RecordState::Cancelled, None, Some(*at)),
            PinState::Used { at, branch } => (RecordState::Used, Some((*at, branch.clone())), None),
            PinState::Issued if today > self.valid_end => (RecordState::Expired, self.spent.clone(), None),
            PinState::Issued if partly => (RecordState::PartlyUsed, self.spent.clone(), None),
            PinState::Issued => (RecordState::Unused, None, None),
        };
        let delivery = self.by_message().then_some(if self.delivery_failed {
            RecordDelivery::Failed
        } else {
            RecordDelivery::Delivered
        });
        let (used_at, branch) = used.map_or((None, None), |(at, b)| (Some(at), Some(b)));
        CouponRecord {
            partner_ref: Some(self.tr_id.clone()),
            order: self.order_no.clone(),
            pin: Some(self.pin_no.clone()),
            goods: self.goods_code.clone(),
            state,
            vendor_status: self.status(today).0.to_owned(),
            issued_at: self.issued_at,
            used_at,
            branch,
            remaining: self.remain,
            valid_until: Some(self.valid_end),
            delivery,
            resends: self.resends,
            cancels: self.cancels,
            cancel_requests: self.cancel_requests,
            cancelled_at,
        }
    }

    /// A stored-value coupon of which some part was spent.
    pub(crate) fn partly_spent(&self, face: u64) -> bool {
        self.remain.is_some_and(|r| r < face)
    }

    /// An item of `GET /_sandbox/giftishow/issued`.
    pub(crate) fn issued(&self, today: NaiveDate) -> Value {
        json!({
            "partner_ref": self.tr_id,
            "order": self.order_no,
            "cancelled": matches!(self.state, PinState::Cancelled { .. }),
            "goods_code": self.goods_code,
            "pin": self.pin_no,
            "state": self.status(today).0,
            "test": self.test,
            "gubun": self.gubun,
            "phone_no": self.phone_no,
            "callback_no": self.callback_no,
            "mms_title": self.mms_title,
            "mms_msg": self.mms_msg,
            "partner_order_no": self.partner_order_no,
            "template_id": self.template_id,
            "banner_id": self.banner_id,
            "charged": self.charged,
            "remain_amt": self.remain,
            "resends": self.resends,
            "issued_at": self.issued_at.to_rfc3339(),
        })
    }
}

/// A production send charged without issuing a PIN (what 0205 refunds).
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub(crate) tr_id: String,
    pub(crate) charged: u64,
    pub(crate) refunded: bool,
}

/// Everything requests change; `reset` puts back `Store::default()`. Cloned to age a
/// copy that replaces it only when the whole request succeeds.
#[derive(Debug, Clone)]
pub(crate) struct Store {
    /// Oldest first, never removed: a coupon's position is its order number's sequence.
    coupons: Vec<Coupon>,
    by_tr_id: HashMap<String, usize>,
    by_pin: HashMap<String, usize>,
    failures: Vec<Failure>,
    /// Bizmoney, in won.
    pub(crate) balance: u64,
    /// How many of the next production sends are charged and issue no PIN.
    pub(crate) pending_failures: u32,
    pub(crate) variant: Variant,
}

impl Default for Store {
    fn default() -> Self {
        Self {
            coupons: Vec::new(),
            by_tr_id: HashMap::new(),
            by_pin: HashMap::new(),
            failures: Vec::new(),
            balance: START_BALANCE,
            pending_failures: 0,
            variant: Variant::default(),
        }
    }
}

/// The fields of a new coupon the store does not make up itself.
pub(crate) struct NewCoupon<'a> {
    pub(crate) tr_id: &'a str,
    pub(crate) goods: &'a Goods,
    pub(crate) gubun: &'a str,
    pub(crate) phone_no: &'a str,
    pub(crate) callback_no: &'a str,
    pub(crate) mms_title: &'a str,
    pub(crate) mms_msg: &'a str,
    pub(crate) partner_order_no: &'a str,
    pub(crate) template_id: &'a str,
    pub(crate) banner_id: &'a str,
    pub(crate) test: bool,
    /// Where the barcode image of a `gubun=I` send is said to be: `{prefix}{pin}.png`.
    pub(crate) img_prefix: &'a str,
}

impl Store {
    pub(crate) fn by_tr_id(&self, tr_id: &str) -> Option<&Coupon> {
        self.coupons.get(*self.by_tr_id.get(tr_id)?)
    }

    pub(crate) fn by_tr_id_mut(&mut self, tr_id: &str) -> Option<&mut Coupon> {
        let index = *self.by_tr_id.get(tr_id)?;
        self.coupons.get_mut(index)
    }

    pub(crate) fn by_pin_mut(&mut self, pin: &str) -> Option<&mut Coupon> {
        let index = *self.by_pin.get(pin)?;
        self.coupons.get_mut(index)
    }

    pub(crate) fn coupons(&self) -> &[Coupon] {
        &self.coupons
    }

    pub(crate) fn coupon_at_mut(&mut self, index: usize) -> Option<&mut Coupon> {
        self.coupons.get_mut(index)
    }

    /// The coupon named by its `tr_id`, PIN or order number.
    pub(crate) fn find(&self, id: &str) -> Option<usize> {
        let indexed = self.by_tr_id.get(id).or_else(|| self.by_pin.get(id)).copied();
        indexed.or_else(|| self.coupons.iter().position(|c| c.order_no == id))
    }

    /// Records a send that issued a PIN: a fresh order number (KST date + 8-digit
    /// sequence, the coupon's count from 1, 16 digits) and a fresh 12-digit PIN; charges
    /// it unless a test send.
    pub(crate) fn issue(&mut self, new: &NewCoupon<'_>, now: DateTime<FixedOffset>) -> &Coupon {
        let sequence = (self.coupons.len() + 1) % 100_000_000;
        let order_no = format!("{}{sequence:08}", now.format("%Y%m%d"));
        let pin_no = loop {
            let candidate = format!("{}{:011}", fastrand::u8(1..=9), fastrand::u64(..100_000_000_000));
            if !self.by_pin.contains_key(&candidate) {
                break candidate;
            }
        };
        let charged = if new.test { 0 } else { new.goods.discount_price };
        self.balance = self.balance.saturating_sub(charged);
        let valid_end =
            now.date_naive().checked_add_days(Days::new(u64::from(new.goods.limit_day))).unwrap_or(NaiveDate::MAX);
        let index = self.coupons.len();
        self.by_tr_id.insert(new.tr_id.to_owned(), index);
        self.by_pin.insert(pin_no.clone(), index);
        self.coupons.push(Coupon {
            tr_id: new.tr_id.to_owned(),
            order_no,
            coupon_img_url: (new.gubun == "I").then(|| format!("{}{pin_no}.png", new.img_prefix)),
            pin_no,
            goods_code: new.goods.code.clone(),
            gubun: new.gubun.to_owned(),
            phone_no: new.phone_no.to_owned(),
            callback_no: new.callback_no.to_owned(),
            mms_title: new.mms_title.to_owned(),
            mms_msg: new.mms_msg.to_owned(),
            partner_order_no: new.partner_order_no.to_owned(),
            template_id: new.template_id.to_owned(),
            banner_id: new.banner_id.to_owned(),
            charged,
            test: new.test,
            issued_at: now,
            valid_end,
            changed_at: now,
            state: PinState::Issued,
            remain: new.goods.stored_value.then_some(new.goods.sale_price),
            face: new.goods.stored_value.then_some(new.goods.sale_price),
            spent: None,
            resends: 0,
            delivery_failed: false,
            cancels: 0,
            cancel_requests: 0,
        });
        &self.coupons[index]
    }

    /// Records a production send charged without a PIN; its `tr_id` stays free.
    pub(crate) fn fail_charged(&mut self, tr_id: &str, price: u64) {
        self.balance = self.balance.saturating_sub(price);
        self.failures.push(Failure { tr_id: tr_id.to_owned(), charged: price, refunded: false });
    }

    /// 0205: refunds the oldest charged failure of `tr_id` not refunded yet; the amount.
    pub(crate) fn refund_failure(&mut self, tr_id: &str) -> Option<u64> {
        let f = self.failures.iter_mut().find(|f| f.tr_id == tr_id && !f.refunded)?;
        f.refunded = true;
        self.balance = self.balance.saturating_add(f.charged);
        Some(f.charged)
    }

    /// The charged failures, for the admin view.
    pub(crate) fn failures(&self) -> &[Failure] {
        &self.failures
    }
}
