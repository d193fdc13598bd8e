//! The status inquiry on the wire: the form sent, the XML answered, and its parser.
//!
//! Sans-IO: nothing here knows about HTTP, so the parser is fuzzed and tested on
//! raw bytes. The answer is decoded strictly in the encoding its labels name
//! (`Content-Type` charset, else the XML declaration, else EUC-KR) and parsed
//! with quick-xml under these rules:
//!
//! - a `DOCTYPE` is refused, so no entity can ever be declared or expanded;
//! - only the five predefined entities and numeric character references are
//!   read; any other `&name;` is an error;
//! - nesting deeper than [`MAX_DEPTH`] or more than [`MAX_ELEMENTS`] elements
//!   is an error; so is an unclosed element;
//! - labels that contradict each other or the bytes are an error, never a guess.
//!
//! ```
//! use adapter_coufun::wire::{parse_status, CouponType, OrderStatus};
//! let xml = "<?xml version=\"1.0\" encoding=\"EUC-KR\"?>
//! <COUFUNSEARCH>
//!   <RESULT_CODE>00</RESULT_CODE><RESULT_MSG>SUCCESS</RESULT_MSG>
//!   <COUPON_TYPE>BARCODE</COUPON_TYPE><ORDER_DATE>20261102</ORDER_DATE><STATUS>000</STATUS>
//!   <RECEIVER_MOBILE>01012345678</RECEIVER_MOBILE><BARCODE_NUM>912605117340</BARCODE_NUM>
//!   <VALID_END_DATE>20270131</VALID_END_DATE><EXCHANGE_DATE></EXCHANGE_DATE><CANCEL_DATE></CANCEL_DATE>
//! </COUFUNSEARCH>";
//! let answer = parse_status(xml.as_bytes(), None).unwrap();
//! let order = &answer.orders[0];
//! assert_eq!((&order.coupon_type, &order.status), (&CouponType::Barcode, &OrderStatus::Unused));
//! assert_eq!(order.barcode.to_string(), "********7340");
//! assert_eq!(order.receiver.as_ref().unwrap().to_string(), "010-****-5678");
//! ```

use std::borrow::Cow;
use std::fmt;

use coupon_core::chrono::NaiveDate;
use coupon_core::encoding_rs::{EUC_KR, Encoding, UTF_8};
use coupon_core::text::{decode_strict, encoding_for_label, form_urlencode, xml_declared_encoding};
use coupon_core::time::{KstDateTime, parse_compact_date, parse_compact_datetime};
use coupon_core::{Balance, CouponStatus, Error, PhoneNumber, Pin, VendorCode, Won, validate};
use quick_xml::Reader;
use quick_xml::events::Event;

/// The endpoint's path below the base URL.
pub const PATH: &str = "/b2c_api/coufunPartAmountStatus.do";
/// `POC_ID` (고객사 ID) limit, bytes.
pub const POC_ID_MAX: usize = 10;
/// `GOODS_ID` (판매상품 ID) limit, bytes.
pub const GOODS_ID_MAX: usize = 10;
/// `BARCODE_NUM` (쿠폰번호) limit, bytes.
pub const BARCODE_NUM_MAX: usize = 30;
/// The deepest element nesting accepted (the real answer is 3 deep).
pub const MAX_DEPTH: usize = 16;
/// The most elements accepted in one answer (10 orders of 10 fields is about 120).
pub const MAX_ELEMENTS: usize = 4096;

/// The root element of every answer.
const ROOT: &str = "COUFUNSEARCH";
/// The element repeated once per order when a barcode has several.
const ORDER_INFO: &str = "ORDER_INFO";

