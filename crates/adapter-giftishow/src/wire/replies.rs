//! What comes back: every answer is `{"code", "message", "result"}`, `code`
//! `"0000"` for success.
//!
//! Every parser answers `Err(WireError)` when the text cannot be understood,
//! `Ok(Err(Refusal))` when the vendor refused, and `Ok(Ok(reply))` otherwise.
//!
//! The variants the public integrations show are all read:
//! - the send answer is nested twice, and its inner `code` decides even when the
//!   outer one is `"0000"`;
//! - the coupon detail's `result` is an array of one `{couponInfoList, resCode,
//!   resMsg}`, or that object alone, or `couponInfoList` (with `resCode`) sits at
//!   the top level beside `code`;
//! - `balance` and `totalCount` may sit at the top level instead of inside `result`;
//! - prices are numbers or strings.
//!
//! **Repeated JSON keys** (the rule of every wire module of the project, applied by
//! [`coupon_core::json`] as the body is read): keys are matched after trimming
//! surrounding whitespace (`"goodsName "` is `goodsName`); when a key repeats in one
//! object, the first non-empty value wins (empty: `null`, or a string that is blank
//! after trimming), and if every value is empty the last one is kept.

use coupon_core::chrono::NaiveDate;
use coupon_core::time::KstDateTime;
use coupon_core::{Balance, CouponStatus, Pin, Won};
use serde_json::{Map, Value};

use super::WireError;
use super::fields::{Fields, int_of, objects_of};
use crate::codes::SUCCESS;

/// The vendor refused the request: the core's [`coupon_core::codes::Refusal`],
/// code and message verbatim (the send's inner code, or `resCode` of a coupon
/// detail, when those refuse).
pub use coupon_core::codes::Refusal;

/// The vendor's answer: what was asked for, or its refusal (the core kit's).
pub use coupon_core::codes::Answer;

/// The envelope of every answer.
struct Envelope {
    top: Map<String, Value>,
}

impl Envelope {
    fn parse(text: &str) -> Result<Self, WireError> {
        let text = text.trim_start_matches('\u{FEFF}');
        let value =
            coupon_core::json::from_str(text).map_err(|e| WireError::new(format!("the answer is not JSON: {e}")))?;
        match value {
            Value::Object(top) => Ok(Self { top }),
            _ => Err(WireError::new("the answer is not a JSON object")),
        }
    }

    fn fields(&self) -> Fields<'_> {
        Fields::new(&self.top, "the answer")
    }

    /// The outer code's refusal, when it is not a success.
    fn refusal(&self) -> Result<Option<Refusal>, WireError> {
        refusal_of(self.fields(), "code", "message")
    }

    /// `result`, `null` when absent.
    fn result(&self) -> &Value {
        self.top.get("result").unwrap_or(&Value::Null)
    }

    /// `result` as an object, else the top level: where `balance`, `totalCount` and
    /// the lists sit varies between answers.
    fn key<'s>(&'s self, key: &str) -> Option<&'s Value> {
        let inner = self.result().as_object().and_then(|r| r.get(key)).filter(|v| !v.is_null());
        inner.or_else(|| self.top.get(key).filter(|v| !v.is_null()))
    }
}

/// `code`/`message` of an object as a refusal when the code is not `"0000"`.
fn refusal_of(f: Fields<'_>, code: &str, message: &str) -> Result<Option<Refusal>, WireError> {
    let code = f.text(code).ok_or_else(|| WireError::new(format!("the answer has no `{code}`")))?;
    if code == SUCCESS {
        return Ok(None);
    }
    Ok(Some(Refusal::new(code, f.text(message))))
}

/// An answer whose success carries nothing we read (`0202` cancel, `0203` resend,
/// `0205` send-failure cancel): the outer code decides.
///
/// ```
/// use adapter_giftishow::wire::replies::parse_done;
/// assert_eq!(parse_done(r#"{"code":"0000","message":null,"result":null}"#).unwrap(), Ok(()));
/// let refused = parse_done(r#"{"code":"ERR0808","message":"이미 취소된 쿠폰","result":null}"#).unwrap().unwrap_err();
/// assert_eq!(refused.code.raw(), "ERR0808");
/// ```
pub fn parse_done(text: &str) -> Result<Answer<()>, WireError> {
    let envelope = Envelope::parse(text)?;
    Ok(envelope.refusal()?.map_or(Ok(()), Err))
}

