//! `resend`: sends a coupon's message again, for rows named by key or for the rows the
//! vendor reports undelivered. A resend moves no money, but a recipient must not get
//! the same message twice because of a crash: each row's resend is taken in the
//! journal (its time and count) before the request leaves, and a row resent within
//! the window is skipped, so running the command again after a crash resends only the
//! rows it had not reached.

use std::sync::Arc;
use std::time::Duration;

use coupon_core::chrono::{TimeDelta, Utc};
use coupon_core::{Adapter, OrderRef};
use coupon_journal::{Campaign, Journal, Row};
use tokio::sync::watch;

use super::pace::Pace;
use crate::error::{CampaignError, Result};
use crate::outcome::{self, Effect};
use crate::run::RunOptions;
use crate::stop::Stop;

/// Which rows to resend.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResendSelection {
    /// These rows, by key (`--rows`).
    Keys(Vec<String>),
    /// The rows whose delivery the last sync saw failed (`--undelivered`).
    Undelivered,
}

/// How a resend runs.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ResendOptions {
    /// Rate, concurrency and breaker.
    pub run: RunOptions,
    /// A row resent less than this long ago is not resent (`--not-within`, default 1 h).
    pub not_within: Duration,
}

impl Default for ResendOptions {
    fn default() -> Self {
        Self { run: RunOptions::default(), not_within: Duration::from_secs(3600) }
    }
}

impl ResendOptions {
    /// The defaults with these call limits.
    pub fn new(run: RunOptions) -> Self {
        Self { run, ..Self::default() }
    }
    /// Sets [`ResendOptions::not_within`].
    pub fn not_within(mut self, window: Duration) -> Self {
        self.not_within = window;
        self
    }
}

/// How a resend ended.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct ResendReport {
    /// Rows selected.
    pub selected: u64,
    /// Resent now.
    pub resent: u64,
    /// Skipped: resent within the window (by an earlier run), or without an order id.
    pub skipped: u64,
    /// Refused by the vendor (their codes kept on the rows).
    pub refused: u64,
    /// Why it stopped early.
    #[serde(serialize_with = "super::serialize_stop")]
    pub stopped: Option<Stop>,
    /// Whether it was interrupted.
    pub interrupted: bool,
}

/// Resends the selected rows' messages.
pub async fn resend(
    journal: &dyn Journal,
    adapter: Arc<dyn Adapter>,
    campaign: &Campaign,
    selection: &ResendSelection,
    options: &ResendOptions,
    interrupt: watch::Receiver<bool>,
) -> Result<ResendReport> {
    super::same_vendor(&*adapter, campaign)?;
    if !adapter.capabilities().resend {
        return Err(CampaignError::Invalid(format!("`{}` cannot resend a coupon's message", campaign.vendor)));
    }
    let rows = match selection {
        ResendSelection::Keys(keys) => super::rows_of_keys(journal, campaign, keys).await?,
        ResendSelection::Undelivered => undelivered(journal, campaign).await?,
    };
    let mut report = ResendReport { selected: rows.len() as u64, ..ResendReport::default() };
    let window = TimeDelta::from_std(options.not_within).unwrap_or(TimeDelta::MAX);
    let not_since = Utc::now().checked_sub_signed(window).unwrap_or(coupon_core::chrono::DateTime::<Utc>::MIN_UTC);
    let mut taken = Vec::with_capacity(rows.len());
    for row in rows {
        match &row.order_id {
            Some(order) if row.state == coupon_journal::RowState::Issued => {
                if journal.take_resend(row.id, not_since).await? {
                    taken.push((row.id, OrderRef::new(order.clone())));
                } else {
                    report.skipped += 1;
                }
            }
            _ => report.skipped += 1,
        }
    }
    let mut pace = Pace::new(&options.run, interrupt);
    pace.each(
        taken,
        |(id, order)| {
            let adapter = Arc::clone(&adapter);
            async move { (id, adapter.resend(&order).await) }
        },
        async |pace: &mut Pace, (id, answer): (coupon_journal::RowId, coupon_core::Result<()>)| {
            match answer {
                Ok(()) => {
                    report.resent += 1;
                    journal.record_resend(id, None).await?;
                    pace.judge(Effect::Carry, None).await;
                }
                Err(e) => {
                    report.refused += 1;
                    let code = e.vendor_code().map(|c| c.raw().to_string()).unwrap_or_else(|| e.kind().as_str().into());
                    journal.record_resend(id, Some(&code)).await?;
                    pace.judge(outcome::of_reconcile_error(&e), Some(&e)).await;
                }
            }
            Ok(())
        },
    )
    .await?;
    report.stopped = pace.stop().cloned();
    report.interrupted = pace.interrupted();
    Ok(report)
}

/// The issued rows whose delivery failed, in line order.
async fn undelivered(journal: &dyn Journal, campaign: &Campaign) -> Result<Vec<Row>> {
    let mut found = Vec::new();
    super::each_row(journal, campaign, |row| {
        if row.life.delivery.as_deref() == Some("failed") {
            found.push(row);
        }
    })
    .await?;
    Ok(found)
}
