//! Outcomes are written down by one task, in groups: whatever finished while the
//! last group was being committed goes into the next, one transaction. A row whose
//! outcome is not written yet stays `sending` under this worker's lease, so a crash
//! before the commit leaves it in doubt, settled with the vendor: never lost, never
//! sent blind.

use std::sync::{Arc, Mutex};

use coupon_core::{Error, Issued, Reconciliation};
use coupon_journal::{Journal, JournalError, Record, RowId};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::error::Result;

/// The most outcomes in one transaction.
const GROUP: usize = 256;
/// Scheduler turns a group waits for more outcomes.
const GATHER_TURNS: u32 = 32;

/// An outcome, owned, on its way to the journal.
#[derive(Debug)]
pub(crate) enum Outcome {
    Issued(Issued),
    Refused(Error),
    NotSent(Error),
    Unknown(Error),
    Reconciled(Reconciliation),
}

impl Outcome {
    fn as_record(&self) -> Record<'_> {
        match self {
            Outcome::Issued(i) => Record::Issued(i),
            Outcome::Refused(e) => Record::Refused(e),
            Outcome::NotSent(e) => Record::NotSent(e),
            Outcome::Unknown(e) => Record::Unknown(e),
            Outcome::Reconciled(r) => Record::Reconciled(r),
        }
    }
}

#[derive(Debug)]
enum Msg {
    Outcome(RowId, Outcome),
    Flush(oneshot::Sender<()>),
}

/// The handle the runner and its tasks write through.
#[derive(Clone, Debug)]
pub(crate) struct Recorder {
    tx: mpsc::UnboundedSender<Msg>,
    failed: Arc<Mutex<Option<JournalError>>>,
}

impl Recorder {
    /// Starts the recording task.
    pub(crate) fn start(journal: Arc<dyn Journal>) -> (Recorder, JoinHandle<()>) {
        let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
        let failed = Arc::new(Mutex::new(None));
        let slot = Arc::clone(&failed);
        let task = tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut group = Vec::new();
                let mut acks = Vec::new();
                let mut next = Some(first);
                // Let the tasks that are about to finish finish first (a few turns of the
                // scheduler, no timer): one transaction for all of them.
                let mut turns = GATHER_TURNS;
                while let Some(msg) = next.take() {
                    match msg {
                        Msg::Outcome(row, outcome) => group.push((row, outcome)),
                        Msg::Flush(ack) => acks.push(ack),
                    }
                    if group.len() < GROUP {
                        next = rx.try_recv().ok();
                        while next.is_none() && turns > 0 && acks.is_empty() {
                            turns -= 1;
                            tokio::task::yield_now().await;
                            next = rx.try_recv().ok();
                        }
                    }
                }
                if !group.is_empty() {
                    let batch: Vec<(RowId, Record<'_>)> = group.iter().map(|(r, o)| (*r, o.as_record())).collect();
                    if let Err(e) = journal.record(&batch).await {
                        slot.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(e);
                    }
                }
                for ack in acks {
                    let _ = ack.send(());
                }
            }
        });
        (Recorder { tx, failed }, task)
    }

    /// Queues an outcome.
    pub(crate) fn record(&self, row: RowId, outcome: Outcome) {
        // The task outlives every sender; a send fails only once it is gone, and then
        // the row stays `sending`: in doubt, settled by the next run.
        let _ = self.tx.send(Msg::Outcome(row, outcome));
    }

    /// Waits until every outcome queued before is committed (or failed).
    pub(crate) async fn flush(&self) {
        let (ack, done) = oneshot::channel();
        if self.tx.send(Msg::Flush(ack)).is_ok() {
            let _ = done.await;
        }
    }

    /// The first failure to record, if any (taken).
    pub(crate) fn failure(&self) -> Result<()> {
        match self.failed.lock().unwrap_or_else(|p| p.into_inner()).take() {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }
}
