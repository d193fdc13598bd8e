//! What the native client's calls send: the query types, the checks made before
//! sending, and the parameters each call carries. Sans-IO.

use coupon_core::{Error, PartnerRef, Result, Won, validate};

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
/// use adapter_giftimbiz::wire::requests::{GiftOrder, GiftQuery};
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

/// Parameters of one call: name and value, empty values left out.
pub type Params = Vec<(&'static str, String)>;

/// The parameters given, those without a value (or a blank one) left out.
pub fn params<const N: usize>(pairs: [(&'static str, Option<String>); N]) -> Params {
    pairs.into_iter().filter_map(|(k, v)| v.filter(|v| !v.trim().is_empty()).map(|v| (k, v))).collect()
}

fn positive(field: &str, v: Option<u32>) -> Result<Option<String>> {
    match v {
        Some(0) => Err(Error::invalid_field(field, "must be 1 or more (0 given)")),
        other => Ok(other.map(|n| n.to_string())),
    }
}

/// listAll's parameters.
pub fn gift_query(q: &GiftQuery) -> Result<Params> {
    Ok(params([
        ("CODE", q.category.clone()),
        ("BCODE", q.brand.clone()),
        ("price", q.max_price.map(|w| w.get().to_string())),
        ("word", q.word.clone()),
        ("orderby", q.order.map(|o| o.as_str().to_string())),
        ("page", positive("page", q.page)?),
        ("limit", positive("limit", q.limit)?),
        ("site", Some("gift".to_string())),
    ]))
}

/// starListAll's parameters.
pub fn star_query(q: &StarQuery) -> Result<Params> {
    Ok(params([
        ("si", q.si.clone()),
        ("gu", q.gu.clone()),
        ("dong", q.dong.clone()),
        ("CODE", q.category.clone()),
        ("BCODE", q.shop.clone()),
        ("word", q.word.clone()),
        ("page", positive("page", q.page)?),
        ("makestarid", q.maker.clone()),
        ("site", Some("gift".to_string())),
    ]))
}

/// The product name of a buy: required, and printable (a control character would
/// reach the vendor's records and the partner's purchase history).
pub fn check_product(product: &str) -> Result<()> {
    validate::required("product", product)?;
    validate::no_control_chars("product", product, false)
}

/// The sales to buy, joined with `|` as the vendor wants them.
pub fn check_md_idx(md_idx: &[&str]) -> Result<String> {
    if md_idx.is_empty() {
        return Err(Error::invalid_field("md_idx", "needs at least one sale (none given)"));
    }
    for (i, m) in md_idx.iter().enumerate() {
        let m = m.trim();
        if m.is_empty() || m.contains('|') || !m.is_ascii() || m.bytes().any(|b| !b.is_ascii_graphic()) {
            return Err(Error::invalid_field(
                "md_idx",
                format!(
                    "item {} must be one sale id: ASCII without spaces or `|` ({} characters given)",
                    i + 1,
                    m.chars().count()
                ),
            ));
        }
    }
    Ok(md_idx.iter().map(|m| m.trim()).collect::<Vec<_>>().join("|"))
}
