//! Fault injection: what can go wrong on the wire, queued per path prefix and applied
//! around the vendor handlers.

use std::io;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderValue, Request, StatusCode};
use serde::{Deserialize, Serialize};
use tower::ServiceExt;

use crate::error::AdminError;

/// Longest latency or hold a fault may add, so a typo cannot hang a test run for hours.
pub const MAX_LATENCY_MS: u64 = 600_000;

/// The body a [`FaultKind::Malformed`] response carries: not UTF-8, not JSON, not XML.
pub const MALFORMED_BODY: &[u8] = b"\xff\xfe{\"not json";

/// What goes wrong with a request. Serialized as `{"kind": "latency", "ms": 1500}` etc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Waits `ms` milliseconds, then handles the request normally.
    Latency {
        /// Delay in milliseconds, at most [`MAX_LATENCY_MS`].
        ms: u64,
    },
    /// Answers `status` with a small HTML page, as a proxy or load balancer in front of
    /// the vendor would, without running the handler.
    Status {
        /// HTTP status, 200..=599.
        status: u16,
    },
    /// Runs the handler (the request takes effect), then closes the connection without
    /// sending any response: the outcome is unknown to the caller.
    Drop,
    /// Closes the connection without running the handler and without any response.
    DropUnprocessed,
    /// Runs the handler, sends the headers with the true `Content-Length` and only the
    /// first half of the body, then closes the connection.
    Truncate,
    /// Runs the handler and replaces its body with [`MALFORMED_BODY`], keeping its status
    /// and headers (with a corrected `Content-Length`).
    Malformed,
    /// Runs the handler (the request takes effect), holds the answer `ms` milliseconds,
    /// then closes the connection without sending it: a vendor that acted but whose
    /// answer never arrives, after a wait (a client timeout shorter than `ms` sees a
    /// timeout, a longer one a closed connection).
    HoldThenDrop {
        /// How long the answer is held, at most [`MAX_LATENCY_MS`].
        ms: u64,
    },
    /// Runs the handler (the request takes effect), holds the answer `ms` milliseconds,
    /// then sends it: a vendor that acted at once but answers late (unlike
    /// [`Latency`](Self::Latency), which waits before acting).
    HoldThenAnswer {
        /// How long the answer is held, at most [`MAX_LATENCY_MS`].
        ms: u64,
    },
    /// Runs the handler, then sends this answer instead of its own: a vendor
    /// answering something its document does not show (an unknown code, an
    /// HTML page with status 200, …).
    Replace {
        /// HTTP status, 200..=599.
        status: u16,
        /// The `Content-Type` header.
        content_type: String,
        /// The body, as text (UTF-8 on the wire).
        body: String,
    },
}

/// A queued fault: the next `count` requests whose path starts with `path_prefix` get
/// `fault`. Body of `POST /_sandbox/faults`.
///
/// ```
/// use coupon_sandbox::{FaultKind, FaultSpec};
///
/// let spec = FaultSpec::new("/giftletter/SendEPin", FaultKind::Drop).times(2);
/// let json = serde_json::to_value(&spec).unwrap();
/// assert_eq!(
///     json,
///     serde_json::json!({"path_prefix": "/giftletter/SendEPin", "count": 2, "fault": {"kind": "drop"}})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// Matched against the start of the request path (no query string), as sent:
    /// `/giftletter/SendEPin`, or `/giftimbiz` for every GiftiMbiz call.
    pub path_prefix: String,
    /// How many matching requests it applies to; 1 when absent. In the pending list
    /// (`GET /_sandbox/faults`) this is how many are left.
    #[serde(default = "one")]
    pub count: u32,
    /// What goes wrong.
    pub fault: FaultKind,
}

fn one() -> u32 {
    1
}

impl FaultSpec {
    /// `fault` for the next request whose path starts with `path_prefix`.
    pub fn new(path_prefix: impl Into<String>, fault: FaultKind) -> Self {
        Self { path_prefix: path_prefix.into(), count: 1, fault }
    }

    /// Applies to the next `count` matching requests instead of one.
    pub fn times(mut self, count: u32) -> Self {
        self.count = count;
        self
    }