/// The request: three form fields, each ASCII within its byte limit.
///
/// ```
/// use adapter_coufun::wire::StatusRequest;
/// use coupon_core::Pin;
/// let barcode = Pin::new("912605117340");
/// let req = StatusRequest { poc_id: "SANDBOX", goods_id: "CF10000123", barcode: &barcode };
/// assert_eq!(req.to_form().unwrap(), "POC_ID=SANDBOX&GOODS_ID=CF10000123&BARCODE_NUM=912605117340");
/// let long = Pin::new("9".repeat(31));
/// let e = StatusRequest { barcode: &long, ..req }.to_form().unwrap_err();
/// assert_eq!(e.field(), Some("BARCODE_NUM"));
/// assert!(!e.to_string().contains("99999"));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct StatusRequest<'a> {
    /// `POC_ID`: the customer id COUFUN assigned.
    pub poc_id: &'a str,
    /// `GOODS_ID`: the product the coupon was sold as.
    pub goods_id: &'a str,
    /// `BARCODE_NUM`: the coupon number.
    pub barcode: &'a Pin,
}

impl StatusRequest<'_> {
    /// Checks every field: present, printable ASCII without spaces (EUC-KR-safe
    /// as is), within its byte limit. Errors name the field and never repeat it.
    pub fn validate(&self) -> Result<(), Error> {
        for (field, value, limit) in self.fields() {
            validate::required(field, value)?;
            validate::ascii_token(field, value)?;
            validate::max_cp949_bytes(field, value, limit)?;
        }
        Ok(())
    }

    /// The validated `application/x-www-form-urlencoded` body.
    pub fn to_form(&self) -> Result<String, Error> {
        self.validate()?;
        let pairs = self.fields().map(|(field, value, _)| (field, value));
        form_urlencode(pairs, EUC_KR).map_err(|(field, e)| {
            Error::invalid_field(field, format!("has a character EUC-KR cannot hold (position {})", e.position))
        })
    }

    fn fields(&self) -> [(&'static str, &str, usize); 3] {
        [
            ("POC_ID", self.poc_id, POC_ID_MAX),
            ("GOODS_ID", self.goods_id, GOODS_ID_MAX),
            ("BARCODE_NUM", self.barcode.expose(), BARCODE_NUM_MAX),
        ]
    }
}

/// `COUPON_TYPE`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CouponType {
    /// `BARCODE`: 교환권, an exchange voucher for one product.
    Barcode,
    /// `AMOUNT`: 금액권, a stored-value coupon spent in parts.
    Amount,
    /// Anything else, verbatim.
    Other(String),
}

impl CouponType {
    /// Reads the vendor's value.
    pub fn from_wire(value: &str) -> Self {
        match value {
            "BARCODE" => Self::Barcode,
            "AMOUNT" => Self::Amount,
            other => Self::Other(other.to_string()),
        }
    }

    /// The vendor's value.
    pub fn as_wire(&self) -> &str {
        match self {
            Self::Barcode => "BARCODE",
            Self::Amount => "AMOUNT",
            Self::Other(s) => s,
        }
    }
}

/// `STATUS` of one order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// `000` 미사용: not used (a stored-value coupon may be partly spent).
    Unused,
    /// `001` 사용: used.
    Used,
    /// `100` 취소: cancelled.
    Cancelled,
    /// Anything else, verbatim.
    Other(String),
}

impl OrderStatus {
    /// Reads the vendor's value.
    pub fn from_wire(value: &str) -> Self {
        match value {
            "000" => Self::Unused,
            "001" => Self::Used,
            "100" => Self::Cancelled,
            other => Self::Other(other.to_string()),
        }
    }

    /// The vendor's value.
    pub fn as_wire(&self) -> &str {
        match self {
            Self::Unused => "000",
            Self::Used => "001",
            Self::Cancelled => "100",
            Self::Other(s) => s,
        }
    }
}

/// `RECEIVER_MOBILE`: personal data, shown masked only.
///
/// A number that parses is kept as a [`PhoneNumber`]; anything else (already
/// masked by the vendor, a foreign format) is kept only as a masked text that
/// never shows more than the first three and last four characters.
///
/// ```
/// use adapter_coufun::wire::ReceiverMobile;
/// let r = ReceiverMobile::from_wire("01012345678");
/// assert_eq!(r.to_string(), "010-****-5678");
/// assert_eq!(r.phone().unwrap().expose_digits(), "01012345678");
/// let odd = ReceiverMobile::from_wire("010-12**-5678");
/// assert!(odd.phone().is_none());
/// assert_eq!(odd.masked(), "010******5678");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ReceiverMobile {
    phone: Option<PhoneNumber>,
    masked: String,
}

