//! What comes back: the JSON answers of the seven JSON endpoints.
//!
//! Every parser answers `Err(WireError)` when the text cannot be understood,
//! `Ok(Err(Refusal))` when the vendor refused (a non-zero `rstCode`, or a catalog
//! `STATUS` of `E`, `I` or `C`), and `Ok(Ok(reply))` otherwise.
//!
//! Reading rules, from the document's examples: keys match after trimming
//! (`"IMG_URL "`), and a key repeated in one object reads as its first non-empty
//! value (the last, when all are empty); integers come as numbers or strings (`"PRICE": "10000"`); an
//! empty string means absent; `rstCode` may hold two codes (`E102:P002`,
//! `E103 : P002`), kept verbatim in a [`coupon_core::VendorCode`].

use std::borrow::Cow;

use coupon_core::chrono::NaiveDate;
use coupon_core::time::{parse_compact_date, parse_compact_datetime, parse_date, parse_datetime};
use coupon_core::{Pin, RedeemedAt, Validity, Won};

use super::WireError;
use super::json::{self, Node, Object};
use crate::codes;

/// The vendor refused the request: the core's [`coupon_core::codes::Refusal`],
/// code and message verbatim. A non-zero `rstCode` (up to two codes) with its
/// `rstMsg`, or a catalog answer's `STATUS` letter that is an error (`E`, `I`,
/// `C`, or unknown; empty when absent) without a message: the endpoint says
/// which, and so which table reads it ([`crate::codes`]).
pub use coupon_core::codes::Refusal;

/// The vendor's answer: what was asked for, or its refusal (the core kit's).
pub use coupon_core::codes::Answer;

/// One JSON object with Giftletter's reading rules.
struct Fields<'t, 'a>(&'t Object<'a>);

impl<'t> Fields<'t, '_> {
    /// A value as trimmed text, borrowed from the answer when it is a string;
    /// a number as serde_json prints it (`10000`, `1.5`; `1e3` is `1000.0`), a
    /// boolean as `true`/`false`; `""`/`null` absent.
    fn str(&self, key: &str) -> Option<Cow<'t, str>> {
        let s = match self.0.get(key)? {
            Node::String(s) => Cow::Borrowed(s.trim()),
            Node::Number(n) => Cow::Owned(n.to_number()?.to_string()),
            Node::Bool(b) => Cow::Owned(b.to_string()),
            Node::Null | Node::Array(_) | Node::Object(_) => return None,
        };
        (!s.is_empty()).then_some(s)
    }

    /// [`Fields::str`], copied out for a reply to keep.
    fn text(&self, key: &str) -> Option<String> {
        self.str(key).map(Cow::into_owned)
    }

    /// A whole number written as a number or as a string of digits.
    fn int(&self, key: &str) -> Result<Option<u64>, WireError> {
        let bad = || WireError::new(format!("`{key}` is not a whole number"));
        match self.0.get(key) {
            None | Some(Node::Null) => Ok(None),
            Some(Node::Number(n)) => n.as_u64().map(Some).ok_or_else(bad),
            Some(Node::String(s)) => {
                let s = s.trim();
                if s.is_empty() {
                    Ok(None)
                } else if s.bytes().all(|b| b.is_ascii_digit()) {
                    s.parse().map(Some).map_err(|_| bad())
                } else {
                    Err(bad())
                }
            }
            Some(Node::Bool(_) | Node::Array(_) | Node::Object(_)) => Err(bad()),
        }
    }

    fn won(&self, key: &str) -> Result<Option<Won>, WireError> {
        Ok(self.int(key)?.map(Won))
    }

    /// `rstCode` / `rstMsg`: `Ok(())` for `"0"`, the refusal otherwise.
    fn result(&self) -> Result<Answer<()>, WireError> {
        let code = self.str("rstCode").ok_or_else(|| WireError::new("the answer has no `rstCode`"))?;
        if code == codes::SUCCESS {
            return Ok(Ok(()));
        }
        Ok(Err(Refusal::new(code.into_owned(), self.text("rstMsg"))))
    }
}

fn read(text: &str) -> Result<Node<'_>, WireError> {
    json::parse(text).map_err(|e| WireError::new(e.to_string()))
}

