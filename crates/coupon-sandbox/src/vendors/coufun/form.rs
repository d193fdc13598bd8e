//! `application/x-www-form-urlencoded` bodies, read byte by byte: whatever arrives,
//! reading never fails and never panics.

use encoding_rs::EUC_KR;

/// The decoded fields of a form body, in order.
#[derive(Debug, Default)]
pub(crate) struct Form {
    fields: Vec<(String, Vec<u8>)>,
}

impl Form {
    /// Reads a body. Names and values are percent-decoded (`+` is a space; a `%` not
    /// followed by two hex digits stays as it is); names are read as EUC-KR.
    pub(crate) fn parse(body: &[u8]) -> Self {
        let fields = body
            .split(|b| *b == b'&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = match pair.iter().position(|b| *b == b'=') {
                    Some(at) => (&pair[..at], &pair[at + 1..]),
                    None => (pair, &pair[pair.len()..]),
                };
                (decode_text(&percent_decode(name)), percent_decode(value))
            })
            .collect();
        Self { fields }
    }

    /// The first value of `name` (as a Java servlet's `getParameter` does), raw bytes.
    pub(crate) fn raw(&self, name: &str) -> Option<&[u8]> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_slice())
    }
}

/// The vendor's code page; bytes it cannot read become U+FFFD, which matches nothing.
pub(crate) fn decode_text(bytes: &[u8]) -> String {
    EUC_KR.decode_without_bom_handling(bytes).0.into_owned()
}

/// `+` is a space, then `%XY` is a byte; a `%` not followed by two hex digits stays as
/// it is (the `percent-encoding` crate's reading).
fn percent_decode(input: &[u8]) -> Vec<u8> {
    let spaced: Vec<u8> = input.iter().map(|&b| if b == b'+' { b' ' } else { b }).collect();
    percent_encoding::percent_decode(&spaced).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_the_first_value_wins() {
        let f = Form::parse(b"POC_ID=SANDBOX&GOODS_ID=CF1&GOODS_ID=CF2&BARCODE_NUM=a+b%2Bc");
        assert_eq!(f.raw("POC_ID"), Some(&b"SANDBOX"[..]));
        assert_eq!(f.raw("GOODS_ID"), Some(&b"CF1"[..]));
        assert_eq!(f.raw("BARCODE_NUM"), Some(&b"a b+c"[..]));
        assert_eq!(f.raw("MISSING"), None);
    }

    #[test]
    fn odd_bytes_never_fail() {
        for body in [&b"%"[..], b"%4", b"%zz=%", b"=&&=", b"\xff\xfe=\x80", b"a=%C4%ED%C6%F9"] {
            let _ = Form::parse(body);
        }
        let f = Form::parse(b"%C4%ED%C6%F9=1&x=%4");
        assert_eq!(f.raw("쿠폰"), Some(&b"1"[..]));
        assert_eq!(f.raw("x"), Some(&b"%4"[..]));
    }

    #[test]
    fn a_lone_percent_stays_and_what_follows_is_still_read() {
        assert_eq!(percent_decode(b"%4%41"), b"%4A");
        assert_eq!(percent_decode(b"%%41+%2B%"), b"%A +%");
        assert_eq!(percent_decode(b"%g1%fF"), b"%g1\xff");
    }
}
