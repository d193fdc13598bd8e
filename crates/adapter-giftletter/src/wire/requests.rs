//! What is sent: each endpoint's parameters, checked before anything leaves, and
//! its query string in the configured charset.
//!
//! Limits are bytes in CP949, the vendor's code page (a Hangul syllable counts 2),
//! as the document's `Varchar(n)` columns say. A failure is an
//! [`ErrorKind::InvalidInput`](coupon_core::ErrorKind::InvalidInput) naming the
//! vendor's field, the limit and the size given, never the value.
//!
//! No control character reaches the vendor: every text field and id refuses
//! them (naming the field and the position), except line breaks and tabs in
//! `SendEPin`'s `content`, an SMS body.

use coupon_core::encoding_rs::{EUC_KR, Encoding, UTF_8};
use coupon_core::text::form_urlencode;
use coupon_core::{Error, PartnerRef, PhoneNumber, Result, validate};

use super::sign;

/// `title`: 40 bytes.
pub const TITLE_MAX: usize = 40;
/// `content`: 500 bytes.
pub const CONTENT_MAX: usize = 500;
/// `mdn` and `receive_tel`: 13 bytes.
pub const PHONE_MAX: usize = 13;
/// `co_tid`: 30 bytes.
pub const CO_TID_MAX: usize = 30;
/// `reserved`: 20 bytes.
pub const RESERVED_MAX: usize = 20;
/// `msg` of `ReSendSMS`: 20 bytes.
pub const MSG_MAX: usize = 20;
/// `goods_id`: 20 bytes.
pub const GOODS_ID_MAX: usize = 20;
/// `order_id` in requests: 16 bytes.
pub const ORDER_ID_MAX: usize = 16;
/// `cid`: 20 bytes.
pub const CID_MAX: usize = 20;

/// How Korean text is percent-encoded in the query: UTF-8 (the default) or EUC-KR.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum QueryCharset {
    /// UTF-8 bytes.
    #[default]
    Utf8,
    /// EUC-KR (CP949) bytes; text EUC-KR cannot hold is refused before sending.
    EucKr,
}

impl QueryCharset {
    /// The encoding to percent-encode with.
    pub fn encoding(self) -> &'static Encoding {
        match self {
            QueryCharset::Utf8 => UTF_8,
            QueryCharset::EucKr => EUC_KR,
        }
    }

    /// The configuration spelling: `utf-8` or `euc-kr`.
    pub fn as_str(self) -> &'static str {
        match self {
            QueryCharset::Utf8 => "utf-8",
            QueryCharset::EucKr => "euc-kr",
        }
    }
}

/// A text field: present, within `limit` CP949 bytes, without control
/// characters, and writable in the charset.
pub fn check_text(field: &str, value: &str, limit: usize, charset: QueryCharset) -> Result<()> {
    validate::required_max(field, value, limit)?;
    validate::no_control_chars(field, value, false)?;
    check_charset(field, value, charset)
}

/// A message body (`content`): as [`check_text`], but line breaks and tabs are
/// allowed (an SMS body has lines); every other control character is refused.
pub fn check_body(field: &str, value: &str, limit: usize, charset: QueryCharset) -> Result<()> {
    validate::required_max(field, value, limit)?;
    validate::no_control_chars(field, value, true)?;
    check_charset(field, value, charset)
}

/// An optional text field: within `limit` CP949 bytes, without control
/// characters, and writable in the charset.
pub fn check_optional_text(field: &str, value: Option<&str>, limit: usize, charset: QueryCharset) -> Result<()> {
    match value {
        None => Ok(()),
        Some(v) => {
            validate::max_cp949_bytes(field, v, limit)?;
            validate::no_control_chars(field, v, false)?;
            check_charset(field, v, charset)
        }
    }
}

fn check_charset(field: &str, value: &str, charset: QueryCharset) -> Result<()> {
    match charset {
        QueryCharset::EucKr => validate::euc_kr_encodable(field, value),
        QueryCharset::Utf8 => Ok(()),
    }
}

/// An id field: present, printable ASCII without spaces (a control character
/// is named with its position), within `limit` bytes.
pub fn check_id(field: &str, value: &str, limit: usize) -> Result<()> {
    validate::required_max(field, value, limit)?;
    validate::no_control_chars(field, value, false)?;
    validate::ascii_token(field, value)
}

