//! Sending a campaign: claim, make the intent durable, send, record; settle
//! every doubt with the vendor's own means first. See `docs/campaigns.md`.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use coupon_core::chrono::Utc;
use coupon_core::{Adapter, Error, Issued, Reconciliation};
use coupon_journal::{Campaign, Claim, Counts, Journal, Row, RowId};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

use crate::error::{CampaignError, Result};
use crate::outcome::{self, Effect, Verdict};
use crate::rate::{Bucket, Rate};
use crate::recorder::{Outcome, Recorder};
use crate::request::issue_request;
use crate::stop::Stop;

/// How a worker sends.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RunOptions {
    /// Calls a second, for this worker (`--rate`, default 5/s).
    pub rate: Rate,
    /// Calls in flight at once (`--concurrency`, default 4).
    pub concurrency: usize,
    /// Stop before the campaign could have spent more than this many won (`--max-spend`).
    pub max_spend: Option<i64>,
    /// Stop after this many transport failures in a row (default 5).
    pub breaker: u32,
    /// How long a claim holds; renewed every third of it while the worker lives.
    pub lease: Duration,
    /// This worker's name in the journal's leases: a name (default: the host's), the
    /// process id and a random suffix.
    pub worker: String,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            rate: Rate::per_second(5.0).expect("5/s is a rate"),
            concurrency: 4,
            max_spend: None,
            breaker: 5,
            lease: Duration::from_secs(60),
            worker: default_worker(),
        }
    }
}

impl RunOptions {
    /// The defaults: 5/s, 4 in flight, no cap, breaker at 5, 60 s leases.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets [`RunOptions::rate`].
    pub fn rate(mut self, rate: Rate) -> Self {
        self.rate = rate;
        self
    }
    /// Sets [`RunOptions::concurrency`] (at least 1).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }
    /// Sets [`RunOptions::max_spend`].
    pub fn max_spend(mut self, won: Option<i64>) -> Self {
        self.max_spend = won;
        self
    }
    /// Sets [`RunOptions::breaker`] (at least 1).
    pub fn breaker(mut self, n: u32) -> Self {
        self.breaker = n.max(1);
        self
    }
    /// The shortest lease: a shorter one is raised to it.
    pub const MIN_LEASE: Duration = Duration::from_secs(1);

    /// Sets [`RunOptions::lease`] (at least [`RunOptions::MIN_LEASE`]).
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Self::MIN_LEASE);
        self
    }
    /// Names this worker `NAME:PID:RANDOM` ([`RunOptions::worker`]). The suffix is new
    /// for every call: a worker restarted under the same name must not renew the leases
    /// its killed predecessor left, or those rows would wait on a dead run forever
    /// instead of expiring into doubt and being settled.
    pub fn worker(mut self, name: &str) -> Self {
        self.worker = worker_named(name);
        self
    }
}

/// A worker name unique enough across machines and restarts: the host's name, the
/// process id and a random suffix.
fn default_worker() -> String {
    let host = std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "host".into());
    worker_named(&host)
}

/// `name`, the process id and 32 random bits: not the name of an earlier run.
fn worker_named(name: &str) -> String {
    let mut suffix = [0u8; 4];
    let _ = getrandom::fill(&mut suffix);
    format!("{name}:{}:{:08x}", std::process::id(), u32::from_le_bytes(suffix))
}

/// What this run did so far, for a progress display.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Progress {
    /// Requests sent (issues and re-sends).
    pub sent: u64,
    /// Rows issued.
    pub issued: u64,
    /// Rows refused.
    pub refused: u64,
    /// Rows whose outcome is in doubt after this run's attempt (settled later in the run where possible).
    pub in_doubt: u64,
    /// Doubts settled.
    pub settled: u64,
    /// Rows to send again (not sent, or "try again").
    pub not_sent: u64,
    /// Rows the campaign had left to do when the run began.
    pub todo: u64,
    /// Calls a second allowed now.
    pub rate: f64,
    /// Seconds since the run began.
    pub elapsed: f64,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RunEnd {
    /// Every row is settled (`issued` or `refused`).
    Settled,
    /// Nothing is left to send, but rows are still `unknown`: reconcile them later.
    InDoubt(u64),
    /// The campaign stopped; rows not sent stay `pending`. `run` again resumes.
    Stopped(Stop),
    /// Interrupted (ctrl-c): in-flight calls were finished and recorded.
    Interrupted,
}

