//! `sync`: asks the vendor what became of each issued coupon, and records it. It only
//! reads: it never moves money, so it is safe to kill and to run again at any time.
//!
//! The rule, reports first: where the adapter offers `redemptions(day)`, each day's
//! report since the campaign's first issue is read and its PINs matched by the journal's
//! keyed hash (so no stored PIN is needed); a day that had ended when it was read is
//! remembered and never read again. Then `check` is asked only for the rows the reports
//! leave open (not used): issued, not in a final state, not checked within `stale`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use coupon_core::chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use coupon_core::time::{kst, today_kst};
use coupon_core::{Adapter, CouponCheck, CouponRef, CouponStatus, Error, ErrorKind, PartnerRef, RedeemedAt};
use coupon_journal::{Campaign, Journal, Row, RowId, StateSource};
use tokio::sync::{mpsc, watch};

use super::pace::Pace;
use crate::error::{CampaignError, Result};
use crate::outcome::{self, Effect};
use crate::run::RunOptions;
use crate::stop::Stop;

/// How a sync runs.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SyncOptions {
    /// Rate, concurrency, breaker (the spending cap and the lease do not apply).
    pub run: RunOptions,
    /// Rows checked more recently than this are not asked again (`--stale`; default 0:
    /// every row not in a final state).
    pub stale: Duration,
    /// Read the redemption reports where the adapter has them (default true).
    pub reports: bool,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self { run: RunOptions::default(), stale: Duration::ZERO, reports: true }
    }
}

impl SyncOptions {
    /// The defaults with these call limits.
    pub fn new(run: RunOptions) -> Self {
        Self { run, ..Self::default() }
    }
    /// Sets [`SyncOptions::stale`].
    pub fn stale(mut self, stale: Duration) -> Self {
        self.stale = stale;
        self
    }
    /// Sets [`SyncOptions::reports`].
    pub fn reports(mut self, reports: bool) -> Self {
        self.reports = reports;
        self
    }
}

/// Where a sync is, for a progress bar.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct SyncProgress {
    /// Redemption reports read.
    pub reports_read: u64,
    /// Coupons found used in the reports.
    pub matched_by_report: u64,
    /// Coupons looked up one by one.
    pub checked: u64,
    /// Look-ups the vendor refused or that failed (the row is left as it was).
    pub failed: u64,
    /// At most this many coupons to look up (those not in a final state when it began).
    pub to_check: u64,
}

/// How a sync ended.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct SyncReport {
    /// The counts.
    pub progress: SyncProgress,
    /// Report days read and remembered (ended days).
    pub days_remembered: u64,
    /// Issued rows whose order id is unknown and that the vendor cannot look up by the
    /// partner reference: their state cannot be known.
    pub not_lookable: u64,
    /// The first failure of each kind, as shown (at most a few).
    pub failures: Vec<String>,
    /// Why it stopped early, if it did.
    #[serde(serialize_with = "super::serialize_stop")]
    pub stopped: Option<Stop>,
    /// Whether it was interrupted.
    pub interrupted: bool,
}

/// How many rows a sync reads from the journal at a time.
const PAGE: usize = 500;
/// How many pages of answers may wait for the recorder before the look-ups wait.
const PAGES_UNRECORDED: usize = 4;
/// How many PIN hashes are matched in one journal query.
const HASHES_PER_QUERY: usize = 500;
/// The failures kept in a report.
const FAILURES_KEPT: usize = 5;

