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
//! **Repeated JSON keys** (the rule of every wire module of the project): keys are
//! matched after trimming surrounding whitespace; when a key repeats in one object,
//! the first non-empty value wins, and if every value is empty the last one is kept
//! ([`Object::get`]).
//!
//! Why a reader of our own rather than serde_json: serde_json refuses the vendor's
//! missing comma outright, so no amount of serde configuration can read those
//! answers; a small recursive reader that skips an absent separator is the simplest
//! correct way. It is tested against serde_json on every JSON text (proptests), so
//! on valid JSON it reads exactly what serde_json reads.
//!
//! The result is a [`Node`] tree borrowed from the text (strings without escapes,
//! keys and numbers are slices of it); the replies copy out the fields they keep.

mod read;
mod tree;

pub use tree::{Node, Object};

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
