//! The reader: one pass over the bytes, recursion bounded by [`MAX_DEPTH`].

use std::borrow::Cow;

use std::str::FromStr;

use serde_json::Number;

use super::JsonError;
use super::tree::{Node, NumberText, Object};

/// Deepest nesting accepted; Giftletter answers nest two levels.
const MAX_DEPTH: usize = 32;

pub(super) struct Reader<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Reader { s: text.as_bytes(), text, pos: 0 }
    }

    pub(super) fn document(mut self) -> Result<Node<'a>, JsonError> {
        self.ws();
        let v = self.value(0)?;
        self.ws();
        if self.pos != self.s.len() {
            return Err(self.err("text after the value"));
        }
        Ok(v)
    }

    fn err(&self, what: &'static str) -> JsonError {
        JsonError { offset: self.pos, what }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while let Some(&b) = self.s.get(self.pos) {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                // A BOM may sit where whitespace is allowed.
                0xEF if self.s[self.pos..].starts_with("\u{FEFF}".as_bytes()) => self.pos += 3,
                _ => return,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node<'a>, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Node::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true", Node::Bool(true)),
            Some(b'f') => self.literal("false", Node::Bool(false)),
            Some(b'n') => self.literal("null", Node::Null),
            Some(_) => Err(self.err("a value")),
            None => Err(self.err("a value, found the end")),
        }
    }

    fn literal(&mut self, word: &'static str, v: Node<'a>) -> Result<Node<'a>, JsonError> {
        if self.s[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err(self.err("true, false or null"))
        }
    }

    fn number(&mut self) -> Result<Node<'a>, JsonError> {
        let start = self.pos;
        // The whole run of number-like bytes is one token, so `1.2.3` is refused, not split.
        while matches!(self.peek(), Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')) {
            self.pos += 1;
        }
        // The slice is ASCII, so it is a char boundary on both ends. serde_json judges
        // it: its grammar, and a finite `f64` range.
        let t = &self.text[start..self.pos];
        match Number::from_str(t) {
            Ok(_) => Ok(Node::Number(NumberText(t))),
            Err(_) => Err(JsonError { offset: start, what: "a number" }),
        }
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

    fn object(&mut self, depth: usize) -> Result<Node<'a>, JsonError> {
        self.pos += 1;
        let mut members = Vec::new();
        if self.separator(b'}') {
            self.pos += 1;
            return Ok(Node::Object(Object { members }));
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.err("a quoted key"));
            }
            // Keys are matched trimmed (`"IMG_URL "`).
            let key = match self.string()? {
                Cow::Borrowed(k) => Cow::Borrowed(k.trim()),
                Cow::Owned(k) => Cow::Owned(k.trim().to_owned()),
            };
            self.ws();
            if self.peek() != Some(b':') {
                return Err(self.err("':' after a key"));
            }
            self.pos += 1;
            self.ws();
            let v = self.value(depth + 1)?;
            members.push((key, v));
            if self.separator(b'}') {
                self.pos += 1;
                return Ok(Node::Object(Object { members }));
            }
            if self.peek().is_none() {
                return Err(self.err("'}', found the end"));
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Node<'a>, JsonError> {
        self.pos += 1;
        let mut elements = Vec::new();
        if self.separator(b']') {
            self.pos += 1;
            return Ok(Node::Array(elements));
        }
        loop {
            elements.push(self.value(depth + 1)?);
            if self.separator(b']') {
                self.pos += 1;
                return Ok(Node::Array(elements));
            }
            if self.peek().is_none() {
                return Err(self.err("']', found the end"));
            }
        }
    }

    fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.pos += 1;
        let start = self.pos;
        self.skip_plain();
        // `"` and `\` are ASCII, so both ends are char boundaries.
        let plain = &self.text[start..self.pos];
        match self.peek() {
            None => Err(self.err("a closing quote")),
            Some(b'"') => {
                self.pos += 1;
                Ok(Cow::Borrowed(plain))
            }
            Some(_) => self.escaped(plain.to_string()).map(Cow::Owned),
        }
    }

    /// The rest of a string whose text so far is `out`, from a backslash on.
    fn escaped(&mut self, mut out: String) -> Result<String, JsonError> {
        loop {
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
            let start = self.pos;
            self.skip_plain();
            out.push_str(&self.text[start..self.pos]);
        }
    }

    /// Moves to the next `"` or `\\` (or the end).
    fn skip_plain(&mut self) {
        self.pos += memchr::memchr2(b'"', b'\\', &self.s[self.pos..]).unwrap_or(self.s.len() - self.pos);
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
