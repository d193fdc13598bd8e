//! GiftiMbiz answers as typed values: sans-IO parsers, one per endpoint.
//!
//! The vendor's JSON drifts: integers come as numbers or strings (`"sell_price1": "940"`
//! beside `"percentage": 33`), booleans as `true` or `"true"`, `result` as `"0000"` or
//! `0`, and image paths are often relative (`/UPLOAD/...`). Every parser here reads a
//! field in any of those spellings, resolves image paths against the origin it is
//! given, and never panics on any input: a body it cannot read is a [`WireError`].

use std::borrow::Cow;
use std::fmt;

use coupon_core::chrono::NaiveDate;
use coupon_core::secrecy::SecretString;
use coupon_core::time::KstDateTime;
use coupon_core::{Vendor, Won};

use crate::codes;

mod lenient;
mod tree;

use lenient::{Obj, field};
pub use lenient::{flag, int, resolve_image, text};
pub use tree::{Json, Members};

/// The vendor name; also the config section and the sandbox prefix.
pub const VENDOR: Vendor = Vendor::new("giftimbiz");

/// Why an answer is not a usable success.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WireError {
    /// The vendor answered with a result code other than success.
    Refused {
        /// The code, verbatim (a number is kept as its digits).
        code: String,
        /// The vendor's `msg` (or `message`), when it sent one.
        message: Option<String>,
    },
    /// The body is not the JSON the document describes.
    Malformed(String),
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::Refused { code, message: Some(m) } => write!(f, "refused with code {code}: {m}"),
            WireError::Refused { code, message: None } => write!(f, "refused with code {code}"),
            WireError::Malformed(why) => write!(f, "malformed answer: {why}"),
        }
    }
}

impl std::error::Error for WireError {}

type Parsed<T> = Result<T, WireError>;

fn malformed(why: impl Into<String>) -> WireError {
    WireError::Malformed(why.into())
}

/// Reads the body as JSON and checks `result`: the object's members on success
/// (`"0000"`, `0`, `"0"`, or no `result` at all, as the document's starDetail example
/// shows), a [`WireError::Refused`] with the code otherwise.
pub fn envelope(body: &[u8]) -> Parsed<Members<'_>> {
    // A UTF-8 byte-order mark is what some PHP stacks put before JSON.
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let value = Json::parse(body).map_err(|e| malformed(format!("not JSON ({e})")))?;
    let Json::Object(members) = value else {
        return Err(malformed("the answer is not a JSON object"));
    };
    let code = match field(&members, "result") {
        None | Some(Json::Null) => return Ok(members),
        Some(v) => text(v).ok_or_else(|| malformed("`result` is neither a code nor a number"))?,
    };
    if codes::is_success(&code) {
        return Ok(members);
    }
    let message = field(&members, "msg").or_else(|| field(&members, "message")).and_then(text);
    Err(WireError::Refused { code, message })
}

// ---------------------------------------------------------------------------
// 1. common/getAccessToken

/// A parsed token answer. The token is a secret: `Debug` does not show it.
pub fn parse_access_token(body: &[u8]) -> Parsed<SecretString> {
    let members = envelope(body)?;
    let token = field(&members, "token").and_then(text).ok_or_else(|| malformed("`token` is missing"))?;
    Ok(SecretString::from(token))
}

// ---------------------------------------------------------------------------
// Pages.

/// One page of a listing: `total_count`, `isNext`, `list`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListPage<T> {
    /// `total_count`: all items matching, over every page.
    pub total_count: Option<u64>,
    /// `isNext`: whether another page follows.
    pub is_next: bool,
    /// `list`.
    pub items: Vec<T>,
}

