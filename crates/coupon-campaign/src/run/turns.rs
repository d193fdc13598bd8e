//! One run: the loop that turns the runner's pieces until the run is over, and the
//! orderly end that follows (rows marked and never sent recorded "not sent", claimed
//! doubts given back, calls in flight finished and recorded, the stop written down).

use std::sync::Arc;
use std::time::Duration;

use coupon_core::Error;
use coupon_core::chrono::Utc;
use tokio::sync::watch;
use tokio::task::{JoinError, JoinHandle};
use tokio::time::Instant;

use super::Runner;
use super::calls::{Calls, Done};
use super::dispatch::Dispatcher;
use super::feed::{Fed, Feeder, Work};
use super::idle::{self, Facts, Next, Phase};
use super::judge::{Judge, Pace};
use super::lease::LeaseKeeper;
use super::report::{Progress, RunReport, Tally, end_of};
use crate::error::{CampaignError, Result};
use crate::rate::Bucket;
use crate::recorder::{Outcome, Recorder};
use crate::stop::Stop;

/// Why the loop ended, when the run is to be shut down in order.
pub(super) enum Ended {
    /// Done, stopped or interrupted.
    Finished,
    /// A task, the recorder or the leases failed: answered once the run is shut down.
    Failed(CampaignError),
}

/// One run: its pieces, and what the loop remembers from one turn to the next.
pub(super) struct Run<'a> {
    runner: &'a Runner,
    interrupt: watch::Receiver<bool>,
    progress: &'a (dyn Fn(&Progress) + Send + Sync),
    started: Instant,
    /// Rows the campaign had left to do when the run began.
    todo: u64,
    bucket: Bucket,
    tally: Arc<Tally>,
    calls: Arc<Calls>,
    leases: LeaseKeeper,
    recorder: Recorder,
    recording: JoinHandle<()>,
    feeder: Feeder,
    dispatcher: Dispatcher<Result<Done>>,
    judge: Judge,
    phase: Phase,
    /// The last claim found nothing: claim again only once something has changed.
    starved: bool,
    /// The outcomes were flushed since the last claim that found rows.
    flushed: bool,
    last_stop_check: Instant,
}

/// What the loop does after a step.
enum Flow {
    /// Turn again from the top.
    Again,
    /// Wait for something to happen.
    Wait,
    /// The run is over.
    End(Ended),
}

/// What woke the loop while it waited.
enum Woke {
    Fed(std::result::Result<Result<Fed>, JoinError>),
    Task(Option<std::result::Result<Result<Done>, JoinError>>),
    Interrupt,
}