/// What a send (`0204`) issued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendReply {
    /// `orderNo`: the vendor's order number.
    pub order_no: Option<String>,
    /// `pinNo`: the PIN, when the delivery mode returns it (`gubun` `Y` or `I`).
    pub pin: Option<Pin>,
    /// `couponImgUrl`: the barcode image (`gubun` `I`).
    pub coupon_img_url: Option<CouponImage>,
}

/// A coupon's barcode image URL (`couponImgUrl`). Whoever holds it can show the
/// coupon at a till, as with the PIN, so its `Debug` shows the host only.
#[derive(Clone, PartialEq, Eq)]
pub struct CouponImage(String);

impl CouponImage {
    /// The URL as the vendor wrote it. Handle with care: it is the coupon.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for CouponImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The host only: no user part, and nothing at all of a value that is no URL
        // (a bare barcode number would be the coupon itself).
        let authority = self.0.split_once("://").map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(""));
        match authority.map(|a| a.rsplit_once('@').map_or(a, |(_, host)| host)) {
            Some(host) => write!(f, "CouponImage({host}/…)"),
            None => f.write_str("CouponImage(…)"),
        }
    }
}

/// The send answer, nested twice: the outer code, then the inner `result.code`,
/// which decides when the outer one is `"0000"`; then `result.result` holds the
/// order. An answer with a success code and no order is unreadable (for a send:
/// an outcome to reconcile, never a failure).
///
/// ```
/// use adapter_giftishow::wire::replies::parse_send;
/// let ok = parse_send(r#"{"code":"0000","message":null,"result":{"code":"0000","message":null,
///     "result":{"orderNo":"20261201000123","pinNo":"912345678901","couponImgUrl":null}}}"#).unwrap().unwrap();
/// assert_eq!(ok.order_no.as_deref(), Some("20261201000123"));
/// assert_eq!(ok.pin.unwrap().masked(), "********8901");
///
/// let inner = parse_send(r#"{"code":"0000","message":null,"result":{"code":"E0010","message":"비즈머니 잔액 부족","result":null}}"#);
/// assert_eq!(inner.unwrap().unwrap_err().code.raw(), "E0010");
/// ```
pub fn parse_send(text: &str) -> Result<Answer<SendReply>, WireError> {
    let envelope = Envelope::parse(text)?;
    if let Some(refusal) = envelope.refusal()? {
        return Ok(Err(refusal));
    }
    let Some(inner) = envelope.result().as_object() else {
        return Err(WireError::new("a successful send answer has no `result` object"));
    };
    let inner_fields = Fields::new(inner, "result");
    // The document's shape has an inner code; an answer without one carries the order directly.
    let order = if inner.contains_key("code") {
        if let Some(refusal) = refusal_of(inner_fields, "code", "message")? {
            return Ok(Err(refusal));
        }
        match inner.get("result") {
            Some(Value::Object(o)) => o,
            _ => return Err(WireError::new("a successful send answer has no `result.result` object")),
        }
    } else {
        inner
    };
    let f = Fields::new(order, "result.result");
    let reply = SendReply {
        order_no: f.text("orderNo"),
        pin: f.text("pinNo").map(Pin::new),
        coupon_img_url: f.text("couponImgUrl").map(CouponImage),
    };
    if reply.order_no.is_none() && reply.pin.is_none() && reply.coupon_img_url.is_none() {
        return Err(WireError::new("a successful send answer names no order, PIN or coupon image"));
    }
    Ok(Ok(reply))
}

/// A phone number from an answer (`recverTelNo`, `senderTelNo`): personal data, so
/// its `Debug` masks it.
#[derive(Clone, PartialEq, Eq)]
pub struct PhoneText(String);

