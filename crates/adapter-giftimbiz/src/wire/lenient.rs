//! The vendor's drift, read with serde: one normalising pass over the body, then
//! `#[derive(Deserialize)]` structs whose fields are the small readers below.
//!
//! [`Normalized`] reads the body with serde_json into a `serde_json::Value`, applying
//! the project's rule for keys as it goes: **keys are matched after trimming
//! surrounding whitespace; when a key repeats in one object, the first non-empty
//! value wins (empty: `null`, or a string that is blank after trimming), and if every
//! value is empty the last one is kept.** The typed structs then read that value with
//! `serde_json::from_value`; each field is one of [`Text`], [`Int`], [`Flag`], [`Time`],
//! [`Items`], [`List`] or [`One`], so a number written as a string, a boolean written
//! `"true"` or `"Y"`, a list sent as one object, all read the same.

use coupon_core::time::{KstDateTime, parse_datetime};
use serde::de::{self, Deserialize, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Number, Value};
use url::Url;

/// A JSON document with every object's keys trimmed and repeated keys merged by the
/// module's rule. serde_json reads the bytes (strict JSON, its recursion limit).
pub(super) struct Normalized(pub(super) Value);

impl<'de> Deserialize<'de> for Normalized {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NormalizedVisitor).map(Normalized)
    }
}

struct NormalizedVisitor;

impl<'de> Visitor<'de> for NormalizedVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(Number::from_f64(f).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Normalized(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let Normalized(value) = map.next_value()?;
            let key = if key.trim().len() == key.len() { key } else { key.trim().to_owned() };
            match members.entry(key) {
                Entry::Vacant(slot) => {
                    slot.insert(value);
                }
                Entry::Occupied(mut slot) if is_empty(slot.get()) => {
                    slot.insert(value);
                }
                Entry::Occupied(_) => {}
            }
        }
        Ok(Value::Object(members))
    }
}

/// What a repeated key's later value may replace: `null`, or a blank string.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Bool(_) | Value::Number(_) | Value::Array(_) | Value::Object(_) => false,
    }
}

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

    fn normalized(json: &str) -> Value {
        serde_json::from_str::<Normalized>(json).unwrap().0
    }

    #[test]
    fn keys_are_trimmed_and_a_repeated_key_keeps_its_first_non_empty_value() {
        let v = normalized(r#"{" brand ": "", "brand": "first", "brand ": "second", "x": {" y": 1}}"#);
        assert_eq!(v, serde_json::json!({"brand": "first", "x": {"y": 1}}));
    }

    #[test]
    fn when_every_value_of_a_repeated_key_is_empty_the_last_is_kept() {
        let v = normalized(r#"{"a": "", "a": null, "a": " ", "b": null, "b": ""}"#);
        assert_eq!(v, serde_json::json!({"a": " ", "b": ""}));
    }

    #[test]
    fn a_later_value_never_replaces_a_non_empty_one_of_any_type() {
        let v = normalized(r#"{"a": 0, "a": "1", "b": false, "b": true, "c": [], "c": [1]}"#);
        assert_eq!(v, serde_json::json!({"a": 0, "b": false, "c": []}));
    }

    #[test]
    fn the_recursion_limit_still_holds() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(serde_json::from_str::<Normalized>(&deep).is_err());
    }

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
