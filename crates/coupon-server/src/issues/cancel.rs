//! `POST /v1/issues/{key}/cancel`: cancels an issued coupon (a refund), at most once per issue.

use axum::extract::{Path, State};
use axum::response::Response;
use coupon_core::{ErrorKind, op};
use coupon_journal::{IdemRecord, IdemState};
use http::StatusCode;

use super::answer::ActionAnswer;
use super::flow::{Attempt, Settled};
use crate::auth::Caller;
use crate::json::IdempotencyKey;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

/// Cancels the coupon issued under `key`, under an Idempotency-Key of its own. One cancel per issue: a
/// second cancel under another key answers the first one's outcome.
///
/// `200` cancelled; `202` the outcome is unknown (the service settles it by the coupon's state, or by a
/// repeat where the vendor refuses a second cancel); `409` the coupon was used, or the issue is not issued.
#[utoipa::path(post, path = "/v1/issues/{key}/cancel", tag = "issues",
    params(("key" = String, Path, description = "the issue's Idempotency-Key"),
           ("Idempotency-Key" = String, Header, description = "your unique id for this cancel")),
    responses((status = 200, body = ActionAnswer), (status = 202, body = ActionAnswer),
              (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
              (status = 501, body = Problem)),
    security(("bearer" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    Path(issue): Path<String>,
) -> ApiResult<Response> {
    super::action::act(state, caller, key, issue, op::CANCEL).await
}

/// The order id of an issued coupon, or `409` saying why it cannot be acted on.
pub fn issued_order(record: &IdemRecord, action: &str) -> Result<String, Problem> {
    let why = match (record.state, record.outcome.as_deref(), &record.order_id) {
        (IdemState::Done, Some("issued"), Some(order)) => return Ok(order.clone()),
        (IdemState::Done, Some("issued"), None) => {
            "the coupon exists but its order id is unknown (the vendor refused a repeat as a duplicate): it cannot be \
             named to the vendor"
        }
        (IdemState::Done, _, _) => "nothing was issued under it",
        (IdemState::InFlight, _, _) => "it is still being sent",
        (IdemState::Unknown, _, _) => "its outcome is in doubt until the service settles it with the vendor",
    };
    Err(Problem::new(
        StatusCode::CONFLICT,
        "not_issued",
        format!("the issue `{}` cannot be {action}: {why}", record.key),
    )
    .with("key", record.key.clone())
    .retryable(record.state != IdemState::Done))
}

/// What a cancel's result means: the campaign engine's rules for a cancel, by kind.
pub fn settle_cancel(attempt: &Attempt, result: coupon_core::Result<()>) -> Settled {
    let order = attempt.order_id.clone().unwrap_or_default();
    let answer = |state: &str, already: bool| {
        serde_json::to_value(ActionAnswer {
            key: attempt.key.clone(),
            issue: attempt.target.clone().unwrap_or_default(),
            action: "cancel".into(),
            state: state.into(),
            vendor: attempt.vendor.clone(),
            order: order.clone(),
            already,
        })
        .unwrap_or_default()
    };
    let e = match result {
        Ok(()) => {
            return Settled::Done {
                status: 200,
                outcome: "cancelled".into(),
                body: answer("cancelled", false),
                order_id: Some(order),
            };
        }
        Err(e) => e,
    };
    match e.kind() {
        ErrorKind::AlreadyCancelled => Settled::Done {
            status: 200,
            outcome: "cancelled".into(),
            body: answer("cancelled", true),
            order_id: Some(order),
        },
        ErrorKind::OutcomeUnknown | ErrorKind::Protocol => Settled::Doubt { body: answer("unknown", false) },
        // These did not leave, or were refused with nothing done: the key is released for a retry.
        ErrorKind::Transport | ErrorKind::Timeout | ErrorKind::RateLimited => {
            Settled::Release(Problem::from(&e).with("key", attempt.key.clone()))
        }
        _ if e.is_retryable() => Settled::Release(Problem::from(&e).with("key", attempt.key.clone())),
        _ => {
            let p = Problem::from(&e).with("key", attempt.key.clone()).with("state", "not_cancelled");
            Settled::Done {
                status: p.status,
                outcome: "not_cancelled".into(),
                body: serde_json::to_value(&p).unwrap_or_default(),
                order_id: Some(order),
            }
        }
    }
}

/// A cancel in doubt, settled by what the vendor says of the coupon now (`None`: still unknown).
pub fn settle_cancel_by_state(attempt: &Attempt, status: &coupon_core::CouponStatus) -> Option<Settled> {
    use coupon_core::CouponStatus;
    let refused = |kind: ErrorKind, what: &str| {
        let e = coupon_core::Error::new(kind, format!("not cancelled: the vendor's status says {what}"));
        settle_cancel_refusal(attempt, &e)
    };
    match status {
        CouponStatus::Cancelled { .. } => Some(settle_cancel_done(attempt)),
        CouponStatus::Used { .. } | CouponStatus::PartlyUsed { .. } => Some(refused(ErrorKind::AlreadyUsed, "used")),
        CouponStatus::Expired => Some(refused(ErrorKind::Rejected, "expired")),
        CouponStatus::Unused => Some(refused(ErrorKind::Rejected, "unused: the cancel did not take effect")),
        _ => None,
    }
}

fn settle_cancel_done(attempt: &Attempt) -> Settled {
    let order = attempt.order_id.clone().unwrap_or_default();
    let body = serde_json::to_value(ActionAnswer {
        key: attempt.key.clone(),
        issue: attempt.target.clone().unwrap_or_default(),
        action: "cancel".into(),
        state: "cancelled".into(),
        vendor: attempt.vendor.clone(),
        order: order.clone(),
        already: false,
    })
    .unwrap_or_default();
    Settled::Done { status: 200, outcome: "cancelled".into(), body, order_id: Some(order) }
}

fn settle_cancel_refusal(attempt: &Attempt, e: &coupon_core::Error) -> Settled {
    let mut p = Problem::from(e).with("key", attempt.key.clone()).with("state", "not_cancelled");
    p.vendor = Some(attempt.vendor.clone());
    Settled::Done {
        status: p.status,
        outcome: "not_cancelled".into(),
        body: serde_json::to_value(&p).unwrap_or_default(),
        order_id: attempt.order_id.clone(),
    }
}
