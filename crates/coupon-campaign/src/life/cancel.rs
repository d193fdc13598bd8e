//! `cancel`: cancels issued coupons for a refund, each exactly once, across crashes,
//! restarts and several workers, held to `run`'s guarantee.
//!
//! - The selection is written first (`selected`); a later command finishes an
//!   interrupted selection before anything else.
//! - Each row's intent (`cancelling`) is committed before its request leaves, under a
//!   lease; a row whose worker died is found `cancelling` with an expired lease and is
//!   a doubt.
//! - A doubt is settled with the vendor: by the coupon's state where the adapter reads
//!   it (cancelled → done; used or expired → refused with that state; unused → the cancel
//!   provably did not happen, so it is sent again), else by sending the cancel again
//!   where the adapter says a repeat is harmless ([`coupon_core::Capabilities::cancel_repeatable`]).
//!   Never a blind second request where it is not: the row stays in doubt.
//! - A coupon used between the sync and the cancel is refused by the vendor and recorded
//!   `used`; a used coupon is never selected.
//! - Workers sharing PostgreSQL write the same rows at once (one's sync, another's
//!   selection or marking), and the database may abort one of them to break a
//!   deadlock. Those steps are idempotent and nothing of an aborted one was committed,
//!   so they are tried again ([`again_on_conflict`]) instead of ending the command.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use coupon_core::chrono::{TimeDelta, Utc};
use coupon_core::time::today_kst;
use coupon_core::{Adapter, CouponStatus, Error, ErrorKind, OrderRef};
use coupon_journal::{
    Campaign, CancelClaim, CancelFilter, CancelRecord, CancelState, CouponState, Expiring, Journal, JournalError, Row,
    RowId,
};
use tokio::sync::watch;

use super::pace::Pace;
use super::sync::{SyncOptions, SyncReport, coupon_of, sync};
use crate::error::{CampaignError, Result};
use crate::outcome::Effect;
use crate::run::RunOptions;
use crate::stop::Stop;

/// Which issued coupons to cancel; every condition given must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CancelSelection {
    /// Only coupons the last sync saw unused (`--unused`).
    pub unused: bool,
    /// Only coupons whose last day of validity is within this many days from today
    /// (`--expiring-within`); a coupon whose vendor gives no validity is not selected.
    pub expiring_within_days: Option<u32>,
    /// Only these rows, by key (`--rows`).
    pub keys: Option<Vec<String>>,
}

impl CancelSelection {
    /// No condition yet: add them with the methods below.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets [`CancelSelection::unused`].
    pub fn unused(mut self, unused: bool) -> Self {
        self.unused = unused;
        self
    }
    /// Sets [`CancelSelection::expiring_within_days`].
    pub fn expiring_within_days(mut self, days: Option<u32>) -> Self {
        self.expiring_within_days = days;
        self
    }
    /// Sets [`CancelSelection::keys`].
    pub fn keys(mut self, keys: Option<Vec<String>>) -> Self {
        self.keys = keys;
        self
    }

    /// Whether nothing was chosen: a cancel needs at least one condition.
    pub fn is_empty(&self) -> bool {
        !self.unused && self.expiring_within_days.is_none() && self.keys.is_none()
    }

    /// Whether the selection depends on the state the last sync saw.
    fn needs_fresh_state(&self) -> bool {
        self.unused || self.expiring_within_days.is_some()
    }

    /// The journal's filter for this selection, from today (KST).
    pub fn filter(&self) -> CancelFilter {
        CancelFilter {
            unused_only: self.unused,
            valid_until_on_or_before: self
                .expiring_within_days
                .map(|days| today_kst() + TimeDelta::days(i64::from(days))),
            keys: self.keys.clone(),
        }
    }
}

/// How a cancel runs.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CancelOptions {
    /// Rate, concurrency, breaker, lease and worker name (the spending cap does not apply).
    pub run: RunOptions,
    /// The oldest a coupon's last check may be for a selection by state (`--max-age`,
    /// default 1 h).
    pub max_age: Duration,
    /// Sync the rows checked longer ago than `max_age` first (default); otherwise refuse.
    pub sync_first: bool,
}