impl<'a> Run<'a> {
    /// Sets a run of `runner` up: the campaign's stop cleared (a half-loaded campaign
    /// refused), the lease keeper and the recorder started, the pieces made.
    pub(super) async fn start(
        runner: &'a Runner,
        interrupt: watch::Receiver<bool>,
        progress: &'a (dyn Fn(&Progress) + Send + Sync),
        doubts_only_run: bool,
    ) -> Result<Run<'a>> {
        let (j, c, o) = (&runner.journal, &runner.campaign, &runner.options);
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
        let leases = {
            let (j, c, worker, lease) = (Arc::clone(j), c.clone(), o.worker.clone(), o.lease);
            LeaseKeeper::start(o.lease, move || {
                let (j, c, worker) = (Arc::clone(&j), c.clone(), worker.clone());
                async move { j.renew(&c, &worker, lease).await.is_ok() }
            })
        };
        let (recorder, recording) = Recorder::start(Arc::clone(j));
        Ok(Run {
            runner,
            interrupt,
            progress,
            started,
            todo: at_start.pending + at_start.sending + at_start.unknown + at_start.not_issued,
            bucket: Bucket::new(o.rate),
            tally: Arc::new(Tally::default()),
            calls: Arc::new(Calls { recorder: recorder.clone(), adapter: Arc::clone(&runner.adapter) }),
            leases,
            recorder,
            recording,
            feeder: Feeder::new(Arc::clone(j), c.clone(), o, run_start),
            dispatcher: Dispatcher::new(o.concurrency),
            judge: Judge::new(o.breaker),
            phase: if doubts_only_run { Phase::SettlingOnly } else { Phase::SettlingFirst },
            starved: false,
            flushed: false,
            last_stop_check: Instant::now(),
        })
    }

    /// Turns the loop until the run is over. An error is the journal's, and ends the run
    /// at once (rows left `sending` are in doubt, settled by the next run).
    pub(super) async fn turn(&mut self) -> Result<Ended> {
        loop {
            if let Some(ended) = self.look_around().await? {
                return Ok(ended);
            }
            self.dispatch().await;
            if self.interrupted() {
                return Ok(Ended::Finished);
            }
            match self.step(idle::next(&self.facts())).await? {
                Flow::Again => continue,
                Flow::Wait => {}
                Flow::End(ended) => return Ok(ended),
            }
            if let Some(ended) = self.wait().await? {
                return Ok(ended);
            }
        }
    }

    /// Takes in the tasks that finished, and answers whether the run must end: a
    /// failure, a stop (this worker's, or another's written in the journal, looked at
    /// once a second), an interrupt, or leases that may no longer hold.
    async fn look_around(&mut self) -> Result<Option<Ended>> {
        while let Some(joined) = self.dispatcher.try_join_next() {
            self.starved = false;
            if let Err(e) = self.absorb(joined).await {
                return Ok(Some(Ended::Failed(e)));
            }
        }
        if let Err(e) = self.recorder.failure() {
            return Ok(Some(Ended::Failed(e)));
        }
        if self.judge.stop().is_some() || self.interrupted() {
            return Ok(Some(Ended::Finished));
        }
        if self.last_stop_check.elapsed() > Duration::from_secs(1) {
            self.last_stop_check = Instant::now();
            if let Some(reason) = self.runner.journal.stop_reason(&self.runner.campaign).await? {
                self.judge.stop_for(Stop::ByAnotherWorker(reason));
                return Ok(Some(Ended::Finished));
            }
        }
        if self.feeder.sends_queued() && self.leases.expiring() {
            let worker = self.runner.options.worker.clone();
            return Ok(Some(Ended::Failed(CampaignError::LeasesExpiring { worker })));
        }
        Ok(None)
    }

    /// Starts a task per claimed row while there is room: doubts first, then sends,
    /// each call taking a token.
    async fn dispatch(&mut self) {
        let (calls, tally) = (&self.calls, &self.tally);
        let start = |work: Work| {
            let (calls, tally) = (Arc::clone(calls), Arc::clone(tally));
            async move {
                match work {
                    Work::Settle(row) => calls.settle(row, &tally).await,
                    Work::Send(row) => calls.send(row, &tally).await,
                }
            }
        };
        self.dispatcher.fill(&mut self.feeder, &self.bucket, &mut self.interrupt, start).await;
    }

    /// Takes the step [`idle::next`] chose.
    async fn step(&mut self, next: Next) -> Result<Flow> {
        match next {
            Next::StopAtCap => {
                if let Some(reached) = self.feeder.capped() {
                    self.judge.stop_for(reached.clone());
                }
                return Ok(Flow::End(Ended::Finished));
            }
            Next::Claim => {
                self.feeder.claim(self.phase.doubts_only());
                return Ok(Flow::Wait);
            }
            Next::Wait => return Ok(Flow::Wait),
            Next::Flush => {
                self.recorder.flush().await;
                self.flushed = true;
            }
            Next::StartSending => self.phase = Phase::Sending,
            Next::AskOthers => {
                let counts = self.runner.journal.counts(&self.runner.campaign).await?;
                if !idle::others_busy(&counts, self.phase) {
                    return Ok(Flow::End(Ended::Finished));
                }
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                    _ = self.interrupt.changed() => {}
                }
            }
        }
        // Something may have changed: claim again.
        self.starved = false;
        Ok(Flow::Again)
    }

    /// Waits for the claim in progress, a task or an interrupt, and takes it in.
    async fn wait(&mut self) -> Result<Option<Ended>> {
        let woke = tokio::select! {
            fed = self.feeder.claimed() => Woke::Fed(fed),
            joined = self.dispatcher.join_next(), if self.dispatcher.in_flight() > 0 => Woke::Task(joined),
            _ = self.interrupt.changed() => Woke::Interrupt,
        };
        match woke {
            Woke::Fed(fed) => {
                if self.feeder.take(fed)? {
                    self.flushed = false;
                } else {
                    self.starved = true;
                }
            }
            Woke::Task(Some(joined)) => {
                self.starved = false;
                if let Err(e) = self.absorb(joined).await {
                    return Ok(Some(Ended::Failed(e)));
                }
            }
            Woke::Task(None) | Woke::Interrupt => {}
        }
        Ok(None)
    }

    /// Ends the run in order: rows marked and never sent are recorded "not sent",
    /// claimed doubts are given back, calls in flight finish and are recorded, and the
    /// stop, if any, is written down.
    pub(super) async fn shut_down(self, ended: Ended) -> Result<RunReport> {
        let Run { runner, interrupt, progress, started, todo, bucket, tally, leases, recorder, recording, .. } = self;
        let (feeder, mut dispatcher, mut judge) = (self.feeder, self.dispatcher, self.judge);
        let (j, c) = (&runner.journal, &runner.campaign);
        let left = feeder.finish().await;
        if let (Some(reached), false) = (left.capped, *interrupt.borrow()) {
            judge.stop_for(reached);
        }
        // Marked but never sent: provably not issued. Claimed doubts not settled: given back.
        let unsent = Error::new(
            coupon_core::ErrorKind::Transport,
            "not sent: the run ended before this row's turn (its intent was recorded ahead)",
        );
        for row in left.unsent {
            recorder.record(row.id, Outcome::NotSent(unsent.clone()));
        }
        if !left.unsettled.is_empty() {
            j.release(&left.unsettled, &runner.options.worker).await?;
        }
        let mut outcome = match ended {
            Ended::Finished => Ok(()),
            Ended::Failed(e) => Err(e),
        };
        // Calls in flight finish and are recorded, whatever ended the loop.
        while let Some(joined) = dispatcher.join_next().await {
            outcome = outcome.and(absorb(joined, &mut judge, &bucket).await);
            progress(&tally.progress(todo, bucket.rate().await, started.elapsed().as_secs_f64()));
        }
        recorder.flush().await;
        recording.abort();
        drop(leases);
        outcome?;
        recorder.failure()?;
        let stop = judge.into_stop();
        if let Some(s) = &stop {
            if !matches!(s, Stop::ByAnotherWorker(_)) {
                j.set_stop(c, Some(s.to_string())).await?;
            }
        }
        let counts = j.counts(c).await?;
        let progress = tally.progress(todo, bucket.rate().await, started.elapsed().as_secs_f64());
        Ok(RunReport { end: end_of(stop, *interrupt.borrow(), &counts), progress, counts })
    }

    /// A finished task weighed, and the progress shown.
    async fn absorb(&mut self, joined: std::result::Result<Result<Done>, JoinError>) -> Result<()> {
        absorb(joined, &mut self.judge, &self.bucket).await?;
        let rate = self.bucket.rate().await;
        (self.progress)(&self.tally.progress(self.todo, rate, self.started.elapsed().as_secs_f64()));
        Ok(())
    }

    fn interrupted(&self) -> bool {
        *self.interrupt.borrow()
    }

    fn facts(&self) -> Facts {
        Facts {
            in_flight: self.dispatcher.in_flight(),
            queued: self.feeder.queued(),
            feeding: self.feeder.feeding(),
            batch: self.feeder.batch(),
            capped: self.feeder.capped().is_some(),
            starved: self.starved,
            flushed: self.flushed,
            phase: self.phase,
        }
    }
}

/// A finished task weighed by `judge`, the pace passed on to `bucket`.
async fn absorb(
    joined: std::result::Result<Result<Done>, JoinError>,
    judge: &mut Judge,
    bucket: &Bucket,
) -> Result<()> {
    let done = joined.map_err(|e| CampaignError::Invalid(format!("a send task failed: {e}")))??;
    match judge.weigh(&done) {
        Pace::SlowDown => bucket.slow_down().await,
        Pace::WentThrough => bucket.went_through().await,
        Pace::Same => {}
    }
    Ok(())
}
