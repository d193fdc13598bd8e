//! The streaming reader: one record decoded, parsed and checked at a time.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, Hash, RandomState};
use std::io::Read;

use coupon_core::validate::{max_cp949_bytes, no_control_chars};
use coupon_core::{PhoneNumber, Won};

use crate::fields::{Field, Kind, RequestFields};
use crate::row::OWN_COLUMNS;
use crate::{InputRow, LineError, Options, decode, template};

/// A column with a meaning of its own: the row's own ([`OWN_COLUMNS`]), then the
/// request fields', in [`RequestFields::FIELDS`]' order.
#[derive(Clone, Copy, Debug)]
struct Col(usize);

impl Col {
    const PHONE: Col = Col(0);
    const NAME: Col = Col(1);
    const KEY: Col = Col(2);

    fn of(field: &Field) -> Col {
        Col(OWN_COLUMNS.len() + field.slot())
    }

    /// Every such column's name, in the order of their indexes.
    fn names() -> impl Iterator<Item = &'static str> {
        OWN_COLUMNS.into_iter().chain(RequestFields::FIELDS.iter().map(|f| f.column))
    }
}

/// When a field is checked, so that a row with several faults always reports the same
/// one: required values, then parsed ones, then (after the name) the other texts, and
/// templates last.
fn rank(field: &Field) -> u8 {
    match field.kind {
        Kind::Text { required: true } => 0,
        Kind::Phone => 1,
        Kind::Won => 2,
        Kind::Text { required: false } => 3,
        Kind::Template { .. } => 4,
    }
}

/// The first rank checked after the name.
const AFTER_NAME: u8 = 3;

/// A streaming reader of campaign input: it holds the current record only,
/// plus, to find repeats, a fingerprint of each key and of each
/// phone-and-goods pair seen, with its line.
///
/// # Memory, and what a fingerprint may cost
///
/// The repeat checks keep no copy of the text: per row, at most two 64-bit
/// fingerprints (SipHash-1-3 under a key drawn at random for each reader, by
/// [`RandomState`]), each with the row's line as a `u32`: 12 bytes an entry, in
/// two hash maps that grow with the file (at 1,000,000 rows, about 27 MB each).
///
/// Two different keys (or two different phone-and-goods pairs) may share a
/// fingerprint. That can only turn a valid row into a reported repeat (an
/// error naming the row's line, the column and the earlier line), never let a
/// repeat through nor drop a row unreported; the chance that it happens at all
/// in a file of `n` rows is about `n² / 2⁶⁵` per check (2.7 × 10⁻⁸ at
/// 1,000,000 rows), and since the key is random it does not happen twice for
/// the same file.
pub struct Reader<R: Read> {
    csv: csv::Reader<decode::DecodingReader<R>>,
    /// Column names as the header spells them (trimmed; known ones in lower case).
    names: Vec<String>,
    /// Where each [`Col`] is in the header, if it is.
    cols: Vec<Option<usize>>,
    /// The request fields in the order they are checked ([`rank`]).
    checked: Vec<&'static Field>,
    extra: Vec<usize>,
    options: Options,
    record: csv::StringRecord,
    /// The fingerprints' key, random per reader.
    fingerprints: RandomState,
    /// Each key's fingerprint, with its line.
    keys: HashMap<Fingerprint, u32>,
    /// Each phone-and-goods pair's fingerprint, with its line.
    recipients: HashMap<Fingerprint, u32>,
    done: bool,
}

impl<R: Read> fmt::Debug for Reader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reader").field("columns", &self.names).field("done", &self.done).finish_non_exhaustive()
    }
}

