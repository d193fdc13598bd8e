//! Which failed attempts are tried again, and what a final failure means.
//!
//! The rules, in the object_store/Stripe manner:
//! - A read ([`CallSafety::Read`]) is retried on connect errors, timeouts, a
//!   dropped connection, and HTTP 408, 429, 502, 503, 504.
//! - A money-moving call is re-sent only when it provably never left (connect,
//!   DNS or TLS failure) — or, when the vendor deduplicates it by the partner
//!   reference ([`CallSafety::MoneyMovingDeduplicated`]), once more after a doubt.
//! - Any doubt left after a money-moving call is sent becomes
//!   [`crate::ErrorKind::OutcomeUnknown`].
//! - A read whose answer carries a vendor code that means "try again" (see
//!   [`super::Call::retry_answer_when`]) is retried like a 503; money-moving
//!   calls never are.
//! - Every retry also needs the client's [`RetryBudget`] to allow it, so an
//!   outage does not multiply the load on the vendor by the attempt count.

use std::time::Duration;

use super::backoff::backoff_delay;
pub use super::budget::RetryBudget;

/// How a call may be repeated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallSafety {
    /// A read: repeating it changes nothing.
    Read,
    /// Moves money (issue, buy, cancel, resend) and the vendor does not deduplicate it.
    MoneyMoving,
    /// Moves money, but the vendor refuses a repeat of the same partner reference,
    /// so one re-send after a doubt cannot make a second coupon.
    MoneyMovingDeduplicated,
}

impl CallSafety {
    /// True for the money-moving kinds.
    pub fn moves_money(self) -> bool {
        !matches!(self, CallSafety::Read)
    }
}

/// How many attempts and how long to wait between them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (default 3).
    pub max_attempts: u32,
    /// The first backoff before jitter (default 0.5 s); doubled each retry.
    pub base_delay: Duration,
    /// The largest backoff (default 5 s).
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured (default 5 s); a longer one ends the retries.
    pub max_retry_after: Duration,
    /// How many retries the client may make compared with the calls it is asked to send
    /// (default 20 % over 10 s, at least 10 per window), shared by the client's clones.
    pub budget: RetryBudget,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(5),
            budget: RetryBudget::default(),
        }
    }
}

/// What one attempt ended in, when it did not end in a usable answer.
///
/// The transport's own vocabulary: public for its doctests and tests, not an
/// API adapters need.
#[doc(hidden)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttemptFailure {
    /// The request never left: connect, DNS or TLS failure.
    NotSent,
    /// The request was (or may have been) sent, and no complete answer came.
    NoAnswer {
        /// Whether the attempt ran out of time (else the connection failed).
        timed_out: bool,
    },
    /// An answer whose status is 408, 429 or 5xx.
    Status {
        /// The HTTP status.
        status: u16,
        /// The `Retry-After` the vendor sent, in seconds form.
        retry_after: Option<Duration>,
    },
    /// A complete answer whose vendor code says "try again" (a read's
    /// [`super::Call::retry_answer_when`] said so).
    AnswerSaysRetry {
        /// The HTTP status of that answer.
        status: u16,
    },
    /// An answer we cannot use: a redirect, a body over the size cap.
    Unusable {
        /// Why, for the error message.
        reason: String,
        /// The HTTP status, when it is the reason.
        status: Option<u16>,
    },
}

impl AttemptFailure {
    /// Whether the vendor may have acted on the request.
    pub fn may_have_taken_effect(&self) -> bool {
        match self {
            AttemptFailure::NotSent => false,
            // The hook runs on reads only, and the vendor said it did nothing.
            AttemptFailure::AnswerSaysRetry { .. } => false,
            AttemptFailure::NoAnswer { .. } | AttemptFailure::Unusable { .. } => true,
            // 408 and 429 are refusals before processing; 5xx leaves it open.
            AttemptFailure::Status { status, .. } => *status >= 500,
        }
    }

    fn read_retry_class(&self) -> bool {
        match self {
            AttemptFailure::NotSent | AttemptFailure::NoAnswer { .. } | AttemptFailure::AnswerSaysRetry { .. } => true,
            AttemptFailure::Status { status, .. } => matches!(status, 408 | 429 | 502..=504),
            AttemptFailure::Unusable { .. } => false,
        }
    }
}

/// What the loop does next.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Wait this long, then send again.
    Retry(Duration),
    /// Stop and report the failure.
    GiveUp,
}

