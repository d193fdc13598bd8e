//! `coupon-campaign-input`: the input of a campaign (bulk coupon issuance),
//! read from a CSV file and validated row by row, streaming.
//!
//! - The file has a header; `phone` is required; `name`, `goods`,
//!   `product_name`, `callback`, `title`, `content_template`, `amount`, `memo`
//!   override, where present and non-empty in a row, the campaign-wide
//!   [`Defaults`]; `key` is the caller's own unique row id; any other column is
//!   carried along in order ([`InputRow::extra`]) and usable in templates.
//! - Templates: `{name}` and `{column}` in `title` and `content_template` are
//!   replaced by the row's values; `{{` and `}}` are braces.
//! - Encodings: UTF-8 with or without BOM, and CP949/EUC-KR, detected from the
//!   first non-ASCII line or forced ([`Encoding`]); a file mixing them is refused.
//! - Streaming: [`Reader::rows`] decodes and parses one record at a time;
//!   [`validate_all`] checks a whole file in one pass into a [`Report`].
//!
//! Line breaks may be LF or CRLF (a CRLF is read as LF, inside quoted cells too).
//!
//! Every error names the line (from 1, the header being line 1), the column,
//! the limit and what was given, and never the full phone number.
//!
//! ```
//! use coupon_campaign_input::{Defaults, Options, Reader, validate_all};
//! let csv = "phone,name,store\n010-1234-5678,홍길동,강남점\n";
//! let options = Options {
//!     defaults: Defaults {
//!         goods: Some("G100".into()),
//!         title: Some("{name}님께 선물".into()),
//!         content_template: Some("{store}에서 쓰세요".into()),
//!         ..Defaults::default()
//!     },
//!     ..Options::default()
//! };
//! let mut reader = Reader::new(csv.as_bytes(), options.clone()).unwrap();
//! let row = reader.rows().next().unwrap().unwrap();
//! assert_eq!(row.title.as_deref(), Some("홍길동님께 선물"));
//! assert_eq!(row.content.as_deref(), Some("강남점에서 쓰세요"));
//! assert_eq!(row.extra, vec![("store".to_string(), "강남점".to_string())]);
//! assert!(validate_all(csv.as_bytes(), &options).accepted);
//! ```

mod decode;
mod template;

use std::collections::HashMap;
use std::fmt;
use std::io::Read;

use coupon_core::validate::{max_cp949_bytes, no_control_chars};
use coupon_core::{IssueRequest, PhoneNumber, Won};

pub use decode::MAX_LINE_BYTES;

/// How the file's bytes are read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 when the file starts with a byte order mark or its first non-ASCII
    /// line is valid UTF-8; CP949 (EUC-KR) otherwise. Every later line must
    /// agree with that choice: under CP949, a non-ASCII line that is valid
    /// UTF-8 is taken for a UTF-8 line and refuses the file (CP949 text that
    /// happens to be valid UTF-8 too is rare, and is refused rather than guessed).
    #[default]
    Auto,
    /// UTF-8 (a leading byte order mark is dropped); any other line is refused.
    Utf8,
    /// CP949 (windows-949, which `encoding_rs` calls EUC-KR, what Korean Excel
    /// writes); a line that is UTF-8 with non-ASCII, or a byte order mark, is refused.
    Cp949,
}

/// Campaign-wide values; a row's non-empty column of the same name overrides each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Defaults {
    /// The vendor's product id.
    pub goods: Option<String>,
    /// The product name, where the vendor wants it repeated.
    pub product_name: Option<String>,
    /// The reply number shown as sender.
    pub callback: Option<PhoneNumber>,
    /// The message title template.
    pub title: Option<String>,
    /// The message body template.
    pub content_template: Option<String>,
    /// The expected amount.
    pub amount: Option<Won>,
    /// The value the vendor echoes back.
    pub memo: Option<String>,
}

/// Byte limits, in CP949, of the rendered texts (the adapter's numbers, from the caller).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// The title's limit; `None`: unlimited.
    pub title: Option<usize>,
    /// The message body's limit; `None`: unlimited.
    pub content: Option<usize>,
}