    /// Checks the values the sandbox cannot honour.
    ///
    /// # Errors
    ///
    /// [`AdminError::BadRequest`] naming the offending field.
    pub fn validate(&self) -> Result<(), AdminError> {
        let bad = |msg: String| Err(AdminError::BadRequest(msg));
        if !self.path_prefix.starts_with('/') {
            return bad(format!("path_prefix must start with '/', got {:?}", self.path_prefix));
        }
        if self.path_prefix == "/_sandbox" || self.path_prefix.starts_with("/_sandbox/") {
            return bad("faults never apply to the admin API (/_sandbox/...)".to_owned());
        }
        if self.count == 0 {
            return bad("count must be at least 1".to_owned());
        }
        match self.fault {
            FaultKind::Latency { ms } if ms > MAX_LATENCY_MS => {
                bad(format!("latency ms must be at most {MAX_LATENCY_MS}, got {ms}"))
            }
            FaultKind::HoldThenDrop { ms } | FaultKind::HoldThenAnswer { ms } if ms > MAX_LATENCY_MS => {
                bad(format!("hold ms must be at most {MAX_LATENCY_MS}, got {ms}"))
            }
            FaultKind::Status { status } | FaultKind::Replace { status, .. } if !(200..=599).contains(&status) => {
                bad(format!("status must be within 200..=599, got {status}"))
            }
            _ => Ok(()),
        }
    }
}

/// Pending faults, in the order they were queued.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    pending: Vec<FaultSpec>,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, spec: FaultSpec) {
        self.pending.push(spec);
    }

    /// Uses up one application of the oldest fault matching `path`.
    pub(crate) fn take(&mut self, path: &str) -> Option<FaultKind> {
        let index = self.pending.iter().position(|spec| path.starts_with(&spec.path_prefix))?;
        let spec = &mut self.pending[index];
        spec.count = spec.count.saturating_sub(1);
        let fault = spec.fault.clone();
        if spec.count == 0 {
            self.pending.remove(index);
        }
        Some(fault)
    }

    pub(crate) fn pending(&self) -> Vec<FaultSpec> {
        self.pending.clone()
    }

    pub(crate) fn clear(&mut self) {
        self.pending.clear();
    }
}

/// Returned to hyper instead of a response: hyper then closes the connection without
/// writing anything, which is the only way to make a client see "no answer at all".
#[derive(Debug, thiserror::Error)]
#[error("connection closed by the sandbox: {0}")]
pub(crate) struct Abort(&'static str);

/// Handles `req` with `app`, with `fault` applied when there is one.
pub(crate) async fn apply(fault: Option<FaultKind>, app: Router, req: Request<Body>) -> Result<Response, Abort> {
    let Some(fault) = fault else {
        return Ok(run(app, req).await);
    };
    match fault {
        FaultKind::Latency { ms } => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok(run(app, req).await)
        }
        FaultKind::Status { status } => Ok(status_page(status)),
        FaultKind::DropUnprocessed => Err(Abort("drop_unprocessed fault")),
        FaultKind::Drop => {
            // Reading the whole body makes sure a streaming handler finished its work
            // before the caller learns (by the closed connection) that it got no answer.
            let _ = collect(run(app, req).await).await;
            Err(Abort("drop fault"))
        }
        FaultKind::Truncate => {
            let (mut parts, body) = collect(run(app, req).await).await?;
            parts.headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
            let half = body.slice(..body.len() / 2);
            let chunks = stream::once(async move { Ok::<_, io::Error>(half) }).chain(stream::once(async {
                // One pending poll lets hyper flush the half body to the socket
                // before the error below makes it close the connection.
                tokio::task::yield_now().await;
                Err(io::Error::other("truncate fault"))
            }));
            Ok(Response::from_parts(parts, Body::from_stream(chunks)))
        }
        FaultKind::Malformed => {
            let (mut parts, _) = collect(run(app, req).await).await?;
            parts.headers.remove(CONTENT_LENGTH);
            Ok(Response::from_parts(parts, Body::from(Bytes::from_static(MALFORMED_BODY))))
        }
        FaultKind::HoldThenDrop { ms } => {
            // The whole body first: the handler has finished acting before the hold starts.
            let _ = collect(run(app, req).await).await;
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Err(Abort("hold_then_drop fault"))
        }
        FaultKind::HoldThenAnswer { ms } => {
            let (parts, body) = collect(run(app, req).await).await?;
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok(Response::from_parts(parts, Body::from(body)))
        }
        FaultKind::Replace { status, content_type, body } => {
            let _ = collect(run(app, req).await).await?;
            let mut response = Response::new(Body::from(body));
            *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let content_type = HeaderValue::from_str(&content_type)
                .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
            response.headers_mut().insert(CONTENT_TYPE, content_type);
            Ok(response)
        }
    }
}

