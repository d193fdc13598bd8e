//! Purchases: what the buy endpoints record, the purchase histories read, and QR and
//! mark-used act on.

use std::collections::HashMap;

use chrono::{DateTime, Days, FixedOffset, NaiveDate};
use serde_json::{Value, json};

use super::Refusal;
use super::catalog::{Catalog, Gifticon, StarCoupon};
use crate::records::{CouponRecord, RecordState};

/// One gifticon bought (a buy of several `md_idx` records one per sale, sharing the `tid`).
#[derive(Clone)]
pub(super) struct GiftRecord {
    pub(super) tid: String,
    pub(super) partner: String,
    pub(super) md_idx: u32,
    pub(super) cash: u64,
    pub(super) bought_at: DateTime<FixedOffset>,
    pub(super) used_at: Option<DateTime<FixedOffset>>,
    /// Where it was used, when the redemption named a shop.
    pub(super) branch: Option<String>,
    /// The day of its `endtime` (`YYYY-MM-DD 00:00:00`), the moment it ends: the sale's
    /// when bought. Its last usable day is the day before.
    pub(super) endtime: NaiveDate,
}

impl GiftRecord {
    /// The last day it can be used.
    pub(super) fn last_day(&self) -> NaiveDate {
        self.endtime.checked_sub_days(Days::new(1)).unwrap_or(NaiveDate::MIN)
    }

    /// The sandbox's record: `use_yn` is the vendor's word, `endtime` past means expired.
    pub(super) fn record(&self, today: NaiveDate) -> CouponRecord {
        let state = match self.used_at {
            Some(_) => RecordState::Used,
            None if today > self.last_day() => RecordState::Expired,
            None => RecordState::Unused,
        };
        let record =
            purchase_record(&self.tid, self.md_idx.to_string(), state, self.bought_at, self.used_at, &self.branch);
        CouponRecord { valid_until: Some(self.last_day()), ..record }
    }
}

/// A purchase's record: no partner reference, PIN, delivery or cancel on this API.
fn purchase_record(
    tid: &str,
    goods: String,
    state: RecordState,
    bought_at: DateTime<FixedOffset>,
    used_at: Option<DateTime<FixedOffset>>,
    branch: &Option<String>,
) -> CouponRecord {
    CouponRecord {
        partner_ref: None,
        order: tid.to_owned(),
        pin: None,
        goods,
        state,
        vendor_status: if used_at.is_some() { "Y" } else { "N" }.to_owned(),
        issued_at: bought_at,
        used_at,
        branch: branch.clone(),
        remaining: None,
        valid_until: None,
        delivery: None,
        resends: 0,
        cancels: 0,
        cancel_requests: 0,
        cancelled_at: None,
    }
}

/// One Starcoupon bought.
#[derive(Clone)]
pub(super) struct StarRecord {
    pub(super) tid: String,
    pub(super) partner: String,
    /// The purchased coupon (구매한쿠폰인덱스), for getQRImg and setUseStarCoupon.
    pub(super) msc_idx: u64,
    /// Index of the coupon in the catalog.
    pub(super) coupon: usize,
    pub(super) cash: u64,
    pub(super) bought_at: DateTime<FixedOffset>,
    pub(super) used_at: Option<DateTime<FixedOffset>>,
    /// Where it was used, when the redemption named a shop.
    pub(super) branch: Option<String>,
}

impl StarRecord {
    /// The sandbox's record: its purchase list carries no last day.
    pub(super) fn record(&self, catalog: &Catalog) -> CouponRecord {
        let state = if self.used_at.is_some() { RecordState::Used } else { RecordState::Unused };
        let goods = catalog.star_coupons.get(self.coupon).map(|c| c.md_idx.to_string()).unwrap_or_default();
        purchase_record(&self.tid, goods, state, self.bought_at, self.used_at, &self.branch)
    }
}

/// One purchased item, gifticon or Starcoupon, by its index in its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Item {
    Gift(usize),
    Star(usize),
}

