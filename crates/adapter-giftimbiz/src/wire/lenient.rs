//! The lenient readers: a field in any spelling the vendor uses, over a [`Json`] tree.

use std::borrow::Cow;

use coupon_core::Won;
use coupon_core::text::trim;
use coupon_core::time::{KstDateTime, parse_datetime};

use super::tree::Json;
use super::{Parsed, malformed};

/// A whole number written as a JSON number (`2400`) or a string (`"2400"`, `" 2400 "`).
///
/// ```
/// use adapter_giftimbiz::wire::{Json, int};
/// let read = |json: &str| int(&serde_json::from_str::<Json>(json).unwrap());
/// assert_eq!(read(r#""940""#), Some(940));
/// assert_eq!(read("33"), Some(33));
/// assert_eq!(read("33.0"), Some(33));
/// assert_eq!(read(r#""""#), None);
/// assert_eq!(read("-1"), None);
/// ```
pub fn int(v: &Json<'_>) -> Option<u64> {
    match v {
        Json::Number(n) => n.as_u64().or_else(|| {
            n.as_f64().filter(|f| f.is_finite() && *f >= 0.0 && f.fract() == 0.0 && *f < 1.8e19).map(|f| f as u64)
        }),
        Json::Str(s) => {
            let t = trim(s);
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            t.parse().ok()
        }
        Json::Null | Json::Bool(_) | Json::Array(_) | Json::Object(_) => None,
    }
}

/// A boolean written as `true`, `"true"`, `"Y"`, `1` or `"1"` (and their opposites).
///
/// ```
/// use adapter_giftimbiz::wire::{Json, flag};
/// let read = |json: &str| flag(&serde_json::from_str::<Json>(json).unwrap());
/// assert_eq!(read(r#""true""#), Some(true));
/// assert_eq!(read("false"), Some(false));
/// assert_eq!(read(r#""N""#), Some(false));
/// assert_eq!(read(r#""maybe""#), None);
/// ```
pub fn flag(v: &Json<'_>) -> Option<bool> {
    match v {
        Json::Bool(b) => Some(*b),
        Json::Number(n) => match n.as_u64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        Json::Str(s) => {
            let t = trim(s);
            let is = |word: &str| t.eq_ignore_ascii_case(word);
            if is("true") || is("y") || is("1") {
                Some(true)
            } else if is("false") || is("n") || is("0") {
                Some(false)
            } else {
                None
            }
        }
        Json::Null | Json::Array(_) | Json::Object(_) => None,
    }
}

/// Text written as a string or a number (ids: `"18411"` or `14560`); empty is absent.
///
/// ```
/// use adapter_giftimbiz::wire::{Json, text};
/// let read = |json: &str| text(&serde_json::from_str::<Json>(json).unwrap());
/// assert_eq!(read(r#"" 18411 ""#).as_deref(), Some("18411"));
/// assert_eq!(read("14560").as_deref(), Some("14560"));
/// assert_eq!(read(r#"" ""#), None);
/// ```
pub fn text(v: &Json<'_>) -> Option<String> {
    text_ref(v).map(Cow::into_owned)
}

/// [`text`] without a copy when the value is a string: for readers that keep only
/// something derived from it (a time, an absolute image address).
fn text_ref<'v>(v: &'v Json<'_>) -> Option<Cow<'v, str>> {
    match v {
        Json::Str(s) => Some(trim(s)).filter(|t| !t.is_empty()).map(Cow::Borrowed),
        Json::Number(n) => Some(Cow::Owned(n.to_string())),
        Json::Null | Json::Bool(_) | Json::Array(_) | Json::Object(_) => None,
    }
}

/// An image path made absolute: `http(s)://…` kept, `//host/…` given `https:`,
/// `/UPLOAD/…` (or `UPLOAD/…`) joined to `origin`.
///
/// ```
/// use adapter_giftimbiz::wire::resolve_image;
/// let o = "https://www.giftiexchange.com";
/// assert_eq!(resolve_image("/UPLOAD/a.jpg", o).unwrap(), "https://www.giftiexchange.com/UPLOAD/a.jpg");
/// assert_eq!(resolve_image("https://cdn.example/a.png", o).unwrap(), "https://cdn.example/a.png");
/// assert_eq!(resolve_image(" ", o), None);
/// ```
pub fn resolve_image(path: &str, origin: &str) -> Option<String> {
    let p = trim(path);
    if p.is_empty() {
        return None;
    }
    let has_scheme =
        |scheme: &str| p.as_bytes().get(..scheme.len()).is_some_and(|s| s.eq_ignore_ascii_case(scheme.as_bytes()));
    if has_scheme("http://") || has_scheme("https://") {
        return Some(p.to_string());
    }
    if let Some(rest) = p.strip_prefix("//") {
        return Some(joined(&["https://", rest]));
    }
    let origin = origin.trim_end_matches('/');
    Some(if p.starts_with('/') { joined(&[origin, p]) } else { joined(&[origin, "/", p]) })
}