impl PhoneText {
    /// The number as the vendor wrote it. Handle with care: personal data.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Masked by the core's rule for phone text ([`coupon_core::phone::mask_text`]).
    pub fn masked(&self) -> String {
        coupon_core::phone::mask_text(&self.0)
    }
}

impl std::fmt::Debug for PhoneText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PhoneText({})", self.masked())
    }
}

/// One coupon of a coupon detail (`0201`, `couponInfoList[]`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CouponInfo {
    /// `goodsCd`.
    pub goods_code: Option<String>,
    /// `goodsNm`.
    pub goods_name: Option<String>,
    /// `brandNm`.
    pub brand_name: Option<String>,
    /// `pinStatusCd`, verbatim (see [`crate::codes::PIN_STATUS`]).
    pub pin_status: Option<String>,
    /// `pinStatusNm`.
    pub pin_status_name: Option<String>,
    /// `sellPriceAmt`.
    pub sell_price: Option<Won>,
    /// `cnsmPriceAmt`: the consumer (face) price.
    pub consumer_price: Option<Won>,
    /// `remainAmt`: what is left on a stored-value coupon.
    pub remain_amount: Option<Won>,
    /// `senderTelNo`.
    pub sender_tel: Option<PhoneText>,
    /// `recverTelNo`.
    pub receiver_tel: Option<PhoneText>,
    /// `sendBasicCd`.
    pub send_basic_code: Option<String>,
    /// `sendStatusCd`.
    pub send_status_code: Option<String>,
    /// `sendRstCd`.
    pub send_result_code: Option<String>,
    /// `sendRstMsg`.
    pub send_result_message: Option<String>,
    /// `validPrdEndDt`: the last day the coupon can be used.
    pub valid_until: Option<NaiveDate>,
    /// `correcDtm`: when it last changed (a redemption, a cancellation).
    pub changed_at: Option<KstDateTime>,
    /// `mmsBrandThumImg`.
    pub brand_thumb_url: Option<String>,
    /// `orderNo`, in the answers that carry it.
    pub order_no: Option<String>,
    /// `pinNo`, in the answers that carry it.
    pub pin: Option<Pin>,
    /// `couponImgUrl`, in the answers that carry it.
    pub coupon_img_url: Option<CouponImage>,
}

fn won(f: &Fields<'_>, key: &str) -> Result<Option<Won>, WireError> {
    Ok(f.int(key)?.map(Won))
}

impl CouponInfo {
    /// What a stored-value coupon has left: `remainAmt` against the face value
    /// (`cnsmPriceAmt`, else `sellPriceAmt`, else the remainder itself); `None` for a
    /// coupon without `remainAmt` (an exchange voucher).
    pub fn balance(&self) -> Option<Balance> {
        let remaining = self.remain_amount?;
        Some(Balance::new(self.consumer_price.or(self.sell_price).unwrap_or(remaining), remaining))
    }

    /// The coupon's state: its `pinStatusCd` by [`crate::codes::coupon_status`] (unknown
    /// codes verbatim), `correcDtm` as the time of a use or cancellation; a usable
    /// stored-value coupon ([`CouponInfo::balance`]) with part of its value spent is
    /// [`CouponStatus::PartlyUsed`], and with nothing left [`CouponStatus::Used`]: the
    /// pin status stays "issued" until the last won is spent. `None` without a
    /// `pinStatusCd`.
    ///
    /// ```
    /// use adapter_giftishow::wire::replies::parse_coupon_detail;
    /// use coupon_core::{CouponStatus, Won};
    /// let text = r#"{"code":"0000","result":[{"couponInfoList":[{"pinStatusCd":"01","remainAmt":"3000",
    ///     "cnsmPriceAmt":"10000","correcDtm":"20261201103000"}],"resCode":"0000"}]}"#;
    /// let info = &parse_coupon_detail(text).unwrap().unwrap()[0];
    /// assert!(matches!(info.coupon_status(), Some(CouponStatus::PartlyUsed { remaining: Won(3000), at: Some(_) })));
    /// ```
    pub fn coupon_status(&self) -> Option<CouponStatus> {
        let status = crate::codes::coupon_status(self.pin_status.as_deref()?, self.changed_at);
        Some(match (status, self.balance()) {
            (CouponStatus::Unused, Some(b)) if b.remaining == Won(0) => {
                CouponStatus::Used { at: self.changed_at, place: None }
            }
            (CouponStatus::Unused, Some(b)) if b.remaining < b.total => {
                CouponStatus::PartlyUsed { remaining: b.remaining, at: self.changed_at }
            }
            (status, _) => status,
        })
    }
}

