//! A vendor's answer, read whole under the size cap.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use encoding_rs::Encoding;
use reqwest::header::HeaderMap;

use super::retry::CallSafety;
use crate::error::{Error, ErrorKind};
use crate::refs::PartnerRef;
use crate::text::{
    Malformed, charset_of_content_type, decode_sniffed, decode_strict, encoding_for_label, xml_declared_encoding,
};
use crate::vendor::Vendor;

/// A complete answer: status, headers, body, and the call it answers.
///
/// Errors built from it (parse failures, statuses) carry the vendor, the
/// operation, the partner reference, the attempts made and the time spent
/// ([`Error::attempts`], [`Error::elapsed`]), and on a money-moving call they become
/// [`ErrorKind::OutcomeUnknown`]: an answer we cannot read does not prove the
/// request failed.
pub struct Response {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) attempts: u32,
    pub(crate) doubtful_attempts: u32,
    pub(crate) elapsed: Duration,
    pub(crate) vendor: Vendor,
    pub(crate) operation: &'static str,
    pub(crate) safety: CallSafety,
    pub(crate) partner_ref: Option<PartnerRef>,
    pub(crate) default_charset: &'static Encoding,
}

impl Response {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// True for 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The raw body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// How many attempts it took; more than 1 means the request was sent again.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// How long the call took until this answer was read whole, earlier
    /// attempts and backoff waits included.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// A header's value, when it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// True when this answer came from a re-send after an earlier attempt that
    /// may have taken effect (its answer was lost). On a deduplicated call, a
    /// "duplicate reference" answer then means the earlier attempt succeeded.
    /// An earlier attempt that provably never left does not count.
    pub fn resent_after_doubt(&self) -> bool {
        self.doubtful_attempts > 0
    }

    /// The call's safety.
    pub fn safety(&self) -> CallSafety {
        self.safety
    }

    /// The caller's reference of the call.
    pub fn partner_ref(&self) -> Option<&PartnerRef> {
        self.partner_ref.as_ref()
    }

    /// The encoding the body declares: `Content-Type` charset first, then an
    /// XML declaration, then the call's default. An unknown label is an error.
    pub fn declared_encoding(&self) -> Result<&'static Encoding, Error> {
        let label =
            self.header("content-type").and_then(charset_of_content_type).or_else(|| xml_declared_encoding(&self.body));
        match label {
            None => Ok(self.default_charset),
            Some(l) => encoding_for_label(l).ok_or_else(|| self.protocol_error(format!("unknown charset label {l:?}"))),
        }
    }

    /// The body as text, decoded strictly in its declared encoding.
    pub fn text(&self) -> Result<String, Error> {
        let enc = self.declared_encoding()?;
        decode_strict(&self.body, enc).map_err(|e| self.malformed(e))
    }

    /// The body as text when no label can be trusted: the `Content-Type`
    /// label if present, else the first candidate that decodes strictly.
    pub fn text_sniffed(&self, candidates: &[&'static Encoding]) -> Result<String, Error> {
        if let Some(l) = self.header("content-type").and_then(charset_of_content_type) {
            let enc =
                encoding_for_label(l).ok_or_else(|| self.protocol_error(format!("unknown charset label {l:?}")))?;
            return decode_strict(&self.body, enc).map_err(|e| self.malformed(e));
        }
        decode_sniffed(&self.body, candidates).map(|(s, _)| s).map_err(|e| self.malformed(e))
    }

    fn malformed(&self, e: Malformed) -> Error {
        self.protocol_error(e.to_string()).with_source(e)
    }

    /// An error saying the answer could not be understood, in this call's
    /// context: [`ErrorKind::Protocol`], or [`ErrorKind::OutcomeUnknown`] for a money-moving call.
    pub fn protocol_error(&self, message: impl Into<String>) -> Error {
        self.contextualize(Error::protocol(message).with_http_status(self.status))
    }

    /// The error for a status that is not a success, when the body has no
    /// vendor code to say more (step one of the two-step mapping).
    pub fn status_error(&self) -> Error {
        let (kind, retryable) = ErrorKind::from_http_status(self.status);
        let e = Error::new(kind, format!("the vendor answered HTTP {}", self.status))
            .with_http_status(self.status)
            .with_retryable(retryable);
        // A 4xx is a refusal: definite even for a money-moving call.
        if (400..500).contains(&self.status) { self.context_only(e) } else { self.contextualize(e) }
    }

    /// Adds vendor, operation, partner reference, attempts and elapsed time; for a money-moving call,
    /// turns the error into [`ErrorKind::OutcomeUnknown`].
    pub fn contextualize(&self, e: Error) -> Error {
        let e = self.context_only(e);
        if self.safety.moves_money() { e.into_outcome_unknown() } else { e }
    }

    /// Adds vendor, operation, partner reference, attempts and elapsed time
    /// only: for vendor refusals, which are definite.
    pub fn context_only(&self, e: Error) -> Error {
        e.in_context(self.vendor, self.operation)
            .with_partner_ref_opt(self.partner_ref.as_ref())
            .with_attempts(self.attempts)
            .with_elapsed(self.elapsed)
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body may hold PINs; show its size only.
        f.debug_struct("Response")
            .field("vendor", &self.vendor)
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("body_bytes", &self.body.len())
            .field("attempts", &self.attempts)
            .field("doubtful_attempts", &self.doubtful_attempts)
            .field("elapsed", &self.elapsed)
            .finish()
    }
}
