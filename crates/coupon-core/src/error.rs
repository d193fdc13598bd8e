//! One error type for every vendor and operation.
//!
//! Errors are mapped in two steps, as OpenDAL does: first the HTTP status
//! ([`ErrorKind::from_http_status`], in the transport), then the vendor's own
//! code (each adapter's `codes.rs`). Each step sets a `retryable` flag that
//! says whether the *same* call may be repeated as-is.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::refs::PartnerRef;
use crate::vendor::Vendor;

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, in our terms. Vendor codes map onto these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The caller's input was refused before anything was sent (or the vendor says a parameter is wrong).
    InvalidInput,
    /// The configuration is missing or wrong.
    Config,
    /// The vendor refused our credentials (key, token, signature).
    Unauthenticated,
    /// The vendor refused the caller's address or account (IP not registered, partner blocked).
    PermissionDenied,
    /// The order, product, coupon or brand does not exist.
    NotFound,
    /// The partner reference was used before. See the error's message for whether this call's own earlier attempt made it.
    DuplicateReference,
    /// The coupon was already used (redeemed).
    AlreadyUsed,
    /// The coupon or order was already cancelled.
    AlreadyCancelled,
    /// A vendor limit was reached (resend count, daily limit, quantity).
    LimitExceeded,
    /// The account's balance or credit does not cover the purchase (bizmoney, prepaid points).
    InsufficientFunds,
    /// This vendor or product does not offer the operation.
    Unsupported,
    /// The vendor asked us to slow down.
    RateLimited,
    /// The vendor is down or failing (5xx, system error).
    Unavailable,
    /// The vendor refused the request for a business reason (payment failed, product not available, …).
    Rejected,
    /// The vendor's answer could not be understood (malformed body, bad charset, missing field).
    Protocol,
    /// The request could not be delivered or the answer could not be received.
    Transport,
    /// The request took longer than its timeout.
    Timeout,
    /// A money-moving request may or may not have taken effect. Reconcile with the partner reference before trying again.
    OutcomeUnknown,
}

impl ErrorKind {
    /// Every kind, in declaration order (for tables and tests).
    pub const ALL: [ErrorKind; 18] = [
        ErrorKind::InvalidInput,
        ErrorKind::Config,
        ErrorKind::Unauthenticated,
        ErrorKind::PermissionDenied,
        ErrorKind::NotFound,
        ErrorKind::DuplicateReference,
        ErrorKind::AlreadyUsed,
        ErrorKind::AlreadyCancelled,
        ErrorKind::LimitExceeded,
        ErrorKind::InsufficientFunds,
        ErrorKind::Unsupported,
        ErrorKind::RateLimited,
        ErrorKind::Unavailable,
        ErrorKind::Rejected,
        ErrorKind::Protocol,
        ErrorKind::Transport,
        ErrorKind::Timeout,
        ErrorKind::OutcomeUnknown,
    ];