impl Default for CancelOptions {
    fn default() -> Self {
        Self { run: RunOptions::default(), max_age: Duration::from_secs(3600), sync_first: true }
    }
}

impl CancelOptions {
    /// The defaults with these call limits.
    pub fn new(run: RunOptions) -> Self {
        Self { run, ..Self::default() }
    }
    /// Sets [`CancelOptions::max_age`].
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }
    /// Sets [`CancelOptions::sync_first`].
    pub fn sync_first(mut self, sync_first: bool) -> Self {
        self.sync_first = sync_first;
        self
    }
}

/// What a cancel would do, sending nothing (`--dry-run`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct CancelPreview {
    /// Coupons the selection takes now.
    pub count: u64,
    /// Their refund, in won (rows with a price).
    pub won: i64,
    /// How many of them have no price.
    pub unpriced: u64,
    /// Coupons an earlier, interrupted cancel selected and did not finish: this cancel
    /// finishes them too.
    pub unfinished: u64,
}

/// Where a cancel is, for a progress bar.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct CancelProgress {
    /// Coupons to cancel in all (selected now and left from before).
    pub selected: u64,
    /// Cancelled by this command.
    pub cancelled: u64,
    /// Refused by the vendor (used, expired, already cancelled, …).
    pub refused: u64,
    /// Whose outcome is in doubt now.
    pub in_doubt: u64,
    /// Doubts settled.
    pub settled: u64,
    /// Answers that came after another worker had already recorded the row (its lease had
    /// run out in flight): that worker's record stands.
    pub recorded_by_another: u64,
}

/// How a cancel ended.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct CancelReport {
    /// This command's counts.
    pub progress: CancelProgress,
    /// The sync run first, if one was.
    pub synced: Option<SyncReport>,
    /// Cancels left in doubt in the campaign: settle them with another `cancel`.
    pub doubts_left: u64,
    /// Coupons still selected and not sent: the vendor turned them away for now (a refusal
    /// it may lift), or the command stopped. Another `cancel` sends them.
    pub left: u64,
    /// The campaign's refunds so far, in won.
    pub refunded_won: i64,
    /// The refusals' codes, as shown (the first few).
    pub refusals: Vec<String>,
    /// Why it stopped early.
    #[serde(serialize_with = "super::serialize_stop")]
    pub stopped: Option<Stop>,
    /// Whether it was interrupted.
    pub interrupted: bool,
}

/// Brings the state the selection relies on up to date: syncs the rows last checked
/// more than `max_age` ago (read only), or refuses when told not to.
async fn fresh_state(
    journal: &dyn Journal,
    adapter: &Arc<dyn Adapter>,
    campaign: &Campaign,
    selection: &CancelSelection,
    options: &CancelOptions,
    interrupt: &watch::Receiver<bool>,
) -> Result<Option<SyncReport>> {
    if !selection.needs_fresh_state() {
        return Ok(None);
    }
    let figures = journal.figures(campaign).await?;
    let oldest_allowed = Utc::now() - TimeDelta::from_std(options.max_age).unwrap_or(TimeDelta::MAX);
    let stale = figures.coupons.unchecked > figures.coupons.details_unknown
        || figures.checked_oldest.is_some_and(|at| at < oldest_allowed);
    if !stale {
        return Ok(None);
    }
    if !options.sync_first {
        let last = figures.checked_oldest.map(|at| at.to_rfc3339()).unwrap_or_else(|| "never".into());
        return Err(CampaignError::Invalid(format!(
            "the coupons' state is older than --max-age {}s (oldest check: {last}): run `campaign sync` first, or \
             let cancel sync them",
            options.max_age.as_secs()
        )));
    }
    let sync_options = SyncOptions::new(options.run.clone()).stale(options.max_age);
    let report = sync(journal, Arc::clone(adapter), campaign, &sync_options, interrupt.clone(), &|_| {}).await?;
    Ok(Some(report))
}

/// What `cancel` would do now, sending nothing (the coupons' state as the last sync saw it).
pub async fn preview_cancel(
    journal: &dyn Journal,
    campaign: &Campaign,
    selection: &CancelSelection,
) -> Result<CancelPreview> {
    check_selection(journal, campaign, selection).await?;
    let Expiring { count, won, unpriced } = journal.preview_cancel(campaign, &selection.filter()).await?;
    let c = journal.figures(campaign).await?.cancel;
    Ok(CancelPreview { count, won, unpriced, unfinished: c.selected + c.cancelling + c.unknown })
}

