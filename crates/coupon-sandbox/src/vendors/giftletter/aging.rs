//! Ageing Giftletter's PINs (`POST /_sandbox/age`): redeemed PINs show in `StatusSendEPin`
//! and the day's `ExchangeDaily`; an expired PIN still answers `use` `N` (the document
//! has no other word) and its cancel is refused with `E102`. The vendor has no stored
//! value and reports no delivery.

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::catalog::Catalog;
use super::store::{PinState, Store};
use crate::aging::{Ageable, Section};
use crate::records::CouponRecord;

/// A copy of the store being aged, with the catalog's shops.
pub(super) struct Aging<'a> {
    pub(super) store: &'a mut Store,
    pub(super) catalog: &'a Catalog,
}

impl Ageable for Aging<'_> {
    fn len(&self) -> usize {
        self.store.orders().len()
    }

    fn find(&self, id: &str) -> Vec<usize> {
        self.store.find(id).into_iter().collect()
    }

    fn record(&self, i: usize, today: NaiveDate) -> CouponRecord {
        self.store.orders()[i].record(today)
    }

    fn branches(&self) -> &[String] {
        &self.catalog.branches
    }

    fn supports(&self, section: Section) -> Result<(), String> {
        match section {
            Section::PartlyUse => Err("Giftletter PINs are exchanged whole: it has no stored value".into()),
            Section::DeliveryFailed => {
                Err("Giftletter reports no delivery (StatusSendEPin has no field for it)".into())
            }
            Section::Redeem | Section::Expire | Section::ValidUntil => Ok(()),
        }
    }

    fn redeem(&mut self, i: usize, at: DateTime<FixedOffset>, branch: &str) {
        if let Some(order) = self.store.order_at_mut(i) {
            order.state = PinState::Used { at, branch: branch.to_owned() };
        }
    }

    fn partly_use(&mut self, _: usize, _: u64, _: DateTime<FixedOffset>, _: &str) {}

    fn set_valid_until(&mut self, i: usize, day: NaiveDate) {
        if let Some(order) = self.store.order_at_mut(i) {
            order.valid_end = day;
        }
    }

    fn fail_delivery(&mut self, _: usize) {}
}
