//! The campaign commands that call the vendor: run, reconcile, sync, cancel and resend. Each is checked
//! at once (`400`, `404`, `501`), then started as a background job of this replica and answered `202` with
//! the job; `GET /v1/campaigns/{name}` follows it. The library does the work, with its guarantees: each
//! row issued (or cancelled) once across crashes and replicas, a doubt settled with the vendor.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use coupon_campaign::{
    CancelOptions, CancelSelection, Progress, ResendOptions, ResendSelection, RunEnd, RunReport, Runner, SyncOptions,
};
use coupon_core::{Adapter, op};
use coupon_journal::Campaign;
use http::{HeaderValue, StatusCode, header};
use serde_json::{Value, json};

use super::body::{CancelBody, OptionalJson, ReconcileBody, ResendBody, RunBody, SyncBody, pace, seconds};
use super::jobs::{JobKind, JobView, Started};
use super::read::counts_json;
use super::{campaign_problem, load, not_stopping, require};
use crate::auth::Caller;
use crate::json::StrictJson;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

/// Sends the campaign in the background on this replica: its doubts settled first, then every row not yet
/// issued, at `rate`. A second request while this replica runs it answers the same job; another replica
/// running it too only splits the rows (leases). Stopped cleanly at shutdown; a new request resumes.
///
/// `202` the job; `404` an unknown campaign, or its vendor not configured here; `409` another job runs.
#[utoipa::path(post, path = "/v1/campaigns/{name}/run", tag = "campaigns",
    params(("name" = String, Path, description = "the campaign")),
    request_body(content = Option<RunBody>, description = "optional: how this replica sends"),
    responses((status = 202, body = JobView), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 503, body = Problem)),
    security(("bearer" = [])))]
pub async fn run(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    OptionalJson(body): OptionalJson<RunBody>,
) -> ApiResult<Response> {
    require(&caller)?;
    not_stopping(&state)?;
    let mut options = pace(state.worker(), body.rate.as_deref(), body.concurrency, body.breaker)?;
    if let Some(lease) = body.lease {
        options = options.lease(seconds("lease", lease)?);
    }
    if let Some(cap) = body.max_spend {
        let cap = i64::try_from(cap)
            .map_err(|_| Problem::invalid("max_spend", format!("`max_spend` is at most {} won", i64::MAX)))?;
        options = options.max_spend(Some(cap));
    }
    let c = load(&state, &name).await?;
    let adapter = state.adapter_for(&c.vendor, "vendor", op::ISSUE)?;
    let runner = Runner::new(state.journal_arc(), adapter, c.clone(), options).map_err(campaign_problem)?;
    let started = state.jobs().start(&c.name, JobKind::Run, move |job, interrupt| async move {
        let report = runner.run(interrupt, &|p| job.set_progress(progress_json(p))).await;
        report.map(|r| run_json(&r)).map_err(campaign_problem)
    })?;
    Ok(accepted(&c, &started))
}

/// Settles the rows in doubt in the background, each with the vendor's own means; sends nothing new.
#[utoipa::path(post, path = "/v1/campaigns/{name}/reconcile", tag = "campaigns",
    params(("name" = String, Path, description = "the campaign")),
    request_body(content = Option<ReconcileBody>, description = "optional: its pace"),
    responses((status = 202, body = JobView), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 503, body = Problem)),
    security(("bearer" = [])))]
pub async fn reconcile(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    OptionalJson(body): OptionalJson<ReconcileBody>,
) -> ApiResult<Response> {
    require(&caller)?;
    not_stopping(&state)?;
    let options = pace(state.worker(), body.rate.as_deref(), body.concurrency, None)?;
    let c = load(&state, &name).await?;
    let adapter = state.adapter_for(&c.vendor, "vendor", op::ISSUE)?;
    let runner = Runner::new(state.journal_arc(), adapter, c.clone(), options).map_err(campaign_problem)?;
    let started = state.jobs().start(&c.name, JobKind::Reconcile, move |job, interrupt| async move {
        let report = runner.reconcile(interrupt, &|p| job.set_progress(progress_json(p))).await;
        report.map(|r| run_json(&r)).map_err(campaign_problem)
    })?;
    Ok(accepted(&c, &started))
}

