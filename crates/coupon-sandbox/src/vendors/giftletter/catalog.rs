//! The Giftletter catalog (`giftletter/fixtures.json`), typed for the handlers.

use chrono::{Days, NaiveDate};
use serde::Deserialize;
use serde_json::Value;

use crate::samples::{IssueSample, ProductsSample, RefusalSample, Samples};

/// A brand (`getBrandImage`, `BRAND_*` fields).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Brand {
    pub(crate) brand_id: u64,
    pub(crate) brand_name: String,
    pub(crate) img_url: String,
    pub(crate) brand_memo: String,
}

/// A goods (`getGoodsInfoList`, `getGoodsInfo`, issued by `SendEPin`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Goods {
    pub(crate) goods_id: String,
    pub(crate) goods_name: String,
    pub(crate) brand_id: u64,
    pub(crate) price: u64,
    pub(crate) sprice: u64,
    /// `1` LMS, `2` MMS.
    pub(crate) msg_type: String,
    /// Days (`"93"`) or a date (`"2027-12-31"`).
    pub(crate) exdate: String,
    pub(crate) goods_memo: String,
    pub(crate) img_url: String,
    /// `Y` can be issued, `N` cannot (`A101`).
    pub(crate) status: String,
    /// `StatusSendEPin` answers `P201` when false ("일부 상품의 경우 쿠폰 상태 조회 기능을 제공하지 않습니다").
    pub(crate) status_supported: bool,
    /// The daily report gives only the day for these ("교환일시 항목은 상품에 따라 일자만 제공").
    pub(crate) exchange_day_only: bool,
}

impl Goods {
    /// The last day a PIN issued on `issued` can be used: `EXDATE` days later, or the
    /// `EXDATE` day itself; never, when `EXDATE` is neither (`0000-00-00`).
    pub(crate) fn valid_end(&self, issued: NaiveDate) -> NaiveDate {
        let exdate = self.exdate.trim();
        match exdate.parse::<u64>() {
            Ok(days) => issued.checked_add_days(Days::new(days)).unwrap_or(NaiveDate::MAX),
            Err(_) => NaiveDate::parse_from_str(exdate, "%Y-%m-%d").unwrap_or(NaiveDate::MAX),
        }
    }
}

/// The whole catalog.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Catalog {
    pub(crate) brands: Vec<Brand>,
    pub(crate) goods: Vec<Goods>,
    /// Shops where a redemption happens when the admin call names none.
    pub(crate) branches: Vec<String>,
}

impl Catalog {
    /// Reads the embedded catalog.
    ///
    /// # Panics
    ///
    /// When the embedded file does not have the catalog's shape: a build defect
    /// caught by the fixture tests, never a consequence of a request.
    pub(crate) fn from_fixtures(value: &Value) -> Self {
        Self::deserialize(value).unwrap_or_else(|e| panic!("coupon-sandbox: giftletter/fixtures.json: {e}"))
    }

    pub(crate) fn brand(&self, brand_id: u64) -> Option<&Brand> {
        self.brands.iter().find(|b| b.brand_id == brand_id)
    }

    pub(crate) fn goods(&self, goods_id: &str) -> Option<&Goods> {
        self.goods.iter().find(|g| g.goods_id == goods_id)
    }

    /// The goods a tour issues: the first that can be issued, answers its status and
    /// is redeemed with a time (so every step of a tour has something to show).
    pub(crate) fn sample_goods(&self) -> Option<&Goods> {
        self.goods.iter().find(|g| g.status == "Y" && g.status_supported && !g.exchange_day_only)
    }

    /// [`Emulator::samples`](crate::Emulator::samples): issue, list by brand, detail, report.
    pub(crate) fn samples(&self) -> Samples {
        let Some(g) = self.sample_goods() else { return Samples { redemptions: true, ..Samples::default() } };
        Samples {
            issue: Some(IssueSample {
                recipient: Some("010-1234-5678".into()),
                callback: Some("1588-1234".into()),
                title: Some("선물이 도착했어요".into()),
                message: Some(format!("coupon sandbox: {}", g.goods_name)),
                ..IssueSample::new(&g.goods_id)
            }),
            products: Some(ProductsSample { brand: Some(g.brand_id.to_string()), category: None }),
            product: Some(g.goods_id.clone()),
            redemptions: true,
            // getGoodsInfo refuses with a STATUS letter; `Z` is none of the document's.
            refusal: Some(RefusalSample {
                operation: "product".into(),
                content_type: "application/json; charset=utf-8".into(),
                body: r#"{"STATUS":"Z"}"#.into(),
                code: "Z".into(),
            }),
            ..Samples::default()
        }
    }
}
