//! The retry budget: retries as a share of the calls a client is asked to make.
//!
//! Per-call attempt limits alone let an outage multiply the load on a vendor
//! by `max_attempts` exactly when it can least take it. Like Envoy's retry
//! budget (and Finagle's), a client may retry only while its retries over a
//! sliding window stay under a fraction of its calls over that window, with a
//! small floor so a quiet client can still retry at all.
//!
//! # Why not `tower::retry::budget::TpsBudget`
//!
//! Tower's budget (Finagle's), which this crate's `tower` dependency could bring, keeps
//! neither this rule nor the tests below (measured against tower 0.5.3):
//!
//! - Its floor is added to the share of calls, not taken as a minimum: a reserve of
//!   `min_per_sec × ttl` plus `retry_percent` of the deposits. With the defaults, 100
//!   calls after 10 retries leave it 20 more retries where this budget leaves 10
//!   (`max(10, 20 % of 100)` = 20 in all), so an outage costs the vendor more than this
//!   rule says.
//! - The floor is a whole number per second and the window whole seconds from 1 to 60
//!   (it panics outside them, and on a NaN or infinite ratio): a floor of 3 per 10 s,
//!   a sub-second window, an infinite ratio meaning "no budget" cannot be said.
//! - A ratio becomes a whole number of deposits per retry (`1 / ratio`, truncated), so
//!   0.4 allows a retry every 2 calls, not 2 every 5.
//! - It reads the time from `tokio::time::Instant::now()` itself, so its window can only
//!   be tested on tokio's paused clock; this one takes the time from its caller, which
//!   lets the tests below move it explicitly.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many retries a client may make compared with the calls it is asked to send.
///
/// Over the last `window`, retries stay at or below
/// `max(min_retries_per_window, ratio × calls)`, where calls counts each
/// [`super::HttpClient::send`] once however many attempts it makes. Clones of
/// an [`super::HttpClient`] share one budget.
///
/// ```
/// use std::time::Duration;
/// use coupon_core::http::RetryBudget;
/// let b = RetryBudget::default();
/// assert_eq!((b.ratio, b.min_retries_per_window, b.window), (0.2, 10, Duration::from_secs(10)));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct RetryBudget {
    /// Retries allowed per call sent, over the window (default 0.2: one retry per five calls).
    /// Infinite turns the budget off.
    pub ratio: f64,
    /// Retries allowed over the window whatever the number of calls (default 10).
    pub min_retries_per_window: u32,
    /// How far back calls and retries are counted (default 10 s).
    pub window: Duration,
}

impl Default for RetryBudget {
    fn default() -> Self {
        Self { ratio: 0.2, min_retries_per_window: 10, window: Duration::from_secs(10) }
    }
}

// Compared by bits so the settings structs holding a budget can stay `Eq`.
impl PartialEq for RetryBudget {
    fn eq(&self, other: &Self) -> bool {
        self.ratio.to_bits() == other.ratio.to_bits()
            && self.min_retries_per_window == other.min_retries_per_window
            && self.window == other.window
    }
}

impl Eq for RetryBudget {}

/// Ten buckets make the window slide in tenths, which is exact enough for a
/// limit that is itself a rule of thumb and keeps the state a fixed size.
const BUCKETS: usize = 10;

#[derive(Clone, Copy, Debug, Default)]
struct Bucket {
    /// Which bucket-length period since `origin` these counts belong to.
    period: u64,
    calls: u64,
    retries: u64,
}

/// The shared counters of one client's budget.
#[derive(Debug)]
pub(crate) struct BudgetTracker {
    budget: RetryBudget,
    origin: Instant,
    buckets: Mutex<[Bucket; BUCKETS]>,
}

impl BudgetTracker {
    pub(crate) fn new(budget: RetryBudget) -> Self {
        Self { budget, origin: Instant::now(), buckets: Mutex::new([Bucket::default(); BUCKETS]) }
    }

    fn period(&self, now: Instant) -> u64 {
        let len = (self.budget.window / BUCKETS as u32).max(Duration::from_millis(1));
        (now.saturating_duration_since(self.origin).as_nanos() / len.as_nanos()) as u64
    }

    /// Counts a call the client was asked to send.
    pub(crate) fn record_call(&self, now: Instant) {
        let period = self.period(now);
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        current(&mut buckets, period).calls += 1;
    }

    /// Takes one retry from the budget; false when the budget is spent.
    pub(crate) fn try_retry(&self, now: Instant) -> bool {
        if self.budget.ratio.is_infinite() && self.budget.ratio > 0.0 {
            return true;
        }
        let period = self.period(now);
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let oldest = period.saturating_sub(BUCKETS as u64 - 1);
        let (calls, retries) = buckets
            .iter()
            .filter(|b| b.period >= oldest && b.period <= period)
            .fold((0u64, 0u64), |(c, r), b| (c + b.calls, r + b.retries));
        let ratio = if self.budget.ratio.is_nan() { 0.0 } else { self.budget.ratio.max(0.0) };
        // `as` saturates, which is the meaning wanted for a huge ratio.
        let allowed = ((ratio * calls as f64) as u64).max(u64::from(self.budget.min_retries_per_window));
        if retries >= allowed {
            return false;
        }
        current(&mut buckets, period).retries += 1;
        true
    }
}

/// The bucket of `period`, emptied first when it still holds an older period's counts.
fn current(buckets: &mut [Bucket; BUCKETS], period: u64) -> &mut Bucket {
    let b = &mut buckets[(period % BUCKETS as u64) as usize];
    if b.period != period {
        *b = Bucket { period, calls: 0, retries: 0 };
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tracker(ratio: f64, min: u32) -> BudgetTracker {
        BudgetTracker::new(RetryBudget { ratio, min_retries_per_window: min, window: Duration::from_secs(10) })
    }

    #[test]
    fn retries_are_capped_at_the_ratio_of_calls_with_a_floor() {
        let t = tracker(0.2, 10);
        let now = t.origin;
        // The floor alone, before any call.
        assert_eq!((0..20).filter(|_| t.try_retry(now)).count(), 10);
        for _ in 0..100 {
            t.record_call(now);
        }
        // 20 % of 100 calls is 20 retries in all, 10 of them already taken.
        assert_eq!((0..50).filter(|_| t.try_retry(now)).count(), 10);
    }

    #[test]
    fn the_window_slides() {
        let t = tracker(0.0, 3);
        let start = t.origin;
        assert_eq!((0..5).filter(|_| t.try_retry(start)).count(), 3);
        // Half a window later the old retries still count.
        assert!(!t.try_retry(start + Duration::from_secs(5)));
        // A whole window later they have slid out.
        let later = start + Duration::from_secs(10);
        assert_eq!((0..5).filter(|_| t.try_retry(later)).count(), 3);
    }

    #[test]
    fn an_infinite_ratio_turns_the_budget_off_and_nan_allows_the_floor_only() {
        let t = tracker(f64::INFINITY, 0);
        assert!((0..1000).all(|_| t.try_retry(t.origin)));
        let t = tracker(f64::NAN, 2);
        t.record_call(t.origin);
        assert_eq!((0..5).filter(|_| t.try_retry(t.origin)).count(), 2);
    }
}
