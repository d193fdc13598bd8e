//! The feeder: rows are claimed and their intents committed ahead of the sends, in a
//! task of its own, and claimed again when half of them are sent: one commit covers
//! many rows and happens while the calls in flight go on.
//!
//! How many: about a second's worth at the rate, between 2 and 8 times the
//! concurrency, so a slow campaign keeps few rows marked ahead (each is in doubt if
//! the process dies). A row marked but not sent when the run ends is recorded "not
//! sent" by the runner.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use coupon_core::chrono::{DateTime, Utc};
use coupon_journal::{Campaign, Claim, Journal, Row, RowId};
use tokio::task::{JoinError, JoinHandle};

use super::dispatch::Queue;
use super::options::RunOptions;
use crate::error::{CampaignError, Result};
use crate::stop::Stop;

/// A row's work: a doubt to settle, or a row marked `sending` to send.
#[derive(Debug)]
pub(super) enum Work {
    /// Settle this row in doubt.
    Settle(Row),
    /// Send this row, marked `sending`.
    Send(Row),
}

/// The rows claimed and not yet handed out, and the claim in progress.
#[derive(Debug)]
pub(super) struct Feeder {
    journal: Arc<dyn Journal>,
    campaign: Campaign,
    worker: String,
    lease: Duration,
    spend_cap: Option<i64>,
    /// A doubt is claimed only if no reconciliation answered it since: once a run.
    run_start: DateTime<Utc>,
    batch: usize,
    doubts: VecDeque<Row>,
    ready: VecDeque<Row>,
    feeding: Option<JoinHandle<Result<Fed>>>,
    /// The cap is reached: what was marked (it fits) is still sent, nothing more is claimed.
    capped: Option<Stop>,
}

/// How many rows a claim asks for at `rate` calls a second and `concurrency` in flight.
fn batch_size(rate: f64, concurrency: usize) -> usize {
    let per_second = rate.ceil().min(1e6) as usize;
    per_second.clamp(2 * concurrency, 8 * concurrency)
}

impl Feeder {
    /// A feeder of `campaign`'s rows for the worker of `options`, for a run begun at `run_start`.
    pub(super) fn new(
        journal: Arc<dyn Journal>,
        campaign: Campaign,
        options: &RunOptions,
        run_start: DateTime<Utc>,
    ) -> Self {
        Self {
            journal,
            campaign,
            worker: options.worker.clone(),
            lease: options.lease,
            spend_cap: options.max_spend,
            run_start,
            batch: batch_size(options.rate.get(), options.concurrency),
            doubts: VecDeque::new(),
            ready: VecDeque::new(),
            feeding: None,
            capped: None,
        }
    }

    /// How many rows a claim asks for, at most.
    pub(super) fn batch(&self) -> usize {
        self.batch
    }

    /// Rows claimed and not yet handed out.
    pub(super) fn queued(&self) -> usize {
        self.ready.len() + self.doubts.len()
    }

    /// Whether rows marked `sending` wait to be sent (they need a live lease).
    pub(super) fn sends_queued(&self) -> bool {
        !self.ready.is_empty()
    }

    /// Whether a claim is in progress.
    pub(super) fn feeding(&self) -> bool {
        self.feeding.is_some()
    }

    /// Why the spending cap stopped the claims, once it did.
    pub(super) fn capped(&self) -> Option<&Stop> {
        self.capped.as_ref()
    }

    /// Starts a claim of what fills the batch again (only rows in doubt with `doubts_only`).
    pub(super) fn claim(&mut self, doubts_only: bool) {
        let claim = Claim {
            retry_unknown_before: self.run_start,
            doubts_only,
            ..Claim::new(&self.campaign, &self.worker, self.batch - self.queued(), self.lease)
        };
        let feed = Feed {
            journal: Arc::clone(&self.journal),
            campaign: self.campaign.clone(),
            claim,
            spend_cap: self.spend_cap,
        };
        self.feeding = Some(tokio::spawn(feed.run()));
    }

    /// The claim in progress, once it is done; never, when there is none. Cancel-safe:
    /// the claim goes on and is waited for again.
    pub(super) async fn claimed(&mut self) -> std::result::Result<Result<Fed>, JoinError> {
        match self.feeding.as_mut() {
            Some(handle) => handle.await,
            None => std::future::pending().await,
        }
    }