/// Refuses an empty selection and unknown keys, before anything is written or sent.
async fn check_selection(journal: &dyn Journal, campaign: &Campaign, selection: &CancelSelection) -> Result<()> {
    if selection.is_empty() {
        return Err(CampaignError::Invalid(
            "cancel needs a selection: --unused, --expiring-within DURATION or --rows KEYS".into(),
        ));
    }
    if let Some(keys) = &selection.keys {
        super::rows_of_keys(journal, campaign, keys).await?;
    }
    Ok(())
}

/// Cancels the selected coupons of `campaign` (see the module).
pub async fn cancel(
    journal: Arc<dyn Journal>,
    adapter: Arc<dyn Adapter>,
    campaign: &Campaign,
    selection: &CancelSelection,
    options: &CancelOptions,
    interrupt: watch::Receiver<bool>,
    progress: &(dyn Fn(&CancelProgress) + Send + Sync),
) -> Result<CancelReport> {
    super::same_vendor(&*adapter, campaign)?;
    if !adapter.capabilities().cancel {
        return Err(CampaignError::Invalid(format!("`{}` cannot cancel coupons", campaign.vendor)));
    }
    check_selection(&*journal, campaign, selection).await?;
    let synced =
        again_on_conflict(async || fresh_state(&*journal, &adapter, campaign, selection, options, &interrupt).await)
            .await?;
    let filter = selection.filter();
    again_on_conflict(async || Ok(journal.select_for_cancel(campaign, &filter).await?)).await?;
    let c = journal.figures(campaign).await?.cancel;
    let mut work = Work {
        journal: Arc::clone(&journal),
        adapter,
        campaign: campaign.clone(),
        worker: options.run.worker.clone(),
        lease: options.run.lease,
        progress: CancelProgress { selected: c.selected + c.cancelling + c.unknown, ..CancelProgress::default() },
        refusals: Vec::new(),
        done_here: HashSet::new(),
    };
    progress(&work.progress);
    let keeper = work.keep_leases();
    let mut pace = Pace::new(&options.run, interrupt);
    let ended = work.drive(&mut pace, options.run.concurrency.max(1), progress).await;
    keeper.abort();
    ended?;
    let figures = journal.figures(campaign).await?;
    Ok(CancelReport {
        progress: work.progress,
        synced,
        doubts_left: figures.cancel.unknown + figures.cancel.cancelling,
        left: figures.cancel.selected,
        refunded_won: figures.refunded_won,
        refusals: work.refusals,
        stopped: pace.stop().cloned(),
        interrupted: pace.interrupted(),
    })
}

/// How many times an idempotent journal step is tried when the database aborts it for a
/// conflict with another worker.
const CONFLICT_TRIES: u32 = 5;

/// Whether the journal's database aborted a step to break a deadlock or a serialization
/// conflict with another worker (PostgreSQL `40P01`, `40001`). The database raises these
/// before a commit, so nothing of the step was written, and the same step again passes
/// once the other transaction is through.
fn conflict(e: &CampaignError) -> bool {
    let CampaignError::Journal(JournalError::Storage(e)) = e else { return false };
    e.as_database_error().and_then(|d| d.code()).is_some_and(|code| matches!(&*code, "40P01" | "40001"))
}

/// Runs `step`, again after a short pause each time the database aborted it for a
/// [`conflict`], at most [`CONFLICT_TRIES`] times in all. Only for steps that may run
/// twice: syncing (read only at the vendor), selecting, marking intents, releasing
/// leases. (A step on one row alone takes one lock and cannot be part of a deadlock.)
async fn again_on_conflict<T>(mut step: impl AsyncFnMut() -> Result<T>) -> Result<T> {
    let mut tries = 1;
    loop {
        match step().await {
            Err(e) if conflict(&e) && tries < CONFLICT_TRIES => {
                tokio::time::sleep(Duration::from_millis(50) * tries).await;
                tries += 1;
            }
            done => return done,
        }
    }
}

