//! Reading a Giftletter query string as the vendor's server would: percent-decoded
//! bytes, then text in UTF-8 when the bytes are valid UTF-8, else EUC-KR (CP949),
//! since partners send either.

use std::collections::HashMap;

use encoding_rs::EUC_KR;

/// The parameters of one request; the first of a repeated name wins.
#[derive(Debug, Default)]
pub(crate) struct Params {
    values: HashMap<String, String>,
}

/// A value whose bytes are neither UTF-8 nor EUC-KR.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Undecodable(pub(crate) String);

impl Params {
    /// Parses a raw query (without `?`). A name or value that cannot be read as text
    /// is an error naming the parameter.
    pub(crate) fn parse(raw: Option<&str>) -> Result<Self, Undecodable> {
        let mut values = HashMap::new();
        for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode(name).map_err(|()| Undecodable(String::from_utf8_lossy(name.as_bytes()).into_owned()))?;
            let value = decode(value).map_err(|()| Undecodable(name.clone()))?;
            values.entry(name).or_insert(value);
        }
        Ok(Self { values })
    }

    /// A parameter, trimmed; `None` when absent or blank.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// Every named parameter present and not blank.
    pub(crate) fn has_all(&self, names: &[&str]) -> bool {
        names.iter().all(|n| self.get(n).is_some())
    }
}

/// `+` is a space, then `%XY` is a byte; a `%` not followed by two hex digits stays as
/// is (the `percent-encoding` crate's reading).
fn percent_decode(s: &str) -> Vec<u8> {
    let spaced: Vec<u8> = s.bytes().map(|b| if b == b'+' { b' ' } else { b }).collect();
    percent_encoding::percent_decode(&spaced).collect()
}

fn decode(s: &str) -> Result<String, ()> {
    let bytes = percent_decode(s);
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => {
            EUC_KR.decode_without_bom_handling_and_without_replacement(e.as_bytes()).map(|c| c.into_owned()).ok_or(())
        }
    }
}

/// Bytes in CP949, the vendor's column unit: what EUC-KR takes, or 2 per non-ASCII
/// character EUC-KR cannot hold.
pub(crate) fn cp949_bytes(s: &str) -> usize {
    let (bytes, _, had_errors) = EUC_KR.encode(s);
    if had_errors { s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum() } else { bytes.len() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_utf8_and_euc_kr_alike() {
        let p = Params::parse(Some("title=%EC%84%A0%EB%AC%BC&content=%BC%B1%B9%B0&a=b+c&a=second")).unwrap();
        assert_eq!(p.get("title"), Some("선물"));
        assert_eq!(p.get("content"), Some("선물"));
        assert_eq!(p.get("a"), Some("b c"), "the first of a repeated name wins");
        assert_eq!(p.get("missing"), None);
    }

    #[test]
    fn odd_input_never_panics() {
        for raw in ["%", "%4", "%zz=1", "=", "&&&", "a=%FF%FE%FD", "%E2%82=1", "a==b", "%ED%95%9C%"] {
            let _ = Params::parse(Some(raw));
        }
        assert!(Params::parse(Some("x=%FF%FF")).is_err());
        assert_eq!(Params::parse(Some("x=100%")).unwrap().get("x"), Some("100%"));
        assert_eq!(Params::parse(None).unwrap().get("x"), None);
    }

    #[test]
    fn byte_lengths_are_cp949() {
        assert_eq!(cp949_bytes("GS25 상품권"), 11);
        assert_eq!(cp949_bytes("🎁a"), 3);
    }
}
