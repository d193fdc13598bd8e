//! A forgiving JSON reader for Giftletter's hand-made answers.
//!
//! The vendor's examples are not always JSON: the `ReSendSMS` failure example
//! lacks a comma between members, the `getGoodsInfo` example repeats a key, and
//! keys carry stray spaces (`"IMG_URL "`). This reader accepts every JSON text,
//! and also: a missing comma between members or elements, a trailing comma, raw
//! control characters inside strings, a BOM where whitespace is allowed. Object
//! keys are trimmed; a repeated key keeps its first value that is not empty (`""`
//! after trimming, or `null`). Nesting is capped, so no input can exhaust the stack.
//!
//! The result is a [`Node`] tree borrowed from the text: strings without escapes,
//! keys and numbers are slices of it, so reading allocates little more than one
//! list per object and array; callers copy out only the fields they keep.
//! [`Node::to_value`] gives the `serde_json::Value` of the same reading.
//!
//! ```
//! use adapter_giftletter::wire::json::{parse, Node};
//! let answer = parse(r#"{"rstCode": "", "rstCode": "0" "IMG_URL ": "http://x/1.jpg",}"#).unwrap();
//! let fields = answer.as_object().unwrap();
//! assert!(matches!(fields.get("rstCode"), Some(Node::String(code)) if code == "0"));
//! assert!(fields.get("IMG_URL").is_some());
//! ```

mod read;
mod tree;

pub use tree::{Node, NumberText, Object};

/// Why a text could not be read, with the byte offset where reading stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset in the text.
    pub offset: usize,
    /// What was expected or found.
    pub what: &'static str,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "not readable as JSON at byte {}: {}", self.offset, self.what)
    }
}

/// Reads one value (surrounding whitespace allowed; anything after it is an error).
pub fn parse(text: &str) -> Result<Node<'_>, JsonError> {
    read::Reader::new(text).document()
}

#[cfg(test)]
mod tests;
