//! Sending a campaign: claim, make the intent durable, send, record; settle every
//! doubt with the vendor's own means first. See `docs/campaigns.md`.
//!
//! A run is a loop over pieces that each do one thing: the lease keeper (`lease`) renews
//! this worker's leases, the feeder (`feed`) claims rows and commits their intents ahead of
//! the sends, the dispatcher (`dispatch`) starts a task per row within the concurrency and the
//! rate, each task (`calls`) calls the vendor and hands the answer to the recorder,
//! the judge (`judge`) weighs what came back (stops, breaker, pace), and `idle` decides
//! what to do when nothing can be started. The loop (`turns`) only wires them, in
//! this order each turn: take in what finished, look for a reason to end, start what
//! may start, then claim, flush, change phase or wait as `idle` says.

mod calls;
mod dispatch;
mod feed;
mod idle;
mod judge;
mod lease;
mod options;
mod report;
mod turns;

use std::sync::Arc;

use coupon_core::Adapter;
use coupon_journal::{Campaign, Journal};
use tokio::sync::watch;

pub use self::options::RunOptions;
pub use self::report::{Progress, RunEnd, RunReport};
use self::turns::Run;
use crate::error::{CampaignError, Result};

/// A campaign and what sends it: the journal, the vendor's adapter, the options.
#[derive(Debug)]
pub struct Runner {
    journal: Arc<dyn Journal>,
    adapter: Arc<dyn Adapter>,
    campaign: Campaign,
    options: RunOptions,
}

impl Runner {
    /// A runner for `campaign` through `adapter` (which must be the campaign's vendor).
    pub fn new(
        journal: Arc<dyn Journal>,
        adapter: Arc<dyn Adapter>,
        campaign: Campaign,
        options: RunOptions,
    ) -> Result<Self> {
        let vendor = adapter.vendor();
        if vendor.as_str() != campaign.vendor {
            return Err(CampaignError::Invalid(format!(
                "campaign `{}` issues through `{}`, not `{vendor}`",
                campaign.name, campaign.vendor
            )));
        }
        if !adapter.capabilities().issue {
            return Err(CampaignError::Invalid(format!("`{vendor}` cannot issue coupons: no campaign can run on it")));
        }
        Ok(Self { journal, adapter, campaign, options })
    }

    /// The campaign.
    pub fn campaign(&self) -> &Campaign {
        &self.campaign
    }

    /// Runs the campaign until every row is settled, it stops, or `interrupt`
    /// turns true (then calls in flight finish and are recorded; nothing new starts).
    /// `progress` is called after every recorded outcome.
    pub async fn run(
        &self,
        interrupt: watch::Receiver<bool>,
        progress: &(dyn Fn(&Progress) + Send + Sync),
    ) -> Result<RunReport> {
        self.drive(interrupt, progress, false).await
    }

    /// Settles the rows in doubt only (each once), sending nothing new.
    pub async fn reconcile(
        &self,
        interrupt: watch::Receiver<bool>,
        progress: &(dyn Fn(&Progress) + Send + Sync),
    ) -> Result<RunReport> {
        self.drive(interrupt, progress, true).await
    }

    async fn drive(
        &self,
        interrupt: watch::Receiver<bool>,
        progress: &(dyn Fn(&Progress) + Send + Sync),
        doubts_only_run: bool,
    ) -> Result<RunReport> {
        let mut run = Run::start(self, interrupt, progress, doubts_only_run).await?;
        let ended = run.turn().await?;
        run.shut_down(ended).await
    }
}