/// The summary of a run.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RunReport {
    /// How it ended.
    pub end: RunEnd,
    /// What this run did.
    pub progress: Progress,
    /// The campaign's rows per state at the end.
    pub counts: Counts,
}

#[derive(Debug, Default)]
struct Tally {
    sent: AtomicU64,
    issued: AtomicU64,
    refused: AtomicU64,
    in_doubt: AtomicU64,
    settled: AtomicU64,
    not_sent: AtomicU64,
}

/// One row's work, done in its own task; what the loop needs to know of it.
#[derive(Debug)]
struct Done {
    effect: Effect,
    error: Option<Error>,
}

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
        mut interrupt: watch::Receiver<bool>,
        progress: &(dyn Fn(&Progress) + Send + Sync),
        doubts_only_run: bool,
    ) -> Result<RunReport> {
        let j = &self.journal;
        let c = &self.campaign;
        let o = &self.options;
        match j.stop_reason(c).await? {
            Some(reason) if reason == crate::create::LOADING => {
                return Err(CampaignError::Invalid(format!(
                    "campaign `{}` was not fully loaded (its create did not finish): run the same create again to finish it",
                    c.name
                )));
            }
            Some(_) if !doubts_only_run => j.set_stop(c, None).await?,
            _ => {}
        }
        let started = Instant::now();
        let run_start = Utc::now();
        let at_start = j.counts(c).await?;
        let todo = at_start.pending + at_start.sending + at_start.unknown + at_start.not_issued;
        let bucket = Arc::new(Bucket::new(o.rate));
        let tally = Arc::new(Tally::default());
        // Until when every lease this worker holds is sure to hold: a lease is taken at a
        // claim (after the run began) and extended by each renewal, so it holds at least
        // until the run's start, then the last good renewal's start, plus the lease. A row
        // is sent only while that is well ahead, so a worker cut off from the journal never
        // sends a row whose lease another worker may have taken over.
        let lease_ms = i64::try_from(o.lease.as_millis()).unwrap_or(i64::MAX);
        let held_until = Arc::new(AtomicI64::new(Utc::now().timestamp_millis().saturating_add(lease_ms)));
        let renewer = {
            let (j, c, worker, lease) = (Arc::clone(j), c.clone(), o.worker.clone(), o.lease);
            let held_until = Arc::clone(&held_until);
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(lease / 3).await;
                    let start = Utc::now().timestamp_millis();
                    // A failed renewal is not fatal here: the next one may pass, and until
                    // then `held_until` stops moving, which stops the sends in time.
                    if j.renew(&c, &worker, lease).await.is_ok() {
                        held_until.store(start.saturating_add(lease_ms), Ordering::Release);
                    }
                }
            })
        };
        let (recorder, recording) = Recorder::start(Arc::clone(j));
        let snapshot = |tally: &Tally, rate: f64| Progress {
            sent: tally.sent.load(Ordering::Relaxed),
            issued: tally.issued.load(Ordering::Relaxed),
            refused: tally.refused.load(Ordering::Relaxed),
            in_doubt: tally.in_doubt.load(Ordering::Relaxed),
            settled: tally.settled.load(Ordering::Relaxed),
            not_sent: tally.not_sent.load(Ordering::Relaxed),
            todo,
            rate,
            elapsed: started.elapsed().as_secs_f64(),
        };

        let mut tasks: JoinSet<Result<Done>> = JoinSet::new();
        let mut stop: Option<Stop> = None;
        let mut failures_in_a_row = 0u32;
        let mut doubts_phase = true;
        let mut last_stop_check = Instant::now();
        let mut outcome: Result<()> = Ok(());
        // Rows are claimed and their intents committed ahead of the sends, in a task of
        // their own, and claimed again when half of them are sent: one commit covers
        // many rows and happens while the calls in flight go on. How many: about a
        // second's worth at the rate, between 2 and 8 times the concurrency, so a slow
        // campaign keeps few rows marked ahead (each is in doubt if the process dies).
        // A row marked but not sent when the run ends is recorded "not sent".
        let per_second = o.rate.get().ceil().min(1e6) as usize;
        let batch = per_second.clamp(2 * o.concurrency, 8 * o.concurrency);
        let mut ready: VecDeque<Row> = VecDeque::new();
        let mut doubts: VecDeque<Row> = VecDeque::new();
        let mut feeding: Option<JoinHandle<Result<Fed>>> = None;
        // The last claim found nothing: claim again only once something has changed.
        let mut starved = false;
        let mut flushed = false;
        // The cap is reached: what was marked (it fits) is still sent, nothing more is claimed.
        let mut capped: Option<Stop> = None;

        'run: loop {
            while let Some(joined) = tasks.try_join_next() {
                starved = false;
                if let Err(e) = self.absorb(joined, &bucket, &mut stop, &mut failures_in_a_row).await {
                    outcome = Err(e);
                    break 'run;
                }
                progress(&snapshot(&tally, bucket.rate().await));
            }
            if let Err(e) = recorder.failure() {
                outcome = Err(e);
                break;
            }
            if stop.is_some() || *interrupt.borrow() {
                break;
            }
            if last_stop_check.elapsed() > Duration::from_secs(1) {
                last_stop_check = Instant::now();
                if let Some(reason) = j.stop_reason(c).await? {
                    stop = Some(Stop::ByAnotherWorker(reason));
                    break;
                }
            }
            // Dispatch: doubts first, then sends, each call taking a token.
            if !ready.is_empty()
                && Utc::now().timestamp_millis().saturating_add(lease_ms / 2) > held_until.load(Ordering::Acquire)
            {
                outcome = Err(CampaignError::LeasesExpiring { worker: o.worker.clone() });
                break;
            }
            while tasks.len() < o.concurrency && !(doubts.is_empty() && ready.is_empty()) {
                tokio::select! {
                    _ = bucket.take(1) => {}
                    _ = interrupt.changed() => break,
                }
                let shared = self.share(&recorder);
                let tally = Arc::clone(&tally);
                if let Some(row) = doubts.pop_front() {
                    tasks.spawn(async move { shared.settle(row, &tally).await });
                } else if let Some(row) = ready.pop_front() {
                    tasks.spawn(async move { shared.send(row, &tally).await });
                }
            }
            if *interrupt.borrow() {
                break;
            }
            let idle = tasks.is_empty() && ready.is_empty() && doubts.is_empty() && feeding.is_none();
            if let Some(reached) = &capped {
                if idle {
                    stop = Some(reached.clone());
                    break;
                }
            } else if feeding.is_none() && !starved && ready.len() + doubts.len() < batch / 2 {
                let claim = Claim {
                    retry_unknown_before: run_start,
                    doubts_only: doubts_phase || doubts_only_run,
                    ..Claim::new(c, &o.worker, batch - ready.len() - doubts.len(), o.lease)
                };
                let feed = Feed { journal: Arc::clone(j), campaign: c.clone(), claim, spend_cap: o.max_spend };
                feeding = Some(tokio::spawn(feed.run()));
            } else if idle && starved {
                if !flushed {
                    // Outcomes not yet written may make rows claimable (a doubt, "send again").
                    recorder.flush().await;
                    flushed = true;
                    starved = false;
                    continue;
                }
                if doubts_phase && !doubts_only_run {
                    // Every doubt this worker could take is settled: now send.
                    doubts_phase = false;
                    starved = false;
                    continue;
                }
                let counts = j.counts(c).await?;
                let others_busy = counts.sending > 0 || (!doubts_only_run && (counts.pending + counts.not_issued) > 0);
                if !others_busy {
                    break;
                }
                // Other workers hold the rest (or a dead one's leases have yet to expire).
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                    _ = interrupt.changed() => {}
                }
                starved = false;
                continue;
            }
            let woke = {
                let fed = async {
                    match feeding.as_mut() {
                        Some(handle) => handle.await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    fed = fed => Woke::Fed(fed),
                    joined = tasks.join_next(), if !tasks.is_empty() => Woke::Task(joined),
                    _ = interrupt.changed() => Woke::Interrupt,
                }
            };
            match woke {
                Woke::Fed(fed) => {
                    feeding = None;
                    let fed = fed.map_err(|e| CampaignError::Invalid(format!("the claiming task failed: {e}")))??;
                    if fed.doubts.is_empty() && fed.marked.is_empty() && fed.capped.is_none() {
                        starved = true;
                    } else {
                        flushed = false;
                        doubts.extend(fed.doubts);
                        ready.extend(fed.marked);
                        if fed.capped.is_some() {
                            capped = fed.capped;
                        }
                    }
                }
                Woke::Task(Some(joined)) => {
                    starved = false;
                    if let Err(e) = self.absorb(joined, &bucket, &mut stop, &mut failures_in_a_row).await {
                        outcome = Err(e);
                        break;
                    }
                    progress(&snapshot(&tally, bucket.rate().await));
                }
                Woke::Task(None) | Woke::Interrupt => {}
            }
        }
        // A claim in progress finishes: its rows are sent by nobody now.
        if let Some(handle) = feeding.take() {
            if let Ok(Ok(fed)) = handle.await {
                doubts.extend(fed.doubts);
                ready.extend(fed.marked);
            }
        }
        if stop.is_none() && !*interrupt.borrow() {
            stop = capped.take();
        }
        // Marked but never sent: provably not issued. Claimed doubts not settled: given back.
        let unsent = Error::new(
            coupon_core::ErrorKind::Transport,
            "not sent: the run ended before this row's turn (its intent was recorded ahead)",
        );
        for row in ready.drain(..) {
            recorder.record(row.id, Outcome::NotSent(unsent.clone()));
        }
        let untouched: Vec<RowId> = doubts.drain(..).map(|r| r.id).collect();
        if !untouched.is_empty() {
            j.release(&untouched, &o.worker).await?;
        }
        // Calls in flight finish and are recorded, whatever ended the loop.
        while let Some(joined) = tasks.join_next().await {
            if let Err(e) = self.absorb(joined, &bucket, &mut stop, &mut failures_in_a_row).await {
                outcome = outcome.and(Err(e));
            }
            progress(&snapshot(&tally, bucket.rate().await));
        }
        recorder.flush().await;
        recording.abort();
        renewer.abort();
        outcome?;
        recorder.failure()?;
        if let Some(s) = &stop {
            if !matches!(s, Stop::ByAnotherWorker(_)) {
                j.set_stop(c, Some(s.to_string())).await?;
            }
        }
        let counts = j.counts(c).await?;
        let end = match stop {
            Some(s) => RunEnd::Stopped(s),
            None if *interrupt.borrow() => RunEnd::Interrupted,
            None if counts.unknown > 0 => RunEnd::InDoubt(counts.unknown),
            None if counts.pending + counts.sending + counts.not_issued > 0 => RunEnd::Interrupted,
            None => RunEnd::Settled,
        };
        Ok(RunReport { end, progress: snapshot(&tally, bucket.rate().await), counts })
    }

    fn share(&self, recorder: &Recorder) -> Arc<Shared> {
        Arc::new(Shared { recorder: recorder.clone(), adapter: Arc::clone(&self.adapter) })
    }

    async fn absorb(
        &self,
        joined: std::result::Result<Result<Done>, tokio::task::JoinError>,
        bucket: &Bucket,
        stop: &mut Option<Stop>,
        failures_in_a_row: &mut u32,
    ) -> Result<()> {
        let done = joined.map_err(|e| CampaignError::Invalid(format!("a send task failed: {e}")))??;
        match done.effect {
            Effect::Carry => *failures_in_a_row = 0,
            Effect::SlowDown => bucket.slow_down().await,
            Effect::Stop => {
                if stop.is_none() {
                    *stop = done.error.as_ref().map(|e| Stop::Refused {
                        kind: e.kind(),
                        code: e.vendor_code().map(|c| c.raw().to_owned()),
                        message: e.to_string(),
                    });
                }
            }
            Effect::Transport => {
                *failures_in_a_row += 1;
                if *failures_in_a_row >= self.options.breaker && stop.is_none() {
                    *stop = Some(Stop::Breaker {
                        failures: *failures_in_a_row,
                        last: done.error.as_ref().map(|e| e.to_string()).unwrap_or_default(),
                    });
                }
            }
        }
        if done.error.is_none() && done.effect == Effect::Carry {
            bucket.went_through().await;
        }
        Ok(())
    }
}