impl<R: Read> Reader<R> {
    /// Reads the header. A missing `phone` column, a column named twice, a
    /// column with no name, an empty file or an undecodable header line is
    /// an error (fatal, line 1).
    pub fn new(input: R, options: Options) -> Result<Self, LineError> {
        let decoder = decode::DecodingReader::new(input, options.encoding);
        let mut csv = csv::ReaderBuilder::new().has_headers(true).from_reader(decoder);
        let header = match csv.headers() {
            Ok(h) => h.clone(),
            Err(e) => return Err(read_error(&csv, &e)),
        };
        if header.is_empty() {
            return Err(LineError::refusing(1, "the file is empty: a header line is required"));
        }
        let mut names = Vec::with_capacity(header.len());
        let mut cols = vec![None; Col::names().count()];
        let mut extra = Vec::new();
        for (i, raw) in header.iter().enumerate() {
            let name = raw.trim();
            if name.is_empty() {
                return Err(LineError::refusing(1, format!("column {} of the header has no name", i + 1)));
            }
            let lower = name.to_ascii_lowercase();
            let name = match Col::names().position(|c| c == lower) {
                Some(c) => {
                    cols[c] = Some(i);
                    lower
                }
                None => {
                    extra.push(i);
                    name.to_string()
                }
            };
            if let Some(first) = names.iter().position(|n| *n == name) {
                return Err(LineError::refusing(
                    1,
                    format!("the header names column `{name}` twice (columns {} and {})", first + 1, i + 1),
                ));
            }
            names.push(name);
        }
        if cols[Col::PHONE.0].is_none() {
            return Err(LineError::refusing(1, "the header has no `phone` column, which is required"));
        }
        let mut checked: Vec<&'static Field> = RequestFields::FIELDS.iter().collect();
        checked.sort_by_key(|f| rank(f));
        Ok(Self {
            csv,
            names,
            cols,
            checked,
            extra,
            options,
            record: csv::StringRecord::new(),
            fingerprints: RandomState::new(),
            keys: HashMap::new(),
            recipients: HashMap::new(),
            done: false,
        })
    }

    /// The header's column names, in order (trimmed; the known ones in lower case).
    pub fn columns(&self) -> &[String] {
        &self.names
    }

