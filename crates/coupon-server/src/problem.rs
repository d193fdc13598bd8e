//! Every error the service answers, as an RFC 9457 problem document
//! (`application/problem+json`): a stable `type` per kind, the HTTP status, and the
//! library's facts beside them (its kind, the vendor and its code kept verbatim,
//! whether a retry may help, the partner reference, the field at fault).
//!
//! The library's [`coupon_core::Error`] already keeps keys, tokens, PINs and full phone
//! numbers out of its message; nothing here adds one.

use axum::Json;
use axum::response::{IntoResponse, Response};
use coupon_core::{Error, ErrorKind};
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// The media type of a problem document.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document, with this service's extension members.
#[derive(Clone, Debug, Serialize, serde::Deserialize, ToSchema, PartialEq)]
pub struct Problem {
    /// `urn:coupon:problem:<kind>`: one per kind, stable.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// A short summary of the kind.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What happened, for a person.
    pub detail: String,
    /// The kind: the library's `ErrorKind` in snake case (`invalid_input`, `outcome_unknown`, …), or this
    /// service's own (`unauthorized`, `forbidden`, `idempotency_mismatch`, `in_flight`, `not_found`, …).
    pub kind: String,
    /// Whether the same request may succeed later (after `Retry-After`, when given).
    pub retryable: bool,
    /// The vendor involved, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// The vendor's own code, verbatim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor_code: Option<String>,
    /// The partner reference of the coupon concerned: reconcile with it, never issue again under a new one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_ref: Option<String>,
    /// The request field at fault (a JSON pointer-like dotted name, a header or a query parameter).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The capability an operation needs and the adapter lacks (on `501`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capability: Option<String>,
    /// Further members of a kind (an idempotency record's `key` and `state`, a campaign's bad lines, …).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub extra: Map<String, Value>,
}

impl Problem {
    /// A problem of this service's own kind.
    pub fn new(status: StatusCode, kind: &str, detail: impl Into<String>) -> Self {
        Self {
            type_uri: format!("urn:coupon:problem:{kind}"),
            title: title_of(kind),
            status: status.as_u16(),
            detail: detail.into(),
            kind: kind.to_string(),
            retryable: false,
            vendor: None,
            vendor_code: None,
            partner_ref: None,
            field: None,
            capability: None,
            extra: Map::new(),
        }
    }

    /// `400 invalid_input` naming `field`.
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_input", detail).field(field)
    }

    /// `404 not_found`.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", detail)
    }

    /// `500 internal`: the service itself failed (its journal, most often). Retryable: nothing moved.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", detail).retryable(true)
    }

    /// `501 unsupported`: `vendor`'s adapter lacks `capability`.
    pub fn unsupported(vendor: &str, capability: &str) -> Self {
        let mut p = Self::new(
            StatusCode::NOT_IMPLEMENTED,
            "unsupported",
            format!("the {vendor} adapter does not offer `{capability}`"),
        );
        p.vendor = Some(vendor.to_string());
        p.capability = Some(capability.to_string());
        p
    }

    /// Sets the field at fault.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Sets whether a retry may help.
    pub fn retryable(mut self, retryable: bool) -> Self {
        self.retryable = retryable;
        self
    }

    /// Adds an extension member.
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(name.to_string(), value.into());
        self
    }

    /// The HTTP status.
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The document as JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }
}

/// The HTTP status of a library error, by kind. The vendor's refusals of *our* credentials or address are the
/// service's upstream failing (`502`), never `401`/`403`: those are about the caller's API key.
pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::InvalidInput => StatusCode::BAD_REQUEST,
        ErrorKind::Config => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorKind::Unauthenticated | ErrorKind::PermissionDenied => StatusCode::BAD_GATEWAY,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::DuplicateReference | ErrorKind::AlreadyUsed | ErrorKind::AlreadyCancelled => StatusCode::CONFLICT,
        ErrorKind::LimitExceeded | ErrorKind::Rejected => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::InsufficientFunds => StatusCode::PAYMENT_REQUIRED,
        ErrorKind::Unsupported => StatusCode::NOT_IMPLEMENTED,
        ErrorKind::RateLimited | ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Protocol | ErrorKind::Transport => StatusCode::BAD_GATEWAY,
        ErrorKind::Timeout | ErrorKind::OutcomeUnknown => StatusCode::GATEWAY_TIMEOUT,
        // A kind added later: the upstream failed in a way this release does not place.
        _ => StatusCode::BAD_GATEWAY,
    }
}

