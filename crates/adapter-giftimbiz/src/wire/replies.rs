//! GiftiMbiz answers as typed values: sans-IO parsers, one per endpoint.
//!
//! The vendor's JSON drifts: integers come as numbers or strings (`"sell_price1": "940"`
//! beside `"percentage": 33`), booleans as `true` or `"true"`, `result` as `"0000"` or
//! `0`, and image paths are often relative (`/UPLOAD/...`). Every parser here reads a
//! field in any of those spellings, resolves image paths against the origin it is
//! given (`url::Url::join`), and never panics on any input. Like every adapter's, each
//! parser answers `Err(WireError)` when the body cannot be understood,
//! `Ok(Err(Refusal))` when the vendor refused (a `result` other than success), and
//! `Ok(Ok(reply))` otherwise.
//!
//! Each answer is read in two steps: the core's [`coupon_core::json`] reads the body
//! into a `serde_json::Value` with keys normalised, then a `#[derive(Deserialize)]`
//! struct spelled as the vendor spells its keys takes that value, and is turned into
//! the public type (ids checked, prices as [`Won`], images made absolute).
//!
//! **Repeated JSON keys** (the rule of every wire module of the project, applied by
//! [`coupon_core::json`]): keys are matched after trimming surrounding whitespace
//! (`"md_idx "` is `md_idx`); when a key repeats in one object, the first non-empty
//! value wins (empty: `null`, or a string that is blank after trimming), and if every
//! value is empty the last one is kept. Key case is not folded: the spellings the
//! document itself varies (`Totalbuyprice`, `Brand`) are listed as aliases.

use coupon_core::Won;
use coupon_core::chrono::NaiveDate;
use coupon_core::json::Normalized;
use coupon_core::secrecy::SecretString;
use coupon_core::time::KstDateTime;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use url::Url;

use super::lenient::{Flag, Int, Items, List, One, Text, Time, flag, image, image_base, int, text};
use super::{Answer, Refusal, WireError};
use crate::codes;

type Parsed<T> = Result<T, WireError>;

fn malformed(why: impl Into<String>) -> WireError {
    WireError::new(why)
}

/// The refusal code of an answer, if it is one (for the token-refresh rule).
#[cfg(feature = "client")]
pub(crate) fn refusal_code(body: &[u8]) -> Option<String> {
    match envelope(body, ResultKey::Optional) {
        Ok(Err(refusal)) => Some(refusal.code.raw().to_owned()),
        _ => None,
    }
}

/// Whether an answer without `result` can be read: the document sends `result` with
/// every answer but starDetail's (its example has none).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum ResultKey {
    Required,
    Optional,
}

/// Reads the body as JSON (keys normalised) and checks `result`: the object's members
/// on success (`"0000"`, `0`, `"0"`), the vendor's refusal with the code otherwise.
/// A missing (or `null`) `result` is malformed, unless `key` is [`ResultKey::Optional`]:
/// nothing in such an answer says whether the call ran, so it is never read as a
/// success (on a buy or a use the client reports the outcome as unknown).
fn envelope(body: &[u8], key: ResultKey) -> Parsed<Answer<Map<String, Value>>> {
    // A UTF-8 byte-order mark is what some PHP stacks put before JSON.
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let value = coupon_core::json::from_slice(body).map_err(|e| malformed(format!("not JSON ({e})")))?;
    let Value::Object(members) = value else {
        return Err(malformed("the answer is not a JSON object"));
    };
    let code = match members.get("result") {
        None | Some(Value::Null) if key == ResultKey::Optional => return Ok(Ok(members)),
        None | Some(Value::Null) => return Err(malformed("`result` is missing")),
        Some(v) => text(v).ok_or_else(|| malformed("`result` is neither a code nor a number"))?,
    };
    if codes::is_success(&code) {
        return Ok(Ok(members));
    }
    let message = members.get("msg").and_then(text).or_else(|| members.get("message").and_then(text));
    Ok(Err(Refusal::new(code, message)))
}

/// A successful answer's members read as `R` (the derived struct of its keys), then
/// made the public value by `f`; a refusal as it came.
fn read<R: DeserializeOwned, T>(body: &[u8], f: impl FnOnce(R) -> Parsed<T>) -> Parsed<Answer<T>> {
    read_with(body, ResultKey::Required, f)
}

fn read_with<R: DeserializeOwned, T>(body: &[u8], key: ResultKey, f: impl FnOnce(R) -> Parsed<T>) -> Parsed<Answer<T>> {
    match envelope(body, key)? {
        Ok(members) => f(R::deserialize(Value::Object(members)).map_err(|e| malformed(e.to_string()))?).map(Ok),
        Err(refusal) => Ok(Err(refusal)),
    }
}