/// Asks the vendor what became of each issued coupon (reports first where the vendor has them), in the
/// background. It only reads.
#[utoipa::path(post, path = "/v1/campaigns/{name}/sync", tag = "campaigns",
    params(("name" = String, Path, description = "the campaign")),
    request_body(content = Option<SyncBody>, description = "optional: its pace, and which coupons to ask about"),
    responses((status = 202, body = JobView), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 501, body = Problem), (status = 503, body = Problem)),
    security(("bearer" = [])))]
pub async fn sync(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    OptionalJson(body): OptionalJson<SyncBody>,
) -> ApiResult<Response> {
    require(&caller)?;
    not_stopping(&state)?;
    let mut options = SyncOptions::new(pace(state.worker(), body.rate.as_deref(), body.concurrency, body.breaker)?);
    if let Some(stale) = body.stale {
        options = options.stale(seconds("stale", stale)?);
    }
    let c = load(&state, &name).await?;
    let adapter = state.adapter(&c.vendor, "vendor")?;
    let caps = adapter.capabilities();
    if !caps.status && !caps.redemptions {
        return Err(Problem::unsupported(&c.vendor, op::STATUS));
    }
    let journal = state.journal_arc();
    let campaign = c.clone();
    let started = state.jobs().start(&c.name, JobKind::Sync, move |job, interrupt| async move {
        let show = |p: &coupon_campaign::SyncProgress| job.set_progress(serde_json::to_value(p).unwrap_or_default());
        let report = coupon_campaign::sync(&*journal, adapter, &campaign, &options, interrupt, &show)
            .await
            .map_err(campaign_problem)?;
        let life = coupon_campaign::lifecycle(&*journal, &campaign, 7).await.map_err(campaign_problem)?;
        Ok(json!({"sync": report, "coupons": life.coupons, "expiring": life.expiring}))
    })?;
    Ok(accepted(&c, &started))
}

/// Cancels issued coupons for a refund, each exactly once across crashes and replicas. A cancel moves
/// money: nothing is selected without a condition (`unused`, `expiring_within_days`, `rows`). `dry_run`
/// answers what would be cancelled and the refund (as the last sync saw the coupons), sending nothing;
/// otherwise a background job.
///
/// `200` the dry run; `202` the job; `400` no selection, or an unknown key; `501` the vendor cannot cancel.
#[utoipa::path(post, path = "/v1/campaigns/{name}/cancel", tag = "campaigns",
    params(("name" = String, Path, description = "the campaign")),
    request_body(content = CancelBody),
    responses((status = 200, description = "the dry run: `{\"campaign\", \"dry_run\": true, \"cancel\": {count, won, unpriced, unfinished}}`", body = Object),
              (status = 202, body = JobView), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 501, body = Problem), (status = 503, body = Problem)),
    security(("bearer" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    StrictJson(body): StrictJson<CancelBody>,
) -> ApiResult<Response> {
    require(&caller)?;
    let selection = CancelSelection::new()
        .unused(body.unused)
        .expiring_within_days(body.expiring_within_days)
        .keys(body.rows.clone());
    if selection.is_empty() {
        return Err(Problem::invalid(
            "body",
            "a cancel moves money, so it needs a selection: `unused`, `expiring_within_days` or `rows`",
        ));
    }
    let mut run = pace(state.worker(), body.rate.as_deref(), body.concurrency, body.breaker)?;
    if let Some(lease) = body.lease {
        run = run.lease(seconds("lease", lease)?);
    }
    let mut options = CancelOptions::new(run).sync_first(!body.no_sync);
    if let Some(max_age) = body.max_age {
        options = options.max_age(seconds("max_age", max_age)?);
    }
    let c = load(&state, &name).await?;
    // The preview refuses unknown keys before anything is written or sent.
    let preview = coupon_campaign::preview_cancel(state.journal(), &c, &selection).await.map_err(campaign_problem)?;
    if body.dry_run {
        return Ok(Json(json!({"campaign": c.name, "dry_run": true, "cancel": preview})).into_response());
    }
    not_stopping(&state)?;
    let adapter = state.adapter_for(&c.vendor, "vendor", op::CANCEL)?;
    let journal = state.journal_arc();
    let campaign = c.clone();
    let started = state.jobs().start(&c.name, JobKind::Cancel, move |job, interrupt| async move {
        let show = |p: &coupon_campaign::CancelProgress| job.set_progress(serde_json::to_value(p).unwrap_or_default());
        let report = coupon_campaign::cancel(journal, adapter, &campaign, &selection, &options, interrupt, &show)
            .await
            .map_err(campaign_problem)?;
        Ok(json!({"cancel": report}))
    })?;
    Ok(accepted(&c, &started))
}

/// Sends coupon messages again, for rows named by key or for the rows the vendor reported undelivered,
/// never twice for a row within `not_within` seconds; a background job.
#[utoipa::path(post, path = "/v1/campaigns/{name}/resend", tag = "campaigns",
    params(("name" = String, Path, description = "the campaign")),
    request_body(content = ResendBody),
    responses((status = 202, body = JobView), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 501, body = Problem), (status = 503, body = Problem)),
    security(("bearer" = [])))]