fn page<T>(members: &[(Cow<'_, str>, Json<'_>)], origin: &str, item: fn(&Obj<'_>) -> Parsed<T>) -> Parsed<ListPage<T>> {
    let top = Obj { members, origin };
    let items = match top.get("list") {
        None | Some(Json::Null) => Vec::new(),
        Some(Json::Array(list)) => {
            list.iter().map(|v| Obj::new(v, origin, "a list item").and_then(|o| item(&o))).collect::<Parsed<_>>()?
        }
        // The document's own buyGifticonList example shows `list` as one object.
        Some(Json::Object(fields)) if fields.is_empty() => Vec::new(),
        Some(v @ Json::Object(_)) => vec![item(&Obj::new(v, origin, "list")?)?],
        Some(Json::Bool(_) | Json::Number(_) | Json::Str(_)) => return Err(malformed("`list` is not an array")),
    };
    Ok(ListPage { total_count: top.int("total_count"), is_next: top.flag("isNext").unwrap_or(false), items })
}

// ---------------------------------------------------------------------------
// 2. giftimbiz/cateGift and 7. giftimbiz/cateStar

/// A category of either table (`cate`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    /// `mc_idx`.
    pub mc_idx: String,
    /// `mc_title`.
    pub mc_title: String,
    /// `mc_gift_thum` (or `mc_thumb`), absolute.
    pub thumb: Option<String>,
}

fn category(o: &Obj<'_>) -> Parsed<Category> {
    Ok(Category {
        mc_idx: o.id("mc_idx")?,
        mc_title: o.text("mc_title").unwrap_or_default(),
        thumb: o.image("mc_gift_thum").or_else(|| o.image("mc_thumb")),
    })
}

/// A gifticon brand (`brand` of cateGift).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GiftBrand {
    /// `mb_idx`.
    pub mb_idx: String,
    /// `mb_brand`.
    pub mb_brand: String,
    /// `mb_edu_use_is` (Y/N): whether the brand is in use.
    pub in_use: Option<bool>,
    /// `mc_idx`.
    pub mc_idx: Option<String>,
    /// `mc_title`.
    pub mc_title: Option<String>,
    /// `mb_thumb`, absolute.
    pub thumb: Option<String>,
}

/// The answer of cateGift.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GiftCategories {
    /// `cate`.
    pub categories: Vec<Category>,
    /// `brand`.
    pub brands: Vec<GiftBrand>,
}

/// Parses a cateGift answer.
pub fn parse_gift_categories(body: &[u8], origin: &str) -> Parsed<GiftCategories> {
    let members = envelope(body)?;
    let top = Obj { members: &members, origin };
    let categories = top.list("cate").iter().map(|v| category(&Obj::new(v, origin, "cate")?)).collect::<Parsed<_>>()?;
    let brands = top
        .list("brand")
        .iter()
        .map(|v| {
            let o = Obj::new(v, origin, "brand")?;
            Ok(GiftBrand {
                mb_idx: o.id("mb_idx")?,
                mb_brand: o.text("mb_brand").unwrap_or_default(),
                in_use: o.flag("mb_edu_use_is"),
                mc_idx: o.text("mc_idx"),
                mc_title: o.text("mc_title"),
                thumb: o.image("mb_thumb"),
            })
        })
        .collect::<Parsed<_>>()?;
    Ok(GiftCategories { categories, brands })
}

/// A Starcoupon shop (`brand` of cateStar).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StarShop {
    /// `mc_idx`.
    pub mc_idx: Option<String>,
    /// `ms_idx`: the shop.
    pub ms_idx: String,
    /// `ms_name`.
    pub ms_name: String,
    /// `ms_naverplaceaddr`.
    pub naver_place: Option<String>,
    /// `msl_thumb`, absolute.
    pub thumb: Option<String>,
}

/// The answer of cateStar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StarCategories {
    /// `cate`.
    pub categories: Vec<Category>,
    /// `brand`: the shops.
    pub shops: Vec<StarShop>,
}

/// Parses a cateStar answer.
pub fn parse_star_categories(body: &[u8], origin: &str) -> Parsed<StarCategories> {
    let members = envelope(body)?;
    let top = Obj { members: &members, origin };
    let categories = top.list("cate").iter().map(|v| category(&Obj::new(v, origin, "cate")?)).collect::<Parsed<_>>()?;
    let shops = top
        .list("brand")
        .iter()
        .map(|v| {
            let o = Obj::new(v, origin, "brand")?;
            Ok(StarShop {
                mc_idx: o.text("mc_idx"),
                ms_idx: o.id("ms_idx")?,
                ms_name: o.text("ms_name").unwrap_or_default(),
                naver_place: o.text("ms_naverplaceaddr"),
                thumb: o.image("msl_thumb"),
            })
        })
        .collect::<Parsed<_>>()?;
    Ok(StarCategories { categories, shops })
}