/// What woke the run loop.
enum Woke {
    Fed(std::result::Result<Result<Fed>, tokio::task::JoinError>),
    Task(Option<std::result::Result<Result<Done>, tokio::task::JoinError>>),
    Interrupt,
}

/// Rows claimed, and those of them marked `sending`.
#[derive(Debug, Default)]
struct Fed {
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

/// What a row's task needs.
#[derive(Debug)]
struct Shared {
    recorder: Recorder,
    adapter: Arc<dyn Adapter>,
}

impl Shared {
    /// Sends a row marked `sending` and records what came back.
    async fn send(&self, row: Row, tally: &Tally) -> Result<Done> {
        let caps = self.adapter.capabilities();
        let request = match issue_request(&caps, &row.phone, &row.request, row.partner_ref.clone()) {
            Ok(r) => r,
            Err(e) => {
                // Checked at create; a row that no longer parses was never sent.
                tally.refused.fetch_add(1, Ordering::Relaxed);
                self.recorder.record(row.id, Outcome::Refused(e.clone()));
                return Ok(Done { effect: Effect::Carry, error: Some(e) });
            }
        };
        tally.sent.fetch_add(1, Ordering::Relaxed);
        match self.adapter.issue(&request).await {
            Ok(issued) => {
                self.recorder.record(row.id, Outcome::Issued(issued));
                tally.issued.fetch_add(1, Ordering::Relaxed);
                Ok(Done { effect: Effect::Carry, error: None })
            }
            Err(e) => {
                let (verdict, effect) = outcome::of_issue_error(&e);
                match verdict {
                    Verdict::Refused => {
                        self.recorder.record(row.id, Outcome::Refused(e.clone()));
                        tally.refused.fetch_add(1, Ordering::Relaxed);
                    }
                    Verdict::NotSent => {
                        self.recorder.record(row.id, Outcome::NotSent(e.clone()));
                        tally.not_sent.fetch_add(1, Ordering::Relaxed);
                    }
                    Verdict::Doubt => {
                        self.recorder.record(row.id, Outcome::Unknown(e.clone()));
                        tally.in_doubt.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Ok(Done { effect, error: Some(e) })
            }
        }
    }

    /// Settles a row in doubt by the adapter's means, chosen by its capabilities:
    /// a lookup (`reconcile`), else a re-send the vendor deduplicates, else nothing
    /// (the row stays in doubt, with the reason).
    async fn settle(&self, row: Row, tally: &Tally) -> Result<Done> {
        let caps = self.adapter.capabilities();
        let request = match issue_request(&caps, &row.phone, &row.request, row.partner_ref.clone()) {
            Ok(r) => r,
            Err(e) => {
                let why = format!("cannot rebuild the request to settle it: {e}");
                self.recorder.record(row.id, Outcome::Reconciled(Reconciliation::StillUnknown(why)));
                return Ok(Done { effect: Effect::Carry, error: Some(e) });
            }
        };
        let since = row.reconcile_since();
        tally.sent.fetch_add(1, Ordering::Relaxed);
        let answer = if caps.reconcile {
            self.adapter.reconcile(&request, since).await
        } else if caps.issue_deduplicated {
            match self.adapter.issue(&request).await {
                Ok(issued) => Ok(Reconciliation::Issued(issued)),
                Err(e) if e.kind() == coupon_core::ErrorKind::DuplicateReference => {
                    Ok(Reconciliation::Issued(Issued::with_details_unknown(
                        self.adapter.vendor(),
                        row.partner_ref.clone(),
                        format!(
                            "issued by an earlier attempt: the re-send with the same reference was refused as a \
                             duplicate ({e}); the order id and PIN are unknown"
                        ),
                    )))
                }
                Err(e) => Err(e),
            }
        } else {
            Ok(Reconciliation::StillUnknown(format!(
                "{} offers no way to settle a doubt: ask the vendor about reference {}",
                self.adapter.vendor(),
                row.partner_ref
            )))
        };
        match answer {
            Ok(found) => {
                match &found {
                    Reconciliation::Issued(_) => {
                        tally.issued.fetch_add(1, Ordering::Relaxed);
                        tally.settled.fetch_add(1, Ordering::Relaxed);
                    }
                    Reconciliation::NotIssued => {
                        tally.settled.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {}
                }
                self.recorder.record(row.id, Outcome::Reconciled(found));
                Ok(Done { effect: Effect::Carry, error: None })
            }
            Err(e) => {
                let why = format!("reconciliation failed: {e}");
                self.recorder.record(row.id, Outcome::Reconciled(Reconciliation::StillUnknown(why)));
                Ok(Done { effect: outcome::of_reconcile_error(&e), error: Some(e) })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_named_twice_is_two_workers_so_a_restart_never_renews_a_dead_runs_leases() {
        let (first, restarted) = (RunOptions::new().worker("batch"), RunOptions::new().worker("batch"));
        assert!(first.worker.starts_with("batch:") && restarted.worker.starts_with("batch:"), "{first:?}");
        assert_ne!(first.worker, restarted.worker);
        assert_ne!(RunOptions::new().worker, RunOptions::new().worker);
    }
}
