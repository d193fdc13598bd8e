//! `POST /v1/issues/{key}/resend`: sends an issued coupon's message again, once per Idempotency-Key.

use std::time::Instant;

use axum::extract::{Path, State};
use axum::response::Response;
use coupon_core::{ErrorKind, OrderRef, op};

use super::answer::ActionAnswer;
use super::body::fingerprint;
use super::cancel::issued_order;
use super::flow::{self, Attempt, Begun, Settled};
use super::get::issue_record;
use crate::auth::{Caller, Scope};
use crate::json::IdempotencyKey;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

/// Sends the coupon's message again. `200` resent; `202` unknown (the message may or may not have gone: it
/// is not sent again by the service; a resend moves no coupon).
#[utoipa::path(post, path = "/v1/issues/{key}/resend", tag = "issues",
    params(("key" = String, Path, description = "the issue's Idempotency-Key"),
           ("Idempotency-Key" = String, Header, description = "your unique id for this resend")),
    responses((status = 200, body = ActionAnswer), (status = 202, body = ActionAnswer),
              (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
              (status = 501, body = Problem)),
    security(("bearer" = [])))]
pub async fn resend(
    State(state): State<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    Path(issue): Path<String>,
) -> ApiResult<Response> {
    caller.require(&[Scope::Issue])?;
    let record = issue_record(&state, &caller, &issue).await?;
    let order = issued_order(&record, "resent")?;
    let adapter = state.adapter_for(&record.vendor, "vendor", op::RESEND)?;
    let attempt = Attempt {
        scope: caller.key_id.clone(),
        key: key.0,
        op: op::RESEND,
        target: Some(issue.clone()),
        fingerprint: fingerprint(op::RESEND, &issue),
        vendor: record.vendor.clone(),
        partner_ref: None,
        request: serde_json::json!({"issue": issue}).to_string(),
        order_id: Some(order.clone()),
    };
    let permit = state.tasks().permit().await;
    if let Begun::Answered(response) = flow::begin(&state, &attempt).await? {
        return Ok(response);
    }
    let run = state.clone();
    state
        .tasks()
        .run_to_end(permit, async move {
            let started = Instant::now();
            let result = flow::within_lease(&run, None, adapter.resend(&OrderRef::new(order.clone()))).await;
            let outcome =
                result.as_ref().map(|_| "ok".to_string()).unwrap_or_else(|e| crate::problem::kind_name(e.kind()));
            run.metrics().vendor_call(&attempt.vendor, op::RESEND, &outcome, started.elapsed());
            let settled = settle_resend(&attempt, result);
            flow::finish(&run, &attempt, settled).await
        })
        .await
        .ok_or_else(|| Problem::internal("the resend's task ended without an answer"))
}

/// What a resend's result means.
pub fn settle_resend(attempt: &Attempt, result: coupon_core::Result<()>) -> Settled {
    let body = |state: &str| {
        serde_json::to_value(ActionAnswer {
            key: attempt.key.clone(),
            issue: attempt.target.clone().unwrap_or_default(),
            action: "resend".into(),
            state: state.into(),
            vendor: attempt.vendor.clone(),
            order: attempt.order_id.clone().unwrap_or_default(),
            already: false,
        })
        .unwrap_or_default()
    };
    match result {
        Ok(()) => Settled::Done {
            status: 200,
            outcome: "resent".into(),
            body: body("resent"),
            order_id: attempt.order_id.clone(),
        },
        // Nothing to settle it with: the answer stays "unknown", final.
        Err(e) if matches!(e.kind(), ErrorKind::OutcomeUnknown | ErrorKind::Protocol) => Settled::Done {
            status: 202,
            outcome: "unknown".into(),
            body: body("unknown"),
            order_id: attempt.order_id.clone(),
        },
        Err(e)
            if e.is_retryable()
                || matches!(e.kind(), ErrorKind::Transport | ErrorKind::Timeout | ErrorKind::RateLimited) =>
        {
            Settled::Release(Problem::from(&e).with("key", attempt.key.clone()))
        }
        Err(e) => {
            let p = Problem::from(&e).with("key", attempt.key.clone()).with("state", "not_resent");
            Settled::Done {
                status: p.status,
                outcome: "not_resent".into(),
                body: serde_json::to_value(&p).unwrap_or_default(),
                order_id: attempt.order_id.clone(),
            }
        }
    }
}