    /// The rows, one at a time: each is read, decoded, checked and rendered
    /// when the iterator is advanced. After a fatal error (see
    /// [`LineError::fatal`]) the iterator ends.
    pub fn rows(&mut self) -> impl Iterator<Item = Result<InputRow, LineError>> + '_ {
        std::iter::from_fn(move || self.next_row())
    }

    /// The next row, or `None` at the end of the file or after a fatal error.
    pub fn next_row(&mut self) -> Option<Result<InputRow, LineError>> {
        if self.done {
            return None;
        }
        match self.csv.read_record(&mut self.record) {
            Ok(false) => {
                self.done = true;
                None
            }
            Ok(true) => {
                let line = self.record.position().map_or(0, csv::Position::line);
                Some(self.check(line))
            }
            Err(e) => match e.kind() {
                csv::ErrorKind::UnequalLengths { pos, expected_len, len } if self.csv.get_ref().failure().is_none() => {
                    let line = pos.as_ref().map_or(0, csv::Position::line);
                    Some(Err(LineError::row(line, None, format!("has {len} fields; the header has {expected_len}"))))
                }
                _ => {
                    self.done = true;
                    Some(Err(read_error(&self.csv, &e)))
                }
            },
        }
    }

    fn cell(&self, col: Col) -> Option<&str> {
        let i = self.cols[col.0]?;
        let v = self.record.get(i)?;
        (!v.trim().is_empty()).then_some(v)
    }

    fn lookup(&self, name: &str) -> Option<&str> {
        let i = self.names.iter().position(|n| n == name)?;
        self.record.get(i)
    }

    fn check(&mut self, line: u64) -> Result<InputRow, LineError> {
        let err = |col: &str, message: String| LineError::row(line, Some(col), message);
        let opts = &self.options;

        // The key first: a repeat is found whatever else is wrong with either line.
        let key = self.cell(Col::KEY).map(|k| k.trim().to_string());
        if let Some(k) = &key {
            no_control_chars("key", k, false).map_err(|e| err("key", e.message().to_string()))?;
            let fingerprint = Fingerprint::of(&self.fingerprints, k.as_str());
            if let Some(&first) = self.keys.get(&fingerprint) {
                return Err(err(
                    "key",
                    format!("repeats the key of {} ({} characters)", earlier(first), k.chars().count()),
                ));
            }
            self.keys.insert(fingerprint, line_u32(line));
        }

        let raw_phone =
            self.cell(Col::PHONE).ok_or_else(|| err("phone", "is empty; every row needs a recipient".to_string()))?;
        let phone = PhoneNumber::parse(raw_phone).map_err(|e| {
            err(
                "phone",
                format!(
                    "is not a valid Korean phone number: it {e} ({} characters given)",
                    raw_phone.trim().chars().count()
                ),
            )
        })?;
        if opts.mobile_only && !phone.is_mobile() {
            return Err(err(
                "phone",
                format!("{phone} is not a mobile number (01x); only mobile numbers are accepted"),
            ));
        }

        let mut request = RequestFields::default();
        for field in self.checked.iter().filter(|f| rank(f) < AFTER_NAME) {
            request.set(field, self.field(field, line)?);
        }
        let name = self.cell(Col::NAME).map(|v| v.trim().to_string());
        if let Some(v) = &name {
            no_control_chars("name", v, false).map_err(|e| err("name", e.message().to_string()))?;
        }
        for field in self.checked.iter().filter(|f| rank(f) >= AFTER_NAME) {
            request.set(field, self.field(field, line)?);
        }

        if !opts.allow_duplicate_recipients {
            let goods = request.product_id.as_deref().unwrap_or_default();
            let fingerprint = Fingerprint::of(&self.fingerprints, (phone_id(&phone), goods));
            if let Some(&first) = self.recipients.get(&fingerprint) {
                return Err(err(
                    "phone",
                    format!(
                        "{phone} already receives goods `{goods}` on {}; set allow_duplicate_recipients to send it twice",
                        earlier(first)
                    ),
                ));
            }
            self.recipients.insert(fingerprint, line_u32(line));
        }

        let extra = self
            .extra
            .iter()
            .map(|&i| (self.names[i].clone(), self.record.get(i).unwrap_or_default().to_string()))
            .collect();
        Ok(InputRow { line, key, phone, name, request, extra })
    }

    /// A request field's value for this row: its cell, else the campaign's default,
    /// checked as its [`Kind`] says and stored as text.
    fn field(&self, field: &Field, line: u64) -> Result<Option<String>, LineError> {
        let column = field.column;
        let err = |message: String| LineError::row(line, Some(column), message);
        let cell = self.cell(Col::of(field));
        let default = self.options.defaults.get(field);
        // A default is the campaign's, not the row's: its errors say so.
        let given = cell.map(|c| (c, "")).or_else(|| default.map(|d| (d, "the campaign's default ")));
        match field.kind {
            Kind::Text { required } => {
                let value = cell.map(|v| v.trim().to_string()).or_else(|| default.map(str::to_owned));
                let Some(value) = value else {
                    if required {
                        return Err(err(format!("is empty and the campaign has no default {column}")));
                    }
                    return Ok(None);
                };
                no_control_chars(column, &value, false).map_err(|e| err(e.message().to_string()))?;
                Ok(Some(value))
            }
            Kind::Phone => {
                let Some((raw, whose)) = given else { return Ok(None) };
                let phone = PhoneNumber::parse(raw).map_err(|e| {
                    let n = raw.trim().chars().count();
                    err(format!("{whose}is not a valid Korean phone number: it {e} ({n} characters given)"))
                })?;
                Ok(Some(phone.expose_digits().to_owned()))
            }
            Kind::Won => {
                let Some((raw, whose)) = given else { return Ok(None) };
                let won = parse_won(raw).map_err(|m| err(format!("{whose}{m}")))?;
                Ok(Some(won.0.to_string()))
            }
            Kind::Template { multiline, limit } => {
                let template = if multiline { cell } else { cell.map(str::trim) }.or(default);
                let Some(template) = template else { return Ok(None) };
                let whose = if cell.is_some() { "the row's template" } else { "the default template" };
                let out = template::render(template, |p| self.lookup(p))
                    .map_err(|e| err(format!("{whose} {}", e.describe())))?;
                if let Some(limit) = limit(&self.options.limits) {
                    max_cp949_bytes(column, &out, limit).map_err(|e| err(format!("rendered {}", e.message())))?;
                }
                no_control_chars(column, &out, multiline).map_err(|e| err(format!("rendered {}", e.message())))?;
                Ok(Some(out))
            }
        }
    }
}

