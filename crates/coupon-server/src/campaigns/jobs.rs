//! The campaign work this replica does in the background: a run, a reconcile, a sync, a cancel or a
//! resend, at most one at a time per campaign. Each job is the library's own command, given an
//! interrupt that [`Jobs::stop_all`] turns on at shutdown, the way ctrl-c stops `coupon campaign run`:
//! nothing new starts, calls in flight finish and are recorded.
//!
//! Another replica may work on the same campaign at the same time: the journal's leases split the
//! rows between them, as between two `coupon campaign run` processes.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use coupon_core::chrono::{DateTime, Utc};
use http::StatusCode;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::watch;
use utoipa::ToSchema;

use crate::problem::Problem;

/// What a job does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Sends the campaign (`coupon campaign run`).
    Run,
    /// Settles the rows in doubt (`coupon campaign reconcile`).
    Reconcile,
    /// Reads what became of the coupons (`coupon campaign sync`).
    Sync,
    /// Cancels coupons for a refund (`coupon campaign cancel`).
    Cancel,
    /// Sends messages again (`coupon campaign resend`).
    Resend,
}

impl JobKind {
    /// Whether a second request for this kind while one runs is the same request: a run, a reconcile and a
    /// sync take no selection, so the running job is the answer; a cancel or a resend names its rows.
    fn joins_running(self) -> bool {
        matches!(self, JobKind::Run | JobKind::Reconcile | JobKind::Sync)
    }

    fn as_str(self) -> &'static str {
        match self {
            JobKind::Run => "run",
            JobKind::Reconcile => "reconcile",
            JobKind::Sync => "sync",
            JobKind::Cancel => "cancel",
            JobKind::Resend => "resend",
        }
    }
}

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Working.
    Running,
    /// Asked to stop (shutdown): calls in flight finish and are recorded.
    Stopping,
    /// Ended: `end` holds its report.
    Finished,
    /// Ended with an error (`error`); what was sent is recorded, and the same request goes on.
    Failed,
}

/// A job as answered: `202` when started, and in the campaign's status.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct JobView {
    /// The job's id, unique on this replica.
    pub id: String,
    /// What it does.
    pub kind: JobKind,
    /// The campaign.
    pub campaign: String,
    /// Where it is.
    pub state: JobState,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// When it ended.
    pub finished_at: Option<String>,
    /// Its counters so far (a run's: sent, issued, refused, in_doubt, settled, not_sent, todo, rate,
    /// elapsed_seconds).
    #[schema(value_type = Object)]
    pub progress: Value,
    /// Its report, once finished (the library's report of the command, as `--json` prints it).
    #[schema(value_type = Object)]
    pub end: Option<Value>,
    /// Why it failed, if it did.
    pub error: Option<Problem>,
}

/// One job.
#[derive(Debug)]
pub struct Job {
    id: String,
    kind: JobKind,
    campaign: String,
    started_at: DateTime<Utc>,
    inner: Mutex<Outcome>,
    interrupt: watch::Sender<bool>,
    finished: watch::Sender<bool>,
}

#[derive(Debug, Default)]
struct Outcome {
    progress: Value,
    end: Option<Value>,
    error: Option<Problem>,
    finished_at: Option<DateTime<Utc>>,
}

impl Job {
    /// The job's kind.
    pub fn kind(&self) -> JobKind {
        self.kind
    }

    /// Whether it has ended.
    pub fn is_finished(&self) -> bool {
        *self.finished.borrow()
    }

    /// Records its counters so far.
    pub fn set_progress(&self, progress: Value) {
        if let Ok(mut o) = self.inner.lock() {
            o.progress = progress;
        }
    }

    /// The job as answered.
    pub fn view(&self) -> JobView {
        let o = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let state = match (self.is_finished(), &o.error, *self.interrupt.borrow()) {
            (true, Some(_), _) => JobState::Failed,
            (true, None, _) => JobState::Finished,
            (false, _, true) => JobState::Stopping,
            (false, _, false) => JobState::Running,
        };
        JobView {
            id: self.id.clone(),
            kind: self.kind,
            campaign: self.campaign.clone(),
            state,
            started_at: self.started_at.to_rfc3339(),
            finished_at: o.finished_at.map(|t| t.to_rfc3339()),
            progress: o.progress.clone(),
            end: o.end.clone(),
            error: o.error.clone(),
        }
    }

    fn finish(&self, result: Result<Value, Problem>) {
        if let Ok(mut o) = self.inner.lock() {
            match result {
                Ok(end) => o.end = Some(end),
                Err(p) => o.error = Some(p),
            }
            o.finished_at = Some(Utc::now());
        }
        self.finished.send_replace(true);
    }