/// `ErrorKind` in snake case, as the problem's `kind`.
pub fn kind_name(kind: ErrorKind) -> String {
    let debug = format!("{kind:?}");
    let mut out = String::with_capacity(debug.len() + 4);
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn title_of(kind: &str) -> String {
    let mut t = kind.replace('_', " ");
    if let Some(first) = t.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    t
}

impl From<&Error> for Problem {
    fn from(e: &Error) -> Self {
        let kind = e.kind();
        let mut p = Problem::new(status_of(kind), &kind_name(kind), e.to_string()).retryable(e.is_retryable());
        p.vendor = e.vendor().map(|v| v.as_str().to_string());
        p.vendor_code = e.vendor_code().map(|c| c.raw().to_string());
        p.partner_ref = e.partner_ref().map(|r| r.as_str().to_string());
        p.field = e.field().map(str::to_string);
        if kind == ErrorKind::Unsupported {
            p.capability = e.operation().map(str::to_string);
        }
        p
    }
}

impl From<Error> for Problem {
    fn from(e: Error) -> Self {
        Problem::from(&e)
    }
}

impl From<coupon_journal::JournalError> for Problem {
    fn from(e: coupon_journal::JournalError) -> Self {
        // The journal's own rule hides a URL's password; its message names no secret.
        tracing::error!(error = %e, "journal failed");
        Problem::internal(format!("the service's journal failed: {e}"))
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let retry_after = self.extra.get("retry_after_seconds").and_then(Value::as_u64);
        let mut response = (status, Json(self)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(seconds) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// A handler's result: its answer, or a problem document.
pub type ApiResult<T> = Result<T, Problem>;

#[cfg(test)]
mod tests {
    use coupon_core::{PartnerRef, Vendor, VendorCode};

    use super::*;

    #[test]
    fn a_library_error_keeps_its_kind_vendor_code_retryability_and_reference() {
        let e = Error::new(ErrorKind::Rejected, "product sold out")
            .with_vendor(Vendor::new("giftishow"))
            .with_vendor_code(VendorCode::new("ERR0805"))
            .with_partner_ref(PartnerRef::new("CS1"))
            .with_retryable(false);
        let p = Problem::from(&e);
        assert_eq!((p.status, p.kind.as_str(), p.type_uri.as_str()), (422, "rejected", "urn:coupon:problem:rejected"));
        assert_eq!(p.vendor.as_deref(), Some("giftishow"));
        assert_eq!(p.vendor_code.as_deref(), Some("ERR0805"));
        assert_eq!(p.partner_ref.as_deref(), Some("CS1"));
        assert!(!p.retryable);
    }

    #[test]
    fn every_kind_has_a_snake_case_name_and_a_status() {
        assert_eq!(kind_name(ErrorKind::OutcomeUnknown), "outcome_unknown");
        assert_eq!(kind_name(ErrorKind::InvalidInput), "invalid_input");
        for kind in ErrorKind::ALL {
            assert!(kind_name(kind).chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            assert!(status_of(kind).as_u16() >= 400);
        }
    }

    #[test]
    fn an_unsupported_operation_is_501_naming_the_capability() {
        let p = Problem::unsupported("coufun", "cancel");
        assert_eq!((p.status, p.capability.as_deref()), (501, Some("cancel")));
        assert_eq!(p.title, "Unsupported");
    }
}