/// Decides after a failed attempt.
///
/// `attempts` is how many were made so far (the failed one included),
/// `doubts` how many of them may have taken effect, `jitter` a sample in `[0, 1)`.
///
/// ```
/// use coupon_core::http::{decide, AttemptFailure, CallSafety, Decision, RetryPolicy};
/// let p = RetryPolicy::default();
/// let dropped = AttemptFailure::NoAnswer { timed_out: false };
/// assert!(matches!(decide(&p, CallSafety::Read, &dropped, 1, 0, 0.0), Decision::Retry(_)));
/// assert_eq!(decide(&p, CallSafety::MoneyMoving, &dropped, 1, 1, 0.0), Decision::GiveUp);
/// ```
#[doc(hidden)]
pub fn decide(
    policy: &RetryPolicy,
    safety: CallSafety,
    failure: &AttemptFailure,
    attempts: u32,
    doubts: u32,
    jitter: f64,
) -> Decision {
    if attempts >= policy.max_attempts {
        return Decision::GiveUp;
    }
    let again = match safety {
        CallSafety::Read => failure.read_retry_class(),
        CallSafety::MoneyMoving => matches!(failure, AttemptFailure::NotSent),
        CallSafety::MoneyMovingDeduplicated => match failure {
            AttemptFailure::NotSent => true,
            // One re-send with the same reference settles one doubt: the vendor
            // either issues (the first never took effect) or says "duplicate".
            AttemptFailure::NoAnswer { .. } => doubts <= 1,
            AttemptFailure::Status { status, .. } => (*status >= 500 && doubts <= 1) || matches!(status, 408 | 429),
            AttemptFailure::AnswerSaysRetry { .. } | AttemptFailure::Unusable { .. } => false,
        },
    };
    if !again {
        return Decision::GiveUp;
    }
    if let AttemptFailure::Status { retry_after: Some(wait), .. } = failure {
        return if *wait <= policy.max_retry_after { Decision::Retry(*wait) } else { Decision::GiveUp };
    }
    Decision::Retry(backoff_delay(policy, attempts - 1, jitter))
}

#[cfg(test)]
mod tests {
    use super::*;
    use AttemptFailure::*;
    use CallSafety::*;

    fn status(s: u16) -> AttemptFailure {
        Status { status: s, retry_after: None }
    }

    /// Each failure class × each safety, on the first attempt with no earlier doubt.
    #[test]
    fn classifier_table() {
        let unusable = Unusable { reason: "redirect".into(), status: Some(302) };
        let table: Vec<(AttemptFailure, [bool; 3])> = vec![
            //                                   Read   Money  MoneyDedup
            (NotSent, [true, true, true]),
            (NoAnswer { timed_out: true }, [true, false, true]),
            (NoAnswer { timed_out: false }, [true, false, true]),
            (status(408), [true, false, true]),
            (status(429), [true, false, true]),
            (status(500), [false, false, true]),
            (status(502), [true, false, true]),
            (status(503), [true, false, true]),
            (status(504), [true, false, true]),
            (unusable, [false, false, false]),
        ];
        let p = RetryPolicy::default();
        let table = table.into_iter().chain([(AnswerSaysRetry { status: 200 }, [true, false, false])]);
        for (failure, expect) in table {
            for (safety, want) in [Read, MoneyMoving, MoneyMovingDeduplicated].into_iter().zip(expect) {
                let doubts = u32::from(failure.may_have_taken_effect());
                let got = matches!(decide(&p, safety, &failure, 1, doubts, 0.5), Decision::Retry(_));
                assert_eq!(got, want, "{failure:?} with {safety:?}");
            }
        }
    }

    #[test]
    fn a_deduplicated_call_is_resent_once_after_a_doubt_not_twice() {
        let p = RetryPolicy::default();
        let dropped = NoAnswer { timed_out: false };
        assert!(matches!(decide(&p, MoneyMovingDeduplicated, &dropped, 1, 1, 0.0), Decision::Retry(_)));
        assert_eq!(decide(&p, MoneyMovingDeduplicated, &dropped, 2, 2, 0.0), Decision::GiveUp);
        // A connect failure after the doubt is still safe to repeat.
        assert!(matches!(decide(&p, MoneyMovingDeduplicated, &NotSent, 2, 1, 0.0), Decision::Retry(_)));
    }

    #[test]
    fn attempts_are_capped() {
        let p = RetryPolicy::default();
        assert!(matches!(decide(&p, Read, &NotSent, 2, 0, 0.0), Decision::Retry(_)));
        assert_eq!(decide(&p, Read, &NotSent, 3, 0, 0.0), Decision::GiveUp);
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let p = RetryPolicy::default();
        let soon = Status { status: 429, retry_after: Some(Duration::from_secs(2)) };
        assert_eq!(decide(&p, Read, &soon, 1, 0, 0.9), Decision::Retry(Duration::from_secs(2)));
        let late = Status { status: 503, retry_after: Some(Duration::from_secs(30)) };
        assert_eq!(decide(&p, Read, &late, 1, 0, 0.9), Decision::GiveUp);
    }

    #[test]
    fn what_may_have_taken_effect() {
        assert!(!NotSent.may_have_taken_effect());
        assert!(NoAnswer { timed_out: true }.may_have_taken_effect());
        assert!(!status(429).may_have_taken_effect());
        assert!(!status(408).may_have_taken_effect());
        assert!(status(503).may_have_taken_effect());
    }
}
