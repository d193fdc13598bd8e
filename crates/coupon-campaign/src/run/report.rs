//! What a run reports: its progress while it goes, how it ended, and the counters its
//! row tasks keep.

use std::sync::atomic::{AtomicU64, Ordering};

use coupon_journal::Counts;

use crate::stop::Stop;

/// What this run did so far, for a progress display.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Progress {
    /// Requests sent (issues and re-sends).
    pub sent: u64,
    /// Rows issued.
    pub issued: u64,
    /// Rows refused.
    pub refused: u64,
    /// Rows whose outcome is in doubt after this run's attempt (settled later in the run where possible).
    pub in_doubt: u64,
    /// Doubts settled.
    pub settled: u64,
    /// Rows to send again (not sent, or "try again").
    pub not_sent: u64,
    /// Rows the campaign had left to do when the run began.
    pub todo: u64,
    /// Calls a second allowed now.
    pub rate: f64,
    /// Seconds since the run began.
    pub elapsed: f64,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RunEnd {
    /// Every row is settled (`issued` or `refused`).
    Settled,
    /// Nothing is left to send, but rows are still `unknown`: reconcile them later.
    InDoubt(u64),
    /// The campaign stopped; rows not sent stay `pending`. `run` again resumes.
    Stopped(Stop),
    /// Interrupted (ctrl-c): in-flight calls were finished and recorded.
    Interrupted,
}

/// The summary of a run.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RunReport {
    /// How it ended.
    pub end: RunEnd,
    /// What this run did.
    pub progress: Progress,
    /// The campaign's rows per state at the end.
    pub counts: Counts,
}

/// The counters the row tasks bump as they go (shared, lock-free).
#[derive(Debug, Default)]
pub(super) struct Tally {
    pub(super) sent: AtomicU64,
    pub(super) issued: AtomicU64,
    pub(super) refused: AtomicU64,
    pub(super) in_doubt: AtomicU64,
    pub(super) settled: AtomicU64,
    pub(super) not_sent: AtomicU64,
}

impl Tally {
    /// Counts one more.
    pub(super) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The progress so far of a run that had `todo` rows to do, goes at `rate` and
    /// began `elapsed` seconds ago.
    pub(super) fn progress(&self, todo: u64, rate: f64, elapsed: f64) -> Progress {
        Progress {
            sent: self.sent.load(Ordering::Relaxed),
            issued: self.issued.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            in_doubt: self.in_doubt.load(Ordering::Relaxed),
            settled: self.settled.load(Ordering::Relaxed),
            not_sent: self.not_sent.load(Ordering::Relaxed),
            todo,
            rate,
            elapsed,
        }
    }
}

/// How a run ended, from its stop, whether it was interrupted, and the campaign's
/// counts once everything in flight is recorded. Rows left to send with none in
/// doubt end it `Interrupted` (a run that only settles doubts sends none): running
/// again goes on with them.
pub(super) fn end_of(stop: Option<Stop>, interrupted: bool, counts: &Counts) -> RunEnd {
    match stop {
        Some(s) => RunEnd::Stopped(s),
        None if interrupted => RunEnd::Interrupted,
        None if counts.unknown > 0 => RunEnd::InDoubt(counts.unknown),
        None if counts.pending + counts.sending + counts.not_issued > 0 => RunEnd::Interrupted,
        None => RunEnd::Settled,
    }
}

#[cfg(test)]
mod tests {
    use coupon_journal::RowState;

    use super::*;

    fn counts(of: &[(RowState, u64)]) -> Counts {
        let mut counts = Counts::default();
        for (state, n) in of {
            counts.set(*state, *n);
        }
        counts
    }

    #[test]
    fn a_stop_wins_then_an_interrupt_then_doubts_then_rows_left() {
        let breaker = Stop::Breaker { failures: 5, last: "x".into() };
        let doubts = counts(&[(RowState::Unknown, 2), (RowState::Pending, 3)]);
        assert_eq!(end_of(Some(breaker.clone()), true, &doubts), RunEnd::Stopped(breaker));
        assert_eq!(end_of(None, true, &doubts), RunEnd::Interrupted);
        assert_eq!(end_of(None, false, &doubts), RunEnd::InDoubt(2));
        for left in [RowState::Pending, RowState::Sending, RowState::NotIssued] {
            assert_eq!(end_of(None, false, &counts(&[(left, 1), (RowState::Issued, 4)])), RunEnd::Interrupted);
        }
        let done = counts(&[(RowState::Issued, 4), (RowState::Refused, 1)]);
        assert_eq!(end_of(None, false, &done), RunEnd::Settled);
    }

    #[test]
    fn the_tally_is_the_progress() {
        let tally = Tally::default();
        Tally::bump(&tally.sent);
        Tally::bump(&tally.sent);
        Tally::bump(&tally.issued);
        let p = tally.progress(10, 5.0, 1.5);
        assert_eq!((p.sent, p.issued, p.refused, p.todo, p.rate, p.elapsed), (2, 1, 0, 10, 5.0, 1.5));
    }
}
