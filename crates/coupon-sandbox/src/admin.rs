//! The admin API under `/_sandbox/`: fixtures, samples, reset, redemption at a shop, ageing
//! and the coupon records, fault injection and request statistics. JSON in, JSON out; errors are `{"error": "..."}`.

use std::sync::Arc;

use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{Method, Uri};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::aging::{AgeReport, AgeRequest};
use crate::emulator::RedeemRequest;
use crate::error::AdminError;
use crate::faults::FaultSpec;
use crate::records::CouponRecord;
use crate::state::{SandboxState, Stats};

/// Route prefix of the admin API.
pub(crate) const PREFIX: &str = "/_sandbox";

/// Admin route names, which no emulator may take as its name since vendor admin routes
/// are nested beside them.
pub(crate) const RESERVED: &[&str] = &["fixtures", "samples", "reset", "redeem", "faults", "stats", "age", "records"];

/// Whether `path` belongs to the admin API (never counted, never faulted).
pub(crate) fn is_admin_path(path: &str) -> bool {
    path.strip_prefix(PREFIX).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The admin router, to be nested under [`PREFIX`].
pub(crate) fn router(state: Arc<SandboxState>) -> Router {
    let mut router = Router::new()
        .route("/fixtures", get(fixtures))
        .route("/samples", get(samples))
        .route("/reset", post(reset))
        .route("/redeem", post(redeem))
        .route("/age", post(age))
        .route("/records/{vendor}", get(records))
        .route("/faults", get(list_faults).post(inject_fault).delete(clear_faults))
        .route("/stats", get(stats))
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(Arc::clone(&state));
    for emulator in state.emulators() {
        if let Some(admin) = Arc::clone(emulator).admin_router() {
            router = router.nest(&format!("/{}", emulator.name()), admin);
        }
    }
    router
}

/// Answer for any path no route matches, admin or vendor.
pub(crate) async fn not_found(method: Method, uri: Uri) -> AdminError {
    AdminError::NotFound(format!("no route for {method} {}", uri.path()))
}

async fn method_not_allowed(method: Method, uri: Uri) -> (http::StatusCode, Json<Value>) {
    (
        http::StatusCode::METHOD_NOT_ALLOWED,
        Json(json!({ "error": format!("{method} is not allowed on {}", uri.path()) })),
    )
}

/// A JSON request body whose rejection is a JSON 400, like every other admin error
/// (axum's own `Json` answers plain text). The content type is not checked, so
/// `curl -d '{...}'` works as is.
pub(crate) struct AdminJson<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for AdminJson<T> {
    type Rejection = AdminError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| AdminError::BadRequest(format!("cannot read body: {}", e.body_text())))?;
        serde_json::from_slice(&body)
            .map(AdminJson)
            .map_err(|e| AdminError::BadRequest(format!("invalid JSON body: {e}")))
    }
}

async fn fixtures(State(state): State<Arc<SandboxState>>) -> Json<Value> {
    Json(state.fixtures())
}

async fn samples(State(state): State<Arc<SandboxState>>) -> Json<Value> {
    // Through a `Value`, whose keys are sorted at every level, as this answer has always
    // been written (the typed samples would write their fields in declaration order).
    Json(json!(state.samples()))
}

async fn reset(State(state): State<Arc<SandboxState>>) -> Json<Value> {
    state.reset();
    Json(json!({ "reset": true }))
}

async fn redeem(
    State(state): State<Arc<SandboxState>>,
    AdminJson(req): AdminJson<RedeemRequest>,
) -> Result<Json<Value>, AdminError> {
    state.redeem(&req).map(Json)
}

async fn age(
    State(state): State<Arc<SandboxState>>,
    AdminJson(body): AdminJson<Value>,
) -> Result<Json<AgeReport>, AdminError> {
    state.age(&AgeRequest::read(&body)?).map(Json)
}

async fn records(
    State(state): State<Arc<SandboxState>>,
    Path(vendor): Path<String>,
) -> Result<Json<Records>, AdminError> {
    state.records(&vendor).map(|items| Json(Records { items }))
}

/// Body of `GET /_sandbox/records/{vendor}`.
#[derive(serde::Serialize)]
struct Records {
    items: Vec<CouponRecord>,
}

#[derive(serde::Serialize)]
struct Pending {
    faults: Vec<FaultSpec>,
}

async fn list_faults(State(state): State<Arc<SandboxState>>) -> Json<Pending> {
    Json(Pending { faults: state.pending_faults() })
}

async fn inject_fault(
    State(state): State<Arc<SandboxState>>,
    AdminJson(spec): AdminJson<FaultSpec>,
) -> Result<Json<Pending>, AdminError> {
    state.inject(spec)?;
    Ok(list_faults(State(state)).await)
}

async fn clear_faults(State(state): State<Arc<SandboxState>>) -> Json<Pending> {
    state.clear_faults();
    Json(Pending { faults: Vec::new() })
}

async fn stats(State(state): State<Arc<SandboxState>>) -> Json<Stats> {
    Json(state.stats())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_paths() {
        assert!(is_admin_path("/_sandbox"));
        assert!(is_admin_path("/_sandbox/"));
        assert!(is_admin_path("/_sandbox/stats"));
        assert!(!is_admin_path("/_sandboxes"));
        assert!(!is_admin_path("/giftletter/_sandbox/stats"));
        assert!(!is_admin_path("/"));
    }
}
