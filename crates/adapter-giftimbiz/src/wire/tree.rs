//! A JSON document as a tree that borrows from the body it was read from.
//!
//! `serde_json::Value` allocates every key, every string and a map node per object,
//! then the typed parsers copy the few fields they keep: most of that work is thrown
//! away. [`Json`] keeps strings without escapes as slices of the body and objects as
//! their members in document order, so reading an answer allocates only the
//! containers. serde_json still reads the bytes (strict JSON, its recursion limit).

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// The members of a JSON object in document order, repeated keys included.
pub type Members<'a> = Vec<(Cow<'a, str>, Json<'a>)>;

/// One JSON value, borrowing its strings from the body where it can.
///
/// Read it with `serde_json::from_slice` (or `from_str`); the lenient readers
/// ([`int`](super::int), [`flag`](super::flag), [`text`](super::text)) take it.
///
/// ```
/// use adapter_giftimbiz::wire::Json;
/// let v: Json = serde_json::from_str(r#"{"md_idx": "18411", "price": 2400}"#).unwrap();
/// assert_eq!(v.to_value(), serde_json::json!({"md_idx": "18411", "price": 2400}));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as serde_json reads it (an integer stays exact).
    Number(Number),
    /// A string: borrowed from the body unless it had escapes to undo.
    Str(Cow<'a, str>),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object, its members in document order.
    Object(Members<'a>),
}

impl<'a> Json<'a> {
    /// Reads a JSON document; exactly the bytes `serde_json::from_slice` accepts, with
    /// its error when they are not JSON.
    ///
    /// ```
    /// use adapter_giftimbiz::wire::Json;
    /// assert_eq!(Json::parse(b"[1, \"a\"]").unwrap().to_value(), serde_json::json!([1, "a"]));
    /// assert!(Json::parse(b"{\"a\": \"\xFF\"}").is_err());
    /// ```
    pub fn parse(body: &'a [u8]) -> Result<Json<'a>, serde_json::Error> {
        // One UTF-8 check of the whole body is cheaper than serde_json's check of each
        // string it borrows. Bytes that are not UTF-8 are never JSON: serde_json is
        // then asked again only for its own description of the fault.
        match std::str::from_utf8(body) {
            Ok(text) => serde_json::from_str(text),
            Err(_) => serde_json::from_slice(body),
        }
    }

    /// The members, when this is an object.
    pub fn as_object(&self) -> Option<&[(Cow<'a, str>, Json<'a>)]> {
        match self {
            Json::Object(members) => Some(members),
            Json::Null | Json::Bool(_) | Json::Number(_) | Json::Str(_) | Json::Array(_) => None,
        }
    }

    /// The items, when this is an array.
    pub fn as_array(&self) -> Option<&[Json<'a>]> {
        match self {
            Json::Array(items) => Some(items),
            Json::Null | Json::Bool(_) | Json::Number(_) | Json::Str(_) | Json::Object(_) => None,
        }
    }

    /// The same document as a `serde_json::Value`: a repeated key keeps its last value,
    /// as serde_json's own reading does.
    pub fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.clone()),
            Json::Str(s) => Value::String(s.to_string()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(members) => {
                let mut map = Map::new();
                for (k, v) in members {
                    map.insert(k.to_string(), v.to_value());
                }
                Value::Object(map)
            }
        }
    }
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // serde_json's own wording, so a rejected body is described as before.
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_f64<E>(self, f: f64) -> Result<Json<'de>, E> {
        // What serde_json's Value does with a float it cannot hold.
        Ok(Number::from_f64(f).map_or(Json::Null, Json::Number))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Owned(s.to_owned())))
    }

    fn visit_string<E>(self, s: String) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Owned(s)))
    }

    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json<'de>, D::Error> {
        Json::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        // An empty object costs nothing, as in serde_json's map. Any other is most
        // likely an item of about 15 fields: one allocation for it instead of growing
        // through 4 and 8 (a one-field object costs about what a map's first node does).
        let Some(Key(first)) = map.next_key()? else {
            return Ok(Json::Object(Vec::new()));
        };
        let mut members = Vec::with_capacity(16);
        members.push((first, map.next_value()?));
        while let Some(Key(key)) = map.next_key()? {
            members.push((key, map.next_value()?));
        }
        Ok(Json::Object(members))
    }
}

/// An object key, borrowed like a string value (serde's own `Cow` always copies).
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(s.to_owned())))
    }

    fn visit_string<E>(self, s: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_without_escapes_are_borrowed_and_with_escapes_are_copied() {
        let v: Json = serde_json::from_str(r#"{"plain": "a b", "esc\u0061ped": "x\"y", "list": ["z"]}"#).unwrap();
        let members = v.as_object().unwrap();
        assert!(matches!(&members[0], (Cow::Borrowed("plain"), Json::Str(Cow::Borrowed("a b")))));
        assert!(matches!(&members[1], (Cow::Owned(k), Json::Str(Cow::Owned(s))) if k == "escaped" && s == "x\"y"));
        assert!(matches!(members[2].1.as_array(), Some([Json::Str(Cow::Borrowed("z"))])));
    }

    #[test]
    fn repeated_keys_are_all_kept_in_order_and_the_value_keeps_the_last() {
        let v: Json = serde_json::from_str(r#"{"a": 1, "b": 2, "a": 3}"#).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().iter().map(|(k, _)| &**k).collect();
        assert_eq!(keys, ["a", "b", "a"]);
        assert_eq!(v.to_value(), serde_json::json!({"a": 3, "b": 2}));
    }

    #[test]
    fn the_recursion_limit_still_holds() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(serde_json::from_str::<Json>(&deep).is_err());
    }
}
