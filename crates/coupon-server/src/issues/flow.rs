//! The one way every money-moving request takes: begin under its key (durably, before the
//! vendor is called), or answer a repeat from the journal; then send on a task that runs to its
//! end, and record what came back.

use std::time::Duration;

use axum::response::{IntoResponse, Response};
use coupon_journal::{IdemBegin, IdemBegun, IdemFinish, IdemFinishOf, IdemRecord, IdemState};
use http::{HeaderValue, StatusCode, header};
use serde_json::Value;

use crate::problem::{PROBLEM_JSON, Problem};
use crate::state::AppState;

use super::REPLAYED;

/// A money-moving request, checked, about to begin.
#[derive(Clone)]
pub struct Attempt {
    /// The caller's API key id.
    pub scope: String,
    /// Its Idempotency-Key.
    pub key: String,
    /// `issue`, `cancel` or `resend`.
    pub op: &'static str,
    /// The issue a cancel or resend acts on.
    pub target: Option<String>,
    /// The canonical request's fingerprint.
    pub fingerprint: String,
    /// The vendor.
    pub vendor: String,
    /// An issue's partner reference.
    pub partner_ref: Option<String>,
    /// The canonical request.
    pub request: String,
    /// The order a cancel or resend acts on.
    pub order_id: Option<String>,
}

/// How a begin went.
pub enum Begun {
    /// Stored: send it.
    Send,
    /// Answered from the journal.
    Answered(Response),
}

/// Begins `attempt`, or answers its repeat.
pub async fn begin(state: &AppState, attempt: &Attempt) -> Result<Begun, Problem> {
    let begin = IdemBegin {
        scope: attempt.scope.clone(),
        key: attempt.key.clone(),
        op: attempt.op.to_string(),
        target: attempt.target.clone(),
        fingerprint: attempt.fingerprint.clone(),
        vendor: attempt.vendor.clone(),
        partner_ref: attempt.partner_ref.clone(),
        request: attempt.request.clone(),
        order_id: attempt.order_id.clone(),
        owner: state.worker().to_string(),
        lease: state.config().send_lease,
    };
    // A fresh key is stored with the requests in flight beside it, one synced commit for all; whatever stands
    // in its way (a repeat, another cancel of the same issue) is judged alone. A fresh key is the common case
    // here, so it is not read first: a repeat costs a turn in a batch (a row not inserted), a read saved for
    // each fresh one.
    if state.commits().begin(begin.clone()).await == Some(true) {
        return Ok(Begun::Send);
    }
    Ok(match state.journal().begin_idempotent(&begin).await? {
        IdemBegun::Started => Begun::Send,
        IdemBegun::Mismatch(record) => {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_mismatch",
                format!(
                    "the Idempotency-Key `{}` was first used for a different request ({} on {}); a key names one \
                     request: send this one under a new key",
                    attempt.key, record.op, record.vendor
                ),
            )
            .field(crate::json::IDEMPOTENCY_KEY)
            .with("key", attempt.key.clone()));
        }
        IdemBegun::InFlight { retry_after } => return Err(in_flight(&attempt.key, retry_after)),
        IdemBegun::Existing(record) => {
            state.metrics().replay();
            Begun::Answered(replay(&record))
        }
        IdemBegun::OtherCancel(record) => {
            if record.state == IdemState::InFlight {
                return Err(in_flight(&record.key, Duration::from_secs(1)));
            }
            state.metrics().replay();
            Begun::Answered(replay(&record))
        }
    })
}

fn in_flight(key: &str, retry_after: Duration) -> Problem {
    let seconds = retry_after.as_secs().max(1);
    Problem::new(
        StatusCode::CONFLICT,
        "in_flight",
        format!("the request under the Idempotency-Key `{key}` is still being sent; ask again in {seconds} s"),
    )
    .retryable(true)
    .with("key", key.to_string())
    .with("retry_after_seconds", seconds)
}

/// The stored answer of `record`, replayed; a doubt whose sender died before answering is `202 unknown`.
pub fn replay(record: &IdemRecord) -> Response {
    let (status, body) = match (record.status, &record.response) {
        (Some(status), Some(body)) => (status, body.clone()),
        _ => (202, unknown_body(record).to_string()),
    };
    respond(status, body, true)
}

/// The answer of a request in doubt, from its record alone.
pub fn unknown_body(record: &IdemRecord) -> Value {
    if record.op == "issue" {
        let body = super::body::Checked::from_canonical(&record.request).ok();
        serde_json::to_value(super::answer::IssueAnswer {
            key: record.key.clone(),
            state: "unknown".into(),
            vendor: record.vendor.clone(),
            product: body.as_ref().map(|b| b.body.product.clone()).unwrap_or_default(),
            partner_ref: record.partner_ref.clone().unwrap_or_default(),
            order: None,
            pin: None,
            to: body.as_ref().and_then(|b| b.recipient_shown()),
            details_unknown: None,
            cancel: None,
            resends: None,
        })
        .unwrap_or_default()
    } else {
        serde_json::json!({
            "key": record.key, "issue": record.target, "action": record.op, "state": "unknown",
            "vendor": record.vendor, "order": record.order_id,
        })
    }
}