// ---------------------------------------------------------------------------
// 3. giftimbiz/listAll

/// Which of the three prices applies: by whole days left before `endtime`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PriceTier {
    /// More than 60 days left: `sell_price1`.
    First,
    /// 30 to 60 days left, both included: `sell_price2`.
    Second,
    /// 0 to 29 days left: `sell_price3`.
    Third,
}

impl PriceTier {
    /// The tier for `days_left` whole days before the expiry date; `None` once expired.
    ///
    /// The document says "over 60 days", "60 to 30 days" and "within 30 days": day 60
    /// and day 30 both fall in the middle tier (the range the document writes out),
    /// and the expiry day itself (0 days left) is still sold at the third price.
    ///
    /// ```
    /// use adapter_giftimbiz::wire::PriceTier;
    /// assert_eq!(PriceTier::for_days_left(61), Some(PriceTier::First));
    /// assert_eq!(PriceTier::for_days_left(60), Some(PriceTier::Second));
    /// assert_eq!(PriceTier::for_days_left(30), Some(PriceTier::Second));
    /// assert_eq!(PriceTier::for_days_left(29), Some(PriceTier::Third));
    /// assert_eq!(PriceTier::for_days_left(-1), None);
    /// ```
    pub fn for_days_left(days_left: i64) -> Option<PriceTier> {
        match days_left {
            61.. => Some(PriceTier::First),
            30..=60 => Some(PriceTier::Second),
            0..=29 => Some(PriceTier::Third),
            _ => None,
        }
    }
}

/// A gifticon for sale (an item of listAll).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GiftListing {
    /// `md_idx`: the sale (판매번호); what buyGifticoupon buys, and giftDetail's `DCODE`.
    pub md_idx: String,
    /// `gm_idx`: the gifticon kind (기프티콘종류인덱스); giftDetail's `CODE`.
    pub gm_idx: Option<String>,
    /// `product`.
    pub product: String,
    /// `endtime`: the gifticon's expiry (KST).
    pub endtime: Option<KstDateTime>,
    /// `gm_thumb`, absolute.
    pub thumb: Option<String>,
    /// `sell_price1`: the price with more than 60 days left.
    pub sell_price1: Option<Won>,
    /// `sell_price2`: the price with 60 to 30 days left.
    pub sell_price2: Option<Won>,
    /// `sell_price3`: the price with under 30 days left.
    pub sell_price3: Option<Won>,
    /// `price`: the list price (원가).
    pub price: Option<Won>,
    /// `mc_idx`.
    pub mc_idx: Option<String>,
    /// `cate_name`.
    pub cate_name: Option<String>,
    /// `mb_idx`.
    pub mb_idx: Option<String>,
    /// `brand_name`.
    pub brand_name: Option<String>,
    /// `percentage`: the discount against `price`, in percent.
    pub percentage: Option<u64>,
    /// `disprice`: the price now, as the vendor computed it.
    pub disprice: Option<Won>,
}

impl GiftListing {
    /// The tier of `date` (KST day): whole days from `date` to the expiry day.
    pub fn tier_on(&self, date: NaiveDate) -> Option<PriceTier> {
        let end = self.endtime?.date_naive();
        PriceTier::for_days_left(end.signed_duration_since(date).num_days())
    }

    /// The price on `date` by the document's three tiers ([`PriceTier::for_days_left`]);
    /// `None` once expired or when the tier's price is missing. [`GiftListing::disprice`]
    /// is what the vendor says applies now.
    pub fn price_on(&self, date: NaiveDate) -> Option<Won> {
        match self.tier_on(date)? {
            PriceTier::First => self.sell_price1,
            PriceTier::Second => self.sell_price2,
            PriceTier::Third => self.sell_price3,
        }
    }
}

