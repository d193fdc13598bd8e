//! `coupon-server`: `coupon serve`, an HTTP service over the coupon library for back ends
//! written in any language.
//!
//! - **Money moves once.** Every request that moves money (`POST /v1/issues`, and a coupon's
//!   cancel and resend) carries an `Idempotency-Key`, scoped to the caller's API key. The key,
//!   a fingerprint of the canonical request and the partner reference are durable in the
//!   journal before the vendor is called ([`issues`]). A repeat replays the first answer; a
//!   repeat while the first is in flight is `409`; a different request under the same key is
//!   `422`; an outcome that cannot be known is `202` with `"state": "unknown"`, and the
//!   [`reconciler`] settles it with the vendor (`Adapter::reconcile`), never by sending again
//!   under a new reference.
//! - **Every error is a problem document** (RFC 9457, [`problem`]) carrying the library's kind,
//!   the vendor's code verbatim, whether a retry may help, and the partner reference.
//! - **Callers are API keys** ([`auth`]): 256 random bits, stored hashed, compared in constant
//!   time, each with scopes.
//! - **Several replicas** share one PostgreSQL journal: leases and `SKIP LOCKED` decide who
//!   sends, who reconciles and who runs a campaign.
//!
//! The service knows vendors only through `Arc<dyn Adapter>` and their `Capabilities`: whoever
//! starts it (the CLI) builds the adapters. See `docs/server.md`.

// A `Problem` is the answer of a request that failed, built once on that path: its size costs nothing
// beside the request, and boxing it would only add noise to every handler.
#![allow(clippy::result_large_err)]

pub mod auth;
pub mod campaigns;
pub mod commit;
pub mod config;
pub mod issues;
pub mod json;
pub mod openapi;
pub mod ops;
pub mod problem;
pub mod purge;
pub mod reads;
pub mod reconciler;
pub mod state;

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tokio::net::TcpListener;

pub use config::{RateLimit, ServeConfig};
pub use problem::Problem;
pub use state::AppState;

/// The service's routes, with their layers (request log and metrics, rate limit, body and time limits).
pub fn router(state: AppState) -> Router {
    let config = state.config().clone();
    let api = Router::new()
        .route("/v1/issues", post(issues::create::create))
        .route("/v1/issues/{key}", get(issues::get::get))
        .route("/v1/issues/{key}/cancel", post(issues::cancel::cancel))
        .route("/v1/issues/{key}/resend", post(issues::resend::resend))
        .route("/v1/vendors", get(reads::vendors))
        .route("/v1/vendors/{vendor}/products", get(reads::products))
        .route("/v1/vendors/{vendor}/products/{id}", get(reads::product))
        .route("/v1/vendors/{vendor}/coupons/status", get(reads::coupon_status))
        .route("/v1/vendors/{vendor}/coupons/balance", get(reads::balance))
        .merge(campaigns::routes(&config))
        .layer(axum::middleware::from_fn_with_state(state.clone(), ops::rate::limit))
        .layer(DefaultBodyLimit::max(config.body_limit));
    Router::new()
        .merge(api)
        .route("/healthz", get(ops::health::healthz))
        .route("/readyz", get(ops::health::readyz))
        .route("/metrics", get(ops::health::metrics))
        .route("/openapi.json", get(openapi::serve))
        .fallback(|| async { Problem::not_found("no such endpoint: see /openapi.json") })
        .layer(axum::middleware::from_fn_with_state(state.clone(), timeout))
        .layer(axum::middleware::from_fn_with_state(state.clone(), ops::observe::observe))
        .with_state(state)
}

/// A request that takes longer than the settings' `request_timeout` is answered `503`; a money-moving
/// call it started goes on to its end on its own task and is recorded ([`state::Tasks`]).
async fn timeout(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let limit = state.config().request_timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Problem::new(
            http::StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "the request took longer than {} s; a money-moving call it started is still recorded: read it \
                 with GET /v1/issues/{{key}}, or send the same Idempotency-Key again",
                limit.as_secs()
            ),
        )
        .retryable(true)
        .into_response(),
    }
}

/// Serves `state` on `listener` until `shutdown` resolves; then stops accepting, lets requests in flight
/// finish (money-moving calls are finished and recorded), stops the background loops and returns.
/// The reconciler, the purge of expired idempotency keys and the campaign runs go on in the background
/// meanwhile.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let background = vec![tokio::spawn(reconciler::run(state.clone())), tokio::spawn(purge::run(state.clone()))];
    let app = router(state.clone());
    let stopping = state.clone();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("stopping: no new connections; finishing the requests in flight");
            stopping.begin_shutdown();
        })
        .await;
    let grace = state.config().shutdown_grace;
    // Calls whose client left are finished and recorded too.
    if tokio::time::timeout(grace, state.tasks().idle()).await.is_err() {
        tracing::warn!(
            in_flight = state.tasks().in_flight(),
            "calls still in flight after the grace period: they stay leased and become doubts another replica settles"
        );
    }
    state.begin_shutdown();
    campaigns::stop_all(&state, grace).await;
    for task in background {
        let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
    }
    tracing::info!("stopped");
    served
}