/// A cancel's state while it runs.
struct Work {
    journal: Arc<dyn Journal>,
    adapter: Arc<dyn Adapter>,
    campaign: Campaign,
    worker: String,
    lease: Duration,
    progress: CancelProgress,
    refusals: Vec<String>,
    /// Rows this command will not touch again: doubts it could not settle, rows the
    /// vendor would not take now.
    done_here: HashSet<RowId>,
}

/// What one row's call found.
enum Answer {
    /// The answer to a cancel sent (the row was `cancelling`); how many times it had
    /// been sent before this one.
    Sent(RowId, u32, coupon_core::Result<()>),
    /// The coupon's state read to settle a doubt.
    Looked(RowId, Option<coupon_core::Result<coupon_core::CouponCheck>>),
}

/// The refusals kept in a report.
const REFUSALS_KEPT: usize = 5;

impl Work {
    /// Renews this worker's cancel leases every third of the lease, while the command runs.
    fn keep_leases(&self) -> tokio::task::JoinHandle<()> {
        let (journal, campaign, worker, lease) =
            (Arc::clone(&self.journal), self.campaign.clone(), self.worker.clone(), self.lease);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(lease / 3).await;
                // A failed renewal only shortens the lease: a row whose lease expires in
                // flight becomes a doubt for whoever claims it, never a second blind cancel.
                let _ = journal.renew_cancels(&campaign, &worker, lease).await;
            }
        })
    }

    async fn drive(
        &mut self,
        pace: &mut Pace,
        concurrency: usize,
        progress: &(dyn Fn(&CancelProgress) + Send + Sync),
    ) -> Result<()> {
        loop {
            if pace.halted() {
                return Ok(());
            }
            let claim = CancelClaim {
                campaign: self.campaign.id,
                worker: self.worker.clone(),
                max: self.done_here.len() + concurrency * 4,
                lease: self.lease,
            };
            let claimed = self.journal.claim_cancels(&claim).await?;
            let (skip, rows): (Vec<Row>, Vec<Row>) = claimed.into_iter().partition(|r| self.done_here.contains(&r.id));
            let skipped: Vec<RowId> = skip.iter().map(|r| r.id).collect();
            if !skipped.is_empty() {
                again_on_conflict(async || Ok(self.journal.release_cancels(&skipped, &self.worker).await?)).await?;
            }
            if rows.is_empty() {
                // Rows another worker holds are finished by it, or come back as doubts when
                // its lease expires: wait for them, then end.
                let c = self.journal.figures(&self.campaign).await?.cancel;
                let open = c.selected + c.cancelling + c.unknown;
                if open <= skipped.len() as u64 {
                    return Ok(());
                }
                tokio::time::sleep((self.lease / 4).min(Duration::from_secs(2))).await;
                continue;
            }
            let (doubts, selected): (Vec<Row>, Vec<Row>) =
                rows.into_iter().partition(|r| r.life.cancel_state != Some(CancelState::Selected));
            let marked: HashSet<RowId> = if selected.is_empty() {
                HashSet::new()
            } else {
                let ids: Vec<RowId> = selected.iter().map(|r| r.id).collect();
                // An aborted marking committed nothing: no request has left for these rows.
                again_on_conflict(async || Ok(self.journal.mark_cancelling(&ids, &self.worker).await?))
                    .await?
                    .into_iter()
                    .collect()
            };
            let mut calls = Vec::new();
            for row in selected.into_iter().filter(|r| marked.contains(&r.id)) {
                calls.push(Call::Send(row));
            }
            for row in doubts {
                calls.push(Call::Look(row));
            }
            let adapter = Arc::clone(&self.adapter);
            // Marked rows whose request a stop or an interrupt kept from starting: they were
            // never sent, so they go back to `selected` now instead of waiting out the lease
            // as doubts.
            let mut unsent = marked;
            pace.each(
                calls,
                |call| {
                    let adapter = Arc::clone(&adapter);
                    async move { call.make(&*adapter).await }
                },
                async |pace: &mut Pace, answer: Answer| {
                    if let Answer::Sent(id, _, _) = &answer {
                        unsent.remove(id);
                    }
                    self.take(pace, answer).await?;
                    progress(&self.progress);
                    Ok(())
                },
            )
            .await?;
            for id in unsent {
                self.record(id, CancelRecord::NotCancelled).await?;
            }
        }
    }

    /// Records what a call found, and judges it for the command.
    async fn take(&mut self, pace: &mut Pace, answer: Answer) -> Result<()> {
        match answer {
            Answer::Sent(id, sent_before, result) => {
                let (record, effect) = of_cancel(sent_before, &result);
                match &record {
                    CancelRecord::Cancelled => self.progress.cancelled += 1,
                    CancelRecord::Refused { error, .. } => {
                        self.progress.refused += 1;
                        self.keep_refusal(error);
                    }
                    CancelRecord::Unknown(_) => self.progress.in_doubt += 1,
                    CancelRecord::NotCancelled => {
                        // Not sent, provably: another claim sends it again, unless the
                        // vendor keeps turning it away (then a later command does).
                        if effect == Effect::Carry {
                            self.done_here.insert(id);
                        }
                    }
                }
                self.record(id, record).await?;
                pace.judge(effect, result.as_ref().err()).await;
            }
            Answer::Looked(id, looked) => {
                let repeatable = self.adapter.capabilities().cancel_repeatable;
                let settled = match &looked {
                    Some(Ok(check)) => of_state(&check.status),
                    _ => None,
                };
                match settled {
                    Some(record) => {
                        self.progress.settled += 1;
                        self.progress.in_doubt = self.progress.in_doubt.saturating_sub(1);
                        match &record {
                            CancelRecord::Cancelled => self.progress.cancelled += 1,
                            CancelRecord::Refused { .. } => self.progress.refused += 1,
                            _ => {}
                        }
                        self.record(id, record).await?;
                    }
                    // The vendor's state cannot tell: a repeat is harmless here, so the
                    // cancel goes again (the row back to `selected`, its attempts kept).
                    None if repeatable => self.record(id, CancelRecord::NotCancelled).await?,
                    None => {
                        self.done_here.insert(id);
                        self.journal.release_cancels(&[id], &self.worker).await?;
                    }
                }
                if let Some(Err(e)) = &looked {
                    pace.judge(crate::outcome::of_reconcile_error(e), Some(e)).await;
                }
            }
        }
        Ok(())
    }

    /// Records a row's outcome. A row whose lease ran out while its request was in flight
    /// may have been taken over (as a doubt) and settled by another worker first: the
    /// journal then refuses this late record, and the other worker's stands (it read the
    /// vendor after this request), so the command goes on.
    async fn record(&mut self, id: RowId, record: CancelRecord<'_>) -> Result<()> {
        match self.journal.record_cancel(id, record).await {
            Err(JournalError::Invalid(_)) => {
                self.progress.recorded_by_another += 1;
                Ok(())
            }
            other => Ok(other?),
        }
    }

    fn keep_refusal(&mut self, error: &Error) {
        let shown = error.to_string();
        if self.refusals.len() < REFUSALS_KEPT && !self.refusals.contains(&shown) {
            self.refusals.push(shown);
        }
    }
}

