//! Each request: an id (the caller's `X-Request-Id` when it sends a sane one, else a fresh one),
//! echoed in the answer; one log line when it ends (JSON with `coupon serve`), with the route's
//! pattern, never the path's ids, the query, a header or a body; and its figures in the metrics.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderValue;

use crate::state::AppState;

/// The request id header.
pub const REQUEST_ID: &str = "x-request-id";

/// The request id of a request, in its extensions.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Where authentication leaves the caller's key name for the request's log line.
#[derive(Clone, Debug, Default)]
pub struct CallerSlot(pub std::sync::Arc<std::sync::Mutex<Option<String>>>);

/// The middleware.
pub async fn observe(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        })
        .map(str::to_string)
        .unwrap_or_else(fresh_id);
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = request.method().as_str().to_string();
    request.extensions_mut().insert(RequestId(id.clone()));
    let slot = CallerSlot::default();
    request.extensions_mut().insert(slot.clone());
    let mut response = next.run(request).await;
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    state.metrics().request(&route, &method, status, elapsed);
    let caller = slot.0.lock().ok().and_then(|c| c.clone());
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, v);
    }
    tracing::info!(
        request_id = %id,
        method = %method,
        route = %route,
        status,
        elapsed_ms = elapsed.as_secs_f64() * 1000.0,
        key = caller.as_deref().unwrap_or("-"),
        "request"
    );
    response
}

fn fresh_id() -> String {
    let mut bytes = [0u8; 8];
    let _ = getrandom::fill(&mut bytes);
    crate::auth::keys::hex(&bytes)
}