/// Every purchase since the last reset.
#[derive(Default, Clone)]
pub(super) struct Shop {
    seq: u64,
    pub(super) gifts: Vec<GiftRecord>,
    pub(super) stars: Vec<StarRecord>,
    /// Sales already sold, by `md_idx`, with the partner who bought them.
    pub(super) sold: HashMap<u32, String>,
    /// Sales added by `POST /_sandbox/giftimbiz/listings`, after the catalog's.
    pub(super) added: Vec<Gifticon>,
}

fn time(t: &DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

fn used(at: Option<&DateTime<FixedOffset>>) -> (&'static str, String) {
    match at {
        Some(t) => ("Y", time(t)),
        None => ("N", String::new()),
    }
}

impl Shop {
    /// A fresh order number: `yyyyMMdd` and a sequence, unique across both kinds.
    pub(super) fn next_tid(&mut self, now: &DateTime<FixedOffset>) -> String {
        self.seq += 1;
        format!("{}{:06}", now.format("%Y%m%d"), self.seq)
    }

    /// A fresh purchased-coupon index.
    pub(super) fn next_msc(&mut self) -> u64 {
        self.seq += 1;
        500_000 + self.seq
    }

    /// Every purchased item in purchase order (order numbers grow with every purchase).
    pub(super) fn items(&self) -> Vec<Item> {
        let gifts = self.gifts.iter().enumerate().map(|(i, r)| (&r.tid, Item::Gift(i)));
        let stars = self.stars.iter().enumerate().map(|(i, r)| (&r.tid, Item::Star(i)));
        let mut items: Vec<_> = gifts.chain(stars).collect();
        items.sort_by(|(a, _), (b, _)| (a.len(), a).cmp(&(b.len(), b)));
        items.into_iter().map(|(_, item)| item).collect()
    }

    /// Item's record on `today`.
    pub(super) fn record(&self, item: Item, catalog: &Catalog, today: NaiveDate) -> Option<CouponRecord> {
        match item {
            Item::Gift(i) => self.gifts.get(i).map(|r| r.record(today)),
            Item::Star(i) => self.stars.get(i).map(|r| r.record(catalog)),
        }
    }

    /// `GET /_sandbox/giftimbiz/issued`: every purchase (gifticon orders, one item per
    /// `tid` with its sales; Starcoupons), oldest first. The API carries no partner
    /// reference, so `partner_ref` is null; nothing is ever cancelled.
    pub(super) fn issued(&self, catalog: &Catalog) -> Vec<Value> {
        let mut items: Vec<(String, Value)> = Vec::new();
        for r in &self.gifts {
            if let Some((_, item)) = items.iter_mut().find(|(tid, _)| *tid == r.tid) {
                if let Some(md) = item["md_idx"].as_array_mut() {
                    md.push(json!(r.md_idx));
                }
                let cash = item["cash"].as_u64().unwrap_or(0) + r.cash;
                item["cash"] = json!(cash);
                item["used"] = json!(item["used"] == true && r.used_at.is_some());
                continue;
            }
            let item = json!({
                "partner_ref": null,
                "order": r.tid,
                "cancelled": false,
                "kind": "gifticon",
                "partner": r.partner,
                "md_idx": [r.md_idx],
                "cash": r.cash,
                "bought_at": time(&r.bought_at),
                "used": r.used_at.is_some(),
            });
            items.push((r.tid.clone(), item));
        }
        for r in &self.stars {
            let coupon = catalog.star_coupons.get(r.coupon);
            let item = json!({
                "partner_ref": null,
                "order": r.tid,
                "cancelled": false,
                "kind": "starcoupon",
                "partner": r.partner,
                "md_idx": coupon.map(|c| vec![c.md_idx]).unwrap_or_default(),
                "msl_idx": coupon.map(|c| c.msl_idx),
                "msc_idx": r.msc_idx,
                "cash": r.cash,
                "bought_at": time(&r.bought_at),
                "used": r.used_at.is_some(),
            });
            items.push((r.tid.clone(), item));
        }
        // Order numbers grow with every purchase of either kind: their order is the purchase order.
        items.sort_by(|(a, _), (b, _)| (a.len(), a).cmp(&(b.len(), b)));
        items.into_iter().map(|(_, item)| item).collect()
    }

    /// buyGifticonList: the partner's gifticons, newest first.
    pub(super) fn gift_list(&self, partner: &str, catalog: &Catalog) -> Vec<Value> {
        self.gifts
            .iter()
            .rev()
            .filter(|r| r.partner == partner)
            .map(|r| {
                let g = catalog.gifticon(r.md_idx).or_else(|| self.added.iter().find(|g| g.md_idx == r.md_idx));
                let (use_yn, use_date) = used(r.used_at.as_ref());
                json!({
                    "tid": r.tid,
                    "md_idx": r.md_idx.to_string(),
                    "gm_idx": g.map(|g| g.gm_idx.to_string()).unwrap_or_default(),
                    "product": g.map(|g| g.product.clone()).unwrap_or_default(),
                    "cash": r.cash.to_string(),
                    "buy_date": time(&r.bought_at),
                    "endtime": format!("{} 00:00:00", r.endtime.format("%Y-%m-%d")),
                    "use_yn": use_yn,
                    "use_date": use_date,
                })
            })
            .collect()
    }

    /// buyStarcouponList's `data`: the partner's Starcoupons (of one coupon issue or sale), newest first.
    pub(super) fn star_data(&self, partner: &str, catalog: &Catalog, msl: Option<&str>, md: Option<&str>) -> Value {
        let mut list = Vec::new();
        let (mut total, mut discount) = (0u64, 0u64);
        for r in self.stars.iter().rev().filter(|r| r.partner == partner) {
            let Some(c) = catalog.star_coupons.get(r.coupon) else { continue };
            if msl.is_some_and(|m| m != c.msl_idx.to_string()) || md.is_some_and(|m| m != c.md_idx.to_string()) {
                continue;
            }
            total += r.cash;
            discount += c.ms_orgprice.saturating_sub(r.cash);
            let (use_yn, use_date) = used(r.used_at.as_ref());
            list.push(json!({
                "tid": r.tid,
                "msc_idx": r.msc_idx.to_string(),
                "msl_idx": c.msl_idx.to_string(),
                "md_idx": c.md_idx.to_string(),
                "ms_idx": c.ms_idx.to_string(),
                "msu_idx": c.msu_idx.to_string(),
                "ms_name": c.ms_name,
                "ms_couponname": c.ms_couponname,
                "ms_product": c.ms_product,
                "cash": r.cash.to_string(),
                "buy_date": time(&r.bought_at),
                "use_yn": use_yn,
                "use_date": use_date,
            }));
        }
        json!({ "list": list, "Totalbuyprice": total, "Totaldiscountprice": discount })
    }

    /// The partner's Starcoupon by order and purchased coupon.
    pub(super) fn star(&self, partner: &str, tid: &str, msc_idx: &str) -> Option<&StarRecord> {
        self.stars.iter().find(|r| r.partner == partner && r.tid == tid && r.msc_idx.to_string() == msc_idx)
    }

    /// setUseStarCoupon.
    pub(super) fn use_star(
        &mut self,
        partner: &str,
        coupons: &[StarCoupon],
        msu_idx: &str,
        msc_idx: &str,
        managecode: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<(), Refusal> {
        let record = self
            .stars
            .iter_mut()
            .find(|r| r.partner == partner && r.msc_idx.to_string() == msc_idx)
            .ok_or(("M", "구매한 쿠폰이 존재하지 않습니다."))?;
        let coupon = coupons.get(record.coupon).ok_or(("M", "쿠폰 정보가 존재하지 않습니다."))?;
        if coupon.msu_idx.to_string() != msu_idx {
            return Err(("M", "판매자 정보가 일치하지 않습니다."));
        }
        if coupon.managecode != managecode {
            return Err(("N", "입력된 번호 값이 일치하지 않습니다."));
        }
        if record.used_at.is_some() {
            return Err(("M", "이미 사용된 쿠폰입니다."));
        }
        record.used_at = Some(now);
        Ok(())
    }
}
