//! One deadline for a whole operation, across every request it makes.
//!
//! [`HttpConfig::total_timeout`](super::HttpConfig::total_timeout) bounds one
//! [`HttpClient::send`](super::HttpClient::send). An adapter operation may make
//! several sends (a token refresh, then the call, then a replay with the new
//! token); the caller's budget of time is for all of them. [`within`] opens a
//! scope holding a deadline in a `tokio` task-local, and every `send` inside it
//! stops at the earlier of that deadline and its own, as smithy-rs's operation
//! timeout does.
//!
//! A task-local does not follow `tokio::spawn`: work spawned inside a scope
//! runs without its deadline (wrap the spawned future in [`within`] again, or
//! pass [`Deadline::current`] along and use [`Deadline::remaining`]).

use std::future::Future;
use std::time::{Duration, Instant};

tokio::task_local! {
    static OPERATION_DEADLINE: Deadline;
}

/// The deadline of the operation the current task is running, set by [`within`]
/// (or [`HttpClient::operation`](super::HttpClient::operation)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadline {
    at: Instant,
    total: Duration,
}

impl Deadline {
    /// The deadline of the innermost scope around the caller, if any.
    pub fn current() -> Option<Deadline> {
        OPERATION_DEADLINE.try_with(|d| *d).ok()
    }

    /// The instant the operation must end by.
    pub fn at(&self) -> Instant {
        self.at
    }

    /// The operation's whole allowance, as given to the scope that set it.
    pub fn total(&self) -> Duration {
        self.total
    }

    /// The time left, zero once the deadline has passed.
    pub fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }
}

/// Runs `fut` with a deadline of `total` from now: every
/// [`HttpClient::send`](super::HttpClient::send) awaited inside it gives up by
/// then, whatever its own timeouts allow.
///
/// Scopes nest: inside an existing scope the earlier deadline wins, so an
/// inner scope can shorten the time left but never extend it. `fut` itself is
/// not cancelled at the deadline; only the sends inside it are bounded, so an
/// operation made of sends and pure computation ends soon after it.
///
/// ```
/// use std::time::Duration;
/// use coupon_core::http::{Deadline, within};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// assert!(Deadline::current().is_none());
/// within(Duration::from_secs(1), async {
///     let outer = Deadline::current().unwrap();
///     within(Duration::from_secs(60), async {
///         assert_eq!(Deadline::current(), Some(outer), "an inner scope never extends the deadline");
///     })
///     .await;
/// })
/// .await;
/// # }
/// ```
pub async fn within<F: Future>(total: Duration, fut: F) -> F::Output {
    let now = Instant::now();
    let mine = Deadline { at: now.checked_add(total).unwrap_or_else(|| far_future(now)), total };
    let deadline = match Deadline::current() {
        Some(outer) if outer.at <= mine.at => outer,
        _ => mine,
    };
    OPERATION_DEADLINE.scope(deadline, fut).await
}

/// An instant no real timeout reaches, for a `total` so large that adding it overflows.
pub(crate) fn far_future(now: Instant) -> Instant {
    now + Duration::from_secs(100 * 365 * 24 * 3600)
}
