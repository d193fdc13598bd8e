//! The reconciler: every replica looks for doubts (money-moving requests whose outcome is
//! unknown, and requests whose sender died with its lease) and settles them with the vendor.
//! Claims are leased in the journal (`SKIP LOCKED` on PostgreSQL), so replicas never work on
//! the same doubt; a doubt nothing can settle yet waits longer each time, and is never dropped.

use std::time::{Duration, Instant};

use coupon_core::{Adapter, CouponRef, ErrorKind, OrderRef, Reconciliation, op};
use coupon_journal::IdemRecord;
use futures_util::StreamExt;

use crate::issues::body::Checked;
use crate::issues::create::{issued_answer, not_issued_after_doubt};
use crate::issues::flow::{Attempt, Settled, unknown_body};
use crate::state::AppState;

/// How many doubts a pass takes.
const BATCH: usize = 32;
/// How many it settles at once.
const CONCURRENCY: usize = 8;
/// How much earlier than a request's record the vendor's history is searched from (clocks differ).
const SINCE_SLACK: Duration = Duration::from_secs(600);
/// The longest wait between two looks at one doubt.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// Runs until the service stops.
pub async fn run(state: AppState) {
    let mut stopping = state.stopping();
    loop {
        if *stopping.borrow() {
            return;
        }
        let settled = pass(&state).await;
        // A full batch means more may be waiting: go again at once.
        if settled >= BATCH {
            continue;
        }
        tokio::select! {
            _ = stopping.changed() => return,
            () = tokio::time::sleep(state.config().reconcile_every) => {},
        }
    }
}

/// One pass: claims doubts and settles them; answers how many it claimed.
pub async fn pass(state: &AppState) -> usize {
    let claimed = match state.journal().claim_doubts(state.worker(), state.config().send_lease, BATCH).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "the reconciler could not claim doubts");
            return 0;
        }
    };
    let n = claimed.len();
    futures_util::stream::iter(claimed).for_each_concurrent(CONCURRENCY, |record| settle(state, record)).await;
    n
}

async fn settle(state: &AppState, record: IdemRecord) {
    let attempt = Attempt {
        scope: record.scope.clone(),
        key: record.key.clone(),
        op: match record.op.as_str() {
            "cancel" => op::CANCEL,
            "resend" => op::RESEND,
            _ => op::ISSUE,
        },
        target: record.target.clone(),
        fingerprint: record.fingerprint.clone(),
        vendor: record.vendor.clone(),
        partner_ref: record.partner_ref.clone(),
        request: record.request.clone(),
        order_id: record.order_id.clone(),
    };
    let Some(adapter) = state.adapters().get(&record.vendor).cloned() else {
        later(state, &record, "the vendor is not configured on this replica").await;
        return;
    };
    let outcome = match attempt.op {
        op::ISSUE => settle_issue(state, &record, &attempt, adapter.as_ref()).await,
        op::CANCEL => settle_cancel(state, &attempt, adapter.as_ref()).await,
        // A resend in doubt stays "unknown" for good: it moved no coupon and there is nothing to ask.
        _ => Ok(Settled::Done {
            status: 202,
            outcome: "unknown".into(),
            body: unknown_body(&record),
            order_id: record.order_id.clone(),
        }),
    };
    match outcome {
        Ok(settled) => {
            let name = match &settled {
                Settled::Done { outcome, .. } => outcome.clone(),
                _ => "still_unknown".into(),
            };
            state.metrics().reconciled(&name);
            if let Settled::Done { .. } = settled {
                // Recorded as this replica's answer; never over an answer already final.
                let _ = crate::issues::flow::finish(state, &attempt, settled).await;
            }
        }
        Err(why) => {
            state.metrics().reconciled("still_unknown");
            later(state, &record, &why).await;
        }
    }
}

async fn later(state: &AppState, record: &IdemRecord, why: &str) {
    let wait = backoff(record.attempts, state.config().first_check);
    if let Err(e) = state.journal().retry_doubt_later(&record.scope, &record.key, state.worker(), wait, why).await {
        tracing::warn!(error = %e, "a doubt's next look could not be recorded; its lease brings it back");
    }
}