fn object(text: &str) -> Result<Object<'_>, WireError> {
    match read(text)? {
        Node::Object(o) => Ok(o),
        Node::Null | Node::Bool(_) | Node::Number(_) | Node::String(_) | Node::Array(_) => {
            Err(WireError::new("the answer is not a JSON object"))
        }
    }
}

/// `SendEPin` succeeded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendEPinReply {
    /// The issued PIN (`epin`), masked in `Debug`.
    pub epin: Pin,
    /// The vendor's order id (`order_id`).
    pub order_id: String,
    /// `reserved`, echoed back.
    pub reserved: Option<String>,
}

/// Reads a `SendEPin` answer. A success without `epin` or `order_id` is an error.
pub fn parse_send_epin(text: &str) -> Result<Answer<SendEPinReply>, WireError> {
    let o = object(text)?;
    let f = Fields(&o);
    if let Err(refusal) = f.result()? {
        return Ok(Err(refusal));
    }
    let epin = f.text("epin").ok_or_else(|| WireError::new("a success without `epin`"))?;
    let order_id = f.text("order_id").ok_or_else(|| WireError::new("a success without `order_id`"))?;
    Ok(Ok(SendEPinReply { epin: Pin::new(epin), order_id, reserved: f.text("reserved") }))
}

/// Reads a `CancelSendEPin` answer (`rstCode`, `rstMsg` only).
pub fn parse_cancel(text: &str) -> Result<Answer<()>, WireError> {
    Fields(&object(text)?).result()
}

/// Reads a `ReSendSMS` answer; on success, the echoed `reserved`.
pub fn parse_resend(text: &str) -> Result<Answer<Option<String>>, WireError> {
    let o = object(text)?;
    let f = Fields(&o);
    Ok(f.result()?.map(|()| f.text("reserved")))
}

/// `use` of `StatusSendEPin`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EPinUse {
    /// `Y`: used.
    Used,
    /// `N`: not used.
    Unused,
    /// `C`: cancelled.
    Cancelled,
    /// Any other letter, verbatim.
    Other(String),
}

/// `StatusSendEPin` succeeded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EPinStatus {
    /// `use`.
    pub usage: EPinUse,
    /// `use_date`, verbatim (the document gives no format).
    pub use_date: Option<String>,
    /// `use_date` read as a time or a day, when it is one of the forms vendors use
    /// (`YYYYMMDDHHMMSS`, `YYYY-MM-DD HH:MM:SS`, `YYYYMMDD`, `YYYY-MM-DD`).
    pub used_at: Option<RedeemedAt>,
    /// `branchname`: where it was used.
    pub branch: Option<String>,
}

/// Reads a time or a day in the forms Giftletter writes.
pub fn parse_when(s: &str) -> Option<RedeemedAt> {
    let s = s.trim();
    parse_compact_datetime(s)
        .or_else(|| parse_datetime(s))
        .map(RedeemedAt::Time)
        .or_else(|| parse_compact_date(s).or_else(|| parse_date(s)).map(RedeemedAt::Day))
}

/// Reads a `StatusSendEPin` answer. A success without `use` is an error.
pub fn parse_status(text: &str) -> Result<Answer<EPinStatus>, WireError> {
    let o = object(text)?;
    let f = Fields(&o);
    if let Err(refusal) = f.result()? {
        return Ok(Err(refusal));
    }
    let usage = match f.text("use").ok_or_else(|| WireError::new("a success without `use`"))?.as_str() {
        "Y" => EPinUse::Used,
        "N" => EPinUse::Unused,
        "C" => EPinUse::Cancelled,
        other => EPinUse::Other(other.to_string()),
    };
    let use_date = f.text("use_date");
    let used_at = use_date.as_deref().and_then(parse_when);
    Ok(Ok(EPinStatus { usage, use_date, used_at, branch: f.text("branchname") }))
}

/// A catalog `STATUS` letter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GoodsStatus {
    /// `Y`: can be issued.
    Usable,
    /// `N`: cannot be issued.
    NotUsable,
    /// `E`: server error, or no such goods/brand.
    Error,
    /// `I`: the caller's IP is not registered.
    IpNotAllowed,
    /// `C`: authentication failed.
    AuthFailed,
    /// Anything else, verbatim (empty when absent).
    Other(String),
}

