//! The vendor's drift, read with serde: the core's normalising pass over the body
//! ([`coupon_core::json`], the project's rule for keys), then `#[derive(Deserialize)]`
//! structs whose fields are the small readers below.
//!
//! Each field is one of [`Text`], [`Int`], [`Flag`], [`Time`], [`Items`], [`List`] or
//! [`One`], so a number written as a string, a boolean written `"true"` or `"Y"`, a
//! list sent as one object, all read the same.

use coupon_core::time::{KstDateTime, parse_datetime};
use serde::de::{self, Deserialize, DeserializeOwned, Deserializer};
use serde_json::Value;
use url::Url;

/// A whole number written as a JSON number (`2400`) or a string (`"2400"`, `" 2400 "`).
///
/// ```
/// use adapter_giftimbiz::wire::int;
/// use serde_json::json;
/// assert_eq!(int(&json!("940")), Some(940));
/// assert_eq!(int(&json!(33)), Some(33));
/// assert_eq!(int(&json!(33.0)), Some(33));
/// assert_eq!(int(&json!("")), None);
/// assert_eq!(int(&json!(-1)), None);
/// ```
#[doc(hidden)]
pub fn int(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64().filter(|f| f.is_finite() && *f >= 0.0 && f.fract() == 0.0 && *f < 1.8e19).map(|f| f as u64)
        }),
        Value::String(s) => {
            let t = s.trim();
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            t.parse().ok()
        }
        Value::Null | Value::Bool(_) | Value::Array(_) | Value::Object(_) => None,
    }
}

/// A boolean written as `true`, `"true"`, `"Y"`, `1` or `"1"` (and their opposites).
///
/// ```
/// use adapter_giftimbiz::wire::flag;
/// use serde_json::json;
/// assert_eq!(flag(&json!("true")), Some(true));
/// assert_eq!(flag(&json!(false)), Some(false));
/// assert_eq!(flag(&json!("N")), Some(false));
/// assert_eq!(flag(&json!("maybe")), None);
/// ```
#[doc(hidden)]
pub fn flag(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_u64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        Value::String(s) => {
            let t = s.trim();
            let is = |word: &str| t.eq_ignore_ascii_case(word);
            if is("true") || is("y") || is("1") {
                Some(true)
            } else if is("false") || is("n") || is("0") {
                Some(false)
            } else {
                None
            }
        }
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// Text written as a string or a number (ids: `"18411"` or `14560`), trimmed; empty is absent.
///
/// ```
/// use adapter_giftimbiz::wire::text;
/// use serde_json::json;
/// assert_eq!(text(&json!(" 18411 ")).as_deref(), Some("18411"));
/// assert_eq!(text(&json!(14560)).as_deref(), Some("14560"));
/// assert_eq!(text(&json!(" ")), None);
/// ```
#[doc(hidden)]
pub fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim()).filter(|t| !t.is_empty()).map(str::to_owned),
        Value::Number(n) => Some(n.to_string()),
        Value::Null | Value::Bool(_) | Value::Array(_) | Value::Object(_) => None,
    }
}

/// The base relative image paths are resolved against: `origin` with a trailing `/`,
/// so that a path prefix it has (the sandbox's `/giftimbiz`) is kept.
pub(super) fn image_base(origin: &str) -> Option<Url> {
    Url::parse(&format!("{}/", origin.trim_end_matches('/'))).ok()
}

/// An image path made absolute: `http(s)://…` kept as written, `//host/…` given
/// `https:`, `/UPLOAD/…` (or `UPLOAD/…`) joined to `base` with `Url::join` (see
/// [`image_base`]).
pub(super) fn image(path: &str, base: Option<&Url>) -> Option<String> {
    let p = path.trim();
    if p.is_empty() {
        return None;
    }
    let has_scheme =
        |scheme: &str| p.as_bytes().get(..scheme.len()).is_some_and(|s| s.eq_ignore_ascii_case(scheme.as_bytes()));
    if has_scheme("http://") || has_scheme("https://") {
        // Already absolute: kept as the vendor wrote it.
        return Some(p.to_owned());
    }
    let url = if p.starts_with("//") {
        Url::parse(&format!("https:{p}"))
    } else {
        // `./` keeps a path with a colon (`a:b.png`) from reading as a scheme.
        base?.join(&format!("./{}", p.trim_start_matches('/')))
    };
    url.ok().map(String::from)
}

