//! `GET /v1/issues/{key}`: where an issue stands, with its cancel and resends.

use axum::Json;
use axum::extract::{Path, State};
use coupon_journal::{IdemRecord, IdemState};

use super::answer::IssueAnswer;
use super::body::Checked;
use crate::auth::{Caller, Scope};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

/// An issue of this API key, by its Idempotency-Key: `issued`, `unknown`, `not_issued` or `in_flight`, with
/// its cancel and resends. The recipient is masked; the PIN is shown (this key issued it).
#[utoipa::path(get, path = "/v1/issues/{key}", tag = "issues", params(("key" = String, Path, description = "the issue's Idempotency-Key")),
    responses((status = 200, body = IssueAnswer), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
) -> ApiResult<Json<IssueAnswer>> {
    caller.require(&[Scope::Issue, Scope::Read])?;
    let record = issue_record(&state, &caller, &key).await?;
    let children = state.journal().idempotent_children(&caller.key_id, &key).await?;
    let mut answer = of_record(&record).masked();
    answer.cancel = children.iter().find(|c| c.op == "cancel").map(|c| child_state(c, "cancelled"));
    let resends = children.iter().filter(|c| c.op == "resend").count();
    answer.resends = (resends > 0).then_some(u32::try_from(resends).unwrap_or(u32::MAX));
    Ok(Json(answer))
}

/// The issue record under `key` of the caller's API key, or `404`.
pub async fn issue_record(state: &AppState, caller: &Caller, key: &str) -> Result<IdemRecord, Problem> {
    match state.journal().idempotent(&caller.key_id, key).await? {
        Some(record) if record.op == "issue" => Ok(record),
        _ => {
            Err(Problem::not_found(format!("this API key has no issue under the Idempotency-Key `{key}`")).field("key"))
        }
    }
}

fn child_state(record: &IdemRecord, done: &str) -> String {
    match record.state {
        IdemState::InFlight => "in_flight".into(),
        IdemState::Unknown => "unknown".into(),
        IdemState::Done => record.outcome.clone().unwrap_or_else(|| done.to_string()),
    }
}

/// An issue as its record has it.
pub fn of_record(record: &IdemRecord) -> IssueAnswer {
    // The stored answer is the issue's own (recipient in full, PIN); a problem document (not issued) or no
    // answer yet is rebuilt from the request.
    if let Some(stored) = record.response.as_deref().and_then(|r| serde_json::from_str::<IssueAnswer>(r).ok()) {
        if record.state == IdemState::Done {
            return stored;
        }
    }
    let checked = Checked::from_canonical(&record.request).ok();
    IssueAnswer {
        key: record.key.clone(),
        state: match record.state {
            IdemState::InFlight => "in_flight".into(),
            IdemState::Unknown => "unknown".into(),
            IdemState::Done => record.outcome.clone().unwrap_or_else(|| "not_issued".into()),
        },
        vendor: record.vendor.clone(),
        product: checked.as_ref().map(|c| c.body.product.clone()).unwrap_or_default(),
        partner_ref: record.partner_ref.clone().unwrap_or_default(),
        order: record.order_id.clone(),
        pin: None,
        to: checked.as_ref().and_then(Checked::recipient_shown),
        details_unknown: None,
        cancel: None,
        resends: None,
    }
}
