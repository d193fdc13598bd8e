//! Exit codes, one meaning each.
//!
//! The campaign commands (`coupon campaign …`) use the same table: 2 a usage, input or
//! journal-contents error (nothing was sent; a refused CSV lists its bad lines) · 3 the
//! campaign stopped (an account refusal, `--max-spend`, the circuit breaker; `run` again
//! resumes) · 4 rows are in doubt (`coupon campaign reconcile NAME` settles them) · 5 the
//! journal's storage failed, or a run ended with an error (`run` again resumes) · 130 interrupted by ctrl-c or SIGTERM (calls in flight were
//! recorded; `run` again resumes).

use coupon::{Error, ErrorKind};

/// Usage, configuration or invalid input: nothing was sent.
pub const USAGE: u8 = 2;
/// The vendor refused: a definite failure.
pub const REFUSED: u8 = 3;
/// The outcome is unknown: reconcile before retrying.
pub const OUTCOME_UNKNOWN: u8 = 4;
/// Transport failure or vendor unavailable after retries.
pub const TRANSPORT: u8 = 5;
/// The vendor already has a coupon for this partner reference (the caller reused
/// one): nothing new was issued.
pub const DUPLICATE_REFERENCE: u8 = 6;
/// Interrupted by a signal (ctrl-c, SIGTERM): what was in flight is recorded; run again to resume.
pub const INTERRUPTED: u8 = 130;

/// The exit-code table for `--help`.
pub const HELP: &str = "Exit codes:
  0  success
  2  usage, config or invalid input (nothing was sent)
  3  the vendor refused (a definite failure)
  4  outcome unknown (reconcile before retrying)
  5  transport or vendor unavailable after retries
  6  a coupon already exists for this reference; nothing new was issued
  130 interrupted by ctrl-c or SIGTERM (calls in flight were recorded; run again to resume)
coupon campaign: 3 the campaign stopped (run again resumes) · 4 rows in doubt (coupon campaign
  reconcile NAME settles them) · 5 the campaign journal failed, or a run ended with an error
  (run again resumes)";

/// The exit code for an error.
pub fn code_for(e: &Error) -> u8 {
    match e.kind() {
        // The vendor calls a parameter wrong too (a code or an HTTP status came back): then it was sent and refused.
        ErrorKind::InvalidInput | ErrorKind::Config if was_answered(e) => REFUSED,
        ErrorKind::InvalidInput | ErrorKind::Config => USAGE,
        ErrorKind::OutcomeUnknown => OUTCOME_UNKNOWN,
        // A repeat after a doubt comes back as an `Issued` with its details unknown, not as this error:
        // this is a first attempt whose reference the caller had already used.
        ErrorKind::DuplicateReference => DUPLICATE_REFERENCE,
        ErrorKind::Transport | ErrorKind::Timeout | ErrorKind::Unavailable | ErrorKind::RateLimited => TRANSPORT,
        ErrorKind::Unauthenticated
        | ErrorKind::PermissionDenied
        | ErrorKind::NotFound
        | ErrorKind::AlreadyUsed
        | ErrorKind::AlreadyCancelled
        | ErrorKind::LimitExceeded
        | ErrorKind::InsufficientFunds
        | ErrorKind::Unsupported
        | ErrorKind::Rejected
        | ErrorKind::Protocol => REFUSED,
        // ErrorKind is non-exhaustive: a kind added later is a refusal until it is given its own code.
        _ => REFUSED,
    }
}

/// Whether the vendor answered: only then can an input error have left the machine.
fn was_answered(e: &Error) -> bool {
    e.vendor_code().is_some() || e.http_status().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_code_and_doubt_is_its_own() {
        for kind in ErrorKind::ALL {
            let code = code_for(&Error::new(kind, "x"));
            assert!((2..=6).contains(&code), "{kind:?}");
        }
        assert_eq!(code_for(&Error::new(ErrorKind::OutcomeUnknown, "x")), OUTCOME_UNKNOWN);
        assert_eq!(code_for(&Error::new(ErrorKind::InvalidInput, "x")), USAGE);
        assert_eq!(code_for(&Error::new(ErrorKind::Timeout, "x")), TRANSPORT);
        assert_eq!(code_for(&Error::new(ErrorKind::DuplicateReference, "x")), DUPLICATE_REFERENCE);
        assert!(HELP.contains("6  a coupon already exists for this reference; nothing new was issued"));
        let refused = Error::new(ErrorKind::InvalidInput, "x").with_vendor_code(coupon::VendorCode::new("N"));
        assert_eq!(code_for(&refused), REFUSED, "the vendor refused a parameter: it was sent");
    }
}
