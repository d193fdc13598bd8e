//! Ageing Giftishow's coupons (`POST /_sandbox/age`), as `0201` then reports them:
//! `pinStatusCd` `02` with `correcDtm` for a redeemed coupon, `remainAmt` for a 금액권
//! spent in part (still `01`), `08` once past `validPrdEndDt`, and `sendStatusCd` `03`,
//! `sendRstCd` `ERR0999` for an MMS that failed.

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
        self.store.coupons().len()
    }

    fn find(&self, id: &str) -> Vec<usize> {
        self.store.find(id).into_iter().collect()
    }

    fn record(&self, i: usize, today: NaiveDate) -> CouponRecord {
        self.store.coupons()[i].record(today)
    }

    fn branches(&self) -> &[String] {
        &self.catalog.branches
    }

    fn supports(&self, _: Section) -> Result<(), String> {
        Ok(())
    }

    fn redeem(&mut self, i: usize, at: DateTime<FixedOffset>, branch: &str) {
        if let Some(c) = self.store.coupon_at_mut(i) {
            c.remain = c.remain.map(|_| 0);
            c.state = PinState::Used { at, branch: branch.to_owned() };
            c.changed_at = at;
        }
    }

    fn partly_use(&mut self, i: usize, balance: u64, at: DateTime<FixedOffset>, branch: &str) {
        if let Some(c) = self.store.coupon_at_mut(i) {
            c.remain = Some(balance);
            c.spent = Some((at, branch.to_owned()));
            c.changed_at = at;
        }
    }

    fn set_valid_until(&mut self, i: usize, day: NaiveDate) {
        if let Some(c) = self.store.coupon_at_mut(i) {
            c.valid_end = day;
        }
    }

    fn fail_delivery(&mut self, i: usize) {
        if let Some(c) = self.store.coupon_at_mut(i) {
            c.delivery_failed = true;
        }
    }
}