/// A 64-bit keyed hash of a value, stored as two `u32` so that an entry with
/// a `u32` line takes 12 bytes (a `u64` would align the pair to 16).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Fingerprint([u32; 2]);

impl Fingerprint {
    fn of(key: &RandomState, value: impl Hash) -> Self {
        let h = key.hash_one(value);
        Self([(h >> 32) as u32, h as u32])
    }
}

/// A line as stored beside a fingerprint: 0 (never a row's line) past `u32::MAX`.
fn line_u32(line: u64) -> u32 {
    u32::try_from(line).unwrap_or(0)
}

/// "line N", or "an earlier line" when the line was too large to keep.
fn earlier(first: u32) -> String {
    if first == 0 { "an earlier line".to_string() } else { format!("line {first}") }
}

/// A phone number as one integer: its digits behind a leading 1 (at most 13 digits).
fn phone_id(phone: &PhoneNumber) -> u64 {
    phone.expose_digits().bytes().fold(1u64, |acc, b| acc.wrapping_mul(10).wrapping_add(u64::from(b - b'0')))
}

/// A whole number of won: digits, optionally grouped with commas, optionally followed by `원`.
fn parse_won(raw: &str) -> Result<Won, String> {
    let given = raw.trim();
    let s = given.strip_suffix('원').unwrap_or(given).trim_end();
    let digits: String = s.chars().filter(|&c| c != ',').collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "must be a whole number of won (digits, e.g. 10000 or 10,000); {} characters given",
            given.chars().count()
        ));
    }
    digits.parse::<u64>().map(Won).map_err(|_| format!("is too large ({} digits given)", digits.len()))
}

/// The fatal error for a failed read: the decoder's line when it refused one.
fn read_error<R: Read>(csv: &csv::Reader<decode::DecodingReader<R>>, e: &csv::Error) -> LineError {
    if let Some(f) = csv.get_ref().failure() {
        return LineError::refusing(f.line, f.message.clone());
    }
    let line = e.position().map_or_else(|| csv.position().line(), csv::Position::line);
    LineError::refusing(line, format!("cannot be read: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_whole_won() {
        assert_eq!(parse_won("10000"), Ok(Won(10_000)));
        assert_eq!(parse_won(" 10,000원 "), Ok(Won(10_000)));
        assert!(parse_won("1.5").unwrap_err().contains("whole number"));
        assert!(parse_won("-3").is_err());
        assert!(parse_won("99999999999999999999999").unwrap_err().contains("too large"));
    }

    #[test]
    fn a_fingerprint_with_its_line_takes_twelve_bytes() {
        assert_eq!(std::mem::size_of::<(Fingerprint, u32)>(), 12);
        let key = RandomState::new();
        assert_eq!(Fingerprint::of(&key, "A-1"), Fingerprint::of(&key, "A-1"));
        assert_ne!(Fingerprint::of(&key, "A-1"), Fingerprint::of(&key, "A-2"));
        assert_ne!(Fingerprint::of(&key, (1u64, "G1")), Fingerprint::of(&key, (1u64, "G2")));
        assert_eq!((line_u32(7), line_u32(u64::MAX)), (7, 0));
        assert_eq!((earlier(7).as_str(), earlier(0).as_str()), ("line 7", "an earlier line"));
    }

    #[test]
    fn phone_ids_tell_numbers_apart() {
        let a = PhoneNumber::parse("010-1234-5678").unwrap();
        let b = PhoneNumber::parse("01012345678").unwrap();
        let c = PhoneNumber::parse("02-123-4567").unwrap();
        assert_eq!(phone_id(&a), phone_id(&b));
        assert_ne!(phone_id(&a), phone_id(&c));
    }
}
