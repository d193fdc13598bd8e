//! Campaigns over HTTP: everything `coupon campaign` does, through the same library calls
//! (`coupon_campaign::{create, plan, Runner, sync, cancel, resend, lifecycle, build_report}`).
//!
//! - [`create`]: a CSV upload (multipart) checked whole and stored, or a dry run.
//! - [`read`]: the list, a campaign's status, its doubts; [`export`] its rows; [`report`] its page.
//! - [`life`]: run, reconcile, sync, cancel and resend, each a background [`jobs`] job of this replica.
//!
//! Every endpoint needs the `campaigns` scope. Phone numbers are always masked; PINs are shown in
//! clear only to a key with the `pins` scope, and only where the campaign stores them.

pub mod body;
pub mod create;
pub mod export;
pub mod jobs;
pub mod life;
pub mod read;
pub mod report;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use coupon_campaign::CampaignError;
use coupon_journal::{Campaign, JournalError};
use http::StatusCode;
use utoipa::OpenApi;

use crate::auth::{Caller, Scope};
use crate::config::ServeConfig;
use crate::problem::Problem;
use crate::state::AppState;

/// The campaign routes. The upload alone takes bodies up to the settings' `upload_limit`.
pub fn routes(config: &ServeConfig) -> Router<AppState> {
    Router::new()
        .route("/v1/campaigns", post(create::create).layer(DefaultBodyLimit::max(config.upload_limit)).get(read::list))
        .route("/v1/campaigns/{name}", get(read::status))
        .route("/v1/campaigns/{name}/doubts", get(read::doubts))
        .route("/v1/campaigns/{name}/export", get(export::export))
        .route("/v1/campaigns/{name}/report", get(report::report))
        .route("/v1/campaigns/{name}/run", post(life::run))
        .route("/v1/campaigns/{name}/reconcile", post(life::reconcile))
        .route("/v1/campaigns/{name}/sync", post(life::sync))
        .route("/v1/campaigns/{name}/cancel", post(life::cancel))
        .route("/v1/campaigns/{name}/resend", post(life::resend))
}

/// The campaign endpoints' part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(
        create::create,
        read::list,
        read::status,
        read::doubts,
        export::export,
        report::report,
        life::run,
        life::reconcile,
        life::sync,
        life::cancel,
        life::resend,
    ),
    components(schemas(
        jobs::JobView,
        jobs::JobKind,
        jobs::JobState,
        create::CreateForm,
        body::RunBody,
        body::ReconcileBody,
        body::SyncBody,
        body::CancelBody,
        body::ResendBody,
    ))
)]
pub struct CampaignsApi;

/// Stops the campaign jobs of this replica, waiting up to `grace` for their calls in flight to be recorded.
pub async fn stop_all(state: &AppState, grace: Duration) {
    state.jobs().stop_all(grace).await;
}

/// `403` unless the caller has the `campaigns` scope.
fn require(caller: &Caller) -> Result<(), Problem> {
    caller.require(&[Scope::Campaigns])
}

/// The campaign named `name`, or `404`.
async fn load(state: &AppState, name: &str) -> Result<Campaign, Problem> {
    state.journal().campaign(name).await.map_err(journal_problem)
}

/// A journal error about a campaign: an unknown campaign is `404`, a value the journal refuses `400`, and
/// anything else the journal failing (`500`).
pub fn journal_problem(e: JournalError) -> Problem {
    match e {
        JournalError::CampaignNotFound(name) => {
            Problem::not_found(format!("no campaign `{name}`: GET /v1/campaigns lists them")).field("name")
        }
        JournalError::CampaignExists(name) => {
            Problem::new(StatusCode::CONFLICT, "campaign_exists", format!("a campaign named `{name}` exists"))
                .field("name")
        }
        e @ (JournalError::Invalid(_) | JournalError::LineTaken { .. }) => {
            Problem::new(StatusCode::BAD_REQUEST, "invalid_input", e.to_string())
        }
        other => Problem::from(other),
    }
}

/// An engine error: the journal's as [`journal_problem`] says; a refused file is `400` listing every bad line;
/// a campaign that cannot be made or run as asked is `400`; leases that cannot be renewed, `503`.
pub fn campaign_problem(e: CampaignError) -> Problem {
    match e {
        CampaignError::Journal(e) => journal_problem(e),
        CampaignError::Refused(plan) => create::refused(&plan),
        e @ CampaignError::Invalid(_) => Problem::new(StatusCode::BAD_REQUEST, "invalid_input", e.to_string()),
        e @ CampaignError::LeasesExpiring { .. } => {
            Problem::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", e.to_string()).retryable(true)
        }
        other => Problem::internal(other.to_string()),
    }
}

/// A stored phone number masked as people read it (`010-****-5678`); one that does not parse keeps no digit
/// it should not show ([`coupon_core::phone::mask_text`]).
fn mask_phone(stored: &str) -> String {
    coupon_core::PhoneNumber::parse(stored)
        .map(|p| p.masked())
        .unwrap_or_else(|_| coupon_core::phone::mask_text(stored))
}

/// `503` while the service shuts down: no new job starts then.
fn not_stopping(state: &AppState) -> Result<(), Problem> {
    if *state.stopping().borrow() {
        return Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting_down",
            "this replica is shutting down: send the request to another one, or again once it is back",
        )
        .retryable(true));
    }
    Ok(())
}
