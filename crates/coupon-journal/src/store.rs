//! The storage trait, and opening a journal by URL.

use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

use coupon_core::chrono::{DateTime, NaiveDate, Utc};
use coupon_core::{CouponCheck, async_trait};
use coupon_core::{Issued, Reconciliation};

use crate::error::{JournalError, Result};
use crate::lifecycle::{
    CancelClaim, CancelFilter, CancelRecord, CouponToCheck, Expiring, Figures, HistoryEntry, StateSource,
};
use crate::model::{
    Campaign, CampaignSpec, CampaignSummary, Claim, Counts, CreatedCampaign, InsertReport, Marked, NewRow, Record, Row,
    RowId, RowState, Spend,
};
use crate::pins::PinKey;
use crate::service::{ApiKey, IdemBegin, IdemBegun, IdemFinish, IdemFinishOf, IdemRecord};
use crate::sqlite::SqliteJournal;

/// Opens (creating if needed) the journal at `url` and brings its schema up to date.
///
/// `sqlite:PATH` (also `sqlite://PATH`) is the SQLite backend ([`SqliteJournal`]);
/// `postgres://…` (also `postgresql://…`) is the PostgreSQL backend
/// (`PostgresJournal`), in a build with the Cargo feature `postgres`: without it such
/// a URL is refused ([`JournalError::UnsupportedUrl`], saying so).
pub async fn open(url: &str) -> Result<Box<dyn Journal>> {
    if url.starts_with("sqlite:") {
        return Ok(Box::new(SqliteJournal::open(url).await?));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        #[cfg(feature = "postgres")]
        return Ok(Box::new(crate::postgres::PostgresJournal::open(url).await?));
        #[cfg(not(feature = "postgres"))]
        return Err(JournalError::UnsupportedUrl(format!(
            "{} (this build lacks the `postgres` feature of coupon-journal)",
            crate::error::shown_url(url)
        )));
    }
    Err(JournalError::UnsupportedUrl(crate::error::shown_url(url)))
}

/// Opens the journal at `url` as [`open`] does, but only one that exists: a SQLite
/// path with no file is [`JournalError::NoJournal`], and nothing is created. For the
/// commands that read or continue a campaign, so a mistyped path is an error, not a
/// new empty journal. (A PostgreSQL database must exist anyway; its tables are
/// brought up to date as by [`open`].)
pub async fn open_existing(url: &str) -> Result<Box<dyn Journal>> {
    if url.starts_with("sqlite:") {
        let path = crate::sqlite::url_path(url)?;
        if !path.exists() {
            return Err(JournalError::NoJournal(path.display().to_string()));
        }
    }
    open(url).await
}

/// The spending cap of [`Journal::mark_sending`], one rule for every backend: rows are
/// admitted in the order given while what the campaign has spent plus their prices
/// stays within the cap.
pub(crate) struct SpendCap {
    spent: i64,
    cap: i64,
}

impl SpendCap {
    /// A cap of `cap` won on a campaign that has spent `spent` so far.
    pub(crate) fn new(spent: i64, cap: i64) -> Self {
        Self { spent, cap }
    }

    /// Whether row `id` at `price` still fits (it then counts as spent). A row without
    /// a price cannot be held to a cap: [`JournalError::Invalid`].
    pub(crate) fn admit(&mut self, id: RowId, price: Option<i64>) -> Result<bool> {
        let Some(price) = price else {
            return Err(JournalError::Invalid(format!("row {id} has no known price: a spending cap cannot be kept")));
        };
        let spent = self.spent.saturating_add(price);
        if spent > self.cap {
            return Ok(false);
        }
        self.spent = spent;
        Ok(true)
    }
}

/// A durable journal of campaigns and their rows.
///
/// The contract, whatever the backend:
/// - every method that changes a row checks the edge against
///   [`crate::check_transition`] and the row's current state in the same
///   statement or transaction, and refuses ([`JournalError::Transition`]) otherwise;
/// - a method returns only once its change is committed (durably: the SQLite backend
///   runs `synchronous=FULL`);
/// - claims are leases (`lease_owner`, `lease_until`): a row leased to one worker
///   is handed to no other until the lease expires.
#[async_trait]
pub trait Journal: Send + Sync + fmt::Debug {
    /// The schema version applied (the highest migration).
    async fn schema_version(&self) -> Result<i64>;

    /// The journal's key for PIN hashes.
    fn pin_key(&self) -> &PinKey;

