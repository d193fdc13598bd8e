//! The fixture catalog, typed, and how the vendor renders it (with the document's
//! string/number drift: listings send numbers as strings, details as numbers).

use chrono::{Days, NaiveDate};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::samples::{IssueSample, ProductsSample, RefusalSample, Samples};

#[derive(Clone, Deserialize)]
pub(super) struct Category {
    pub(super) mc_idx: u32,
    pub(super) mc_title: String,
    pub(super) mc_gift_thum: String,
}

#[derive(Clone, Deserialize)]
pub(super) struct Brand {
    pub(super) mb_idx: u32,
    pub(super) mb_brand: String,
    pub(super) mb_edu_use_is: String,
    pub(super) mc_idx: u32,
    pub(super) mb_thumb: String,
}

#[derive(Clone, Deserialize)]
pub(super) struct Gifticon {
    pub(super) md_idx: u32,
    pub(super) gm_idx: u32,
    pub(super) product: String,
    pub(super) mb_idx: u32,
    pub(super) mc_idx: u32,
    pub(super) price: u64,
    pub(super) sell_price1: u64,
    pub(super) sell_price2: u64,
    pub(super) sell_price3: u64,
    pub(super) endtime_days_from_now: u32,
    pub(super) hit: u32,
    pub(super) gm_thumb: String,
}

#[derive(Clone, Deserialize)]
pub(super) struct StarCoupon {
    pub(super) ms_idx: u32,
    pub(super) mc_idx: u32,
    pub(super) ms_name: String,
    pub(super) ms_couponname: String,
    pub(super) ms_product: String,
    pub(super) ms_type: String,
    pub(super) ms_price: u64,
    pub(super) ms_orgprice: u64,
    pub(super) ms_place1: String,
    pub(super) gu: String,
    pub(super) dong: String,
    pub(super) msl_idx: u32,
    pub(super) msc_idx: u32,
    pub(super) md_idx: u32,
    pub(super) msl_condition: String,
    pub(super) ms_thumb: String,
    pub(super) msl_thumb: String,
    pub(super) msl_img: String,
    pub(super) ms_naverplaceaddr: String,
    pub(super) msu_idx: u32,
    pub(super) managecode: String,
    pub(super) makestarid: String,
}

/// The whole catalog.
#[derive(Clone, Deserialize)]
pub(super) struct Catalog {
    pub(super) gifticon_categories: Vec<Category>,
    pub(super) brands: Vec<Brand>,
    pub(super) gifticons: Vec<Gifticon>,
    pub(super) star_categories: Vec<Category>,
    pub(super) star_coupons: Vec<StarCoupon>,
}

impl Catalog {
    /// Reads the embedded catalog.
    ///
    /// # Panics
    ///
    /// When the embedded file does not have the shape `fixture_tests.rs` checks: a build
    /// defect caught by the unit tests, never a consequence of a request.
    pub(super) fn from_fixtures(fixtures: &Value) -> Self {
        Catalog::deserialize(fixtures).unwrap_or_else(|e| panic!("coupon-sandbox: giftimbiz/fixtures.json shape: {e}"))
    }

    pub(super) fn brand(&self, mb_idx: u32) -> Option<&Brand> {
        self.brands.iter().find(|b| b.mb_idx == mb_idx)
    }

    pub(super) fn category_title(&self, mc_idx: u32) -> &str {
        self.gifticon_categories.iter().find(|c| c.mc_idx == mc_idx).map_or("", |c| c.mc_title.as_str())
    }

    pub(super) fn gifticon(&self, md_idx: u32) -> Option<&Gifticon> {
        self.gifticons.iter().find(|g| g.md_idx == md_idx)
    }

    /// [`Emulator::samples`](crate::Emulator::samples): the listing's first category,
    /// the detail of its first sale (`"{gm_idx}:{md_idx}"`, as the SDK names products),
    /// and the purchase of another sale (each sells once, so the detail stays available
    /// after the purchase) at today's price.
    pub(super) fn samples(&self) -> Samples {
        let mut samples = Samples::default();
        let mut sales = self.gifticons.iter();
        if let Some(shown) = sales.next() {
            samples.products = Some(ProductsSample { brand: None, category: Some(shown.mc_idx.to_string()) });
            // A `result` code the document's 코드표 does not list.
            samples.refusal = Some(RefusalSample {
                operation: "products".into(),
                content_type: "application/json; charset=utf-8".into(),
                body: r#"{"result":"ZZ99","msg":"sandbox: a code the document does not list"}"#.into(),
                code: "ZZ99".into(),
            });
            samples.product = Some(format!("{}:{}", shown.gm_idx, shown.md_idx));
        }
        if let Some(bought) = sales.next() {
            samples.issue = Some(IssueSample {
                product_name: Some(bought.product.clone()),
                amount: Some(bought.disprice()),
                ..IssueSample::new(bought.md_idx.to_string())
            });
        }
        samples
    }
}

