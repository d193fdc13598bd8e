//! What a caller decides for a whole file: encoding, defaults, limits, policies.

use coupon_core::{PhoneNumber, Won};

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
    /// [`validate_all`](crate::validate_all): list the bad rows and leave them out instead of
    /// refusing the file.
    pub skip_invalid: bool,
    /// [`validate_all`](crate::validate_all): how many errors [`Report::errors`](crate::Report::errors) lists at most
    /// (all are counted in [`Report::errors_total`](crate::Report::errors_total)).
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