/// A phone number's digits within the 13-byte column.
fn check_phone(field: &str, phone: &PhoneNumber) -> Result<()> {
    validate::max_cp949_bytes(field, phone.expose_digits(), PHONE_MAX)
}

/// `cid`, the partner id the vendor hands out.
pub fn check_cid(cid: &str) -> Result<()> {
    check_id("cid", cid, CID_MAX)
}

fn encode(pairs: &[(&str, &str)], charset: QueryCharset) -> Result<String> {
    form_urlencode(pairs.iter().copied(), charset.encoding()).map_err(|(field, e)| {
        Error::invalid_field(
            field,
            format!(
                "has a character EUC-KR cannot hold (U+{:04X} at position {}); the vendor's code page is EUC-KR",
                e.ch as u32, e.position
            ),
        )
    })
}

/// `SendEPin`: issue one PIN and send it by SMS.
///
/// `count` is always 1 (the document fixes it) and is not a field here.
/// `Debug` masks the phone numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendEPin {
    /// The goods to issue (`goods_id`, 20 bytes).
    pub goods_id: String,
    /// SMS title (`title`, 40 bytes).
    pub title: String,
    /// SMS body (`content`, 500 bytes).
    pub content: String,
    /// Who receives the PIN (`mdn`).
    pub mdn: PhoneNumber,
    /// The reply number shown (`receive_tel`).
    pub receive_tel: PhoneNumber,
    /// The partner's transaction id (`co_tid`, 30 bytes); the vendor refuses a repeat (`P101`).
    pub co_tid: PartnerRef,
    /// A free value echoed back (`reserved`, 20 bytes).
    pub reserved: Option<String>,
}

impl SendEPin {
    /// Checks every field; the first failure is returned.
    pub fn validate(&self, charset: QueryCharset) -> Result<()> {
        check_id("goods_id", &self.goods_id, GOODS_ID_MAX)?;
        check_id("co_tid", self.co_tid.as_str(), CO_TID_MAX)?;
        check_text("title", &self.title, TITLE_MAX, charset)?;
        check_body("content", &self.content, CONTENT_MAX, charset)?;
        check_phone("mdn", &self.mdn)?;
        check_phone("receive_tel", &self.receive_tel)?;
        check_optional_text("reserved", self.reserved.as_deref(), RESERVED_MAX, charset)
    }

    /// The validated, signed query string, in the document's parameter order.
    pub fn query(&self, cid: &str, auth_key: &str, charset: QueryCharset) -> Result<String> {
        self.validate(charset)?;
        let enc = sign::send_epin(auth_key, cid, &self.goods_id, self.co_tid.as_str());
        encode(
            &[
                ("cid", cid),
                ("enc", &enc),
                ("goods_id", &self.goods_id),
                ("count", "1"),
                ("title", &self.title),
                ("content", &self.content),
                ("mdn", self.mdn.expose_digits()),
                ("receive_tel", self.receive_tel.expose_digits()),
                ("co_tid", self.co_tid.as_str()),
                // "reserved 값을 사용 하지 않는 경우는 공백 값으로 입력": sent empty when unused.
                ("reserved", self.reserved.as_deref().unwrap_or("")),
            ],
            charset,
        )
    }
}

/// `ReSendSMS`: send the PIN's SMS again (`send_type` is always `D`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReSendSms {
    /// The vendor's order id (`order_id`, 16 bytes).
    pub order_id: String,
    /// A phrase added to the SMS (`msg`, 20 bytes).
    pub msg: Option<String>,
    /// A free value echoed back (`reserved`, 20 bytes).
    pub reserved: Option<String>,
}

impl ReSendSms {
    /// A resend of `order_id` without extra phrase.
    pub fn new(order_id: impl Into<String>) -> Self {
        Self { order_id: order_id.into(), msg: None, reserved: None }
    }

    /// Checks every field.
    pub fn validate(&self, charset: QueryCharset) -> Result<()> {
        check_id("order_id", &self.order_id, ORDER_ID_MAX)?;
        check_optional_text("msg", self.msg.as_deref(), MSG_MAX, charset)?;
        check_optional_text("reserved", self.reserved.as_deref(), RESERVED_MAX, charset)
    }