fn gift_listing(o: &Obj<'_>) -> Parsed<GiftListing> {
    Ok(GiftListing {
        md_idx: o.id("md_idx")?,
        gm_idx: o.text("gm_idx"),
        product: o.text("product").unwrap_or_default(),
        endtime: o.time("endtime"),
        thumb: o.image("gm_thumb"),
        sell_price1: o.won("sell_price1"),
        sell_price2: o.won("sell_price2"),
        sell_price3: o.won("sell_price3"),
        price: o.won("price"),
        mc_idx: o.text("mc_idx"),
        cate_name: o.text("cate_name"),
        mb_idx: o.text("mb_idx"),
        brand_name: o.text("brand_name"),
        percentage: o.int("percentage"),
        disprice: o.won("disprice"),
    })
}

/// Parses a listAll answer.
pub fn parse_gift_listings(body: &[u8], origin: &str) -> Parsed<ListPage<GiftListing>> {
    page(&envelope(body)?, origin, gift_listing)
}

// ---------------------------------------------------------------------------
// 4. giftimbiz/giftDetail

/// A gifticon as giftDetail describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GiftDetailItem {
    /// `DCODE`: the sale (md_idx).
    pub dcode: String,
    /// `CODE`: the gifticon (gm_idx).
    pub code: String,
    /// `mc_idx`.
    pub mc_idx: Option<String>,
    /// `cate_name`.
    pub cate_name: Option<String>,
    /// `mb_idx`.
    pub mb_idx: Option<String>,
    /// `brand`.
    pub brand: Option<String>,
    /// `endtime`.
    pub endtime: Option<KstDateTime>,
    /// `gm_thumb`, absolute.
    pub thumb: Option<String>,
    /// `price`: the list price.
    pub price: Option<Won>,
    /// `product`.
    pub product: String,
}

/// The answer of giftDetail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GiftDetail {
    /// `detail`.
    pub detail: GiftDetailItem,
    /// `eq_brand`: other gifticons of the same brand.
    pub same_brand: Vec<GiftDetailItem>,
}

fn gift_detail_item(o: &Obj<'_>) -> Parsed<GiftDetailItem> {
    Ok(GiftDetailItem {
        dcode: o.id("DCODE")?,
        code: o.id("CODE")?,
        mc_idx: o.text("mc_idx"),
        cate_name: o.text("cate_name"),
        mb_idx: o.text("mb_idx"),
        brand: o.text("brand"),
        endtime: o.time("endtime"),
        thumb: o.image("gm_thumb"),
        price: o.won("price"),
        product: o.text("product").unwrap_or_default(),
    })
}

/// Parses a giftDetail answer.
pub fn parse_gift_detail(body: &[u8], origin: &str) -> Parsed<GiftDetail> {
    let members = envelope(body)?;
    let top = Obj { members: &members, origin };
    let detail = field(&members, "detail").ok_or_else(|| malformed("`detail` is missing"))?;
    Ok(GiftDetail {
        detail: gift_detail_item(&Obj::new(detail, origin, "detail")?)?,
        same_brand: top
            .list("eq_brand")
            .iter()
            .map(|v| gift_detail_item(&Obj::new(v, origin, "eq_brand")?))
            .collect::<Parsed<_>>()?,
    })
}

// ---------------------------------------------------------------------------
// 5. buyGifticoupon, 10. buyStarcoupon

/// The answer of a buy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuyAnswer {
    /// `tid`: the order (주문번호).
    pub tid: String,
    /// `message`.
    pub message: Option<String>,
}

/// Parses a buyGifticoupon or buyStarcoupon answer.
pub fn parse_buy(body: &[u8]) -> Parsed<BuyAnswer> {
    let members = envelope(body)?;
    let tid = field(&members, "tid").and_then(text).ok_or_else(|| malformed("`tid` is missing"))?;
    Ok(BuyAnswer { tid, message: field(&members, "message").and_then(text) })
}

// ---------------------------------------------------------------------------
// 6. giftimbiz/buyGifticonList