impl ReceiverMobile {
    /// Reads the vendor's value (trimmed, non-empty).
    pub fn from_wire(value: &str) -> Self {
        match PhoneNumber::parse(value) {
            Ok(phone) => Self { masked: phone.masked(), phone: Some(phone) },
            Err(_) => Self { phone: None, masked: mask_raw(value) },
        }
    }

    /// The number, when the vendor sent one that parses.
    pub fn phone(&self) -> Option<&PhoneNumber> {
        self.phone.as_ref()
    }

    /// The masked form (`010-****-5678`, or a masked copy of what came).
    pub fn masked(&self) -> &str {
        &self.masked
    }
}

/// Keeps the first three and last four characters of at least ten; masks everything of fewer.
fn mask_raw(value: &str) -> String {
    let n = value.chars().count();
    if n < 10 {
        return "*".repeat(n.max(4));
    }
    value.chars().enumerate().map(|(i, c)| if i < 3 || i >= n - 4 { c } else { '*' }).collect()
}

impl fmt::Display for ReceiverMobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked)
    }
}

impl fmt::Debug for ReceiverMobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReceiverMobile({})", self.masked)
    }
}

/// One order of a coupon, as the answer describes it.
///
/// `Debug` and `Display` mask the barcode and the receiver's number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderRecord {
    /// `COUPON_TYPE`.
    pub coupon_type: CouponType,
    /// `ORDER_DATE` (YYYYMMDD).
    pub order_date: NaiveDate,
    /// `STATUS`.
    pub status: OrderStatus,
    /// `RECEIVER_MOBILE`; `None` when absent or empty.
    pub receiver: Option<ReceiverMobile>,
    /// `BARCODE_NUM`: whoever holds it can spend the coupon.
    pub barcode: Pin,
    /// `VALID_END_DATE` (YYYYMMDD): the last day it can be used.
    pub valid_until: NaiveDate,
    /// `EXCHANGE_DATE` (KST): when it was exchanged, or last spent from; `None` when empty.
    pub exchanged_at: Option<KstDateTime>,
    /// `CANCEL_DATE` (KST); `None` when empty.
    pub cancelled_at: Option<KstDateTime>,
    /// `TOTAL_AMOUNT` and `REMAIN_AMOUNT`: always there for `AMOUNT` coupons,
    /// and kept for other types when the vendor sends both.
    pub balance: Option<Balance>,
}

impl OrderRecord {
    /// The record's state in the SDK's terms, on `today` (KST).
    ///
    /// `000` is [`CouponStatus::Unused`], except past its valid-until day
    /// ([`CouponStatus::Expired`]) and for a stored-value coupon with nothing left
    /// (used, at its last exchange). `001` is used at `EXCHANGE_DATE`, `100`
    /// cancelled at `CANCEL_DATE`; any other status is kept verbatim.
    pub fn coupon_status(&self, today: NaiveDate) -> CouponStatus {
        match &self.status {
            OrderStatus::Unused if self.valid_until < today => CouponStatus::Expired,
            OrderStatus::Unused if self.is_spent() => CouponStatus::Used { at: self.exchanged_at, place: None },
            OrderStatus::Unused => CouponStatus::Unused,
            OrderStatus::Used => CouponStatus::Used { at: self.exchanged_at, place: None },
            OrderStatus::Cancelled => CouponStatus::Cancelled { at: self.cancelled_at },
            OrderStatus::Other(s) => CouponStatus::Unknown(s.clone()),
        }
    }

    fn is_spent(&self) -> bool {
        self.coupon_type == CouponType::Amount && self.balance.is_some_and(|b| b.remaining == Won(0))
    }
}