async fn run(app: Router, req: Request<Body>) -> Response {
    match app.oneshot(req).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

async fn collect(response: Response) -> Result<(http::response::Parts, Bytes), Abort> {
    let (parts, body) = response.into_parts();
    // Our own handlers' bodies: no size limit needed.
    match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => Ok((parts, bytes)),
        Err(_) => Err(Abort("handler body failed")),
    }
}

fn status_page(status: u16) -> Response {
    // validate() keeps status in 200..=599, so the fallback only guards a queue
    // filled without it.
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let reason = status.canonical_reason().unwrap_or("Error");
    let page = format!("<html><body><h1>{} {reason}</h1></body></html>", status.as_u16());
    let mut response = Response::new(Body::from(page));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_applies_in_order_and_counts_down() {
        let mut queue = FaultQueue::default();
        queue.push(FaultSpec::new("/giftletter/SendEPin", FaultKind::Drop).times(2));
        queue.push(FaultSpec::new("/giftletter", FaultKind::Malformed));
        queue.push(FaultSpec::new("/coufun", FaultKind::Truncate));

        assert_eq!(queue.take("/giftimbiz/api"), None);
        assert_eq!(queue.take("/giftletter/SendEPin"), Some(FaultKind::Drop));
        assert_eq!(queue.pending()[0].count, 1);
        assert_eq!(queue.take("/giftletter/getGoodsInfo"), Some(FaultKind::Malformed));
        assert_eq!(queue.take("/giftletter/SendEPin"), Some(FaultKind::Drop));
        assert_eq!(queue.take("/giftletter/SendEPin"), None);
        assert_eq!(queue.pending().len(), 1);
        queue.clear();
        assert_eq!(queue.take("/coufun/b2c_api"), None);
    }

    #[test]
    fn spec_json_has_default_count_and_snake_case_kinds() {
        let spec: FaultSpec =
            serde_json::from_str(r#"{"path_prefix": "/coufun", "fault": {"kind": "drop_unprocessed"}}"#)
                .expect("valid spec");
        assert_eq!(spec, FaultSpec::new("/coufun", FaultKind::DropUnprocessed));
        let latency: FaultKind = serde_json::from_str(r#"{"kind": "latency", "ms": 250}"#).expect("valid kind");
        assert_eq!(latency, FaultKind::Latency { ms: 250 });
        let hold: FaultKind = serde_json::from_str(r#"{"kind": "hold_then_drop", "ms": 250}"#).expect("valid kind");
        assert_eq!(hold, FaultKind::HoldThenDrop { ms: 250 });
        let hold: FaultKind = serde_json::from_str(r#"{"kind": "hold_then_answer", "ms": 9}"#).expect("valid kind");
        assert_eq!(hold, FaultKind::HoldThenAnswer { ms: 9 });
    }

    #[test]
    fn validation_rejects_what_cannot_be_honoured() {
        let ok = FaultSpec::new("/giftletter", FaultKind::Status { status: 503 });
        assert_eq!(ok.validate(), Ok(()));
        for bad in [
            FaultSpec::new("giftletter", FaultKind::Drop),
            FaultSpec::new("/_sandbox/stats", FaultKind::Drop),
            FaultSpec::new("/giftletter", FaultKind::Drop).times(0),
            FaultSpec::new("/giftletter", FaultKind::Status { status: 99 }),
            FaultSpec::new("/giftletter", FaultKind::Status { status: 600 }),
            FaultSpec::new("/giftletter", FaultKind::Latency { ms: MAX_LATENCY_MS + 1 }),
            FaultSpec::new("/giftletter", FaultKind::HoldThenDrop { ms: MAX_LATENCY_MS + 1 }),
            FaultSpec::new("/giftletter", FaultKind::HoldThenAnswer { ms: MAX_LATENCY_MS + 1 }),
        ] {
            assert!(matches!(bad.validate(), Err(AdminError::BadRequest(_))), "{bad:?}");
        }
    }
}