/// [`image`] with the origin as text: for fuzzing.
///
/// ```
/// use adapter_giftimbiz::wire::resolve_image;
/// let o = "https://www.giftiexchange.com";
/// assert_eq!(resolve_image("/UPLOAD/a.jpg", o).unwrap(), "https://www.giftiexchange.com/UPLOAD/a.jpg");
/// assert_eq!(resolve_image("https://cdn.example/a.png", o).unwrap(), "https://cdn.example/a.png");
/// assert_eq!(resolve_image(" ", o), None);
/// ```
#[doc(hidden)]
pub fn resolve_image(path: &str, origin: &str) -> Option<String> {
    image(path, image_base(origin).as_ref())
}

// ---------------------------------------------------------------------------
// Field types of the derived structs. Each reads any JSON value and keeps what it
// can make of it, so one odd field never fails a whole answer; a field that must be
// there is checked when the typed value is built.

/// [`text`] of the value.
#[derive(Debug, Default)]
pub(super) struct Text(pub(super) Option<String>);

/// [`int`] of the value.
#[derive(Debug, Default)]
pub(super) struct Int(pub(super) Option<u64>);

/// [`flag`] of the value.
#[derive(Debug, Default)]
pub(super) struct Flag(pub(super) Option<bool>);

/// A time (`YYYY-MM-DD HH:MM:SS`, KST) written as text.
#[derive(Debug, Default)]
pub(super) struct Time(pub(super) Option<KstDateTime>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Text(match Value::deserialize(d)? {
            // Nothing to trim: the string itself is kept, not a copy.
            Value::String(s) if s.trim().len() == s.len() => Some(s).filter(|s| !s.is_empty()),
            v => text(&v),
        }))
    }
}

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Value::deserialize(d).map(|v| Int(int(&v)))
    }
}

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Value::deserialize(d).map(|v| Flag(flag(&v)))
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Time(match Value::deserialize(d)? {
            Value::String(s) => parse_datetime(&s),
            _ => None,
        }))
    }
}

/// An object read as `T`; anything else (an array would read field by field) is refused.
fn object<T: DeserializeOwned, E: de::Error>(v: Value) -> Result<T, E> {
    if !v.is_object() {
        return Err(E::custom("an item is not an object"));
    }
    T::deserialize(v).map_err(E::custom)
}

/// An array of objects; anything that is not an array reads as none.
#[derive(Debug)]
pub(super) struct Items<T>(pub(super) Vec<T>);

impl<T> Default for Items<T> {
    fn default() -> Self {
        Items(Vec::new())
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Items<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Array(items) => items.into_iter().map(object).collect::<Result<_, _>>().map(Items),
            _ => Ok(Items(Vec::new())),
        }
    }
}

/// A page's `list`: an array, or (as the document's buyGifticonList example shows)
/// one object, an empty object being none; `null` is none; anything else is refused.
#[derive(Debug)]
pub(super) struct List<T>(pub(super) Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(List(Vec::new())),
            Value::Array(items) => items.into_iter().map(object).collect::<Result<_, _>>().map(List),
            Value::Object(fields) if fields.is_empty() => Ok(List(Vec::new())),
            v @ Value::Object(_) => Ok(List(vec![object(v)?])),
            Value::Bool(_) | Value::Number(_) | Value::String(_) => Err(de::Error::custom("`list` is not an array")),
        }
    }
}

/// One object; `null` (or a missing field) is none, anything else is refused.
#[derive(Debug)]
pub(super) struct One<T>(pub(super) Option<T>);

impl<T> Default for One<T> {
    fn default() -> Self {
        One(None)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for One<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(One(None)),
            v => object(v).map(|o| One(Some(o))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_keep_absolute_addresses_and_join_relative_paths_below_the_origin() {
        let o = image_base("https://o/");
        let o = o.as_ref();
        assert_eq!(image(" HTTPS://cdn/a.png ", o).as_deref(), Some("HTTPS://cdn/a.png"));
        assert_eq!(image("//cdn/a.png", o).as_deref(), Some("https://cdn/a.png"));
        assert_eq!(image("UPLOAD/a.png", o).as_deref(), Some("https://o/UPLOAD/a.png"));
        assert_eq!(image("/UPLOAD/a.png", o).as_deref(), Some("https://o/UPLOAD/a.png"));
        assert_eq!(image("a:b.png", o).as_deref(), Some("https://o/a:b.png"));
        assert_eq!(image("사진/a.png", o).as_deref(), Some("https://o/%EC%82%AC%EC%A7%84/a.png"));
        let prefixed = image_base("http://127.0.0.1:8080/giftimbiz");
        assert_eq!(
            image("/UPLOAD/a.png", prefixed.as_ref()).as_deref(),
            Some("http://127.0.0.1:8080/giftimbiz/UPLOAD/a.png")
        );
    }
}
