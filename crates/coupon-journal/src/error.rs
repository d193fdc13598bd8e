//! The journal's errors.

use crate::model::{InvalidTransition, RowId, RowState};

/// A `Result` with the journal's [`JournalError`].
pub type Result<T, E = JournalError> = std::result::Result<T, E>;

/// What went wrong in the journal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// The URL names no backend this build has. It holds the URL as
    /// [`shown_url`] shows it: no password.
    #[error(
        "unsupported journal URL `{0}` (expected `sqlite:PATH`, or `postgres://USER@HOST[:PORT]/DATABASE` in a build \
         with the `postgres` feature)"
    )]
    UnsupportedUrl(String),
    /// [`crate::open_existing`] found no journal at this SQLite path.
    #[error("no journal at `{0}` (`coupon campaign create` makes one; is the journal URL right?)")]
    NoJournal(String),
    /// A campaign of this name exists already.
    #[error("a campaign named `{0}` already exists in the journal")]
    CampaignExists(String),
    /// No campaign of this name (or id).
    #[error("no campaign `{0}` in the journal")]
    CampaignNotFound(String),
    /// No row of this id.
    #[error("no row {0} in the journal")]
    RowNotFound(RowId),
    /// A row was asked to change state along an edge the state machine does not have.
    #[error("row {row}: {source}")]
    Transition {
        /// The row.
        row: RowId,
        /// The refused edge.
        #[source]
        source: InvalidTransition,
    },
    /// The row is leased to another worker (or to none): this worker may not send it.
    #[error("row {row} is not leased to worker `{worker}` (state {state})")]
    LeaseLost {
        /// The row.
        row: RowId,
        /// The worker that asked.
        worker: String,
        /// The row's state.
        state: RowState,
    },
    /// A line number is already taken in the campaign by a row with another key (or none).
    #[error("campaign `{campaign}`: line {line} is already in the journal (under another key or none)")]
    LineTaken {
        /// The campaign's name.
        campaign: String,
        /// The line.
        line: u64,
    },
    /// A value cannot be stored as given (line number too large, unknown state text, …).
    #[error("invalid value: {0}")]
    Invalid(String),
    /// The journal file or its directory could not be prepared.
    #[error("journal file {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The database refused or failed.
    #[error("journal storage: {0}")]
    Storage(#[from] sqlx::Error),
}

/// A journal URL as errors may show it: a user part (`USER:PASSWORD@`) is `***@`,
/// whatever the URL's shape (a mistyped one too), and a `password=` parameter's value
/// is `***`.
///
/// ```
/// use coupon_journal::error::shown_url;
/// assert_eq!(shown_url("postgres://coupon:s3cret@db/c"), "postgres://***@db/c");
/// assert_eq!(shown_url("postgres//coupon:s3cret@db/c"), "***@db/c");
/// assert_eq!(shown_url("postgres://db/c?user=x&password=s3cret&ssl=1"), "postgres://db/c?user=x&password=***&ssl=1");
/// assert_eq!(shown_url("sqlite:campaigns.db"), "sqlite:campaigns.db");
/// ```
pub fn shown_url(url: &str) -> String {
    let mut shown = match url.rsplit_once('@') {
        Some((before, host)) => match before.split_once("://") {
            Some((scheme, _)) => format!("{scheme}://***@{host}"),
            None => format!("***@{host}"),
        },
        None => url.to_owned(),
    };
    let mut from = 0;
    while let Some(at) = shown[from..].find("password=").map(|i| from + i + "password=".len()) {
        let end = shown[at..].find('&').map_or(shown.len(), |i| at + i);
        shown.replace_range(at..end, "***");
        from = at + 3;
    }
    shown
}
