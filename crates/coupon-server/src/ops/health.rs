//! `/healthz` (the process answers) and `/readyz` (its journal answers and adapters are configured),
//! and `/metrics`.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};
use serde_json::json;

use crate::state::AppState;

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "the process answers")))]
pub async fn healthz() -> Response {
    axum::Json(json!({"status": "ok"})).into_response()
}

/// Ready for traffic: the journal answers, at least one adapter is configured, and no shutdown has begun.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "ready"), (status = 503, description = "not ready, and why")))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let journal = state.journal().schema_version().await;
    let stopping = *state.stopping().borrow();
    let adapters: Vec<&String> = state.adapters().keys().collect();
    let ready = journal.is_ok() && !adapters.is_empty() && !stopping;
    let body = json!({
        "status": if ready { "ready" } else { "not_ready" },
        "journal": match &journal { Ok(v) => json!({"ok": true, "schema": v}), Err(e) => json!({"ok": false, "error": e.to_string()}) },
        "adapters": adapters,
        "stopping": stopping,
    });
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, axum::Json(body)).into_response()
}

/// Prometheus text.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> Response {
    let doubts = state.journal().idempotent_doubts().await.unwrap_or(0);
    let text = state.metrics().render(doubts, state.tasks().in_flight());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}