/// The wait before the next look: doubling from `first`, at most five minutes.
pub fn backoff(attempts: u32, first: Duration) -> Duration {
    let factor = 2u32.saturating_pow(attempts.min(16));
    first.saturating_mul(factor).min(MAX_BACKOFF)
}

async fn settle_issue(
    state: &AppState,
    record: &IdemRecord,
    attempt: &Attempt,
    adapter: &dyn Adapter,
) -> Result<Settled, String> {
    if !adapter.capabilities().reconcile {
        return Err(format!("the {} adapter cannot reconcile: settle it with the vendor by hand", record.vendor));
    }
    let checked = Checked::from_canonical(&record.request).map_err(|p| p.detail)?;
    let partner_ref = coupon_core::PartnerRef::new(record.partner_ref.clone().unwrap_or_default());
    let request = checked.request(&partner_ref);
    let since = (record.created_at - SINCE_SLACK).with_timezone(&coupon_core::time::kst());
    let started = Instant::now();
    let result = crate::issues::flow::within_lease(state, Some(&partner_ref), adapter.reconcile(&request, since)).await;
    let name = result.as_ref().map(|r| r.as_str().to_string()).unwrap_or_else(|e| crate::problem::kind_name(e.kind()));
    state.metrics().vendor_call(&record.vendor, op::RECONCILE, &name, started.elapsed());
    match result {
        Ok(Reconciliation::Issued(issued)) => Ok(issued_answer(&attempt.key, &checked, &issued)),
        Ok(Reconciliation::NotIssued) => Ok(not_issued_after_doubt(&attempt.key, &record.vendor, partner_ref.as_str())),
        Ok(Reconciliation::StillUnknown(why)) => Err(why),
        Ok(_) => Err("an answer this release does not know".into()),
        Err(e) => Err(e.to_string()),
    }
}

async fn settle_cancel(state: &AppState, attempt: &Attempt, adapter: &dyn Adapter) -> Result<Settled, String> {
    let order = attempt.order_id.clone().ok_or("a cancel without an order id")?;
    let caps = adapter.capabilities();
    if caps.status {
        let started = Instant::now();
        let check = adapter.check(&CouponRef::order(order.clone())).await;
        let name = check.as_ref().map(|_| "ok".to_string()).unwrap_or_else(|e| crate::problem::kind_name(e.kind()));
        state.metrics().vendor_call(&attempt.vendor, op::STATUS, &name, started.elapsed());
        let check = check.map_err(|e| e.to_string())?;
        let unused = matches!(check.status, coupon_core::CouponStatus::Unused);
        // Unused after the cancel: it did not happen. Where a second cancel is harmless, send it now.
        if !(unused && caps.cancel_repeatable) {
            if let Some(settled) = crate::issues::cancel::settle_cancel_by_state(attempt, &check.status) {
                return Ok(settled);
            }
            return Err(format!(
                "the coupon's state `{}` does not say whether the cancel happened",
                check.status.as_str()
            ));
        }
    } else if !caps.cancel_repeatable {
        return Err(
            "the adapter can neither read the coupon's state nor repeat a cancel safely: settle it by hand".into()
        );
    }
    let started = Instant::now();
    let result = crate::issues::flow::within_lease(state, None, adapter.cancel(&OrderRef::new(order))).await;
    let name = result.as_ref().map(|_| "ok".to_string()).unwrap_or_else(|e| crate::problem::kind_name(e.kind()));
    state.metrics().vendor_call(&attempt.vendor, op::CANCEL, &name, started.elapsed());
    match &result {
        Err(e) if matches!(e.kind(), ErrorKind::OutcomeUnknown | ErrorKind::Protocol) => Err(e.to_string()),
        Err(e)
            if e.is_retryable()
                || matches!(e.kind(), ErrorKind::Transport | ErrorKind::Timeout | ErrorKind::RateLimited) =>
        {
            Err(e.to_string())
        }
        _ => Ok(crate::issues::cancel::settle_cancel(attempt, result)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_doubt_is_looked_at_less_often_each_time_but_at_least_every_five_minutes() {
        let first = Duration::from_secs(2);
        assert_eq!(backoff(0, first), first);
        assert_eq!(backoff(3, first), Duration::from_secs(16));
        assert_eq!(backoff(40, first), MAX_BACKOFF);
    }
}