impl GoodsStatus {
    fn read(f: &Fields<'_, '_>) -> Self {
        match f.str("STATUS").as_deref().unwrap_or_default() {
            "Y" => GoodsStatus::Usable,
            "N" => GoodsStatus::NotUsable,
            "E" => GoodsStatus::Error,
            "I" => GoodsStatus::IpNotAllowed,
            "C" => GoodsStatus::AuthFailed,
            other => GoodsStatus::Other(other.to_string()),
        }
    }

    /// The letter as sent.
    pub fn as_str(&self) -> &str {
        match self {
            GoodsStatus::Usable => "Y",
            GoodsStatus::NotUsable => "N",
            GoodsStatus::Error => "E",
            GoodsStatus::IpNotAllowed => "I",
            GoodsStatus::AuthFailed => "C",
            GoodsStatus::Other(s) => s,
        }
    }

    /// Whether the letter describes a goods (`Y`, `N`) rather than an error.
    pub fn describes_goods(&self) -> bool {
        matches!(self, GoodsStatus::Usable | GoodsStatus::NotUsable)
    }
}

/// One item of `getGoodsInfoList`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoodsItem {
    /// `GOODS_ID`.
    pub goods_id: String,
    /// `GOODS_NAME`.
    pub goods_name: Option<String>,
    /// `BRAND_NAME`.
    pub brand_name: Option<String>,
    /// `PRICE`: market price.
    pub price: Option<Won>,
    /// `IMG_URL`.
    pub img_url: Option<String>,
    /// `STATUS`, surfaced per item.
    pub status: GoodsStatus,
}

/// Reads a `getGoodsInfoList` answer: a JSON array of goods, or an object
/// `{"STATUS":"E"}` (or `I`, `C`) on failure. An array whose items carry no
/// `GOODS_ID` but an error `STATUS` is read as that failure too.
pub fn parse_goods_list(text: &str) -> Result<Answer<Vec<GoodsItem>>, WireError> {
    let items = match read(text)? {
        Node::Object(o) => return Ok(Err(status_refusal(&Fields(&o)))),
        Node::Array(items) => items,
        Node::Null | Node::Bool(_) | Node::Number(_) | Node::String(_) => {
            return Err(WireError::new("the answer is neither a list nor an object"));
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Some(o) = item.as_object() else {
            return Err(WireError::new(format!("item {} of the list is not an object", i + 1)));
        };
        let f = Fields(o);
        let status = GoodsStatus::read(&f);
        let Some(goods_id) = f.text("GOODS_ID") else {
            if !status.describes_goods() {
                return Ok(Err(status_refusal(&f)));
            }
            return Err(WireError::new(format!("item {} of the list has no `GOODS_ID`", i + 1)));
        };
        out.push(GoodsItem {
            goods_id,
            goods_name: f.text("GOODS_NAME"),
            brand_name: f.text("BRAND_NAME"),
            price: f.won("PRICE").map_err(|e| WireError::new(format!("item {}: {e}", i + 1)))?,
            img_url: f.text("IMG_URL"),
            status,
        });
    }
    Ok(Ok(out))
}

fn status_refusal(f: &Fields<'_, '_>) -> Refusal {
    Refusal::new(f.text("STATUS").unwrap_or_default(), None)
}

/// `MSG_TYPE` of `getGoodsInfo`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MsgType {
    /// `1`: sent as LMS.
    Lms,
    /// `2`: sent as MMS.
    Mms,
    /// Anything else, verbatim.
    Other(String),
}

/// `getGoodsInfo` succeeded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoodsInfo {
    /// `GOODS_ID`.
    pub goods_id: String,
    /// `GOODS_NAME`.
    pub goods_name: Option<String>,
    /// `BRAND_ID`.
    pub brand_id: Option<u64>,
    /// `BRAND_NAME`.
    pub brand_name: Option<String>,
    /// `PRICE`: market price.
    pub price: Option<Won>,
    /// `SPRICE`: supply price (what the partner pays).
    pub sprice: Option<Won>,
    /// `MSG_TYPE`.
    pub msg_type: Option<MsgType>,
    /// `IMG_URL`.
    pub img_url: Option<String>,
    /// `EXDATE`, verbatim: a count of days (`30`) or a date (`2027-12-31`).
    pub exdate: Option<String>,
    /// `GOODS_MEMO`: the goods' notice.
    pub goods_memo: Option<String>,
    /// `BRAND_MEMO`: the brand's notice.
    pub brand_memo: Option<String>,
    /// `STATUS`: `Y` or `N`.
    pub status: GoodsStatus,
}