    /// Queues what a claim brought; answers whether it brought anything (rows, or the
    /// news that the cap is reached).
    pub(super) fn take(&mut self, fed: std::result::Result<Result<Fed>, JoinError>) -> Result<bool> {
        self.feeding = None;
        let fed = fed.map_err(|e| CampaignError::Invalid(format!("the claiming task failed: {e}")))??;
        if fed.doubts.is_empty() && fed.marked.is_empty() && fed.capped.is_none() {
            return Ok(false);
        }
        self.doubts.extend(fed.doubts);
        self.ready.extend(fed.marked);
        if fed.capped.is_some() {
            self.capped = fed.capped;
        }
        Ok(true)
    }

    /// Ends the feeding: a claim in progress finishes (its rows are sent by nobody now),
    /// and what is left is handed back.
    pub(super) async fn finish(mut self) -> Leftovers {
        if let Some(handle) = self.feeding.take() {
            if let Ok(Ok(fed)) = handle.await {
                self.doubts.extend(fed.doubts);
                self.ready.extend(fed.marked);
            }
        }
        Leftovers {
            unsent: self.ready.into_iter().collect(),
            unsettled: self.doubts.into_iter().map(|r| r.id).collect(),
            capped: self.capped,
        }
    }
}

impl Queue for Feeder {
    type Item = Work;

    fn is_empty(&self) -> bool {
        self.doubts.is_empty() && self.ready.is_empty()
    }

    /// Doubts first: a row in doubt is settled before anything new is sent.
    fn pop(&mut self) -> Option<Work> {
        self.doubts.pop_front().map(Work::Settle).or_else(|| self.ready.pop_front().map(Work::Send))
    }
}

/// What a feeder leaves when a run ends.
#[derive(Debug)]
pub(super) struct Leftovers {
    /// Rows marked `sending` and never sent: provably not issued.
    pub(super) unsent: Vec<Row>,
    /// Rows in doubt claimed and not settled: to give back.
    pub(super) unsettled: Vec<RowId>,
    /// The stop of the spending cap, if it was reached.
    pub(super) capped: Option<Stop>,
}

/// Rows claimed, and those of them marked `sending`.
#[derive(Debug, Default)]
pub(super) struct Fed {
    doubts: Vec<Row>,
    marked: Vec<Row>,
    capped: Option<Stop>,
}

/// One claim and its intents, run beside the calls in flight.
struct Feed {
    journal: Arc<dyn Journal>,
    campaign: Campaign,
    claim: Claim,
    spend_cap: Option<i64>,
}

