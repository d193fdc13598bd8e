//! Korean text on the wire: EUC-KR/CP949 encoding, strict decoding, byte lengths.
//!
//! The vendors count field limits in bytes of their code page (CP949, which
//! `encoding_rs` calls EUC-KR): a Hangul syllable is 2 bytes. Decoding is
//! strict everywhere: a malformed byte sequence is an error, never U+FFFD.

use std::borrow::Cow;

use encoding_rs::{EUC_KR, Encoding, UTF_8};

/// The number of bytes `s` takes in CP949: 1 for ASCII, 2 for anything else.
///
/// Every non-ASCII character CP949 holds is 2 bytes; a character it cannot hold
/// also counts 2 here (encoding it is refused separately by [`encode_euc_kr`]).
///
/// ```
/// use coupon_core::text::cp949_len;
/// assert_eq!(cp949_len("GS25"), 4);
/// assert_eq!(cp949_len("모바일상품권"), 12);
/// assert_eq!(cp949_len("[GS25] 1만원"), 12);
/// ```
pub fn cp949_len(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// A character the target code page cannot hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("character {ch:?} (U+{code:04X}) at position {position} cannot be written in EUC-KR", code = *ch as u32)]
pub struct Unencodable {
    /// The character.
    pub ch: char,
    /// Its position in characters, from 1.
    pub position: usize,
}

/// Encodes to EUC-KR (CP949) strictly: a character it cannot hold is an error,
/// not an `&#…;` reference.
///
/// ```
/// use coupon_core::text::encode_euc_kr;
/// assert_eq!(encode_euc_kr("가A").unwrap().as_ref(), &[0xB0, 0xA1, b'A']);
/// assert_eq!(encode_euc_kr("커피☕").unwrap_err().position, 3);
/// ```
pub fn encode_euc_kr(s: &str) -> Result<Cow<'_, [u8]>, Unencodable> {
    if s.is_ascii() {
        return Ok(Cow::Borrowed(s.as_bytes()));
    }
    let (bytes, _, had_errors) = EUC_KR.encode(s);
    if !had_errors {
        return Ok(bytes);
    }
    // Find the first culprit for a useful message.
    let mut buf = [0u8; 4];
    for (i, ch) in s.chars().enumerate() {
        let (_, _, bad) = EUC_KR.encode(ch.encode_utf8(&mut buf));
        if bad {
            return Err(Unencodable { ch, position: i + 1 });
        }
    }
    // encode() reported an error but no single character fails: cannot happen for a stateless encoding.
    Err(Unencodable { ch: '\u{FFFD}', position: 0 })
}

/// The first character of `s` EUC-KR cannot hold, if any.
pub fn first_unencodable_euc_kr(s: &str) -> Option<Unencodable> {
    encode_euc_kr(s).err()
}

/// Bytes that are not valid in the encoding they were read as.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the body is not valid {encoding}: malformed byte sequence at byte {offset}")]
pub struct Malformed {
    /// The encoding's name.
    pub encoding: &'static str,
    /// The byte offset of the first bad sequence (approximate within one sequence).
    pub offset: usize,
}

/// Decodes strictly: any malformed sequence is an error. A UTF-8 byte order mark is dropped.
///
/// ```
/// use coupon_core::text::decode_strict;
/// use encoding_rs::EUC_KR;
/// assert_eq!(decode_strict(&[0xB0, 0xA1], EUC_KR).unwrap(), "가");
/// assert!(decode_strict(&[0xB0], EUC_KR).is_err());
/// ```
pub fn decode_strict(bytes: &[u8], encoding: &'static Encoding) -> Result<String, Malformed> {
    if encoding == UTF_8 {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        return std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|e| Malformed { encoding: "UTF-8", offset: e.valid_up_to() });
    }
    if encoding.is_ascii_compatible() && bytes.is_ascii() {
        // Every ASCII-compatible encoding reads ASCII as itself.
        return Ok(String::from_utf8_lossy(bytes).into_owned());
    }
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(bytes.len() * 3 / 2 + 16);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        encoding_rs::DecoderResult::InputEmpty => Ok(out),
        encoding_rs::DecoderResult::Malformed(bad, consumed_after) => {
            let offset = read.saturating_sub(bad as usize + consumed_after as usize);
            Err(Malformed { encoding: encoding.name(), offset })
        }
        encoding_rs::DecoderResult::OutputFull => {
            // `out` was reserved with decode's worst case; grow and finish the slow way.
            encoding
                .decode_without_bom_handling_and_without_replacement(bytes)
                .map(Cow::into_owned)
                .ok_or(Malformed { encoding: encoding.name(), offset: 0 })
        }
    }
}