/// One row's call: a cancel to send, or a doubt to look at.
enum Call {
    Send(Row),
    Look(Row),
}

impl Call {
    async fn make(self, adapter: &dyn Adapter) -> Answer {
        match self {
            Call::Send(row) => {
                let sent_before = row.life.cancel_attempts;
                let result = match &row.order_id {
                    Some(order) => adapter.cancel(&OrderRef::new(order.clone())).await,
                    None => Err(Error::invalid_field("order", "is unknown for this row: it cannot be cancelled")),
                };
                Answer::Sent(row.id, sent_before, result)
            }
            Call::Look(row) => {
                let looked = match (adapter.capabilities().status, coupon_of(adapter, &row)) {
                    (true, Some(coupon)) => Some(adapter.check(&coupon).await),
                    _ => None,
                };
                Answer::Looked(row.id, looked)
            }
        }
    }
}

/// A synthetic refusal for a doubt whose coupon turned out used or expired.
fn settled_refusal(kind: ErrorKind, state: &str) -> &'static Error {
    use std::sync::OnceLock;
    static USED: OnceLock<Error> = OnceLock::new();
    static EXPIRED: OnceLock<Error> = OnceLock::new();
    let cell = if kind == ErrorKind::AlreadyUsed { &USED } else { &EXPIRED };
    cell.get_or_init(|| Error::new(kind, format!("not cancelled: the vendor's status says {state}")))
}

