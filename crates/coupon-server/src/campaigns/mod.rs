//! Campaigns over HTTP: everything `coupon campaign` does.

use std::time::Duration;

use axum::Router;
use utoipa::OpenApi;

use crate::config::ServeConfig;
use crate::state::AppState;

/// The campaign routes.
pub fn routes(config: &ServeConfig) -> Router<AppState> {
    let _ = config;
    Router::new()
}

/// The campaign endpoints' part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi()]
pub struct CampaignsApi;

/// Stops the campaign runs of this replica, waiting up to `grace` for their calls in flight to be recorded.
pub async fn stop_all(state: &AppState, grace: Duration) {
    let _ = (state, grace);
}
