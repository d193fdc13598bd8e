//! Ageing GiftiMbiz's purchases (`POST /_sandbox/age`), as the purchase lists then show
//! them: `use_yn` `Y` with `use_date` for a redeemed item; a gifticon's `endtime` is the
//! moment it ends, so expiring it or moving its last day moves `endtime` (to the day
//! after the last day, at midnight). Starcoupons carry no validity; the vendor has no
//! stored value and delivers nothing (purchases go to the partner's account).

use chrono::{DateTime, Days, FixedOffset, NaiveDate};

use super::catalog::Catalog;
use super::shop::{Item, Shop};
use crate::aging::{Ageable, Section};
use crate::records::CouponRecord;

/// A copy of the shop being aged: its items in purchase order.
pub(super) struct Aging<'a> {
    shop: &'a mut Shop,
    catalog: &'a Catalog,
    items: Vec<Item>,
}

impl<'a> Aging<'a> {
    pub(super) fn new(shop: &'a mut Shop, catalog: &'a Catalog) -> Self {
        let items = shop.items();
        Self { shop, catalog, items }
    }
}

impl Ageable for Aging<'_> {
    fn len(&self) -> usize {
        self.items.len()
    }

    fn find(&self, id: &str) -> Vec<usize> {
        let tid = |item: &Item| match *item {
            Item::Gift(i) => self.shop.gifts.get(i).map(|r| r.tid.as_str()),
            Item::Star(i) => self.shop.stars.get(i).map(|r| r.tid.as_str()),
        };
        (0..self.items.len()).filter(|&k| tid(&self.items[k]) == Some(id)).collect()
    }

    fn record(&self, i: usize, today: NaiveDate) -> CouponRecord {
        self.shop
            .record(self.items[i], self.catalog, today)
            .unwrap_or_else(|| unreachable!("items are built from the shop they index"))
    }

    fn branches(&self) -> &[String] {
        &[]
    }

    fn supports(&self, section: Section) -> Result<(), String> {
        match section {
            Section::PartlyUse => Err("GiftiMbiz has no stored value".into()),
            Section::DeliveryFailed => Err("GiftiMbiz delivers nothing: purchases go to the partner's account".into()),
            Section::Redeem | Section::Expire | Section::ValidUntil => Ok(()),
        }
    }

    fn redeem(&mut self, i: usize, at: DateTime<FixedOffset>, branch: &str) {
        let (used_at, shop) = match self.items[i] {
            Item::Gift(g) => match self.shop.gifts.get_mut(g) {
                Some(r) => (&mut r.used_at, &mut r.branch),
                None => return,
            },
            Item::Star(s) => match self.shop.stars.get_mut(s) {
                Some(r) => (&mut r.used_at, &mut r.branch),
                None => return,
            },
        };
        *used_at = Some(at);
        *shop = Some(branch.to_owned());
    }

    fn partly_use(&mut self, _: usize, _: u64, _: DateTime<FixedOffset>, _: &str) {}

    fn set_valid_until(&mut self, i: usize, day: NaiveDate) {
        if let Item::Gift(g) = self.items[i]
            && let Some(r) = self.shop.gifts.get_mut(g)
        {
            r.endtime = day.checked_add_days(Days::new(1)).unwrap_or(NaiveDate::MAX);
        }
    }

    fn fail_delivery(&mut self, _: usize) {}
}
