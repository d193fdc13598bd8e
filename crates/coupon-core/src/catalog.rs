//! Products, brands, categories and pages of them.

use chrono::NaiveDate;

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
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// The page number, from 1.
    pub page: u32,
    /// The total number of items, when the vendor says.
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