    /// Creates a campaign with a fresh random token. A name already in the journal is
    /// refused ([`JournalError::CampaignExists`]). With `store_pins`, the answer
    /// carries a warning for the user.
    async fn create_campaign(&self, spec: &CampaignSpec) -> Result<CreatedCampaign>;

    /// The campaign of this name ([`JournalError::CampaignNotFound`] if none).
    async fn campaign(&self, name: &str) -> Result<Campaign>;

    /// Every campaign, oldest first, with its counts.
    async fn list_campaigns(&self) -> Result<Vec<CampaignSummary>>;

    /// Adds rows to a campaign, in one transaction: all or none. A row whose `key` is
    /// already in the campaign (or earlier in the batch) adds nothing, nor does a keyless
    /// row whose line holds the same keyless row (same phone): importing a file again adds
    /// only its new rows. A line held by another row is refused ([`JournalError::LineTaken`]). Each row's
    /// partner reference is fixed here.
    async fn insert_rows(&self, campaign: &Campaign, rows: &[NewRow]) -> Result<InsertReport>;

    /// Leases up to `claim.max` rows of the campaign to `claim.worker` for
    /// `claim.lease`, lowest lines first: `pending` and `not_issued` rows, `unknown`
    /// rows whose lease is free and that no reconciliation answered since
    /// `claim.retry_unknown_before` (so a run tries each doubt once, not in a loop), and
    /// `sending` rows whose lease expired. Those last ones are in doubt: the claim moves
    /// them to `unknown` ([`Row::in_doubt`]) and they must be reconciled, never simply
    /// sent again. With `claim.doubts_only`, only the rows in doubt (`unknown`, expired
    /// `sending`): a run settles those first.
    async fn claim(&self, claim: &Claim) -> Result<Vec<Row>>;

    /// Moves rows leased to `worker` (with an unexpired lease) from `pending` or
    /// `not_issued` to `sending`, in ONE committed transaction: when it returns, the
    /// intent is durable and the requests may leave.
    ///
    /// With a `spend_cap` (won), the rows are taken in the order given while the
    /// campaign's [`Spend`] plus their prices stays within the cap; the first that
    /// does not fit is [`Marked::over_cap`] and it and the rest stay as they were.
    /// The check and the marking are one transaction, serialized with every other
    /// worker's, so workers together never pass the cap. A row without a price under
    /// a cap is refused ([`JournalError::Invalid`]). Without a cap all are marked or
    /// none. The lease taken at the claim must outlast the requests ([`Journal::renew`]).
    async fn mark_sending(&self, rows: &[RowId], worker: &str, spend_cap: Option<i64>) -> Result<Marked>;

    /// [`Journal::claim`] and, for the claimed rows that may be sent (`pending`,
    /// `not_issued`), [`Journal::mark_sending`] without a cap, as one step: the rows
    /// come back `sending` (the intent committed) or in doubt (`unknown`). A backend may
    /// do it in one statement; this default makes the two calls.
    async fn claim_sending(&self, claim: &Claim) -> Result<Vec<Row>> {
        let mut rows = self.claim(claim).await?;
        let ids: Vec<RowId> = rows.iter().filter(|r| !r.in_doubt()).map(|r| r.id).collect();
        if !ids.is_empty() {
            self.mark_sending(&ids, &claim.worker, None).await?;
            for row in rows.iter_mut().filter(|r| !r.in_doubt()) {
                *row = self.row(row.id).await?;
            }
        }
        Ok(rows)
    }

    /// Extends every lease `worker` holds in the campaign to `lease` from now, and
    /// answers how many rows it holds. A live worker renews well within its lease,
    /// so only a dead worker's rows expire.
    async fn renew(&self, campaign: &Campaign, worker: &str, lease: Duration) -> Result<u64>;

    /// Gives back the leases `worker` holds on these rows, where they are not
    /// `sending` (a row in flight keeps its lease until its outcome is recorded).
    async fn release(&self, rows: &[RowId], worker: &str) -> Result<()>;

    /// What the campaign has spent or may have spent.
    async fn spent(&self, campaign: &Campaign) -> Result<Spend>;

    /// Records a coupon issued for the row (`sending`/`unknown` → `issued`): its order id,
    /// and its PIN masked + HMAC (in clear too when the campaign stores PINs). The
    /// result's partner reference must be the row's.
    async fn record_issued(&self, row: RowId, issued: &Issued) -> Result<()>;

    /// Records a refusal (`sending` → `refused`). An `OutcomeUnknown` error is not a refusal.
    async fn record_refused(&self, row: RowId, error: &coupon_core::Error) -> Result<()>;