/// Syncs `campaign`'s coupons with the vendor (see the module's rule).
pub async fn sync(
    journal: &dyn Journal,
    adapter: Arc<dyn Adapter>,
    campaign: &Campaign,
    options: &SyncOptions,
    interrupt: watch::Receiver<bool>,
    progress: &(dyn Fn(&SyncProgress) + Send + Sync),
) -> Result<SyncReport> {
    let caps = adapter.capabilities();
    super::same_vendor(&*adapter, campaign)?;
    let reports = options.reports && caps.redemptions;
    if !caps.status && !reports {
        return Err(CampaignError::Invalid(format!(
            "`{}` reports neither a coupon's state nor its redemptions: a campaign on it cannot be synced",
            campaign.vendor
        )));
    }
    let started = Utc::now();
    let mut pace = Pace::new(&options.run, interrupt);
    let mut report = SyncReport {
        progress: SyncProgress::default(),
        days_remembered: 0,
        not_lookable: 0,
        failures: Vec::new(),
        stopped: None,
        interrupted: false,
    };
    let figures = journal.figures(campaign).await?;
    let c = &figures.coupons;
    report.progress.to_check = c.unchecked + c.unused + c.partly_used + c.unknown;
    progress(&report.progress);
    if reports {
        let first = figures.issued_by_day.first().map(|(day, _, _)| *day);
        if let Some(first) = first {
            read_reports(journal, &*adapter, campaign, first, &mut pace, &mut report, progress).await?;
        }
    }
    if caps.status && !pace.halted() {
        let stale = TimeDelta::from_std(options.stale).unwrap_or(TimeDelta::MAX);
        let before = started.checked_sub_signed(stale).unwrap_or(DateTime::<Utc>::MIN_UTC);
        check_rows(journal, &adapter, campaign, before, &mut pace, &mut report, progress).await?;
    }
    report.stopped = pace.stop().cloned();
    report.interrupted = pace.interrupted();
    Ok(report)
}

/// Reads each day's redemptions from `first` to today, skipping remembered days.
async fn read_reports(
    journal: &dyn Journal,
    adapter: &dyn Adapter,
    campaign: &Campaign,
    first: NaiveDate,
    pace: &mut Pace,
    report: &mut SyncReport,
    progress: &(dyn Fn(&SyncProgress) + Send + Sync),
) -> Result<()> {
    let remembered = journal.report_days(campaign).await?;
    let today = today_kst();
    for day in first.iter_days().take_while(|d| *d <= today) {
        if pace.halted() {
            break;
        }
        if remembered.contains(&day) {
            continue;
        }
        let read = adapter.redemptions(day).await;
        report.progress.reports_read += 1;
        match read {
            Ok(found) => {
                pace.judge(Effect::Carry, None).await;
                let items = found.items.len() as u64;
                report.progress.matched_by_report += match_report(journal, campaign, &found.items).await?;
                for line in found.errors.iter().take(FAILURES_KEPT) {
                    keep(report, format!("report of {day}, line {}: {}", line.line, line.message));
                }
                // A day read after it ended is complete: never read again. Today's is read
                // again next time.
                if day < today {
                    journal.remember_report_day(campaign, day, items).await?;
                    report.days_remembered += 1;
                }
            }
            Err(e) => {
                pace.judge(outcome::of_reconcile_error(&e), Some(&e)).await;
                report.progress.failed += 1;
                keep(report, format!("report of {day}: {e}"));
                // The rows this report would have settled are asked one by one instead.
                if e.kind() == ErrorKind::Unsupported {
                    break;
                }
            }
        }
        progress(&report.progress);
    }
    Ok(())
}

/// Records every redemption whose PIN hash is one of the campaign's; answers how many.
async fn match_report(journal: &dyn Journal, campaign: &Campaign, items: &[coupon_core::Redemption]) -> Result<u64> {
    let key = journal.pin_key();
    let mut by_hash: HashMap<String, &coupon_core::Redemption> = HashMap::with_capacity(items.len());
    for item in items {
        by_hash.insert(key.hash(item.pin.expose()), item);
    }
    let hashes: Vec<String> = by_hash.keys().cloned().collect();
    let mut matched = 0;
    for chunk in hashes.chunks(HASHES_PER_QUERY) {
        let rows = journal.rows_by_pin_hash(campaign, chunk).await?;
        let mut batch = Vec::with_capacity(rows.len());
        for row in rows {
            let Some(item) = row.pin_hash.as_ref().and_then(|h| by_hash.get(h)) else { continue };
            let at = match &item.at {
                RedeemedAt::Time(t) => Some(*t),
                // A report that gives only the day: kept as that day's start (KST).
                other => other.day().and_hms_opt(0, 0, 0).and_then(|t| t.and_local_timezone(kst()).single()),
            };
            let used = CouponStatus::Used { at, place: item.branch.clone() };
            batch.push((row.id, CouponCheck::new(used), StateSource::Report));
        }
        matched += batch.len() as u64;
        if !batch.is_empty() {
            journal.record_checks(&batch).await?;
        }
    }
    Ok(matched)
}