impl fmt::Display for OrderRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} coupon {} ordered {} status {} valid until {}",
            self.coupon_type.as_wire(),
            self.barcode,
            self.order_date,
            self.status.as_wire(),
            self.valid_until
        )?;
        if let Some(r) = &self.receiver {
            write!(f, " to {r}")?;
        }
        if let Some(b) = &self.balance {
            write!(f, ", {} of {} left", b.remaining, b.total)?;
        }
        Ok(())
    }
}

/// A successful answer (`RESULT_CODE` `00`): every order record, in document order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusAnswer {
    /// `RESULT_MSG` (`SUCCESS`), trimmed.
    pub message: String,
    /// One record in the flat form, one per `<ORDER_INFO>` in the repeated form
    /// (the document says at most 10; more are kept all the same).
    pub orders: Vec<OrderRecord>,
}

impl StatusAnswer {
    /// The order that says what the coupon is now: among the records for
    /// `barcode` (all records when none carries it), the latest by
    /// `ORDER_DATE`, the later in the document on a tie.
    ///
    /// ```
    /// # use adapter_coufun::wire::parse_status;
    /// let order = |date: &str, status: &str| format!(
    ///     "<ORDER_INFO><COUPON_TYPE>BARCODE</COUPON_TYPE><ORDER_DATE>{date}</ORDER_DATE><STATUS>{status}</STATUS>\
    ///      <BARCODE_NUM>912603550784</BARCODE_NUM><VALID_END_DATE>20270208</VALID_END_DATE></ORDER_INFO>");
    /// let xml = format!("<COUFUNSEARCH><RESULT_CODE>00</RESULT_CODE>{}{}{}</COUFUNSEARCH>",
    ///     order("20260315", "100"), order("20261110", "000"), order("20260816", "001"));
    /// let answer = parse_status(xml.as_bytes(), None).unwrap();
    /// assert_eq!(answer.current("912603550784").unwrap().status.as_wire(), "000");
    /// ```
    pub fn current(&self, barcode: &str) -> Option<&OrderRecord> {
        let matching: Vec<&OrderRecord> = self.orders.iter().filter(|o| o.barcode.expose() == barcode).collect();
        let pool = if matching.is_empty() { self.orders.iter().collect() } else { matching };
        pool.into_iter().enumerate().max_by_key(|(i, o)| (o.order_date, *i)).map(|(_, o)| o)
    }
}

/// Why an answer is not a [`StatusAnswer`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WireError {
    /// The vendor answered a `RESULT_CODE` other than `00`.
    Vendor {
        /// `RESULT_CODE`, verbatim (trimmed of the XML's layout whitespace).
        code: VendorCode,
        /// `RESULT_MSG`, verbatim (trimmed); empty when absent.
        message: String,
    },
    /// The answer could not be read. The text names the element or rule, never a value.
    Malformed(String),
}

impl WireError {
    fn malformed(message: impl Into<String>) -> Self {
        Self::Malformed(message.into())
    }

