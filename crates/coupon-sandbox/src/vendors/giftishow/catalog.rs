//! The Giftishow Biz catalog (`giftishow/fixtures.json`): brands and goods kept as the
//! vendor writes them (camelCase objects, prices as numbers in some goods and as text in
//! others), with the few fields the handlers decide on read into types.

use chrono::NaiveDate;
use serde_json::{Map, Value, json};

use super::dates;
use super::variant::Dates;
use crate::samples::{IssueSample, ProductsSample, RefusalSample, Samples};

/// Members only the detail (0111) carries; the list (0101) leaves them out.
const DETAIL_ONLY: &[&str] = &[
    "goodsTypeCd",
    "goldPrice",
    "vipPrice",
    "platinumPrice",
    "goldDiscountRate",
    "vipDiscountRate",
    "platinumDiscountRate",
    "categoryName1",
];

/// `goodsTypeNm` of a stored-value goods (금액권): a coupon of it carries `remainAmt`
/// and is spent in parts.
pub(crate) const STORED_VALUE_TYPE: &str = "금액권";

/// A brand: the vendor's object, and its code.
#[derive(Debug, Clone)]
pub(crate) struct Brand {
    pub(crate) code: String,
    pub(crate) mms_thum_img: String,
    pub(crate) raw: Map<String, Value>,
}

/// A goods: the vendor's object, and what sending it depends on.
#[derive(Debug, Clone)]
pub(crate) struct Goods {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) brand_code: String,
    pub(crate) brand_name: String,
    /// What the partner pays (`discountPrice`): the bizmoney a production send costs.
    pub(crate) discount_price: u64,
    /// The consumer price (`salePrice`), also the face value of a stored-value goods.
    pub(crate) sale_price: u64,
    /// Days a coupon is valid after sending (`limitDay`).
    pub(crate) limit_day: u32,
    /// Last day the goods can be sent (`endDate`).
    pub(crate) end_date: NaiveDate,
    /// `goodsStateCd` is `SALE`.
    pub(crate) on_sale: bool,
    /// `goodsTypeNm` is [`STORED_VALUE_TYPE`].
    pub(crate) stored_value: bool,
    pub(crate) raw: Map<String, Value>,
}

impl Goods {
    /// Can be sent on `today`: on sale and not past its `endDate`.
    pub(crate) fn sendable(&self, today: NaiveDate) -> bool {
        self.on_sale && today <= self.end_date
    }

    /// A `goodsList` item: the object without the detail-only members, `endDate` in
    /// the variant's form.
    pub(crate) fn list_item(&self, form: Dates) -> Value {
        let item = self.raw.iter().filter(|(k, _)| !DETAIL_ONLY.contains(&k.as_str())).map(|(k, v)| match k.as_str() {
            "endDate" => (k.clone(), json!(dates::day(self.end_date, form))),
            _ => (k.clone(), v.clone()),
        });
        Value::Object(item.collect())
    }

    /// `goodsDetail`: the whole object, `endDate` in the variant's form and the category
    /// spelled `categorySeq1` (the list's `category1Seq`).
    pub(crate) fn detail(&self, form: Dates) -> Value {
        let item = self.raw.iter().map(|(k, v)| match k.as_str() {
            "endDate" => (k.clone(), json!(dates::day(self.end_date, form))),
            "category1Seq" => ("categorySeq1".to_owned(), v.clone()),
            _ => (k.clone(), v.clone()),
        });
        Value::Object(item.collect())
    }
}

/// The whole catalog.
#[derive(Debug, Clone)]
pub(crate) struct Catalog {
    pub(crate) brands: Vec<Brand>,
    pub(crate) goods: Vec<Goods>,
    /// Shops where a redemption happens when the admin call names none.
    pub(crate) branches: Vec<String>,
}

/// Won, written as a number or as text (`4500`, `"4500"`).
pub(crate) fn won(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn text(m: &Map<String, Value>, key: &str) -> Result<String, String> {
    m.get(key).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| format!("`{key}` is not a string"))
}

fn object(v: &Value, what: &str) -> Result<Map<String, Value>, String> {
    v.as_object().cloned().ok_or_else(|| format!("a {what} is not an object"))
}

impl Catalog {
    /// Reads the embedded catalog.
    ///
    /// # Panics
    ///
    /// When the embedded file does not have the catalog's shape: a build defect
    /// caught by the fixture tests, never a consequence of a request.
    pub(crate) fn from_fixtures(value: &Value) -> Self {
        Self::read(value).unwrap_or_else(|e| panic!("coupon-sandbox: giftishow/fixtures.json: {e}"))
    }

