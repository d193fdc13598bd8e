//! A forgiving JSON reader for Giftletter's hand-made answers.
//!
//! The vendor's examples are not always JSON: the `ReSendSMS` failure example
//! lacks a comma between members, the `getGoodsInfo` example repeats a key, and
//! keys carry stray spaces (`"IMG_URL "`). This reader accepts every JSON text,
//! and also: a missing comma between members or elements, a trailing comma, raw
//! control characters inside strings. Object keys are trimmed; a repeated key keeps
//! its first value that is not empty (`""` or `null`). Nesting is capped, so no
//! input can exhaust the stack.

use serde_json::map::Entry;
use serde_json::{Map, Number, Value};

/// Deepest nesting accepted; Giftletter answers nest two levels.
const MAX_DEPTH: usize = 32;

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
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut r = Reader { s: text.as_bytes(), text, pos: 0 };
    r.ws();
    let v = r.value(0)?;
    r.ws();
    if r.pos != r.s.len() {
        return Err(r.err("text after the value"));
    }
    Ok(v)
}

struct Reader<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Reader<'_> {
    fn err(&self, what: &'static str) -> JsonError {
        JsonError { offset: self.pos, what }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn ws(&mut self) {
        // A BOM may sit where whitespace is allowed.
        while let Some(b) = self.peek() {
            if matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
                self.pos += 1;
            } else if self.s[self.pos..].starts_with("\u{FEFF}".as_bytes()) {
                self.pos += 3;
            } else {
                break;
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(_) => Err(self.err("a value")),
            None => Err(self.err("a value, found the end")),
        }
    }

    fn literal(&mut self, word: &'static str, v: Value) -> Result<Value, JsonError> {
        if self.s[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err(self.err("true, false or null"))
        }
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.pos;
        while matches!(self.peek(), Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')) {
            self.pos += 1;
        }
        // The slice is ASCII, so it is a char boundary on both ends.
        let n: Number =
            self.text[start..self.pos].parse().map_err(|_| JsonError { offset: start, what: "a number" })?;
        Ok(Value::Number(n))
    }

    /// A separator between members or elements: a comma, or none at all.
    /// Answers true when the closing bracket follows.
    fn separator(&mut self, close: u8) -> bool {
        self.ws();
        if self.peek() == Some(b',') {
            self.pos += 1;
            self.ws();
        }
        self.peek() == Some(close)
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.pos += 1;
        let mut map = Map::new();
        if self.separator(b'}') {
            self.pos += 1;
            return Ok(Value::Object(map));
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.err("a quoted key"));
            }
            let key = trimmed(self.string()?);
            self.ws();
            if self.peek() != Some(b':') {
                return Err(self.err("':' after a key"));
            }
            self.pos += 1;
            self.ws();
            let v = self.value(depth + 1)?;
            match map.entry(key) {
                Entry::Vacant(slot) => {
                    slot.insert(v);
                }
                Entry::Occupied(mut slot) if is_empty(slot.get()) => {
                    slot.insert(v);
                }
                Entry::Occupied(_) => {}
            }
            if self.separator(b'}') {
                self.pos += 1;
                return Ok(Value::Object(map));
            }
            if self.peek().is_none() {
                return Err(self.err("'}', found the end"));
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.pos += 1;
        let mut items = Vec::new();
        if self.separator(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            if self.separator(b']') {
                self.pos += 1;
                return Ok(Value::Array(items));
            }
            if self.peek().is_none() {
                return Err(self.err("']', found the end"));
            }
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            // A slice scan: no bounds check per byte, unlike `peek` in a loop.
            self.pos += self.s[start..].iter().position(|b| matches!(b, b'"' | b'\\')).unwrap_or(self.s.len() - start);
            // `"` and `\` are ASCII, so both ends are char boundaries.
            out.push_str(&self.text[start..self.pos]);
            match self.peek() {
                None => return Err(self.err("a closing quote")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(_) => {
                    self.pos += 1;
                    let esc = self.peek().ok_or_else(|| self.err("an escape"))?;
                    self.pos += 1;
                    let c = match esc {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return Err(self.err("a known escape")),
                    };
                    out.push(c);
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self.s.get(self.pos..self.pos + 4).ok_or_else(|| self.err("four hex digits"))?;
        let mut n = 0u32;
        for d in digits {
            n = n * 16 + char::from(*d).to_digit(16).ok_or_else(|| self.err("four hex digits"))?;
        }
        self.pos += 4;
        Ok(n)
    }

    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) && self.s[self.pos..].starts_with(b"\\u") {
            let save = self.pos;
            self.pos += 2;
            let lo = self.hex4()?;
            if (0xDC00..0xE000).contains(&lo) {
                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                return Ok(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            self.pos = save;
        }
        // A lone surrogate cannot be a char: the vendor's text is kept, that one unit replaced.
        Ok(char::from_u32(hi).unwrap_or(char::REPLACEMENT_CHARACTER))
    }
}

/// A key without its stray spaces, reusing the allocation when there are none (the usual case).
fn trimmed(key: String) -> String {
    let t = key.trim();
    if t.len() == key.len() { key } else { t.to_string() }
}

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
    fn reads_plain_json_like_serde_json() {
        for text in [
            r#"{"a": [1, 2.5, -3e2, true, false, null], "b": {"c": "\u00e9\ud83c\udf81\n"}}"#,
            "[]",
            "{}",
            r#""x""#,
            "0",
        ] {
            let want: Value = serde_json::from_str(text).unwrap();
            assert_eq!(parse(text).unwrap(), want, "{text}");
        }
    }

    #[test]
    fn forgives_the_vendors_slips() {
        let v = parse("{\n  \"rstCode\": \"P102\",\n  \"rstMsg\": \"x\"\n  \"reserved \" : \"\"\n}").unwrap();
        assert_eq!(v, json!({"rstCode": "P102", "rstMsg": "x", "reserved": ""}));
        assert_eq!(parse(r#"{"a": "", "a": "2", "a": "3",}"#).unwrap(), json!({"a": "2"}));
        assert_eq!(parse("[1 2,]").unwrap(), json!([1, 2]));
        assert_eq!(parse("\u{FEFF}{\"m\": \"줄1\n줄2\"}").unwrap(), json!({"m": "줄1\n줄2"}));
    }

    #[test]
    fn refuses_what_is_not_json_and_never_overflows() {
        for bad in ["", "{", "[", "{\"a\"}", "{\"a\": }", "\"open", "nul", "{} x", "{a: 1}", "\"\\q\"", "1.2.3"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert!(parse(&"[".repeat(100_000)).is_err());
        assert!(parse(&"{\"a\":".repeat(50_000)).is_err());
    }
}