impl CouponInfo {
    fn read(f: Fields<'_>) -> Result<Self, WireError> {
        Ok(Self {
            goods_code: f.text("goodsCd"),
            goods_name: f.text("goodsNm"),
            brand_name: f.text("brandNm"),
            pin_status: f.text("pinStatusCd"),
            pin_status_name: f.text("pinStatusNm"),
            sell_price: won(&f, "sellPriceAmt")?,
            consumer_price: won(&f, "cnsmPriceAmt")?,
            remain_amount: won(&f, "remainAmt")?,
            sender_tel: f.text("senderTelNo").map(PhoneText),
            receiver_tel: f.text("recverTelNo").map(PhoneText),
            send_basic_code: f.text("sendBasicCd"),
            send_status_code: f.text("sendStatusCd"),
            send_result_code: f.text("sendRstCd"),
            send_result_message: f.text("sendRstMsg"),
            valid_until: f.date("validPrdEndDt")?,
            changed_at: f.time("correcDtm")?,
            brand_thumb_url: f.text("mmsBrandThumImg"),
            order_no: f.text("orderNo"),
            pin: f.text("pinNo").map(Pin::new),
            coupon_img_url: f.text("couponImgUrl").map(CouponImage),
        })
    }
}

/// The coupon detail (`0201`): the coupons of one `tr_id` (normally one).
///
/// `result` is an array of one `{couponInfoList, resCode, resMsg}` (or that object
/// alone), or `couponInfoList` sits at the top level; a `resCode` other than
/// `"0000"` is the refusal.
///
/// ```
/// use adapter_giftishow::wire::replies::parse_coupon_detail;
/// let text = r#"{"code":"0000","message":null,"result":[{"couponInfoList":[{"goodsCd":"G00001621744",
///     "pinStatusCd":"01","pinStatusNm":"발행","validPrdEndDt":"20261231","recverTelNo":"01012345678"}],
///     "resCode":"0000","resMsg":"정상"}]}"#;
/// let coupons = parse_coupon_detail(text).unwrap().unwrap();
/// assert_eq!(coupons[0].pin_status.as_deref(), Some("01"));
/// assert!(!format!("{coupons:?}").contains("01012345678"));
/// let unknown = parse_coupon_detail(r#"{"code":"ERR0204","message":"쿠폰 정보 없음","result":null}"#);
/// assert_eq!(unknown.unwrap().unwrap_err().code.raw(), "ERR0204");
/// ```
pub fn parse_coupon_detail(text: &str) -> Result<Answer<Vec<CouponInfo>>, WireError> {
    let envelope = Envelope::parse(text)?;
    if let Some(refusal) = envelope.refusal()? {
        return Ok(Err(refusal));
    }
    let holder: &Map<String, Value> = match envelope.result() {
        Value::Array(items) => match items.as_slice() {
            [] => return Ok(Ok(Vec::new())),
            [Value::Object(o), ..] => o,
            [_, ..] => return Err(WireError::new("`result[0]` is not an object")),
        },
        Value::Object(o) if o.contains_key("couponInfoList") || o.contains_key("resCode") => o,
        _ if envelope.top.contains_key("couponInfoList") => &envelope.top,
        Value::Null => {
            return Err(WireError::new("a successful coupon detail has no `result` and no `couponInfoList`"));
        }
        _ => return Err(WireError::new("a coupon detail's `result` is neither a list nor an object")),
    };
    let f = Fields::new(holder, "result");
    if f.text("resCode").is_some() {
        if let Some(refusal) = refusal_of(f, "resCode", "resMsg")? {
            return Ok(Err(refusal));
        }
    }
    let coupons = f
        .objects("couponInfoList")?
        .into_iter()
        .enumerate()
        .map(|(i, o)| CouponInfo::read(Fields::new(o, &format!("couponInfoList[{i}]"))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Ok(coupons))
}

/// The bizmoney balance (`0301`), in won: `result.balance`, or `balance` at the
/// top level, a number or a string.
///
/// ```
/// use adapter_giftishow::wire::replies::parse_bizmoney;
/// use coupon_core::Won;
/// assert_eq!(parse_bizmoney(r#"{"code":"0000","message":null,"result":{"balance":"123456"}}"#).unwrap(), Ok(Won(123456)));
/// assert_eq!(parse_bizmoney(r#"{"code":"0000","message":null,"result":null,"balance":98000}"#).unwrap(), Ok(Won(98000)));
/// ```
pub fn parse_bizmoney(text: &str) -> Result<Answer<Won>, WireError> {
    let envelope = Envelope::parse(text)?;
    if let Some(refusal) = envelope.refusal()? {
        return Ok(Err(refusal));
    }
    let balance = envelope.key("balance").ok_or_else(|| WireError::new("the answer has no `balance`"))?;
    let balance = int_of(Some(balance), "the answer", "balance")?
        .ok_or_else(|| WireError::new("the answer's `balance` is empty"))?;
    Ok(Ok(Won(balance)))
}

/// One goods (`goodsList[]` of `0101`, `goodsDetail` of `0111`).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Goods {
    /// `goodsCode`: what a send names (`G00001621744`).
    pub goods_code: String,
    /// `goodsNo`.
    pub goods_no: Option<String>,
    /// `goodsName`.
    pub goods_name: String,
    /// `brandCode`.
    pub brand_code: Option<String>,
    /// `brandName`.
    pub brand_name: Option<String>,
    /// `content`: the notice and conditions of use.
    pub content: Option<String>,
    /// `goodsTypeNm`.
    pub goods_type_name: Option<String>,
    /// `goodsTypeDtlNm`.
    pub goods_type_detail_name: Option<String>,
    /// `goodsImgS`.
    pub image_small: Option<String>,
    /// `goodsImgB`.
    pub image_big: Option<String>,
    /// `brandIconImg`.
    pub brand_icon: Option<String>,
    /// `mmsGoodsImg`.
    pub mms_goods_image: Option<String>,
    /// `salePrice`: the consumer price.
    pub sale_price: Option<Won>,
    /// `discountPrice`: what the partner pays.
    pub discount_price: Option<Won>,
    /// `realPrice`.
    pub real_price: Option<Won>,
    /// `discountRate`, as written.
    pub discount_rate: Option<String>,
    /// `validPrdTypeCd`.
    pub valid_period_type: Option<String>,
    /// `limitDay`: days a coupon is valid after sending.
    pub limit_day: Option<u64>,
    /// `validPrdDay`.
    pub valid_period_day: Option<String>,
    /// `endDate`: the last day the goods can be sent (`YYYYMMDD`, `YYYY-MM-DD`, or an
    /// ISO moment such as `2999-12-30T15:00:00.000+0000`, read as its day in KST).
    pub end_date: Option<NaiveDate>,
    /// `goodsStateCd`: `SALE` on sale, anything else not.
    pub state: Option<String>,
    /// `category1Seq` (`categorySeq1` in some goods details).
    pub category1_seq: Option<String>,
    /// `categoryName1` (goods detail).
    pub category1_name: Option<String>,
    /// `srchKeyword`.
    pub search_keyword: Option<String>,
    /// `affiliate`.
    pub affiliate: Option<String>,
    /// `mmsReserveFlag`.
    pub mms_reserve_flag: Option<String>,
    /// `mmsBarcdCreateYn`.
    pub mms_barcode_create: Option<String>,
    /// `goldPrice`, `vipPrice`, `platinumPrice` (goods detail): the member-tier prices.
    pub tier_prices: TierPrices,
    /// `contentAddDesc`: a further notice beside `content`.
    pub content_add_desc: Option<String>,
    /// `goodsComId`: the supplier's id.
    pub goods_com_id: Option<String>,
    /// `goodsComName`: the supplier's name.
    pub goods_com_name: Option<String>,
    /// `affiliateId`.
    pub affiliate_id: Option<String>,
    /// `goodsTypeCd` (goods detail), as written.
    pub goods_type_code: Option<String>,
}