    async fn wait(&self) {
        let mut finished = self.finished.subscribe();
        let _ = finished.wait_for(|done| *done).await;
    }
}

/// How long a caller turned away by a running job is told to wait before asking again.
const RETRY_AFTER_SECONDS: u64 = 5;

/// The jobs of this replica: the last one of each campaign (running, or finished and kept for its status).
#[derive(Debug, Default)]
pub struct Jobs {
    by_campaign: Mutex<HashMap<String, Arc<Job>>>,
    next: AtomicU64,
}

/// What [`Jobs::start`] did.
#[derive(Debug)]
pub enum Started {
    /// A new job.
    New(Arc<Job>),
    /// The same kind of job was running already: this is it.
    Running(Arc<Job>),
}

impl Started {
    /// The job, new or running.
    pub fn job(&self) -> &Arc<Job> {
        match self {
            Started::New(j) | Started::Running(j) => j,
        }
    }
}

impl Jobs {
    /// The campaign's last job on this replica, if any.
    pub fn of(&self, campaign: &str) -> Option<Arc<Job>> {
        self.by_campaign.lock().ok()?.get(campaign).cloned()
    }

    /// Starts `work` as the campaign's job of `kind`, unless one runs: the same kind of a run, reconcile or
    /// sync is answered with the running job; anything else is `409` with `Retry-After`. `work` gets the job
    /// (for its progress) and the interrupt to watch; its answer is the job's report, or its error.
    pub fn start<F, Fut>(&self, campaign: &str, kind: JobKind, work: F) -> Result<Started, Problem>
    where
        F: FnOnce(Arc<Job>, watch::Receiver<bool>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Value, Problem>> + 'static,
    {
        let mut jobs = self.by_campaign.lock().map_err(|_| Problem::internal("the job table is poisoned"))?;
        if let Some(running) = jobs.get(campaign).filter(|j| !j.is_finished()) {
            if running.kind == kind && kind.joins_running() {
                return Ok(Started::Running(running.clone()));
            }
            return Err(Problem::new(
                StatusCode::CONFLICT,
                "job_running",
                format!(
                    "campaign `{campaign}` has a {} running on this replica; a {} starts once it ends",
                    running.kind.as_str(),
                    kind.as_str()
                ),
            )
            .retryable(true)
            .with("job", running.id.clone())
            .with("retry_after_seconds", RETRY_AFTER_SECONDS));
        }
        let (interrupt, watching) = watch::channel(false);
        let (finished, _) = watch::channel(false);
        let n = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let job = Arc::new(Job {
            id: format!("{}-{n}", kind.as_str()),
            kind,
            campaign: campaign.to_string(),
            started_at: Utc::now(),
            inner: Mutex::default(),
            interrupt,
            finished,
        });
        jobs.insert(campaign.to_string(), job.clone());
        let running = job.clone();
        let working = job.clone();
        let runtime = tokio::runtime::Handle::current();
        tokio::spawn(async move {
            // The library's sync, cancel and resend futures are `Send`, but rustc cannot prove it where a generic
            // bound asks (higher-ranked lifetimes, rust-lang/rust#102211), so `tokio::spawn` refuses them: each
            // job's future is made and driven on a blocking thread of the same runtime instead (its IO, timers and
            // inner tasks stay on the runtime). A panic in the library still ends the job, or the campaign would
            // stay busy forever.
            let result = tokio::task::spawn_blocking(move || runtime.block_on(work(working, watching)))
                .await
                .unwrap_or_else(|e| Err(Problem::internal(format!("the job's task ended abnormally: {e}"))));
            if let Err(p) = &result {
                tracing::warn!(job = %running.id, campaign = %running.campaign, kind = %p.kind, "campaign job failed");
            }
            running.finish(result);
        });
        Ok(Started::New(job))
    }

    /// Interrupts every running job and waits up to `grace` for them to record their calls in flight.
    pub async fn stop_all(&self, grace: Duration) {
        let running: Vec<Arc<Job>> = match self.by_campaign.lock() {
            Ok(jobs) => jobs.values().filter(|j| !j.is_finished()).cloned().collect(),
            Err(_) => return,
        };
        for job in &running {
            job.interrupt.send_replace(true);
        }
        let all = futures_util::future::join_all(running.iter().map(|j| j.wait()));
        if tokio::time::timeout(grace, all).await.is_err() {
            let left = running.iter().filter(|j| !j.is_finished()).count();
            tracing::warn!(
                jobs = left,
                "campaign jobs still running after the grace period: their rows stay leased and are settled by the \
                 next run"
            );
        }
    }
}
