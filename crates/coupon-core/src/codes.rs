//! The kit every adapter's `codes.rs` and refusal handling is built from.
//!
//! - [`CodeRow`]: one row of a vendor's code table (the code, our [`ErrorKind`],
//!   whether the same call may be repeated, the vendor's own meaning), and
//!   [`CodeTable`], the one lookup: codes match after trimming, ignoring ASCII case.
//! - [`Refusal`]: a vendor's "no" as it came (code and message verbatim), turned
//!   into an [`Error`] through a table.
//! - [`refusal_or_status`]: the one rule for answers that are not a success, and
//!   [`read_answer`] (or [`read_answer_bytes`]), the whole rule for an adapter whose
//!   parsers read a body into an [`Answer`] or a [`WireError`]: every adapter reads
//!   its answers through them.
//!
//! An adapter's `codes.rs` is then only its table (plus any rule the vendor's
//! document adds on top, such as Giftletter's two-part codes).

use crate::error::VendorCode;
use crate::error::{Error, ErrorKind};

/// One code of a vendor's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeRow {
    /// The code as the vendor's document writes it.
    pub code: &'static str,
    /// What it means in our terms.
    pub kind: ErrorKind,
    /// Whether the same call may be repeated as-is and succeed (a read is then
    /// retried by the transport; a money-moving call never is because of it).
    pub retryable: bool,
    /// The vendor's own meaning, as its document says it.
    pub meaning: &'static str,
}

impl CodeRow {
    /// A row.
    pub const fn new(code: &'static str, kind: ErrorKind, retryable: bool, meaning: &'static str) -> Self {
        Self { code, kind, retryable, meaning }
    }
}

/// A vendor's code table: the rows, and what a code it does not list means.
///
/// ```
/// use coupon_core::codes::{CodeRow, CodeTable};
/// use coupon_core::ErrorKind;
/// const TABLE: CodeTable = CodeTable::new(&[
///     CodeRow::new("P101", ErrorKind::DuplicateReference, false, "이미 존재하는 거래번호 입니다"),
///     CodeRow::new("S001", ErrorKind::Unavailable, true, "시스템 오류"),
/// ]);
/// assert_eq!(TABLE.lookup(" s001 ").map(|r| r.kind), Some(ErrorKind::Unavailable));
/// assert!(TABLE.lookup("Z999").is_none());
/// assert_eq!(TABLE.classify("Z999"), (ErrorKind::Rejected, false));
/// assert!(TABLE.is_retryable("S001"));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct CodeTable {
    rows: &'static [CodeRow],
}

/// What a code no table row names means: the vendor refused, for a reason we
/// cannot name. The code itself is always kept verbatim on the error.
pub const UNKNOWN_CODE: (ErrorKind, bool) = (ErrorKind::Rejected, false);

impl CodeTable {
    /// A table of `rows`.
    pub const fn new(rows: &'static [CodeRow]) -> Self {
        Self { rows }
    }

    /// Every row, in the document's order.
    pub fn rows(&self) -> &'static [CodeRow] {
        self.rows
    }

    /// The row of `code`: trimmed, ASCII case ignored.
    pub fn lookup(&self, code: &str) -> Option<&'static CodeRow> {
        let code = code.trim();
        self.rows.iter().find(|row| row.code.eq_ignore_ascii_case(code))
    }

    /// Kind and retryable flag of `code`; [`UNKNOWN_CODE`] when no row names it.
    pub fn classify(&self, code: &str) -> (ErrorKind, bool) {
        self.lookup(code).map_or(UNKNOWN_CODE, |row| (row.kind, row.retryable))
    }

    /// Whether the vendor's answer with `code` says "try again".
    pub fn is_retryable(&self, code: &str) -> bool {
        self.lookup(code).is_some_and(|row| row.retryable)
    }
}

/// A vendor's refusal as it came: its code and message, verbatim.
///
/// ```
/// use coupon_core::codes::{CodeRow, CodeTable, Refusal};
/// use coupon_core::ErrorKind;
/// const TABLE: CodeTable = CodeTable::new(&[CodeRow::new("E304", ErrorKind::AlreadyCancelled, false, "이미 취소")]);
/// let e = Refusal::new("E304", Some("EPIN 취소 실패".into())).into_error(&TABLE);
/// assert_eq!(e.kind(), ErrorKind::AlreadyCancelled);
/// assert_eq!(e.vendor_code().unwrap().raw(), "E304");
/// assert_eq!(e.vendor_message(), Some("EPIN 취소 실패"));
/// let unknown = Refusal::new("Q-77", None).into_error(&TABLE);
/// assert_eq!((unknown.kind(), unknown.vendor_code().unwrap().raw()), (ErrorKind::Rejected, "Q-77"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The vendor's code, verbatim (it may hold two codes, e.g. `E102:P002`).
    pub code: VendorCode,
    /// The vendor's message, verbatim, when it sent one.
    pub message: Option<String>,
}

impl Refusal {
    /// A refusal with `code` and an optional message (an empty message counts as none).
    pub fn new(code: impl Into<String>, message: Option<String>) -> Self {
        Self { code: VendorCode::new(code), message: message.filter(|m| !m.trim().is_empty()) }
    }

    /// The error, kind and retryable flag from the row of the primary code.
    pub fn into_error(self, table: &CodeTable) -> Error {
        let row = table.lookup(self.code.primary());
        let (kind, retryable) = row.map_or(UNKNOWN_CODE, |r| (r.kind, r.retryable));
        self.into_error_as(kind, retryable, row.map(|r| r.meaning))
    }