/// The member-tier prices and discount rates of a goods detail, as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TierPrices {
    /// `goldPrice`.
    pub gold: Option<Won>,
    /// `vipPrice`.
    pub vip: Option<Won>,
    /// `platinumPrice`.
    pub platinum: Option<Won>,
    /// `goldDiscountRate`.
    pub gold_rate: Option<String>,
    /// `vipDiscountRate`.
    pub vip_rate: Option<String>,
    /// `platinumDiscountRate`.
    pub platinum_rate: Option<String>,
}

impl Goods {
    /// Whether it can be sent now (`goodsStateCd` is `SALE`).
    pub fn on_sale(&self) -> bool {
        self.state.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("SALE"))
    }

    fn read(f: Fields<'_>) -> Result<Self, WireError> {
        Ok(Self {
            goods_code: f.required("goodsCode")?,
            goods_no: f.text("goodsNo"),
            goods_name: f.required("goodsName")?,
            brand_code: f.text("brandCode"),
            brand_name: f.text("brandName"),
            content: f.text("content"),
            goods_type_name: f.text("goodsTypeNm"),
            goods_type_detail_name: f.text("goodsTypeDtlNm"),
            image_small: f.text("goodsImgS"),
            image_big: f.text("goodsImgB"),
            brand_icon: f.text("brandIconImg"),
            mms_goods_image: f.text("mmsGoodsImg"),
            sale_price: won(&f, "salePrice")?,
            discount_price: won(&f, "discountPrice")?,
            real_price: won(&f, "realPrice")?,
            discount_rate: f.text("discountRate"),
            valid_period_type: f.text("validPrdTypeCd"),
            limit_day: f.int("limitDay")?,
            valid_period_day: f.text("validPrdDay"),
            end_date: f.date("endDate")?,
            state: f.text("goodsStateCd"),
            category1_seq: f.text("category1Seq").or_else(|| f.text("categorySeq1")),
            category1_name: f.text("categoryName1"),
            search_keyword: f.text("srchKeyword"),
            affiliate: f.text("affiliate"),
            mms_reserve_flag: f.text("mmsReserveFlag"),
            mms_barcode_create: f.text("mmsBarcdCreateYn"),
            tier_prices: TierPrices {
                gold: won(&f, "goldPrice")?,
                vip: won(&f, "vipPrice")?,
                platinum: won(&f, "platinumPrice")?,
                gold_rate: f.text("goldDiscountRate"),
                vip_rate: f.text("vipDiscountRate"),
                platinum_rate: f.text("platinumDiscountRate"),
            },
            content_add_desc: f.text("contentAddDesc"),
            goods_com_id: f.text("goodsComId"),
            goods_com_name: f.text("goodsComName"),
            affiliate_id: f.text("affiliateId"),
            goods_type_code: f.text("goodsTypeCd"),
        })
    }
}