    /// The snake_case name (`outcome_unknown`), as used in JSON output.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Config => "config",
            ErrorKind::Unauthenticated => "unauthenticated",
            ErrorKind::PermissionDenied => "permission_denied",
            ErrorKind::NotFound => "not_found",
            ErrorKind::DuplicateReference => "duplicate_reference",
            ErrorKind::AlreadyUsed => "already_used",
            ErrorKind::AlreadyCancelled => "already_cancelled",
            ErrorKind::LimitExceeded => "limit_exceeded",
            ErrorKind::InsufficientFunds => "insufficient_funds",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Rejected => "rejected",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Transport => "transport",
            ErrorKind::Timeout => "timeout",
            ErrorKind::OutcomeUnknown => "outcome_unknown",
        }
    }

    /// A short phrase for people.
    const fn describe(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid input",
            ErrorKind::Config => "configuration error",
            ErrorKind::Unauthenticated => "authentication refused",
            ErrorKind::PermissionDenied => "permission denied",
            ErrorKind::NotFound => "not found",
            ErrorKind::DuplicateReference => "duplicate reference",
            ErrorKind::AlreadyUsed => "coupon already used",
            ErrorKind::AlreadyCancelled => "already cancelled",
            ErrorKind::LimitExceeded => "limit exceeded",
            ErrorKind::InsufficientFunds => "insufficient funds",
            ErrorKind::Unsupported => "not supported",
            ErrorKind::RateLimited => "rate limited",
            ErrorKind::Unavailable => "vendor unavailable",
            ErrorKind::Rejected => "refused by the vendor",
            ErrorKind::Protocol => "unreadable vendor answer",
            ErrorKind::Transport => "transport failure",
            ErrorKind::Timeout => "timed out",
            ErrorKind::OutcomeUnknown => "outcome unknown",
        }
    }

    /// Step one of the mapping: an HTTP status that is not a success, as a kind
    /// and whether repeating the same request may succeed.
    ///
    /// ```
    /// use coupon_core::ErrorKind;
    /// assert_eq!(ErrorKind::from_http_status(503), (ErrorKind::Unavailable, true));
    /// assert_eq!(ErrorKind::from_http_status(401), (ErrorKind::Unauthenticated, false));
    /// ```
    pub const fn from_http_status(status: u16) -> (ErrorKind, bool) {
        match status {
            401 => (ErrorKind::Unauthenticated, false),
            403 => (ErrorKind::PermissionDenied, false),
            404 | 410 => (ErrorKind::NotFound, false),
            408 => (ErrorKind::Timeout, true),
            429 => (ErrorKind::RateLimited, true),
            502..=504 => (ErrorKind::Unavailable, true),
            500..=599 => (ErrorKind::Unavailable, false),
            300..=399 => (ErrorKind::Protocol, false),
            _ => (ErrorKind::Rejected, false),
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A vendor's result code, kept verbatim.
///
/// Giftletter may send two codes in one (`"E102:P002"`, `"E103 : P002"`): the
/// first is primary; both are kept.
///
/// ```
/// use coupon_core::VendorCode;
/// let c = VendorCode::new("E103 : P002");
/// assert_eq!(c.raw(), "E103 : P002");
/// assert_eq!(c.primary(), "E103");
/// assert_eq!(c.codes(), vec!["E103", "P002"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct VendorCode(String);

impl VendorCode {
    /// The code as the vendor sent it.
    pub fn new(raw: impl Into<String>) -> Self {
        Self(raw.into())
    }

    /// The code exactly as received.
    pub fn raw(&self) -> &str {
        &self.0
    }

    /// The first code, trimmed.
    pub fn primary(&self) -> &str {
        self.0.split(':').next().unwrap_or("").trim()
    }

    /// Every code, trimmed, in order; empty parts dropped.
    pub fn codes(&self) -> Vec<&str> {
        self.0.split(':').map(str::trim).filter(|c| !c.is_empty()).collect()
    }
}

impl fmt::Display for VendorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The error of every operation.
///
/// It carries the [`ErrorKind`], the vendor and operation, the vendor's code and
/// message verbatim, whether the same call may be retried, the caller's
/// [`PartnerRef`] where there is one, and the underlying cause. It never
/// carries a key, token, PIN or full phone number: builders take only what is
/// safe to show, and transport causes are stripped of URLs.
///
/// ```
/// use coupon_core::{Error, ErrorKind, PartnerRef, Vendor, VendorCode};
/// let e = Error::new(ErrorKind::NotFound, "no such transaction")
///     .with_vendor(Vendor::new("giftletter"))
///     .with_operation("CancelSendEPin")
///     .with_vendor_code(VendorCode::new("E102:P002"))
///     .with_vendor_message("EPin 취소 실패 : 존재하지 않는 거래번호입니다.");
/// assert_eq!(
///     e.to_string(),
///     "giftletter CancelSendEPin: not found: no such transaction [vendor code E102:P002: EPin 취소 실패 : 존재하지 않는 거래번호입니다.]"
/// );
/// assert_eq!(e.vendor_code().unwrap().primary(), "E102");
/// ```
#[derive(Clone)]
pub struct Error(Box<Inner>);

#[derive(Debug, Clone)]
struct Inner {
    kind: ErrorKind,
    message: String,
    vendor: Option<Vendor>,
    operation: Option<&'static str>,
    field: Option<String>,
    vendor_code: Option<VendorCode>,
    vendor_message: Option<String>,
    http_status: Option<u16>,
    retryable: bool,
    partner_ref: Option<PartnerRef>,
    // Set by the transport, so a caller can tell "one slow try" from "three fast failures" without parsing the message.
    attempts: Option<u32>,
    elapsed: Option<Duration>,
    // Shared so an error can be cloned, e.g. to hand one refresh failure to every waiting call.
    source: Option<Arc<dyn StdError + Send + Sync + 'static>>,
}

/// Whether repeating a call that failed this way can succeed, when nothing else says.
const fn default_retryable(kind: ErrorKind) -> bool {
    matches!(kind, ErrorKind::RateLimited | ErrorKind::Transport | ErrorKind::Timeout)
}

impl Error {
    /// An error of `kind` with our own explanation.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self(Box::new(Inner {
            kind,
            message: message.into(),
            vendor: None,
            operation: None,
            field: None,
            vendor_code: None,
            vendor_message: None,
            http_status: None,
            retryable: default_retryable(kind),
            partner_ref: None,
            attempts: None,
            elapsed: None,
            source: None,
        }))
    }

    /// Bad input refused before sending: names the field, its limit and what was given,
    /// e.g. `invalid_field("title", "is 45 bytes in CP949; the limit is 40")`.
    pub fn invalid_field(field: &str, problem: impl fmt::Display) -> Self {
        let mut e = Self::new(ErrorKind::InvalidInput, format!("`{field}` {problem}"));
        e.0.field = Some(field.to_string());
        e
    }

    /// A configuration error.
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config, message)
    }

    /// The vendor's answer could not be understood.
    pub fn protocol(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Protocol, message)
    }

    /// The operation is not offered by `vendor`.
    pub fn unsupported(vendor: Vendor, operation: &'static str) -> Self {
        Self::new(ErrorKind::Unsupported, format!("{vendor} does not offer `{operation}`"))
            .with_vendor(vendor)
            .with_operation(operation)
    }

    /// A money-moving call whose effect cannot be known. Keeps the cause.
    pub fn outcome_unknown(partner_ref: Option<PartnerRef>, message: impl Into<String>) -> Self {
        let mut e = Self::new(ErrorKind::OutcomeUnknown, message);
        e.0.partner_ref = partner_ref;
        e
    }

    /// Turns this error into [`ErrorKind::OutcomeUnknown`]: used when it happened
    /// after a money-moving request may have reached the vendor. The former kind
    /// and message stay readable in the new message, and the cause is kept.
    pub fn into_outcome_unknown(mut self) -> Self {
        if self.0.kind == ErrorKind::OutcomeUnknown {
            return self;
        }
        let was = format!("{}: {}", self.0.kind.describe(), self.0.message);
        self.0.message = format!("the request may have taken effect; reconcile before retrying ({was})");
        self.0.kind = ErrorKind::OutcomeUnknown;
        self.0.retryable = false;
        self
    }

    /// Sets the vendor.
    pub fn with_vendor(mut self, vendor: Vendor) -> Self {
        self.0.vendor = Some(vendor);
        self
    }

    /// Sets the operation (the vendor's endpoint name, e.g. `SendEPin`, or ours, e.g. `issue`).
    pub fn with_operation(mut self, operation: &'static str) -> Self {
        self.0.operation = Some(operation);
        self
    }

    /// Sets the vendor's result code (kept verbatim).
    pub fn with_vendor_code(mut self, code: VendorCode) -> Self {
        self.0.vendor_code = Some(code);
        self
    }

    /// Sets the vendor's own message (kept verbatim; empty is ignored).
    pub fn with_vendor_message(mut self, message: impl Into<String>) -> Self {
        let m = message.into();
        self.0.vendor_message = (!m.trim().is_empty()).then_some(m);
        self
    }

    /// Sets the HTTP status of the answer, where one came.
    pub fn with_http_status(mut self, status: u16) -> Self {
        self.0.http_status = Some(status);
        self
    }

    /// Sets whether the same call may be repeated as-is.
    pub fn with_retryable(mut self, retryable: bool) -> Self {
        self.0.retryable = retryable && self.0.kind != ErrorKind::OutcomeUnknown;
        self
    }

    /// Sets the caller's reference.
    pub fn with_partner_ref(mut self, partner_ref: PartnerRef) -> Self {
        self.0.partner_ref = Some(partner_ref);
        self
    }

    /// Sets the caller's reference when there is one.
    pub fn with_partner_ref_opt(mut self, partner_ref: Option<&PartnerRef>) -> Self {
        if let Some(r) = partner_ref {
            self.0.partner_ref = Some(r.clone());
        }
        self
    }

    /// Sets how many times the request was sent (or tried to be sent) before this error.
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        self.0.attempts = Some(attempts);
        self
    }

    /// Sets how long the call ran, retries and waits included, before this error.
    pub fn with_elapsed(mut self, elapsed: Duration) -> Self {
        self.0.elapsed = Some(elapsed);
        self
    }

    /// Sets the field an [`ErrorKind::InvalidInput`] is about.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.0.field = Some(field.into());
        self
    }

    /// Sets the underlying cause. Do not pass errors whose text may hold a
    /// secret (a `reqwest::Error` with its URL, for one: strip it first).
    pub fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.0.source = Some(Arc::new(source));
        self
    }

    /// Adds what the adapter learned after the error (a lookup that settled or
    /// explains it) to our explanation: `message; note`.
    pub fn with_note(mut self, note: impl fmt::Display) -> Self {
        self.0.message = format!("{}; {note}", self.0.message);
        self
    }

    /// Adds vendor and operation where they are not set yet.
    pub fn in_context(mut self, vendor: Vendor, operation: &'static str) -> Self {
        self.0.vendor.get_or_insert(vendor);
        self.0.operation.get_or_insert(operation);
        self
    }

    /// Sets the caller's reference when the error has none yet: an operation's
    /// reference completes its errors without replacing one a step inside it set.
    pub fn or_partner_ref(mut self, partner_ref: Option<&PartnerRef>) -> Self {
        if self.0.partner_ref.is_none() {
            self.0.partner_ref = partner_ref.cloned();
        }
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// Our explanation, without the context Display adds.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The vendor, when the error comes from one.
    pub fn vendor(&self) -> Option<Vendor> {
        self.0.vendor
    }

    /// The operation.
    pub fn operation(&self) -> Option<&'static str> {
        self.0.operation
    }

    /// The field an input error is about.
    pub fn field(&self) -> Option<&str> {
        self.0.field.as_deref()
    }

    /// The vendor's code, verbatim.
    pub fn vendor_code(&self) -> Option<&VendorCode> {
        self.0.vendor_code.as_ref()
    }

    /// The vendor's message, verbatim.
    pub fn vendor_message(&self) -> Option<&str> {
        self.0.vendor_message.as_deref()
    }

    /// The HTTP status, where an answer came.
    pub fn http_status(&self) -> Option<u16> {
        self.0.http_status
    }

    /// Whether repeating the same call may succeed. Never true for [`ErrorKind::OutcomeUnknown`].
    pub fn is_retryable(&self) -> bool {
        self.0.retryable
    }

    /// The caller's reference for the call, when it had one.
    pub fn partner_ref(&self) -> Option<&PartnerRef> {
        self.0.partner_ref.as_ref()
    }

    /// How many attempts the transport made, when the error comes from a call
    /// it sent (or tried to send); more than 1 means it retried.
    pub fn attempts(&self) -> Option<u32> {
        self.0.attempts
    }

    /// How long the transport's call ran, attempts and backoff waits
    /// included, when the error comes from a call it sent (or tried to send).
    pub fn elapsed(&self) -> Option<Duration> {
        self.0.elapsed
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.0;
        match (i.vendor, i.operation) {
            (Some(v), Some(op)) => write!(f, "{v} {op}: ")?,
            (Some(v), None) => write!(f, "{v}: ")?,
            (None, Some(op)) => write!(f, "{op}: ")?,
            (None, None) => {}
        }
        f.write_str(i.kind.describe())?;
        if !i.message.is_empty() {
            write!(f, ": {}", i.message)?;
        }
        if let Some(status) = i.http_status {
            write!(f, " (HTTP {status})")?;
        }
        match (&i.vendor_code, &i.vendor_message) {
            (Some(c), Some(m)) => write!(f, " [vendor code {c}: {m}]")?,
            (Some(c), None) => write!(f, " [vendor code {c}]")?,
            (None, Some(m)) => write!(f, " [vendor says: {m}]")?,
            (None, None) => {}
        }
        if let Some(r) = &i.partner_ref {
            write!(f, " (partner ref {r})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.0.source.as_deref().map(|e| e as &(dyn StdError + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_reads_well_with_and_without_context() {
        assert_eq!(Error::new(ErrorKind::Timeout, "no answer in 15 s").to_string(), "timed out: no answer in 15 s");
        let e = Error::invalid_field("title", "is 45 bytes in CP949; the limit is 40");
        assert_eq!(e.to_string(), "invalid input: `title` is 45 bytes in CP949; the limit is 40");
        let e = Error::new(ErrorKind::Unavailable, "the vendor answered 503")
            .with_vendor(Vendor::new("giftimbiz"))
            .with_operation("listAll")
            .with_http_status(503)
            .with_retryable(true);
        assert_eq!(e.to_string(), "giftimbiz listAll: vendor unavailable: the vendor answered 503 (HTTP 503)");
        let e = Error::new(ErrorKind::Rejected, "payment failed")
            .with_vendor_message("결제실패")
            .with_partner_ref(PartnerRef::new("r-1"));
        assert_eq!(e.to_string(), "refused by the vendor: payment failed [vendor says: 결제실패] (partner ref r-1)");
    }

    #[test]
    fn a_note_extends_our_explanation_and_keeps_the_vendors_words() {
        let e = Error::new(ErrorKind::Unavailable, "the vendor refused with code X")
            .with_vendor_code(VendorCode::new("X"))
            .with_vendor_message("실패")
            .with_note("no coupon exists for it");
        assert_eq!(e.message(), "the vendor refused with code X; no coupon exists for it");
        assert_eq!((e.vendor_code().map(VendorCode::raw), e.vendor_message()), (Some("X"), Some("실패")));
    }

    #[test]
    fn outcome_unknown_is_never_retryable_and_keeps_what_happened() {
        let e = Error::new(ErrorKind::Timeout, "no answer in 30 s")
            .with_partner_ref(PartnerRef::new("CP1"))
            .into_outcome_unknown()
            .with_retryable(true);
        assert_eq!(e.kind(), ErrorKind::OutcomeUnknown);
        assert!(!e.is_retryable());
        assert!(e.to_string().contains("timed out: no answer in 30 s"), "{e}");
        assert!(e.to_string().contains("partner ref CP1"), "{e}");
    }

    #[test]
    fn vendor_codes_are_kept_verbatim_and_split() {
        let c = VendorCode::new("E102:P002");
        assert_eq!((c.raw(), c.primary(), c.codes()), ("E102:P002", "E102", vec!["E102", "P002"]));
        let c = VendorCode::new("WEIRD-9");
        assert_eq!((c.primary(), c.codes()), ("WEIRD-9", vec!["WEIRD-9"]));
        assert_eq!(VendorCode::new("").codes(), Vec::<&str>::new());
    }

    #[test]
    fn http_statuses_map_with_a_retryable_flag() {
        let table = [
            (400, ErrorKind::Rejected, false),
            (401, ErrorKind::Unauthenticated, false),
            (403, ErrorKind::PermissionDenied, false),
            (404, ErrorKind::NotFound, false),
            (408, ErrorKind::Timeout, true),
            (429, ErrorKind::RateLimited, true),
            (500, ErrorKind::Unavailable, false),
            (502, ErrorKind::Unavailable, true),
            (503, ErrorKind::Unavailable, true),
            (504, ErrorKind::Unavailable, true),
            (302, ErrorKind::Protocol, false),
        ];
        for (status, kind, retry) in table {
            assert_eq!(ErrorKind::from_http_status(status), (kind, retry), "{status}");
        }
    }

    #[test]
    fn kind_names_are_snake_case_and_unique() {
        let names: std::collections::HashSet<_> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), ErrorKind::ALL.len());
        assert!(names.iter().all(|n| n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')));
    }

    #[test]
    fn errors_are_send_sync_and_small() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<Error>();
        let e = Error::new(ErrorKind::Unauthenticated, "refresh refused").with_source(std::fmt::Error);
        let copy = e.clone();
        assert_eq!(copy.to_string(), e.to_string());
        assert!(copy.source().is_some());
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn attempts_and_elapsed_are_kept_through_outcome_unknown() {
        let e = Error::new(ErrorKind::Timeout, "no answer");
        assert_eq!((e.attempts(), e.elapsed()), (None, None));
        let e = e.with_attempts(2).with_elapsed(Duration::from_millis(1003)).into_outcome_unknown();
        assert_eq!((e.attempts(), e.elapsed()), (Some(2), Some(Duration::from_millis(1003))));
        assert_eq!(e.clone().attempts(), Some(2));
    }
}
