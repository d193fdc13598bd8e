//! What comes back: the XML answer of the status inquiry, and its parser.
//!
//! [`parse_status`] answers `Err(WireError)` when the bytes cannot be understood,
//! `Ok(Err(Refusal))` when the vendor refused (a `RESULT_CODE` other than `00`),
//! and `Ok(Ok(answer))` otherwise, as every adapter's parsers do.
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
//! - labels that contradict each other or the bytes are an error, never a guess;
//! - a field named twice in one scope (the root, or one `<ORDER_INFO>`) is an
//!   error: it could hide a second order behind the first. (The project's rule
//!   for repeated JSON keys, first non-empty value wins, is for the JSON vendors.)
//!
//! ```
//! use adapter_coufun::wire::replies::{parse_status, CouponType, OrderStatus};
//! let xml = "<?xml version=\"1.0\" encoding=\"EUC-KR\"?>
//! <COUFUNSEARCH>
//!   <RESULT_CODE>00</RESULT_CODE><RESULT_MSG>SUCCESS</RESULT_MSG>
//!   <COUPON_TYPE>BARCODE</COUPON_TYPE><ORDER_DATE>20261102</ORDER_DATE><STATUS>000</STATUS>
//!   <RECEIVER_MOBILE>01012345678</RECEIVER_MOBILE><BARCODE_NUM>912605117340</BARCODE_NUM>
//!   <VALID_END_DATE>20270131</VALID_END_DATE><EXCHANGE_DATE></EXCHANGE_DATE><CANCEL_DATE></CANCEL_DATE>
//! </COUFUNSEARCH>";
//! let answer = parse_status(xml.as_bytes(), None).unwrap().unwrap();
//! let order = &answer.orders[0];
//! assert_eq!((&order.coupon_type, &order.status), (&CouponType::Barcode, &OrderStatus::Unused));
//! assert_eq!(order.barcode.to_string(), "********7340");
//! assert_eq!(order.receiver.as_ref().unwrap().to_string(), "010-****-5678");
//! ```

mod records;

use std::borrow::Cow;

use coupon_core::encoding_rs::{EUC_KR, Encoding, UTF_8};
use coupon_core::text::{decode_strict, encoding_for_label, xml_declared_encoding};

use super::{Answer, WireError, fields, xml};

pub use records::{CouponType, OrderRecord, OrderStatus, ReceiverMobile, StatusAnswer};

/// The deepest element nesting accepted (the real answer is 3 deep).
pub const MAX_DEPTH: usize = 16;
/// The most elements accepted in one answer (10 orders of 10 fields is about 120).
pub const MAX_ELEMENTS: usize = 4096;

/// The root element of every answer.
pub(super) const ROOT: &str = "COUFUNSEARCH";
/// The element repeated once per order when a barcode has several.
pub(super) const ORDER_INFO: &str = "ORDER_INFO";

/// Parses an answer from its raw bytes.
///
/// `content_type_charset` is the `charset` of the HTTP `Content-Type`, when
/// there was one. The encoding is that label, else the XML declaration's, else
/// EUC-KR (the vendor's); the bytes are decoded strictly in it.
///
/// `Ok(Err(refusal))` for a `RESULT_CODE` other than `00`, its code and
/// `RESULT_MSG` verbatim (trimmed of the XML's layout whitespace; an empty message is none).
///
/// # Errors
///
/// A [`WireError`] for anything unreadable: labels that contradict
/// each other or the bytes, bytes invalid in their encoding, a `DOCTYPE`, an
/// unknown entity, too deep or too many elements, an unclosed element, a
/// missing or malformed field (named).
pub fn parse_status(bytes: &[u8], content_type_charset: Option<&str>) -> Result<Answer<StatusAnswer>, WireError> {
    let ascii = bytes.is_ascii();
    let encoding = choose_encoding(bytes, ascii, content_type_charset)?;
    if encoding == EUC_KR && !ascii && looks_like_utf8_korean(bytes) {
        return Err(WireError::new(
            "the answer is labelled EUC-KR but its bytes are UTF-8 Korean text; refusing to guess",
        ));
    }
    let text: Cow<'_, str> = match std::str::from_utf8(bytes) {
        // ASCII reads as itself in every encoding `encoding_for_label` can name
        // (all ASCII-compatible): no decoding, no copy.
        Ok(text) if ascii && encoding.is_ascii_compatible() => Cow::Borrowed(text),
        _ => Cow::Owned(decode_strict(bytes, encoding).map_err(|e| WireError::new(e.to_string()))?),
    };
    let document = xml::read(&text, encoding, !ascii)?;
    fields::answer(&document)
}

/// `Content-Type` label, else the declaration's, else EUC-KR; labels that
/// disagree about non-ASCII bytes are a contradiction.
fn choose_encoding(
    bytes: &[u8],
    ascii: bool,
    content_type_charset: Option<&str>,
) -> Result<&'static Encoding, WireError> {
    let lookup = |label: &str, source: &str| {
        encoding_for_label(label).ok_or_else(|| WireError::new(format!("unknown charset {label:?} in the {source}")))
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
                return Err(WireError::new(format!(
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

/// Keeps messages built from vendor bytes short.
pub(super) fn clip(message: &str) -> String {
    const MAX: usize = 160;
    if message.chars().count() <= MAX {
        return message.to_string();
    }
    let mut s: String = message.chars().take(MAX).collect();
    s.push('…');
    s
}
