//! Products, brands, categories and pages of them.

use chrono::NaiveDate;
use serde::{Serialize, Serializer};

use crate::money::Won;
use crate::time::KstDateTime;
use crate::vendor::Vendor;

/// A brand (GS25, 스타벅스, …).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Brand {
    /// The vendor's brand id, when it gives one.
    pub id: Option<String>,
    /// The brand name.
    pub name: String,
    /// A brand image, absolute.
    pub image_url: Option<String>,
}

impl Brand {
    /// A brand with a name and an optional id.
    pub fn new(id: Option<String>, name: impl Into<String>) -> Self {
        Self { id, name: name.into(), image_url: None }
    }
}

/// A product category (커피음료, 마트,편의점, …).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Category {
    /// The vendor's category id.
    pub id: String,
    /// The category name.
    pub name: String,
    /// A thumbnail, absolute.
    pub image_url: Option<String>,
}

impl Category {
    /// A category.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self { id: id.into(), name: name.into(), image_url: None }
    }
}

/// Whether a product can be issued now.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Availability {
    /// It can be issued.
    Available,
    /// It cannot be issued now.
    Unavailable,
    /// The vendor sent a status we do not know, kept verbatim.
    Unknown(String),
}

impl Availability {
    /// `available`, `unavailable` or `unknown` (the vendor's text is not part of the name).
    ///
    /// ```
    /// use coupon_core::Availability;
    /// assert_eq!(Availability::Unknown("Z".into()).as_str(), "unknown");
    /// ```
    pub fn as_str(&self) -> &'static str {
        match self {
            Availability::Available => "available",
            Availability::Unavailable => "unavailable",
            Availability::Unknown(_) => "unknown",
        }
    }
}

/// How long an issued coupon stays valid.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Validity {
    /// This many days from issue.
    Days(u32),
    /// Until this date (inclusive).
    Until(NaiveDate),
    /// Until this moment.
    UntilTime(KstDateTime),
}

/// A product that can be issued or bought.
///
/// Fields a vendor does not give stay `None`.
///
/// ```
/// use coupon_core::{Product, Vendor, Won};
/// let mut p = Product::new(Vendor::new("giftletter"), "0000000582", "[GS25] 모바일상품권 1만원");
/// p.price = Some(Won(10_000));
/// assert!(p.is_available());
/// ```
///
/// Serialized flat, the one JSON form of a product for whoever prints it: `id`, `name`, `brand` (its name),
/// `brand_id`, `category` (its name), `category_id`, `price` and `sale_price` (whole won),
/// `image_url`, `available` (a boolean), `availability` ([`Availability::as_str`]),
/// `validity` (`{"days": N}`, `{"until": "YYYY-MM-DD"}` or `{"until_time": RFC 3339}`),
/// `sale_until` (`YYYY-MM-DD`), `notice` and `vendor_status`, each `null` when unknown.
/// The vendor is not repeated on each product: a listing comes from one vendor, which
/// the caller knows (and may print once, beside the items).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Product {
    /// The vendor offering it.
    pub vendor: Vendor,
    /// The vendor's product id (Giftletter goods_id, GiftiMbiz md_idx, …).
    pub id: String,
    /// The product name.
    pub name: String,
    /// The brand.
    pub brand: Option<Brand>,
    /// The category.
    pub category: Option<Category>,
    /// The list (market) price.
    pub price: Option<Won>,
    /// What the partner pays now (supply price, or the current discounted price).
    pub sale_price: Option<Won>,
    /// A product image, absolute.
    pub image_url: Option<String>,
    /// Whether it can be issued now.
    pub availability: Availability,
    /// How long an issued coupon stays valid.
    pub validity: Option<Validity>,
    /// The last day it can be issued, where the vendor says (in KST).
    pub sale_until: Option<NaiveDate>,
    /// The notice to show buyers (conditions of use).
    pub notice: Option<String>,
    /// The vendor's raw status text, where it has one.
    pub vendor_status: Option<String>,
}

impl Product {
    /// A product with an id and a name, available, nothing else known.
    pub fn new(vendor: Vendor, id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            vendor,
            id: id.into(),
            name: name.into(),
            brand: None,
            category: None,
            price: None,
            sale_price: None,
            image_url: None,
            availability: Availability::Available,
            validity: None,
            sale_until: None,
            notice: None,
            vendor_status: None,
        }
    }

    /// True when it can be issued now.
    pub fn is_available(&self) -> bool {
        self.availability == Availability::Available
    }
}

