//! The engine's errors: the journal's, and what only making or running a campaign
//! can refuse.

use coupon_journal::JournalError;

use crate::plan::Plan;

/// A `Result` with the engine's [`CampaignError`].
pub type Result<T, E = CampaignError> = std::result::Result<T, E>;

/// What went wrong making or running a campaign.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CampaignError {
    /// The journal refused or failed.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The campaign cannot be made or run as asked: its name, its vendor, a load that
    /// did not finish, an input that changed while it was stored, …
    // The text is the journal's for an invalid value: these errors were once the journal's.
    #[error("invalid value: {0}")]
    Invalid(String),
    /// The campaign's input was refused: the plan lists every bad line.
    #[error("the input was refused: {} bad row(s){}; nothing was stored", .0.invalid, .0.fatal.as_ref().map(|e| format!(", and {e}")).unwrap_or_default())]
    Refused(Box<Plan>),
    /// This worker could not renew its leases in time: it stopped before sending rows
    /// another worker may take over (they are settled by whoever claims them next).
    #[error(
        "worker `{worker}` could not renew its leases in time, so it stopped before sending rows another worker \
         may take over; run again when the journal answers"
    )]
    LeasesExpiring {
        /// The worker.
        worker: String,
    },
}