/// One gifticon of the purchase history. The document shows no item fields; these
/// are read when present (the sandbox sends them all).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GiftPurchase {
    /// `tid`: the order.
    pub tid: String,
    /// `md_idx`: the sale bought.
    pub md_idx: String,
    /// `gm_idx`.
    pub gm_idx: Option<String>,
    /// `product`.
    pub product: Option<String>,
    /// `cash`: what was paid for it.
    pub cash: Option<Won>,
    /// `buy_date` (or `regdate`): when it was bought (KST).
    pub bought_at: Option<KstDateTime>,
    /// `endtime`: the gifticon's expiry.
    pub endtime: Option<KstDateTime>,
    /// `use_yn`: whether it was used.
    pub used: Option<bool>,
    /// `use_date`: when it was used.
    pub used_at: Option<KstDateTime>,
}

fn gift_purchase(o: &Obj<'_>) -> Parsed<GiftPurchase> {
    Ok(GiftPurchase {
        tid: o.id("tid")?,
        md_idx: o.id("md_idx")?,
        gm_idx: o.text("gm_idx"),
        product: o.text("product"),
        cash: o.won("cash"),
        bought_at: o.time("buy_date").or_else(|| o.time("regdate")),
        endtime: o.time("endtime"),
        used: o.flag("use_yn"),
        used_at: o.time("use_date"),
    })
}

/// Parses a buyGifticonList answer.
pub fn parse_gift_purchases(body: &[u8], origin: &str) -> Parsed<ListPage<GiftPurchase>> {
    page(&envelope(body)?, origin, gift_purchase)
}

// ---------------------------------------------------------------------------
// 8. giftimbiz/starListAll

/// A Starcoupon for sale (an item of starListAll).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StarListing {
    /// `ms_idx`: the shop.
    pub ms_idx: String,
    /// `md_idx`: the sale.
    pub md_idx: String,
    /// `msl_idx`: the coupon issue (쿠폰발급인덱스).
    pub msl_idx: String,
    /// `msc_idx`: the coupon detail index buyStarcoupon asks for, when the listing gives it.
    pub msc_idx: Option<String>,
    /// `ms_price`: the price shown.
    pub ms_price: Option<Won>,
    /// `ms_type`: `free` or `buy`.
    pub ms_type: Option<String>,
    /// `ms_name`.
    pub ms_name: String,
    /// `ms_product`.
    pub ms_product: Option<String>,
    /// `ms_thumb`, absolute.
    pub thumb: Option<String>,
    /// `ms_place1`: 시/도.
    pub ms_place1: Option<String>,
    /// `msl_condition`: the condition of use.
    pub msl_condition: Option<String>,
    /// `ms_orgprice`.
    pub ms_orgprice: Option<Won>,
    /// `ms_discountprice`.
    pub ms_discountprice: Option<Won>,
    /// `msl_couponname`.
    pub msl_couponname: Option<String>,
    /// `m_type`.
    pub m_type: Option<String>,
    /// `msl_thumb`, absolute.
    pub msl_thumb: Option<String>,
}

fn star_listing(o: &Obj<'_>) -> Parsed<StarListing> {
    Ok(StarListing {
        ms_idx: o.id("ms_idx")?,
        md_idx: o.id("md_idx")?,
        msl_idx: o.id("msl_idx")?,
        msc_idx: o.text("msc_idx"),
        ms_price: o.won("ms_price"),
        ms_type: o.text("ms_type"),
        ms_name: o.text("ms_name").unwrap_or_default(),
        ms_product: o.text("ms_product"),
        thumb: o.image("ms_thumb"),
        ms_place1: o.text("ms_place1"),
        msl_condition: o.text("msl_condition"),
        ms_orgprice: o.won("ms_orgprice"),
        ms_discountprice: o.won("ms_discountprice"),
        msl_couponname: o.text("msl_couponname"),
        m_type: o.text("m_type"),
        msl_thumb: o.image("msl_thumb"),
    })
}

/// Parses a starListAll answer.
pub fn parse_star_listings(body: &[u8], origin: &str) -> Parsed<ListPage<StarListing>> {
    page(&envelope(body)?, origin, star_listing)
}

// ---------------------------------------------------------------------------
// 9. giftimbiz/starDetail

