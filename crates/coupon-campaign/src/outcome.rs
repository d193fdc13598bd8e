//! What an answer means for a row and for the campaign: one table, by
//! [`ErrorKind`] and the adapter's retryable flag, never by vendor.

use coupon_core::{Error, ErrorKind};

/// What to record for a row whose issue failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No coupon, for good: the vendor refused this row (`refused`).
    Refused,
    /// No coupon this time, provably (`not_issued`): send it again, same reference.
    NotSent,
    /// It may have been issued (`unknown`): settle it before anything else.
    Doubt,
}

/// What the campaign does after an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing special.
    Carry,
    /// Stop: the account cannot go on (credentials, permission, funds).
    Stop,
    /// Slow the rate down.
    SlowDown,
    /// A transport failure: counts towards the circuit breaker.
    Transport,
}

/// The row's verdict and the campaign's effect of an error from `issue`.
pub fn of_issue_error(e: &Error) -> (Verdict, Effect) {
    match e.kind() {
        ErrorKind::OutcomeUnknown => (Verdict::Doubt, Effect::Transport),
        // The reference was seen before: a coupon may exist for it. Never "refused".
        ErrorKind::DuplicateReference => (Verdict::Doubt, Effect::Carry),
        // An answer that could not be read may have said "issued". The transport already
        // makes it a doubt for money-moving calls; a row is never refused on it either way.
        ErrorKind::Protocol => (Verdict::Doubt, Effect::Carry),
        // The account, not the row: the row waits for the resumed run.
        ErrorKind::Unauthenticated | ErrorKind::PermissionDenied | ErrorKind::InsufficientFunds => {
            (Verdict::NotSent, Effect::Stop)
        }
        ErrorKind::RateLimited => (Verdict::NotSent, Effect::SlowDown),
        ErrorKind::Transport | ErrorKind::Timeout => (Verdict::NotSent, Effect::Transport),
        ErrorKind::Unavailable => {
            (if e.is_retryable() { Verdict::NotSent } else { Verdict::Refused }, Effect::Transport)
        }
        ErrorKind::InvalidInput
        | ErrorKind::Config
        | ErrorKind::NotFound
        | ErrorKind::AlreadyUsed
        | ErrorKind::AlreadyCancelled
        | ErrorKind::LimitExceeded
        | ErrorKind::Unsupported
        | ErrorKind::Rejected => (if e.is_retryable() { Verdict::NotSent } else { Verdict::Refused }, Effect::Carry),
        // ErrorKind is non-exhaustive: a kind added later is a doubt until it is placed here.
        _ => (Verdict::Doubt, Effect::Carry),
    }
}

/// The campaign's effect of an error from a reconciliation (the row stays in doubt).
pub fn of_reconcile_error(e: &Error) -> Effect {
    match e.kind() {
        ErrorKind::Unauthenticated | ErrorKind::PermissionDenied => Effect::Stop,
        ErrorKind::RateLimited => Effect::SlowDown,
        ErrorKind::Transport | ErrorKind::Timeout | ErrorKind::Unavailable | ErrorKind::OutcomeUnknown => {
            Effect::Transport
        }
        _ => Effect::Carry,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_place_and_a_doubt_is_never_a_refusal() {
        for kind in ErrorKind::ALL {
            let e = Error::new(kind, "x");
            let (verdict, _) = of_issue_error(&e);
            if matches!(kind, ErrorKind::OutcomeUnknown | ErrorKind::DuplicateReference | ErrorKind::Protocol) {
                assert_eq!(verdict, Verdict::Doubt, "{kind:?}");
            }
        }
        let busy = Error::new(ErrorKind::Unavailable, "S001").with_retryable(true);
        assert_eq!(of_issue_error(&busy), (Verdict::NotSent, Effect::Transport));
        let broke = Error::new(ErrorKind::InsufficientFunds, "PC");
        assert_eq!(of_issue_error(&broke), (Verdict::NotSent, Effect::Stop));
    }
}
