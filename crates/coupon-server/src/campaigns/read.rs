//! The reads of campaigns: the list, a campaign's status (with this replica's job on it), and its rows
//! in doubt. Phone numbers are masked.

use axum::Json;
use axum::extract::{Path, Query, State};
use coupon_core::chrono::Utc;
use coupon_journal::{Campaign, Counts, Journal, Row, RowState};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

use super::{campaign_problem, journal_problem, load, require};
use crate::auth::Caller;
use crate::problem::{ApiResult, Problem};
use crate::reads::query_problem;
use crate::state::AppState;

/// Counts per state: `{"pending": n, …, "total": n}`.
pub fn counts_json(counts: &Counts) -> Value {
    let mut doc = json!({});
    for state in RowState::ALL {
        doc[state.as_str()] = json!(counts.get(state));
    }
    doc["total"] = json!(counts.total());
    doc
}

/// Every campaign in the journal, oldest first, with its vendor, counts and stop reason.
#[utoipa::path(get, path = "/v1/campaigns", tag = "campaigns",
    responses((status = 200, description = "`{\"campaigns\": [{name, vendor, created_at, store_pins, counts, stop_reason}]}`", body = Object),
              (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Value>> {
    require(&caller)?;
    let campaigns = state.journal().list_campaigns().await.map_err(journal_problem)?;
    Ok(Json(json!({
        "campaigns": campaigns.iter().map(|s| json!({
            "name": s.campaign.name,
            "vendor": s.campaign.vendor,
            "created_at": s.campaign.created_at.to_rfc3339(),
            "store_pins": s.campaign.store_pins,
            "counts": counts_json(&s.counts),
            "stop_reason": s.campaign.stop_reason,
        })).collect::<Vec<_>>(),
    })))
}

/// The window of "expiring soon".
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WithinParams {
    /// Unused coupons whose validity ends within this many days count as expiring soon (default 7).
    pub expiring_within_days: Option<u32>,
}

/// Where a campaign stands: rows per state, spend, stop reason, the coupons after the send (the lifecycle
/// figures), how many rows are in doubt, and this replica's job on it (running, or its last one with its
/// end), if any.
#[utoipa::path(get, path = "/v1/campaigns/{name}", tag = "campaigns",
    params(("name" = String, Path, description = "the campaign"), WithinParams),
    responses((status = 200, description = "counts, spent, stop_reason, coupons, expiring, refunded_won, doubts, job", body = Object),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn status(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    params: Result<Query<WithinParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    require(&caller)?;
    let Query(p) = params.map_err(query_problem)?;
    let journal = state.journal();
    let c = load(&state, &name).await?;
    // The job first: when it says finished, the figures below were read after its end.
    let job = state.jobs().of(&c.name).map(|j| j.view());
    let life =
        coupon_campaign::lifecycle(journal, &c, p.expiring_within_days.unwrap_or(7)).await.map_err(campaign_problem)?;
    let counts = journal.counts(&c).await.map_err(journal_problem)?;
    let stop = journal.stop_reason(&c).await.map_err(journal_problem)?;
    let spent = journal.spent(&c).await.map_err(journal_problem)?;
    let (doubts, _) = doubt_rows(journal, &c).await?;
    Ok(Json(json!({
        "campaign": c.name,
        "vendor": c.vendor,
        "created_at": c.created_at.to_rfc3339(),
        "store_pins": c.store_pins,
        "counts": counts_json(&counts),
        "stop_reason": stop,
        "spent": {"won": spent.won, "unpriced": spent.unpriced},
        "coupons": life.coupons,
        "expiring": life.expiring,
        "refunded_won": life.refunded_won,
        "checked_oldest": life.checked_oldest,
        "doubts": doubts.len(),
        "job": job,
    })))
}

/// The rows in doubt: `unknown`, and `sending` whose lease ran out (its worker died mid-call). Each is
/// settled with the vendor by `POST …/reconcile` (or the next run), never by issuing it again.
#[utoipa::path(get, path = "/v1/campaigns/{name}/doubts", tag = "campaigns",
    params(("name" = String, Path, description = "the campaign")),
    responses((status = 200, description = "`{\"campaign\", \"doubts\": [{line, key, partner_ref, phone (masked), state, since, attempts, vendor_code, vendor_message}], \"in_flight\": n}`", body = Object),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn doubts(State(state): State<AppState>, caller: Caller, Path(name): Path<String>) -> ApiResult<Json<Value>> {
    require(&caller)?;
    let c = load(&state, &name).await?;
    let (rows, in_flight) = doubt_rows(state.journal(), &c).await?;
    let doubts: Vec<Value> = rows.iter().map(doubt_json).collect();
    Ok(Json(json!({"campaign": c.name, "doubts": doubts, "in_flight": in_flight})))
}

fn doubt_json(r: &Row) -> Value {
    json!({
        "line": r.line,
        "key": r.key,
        "partner_ref": r.partner_ref.as_str(),
        "phone": super::mask_phone(&r.phone),
        "state": if r.state == RowState::Unknown { "unknown" } else { "lease_expired" },
        "since": r.reconcile_since().to_rfc3339(),
        "attempts": r.attempts,
        "vendor_code": r.vendor_code,
        "vendor_message": r.vendor_message,
        "error_kind": r.error_kind,
    })
}

/// The rows in doubt, in line order (`unknown`, and `sending` under an expired lease), and how many rows
/// are in flight under a live lease (a worker is sending them now).
pub async fn doubt_rows(journal: &dyn Journal, c: &Campaign) -> Result<(Vec<Row>, usize), Problem> {
    let mut rows = rows_of(journal, c, RowState::Unknown).await?;
    let now = Utc::now();
    let (live, expired): (Vec<Row>, Vec<Row>) =
        rows_of(journal, c, RowState::Sending).await?.into_iter().partition(|r| r.lease_until.is_some_and(|u| u > now));
    rows.extend(expired);
    rows.sort_by_key(|r| r.line);
    Ok((rows, live.len()))
}

/// Rows read from the journal a page at a time.
const PAGE: usize = 500;

/// Every row of one state, in line order.
async fn rows_of(journal: &dyn Journal, c: &Campaign, state: RowState) -> Result<Vec<Row>, Problem> {
    let mut rows = Vec::new();
    let mut after = None;
    loop {
        let page = journal.rows(c, Some(state), after, PAGE).await.map_err(journal_problem)?;
        let Some(last) = page.last() else { return Ok(rows) };
        after = Some(last.line);
        rows.extend(page);
    }
}