    /// Records an answer that proves no coupon was made and may not hold next time
    /// (`sending` → `not_issued`, the lease released): the row is sent again, same reference.
    async fn record_not_sent(&self, row: RowId, error: &coupon_core::Error) -> Result<()>;

    /// Records a doubt (`sending` → `unknown`) and releases the lease: reconcile next.
    async fn record_unknown(&self, row: RowId, error: &coupon_core::Error) -> Result<()>;

    /// Records what a reconciliation of an `unknown` row found: `issued`, `not_issued`
    /// (to be sent again with the same reference), or still unknown (the reason kept,
    /// the lease released). Every outcome sets [`Row::reconciled_at`].
    async fn record_reconciled(&self, row: RowId, outcome: &Reconciliation) -> Result<()>;

    /// Records several outcomes, in one transaction where the backend can (fewer
    /// commits per row when a campaign runs fast); the same checks as the single
    /// `record_*` calls. If any is refused, the others are still recorded one by one
    /// and the first refusal is the answer.
    async fn record(&self, batch: &[(RowId, Record<'_>)]) -> Result<()> {
        let mut first = Ok(());
        for (row, record) in batch {
            let done = match record {
                Record::Issued(issued) => self.record_issued(*row, issued).await,
                Record::Refused(e) => self.record_refused(*row, e).await,
                Record::NotSent(e) => self.record_not_sent(*row, e).await,
                Record::Unknown(e) => self.record_unknown(*row, e).await,
                Record::Reconciled(outcome) => self.record_reconciled(*row, outcome).await,
            };
            first = first.and(done);
        }
        first
    }

    /// One row.
    async fn row(&self, row: RowId) -> Result<Row>;

    /// The campaign's rows per state.
    async fn counts(&self, campaign: &Campaign) -> Result<Counts>;

    /// Stops the campaign with a reason, or clears the stop with `None`.
    async fn set_stop(&self, campaign: &Campaign, reason: Option<String>) -> Result<()>;

    /// Why the campaign is stopped, if it is.
    async fn stop_reason(&self, campaign: &Campaign) -> Result<Option<String>>;

    /// A page of the campaign's rows in line order, optionally of one state, after
    /// line `after_line` (exclusive), at most `limit`: pass the last line read to get
    /// the next page; an empty page is the end.
    async fn rows(
        &self,
        campaign: &Campaign,
        state: Option<RowState>,
        after_line: Option<u64>,
        limit: usize,
    ) -> Result<Vec<Row>>;

    /// The coupons of the issued rows a sync asks about: coupon state none yet, `unused`,
    /// `partly_used` or `unknown` (never a final one), not checked since `checked_before`
    /// (checked_at NULL or earlier); in line order after `after_line`, at most `limit`.
    /// Only what names each coupon is read (a sync walks every row, and a whole [`Row`]
    /// cost more to read than its look-up).
    async fn coupons_to_check(
        &self,
        campaign: &Campaign,
        checked_before: DateTime<Utc>,
        after_line: Option<u64>,
        limit: usize,
    ) -> Result<Vec<CouponToCheck>>;

    /// Records what a look-up found on an `issued` row (any other is refused,
    /// [`JournalError::Invalid`]): its coupon state, vendor status, time and place of use,
    /// value left, last day and delivery (the last two only when the check has them), and
    /// checked_at = now. A row without an order id gets the check's order id and PIN (masked
    /// and hashed; in clear too when the campaign stores PINs), and is no longer "details
    /// unknown". A final state (used, cancelled, expired) is never replaced by one that is
    /// not final: such a check only sets checked_at. A change of state appends a history
    /// entry from `source`.
    async fn record_check(&self, row: RowId, check: &CouponCheck, source: StateSource) -> Result<()>;

    /// [`Journal::record_check`] for many rows, in one transaction. If one is refused, the
    /// others are still recorded one by one and the first refusal is the answer.
    async fn record_checks(&self, batch: &[(RowId, CouponCheck, StateSource)]) -> Result<()>;

    /// Issued rows of the campaign whose PIN hash (hex, [`PinKey::hash`]) is one of `hashes`, in line order.
    async fn rows_by_pin_hash(&self, campaign: &Campaign, hashes: &[String]) -> Result<Vec<Row>>;

    /// Days whose redemption report was read and remembered (the caller remembers only
    /// days that had ended when read).
    async fn report_days(&self, campaign: &Campaign) -> Result<BTreeSet<NaiveDate>>;

    /// Remembers that the report of `day` was read, with `items` redemptions (read again:
    /// the new count and time).
    async fn remember_report_day(&self, campaign: &Campaign, day: NaiveDate, items: u64) -> Result<()>;

    /// Marks the rows matching `filter` (see [`CancelFilter`] for the rows never selected)
    /// `selected`, in one transaction; answers how many were selected now.
    async fn select_for_cancel(&self, campaign: &Campaign, filter: &CancelFilter) -> Result<u64>;

    /// The rows [`Journal::select_for_cancel`] would select now, without selecting them
    /// (a dry run): how many, their prices' sum and how many have no price.
    async fn preview_cancel(&self, campaign: &Campaign, filter: &CancelFilter) -> Result<Expiring>;

    /// Leases up to `claim.max` rows of the campaign to `claim.worker` for `claim.lease`,
    /// lowest lines first: rows whose cancel is `selected` or `unknown` with a free lease,
    /// and `cancelling` rows whose lease expired, which the claim moves to `unknown` (in
    /// doubt: settle them with the vendor, never send a blind second cancel).
    async fn claim_cancels(&self, claim: &CancelClaim) -> Result<Vec<Row>>;

    /// Moves rows leased to `worker` (unexpired lease) from `selected` to `cancelling`,
    /// cancel_attempts + 1, in ONE committed (durable) transaction: when it returns, the
    /// requests may leave. Answers the rows marked, in the order given; the others (lease
    /// lost, not `selected`) are left as they are.
    async fn mark_cancelling(&self, rows: &[RowId], worker: &str) -> Result<Vec<RowId>>;

    /// Records a cancel's outcome on a `cancelling` or `unknown` row (any other is refused,
    /// [`JournalError::Invalid`]), and releases its lease.
    async fn record_cancel(&self, row: RowId, record: CancelRecord<'_>) -> Result<()>;

    /// Extends every cancel lease `worker` holds in the campaign to `lease` from now;
    /// answers how many rows it holds.
    async fn renew_cancels(&self, campaign: &Campaign, worker: &str, lease: Duration) -> Result<u64>;

    /// Gives back `worker`'s cancel leases on these rows where they are still `selected` or
    /// `unknown` (a row `cancelling` keeps its lease until its outcome is recorded).
    async fn release_cancels(&self, rows: &[RowId], worker: &str) -> Result<()>;

    /// Takes a resend of an `issued` row with an order id (any other is refused,
    /// [`JournalError::Invalid`]), atomically and durably, unless one was taken after
    /// `not_since`: sets resent_at = now, resend_count + 1 and answers true; answers false
    /// when a resend was taken since (a crash and a rerun never resend one row twice
    /// within the window).
    async fn take_resend(&self, row: RowId, not_since: DateTime<Utc>) -> Result<bool>;

    /// Records the resend's refusal code (None: it was done).
    async fn record_resend(&self, row: RowId, code: Option<&str>) -> Result<()>;

    /// The campaign's figures for status and report, from SQL aggregates (a few scans of
    /// the campaign's rows, never loading them).
    async fn figures(&self, campaign: &Campaign) -> Result<Figures>;

    /// Issued rows whose coupon is `unused` and whose last day is in `[from, to]` (KST
    /// days): how many, their prices' sum and how many have no price.
    async fn expiring(&self, campaign: &Campaign, from: NaiveDate, to: NaiveDate) -> Result<Expiring>;

    /// A page of the campaign's coupon history in (row line, entry) order, after the entry
    /// `after` = (line, id) of the last one read (exclusive), at most `limit`: an empty
    /// page is the end.
    async fn history(&self, campaign: &Campaign, after: Option<(u64, i64)>, limit: usize) -> Result<Vec<HistoryEntry>>;

    // The service's API keys and idempotency keys.

    /// Stores a new API key. A name or id already present is refused
    /// ([`JournalError::Invalid`], "an API key named `x` already exists"): a key is never
    /// overwritten. A scope holding a comma (or empty) is refused too.
    async fn create_api_key(&self, key: &ApiKey) -> Result<()>;

    /// The API key of this id, revoked ones too (the caller checks).
    async fn api_key(&self, id: &str) -> Result<Option<ApiKey>>;

    /// Every API key, revoked ones too, ordered by created_at, then name.
    async fn api_keys(&self) -> Result<Vec<ApiKey>>;

    /// Revokes the key of this name (or, when no key has that name, of this id). False:
    /// none such, or already revoked.
    async fn revoke_api_key(&self, name_or_id: &str) -> Result<bool>;

    /// Begins a request with an Idempotency-Key, once the server has checked it: stores
    /// its record `in_flight`, leased to `begin.owner` for `begin.lease`, synced as an
    /// issue's intent is ([`IdemBegun::Started`]: the caller may send), unless a record
    /// stands in the way: one under the same key for another request
    /// ([`IdemBegun::Mismatch`]: another fingerprint, operation or target), in flight
    /// under a live lease ([`IdemBegun::InFlight`]), settled or in doubt
    /// ([`IdemBegun::Existing`]; one in flight under an expired lease is turned into a
    /// doubt by this call, next_check_at = now), or, for a `cancel`, another key's cancel
    /// of the same target ([`IdemBegun::OtherCancel`]). Two concurrent calls with one key
    /// never both start.
    async fn begin_idempotent(&self, begin: &IdemBegin) -> Result<IdemBegun>;

    /// Writes the answer of the request `owner` sent: applies when the record is
    /// `in_flight` under `owner`, or `unknown` whoever holds it (a late answer settles a
    /// doubt another replica declared); never over `done` (final). Clears owner and lease;
    /// an `unknown` finish may be looked at from now + `first_check`. Answers whether it
    /// applied. Committed before returning, as a campaign's outcome is (on SQLite
    /// `synchronous=NORMAL`): it survives the process dying; a power loss can only take back
    /// the last answers, whose records are then in flight under a lease that runs out (doubts,
    /// settled with the vendor), and the next synced begin makes them durable too. A finish
    /// `in_flight` is refused ([`JournalError::Invalid`]).
    async fn finish_idempotent(&self, scope: &str, key: &str, owner: &str, finish: &IdemFinish) -> Result<bool>;

    /// [`Journal::begin_idempotent`]'s insert for many requests at once (the group commit of
    /// the requests in flight): each begin no record holds yet is stored, in one transaction
    /// synced once before this returns; answers, per begin, whether it was stored (then its
    /// caller may send). A begin not stored (its key is taken, or its issue's cancel) is
    /// judged by [`Journal::begin_idempotent`].
    async fn begin_idempotent_many(&self, begins: &[IdemBegin]) -> Result<Vec<bool>>;

    /// [`Journal::finish_idempotent`] for many answers at once, in one statement; whether
    /// each applied.
    async fn finish_idempotent_many(&self, finishes: &[IdemFinishOf]) -> Result<Vec<bool>>;

    /// Deletes an `in_flight` record owned by `owner`: the request provably never left (or
    /// was refused retryably with nothing issued), so the same key may be sent again.
    /// Answers whether it deleted.
    async fn release_idempotent(&self, scope: &str, key: &str, owner: &str) -> Result<bool>;

    /// The reconciler's claim: up to `limit` records `unknown` with next_check_at <= now
    /// and no live lease, and `in_flight` records whose lease expired (turned into
    /// `unknown` by this claim, next_check_at = now), leased to `owner` for `lease`
    /// (attempts + 1); the most overdue first. Two replicas never get the same record
    /// (on PostgreSQL, `FOR UPDATE SKIP LOCKED`: a record another is claiming is skipped).
    async fn claim_doubts(&self, owner: &str, lease: Duration, limit: usize) -> Result<Vec<IdemRecord>>;

    /// A doubt still unknown after a reconcile by `owner`: its lease released,
    /// next_check_at = now + `after`, `note` kept. Answers whether it applied (false: not
    /// a doubt, or not `owner`'s).
    async fn retry_doubt_later(&self, scope: &str, key: &str, owner: &str, after: Duration, note: &str)
    -> Result<bool>;

    /// One idempotency record.
    async fn idempotent(&self, scope: &str, key: &str) -> Result<Option<IdemRecord>>;

    /// The records acting on issue `target` (its cancel, at most one, and its resends),
    /// newest first.
    async fn idempotent_children(&self, scope: &str, target: &str) -> Result<Vec<IdemRecord>>;

    /// Deletes `done` records created before `before`; never `unknown` nor `in_flight` (a
    /// doubt is never forgotten), and never an issue's record while a cancel or resend of
    /// it is not `done`. Answers how many.
    async fn purge_idempotent(&self, before: DateTime<Utc>) -> Result<u64>;

    /// How many records are `unknown` (the doubts open).
    async fn idempotent_doubts(&self) -> Result<u64>;

    /// Closes the connections (pending writes are already committed).
    async fn close(&self);
}