/// How the vendor names a row's coupon: its order id, else the partner reference where
/// the vendor looks coupons up by it.
pub(crate) fn coupon_of(adapter: &dyn Adapter, row: &Row) -> Option<CouponRef> {
    named(adapter, row.order_id.as_deref(), &row.partner_ref)
}

/// [`coupon_of`] from the order id and the partner reference.
fn named(adapter: &dyn Adapter, order_id: Option<&str>, partner_ref: &PartnerRef) -> Option<CouponRef> {
    match order_id {
        Some(order) => Some(CouponRef::order(order.to_owned())),
        None => adapter.coupon_of_partner_ref(partner_ref),
    }
}

/// Looks up, page by page, every row not final and not checked since `before`. The
/// journal's work overlaps the calls: while a page's look-ups are in flight, the next
/// page is read, and the answers are recorded by a recorder of their own, a few pages
/// behind at most, so the vendor is not kept waiting on the journal (a sync killed
/// before they are recorded asks those rows again next time).
async fn check_rows(
    journal: &dyn Journal,
    adapter: &Arc<dyn Adapter>,
    campaign: &Campaign,
    before: DateTime<Utc>,
    pace: &mut Pace,
    report: &mut SyncReport,
    progress: &(dyn Fn(&SyncProgress) + Send + Sync),
) -> Result<()> {
    let (answered, mut to_record) = mpsc::channel::<Vec<(RowId, CouponCheck, StateSource)>>(PAGES_UNRECORDED);
    let recorder = async move {
        while let Some(batch) = to_record.recv().await {
            journal.record_checks(&batch).await?;
        }
        Ok::<(), CampaignError>(())
    };
    let asker = async move {
        let mut page = journal.coupons_to_check(campaign, before, None, PAGE).await?;
        while !page.is_empty() && !pace.halted() {
            let after = page.last().map(|r| r.line);
            let mut asks = Vec::with_capacity(page.len());
            for to_check in page {
                match named(&**adapter, to_check.order_id.as_deref(), &to_check.partner_ref) {
                    Some(coupon) => asks.push((to_check.id, coupon)),
                    None => report.not_lookable += 1,
                }
            }
            let mut batch = Vec::with_capacity(asks.len());
            let next = journal.coupons_to_check(campaign, before, after, PAGE);
            let calls = pace.each(
                asks,
                |(id, coupon)| {
                    let adapter = Arc::clone(adapter);
                    async move { (id, adapter.check(&coupon).await) }
                },
                async |pace: &mut Pace, (id, answer): (RowId, coupon_core::Result<CouponCheck>)| {
                    match answer {
                        Ok(check) => {
                            pace.judge(Effect::Carry, None).await;
                            report.progress.checked += 1;
                            batch.push((id, check, StateSource::Status));
                        }
                        Err(e) => {
                            pace.judge(outcome::of_reconcile_error(&e), Some(&e)).await;
                            report.progress.failed += 1;
                            keep(report, failure(&e));
                        }
                    }
                    progress(&report.progress);
                    Ok(())
                },
            );
            let (next, called) = tokio::join!(next, calls);
            called?;
            // The recorder stopped on an error of its own: it is the answer.
            if answered.send(batch).await.is_err() {
                break;
            }
            page = next?;
        }
        Ok::<(), CampaignError>(())
    };
    let (recorded, asked) = tokio::join!(recorder, asker);
    recorded.and(asked)
}

/// A failure as kept in the report: the error, without the row (the journal has it).
fn failure(e: &Error) -> String {
    e.to_string()
}

/// Keeps the first few distinct failures.
fn keep(report: &mut SyncReport, failure: String) {
    if report.failures.len() < FAILURES_KEPT && !report.failures.contains(&failure) {
        report.failures.push(failure);
    }
}