    /// The SDK error: a vendor code through [`crate::codes`], anything else [`coupon_core::ErrorKind::Protocol`].
    pub fn into_error(self) -> Error {
        match self {
            Self::Vendor { code, message } => crate::codes::error_for(code, &message),
            Self::Malformed(message) => Error::protocol(message).with_vendor(crate::VENDOR),
        }
    }
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Vendor { code, message } => write!(f, "COUFUN answered RESULT_CODE {code}: {message}"),
            Self::Malformed(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for WireError {}

/// Parses an answer from its raw bytes.
///
/// `content_type_charset` is the `charset` of the HTTP `Content-Type`, when
/// there was one. The encoding is that label, else the XML declaration's, else
/// EUC-KR (the vendor's); the bytes are decoded strictly in it.
///
/// # Errors
///
/// [`WireError::Vendor`] for a `RESULT_CODE` other than `00`;
/// [`WireError::Malformed`] for anything unreadable: labels that contradict
/// each other or the bytes, bytes invalid in their encoding, a `DOCTYPE`, an
/// unknown entity, too deep or too many elements, an unclosed element, a
/// missing or malformed field (named).
pub fn parse_status(bytes: &[u8], content_type_charset: Option<&str>) -> Result<StatusAnswer, WireError> {
    let ascii = bytes.is_ascii();
    let encoding = choose_encoding(bytes, ascii, content_type_charset)?;
    if encoding == EUC_KR && !ascii && looks_like_utf8_korean(bytes) {
        return Err(WireError::malformed(
            "the answer is labelled EUC-KR but its bytes are UTF-8 Korean text; refusing to guess",
        ));
    }
    let text: Cow<'_, str> = match std::str::from_utf8(bytes) {
        // ASCII reads as itself in every encoding `encoding_for_label` can name
        // (all ASCII-compatible): no decoding, no copy.
        Ok(text) if ascii && encoding.is_ascii_compatible() => Cow::Borrowed(text),
        _ => Cow::Owned(decode_strict(bytes, encoding).map_err(|e| WireError::malformed(e.to_string()))?),
    };
    let root = parse_tree(&text, encoding, !ascii)?;
    interpret(&root)
}

/// `Content-Type` label, else the declaration's, else EUC-KR; labels that
/// disagree about non-ASCII bytes are a contradiction.
fn choose_encoding(
    bytes: &[u8],
    ascii: bool,
    content_type_charset: Option<&str>,
) -> Result<&'static Encoding, WireError> {
    let lookup = |label: &str, source: &str| {
        encoding_for_label(label)
            .ok_or_else(|| WireError::malformed(format!("unknown charset {label:?} in the {source}")))
    };
    let from_header = content_type_charset.map(|l| lookup(l, "Content-Type")).transpose()?;
    let from_declaration = xml_declared_encoding(bytes).map(|l| lookup(l, "XML declaration")).transpose()?;
    let bom = bytes.starts_with(b"\xEF\xBB\xBF").then_some(UTF_8);
    let mut chosen: Option<&'static Encoding> = None;
    for (label, source) in
        [(from_header, "Content-Type"), (from_declaration, "XML declaration"), (bom, "byte order mark")]
    {
        match (chosen, label) {
            (None, Some(enc)) => chosen = Some(enc),
            (Some(first), Some(enc)) if first != enc && !ascii => {
                return Err(WireError::malformed(format!(
                    "the answer's labels contradict each other: {} first, {} in the {source}",
                    first.name(),
                    enc.name()
                )));
            }
            _ => {}
        }
    }
    Ok(chosen.unwrap_or(EUC_KR))
}

/// Non-ASCII bytes that are valid UTF-8 holding Hangul syllables: strict EUC-KR
/// decoding would turn them into other Hangul without an error.
fn looks_like_utf8_korean(bytes: &[u8]) -> bool {
    !bytes.is_ascii()
        && std::str::from_utf8(bytes).is_ok_and(|s| s.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c)))
}

/// One element: its name, its own text, its child elements.
#[derive(Debug, Default)]
struct Node {
    name: String,
    text: String,
    children: Vec<Node>,
}

