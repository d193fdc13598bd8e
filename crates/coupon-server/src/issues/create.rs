//! `POST /v1/issues`: one coupon, exactly once per Idempotency-Key.

use std::time::Instant;

use axum::extract::State;
use axum::response::Response;
use coupon_campaign::outcome::{Verdict, of_issue_error};
use coupon_core::{Issued, op};
use serde_json::Value;

use super::answer::IssueAnswer;
use super::body::{Checked, IssueBody, fingerprint, new_partner_ref, problem_of_input};
use super::flow::{self, Attempt, Begun, Settled};
use crate::auth::{Caller, Scope};
use crate::json::{IdempotencyKey, StrictJson};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

/// Issues one coupon.
///
/// The key, the request's fingerprint and its partner reference are committed before the vendor is called.
/// `201`: issued (with the order id and PIN, and the recipient in full: this answer goes to its caller).
/// `202`: the outcome is unknown; the service settles it with the vendor (read it with `GET
/// /v1/issues/{key}`). A repeat of the key replays the first answer (`Idempotent-Replayed: true`); `409`
/// while the first is in flight; `422` when the request differs from the first.
#[utoipa::path(post, path = "/v1/issues", tag = "issues", request_body = IssueBody,
    params(("Idempotency-Key" = String, Header, description = "your unique id for this request, up to 255 characters")),
    responses(
        (status = 201, description = "issued", body = IssueAnswer),
        (status = 202, description = "outcome unknown: settled in the background", body = IssueAnswer),
        (status = 400, description = "bad input (nothing stored or sent)", body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, description = "no such vendor is configured", body = Problem),
        (status = 409, description = "the first request under this key is still in flight", body = Problem),
        (status = 413, description = "the body is over the limit", body = Problem),
        (status = 422, description = "the key was used for a different request, or the vendor refused", body = Problem),
        (status = 501, description = "the vendor's adapter cannot issue", body = Problem),
    ),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    StrictJson(body): StrictJson<IssueBody>,
) -> ApiResult<Response> {
    caller.require(&[Scope::Issue])?;
    let adapter = state.adapter_for(&body.vendor, "vendor", op::ISSUE)?;
    let checked = body.check()?;
    let partner_ref = new_partner_ref()?;
    let request = checked.request(&partner_ref);
    adapter.check_issue(&request).map_err(|e| problem_of_input(&e))?;
    let attempt = Attempt {
        scope: caller.key_id.clone(),
        key: key.0.clone(),
        op: op::ISSUE,
        target: None,
        fingerprint: fingerprint(op::ISSUE, &checked.canonical),
        vendor: checked.body.vendor.clone(),
        partner_ref: Some(partner_ref.as_str().to_string()),
        request: checked.canonical.clone(),
        order_id: None,
    };
    if let Begun::Answered(response) = flow::begin(&state, &attempt).await? {
        return Ok(response);
    }
    let permit = flow::turn(&state, &attempt).await?;
    let run = state.clone();
    let answered = state
        .tasks()
        .run_to_end(permit, async move {
            let started = Instant::now();
            let result = flow::within_lease(&run, Some(&partner_ref), adapter.issue(&request)).await;
            let outcome =
                result.as_ref().map(|_| "ok".to_string()).unwrap_or_else(|e| crate::problem::kind_name(e.kind()));
            run.metrics().vendor_call(&attempt.vendor, op::ISSUE, &outcome, started.elapsed());
            let settled = settle_issue(&attempt.key, &checked, &partner_ref, result);
            flow::finish(&run, &attempt, settled).await
        })
        .await;
    answered
        .ok_or_else(|| Problem::internal("the issue's task ended without an answer; read it with GET /v1/issues/{key}"))
}

/// What an issue's result means for its key: one table, the campaign engine's ([`of_issue_error`]).
pub fn settle_issue(
    key: &str,
    checked: &Checked,
    partner_ref: &coupon_core::PartnerRef,
    result: coupon_core::Result<Issued>,
) -> Settled {
    match result {
        Ok(issued) => issued_answer(key, checked, &issued),
        Err(e) => {
            let e = e.or_partner_ref(Some(partner_ref));
            match of_issue_error(&e).0 {
                Verdict::Doubt => Settled::Doubt { body: answer(key, checked, partner_ref.as_str(), "unknown", None) },
                Verdict::NotSent => Settled::Release(Problem::from(&e).with("key", key).with("state", "not_issued")),
                Verdict::Refused => {
                    let p = Problem::from(&e).with("key", key).with("state", "not_issued");
                    Settled::Done {
                        status: p.status,
                        outcome: "not_issued".into(),
                        body: serde_json::to_value(&p).unwrap_or_default(),
                        order_id: None,
                    }
                }
            }
        }
    }
}

/// A coupon that exists: `201` with what is known of it.
pub fn issued_answer(key: &str, checked: &Checked, issued: &Issued) -> Settled {
    let mut body = answer(key, checked, issued.partner_ref.as_str(), "issued", Some(issued));
    if let Value::Object(map) = &mut body {
        map.insert("details_unknown".into(), serde_json::json!(issued.details_unknown));
    }
    Settled::Done {
        status: 201,
        outcome: "issued".into(),
        body,
        order_id: issued.order.as_ref().map(|o| o.as_str().to_string()),
    }
}

fn answer(key: &str, checked: &Checked, partner_ref: &str, state: &str, issued: Option<&Issued>) -> Value {
    serde_json::to_value(IssueAnswer {
        key: key.to_string(),
        state: state.to_string(),
        vendor: checked.body.vendor.clone(),
        product: checked.body.product.clone(),
        partner_ref: partner_ref.to_string(),
        order: issued.and_then(|i| i.order.as_ref()).map(|o| o.as_str().to_string()),
        pin: issued.and_then(|i| i.pin.as_ref()).map(|p| p.expose().to_string()),
        to: checked.recipient_shown(),
        details_unknown: issued.and_then(|i| i.details_unknown.clone()),
        cancel: None,
        resends: None,
    })
    .unwrap_or_default()
}

/// A `not_issued` answer for a doubt the vendor settled as "no coupon".
pub fn not_issued_after_doubt(key: &str, vendor: &str, partner_ref: &str) -> Settled {
    let p = Problem::new(
        http::StatusCode::UNPROCESSABLE_ENTITY,
        "not_issued",
        format!(
            "the outcome was in doubt, and {vendor} has no coupon for the partner reference {partner_ref}: nothing \
             was issued; to try again, send the request under a new Idempotency-Key"
        ),
    )
    .with("key", key)
    .with("state", "not_issued");
    let mut p = p;
    p.vendor = Some(vendor.to_string());
    p.partner_ref = Some(partner_ref.to_string());
    Settled::Done {
        status: p.status,
        outcome: "not_issued".into(),
        body: serde_json::to_value(&p).unwrap_or_default(),
        order_id: None,
    }
}