impl Gifticon {
    /// The expiry day, counted from `today`.
    pub(super) fn end_date(&self, today: NaiveDate) -> NaiveDate {
        today.checked_add_days(Days::new(u64::from(self.endtime_days_from_now))).unwrap_or(today)
    }

    pub(super) fn endtime(&self, today: NaiveDate) -> String {
        format!("{} 00:00:00", self.end_date(today).format("%Y-%m-%d"))
    }

    /// The price now: over 60 days left `sell_price1`, 30 to 60 `sell_price2`, under 30 `sell_price3`.
    pub(super) fn disprice(&self) -> u64 {
        match self.endtime_days_from_now {
            61.. => self.sell_price1,
            30..=60 => self.sell_price2,
            _ => self.sell_price3,
        }
    }

    /// The discount against the list price, in whole percent (the document: 1400 → 940 is 33).
    pub(super) fn percentage(&self) -> u64 {
        if self.price == 0 {
            return 0;
        }
        let off = self.price.saturating_sub(self.disprice());
        (off * 100 + self.price / 2) / self.price
    }

    /// An item of listAll: numbers as strings, except `percentage`.
    pub(super) fn listing_json(&self, catalog: &Catalog, today: NaiveDate) -> Value {
        json!({
            "md_idx": self.md_idx.to_string(),
            "endtime": self.endtime(today),
            "gm_thumb": self.gm_thumb,
            "gm_idx": self.gm_idx.to_string(),
            "sell_price1": self.sell_price1.to_string(),
            "sell_price2": self.sell_price2.to_string(),
            "sell_price3": self.sell_price3.to_string(),
            "price": self.price.to_string(),
            "product": self.product,
            "mc_idx": self.mc_idx.to_string(),
            "cate_name": catalog.category_title(self.mc_idx),
            "brand_name": catalog.brand(self.mb_idx).map_or("", |b| b.mb_brand.as_str()),
            "mb_idx": self.mb_idx.to_string(),
            "percentage": self.percentage(),
            "disprice": self.disprice().to_string(),
        })
    }

    /// A giftDetail item: numbers as numbers.
    pub(super) fn detail_json(&self, catalog: &Catalog, today: NaiveDate) -> Value {
        json!({
            "DCODE": self.md_idx,
            "mc_idx": self.mc_idx,
            "cate_name": catalog.category_title(self.mc_idx),
            "mb_idx": self.mb_idx,
            "brand": catalog.brand(self.mb_idx).map_or("", |b| b.mb_brand.as_str()),
            "endtime": self.endtime(today),
            "CODE": self.gm_idx,
            "gm_thumb": self.gm_thumb,
            "price": self.price,
            "product": self.product,
        })
    }
}

impl StarCoupon {
    /// The second coupon image, which the fixture does not list separately.
    fn msl_img2(&self) -> String {
        match self.msl_img.rsplit_once('.') {
            Some((stem, ext)) => format!("{stem}_2.{ext}"),
            None => self.msl_img.clone(),
        }
    }

    /// An item of starListAll: numbers as strings.
    pub(super) fn listing_json(&self) -> Value {
        json!({
            "ms_idx": self.ms_idx.to_string(),
            "ms_price": self.ms_price.to_string(),
            "ms_type": self.ms_type,
            "ms_name": self.ms_name,
            "ms_product": self.ms_product,
            "ms_thumb": self.ms_thumb,
            "ms_place1": self.ms_place1,
            "msl_condition": self.msl_condition,
            "msl_idx": self.msl_idx.to_string(),
            "md_idx": self.md_idx.to_string(),
            "msc_idx": self.msc_idx.to_string(),
            "ms_orgprice": self.ms_orgprice.to_string(),
            "ms_discountprice": self.ms_price.to_string(),
            "msl_couponname": self.ms_couponname,
            "msl_thumb": self.msl_thumb,
        })
    }

    /// starDetail's `detail` (with `ms_price`) or an `eq_brand` item (with the two prices).
    pub(super) fn detail_json(&self, same_brand: bool) -> Value {
        let mut v = json!({
            "ms_idx": self.ms_idx,
            "ms_couponname": self.ms_couponname,
            "ms_thumb": self.ms_thumb,
            "ms_name": self.ms_name,
            "ms_product": self.ms_product,
            "ms_type": self.ms_type,
            "ms_naverplaceaddr": self.ms_naverplaceaddr,
            "msl_idx": self.msl_idx,
            "msc_idx": self.msc_idx,
            "msl_thumb": self.msl_thumb,
            "msl_img": self.msl_img,
            "msl_img2": self.msl_img2(),
            "msl_condition": self.msl_condition,
        });
        if let Value::Object(map) = &mut v {
            if same_brand {
                map.insert("ms_discountprice".into(), json!(self.ms_price));
                map.insert("ms_orgprice".into(), json!(self.ms_orgprice));
            } else {
                map.insert("ms_price".into(), json!(self.ms_price));
            }
        }
        v
    }
}
