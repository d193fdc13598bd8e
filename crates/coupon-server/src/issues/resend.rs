//! `POST /v1/issues/{key}/resend`: sends an issued coupon's message again, once per Idempotency-Key.

use axum::extract::{Path, State};
use axum::response::Response;
use coupon_core::{ErrorKind, op};

use super::answer::ActionAnswer;
use super::flow::{Attempt, Settled};
use crate::auth::Caller;
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
    super::action::act(state, caller, key, issue, op::RESEND).await
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
