//! What the native client's calls take and give beyond the wire types.

use coupon_core::{OrderRef, PartnerRef, Won};

/// `orderby` of listAll.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GiftOrder {
    /// `hit`: most popular first.
    Hit,
    /// `priceH`: highest price first.
    PriceHigh,
    /// `priceL`: lowest price first.
    PriceLow,
    /// `disH`: highest discount first.
    DiscountHigh,
    /// `disL`: lowest discount first.
    DiscountLow,
}

impl GiftOrder {
    /// The vendor's spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            GiftOrder::Hit => "hit",
            GiftOrder::PriceHigh => "priceH",
            GiftOrder::PriceLow => "priceL",
            GiftOrder::DiscountHigh => "disH",
            GiftOrder::DiscountLow => "disL",
        }
    }
}

/// Filters of listAll; every one optional.
///
/// ```
/// use adapter_giftimbiz::{GiftOrder, GiftQuery};
/// use coupon_core::Won;
/// let q = GiftQuery { category: Some("6".into()), max_price: Some(Won(3000)), order: Some(GiftOrder::PriceLow), ..GiftQuery::default() };
/// assert_eq!(q.page, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GiftQuery {
    /// `CODE`: a category (`mc_idx`).
    pub category: Option<String>,
    /// `BCODE`: a brand (`mb_idx`).
    pub brand: Option<String>,
    /// `price`: the highest price.
    pub max_price: Option<Won>,
    /// `word`: a search word.
    pub word: Option<String>,
    /// `orderby`.
    pub order: Option<GiftOrder>,
    /// `page`, from 1.
    pub page: Option<u32>,
    /// `limit`: items per page.
    pub limit: Option<u32>,
}

/// Filters of starListAll; every one optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StarQuery {
    /// `si`: 시/도.
    pub si: Option<String>,
    /// `gu`: 구/군.
    pub gu: Option<String>,
    /// `dong`: 동/리.
    pub dong: Option<String>,
    /// `CODE`: a Starcoupon category.
    pub category: Option<String>,
    /// `BCODE`: a shop (`ms_idx`).
    pub shop: Option<String>,
    /// `word`: a search word.
    pub word: Option<String>,
    /// `page`, from 1.
    pub page: Option<u32>,
    /// `makestarid`: the user who made the Starcoupon.
    pub maker: Option<String>,
}

/// One Starcoupon to buy (buyStarcoupon's parameters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StarPurchaseRequest {
    /// `md_idx`: the sale.
    pub md_idx: String,
    /// `msl_idx`: the coupon issue.
    pub msl_idx: String,
    /// `msc_idx`: the coupon detail index.
    pub msc_idx: String,
    /// `cash`: the amount to pay (0 for a free coupon).
    pub cash: Won,
    /// `product`: the product name.
    pub product: String,
    /// Our reference for tracing; generated when absent.
    pub partner_ref: Option<PartnerRef>,
}

/// A purchase the vendor confirmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// `tid`: the vendor's order.
    pub tid: OrderRef,
    /// The vendor's `message`.
    pub message: Option<String>,
    /// Our reference (given or generated); GiftiMbiz never sees it.
    pub partner_ref: PartnerRef,
}

/// What the purchase history says about a buy whose outcome was unknown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reconciliation<P> {
    /// The history holds the purchase: these entries match (normally one).
    Bought(Vec<P>),
    /// The history is complete and holds no matching purchase: the buy did not happen.
    NotBought,
    /// The history cannot settle it (the reason says why); do not buy again yet.
    StillUnknown(String),
}

impl<P> Reconciliation<P> {
    /// True for [`Reconciliation::Bought`].
    pub fn is_bought(&self) -> bool {
        matches!(self, Reconciliation::Bought(_))
    }
}