    /// The error with a kind and retryable flag the caller decided (a rule on
    /// top of the table), and the vendor's meaning when known.
    pub fn into_error_as(self, kind: ErrorKind, retryable: bool, meaning: Option<&str>) -> Error {
        let ours = match meaning {
            Some(m) => format!("the vendor refused with code {} ({m})", self.code.primary()),
            None => format!("the vendor refused with code {}, which this adapter does not know", self.code.primary()),
        };
        self.keep_on(Error::new(kind, ours).with_retryable(retryable))
    }

    /// Keeps this refusal's code and message on `e` (for errors whose kind the
    /// adapter decides from context, e.g. a duplicate after a doubt).
    pub fn keep_on(self, e: Error) -> Error {
        let e = e.with_vendor_code(self.code);
        match self.message {
            Some(m) => e.with_vendor_message(m),
            None => e,
        }
    }
}

/// A vendor's answer as a parser reads it: what was asked for, or the vendor's refusal.
pub type Answer<T> = Result<T, Refusal>;

/// An answer a parser could not understand. Its message names what was wrong (a
/// field, a position), never a PIN or a phone number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError {
    message: String,
}

impl WireError {
    /// An error with this explanation.
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
    }

    /// The explanation.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for WireError {}

/// The vendor's answer by the one rule for bodies, for a parser that reads text:
///
/// - a 2xx is decoded (its charset label, else the first of `encodings` that decodes
///   strictly) and read with `parse`: the reply, or the vendor's refusal; a body
///   `parse` cannot understand is a protocol error, which the transport makes an
///   unknown outcome for a money-moving call;
/// - a 4xx is the vendor's refusal when its body holds one, and otherwise its status
///   decides ([`refusal_or_status`] without a refusal);
/// - any other status (the transport answers none but 2xx and 4xx) is decided by the status.
///
/// A refusal comes back as `Ok(Err(refusal))`: the adapter decides what it means in
/// context (a duplicate after a doubt, an already-cancelled re-send) before mapping
/// it through its table.
#[cfg(feature = "http")]
pub fn read_answer<T>(
    resp: &crate::http::Response,
    encodings: &[&'static encoding_rs::Encoding],
    parse: impl Fn(&str) -> Result<Answer<T>, WireError>,
    table: &CodeTable,
) -> crate::Result<Answer<T>> {
    the_rule(
        resp,
        || {
            let text = resp.text_sniffed(encodings)?;
            parse(&text).map_err(|e| resp.protocol_error(e.message()).with_source(e))
        },
        table,
    )
}

/// [`read_answer`] for a parser that reads the body's bytes itself: one whose
/// vendor's charset rules are its own (labels that must agree, a default of the
/// document's), or one that reads UTF-8 JSON as bytes. Everything but the
/// decoding is the same rule.
#[cfg(feature = "http")]
pub fn read_answer_bytes<T>(
    resp: &crate::http::Response,
    parse: impl Fn(&[u8]) -> Result<Answer<T>, WireError>,
    table: &CodeTable,
) -> crate::Result<Answer<T>> {
    the_rule(resp, || parse(resp.body()).map_err(|e| resp.protocol_error(e.message()).with_source(e)), table)
}

/// The rule of [`read_answer`], whatever reads the body.
#[cfg(feature = "http")]
fn the_rule<T>(
    resp: &crate::http::Response,
    read: impl Fn() -> crate::Result<Answer<T>>,
    table: &CodeTable,
) -> crate::Result<Answer<T>> {
    if resp.is_success() {
        return read();
    }
    if (400..500).contains(&resp.status()) {
        if let Ok(Err(refusal)) = read() {
            return Ok(Err(refusal));
        }
    }
    Err(refusal_or_status(resp, None, table))
}

/// The one rule for an answer that is not a success (a 4xx other than 408 and
/// 429, which the transport retries, or a 2xx the vendor uses to refuse): when
/// its body holds a vendor code the adapter could read (`refusal`), the code
/// decides, through the table (step two of the mapping), and the HTTP status is
/// kept on the error; otherwise the HTTP status decides (step one). Every
/// adapter applies it the same way, so the same answer means the same thing
/// whichever vendor sent it.
#[cfg(feature = "http")]
pub fn refusal_or_status(resp: &crate::http::Response, refusal: Option<Refusal>, table: &CodeTable) -> Error {
    match refusal {
        Some(r) => {
            let e = r.into_error(table);
            let e = if resp.is_success() { e } else { e.with_http_status(resp.status()) };
            resp.context_only(e)
        }
        None => resp.status_error(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: CodeTable = CodeTable::new(&[
        CodeRow::new("A001", ErrorKind::Unauthenticated, false, "가맹점 인증 오류"),
        CodeRow::new("E101", ErrorKind::Unavailable, true, "EPIN 가져오기 실패"),
    ]);

    #[test]
    fn lookup_trims_and_ignores_ascii_case() {
        assert_eq!(TABLE.lookup(" a001\t").map(|r| r.code), Some("A001"));
        assert_eq!(TABLE.classify("e101"), (ErrorKind::Unavailable, true));
        assert_eq!(TABLE.classify(""), UNKNOWN_CODE);
        assert!(!TABLE.is_retryable("A001") && TABLE.is_retryable("E101") && !TABLE.is_retryable("nope"));
    }

    #[test]
    fn a_refusal_keeps_code_and_message_and_names_the_meaning() {
        let e = Refusal::new("E101:P002", Some("실패".into())).into_error(&TABLE);
        assert_eq!(e.kind(), ErrorKind::Unavailable);
        assert!(e.is_retryable());
        assert_eq!(e.vendor_code().unwrap().raw(), "E101:P002");
        assert!(e.to_string().contains("EPIN 가져오기 실패"), "{e}");
        assert_eq!(Refusal::new("X", Some("  ".into())).message, None);
    }
}
