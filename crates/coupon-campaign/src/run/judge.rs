//! The judge: what each finished row task means for the campaign. An account refused
//! stops it, transport failures in a row trip the breaker, "slow down" halves the pace
//! and calls that go through win it back.

use super::calls::Done;
use crate::outcome::Effect;
use crate::stop::Stop;

/// What the rate's bucket must hear of a finished task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Pace {
    /// Nothing.
    Same,
    /// The vendor asked to slow down.
    SlowDown,
    /// A call went through.
    WentThrough,
}

/// Why the campaign stops, once it does, and the transport failures in a row so far.
#[derive(Debug)]
pub(super) struct Judge {
    breaker: u32,
    failures_in_a_row: u32,
    stop: Option<Stop>,
}

impl Judge {
    /// No stop yet; the breaker trips at `breaker` transport failures in a row.
    pub(super) fn new(breaker: u32) -> Self {
        Self { breaker, failures_in_a_row: 0, stop: None }
    }

    /// Weighs a finished task; answers what the bucket must hear.
    pub(super) fn weigh(&mut self, done: &Done) -> Pace {
        match done.effect {
            Effect::Carry => self.failures_in_a_row = 0,
            Effect::SlowDown => return Pace::SlowDown,
            Effect::Stop => {
                if let Some(e) = &done.error {
                    self.stop_for(Stop::Refused {
                        kind: e.kind(),
                        code: e.vendor_code().map(|c| c.raw().to_owned()),
                        message: e.to_string(),
                    });
                }
            }
            Effect::Transport => {
                self.failures_in_a_row += 1;
                if self.failures_in_a_row >= self.breaker {
                    self.stop_for(Stop::Breaker {
                        failures: self.failures_in_a_row,
                        last: done.error.as_ref().map(|e| e.to_string()).unwrap_or_default(),
                    });
                }
            }
        }
        if done.error.is_none() && done.effect == Effect::Carry { Pace::WentThrough } else { Pace::Same }
    }

    /// Stops the campaign for `why`, unless it is stopped already: the first reason stands.
    pub(super) fn stop_for(&mut self, why: Stop) {
        self.stop.get_or_insert(why);
    }

    /// Why the campaign stops, if it does.
    pub(super) fn stop(&self) -> Option<&Stop> {
        self.stop.as_ref()
    }

    /// The stop, taken.
    pub(super) fn into_stop(self) -> Option<Stop> {
        self.stop
    }
}

#[cfg(test)]
mod tests {
    use coupon_core::{Error, ErrorKind};

    use super::*;

    fn done(effect: Effect, error: Option<ErrorKind>) -> Done {
        Done { effect, error: error.map(|kind| Error::new(kind, "the vendor's words")) }
    }

    #[test]
    fn the_breaker_trips_on_failures_in_a_row_only() {
        let mut judge = Judge::new(3);
        let failed = || done(Effect::Transport, Some(ErrorKind::Transport));
        assert_eq!(judge.weigh(&failed()), Pace::Same);
        judge.weigh(&failed());
        assert_eq!(judge.weigh(&done(Effect::Carry, None)), Pace::WentThrough, "a call through resets the count");
        judge.weigh(&failed());
        judge.weigh(&failed());
        assert_eq!(judge.stop(), None);
        judge.weigh(&failed());
        let Some(Stop::Breaker { failures, last }) = judge.stop() else { panic!("{:?}", judge.stop()) };
        assert_eq!((*failures, last.contains("the vendor's words")), (3, true));
    }

    #[test]
    fn an_account_refusal_stops_and_the_first_stop_stands() {
        let mut judge = Judge::new(1);
        assert_eq!(judge.weigh(&done(Effect::Stop, Some(ErrorKind::InsufficientFunds))), Pace::Same);
        judge.weigh(&done(Effect::Transport, Some(ErrorKind::Transport)));
        judge.stop_for(Stop::ByAnotherWorker("later".into()));
        let Some(Stop::Refused { kind, .. }) = judge.into_stop() else { panic!("the refusal came first") };
        assert_eq!(kind, ErrorKind::InsufficientFunds);
    }

    #[test]
    fn slow_down_is_passed_on_and_a_refused_row_is_not_a_call_through() {
        let mut judge = Judge::new(5);
        assert_eq!(judge.weigh(&done(Effect::SlowDown, Some(ErrorKind::RateLimited))), Pace::SlowDown);
        assert_eq!(judge.weigh(&done(Effect::Carry, Some(ErrorKind::InvalidInput))), Pace::Same);
        assert_eq!(judge.stop(), None);
    }
}