/// Reads the document into a small tree under the limits of this module.
fn parse_tree(text: &str, encoding: &'static Encoding, non_ascii: bool) -> Result<Node, WireError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut elements = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| {
            WireError::malformed(clip(&format!("malformed XML near byte {}: {e}", reader.error_position())))
        })?;
        match event {
            Event::Decl(decl) => {
                if let Some(label) = decl.encoding() {
                    let label =
                        label.map_err(|_| WireError::malformed("unreadable encoding in the XML declaration"))?;
                    let declared = encoding_for_label(&label).ok_or_else(|| {
                        WireError::malformed(clip(&format!("unknown charset {label:?} in the XML declaration")))
                    })?;
                    if declared != encoding && non_ascii {
                        return Err(WireError::malformed(format!(
                            "the XML declaration says {} but the answer was read as {}",
                            declared.name(),
                            encoding.name()
                        )));
                    }
                }
            }
            Event::DocType(_) => {
                return Err(WireError::malformed(
                    "the answer has a DOCTYPE, which is refused (entities are never expanded)",
                ));
            }
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(WireError::malformed("content after the root element"));
            }
            Event::Start(start) => {
                let node = open(start.name().into_inner(), &mut elements, stack.len())?;
                stack.push(node);
            }
            Event::Empty(start) => {
                let node = open(start.name().into_inner(), &mut elements, stack.len())?;
                close(node, &mut stack, &mut root);
            }
            Event::End(_) => {
                // quick-xml has checked that the name matches the open element.
                let node = stack.pop().ok_or_else(|| WireError::malformed("an end tag without a start tag"))?;
                close(node, &mut stack, &mut root);
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content())?,
            Event::CData(c) => push_text(&mut stack, &c.xml10_content())?,
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => c,
                        _ => return Err(WireError::malformed("an invalid character reference")),
                    }
                } else {
                    match &*r {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        other => {
                            return Err(WireError::malformed(clip(&format!(
                                "an undeclared entity &{other}; (only the five predefined ones are read)"
                            ))));
                        }
                    }
                };
                push_text(&mut stack, resolved.encode_utf8(&mut [0; 4]))?;
            }
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        return Err(WireError::malformed(clip(&format!("the element <{}> is never closed", open.name))));
    }
    root.ok_or_else(|| WireError::malformed("the answer has no root element"))
}

/// A new element at `depth` (the number of open elements), counted against the limits.
fn open(name: &str, elements: &mut usize, depth: usize) -> Result<Node, WireError> {
    *elements += 1;
    if *elements > MAX_ELEMENTS {
        return Err(WireError::malformed(format!("more than {MAX_ELEMENTS} elements")));
    }
    if depth >= MAX_DEPTH {
        return Err(WireError::malformed(format!("elements nested deeper than {MAX_DEPTH}")));
    }
    Ok(Node { name: name.to_string(), ..Node::default() })
}

fn close(node: Node, stack: &mut [Node], root: &mut Option<Node>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => *root = Some(node),
    }
}

fn push_text(stack: &mut [Node], text: &str) -> Result<(), WireError> {
    match stack.last_mut() {
        // Every text is read trimmed (`Scope::of`): layout before the first
        // character need not be kept, and containers then never allocate for it.
        Some(node) if node.text.is_empty() && text.trim().is_empty() => Ok(()),
        Some(node) => {
            node.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(WireError::malformed("text outside the root element")),
    }
}

/// Keeps messages built from vendor bytes short.
fn clip(message: &str) -> String {
    const MAX: usize = 160;
    if message.chars().count() <= MAX {
        return message.to_string();
    }
    let mut s: String = message.chars().take(MAX).collect();
    s.push('…');
    s
}

/// The fields of one scope (the root, or one `<ORDER_INFO>`): name → trimmed text.
struct Scope<'a> {
    name: &'static str,
    fields: Vec<(&'a str, &'a str)>,
}

impl<'a> Scope<'a> {
    /// The leaf children of `node`; a field named twice is an error (it would
    /// hide a second order behind the first).
    fn of(node: &'a Node, name: &'static str) -> Result<Self, WireError> {
        let mut fields: Vec<(&str, &str)> = Vec::new();
        for child in node.children.iter().filter(|c| c.name != ORDER_INFO) {
            if fields.iter().any(|(n, _)| *n == child.name) {
                return Err(WireError::malformed(clip(&format!("<{}> appears twice in <{name}>", child.name))));
            }
            fields.push((child.name.as_str(), child.text.trim()));
        }
        Ok(Self { name, fields })
    }

    fn get(&self, field: &str) -> Option<&'a str> {
        self.fields.iter().find(|(n, _)| *n == field).map(|(_, v)| *v)
    }
}

/// A record's fields: its own scope, falling back to the root's.
struct Fields<'s, 'a> {
    own: &'s Scope<'a>,
    root: Option<&'s Scope<'a>>,
}

