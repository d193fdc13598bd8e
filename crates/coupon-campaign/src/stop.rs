//! Why a campaign stopped. Rows not sent stay `pending`; `run` again resumes.

use std::fmt;

use coupon_core::ErrorKind;

/// Why a campaign stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stop {
    /// The vendor refused the account: credentials, permission (blocked), or funds.
    Refused {
        /// Our kind of the refusal.
        kind: ErrorKind,
        /// The vendor's code, verbatim, when it gave one.
        code: Option<String>,
        /// The error as shown.
        message: String,
    },
    /// The next row would take the campaign past `--max-spend`.
    SpendCap {
        /// The cap, in won.
        cap: i64,
        /// What the campaign has spent or may have spent.
        spent: i64,
        /// The price of the row that did not fit.
        next: i64,
    },
    /// Too many transport failures in a row (the circuit breaker).
    Breaker {
        /// How many.
        failures: u32,
        /// The last one.
        last: String,
    },
    /// Another worker stopped the campaign; its reason.
    ByAnotherWorker(String),
}

impl Stop {
    /// A short name: `refused`, `max_spend`, `breaker`, `other_worker`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Stop::Refused { .. } => "refused",
            Stop::SpendCap { .. } => "max_spend",
            Stop::Breaker { .. } => "breaker",
            Stop::ByAnotherWorker(_) => "other_worker",
        }
    }
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::Refused { kind, code, message } => {
                write!(f, "stopped: the vendor refused the account ({}", kind.as_str())?;
                if let Some(code) = code {
                    write!(f, ", code {code}")?;
                }
                write!(f, "): {message}. Fix the account, then run again")
            }
            Stop::SpendCap { cap, spent, next } => write!(
                f,
                "stopped: --max-spend {cap} won: {spent} won spent or in doubt, and the next row costs {next} won. \
                 Raise the cap to go on"
            ),
            Stop::Breaker { failures, last } => write!(
                f,
                "stopped: {failures} transport failures in a row (circuit breaker); the last: {last}. Run again \
                 when the vendor answers"
            ),
            Stop::ByAnotherWorker(reason) => write!(f, "{reason}"),
        }
    }
}
