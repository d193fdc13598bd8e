//! Errors: [`SandboxError`] for starting the server and calling it, [`AdminError`] for
//! answers of the admin API.

use std::net::SocketAddr;

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::StatusCode;

/// Why the sandbox could not start, or why an admin call made through
/// [`SandboxAdmin`](crate::SandboxAdmin) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The sandbox only listens on loopback (127.0.0.0/8 or ::1): it has no
    /// authentication and is never meant to be reachable from another machine.
    #[error("refusing to listen on {0}: the sandbox only listens on loopback (127.0.0.0/8 or ::1)")]
    NonLoopback(SocketAddr),
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// Two emulators share a name, or a name cannot be used as a route prefix.
    #[error("invalid emulator name {0:?}: {1}")]
    EmulatorName(String, &'static str),
    /// Waiting for ctrl-c failed.
    #[error("cannot wait for ctrl-c: {0}")]
    Signal(#[source] std::io::Error),
    /// The admin API could not be reached, or its answer could not be read.
    #[error("sandbox admin request failed: {0}")]
    Http(#[from] reqwest::Error),
    /// The admin API answered with an error status.
    #[error("sandbox admin API answered {status}: {message}")]
    Admin {
        /// HTTP status of the answer.
        status: u16,
        /// The `error` field of the answer, or its raw body when it had none.
        message: String,
    },
}

/// An error answered by the admin API (and by [`Emulator::redeem`](crate::Emulator::redeem)),
/// rendered as JSON `{"error": "..."}` with the matching HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AdminError {
    /// 400: the request is malformed or a value is out of range.
    #[error("{0}")]
    BadRequest(String),
    /// 404: no such vendor, coupon or route.
    #[error("{0}")]
    NotFound(String),
    /// 409: the request is valid but the state forbids it (already used, cancelled, ...).
    #[error("{0}")]
    Conflict(String),
    /// 501: the sandbox does not emulate this yet.
    #[error("{0}")]
    NotImplemented(String),
}

impl AdminError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::NotImplemented(_) => StatusCode::NOT_IMPLEMENTED,
        }
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.to_string() });
        (self.status(), Json(body)).into_response()
    }
}