impl Feed {
    async fn run(self) -> Result<Fed> {
        let (j, c, worker) = (&self.journal, &self.campaign, self.claim.worker.as_str());
        if self.spend_cap.is_none() {
            // No cap to check: the claim and the intents are one step.
            let rows = j.claim_sending(&self.claim).await?;
            let (doubts, marked): (Vec<Row>, Vec<Row>) = rows.into_iter().partition(Row::in_doubt);
            return Ok(Fed { doubts, marked, capped: None });
        }
        let rows = j.claim(&self.claim).await?;
        let (doubts, sends): (Vec<Row>, Vec<Row>) = rows.into_iter().partition(Row::in_doubt);
        let mut fed = Fed { doubts, ..Fed::default() };
        if sends.is_empty() {
            return Ok(fed);
        }
        let ids: Vec<RowId> = sends.iter().map(|r| r.id).collect();
        let marked = j.mark_sending(&ids, worker, self.spend_cap).await?;
        if let Some(over) = marked.over_cap {
            let spent = j.spent(c).await?.won;
            let next = sends.iter().find(|r| r.id == over).and_then(|r| r.price).unwrap_or(0);
            fed.capped = Some(Stop::SpendCap { cap: self.spend_cap.unwrap_or(0), spent, next });
            let left: Vec<RowId> = ids.iter().copied().filter(|id| !marked.marked.contains(id)).collect();
            j.release(&left, worker).await?;
        }
        fed.marked = sends.into_iter().filter(|r| marked.marked.contains(&r.id)).collect();
        Ok(fed)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use coupon_core::{Error, ErrorKind};
    use coupon_journal::{CampaignSpec, NewRow, RequestFields, RowState};

    use super::*;
    use crate::rate::Rate;

    #[test]
    fn a_claim_is_about_a_seconds_worth_within_two_to_eight_times_the_concurrency() {
        assert_eq!(batch_size(5.0, 4), 8, "slow: twice the concurrency");
        assert_eq!(batch_size(20.0, 4), 20, "a second's worth");
        assert_eq!(batch_size(0.5, 1), 2);
        assert_eq!(batch_size(1e9, 4), 32, "fast: eight times the concurrency");
    }

    /// A SQLite journal with a campaign of `n` rows priced 1,000 won.
    async fn journal_with(n: u64) -> (tempfile::TempDir, Arc<dyn Journal>, Campaign) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("journal.db").display());
        let journal: Arc<dyn Journal> = Arc::from(coupon_journal::open(&url).await.unwrap());
        let spec = CampaignSpec {
            name: "feed".into(),
            vendor: "giftletter".into(),
            defaults: RequestFields::default(),
            store_pins: false,
        };
        let campaign = journal.create_campaign(&spec).await.unwrap().campaign;
        let rows: Vec<NewRow> = (1..=n)
            .map(|line| NewRow {
                line,
                key: None,
                phone: format!("0102000{line:04}"),
                name: None,
                request: RequestFields { product_id: Some("G1".into()), ..RequestFields::default() },
                extra: BTreeMap::new(),
                price: Some(1_000),
            })
            .collect();
        journal.insert_rows(&campaign, &rows).await.unwrap();
        (dir, journal, campaign)
    }

    fn options(max_spend: Option<i64>) -> RunOptions {
        RunOptions::new().rate(Rate::per_second(1.0).unwrap()).concurrency(1).max_spend(max_spend).worker("feed")
    }

    async fn claim(feeder: &mut Feeder, doubts_only: bool) -> bool {
        feeder.claim(doubts_only);
        assert!(feeder.feeding());
        let fed = feeder.claimed().await;
        feeder.take(fed).unwrap()
    }

    #[tokio::test]
    async fn a_claim_commits_the_intents_and_hands_out_doubts_before_sends() {
        let (_dir, journal, campaign) = journal_with(3).await;
        // Line 1 was sent by an earlier run and its answer lost: it is in doubt.
        let earlier = Claim::new(&campaign, "earlier", 1, Duration::from_secs(60));
        let first = journal.claim_sending(&earlier).await.unwrap();
        journal.record_unknown(first[0].id, &Error::new(ErrorKind::OutcomeUnknown, "lost")).await.unwrap();

        let mut feeder = Feeder::new(Arc::clone(&journal), campaign.clone(), &options(None), Utc::now());
        assert_eq!(feeder.batch(), 2, "1/s at concurrency 1: twice the concurrency");
        assert!(claim(&mut feeder, false).await);
        assert_eq!(feeder.queued(), 2);
        assert!(feeder.sends_queued());
        let Some(Work::Settle(doubt)) = feeder.pop() else { panic!("a doubt comes first") };
        assert_eq!(doubt.line, 1);
        let Some(Work::Send(send)) = feeder.pop() else { panic!("then a send") };
        assert_eq!((send.line, send.state), (2, RowState::Sending), "the intent is committed before it is handed out");
        assert!(feeder.is_empty() && feeder.pop().is_none());

        assert!(claim(&mut feeder, false).await, "line 3");
        assert!(!claim(&mut feeder, false).await, "nothing left: a claim that brings nothing says so");
        let left = feeder.finish().await;
        assert_eq!((left.unsent.len(), left.unsettled.len(), left.capped), (1, 0, None));
    }

    #[tokio::test]
    async fn a_claim_only_for_doubts_sends_nothing() {
        let (_dir, journal, campaign) = journal_with(2).await;
        let mut feeder = Feeder::new(Arc::clone(&journal), campaign.clone(), &options(None), Utc::now());
        assert!(!claim(&mut feeder, true).await);
        assert_eq!(journal.counts(&campaign).await.unwrap().pending, 2);
    }

    #[tokio::test]
    async fn the_spending_cap_marks_what_fits_gives_the_rest_back_and_says_why() {
        let (_dir, journal, campaign) = journal_with(5).await;
        let options = options(Some(2_500)).concurrency(4);
        let mut feeder = Feeder::new(Arc::clone(&journal), campaign.clone(), &options, Utc::now());
        assert!(claim(&mut feeder, false).await);
        assert_eq!(feeder.queued(), 2, "two rows of 1,000 fit under 2,500");
        assert_eq!(feeder.capped(), Some(&Stop::SpendCap { cap: 2_500, spent: 2_000, next: 1_000 }));
        let counts = journal.counts(&campaign).await.unwrap();
        assert_eq!((counts.sending, counts.pending), (2, 3));
        let other = journal.claim(&Claim::new(&campaign, "other", 10, Duration::from_secs(60))).await.unwrap();
        assert_eq!(other.len(), 3, "the rows over the cap are given back at once");
        let left = feeder.finish().await;
        assert_eq!(left.unsent.len(), 2);
        assert!(matches!(left.capped, Some(Stop::SpendCap { .. })));
    }
}
