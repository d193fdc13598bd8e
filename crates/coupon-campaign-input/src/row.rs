//! One row of input, validated, and what is wrong with a line.

use std::fmt;

use coupon_core::{Error, IssueRequest, PartnerRef, PhoneNumber};

use crate::fields::RequestFields;

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
    /// A bad row (not fatal): its line, the column, what is wrong (the limit and
    /// what was given, never a phone number).
    pub fn new(line: u64, column: Option<&str>, message: impl Into<String>) -> Self {
        Self::row(line, column, message)
    }

    pub(crate) fn row(line: u64, column: Option<&str>, message: impl Into<String>) -> Self {
        Self { line, column: column.map(str::to_string), message: message.into(), fatal: false }
    }

    pub(crate) fn refusing(line: u64, message: impl Into<String>) -> Self {
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
    /// The row's request fields, checked: its columns over the campaign's defaults,
    /// templates rendered, the reply number and the amount as digits. The product
    /// ([`RequestFields::product_id`]) is always there; whether the vendor's catalog
    /// holds it is the caller's check.
    pub request: RequestFields,
    /// The other columns, in the header's order: (name, value).
    pub extra: Vec<(String, String)>,
}

impl InputRow {
    /// The request to issue this row's coupon, to its phone number, with a freshly
    /// generated partner reference (replace it with [`IssueRequest::partner_ref`] to
    /// use one derived from [`InputRow::key`](crate::InputRow::key) or a journal).
    pub fn issue_request(&self) -> Result<IssueRequest, Error> {
        self.request.issue_request(Some(self.phone.expose_digits()), PartnerRef::generate())
    }
}

/// The columns with a meaning of their own besides the request fields'.
pub(crate) const OWN_COLUMNS: [&str; 3] = ["phone", "name", "key"];
