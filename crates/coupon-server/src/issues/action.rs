//! A cancel or a resend of an issued coupon: the same way for both, under an Idempotency-Key of its own.

use std::time::Instant;

use axum::response::Response;
use coupon_core::{OrderRef, op};

use super::body::fingerprint;
use super::cancel::{issued_order, settle_cancel};
use super::flow::{self, Attempt, Begun};
use super::get::issue_record;
use super::resend::settle_resend;
use crate::auth::{Caller, Scope};
use crate::json::IdempotencyKey;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

/// Acts on the coupon issued under `issue`: `operation` is [`op::CANCEL`] or [`op::RESEND`].
pub async fn act(
    state: AppState,
    caller: Caller,
    key: IdempotencyKey,
    issue: String,
    operation: &'static str,
) -> ApiResult<Response> {
    let (scope, done) = if operation == op::CANCEL { (Scope::Cancel, "cancelled") } else { (Scope::Issue, "resent") };
    caller.require(&[scope])?;
    let record = issue_record(&state, &caller, &issue).await?;
    let order = issued_order(&record, done)?;
    let adapter = state.adapter_for(&record.vendor, "vendor", operation)?;
    let attempt = Attempt {
        scope: caller.key_id.clone(),
        key: key.0,
        op: operation,
        target: Some(issue.clone()),
        fingerprint: fingerprint(operation, &issue),
        vendor: record.vendor.clone(),
        partner_ref: None,
        request: serde_json::json!({"issue": issue}).to_string(),
        order_id: Some(order.clone()),
    };
    if let Begun::Answered(response) = flow::begin(&state, &attempt).await? {
        return Ok(response);
    }
    let permit = flow::turn(&state, &attempt).await?;
    let run = state.clone();
    state
        .tasks()
        .run_to_end(permit, async move {
            let started = Instant::now();
            let order = OrderRef::new(order);
            let call = async {
                if operation == op::CANCEL { adapter.cancel(&order).await } else { adapter.resend(&order).await }
            };
            let result = flow::within_lease(&run, None, call).await;
            let outcome =
                result.as_ref().map(|_| "ok".to_string()).unwrap_or_else(|e| crate::problem::kind_name(e.kind()));
            run.metrics().vendor_call(&attempt.vendor, operation, &outcome, started.elapsed());
            let settled =
                if operation == op::CANCEL { settle_cancel(&attempt, result) } else { settle_resend(&attempt, result) };
            flow::finish(&run, &attempt, settled).await
        })
        .await
        .ok_or_else(|| Problem::internal(format!("the {operation}'s task ended without an answer")))
}