    /// The validated, signed query string.
    pub fn query(&self, cid: &str, auth_key: &str, charset: QueryCharset) -> Result<String> {
        self.validate(charset)?;
        let enc = sign::order(auth_key, cid, &self.order_id);
        encode(
            &[
                ("cid", cid),
                ("enc", &enc),
                ("order_id", &self.order_id),
                ("send_type", "D"),
                ("msg", self.msg.as_deref().unwrap_or("")),
                ("reserved", self.reserved.as_deref().unwrap_or("")),
            ],
            charset,
        )
    }
}

/// The query of `CancelSendEPin` and `StatusSendEPin`: cid, enc, order_id.
pub fn order_query(cid: &str, auth_key: &str, order_id: &str) -> Result<String> {
    check_id("order_id", order_id, ORDER_ID_MAX)?;
    let enc = sign::order(auth_key, cid, order_id);
    encode(&[("cid", cid), ("enc", &enc), ("order_id", order_id)], QueryCharset::Utf8)
}

/// The query of `getGoodsInfoList`: cid, brand_id, enc.
pub fn goods_list_query(cid: &str, auth_key: &str, brand_id: u64) -> Result<String> {
    let enc = sign::goods_list(auth_key, cid, brand_id);
    encode(&[("cid", cid), ("brand_id", &brand_id.to_string()), ("enc", &enc)], QueryCharset::Utf8)
}

/// The query of `getGoodsInfo`: cid, goods_id, enc.
pub fn goods_info_query(cid: &str, auth_key: &str, goods_id: &str) -> Result<String> {
    check_id("goods_id", goods_id, GOODS_ID_MAX)?;
    let enc = sign::goods_info(auth_key, cid, goods_id);
    encode(&[("cid", cid), ("goods_id", goods_id), ("enc", &enc)], QueryCharset::Utf8)
}

/// The query of `getBrandImage` (not signed): cid, brand_id.
pub fn brand_image_query(cid: &str, brand_id: u64) -> Result<String> {
    encode(&[("cid", cid), ("brand_id", &brand_id.to_string())], QueryCharset::Utf8)
}