impl<'a> Fields<'_, 'a> {
    /// Present and non-empty.
    fn get(&self, field: &str) -> Option<&'a str> {
        self.own.get(field).or_else(|| self.root.and_then(|r| r.get(field))).filter(|v| !v.is_empty())
    }

    fn required(&self, field: &str) -> Result<&'a str, WireError> {
        self.get(field)
            .ok_or_else(|| WireError::malformed(format!("<{field}> is missing or empty in <{}>", self.own.name)))
    }

    fn date(&self, field: &str) -> Result<NaiveDate, WireError> {
        let value = self.required(field)?;
        parse_compact_date(value).ok_or_else(|| {
            WireError::malformed(format!("<{field}> is not a date YYYYMMDD ({} characters)", value.chars().count()))
        })
    }

    /// Empty, absent or all zeros (a common "none" in old systems) is `None`.
    fn time(&self, field: &str) -> Result<Option<KstDateTime>, WireError> {
        match self.get(field) {
            None => Ok(None),
            Some(v) if v.bytes().all(|b| b == b'0') => Ok(None),
            Some(v) => parse_compact_datetime(v).map(Some).ok_or_else(|| {
                WireError::malformed(format!(
                    "<{field}> is not a time YYYYMMDDHHMISS ({} characters)",
                    v.chars().count()
                ))
            }),
        }
    }

    fn won(&self, field: &str, value: &str) -> Result<Won, WireError> {
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(WireError::malformed(format!("<{field}> is not a whole number of won")));
        }
        value.parse().map(Won).map_err(|_| WireError::malformed(format!("<{field}> is too large")))
    }

    fn balance(&self, coupon_type: &CouponType) -> Result<Option<Balance>, WireError> {
        let (total, remain) = (self.get("TOTAL_AMOUNT"), self.get("REMAIN_AMOUNT"));
        match (coupon_type, total, remain) {
            (_, Some(t), Some(r)) => {
                Ok(Some(Balance::new(self.won("TOTAL_AMOUNT", t)?, self.won("REMAIN_AMOUNT", r)?)))
            }
            (CouponType::Amount, None, _) => self.required("TOTAL_AMOUNT").map(|_| None),
            (CouponType::Amount, _, None) => self.required("REMAIN_AMOUNT").map(|_| None),
            _ => Ok(None),
        }
    }

    fn record(&self) -> Result<OrderRecord, WireError> {
        let coupon_type = CouponType::from_wire(self.required("COUPON_TYPE")?);
        Ok(OrderRecord {
            order_date: self.date("ORDER_DATE")?,
            status: OrderStatus::from_wire(self.required("STATUS")?),
            receiver: self.get("RECEIVER_MOBILE").map(ReceiverMobile::from_wire),
            barcode: Pin::new(self.required("BARCODE_NUM")?),
            valid_until: self.date("VALID_END_DATE")?,
            exchanged_at: self.time("EXCHANGE_DATE")?,
            cancelled_at: self.time("CANCEL_DATE")?,
            balance: self.balance(&coupon_type)?,
            coupon_type,
        })
    }
}

fn interpret(root: &Node) -> Result<StatusAnswer, WireError> {
    if root.name != ROOT {
        return Err(WireError::malformed(clip(&format!("the root element is <{}>, not <{ROOT}>", root.name))));
    }
    let top = Scope::of(root, ROOT)?;
    let code = top
        .get("RESULT_CODE")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| WireError::malformed(format!("<RESULT_CODE> is missing or empty in <{ROOT}>")))?;
    let message = top.get("RESULT_MSG").unwrap_or("").to_string();
    if code != crate::codes::SUCCESS {
        return Err(WireError::Vendor { code: VendorCode::new(code), message });
    }
    let blocks = root.children.iter().filter(|c| c.name == ORDER_INFO).collect::<Vec<_>>();
    let orders = if blocks.is_empty() {
        vec![Fields { own: &top, root: None }.record()?]
    } else {
        let mut orders = Vec::with_capacity(blocks.len());
        for block in blocks {
            let own = Scope::of(block, ORDER_INFO)?;
            orders.push(Fields { own: &own, root: Some(&top) }.record()?);
        }
        orders
    };
    Ok(StatusAnswer { message, orders })
}