/// One page of a list.
#[derive(Clone, Debug, PartialEq)]
pub struct ListPage<T> {
    /// The items.
    pub items: Vec<T>,
    /// `listNum`: the count on this page (not a total).
    pub list_num: Option<u64>,
    /// `totalCount`, in the answers that carry it.
    pub total_count: Option<u64>,
}

fn list<T>(
    text: &str,
    key: &str,
    read: fn(Fields<'_>) -> Result<T, WireError>,
) -> Result<Answer<ListPage<T>>, WireError> {
    let envelope = Envelope::parse(text)?;
    if let Some(refusal) = envelope.refusal()? {
        return Ok(Err(refusal));
    }
    // Read where they stand (inside `result` or at the top), not copied out.
    let list = envelope.key(key);
    if list.is_none() && !envelope.result().is_object() {
        return Err(WireError::new(format!("the answer has no `{key}`")));
    }
    let items = objects_of(list, "result", key)?
        .into_iter()
        .enumerate()
        .map(|(i, o)| read(Fields::new(o, &format!("{key}[{i}]"))))
        .collect::<Result<Vec<_>, _>>()?;
    let count = |k| int_of(envelope.key(k), "result", k);
    Ok(Ok(ListPage { items, list_num: count("listNum")?, total_count: count("totalCount")? }))
}

/// The goods list (`0101`): one page of `goodsList`. The last page is the one
/// shorter than the page size asked for.
///
/// ```
/// use adapter_giftishow::wire::replies::parse_goods_list;
/// let page = parse_goods_list(r#"{"code":"0000","message":null,"result":{"listNum":1,"goodsList":[
///     {"goodsCode":"G00001621744","goodsName":"아메리카노 T","brandName":"스타벅스","salePrice":"4500",
///      "discountPrice":4275,"goodsStateCd":"SALE","limitDay":30}]}}"#).unwrap().unwrap();
/// assert_eq!(page.items[0].sale_price.map(|w| w.0), Some(4500));
/// assert!(page.items[0].on_sale());
/// ```
pub fn parse_goods_list(text: &str) -> Result<Answer<ListPage<Goods>>, WireError> {
    list(text, "goodsList", Goods::read)
}

/// The goods detail (`0111`): `result.goodsDetail`.
pub fn parse_goods_detail(text: &str) -> Result<Answer<Goods>, WireError> {
    let envelope = Envelope::parse(text)?;
    if let Some(refusal) = envelope.refusal()? {
        return Ok(Err(refusal));
    }
    let detail = envelope
        .key("goodsDetail")
        .and_then(Value::as_object)
        .ok_or_else(|| WireError::new("the answer has no `goodsDetail` object"))?;
    Goods::read(Fields::new(detail, "goodsDetail")).map(Ok)
}

/// One brand (`brandList[]`, `brandDetail`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BrandInfo {
    /// `brandCode`.
    pub brand_code: String,
    /// `brandName`.
    pub brand_name: String,
    /// `brandSeq`.
    pub brand_seq: Option<String>,
    /// `brandIconImg`.
    pub icon: Option<String>,
    /// `brandBannerImg`.
    pub banner: Option<String>,
    /// `mmsThumImg`.
    pub mms_thumb: Option<String>,
    /// `content`.
    pub content: Option<String>,
    /// `category1Seq`.
    pub category1_seq: Option<String>,
    /// `category1Name`.
    pub category1_name: Option<String>,
    /// `category2Seq`.
    pub category2_seq: Option<String>,
    /// `category2Name`.
    pub category2_name: Option<String>,
    /// `sort`.
    pub sort: Option<u64>,
}