impl Serialize for Product {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// The flat shape people and scripts read: a brand or category by its name and
        /// id side by side rather than nested.
        #[derive(Serialize)]
        struct Flat<'a> {
            id: &'a str,
            name: &'a str,
            brand: Option<&'a str>,
            brand_id: Option<&'a str>,
            category: Option<&'a str>,
            category_id: Option<&'a str>,
            price: Option<Won>,
            sale_price: Option<Won>,
            image_url: Option<&'a str>,
            available: bool,
            availability: &'static str,
            validity: Option<&'a Validity>,
            sale_until: Option<NaiveDate>,
            notice: Option<&'a str>,
            vendor_status: Option<&'a str>,
        }
        Flat {
            id: &self.id,
            name: &self.name,
            brand: self.brand.as_ref().map(|b| b.name.as_str()),
            brand_id: self.brand.as_ref().and_then(|b| b.id.as_deref()),
            category: self.category.as_ref().map(|c| c.name.as_str()),
            category_id: self.category.as_ref().map(|c| c.id.as_str()),
            price: self.price,
            sale_price: self.sale_price,
            image_url: self.image_url.as_deref(),
            available: self.is_available(),
            availability: self.availability.as_str(),
            validity: self.validity.as_ref(),
            sale_until: self.sale_until,
            notice: self.notice.as_deref(),
            vendor_status: self.vendor_status.as_deref(),
        }
        .serialize(serializer)
    }
}

/// Filters for a product listing. Each adapter says which it needs
/// (Giftletter lists by brand only) and refuses, naming the field, what it cannot use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProductQuery {
    /// A brand id.
    pub brand: Option<String>,
    /// A category id.
    pub category: Option<String>,
    /// A search word.
    pub word: Option<String>,
    /// A price ceiling.
    pub max_price: Option<Won>,
    /// The page, from 1.
    pub page: Option<u32>,
    /// Items per page.
    pub limit: Option<u32>,
}

impl ProductQuery {
    /// No filter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Products of one brand.
    pub fn brand(mut self, brand: impl Into<String>) -> Self {
        self.brand = Some(brand.into());
        self
    }

    /// Products of one category.
    pub fn category(mut self, category: impl Into<String>) -> Self {
        self.category = Some(category.into());
        self
    }

    /// Products matching a word.
    pub fn word(mut self, word: impl Into<String>) -> Self {
        self.word = Some(word.into());
        self
    }

    /// One page of the listing.
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }
}

/// One page of a listing.
///
/// Serialized as `{"items", "page", "total_count", "has_next"}`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// The page number, from 1.
    pub page: u32,
    /// The total number of items, when the vendor says.
    // The name printed listings have always used.
    #[serde(rename = "total_count")]
    pub total: Option<u64>,
    /// Whether another page follows.
    pub has_next: bool,
}

impl<T> Page<T> {
    /// A page.
    pub fn new(items: Vec<T>, page: u32, total: Option<u64>, has_next: bool) -> Self {
        Self { items, page, total, has_next }
    }

    /// A whole listing in one page.
    pub fn single(items: Vec<T>) -> Self {
        let total = Some(items.len() as u64);
        Self { items, page: 1, total, has_next: false }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::time;

    #[test]
    fn a_product_serializes_flat_with_names_beside_ids_and_no_vendor() {
        let bare = Product::new(Vendor::new("acme"), "P1", "이름");
        assert_eq!(
            serde_json::to_value(&bare).unwrap(),
            json!({"availability": "available", "available": true, "brand": null, "brand_id": null, "category": null,
                   "category_id": null, "id": "P1", "image_url": null, "name": "이름", "notice": null, "price": null,
                   "sale_price": null, "sale_until": null, "validity": null, "vendor_status": null})
        );
        let mut full = bare.clone();
        full.brand = Some(Brand::new(Some("B1".into()), "브랜드"));
        full.category = Some(Category::new("C1", "카테고리"));
        (full.price, full.sale_price) = (Some(Won(10_000)), Some(Won(9_400)));
        full.image_url = Some("https://x/y.png".into());
        full.availability = Availability::Unknown("Q".into());
        full.validity = Some(Validity::Days(30));
        full.sale_until = time::parse_date("2999-12-31");
        (full.notice, full.vendor_status) = (Some("n".into()), Some("S".into()));
        assert_eq!(
            serde_json::to_value(&full).unwrap(),
            json!({"availability": "unknown", "available": false, "brand": "브랜드", "brand_id": "B1",
                   "category": "카테고리", "category_id": "C1", "id": "P1", "image_url": "https://x/y.png",
                   "name": "이름", "notice": "n", "price": 10000, "sale_price": 9400, "sale_until": "2999-12-31",
                   "validity": {"days": 30}, "vendor_status": "S"})
        );
        let until = time::parse_compact_datetime("20261102140322").unwrap();
        for (validity, shown) in [
            (Validity::Until(time::parse_date("2026-12-31").unwrap()), json!({"until": "2026-12-31"})),
            (Validity::UntilTime(until), json!({"until_time": "2026-11-02T14:03:22+09:00"})),
        ] {
            full.validity = Some(validity);
            assert_eq!(serde_json::to_value(&full).unwrap()["validity"], shown);
        }
    }

    #[test]
    fn a_page_names_its_total_total_count() {
        let page = Page::new(vec![1, 2], 2, Some(40), true);
        assert_eq!(
            serde_json::to_value(&page).unwrap(),
            json!({"items": [1, 2], "page": 2, "total_count": 40, "has_next": true})
        );
    }
}
