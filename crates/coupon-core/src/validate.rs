//! Checks on input before anything is sent. Each failure names the field, the
//! limit and what was given, and never repeats the value itself.

use crate::error::{Error, Result};
use crate::text::{cp949_len, first_unencodable_euc_kr};

/// `value` must fit in `limit` bytes of CP949.
///
/// ```
/// use coupon_core::validate::max_cp949_bytes;
/// assert!(max_cp949_bytes("title", "선물", 40).is_ok());
/// let e = max_cp949_bytes("title", &"가".repeat(21), 40).unwrap_err();
/// assert_eq!(e.to_string(), "invalid input: `title` is 42 bytes in CP949 (a Hangul syllable counts 2); the limit is 40");
/// ```
pub fn max_cp949_bytes(field: &str, value: &str, limit: usize) -> Result<()> {
    let len = cp949_len(value);
    if len > limit {
        return Err(Error::invalid_field(
            field,
            format!("is {len} bytes in CP949 (a Hangul syllable counts 2); the limit is {limit}"),
        ));
    }
    Ok(())
}

/// `value` must not be empty (after trimming spaces).
pub fn required(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid_field(field, "is required but empty"));
    }
    Ok(())
}

/// `value` must be present and within `limit` CP949 bytes.
pub fn required_max(field: &str, value: &str, limit: usize) -> Result<()> {
    required(field, value)?;
    max_cp949_bytes(field, value, limit)
}

/// Every character of `value` must be writable in EUC-KR.
pub fn euc_kr_encodable(field: &str, value: &str) -> Result<()> {
    match first_unencodable_euc_kr(value) {
        None => Ok(()),
        Some(u) => Err(Error::invalid_field(
            field,
            format!(
                "has a character EUC-KR cannot hold (U+{:04X} at position {}); the vendor's code page is EUC-KR",
                u.ch as u32, u.position
            ),
        )),
    }
}

/// `value` must be printable ASCII with no spaces (ids, references).
pub fn ascii_token(field: &str, value: &str) -> Result<()> {
    if let Some((i, _)) = value.chars().enumerate().find(|(_, c)| !c.is_ascii_graphic()) {
        return Err(Error::invalid_field(
            field,
            format!("must be ASCII letters, digits or punctuation without spaces (character {} is not)", i + 1),
        ));
    }
    Ok(())
}

/// `value` must be ASCII digits only.
pub fn digits(field: &str, value: &str) -> Result<()> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid_field(
            field,
            format!("must be digits only ({} characters given)", value.chars().count()),
        ));
    }
    Ok(())
}

/// `value` must hold no control character (C0, DEL or C1): a NUL or an escape
/// in a message would reach the vendor and the recipient's phone. Line breaks
/// and tabs pass where `allow_line_breaks` (a message body); the position
/// named is in characters, from 1.
///
/// ```
/// use coupon_core::validate::no_control_chars;
/// assert!(no_control_chars("message", "첫 줄\n둘째 줄\t끝", true).is_ok());
/// let e = no_control_chars("title", "선물\0", false).unwrap_err();
/// assert_eq!(e.to_string(), "invalid input: `title` has a control character (U+0000) at position 3; only printable text is allowed");
/// assert!(no_control_chars("title", "a\nb", false).is_err());
/// assert!(no_control_chars("message", "a\u{85}b", true).is_err());
/// ```
pub fn no_control_chars(field: &str, value: &str, allow_line_breaks: bool) -> Result<()> {
    let allowed = |c: char| allow_line_breaks && matches!(c, '\n' | '\r' | '\t');
    match value.chars().enumerate().find(|(_, c)| c.is_control() && !allowed(*c)) {
        None => Ok(()),
        Some((i, c)) => Err(Error::invalid_field(
            field,
            format!(
                "has a control character (U+{:04X}) at position {}; {}",
                c as u32,
                i + 1,
                if allow_line_breaks {
                    "only printable text, line breaks and tabs are allowed"
                } else {
                    "only printable text is allowed"
                }
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_field_limit_and_size_but_not_the_value() {
        let e = max_cp949_bytes("co_tid", "ORDER-0123456789-0123456789-XYZ", 30).unwrap_err();
        assert_eq!(e.field(), Some("co_tid"));
        let shown = e.to_string();
        assert!(shown.contains("31 bytes") && shown.contains("limit is 30"), "{shown}");
        assert!(!shown.contains("ORDER-0123"), "{shown}");
        assert!(required("title", "  ").unwrap_err().to_string().contains("`title` is required"));
        assert!(euc_kr_encodable("content", "쿠폰 🎁").unwrap_err().to_string().contains("U+1F381 at position 4"));
        assert!(ascii_token("goods_id", "00 1").is_err());
        assert!(digits("brand_id", "12a").is_err());
        assert!(digits("brand_id", "").is_err());
        assert!(digits("brand_id", "99").is_ok());
    }
}