/// The encoding for a charset label, as HTTP and XML spell them
/// (`utf-8`, `euc-kr`, `ks_c_5601-1987`, `cp949`, `windows-949`, …).
///
/// ```
/// use coupon_core::text::encoding_for_label;
/// assert_eq!(encoding_for_label("ks_c_5601-1987"), Some(encoding_rs::EUC_KR));
/// assert_eq!(encoding_for_label(" CP949 "), Some(encoding_rs::EUC_KR));
/// assert_eq!(encoding_for_label("klingon"), None);
/// ```
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    let label = label.trim().trim_matches(|c| c == '"' || c == '\'');
    if label.eq_ignore_ascii_case("cp949") || label.eq_ignore_ascii_case("ms949") || label.eq_ignore_ascii_case("uhc") {
        return Some(EUC_KR);
    }
    Encoding::for_label(label.as_bytes())
}

/// The `charset` parameter of a `Content-Type` value.
///
/// ```
/// use coupon_core::text::charset_of_content_type;
/// assert_eq!(charset_of_content_type("text/xml; charset=EUC-KR"), Some("EUC-KR"));
/// assert_eq!(charset_of_content_type("application/json"), None);
/// ```
pub fn charset_of_content_type(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim().eq_ignore_ascii_case("charset").then(|| value.trim().trim_matches('"'))
    })
}

/// The `encoding` named by an XML declaration at the start of `bytes`, if any.
///
/// ```
/// use coupon_core::text::xml_declared_encoding;
/// assert_eq!(xml_declared_encoding(br#"<?xml version="1.0" encoding="EUC-KR"?><a/>"#), Some("EUC-KR"));
/// assert_eq!(xml_declared_encoding(b"<a/>"), None);
/// ```
pub fn xml_declared_encoding(bytes: &[u8]) -> Option<&str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let head = &bytes[..bytes.len().min(256)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&head[..end]).ok()?;
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..].trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    value.find(quote).map(|close| &value[..close])
}

