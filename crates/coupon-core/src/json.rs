//! The project's one rule for the keys of a JSON answer, for every adapter whose
//! answers are JSON and valid enough for serde_json.
//!
//! **Keys are matched after trimming surrounding whitespace** (`"goodsName "` is
//! `goodsName`); **when a key repeats in one object, the first non-empty value wins**
//! (empty: `null`, or a string that is blank after trimming), and if every value is
//! empty the last one is kept. Key case is not folded.
//!
//! serde_json's own `Value` cannot apply the rule: its map collapses a repeated key
//! while parsing, keeping the last value, before any reader could see the others.
//! [`Normalized`] is read with serde_json (strict JSON, its recursion limit) by a
//! visitor that sees every member as it comes and applies the rule there, so an
//! adapter reads the result with plain `Map::get` or `#[derive(Deserialize)]`.
//!
//! ```
//! use serde_json::json;
//! let v = coupon_core::json::from_str(r#"{"goodsName ": "", "goodsName": "아메리카노", "goodsName": "x"}"#).unwrap();
//! assert_eq!(v, json!({"goodsName": "아메리카노"}));
//! ```

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Number, Value};

/// A JSON document with every object's keys trimmed and repeated keys merged by the
/// rule of this module. Deserialize it from a body (`serde_json::from_slice::<Normalized>`),
/// or use [`from_slice`] and [`from_str`].
#[derive(Clone, Debug, PartialEq)]
pub struct Normalized(pub Value);

/// Reads `bytes` (UTF-8 JSON) by the rule of this module.
pub fn from_slice(bytes: &[u8]) -> serde_json::Result<Value> {
    serde_json::from_slice::<Normalized>(bytes).map(|Normalized(v)| v)
}

/// Reads `text` by the rule of this module.
pub fn from_str(text: &str) -> serde_json::Result<Value> {
    serde_json::from_str::<Normalized>(text).map(|Normalized(v)| v)
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_trimmed_and_a_repeated_key_keeps_its_first_non_empty_value() {
        let v = from_str(r#"{" brand ": "", "brand": "first", "brand ": "second", "x": {" y": 1}}"#).unwrap();
        assert_eq!(v, json!({"brand": "first", "x": {"y": 1}}));
    }

    #[test]
    fn when_every_value_of_a_repeated_key_is_empty_the_last_is_kept() {
        let v = from_str(r#"{"a": "", "a": null, "a": " ", "b": null, "b": ""}"#).unwrap();
        assert_eq!(v, json!({"a": " ", "b": ""}));
    }

    #[test]
    fn a_later_value_never_replaces_a_non_empty_one_of_any_type() {
        let v = from_str(r#"{"a": 0, "a": "1", "b": false, "b": true, "c": [], "c": [1]}"#).unwrap();
        assert_eq!(v, json!({"a": 0, "b": false, "c": []}));
    }

    #[test]
    fn arrays_and_nested_objects_follow_the_rule_too() {
        let v = from_slice(br#"[{"k ": null, "k": 2}, {"o": {"p": "", "p": "q"}}]"#).unwrap();
        assert_eq!(v, json!([{"k": 2}, {"o": {"p": "q"}}]));
    }

    #[test]
    fn the_recursion_limit_still_holds() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(from_str(&deep).is_err());
    }
}