impl BrandInfo {
    fn read(f: Fields<'_>) -> Result<Self, WireError> {
        Ok(Self {
            brand_code: f.required("brandCode")?,
            brand_name: f.required("brandName")?,
            brand_seq: f.text("brandSeq"),
            icon: f.text("brandIconImg"),
            banner: f.text("brandBannerImg"),
            mms_thumb: f.text("mmsThumImg"),
            content: f.text("content"),
            category1_seq: f.text("category1Seq"),
            category1_name: f.text("category1Name"),
            category2_seq: f.text("category2Seq"),
            category2_name: f.text("category2Name"),
            sort: f.int("sort")?,
        })
    }
}

/// The brand list (`0102`, or `0103` in one integration): `brandList`.
pub fn parse_brand_list(text: &str) -> Result<Answer<ListPage<BrandInfo>>, WireError> {
    list(text, "brandList", BrandInfo::read)
}

/// The brand detail (`0112`, or `0104`): `result.brandDetail`.
pub fn parse_brand_detail(text: &str) -> Result<Answer<BrandInfo>, WireError> {
    let envelope = Envelope::parse(text)?;
    if let Some(refusal) = envelope.refusal()? {
        return Ok(Err(refusal));
    }
    let detail = envelope
        .key("brandDetail")
        .and_then(Value::as_object)
        .ok_or_else(|| WireError::new("the answer has no `brandDetail` object"))?;
    BrandInfo::read(Fields::new(detail, "brandDetail")).map(Ok)
}

#[cfg(test)]
#[path = "replies/tests.rs"]
mod tests;
