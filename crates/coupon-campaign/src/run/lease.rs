//! The lease keeper: renews a worker's leases every third of their length, in a task
//! of its own, and tells the loop when they may no longer hold.
//!
//! A lease is taken at a claim (after the run began) and extended by each renewal, so
//! it holds at least until the run's start, then the last good renewal's start, plus
//! the lease. A row is sent only while that is well ahead, so a worker cut off from
//! the journal never sends a row whose lease another worker may have taken over.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use coupon_core::chrono::Utc;
use tokio::task::JoinHandle;

/// The renewing task, and until when every lease this worker holds is sure to hold.
/// Dropping it stops the renewals: the run is over, and rows it still holds must
/// expire into doubt for the next run to settle.
#[derive(Debug)]
pub(super) struct LeaseKeeper {
    held_until: Arc<AtomicI64>,
    lease_ms: i64,
    task: JoinHandle<()>,
}

impl LeaseKeeper {
    /// Starts renewing with `renew` (true when the journal renewed the leases) every
    /// third of `lease`.
    pub(super) fn start<R, F>(lease: Duration, renew: R) -> Self
    where
        R: Fn() -> F + Send + 'static,
        F: Future<Output = bool> + Send,
    {
        let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
        let held_until = Arc::new(AtomicI64::new(now_ms().saturating_add(lease_ms)));
        let held = Arc::clone(&held_until);
        let task = tokio::spawn(async move {
            loop {
                tokio::time::sleep(lease / 3).await;
                let start = now_ms();
                // A failed renewal is not fatal here: the next one may pass, and until
                // then `held_until` stops moving, which stops the sends in time.
                if renew().await {
                    held.store(start.saturating_add(lease_ms), Ordering::Release);
                }
            }
        });
        Self { held_until, lease_ms, task }
    }

    /// Whether less than half a lease is sure to remain: no row may be sent now.
    pub(super) fn expiring(&self) -> bool {
        expiring(now_ms(), self.held_until.load(Ordering::Acquire), self.lease_ms)
    }
}

impl Drop for LeaseKeeper {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// Whether, at `now`, leases sure to hold until `held_until` have less than half of
/// `lease` left (all in milliseconds): half a lease is the margin for a send under
/// way and for clocks that differ.
fn expiring(now: i64, held_until: i64, lease: i64) -> bool {
    now.saturating_add(lease / 2) > held_until
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicU32};

    use super::*;

    #[test]
    fn leases_are_expiring_once_less_than_half_of_one_is_sure() {
        assert!(!expiring(1_000, 61_000, 60_000), "a whole lease ahead");
        assert!(!expiring(31_000, 61_000, 60_000), "exactly half left");
        assert!(expiring(31_001, 61_000, 60_000));
        assert!(expiring(i64::MAX, 61_000, 60_000), "no overflow");
    }

    #[tokio::test(start_paused = true)]
    async fn renewals_come_every_third_of_a_lease_and_only_good_ones_move_the_horizon() {
        let calls = Arc::new(AtomicU32::new(0));
        let renewing = Arc::new(AtomicBool::new(true));
        let keeper = {
            let (calls, renewing) = (Arc::clone(&calls), Arc::clone(&renewing));
            LeaseKeeper::start(Duration::from_secs(60), move || {
                calls.fetch_add(1, Ordering::SeqCst);
                let ok = renewing.load(Ordering::SeqCst);
                async move { ok }
            })
        };
        assert!(!keeper.expiring(), "a fresh run holds a whole lease");
        tokio::time::sleep(Duration::from_secs(61)).await;
        assert_eq!(calls.load(Ordering::SeqCst), 3, "every 20 s of a 60 s lease");
        let renewed = keeper.held_until.load(Ordering::Acquire);
        assert!(renewed >= now_ms() + 59_000, "a good renewal holds a lease from its start");

        renewing.store(false, Ordering::SeqCst);
        let before = keeper.held_until.load(Ordering::Acquire);
        tokio::time::sleep(Duration::from_secs(40)).await;
        assert_eq!(calls.load(Ordering::SeqCst), 5);
        assert_eq!(keeper.held_until.load(Ordering::Acquire), before, "a failed renewal moves nothing");

        drop(keeper);
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(calls.load(Ordering::SeqCst), 5, "dropping the keeper stops the renewals");
    }
}
