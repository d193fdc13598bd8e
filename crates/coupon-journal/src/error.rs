//! The journal's errors.

use std::ops::Range;

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
    /// The journal was written by a newer release: its schema is beyond the migrations this
    /// release knows. Refused on open, before anything is written.
    #[error(
        "this journal was written by a newer release of coupon (schema {found}; this release knows up to {known}); \
         upgrade coupon"
    )]
    NewerSchema {
        /// The journal's schema version.
        found: i64,
        /// The highest this release knows.
        known: i64,
    },
    /// The database refused or failed.
    #[error("journal storage: {0}")]
    Storage(#[from] sqlx::Error),
}

/// A journal URL as errors may show it: a user part (`USER:PASSWORD@`) is `***@`,
/// whatever the URL's shape (a mistyped one too), and a `password=` parameter's value
/// is `***`. What counts as secret is [`redact`]'s rule too.
///
/// ```
/// use coupon_journal::error::shown_url;
/// assert_eq!(shown_url("postgres://coupon:s3cret@db/c"), "postgres://***@db/c");
/// assert_eq!(shown_url("postgres//coupon:s3cret@db/c"), "***@db/c");
/// assert_eq!(shown_url("postgres://db/c?user=x&password=s3cret&ssl=1"), "postgres://db/c?user=x&password=***&ssl=1");
/// assert_eq!(shown_url("sqlite:campaigns.db"), "sqlite:campaigns.db");
/// ```
pub fn shown_url(url: &str) -> String {
    let Secrets { user_part, passwords } = Secrets::of(url);
    let mut spans: Vec<Range<usize>> =
        passwords.into_iter().filter(|p| user_part.as_ref().is_none_or(|u| p.start >= u.end)).collect();
    // The whole user part goes: in a mistyped URL the user and the password cannot be told apart.
    spans.extend(user_part);
    spans.sort_by_key(|s| s.start);
    let mut shown = url.to_owned();
    for span in spans.into_iter().rev() {
        shown.replace_range(span, "***");
    }
    shown
}

/// `text` (an error's message, say) with every secret of the journal URL `url` replaced by
/// `***`: the password of its user part and each `password=` parameter's value, found by
/// the rule [`shown_url`] follows. The rest of the text, the user's name included, is kept.
///
/// ```
/// use coupon_journal::error::redact;
/// let url = "postgres://coupon:s3cret@db:5432/campaigns";
/// assert_eq!(redact(&format!("cannot connect to {url}"), url), "cannot connect to postgres://coupon:***@db:5432/campaigns");
/// assert_eq!(redact("password s3cret refused", "postgres//coupon:s3cret@db/c"), "password *** refused");
/// assert_eq!(redact("x s3cret", "postgres://db/c?password=s3cret"), "x ***");
/// assert_eq!(redact("coupon@db", "postgres://coupon@db/c"), "coupon@db");
/// ```
pub fn redact(text: &str, url: &str) -> String {
    let secrets = Secrets::of(url);
    let in_user_part = secrets.user_part.and_then(|u| url[u].split_once(':').map(|(_, p)| p));
    let mut shown = text.to_owned();
    for secret in in_user_part.into_iter().chain(secrets.passwords.into_iter().map(|p| &url[p])) {
        if !secret.is_empty() {
            shown = shown.replace(secret, "***");
        }
    }
    shown
}

/// Where a journal URL holds secrets: the one rule [`shown_url`] and [`redact`] share.
struct Secrets {
    /// `USER:PASSWORD` (or `USER`): everything before the last `@`, after `://` when the
    /// URL has it, so that a mistyped URL's password is found too.
    user_part: Option<Range<usize>>,
    /// The value of each `password=` parameter, up to the next `&`.
    passwords: Vec<Range<usize>>,
}

impl Secrets {
    fn of(url: &str) -> Self {
        let user_part = url.rfind('@').map(|at| url[..at].find("://").map_or(0, |i| i + "://".len())..at);
        let mut passwords = Vec::new();
        let mut from = 0;
        while let Some(start) = url[from..].find("password=").map(|i| from + i + "password=".len()) {
            let end = url[start..].find('&').map_or(url.len(), |i| start + i);
            passwords.push(start..end);
            from = end;
        }
        Self { user_part, passwords }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neither_shown_url_nor_redact_lets_a_password_through() {
        for url in [
            "postgres://coupon:s3cret@db:5432/c",
            "postgres//coupon:s3cret@db/c",
            "mysql://coupon:s3cret@db/c",
            "postgres://coupon:s3cret@x@db/c",
            "postgres://db/c?user=x&password=s3cret&ssl=1",
            "postgres://u:s3cret@db/c?password=s3cret",
        ] {
            assert!(!shown_url(url).contains("s3cret"), "{url}: {}", shown_url(url));
            let said = format!("cannot connect to {url}");
            assert!(!redact(&said, url).contains("s3cret"), "{url}: {}", redact(&said, url));
        }
        assert_eq!(redact("sqlite:j.db is gone", "sqlite:j.db"), "sqlite:j.db is gone");
    }
}
