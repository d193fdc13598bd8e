//! What a caller decides for a whole file: encoding, defaults, limits, policies.

use crate::fields::RequestFields;

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
    /// The campaign-wide values, for the rows that leave a column empty or have none
    /// (templates for the title and the body; a phone number and an amount as text,
    /// checked with each row).
    pub defaults: RequestFields,
    /// Limits of the rendered title and body.
    pub limits: Limits,
    /// Accept the same phone with the same goods on several rows.
    pub allow_duplicate_recipients: bool,
    /// Refuse phone numbers that are not mobile (01x); by default any Korean
    /// number [`coupon_core::PhoneNumber::parse`] accepts passes.
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
            defaults: RequestFields::default(),
            limits: Limits::default(),
            allow_duplicate_recipients: false,
            mobile_only: false,
            skip_invalid: false,
            max_listed_errors: 1_000,
        }
    }
}