/// What a doubt's coupon state settles, if anything.
fn of_state(status: &CouponStatus) -> Option<CancelRecord<'static>> {
    match status {
        CouponStatus::Cancelled { .. } => Some(CancelRecord::Cancelled),
        CouponStatus::Used { .. } => Some(CancelRecord::Refused {
            error: settled_refusal(ErrorKind::AlreadyUsed, "used"),
            state: Some(CouponState::Used),
        }),
        CouponStatus::PartlyUsed { .. } => Some(CancelRecord::Refused {
            error: settled_refusal(ErrorKind::AlreadyUsed, "used"),
            state: Some(CouponState::PartlyUsed),
        }),
        CouponStatus::Expired => Some(CancelRecord::Refused {
            error: settled_refusal(ErrorKind::Rejected, "expired"),
            state: Some(CouponState::Expired),
        }),
        // Uncancelled after the cancel: it did not happen, so it may go again.
        CouponStatus::Unused => Some(CancelRecord::NotCancelled),
        _ => None,
    }
}

/// What a cancel's answer means for the row and the command: one table, by kind.
fn of_cancel(sent_before: u32, result: &coupon_core::Result<()>) -> (CancelRecord<'_>, Effect) {
    let e = match result {
        Ok(()) => return (CancelRecord::Cancelled, Effect::Carry),
        Err(e) => e,
    };
    match e.kind() {
        // Sent before by this campaign: that earlier request did it.
        ErrorKind::AlreadyCancelled if sent_before > 0 => (CancelRecord::Cancelled, Effect::Carry),
        ErrorKind::AlreadyCancelled => {
            (CancelRecord::Refused { error: e, state: Some(CouponState::Cancelled) }, Effect::Carry)
        }
        ErrorKind::AlreadyUsed => (CancelRecord::Refused { error: e, state: Some(CouponState::Used) }, Effect::Carry),
        ErrorKind::OutcomeUnknown | ErrorKind::Protocol => (CancelRecord::Unknown(e), Effect::Transport),
        ErrorKind::Unauthenticated | ErrorKind::PermissionDenied | ErrorKind::InsufficientFunds => {
            (CancelRecord::NotCancelled, Effect::Stop)
        }
        ErrorKind::RateLimited => (CancelRecord::NotCancelled, Effect::SlowDown),
        // The transport makes a money-moving call that may have left a doubt; these did not leave.
        ErrorKind::Transport | ErrorKind::Timeout => (CancelRecord::NotCancelled, Effect::Transport),
        ErrorKind::Unavailable if e.is_retryable() => (CancelRecord::NotCancelled, Effect::Transport),
        ErrorKind::Unavailable => (CancelRecord::Refused { error: e, state: None }, Effect::Transport),
        ErrorKind::InvalidInput
        | ErrorKind::Config
        | ErrorKind::NotFound
        | ErrorKind::LimitExceeded
        | ErrorKind::Unsupported
        | ErrorKind::Rejected
        | ErrorKind::DuplicateReference => {
            if e.is_retryable() {
                (CancelRecord::NotCancelled, Effect::Carry)
            } else {
                (CancelRecord::Refused { error: e, state: None }, Effect::Carry)
            }
        }
        // A kind added later is a doubt until it is placed here.
        _ => (CancelRecord::Unknown(e), Effect::Carry),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_that_may_hide_a_refund_is_a_doubt_never_a_refusal_and_a_repeat_of_ours_is_done() {
        let kinds = |sent_before, e: Error| match of_cancel(sent_before, &Err(e)).0 {
            CancelRecord::Cancelled => "cancelled",
            CancelRecord::Refused { .. } => "refused",
            CancelRecord::Unknown(_) => "unknown",
            CancelRecord::NotCancelled => "not_cancelled",
        };
        assert_eq!(kinds(0, Error::outcome_unknown(None, "dropped")), "unknown");
        assert_eq!(kinds(0, Error::new(ErrorKind::Protocol, "garbled")), "unknown");
        assert_eq!(kinds(1, Error::new(ErrorKind::AlreadyCancelled, "E304")), "cancelled");
        assert_eq!(kinds(0, Error::new(ErrorKind::AlreadyCancelled, "E304")), "refused");
        assert_eq!(kinds(0, Error::new(ErrorKind::AlreadyUsed, "E201")), "refused");
        assert_eq!(kinds(0, Error::new(ErrorKind::Transport, "refused")), "not_cancelled");
        assert!(matches!(of_cancel(0, &Ok(())).0, CancelRecord::Cancelled));
        for kind in ErrorKind::ALL {
            if kind == ErrorKind::OutcomeUnknown {
                assert_eq!(kinds(0, Error::new(kind, "x")), "unknown");
            }
        }
    }

    #[test]
    fn a_doubt_is_settled_only_by_a_state_that_says_what_happened() {
        assert!(matches!(of_state(&CouponStatus::Cancelled { at: None }), Some(CancelRecord::Cancelled)));
        assert!(matches!(of_state(&CouponStatus::Unused), Some(CancelRecord::NotCancelled)));
        let used = of_state(&CouponStatus::Used { at: None, place: None });
        assert!(matches!(used, Some(CancelRecord::Refused { state: Some(CouponState::Used), .. })));
        assert!(matches!(of_state(&CouponStatus::Expired), Some(CancelRecord::Refused { .. })));
        assert!(of_state(&CouponStatus::Unknown("Z".into())).is_none());
    }

    /// A database error with this SQLSTATE, as the journal's PostgreSQL backend hands it on.
    fn storage_error(code: &'static str) -> CampaignError {
        #[derive(Debug)]
        struct Db(&'static str);
        impl std::fmt::Display for Db {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "database error {}", self.0)
            }
        }
        impl std::error::Error for Db {}
        impl sqlx::error::DatabaseError for Db {
            fn message(&self) -> &str {
                self.0
            }
            fn code(&self) -> Option<std::borrow::Cow<'_, str>> {
                Some(self.0.into())
            }
            fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
                self
            }
            fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
                self
            }
            fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
                self
            }
            fn kind(&self) -> sqlx::error::ErrorKind {
                sqlx::error::ErrorKind::Other
            }
        }
        CampaignError::Journal(JournalError::Storage(sqlx::Error::Database(Box::new(Db(code)))))
    }

    #[test]
    fn only_a_deadlock_or_a_serialization_failure_is_a_conflict_to_try_again() {
        assert!(conflict(&storage_error("40P01")));
        assert!(conflict(&storage_error("40001")));
        assert!(!conflict(&storage_error("23505")), "a unique violation is no conflict");
        assert!(!conflict(&CampaignError::Journal(JournalError::Storage(sqlx::Error::PoolTimedOut))));
        assert!(!conflict(&CampaignError::Invalid("x".into())));
    }

    #[tokio::test(start_paused = true)]
    async fn a_step_aborted_by_a_deadlock_runs_again_and_any_other_error_ends_it() {
        let mut calls = 0;
        let done = again_on_conflict(async || {
            calls += 1;
            if calls < 3 { Err(storage_error("40P01")) } else { Ok(calls) }
        })
        .await;
        assert_eq!(done.unwrap(), 3, "two deadlocks, then through");

        let mut calls = 0;
        let failed: Result<()> = again_on_conflict(async || {
            calls += 1;
            Err(storage_error("23505"))
        })
        .await;
        assert!(failed.is_err() && calls == 1, "not a conflict: not tried again");

        let mut calls = 0;
        let failed: Result<()> = again_on_conflict(async || {
            calls += 1;
            Err(storage_error("40P01"))
        })
        .await;
        assert!(conflict(&failed.unwrap_err()));
        assert_eq!(calls, CONFLICT_TRIES, "a conflict that never clears ends the command, after a few tries");
    }

    #[test]
    fn a_selection_needs_a_condition_and_expiry_counts_from_today() {
        assert!(CancelSelection::default().is_empty());
        let s = CancelSelection { unused: true, expiring_within_days: Some(7), keys: None };
        assert!(!s.is_empty());
        assert_eq!(s.filter().valid_until_on_or_before, Some(today_kst() + TimeDelta::days(7)));
    }
}