    fn read(value: &Value) -> Result<Self, String> {
        let list = |key: &str| value.get(key).and_then(Value::as_array).ok_or_else(|| format!("no `{key}` array"));
        let brands = list("brands")?
            .iter()
            .map(|b| {
                let raw = object(b, "brand")?;
                Ok(Brand { code: text(&raw, "brandCode")?, mms_thum_img: text(&raw, "mmsThumImg")?, raw })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let goods = list("goods")?
            .iter()
            .map(|g| {
                let raw = object(g, "goods")?;
                let code = text(&raw, "goodsCode")?;
                let price = |key: &str| won(raw.get(key)).ok_or_else(|| format!("{code}: `{key}` is not won"));
                let end_date = NaiveDate::parse_from_str(&text(&raw, "endDate")?, "%Y%m%d")
                    .map_err(|e| format!("{code}: endDate: {e}"))?;
                let limit_day = raw
                    .get("limitDay")
                    .and_then(Value::as_u64)
                    .and_then(|d| u32::try_from(d).ok())
                    .ok_or_else(|| format!("{code}: `limitDay` is not a number of days"))?;
                Ok(Goods {
                    name: text(&raw, "goodsName")?,
                    brand_code: text(&raw, "brandCode")?,
                    brand_name: text(&raw, "brandName")?,
                    discount_price: price("discountPrice")?,
                    sale_price: price("salePrice")?,
                    limit_day,
                    end_date,
                    on_sale: text(&raw, "goodsStateCd")? == "SALE",
                    stored_value: text(&raw, "goodsTypeNm")? == STORED_VALUE_TYPE,
                    code,
                    raw,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let branches = list("branches")?
            .iter()
            .map(|b| b.as_str().map(str::to_owned).ok_or_else(|| "a branch is not a string".to_owned()))
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Self { brands, goods, branches })
    }

    pub(crate) fn brand(&self, code: &str) -> Option<&Brand> {
        self.brands.iter().find(|b| b.code == code)
    }

    pub(crate) fn goods(&self, code: &str) -> Option<&Goods> {
        self.goods.iter().find(|g| g.code == code)
    }

    /// The goods a tour sends: the first on sale that is not stored-value.
    pub(crate) fn sample_goods(&self) -> Option<&Goods> {
        self.goods.iter().find(|g| g.on_sale && !g.stored_value)
    }

    /// The stored-value goods a tour sends to read a balance: the first on sale.
    pub(crate) fn stored_value_goods(&self) -> Option<&Goods> {
        self.goods.iter().find(|g| g.on_sale && g.stored_value)
    }

    /// [`Emulator::samples`](crate::Emulator::samples): send, list, detail, a send of
    /// a stored-value goods for `balance`, and a refusal. No coupon samples: the
    /// vendor looks coupons up by `tr_id`, and the fixtures hold no pre-issued coupon.
    pub(crate) fn samples(&self) -> Samples {
        let products = Some(ProductsSample::default());
        let Some(g) = self.sample_goods() else { return Samples { products, ..Samples::default() } };
        let send = |g: &Goods| IssueSample {
            recipient: Some("01012345678".into()),
            callback: Some("15880000".into()),
            title: Some("선물 도착".into()),
            message: Some(format!("coupon sandbox에서 보낸 {} 쿠폰입니다.", g.name)),
            ..IssueSample::new(&g.code)
        };
        Samples {
            issue: Some(send(g)),
            balance_issue: self.stored_value_goods().map(send),
            products,
            product: Some(g.code.clone()),
            // 0111 refused with a code the reconstructed reading does not list.
            refusal: Some(RefusalSample {
                operation: "product".into(),
                content_type: "application/json".into(),
                body: r#"{"code":"ERR9901","message":"일시적인 시스템 점검 중입니다.","result":null}"#.into(),
                code: "ERR9901".into(),
            }),
            ..Samples::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn won_reads_numbers_and_text() {
        assert_eq!(won(Some(&json!(4500))), Some(4500));
        assert_eq!(won(Some(&json!(" 4500"))), Some(4500));
        assert_eq!(won(Some(&json!("4,500"))), None);
        assert_eq!(won(Some(&json!(-1))), None);
        assert_eq!(won(None), None);
    }

    #[test]
    fn the_list_leaves_out_the_detail_members_and_the_detail_spells_categoryseq1() {
        let catalog = Catalog::from_fixtures(&crate::fixtures::parse("giftishow", super::super::FIXTURES));
        let g = catalog.sample_goods().unwrap();
        let (list, detail) = (g.list_item(Dates::Compact), g.detail(Dates::Compact));
        assert!(list.get("goldPrice").is_none() && list.get("goodsTypeCd").is_none());
        assert!(
            list.get("goodsCode").is_some() && list.get("category1Seq").is_some() && list.get("categorySeq1").is_none()
        );
        assert!(detail.get("goldPrice").is_some() && detail.get("categoryName1").is_some());
        assert_eq!(detail["goodsTypeCd"], "GNRL");
        assert_eq!((detail.get("category1Seq"), &detail["categorySeq1"]), (None, &g.raw["category1Seq"]));
        for key in ["contentAddDesc", "goodsComId", "goodsComName", "affiliateId"] {
            assert!(list[key].is_string() && detail[key] == list[key], "{key}");
        }
        assert_eq!((&list["endDate"], &detail["endDate"]), (&g.raw["endDate"], &g.raw["endDate"]));
        let iso = g.list_item(Dates::Iso);
        assert_eq!(
            (&iso["endDate"], &g.detail(Dates::Iso)["endDate"]),
            (&json!(dates::day(g.end_date, Dates::Iso)), &iso["endDate"])
        );
        let stored = catalog.stored_value_goods().unwrap();
        assert_eq!(stored.detail(Dates::Compact)["goodsTypeCd"], "AMNT");
    }
}