/// Decodes by trying each candidate strictly, in order; the first that reads
/// the bytes without error wins. For bodies whose charset is not labelled.
pub fn decode_sniffed(
    bytes: &[u8],
    candidates: &[&'static Encoding],
) -> Result<(String, &'static Encoding), Malformed> {
    let mut last = Malformed { encoding: "no candidate", offset: 0 };
    for enc in candidates {
        match decode_strict(bytes, enc) {
            Ok(s) => return Ok((s, enc)),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// `application/x-www-form-urlencoded` pairs in the given encoding (UTF-8 or
/// EUC-KR), strictly: a character the encoding cannot hold is an error.
///
/// ```
/// use coupon_core::text::form_urlencode;
/// let q = form_urlencode([("title", "선물"), ("cid", "a b")], encoding_rs::EUC_KR).unwrap();
/// assert_eq!(q, "title=%BC%B1%B9%B0&cid=a+b");
/// let q = form_urlencode([("title", "선물")], encoding_rs::UTF_8).unwrap();
/// assert_eq!(q, "title=%EC%84%A0%EB%AC%BC");
/// ```
pub fn form_urlencode<'a, I>(pairs: I, encoding: &'static Encoding) -> Result<String, (&'a str, Unencodable)>
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut out = String::new();
    for (key, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        let bytes: Cow<'_, [u8]> = if encoding == UTF_8 {
            Cow::Borrowed(value.as_bytes())
        } else {
            encode_euc_kr(value).map_err(|e| (key, e))?
        };
        out.extend(form_urlencoded::byte_serialize(key.as_bytes()));
        out.push('=');
        out.extend(form_urlencoded::byte_serialize(&bytes));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cp949_length_counts_hangul_as_two() {
        assert_eq!(cp949_len(""), 0);
        assert_eq!(cp949_len("가"), 2);
        assert_eq!(cp949_len("가나다라마바사아자차카타파하가나다라마바"), 40);
        assert_eq!(cp949_len("😀"), 2);
        for s in ["GS25 모바일상품권 1만원", "스타벅스 아메리카노 Tall", "똠얌꿍"] {
            assert_eq!(cp949_len(s), encode_euc_kr(s).unwrap().len(), "{s}");
        }
    }

    #[test]
    fn strict_decode_of_euc_kr_with_and_without_labels() {
        let bytes = encode_euc_kr("광주영주|금정이마트").unwrap().into_owned();
        for label in ["euc-kr", "EUC-KR", "ks_c_5601-1987", "cp949", "windows-949"] {
            let enc = encoding_for_label(label).unwrap_or_else(|| panic!("{label}"));
            assert_eq!(decode_strict(&bytes, enc).unwrap(), "광주영주|금정이마트");
        }
        // Without a label: strict UTF-8 fails on EUC-KR bytes, then EUC-KR reads them.
        let (text, enc) = decode_sniffed(&bytes, &[UTF_8, EUC_KR]).unwrap();
        assert_eq!((text.as_str(), enc), ("광주영주|금정이마트", EUC_KR));
        // UTF-8 bytes stay UTF-8 when sniffed in that order.
        let (text, enc) = decode_sniffed("전북대".as_bytes(), &[UTF_8, EUC_KR]).unwrap();
        assert_eq!((text.as_str(), enc), ("전북대", UTF_8));
    }

    #[test]
    fn malformed_bytes_are_errors_never_replacement_characters() {
        let e = decode_strict(b"ok\xB0", EUC_KR).unwrap_err();
        assert_eq!(e, Malformed { encoding: "EUC-KR", offset: 2 });
        assert!(decode_strict(b"\xFF\xFE", EUC_KR).is_err());
        let e = decode_strict(b"ab\xC3(", UTF_8).unwrap_err();
        assert_eq!(e.offset, 2);
        assert_eq!(decode_strict(b"\xEF\xBB\xBFhi", UTF_8).unwrap(), "hi");
    }

    #[test]
    fn euc_kr_encoding_is_strict() {
        assert_eq!(encode_euc_kr("abc").unwrap().as_ref(), b"abc");
        let e = encode_euc_kr("쿠폰 🎁").unwrap_err();
        assert_eq!((e.ch, e.position), ('🎁', 4));
        assert!(e.to_string().contains("U+1F381"), "{e}");
        let e = form_urlencode([("msg", "감사 🎁")], EUC_KR).unwrap_err();
        assert_eq!(e.0, "msg");
    }

    proptest::proptest! {
        #[test]
        fn decoding_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            let _ = decode_strict(&bytes, EUC_KR);
            let _ = decode_strict(&bytes, UTF_8);
            let _ = xml_declared_encoding(&bytes);
        }

        #[test]
        fn euc_kr_round_trips_whatever_it_can_encode(s in "\\PC{0,30}") {
            if let Ok(bytes) = encode_euc_kr(&s) {
                proptest::prop_assert_eq!(decode_strict(&bytes, EUC_KR).unwrap(), s.clone());
                proptest::prop_assert_eq!(bytes.len(), cp949_len(&s));
            }
        }
    }
}