pub async fn resend(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    StrictJson(body): StrictJson<ResendBody>,
) -> ApiResult<Response> {
    require(&caller)?;
    not_stopping(&state)?;
    let selection = match (body.rows, body.undelivered) {
        (Some(keys), false) if !keys.is_empty() => ResendSelection::Keys(keys),
        (None, true) => ResendSelection::Undelivered,
        _ => {
            return Err(Problem::invalid(
                "body",
                "name the rows to resend: `rows` (a non-empty list of keys) or `undelivered: true`, not both",
            ));
        }
    };
    let mut options = ResendOptions::new(pace(state.worker(), body.rate.as_deref(), body.concurrency, body.breaker)?);
    if let Some(window) = body.not_within {
        options = options.not_within(seconds("not_within", window)?);
    }
    let c = load(&state, &name).await?;
    let adapter: Arc<dyn Adapter> = state.adapter_for(&c.vendor, "vendor", op::RESEND)?;
    let journal = state.journal_arc();
    let campaign = c.clone();
    let started = state.jobs().start(&c.name, JobKind::Resend, move |_job, interrupt| async move {
        let report = coupon_campaign::resend(&*journal, adapter, &campaign, &selection, &options, interrupt)
            .await
            .map_err(campaign_problem)?;
        Ok(json!({"resend": report}))
    })?;
    Ok(accepted(&c, &started))
}

/// `202` with the job, and where to follow it.
fn accepted(c: &Campaign, started: &Started) -> Response {
    let mut response = (StatusCode::ACCEPTED, Json(started.job().view())).into_response();
    let location = format!("/v1/campaigns/{}", super::create::path_segment(&c.name));
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// A run's counters, as `coupon campaign run --json` prints them.
fn progress_json(p: &Progress) -> Value {
    json!({
        "sent": p.sent,
        "issued": p.issued,
        "refused": p.refused,
        "in_doubt": p.in_doubt,
        "settled": p.settled,
        "not_sent": p.not_sent,
        "todo": p.todo,
        "rate": p.rate,
        "elapsed_seconds": p.elapsed,
    })
}

/// How a run (or reconcile) ended: `end` (settled, in_doubt, stopped, interrupted), the stop, the
/// campaign's counts and the run's counters.
fn run_json(report: &RunReport) -> Value {
    let (end, stop) = match &report.end {
        RunEnd::Settled => ("settled", Value::Null),
        RunEnd::InDoubt(_) => ("in_doubt", Value::Null),
        RunEnd::Stopped(s) => ("stopped", json!({"reason": s.as_str(), "message": s.to_string()})),
        RunEnd::Interrupted => ("interrupted", Value::Null),
        _ => ("unknown", Value::Null),
    };
    json!({
        "end": end,
        "stop": stop,
        "counts": counts_json(&report.counts),
        "run": progress_json(&report.progress),
    })
}