/// The query of `ExchangeDaily.aspx` (not signed): cid, dt as `YYYY-MM-DD`.
pub fn exchange_daily_query(cid: &str, day: coupon_core::chrono::NaiveDate) -> Result<String> {
    encode(&[("cid", cid), ("dt", &day.format("%Y-%m-%d").to_string())], QueryCharset::Utf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> SendEPin {
        SendEPin {
            goods_id: "0000000582".into(),
            title: "선물이 도착했어요".into(),
            content: "GS25 모바일상품권 1만원".into(),
            mdn: PhoneNumber::parse("010-1234-5678").unwrap(),
            receive_tel: PhoneNumber::parse("1588-1234").unwrap(),
            co_tid: PartnerRef::new("CP1"),
            reserved: None,
        }
    }

    #[test]
    fn send_epin_query_follows_the_documents_order_and_signs() {
        let q = request().query("sandbox", "sandbox-key", QueryCharset::Utf8).unwrap();
        assert!(
            q.starts_with(
                "cid=sandbox&enc=62101e86ae5b152e0a20688cef18175f&goods_id=0000000582&count=1&title=%EC%84%A0"
            ),
            "{q}"
        );
        assert!(q.ends_with("&mdn=01012345678&receive_tel=15881234&co_tid=CP1&reserved="), "{q}");
        let q = request().query("sandbox", "sandbox-key", QueryCharset::EucKr).unwrap();
        assert!(q.contains("&title=%BC%B1%B9%B0"), "{q}");
    }

    #[test]
    fn limits_are_cp949_bytes_and_errors_name_the_field() {
        let mut r = request();
        r.title = "가".repeat(20);
        assert!(r.validate(QueryCharset::Utf8).is_ok(), "20 syllables = 40 bytes");
        r.title.push('A');
        let e = r.validate(QueryCharset::Utf8).unwrap_err();
        assert_eq!(e.field(), Some("title"));
        assert!(e.to_string().contains("41 bytes") && e.to_string().contains("limit is 40"), "{e}");

        let mut r = request();
        r.co_tid = PartnerRef::new("a b");
        assert_eq!(r.validate(QueryCharset::Utf8).unwrap_err().field(), Some("co_tid"));
        r.co_tid = PartnerRef::new("X".repeat(31));
        assert_eq!(r.validate(QueryCharset::Utf8).unwrap_err().field(), Some("co_tid"));

        let mut r = request();
        r.content = "감사합니다 🎁".into();
        assert!(r.validate(QueryCharset::Utf8).is_ok());
        let e = r.validate(QueryCharset::EucKr).unwrap_err();
        assert_eq!(e.field(), Some("content"));
        assert!(!e.to_string().contains("감사"), "{e}");
    }

    #[test]
    fn control_characters_are_refused_by_field_and_position() {
        type Edit = fn(&mut SendEPin);
        let cases: [(Edit, &str); 5] = [
            (|r| r.title = "선물\0".into(), "title"),
            (|r| r.content = "본문\u{1b}[31m".into(), "content"),
            (|r| r.reserved = Some("r\0".into()), "reserved"),
            (|r| r.goods_id = "058\u{0}2".into(), "goods_id"),
            (|r| r.co_tid = PartnerRef::new("CP\n1"), "co_tid"),
        ];
        for (edit, field) in cases {
            let mut r = request();
            edit(&mut r);
            let e = r.query("sandbox", "sandbox-key", QueryCharset::Utf8).unwrap_err();
            assert_eq!(e.field(), Some(field), "{e}");
            assert!(e.to_string().contains("control character") && e.to_string().contains("position"), "{e}");
        }
        let mut r = request();
        r.content = "첫 줄\r\n둘째 줄\t끝".into();
        assert!(r.validate(QueryCharset::Utf8).is_ok(), "line breaks and tabs are fine in content");
        r.title = "a\nb".into();
        assert_eq!(r.validate(QueryCharset::Utf8).unwrap_err().field(), Some("title"), "but not in the title");

        let mut resend = ReSendSms::new("GL2603010000001");
        resend.msg = Some("다시\n".into());
        assert_eq!(resend.validate(QueryCharset::Utf8).unwrap_err().field(), Some("msg"));
        resend.msg = None;
        resend.reserved = Some("\u{7f}".into());
        assert_eq!(resend.validate(QueryCharset::Utf8).unwrap_err().field(), Some("reserved"));
        let e = ReSendSms::new("GL\u{0}1").validate(QueryCharset::Utf8).unwrap_err();
        assert_eq!(e.field(), Some("order_id"));
        assert!(e.to_string().contains("position 3"), "{e}");
    }

    #[test]
    fn resend_sends_type_d_and_checks_msg() {
        let q = ReSendSms::new("GL2603010000001").query("sandbox", "sandbox-key", QueryCharset::Utf8).unwrap();
        assert_eq!(
            q,
            "cid=sandbox&enc=7d857edebb491c348b48d7e636242f5e&order_id=GL2603010000001&send_type=D&msg=&reserved="
        );
        let mut r = ReSendSms::new("GL2603010000001");
        r.msg = Some("가".repeat(11));
        assert_eq!(r.validate(QueryCharset::Utf8).unwrap_err().field(), Some("msg"));
        assert_eq!(ReSendSms::new("X".repeat(17)).validate(QueryCharset::Utf8).unwrap_err().field(), Some("order_id"));
    }

    #[test]
    fn catalog_and_report_queries() {
        assert_eq!(
            goods_list_query("sandbox", "sandbox-key", 10).unwrap(),
            "cid=sandbox&brand_id=10&enc=e4bf6cd095db4884bb13d7540ee818d2"
        );
        assert_eq!(
            goods_info_query("sandbox", "sandbox-key", "0000000582").unwrap(),
            "cid=sandbox&goods_id=0000000582&enc=f5d2a17c5db697d17c4ea2fd65e3a1df"
        );
        assert_eq!(brand_image_query("sandbox", 50).unwrap(), "cid=sandbox&brand_id=50");
        let day = coupon_core::chrono::NaiveDate::from_ymd_opt(2015, 2, 21).unwrap();
        assert_eq!(exchange_daily_query("sandbox", day).unwrap(), "cid=sandbox&dt=2015-02-21");
        assert_eq!(order_query("sandbox", "k", "").unwrap_err().field(), Some("order_id"));
    }
}