impl GoodsInfo {
    /// How long an issued coupon stays valid, from `EXDATE`: days, or a date.
    /// `None` when absent, `0000-00-00`, or unreadable (the raw text stays in [`GoodsInfo::exdate`]).
    pub fn validity(&self) -> Option<Validity> {
        read_exdate(self.exdate.as_deref()?)
    }

    /// The notice to show: `GOODS_MEMO` when it is not empty, otherwise `BRAND_MEMO`
    /// ("상품 주의사항 값이 있는 경우는 브랜드 주의사항 미사용").
    pub fn notice(&self) -> Option<&str> {
        self.goods_memo.as_deref().or(self.brand_memo.as_deref())
    }
}

/// `EXDATE`: `"30"` (days) or `"2027-12-31"` (a date).
pub fn read_exdate(s: &str) -> Option<Validity> {
    let s = s.trim();
    if !s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok().map(Validity::Days);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(Validity::Until)
}

/// Reads a `getGoodsInfo` answer: the goods, or `{"STATUS":"E"}` (or `I`, `C`).
/// An object naming no goods and no `Y`/`N` status (the document's blank
/// template, for one) is read as a refusal carrying that status; a goods with a
/// status letter the document does not list is kept, its letter verbatim.
pub fn parse_goods_info(text: &str) -> Result<Answer<GoodsInfo>, WireError> {
    let o = object(text)?;
    let f = Fields(&o);
    let status = GoodsStatus::read(&f);
    let goods_id = match (&status, f.text("GOODS_ID")) {
        (GoodsStatus::Error | GoodsStatus::IpNotAllowed | GoodsStatus::AuthFailed, _)
        | (GoodsStatus::Other(_), None) => {
            return Ok(Err(status_refusal(&f)));
        }
        (_, Some(id)) => id,
        (GoodsStatus::Usable | GoodsStatus::NotUsable, None) => {
            return Err(WireError::new("goods information without `GOODS_ID`"));
        }
    };
    let msg_type = f.text("MSG_TYPE").map(|m| match m.as_str() {
        "1" => MsgType::Lms,
        "2" => MsgType::Mms,
        _ => MsgType::Other(m),
    });
    Ok(Ok(GoodsInfo {
        goods_id,
        goods_name: f.text("GOODS_NAME"),
        brand_id: f.int("BRAND_ID")?,
        brand_name: f.text("BRAND_NAME"),
        price: f.won("PRICE")?,
        sprice: f.won("SPRICE")?,
        msg_type,
        img_url: f.text("IMG_URL"),
        exdate: f.text("EXDATE"),
        goods_memo: f.text("GOODS_MEMO"),
        brand_memo: f.text("BRAND_MEMO"),
        status,
    }))
}

/// `getBrandImage` succeeded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrandImage {
    /// `BRAND_NAME`.
    pub brand_name: Option<String>,
    /// `IMG_URL`.
    pub img_url: Option<String>,
    /// `STATUS`: `Y` or `N`.
    pub status: GoodsStatus,
}

/// Reads a `getBrandImage` answer: the brand, or `{"STATUS":"E"}` (or `I`).
pub fn parse_brand_image(text: &str) -> Result<Answer<BrandImage>, WireError> {
    let o = object(text)?;
    let f = Fields(&o);
    let status = GoodsStatus::read(&f);
    let brand_name = f.text("BRAND_NAME");
    match (&status, &brand_name) {
        (GoodsStatus::Error | GoodsStatus::IpNotAllowed | GoodsStatus::AuthFailed, _)
        | (GoodsStatus::Other(_), None) => {
            return Ok(Err(status_refusal(&f)));
        }
        (GoodsStatus::Usable | GoodsStatus::NotUsable | GoodsStatus::Other(_), _) => {}
    }
    Ok(Ok(BrandImage { brand_name, img_url: f.text("IMG_URL"), status }))
}

#[cfg(test)]
mod tests;
