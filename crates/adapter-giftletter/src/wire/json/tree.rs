//! The tree the reader builds: borrowed from the text, objects as member lists.

use std::borrow::Cow;
use std::str::FromStr;

use serde_json::Number;

/// One JSON value, borrowing from the text it was read from.
#[derive(Clone, Debug, PartialEq)]
pub enum Node<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written.
    Number(NumberText<'a>),
    /// A string: borrowed from the text, or owned when an escape had to be decoded.
    String(Cow<'a, str>),
    /// An array's elements, in order.
    Array(Vec<Node<'a>>),
    /// An object's members.
    Object(Object<'a>),
}

impl<'a> Node<'a> {
    /// The object, when this is one.
    pub fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Node::Object(o) => Some(o),
            Node::Null | Node::Bool(_) | Node::Number(_) | Node::String(_) | Node::Array(_) => None,
        }
    }

    /// The same reading as a `serde_json::Value`: every string and key copied, a
    /// repeated key resolved as [`Object::get`] resolves it. For the tests' comparisons
    /// with serde_json.
    #[cfg(test)]
    pub fn to_value(&self) -> serde_json::Value {
        use serde_json::{Map, Value};
        use std::collections::BTreeMap;
        use std::collections::btree_map::Entry;

        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            // The reader accepted only numbers serde_json reads, so `Null` cannot happen.
            Node::Number(n) => n.to_number().map_or(Value::Null, Value::Number),
            Node::String(s) => Value::String(s.to_string()),
            Node::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Node::Object(o) => {
                // The rule applied member by member (a later value replaces an empty
                // one): it picks what `Object::get` picks, and stays linear.
                let mut chosen: BTreeMap<&str, &Node<'a>> = BTreeMap::new();
                for (key, v) in &o.members {
                    match chosen.entry(key) {
                        Entry::Vacant(slot) => {
                            slot.insert(v);
                        }
                        Entry::Occupied(mut slot) if slot.get().is_empty() => {
                            slot.insert(v);
                        }
                        Entry::Occupied(_) => {}
                    }
                }
                Value::Object(chosen.into_iter().map(|(k, v)| (k.to_string(), v.to_value())).collect::<Map<_, _>>())
            }
        }
    }

    /// `null`, or a string that is empty after trimming: what a repeated key may replace.
    fn is_empty(&self) -> bool {
        match self {
            Node::Null => true,
            Node::String(s) => s.trim().is_empty(),
            Node::Bool(_) | Node::Number(_) | Node::Array(_) | Node::Object(_) => false,
        }
    }
}

/// An object's members in document order, keys trimmed, repeated keys kept.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Object<'a> {
    pub(super) members: Vec<(Cow<'a, str>, Node<'a>)>,
}

impl<'a> Object<'a> {
    /// The value of `key`: among the members with that key, the first that is not
    /// empty (`""` after trimming, or `null`); when all are empty, the last of them.
    ///
    /// Repeats are resolved here rather than while reading, so that reading stays
    /// linear however many members repeat; a lookup costs one pass over the members.
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        let mut empty = None;
        for (k, v) in &self.members {
            if k.as_ref() == key {
                if !v.is_empty() {
                    return Some(v);
                }
                empty = Some(v);
            }
        }
        empty
    }

    /// Every member as read, repeats included.
    #[cfg(test)]
    pub fn members(&self) -> &[(Cow<'a, str>, Node<'a>)] {
        &self.members
    }
}

/// A number's text, checked when read to be a JSON number that serde_json reads
/// (within `f64`'s range), and converted only when asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NumberText<'a>(pub(super) &'a str);

impl<'a> NumberText<'a> {
    /// The number as written.
    #[cfg(test)]
    pub fn as_str(&self) -> &'a str {
        self.0
    }

    /// The number as serde_json reads it. Always `Some` for a number the reader accepted.
    pub fn to_number(self) -> Option<Number> {
        Number::from_str(self.0).ok()
    }

    /// The number when it is a whole number that fits a `u64` (as [`Number::as_u64`]).
    pub fn as_u64(&self) -> Option<u64> {
        self.to_number()?.as_u64()
    }
}
