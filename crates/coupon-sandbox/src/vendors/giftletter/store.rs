//! What the emulated vendor remembers: issued PINs, their state and resend counts,
//! and whether the IP allow-list is switched on.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde_json::{Value, json};

use crate::records::{CouponRecord, RecordState};

/// Where an issued PIN is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PinState {
    Unused,
    Used { at: DateTime<FixedOffset>, branch: String },
    Cancelled { at: DateTime<FixedOffset> },
}

/// One `SendEPin` that succeeded.
#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub(crate) order_id: String,
    pub(crate) co_tid: String,
    pub(crate) goods_id: String,
    pub(crate) epin: String,
    pub(crate) title: String,
    pub(crate) content: String,
    pub(crate) reserved: String,
    pub(crate) issued_at: DateTime<FixedOffset>,
    pub(crate) state: PinState,
    pub(crate) resends: u32,
    /// The last day the PIN can be used: the issue day plus the goods' `EXDATE` days,
    /// or its `EXDATE` day. The vendor's answers never carry it.
    pub(crate) valid_end: NaiveDate,
    /// `CancelSendEPin` requests answered with success.
    pub(crate) cancels: u32,
    /// `CancelSendEPin` requests that reached this order, whatever the answer.
    pub(crate) cancel_requests: u32,
}

impl Order {
    /// The admin view (`GET /_sandbox/giftletter/coupons`).
    pub(crate) fn describe(&self) -> Value {
        let (state, used_at, branch, cancelled_at) = match &self.state {
            PinState::Unused => ("unused", None, None, None),
            PinState::Used { at, branch } => ("used", Some(at.to_rfc3339()), Some(branch.clone()), None),
            PinState::Cancelled { at } => ("cancelled", None, None, Some(at.to_rfc3339())),
        };
        json!({
            "order_id": self.order_id,
            "co_tid": self.co_tid,
            "goods_id": self.goods_id,
            "epin": self.epin,
            "title": self.title,
            "content": self.content,
            "reserved": self.reserved,
            "issued_at": self.issued_at.to_rfc3339(),
            "state": state,
            "used_at": used_at,
            "branch": branch,
            "cancelled_at": cancelled_at,
            "resends": self.resends,
        })
    }
}

impl Order {
    /// Unused and past its last day on `today`. The document's status has no word for
    /// it (`use` is only `Y`, `N` or `C`): it still answers `N`.
    pub(crate) fn expired(&self, today: NaiveDate) -> bool {
        self.state == PinState::Unused && today > self.valid_end
    }

    /// The sandbox's record (`GET /_sandbox/records/giftletter`).
    pub(crate) fn record(&self, today: NaiveDate) -> CouponRecord {
        let (state, vendor_status, used_at, branch, cancelled_at) = match &self.state {
            PinState::Unused if self.expired(today) => (RecordState::Expired, "N", None, None, None),
            PinState::Unused => (RecordState::Unused, "N", None, None, None),
            PinState::Used { at, branch } => (RecordState::Used, "Y", Some(*at), Some(branch.clone()), None),
            PinState::Cancelled { at } => (RecordState::Cancelled, "C", None, None, Some(*at)),
        };
        CouponRecord {
            partner_ref: Some(self.co_tid.clone()),
            order: self.order_id.clone(),
            pin: Some(self.epin.clone()),
            goods: self.goods_id.clone(),
            state,
            vendor_status: vendor_status.to_owned(),
            issued_at: self.issued_at,
            used_at,
            branch,
            remaining: None,
            valid_until: Some(self.valid_end),
            delivery: None,
            resends: self.resends,
            cancels: self.cancels,
            cancel_requests: self.cancel_requests,
            cancelled_at,
        }
    }

    /// An item of `GET /_sandbox/giftletter/issued`: by partner reference (`co_tid`).
    pub(crate) fn issued(&self) -> Value {
        let state = match &self.state {
            PinState::Unused => "unused",
            PinState::Used { .. } => "used",
            PinState::Cancelled { .. } => "cancelled",
        };
        json!({
            "partner_ref": self.co_tid,
            "order": self.order_id,
            "cancelled": matches!(self.state, PinState::Cancelled { .. }),
            "goods_id": self.goods_id,
            "epin": self.epin,
            "state": state,
            "issued_at": self.issued_at.to_rfc3339(),
        })
    }
}

/// Everything requests change; `reset` puts back `Store::default()`. Cloned to age a
/// copy that replaces it only when the whole request succeeds.
#[derive(Debug, Clone, Default)]
pub(crate) struct Store {
    orders: Vec<Order>,
    by_order_id: HashMap<String, usize>,
    by_co_tid: HashMap<String, usize>,
    by_epin: HashMap<String, usize>,
    sequence: u64,
    /// When on, every request is refused as coming from an unregistered IP (`S002` / `STATUS I`).
    pub(crate) ip_allowlist: bool,
}

/// The fields of a new order the store does not make up itself.
pub(crate) struct NewOrder<'a> {
    pub(crate) co_tid: &'a str,
    pub(crate) goods_id: &'a str,
    pub(crate) title: &'a str,
    pub(crate) content: &'a str,
    pub(crate) reserved: &'a str,
    pub(crate) valid_end: NaiveDate,
}

impl Store {
    pub(crate) fn has_co_tid(&self, co_tid: &str) -> bool {
        self.by_co_tid.contains_key(co_tid)
    }

    /// Records an issue: a fresh order id (`GL` + KST date + sequence, 14 characters)
    /// and a fresh 12-digit PIN.
    pub(crate) fn issue(&mut self, new: &NewOrder<'_>, now: DateTime<FixedOffset>) -> &Order {
        self.sequence += 1;
        let order_id = format!("GL{}{:06}", now.format("%y%m%d"), self.sequence % 1_000_000);
        let epin = loop {
            let candidate = format!("{}{:011}", fastrand::u8(1..=9), fastrand::u64(..100_000_000_000));
            if !self.by_epin.contains_key(&candidate) {
                break candidate;
            }
        };
        let index = self.orders.len();
        self.by_order_id.insert(order_id.clone(), index);
        self.by_co_tid.insert(new.co_tid.to_owned(), index);
        self.by_epin.insert(epin.clone(), index);
        self.orders.push(Order {
            order_id,
            co_tid: new.co_tid.to_owned(),
            goods_id: new.goods_id.to_owned(),
            epin,
            title: new.title.to_owned(),
            content: new.content.to_owned(),
            reserved: new.reserved.to_owned(),
            issued_at: now,
            state: PinState::Unused,
            resends: 0,
            valid_end: new.valid_end,
            cancels: 0,
            cancel_requests: 0,
        });
        &self.orders[index]
    }

    pub(crate) fn order_mut(&mut self, order_id: &str) -> Option<&mut Order> {
        let index = *self.by_order_id.get(order_id)?;
        self.orders.get_mut(index)
    }

    pub(crate) fn by_epin_mut(&mut self, epin: &str) -> Option<&mut Order> {
        let index = *self.by_epin.get(epin)?;
        self.orders.get_mut(index)
    }

    pub(crate) fn orders(&self) -> &[Order] {
        &self.orders
    }

    pub(crate) fn order_at_mut(&mut self, index: usize) -> Option<&mut Order> {
        self.orders.get_mut(index)
    }

    /// The order named by its `co_tid`, `order_id` or PIN.
    pub(crate) fn find(&self, id: &str) -> Option<usize> {
        [&self.by_co_tid, &self.by_order_id, &self.by_epin].into_iter().find_map(|map| map.get(id).copied())
    }
}
