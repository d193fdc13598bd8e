//! How a lifecycle command calls the vendor: within a rate and a concurrency, stopping on
//! an account refusal or a run of transport failures, and at an interrupt. The same
//! limits as a run's (`RunOptions`), in a simpler loop: these commands call once per row
//! and never claim ahead.

use std::future::Future;
use std::sync::Arc;

use coupon_core::Error;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::outcome::Effect;
use crate::rate::Bucket;
use crate::run::RunOptions;
use crate::stop::Stop;

/// The rate, the breaker and the reason to stop, shared by one command's calls.
#[derive(Debug)]
pub(crate) struct Pace {
    bucket: Arc<Bucket>,
    concurrency: usize,
    breaker: u32,
    failures: u32,
    stop: Option<Stop>,
    interrupt: watch::Receiver<bool>,
}

impl Pace {
    pub(crate) fn new(options: &RunOptions, interrupt: watch::Receiver<bool>) -> Self {
        Self {
            bucket: Arc::new(Bucket::new(options.rate)),
            concurrency: options.concurrency.max(1),
            breaker: options.breaker.max(1),
            failures: 0,
            stop: None,
            interrupt,
        }
    }

    /// Whether the command must start nothing more: stopped or interrupted.
    pub(crate) fn halted(&self) -> bool {
        self.stop.is_some() || *self.interrupt.borrow()
    }

    /// Whether the command was interrupted (SIGINT, SIGTERM).
    pub(crate) fn interrupted(&self) -> bool {
        *self.interrupt.borrow()
    }

    /// Why the command stopped, if it did.
    pub(crate) fn stop(&self) -> Option<&Stop> {
        self.stop.as_ref()
    }

    /// Takes in what a call's answer means for the command.
    pub(crate) async fn judge(&mut self, effect: Effect, error: Option<&Error>) {
        match effect {
            Effect::Transport => {
                self.failures += 1;
                if self.failures >= self.breaker && self.stop.is_none() {
                    let last = error.map(ToString::to_string).unwrap_or_default();
                    self.stop = Some(Stop::Breaker { failures: self.failures, last });
                }
            }
            Effect::Stop => {
                if let (None, Some(e)) = (&self.stop, error) {
                    self.stop = Some(Stop::Refused {
                        kind: e.kind(),
                        code: e.vendor_code().map(|c| c.raw().to_string()),
                        message: e.to_string(),
                    });
                }
            }
            Effect::SlowDown => self.bucket.slow_down().await,
            Effect::Carry => {
                self.failures = 0;
                self.bucket.went_through().await;
            }
        }
    }

    /// Runs `call` on each item, at most `concurrency` at once and within the rate, and
    /// hands each answer to `take` as it comes (in the caller's task, so `take` may record
    /// and judge). Starts nothing once the command is halted; what started finishes.
    pub(crate) async fn each<T, R, F, Fut>(
        &mut self,
        items: Vec<T>,
        call: F,
        mut take: impl AsyncFnMut(&mut Self, R) -> crate::Result<()>,
    ) -> crate::Result<()>
    where
        T: Send + 'static,
        R: Send + 'static,
        F: Fn(T) -> Fut,
        Fut: Future<Output = R> + Send + 'static,
    {
        let mut running = JoinSet::new();
        let mut items = items.into_iter();
        loop {
            while running.len() < self.concurrency && !self.halted() {
                let Some(item) = items.next() else { break };
                self.bucket.take(1).await;
                running.spawn(call(item));
            }
            let Some(done) = running.join_next().await else { return Ok(()) };
            let answer = done.map_err(|e| crate::CampaignError::Invalid(format!("a call's task failed: {e}")))?;
            take(self, answer).await?;
        }
    }
}