/// The parts one after the other, in a string allocated once at its final size.
fn joined(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// A field of an object, by exact key or, failing that, ignoring ASCII case and spaces
/// (the document writes `Totalbuyprice` and `Brand` where the examples differ).
///
/// A repeated key reads as its last value, as serde_json's map keeps it. Of several
/// spellings that differ in case or spaces, the first in the document is taken.
pub(super) fn field<'m, 'a>(members: &'m [(Cow<'a, str>, Json<'a>)], key: &str) -> Option<&'m Json<'a>> {
    let last_of = |exact: &str| members.iter().rev().find(|(k, _)| **k == *exact).map(|(_, v)| v);
    last_of(key).or_else(|| {
        let (spelled, _) = members.iter().find(|(k, _)| trim(k).eq_ignore_ascii_case(key))?;
        last_of(spelled)
    })
}

/// A view of one object with the lenient readers.
pub(super) struct Obj<'a> {
    pub(super) members: &'a [(Cow<'a, str>, Json<'a>)],
    pub(super) origin: &'a str,
}

impl<'a> Obj<'a> {
    pub(super) fn new(v: &'a Json<'a>, origin: &'a str, what: &str) -> Parsed<Self> {
        v.as_object()
            .map(|members| Self { members, origin })
            .ok_or_else(|| malformed(format!("{what} is not an object")))
    }
    pub(super) fn get(&self, key: &str) -> Option<&'a Json<'a>> {
        field(self.members, key)
    }
    pub(super) fn text(&self, key: &str) -> Option<String> {
        self.get(key).and_then(text)
    }
    pub(super) fn id(&self, key: &str) -> Parsed<String> {
        self.text(key).ok_or_else(|| malformed(format!("`{key}` is missing")))
    }
    pub(super) fn int(&self, key: &str) -> Option<u64> {
        self.get(key).and_then(int)
    }
    pub(super) fn won(&self, key: &str) -> Option<Won> {
        self.int(key).map(Won)
    }
    pub(super) fn flag(&self, key: &str) -> Option<bool> {
        self.get(key).and_then(flag)
    }
    pub(super) fn time(&self, key: &str) -> Option<KstDateTime> {
        self.get(key).and_then(text_ref).and_then(|t| parse_datetime(&t))
    }
    pub(super) fn image(&self, key: &str) -> Option<String> {
        self.get(key).and_then(text_ref).and_then(|p| resolve_image(&p, self.origin))
    }
    pub(super) fn list(&self, key: &str) -> &'a [Json<'a>] {
        self.get(key).and_then(Json::as_array).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(json: &str) -> Vec<(Cow<'_, str>, Json<'_>)> {
        match serde_json::from_str(json).unwrap() {
            Json::Object(m) => m,
            other => panic!("not an object: {other:?}"),
        }
    }

    #[test]
    fn an_exact_key_wins_over_other_spellings_and_a_repeated_key_reads_its_last_value() {
        let m = members(r#"{" Brand ": "x", "brand": "first", "brand": "last"}"#);
        assert_eq!(field(&m, "brand").and_then(text).as_deref(), Some("last"));
        assert_eq!(field(&m, "BRAND").and_then(text).as_deref(), Some("x"));
    }

    #[test]
    fn the_fallback_ignores_case_and_surrounding_spaces_and_reads_the_last_of_its_spelling() {
        let m = members(r#"{"Totalbuyprice ": 1, "TOTALBUYPRICE": 2, "Totalbuyprice ": 3}"#);
        assert_eq!(field(&m, "totalbuyprice").and_then(int), Some(3));
        assert_eq!(field(&m, "missing"), None);
    }

    #[test]
    fn images_keep_any_scheme_case_and_join_relative_paths_once() {
        let o = "https://o/";
        assert_eq!(resolve_image(" HTTPS://cdn/a.png ", o).as_deref(), Some("HTTPS://cdn/a.png"));
        assert_eq!(resolve_image("Http://cdn/a.png", o).as_deref(), Some("Http://cdn/a.png"));
        assert_eq!(resolve_image("//cdn/a.png", o).as_deref(), Some("https://cdn/a.png"));
        assert_eq!(resolve_image("UPLOAD/a.png", o).as_deref(), Some("https://o/UPLOAD/a.png"));
        assert_eq!(resolve_image("/UPLOAD/a.png", o).as_deref(), Some("https://o/UPLOAD/a.png"));
        assert_eq!(resolve_image("http:/", o).as_deref(), Some("https://o/http:/"));
        assert_eq!(resolve_image("사진/a.png", o).as_deref(), Some("https://o/사진/a.png"));
    }
}