/// A Starcoupon as starDetail describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StarDetailItem {
    /// `ms_idx`: the shop.
    pub ms_idx: String,
    /// `msl_idx`: the coupon issue.
    pub msl_idx: Option<String>,
    /// `msc_idx` (or `CCODE`): the coupon detail index, when given.
    pub msc_idx: Option<String>,
    /// `md_idx`, when given.
    pub md_idx: Option<String>,
    /// `ms_couponname`.
    pub ms_couponname: Option<String>,
    /// `ms_name`.
    pub ms_name: Option<String>,
    /// `ms_product`.
    pub ms_product: Option<String>,
    /// `ms_type`: `free` or `buy`.
    pub ms_type: Option<String>,
    /// `ms_price`.
    pub ms_price: Option<Won>,
    /// `ms_discountprice`.
    pub ms_discountprice: Option<Won>,
    /// `ms_orgprice`.
    pub ms_orgprice: Option<Won>,
    /// `ms_naverplaceaddr`.
    pub naver_place: Option<String>,
    /// `ms_thumb`, absolute.
    pub thumb: Option<String>,
    /// `msl_thumb`, absolute.
    pub msl_thumb: Option<String>,
    /// `msl_img`, absolute.
    pub msl_img: Option<String>,
    /// `msl_img2`, absolute.
    pub msl_img2: Option<String>,
    /// `msl_condition`.
    pub msl_condition: Option<String>,
}

/// The answer of starDetail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StarDetail {
    /// `detail`.
    pub detail: StarDetailItem,
    /// `eq_brand`.
    pub same_brand: Vec<StarDetailItem>,
}

fn star_detail_item(o: &Obj<'_>) -> Parsed<StarDetailItem> {
    Ok(StarDetailItem {
        ms_idx: o.id("ms_idx")?,
        msl_idx: o.text("msl_idx"),
        msc_idx: o.text("msc_idx").or_else(|| o.text("CCODE")),
        md_idx: o.text("md_idx"),
        ms_couponname: o.text("ms_couponname"),
        ms_name: o.text("ms_name"),
        ms_product: o.text("ms_product"),
        ms_type: o.text("ms_type"),
        ms_price: o.won("ms_price"),
        ms_discountprice: o.won("ms_discountprice"),
        ms_orgprice: o.won("ms_orgprice"),
        naver_place: o.text("ms_naverplaceaddr"),
        thumb: o.image("ms_thumb"),
        msl_thumb: o.image("msl_thumb"),
        msl_img: o.image("msl_img"),
        msl_img2: o.image("msl_img2"),
        msl_condition: o.text("msl_condition"),
    })
}

/// Parses a starDetail answer (the document's example has no `result`).
pub fn parse_star_detail(body: &[u8], origin: &str) -> Parsed<StarDetail> {
    let members = envelope(body)?;
    let top = Obj { members: &members, origin };
    let detail = field(&members, "detail").ok_or_else(|| malformed("`detail` is missing"))?;
    Ok(StarDetail {
        detail: star_detail_item(&Obj::new(detail, origin, "detail")?)?,
        same_brand: top
            .list("eq_brand")
            .iter()
            .map(|v| star_detail_item(&Obj::new(v, origin, "eq_brand")?))
            .collect::<Parsed<_>>()?,
    })
}

// ---------------------------------------------------------------------------
// 11. giftimbiz/buyStarcouponList

/// One Starcoupon of the purchase history (fields read when present).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StarPurchase {
    /// `tid`: the order.
    pub tid: String,
    /// `msc_idx`: the purchased coupon (구매한쿠폰인덱스), for getQRImg and setUseStarCoupon.
    pub msc_idx: Option<String>,
    /// `msl_idx`: the coupon issue bought.
    pub msl_idx: Option<String>,
    /// `md_idx`: the sale bought.
    pub md_idx: Option<String>,
    /// `ms_idx`: the shop.
    pub ms_idx: Option<String>,
    /// `msu_idx`: the seller, for setUseStarCoupon.
    pub msu_idx: Option<String>,
    /// `ms_name`.
    pub ms_name: Option<String>,
    /// `ms_product`.
    pub ms_product: Option<String>,
    /// `cash`: what was paid.
    pub cash: Option<Won>,
    /// `buy_date` (or `regdate`).
    pub bought_at: Option<KstDateTime>,
    /// `use_yn`.
    pub used: Option<bool>,
    /// `use_date`.
    pub used_at: Option<KstDateTime>,
}