/// An answer with its status and JSON body; a problem document gets its own media type.
pub fn respond(status: u16, body: String, replayed: bool) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let problem = status.is_client_error() || status.is_server_error();
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(if problem { PROBLEM_JSON } else { "application/json" }),
    );
    headers.insert(REPLAYED, HeaderValue::from_static(if replayed { "true" } else { "false" }));
    response
}

/// A turn to call the vendor (the settings' `max_concurrent_calls`), taken once the request is stored: a
/// replay never waits for one. Waiting longer than a tenth of the send lease (the replica is saturated) gives
/// the key back, never sent, and answers `503`: the same key may go again.
pub async fn turn(state: &AppState, attempt: &Attempt) -> Result<crate::state::Permit, Problem> {
    let wait = state.config().send_lease.mul_f64(0.1);
    match tokio::time::timeout(wait, state.tasks().permit()).await {
        Ok(permit) => Ok(permit),
        Err(_) => {
            if let Err(e) = state.journal().release_idempotent(&attempt.scope, &attempt.key, state.worker()).await {
                tracing::error!(error = %e, "a key could not be released; it becomes a doubt the reconciler settles");
            }
            Err(Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                format!(
                    "this replica already makes {} vendor calls; nothing was sent: send the same Idempotency-Key again",
                    state.config().max_concurrent_calls
                ),
            )
            .retryable(true)
            .with("key", attempt.key.clone())
            .with("retry_after_seconds", 1))
        }
    }
}

/// Runs a money-moving `call` for at most 80% of the send lease: a call still unanswered then is abandoned
/// (a doubt, settled by the reconciler), so that no sender can act on a request after its lease ran out and
/// another replica took it as a doubt.
pub async fn within_lease<T>(
    state: &AppState,
    partner_ref: Option<&coupon_core::PartnerRef>,
    call: impl Future<Output = coupon_core::Result<T>>,
) -> coupon_core::Result<T> {
    let limit = state.config().send_lease.mul_f64(0.8);
    match tokio::time::timeout(limit, call).await {
        Ok(result) => result,
        Err(_) => Err(coupon_core::Error::outcome_unknown(
            partner_ref.cloned(),
            format!(
                "no answer within {} s (80% of the send lease): abandoned, so it cannot act once another replica may \
                 settle it; the reconciler settles it with the vendor",
                limit.as_secs()
            ),
        )),
    }
}

/// What the vendor's answer means for the key.
pub enum Settled {
    /// A final answer: stored and replayed to every repeat.
    Done {
        /// The status to answer.
        status: u16,
        /// `issued`, `not_issued`, `cancelled`, …
        outcome: String,
        /// The body.
        body: Value,
        /// The order id learnt.
        order_id: Option<String>,
    },
    /// A doubt: answered `202`, settled later by the reconciler.
    Doubt {
        /// The `202` body.
        body: Value,
    },
    /// Provably nothing happened and a retry may work: the key is released, so the same key may be sent
    /// again; the problem is answered (not stored).
    Release(Problem),
}

/// Records `settled` under the attempt's key and answers it. A journal that fails here leaves the key in
/// flight under this replica's lease: once the lease expires it is a doubt the reconciler settles.
pub async fn finish(state: &AppState, attempt: &Attempt, settled: Settled) -> Response {
    let journal = state.journal();
    let owner = state.worker();
    match settled {
        Settled::Done { status, outcome, body, order_id } => {
            let text = body.to_string();
            let finish = IdemFinish {
                state: IdemState::Done,
                outcome,
                status,
                response: text.clone(),
                order_id,
                first_check: state.config().first_check,
            };
            record(state, attempt, finish).await;
            respond(status, text, false)
        }
        Settled::Doubt { body } => {
            let text = body.to_string();
            let finish = IdemFinish {
                state: IdemState::Unknown,
                outcome: "unknown".into(),
                status: 202,
                response: text.clone(),
                order_id: None,
                first_check: state.config().first_check,
            };
            record(state, attempt, finish).await;
            respond(202, text, false)
        }
        Settled::Release(problem) => {
            if let Err(e) = journal.release_idempotent(&attempt.scope, &attempt.key, owner).await {
                tracing::error!(error = %e, op = attempt.op, "a key could not be released; it becomes a doubt the reconciler settles");
            }
            problem.into_response()
        }
    }
}

/// Writes an answer with the others in flight (alone when their batch failed). A journal that fails here
/// leaves the key in flight under this replica's lease: once it runs out, a doubt the reconciler settles.
async fn record(state: &AppState, attempt: &Attempt, finish: IdemFinish) {
    let of = IdemFinishOf {
        scope: attempt.scope.clone(),
        key: attempt.key.clone(),
        owner: state.worker().to_string(),
        finish,
    };
    if state.commits().finish(of.clone()).await.is_some() {
        return;
    }
    if let Err(e) = state.journal().finish_idempotent(&of.scope, &of.key, &of.owner, &of.finish).await {
        tracing::error!(error = %e, op = attempt.op, "an answer could not be recorded; the reconciler will settle it");
    }
}