/// An id the typed value cannot go without.
fn required(value: Text, key: &str) -> Parsed<String> {
    value.0.ok_or_else(|| malformed(format!("`{key}` is missing")))
}

/// Images are resolved against the base of `origin` (see `lenient::image_base`).
struct Images(Option<Url>);

impl Images {
    fn new(origin: &str) -> Self {
        Images(image_base(origin))
    }

    fn of(&self, path: Text) -> Option<String> {
        path.0.and_then(|p| image(&p, self.0.as_ref()))
    }
}

/// Turns the derived structs into the public types.
fn typed<R, T>(items: Vec<R>, f: impl Fn(R) -> Parsed<T>) -> Parsed<Vec<T>> {
    items.into_iter().map(f).collect()
}

// ---------------------------------------------------------------------------
// 1. common/getAccessToken

/// A parsed token answer. The token is a secret: `Debug` does not show it.
pub fn parse_access_token(body: &[u8]) -> Parsed<Answer<SecretString>> {
    #[derive(Deserialize)]
    struct Raw {
        #[serde(default)]
        token: Text,
    }
    read(body, |raw: Raw| Ok(SecretString::from(required(raw.token, "token")?)))
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

/// A page as the vendor writes it.
#[derive(Deserialize)]
#[serde(default, bound = "R: DeserializeOwned")]
struct RawPage<R> {
    total_count: Int,
    #[serde(rename = "isNext")]
    is_next: Flag,
    list: List<R>,
}

// Not derived: the derive would ask `R: Default`.
impl<R> Default for RawPage<R> {
    fn default() -> Self {
        RawPage { total_count: Int::default(), is_next: Flag::default(), list: List::default() }
    }
}

impl<R> RawPage<R> {
    fn typed<T>(self, f: impl Fn(R) -> Parsed<T>) -> Parsed<ListPage<T>> {
        Ok(ListPage {
            total_count: self.total_count.0,
            is_next: self.is_next.0.unwrap_or(false),
            items: typed(self.list.0, f)?,
        })
    }
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

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawCategory {
    mc_idx: Text,
    mc_title: Text,
    mc_gift_thum: Text,
    mc_thumb: Text,
}

impl RawCategory {
    fn typed(self, images: &Images) -> Parsed<Category> {
        Ok(Category {
            mc_idx: required(self.mc_idx, "mc_idx")?,
            mc_title: self.mc_title.0.unwrap_or_default(),
            thumb: images.of(self.mc_gift_thum).or_else(|| images.of(self.mc_thumb)),
        })
    }
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

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawGiftBrand {
    mb_idx: Text,
    mb_brand: Text,
    mb_edu_use_is: Flag,
    mc_idx: Text,
    mc_title: Text,
    mb_thumb: Text,
}

/// cateGift and cateStar: `cate` and `brand` (the document also writes `Brand`).
#[derive(Deserialize)]
#[serde(default, bound = "B: DeserializeOwned")]
struct RawCategories<B> {
    cate: Items<RawCategory>,
    #[serde(alias = "Brand")]
    brand: Items<B>,
}

impl<B> Default for RawCategories<B> {
    fn default() -> Self {
        RawCategories { cate: Items::default(), brand: Items::default() }
    }
}

/// Parses a cateGift answer.
pub fn parse_gift_categories(body: &[u8], origin: &str) -> Parsed<Answer<GiftCategories>> {
    read(body, |raw: RawCategories<RawGiftBrand>| {
        let images = Images::new(origin);
        Ok(GiftCategories {
            categories: typed(raw.cate.0, |c| c.typed(&images))?,
            brands: typed(raw.brand.0, |b| {
                Ok(GiftBrand {
                    mb_idx: required(b.mb_idx, "mb_idx")?,
                    mb_brand: b.mb_brand.0.unwrap_or_default(),
                    in_use: b.mb_edu_use_is.0,
                    mc_idx: b.mc_idx.0,
                    mc_title: b.mc_title.0,
                    thumb: images.of(b.mb_thumb),
                })
            })?,
        })
    })
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

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawStarShop {
    mc_idx: Text,
    ms_idx: Text,
    ms_name: Text,
    ms_naverplaceaddr: Text,
    msl_thumb: Text,
}

/// Parses a cateStar answer.
pub fn parse_star_categories(body: &[u8], origin: &str) -> Parsed<Answer<StarCategories>> {
    read(body, |raw: RawCategories<RawStarShop>| {
        let images = Images::new(origin);
        Ok(StarCategories {
            categories: typed(raw.cate.0, |c| c.typed(&images))?,
            shops: typed(raw.brand.0, |b| {
                Ok(StarShop {
                    mc_idx: b.mc_idx.0,
                    ms_idx: required(b.ms_idx, "ms_idx")?,
                    ms_name: b.ms_name.0.unwrap_or_default(),
                    naver_place: b.ms_naverplaceaddr.0,
                    thumb: images.of(b.msl_thumb),
                })
            })?,
        })
    })
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
    /// use adapter_giftimbiz::wire::replies::PriceTier;
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

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawGiftListing {
    md_idx: Text,
    gm_idx: Text,
    product: Text,
    endtime: Time,
    gm_thumb: Text,
    sell_price1: Int,
    sell_price2: Int,
    sell_price3: Int,
    price: Int,
    mc_idx: Text,
    cate_name: Text,
    mb_idx: Text,
    brand_name: Text,
    percentage: Int,
    disprice: Int,
}

/// Parses a listAll answer.
pub fn parse_gift_listings(body: &[u8], origin: &str) -> Parsed<Answer<ListPage<GiftListing>>> {
    read(body, |raw: RawPage<RawGiftListing>| {
        let images = Images::new(origin);
        raw.typed(|l| {
            Ok(GiftListing {
                md_idx: required(l.md_idx, "md_idx")?,
                gm_idx: l.gm_idx.0,
                product: l.product.0.unwrap_or_default(),
                endtime: l.endtime.0,
                thumb: images.of(l.gm_thumb),
                sell_price1: l.sell_price1.0.map(Won),
                sell_price2: l.sell_price2.0.map(Won),
                sell_price3: l.sell_price3.0.map(Won),
                price: l.price.0.map(Won),
                mc_idx: l.mc_idx.0,
                cate_name: l.cate_name.0,
                mb_idx: l.mb_idx.0,
                brand_name: l.brand_name.0,
                percentage: l.percentage.0,
                disprice: l.disprice.0.map(Won),
            })
        })
    })
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

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawGiftDetailItem {
    #[serde(rename = "DCODE")]
    dcode: Text,
    #[serde(rename = "CODE")]
    code: Text,
    mc_idx: Text,
    cate_name: Text,
    mb_idx: Text,
    brand: Text,
    endtime: Time,
    gm_thumb: Text,
    price: Int,
    product: Text,
}

impl RawGiftDetailItem {
    fn typed(self, images: &Images) -> Parsed<GiftDetailItem> {
        Ok(GiftDetailItem {
            dcode: required(self.dcode, "DCODE")?,
            code: required(self.code, "CODE")?,
            mc_idx: self.mc_idx.0,
            cate_name: self.cate_name.0,
            mb_idx: self.mb_idx.0,
            brand: self.brand.0,
            endtime: self.endtime.0,
            thumb: images.of(self.gm_thumb),
            price: self.price.0.map(Won),
            product: self.product.0.unwrap_or_default(),
        })
    }
}

/// giftDetail and starDetail: `detail` and `eq_brand`.
#[derive(Deserialize)]
#[serde(default, bound = "I: DeserializeOwned")]
struct RawDetail<I> {
    detail: One<I>,
    eq_brand: Items<I>,
}

impl<I> Default for RawDetail<I> {
    fn default() -> Self {
        RawDetail { detail: One::default(), eq_brand: Items::default() }
    }
}

/// Parses a giftDetail answer.
pub fn parse_gift_detail(body: &[u8], origin: &str) -> Parsed<Answer<GiftDetail>> {
    read(body, |raw: RawDetail<RawGiftDetailItem>| {
        let images = Images::new(origin);
        let detail = raw.detail.0.ok_or_else(|| malformed("`detail` is missing"))?;
        Ok(GiftDetail { detail: detail.typed(&images)?, same_brand: typed(raw.eq_brand.0, |i| i.typed(&images))? })
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
pub fn parse_buy(body: &[u8]) -> Parsed<Answer<BuyAnswer>> {
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Raw {
        tid: Text,
        message: Text,
    }
    read(body, |raw: Raw| Ok(BuyAnswer { tid: required(raw.tid, "tid")?, message: raw.message.0 }))
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

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawGiftPurchase {
    tid: Text,
    md_idx: Text,
    gm_idx: Text,
    product: Text,
    cash: Int,
    buy_date: Time,
    regdate: Time,
    endtime: Time,
    use_yn: Flag,
    use_date: Time,
}

/// Parses a buyGifticonList answer.
pub fn parse_gift_purchases(body: &[u8], _origin: &str) -> Parsed<Answer<ListPage<GiftPurchase>>> {
    read(body, |raw: RawPage<RawGiftPurchase>| {
        raw.typed(|p| {
            Ok(GiftPurchase {
                tid: required(p.tid, "tid")?,
                md_idx: required(p.md_idx, "md_idx")?,
                gm_idx: p.gm_idx.0,
                product: p.product.0,
                cash: p.cash.0.map(Won),
                bought_at: p.buy_date.0.or(p.regdate.0),
                endtime: p.endtime.0,
                used: p.use_yn.0,
                used_at: p.use_date.0,
            })
        })
    })
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

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawStarListing {
    ms_idx: Text,
    md_idx: Text,
    msl_idx: Text,
    msc_idx: Text,
    ms_price: Int,
    ms_type: Text,
    ms_name: Text,
    ms_product: Text,
    ms_thumb: Text,
    ms_place1: Text,
    msl_condition: Text,
    ms_orgprice: Int,
    ms_discountprice: Int,
    msl_couponname: Text,
    m_type: Text,
    msl_thumb: Text,
}

/// Parses a starListAll answer.
pub fn parse_star_listings(body: &[u8], origin: &str) -> Parsed<Answer<ListPage<StarListing>>> {
    read(body, |raw: RawPage<RawStarListing>| {
        let images = Images::new(origin);
        raw.typed(|l| {
            Ok(StarListing {
                ms_idx: required(l.ms_idx, "ms_idx")?,
                md_idx: required(l.md_idx, "md_idx")?,
                msl_idx: required(l.msl_idx, "msl_idx")?,
                msc_idx: l.msc_idx.0,
                ms_price: l.ms_price.0.map(Won),
                ms_type: l.ms_type.0,
                ms_name: l.ms_name.0.unwrap_or_default(),
                ms_product: l.ms_product.0,
                thumb: images.of(l.ms_thumb),
                ms_place1: l.ms_place1.0,
                msl_condition: l.msl_condition.0,
                ms_orgprice: l.ms_orgprice.0.map(Won),
                ms_discountprice: l.ms_discountprice.0.map(Won),
                msl_couponname: l.msl_couponname.0,
                m_type: l.m_type.0,
                msl_thumb: images.of(l.msl_thumb),
            })
        })
    })
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

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawStarDetailItem {
    ms_idx: Text,
    msl_idx: Text,
    msc_idx: Text,
    #[serde(rename = "CCODE")]
    ccode: Text,
    md_idx: Text,
    ms_couponname: Text,
    ms_name: Text,
    ms_product: Text,
    ms_type: Text,
    ms_price: Int,
    ms_discountprice: Int,
    ms_orgprice: Int,
    ms_naverplaceaddr: Text,
    ms_thumb: Text,
    msl_thumb: Text,
    msl_img: Text,
    msl_img2: Text,
    msl_condition: Text,
}

impl RawStarDetailItem {
    fn typed(self, images: &Images) -> Parsed<StarDetailItem> {
        Ok(StarDetailItem {
            ms_idx: required(self.ms_idx, "ms_idx")?,
            msl_idx: self.msl_idx.0,
            msc_idx: self.msc_idx.0.or(self.ccode.0),
            md_idx: self.md_idx.0,
            ms_couponname: self.ms_couponname.0,
            ms_name: self.ms_name.0,
            ms_product: self.ms_product.0,
            ms_type: self.ms_type.0,
            ms_price: self.ms_price.0.map(Won),
            ms_discountprice: self.ms_discountprice.0.map(Won),
            ms_orgprice: self.ms_orgprice.0.map(Won),
            naver_place: self.ms_naverplaceaddr.0,
            thumb: images.of(self.ms_thumb),
            msl_thumb: images.of(self.msl_thumb),
            msl_img: images.of(self.msl_img),
            msl_img2: images.of(self.msl_img2),
            msl_condition: self.msl_condition.0,
        })
    }
}

/// Parses a starDetail answer (the document's example has no `result`).
pub fn parse_star_detail(body: &[u8], origin: &str) -> Parsed<Answer<StarDetail>> {
    read_with(body, ResultKey::Optional, |raw: RawDetail<RawStarDetailItem>| {
        let images = Images::new(origin);
        let detail = raw.detail.0.ok_or_else(|| malformed("`detail` is missing"))?;
        Ok(StarDetail { detail: detail.typed(&images)?, same_brand: typed(raw.eq_brand.0, |i| i.typed(&images))? })
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

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawStarPurchase {
    tid: Text,
    msc_idx: Text,
    msl_idx: Text,
    md_idx: Text,
    ms_idx: Text,
    msu_idx: Text,
    ms_name: Text,
    ms_product: Text,
    cash: Int,
    buy_date: Time,
    regdate: Time,
    use_yn: Flag,
    use_date: Time,
}

/// `data` of buyStarcouponList (the document writes the totals' keys in two cases).
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawStarPurchases {
    list: List<RawStarPurchase>,
    #[serde(rename = "Totalbuyprice", alias = "TotalBuyPrice", alias = "totalbuyprice")]
    total_buy_price: Int,
    #[serde(rename = "Totaldiscountprice", alias = "TotalDiscountPrice", alias = "totaldiscountprice")]
    total_discount_price: Int,
}

/// Parses a buyStarcouponList answer (`data` holding `list` and the totals).
pub fn parse_star_purchases(body: &[u8], _origin: &str) -> Parsed<Answer<StarPurchases>> {
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Raw {
        data: One<RawStarPurchases>,
    }
    read(body, |raw: Raw| {
        let data = raw.data.0.unwrap_or_default();
        Ok(StarPurchases {
            items: typed(data.list.0, |p| {
                Ok(StarPurchase {
                    tid: required(p.tid, "tid")?,
                    msc_idx: p.msc_idx.0,
                    msl_idx: p.msl_idx.0,
                    md_idx: p.md_idx.0,
                    ms_idx: p.ms_idx.0,
                    msu_idx: p.msu_idx.0,
                    ms_name: p.ms_name.0,
                    ms_product: p.ms_product.0,
                    cash: p.cash.0.map(Won),
                    bought_at: p.buy_date.0.or(p.regdate.0),
                    used: p.use_yn.0,
                    used_at: p.use_date.0,
                })
            })?,
            total_buy_price: data.total_buy_price.0.map(Won),
            total_discount_price: data.total_discount_price.0.map(Won),
        })
    })
}

// ---------------------------------------------------------------------------
// 12. gifticon/getQRImg, 13. gifticon/setUseStarCoupon

/// Parses a getQRImg answer: the QR image's address, absolute.
pub fn parse_qr_image(body: &[u8], origin: &str) -> Parsed<Answer<String>> {
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Raw {
        data: Text,
    }
    read(body, |raw: Raw| {
        Images::new(origin).of(raw.data).ok_or_else(|| malformed("`data` (the QR image path) is missing"))
    })
}

/// Parses a setUseStarCoupon answer: the vendor's message.
pub fn parse_use(body: &[u8]) -> Parsed<Answer<Option<String>>> {
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Raw {
        message: Text,
    }
    read(body, |raw: Raw| Ok(raw.message.0))
}

/// Runs every parser over `body` (for fuzzing and seed replay): none may panic.
/// Answers how many read it as a reply (not a refusal). The scalar readers also see every value of the JSON.
#[doc(hidden)]
pub fn parse_all(body: &[u8]) -> usize {
    let o = "https://www.giftiexchange.com";
    if let Ok(Normalized(v)) = serde_json::from_slice(body) {
        let mut stack = vec![&v];
        while let Some(v) = stack.pop() {
            let _ = (int(v), flag(v), text(v));
            match v {
                Value::Array(items) => stack.extend(items),
                Value::Object(members) => stack.extend(members.values()),
                Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
            }
        }
    }
    [
        parse_access_token(body).is_ok_and(|a| a.is_ok()),
        parse_gift_categories(body, o).is_ok_and(|a| a.is_ok()),
        parse_gift_listings(body, o).is_ok_and(|a| a.is_ok()),
        parse_gift_detail(body, o).is_ok_and(|a| a.is_ok()),
        parse_buy(body).is_ok_and(|a| a.is_ok()),
        parse_gift_purchases(body, o).is_ok_and(|a| a.is_ok()),
        parse_star_categories(body, o).is_ok_and(|a| a.is_ok()),
        parse_star_listings(body, o).is_ok_and(|a| a.is_ok()),
        parse_star_detail(body, o).is_ok_and(|a| a.is_ok()),
        parse_star_purchases(body, o).is_ok_and(|a| a.is_ok()),
        parse_qr_image(body, o).is_ok_and(|a| a.is_ok()),
        parse_use(body).is_ok_and(|a| a.is_ok()),
    ]
    .into_iter()
    .filter(|ok| *ok)
    .count()
}