/// How a file is read and judged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// How the bytes are decoded.
    pub encoding: Encoding,
    /// Values for the rows that leave a column empty or have none.
    pub defaults: Defaults,
    /// Limits of the rendered title and body.
    pub limits: Limits,
    /// Accept the same phone with the same goods on several rows.
    pub allow_duplicate_recipients: bool,
    /// Refuse phone numbers that are not mobile (01x); by default any Korean
    /// number [`PhoneNumber::parse`] accepts passes.
    pub mobile_only: bool,
    /// [`validate_all`]: list the bad rows and leave them out instead of
    /// refusing the file.
    pub skip_invalid: bool,
    /// [`validate_all`]: how many errors [`Report::errors`] lists at most
    /// (all are counted in [`Report::errors_total`]).
    pub max_listed_errors: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            encoding: Encoding::Auto,
            defaults: Defaults::default(),
            limits: Limits::default(),
            allow_duplicate_recipients: false,
            mobile_only: false,
            skip_invalid: false,
            max_listed_errors: 1_000,
        }
    }
}

/// What is wrong with one line. It never holds the full phone number.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LineError {
    /// The physical line, from 1 (the header is line 1); for a record spanning
    /// lines (a quoted line break), the line it starts on.
    pub line: u64,
    /// The column the error is about, when it is about one.
    pub column: Option<String>,
    /// What is wrong: the limit and what was given, never the value of a phone number.
    pub message: String,
    /// True when the error stops the reading and refuses the whole file (the
    /// header, the encoding, an I/O error); false for a bad row.
    pub fatal: bool,
}

impl LineError {
    fn row(line: u64, column: Option<&str>, message: impl Into<String>) -> Self {
        Self { line, column: column.map(str::to_string), message: message.into(), fatal: false }
    }

    fn refusing(line: u64, message: impl Into<String>) -> Self {
        Self { line, column: None, message: message.into(), fatal: true }
    }
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}, column `{c}`: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

impl std::error::Error for LineError {}

/// One valid row, with defaults applied and templates rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct InputRow {
    /// The line the row starts on (the header is line 1).
    pub line: u64,
    /// The caller's own row id, unique within the file.
    pub key: Option<String>,
    /// The recipient.
    pub phone: PhoneNumber,
    /// The recipient's name.
    pub name: Option<String>,
    /// The resolved product id (column or default). Whether the vendor's
    /// catalog holds it is the caller's check.
    pub goods: String,
    /// The product name.
    pub product_name: Option<String>,
    /// The reply number.
    pub callback: Option<PhoneNumber>,
    /// The rendered title.
    pub title: Option<String>,
    /// The rendered message body.
    pub content: Option<String>,
    /// The expected amount.
    pub amount: Option<Won>,
    /// The echoed memo.
    pub memo: Option<String>,
    /// The other columns, in the header's order: (name, value).
    pub extra: Vec<(String, String)>,
}

impl InputRow {
    /// The request to issue this row's coupon, with a freshly generated
    /// partner reference (replace it with [`IssueRequest::partner_ref`] to use
    /// one derived from [`InputRow::key`] or a journal).
    pub fn issue_request(&self) -> IssueRequest {
        let mut r = IssueRequest::new(self.goods.clone()).recipient(self.phone.clone());
        if let Some(v) = &self.product_name {
            r = r.product_name(v.clone());
        }
        if let Some(v) = &self.callback {
            r = r.callback(v.clone());
        }
        if let Some(v) = &self.title {
            r = r.title(v.clone());
        }
        if let Some(v) = &self.content {
            r = r.message(v.clone());
        }
        if let Some(v) = self.amount {
            r = r.amount(v);
        }
        if let Some(v) = &self.memo {
            r = r.memo(v.clone());
        }
        r
    }
}

/// The columns with a meaning of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    Phone,
    Name,
    Goods,
    ProductName,
    Callback,
    Title,
    ContentTemplate,
    Amount,
    Memo,
    Key,
}

impl Col {
    const ALL: [Col; 10] = [
        Col::Phone,
        Col::Name,
        Col::Goods,
        Col::ProductName,
        Col::Callback,
        Col::Title,
        Col::ContentTemplate,
        Col::Amount,
        Col::Memo,
        Col::Key,
    ];