/// The answer of buyStarcouponList.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StarPurchases {
    /// `data.list`.
    pub items: Vec<StarPurchase>,
    /// `data.Totalbuyprice`.
    pub total_buy_price: Option<Won>,
    /// `data.Totaldiscountprice`.
    pub total_discount_price: Option<Won>,
}

fn star_purchase(o: &Obj<'_>) -> Parsed<StarPurchase> {
    Ok(StarPurchase {
        tid: o.id("tid")?,
        msc_idx: o.text("msc_idx"),
        msl_idx: o.text("msl_idx"),
        md_idx: o.text("md_idx"),
        ms_idx: o.text("ms_idx"),
        msu_idx: o.text("msu_idx"),
        ms_name: o.text("ms_name"),
        ms_product: o.text("ms_product"),
        cash: o.won("cash"),
        bought_at: o.time("buy_date").or_else(|| o.time("regdate")),
        used: o.flag("use_yn"),
        used_at: o.time("use_date"),
    })
}

/// Parses a buyStarcouponList answer (`data` holding `list` and the totals).
pub fn parse_star_purchases(body: &[u8], origin: &str) -> Parsed<StarPurchases> {
    let members = envelope(body)?;
    let data = match field(&members, "data") {
        None | Some(Json::Null) => {
            return Ok(StarPurchases { items: Vec::new(), total_buy_price: None, total_discount_price: None });
        }
        Some(d) => d.as_object().ok_or_else(|| malformed("`data` is not an object"))?,
    };
    let listing = page(data, origin, star_purchase)?;
    let d = Obj { members: data, origin };
    Ok(StarPurchases {
        items: listing.items,
        total_buy_price: d.won("Totalbuyprice"),
        total_discount_price: d.won("Totaldiscountprice"),
    })
}

// ---------------------------------------------------------------------------
// 12. gifticon/getQRImg, 13. gifticon/setUseStarCoupon

/// Parses a getQRImg answer: the QR image's address, absolute.
pub fn parse_qr_image(body: &[u8], origin: &str) -> Parsed<String> {
    let members = envelope(body)?;
    Obj { members: &members, origin }.image("data").ok_or_else(|| malformed("`data` (the QR image path) is missing"))
}

/// Parses a setUseStarCoupon answer: the vendor's message.
pub fn parse_use(body: &[u8]) -> Parsed<Option<String>> {
    let members = envelope(body)?;
    Ok(field(&members, "message").and_then(text))
}

/// Runs every parser over `body` (for fuzzing and seed replay): none may panic.
/// Answers how many accepted it. The scalar readers also see every value of the JSON.
pub fn parse_all(body: &[u8]) -> usize {
    let o = "https://www.giftiexchange.com";
    if let Ok(v) = Json::parse(body) {
        let mut stack = vec![&v];
        while let Some(v) = stack.pop() {
            let _ = (int(v), flag(v), text(v));
            match v {
                Json::Array(items) => stack.extend(items),
                Json::Object(members) => stack.extend(members.iter().map(|(_, v)| v)),
                Json::Null | Json::Bool(_) | Json::Number(_) | Json::Str(_) => {}
            }
        }
    }
    [
        parse_access_token(body).is_ok(),
        parse_gift_categories(body, o).is_ok(),
        parse_gift_listings(body, o).is_ok(),
        parse_gift_detail(body, o).is_ok(),
        parse_buy(body).is_ok(),
        parse_gift_purchases(body, o).is_ok(),
        parse_star_categories(body, o).is_ok(),
        parse_star_listings(body, o).is_ok(),
        parse_star_detail(body, o).is_ok(),
        parse_star_purchases(body, o).is_ok(),
        parse_qr_image(body, o).is_ok(),
        parse_use(body).is_ok(),
    ]
    .into_iter()
    .filter(|ok| *ok)
    .count()
}
