//! Group commit: the begins and the answers of the requests in flight are written together, one
//! statement for all that queued while the last one was being written, as the campaign runner
//! gathers its intents. A request still waits for the sync of the batch that holds its begin
//! before its vendor is called, so the promise is the same; what is shared is the journal's one
//! writer and its flush. Answers are committed, not synced in full, as a campaign's outcomes are:
//! one a power loss takes back leaves its key in flight, a doubt settled with the vendor.
//!
//! A batch that fails answers `None` to each of its requests, which then take the journal one
//! by one (`begin_idempotent`, `finish_idempotent`).

use std::sync::{Arc, OnceLock};

use coupon_journal::{IdemBegin, IdemFinishOf, Journal};
use tokio::sync::{mpsc, oneshot};

/// The most a batch takes.
const MAX_BATCH: usize = 256;

type Job<T> = (T, oneshot::Sender<Option<bool>>);

/// The two queues, each drained by a task of its own (started on first use, on the caller's runtime).
pub struct GroupCommit {
    journal: Arc<dyn Journal>,
    begins: OnceLock<mpsc::UnboundedSender<Job<IdemBegin>>>,
    finishes: OnceLock<mpsc::UnboundedSender<Job<IdemFinishOf>>>,
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit").finish_non_exhaustive()
    }
}

impl GroupCommit {
    /// Queues on `journal`.
    pub fn new(journal: Arc<dyn Journal>) -> Self {
        Self { journal, begins: OnceLock::new(), finishes: OnceLock::new() }
    }

    /// Stores `begin` with the others in flight: `Some(true)` stored (durable: send it), `Some(false)` a record
    /// stands in its way, `None` the batch failed (judge it alone).
    pub async fn begin(&self, begin: IdemBegin) -> Option<bool> {
        let queue = self.begins.get_or_init(|| {
            let journal = self.journal.clone();
            spawn_drain(move |batch: Vec<IdemBegin>| {
                let journal = journal.clone();
                async move { journal.begin_idempotent_many(&batch).await }
            })
        });
        ask(queue, begin).await
    }

    /// Writes `finish` with the others in flight: whether it applied, or `None` when the batch failed.
    pub async fn finish(&self, finish: IdemFinishOf) -> Option<bool> {
        let queue = self.finishes.get_or_init(|| {
            let journal = self.journal.clone();
            spawn_drain(move |batch: Vec<IdemFinishOf>| {
                let journal = journal.clone();
                async move { journal.finish_idempotent_many(&batch).await }
            })
        });
        ask(queue, finish).await
    }
}

async fn ask<T>(queue: &mpsc::UnboundedSender<Job<T>>, item: T) -> Option<bool> {
    let (tx, rx) = oneshot::channel();
    queue.send((item, tx)).ok()?;
    rx.await.ok().flatten()
}

/// A task that takes what queued, writes it with `write`, and answers each.
fn spawn_drain<T, F, Fut>(write: F) -> mpsc::UnboundedSender<Job<T>>
where
    T: Send + 'static,
    F: Fn(Vec<T>) -> Fut + Send + 'static,
    Fut: Future<Output = coupon_journal::Result<Vec<bool>>> + Send,
{
    let (tx, mut rx) = mpsc::unbounded_channel::<Job<T>>();
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut jobs = vec![first];
            while jobs.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            let (items, answers): (Vec<T>, Vec<oneshot::Sender<Option<bool>>>) = jobs.into_iter().unzip();
            match write(items).await {
                Ok(done) => {
                    for (answer, applied) in answers.into_iter().zip(done) {
                        let _ = answer.send(Some(applied));
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "a group commit failed; its requests take the journal one by one");
                    for answer in answers {
                        let _ = answer.send(None);
                    }
                }
            }
        }
    });
    tx
}