    fn name(self) -> &'static str {
        match self {
            Col::Phone => "phone",
            Col::Name => "name",
            Col::Goods => "goods",
            Col::ProductName => "product_name",
            Col::Callback => "callback",
            Col::Title => "title",
            Col::ContentTemplate => "content_template",
            Col::Amount => "amount",
            Col::Memo => "memo",
            Col::Key => "key",
        }
    }
}

/// A streaming reader of campaign input: it holds the current record only
/// (plus, to find repeats, each key and each phone-and-goods pair seen).
pub struct Reader<R: Read> {
    csv: csv::Reader<decode::DecodingReader<R>>,
    /// Column names as the header spells them (trimmed; known ones in lower case).
    names: Vec<String>,
    cols: [Option<usize>; 10],
    extra: Vec<usize>,
    options: Options,
    record: csv::StringRecord,
    keys: HashMap<Box<str>, u64>,
    goods_ids: HashMap<Box<str>, u32>,
    recipients: HashMap<(u64, u32), u64>,
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
        let mut cols = [None; 10];
        let mut extra = Vec::new();
        for (i, raw) in header.iter().enumerate() {
            let name = raw.trim();
            if name.is_empty() {
                return Err(LineError::refusing(1, format!("column {} of the header has no name", i + 1)));
            }
            let lower = name.to_ascii_lowercase();
            let name = match Col::ALL.iter().position(|c| c.name() == lower) {
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
        if cols[0].is_none() {
            return Err(LineError::refusing(1, "the header has no `phone` column, which is required"));
        }
        Ok(Self {
            csv,
            names,
            cols,
            extra,
            options,
            record: csv::StringRecord::new(),
            keys: HashMap::new(),
            goods_ids: HashMap::new(),
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
        let i = self.cols[col as usize]?;
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
        let defaults = &opts.defaults;

        // The key first: a repeat is found whatever else is wrong with either line.
        let key = self.cell(Col::Key).map(|k| k.trim().to_string());
        if let Some(k) = &key {
            no_control_chars("key", k, false).map_err(|e| err("key", e.message().to_string()))?;
            if let Some(first) = self.keys.get(k.as_str()) {
                return Err(err("key", format!("repeats the key of line {first} ({} characters)", k.chars().count())));
            }
        }
        if let Some(k) = &key {
            self.keys.insert(k.as_str().into(), line);
        }

        let raw_phone =
            self.cell(Col::Phone).ok_or_else(|| err("phone", "is empty; every row needs a recipient".to_string()))?;
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

        let goods = match self.cell(Col::Goods) {
            Some(g) => g.trim().to_string(),
            None => defaults
                .goods
                .clone()
                .ok_or_else(|| err("goods", "is empty and the campaign has no default goods".to_string()))?,
        };
        no_control_chars("goods", &goods, false).map_err(|e| err("goods", e.message().to_string()))?;

        let callback = match self.cell(Col::Callback) {
            Some(c) => Some(PhoneNumber::parse(c).map_err(|e| {
                err(
                    "callback",
                    format!(
                        "is not a valid Korean phone number: it {e} ({} characters given)",
                        c.trim().chars().count()
                    ),
                )
            })?),
            None => defaults.callback.clone(),
        };

        let amount = match self.cell(Col::Amount) {
            Some(a) => Some(parse_won(a).map_err(|m| err("amount", m))?),
            None => defaults.amount,
        };

        let text = |col: Col, default: &Option<String>| -> Option<String> {
            self.cell(col).map(|v| v.trim().to_string()).or_else(|| default.clone())
        };
        let name = self.cell(Col::Name).map(|v| v.trim().to_string());
        let product_name = text(Col::ProductName, &defaults.product_name);
        let memo = text(Col::Memo, &defaults.memo);
        for (col, value) in [(Col::Name, &name), (Col::ProductName, &product_name), (Col::Memo, &memo)] {
            if let Some(v) = value {
                no_control_chars(col.name(), v, false).map_err(|e| err(col.name(), e.message().to_string()))?;
            }
        }

        let render = |col: Col, template: Option<&str>, limit: Option<usize>, line_breaks: bool| {
            let Some(t) = template else { return Ok(None) };
            let column = col.name();
            let out = template::render(t, |p| self.lookup(p)).map_err(|e| {
                err(
                    column,
                    format!(
                        "{} {}",
                        if self.cell(col).is_some() { "the row's template" } else { "the default template" },
                        e.describe()
                    ),
                )
            })?;
            if let Some(limit) = limit {
                max_cp949_bytes(column, &out, limit).map_err(|e| err(column, format!("rendered {}", e.message())))?;
            }
            no_control_chars(column, &out, line_breaks)
                .map_err(|e| err(column, format!("rendered {}", e.message())))?;
            Ok::<_, LineError>(Some(out))
        };
        let title_t = self.cell(Col::Title).map(str::trim).or(defaults.title.as_deref());
        let title = render(Col::Title, title_t, opts.limits.title, false)?;
        let content_t = self.cell(Col::ContentTemplate).or(defaults.content_template.as_deref());
        let content = render(Col::ContentTemplate, content_t, opts.limits.content, true)?;

        if !opts.allow_duplicate_recipients {
            let next = self.goods_ids.len() as u32;
            let gid = *self.goods_ids.entry(goods.as_str().into()).or_insert(next);
            let pid = phone_id(&phone);
            if let Some(first) = self.recipients.get(&(pid, gid)) {
                return Err(err(
                    "phone",
                    format!(
                        "{phone} already receives goods `{goods}` on line {first}; set allow_duplicate_recipients to send it twice"
                    ),
                ));
            }
            self.recipients.insert((pid, gid), line);
        }

        let extra = self
            .extra
            .iter()
            .map(|&i| (self.names[i].clone(), self.record.get(i).unwrap_or_default().to_string()))
            .collect();
        Ok(InputRow { line, key, phone, name, goods, product_name, callback, title, content, amount, memo, extra })
    }
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

/// The outcome of [`validate_all`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// Rows that passed every check.
    pub rows_ok: u64,
    /// Rows refused.
    pub rows_invalid: u64,
    /// The errors, in line order, up to [`Options::max_listed_errors`]; a
    /// fatal error is always listed (last).
    pub errors: Vec<LineError>,
    /// How many errors there were in all, listed or not.
    pub errors_total: u64,
    /// The error that stopped the reading, if one did; the rest of the file was not read.
    pub fatal: Option<LineError>,
    /// Whether the campaign may go ahead: no fatal error, and no bad row
    /// unless [`Options::skip_invalid`] (the bad rows are then left out).
    pub accepted: bool,
}

/// Reads and checks the whole file in one pass, streaming, collecting every bad line.
pub fn validate_all<R: Read>(input: R, options: &Options) -> Report {
    validate_all_with(input, options, |_| {})
}

/// As [`validate_all`], handing each valid row to `on_row` as it is read (to
/// journal it in the same pass). Whether the rows handed over may be used is
/// [`Report::accepted`], known at the end.
pub fn validate_all_with<R: Read>(input: R, options: &Options, mut on_row: impl FnMut(InputRow)) -> Report {
    let mut report =
        Report { rows_ok: 0, rows_invalid: 0, errors: Vec::new(), errors_total: 0, fatal: None, accepted: false };
    let mut reader = match Reader::new(input, options.clone()) {
        Ok(r) => r,
        Err(e) => {
            report.errors_total = 1;
            report.errors.push(e.clone());
            report.fatal = Some(e);
            return report;
        }
    };
    for row in reader.rows() {
        match row {
            Ok(row) => {
                report.rows_ok += 1;
                on_row(row);
            }
            Err(e) => {
                report.errors_total += 1;
                if e.fatal {
                    report.errors.push(e.clone());
                    report.fatal = Some(e);
                } else {
                    report.rows_invalid += 1;
                    if report.errors.len() < options.max_listed_errors {
                        report.errors.push(e);
                    }
                }
            }
        }
    }
    report.accepted = report.fatal.is_none() && (options.skip_invalid || report.rows_invalid == 0);
    report
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
    fn phone_ids_tell_numbers_apart() {
        let a = PhoneNumber::parse("010-1234-5678").unwrap();
        let b = PhoneNumber::parse("01012345678").unwrap();
        let c = PhoneNumber::parse("02-123-4567").unwrap();
        assert_eq!(phone_id(&a), phone_id(&b));
        assert_ne!(phone_id(&a), phone_id(&c));
    }
}
